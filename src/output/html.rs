//! A self-contained HTML view: the article with entities coloured by type,
//! quotes highlighted and linked to their speakers, and a "who said what"
//! table grouped by speaker.
//!
//! The page makes no network fetches (inline CSS, no scripts, no fonts), so it
//! can be opened from disk, mailed, or archived next to the corpus run.
//!
//! Annotations may overlap (a speaker mention is also an entity mention; a
//! cue sits between two content spans), so the text is cut at every
//! annotation boundary and each piece gets the classes of everything that
//! covers it. That keeps the markup flat and valid whatever the overlaps.
//!
//! The page has no table of contents: each document's section depends on
//! that document alone, so [`HtmlSink`] writes the page as the documents come.
//! Only the page's title waits: unless the caller gives one, it names the
//! documents shown, so the first section is held back until the sink knows
//! whether a second follows.

use super::Sink;
use crate::document::{Document, Span};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};
use unicode_segmentation::UnicodeSegmentation;

const STYLE: &str = r#"
body { font: 16px/1.55 Georgia, serif; margin: 0; color: #222; background: #fafafa; }
header { padding: 12px 24px; background: #223; color: #fff; font-family: sans-serif; }
header h1 { font-size: 18px; margin: 0; }
.doc { display: flex; gap: 24px; padding: 16px 24px; border-bottom: 1px solid #ddd; }
.doc h2 { font: bold 14px sans-serif; color: #555; margin: 0 0 8px; }
article { flex: 3; white-space: pre-wrap; background: #fff; padding: 16px; border: 1px solid #e3e3e3; }
aside { flex: 2; font-family: sans-serif; font-size: 14px; }
aside table { border-collapse: collapse; width: 100%; }
aside td, aside th { border-bottom: 1px solid #e3e3e3; padding: 4px 6px; vertical-align: top; text-align: left; }
.ent { border-bottom: 2px solid; }
.ent-PER { border-color: #2b6cb0; color: #1a4b80; }
.ent-ORG { border-color: #2f855a; color: #22543d; }
.ent-LOC { border-color: #c05621; color: #7b341e; }
.ent-MISC, .ent-other { border-color: #6b46c1; color: #44337a; }
.quote { background: #fff3b0; }
.quote-indirect { background: #e6f0ff; }
.quote-mixed { background: #ffe6f0; }
.cue { text-decoration: underline wavy #c53030; }
.speaker { font-weight: bold; outline: 1px solid #999; }
a.who { font: 11px sans-serif; vertical-align: super; text-decoration: none; color: #555; }
.legend { display: inline-block; margin-top: 6px; padding: 3px 8px; background: #fff; color: #222; border-radius: 4px; }
.legend span { margin-right: 12px; }
"#;

/// Writes one HTML page holding any number of documents, as they come: the
/// page's head, a section per [`document`](Sink::document), the page's end at
/// [`finish`](Sink::finish). It holds at most one document's markup at a
/// time, whatever the corpus size.
///
/// The page's title (and heading) is the caller's, written at
/// [`begin`](Sink::begin); without one it names what the page shows — `ID —
/// saidwho` for one document, `ID and more — saidwho` (the first id) for
/// several, `saidwho — no documents` for none — and the head waits for the
/// second document (or the end): the first section is written with it.
///
/// ```
/// use saidwho::output::{HtmlSink, Sink};
/// let doc = saidwho::Pipeline::new().analyze("It rained <a lot>.").unwrap();
/// let mut html = Vec::new();
/// let mut page = HtmlSink::new(&mut html, None);
/// page.begin().unwrap();
/// page.document("a1", &doc).unwrap();
/// page.finish().unwrap();
/// let html = String::from_utf8(html).unwrap();
/// assert!(html.starts_with("<!DOCTYPE html>"));
/// assert!(html.contains("<title>a1 — saidwho</title>"));
/// assert!(html.contains("It rained &lt;a lot&gt;."));
/// assert!(html.ends_with("</html>\n"));
/// ```
#[derive(Debug)]
pub struct HtmlSink<W> {
    writer: W,
    /// The caller's title; `None`: named after the documents.
    title: Option<String>,
    /// Whether the page's head has been written.
    head_written: bool,
    /// Documents given so far: the next section's number.
    docs: usize,
    /// The first document's id and section, held while the title waits.
    held: Option<(String, String)>,
    /// The section being written, kept to reuse its allocation.
    buf: String,
}

impl<W: Write> HtmlSink<W> {
    /// A page written to `writer`, with the given title, or with `None` a
    /// title that names the documents shown.
    pub fn new(writer: W, title: Option<&str>) -> Self {
        HtmlSink {
            writer,
            title: title.map(str::to_string),
            head_written: false,
            docs: 0,
            held: None,
            buf: String::new(),
        }
    }
}

/// The title of a page without the caller's: the first document's id, and
/// whether more follow.
fn title_for(first: Option<&str>, more: bool) -> String {
    match (first, more) {
        (None, _) => "saidwho — no documents".to_string(),
        (Some(id), false) => format!("{id} — saidwho"),
        (Some(id), true) => format!("{id} and more — saidwho"),
    }
}

impl<W: Write> Sink for HtmlSink<W> {
    /// Writes the page's head when the caller gave a title; otherwise the
    /// head waits for the documents its title names.
    fn begin(&mut self) -> io::Result<()> {
        match &self.title {
            Some(title) => {
                let head = head(title);
                self.head_written = true;
                self.writer.write_all(head.as_bytes())
            }
            None => Ok(()),
        }
    }

    fn document(&mut self, id: &str, doc: &Document) -> io::Result<()> {
        let n = self.docs;
        self.docs += 1;
        let mut section = std::mem::take(&mut self.buf);
        section.clear();
        render_section(&mut section, n, id, doc);
        if self.head_written {
            let written = self.writer.write_all(section.as_bytes());
            self.buf = section;
            return written;
        }
        let title = match (&self.title, &self.held) {
            (Some(title), _) => title.clone(),
            (None, None) => {
                // The first document: its title waits to see if more follow.
                self.held = Some((id.to_string(), section));
                return Ok(());
            }
            (None, Some((first, _))) => title_for(Some(first), true),
        };
        let mut page = head(&title);
        if let Some((_, first)) = self.held.take() {
            page.push_str(&first);
        }
        page.push_str(&section);
        self.head_written = true;
        self.buf = section;
        self.writer.write_all(page.as_bytes())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        let mut end = String::new();
        if !self.head_written {
            let held = self.held.take();
            let title = match &self.title {
                Some(title) => title.clone(),
                None => title_for(held.as_ref().map(|(id, _)| id.as_str()), false),
            };
            end = head(&title);
            if let Some((_, section)) = held {
                end.push_str(&section);
            }
            self.head_written = true;
        }
        end.push_str("</body></html>\n");
        self.writer.write_all(end.as_bytes())?;
        self.writer.flush()
    }
}

/// One document's section of the page.
fn render_section(b: &mut String, n: usize, id: &str, doc: &Document) {
    let _ = write!(
        b,
        "<section class=\"doc\" id=\"d{n}\"><div style=\"flex:3\"><h2>{}</h2><article>",
        escape(id)
    );
    render_text(b, n, doc);
    b.push_str("</article></div><aside>");
    render_table(b, n, doc);
    b.push_str("</aside></section>\n");
}

/// The page's head, up to the first section.
fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title}</title><style>{STYLE}</style></head><body>\
             <header><h1>{title}</h1><div class=\"legend\">\
             <span class=\"ent ent-PER\">person</span><span class=\"ent ent-ORG\">organisation</span>\
             <span class=\"ent ent-LOC\">place</span><span class=\"ent ent-MISC\">other</span>\
             <span class=\"quote\">direct</span><span class=\"quote-indirect\">indirect</span>\
             <span class=\"quote-mixed\">mixed</span><span class=\"cue\">cue</span>\
             <span class=\"speaker\">speaker</span></div></header>\n",
        title = escape(title)
    )
}

/// One annotation of the text: a span and what it is.
struct Ann {
    span: Span,
    class: String,
    /// Markup written before the first piece of the annotation.
    open: Option<String>,
}

fn render_text(out: &mut String, n: usize, doc: &Document) {
    let text = doc.text.as_str();
    let valid = |s: Span| {
        s.start < s.end
            && s.end <= text.len()
            && text.is_char_boundary(s.start)
            && text.is_char_boundary(s.end)
    };
    let mut anns: Vec<Ann> = Vec::new();
    for e in &doc.entities {
        for m in &e.mentions {
            let label = match e.label.as_str() {
                l @ ("PER" | "ORG" | "LOC" | "MISC") => l,
                _ => "other",
            };
            anns.push(Ann {
                span: m.span,
                class: format!("ent ent-{label} e{n}-{}", e.id),
                open: None,
            });
        }
    }
    for (qi, q) in doc.quotes.iter().enumerate() {
        let kind = match q.kind {
            crate::QuoteKind::Direct => "quote",
            crate::QuoteKind::Indirect => "quote quote-indirect",
            crate::QuoteKind::Mixed => "quote quote-mixed",
        };
        let who = q
            .speaker
            .as_ref()
            .map(|s| speaker_name(doc, s.entity, s.span))
            .unwrap_or_else(|| "unknown speaker".to_string());
        for (ci, &c) in q.content.iter().enumerate() {
            let open = (ci == 0).then(|| {
                format!(
                    "<a id=\"q{n}-{qi}\" class=\"who\" href=\"#w{n}-{qi}\" title=\"{}\">[{}]</a>",
                    escape(&who),
                    qi + 1
                )
            });
            anns.push(Ann {
                span: c,
                class: kind.to_string(),
                open,
            });
        }
        if let Some(c) = q.cue {
            anns.push(Ann {
                span: c,
                class: "cue".into(),
                open: None,
            });
        }
        if let Some(s) = &q.speaker {
            anns.push(Ann {
                span: s.span,
                class: "speaker".into(),
                open: None,
            });
        }
    }
    anns.retain(|a| valid(a.span));

    // Sweep over boundaries: events sorted by position.
    let mut events: Vec<(usize, bool, usize)> = Vec::with_capacity(anns.len() * 2);
    for (i, a) in anns.iter().enumerate() {
        events.push((a.span.start, true, i));
        events.push((a.span.end, false, i));
    }
    events.sort_unstable();
    let mut active: BTreeMap<usize, ()> = BTreeMap::new();
    let mut pos = 0;
    let mut ev = 0;
    while pos < text.len() || ev < events.len() {
        while ev < events.len() && events[ev].0 == pos {
            let (_, start, i) = events[ev];
            if start {
                if let Some(open) = &anns[i].open {
                    out.push_str(open);
                }
                active.insert(i, ());
            } else {
                active.remove(&i);
            }
            ev += 1;
        }
        let next = events.get(ev).map_or(text.len(), |e| e.0).max(pos);
        if next == pos {
            if ev >= events.len() {
                break;
            }
            continue;
        }
        let piece = &text[pos..next];
        if active.is_empty() {
            out.push_str(&escape(piece));
        } else {
            let classes: Vec<&str> = active.keys().map(|&i| anns[i].class.as_str()).collect();
            let _ = write!(
                out,
                "<span class=\"{}\">{}</span>",
                classes.join(" "),
                escape(piece)
            );
        }
        pos = next;
    }
}

fn speaker_name(doc: &Document, entity: Option<usize>, span: Span) -> String {
    match entity.and_then(|id| doc.entity(id)) {
        Some(e) => e.name.clone(),
        None => doc.slice(span).to_string(),
    }
}

fn render_table(out: &mut String, n: usize, doc: &Document) {
    // Group quotes by speaker: entity name, or the speaker's words, or unknown.
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (qi, q) in doc.quotes.iter().enumerate() {
        let key = q
            .speaker
            .as_ref()
            .map(|s| speaker_name(doc, s.entity, s.span))
            .unwrap_or_else(|| "(unknown)".into());
        groups.entry(key).or_default().push(qi);
    }
    let _ = write!(
        out,
        "<h2>Who said what — {} quotes, {} entities</h2><table><tr><th>speaker</th><th>quotes</th></tr>",
        doc.quotes.len(),
        doc.entities.len()
    );
    for (who, qs) in &groups {
        let _ = write!(out, "<tr><td>{}</td><td>", escape(who));
        for &qi in qs {
            let _ = write!(
                out,
                "<div id=\"w{n}-{qi}\"><a href=\"#q{n}-{qi}\">[{}]</a> {}</div>",
                qi + 1,
                escape(&preview(doc, &doc.quotes[qi]))
            );
        }
        out.push_str("</td></tr>");
    }
    out.push_str("</table>");
}

/// Graphemes of each content part the who-said-what table shows.
const PREVIEW_GRAPHEMES: usize = 90;

/// A quote as the table shows it: every content part, each cut to
/// [`PREVIEW_GRAPHEMES`] with `…` where (and only where) it was cut, joined
/// by a space as [`Document::quote_text`] joins them.
fn preview(doc: &Document, quote: &crate::Quote) -> String {
    let mut out = String::new();
    for (i, &span) in quote.content.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        // Whole grapheme clusters: never cut an emoji sequence or a letter
        // from its combining accent.
        let mut graphemes = doc.slice(span).graphemes(true);
        out.extend(graphemes.by_ref().take(PREVIEW_GRAPHEMES));
        if graphemes.next().is_some() {
            out.push('…');
        }
    }
    out
}

/// Escapes text for HTML element content and attribute values.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{tests::render, tests::two_docs, Format};
    use super::*;
    use crate::{Entity, Label, Mention, MentionKind, Quote, QuoteKind, Sentence, Speaker};

    fn doc() -> Document {
        let text = "\"We won,\" said Ann Lee. Lee left.".to_string();
        let m = |s, e| Mention {
            span: Span::new(s, e),
            label: Label::Per,
            score: Some(0.9),
            kind: MentionKind::Name,
        };
        Document {
            sentences: vec![Sentence {
                span: Span::new(0, 23),
            }],
            entities: vec![Entity {
                id: 0,
                label: Label::Per,
                name: "Ann Lee".into(),
                mentions: vec![m(15, 22), m(24, 27)],
            }],
            quotes: vec![Quote {
                kind: QuoteKind::Direct,
                content: vec![Span::new(1, 7)],
                cue: Some(Span::new(10, 14)),
                speaker: Some(Speaker {
                    span: Span::new(15, 22),
                    entity: Some(0),
                }),
                origin: Default::default(),
            }],
            text,
        }
    }

    #[test]
    fn every_character_of_the_text_is_on_the_page_once() {
        let d = doc();
        let mut out = String::new();
        render_text(&mut out, 0, &d);
        // Strip tags; the text must come back whole.
        let mut plain = String::new();
        let mut in_tag = false;
        for c in out.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                _ if !in_tag => plain.push(c),
                _ => {}
            }
        }
        assert_eq!(plain.replace("[1]", "").replace("&quot;", "\""), d.text);
        assert!(
            out.contains("class=\"ent ent-PER e0-0 speaker\">Ann Lee</span>"),
            "{out}"
        );
        assert!(out.contains("<span class=\"quote\">We won</span>"), "{out}");
    }

    #[test]
    fn table_groups_by_entity_name() {
        let html = render(Format::Html, &[("x", doc())]);
        assert!(html.contains("<td>Ann Lee</td>"));
        assert!(html.contains("href=\"#q0-0\""));
        assert!(!html.contains("http://") && !html.contains("https://"));
    }

    #[test]
    fn table_preview_keeps_grapheme_clusters_whole() {
        let mut d = doc();
        let family = "👩\u{200d}👩\u{200d}👧";
        d.text = format!(
            "\"{}\" said Ann Lee. Lee left.",
            format!("e\u{301}{family}").repeat(60)
        );
        d.quotes[0].content = vec![Span::new(1, d.text.rfind('"').unwrap())];
        d.quotes[0].cue = None;
        d.quotes[0].speaker = None;
        d.entities.clear();
        let mut out = String::new();
        render_table(&mut out, 0, &d);
        let preview = out
            .split("[1]</a> ")
            .nth(1)
            .unwrap()
            .split('…')
            .next()
            .unwrap();
        assert_eq!(preview, format!("e\u{301}{family}").repeat(45));
    }

    #[test]
    fn bad_spans_are_skipped_not_panicked_on() {
        let mut d = doc();
        d.text = "é".into();
        assert!(render(Format::Html, &[("x", d)]).contains("é"));
    }

    #[test]
    fn a_page_of_documents_in_order_begun_and_finished_once() {
        let html = render(Format::Html, &two_docs());
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
        assert_eq!(html.matches("<!DOCTYPE html>").count(), 1);
        assert!(html.contains("<title>T</title>"));
        assert_eq!(html.matches("</body></html>").count(), 1);
        assert!(html.ends_with("</aside></section>\n</body></html>\n"));
        let a1 = html.find("<section class=\"doc\" id=\"d0\"><div style=\"flex:3\"><h2>a1</h2>");
        let a2 = html.find("<section class=\"doc\" id=\"d1\"><div style=\"flex:3\"><h2>a2</h2>");
        assert!(a1.is_some() && a1 < a2, "{html}");
        assert!(html.contains("&lt;Lee&gt; &amp; co left."));
        assert_eq!(html.matches("<section").count(), 2);
    }

    #[test]
    fn each_part_is_written_when_it_is_given() {
        let [(id, d), _] = two_docs();
        let mut out = Vec::new();
        let mut sink = HtmlSink::new(&mut out, Some("<T>"));
        sink.begin().unwrap();
        let head = sink.writer.len();
        assert!(sink.writer.ends_with(b"</header>\n"));
        assert!(std::str::from_utf8(&sink.writer[..])
            .unwrap()
            .contains("<h1>&lt;T&gt;</h1>"));
        sink.document(id, &d).unwrap();
        assert!(sink.writer[head..].starts_with(b"<section"));
        assert!(sink.writer.ends_with(b"</section>\n"));
        sink.finish().unwrap();
        assert!(out.ends_with(b"</section>\n</body></html>\n"));
    }

    #[test]
    fn the_table_shows_every_part_and_cuts_only_what_is_long() {
        let mut d = doc();
        d.text = "\"We won,\" said Ann Lee, \"and we rest.\" Lee left.".into();
        d.quotes[0].content = vec![Span::new(1, 8), Span::new(25, 37)];
        d.quotes[0].cue = Some(Span::new(10, 14));
        d.quotes[0].speaker = Some(Speaker {
            span: Span::new(15, 22),
            entity: Some(0),
        });
        d.entities[0].mentions = vec![];
        let mut out = String::new();
        render_table(&mut out, 0, &d);
        assert!(out.contains("[1]</a> We won, and we rest.</div>"), "{out}");
        assert!(!out.contains('…'), "{out}");
    }

    #[test]
    fn the_title_names_the_documents_unless_the_caller_gives_one() {
        let docs = two_docs();
        let page = |docs: &[(&str, Document)], title: Option<&str>| {
            let mut out = Vec::new();
            let mut sink = HtmlSink::new(&mut out, title);
            sink.begin().unwrap();
            for (id, d) in docs {
                sink.document(id, d).unwrap();
            }
            sink.finish().unwrap();
            String::from_utf8(out).unwrap()
        };
        for (docs, title) in [
            (&docs[..0], "saidwho — no documents"),
            (&docs[..1], "a1 — saidwho"),
            (&docs[..], "a1 and more — saidwho"),
        ] {
            let html = page(docs, None);
            assert!(html.contains(&format!("<title>{title}</title>")), "{html}");
            assert!(html.contains(&format!("<h1>{title}</h1>")), "{html}");
            assert_eq!(html.matches("<section").count(), docs.len());
            assert_eq!(html, page(docs, Some(title)), "held or not, the same page");
        }
    }

    #[test]
    fn without_a_title_the_first_section_waits_for_the_second() {
        let [(a, da), (b, db)] = two_docs();
        let mut sink = HtmlSink::new(Vec::new(), None);
        sink.begin().unwrap();
        sink.document(a, &da).unwrap();
        assert!(sink.writer.is_empty());
        sink.document(b, &db).unwrap();
        let page = String::from_utf8(sink.writer.clone()).unwrap();
        assert!(page.contains("<h2>a1</h2>") && page.ends_with("</section>\n"));
        assert_eq!(page.matches("<section").count(), 2);
    }

    #[test]
    fn an_empty_page_is_still_a_page() {
        let html = render(Format::Html, &[]);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.ends_with("</header>\n</body></html>\n"));
    }
}
