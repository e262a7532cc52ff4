//! Element-wise loops compiled for the widest vectors the CPU has.
//!
//! The crate is built for the x86-64 baseline (SSE2, 4 lanes), so that one
//! binary runs on every CPU; loops that the compiler vectorises (bias and
//! GELU, softmax, quantizing activations) would stay at 4 lanes. [`widest`]
//! runs a closure inside a function compiled for AVX-512 (16 lanes) or
//! AVX2 + FMA (8 lanes), chosen at run time; the closure is inlined there
//! and compiled with those features. Element-wise results do not depend on
//! the width: Rust never fuses a multiply and an add by itself, and each
//! lane computes what the scalar code computes.

/// Runs `f`, compiled for AVX-512 or AVX2 where this CPU has them. Mark
/// the closure `#[inline(always)]`: only code inlined into the wrappers
/// below is compiled with their features (a closure left out of line runs
/// at the baseline's 4 lanes, measured).
#[inline(always)]
pub(crate) fn widest<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        if has!("avx512f") && has!("avx512bw") && has!("avx512vl") && has!("avx2") && has!("fma") {
            // SAFETY: the CPU has every feature `avx512` is compiled for.
            return unsafe { avx512(f) };
        }
        if has!("avx2") && has!("fma") {
            // SAFETY: the CPU has every feature `avx2` is compiled for.
            return unsafe { avx2(f) };
        }
    }
    f()
}

/// # Safety
/// The CPU supports AVX-512F, BW, VL, AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx2,fma")]
unsafe fn avx512<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// # Safety
/// The CPU supports AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn avx2<R>(f: impl FnOnce() -> R) -> R {
    f()
}
