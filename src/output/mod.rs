//! Views of a [`Document`] for people and other programs.
//!
//! Every view is a [`Format`], and every format writes through the same
//! [`Sink`] interface to any [`io::Write`]: [`begin`](Sink::begin) once,
//! [`document`](Sink::document) for each document as it comes, then
//! [`finish`](Sink::finish) once. Each format writes a document as soon as it
//! is given it and holds no more than that one document, so a corpus of any
//! size streams through in constant memory.
//!
//! - [`json`]: JSON with code-point or byte offsets, the covered text beside
//!   every span, so the output reads on its own in any language; one line per
//!   document ([`Format::Jsonl`]) or one pretty-printed array
//!   ([`Format::Json`]). Each document carries its [`SCHEMA_VERSION`] and
//!   offset unit; `docs/schema.md` describes every field.
//! - [`text`]: one line per quote, speaker → content ([`Format::Text`]).
//! - [`html`]: one self-contained page that shows the article with entities
//!   coloured by type and quotes highlighted and linked to their speakers
//!   ([`Format::Html`]).
//!
//! A new format is one new file here with a type that implements [`Sink`],
//! and one new [`Format`] variant that [`Format::sink`] maps to it.
//!
//! ```
//! use saidwho::output::{Format, SinkOptions};
//! use saidwho::Pipeline;
//!
//! let pipeline = Pipeline::without_ner();
//! let format: Format = "jsonl".parse()?;
//! let mut out = Vec::new();
//! let mut sink = format.sink(&mut out, &SinkOptions::default());
//! sink.begin()?;
//! for (id, text) in [("a1", "“Yes,” she said."), ("a2", "No quotes.")] {
//!     sink.document(id, &pipeline.analyze(text)?)?;
//! }
//! sink.finish()?;
//! drop(sink);
//! assert_eq!(String::from_utf8(out)?.lines().count(), 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod html;
pub mod json;
mod resume;
pub mod text;

pub use html::HtmlSink;
pub use json::{DocumentJson, JsonSink, Offsets, SCHEMA_VERSION};
pub use resume::Resume;
pub use text::TextSink;

use crate::document::Document;
use std::fmt;
use std::io::{self, Write};
use std::str::FromStr;

/// Writes documents, one after another, in one output format.
///
/// Call [`begin`](Sink::begin) once, [`document`](Sink::document) for each
/// document in order, and [`finish`](Sink::finish) once; what comes out of
/// any other order is unspecified (but never a panic). Every method returns
/// the writer's error, if any; after an error the output is incomplete, and
/// the caller should stop writing.
///
/// The trait is object safe: [`Format::sink`] gives a `Box<dyn Sink>`.
pub trait Sink {
    /// Writes whatever comes before the first document (the HTML page's
    /// head). Writes nothing by default.
    fn begin(&mut self) -> io::Result<()> {
        Ok(())
    }

    /// Writes one document under the caller's identifier `id`. The formats
    /// of this module render the document whole first and hand it to the
    /// writer in one `write_all`, so even an unbuffered writer gets one write
    /// per document.
    fn document(&mut self, id: &str, doc: &Document) -> io::Result<()>;

    /// Flushes the writer, so that everything written so far reaches the
    /// reader now (a pipe's reader sees each document whole as soon as it is
    /// done; a closed pipe shows up here as an error).
    fn flush(&mut self) -> io::Result<()>;

    /// Writes whatever comes after the last document (the HTML page's end)
    /// and flushes the writer. By default only flushes.
    fn finish(&mut self) -> io::Result<()> {
        self.flush()
    }
}

/// What the formats need besides the documents.
///
/// ```
/// use saidwho::output::{Offsets, SinkOptions};
/// let options = SinkOptions::default()
///     .with_offsets(Offsets::Bytes)
///     .with_title("Monday's papers");
/// assert_eq!(options.title.as_deref(), Some("Monday's papers"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SinkOptions {
    /// The offsets of the JSON formats: code points (default) or bytes.
    pub offsets: Offsets,
    /// The HTML page's title; by default (`None`) the page is named after
    /// the documents it shows (see [`HtmlSink`]).
    pub title: Option<String>,
}

impl SinkOptions {
    /// These options with the given offsets.
    pub fn with_offsets(mut self, offsets: Offsets) -> Self {
        self.offsets = offsets;
        self
    }

    /// These options with the given HTML title.
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }
}

/// An output format. Parses from and displays as its lowercase name
/// (`jsonl`, `json`, `text`, `html`), in serde as on the command line.
///
/// ```
/// use saidwho::output::Format;
/// let format: Format = "html".parse().unwrap();
/// assert_eq!(format, Format::Html);
/// assert_eq!(format.to_string(), "html");
/// assert!("xml".parse::<Format>().is_err());
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// One JSON document per line ([`DocumentJson`]), each line complete and
    /// flushed before the next document starts. The default.
    #[default]
    Jsonl,
    /// One pretty-printed JSON array of [`DocumentJson`], an element per
    /// document, written as they come (`[` first, `]` at the end).
    Json,
    /// One line per quote: `id<TAB>kind<TAB>speaker → "content"`
    /// ([`TextSink`]).
    Text,
    /// One self-contained HTML page for all documents ([`HtmlSink`]); it is
    /// written as the documents come, one section each (the first waits for
    /// the second when the page's title names the documents).
    Html,
}

impl Format {
    /// Every format, in the order of the variants.
    pub const ALL: [Format; 4] = [Format::Jsonl, Format::Json, Format::Text, Format::Html];

    /// The format's name: what [`FromStr`] parses and [`Display`](fmt::Display)
    /// writes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Json => "json",
            Format::Text => "text",
            Format::Html => "html",
        }
    }

    /// A sink that writes this format to `writer`. Pass `&mut writer` to keep
    /// the writer; a buffered writer (`io::BufWriter`) suits every format.
    pub fn sink<'a, W: Write + 'a>(self, writer: W, options: &SinkOptions) -> Box<dyn Sink + 'a> {
        match self {
            Format::Jsonl => Box::new(JsonSink::lines(writer, options.offsets)),
            Format::Json => Box::new(JsonSink::pretty(writer, options.offsets)),
            Format::Text => Box::new(TextSink::new(writer)),
            Format::Html => Box::new(HtmlSink::new(writer, options.title.as_deref())),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, UnknownFormat> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| UnknownFormat(s.to_string()))
    }
}

/// The error of parsing a [`Format`] from a name that is none of them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown output format `{0}`; expected jsonl, json, text or html")]
pub struct UnknownFormat(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    /// Two small analysed documents: one with a quote, one without.
    pub(crate) fn two_docs() -> [(&'static str, Document); 2] {
        let pipeline = crate::Pipeline::without_ner();
        [
            (
                "a1",
                pipeline
                    .analyze("“We won\tall,” said Ann Lee. <Lee> & co left.")
                    .unwrap(),
            ),
            ("a2", pipeline.analyze("Nobody spoke.").unwrap()),
        ]
    }

    /// Everything a sink of `format` writes for `docs`, begun and finished once.
    pub(crate) fn render(format: Format, docs: &[(&str, Document)]) -> String {
        let mut out = Vec::new();
        let mut sink = format.sink(&mut out, &SinkOptions::default().with_title("T"));
        sink.begin().unwrap();
        for (id, doc) in docs {
            sink.document(id, doc).unwrap();
        }
        sink.finish().unwrap();
        drop(sink);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn names_parse_display_and_serialize_alike() {
        for format in Format::ALL {
            let name = format.to_string();
            assert_eq!(name.parse::<Format>(), Ok(format));
            assert_eq!(
                serde_json::to_string(&format).unwrap(),
                format!("\"{name}\"")
            );
            assert_eq!(
                serde_json::from_str::<Format>(&format!("\"{name}\"")).unwrap(),
                format
            );
        }
        assert_eq!(Format::default(), Format::Jsonl);
        let err = "JSONL".parse::<Format>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown output format `JSONL`; expected jsonl, json, text or html"
        );
    }

    #[test]
    fn every_format_writes_something_for_a_quote_and_nothing_fails() {
        let docs = two_docs();
        for format in Format::ALL {
            let out = render(format, &docs);
            assert!(out.contains("Ann Lee"), "{format}: {out}");
            assert!(out.ends_with('\n'), "{format}: {out}");
        }
    }

    /// A writer whose every write and flush fails, like a closed pipe.
    struct Closed;

    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
    }

    #[test]
    fn write_errors_come_back_as_errors() {
        let [(id, doc), _] = two_docs();
        for format in Format::ALL {
            let mut sink = format.sink(Closed, &SinkOptions::default().with_title("T"));
            let err = sink.document(id, &doc).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::BrokenPipe, "{format}");
            assert!(sink.flush().is_err(), "{format}");
            assert!(sink.finish().is_err(), "{format}");
        }
        // A page named after its documents holds the first one back: the
        // error comes when it is written, at the end.
        let mut sink = Format::Html.sink(Closed, &SinkOptions::default());
        sink.document(id, &doc).unwrap();
        let err = sink.finish().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
    }
}
