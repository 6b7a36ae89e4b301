//! A small L-BFGS for smooth objectives of a few dozen parameters, with central finite-difference gradients and a backtracking line search that steps back from non-finite values.
//!
//! Bounds are the caller's business: the Holt-Winters fit optimizes on an unbounded
//! reparametrization (logistic maps onto statsmodels' intervals), so a plain L-BFGS
//! suffices and no box projection is needed.

const MEMORY: usize = 10;
const MAX_LINE_SEARCH: usize = 40;

/// The minimum found and how it was reached.
#[derive(Clone, Debug, PartialEq)]
pub struct Minimum {
    pub x: Vec<f64>,
    pub value: f64,
    pub n_iter: usize,
    pub n_evaluations: usize,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The gradient of `f` at `x` by central differences; `None` when a value is not finite.
fn gradient(
    f: &mut dyn FnMut(&[f64]) -> f64,
    x: &[f64],
    evaluations: &mut usize,
) -> Option<Vec<f64>> {
    let mut probe = x.to_vec();
    let mut g = vec![0.0; x.len()];
    for i in 0..x.len() {
        let h = 1e-6 * x[i].abs().max(1.0);
        probe[i] = x[i] + h;
        let up = f(&probe);
        probe[i] = x[i] - h;
        let down = f(&probe);
        probe[i] = x[i];
        *evaluations += 2;
        g[i] = (up - down) / (2.0 * h);
        if !g[i].is_finite() {
            return None;
        }
    }
    Some(g)
}

/// Minimizes `f` from `x0`: at most `max_iter` iterations, stopping when an iteration
/// lowers the value by less than `ftol` relative to it (scipy's L-BFGS-B `ftol` rule) or
/// the gradient vanishes. `f` may return infinity or NaN where it is undefined; the line
/// search then shortens the step.
pub fn minimize(
    f: &mut dyn FnMut(&[f64]) -> f64,
    x0: &[f64],
    max_iter: usize,
    ftol: f64,
) -> Minimum {
    let n = x0.len();
    let mut x = x0.to_vec();
    let mut value = f(&x);
    let mut evaluations = 1;
    let done = |x: Vec<f64>, value: f64, n_iter: usize, n_evaluations: usize| Minimum {
        x,
        value,
        n_iter,
        n_evaluations,
    };
    if !value.is_finite() || n == 0 {
        return done(x, value, 0, evaluations);
    }
    let Some(mut g) = gradient(f, &x, &mut evaluations) else {
        return done(x, value, 0, evaluations);
    };
    let mut history: Vec<(Vec<f64>, Vec<f64>, f64)> = Vec::with_capacity(MEMORY);
    let mut alphas = [0.0; MEMORY];
    for iteration in 0..max_iter {
        let mut d = g.clone();
        for (i, (s, y, rho)) in history.iter().enumerate().rev() {
            alphas[i] = rho * dot(s, &d);
            for (d, y) in d.iter_mut().zip(y) {
                *d -= alphas[i] * y;
            }
        }
        let (mut step, gamma) = match history.last() {
            Some((s, y, _)) => (1.0, dot(s, y) / dot(y, y)),
            None => (1.0 / dot(&g, &g).sqrt().max(1e-12), 1.0),
        };
        // The first step from steepest descent moves at most a unit in the largest
        // parameter direction.
        if history.is_empty() {
            step = step.min(1.0);
        }
        for d in d.iter_mut() {
            *d *= gamma;
        }
        for (i, (s, y, rho)) in history.iter().enumerate() {
            let beta = rho * dot(y, &d);
            for (d, s) in d.iter_mut().zip(s) {
                *d += (alphas[i] - beta) * s;
            }
        }
        for d in d.iter_mut() {
            *d = -*d;
        }
        let mut slope = dot(&g, &d);
        if slope >= 0.0 {
            if history.is_empty() {
                return done(x, value, iteration, evaluations);
            }
            history.clear();
            continue;
        }
        let mut accepted = None;
        let mut candidate = vec![0.0; n];
        for _ in 0..MAX_LINE_SEARCH {
            for ((c, &x), d) in candidate.iter_mut().zip(&x).zip(&d) {
                *c = x + step * d;
            }
            let new_value = f(&candidate);
            evaluations += 1;
            if new_value.is_finite() && new_value <= value + 1e-4 * step * slope {
                accepted = Some(new_value);
                break;
            }
            step *= if new_value.is_finite() { 0.5 } else { 0.1 };
        }
        let Some(new_value) = accepted else {
            if history.is_empty() {
                return done(x, value, iteration, evaluations);
            }
            // A bad quasi-Newton model: start again from steepest descent.
            history.clear();
            continue;
        };
        let Some(new_g) = gradient(f, &candidate, &mut evaluations) else {
            return done(candidate, new_value, iteration + 1, evaluations);
        };
        let s: Vec<f64> = candidate.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = new_g.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        if sy > 1e-12 * dot(&y, &y).max(f64::MIN_POSITIVE) {
            if history.len() == MEMORY {
                history.remove(0);
            }
            history.push((s, y, 1.0 / sy));
        }
        let decrease =
            (value - new_value) / value.abs().max(new_value.abs()).max(f64::MIN_POSITIVE);
        x = candidate;
        value = new_value;
        g = new_g;
        slope = dot(&g, &g);
        if decrease <= ftol || slope == 0.0 {
            return done(x, value, iteration + 1, evaluations);
        }
    }
    done(x, value, max_iter, evaluations)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_rosenbrock_minimum() {
        let mut f = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let minimum = minimize(&mut f, &[-1.2, 1.0], 500, 1e-15);
        assert!((minimum.x[0] - 1.0).abs() < 1e-3, "{minimum:?}");
        assert!((minimum.x[1] - 1.0).abs() < 1e-3, "{minimum:?}");
    }

    #[test]
    fn steps_back_from_undefined_regions() {
        // Undefined for x <= 0; the minimum of x - ln x is at 1.
        let mut f = |x: &[f64]| {
            if x[0] > 0.0 {
                x[0] - x[0].ln()
            } else {
                f64::INFINITY
            }
        };
        let minimum = minimize(&mut f, &[5.0], 200, 1e-15);
        assert!((minimum.x[0] - 1.0).abs() < 1e-3, "{minimum:?}");
    }
}
