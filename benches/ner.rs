//! NER throughput on PolNeAR dev articles.
//!
//! ```text
//! SAIDWHO_MODELS=/path/to/models SAIDWHO_DATA=/path/to/data cargo bench --bench ner
//! ```
//!
//! Reports throughput in words per second (whitespace-separated words of the
//! first two dev articles; criterion's "elem/s") for windows of 128, 256 and
//! 512 tokens with sentence packing, for one sentence per window, and for the
//! default window in 8-bit arithmetic (`int8-window-256`,
//! `NerOptions::precision`). Without the model or data it prints why and
//! exits.

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
        .take(2)
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_string))
        .collect();
    let splitter = Pipeline::new();
    let docs: Vec<_> = texts
        .iter()
        .map(|t| (t.as_str(), splitter.sentences(t).expect("sentences")))
        .collect();
    let words: usize = texts.iter().map(|t| t.split_whitespace().count()).sum();
    let mut group = c.benchmark_group("ner");
    group.sample_size(10);
    group.throughput(Throughput::Elements(words as u64));
    let runs = [
        (128, true, Precision::F32),
        (256, true, Precision::F32),
        (512, true, Precision::F32),
        (512, false, Precision::F32),
        (256, true, Precision::Int8),
    ];
    for (window, pack, precision) in runs {
        let options = NerOptions {
            window_tokens: window,
            pack_sentences: pack,
            precision,
            ..NerOptions::default()
        };
        let ner = TransformerRecognizer::from_dir(&model, &options).expect("model loads");
        let name = match (pack, precision) {
            (false, _) => "one-sentence-per-window".to_string(),
            (true, Precision::F32) => format!("window-{window}"),
            (true, Precision::Int8) => format!("int8-window-{window}"),
        };
        group.bench_function(name, |b| {
            b.iter(|| {
                for (text, sentences) in &docs {
                    ner.recognize(text, sentences).expect("recognize");
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
