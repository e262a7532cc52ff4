//! Model directories without `tokenizer.json`: the BERT WordPiece tokenizer
//! built from `vocab.txt` and `tokenizer_config.json` encodes like the
//! equivalent `tokenizer.json`, and the whole recogniser runs on it.

mod common;

use common::{
    write_tiny_model, write_tiny_tokenizer_json, write_tiny_vocab_files, Casing, Tiny, CASED,
};
use saidwho::ner::{load_tokenizer, NerOptions, Recognizer, TransformerRecognizer};
use saidwho::{Error, Pipeline};
use std::path::Path;
use tokenizers::Tokenizer;

/// Sentences with casing, accents, punctuation, Cyrillic, control
/// characters, unknown words and a literal special token.
const SENTENCES: [&str; 8] = [
    "Zelensky said the New York Times in Kiev.",
    "ZELENSKY SAID “NO,” in Moscow!",
    "Café Zürich: Medvedev (Москва) said 'x'.",
    "Crème brûlée à la Ñandú — naïve coöperation.",
    "tabs\tand\r\nbreaks\u{7}  and   spaces",
    "[CLS] the [SEP] said [UNK]",
    "supercalifragilisticexpialidocious and 北京 and 123",
    "",
];

/// Everything an encoding carries that the recogniser reads.
fn assert_same_encodings(expected: &Tokenizer, got: &Tokenizer, what: &str) {
    for text in SENTENCES {
        let a = expected.encode(text, true).unwrap();
        let b = got.encode(text, true).unwrap();
        assert_eq!(a.get_tokens(), b.get_tokens(), "{what}: {text:?}");
        assert_eq!(a.get_ids(), b.get_ids(), "{what}: {text:?}");
        assert_eq!(a.get_offsets(), b.get_offsets(), "{what}: {text:?}");
        assert_eq!(a.get_word_ids(), b.get_word_ids(), "{what}: {text:?}");
        assert_eq!(a.get_type_ids(), b.get_type_ids(), "{what}: {text:?}");
        assert_eq!(
            a.get_special_tokens_mask(),
            b.get_special_tokens_mask(),
            "{what}: {text:?}"
        );
    }
}

fn json_tokenizer(dir: &Path) -> Tokenizer {
    let mut t = Tokenizer::from_file(dir.join("tokenizer.json")).unwrap();
    t.with_truncation(None).unwrap();
    t
}

#[test]
fn vocab_txt_encodes_like_tokenizer_json_in_every_casing() {
    for casing in [
        CASED,
        Casing {
            lowercase: true,
            strip_accents: None,
        },
        Casing {
            lowercase: true,
            strip_accents: Some(false),
        },
        Casing {
            lowercase: false,
            strip_accents: Some(true),
        },
    ] {
        let json = tempfile::tempdir().unwrap();
        write_tiny_tokenizer_json(json.path(), casing);
        let vocab = tempfile::tempdir().unwrap();
        write_tiny_vocab_files(vocab.path(), casing);
        let built = load_tokenizer(vocab.path()).unwrap();
        assert_same_encodings(&json_tokenizer(json.path()), &built, &format!("{casing:?}"));
        // tokenizer.json wins when both are there.
        write_tiny_tokenizer_json(vocab.path(), casing);
        let mut loaded = load_tokenizer(vocab.path()).unwrap();
        loaded.with_truncation(None).unwrap();
        assert_same_encodings(&json_tokenizer(json.path()), &loaded, "both");
    }
}

#[test]
fn the_recognizer_runs_on_a_directory_without_tokenizer_json() {
    let with_json = tempfile::tempdir().unwrap();
    write_tiny_model(with_json.path(), &Tiny::default());
    let without = tempfile::tempdir().unwrap();
    write_tiny_model(without.path(), &Tiny::default());
    std::fs::remove_file(without.path().join("tokenizer.json")).unwrap();
    write_tiny_vocab_files(without.path(), CASED);
    let options = NerOptions::default();
    let a = TransformerRecognizer::from_dir(with_json.path(), &options).unwrap();
    let b = TransformerRecognizer::from_dir(without.path(), &options).unwrap();
    let text = "Zelensky said the New York Times in Kiev. “Medvedev,” said Ann, “left Moscow.”";
    let sentences = Pipeline::without_ner().segment(text).unwrap().sentences;
    assert_eq!(
        a.recognize(text, &sentences).unwrap(),
        b.recognize(text, &sentences).unwrap()
    );
    let (da, db) = (
        Pipeline::without_ner()
            .with_recognizer(a)
            .analyze(text)
            .unwrap(),
        Pipeline::without_ner()
            .with_recognizer(b)
            .analyze(text)
            .unwrap(),
    );
    assert_eq!(da.entities, db.entities);
    assert_eq!(da.quotes, db.quotes);
}

#[test]
fn a_directory_with_no_tokenizer_names_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    write_tiny_model(dir.path(), &Tiny::default());
    std::fs::remove_file(dir.path().join("tokenizer.json")).unwrap();
    let err = TransformerRecognizer::from_dir(dir.path(), &NerOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(&err, Error::ModelFile { path, .. } if path.ends_with("tokenizer.json"))
            && msg.contains("vocab.txt"),
        "{msg}"
    );
    // vocab.txt without its [CLS] token: the error names the file and the token.
    write_tiny_vocab_files(dir.path(), CASED);
    let vocab = std::fs::read_to_string(dir.path().join("vocab.txt")).unwrap();
    std::fs::write(
        dir.path().join("vocab.txt"),
        vocab.replace("[CLS]\n", "[XLS]\n"),
    )
    .unwrap();
    let err = load_tokenizer(dir.path()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("vocab.txt") && msg.contains("[CLS]"), "{msg}");
    // A malformed tokenizer_config.json is named.
    std::fs::write(dir.path().join("tokenizer_config.json"), "{oops").unwrap();
    let err = load_tokenizer(dir.path()).unwrap_err();
    assert!(err.to_string().contains("tokenizer_config.json"), "{err}");
}

/// The real model ships vocab.txt and tokenizer_config.json beside its
/// tokenizer.json: the two must agree on every sentence of the shipped
/// article.
#[test]
fn the_real_models_vocab_txt_matches_its_tokenizer_json() {
    let Some(model) = common::model_dir("conll03-distilbert-cased") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for file in ["vocab.txt", "tokenizer_config.json"] {
        std::fs::copy(model.join(file), dir.path().join(file)).unwrap();
    }
    let built = load_tokenizer(dir.path()).unwrap();
    let json = json_tokenizer(&model);
    assert_same_encodings(&json, &built, "real model");
    let article = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/articles/harbour-strike.txt"),
    )
    .unwrap();
    for line in article.lines() {
        assert_eq!(
            json.encode(line, true).unwrap().get_ids(),
            built.encode(line, true).unwrap().get_ids(),
            "{line}"
        );
    }
}
