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
use crate::utils::math::{exp, gelu_erf};
use crate::utils::simd::widest;
use candle_core::{bail, CpuStorage, CustomOp1, InplaceOp2, Layout, Result, Shape};
use rayon::prelude::*;

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

/// Multi-head self-attention of every window on its own length, from the
/// fused projections: `qkv` (windows, seq, 3 · hidden) holds each token's
/// query (pre-scaled by 1/√d), key and value side by side; the result is
/// the attention context (windows, seq, hidden), zero past a window's
/// length. Window `i` has `lens[i]` real tokens, so there is no mask.
///
/// Why not candle's tensor operations: they need each head's queries, keys
/// and values as contiguous (windows, heads, seq, d) tensors and a run of
/// windows cut to one length, so a layer copied its activations about nine
/// times (split, narrow, transpose, pad, concatenate, transpose back), a
/// tenth of a forward pass in the profiles on an Intel Xeon. Here the
/// products read the projections in place; each score and each context value
/// is a sum in a fixed order over the window's own tokens, so a window's
/// result depends on nothing else in its batch.
pub(super) struct Attention<'a> {
    pub heads: usize,
    pub lens: &'a [usize],
}

impl CustomOp1 for Attention<'_> {
    fn name(&self) -> &'static str {
        "saidwho-attention"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let CpuStorage::F32(qkv) = storage else {
            bail!("{}: only f32 tensors", self.name());
        };
        let Some(qkv) = layout.contiguous_offsets().and_then(|(a, b)| qkv.get(a..b)) else {
            bail!("{}: only contiguous tensors", self.name());
        };
        let &[b, s, h3] = layout.dims() else {
            bail!(
                "{}: (windows, seq, 3·hidden) expected, got {:?}",
                self.name(),
                layout.dims()
            );
        };
        let (h, heads) = (h3 / 3, self.heads);
        if h3 % 3 != 0 || heads == 0 || h % heads != 0 || self.lens.len() != b {
            bail!(
                "{}: {h3} projections, {heads} heads, {} lengths for {b} windows",
                self.name(),
                self.lens.len()
            );
        }
        let mut out = vec![0f32; b * s * h];
        if h > 0 && s > 0 {
            let window = |(i, out): (usize, &mut [f32])| {
                let len = self.lens[i].min(s);
                attend(
                    &qkv[i * s * h3..][..len * h3],
                    len,
                    heads,
                    &mut out[..len * h],
                );
            };
            if rayon::current_num_threads() > 1 && b > 1 {
                out.par_chunks_mut(s * h).enumerate().for_each(window);
            } else {
                out.chunks_mut(s * h).enumerate().for_each(window);
            }
        }
        Ok((CpuStorage::F32(out), Shape::from((b, s, h))))
    }
}

/// One window of `len` tokens: `qkv`, their (query, key, value) rows of
/// 3 · hidden, into `out`, their context rows of hidden, head by head: two
/// matrix products that read the head's columns in place (with strides).
fn attend(qkv: &[f32], len: usize, heads: usize, out: &mut [f32]) {
    if len == 0 {
        return;
    }
    let h = out.len() / len;
    let d = h / heads;
    let mut probs = vec![0f32; len * len];
    for head in 0..heads {
        let (q, k, v) = (head * d, h + head * d, 2 * h + head * d);
        // scores (len × len) = Q (len × d, rows 3h apart) · Kᵀ (d × len:
        // element (j, u) is key u's dimension j).
        let queries = Strided::new(&qkv[q..], len, d, 3 * h, 1);
        let keys_t = Strided::new(&qkv[k..], d, len, 1, 3 * h);
        product(&mut probs, len, queries, keys_t);
        widest(
            #[inline(always)]
            || {
                for row in probs.chunks_exact_mut(len) {
                    softmax_row(row);
                }
            },
        );
        // context (len × d, rows h apart in `out`) = P (len × len) · V
        // (len × d, rows 3h apart).
        let values = Strided::new(&qkv[v..], len, d, 3 * h, 1);
        product(
            &mut out[q..],
            h,
            Strided::new(&probs, len, len, len, 1),
            values,
        );
    }
}

/// A read-only matrix in a slice: `rows × cols` values, element (r, c) at
/// `r · row_stride + c · col_stride`.
#[derive(Clone, Copy)]
struct Strided<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    row_stride: usize,
    col_stride: usize,
}

impl<'a> Strided<'a> {
    fn new(
        data: &'a [f32],
        rows: usize,
        cols: usize,
        row_stride: usize,
        col_stride: usize,
    ) -> Self {
        Strided {
            data,
            rows,
            cols,
            row_stride,
            col_stride,
        }
    }

    /// Whether every element lies in `data` (and no offset overflows).
    fn fits(&self) -> bool {
        if self.rows == 0 || self.cols == 0 {
            return true;
        }
        let last = (self.rows - 1)
            .checked_mul(self.row_stride)
            .zip((self.cols - 1).checked_mul(self.col_stride))
            .and_then(|(a, b)| a.checked_add(b));
        let len = self.data.len();
        last.is_some_and(|last| last < len && len <= isize::MAX as usize)
    }
}

/// `dst = lhs · rhs`, `dst` row-major with rows `dst_stride` apart, by
/// gemm's kernels (AVX-512, FMA or scalar, chosen at run time) on the
/// calling thread. Shapes that do not fit their slices are an internal
/// error: checked, and the product is then skipped (debug builds panic).
#[allow(unsafe_code)]
fn product(dst: &mut [f32], dst_stride: usize, lhs: Strided, rhs: Strided) {
    let (m, k, n) = (lhs.rows, lhs.cols, rhs.cols);
    let out = Strided::new(dst, m, n, dst_stride, 1);
    let fits = rhs.rows == k && lhs.fits() && rhs.fits() && out.fits();
    debug_assert!(fits, "attention product shapes");
    if !fits || m == 0 || n == 0 {
        return;
    }
    let stride = |s: usize| s as isize;
    // SAFETY: every element gemm reads or writes, (r, c) at r · row stride
    // + c · column stride for r < rows, c < cols, lies inside its slice
    // (`fits`, which also keeps the offsets within isize); `dst` is borrowed
    // mutably, the operands shared, so they do not overlap; `read_dst` is
    // false, so `dst` is only written.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            stride(dst_stride),
            false,
            lhs.data.as_ptr(),
            stride(lhs.col_stride),
            stride(lhs.row_stride),
            rhs.data.as_ptr(),
            stride(rhs.col_stride),
            stride(rhs.row_stride),
            0.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        )
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

    /// The attention of one window, in f64, straight from the definition.
    fn attention_reference(qkv: &[f32], len: usize, h: usize, heads: usize) -> Vec<f64> {
        let d = h / heads;
        let at = |t: usize, part: usize, head: usize, j: usize| {
            qkv[t * 3 * h + part * h + head * d + j] as f64
        };
        let mut out = vec![0f64; len * h];
        for head in 0..heads {
            for t in 0..len {
                let scores: Vec<f64> = (0..len)
                    .map(|u| (0..d).map(|j| at(t, 0, head, j) * at(u, 1, head, j)).sum())
                    .collect();
                let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let e: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
                let sum: f64 = e.iter().sum();
                for j in 0..d {
                    out[t * h + head * d + j] =
                        (0..len).map(|u| e[u] / sum * at(u, 2, head, j)).sum();
                }
            }
        }
        out
    }

    #[test]
    fn attention_matches_the_definition_window_by_window_and_zeroes_padding() {
        let (b, s, h, heads) = (3, 7, 12, 3);
        let qkv: Vec<f32> = (0..b * s * 3 * h)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) * 0.02)
            .collect();
        let lens = [7, 4, 0];
        let run = |lens: &[usize], qkv: &[f32], b: usize| {
            let op = Attention { heads, lens };
            let (CpuStorage::F32(out), shape) = op
                .cpu_fwd(
                    &CpuStorage::F32(qkv.to_vec()),
                    &Layout::contiguous((b, s, 3 * h)),
                )
                .unwrap()
            else {
                unreachable!("f32 in, f32 out")
            };
            assert_eq!(shape.dims(), &[b, s, h]);
            out
        };
        let out = run(&lens, &qkv, b);
        for (i, &len) in lens.iter().enumerate() {
            let window = &qkv[i * s * 3 * h..][..len * 3 * h];
            let want = attention_reference(window, len, h, heads);
            let got = &out[i * s * h..][..s * h];
            for (g, w) in got.iter().zip(&want) {
                assert!((*g as f64 - w).abs() < 1e-5, "window {i}: {g} vs {w}");
            }
            assert!(
                got[len * h..].iter().all(|&v| v == 0.0),
                "padding of window {i}"
            );
            // A window alone gives the same bits as in its batch.
            let alone = run(&[len], &qkv[i * s * 3 * h..][..s * 3 * h], 1);
            assert_eq!(alone, got, "window {i} alone");
        }
        // And on a pool of two threads.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        assert_eq!(pool.install(|| run(&lens, &qkv, b)), out);
    }

    #[test]
    fn attention_rejects_shapes_it_cannot_split() {
        let op = Attention {
            heads: 5,
            lens: &[1],
        };
        let bad = op.cpu_fwd(
            &CpuStorage::F32(vec![0.0; 36]),
            &Layout::contiguous((1, 1, 36)),
        );
        assert!(bad.is_err(), "12 hidden values in 5 heads");
        let op = Attention {
            heads: 3,
            lens: &[1, 1],
        };
        let bad = op.cpu_fwd(
            &CpuStorage::F32(vec![0.0; 36]),
            &Layout::contiguous((1, 1, 36)),
        );
        assert!(bad.is_err(), "two lengths for one window");
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
