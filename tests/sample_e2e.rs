//! The shared sample articles, and the shipped one under
//! `examples/articles`, end to end with the real NER model: every entity and
//! quote of each `NAME.expected.json` must be found (a run may find more).

mod common;

use saidwho::{Document, Pipeline};
use serde_json::Value;

fn entity_named<'a>(doc: &'a Document, name: &str) -> Option<&'a saidwho::Entity> {
    doc.entities.iter().find(|e| e.name == name)
}

/// Checks one expected quote; returns what is wrong, if anything.
fn check_quote(doc: &Document, want: &Value) -> Result<(), String> {
    let starts = want["content_starts"].as_str().unwrap();
    let q = doc
        .quotes
        .iter()
        .find(|q| {
            q.content
                .first()
                .is_some_and(|&c| doc.slice(c).starts_with(starts))
        })
        .ok_or_else(|| format!("no quote starting {starts:?}"))?;
    let kind = serde_json::to_value(q.kind).unwrap();
    if kind != want["kind"] {
        return Err(format!("{starts:?}: kind {kind}, want {}", want["kind"]));
    }
    let cue = q.cue.map(|c| doc.slice(c)).unwrap_or("");
    if cue != want["cue"].as_str().unwrap() {
        return Err(format!("{starts:?}: cue {cue:?}, want {}", want["cue"]));
    }
    let speaker = q
        .speaker
        .as_ref()
        .ok_or(format!("{starts:?}: no speaker"))?;
    let mention = doc.slice(speaker.span);
    if mention != want["speaker_mention"].as_str().unwrap() {
        return Err(format!(
            "{starts:?}: speaker {mention:?}, want {}",
            want["speaker_mention"]
        ));
    }
    if let Some(name) = want["speaker_entity"].as_str() {
        let got = speaker
            .entity
            .and_then(|id| doc.entity(id))
            .map(|e| e.name.as_str());
        if got != Some(name) {
            return Err(format!("{starts:?}: speaker entity {got:?}, want {name:?}"));
        }
    }
    Ok(())
}

#[test]
fn shared_samples_end_to_end() {
    let Some(model) = common::model_dir("conll03-distilbert-cased") else {
        return;
    };
    let Some(samples) = common::data_dir("../samples") else {
        return;
    };
    let pipeline = Pipeline::from_model(model.to_str().unwrap()).expect("model loads");
    check_samples(&pipeline, &samples);
}

/// The shipped article (`examples/articles/harbour-strike.txt`) against its
/// expected quotes, with the real model.
#[test]
fn shipped_article_end_to_end() {
    let Some(model) = common::model_dir("conll03-distilbert-cased") else {
        return;
    };
    let pipeline = Pipeline::from_model(model.to_str().unwrap()).expect("model loads");
    let articles = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/articles");
    check_samples(&pipeline, &articles);
}

/// The same with the model inside the crate: `Pipeline::new()`, no model
/// directory. (`Pipeline::new()` never reads `SAIDWHO_MODELS`; the
/// variable is left alone here, as removing it raced with the test above,
/// which runs on another thread of this process. `.ci/run` runs the
/// installed binary without it.)
#[cfg(feature = "embedded-model")]
#[test]
fn shared_samples_end_to_end_with_the_embedded_model() {
    let Some(samples) = common::data_dir("../samples") else {
        return;
    };
    check_samples(&Pipeline::new(), &samples);
}

fn check_samples(pipeline: &Pipeline, samples: &std::path::Path) {
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(samples).unwrap() {
        let path = entry.unwrap().path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(stem) = name.strip_suffix(".expected.json") else {
            continue;
        };
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let text = std::fs::read_to_string(samples.join(format!("{stem}.txt"))).unwrap();
        let doc = pipeline.analyze(&text).unwrap();
        doc.validate().unwrap();
        for want in expected["entities_must_include"].as_array().unwrap() {
            let name = want["name"].as_str().unwrap();
            match entity_named(&doc, name) {
                None => failures.push(format!("{stem}: no entity {name:?}")),
                Some(e) => {
                    if e.label.as_str() != want["label"].as_str().unwrap() {
                        failures.push(format!(
                            "{stem}: {name:?} is {}, want {}",
                            e.label, want["label"]
                        ));
                    }
                    for m in want["mentions"].as_array().into_iter().flatten() {
                        let m = m.as_str().unwrap();
                        if !e.mentions.iter().any(|x| doc.slice(x.span) == m) {
                            failures.push(format!("{stem}: {name:?} lacks mention {m:?}"));
                        }
                    }
                }
            }
        }
        for want in expected["quotes_must_include"].as_array().unwrap() {
            if let Err(e) = check_quote(&doc, want) {
                failures.push(format!("{stem}: {e}"));
            }
            checked += 1;
        }
    }
    assert!(
        checked > 0,
        "no expected quotes found in {}",
        samples.display()
    );
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
