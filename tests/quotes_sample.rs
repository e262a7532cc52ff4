//! The sample articles end to end through the entity and quote stages, with
//! hand-made NER mentions (names found by searching the text), checked
//! against every entity and quote of their `NAME.expected.json`: the shared
//! Kursk article and the shipped `examples/articles/harbour-strike.txt`.

use saidwho::entities::{Resolver, RuleResolver};
use saidwho::quotes::{QuoteExtractor, RuleQuoteExtractor};
use saidwho::{Entity, Label, Mention, MentionKind, Quote, Span};
use std::path::PathBuf;

fn samples() -> Option<PathBuf> {
    // The sample lives next to the data folder: SAIDWHO_DATA/../samples.
    let why = match std::env::var("SAIDWHO_DATA") {
        Ok(d) => {
            let p = PathBuf::from(d).join("..").join("samples");
            if p.join("kursk-medvedev.txt").exists() {
                return Some(p);
            }
            format!("{} has no kursk-medvedev.txt", p.display())
        }
        Err(_) => "SAIDWHO_DATA not set".into(),
    };
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("sample required under CI: {why}");
    }
    println!("skipped: {why}");
    None
}

/// The Kursk article's names, longest first so that "Dmitry Medvedev" wins
/// over "Medvedev".
const KURSK_NAMES: &[(&str, Label)] = &[
    ("Russia's Ministry of Defense", Label::Org),
    ("Russian Defense Ministry", Label::Org),
    ("Defense Ministry", Label::Org),
    ("Dmitry Medvedev", Label::Per),
    ("Volodymyr Zelensky", Label::Per),
    ("The New York Times", Label::Org),
    ("The Wall Street Journal", Label::Org),
    ("Russian Security Council", Label::Org),
    ("Ukrainian Armed Forces", Label::Org),
    ("Kursk Region", Label::Loc),
    ("North Group", Label::Org),
    ("Medvedev", Label::Per),
    ("Zelensky", Label::Per),
    ("MoD", Label::Org),
    ("Telegram", Label::Misc),
    ("Kamyshevka", Label::Loc),
    ("Kursk", Label::Loc),
    ("Moscow", Label::Loc),
    ("Kiev", Label::Loc),
    ("Ukraine", Label::Loc),
    ("Russia", Label::Loc),
];

/// Every occurrence of each of `names` as a mention, in the order given;
/// overlapping finds are dropped.
fn mentions(text: &str, names: &[(&str, Label)]) -> Vec<Mention> {
    let mut out: Vec<Mention> = Vec::new();
    for (name, label) in names {
        for (i, _) in text.match_indices(name) {
            let span = Span::new(i, i + name.len());
            let word_end = !text[span.end..].starts_with(char::is_alphanumeric);
            if word_end && !out.iter().any(|m| m.span.overlaps(span)) {
                out.push(Mention {
                    span,
                    label: label.clone(),
                    score: Some(1.0),
                    kind: MentionKind::Name,
                });
            }
        }
    }
    out.sort_by_key(|m| m.span.start);
    out
}

fn find<'a>(text: &str, quotes: &'a [Quote], starts: &str) -> Option<&'a Quote> {
    quotes.iter().find(|q| {
        q.content
            .first()
            .is_some_and(|c| c.text(text).starts_with(starts))
    })
}

#[test]
fn kursk_sample_quotes() {
    let Some(dir) = samples() else { return };
    let text = std::fs::read_to_string(dir.join("kursk-medvedev.txt")).unwrap();
    let expected = std::fs::read_to_string(dir.join("kursk-medvedev.expected.json")).unwrap();
    check_sample(&text, &expected, KURSK_NAMES);
}

/// The shipped article, with its expected quotes beside it: among them
/// `The authority said …` (a nominal of the Alden Harbour Authority) and
/// `Shipping analysts at Halden & Co. estimated …`.
#[test]
fn harbour_strike_sample_quotes() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/articles");
    let text = std::fs::read_to_string(dir.join("harbour-strike.txt")).unwrap();
    let expected = std::fs::read_to_string(dir.join("harbour-strike.expected.json")).unwrap();
    // The names the entity stage is given are the fixture's `ner_names`.
    let json: serde_json::Value = serde_json::from_str(&expected).unwrap();
    let names: Vec<(&str, Label)> = json["ner_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n[0].as_str().unwrap(), Label::from(n[1].as_str().unwrap())))
        .collect();
    check_sample(&text, &expected, &names);
}

/// Runs the entity and quote stages on `text` with the mentions of `names`
/// and checks every entity and quote of the `expected` JSON.
fn check_sample(text: &str, expected: &str, names: &[(&str, Label)]) {
    let text = text.to_string();
    let expected: serde_json::Value = serde_json::from_str(expected).unwrap();
    let entities: Vec<Entity> = RuleResolver::default().resolve(&text, &[], mentions(&text, names));
    for e in expected["entities_must_include"].as_array().unwrap() {
        let name = e["name"].as_str().unwrap();
        let label = Label::from(e["label"].as_str().unwrap());
        let ent = entities
            .iter()
            .find(|x| x.name == name && x.label == label)
            .unwrap_or_else(|| panic!("entity {name} missing"));
        for m in e["mentions"].as_array().into_iter().flatten() {
            let m = m.as_str().unwrap();
            assert!(
                ent.mentions.iter().any(|x| x.span.text(&text) == m),
                "{name} lacks mention {m}"
            );
        }
    }
    let quotes = RuleQuoteExtractor::default().extract(&text, &[], &entities);
    let mut failures = Vec::new();
    for q in expected["quotes_must_include"].as_array().unwrap() {
        let starts = q["content_starts"].as_str().unwrap();
        let Some(found) = find(&text, &quotes, starts) else {
            failures.push(format!("no quote starting {starts:?}"));
            continue;
        };
        let kind = serde_json::to_value(found.kind).unwrap();
        if kind != q["kind"] {
            failures.push(format!("{starts:?}: kind {kind} != {}", q["kind"]));
        }
        let cue = found.cue.map(|c| c.text(&text)).unwrap_or("");
        if cue != q["cue"].as_str().unwrap() {
            failures.push(format!("{starts:?}: cue {cue:?} != {}", q["cue"]));
        }
        let Some(sp) = &found.speaker else {
            failures.push(format!("{starts:?}: no speaker"));
            continue;
        };
        let sp_text = sp.span.text(&text);
        if sp_text != q["speaker_mention"].as_str().unwrap() {
            failures.push(format!(
                "{starts:?}: speaker {sp_text:?} != {}",
                q["speaker_mention"]
            ));
        }
        if let Some(want) = q["speaker_entity"].as_str() {
            let got = sp
                .entity
                .and_then(|id| entities.get(id))
                .map(|e| e.name.as_str());
            if got != Some(want) {
                failures.push(format!("{starts:?}: speaker entity {got:?} != {want:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
