//! A negated cue reports nothing: `did not say whether …`, `never said`,
//! `hasn’t told anyone that …`.

use super::Ctx;

/// Whether the cue at token `ti` of the unit starting at `a` is negated by
/// the two words before it.
///
/// Recognises `The ministry did not say when the talks would resume.`
/// (`say`), `She never said she would run.` (`said`).
pub(super) fn negated(ctx: &Ctx, a: usize, ti: usize) -> bool {
    let from = ti.saturating_sub(4).max(a);
    negated_before(ctx.text, ctx.toks[from].span.start, ctx.toks[ti].span.start)
}

/// Whether one of the two words of `text[from..cue]` nearest the cue is a
/// negation (`not`, `never`, `…n't`): a negated cue reports nothing.
pub(crate) fn negated_before(text: &str, from: usize, cue: usize) -> bool {
    let Some(before) = text.get(from..cue) else {
        return false;
    };
    let before = before.to_lowercase().replace('’', "'");
    before
        .split(char::is_whitespace)
        .filter(|w| !w.is_empty())
        .rev()
        .take(2)
        .any(|w| matches!(w, "not" | "never") || w.ends_with("n't"))
}

#[cfg(test)]
mod tests {
    use super::super::sample::Sample;
    use super::negated;

    /// Checks [`negated`] on `(text, cue word, negated)` cases.
    fn check(cases: &[(&str, &str, bool)]) {
        for &(text, cue, want) in cases {
            let s = Sample::new(text);
            let site = s.site(cue);
            assert_eq!(negated(&s.ctx(), site.a, site.ti), want, "{text:?}");
        }
    }

    #[test]
    fn not_never_and_contractions_negate() {
        check(&[
            (
                "The ministry did not say when the talks resume.",
                "say",
                true,
            ),
            ("She never said she would run.", "said", true),
            ("He hasn’t told anyone that he is leaving.", "told", true),
            ("They didn't say why.", "say", true),
        ]);
    }

    #[test]
    fn a_negation_further_back_does_not() {
        check(&[
            ("The ministry said the talks would resume.", "said", false),
            ("Not all of them agree, the mayor said.", "said", false),
        ]);
    }
}
