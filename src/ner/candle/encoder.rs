//! BERT and DistilBERT encoders with a token-classification head, written
//! with candle-nn (rather than candle-transformers, a much bigger crate to
//! compile for two small models).
//!
//! Both architectures are the same post-norm transformer; they differ in
//! tensor names and in BERT's token-type embeddings. Dropout is absent: this
//! is inference only.

use super::super::config::{Architecture, ModelConfig};
use candle_core::{DType, Module, Result, Tensor, D};
use candle_nn::{embedding, layer_norm, linear, Embedding, LayerNorm, Linear, VarBuilder};

/// A linear layer over (batch, seq, in) as one (batch·seq, in) matrix
/// product: one large GEMM parallelises far better than `batch` small ones.
fn apply(l: &Linear, x: &Tensor) -> Result<Tensor> {
    let (b, s, h) = x.dims3()?;
    l.forward(&x.reshape((b * s, h))?)?.reshape((b, s, ()))
}

struct Layer {
    q: Linear,
    k: Linear,
    v: Linear,
    out: Linear,
    norm1: LayerNorm,
    ff1: Linear,
    ff2: Linear,
    norm2: LayerNorm,
    heads: usize,
}

impl Layer {
    fn load(c: &ModelConfig, vb: VarBuilder) -> Result<Self> {
        let (h, f, eps) = (c.hidden, c.intermediate, c.layer_norm_eps);
        Ok(match c.architecture {
            Architecture::DistilBert => Layer {
                q: linear(h, h, vb.pp("attention.q_lin"))?,
                k: linear(h, h, vb.pp("attention.k_lin"))?,
                v: linear(h, h, vb.pp("attention.v_lin"))?,
                out: linear(h, h, vb.pp("attention.out_lin"))?,
                norm1: layer_norm(h, eps, vb.pp("sa_layer_norm"))?,
                ff1: linear(h, f, vb.pp("ffn.lin1"))?,
                ff2: linear(f, h, vb.pp("ffn.lin2"))?,
                norm2: layer_norm(h, eps, vb.pp("output_layer_norm"))?,
                heads: c.heads,
            },
            Architecture::Bert => Layer {
                q: linear(h, h, vb.pp("attention.self.query"))?,
                k: linear(h, h, vb.pp("attention.self.key"))?,
                v: linear(h, h, vb.pp("attention.self.value"))?,
                out: linear(h, h, vb.pp("attention.output.dense"))?,
                norm1: layer_norm(h, eps, vb.pp("attention.output.LayerNorm"))?,
                ff1: linear(h, f, vb.pp("intermediate.dense"))?,
                ff2: linear(f, h, vb.pp("output.dense"))?,
                norm2: layer_norm(h, eps, vb.pp("output.LayerNorm"))?,
                heads: c.heads,
            },
        })
    }

    /// `x`: (batch, seq, hidden); `bias`: (batch, 1, 1, seq) additive mask.
    fn forward(&self, x: &Tensor, bias: &Tensor) -> Result<Tensor> {
        let (b, s, h) = x.dims3()?;
        let d = h / self.heads;
        let split = |t: Tensor| -> Result<Tensor> {
            t.reshape((b, s, self.heads, d))?
                .transpose(1, 2)?
                .contiguous()
        };
        let q = (split(apply(&self.q, x)?)? / (d as f64).sqrt())?;
        let k = split(apply(&self.k, x)?)?;
        let v = split(apply(&self.v, x)?)?;
        let scores = q.matmul(&k.t()?.contiguous()?)?.broadcast_add(bias)?;
        let probs = candle_nn::ops::softmax_last_dim(&scores)?;
        let ctx = probs
            .matmul(&v)?
            .transpose(1, 2)?
            .contiguous()?
            .reshape((b, s, h))?;
        let x = self.norm1.forward(&(apply(&self.out, &ctx)? + x)?)?;
        let ff = apply(&self.ff2, &apply(&self.ff1, &x)?.gelu_erf()?)?;
        self.norm2.forward(&(ff + x)?)
    }
}

/// An encoder plus a linear classifier over its last hidden states.
pub(crate) struct TokenClassifier {
    words: Embedding,
    positions: Embedding,
    token_types: Option<Embedding>,
    norm: LayerNorm,
    layers: Vec<Layer>,
    classifier: Linear,
}

impl TokenClassifier {
    /// Loads the weights; the classifier must have `c.labels.len()` outputs
    /// (checked by the caller, which reports a label-map error).
    pub(crate) fn load(c: &ModelConfig, vb: VarBuilder) -> Result<Self> {
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
            words: embedding(c.vocab_size, c.hidden, emb.pp("word_embeddings"))?,
            positions: embedding(c.max_positions, c.hidden, emb.pp("position_embeddings"))?,
            token_types,
            norm: layer_norm(c.hidden, c.layer_norm_eps, emb.pp(emb_norm))?,
            layers: (0..c.layers)
                .map(|i| Layer::load(c, enc.pp(format!("{layers}.{i}"))))
                .collect::<Result<_>>()?,
            classifier: linear(c.hidden, c.labels.len(), vb.pp("classifier"))?,
        })
    }

    /// `ids`: (batch, seq) u32; `mask`: (batch, seq) f32, 1 for real tokens
    /// and 0 for padding. Returns (batch, seq, labels) f32 logits.
    pub(crate) fn forward(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let (_, s) = ids.dims2()?;
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
        // 0 where attended, a very large negative number where padded.
        let bias = ((mask.to_dtype(DType::F32)? - 1.0)? * f32::MAX as f64)?
            .unsqueeze(1)?
            .unsqueeze(1)?;
        for layer in &self.layers {
            x = layer.forward(&x, &bias)?;
        }
        let logits = apply(&self.classifier, &x)?;
        debug_assert_eq!(logits.dim(D::Minus1)?, self.classifier.weight().dim(0)?);
        Ok(logits)
    }
}
