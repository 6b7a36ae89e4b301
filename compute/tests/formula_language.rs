//! The formula language, operator by operator and function by function, on small frames.

use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    BooleanArray, Date32Array, DictionaryArray, Float64Array, Int64Array, StringArray,
    TimestampMillisecondArray,
};
use compute::formula::{check as check_type, evaluate, parse, FormulaError};
use compute::frame::{Column, Frame};
use compute::schema::ColumnType;

/// Four rows covering every column type, with a missing value in row 3 of most columns.
fn sample() -> Frame {
    let species: DictionaryArray<Int32Type> =
        vec![Some("Adelie"), Some("Gentoo"), None, Some("Adelie")]
            .into_iter()
            .collect();
    let columns = vec![
        Column::new(
            "n",
            ColumnType::Integer,
            Arc::new(Int64Array::from(vec![Some(1), Some(2), None, Some(-7)])),
        ),
        Column::new(
            "x",
            ColumnType::Float,
            Arc::new(Float64Array::from(vec![
                Some(1.5),
                Some(-2.0),
                Some(0.0),
                None,
            ])),
        ),
        Column::new(
            "ok",
            ColumnType::Boolean,
            Arc::new(BooleanArray::from(vec![
                Some(true),
                Some(false),
                None,
                Some(true),
            ])),
        ),
        Column::new(
            "name",
            ColumnType::String,
            Arc::new(StringArray::from(vec![
                Some("Adelie Penguin"),
                Some("  gentoo "),
                None,
                Some("Chinstrap"),
            ])),
        ),
        Column::new("species", ColumnType::Categorical, Arc::new(species)),
        Column::new(
            "day",
            ColumnType::Date,
            // 2013-01-01, 2024-02-29, missing, 1970-01-01
            Arc::new(Date32Array::from(vec![
                Some(15_706),
                Some(19_782),
                None,
                Some(0),
            ])),
        ),
        Column::new(
            "at",
            ColumnType::Datetime,
            // 2013-01-01 10:30, 2024-02-29 23:59, missing, 2013-03-15 00:05
            Arc::new(TimestampMillisecondArray::from(vec![
                Some(1_357_036_200_000),
                Some(1_709_251_140_000),
                None,
                Some(1_363_305_900_000),
            ])),
        ),
        Column::new(
            "sepal length (cm)",
            ColumnType::Float,
            Arc::new(Float64Array::from(vec![5.1, 4.9, 4.7, 4.6])),
        ),
        Column::new(
            "big",
            ColumnType::Integer,
            Arc::new(Int64Array::from(vec![i64::MAX, 1, 0, i64::MIN])),
        ),
        Column::new(
            "s",
            ColumnType::String,
            Arc::new(StringArray::from(vec![
                Some("42"),
                Some(" 1e3 "),
                Some("abc"),
                None,
            ])),
        ),
        Column::new(
            "bill_length_mm",
            ColumnType::Float,
            Arc::new(Float64Array::from(vec![39.1, 39.5, 40.3, 36.7])),
        ),
    ];
    Frame::new(columns.into_iter().map(Result::unwrap).collect()).unwrap()
}

/// One row, for formulas made of constants.
fn one_row() -> Frame {
    Frame::new(vec![Column::new(
        "k",
        ColumnType::Integer,
        Arc::new(Int64Array::from(vec![1])),
    )
    .unwrap()])
    .unwrap()
}

/// Evaluates `formula` on `frame` and compares with `expected`: the type label, a colon,
/// then the rows as the data grid shows them, separated by ", ", with `∅` for missing.
#[track_caller]
fn check(formula: &str, frame: &Frame, expected: &str) {
    let expr = parse(formula).unwrap_or_else(|error| panic!("{formula}: {error}"));
    let column = evaluate(frame, &expr, "out").unwrap_or_else(|error| panic!("{formula}: {error}"));
    assert_eq!(column.name(), "out");
    assert_eq!(column.len(), frame.n_rows());
    let values: Vec<String> = (0..column.len())
        .map(|row| column.display_value(row).unwrap_or_else(|| "∅".to_string()))
        .collect();
    let found = format!("{}: {}", column.column_type().label(), values.join(", "));
    assert_eq!(found, expected, "formula: {formula}");
    // check() predicts the type evaluate() produces.
    let schema: Vec<(String, ColumnType)> = frame
        .columns()
        .iter()
        .map(|column| (column.name().to_string(), column.column_type()))
        .collect();
    assert_eq!(
        check_type(&expr, &schema).unwrap(),
        column.column_type(),
        "{formula}"
    );
}

/// Asserts the error's message (as displayed) and the caret line under the formula.
#[track_caller]
fn check_error(formula: &str, expected: &str, carets: &str) {
    let error: FormulaError = parse(formula)
        .and_then(|expr| evaluate(&sample(), &expr, "out"))
        .map(|_| ())
        .expect_err(formula);
    assert_eq!(error.to_string(), expected, "formula: {formula}");
    assert_eq!(error.caret_line(formula), carets, "formula: {formula}");
}

#[test]
fn literals() {
    let one = one_row();
    check("42", &one, "integer: 42");
    check("1.5", &one, "float: 1.5");
    check(".5", &one, "float: 0.5");
    check("1e-3", &one, "float: 0.001");
    check("2E3", &one, "float: 2000");
    check("99999999999999999999", &one, "float: 100000000000000000000");
    check(r#""say \"hi\"""#, &one, r#"string: say "hi""#);
    check(r"'it\'s'", &one, "string: it's");
    check(r#"'tab\tend'"#, &one, "string: tab\tend");
    check("true", &one, "boolean: true");
    check("FALSE", &one, "boolean: false");
    check("null", &one, "float: ∅");
    check("date(\"2013-01-01\")", &one, "date: 2013-01-01");
    check("date('2024/2/9')", &one, "date: 2024-02-09");
    let frame = sample();
    check("7", &frame, "integer: 7, 7, 7, 7");
    check("'a'", &frame, "string: a, a, a, a");
}

#[test]
fn column_references() {
    let frame = sample();
    check("n", &frame, "integer: 1, 2, ∅, -7");
    check("`n`", &frame, "integer: 1, 2, ∅, -7");
    check("species", &frame, "categorical: Adelie, Gentoo, ∅, Adelie");
    check(
        "(species)",
        &frame,
        "categorical: Adelie, Gentoo, ∅, Adelie",
    );
    check("`sepal length (cm)` * 10", &frame, "float: 51, 49, 47, 46");
}

#[test]
fn arithmetic() {
    let frame = sample();
    check("n + 1", &frame, "integer: 2, 3, ∅, -6");
    check("n - x", &frame, "float: -0.5, 4, ∅, ∅");
    check("n * 2", &frame, "integer: 2, 4, ∅, -14");
    check("n / 2", &frame, "float: 0.5, 1, ∅, -3.5");
    check("n % 3", &frame, "integer: 1, 2, ∅, 2");
    check("n % -3", &frame, "integer: -2, -1, ∅, -1");
    check("-n", &frame, "integer: -1, -2, ∅, 7");
    check("-x", &frame, "float: -1.5, 2, -0, ∅");
    check("n + null", &frame, "integer: ∅, ∅, ∅, ∅");
    check("x * null", &frame, "float: ∅, ∅, ∅, ∅");
    check(
        "big * 1.0 + 1",
        &frame,
        "float: 9223372036854776000, 2, 1, -9223372036854776000",
    );
    let one = one_row();
    check("7.5 % 2", &one, "float: 1.5");
    check("-7.5 % 2", &one, "float: 0.5");
    check("7 / 2", &one, "float: 3.5");
    check("6 / 3", &one, "float: 2");
    check("1 + 2.5", &one, "float: 3.5");
}

#[test]
fn division_by_zero_is_null() {
    let frame = sample();
    check("n / 0", &frame, "float: ∅, ∅, ∅, ∅");
    check("n % 0", &frame, "integer: ∅, ∅, ∅, ∅");
    check("x / 0.0", &frame, "float: ∅, ∅, ∅, ∅");
    check("1 / x", &frame, "float: 0.6666666666666666, -0.5, ∅, ∅");
    check("x % 0", &frame, "float: ∅, ∅, ∅, ∅");
}

#[test]
fn precedence() {
    let one = one_row();
    check("1 + 2 * 3", &one, "integer: 7");
    check("(1 + 2) * 3", &one, "integer: 9");
    check("2 * 3 % 4", &one, "integer: 2");
    check("10 - 2 - 3", &one, "integer: 5");
    check("2 - -3", &one, "integer: 5");
    check("-2 * 3", &one, "integer: -6");
    check("8 / 2 / 2", &one, "float: 2");
    check("not true or true", &one, "boolean: true");
    check("not (true or true)", &one, "boolean: false");
    check("true or false and false", &one, "boolean: true");
    check("(true or false) and false", &one, "boolean: false");
    check("1 + 1 = 2 and 2 > 1", &one, "boolean: true");
    check("not 1 = 2", &one, "boolean: true");
    check("(1 < 2) = true", &one, "boolean: true");
}

#[test]
fn text_and_date_arithmetic() {
    let frame = sample();
    check(
        "name + \"!\"",
        &frame,
        "string: Adelie Penguin!,   gentoo !, ∅, Chinstrap!",
    );
    check(
        "species + '-' + name",
        &frame,
        "string: Adelie-Adelie Penguin, Gentoo-  gentoo , ∅, Adelie-Chinstrap",
    );
    check(
        "day + 1",
        &frame,
        "date: 2013-01-02, 2024-03-01, ∅, 1970-01-02",
    );
    check(
        "1 + day",
        &frame,
        "date: 2013-01-02, 2024-03-01, ∅, 1970-01-02",
    );
    check(
        "day - 1",
        &frame,
        "date: 2012-12-31, 2024-02-28, ∅, 1969-12-31",
    );
    check(
        "day - date(\"2013-01-01\")",
        &frame,
        "integer: 0, 4076, ∅, -15706",
    );
}

#[test]
fn comparisons() {
    let frame = sample();
    check("n > 1", &frame, "boolean: false, true, ∅, false");
    check("n = 2", &frame, "boolean: false, true, ∅, false");
    check("n == 2", &frame, "boolean: false, true, ∅, false");
    check("n != 2", &frame, "boolean: true, false, ∅, true");
    check("n <> 2", &frame, "boolean: true, false, ∅, true");
    check("n <= 1", &frame, "boolean: true, false, ∅, true");
    check("x >= 0", &frame, "boolean: true, false, true, ∅");
    check("n < x", &frame, "boolean: true, false, ∅, ∅");
    check(
        "species = \"Adelie\"",
        &frame,
        "boolean: true, false, ∅, true",
    );
    check("name < 'B'", &frame, "boolean: true, true, ∅, false");
    check("ok = true", &frame, "boolean: true, false, ∅, true");
    check(
        "day < date('2020-01-01')",
        &frame,
        "boolean: true, false, ∅, true",
    );
    check("at > day", &frame, "boolean: true, true, ∅, true");
    check("n = null", &frame, "boolean: ∅, ∅, ∅, ∅");
    check(
        "big > 9223372036854775806",
        &frame,
        "boolean: true, false, false, false",
    );
}

#[test]
fn three_valued_logic() {
    let frame = sample();
    check("ok and n > 1", &frame, "boolean: false, false, ∅, false");
    check("ok or null", &frame, "boolean: true, ∅, ∅, true");
    check("ok and null", &frame, "boolean: ∅, false, ∅, ∅");
    check("ok or n > 1", &frame, "boolean: true, true, ∅, true");
    check("not ok", &frame, "boolean: false, true, ∅, false");
    check(
        "ok && true || false",
        &frame,
        "boolean: true, false, ∅, true",
    );
    check("ok AND NOT ok", &frame, "boolean: false, false, ∅, false");
}

#[test]
fn membership_and_ranges() {
    let frame = sample();
    check("n in (1, 2)", &frame, "boolean: true, true, ∅, false");
    check("n in (1, null)", &frame, "boolean: true, ∅, ∅, ∅");
    check("n not in (1, 5)", &frame, "boolean: false, true, ∅, true");
    check(
        "species in ('Adelie', 'Chinstrap')",
        &frame,
        "boolean: true, false, ∅, true",
    );
    check("x in (1.5, n)", &frame, "boolean: true, false, ∅, ∅");
    check(
        "x between -1 and 1",
        &frame,
        "boolean: false, false, true, ∅",
    );
    check(
        "n not between 0 and 1",
        &frame,
        "boolean: false, true, ∅, true",
    );
    check(
        "n between 1 and 1 + 1",
        &frame,
        "boolean: true, true, ∅, false",
    );
    check("n is null", &frame, "boolean: false, false, true, false");
    check(
        "species is not null",
        &frame,
        "boolean: true, true, false, true",
    );
    check("is_null(x)", &frame, "boolean: false, false, false, true");
    check(
        "is_not_null(name)",
        &frame,
        "boolean: true, true, false, true",
    );
    check("is_null(null)", &one_row(), "boolean: true");
}

#[test]
fn conditionals() {
    let frame = sample();
    check("if(ok, n, x)", &frame, "float: 1, -2, 0, -7");
    check(
        "if(n > 1, \"big\", \"small\")",
        &frame,
        "string: small, big, small, small",
    );
    check(
        "IF(ok, day, null)",
        &frame,
        "date: 2013-01-01, ∅, ∅, 1970-01-01",
    );
    check(
        "case when n > 1 then 'big' when n < 0 then 'negative' end",
        &frame,
        "string: ∅, big, ∅, negative",
    );
    check(
        "case when n > 1 then 'big' else 'other' end",
        &frame,
        "string: other, big, other, other",
    );
    check("coalesce(n, 0)", &frame, "integer: 1, 2, 0, -7");
    check("coalesce(x, n, 100)", &frame, "float: 1.5, -2, 0, -7");
    check(
        "coalesce(species, name, 'none')",
        &frame,
        "string: Adelie, Gentoo, none, Adelie",
    );
    check(
        "coalesce(at, day)",
        &frame,
        "datetime: 2013-01-01 10:30:00, 2024-02-29 23:59:00, ∅, 2013-03-15 00:05:00",
    );
}

#[test]
fn numeric_functions() {
    let frame = sample();
    check("abs(n)", &frame, "integer: 1, 2, ∅, 7");
    check("abs(x)", &frame, "float: 1.5, 2, 0, ∅");
    check("round(x)", &frame, "float: 2, -2, 0, ∅");
    check("round(n)", &frame, "integer: 1, 2, ∅, -7");
    check("floor(x)", &frame, "float: 1, -2, 0, ∅");
    check("ceil(x)", &frame, "float: 2, -2, 0, ∅");
    check("floor(n)", &frame, "integer: 1, 2, ∅, -7");
    check("sqrt(x)", &frame, "float: 1.224744871391589, ∅, 0, ∅");
    check("pow(n, 2)", &frame, "float: 1, 4, ∅, 49");
    check("min(n, x)", &frame, "float: 1, -2, 0, -7");
    check("max(n, x)", &frame, "float: 1.5, 2, 0, -7");
    check("max(n)", &frame, "integer: 1, 2, ∅, -7");
    check("clip(n, 0, 1)", &frame, "integer: 1, 1, ∅, 0");
    check("clip(x, -1, null)", &frame, "float: 1.5, -1, 0, ∅");
    check("sign(n)", &frame, "integer: 1, 1, ∅, -1");
    check("sign(x)", &frame, "integer: 1, -1, 0, ∅");
    let one = one_row();
    check("round(2.5)", &one, "float: 3");
    check("round(-2.5)", &one, "float: -3");
    check("round(3.14159, 2)", &one, "float: 3.14");
    check("round(1234.5, -2)", &one, "float: 1200");
    check("round(1234, -2)", &one, "integer: 1200");
    check("round(1250, -2)", &one, "integer: 1300");
    check("round(-1250, -2)", &one, "integer: -1300");
    check("round(1.5, 400)", &one, "float: 1.5");
    check("exp(0)", &one, "float: 1");
    check("ln(1)", &one, "float: 0");
    check("log(0)", &one, "float: ∅");
    check("log10(1000)", &one, "float: 3");
    check("log1p(0)", &one, "float: 0");
    check("pow(2, 10)", &one, "float: 1024");
    check("pow(10, 400)", &one, "float: ∅");
    check("min(3, 1, 2)", &one, "integer: 1");
    check("max(null, 2)", &one, "integer: 2");
}

#[test]
fn text_functions() {
    let frame = sample();
    check(
        "lower(name)",
        &frame,
        "string: adelie penguin,   gentoo , ∅, chinstrap",
    );
    check(
        "upper(species)",
        &frame,
        "string: ADELIE, GENTOO, ∅, ADELIE",
    );
    check(
        "trim(name)",
        &frame,
        "string: Adelie Penguin, gentoo, ∅, Chinstrap",
    );
    check("length(name)", &frame, "integer: 14, 9, ∅, 9");
    check("len(species)", &frame, "integer: 6, 6, ∅, 6");
    check(
        "substr(name, 1, 6)",
        &frame,
        "string: Adelie,   gent, ∅, Chinst",
    );
    check("substr(name, 8)", &frame, "string: Penguin, o , ∅, ap");
    check(
        "contains(name, 'Pen')",
        &frame,
        "boolean: true, false, ∅, false",
    );
    check(
        "starts_with(species, 'Ad')",
        &frame,
        "boolean: true, false, ∅, true",
    );
    check(
        "ends_with(name, 'strap')",
        &frame,
        "boolean: false, false, ∅, true",
    );
    check(
        "replace(name, 'e', 'E')",
        &frame,
        "string: AdEliE PEnguin,   gEntoo , ∅, Chinstrap",
    );
    check(
        "concat(species, '-', n)",
        &frame,
        "string: Adelie-1, Gentoo-2, -, Adelie--7",
    );
    check(
        "concat(x, ' ', ok, ' ', day)",
        &frame,
        "string: 1.5 true 2013-01-01, -2 false 2024-02-29, 0  ,  true 1970-01-01",
    );
    check("to_number(s)", &frame, "float: 42, 1000, ∅, ∅");
    check("to_number(n)", &frame, "float: 1, 2, ∅, -7");
    check("to_string(n)", &frame, "string: 1, 2, ∅, -7");
    check("to_string(x)", &frame, "string: 1.5, -2, 0, ∅");
    check(
        "to_string(at)",
        &frame,
        "string: 2013-01-01 10:30:00, 2024-02-29 23:59:00, ∅, 2013-03-15 00:05:00",
    );
    check(
        "min(species, name)",
        &frame,
        "string: Adelie,   gentoo , ∅, Adelie",
    );
    let one = one_row();
    check("len('héllo')", &one, "integer: 5");
    check("upper('straße')", &one, "string: STRASSE");
    check("substr('hello', -3)", &one, "string: llo");
    check("substr('hello', -3, 2)", &one, "string: ll");
    check("substr('hello', 0, 2)", &one, "string: he");
    check("substr('hello', 2, 0)", &one, "string: ");
    check("substr('hello', 10)", &one, "string: ");
    check("substr('héllo', 2, 3)", &one, "string: éll");
    check("replace('aaa', 'a', 'bb')", &one, "string: bbbbbb");
    check("replace('abc', '', 'x')", &one, "string: abc");
    check("to_number(' 3.5 ')", &one, "float: 3.5");
    check("to_number('inf')", &one, "float: ∅");
    check("concat(null)", &one, "string: ");
}

#[test]
fn date_functions() {
    let frame = sample();
    check("year(day)", &frame, "integer: 2013, 2024, ∅, 1970");
    check("month(day)", &frame, "integer: 1, 2, ∅, 1");
    check("day(day)", &frame, "integer: 1, 29, ∅, 1");
    check("weekday(day)", &frame, "integer: 1, 3, ∅, 3");
    check("year(at)", &frame, "integer: 2013, 2024, ∅, 2013");
    check("hour(at)", &frame, "integer: 10, 23, ∅, 0");
    check("minute(at)", &frame, "integer: 30, 59, ∅, 5");
    check("date_diff_days(at, day)", &frame, "integer: 0, 0, ∅, 15779");
    check(
        "date_diff_days(day, date('2013-01-01'))",
        &frame,
        "integer: 0, 4076, ∅, -15706",
    );
    check(
        "date(at)",
        &frame,
        "date: 2013-01-01, 2024-02-29, ∅, 2013-03-15",
    );
    check("date(name)", &frame, "date: ∅, ∅, ∅, ∅");
    check(
        "max(day, date('2000-01-01'))",
        &frame,
        "date: 2013-01-01, 2024-02-29, 2000-01-01, 2000-01-01",
    );
    check(
        "max(at, date('2014-01-01'))",
        &frame,
        "datetime: 2014-01-01 00:00:00, 2024-02-29 23:59:00, 2014-01-01 00:00:00, 2014-01-01 00:00:00",
    );
}

#[test]
fn integer_overflow_is_an_error() {
    check_error(
        "big + 1",
        "at column 1: integer overflow: 9223372036854775807 + 1 does not fit in an integer; \
         multiply by 1.0 to compute with decimals",
        "^^^^^^^",
    );
    check_error(
        "-big",
        "at column 1: integer overflow: -(-9223372036854775808) does not fit in an integer; \
         multiply by 1.0 to compute with decimals",
        "^^^^",
    );
    check_error(
        "abs(big)",
        "at column 1: integer overflow: abs(-9223372036854775808) does not fit in an integer; \
         multiply by 1.0 to compute with decimals",
        "^^^^^^^^",
    );
    check_error(
        "9223372036854775807 * 2 + n",
        "at column 1: integer overflow: 9223372036854775807 * 2 does not fit in an integer; \
         multiply by 1.0 to compute with decimals",
        "^^^^^^^^^^^^^^^^^^^^^^^",
    );
}

#[test]
fn errors_point_at_their_cause() {
    check_error(
        "1 + bil_length",
        "at column 5: unknown column \"bil_length\"; did you mean \"bill_length_mm\"?",
        "    ^^^^^^^^^^",
    );
    check_error("zzzzzz", "at column 1: unknown column \"zzzzzz\"", "^^^^^^");
    check_error(
        "uper(name)",
        "at column 1: unknown function \"uper\"; did you mean \"upper\"?",
        "^^^^",
    );
    check_error(
        "round(x, 1, 2)",
        "at column 1: round() takes 1 or 2 arguments, found 3; usage: round(x, digits)",
        "^^^^^^^^^^^^^^",
    );
    check_error(
        "if(ok, 1)",
        "at column 1: if() takes 3 arguments, found 2; \
         usage: if(condition, value_if_true, value_if_false)",
        "^^^^^^^^^",
    );
    check_error(
        "\"abc\" * 2",
        "at column 1: cannot multiply text by a number",
        "^^^^^^^^^",
    );
    check_error(
        "(n + 1",
        "at column 7: unexpected end of formula; expected ')' to close '(' opened at column 1",
        "      ^",
    );
    check_error(
        "abs((n + 1) 2)",
        "at column 13: expected ',' or ')' to close 'abs(' opened at column 4, found '2'",
        "            ^",
    );
    check_error(
        "n +",
        "at column 4: unexpected end of formula; expected a value after '+'",
        "   ^",
    );
    check_error(
        "name == \"abc",
        "at column 9: unterminated text: add the closing \"",
        "        ^^^^",
    );
    check_error(
        "species = 1",
        "at column 1: cannot compare text with a number",
        "^^^^^^^^^^^",
    );
    check_error(
        "day > '2013-01-01'",
        "at column 1: cannot compare a date with text; write a date as date(\"YYYY-MM-DD\")",
        "^^^^^^^^^^^^^^^^^^",
    );
    check_error(
        "1 < n < 3",
        "at column 7: comparisons cannot be chained; join them with 'and', \
         as in a < b and b < c (found '<' after a comparison)",
        "      ^",
    );
    check_error(
        "lower(n)",
        "at column 7: lower() needs text, found a number",
        "      ^",
    );
    check_error(
        "if(n, 1, 2)",
        "at column 4: argument 1 of if() must be a true/false value, found a number",
        "   ^",
    );
    check_error(
        "if(ok, 1, 'a')",
        "at column 11: the two values of if() must have the same type; found a number and text",
        "          ^^^",
    );
    check_error(
        "n and ok",
        "at column 1: 'and' needs true/false values on both sides, found a number",
        "^",
    );
    check_error(
        "date(\"2013-13-01\")",
        "at column 6: \"2013-13-01\" is not a valid date; write dates as YYYY-MM-DD",
        "     ^^^^^^^^^^^^",
    );
    check_error("n $ 2", "at column 3: unexpected character '$'", "  ^");
    check_error(
        "n 2",
        "at column 3: expected an operator or the end of the formula, found '2'",
        "  ^",
    );
    check_error(
        "n )",
        "at column 3: unexpected ')' without a matching '('",
        "  ^",
    );
    check_error(
        "round(x, 1.5)",
        "at column 10: argument 2 of round() must be an integer, found a decimal number",
        "         ^^^",
    );
    check_error(
        "hour(day)",
        "at column 6: hour() needs a date-time, found a date",
        "     ^^^",
    );
    check_error(
        "true < false",
        "at column 1: cannot order true/false values with <; only == and != compare them",
        "^^^^^^^^^^^^",
    );
    check_error(
        "ok + 1",
        "at column 1: cannot add a true/false value and a number; \
         use if(x, 1, 0) to count true/false values",
        "^^^^^^",
    );
    check_error(
        "name + 1",
        "at column 1: cannot add text and a number; use concat() to join values as text",
        "^^^^^^^^",
    );
    check_error(
        "case when n then 1 end",
        "at column 11: the condition after 'when' must be true/false, found a number",
        "          ^",
    );
    check_error(
        "case when ok then 1",
        "at column 20: unexpected end of formula; \
         expected 'when', 'else' or 'end' to close 'case' opened at column 1",
        "                   ^",
    );
    check_error(
        "n in 1",
        "at column 6: expected '(' to start the list after 'in', found '1'",
        "     ^",
    );
    check_error(
        "x between 1 or 2",
        "at column 13: expected 'and' between the two ends of 'between', found 'or'",
        "            ^^",
    );
    check_error(
        "n is 2",
        "at column 6: expected 'null' or 'not null' after 'is', found '2'",
        "     ^",
    );
    check_error(
        "not",
        "at column 4: unexpected end of formula; expected a value after 'not'",
        "   ^",
    );
    check_error("-'a'", "at column 2: cannot negate text", " ^^^");
    check_error(
        "not n",
        "at column 5: 'not' needs a true/false value, found a number",
        "    ^",
    );
    check_error(
        "a & b",
        "at column 3: unexpected '&'; write 'and' (or &&) to combine conditions, or + to join text",
        "  ^",
    );
    check_error(
        "1e",
        "at column 1: malformed number: expected digits after the exponent 'e'",
        "^^",
    );
    check_error("1e999", "at column 1: number 1e999 is too large", "^^^^^");
    check_error(
        "`unclosed",
        "at column 1: unterminated column name: add the closing `",
        "^^^^^^^^^",
    );
    check_error(
        "'a\\q'",
        "at column 3: unknown escape \\q in text; write \\\\ for a backslash",
        "  ^^",
    );
    check_error("", "the formula is empty", "");
    check_error("   ", "the formula is empty", "");
}

#[test]
fn caret_line_follows_the_line_holding_the_error() {
    let source = "n +\n\t1 + bil";
    let error = parse(source)
        .and_then(|expr| evaluate(&sample(), &expr, "out"))
        .unwrap_err();
    assert_eq!(error.position, Some(9..12));
    assert_eq!(error.caret_line(source), "\t    ^^^");
    let error = FormulaError {
        message: "x".into(),
        position: Some(2..100),
    };
    assert_eq!(error.caret_line("abcd"), "  ^^");
}

#[test]
fn check_infers_types_without_data() {
    let schema = vec![
        ("a".to_string(), ColumnType::Integer),
        ("b".to_string(), ColumnType::Float),
        ("c".to_string(), ColumnType::Categorical),
        ("d".to_string(), ColumnType::Date),
    ];
    let type_of = |formula: &str| check_type(&parse(formula).unwrap(), &schema);
    assert_eq!(type_of("a + a").unwrap(), ColumnType::Integer);
    assert_eq!(type_of("a / a").unwrap(), ColumnType::Float);
    assert_eq!(type_of("a + b").unwrap(), ColumnType::Float);
    assert_eq!(type_of("c").unwrap(), ColumnType::Categorical);
    assert_eq!(type_of("lower(c)").unwrap(), ColumnType::String);
    assert_eq!(type_of("d + 1").unwrap(), ColumnType::Date);
    assert_eq!(type_of("a > 1").unwrap(), ColumnType::Boolean);
    assert_eq!(type_of("null").unwrap(), ColumnType::Float);
    assert_eq!(
        type_of("c * 2").unwrap_err().to_string(),
        "at column 1: cannot multiply text by a number"
    );
}

#[test]
fn column_names_lists_what_a_formula_reads() {
    let expr = parse("if(a > 1, `b c`, a + d) + coalesce(b, `b c`)").unwrap();
    assert_eq!(expr.column_names(), vec!["a", "b c", "d", "b"]);
}

#[test]
fn display_prints_canonical_source() {
    let cases = [
        ("1+2*3", "1 + 2 * 3"),
        ("(1+2)*3", "(1 + 2) * 3"),
        ("a - (b - c)", "a - (b - c)"),
        ("(a - b) - c", "a - b - c"),
        ("NOT a = b", "not a == b"),
        ("(not a) = b", "(not a) == b"),
        ("a <> b AND c", "a != b and c"),
        ("a && (b || c)", "a and (b or c)"),
        ("- -x", "-(-x)"),
        ("-(a + b)", "-(a + b)"),
        ("x is not null", "is_not_null(x)"),
        ("x NOT IN (1, 'a')", "x not in (1, \"a\")"),
        ("x between a+1 and b", "x between a + 1 and b"),
        ("(a < b) = c", "(a < b) == c"),
        ("`my col` + `and`", "`my col` + `and`"),
        ("`a``b`", "`a``b`"),
        ("1.0 + 1e21 + 2.5e-7", "1.0 + 1e21 + 2.5e-7"),
        ("'it\\'s \"x\"'", "\"it's \\\"x\\\"\""),
        (
            "CASE WHEN a THEN 1 ELSE 2 END",
            "case when a then 1 else 2 end",
        ),
        ("Round(x)", "round(x)"),
    ];
    for (source, printed) in cases {
        let expr = parse(source).unwrap_or_else(|error| panic!("{source}: {error}"));
        assert_eq!(expr.to_string(), printed, "{source}");
        let again = parse(printed).unwrap();
        assert_eq!(again.to_string(), printed, "{printed}");
    }
}
