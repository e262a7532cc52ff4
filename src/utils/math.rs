//! Scalar maths the kernels share: GELU, `erf`, `exp`, the logistic
//! sigmoid and `tanh` in forms the compiler vectorises (libm's `expf` and
//! `tanhf` are calls, one value at a time). The encoder's fused element-wise
//! ops and 8-bit products use GELU and `exp`; the span model's LSTM gates
//! the sigmoid and `tanh`.

/// GELU, erf form: `x/2 · (1 + erf(x/√2))`.
#[inline(always)]
pub(crate) fn gelu_erf(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// erf for f32 as a rational approximation on [-4, 4] (beyond it erf is
/// ±1 in f32); the coefficients are Eigen's and XLA's `erf` for floats.
#[inline(always)]
pub(crate) fn erf(x: f32) -> f32 {
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
pub(crate) fn exp(x: f32) -> f32 {
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

/// The logistic function `1 / (1 + e^-x)`, with [`exp`]: within 2e-7 of
/// the exact value (tested).
#[inline(always)]
pub(crate) fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + exp(-x))
}

/// `tanh x = 1 − 2 / (e^2x + 1)`, with [`exp`]: within 3e-7 of the exact
/// value (tested); ±1 beyond |x| ≈ 9, as in f32.
#[inline(always)]
pub(crate) fn tanh(x: f32) -> f32 {
    1.0 - 2.0 / (exp(2.0 * x) + 1.0)
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

    #[test]
    fn sigmoid_and_tanh_are_accurate() {
        let mut worst = (0f64, 0f64);
        for i in -40_000..=40_000 {
            let x = i as f32 * 0.0005;
            let s = 1.0 / (1.0 + (-(x as f64)).exp());
            let t = (x as f64).tanh();
            worst.0 = worst.0.max((sigmoid(x) as f64 - s).abs());
            worst.1 = worst.1.max((tanh(x) as f64 - t).abs());
        }
        assert!(worst.0 < 2e-7, "sigmoid off by {}", worst.0);
        assert!(worst.1 < 3e-7, "tanh off by {}", worst.1);
        for x in [-1e30f32, -200.0, 200.0, 1e30] {
            assert_eq!(tanh(x), x.signum());
            assert_eq!(sigmoid(x), if x > 0.0 { 1.0 } else { sigmoid(-88.0) });
        }
    }
}
