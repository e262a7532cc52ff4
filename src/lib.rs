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
//! ```
//!
//! A [`Pipeline`] is `Send + Sync`: build it once and share it across threads.

#![warn(missing_docs)]

pub mod corpus;
pub mod document;
pub mod entities;
mod error;
pub mod eval;
pub mod ner;
pub mod output;
mod pipeline;
pub mod quotes;
pub mod text;

pub use document::{
    CharIndex, Document, Entity, EntityId, Label, Mention, MentionKind, Quote, QuoteKind, Sentence,
    Span, Speaker,
};
pub use error::{Error, Result};
pub use pipeline::{Pipeline, PipelineConfig};

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
