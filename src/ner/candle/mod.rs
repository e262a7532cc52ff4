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
        let width = batch.iter().map(|s| s.len()).max().unwrap_or(0);
        if width == 0 {
            return Ok(batch
                .iter()
                .map(|_| Logits {
                    num_labels: n,
                    data: Vec::new(),
                })
                .collect());
        }
        if width > self.max_len() {
            return Err(Error::Backend(format!(
                "a sequence of {width} tokens exceeds the model's maximum of {}",
                self.max_len()
            )));
        }
        let mut ids = Vec::with_capacity(batch.len() * width);
        let mut mask = Vec::with_capacity(batch.len() * width);
        for seq in batch {
            for &id in seq.iter() {
                if id as usize >= self.config.vocab_size {
                    return Err(Error::Backend(format!(
                        "token id {id} is outside the vocabulary of {} tokens; the tokenizer \
                         does not belong to this model",
                        self.config.vocab_size
                    )));
                }
            }
            ids.extend_from_slice(seq);
            ids.resize(ids.len() + width - seq.len(), 0);
            mask.extend(std::iter::repeat_n(1f32, seq.len()));
            mask.resize(mask.len() + width - seq.len(), 0.0);
        }
        let run = || -> candle_core::Result<Vec<f32>> {
            let ids = Tensor::from_vec(ids, (batch.len(), width), &self.device)?;
            let mask = Tensor::from_vec(mask, (batch.len(), width), &self.device)?;
            self.model
                .forward(&ids, &mask)?
                .flatten_all()?
                .to_vec1::<f32>()
        };
        let flat = run().map_err(|e| Error::Backend(e.to_string()))?;
        Ok(batch
            .iter()
            .enumerate()
            .map(|(b, seq)| Logits {
                num_labels: n,
                data: flat[b * width * n..(b * width + seq.len()) * n].to_vec(),
            })
            .collect())
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
