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

/// GELU, erf form: `x/2 · (1 + erf(x/√2))`.
#[inline(always)]
pub(super) fn gelu_erf(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// erf for f32 as a rational approximation on [-4, 4] (beyond it erf is
/// ±1 in f32); the coefficients are Eigen's and XLA's `erf` for floats.
#[inline(always)]
pub(super) fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = x2 * -2.726_142_3e-10 + 2.770_681_4e-8;
    p = x2 * p + -2.101_024e-6;
    p = x2 * p + -5.692_506_4e-5;
    p = x2 * p + -7.349_906_3e-4;
    p = x2 * p + -2.954_6e-3;
    p = x2 * p + -1.609_603_3e-2;
    p *= x;
    let mut q = x2 * -1.456_607_2e-5 + -2.133_740_6e-4;
    q = x2 * q + -1.682_827e-3;
    q = x2 * q + -7.373_329_2e-3;
    q = x2 * q + -1.426_473_9e-2;
    p / q
}

/// e^x for f32 (Cephes' `expf`): x = n·ln2 + r, e^r by a degree-5
/// polynomial, 2^n by building the float's exponent bits. Round-to-nearest
/// uses the 1.5·2^23 trick instead of `floor`, which would not vectorise.
#[inline(always)]
pub(super) fn exp(x: f32) -> f32 {
    const MAGIC: f32 = 12_582_912.0; // 1.5 * 2^23
    let x = x.clamp(-87.0, 88.0);
    let shifted = x * std::f32::consts::LOG2_E + MAGIC;
    let n = shifted - MAGIC;
    let r = x - n * 0.693_359_4 - n * -2.121_944_4e-4;
    let mut p = 1.987_569_1e-4;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 5e-1;
    let er = p * r * r + r + 1.0;
    // The low mantissa bits of `shifted` hold n (offset by 2^22) as an integer.
    let bits = shifted
        .to_bits()
        .wrapping_sub(MAGIC.to_bits())
        .wrapping_add(127)
        << 23;
    er * f32::from_bits(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn erf64(x: f64) -> f64 {
        // Abramowitz–Stegun 7.1.26 is too coarse for a reference; integrate
        // the series instead (converges fast for |x| ≤ 4 in f64).
        let mut sum = 0f64;
        let mut term = x;
        let mut n = 0f64;
        while term.abs() > 1e-17 * sum.abs().max(1e-300) || n < 3.0 {
            sum += term / (2.0 * n + 1.0);
            n += 1.0;
            term *= -x * x / n;
            if n > 400.0 {
                break;
            }
        }
        sum * 2.0 / std::f64::consts::PI.sqrt()
    }

    #[test]
    fn erf_is_accurate() {
        let mut worst = 0f64;
        for i in -6000..=6000 {
            let x = i as f64 / 1000.0;
            let want = if x.abs() > 4.0 { x.signum() } else { erf64(x) };
            worst = worst.max((erf(x as f32) as f64 - want).abs());
        }
        assert!(worst < 1e-6, "worst erf error {worst}");
    }

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

    #[test]
    fn exp_is_accurate() {
        let mut worst = 0f64;
        for i in -8700..=8800 {
            let x = i as f32 / 100.0;
            let want = (x as f64).exp();
            let got = exp(x) as f64;
            worst = worst.max(((got - want) / want).abs());
        }
        assert!(worst < 1e-6, "worst relative exp error {worst}");
        assert_eq!(exp(f32::NEG_INFINITY), exp(-87.0));
        assert!(exp(-1e30) >= 0.0 && exp(1e30).is_finite());
    }
}
