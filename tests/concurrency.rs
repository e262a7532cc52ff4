//! One pipeline shared by many threads gives the same output as one thread.

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
    let serial: Vec<String> = texts
        .iter()
        .map(|t| serde_json::to_string(&pipeline.analyze(t).unwrap()).unwrap())
        .collect();
    let handles: Vec<_> = (0..8)
        .map(|k| {
            let (pipeline, texts) = (Arc::clone(&pipeline), Arc::clone(&texts));
            std::thread::spawn(move || {
                // Each thread walks the articles from a different start.
                (0..texts.len())
                    .map(|j| (j + k) % texts.len())
                    .map(|i| {
                        (
                            i,
                            serde_json::to_string(&pipeline.analyze(&texts[i]).unwrap()).unwrap(),
                        )
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
}
