//! The cue's subject when no noun phrase stands right before it: the
//! [`RULES`] that look further back, tried in order, and the rule that a
//! cue with no speaker at all reports nothing.

use super::cue::{Cue, CueSite, Decision};
use super::{backward_region, is_cap, Ctx, MAX_SPAN};

/// A rule that finds a cue's subject (first and last token).
pub(super) type SubjectRule = fn(&Ctx, &CueSite) -> Option<(usize, usize)>;

/// The subject rules, in the order they are tried when the phrase right
/// before the cue is no subject (and the cue does not take the clause's).
pub(super) const RULES: &[SubjectRule] = &[parenthesis, appositive, relative_clause];

/// A parenthesis after the name: the subject is the noun phrase before it.
///
/// Recognises `Gov. John Kasich (R-OH), said the plan would fail.`
pub(super) fn parenthesis(ctx: &Ctx, site: &CueSite) -> Option<(usize, usize)> {
    let CueSite { a, ti, .. } = *site;
    let floor = site.floor();
    if !(ti > a + 3 && ctx.punct(ti - 1) == Some(',') && ctx.punct(ti - 2) == Some(')')) {
        return None;
    }
    let lo = ti.saturating_sub(12).max(floor);
    let open = (lo..ti - 2).rev().find(|&k| {
        ctx.tick();
        ctx.punct(k) == Some('(')
    })?;
    ctx.subject_before(floor, open)
}

/// An appositive between the subject and the cue: the subject is the
/// phrase before the appositive's comma, when a word of it is capitalised.
///
/// Recognises `Tad Devine, a senior adviser, said the race was over.`
pub(super) fn appositive(ctx: &Ctx, site: &CueSite) -> Option<(usize, usize)> {
    let CueSite { a, ti, .. } = *site;
    let floor = site.floor();
    if !(ti > a + 2 && ctx.punct(ti - 1) == Some(',') && !backward_region(ctx, ti)) {
        return None;
    }
    let lo = (ti.saturating_sub(30)).max(floor);
    let mut k = ti - 2;
    while k > lo && ctx.punct(k) != Some(',') && ctx.region_of[k].is_none() {
        ctx.tick();
        k -= 1;
    }
    if !(k > lo && ctx.punct(k) == Some(',')) {
        return None;
    }
    let (f, l) = ctx.subject_before(a.max(k.saturating_sub(MAX_SPAN)), k)?;
    (f..=l)
        .any(|x| {
            ctx.tick();
            is_cap(ctx, x)
        })
        .then_some((f, l))
}

/// A relative clause between the subject and the cue: the subject is the
/// phrase before `who` or `which`.
///
/// Recognises `A White House official who spoke anonymously said the talks
/// had stalled.`
pub(super) fn relative_clause(ctx: &Ctx, site: &CueSite) -> Option<(usize, usize)> {
    let ti = site.ti;
    let floor = site.floor();
    let lo = ti.saturating_sub(16).max(floor);
    let w = (lo..ti).rev().find(|&k| {
        ctx.tick();
        ctx.toks[k].is_word()
            && matches!(ctx.word(k).as_str(), "who" | "which")
            && ctx.region_of[k].is_none()
    })?;
    let clean = (w + 1..ti).all(|k| {
        ctx.tick();
        ctx.toks[k].is_word() || ctx.punct(k) == Some(',')
    });
    if !clean {
        return None;
    }
    let w2 = if w > lo && ctx.punct(w - 1) == Some(',') {
        w - 1
    } else {
        w
    };
    ctx.subject_before(floor, w2)
}

/// A cue with no subject, and no clause to take one from (see
/// [`Cue::speaker`]), reports nothing; otherwise the content rules decide.
///
/// Rejects `"Enough," said aloud.` (nothing before `said` is its subject);
/// passes `He paused, adding that it was late.` (the clause's subject).
pub(super) fn no_speaker(cue: &Cue) -> Decision {
    match cue.speaker() {
        Some(_) => Decision::Pass,
        None => Decision::Reject,
    }
}

#[cfg(test)]
mod tests {
    use super::super::cue::Cue;
    use super::super::sample::{check, Sample};
    use super::*;

    /// Checks `rule` on `(text, cue word, subject found)` cases.
    fn check_subject(rule: SubjectRule, cases: &[(&str, &str, Option<&str>)]) {
        for &(text, cue, want) in cases {
            let s = Sample::new(text);
            let got = rule(&s.ctx(), &s.site(cue)).map(|(f, l)| s.words(f, l + 1));
            assert_eq!(got.as_deref(), want, "{text:?}");
        }
    }

    #[test]
    fn a_parenthesis_after_the_name() {
        check_subject(
            parenthesis,
            &[
                (
                    "Gov. John Kasich (R-OH), said the plan would fail.",
                    "said",
                    Some("Gov. John Kasich"),
                ),
                ("Kasich, said the plan would fail.", "said", None),
            ],
        );
    }

    #[test]
    fn an_appositive() {
        check_subject(
            appositive,
            &[
                (
                    "Tad Devine, a senior adviser, said the race was over.",
                    "said",
                    Some("Tad Devine"),
                ),
                (
                    "the adviser, a senior one, said the race was over.",
                    "said",
                    None,
                ),
            ],
        );
    }

    #[test]
    fn a_relative_clause() {
        check_subject(
            relative_clause,
            &[
                (
                    "A White House official who spoke anonymously said the talks had stalled.",
                    "said",
                    Some("A White House official"),
                ),
                (
                    "The official who spoke “anonymously” said the talks had stalled.",
                    "said",
                    None,
                ),
            ],
        );
    }

    #[test]
    fn the_rules_are_tried_when_no_phrase_stands_before_the_cue() {
        let s = Sample::new("Tad Devine, a senior adviser, said the race was over.");
        let ctx = s.ctx();
        let cue = Cue::read(&ctx, s.site("said")).unwrap();
        let subj = cue.subj.map(|(f, l)| s.words(f, l + 1));
        assert_eq!(subj.as_deref(), Some("Tad Devine"));
    }

    #[test]
    fn no_speaker_rejects_a_cue_without_subject() {
        check(
            no_speaker,
            &[
                ("“Enough,” said aloud.", "said", "reject"),
                ("He paused, adding that it was late.", "adding", "pass"),
            ],
        );
    }
}
