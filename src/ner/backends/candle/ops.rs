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
use super::simd::widest;
use candle_core::{bail, CpuStorage, CustomOp1, InplaceOp1, InplaceOp2, Layout, Result, Shape};

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
        widest(
            #[inline(always)]
            || {
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
            },
        );
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

/// Attention probabilities in place: a softmax over the last dimension of
/// one window's scores (…, q, k). Windows are never padded here (the encoder
/// runs attention window by window on its real length), so there is no mask.
pub(super) struct Softmax;

impl InplaceOp1 for Softmax {
    fn name(&self) -> &'static str {
        "saidwho-softmax"
    }

    fn cpu_fwd(&self, s: &mut CpuStorage, l: &Layout) -> Result<()> {
        let CpuStorage::F32(scores) = s else {
            bail!("{}: only f32 tensors", self.name());
        };
        let Some(scores) = l
            .contiguous_offsets()
            .and_then(|(a, b)| scores.get_mut(a..b))
        else {
            bail!("{}: only contiguous tensors", self.name());
        };
        let k = l.dims().last().copied().unwrap_or(0);
        if k == 0 || scores.len() % k != 0 {
            return Ok(());
        }
        widest(
            #[inline(always)]
            || {
                for row in scores.chunks_exact_mut(k) {
                    softmax_row(row);
                }
            },
        );
        Ok(())
    }
}

/// A small linear layer computed token by token: `x` (…, in) → `x · Wᵀ +
/// bias` (…, out), each output a dot product in a fixed order. For the
/// classifier head: a BLAS-style kernel picks its path by the size of the
/// whole matrix, so with 9 outputs a token's logits moved in the 6th digit
/// with the number of other tokens in the batch; here they cannot.
pub(super) struct RowLinear<'a> {
    /// (out, in), row-major.
    pub weight: &'a [f32],
    pub bias: &'a [f32],
}

impl CustomOp1 for RowLinear<'_> {
    fn name(&self) -> &'static str {
        "saidwho-row-linear"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let CpuStorage::F32(x) = storage else {
            bail!("{}: only f32 tensors", self.name());
        };
        let Some(x) = layout.contiguous_offsets().and_then(|(a, b)| x.get(a..b)) else {
            bail!("{}: only contiguous tensors", self.name());
        };
        let n = self.bias.len();
        let mut dims = layout.dims().to_vec();
        let k = match dims.last_mut() {
            Some(last) if n > 0 && self.weight.len() == n * *last => std::mem::replace(last, n),
            _ => bail!(
                "{}: input {dims:?} for a layer of {} weights and {n} outputs",
                self.name(),
                self.weight.len()
            ),
        };
        let mut out = Vec::with_capacity(x.len() / k.max(1) * n);
        if k > 0 {
            for row in x.chunks_exact(k) {
                for (w, b) in self.weight.chunks_exact(k).zip(self.bias) {
                    out.push(dot(row, w) + b);
                }
            }
        }
        Ok((CpuStorage::F32(out), Shape::from(dims)))
    }
}

/// `a · b` over eight independent lanes (so it vectorises), in an order that
/// depends only on the length.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    const LANES: usize = 8;
    let mut acc = [0f32; LANES];
    let (mut ca, mut cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    for (x, y) in (&mut ca).zip(&mut cb) {
        for i in 0..LANES {
            acc[i] += x[i] * y[i];
        }
    }
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    acc.iter().sum::<f32>() + tail
}

/// `row = softmax(row)`. Float reductions do not vectorise in order, so max
/// and sum run over eight independent lanes, and `exp` gets a loop of its own.
#[inline(always)]
fn softmax_row(row: &mut [f32]) {
    const LANES: usize = 8;
    let mut max = [f32::NEG_INFINITY; LANES];
    let mut chunks = row.chunks_exact(LANES);
    for c in &mut chunks {
        for i in 0..LANES {
            max[i] = max[i].max(c[i]);
        }
    }
    for v in chunks.remainder() {
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
    fn softmax_rows_sum_to_one() {
        let mut row: Vec<f32> = (0..19).map(|i| i as f32 * 0.3 - 2.0).collect();
        let want: Vec<f64> = {
            let e: Vec<f64> = row.iter().map(|&v| (v as f64).exp()).collect();
            let s: f64 = e.iter().sum();
            e.iter().map(|x| x / s).collect()
        };
        softmax_row(&mut row);
        for (got, want) in row.iter().zip(&want) {
            assert!((*got as f64 - want).abs() < 1e-6, "{got} vs {want}");
        }
    }

    #[test]
    fn row_linear_is_the_product_and_ignores_the_other_rows() {
        let (k, n) = (13, 3);
        let w: Vec<f32> = (0..k * n)
            .map(|i| ((i * 7 % 11) as f32 - 5.0) * 0.1)
            .collect();
        let b = [0.5f32, -1.0, 0.25];
        let x: Vec<f32> = (0..4 * k)
            .map(|i| ((i * 5 % 9) as f32 - 4.0) * 0.2)
            .collect();
        let op = RowLinear {
            weight: &w,
            bias: &b,
        };
        let run = |rows: usize| {
            let (CpuStorage::F32(out), shape) = op
                .cpu_fwd(
                    &CpuStorage::F32(x[..rows * k].to_vec()),
                    &Layout::contiguous((rows, k)),
                )
                .unwrap()
            else {
                unreachable!("f32 in, f32 out")
            };
            assert_eq!(shape.dims(), &[rows, n]);
            out
        };
        let all = run(4);
        for r in 0..4 {
            for j in 0..n {
                let want: f64 = (0..k)
                    .map(|i| x[r * k + i] as f64 * w[j * k + i] as f64)
                    .sum::<f64>()
                    + b[j] as f64;
                assert!((all[r * n + j] as f64 - want).abs() < 1e-5);
            }
        }
        assert_eq!(run(1), all[..n], "row 0 alone equals row 0 in a batch");
    }
}
