//! From labelled words to mentions.
//!
//! The model labels tokens; [`TransformerRecognizer`](super::TransformerRecognizer)
//! groups them into words and gives each word one class. This module turns
//! such words — a byte span and a class each — into [`Mention`]s. It is
//! separate, and public, because it is where a model's output meets the
//! text: whatever a model, a tokenizer or a hand-written test feeds it, the
//! mentions it returns are non-empty, lie on char boundaries inside the
//! text, never overlap and carry a type from the label map. Spans it cannot
//! trust (reversed, out of range, off a char boundary) are dropped, not
//! "fixed".

use super::labels::{chunks, LabelMap};
use crate::document::{Mention, MentionKind, Span};

/// One word as the model labelled it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelledWord {
    /// Byte span of the word in the text.
    pub span: Span,
    /// Class id (an index into [`LabelMap::names`]); out-of-range ids read as `O`.
    pub class: usize,
    /// Probability of that class; a mention's score is its words' mean.
    pub score: f32,
}

/// Decodes one sentence's labelled words (in text order) into mentions.
///
/// Chunks follow [`chunks`]' lenient conlleval reading of the tags; a
/// mention spans from its first word's start to its last word's end.
///
/// ```
/// use saidwho::ner::{decode_words, LabelMap, LabelledWord};
/// use saidwho::{Label, Span};
///
/// let labels: Vec<String> = ["O", "B-PER", "I-PER"].map(String::from).to_vec();
/// let map = LabelMap::new(&labels, None).unwrap();
/// let text = "Dmitry Medvedev spoke.";
/// let word = |start, end, class| LabelledWord { span: Span::new(start, end), class, score: 0.9 };
/// let mentions = decode_words(text, &map, &[word(0, 6, 1), word(7, 15, 2), word(16, 21, 0)]);
/// assert_eq!(mentions.len(), 1);
/// assert_eq!(&text[mentions[0].span.start..mentions[0].span.end], "Dmitry Medvedev");
/// assert_eq!(mentions[0].label, Label::Per);
/// ```
pub fn decode_words(text: &str, labels: &LabelMap, words: &[LabelledWord]) -> Vec<Mention> {
    let mut mentions = Vec::new();
    let tags = words.iter().map(|w| labels.tag(w.class));
    for c in chunks(tags) {
        let ws = &words[c.start..c.end];
        let (Some(first), Some(last)) = (ws.first(), ws.last()) else {
            continue;
        };
        let span = Span::new(first.span.start, last.span.end);
        let Some(label) = labels.entity_type(c.ty) else {
            continue;
        };
        match text.get(span.start..span.end) {
            Some(t) if !t.trim().is_empty() => {}
            _ => continue,
        }
        let score = ws.iter().map(|w| w.score).sum::<f32>() / ws.len() as f32;
        mentions.push(Mention {
            span,
            label: label.clone(),
            score: Some(score).filter(|s| s.is_finite()),
            kind: MentionKind::Name,
        });
    }
    without_overlaps(mentions)
}

/// Holds any recogniser's output to the [`Recognizer`](super::Recognizer)
/// contract before later stages see it: mentions off the text, off char
/// boundaries or blank are dropped, the rest sorted and made disjoint. The
/// pipeline applies it to every recogniser, the user's own included.
pub(crate) fn well_formed(text: &str, mentions: Vec<Mention>) -> Vec<Mention> {
    let ok = |m: &Mention| {
        m.span.start < m.span.end
            && text
                .get(m.span.start..m.span.end)
                .is_some_and(|t| !t.trim().is_empty())
    };
    let mut mentions: Vec<Mention> = mentions.into_iter().filter(ok).collect();
    for m in &mut mentions {
        // A score that is no number is no score.
        m.score = m.score.filter(|s| s.is_finite());
    }
    without_overlaps(mentions)
}

/// Sorts mentions by position and drops any that overlaps an earlier one
/// (the longer mention wins where two start together) — how the windows of
/// an over-long sentence, which overlap, are merged.
pub(crate) fn without_overlaps(mut mentions: Vec<Mention>) -> Vec<Mention> {
    mentions.sort_by_key(|m| (m.span.start, std::cmp::Reverse(m.span.end)));
    let mut out: Vec<Mention> = Vec::with_capacity(mentions.len());
    for m in mentions {
        if out.last().is_none_or(|l| l.span.end <= m.span.start) {
            out.push(m);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Label;

    fn map(names: &[&str]) -> LabelMap {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        LabelMap::new(&names, None).unwrap()
    }

    fn word(start: usize, end: usize, class: usize) -> LabelledWord {
        LabelledWord {
            span: Span::new(start, end),
            class,
            score: 0.5,
        }
    }

    #[test]
    fn bad_spans_are_dropped_not_sliced() {
        let m = map(&["O", "B-LOC", "I-LOC"]);
        let text = "Kyiv é";
        // reversed, out of range, inside the two-byte "é": all dropped
        let words = [word(4, 2, 1), word(3, 99, 1), word(5, 6, 1)];
        assert!(decode_words(text, &m, &words).is_empty());
        let ok = decode_words(text, &m, &[word(0, 4, 1)]);
        assert_eq!(ok.len(), 1);
        assert_eq!(ok[0].label, Label::Loc);
    }

    #[test]
    fn overlapping_chunks_keep_the_first_and_longest() {
        let m = map(&["O", "B-PER", "B-ORG"]);
        let text = "Acme Corp";
        let mentions = decode_words(text, &m, &[word(0, 9, 2), word(5, 9, 1)]);
        assert_eq!(mentions.len(), 1);
        assert_eq!(mentions[0].label, Label::Org);
    }

    #[test]
    fn class_ids_out_of_range_are_outside() {
        let m = map(&["O", "B-PER"]);
        assert!(decode_words("Ann", &m, &[word(0, 3, 7)]).is_empty());
    }
}
