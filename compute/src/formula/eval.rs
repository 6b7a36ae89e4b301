//! Evaluates a checked formula over a frame's Arrow arrays, one kernel per node.
//!
//! Every node produces a whole column at once. Literals stay scalars until they meet a
//! column, and a node whose inputs are all scalars is computed for one row only, so
//! `x * (2 + 3)` runs one loop over `x`. Kernels read their inputs through small typed
//! accessors ([`Ints`], [`Floats`], [`Texts`]…) that hide whether a value is a scalar, a
//! plain array or (for categorical columns) a dictionary; they never allocate per row for
//! numbers, and text results are written straight into one Arrow string buffer.

use std::cmp::Ordering;
use std::fmt::{self, Write as _};
use std::ops::Range;
use std::sync::Arc;

use arrow_array::builder::{Int64Builder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int32Type, Int64Type, TimestampMillisecondType};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array, StringArray,
    TimestampMillisecondArray,
};
use arrow_schema::DataType;

use super::ast::{BinaryOp, Expr, ExprKind, Literal, UnaryOp};
use super::typing::{binary_type, call_type, parse_date, unary_type, Ty};
use super::FormulaError;
use crate::frame::calendar::{civil_from_days, format_datetime, MS_PER_DAY};
use crate::frame::{Column, Frame};

const MS_PER_HOUR: i64 = 3_600_000;
const MS_PER_MINUTE: i64 = 60_000;

/// Evaluates `expr`, which [`super::check`] accepted against `frame`'s columns.
pub(super) fn evaluate(
    frame: &Frame,
    expr: &Expr,
    output_name: &str,
) -> Result<Column, FormulaError> {
    let rows = frame.n_rows();
    // A bare column reference keeps its type, so a categorical column stays categorical.
    if let ExprKind::Column(name) = &expr.kind {
        let column = frame
            .column(name)
            .ok_or_else(|| internal("column vanished"))?;
        return Column::new(output_name, column.column_type(), column.array().clone())
            .map_err(|error| internal(&error.to_string()));
    }
    let value = Evaluator { frame, rows }.eval(expr)?;
    let array = match (&value.data, value.ty) {
        (_, Ty::Null) => Arc::new(Float64Array::new_null(rows)) as ArrayRef,
        (Data::Array(array), _) => array.clone(),
        (Data::Scalar(_), ty) => gather(ty, &[&value], rows, &How::First),
    };
    Column::new(output_name, value.ty.column_type(), array)
        .map_err(|error| internal(&error.to_string()))
}

fn internal(what: &str) -> FormulaError {
    FormulaError {
        message: format!("internal error in the formula engine ({what})"),
        position: None,
    }
}

#[derive(Clone, Debug)]
enum Scalar {
    Null,
    Integer(i64),
    Float(f64),
    Boolean(bool),
    Text(String),
    Date(i32),
    Datetime(i64),
}

#[derive(Clone, Debug)]
enum Data {
    Scalar(Scalar),
    /// Holds the Arrow type of `ty` (or, for text from a categorical column, a dictionary).
    Array(ArrayRef),
}

/// A node's result. `ty` is what the type rules said; `Ty::Null` values are scalar nulls.
#[derive(Clone, Debug)]
struct Value {
    ty: Ty,
    data: Data,
}

impl Value {
    fn scalar(ty: Ty, scalar: Scalar) -> Value {
        Value {
            ty,
            data: Data::Scalar(scalar),
        }
    }

    fn is_scalar(&self) -> bool {
        matches!(self.data, Data::Scalar(_))
    }

    fn ints(&self) -> Ints<'_> {
        match &self.data {
            Data::Scalar(Scalar::Integer(value)) => Ints::Scalar(Some(*value)),
            Data::Scalar(_) => Ints::Scalar(None),
            Data::Array(array) => Ints::Array(array.as_primitive::<Int64Type>()),
        }
    }

    fn floats(&self) -> Floats<'_> {
        match &self.data {
            Data::Scalar(Scalar::Integer(value)) => Floats::Scalar(Some(*value as f64)),
            Data::Scalar(Scalar::Float(value)) => Floats::Scalar(Some(*value)),
            Data::Scalar(_) => Floats::Scalar(None),
            Data::Array(array) => match array.data_type() {
                DataType::Int64 => Floats::Int(array.as_primitive::<Int64Type>()),
                _ => Floats::Float(array.as_primitive::<Float64Type>()),
            },
        }
    }

    fn bools(&self) -> Bools<'_> {
        match &self.data {
            Data::Scalar(Scalar::Boolean(value)) => Bools::Scalar(Some(*value)),
            Data::Scalar(_) => Bools::Scalar(None),
            Data::Array(array) => Bools::Array(array.as_boolean()),
        }
    }

    fn texts(&self) -> Texts<'_> {
        match &self.data {
            Data::Scalar(Scalar::Text(text)) => Texts::Scalar(Some(text)),
            Data::Scalar(_) => Texts::Scalar(None),
            Data::Array(array) => match array.data_type() {
                DataType::Dictionary(_, _) => {
                    let dictionary = array.as_dictionary::<Int32Type>();
                    Texts::Dictionary(dictionary.keys(), dictionary.values().as_string())
                }
                _ => Texts::Array(array.as_string()),
            },
        }
    }

    fn days(&self) -> Days<'_> {
        match &self.data {
            Data::Scalar(Scalar::Date(days)) => Days::Scalar(Some(i64::from(*days))),
            Data::Scalar(Scalar::Datetime(ms)) => Days::Scalar(Some(ms.div_euclid(MS_PER_DAY))),
            Data::Scalar(_) => Days::Scalar(None),
            Data::Array(array) => match array.data_type() {
                DataType::Date32 => Days::Date(array.as_primitive::<Date32Type>()),
                _ => Days::Datetime(array.as_primitive::<TimestampMillisecondType>()),
            },
        }
    }

    fn millis(&self) -> Millis<'_> {
        match &self.data {
            Data::Scalar(Scalar::Date(days)) => Millis::Scalar(Some(i64::from(*days) * MS_PER_DAY)),
            Data::Scalar(Scalar::Datetime(ms)) => Millis::Scalar(Some(*ms)),
            Data::Scalar(_) => Millis::Scalar(None),
            Data::Array(array) => match array.data_type() {
                DataType::Date32 => Millis::Date(array.as_primitive::<Date32Type>()),
                _ => Millis::Datetime(array.as_primitive::<TimestampMillisecondType>()),
            },
        }
    }

    fn cells(&self) -> Cells<'_> {
        match self.ty {
            Ty::Null => Cells::Null,
            Ty::Integer => Cells::Integer(self.ints()),
            Ty::Float => Cells::Float(self.floats()),
            Ty::Boolean => Cells::Boolean(self.bools()),
            Ty::Text => Cells::Text(self.texts()),
            Ty::Date => Cells::Date(self.days()),
            Ty::Datetime => Cells::Datetime(self.millis()),
        }
    }
}

/// Row access shared by scalars and arrays.
trait Get {
    type Item: Copy + PartialOrd;
    fn get(&self, row: usize) -> Option<Self::Item>;
}

enum Ints<'a> {
    Array(&'a Int64Array),
    Scalar(Option<i64>),
}

impl Get for Ints<'_> {
    type Item = i64;
    #[inline]
    fn get(&self, row: usize) -> Option<i64> {
        match self {
            Ints::Array(array) => array.is_valid(row).then(|| array.value(row)),
            Ints::Scalar(value) => *value,
        }
    }
}

/// Integers read as floats, so mixed arithmetic needs no converted copy.
enum Floats<'a> {
    Int(&'a Int64Array),
    Float(&'a Float64Array),
    Scalar(Option<f64>),
}

impl Get for Floats<'_> {
    type Item = f64;
    #[inline]
    fn get(&self, row: usize) -> Option<f64> {
        match self {
            Floats::Int(array) => array.is_valid(row).then(|| array.value(row) as f64),
            Floats::Float(array) => array.is_valid(row).then(|| array.value(row)),
            Floats::Scalar(value) => *value,
        }
    }
}

enum Bools<'a> {
    Array(&'a BooleanArray),
    Scalar(Option<bool>),
}

impl Get for Bools<'_> {
    type Item = bool;
    #[inline]
    fn get(&self, row: usize) -> Option<bool> {
        match self {
            Bools::Array(array) => array.is_valid(row).then(|| array.value(row)),
            Bools::Scalar(value) => *value,
        }
    }
}

/// Text, read from a string array, a categorical column's dictionary or a scalar.
enum Texts<'a> {
    Array(&'a StringArray),
    Dictionary(&'a Int32Array, &'a StringArray),
    Scalar(Option<&'a str>),
}

impl<'a> Get for Texts<'a> {
    type Item = &'a str;
    #[inline]
    fn get(&self, row: usize) -> Option<&'a str> {
        match self {
            Texts::Array(array) => array.is_valid(row).then(|| array.value(row)),
            Texts::Dictionary(keys, values) => {
                let key = keys.is_valid(row).then(|| keys.value(row) as usize)?;
                values.is_valid(key).then(|| values.value(key))
            }
            Texts::Scalar(value) => *value,
        }
    }
}

/// Dates and date-times as days since 1970-01-01 (a date-time's calendar date).
enum Days<'a> {
    Date(&'a Date32Array),
    Datetime(&'a TimestampMillisecondArray),
    Scalar(Option<i64>),
}

impl Get for Days<'_> {
    type Item = i64;
    #[inline]
    fn get(&self, row: usize) -> Option<i64> {
        match self {
            Days::Date(array) => array.is_valid(row).then(|| i64::from(array.value(row))),
            Days::Datetime(array) => array
                .is_valid(row)
                .then(|| array.value(row).div_euclid(MS_PER_DAY)),
            Days::Scalar(value) => *value,
        }
    }
}

/// Dates and date-times as milliseconds since the epoch (a date is its midnight).
enum Millis<'a> {
    Date(&'a Date32Array),
    Datetime(&'a TimestampMillisecondArray),
    Scalar(Option<i64>),
}

impl Get for Millis<'_> {
    type Item = i64;
    #[inline]
    fn get(&self, row: usize) -> Option<i64> {
        match self {
            Millis::Date(array) => array
                .is_valid(row)
                .then(|| i64::from(array.value(row)) * MS_PER_DAY),
            Millis::Datetime(array) => array.is_valid(row).then(|| array.value(row)),
            Millis::Scalar(value) => *value,
        }
    }
}

/// Any value, for writing as text (`concat`, `to_string`).
enum Cells<'a> {
    Null,
    Integer(Ints<'a>),
    Float(Floats<'a>),
    Boolean(Bools<'a>),
    Text(Texts<'a>),
    Date(Days<'a>),
    Datetime(Millis<'a>),
}

impl Cells<'_> {
    /// Writes row `row` the way the data grid shows it; false when the value is missing.
    fn write(&self, row: usize, out: &mut TextOut) -> bool {
        match self {
            Cells::Null => return false,
            Cells::Integer(values) => match values.get(row) {
                Some(value) => out.display(value),
                None => return false,
            },
            Cells::Float(values) => match values.get(row) {
                Some(value) => out.display(value),
                None => return false,
            },
            Cells::Boolean(values) => match values.get(row) {
                Some(value) => out.display(value),
                None => return false,
            },
            Cells::Text(values) => match values.get(row) {
                Some(value) => out.push(value),
                None => return false,
            },
            Cells::Date(values) => match values.get(row) {
                Some(days) => {
                    let (year, month, day) = civil_from_days(days);
                    out.display(format_args!("{year:04}-{month:02}-{day:02}"));
                }
                None => return false,
            },
            Cells::Datetime(values) => match values.get(row) {
                Some(ms) => out.push(&format_datetime(ms)),
                None => return false,
            },
        }
        true
    }
}

/// A string column being written row by row into one buffer.
struct TextOut {
    builder: StringBuilder,
}

impl TextOut {
    fn new(rows: usize) -> TextOut {
        TextOut {
            builder: StringBuilder::with_capacity(rows, rows * 8),
        }
    }

    /// Appends to the current row.
    fn push(&mut self, text: &str) {
        self.builder
            .write_str(text)
            .expect("writing to a string builder cannot fail");
    }

    fn push_char(&mut self, c: char) {
        self.builder
            .write_char(c)
            .expect("writing to a string builder cannot fail");
    }

    fn display(&mut self, value: impl fmt::Display) {
        write!(self.builder, "{value}").expect("writing to a string builder cannot fail");
    }

    fn end_row(&mut self) {
        self.builder.append_value("");
    }

    fn null_row(&mut self) {
        self.builder.append_null();
    }

    fn finish(mut self) -> ArrayRef {
        Arc::new(self.builder.finish())
    }
}

/// How [`gather`] chooses each row's value among several inputs of one type.
enum How<'f> {
    /// The input at the returned index, or null.
    Pick(&'f dyn Fn(usize) -> Option<usize>),
    /// The first present value (`coalesce`).
    First,
    /// The smallest / largest present value (`min`, `max`).
    Least,
    Greatest,
}

fn gather_rows<S: Get>(sources: &[S], rows: usize, how: &How) -> Vec<Option<S::Item>> {
    (0..rows)
        .map(|row| match how {
            How::Pick(pick) => pick(row).and_then(|index| sources[index].get(row)),
            How::First => sources.iter().find_map(|source| source.get(row)),
            How::Least => sources
                .iter()
                .filter_map(|source| source.get(row))
                .reduce(|best, value| if value < best { value } else { best }),
            How::Greatest => sources
                .iter()
                .filter_map(|source| source.get(row))
                .reduce(|best, value| if value > best { value } else { best }),
        })
        .collect()
}

/// One array of type `ty` built from `inputs` (each of `ty`, a type that widens to it, or null).
fn gather(ty: Ty, inputs: &[&Value], rows: usize, how: &How) -> ArrayRef {
    fn sources<'a, S>(inputs: &[&'a Value], read: impl Fn(&'a Value) -> S) -> Vec<S> {
        inputs.iter().map(|value| read(value)).collect()
    }
    match ty {
        Ty::Null => Arc::new(Float64Array::new_null(rows)),
        Ty::Integer => Arc::new(Int64Array::from(gather_rows(
            &sources(inputs, Value::ints),
            rows,
            how,
        ))),
        Ty::Float => Arc::new(Float64Array::from(gather_rows(
            &sources(inputs, Value::floats),
            rows,
            how,
        ))),
        Ty::Boolean => Arc::new(BooleanArray::from(gather_rows(
            &sources(inputs, Value::bools),
            rows,
            how,
        ))),
        Ty::Text => Arc::new(StringArray::from(gather_rows(
            &sources(inputs, Value::texts),
            rows,
            how,
        ))),
        Ty::Date => Arc::new(
            gather_rows(&sources(inputs, Value::days), rows, how)
                .into_iter()
                .map(|days| days.and_then(|days| i32::try_from(days).ok()))
                .collect::<Date32Array>(),
        ),
        Ty::Datetime => Arc::new(TimestampMillisecondArray::from(gather_rows(
            &sources(inputs, Value::millis),
            rows,
            how,
        ))),
    }
}

fn ints(values: impl Iterator<Item = Option<i64>>) -> ArrayRef {
    Arc::new(values.collect::<Int64Array>())
}

/// Non-finite results (NaN, ±infinity) become null.
fn floats(values: impl Iterator<Item = Option<f64>>) -> ArrayRef {
    Arc::new(
        values
            .map(|value| value.filter(|value| value.is_finite()))
            .collect::<Float64Array>(),
    )
}

fn booleans(values: impl Iterator<Item = Option<bool>>) -> ArrayRef {
    Arc::new(values.collect::<BooleanArray>())
}

fn map_text(rows: usize, source: &Texts, mut write: impl FnMut(&str, &mut TextOut)) -> ArrayRef {
    let mut out = TextOut::new(rows);
    for row in 0..rows {
        match source.get(row) {
            Some(text) => {
                write(text, &mut out);
                out.end_row();
            }
            None => out.null_row(),
        }
    }
    out.finish()
}

fn overflow(span: Range<usize>, what: fmt::Arguments) -> FormulaError {
    FormulaError::at(
        span,
        format!(
            "integer overflow: {what} does not fit in an integer; \
             multiply by 1.0 to compute with decimals"
        ),
    )
}

/// Remainder with the sign of the divisor, like Python and pandas (`-7 % 3 == 2`).
fn remainder_i64(x: i64, y: i64) -> i64 {
    if y == -1 {
        return 0;
    }
    let r = x % y;
    if r != 0 && (r < 0) != (y < 0) {
        r + y
    } else {
        r
    }
}

fn remainder_f64(x: f64, y: f64) -> f64 {
    let r = x % y;
    if r != 0.0 && (r < 0.0) != (y < 0.0) {
        r + y
    } else {
        r
    }
}

/// Half away from zero, like SQL and spreadsheets (not pandas' half to even).
fn round_f64(x: f64, digits: i64) -> f64 {
    if digits > 308 {
        return x;
    }
    let scale = 10f64.powi(digits.max(-308) as i32);
    let scaled = x * scale;
    if !scaled.is_finite() {
        return x;
    }
    let rounded = scaled.round() / scale;
    if rounded.is_finite() {
        rounded
    } else {
        x
    }
}

/// Rounds to a multiple of 10^-digits (only negative `digits` change an integer).
fn round_i64(x: i64, digits: i64) -> Option<i64> {
    if digits >= 0 {
        return Some(x);
    }
    let scale = 10i128.pow(digits.unsigned_abs().min(20) as u32);
    let x = i128::from(x);
    let mut quotient = x / scale;
    if (x % scale).abs() * 2 >= scale {
        quotient += x.signum();
    }
    i64::try_from(quotient * scale).ok()
}

/// The chars of `text` from 1-based `start` (negative counts from the end, 0 acts as 1),
/// `length` chars long or to the end.
fn substring(text: &str, start: i64, length: Option<i64>) -> &str {
    let begin = match start {
        1.. => start - 1,
        0 => 0,
        _ => (text.chars().count() as i64 + start).max(0),
    };
    let byte_at = |chars: i64| {
        let chars = usize::try_from(chars).unwrap_or(usize::MAX);
        text.char_indices()
            .nth(chars)
            .map_or(text.len(), |(byte, _)| byte)
    };
    let from = byte_at(begin);
    let to = match length {
        None => text.len(),
        Some(length) if length <= 0 => return "",
        Some(length) => byte_at(begin.saturating_add(length)),
    };
    &text[from..to]
}

fn compare_with<S: Get>(left: &S, right: &S, rows: usize, op: BinaryOp) -> ArrayRef {
    let test: fn(Ordering) -> bool = match op {
        BinaryOp::Equal => Ordering::is_eq,
        BinaryOp::NotEqual => Ordering::is_ne,
        BinaryOp::Less => Ordering::is_lt,
        BinaryOp::LessEqual => Ordering::is_le,
        BinaryOp::Greater => Ordering::is_gt,
        _ => Ordering::is_ge,
    };
    booleans((0..rows).map(|row| {
        let (x, y) = (left.get(row)?, right.get(row)?);
        Some(test(x.partial_cmp(&y)?))
    }))
}

/// A comparison; null on either side gives null.
fn compare(op: BinaryOp, left: &Value, right: &Value, rows: usize) -> ArrayRef {
    match (left.ty, right.ty) {
        (Ty::Null, _) | (_, Ty::Null) => Arc::new(BooleanArray::new_null(rows)),
        (Ty::Integer, Ty::Integer) => compare_with(&left.ints(), &right.ints(), rows, op),
        (Ty::Integer | Ty::Float, _) => compare_with(&left.floats(), &right.floats(), rows, op),
        (Ty::Text, _) => compare_with(&left.texts(), &right.texts(), rows, op),
        (Ty::Boolean, _) => compare_with(&left.bools(), &right.bools(), rows, op),
        (Ty::Date, Ty::Date) => compare_with(&left.days(), &right.days(), rows, op),
        _ => compare_with(&left.millis(), &right.millis(), rows, op),
    }
}

/// SQL's three-valued `and` / `or`: `false and null` is false, `true or null` is true.
fn logic(op: BinaryOp, left: &Bools, right: &Bools, rows: usize) -> ArrayRef {
    let and = op == BinaryOp::And;
    booleans((0..rows).map(|row| match (left.get(row), right.get(row)) {
        (Some(x), Some(y)) => Some(if and { x && y } else { x || y }),
        (Some(decisive), None) | (None, Some(decisive)) if decisive != and => Some(decisive),
        _ => None,
    }))
}

fn not(values: &Bools, rows: usize) -> ArrayRef {
    booleans((0..rows).map(|row| values.get(row).map(|value| !value)))
}

fn as_bools(array: &ArrayRef) -> Bools<'_> {
    Bools::Array(array.as_boolean())
}

fn scalar_of(ty: Ty, array: &ArrayRef) -> Scalar {
    if array.is_null(0) {
        return Scalar::Null;
    }
    match ty {
        Ty::Null => Scalar::Null,
        Ty::Integer => Scalar::Integer(array.as_primitive::<Int64Type>().value(0)),
        Ty::Float => Scalar::Float(array.as_primitive::<Float64Type>().value(0)),
        Ty::Boolean => Scalar::Boolean(array.as_boolean().value(0)),
        Ty::Text => Scalar::Text(array.as_string::<i32>().value(0).to_string()),
        Ty::Date => Scalar::Date(array.as_primitive::<Date32Type>().value(0)),
        Ty::Datetime => Scalar::Datetime(array.as_primitive::<TimestampMillisecondType>().value(0)),
    }
}

struct Evaluator<'a> {
    frame: &'a Frame,
    rows: usize,
}

impl Evaluator<'_> {
    /// Runs `kernel` over as many rows as the inputs need: one when all are scalars (and
    /// the result is kept as a scalar), every row of the frame otherwise.
    fn lift(
        &self,
        ty: Ty,
        inputs: &[&Value],
        kernel: impl FnOnce(usize) -> Result<ArrayRef, FormulaError>,
    ) -> Result<Value, FormulaError> {
        if ty == Ty::Null {
            return Ok(Value::scalar(Ty::Null, Scalar::Null));
        }
        if inputs.iter().all(|value| value.is_scalar()) {
            let array = kernel(1)?;
            Ok(Value::scalar(ty, scalar_of(ty, &array)))
        } else {
            Ok(Value {
                ty,
                data: Data::Array(kernel(self.rows)?),
            })
        }
    }

    fn eval(&self, expr: &Expr) -> Result<Value, FormulaError> {
        let span = expr.span.clone();
        match &expr.kind {
            ExprKind::Literal(literal) => Ok(match literal {
                Literal::Integer(value) => Value::scalar(Ty::Integer, Scalar::Integer(*value)),
                Literal::Float(value) => Value::scalar(Ty::Float, Scalar::Float(*value)),
                Literal::Text(text) => Value::scalar(Ty::Text, Scalar::Text(text.clone())),
                Literal::Boolean(value) => Value::scalar(Ty::Boolean, Scalar::Boolean(*value)),
                Literal::Null => Value::scalar(Ty::Null, Scalar::Null),
            }),
            ExprKind::Column(name) => {
                let column = self
                    .frame
                    .column(name)
                    .ok_or_else(|| internal("column vanished"))?;
                Ok(Value {
                    ty: Ty::of_column(column.column_type()),
                    data: Data::Array(column.array().clone()),
                })
            }
            ExprKind::Unary { op, operand } => {
                let operand_value = self.eval(operand)?;
                let ty = unary_type(*op, operand_value.ty, operand.span.clone())?;
                self.lift(ty, &[&operand_value], |rows| match (op, ty) {
                    (UnaryOp::Not, _) => Ok(not(&operand_value.bools(), rows)),
                    (UnaryOp::Negate, Ty::Integer) => {
                        let values = operand_value.ints();
                        let mut out = Int64Builder::with_capacity(rows);
                        for row in 0..rows {
                            match values.get(row) {
                                Some(x) => out.append_value(x.checked_neg().ok_or_else(|| {
                                    overflow(span.clone(), format_args!("-({x})"))
                                })?),
                                None => out.append_null(),
                            }
                        }
                        Ok(Arc::new(out.finish()) as ArrayRef)
                    }
                    (UnaryOp::Negate, _) => {
                        let values = operand_value.floats();
                        Ok(floats((0..rows).map(|row| values.get(row).map(|x| -x))))
                    }
                })
            }
            ExprKind::Binary { op, left, right } => {
                let (l, r) = (self.eval(left)?, self.eval(right)?);
                let ty = binary_type(
                    *op,
                    (l.ty, left.span.clone()),
                    (r.ty, right.span.clone()),
                    span.clone(),
                )?;
                self.lift(ty, &[&l, &r], |rows| binary(*op, ty, &l, &r, rows, span))
            }
            ExprKind::In {
                value,
                list,
                negated,
            } => {
                let value = self.eval(value)?;
                let items = list
                    .iter()
                    .map(|item| self.eval(item))
                    .collect::<Result<Vec<_>, _>>()?;
                let inputs: Vec<&Value> = std::iter::once(&value).chain(&items).collect();
                self.lift(Ty::Boolean, &inputs, |rows| {
                    // `x in (a, b)` is `x == a or x == b`, with the same null rules.
                    let mut found: ArrayRef = Arc::new(BooleanArray::from(vec![false; rows]));
                    for item in &items {
                        let equal = compare(BinaryOp::Equal, &value, item, rows);
                        found = logic(BinaryOp::Or, &as_bools(&found), &as_bools(&equal), rows);
                    }
                    Ok(if *negated {
                        not(&as_bools(&found), rows)
                    } else {
                        found
                    })
                })
            }
            ExprKind::Between {
                value,
                low,
                high,
                negated,
            } => {
                let (value, low, high) = (self.eval(value)?, self.eval(low)?, self.eval(high)?);
                self.lift(Ty::Boolean, &[&value, &low, &high], |rows| {
                    let above = compare(BinaryOp::GreaterEqual, &value, &low, rows);
                    let below = compare(BinaryOp::LessEqual, &value, &high, rows);
                    let inside = logic(BinaryOp::And, &as_bools(&above), &as_bools(&below), rows);
                    Ok(if *negated {
                        not(&as_bools(&inside), rows)
                    } else {
                        inside
                    })
                })
            }
            ExprKind::Case {
                branches,
                otherwise,
            } => {
                let mut conditions = Vec::with_capacity(branches.len());
                let mut results = Vec::with_capacity(branches.len() + 1);
                let mut ty = Ty::Null;
                for (condition, result) in branches {
                    conditions.push(self.eval(condition)?);
                    results.push(self.eval(result)?);
                }
                if let Some(otherwise) = otherwise {
                    results.push(self.eval(otherwise)?);
                }
                for result in &results {
                    ty = super::typing::unify(ty, result.ty)
                        .ok_or_else(|| internal("case results disagree"))?;
                }
                let inputs: Vec<&Value> = conditions.iter().chain(&results).collect();
                self.lift(ty, &inputs, |rows| {
                    let tests: Vec<Bools> = conditions.iter().map(Value::bools).collect();
                    let has_otherwise = otherwise.is_some();
                    let pick = |row: usize| {
                        tests
                            .iter()
                            .position(|test| test.get(row) == Some(true))
                            .or(has_otherwise.then_some(tests.len()))
                    };
                    let results: Vec<&Value> = results.iter().collect();
                    Ok(gather(ty, &results, rows, &How::Pick(&pick)))
                })
            }
            ExprKind::Call { function, args } => {
                let values = args
                    .iter()
                    .map(|arg| self.eval(arg))
                    .collect::<Result<Vec<_>, _>>()?;
                let typed: Vec<(Ty, &Expr)> =
                    values.iter().map(|value| value.ty).zip(args).collect();
                let ty = call_type(function, &typed)?;
                let inputs: Vec<&Value> = values.iter().collect();
                self.lift(ty, &inputs, |rows| call(function, ty, &inputs, rows, span))
            }
        }
    }
}

fn binary(
    op: BinaryOp,
    ty: Ty,
    left: &Value,
    right: &Value,
    rows: usize,
    span: Range<usize>,
) -> Result<ArrayRef, FormulaError> {
    if matches!(op, BinaryOp::And | BinaryOp::Or) {
        return Ok(logic(op, &left.bools(), &right.bools(), rows));
    }
    if op.is_comparison() {
        return Ok(compare(op, left, right, rows));
    }
    match ty {
        // A date minus a date: days between them.
        Ty::Integer if left.ty == Ty::Date || right.ty == Ty::Date => {
            let (a, b) = (left.days(), right.days());
            Ok(ints((0..rows).map(|row| Some(a.get(row)? - b.get(row)?))))
        }
        Ty::Integer => {
            let (a, b) = (left.ints(), right.ints());
            let mut out = Int64Builder::with_capacity(rows);
            for row in 0..rows {
                let (Some(x), Some(y)) = (a.get(row), b.get(row)) else {
                    out.append_null();
                    continue;
                };
                let result = match op {
                    BinaryOp::Add => x.checked_add(y),
                    BinaryOp::Subtract => x.checked_sub(y),
                    BinaryOp::Multiply => x.checked_mul(y),
                    _ if y == 0 => {
                        out.append_null();
                        continue;
                    }
                    _ => Some(remainder_i64(x, y)),
                };
                let result = result.ok_or_else(|| {
                    overflow(span.clone(), format_args!("{x} {} {y}", op.symbol()))
                })?;
                out.append_value(result);
            }
            Ok(Arc::new(out.finish()))
        }
        Ty::Float => {
            let (a, b) = (left.floats(), right.floats());
            let apply: fn(f64, f64) -> f64 = match op {
                BinaryOp::Add => |x, y| x + y,
                BinaryOp::Subtract => |x, y| x - y,
                BinaryOp::Multiply => |x, y| x * y,
                BinaryOp::Divide => |x, y| x / y,
                _ => remainder_f64,
            };
            Ok(floats(
                (0..rows).map(|row| Some(apply(a.get(row)?, b.get(row)?))),
            ))
        }
        Ty::Text => {
            let (a, b) = (left.texts(), right.texts());
            let mut out = TextOut::new(rows);
            for row in 0..rows {
                match (a.get(row), b.get(row)) {
                    (Some(x), Some(y)) => {
                        out.push(x);
                        out.push(y);
                        out.end_row();
                    }
                    _ => out.null_row(),
                }
            }
            Ok(out.finish())
        }
        Ty::Date => {
            // A date plus or minus a number of days.
            let (date, offset) = if right.ty == Ty::Date {
                (right, left)
            } else {
                (left, right)
            };
            let (days, offsets) = (date.days(), offset.ints());
            let sign = if op == BinaryOp::Subtract { -1 } else { 1 };
            let mut out = Vec::with_capacity(rows);
            for row in 0..rows {
                out.push(match (days.get(row), offsets.get(row)) {
                    (Some(day), Some(offset)) => {
                        let moved = offset
                            .checked_mul(sign)
                            .and_then(|offset| day.checked_add(offset))
                            .and_then(|moved| i32::try_from(moved).ok());
                        Some(moved.ok_or_else(|| {
                            FormulaError::at(
                                span.clone(),
                                format!("date arithmetic out of range ({offset} days)"),
                            )
                        })?)
                    }
                    _ => None,
                });
            }
            Ok(Arc::new(Date32Array::from(out)))
        }
        other => Err(internal(&format!("no arithmetic kernel for {other:?}"))),
    }
}

fn call(
    function: &str,
    ty: Ty,
    args: &[&Value],
    rows: usize,
    span: Range<usize>,
) -> Result<ArrayRef, FormulaError> {
    let first = args[0];
    let unary_float = |apply: fn(f64) -> f64| {
        let values = first.floats();
        floats((0..rows).map(|row| values.get(row).map(apply)))
    };
    Ok(match function {
        "if" => {
            let condition = first.bools();
            // A null condition counts as false, like SQL's CASE.
            let pick = |row: usize| {
                Some(if condition.get(row) == Some(true) {
                    0
                } else {
                    1
                })
            };
            gather(ty, &args[1..], rows, &How::Pick(&pick))
        }
        "coalesce" => gather(ty, args, rows, &How::First),
        "min" => gather(ty, args, rows, &How::Least),
        "max" => gather(ty, args, rows, &How::Greatest),
        "is_null" | "is_not_null" => {
            let wanted_null = function == "is_null";
            match &first.data {
                Data::Scalar(scalar) => {
                    let is_null = matches!(scalar, Scalar::Null);
                    Arc::new(BooleanArray::from(vec![is_null == wanted_null; rows]))
                }
                Data::Array(array) => {
                    let nulls = array.logical_nulls();
                    booleans((0..rows).map(|row| {
                        let is_null = nulls.as_ref().is_some_and(|nulls| nulls.is_null(row));
                        Some(is_null == wanted_null)
                    }))
                }
            }
        }
        "abs" if ty == Ty::Integer => {
            let values = first.ints();
            let mut out = Int64Builder::with_capacity(rows);
            for row in 0..rows {
                match values.get(row) {
                    Some(x) => out.append_value(
                        x.checked_abs()
                            .ok_or_else(|| overflow(span.clone(), format_args!("abs({x})")))?,
                    ),
                    None => out.append_null(),
                }
            }
            Arc::new(out.finish())
        }
        "abs" => unary_float(f64::abs),
        "round" => {
            let digits = args
                .get(1)
                .map_or(Ints::Scalar(Some(0)), |digits| digits.ints());
            if ty == Ty::Integer {
                let values = first.ints();
                let mut out = Int64Builder::with_capacity(rows);
                for row in 0..rows {
                    match (values.get(row), digits.get(row)) {
                        (Some(x), Some(d)) => {
                            out.append_value(round_i64(x, d).ok_or_else(|| {
                                overflow(span.clone(), format_args!("round({x}, {d})"))
                            })?)
                        }
                        _ => out.append_null(),
                    }
                }
                Arc::new(out.finish())
            } else {
                let values = first.floats();
                floats((0..rows).map(|row| Some(round_f64(values.get(row)?, digits.get(row)?))))
            }
        }
        "floor" | "ceil" if ty == Ty::Integer => gather(ty, args, rows, &How::First),
        "floor" => unary_float(f64::floor),
        "ceil" => unary_float(f64::ceil),
        "sign" => {
            let values = first.floats();
            ints((0..rows).map(|row| {
                let x = values.get(row)?;
                Some(if x > 0.0 {
                    1
                } else if x < 0.0 {
                    -1
                } else {
                    0
                })
            }))
        }
        "sqrt" => unary_float(f64::sqrt),
        "exp" => unary_float(f64::exp),
        "ln" | "log" => unary_float(f64::ln),
        "log10" => unary_float(f64::log10),
        "log1p" => unary_float(f64::ln_1p),
        "pow" => {
            let (base, exponent) = (first.floats(), args[1].floats());
            floats((0..rows).map(|row| Some(base.get(row)?.powf(exponent.get(row)?))))
        }
        "clip" if ty == Ty::Integer => {
            let (values, lower, upper) = (first.ints(), args[1].ints(), args[2].ints());
            ints((0..rows).map(|row| {
                let mut x = values.get(row)?;
                if let Some(lower) = lower.get(row) {
                    x = x.max(lower);
                }
                if let Some(upper) = upper.get(row) {
                    x = x.min(upper);
                }
                Some(x)
            }))
        }
        "clip" => {
            let (values, lower, upper) = (first.floats(), args[1].floats(), args[2].floats());
            floats((0..rows).map(|row| {
                let mut x = values.get(row)?;
                if let Some(lower) = lower.get(row) {
                    x = x.max(lower);
                }
                if let Some(upper) = upper.get(row) {
                    x = x.min(upper);
                }
                Some(x)
            }))
        }
        "lower" => map_text(rows, &first.texts(), |text, out| {
            text.chars()
                .flat_map(char::to_lowercase)
                .for_each(|c| out.push_char(c))
        }),
        "upper" => map_text(rows, &first.texts(), |text, out| {
            text.chars()
                .flat_map(char::to_uppercase)
                .for_each(|c| out.push_char(c))
        }),
        "trim" => map_text(rows, &first.texts(), |text, out| out.push(text.trim())),
        "length" | "len" => {
            let values = first.texts();
            ints((0..rows).map(|row| Some(values.get(row)?.chars().count() as i64)))
        }
        "substr" => {
            let (texts, starts) = (first.texts(), args[1].ints());
            let lengths = args.get(2).map(|length| length.ints());
            let mut out = TextOut::new(rows);
            for row in 0..rows {
                let length = match &lengths {
                    None => Some(None),
                    Some(lengths) => lengths.get(row).map(Some),
                };
                match (texts.get(row), starts.get(row), length) {
                    (Some(text), Some(start), Some(length)) => {
                        out.push(substring(text, start, length));
                        out.end_row();
                    }
                    _ => out.null_row(),
                }
            }
            out.finish()
        }
        "contains" | "starts_with" | "ends_with" => {
            let (texts, parts) = (first.texts(), args[1].texts());
            let test: fn(&str, &str) -> bool = match function {
                "contains" => |text, part| text.contains(part),
                "starts_with" => |text, part| text.starts_with(part),
                _ => |text, part| text.ends_with(part),
            };
            booleans((0..rows).map(|row| Some(test(texts.get(row)?, parts.get(row)?))))
        }
        "replace" => {
            let (texts, from, to) = (first.texts(), args[1].texts(), args[2].texts());
            let mut out = TextOut::new(rows);
            for row in 0..rows {
                let (Some(text), Some(from), Some(to)) =
                    (texts.get(row), from.get(row), to.get(row))
                else {
                    out.null_row();
                    continue;
                };
                if from.is_empty() {
                    out.push(text);
                } else {
                    let mut rest = 0;
                    for (at, _) in text.match_indices(from) {
                        out.push(&text[rest..at]);
                        out.push(to);
                        rest = at + from.len();
                    }
                    out.push(&text[rest..]);
                }
                out.end_row();
            }
            out.finish()
        }
        "concat" => {
            // Missing values are skipped, like PostgreSQL's concat().
            let cells: Vec<Cells> = args.iter().map(|arg| arg.cells()).collect();
            let mut out = TextOut::new(rows);
            for row in 0..rows {
                for cell in &cells {
                    cell.write(row, &mut out);
                }
                out.end_row();
            }
            out.finish()
        }
        "to_string" => {
            let cells = first.cells();
            let mut out = TextOut::new(rows);
            for row in 0..rows {
                if cells.write(row, &mut out) {
                    out.end_row();
                } else {
                    out.null_row();
                }
            }
            out.finish()
        }
        "to_number" if first.ty == Ty::Text => {
            let texts = first.texts();
            floats((0..rows).map(|row| texts.get(row)?.trim().parse::<f64>().ok()))
        }
        "to_number" => unary_float(|x| x),
        "year" | "month" | "day" | "weekday" => {
            let days = first.days();
            let part: fn(i64) -> i64 = match function {
                "year" => |days| civil_from_days(days).0,
                "month" => |days| i64::from(civil_from_days(days).1),
                "day" => |days| i64::from(civil_from_days(days).2),
                // Monday is 0, like pandas' dayofweek; 1970-01-01 was a Thursday.
                _ => |days| (days + 3).rem_euclid(7),
            };
            ints((0..rows).map(|row| days.get(row).map(part)))
        }
        "hour" | "minute" => {
            let millis = first.millis();
            let part: fn(i64) -> i64 = if function == "hour" {
                |ms| ms.rem_euclid(MS_PER_DAY) / MS_PER_HOUR
            } else {
                |ms| ms.rem_euclid(MS_PER_HOUR) / MS_PER_MINUTE
            };
            ints((0..rows).map(|row| millis.get(row).map(part)))
        }
        "date_diff_days" => {
            let (end, start) = (first.days(), args[1].days());
            ints((0..rows).map(|row| Some(end.get(row)? - start.get(row)?)))
        }
        "date" if first.ty == Ty::Text => {
            let texts = first.texts();
            Arc::new(
                (0..rows)
                    .map(|row| parse_date(texts.get(row)?))
                    .collect::<Date32Array>(),
            )
        }
        "date" => {
            let days = first.days();
            Arc::new(
                (0..rows)
                    .map(|row| days.get(row).and_then(|days| i32::try_from(days).ok()))
                    .collect::<Date32Array>(),
            )
        }
        other => return Err(internal(&format!("no kernel for {other}()"))),
    })
}
