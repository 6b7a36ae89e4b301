//! Words and numbers as a person reads them: sizes, counts, dates, error messages.

use compute::protocol::{ErrorKind, JobError};

pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if n < 1000 {
        return format!("{n} B");
    }
    let mut value = n as f64;
    let mut unit = "B";
    for next in UNITS {
        if value < 1000.0 {
            break;
        }
        value /= 1000.0;
        unit = next;
    }
    format!("{value:.1} {unit}")
}

/// 327346 → "327,346".
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn date_time(ms: f64) -> String {
    let date = js_sys::Date::new(&ms.into());
    String::from(date.to_locale_string("default", &js_sys::Object::new()))
}

/// The one place a `JobError` becomes the sentence on screen.
pub fn error(error: &JobError) -> String {
    match error.kind {
        ErrorKind::Internal => format!("Something went wrong inside the studio: {}", error.message),
        ErrorKind::Protocol => format!("The page and its worker disagree: {}", error.message),
        // Messages start with the thing they name (often a file name), so they stay as written.
        _ => error.message.clone(),
    }
}
