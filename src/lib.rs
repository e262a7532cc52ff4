//! # saidwho — who said what
//!
//! saidwho reads news text and tells **who said what**. It splits the text
//! into sentences, finds people, organisations and places with a transformer
//! NER model, merges the mentions of each entity ("Dmitry Medvedev",
//! "Medvedev", "he"), and extracts every quote — direct, indirect and mixed —
//! with its speaker, its cue verb and exact byte offsets.
//!
//! The pipeline flows one way, one folder per stage:
//!
//! ```text
//! &str → text (sentences, quote marks) → ner (mentions) → entities (clusters)
//!      → quotes (content, cue, speaker) → Document
//! ```
//!
//! ```
//! use saidwho::Pipeline;
//!
//! let pipeline = Pipeline::new();
//! let doc = pipeline.analyze("Mr. Smith arrived. He spoke.").unwrap();
//! assert_eq!(doc.sentences.len(), 2);
//! assert_eq!(doc.slice(doc.sentences[0].span), "Mr. Smith arrived.");
//! assert_eq!(doc.entities[0].name, "Smith"); // "Mr. Smith" and "He"
//! ```
//!
//! A [`Pipeline`] is `Send + Sync`: build it once and share it across threads.
//! [`Pipeline::new`] runs the NER model that ships inside the crate
//! (`saidwho-ner-small`, cargo feature `embedded-model`, on by default: no
//! download, no files); [`Pipeline::from_model`] runs another
//! ([`ner`] and `docs/models.md` say which and how), and
//! [`Pipeline::without_ner`] runs the rules alone.
//!
//! # Guarantees
//!
//! saidwho is meant to be linked into other programs, so, like the `regex`
//! crate, it promises what it does on *any* input:
//!
//! - **No panics.** Every `&str` — empty, 10 MB on one line, 100,000 quote
//!   marks, control characters, NUL, right-to-left text — gives a
//!   [`Document`] or an [`Error`]; a bad model directory gives an [`Error`]
//!   that names the file. Fuzz targets in `fuzz/` and the tests in
//!   `tests/hostile.rs` hold the library to this.
//! - **No lost text.** Sentences tile the text: every non-whitespace
//!   character lies in exactly one sentence. All spans lie on char boundaries
//!   of the original text ([`Document::validate`] checks every guarantee).
//! - **Linear time.** Every stage scans with bounded look-behind and
//!   look-ahead; the NER stage gives each sentence a model window of its own
//!   (a sentence longer than a window is cut into overlapping ones). Time
//!   grows linearly with the text, memory with the text plus one batch of
//!   windows.
//! - **Batch-independent results.** With the candle engine a document gets
//!   the same result, to the last bit of every score, whatever other
//!   documents it is analysed with (`analyze_batch`, a corpus run, a Spark
//!   partition, a resumed run).
//! - **Bounded input.** [`PipelineConfig::max_text_bytes`] (64 MiB by
//!   default) turns an oversized text into [`Error::TextTooLarge`] instead of
//!   unbounded work.
//! - **Determinism.** The same pipeline gives byte-identical output for the
//!   same text, whichever thread runs it (`tests/concurrency.rs`).

#![warn(missing_docs)]
#![deny(unsafe_code)]

pub mod corpus;
pub mod document;
pub mod entities;
mod error;
pub mod eval;
mod lang;
pub mod ner;
pub mod output;
mod pipeline;
pub mod quotes;
pub mod text;
mod utils;

pub use document::{
    CharIndex, Document, Entity, EntityId, Label, Mention, MentionKind, Origin, Quote, QuoteKind,
    Sentence, Span, Speaker,
};
pub use error::{Error, Result};
pub use pipeline::{Pipeline, PipelineConfig, StageTimings, SPAN_MODEL_MAX_TEXT_BYTES};

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The guide's Rust examples (`docs/getting-started.md`), compiled and run
/// as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../docs/getting-started.md")]
pub struct GettingStartedDoctests;
