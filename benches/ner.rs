//! NER throughput on PolNeAR dev articles.
//!
//! ```text
//! SAIDWHO_MODELS=/path/to/models SAIDWHO_DATA=/path/to/data cargo bench --bench ner
//! ```
//!
//! Reports throughput in words per second (whitespace-separated words of the
//! first four dev articles; criterion's "elem/s") for one sentence per window
//! (the default), labelled article by article (`per-text`) and all four
//! articles in one `recognize_batch` call (`batched`); for sentences packed
//! into 256-token windows (`packed-256`, `NerOptions::pack_sentences`, the
//! default before it cost F1 on documents); and for the 8-bit model
//! (`int8-…`, `NerOptions::precision`). Without the model or data it prints
//! why and exits.

mod common;

use common::env_path;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use saidwho::ner::{NerOptions, Precision, Recognizer, TransformerRecognizer};
use saidwho::Pipeline;

fn bench(c: &mut Criterion) {
    let (Some(model), Some(data)) = (
        env_path("SAIDWHO_MODELS", "conll03-distilbert-cased"),
        env_path("SAIDWHO_DATA", "polnear/dev.jsonl"),
    ) else {
        eprintln!("skipped: set SAIDWHO_MODELS and SAIDWHO_DATA");
        return;
    };
    let texts: Vec<String> = std::fs::read_to_string(&data)
        .expect("read polnear dev")
        .lines()
        .take(4)
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_string))
        .collect();
    let splitter = Pipeline::without_ner();
    let split: Vec<_> = texts
        .iter()
        .map(|t| splitter.sentences(t).expect("sentences"))
        .collect();
    let docs: Vec<(&str, &[saidwho::Sentence])> = texts
        .iter()
        .zip(&split)
        .map(|(t, s)| (t.as_str(), s.as_slice()))
        .collect();
    let words: usize = texts.iter().map(|t| t.split_whitespace().count()).sum();
    let mut group = c.benchmark_group("ner");
    group.sample_size(10);
    group.throughput(Throughput::Elements(words as u64));
    let runs = [
        ("sentence-windows/per-text", false, false, Precision::F32),
        ("sentence-windows/batched", false, true, Precision::F32),
        ("packed-256/per-text", true, false, Precision::F32),
        (
            "int8-sentence-windows/batched",
            false,
            true,
            Precision::Int8,
        ),
        ("int8-packed-256/per-text", true, false, Precision::Int8),
    ];
    for (name, pack, batched, precision) in runs {
        let options = NerOptions::default()
            .with_pack_sentences(pack)
            .with_precision(precision);
        let ner = TransformerRecognizer::from_dir(&model, &options).expect("model loads");
        group.bench_function(name, |b| {
            b.iter(|| {
                if batched {
                    ner.recognize_batch(&docs).expect("recognize");
                } else {
                    for (text, sentences) in &docs {
                        ner.recognize(text, sentences).expect("recognize");
                    }
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
