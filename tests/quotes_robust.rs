//! The entity and quote stages never panic and stay linear-ish on hostile
//! input. Linear-ish in *work*, counted by the quote stage itself: timings
//! belong in the benchmarks, never in a test.

use proptest::prelude::*;
use saidwho::entities::RuleResolver;
use saidwho::quotes::{RuleQuoteExtractor, WorkCount};
use saidwho::text::marks::quoted;
use saidwho::{Label, Mention, MentionKind, Span};

/// The entity and quote stages on `text`, checked; the entity stage's steps
/// and the quote stage's work.
fn all_stages(text: &str) -> (u64, WorkCount) {
    // Mentions on every capitalised word, as a noisy recogniser would give.
    let mut mentions = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            if text[s..].starts_with(char::is_uppercase) {
                let label = if (i - s) % 2 == 0 {
                    Label::Per
                } else {
                    Label::Org
                };
                mentions.push(Mention {
                    span: Span::new(s, i),
                    label,
                    score: Some(0.9),
                    kind: MentionKind::Name,
                });
            }
        }
    }
    let (entities, entity_steps) = RuleResolver::default().resolve_counted(text, &[], mentions);
    let (quotes, work) = RuleQuoteExtractor::default().extract_counted(text, &[], &entities);
    for q in &quotes {
        for c in &q.content {
            assert!(text.get(c.start..c.end).is_some(), "span off char boundary");
            assert!(!c.is_empty());
        }
        if let Some(s) = &q.speaker {
            assert!(text.get(s.span.start..s.span.end).is_some());
            if let Some(id) = s.entity {
                assert!(id < entities.len());
            }
        }
    }
    for (i, e) in entities.iter().enumerate() {
        assert_eq!(e.id, i);
        assert!(e
            .mentions
            .windows(2)
            .all(|w| w[0].span.start <= w[1].span.start));
    }
    (entity_steps, work)
}

#[test]
fn hostile_inputs() {
    let cases = [
        String::new(),
        "\"".repeat(100_000),
        "“".repeat(100_000),
        "’".repeat(50_000),
        "'".repeat(50_000),
        "«»„‹›‘’“”\"'".repeat(20_000),
        "\u{0}\u{1}\u{7f}\u{202e}said\u{feff}".repeat(5_000),
        "He said: \"".repeat(10_000),
        "according to according to , , said said said".repeat(2_000),
        "“a” said, ".repeat(20_000),
        "Mr. Smith said that he would. ".repeat(5_000),
        "\n\n\n\"\n\"\n".repeat(10_000),
        "Dinesh\u{a0}D’Souza’s\u{2003}Ministry said\u{a0}“Yes,”\u{a0}Mr.\u{a0}Lee\u{a0}said. "
            .repeat(500),
    ];
    for c in &cases {
        all_stages(c);
        let _ = quoted(c);
    }
}

/// Eight times the text is about eight times the work: at least four times
/// (the count counts) and at most twelve (quadratic work would be 64 times),
/// for the entity stage and for every kind of step of the quote stage.
#[test]
fn work_is_linear_ish() {
    let unit = "“We will win,” said Ms. Jane Doe, a senator. She added that “the \"plan\" works.” \
                According to the ministry, it failed, officials said. He's sure it’s voters’ 90s ";
    let (small_entities, small) = all_stages(&unit.repeat(500));
    let (big_entities, big) = all_stages(&unit.repeat(4_000));
    for (kind, s, b) in [
        ("entities", small_entities, big_entities),
        ("marks", small.marks, big.marks),
        ("tokens", small.tokens, big.tokens),
        ("mentions", small.mentions, big.mentions),
        ("quotes", small.total(), big.total()),
    ] {
        assert!(
            s > 0 && b >= 4 * s && 2 * b <= 3 * 8 * s,
            "{kind}: {s} steps for 500 units, {b} for 4,000 ({:.2}x)",
            b as f64 / s.max(1) as f64
        );
    }
}

/// A hostile text of `n` repeats of a pattern, and the count of the quote
/// stage's work it is judged by.
type Shape = (&'static str, fn(usize) -> String, fn(&WorkCount) -> u64);

/// Holds `big` (work at eight times the size) to about eight times `small`,
/// or says why not.
fn eightfold(shape: &str, small: u64, big: u64) -> Result<(), String> {
    let ratio = big as f64 / small.max(1) as f64;
    println!("{shape}: {ratio:.2}x");
    if small > 0 && big >= 4 * small && 2 * big <= 3 * 8 * small {
        Ok(())
    } else {
        Err(format!("{shape}: {small} steps, then {big} ({ratio:.2}x)"))
    }
}

/// Texts shaped (in review) to make a rule re-scan what it has scanned
/// already: from 500 to 4,000 repeats, each stays about eight times the
/// work by the count of the stage that re-scanned.
#[test]
fn hostile_shapes_are_linear_ish() {
    const QUOTE: &str = "“one two three four five six seven eight” ";
    let shapes: &[Shape] = &[
        // `X: “…”` many times in one unit: a dash before each colon.
        (
            "colon speakers",
            |n| format!("x: {QUOTE}").repeat(n),
            |w| w.tokens,
        ),
        // A long run of capitalised words, then many quotations: the
        // unit's subject before each.
        (
            "capitalised run",
            |n| "Word ".repeat(n) + &QUOTE.repeat(n),
            |w| w.total(),
        ),
        // A sentence opener and its comma, then many more commas.
        (
            "opener and commas",
            |n| "Last year, ".to_string() + &", ".repeat(n) + &QUOTE.repeat(n),
            |w| w.tokens,
        ),
        (
            "as put it and commas",
            |n| "As Smith put it, ".to_string() + &", ".repeat(n) + &QUOTE.repeat(n),
            |w| w.tokens,
        ),
        // Stray closing marks of a style that is not open, over many open
        // marks of another (n = 1,000 and 8,000).
        (
            "stray closing marks",
            |n| " ‘".repeat(2 * n) + &" »".repeat(2 * n),
            |w| w.marks,
        ),
    ];
    let mut failed = Vec::new();
    for &(shape, text, count) in shapes {
        let small = count(&all_stages(&text(500)).1);
        let big = count(&all_stages(&text(4_000)).1);
        failed.extend(eightfold(shape, small, big).err());
    }
    // Thousands of people sharing a surname, each with a first name of
    // their own (`Qaaab Doe`, `Qaaac Doe`, …; n = 1,000 and 8,000): the
    // entity stage's steps.
    let namesakes = |n: usize| {
        let mut text = String::new();
        let mut mentions = Vec::new();
        for i in 0..n {
            let start = text.len();
            text.push('Q');
            text.extend(
                format!("{i:04}")
                    .bytes()
                    .map(|d| char::from(d - b'0' + b'a')),
            );
            text.push_str(" Doe");
            mentions.push(Mention {
                span: Span::new(start, text.len()),
                label: Label::Per,
                score: Some(0.9),
                kind: MentionKind::Name,
            });
            text.push_str(" spoke. ");
        }
        RuleResolver::default()
            .resolve_counted(&text, &[], mentions)
            .1
    };
    failed.extend(eightfold("namesakes", namesakes(1_000), namesakes(8_000)).err());
    assert!(failed.is_empty(), "{failed:#?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn never_panics(s in "[a-zA-Z ,.:;\n\"'“”‘’«»„‹›—\u{a0}\u{2003}é-]{0,300}") {
        all_stages(&s);
    }

    #[test]
    fn never_panics_on_cue_soup(
        words in proptest::collection::vec(
            prop_oneof![
                Just("said"), Just("He"), Just("the ministry"), Just(","), Just("“"), Just("”"),
                Just("\""), Just("according"), Just("to"), Just("."), Just("\n"), Just("that"),
                Just("Smith"), Just("'"), Just("’s"), Just(":"), Just("adding"), Just("called"),
            ],
            0..120,
        )
    ) {
        all_stages(&words.join(" "));
    }
}

/// Found by `fuzz/fuzz_targets/quotes.rs`: invented mentions over a text of
/// multi-byte characters and stray marks gave a speaker span off the text's
/// char boundaries.
#[test]
fn fuzz_regression_speaker_on_char_boundaries() {
    use saidwho::ner::Recognizer;
    use saidwho::{Label, Mention, MentionKind, Pipeline, Sentence, Span};
    /// The fuzzer's mentions, as spans: all PER, overlapping, one empty.
    struct Fixed;
    impl Recognizer for Fixed {
        fn recognize(&self, _: &str, _: &[Sentence]) -> saidwho::Result<Vec<Mention>> {
            Ok([(7, 22), (6, 21), (6, 12), (6, 21), (25, 25)]
                .map(|(start, end)| Mention {
                    span: Span::new(start, end),
                    label: Label::Per,
                    score: Some(0.9),
                    kind: MentionKind::Name,
                })
                .to_vec())
        }
    }
    let text = "\u{64c}ch.\"\".'\"\"E\"\"`\"\u{2fbef}\".\"\"\"E";
    let doc = Pipeline::without_ner()
        .with_recognizer(Fixed)
        .analyze(text)
        .unwrap();
    doc.validate().unwrap();
}
