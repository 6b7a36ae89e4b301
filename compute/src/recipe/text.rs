//! Text steps: change case, trim, literal replace, length, word count and split into columns.

use super::cell::{
    find, find_all, frame_error, insert_after, int_column, invalid, text_column, texts,
};
use super::{Case, StepError};
use crate::frame::Frame;
use crate::schema::ColumnType;

/// Rewrites each listed text column in place, keeping string or categorical storage.
fn map_texts(
    frame: &Frame,
    names: &[String],
    f: impl Fn(&str) -> String,
) -> Result<Frame, StepError> {
    let mut columns = frame.columns().to_vec();
    for &index in &find_all(frame, names)? {
        let column = &frame.columns()[index];
        let mapped: Vec<Option<String>> = texts(column)?
            .into_iter()
            .map(|text| text.map(&f))
            .collect();
        columns[index] = text_column(
            column.name(),
            column.column_type(),
            mapped.iter().map(Option::as_deref),
        );
    }
    Frame::new(columns).map_err(frame_error)
}

pub(crate) fn change_case(frame: &Frame, names: &[String], case: Case) -> Result<Frame, StepError> {
    map_texts(frame, names, |text| match case {
        Case::Lower => text.to_lowercase(),
        Case::Upper => text.to_uppercase(),
    })
}

pub(crate) fn trim(frame: &Frame, names: &[String]) -> Result<Frame, StepError> {
    map_texts(frame, names, |text| text.trim().to_string())
}

pub(crate) fn replace_text(
    frame: &Frame,
    names: &[String],
    pattern: &str,
    replacement: &str,
) -> Result<Frame, StepError> {
    if pattern.is_empty() {
        return Err(invalid("the text to replace is empty"));
    }
    map_texts(frame, names, |text| text.replace(pattern, replacement))
}

/// Adds an integer column `<name>_<suffix>` computed from each text.
fn add_count(
    frame: &Frame,
    name: &str,
    suffix: &str,
    f: impl Fn(&str) -> usize,
) -> Result<Frame, StepError> {
    let index = find(frame, name)?;
    let values = texts(&frame.columns()[index])?;
    let counts = int_column(
        &format!("{name}_{suffix}"),
        values
            .into_iter()
            .map(|text| text.map(|text| f(text) as i64)),
    );
    insert_after(frame, index, vec![counts])
}

pub(crate) fn text_length(frame: &Frame, name: &str) -> Result<Frame, StepError> {
    add_count(frame, name, "length", |text| text.chars().count())
}

pub(crate) fn word_count(frame: &Frame, name: &str) -> Result<Frame, StepError> {
    add_count(frame, name, "word_count", |text| {
        text.split_whitespace().count()
    })
}

pub(crate) fn split_text(
    frame: &Frame,
    name: &str,
    delimiter: &str,
    max_parts: usize,
) -> Result<Frame, StepError> {
    if delimiter.is_empty() {
        return Err(invalid("the delimiter is empty"));
    }
    if max_parts == 0 {
        return Err(invalid("max_parts must be at least 1"));
    }
    let index = find(frame, name)?;
    let values = texts(&frame.columns()[index])?;
    let split: Vec<Vec<&str>> = values
        .iter()
        .map(|text| text.map_or_else(Vec::new, |text| text.splitn(max_parts, delimiter).collect()))
        .collect();
    let added = (0..max_parts)
        .map(|part| {
            text_column(
                &format!("{name}_{}", part + 1),
                ColumnType::String,
                split.iter().map(|parts| parts.get(part).copied()),
            )
        })
        .collect();
    insert_after(frame, index, added)
}
