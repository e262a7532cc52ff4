//! Settings of the NER stage, in three parts: what every engine shares
//! (windows, word aggregation, label scheme — the fields of [`NerOptions`]),
//! where models are found and how they are checked ([`LoadOptions`]), and
//! which engine runs the model with what settings ([`EngineOptions`]).
//!
//! Every options type is `#[non_exhaustive]`: start from `Default` and set
//! fields, or chain the `with_*` methods, so that a new setting is not a
//! breaking change.
//!
//! ```
//! use saidwho::ner::{Aggregation, NerOptions, Precision};
//!
//! let options = NerOptions::default()
//!     .with_precision(Precision::Int8)
//!     .with_aggregation(Aggregation::Average);
//! assert_eq!(options.engine.candle.precision, Precision::Int8);
//!
//! let mut options = NerOptions::default();
//! options.window_tokens = 128;
//! options.load.verify_checksums = false;
//! ```

use super::backends::{BackendKind, EngineOptions, Precision, RustBertOptions};
use super::labels::LabelScheme;
use super::words::Aggregation;
use std::path::PathBuf;

/// Settings of a [`TransformerRecognizer`](super::TransformerRecognizer).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct NerOptions {
    /// Longest window fed to the model, special tokens included; capped at
    /// the model's maximum (512 for BERT). Default 256. A sentence longer
    /// than a window is cut into overlapping segments of this length (see
    /// [`stride`](NerOptions::stride)); with
    /// [`pack_sentences`](NerOptions::pack_sentences) it is also the size
    /// sentences are packed into.
    pub window_tokens: usize,
    /// Tokens shared by consecutive segments of a sentence longer than a
    /// window (capped at half a window). Default 64.
    pub stride: usize,
    /// Most tokens (padding included) per forward pass. Default 1024: on
    /// the 2-core AVX2 machine it ran as fast as 2048 and 4096 with 70 MB
    /// less peak memory (`examples/corpus_bench.rs --batch-tokens`).
    pub batch_tokens: usize,
    /// Pack several sentences into one window. Default **false**: each
    /// sentence is a window of its own, the context models trained on
    /// single sentences (CoNLL) learnt from. Packing cost the CoNLL model
    /// several points of F1 on whole documents (`docs/ner-accuracy.md`) and
    /// gains no speed once windows of many texts share forward passes
    /// ([`Recognizer::recognize_batch`](super::Recognizer::recognize_batch)).
    pub pack_sentences: bool,
    /// Word-level aggregation of sub-word scores. Default [`Aggregation::First`].
    pub aggregation: Aggregation,
    /// Label scheme; `None` takes the registry's or detects it from the labels.
    pub scheme: Option<LabelScheme>,
    /// Where models are found and how their files are checked.
    pub load: LoadOptions,
    /// The engine that runs the model, and each engine's settings.
    pub engine: EngineOptions,
}

impl Default for NerOptions {
    fn default() -> Self {
        NerOptions {
            window_tokens: 256,
            stride: 64,
            batch_tokens: 1024,
            pack_sentences: false,
            aggregation: Aggregation::First,
            scheme: None,
            load: LoadOptions::default(),
            engine: EngineOptions::default(),
        }
    }
}

impl NerOptions {
    /// Sets [`window_tokens`](NerOptions::window_tokens).
    pub fn with_window_tokens(mut self, tokens: usize) -> Self {
        self.window_tokens = tokens;
        self
    }

    /// Sets [`stride`](NerOptions::stride).
    pub fn with_stride(mut self, tokens: usize) -> Self {
        self.stride = tokens;
        self
    }

    /// Sets [`batch_tokens`](NerOptions::batch_tokens).
    pub fn with_batch_tokens(mut self, tokens: usize) -> Self {
        self.batch_tokens = tokens;
        self
    }

    /// Sets [`pack_sentences`](NerOptions::pack_sentences).
    pub fn with_pack_sentences(mut self, pack: bool) -> Self {
        self.pack_sentences = pack;
        self
    }

    /// Sets [`aggregation`](NerOptions::aggregation).
    pub fn with_aggregation(mut self, aggregation: Aggregation) -> Self {
        self.aggregation = aggregation;
        self
    }

    /// Sets [`scheme`](NerOptions::scheme).
    pub fn with_scheme(mut self, scheme: Option<LabelScheme>) -> Self {
        self.scheme = scheme;
        self
    }

    /// Sets [`LoadOptions::verify_checksums`].
    pub fn with_verify_checksums(mut self, verify: bool) -> Self {
        self.load.verify_checksums = verify;
        self
    }

    /// Sets [`LoadOptions::registry`].
    pub fn with_registry(mut self, registry: Option<PathBuf>) -> Self {
        self.load.registry = registry;
        self
    }

    /// Sets [`LoadOptions::search_path`].
    pub fn with_search_path(mut self, search_path: Option<Vec<PathBuf>>) -> Self {
        self.load.search_path = search_path;
        self
    }

    /// Sets [`EngineOptions::backend`].
    pub fn with_backend(mut self, backend: Option<BackendKind>) -> Self {
        self.engine.backend = backend;
        self
    }

    /// Sets the candle engine's [`precision`](super::CandleOptions::precision).
    pub fn with_precision(mut self, precision: Precision) -> Self {
        self.engine.candle.precision = precision;
        self
    }

    /// Sets [`EngineOptions::rust_bert`].
    pub fn with_rust_bert(mut self, rust_bert: RustBertOptions) -> Self {
        self.engine.rust_bert = rust_bert;
        self
    }
}

/// Where models are found and how their files are checked
/// ([`Registry::resolve`](super::Registry::resolve)).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LoadOptions {
    /// Verify the sha256 of registered files on load. Default true.
    pub verify_checksums: bool,
    /// A user registry file merged over the built-in one.
    pub registry: Option<PathBuf>,
    /// Model search path; `None` reads `SAIDWHO_MODELS`.
    pub search_path: Option<Vec<PathBuf>>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            verify_checksums: true,
            registry: None,
            search_path: None,
        }
    }
}
