//! Properties of every recipe step on generated frames: no panics, row counts, fit/transform
//! agreement and JSON round trips.

use std::sync::Arc;

use arrow_array::{
    BooleanArray, Date32Array, DictionaryArray, Float64Array, Int64Array, StringArray,
    TimestampMillisecondArray,
};
use compute::frame::{Column, Frame};
use compute::recipe::{
    AggregateFunction, Aggregation, BinLabels, BinStrategy, Case, CompareOp, CyclicPart,
    DatasetRef, DatetimePart, FillStrategy, FittedRecipe, How, JoinHow, Keep, OnError,
    OutlierAction, OutlierMethod, Recipe, ReorderMode, SplitStrategy, Step, Value,
};
use compute::schema::ColumnType;
use proptest::collection::vec;
use proptest::option::weighted;
use proptest::prelude::*;

const WORDS: [&str; 5] = ["a", "b b", "C", " d-e ", "é"];

#[derive(Clone, Debug)]
struct Rows {
    n: Vec<Option<i64>>,
    x: Vec<Option<f64>>,
    b: Vec<Option<bool>>,
    s: Vec<Option<usize>>,
    c: Vec<Option<usize>>,
    d: Vec<Option<i32>>,
    t: Vec<Option<i64>>,
}

fn rows() -> impl Strategy<Value = Rows> {
    (0usize..12).prop_flat_map(|n| {
        (
            vec(weighted(0.8, -5i64..5), n),
            vec(weighted(0.8, -1e3f64..1e3), n),
            vec(weighted(0.8, any::<bool>()), n),
            vec(weighted(0.8, 0usize..WORDS.len()), n),
            vec(weighted(0.8, 0usize..3), n),
            vec(weighted(0.8, -1000i32..20000), n),
            vec(weighted(0.8, -1_000_000_000_000i64..2_000_000_000_000), n),
        )
            .prop_map(|(n, x, b, s, c, d, t)| Rows {
                n,
                x,
                b,
                s,
                c,
                d,
                t,
            })
    })
}

fn build(rows: &Rows) -> Frame {
    let words = |keys: &[Option<usize>]| -> Vec<Option<&str>> {
        keys.iter().map(|k| k.map(|k| WORDS[k])).collect()
    };
    let categories: DictionaryArray<arrow_array::types::Int32Type> =
        words(&rows.c).into_iter().collect();
    Frame::new(vec![
        Column::new(
            "n",
            ColumnType::Integer,
            Arc::new(Int64Array::from(rows.n.clone())),
        )
        .unwrap(),
        Column::new(
            "x",
            ColumnType::Float,
            Arc::new(Float64Array::from(rows.x.clone())),
        )
        .unwrap(),
        Column::new(
            "b",
            ColumnType::Boolean,
            Arc::new(BooleanArray::from(rows.b.clone())),
        )
        .unwrap(),
        Column::new(
            "s",
            ColumnType::String,
            Arc::new(StringArray::from(words(&rows.s))),
        )
        .unwrap(),
        Column::new("c", ColumnType::Categorical, Arc::new(categories)).unwrap(),
        Column::new(
            "d",
            ColumnType::Date,
            Arc::new(Date32Array::from(rows.d.clone())),
        )
        .unwrap(),
        Column::new(
            "t",
            ColumnType::Datetime,
            Arc::new(TimestampMillisecondArray::from(rows.t.clone())),
        )
        .unwrap(),
    ])
    .unwrap()
}

fn any_column() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["n", "x", "b", "s", "c", "d", "t"]).prop_map(str::to_string)
}

fn numeric_column() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["n", "x"]).prop_map(str::to_string)
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-5i64..5).prop_map(Value::Int),
        (-10f64..10.0).prop_map(Value::Float),
        prop::sample::select(WORDS.to_vec()).prop_map(|w| Value::Text(w.to_string())),
        Just(Value::Text("2000-01-01".into())),
    ]
}

fn self_ref() -> DatasetRef {
    DatasetRef {
        dataset_id: "self".into(),
        content_hash: String::new(),
    }
}

/// Steps that keep every row.
fn row_preserving_step() -> impl Strategy<Value = Step> {
    let to = prop::sample::select(vec![
        ColumnType::Integer,
        ColumnType::Float,
        ColumnType::Boolean,
        ColumnType::String,
        ColumnType::Categorical,
        ColumnType::Date,
        ColumnType::Datetime,
    ]);
    prop_oneof![
        any_column().prop_map(|c| Step::DropColumns { columns: vec![c] }),
        any_column().prop_map(|c| Step::RenameColumn {
            column: c,
            new_name: "renamed".into()
        }),
        any_column().prop_map(|c| Step::DuplicateColumn {
            column: c,
            new_name: "copy".into()
        }),
        any_column().prop_map(|c| Step::ReorderColumns {
            columns: vec![c],
            mode: ReorderMode::ToFront
        }),
        (any_column(), to).prop_map(|(c, to)| Step::Cast {
            column: c,
            to,
            on_error: OnError::Null
        }),
        (
            any_column(),
            prop::sample::select(vec![
                FillStrategy::Constant,
                FillStrategy::Mean,
                FillStrategy::Median,
                FillStrategy::MostFrequent
            ]),
            value()
        )
            .prop_map(|(c, strategy, fill_value)| Step::FillMissing {
                columns: vec![c],
                strategy,
                fill_value
            }),
        any_column().prop_map(|c| Step::FillForward { columns: vec![c] }),
        any_column().prop_map(|c| Step::FillBackward { columns: vec![c] }),
        any_column().prop_map(|c| Step::MissingIndicator { columns: vec![c] }),
        (any_column(), any::<bool>(), any::<bool>()).prop_map(|(c, drop_first, dummy_na)| {
            Step::OneHot {
                column: c,
                drop_first,
                dummy_na,
            }
        }),
        any_column().prop_map(|c| Step::OrdinalEncode {
            column: c,
            unknown_value: Some(-1)
        }),
        (
            any_column(),
            prop::option::of(0.0f64..3.0),
            prop::option::of(0usize..3)
        )
            .prop_map(|(c, min_frequency, max_categories)| Step::GroupRare {
                column: c,
                min_frequency,
                max_categories,
                other_label: "Other".into()
            }),
        numeric_column().prop_map(|c| Step::StandardScale {
            columns: vec![c],
            with_mean: true,
            with_std: true
        }),
        numeric_column().prop_map(|c| Step::MinMaxScale {
            columns: vec![c],
            feature_range: (-1.0, 1.0)
        }),
        numeric_column().prop_map(|c| Step::RobustScale {
            columns: vec![c],
            quantile_range: (10.0, 90.0),
            with_centering: true,
            with_scaling: true
        }),
        numeric_column().prop_map(|c| Step::MaxAbsScale { columns: vec![c] }),
        numeric_column().prop_map(|c| Step::Log {
            columns: vec![c],
            on_error: OnError::Null
        }),
        numeric_column().prop_map(|c| Step::Log1p {
            columns: vec![c],
            on_error: OnError::Fail
        }),
        (numeric_column(), -3f64..3.0).prop_map(|(c, exponent)| Step::Power {
            columns: vec![c],
            exponent
        }),
        (
            numeric_column(),
            prop::option::of(-5f64..0.0),
            prop::option::of(0f64..5.0)
        )
            .prop_map(|(c, lower, upper)| Step::Clip {
                columns: vec![c],
                lower,
                upper
            }),
        (numeric_column(), any::<bool>(), 1usize..6, any::<bool>()).prop_map(
            |(c, q, n_bins, i)| Step::Bin {
                column: c,
                strategy: if q {
                    BinStrategy::Quantile
                } else {
                    BinStrategy::Uniform
                },
                n_bins,
                labels: if i {
                    BinLabels::Integer
                } else {
                    BinLabels::Interval
                },
            }
        ),
        (numeric_column(), 0.5f64..3.0).prop_map(|(c, k)| Step::HandleOutliers {
            columns: vec![c],
            method: OutlierMethod::RobustZ { k },
            action: OutlierAction::Clip
        }),
        any_column().prop_map(|c| Step::ParseDatetime {
            column: c,
            format: "%b %d %Y".into(),
            to: ColumnType::Date,
            on_error: OnError::Null
        }),
        any_column().prop_map(|c| Step::ExtractDatetime {
            column: c,
            parts: vec![
                DatetimePart::Weekday,
                DatetimePart::DayOfYear,
                DatetimePart::Quarter
            ]
        }),
        any_column().prop_map(|c| Step::CyclicEncode {
            column: c,
            parts: vec![CyclicPart::Weekday]
        }),
        any_column().prop_map(|c| Step::ChangeCase {
            columns: vec![c],
            case: Case::Upper
        }),
        any_column().prop_map(|c| Step::Trim { columns: vec![c] }),
        any_column().prop_map(|c| Step::ReplaceText {
            columns: vec![c],
            pattern: " ".into(),
            replacement: "_".into()
        }),
        (
            any_column(),
            prop::sample::select(vec![" ", "(b+) ?", "^(?P<w>.)", "[", "$"])
        )
            .prop_map(|(c, pattern)| Step::RegexReplace {
                columns: vec![c],
                pattern: pattern.into(),
                replacement: "<$0>".into()
            }),
        (
            any_column(),
            prop::sample::select(vec!["(b)", "(.)(.)?", "(?P<x>[a-z]+)", "x"])
        )
            .prop_map(|(c, pattern)| Step::RegexExtract {
                column: c,
                pattern: pattern.into(),
                new_columns: None
            }),
        any_column().prop_map(|c| Step::TextLength { column: c }),
        any_column().prop_map(|c| Step::WordCount { column: c }),
        (any_column(), 1usize..4).prop_map(|(c, max_parts)| Step::SplitText {
            column: c,
            delimiter: " ".into(),
            max_parts
        }),
        (0.05f64..0.95, any::<u64>(), any_column(), 0..3).prop_map(|(test_size, seed, c, kind)| {
            Step::TrainTestSplit {
                test_size,
                random_state: seed,
                strategy: match kind {
                    0 => SplitStrategy::Random,
                    1 => SplitStrategy::Stratified { column: c },
                    _ => SplitStrategy::Time { column: c },
                },
                column_name: "split".into(),
            }
        }),
        Just(Step::FormulaColumn {
            name: "f".into(),
            expression: "n * 2 + x".into()
        }),
    ]
}

/// Steps that keep at most every row.
fn row_reducing_step() -> impl Strategy<Value = Step> {
    let operator = prop::sample::select(vec![
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Lt,
        CompareOp::Le,
        CompareOp::Gt,
        CompareOp::Ge,
        CompareOp::IsNull,
        CompareOp::NotNull,
        CompareOp::Contains,
        CompareOp::In,
        CompareOp::Matches,
    ]);
    prop_oneof![
        (any_column(), operator, value()).prop_map(|(c, operator, v)| {
            let value = if operator == CompareOp::In {
                Value::List(vec![v])
            } else {
                v
            };
            Step::FilterRows {
                column: c,
                operator,
                value,
            }
        }),
        (
            prop::option::of(vec(any_column(), 1..3)),
            prop::sample::select(vec![Keep::First, Keep::Last, Keep::None])
        )
            .prop_map(|(subset, keep)| Step::DropDuplicates { subset, keep }),
        (0usize..5, any::<u64>()).prop_map(|(n, seed)| Step::SampleRows {
            n: Some(n),
            frac: None,
            random_state: seed
        }),
        (0f64..1.0, any::<u64>()).prop_map(|(frac, seed)| Step::SampleRows {
            n: None,
            frac: Some(frac),
            random_state: seed
        }),
        (prop::option::of(vec(any_column(), 1..3)), any::<bool>()).prop_map(|(subset, all)| {
            Step::DropMissing {
                subset,
                how: if all { How::All } else { How::Any },
            }
        }),
        (numeric_column(), 0.5f64..3.0, 0..2).prop_map(|(c, k, kind)| Step::HandleOutliers {
            columns: vec![c],
            method: if kind == 0 {
                OutlierMethod::Std { k }
            } else {
                OutlierMethod::Quantile {
                    q_low: 0.1,
                    q_high: 0.9,
                }
            },
            action: OutlierAction::Remove
        }),
        Just(Step::FilterFormula {
            expression: "n > 0 or b".into()
        }),
    ]
}

/// Steps whose row count depends on the data in other ways.
fn reshaping_step() -> impl Strategy<Value = Step> {
    let agg = prop::sample::select(vec![
        AggregateFunction::Count,
        AggregateFunction::Sum,
        AggregateFunction::Mean,
        AggregateFunction::Min,
        AggregateFunction::Max,
        AggregateFunction::Median,
        AggregateFunction::Std,
        AggregateFunction::NUnique,
        AggregateFunction::First,
    ]);
    prop_oneof![
        (any_column(), any_column(), agg).prop_map(|(key, column, agg)| Step::GroupByAggregate {
            keys: vec![key],
            aggregations: vec![Aggregation { column, agg }]
        }),
        (any_column(), any::<bool>()).prop_map(|(key, left)| Step::Join {
            right: self_ref(),
            on: vec![key],
            how: if left { JoinHow::Left } else { JoinHow::Inner },
            suffixes: ("_x".into(), "_y".into())
        }),
        Just(Step::Concatenate { other: self_ref() }),
        (vec(any_column(), 1..3), vec(any::<bool>(), 0..3))
            .prop_map(|(by, ascending)| Step::SortRows { by, ascending }),
    ]
}

fn check(frame: &Frame, step: Step) -> Result<Option<Frame>, TestCaseError> {
    let recipe = Recipe::new("property", vec![step.clone()]);
    // JSON round trip of the recipe.
    prop_assert_eq!(&Recipe::from_json(&recipe.to_json()).unwrap(), &recipe);
    let datasets = |_: &DatasetRef| Some(frame.clone());
    let Ok((fitted, output)) = recipe.fit_transform_with(frame, &datasets) else {
        return Ok(None);
    };
    let fitted = FittedRecipe::from_json(&fitted.to_json()).unwrap();
    let again = fitted.transform_with(frame, &datasets).unwrap();
    prop_assert_eq!(again.content_hash(), output.content_hash(), "{:?}", step);
    Ok(Some(output))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn row_preserving_steps_keep_every_row(rows in rows(), step in row_preserving_step()) {
        let frame = build(&rows);
        if let Some(output) = check(&frame, step.clone())? {
            prop_assert_eq!(output.n_rows(), frame.n_rows(), "{:?}", step);
        }
    }

    #[test]
    fn row_reducing_steps_never_add_rows(rows in rows(), step in row_reducing_step()) {
        let frame = build(&rows);
        if let Some(output) = check(&frame, step.clone())? {
            prop_assert!(output.n_rows() <= frame.n_rows(), "{:?}", step);
            prop_assert_eq!(output.n_cols(), frame.n_cols());
        }
    }

    #[test]
    fn reshaping_steps_do_not_panic(rows in rows(), step in reshaping_step()) {
        let frame = build(&rows);
        if let Some(output) = check(&frame, step.clone())? {
            match step {
                Step::Concatenate { .. } => prop_assert_eq!(output.n_rows(), 2 * frame.n_rows()),
                Step::SortRows { .. } => prop_assert_eq!(output.n_rows(), frame.n_rows()),
                Step::GroupByAggregate { .. } => prop_assert!(output.n_rows() <= frame.n_rows()),
                Step::Join { how: JoinHow::Left, .. } => prop_assert!(output.n_rows() >= frame.n_rows()),
                _ => {}
            }
        }
    }

    /// A pattern without special characters is a literal: regex_replace agrees with replace_text.
    #[test]
    fn literal_regex_replace_is_replace_text(
        texts in vec(weighted(0.9, "[ab é-]{0,8}"), 0..8),
        needle in "[ab]{1,2}",
        replacement in "[xy é]{0,3}",
    ) {
        let column = Column::new(
            "s",
            ColumnType::String,
            Arc::new(StringArray::from(texts.clone())),
        )
        .unwrap();
        let frame = Frame::new(vec![column]).unwrap();
        let run = |step: Step| Recipe::new("r", vec![step]).fit_transform(&frame).unwrap().1;
        let regex = run(Step::RegexReplace {
            columns: vec!["s".into()],
            pattern: needle.clone(),
            replacement: replacement.clone(),
        });
        let literal = run(Step::ReplaceText {
            columns: vec!["s".into()],
            pattern: needle,
            replacement,
        });
        prop_assert_eq!(regex.content_hash(), literal.content_hash());
    }

    /// regex_extract finds something in exactly the rows `matches` keeps.
    #[test]
    fn extract_and_matches_agree(
        rows in rows(),
        pattern in prop::sample::select(vec!["(b)", "^(.)", "(?i)(c)|(é)", "([a-z]) ([a-z])"]),
    ) {
        let frame = build(&rows);
        for column in ["s", "c"] {
            let run = |step: Step| Recipe::new("r", vec![step]).fit_transform(&frame).unwrap().1;
            let extracted = run(Step::RegexExtract {
                column: column.into(),
                pattern: pattern.into(),
                new_columns: None,
            });
            let kept = run(Step::FilterRows {
                column: column.into(),
                operator: CompareOp::Matches,
                value: Value::Text(pattern.into()),
            });
            let groups: Vec<&Column> = extracted
                .columns()
                .iter()
                .filter(|c| c.name().starts_with(&format!("{column}_")))
                .collect();
            prop_assert!(!groups.is_empty());
            let found = (0..frame.n_rows())
                .filter(|&row| groups.iter().any(|group| group.display_value(row).is_some()))
                .count();
            // A pattern whose groups are all optional may match without capturing; these do not.
            prop_assert_eq!(found, kept.n_rows(), "{} {}", column, pattern);
        }
    }

    #[test]
    fn recipes_of_many_steps_round_trip(steps in vec(prop_oneof![row_preserving_step(), row_reducing_step(), reshaping_step()], 0..6)) {
        let recipe = Recipe::new("many", steps);
        prop_assert_eq!(Recipe::from_json(&recipe.to_json()).unwrap(), recipe);
    }
}

#[test]
fn drop_duplicates_keeps_distinct_rows() {
    let rows = Rows {
        n: vec![Some(1), Some(1), None, None],
        x: vec![Some(0.0), Some(-0.0), None, None],
        b: vec![None; 4],
        s: vec![Some(0), Some(0), None, None],
        c: vec![None; 4],
        d: vec![None; 4],
        t: vec![None; 4],
    };
    let frame = build(&rows);
    let (_, out) = Recipe::new(
        "d",
        vec![Step::DropDuplicates {
            subset: None,
            keep: Keep::First,
        }],
    )
    .fit_transform(&frame)
    .unwrap();
    // 0.0 and -0.0 are one value; missing equals missing, like pandas.
    assert_eq!(out.n_rows(), 2);
}
