//! Hostile input: every text gets a correct result or a clear error — never a
//! panic, never silently lost text.

use saidwho::{Document, Error, Pipeline, PipelineConfig, Span};

/// The invariants every document must satisfy, whatever its text.
fn check(doc: &Document) {
    let text = doc.text.as_str();
    let on_boundaries = |s: Span| {
        s.start <= s.end
            && s.end <= text.len()
            && text.is_char_boundary(s.start)
            && text.is_char_boundary(s.end)
    };
    // Sentences tile the text: in order, non-overlapping, trimmed, and every
    // non-whitespace character inside exactly one of them.
    let mut covered = 0;
    let mut last_end = 0;
    for s in &doc.sentences {
        assert!(
            on_boundaries(s.span),
            "sentence {:?} off char boundaries",
            s.span
        );
        assert!(
            s.span.start >= last_end,
            "sentences overlap or are out of order"
        );
        assert!(!s.span.is_empty());
        let t = s.span.text(text);
        assert_eq!(t, t.trim(), "sentence not trimmed");
        assert!(
            text[last_end..s.span.start].trim().is_empty(),
            "text lost between sentences: {:?}",
            &text[last_end..s.span.start]
        );
        covered += t.len();
        last_end = s.span.end;
    }
    assert!(
        text[last_end..].trim().is_empty(),
        "text lost after the last sentence"
    );
    assert!(covered <= text.len());
    for e in &doc.entities {
        for m in &e.mentions {
            assert!(on_boundaries(m.span) && !m.span.is_empty());
        }
    }
    for q in &doc.quotes {
        assert!(!q.content.is_empty());
        for &c in &q.content {
            assert!(on_boundaries(c));
            if let Some(cue) = q.cue {
                assert!(!c.overlaps(cue), "content overlaps its cue");
            }
        }
        if let Some(cue) = q.cue {
            assert!(on_boundaries(cue));
        }
        if let Some(s) = &q.speaker {
            assert!(on_boundaries(s.span));
            if let Some(id) = s.entity {
                assert!(id < doc.entities.len());
            }
        }
    }
}

fn analyze(text: &str) -> Document {
    let doc = Pipeline::new().analyze(text).expect("analyze");
    check(&doc);
    doc
}

#[test]
fn empty_and_whitespace() {
    assert!(analyze("").sentences.is_empty());
    assert!(analyze(" \n\t\r\n\u{a0}\u{2028} ").sentences.is_empty());
}

#[test]
fn ten_megabytes_on_one_line() {
    let words = "word ".repeat(2 << 20);
    let doc = analyze(&words);
    assert_eq!(doc.sentences.len(), 1);
    let stops = "It rained. ".repeat(1 << 20);
    let doc = analyze(&stops);
    assert_eq!(doc.sentences.len(), 1 << 20);
}

#[test]
fn many_quote_marks() {
    for mark in ["\"", "“", "”", "«", "'", "’"] {
        analyze(&mark.repeat(100_000));
        analyze(&format!("He said {} and left.", mark.repeat(100_000)));
    }
    analyze(&"“Yes,” she said. ".repeat(20_000));
    analyze(&"“Unbalanced, he said. ‘Also ’ « ».\n\n".repeat(5_000));
}

#[test]
fn control_characters_nul_and_lossy_bytes() {
    analyze("A\0B. C\u{1}D.\u{7f} E\u{1b}[31m red.\r\n\r\nF\u{feff}G.");
    let lossy =
        String::from_utf8_lossy(b"Caf\xe9 \xed\xa0\x80 surrogate. \xff\xfe end.").into_owned();
    let doc = analyze(&lossy);
    assert!(!doc.sentences.is_empty());
}

#[test]
fn right_to_left_combining_and_emoji() {
    analyze("قال الرئيس إن الوضع مستقر. ״זה נכון״, אמר.");
    analyze("e\u{301}\u{301}\u{301}. 👩‍👩‍👧‍👦 said “hi”. \u{202e}reversed\u{202c}.");
}

#[test]
fn oversized_text_is_a_clear_error() {
    let pipeline = Pipeline::with_config(PipelineConfig {
        max_text_bytes: 100,
    });
    match pipeline.analyze(&"x".repeat(101)) {
        Err(e @ Error::TextTooLarge { .. }) => assert!(e.to_string().contains("max_text_bytes")),
        other => panic!("expected TextTooLarge, got {other:?}"),
    }
    assert!(pipeline.analyze(&"x".repeat(100)).is_ok());
}
