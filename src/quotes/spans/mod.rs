//! The attribution span model: a learned head that proposes the source, cue
//! and content spans of attributions, read off the NER encoder's states.
//!
//! The head ([`SpanModel`]) reads the [`Encoding`] the NER stage already
//! computed — the encoder runs once for both jobs — and tags each sub-word
//! token, for each role (source, cue, content) on its own, as outside,
//! beginning or inside a span (so that roles may overlap: a reported
//! statement may hold another attribution's cue). It is a projection, a
//! one-layer bidirectional LSTM over each paragraph's tokens, and a linear
//! layer (`lstm.rs`), trained on PolNeAR train by `train/quote_spans.py`
//! over the embedded NER model's states; it runs only on the states of the
//! encoder it was trained on ([`SpanModel::encoder`]).
//!
//! Tags are read at word level (a word takes its first sub-word's tag) and
//! turned into byte spans: [`Proposal`]s. The rules and the entity stage
//! then attribute them (see `quotes/hybrid.rs`).

mod lstm;

use crate::document::{Sentence, Span};
use crate::error::{Error, Result};
use crate::ner::Encoding;
use lstm::BiLstmTagger;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The role of a span in an attribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Who: "House Speaker Paul Ryan", "he", "officials".
    Source,
    /// The attribution's cue: "said", "has argued", "according to".
    Cue,
    /// What was said or reported.
    Content,
}

impl Role {
    /// The roles in the order of the model's outputs.
    pub const ALL: [Role; 3] = [Role::Source, Role::Cue, Role::Content];

    /// Its name in JSON and in the model's `config.json`: `source`, `cue`
    /// or `content`.
    pub fn name(self) -> &'static str {
        match self {
            Role::Source => "source",
            Role::Cue => "cue",
            Role::Content => "content",
        }
    }
}

/// A span the model proposes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    /// Its role.
    pub role: Role,
    /// Its bytes in the text (whole words).
    pub span: Span,
    /// The mean, over its words, of the probability of the word's tag.
    pub score: f32,
}

/// The head's `config.json`.
#[derive(Debug, Clone, Deserialize)]
struct Config {
    kind: String,
    encoder: String,
    dim: usize,
    proj: usize,
    hidden: usize,
    roles: Vec<String>,
    tags: Vec<String>,
}

/// The attribution span model (see the module docs).
pub struct SpanModel {
    encoder: String,
    tagger: BiLstmTagger,
}

impl std::fmt::Debug for SpanModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpanModel")
            .field("encoder", &self.encoder)
            .finish_non_exhaustive()
    }
}

/// Where the embedded files say they come from in messages.
const PLACE: &str = "<embedded>/saidwho-quote-spans";

#[cfg(feature = "embedded-model")]
const EMBEDDED: Option<(&str, &[u8])> = Some((
    include_str!("model/config.json"),
    include_bytes!("model/model.safetensors"),
));

#[cfg(not(feature = "embedded-model"))]
const EMBEDDED: Option<(&str, &[u8])> = None;

impl SpanModel {
    /// The span model compiled into the crate (cargo feature
    /// `embedded-model`), trained over the embedded NER model
    /// ([`crate::ner::EMBEDDED_MODEL`]).
    pub fn embedded() -> Result<Self> {
        let Some((config, weights)) = EMBEDDED else {
            return Err(Error::ModelNotFound {
                name: "saidwho-quote-spans".into(),
                hint: "this build of saidwho was compiled without the cargo feature \
                       `embedded-model`"
                    .into(),
            });
        };
        Self::from_parts(config, weights, Path::new(PLACE))
    }

    /// Loads a span model from a directory holding `config.json` and
    /// `model.safetensors` as `train/quote_spans.py` writes them.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        let read = |name: &str| -> Result<(PathBuf, Vec<u8>)> {
            let path = dir.join(name);
            std::fs::read(&path)
                .map(|b| (path.clone(), b))
                .map_err(|e| Error::ModelFile {
                    path,
                    reason: format!("cannot read it ({e})"),
                })
        };
        let (cpath, config) = read("config.json")?;
        let config = String::from_utf8(config).map_err(|e| Error::ModelFile {
            path: cpath,
            reason: format!("not UTF-8 ({e})"),
        })?;
        let (_, weights) = read("model.safetensors")?;
        Self::from_parts(&config, &weights, dir)
    }

    fn from_parts(config: &str, weights: &[u8], dir: &Path) -> Result<Self> {
        let bad = |file: &str, reason: String| Error::ModelFile {
            path: dir.join(file),
            reason,
        };
        let c: Config = serde_json::from_str(config).map_err(|e| {
            bad(
                "config.json",
                format!("not a span model configuration ({e})"),
            )
        })?;
        let roles = Role::ALL.map(Role::name);
        if c.kind != "saidwho-attribution-spans"
            || c.roles != roles
            || c.tags != ["O", "B", "I"]
            || c.dim == 0
            || c.proj == 0
            || c.hidden == 0
        {
            return Err(bad(
                "config.json",
                format!(
                    "expected kind `saidwho-attribution-spans`, roles {roles:?}, tags [O, B, I] \
                     and non-zero sizes; found kind `{}`, roles {:?}, tags {:?}",
                    c.kind, c.roles, c.tags
                ),
            ));
        }
        let tagger = BiLstmTagger::from_safetensors(weights, c.dim, c.proj, c.hidden, 9)
            .map_err(|e| bad("model.safetensors", e))?;
        Ok(SpanModel {
            encoder: c.encoder,
            tagger,
        })
    }

    /// The encoder whose states the head was trained on: it reads only an
    /// [`Encoding`] whose [`encoder`](Encoding::encoder) is this one.
    pub fn encoder(&self) -> &str {
        &self.encoder
    }

    /// Whether this model can read `encoding` (same encoder, same width).
    pub fn reads(&self, encoding: &Encoding) -> bool {
        encoding.encoder == self.encoder && encoding.dim == self.tagger.dim()
    }

    /// The spans the model proposes in `text`, from its `encoding` (the
    /// NER stage's) and its `sentences` (paragraphs end at blank lines
    /// between sentences). An encoding of another encoder is an error.
    pub fn propose(
        &self,
        text: &str,
        sentences: &[Sentence],
        encoding: &Encoding,
    ) -> Result<Vec<Proposal>> {
        if !self.reads(encoding) {
            return Err(Error::Backend(format!(
                "the span model reads the states of `{}` ({} wide), not of `{}` ({} wide)",
                self.encoder,
                self.tagger.dim(),
                encoding.encoder,
                encoding.dim
            )));
        }
        let n = encoding.tokens.len();
        if n == 0 {
            return Ok(Vec::new());
        }
        if encoding.states.len() != n * encoding.dim {
            return Err(Error::Backend(format!(
                "an encoding of {n} tokens with {} values of {} wide states",
                encoding.states.len(),
                encoding.dim
            )));
        }
        let para = paragraph_of_sentence(text, sentences);
        let para_of = |t: usize| para.get(encoding.tokens[t].sentence).copied().unwrap_or(0);
        let dim = encoding.dim;
        let mut out = Vec::new();
        // Paragraph by paragraph: the unit the model was trained on, no span
        // crosses one, and only one paragraph's activations are held.
        let mut start = 0;
        while start < n {
            let mut end = start + 1;
            while end < n && para_of(end) == para_of(start) {
                end += 1;
            }
            let probs = self
                .tagger
                .run(
                    &encoding.states[start * dim..end * dim],
                    end - start,
                    |_| false,
                )
                .map_err(Error::Backend)?;
            decode(text, encoding, &probs, start, end, &mut out);
            start = end;
        }
        out.sort_by_key(|p| (p.span.start, p.span.end));
        Ok(out)
    }
}

/// The paragraph index of each sentence: a new paragraph starts after a
/// blank line (two line breaks between two sentences).
fn paragraph_of_sentence(text: &str, sentences: &[Sentence]) -> Vec<usize> {
    let mut out = Vec::with_capacity(sentences.len());
    let mut p = 0;
    for (i, s) in sentences.iter().enumerate() {
        if i > 0 {
            let gap = text
                .get(sentences[i - 1].span.end..s.span.start)
                .unwrap_or("");
            if gap.matches('\n').count() >= 2 {
                p += 1;
            }
        }
        out.push(p);
    }
    out
}

/// Reads the tags of tokens `start..end` (`probs` holds theirs, from
/// `start` on) at word level — a word takes its
/// first sub-word's most likely tag; `B`, or `I` after `O`, opens a span —
/// and pushes the spans found.
fn decode(
    text: &str,
    enc: &Encoding,
    probs: &[f32],
    start: usize,
    end: usize,
    out: &mut Vec<Proposal>,
) {
    for (r, &role) in Role::ALL.iter().enumerate() {
        // (first token, last token, summed score, words)
        let mut cur: Option<(usize, usize, f32, usize)> = None;
        let mut t = start;
        while t < end {
            let w = enc.tokens[t].word;
            let mut u = t;
            while u + 1 < end && enc.tokens[u + 1].word == w {
                u += 1;
            }
            let at = (t - start) * 9 + 3 * r;
            let p = probs.get(at..at + 3).unwrap_or(&[1.0, 0.0, 0.0]);
            let (tag, score) = p
                .iter()
                .copied()
                .enumerate()
                .fold((0, f32::MIN), |b, (i, x)| if x > b.1 { (i, x) } else { b });
            match (tag, cur.as_mut()) {
                (1, _) | (2, None) => {
                    if let Some(c) = cur.take() {
                        push(text, enc, role, c, out);
                    }
                    cur = Some((t, u, score, 1));
                }
                (2, Some(c)) => {
                    c.1 = u;
                    c.2 += score;
                    c.3 += 1;
                }
                _ => {
                    if let Some(c) = cur.take() {
                        push(text, enc, role, c, out);
                    }
                }
            }
            t = u + 1;
        }
        if let Some(c) = cur.take() {
            push(text, enc, role, c, out);
        }
    }
}

fn push(
    text: &str,
    enc: &Encoding,
    role: Role,
    (first, last, sum, words): (usize, usize, f32, usize),
    out: &mut Vec<Proposal>,
) {
    let span = Span::new(enc.tokens[first].span.start, enc.tokens[last].span.end);
    if span.start < span.end && text.get(span.start..span.end).is_some() {
        out.push(Proposal {
            role,
            span,
            score: sum / words.max(1) as f32,
        });
    }
}

#[cfg(all(test, feature = "embedded-model"))]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Reference {
        cases: Vec<Case>,
    }

    #[derive(Deserialize)]
    struct Case {
        states: Vec<Vec<f32>>,
        logits: Vec<Vec<f32>>,
    }

    /// The Rust head gives the logits PyTorch gave for the exported weights.
    #[test]
    fn embedded_head_matches_the_reference_logits() {
        let model = SpanModel::embedded().unwrap();
        let r: Reference = serde_json::from_str(include_str!("model/reference.json")).unwrap();
        assert!(!r.cases.is_empty());
        for case in &r.cases {
            let n = case.states.len();
            let flat: Vec<f32> = case.states.iter().flatten().copied().collect();
            let logits = model.tagger.logits(&flat, n, |_| false).unwrap();
            let want: Vec<f32> = case.logits.iter().flatten().copied().collect();
            assert_eq!(logits.len(), want.len());
            for (i, (a, b)) in logits.iter().zip(&want).enumerate() {
                assert!((a - b).abs() < 1e-3, "logit {i}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn another_encoders_states_are_refused() {
        let model = SpanModel::embedded().unwrap();
        let enc = Encoding {
            encoder: "conll03-distilbert-cased".into(),
            dim: 768,
            ..Encoding::default()
        };
        assert!(!model.reads(&enc));
        assert!(model.propose("x", &[], &enc).is_err());
    }

    #[test]
    fn paragraphs_end_at_blank_lines() {
        let text = "A b.\nC d.\n\nE f.";
        let s = |a, b| Sentence {
            span: Span::new(a, b),
        };
        assert_eq!(
            paragraph_of_sentence(text, &[s(0, 4), s(5, 9), s(11, 15)]),
            vec![0, 0, 1]
        );
    }
}
