//! Runs as one CSV file (RFC 4180): a row per run, its attributes then every `params.*`, `metrics.*` and `tags.*` column, with spreadsheet formula injection defused.
//!
//! The columns: `run_id`, `experiment_id`, `name`, `kind`, `parent_run_id`, `status`,
//! `start_time` (epoch milliseconds), `duration_secs`, then the params, metrics and tags
//! present in any run, each group sorted by key — the shape of MLflow's
//! `search_runs()` frame, which pandas users know. A value a run lacks is an empty field.
//!
//! Numbers are written so that pandas reads them back exactly (Rust's shortest round-trip
//! form, `1e999`/`-1e999` for infinities and `NaN`, as `export.rs` writes them).
//! **Formula injection**: text starting with `=`, `+`, `-`, `@`, a tab or a carriage
//! return gets a leading `'`, as `export.rs` does for text cells — except text that reads
//! as a number, such as a param `-0.5`: params are numbers stored as text, and a
//! spreadsheet takes `-0.5` as the number it is, not as a formula. (`export.rs`'s
//! `starts_like_formula` sits behind the `engine` feature with the frame writer; these
//! runs build without it, so the one-line test is repeated here.)

use std::collections::BTreeSet;

use super::filter::{kind_name, parse_number};
use super::RunRecord;

/// The runs as CSV text; see the module documentation.
pub fn runs_csv(runs: &[RunRecord]) -> String {
    let params: BTreeSet<&str> = runs
        .iter()
        .flat_map(|run| run.params.keys().map(String::as_str))
        .collect();
    let metrics: BTreeSet<&str> = runs
        .iter()
        .flat_map(|run| run.metrics.keys().map(String::as_str))
        .collect();
    let tags: BTreeSet<&str> = runs
        .iter()
        .flat_map(|run| run.tags.keys().map(String::as_str))
        .collect();

    let mut out = String::new();
    let mut header: Vec<String> = [
        "run_id",
        "experiment_id",
        "name",
        "kind",
        "parent_run_id",
        "status",
        "start_time",
        "duration_secs",
    ]
    .map(String::from)
    .to_vec();
    header.extend(params.iter().map(|key| format!("params.{key}")));
    header.extend(metrics.iter().map(|key| format!("metrics.{key}")));
    header.extend(tags.iter().map(|key| format!("tags.{key}")));
    write_row(&mut out, header.iter().map(|h| Field::Text(h)));

    for run in runs {
        let mut fields: Vec<Field<'_>> = vec![
            Field::Text(&run.run_id),
            Field::Text(&run.experiment_id),
            Field::Text(&run.name),
            Field::Text(kind_name(run.kind)),
            run.parent_run_id
                .as_deref()
                .map_or(Field::Missing, Field::Text),
            Field::Text(run.status.name()),
            Field::Number(run.started_at_ms),
            Field::Number(run.duration_secs),
        ];
        fields.extend(params.iter().map(|key| {
            run.params
                .get(*key)
                .map_or(Field::Missing, |v| Field::Text(v))
        }));
        fields.extend(metrics.iter().map(|key| {
            run.metrics
                .get(*key)
                .map_or(Field::Missing, |&v| Field::Number(v))
        }));
        fields.extend(tags.iter().map(|key| {
            run.tags
                .get(*key)
                .map_or(Field::Missing, |v| Field::Text(v))
        }));
        write_row(&mut out, fields.into_iter());
    }
    out
}

enum Field<'a> {
    Missing,
    Number(f64),
    Text(&'a str),
}

fn write_row<'a>(out: &mut String, fields: impl Iterator<Item = Field<'a>>) {
    for (index, field) in fields.enumerate() {
        if index > 0 {
            out.push(',');
        }
        match field {
            Field::Missing => {}
            Field::Number(value) => write_number(out, value),
            Field::Text(text) => write_text(out, text),
        }
    }
    out.push('\n');
}

fn write_number(out: &mut String, value: f64) {
    if value.is_nan() {
        out.push_str("NaN");
    } else if value.is_infinite() {
        out.push_str(if value > 0.0 { "1e999" } else { "-1e999" });
    } else {
        // `{:?}` is Rust's shortest round-trip form, with an exponent for very large or
        // small values (`1e-7`), where `{}` would write every zero.
        out.push_str(&format!("{value:?}"));
    }
}

/// Whether a spreadsheet could run `text` as a formula (OWASP's list of leading
/// characters; the same test as `export::starts_like_formula`).
fn starts_like_formula(text: &str) -> bool {
    matches!(
        text.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

fn write_text(out: &mut String, text: &str) {
    let escape = starts_like_formula(text) && parse_number(text).is_none();
    let needs_quotes = text.is_empty() || text.contains([',', '"', '\r', '\n']);
    if needs_quotes {
        out.push('"');
    }
    if escape {
        out.push('\'');
    }
    if needs_quotes {
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: &str) -> String {
        let mut out = String::new();
        write_text(&mut out, value);
        out
    }

    #[test]
    fn text_is_quoted_and_defused() {
        assert_eq!(text("gbdt"), "gbdt");
        assert_eq!(text("a,b"), "\"a,b\"");
        assert_eq!(text("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(text("two\nlines"), "\"two\nlines\"");
        assert_eq!(text(""), "\"\"");
        assert_eq!(text("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text("-0.5"), "-0.5");
        assert_eq!(text("+1e-3"), "+1e-3");
        assert_eq!(text("-1+2"), "'-1+2");
    }

    #[test]
    fn numbers_round_trip() {
        for value in [0.1, 3.0, -2.5, 1e-7, 1.234_567_890_123_456_7e300, 0.0] {
            let mut out = String::new();
            write_number(&mut out, value);
            assert_eq!(out.parse::<f64>().unwrap(), value, "{out}");
        }
        let mut out = String::new();
        write_number(&mut out, f64::NEG_INFINITY);
        assert_eq!(out, "-1e999");
    }
}
