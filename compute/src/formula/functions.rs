//! The function table: names, argument counts and the types each argument accepts.

/// What an argument position accepts; `null` is accepted everywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Accepts {
    Any,
    Boolean,
    Number,
    Integer,
    Text,
    /// A date or a date-time.
    Temporal,
    Datetime,
    TextOrNumber,
    TextOrTemporal,
    /// Anything with an order: numbers, text, dates, date-times.
    Ordered,
}

impl Accepts {
    pub(super) fn noun(self) -> &'static str {
        match self {
            Accepts::Any => "a value",
            Accepts::Boolean => "a true/false value",
            Accepts::Number => "a number",
            Accepts::Integer => "an integer",
            Accepts::Text => "text",
            Accepts::Temporal => "a date or date-time",
            Accepts::Datetime => "a date-time",
            Accepts::TextOrNumber => "text or a number",
            Accepts::TextOrTemporal => "text or a date",
            Accepts::Ordered => "a number, text or a date",
        }
    }
}

pub(super) struct Function {
    pub(super) name: &'static str,
    pub(super) min_args: usize,
    /// `None`: any number of arguments, each accepting the last entry of `accepts`.
    pub(super) max_args: Option<usize>,
    pub(super) accepts: &'static [Accepts],
    pub(super) usage: &'static str,
}

impl Function {
    pub(super) fn accepts(&self, index: usize) -> Accepts {
        self.accepts[index.min(self.accepts.len() - 1)]
    }

    /// "1 argument", "1 or 2 arguments", "at least 1 argument".
    pub(super) fn arity(&self) -> String {
        let plural = |n: usize| if n == 1 { "argument" } else { "arguments" };
        match self.max_args {
            None => format!("at least {} {}", self.min_args, plural(self.min_args)),
            Some(max) if max == self.min_args => format!("{max} {}", plural(max)),
            Some(max) if max == self.min_args + 1 => {
                format!("{} or {max} {}", self.min_args, plural(max))
            }
            Some(max) => format!("{} to {max} {}", self.min_args, plural(max)),
        }
    }
}

const fn function(
    name: &'static str,
    min_args: usize,
    max_args: Option<usize>,
    accepts: &'static [Accepts],
    usage: &'static str,
) -> Function {
    Function {
        name,
        min_args,
        max_args,
        accepts,
        usage,
    }
}

use Accepts::*;

pub(super) const FUNCTIONS: &[Function] = &[
    function(
        "if",
        3,
        Some(3),
        &[Boolean, Any, Any],
        "if(condition, value_if_true, value_if_false)",
    ),
    function("coalesce", 1, None, &[Any], "coalesce(a, b, …)"),
    function("is_null", 1, Some(1), &[Any], "is_null(x)"),
    function("is_not_null", 1, Some(1), &[Any], "is_not_null(x)"),
    function("abs", 1, Some(1), &[Number], "abs(x)"),
    function("round", 1, Some(2), &[Number, Integer], "round(x, digits)"),
    function("floor", 1, Some(1), &[Number], "floor(x)"),
    function("ceil", 1, Some(1), &[Number], "ceil(x)"),
    function("sign", 1, Some(1), &[Number], "sign(x)"),
    function("sqrt", 1, Some(1), &[Number], "sqrt(x)"),
    function("exp", 1, Some(1), &[Number], "exp(x)"),
    function("ln", 1, Some(1), &[Number], "ln(x)"),
    function("log", 1, Some(1), &[Number], "log(x)"),
    function("log10", 1, Some(1), &[Number], "log10(x)"),
    function("log1p", 1, Some(1), &[Number], "log1p(x)"),
    function("pow", 2, Some(2), &[Number, Number], "pow(x, y)"),
    function("min", 1, None, &[Ordered], "min(a, b, …)"),
    function("max", 1, None, &[Ordered], "max(a, b, …)"),
    function(
        "clip",
        3,
        Some(3),
        &[Number, Number, Number],
        "clip(x, lower, upper)",
    ),
    function("lower", 1, Some(1), &[Text], "lower(text)"),
    function("upper", 1, Some(1), &[Text], "upper(text)"),
    function("trim", 1, Some(1), &[Text], "trim(text)"),
    function("length", 1, Some(1), &[Text], "length(text)"),
    function("len", 1, Some(1), &[Text], "len(text)"),
    function(
        "substr",
        2,
        Some(3),
        &[Text, Integer, Integer],
        "substr(text, start, length)",
    ),
    function(
        "contains",
        2,
        Some(2),
        &[Text, Text],
        "contains(text, part)",
    ),
    function(
        "starts_with",
        2,
        Some(2),
        &[Text, Text],
        "starts_with(text, prefix)",
    ),
    function(
        "ends_with",
        2,
        Some(2),
        &[Text, Text],
        "ends_with(text, suffix)",
    ),
    function(
        "replace",
        3,
        Some(3),
        &[Text, Text, Text],
        "replace(text, from, to)",
    ),
    function("concat", 1, None, &[Any], "concat(a, b, …)"),
    function("to_number", 1, Some(1), &[TextOrNumber], "to_number(text)"),
    function("to_string", 1, Some(1), &[Any], "to_string(x)"),
    function("year", 1, Some(1), &[Temporal], "year(date)"),
    function("month", 1, Some(1), &[Temporal], "month(date)"),
    function("day", 1, Some(1), &[Temporal], "day(date)"),
    function("weekday", 1, Some(1), &[Temporal], "weekday(date)"),
    function("hour", 1, Some(1), &[Datetime], "hour(datetime)"),
    function("minute", 1, Some(1), &[Datetime], "minute(datetime)"),
    function(
        "date_diff_days",
        2,
        Some(2),
        &[Temporal, Temporal],
        "date_diff_days(end, start)",
    ),
    function(
        "date",
        1,
        Some(1),
        &[TextOrTemporal],
        "date(\"YYYY-MM-DD\")",
    ),
];

/// The function named `name`, matched case-insensitively.
pub(super) fn lookup(name: &str) -> Option<&'static Function> {
    FUNCTIONS
        .iter()
        .find(|function| function.name.eq_ignore_ascii_case(name))
}

/// Levenshtein distance over chars, case-insensitive.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().flat_map(char::to_lowercase).collect();
    let b: Vec<char> = b.chars().flat_map(char::to_lowercase).collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// The candidate closest to `name`, if it is close enough to be a likely typo: at most two
/// fifths of the longer name's length away (and at least one edit allowed).
pub(super) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(name, candidate), candidate))
        .filter(|(distance, candidate)| {
            let longer = name.chars().count().max(candidate.chars().count());
            *distance <= (longer * 2 / 5).max(1)
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_suggestions() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("ABC", "abc"), 0);
        assert_eq!(
            closest("bil_length", ["species", "bill_length_mm", "bill_depth_mm"]),
            Some("bill_length_mm")
        );
        assert_eq!(closest("zzzzzz", ["species", "island"]), None);
        assert_eq!(
            closest("uper", FUNCTIONS.iter().map(|f| f.name)),
            Some("upper")
        );
    }

    #[test]
    fn table_is_consistent() {
        for function in FUNCTIONS {
            assert!(!function.accepts.is_empty(), "{}", function.name);
            if let Some(max) = function.max_args {
                assert_eq!(function.accepts.len(), max, "{}", function.name);
            }
            assert!(
                function.usage.starts_with(function.name),
                "{}",
                function.name
            );
        }
    }
}
