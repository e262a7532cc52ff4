//! Padding a batch of id sequences for a backend — written once, used by
//! every [`Backend`](super::Backend).
//!
//! A backend receives sequences of different lengths. It checks them (no
//! id outside the vocabulary, none longer than the model allows), pads them
//! to one width with an attention mask, runs the model, and cuts each
//! sequence's rows back out of the padded result. [`PaddedBatch`] does all
//! of that but the run.

use super::backends::Logits;
use crate::error::{Error, Result};

/// Sequences of token ids padded to one width (with id 0), and what is
/// needed to undo the padding.
///
/// ```
/// use saidwho::ner::PaddedBatch;
/// let batch = PaddedBatch::new(&[&[101, 7, 102], &[101, 102]], 1000, 512).unwrap();
/// assert_eq!((batch.rows(), batch.width()), (2, 3));
/// assert_eq!(batch.ids(), [101, 7, 102, 101, 102, 0]);
/// assert_eq!(batch.mask::<f32>(), [1.0, 1.0, 1.0, 1.0, 1.0, 0.0]);
/// // A model's output: rows × width × 2 labels.
/// let logits = batch.unpad((0..12).map(|x| x as f32).collect(), 2).unwrap();
/// assert_eq!(logits[1].data, [6.0, 7.0, 8.0, 9.0]); // the padded row is gone
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaddedBatch {
    ids: Vec<u32>,
    lengths: Vec<usize>,
    width: usize,
}

impl PaddedBatch {
    /// Pads `batch` to its longest sequence. Fails when a sequence is longer
    /// than `max_len` or holds an id `>= vocab_size` (the tokenizer belongs
    /// to another model).
    pub fn new(batch: &[&[u32]], vocab_size: usize, max_len: usize) -> Result<Self> {
        let width = batch.iter().map(|s| s.len()).max().unwrap_or(0);
        if width > max_len {
            return Err(Error::Backend(format!(
                "a sequence of {width} tokens exceeds the model's maximum of {max_len}"
            )));
        }
        let mut ids = Vec::with_capacity(batch.len() * width);
        for seq in batch {
            if let Some(&id) = seq.iter().find(|&&id| id as usize >= vocab_size) {
                return Err(Error::Backend(format!(
                    "token id {id} is outside the vocabulary of {vocab_size} tokens; the \
                     tokenizer does not belong to this model"
                )));
            }
            ids.extend_from_slice(seq);
            ids.resize(ids.len() + width - seq.len(), 0);
        }
        Ok(PaddedBatch {
            ids,
            lengths: batch.iter().map(|s| s.len()).collect(),
            width,
        })
    }

    /// Number of sequences.
    pub fn rows(&self) -> usize {
        self.lengths.len()
    }

    /// Length of the longest sequence: every row's length after padding.
    /// Zero when every sequence is empty (nothing to run).
    pub fn width(&self) -> usize {
        self.width
    }

    /// Each sequence's real length (before padding).
    pub fn lengths(&self) -> &[usize] {
        &self.lengths
    }

    /// The padded ids, row-major (`rows × width`).
    pub fn ids(&self) -> &[u32] {
        &self.ids
    }

    /// The attention mask, row-major: 1 for a token, 0 for padding.
    pub fn mask<T: From<u8>>(&self) -> Vec<T> {
        let mut mask = Vec::with_capacity(self.ids.len());
        for &len in &self.lengths {
            mask.extend((0..self.width).map(|t| T::from(u8::from(t < len))));
        }
        mask
    }

    /// Cuts each sequence's rows out of a model's padded output `flat`
    /// (`rows × width × num_labels`, row-major). Fails when `flat` has
    /// another size.
    pub fn unpad(&self, flat: Vec<f32>, num_labels: usize) -> Result<Vec<Logits>> {
        let expected = self.rows() * self.width * num_labels;
        if flat.len() != expected {
            return Err(Error::Backend(format!(
                "{} scores for {} × {} tokens × {num_labels} labels",
                flat.len(),
                self.rows(),
                self.width
            )));
        }
        Ok(self
            .lengths
            .iter()
            .enumerate()
            .map(|(b, &len)| {
                let start = b * self.width * num_labels;
                Logits {
                    num_labels,
                    data: flat[start..start + len * num_labels].to_vec(),
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_no_model_can_run() {
        let long = vec![1u32; 9];
        assert!(PaddedBatch::new(&[&long], 10, 8)
            .unwrap_err()
            .to_string()
            .contains("exceeds"));
        assert!(PaddedBatch::new(&[&[1, 10]], 10, 8)
            .unwrap_err()
            .to_string()
            .contains("vocabulary"));
    }

    #[test]
    fn empty_sequences_give_empty_logits() {
        let batch = PaddedBatch::new(&[&[], &[]], 10, 8).unwrap();
        assert_eq!(batch.width(), 0);
        let out = batch.unpad(Vec::new(), 3).unwrap();
        assert_eq!(out.len(), 2);
        assert!(out.iter().all(|l| l.is_empty() && l.num_labels == 3));
        assert!(batch.unpad(vec![0.0], 3).is_err());
    }
}
