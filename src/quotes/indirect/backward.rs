//! Rules for a content before the cue: `"…," X said`, `…, officials said.`,
//! and the inverted `"…," said the ministry.`

use super::cue::{Cue, CueSite, Decision};
use super::{
    backward_region, content_end, is_clause_break, paren_floor, region_follows, skip_adverbial,
    trim_range, Ctx,
};
use crate::quotes::speaker::is_lower;

/// A content before the cue and its subject: a quotation (unless `that`
/// opens a clause of the cue's own), or any clause when nothing but an
/// adverbial follows the cue. A quotation after it joins a split quote; a
/// clause after `, officials said,` joins the content.
///
/// Recognises `"We will win," she said.`, `The talks failed, officials
/// said on Friday.`, `"A," he said, "B."`, `A, officials said, B.`
pub(super) fn quote_before(cue: &Cue) -> Decision {
    let Some((f, _)) = cue.subj else {
        return Decision::Pass;
    };
    let (ctx, b, ti) = (cue.ctx, cue.site.b, cue.site.ti);
    let quoted_before = backward_region(ctx, f);
    // "He added that …" after a quotation starts a new attribution.
    let clause_after = cue.start > ti + 1 && ctx.is_word(cue.start - 1, "that");
    if !(cue.backward_ok(f)
        && ((quoted_before && !clause_after)
            || (cue.tail_empty(ti + 1) && cue.quotation.is_none())))
    {
        return Decision::Pass;
    }
    let (s, e) = trim_range(ctx, paren_floor(ctx, cue.floor, f), f);
    let mut content = vec![(s, e)];
    let k = skip_adverbial(ctx, ti + 1, b);
    if let Some(r) = region_follows(ctx, k, b) {
        // Split quote: "A," he said, "B."
        if quoted_before {
            let reg = ctx.region_of[r].unwrap_or_default();
            content.push((r, ctx.region_end_tok(r, reg) + 1));
        }
    } else if !quoted_before
        && ctx.punct(k) == Some(',')
        && !is_clause_break(ctx.text, ctx.toks, k, b)
    {
        // A, officials said, B.
        let (s2, e2) = trim_range(ctx, k + 1, content_end(ctx, k + 1, b));
        if ctx.has_word(s2, e2) {
            content.push((s2, e2));
        }
    }
    cue.quote_by(content, cue.subj.map(|(f, l)| ctx.span(f, l)))
}

/// An inverted subject after a cue that follows a comma: the content is
/// before the cue, or a quotation after the subject. The subject ends
/// before a tail (`in an interview`, `of the University of Texas`, a
/// parenthesis). A phrase that opens with a pronoun (`…, said they would`)
/// is no inverted subject; after a broad cue, only a whole phrase up to
/// punctuation is (`…, accused the party leaders of backing down on taxes
/// and on spending` has none).
///
/// Recognises `"We will win," said the ministry.`, `"…," said Mayor Don
/// Guardian in a telephone interview on Friday.`, `Then, said the
/// ministry, "We will win."`
pub(super) fn inverted(cue: &Cue) -> Decision {
    let CueSite { b, ti, cw, .. } = cue.site;
    let ctx = cue.ctx;
    if !(cue.subj.is_none() && cue.comma_before(ti) && !cw.participle) {
        return Decision::Pass;
    }
    let Some((f, l)) = ctx.np_after(ti + 1, b, 8).filter(|&(f, l)| {
        f == l
            || !matches!(
                ctx.word(f).as_str(),
                "he" | "she" | "they" | "it" | "we" | "i"
            )
    }) else {
        return Decision::Pass;
    };
    if !backward_region(ctx, ti) && matches!(ctx.punct(l + 1), Some(',' | ':')) {
        if let Some(k) = region_follows(ctx, l + 1, b) {
            let r = ctx.region_of[k].unwrap_or_default();
            let content = vec![(k, ctx.region_end_tok(k, r) + 1)];
            return cue.quote_by(content, Some(ctx.span(f, l)));
        }
    }
    // A broad cue's object is no inverted subject (`…, accused the
    // leadership of backing down`): only a whole phrase counts.
    let inverted = if cw.broad {
        phrase_ends(ctx, l + 1, b).then_some(l)
    } else {
        inverted_subject_end(ctx, f, l, b)
    };
    let end_ok = inverted.is_some();
    let l = inverted.unwrap_or(l);
    if !(end_ok && cue.backward_ok(ti)) {
        return Decision::Pass;
    }
    let (s, e) = trim_range(ctx, paren_floor(ctx, cue.floor, ti), ti);
    let mut content = vec![(s, e)];
    if backward_region(ctx, ti) {
        if let Some(k) = region_follows(ctx, l + 1, b) {
            let r = ctx.region_of[k].unwrap_or_default();
            content.push((k, ctx.region_end_tok(k, r) + 1));
        }
    }
    cue.quote_by(content, Some(ctx.span(f, l)))
}

crate::lang::word_list! {
    /// Words that start the tail of an inverted subject (`said Don Guardian in
    /// an interview`, `said Stephen Vladeck of the University of Texas`, `said a
    /// data expert who has worked for …`).
    fn subject_tail = "en/subject_tail.txt";
}

/// Where the inverted subject `f..=l` (`"…," said X`) ends: `l` when
/// punctuation follows it, else the word before a short parenthesis (`Sen.
/// Chris Murphy (D-Conn.).`) or before a prepositional or relative tail
/// (`Mayor Don Guardian in a telephone interview.`). `None` when the phrase
/// runs on into a clause of its own.
fn inverted_subject_end(ctx: &Ctx, f: usize, l: usize, b: usize) -> Option<usize> {
    if phrase_ends(ctx, l + 1, b) {
        return Some(l);
    }
    // The first tail start after the subject's first word (within the
    // phrase, or right after it).
    let k = (f + 1..=l + 1).find(|&k| {
        ctx.tick();
        ctx.punct(k) == Some('(')
            || (ctx.toks.get(k).is_some_and(|t| t.is_word())
                && is_lower(ctx.text, &ctx.toks[k])
                && subject_tail().contains(&ctx.word(k).as_str()))
    })?;
    let end = k - 1;
    ctx.toks[end].is_word().then_some(end)
}

/// True when a noun phrase ends before token `k`: the unit's end or
/// sentence/clause punctuation.
fn phrase_ends(ctx: &Ctx, k: usize, b: usize) -> bool {
    k >= b || matches!(ctx.punct(k), Some('.' | ',' | ';' | '!' | '?' | ':'))
}

#[cfg(test)]
mod tests {
    use super::super::sample::check;
    use super::{inverted, quote_before};

    #[test]
    fn a_quotation_before_the_cue() {
        check(
            quote_before,
            &[
                (
                    "“We will win,” she said.",
                    "said",
                    "quote [“We will win,”] by she",
                ),
                (
                    "“We will win,” she said, “and soon.”",
                    "said",
                    "quote [“We will win,” | “and soon.”] by she",
                ),
            ],
        );
    }

    #[test]
    fn a_clause_before_the_cue() {
        check(
            quote_before,
            &[
                (
                    "The talks failed, officials said on Friday.",
                    "said",
                    "quote [The talks failed] by officials",
                ),
                (
                    "The talks, officials said, failed again.",
                    "said",
                    "quote [The talks | failed again] by officials",
                ),
            ],
        );
    }

    #[test]
    fn a_clause_after_the_cue_is_not_before_it() {
        check(
            quote_before,
            &[
                (
                    "The talks failed, and officials said it was over.",
                    "said",
                    "pass",
                ),
                ("Officials said the talks failed.", "said", "pass"),
            ],
        );
    }

    #[test]
    fn an_inverted_subject() {
        check(
            inverted,
            &[
                (
                    "“We will win,” said the ministry.",
                    "said",
                    "quote [“We will win,”] by the ministry",
                ),
                (
                    "“We will win,” said Sen. Chris Murphy (D-Conn.).",
                    "said",
                    "quote [“We will win,”] by Sen. Chris Murphy",
                ),
                (
                    "Then, said the ministry, “We will win.”",
                    "said",
                    "quote [“We will win.”] by the ministry",
                ),
            ],
        );
    }

    #[test]
    fn an_inverted_subject_ends_before_its_tail() {
        check(
            inverted,
            &[
                (
                    "“We will win,” said Mayor Don Guardian in a telephone interview on Friday.",
                    "said",
                    "quote [“We will win,”] by Mayor Don Guardian",
                ),
                (
                    "The plan failed, said the party leaders of backing down on taxes and on spending.",
                    "said",
                    "quote [The plan failed] by the party leaders",
                ),
            ],
        );
    }

    #[test]
    fn a_pronoun_clause_or_a_broad_object_is_no_inverted_subject() {
        check(
            inverted,
            &[
                ("The plan is late, said they would add.", "said", "pass"),
                // The words that were the subject of `said` above: after a
                // broad cue, only a whole phrase (up to punctuation) is one.
                (
                    "The plan failed, accused the party leaders of backing down on taxes and on spending.",
                    "accused",
                    "pass",
                ),
            ],
        );
    }
}
