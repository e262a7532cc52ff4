//! The rust-bert (libtorch) backend, cargo feature `rust-bert`.
//!
//! * Tiny random BERT and DistilBERT models: rust-bert and candle give the
//!   same logits, alone and in padded batches, from the same directory.
//! * The real model (`conll03-distilbert-cased` through `SAIDWHO_MODELS`):
//!   logits against the Python reference within 1e-3, and the two backends
//!   on a deterministic CoNLL-2003 dev subset — every [`DEV_STEP`]-th
//!   sentence — give the same entities for ≥ 99.5 % of the sentences and F1
//!   within 0.1. The full-dev figures come from `--ignored full_dev_parity`.
//! * Selecting the backend through a registry file and through
//!   [`NerOptions::backend`]; sharing one backend between threads.
#![cfg(feature = "rust-bert")]

mod common;

use common::{write_tiny_model, Tiny};
use saidwho::eval::conll::{predict, read_conll, score, ConllSentence};
use saidwho::ner::{
    chunks, parse_tag, Backend, BackendKind, CandleBackend, CandleOptions, Chunk, ModelConfig,
    NerOptions, RustBertBackend, RustBertOptions, TransformerRecognizer,
};
use std::path::Path;
use std::sync::OnceLock;

const MODEL: &str = "conll03-distilbert-cased";
/// Every `DEV_STEP`-th dev sentence is checked.
const DEV_STEP: usize = 5;

fn options(kind: BackendKind) -> NerOptions {
    NerOptions::default().with_backend(Some(kind))
}

fn backends(dir: &Path, rb: &RustBertOptions) -> (CandleBackend, RustBertBackend) {
    let config = ModelConfig::from_file(&dir.join("config.json")).unwrap();
    let path = dir.join("model.safetensors");
    let bytes = std::fs::read(&path).unwrap();
    let candle = CandleBackend::from_safetensors(
        config.clone(),
        bytes.clone(),
        &path,
        &CandleOptions::default(),
    )
    .unwrap();
    let torch = RustBertBackend::from_safetensors(config, &bytes, &path, rb).unwrap();
    (candle, torch)
}

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[test]
fn tiny_bert_and_distilbert_match_candle() {
    for arch in ["bert", "distilbert"] {
        let tmp = tempfile::tempdir().unwrap();
        write_tiny_model(
            tmp.path(),
            &Tiny {
                arch,
                ..Tiny::default()
            },
        );
        let (candle, torch) = backends(tmp.path(), &RustBertOptions::default());
        assert_eq!(torch.num_labels(), candle.num_labels());
        assert_eq!(torch.max_len(), candle.max_len());
        let seqs: Vec<Vec<u32>> = vec![
            vec![2, 4, 5, 6, 3],
            vec![2, 7, 3],
            (0..40).map(|i| 2 + (i * 7) % 60).collect(),
            vec![],
        ];
        let batch: Vec<&[u32]> = seqs.iter().map(Vec::as_slice).collect();
        let a = candle.logits(&batch).unwrap();
        let b = torch.logits(&batch).unwrap();
        for (k, (x, y)) in a.iter().zip(&b).enumerate() {
            assert_eq!(x.len(), seqs[k].len(), "{arch} rows of sequence {k}");
            assert_eq!(y.len(), seqs[k].len(), "{arch} rows of sequence {k}");
            let d = max_diff(&x.data, &y.data);
            assert!(
                d < 1e-4,
                "{arch} sequence {k}: max |candle - rust-bert| = {d}"
            );
        }
        // Padding does not leak: a sequence alone = the same in a batch.
        let alone = torch.logits(&batch[1..2]).unwrap();
        assert!(
            max_diff(&alone[0].data, &b[1].data) < 1e-5,
            "{arch} padding"
        );
        // Guards of the trait contract.
        assert!(
            torch.logits(&[&[2, 10_000, 3]]).is_err(),
            "{arch} id outside vocab"
        );
        let long = vec![5u32; torch.max_len() + 1];
        assert!(torch.logits(&[&long]).is_err(), "{arch} too long");
        assert!(torch.logits(&[]).unwrap().is_empty());
    }
}

#[test]
fn bad_weights_are_explained() {
    let tmp = tempfile::tempdir().unwrap();
    write_tiny_model(tmp.path(), &Tiny::default());
    let config = ModelConfig::from_file(&tmp.path().join("config.json")).unwrap();
    let path = tmp.path().join("model.safetensors");
    let rb = RustBertOptions::default();
    let err = RustBertBackend::from_safetensors(config.clone(), b"not safetensors", &path, &rb)
        .unwrap_err();
    assert!(err.to_string().contains("safetensors"), "{err}");
    // Weights of a BERT model under a DistilBERT config.
    let other = tempfile::tempdir().unwrap();
    write_tiny_model(
        other.path(),
        &Tiny {
            arch: "bert",
            ..Tiny::default()
        },
    );
    let bytes = std::fs::read(other.path().join("model.safetensors")).unwrap();
    let err = RustBertBackend::from_safetensors(config.clone(), &bytes, &path, &rb).unwrap_err();
    assert!(err.to_string().contains("missing"), "{err}");
    // A head with the wrong number of rows.
    let odd = tempfile::tempdir().unwrap();
    write_tiny_model(
        odd.path(),
        &Tiny {
            head_rows: 7,
            ..Tiny::default()
        },
    );
    let bytes = std::fs::read(odd.path().join("model.safetensors")).unwrap();
    let err = RustBertBackend::from_safetensors(config, &bytes, &path, &rb).unwrap_err();
    assert!(err.to_string().contains("classifier"), "{err}");
}

#[test]
fn backend_is_chosen_by_option_and_registry() {
    let tmp = tempfile::tempdir().unwrap();
    let models = tmp.path().join("models");
    write_tiny_model(&models.join("tiny"), &Tiny::default());
    let r = TransformerRecognizer::from_dir(models.join("tiny"), &options(BackendKind::RustBert))
        .unwrap();
    assert_eq!(r.backend_name(), "rust-bert");
    let r = TransformerRecognizer::from_dir(models.join("tiny"), &NerOptions::default()).unwrap();
    assert_eq!(r.backend_name(), "candle");
    let registry = tmp.path().join("models.toml");
    std::fs::write(
        &registry,
        "[[model]]\nname = \"tiny-torch\"\ndir = \"tiny\"\nbackend = \"rust-bert\"\n",
    )
    .unwrap();
    let opts = NerOptions::default()
        .with_registry(Some(registry))
        .with_search_path(Some(vec![models.clone()]));
    let r = TransformerRecognizer::from_model("tiny-torch", &opts).unwrap();
    assert_eq!(r.backend_name(), "rust-bert");
    // The option overrides the registry.
    let r = TransformerRecognizer::from_model(
        "tiny-torch",
        &opts.with_backend(Some(BackendKind::Candle)),
    )
    .unwrap();
    assert_eq!(r.backend_name(), "candle");
}

#[test]
fn one_backend_serves_many_threads() {
    let tmp = tempfile::tempdir().unwrap();
    write_tiny_model(tmp.path(), &Tiny::default());
    for replicas in [1, 3] {
        let (_, torch) = backends(tmp.path(), &{
            let mut rb = RustBertOptions::default();
            rb.threads = Some(1);
            rb.replicas = replicas;
            rb
        });
        let seqs: Vec<Vec<u32>> = (0..8u32)
            .map(|i| (0..(5 + i * 3)).map(|j| 2 + (i + j * 5) % 60).collect())
            .collect();
        let want: Vec<_> = seqs.iter().map(|s| torch.logits(&[s]).unwrap()).collect();
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..5 {
                        for (s, w) in seqs.iter().zip(&want) {
                            let got = torch.logits(&[s]).unwrap();
                            assert!(max_diff(&got[0].data, &w[0].data) < 1e-6);
                        }
                    }
                });
            }
        });
    }
}

// --- the real model -------------------------------------------------------

fn real() -> Option<&'static (TransformerRecognizer, TransformerRecognizer)> {
    static CELL: OnceLock<Option<(TransformerRecognizer, TransformerRecognizer)>> = OnceLock::new();
    CELL.get_or_init(|| {
        let dir = common::model_dir(MODEL)?;
        let load = |kind| {
            let opts = options(kind).with_search_path(dir.parent().map(|p| vec![p.to_path_buf()]));
            // By name: checks the registry entry and the sha256 of every file.
            TransformerRecognizer::from_model(MODEL, &opts).expect("model loads")
        };
        Some((load(BackendKind::Candle), load(BackendKind::RustBert)))
    })
    .as_ref()
}

#[test]
fn real_model_logits_match_the_reference() {
    let (Some((_, torch)), Some(dir)) = (real(), common::model_dir(MODEL)) else {
        return;
    };
    assert_eq!(torch.backend_name(), "rust-bert");
    let text = std::fs::read_to_string(dir.join("reference/logits.json")).unwrap();
    let reference: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cases = reference["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 16);
    let mut worst = 0f32;
    for case in cases {
        let text = case["text"].as_str().unwrap();
        let got = torch.text_logits(text).unwrap();
        let ids: Vec<u32> = common::input_ids(case);
        assert_eq!(got.ids, ids, "input ids of {text:?}");
        let rows = case["logits"].as_array().unwrap();
        assert_eq!(rows.len(), got.logits.len());
        for (t, row) in rows.iter().enumerate() {
            for (l, v) in row.as_array().unwrap().iter().enumerate() {
                let d = (got.logits.row(t)[l] - v.as_f64().unwrap() as f32).abs();
                worst = worst.max(d);
            }
        }
    }
    eprintln!("rust-bert: max |logit - reference| = {worst:e}");
    assert!(worst < 1e-3, "max abs logit difference {worst}");
}

/// The entities (typed word spans) of a tag sequence.
fn entities(tags: &[String]) -> Vec<Chunk<&str>> {
    chunks(tags.iter().map(|t| parse_tag(t).unwrap()))
}

/// Sentences whose entities (typed chunks) agree, and the F1 of each backend.
fn compare(
    pair: &(TransformerRecognizer, TransformerRecognizer),
    sentences: &[ConllSentence],
) -> (usize, f64, f64) {
    let gold: Vec<Vec<String>> = sentences.iter().map(ConllSentence::gold_iob2).collect();
    let a = predict(&pair.0, sentences).unwrap();
    let b = predict(&pair.1, sentences).unwrap();
    let same = a
        .iter()
        .zip(&b)
        .filter(|(x, y)| entities(x) == entities(y))
        .count();
    let f_a = score(&gold, &a).unwrap().overall.f1();
    let f_b = score(&gold, &b).unwrap().overall.f1();
    (same, f_a, f_b)
}

fn check_dev(step: usize) {
    let (Some(pair), Some(dev)) = (real(), common::data_dir("conll2003/dev.txt")) else {
        return;
    };
    let all = read_conll(&dev).unwrap();
    assert_eq!(all.len(), 3250, "dev sentences");
    let subset: Vec<ConllSentence> = all.into_iter().step_by(step).collect();
    let t = std::time::Instant::now();
    let (same, f_candle, f_torch) = compare(pair, &subset);
    let share = same as f64 / subset.len() as f64;
    eprintln!(
        "dev every {step}th sentence ({} sentences, {:.1?}): same entities in {same} \
         ({:.2} %), F1 candle {f_candle:.2}, rust-bert {f_torch:.2}",
        subset.len(),
        t.elapsed(),
        share * 100.0
    );
    assert!(
        share >= 0.995,
        "same entities in {:.2} % of sentences",
        share * 100.0
    );
    assert!(
        (f_candle - f_torch).abs() <= 0.1,
        "F1 candle {f_candle:.2} vs rust-bert {f_torch:.2}"
    );
}

#[test]
fn dev_subset_backends_agree() {
    check_dev(DEV_STEP);
}

/// The full dev split (3,250 sentences, a few minutes on two cores):
/// `cargo test --release --features rust-bert --test rustbert -- --ignored --nocapture`.
#[test]
#[ignore = "full CoNLL-2003 dev, minutes; run with --ignored"]
fn full_dev_parity() {
    check_dev(1);
}
