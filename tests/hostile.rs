//! Hostile input: every text gets a correct result or a clear error — never a
//! panic, never silently lost text.

use saidwho::{Document, Error, Pipeline, PipelineConfig};

fn analyze(text: &str) -> Document {
    let doc = Pipeline::without_ner().analyze(text).expect("analyze");
    if let Err(broken) = doc.validate() {
        panic!("invariant broken: {broken}");
    }
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
    let pipeline =
        Pipeline::without_ner().with_settings(PipelineConfig::default().with_max_text_bytes(100));
    match pipeline.analyze(&"x".repeat(101)) {
        Err(e @ Error::TextTooLarge { .. }) => assert!(e.to_string().contains("max_text_bytes")),
        other => panic!("expected TextTooLarge, got {other:?}"),
    }
    assert!(pipeline.analyze(&"x".repeat(100)).is_ok());
}
