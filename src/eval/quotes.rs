//! Quote attribution scores on PolNeAR-format gold (JSON lines).
//!
//! Why these measures: PolNeAR annotates contents generously (whole clauses,
//! quote marks included) and its boundaries are hard to hit exactly, so a
//! predicted quote is matched to the gold quote whose content it overlaps
//! most — one-to-one, greedily by overlap — and scored at *any overlap* and at
//! *Jaccard ≥ 0.5*. On matched quotes the speaker is right when the predicted
//! speaker span, or any mention of its entity, overlaps the gold source (a
//! quote with no gold source is right only with no predicted speaker).
//! End-to-end counts quotes both matched and rightly attributed. Direct-quote
//! recall is the recall of gold quotes whose content contains double quote
//! marks.
//!
//! Gold offsets are Unicode code points; they are converted to byte spans
//! once per document so that they compare with [`Span`]s directly.

use crate::document::{Document, Origin, Quote, QuoteKind, Span};
use crate::error::{Error, Result};
use crate::pipeline::Pipeline;
use crate::quotes::Role;
use serde::Deserialize;
use std::fmt;
use std::path::Path;

/// One gold attribution, in byte spans.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GoldQuote {
    /// Who (may be empty: no stated source).
    pub source: Vec<Span>,
    /// The cue words.
    pub cue: Vec<Span>,
    /// The attributed content.
    pub content: Vec<Span>,
}

/// One gold article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldDoc {
    /// Document id.
    pub doc: String,
    /// The article text.
    pub text: String,
    /// Its attributions.
    pub quotes: Vec<GoldQuote>,
}

#[derive(Deserialize)]
struct RawDoc {
    #[serde(default)]
    doc: String,
    text: String,
    #[serde(default)]
    quotes: Vec<RawQuote>,
}

#[derive(Deserialize)]
struct RawQuote {
    #[serde(default)]
    source: Vec<(usize, usize, serde_json::Value)>,
    #[serde(default)]
    cue: Vec<(usize, usize, serde_json::Value)>,
    #[serde(default)]
    content: Vec<(usize, usize, serde_json::Value)>,
}

/// Parses one PolNeAR JSON line, converting code-point offsets to bytes
/// (offsets past the end are clamped).
///
/// ```
/// use saidwho::eval::quotes::parse_line;
/// let g = parse_line(r#"{"doc":"d","text":"«Да» he said","quotes":[{"source":[[5,7,"he"]],"cue":[[8,12,"said"]],"content":[[0,4,"«Да»"]]}]}"#).unwrap();
/// assert_eq!(g.quotes[0].content[0].text(&g.text), "«Да»");
/// assert_eq!(g.quotes[0].source[0].text(&g.text), "he");
/// ```
pub fn parse_line(line: &str) -> Result<GoldDoc> {
    let raw: RawDoc = serde_json::from_str(line).map_err(|e| Error::Input {
        source_name: "-".into(),
        line: 1,
        reason: format!("not a PolNeAR record: {e}"),
    })?;
    let offs: Vec<usize> = raw
        .text
        .char_indices()
        .map(|(b, _)| b)
        .chain([raw.text.len()])
        .collect();
    let conv = |v: &[(usize, usize, serde_json::Value)]| -> Vec<Span> {
        v.iter()
            .map(|&(s, e, _)| {
                let s = offs[s.min(offs.len() - 1)];
                let e = offs[e.min(offs.len() - 1)];
                Span::new(s, e)
            })
            .filter(|s| !s.is_empty())
            .collect()
    };
    let quotes = raw
        .quotes
        .iter()
        .map(|q| GoldQuote {
            source: conv(&q.source),
            cue: conv(&q.cue),
            content: conv(&q.content),
        })
        .filter(|q| !q.content.is_empty())
        .collect();
    Ok(GoldDoc {
        doc: raw.doc,
        text: raw.text,
        quotes,
    })
}

/// Reads a whole JSONL file of gold articles.
pub fn load_jsonl(path: impl AsRef<Path>) -> Result<Vec<GoldDoc>> {
    let path = path.as_ref();
    let data = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    data.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            parse_line(l).map_err(|e| match e {
                Error::Input { reason, .. } => Error::Input {
                    source_name: path.display().to_string(),
                    line: i + 1,
                    reason,
                },
                e => e,
            })
        })
        .collect()
}

/// Counts and scores of one evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct QuoteReport {
    /// Articles scored.
    pub docs: usize,
    /// Gold quotes.
    pub gold: usize,
    /// Predicted quotes.
    pub predicted: usize,
    /// Matched pairs (any overlap).
    pub matched: usize,
    /// Matched pairs with content Jaccard ≥ 0.5.
    pub matched_jaccard: usize,
    /// Matched pairs whose speaker is right.
    pub speaker_right: usize,
    /// Gold quotes containing quote marks.
    pub gold_direct: usize,
    /// Of those, matched.
    pub direct_found: usize,
    /// Exact-match span counts per role, in the order of [`Role::ALL`]
    /// (source, cue, content; see [`span_scores`](QuoteReport::span_scores)).
    pub spans: [SpanCounts; 3],
    /// Predicted quotes per origin (rules, model, both; [`Origin::ALL`]).
    pub predicted_by_origin: [usize; 3],
    /// Matched quotes per origin.
    pub matched_by_origin: [usize; 3],
    /// Matched quotes with the right speaker, per origin.
    pub speaker_right_by_origin: [usize; 3],
    /// Predicted quotes per kind (direct, indirect, mixed).
    pub predicted_by_kind: [usize; 3],
    /// Matched quotes per kind.
    pub matched_by_kind: [usize; 3],
}

/// The kinds in the order of [`QuoteReport::predicted_by_kind`].
pub const KINDS: [QuoteKind; 3] = [QuoteKind::Direct, QuoteKind::Indirect, QuoteKind::Mixed];

/// Exact-match counts of one role's spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SpanCounts {
    /// Predicted spans equal to a gold span.
    pub hit: usize,
    /// Distinct predicted spans.
    pub predicted: usize,
    /// Distinct gold spans.
    pub gold: usize,
}

impl SpanCounts {
    /// Precision, recall, F1 (percent).
    pub fn prf(&self) -> (f64, f64, f64) {
        prf(self.hit, self.predicted, self.gold)
    }
}

fn prf(hit: usize, pred: usize, gold: usize) -> (f64, f64, f64) {
    let p = if pred == 0 {
        0.0
    } else {
        hit as f64 / pred as f64
    };
    let r = if gold == 0 {
        0.0
    } else {
        hit as f64 / gold as f64
    };
    let f = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    (100.0 * p, 100.0 * r, 100.0 * f)
}

impl QuoteReport {
    /// Precision, recall, F1 (percent) at any overlap.
    pub fn any_overlap(&self) -> (f64, f64, f64) {
        prf(self.matched, self.predicted, self.gold)
    }
    /// Precision, recall, F1 (percent) at Jaccard ≥ 0.5.
    pub fn jaccard(&self) -> (f64, f64, f64) {
        prf(self.matched_jaccard, self.predicted, self.gold)
    }
    /// Speaker accuracy (percent) on matched quotes.
    pub fn speaker_accuracy(&self) -> f64 {
        if self.matched == 0 {
            0.0
        } else {
            100.0 * self.speaker_right as f64 / self.matched as f64
        }
    }
    /// Precision, recall, F1 (percent) of quotes matched *and* rightly
    /// attributed.
    pub fn end_to_end(&self) -> (f64, f64, f64) {
        prf(self.speaker_right, self.predicted, self.gold)
    }
    /// Recall (percent) of gold quotes that contain quote marks.
    pub fn direct_recall(&self) -> f64 {
        if self.gold_direct == 0 {
            0.0
        } else {
            100.0 * self.direct_found as f64 / self.gold_direct as f64
        }
    }
    /// Adds another report's counts.
    pub fn add(&mut self, o: &QuoteReport) {
        self.docs += o.docs;
        self.gold += o.gold;
        self.predicted += o.predicted;
        self.matched += o.matched;
        self.matched_jaccard += o.matched_jaccard;
        self.speaker_right += o.speaker_right;
        self.gold_direct += o.gold_direct;
        self.direct_found += o.direct_found;
        for (a, b) in self.spans.iter_mut().zip(&o.spans) {
            a.hit += b.hit;
            a.predicted += b.predicted;
            a.gold += b.gold;
        }
        for i in 0..3 {
            self.predicted_by_origin[i] += o.predicted_by_origin[i];
            self.matched_by_origin[i] += o.matched_by_origin[i];
            self.speaker_right_by_origin[i] += o.speaker_right_by_origin[i];
            self.predicted_by_kind[i] += o.predicted_by_kind[i];
            self.matched_by_kind[i] += o.matched_by_kind[i];
        }
    }

    /// Exact-match precision, recall, F1 (percent) of each role's spans —
    /// source, cue, content ([`Role::ALL`]) — as CofeNet (COLING 2022)
    /// scores PolNeAR: every distinct span of a role in an article, matched
    /// exactly (white space trimmed) against the distinct gold spans of that
    /// role. saidwho's spans are mapped to PolNeAR's conventions first: a
    /// content takes back the quote marks around it and a "that" before it;
    /// a source is the speaker span as given; a cue as given.
    pub fn span_scores(&self) -> [(f64, f64, f64); 3] {
        self.spans.map(|c| c.prf())
    }
}

impl fmt::Display for QuoteReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (p, r, f1) = self.any_overlap();
        let (jp, jr, jf) = self.jaccard();
        let (ep, er, ef) = self.end_to_end();
        writeln!(
            f,
            "docs {}  gold {}  predicted {}  matched {}",
            self.docs, self.gold, self.predicted, self.matched
        )?;
        writeln!(f, "any overlap    P {p:5.1}  R {r:5.1}  F1 {f1:5.1}")?;
        writeln!(f, "jaccard>=0.5   P {jp:5.1}  R {jr:5.1}  F1 {jf:5.1}")?;
        writeln!(
            f,
            "speaker acc    {:5.1} % ({}/{})",
            self.speaker_accuracy(),
            self.speaker_right,
            self.matched
        )?;
        writeln!(f, "end-to-end     P {ep:5.1}  R {er:5.1}  F1 {ef:5.1}")?;
        writeln!(
            f,
            "direct recall  {:5.1} % ({}/{})",
            self.direct_recall(),
            self.direct_found,
            self.gold_direct
        )?;
        for (role, c) in Role::ALL.map(Role::name).iter().zip(&self.spans) {
            let (p, r, f1) = c.prf();
            writeln!(
                f,
                "exact {role:<8} P {p:5.1}  R {r:5.1}  F1 {f1:5.1}  ({} of {} predicted, {} gold)",
                c.hit, c.predicted, c.gold
            )?;
        }
        let by_origin: Vec<String> = Origin::ALL
            .iter()
            .enumerate()
            .map(|(i, o)| {
                format!(
                    "{} {} ({} matched, {} speaker right)",
                    o.name(),
                    self.predicted_by_origin[i],
                    self.matched_by_origin[i],
                    self.speaker_right_by_origin[i]
                )
            })
            .collect();
        writeln!(f, "by origin      {}", by_origin.join("; "))?;
        let by_kind: Vec<String> = KINDS
            .iter()
            .enumerate()
            .map(|(i, k)| {
                let name = match k {
                    QuoteKind::Direct => "direct",
                    QuoteKind::Indirect => "indirect",
                    QuoteKind::Mixed => "mixed",
                };
                format!(
                    "{name} {} ({} matched)",
                    self.predicted_by_kind[i], self.matched_by_kind[i]
                )
            })
            .collect();
        write!(f, "by kind        {}", by_kind.join("; "))
    }
}

/// The distinct spans of each role saidwho predicted, in PolNeAR's
/// conventions (see [`QuoteReport::span_scores`]).
fn predicted_spans(text: &str, doc: &Document) -> [std::collections::BTreeSet<(usize, usize)>; 3] {
    let mut out: [std::collections::BTreeSet<(usize, usize)>; 3] = Default::default();
    let is_mark = |c: char| matches!(c, '"' | '“' | '”' | '«' | '»' | '„' | '\'' | '‘' | '’');
    for q in &doc.quotes {
        if let Some(s) = &q.speaker {
            out[0].insert(trimmed(text, s.span));
        }
        if let Some(c) = q.cue {
            out[1].insert(trimmed(text, c));
        }
        for c in &q.content {
            let (mut a, mut b) = (c.start, c.end);
            // Quote marks (and white space inside them) around the content.
            let before = text.get(..a).unwrap_or("");
            let lead = before.trim_end_matches(char::is_whitespace);
            if lead.ends_with(is_mark) {
                a = lead.len() - lead.chars().next_back().map_or(0, char::len_utf8);
            }
            let after = text.get(b..).unwrap_or("");
            let trail = after.trim_start_matches([',', '.', '?', '!']);
            let punct = after.len() - trail.len();
            if trail.starts_with(is_mark) && punct <= 1 {
                b += punct + trail.chars().next().map_or(0, char::len_utf8);
            }
            // A "that" opening the reported clause.
            let before = text.get(..a).unwrap_or("");
            let lead = before.trim_end_matches(char::is_whitespace);
            if lead.len() < before.len()
                && lead.ends_with("that")
                && !lead[..lead.len() - 4].ends_with(char::is_alphanumeric)
            {
                a = lead.len() - 4;
            }
            out[2].insert(trimmed(text, Span::new(a, b)));
        }
    }
    out
}

fn trimmed(text: &str, s: Span) -> (usize, usize) {
    let t = s.text(text);
    let lead = t.len() - t.trim_start().len();
    (s.start + lead, s.start + lead + t.trim().len())
}

/// The distinct gold spans of each role.
fn gold_spans(gold: &GoldDoc) -> [std::collections::BTreeSet<(usize, usize)>; 3] {
    let mut out: [std::collections::BTreeSet<(usize, usize)>; 3] = Default::default();
    for q in &gold.quotes {
        for (i, spans) in [&q.source, &q.cue, &q.content].into_iter().enumerate() {
            for &s in spans {
                let t = trimmed(&gold.text, s);
                if t.0 < t.1 {
                    out[i].insert(t);
                }
            }
        }
    }
    out
}

fn overlap(a: &[Span], b: &[Span]) -> usize {
    a.iter()
        .map(|x| b.iter().map(|y| x.overlap(*y)).sum::<usize>())
        .sum()
}

fn total(a: &[Span]) -> usize {
    a.iter().map(Span::len).sum()
}

/// One-to-one matching of predicted to gold quotes, greedily by content
/// overlap: `(overlap in bytes, predicted index, gold index)`.
fn match_quotes(gold: &GoldDoc, doc: &Document) -> Vec<(usize, usize, usize)> {
    // Candidate pairs (overlap, pred, gold). Quotes are few per article, and
    // pairs are filtered by overlap, so the quadratic pairing is cheap.
    let mut pairs = Vec::new();
    for (pi, p) in doc.quotes.iter().enumerate() {
        for (gi, g) in gold.quotes.iter().enumerate() {
            let o = overlap(&p.content, &g.content);
            if o > 0 {
                pairs.push((o, pi, gi));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut pred_used = vec![false; doc.quotes.len()];
    let mut gold_used = vec![false; gold.quotes.len()];
    pairs.retain(|&(_, pi, gi)| {
        let free = !pred_used[pi] && !gold_used[gi];
        if free {
            pred_used[pi] = true;
            gold_used[gi] = true;
        }
        free
    });
    pairs
}

/// The predicted speaker span, or any mention of its entity, overlaps the
/// gold source (or both say there is none).
fn speaker_is_right(g: &GoldQuote, p: &Quote, doc: &Document) -> bool {
    match &p.speaker {
        None => g.source.is_empty(),
        Some(s) => {
            !g.source.is_empty()
                && (g.source.iter().any(|x| x.overlaps(s.span))
                    || s.entity.and_then(|id| doc.entity(id)).is_some_and(|e| {
                        e.mentions
                            .iter()
                            .any(|m| g.source.iter().any(|x| x.overlaps(m.span)))
                    }))
        }
    }
}

/// A gold quote saidwho missed or attributed wrongly, for error analysis
/// (`saidwho eval-quotes --errors FILE` writes one JSON line each).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QuoteError {
    /// The article.
    pub doc: String,
    /// `"missed"` (no predicted quote overlaps it) or `"speaker"`.
    pub kind: &'static str,
    /// Whether the gold content holds quote marks.
    pub direct: bool,
    /// Gold content, its spans joined by " … ".
    pub content: String,
    /// Gold cue.
    pub cue: String,
    /// Gold source.
    pub source: String,
    /// Predicted speaker span (speaker errors).
    pub predicted: Option<String>,
    /// Canonical name of the predicted speaker's entity.
    pub predicted_entity: Option<String>,
    /// Predicted cue.
    pub predicted_cue: Option<String>,
    /// Canonical name of the entity with a mention overlapping the gold
    /// source, if any: tells a wrong link from a source no entity covers.
    pub source_entity: Option<String>,
    /// The text around the gold content, source and predicted speaker (up to
    /// 200 bytes before and 60 after), for reading the error in place.
    pub context: String,
}

/// The gold quotes of one article that were missed or got a wrong speaker.
pub fn quote_errors(gold: &GoldDoc, doc: &Document) -> Vec<QuoteError> {
    let text = gold.text.as_str();
    let join = |spans: &[Span]| -> String {
        spans
            .iter()
            .filter_map(|s| text.get(s.start..s.end))
            .collect::<Vec<_>>()
            .join(" … ")
    };
    let pairs = match_quotes(gold, doc);
    let mut out = Vec::new();
    for (gi, g) in gold.quotes.iter().enumerate() {
        let mut e = QuoteError {
            doc: gold.doc.clone(),
            kind: "missed",
            direct: join(&g.content).contains(['"', '“', '”', '«', '»']),
            content: join(&g.content),
            cue: join(&g.cue),
            source: join(&g.source),
            predicted: None,
            predicted_entity: None,
            predicted_cue: None,
            source_entity: doc
                .entities
                .iter()
                .find(|en| {
                    en.mentions
                        .iter()
                        .any(|m| g.source.iter().any(|s| s.overlaps(m.span)))
                })
                .map(|en| en.name.clone()),
            context: String::new(),
        };
        let mut around: Vec<Span> = g.content.iter().chain(&g.source).copied().collect();
        match pairs.iter().find(|&&(_, _, i)| i == gi) {
            None => {
                e.context = context(text, &around);
                out.push(e)
            }
            Some(&(_, pi, _)) => {
                let p = &doc.quotes[pi];
                if speaker_is_right(g, p, doc) {
                    continue;
                }
                around.extend(p.speaker.as_ref().map(|s| s.span));
                e.context = context(text, &around);
                e.kind = "speaker";
                e.predicted = p.speaker.as_ref().map(|s| join(&[s.span]));
                e.predicted_entity = p
                    .speaker
                    .as_ref()
                    .and_then(|s| s.entity)
                    .and_then(|id| doc.entity(id))
                    .map(|en| en.name.clone());
                e.predicted_cue = p.cue.map(|c| join(&[c]));
                out.push(e);
            }
        }
    }
    out
}

/// The text from 200 bytes before the first of `spans` to 60 after the last,
/// widened to char boundaries, newlines shown as `¶`.
fn context(text: &str, spans: &[Span]) -> String {
    let (Some(lo), Some(hi)) = (
        spans.iter().map(|s| s.start).min(),
        spans.iter().map(|s| s.end).max(),
    ) else {
        return String::new();
    };
    let a = crate::text::floor_char_boundary(text, lo.saturating_sub(200));
    let b = crate::text::ceil_char_boundary(text, hi + 60);
    text[a..b].replace('\n', " ¶ ")
}

/// Scores one predicted document against its gold.
pub fn score_document(gold: &GoldDoc, doc: &Document) -> QuoteReport {
    let text = &gold.text;
    let mut rep = QuoteReport {
        docs: 1,
        gold: gold.quotes.len(),
        predicted: doc.quotes.len(),
        ..Default::default()
    };
    let origin = |q: &Quote| Origin::ALL.iter().position(|&o| o == q.origin).unwrap_or(0);
    let kind = |q: &Quote| KINDS.iter().position(|&k| k == q.kind).unwrap_or(0);
    for q in &doc.quotes {
        rep.predicted_by_origin[origin(q)] += 1;
        rep.predicted_by_kind[kind(q)] += 1;
    }
    let (pred, want) = (predicted_spans(text, doc), gold_spans(gold));
    for i in 0..3 {
        rep.spans[i] = SpanCounts {
            hit: pred[i].intersection(&want[i]).count(),
            predicted: pred[i].len(),
            gold: want[i].len(),
        };
    }
    let pairs = match_quotes(gold, doc);
    let mut gold_used = vec![false; gold.quotes.len()];
    for &(o, pi, gi) in &pairs {
        gold_used[gi] = true;
        rep.matched += 1;
        let p = &doc.quotes[pi];
        let g = &gold.quotes[gi];
        rep.matched_by_origin[origin(p)] += 1;
        rep.matched_by_kind[kind(p)] += 1;
        if speaker_is_right(g, p, doc) {
            rep.speaker_right_by_origin[origin(p)] += 1;
        }
        let union =
            total(&p.content) + total(&g.content) - o.min(total(&p.content) + total(&g.content));
        if union > 0 && o as f64 / union as f64 >= 0.5 {
            rep.matched_jaccard += 1;
        }
        if speaker_is_right(g, p, doc) {
            rep.speaker_right += 1;
        }
    }
    for (gi, g) in gold.quotes.iter().enumerate() {
        let direct = g
            .content
            .iter()
            .any(|s| s.text(text).contains(['"', '“', '”', '«', '»']));
        if direct {
            rep.gold_direct += 1;
            if gold_used[gi] {
                rep.direct_found += 1;
            }
        }
    }
    rep
}

/// Runs `analyze` on every gold article and scores the results.
pub fn evaluate(
    docs: &[GoldDoc],
    mut analyze: impl FnMut(&str) -> Result<Document>,
) -> Result<QuoteReport> {
    let mut rep = QuoteReport::default();
    for g in docs {
        let doc = analyze(&g.text)?;
        rep.add(&score_document(g, &doc));
    }
    Ok(rep)
}

/// [`evaluate`] with `threads` workers sharing `pipeline`; the report is
/// the same as with one thread. `inspect` sees each gold article with its
/// predicted document, in file order (for [`quote_errors`]).
pub fn evaluate_parallel(
    docs: &[GoldDoc],
    pipeline: &Pipeline,
    threads: usize,
    mut inspect: impl FnMut(&GoldDoc, &Document),
) -> Result<QuoteReport> {
    let mut rep = QuoteReport::default();
    let mut failed = None;
    crate::corpus::map_ordered(
        docs.iter(),
        threads,
        |g| pipeline.analyze(&g.text).map(|doc| (g, doc)),
        |_, analyzed| match analyzed {
            Ok((g, doc)) => {
                rep.add(&score_document(g, &doc));
                inspect(g, &doc);
            }
            Err(e) => {
                failed.get_or_insert(e);
            }
        },
    );
    match failed {
        Some(e) => Err(e),
        None => Ok(rep),
    }
}

/// Scores `pipeline` on the gold file at `path`.
pub fn evaluate_file(path: impl AsRef<Path>, pipeline: &Pipeline) -> Result<QuoteReport> {
    let docs = load_jsonl(path)?;
    evaluate(&docs, |t| pipeline.analyze(t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Quote, QuoteKind, Speaker};

    #[test]
    fn greedy_matching_and_speakers() {
        let line = r#"{"doc":"d","text":"“Yes,” he said. She said no way.","quotes":[{"source":[[7,9,"he"]],"cue":[[10,14,"said"]],"content":[[0,6,"“Yes,”"]]},{"source":[[16,19,"She"]],"cue":[[20,24,"said"]],"content":[[25,32,"no way."]]}]}"#;
        let g = parse_line(line).unwrap();
        let t = g.text.clone();
        let at = |s: &str| {
            let i = t.find(s).unwrap();
            Span::new(i, i + s.len())
        };
        let doc = Document {
            text: t.clone(),
            sentences: vec![],
            entities: vec![],
            quotes: vec![
                Quote {
                    kind: QuoteKind::Direct,
                    content: vec![at("Yes,")],
                    cue: Some(at("said")),
                    speaker: Some(Speaker {
                        span: at("he"),
                        entity: None,
                    }),
                    origin: Default::default(),
                },
                Quote {
                    kind: QuoteKind::Indirect,
                    content: vec![at("no way")],
                    cue: None,
                    speaker: None,
                    origin: Default::default(),
                },
            ],
        };
        let r = score_document(&g, &doc);
        assert_eq!(
            (r.gold, r.predicted, r.matched, r.speaker_right),
            (2, 2, 2, 1)
        );
        assert_eq!((r.gold_direct, r.direct_found), (1, 1));
        assert!(r.to_string().contains("any overlap"));
    }
}
