//! Evaluation against annotated corpora.
//!
//! * [`conll`] — CoNLL-2003-style NER files: entity-level precision, recall
//!   and F1 with conlleval semantics.

pub mod conll;
