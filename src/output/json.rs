//! JSON views of a [`Document`] for other languages and tools.
//!
//! Rust users slice with byte offsets; most JSON consumers (Python, JavaScript)
//! index strings by code point. [`DocumentJson`] writes either, says which in
//! its `offsets` field, and repeats the covered text beside every span so the
//! output can be read on its own. [`JsonSink`] writes one per document, as a
//! line or as an element of one pretty-printed array.
//!
//! The JSON types also deserialise, so a Rust program can read the output
//! back with them (owned strings, whatever the input's escapes):
//!
//! ```
//! use saidwho::output::{DocumentJson, Offsets, SCHEMA_VERSION};
//! let doc = saidwho::Pipeline::without_ner().analyze("\"Yes,\" she said.")?;
//! let line = serde_json::to_string(&DocumentJson::new("a1", &doc, Offsets::Chars))?;
//! let back: DocumentJson = serde_json::from_str(&line)?;
//! assert_eq!(back.schema_version, SCHEMA_VERSION);
//! assert_eq!(back.quotes.unwrap()[0].content[0].text, "Yes,");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! `docs/schema.md` describes every field.

use super::Sink;
use crate::document::{CharIndex, Document, MentionKind, Origin, QuoteKind, Span};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::io::{self, Write};

/// The version of the JSON output's schema, in every document's
/// `schema_version`. It goes up when a reader of the previous version could
/// misread the output: a field removed, renamed, or changed in type, unit or
/// meaning, or one that was never `null` becoming nullable. New fields do not
/// change it; readers ignore fields they do not know.
pub const SCHEMA_VERSION: u32 = 1;

/// Which offsets JSON output uses; every document names its choice in its
/// `offsets` field (`"chars"` or `"bytes"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Offsets {
    /// Unicode code points (Python `str`, JavaScript `Array.from`).
    #[default]
    Chars,
    /// UTF-8 bytes (Rust `&str`).
    Bytes,
}

/// A span as it appears in JSON output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpanJson<'a> {
    /// Start offset (code points or bytes, as the document's `offsets` says).
    pub start: usize,
    /// End offset, exclusive.
    pub end: usize,
    /// The covered text.
    pub text: Cow<'a, str>,
}

/// A mention as it appears in JSON output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MentionJson<'a> {
    /// Start offset.
    pub start: usize,
    /// End offset, exclusive.
    pub end: usize,
    /// The covered text.
    pub text: Cow<'a, str>,
    /// The mention's own label (`PER`, `ORG`, `LOC`, `MISC`), as the model
    /// gave it; the entity's label is the label of its first mention.
    pub label: Cow<'a, str>,
    /// The model's confidence in `0..=1` for a name; `null` for pronouns
    /// and nominals, which rules add and no model scores.
    pub score: Option<f32>,
    /// `name`, `pronoun` or `nominal`.
    pub kind: MentionKind,
}

/// An entity as it appears in JSON output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityJson<'a> {
    /// Entity id (index in `entities`).
    pub id: usize,
    /// Entity type.
    pub label: Cow<'a, str>,
    /// Canonical name.
    pub name: Cow<'a, str>,
    /// All mentions.
    pub mentions: Vec<MentionJson<'a>>,
}

/// A speaker as it appears in JSON output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpeakerJson<'a> {
    /// Start offset.
    pub start: usize,
    /// End offset, exclusive.
    pub end: usize,
    /// The covered text.
    pub text: Cow<'a, str>,
    /// The speaker's entity id, if known.
    pub entity: Option<usize>,
}

/// A quote as it appears in JSON output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteJson<'a> {
    /// `direct`, `indirect` or `mixed`.
    pub kind: QuoteKind,
    /// Content spans.
    pub content: Vec<SpanJson<'a>>,
    /// Cue, if any.
    pub cue: Option<SpanJson<'a>>,
    /// Speaker, if known.
    pub speaker: Option<SpeakerJson<'a>>,
    /// Where the quote came from (`rules`, `model`, `both`); absent in
    /// older output, read as `rules`.
    #[serde(default)]
    pub origin: Origin,
}

/// A whole document as JSON: `{"schema_version", "offsets", "id",
/// "sentences", "entities", "quotes"}`.
///
/// It borrows from the [`Document`] it shows; read back with serde it owns
/// its strings (`DocumentJson<'static>`).
///
/// ```
/// use saidwho::{output::{DocumentJson, Offsets}, Pipeline};
/// let doc = Pipeline::without_ner().analyze("«Да». Нет.").unwrap();
/// let json = DocumentJson::new("a1", &doc, Offsets::Chars).sentences_only();
/// assert_eq!(
///     serde_json::to_string(&json).unwrap(),
///     r#"{"schema_version":1,"offsets":"chars","id":"a1","sentences":[{"start":0,"end":5,"text":"«Да»."},{"start":6,"end":10,"text":"Нет."}]}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentJson<'a> {
    /// The schema's version: [`SCHEMA_VERSION`] when written by this crate.
    pub schema_version: u32,
    /// The unit of every offset in the document.
    pub offsets: Offsets,
    /// Caller's identifier of the document.
    pub id: Cow<'a, str>,
    /// Sentences.
    pub sentences: Vec<SpanJson<'a>>,
    /// Entities (absent in sentence-only output).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entities: Option<Vec<EntityJson<'a>>>,
    /// Quotes (absent in sentence-only output).
    #[serde(default, skip_serializing_if = "Option::is_none")]
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
                text: Cow::Borrowed(s.text(text)),
            }
        };
        DocumentJson {
            schema_version: SCHEMA_VERSION,
            offsets,
            id: Cow::Borrowed(id),
            sentences: doc.sentences.iter().map(|s| span(s.span)).collect(),
            entities: Some(
                doc.entities
                    .iter()
                    .map(|e| EntityJson {
                        id: e.id,
                        label: Cow::Borrowed(e.label.as_str()),
                        name: Cow::Borrowed(&e.name),
                        mentions: e
                            .mentions
                            .iter()
                            .map(|m| {
                                let (start, end) = conv(m.span);
                                MentionJson {
                                    start,
                                    end,
                                    text: Cow::Borrowed(m.span.text(text)),
                                    label: Cow::Borrowed(m.label.as_str()),
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
                                text: Cow::Borrowed(sp.span.text(text)),
                                entity: sp.entity,
                            }
                        }),
                        origin: q.origin,
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
/// ([`Format::Jsonl`](super::Format::Jsonl)), or pretty-printed as the
/// elements of one JSON array ([`Format::Json`](super::Format::Json)): `[` at
/// [`begin`](Sink::begin), the documents separated by commas as they come,
/// `]` at [`finish`](Sink::finish) — an array whatever the number of
/// documents, one or none included.
///
/// ```
/// use saidwho::output::{JsonSink, Offsets, Sink};
/// let doc = saidwho::Pipeline::without_ner().analyze("«Да». Нет.").unwrap();
/// let mut out = Vec::new();
/// let mut sink = JsonSink::lines(&mut out, Offsets::Chars);
/// sink.document("a1", &doc).unwrap();
/// assert!(out.starts_with(br#"{"schema_version":1,"offsets":"chars","id":"a1","sentences":[{"#));
/// assert!(out.ends_with(b"]}\n"));
///
/// let mut out = Vec::new();
/// let mut sink = JsonSink::pretty(&mut out, Offsets::Bytes);
/// sink.begin().unwrap();
/// sink.document("a1", &doc).unwrap();
/// sink.document("a2", &doc).unwrap();
/// sink.finish().unwrap();
/// let docs: serde_json::Value = serde_json::from_slice(&out).unwrap();
/// assert_eq!(docs[1]["id"], "a2");
/// assert_eq!(docs[1]["offsets"], "bytes");
/// ```
#[derive(Debug)]
pub struct JsonSink<W> {
    writer: W,
    offsets: Offsets,
    pretty: bool,
    /// Documents written so far (the array's elements need commas between).
    docs: usize,
    /// The document being written, kept to reuse its allocation.
    buf: Vec<u8>,
}

impl<W: Write> JsonSink<W> {
    /// One JSON object per line (JSON lines).
    pub fn lines(writer: W, offsets: Offsets) -> Self {
        Self::new(writer, offsets, false)
    }

    /// One pretty-printed JSON array of the documents.
    pub fn pretty(writer: W, offsets: Offsets) -> Self {
        Self::new(writer, offsets, true)
    }

    fn new(writer: W, offsets: Offsets, pretty: bool) -> Self {
        JsonSink {
            writer,
            offsets,
            pretty,
            docs: 0,
            buf: Vec::new(),
        }
    }
}

impl<W: Write> Sink for JsonSink<W> {
    /// Opens the array (pretty JSON); nothing for JSON lines.
    fn begin(&mut self) -> io::Result<()> {
        if self.pretty {
            self.writer.write_all(b"[")?;
        }
        Ok(())
    }

    fn document(&mut self, id: &str, doc: &Document) -> io::Result<()> {
        let json = DocumentJson::new(id, doc, self.offsets);
        self.buf.clear();
        if self.pretty {
            let separator: &[u8] = if self.docs == 0 { b"\n" } else { b",\n" };
            self.buf.extend_from_slice(separator);
            serde_json::to_writer_pretty(&mut self.buf, &json)?;
        } else {
            serde_json::to_writer(&mut self.buf, &json)?;
            self.buf.push(b'\n');
        }
        self.docs += 1;
        self.writer.write_all(&self.buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }

    /// Closes the array (pretty JSON) and flushes.
    fn finish(&mut self) -> io::Result<()> {
        if self.pretty {
            let end: &[u8] = if self.docs == 0 { b"]\n" } else { b"\n]\n" };
            self.writer.write_all(end)?;
        }
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
    fn pretty_is_one_array_of_the_same_documents() {
        let docs = two_docs();
        let pretty = render(Format::Json, &docs);
        assert!(pretty.contains("\n  \"sentences\": ["), "{pretty}");
        let parsed: Vec<serde_json::Value> = serde_json::from_str(&pretty).unwrap();
        let lines: Vec<serde_json::Value> = render(Format::Jsonl, &docs)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(parsed, lines);
        // The shape does not depend on the count.
        let one: Vec<serde_json::Value> =
            serde_json::from_str(&render(Format::Json, &docs[..1])).unwrap();
        assert_eq!(one, lines[..1]);
        assert_eq!(render(Format::Json, &[]), "[]\n");
    }

    #[test]
    fn documents_read_back_into_the_same_json() {
        use super::DocumentJson;
        for line in render(Format::Jsonl, &two_docs()).lines() {
            let back: DocumentJson<'static> = serde_json::from_str(line).unwrap();
            assert_eq!(back.schema_version, super::SCHEMA_VERSION);
            let again = serde_json::to_string(&back).unwrap();
            assert_eq!(
                serde_json::from_str::<serde_json::Value>(&again).unwrap(),
                serde_json::from_str::<serde_json::Value>(line).unwrap()
            );
        }
    }

    #[test]
    fn offsets_follow_the_options() {
        use super::super::{Offsets, SinkOptions};
        let pipeline = crate::Pipeline::without_ner();
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
