//! Parsing what a model directory and a registry hold: `config.json` and
//! `models.toml` from arbitrary text. Each parses or gives an error naming
//! the file — never a panic — and what parses is usable: positive sizes,
//! heads dividing the hidden size, a label per class; registry entries with
//! a name, a directory name and a scheme that is valid or refused.
#![no_main]
use libfuzzer_sys::fuzz_target;
use saidwho::ner::{LabelMap, ModelConfig, Registry};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let path = Path::new("fuzz/config.json");
    match ModelConfig::parse(&text, path) {
        Ok(c) => {
            assert!(c.vocab_size > 0 && c.hidden > 0 && c.heads > 0 && c.layers > 0);
            assert_eq!(c.hidden % c.heads, 0);
            assert!(c.max_positions > 0 && c.intermediate > 0);
            // The labels either form a map or are refused with an error.
            let _ = LabelMap::new(&c.labels, None);
        }
        Err(e) => {
            let message = e.to_string();
            assert!(!message.is_empty());
        }
    }
    let origin = Path::new("fuzz/models.toml");
    if let Ok(registry) = Registry::parse(&text, origin) {
        for entry in registry.entries() {
            assert!(registry.get(&entry.name).is_some());
            let _ = entry.dir_name();
            let _ = entry.label_scheme();
        }
    }
});
