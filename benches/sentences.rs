//! Throughput of the sentence splitter.
//!
//! `cargo bench --bench sentences -- --warm-up-time 1 --measurement-time 5`
//!
//! Benches a deterministic, generated news-like corpus of at least 10 MB
//! (abbreviations, initials, quotations with cues, numbers, ellipses,
//! headlines, one- and two-line paragraph breaks), and — when the
//! environment variable `SAIDWHO_DATA` names a directory holding
//! `polnear/train.jsonl` — the texts of the PolNeAR training set. Throughput
//! is reported in bytes; the target is ≥ 50 MB/s on one thread.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use saidwho::text::{RuleSplitter, SentenceSplitter};
use std::hint::black_box;

/// A small deterministic PRNG (xorshift64*), so the corpus is the same on
/// every run without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const SUBJECTS: &[&str] = &[
    "Mr. Smith",
    "Gov. Jerry Brown",
    "Sen. John F. Kennedy",
    "The ministry",
    "U.S. officials",
    "Dr. Jane E. Doe of Pitt, Briggs & Co.",
    "The company, based in Cupertino, Calif.,",
    "Russia's Ministry of Defense",
    "Apple Inc. Chief Executive Tim Cook",
    "Lt. Gen. Alexander Lapin",
];
const VERBS: &[&str] = &[
    "said on Friday that",
    "told reporters at 5 p.m. Tuesday that",
    "stressed on Sept. 11 that",
    "wrote in a statement that",
    "reported that",
    "argued that",
];
const CLAUSES: &[&str] = &[
    "the Dow fell 1.5 percent",
    "the talks with the E.U. had failed",
    "no negotiations would start until Jan. 5",
    "the team ranked No. 2 in the nation",
    "prices rose by $100.00 per unit (the highest since 2015)",
    "Kiev lost approximately 400 servicemen and 17 armored vehicles",
    "the plan . . . was never approved",
    "Yahoo! in Sunnyvale had been warned",
];
const QUOTES: &[&str] = &[
    "\"It was a negotiation trap,\" he said.",
    "\"Is it over?\" she asked.",
    "“We will win!” Zelensky said.",
    "“The country is at a turning point… and we know it,” the minister added.",
    "'This is great.' she said.",
    "\"We won.\" The crowd cheered.",
];
const HEADLINES: &[&str] = &[
    "Russia inflicts more losses among Kiev's forces in Kursk, MoD reports",
    "No negotiations with Kiev until enemy is defeated: Medvedev",
    "Dow slides as U.S. jobs data disappoint",
];

/// Generates at least `min_bytes` of news-like text.
fn news_corpus(min_bytes: usize) -> String {
    let mut rng = Rng(0x5A1D_3140);
    let mut text = String::with_capacity(min_bytes + 4096);
    while text.len() < min_bytes {
        text.push_str(rng.pick(HEADLINES));
        text.push('\n');
        let paragraphs = 3 + rng.next() % 6;
        for _ in 0..paragraphs {
            let sentences = 1 + rng.next() % 4;
            for s in 0..sentences {
                if s > 0 {
                    text.push(' ');
                }
                if rng.next().is_multiple_of(4) {
                    text.push_str(rng.pick(QUOTES));
                } else {
                    text.push_str(rng.pick(SUBJECTS));
                    text.push(' ');
                    text.push_str(rng.pick(VERBS));
                    text.push(' ');
                    text.push_str(rng.pick(CLAUSES));
                    text.push_str(if rng.next().is_multiple_of(8) {
                        "..."
                    } else {
                        "."
                    });
                }
            }
            text.push_str(if rng.next().is_multiple_of(2) {
                "\n"
            } else {
                "\n\n"
            });
        }
        text.push('\n');
    }
    text
}

/// The texts of `$SAIDWHO_DATA/polnear/train.jsonl`, if present.
fn polnear_texts() -> Option<Vec<String>> {
    let dir = std::env::var_os("SAIDWHO_DATA")?;
    let path = std::path::Path::new(&dir).join("polnear/train.jsonl");
    let data = std::fs::read_to_string(&path).ok()?;
    let texts: Vec<String> = data
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|v| v.get("text")?.as_str().map(str::to_owned))
        .collect();
    (!texts.is_empty()).then_some(texts)
}

fn bench_sentences(c: &mut Criterion) {
    let splitter = RuleSplitter::default();
    let mut group = c.benchmark_group("sentences");
    group.sample_size(20);

    let corpus = news_corpus(10 << 20);
    group.throughput(Throughput::Bytes(corpus.len() as u64));
    group.bench_function("generated_news_10MB", |b| {
        b.iter(|| splitter.split(black_box(&corpus)).len())
    });

    if let Some(texts) = polnear_texts() {
        let bytes: usize = texts.iter().map(String::len).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function("polnear_train", |b| {
            b.iter(|| {
                texts
                    .iter()
                    .map(|t| splitter.split(black_box(t)).len())
                    .sum::<usize>()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_sentences);
criterion_main!(benches);
