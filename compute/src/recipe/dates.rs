//! Date steps: parsing text with a strftime-like format, extracting parts, cyclic encoding.

use std::f64::consts::TAU;

use super::cell::Cell;
use super::cell::{
    cell, column_error, find, float_column, insert_after, int_column, splice, texts,
};
use super::columns::LISTED_ROWS;
use super::{CyclicPart, DatetimePart, OnError, StepError};
use crate::frame::calendar::{civil_from_days, days_from_civil, MS_PER_DAY};
use crate::frame::{Column, Frame};
use crate::recipe::cell::{build, civil_ms};
use crate::schema::ColumnType;

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Milliseconds since the epoch of `text` read with `format`: `%Y` (up to 4 digits),
/// `%m %d %H %M %S` (1–2 digits), `%y` (2 digits; 69–99 are 19xx, like POSIX), `%b` / `%B`
/// (month name, abbreviated or full, any case) and `%%`. A space in the format matches any
/// run of whitespace; other characters match themselves. The whole text must be used.
pub(crate) fn parse_with_format(text: &str, format: &str) -> Option<i64> {
    let input = text.trim().as_bytes();
    let mut position = 0;
    let (mut year, mut month, mut day) = (1970i64, 1u32, 1u32);
    let (mut hour, mut minute, mut second) = (0u32, 0u32, 0u32);
    let mut format = format.trim().bytes();
    let digits = |position: &mut usize, max: usize| -> Option<u32> {
        let start = *position;
        while *position < input.len()
            && *position - start < max
            && input[*position].is_ascii_digit()
        {
            *position += 1;
        }
        if *position == start {
            return None;
        }
        std::str::from_utf8(&input[start..*position])
            .ok()?
            .parse()
            .ok()
    };
    while let Some(byte) = format.next() {
        match byte {
            b'%' => match format.next()? {
                b'Y' => year = i64::from(digits(&mut position, 4)?),
                b'y' => {
                    let short = digits(&mut position, 2)?;
                    year = i64::from(if short < 69 {
                        2000 + short
                    } else {
                        1900 + short
                    });
                }
                b'm' => month = digits(&mut position, 2)?,
                b'd' => day = digits(&mut position, 2)?,
                b'H' => hour = digits(&mut position, 2)?,
                b'M' => minute = digits(&mut position, 2)?,
                b'S' => second = digits(&mut position, 2)?,
                b'b' | b'B' => {
                    let start = position;
                    while position < input.len() && input[position].is_ascii_alphabetic() {
                        position += 1;
                    }
                    let word = std::str::from_utf8(&input[start..position])
                        .ok()?
                        .to_ascii_lowercase();
                    let index = MONTHS.iter().position(|name| {
                        *name == word || (word.len() == 3 && name.starts_with(&word))
                    })?;
                    month = index as u32 + 1;
                }
                b'%' => {
                    if input.get(position) != Some(&b'%') {
                        return None;
                    }
                    position += 1;
                }
                _ => return None,
            },
            b' ' => {
                while position < input.len() && input[position].is_ascii_whitespace() {
                    position += 1;
                }
            }
            literal => {
                if input.get(position) != Some(&literal) {
                    return None;
                }
                position += 1;
            }
        }
    }
    if position != input.len() {
        return None;
    }
    civil_ms(year, month, day, (hour, minute, second))
}

/// ISO text: `YYYY-MM-DD` (or `/`), optionally followed by `T` or a space and
/// `HH:MM[:SS[.fff]]`, optionally ending in `Z`.
pub(crate) fn parse_iso(text: &str) -> Option<i64> {
    let text = text.trim();
    let text = text.strip_suffix('Z').unwrap_or(text);
    let (main, millis) = match text.get(10..).and_then(|time| time.rfind('.')) {
        Some(dot) => {
            let fraction = &text[10 + dot + 1..];
            if fraction.is_empty()
                || fraction.len() > 9
                || !fraction.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
            let kept = &fraction[..fraction.len().min(3)];
            let millis: i64 = kept.parse().ok()?;
            (&text[..10 + dot], millis * 10i64.pow(3 - kept.len() as u32))
        }
        None => (text, 0),
    };
    let main = main.replacen('T', " ", 1).replace('/', "-");
    ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"]
        .iter()
        .find_map(|format| parse_with_format(&main, format))
        .map(|ms| ms + millis)
}

pub(crate) fn parse_datetime(
    frame: &Frame,
    name: &str,
    format: &str,
    to: ColumnType,
    on_error: OnError,
) -> Result<Frame, StepError> {
    if to != ColumnType::Date && to != ColumnType::Datetime {
        return Err(column_error(
            name,
            format!(
                "parse_datetime makes a date or datetime, not {}",
                to.label()
            ),
        ));
    }
    let index = find(frame, name)?;
    let column = &frame.columns()[index];
    let values = texts(column)?;
    let mut failed = Vec::new();
    let mut count = 0;
    let parsed: Vec<Cell<'static>> = values
        .iter()
        .enumerate()
        .map(|(row, text)| {
            let Some(text) = text.filter(|text| !text.trim().is_empty()) else {
                return Cell::Null;
            };
            match parse_with_format(text, format) {
                Some(ms) if to == ColumnType::Datetime => Cell::Datetime(ms),
                Some(ms) => match i32::try_from(ms.div_euclid(MS_PER_DAY)) {
                    Ok(days) => Cell::Date(days),
                    Err(_) => Cell::Null,
                },
                None => {
                    count += 1;
                    if failed.len() < LISTED_ROWS {
                        failed.push(row + 1);
                    }
                    Cell::Null
                }
            }
        })
        .collect();
    if count > 0 && on_error == OnError::Fail {
        return Err(StepError::Conversion {
            column: name.to_string(),
            to: if to == ColumnType::Date {
                "date with format"
            } else {
                "datetime with format"
            },
            count,
            rows: failed,
        });
    }
    splice(frame, index, vec![build(name, to, parsed)?])
}

/// (days since epoch, millisecond of the day) of a date or datetime cell.
fn instant(column: &Column, row: usize) -> Option<(i64, i64)> {
    match cell(column, row) {
        Cell::Date(days) => Some((i64::from(days), 0)),
        Cell::Datetime(ms) => Some((ms.div_euclid(MS_PER_DAY), ms.rem_euclid(MS_PER_DAY))),
        _ => None,
    }
}

fn date_column<'a>(frame: &'a Frame, name: &str) -> Result<(usize, &'a Column), StepError> {
    let index = find(frame, name)?;
    let column = &frame.columns()[index];
    match column.column_type() {
        ColumnType::Date | ColumnType::Datetime => Ok((index, column)),
        other => Err(column_error(
            name,
            format!(
                "is {}, not a date or datetime; use parse_datetime or cast first",
                other.label()
            ),
        )),
    }
}

fn part_value(part: DatetimePart, days: i64, ms_of_day: i64) -> i64 {
    let (year, month, day) = civil_from_days(days);
    match part {
        DatetimePart::Year => year,
        DatetimePart::Month => i64::from(month),
        DatetimePart::Day => i64::from(day),
        // 1970-01-01 was a Thursday (3 when Monday is 0).
        DatetimePart::Weekday => (days + 3).rem_euclid(7),
        DatetimePart::Hour => ms_of_day / 3_600_000,
        DatetimePart::Minute => ms_of_day / 60_000 % 60,
        DatetimePart::Second => ms_of_day / 1000 % 60,
        DatetimePart::DayOfYear => days - days_from_civil(year, 1, 1) + 1,
        DatetimePart::Quarter => i64::from((month - 1) / 3 + 1),
    }
}

fn part_name(part: DatetimePart) -> &'static str {
    match part {
        DatetimePart::Year => "year",
        DatetimePart::Month => "month",
        DatetimePart::Day => "day",
        DatetimePart::Weekday => "weekday",
        DatetimePart::Hour => "hour",
        DatetimePart::Minute => "minute",
        DatetimePart::Second => "second",
        DatetimePart::DayOfYear => "day_of_year",
        DatetimePart::Quarter => "quarter",
    }
}

pub(crate) fn extract_datetime(
    frame: &Frame,
    name: &str,
    parts: &[DatetimePart],
) -> Result<Frame, StepError> {
    let (index, column) = date_column(frame, name)?;
    let added = parts
        .iter()
        .map(|&part| {
            int_column(
                &format!("{name}_{}", part_name(part)),
                (0..column.len())
                    .map(|row| instant(column, row).map(|(days, ms)| part_value(part, days, ms))),
            )
        })
        .collect();
    insert_after(frame, index, added)
}

pub(crate) fn cyclic_encode(
    frame: &Frame,
    name: &str,
    parts: &[CyclicPart],
) -> Result<Frame, StepError> {
    let (index, column) = date_column(frame, name)?;
    let mut added = Vec::new();
    for &part in parts {
        let (label, period, position): (&str, f64, fn(i64, i64) -> f64) = match part {
            CyclicPart::Month => ("month", 12.0, |days, ms| {
                (part_value(DatetimePart::Month, days, ms) - 1) as f64
            }),
            CyclicPart::Weekday => ("weekday", 7.0, |days, ms| {
                part_value(DatetimePart::Weekday, days, ms) as f64
            }),
            CyclicPart::Hour => ("hour", 24.0, |days, ms| {
                part_value(DatetimePart::Hour, days, ms) as f64
            }),
            CyclicPart::Minute => ("minute", 60.0, |days, ms| {
                part_value(DatetimePart::Minute, days, ms) as f64
            }),
        };
        let angles: Vec<Option<f64>> = (0..column.len())
            .map(|row| instant(column, row).map(|(days, ms)| TAU * position(days, ms) / period))
            .collect();
        added.push(float_column(
            &format!("{name}_{label}_sin"),
            angles.iter().map(|angle| angle.map(f64::sin)),
        ));
        added.push(float_column(
            &format!("{name}_{label}_cos"),
            angles.iter().map(|angle| angle.map(f64::cos)),
        ));
    }
    insert_after(frame, index, added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_formats() {
        let at = |y, mo, d, h, mi, s| civil_ms(y, mo, d, (h, mi, s)).unwrap();
        assert_eq!(
            parse_with_format("31/12/2013 23:05", "%d/%m/%Y %H:%M"),
            Some(at(2013, 12, 31, 23, 5, 0))
        );
        assert_eq!(
            parse_with_format("5 Mar 99", "%d %b %y"),
            Some(at(1999, 3, 5, 0, 0, 0))
        );
        assert_eq!(
            parse_with_format("5 march 01", "%d %B %y"),
            Some(at(2001, 3, 5, 0, 0, 0))
        );
        assert_eq!(parse_with_format("2013-02-30", "%Y-%m-%d"), None);
        assert_eq!(parse_with_format("2013-02-03x", "%Y-%m-%d"), None);
        assert_eq!(
            parse_with_format("100%", "%Y%%"),
            Some(at(100, 1, 1, 0, 0, 0))
        );
        assert_eq!(
            parse_iso("2013-01-01T10:00:00.5Z"),
            Some(at(2013, 1, 1, 10, 0, 0) + 500)
        );
        assert_eq!(parse_iso("2013/1/2"), Some(at(2013, 1, 2, 0, 0, 0)));
        assert_eq!(parse_iso("2013-01-01 10:61"), None);
    }
}
