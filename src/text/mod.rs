//! Stage 1: the text itself — sentence boundaries, and the text resources the
//! rule stages share: the catalogue of quote marks ([`marks`]), a light word
//! tokenizer (`tokens`), word and name forms (`words`) and the lexicon of
//! speech cues ([`cues`]), used by the entity stage (who speaks next to a cue)
//! and the quote stage alike.
//!
//! Why a stage of its own: every later stage works sentence by sentence (NER
//! packs whole sentences into model windows; quote attribution looks for a cue
//! in the quote's sentence), so a bad boundary costs twice. News text is full
//! of traps for naive splitters — "Mr.", "U.S.", "Jonas E. Smith", `"… trap,"
//! he said.` — and this module knows them.

mod abbreviations;
pub mod cues;
pub mod marks;
mod sentences;
pub(crate) mod tokens;
pub(crate) mod words;

pub use sentences::RuleSplitter;

/// True when `word` (without its period) is an abbreviation that keeps its
/// period: a title (`Mr`, `Sen`), an initial (`J`), a dotted abbreviation
/// (`U.S`) or a listed one (`Calif`, `Jan`). The NER stage joins such a
/// period to its word, as CoNLL-2003 tokenizes (`Mr.`, `J.`, `U.S.`).
pub(crate) fn keeps_period(word: &str) -> bool {
    abbreviations::classify(word) != abbreviations::Abbrev::No
}

use crate::document::Span;
use std::cell::Cell;

/// Adds `n` elementary steps to a work counter (see
/// [`crate::quotes::WorkCount`]). Saturates rather than overflows.
#[inline]
pub(crate) fn tally(steps: &Cell<u64>, n: usize) {
    steps.set(steps.get().saturating_add(n as u64));
}

/// The largest char boundary of `text` at or before byte `i` (clamped to the
/// text), for cutting a window out of text at a byte distance.
pub(crate) fn floor_char_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The smallest char boundary of `text` at or after byte `i` (clamped).
pub(crate) fn ceil_char_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Splits a text into sentences.
///
/// Implementations must *tile* the text: every non-whitespace character lies
/// in exactly one returned span, spans are in order, do not overlap, start and
/// end on non-whitespace characters and lie on char boundaries.
///
/// ```
/// use saidwho::text::{RuleSplitter, SentenceSplitter};
/// let spans = RuleSplitter::default().split("Hello there. How are you?");
/// assert_eq!(spans.len(), 2);
/// ```
pub trait SentenceSplitter: Send + Sync {
    /// Sentence spans of `text`, in order.
    fn split(&self, text: &str) -> Vec<Span>;
}
