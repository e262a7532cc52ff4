//! Hybrid extraction: the span model proposes, the rules attribute.
//!
//! The rules' quotes stay as they are (quote marks, cue shapes, running
//! speakers); a rule quote whose content a model content span overlaps is
//! marked [`Origin::Both`]. A model content span no rule quote overlaps
//! becomes a quote of its own ([`Origin::Model`]): its cue is the model's
//! nearest cue span, its speaker phrase the model's source span nearest to
//! that cue — both within the paragraph and a few hundred bytes — linked to
//! an entity by the same code as the rules' speakers (`speaker::link`:
//! names, pronouns, nominals, organisations).
//!
//! Spans follow the library's conventions, not PolNeAR's: a content keeps
//! neither its quote marks nor a leading "that" (`eval::quotes` maps them
//! back when it scores spans as CofeNet does).

use super::spans::{Proposal, Role};
use super::speaker::{self, MentionIndex};
use crate::document::{Origin, Quote, QuoteKind, Span, Speaker};
use serde::{Deserialize, Serialize};

/// How far (bytes) a cue or source may lie from the content it serves.
const REACH: usize = 400;

/// Which of the span model's contents no rule found become quotes of their
/// own ([`RuleQuoteExtractor::with_hybrid`](super::RuleQuoteExtractor::with_hybrid)).
/// The defaults were selected on PolNeAR dev (`eval-quotes`, see
/// `docs/quotes.md`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct HybridOptions {
    /// Least mean tag probability of a model content. Default 0.65.
    pub min_content_score: f32,
    /// A model content needs a model cue near it. Default true.
    pub require_cue: bool,
    /// A model content needs a model source near it. Default true.
    pub require_source: bool,
    /// A model content needs its speaker linked to an entity. Default false.
    pub require_entity: bool,
}

impl Default for HybridOptions {
    fn default() -> Self {
        HybridOptions {
            min_content_score: 0.65,
            require_cue: true,
            require_source: true,
            require_entity: false,
        }
    }
}

impl HybridOptions {
    /// Sets [`min_content_score`](HybridOptions::min_content_score).
    pub fn with_min_content_score(mut self, score: f32) -> Self {
        self.min_content_score = score;
        self
    }

    /// Sets [`require_cue`](HybridOptions::require_cue).
    pub fn with_require_cue(mut self, yes: bool) -> Self {
        self.require_cue = yes;
        self
    }

    /// Sets [`require_source`](HybridOptions::require_source).
    pub fn with_require_source(mut self, yes: bool) -> Self {
        self.require_source = yes;
        self
    }

    /// Sets [`require_entity`](HybridOptions::require_entity).
    pub fn with_require_entity(mut self, yes: bool) -> Self {
        self.require_entity = yes;
        self
    }
}

/// `rules` (in text order) with the proposals merged in (see the module
/// docs); in text order of the first content span.
pub(crate) fn merge(
    text: &str,
    mut rules: Vec<Quote>,
    proposals: &[Proposal],
    index: &MentionIndex,
    options: &HybridOptions,
) -> Vec<Quote> {
    // Proposals come from the span model, whose spans are whole words of
    // `text`; any other caller's are checked: a span off the text or off a
    // character boundary is dropped, and the rest are taken in text order.
    let mut valid: Vec<&Proposal> = proposals
        .iter()
        .filter(|p| p.span.start < p.span.end && text.get(p.span.start..p.span.end).is_some())
        .collect();
    valid.sort_by_key(|p| (p.span.start, p.span.end));
    let of = |role: Role| -> Vec<&Proposal> {
        valid.iter().copied().filter(|p| p.role == role).collect()
    };
    let (contents, cues, sources) = (of(Role::Content), of(Role::Cue), of(Role::Source));
    // Rule content spans, sorted, for the overlap test.
    let mut ruled: Vec<(Span, usize)> = rules
        .iter()
        .enumerate()
        .flat_map(|(i, q)| q.content.iter().map(move |&s| (s, i)))
        .collect();
    ruled.sort_by_key(|(s, _)| (s.start, s.end));
    let mut found = Vec::new();
    for c in contents {
        if c.score < options.min_content_score {
            continue;
        }
        let Some((kind, content)) = trimmed_content(text, c.span) else {
            continue;
        };
        // Rule contents overlapping this one: at most those starting before
        // its end.
        let upto = ruled.partition_point(|(s, _)| s.start < c.span.end);
        let mut hit = false;
        for &(s, i) in ruled[..upto].iter().rev().take(64) {
            if s.end > c.span.start {
                rules[i].origin = Origin::Both;
                hit = true;
            }
        }
        if hit {
            continue;
        }
        let cue = nearest(text, &cues, c.span, c.span).map(|p| p.span);
        let anchor = cue.unwrap_or(c.span);
        let source = nearest(text, &sources, anchor, c.span).map(|p| p.span);
        if (options.require_cue && cue.is_none()) || (options.require_source && source.is_none()) {
            continue;
        }
        // A negated cue reports nothing (`did not say whether …`), as in
        // the rules.
        if let Some(c) = cue {
            let from = crate::text::floor_char_boundary(text, c.start.saturating_sub(24));
            if super::indirect::negated_before(text, from, c.start) {
                continue;
            }
        }
        let speaker = source.map(|np| {
            speaker::link(text, np, index).unwrap_or(Speaker {
                span: np,
                entity: None,
            })
        });
        if options.require_entity && speaker.as_ref().is_none_or(|s| s.entity.is_none()) {
            continue;
        }
        found.push(Quote {
            kind,
            content: vec![content],
            cue,
            speaker,
            origin: Origin::Model,
        });
    }
    rules.extend(found);
    rules.sort_by_key(|q| q.content.first().map(|s| (s.start, s.end)));
    rules
}

/// The proposal of `of` nearest to `anchor` that does not overlap
/// `content`, within [`REACH`] bytes and the same sentence: the text
/// between them holds no blank line and no sentence end (`. `, `? `, `! `).
/// At equal distance the one before the anchor wins (the subject before
/// its verb, the cue before its clause).
fn nearest<'p>(
    text: &str,
    of: &[&'p Proposal],
    anchor: Span,
    content: Span,
) -> Option<&'p Proposal> {
    // Proposals are sorted by start: look at the ones near the anchor.
    let lo = of.partition_point(|p| p.span.end + REACH < anchor.start);
    of[lo..]
        .iter()
        .take_while(|p| p.span.start <= anchor.end + REACH)
        .filter(|p| p.span.end <= content.start || p.span.start >= content.end)
        .filter(|p| p.span.end <= anchor.start || p.span.start >= anchor.end)
        .filter_map(|p| {
            let before = p.span.end <= anchor.start;
            let (a, b) = if before {
                (p.span.end, anchor.start)
            } else {
                (anchor.end, p.span.start)
            };
            let gap = text.get(a..b)?;
            let ends_sentence = gap.contains("\n\n")
                || gap.trim_end().char_indices().any(|(i, c)| {
                    matches!(c, '.' | '?' | '!') && gap[i + 1..].starts_with(char::is_whitespace)
                });
            (!ends_sentence).then_some((gap.len() * 2 + usize::from(!before), *p))
        })
        .min_by_key(|&(d, _)| d)
        .map(|(_, p)| p)
}

/// A model content span in the library's convention — quote marks,
/// white space and a leading "that" trimmed — with its kind: direct when
/// it was one quotation, mixed when it holds one, indirect otherwise.
fn trimmed_content(text: &str, span: Span) -> Option<(QuoteKind, Span)> {
    let raw = text.get(span.start..span.end)?;
    let is_mark = |c: char| matches!(c, '"' | '“' | '”' | '«' | '»' | '„');
    let marks = raw.chars().filter(|&c| is_mark(c)).count();
    let lead_mark = raw.trim_start().starts_with(is_mark);
    let end_mark = raw
        .trim_end()
        .trim_end_matches(['.', ',', '?', '!', ';', ':'])
        .ends_with(is_mark)
        || raw.trim_end().ends_with(is_mark);
    let kind = if marks == 2 && lead_mark && end_mark {
        QuoteKind::Direct
    } else if marks >= 2 {
        QuoteKind::Mixed
    } else {
        QuoteKind::Indirect
    };
    let mut s = raw;
    let mut start = span.start;
    let strip = |s: &str| {
        s.len()
            - s.trim_start_matches(|c: char| c.is_whitespace() || is_mark(c))
                .len()
    };
    let cut = strip(s);
    start += cut;
    s = &s[cut..];
    if let Some(rest) = s.strip_prefix("that ") {
        start += s.len() - rest.len();
        s = rest;
        let cut = strip(s);
        start += cut;
        s = &s[cut..];
    }
    let kept = s.trim_end_matches(|c: char| c.is_whitespace() || is_mark(c));
    (kept.chars().any(char::is_alphanumeric)).then(|| (kind, Span::new(start, start + kept.len())))
}

#[cfg(test)]
mod tests {
    use super::super::QuoteExtractor;
    use super::*;

    fn prop(text: &str, role: Role, part: &str) -> Proposal {
        let start = text.find(part).unwrap();
        Proposal {
            role,
            span: Span::new(start, start + part.len()),
            score: 0.9,
        }
    }

    #[test]
    fn a_model_quote_gets_the_nearest_cue_and_source() {
        let text = "Officials in Kyiv believe that the offensive will fail.";
        let props = [
            prop(text, Role::Source, "Officials in Kyiv"),
            prop(text, Role::Cue, "believe"),
            prop(text, Role::Content, "that the offensive will fail."),
        ];
        let index = MentionIndex::new(&[]);
        let all = HybridOptions::default().with_min_content_score(0.0);
        let out = merge(text, Vec::new(), &props, &index, &all);
        assert_eq!(out.len(), 1);
        let q = &out[0];
        assert_eq!(q.origin, Origin::Model);
        assert_eq!(q.kind, QuoteKind::Indirect);
        assert_eq!(q.content[0].text(text), "the offensive will fail.");
        assert_eq!(q.cue.unwrap().text(text), "believe");
        assert_eq!(
            q.speaker.as_ref().unwrap().span.text(text),
            "Officials in Kyiv"
        );
    }

    #[test]
    fn a_rule_quote_the_model_also_found_is_both_and_kept() {
        let text = "“We will win,” she said.";
        let rules =
            super::super::RuleQuoteExtractor::default().extract_proposed(text, &[], &[], &[]);
        assert_eq!(rules.len(), 1);
        let props = [prop(text, Role::Content, "“We will win,”")];
        let out = merge(
            text,
            rules.clone(),
            &props,
            &MentionIndex::new(&[]),
            &HybridOptions::default(),
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].origin, Origin::Both);
        assert_eq!(out[0].content, rules[0].content);
    }

    #[test]
    fn a_negated_model_cue_reports_nothing() {
        let text = "Ms. Carvalho did not say whether the government would step in.";
        let props = [
            prop(text, Role::Source, "Ms. Carvalho"),
            prop(text, Role::Cue, "say"),
            prop(text, Role::Content, "whether the government would step in."),
        ];
        let out = merge(
            text,
            Vec::new(),
            &props,
            &MentionIndex::new(&[]),
            &HybridOptions::default(),
        );
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn kinds_and_trimming() {
        let t = "“All of it,” and that “some” is it";
        let (k, s) = trimmed_content(t, Span::new(0, t.find(" and").unwrap())).unwrap();
        assert_eq!((k, s.text(t)), (QuoteKind::Direct, "All of it,"));
        let (k, _) = trimmed_content(t, Span::new(0, t.len())).unwrap();
        assert_eq!(k, QuoteKind::Mixed);
        assert!(
            trimmed_content(t, Span::new(0, 3)).is_none(),
            "a lone mark is no content"
        );
    }

    #[test]
    fn a_cue_across_a_blank_line_is_not_taken() {
        let text = "He said.\n\nThe plan will fail.";
        let props = [
            prop(text, Role::Cue, "said"),
            prop(text, Role::Content, "The plan will fail."),
        ];
        let no_cue_needed = HybridOptions::default()
            .with_require_cue(false)
            .with_require_source(false);
        let out = merge(
            text,
            Vec::new(),
            &props,
            &MentionIndex::new(&[]),
            &no_cue_needed,
        );
        assert_eq!(out.len(), 1);
        assert!(out[0].cue.is_none());
        let out = merge(
            text,
            Vec::new(),
            &props,
            &MentionIndex::new(&[]),
            &HybridOptions::default(),
        );
        assert!(
            out.is_empty(),
            "a model content with no cue is left out by default"
        );
    }
}
