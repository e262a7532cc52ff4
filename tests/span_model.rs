//! The attribution span model through the default pipeline: the embedded
//! NER model's states, the embedded head, the hybrid merge.
//!
//! The model's figures on PolNeAR dev (`saidwho eval-quotes
//! ../shared/data/polnear/dev.jsonl`) are guarded about a point under the
//! README's, next to the rules alone on the same encoder
//! (`--no-span-model`); the invariants below hold on any text.

#![cfg(feature = "embedded-model")]

mod common;

use saidwho::eval::quotes::{evaluate_parallel, load_jsonl};
use saidwho::{Origin, Pipeline};

/// The crate's own sample article, `examples/articles/harbour-strike.txt`.
fn sample_article() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/articles/harbour-strike.txt");
    std::fs::read_to_string(path).unwrap()
}

/// The hybrid keeps every rule quote as the rules made it; it only adds
/// quotes and marks some as found by both.
#[test]
fn the_hybrid_keeps_every_rule_quote() {
    let text = sample_article();
    let hybrid = Pipeline::new().analyze(&text).unwrap();
    let rules = Pipeline::new().with_no_span_model().analyze(&text).unwrap();
    assert!(rules.quotes.iter().all(|q| q.origin == Origin::Rules));
    for q in &rules.quotes {
        let same = hybrid
            .quotes
            .iter()
            .find(|h| h.content == q.content)
            .unwrap_or_else(|| panic!("rule quote {:?} lost", q.content));
        assert_eq!(
            (same.kind, same.cue, &same.speaker),
            (q.kind, q.cue, &q.speaker)
        );
        assert_ne!(same.origin, Origin::Model);
    }
    assert!(
        hybrid.quotes.iter().any(|q| q.origin == Origin::Both),
        "the model confirms some of the sample's quotes"
    );
}

/// Our own sample article, as a new user runs it: who said each quote.
#[test]
fn the_sample_articles_speakers() {
    let text = sample_article();
    let doc = Pipeline::new().analyze(&text).unwrap();
    let who = |content: &str| -> Option<String> {
        let q = doc
            .quotes
            .iter()
            .find(|q| q.content.iter().any(|c| doc.slice(*c).contains(content)))
            .unwrap_or_else(|| panic!("no quote holds {content:?}"));
        doc.speaker_entity(q).map(|e| e.name.clone())
    };
    // A name in apposition is the speaker, not the phrase it renames.
    assert_eq!(
        who("regrettable but not unexpected").as_deref(),
        Some("Henrik Vos")
    );
    assert_eq!(
        who("ignored three written proposals").as_deref(),
        Some("Samuel T. Reyes")
    );
    assert_eq!(
        who("Now they want half of us gone").as_deref(),
        Some("Maria Okafor")
    );
    assert_eq!(
        who("pickets would stay at the gates").as_deref(),
        Some("Samuel T. Reyes")
    );
    // A negated cue reports nothing.
    assert!(
        !doc.quotes
            .iter()
            .any(|q| q.content.iter().any(|c| doc.slice(*c).contains("step in"))),
        "`did not say whether` is no quote"
    );
}

/// Without a recogniser there are no states, so no model quotes.
#[test]
fn no_ner_means_rules_only() {
    let doc = Pipeline::without_ner()
        .analyze("Officials believe that the offensive will fail, he said.")
        .unwrap();
    assert!(doc.quotes.iter().all(|q| q.origin == Origin::Rules));
}

/// Hostile shapes go through the model path without a panic.
#[test]
fn hostile_text_through_the_span_model() {
    let p = Pipeline::new();
    for text in [
        "",
        "\u{0}\u{1}\u{7f}",
        "“",
        &"said ".repeat(3000),
        &"“Yes,” she said that he said. ".repeat(200),
        &"x\n\n".repeat(2000),
    ] {
        p.analyze(text).unwrap();
    }
}

#[test]
fn polnear_dev_with_the_span_model() {
    let Some(dir) = common::data_dir("polnear") else {
        return;
    };
    let docs = load_jsonl(dir.join("dev.jsonl")).unwrap();
    let (with, without) = (Pipeline::new(), Pipeline::new().with_no_span_model());
    let hybrid = evaluate_parallel(&docs, &with, 2, |_, _| {}).unwrap();
    let rules = evaluate_parallel(&docs, &without, 2, |_, _| {}).unwrap();
    println!("PolNeAR dev, span model:\n{hybrid}\nrules alone:\n{rules}");
    let f1 = |r: &saidwho::eval::quotes::QuoteReport| r.any_overlap().2;
    assert!(
        f1(&hybrid) > f1(&rules),
        "the span model must add: {:.1} vs {:.1}",
        f1(&hybrid),
        f1(&rules)
    );
    assert!(f1(&hybrid) >= FLOOR_F1, "any-overlap F1 fell: {hybrid}");
    assert!(
        hybrid.end_to_end().2 >= FLOOR_E2E,
        "end-to-end F1 fell: {hybrid}"
    );
    assert!(
        hybrid.direct_recall() >= rules.direct_recall(),
        "recall of quotes with marks fell: {hybrid}"
    );
    assert!(
        hybrid.speaker_accuracy() >= FLOOR_SPEAKER,
        "speaker accuracy fell: {hybrid}"
    );
}

/// README: any-overlap F1 75.3, end-to-end 65.9, speaker accuracy 87.5 %
/// (int8, the default), each guarded about a point under.
const FLOOR_F1: f64 = 74.3;
const FLOOR_E2E: f64 = 64.9;
const FLOOR_SPEAKER: f64 = 86.5;
