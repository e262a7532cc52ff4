//! Rules for a content after the cue: a quotation (`X wrote, "…"`), the
//! next unit (`X said:` ¶ `"…"`), a broad cue's object (`called the deal
//! "a disaster"`) and a reported clause (`X said (that) …`).

use super::cue::{Cue, CueSite, Decision};
use super::{content_end, trim_range};

crate::lang::word_list! {
    /// Words that cannot start a reported clause (`said during a panel`, `says
    /// to reporters`, `continues to lead`).
    fn not_clause_start = "en/not_clause_start.txt";
}

/// A quotation right after the cue: the whole of it when its utterance ends
/// inside the marks, else on to the end of the clause (a quoted fragment).
///
/// Recognises `He said, “We’ll see,” when asked about it.` (the quotation)
/// and `He said “a disaster” and left.` (to the clause's end).
pub(super) fn quotation_after(cue: &Cue) -> Decision {
    let Some(k) = cue.quotation else {
        return Decision::Pass;
    };
    let ctx = cue.ctx;
    let r = ctx.region_of[k].unwrap_or_default();
    let close = ctx.region_end_tok(k, r);
    let rend = close + 1;
    // A quotation that ends its utterance inside the marks (`said, “We’ll
    // see,” when asked …`) is the whole content; a fragment (`said “a
    // disaster” and left`) runs on to the end of the clause.
    let complete = close > k + 1 && matches!(ctx.punct(close - 1), Some(',' | '.' | '?' | '!'));
    let e = if complete {
        rend
    } else {
        content_end(ctx, k, cue.site.b).max(rend)
    };
    let (s, e) = trim_range(ctx, k, e);
    cue.quote(vec![(s, e)])
}

/// Nothing after the cue in its unit: when the unit ends in a colon, the
/// content is the next unit (a quotation, or an unmarked block quote);
/// otherwise the cue reports nothing.
///
/// Recognises `The senator said:` ¶ `“We will win.”`
pub(super) fn next_unit(cue: &Cue) -> Decision {
    if cue.clause().words > 0 {
        return Decision::Pass;
    }
    let ctx = cue.ctx;
    let CueSite { b, next, .. } = cue.site;
    // X said: ⏎ "…" (or an unmarked block quote)
    if b > 0 && matches!(ctx.punct(b - 1), Some(':')) && cue.start >= b {
        if let Some((na, nb)) = next {
            let end = match ctx.region_opening(na) {
                Some(r) => (ctx.region_end_tok(na, r) + 1).min(nb),
                None => nb,
            };
            return cue.quote(vec![(na, end)]);
        }
    }
    Decision::Reject
}

/// A broad cue's content is its object (a relative clause on the object
/// aside: that is an attribution of its own). A bare base form is mostly a
/// noun (`weaker demand`): a cue only after a pronoun, a modal or `to`.
///
/// Recognises `Trump called the deal “a disaster.”`, `We want a recount.`;
/// rejects `Weaker demand hit prices.`
pub(super) fn broad_object(cue: &Cue) -> Decision {
    let CueSite { a, b, ti, cw, .. } = cue.site;
    if !cw.broad {
        return Decision::Pass;
    }
    let ctx = cue.ctx;
    // A bare base form is mostly a noun ("weaker demand"): only after a
    // pronoun or a modal ("we want", "will call").
    let base = ctx.toks[ti]
        .span
        .text(ctx.text)
        .eq_ignore_ascii_case(cw.lemma);
    if base
        && !(ti > a
            && matches!(
                ctx.word(ti - 1).as_str(),
                "i" | "we"
                    | "they"
                    | "you"
                    | "who"
                    | "will"
                    | "would"
                    | "to"
                    | "should"
                    | "must"
                    | "did"
                    | "do"
                    | "not"
                    | "also"
            ))
    {
        return Decision::Reject;
    }
    // The object is the content: called the deal "a disaster". A
    // relative clause on the object (`praised Franklin Graham, who has
    // vowed …`) is his attribution, not part of this one.
    let mut e = content_end(ctx, ti + 1, b);
    if let Some(k) = (ti + 1..e).find(|&k| {
        ctx.tick();
        ctx.punct(k) == Some(',') && (ctx.is_word(k + 1, "who") || ctx.is_word(k + 1, "which"))
    }) {
        e = k;
    }
    let (s, e) = trim_range(ctx, ti + 1, e);
    if ctx.has_word(s, e) {
        cue.quote(vec![(s, e)])
    } else {
        Decision::Reject
    }
}

/// The reported clause after the cue, up to the unit's end or a clause
/// break. Without `that` it must have two words (four for a weak cue such
/// as `believe`) and not open with a preposition or the like (`said during
/// a panel`).
///
/// Recognises `The mayor said the plan would fail.`, `She believes that
/// it works.`; rejects `He said during a panel …`, `They believe it.`
pub(super) fn clause_after(cue: &Cue) -> Decision {
    let c = cue.clause();
    if c.words == 0 {
        return Decision::Reject;
    }
    if !c.had_that && not_clause_start().contains(&cue.ctx.word(c.s).as_str()) {
        return Decision::Reject;
    }
    if cue.site.cw.weak && !c.had_that && c.words < 4 {
        return Decision::Reject;
    }
    if !c.had_that && c.words < 2 {
        return Decision::Reject;
    }
    cue.quote(vec![(c.s, c.e)])
}

#[cfg(test)]
mod tests {
    use super::super::sample::check;
    use super::*;

    #[test]
    fn a_quotation_after_the_cue() {
        check(
            quotation_after,
            &[
                (
                    "He said, “We’ll see,” when asked about it.",
                    "said",
                    "quote [“We’ll see,”] by He",
                ),
                (
                    "He said “a disaster” and left.",
                    "said",
                    "quote [“a disaster” and left] by He",
                ),
                ("He said the plan will fail.", "said", "pass"),
            ],
        );
    }

    #[test]
    fn the_next_unit_after_a_colon() {
        check(
            next_unit,
            &[
                (
                    "The senator said:\n\n“We will win.”",
                    "said",
                    "quote [“We will win.”] by The senator",
                ),
                ("The senator said.", "said", "reject"),
                ("The senator said it is over.", "said", "pass"),
            ],
        );
    }

    #[test]
    fn a_broad_cue_object() {
        check(
            broad_object,
            &[
                (
                    "Trump called the deal “a disaster.”",
                    "called",
                    "quote [the deal “a disaster.”] by Trump",
                ),
                (
                    "She praised Franklin Graham, who has vowed to help.",
                    "praised",
                    "quote [Franklin Graham] by She",
                ),
                ("Weaker demand hit prices.", "demand", "reject"),
                ("The mayor said it is over.", "said", "pass"),
            ],
        );
    }

    #[test]
    fn a_reported_clause() {
        check(
            clause_after,
            &[
                (
                    "The mayor said the plan would fail.",
                    "said",
                    "quote [the plan would fail] by The mayor",
                ),
                (
                    "She believes that it works.",
                    "believes",
                    "quote [it works] by She",
                ),
                ("She believes it works.", "believes", "reject"),
                (
                    "Shipping analysts at Halden & Co. estimated the stoppage would last.",
                    "estimated",
                    "quote [the stoppage would last] by Shipping analysts at Halden & Co.",
                ),
                ("He said during a panel on trade.", "said", "reject"),
            ],
        );
    }
}
