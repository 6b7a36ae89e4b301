//! Fitting and applying recipes: runs the steps in order and names the failing step in errors.

use arrow_array::cast::AsArray;
use arrow_array::Array;

use super::cell::{frame_error, invalid, select_rows, splice};
use super::numeric::Scaler;
use super::{
    columns, combine, dates, encode, missing, numeric, rows, text, DatasetRef, FittedParams,
    FittedRecipe, FittedStep, Recipe, RecipeError, Step, StepError, RECIPE_SCHEMA_VERSION,
};
use crate::formula::{self, FormulaError};
use crate::frame::Frame;
use crate::schema::ColumnType;

/// Finds the other datasets join and concatenate steps read; `None` when unavailable.
pub type Datasets<'a> = &'a dyn Fn(&DatasetRef) -> Option<Frame>;

fn no_datasets(_: &DatasetRef) -> Option<Frame> {
    None
}

impl Recipe {
    /// Learns every step's parameters on `frame` (each on the previous step's output).
    pub fn fit(&self, frame: &Frame) -> Result<FittedRecipe, RecipeError> {
        self.fit_transform(frame).map(|(fitted, _)| fitted)
    }

    /// Fits and returns the transformed training frame too.
    pub fn fit_transform(&self, frame: &Frame) -> Result<(FittedRecipe, Frame), RecipeError> {
        self.fit_transform_with(frame, &no_datasets)
    }

    /// [`Recipe::fit_transform`] for recipes that join or append other datasets.
    pub fn fit_transform_with(
        &self,
        frame: &Frame,
        datasets: Datasets<'_>,
    ) -> Result<(FittedRecipe, Frame), RecipeError> {
        let mut current = frame.clone();
        let mut fitted = Vec::with_capacity(self.steps.len());
        for (index, step) in self.steps.iter().enumerate() {
            let (params, next) =
                run_step(step, None, &current, datasets).map_err(|error| RecipeError::Step {
                    step: index + 1,
                    op: step.op(),
                    error,
                })?;
            fitted.push(FittedStep {
                step: step.clone(),
                params,
            });
            current = next;
        }
        let fitted = FittedRecipe {
            schema_version: RECIPE_SCHEMA_VERSION,
            name: self.name.clone(),
            steps: fitted,
            input_columns: frame
                .columns()
                .iter()
                .map(|column| (column.name().to_string(), column.column_type()))
                .collect(),
        };
        Ok((fitted, current))
    }
}

impl FittedRecipe {
    /// Applies the fitted parameters, unchanged, to new data with the same columns.
    pub fn transform(&self, frame: &Frame) -> Result<Frame, RecipeError> {
        self.transform_with(frame, &no_datasets)
    }

    pub fn transform_with(
        &self,
        frame: &Frame,
        datasets: Datasets<'_>,
    ) -> Result<Frame, RecipeError> {
        let mut current = frame.clone();
        for (index, fitted) in self.steps.iter().enumerate() {
            let fail = |error| RecipeError::Step {
                step: index + 1,
                op: fitted.step.op(),
                error,
            };
            if index == 0 {
                check_input_types(self, frame).map_err(fail)?;
            }
            current = run_step(&fitted.step, Some(&fitted.params), &current, datasets)
                .map_err(fail)?
                .1;
        }
        Ok(current)
    }

    /// The recipe the fitted one came from.
    pub fn recipe(&self) -> Recipe {
        Recipe {
            schema_version: RECIPE_SCHEMA_VERSION,
            name: self.name.clone(),
            steps: self
                .steps
                .iter()
                .map(|fitted| fitted.step.clone())
                .collect(),
        }
    }
}

/// A column present at fit time and now must have the same type; absent columns are left
/// to the steps that use them (a prediction input has no target column).
fn check_input_types(fitted: &FittedRecipe, frame: &Frame) -> Result<(), StepError> {
    for (name, column_type) in &fitted.input_columns {
        if let Some(column) = frame.column(name) {
            if column.column_type() != *column_type {
                return Err(super::cell::column_error(
                    name,
                    format!(
                        "was {} when the recipe was fitted and is {} now; cast it first",
                        column_type.label(),
                        column.column_type().label()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Fits and applies the recipe on the first `max_rows` rows, for a live preview.
pub fn preview(recipe: &Recipe, frame: &Frame, max_rows: usize) -> Result<Frame, RecipeError> {
    preview_with(recipe, frame, max_rows, &no_datasets)
}

/// [`preview`] for recipes that join or append other datasets (read whole).
pub fn preview_with(
    recipe: &Recipe,
    frame: &Frame,
    max_rows: usize,
    datasets: Datasets<'_>,
) -> Result<Frame, RecipeError> {
    let rows: Vec<usize> = (0..max_rows.min(frame.n_rows())).collect();
    let head = super::cell::select_rows(frame, &rows).map_err(|error| RecipeError::Step {
        step: 0,
        op: "preview",
        error,
    })?;
    recipe
        .fit_transform_with(&head, datasets)
        .map(|(_, frame)| frame)
}

/// Runs one step: fits it when `params` is `None`, else applies the given parameters.
fn run_step(
    step: &Step,
    params: Option<&FittedParams>,
    frame: &Frame,
    datasets: Datasets<'_>,
) -> Result<(FittedParams, Frame), StepError> {
    let stateless =
        |result: Result<Frame, StepError>| result.map(|frame| (FittedParams::None, frame));
    match step {
        Step::DropColumns { columns: names } => stateless(columns::drop_columns(frame, names)),
        Step::RenameColumn { column, new_name } => {
            stateless(columns::rename_column(frame, column, new_name))
        }
        Step::DuplicateColumn { column, new_name } => {
            stateless(columns::duplicate_column(frame, column, new_name))
        }
        Step::ReorderColumns {
            columns: names,
            mode,
        } => stateless(columns::reorder_columns(frame, names, *mode)),
        Step::Cast {
            column,
            to,
            on_error,
        } => stateless(columns::cast(frame, column, *to, *on_error)),
        Step::FilterRows {
            column,
            operator,
            value,
        } => stateless(rows::filter_rows(frame, column, *operator, value)),
        Step::FilterFormula { expression } => stateless(formula_filter(frame, expression)),
        Step::DropDuplicates { subset, keep } => {
            stateless(rows::drop_duplicates(frame, subset, *keep))
        }
        Step::SampleRows {
            n,
            frac,
            random_state,
        } => stateless(rows::sample_rows(frame, *n, *frac, *random_state)),
        Step::SortRows { by, ascending } => stateless(rows::sort_rows(frame, by, ascending)),
        Step::TrainTestSplit {
            test_size,
            random_state,
            strategy,
            column_name,
        } => stateless(rows::train_test_split(
            frame,
            *test_size,
            *random_state,
            strategy,
            column_name,
        )),
        Step::DropMissing { subset, how } => stateless(rows::drop_missing(frame, subset, *how)),
        Step::FillMissing {
            columns,
            strategy,
            fill_value,
        } => missing::fill_missing(frame, columns, *strategy, fill_value, params),
        Step::FillForward { columns } => stateless(missing::fill_direction(frame, columns, true)),
        Step::FillBackward { columns } => stateless(missing::fill_direction(frame, columns, false)),
        Step::MissingIndicator { columns } => stateless(missing::missing_indicator(frame, columns)),
        Step::OneHot {
            column,
            drop_first,
            dummy_na,
        } => encode::one_hot(frame, column, *drop_first, *dummy_na, params),
        Step::OrdinalEncode {
            column,
            unknown_value,
        } => encode::ordinal_encode(frame, column, *unknown_value, params),
        Step::GroupRare {
            column,
            min_frequency,
            max_categories,
            other_label,
        } => encode::group_rare(
            frame,
            column,
            *min_frequency,
            *max_categories,
            other_label,
            params,
        ),
        Step::StandardScale {
            columns,
            with_mean,
            with_std,
        } => numeric::scale(
            frame,
            columns,
            Scaler::Standard {
                with_mean: *with_mean,
                with_std: *with_std,
            },
            params,
        ),
        Step::MinMaxScale {
            columns,
            feature_range,
        } => numeric::scale(
            frame,
            columns,
            Scaler::MinMax {
                feature_range: *feature_range,
            },
            params,
        ),
        Step::RobustScale {
            columns,
            quantile_range,
            with_centering,
            with_scaling,
        } => numeric::scale(
            frame,
            columns,
            Scaler::Robust {
                quantile_range: *quantile_range,
                with_centering: *with_centering,
                with_scaling: *with_scaling,
            },
            params,
        ),
        Step::MaxAbsScale { columns } => numeric::scale(frame, columns, Scaler::MaxAbs, params),
        Step::Log { columns, on_error } => stateless(numeric::log(frame, columns, *on_error)),
        Step::Log1p { columns, on_error } => stateless(numeric::log1p(frame, columns, *on_error)),
        Step::Power { columns, exponent } => stateless(numeric::power(frame, columns, *exponent)),
        Step::Clip {
            columns,
            lower,
            upper,
        } => stateless(numeric::clip(frame, columns, *lower, *upper)),
        Step::Bin {
            column,
            strategy,
            n_bins,
            labels,
        } => numeric::bin(frame, column, *strategy, *n_bins, *labels, params),
        Step::HandleOutliers {
            columns,
            method,
            action,
        } => numeric::handle_outliers(frame, columns, *method, *action, params),
        Step::ParseDatetime {
            column,
            format,
            to,
            on_error,
        } => stateless(dates::parse_datetime(frame, column, format, *to, *on_error)),
        Step::ExtractDatetime { column, parts } => {
            stateless(dates::extract_datetime(frame, column, parts))
        }
        Step::CyclicEncode { column, parts } => {
            stateless(dates::cyclic_encode(frame, column, parts))
        }
        Step::ChangeCase { columns, case } => stateless(text::change_case(frame, columns, *case)),
        Step::Trim { columns } => stateless(text::trim(frame, columns)),
        Step::ReplaceText {
            columns,
            pattern,
            replacement,
        } => stateless(text::replace_text(frame, columns, pattern, replacement)),
        Step::RegexReplace {
            columns,
            pattern,
            replacement,
        } => stateless(text::regex_replace(frame, columns, pattern, replacement)),
        Step::RegexExtract {
            column,
            pattern,
            new_columns,
        } => stateless(text::regex_extract(
            frame,
            column,
            pattern,
            new_columns.as_deref(),
        )),
        Step::TextLength { column } => stateless(text::text_length(frame, column)),
        Step::WordCount { column } => stateless(text::word_count(frame, column)),
        Step::SplitText {
            column,
            delimiter,
            max_parts,
        } => stateless(text::split_text(frame, column, delimiter, *max_parts)),
        Step::GroupByAggregate { keys, aggregations } => {
            stateless(combine::group_by_aggregate(frame, keys, aggregations))
        }
        Step::Join {
            right,
            on,
            how,
            suffixes,
        } => {
            let right = combine::resolve(right, datasets)?;
            stateless(combine::join(frame, &right, on, *how, suffixes))
        }
        Step::Concatenate { other } => {
            let other = combine::resolve(other, datasets)?;
            stateless(combine::concatenate(frame, &other))
        }
        Step::FormulaColumn { name, expression } => {
            stateless(formula_column(frame, name, expression))
        }
    }
}

fn formula_error(error: FormulaError) -> StepError {
    StepError::Formula {
        message: error.to_string(),
        position: error.position,
    }
}

/// Adds the formula's column, or replaces the column of that name in place.
fn formula_column(frame: &Frame, name: &str, expression: &str) -> Result<Frame, StepError> {
    let expr = formula::parse(expression).map_err(formula_error)?;
    let column = formula::evaluate(frame, &expr, name).map_err(formula_error)?;
    match frame.columns().iter().position(|c| c.name() == name) {
        Some(index) => splice(frame, index, vec![column]),
        None => {
            let mut columns = frame.columns().to_vec();
            columns.push(column);
            Frame::new(columns).map_err(frame_error)
        }
    }
}

/// Keeps the rows where the formula is true (missing counts as false, like SQL).
fn formula_filter(frame: &Frame, expression: &str) -> Result<Frame, StepError> {
    let expr = formula::parse(expression).map_err(formula_error)?;
    let column = formula::evaluate(frame, &expr, "filter").map_err(formula_error)?;
    if column.column_type() != ColumnType::Boolean {
        return Err(invalid(format!(
            "a filter formula must be true or false for each row, and this one gives {}",
            column.column_type().label()
        )));
    }
    let keep = column.array().as_boolean();
    let rows: Vec<usize> = (0..keep.len())
        .filter(|&row| keep.is_valid(row) && keep.value(row))
        .collect();
    select_rows(frame, &rows)
}
