//! Cue-driven attribution: reported speech (`X said (that) CLAUSE`,
//! `CLAUSE, X said`, `According to X, CLAUSE`), direct quotes introduced or
//! followed by a cue (`X wrote, "…"`, `"…," he said, "…"`), and mixed quotes.
//!
//! Why these shapes: without a parser, the clause that a cue governs is found
//! from the cue's position in its attribution unit. A cue with its subject at
//! the end of the unit (`…, the ministry said on Friday.`) governs what comes
//! before the comma; a cue followed by `that`, a colon or a clause governs
//! what follows, up to the end of the unit or a clause break (`;`, `, adding`).
//! Each cue is tried against these shapes in a fixed order — content before
//! the cue, inverted `said X`, quotation after the cue, content after the cue
//! — and the first that fits wins. Every search is bounded to the unit, so
//! the whole pass stays linear in the text.
//!
//! The cue rules, one file a group: `cue` reads a cue word and holds the
//! ordered list of rules ([`cue::RULES`]); `negation` and `participle` say
//! when a cue reports nothing or takes its subject from its clause;
//! `subject` finds a subject further back (an appositive, a parenthesis, a
//! relative clause); `backward` and `forward` find a content before and after
//! the cue. Each rule says what it recognises and has tests of its own.

mod backward;
mod cue;
mod forward;
mod negation;
mod participle;
#[cfg(test)]
mod sample;
mod subject;

pub(crate) use negation::negated_before;

use super::direct::Region;
use super::speaker::{lower, np_after, subject_before, weekdays};
use crate::document::Span;
use crate::text::cues::{lookup, not_before_cue, noun_cues, CueWord};
use crate::text::tally;
use crate::text::tokens::{Tok, TokKind};
use cue::CueSite;
use std::cell::Cell;

/// A quote found by a cue rule, before speaker linking.
#[derive(Debug, Clone)]
pub(crate) struct Cand {
    /// Content as token ranges `a..b` (exclusive end).
    pub content: Vec<(usize, usize)>,
    /// The cue (none for an uncued fragment).
    pub cue: Option<Span>,
    /// The speaker phrase as a byte span, if any.
    pub np: Option<Span>,
    /// The speaker is the subject of the previous cue in the unit (`, adding`).
    pub inherit: bool,
}

/// Longest content, in tokens, on either side of a cue. Bounds every scan so
/// that a text with no sentence ends (or thousands of cues in one "unit")
/// stays linear.
const MAX_SPAN: usize = 400;

crate::lang::word_list! {
    /// Words that start an adverbial between the cue and its content (`said on
    /// Friday that`, `told reporters in a statement:`), besides the days in
    /// [`weekdays`].
    fn adverbial_starts = "en/adverbial_starts.txt";
}

/// Participles and markers that end a forward content (`…, adding that`).
fn is_clause_break(text: &str, toks: &[Tok], k: usize, b: usize) -> bool {
    match toks[k].kind {
        TokKind::Punct(';') => true,
        // `… by the plan — a modest boost for Obama`, `— and he singled
        // out …`: the writer's aside after a dash.
        TokKind::Punct('—' | '–') => toks
            .get(k + 1)
            .filter(|n| k + 1 < b && n.is_word())
            .is_some_and(|n| {
                matches!(
                    lower(text, n).as_str(),
                    "a" | "an" | "and" | "but" | "which" | "who" | "as" | "while"
                )
            }),
        TokKind::Punct(',') => {
            let Some(n) = toks.get(k + 1).filter(|_| k + 1 < b) else {
                return false;
            };
            if !n.is_word() {
                return false;
            }
            let w = lower(text, n);
            if w == "according" {
                return true;
            }
            lookup(n.span.text(text)).is_some_and(|c| c.participle && !c.weak)
        }
        _ => false,
    }
}

/// Shared context of one extraction.
pub(crate) struct Ctx<'a> {
    pub text: &'a str,
    pub toks: &'a [Tok],
    pub regions: &'a [Region],
    pub region_of: &'a [Option<usize>],
    /// Token steps taken (see [`super::WorkCount`]).
    pub steps: &'a Cell<u64>,
}

impl Ctx<'_> {
    /// Counts one token step.
    #[inline]
    pub(crate) fn tick(&self) {
        tally(self.steps, 1);
    }
    /// Counts `n` token steps.
    #[inline]
    pub(crate) fn ticks(&self, n: usize) {
        tally(self.steps, n);
    }
    /// [`subject_before`] on this text, one step (it looks at a few dozen
    /// tokens at most).
    fn subject_before(&self, floor: usize, ci: usize) -> Option<(usize, usize)> {
        self.tick();
        subject_before(self.text, self.toks, floor, ci)
    }
    /// [`np_after`] on this text, one step (it looks at `max` tokens at
    /// most, and `max` is 10 or less).
    fn np_after(&self, start: usize, end: usize, max: usize) -> Option<(usize, usize)> {
        self.tick();
        np_after(self.text, self.toks, start, end, max)
    }
    fn word(&self, k: usize) -> String {
        lower(self.text, &self.toks[k])
    }
    fn is_word(&self, k: usize, w: &str) -> bool {
        self.toks
            .get(k)
            .is_some_and(|t| t.is_word() && t.span.text(self.text).eq_ignore_ascii_case(w))
    }
    pub(crate) fn punct(&self, k: usize) -> Option<char> {
        match self.toks.get(k)?.kind {
            TokKind::Punct(c) => Some(c),
            _ => None,
        }
    }
    /// The real region whose opening mark is token `k`.
    fn region_opening(&self, k: usize) -> Option<usize> {
        let r = self.region_of.get(k).copied().flatten()?;
        (self.regions[r].q.open == self.toks[k].span).then_some(r)
    }
    /// The region whose closing mark is token `k`.
    fn region_closing(&self, k: usize) -> Option<usize> {
        let r = self.region_of.get(k).copied().flatten()?;
        (self.regions[r].q.close == Some(self.toks[k].span)).then_some(r)
    }
    /// Last token index of region `r` (its closing mark or last word), given
    /// its opening token `k`.
    fn region_end_tok(&self, k: usize, r: usize) -> usize {
        let end = self.regions[r].q.outer().end;
        self.tick();
        let j = self.toks.partition_point(|t| t.span.start < end);
        j.saturating_sub(1).max(k)
    }
    fn span(&self, a: usize, b_incl: usize) -> Span {
        Span::new(self.toks[a].span.start, self.toks[b_incl].span.end)
    }
    fn has_word(&self, a: usize, b: usize) -> bool {
        (a..b).any(|k| {
            self.tick();
            self.toks[k].is_word()
        })
    }
}

/// Skips an adverbial chunk after a cue (`on Friday`, `in a statement`,
/// `to reporters`) when it ends at punctuation or `that` within 8 tokens.
/// Returns the index after the chunk, or `j` unchanged.
fn skip_adverbial(ctx: &Ctx, j: usize, b: usize) -> usize {
    if j >= b || !ctx.toks[j].is_word() {
        return j;
    }
    let w = ctx.word(j);
    let adverb = adverbial_starts().contains(&w.as_str())
        || weekdays().contains(&w.as_str())
        || (w.ends_with("ly") && w.len() > 4);
    if !adverb {
        return j;
    }
    let mut k = j;
    while k < b && k - j < 12 {
        ctx.tick();
        let t = &ctx.toks[k];
        if !t.is_word() || ctx.word(k) == "that" {
            return k;
        }
        if k > j && lookup(t.span.text(ctx.text)).is_some() {
            return j;
        }
        k += 1;
    }
    if k == b {
        k
    } else {
        j
    }
}

/// Where the content after a cue starts: after a `that`, an object (for
/// `tell`), adverbials, a comma or a colon.
fn content_start(ctx: &Ctx, cue_end: usize, b: usize, cw: Option<CueWord>) -> usize {
    let mut j = cue_end;
    // The particle of `pointed out that …`.
    if cw.is_some_and(|c| c.lemma == "point") && ctx.is_word(j, "out") {
        j += 1;
    }
    if cw.is_some_and(|c| c.object) {
        // told reporters (on Friday) that …
        let mut found = None;
        let mut k = j;
        while k < b && k - j < 7 {
            ctx.tick();
            if ctx.is_word(k, "that") || matches!(ctx.punct(k), Some(',' | ':')) {
                found = Some(k + 1);
                break;
            }
            if ctx.region_opening(k).is_some() {
                found = Some(k);
                break;
            }
            k += 1;
        }
        j = match found {
            Some(f) => f,
            None => {
                // Skip one object word or a capitalised name.
                let mut k = j;
                if k < b && ctx.toks[k].is_word() {
                    k += 1;
                    while k < b && k - j < 4 && ctx.toks[k].is_word() && is_cap(ctx, k) {
                        ctx.tick();
                        k += 1;
                    }
                }
                k
            }
        };
    }
    for _ in 0..4 {
        ctx.tick();
        if j >= b {
            break;
        }
        if ctx.is_word(j, "that") {
            return j + 1;
        }
        if matches!(ctx.punct(j), Some(',' | ':' | '—' | '–')) {
            j += 1;
            continue;
        }
        let k = skip_adverbial(ctx, j, b);
        if k == j {
            break;
        }
        j = k;
    }
    j
}

fn is_cap(ctx: &Ctx, k: usize) -> bool {
    ctx.toks[k]
        .span
        .text(ctx.text)
        .chars()
        .next()
        .is_some_and(char::is_uppercase)
}

/// End (exclusive) of a forward content starting at `j`: the unit end or a
/// clause break.
fn content_end(ctx: &Ctx, j: usize, b: usize) -> usize {
    let b = b.min(j + MAX_SPAN);
    let mut k = j;
    while k < b {
        ctx.tick();
        if ctx.region_of[k].is_none() && is_clause_break(ctx.text, ctx.toks, k, b) {
            return k;
        }
        // "…, Rubio fired back: “…”" / "… members (“…,” wrote X)": a colon or
        // an opening parenthesis before a quotation starts a quote of its own.
        if k > j
            && k + 1 < b
            && ctx.region_of[k].is_none()
            && matches!(ctx.punct(k), Some(':' | '('))
            && ctx.region_opening(k + 1).is_some()
        {
            return k;
        }
        // "corrupt," noting that … — the comma sits inside the marks.
        if k > j && ctx.region_closing(k).is_some() && k + 1 < b {
            let n = ctx.toks[k + 1];
            if n.is_word() && lookup(n.span.text(ctx.text)).is_some_and(|c| c.participle && !c.weak)
            {
                return k + 1;
            }
        }
        // `…, he said there's no precedent`: a new attribution starts (a
        // parenthetical `, he said,` does not).
        if k > j && ctx.region_of[k].is_none() && ctx.punct(k) == Some(',') && k + 2 < b {
            let subject = ctx.toks[k + 1].is_word()
                && matches!(ctx.word(k + 1).as_str(), "he" | "she" | "they" | "we" | "i");
            let cue = ctx.toks[k + 2].is_word()
                && lookup(ctx.toks[k + 2].span.text(ctx.text))
                    .is_some_and(|c| !c.participle && !c.broad && !c.weak)
                && !matches!(ctx.punct(k + 3), Some(',' | '.'));
            if subject && cue {
                return k;
            }
        }
        // `…, and he railed against …`: the writer's next clause about the
        // speaker, not more of what was said.
        let comma_before = ctx.punct(k - 1) == Some(',')
            || (ctx.region_closing(k - 1).is_some() && k >= 2 && ctx.punct(k - 2) == Some(','));
        if k > j + 1
            && ctx.region_of[k].is_none()
            && comma_before
            && matches!(ctx.word(k).as_str(), "and" | "but")
            && ctx.toks.get(k + 1).is_some_and(|t| t.is_word())
            && matches!(ctx.word(k + 1).as_str(), "he" | "she" | "they")
            && ctx.toks.get(k + 2).is_some_and(|t| t.is_word())
        {
            return k - 1;
        }
        // … and argued that / and said it was …
        if k > j && ctx.region_of[k].is_none() && matches!(ctx.word(k).as_str(), "and" | "but") {
            let mut m = k + 1;
            while m < b
                && m < k + 3
                && ctx.toks[m].is_word()
                && matches!(
                    ctx.word(m).as_str(),
                    "also" | "then" | "later" | "has" | "had" | "have"
                )
            {
                ctx.tick();
                m += 1;
            }
            if m < b
                && ctx.toks[m].is_word()
                && lookup(ctx.toks[m].span.text(ctx.text)).is_some_and(|c| !c.participle)
                && ctx.toks[m]
                    .span
                    .text(ctx.text)
                    .chars()
                    .next()
                    .is_some_and(char::is_lowercase)
            {
                return k;
            }
        }
        k += 1;
    }
    b
}

/// Start of a content that runs back from token `to` to `floor`: just after
/// the last parenthesis still open at `to` ("… members (“A,” wrote X)"
/// quotes A, not the members) or the last colon ("Rubio fired back: “A,”
/// he said" quotes A).
fn paren_floor(ctx: &Ctx, floor: usize, to: usize) -> usize {
    let mut depth = 0usize;
    for k in (floor..to).rev() {
        ctx.tick();
        if ctx.region_of[k].is_some() {
            continue;
        }
        match ctx.punct(k) {
            Some(')') => depth += 1,
            Some('(' | ':') if depth == 0 => return k + 1,
            Some('(') => depth -= 1,
            _ => {}
        }
    }
    floor
}

/// Trims trailing punctuation outside regions from a token range.
fn trim_range(ctx: &Ctx, a: usize, mut b: usize) -> (usize, usize) {
    let mut a = a;
    while a < b
        && ctx.region_of[a].is_none()
        && !ctx.toks[a].is_word()
        && !matches!(ctx.punct(a), Some('$' | '(' | '#'))
    {
        ctx.tick();
        a += 1;
    }
    while b > a
        && ctx.region_of[b - 1].is_none()
        && !ctx.toks[b - 1].is_word()
        && !matches!(ctx.punct(b - 1), Some(')' | '%' | '?' | '!'))
    {
        ctx.tick();
        b -= 1;
    }
    (a, b)
}

/// After a cue (and its speaker) at token `k`: `, "…"` or `: "…"` or `"…"`
/// opening a real region: the region's opening token.
fn region_follows(ctx: &Ctx, k: usize, b: usize) -> Option<usize> {
    let mut k = k;
    if matches!(ctx.punct(k), Some(',' | ':' | '—')) {
        k += 1;
    }
    if k >= b {
        return None;
    }
    let r = ctx.region_opening(k)?;
    (ctx.regions[r].real || ctx.regions[r].words >= 1).then_some(k)
}

/// Finds the cue quotes of the unit `a..b`. `next_unit` is the start of the
/// following unit (for `X said:` at a paragraph end).
pub(crate) fn unit_quotes(
    ctx: &Ctx,
    a: usize,
    b: usize,
    next: Option<(usize, usize)>,
    out: &mut Vec<Cand>,
) {
    let mut cursor = a; // backward contents start here
    let mut prev_np: Option<Span> = None;
    let headline = is_headline(ctx, a, b);
    for c in asked_clauses(ctx, a, b) {
        if c.content.first().is_some_and(|r| r.0 <= a + 3) {
            cursor = c.content.last().map_or(a, |r| r.1);
        }
        out.push(c);
    }
    let mut ti = a;
    while ti < b {
        ctx.tick();
        let t = ctx.toks[ti];
        if !t.is_word() || ctx.region_of[ti].is_some() {
            ti += 1;
            continue;
        }
        let w = t.span.text(ctx.text);
        let lw = w.to_lowercase();
        // according to X / as per X
        if (lw == "according" && ctx.is_word(ti + 1, "to"))
            || (lw == "as" && ctx.is_word(ti + 1, "per"))
        {
            if let Some(c) = according(ctx, a, b, ti, cursor) {
                cursor = ti + 2;
                prev_np = c.np;
                out.push(c);
            }
            ti += 2;
            continue;
        }
        // X's statement that …
        if noun_cues().contains(&lw.as_str()) && ctx.is_word(ti + 1, "that") && ti > a {
            let p = ctx.toks[ti - 1];
            let ps = p.span.text(ctx.text);
            let poss = ps.ends_with("'s")
                || ps.ends_with("’s")
                || matches!(ps.to_lowercase().as_str(), "his" | "her" | "their" | "its");
            if p.is_word() && !poss && ambiguous_cue_verbs().contains(&lw.as_str()) {
                // `The ad claims that …`: a verb after its subject; handled
                // below as a cue.
            } else if p.is_word() && poss {
                let (s, e) = trim_range(ctx, ti + 2, content_end(ctx, ti + 2, b));
                if ctx.has_word(s, e) {
                    let np = Span::new(
                        p.span.start,
                        p.span.end
                            - if ps.ends_with('s') && ps.len() > 3 {
                                ps.len() - ps.trim_end_matches(['s', '\'', '’']).len()
                            } else {
                                0
                            },
                    );
                    out.push(Cand {
                        content: vec![(s, e)],
                        cue: Some(t.span),
                        np: Some(np),
                        inherit: false,
                    });
                    prev_np = Some(np);
                }
                ti += 1;
                continue;
            } else {
                ti += 1;
                continue;
            }
        }
        // Any verb-like word right before `: "…"` introduces the quotation
        // (`Wallnau continues: "…"`, `her account posted: "…"`).
        let colon_cue = || {
            let verb_like = w.len() > 3
                && w.starts_with(char::is_lowercase)
                && (lw.ends_with("ed") || lw.ends_with('s'));
            (verb_like
                && ctx.punct(ti + 1) == Some(':')
                && ctx.region_opening(ti + 2).is_some()
                && ti > a
                && ctx.toks[ti - 1].is_word())
            .then_some(CueWord::POSITIONAL)
        };
        // Forms more often nouns than verbs (`claims`, `reports`, `states`)
        // are cues only as a verb: after a word that is not a determiner,
        // right before `that` or a quotation (`The ad claims “Jeb is …”`).
        let ambiguous_cue = || {
            let next_ok = ctx.is_word(ti + 1, "that")
                || ctx.region_opening(ti + 1).is_some()
                || (ctx.punct(ti + 1) == Some(',') && ctx.region_opening(ti + 2).is_some());
            (ambiguous_cue_verbs().contains(&lw.as_str())
                && w.starts_with(char::is_lowercase)
                && next_ok
                && ti > a
                && ctx.toks[ti - 1].is_word()
                && !not_before_cue().contains(&ctx.word(ti - 1).as_str()))
            .then_some(CueWord::POSITIONAL)
        };
        let Some(cw) = lookup(w).or_else(colon_cue).or_else(ambiguous_cue) else {
            ti += 1;
            continue;
        };
        // `point` is a cue only as `point out`.
        if cw.lemma == "point" && !ctx.is_word(ti + 1, "out") {
            ti += 1;
            continue;
        }
        // A capitalised cue only in a headline (`Trump Says He Never
        // Pledged …`), where every word is capitalised.
        let lowercase = w.chars().next().is_some_and(char::is_lowercase);
        if !(lowercase || headline && ti > a) {
            ti += 1;
            continue;
        }
        if ti > a
            && ctx.toks[ti - 1].is_word()
            && (not_before_cue().contains(&ctx.word(ti - 1).as_str())
                || ctx.word(ti - 1).starts_with(|c: char| c.is_ascii_digit())
                || is_possessive(&ctx.word(ti - 1)))
        {
            ti += 1;
            continue;
        }
        let site = CueSite {
            a,
            b,
            ti,
            cw,
            cursor,
            prev_np,
            next,
        };
        if let Some(mut c) = cue::verb_cue(ctx, site) {
            if let Some(agent) = passive_agent(ctx, a, b, ti) {
                // "Sanders was asked to name …": the subject is the one
                // addressed; the speaker is the `by` agent, or unknown, and
                // "by the agent" is no part of what was said.
                c.np = agent.map(|(_, f, l)| ctx.span(f, l));
                c.inherit = false;
                if let Some((by, _, l)) = agent {
                    for r in &mut c.content {
                        if r.0 >= by && r.0 <= l + 1 && l + 1 < r.1 {
                            *r = trim_range(ctx, l + 1, r.1);
                        }
                    }
                    c.content
                        .retain(|&(s, e)| s < e && !(s >= by && e <= l + 1));
                }
            }
            if c.content.is_empty() {
                ti += 1;
                continue;
            }
            cursor = ti + 1;
            if c.np.is_some() {
                prev_np = c.np;
            }
            out.push(c);
        }
        ti += 1;
    }
}

/// `Trump’s` (a possessive before a noun: `Trump’s statement`), not `He’s`
/// (a contracted `is`/`has`: `He’s predicting`).
fn is_possessive(lower_word: &str) -> bool {
    let w = lower_word.replace('’', "'");
    w.strip_suffix("'s")
        .is_some_and(|stem| !matches!(stem, "he" | "she" | "it" | "who" | "that" | "there"))
}

/// For a cue in the passive voice (`was asked`, `were told`, `is quoted`,
/// `has been reported`): `Some(agent)` — the `by` token and the first and
/// last tokens of the noun phrase after it, or `None` when no agent is
/// named. `None` for an active cue.
fn passive_agent(
    ctx: &Ctx,
    a: usize,
    b: usize,
    ti: usize,
) -> Option<Option<(usize, usize, usize)>> {
    let form = ctx.word(ti);
    let past_participle = form.ends_with("ed")
        || matches!(
            form.as_str(),
            "told" | "said" | "written" | "known" | "shown" | "heard" | "spoken" | "thought"
        );
    if !past_participle {
        return None;
    }
    let mut k = ti;
    while k > a
        && ctx.toks[k - 1].is_word()
        && matches!(
            ctx.word(k - 1).as_str(),
            "also"
                | "repeatedly"
                | "reportedly"
                | "widely"
                | "previously"
                | "often"
                | "not"
                | "never"
                | "later"
                | "then"
                | "first"
                | "being"
        )
    {
        ctx.tick();
        k -= 1;
    }
    let be = k > a
        && matches!(
            ctx.word(k - 1).as_str(),
            "is" | "was" | "were" | "are" | "been" | "be" | "being" | "get" | "got"
        );
    if !be {
        return None;
    }
    let by = (ti + 1..b.min(ti + 4)).find(|&k| {
        ctx.tick();
        ctx.is_word(k, "by") && ctx.region_of[k].is_none()
    });
    Some(by.and_then(|k| ctx.np_after(k + 1, b, 8).map(|(f, l)| (k, f, l))))
}

/// `Asked about her vote, Clinton said …`, `…, when asked whether he …,`:
/// the question is a quote of its own, whose asker goes unnamed (the
/// speaker stays unknown, as PolNeAR annotates it). Content: from after
/// `asked` (`asked about`) to the first comma outside quotation marks, or the
/// end of the clause.
fn asked_clauses(ctx: &Ctx, a: usize, b: usize) -> Vec<Cand> {
    let mut out = Vec::new();
    let first_word = (a..b.min(a + 3)).find(|&k| ctx.toks[k].is_word());
    for k in a..b {
        ctx.tick();
        if !ctx.toks[k].is_word() || ctx.region_of[k].is_some() {
            continue;
        }
        let w = ctx.toks[k].span.text(ctx.text);
        let opener = Some(k) == first_word && w == "Asked";
        let after_when = w == "asked"
            && k > a
            && ctx.toks[k - 1].is_word()
            && matches!(ctx.word(k - 1).as_str(), "when" | "being" | "if");
        if !(opener || after_when) {
            continue;
        }
        let mut start = k + 1;
        let mut cue = ctx.toks[k].span;
        // `when asked by a reporter whether …`: the asker is named.
        let mut np = None;
        if ctx.is_word(start, "by") {
            if let Some((f, l)) = ctx.np_after(start + 1, b, 8) {
                np = Some(ctx.span(f, l));
                start = l + 1;
            }
        }
        if ctx.is_word(start, "about") {
            cue = Span::new(cue.start, ctx.toks[start].span.end);
            start += 1;
        }
        let end = (start..b.min(start + 60))
            .find(|&j| {
                ctx.tick();
                ctx.punct(j) == Some(',') && ctx.region_of[j].is_none()
            })
            .unwrap_or_else(|| content_end(ctx, start, b));
        let (s, e) = trim_range(ctx, start, end);
        ctx.ticks(e.saturating_sub(s));
        if (s..e).filter(|&j| ctx.toks[j].is_word()).count() >= 2 {
            out.push(Cand {
                content: vec![(s, e)],
                cue: Some(cue),
                np,
                inherit: false,
            });
        }
    }
    out
}

/// True for a title-case unit (`Clinton Says Russians Hacked DNC.`): at most
/// 40 tokens, at least four words, at most one in five not capitalised
/// (short function words such as `of`, `to`, `a` aside).
fn is_headline(ctx: &Ctx, a: usize, b: usize) -> bool {
    if b - a > 40 {
        return false;
    }
    let (mut words, mut lower) = (0usize, 0usize);
    for k in a..b {
        ctx.tick();
        if !ctx.toks[k].is_word() {
            continue;
        }
        let w = ctx.toks[k].span.text(ctx.text);
        if matches!(
            w,
            "a" | "an" | "the" | "of" | "to" | "in" | "on" | "for" | "and" | "or" | "at" | "by"
        ) {
            continue;
        }
        words += 1;
        if w.starts_with(char::is_lowercase) {
            lower += 1;
        }
    }
    words >= 4 && lower * 5 <= words
}

crate::lang::word_list! {
    /// Verb forms left out of the cue lexicon because they are mostly nouns
    /// (`claims`, `reports`), accepted as cues only in a verb's position.
    fn ambiguous_cue_verbs = "en/ambiguous_cue_verbs.txt";
}

/// A quoted fragment no cue claimed, inside a writer's sentence (`Carson
/// pronounced the name "Hamas" as if …`): reported as a mixed quote of its
/// clause, attributed to the sentence's subject, without a cue. `k` is the
/// region's opening token, `a..b` its unit.
pub(crate) fn fragment(ctx: &Ctx, a: usize, b: usize, k: usize) -> Option<Cand> {
    let r = ctx.region_opening(k)?;
    let np = unit_subject(ctx, a, k);
    if np.is_none() && !ctx.regions[r].real {
        return None; // a scare quote in a sentence with no subject to credit
    }
    let floor = np.map_or(0, |np| np.end);
    let end_tok = ctx.region_end_tok(k, r);
    let mut s = k;
    let a = a.max(k.saturating_sub(MAX_SPAN));
    while s > a
        && ctx.toks[s - 1].span.start >= floor
        && (ctx.region_of[s - 1].is_some()
            || !matches!(ctx.punct(s - 1), Some(';' | ',' | ':' | '—' | '(')))
    {
        ctx.tick();
        s -= 1;
    }
    let e = content_end(ctx, end_tok + 1, b);
    let mut e2 = end_tok + 1;
    while e2 < e && !matches!(ctx.punct(e2), Some(',' | ';' | '.' | ':' | '—')) {
        ctx.tick();
        e2 += 1;
    }
    let (s, e) = trim_range(ctx, s, e2);
    (s < e).then_some(Cand {
        content: vec![(s, e)],
        cue: None,
        np,
        inherit: false,
    })
}

/// How far (tokens) before its colon [`colon_speaker`] looks for a dash: the
/// speaker's name ends right before the colon and is at most 10 tokens long
/// (12 with `according to`), so a dash further back cannot start it.
const COLON_SPEAKER_REACH: usize = 16;

/// `Jeffrey M. Jones: "…"` / `According to HuffPo: "…"`: a unit made of a
/// noun phrase and a colon before the quotation names its speaker.
pub(crate) fn colon_speaker(ctx: &Ctx, a: usize, k: usize) -> Option<Span> {
    if k == 0 || k <= a || ctx.punct(k - 1) != Some(':') {
        return None;
    }
    let mut s = a;
    // `POLLS TOO EARLY - Mark Blumenthal: "…"`: the name follows the dash.
    // Bounded: a unit of many `X: "…"` stays linear.
    let reach = a.max(k.saturating_sub(COLON_SPEAKER_REACH));
    if let Some(d) = (reach..k - 1).rev().find(|&d| {
        ctx.tick();
        ctx.region_of[d].is_none() && matches!(ctx.punct(d), Some('-' | '—' | '–'))
    }) {
        s = d + 1;
    }
    if ctx.is_word(s, "according") && ctx.is_word(s + 1, "to") {
        s += 2;
    }
    let (f, l) = ctx.np_after(s, k - 1, 10)?;
    // A name, not a clause: every word capitalised (bar "of", "the").
    let name = (f..=l).all(|x| {
        ctx.tick();
        !ctx.toks[x].is_word()
            || is_cap(ctx, x)
            || matches!(ctx.word(x).as_str(), "of" | "the" | "for")
    });
    (l + 2 == k && name).then(|| ctx.span(f, l))
}

/// `As Vulture put it, "…"` / `as Tom Ridge, a former secretary, put it:
/// "…"`: the noun phrase after `as` is the speaker of the quotation at `k`.
pub(crate) fn as_put_it(ctx: &Ctx, a: usize, k: usize) -> Option<Span> {
    let mut j = k;
    while j > a && matches!(ctx.punct(j - 1), Some(',' | ':' | '—')) {
        ctx.tick();
        j -= 1;
    }
    if j < a + 3 || !ctx.is_word(j - 1, "it") || !ctx.is_word(j - 2, "put") {
        return None;
    }
    let put = j - 2;
    let as_tok = (a.max(put.saturating_sub(20))..put).rev().find(|&x| {
        ctx.tick();
        ctx.is_word(x, "as") && ctx.region_of[x].is_none()
    })?;
    let (f, l) = ctx.np_after(as_tok + 1, put, 10)?;
    Some(ctx.span(f, l))
}

crate::lang::word_list! {
    /// Plural time nouns that open a sentence (`Hours later, Trump …`).
    fn time_openers = "en/time_openers.txt";
}

/// The token after a news dateline at the start of the unit `a..ti`
/// (`WASHINGTON —`, `PHILADELPHIA, July 25 (UPI) —`, `New York (AFP) –`,
/// `DECATUR, Ill. —`), else `a`. A dateline is a place, not a speaker.
fn skip_dateline(ctx: &Ctx, a: usize, ti: usize) -> usize {
    let mut k = a;
    while k < ti && k < a + 14 {
        ctx.tick();
        let t = &ctx.toks[k];
        match t.kind {
            TokKind::Word => {
                let s = t.span.text(ctx.text);
                if !s
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
                {
                    return a;
                }
            }
            TokKind::Punct(',' | '.' | '(' | ')' | '/') => {}
            TokKind::Punct('—' | '–' | '-') if k > a => {
                // The place must be capitalised: all caps, or followed by
                // an agency in parentheses.
                let first = ctx.toks[a].span.text(ctx.text);
                let caps = first
                    .chars()
                    .filter(|c| c.is_alphabetic())
                    .all(char::is_uppercase)
                    && first.chars().filter(|c| c.is_alphabetic()).count() > 1;
                let agency = ctx.punct(k - 1) == Some(')');
                return if caps || agency { k + 1 } else { a };
            }
            _ => return a,
        }
        k += 1;
    }
    a
}

crate::lang::word_list! {
    /// Capitalised sentence openers that are not subjects.
    fn leading_function_words = "en/leading_function_words.txt";
}

/// Longest run of capitalised words (titles' periods included) taken for a
/// unit's subject: a name with its titles fits, and a unit of many
/// quotations after a long title-case run stays linear.
const MAX_SUBJECT_TOKENS: usize = 24;

/// The subject at the start of a unit, for a participle cue with no cue
/// before it (`Trump entered the race …, calling them …`): a leading pronoun
/// or run of capitalised words (with a leading `the`).
///
/// Every walk is bounded (the dateline, a few marks, the opener's comma, at
/// most [`MAX_SUBJECT_TOKENS`] of subject), so a call looks at a few dozen
/// tokens however long the unit: a unit of many quotations stays linear.
pub(crate) fn unit_subject(ctx: &Ctx, a: usize, ti: usize) -> Option<Span> {
    let mut k = skip_dateline(ctx, a, ti);
    while k < ti && k < a + 8 && !ctx.toks[k].is_word() {
        ctx.tick();
        k += 1;
    }
    if k >= ti || !ctx.toks[k].is_word() {
        return None;
    }
    let mut w = ctx.word(k);
    // `Maybe he figures …`, `Perhaps Trump …`: an adverb without a comma
    // stands before the subject.
    if matches!(
        w.as_str(),
        "maybe" | "perhaps" | "still" | "indeed" | "instead" | "finally" | "meanwhile" | "then"
    ) && k + 1 < ti
        && ctx.toks[k + 1].is_word()
    {
        k += 1;
        w = ctx.word(k);
    }
    let opener = |w: &str| {
        leading_function_words().contains(&w)
            || weekdays().contains(&w)
            || time_openers().contains(&w)
            || (w.len() > 4 && (w.ends_with("ly") || w.ends_with("ing")))
    };
    if opener(&w) {
        // "Last year, he …": the subject follows the first comma.
        let mut c = k;
        while c < ti && c < k + 16 && ctx.punct(c) != Some(',') {
            ctx.tick();
            c += 1;
        }
        if c >= ti || ctx.punct(c) != Some(',') {
            return None;
        }
        // A few marks may stand between the comma and the subject, as
        // before the opener: a run of commas is no sentence.
        k = c + 1;
        let most = k + 8;
        while k < ti && k < most && !ctx.toks[k].is_word() {
            ctx.tick();
            k += 1;
        }
        if k >= ti || !ctx.toks[k].is_word() {
            return None;
        }
        w = ctx.word(k);
        if opener(&w) {
            return None;
        }
    }
    if matches!(w.as_str(), "he" | "she" | "they" | "it" | "we" | "i") {
        return Some(ctx.toks[k].span);
    }
    let first = k;
    if w == "the" {
        k += 1;
    }
    let mut last = None;
    let most = k + MAX_SUBJECT_TOKENS;
    while k < ti && k < most && ctx.toks[k].is_word() && is_cap(ctx, k) {
        ctx.tick();
        last = Some(k);
        k += 1;
        // Mrs. Clinton, Sen. Warren
        if k + 1 < ti
            && ctx.punct(k) == Some('.')
            && matches!(
                ctx.word(k - 1).as_str(),
                "mr" | "mrs" | "ms" | "dr" | "sen" | "gov" | "rep" | "gen" | "st"
            )
        {
            k += 1;
        }
    }
    last.map(|l| ctx.span(first, l))
}

/// True when the token before `k` (skipping a comma) closes a region: the
/// backward content is a quotation.
fn backward_region(ctx: &Ctx, k: usize) -> bool {
    let mut j = k;
    while j > 0 && matches!(ctx.punct(j - 1), Some(',' | '—')) && ctx.region_of[j - 1].is_none() {
        ctx.tick();
        j -= 1;
    }
    j > 0 && ctx.region_closing(j - 1).is_some()
}

/// `According to X, CLAUSE.` / `CLAUSE, according to X.` / `as per X`.
fn according(ctx: &Ctx, a: usize, b: usize, ti: usize, cursor: usize) -> Option<Cand> {
    let cue = ctx.span(ti, ti + 1);
    let (f, l) = ctx.np_after(ti + 2, b, 10).or_else(|| {
        // Any words up to punctuation: "according to analysts at Barclays".
        let mut k = ti + 2;
        while k < b && k < ti + 12 && ctx.toks[k].is_word() {
            ctx.tick();
            k += 1;
        }
        (k > ti + 2).then(|| (ti + 2, k - 1))
    })?;
    let np = Some(ctx.span(f, l));
    let mut content = Vec::new();
    // Text before (from the cursor), when there is any.
    let (s, e) = trim_range(ctx, cursor.max(a).max(ti.saturating_sub(MAX_SPAN)), ti);
    if ctx.has_word(s, e) {
        content.push((s, e));
    }
    // Text after the phrase, when a comma follows it.
    if matches!(ctx.punct(l + 1), Some(',')) {
        let (s2, e2) = trim_range(ctx, l + 2, content_end(ctx, l + 2, b));
        if ctx.has_word(s2, e2) {
            content.push((s2, e2));
        }
    }
    (!content.is_empty()).then_some(Cand {
        content,
        cue: Some(cue),
        np,
        inherit: false,
    })
}
