//! Words: sub-word scores become one label per word.
//!
//! Labels are assigned to whole words (the tokenizer's pre-tokenizer words,
//! which split punctuation: `Zelensky’s` is three words), from their
//! sub-word scores as [`Aggregation`] says, like `aggregation_strategy` in
//! Hugging Face's pipeline. Mentions therefore always start and end at word
//! boundaries. Two joins make the tokenizer's words CoNLL's words: the
//! period of an abbreviation joins its word (`Mr.`, `J.`, `U.S.`), and the
//! pieces of a hyphenated or apostrophised word join
//! (`Charles-Michael`, `N'Djamena`) — the model never learnt a label for a
//! lone `.` after `Mr` or for `Michael` after a hyphen, and guesses.

use super::decode::LabelledWord;
use super::windows::Seq;
use crate::document::Span;
use crate::error::{Error, Result};

/// How a word's label is chosen from its sub-words' scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Aggregation {
    /// The label of the first sub-word (how the reference model was trained
    /// and evaluated).
    #[default]
    First,
    /// The best label of the sub-words' mean probabilities.
    Average,
    /// The label of the single most confident sub-word.
    Max,
}

impl Aggregation {
    /// Every aggregation, in the order of the variants.
    pub const ALL: [Aggregation; 3] = [Aggregation::First, Aggregation::Average, Aggregation::Max];

    /// The aggregation's name: what [`Display`](std::fmt::Display) writes
    /// and `--aggregation` takes. [`FromStr`](std::str::FromStr) also takes
    /// `mean` for `average`, in any case.
    pub fn name(self) -> &'static str {
        match self {
            Aggregation::First => "first",
            Aggregation::Average => "average",
            Aggregation::Max => "max",
        }
    }
}

impl std::fmt::Display for Aggregation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Aggregation {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "first" => Ok(Aggregation::First),
            "average" | "mean" => Ok(Aggregation::Average),
            "max" => Ok(Aggregation::Max),
            other => Err(Error::Backend(format!(
                "unknown aggregation `{other}`; expected first, average or max"
            ))),
        }
    }
}

/// The label a model gives one word.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WordPrediction {
    /// Class id (index into [`LabelMap::names`](super::LabelMap::names)).
    pub class: usize,
    /// Probability of that class, `0.0..=1.0`.
    pub score: f32,
}

/// A word: its tokens `first..=last` and its label.
pub(super) struct Word {
    pub id: u32,
    pub first: usize,
    pub last: usize,
    pub pred: WordPrediction,
}

/// Groups a sequence's tokens into words and labels each word.
pub(super) fn words(
    seq: &Seq,
    probs: &[f32],
    nl: usize,
    aggregation: Aggregation,
    outside: usize,
) -> Vec<Word> {
    let row = |t: usize| &probs[t * nl..(t + 1) * nl];
    let mut words: Vec<Word> = Vec::new();
    for (t, w) in seq.words.iter().enumerate() {
        let Some(w) = *w else { continue };
        match words.last_mut() {
            Some(last) if last.id == w && last.last + 1 == t => last.last = t,
            _ => words.push(Word {
                id: w,
                first: t,
                last: t,
                pred: WordPrediction {
                    class: outside,
                    score: 1.0,
                },
            }),
        }
    }
    for w in &mut words {
        w.pred = match aggregation {
            Aggregation::First => argmax(row(w.first)),
            Aggregation::Average => {
                let mut mean = vec![0f32; nl];
                for t in w.first..=w.last {
                    for (m, p) in mean.iter_mut().zip(row(t)) {
                        *m += p;
                    }
                }
                let k = (w.last - w.first + 1) as f32;
                mean.iter_mut().for_each(|m| *m /= k);
                argmax(&mean)
            }
            Aggregation::Max => (w.first..=w.last)
                .map(|t| argmax(row(t)))
                .fold(None::<WordPrediction>, |best, p| match best {
                    Some(b) if b.score >= p.score => Some(b),
                    _ => Some(p),
                })
                .unwrap_or(WordPrediction {
                    class: outside,
                    score: 1.0,
                }),
        };
    }
    words
}

/// The labelled words of sequence `seq`, whose byte offsets start at `base`
/// in `text`, with abbreviation periods and compound pieces joined.
pub(super) fn labelled_words(
    text: &str,
    base: usize,
    seq: &Seq,
    words: &[Word],
) -> Vec<LabelledWord> {
    let words: Vec<LabelledWord> = words
        .iter()
        .filter_map(|w| {
            let pieces = &seq.offsets[w.first..=w.last];
            let start = pieces.iter().map(|o| o.0).min()?;
            let end = pieces.iter().map(|o| o.1).max()?;
            Some(LabelledWord {
                span: Span::new(base + start, base + end),
                class: w.pred.class,
                score: w.pred.score,
            })
        })
        .collect();
    join_compounds(text, join_abbreviation_periods(text, words))
}

fn argmax(row: &[f32]) -> WordPrediction {
    let mut best = WordPrediction {
        class: 0,
        score: f32::NEG_INFINITY,
    };
    for (i, &p) in row.iter().enumerate() {
        if p > best.score {
            best = WordPrediction { class: i, score: p };
        }
    }
    if !best.score.is_finite() {
        best.score = 0.0;
    }
    best
}

/// Joins the period of an abbreviation to the word before it (`Mr` `.` →
/// `Mr.`, `U` `.` `S` `.` → `U.S.`): the joined word keeps the label and score
/// of its first piece — how `first` aggregation labels a CoNLL word whose
/// sub-words are `Mr` and `.`. Only pieces that touch (no space between) are
/// joined, and only when the text before the period is an abbreviation
/// (see [`crate::text::keeps_period`]).
fn join_abbreviation_periods(text: &str, words: Vec<LabelledWord>) -> Vec<LabelledWord> {
    let mut out: Vec<LabelledWord> = Vec::with_capacity(words.len());
    for w in words {
        let is_period = text.get(w.span.start..w.span.end) == Some(".");
        if is_period {
            // The run of touching letter-or-dotted pieces before the period.
            // At most 8 pieces (`U` `.` `S` …): no listed abbreviation is
            // longer, and a bound keeps a 10 MB `a.a.a.…` linear.
            let mut first = out.len();
            let mut next_start = w.span.start; // where the piece after `first - 1` starts
            while first > 0 && out.len() - first < 8 {
                let p = &out[first - 1];
                let touches = p.span.end == next_start;
                let piece = text.get(p.span.start..p.span.end).unwrap_or("");
                if !touches
                    || piece.is_empty()
                    || !piece.chars().all(|c| c.is_alphabetic() || c == '.')
                {
                    break;
                }
                next_start = p.span.start;
                first -= 1;
            }
            if first < out.len() {
                let stem = text.get(out[first].span.start..w.span.start).unwrap_or("");
                if crate::text::keeps_period(stem) {
                    out[first].span.end = w.span.end;
                    out.truncate(first + 1);
                    continue;
                }
            }
        }
        out.push(w);
    }
    out
}

/// Joins the pieces of a hyphenated or apostrophised word
/// (`Charles-Michael`, `N'Djamena`, `al-Gama'a`, `U.S.-based`, `1996-12-06`)
/// into one word with the label and score of its first piece — one word as
/// CoNLL-2003 tokenizes it, so one label from its first sub-word, as such
/// models are trained. The tokenizer splits these words at the
/// punctuation, and the model never learnt labels for the later pieces: it
/// guesses, and a guessed `B-PER` on `Michael` cut `Charles-Michael Friedek`
/// in two. A connector joins only pieces it touches on both sides, and an
/// apostrophe does not join a clitic (`Medvedev’s`, `don’t`), which CoNLL
/// splits off.
fn join_compounds(text: &str, words: Vec<LabelledWord>) -> Vec<LabelledWord> {
    const CONNECTORS: [&str; 5] = ["-", "\u{2010}", "\u{2011}", "'", "\u{2019}"];
    const CLITICS: [&str; 7] = ["s", "t", "d", "m", "ll", "re", "ve"];
    let piece = |w: &LabelledWord| text.get(w.span.start..w.span.end).unwrap_or("");
    let mut out: Vec<LabelledWord> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if let (Some(prev), Some(next)) = (out.last_mut(), words.get(i + 1)) {
            let connector = piece(&w);
            let after = piece(next);
            let joins = CONNECTORS.contains(&connector)
                && prev.span.end == w.span.start
                && w.span.end == next.span.start
                && piece(prev)
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '.')
                && after.chars().next().is_some_and(char::is_alphanumeric);
            let clitic = matches!(connector, "'" | "\u{2019}")
                && CLITICS.contains(&after.to_lowercase().as_str());
            if joins && !clitic {
                prev.span.end = next.span.end;
                i += 2;
                continue;
            }
        }
        out.push(w);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words of `text` split like a BERT pre-tokenizer (whitespace, then
    /// each punctuation character alone), word `i` labelled `i`.
    fn pieces(text: &str) -> Vec<LabelledWord> {
        let mut out = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
            if c.is_alphanumeric() {
                start.get_or_insert(i);
                continue;
            }
            if let Some(s) = start.take() {
                out.push(Span::new(s, i));
            }
            if !c.is_whitespace() {
                out.push(Span::new(i, i + c.len_utf8()));
            }
        }
        out.into_iter()
            .enumerate()
            .map(|(class, span)| LabelledWord {
                span,
                class,
                score: 1.0,
            })
            .collect()
    }

    fn joined(text: &str) -> Vec<(&str, usize)> {
        join_abbreviation_periods(text, pieces(text))
            .iter()
            .map(|w| (w.span.text(text), w.class))
            .collect()
    }

    #[test]
    fn abbreviation_periods_join_their_word() {
        assert_eq!(
            joined("Mr. Donald J. Trump of the U.S. said so."),
            [
                ("Mr.", 0),
                ("Donald", 2),
                ("J.", 3),
                ("Trump", 5),
                ("of", 6),
                ("the", 7),
                ("U.S.", 8),
                ("said", 12),
                ("so", 13),
                (".", 14),
            ]
        );
        // Not after a plain word, not across a space, not after a number.
        assert_eq!(
            joined("Smith . 3. x"),
            [("Smith", 0), (".", 1), ("3", 2), (".", 3), ("x", 4)]
        );
    }

    fn compounds(text: &str) -> Vec<(&str, usize)> {
        join_compounds(text, join_abbreviation_periods(text, pieces(text)))
            .iter()
            .map(|w| (w.span.text(text), w.class))
            .collect()
    }

    #[test]
    fn compound_words_join_their_first_piece() {
        assert_eq!(
            compounds("Charles-Michael Friedek of N'Djamena, U.S.-based al-Gama'a"),
            [
                ("Charles-Michael", 0),
                ("Friedek", 3),
                ("of", 4),
                ("N'Djamena", 5),
                (",", 8),
                ("U.S.-based", 9),
                ("al-Gama'a", 15),
            ]
        );
        // Clitics stay apart; a connector with a space, a dash run or a
        // dangling hyphen joins nothing.
        assert_eq!(
            compounds("Medvedev’s aide didn't go - nor -- pre- war"),
            [
                ("Medvedev", 0),
                ("’", 1),
                ("s", 2),
                ("aide", 3),
                ("didn", 4),
                ("'", 5),
                ("t", 6),
                ("go", 7),
                ("-", 8),
                ("nor", 9),
                ("-", 10),
                ("-", 11),
                ("pre", 12),
                ("-", 13),
                ("war", 14),
            ]
        );
    }

    #[test]
    fn long_dotted_runs_stay_linear_and_whole() {
        let text = "a.".repeat(200_000);
        let out = join_compounds(&text, join_abbreviation_periods(&text, pieces(&text)));
        // Every byte is still covered by exactly one word, in order.
        let mut at = 0;
        for w in &out {
            assert_eq!(w.span.start, at);
            at = w.span.end;
        }
        assert_eq!(at, text.len());
    }
}
