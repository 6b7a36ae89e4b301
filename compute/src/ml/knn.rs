//! k nearest neighbours like scikit-learn's `KNeighborsClassifier` / `KNeighborsRegressor`: uniform weights, Euclidean distance on the preprocessed matrix, brute force in blocks of test rows.
//!
//! The model keeps the encoded training rows (numbers and category codes, not the one-hot
//! columns). Prediction walks the training rows once per block of test rows, so memory
//! stays at one distance per training row and block row whatever the number of test rows.

use serde::{Deserialize, Serialize};

use super::gbdt::argmax;
use super::matrix::{DesignMatrix, FeatureSpec, TrainSet};
use super::preprocess::{Encoded, Preprocessor};
use super::{Control, KnnParams, MlError, Progress, Task};

/// Test rows whose distances are computed together.
const BLOCK_ROWS: usize = 64;

/// A fitted kNN model: the preprocessing and the encoded training rows with their targets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KnnModel {
    pub spec: FeatureSpec,
    pub params: KnnParams,
    pub preprocessor: Preprocessor,
    pub train_x: Encoded,
    /// Values, or class indices.
    pub train_y: Vec<f64>,
}

/// "Fits" kNN: fits the preprocessing and keeps the encoded rows.
pub fn fit(
    train: &TrainSet,
    params: &KnnParams,
    progress: &mut dyn FnMut(Progress) -> Control,
) -> Result<KnnModel, MlError> {
    params.check()?;
    let preprocessor = Preprocessor::fit(&train.x, &params.preprocess)?;
    let train_x = preprocessor.transform(&train.x)?;
    if progress(Progress {
        fraction_done: 1.0,
        steps_done: 1,
        iteration: None,
    }) == Control::Cancel
    {
        return Err(MlError::Cancelled);
    }
    Ok(KnnModel {
        spec: train.spec.clone(),
        params: params.clone(),
        preprocessor,
        train_x,
        train_y: train.y.clone(),
    })
}

impl KnnModel {
    pub fn task(&self) -> Task {
        self.spec.target.task
    }

    /// The training rows nearest to each row of `x`, nearest first; equal distances are
    /// ordered by training row (scikit-learn's order on ties depends on its tree).
    pub fn kneighbors(&self, x: &DesignMatrix) -> Result<Vec<Vec<usize>>, MlError> {
        let test = self.preprocessor.transform(x)?;
        let n_train = self.train_x.n_rows;
        let k = self.params.n_neighbors.min(n_train);
        let mut neighbors = Vec::with_capacity(test.n_rows);
        let mut distances: Vec<Vec<(f64, u32)>> = Vec::new();
        for start in (0..test.n_rows).step_by(BLOCK_ROWS) {
            let end = (start + BLOCK_ROWS).min(test.n_rows);
            distances.resize_with(end - start, Vec::new);
            for list in &mut distances {
                list.clear();
            }
            for train_row in 0..n_train {
                for (list, test_row) in distances.iter_mut().zip(start..end) {
                    let d = test.squared_distance(test_row, &self.train_x, train_row);
                    list.push((d, train_row as u32));
                }
            }
            for list in distances.iter_mut().take(end - start) {
                let order =
                    |a: &(f64, u32), b: &(f64, u32)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
                if k < list.len() {
                    list.select_nth_unstable_by(k - 1, order);
                }
                let nearest = &mut list[..k];
                nearest.sort_unstable_by(order);
                neighbors.push(nearest.iter().map(|&(_, row)| row as usize).collect());
            }
        }
        Ok(neighbors)
    }

    /// Regression: the mean target of the neighbours; classification: the predicted class
    /// indices (the lowest index on ties, like scikit-learn).
    pub fn predict(&self, x: &DesignMatrix) -> Result<Vec<f64>, MlError> {
        if self.task() == Task::Regression {
            let neighbors = self.kneighbors(x)?;
            return Ok(neighbors
                .iter()
                .map(|rows| {
                    rows.iter().map(|&row| self.train_y[row]).sum::<f64>() / rows.len() as f64
                })
                .collect());
        }
        Ok(self
            .predict_proba(x)?
            .iter()
            .map(|p| argmax(p) as f64)
            .collect())
    }

    /// The share of each class among the neighbours.
    pub fn predict_proba(&self, x: &DesignMatrix) -> Result<Vec<Vec<f64>>, MlError> {
        if self.task() == Task::Regression {
            return Err(MlError::NotAClassifier {
                model: "k nearest neighbours",
            });
        }
        let n_classes = self.spec.target.classes.len();
        Ok(self
            .kneighbors(x)?
            .iter()
            .map(|rows| {
                let mut p = vec![0.0; n_classes];
                for &row in rows {
                    p[self.train_y[row] as usize] += 1.0;
                }
                for p in &mut p {
                    *p /= rows.len() as f64;
                }
                p
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rows_vote_and_average() {
        let x = DesignMatrix::numeric(6, vec![vec![0.0, 0.1, 0.2, 5.0, 5.1, 5.2]]).unwrap();
        let classes = TrainSet::from_matrix(
            x.clone(),
            vec![0.0, 0.0, 1.0, 1.0, 1.0, 0.0],
            Task::Binary,
            vec!["a".into(), "b".into()],
        )
        .unwrap();
        let params = KnnParams {
            n_neighbors: 3,
            ..KnnParams::default()
        };
        let model = fit(&classes, &params, &mut |_| Control::Continue).unwrap();
        let query = DesignMatrix::numeric(2, vec![vec![0.05, 5.05]]).unwrap();
        assert_eq!(
            model.kneighbors(&query).unwrap(),
            vec![vec![0, 1, 2], vec![3, 4, 5]]
        );
        assert_eq!(model.predict(&query).unwrap(), vec![0.0, 1.0]);
        let values = TrainSet::from_matrix(
            x,
            vec![1.0, 2.0, 3.0, 10.0, 20.0, 30.0],
            Task::Regression,
            Vec::new(),
        )
        .unwrap();
        let model = fit(&values, &params, &mut |_| Control::Continue).unwrap();
        assert_eq!(model.predict(&query).unwrap(), vec![2.0, 20.0]);
    }
}
