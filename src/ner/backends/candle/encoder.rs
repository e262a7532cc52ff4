//! BERT and DistilBERT encoders with a token-classification head, written
//! with candle-nn (rather than candle-transformers, a much bigger crate to
//! compile for two small models).
//!
//! Both architectures are the same post-norm transformer; they differ in
//! tensor names and in BERT's token-type embeddings. Dropout is absent: this
//! is inference only.

use super::int8::QuantWeights;
use super::ops::{Attention, BiasAct, Int8Linear, RowLinear};
use super::Precision;
use crate::ner::config::{Architecture, ModelConfig};
use candle_core::{Module, Result, Tensor, D};
use candle_nn::{embedding, layer_norm, Embedding, LayerNorm, VarBuilder};

/// A linear layer with the bias add (and GELU) fused in place, in one of
/// two arithmetics ([`Precision`]).
enum Dense {
    /// The weight stored transposed, (in, out) and contiguous, so the matrix
    /// product reads it without strides (measured 5–15 % faster than
    /// candle-nn's `Linear`, which multiplies by a transposed view).
    F32 { weight_t: Tensor, bias: Tensor },
    /// The weight quantized to 8 bits per output ([`int8`](super::int8)).
    Int8 {
        weight: QuantWeights,
        bias: Vec<f32>,
    },
}

impl Dense {
    fn load(inputs: usize, outputs: usize, precision: Precision, vb: VarBuilder) -> Result<Self> {
        let weight = vb.get((outputs, inputs), "weight")?;
        let bias = vb.get(outputs, "bias")?;
        Dense::new(weight, bias, precision)
    }

    /// The query, key and value projections of `hidden` inputs as one layer
    /// of 3 · hidden outputs (one matrix product instead of three; the
    /// attention reads its output in place), the query's weights and bias
    /// multiplied by `query_scale` (the attention's 1/√d folded in).
    fn load_qkv(
        hidden: usize,
        query_scale: f64,
        precision: Precision,
        vbs: [VarBuilder; 3],
    ) -> Result<Self> {
        let mut weights = Vec::with_capacity(3);
        let mut biases = Vec::with_capacity(3);
        for (i, vb) in vbs.into_iter().enumerate() {
            let (weight, bias) = (vb.get((hidden, hidden), "weight")?, vb.get(hidden, "bias")?);
            let scale = if i == 0 { query_scale } else { 1.0 };
            weights.push((weight * scale)?);
            biases.push((bias * scale)?);
        }
        Dense::new(
            Tensor::cat(&weights, 0)?,
            Tensor::cat(&biases, 0)?,
            precision,
        )
    }

    /// From a PyTorch `Linear`'s weight (outputs, inputs) and bias.
    fn new(weight: Tensor, bias: Tensor, precision: Precision) -> Result<Self> {
        let (outputs, inputs) = weight.dims2()?;
        Ok(match precision {
            Precision::F32 => Dense::F32 {
                weight_t: weight.t()?.contiguous()?,
                bias: bias.contiguous()?,
            },
            Precision::Int8 => Dense::Int8 {
                weight: QuantWeights::new(
                    &weight.flatten_all()?.to_vec1::<f32>()?,
                    outputs,
                    inputs,
                ),
                bias: bias.to_vec1::<f32>()?,
            },
        })
    }

    /// (batch, seq, in) → (batch, seq, out) as one (batch·seq, in) matrix
    /// product: one large GEMM parallelises far better than `batch` small ones.
    fn forward(&self, x: &Tensor, gelu: bool) -> Result<Tensor> {
        let (b, s, h) = x.dims3()?;
        match self {
            Dense::F32 { weight_t, bias } => {
                let y = x.reshape((b * s, h))?.matmul(weight_t)?;
                y.inplace_op2(bias, &BiasAct { gelu })?;
                y.reshape((b, s, ()))
            }
            Dense::Int8 { weight, bias } => {
                x.contiguous()?
                    .apply_op1_no_bwd(&Int8Linear { weight, bias, gelu })
            }
        }
    }
}

struct Layer {
    /// Query, key and value projections, fused ([`Dense::load_qkv`]).
    qkv: Dense,
    out: Dense,
    norm1: LayerNorm,
    ff1: Dense,
    ff2: Dense,
    norm2: LayerNorm,
    heads: usize,
}

impl Layer {
    fn load(c: &ModelConfig, p: Precision, vb: VarBuilder) -> Result<Self> {
        let (h, f, eps) = (c.hidden, c.intermediate, c.layer_norm_eps);
        let scale = 1.0 / ((h / c.heads.max(1)) as f64).sqrt();
        Ok(match c.architecture {
            Architecture::DistilBert => Layer {
                qkv: Dense::load_qkv(
                    h,
                    scale,
                    p,
                    ["q_lin", "k_lin", "v_lin"].map(|n| vb.pp("attention").pp(n)),
                )?,
                out: Dense::load(h, h, p, vb.pp("attention.out_lin"))?,
                norm1: layer_norm(h, eps, vb.pp("sa_layer_norm"))?,
                ff1: Dense::load(h, f, p, vb.pp("ffn.lin1"))?,
                ff2: Dense::load(f, h, p, vb.pp("ffn.lin2"))?,
                norm2: layer_norm(h, eps, vb.pp("output_layer_norm"))?,
                heads: c.heads,
            },
            Architecture::Bert => Layer {
                qkv: Dense::load_qkv(
                    h,
                    scale,
                    p,
                    ["query", "key", "value"].map(|n| vb.pp("attention.self").pp(n)),
                )?,
                out: Dense::load(h, h, p, vb.pp("attention.output.dense"))?,
                norm1: layer_norm(h, eps, vb.pp("attention.output.LayerNorm"))?,
                ff1: Dense::load(h, f, p, vb.pp("intermediate.dense"))?,
                ff2: Dense::load(f, h, p, vb.pp("output.dense"))?,
                norm2: layer_norm(h, eps, vb.pp("output.LayerNorm"))?,
                heads: c.heads,
            },
        })
    }

    /// `x`: (batch, seq, hidden), row `i` of it `lens[i]` real tokens
    /// followed by padding.
    fn forward(&self, x: &Tensor, lens: &[usize]) -> Result<Tensor> {
        // Attention window by window, on its real length (`ops::Attention`):
        // a window's result then depends on nothing but its own tokens —
        // not on the padding its batch needs, nor on the other windows. So
        // an article gets the same entities whatever it is batched with: in
        // a Spark partition, after a resumed run, alone or in a corpus.
        let ctx = self.qkv.forward(x, false)?.apply_op1_no_bwd(&Attention {
            heads: self.heads,
            lens,
        })?;
        let x = self.norm1.forward(&(self.out.forward(&ctx, false)? + x)?)?;
        let ff = self.ff2.forward(&self.ff1.forward(&x, true)?, false)?;
        self.norm2.forward(&(ff + x)?)
    }
}

/// The token classifier's output layer (hidden → labels), computed token by
/// token ([`RowLinear`]) so that logits never depend on the batch.
struct Head {
    /// (labels, hidden), row-major.
    weight: Vec<f32>,
    bias: Vec<f32>,
}

impl Head {
    fn load(inputs: usize, outputs: usize, vb: VarBuilder) -> Result<Self> {
        Ok(Head {
            weight: vb
                .get((outputs, inputs), "weight")?
                .flatten_all()?
                .to_vec1()?,
            bias: vb.get(outputs, "bias")?.to_vec1()?,
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        x.contiguous()?.apply_op1_no_bwd(&RowLinear {
            weight: &self.weight,
            bias: &self.bias,
        })
    }
}

/// Word embeddings: a `(vocab, hidden)` table, or a narrower `(vocab,
/// rank)` table times a `(rank → hidden)` projection (config
/// `embedding_size`; saidwho's embedded model stores them so, ALBERT-style).
enum WordEmbeddings {
    Full(Embedding),
    Factorised {
        table: Embedding,
        /// (rank, hidden): the projection's weight, transposed.
        projection_t: Tensor,
    },
}

impl WordEmbeddings {
    fn load(c: &ModelConfig, emb: &VarBuilder) -> Result<Self> {
        Ok(match c.embedding_size {
            None => WordEmbeddings::Full(embedding(
                c.vocab_size,
                c.hidden,
                emb.pp("word_embeddings"),
            )?),
            Some(rank) => WordEmbeddings::Factorised {
                table: embedding(c.vocab_size, rank, emb.pp("word_embeddings"))?,
                projection_t: emb
                    .get((c.hidden, rank), "word_projection.weight")?
                    .t()?
                    .contiguous()?,
            },
        })
    }

    /// (batch, seq) ids → (batch, seq, hidden).
    fn forward(&self, ids: &Tensor) -> Result<Tensor> {
        match self {
            WordEmbeddings::Full(table) => table.forward(ids),
            WordEmbeddings::Factorised {
                table,
                projection_t,
            } => {
                let (b, s) = ids.dims2()?;
                let narrow = table.forward(ids)?;
                let rank = narrow.dim(D::Minus1)?;
                narrow
                    .reshape((b * s, rank))?
                    .matmul(projection_t)?
                    .reshape((b, s, ()))
            }
        }
    }
}

/// An encoder plus a linear classifier over its last hidden states.
pub(crate) struct TokenClassifier {
    words: WordEmbeddings,
    positions: Embedding,
    token_types: Option<Embedding>,
    norm: LayerNorm,
    layers: Vec<Layer>,
    classifier: Head,
}

impl TokenClassifier {
    /// Loads the weights; the classifier must have `c.labels.len()` outputs
    /// (checked by the caller, which reports a label-map error).
    pub(crate) fn load(c: &ModelConfig, precision: Precision, vb: VarBuilder) -> Result<Self> {
        let (prefix, emb_norm, layers) = match c.architecture {
            Architecture::DistilBert => ("distilbert", "LayerNorm", "transformer.layer"),
            Architecture::Bert => ("bert", "LayerNorm", "encoder.layer"),
        };
        // Some checkpoints are saved from the bare encoder, without prefix.
        let enc = if vb.contains_tensor(&format!("{prefix}.embeddings.word_embeddings.weight")) {
            vb.pp(prefix)
        } else {
            vb.clone()
        };
        let emb = enc.pp("embeddings");
        let token_types = match c.architecture {
            Architecture::Bert => Some(embedding(
                c.type_vocab_size,
                c.hidden,
                emb.pp("token_type_embeddings"),
            )?),
            Architecture::DistilBert => None,
        };
        Ok(TokenClassifier {
            words: WordEmbeddings::load(c, &emb)?,
            positions: embedding(c.max_positions, c.hidden, emb.pp("position_embeddings"))?,
            token_types,
            norm: layer_norm(c.hidden, c.layer_norm_eps, emb.pp(emb_norm))?,
            layers: (0..c.layers)
                .map(|i| Layer::load(c, precision, enc.pp(format!("{layers}.{i}"))))
                .collect::<Result<_>>()?,
            // The classifier is tiny (hidden × labels): it stays f32 always.
            classifier: Head::load(c.hidden, c.labels.len(), vb.pp("classifier"))?,
        })
    }

    /// `ids`: (batch, seq) u32, row `i` holding `lens[i]` real tokens and
    /// then padding. Returns the (batch, seq, labels) f32 logits and the
    /// last hidden states (batch, seq, hidden) the classifier read; a
    /// window's results do not depend on the other windows of the batch.
    pub(crate) fn forward(&self, ids: &Tensor, lens: &[usize]) -> Result<(Tensor, Tensor)> {
        let (b, s) = ids.dims2()?;
        if lens.len() != b {
            candle_core::bail!("{} lengths for a batch of {b}", lens.len());
        }
        let pos = Tensor::arange(0u32, s as u32, ids.device())?;
        let mut x = self
            .words
            .forward(ids)?
            .broadcast_add(&self.positions.forward(&pos)?)?;
        if let Some(tt) = &self.token_types {
            let zeros = ids.zeros_like()?;
            x = (x + tt.forward(&zeros)?)?;
        }
        let mut x = self.norm.forward(&x)?;
        for layer in &self.layers {
            x = layer.forward(&x, lens)?;
        }
        let logits = self.classifier.forward(&x)?;
        debug_assert_eq!(logits.dim(D::Minus1)?, self.classifier.bias.len());
        Ok((logits, x))
    }
}
