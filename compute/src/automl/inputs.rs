//! What a stored model reads and writes: its inputs with the values a what-if form starts from, one row typed in as text read as those inputs, and predictions beside the rows they were made for.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, StringArray,
    TimestampMillisecondArray,
};
use thiserror::Error;

use super::run::Predictions;
use crate::csv::infer::{is_missing, parse_bool, parse_date, parse_datetime, parse_f64, parse_i64};
use crate::frame::{Column, Frame};
use crate::ml::matrix::{FeatureKind, FeatureSpec};
use crate::ml::Task;
use crate::protocol::OnePrediction;
use crate::records::ModelInput;
use crate::schema::ColumnType;

/// How many values of a float column are looked at to learn how many decimals it shows.
const DECIMALS_SAMPLE: usize = 10_000;
/// A float default shows at most this many decimals.
const MAX_DECIMALS: usize = 6;

/// The inputs of a model with feature spec `spec`, in the model's order, read off the rows
/// it was trained on (`frame`): numbers start from their median (an integer column's
/// rounded to a whole number, a float column's shown with as many decimals as its values
/// have), everything else from its most frequent value (the first in text order on a tie).
/// Categorical inputs list the categories the model knows. A feature missing from `frame`
/// gets no default.
pub fn model_inputs(frame: &Frame, spec: &FeatureSpec) -> Vec<ModelInput> {
    let texts = spec.text_columns.iter().map(|name| ModelInput {
        name: name.clone(),
        column_type: ColumnType::String,
        categories: Vec::new(),
        default: frame.column(name).and_then(most_frequent),
    });
    spec.features
        .iter()
        .map(|feature| {
            let categories = match &feature.kind {
                FeatureKind::Categorical { categories } => categories.clone(),
                _ => Vec::new(),
            };
            let default =
                frame
                    .column(&feature.name)
                    .and_then(|column| match feature.column_type {
                        ColumnType::Integer | ColumnType::Float => median_text(column),
                        _ => most_frequent(column),
                    });
            ModelInput {
                name: feature.name.clone(),
                column_type: feature.column_type,
                categories,
                default,
            }
        })
        .chain(texts)
        .collect()
}

fn median_text(column: &Column) -> Option<String> {
    let mut values: Vec<f64> = (0..column.len())
        .filter_map(|row| number(column, row))
        .collect();
    if values.is_empty() {
        return None;
    }
    values.sort_unstable_by(f64::total_cmp);
    let middle = values.len() / 2;
    let median = if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    };
    Some(match column.column_type() {
        ColumnType::Integer => format!("{}", median.round() as i64),
        _ => {
            let decimals = (0..column.len())
                .filter_map(|row| column.display_value(row))
                .take(DECIMALS_SAMPLE)
                .map(|text| {
                    text.split_once('.')
                        .map_or(0, |(_, fraction)| fraction.len())
                })
                .max()
                .unwrap_or(0)
                .min(MAX_DECIMALS);
            format!("{median:.decimals$}")
        }
    })
}

fn number(column: &Column, row: usize) -> Option<f64> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int64Type};
    use arrow_array::Array;
    let array = column.array();
    if array.is_null(row) {
        return None;
    }
    let value = match column.column_type() {
        ColumnType::Integer => array.as_primitive::<Int64Type>().value(row) as f64,
        ColumnType::Float => array.as_primitive::<Float64Type>().value(row),
        _ => return None,
    };
    value.is_finite().then_some(value)
}

fn most_frequent(column: &Column) -> Option<String> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for row in 0..column.len() {
        if let Some(text) = column.display_value(row) {
            *counts.entry(text).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by(|(a_text, a_count), (b_text, b_count)| {
            a_count.cmp(b_count).then_with(|| b_text.cmp(a_text))
        })
        .map(|(text, _)| text)
}

/// A value typed for a model input that cannot be read as the input's type.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum InputError {
    #[error("column \"{column}\": \"{value}\" is not {expected}")]
    Unreadable {
        column: String,
        value: String,
        expected: &'static str,
    },
}

/// One row for a model, from text per input (`values`, keyed by column name): each value
/// read as its input's column type; a missing key, `None`, an empty text or a missing
/// marker (`NA`, `null`…, as in CSV files) is a missing value. Returns the row and
/// warnings about values for columns the model does not read (they are ignored).
pub fn one_row(
    inputs: &[ModelInput],
    values: &BTreeMap<String, Option<String>>,
) -> Result<(Frame, Vec<String>), InputError> {
    let mut columns = Vec::with_capacity(inputs.len());
    for input in inputs {
        let text = values
            .get(&input.name)
            .and_then(Option::as_deref)
            .map(str::trim)
            .filter(|text| !is_missing(text.as_bytes()));
        columns.push(typed_cell(input, text)?);
    }
    let warnings = values
        .keys()
        .filter(|name| !inputs.iter().any(|input| &input.name == *name))
        .map(|name| {
            format!("column \"{name}\" is not an input of this model; its value was ignored")
        })
        .collect();
    let frame = Frame::new(columns).expect("model inputs have distinct names, one row each");
    Ok((frame, warnings))
}

fn typed_cell(input: &ModelInput, text: Option<&str>) -> Result<Column, InputError> {
    let unreadable = |expected: &'static str| InputError::Unreadable {
        column: input.name.clone(),
        value: text.unwrap_or_default().to_string(),
        expected,
    };
    let bytes = text.map(str::as_bytes);
    let (column_type, array): (ColumnType, ArrayRef) = match input.column_type {
        // An integer input takes a fraction too: the model reads numbers as floats.
        ColumnType::Integer => match bytes.map(|b| (parse_i64(b), parse_f64(b))) {
            None => (ColumnType::Integer, Arc::new(Int64Array::from(vec![None]))),
            Some((Some(value), _)) => {
                (ColumnType::Integer, Arc::new(Int64Array::from(vec![value])))
            }
            Some((None, Some(value))) => {
                (ColumnType::Float, Arc::new(Float64Array::from(vec![value])))
            }
            Some((None, None)) => return Err(unreadable("a number")),
        },
        ColumnType::Float => {
            let value = bytes
                .map(|b| parse_f64(b).ok_or_else(|| unreadable("a number")))
                .transpose()?;
            (ColumnType::Float, Arc::new(Float64Array::from(vec![value])))
        }
        ColumnType::Boolean => {
            let value = bytes
                .map(|b| parse_bool(b).ok_or_else(|| unreadable("true or false")))
                .transpose()?;
            (
                ColumnType::Boolean,
                Arc::new(BooleanArray::from(vec![value])),
            )
        }
        ColumnType::Date => {
            let value = bytes
                .map(|b| parse_date(b).ok_or_else(|| unreadable("a date (YYYY-MM-DD)")))
                .transpose()?;
            (ColumnType::Date, Arc::new(Date32Array::from(vec![value])))
        }
        ColumnType::Datetime => {
            let value = bytes
                .map(|b| {
                    parse_datetime(b)
                        .ok_or_else(|| unreadable("a date and time (YYYY-MM-DD HH:MM:SS)"))
                })
                .transpose()?;
            (
                ColumnType::Datetime,
                Arc::new(TimestampMillisecondArray::from(vec![value])),
            )
        }
        // Text stands in for categories (the model looks its text up).
        ColumnType::String | ColumnType::Categorical => {
            (ColumnType::String, Arc::new(StringArray::from(vec![text])))
        }
    };
    Ok(Column::new(input.name.clone(), column_type, array).expect("arrays built for their type"))
}

/// The first (and only) row of `predictions` as a what-if answer, with `warnings` and one
/// more per category the model never saw.
pub fn one_prediction(
    predictions: &Predictions,
    inputs: &[ModelInput],
    values: &BTreeMap<String, Option<String>>,
    mut warnings: Vec<String>,
) -> OnePrediction {
    for unseen in &predictions.unseen_categories {
        let value = values
            .get(&unseen.column)
            .cloned()
            .flatten()
            .unwrap_or_default();
        let known = inputs
            .iter()
            .find(|input| input.name == unseen.column)
            .map_or(0, |input| input.categories.len());
        warnings.push(format!(
            "column \"{}\": \"{}\" is not one of the {known} categories the model knows; it was treated as missing",
            unseen.column,
            value.trim()
        ));
    }
    let value = predictions.values[0];
    if predictions.task == Task::Regression {
        OnePrediction {
            prediction: value.to_string(),
            value: Some(value),
            probabilities: Vec::new(),
            warnings,
        }
    } else {
        let proba = predictions
            .proba
            .as_ref()
            .and_then(|rows| rows.first())
            .cloned()
            .unwrap_or_default();
        OnePrediction {
            prediction: predictions.classes[value as usize].clone(),
            value: None,
            probabilities: predictions.classes.iter().cloned().zip(proba).collect(),
            warnings,
        }
    }
}

/// The feature columns of `spec` that `frame` lacks, in the model's order.
pub fn missing_features(spec: &FeatureSpec, frame: &Frame) -> Vec<String> {
    spec.features
        .iter()
        .map(|feature| &feature.name)
        .chain(&spec.text_columns)
        .filter(|name| frame.column(name).is_none())
        .cloned()
        .collect()
}

/// `rows` with the prediction columns (`prediction`, and `proba_<class>` per class)
/// appended; a prediction column whose name a column of `rows` already has is suffixed
/// `_1`, `_2`… so nothing of the input is lost.
pub fn with_predictions(rows: &Frame, predictions: &Predictions) -> Frame {
    let mut columns: Vec<Column> = rows.columns().to_vec();
    for column in predictions.to_frame().columns() {
        let mut name = column.name().to_string();
        let mut n = 0;
        while columns.iter().any(|c| c.name() == name) {
            n += 1;
            name = format!("{}_{n}", column.name());
        }
        columns.push(
            Column::new(name, column.column_type(), column.array().clone())
                .expect("the same array and type"),
        );
    }
    Frame::new(columns).expect("distinct names and one prediction per row")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::automl::run::{predict, Training};
    use crate::automl::AutomlOptions;
    use crate::csv::{read_csv, CsvOptions};
    use crate::ml::train_set;

    fn frame(csv: &str) -> Frame {
        read_csv("inline.csv", csv.as_bytes(), CsvOptions::default())
            .unwrap()
            .frame
    }

    const TABLE: &str = "count,size,colour,ok,when,y\n\
        1,1.25,red,true,2024-01-02,a\n\
        2,2.5,blue,false,2024-01-02,b\n\
        4,,red,true,2024-03-04,a\n\
        5,3.75,green,,2024-01-02,b\n\
        ,10,red,true,,a\n";

    fn inputs_of(csv: &str) -> Vec<ModelInput> {
        let frame = frame(csv);
        let train = train_set(&frame, "y", &[], None).unwrap();
        model_inputs(&frame, &train.spec)
    }

    #[test]
    fn inputs_start_from_the_median_or_the_most_frequent_value() {
        let inputs = inputs_of(TABLE);
        let by_name = |name: &str| inputs.iter().find(|i| i.name == name).unwrap().clone();
        let count = by_name("count");
        assert_eq!(count.column_type, ColumnType::Integer);
        // The median of 1, 2, 4, 5 is 3 (an integer column's default is whole).
        assert_eq!(count.default.as_deref(), Some("3"));
        // 1.25, 2.5, 3.75, 10: (2.5 + 3.75) / 2 = 3.125, shown with two decimals (Rust
        // rounds an exact half to even).
        assert_eq!(by_name("size").default.as_deref(), Some("3.12"));
        let colour = by_name("colour");
        assert_eq!(colour.default.as_deref(), Some("red"));
        assert_eq!(colour.categories, vec!["blue", "green", "red"]);
        assert_eq!(by_name("ok").default.as_deref(), Some("true"));
        assert!(by_name("ok").categories.is_empty());
        assert_eq!(by_name("when").default.as_deref(), Some("2024-01-02"));
        let names: Vec<&str> = inputs.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["count", "size", "colour", "ok", "when"]);

        let halves = inputs_of("n,y\n1,a\n2,b\n");
        assert_eq!(halves[0].default.as_deref(), Some("2"), "1.5 rounds to 2");
        let empty = inputs_of("n,m,y\n,1,a\n,2,b\n");
        assert_eq!(empty[0].default, None, "every value missing");
    }

    fn values(pairs: &[(&str, Option<&str>)]) -> BTreeMap<String, Option<String>> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
            .collect()
    }

    #[test]
    fn a_typed_row_is_read_as_the_inputs_types() {
        let inputs = inputs_of(TABLE);
        let (row, warnings) = one_row(
            &inputs,
            &values(&[
                ("count", Some(" 7 ")),
                ("size", Some("")),
                ("colour", Some("purple")),
                ("ok", Some("False")),
                ("when", None),
                ("extra", Some("1")),
            ]),
        )
        .unwrap();
        assert_eq!(row.n_rows(), 1);
        let shown: Vec<Option<String>> = row.columns().iter().map(|c| c.display_value(0)).collect();
        assert_eq!(
            shown,
            [
                Some("7".into()),
                None,
                Some("purple".into()),
                Some("false".into()),
                None
            ]
        );
        assert_eq!(
            warnings,
            ["column \"extra\" is not an input of this model; its value was ignored"]
        );
        let (fraction, _) = one_row(&inputs, &values(&[("count", Some("2.5"))])).unwrap();
        assert_eq!(
            fraction.column("count").unwrap().column_type(),
            ColumnType::Float
        );

        let error = |column: &str, value: &str| {
            one_row(&inputs, &values(&[(column, Some(value))]))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            error("count", "many"),
            "column \"count\": \"many\" is not a number"
        );
        assert_eq!(
            error("size", "1,5"),
            "column \"size\": \"1,5\" is not a number"
        );
        assert_eq!(
            error("ok", "yes"),
            "column \"ok\": \"yes\" is not true or false"
        );
        assert_eq!(
            error("when", "2024-13-01"),
            "column \"when\": \"2024-13-01\" is not a date (YYYY-MM-DD)"
        );
    }

    #[test]
    fn a_what_if_prediction_names_classes_and_unseen_categories() {
        let mut csv = String::from("size,colour,y\n");
        for i in 0..40 {
            let colour = ["red", "blue"][i % 2];
            let y = if i % 2 == 0 { "hot" } else { "cold" };
            csv.push_str(&format!("{i},{colour},{y}\n"));
        }
        let data = frame(&csv);
        let mut training = Training::on_dataset(&data, &AutomlOptions::new("y"), &|| 0.0).unwrap();
        let run = loop {
            if let crate::automl::run::TrainingStep::Finished(run) = training.step(&|| 0.0).unwrap()
            {
                break run;
            }
        };
        let inputs = training.inputs().to_vec();
        let typed = values(&[("size", Some("3")), ("colour", Some("mauve"))]);
        let (row, warnings) = one_row(&inputs, &typed).unwrap();
        let predictions = predict(&run.model_file.model, &row).unwrap();
        let answer = one_prediction(&predictions, &inputs, &typed, warnings);
        let classes: Vec<&str> = answer
            .probabilities
            .iter()
            .map(|(c, _)| c.as_str())
            .collect();
        assert_eq!(classes, ["cold", "hot"]);
        let total: f64 = answer.probabilities.iter().map(|(_, p)| p).sum();
        assert!((total - 1.0).abs() < 1e-9);
        assert!(classes.contains(&answer.prediction.as_str()));
        assert_eq!(answer.value, None);
        assert_eq!(
            answer.warnings,
            ["column \"colour\": \"mauve\" is not one of the 2 categories the model knows; it was treated as missing"]
        );

        let batch = frame("size,prediction\n1,x\n2,y\n");
        assert_eq!(
            missing_features(&run.model_file.model.spec().clone(), &batch),
            ["colour"]
        );
        let with_colour = frame("size,colour,prediction\n1,red,x\n2,blue,y\n");
        let predictions = predict(&run.model_file.model, &with_colour).unwrap();
        let out = with_predictions(&with_colour, &predictions);
        let names: Vec<&str> = out.columns().iter().map(|c| c.name()).collect();
        assert_eq!(
            names,
            [
                "size",
                "colour",
                "prediction",
                "prediction_1",
                "proba_cold",
                "proba_hot"
            ]
        );
    }
}
