//! The default backend: BERT/DistilBERT in pure Rust with candle, on the CPU.
//!
//! Weights may be stored as f32, f16 or bf16; they are converted to f32 on
//! load and all computation is f32, like the Python reference — unless
//! [`Precision::Int8`] asks for 8-bit linear layers (`int8.rs`). The
//! safetensors file is read into memory once (it is hashed anyway) rather
//! than memory-mapped, so no `unsafe` is needed and a file changed on disk
//! after loading cannot corrupt a running model.

mod encoder;
// The 8-bit kernel is the one place (with `ner::allocator`) where saidwho
// uses `unsafe`: AVX2 intrinsics, measured 2-3x faster than the portable
// kernel; each block carries its SAFETY comment.
#[allow(unsafe_code)]
mod int8;
mod math;
mod ops;

use super::{Backend, Logits};
use crate::error::{Error, Result};
use crate::ner::config::ModelConfig;
use crate::ner::padding::PaddedBatch;
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use encoder::TokenClassifier;
use std::path::Path;

/// Settings of the candle backend.
///
/// ```
/// use saidwho::ner::{CandleOptions, NerOptions, Precision};
///
/// let mut candle = CandleOptions::default();
/// candle.precision = Precision::Int8;
/// let options = NerOptions::default().with_precision(Precision::Int8);
/// assert_eq!(options.engine.candle, candle);
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct CandleOptions {
    /// Arithmetic of the linear layers. Default [`Precision::F32`].
    pub precision: Precision,
}

/// The arithmetic of the model's linear layers (candle backend).
///
/// ```
/// use saidwho::ner::Precision;
///
/// assert_eq!("int8".parse::<Precision>().unwrap(), Precision::Int8);
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
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

impl Precision {
    /// Every precision, in the order of the variants.
    pub const ALL: [Precision; 2] = [Precision::F32, Precision::Int8];

    /// The precision's name: what [`FromStr`](std::str::FromStr) parses,
    /// [`Display`](std::fmt::Display) writes and `--precision` takes.
    pub fn name(self) -> &'static str {
        match self {
            Precision::F32 => "f32",
            Precision::Int8 => "int8",
        }
    }
}

impl std::fmt::Display for Precision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Precision {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Precision::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| Error::Backend(format!("unknown precision `{s}`; expected f32 or int8")))
    }
}

/// A token-classification model run by candle.
pub struct CandleBackend {
    model: TokenClassifier,
    config: ModelConfig,
    device: Device,
}

impl std::fmt::Debug for CandleBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CandleBackend")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl CandleBackend {
    /// Builds the model of `config` from the bytes of a safetensors file;
    /// `path` names that file in error messages. With [`Precision::Int8`]
    /// the encoder's linear layers are quantized here, once.
    pub fn from_safetensors(
        config: ModelConfig,
        bytes: Vec<u8>,
        path: &Path,
        options: &CandleOptions,
    ) -> Result<Self> {
        let precision = options.precision;
        let bad = |reason: String| Error::ModelFile {
            path: path.to_path_buf(),
            reason,
        };
        let device = Device::Cpu;
        let vb =
            VarBuilder::from_buffered_safetensors(bytes, DType::F32, &device).map_err(|e| {
                bad(format!(
                    "not a valid safetensors file ({e}); expected the weights of the model, \
                 uncorrupted (re-fetch the file and check its sha256)"
                ))
            })?;
        let head = vb.get_unchecked("classifier.weight").map_err(|e| {
            bad(format!(
                "no token-classification head `classifier.weight` ({e}); expected a \
                 *ForTokenClassification checkpoint"
            ))
        })?;
        let rows = head.dims().first().copied().unwrap_or(0);
        if head.rank() != 2 || rows != config.labels.len() {
            return Err(Error::LabelMap(format!(
                "config.json names {} labels but the classifier head of {} has shape {:?}; \
                 id2label must list one label per output",
                config.labels.len(),
                path.display(),
                head.dims()
            )));
        }
        let model = TokenClassifier::load(&config, precision, vb).map_err(|e| {
            bad(format!(
                "weights do not fit config.json ({e}); expected a {:?} model with {} layers \
                 of size {}",
                config.architecture, config.layers, config.hidden
            ))
        })?;
        Ok(CandleBackend {
            model,
            config,
            device,
        })
    }

    /// The model's configuration.
    pub fn config(&self) -> &ModelConfig {
        &self.config
    }
}

impl Backend for CandleBackend {
    fn logits(&self, batch: &[&[u32]]) -> Result<Vec<Logits>> {
        let n = self.config.labels.len();
        let padded = PaddedBatch::new(batch, self.config.vocab_size, self.max_len())?;
        if padded.width() == 0 {
            return padded.unpad(Vec::new(), n);
        }
        let run = || -> candle_core::Result<Vec<f32>> {
            let shape = (padded.rows(), padded.width());
            let ids = Tensor::from_slice(padded.ids(), shape, &self.device)?;
            self.model
                .forward(&ids, padded.lengths())?
                .flatten_all()?
                .to_vec1::<f32>()
        };
        padded.unpad(run().map_err(|e| Error::Backend(e.to_string()))?, n)
    }

    fn num_labels(&self) -> usize {
        self.config.labels.len()
    }

    fn max_len(&self) -> usize {
        self.config.max_positions
    }

    fn name(&self) -> &str {
        "candle"
    }
}
