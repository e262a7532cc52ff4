//! PolNeAR scores of the default pipeline (no NER model).
//!
//! `cargo test --release --test quotes_polnear -- --ignored --nocapture`
//! prints the dev report (set `SAIDWHO_SPLIT=train` for train); the plain
//! test checks that dev still clears a floor, so that regressions show.

use saidwho::eval::quotes::{evaluate_file, QuoteReport};
use saidwho::Pipeline;
use std::path::PathBuf;

/// The PolNeAR file of `split`, or `None` (test skipped) outside CI when the
/// data is missing; under `CI=true` a missing file fails.
fn data(split: &str) -> Option<PathBuf> {
    let why = match std::env::var("SAIDWHO_DATA") {
        Ok(d) => {
            let p = PathBuf::from(d)
                .join("polnear")
                .join(format!("{split}.jsonl"));
            if p.exists() {
                return Some(p);
            }
            format!("{} not found", p.display())
        }
        Err(_) => "SAIDWHO_DATA not set".to_string(),
    };
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("PolNeAR data required under CI: {why}");
    }
    println!("skipped: {why}");
    None
}

fn run(split: &str) -> Option<QuoteReport> {
    let path = data(split)?;
    let rep = evaluate_file(&path, &Pipeline::new()).expect("evaluation runs");
    println!("PolNeAR {split}:\n{rep}");
    Some(rep)
}

#[test]
#[ignore = "prints the full report; run with --ignored"]
fn polnear_report() {
    let split = std::env::var("SAIDWHO_SPLIT").unwrap_or_else(|_| "dev".into());
    run(&split);
}

#[test]
fn polnear_dev_floor() {
    let Some(rep) = run("dev") else { return };
    let (_, _, f1) = rep.any_overlap();
    assert!(f1 >= 50.0, "any-overlap F1 {f1:.1} fell below the floor");
    assert!(rep.direct_recall() >= 80.0, "direct recall fell: {rep}");
}
