//! Attribution units: sentence-like stretches of tokens for the quote rules.
//!
//! Why not reuse the pipeline's sentences: the rules must not break when the
//! splitter cuts a quotation in two (`"… trap," he said.`). So the quote
//! stage computes its own *attribution units* from the shared tokens
//! (`crate::text::tokens`): stretches that never end inside a quotation and
//! always end at a line break.

use crate::document::Span;
use crate::text::marks::Quoted;
use crate::text::tally;
use crate::text::tokens::{Tok, TokKind};
use std::cell::Cell;

crate::lang::word_list! {
    /// Words after which a period does not end a sentence. Not the sentence
    /// splitter's abbreviations, which hold many more: the file's header says
    /// why.
    fn unit_abbreviations = "en/unit_abbreviations.txt";
}

/// Attribution units: `units[k]` is a token range `a..b`. Units end after a
/// sentence-final `.`/`!`/`?` (and any closing marks right after it) that is
/// followed by a capital, a mark or a line break — but never inside a quoted
/// region — and always at a line break.
///
/// Adds a step to `steps` for every token it looks at.
pub(crate) fn units(
    text: &str,
    toks: &[Tok],
    quoted: &[Quoted],
    steps: &Cell<u64>,
) -> Vec<(usize, usize)> {
    // Top-level quoted regions as sorted byte ranges.
    let regions: Vec<Span> = quoted
        .iter()
        .filter(|q| q.depth == 0)
        .map(|q| q.outer())
        .collect();
    tally(steps, quoted.len());
    let mut ri = 0;
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < toks.len() {
        tally(steps, 1);
        let t = toks[i];
        while ri < regions.len() && regions[ri].end <= t.span.start {
            tally(steps, 1);
            ri += 1;
        }
        let inside =
            ri < regions.len() && regions[ri].start < t.span.start && t.span.end < regions[ri].end;
        match t.kind {
            TokKind::Newline => {
                if i > start {
                    out.push((start, i));
                }
                start = i + 1;
            }
            // A closing mark after sentence punctuation, then a capital:
            // `… chief." He added` ends the unit after the mark.
            TokKind::Punct(_)
                if ri < regions.len()
                    && t.span.end == regions[ri].end
                    && closes_sentence(toks, i)
                    && toks.get(i + 1).is_some_and(|n| {
                        n.is_word()
                            && n.span
                                .text(text)
                                .chars()
                                .next()
                                .is_some_and(char::is_uppercase)
                    })
                    && !attribution_follows(text, toks, i + 1, steps) =>
            {
                out.push((start, i + 1));
                start = i + 1;
            }
            TokKind::Punct('.' | '!' | '?') if !inside => {
                // Absorb closing marks / brackets after the period.
                let mut j = i + 1;
                while j < toks.len()
                    && matches!(
                        toks[j].kind,
                        TokKind::Punct('”' | '"' | '’' | '\'' | ')' | '»')
                    )
                    && regions.get(ri).is_some_and(|r| toks[j].span.end == r.end)
                {
                    tally(steps, 1);
                    j += 1;
                }
                let next = toks.get(j);
                let boundary = match next {
                    None => true,
                    Some(n) => match n.kind {
                        TokKind::Newline => true,
                        TokKind::Word => {
                            let first = n.span.text(text).chars().next().unwrap_or('a');
                            first.is_uppercase() && !is_abbrev_before(text, toks, i)
                        }
                        TokKind::Punct(c) => {
                            matches!(c, '“' | '"' | '‘' | '«' | '(' | '—')
                                && !is_abbrev_before(text, toks, i)
                        }
                    },
                };
                if boundary {
                    out.push((start, j));
                    start = j;
                    i = j;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if start < toks.len() {
        out.push((start, toks.len()));
    }
    out
}

/// True when the words from `j` on are an attribution of the quotation just
/// closed (`…?” Priebus said.`, `…!” said the man who …`): a speech cue
/// within six words, before any sentence punctuation or `that`.
fn attribution_follows(text: &str, toks: &[Tok], j: usize, steps: &Cell<u64>) -> bool {
    let mut cue = false;
    let mut after_cue = 0;
    for (n, t) in toks.iter().skip(j).take(16).enumerate() {
        tally(steps, 1);
        match t.kind {
            TokKind::Word => {
                let w = t.span.text(text);
                if w.eq_ignore_ascii_case("that") {
                    return false;
                }
                if cue {
                    after_cue += 1;
                    // `He’s predicting he will …`: the cue opens a clause of
                    // its own, it does not attribute the quotation before.
                    if after_cue == 1
                        && matches!(
                            w.to_lowercase().as_str(),
                            "he" | "she" | "they" | "we" | "i" | "it" | "you"
                        )
                    {
                        return false;
                    }
                }
                if !cue
                    && n < 6
                    && w.starts_with(char::is_lowercase)
                    && crate::text::cues::lookup(w).is_some_and(|c| {
                        !c.weak && (!c.broad || matches!(c.lemma, "ask" | "demand" | "wonder"))
                    })
                {
                    cue = true;
                }
            }
            // `Mr.`, `Sen.`: an abbreviation's period ends nothing.
            TokKind::Punct('.') if is_abbrev_before(text, toks, j + n) => {}
            // `He added: “…”`: a colon introduces the next quotation, it
            // does not attribute the one before.
            TokKind::Punct(':') => return false,
            // The attribution is short: it ends soon after the cue.
            TokKind::Punct('.' | '!' | '?' | ';' | ',') | TokKind::Newline => return cue,
            TokKind::Punct(_) => {}
        }
    }
    false
}

/// True when token `i` (a closing mark) follows `.`, `!` or `?`.
fn closes_sentence(toks: &[Tok], i: usize) -> bool {
    i > 0 && matches!(toks[i - 1].kind, TokKind::Punct('.' | '!' | '?'))
}

/// True when token `i` is the period of an abbreviation written against its
/// word (`Mr.`, `Co.`, `Inc.`) or of an initial (`E.`).
pub(crate) fn is_abbrev_before(text: &str, toks: &[Tok], i: usize) -> bool {
    if !toks[i].is_punct('.') || i == 0 {
        return false;
    }
    let w = toks[i - 1];
    if !w.is_word() || w.span.end != toks[i].span.start {
        return false;
    }
    let s = w.span.text(text);
    if s.chars().count() == 1 && s.chars().all(char::is_uppercase) {
        return true; // initials: "Jonas E. Smith"
    }
    let lower = s.to_lowercase();
    unit_abbreviations().contains(&lower.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::marks::quoted;
    use crate::text::tokens::tokenize;

    #[test]
    fn units_do_not_end_inside_quotes() {
        let t = "“A. B,” he said. Mr. Smith left.\nNext";
        let toks = tokenize(t);
        let q = quoted(t);
        let u = units(t, &toks, &q, &Cell::new(0));
        let s: Vec<&str> = u
            .iter()
            .map(|&(a, b)| &t[toks[a].span.start..toks[b - 1].span.end])
            .collect();
        assert_eq!(s, ["“A. B,” he said.", "Mr. Smith left.", "Next"]);
        let t = "He said “Is it?” Priebus said. “A.” She left.";
        let toks = tokenize(t);
        let u = units(t, &toks, &quoted(t), &Cell::new(0));
        assert_eq!(u.len(), 3);
    }
}
