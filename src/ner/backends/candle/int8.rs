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
//! Kernels, chosen at run time ([`Kernel::selected`]): AVX-512 VNNI
//! (`vpdpbusd` on 512 bits: 64 multiply-adds into 32-bit sums in one
//! instruction; a 6 × 64 tile), AVX-VNNI (`vpdpbusd` on 256 bits, for CPUs
//! with VNNI but no AVX-512), AVX2 and a portable one. Integer sums are
//! exact, so all give the same result bit for bit; the unit tests compare
//! every kernel the CPU runs with the portable one. On a Zen 5 EPYC
//! (2026-12-04) the AVX-512 VNNI kernel made the 8-bit teacher 2.6× faster
//! than the AVX2 one end to end (`docs/performance.md`). Where the CPU has
//! Intel's AMX (Sapphire Rapids and later) and Linux grants its use, AMX
//! tiles (`tdpbusd`: a 16 × 64 by 64 × 16 byte product, 16,384
//! multiply-adds, in one instruction) take the product instead, over their
//! own layout of the activations (`amx.rs`).
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

use crate::utils::math::gelu_erf;
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
/// Input quads per step of an AMX product (a tile row holds 64 bytes):
/// weight panels are padded with zero quads to a multiple of it, so that
/// the AMX path never reads past a panel; the other kernels stop at the
/// last real quad.
const TILE_QUADS: usize = 16;
/// Rows of an AMX tile; the AMX path works on two tiles of rows at once.
const TILE_ROWS: usize = 16;
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
    /// Quads per panel: `quads` rounded up to [`TILE_QUADS`] (zeros after
    /// the last real quad).
    panel_quads: usize,
    /// `outputs.div_ceil(NR)` panels of `panel_quads × NR × 4` bytes.
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
        let panel_quads = quads.div_ceil(TILE_QUADS) * TILE_QUADS;
        let mut packed = vec![0i8; outputs.div_ceil(NR) * panel_quads * NR * 4];
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
            let base = (c / NR) * panel_quads * NR * 4 + (c % NR) * 4;
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
            panel_quads,
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

    /// Bytes from one weight panel to the next.
    fn panel_len(&self) -> usize {
        self.panel_quads * NR * 4
    }

    /// `out = x · Wᵀ + bias` for `x` of `rows × inputs` (row-major), `out`
    /// of `rows × outputs`, then GELU on every value when `gelu`.
    /// Row blocks run in parallel on rayon's pool.
    pub(super) fn matmul(&self, x: &[f32], bias: &[f32], gelu: bool, out: &mut [f32]) {
        self.matmul_with(Kernel::selected(), x, bias, gelu, out)
    }

    /// [`matmul`](Self::matmul) with a given micro-kernel.
    fn matmul_with(&self, kernel: Kernel, x: &[f32], bias: &[f32], gelu: bool, out: &mut [f32]) {
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
        let block = rows.div_ceil(blocks.max(1)).div_ceil(kernel.rows).max(1) * kernel.rows;
        if threads == 1 {
            // On the caller's thread: with a pool of one, several callers
            // (one per worker of a corpus) would queue for that one thread.
            for (out, x) in out.chunks_mut(block * n).zip(x.chunks(block * k)) {
                self.block(kernel, x, bias, gelu, out);
            }
        } else {
            out.par_chunks_mut(block * n)
                .zip(x.par_chunks(block * k))
                .for_each(|(out, x)| self.block(kernel, x, bias, gelu, out));
        }
    }

    /// One block of rows: quantize them, then every weight panel × every
    /// [`MR`] rows. The element-wise loops around the kernel (quantizing,
    /// scaling, GELU) were 13 % of a forward pass when compiled for the
    /// x86-64 baseline (SSE2, scalar rounding); built for AVX2 or AVX-512
    /// ([`widest`](crate::utils::simd::widest)) they run 8 or 16 lanes at a time.
    fn block(&self, kernel: Kernel, x: &[f32], bias: &[f32], gelu: bool, out: &mut [f32]) {
        crate::utils::simd::widest(
            #[inline(always)]
            || self.block_any(kernel, x, bias, gelu, out),
        )
    }

    #[inline(always)]
    fn block_any(&self, kernel: Kernel, x: &[f32], bias: &[f32], gelu: bool, out: &mut [f32]) {
        match kernel.run {
            Run::Tiles(tiles) => self.block_tiles(tiles, x, bias, gelu, out),
            #[cfg(target_arch = "x86_64")]
            Run::Amx => self.block_amx(x, bias, gelu, out),
        }
    }

    /// [`block`](Self::block) with a micro-kernel over [`MR`]-row tiles.
    #[inline(always)]
    fn block_tiles(
        &self,
        TileKernel {
            run,
            panels: group_panels,
            kc,
        }: TileKernel,
        x: &[f32],
        bias: &[f32],
        gelu: bool,
        out: &mut [f32],
    ) {
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
                (*s, *z) = quantize_row(row, q);
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
        let panel_len = self.panel_len();
        let mut accs = vec![[[0i32; NR]; MR]; tiles * NC_PANELS];
        for (chunk, weights) in self.packed.chunks(NC_PANELS * panel_len).enumerate() {
            let panels = weights.len() / panel_len;
            for q0 in (0..quads).step_by(kc) {
                let qc = kc.min(quads - q0);
                for p0 in (0..panels).step_by(group_panels) {
                    let group = group_panels.min(panels - p0);
                    let w = &weights[p0 * panel_len + q0 * NR * 4..];
                    for (tile, a) in qx.chunks_exact(quads * MR).enumerate() {
                        let a = &a[q0 * MR..][..qc * MR];
                        let acc = &mut accs[tile * panels + p0..][..group];
                        // SAFETY: `kernel` comes from `Kernel::selected`
                        // (or a test that checked `Kernel::all`): this CPU
                        // runs it.
                        unsafe { run(a, w, panel_len, qc, acc, q0 > 0) };
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
                    dequantize(dst, &acc[r % MR], (sr, zr), (scales, sums), bias);
                }
                if gelu {
                    for o in dst.iter_mut() {
                        *o = gelu_erf(*o);
                    }
                }
            }
        }
    }

    /// [`block`](Self::block) on AMX tiles. The activations are quantized
    /// row-major (an A tile is 16 rows × 64 bytes, a row at a time), their
    /// rows padded with zeros to a multiple of 2 × [`TILE_ROWS`]; a weight
    /// panel's 16 quads × 16 columns × 4 bytes is a B tile as packed. For
    /// each pair of panels and pair of row tiles, four C tiles (32 × 32
    /// sums) stay in the tile registers over all the inputs.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn block_amx(&self, x: &[f32], bias: &[f32], gelu: bool, out: &mut [f32]) {
        let (k, n) = (self.inputs, self.outputs);
        let rows = x.len() / k;
        let row_bytes = self.panel_quads * 4;
        let padded = rows.div_ceil(2 * TILE_ROWS) * 2 * TILE_ROWS;
        let mut qa = vec![0u8; padded * row_bytes];
        let mut steps = vec![(0f32, 0i32); rows];
        for ((row, q), s) in x
            .chunks_exact(k)
            .zip(qa.chunks_exact_mut(row_bytes))
            .zip(&mut steps)
        {
            *s = quantize_row(row, q);
        }
        // The sums of one chunk of columns, row-major; an odd last panel is
        // computed twice, the copy landing in the (unused) next panel's place.
        let width = NC_PANELS.div_ceil(2) * 2 * NR;
        let mut sums = vec![0i32; padded * width];
        let panel_len = self.panel_len();
        let Some(tiles) = super::amx::Tiles::configure() else {
            // Not reached: the AMX kernel is only chosen where `ready`.
            return self.block_tiles(TileKernel::PORTABLE, x, bias, gelu, out);
        };
        for (chunk, weights) in self.packed.chunks(NC_PANELS * panel_len).enumerate() {
            let panels = weights.len() / panel_len;
            for p in (0..panels).step_by(2) {
                let b0 = &weights[p * panel_len..][..panel_len];
                let b1 = weights
                    .get((p + 1) * panel_len..(p + 2) * panel_len)
                    .unwrap_or(b0);
                for (t, a) in qa.chunks_exact(2 * TILE_ROWS * row_bytes).enumerate() {
                    let c = &mut sums[t * 2 * TILE_ROWS * width + p * NR..];
                    tiles.product(a, row_bytes, [b0, b1], c, width);
                }
            }
            let c0 = chunk * NC_PANELS * NR;
            let cols = (n - c0).min(NC_PANELS * NR);
            let scales = &self.scales[c0..][..cols];
            let (wsums, bias) = (&self.sums[c0..][..cols], &bias[c0..][..cols]);
            for ((row, acc), &step) in out
                .chunks_exact_mut(n)
                .zip(sums.chunks_exact(width))
                .zip(&steps)
            {
                let dst = &mut row[c0..][..cols];
                dequantize(dst, &acc[..cols], step, (scales, wsums), bias);
                if gelu {
                    for o in dst.iter_mut() {
                        *o = gelu_erf(*o);
                    }
                }
            }
        }
    }
}

/// Quantizes one row of activations into `q` (as many bytes as the row has
/// values), returning its step and zero point ([`activation_step`]).
#[inline(always)]
fn quantize_row(row: &[f32], q: &mut [u8]) -> (f32, i32) {
    let (scale, inv, zero) = activation_step(row);
    for (q, &v) in q.iter_mut().zip(row) {
        // Adding 1.5 · 2^23 rounds a float in 0..=255 to the integer in its
        // low mantissa bits: a vectorisable round-to-nearest (float-to-int
        // conversions are not, with `as`'s saturation).
        let v = (v * inv + zero).clamp(0.0, XMAX);
        *q = (v + 12_582_912.0).to_bits() as u8;
    }
    (scale, zero as i32)
}

/// One row's outputs from its integer sums, for a run of columns:
/// x·w ≈ sx · sw · (Σ qx·qw − zx · Σ qw) + bias, with the row's step and
/// zero point `(sx, zx)` and the columns' steps and weight sums.
#[inline(always)]
fn dequantize(
    dst: &mut [f32],
    acc: &[i32],
    (sr, zr): (f32, i32),
    (scales, sums): (&[f32], &[i32]),
    bias: &[f32],
) {
    for ((((o, &a), &s), &b), &w) in dst.iter_mut().zip(acc).zip(scales).zip(bias).zip(sums) {
        *o = (a - zr * w) as f32 * sr * s + b;
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
        // Comparisons rather than `f32::min`/`max`, whose NaN rule keeps
        // the loop scalar; a NaN is skipped either way.
        for ((l, h), &v) in lo.iter_mut().zip(hi.iter_mut()).zip(c) {
            *l = if v < *l { v } else { *l };
            *h = if v > *h { v } else { *h };
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

/// `acc[p] = a · w_p` (or `acc[p] += a · w_p` when the flag is set) for
/// one tile and `acc.len()` consecutive weight panels: `a` holds [`MR`] rows
/// × `quads` quads of unsigned bytes; panel `p` starts at `w[p * stride..]`
/// and holds [`NR`] columns × `quads` quads of signed bytes in -63..=63.
///
/// # Safety
/// The CPU has the features of the kernel: [`Kernel::all`] says which
/// kernels it runs, and [`Kernel::selected`] only hands out those.
type KernelFn = unsafe fn(&[u32], &[i8], usize, usize, &mut [[[i32; NR]; MR]], bool);

/// One 8-bit product path. All of them give the same integer sums bit for
/// bit (tested against the portable kernel on every path the CPU runs);
/// they differ only in speed.
#[derive(Clone, Copy)]
pub(crate) struct Kernel {
    /// Its name, after the instructions it uses (`SAIDWHO_INT8_KERNEL`).
    pub(crate) name: &'static str,
    run: Run,
    /// Row blocks of a product are a multiple of this many rows.
    rows: usize,
}

/// How a [`Kernel`] computes a block of the product.
#[derive(Clone, Copy)]
enum Run {
    /// A micro-kernel over tiles of [`MR`] rows.
    Tiles(TileKernel),
    /// AMX tiles ([`QuantWeights::block_amx`]).
    #[cfg(target_arch = "x86_64")]
    Amx,
}

/// A micro-kernel over tiles of [`MR`] rows and the shape of work it takes.
#[derive(Clone, Copy)]
struct TileKernel {
    run: KernelFn,
    /// Weight panels per call: the tile is [`MR`] × `panels · NR`.
    panels: usize,
    /// Input quads per block: `panels` slices of `kc` quads of a panel
    /// (`kc · 64` bytes each) stay in the L1 cache across the tiles.
    kc: usize,
}

impl TileKernel {
    /// Any CPU: plain Rust.
    const PORTABLE: TileKernel = TileKernel {
        run: kernel_portable,
        panels: 1,
        kc: KC,
    };
}

impl Kernel {
    /// Any CPU: plain Rust.
    const PORTABLE: Kernel = Kernel {
        name: "portable",
        run: Run::Tiles(TileKernel::PORTABLE),
        rows: MR,
    };

    /// Every kernel, fastest first, each with whether this CPU runs it.
    /// Asking about AMX asks Linux for the right to use its tiles (once per
    /// process, see [`ready`](super::amx::ready)).
    pub(crate) fn all() -> [(Kernel, bool); 5] {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            let tiles = |name, run, panels, kc| Kernel {
                name,
                run: Run::Tiles(TileKernel { run, panels, kc }),
                rows: MR,
            };
            [
                (
                    Kernel {
                        name: "amx",
                        run: Run::Amx,
                        rows: 2 * TILE_ROWS,
                    },
                    super::amx::ready(),
                ),
                (
                    tiles("avx512-vnni", kernel_vnni512, 4, KC / 2),
                    has!("avx512f") && has!("avx512bw") && has!("avx512vnni"),
                ),
                (
                    tiles("avx-vnni", kernel_256::<true>, 1, KC),
                    has!("avx2") && has!("avxvnni"),
                ),
                (tiles("avx2", kernel_256::<false>, 1, KC), has!("avx2")),
                (Kernel::PORTABLE, true),
            ]
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let none = Kernel {
                name: "none",
                ..Kernel::PORTABLE
            };
            [
                (none, false),
                (none, false),
                (none, false),
                (none, false),
                (Kernel::PORTABLE, true),
            ]
        }
    }

    /// The kernel every product uses, chosen once per process: the fastest
    /// this CPU runs, or the one `SAIDWHO_INT8_KERNEL` names (`amx`,
    /// `avx512-vnni`, `avx-vnni`, `avx2`, `portable`) if this CPU runs it —
    /// for comparing kernels on one machine. Any other value is ignored.
    pub(crate) fn selected() -> Kernel {
        static SELECTED: std::sync::OnceLock<Kernel> = std::sync::OnceLock::new();
        *SELECTED.get_or_init(|| {
            let wanted = std::env::var("SAIDWHO_INT8_KERNEL").ok();
            let runnable = Kernel::all().into_iter().filter(|(_, ok)| *ok);
            let mut fastest = None;
            for (kernel, _) in runnable {
                if wanted.as_deref() == Some(kernel.name) {
                    return kernel;
                }
                fastest.get_or_insert(kernel);
            }
            fastest.unwrap_or(Kernel::PORTABLE)
        })
    }
}

/// The reference kernel (any CPU). With weights in -63..=63 no 16-bit pair
/// sum of the AVX2 kernel saturates, so all kernels give the same sums bit
/// for bit.
fn kernel_portable(
    a: &[u32],
    w: &[i8],
    stride: usize,
    quads: usize,
    acc: &mut [[[i32; NR]; MR]],
    add: bool,
) {
    for (p, acc) in acc.iter_mut().enumerate() {
        if !add {
            *acc = [[0; NR]; MR];
        }
        let w = &w[p * stride..];
        for (a, w) in a.chunks_exact(MR).zip(w.chunks_exact(NR * 4)).take(quads) {
            for (acc, &a) in acc.iter_mut().zip(a) {
                let a = a.to_le_bytes();
                for (acc, w) in acc.iter_mut().zip(w.chunks_exact(4)) {
                    *acc += (0..4).map(|j| a[j] as i32 * w[j] as i32).sum::<i32>();
                }
            }
        }
    }
}

/// Checks the lengths every SIMD kernel relies on: `a` holds `quads` quads
/// of [`MR`] rows and each of the `panels` panels, `stride` apart in `w`,
/// `quads` quads of [`NR`] columns.
#[cfg(target_arch = "x86_64")]
fn check_lengths(a: &[u32], w: &[i8], stride: usize, quads: usize, panels: usize) {
    let need = |n: usize, m: usize| n.checked_mul(m).expect("kernel lengths overflow");
    assert!(a.len() >= need(quads, MR));
    if panels > 0 {
        let panel = need(quads, NR * 4);
        let last = need(panels - 1, stride).checked_add(panel);
        assert!(last.is_some_and(|last| w.len() >= last));
    }
}

/// The 256-bit kernels: AVX-VNNI when `VNNI`, else AVX2.
#[cfg(target_arch = "x86_64")]
unsafe fn kernel_256<const VNNI: bool>(
    a: &[u32],
    w: &[i8],
    stride: usize,
    quads: usize,
    acc: &mut [[[i32; NR]; MR]],
    add: bool,
) {
    check_lengths(a, w, stride, quads, acc.len());
    for (p, acc) in acc.iter_mut().enumerate() {
        let (a, w) = (a.as_ptr(), w[p * stride..].as_ptr());
        // SAFETY: the caller's CPU has AVX2 (and AVX-VNNI for `VNNI`), as
        // `KernelFn` requires; the lengths were checked above.
        unsafe {
            if VNNI {
                kernel_avx_vnni_inner(a, w, quads, acc, add)
            } else {
                kernel_avx2_inner(a, w, quads, acc, add)
            }
        }
    }
}

/// # Safety
/// The CPU supports AVX2; as [`tile_256`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn kernel_avx2_inner(
    a: *const u32,
    w: *const i8,
    quads: usize,
    acc: &mut [[i32; NR]; MR],
    add: bool,
) {
    // SAFETY: as the caller guarantees.
    unsafe { tile_256::<false>(a, w, quads, acc, add) }
}

/// # Safety
/// The CPU supports AVX2 and AVX-VNNI; as [`tile_256`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,avxvnni")]
unsafe fn kernel_avx_vnni_inner(
    a: *const u32,
    w: *const i8,
    quads: usize,
    acc: &mut [[i32; NR]; MR],
    add: bool,
) {
    // SAFETY: as the caller guarantees.
    unsafe { tile_256::<true>(a, w, quads, acc, add) }
}

/// One tile × one panel with 256-bit registers: with `VNNI`, `vpdpbusd`
/// (four byte products added into each 32-bit lane, one instruction);
/// without, `vpmaddubsw` + `vpmaddwd` + `vpaddd`. Always inlined into the
/// two wrappers above, which compile it for their CPU features.
///
/// # Safety
/// The CPU supports AVX2 (and AVX-VNNI when `VNNI`); `a` holds
/// `quads * MR` and `w` `quads * NR * 4` values.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn tile_256<const VNNI: bool>(
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
    // Four bytes of a row times four bytes of each of 16 columns, added to
    // the 32-bit sums.
    // (Closures are inlined into the `#[target_feature]` wrappers with the
    // rest: measured, the AVX-VNNI kernel runs 1.65× the AVX2 one.)
    let dot = |c: __m256i, x: __m256i, w: __m256i| {
        // SAFETY: the caller's CPU has AVX2, and AVX-VNNI when `VNNI`.
        unsafe {
            if VNNI {
                _mm256_dpbusd_avx_epi32(c, x, w)
            } else {
                // Pair sums in 16 bits (`vpmaddubsw`), widened and added in 32.
                _mm256_add_epi32(c, _mm256_madd_epi16(_mm256_maddubs_epi16(x, w), ones))
            }
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
    for _ in 0..quads {
        // SAFETY (whole loop body): `a` advances MR quads (i32) and `w` two
        // registers (NR quads) per step, within the lengths the caller
        // guaranteed.
        unsafe {
            let w0 = _mm256_loadu_si256(w);
            let w1 = _mm256_loadu_si256(w.add(1));
            let x = _mm256_set1_epi32(a.read_unaligned());
            c00 = dot(c00, x, w0);
            c01 = dot(c01, x, w1);
            let x = _mm256_set1_epi32(a.add(1).read_unaligned());
            c10 = dot(c10, x, w0);
            c11 = dot(c11, x, w1);
            let x = _mm256_set1_epi32(a.add(2).read_unaligned());
            c20 = dot(c20, x, w0);
            c21 = dot(c21, x, w1);
            let x = _mm256_set1_epi32(a.add(3).read_unaligned());
            c30 = dot(c30, x, w0);
            c31 = dot(c31, x, w1);
            let x = _mm256_set1_epi32(a.add(4).read_unaligned());
            c40 = dot(c40, x, w0);
            c41 = dot(c41, x, w1);
            let x = _mm256_set1_epi32(a.add(5).read_unaligned());
            c50 = dot(c50, x, w0);
            c51 = dot(c51, x, w1);
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

#[cfg(target_arch = "x86_64")]
unsafe fn kernel_vnni512(
    a: &[u32],
    w: &[i8],
    stride: usize,
    quads: usize,
    acc: &mut [[[i32; NR]; MR]],
    add: bool,
) {
    if acc.len() > 4 {
        let (head, tail) = acc.split_at_mut(4);
        // SAFETY: as this call's own.
        unsafe {
            kernel_vnni512(a, w, stride, quads, head, add);
            return kernel_vnni512(a, &w[4 * stride..], stride, quads, tail, add);
        }
    }
    check_lengths(a, w, stride, quads, acc.len());
    let (a, w) = (a.as_ptr(), w.as_ptr());
    // SAFETY: the caller's CPU has AVX-512F/BW and AVX-512 VNNI, as
    // `KernelFn` requires; lengths checked above, and each call gets as many
    // panels as `acc` holds.
    unsafe {
        match acc {
            [c0, c1, c2, c3] => {
                kernel_vnni512_inner::<4>(a, w, stride, quads, [c0, c1, c2, c3], add)
            }
            [c0, c1, c2] => kernel_vnni512_inner::<3>(a, w, stride, quads, [c0, c1, c2], add),
            [c0, c1] => kernel_vnni512_inner::<2>(a, w, stride, quads, [c0, c1], add),
            [c0] => kernel_vnni512_inner::<1>(a, w, stride, quads, [c0], add),
            _ => {}
        }
    }
}

/// One tile × `P` panels with 512-bit registers: a panel's 16 columns of
/// one quad are one register, and `vpdpbusd` adds 64 byte products into
/// them. `MR · P` sums (24 registers for P = 4) stay in registers.
///
/// # Safety
/// The CPU supports AVX-512F/BW and AVX-512 VNNI; `a` holds `quads * MR`
/// values and panel `p < P`, at `w + p * stride`, `quads * NR * 4`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
unsafe fn kernel_vnni512_inner<const P: usize>(
    a: *const u32,
    w: *const i8,
    stride: usize,
    quads: usize,
    acc: [&mut [[i32; NR]; MR]; P],
    add: bool,
) {
    use std::arch::x86_64::*;
    let mut c = [[_mm512_setzero_si512(); P]; MR];
    if add {
        for (p, acc) in acc.iter().enumerate() {
            for (c, row) in c.iter_mut().zip(acc.iter()) {
                // SAFETY: a row holds 16 i32, one unaligned register.
                c[p] = unsafe { _mm512_loadu_si512(row.as_ptr().cast()) };
            }
        }
    }
    let mut a = a as *const i32;
    let mut w = w;
    for _ in 0..quads {
        // SAFETY (whole loop body): `a` advances MR quads (i32) and `w` one
        // register (NR quads) per step, within the lengths the caller
        // guaranteed for every panel.
        unsafe {
            let mut wv = [_mm512_setzero_si512(); P];
            for (p, wv) in wv.iter_mut().enumerate() {
                *wv = _mm512_loadu_si512(w.add(p * stride).cast());
            }
            for (r, c) in c.iter_mut().enumerate() {
                let x = _mm512_set1_epi32(a.add(r).read_unaligned());
                for (c, &wv) in c.iter_mut().zip(&wv) {
                    *c = _mm512_dpbusd_epi32(*c, x, wv);
                }
            }
            a = a.add(MR);
            w = w.add(NR * 4);
        }
    }
    for (p, acc) in acc.into_iter().enumerate() {
        for (row, c) in acc.iter_mut().zip(&c) {
            // SAFETY: a row holds 16 i32, one unaligned register.
            unsafe { _mm512_storeu_si512(row.as_mut_ptr().cast(), c[p]) };
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
    fn every_kernel_this_cpu_runs_agrees_with_the_portable_one_exactly() {
        let (quads, panels, gap) = (37, 6, 3);
        let stride = (quads + gap) * NR * 4;
        let a = matrix(quads * MR, 4);
        let w = matrix(panels * stride, 5);
        // Any bytes for the activations, the extremes of -63..=63 included.
        let mut a: Vec<u32> = a.iter().map(|v| (v * 4.0e9) as i32 as u32).collect();
        a[0] = u32::MAX;
        let mut w: Vec<i8> = w.iter().map(|v| (v * 63.0).round() as i8).collect();
        w[..4].copy_from_slice(&[63, 63, -63, -63]);
        let run = |kernel: TileKernel, panels: usize| {
            let mut acc = vec![[[1; NR]; MR]; panels];
            // SAFETY: only kernels `Kernel::all` says this CPU runs.
            unsafe {
                (kernel.run)(&a, &w, stride, quads, &mut acc, false);
                (kernel.run)(&a, &w, stride, quads, &mut acc, true);
            }
            acc
        };
        let mut tested = Vec::new();
        for (kernel, runs_here) in Kernel::all() {
            if !runs_here {
                eprintln!("not tested: this CPU cannot run the {} kernel", kernel.name);
                continue;
            }
            // Micro-kernels over MR-row tiles, panel by panel (AMX has its
            // own layout: whole products only).
            if let Run::Tiles(tiles) = kernel.run {
                for panels in 1..=panels {
                    let want = run(TileKernel::PORTABLE, panels);
                    assert!(want.iter().all(|acc| *acc != [[0; NR]; MR]));
                    assert_eq!(run(tiles, panels), want, "{} × {panels}", kernel.name);
                }
            }
            // Whole products, ragged shapes, through every block size: rows
            // and inputs that are not multiples of any tile, an odd number
            // of panels (13, 19), two row blocks and two column chunks; on a
            // pool of three threads too (uneven row blocks).
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(3)
                .build()
                .unwrap();
            for &(rows, n, k) in &[
                (1, 1, 1),
                (7, 17, 33),
                (33, 16, 64),
                (100, 200, 768),
                (260, 300, 1100),
            ] {
                let (x, w, bias) = (matrix(rows * k, 1), matrix(n * k, 2), matrix(n, 3));
                let q = QuantWeights::new(&w, n, k);
                let mut want = vec![f32::NAN; rows * n];
                q.matmul_with(Kernel::PORTABLE, &x, &bias, true, &mut want);
                let mut got = vec![f32::NAN; rows * n];
                q.matmul_with(kernel, &x, &bias, true, &mut got);
                assert_eq!(got, want, "{}: {rows}x{n}x{k}", kernel.name);
                let mut parallel = vec![f32::NAN; rows * n];
                pool.install(|| q.matmul_with(kernel, &x, &bias, true, &mut parallel));
                assert_eq!(
                    parallel, want,
                    "{} on 3 threads: {rows}x{n}x{k}",
                    kernel.name
                );
            }
            tested.push(kernel.name);
        }
        eprintln!("tested against the portable kernel: {tested:?}");
        assert!(tested.contains(&Kernel::selected().name));
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
