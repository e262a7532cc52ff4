//! The document model: what a [`Pipeline`](crate::Pipeline) returns.
//!
//! Every position is a [`Span`], a **byte** range into the original text that
//! was given to the pipeline — never into a normalised copy — so
//! `&text[span.start..span.end]` is always the surface form the writer typed.
//! Byte offsets are what Rust slices with; for JSON consumers in other
//! languages, [`CharIndex`] turns them into Unicode code-point offsets.
//!
//! All types derive serde so that a [`Document`] can be stored and reloaded
//! losslessly.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A half-open byte range `start..end` into a document's text.
///
/// Spans produced by saidwho always lie on UTF-8 character boundaries.
///
/// ```
/// use saidwho::Span;
/// let text = "Zelensky’s forces";
/// let span = Span::new(0, 8);
/// assert_eq!(span.text(text), "Zelensky");
/// // The curly apostrophe is three bytes but one code point.
/// assert_eq!(Span::new(11, 17).char_range(text), (9, 15));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Span {
    /// First byte of the span.
    pub start: usize,
    /// One past the last byte of the span.
    pub end: usize,
}

impl Span {
    /// Creates a span; `start` must not exceed `end` (an inverted range is
    /// clamped to an empty span at `start`).
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start,
            end: end.max(start),
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// True when the span covers no text.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The text the span covers, or `""` when the span does not fit `text`
    /// (wrong document, or not on character boundaries).
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.start..self.end).unwrap_or("")
    }

    /// The span as code-point offsets `(start, end)` into `text`.
    ///
    /// This walks the text up to `end`; to convert many spans of one text,
    /// build a [`CharIndex`] once instead.
    pub fn char_range(&self, text: &str) -> (usize, usize) {
        let start = char_count(text, self.start);
        let end = start + char_count(text.get(self.start..).unwrap_or(""), self.len());
        (start, end)
    }

    /// True when `other` lies entirely inside `self`.
    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// True when the two spans share at least one byte.
    pub fn overlaps(&self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Number of bytes the two spans share.
    pub fn overlap(&self, other: Span) -> usize {
        self.end
            .min(other.end)
            .saturating_sub(self.start.max(other.start))
    }

    /// The smallest span covering both.
    pub fn cover(&self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Self {
        Span::new(r.start, r.end)
    }
}

/// Counts the chars in the first `bytes` bytes of `text` (clamped to the text,
/// and to the previous char boundary).
fn char_count(text: &str, bytes: usize) -> usize {
    let bytes = bytes.min(text.len());
    text.as_bytes()[..bytes]
        .iter()
        .filter(|&&b| (b as i8) >= -0x40) // not a UTF-8 continuation byte
        .count()
}

/// Converts byte offsets of one text to code-point offsets in O(log n) each.
///
/// ```
/// use saidwho::{CharIndex, Span};
/// let text = "«Да», сказал он.";
/// let index = CharIndex::new(text);
/// let span = Span::new(2, 6); // "Да"
/// assert_eq!(span.text(text), "Да");
/// assert_eq!(index.char_range(span), (1, 3));
/// ```
#[derive(Debug, Clone)]
pub struct CharIndex<'a> {
    text: &'a str,
    /// `starts[i]` = byte offset of char number `i * STRIDE` (empty for
    /// ASCII text, where bytes and chars coincide).
    starts: Vec<usize>,
}

const STRIDE: usize = 64;

impl<'a> CharIndex<'a> {
    /// Indexes `text` in one pass.
    pub fn new(text: &'a str) -> Self {
        let starts = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices()
                .step_by(STRIDE)
                .map(|(b, _)| b)
                .collect()
        };
        CharIndex { text, starts }
    }

    /// Code-point offset of byte offset `byte` (clamped to the text length).
    pub fn char_offset(&self, byte: usize) -> usize {
        let byte = byte.min(self.text.len());
        if self.starts.is_empty() {
            return byte;
        }
        // Last sampled char start at or before `byte`.
        let k = match self.starts.binary_search(&byte) {
            Ok(k) => return k * STRIDE,
            Err(k) => k.saturating_sub(1),
        };
        k * STRIDE + char_count(&self.text[self.starts[k]..], byte - self.starts[k])
    }

    /// Code-point range of a span.
    pub fn char_range(&self, span: Span) -> (usize, usize) {
        (self.char_offset(span.start), self.char_offset(span.end))
    }
}

/// One sentence of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sentence {
    /// Where the sentence lies; leading and trailing white space excluded.
    pub span: Span,
}

/// The type of a named entity, as predicted by the NER model.
///
/// The four CoNLL-2003 types have their own variants; any other label a
/// model uses (OntoNotes `GPE`, `NORP`, …) is kept as [`Label::Other`].
///
/// ```
/// use saidwho::Label;
/// assert_eq!(Label::from("PER"), Label::Per);
/// assert_eq!(Label::from("GPE").as_str(), "GPE");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Label {
    /// A person.
    Per,
    /// An organisation (companies, ministries, newspapers, parties).
    Org,
    /// A location (countries, cities, regions).
    Loc,
    /// Other names (nationalities, events, products).
    Misc,
    /// Any other label of the model, verbatim.
    Other(String),
}

impl Label {
    /// The label as the model spells it (`"PER"`, `"ORG"`, …).
    pub fn as_str(&self) -> &str {
        match self {
            Label::Per => "PER",
            Label::Org => "ORG",
            Label::Loc => "LOC",
            Label::Misc => "MISC",
            Label::Other(s) => s,
        }
    }
}

impl From<&str> for Label {
    fn from(s: &str) -> Self {
        match s {
            "PER" | "PERSON" => Label::Per,
            "ORG" | "ORGANIZATION" => Label::Org,
            "LOC" | "LOCATION" => Label::Loc,
            "MISC" => Label::Misc,
            other => Label::Other(other.to_string()),
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Label {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Label {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Label::from(s.as_str()))
    }
}

/// How a mention refers to its entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MentionKind {
    /// A name found by the NER model ("Dmitry Medvedev", "Medvedev").
    #[default]
    Name,
    /// A pronoun resolved to the entity ("he", "its").
    Pronoun,
    /// A common noun phrase resolved to the entity ("the ministry").
    Nominal,
}

/// One mention of an entity in the text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    /// Where the mention lies.
    pub span: Span,
    /// Its entity type.
    pub label: Label,
    /// The model's confidence in `0.0..=1.0`: for names, the mean
    /// probability of the model's labels over the mention's words. `None`
    /// when no model scored the mention: pronouns and nominals, which the
    /// entity rules add, have no score (rather than a made-up `1.0`).
    #[serde(default)]
    pub score: Option<f32>,
    /// Name, pronoun or nominal.
    #[serde(default)]
    pub kind: MentionKind,
}

/// Identifier of an [`Entity`] within one [`Document`]: its index in
/// [`Document::entities`].
pub type EntityId = usize;

/// A person, organisation, place or other named thing, with every mention of
/// it in the document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// Index of the entity in [`Document::entities`].
    pub id: EntityId,
    /// Its type.
    pub label: Label,
    /// Canonical name: the fullest name form used in the text, titles removed.
    pub name: String,
    /// All mentions, in text order.
    pub mentions: Vec<Mention>,
}

/// What kind of quote a [`Quote`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuoteKind {
    /// Words between quote marks: `"We will win," she said.`
    Direct,
    /// Reported speech: `The ministry said that the attack failed.`
    Indirect,
    /// Reported speech with a quoted fragment: `He said there will be no
    /// talks "until the enemy is defeated."`
    Mixed,
}

/// Where a quote came from: the hand-written rules, the learned span
/// model ([`crate::quotes::SpanModel`]), or both (the model proposed a
/// content the rules found too; the rules' spans are kept).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// Found by the rules alone (cue shapes, quote marks).
    #[default]
    Rules,
    /// Proposed by the span model alone; attributed by the rules.
    Model,
    /// Found by the rules and proposed by the model.
    Both,
}

impl Origin {
    /// Every origin, in the order of the variants.
    pub const ALL: [Origin; 3] = [Origin::Rules, Origin::Model, Origin::Both];

    /// Its name in the JSON output: `rules`, `model` or `both`.
    pub fn name(self) -> &'static str {
        match self {
            Origin::Rules => "rules",
            Origin::Model => "model",
            Origin::Both => "both",
        }
    }
}

/// Who said a quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Speaker {
    /// The words in the text that name the speaker at this quote ("he",
    /// "the ministry", "President Volodymyr Zelensky").
    pub span: Span,
    /// The entity those words refer to, when it is known.
    pub entity: Option<EntityId>,
}

/// One attributed statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// Direct, indirect or mixed.
    pub kind: QuoteKind,
    /// The quoted or reported words. Several spans when the writer split the
    /// quote: `"A," he said, "B."` is one quote with two content spans.
    pub content: Vec<Span>,
    /// The speech verb or phrase ("said", "according to"), when there is one.
    pub cue: Option<Span>,
    /// The speaker, when it can be told; `None` rather than a guess.
    pub speaker: Option<Speaker>,
    /// Where the quote came from (rules, model or both).
    #[serde(default)]
    pub origin: Origin,
}

/// Everything saidwho found in one text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// The text as given.
    pub text: String,
    /// Sentences in text order; together they cover every non-space character.
    pub sentences: Vec<Sentence>,
    /// Entities, each with all its mentions.
    pub entities: Vec<Entity>,
    /// Quotes in text order of their first content span.
    pub quotes: Vec<Quote>,
}

impl Document {
    /// The text covered by `span`.
    pub fn slice(&self, span: Span) -> &str {
        span.text(&self.text)
    }

    /// The entity with this id.
    pub fn entity(&self, id: EntityId) -> Option<&Entity> {
        self.entities.get(id)
    }

    /// The entity a quote's speaker refers to, when it is known.
    pub fn speaker_entity(&self, quote: &Quote) -> Option<&Entity> {
        self.entity(quote.speaker.as_ref()?.entity?)
    }

    /// Who said `quote`, by name: the canonical name of the speaker's entity
    /// ("Ann Lee" where the text says "she"); when the speaker is linked to
    /// no entity, the words that name the speaker at the quote ("a
    /// spokesman"); `None` when the speaker is unknown.
    ///
    /// ```
    /// use saidwho::ner::Recognizer;
    /// use saidwho::{Label, Mention, MentionKind, Pipeline, Sentence, Span};
    ///
    /// /// A stand-in for the NER model that knows one name.
    /// struct AnnLee;
    /// impl Recognizer for AnnLee {
    ///     fn recognize(&self, text: &str, _: &[Sentence]) -> saidwho::Result<Vec<Mention>> {
    ///         Ok(text.match_indices("Ann Lee").map(|(at, name)| Mention {
    ///             span: Span::new(at, at + name.len()),
    ///             label: Label::Per,
    ///             score: Some(0.99),
    ///             kind: MentionKind::Name,
    ///         }).collect())
    ///     }
    /// }
    ///
    /// let text = "Ann Lee arrived. “We won,” she said. “No,” a guard replied.";
    /// let doc = Pipeline::without_ner().with_recognizer(AnnLee).analyze(text)?;
    /// let [won, no] = &doc.quotes[..] else { panic!("two quotes") };
    /// assert_eq!(doc.slice(won.speaker.as_ref().unwrap().span), "she");
    /// assert_eq!(doc.speaker_name(won), Some("Ann Lee")); // her entity's name
    /// assert_eq!(doc.speaker_name(no), Some("a guard")); // no entity: the words
    /// # Ok::<(), saidwho::Error>(())
    /// ```
    pub fn speaker_name(&self, quote: &Quote) -> Option<&str> {
        match self.speaker_entity(quote) {
            Some(entity) => Some(&entity.name),
            None => Some(self.slice(quote.speaker.as_ref()?.span)),
        }
    }

    /// A quote's words as one string: the text of its content spans, in
    /// order, joined by one space. A quote the writer split around its cue
    /// (`"We won," she said, "and we rest."`) reads as one sentence: `We
    /// won, and we rest.`
    ///
    /// ```
    /// let doc = saidwho::Pipeline::without_ner()
    ///     .analyze("“We won,” said Ann Lee, “and now we rest.”")?;
    /// let quote = &doc.quotes[0];
    /// assert_eq!(quote.content.len(), 2);
    /// assert_eq!(doc.quote_text(quote), "We won, and now we rest.");
    /// # Ok::<(), saidwho::Error>(())
    /// ```
    pub fn quote_text(&self, quote: &Quote) -> String {
        let mut out = String::new();
        for (i, &span) in quote.content.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(self.slice(span));
        }
        out
    }

    /// Checks the guarantees every document saidwho produces must satisfy,
    /// and says which one is broken: all spans on char boundaries of the
    /// text; sentences in order, non-overlapping, trimmed and together
    /// covering every non-whitespace character; entity ids equal to their
    /// index; quote content non-empty and never overlapping its own cue;
    /// speaker entities that exist.
    ///
    /// Tests and fuzz targets call it; it is cheap enough for production
    /// assertions too (linear in the document).
    ///
    /// ```
    /// use saidwho::{Document, Sentence, Span};
    /// let mut doc = saidwho::Pipeline::without_ner().analyze("One. Two.").unwrap();
    /// assert!(doc.validate().is_ok());
    /// doc.sentences.push(Sentence { span: Span::new(0, 3) });
    /// assert!(doc.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<(), String> {
        let text = self.text.as_str();
        let check = |what: &str, s: Span| -> Result<(), String> {
            if s.start <= s.end
                && s.end <= text.len()
                && text.is_char_boundary(s.start)
                && text.is_char_boundary(s.end)
            {
                Ok(())
            } else {
                Err(format!(
                    "{what} {s} is not a span of the text on char boundaries"
                ))
            }
        };
        let mut last_end = 0;
        for s in &self.sentences {
            check("sentence", s.span)?;
            if s.span.is_empty() || s.span.start < last_end {
                return Err(format!(
                    "sentence {} is empty, overlaps or is out of order",
                    s.span
                ));
            }
            let t = s.span.text(text);
            if t.trim() != t {
                return Err(format!("sentence {} is not trimmed", s.span));
            }
            if !text[last_end..s.span.start].trim().is_empty() {
                return Err(format!(
                    "text {}..{} lies in no sentence",
                    last_end, s.span.start
                ));
            }
            last_end = s.span.end;
        }
        if !text[last_end..].trim().is_empty() {
            return Err(format!("text after byte {last_end} lies in no sentence"));
        }
        for (i, e) in self.entities.iter().enumerate() {
            if e.id != i {
                return Err(format!("entity at index {i} has id {}", e.id));
            }
            for m in &e.mentions {
                check("mention", m.span)?;
                if m.span.is_empty() {
                    return Err(format!("entity {i} has an empty mention"));
                }
            }
        }
        for (i, q) in self.quotes.iter().enumerate() {
            if q.content.is_empty() {
                return Err(format!("quote {i} has no content"));
            }
            if let Some(cue) = q.cue {
                check("cue", cue)?;
            }
            for &c in &q.content {
                check("quote content", c)?;
                if c.is_empty() {
                    return Err(format!("quote {i} has an empty content span"));
                }
                if q.cue.is_some_and(|cue| cue.overlaps(c)) {
                    return Err(format!("quote {i}: content {c} overlaps its cue"));
                }
            }
            if let Some(sp) = &q.speaker {
                check("speaker", sp.span)?;
                if sp.entity.is_some_and(|id| id >= self.entities.len()) {
                    return Err(format!("quote {i}: speaker entity does not exist"));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_text_out_of_range_is_empty() {
        assert_eq!(Span::new(3, 10).text("abc"), "");
        assert_eq!(Span::new(1, 2).text("é"), ""); // not a char boundary
    }

    #[test]
    fn char_index_matches_naive_count() {
        let text = "a“b”c😀d é ж\u{301}x".repeat(40);
        let index = CharIndex::new(&text);
        for (b, _) in text.char_indices().chain([(text.len(), ' ')]) {
            assert_eq!(index.char_offset(b), text[..b].chars().count(), "byte {b}");
        }
    }

    #[test]
    fn overlap_and_cover() {
        let a = Span::new(0, 5);
        let b = Span::new(3, 9);
        assert!(a.overlaps(b));
        assert_eq!(a.overlap(b), 2);
        assert_eq!(a.cover(b), Span::new(0, 9));
        assert!(!a.overlaps(Span::new(5, 6)));
    }

    #[test]
    fn label_serde_roundtrip() {
        let json = serde_json::to_string(&vec![Label::Per, Label::Other("GPE".into())]).unwrap();
        assert_eq!(json, r#"["PER","GPE"]"#);
        let back: Vec<Label> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, vec![Label::Per, Label::Other("GPE".into())]);
    }
}
