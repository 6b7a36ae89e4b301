//! Typed row access to a column for the profile: missing values, numbers, equality and
//! hashing per row, counting values, and drawing the deterministic sample.
//!
//! Missing means null, or NaN in a float column (pandas' `isna`). Equality is value
//! equality as pandas' `duplicated` and `value_counts` see it: `-0.0 == 0.0`, and a
//! categorical value equals another with the same text even under a different dictionary key.

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int32Type, Int64Type, TimestampMillisecondType};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, DictionaryArray, Float64Array, Int32Array,
    Int64Array, StringArray, TimestampMillisecondArray,
};

use super::kernels::{hash_bytes, mix64, SplitMix64};
use crate::frame::{Column, Frame};
use crate::schema::ColumnType;

/// One column's values, typed.
pub(crate) enum Cells<'a> {
    Integer(&'a Int64Array),
    Float(&'a Float64Array),
    Boolean(&'a BooleanArray),
    String(&'a StringArray),
    Categorical {
        keys: &'a Int32Array,
        values: &'a StringArray,
        /// For each dictionary key, the first key with the same text (`None` for a null
        /// dictionary value), so equal texts compare and count as one value.
        canonical: Vec<Option<i32>>,
    },
    Date(&'a Date32Array),
    Datetime(&'a TimestampMillisecondArray),
}

/// Bits of a float that are equal exactly when the floats are (`-0.0` is `0.0`).
fn canonical_bits(value: f64) -> u64 {
    if value == 0.0 {
        0
    } else {
        value.to_bits()
    }
}

const MISSING_HASH: u64 = 0x6D69_7373_696E_6721;

impl<'a> Cells<'a> {
    pub(crate) fn new(column: &'a Column) -> Cells<'a> {
        let array = column.array().as_ref();
        match column.column_type() {
            ColumnType::Integer => Cells::Integer(array.as_primitive::<Int64Type>()),
            ColumnType::Float => Cells::Float(array.as_primitive::<Float64Type>()),
            ColumnType::Boolean => Cells::Boolean(array.as_boolean()),
            ColumnType::String => Cells::String(array.as_string::<i32>()),
            ColumnType::Categorical => {
                let dictionary = array.as_dictionary::<Int32Type>();
                let values = dictionary.values().as_string::<i32>();
                let mut first_key: HashMap<&str, i32> = HashMap::new();
                let canonical = (0..values.len())
                    .map(|key| {
                        values
                            .is_valid(key)
                            .then(|| *first_key.entry(values.value(key)).or_insert(key as i32))
                    })
                    .collect();
                Cells::Categorical {
                    keys: dictionary.keys(),
                    values,
                    canonical,
                }
            }
            ColumnType::Date => Cells::Date(array.as_primitive::<Date32Type>()),
            ColumnType::Datetime => {
                Cells::Datetime(array.as_primitive::<TimestampMillisecondType>())
            }
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Cells::Integer(a) => a.len(),
            Cells::Float(a) => a.len(),
            Cells::Boolean(a) => a.len(),
            Cells::String(a) => a.len(),
            Cells::Categorical { keys, .. } => keys.len(),
            Cells::Date(a) => a.len(),
            Cells::Datetime(a) => a.len(),
        }
    }

    /// The dictionary key standing for row `row`'s text (`None` when missing).
    fn category(keys: &Int32Array, canonical: &[Option<i32>], row: usize) -> Option<i32> {
        if keys.is_null(row) {
            return None;
        }
        canonical.get(keys.value(row) as usize).copied().flatten()
    }

    pub(crate) fn is_missing(&self, row: usize) -> bool {
        match self {
            Cells::Float(a) => a.is_null(row) || a.value(row).is_nan(),
            Cells::Categorical {
                keys, canonical, ..
            } => Self::category(keys, canonical, row).is_none(),
            Cells::Integer(a) => a.is_null(row),
            Cells::Boolean(a) => a.is_null(row),
            Cells::String(a) => a.is_null(row),
            Cells::Date(a) => a.is_null(row),
            Cells::Datetime(a) => a.is_null(row),
        }
    }

    /// The value of a numeric, date or datetime cell as a number (days for dates,
    /// milliseconds for datetimes); `None` when missing or not such a column.
    pub(crate) fn number(&self, row: usize) -> Option<f64> {
        match self {
            Cells::Integer(a) => a.is_valid(row).then(|| a.value(row) as f64),
            Cells::Float(a) => {
                if a.is_null(row) || a.value(row).is_nan() {
                    None
                } else {
                    Some(a.value(row))
                }
            }
            Cells::Date(a) => a.is_valid(row).then(|| f64::from(a.value(row))),
            Cells::Datetime(a) => a.is_valid(row).then(|| a.value(row) as f64),
            _ => None,
        }
    }

    /// The text of a string or categorical cell; `None` when missing or not such a column.
    pub(crate) fn text(&self, row: usize) -> Option<&'a str> {
        match self {
            Cells::String(a) => a.is_valid(row).then(|| a.value(row)),
            Cells::Categorical {
                keys,
                values,
                canonical,
            } => Self::category(keys, canonical, row).map(|key| values.value(key as usize)),
            _ => None,
        }
    }

    /// Whether rows `a` and `b` hold the same value (two missing values are the same).
    pub(crate) fn equal(&self, a: usize, b: usize) -> bool {
        fn same<T: PartialEq>(x: Option<T>, y: Option<T>) -> bool {
            x == y
        }
        match self {
            Cells::Integer(x) => same(
                x.is_valid(a).then(|| x.value(a)),
                x.is_valid(b).then(|| x.value(b)),
            ),
            Cells::Float(_) => same(
                self.number(a).map(canonical_bits),
                self.number(b).map(canonical_bits),
            ),
            Cells::Boolean(x) => same(
                x.is_valid(a).then(|| x.value(a)),
                x.is_valid(b).then(|| x.value(b)),
            ),
            Cells::String(x) => same(
                x.is_valid(a).then(|| x.value(a)),
                x.is_valid(b).then(|| x.value(b)),
            ),
            Cells::Categorical {
                keys, canonical, ..
            } => same(
                Self::category(keys, canonical, a),
                Self::category(keys, canonical, b),
            ),
            Cells::Date(x) => same(
                x.is_valid(a).then(|| x.value(a)),
                x.is_valid(b).then(|| x.value(b)),
            ),
            Cells::Datetime(x) => same(
                x.is_valid(a).then(|| x.value(a)),
                x.is_valid(b).then(|| x.value(b)),
            ),
        }
    }

    /// A hash of row `row`'s value, equal for equal values, the same on every platform.
    pub(crate) fn hash(&self, row: usize) -> u64 {
        if self.is_missing(row) {
            return MISSING_HASH;
        }
        match self {
            Cells::Integer(a) => mix64(a.value(row) as u64),
            Cells::Float(a) => mix64(canonical_bits(a.value(row))),
            Cells::Boolean(a) => mix64(u64::from(a.value(row)) + 1),
            Cells::String(a) => hash_bytes(a.value(row).as_bytes()),
            Cells::Categorical { .. } => {
                hash_bytes(self.text(row).expect("checked present").as_bytes())
            }
            Cells::Date(a) => mix64(a.value(row) as u64),
            Cells::Datetime(a) => mix64(a.value(row) as u64),
        }
    }
}

/// Calls `$body` with `$key` bound to a closure `row -> Option<K>` giving each present
/// row's value as a hashable key (`None` when missing), for each column type in turn.
macro_rules! with_keys {
    ($cells:expr, |$key:ident| $body:expr) => {
        match $cells {
            Cells::Integer(a) => {
                let $key = |row: usize| a.is_valid(row).then(|| a.value(row));
                $body
            }
            cells @ Cells::Float(_) => {
                let $key = |row: usize| cells.number(row).map(canonical_bits);
                $body
            }
            Cells::Boolean(a) => {
                let $key = |row: usize| a.is_valid(row).then(|| a.value(row));
                $body
            }
            Cells::String(a) => {
                let $key = |row: usize| a.is_valid(row).then(|| a.value(row));
                $body
            }
            Cells::Categorical {
                keys, canonical, ..
            } => {
                let $key = |row: usize| Cells::category(keys, canonical, row);
                $body
            }
            Cells::Date(a) => {
                let $key = |row: usize| a.is_valid(row).then(|| a.value(row));
                $body
            }
            Cells::Datetime(a) => {
                let $key = |row: usize| a.is_valid(row).then(|| a.value(row));
                $body
            }
        }
    };
}

/// How often one value occurs, and the first row holding it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ValueCount {
    pub(crate) first_row: usize,
    pub(crate) count: u64,
}

/// The values of one column, counted.
pub(crate) struct ValueCounts {
    /// Present values.
    pub(crate) present: u64,
    pub(crate) distinct: u64,
    pub(crate) approximate: bool,
    /// Most frequent first, ties by first appearance. Every distinct value when exact;
    /// the heavy hitters (every value above 1/`HEAVY_HITTERS` of the rows, and more) when
    /// approximate, each counted exactly.
    pub(crate) entries: Vec<ValueCount>,
}

/// Candidates kept by the Misra-Gries pass when a column has too many distinct values.
const HEAVY_HITTERS: usize = 1024;
/// Hashes kept by the k-minimum-values distinct estimate (relative standard error
/// 1/sqrt(k - 2), about 1.6%).
const KMV_SIZE: usize = 4096;

pub(crate) fn count_values(cells: &Cells<'_>, exact_limit: usize) -> ValueCounts {
    let n = cells.len();
    let present = (0..n).filter(|&row| !cells.is_missing(row)).count() as u64;
    let exact = with_keys!(cells, |key| count_exact(n, key, exact_limit));
    let (entries, distinct, approximate) = match exact {
        Some(entries) => {
            let distinct = entries.len() as u64;
            (entries, distinct, false)
        }
        None => {
            let entries = with_keys!(cells, |key| heavy_hitters(n, key, HEAVY_HITTERS));
            (entries, estimate_distinct(cells), true)
        }
    };
    let mut entries = entries;
    entries.sort_by(|a, b| b.count.cmp(&a.count).then(a.first_row.cmp(&b.first_row)));
    ValueCounts {
        present,
        distinct,
        approximate,
        entries,
    }
}

/// Every distinct value's count, in order of first appearance; `None` as soon as there are
/// more than `limit` distinct values.
fn count_exact<K: Hash + Eq>(
    n: usize,
    key: impl Fn(usize) -> Option<K>,
    limit: usize,
) -> Option<Vec<ValueCount>> {
    let mut index: HashMap<K, usize> = HashMap::new();
    let mut entries: Vec<ValueCount> = Vec::new();
    for row in 0..n {
        let Some(value) = key(row) else { continue };
        match index.entry(value) {
            Entry::Occupied(slot) => entries[*slot.get()].count += 1,
            Entry::Vacant(slot) => {
                if entries.len() == limit {
                    return None;
                }
                slot.insert(entries.len());
                entries.push(ValueCount {
                    first_row: row,
                    count: 1,
                });
            }
        }
    }
    Some(entries)
}

/// The Misra-Gries candidates for the most frequent values, then counted exactly in a
/// second pass: any value held by more than n/(capacity + 1) rows is among them.
fn heavy_hitters<K: Hash + Eq + Copy>(
    n: usize,
    key: impl Fn(usize) -> Option<K>,
    capacity: usize,
) -> Vec<ValueCount> {
    let mut counters: HashMap<K, u64> = HashMap::with_capacity(capacity + 1);
    for row in 0..n {
        let Some(value) = key(row) else { continue };
        if let Some(counter) = counters.get_mut(&value) {
            *counter += 1;
        } else if counters.len() < capacity {
            counters.insert(value, 1);
        } else {
            counters.retain(|_, counter| {
                *counter -= 1;
                *counter > 0
            });
        }
    }
    let mut index: HashMap<K, usize> = HashMap::with_capacity(counters.len());
    let mut entries: Vec<ValueCount> = Vec::with_capacity(counters.len());
    for row in 0..n {
        let Some(value) = key(row) else { continue };
        if !counters.contains_key(&value) {
            continue;
        }
        match index.entry(value) {
            Entry::Occupied(slot) => entries[*slot.get()].count += 1,
            Entry::Vacant(slot) => {
                slot.insert(entries.len());
                entries.push(ValueCount {
                    first_row: row,
                    count: 1,
                });
            }
        }
    }
    entries
}

/// The k-minimum-values estimate of the number of distinct present values.
fn estimate_distinct(cells: &Cells<'_>) -> u64 {
    let mut smallest: BTreeSet<u64> = BTreeSet::new();
    for row in 0..cells.len() {
        if cells.is_missing(row) {
            continue;
        }
        let hash = cells.hash(row);
        if smallest.len() < KMV_SIZE {
            smallest.insert(hash);
        } else if hash < *smallest.last().expect("full") && smallest.insert(hash) {
            smallest.pop_last();
        }
    }
    if smallest.len() < KMV_SIZE {
        return smallest.len() as u64;
    }
    let kth = *smallest.last().expect("full") as f64 / 2f64.powi(64);
    ((KMV_SIZE - 1) as f64 / kth).round() as u64
}

/// Each row's value as a dense code (`0..n_codes`), missing values as one more code of
/// their own; equal values share a code. Returns the codes and `n_codes` (missing included).
pub(crate) fn codes(cells: &Cells<'_>) -> (Vec<u32>, u32) {
    let n = cells.len();
    with_keys!(cells, |key| dense_codes(n, key))
}

fn dense_codes<K: Hash + Eq>(n: usize, key: impl Fn(usize) -> Option<K>) -> (Vec<u32>, u32) {
    let mut index: HashMap<K, u32> = HashMap::new();
    let raw: Vec<Option<u32>> = (0..n)
        .map(|row| {
            key(row).map(|value| {
                let next = index.len() as u32;
                *index.entry(value).or_insert(next)
            })
        })
        .collect();
    let missing = index.len() as u32;
    let codes = raw
        .into_iter()
        .map(|code| code.unwrap_or(missing))
        .collect();
    (codes, missing + 1)
}

/// Whether every present value differs from every other, by sorting (used where the
/// distinct count is only an estimate).
pub(crate) fn all_distinct(cells: &Cells<'_>) -> bool {
    let n = cells.len();
    with_keys!(cells, |key| {
        let mut values: Vec<_> = (0..n).filter_map(&key).collect();
        values.sort_unstable();
        values.windows(2).all(|pair| pair[0] != pair[1])
    })
}

/// Rows equal to an earlier row in every column (pandas' `duplicated().sum()`).
pub(crate) fn count_duplicate_rows(columns: &[Cells<'_>], n_rows: usize) -> u64 {
    if n_rows < 2 || columns.is_empty() {
        return 0;
    }
    let mut hashes = vec![0u64; n_rows];
    for cells in columns {
        for (row, hash) in hashes.iter_mut().enumerate() {
            *hash = mix64(hash.rotate_left(17) ^ cells.hash(row));
        }
    }
    let mut order: Vec<usize> = (0..n_rows).collect();
    order.sort_unstable_by_key(|&row| (hashes[row], row));
    let rows_equal = |a: usize, b: usize| columns.iter().all(|cells| cells.equal(a, b));
    let mut duplicates = 0u64;
    let mut start = 0;
    while start < n_rows {
        let hash = hashes[order[start]];
        let end = start
            + order[start..]
                .iter()
                .take_while(|&&row| hashes[row] == hash)
                .count();
        if end - start > 1 {
            // Rows in a run share a hash; almost always they are equal, so this finds the
            // first row of each distinct value among very few representatives.
            let mut representatives: Vec<usize> = Vec::new();
            for &row in &order[start..end] {
                if representatives.iter().any(|&first| rows_equal(first, row)) {
                    duplicates += 1;
                } else {
                    representatives.push(row);
                }
            }
        }
        start = end;
    }
    duplicates
}

/// `k` of `n` row numbers, uniformly at random and ascending (Knuth's selection sampling,
/// algorithm S), the same for the same `(n, k, seed)`.
pub(crate) fn sample_rows(n: usize, k: usize, seed: u64) -> Vec<usize> {
    let k = k.min(n);
    let mut rng = SplitMix64::new(seed);
    let mut rows = Vec::with_capacity(k);
    for row in 0..n {
        if rows.len() == k {
            break;
        }
        if rng.below((n - row) as u64) < (k - rows.len()) as u64 {
            rows.push(row);
        }
    }
    rows
}

/// The frame's rows `rows`, in that order (arrow-select is not a dependency; our seven
/// types are simple to gather).
pub(crate) fn take_rows(frame: &Frame, rows: &[usize]) -> Frame {
    let columns = frame
        .columns()
        .iter()
        .map(|column| {
            let array = column.array().as_ref();
            let taken: ArrayRef = match column.column_type() {
                ColumnType::Integer => {
                    let a = array.as_primitive::<Int64Type>();
                    Arc::new(Int64Array::from_iter(
                        rows.iter().map(|&r| a.is_valid(r).then(|| a.value(r))),
                    ))
                }
                ColumnType::Float => {
                    let a = array.as_primitive::<Float64Type>();
                    Arc::new(Float64Array::from_iter(
                        rows.iter().map(|&r| a.is_valid(r).then(|| a.value(r))),
                    ))
                }
                ColumnType::Boolean => {
                    let a = array.as_boolean();
                    Arc::new(BooleanArray::from_iter(
                        rows.iter().map(|&r| a.is_valid(r).then(|| a.value(r))),
                    ))
                }
                ColumnType::String => {
                    let a = array.as_string::<i32>();
                    Arc::new(StringArray::from_iter(
                        rows.iter().map(|&r| a.is_valid(r).then(|| a.value(r))),
                    ))
                }
                ColumnType::Categorical => {
                    let a = array.as_dictionary::<Int32Type>();
                    let keys = a.keys();
                    let keys = Int32Array::from_iter(
                        rows.iter()
                            .map(|&r| keys.is_valid(r).then(|| keys.value(r))),
                    );
                    Arc::new(
                        DictionaryArray::<Int32Type>::try_new(keys, a.values().clone())
                            .expect("keys taken from a valid dictionary array stay in range"),
                    )
                }
                ColumnType::Date => {
                    let a = array.as_primitive::<Date32Type>();
                    Arc::new(Date32Array::from_iter(
                        rows.iter().map(|&r| a.is_valid(r).then(|| a.value(r))),
                    ))
                }
                ColumnType::Datetime => {
                    let a = array.as_primitive::<TimestampMillisecondType>();
                    Arc::new(TimestampMillisecondArray::from_iter(
                        rows.iter().map(|&r| a.is_valid(r).then(|| a.value(r))),
                    ))
                }
            };
            Column::new(column.name(), column.column_type(), taken)
                .expect("taking rows keeps the column's Arrow type")
        })
        .collect();
    Frame::new(columns).expect("taken columns have equal lengths and the frame's names")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, column_type: ColumnType, array: ArrayRef) -> Column {
        Column::new(name, column_type, array).unwrap()
    }

    #[test]
    fn categorical_values_are_compared_by_text() {
        // Keys 0 and 2 both mean "a".
        let dictionary = DictionaryArray::<Int32Type>::try_new(
            Int32Array::from(vec![Some(0), Some(2), None, Some(1)]),
            Arc::new(StringArray::from(vec!["a", "b", "a"])),
        )
        .unwrap();
        let column = column("c", ColumnType::Categorical, Arc::new(dictionary));
        let cells = Cells::new(&column);
        assert!(cells.equal(0, 1));
        assert!(!cells.equal(0, 3));
        assert_eq!(cells.hash(0), cells.hash(1));
        assert!(cells.is_missing(2));
        let counts = count_values(&cells, 100);
        assert_eq!((counts.present, counts.distinct), (3, 2));
        assert_eq!(
            counts.entries[0],
            ValueCount {
                first_row: 0,
                count: 2
            }
        );
        let (codes, n_codes) = codes(&cells);
        assert_eq!((codes, n_codes), (vec![0, 0, 2, 1], 3));
    }

    #[test]
    fn float_zero_signs_and_nan() {
        let column = column(
            "x",
            ColumnType::Float,
            Arc::new(Float64Array::from(vec![
                Some(0.0),
                Some(-0.0),
                Some(f64::NAN),
                None,
            ])),
        );
        let cells = Cells::new(&column);
        assert!(cells.equal(0, 1) && cells.equal(2, 3));
        assert!(cells.is_missing(2));
        let counts = count_values(&cells, 100);
        assert_eq!((counts.present, counts.distinct), (2, 1));
        assert_eq!(count_duplicate_rows(&[cells], 4), 2);
    }

    #[test]
    fn too_many_values_are_estimated_and_heavy_hitters_kept() {
        // 36,000 distinct values, value 7 in every tenth row (and in row 7).
        let values: Vec<i64> = (0..40_000)
            .map(|i| if i % 10 == 0 { 7 } else { i })
            .collect();
        let column = column(
            "n",
            ColumnType::Integer,
            Arc::new(Int64Array::from(values.clone())),
        );
        let cells = Cells::new(&column);
        let exact = count_values(&cells, usize::MAX);
        assert!(!exact.approximate);
        let truth = exact.distinct;
        let approximate = count_values(&cells, 1000);
        assert!(approximate.approximate);
        let error = (approximate.distinct as f64 - truth as f64).abs() / truth as f64;
        assert!(
            error < 0.05,
            "estimate {} for {truth}",
            approximate.distinct
        );
        assert_eq!(
            approximate.entries[0],
            ValueCount {
                first_row: 0,
                count: 4001
            }
        );
        assert!(all_distinct(&Cells::new(&column)) == (truth == 40_000));
    }

    #[test]
    fn samples_are_sorted_reproducible_and_uniform() {
        let rows = sample_rows(1000, 100, 9);
        assert_eq!(rows.len(), 100);
        assert!(rows.windows(2).all(|pair| pair[0] < pair[1]));
        assert_eq!(rows, sample_rows(1000, 100, 9));
        assert_ne!(rows, sample_rows(1000, 100, 10));
        assert_eq!(sample_rows(5, 10, 1), vec![0, 1, 2, 3, 4]);
        // Each half of the rows gets about half the sample.
        let low = sample_rows(100_000, 10_000, 3)
            .iter()
            .filter(|&&row| row < 50_000)
            .count();
        assert!((4_700..5_300).contains(&low), "{low}");
    }
}
