//! Property tests of the sentence splitter's contract: on any input the
//! spans tile the text (every non-whitespace character in exactly one span),
//! are ordered, non-overlapping, trimmed and on char boundaries — and the
//! splitter never panics.

use proptest::prelude::*;
use saidwho::text::{RuleSplitter, SentenceSplitter};
use saidwho::Span;

/// Checks every invariant of [`SentenceSplitter::split`] for `text`.
fn check_tiling(text: &str, spans: &[Span]) -> Result<(), String> {
    let mut covered = vec![false; text.len()];
    let mut prev_end = 0;
    for (i, s) in spans.iter().enumerate() {
        if s.start < prev_end {
            return Err(format!(
                "span {i} {s} overlaps or is out of order (prev end {prev_end})"
            ));
        }
        if s.is_empty() {
            return Err(format!("span {i} is empty"));
        }
        if s.end > text.len() {
            return Err(format!("span {i} {s} past the end"));
        }
        if !text.is_char_boundary(s.start) || !text.is_char_boundary(s.end) {
            return Err(format!("span {i} {s} not on char boundaries"));
        }
        let body = &text[s.start..s.end];
        if body.trim() != body {
            return Err(format!("span {i} {s} not trimmed: {body:?}"));
        }
        covered[s.start..s.end].iter_mut().for_each(|c| *c = true);
        prev_end = s.end;
    }
    for (b, c) in text.char_indices() {
        if !c.is_whitespace() && !covered[b] {
            return Err(format!("char {c:?} at byte {b} not covered"));
        }
    }
    Ok(())
}

fn split_and_check(text: &str) -> Result<Vec<Span>, TestCaseError> {
    let spans = RuleSplitter::default().split(text);
    check_tiling(text, &spans).map_err(TestCaseError::fail)?;
    Ok(spans)
}

/// Pieces of news text that exercise every rule of the splitter.
const FRAGMENTS: &[&str] = &[
    " ",
    " ",
    " ",
    "\n",
    "\n\n",
    "\r\n",
    "\t",
    "\u{2029}",
    "\u{85}",
    "\u{0C}",
    "The",
    "said",
    "he",
    "Smith",
    "It",
    "How",
    "officials",
    "Mr.",
    "Dr.",
    "Gen.",
    "U.S.",
    "U.S.A.",
    "E.",
    "I.",
    "a.m.",
    "P.M.",
    "Inc.",
    "co.",
    "Jan.",
    "Sept.",
    "No.",
    "p.",
    "Calif.",
    "Jr.'s",
    "1.5",
    "55",
    "$100.00",
    "1.",
    "2.",
    "1)",
    "2)",
    "1.)",
    "a.",
    "b.",
    ".",
    ".",
    "!",
    "?",
    "!?",
    "...",
    "…",
    ". . .",
    ". . . .",
    "....",
    "[...]",
    "\"",
    "'",
    "“",
    "”",
    "‘",
    "’",
    "«",
    "»",
    "(",
    ")",
    "[",
    "]",
    "•",
    "⁃",
    "。",
    "！",
    "Yahoo!",
    ",",
    ":",
    "asked",
    "said.",
    "é",
    "ж",
    "😀",
    "\0",
    "\u{1}",
    "\u{301}",
    "\u{200B}",
    "\u{A0}",
    "\u{3000}",
    "x",
    "example.com",
];

fn news_like() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn tiles_arbitrary_unicode(text in any::<String>()) {
        split_and_check(&text)?;
    }

    #[test]
    fn tiles_printable_text_with_stops(text in "[ a-zA-Z0-9.!?\"'()\\n\u{201C}\u{201D}\u{2026}]{0,200}") {
        split_and_check(&text)?;
    }

    #[test]
    fn tiles_news_like_fragments(text in news_like()) {
        split_and_check(&text)?;
    }

    #[test]
    fn text_before_a_blank_line_splits_as_if_alone(a in news_like(), b in news_like()) {
        // Decisions are local: what follows a blank line cannot change how
        // the text before it is split.
        let text = format!("{a}\n\n{b}");
        let whole = split_and_check(&text)?;
        let alone = split_and_check(&a)?;
        let before: Vec<Span> = whole.into_iter().filter(|s| s.end <= a.len()).collect();
        prop_assert_eq!(before, alone);
    }

    #[test]
    fn sentences_do_not_depend_on_what_follows_a_paragraph(
        a in news_like(),
        b in news_like(),
    ) {
        // A blank line is always a boundary: no span crosses it.
        let text = format!("{a}\n\n{b}");
        let spans = split_and_check(&text)?;
        let cut = a.len();
        for s in spans {
            prop_assert!(!(s.start < cut && s.end > cut + 2), "span {} crosses the blank line", s);
        }
    }
}

const TEN_MB: usize = 10 << 20;

#[test]
fn ten_megabytes_on_one_line_without_punctuation() {
    let text = "word ".repeat(TEN_MB / 5);
    let spans = RuleSplitter::default().split(&text);
    assert_eq!(spans.len(), 1);
    check_tiling(&text, &spans).unwrap();

    let text = "x".repeat(TEN_MB);
    let spans = RuleSplitter::default().split(&text);
    assert_eq!(spans, vec![Span::new(0, TEN_MB)]);
}

#[test]
fn ten_megabytes_on_one_line_with_punctuation() {
    let unit = "Mr. Smith met U.S. officials at 5 p.m. \"Is it?\" he asked. It is 1.5 percent... ";
    let text = unit.repeat(TEN_MB / unit.len() + 1);
    let spans = RuleSplitter::default().split(&text);
    assert!(spans.len() > TEN_MB / unit.len());
    check_tiling(&text, &spans).unwrap();
}

#[test]
fn ten_megabytes_of_stops_and_marks() {
    for unit in [".", ". ", "?\"", "1) ", "\n", " \n", "a.", "…", "。", ")"] {
        let text = unit.repeat(TEN_MB / unit.len());
        let spans = RuleSplitter::default().split(&text);
        check_tiling(&text, &spans).unwrap_or_else(|e| panic!("{unit:?}: {e}"));
    }
}
