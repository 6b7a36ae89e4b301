//! Text steps: change case, trim, literal and regex replace, regex extract, length, word count and split into columns.

use regex_lite::Regex;

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

/// Compiles a step's regular expression, or says why it is not one.
pub(crate) fn compile(pattern: &str) -> Result<Regex, StepError> {
    Regex::new(pattern).map_err(|error| StepError::Pattern {
        pattern: pattern.to_string(),
        message: error.to_string(),
    })
}

/// The group references in a replacement, as the regex engine reads them: `${name}`, or
/// `$` followed by the longest run of letters, digits and `_`; `$$` is a literal dollar.
fn group_references(replacement: &str) -> Vec<&str> {
    let mut references = Vec::new();
    let mut rest = replacement;
    while let Some(at) = rest.find('$') {
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix('$') {
            rest = after;
        } else if let Some(braced) = rest.strip_prefix('{') {
            if let Some(end) = braced.find('}') {
                references.push(&braced[..end]);
                rest = &braced[end + 1..];
            }
        } else {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            if end > 0 {
                references.push(&rest[..end]);
            }
            rest = &rest[end..];
        }
    }
    references
}

/// A reference to a group the pattern does not have would silently insert nothing (the
/// engine's rule); Python's `re.sub` refuses it, and so do we, naming the group.
fn check_references(regex: &Regex, replacement: &str) -> Result<(), StepError> {
    let n_groups = regex.captures_len() - 1;
    for reference in group_references(replacement) {
        let exists = match reference.parse::<usize>() {
            Ok(number) => number <= n_groups,
            Err(_) => regex
                .capture_names()
                .flatten()
                .any(|name| name == reference),
        };
        if !exists {
            let hint = match reference.find(|c: char| !c.is_ascii_digit()) {
                Some(split) if split > 0 => format!(
                    " (write ${{{}}}{} for group {} followed by text)",
                    &reference[..split],
                    &reference[split..],
                    &reference[..split]
                ),
                _ => String::new(),
            };
            return Err(invalid(format!(
                "the replacement refers to group \"{reference}\", which the pattern does not \
                 have (it has {n_groups} group{}){hint}",
                if n_groups == 1 { "" } else { "s" }
            )));
        }
    }
    Ok(())
}

pub(crate) fn regex_replace(
    frame: &Frame,
    names: &[String],
    pattern: &str,
    replacement: &str,
) -> Result<Frame, StepError> {
    let regex = compile(pattern)?;
    check_references(&regex, replacement)?;
    map_texts(frame, names, |text| {
        regex.replace_all(text, replacement).into_owned()
    })
}

pub(crate) fn regex_extract(
    frame: &Frame,
    name: &str,
    pattern: &str,
    new_columns: Option<&[String]>,
) -> Result<Frame, StepError> {
    let regex = compile(pattern)?;
    let n_groups = regex.captures_len() - 1;
    if n_groups == 0 {
        return Err(invalid(format!(
            "pattern \"{pattern}\" has no capture groups; put the part to extract in parentheses"
        )));
    }
    let added_names: Vec<String> = match new_columns {
        Some(names) if names.len() != n_groups => {
            return Err(invalid(format!(
                "new_columns names {} columns and the pattern has {n_groups} capture group{}",
                names.len(),
                if n_groups == 1 { "" } else { "s" }
            )))
        }
        Some(names) => names.to_vec(),
        None => regex
            .capture_names()
            .skip(1)
            .enumerate()
            .map(|(group, group_name)| {
                group_name.map_or_else(|| format!("{name}_{}", group + 1), str::to_string)
            })
            .collect(),
    };
    let index = find(frame, name)?;
    let values = texts(&frame.columns()[index])?;
    let mut locations = regex.capture_locations();
    // Per group, per row: the matched text.
    let mut groups: Vec<Vec<Option<&str>>> = vec![Vec::with_capacity(values.len()); n_groups];
    for text in values {
        let found = text.filter(|text| regex.captures_read(&mut locations, text).is_some());
        for (group, column) in groups.iter_mut().enumerate() {
            column.push(found.and_then(|text| {
                locations
                    .get(group + 1)
                    .map(|(start, end)| &text[start..end])
            }));
        }
    }
    let added = added_names
        .iter()
        .zip(groups)
        .map(|(added_name, values)| text_column(added_name, ColumnType::String, values))
        .collect();
    insert_after(frame, index, added)
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
