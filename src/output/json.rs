//! JSON views of a [`Document`] for other languages and tools.
//!
//! Rust users slice with byte offsets; most JSON consumers (Python, JavaScript)
//! index strings by code point. [`DocumentJson`] writes either, and repeats the
//! covered text beside every span so the output can be read on its own.
//! [`JsonSink`] writes one per document, as a line or pretty-printed.

use super::Sink;
use crate::document::{CharIndex, Document, Span};
use serde::Serialize;
use std::io::{self, Write};

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
    /// The model's confidence in `0..=1` for a name; `null` for pronouns
    /// and nominals, which rules add and no model scores.
    pub score: Option<f32>,
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

/// Writes each document as a [`DocumentJson`]: one line each
/// ([`Format::Jsonl`](super::Format::Jsonl)) or pretty-printed and followed by
/// a newline ([`Format::Json`](super::Format::Json)).
///
/// ```
/// use saidwho::output::{JsonSink, Offsets, Sink};
/// let doc = saidwho::Pipeline::new().analyze("«Да». Нет.").unwrap();
/// let mut out = Vec::new();
/// let mut sink = JsonSink::lines(&mut out, Offsets::Chars);
/// sink.document("a1", &doc).unwrap();
/// assert!(out.starts_with(br#"{"id":"a1","sentences":[{"start":0,"end":5,"#));
/// assert!(out.ends_with(b"]}\n"));
/// ```
#[derive(Debug)]
pub struct JsonSink<W> {
    writer: W,
    offsets: Offsets,
    pretty: bool,
    /// The document being written, kept to reuse its allocation.
    buf: Vec<u8>,
}

impl<W: Write> JsonSink<W> {
    /// One JSON object per line (JSON lines).
    pub fn lines(writer: W, offsets: Offsets) -> Self {
        Self::new(writer, offsets, false)
    }

    /// Pretty-printed JSON objects, each followed by a newline.
    pub fn pretty(writer: W, offsets: Offsets) -> Self {
        Self::new(writer, offsets, true)
    }

    fn new(writer: W, offsets: Offsets, pretty: bool) -> Self {
        JsonSink {
            writer,
            offsets,
            pretty,
            buf: Vec::new(),
        }
    }
}

impl<W: Write> Sink for JsonSink<W> {
    fn document(&mut self, id: &str, doc: &Document) -> io::Result<()> {
        let json = DocumentJson::new(id, doc, self.offsets);
        self.buf.clear();
        if self.pretty {
            serde_json::to_writer_pretty(&mut self.buf, &json)?;
        } else {
            serde_json::to_writer(&mut self.buf, &json)?;
        }
        self.buf.push(b'\n');
        self.writer.write_all(&self.buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{tests::render, tests::two_docs, Format};

    #[test]
    fn lines_are_one_parseable_document_each_in_order() {
        let out = render(Format::Jsonl, &two_docs());
        let docs: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0]["id"], "a1");
        assert_eq!(docs[1]["id"], "a2");
        assert_eq!(docs[0]["quotes"][0]["speaker"]["text"], "Ann Lee");
        assert_eq!(docs[1]["quotes"].as_array().unwrap().len(), 0);
    }

    #[test]
    fn pretty_is_a_stream_of_the_same_documents() {
        let docs = two_docs();
        let pretty = render(Format::Json, &docs);
        assert!(pretty.contains("\n  \"sentences\": ["), "{pretty}");
        let parsed: Vec<serde_json::Value> = serde_json::Deserializer::from_str(&pretty)
            .into_iter()
            .collect::<Result<_, _>>()
            .unwrap();
        let lines: Vec<serde_json::Value> = render(Format::Jsonl, &docs)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(parsed, lines);
    }

    #[test]
    fn offsets_follow_the_options() {
        use super::super::{Offsets, SinkOptions};
        let pipeline = crate::Pipeline::new();
        let doc = pipeline.analyze("«Да». Нет.").unwrap();
        for (offsets, start) in [(Offsets::Chars, 6), (Offsets::Bytes, 10)] {
            let mut out = Vec::new();
            let options = SinkOptions::default().with_offsets(offsets);
            let mut sink = Format::Jsonl.sink(&mut out, &options);
            sink.document("r", &doc).unwrap();
            drop(sink);
            let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
            assert_eq!(json["sentences"][1]["start"], start, "{offsets:?}");
        }
    }
}
