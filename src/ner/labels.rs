//! Label schemes and their decoding from per-word tags to entity chunks.
//!
//! Models name their classes `O`, `B-PER`, `I-PER`, … (IOB2/BIO), sometimes
//! with `E-`/`S-` (BIOES) or `L-`/`U-` (BILOU) prefixes; old corpora such as
//! CoNLL-2003 use IOB1, where `B-` only separates two adjacent chunks of one
//! type. One lenient decoder reads them all, with conlleval semantics: a
//! chunk starts at `B`/`S`, or at an `I`/`E` whose type differs from the
//! open chunk's (so `O I-PER` starts a chunk), and ends before `O`, `B`, `S`
//! or a type change, or after `E`/`S`.

use crate::document::Label;
use crate::error::{Error, Result};
use std::fmt;
use std::str::FromStr;

/// How a model's labels encode chunk boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LabelScheme {
    /// IOB2: every chunk starts with `B-`.
    Bio,
    /// IOB1: chunks start with `I-`; `B-` only between two chunks of one type.
    Iob1,
    /// BIOES/BILOU: `B-` begin, `I-` inside, `E-`/`L-` end, `S-`/`U-` single.
    Bioes,
}

impl LabelScheme {
    /// The scheme's name as written in `models.toml`.
    pub fn as_str(&self) -> &'static str {
        match self {
            LabelScheme::Bio => "bio",
            LabelScheme::Iob1 => "iob1",
            LabelScheme::Bioes => "bioes",
        }
    }
}

impl fmt::Display for LabelScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LabelScheme {
    type Err = Error;
    /// Parses `bio`/`iob2`, `iob1`, `bioes`/`iobes`/`bilou` (any case).
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "bio" | "iob2" | "iob" => Ok(LabelScheme::Bio),
            "iob1" => Ok(LabelScheme::Iob1),
            "bioes" | "iobes" | "bilou" | "bioul" => Ok(LabelScheme::Bioes),
            other => Err(Error::LabelMap(format!(
                "unknown label scheme `{other}`; expected bio, iob1, bioes or bilou"
            ))),
        }
    }
}

/// The position part of a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Prefix {
    /// `B-`: begins a chunk.
    Begin,
    /// `I-`: inside (or, leniently, begins) a chunk.
    Inside,
    /// `E-`/`L-`: ends a chunk.
    End,
    /// `S-`/`U-`: a one-word chunk.
    Single,
}

/// Parses a tag: `Ok(None)` for `O`, `Ok(Some((prefix, type)))` otherwise,
/// `Err` for a string that is no tag (`"PER"`, `"X-PER"`, `"B-"`).
///
/// ```
/// use saidwho::ner::{parse_tag, Prefix};
/// assert_eq!(parse_tag("O"), Ok(None));
/// assert_eq!(parse_tag("U-LOC"), Ok(Some((Prefix::Single, "LOC"))));
/// assert!(parse_tag("PER").is_err());
/// ```
pub fn parse_tag(tag: &str) -> std::result::Result<Option<(Prefix, &str)>, String> {
    if tag == "O" {
        return Ok(None);
    }
    let mut chars = tag.char_indices();
    let prefix = match chars.next().map(|(_, c)| c) {
        Some('B') => Prefix::Begin,
        Some('I') => Prefix::Inside,
        Some('E') | Some('L') => Prefix::End,
        Some('S') | Some('U') => Prefix::Single,
        _ => return Err(format!("`{tag}` is not O nor a B-/I-/E-/S-/L-/U- tag")),
    };
    match tag.get(1..2) {
        Some("-") | Some("_") if tag.len() > 2 => Ok(Some((prefix, &tag[2..]))),
        _ => Err(format!("`{tag}` is not O nor a B-/I-/E-/S-/L-/U- tag")),
    }
}

/// A decoded chunk: words `start..end` of type `ty`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk<T> {
    /// First word.
    pub start: usize,
    /// One past the last word.
    pub end: usize,
    /// The chunk's type.
    pub ty: T,
}

/// Decodes a tag sequence (`None` = `O`) into chunks, leniently (see the
/// module docs); works for IOB1, IOB2, BIOES and BILOU alike.
///
/// ```
/// use saidwho::ner::{chunks, parse_tag};
/// let tags = ["B-PER", "I-PER", "O", "I-LOC", "B-LOC"];
/// let parsed = tags.iter().map(|t| parse_tag(t).unwrap());
/// let c = chunks(parsed);
/// assert_eq!(c.iter().map(|c| (c.start, c.end, c.ty)).collect::<Vec<_>>(),
///            [(0, 2, "PER"), (3, 4, "LOC"), (4, 5, "LOC")]);
/// ```
pub fn chunks<T: PartialEq>(tags: impl IntoIterator<Item = Option<(Prefix, T)>>) -> Vec<Chunk<T>> {
    let mut out = Vec::new();
    let mut open: Option<Chunk<T>> = None;
    for (i, tag) in tags.into_iter().enumerate() {
        match tag {
            None => out.extend(open.take()),
            Some((prefix, ty)) => {
                let continues = matches!(prefix, Prefix::Inside | Prefix::End)
                    && open.as_ref().is_some_and(|c| c.ty == ty);
                if continues {
                    if let Some(c) = open.as_mut() {
                        c.end = i + 1;
                    }
                } else {
                    out.extend(open.take());
                    open = Some(Chunk {
                        start: i,
                        end: i + 1,
                        ty,
                    });
                }
                if matches!(prefix, Prefix::End | Prefix::Single) {
                    out.extend(open.take());
                }
            }
        }
    }
    out.extend(open);
    out
}

/// A model's classes, understood: for each class id its tag, and the entity
/// types.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelMap {
    names: Vec<String>,
    tags: Vec<Option<(Prefix, usize)>>,
    types: Vec<Label>,
    scheme: LabelScheme,
}

impl LabelMap {
    /// Understands `labels` (class names by id). The scheme is detected
    /// (`E-`/`S-`/`L-`/`U-` tags → BIOES, otherwise BIO) unless `scheme`
    /// sets it, in which case the labels must fit it.
    pub fn new(labels: &[String], scheme: Option<LabelScheme>) -> Result<Self> {
        let mut tags = Vec::with_capacity(labels.len());
        let mut types: Vec<Label> = Vec::new();
        for name in labels {
            let tag = parse_tag(name).map_err(|e| {
                Error::LabelMap(format!(
                    "{e}; saidwho decodes labels O, B-X, I-X (BIO/IOB1) and E-X, S-X (BIOES) \
                     or L-X, U-X (BILOU)"
                ))
            })?;
            tags.push(tag.map(|(prefix, ty)| {
                let label = Label::from(ty);
                let id = match types.iter().position(|t| *t == label) {
                    Some(id) => id,
                    None => {
                        types.push(label);
                        types.len() - 1
                    }
                };
                (prefix, id)
            }));
        }
        if !tags.iter().any(Option::is_none) {
            return Err(Error::LabelMap(format!(
                "no `O` class among {labels:?}; a NER model needs one for words outside names"
            )));
        }
        if tags.iter().filter(|t| t.is_none()).count() > 1 {
            return Err(Error::LabelMap(format!("`O` appears twice in {labels:?}")));
        }
        let has_es = tags
            .iter()
            .flatten()
            .any(|(p, _)| matches!(p, Prefix::End | Prefix::Single));
        let scheme = match scheme {
            None if has_es => LabelScheme::Bioes,
            None => LabelScheme::Bio,
            Some(s @ (LabelScheme::Bio | LabelScheme::Iob1)) if has_es => {
                return Err(Error::LabelMap(format!(
                    "scheme {s} was set but the labels {labels:?} have E-/S-/L-/U- tags; \
                     set scheme = \"bioes\" (or \"auto\")"
                )))
            }
            Some(s) => s,
        };
        Ok(LabelMap {
            names: labels.to_vec(),
            tags,
            types,
            scheme,
        })
    }

    /// Number of classes.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when there are no classes (never, for a valid map).
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The class names by id.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The scheme in use.
    pub fn scheme(&self) -> LabelScheme {
        self.scheme
    }

    /// The tag of class `id`: `None` for `O` (and for an id out of range).
    pub fn tag(&self, id: usize) -> Option<(Prefix, usize)> {
        self.tags.get(id).copied().flatten()
    }

    /// The entity type with index `ty` (as in [`tag`](Self::tag)).
    pub fn entity_type(&self, ty: usize) -> Option<&Label> {
        self.types.get(ty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn decode(tags: &[&str]) -> Vec<(usize, usize, String)> {
        chunks(tags.iter().map(|t| parse_tag(t).unwrap()))
            .into_iter()
            .map(|c| (c.start, c.end, c.ty.to_string()))
            .collect()
    }

    #[test]
    fn bio_decoding() {
        assert_eq!(
            decode(&["B-PER", "I-PER", "B-PER", "O", "B-LOC", "I-ORG"]),
            [
                (0, 2, "PER".into()),
                (2, 3, "PER".into()),
                (4, 5, "LOC".into()),
                (5, 6, "ORG".into())
            ]
        );
    }

    #[test]
    fn iob1_decoding() {
        // IOB1: I- opens, B- separates two adjacent chunks of one type.
        assert_eq!(
            decode(&["I-PER", "I-PER", "B-PER", "O", "I-LOC"]),
            [
                (0, 2, "PER".into()),
                (2, 3, "PER".into()),
                (4, 5, "LOC".into())
            ]
        );
    }

    #[test]
    fn bioes_and_bilou_decoding() {
        let expected = [
            (0, 3, "ORG".into()),
            (3, 4, "PER".into()),
            (5, 6, "LOC".into()),
        ];
        assert_eq!(
            decode(&["B-ORG", "I-ORG", "E-ORG", "S-PER", "O", "S-LOC"]),
            expected
        );
        assert_eq!(
            decode(&["B-ORG", "I-ORG", "L-ORG", "U-PER", "O", "U-LOC"]),
            expected
        );
        // E- then I- of the same type: two chunks.
        assert_eq!(
            decode(&["B-PER", "E-PER", "I-PER"]),
            [(0, 2, "PER".into()), (2, 3, "PER".into())]
        );
    }

    #[test]
    fn label_map_detects_and_checks_schemes() {
        let bio = LabelMap::new(&names(&["O", "B-PER", "I-PER"]), None).unwrap();
        assert_eq!(bio.scheme(), LabelScheme::Bio);
        assert_eq!(bio.tag(2), Some((Prefix::Inside, 0)));
        assert_eq!(bio.entity_type(0), Some(&Label::Per));
        let bioes = LabelMap::new(&names(&["O", "B-X", "I-X", "E-X", "S-X"]), None).unwrap();
        assert_eq!(bioes.scheme(), LabelScheme::Bioes);
        assert!(LabelMap::new(&names(&["O", "S-X"]), Some(LabelScheme::Bio)).is_err());
        assert!(matches!(
            LabelMap::new(&names(&["O", "PER"]), None),
            Err(Error::LabelMap(_))
        ));
        assert!(LabelMap::new(&names(&["B-PER", "I-PER"]), None).is_err());
        assert_eq!("BILOU".parse::<LabelScheme>().unwrap(), LabelScheme::Bioes);
        assert!("xyz".parse::<LabelScheme>().is_err());
    }
}
