//! A plain-text view: one line per quote, speaker → content.

use super::Sink;
use crate::document::Document;
use std::fmt::Write as _;
use std::io::{self, Write};

/// Writes one line per quote, `ID<TAB>KIND<TAB>SPEAKER → "CONTENT"`:
///
/// - `ID` is the document's id, `KIND` is `direct`, `indirect` or `mixed`;
/// - `SPEAKER` is the speaker's entity's canonical name, else the speaker's
///   own words, else `?` (unknown);
/// - `CONTENT` is the quote's parts joined by ` … `, with `\` and `"`
///   escaped as `\\` and `\"` so the closing `"` is the last character;
/// - tabs and newlines inside the ID, the speaker and the content become
///   spaces, so each quote is exactly one line of three tab-separated fields.
///
/// A document without quotes writes nothing.
///
/// ```
/// use saidwho::output::{Sink, TextSink};
/// let pipeline = saidwho::Pipeline::without_ner();
/// let mut out = Vec::new();
/// let mut sink = TextSink::new(&mut out);
/// sink.document("a", &pipeline.analyze("No quotes here.").unwrap()).unwrap();
/// sink.document("b", &pipeline.analyze("“Yes,” said Ann Lee.").unwrap()).unwrap();
/// assert_eq!(String::from_utf8(out).unwrap(), "b\tdirect\tAnn Lee → \"Yes,\"\n");
/// ```
#[derive(Debug)]
pub struct TextSink<W> {
    writer: W,
    /// The document being written, kept to reuse its allocation.
    buf: String,
}

impl<W: Write> TextSink<W> {
    /// A sink that writes to `writer`.
    pub fn new(writer: W) -> Self {
        TextSink {
            writer,
            buf: String::new(),
        }
    }
}

impl<W: Write> Sink for TextSink<W> {
    fn document(&mut self, id: &str, doc: &Document) -> io::Result<()> {
        self.buf.clear();
        for q in &doc.quotes {
            let speaker = match &q.speaker {
                Some(s) => match s.entity.and_then(|e| doc.entity(e)) {
                    Some(e) => e.name.clone(),
                    None => doc.slice(s.span).to_string(),
                },
                None => "?".to_string(),
            };
            let content: Vec<&str> = q.content.iter().map(|&s| doc.slice(s)).collect();
            let kind = match q.kind {
                crate::QuoteKind::Direct => "direct",
                crate::QuoteKind::Indirect => "indirect",
                crate::QuoteKind::Mixed => "mixed",
            };
            let content = content
                .join(" … ")
                .replace('\\', "\\\\")
                .replace('"', "\\\"");
            // Writing to a String cannot fail.
            let _ = writeln!(
                self.buf,
                "{}\t{kind}\t{} → \"{}\"",
                one_line(id),
                one_line(&speaker),
                one_line(&content)
            );
        }
        self.writer.write_all(self.buf.as_bytes())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// `field` with its tabs, carriage returns and line breaks as spaces.
fn one_line(field: &str) -> String {
    field.replace(['\n', '\r', '\t'], " ")
}

#[cfg(test)]
mod tests {
    use super::super::{tests::render, tests::two_docs, Format};

    #[test]
    fn inner_quote_marks_and_backslashes_are_escaped() {
        let pipeline = crate::Pipeline::without_ner();
        let doc = pipeline.analyze("“A \\ and \"B\",” said Ann Lee.").unwrap();
        let out = render(Format::Text, &[("i\td", doc)]);
        assert_eq!(out, "i d\tdirect\tAnn Lee → \"A \\\\ and \\\"B\\\",\"\n");
    }

    #[test]
    fn one_line_per_quote_with_tabs_in_content_folded() {
        let out = render(Format::Text, &two_docs());
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines, ["a1\tdirect\tAnn Lee → \"We won all,\""], "{out}");
    }
}
