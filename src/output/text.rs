//! A plain-text view: one line per quote, speaker → content.

use crate::document::Document;
use std::fmt::Write as _;

/// One line per quote: `id<TAB>kind<TAB>speaker → "content … content"`, where
/// the speaker is the entity's canonical name, or the speaker's words, or `?`.
///
/// ```
/// use saidwho::output::text::quotes_table;
/// let doc = saidwho::Pipeline::new().analyze("No quotes here.").unwrap();
/// assert_eq!(quotes_table("a", &doc), "");
/// ```
pub fn quotes_table(id: &str, doc: &Document) -> String {
    let mut out = String::new();
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
        let line = format!("{speaker} → \"{}\"", content.join(" … "));
        let _ = writeln!(out, "{id}\t{kind}\t{}", line.replace(['\n', '\t'], " "));
    }
    out
}
