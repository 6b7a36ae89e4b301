//! Statistics on plain `f64` slices, each written to give the number pandas or numpy gives.
//!
//! The references (checked by `tests/profile_golden.rs` against pandas 3.1 / numpy 2.4):
//! sums are numpy's pairwise summation; `mean`/`std` are pandas' `nanmean`/`nanvar` (two
//! passes); skew and kurtosis are pandas' online moments (`algos.pyx`, `moments_add_value`,
//! `calc_skew`, `calc_kurt`); quantiles are numpy's `linear` method with its `_lerp`; the
//! histogram is `numpy.histogram`'s equal-width path; the correlation is pandas' `nancorr`
//! (Welford, pairwise complete observations).

/// numpy's pairwise summation (`pairwise_sum` in `loops_utils.h`): eight accumulators over
/// blocks of up to 128 values, halves above that. Error grows with log(n), not n.
pub(crate) fn pairwise_sum(values: &[f64]) -> f64 {
    const BLOCK: usize = 128;
    let n = values.len();
    if n < 8 {
        let mut sum = 0.0;
        for &value in values {
            sum += value;
        }
        sum
    } else if n <= BLOCK {
        let mut r = [0.0; 8];
        r.copy_from_slice(&values[..8]);
        let mut i = 8;
        while i < n - (n % 8) {
            for (lane, accumulator) in r.iter_mut().enumerate() {
                *accumulator += values[i + lane];
            }
            i += 8;
        }
        let mut sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &value in &values[i..] {
            sum += value;
        }
        sum
    } else {
        let mut half = n / 2;
        half -= half % 8;
        pairwise_sum(&values[..half]) + pairwise_sum(&values[half..])
    }
}

/// The mean and the sample standard deviation (ddof = 1), in two passes like pandas.
pub(crate) fn mean_std(values: &[f64]) -> (f64, Option<f64>) {
    let n = values.len() as f64;
    let mean = pairwise_sum(values) / n;
    if values.len() < 2 {
        return (mean, None);
    }
    let squares: Vec<f64> = values.iter().map(|&x| (mean - x) * (mean - x)).collect();
    (mean, Some((pairwise_sum(&squares) / (n - 1.0)).sqrt()))
}

/// pandas' skew (G1) and excess kurtosis (G2) from online central moments. NaN where
/// pandas gives NaN: too few values, or no spread (`m2 == 0`).
pub(crate) fn skew_kurtosis(values: &[f64]) -> (f64, f64) {
    let (mut nobs, mut mean, mut m2, mut m3, mut m4) = (0i64, 0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for &value in values {
        let delta = value - mean;
        nobs += 1;
        let n = nobs as f64;
        let delta_n = delta / n;
        let term1 = delta * delta_n * (n - 1.0);
        m4 += delta_n * (-4.0 * m3 + delta_n * (6.0 * m2 + term1 * (n * n - 3.0 * n + 3.0)));
        m3 += delta_n * (term1 * (n - 2.0) - 3.0 * m2);
        m2 += term1;
        mean += delta_n;
    }
    let n = nobs as f64;
    let skew = if nobs < 3 {
        f64::NAN
    } else {
        let ratio = m3 / (m2 * m2.sqrt());
        ratio * (n * (n - 1.0).sqrt()) / (n - 2.0)
    };
    let kurtosis = if nobs < 4 {
        f64::NAN
    } else {
        let ratio = m4 / (m2 * m2);
        let inner = n * (n + 1.0) * ratio - 3.0 * (n - 1.0);
        (n - 1.0) / ((n - 2.0) * (n - 3.0)) * inner
    };
    (skew, kurtosis)
}

/// numpy's `_lerp`: exact at both ends, and monotone.
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

/// The `q` quantile (0 ≤ q ≤ 1) of ascending `sorted` values, numpy's `linear` method.
/// NaN for no values.
pub(crate) fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let virtual_index = (n - 1) as f64 * q;
    let below = virtual_index.floor();
    let lower = (below as usize).min(n - 1);
    let upper = (lower + 1).min(n - 1);
    let gamma = virtual_index - below;
    if lower == upper {
        return sorted[lower];
    }
    lerp(sorted[lower], sorted[upper], gamma)
}

/// `numpy.histogram(values, bins)` for finite values: the edges (`bins + 1`) and counts.
pub(crate) fn histogram(values: &[f64], bins: usize) -> (Vec<f64>, Vec<u64>) {
    let (mut first, mut last) = match values.iter().copied().reduce(f64::min) {
        None => (0.0, 1.0),
        Some(min) => (
            min,
            values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        ),
    };
    if first == last {
        first -= 0.5;
        last += 0.5;
    }
    // numpy.linspace: i * step + start, the last edge set to `stop` exactly.
    let step = (last - first) / bins as f64;
    let mut edges: Vec<f64> = (0..=bins).map(|i| i as f64 * step + first).collect();
    edges[bins] = last;
    let mut counts = vec![0u64; bins];
    let span = last - first;
    for &value in values {
        if !(value >= first && value <= last) {
            continue;
        }
        let mut index = (((value - first) / span) * bins as f64) as usize;
        if index == bins {
            index -= 1;
        }
        // The division can land one bin off within an ulp of an edge; numpy corrects it so.
        if value < edges[index] {
            index -= 1;
        } else if index != bins - 1 && value >= edges[index + 1] {
            index += 1;
        }
        counts[index] += 1;
    }
    (edges, counts)
}

/// Pearson correlation over the rows where both values are finite, pandas' `nancorr`
/// (Welford's updates), clipped to [-1, 1] as pandas does, since rounding can carry a
/// perfectly correlated pair a hair past 1. NaN without rows in common or without spread.
pub(crate) fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let (mut nobs, mut mean_x, mut mean_y) = (0u64, 0.0f64, 0.0f64);
    let (mut ssq_x, mut ssq_y, mut cov) = (0.0f64, 0.0f64, 0.0f64);
    for (&vx, &vy) in x.iter().zip(y) {
        if !(vx.is_finite() && vy.is_finite()) {
            continue;
        }
        nobs += 1;
        let dx = vx - mean_x;
        let dy = vy - mean_y;
        mean_x += 1.0 / nobs as f64 * dx;
        mean_y += 1.0 / nobs as f64 * dy;
        ssq_x += (vx - mean_x) * dx;
        ssq_y += (vy - mean_y) * dy;
        cov += (vx - mean_x) * dy;
    }
    if nobs == 0 {
        return f64::NAN;
    }
    let divisor = (ssq_x * ssq_y).sqrt();
    if divisor != 0.0 {
        (cov / divisor).clamp(-1.0, 1.0)
    } else {
        f64::NAN
    }
}

/// `Some(value)` when it is finite: what JSON can carry.
pub(crate) fn finite(value: f64) -> Option<f64> {
    value.is_finite().then_some(value)
}

/// A SplitMix64 generator: tiny, seedable, and the same on every platform, so samples and
/// splits are reproducible in the browser and in tests.
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.0)
    }

    /// Uniform in `0..bound` (bound > 0), without modulo bias worth speaking of for the
    /// sizes used here (Lemire's multiply-shift).
    pub(crate) fn below(&mut self, bound: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(bound)) >> 64) as u64
    }
}

/// SplitMix64's finalizer: a strong 64-bit mixer.
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A 64-bit hash of bytes that is the same on every platform and run (FNV-1a, then mixed).
pub(crate) fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xCBF2_9CE4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01B3);
    }
    mix64(hash ^ bytes.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
    }

    #[test]
    fn pairwise_sum_matches_plain_sum_on_exact_values() {
        for n in [0, 1, 7, 8, 9, 127, 128, 129, 1000, 4099] {
            let values: Vec<f64> = (0..n).map(|i| i as f64).collect();
            assert_eq!(
                pairwise_sum(&values),
                (n * n.max(1) - n) as f64 / 2.0,
                "n = {n}"
            );
        }
    }

    #[test]
    fn quantiles_interpolate_linearly() {
        let sorted = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&sorted, 0.0), 1.0);
        assert_eq!(quantile_sorted(&sorted, 1.0), 4.0);
        assert_eq!(quantile_sorted(&sorted, 0.5), 2.5);
        assert!(close(quantile_sorted(&sorted, 0.25), 1.75));
        assert_eq!(quantile_sorted(&[7.0], 0.99), 7.0);
        assert!(quantile_sorted(&[], 0.5).is_nan());
    }

    #[test]
    fn moments_match_pandas() {
        // pandas: Series([1, 2, 3, 10]).skew() / .kurt()
        let (skew, kurtosis) = skew_kurtosis(&[1.0, 2.0, 3.0, 10.0]);
        assert!(close(skew, 1.763632614803888), "{skew}");
        assert!(close(kurtosis, 3.227999999999999), "{kurtosis}");
        let (skew, kurtosis) = skew_kurtosis(&[5.0; 10]);
        assert!(skew.is_nan() && kurtosis.is_nan());
        assert!(skew_kurtosis(&[1.0, 2.0]).0.is_nan());
        let (mean, std) = mean_std(&[1.0, 2.0, 3.0, 10.0]);
        assert_eq!(mean, 4.0);
        assert!(close(std.unwrap(), 4.08248290463863));
        assert_eq!(mean_std(&[3.0]), (3.0, None));
    }

    #[test]
    fn histogram_matches_numpy() {
        // numpy.histogram([0, 1, 1, 2, 10], bins=5) -> [3, 1, 0, 0, 1], edges 0, 2, ..., 10
        let (edges, counts) = histogram(&[0.0, 1.0, 1.0, 2.0, 10.0], 5);
        assert_eq!(edges, [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(counts, [3, 1, 0, 0, 1]);
        // A constant spreads to [v - 0.5, v + 0.5]; nothing gives [0, 1].
        let (edges, counts) = histogram(&[3.0, 3.0], 2);
        assert_eq!(edges, [2.5, 3.0, 3.5]);
        assert_eq!(counts, [0, 2]);
        let (edges, counts) = histogram(&[], 2);
        assert_eq!(edges, [0.0, 0.5, 1.0]);
        assert_eq!(counts, [0, 0]);
    }

    #[test]
    fn pearson_skips_missing_and_flat() {
        let x = [1.0, 2.0, f64::NAN, 4.0, 5.0];
        let y = [2.0, 4.0, 100.0, 8.0, f64::INFINITY];
        assert!(close(pearson(&x, &y), 1.0));
        assert!(pearson(&[1.0, 1.0], &[1.0, 2.0]).is_nan());
        assert!(pearson(&[], &[]).is_nan());
    }

    #[test]
    fn splitmix_is_reproducible() {
        let mut a = SplitMix64::new(7);
        let mut b = SplitMix64::new(7);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
            assert!(a.below(10) < 10);
            b.below(10);
        }
    }
}
