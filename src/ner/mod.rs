//! Stage 2: named-entity recognition — from text to name mentions.
//!
//! A [`Recognizer`] turns a text (and its sentences) into [`Mention`]s. The
//! transformer recogniser ([`TransformerRecognizer`]) tokenizes each sentence
//! with the model's own `tokenizer.json`, packs sentences into model windows,
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
//!   `models.toml` (`backend = "rust-bert"`) or by [`NerOptions::backend`].
//! * **Models are directories, found by name.** A Hugging Face
//!   token-classification directory (`config.json`, `tokenizer.json`,
//!   `model.safetensors`) is loaded as is; [`Registry`] (`models.toml`) maps
//!   names to directories in the `SAIDWHO_MODELS` search path and pins each
//!   file's sha256. Nothing is ever downloaded.
//! * **Labels are decoded, not trusted.** [`LabelMap`] understands BIO,
//!   IOB1 and BIOES/BILOU labels and refuses a map it cannot decode.
//! * **Any length.** Sentences are packed into windows and over-long ones
//!   split with overlap, so an article of any length is processed in linear
//!   time without truncation.
//!
//! ```no_run
//! use saidwho::ner::{NerOptions, TransformerRecognizer};
//! use saidwho::Pipeline;
//!
//! let ner = TransformerRecognizer::from_model("conll03-distilbert-cased", &NerOptions::default())?;
//! let doc = Pipeline::new().with_recognizer(ner).analyze("Medvedev spoke in Moscow.")?;
//! # Ok::<(), saidwho::Error>(())
//! ```

mod allocator;
mod backend;
mod cache;
mod candle;
mod config;
mod decode;
mod labels;
mod padding;
mod registry;
#[cfg(feature = "rust-bert")]
pub mod rustbert;
mod transformer;

use crate::document::{Mention, Sentence};
use crate::error::Result;

pub use allocator::keep_freed_memory;
pub use backend::{Backend, Logits, Precision, RustBertOptions};
pub use cache::CachedRecognizer;
pub use candle::CandleBackend;
pub use config::{Architecture, ModelConfig};
pub(crate) use decode::well_formed;
pub use decode::{decode_words, LabelledWord};
pub use labels::{chunks, parse_tag, Chunk, LabelMap, LabelScheme, Prefix};
pub use padding::PaddedBatch;
pub use registry::{
    search_path_from_env, sha256_hex, BackendKind, ModelEntry, Registry, ResolvedModel, MODELS_ENV,
};
#[cfg(feature = "rust-bert")]
pub use rustbert::RustBertBackend;
pub use transformer::{Aggregation, NerOptions, TextLogits, TransformerRecognizer, WordPrediction};

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
}

impl<R: Recognizer + ?Sized> Recognizer for &R {
    fn recognize(&self, text: &str, sentences: &[Sentence]) -> Result<Vec<Mention>> {
        (**self).recognize(text, sentences)
    }

    fn recognize_batch(&self, texts: &[TextAndSentences<'_>]) -> Result<Vec<Vec<Mention>>> {
        (**self).recognize_batch(texts)
    }
}

impl<R: Recognizer + ?Sized> Recognizer for std::sync::Arc<R> {
    fn recognize(&self, text: &str, sentences: &[Sentence]) -> Result<Vec<Mention>> {
        (**self).recognize(text, sentences)
    }

    fn recognize_batch(&self, texts: &[TextAndSentences<'_>]) -> Result<Vec<Vec<Mention>>> {
        (**self).recognize_batch(texts)
    }
}
