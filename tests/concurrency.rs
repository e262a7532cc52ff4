//! One pipeline shared by many threads gives the same output as one thread.

mod common;

use saidwho::Pipeline;
use std::sync::Arc;

fn articles() -> Vec<String> {
    let base = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/articles/harbour-strike.txt"
    ))
    .unwrap();
    (0..16)
        .map(|i| format!("Story {i}.\n\n{}", base.repeat(1 + i % 3)))
        .collect()
}

#[test]
fn eight_threads_match_one() {
    let pipeline = Arc::new(Pipeline::new());
    let texts = Arc::new(articles());
    assert_eight_threads_match_one(&pipeline, &texts);
}

/// The same with the real NER model: 8 threads share one loaded model over
/// the shipped article and the shared samples, each in a different order, and
/// every document is byte-identical to the single-threaded one.
#[test]
fn eight_threads_share_the_real_model() {
    let (Some(model), Some(samples)) = (
        common::model_dir("conll03-distilbert-cased"),
        common::data_dir("../samples"),
    ) else {
        return;
    };
    let pipeline = Arc::new(Pipeline::from_model(model.to_str().unwrap()).unwrap());
    let mut texts = vec![std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/articles/harbour-strike.txt"
    ))
    .unwrap()];
    let mut names: Vec<_> = std::fs::read_dir(&samples)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    names.sort();
    texts.extend(names.iter().map(|p| std::fs::read_to_string(p).unwrap()));
    let texts = Arc::new(texts);
    let serial = assert_eight_threads_match_one(&pipeline, &texts);
    assert!(
        serial.iter().any(|j| j.contains("\"PER\"")),
        "the model found people"
    );
}

/// Runs every text once serially, then on 8 threads that each walk the
/// texts from a different start, and asserts byte-identical JSON; returns the
/// serial documents.
fn assert_eight_threads_match_one(
    pipeline: &Arc<Pipeline>,
    texts: &Arc<Vec<String>>,
) -> Vec<String> {
    let serial: Vec<String> = texts
        .iter()
        .map(|t| serde_json::to_string(&pipeline.analyze(t).unwrap()).unwrap())
        .collect();
    let handles: Vec<_> = (0..8)
        .map(|k| {
            let (pipeline, texts) = (Arc::clone(pipeline), Arc::clone(texts));
            std::thread::spawn(move || {
                (0..texts.len())
                    .map(|j| (j + k) % texts.len())
                    .map(|i| {
                        let doc = pipeline.analyze(&texts[i]).unwrap();
                        (i, serde_json::to_string(&doc).unwrap())
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for h in handles {
        for (i, json) in h.join().unwrap() {
            assert_eq!(json, serial[i], "article {i} differs across threads");
        }
    }
    serial
}
