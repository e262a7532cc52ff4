//! The model inside the crate (`saidwho-ner-small`, cargo feature
//! `embedded-model`): it loads with no environment and no file, computes
//! what the training framework computed, and runs the whole pipeline.
#![cfg(feature = "embedded-model")]

mod common;

use saidwho::ner::{NerOptions, Precision, TextLogits, TransformerRecognizer, EMBEDDED_MODEL};
use saidwho::Pipeline;

/// `reference.json`, written by `train/distill.py` next to the weights:
/// the exported model's f32 logits (PyTorch) on fixed texts.
fn reference_cases() -> Vec<serde_json::Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/ner/embedded/model/reference.json"
    );
    let text = std::fs::read_to_string(path).expect("reference.json beside the embedded model");
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value["cases"].as_array().unwrap().clone()
}

/// |ours − PyTorch's| over every logit of every case, after checking the ids.
fn errors(r: &TransformerRecognizer) -> Vec<f32> {
    let mut out = Vec::new();
    for case in reference_cases() {
        let text = case["text"].as_str().unwrap();
        let got: TextLogits = r.text_logits(text).unwrap();
        let ids: Vec<u32> = common::input_ids(&case);
        assert_eq!(got.ids, ids, "input ids of {text:?}");
        let rows = case["logits"].as_array().unwrap();
        assert_eq!(got.logits.len(), rows.len(), "rows of {text:?}");
        for (t, row) in rows.iter().enumerate() {
            for (l, v) in row.as_array().unwrap().iter().enumerate() {
                out.push((got.logits.row(t)[l] - v.as_f64().unwrap() as f32).abs());
            }
        }
    }
    out
}

#[test]
fn loads_with_no_environment() {
    std::env::remove_var("SAIDWHO_MODELS");
    let by_name = TransformerRecognizer::from_model(EMBEDDED_MODEL, &NerOptions::default());
    assert!(by_name.is_ok(), "{:?}", by_name.err());
    let direct = TransformerRecognizer::embedded(&NerOptions::default()).unwrap();
    assert_eq!(direct.labels().len(), 9);
}

#[test]
fn f32_logits_match_pytorch() {
    let r = TransformerRecognizer::embedded(&NerOptions::default()).unwrap();
    let errors = errors(&r);
    assert!(errors.len() > 100, "{} logits compared", errors.len());
    let worst = errors.iter().copied().fold(0f32, f32::max);
    assert!(worst <= 1e-3, "f32 logits off by {worst}");
}

#[test]
fn int8_logits_stay_close() {
    let r = TransformerRecognizer::embedded(&NerOptions::default().with_precision(Precision::Int8))
        .unwrap();
    let errors = errors(&r);
    let worst = errors.iter().copied().fold(0f32, f32::max);
    let mean = errors.iter().map(|&d| d as f64).sum::<f64>() / errors.len() as f64;
    // The bound the teacher's int8 test uses (tests/ner_model.rs).
    assert!(
        worst < 1.0 && mean < 0.1,
        "int8 logits off by {worst} (mean {mean})"
    );
}

#[test]
fn default_pipeline_finds_entities() {
    std::env::remove_var("SAIDWHO_MODELS");
    let doc = Pipeline::new()
        .analyze("Dmitry Medvedev met Angela Merkel in Berlin on Monday, the Kremlin said.")
        .unwrap();
    let names: Vec<&str> = doc.entities.iter().map(|e| e.name.as_str()).collect();
    assert!(names.contains(&"Dmitry Medvedev"), "{names:?}");
    assert!(names.contains(&"Berlin"), "{names:?}");
}
