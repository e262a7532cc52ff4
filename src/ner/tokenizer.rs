//! A model directory's tokenizer: its `tokenizer.json`, or the BERT
//! WordPiece tokenizer of `vocab.txt` and `tokenizer_config.json`
//! ([`load_tokenizer`]).

use crate::error::{Error, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use tokenizers::decoders::wordpiece::WordPiece as WordPieceDecoder;
use tokenizers::models::wordpiece::WordPiece;
use tokenizers::normalizers::BertNormalizer;
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::processors::bert::BertProcessing;
use tokenizers::{AddedToken, Tokenizer};

/// The tokenizers file most models ship.
pub(crate) const TOKENIZER_JSON: &str = "tokenizer.json";
/// The WordPiece vocabulary of older BERT models.
pub(crate) const VOCAB_TXT: &str = "vocab.txt";
/// The settings that go with `vocab.txt`.
pub(crate) const TOKENIZER_CONFIG: &str = "tokenizer_config.json";
/// Special tokens, when the config does not name them.
const SPECIAL_TOKENS_MAP: &str = "special_tokens_map.json";
/// Tokens added after training; their ids cannot be rebuilt from vocab.txt.
const ADDED_TOKENS: &str = "added_tokens.json";

/// Reads a model file: its path and bytes (checking its registered sha256
/// where the caller does).
pub(crate) type ReadFile<'a> = dyn Fn(&str, &str) -> Result<(PathBuf, Vec<u8>)> + 'a;

/// Loads the tokenizer of the model directory `dir`: `tokenizer.json` when
/// it is there, otherwise — for the many older BERT fine-tunes on Hugging
/// Face that ship only `vocab.txt` and `tokenizer_config.json` — the BERT
/// WordPiece tokenizer built from those, as `transformers` converts a slow
/// `BertTokenizer` to a fast one (and as rust-bert reads `vocab.txt`):
///
/// - normalizer: `BertNormalizer` (clean text, Chinese characters split
///   when `tokenize_chinese_chars`, lowercase when `do_lower_case`, accents
///   stripped as `strip_accents` says or, when it is absent, with the
///   lowercasing);
/// - pre-tokenizer: `BertPreTokenizer` (whitespace and punctuation);
/// - model: WordPiece over `vocab.txt` (a token a line, its id the line
///   number), `##` continuation, `unk_token`;
/// - post-processor: `cls_token … sep_token`;
/// - the special tokens of the config that the vocabulary holds are added
///   as special tokens, never split.
///
/// Missing settings take `BertTokenizer`'s defaults (`do_lower_case` true,
/// `[UNK]`, `[CLS]`, `[SEP]`, `[PAD]`, `[MASK]`); a
/// `special_tokens_map.json` beside the config supplies tokens the config
/// lacks. An `added_tokens.json` is refused (its ids cannot be rebuilt).
///
/// Truncation and padding settings of a `tokenizer.json` are kept here;
/// the recogniser turns them off.
///
/// ```no_run
/// let tokenizer = saidwho::ner::load_tokenizer("models/bert-base-NER".as_ref())?;
/// let ids = tokenizer.encode("Ann Lee spoke.", true).map(|e| e.get_ids().to_vec());
/// # Ok::<(), saidwho::Error>(())
/// ```
pub fn load_tokenizer(dir: &Path) -> Result<Tokenizer> {
    read_tokenizer(dir, &|file, what| {
        let path = dir.join(file);
        let bytes = std::fs::read(&path).map_err(|e| Error::ModelFile {
            path: path.clone(),
            reason: format!("cannot read it ({e}); expected {what}"),
        })?;
        Ok((path, bytes))
    })
    .map(|(tokenizer, _)| tokenizer)
}

/// [`load_tokenizer`] with the files read by `read`.
pub(crate) fn read_tokenizer(dir: &Path, read: &ReadFile<'_>) -> Result<(Tokenizer, PathBuf)> {
    if dir.join(TOKENIZER_JSON).is_file() || !dir.join(VOCAB_TXT).is_file() {
        let (path, bytes) = read(
            TOKENIZER_JSON,
            "a Hugging Face tokenizers file (or, for a BERT WordPiece model, vocab.txt \
             with tokenizer_config.json)",
        )?;
        let tokenizer = Tokenizer::from_bytes(&bytes).map_err(|e| Error::ModelFile {
            path: path.clone(),
            reason: format!("not a valid tokenizer ({e}); expected a tokenizers tokenizer.json"),
        })?;
        return Ok((tokenizer, path));
    }
    if dir.join(ADDED_TOKENS).is_file() {
        return Err(Error::ModelFile {
            path: dir.join(ADDED_TOKENS),
            reason: "tokens added to vocab.txt cannot be rebuilt without tokenizer.json; \
                     save the tokenizer with transformers' save_pretrained (it writes \
                     tokenizer.json) and use that directory"
                .into(),
        });
    }
    let mut config = if dir.join(TOKENIZER_CONFIG).is_file() {
        let (path, bytes) = read(TOKENIZER_CONFIG, "the tokenizer's settings")?;
        BertConfig::parse(&bytes, &path)?
    } else {
        BertConfig::default()
    };
    if dir.join(SPECIAL_TOKENS_MAP).is_file() {
        let (path, bytes) = read(SPECIAL_TOKENS_MAP, "the special tokens")?;
        config.fill_from(&BertConfig::parse(&bytes, &path)?);
    }
    let (path, bytes) = read(VOCAB_TXT, "a WordPiece vocabulary, one token a line")?;
    let tokenizer = bert_wordpiece(&bytes, &path, &config)?;
    Ok((tokenizer, path))
}

/// A special token: a string, or an `AddedToken` object with `content`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum TokenSetting {
    Plain(String),
    Added { content: String },
}

impl TokenSetting {
    fn content(&self) -> &str {
        match self {
            TokenSetting::Plain(s) | TokenSetting::Added { content: s } => s,
        }
    }
}

/// The fields of `tokenizer_config.json` (or `special_tokens_map.json`) a
/// BERT tokenizer reads; the others are ignored.
#[derive(Debug, Clone, Default, Deserialize)]
struct BertConfig {
    do_lower_case: Option<bool>,
    strip_accents: Option<bool>,
    tokenize_chinese_chars: Option<bool>,
    unk_token: Option<TokenSetting>,
    sep_token: Option<TokenSetting>,
    cls_token: Option<TokenSetting>,
    pad_token: Option<TokenSetting>,
    mask_token: Option<TokenSetting>,
}

impl BertConfig {
    fn parse(bytes: &[u8], path: &Path) -> Result<Self> {
        serde_json::from_slice(bytes).map_err(|e| Error::ModelFile {
            path: path.to_path_buf(),
            reason: format!(
                "not a tokenizer config ({e}); expected a JSON object such as \
                 {{\"do_lower_case\": false, \"unk_token\": \"[UNK]\"}}"
            ),
        })
    }

    /// Takes the special tokens `self` lacks from `other`.
    fn fill_from(&mut self, other: &BertConfig) {
        let fill = |mine: &mut Option<TokenSetting>, theirs: &Option<TokenSetting>| {
            if mine.is_none() {
                mine.clone_from(theirs);
            }
        };
        fill(&mut self.unk_token, &other.unk_token);
        fill(&mut self.sep_token, &other.sep_token);
        fill(&mut self.cls_token, &other.cls_token);
        fill(&mut self.pad_token, &other.pad_token);
        fill(&mut self.mask_token, &other.mask_token);
    }
}

/// The BERT WordPiece tokenizer of the vocabulary `vocab` (the bytes of
/// `vocab.txt`, named by `path` in errors) with `config`.
fn bert_wordpiece(vocab: &[u8], path: &Path, config: &BertConfig) -> Result<Tokenizer> {
    let bad = |reason: String| Error::ModelFile {
        path: path.to_path_buf(),
        reason,
    };
    let vocab = WordPiece::read_bytes(vocab).map_err(|e| {
        bad(format!(
            "cannot read the vocabulary ({e}); expected UTF-8 text, one token a line"
        ))
    })?;
    let token = |setting: &Option<TokenSetting>, default: &str| -> String {
        setting
            .as_ref()
            .map_or(default, TokenSetting::content)
            .to_string()
    };
    let unk = token(&config.unk_token, "[UNK]");
    let cls = token(&config.cls_token, "[CLS]");
    let sep = token(&config.sep_token, "[SEP]");
    let pad = token(&config.pad_token, "[PAD]");
    let mask = token(&config.mask_token, "[MASK]");
    let id = |name: &str, token: &str| -> Result<u32> {
        vocab.get(token).copied().ok_or_else(|| {
            bad(format!(
                "the {name} token `{token}` is not in the vocabulary; set `{name}_token` in \
                 tokenizer_config.json to the vocabulary's own"
            ))
        })
    };
    id("unk", &unk)?;
    let (cls_id, sep_id) = (id("cls", &cls)?, id("sep", &sep)?);
    // Special tokens the vocabulary holds stay whole, whatever the
    // normalizer would do to them (as transformers adds them).
    let specials: Vec<AddedToken> = [&pad, &unk, &cls, &sep, &mask]
        .into_iter()
        .filter(|t| vocab.contains_key(t.as_str()))
        .map(|t| AddedToken::from(t.clone(), true))
        .collect();
    let model = WordPiece::builder()
        .vocab(vocab)
        .unk_token(unk)
        .continuing_subword_prefix("##".into())
        .max_input_chars_per_word(100)
        .build()
        .map_err(|e| bad(format!("not a WordPiece vocabulary ({e})")))?;
    let lowercase = config.do_lower_case.unwrap_or(true);
    let mut tokenizer = Tokenizer::new(model);
    tokenizer
        .with_normalizer(Some(BertNormalizer::new(
            true,
            config.tokenize_chinese_chars.unwrap_or(true),
            config.strip_accents,
            lowercase,
        )))
        .with_pre_tokenizer(Some(BertPreTokenizer))
        .with_post_processor(Some(BertProcessing::new((sep, sep_id), (cls, cls_id))))
        .with_decoder(Some(WordPieceDecoder::default()));
    tokenizer.add_special_tokens(&specials);
    Ok(tokenizer)
}
