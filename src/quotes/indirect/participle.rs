//! Cues that take their subject from the clause they hang on: a participle
//! (`…, adding that …`, `by saying …`) or a verb coordinated with an
//! earlier one (`… but added, "…"`).

use super::cue::{comma_before, CueSite};
use super::Ctx;

/// Where a participle cue stands: `Some(true)` after a comma or a
/// preposition, where it takes the clause's subject (`The senator
/// criticised the plan, adding that it would fail.`); `Some(false)` after
/// an auxiliary, where its subject is its own (`He is saying the plan will
/// fail.`) — and for any cue that is no participle. `None` elsewhere: the
/// participle modifies a noun (`a statement explaining the delay`) and is
/// no cue.
pub(super) fn position(ctx: &Ctx, site: &CueSite) -> Option<bool> {
    let CueSite { a, ti, cw, .. } = *site;
    if !cw.participle {
        return Some(false);
    }
    let by_participle = ti > a
        && ctx.toks[ti - 1].is_word()
        && matches!(
            ctx.word(ti - 1).as_str(),
            "by" | "after" | "before" | "while" | "when" | "in"
        );
    if comma_before(ctx, a, ti) || by_participle {
        return Some(true);
    }
    let after_aux = ti > a
        && matches!(
            ctx.word(ti - 1).replace('’', "'").as_str(),
            "is" | "was"
                | "are"
                | "were"
                | "been"
                | "be"
                | "am"
                | "he's"
                | "she's"
                | "they're"
                | "i'm"
                | "we're"
                | "it's"
        );
    after_aux.then_some(false)
}

/// Whether the cue follows `and` or `but` (adverbs such as `also`, `then`
/// between): a verb coordinated with the clause's first, whose subject it
/// shares (`Suu Kyi said the vote was fair but added, "We will see."`).
pub(super) fn coordinated(ctx: &Ctx, site: &CueSite) -> bool {
    let CueSite { a, ti, .. } = *site;
    let mut j = ti;
    while j > a
        && ctx.toks[j - 1].is_word()
        && matches!(
            ctx.word(j - 1).as_str(),
            "also" | "then" | "later" | "quickly"
        )
    {
        ctx.tick();
        j -= 1;
    }
    j > a && matches!(ctx.word(j - 1).as_str(), "and" | "but") && ctx.region_of[j - 1].is_none()
}

#[cfg(test)]
mod tests {
    use super::super::sample::Sample;
    use super::{coordinated, position};

    /// Checks [`position`] on `(text, cue word, position)` cases.
    fn check_position(cases: &[(&str, &str, Option<bool>)]) {
        for &(text, cue, want) in cases {
            let s = Sample::new(text);
            assert_eq!(position(&s.ctx(), &s.site(cue)), want, "{text:?}");
        }
    }

    #[test]
    fn a_participle_after_a_comma_or_preposition_takes_the_clause_subject() {
        check_position(&[
            (
                "The senator criticised the plan, adding that it would fail.",
                "adding",
                Some(true),
            ),
            (
                "He ended the speech by saying the war was over.",
                "saying",
                Some(true),
            ),
        ]);
    }

    #[test]
    fn a_participle_after_an_auxiliary_has_its_own_subject() {
        check_position(&[
            ("He is saying the plan will fail.", "saying", Some(false)),
            ("He’s saying the plan will fail.", "saying", Some(false)),
        ]);
    }

    #[test]
    fn a_participle_after_a_noun_is_no_cue() {
        check_position(&[(
            "They issued a statement explaining the delay.",
            "explaining",
            None,
        )]);
    }

    #[test]
    fn other_cues_are_not_participles() {
        check_position(&[("The mayor said the plan will fail.", "said", Some(false))]);
    }

    #[test]
    fn and_or_but_before_the_cue_coordinates_it() {
        for (text, want) in [
            (
                "Suu Kyi said the vote was fair but added, \"We will see.\"",
                true,
            ),
            ("He praised the plan and then added that it was late.", true),
            ("The mayor added that it was late.", false),
        ] {
            let s = Sample::new(text);
            assert_eq!(coordinated(&s.ctx(), &s.site("added")), want, "{text:?}");
        }
    }
}
