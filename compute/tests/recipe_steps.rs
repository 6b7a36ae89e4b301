//! Each recipe step on small frames, fit/transform consistency, and the errors users see.

use compute::csv::{read_csv, CsvOptions};
use compute::frame::{Column, Frame};
use compute::recipe::{
    preview, Case, CompareOp, CyclicPart, DatasetRef, FillStrategy, FittedRecipe, How, OnError,
    OutlierAction, OutlierMethod, Recipe, RecipeError, ReorderMode, Step, StepError, Value,
};
use compute::schema::ColumnType;

fn frame(csv: &str) -> Frame {
    read_csv("test.csv", csv.as_bytes(), CsvOptions::default())
        .unwrap()
        .frame
}

fn apply(frame: &Frame, steps: Vec<Step>) -> Result<Frame, RecipeError> {
    Recipe::new("test", steps)
        .fit_transform(frame)
        .map(|(_, frame)| frame)
}

fn ok(frame: &Frame, steps: Vec<Step>) -> Frame {
    apply(frame, steps).unwrap()
}

fn column_names(frame: &Frame) -> Vec<&str> {
    frame.columns().iter().map(Column::name).collect()
}

/// Display strings of a column, `None` for missing.
fn shown(frame: &Frame, name: &str) -> Vec<Option<String>> {
    let column = frame
        .column(name)
        .unwrap_or_else(|| panic!("no column {name}"));
    (0..column.len())
        .map(|row| column.display_value(row))
        .collect()
}

fn texts(values: &[Option<&str>]) -> Vec<Option<String>> {
    values.iter().map(|v| v.map(str::to_string)).collect()
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn sample() -> Frame {
    frame(
        "id,age,city,score,when\n\
         1,30,Paris,1.5,2013-01-07\n\
         2,,Lyon,-2.0,2013-04-01 06:30:00\n\
         3,45,Paris,,\n\
         4,30,,10.0,2013-12-31 23:00:00\n\
         5,52,Nice,0.25,2014-02-15 12:00:00\n",
    )
}

#[test]
fn manages_columns() {
    let data = sample();
    let out = ok(
        &data,
        vec![
            Step::DropColumns {
                columns: strings(&["when"]),
            },
            Step::RenameColumn {
                column: "age".into(),
                new_name: "years".into(),
            },
            Step::DuplicateColumn {
                column: "city".into(),
                new_name: "town".into(),
            },
            Step::ReorderColumns {
                columns: strings(&["score", "town"]),
                mode: ReorderMode::ToFront,
            },
        ],
    );
    assert_eq!(column_names(&out), ["score", "town", "id", "years", "city"]);
    let exact = apply(
        &data,
        vec![Step::ReorderColumns {
            columns: strings(&["id"]),
            mode: ReorderMode::Exact,
        }],
    )
    .unwrap_err();
    assert!(
        exact.to_string().contains("must list every column"),
        "{exact}"
    );
    let clash = apply(
        &data,
        vec![Step::RenameColumn {
            column: "age".into(),
            new_name: "id".into(),
        }],
    )
    .unwrap_err();
    assert_eq!(
        clash.to_string(),
        "step 1 (rename_column): column name \"id\" appears twice; rename one"
    );
}

#[test]
fn casts_and_reports_failing_rows() {
    // The blank line is skipped by the reader: 8 rows.
    let data = frame("age\n1\nx\n3\n\n4.5\nyy\nz\nw\nq\n");
    let error = apply(
        &data,
        vec![
            Step::DropColumns { columns: vec![] },
            Step::Cast {
                column: "age".into(),
                to: ColumnType::Integer,
                on_error: OnError::Fail,
            },
        ],
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "step 2 (cast): column \"age\": 6 rows could not be read as integer (rows 2, 4, 5, 6, 7, …)"
    );
    let out = ok(
        &data,
        vec![Step::Cast {
            column: "age".into(),
            to: ColumnType::Integer,
            on_error: OnError::Null,
        }],
    );
    assert_eq!(
        shown(&out, "age"),
        texts(&[Some("1"), None, Some("3"), None, None, None, None, None])
    );
    let numbers = frame("n,flag\n1,true\n0,false\n");
    let out = ok(
        &numbers,
        vec![
            Step::Cast {
                column: "n".into(),
                to: ColumnType::Boolean,
                on_error: OnError::Fail,
            },
            Step::Cast {
                column: "flag".into(),
                to: ColumnType::Categorical,
                on_error: OnError::Fail,
            },
        ],
    );
    assert_eq!(out.column("n").unwrap().column_type(), ColumnType::Boolean);
    assert_eq!(
        out.column("flag").unwrap().column_type(),
        ColumnType::Categorical
    );
    let dates = ok(
        &sample(),
        vec![Step::Cast {
            column: "when".into(),
            to: ColumnType::Date,
            on_error: OnError::Fail,
        }],
    );
    assert_eq!(shown(&dates, "when")[1].as_deref(), Some("2013-04-01"));
    let error = apply(
        &sample(),
        vec![Step::Cast {
            column: "when".into(),
            to: ColumnType::Integer,
            on_error: OnError::Fail,
        }],
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "step 1 (cast): column \"when\": cannot cast datetime to integer"
    );
}

#[test]
fn unknown_columns_suggest_a_name() {
    let error = apply(
        &sample(),
        vec![Step::StandardScale {
            columns: strings(&["Score"]),
            with_mean: true,
            with_std: true,
        }],
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "step 1 (standard_scale): column \"Score\" not found; did you mean \"score\"?"
    );
    assert!(matches!(
        error,
        RecipeError::Step {
            step: 1,
            op: "standard_scale",
            error: StepError::ColumnNotFound { .. }
        }
    ));
}

#[test]
fn filters_rows() {
    let data = sample();
    let filter = |column: &str, operator, value| Step::FilterRows {
        column: column.into(),
        operator,
        value,
    };
    let ids = |steps| shown(&ok(&data, steps), "id");
    assert_eq!(
        ids(vec![filter("age", CompareOp::Ge, Value::Int(45))]),
        texts(&[Some("3"), Some("5")])
    );
    assert_eq!(
        ids(vec![filter("age", CompareOp::Ne, Value::Float(30.0))]),
        texts(&[Some("3"), Some("5")])
    );
    assert_eq!(
        ids(vec![filter("city", CompareOp::IsNull, Value::Null)]),
        texts(&[Some("4")])
    );
    assert_eq!(
        ids(vec![filter("score", CompareOp::NotNull, Value::Null)]).len(),
        4
    );
    assert_eq!(
        ids(vec![filter(
            "city",
            CompareOp::Contains,
            Value::Text("ar".into())
        )]),
        texts(&[Some("1"), Some("3")])
    );
    assert_eq!(
        ids(vec![filter(
            "city",
            CompareOp::In,
            Value::List(vec![Value::Text("Lyon".into()), Value::Text("Nice".into())])
        )]),
        texts(&[Some("2"), Some("5")])
    );
    assert_eq!(
        ids(vec![filter(
            "when",
            CompareOp::Lt,
            Value::Text("2013-06-01".into())
        )]),
        texts(&[Some("1"), Some("2")])
    );
    let error = apply(
        &data,
        vec![filter("age", CompareOp::Eq, Value::Text("old".into()))],
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "step 1 (filter_rows): column \"age\": cannot compare a integer column with \"old\""
    );
    assert_eq!(
        ids(vec![Step::FilterFormula {
            expression: "age > 40 and score < 5".into()
        }]),
        texts(&[Some("5")])
    );
    let error = apply(
        &data,
        vec![Step::FilterFormula {
            expression: "age + 1".into(),
        }],
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("must be true or false"),
        "{error}"
    );
}

#[test]
fn samples_deterministically() {
    let data = frame(
        &std::iter::once("n".to_string())
            .chain((0..100).map(|i| i.to_string()))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let sample = |n, frac, seed| {
        shown(
            &ok(
                &data,
                vec![Step::SampleRows {
                    n,
                    frac,
                    random_state: seed,
                }],
            ),
            "n",
        )
    };
    let first = sample(Some(10), None, 42);
    assert_eq!(first.len(), 10);
    assert_eq!(first, sample(Some(10), None, 42));
    assert_ne!(first, sample(Some(10), None, 43));
    assert_eq!(sample(None, Some(0.25), 1).len(), 25);
    assert!(apply(
        &data,
        vec![Step::SampleRows {
            n: Some(101),
            frac: None,
            random_state: 0
        }]
    )
    .is_err());
}

#[test]
fn handles_missing_values() {
    let data = sample();
    assert_eq!(
        ok(
            &data,
            vec![Step::DropMissing {
                subset: None,
                how: How::Any
            }]
        )
        .n_rows(),
        2
    );
    assert_eq!(
        ok(
            &data,
            vec![Step::DropMissing {
                subset: Some(strings(&["age", "score"])),
                how: How::All
            }]
        )
        .n_rows(),
        5
    );
    let filled = ok(
        &data,
        vec![
            Step::FillForward {
                columns: strings(&["age"]),
            },
            Step::FillBackward {
                columns: strings(&["city"]),
            },
            Step::MissingIndicator {
                columns: strings(&["score"]),
            },
            Step::FillMissing {
                columns: strings(&["score"]),
                strategy: FillStrategy::Constant,
                fill_value: Value::Float(0.5),
            },
        ],
    );
    assert_eq!(shown(&filled, "age")[1].as_deref(), Some("30"));
    assert_eq!(shown(&filled, "city")[3].as_deref(), Some("Nice"));
    assert_eq!(
        column_names(&filled),
        ["id", "age", "city", "score", "score_missing", "when"]
    );
    assert_eq!(
        shown(&filled, "score_missing"),
        texts(&[
            Some("false"),
            Some("false"),
            Some("true"),
            Some("false"),
            Some("false")
        ])
    );
    assert_eq!(shown(&filled, "score")[2].as_deref(), Some("0.5"));
    let most_frequent = ok(
        &data,
        vec![Step::FillMissing {
            columns: strings(&["city", "when"]),
            strategy: FillStrategy::MostFrequent,
            fill_value: Value::Null,
        }],
    );
    assert_eq!(shown(&most_frequent, "city")[3].as_deref(), Some("Paris"));
    // Ties go to the smallest value, like sklearn.
    assert_eq!(
        shown(&most_frequent, "when")[2].as_deref(),
        Some("2013-01-07 00:00:00")
    );
    let error = apply(
        &data,
        vec![Step::FillMissing {
            columns: strings(&["age"]),
            strategy: FillStrategy::Constant,
            fill_value: Value::Text("x".into()),
        }],
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "step 1 (fill_missing): column \"age\": fill value \"x\" does not fit a integer column"
    );
}

#[test]
fn fitted_params_carry_to_new_data() {
    let train = frame("color,size,w\nred,1,1.0\nblue,2,2.0\nred,3,3.0\ngreen,4,\nred,5,5.0\n");
    let test = frame("color,size,w\npurple,10,\nblue,-1,100.5\n,2,2.5\n");
    let recipe = Recipe::new(
        "consistency",
        vec![
            Step::FillMissing {
                columns: strings(&["w"]),
                strategy: FillStrategy::Median,
                fill_value: Value::Null,
            },
            Step::GroupRare {
                column: "color".into(),
                min_frequency: Some(2.0),
                max_categories: None,
                other_label: "Other".into(),
            },
            Step::DuplicateColumn {
                column: "color".into(),
                new_name: "color_code".into(),
            },
            Step::OrdinalEncode {
                column: "color_code".into(),
                unknown_value: Some(-1),
            },
            Step::OneHot {
                column: "color".into(),
                drop_first: false,
                dummy_na: true,
            },
            Step::StandardScale {
                columns: strings(&["size"]),
                with_mean: true,
                with_std: true,
            },
            Step::HandleOutliers {
                columns: strings(&["w"]),
                method: OutlierMethod::Quantile {
                    q_low: 0.0,
                    q_high: 1.0,
                },
                action: OutlierAction::Clip,
            },
        ],
    );
    let (fitted, train_out) = recipe.fit_transform(&train).unwrap();
    // The fitted recipe survives JSON, as stored with a model.
    let fitted = FittedRecipe::from_json(&fitted.to_json()).unwrap();
    let test_out = fitted.transform(&test).unwrap();
    let schema = |frame: &Frame| {
        frame
            .columns()
            .iter()
            .map(|c| (c.name().to_string(), c.column_type()))
            .collect::<Vec<_>>()
    };
    assert_eq!(schema(&train_out), schema(&test_out));
    assert_eq!(
        column_names(&test_out),
        [
            "color_Other",
            "color_red",
            "color_nan",
            "color_code",
            "size",
            "w"
        ]
    );
    // "purple" and "blue" are rare or unseen → Other; missing stays missing.
    assert_eq!(
        shown(&test_out, "color_Other"),
        texts(&[Some("true"), Some("true"), Some("false")])
    );
    assert_eq!(
        shown(&test_out, "color_nan"),
        texts(&[Some("false"), Some("false"), Some("true")])
    );
    assert_eq!(
        shown(&test_out, "color_code"),
        texts(&[Some("0"), Some("0"), None])
    );
    // Median 2.5 learnt on train fills the test gap; the clip uses train's range [1, 5].
    assert_eq!(
        shown(&test_out, "w"),
        texts(&[Some("2.5"), Some("5"), Some("2.5")])
    );
    // Size scaled with train's mean 3 and std √2.
    let size = shown(&test_out, "size");
    assert!(
        size[0].as_deref().unwrap().starts_with("4.9497"),
        "{size:?}"
    );
    // A column missing at transform time is a clear error.
    let missing = frame("color,w\nred,1.5\n");
    let error = fitted.transform(&missing).unwrap_err();
    assert_eq!(
        error.to_string(),
        "step 6 (standard_scale): column \"size\" not found"
    );
    let retyped = frame("color,size,w\nred,big,1\n");
    let error = fitted.transform(&retyped).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("was integer when the recipe was fitted"),
        "{error}"
    );
}

#[test]
fn numeric_transforms() {
    let data = frame("x,y\n1,-2\n4,0\n9,3\n");
    let out = ok(
        &data,
        vec![
            Step::Power {
                columns: strings(&["x"]),
                exponent: 0.5,
            },
            Step::Log1p {
                columns: strings(&["y"]),
                on_error: OnError::Null,
            },
        ],
    );
    assert_eq!(shown(&out, "x"), texts(&[Some("1"), Some("2"), Some("3")]));
    assert_eq!(shown(&out, "y")[0], None);
    assert_eq!(shown(&out, "y")[1].as_deref(), Some("0"));
    let error = apply(
        &data,
        vec![Step::Log {
            columns: strings(&["y"]),
            on_error: OnError::Fail,
        }],
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "step 1 (log): column \"y\": 2 values are not positive (rows 1, 2); set on_error to null to make them missing"
    );
    let clipped = ok(
        &data,
        vec![Step::Clip {
            columns: strings(&["x", "y"]),
            lower: Some(0.0),
            upper: Some(5.0),
        }],
    );
    assert_eq!(
        shown(&clipped, "x"),
        texts(&[Some("1"), Some("4"), Some("5")])
    );
    assert_eq!(
        clipped.column("y").unwrap().column_type(),
        ColumnType::Integer
    );
    assert_eq!(
        shown(
            &ok(
                &data,
                vec![Step::Log {
                    columns: strings(&["x"]),
                    on_error: OnError::Fail
                }]
            ),
            "x"
        )[0]
        .as_deref(),
        Some("0")
    );
}

#[test]
fn outliers_by_each_method() {
    let mut csv = String::from("v\n");
    for value in [10, 11, 9, 10, 12, 8, 10, 11, 9, 100] {
        csv.push_str(&format!("{value}\n"));
    }
    let data = frame(&csv);
    for method in [
        OutlierMethod::Std { k: 2.0 },
        OutlierMethod::RobustZ { k: 3.5 },
        OutlierMethod::Quantile {
            q_low: 0.05,
            q_high: 0.95,
        },
    ] {
        let removed = ok(
            &data,
            vec![Step::HandleOutliers {
                columns: strings(&["v"]),
                method,
                action: OutlierAction::Remove,
            }],
        );
        assert!(
            !shown(&removed, "v").contains(&Some("100".into())),
            "{method:?}"
        );
        assert!(removed.n_rows() >= 7, "{method:?}");
        let clipped = ok(
            &data,
            vec![Step::HandleOutliers {
                columns: strings(&["v"]),
                method,
                action: OutlierAction::Clip,
            }],
        );
        assert_eq!(clipped.n_rows(), 10);
        assert_ne!(
            shown(&clipped, "v")[9].as_deref(),
            Some("100"),
            "{method:?}"
        );
    }
}

#[test]
fn dates_and_cycles() {
    let data = frame("d\n31/12/2013 23:05\n01/07/2014 06:00\nbad\n");
    let error = apply(
        &data,
        vec![Step::ParseDatetime {
            column: "d".into(),
            format: "%d/%m/%Y %H:%M".into(),
            to: ColumnType::Datetime,
            on_error: OnError::Fail,
        }],
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "step 1 (parse_datetime): column \"d\": 1 rows could not be read as datetime with format (rows 3)"
    );
    let out = ok(
        &data,
        vec![
            Step::ParseDatetime {
                column: "d".into(),
                format: "%d/%m/%Y %H:%M".into(),
                to: ColumnType::Datetime,
                on_error: OnError::Null,
            },
            Step::CyclicEncode {
                column: "d".into(),
                parts: vec![CyclicPart::Month, CyclicPart::Hour],
            },
        ],
    );
    assert_eq!(
        column_names(&out),
        [
            "d",
            "d_month_sin",
            "d_month_cos",
            "d_hour_sin",
            "d_hour_cos"
        ]
    );
    assert_eq!(shown(&out, "d")[0].as_deref(), Some("2013-12-31 23:05:00"));
    // July is month index 6 of 12: half a turn.
    let cos: f64 = shown(&out, "d_month_cos")[1]
        .as_deref()
        .unwrap()
        .parse()
        .unwrap();
    assert!((cos + 1.0).abs() < 1e-12);
    assert_eq!(shown(&out, "d_hour_sin")[2], None);
}

#[test]
fn text_steps() {
    let data = frame("t\n  Hello World \nfoo-bar-baz\n\"\"\n");
    let out = ok(
        &data,
        vec![
            Step::Trim {
                columns: strings(&["t"]),
            },
            Step::ChangeCase {
                columns: strings(&["t"]),
                case: Case::Upper,
            },
            Step::ReplaceText {
                columns: strings(&["t"]),
                pattern: "O".into(),
                replacement: "0".into(),
            },
            Step::TextLength { column: "t".into() },
            Step::WordCount { column: "t".into() },
            Step::SplitText {
                column: "t".into(),
                delimiter: "-".into(),
                max_parts: 2,
            },
        ],
    );
    assert_eq!(
        column_names(&out),
        ["t", "t_1", "t_2", "t_word_count", "t_length"]
    );
    assert_eq!(
        shown(&out, "t"),
        texts(&[Some("HELL0 W0RLD"), Some("F00-BAR-BAZ"), None])
    );
    assert_eq!(
        shown(&out, "t_length"),
        texts(&[Some("11"), Some("11"), None])
    );
    assert_eq!(
        shown(&out, "t_word_count"),
        texts(&[Some("2"), Some("1"), None])
    );
    assert_eq!(shown(&out, "t_2"), texts(&[None, Some("BAR-BAZ"), None]));
    let lower = ok(
        &frame("c\nA\nB\nA\nB\n"),
        vec![Step::ChangeCase {
            columns: strings(&["c"]),
            case: Case::Lower,
        }],
    );
    assert_eq!(shown(&lower, "c")[0].as_deref(), Some("a"));
}

#[test]
fn regex_steps() {
    let data = frame("t,c\nJohn Smith 42,x1\nsmith; ann,y22\n\"\",x1\n");
    let out = ok(
        &data,
        vec![
            Step::Cast {
                column: "c".into(),
                to: ColumnType::Categorical,
                on_error: OnError::Fail,
            },
            Step::RegexExtract {
                column: "t".into(),
                pattern: r"(?P<first>[A-Za-z]+) (\w+)(?: (\d+))?".into(),
                new_columns: None,
            },
            Step::RegexReplace {
                columns: strings(&["t", "c"]),
                pattern: r"([a-z]+)(\d+)|(?P<last>[A-Z][a-z]+)".into(),
                replacement: "${2}$1<$last>$$".into(),
            },
        ],
    );
    assert_eq!(column_names(&out), ["t", "first", "t_2", "t_3", "c"]);
    assert_eq!(shown(&out, "first"), texts(&[Some("John"), None, None]));
    assert_eq!(shown(&out, "t_2"), texts(&[Some("Smith"), None, None]));
    // A group that took no part in the match is missing, like pandas.
    assert_eq!(shown(&out, "t_3"), texts(&[Some("42"), None, None]));
    assert_eq!(
        shown(&out, "t"),
        texts(&[Some("<John>$ <Smith>$ 42"), Some("smith; ann"), None])
    );
    // Categorical columns stay categorical.
    assert_eq!(
        out.column("c").unwrap().column_type(),
        ColumnType::Categorical
    );
    assert_eq!(
        shown(&out, "c"),
        texts(&[Some("1x<>$"), Some("22y<>$"), Some("1x<>$")])
    );

    let named = ok(
        &data,
        vec![Step::RegexExtract {
            column: "c".into(),
            pattern: r"([a-z])(\d)".into(),
            new_columns: Some(strings(&["letter", "digit"])),
        }],
    );
    assert_eq!(column_names(&named), ["t", "c", "letter", "digit"]);
    assert_eq!(
        shown(&named, "digit"),
        texts(&[Some("1"), Some("2"), Some("1")])
    );

    let kept = ok(
        &data,
        vec![Step::FilterRows {
            column: "t".into(),
            operator: CompareOp::Matches,
            value: Value::Text(r"(?i)^smith|\d$".into()),
        }],
    );
    assert_eq!(kept.n_rows(), 2);

    // The one place regex-lite and Python's re.sub differ on the same pattern: an empty
    // match right after a match (Python gives "-a-b--d-").
    let empty = ok(
        &frame("t\nabxd\n"),
        vec![Step::RegexReplace {
            columns: strings(&["t"]),
            pattern: "x*".into(),
            replacement: "-".into(),
        }],
    );
    assert_eq!(shown(&empty, "t"), texts(&[Some("-a-b-d-")]));
}

#[test]
fn regex_errors_name_the_step_and_the_pattern() {
    let data = frame("t\na\n");
    let message = |step: Step| apply(&data, vec![step]).unwrap_err().to_string();
    let bad = message(Step::RegexReplace {
        columns: strings(&["t"]),
        pattern: "(unclosed".into(),
        replacement: String::new(),
    });
    assert!(
        bad.starts_with(
            "step 1 (regex_replace): pattern \"(unclosed\" is not a valid regular expression: "
        ),
        "{bad}"
    );
    let bad = message(Step::FilterRows {
        column: "t".into(),
        operator: CompareOp::Matches,
        value: Value::Text("[z-a]".into()),
    });
    assert!(
        bad.starts_with("step 1 (filter_rows): pattern \"[z-a]\""),
        "{bad}"
    );
    let error = apply(
        &data,
        vec![Step::RegexExtract {
            column: "t".into(),
            pattern: "*".into(),
            new_columns: None,
        }],
    )
    .unwrap_err();
    assert!(matches!(
        error,
        RecipeError::Step {
            op: "regex_extract",
            error: StepError::Pattern { .. },
            ..
        }
    ));
    assert_eq!(
        message(Step::RegexExtract {
            column: "t".into(),
            pattern: "a".into(),
            new_columns: None,
        }),
        "step 1 (regex_extract): pattern \"a\" has no capture groups; put the part to extract in parentheses"
    );
    assert_eq!(
        message(Step::RegexExtract {
            column: "t".into(),
            pattern: "(a)(b)?".into(),
            new_columns: Some(strings(&["x"])),
        }),
        "step 1 (regex_extract): new_columns names 1 columns and the pattern has 2 capture groups"
    );
    // `$1a` is the group named "1a" to the engine, a classic slip: say so.
    assert_eq!(
        message(Step::RegexReplace {
            columns: strings(&["t"]),
            pattern: "(a)".into(),
            replacement: "$1a".into(),
        }),
        "step 1 (regex_replace): the replacement refers to group \"1a\", which the pattern does \
         not have (it has 1 group) (write ${1}a for group 1 followed by text)"
    );
    assert!(message(Step::RegexReplace {
        columns: strings(&["t"]),
        pattern: "(?P<x>a)".into(),
        replacement: "${y}".into(),
    })
    .contains("group \"y\""));
    assert!(message(Step::FilterRows {
        column: "t".into(),
        operator: CompareOp::Matches,
        value: Value::Int(3),
    })
    .contains("matches needs a text value"));
}

#[test]
fn joins_and_appends_other_datasets() {
    let left = frame("id,v\n1,a\n2,b\n3,c\n");
    let right = frame("id,w\n1,10\n1,11\n3,30\n");
    let text_ids = frame("id,w\nx,1\n");
    let reference = |dataset_id: &str, frame: &Frame| DatasetRef {
        dataset_id: dataset_id.into(),
        content_hash: frame.content_hash().to_hex(),
    };
    let datasets = |wanted: &DatasetRef| match wanted.dataset_id.as_str() {
        "right" => Some(right.clone()),
        "text_ids" => Some(text_ids.clone()),
        "more" => Some(frame("v,id,extra\nd,4,true\n")),
        _ => None,
    };
    let join = |dataset: DatasetRef| Step::Join {
        right: dataset,
        on: strings(&["id"]),
        how: compute::recipe::JoinHow::Left,
        suffixes: ("_x".into(), "_y".into()),
    };
    let (_, joined) = Recipe::new("j", vec![join(reference("right", &right))])
        .fit_transform_with(&left, &datasets)
        .unwrap();
    assert_eq!(
        shown(&joined, "w"),
        texts(&[Some("10"), Some("11"), None, Some("30")])
    );
    let error = Recipe::new("j", vec![join(reference("text_ids", &text_ids))])
        .fit_transform_with(&left, &datasets)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "step 1 (join): cannot join on \"id\": integer on the left, string on the right"
    );
    let error = Recipe::new("j", vec![join(reference("gone", &right))])
        .fit(&left)
        .unwrap_err();
    assert!(error.to_string().contains("is not available"), "{error}");
    let stale = DatasetRef {
        dataset_id: "right".into(),
        content_hash: "00".repeat(32),
    };
    let error = Recipe::new("j", vec![join(stale)])
        .fit_transform_with(&left, &datasets)
        .unwrap_err();
    assert!(error.to_string().contains("has changed"), "{error}");

    let append = Step::Concatenate {
        other: DatasetRef {
            dataset_id: "more".into(),
            content_hash: String::new(),
        },
    };
    let (_, appended) = Recipe::new("c", vec![append])
        .fit_transform_with(&left, &datasets)
        .unwrap();
    assert_eq!(column_names(&appended), ["id", "v", "extra"]);
    assert_eq!(
        shown(&appended, "extra"),
        texts(&[None, None, None, Some("true")])
    );
    assert_eq!(shown(&appended, "v")[3].as_deref(), Some("d"));
    let clash = Step::Concatenate {
        other: DatasetRef {
            dataset_id: "text_ids".into(),
            content_hash: String::new(),
        },
    };
    let error = Recipe::new("c", vec![clash])
        .fit_transform_with(&left, &datasets)
        .unwrap_err();
    assert!(
        error.to_string().contains("cannot append column \"id\""),
        "{error}"
    );
}

#[test]
fn formula_columns() {
    let data = sample();
    let out = ok(
        &data,
        vec![
            Step::FormulaColumn {
                name: "double".into(),
                expression: "age * 2".into(),
            },
            Step::FormulaColumn {
                name: "age".into(),
                expression: "coalesce(age, 0)".into(),
            },
        ],
    );
    assert_eq!(column_names(&out)[..2], ["id", "age"]);
    assert_eq!(shown(&out, "double")[0].as_deref(), Some("60"));
    assert_eq!(shown(&out, "age")[1].as_deref(), Some("0"));
    let error = apply(
        &data,
        vec![Step::FormulaColumn {
            name: "x".into(),
            expression: "nope + 1".into(),
        }],
    )
    .unwrap_err();
    assert!(
        matches!(
            &error,
            RecipeError::Step {
                error: StepError::Formula {
                    position: Some(_),
                    ..
                },
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn recipe_json_errors() {
    let newer = r#"{"schema_version": 2, "name": "r", "steps": []}"#;
    assert_eq!(
        Recipe::from_json(newer).unwrap_err().to_string(),
        "this recipe was written by a newer version of the studio (schema 2, this version \
         reads up to 1); update the studio to open it"
    );
    let broken = r#"{"schema_version": 1, "name": "r", "steps": [{"op": "cast", "column": "a"}]}"#;
    let message = Recipe::from_json(broken).unwrap_err().to_string();
    assert!(message.contains("missing field `to`"), "{message}");
    assert!(Recipe::from_json("not json").is_err());
    assert!(FittedRecipe::from_json(r#"{"schema_version": 7}"#).is_err());
}

#[test]
fn preview_uses_the_head() {
    let data = sample();
    let recipe = Recipe::new(
        "p",
        vec![Step::StandardScale {
            columns: strings(&["id"]),
            with_mean: true,
            with_std: false,
        }],
    );
    let head = preview(&recipe, &data, 3).unwrap();
    assert_eq!(head.n_rows(), 3);
    assert_eq!(
        shown(&head, "id"),
        texts(&[Some("-1"), Some("0"), Some("1")])
    );
    assert_eq!(preview(&recipe, &data, 100).unwrap().n_rows(), 5);
}
