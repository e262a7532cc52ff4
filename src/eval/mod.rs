//! Evaluation against annotated corpora.
//!
//! Library code, so that the CLI, tests and benchmarks score the same way.
//!
//! * [`conll`] — CoNLL-2003-style NER files: entity-level precision, recall
//!   and F1 with conlleval semantics.
//! * [`quotes`] — PolNeAR-style attribution files: quote P/R/F1, speaker
//!   accuracy, end-to-end F1.

pub mod conll;
pub mod quotes;
