//! A compressed sparse row matrix of `f64`, scipy's CSR layout: `indptr`, `indices`, `data`.
//!
//! Written by hand rather than taken from `sprs`: the text models need building row by row,
//! reading a row and nothing else, and a crate (with its `ndarray` dependency) would add to
//! the worker's wasm for that.

/// Rows of `(column, value)` pairs: row `i`'s columns are
/// `indices[indptr[i]..indptr[i + 1]]`, increasing, with their values in `data`.
#[derive(Clone, Debug, PartialEq)]
pub struct CsrMatrix {
    pub n_cols: usize,
    /// `n_rows + 1` offsets into `indices` and `data`, starting at 0.
    pub indptr: Vec<usize>,
    pub indices: Vec<u32>,
    pub data: Vec<f64>,
}

impl CsrMatrix {
    /// No rows yet, `n_cols` columns.
    pub fn new(n_cols: usize) -> CsrMatrix {
        CsrMatrix {
            n_cols,
            indptr: vec![0],
            indices: Vec::new(),
            data: Vec::new(),
        }
    }

    pub fn n_rows(&self) -> usize {
        self.indptr.len() - 1
    }

    /// Stored (non-zero) entries.
    pub fn nnz(&self) -> usize {
        self.data.len()
    }

    /// Appends a row from `(column, value)` pairs with increasing columns below `n_cols`.
    pub fn push_row(&mut self, entries: impl IntoIterator<Item = (u32, f64)>) {
        for (column, value) in entries {
            debug_assert!((column as usize) < self.n_cols);
            debug_assert!(
                self.indices[*self.indptr.last().expect("indptr starts at 0")..]
                    .last()
                    .is_none_or(|&last| last < column)
            );
            self.indices.push(column);
            self.data.push(value);
        }
        self.indptr.push(self.indices.len());
    }

    /// Row `i`'s columns and values.
    pub fn row(&self, i: usize) -> (&[u32], &[f64]) {
        let range = self.indptr[i]..self.indptr[i + 1];
        (&self.indices[range.clone()], &self.data[range])
    }

    /// The value at `(i, column)`, 0 when not stored.
    pub fn get(&self, i: usize, column: u32) -> f64 {
        let (columns, values) = self.row(i);
        columns.binary_search(&column).map_or(0.0, |at| values[at])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_read_back_as_pushed() {
        let mut m = CsrMatrix::new(4);
        m.push_row([(0, 1.0), (3, 2.5)]);
        m.push_row([]);
        m.push_row([(2, -1.0)]);
        assert_eq!(m.n_rows(), 3);
        assert_eq!(m.nnz(), 3);
        assert_eq!(m.indptr, [0, 2, 2, 3]);
        assert_eq!(m.row(1), (&[][..], &[][..]));
        assert_eq!(m.get(0, 3), 2.5);
        assert_eq!(m.get(0, 1), 0.0);
        assert_eq!(m.get(2, 2), -1.0);
    }
}
