//! Fused in-place kernels for the encoder's element-wise work.
//!
//! Why: measured on the 2-core AVX2 workplace machine, one DistilBERT layer
//! over 16 × 256 tokens spent about a third of its time outside the matrix
//! products. candle's `gelu_erf` calls scalar `libm::erf` per element (4×
//! slower than PyTorch's), and `broadcast_add` + `softmax_last_dim` make two
//! passes with scalar `exp` and allocate a fresh 50 MB tensor each. These
//! kernels do the same maths in one in-place pass with polynomial `erf` and
//! `exp` that the compiler vectorises. Their error (≤ 2e-7 absolute for
//! `erf`, a few ulp for `exp`) is far below the 1e-3 logit tolerance the
//! reference tests hold the model to.

use super::int8::QuantWeights;
use super::math::{exp, gelu_erf};
use candle_core::{bail, CpuStorage, CustomOp1, InplaceOp2, Layout, Result, Shape};

/// `x += bias` row by row, then GELU (erf form) when `gelu`: the bias add of
/// a linear layer fused with its activation. `x`: (rows, n), `bias`: (n).
pub(super) struct BiasAct {
    pub gelu: bool,
}

impl InplaceOp2 for BiasAct {
    fn name(&self) -> &'static str {
        "saidwho-bias-act"
    }

    fn cpu_fwd(
        &self,
        s1: &mut CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<()> {
        let (x, bias) = f32_pair(s1, l1, s2, l2, self.name())?;
        let n = bias.len();
        if n == 0 || x.len() % n != 0 {
            bail!("bias of {n} does not divide a tensor of {}", x.len());
        }
        for row in x.chunks_exact_mut(n) {
            for (v, b) in row.iter_mut().zip(bias) {
                *v += b;
            }
            if self.gelu {
                for v in row.iter_mut() {
                    *v = gelu_erf(*v);
                }
            }
        }
        Ok(())
    }
}

/// A linear layer in 8-bit arithmetic ([`QuantWeights`]): `x` (…, in) →
/// `act(x · Wᵀ + bias)` (…, out), GELU fused when `gelu`.
pub(super) struct Int8Linear<'a> {
    pub weight: &'a QuantWeights,
    pub bias: &'a [f32],
    pub gelu: bool,
}

impl CustomOp1 for Int8Linear<'_> {
    fn name(&self) -> &'static str {
        "saidwho-int8-linear"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let CpuStorage::F32(x) = storage else {
            bail!("{}: only f32 tensors", self.name());
        };
        let Some(x) = layout.contiguous_offsets().and_then(|(a, b)| x.get(a..b)) else {
            bail!("{}: only contiguous tensors", self.name());
        };
        let (k, n) = (self.weight.inputs(), self.weight.outputs());
        let mut dims = layout.dims().to_vec();
        match dims.last_mut() {
            Some(last) if *last == k => *last = n,
            _ => bail!("{}: input {dims:?} for a layer of {k} inputs", self.name()),
        }
        let rows: usize = dims[..dims.len() - 1].iter().product();
        let mut out = vec![0f32; rows * n];
        self.weight.matmul(x, self.bias, self.gelu, &mut out);
        Ok((CpuStorage::F32(out), Shape::from(dims)))
    }
}

/// Attention probabilities in place: `scores` (batch, heads, q, k) plus the
/// padding bias (batch, k), then a softmax over the last dimension.
pub(super) struct MaskedSoftmax;

impl InplaceOp2 for MaskedSoftmax {
    fn name(&self) -> &'static str {
        "saidwho-masked-softmax"
    }

    fn cpu_fwd(
        &self,
        s1: &mut CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<()> {
        let dims = l1.dims();
        let &[_, heads, q, k] = dims else {
            bail!("masked softmax wants (batch, heads, q, k) scores, got {dims:?}");
        };
        let (scores, bias) = f32_pair(s1, l1, s2, l2, self.name())?;
        let per_batch = heads * q * k;
        if k == 0 || per_batch == 0 || scores.len() % per_batch != 0 {
            return Ok(());
        }
        if bias.len() != scores.len() / per_batch * k {
            bail!("padding bias of {} for scores {dims:?}", bias.len());
        }
        for (block, bias) in scores.chunks_exact_mut(per_batch).zip(bias.chunks_exact(k)) {
            for row in block.chunks_exact_mut(k) {
                softmax_row(row, bias);
            }
        }
        Ok(())
    }
}

/// `row = softmax(row + bias)`. Float reductions do not vectorise in
/// order, so max and sum run over eight independent lanes, and `exp` gets a
/// loop of its own.
fn softmax_row(row: &mut [f32], bias: &[f32]) {
    const LANES: usize = 8;
    let mut max = [f32::NEG_INFINITY; LANES];
    let mut chunks = row.chunks_exact_mut(LANES);
    let mut biases = bias.chunks_exact(LANES);
    for (c, b) in (&mut chunks).zip(&mut biases) {
        for i in 0..LANES {
            c[i] += b[i];
            max[i] = max[i].max(c[i]);
        }
    }
    for (v, b) in chunks.into_remainder().iter_mut().zip(biases.remainder()) {
        *v += b;
        max[0] = max[0].max(*v);
    }
    let max = max.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    for v in row.iter_mut() {
        *v = exp(*v - max);
    }
    let mut sum = [0f32; LANES];
    let mut chunks = row.chunks_exact(LANES);
    for c in &mut chunks {
        for i in 0..LANES {
            sum[i] += c[i];
        }
    }
    let sum = sum.iter().sum::<f32>() + chunks.remainder().iter().sum::<f32>();
    let inv = if sum > 0.0 { 1.0 / sum } else { 0.0 };
    for v in row.iter_mut() {
        *v *= inv;
    }
}

fn f32_pair<'a>(
    s1: &'a mut CpuStorage,
    l1: &Layout,
    s2: &'a CpuStorage,
    l2: &Layout,
    name: &str,
) -> Result<(&'a mut [f32], &'a [f32])> {
    let (CpuStorage::F32(a), CpuStorage::F32(b)) = (s1, s2) else {
        bail!("{name}: only f32 tensors");
    };
    let (Some((a0, a1)), Some((b0, b1))) = (l1.contiguous_offsets(), l2.contiguous_offsets())
    else {
        bail!("{name}: only contiguous tensors");
    };
    match (a.get_mut(a0..a1), b.get(b0..b1)) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => bail!("{name}: layout outside its storage"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_rows_sum_to_one_and_respect_the_mask() {
        let mut row: Vec<f32> = (0..19).map(|i| i as f32 * 0.3 - 2.0).collect();
        let mut bias = vec![0f32; 19];
        bias[4] = -f32::MAX;
        let want: Vec<f64> = {
            let e: Vec<f64> = row
                .iter()
                .enumerate()
                .map(|(i, &v)| if i == 4 { 0.0 } else { (v as f64).exp() })
                .collect();
            let s: f64 = e.iter().sum();
            e.iter().map(|x| x / s).collect()
        };
        softmax_row(&mut row, &bias);
        for (got, want) in row.iter().zip(&want) {
            assert!((*got as f64 - want).abs() < 1e-6, "{got} vs {want}");
        }
    }
}
