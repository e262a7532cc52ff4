//! CoNLL NER evaluation: read a column file, label each sentence with a
//! model, score entity chunks by exact match (conlleval semantics).
//!
//! CoNLL-2003 files have one `TOKEN POS CHUNK NER` line per word, a blank
//! line between sentences and `-DOCSTART-` lines between documents; the NER
//! tags are IOB1 and are converted to IOB2 before scoring. Each sentence is
//! labelled on its own, as pre-split words
//! ([`TransformerRecognizer::predict_words`]), so the figures are comparable
//! with Hugging Face's `is_split_into_words` evaluation: a word's label is
//! its first sub-word's.
//!
//! ```
//! use saidwho::eval::conll::{parse_conll, score};
//! let sents = parse_conll("EU NNP B-NP I-ORG\nrejects VBZ B-VP O\n\n", "-").unwrap();
//! let gold: Vec<Vec<String>> = sents.iter().map(|s| s.gold_iob2()).collect();
//! let report = score(&gold, &gold).unwrap();
//! assert_eq!(report.overall.f1(), 100.0);
//! ```

use crate::error::{Error, Result};
use crate::ner::{chunks, parse_tag, TransformerRecognizer};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// One sentence of a column file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConllSentence {
    /// The words.
    pub words: Vec<String>,
    /// For each word, the columns after it (for CoNLL-2003: POS, chunk, NER).
    pub columns: Vec<Vec<String>>,
}

impl ConllSentence {
    /// The last column of each word (the NER tag in CoNLL-2003, the
    /// prediction in a `TOKEN GOLD PRED` file).
    pub fn last_column(&self) -> Vec<String> {
        self.column_from_end(0)
    }

    /// Column `k` counted from the end (`0` = last) of each word.
    pub fn column_from_end(&self, k: usize) -> Vec<String> {
        self.columns
            .iter()
            .map(|c| {
                c.len()
                    .checked_sub(k + 1)
                    .and_then(|i| c.get(i))
                    .cloned()
                    .unwrap_or_else(|| "O".into())
            })
            .collect()
    }

    /// The last column converted from IOB1 to IOB2 (a no-op on IOB2 tags).
    pub fn gold_iob2(&self) -> Vec<String> {
        iob1_to_iob2(&self.last_column())
    }
}

/// Parses a CoNLL column file; `source_name` names it in errors.
pub fn parse_conll(text: &str, source_name: &str) -> Result<Vec<ConllSentence>> {
    let mut out = Vec::new();
    let mut cur = ConllSentence {
        words: Vec::new(),
        columns: Vec::new(),
    };
    let flush = |cur: &mut ConllSentence, out: &mut Vec<ConllSentence>| {
        if !cur.words.is_empty() {
            out.push(std::mem::replace(
                cur,
                ConllSentence {
                    words: Vec::new(),
                    columns: Vec::new(),
                },
            ));
        }
    };
    for (n, line) in text.lines().enumerate() {
        let mut fields = line.split_whitespace();
        let Some(word) = fields.next() else {
            flush(&mut cur, &mut out);
            continue;
        };
        if word == "-DOCSTART-" {
            flush(&mut cur, &mut out);
            continue;
        }
        let cols: Vec<String> = fields.map(str::to_string).collect();
        let Some(tag) = cols.last() else {
            return Err(Error::Input {
                source_name: source_name.into(),
                line: n + 1,
                reason: format!("`{line}` has no tag column; expected `TOKEN ... TAG`"),
            });
        };
        if let Err(e) = parse_tag(tag) {
            return Err(Error::Input {
                source_name: source_name.into(),
                line: n + 1,
                reason: format!("{e}; expected an IOB tag in the last column"),
            });
        }
        cur.words.push(word.to_string());
        cur.columns.push(cols);
    }
    flush(&mut cur, &mut out);
    Ok(out)
}

/// Reads a CoNLL column file.
pub fn read_conll(path: &Path) -> Result<Vec<ConllSentence>> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_conll(&text, &path.display().to_string())
}

/// IOB1 → IOB2: an `I-X` that does not continue an `X` chunk becomes `B-X`.
pub fn iob1_to_iob2(tags: &[String]) -> Vec<String> {
    let mut prev_ty: Option<&str> = None;
    tags.iter()
        .map(|t| match parse_tag(t) {
            Ok(Some((prefix, ty))) => {
                let out = match prefix {
                    crate::ner::Prefix::Inside if prev_ty != Some(ty) => format!("B-{ty}"),
                    _ => t.clone(),
                };
                prev_ty = Some(ty);
                out
            }
            _ => {
                prev_ty = None;
                t.clone()
            }
        })
        .collect()
}

/// Chunk counts of one type (or overall).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Predicted chunks that match a gold chunk exactly.
    pub correct: usize,
    /// Predicted chunks.
    pub predicted: usize,
    /// Gold chunks.
    pub gold: usize,
}

impl Counts {
    /// Precision in percent.
    pub fn precision(&self) -> f64 {
        pct(self.correct, self.predicted)
    }
    /// Recall in percent.
    pub fn recall(&self) -> f64 {
        pct(self.correct, self.gold)
    }
    /// F1 in percent.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

/// Entity-level scores of a run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConllReport {
    /// Sentences scored.
    pub sentences: usize,
    /// Words scored.
    pub words: usize,
    /// Words whose predicted tag equals the gold tag.
    pub words_correct: usize,
    /// All types together.
    pub overall: Counts,
    /// Per entity type.
    pub per_type: BTreeMap<String, Counts>,
}

impl ConllReport {
    /// Word-level tag accuracy in percent.
    pub fn accuracy(&self) -> f64 {
        pct(self.words_correct, self.words)
    }
}

impl fmt::Display for ConllReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} sentences, {} words, {} gold and {} predicted entities; accuracy {:.2}%",
            self.sentences,
            self.words,
            self.overall.gold,
            self.overall.predicted,
            self.accuracy()
        )?;
        writeln!(
            f,
            "{:<8} {:>9} {:>9} {:>9} {:>7} {:>7} {:>7}",
            "type", "precision", "recall", "F1", "gold", "pred", "correct"
        )?;
        let row = |f: &mut fmt::Formatter<'_>, name: &str, c: &Counts| {
            writeln!(
                f,
                "{:<8} {:>9.2} {:>9.2} {:>9.2} {:>7} {:>7} {:>7}",
                name,
                c.precision(),
                c.recall(),
                c.f1(),
                c.gold,
                c.predicted,
                c.correct
            )
        };
        for (ty, c) in &self.per_type {
            row(f, ty, c)?;
        }
        row(f, "overall", &self.overall)
    }
}

/// Scores predicted tag sequences against gold ones, sentence by sentence
/// (chunks never cross sentences). Both must be IOB2/BIOES tags, with one
/// tag per word.
pub fn score(gold: &[Vec<String>], pred: &[Vec<String>]) -> Result<ConllReport> {
    if gold.len() != pred.len() {
        return Err(Error::Input {
            source_name: "evaluation".into(),
            line: 0,
            reason: format!("{} gold sentences but {} predicted", gold.len(), pred.len()),
        });
    }
    let mut r = ConllReport::default();
    for (i, (g, p)) in gold.iter().zip(pred).enumerate() {
        if g.len() != p.len() {
            return Err(Error::Input {
                source_name: "evaluation".into(),
                line: i + 1,
                reason: format!(
                    "sentence {} has {} gold tags but {} predicted",
                    i + 1,
                    g.len(),
                    p.len()
                ),
            });
        }
        r.sentences += 1;
        r.words += g.len();
        r.words_correct += g.iter().zip(p).filter(|(a, b)| a == b).count();
        let decode = |tags: &[String]| {
            chunks(tags.iter().map(|t| parse_tag(t).ok().flatten()))
                .into_iter()
                .map(|c| (c.start, c.end, c.ty.to_string()))
                .collect::<Vec<_>>()
        };
        let (gc, pc) = (decode(g), decode(p));
        for c in &gc {
            r.per_type.entry(c.2.clone()).or_default().gold += 1;
            r.overall.gold += 1;
        }
        for c in &pc {
            let hit = gc.contains(c);
            let t = r.per_type.entry(c.2.clone()).or_default();
            t.predicted += 1;
            r.overall.predicted += 1;
            if hit {
                t.correct += 1;
                r.overall.correct += 1;
            }
        }
    }
    Ok(r)
}

/// Labels `sentences` with `recognizer` (each sentence on its own) and
/// returns the predicted tag of every word, as the model names its labels.
pub fn predict(
    recognizer: &TransformerRecognizer,
    sentences: &[ConllSentence],
) -> Result<Vec<Vec<String>>> {
    let words: Vec<Vec<&str>> = sentences
        .iter()
        .map(|s| s.words.iter().map(String::as_str).collect())
        .collect();
    let names = recognizer.labels().names();
    Ok(recognizer
        .predict_words(&words)?
        .into_iter()
        .map(|s| {
            s.into_iter()
                .map(|w| names.get(w.class).cloned().unwrap_or_else(|| "O".into()))
                .collect()
        })
        .collect())
}

/// Evaluates `recognizer` on a CoNLL file (gold tags in the last column,
/// IOB1 or IOB2).
pub fn evaluate(recognizer: &TransformerRecognizer, path: &Path) -> Result<ConllReport> {
    let sentences = read_conll(path)?;
    let gold: Vec<Vec<String>> = sentences.iter().map(ConllSentence::gold_iob2).collect();
    let pred = predict(recognizer, &sentences)?;
    score(&gold, &pred)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn iob1_conversion() {
        assert_eq!(
            iob1_to_iob2(&v(&["I-PER", "I-PER", "B-PER", "O", "I-LOC", "I-ORG"])),
            v(&["B-PER", "I-PER", "B-PER", "O", "B-LOC", "B-ORG"])
        );
    }

    #[test]
    fn parses_docstart_and_blank_lines() {
        let text = "-DOCSTART- -X- -X- O\n\nEU NNP B-NP I-ORG\nrejects VBZ B-VP O\n\n\nPeter NNP B-NP I-PER\n";
        let s = parse_conll(text, "t").unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].words, ["EU", "rejects"]);
        assert_eq!(s[1].gold_iob2(), ["B-PER"]);
        assert!(matches!(
            parse_conll("EU\n", "t"),
            Err(Error::Input { line: 1, .. })
        ));
        assert!(parse_conll("EU NNP PERSON\n", "t").is_err());
    }

    #[test]
    fn conlleval_counts() {
        let gold = vec![v(&["B-PER", "I-PER", "O", "B-LOC"])];
        let pred = vec![v(&["B-PER", "O", "O", "B-LOC"])];
        let r = score(&gold, &pred).unwrap();
        assert_eq!(
            r.overall,
            Counts {
                correct: 1,
                predicted: 2,
                gold: 2
            }
        );
        assert_eq!(r.per_type["PER"].correct, 0);
        assert!((r.overall.f1() - 50.0).abs() < 1e-9);
        assert_eq!(r.words_correct, 3);
        assert!(r.to_string().contains("overall"));
        assert!(score(&gold, &[]).is_err());
    }
}
