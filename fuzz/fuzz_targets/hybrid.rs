//! The hybrid quote extraction with invented span-model proposals —
//! anywhere, overlapping, off char boundaries, any score — and invented
//! name mentions: `extract_proposed` must not panic, and the pipeline's
//! documents keep every `Document::validate` invariant.
#![no_main]
use libfuzzer_sys::fuzz_target;
use saidwho::quotes::{Proposal, QuoteExtractor, Role, RuleQuoteExtractor};
use saidwho::{Pipeline, Span};

fuzz_target!(|input: (String, Vec<(u16, u8, u8, u8)>)| {
    let (text, raw) = input;
    let len = text.len().max(1);
    let proposals: Vec<Proposal> = raw
        .iter()
        .map(|&(start, width, role, score)| {
            let start = start as usize % (len + 1);
            Proposal {
                role: Role::ALL[role as usize % 3],
                span: Span::new(start, start + width as usize % 64),
                score: score as f32 / 255.0,
            }
        })
        .collect();
    let quotes = RuleQuoteExtractor::default().extract_proposed(&text, &[], &[], &proposals);
    let mut doc = Pipeline::without_ner()
        .segment(&text)
        .expect("no size limit hit");
    doc.quotes = quotes;
    if let Err(broken) = doc.validate() {
        panic!("{broken}");
    }
});
