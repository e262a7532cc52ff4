//! Direct quotes: quoted regions that are quotations, not scare quotes.
//!
//! Why a classification step: quote marks in news serve two purposes —
//! reproducing someone's words (`"We will win," she said`) and distancing the
//! writer from a phrase (a "negotiation trap"). The second is not a quote of
//! its own: it belongs to the surrounding quote if there is one. A region is
//! taken for a quotation when it is long enough to be an utterance (four
//! words or more) or ends with sentence punctuation inside the marks; shorter
//! regions are scare quotes unless a cue introduces them directly
//! (`he said, "No."`), which the cue rules check themselves.

use crate::document::Span;
use crate::text::marks::Quoted;
use crate::text::tally;
use crate::text::tokens::Tok;
use std::cell::Cell;

/// A top-level quoted region with what the quote stage knows about it.
#[derive(Debug, Clone)]
pub(crate) struct Region {
    /// The region from the mark pairing.
    pub q: Quoted,
    /// A quotation (true) or a scare quote (false).
    pub real: bool,
    /// Number of words inside.
    pub words: usize,
}

/// Counts words (runs of alphanumerics) in `s`.
pub(crate) fn word_count(s: &str) -> usize {
    let mut n = 0;
    let mut in_word = false;
    for c in s.chars() {
        let w = c.is_alphanumeric();
        if w && !in_word {
            n += 1;
        }
        in_word = w || (in_word && matches!(c, '\'' | '’' | '-'));
    }
    n
}

/// Classifies the top-level regions of `quoted`, adding a step to `steps`
/// for every region and every byte of a top-level one (top-level regions do
/// not overlap: at most the text's length).
pub(crate) fn regions(text: &str, quoted: Vec<Quoted>, steps: &Cell<u64>) -> Vec<Region> {
    tally(steps, quoted.len());
    quoted
        .into_iter()
        .filter(|q| q.depth == 0)
        .map(|q| {
            let inner = q.inner().text(text);
            tally(steps, inner.len());
            let words = word_count(inner);
            let ends = inner.trim_end().ends_with(['.', '!', '?', '…']);
            let real = words >= 4 || (ends && words >= 2 && q.parts.len() == 1);
            Region { q, real, words }
        })
        .collect()
}

/// For each token, the index of the top-level region whose marks enclose it
/// (marks included), computed in one merge pass (a step to `steps` per
/// token and per region passed).
pub(crate) fn region_of_tokens(
    toks: &[Tok],
    regions: &[Region],
    steps: &Cell<u64>,
) -> Vec<Option<usize>> {
    let mut out = vec![None; toks.len()];
    let mut ri = 0;
    for (i, t) in toks.iter().enumerate() {
        tally(steps, 1);
        while ri < regions.len() && regions[ri].q.outer().end <= t.span.start {
            tally(steps, 1);
            ri += 1;
        }
        if let Some(r) = regions.get(ri) {
            if r.q.outer().contains(t.span) {
                out[i] = Some(ri);
            }
        }
    }
    out
}

/// True when an uncued region should still be reported as a direct quote:
/// a full utterance (eight words, or four ending with punctuation).
pub(crate) fn standalone(text: &str, r: &Region) -> bool {
    let inner = r.q.inner().text(text).trim_end();
    r.real && (r.words >= 8 || (r.words >= 4 && inner.ends_with(['.', '!', '?', ',', '…', '—'])))
}

/// Content spans of a direct quote made of `region`: its parts.
pub(crate) fn parts(r: &Region) -> Vec<Span> {
    r.q.parts.clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::marks::quoted;

    #[test]
    fn scare_vs_real() {
        let t = "a “negotiation trap” and “until the enemy is defeated.” and “No.”";
        let r = regions(t, quoted(t), &Cell::new(0));
        let real: Vec<bool> = r.iter().map(|r| r.real).collect();
        assert_eq!(real, [false, true, false]);
        assert_eq!(word_count("don’t stop-now 3"), 3);
    }
}
