//! JSON views of a [`Document`] for other languages and tools.
//!
//! Rust users slice with byte offsets; most JSON consumers (Python, JavaScript)
//! index strings by code point. [`DocumentJson`] writes either, and repeats the
//! covered text beside every span so the output can be read on its own.

use crate::document::{CharIndex, Document, Span};
use serde::Serialize;

/// Which offsets JSON output uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Offsets {
    /// Unicode code points (Python `str`, JavaScript `Array.from`).
    #[default]
    Chars,
    /// UTF-8 bytes (Rust `&str`).
    Bytes,
}

/// A span as it appears in JSON output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpanJson<'a> {
    /// Start offset (code points or bytes).
    pub start: usize,
    /// End offset (code points or bytes).
    pub end: usize,
    /// The covered text.
    pub text: &'a str,
}

/// A mention as it appears in JSON output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MentionJson<'a> {
    /// Start offset.
    pub start: usize,
    /// End offset.
    pub end: usize,
    /// The covered text.
    pub text: &'a str,
    /// The mention's own label (`PER`, `ORG`, `LOC`, `MISC`), as the model
    /// gave it; the entity's label is the label of its first mention.
    pub label: &'a str,
    /// Model confidence.
    pub score: f32,
    /// `name`, `pronoun` or `nominal`.
    pub kind: crate::document::MentionKind,
}

/// An entity as it appears in JSON output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityJson<'a> {
    /// Entity id (index in `entities`).
    pub id: usize,
    /// Entity type.
    pub label: &'a str,
    /// Canonical name.
    pub name: &'a str,
    /// All mentions.
    pub mentions: Vec<MentionJson<'a>>,
}

/// A speaker as it appears in JSON output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpeakerJson<'a> {
    /// Start offset.
    pub start: usize,
    /// End offset.
    pub end: usize,
    /// The covered text.
    pub text: &'a str,
    /// The speaker's entity id, if known.
    pub entity: Option<usize>,
}

/// A quote as it appears in JSON output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuoteJson<'a> {
    /// `direct`, `indirect` or `mixed`.
    pub kind: crate::document::QuoteKind,
    /// Content spans.
    pub content: Vec<SpanJson<'a>>,
    /// Cue, if any.
    pub cue: Option<SpanJson<'a>>,
    /// Speaker, if known.
    pub speaker: Option<SpeakerJson<'a>>,
}

/// A whole document as JSON: `{"id", "sentences", "entities", "quotes"}`.
///
/// ```
/// use saidwho::{output::{DocumentJson, Offsets}, Pipeline};
/// let doc = Pipeline::new().analyze("«Да». Нет.").unwrap();
/// let json = DocumentJson::new("a1", &doc, Offsets::Chars).sentences_only();
/// assert_eq!(
///     serde_json::to_string(&json).unwrap(),
///     r#"{"id":"a1","sentences":[{"start":0,"end":5,"text":"«Да»."},{"start":6,"end":10,"text":"Нет."}]}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentJson<'a> {
    /// Caller's identifier of the document.
    pub id: &'a str,
    /// Sentences.
    pub sentences: Vec<SpanJson<'a>>,
    /// Entities (absent in sentence-only output).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entities: Option<Vec<EntityJson<'a>>>,
    /// Quotes (absent in sentence-only output).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quotes: Option<Vec<QuoteJson<'a>>>,
}

impl<'a> DocumentJson<'a> {
    /// The JSON view of `doc` with the given offsets.
    pub fn new(id: &'a str, doc: &'a Document, offsets: Offsets) -> Self {
        let text = doc.text.as_str();
        let index = CharIndex::new(text);
        let conv = |span: Span| -> (usize, usize) {
            match offsets {
                Offsets::Bytes => (span.start, span.end),
                Offsets::Chars => index.char_range(span),
            }
        };
        let span = |s: Span| {
            let (start, end) = conv(s);
            SpanJson {
                start,
                end,
                text: s.text(text),
            }
        };
        DocumentJson {
            id,
            sentences: doc.sentences.iter().map(|s| span(s.span)).collect(),
            entities: Some(
                doc.entities
                    .iter()
                    .map(|e| EntityJson {
                        id: e.id,
                        label: e.label.as_str(),
                        name: &e.name,
                        mentions: e
                            .mentions
                            .iter()
                            .map(|m| {
                                let (start, end) = conv(m.span);
                                MentionJson {
                                    start,
                                    end,
                                    text: m.span.text(text),
                                    label: m.label.as_str(),
                                    score: m.score,
                                    kind: m.kind,
                                }
                            })
                            .collect(),
                    })
                    .collect(),
            ),
            quotes: Some(
                doc.quotes
                    .iter()
                    .map(|q| QuoteJson {
                        kind: q.kind,
                        content: q.content.iter().map(|&s| span(s)).collect(),
                        cue: q.cue.map(span),
                        speaker: q.speaker.as_ref().map(|sp| {
                            let (start, end) = conv(sp.span);
                            SpeakerJson {
                                start,
                                end,
                                text: sp.span.text(text),
                                entity: sp.entity,
                            }
                        }),
                    })
                    .collect(),
            ),
        }
    }

    /// Drops entities and quotes: the `sentences` subcommand's output.
    pub fn sentences_only(mut self) -> Self {
        self.entities = None;
        self.quotes = None;
        self
    }
}
