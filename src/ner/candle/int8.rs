//! 8-bit matrix products for the encoder's linear layers (opt-in, see
//! [`Precision::Int8`](crate::ner::Precision::Int8)).
//!
//! Why: the f32 matrix products are about three quarters of the time of a
//! forward pass, and on AVX2 a product of 16-bit integers
//! (`vpmaddwd`: 16 multiply-adds per instruction) does twice the work of an
//! f32 fused multiply-add (8) per instruction. Weights are quantized once, on
//! load, to 8 bits per output column (symmetric, scale = max |w| / 127);
//! activations are quantized per row at every call (dynamic quantization, as
//! PyTorch's `quantize_dynamic` does for BERT). Integer sums are exact, so the
//! only error is the rounding of the two operands — the model's F1 is
//! checked against f32 by `tests/ner_model.rs`.
//!
//! Layout: both operands are packed so that the micro-kernel reads them
//! sequentially. The weights form panels of [`NR`] columns, each holding for
//! every pair of inputs `p` the 16-bit pairs `(w[2p][c], w[2p+1][c])` of its
//! columns; a block of [`MR`] activation rows holds, for every `p`, each
//! row's pair `(x[r][2p], x[r][2p+1])`. One `vpmaddwd` of a broadcast row pair
//! with eight column pairs gives eight 32-bit partial sums.

use super::ops::gelu_erf;
use rayon::prelude::*;

/// Rows of the micro-kernel's output tile.
const MR: usize = 6;
/// Columns of the micro-kernel's output tile (two AVX2 registers of i32).
const NR: usize = 16;
/// Largest quantized value: symmetric, so that -127..=127 and the products
/// of two operands never overflow a 32-bit sum of fewer than 2^17 terms.
const QMAX: f32 = 127.0;
/// Input pairs per block of the product (see [`QuantWeights::block`]).
const KC: usize = 256;
/// Most rows per block of the product: their quantized activations for KC
/// pairs take MC × KC × 4 bytes = 252 KiB.
const MC: usize = 252;
/// Weight panels per block of columns: the 32-bit sums of a block of rows
/// for them take MC × NC_PANELS × NR × 4 bytes = 252 KiB.
const NC_PANELS: usize = 16;

/// A weight matrix of a linear layer, quantized to 8 bits per output (held
/// in 16-bit lanes for `vpmaddwd`), packed in panels of [`NR`] outputs.
pub(super) struct QuantWeights {
    inputs: usize,
    outputs: usize,
    /// `inputs.div_ceil(2)`: input pairs.
    pairs: usize,
    /// `outputs.div_ceil(NR)` panels of `pairs × NR × 2` values.
    packed: Vec<i16>,
    /// Per output: the value of one quantization step.
    scales: Vec<f32>,
}

impl QuantWeights {
    /// Quantizes `weight`, row-major `(outputs, inputs)` — the layout of a
    /// PyTorch `Linear` — to 8 bits per output row.
    pub(super) fn new(weight: &[f32], outputs: usize, inputs: usize) -> Self {
        debug_assert_eq!(weight.len(), outputs * inputs);
        let pairs = inputs.div_ceil(2);
        let mut packed = vec![0i16; outputs.div_ceil(NR) * pairs * NR * 2];
        let mut scales = vec![0f32; outputs];
        for (c, row) in weight.chunks_exact(inputs.max(1)).enumerate().take(outputs) {
            let (scale, inv) = step(row);
            scales[c] = scale;
            let base = (c / NR) * pairs * NR * 2 + (c % NR) * 2;
            for (i, &v) in row.iter().enumerate() {
                packed[base + (i / 2) * NR * 2 + i % 2] = quantize(v, inv);
            }
        }
        QuantWeights {
            inputs,
            outputs,
            pairs,
            packed,
            scales,
        }
    }

    /// Number of inputs (rows of the transposed weight).
    pub(super) fn inputs(&self) -> usize {
        self.inputs
    }

    /// Number of outputs.
    pub(super) fn outputs(&self) -> usize {
        self.outputs
    }

    /// `out = x · Wᵀ + bias` for `x` of `rows × inputs` (row-major), `out`
    /// of `rows × outputs`, then GELU on every value when `gelu`.
    /// Row blocks run in parallel on rayon's pool.
    pub(super) fn matmul(&self, x: &[f32], bias: &[f32], gelu: bool, out: &mut [f32]) {
        let (k, n) = (self.inputs, self.outputs);
        if k == 0 || n == 0 {
            for row in out.chunks_exact_mut(n.max(1)) {
                for (o, b) in row.iter_mut().zip(bias) {
                    *o = if gelu { gelu_erf(*b) } else { *b };
                }
            }
            return;
        }
        let rows = x.len() / k;
        debug_assert_eq!(out.len(), rows * n);
        // Blocks of up to MC rows, whose quantized activations for one block
        // of KC inputs stay in the 512 KiB L2 cache while the weight panels
        // pass over them; as many blocks as a multiple of the threads, of
        // even size, so that no thread waits for another's last block.
        let threads = rayon::current_num_threads().max(1);
        let blocks = rows.div_ceil(MC).div_ceil(threads) * threads;
        let block = rows.div_ceil(blocks.max(1)).div_ceil(MR).max(1) * MR;
        if rayon::current_num_threads() <= 1 {
            // On the caller's thread: with a pool of one, several callers
            // (one per worker of a corpus) would queue for that one thread.
            for (out, x) in out.chunks_mut(block * n).zip(x.chunks(block * k)) {
                self.block(x, bias, gelu, out);
            }
        } else {
            out.par_chunks_mut(block * n)
                .zip(x.par_chunks(block * k))
                .for_each(|(out, x)| self.block(x, bias, gelu, out));
        }
    }

    /// One block of rows: quantize them, then every weight panel × every
    /// [`MR`] rows. The element-wise loops around the kernel (quantizing,
    /// scaling, GELU) were 13 % of a forward pass when compiled for the
    /// x86-64 baseline (SSE2, scalar rounding); built for AVX2 they run
    /// eight lanes at a time.
    fn block(&self, x: &[f32], bias: &[f32], gelu: bool, out: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU has the features `block_avx2` is built for.
            return unsafe { self.block_avx2(x, bias, gelu, out) };
        }
        self.block_any(x, bias, gelu, out)
    }

    /// [`block_any`](Self::block_any) compiled for AVX2 and FMA.
    ///
    /// # Safety
    /// The CPU supports AVX2 and FMA.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn block_avx2(&self, x: &[f32], bias: &[f32], gelu: bool, out: &mut [f32]) {
        self.block_any(x, bias, gelu, out)
    }

    #[inline(always)]
    fn block_any(&self, x: &[f32], bias: &[f32], gelu: bool, out: &mut [f32]) {
        let (k, n, pairs) = (self.inputs, self.outputs, self.pairs);
        let rows = x.len() / k;
        let tiles = rows.div_ceil(MR);
        // Quantized pairs of the block's rows as u32 (two i16 each), tile by
        // tile, row-interleaved: [tile][pair][row].
        let mut qx = vec![0u32; tiles * pairs * MR];
        let mut sx = vec![0f32; tiles * MR];
        // One tile's rows quantized, row by row, then interleaved in order
        // (writing each row straight into its tile strides through memory).
        let mut rows_q = vec![0i16; MR * pairs * 2];
        for ((x, qx), sx) in x
            .chunks(MR * k)
            .zip(qx.chunks_exact_mut(pairs * MR))
            .zip(sx.chunks_exact_mut(MR))
        {
            rows_q.fill(0);
            for ((row, q), s) in x
                .chunks_exact(k)
                .zip(rows_q.chunks_exact_mut(pairs * 2))
                .zip(sx)
            {
                let (scale, inv) = step(row);
                *s = scale;
                for (q, &v) in q.iter_mut().zip(row) {
                    *q = quantize(v, inv);
                }
            }
            for (p, dst) in qx.chunks_exact_mut(MR).enumerate() {
                for (r, d) in dst.iter_mut().enumerate() {
                    let pair = &rows_q[(r * pairs + p) * 2..][..2];
                    *d = pair[0] as u16 as u32 | (pair[1] as u16 as u32) << 16;
                }
            }
        }
        // Columns go in blocks of NC_PANELS panels, inputs in blocks of KC
        // pairs, so that the slice of a weight panel being used (KC × 64
        // bytes) stays in the L1 cache across all tiles, and the sums that
        // carry over between input blocks (`accs`) in L2.
        let kernel = kernel_for_this_cpu();
        let panel_len = pairs * NR * 2;
        let mut accs = vec![[[0i32; NR]; MR]; tiles * NC_PANELS];
        for (chunk, weights) in self.packed.chunks(NC_PANELS * panel_len).enumerate() {
            let panels = weights.len() / panel_len;
            for p0 in (0..pairs).step_by(KC) {
                let pc = KC.min(pairs - p0);
                for (panel, w) in weights.chunks_exact(panel_len).enumerate() {
                    let w = &w[p0 * NR * 2..][..pc * NR * 2];
                    for (tile, a) in qx.chunks_exact(pairs * MR).enumerate() {
                        let a = &a[p0 * MR..][..pc * MR];
                        kernel(a, w, pc, &mut accs[tile * panels + panel], p0 > 0);
                    }
                }
            }
            // Row by row, so that the scaling and the activation run over
            // whole rows of the chunk (they vectorise).
            let c0 = chunk * NC_PANELS * NR;
            let cols = (n - c0).min(NC_PANELS * NR);
            let (scales, bias) = (&self.scales[c0..][..cols], &bias[c0..][..cols]);
            for (r, (row, &sr)) in out.chunks_exact_mut(n).zip(&sx).enumerate() {
                let dst = &mut row[c0..][..cols];
                let accs = &accs[(r / MR) * panels..][..panels];
                for ((dst, acc), (scales, bias)) in dst
                    .chunks_mut(NR)
                    .zip(accs)
                    .zip(scales.chunks(NR).zip(bias.chunks(NR)))
                {
                    for (((o, &a), &s), &b) in
                        dst.iter_mut().zip(&acc[r % MR]).zip(scales).zip(bias)
                    {
                        *o = a as f32 * sr * s + b;
                    }
                }
                if gelu {
                    for o in dst.iter_mut() {
                        *o = gelu_erf(*o);
                    }
                }
            }
        }
    }
}

/// The quantization step of a row and its inverse: max |v| / 127 (0 for an
/// all-zero row, whose values all quantize to 0).
#[inline(always)]
fn step(row: &[f32]) -> (f32, f32) {
    // Eight independent lanes: a float reduction only vectorises that way.
    let mut lanes = [0f32; 8];
    let mut chunks = row.chunks_exact(8);
    for c in &mut chunks {
        for (m, v) in lanes.iter_mut().zip(c) {
            *m = m.max(v.abs());
        }
    }
    let max = chunks
        .remainder()
        .iter()
        .chain(&lanes)
        .fold(0f32, |m, v| m.max(v.abs()));
    if max > 0.0 && max.is_finite() {
        (max / QMAX, QMAX / max)
    } else {
        (0.0, 0.0)
    }
}

#[inline(always)]
fn quantize(v: f32, inv: f32) -> i16 {
    // Round half away from zero without `f32::round`, which is a libm call
    // without SSE4.1 and keeps the loop from vectorising; `as` saturates
    // and maps NaN to 0.
    // The detour through i32 vectorises (`vcvttps2dq`); the value is in
    // -127.5..=127.5, so the narrowing is exact.
    let x = (v * inv).clamp(-QMAX, QMAX);
    (x + 0.5f32.copysign(x)) as i32 as i16
}

/// `acc = a · w` (or `acc += a · w` when the flag is set) for one tile: `a` holds [`MR`] rows × `pairs` pairs, `w`
/// one panel of [`NR`] columns × `pairs` pairs.
type Kernel = fn(&[u32], &[i16], usize, &mut [[i32; NR]; MR], bool);

fn kernel_for_this_cpu() -> Kernel {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            return kernel_avx2;
        }
    }
    kernel_portable
}

/// The reference kernel (any CPU). Integer arithmetic is exact, so it gives
/// the same sums as the AVX2 kernel bit for bit.
fn kernel_portable(a: &[u32], w: &[i16], pairs: usize, acc: &mut [[i32; NR]; MR], add: bool) {
    if !add {
        *acc = [[0; NR]; MR];
    }
    for (a, w) in a.chunks_exact(MR).zip(w.chunks_exact(NR * 2)).take(pairs) {
        for (r, acc) in acc.iter_mut().enumerate() {
            let (a0, a1) = (a[r] as u16 as i16 as i32, (a[r] >> 16) as u16 as i16 as i32);
            for (c, acc) in acc.iter_mut().enumerate() {
                *acc += a0 * w[2 * c] as i32 + a1 * w[2 * c + 1] as i32;
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
fn kernel_avx2(a: &[u32], w: &[i16], pairs: usize, acc: &mut [[i32; NR]; MR], add: bool) {
    assert!(a.len() >= pairs * MR && w.len() >= pairs * NR * 2);
    // SAFETY: AVX2 was detected by `kernel_for_this_cpu`, the only place
    // that hands out this function, and the bounds were checked above.
    unsafe { kernel_avx2_inner(a.as_ptr(), w.as_ptr(), pairs, acc, add) }
}

/// # Safety
/// The CPU supports AVX2; `a` holds `pairs * MR` and `w`
/// `pairs * NR * 2` values.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn kernel_avx2_inner(
    a: *const u32,
    w: *const i16,
    pairs: usize,
    acc: &mut [[i32; NR]; MR],
    add: bool,
) {
    use std::arch::x86_64::*;
    let load = |r: usize, half: usize| {
        if add {
            // SAFETY: each half of a row holds eight i32.
            unsafe { _mm256_loadu_si256(acc[r][half * NR / 2..].as_ptr() as *const __m256i) }
        } else {
            _mm256_setzero_si256()
        }
    };
    let (mut c00, mut c01) = (load(0, 0), load(0, 1));
    let (mut c10, mut c11) = (load(1, 0), load(1, 1));
    let (mut c20, mut c21) = (load(2, 0), load(2, 1));
    let (mut c30, mut c31) = (load(3, 0), load(3, 1));
    let (mut c40, mut c41) = (load(4, 0), load(4, 1));
    let (mut c50, mut c51) = (load(5, 0), load(5, 1));
    let mut a = a as *const i32;
    let mut w = w as *const __m256i;
    for _ in 0..pairs {
        // SAFETY (whole loop body): `a` advances MR pairs (i32) and `w` two
        // registers (NR pairs) per step, within the lengths the caller
        // guaranteed.
        unsafe {
            let w0 = _mm256_loadu_si256(w);
            let w1 = _mm256_loadu_si256(w.add(1));
            let x = _mm256_set1_epi32(a.read_unaligned());
            c00 = _mm256_add_epi32(c00, _mm256_madd_epi16(x, w0));
            c01 = _mm256_add_epi32(c01, _mm256_madd_epi16(x, w1));
            let x = _mm256_set1_epi32(a.add(1).read_unaligned());
            c10 = _mm256_add_epi32(c10, _mm256_madd_epi16(x, w0));
            c11 = _mm256_add_epi32(c11, _mm256_madd_epi16(x, w1));
            let x = _mm256_set1_epi32(a.add(2).read_unaligned());
            c20 = _mm256_add_epi32(c20, _mm256_madd_epi16(x, w0));
            c21 = _mm256_add_epi32(c21, _mm256_madd_epi16(x, w1));
            let x = _mm256_set1_epi32(a.add(3).read_unaligned());
            c30 = _mm256_add_epi32(c30, _mm256_madd_epi16(x, w0));
            c31 = _mm256_add_epi32(c31, _mm256_madd_epi16(x, w1));
            let x = _mm256_set1_epi32(a.add(4).read_unaligned());
            c40 = _mm256_add_epi32(c40, _mm256_madd_epi16(x, w0));
            c41 = _mm256_add_epi32(c41, _mm256_madd_epi16(x, w1));
            let x = _mm256_set1_epi32(a.add(5).read_unaligned());
            c50 = _mm256_add_epi32(c50, _mm256_madd_epi16(x, w0));
            c51 = _mm256_add_epi32(c51, _mm256_madd_epi16(x, w1));
            a = a.add(MR);
            w = w.add(2);
        }
    }
    let rows = [
        [c00, c01],
        [c10, c11],
        [c20, c21],
        [c30, c31],
        [c40, c41],
        [c50, c51],
    ];
    for (acc, [lo, hi]) in acc.iter_mut().zip(rows) {
        let (left, right) = acc.split_at_mut(NR / 2);
        // SAFETY: each half holds eight i32, one unaligned register.
        unsafe {
            _mm256_storeu_si256(left.as_mut_ptr() as *mut __m256i, lo);
            _mm256_storeu_si256(right.as_mut_ptr() as *mut __m256i, hi);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic pseudo-random matrix in [-1, 1).
    fn matrix(len: usize, seed: u64) -> Vec<f32> {
        let mut s = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (0..len)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
            })
            .collect()
    }

    fn reference(x: &[f32], w: &[f32], bias: &[f32], rows: usize, n: usize, k: usize) -> Vec<f32> {
        let mut out = vec![0f32; rows * n];
        for r in 0..rows {
            for c in 0..n {
                let dot: f64 = (0..k)
                    .map(|i| x[r * k + i] as f64 * w[c * k + i] as f64)
                    .sum();
                out[r * n + c] = dot as f32 + bias[c];
            }
        }
        out
    }

    #[test]
    fn products_match_f32_within_quantization_error_for_ragged_shapes() {
        // Shapes that are not multiples of the tile (6 × 16) or even in k.
        // The last spans two row blocks (MC), two column chunks
        // (NC_PANELS × NR) and three input blocks (KC pairs).
        let shapes = [
            (1, 1, 1),
            (7, 17, 33),
            (13, 40, 64),
            (30, 9, 101),
            (100, 48, 768),
            (260, 300, 1100),
        ];
        for &(rows, n, k) in &shapes {
            let x = matrix(rows * k, 1);
            let w = matrix(n * k, 2);
            let bias = matrix(n, 3);
            let q = QuantWeights::new(&w, n, k);
            let mut out = vec![f32::NAN; rows * n];
            q.matmul(&x, &bias, false, &mut out);
            // The same on a pool of three threads (uneven blocks).
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(3)
                .build()
                .unwrap();
            let mut parallel = vec![f32::NAN; rows * n];
            pool.install(|| q.matmul(&x, &bias, false, &mut parallel));
            assert_eq!(out, parallel, "{rows}x{n}x{k}");
            let want = reference(&x, &w, &bias, rows, n, k);
            // Each operand is off by at most half a step (1/254 of its
            // row's max, here < 1): |error| ≤ k · (1/254 + 1/254 + tiny).
            let bound = k as f32 * 2.0 / 254.0;
            for (got, want) in out.iter().zip(&want) {
                assert!(
                    (got - want).abs() <= bound,
                    "{rows}x{n}x{k}: {got} vs {want}"
                );
            }
            // And far better on average than the worst case.
            let mean = out
                .iter()
                .zip(&want)
                .map(|(g, w)| (g - w).abs())
                .sum::<f32>()
                / out.len() as f32;
            assert!(
                mean < (k as f32).sqrt() * 0.01,
                "{rows}x{n}x{k}: mean error {mean}"
            );
        }
    }

    #[test]
    fn the_simd_kernel_agrees_with_the_portable_one_exactly() {
        let (pairs, a, w) = (37, matrix(37 * MR, 4), matrix(37 * NR * 2, 5));
        let a: Vec<u32> = a.iter().map(|v| (v * 4.0e9) as i32 as u32).collect();
        let w: Vec<i16> = w.iter().map(|v| (v * 127.0) as i16).collect();
        let mut want = [[0; NR]; MR];
        kernel_portable(&a, &w, pairs, &mut want, false);
        kernel_portable(&a, &w, pairs, &mut want, true);
        let mut got = [[1; NR]; MR];
        kernel_for_this_cpu()(&a, &w, pairs, &mut got, false);
        kernel_for_this_cpu()(&a, &w, pairs, &mut got, true);
        assert_eq!(got, want);
    }

    #[test]
    fn zero_rows_give_the_activated_bias() {
        let (rows, n, k) = (3, 5, 8);
        let x = vec![0f32; rows * k];
        let w = matrix(n * k, 6);
        let bias = matrix(n, 7);
        let q = QuantWeights::new(&w, n, k);
        let mut out = vec![f32::NAN; rows * n];
        q.matmul(&x, &bias, true, &mut out);
        for row in out.chunks(n) {
            for (o, b) in row.iter().zip(&bias) {
                assert_eq!(*o, gelu_erf(*b));
            }
        }
    }
}
