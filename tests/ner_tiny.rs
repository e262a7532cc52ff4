//! NER with tiny random models written by the tests: loading, errors,
//! offsets on any input, windows, threads.

mod common;

use common::{write_tiny_model, Tiny, CONLL_LABELS};
use proptest::prelude::*;
use saidwho::ner::{
    BackendKind, LabelMap, NerOptions, Precision, Recognizer, TransformerRecognizer,
};
use saidwho::{Error, Mention, Sentence, Span};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, OnceLock};

fn tiny(arch: &'static str) -> &'static TransformerRecognizer {
    static DISTIL: OnceLock<(tempfile::TempDir, TransformerRecognizer)> = OnceLock::new();
    static BERT: OnceLock<(tempfile::TempDir, TransformerRecognizer)> = OnceLock::new();
    let cell = if arch == "bert" { &BERT } else { &DISTIL };
    &cell
        .get_or_init(|| {
            let dir = tiny_dir(arch);
            let r = TransformerRecognizer::from_dir(dir.path(), &NerOptions::default()).unwrap();
            (dir, r)
        })
        .1
}

/// A fresh directory with a tiny model of `arch` ("bert" or "distilbert").
fn tiny_dir(arch: &'static str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_tiny_model(
        dir.path(),
        &Tiny {
            arch,
            ..Tiny::default()
        },
    );
    dir
}

/// Sentences: runs between ". " (a crude splitter is enough here).
fn sentences(text: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices(". ") {
        out.push(Sentence {
            span: Span::new(start, i + 1),
        });
        start = i + 2;
    }
    if start < text.len() {
        out.push(Sentence {
            span: Span::new(start, text.len()),
        });
    }
    out
}

fn check(text: &str, mentions: &[Mention]) {
    let mut prev_end = 0;
    for m in mentions {
        assert!(m.span.start < m.span.end, "empty mention {m:?}");
        assert!(m.span.start >= prev_end, "overlap or disorder at {m:?}");
        assert!(text.is_char_boundary(m.span.start) && text.is_char_boundary(m.span.end));
        let s = m.span.text(text);
        assert!(!s.is_empty());
        assert_eq!(s, s.trim(), "mention has outer white space: {s:?}");
        assert!(
            m.score.is_some_and(|s| (0.0..=1.0).contains(&s)),
            "a model's mention has a score in 0..=1: {m:?}"
        );
        prev_end = m.span.end;
    }
}

#[test]
fn both_architectures_load_and_find_mentions() {
    let text =
        "Zelensky’s forces left Kiev. Medvedev said “no” in Moscow, the New York Times said.";
    for arch in ["distilbert", "bert"] {
        let r = tiny(arch);
        let m = r.recognize(text, &sentences(text)).unwrap();
        check(text, &m);
        assert!(!m.is_empty(), "{arch}: a random model tags something");
        // Every mention is made of whole words: never ends inside `Zelensky`.
        for x in &m {
            let after = &text[x.span.end..];
            let c = after.chars().next();
            assert!(
                c.is_none_or(|c| !c.is_alphanumeric())
                    || x.span.text(text).ends_with(|c: char| !c.is_alphanumeric()),
                "{arch}: mention {:?} ends inside a word",
                x.span.text(text)
            );
        }
    }
}

#[test]
fn long_sentences_are_split_and_merged() {
    // One sentence of ~900 tokens against a 64-position model.
    let text = "Kiev said the Moscow Times in New York ".repeat(100);
    let text = text.trim_end();
    let r = tiny("distilbert");
    let one = [Sentence {
        span: Span::new(0, text.len()),
    }];
    let m = r.recognize(text, &one).unwrap();
    check(text, &m);
    assert!(!m.is_empty());
    // Mentions cover the whole text, not just the first window.
    assert!(m.last().unwrap().span.end > text.len() - 200);
    // Empty and blank input.
    assert!(r.recognize("", &[]).unwrap().is_empty());
    assert!(r.recognize("   ", &[]).unwrap().is_empty());
    // A span that is not on a char boundary is an error, not a panic.
    assert!(r
        .recognize(
            "é",
            &[Sentence {
                span: Span::new(0, 1)
            }]
        )
        .is_err());
}

#[test]
fn window_size_does_not_change_short_sentences() {
    // Sentences are packed into windows; a single-sentence window and a
    // packed one see different context, but the offsets stay exact.
    let text = "Kiev said. Medvedev said. Moscow said. Zelensky said.";
    let dir = tempfile::tempdir().unwrap();
    write_tiny_model(dir.path(), &Tiny::default());
    for window in [8, 16, 64, 1000] {
        let opts = NerOptions::default()
            .with_window_tokens(window)
            .with_stride(3);
        let r = TransformerRecognizer::from_dir(dir.path(), &opts).unwrap();
        check(text, &r.recognize(text, &sentences(text)).unwrap());
    }
}

#[test]
fn shared_across_threads() {
    let r = tiny("distilbert");
    let text = "Kiev said the Moscow Times. Medvedev said in New York.";
    let expected = r.recognize(text, &sentences(text)).unwrap();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| assert_eq!(r.recognize(text, &sentences(text)).unwrap(), expected));
        }
    });
}

#[test]
fn predict_words_gives_one_label_per_word() {
    let r = tiny("distilbert");
    let words = vec![
        vec![
            "Kiev",
            "1996-08-30",
            "all-rounder",
            "\u{200b}",
            "Zelensky’s",
        ],
        vec![],
        vec!["x", "", "New York", " "],
    ];
    let p = r.predict_words(&words).unwrap();
    assert_eq!(p.iter().map(Vec::len).collect::<Vec<_>>(), [5, 0, 4]);
    // The zero-width space has no tokens: O.
    assert_eq!(r.labels().names()[p[0][3].class], "O");
}

// ---- errors --------------------------------------------------------------

fn load(dir: &Path) -> Result<TransformerRecognizer, Error> {
    TransformerRecognizer::from_dir(dir, &NerOptions::default())
}

fn model_file_error(err: Error, file: &str) {
    match err {
        Error::ModelFile { path, reason } => {
            assert!(
                path.ends_with(file),
                "{} is not {file}: {reason}",
                path.display()
            )
        }
        other => panic!("expected a ModelFile error for {file}, got {other}"),
    }
}

#[test]
fn missing_files() {
    for file in ["config.json", "tokenizer.json", "model.safetensors"] {
        let dir = tempfile::tempdir().unwrap();
        write_tiny_model(dir.path(), &Tiny::default());
        std::fs::remove_file(dir.path().join(file)).unwrap();
        model_file_error(load(dir.path()).unwrap_err(), file);
    }
}

#[test]
fn corrupt_and_truncated_files() {
    let dir = tempfile::tempdir().unwrap();
    write_tiny_model(dir.path(), &Tiny::default());
    let weights = dir.path().join("model.safetensors");
    let bytes = std::fs::read(&weights).unwrap();
    std::fs::write(&weights, &bytes[..bytes.len() / 2]).unwrap();
    model_file_error(load(dir.path()).unwrap_err(), "model.safetensors");
    std::fs::write(&weights, b"this is not a safetensors file").unwrap();
    model_file_error(load(dir.path()).unwrap_err(), "model.safetensors");
    std::fs::write(&weights, &bytes).unwrap();
    std::fs::write(dir.path().join("tokenizer.json"), "{\"model\": 3}").unwrap();
    model_file_error(load(dir.path()).unwrap_err(), "tokenizer.json");
    std::fs::write(dir.path().join("config.json"), "{").unwrap();
    model_file_error(load(dir.path()).unwrap_err(), "config.json");
}

#[test]
fn weights_that_do_not_fit_the_config() {
    let dir = tempfile::tempdir().unwrap();
    write_tiny_model(dir.path(), &Tiny::default());
    let other = tempfile::tempdir().unwrap();
    write_tiny_model(
        other.path(),
        &Tiny {
            arch: "bert",
            ..Tiny::default()
        },
    );
    std::fs::copy(
        other.path().join("model.safetensors"),
        dir.path().join("model.safetensors"),
    )
    .unwrap();
    model_file_error(load(dir.path()).unwrap_err(), "model.safetensors");
}

#[test]
fn label_map_errors() {
    // id2label has 5 labels but the head 9 outputs.
    let dir = tempfile::tempdir().unwrap();
    let five = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"];
    write_tiny_model(
        dir.path(),
        &Tiny {
            labels: &five,
            head_rows: 9,
            ..Tiny::default()
        },
    );
    let err = load(dir.path()).unwrap_err();
    assert!(matches!(err, Error::LabelMap(_)), "{err}");
    // The error names the file to fix, as the README promises.
    assert!(err.to_string().contains("config.json"), "{err}");
    // Labels the decoder does not understand.
    let dir = tempfile::tempdir().unwrap();
    let odd = ["O", "PERSON", "LOCATION"];
    write_tiny_model(
        dir.path(),
        &Tiny {
            labels: &odd,
            head_rows: 3,
            ..Tiny::default()
        },
    );
    let err = load(dir.path()).unwrap_err();
    assert!(matches!(err, Error::LabelMap(_)), "{err}");
    // The error names the file to fix, as the README promises.
    assert!(err.to_string().contains("config.json"), "{err}");
    // BIOES labels load, and are detected.
    let dir = tempfile::tempdir().unwrap();
    let bioes = ["O", "B-PER", "I-PER", "E-PER", "S-PER"];
    write_tiny_model(
        dir.path(),
        &Tiny {
            labels: &bioes,
            head_rows: 5,
            ..Tiny::default()
        },
    );
    let r = load(dir.path()).unwrap();
    assert_eq!(r.labels().scheme(), saidwho::ner::LabelScheme::Bioes);
}

#[test]
fn registry_checksums_and_not_found() {
    let base = tempfile::tempdir().unwrap();
    write_tiny_model(&base.path().join("tiny"), &Tiny::default());
    let sum =
        saidwho::ner::sha256_hex(&std::fs::read(base.path().join("tiny/config.json")).unwrap());
    let registry = base.path().join("models.toml");
    let entry = |config_sum: &str| {
        format!(
            "[[model]]\nname = \"tiny-ner\"\ndir = \"tiny\"\nscheme = \"bio\"\n\
             [model.files]\n\"config.json\" = \"{config_sum}\"\n"
        )
    };
    std::fs::write(&registry, entry(&sum)).unwrap();
    let opts = NerOptions::default()
        .with_registry(Some(registry.clone()))
        .with_search_path(Some(vec![
            base.path().join("elsewhere"),
            base.path().to_path_buf(),
        ]));
    TransformerRecognizer::from_model("tiny-ner", &opts).unwrap();
    // A wrong checksum is refused, unless verification is off.
    std::fs::write(&registry, entry(&"0".repeat(64))).unwrap();
    let err = TransformerRecognizer::from_model("tiny-ner", &opts).unwrap_err();
    assert!(err.to_string().contains("sha256"), "{err}");
    model_file_error(err, "config.json");
    let lax = opts.clone().with_verify_checksums(false);
    TransformerRecognizer::from_model("tiny-ner", &lax).unwrap();
    // Unknown names say where saidwho looked.
    let err = TransformerRecognizer::from_model("no-such-model", &opts).unwrap_err();
    assert!(matches!(err, Error::ModelNotFound { .. }), "{err}");
    assert!(err.to_string().contains("elsewhere"), "{err}");
    // The built-in model, with an empty search path.
    let none = NerOptions::default().with_search_path(Some(vec![]));
    let err = TransformerRecognizer::from_model("conll03-distilbert-cased", &none).unwrap_err();
    assert!(err.to_string().contains("SAIDWHO_MODELS"), "{err}");
}

// ---- property: offsets on any text ----------------------------------------

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Kiev".to_string()),
        Just("Zelensky’s".to_string()),
        Just("“Moscow”".to_string()),
        Just("Медведев".to_string()),
        Just("e\u{301}".to_string()),
        Just("😀".to_string()),
        Just("New York Times".to_string()),
        Just(". ".to_string()),
        Just(" ".to_string()),
        Just("\n".to_string()),
        Just("\u{200b}".to_string()),
        Just("\u{0}".to_string()),
        "[a-zA-Z]{1,8}",
        "\\PC{1,3}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn mentions_are_exact_slices(pieces in proptest::collection::vec(piece(), 0..60)) {
        let text: String = pieces.concat();
        let r = tiny("distilbert");
        let m = r.recognize(&text, &sentences(&text)).unwrap();
        check(&text, &m);
        let with_whole = r.recognize(&text, &[]).unwrap();
        check(&text, &with_whole);
    }
}

#[test]
fn labels_are_the_conll_ones() {
    assert_eq!(tiny("bert").labels().names(), CONLL_LABELS);
}

#[test]
fn every_aggregation_gives_whole_word_mentions() {
    use saidwho::ner::Aggregation;
    let dir = tempfile::tempdir().unwrap();
    write_tiny_model(
        dir.path(),
        &Tiny {
            seed: 7,
            ..Tiny::default()
        },
    );
    let text = "Zelensky’s aides met Медведев in Kiev. The Moscow Times said “no”.";
    let mut results = Vec::new();
    for aggregation in [Aggregation::First, Aggregation::Average, Aggregation::Max] {
        let opts = NerOptions::default().with_aggregation(aggregation);
        let r = TransformerRecognizer::from_dir(dir.path(), &opts).unwrap();
        let m = r.recognize(text, &sentences(text)).unwrap();
        check(text, &m);
        results.push(m);
    }
    assert!(results.iter().any(|m| !m.is_empty()));
    assert_eq!(
        "average".parse::<Aggregation>().unwrap(),
        Aggregation::Average
    );
    assert!("median".parse::<Aggregation>().is_err());
}

/// A backend that predicts `O` everywhere and counts what it is fed.
#[derive(Default)]
struct Counting {
    /// Tokens of all sequences.
    tokens: Arc<AtomicUsize>,
    /// The longest sequence.
    longest: Arc<AtomicUsize>,
    /// Token slots of all batches, padding included (sequences × longest).
    padded: Arc<AtomicUsize>,
    /// Forward passes.
    calls: Arc<AtomicUsize>,
}

impl saidwho::ner::Backend for Counting {
    fn logits(&self, batch: &[&[u32]]) -> saidwho::Result<Vec<saidwho::ner::Logits>> {
        let n = CONLL_LABELS.len();
        let width = batch.iter().map(|s| s.len()).max().unwrap_or(0);
        self.padded.fetch_add(batch.len() * width, Relaxed);
        self.calls.fetch_add(1, Relaxed);
        Ok(batch
            .iter()
            .map(|seq| {
                self.tokens.fetch_add(seq.len(), Relaxed);
                self.longest.fetch_max(seq.len(), Relaxed);
                let mut data = vec![0f32; seq.len() * n];
                data.chunks_mut(n).for_each(|row| row[0] = 10.0);
                saidwho::ner::Logits {
                    num_labels: n,
                    data,
                }
            })
            .collect())
    }

    fn num_labels(&self) -> usize {
        CONLL_LABELS.len()
    }

    fn max_len(&self) -> usize {
        64
    }
}

/// A recogniser over `backend` with the CoNLL labels and 64-token windows.
fn counted(tokenizer: &tokenizers::Tokenizer, backend: Counting) -> TransformerRecognizer {
    let names: Vec<String> = CONLL_LABELS.iter().map(|s| s.to_string()).collect();
    let labels = LabelMap::new(&names, None).unwrap();
    let options = NerOptions::default().with_window_tokens(64);
    TransformerRecognizer::new(tokenizer.clone(), Box::new(backend), labels, options).unwrap()
}

/// Windows of very different lengths are not batched together: an article's
/// short last window padded to a full one wasted most of a forward pass.
#[test]
fn batches_waste_little_on_padding() {
    let dir = tempfile::tempdir().unwrap();
    write_tiny_model(dir.path(), &Tiny::default());
    let tokenizer = tokenizers::Tokenizer::from_file(dir.path().join("tokenizer.json")).unwrap();
    for sentences_in_text in [3, 13, 40] {
        let backend = Counting::default();
        let (tokens, padded) = (backend.tokens.clone(), backend.padded.clone());
        let ner = counted(&tokenizer, backend);
        let text = "Medvedev said in Moscow. ".repeat(sentences_in_text);
        ner.recognize(&text, &sentences(&text)).unwrap();
        let (tokens, padded) = (tokens.load(Relaxed), padded.load(Relaxed));
        assert!(
            padded * 10 <= tokens * 11,
            "{sentences_in_text} sentences: {padded} slots for {tokens} tokens"
        );
    }
}

/// `texts` with their sentences, as `Recognizer::recognize_batch` takes them.
fn batch_of<'a>(texts: &'a [String], split: &'a [Vec<Sentence>]) -> Vec<(&'a str, &'a [Sentence])> {
    texts
        .iter()
        .zip(split)
        .map(|(t, s)| (t.as_str(), s.as_slice()))
        .collect()
}

/// Short texts labelled together share forward passes: 60 one-sentence
/// texts take a few passes in one `recognize_batch` call, against one pass
/// each when labelled one by one.
#[test]
fn a_batch_of_short_texts_shares_forward_passes() {
    let dir = tempfile::tempdir().unwrap();
    write_tiny_model(dir.path(), &Tiny::default());
    let tokenizer = tokenizers::Tokenizer::from_file(dir.path().join("tokenizer.json")).unwrap();
    let texts: Vec<String> = (0..60)
        .map(|i| format!("Medvedev said in Moscow{}.", " and Kiev".repeat(i % 4)))
        .collect();
    let split: Vec<Vec<Sentence>> = texts.iter().map(|t| sentences(t)).collect();
    let inputs = batch_of(&texts, &split);

    let backend = Counting::default();
    let (calls, tokens, padded) = (
        backend.calls.clone(),
        backend.tokens.clone(),
        backend.padded.clone(),
    );
    let ner = counted(&tokenizer, backend);
    for (text, s) in &inputs {
        ner.recognize(text, s).unwrap();
    }
    assert_eq!(calls.swap(0, Relaxed), texts.len());
    tokens.store(0, Relaxed);
    padded.store(0, Relaxed);
    let out = ner.recognize_batch(&inputs).unwrap();
    assert_eq!(out.len(), texts.len());
    let (calls, tokens, padded) = (
        calls.load(Relaxed),
        tokens.load(Relaxed),
        padded.load(Relaxed),
    );
    assert!(
        calls <= 6,
        "{calls} forward passes for {} texts",
        texts.len()
    );
    // Length-bucketed: the texts have four lengths, and no batch mixes them
    // enough to waste more than a tenth on padding.
    assert!(
        padded * 10 <= tokens * 11,
        "{padded} slots for {tokens} tokens"
    );
}

/// Labelling texts together gives each text exactly what it gets alone —
/// same spans, labels and scores to the last bit, whatever the other texts
/// are, in both precisions: a document's result never depends on its batch
/// (so a Spark partition, a resumed run and a single call agree).
#[test]
fn batched_texts_get_exactly_what_each_gets_alone() {
    let int8 = |arch| {
        let dir = tiny_dir(arch);
        let options = NerOptions::default().with_precision(saidwho::ner::Precision::Int8);
        let r = TransformerRecognizer::from_dir(dir.path(), &options).unwrap();
        (dir, r)
    };
    let (_d1, bert8) = int8("bert");
    let (_d2, distil8) = int8("distilbert");
    for (name, r) in [
        ("bert f32", tiny("bert")),
        ("distilbert f32", tiny("distilbert")),
        ("bert int8", &bert8),
        ("distilbert int8", &distil8),
    ] {
        let texts: Vec<String> = (0..25)
            .map(|i| {
                format!(
                    "Medvedev said in Moscow{}. Kiev and Zelensky said {i}. «Да». ",
                    " that the Moscow Times".repeat(i % 5)
                )
                .repeat(1 + i % 3)
            })
            .chain(["".to_string(), " ".to_string()])
            .collect();
        let split: Vec<Vec<Sentence>> = texts.iter().map(|t| sentences(t)).collect();
        let inputs = batch_of(&texts, &split);
        let together = r.recognize_batch(&inputs).unwrap();
        assert_eq!(together.len(), texts.len());
        // The texts in another order and company: the second half alone.
        let half = r.recognize_batch(&inputs[12..]).unwrap();
        for (k, ((text, s), batched)) in inputs.iter().zip(&together).enumerate() {
            let alone = r.recognize(text, s).unwrap();
            check(text, batched);
            assert!(
                batched.iter().all(|m| m.score.is_some()),
                "{name}: a model's mention without a score: {batched:?}"
            );
            assert_eq!(
                format!("{batched:?}"),
                format!("{alone:?}"),
                "{name}: {text:?}"
            );
            if k >= 12 {
                assert_eq!(
                    format!("{:?}", half[k - 12]),
                    format!("{alone:?}"),
                    "{name}"
                );
            }
        }
    }
}

/// Model work grows linearly with the text: every token of a 100 KB and a
/// 1 MB article (ordinary sentences, and every so often a 30 KB sentence
/// without a stop, which is split into overlapping windows) is fed to the
/// model a bounded number of times, in windows no longer than its maximum.
/// Counted, not timed: the timings are in `examples/corpus_bench.rs`.
#[test]
fn model_work_is_linear_in_text_length() {
    let dir = tempfile::tempdir().unwrap();
    write_tiny_model(dir.path(), &Tiny::default());
    let mut tokenizer =
        tokenizers::Tokenizer::from_file(dir.path().join("tokenizer.json")).unwrap();
    tokenizer.with_truncation(None).unwrap();
    // (text tokens, tokens fed to the model, longest window)
    let run = |bytes: usize| -> (usize, usize, usize) {
        let backend = Counting::default();
        let (tokens, longest) = (backend.tokens.clone(), backend.longest.clone());
        let ner = counted(&tokenizer, backend);
        let mut text = String::with_capacity(bytes + 40_000);
        let mut i = 0;
        while text.len() < bytes {
            if i % 500 == 7 {
                text.push_str(&"Kiev said the ".repeat(30_000 / 14));
                text.push_str(". ");
            }
            text.push_str(["Medvedev said in Moscow. ", "The New York Times said so. "][i % 2]);
            i += 1;
        }
        let sentences = sentences(&text);
        let in_text: usize = sentences
            .iter()
            .map(|s| {
                tokenizer
                    .encode(&text[s.span.start..s.span.end], false)
                    .unwrap()
                    .len()
            })
            .sum();
        let mentions = ner.recognize(&text, &sentences).unwrap();
        assert!(mentions.is_empty(), "all-O logits give no mentions");
        (in_text, tokens.load(Relaxed), longest.load(Relaxed))
    };
    let (small, small_fed, small_longest) = run(100_000);
    let (big, big_fed, big_longest) = run(1_000_000);
    assert!(small_longest <= 64 && big_longest <= 64);
    for (tokens, fed) in [(small, small_fed), (big, big_fed)] {
        assert!(
            fed >= tokens,
            "every token reaches the model: {fed} < {tokens}"
        );
        assert!(fed <= 3 * tokens, "{fed} tokens fed for a text of {tokens}");
    }
    let work = big_fed as f64 / small_fed as f64;
    let size = big as f64 / small as f64;
    eprintln!("tokens {small} → {small_fed} fed; {big} → {big_fed} fed");
    assert!(
        (work / size - 1.0).abs() < 0.1,
        "work grew {work:.2}× for {size:.2}× the text"
    );
}

#[test]
fn int8_runs_both_architectures_close_to_f32_and_needs_candle() {
    let text = "Kiev said. Medvedev said that Moscow would win. Zelensky said.";
    for arch in ["distilbert", "bert"] {
        let dir = tiny_dir(arch);
        let load = |precision| {
            let opts = NerOptions::default().with_precision(precision);
            TransformerRecognizer::from_dir(dir.path(), &opts).unwrap()
        };
        let (f32s, int8) = (load(Precision::F32), load(Precision::Int8));
        check(text, &int8.recognize(text, &sentences(text)).unwrap());
        let (a, b) = (
            f32s.text_logits(text).unwrap(),
            int8.text_logits(text).unwrap(),
        );
        assert_eq!(a.ids, b.ids);
        let worst = a
            .logits
            .data
            .iter()
            .zip(&b.logits.data)
            .map(|(x, y)| (x - y).abs())
            .fold(0f32, f32::max);
        let spread = a.logits.data.iter().fold(0f32, |m, x| m.max(x.abs()));
        eprintln!("{arch}: int8 logits off by {worst} of {spread}");
        assert!(
            worst > 0.0 && worst < 0.05 * spread,
            "{arch}: int8 logits off by {worst} of {spread}"
        );
        // rust-bert computes in f32 only: asking it for int8 is an error.
        let opts = NerOptions::default()
            .with_precision(Precision::Int8)
            .with_backend(Some(BackendKind::RustBert));
        let err = TransformerRecognizer::from_dir(dir.path(), &opts).unwrap_err();
        assert!(err.to_string().contains("candle"), "{err}");
    }
}
