//! The span model's network: a linear projection of each encoder state, a
//! one-layer bidirectional LSTM over each sequence, and a linear layer to
//! the tag logits — PyTorch's `Linear`, `LSTM(bidirectional=True)` and
//! `Linear`, with their weight names and gate order (i, f, g, o).
//!
//! The two input-side products run as matrix products over all the tokens
//! at once (candle); the recurrence, 4·hidden × hidden per token and
//! direction, is a loop of row updates, and the gates' sigmoid and `tanh`
//! polynomials ([`crate::utils::math`]): both vectorise, compiled for the
//! widest vectors the CPU has ([`widest`]). With libm's `tanhf`/`expf`, one
//! value per call, and at the x86-64 baseline's four lanes, the BiLSTM was
//! 17 % of the default pipeline's time on an Intel Xeon with AMX (perf,
//! 2026-12-05).

use crate::utils::math::{sigmoid, tanh};
use crate::utils::simd::widest;
use candle_core::{DType, Device, Tensor};

/// One direction's recurrent weights.
struct Direction {
    /// (hidden, 4·hidden): row k holds the weights of h[k] in each gate.
    hh_t: Vec<f32>,
}

/// The projection, the BiLSTM and the output layer.
pub(super) struct BiLstmTagger {
    dim: usize,
    hidden: usize,
    outputs: usize,
    /// (dim, proj), transposed `proj.weight`.
    proj_t: Tensor,
    proj_b: Tensor,
    /// (proj, 8·hidden): both directions' input weights, transposed.
    ih_t: Tensor,
    /// (8·hidden): both directions' input and recurrent biases, summed.
    ih_b: Tensor,
    fwd: Direction,
    bwd: Direction,
    /// (outputs, 2·hidden), row-major.
    out_w: Vec<f32>,
    out_b: Vec<f32>,
}

impl BiLstmTagger {
    /// Loads the weights (any float type) from a safetensors file; an error
    /// names the tensor that is missing or of the wrong shape.
    pub(super) fn from_safetensors(
        bytes: &[u8],
        dim: usize,
        proj: usize,
        hidden: usize,
        outputs: usize,
    ) -> Result<Self, String> {
        let dev = Device::Cpu;
        let tensors = candle_core::safetensors::load_buffer(bytes, &dev)
            .map_err(|e| format!("not a valid safetensors file ({e})"))?;
        let get = |name: &str, shape: &[usize]| -> Result<Tensor, String> {
            let t = tensors
                .get(name)
                .ok_or_else(|| format!("no tensor `{name}`"))?;
            if t.dims() != shape {
                return Err(format!(
                    "tensor `{name}` has shape {:?}, expected {shape:?}",
                    t.dims()
                ));
            }
            t.to_dtype(DType::F32)
                .map_err(|e| format!("tensor `{name}`: {e}"))
        };
        let vec = |t: Tensor| -> Result<Vec<f32>, String> {
            t.flatten_all()
                .and_then(|t| t.to_vec1::<f32>())
                .map_err(|e| e.to_string())
        };
        let c = |r: candle_core::Result<Tensor>| r.map_err(|e| e.to_string());
        let h4 = 4 * hidden;
        let proj_t = c(get("proj.weight", &[proj, dim])?
            .t()
            .and_then(|t| t.contiguous()))?;
        let proj_b = get("proj.bias", &[proj])?;
        let ih_f = get("lstm.weight_ih_l0", &[h4, proj])?;
        let ih_r = get("lstm.weight_ih_l0_reverse", &[h4, proj])?;
        let ih_t = c(Tensor::cat(&[&ih_f, &ih_r], 0)
            .and_then(|t| t.t())
            .and_then(|t| t.contiguous()))?;
        let bias = |d: &str| -> Result<Tensor, String> {
            c(get(&format!("lstm.bias_ih_l0{d}"), &[h4])?
                + get(&format!("lstm.bias_hh_l0{d}"), &[h4])?)
        };
        let ih_b = c(Tensor::cat(&[bias("")?, bias("_reverse")?], 0))?;
        let dir = |d: &str| -> Result<Direction, String> {
            let hh = get(&format!("lstm.weight_hh_l0{d}"), &[h4, hidden])?;
            Ok(Direction {
                hh_t: vec(c(hh.t().and_then(|t| t.contiguous()))?)?,
            })
        };
        Ok(BiLstmTagger {
            dim,
            hidden,
            outputs,
            proj_t,
            proj_b,
            ih_t,
            ih_b,
            fwd: dir("")?,
            bwd: dir("_reverse")?,
            out_w: vec(get("out.weight", &[outputs, 2 * hidden])?)?,
            out_b: vec(get("out.bias", &[outputs])?)?,
        })
    }

    /// Width of the states it reads.
    pub(super) fn dim(&self) -> usize {
        self.dim
    }

    /// Logits (`n × outputs`) of `n` tokens whose states are `states`
    /// (`n × dim`); a new sequence starts at token `t` when `starts(t)`
    /// (and at token 0).
    pub(super) fn logits(
        &self,
        states: &[f32],
        n: usize,
        starts: impl Fn(usize) -> bool,
    ) -> Result<Vec<f32>, String> {
        if n == 0 {
            return Ok(Vec::new());
        }
        if states.len() != n * self.dim {
            return Err(format!(
                "{} values for {n} states of width {}",
                states.len(),
                self.dim
            ));
        }
        let gates = || -> candle_core::Result<Vec<f32>> {
            let x = Tensor::from_slice(states, (n, self.dim), &Device::Cpu)?;
            let p = x.matmul(&self.proj_t)?.broadcast_add(&self.proj_b)?;
            p.matmul(&self.ih_t)?
                .broadcast_add(&self.ih_b)?
                .flatten_all()?
                .to_vec1::<f32>()
        };
        let gates = gates().map_err(|e| e.to_string())?;
        let h = self.hidden;
        let mut hs = vec![0.0f32; n * 2 * h];
        let mut seq_start = 0;
        while seq_start < n {
            let mut end = seq_start + 1;
            while end < n && !starts(end) {
                end += 1;
            }
            self.recur(&gates, &mut hs, seq_start..end, false);
            self.recur(&gates, &mut hs, seq_start..end, true);
            seq_start = end;
        }
        let mut out = Vec::with_capacity(n * self.outputs);
        for t in 0..n {
            let x = &hs[t * 2 * h..(t + 1) * 2 * h];
            for o in 0..self.outputs {
                let w = &self.out_w[o * 2 * h..(o + 1) * 2 * h];
                out.push(self.out_b[o] + w.iter().zip(x).map(|(a, b)| a * b).sum::<f32>());
            }
        }
        Ok(out)
    }

    /// Probabilities: the logits, soft-maxed per group of three (one
    /// role's O, B, I).
    pub(super) fn run(
        &self,
        states: &[f32],
        n: usize,
        starts: impl Fn(usize) -> bool,
    ) -> Result<Vec<f32>, String> {
        let mut p = self.logits(states, n, starts)?;
        for g in p.chunks_mut(3) {
            let m = g.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let mut sum = 0.0;
            for x in g.iter_mut() {
                *x = (*x - m).exp();
                sum += *x;
            }
            if sum > 0.0 && sum.is_finite() {
                g.iter_mut().for_each(|x| *x /= sum);
            }
        }
        Ok(p)
    }

    /// One direction over tokens `range`, writing its half of `hs`.
    fn recur(&self, gates: &[f32], hs: &mut [f32], range: std::ops::Range<usize>, back: bool) {
        let h = self.hidden;
        let (dir, gate_off, out_off) = if back {
            (&self.bwd, 4 * h, h)
        } else {
            (&self.fwd, 0, 0)
        };
        let mut hv = vec![0.0f32; h];
        let mut cv = vec![0.0f32; h];
        let mut g = vec![0.0f32; 4 * h];
        let order: Box<dyn Iterator<Item = usize>> = if back {
            Box::new(range.rev())
        } else {
            Box::new(range)
        };
        widest(
            #[inline(always)]
            || {
                for t in order {
                    let row = &gates[t * 8 * h + gate_off..][..4 * h];
                    g.copy_from_slice(row);
                    for (&hk, w) in hv.iter().zip(dir.hh_t.chunks_exact(4 * h)) {
                        if hk != 0.0 {
                            for (gj, wj) in g.iter_mut().zip(w) {
                                *gj += hk * wj;
                            }
                        }
                    }
                    let (gi, rest) = g.split_at(h);
                    let (gf, rest) = rest.split_at(h);
                    let (gg, go) = rest.split_at(h);
                    for (((((c, hv), &i), &f), &gg), &o) in cv
                        .iter_mut()
                        .zip(hv.iter_mut())
                        .zip(gi)
                        .zip(gf)
                        .zip(gg)
                        .zip(go)
                    {
                        *c = sigmoid(f) * *c + sigmoid(i) * tanh(gg);
                        *hv = sigmoid(o) * tanh(*c);
                    }
                    hs[t * 2 * h + out_off..][..h].copy_from_slice(&hv);
                }
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A tiny tagger whose weights are chosen by hand: one state, one
    /// hidden unit, so that the output can be worked out on paper.
    fn tiny() -> BiLstmTagger {
        let t = |v: &[f32], shape: &[usize]| Tensor::from_slice(v, shape, &Device::Cpu).unwrap();
        let mut m: HashMap<String, Tensor> = HashMap::new();
        m.insert("proj.weight".into(), t(&[1.0], &[1, 1]));
        m.insert("proj.bias".into(), t(&[0.0], &[1]));
        for d in ["", "_reverse"] {
            m.insert(
                format!("lstm.weight_ih_l0{d}"),
                t(&[0.0, 0.0, 1.0, 0.0], &[4, 1]),
            );
            m.insert(
                format!("lstm.weight_hh_l0{d}"),
                t(&[0.0, 0.0, 0.5, 0.0], &[4, 1]),
            );
            m.insert(format!("lstm.bias_ih_l0{d}"), t(&[0.0; 4], &[4]));
            m.insert(format!("lstm.bias_hh_l0{d}"), t(&[0.0; 4], &[4]));
        }
        m.insert("out.weight".into(), t(&[1.0, 0.0, 0.0, 1.0], &[2, 2]));
        m.insert("out.bias".into(), t(&[0.0, 0.0], &[2]));
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "saidwho-lstm-{}-{n}.safetensors",
            std::process::id()
        ));
        candle_core::safetensors::save(&m, &path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let _ = std::fs::remove_file(&path);
        BiLstmTagger::from_safetensors(&bytes, 1, 1, 1, 2).unwrap()
    }

    #[test]
    fn a_hand_worked_step_matches() {
        // Gates all zero but g = x: i = f = o = 1/2, c = tanh(x)/2,
        // h = tanh(c)/2; both directions see one token alike.
        let x = 0.8f32;
        let out = tiny().logits(&[x], 1, |_| false).unwrap();
        let c = x.tanh() / 2.0;
        let h = c.tanh() / 2.0;
        assert!(
            (out[0] - h).abs() < 1e-6 && (out[1] - h).abs() < 1e-6,
            "{out:?}"
        );
    }

    #[test]
    fn sequences_do_not_see_each_other() {
        let m = tiny();
        let both = m.logits(&[0.8, -0.3], 2, |t| t == 1).unwrap();
        let a = m.logits(&[0.8], 1, |_| false).unwrap();
        let b = m.logits(&[-0.3], 1, |_| false).unwrap();
        assert_eq!(both, [a, b].concat());
    }

    #[test]
    fn wrong_shapes_are_named() {
        let err = BiLstmTagger::from_safetensors(b"not a file", 1, 1, 1, 2)
            .err()
            .unwrap();
        assert!(err.contains("safetensors"), "{err}");
        let m = tiny();
        assert!(m.logits(&[0.0, 1.0], 1, |_| false).is_err());
    }
}
