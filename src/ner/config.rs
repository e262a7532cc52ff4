//! `config.json` of a Hugging Face token-classification model: the
//! architecture, its sizes and the label map.

use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The encoder architectures saidwho can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Architecture {
    /// BERT (`model_type = "bert"`): token-type embeddings, post-norm layers.
    Bert,
    /// DistilBERT (`model_type = "distilbert"`): no token types, 6 layers.
    DistilBert,
}

/// What saidwho reads from `config.json`, normalised over architectures.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelConfig {
    /// Encoder architecture.
    pub architecture: Architecture,
    /// Vocabulary size.
    pub vocab_size: usize,
    /// Hidden size.
    pub hidden: usize,
    /// Feed-forward inner size.
    pub intermediate: usize,
    /// Number of attention heads.
    pub heads: usize,
    /// Number of layers.
    pub layers: usize,
    /// Longest sequence (position embeddings), special tokens included.
    pub max_positions: usize,
    /// Token-type vocabulary (BERT only; 0 for DistilBERT).
    pub type_vocab_size: usize,
    /// Layer-norm epsilon.
    pub layer_norm_eps: f64,
    /// Width of factorised word embeddings (`embedding_size`, as ALBERT
    /// names it): a `(vocab, embedding_size)` table times a
    /// `word_projection` to the hidden size. `None`: a plain `(vocab,
    /// hidden)` table, as BERT and DistilBERT have.
    pub embedding_size: Option<usize>,
    /// Label names by class id, `labels[i]` = `id2label[i]`.
    pub labels: Vec<String>,
}

#[derive(Deserialize)]
struct Raw {
    model_type: Option<String>,
    vocab_size: Option<usize>,
    // BERT names
    hidden_size: Option<usize>,
    intermediate_size: Option<usize>,
    num_attention_heads: Option<usize>,
    num_hidden_layers: Option<usize>,
    type_vocab_size: Option<usize>,
    layer_norm_eps: Option<f64>,
    hidden_act: Option<String>,
    // DistilBERT names
    dim: Option<usize>,
    hidden_dim: Option<usize>,
    n_heads: Option<usize>,
    n_layers: Option<usize>,
    activation: Option<String>,
    sinusoidal_pos_embds: Option<bool>,
    // both
    max_position_embeddings: Option<usize>,
    embedding_size: Option<usize>,
    id2label: Option<BTreeMap<String, String>>,
}

impl ModelConfig {
    /// Reads and checks `config.json`.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::ModelFile {
            path: path.to_path_buf(),
            reason: format!(
                "cannot read it ({e}); a model directory needs the config.json of a \
                 Hugging Face token-classification model"
            ),
        })?;
        Self::parse(&text, path)
    }

    /// Parses the text of a `config.json`; `path` is used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let bad = |reason: String| Error::ModelFile {
            path: path.to_path_buf(),
            reason,
        };
        let raw: Raw = serde_json::from_str(text)
            .map_err(|e| bad(format!("not valid JSON for a model config: {e}")))?;
        let model_type = raw
            .model_type
            .ok_or_else(|| bad("no `model_type`; expected \"bert\" or \"distilbert\"".into()))?;
        let need = |v: Option<usize>, key: &str| -> Result<usize> {
            match v {
                Some(n) if n > 0 => Ok(n),
                _ => Err(bad(format!(
                    "`{key}` is missing or zero; expected a positive integer"
                ))),
            }
        };
        if model_type != "bert" && model_type != "distilbert" {
            return Err(bad(format!(
                "model_type `{model_type}` is not supported; expected \"bert\" or \"distilbert\""
            )));
        }
        let vocab_size = need(raw.vocab_size, "vocab_size")?;
        let max_positions = need(raw.max_position_embeddings, "max_position_embeddings")?;
        let (architecture, hidden, intermediate, heads, layers, type_vocab_size, act) =
            match model_type.as_str() {
                "bert" => (
                    Architecture::Bert,
                    need(raw.hidden_size, "hidden_size")?,
                    need(raw.intermediate_size, "intermediate_size")?,
                    need(raw.num_attention_heads, "num_attention_heads")?,
                    need(raw.num_hidden_layers, "num_hidden_layers")?,
                    raw.type_vocab_size.unwrap_or(2).max(1),
                    raw.hidden_act.unwrap_or_else(|| "gelu".into()),
                ),
                "distilbert" => {
                    if raw.sinusoidal_pos_embds == Some(true) {
                        return Err(bad(
                            "sinusoidal position embeddings are not supported; expected \
                             learned ones (`sinusoidal_pos_embds: false`)"
                                .into(),
                        ));
                    }
                    (
                        Architecture::DistilBert,
                        need(raw.dim, "dim")?,
                        need(raw.hidden_dim, "hidden_dim")?,
                        need(raw.n_heads, "n_heads")?,
                        need(raw.n_layers, "n_layers")?,
                        0,
                        raw.activation.unwrap_or_else(|| "gelu".into()),
                    )
                }
                other => {
                    return Err(bad(format!(
                        "model_type `{other}` is not supported; expected \"bert\" or \"distilbert\""
                    )))
                }
            };
        if act != "gelu" {
            return Err(bad(format!(
                "activation `{act}` is not supported; expected \"gelu\""
            )));
        }
        if hidden % heads != 0 {
            return Err(bad(format!(
                "hidden size {hidden} is not a multiple of the {heads} attention heads"
            )));
        }
        let embedding_size = match raw.embedding_size {
            Some(0) => {
                return Err(bad(
                    "`embedding_size` is zero; expected a positive integer".into()
                ))
            }
            other => other,
        };
        let id2label = raw.id2label.ok_or_else(|| {
            Error::LabelMap(format!(
                "{} has no `id2label`; a token-classification model must name its labels",
                path.display()
            ))
        })?;
        let labels = labels_from_id2label(&id2label).map_err(|e| match e {
            Error::LabelMap(why) => Error::LabelMap(format!("{}: {why}", path.display())),
            e => e,
        })?;
        Ok(ModelConfig {
            architecture,
            vocab_size,
            hidden,
            intermediate,
            heads,
            layers,
            max_positions,
            type_vocab_size,
            layer_norm_eps: raw.layer_norm_eps.unwrap_or(1e-12),
            embedding_size,
            labels,
        })
    }
}

/// `{"0": "O", "1": "B-PER", …}` → `["O", "B-PER", …]`; the ids must be
/// exactly `0..n`.
fn labels_from_id2label(map: &BTreeMap<String, String>) -> Result<Vec<String>> {
    let mut labels = vec![None; map.len()];
    for (id, label) in map {
        let i: usize = id
            .trim()
            .parse()
            .map_err(|_| Error::LabelMap(format!("id2label key `{id}` is not a class number")))?;
        let slot = labels.get_mut(i).ok_or_else(|| {
            Error::LabelMap(format!(
                "id2label has {} entries but a class id {i}; ids must be 0..{}",
                map.len(),
                map.len()
            ))
        })?;
        *slot = Some(label.clone());
    }
    labels
        .into_iter()
        .enumerate()
        .map(|(i, l)| l.ok_or_else(|| Error::LabelMap(format!("id2label lacks class id {i}"))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_distilbert() {
        let c = ModelConfig::parse(
            r#"{"model_type":"distilbert","vocab_size":10,"dim":8,"hidden_dim":16,"n_heads":2,
                "n_layers":1,"max_position_embeddings":32,"id2label":{"1":"B-PER","0":"O"}}"#,
            Path::new("config.json"),
        )
        .unwrap();
        assert_eq!(c.architecture, Architecture::DistilBert);
        assert_eq!(c.labels, ["O", "B-PER"]);
    }

    #[test]
    fn rejects_gaps_and_unknown_types() {
        let gap = r#"{"model_type":"bert","vocab_size":10,"hidden_size":8,"intermediate_size":16,
            "num_attention_heads":2,"num_hidden_layers":1,"max_position_embeddings":32,
            "id2label":{"0":"O","2":"B-PER"}}"#;
        assert!(matches!(
            ModelConfig::parse(gap, Path::new("c")),
            Err(Error::LabelMap(_))
        ));
        let gpt = r#"{"model_type":"gpt2"}"#;
        let err = ModelConfig::parse(gpt, Path::new("c")).unwrap_err();
        assert!(err.to_string().contains("gpt2"), "{err}");
    }
}
