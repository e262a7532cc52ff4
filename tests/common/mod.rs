//! Helpers shared by the integration tests.
//!
//! * [`model_dir`] / [`data_dir`] find the real model and corpora through
//!   `SAIDWHO_MODELS` / `SAIDWHO_DATA`. When missing, a test calling them is
//!   skipped (prints `skipped: …` and returns) — except under `CI=true`,
//!   where a missing resource fails the test.
//! * [`write_tiny_model`] writes a tiny random BERT/DistilBERT token
//!   classifier with a WordPiece `tokenizer.json`, for tests that need a
//!   model but not a good one.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Fails under CI, otherwise prints why the test is skipped.
fn missing(why: String) -> Option<PathBuf> {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("required test resource missing under CI: {why}");
    }
    eprintln!("skipped: {why}");
    None
}

/// First directory of the colon-separated `var` that contains `child`.
fn find(var: &str, child: &str) -> Option<PathBuf> {
    let Some(value) = std::env::var_os(var) else {
        return missing(format!("{var} is not set"));
    };
    for base in std::env::split_paths(&value) {
        let p = base.join(child);
        if p.exists() {
            return Some(p);
        }
    }
    missing(format!("no `{child}` in {var}={}", value.to_string_lossy()))
}

/// The directory of model `name` in `SAIDWHO_MODELS`.
pub fn model_dir(name: &str) -> Option<PathBuf> {
    find("SAIDWHO_MODELS", name)
}

/// The data directory (or a path below it) from `SAIDWHO_DATA`.
pub fn data_dir(child: &str) -> Option<PathBuf> {
    find("SAIDWHO_DATA", child)
}

/// The example binary `saidwho`, built by `cargo test` beside the test
/// binaries: target/<profile>/deps/<test>-<hash> → target/<profile>/examples/saidwho.
pub fn binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().join("examples");
    let path = dir.join(format!("saidwho{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "example binary not built at {}",
        path.display()
    );
    path
}

/// A Python interpreter that can `import pyspark`: `SAIDWHO_SPARK_PYTHON`,
/// else `python3` (`.ci/run` installs pyspark into a virtual environment and
/// sets the variable).
pub fn spark_python() -> Option<PathBuf> {
    let python = std::env::var_os("SAIDWHO_SPARK_PYTHON").map_or("python3".into(), PathBuf::from);
    let ok = std::process::Command::new(&python)
        .args(["-c", "import pyspark"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        Some(python)
    } else {
        missing(format!(
            "{} cannot import pyspark (pip install pyspark==3.5.3; set SAIDWHO_SPARK_PYTHON)",
            python.display()
        ))
    }
}

/// The CoNLL-2003 labels.
pub const CONLL_LABELS: [&str; 9] = [
    "O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC",
];

/// Vocabulary of the tiny tokenizer: specials, some words, letters and
/// continuation letters, punctuation, a little Cyrillic.
pub fn tiny_vocab() -> Vec<String> {
    let mut v: Vec<String> = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for w in [
        "the", "said", "Kiev", "Moscow", "Zelensky", "Medvedev", "New", "York", "Times", "in",
    ] {
        v.push(w.into());
    }
    for c in ('a'..='z').chain('A'..='Z').chain('а'..='я') {
        v.push(c.to_string());
        v.push(format!("##{c}"));
    }
    for p in [
        ".", ",", "’", "“", "”", "'", "\"", "!", "?", "-", "(", ")", ":",
    ] {
        v.push(p.into());
    }
    v
}

/// The casing settings of a WordPiece tokenizer, as `tokenizer_config.json`
/// gives them.
#[derive(Debug, Clone, Copy)]
pub struct Casing {
    /// `do_lower_case`.
    pub lowercase: bool,
    /// `strip_accents` (`None`: as `lowercase`).
    pub strip_accents: Option<bool>,
}

/// The cased tokenizer of [`write_tiny_model`].
pub const CASED: Casing = Casing {
    lowercase: false,
    strip_accents: None,
};

/// Writes only the tokenizer of the tiny model as a Hugging Face tokenizers
/// `tokenizer.json` with `casing`.
pub fn write_tiny_tokenizer_json(dir: &Path, casing: Casing) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("tokenizer.json"),
        tokenizer_json(&tiny_vocab(), casing),
    )
    .unwrap();
}

/// Writes the same tokenizer the way older BERT fine-tunes ship it:
/// `vocab.txt` (one token a line) and `tokenizer_config.json`, no
/// `tokenizer.json`.
pub fn write_tiny_vocab_files(dir: &Path, casing: Casing) {
    std::fs::create_dir_all(dir).unwrap();
    let mut vocab = tiny_vocab().join("\n");
    vocab.push('\n');
    std::fs::write(dir.join("vocab.txt"), vocab).unwrap();
    let mut config = serde_json::json!({
        "do_lower_case": casing.lowercase,
        "model_max_length": 512,
        "tokenizer_class": "BertTokenizer",
        "unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]",
        "cls_token": "[CLS]", "mask_token": "[MASK]"
    });
    if let Some(strip) = casing.strip_accents {
        config["strip_accents"] = serde_json::json!(strip);
    }
    std::fs::write(dir.join("tokenizer_config.json"), config.to_string()).unwrap();
}

fn tokenizer_json(vocab: &[String], casing: Casing) -> String {
    let map: serde_json::Map<String, serde_json::Value> = vocab
        .iter()
        .enumerate()
        .map(|(i, t)| (t.clone(), serde_json::json!(i)))
        .collect();
    let added: Vec<serde_json::Value> = (0..4)
        .map(|i| {
            serde_json::json!({"id": i, "content": vocab[i], "single_word": false,
                "lstrip": false, "rstrip": false, "normalized": false, "special": true})
        })
        .collect();
    serde_json::json!({
        "version": "1.0",
        "truncation": {"direction": "Right", "max_length": 16, "strategy": "LongestFirst", "stride": 0},
        "padding": null,
        "added_tokens": added,
        "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
                       "strip_accents": casing.strip_accents, "lowercase": casing.lowercase},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                       {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                     {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                               "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": map}
    })
    .to_string()
}

/// Options of [`write_tiny_model`].
pub struct Tiny<'a> {
    /// `"distilbert"` or `"bert"`.
    pub arch: &'a str,
    /// id2label.
    pub labels: &'a [&'a str],
    /// Rows of the classifier head (normally `labels.len()`).
    pub head_rows: usize,
    /// max_position_embeddings.
    pub max_positions: usize,
    /// Seed for the weights.
    pub seed: u64,
}

impl Default for Tiny<'_> {
    fn default() -> Self {
        Tiny {
            arch: "distilbert",
            labels: &CONLL_LABELS,
            head_rows: CONLL_LABELS.len(),
            max_positions: 64,
            seed: 1,
        }
    }
}

/// Writes a tiny random token classifier (config.json, tokenizer.json,
/// model.safetensors) into `dir`.
pub fn write_tiny_model(dir: &Path, t: &Tiny) {
    use candle_core::{Device, Tensor};
    std::fs::create_dir_all(dir).unwrap();
    let vocab = tiny_vocab();
    let (dim, ff, layers) = (16usize, 32usize, 2usize);
    let id2label: serde_json::Map<String, serde_json::Value> = t
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| (i.to_string(), serde_json::json!(l)))
        .collect();
    let config = if t.arch == "bert" {
        serde_json::json!({"model_type": "bert", "vocab_size": vocab.len(), "hidden_size": dim,
            "intermediate_size": ff, "num_attention_heads": 2, "num_hidden_layers": layers,
            "max_position_embeddings": t.max_positions, "type_vocab_size": 2,
            "layer_norm_eps": 1e-12, "hidden_act": "gelu", "id2label": id2label})
    } else {
        serde_json::json!({"model_type": "distilbert", "vocab_size": vocab.len(), "dim": dim,
            "hidden_dim": ff, "n_heads": 2, "n_layers": layers, "activation": "gelu",
            "max_position_embeddings": t.max_positions, "sinusoidal_pos_embds": false,
            "id2label": id2label})
    };
    std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
    std::fs::write(dir.join("tokenizer.json"), tokenizer_json(&vocab, CASED)).unwrap();

    let mut rng = Rng(t.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut w: HashMap<String, Tensor> = HashMap::new();
    let ones = |n: usize| Tensor::ones(n, candle_core::DType::F32, &Device::Cpu).unwrap();
    let zeros = |n: usize| Tensor::zeros(n, candle_core::DType::F32, &Device::Cpu).unwrap();
    let lin = |w: &mut HashMap<String, Tensor>, rng: &mut Rng, name: String, o: usize, i: usize| {
        w.insert(format!("{name}.weight"), rng.tensor(&[o, i], 0.5));
        w.insert(format!("{name}.bias"), rng.tensor(&[o], 0.1));
    };
    let norm = |w: &mut HashMap<String, Tensor>, name: String| {
        w.insert(format!("{name}.weight"), ones(dim));
        w.insert(format!("{name}.bias"), zeros(dim));
    };
    let (p, layer_names): (&str, [&str; 8]) = if t.arch == "bert" {
        (
            "bert",
            [
                "attention.self.query",
                "attention.self.key",
                "attention.self.value",
                "attention.output.dense",
                "attention.output.LayerNorm",
                "intermediate.dense",
                "output.dense",
                "output.LayerNorm",
            ],
        )
    } else {
        (
            "distilbert",
            [
                "attention.q_lin",
                "attention.k_lin",
                "attention.v_lin",
                "attention.out_lin",
                "sa_layer_norm",
                "ffn.lin1",
                "ffn.lin2",
                "output_layer_norm",
            ],
        )
    };
    let layer_prefix = if t.arch == "bert" {
        "encoder.layer"
    } else {
        "transformer.layer"
    };
    let mut emb = vec![
        ("word_embeddings", vocab.len()),
        ("position_embeddings", t.max_positions),
    ];
    if t.arch == "bert" {
        emb.push(("token_type_embeddings", 2));
    }
    let mut tensors = Vec::new();
    for (name, rows) in emb {
        tensors.push((format!("{p}.embeddings.{name}.weight"), vec![rows, dim]));
    }
    for (name, shape) in tensors {
        w.insert(name, rng.tensor(&shape, 1.0));
    }
    norm(&mut w, format!("{p}.embeddings.LayerNorm"));
    for l in 0..layers {
        let base = format!("{p}.{layer_prefix}.{l}");
        for n in &layer_names[..4] {
            lin(&mut w, &mut rng, format!("{base}.{n}"), dim, dim);
        }
        norm(&mut w, format!("{base}.{}", layer_names[4]));
        lin(
            &mut w,
            &mut rng,
            format!("{base}.{}", layer_names[5]),
            ff,
            dim,
        );
        lin(
            &mut w,
            &mut rng,
            format!("{base}.{}", layer_names[6]),
            dim,
            ff,
        );
        norm(&mut w, format!("{base}.{}", layer_names[7]));
    }
    w.insert(
        "classifier.weight".into(),
        rng.tensor(&[t.head_rows, dim], 2.0),
    );
    w.insert("classifier.bias".into(), rng.tensor(&[t.head_rows], 0.5));
    candle_core::safetensors::save(&w, dir.join("model.safetensors")).unwrap();
}

/// A small deterministic xorshift generator (candle's randn is not seedable
/// on the CPU).
struct Rng(u64);

impl Rng {
    fn tensor(&mut self, shape: &[usize], scale: f32) -> candle_core::Tensor {
        let n: usize = shape.iter().product();
        let data: Vec<f32> = (0..n)
            .map(|_| {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                ((self.0 >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 2.0 * scale
            })
            .collect();
        candle_core::Tensor::from_vec(data, shape, &candle_core::Device::Cpu).unwrap()
    }
}

/// The `input_ids` of a reference case (`reference/logits.json` of the
/// teacher, `reference.json` of the embedded model).
#[allow(dead_code)]
pub fn input_ids(case: &serde_json::Value) -> Vec<u32> {
    case["input_ids"]
        .as_array()
        .expect("input_ids")
        .iter()
        .map(|v| v.as_u64().expect("an id") as u32)
        .collect()
}
