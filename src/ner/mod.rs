//! Stage 2: named-entity recognition — from text to name mentions.
//!
//! A [`Recognizer`] turns a text (and its sentences) into [`Mention`]s. The
//! transformer recogniser ([`TransformerRecognizer`]) tokenizes each sentence
//! with the model's own tokenizer (`tokenizer.json`, or `vocab.txt` with
//! `tokenizer_config.json`: [`load_tokenizer`]), gives each sentence a model window,
//! runs a [`Backend`] and decodes the per-word labels into whole-word
//! mentions with exact byte spans into the original text.
//!
//! Why this shape:
//!
//! * **Pure Rust by default.** The [`CandleBackend`] runs BERT and DistilBERT
//!   checkpoints with candle on the CPU: no libtorch, no Python, no C++
//!   build. Other engines plug in behind the small [`Backend`] trait: with
//!   the cargo feature `rust-bert`, `RustBertBackend` runs the same model
//!   directories on libtorch (`docs/rust-bert.md`), chosen per model in
//!   `models.toml` (`backend = "rust-bert"`) or by [`EngineOptions::backend`].
//! * **Models are directories, found by name.** A Hugging Face
//!   token-classification directory (`config.json`, `tokenizer.json` or
//!   `vocab.txt` + `tokenizer_config.json`, `model.safetensors`) is loaded
//!   as is; [`Registry`] (`models.toml`) maps
//!   names to directories in the `SAIDWHO_MODELS` search path and pins each
//!   file's sha256. Nothing is ever downloaded.
//! * **Labels are decoded, not trusted.** [`LabelMap`] understands BIO,
//!   IOB1 and BIOES/BILOU labels and refuses a map it cannot decode.
//! * **Any length.** Each sentence is a window; over-long ones are split
//!   with overlap, so an article of any length is processed in linear time
//!   without truncation.
//!
//! # Where things live
//!
//! | file | job |
//! |---|---|
//! | `mod.rs` | the [`Recognizer`] trait |
//! | `options.rs` | [`NerOptions`] (windows, aggregation, scheme) and [`LoadOptions`] |
//! | `registry.rs`, `config.rs` | `models.toml`, a model's `config.json` |
//! | `load.rs` | files → checked config, labels, tokenizer, weights → engine |
//! | `tokenizer.rs` | `tokenizer.json`, or a BERT WordPiece from `vocab.txt` ([`load_tokenizer`]) |
//! | `backends/` | the engines behind [`Backend`], each with its options ([`EngineOptions`]) |
//! | `transformer.rs` | [`TransformerRecognizer`]: tokenize, run, decode |
//! | `windows.rs` | sentences → model windows → batches → per-token scores |
//! | `words.rs` | sub-word scores → one label per word ([`Aggregation`]) |
//! | `labels.rs`, `decode.rs` | label schemes; labelled words → mentions |
//! | `padding.rs` | the padded id/mask matrix every engine builds |
//! | `cache.rs` | [`CachedRecognizer`]: results on disk by text |
//!
//! A new engine is one file in `backends/` plus its variant in
//! `backends/mod.rs` (see there).
//!
//! ```no_run
//! use saidwho::ner::{NerOptions, TransformerRecognizer};
//! use saidwho::Pipeline;
//!
//! let ner = TransformerRecognizer::from_model("conll03-distilbert-cased", &NerOptions::default())?;
//! let doc = Pipeline::new().with_recognizer(ner).analyze("Medvedev spoke in Moscow.")?;
//! # Ok::<(), saidwho::Error>(())
//! ```

// `mallopt` through libc: the other place `unsafe` is allowed (see
// `backends/candle/int8.rs`).
#[allow(unsafe_code)]
mod allocator;
mod backends;
mod cache;
mod config;
mod decode;
pub(crate) mod embedded;
mod labels;
mod load;
mod options;
mod padding;
mod registry;
mod tokenizer;
mod transformer;
mod windows;
mod words;

use crate::document::{Mention, Sentence, Span};
use crate::error::Result;

pub use allocator::{keep_freed_memory, trim_freed_memory};
#[cfg(feature = "rust-bert")]
pub use backends::RustBertBackend;
pub use backends::{
    Backend, BackendKind, CandleBackend, CandleOptions, CpuPaths, EngineOptions, Logits, Precision,
    RustBertOptions, States,
};
pub use cache::CachedRecognizer;
pub use config::{Architecture, ModelConfig};
pub(crate) use decode::well_formed;
pub use decode::{decode_words, LabelledWord};
pub use embedded::{is_embedded, EMBEDDED_MODEL, EMBEDDED_PRECISION};
pub use labels::{chunks, parse_tag, Chunk, LabelMap, LabelScheme, Prefix};
pub use options::{LoadOptions, NerOptions};
pub use padding::PaddedBatch;
pub use registry::{
    list_models, model_dirs_in, search_path_from_env, sha256_hex, FileCheck, ModelEntry, ModelList,
    ModelStatus, Registry, ResolvedModel, MODELS_ENV,
};
pub use tokenizer::load_tokenizer;
pub use transformer::{TextLogits, TransformerRecognizer};
pub use words::{Aggregation, WordPrediction};

/// The encoder's view of one text, from the forward pass that found its
/// mentions: each sub-word token of each sentence with its byte span, and
/// the encoder's last hidden state of it. A second head reads it — the
/// quote stage's span model ([`crate::quotes::SpanModel`]) — so that a text
/// is encoded once for both jobs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Encoding {
    /// The model whose encoder made the states (`saidwho-ner-small` for the
    /// embedded one; empty when unnamed): a head runs only on the states of
    /// the encoder it was trained on.
    pub encoder: String,
    /// Width of a state.
    pub dim: usize,
    /// The tokens of every sentence, in text order.
    pub tokens: Vec<EncodedToken>,
    /// `tokens.len() * dim` values, one row per token.
    pub states: Vec<f32>,
}

impl Encoding {
    /// The state of token `i` (empty past the end).
    pub fn state(&self, i: usize) -> &[f32] {
        self.states
            .get(i * self.dim..(i + 1) * self.dim)
            .unwrap_or(&[])
    }
}

/// One sub-word token of an [`Encoding`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodedToken {
    /// Its bytes in the text.
    pub span: Span,
    /// The word it belongs to, numbered across the whole text (the
    /// tokenizer's pre-tokenizer words: `Trump's` is `Trump`, `'`, `s`).
    pub word: usize,
    /// The index of its sentence.
    pub sentence: usize,
}

/// One text for [`Recognizer::recognize_batch`]: the text and its sentences.
pub type TextAndSentences<'a> = (&'a str, &'a [Sentence]);

/// Finds name mentions in a text.
///
/// Implementations are shared across threads by the pipeline.
pub trait Recognizer: Send + Sync {
    /// Name mentions in `text`, sorted by start, non-overlapping, with spans
    /// on char boundaries of `text`.
    fn recognize(&self, text: &str, sentences: &[Sentence]) -> Result<Vec<Mention>>;

    /// The mentions of several texts, one list per text, in order — each
    /// what [`recognize`](Recognizer::recognize) gives for that text alone.
    ///
    /// The default calls `recognize` text by text; a model-backed
    /// recogniser overrides it to fill each forward pass with sentences of
    /// many texts (see [`TransformerRecognizer`]). An error fails the whole
    /// batch: [`Pipeline::analyze_batch`](crate::Pipeline::analyze_batch)
    /// then retries text by text, so that one bad text fails alone.
    fn recognize_batch(&self, texts: &[TextAndSentences<'_>]) -> Result<Vec<Vec<Mention>>> {
        texts
            .iter()
            .map(|(text, sentences)| self.recognize(text, sentences))
            .collect()
    }

    /// Like [`recognize_batch`](Recognizer::recognize_batch), with each
    /// text's [`Encoding`] when the recogniser has one (a transformer whose
    /// engine gives its states). The default has none.
    fn recognize_batch_encoded(
        &self,
        texts: &[TextAndSentences<'_>],
    ) -> Result<Vec<(Vec<Mention>, Option<Encoding>)>> {
        Ok(self
            .recognize_batch(texts)?
            .into_iter()
            .map(|m| (m, None))
            .collect())
    }
}

impl<R: Recognizer + ?Sized> Recognizer for &R {
    fn recognize(&self, text: &str, sentences: &[Sentence]) -> Result<Vec<Mention>> {
        (**self).recognize(text, sentences)
    }

    fn recognize_batch(&self, texts: &[TextAndSentences<'_>]) -> Result<Vec<Vec<Mention>>> {
        (**self).recognize_batch(texts)
    }

    fn recognize_batch_encoded(
        &self,
        texts: &[TextAndSentences<'_>],
    ) -> Result<Vec<(Vec<Mention>, Option<Encoding>)>> {
        (**self).recognize_batch_encoded(texts)
    }
}

impl<R: Recognizer + ?Sized> Recognizer for std::sync::Arc<R> {
    fn recognize(&self, text: &str, sentences: &[Sentence]) -> Result<Vec<Mention>> {
        (**self).recognize(text, sentences)
    }

    fn recognize_batch(&self, texts: &[TextAndSentences<'_>]) -> Result<Vec<Vec<Mention>>> {
        (**self).recognize_batch(texts)
    }

    fn recognize_batch_encoded(
        &self,
        texts: &[TextAndSentences<'_>],
    ) -> Result<Vec<(Vec<Mention>, Option<Encoding>)>> {
        (**self).recognize_batch_encoded(texts)
    }
}
