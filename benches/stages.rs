//! Per-stage and end-to-end throughput on news text.
//!
//! ```text
//! SAIDWHO_MODELS=../shared/models SAIDWHO_DATA=../shared/data cargo bench --bench stages
//! ```
//!
//! Groups (throughput in bytes of article text, criterion's "B/s"):
//!
//! - `stages/entities` and `stages/quotes`: the rule stages alone, over the
//!   PolNeAR dev articles (or, without `SAIDWHO_DATA`, the sample article in
//!   `examples/articles/`), with the model's mentions computed once in the
//!   setup when `SAIDWHO_MODELS` holds the model, else without mentions.
//! - `end-to-end/no-model` over the same articles; `end-to-end/model` over the
//!   first four dev articles (the model makes it ~1000× slower; the corpus
//!   figures are in `examples/corpus_bench.rs`).
//!
//! The sentence splitter has its own bench (`benches/sentences.rs`), NER
//! windows theirs (`benches/ner.rs`).

mod common;

use common::env_path;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use saidwho::entities::{Resolver, RuleResolver};
use saidwho::quotes::{QuoteExtractor, RuleQuoteExtractor};
use saidwho::{Mention, Pipeline, Sentence};
use std::hint::black_box;

fn articles() -> Vec<String> {
    if let Some(data) = env_path("SAIDWHO_DATA", "polnear/dev.jsonl") {
        let raw = std::fs::read_to_string(&data).expect("read polnear dev");
        return raw
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v["text"].as_str().map(str::to_string))
            .collect();
    }
    eprintln!("SAIDWHO_DATA unset: benching the sample article only");
    let sample = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/articles/harbour-strike.txt"
    );
    vec![std::fs::read_to_string(sample).expect("sample article")]
}

fn bench(c: &mut Criterion) {
    let texts = articles();
    let bytes: usize = texts.iter().map(String::len).sum();
    let model = env_path("SAIDWHO_MODELS", "conll03-distilbert-cased")
        .map(|dir| Pipeline::from_model(dir.to_str().expect("UTF-8 path")).expect("model loads"));
    if model.is_none() {
        eprintln!("SAIDWHO_MODELS unset: rule stages run without mentions");
    }
    let plain = Pipeline::without_ner();
    // Stage inputs, computed once: sentences, and the model's mentions.
    let inputs: Vec<(&str, Vec<Sentence>, Vec<Mention>)> = texts
        .iter()
        .map(|t| {
            let doc = model
                .as_ref()
                .unwrap_or(&plain)
                .analyze(t)
                .expect("analyze");
            let mentions = doc
                .entities
                .iter()
                .flat_map(|e| {
                    e.mentions
                        .iter()
                        .filter(|m| m.kind == saidwho::MentionKind::Name)
                })
                .cloned()
                .collect::<Vec<_>>();
            (t.as_str(), doc.sentences, mentions)
        })
        .collect();
    let resolver = RuleResolver::default();
    let extractor = RuleQuoteExtractor::default();
    let entities: Vec<_> = inputs
        .iter()
        .map(|(t, s, m)| resolver.resolve(t, s, m.clone()))
        .collect();

    let mut group = c.benchmark_group("stages");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("entities", |b| {
        b.iter(|| {
            for (t, s, m) in &inputs {
                black_box(resolver.resolve(t, s, m.clone()));
            }
        })
    });
    group.bench_function("quotes", |b| {
        b.iter(|| {
            for ((t, s, _), e) in inputs.iter().zip(&entities) {
                black_box(extractor.extract(t, s, e));
            }
        })
    });
    group.finish();

    let mut group = c.benchmark_group("end-to-end");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("no-model", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(plain.analyze(t).expect("analyze"));
            }
        })
    });
    if let Some(model) = &model {
        let few = &texts[..texts.len().min(4)];
        group.throughput(Throughput::Bytes(
            few.iter().map(String::len).sum::<usize>() as u64,
        ));
        group.sample_size(10);
        group.bench_function("model", |b| {
            b.iter(|| {
                for t in few {
                    black_box(model.analyze(t).expect("analyze"));
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
