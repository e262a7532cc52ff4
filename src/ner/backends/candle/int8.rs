//! 8-bit matrix products for the encoder's linear layers (opt-in, see
//! [`Precision::Int8`](crate::ner::Precision::Int8)).
//!
//! Why: the f32 matrix products are about three quarters of the time of a
//! forward pass. On AVX2, `vpmaddubsw` multiplies 32 unsigned bytes by 32
//! signed bytes and adds adjacent pairs (32 multiply-adds per instruction,
//! against 8 for an f32 fused multiply-add); `vpmaddwd` by ones then widens
//! the pair sums to 32 bits. Measured on the workplace's AMD EPYC, a 6 × 16
//! tile runs at about 90 G multiply-adds/s from L1 against 47 G for f32.
//!
//! Quantization is dynamic, as PyTorch's `quantize_dynamic` for BERT: the
//! weights once, on load, symmetric per output to -63..=63 (7 bits, so
//! that a pair of products, at most 2 · 255 · 63 = 32,130, never saturates
//! `vpmaddubsw`'s 16-bit sums); the activations at every call, per row
//! (token), to 0..=255 with a zero point (8 bits, asymmetric, so one-sided
//! rows such as GELU outputs use all 256 levels). Integer sums are exact;
//! the zero point's share, `zp · Σ w`, is subtracted with per-output sums
//! of the quantized weights. The only error is the rounding of the two
//! operands — the model's F1 is checked against f32 by `tests/ner_model.rs`.
//!
//! Layout: both operands are packed so that the micro-kernel reads them
//! sequentially. The weights form panels of [`NR`] columns, holding for every
//! quad of inputs `q` the four bytes `w[4q..4q+4][c]` of each column; a
//! tile of [`MR`] activation rows holds, for every quad, each row's four
//! bytes as one `u32`, which the kernel broadcasts.

use super::math::gelu_erf;
use rayon::prelude::*;

/// Rows of the micro-kernel's output tile.
const MR: usize = 6;
/// Columns of the micro-kernel's output tile (two AVX2 registers of i32).
const NR: usize = 16;
/// Largest quantized weight (7 bits, see the module docs).
const WMAX: f32 = 63.0;
/// Largest quantized activation (8 bits, unsigned).
const XMAX: f32 = 255.0;
/// Input quads per block of the product (see [`QuantWeights::block`]).
const KC: usize = 256;
/// Most rows per block of the product: their quantized activations for KC
/// quads take MC × KC × 4 bytes = 252 KiB.
const MC: usize = 252;
/// Weight panels per block of columns: the 32-bit sums of a block of rows
/// for them take MC × NC_PANELS × NR × 4 bytes = 252 KiB.
const NC_PANELS: usize = 16;

/// A weight matrix of a linear layer, quantized per output to 7-bit signed
/// bytes, packed in panels of [`NR`] outputs.
pub(super) struct QuantWeights {
    inputs: usize,
    outputs: usize,
    /// `inputs.div_ceil(4)`: input quads.
    quads: usize,
    /// `outputs.div_ceil(NR)` panels of `quads × NR × 4` bytes.
    packed: Vec<i8>,
    /// Per output: the value of one quantization step.
    scales: Vec<f32>,
    /// Per output: the sum of its quantized weights (for the zero point).
    sums: Vec<i32>,
}

impl QuantWeights {
    /// Quantizes `weight`, row-major `(outputs, inputs)` — the layout of a
    /// PyTorch `Linear` — per output row.
    pub(super) fn new(weight: &[f32], outputs: usize, inputs: usize) -> Self {
        debug_assert_eq!(weight.len(), outputs * inputs);
        let quads = inputs.div_ceil(4);
        let mut packed = vec![0i8; outputs.div_ceil(NR) * quads * NR * 4];
        let mut scales = vec![0f32; outputs];
        let mut sums = vec![0i32; outputs];
        for (c, row) in weight.chunks_exact(inputs.max(1)).enumerate().take(outputs) {
            let max = max_abs(row);
            let (scale, inv) = if max > 0.0 && max.is_finite() {
                (max / WMAX, WMAX / max)
            } else {
                (0.0, 0.0)
            };
            scales[c] = scale;
            let base = (c / NR) * quads * NR * 4 + (c % NR) * 4;
            for (i, &v) in row.iter().enumerate() {
                let q = round(v * inv, -WMAX, WMAX);
                packed[base + (i / 4) * NR * 4 + i % 4] = q as i8;
                sums[c] += q;
            }
        }
        QuantWeights {
            inputs,
            outputs,
            quads,
            packed,
            scales,
            sums,
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
        if threads == 1 {
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
        let (k, n, quads) = (self.inputs, self.outputs, self.quads);
        let rows = x.len() / k;
        let tiles = rows.div_ceil(MR);
        // Quantized quads of the block's rows as u32 (four bytes each), tile
        // by tile, row-interleaved: [tile][quad][row]. One tile's rows are
        // quantized row by row, then interleaved in order (writing each row
        // straight into its tile strides through memory).
        let mut qx = vec![0u32; tiles * quads * MR];
        let mut sx = vec![0f32; tiles * MR];
        let mut zx = vec![0i32; tiles * MR];
        let mut rows_q = vec![0u8; MR * quads * 4];
        for (((x, qx), sx), zx) in x
            .chunks(MR * k)
            .zip(qx.chunks_exact_mut(quads * MR))
            .zip(sx.chunks_exact_mut(MR))
            .zip(zx.chunks_exact_mut(MR))
        {
            for (((row, q), s), z) in x
                .chunks_exact(k)
                .zip(rows_q.chunks_exact_mut(quads * 4))
                .zip(sx)
                .zip(zx)
            {
                let (scale, inv, zero) = activation_step(row);
                (*s, *z) = (scale, zero as i32);
                for (q, &v) in q.iter_mut().zip(row) {
                    // Adding 1.5 · 2^23 rounds a float in 0..=255 to the
                    // integer in its low mantissa bits: a vectorisable
                    // round-to-nearest (float-to-int conversions are not,
                    // with `as`'s saturation).
                    let v = (v * inv + zero).clamp(0.0, XMAX);
                    *q = (v + 12_582_912.0).to_bits() as u8;
                }
            }
            for (i, dst) in qx.chunks_exact_mut(MR).enumerate() {
                for (r, d) in dst.iter_mut().enumerate() {
                    let q = &rows_q[(r * quads + i) * 4..][..4];
                    *d = u32::from_le_bytes([q[0], q[1], q[2], q[3]]);
                }
            }
        }
        // Columns go in blocks of NC_PANELS panels, inputs in blocks of KC
        // quads, so that the slice of a weight panel being used (KC × 64
        // bytes) stays in the L1 cache across all tiles, and the sums that
        // carry over between input blocks (`accs`) in L2.
        let kernel = kernel_for_this_cpu();
        let panel_len = quads * NR * 4;
        let mut accs = vec![[[0i32; NR]; MR]; tiles * NC_PANELS];
        for (chunk, weights) in self.packed.chunks(NC_PANELS * panel_len).enumerate() {
            let panels = weights.len() / panel_len;
            for q0 in (0..quads).step_by(KC) {
                let qc = KC.min(quads - q0);
                for (panel, w) in weights.chunks_exact(panel_len).enumerate() {
                    let w = &w[q0 * NR * 4..][..qc * NR * 4];
                    for (tile, a) in qx.chunks_exact(quads * MR).enumerate() {
                        let a = &a[q0 * MR..][..qc * MR];
                        kernel(a, w, qc, &mut accs[tile * panels + panel], q0 > 0);
                    }
                }
            }
            // Row by row, so that the scaling and the activation run over
            // whole rows of the chunk (they vectorise):
            // x·w ≈ sx · sw · (Σ qx·qw − zx · Σ qw).
            let c0 = chunk * NC_PANELS * NR;
            let cols = (n - c0).min(NC_PANELS * NR);
            let scales = &self.scales[c0..][..cols];
            let (sums, bias) = (&self.sums[c0..][..cols], &bias[c0..][..cols]);
            for (r, ((row, &sr), &zr)) in out.chunks_exact_mut(n).zip(&sx).zip(&zx).enumerate() {
                let dst = &mut row[c0..][..cols];
                let accs = &accs[(r / MR) * panels..][..panels];
                for (((dst, acc), (scales, bias)), sums) in dst
                    .chunks_mut(NR)
                    .zip(accs)
                    .zip(scales.chunks(NR).zip(bias.chunks(NR)))
                    .zip(sums.chunks(NR))
                {
                    let acc = &acc[r % MR];
                    for ((((o, &a), &s), &b), &w) in
                        dst.iter_mut().zip(acc).zip(scales).zip(bias).zip(sums)
                    {
                        *o = (a - zr * w) as f32 * sr * s + b;
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

/// The largest |v| of a row, over eight independent lanes (a float
/// reduction only vectorises that way).
#[inline(always)]
fn max_abs(row: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let mut chunks = row.chunks_exact(8);
    for c in &mut chunks {
        for (m, v) in lanes.iter_mut().zip(c) {
            *m = m.max(v.abs());
        }
    }
    chunks
        .remainder()
        .iter()
        .chain(&lanes)
        .fold(0f32, |m, v| m.max(v.abs()))
}

/// A row's activation quantization: `(step, 1 / step, zero point)`, so that
/// `v ≈ step · (q − zero)` with `q = round(v / step + zero)` in 0..=255.
/// The range always includes 0 (exactly representable, as padding needs);
/// an all-zero or non-finite row gets step 0 and quantizes to zero.
#[inline(always)]
fn activation_step(row: &[f32]) -> (f32, f32, f32) {
    let (mut lo, mut hi) = ([0f32; 8], [0f32; 8]);
    let mut chunks = row.chunks_exact(8);
    for c in &mut chunks {
        for ((l, h), &v) in lo.iter_mut().zip(hi.iter_mut()).zip(c) {
            *l = l.min(v);
            *h = h.max(v);
        }
    }
    let rest = chunks.remainder();
    let lo = rest.iter().chain(&lo).fold(0f32, |m, &v| m.min(v));
    let hi = rest.iter().chain(&hi).fold(0f32, |m, &v| m.max(v));
    let range = hi - lo;
    if range > 0.0 && range.is_finite() {
        let step = range / XMAX;
        (step, XMAX / range, (-lo / step).round().clamp(0.0, XMAX))
    } else {
        (0.0, 0.0, 0.0)
    }
}

/// `v` clamped to `lo..=hi` and rounded half away from zero, as i32 (for
/// the weights, once on load). `as` maps NaN to 0.
fn round(v: f32, lo: f32, hi: f32) -> i32 {
    let v = v.clamp(lo, hi);
    (v + 0.5f32.copysign(v)) as i32
}

/// `acc = a · w` (or `acc += a · w` when the flag is set) for one tile: `a`
/// holds [`MR`] rows × `quads` quads of unsigned bytes, `w` one panel of
/// [`NR`] columns × `quads` quads of signed bytes in -63..=63.
type Kernel = fn(&[u32], &[i8], usize, &mut [[i32; NR]; MR], bool);

fn kernel_for_this_cpu() -> Kernel {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            return kernel_avx2;
        }
    }
    kernel_portable
}

/// The reference kernel (any CPU). With weights in -63..=63 no 16-bit pair
/// sum of the AVX2 kernel saturates, so both give the same sums bit for bit.
fn kernel_portable(a: &[u32], w: &[i8], quads: usize, acc: &mut [[i32; NR]; MR], add: bool) {
    if !add {
        *acc = [[0; NR]; MR];
    }
    for (a, w) in a.chunks_exact(MR).zip(w.chunks_exact(NR * 4)).take(quads) {
        for (acc, &a) in acc.iter_mut().zip(a) {
            let a = a.to_le_bytes();
            for (acc, w) in acc.iter_mut().zip(w.chunks_exact(4)) {
                *acc += (0..4).map(|j| a[j] as i32 * w[j] as i32).sum::<i32>();
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
fn kernel_avx2(a: &[u32], w: &[i8], quads: usize, acc: &mut [[i32; NR]; MR], add: bool) {
    assert!(a.len() >= quads * MR && w.len() >= quads * NR * 4);
    // SAFETY: AVX2 was detected by `kernel_for_this_cpu`, the only place
    // that hands out this function, and the bounds were checked above.
    unsafe { kernel_avx2_inner(a.as_ptr(), w.as_ptr(), quads, acc, add) }
}

/// # Safety
/// The CPU supports AVX2; `a` holds `quads * MR` and `w` `quads * NR * 4`
/// values.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn kernel_avx2_inner(
    a: *const u32,
    w: *const i8,
    quads: usize,
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
    let ones = _mm256_set1_epi16(1);
    // Four bytes of a row times four bytes of each of 16 columns: pair sums
    // in 16 bits (`vpmaddubsw`), widened and added in 32 bits (`vpmaddwd`).
    let dot = |x: __m256i, w: __m256i| _mm256_madd_epi16(_mm256_maddubs_epi16(x, w), ones);
    let (mut c00, mut c01) = (load(0, 0), load(0, 1));
    let (mut c10, mut c11) = (load(1, 0), load(1, 1));
    let (mut c20, mut c21) = (load(2, 0), load(2, 1));
    let (mut c30, mut c31) = (load(3, 0), load(3, 1));
    let (mut c40, mut c41) = (load(4, 0), load(4, 1));
    let (mut c50, mut c51) = (load(5, 0), load(5, 1));
    let mut a = a as *const i32;
    let mut w = w as *const __m256i;
    for _ in 0..quads {
        // SAFETY (whole loop body): `a` advances MR quads (i32) and `w` two
        // registers (NR quads) per step, within the lengths the caller
        // guaranteed.
        unsafe {
            let w0 = _mm256_loadu_si256(w);
            let w1 = _mm256_loadu_si256(w.add(1));
            let x = _mm256_set1_epi32(a.read_unaligned());
            c00 = _mm256_add_epi32(c00, dot(x, w0));
            c01 = _mm256_add_epi32(c01, dot(x, w1));
            let x = _mm256_set1_epi32(a.add(1).read_unaligned());
            c10 = _mm256_add_epi32(c10, dot(x, w0));
            c11 = _mm256_add_epi32(c11, dot(x, w1));
            let x = _mm256_set1_epi32(a.add(2).read_unaligned());
            c20 = _mm256_add_epi32(c20, dot(x, w0));
            c21 = _mm256_add_epi32(c21, dot(x, w1));
            let x = _mm256_set1_epi32(a.add(3).read_unaligned());
            c30 = _mm256_add_epi32(c30, dot(x, w0));
            c31 = _mm256_add_epi32(c31, dot(x, w1));
            let x = _mm256_set1_epi32(a.add(4).read_unaligned());
            c40 = _mm256_add_epi32(c40, dot(x, w0));
            c41 = _mm256_add_epi32(c41, dot(x, w1));
            let x = _mm256_set1_epi32(a.add(5).read_unaligned());
            c50 = _mm256_add_epi32(c50, dot(x, w0));
            c51 = _mm256_add_epi32(c51, dot(x, w1));
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
        // Shapes that are not multiples of the tile (6 × 16) or of 4 in k.
        // The last spans two row blocks (MC), two column chunks
        // (NC_PANELS × NR) and two input blocks (KC quads).
        let shapes = [
            (1, 1, 1),
            (7, 17, 33),
            (13, 40, 64),
            (30, 9, 101),
            (100, 48, 768),
            (260, 300, 1100),
            (8, 20, 3000),
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
            // Each operand is off by at most half a step: a weight by 1/126
            // of its row's max, an activation by 1/510 of its row's range
            // (here < 1 and < 2): |error| ≤ k · (1/126 + 2/510 + tiny).
            let bound = k as f32 * (1.0 / 126.0 + 2.0 / 510.0) * 1.01;
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
        #[cfg(target_arch = "x86_64")]
        let simd = std::arch::is_x86_feature_detected!("avx2");
        #[cfg(not(target_arch = "x86_64"))]
        let simd = false;
        if !simd {
            eprintln!(
                "skipped: this CPU has no AVX2, so only the portable kernel runs here and there \
                 is no SIMD kernel to compare with it"
            );
            return;
        }
        let (quads, a, w) = (37, matrix(37 * MR, 4), matrix(37 * NR * 4, 5));
        // Any bytes for the activations, the extremes of -63..=63 included.
        let mut a: Vec<u32> = a.iter().map(|v| (v * 4.0e9) as i32 as u32).collect();
        a[0] = u32::MAX;
        let mut w: Vec<i8> = w.iter().map(|v| (v * 63.0).round() as i8).collect();
        w[..4].copy_from_slice(&[63, 63, -63, -63]);
        let mut want = [[0; NR]; MR];
        kernel_portable(&a, &w, quads, &mut want, false);
        kernel_portable(&a, &w, quads, &mut want, true);
        let mut got = [[1; NR]; MR];
        kernel_for_this_cpu()(&a, &w, quads, &mut got, false);
        kernel_for_this_cpu()(&a, &w, quads, &mut got, true);
        assert_eq!(got, want);
        assert_ne!(want, [[0; NR]; MR]);
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
