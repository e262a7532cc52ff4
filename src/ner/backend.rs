//! The inference backend seam: token ids in, per-token label scores out.
//!
//! Everything model-agnostic — tokenizing, packing sentences into windows,
//! decoding labels into mentions — lives above this trait, so a second
//! backend (rust-bert/libtorch, ONNX, a remote service) only has to turn id
//! sequences into logits.

use crate::error::Result;

/// Per-token logits of one sequence: a `tokens × labels` matrix, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Logits {
    /// Number of labels (columns).
    pub num_labels: usize,
    /// `tokens * num_labels` scores.
    pub data: Vec<f32>,
}

impl Logits {
    /// Number of tokens (rows).
    pub fn len(&self) -> usize {
        self.data.len().checked_div(self.num_labels).unwrap_or(0)
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The scores of token `i`.
    pub fn row(&self, i: usize) -> &[f32] {
        self.data
            .get(i * self.num_labels..(i + 1) * self.num_labels)
            .unwrap_or(&[])
    }
}

/// Runs a token-classification model.
///
/// Implementations are built once and shared by threads.
pub trait Backend: Send + Sync {
    /// The logits of each sequence of `batch`. A sequence holds token ids with
    /// the special tokens already added, at most [`max_len`](Backend::max_len)
    /// of them; sequences may differ in length (the backend pads and masks).
    /// The result has one [`Logits`] per sequence, with one row per token.
    fn logits(&self, batch: &[&[u32]]) -> Result<Vec<Logits>>;

    /// Number of labels of the classifier head.
    fn num_labels(&self) -> usize;

    /// Longest sequence the model accepts, special tokens included.
    fn max_len(&self) -> usize;

    /// A short name of the engine, for logs and diagnostics (`"candle"`,
    /// `"rust-bert"`).
    fn name(&self) -> &str {
        "custom"
    }
}

/// The arithmetic of the model's linear layers (candle backend).
///
/// ```
/// use saidwho::ner::{NerOptions, Precision};
///
/// let options = NerOptions { precision: Precision::Int8, ..NerOptions::default() };
/// assert_eq!("int8".parse::<Precision>().unwrap(), options.precision);
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// 32-bit floats throughout, like the Python reference (logits within
    /// 1e-3 of it). The default.
    #[default]
    F32,
    /// Dynamic 8-bit quantization of the encoder's linear layers (weights
    /// per output, activations per token, exact integer sums), as PyTorch's
    /// `quantize_dynamic`: about 1.5–2× faster matrix products on AVX2, at a
    /// small cost in accuracy (CoNLL-2003 dev F1 in the README). Attention
    /// and the classifier stay f32.
    Int8,
}

impl std::str::FromStr for Precision {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "f32" => Ok(Precision::F32),
            "int8" => Ok(Precision::Int8),
            other => Err(crate::Error::Backend(format!(
                "unknown precision `{other}`; expected f32 or int8"
            ))),
        }
    }
}

/// Settings of the rust-bert (libtorch) backend, used when a model runs on it
/// (cargo feature `rust-bert`; ignored otherwise). See `docs/rust-bert.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RustBertOptions {
    /// libtorch intra-op threads for each forward pass. libtorch's
    /// `set_num_threads` is **process-wide**: the last model loaded with
    /// `Some` wins. `None` keeps libtorch's default (the number of physical
    /// cores, or `OMP_NUM_THREADS`).
    pub threads: Option<usize>,
    /// Model instances sharing one copy of the weights, each running one
    /// forward pass at a time (a `tch` tensor is not `Sync`). Default 1:
    /// concurrent calls take turns, each using all `threads`. With many
    /// cores, `replicas × threads ≈ cores` lets calls run side by side.
    pub replicas: usize,
}

impl Default for RustBertOptions {
    fn default() -> Self {
        RustBertOptions {
            threads: None,
            replicas: 1,
        }
    }
}
