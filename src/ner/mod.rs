//! Stage 2: named-entity recognition — from text to name mentions.
//!
//! A [`Recognizer`] turns a text (and its sentences) into [`Mention`]s. The
//! transformer recogniser tokenizes, packs sentences into model windows, runs a
//! backend and decodes the per-token labels into whole-word mentions.

use crate::document::{Mention, Sentence};
use crate::error::Result;

/// Finds name mentions in a text.
///
/// Implementations are shared across threads by the pipeline.
pub trait Recognizer: Send + Sync {
    /// Name mentions in `text`, sorted by start, non-overlapping, with spans
    /// on char boundaries of `text`.
    fn recognize(&self, text: &str, sentences: &[Sentence]) -> Result<Vec<Mention>>;
}
