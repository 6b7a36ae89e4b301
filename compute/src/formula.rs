//! The formula language for computed columns: parser, type checker and vectorized evaluator over frames.
//!
//! A formula is an expression over a row's columns, like pandas `eval`, a spreadsheet
//! formula or Data Wrangler's custom formula: `if(body_mass_g > 4000, "heavy", "light")`.
//! Recipes store the formula's source text; [`parse`] turns it into an [`Expr`], [`check`]
//! resolves column names and infers the result type against a schema, and [`evaluate`]
//! computes the whole column at once over the frame's Arrow arrays.
//!
//! # Language reference
//!
//! | Syntax | Meaning |
//! |--------|---------|
//! | `42`, `1.5`, `.5`, `1e-3` | integer and decimal numbers (integers beyond i64 read as decimals) |
//! | `"text"`, `'text'` | text; escapes `\"` `\'` `\\` `\n` `\t` `\r` |
//! | `true`, `false`, `null` | booleans and the missing value |
//! | `date("2013-01-01")` | a date (`YYYY-MM-DD` or `YYYY/MM/DD`); an invalid literal is an error |
//! | `bill_length_mm`, `` `sepal length (cm)` `` | column references, case-sensitive; backticks for any other name (a doubled `` ` `` inside stands for one) |
//! | `-x`, `not x` | negation; `not` binds looser than comparisons: `not a = b` is `not (a = b)` |
//! | `*` `/` `%` | multiply; divide (always decimal, like Python 3); remainder with the divisor's sign, like Python |
//! | `+` `-` | add, subtract; `text + text` joins text; `date ± integer` moves by days; `date - date` counts days |
//! | `=` `==` `!=` `<>` `<` `<=` `>` `>=` | comparisons; they do not chain (`a < b < c` is an error) |
//! | `x [not] in (a, b, …)` | membership, same as `x == a or x == b …` |
//! | `x [not] between a and b` | `a <= x and x <= b` |
//! | `x is [not] null` | same as `is_null(x)` / `is_not_null(x)` |
//! | `and` `&&`, `or` `\|\|` | logic with SQL's three values: `false and null` is false, `true or null` is true |
//! | `( … )` | grouping |
//! | `if(cond, a, b)` | `a` where `cond` is true, else `b` (a null condition counts as false) |
//! | `case when c1 then v1 … [else v] end` | first branch whose condition is true; null without `else` |
//! | `coalesce(a, b, …)` | first non-null argument |
//! | `is_null(x)`, `is_not_null(x)` | never null |
//! | `abs` `floor` `ceil` `round(x[, digits])` | keep integers integers; `round` is half away from zero, like SQL |
//! | `sqrt` `exp` `ln`/`log` (natural) `log10` `log1p` `pow(x, y)` | decimal results |
//! | `sign(x)` | -1, 0 or 1, an integer |
//! | `min(a, …)`, `max(a, …)` | row-wise over numbers, text or dates; nulls are skipped |
//! | `clip(x, lower, upper)` | `x` limited to `[lower, upper]`; a null bound does not limit |
//! | `lower` `upper` `trim` `length`/`len` | text functions; `length` counts characters |
//! | `substr(s, start[, length])` | 1-based like SQL; a negative `start` counts from the end (-1 is the last character) |
//! | `contains` `starts_with` `ends_with` `(s, part)` | case-sensitive tests |
//! | `replace(s, from, to)` | every occurrence, literal text (no patterns) |
//! | `concat(a, b, …)` | joins any values as text; nulls are skipped (like PostgreSQL) |
//! | `to_number(s)` | decimal number, null when the text is not a number |
//! | `to_string(x)` | text as the data grid shows it |
//! | `year` `month` `day` `weekday` | of a date or date-time; `weekday` is Monday = 0 like pandas |
//! | `hour` `minute` | of a date-time (UTC; frames have no time zone) |
//! | `date_diff_days(end, start)` | calendar days from `start` to `end`; times of day are ignored |
//! | `date(x)` | text (null when not a date) or a date-time's calendar date, as a date |
//!
//! Keywords and function names are case-insensitive. Operator precedence, loosest first:
//! `or`, `and`, `not`, comparisons (`= != < … in between is`), `+ -`, `* / %`, unary `-`.
//!
//! # Types and missing values
//!
//! Integer op integer gives an integer (except `/`); mixing integers and decimals gives a
//! decimal; comparisons give booleans; categorical columns read as text (a formula that is
//! only a column reference keeps the column's type). Every operator and function returns
//! null when an input is null, except `and`/`or` (three-valued), `coalesce`, `is_null`,
//! `is_not_null`, `concat`, `min`/`max` and `clip`'s bounds, as listed above.
//!
//! **Division by zero gives null** (for `/` and `%`, integers and decimals alike), and so
//! does any decimal result that is not a finite number: `sqrt(-1)`, `ln(0)`, an overflowing
//! `pow`. **Integer overflow is an error** pointing at the operation (`9223372036854775807 + 1`);
//! multiply by `1.0` to compute in decimals instead. A formula that is only `null` gives an
//! empty decimal column.
//!
//! Errors carry the char span of the offending text, so the editor can underline it with
//! [`FormulaError::caret_line`].

mod ast;
mod eval;
mod functions;
mod lexer;
mod parser;
mod typing;

use std::fmt;
use std::ops::Range;

pub use ast::{BinaryOp, Expr, ExprKind, Literal, UnaryOp};

use crate::frame::{Column, Frame};
use crate::schema::ColumnType;

/// Why a formula cannot be parsed, checked or evaluated, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormulaError {
    pub message: String,
    /// Char (not byte) offsets into the formula's source; `None` when no place is to blame.
    pub position: Option<Range<usize>>,
}

impl FormulaError {
    pub(crate) fn at(position: Range<usize>, message: impl Into<String>) -> FormulaError {
        FormulaError {
            message: message.into(),
            position: Some(position),
        }
    }

    /// A line of spaces and `^` that underlines the error's span when printed below the
    /// source line holding the span's start; empty when the error has no position. An empty
    /// span (the end of the formula) gets one caret. Tabs before the span are kept so the
    /// carets line up under a tab-indented source.
    pub fn caret_line(&self, source: &str) -> String {
        let Some(position) = &self.position else {
            return String::new();
        };
        let chars: Vec<char> = source.chars().collect();
        let start = position.start.min(chars.len());
        let line_start = chars[..start]
            .iter()
            .rposition(|&c| c == '\n')
            .map_or(0, |newline| newline + 1);
        let line_end = (start..chars.len())
            .find(|&i| chars[i] == '\n')
            .unwrap_or(chars.len());
        let end = position.end.clamp(start, line_end.max(start));
        let mut line: String = chars[line_start..start]
            .iter()
            .map(|&c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        line.push_str(&"^".repeat((end - start).max(1)));
        line
    }
}

impl fmt::Display for FormulaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.position {
            Some(position) => write!(f, "at column {}: {}", position.start + 1, self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for FormulaError {}

/// Parses a formula; unknown functions and wrong argument counts are reported here.
pub fn parse(source: &str) -> Result<Expr, FormulaError> {
    parser::parse(source)
}

/// Resolves column names against `schema` and infers the type of the column the formula
/// makes. Categorical inputs read as text, so the result is [`ColumnType::String`] unless
/// the formula is a bare reference to a categorical column.
pub fn check(expr: &Expr, schema: &[(String, ColumnType)]) -> Result<ColumnType, FormulaError> {
    let ty = typing::infer(expr, schema)?;
    if let ExprKind::Column(name) = &expr.kind {
        if let Some((_, column_type)) = schema.iter().find(|(column, _)| column == name) {
            return Ok(*column_type);
        }
    }
    Ok(ty.column_type())
}

/// Computes the formula for every row of `frame` as a column named `output_name`.
pub fn evaluate(frame: &Frame, expr: &Expr, output_name: &str) -> Result<Column, FormulaError> {
    let schema: Vec<(String, ColumnType)> = frame
        .columns()
        .iter()
        .map(|column| (column.name().to_string(), column.column_type()))
        .collect();
    check(expr, &schema)?;
    eval::evaluate(frame, expr, output_name)
}
