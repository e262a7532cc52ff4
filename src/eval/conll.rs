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

use crate::document::{Document, Mention, MentionKind, Sentence, Span};
use crate::error::{Error, Result};
use crate::ner::{chunks, parse_tag, NerOptions, Recognizer, TransformerRecognizer};
use crate::pipeline::Pipeline;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

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
    Ok(parse_conll_documents(text, source_name)?
        .into_iter()
        .flatten()
        .collect())
}

/// Parses a CoNLL column file into documents: the sentences between two
/// `-DOCSTART-` lines (a file without them is one document; empty
/// documents are dropped). `source_name` names the file in errors.
///
/// ```
/// use saidwho::eval::conll::parse_conll_documents;
/// let text = "-DOCSTART- -X- O O\n\nEU NNP B-NP I-ORG\n\nPeter NNP B-NP I-PER\n\n\
///             -DOCSTART- -X- O O\n\nBonn NNP B-NP I-LOC\n";
/// let docs = parse_conll_documents(text, "-").unwrap();
/// assert_eq!(docs.len(), 2);
/// assert_eq!(docs[0].len(), 2);
/// assert_eq!(docs[1][0].words, ["Bonn"]);
/// ```
pub fn parse_conll_documents(text: &str, source_name: &str) -> Result<Vec<Vec<ConllSentence>>> {
    let mut docs: Vec<Vec<ConllSentence>> = Vec::new();
    let mut doc: Vec<ConllSentence> = Vec::new();
    let mut cur = ConllSentence {
        words: Vec::new(),
        columns: Vec::new(),
    };
    let flush = |cur: &mut ConllSentence, doc: &mut Vec<ConllSentence>| {
        if !cur.words.is_empty() {
            doc.push(std::mem::replace(
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
            flush(&mut cur, &mut doc);
            continue;
        };
        if word == "-DOCSTART-" {
            flush(&mut cur, &mut doc);
            if !doc.is_empty() {
                docs.push(std::mem::take(&mut doc));
            }
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
    flush(&mut cur, &mut doc);
    if !doc.is_empty() {
        docs.push(doc);
    }
    Ok(docs)
}

/// Reads a CoNLL column file as documents (see [`parse_conll_documents`]).
pub fn read_conll_documents(path: &Path) -> Result<Vec<Vec<ConllSentence>>> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_conll_documents(&text, &path.display().to_string())
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
    evaluate_sentences(recognizer, &read_conll(path)?)
}

/// Labels each of `sentences` on its own, as pre-split words (see
/// [`predict`]), and scores the tags against their gold.
pub fn evaluate_sentences(
    recognizer: &TransformerRecognizer,
    sentences: &[ConllSentence],
) -> Result<ConllReport> {
    let gold: Vec<Vec<String>> = sentences.iter().map(ConllSentence::gold_iob2).collect();
    let pred = predict(recognizer, sentences)?;
    score(&gold, &pred)
}

/// A CoNLL document laid out as a user would pass it: each sentence's words
/// joined by single spaces, sentences separated by a blank line.
///
/// ```
/// use saidwho::eval::conll::{parse_conll, DocumentText};
/// use saidwho::{Label, Mention, MentionKind, Span};
/// let sents = parse_conll("EU NNP B-NP I-ORG\nrejects VBZ B-VP O\n\nPeter NNP B-NP I-PER\n", "-").unwrap();
/// let doc = DocumentText::new(&sents);
/// assert_eq!(doc.text, "EU rejects\n\nPeter");
/// let peter = Mention { span: Span::new(12, 17), label: Label::Per, score: Some(0.9), kind: MentionKind::Name };
/// assert_eq!(doc.tags(&[peter]), [vec!["O", "O"], vec!["B-PER"]]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentText {
    /// The text.
    pub text: String,
    /// For each sentence, the byte span of each of its words in `text`.
    pub words: Vec<Vec<Span>>,
}

impl DocumentText {
    /// Lays out `sentences` (one document) as text.
    pub fn new(sentences: &[ConllSentence]) -> Self {
        let mut text = String::new();
        let mut words = Vec::with_capacity(sentences.len());
        for (i, s) in sentences.iter().enumerate() {
            if i > 0 {
                text.push_str("\n\n");
            }
            let mut spans = Vec::with_capacity(s.words.len());
            for (j, w) in s.words.iter().enumerate() {
                if j > 0 {
                    text.push(' ');
                }
                spans.push(Span::new(text.len(), text.len() + w.len()));
                text.push_str(w);
            }
            words.push(spans);
        }
        DocumentText { text, words }
    }

    /// The span of each sentence in `text` (the gold sentence split).
    pub fn sentence_spans(&self) -> Vec<Sentence> {
        self.words
            .iter()
            .filter_map(|w| {
                Some(Sentence {
                    span: Span::new(w.first()?.start, w.last()?.end),
                })
            })
            .collect()
    }

    /// The IOB2 tag of every word, per sentence, from name `mentions` of
    /// `text` (sorted by start, non-overlapping, as a [`Document`] holds
    /// them). A word takes the label of the mention that holds its first
    /// character — as a word-level model labels a word by its first
    /// sub-word — and begins a chunk unless the word before it took the same
    /// mention. A mention that begins inside a word is lost, as is the part
    /// of a chunk past a sentence end.
    pub fn tags(&self, mentions: &[Mention]) -> Vec<Vec<String>> {
        let mut at = 0;
        let mut prev: Option<usize> = None;
        self.words
            .iter()
            .map(|sentence| {
                sentence
                    .iter()
                    .map(|w| {
                        while at < mentions.len() && mentions[at].span.end <= w.start {
                            at += 1;
                        }
                        let hit = mentions
                            .get(at)
                            .filter(|m| m.span.start <= w.start && w.start < m.span.end);
                        let tag = match hit {
                            Some(m) if prev == Some(at) => format!("I-{}", m.label.as_str()),
                            Some(m) => format!("B-{}", m.label.as_str()),
                            None => "O".to_string(),
                        };
                        prev = hit.map(|_| at);
                        tag
                    })
                    .collect()
            })
            .collect()
    }
}

/// The name mentions of `doc` (those the NER model found, after the entity
/// stage), sorted by start.
pub fn name_mentions(doc: &Document) -> Vec<Mention> {
    let mut out: Vec<Mention> = doc
        .entities
        .iter()
        .flat_map(|e| &e.mentions)
        .filter(|m| m.kind == MentionKind::Name)
        .cloned()
        .collect();
    out.sort_by_key(|m| (m.span.start, m.span.end));
    out
}

/// Documents per [`Pipeline::analyze_batch`] call in [`evaluate_documents`].
const DOCUMENTS_PER_BATCH: usize = 32;

/// Scores mentions found in whole documents: each of `docs` is laid out as
/// a [`DocumentText`], `find` returns the name mentions of a batch of such
/// documents (one list per document, sorted by start), and the words' tags are
/// scored against the gold as [`score`] does.
pub fn evaluate_documents_with<F>(docs: &[Vec<ConllSentence>], mut find: F) -> Result<ConllReport>
where
    F: FnMut(&[DocumentText]) -> Result<Vec<Vec<Mention>>>,
{
    let mut gold = Vec::new();
    let mut pred = Vec::new();
    for chunk in docs.chunks(DOCUMENTS_PER_BATCH) {
        let laid: Vec<DocumentText> = chunk.iter().map(|d| DocumentText::new(d)).collect();
        let found = find(&laid)?;
        if found.len() != laid.len() {
            return Err(Error::Backend(format!(
                "{} mention lists for {} documents",
                found.len(),
                laid.len()
            )));
        }
        for ((doc, layout), mentions) in chunk.iter().zip(&laid).zip(&found) {
            gold.extend(doc.iter().map(ConllSentence::gold_iob2));
            pred.extend(layout.tags(mentions));
        }
    }
    score(&gold, &pred)
}

/// Document mode: each of `docs` goes through the whole `pipeline` as text
/// (laid out as [`DocumentText`] says), and the [`Document`]'s name mentions
/// are scored against the gold — how a user who passes articles sees the
/// model, where [`evaluate`] labels each sentence on its own.
pub fn evaluate_documents(pipeline: &Pipeline, docs: &[Vec<ConllSentence>]) -> Result<ConllReport> {
    evaluate_documents_with(docs, |laid| {
        let texts: Vec<&str> = laid.iter().map(|d| d.text.as_str()).collect();
        pipeline
            .analyze_batch(&texts)
            .into_iter()
            .map(|doc| doc.map(|d| name_mentions(&d)))
            .collect()
    })
}

/// One setting of [`breakdown`] and its scores.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakdownRow {
    /// What was run.
    pub setting: &'static str,
    /// Its scores.
    pub report: ConllReport,
}

/// What [`breakdown`] measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Breakdown {
    /// The settings, each changing one thing from the row before.
    pub rows: Vec<BreakdownRow>,
    /// Sentences longer than one model window, which are cut into
    /// overlapping windows and merged (the stride merges).
    pub long_sentences: usize,
}

/// Where a model's points go between labelling gold sentences one at a time
/// and labelling whole documents through the pipeline: the CoNLL file at
/// `path` scored under settings that each change one thing from the row
/// before (see `docs/ner-accuracy.md`). `options` are the model's settings;
/// each row sets [`NerOptions::pack_sentences`] itself. Loads the model
/// twice.
pub fn breakdown(model: &str, options: &NerOptions, path: &Path) -> Result<Breakdown> {
    let docs = read_conll_documents(path)?;
    let flat: Vec<ConllSentence> = docs.iter().flatten().cloned().collect();
    let single = Arc::new(TransformerRecognizer::from_model(
        model,
        &options.clone().with_pack_sentences(false),
    )?);
    let packed = Arc::new(TransformerRecognizer::from_model(
        model,
        &options.clone().with_pack_sentences(true),
    )?);
    let splitter = Pipeline::without_ner();
    // The recogniser's own mentions (no entity stage), with the gold
    // sentence split or the pipeline's.
    let raw = |r: &dyn Recognizer, laid: &[DocumentText], gold: bool| {
        let sentences: Vec<Vec<Sentence>> = laid
            .iter()
            .map(|d| {
                if gold {
                    Ok(d.sentence_spans())
                } else {
                    splitter.sentences(&d.text)
                }
            })
            .collect::<Result<_>>()?;
        let inputs: Vec<(&str, &[Sentence])> = laid
            .iter()
            .zip(&sentences)
            .map(|(d, s)| (d.text.as_str(), s.as_slice()))
            .collect();
        r.recognize_batch(&inputs)
    };
    let one_per_doc: Vec<Vec<ConllSentence>> = flat.iter().map(|s| vec![s.clone()]).collect();
    let mut long_sentences = 0;
    for s in &flat {
        if single.token_count(&s.words.join(" "))? > single.window_capacity() {
            long_sentences += 1;
        }
    }
    let row = |setting, report| BreakdownRow { setting, report };
    let rows = vec![
        row(
            "sentences as pre-split words (eval-conll per sentence)",
            evaluate_sentences(&single, &flat)?,
        ),
        row(
            "each sentence a document of its own, whole pipeline",
            evaluate_documents(
                &Pipeline::without_ner().with_recognizer(single.clone()),
                &one_per_doc,
            )?,
        ),
        row(
            "documents as text, gold sentences, one per window, model's mentions",
            evaluate_documents_with(&docs, |laid| raw(&*single, laid, true))?,
        ),
        row(
            "  + the pipeline's sentence split",
            evaluate_documents_with(&docs, |laid| raw(&*single, laid, false))?,
        ),
        row(
            "  + sentences packed into 256-token windows",
            evaluate_documents_with(&docs, |laid| raw(&*packed, laid, false))?,
        ),
        row(
            "  + the entity stage (whole pipeline, packed windows: before)",
            evaluate_documents(
                &Pipeline::without_ner().with_recognizer(packed.clone()),
                &docs,
            )?,
        ),
        row(
            "whole pipeline, one sentence per window (after)",
            evaluate_documents(
                &Pipeline::without_ner().with_recognizer(single.clone()),
                &docs,
            )?,
        ),
    ];
    Ok(Breakdown {
        rows,
        long_sentences,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Label;

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
    fn documents_keep_their_sentences_and_words() {
        let text = "-DOCSTART- -X- O O\n\nEU NNP B-NP I-ORG\n\n-DOCSTART- -X- O O\n\n\
                    U.S.-based JJ B-NP I-MISC\nKing NNP I-NP I-PER\n\nJo NNP B-NP I-PER\n";
        let docs = parse_conll_documents(text, "t").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(parse_conll(text, "t").unwrap().len(), 3);
        let doc = DocumentText::new(&docs[1]);
        assert_eq!(doc.text, "U.S.-based King\n\nJo");
        assert_eq!(
            doc.sentence_spans()
                .iter()
                .map(|s| s.span.text(&doc.text))
                .collect::<Vec<_>>(),
            ["U.S.-based King", "Jo"]
        );
    }

    #[test]
    fn mentions_map_to_words_by_their_first_character() {
        let sents = parse_conll(
            "U.S.-based JJ B-NP I-MISC\nKing NNP I-NP I-PER\nsaid VBD B-VP O\n\n\
             Jo NNP B-NP I-PER\nLee NNP I-NP I-PER\n",
            "t",
        )
        .unwrap();
        let doc = DocumentText::new(&sents);
        let m = |start, end, label| Mention {
            span: Span::new(start, end),
            label,
            score: Some(1.0),
            kind: MentionKind::Name,
        };
        // `U.S.` (holds the first character of the word `U.S.-based`),
        // `-based King` (begins inside a word: only `King` takes it), and
        // `said⏎⏎Jo` across the blank line.
        assert_eq!(doc.text, "U.S.-based King said\n\nJo Lee");
        let mentions = [
            m(0, 4, Label::Loc),
            m(4, 15, Label::Per),
            m(16, 24, Label::Per),
        ];
        assert_eq!(
            doc.tags(&mentions),
            [vec!["B-LOC", "B-PER", "B-PER"], vec!["I-PER", "O"]]
        );
        // Scored per sentence: the chunk cut at the sentence end counts as
        // one in each sentence; only `King` matches the gold.
        let gold: Vec<Vec<String>> = sents.iter().map(ConllSentence::gold_iob2).collect();
        let r = score(&gold, &doc.tags(&mentions)).unwrap();
        assert_eq!((r.overall.correct, r.overall.predicted), (1, 4));
        assert!(doc.tags(&[]).iter().flatten().all(|t| t == "O"));
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
