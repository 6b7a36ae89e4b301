//! Exports: frames as RFC 4180 CSV that our reader reads back to the same values, with spreadsheet formula injection defused, and as Arrow IPC files.
//!
//! ## CSV
//!
//! The output has a header row, `,` between fields, `\n` after every row and UTF-8 text.
//! Values are written as the data grid shows them ([`Column::display_value`]), with three
//! exceptions so that [`crate::csv::read_csv`] gives back the same column types and values:
//!
//! * a float with no fractional part gets `.0` (`3.0`, not `3`), else a float column
//!   holding only whole numbers would read back as integers; Rust's shortest round-trip
//!   formatting makes every other float read back bit for bit;
//! * infinities are written `1e999` and `-1e999`, which every numeric parser (ours,
//!   pandas', R's) reads as infinity, where `inf` would turn the column into text;
//! * a missing value is an empty field, and an empty string is a quoted empty field `""`
//!   (a single-column frame writes its missing values as `""` too, so the row is not a
//!   blank line, which readers skip). Both read back as missing: like pandas, our reader
//!   takes empty fields and markers such as `NA` or `null` as missing, so string cells
//!   holding exactly such a marker come back missing.
//!
//! **Formula injection** (OWASP "CSV Injection"): a spreadsheet runs a cell starting with
//! `=`, `+`, `-` or `@` as a formula, and some also treat a leading tab or carriage return
//! that way. Every string or categorical cell, and every column name, starting with one of
//! these characters is written with a leading single quote (`'=1+1`), which spreadsheets
//! show as text; the quote stays in the value when the file is read back by a program.
//! Numbers, booleans, dates and datetimes are never escaped, so `-3.5` stays `-3.5`.
//!
//! A field is quoted when it contains a comma, a double quote, a carriage return or a line
//! feed; double quotes inside it are doubled.
//!
//! ## Arrow IPC file
//!
//! [`write_arrow`] writes the Arrow IPC *file* format (Feather v2, what `pyarrow.ipc.open_file`,
//! `pandas.read_feather` and `polars.read_ipc` read), uncompressed, with the arrays the studio
//! stores: integers as Int64, floats as Float64, booleans, strings as Utf8, categoricals as
//! `Dictionary<Int32, Utf8>`, dates as Date32, datetimes as millisecond timestamps without a
//! time zone. Every field is nullable and carries its studio type in its metadata
//! (`studio.type`), so nothing is lost and no value is rewritten: no escaping is needed,
//! as a spreadsheet does not open Arrow files.

use std::io::{self, Write};

use arrow_ipc::writer::FileWriter;

use crate::frame::{Column, Frame, FrameError};
use crate::schema::ColumnType;

/// Rows per record batch in an Arrow file: readers can stream it in pieces of bounded size.
const ARROW_BATCH_ROWS: usize = 64 * 1024;

/// Rows are buffered into blocks of about this many bytes before each write, so a writer
/// without its own buffer (a file) is not called once per field.
const WRITE_BLOCK_BYTES: usize = 64 * 1024;

/// The frame as CSV bytes; see the module documentation for the format.
pub fn write_csv(frame: &Frame) -> Vec<u8> {
    let mut bytes = Vec::new();
    write_csv_to(frame, &mut bytes).expect("writing to a Vec<u8> cannot fail");
    bytes
}

/// Streams the frame as CSV into `writer`, row by row; see the module documentation.
pub fn write_csv_to(frame: &Frame, writer: &mut impl Write) -> io::Result<()> {
    let columns = frame.columns();
    if columns.is_empty() {
        return Ok(());
    }
    let mut block = Vec::with_capacity(WRITE_BLOCK_BYTES);
    for (index, column) in columns.iter().enumerate() {
        if index > 0 {
            block.push(b',');
        }
        write_text_field(&mut block, column.name());
    }
    block.push(b'\n');
    let single_column = columns.len() == 1;
    for row in 0..frame.n_rows() {
        for (index, column) in columns.iter().enumerate() {
            if index > 0 {
                block.push(b',');
            }
            write_cell(&mut block, column, row, single_column);
        }
        block.push(b'\n');
        if block.len() >= WRITE_BLOCK_BYTES {
            writer.write_all(&block)?;
            block.clear();
        }
    }
    writer.write_all(&block)
}

/// The frame as an Arrow IPC file; see the module documentation. A frame without rows
/// gives a file with its schema and no batch.
pub fn write_arrow(frame: &Frame) -> Result<Vec<u8>, FrameError> {
    let schema = frame.arrow_schema();
    let mut writer = FileWriter::try_new(Vec::new(), &schema)?;
    let mut start = 0;
    while start < frame.n_rows() {
        let len = ARROW_BATCH_ROWS.min(frame.n_rows() - start);
        writer.write(&frame.record_batch(&schema, start, len)?)?;
        start += len;
    }
    writer.finish()?;
    Ok(writer.into_inner()?)
}

fn write_cell(out: &mut Vec<u8>, column: &Column, row: usize, single_column: bool) {
    let Some(value) = column.display_value(row) else {
        if single_column {
            out.extend_from_slice(b"\"\"");
        }
        return;
    };
    match column.column_type() {
        ColumnType::String | ColumnType::Categorical => write_text_field(out, &value),
        ColumnType::Float => write_float(out, &value),
        // Integers, booleans, dates and datetimes never hold a delimiter, quote or line end.
        ColumnType::Integer | ColumnType::Boolean | ColumnType::Date | ColumnType::Datetime => {
            out.extend_from_slice(value.as_bytes())
        }
    }
}

/// `shown` is the float's display text (Rust's `{}`): digits with an optional `-` and
/// fraction, never an exponent, or `inf`, `-inf`, `NaN`.
fn write_float(out: &mut Vec<u8>, shown: &str) {
    match shown {
        "inf" => out.extend_from_slice(b"1e999"),
        "-inf" => out.extend_from_slice(b"-1e999"),
        "NaN" => out.extend_from_slice(b"NaN"),
        _ => {
            out.extend_from_slice(shown.as_bytes());
            if !shown.contains('.') {
                out.extend_from_slice(b".0");
            }
        }
    }
}

/// A text value (string or categorical cell, column name): escaped against formula
/// injection, then quoted when needed.
fn write_text_field(out: &mut Vec<u8>, text: &str) {
    let escape = starts_like_formula(text);
    let needs_quotes = text.is_empty()
        || text
            .bytes()
            .any(|byte| matches!(byte, b',' | b'"' | b'\r' | b'\n'));
    if needs_quotes {
        out.push(b'"');
    }
    if escape {
        out.push(b'\'');
    }
    if needs_quotes {
        for byte in text.bytes() {
            if byte == b'"' {
                out.push(b'"');
            }
            out.push(byte);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(text.as_bytes());
    }
}

/// Whether a spreadsheet could run `text` as a formula (OWASP's list of leading characters).
pub fn starts_like_formula(text: &str) -> bool {
    matches!(
        text.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Float64Array, Int64Array, StringArray};

    use super::*;

    fn frame(columns: Vec<(&str, ColumnType, ArrayRef)>) -> Frame {
        Frame::new(
            columns
                .into_iter()
                .map(|(name, column_type, array)| Column::new(name, column_type, array).unwrap())
                .collect(),
        )
        .unwrap()
    }

    fn text(frame: &Frame) -> String {
        String::from_utf8(write_csv(frame)).unwrap()
    }

    #[test]
    fn quotes_escapes_and_numbers() {
        let frame = frame(vec![
            (
                "s",
                ColumnType::String,
                Arc::new(StringArray::from(vec![
                    Some("a,b"),
                    Some("say \"hi\""),
                    Some("=SUM(A1)"),
                    Some("-x,\"y\""),
                    Some(""),
                    None,
                ])),
            ),
            (
                "x",
                ColumnType::Float,
                Arc::new(Float64Array::from(vec![
                    Some(-3.5),
                    Some(3.0),
                    Some(f64::INFINITY),
                    Some(f64::NEG_INFINITY),
                    Some(0.1),
                    None,
                ])),
            ),
            (
                "-n",
                ColumnType::Integer,
                Arc::new(Int64Array::from(vec![-1, 2, 3, 4, 5, 6])),
            ),
        ]);
        assert_eq!(
            text(&frame),
            "s,x,'-n\n\
             \"a,b\",-3.5,-1\n\
             \"say \"\"hi\"\"\",3.0,2\n\
             '=SUM(A1),1e999,3\n\
             \"'-x,\"\"y\"\"\",-1e999,4\n\
             \"\",0.1,5\n\
             ,,6\n"
        );
    }

    #[test]
    fn single_column_missing_is_not_a_blank_line() {
        let frame = frame(vec![(
            "n",
            ColumnType::Integer,
            Arc::new(Int64Array::from(vec![Some(1), None])),
        )]);
        assert_eq!(text(&frame), "n\n1\n\"\"\n");
    }

    #[test]
    fn empty_frames() {
        assert_eq!(text(&Frame::new(Vec::new()).unwrap()), "");
        let no_rows = frame(vec![(
            "a",
            ColumnType::Integer,
            Arc::new(Int64Array::from(Vec::<i64>::new())),
        )]);
        assert_eq!(text(&no_rows), "a\n");
    }
}
