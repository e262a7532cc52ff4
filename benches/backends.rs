//! Throughput of the two NER backends, candle and rust-bert (libtorch), on
//! the same model and the same CoNLL-2003 dev sentences, with 1 and 2 threads.
//!
//! ```text
//! . ~/.cache/saidwho-libtorch/env.sh   # after bash .ci/install-libtorch.sh
//! SAIDWHO_MODELS=../shared/models SAIDWHO_DATA=../shared/data \
//!     cargo bench --features rust-bert --bench backends
//! ```
//!
//! Criterion's `thrpt` is CoNLL tokens (words) per second: the first
//! [`SENTENCES`] dev sentences, each labelled on its own
//! ([`TransformerRecognizer::predict_words`]), tokenizing included (the same
//! code for both backends).
//!
//! Threads: each thread count (1, then 2) runs in its own child process of
//! this bench (`common::per_thread_count`), started with `RAYON_NUM_THREADS`
//! set, because candle sizes rayon's pool once per process; libtorch gets the
//! same count through `at::set_num_threads`. Benchmark ids name the count:
//! `backends/candle-threads-2`. Without the model or the data it prints why
//! and exits.

mod common;

use common::env_path;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use saidwho::eval::conll::read_conll;
use saidwho::ner::{BackendKind, NerOptions, TransformerRecognizer};

/// Dev sentences per iteration.
const SENTENCES: usize = 200;

fn bench(c: &mut Criterion) {
    let Some(threads) = common::per_thread_count(&[1, 2]) else {
        return; // the parent: the children did the work
    };
    let (Some(model), Some(dev)) = (
        env_path("SAIDWHO_MODELS", "conll03-distilbert-cased"),
        env_path("SAIDWHO_DATA", "conll2003/dev.txt"),
    ) else {
        eprintln!("skipped: set SAIDWHO_MODELS and SAIDWHO_DATA");
        return;
    };
    let sentences: Vec<Vec<String>> = read_conll(&dev)
        .expect("read CoNLL dev")
        .into_iter()
        .take(SENTENCES)
        .map(|s| s.words)
        .collect();
    let words: usize = sentences.iter().map(Vec::len).sum();
    let load = |backend| {
        TransformerRecognizer::from_dir(&model, &NerOptions::default().with_backend(Some(backend)))
            .expect("model loads")
    };
    let candle = load(BackendKind::Candle);
    let torch = load(BackendKind::RustBert);
    let mut group = c.benchmark_group("backends");
    group.sample_size(10);
    group.throughput(Throughput::Elements(words as u64));
    group.bench_function(format!("candle-threads-{threads}"), |b| {
        b.iter(|| candle.predict_words(&sentences).expect("predict"))
    });
    tch::set_num_threads(threads as i32);
    group.bench_function(format!("rust-bert-threads-{threads}"), |b| {
        b.iter(|| torch.predict_words(&sentences).expect("predict"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
