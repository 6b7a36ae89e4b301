//! The runs filter language, like MLflow's `search_runs`: `metrics.r2 > 0.8 and params.max_depth < 8`, parsed once and matched against each run.
//!
//! ## Grammar
//!
//! ```text
//! filter     := or?                        (an empty filter matches every run)
//! or         := and ( OR and )*
//! and        := not ( AND not )*
//! not        := NOT not | '(' or ')' | comparison
//! comparison := key op value
//! key        := metrics.<name> | params.<name> | tags.<name> | attributes.<name> | <attribute>
//! op         := = | != | <> | < | <= | > | >= | LIKE | ILIKE
//! value      := number | 'text' | "text"
//! ```
//!
//! Keywords are case-insensitive. A key's prefix may also be written `metric.`, `param.`,
//! `parameter(s).`, `tag.`, `attribute.`, `attr.` or `run.` as MLflow allows; a name holding
//! spaces or other punctuation is quoted with backticks or double quotes right after the
//! dot (``metrics.`my metric` ``). Unquoted names may hold letters, digits and `_ . - /`, so
//! `params.preprocess.missing_category` needs no quotes. Inside a quoted value the quote
//! character is written twice (`'it''s'`). The attributes are [`Attribute`]'s names
//! (`status`, `name`, `duration`, `started`, …).
//!
//! ## Meaning
//!
//! * A run without the key does not match (not even `!=`).
//! * Metrics and numeric attributes (`duration` in seconds, `started` in epoch
//!   milliseconds, `seed`) compare as numbers; comparing them with text that is not a
//!   number, or with `LIKE`, is an error of the filter, not a silent mismatch.
//! * Params and tags are text. When both the stored value and the filter's value read as
//!   numbers they compare as numbers (`"0.10" = 0.1`, `"8" < 10`); otherwise `=` and `!=`
//!   compare the text exactly and `<`, `>`, … compare text with text by code points. A
//!   number ordered against a word does not match: `params.max_depth < 8` leaves out a run
//!   whose `max_depth` is `None`, where comparing the text `"None" < "8"` would decide by
//!   the letters' order.
//! * `status` and `kind` compare without regard to case (`status = 'finished'`).
//! * `LIKE` matches text with `%` (any run of characters) and `_` (one character);
//!   `ILIKE` does the same without regard to case.
//! * A `NaN` metric equals nothing and is ordered against nothing; only `!=` matches it.

use std::cmp::Ordering;

use thiserror::Error;

use super::{RunKind, RunRecord};

/// What can be wrong with a runs query: its filter, or a column it names.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum QueryError {
    /// The filter does not parse or asks something impossible; `column` is 1-based, in
    /// characters.
    #[error("{message} at column {column}")]
    Filter { message: String, column: usize },
    #[error("unknown column \"{column}\": expected metrics.<name>, params.<name>, tags.<name> or an attribute such as name, status, started, duration")]
    UnknownColumn { column: String },
}

/// A run attribute: a field of the record that a filter, a sort or a column can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Attribute {
    RunId,
    Name,
    Status,
    Kind,
    ParentRunId,
    ExperimentId,
    /// Epoch milliseconds.
    Started,
    /// Epoch milliseconds: `started` plus the duration.
    Ended,
    DurationSecs,
    Dataset,
    DatasetId,
    DatasetContentHash,
    Seed,
    ModelId,
    CodeVersion,
}

/// Every attribute, in the order a column picker lists them.
pub const ATTRIBUTES: [Attribute; 15] = [
    Attribute::Name,
    Attribute::Status,
    Attribute::Started,
    Attribute::DurationSecs,
    Attribute::Ended,
    Attribute::Kind,
    Attribute::RunId,
    Attribute::ParentRunId,
    Attribute::ExperimentId,
    Attribute::Dataset,
    Attribute::DatasetId,
    Attribute::DatasetContentHash,
    Attribute::Seed,
    Attribute::ModelId,
    Attribute::CodeVersion,
];

impl Attribute {
    /// The column key the table uses (`"started"`, `"duration"`, …).
    pub fn name(self) -> &'static str {
        match self {
            Attribute::RunId => "run_id",
            Attribute::Name => "name",
            Attribute::Status => "status",
            Attribute::Kind => "kind",
            Attribute::ParentRunId => "parent_run_id",
            Attribute::ExperimentId => "experiment_id",
            Attribute::Started => "started",
            Attribute::Ended => "ended",
            Attribute::DurationSecs => "duration",
            Attribute::Dataset => "dataset",
            Attribute::DatasetId => "dataset_id",
            Attribute::DatasetContentHash => "dataset_content_hash",
            Attribute::Seed => "seed",
            Attribute::ModelId => "model_id",
            Attribute::CodeVersion => "code_version",
        }
    }

    /// The attribute a name or one of its MLflow aliases (`run_name`, `start_time`,
    /// `end_time`, `duration_secs`, `id`) stands for, in any case.
    pub fn named(name: &str) -> Option<Attribute> {
        let lower = name.to_ascii_lowercase();
        let alias = match lower.as_str() {
            "run_name" => Some(Attribute::Name),
            "start_time" | "started_at_ms" => Some(Attribute::Started),
            "end_time" => Some(Attribute::Ended),
            "duration_secs" => Some(Attribute::DurationSecs),
            "id" | "run_uuid" => Some(Attribute::RunId),
            "dataset_name" => Some(Attribute::Dataset),
            _ => None,
        };
        alias.or_else(|| ATTRIBUTES.into_iter().find(|a| a.name() == lower))
    }

    /// Whether the attribute holds numbers.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            Attribute::Started | Attribute::Ended | Attribute::DurationSecs | Attribute::Seed
        )
    }

    /// The run's value of this attribute.
    pub fn value(self, run: &RunRecord) -> Option<Value<'_>> {
        fn text(value: &Option<String>) -> Option<Value<'_>> {
            value.as_deref().map(Value::Text)
        }
        match self {
            Attribute::RunId => Some(Value::Text(&run.run_id)),
            Attribute::Name => Some(Value::Text(&run.name)),
            Attribute::Status => Some(Value::Text(run.status.name())),
            Attribute::Kind => Some(Value::Text(kind_name(run.kind))),
            Attribute::ParentRunId => text(&run.parent_run_id),
            Attribute::ExperimentId => Some(Value::Text(&run.experiment_id)),
            Attribute::Started => Some(Value::Number(run.started_at_ms)),
            Attribute::Ended => Some(Value::Number(
                run.started_at_ms + run.duration_secs * 1000.0,
            )),
            Attribute::DurationSecs => Some(Value::Number(run.duration_secs)),
            Attribute::Dataset => text(&run.dataset_name),
            Attribute::DatasetId => text(&run.dataset_id),
            Attribute::DatasetContentHash => text(&run.dataset_content_hash),
            Attribute::Seed => run.seed.map(|seed| Value::Number(seed as f64)),
            Attribute::ModelId => text(&run.model_id),
            Attribute::CodeVersion => Some(Value::Text(&run.code_version)),
        }
    }
}

/// The name a run's kind is shown and filtered by (its serde name).
pub fn kind_name(kind: RunKind) -> &'static str {
    match kind {
        RunKind::Build => "build",
        RunKind::Candidate => "candidate",
        RunKind::Imported => "imported",
    }
}

/// A run's value under a key, borrowed from the record.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'a> {
    Number(f64),
    Text(&'a str),
}

/// What a filter, a sort or a column names: an attribute, or a metric, param or tag key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    Attribute(Attribute),
    Metric(String),
    Param(String),
    Tag(String),
}

impl Key {
    /// A table column key: `metrics.<name>`, `params.<name>`, `tags.<name>` (everything
    /// after the first dot is the name, dots included), `attributes.<name>` or a bare
    /// attribute name.
    pub fn parse(column: &str) -> Result<Key, QueryError> {
        let unknown = || QueryError::UnknownColumn {
            column: column.to_string(),
        };
        match column.split_once('.') {
            Some((prefix, name)) if !name.is_empty() => {
                match KeyKind::of_prefix(prefix).ok_or_else(unknown)? {
                    KeyKind::Metric => Ok(Key::Metric(name.to_string())),
                    KeyKind::Param => Ok(Key::Param(name.to_string())),
                    KeyKind::Tag => Ok(Key::Tag(name.to_string())),
                    KeyKind::Attribute => Attribute::named(name)
                        .map(Key::Attribute)
                        .ok_or_else(unknown),
                }
            }
            Some(_) => Err(unknown()),
            None => Attribute::named(column)
                .map(Key::Attribute)
                .ok_or_else(unknown),
        }
    }

    /// The canonical column key (`metrics.r2`, `status`).
    pub fn column(&self) -> String {
        match self {
            Key::Attribute(attribute) => attribute.name().to_string(),
            Key::Metric(name) => format!("metrics.{name}"),
            Key::Param(name) => format!("params.{name}"),
            Key::Tag(name) => format!("tags.{name}"),
        }
    }

    /// The run's value under this key; `None` when the run lacks it.
    pub fn value<'a>(&self, run: &'a RunRecord) -> Option<Value<'a>> {
        match self {
            Key::Attribute(attribute) => attribute.value(run),
            Key::Metric(name) => run.metrics.get(name).map(|&v| Value::Number(v)),
            Key::Param(name) => run.params.get(name).map(|v| Value::Text(v)),
            Key::Tag(name) => run.tags.get(name).map(|v| Value::Text(v)),
        }
    }

    fn is_numeric(&self) -> bool {
        match self {
            Key::Attribute(attribute) => attribute.is_numeric(),
            Key::Metric(_) => true,
            Key::Param(_) | Key::Tag(_) => false,
        }
    }
}

#[derive(Clone, Copy)]
enum KeyKind {
    Metric,
    Param,
    Tag,
    Attribute,
}

impl KeyKind {
    fn of_prefix(prefix: &str) -> Option<KeyKind> {
        match prefix.to_ascii_lowercase().as_str() {
            "metrics" | "metric" => Some(KeyKind::Metric),
            "params" | "param" | "parameters" | "parameter" => Some(KeyKind::Param),
            "tags" | "tag" => Some(KeyKind::Tag),
            "attributes" | "attribute" | "attr" | "run" => Some(KeyKind::Attribute),
            _ => None,
        }
    }
}

/// A parsed filter; the empty filter matches every run.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    expr: Option<Expr>,
}

/// Parses `text`, naming the column and what was expected when it does not parse.
pub fn parse_filter(text: &str) -> Result<Filter, QueryError> {
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        tokens,
        position: 0,
    };
    if parser.peek().kind == TokenKind::End {
        return Ok(Filter { expr: None });
    }
    let expr = parser.or()?;
    let token = parser.peek();
    if token.kind != TokenKind::End {
        return Err(error(
            format!(
                "expected AND, OR or the end of the filter, found {}",
                token.kind.describe()
            ),
            token.column,
        ));
    }
    Ok(Filter { expr: Some(expr) })
}

impl Filter {
    /// Whether the filter is empty (matches every run).
    pub fn is_empty(&self) -> bool {
        self.expr.is_none()
    }

    pub fn matches(&self, run: &RunRecord) -> bool {
        self.expr.as_ref().is_none_or(|expr| expr.matches(run))
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Expr {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Compare(Comparison),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Like,
    ILike,
}

impl Op {
    fn text(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Like => "LIKE",
            Op::ILike => "ILIKE",
        }
    }

    fn holds(self, ordering: Ordering) -> bool {
        match self {
            Op::Eq => ordering == Ordering::Equal,
            Op::Ne => ordering != Ordering::Equal,
            Op::Lt => ordering == Ordering::Less,
            Op::Le => ordering != Ordering::Greater,
            Op::Gt => ordering == Ordering::Greater,
            Op::Ge => ordering != Ordering::Less,
            Op::Like | Op::ILike => false,
        }
    }
}

/// The right-hand side, prepared for the key's type.
#[derive(Clone, Debug, PartialEq)]
enum Operand {
    Number(f64),
    /// Text and, when it reads as one, its number.
    Text {
        text: String,
        number: Option<f64>,
    },
    /// A LIKE pattern, split into characters (lowercased for ILIKE).
    Pattern(Vec<char>),
}

#[derive(Clone, Debug, PartialEq)]
struct Comparison {
    key: Key,
    op: Op,
    operand: Operand,
    /// `status` and `kind` compare without regard to case.
    fold_case: bool,
}

impl Expr {
    fn matches(&self, run: &RunRecord) -> bool {
        match self {
            Expr::Or(a, b) => a.matches(run) || b.matches(run),
            Expr::And(a, b) => a.matches(run) && b.matches(run),
            Expr::Not(a) => !a.matches(run),
            Expr::Compare(comparison) => comparison.matches(run),
        }
    }
}

impl Comparison {
    fn matches(&self, run: &RunRecord) -> bool {
        let Some(value) = self.key.value(run) else {
            return false;
        };
        match (&self.operand, value) {
            (Operand::Number(wanted), Value::Number(found)) => {
                compare_numbers(self.op, found, *wanted)
            }
            (Operand::Pattern(pattern), Value::Text(found)) => {
                if self.op == Op::ILike {
                    let lowered: Vec<char> = found.chars().flat_map(char::to_lowercase).collect();
                    like(&lowered, pattern)
                } else {
                    like(&found.chars().collect::<Vec<_>>(), pattern)
                }
            }
            (Operand::Text { text, number }, Value::Text(found)) => {
                match (parse_number(found), number) {
                    (Some(found), Some(wanted)) => compare_numbers(self.op, found, *wanted),
                    (found_number, wanted_number) => {
                        if matches!(self.op, Op::Eq | Op::Ne) {
                            let equal = if self.fold_case {
                                found.eq_ignore_ascii_case(text)
                            } else {
                                found == text
                            };
                            equal == (self.op == Op::Eq)
                        } else if found_number.is_some() != wanted_number.is_some() {
                            false
                        } else {
                            self.op.holds(found.cmp(text.as_str()))
                        }
                    }
                }
            }
            // Keys are checked against their operands when parsed: a number key has a
            // number operand, a text key a text or pattern operand.
            _ => false,
        }
    }
}

fn compare_numbers(op: Op, found: f64, wanted: f64) -> bool {
    match found.partial_cmp(&wanted) {
        Some(ordering) => op.holds(ordering),
        None => op == Op::Ne,
    }
}

/// A number as the filter reads one: Rust's float syntax, finite only (so `inf` and
/// `NaN` stay words).
pub(crate) fn parse_number(text: &str) -> Option<f64> {
    let trimmed = text.trim();
    if trimmed.is_empty()
        || !trimmed
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
    {
        return None;
    }
    trimmed.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// SQL `LIKE`: `%` matches any run of characters, `_` one character. Greedy with one
/// backtrack point, so linear-ish and never exponential.
fn like(text: &[char], pattern: &[char]) -> bool {
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '_' || pattern[p] == text[t]) {
            t += 1;
            p += 1;
        } else if p < pattern.len() && pattern[p] == '%' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '%')
}

fn error(message: String, column: usize) -> QueryError {
    QueryError::Filter { message, column }
}

#[derive(Clone, Debug, PartialEq)]
enum TokenKind {
    /// A bare word: a key, a keyword, or a key prefix ending in `.`.
    Word(String),
    /// `` `name` ``.
    Backticked(String),
    /// `'text'` or `"text"`; `double` for double quotes (which may also quote a key name).
    Quoted {
        text: String,
        double: bool,
    },
    Number(String),
    Op(Op),
    Open,
    Close,
    End,
}

impl TokenKind {
    fn describe(&self) -> String {
        match self {
            TokenKind::Word(word) => format!("'{word}'"),
            TokenKind::Backticked(name) => format!("`{name}`"),
            TokenKind::Quoted { text, .. } => format!("the text '{text}'"),
            TokenKind::Number(number) => format!("the number {number}"),
            TokenKind::Op(op) => format!("'{}'", op.text()),
            TokenKind::Open => "'('".to_string(),
            TokenKind::Close => "')'".to_string(),
            TokenKind::End => "the end of the filter".to_string(),
        }
    }
}

#[derive(Clone, Debug)]
struct Token {
    kind: TokenKind,
    /// 1-based, in characters.
    column: usize,
    /// Where the token ends (exclusive), to tell `metrics.` followed at once by a quoted
    /// name from one followed by a space.
    end_column: usize,
}

fn is_word_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '/')
}

fn tokenize(text: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let (kind, next) = match c {
            '(' => (TokenKind::Open, i + 1),
            ')' => (TokenKind::Close, i + 1),
            '=' if chars.get(i + 1) == Some(&'=') => (TokenKind::Op(Op::Eq), i + 2),
            '=' => (TokenKind::Op(Op::Eq), i + 1),
            '!' if chars.get(i + 1) == Some(&'=') => (TokenKind::Op(Op::Ne), i + 2),
            '<' if chars.get(i + 1) == Some(&'=') => (TokenKind::Op(Op::Le), i + 2),
            '<' if chars.get(i + 1) == Some(&'>') => (TokenKind::Op(Op::Ne), i + 2),
            '<' => (TokenKind::Op(Op::Lt), i + 1),
            '>' if chars.get(i + 1) == Some(&'=') => (TokenKind::Op(Op::Ge), i + 2),
            '>' => (TokenKind::Op(Op::Gt), i + 1),
            '\'' | '"' | '`' => {
                let mut value = String::new();
                let mut j = i + 1;
                loop {
                    match chars.get(j) {
                        None => {
                            let what = if c == '`' { "name" } else { "text" };
                            return Err(error(
                                format!("the quoted {what} opened here has no closing {c}"),
                                column,
                            ));
                        }
                        Some(&q) if q == c && chars.get(j + 1) == Some(&c) => {
                            value.push(c);
                            j += 2;
                        }
                        Some(&q) if q == c => break,
                        Some(&other) => {
                            value.push(other);
                            j += 1;
                        }
                    }
                }
                let kind = if c == '`' {
                    TokenKind::Backticked(value)
                } else {
                    TokenKind::Quoted {
                        text: value,
                        double: c == '"',
                    }
                };
                (kind, j + 1)
            }
            c if c.is_ascii_digit()
                || ((c == '-' || c == '+' || c == '.')
                    && chars
                        .get(i + 1)
                        .is_some_and(|n| n.is_ascii_digit() || *n == '.')) =>
            {
                let mut j = i + 1;
                while j < chars.len() {
                    let d = chars[j];
                    let exponent_sign =
                        matches!(d, '-' | '+') && matches!(chars[j - 1], 'e' | 'E');
                    if d.is_ascii_digit() || d == '.' || d == 'e' || d == 'E' || exponent_sign {
                        j += 1;
                    } else {
                        break;
                    }
                }
                let number: String = chars[i..j].iter().collect();
                if parse_number(&number).is_none() {
                    return Err(error(format!("'{number}' is not a number"), column));
                }
                if chars.get(j).is_some_and(|&n| is_word_start(n)) {
                    return Err(error(
                        format!(
                            "expected a space or an operator after the number {number}, found '{}'",
                            chars[j]
                        ),
                        j + 1,
                    ));
                }
                (TokenKind::Number(number), j)
            }
            c if is_word_start(c) => {
                let mut j = i + 1;
                while j < chars.len() && is_word_char(chars[j]) {
                    j += 1;
                }
                (TokenKind::Word(chars[i..j].iter().collect()), j)
            }
            other => {
                return Err(error(
                    format!(
                        "unexpected character '{other}': expected a key, a value, an operator or a parenthesis"
                    ),
                    column,
                ))
            }
        };
        tokens.push(Token {
            kind,
            column,
            end_column: next + 1,
        });
        i = next;
    }
    tokens.push(Token {
        kind: TokenKind::End,
        column: chars.len() + 1,
        end_column: chars.len() + 1,
    });
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    position: usize,
}

/// Nested parentheses and NOTs deeper than this are refused, so no filter can exhaust a
/// worker's stack.
const MAX_DEPTH: usize = 64;

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.position]
    }

    fn next(&mut self) -> Token {
        let token = self.tokens[self.position].clone();
        if token.kind != TokenKind::End {
            self.position += 1;
        }
        token
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(&self.peek().kind, TokenKind::Word(w) if w.eq_ignore_ascii_case(word))
    }

    fn or(&mut self) -> Result<Expr, QueryError> {
        self.or_at(0)
    }

    fn or_at(&mut self, depth: usize) -> Result<Expr, QueryError> {
        let mut expr = self.and(depth)?;
        while self.keyword("or") {
            self.next();
            let right = self.and(depth)?;
            expr = Expr::Or(Box::new(expr), Box::new(right));
        }
        Ok(expr)
    }

    fn and(&mut self, depth: usize) -> Result<Expr, QueryError> {
        let mut expr = self.not(depth)?;
        while self.keyword("and") {
            self.next();
            let right = self.not(depth)?;
            expr = Expr::And(Box::new(expr), Box::new(right));
        }
        Ok(expr)
    }

    fn not(&mut self, depth: usize) -> Result<Expr, QueryError> {
        if depth > MAX_DEPTH {
            return Err(error(
                format!("the filter nests deeper than {MAX_DEPTH} levels"),
                self.peek().column,
            ));
        }
        if self.keyword("not") {
            self.next();
            return Ok(Expr::Not(Box::new(self.not(depth + 1)?)));
        }
        if self.peek().kind == TokenKind::Open {
            let open = self.next();
            let expr = self.or_at(depth + 1)?;
            let close = self.next();
            if close.kind != TokenKind::Close {
                return Err(error(
                    format!(
                        "expected ')' to close the '(' at column {}, found {}",
                        open.column,
                        close.kind.describe()
                    ),
                    close.column,
                ));
            }
            return Ok(expr);
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, QueryError> {
        let (key, key_text) = self.key()?;
        let op_token = self.next();
        let op = match &op_token.kind {
            TokenKind::Op(op) => *op,
            TokenKind::Word(w) if w.eq_ignore_ascii_case("like") => Op::Like,
            TokenKind::Word(w) if w.eq_ignore_ascii_case("ilike") => Op::ILike,
            other => {
                return Err(error(
                    format!(
                        "expected a comparison (=, !=, <, <=, >, >=, LIKE, ILIKE) after {key_text}, found {}",
                        other.describe()
                    ),
                    op_token.column,
                ))
            }
        };
        let value = self.next();
        let text = match value.kind {
            TokenKind::Number(number) => number,
            TokenKind::Quoted { text, .. } => text,
            TokenKind::Word(word) => {
                return Err(error(
                    format!(
                    "expected a value after '{}', found the word '{word}': quote text ('{word}')",
                    op.text()
                ),
                    value.column,
                ))
            }
            other => {
                return Err(error(
                    format!(
                        "expected a value after '{}', found {}",
                        op.text(),
                        other.describe()
                    ),
                    value.column,
                ))
            }
        };
        let operand = if key.is_numeric() {
            if matches!(op, Op::Like | Op::ILike) {
                return Err(error(
                    format!("{key_text} is a number: {} compares text", op.text()),
                    op_token.column,
                ));
            }
            match parse_number(&text) {
                Some(number) => Operand::Number(number),
                None => {
                    return Err(error(
                        format!("{key_text} is a number: compare it with a number, not '{text}'"),
                        value.column,
                    ))
                }
            }
        } else if op == Op::Like {
            Operand::Pattern(text.chars().collect())
        } else if op == Op::ILike {
            Operand::Pattern(text.chars().flat_map(char::to_lowercase).collect())
        } else {
            let number = parse_number(&text);
            Operand::Text { text, number }
        };
        let fold_case = matches!(key, Key::Attribute(Attribute::Status | Attribute::Kind));
        Ok(Expr::Compare(Comparison {
            key,
            op,
            operand,
            fold_case,
        }))
    }

    /// A key: `metrics.name`, ``metrics.`a name` ``, `metrics."a name"`, `status`.
    fn key(&mut self) -> Result<(Key, String), QueryError> {
        let token = self.next();
        let TokenKind::Word(word) = &token.kind else {
            return Err(error(
                format!(
                    "expected a key such as metrics.r2, params.max_depth, tags.source or status, found {}",
                    token.kind.describe()
                ),
                token.column,
            ));
        };
        let Some((prefix, rest)) = word.split_once('.') else {
            return match Attribute::named(word) {
                Some(attribute) => Ok((Key::Attribute(attribute), word.clone())),
                None => Err(error(
                    format!(
                        "unknown attribute '{word}': expected metrics.<name>, params.<name>, tags.<name> or an attribute such as status, name, duration, started"
                    ),
                    token.column,
                )),
            };
        };
        let Some(kind) = KeyKind::of_prefix(prefix) else {
            return Err(error(
                format!(
                    "unknown key type '{prefix}': expected metrics., params., tags. or attributes."
                ),
                token.column,
            ));
        };
        let name = if rest.is_empty() {
            // A quoted name right after the dot.
            let quoted = self.peek().clone();
            let adjacent = quoted.column == token.end_column;
            match quoted.kind {
                TokenKind::Backticked(name) | TokenKind::Quoted { text: name, double: true }
                    if adjacent =>
                {
                    self.next();
                    name
                }
                _ => {
                    return Err(error(
                        format!("expected a name after '{prefix}.' (quote one holding spaces with backticks)"),
                        token.end_column,
                    ))
                }
            }
        } else {
            rest.to_string()
        };
        let key = match kind {
            KeyKind::Metric => Key::Metric(name),
            KeyKind::Param => Key::Param(name),
            KeyKind::Tag => Key::Tag(name),
            KeyKind::Attribute => match Attribute::named(&name) {
                Some(attribute) => Key::Attribute(attribute),
                None => {
                    return Err(error(
                        format!(
                            "unknown attribute '{name}': expected one of {}",
                            attribute_list()
                        ),
                        token.column,
                    ))
                }
            },
        };
        let shown = key.column();
        Ok((key, shown))
    }
}

fn attribute_list() -> String {
    ATTRIBUTES
        .iter()
        .map(|a| a.name())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::experiments::{RunStatus, RUN_SCHEMA_VERSION};

    fn run(name: &str, metrics: &[(&str, f64)], params: &[(&str, &str)]) -> RunRecord {
        RunRecord {
            schema_version: RUN_SCHEMA_VERSION,
            run_id: format!("id-{name}"),
            experiment_id: "e".to_string(),
            name: name.to_string(),
            kind: RunKind::Candidate,
            parent_run_id: None,
            status: RunStatus::Finished,
            started_at_ms: 1_000.0,
            duration_secs: 2.5,
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            metrics: metrics.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            history: Vec::new(),
            dataset_id: None,
            dataset_name: None,
            dataset_content_hash: None,
            recipe_hashes: Vec::new(),
            seed: Some(7),
            code_version: "studio 0.1.0".to_string(),
            tags: BTreeMap::from([("source".to_string(), "automl".to_string())]),
            notes: String::new(),
            artifacts: Vec::new(),
            model_id: None,
            action_id: None,
            findings: Vec::new(),
        }
    }

    /// `filter` matches exactly the runs named in `expected`.
    fn check(filter: &str, expected: &[&str]) {
        let runs = [
            run(
                "deep",
                &[("r2", 0.9), ("rmse", 3.0)],
                &[("max_depth", "12"), ("algorithm", "gbdt")],
            ),
            run(
                "shallow",
                &[("r2", 0.85)],
                &[("max_depth", "4"), ("algorithm", "forest")],
            ),
            run(
                "unbounded",
                &[("r2", 0.5), ("rmse", f64::NAN)],
                &[("max_depth", "None"), ("algorithm", "gbdt")],
            ),
            run("bare", &[], &[("learning_rate", "0.10")]),
        ];
        let parsed = parse_filter(filter).unwrap_or_else(|e| panic!("{filter}: {e}"));
        let found: Vec<&str> = runs
            .iter()
            .filter(|r| parsed.matches(r))
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(found, expected, "{filter}");
    }

    fn check_error(filter: &str, expected: &str) {
        let found = parse_filter(filter).unwrap_err().to_string();
        assert_eq!(found, expected, "{filter}");
    }

    #[test]
    fn comparisons_and_logic() {
        check("", &["deep", "shallow", "unbounded", "bare"]);
        check("metrics.r2 > 0.8 and params.max_depth < 8", &["shallow"]);
        check("metrics.r2 > 0.8 AND params.max_depth >= 8", &["deep"]);
        check("params.algorithm = 'gbdt'", &["deep", "unbounded"]);
        check("params.algorithm = \"gbdt\"", &["deep", "unbounded"]);
        check("params.algorithm != 'gbdt'", &["shallow"]);
        check("not params.algorithm = 'gbdt'", &["shallow", "bare"]);
        check(
            "(metrics.r2 < 0.6 or metrics.r2 > 0.88) and params.algorithm = 'gbdt'",
            &["deep", "unbounded"],
        );
        check(
            "metrics.r2 >= 0.85 or name like 'b%'",
            &["deep", "shallow", "bare"],
        );
        check("params.learning_rate = 0.1", &["bare"]);
        check("params.learning_rate = '0.1'", &["bare"]);
        check("params.learning_rate = '0.10'", &["bare"]);
        check("params.max_depth = 'None'", &["unbounded"]);
        check("params.max_depth > 8", &["deep"]);
        check("params.max_depth < 'Z'", &["unbounded"]);
        check("metrics.rmse != 3", &["unbounded"]);
        check("metrics.rmse = 3.0", &["deep"]);
    }

    #[test]
    fn attributes_with_and_without_prefix() {
        check(
            "attributes.status = 'FINISHED'",
            &["deep", "shallow", "unbounded", "bare"],
        );
        check(
            "status = 'finished' and duration < 3",
            &["deep", "shallow", "unbounded", "bare"],
        );
        check("status != 'FINISHED'", &[]);
        check("run.name ilike 'DEEP'", &["deep"]);
        check("name LIKE '%o%'", &["shallow", "unbounded"]);
        check("name like '_are'", &["bare"]);
        check(
            "started >= 1000 and attr.seed = 7 and kind = 'CANDIDATE'",
            &["deep", "shallow", "unbounded", "bare"],
        );
        check("tags.source != 'automl'", &[]);
        check("tags.missing = 'x' or tags.missing != 'x'", &[]);
    }

    #[test]
    fn quoted_key_names() {
        let mut spaced = run("spaced", &[("my metric", 2.0), ("a.b", 1.0)], &[]);
        spaced.run_id = "s".to_string();
        for filter in [
            "metrics.`my metric` = 2",
            "metrics.\"my metric\" > 1",
            "metrics.`a.b` = 1",
            "metrics.a.b = 1",
        ] {
            assert!(parse_filter(filter).unwrap().matches(&spaced), "{filter}");
        }
        check_error(
            "metrics. `my metric` = 2",
            "expected a name after 'metrics.' (quote one holding spaces with backticks) at column 9",
        );
    }

    #[test]
    fn errors_name_the_column_and_what_was_expected() {
        check_error(
            "metrics.r2 > ",
            "expected a value after '>', found the end of the filter at column 14",
        );
        check_error(
            "metrics.r2 > 0.8 and",
            "expected a key such as metrics.r2, params.max_depth, tags.source or status, found the end of the filter at column 21",
        );
        check_error(
            "params.algorithm = gbdt",
            "expected a value after '=', found the word 'gbdt': quote text ('gbdt') at column 20",
        );
        check_error(
            "metrics.r2 = 'high'",
            "metrics.r2 is a number: compare it with a number, not 'high' at column 14",
        );
        check_error(
            "metrics.r2 like '1%'",
            "metrics.r2 is a number: LIKE compares text at column 12",
        );
        check_error(
            "name = 'x",
            "the quoted text opened here has no closing ' at column 8",
        );
        check_error(
            "(status = 'FAILED'",
            "expected ')' to close the '(' at column 1, found the end of the filter at column 19",
        );
        check_error(
            "foo.bar = 1",
            "unknown key type 'foo': expected metrics., params., tags. or attributes. at column 1",
        );
        check_error(
            "colour = 'red'",
            "unknown attribute 'colour': expected metrics.<name>, params.<name>, tags.<name> or an attribute such as status, name, duration, started at column 1",
        );
        check_error(
            "name = 'a' 'b'",
            "expected AND, OR or the end of the filter, found the text 'b' at column 12",
        );
        check_error("metrics.r2 ~ 1", "unexpected character '~': expected a key, a value, an operator or a parenthesis at column 12");
        check_error(
            "metrics.r2 > 1x",
            "expected a space or an operator after the number 1, found 'x' at column 15",
        );
        check_error("metrics.r2 > 1.2.3", "'1.2.3' is not a number at column 14");
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = format!(
            "{}status = 'FAILED'{}",
            "(".repeat(10_000),
            ")".repeat(10_000)
        );
        assert!(parse_filter(&deep)
            .unwrap_err()
            .to_string()
            .contains("nests deeper"));
        let nots = format!("{}status = 'FAILED'", "not ".repeat(10_000));
        assert!(parse_filter(&nots).is_err());
    }

    #[test]
    fn like_patterns() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        assert!(like(&chars("gbdt"), &chars("g%")));
        assert!(like(&chars("gbdt"), &chars("%d%")));
        assert!(like(&chars("gbdt"), &chars("g__t")));
        assert!(!like(&chars("gbdt"), &chars("g_t")));
        assert!(like(&chars(""), &chars("%")));
        assert!(!like(&chars(""), &chars("_")));
        assert!(like(&chars("aaab"), &chars("%a%b")));
        assert!(!like(&chars("aaac"), &chars("%a%b")));
    }
}
