//! The default backend: BERT/DistilBERT in pure Rust with candle, on the CPU.
//!
//! Weights may be stored as f32, f16 or bf16; they are converted to f32 on
//! load and all computation is f32, like the Python reference — unless
//! [`Precision::Int8`] asks for 8-bit linear layers (`int8.rs`). The
//! safetensors file is read into memory once (it is hashed anyway) rather
//! than memory-mapped, so no `unsafe` is needed and a file changed on disk
//! after loading cannot corrupt a running model.

// The 8-bit kernels, the AMX tiles and one strided gemm call
// (`ops::product`, attention) are, with `ner::allocator` and the
// `utils::simd` wrappers, the only places where saidwho uses `unsafe`: AVX2, AVX-VNNI and AVX-512 VNNI
// intrinsics, measured 2-3x (AVX2) to 6x (AVX-512 VNNI) faster than the
// portable kernel, and AMX tile instructions in `asm!` (figures in
// `docs/performance.md`); each block carries its SAFETY comment.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod amx;
mod encoder;
#[allow(unsafe_code)]
mod int8;
mod ops;
mod safetensors;

use super::{Backend, Logits, States};
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
    /// `quantize_dynamic`: 1.5–2× faster matrix products than f32 with AVX2,
    /// more with AVX-512 VNNI ([`CpuPaths`]), at a small cost in accuracy
    /// (CoNLL-2003 dev F1 in the README). Attention and the classifier stay
    /// f32.
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

/// The CPU code paths the candle backend takes on this machine, chosen at
/// run time from the CPU's features (the same binary runs everywhere).
///
/// ```
/// let paths = saidwho::ner::CpuPaths::detect();
/// println!("{paths}"); // e.g. "int8 avx512-vnni, f32 avx512f"
/// assert!(!paths.int8.is_empty() && !paths.f32.is_empty());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct CpuPaths {
    /// The 8-bit micro-kernel of [`Precision::Int8`]: `avx512-vnni`
    /// (`vpdpbusd` on 512 bits), `avx-vnni` (256 bits), `avx2`
    /// (`vpmaddubsw`) or `portable`. All give the same sums bit for bit.
    /// `SAIDWHO_INT8_KERNEL=<name>` picks a slower one this CPU also runs
    /// (to compare them on one machine).
    pub int8: &'static str,
    /// The f32 matrix products (candle's `gemm`): `avx512f`, `fma` (AVX2)
    /// or `scalar` on x86-64; `portable` elsewhere (where gemm picks its
    /// own kernels, NEON on aarch64). These are the candle engine's paths,
    /// whichever engine a model uses.
    pub f32: &'static str,
}

impl CpuPaths {
    /// The paths this process takes.
    pub fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        let f32 = if std::arch::is_x86_feature_detected!("avx512f") {
            "avx512f"
        } else if std::arch::is_x86_feature_detected!("fma") {
            "fma"
        } else {
            "scalar"
        };
        #[cfg(not(target_arch = "x86_64"))]
        let f32 = "portable";
        CpuPaths {
            int8: int8::Kernel::selected().name,
            f32,
        }
    }
}

impl std::fmt::Display for CpuPaths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "int8 {}, f32 {}", self.int8, self.f32)
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
        Self::from_reader(config, &mut bytes.as_slice(), path, options)
    }

    /// Builds the model of `config` from a safetensors stream, read once
    /// from its start to the end of its last tensor: each tensor is stored
    /// as read (no whole-file buffer beside it) and converted to f32 as the
    /// model takes it, so the stored and the converted weights shrink and
    /// grow together (loading the f16 teacher in f32 peaks at 299 MiB,
    /// against 421 with the file read whole). `path` names the stream in
    /// error messages.
    pub fn from_reader(
        config: ModelConfig,
        weights: &mut dyn std::io::Read,
        path: &Path,
        options: &CandleOptions,
    ) -> Result<Self> {
        let precision = options.precision;
        let bad = |reason: String| Error::ModelFile {
            path: path.to_path_buf(),
            reason,
        };
        let device = Device::Cpu;
        let tensors = safetensors::read_tensors(weights, &device).map_err(|e| {
            bad(format!(
                "not a valid safetensors file: {e}; expected the weights of the model, \
                 uncorrupted (re-fetch the file and check its sha256)"
            ))
        })?;
        let tensors = safetensors::Taken::new(dequantize_rows(tensors).map_err(bad)?);
        let vb = VarBuilder::from_backend(Box::new(tensors), DType::F32, device.clone());
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

/// Replaces each 8-bit tensor `NAME` and its `NAME_scale` by the f32 tensor
/// `(NAME - 128) * NAME_scale[row]`; other tensors pass through. saidwho's
/// embedded model is stored so (`train/distill.py`, `export`): a `U8`
/// tensor (the integer plus 128) beside an `F32` tensor of one scale per row.
fn dequantize_rows(
    mut tensors: std::collections::HashMap<String, Tensor>,
) -> std::result::Result<std::collections::HashMap<String, Tensor>, String> {
    let names: Vec<String> = tensors
        .iter()
        .filter(|(name, t)| {
            t.dtype() == DType::U8 && tensors.contains_key(&format!("{name}_scale"))
        })
        .map(|(name, _)| name.clone())
        .collect();
    for name in names {
        let (Some(q), Some(scale)) = (
            tensors.remove(&name),
            tensors.remove(&format!("{name}_scale")),
        ) else {
            continue;
        };
        let run = || -> candle_core::Result<Tensor> {
            let rows = q.dims().first().copied().unwrap_or(0);
            if q.rank() != 2 || scale.dims() != [rows] {
                candle_core::bail!(
                    "shape {:?} with scales of shape {:?}; expected (rows, columns) and (rows,)",
                    q.dims(),
                    scale.dims()
                );
            }
            let q = (q.to_dtype(DType::F32)? - 128.0)?;
            q.broadcast_mul(&scale.to_dtype(DType::F32)?.unsqueeze(1)?)
        };
        let value = run().map_err(|e| format!("8-bit tensor `{name}`: {e}"))?;
        tensors.insert(name, value);
    }
    Ok(tensors)
}

impl CandleBackend {
    /// One forward pass over `batch`: each sequence's logits and, when
    /// `states`, its last hidden states (copied out of the tensor only
    /// then).
    fn run(&self, batch: &[&[u32]], states: bool) -> Result<Vec<(Logits, Option<States>)>> {
        let n = self.config.labels.len();
        let dim = self.config.hidden;
        let padded = PaddedBatch::new(batch, self.config.vocab_size, self.max_len())?;
        let (logits, hidden) = if padded.width() == 0 {
            (Vec::new(), Vec::new())
        } else {
            let run = || -> candle_core::Result<(Vec<f32>, Vec<f32>)> {
                let shape = (padded.rows(), padded.width());
                let ids = Tensor::from_slice(padded.ids(), shape, &self.device)?;
                let (logits, hidden) = self.model.forward(&ids, padded.lengths())?;
                let hidden = if states {
                    hidden.flatten_all()?.to_vec1::<f32>()?
                } else {
                    Vec::new()
                };
                Ok((logits.flatten_all()?.to_vec1::<f32>()?, hidden))
            };
            run().map_err(|e| Error::Backend(e.to_string()))?
        };
        let logits = padded.unpad(logits, n)?;
        if !states {
            return Ok(logits.into_iter().map(|l| (l, None)).collect());
        }
        let hidden = padded.unpad(hidden, dim)?;
        Ok(logits
            .into_iter()
            .zip(hidden)
            .map(|(l, h)| (l, Some(States { dim, data: h.data })))
            .collect())
    }
}

impl Backend for CandleBackend {
    fn logits(&self, batch: &[&[u32]]) -> Result<Vec<Logits>> {
        Ok(self
            .run(batch, false)?
            .into_iter()
            .map(|(l, _)| l)
            .collect())
    }

    fn logits_and_states(&self, batch: &[&[u32]]) -> Result<Vec<(Logits, Option<States>)>> {
        self.run(batch, true)
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

#[cfg(test)]
mod tests {
    use super::*;

    use super::safetensors::tests::file;

    #[test]
    fn eight_bit_rows_are_detected_and_dequantized() {
        let scale: Vec<u8> = [0.5f32, 2.0].iter().flat_map(|v| v.to_le_bytes()).collect();
        let bytes = file(&[
            ("w", "U8", &[2, 2], vec![128, 130, 127, 128]),
            ("w_scale", "F32", &[2], scale),
        ]);
        let tensors = safetensors::read_tensors(&mut bytes.as_slice(), &Device::Cpu).unwrap();
        let out = dequantize_rows(tensors).unwrap();
        assert!(!out.contains_key("w_scale"));
        let w: Vec<Vec<f32>> = out["w"].to_vec2().unwrap();
        assert_eq!(w, vec![vec![0.0, 1.0], vec![-2.0, 0.0]]);
    }

    #[test]
    fn other_files_are_not_taken_for_eight_bit_ones() {
        let f32_only = file(&[("w", "F32", &[1], 1f32.to_le_bytes().to_vec())]);
        let tensors = safetensors::read_tensors(&mut f32_only.as_slice(), &Device::Cpu).unwrap();
        assert_eq!(dequantize_rows(tensors).unwrap()["w"].dtype(), DType::F32);
        // An 8-bit tensor without scales stays as it is.
        let lone = file(&[("w", "U8", &[1], vec![7])]);
        let tensors = safetensors::read_tensors(&mut lone.as_slice(), &Device::Cpu).unwrap();
        assert_eq!(dequantize_rows(tensors).unwrap()["w"].dtype(), DType::U8);
        // Scales of the wrong shape are an error, not a panic.
        let bytes = file(&[
            ("w", "U8", &[2, 2], vec![0; 4]),
            ("w_scale", "F32", &[1], 1f32.to_le_bytes().to_vec()),
        ]);
        let tensors = safetensors::read_tensors(&mut bytes.as_slice(), &Device::Cpu).unwrap();
        assert!(dequantize_rows(tensors).unwrap_err().contains("`w`"));
    }
}
