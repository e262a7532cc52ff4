//! The default backend: BERT/DistilBERT in pure Rust with candle, on the CPU.
//!
//! Weights may be stored as f32, f16 or bf16; they are converted to f32 on
//! load and all computation is f32, like the Python reference — unless
//! [`Precision::Int8`] asks for 8-bit linear layers (`int8.rs`). The
//! safetensors file is read into memory once (it is hashed anyway) rather
//! than memory-mapped, so no `unsafe` is needed and a file changed on disk
//! after loading cannot corrupt a running model.

mod encoder;
mod int8;
mod ops;

use super::backend::{Backend, Logits, Precision};
use super::config::ModelConfig;
use super::padding::PaddedBatch;
use crate::error::{Error, Result};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use encoder::TokenClassifier;
use std::path::Path;

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
        precision: Precision,
    ) -> Result<Self> {
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
            let mask = Tensor::from_vec(padded.mask::<f32>(), shape, &self.device)?;
            self.model
                .forward(&ids, &mask)?
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
