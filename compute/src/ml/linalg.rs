//! Small dense linear algebra on row-major square matrices: Cholesky solves and a symmetric eigen-decomposition for the linear models.

/// Solves `a x = b` for a symmetric positive definite `a` (`n × n`, row-major) by Cholesky;
/// `None` when `a` is not positive definite.
pub(crate) fn cholesky_solve(a: &[f64], b: &[f64]) -> Option<Vec<f64>> {
    let n = b.len();
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut sum = a[i * n + j];
            for k in 0..j {
                sum -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if sum <= 0.0 || !sum.is_finite() {
                    return None;
                }
                l[i * n + i] = sum.sqrt();
            } else {
                l[i * n + j] = sum / l[j * n + j];
            }
        }
    }
    // Forward: l z = b; backward: lᵀ x = z.
    let mut x = b.to_vec();
    for i in 0..n {
        let mut sum = x[i];
        for k in 0..i {
            sum -= l[i * n + k] * x[k];
        }
        x[i] = sum / l[i * n + i];
    }
    for i in (0..n).rev() {
        let mut sum = x[i];
        for k in i + 1..n {
            sum -= l[k * n + i] * x[k];
        }
        x[i] = sum / l[i * n + i];
    }
    Some(x)
}

/// Eigenvalues and eigenvectors (as the columns of the returned row-major matrix) of a
/// symmetric matrix by cyclic Jacobi rotations: slow for big `n` (`O(n³)` per sweep) but
/// accurate, and `n` is the number of encoded columns here.
pub(crate) fn symmetric_eigen(a: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut a = a.to_vec();
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    let frobenius: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    for _sweep in 0..100 {
        let mut off = 0.0;
        for i in 0..n {
            for j in i + 1..n {
                off += a[i * n + j] * a[i * n + j];
            }
        }
        if off.sqrt() <= 1e-15 * frobenius || frobenius == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq.abs() <= 1e-300 {
                    continue;
                }
                let app = a[p * n + p];
                let aqq = a[q * n + q];
                let theta = (aqq - app) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let akp = a[k * n + p];
                    let akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let apk = a[p * n + k];
                    let aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let vkp = v[k * n + p];
                    let vkq = v[k * n + q];
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let values = (0..n).map(|i| a[i * n + i]).collect();
    (values, v)
}

/// The minimum-norm least-squares solution of `gram w = xty` (the normal equations), like
/// `numpy.linalg.lstsq`: directions whose eigenvalue is below `rcond² · λ_max` (singular
/// values below `rcond · σ_max`) are left out.
pub(crate) fn pseudo_inverse_solve(gram: &[f64], xty: &[f64], rcond: f64) -> Vec<f64> {
    let n = xty.len();
    let (values, vectors) = symmetric_eigen(gram, n);
    let largest = values.iter().copied().fold(0.0, f64::max);
    let cutoff = rcond * rcond * largest;
    let mut w = vec![0.0; n];
    for (k, &value) in values.iter().enumerate() {
        if value <= cutoff {
            continue;
        }
        let projection: f64 = (0..n).map(|i| vectors[i * n + k] * xty[i]).sum::<f64>() / value;
        for i in 0..n {
            w[i] += projection * vectors[i * n + k];
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_solves_a_small_system() {
        let a = [4.0, 2.0, 2.0, 3.0];
        let x = cholesky_solve(&a, &[2.0, 1.0]).unwrap();
        assert!((4.0 * x[0] + 2.0 * x[1] - 2.0).abs() < 1e-14);
        assert!((2.0 * x[0] + 3.0 * x[1] - 1.0).abs() < 1e-14);
        assert!(cholesky_solve(&[1.0, 1.0, 1.0, 1.0], &[1.0, 1.0]).is_none());
    }

    #[test]
    fn pseudo_inverse_gives_the_minimum_norm_solution() {
        // Two identical columns: w = (0.5, 0.5) · b is the smallest solution.
        let gram = [2.0, 2.0, 2.0, 2.0];
        let w = pseudo_inverse_solve(&gram, &[4.0, 4.0], 1e-8);
        assert!((w[0] - 1.0).abs() < 1e-12 && (w[1] - 1.0).abs() < 1e-12);
        let (values, _) = symmetric_eigen(&[2.0, 1.0, 1.0, 2.0], 2);
        let mut values = values;
        values.sort_by(f64::total_cmp);
        assert!((values[0] - 1.0).abs() < 1e-14 && (values[1] - 3.0).abs() < 1e-14);
    }
}
