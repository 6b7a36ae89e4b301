//! Properties of the profile and the insights report on arbitrary small frames of every
//! column type (all-missing columns, NaN and infinities, empty frames, one row): nothing
//! panics, counts add up, distinct counts and duplicate rows agree with a naive reference,
//! and the result survives JSON.

use std::collections::HashSet;
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, DictionaryArray, Float64Array, Int64Array, StringArray,
    TimestampMillisecondArray,
};
use compute::frame::{Column, Frame};
use compute::profile::{insights, profile, DatasetProfile, Histogram, ProfileOptions};
use compute::schema::ColumnType;
use proptest::prelude::*;

const TYPES: [ColumnType; 7] = [
    ColumnType::Integer,
    ColumnType::Float,
    ColumnType::Boolean,
    ColumnType::String,
    ColumnType::Categorical,
    ColumnType::Date,
    ColumnType::Datetime,
];

/// Few distinct values (so duplicates and ties happen), with the odd extreme.
fn float_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => (-3i8..3).prop_map(f64::from),
        1 => Just(-0.0),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        2 => any::<f64>(),
    ]
}

fn int_value() -> impl Strategy<Value = i64> {
    prop_oneof![4 => -3i64..3, 1 => any::<i64>()]
}

fn text_value() -> impl Strategy<Value = String> {
    "[ab\u{e9}]{0,3}"
}

/// `Some` three times in four, so all-missing columns and fully present ones both occur.
fn cells<T: std::fmt::Debug>(
    value: impl Strategy<Value = T>,
    n: usize,
) -> impl Strategy<Value = Vec<Option<T>>> {
    prop_oneof![
        1 => Just(()).prop_map(move |_| (0..n).map(|_| None).collect::<Vec<_>>()),
        6 => prop::collection::vec(prop::option::weighted(0.75, value), n),
    ]
}

fn column(name: String, column_type: ColumnType, n: usize) -> BoxedStrategy<Column> {
    let make = move |array: ArrayRef| Column::new(name.clone(), column_type, array).unwrap();
    match column_type {
        ColumnType::Integer => cells(int_value(), n)
            .prop_map(move |values| make(Arc::new(Int64Array::from(values))))
            .boxed(),
        ColumnType::Float => cells(float_value(), n)
            .prop_map(move |values| make(Arc::new(Float64Array::from(values))))
            .boxed(),
        ColumnType::Boolean => cells(any::<bool>(), n)
            .prop_map(move |values| make(Arc::new(BooleanArray::from(values))))
            .boxed(),
        ColumnType::String => cells(text_value(), n)
            .prop_map(move |values| make(Arc::new(StringArray::from(values))))
            .boxed(),
        ColumnType::Categorical => cells(text_value(), n)
            .prop_map(move |values| {
                let array: DictionaryArray<Int32Type> =
                    values.iter().map(|value| value.as_deref()).collect();
                make(Arc::new(array))
            })
            .boxed(),
        ColumnType::Date => cells(prop_oneof![4 => -3i32..3, 1 => -1_000_000i32..1_000_000], n)
            .prop_map(move |values| make(Arc::new(Date32Array::from(values))))
            .boxed(),
        ColumnType::Datetime => cells(
            prop_oneof![4 => -3i64..3, 1 => -10_000_000_000_000i64..10_000_000_000_000],
            n,
        )
        .prop_map(move |values| make(Arc::new(TimestampMillisecondArray::from(values))))
        .boxed(),
    }
}

fn frame() -> impl Strategy<Value = Frame> {
    (0usize..25, prop::collection::vec(0usize..TYPES.len(), 0..6)).prop_flat_map(|(n, types)| {
        let columns: Vec<BoxedStrategy<Column>> = types
            .iter()
            .enumerate()
            .map(|(index, &type_index)| column(format!("c{index}"), TYPES[type_index], n))
            .collect();
        columns.prop_map(|columns| Frame::new(columns).unwrap())
    })
}

/// A row's cells as text, with the differences pandas ignores removed: `-0` is `0`, and a
/// NaN is missing.
fn normalized_rows(frame: &Frame) -> Vec<Vec<Option<String>>> {
    frame
        .row_window(0, frame.n_rows())
        .into_iter()
        .map(|row| {
            row.into_iter()
                .zip(frame.columns())
                .map(|(cell, column)| match (cell, column.column_type()) {
                    (Some(text), ColumnType::Float) if text == "NaN" => None,
                    (Some(text), ColumnType::Float) if text == "-0" => Some("0".to_string()),
                    (cell, _) => cell,
                })
                .collect()
        })
        .collect()
}

fn check_profile(frame: &Frame, profile: &DatasetProfile, profiled_rows: usize) {
    assert_eq!(profile.n_rows, frame.n_rows() as u64);
    assert_eq!(profile.n_cols, frame.n_cols() as u64);
    assert_eq!(profile.profiled_rows(), profiled_rows as u64);
    assert_eq!(profile.columns.len(), frame.n_cols());
    for column in &profile.columns {
        assert_eq!(
            column.count + column.missing,
            profiled_rows as u64,
            "{}",
            column.name
        );
        assert!(column.distinct <= column.count);
        assert_eq!(column.distinct == 0, column.count == 0);
        assert!(column.top_values.len() <= 10);
        assert!(column
            .top_values
            .windows(2)
            .all(|pair| pair[0].count >= pair[1].count));
        assert!(column.top_values.iter().map(|top| top.count).sum::<u64>() <= column.count);
        match &column.histogram {
            Some(Histogram::Bins { edges, counts }) => {
                assert_eq!(edges.len(), counts.len() + 1);
                assert!(edges.windows(2).all(|pair| pair[0] <= pair[1]), "{edges:?}");
                let infinite = column
                    .numeric
                    .as_ref()
                    .map_or(0, |numeric| numeric.infinite);
                assert_eq!(counts.iter().sum::<u64>() + infinite, column.count);
            }
            Some(Histogram::Bars { bars, other_count }) => {
                assert_eq!(
                    bars.iter().map(|bar| bar.count).sum::<u64>() + other_count,
                    column.count
                );
            }
            None => assert!(
                column.count == 0
                    || column
                        .numeric
                        .as_ref()
                        .is_some_and(|numeric| numeric.infinite == column.count),
                "{column:?}"
            ),
        }
        if let (Some(min), Some(max)) = (column.min, column.max) {
            assert!(min <= max);
        }
    }
    let k = profile.correlations.columns.len();
    assert_eq!(profile.correlations.values.len(), k);
    for i in 0..k {
        for j in 0..k {
            assert_eq!(
                profile.correlations.values[i][j],
                profile.correlations.values[j][i]
            );
            if let Some(r) = profile.correlations.values[i][j] {
                assert!(r.abs() <= 1.0, "{r}");
            }
        }
    }
    let text = serde_json::to_string(profile).unwrap();
    let back: DatasetProfile = serde_json::from_str(&text).unwrap();
    assert_eq!(back.columns.len(), profile.columns.len());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn profile_of_any_frame_adds_up(frame in frame()) {
        let options = ProfileOptions { max_rows: None, ..ProfileOptions::default() };
        let profile = profile(&frame, &options);
        check_profile(&frame, &profile, frame.n_rows());

        // Against a naive reference: distinct texts per column and repeated rows.
        let rows = normalized_rows(&frame);
        for (index, column) in profile.columns.iter().enumerate() {
            let distinct: HashSet<&String> = rows.iter().filter_map(|row| row[index].as_ref()).collect();
            prop_assert_eq!(column.distinct, distinct.len() as u64, "{}", column.name);
        }
        let unique_rows: HashSet<&Vec<Option<String>>> = rows.iter().collect();
        let expected_duplicates = if frame.n_cols() == 0 { 0 } else { rows.len() - unique_rows.len() };
        prop_assert_eq!(profile.duplicate_rows, expected_duplicates as u64);

        // The report never fails on its own profile, with or without any target.
        insights(&frame, &profile, None).unwrap();
        for column in frame.columns() {
            let report = insights(&frame, &profile, Some(column.name())).unwrap();
            prop_assert_eq!(report.target.unwrap().column, column.name());
        }
    }

    #[test]
    fn sampled_profiles_add_up(frame in frame(), max_rows in 0usize..30, seed in any::<u64>()) {
        let options = ProfileOptions { max_rows: Some(max_rows), seed, ..ProfileOptions::default() };
        let profile = profile(&frame, &options);
        let sampled = frame.n_rows() > max_rows;
        prop_assert_eq!(profile.sampled_rows, sampled.then_some(max_rows as u64));
        check_profile(&frame, &profile, frame.n_rows().min(max_rows));
        prop_assert_eq!(&compute::profile::profile(&frame, &options), &profile);
        insights(&frame, &profile, frame.columns().first().map(Column::name)).unwrap();
    }

    #[test]
    fn tiny_distinct_limits_estimate_without_panicking(frame in frame(), limit in 0usize..4) {
        let options = ProfileOptions { max_rows: None, exact_distinct_limit: limit, ..ProfileOptions::default() };
        let profile = profile(&frame, &options);
        check_profile(&frame, &profile, frame.n_rows());
        for column in &profile.columns {
            // Few values: the estimate (k-minimum-values with room for all) is exact.
            prop_assert_eq!(column.distinct_is_approximate, column.distinct > limit as u64);
        }
        insights(&frame, &profile, None).unwrap();
    }
}

#[test]
fn empty_and_one_row_frames() {
    let options = ProfileOptions::default();
    let empty = Frame::new(Vec::new()).unwrap();
    let profile = profile(&empty, &options);
    assert_eq!(
        (profile.n_rows, profile.n_cols, profile.duplicate_rows),
        (0, 0, 0)
    );
    assert!(insights(&empty, &profile, None)
        .unwrap()
        .insights
        .is_empty());

    let one = Frame::new(vec![Column::new(
        "x",
        ColumnType::Float,
        Arc::new(Float64Array::from(vec![2.5])),
    )
    .unwrap()])
    .unwrap();
    let profile = compute::profile::profile(&one, &options);
    let x = &profile.columns[0];
    let numeric = x.numeric.as_ref().unwrap();
    assert_eq!(
        (x.count, x.distinct, numeric.mean, numeric.std),
        (1, 1, Some(2.5), None)
    );
    assert_eq!((numeric.skewness, numeric.kurtosis), (None, None));
    assert_eq!(numeric.quantiles.p50, Some(2.5));
    let Some(Histogram::Bins { edges, counts }) = &x.histogram else {
        panic!("no histogram");
    };
    assert_eq!((edges[0], edges[20]), (2.0, 3.0));
    assert_eq!(counts.iter().sum::<u64>(), 1);
    let report = insights(&one, &profile, Some("x")).unwrap();
    assert!(report.target.unwrap().feature_power.is_empty());
}
