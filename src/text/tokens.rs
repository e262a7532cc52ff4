//! A light word/punctuation tokenizer for the rule stages.
//!
//! Why not the model's tokenizer: the rules (pronouns and nominals in
//! `entities`, cues and attribution units in `quotes`) need words as a
//! reader sees them — `Russia's`, `U.S`, `don’t-stop` whole, every
//! punctuation character (quote marks included) on its own, paragraph breaks
//! kept — in one linear pass, with no model loaded.

use crate::document::Span;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokKind {
    /// Letters/digits, with inner apostrophes, hyphens and dots (`don’t`,
    /// `U.S`, `Russia's`).
    Word,
    /// One punctuation character (quote marks included).
    Punct(char),
    /// A line break (paragraph boundary).
    Newline,
}

/// One token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tok {
    pub span: Span,
    pub kind: TokKind,
}

impl Tok {
    pub fn is_word(&self) -> bool {
        self.kind == TokKind::Word
    }
    pub fn is_punct(&self, c: char) -> bool {
        self.kind == TokKind::Punct(c)
    }
}

fn inner_joiner(c: char) -> bool {
    matches!(c, '\'' | '’' | '-' | '.' | '&')
}

/// Tokenizes `text` in one pass.
pub(crate) fn tokenize(text: &str) -> Vec<Tok> {
    let mut out = Vec::with_capacity(text.len() / 5);
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if c == '\n' || c == '\r' || c == '\u{2029}' {
            if !matches!(
                out.last(),
                Some(Tok {
                    kind: TokKind::Newline,
                    ..
                })
            ) {
                out.push(Tok {
                    span: Span::new(i, i + c.len_utf8()),
                    kind: TokKind::Newline,
                });
            }
            continue;
        }
        if c.is_whitespace() || c.is_control() {
            continue;
        }
        if c.is_alphanumeric() {
            let mut end = i + c.len_utf8();
            loop {
                match it.peek().copied() {
                    Some((j, d)) if d.is_alphanumeric() => {
                        end = j + d.len_utf8();
                        it.next();
                    }
                    Some((j, d)) if inner_joiner(d) => {
                        // Join only when a letter/digit follows.
                        let after = text[j + d.len_utf8()..].chars().next();
                        if after.is_some_and(char::is_alphanumeric) {
                            end = j + d.len_utf8();
                            it.next();
                        } else {
                            break;
                        }
                    }
                    _ => break,
                }
            }
            out.push(Tok {
                span: Span::new(i, end),
                kind: TokKind::Word,
            });
        } else if c == '\'' && it.peek().is_some_and(|&(_, d)| d == '\'') {
            // '' is one double mark (as in text::marks).
            it.next();
            out.push(Tok {
                span: Span::new(i, i + 2),
                kind: TokKind::Punct('"'),
            });
        } else {
            out.push(Tok {
                span: Span::new(i, i + c.len_utf8()),
                kind: TokKind::Punct(c),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_inner_apostrophes() {
        let t = "Russia's U.S. don’t-stop.";
        let toks = tokenize(t);
        let w: Vec<&str> = toks.iter().map(|k| k.span.text(t)).collect();
        assert_eq!(w, ["Russia's", "U.S", ".", "don’t-stop", "."]);
    }
}
