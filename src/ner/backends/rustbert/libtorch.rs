//! The libtorch backend (cargo feature `rust-bert`): BERT and DistilBERT
//! token classifiers of [rust-bert](https://docs.rs/rust-bert) 0.23 on
//! libtorch 2.4 (through `tch` 0.17), on the CPU.
//!
//! It loads the same Hugging Face directory as the candle backend: the
//! architecture and sizes come from `config.json` (parsed by saidwho, so the
//! two backends agree on what a model is), and the weights from
//! `model.safetensors`, converted at load time — each tensor is read from the
//! safetensors bytes, converted to f32 (f16 and bf16 checkpoints are fine)
//! and put in place of the variable of the same name in rust-bert's
//! `VarStore`. No `.ot` conversion step, no Python. Tokenizing stays in the
//! shared recogniser: this backend only maps ids to logits.
//!
//! # Threads and sharing
//!
//! A `tch::Tensor` is `Send` but not `Sync`, so a rust-bert model cannot be
//! shared by reference between threads. The backend holds
//! [`RustBertOptions::replicas`] model instances, each behind its own
//! `Mutex`; all replicas share one copy of the weights (their variables point
//! at the same tensor storage), so an extra replica costs a few kilobytes,
//! not another copy of the model. A call takes a free replica, or waits for
//! one. With the default single replica, concurrent calls run one after the
//! other, each forward pass using libtorch's intra-op thread pool
//! ([`RustBertOptions::threads`]); that is the best use of a few cores. More
//! replicas let several threads run forward passes at once (worth it with
//! many cores and `threads` set low, e.g. replicas × threads = cores).
//!
//! [`RustBertOptions::threads`] calls `at::set_num_threads`, which is
//! **process-wide** in libtorch: the last backend built wins.
//!
//! # Differences from the candle backend
//!
//! rust-bert fixes the layer-norm epsilon at 1e-12 (the value of every
//! BERT/DistilBERT checkpoint seen in practice) and masks padding with
//! −10000 (BERT) or −∞ (DistilBERT) rather than reading them from
//! `config.json`; a model whose `layer_norm_eps` differs is refused.

use super::super::{Backend, Logits};
use super::RustBertOptions;
use crate::error::{Error, Result};
use crate::ner::config::{Architecture, ModelConfig};
use crate::ner::padding::PaddedBatch;
use rust_bert::bert::{BertConfig, BertForTokenClassification};
use rust_bert::distilbert::{DistilBertConfig, DistilBertForTokenClassification};
use rust_bert::Activation;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, TryLockError};
use tch::{nn, Device, Kind, Tensor};

enum Net {
    Bert(BertForTokenClassification),
    DistilBert(DistilBertForTokenClassification),
}

/// One model instance. The `VarStore` owns the variables the network's
/// layers point at; it is kept alive alongside them.
struct Replica {
    net: Net,
    _vars: nn::VarStore,
}

/// A token-classification model run by rust-bert on libtorch (CPU).
pub struct RustBertBackend {
    replicas: Vec<Mutex<Replica>>,
    next: AtomicUsize,
    config: ModelConfig,
}

impl std::fmt::Debug for RustBertBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RustBertBackend")
            .field("config", &self.config)
            .field("replicas", &self.replicas.len())
            .finish_non_exhaustive()
    }
}

fn id2label(config: &ModelConfig) -> (HashMap<i64, String>, HashMap<String, i64>) {
    let ids = config
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| (i as i64, l.clone()))
        .collect();
    let names = config
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.clone(), i as i64))
        .collect();
    (ids, names)
}

fn build(config: &ModelConfig, root: nn::Path<'_>) -> Result<Net> {
    let (id2label, label2id) = id2label(config);
    let dims = |n: usize| n as i64;
    match config.architecture {
        Architecture::DistilBert => {
            let c = DistilBertConfig {
                activation: Activation::gelu,
                attention_dropout: 0.0,
                dim: dims(config.hidden),
                dropout: 0.0,
                hidden_dim: dims(config.intermediate),
                id2label: Some(id2label),
                initializer_range: 0.02,
                is_decoder: None,
                label2id: Some(label2id),
                max_position_embeddings: dims(config.max_positions),
                n_heads: dims(config.heads),
                n_layers: dims(config.layers),
                output_attentions: Some(false),
                output_hidden_states: Some(false),
                output_past: None,
                qa_dropout: 0.0,
                seq_classif_dropout: 0.0,
                sinusoidal_pos_embds: false,
                tie_weights_: false,
                vocab_size: dims(config.vocab_size),
            };
            DistilBertForTokenClassification::new(root, &c)
                .map(Net::DistilBert)
                .map_err(|e| Error::Backend(format!("rust-bert DistilBERT: {e}")))
        }
        Architecture::Bert => {
            let c = BertConfig {
                hidden_act: Activation::gelu,
                attention_probs_dropout_prob: 0.0,
                hidden_dropout_prob: 0.0,
                hidden_size: dims(config.hidden),
                initializer_range: 0.02,
                intermediate_size: dims(config.intermediate),
                max_position_embeddings: dims(config.max_positions),
                num_attention_heads: dims(config.heads),
                num_hidden_layers: dims(config.layers),
                type_vocab_size: dims(config.type_vocab_size),
                vocab_size: dims(config.vocab_size),
                output_attentions: Some(false),
                output_hidden_states: Some(false),
                is_decoder: None,
                id2label: Some(id2label),
                label2id: Some(label2id),
            };
            BertForTokenClassification::new(root, &c)
                .map(Net::Bert)
                .map_err(|e| Error::Backend(format!("rust-bert BERT: {e}")))
        }
    }
}

/// The tensors of a safetensors file, converted to f32 on the CPU. Old
/// TensorFlow-era names (`LayerNorm.gamma`/`beta`) are renamed to the
/// `weight`/`bias` rust-bert expects.
fn read_tensors(bytes: &[u8], path: &Path) -> Result<HashMap<String, Tensor>> {
    use safetensors::Dtype;
    let bad = |reason: String| Error::ModelFile {
        path: path.to_path_buf(),
        reason,
    };
    let file = safetensors::SafeTensors::deserialize(bytes).map_err(|e| {
        bad(format!(
            "not a valid safetensors file ({e}); expected the weights of the model, \
             uncorrupted (re-fetch the file and check its sha256)"
        ))
    })?;
    let mut out = HashMap::new();
    for (name, view) in file.tensors() {
        let kind = match view.dtype() {
            Dtype::F32 => Kind::Float,
            Dtype::F16 => Kind::Half,
            Dtype::BF16 => Kind::BFloat16,
            Dtype::F64 => Kind::Double,
            Dtype::I64 => Kind::Int64,
            other => {
                return Err(bad(format!(
                    "tensor `{name}` has dtype {other:?}; expected f32, f16, bf16 or f64 weights"
                )))
            }
        };
        let shape: Vec<i64> = view.shape().iter().map(|&d| d as i64).collect();
        let tensor = Tensor::f_from_data_size(view.data(), &shape, kind)
            .and_then(|t| t.f_to_kind(Kind::Float))
            .map_err(|e| bad(format!("tensor `{name}`: {e}")))?;
        let name = match name.strip_suffix(".gamma") {
            Some(stem) if stem.ends_with("LayerNorm") => format!("{stem}.weight"),
            _ => match name.strip_suffix(".beta") {
                Some(stem) if stem.ends_with("LayerNorm") => format!("{stem}.bias"),
                _ => name,
            },
        };
        out.insert(name, tensor);
    }
    Ok(out)
}

impl RustBertBackend {
    /// Builds the model of `config` from the bytes of a safetensors file;
    /// `path` names that file in error messages.
    pub fn from_safetensors(
        config: ModelConfig,
        bytes: &[u8],
        path: &Path,
        options: &RustBertOptions,
    ) -> Result<Self> {
        if (config.layer_norm_eps - 1e-12).abs() > 1e-15 {
            return Err(Error::ModelFile {
                path: path.with_file_name("config.json"),
                reason: format!(
                    "layer_norm_eps is {} but rust-bert only runs models with 1e-12; use the \
                     candle backend for this model",
                    config.layer_norm_eps
                ),
            });
        }
        if let Some(rank) = config.embedding_size {
            return Err(Error::ModelFile {
                path: path.with_file_name("config.json"),
                reason: format!(
                    "factorised word embeddings (embedding_size {rank}, as saidwho's embedded \
                     model has) are not a rust-bert architecture; use the candle backend for \
                     this model"
                ),
            });
        }
        if let Some(n) = options.threads {
            tch::set_num_threads(n.max(1) as i32);
        }
        let tensors = read_tensors(bytes, path)?;
        if let Some(head) = tensors.get("classifier.weight") {
            let rows = head.size().first().copied().unwrap_or(0);
            if head.dim() != 2 || rows != config.labels.len() as i64 {
                return Err(Error::LabelMap(format!(
                    "config.json names {} labels but the classifier head of {} has shape {:?}; \
                     id2label must list one label per output",
                    config.labels.len(),
                    path.display(),
                    head.size()
                )));
            }
        }
        let replicas = (0..options.replicas.max(1))
            .map(|_| Self::replica(&config, &tensors, path).map(Mutex::new))
            .collect::<Result<Vec<_>>>()?;
        Ok(RustBertBackend {
            replicas,
            next: AtomicUsize::new(0),
            config,
        })
    }

    /// A model instance whose variables share the storage of `tensors`.
    fn replica(
        config: &ModelConfig,
        tensors: &HashMap<String, Tensor>,
        path: &Path,
    ) -> Result<Replica> {
        let vars = nn::VarStore::new(Device::Cpu);
        let net = build(config, vars.root())?;
        let mut missing = Vec::new();
        let mut variables: Vec<(String, Tensor)> = vars.variables().into_iter().collect();
        variables.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, mut var) in variables {
            let Some(src) = tensors.get(&name) else {
                missing.push(name);
                continue;
            };
            if src.size() != var.size() {
                return Err(Error::ModelFile {
                    path: path.to_path_buf(),
                    reason: format!(
                        "tensor `{name}` has shape {:?} but a {:?} model of config.json needs \
                         {:?}; the weights do not belong to this config.json",
                        src.size(),
                        config.architecture,
                        var.size()
                    ),
                });
            }
            tch::no_grad(|| var.set_data(src));
        }
        if !missing.is_empty() {
            return Err(Error::ModelFile {
                path: path.to_path_buf(),
                reason: format!(
                    "{} tensor(s) of the {:?} token classifier are missing (first: `{}`); \
                     expected a Hugging Face *ForTokenClassification checkpoint",
                    missing.len(),
                    config.architecture,
                    missing[0]
                ),
            });
        }
        Ok(Replica { net, _vars: vars })
    }

    /// The model's configuration.
    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// A free replica, or the next one in turn when all are busy.
    fn acquire(&self) -> MutexGuard<'_, Replica> {
        for r in &self.replicas {
            match r.try_lock() {
                Ok(guard) => return guard,
                Err(TryLockError::Poisoned(p)) => return p.into_inner(),
                Err(TryLockError::WouldBlock) => {}
            }
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.replicas.len();
        self.replicas[i]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Replica {
    fn forward(&self, ids: &Tensor, mask: &Tensor) -> std::result::Result<Tensor, String> {
        tch::no_grad(|| match &self.net {
            Net::Bert(m) => Ok(m
                .forward_t(Some(ids), Some(mask), None, None, None, false)
                .logits),
            Net::DistilBert(m) => m
                .forward_t(Some(ids), Some(mask), None, false)
                .map(|o| o.logits)
                .map_err(|e| e.to_string()),
        })
    }
}

impl Backend for RustBertBackend {
    fn logits(&self, batch: &[&[u32]]) -> Result<Vec<Logits>> {
        let n = self.config.labels.len();
        let padded = PaddedBatch::new(batch, self.config.vocab_size, self.max_len())?;
        if padded.width() == 0 {
            return padded.unpad(Vec::new(), n);
        }
        let shape = [padded.rows() as i64, padded.width() as i64];
        let ids: Vec<i64> = padded.ids().iter().map(|&id| i64::from(id)).collect();
        let ids = Tensor::from_slice(&ids).view(shape);
        let mask = Tensor::from_slice(&padded.mask::<i64>()).view(shape);
        let logits = self
            .acquire()
            .forward(&ids, &mask)
            .map_err(|e| Error::Backend(format!("rust-bert: {e}")))?;
        let flat = logits
            .f_to_kind(Kind::Float)
            .and_then(|t| t.f_contiguous())
            .and_then(|t| Vec::<f32>::try_from(t.view(-1)))
            .map_err(|e| Error::Backend(format!("rust-bert: {e}")))?;
        padded.unpad(flat, n)
    }

    fn num_labels(&self) -> usize {
        self.config.labels.len()
    }

    fn max_len(&self) -> usize {
        self.config.max_positions
    }

    fn name(&self) -> &str {
        "rust-bert"
    }
}
