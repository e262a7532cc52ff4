//! Stage 4: quotes — who said what.

use crate::document::{Entity, Quote, Sentence};

/// Finds quotes and attributes them to speakers.
pub trait QuoteExtractor: Send + Sync {
    /// Quotes of `text`, in text order.
    fn extract(&self, text: &str, sentences: &[Sentence], entities: &[Entity]) -> Vec<Quote>;
}
