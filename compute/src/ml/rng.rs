//! The seeded generator every model draws from (the profile's SplitMix64).

pub(crate) use crate::profile::kernels::SplitMix64;

/// Shuffles `values` in place (Fisher-Yates).
pub(crate) fn shuffle<T>(rng: &mut SplitMix64, values: &mut [T]) {
    for i in (1..values.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        values.swap(i, j);
    }
}
