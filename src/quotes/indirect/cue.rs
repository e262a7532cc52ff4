//! One cue word against the rules: what is read of it once ([`Cue::read`]),
//! and the ordered [`RULES`] that decide its quote.
//!
//! Reading a cue may already reject it ([`negation::negated`],
//! [`participle::position`]) and finds its subject: the noun phrase right
//! before it, else the first of [`subject::RULES`] that finds one. The
//! rules then try, in order, a content before the cue (`"…," X said`), an
//! inverted subject (`"…," said X`), and, once the cue has a speaker, a
//! content after it (`X said, "…"`, `X said:` ¶ `"…"`, `X called the deal
//! "…"`, `X said (that) …`). The first rule that decides wins.

use super::{
    backward, content_end, content_start, forward, negation, participle, region_follows,
    skip_adverbial, subject, trim_range, unit_subject, Cand, Ctx, MAX_SPAN,
};
use crate::document::Span;
use crate::text::cues::CueWord;
use std::cell::OnceCell;

/// Where a cue word stands: its unit `a..b`, its token `ti` and lexicon
/// entry `cw`, what the unit's earlier cues left (`cursor`, where a content
/// before this cue may start; `prev_np`, the last speaker named) and the
/// next unit (`next`, for `X said:` at a paragraph's end).
#[derive(Debug, Clone, Copy)]
pub(super) struct CueSite {
    pub a: usize,
    pub b: usize,
    pub ti: usize,
    pub cw: CueWord,
    pub cursor: usize,
    pub prev_np: Option<Span>,
    pub next: Option<(usize, usize)>,
}

impl CueSite {
    /// The first token a content before the cue may take: the unit's start
    /// or the end of the previous cue's content, at most [`MAX_SPAN`]
    /// tokens back.
    pub fn floor(&self) -> usize {
        self.cursor
            .max(self.a)
            .max(self.ti.saturating_sub(MAX_SPAN))
    }
}

/// Whether token `k` of the unit starting at `a` follows a comma, a dash,
/// `?`, `!` or a closing quotation mark.
pub(super) fn comma_before(ctx: &Ctx, a: usize, k: usize) -> bool {
    k > a
        && (matches!(ctx.punct(k - 1), Some(',' | '—' | '?' | '!' | '–'))
            || ctx.region_closing(k - 1).is_some())
}

/// The speaker of a content after the cue, as [`Cand`] takes it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Speaker {
    /// The speaker phrase, if any.
    pub np: Option<Span>,
    /// The speaker is the previous cue's (none named here).
    pub inherit: bool,
}

/// The clause after the cue (`X said (that) CLAUSE`), trimmed.
#[derive(Debug, Clone, Copy)]
pub(super) struct Clause {
    /// First token.
    pub s: usize,
    /// End (exclusive).
    pub e: usize,
    /// Words in `s..e`.
    pub words: usize,
    /// A `that` opened it.
    pub had_that: bool,
}

/// What a rule decides about a cue.
#[derive(Debug)]
pub(super) enum Decision {
    /// Not this rule's shape: the next rule decides.
    Pass,
    /// The cue reports nothing.
    Reject,
    /// The cue's quote.
    Quote(Cand),
}

/// A rule of [`RULES`].
pub(super) type Rule = fn(&Cue) -> Decision;

/// The rules, in the order they are tried; the first that decides wins.
pub(super) const RULES: &[Rule] = &[
    backward::quote_before,
    backward::inverted,
    subject::no_speaker,
    forward::quotation_after,
    forward::next_unit,
    forward::broad_object,
    forward::clause_after,
];

/// The quote the cue at `site` introduces, if any.
pub(super) fn verb_cue(ctx: &Ctx, site: CueSite) -> Option<Cand> {
    let cue = Cue::read(ctx, site)?;
    for rule in RULES {
        match rule(&cue) {
            Decision::Pass => {}
            Decision::Reject => return None,
            Decision::Quote(c) => return Some(c),
        }
    }
    None
}

/// What is known of a cue once read: its subject and where a content after
/// it would start. Its speaker and the clause after it are worked out when
/// a rule first asks.
pub(super) struct Cue<'c> {
    pub ctx: &'c Ctx<'c>,
    pub site: CueSite,
    /// The cue word.
    pub cue: Span,
    /// See [`CueSite::floor`].
    pub floor: usize,
    /// The cue's own subject (first and last token).
    pub subj: Option<(usize, usize)>,
    /// A participle after a comma or a preposition (`, adding that`, `by
    /// saying`): its subject is the clause's, not a phrase before it.
    pub participle_inherit: bool,
    /// Where a content after the cue starts (see [`content_start`]).
    pub start: usize,
    /// The opening mark of a quotation right after the cue (`X wrote, "…"`).
    pub quotation: Option<usize>,
    speaker: OnceCell<Option<Speaker>>,
    clause: OnceCell<Clause>,
}

impl<'c> Cue<'c> {
    /// Reads the cue at `site`: `None` when it reports nothing whatever
    /// follows it (a negated cue, a participle modifying a noun).
    pub fn read(ctx: &'c Ctx<'c>, site: CueSite) -> Option<Self> {
        let CueSite { a, b, ti, cw, .. } = site;
        if negation::negated(ctx, a, ti) {
            return None;
        }
        let floor = site.floor();
        let mut subj = ctx.subject_before(floor, ti);
        let participle_inherit = participle::position(ctx, &site)?;
        if participle_inherit {
            subj = None;
        }
        let after = skip_adverbial(ctx, ti + 1, b);
        let start = content_start(ctx, ti + 1, b, Some(cw));
        if subj.is_none() && !participle_inherit {
            subj = subject::RULES.iter().find_map(|rule| rule(ctx, &site));
        }
        let quotation = region_follows(ctx, start.saturating_sub(1).max(ti + 1), b)
            .or_else(|| region_follows(ctx, start, b))
            .or_else(|| region_follows(ctx, after, b));
        Some(Cue {
            ctx,
            site,
            cue: ctx.toks[ti].span,
            floor,
            subj,
            participle_inherit,
            start,
            quotation,
            speaker: OnceCell::new(),
            clause: OnceCell::new(),
        })
    }

    /// Whether token `k` follows a comma (see [`comma_before`]).
    pub fn comma_before(&self, k: usize) -> bool {
        comma_before(self.ctx, self.site.a, k)
    }

    /// Whether a content may run back from token `k`: a comma before it and
    /// a word between [`Cue::floor`] and it.
    pub fn backward_ok(&self, k: usize) -> bool {
        self.comma_before(k) && {
            let (s, e) = trim_range(self.ctx, self.floor, k);
            self.ctx.has_word(s, e)
        }
    }

    /// Whether nothing but an adverbial follows token `k` before the unit's
    /// end or punctuation.
    pub fn tail_empty(&self, k: usize) -> bool {
        let k = skip_adverbial(self.ctx, k, self.site.b);
        k >= self.site.b
            || matches!(
                self.ctx.punct(k),
                Some('.' | ',' | ';' | '!' | '?' | ':' | ')' | '—')
            )
    }

    /// The speaker of a content after the cue: its subject, or for a
    /// participle or a coordinated verb (`… but added, "…"`) the previous
    /// speaker or the unit's subject. `None` when there is neither.
    pub fn speaker(&self) -> Option<Speaker> {
        *self.speaker.get_or_init(|| {
            let CueSite { a, ti, .. } = self.site;
            let and_before = participle::coordinated(self.ctx, &self.site);
            let coordinated = self.subj.is_none() && !self.participle_inherit && and_before;
            let inherits = self.participle_inherit || coordinated;
            if self.subj.is_none() && !inherits {
                return None;
            }
            let np = if inherits {
                self.site.prev_np.or_else(|| unit_subject(self.ctx, a, ti))
            } else {
                self.subj.map(|(f, l)| self.ctx.span(f, l))
            };
            Some(Speaker {
                np,
                inherit: inherits && np.is_none(),
            })
        })
    }

    /// The clause after the cue, from [`Cue::start`] to the unit's end or a
    /// clause break.
    pub fn clause(&self) -> Clause {
        *self.clause.get_or_init(|| {
            let (ctx, ti, start) = (self.ctx, self.site.ti, self.start);
            let e = content_end(ctx, start, self.site.b);
            let (s, e) = trim_range(ctx, start, e);
            ctx.ticks(e.saturating_sub(s));
            let words = (s..e).filter(|&k| ctx.toks[k].is_word()).count();
            let had_that = start > ti + 1 && ctx.is_word(start - 1, "that");
            Clause {
                s,
                e,
                words,
                had_that,
            }
        })
    }

    /// The quote of `content` by the phrase `np` (a content before the cue,
    /// whose speaker is named where the cue stands).
    pub fn quote_by(&self, content: Vec<(usize, usize)>, np: Option<Span>) -> Decision {
        Decision::Quote(Cand {
            content,
            cue: Some(self.cue),
            np,
            inherit: false,
        })
    }

    /// The quote of `content` by [`Cue::speaker`]; nothing when the cue has
    /// no speaker.
    pub fn quote(&self, content: Vec<(usize, usize)>) -> Decision {
        match self.speaker() {
            Some(Speaker { np, inherit }) => Decision::Quote(Cand {
                content,
                cue: Some(self.cue),
                np,
                inherit,
            }),
            None => Decision::Reject,
        }
    }
}
