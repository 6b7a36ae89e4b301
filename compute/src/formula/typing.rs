//! Type rules: which operand types each operator and function accepts, and what it returns.
//!
//! Both [`super::check`] and the evaluator go through these functions, so a formula that
//! checks cannot meet a type the kernels do not handle.

use std::ops::Range;

use super::ast::{BinaryOp, Expr, ExprKind, Literal, UnaryOp};
use super::functions::{self, Accepts};
use super::FormulaError;
use crate::schema::ColumnType;

/// The type of a value inside a formula. Categorical columns read as `Text`; `Null` is the
/// type of the `null` literal, which fits anywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ty {
    Null,
    Integer,
    Float,
    Boolean,
    Text,
    Date,
    Datetime,
}

impl Ty {
    pub(super) fn of_column(column_type: ColumnType) -> Ty {
        match column_type {
            ColumnType::Integer => Ty::Integer,
            ColumnType::Float => Ty::Float,
            ColumnType::Boolean => Ty::Boolean,
            ColumnType::String | ColumnType::Categorical => Ty::Text,
            ColumnType::Date => Ty::Date,
            ColumnType::Datetime => Ty::Datetime,
        }
    }

    /// The column type of a result; a formula that is always null gives an empty Float column.
    pub(super) fn column_type(self) -> ColumnType {
        match self {
            Ty::Null | Ty::Float => ColumnType::Float,
            Ty::Integer => ColumnType::Integer,
            Ty::Boolean => ColumnType::Boolean,
            Ty::Text => ColumnType::String,
            Ty::Date => ColumnType::Date,
            Ty::Datetime => ColumnType::Datetime,
        }
    }

    pub(super) fn noun(self) -> &'static str {
        match self {
            Ty::Null => "null",
            Ty::Integer | Ty::Float => "a number",
            Ty::Boolean => "a true/false value",
            Ty::Text => "text",
            Ty::Date => "a date",
            Ty::Datetime => "a date-time",
        }
    }

    fn is_number(self) -> bool {
        matches!(self, Ty::Integer | Ty::Float)
    }

    fn is_temporal(self) -> bool {
        matches!(self, Ty::Date | Ty::Datetime)
    }

    fn fits(self, accepts: Accepts) -> bool {
        self == Ty::Null
            || match accepts {
                Accepts::Any => true,
                Accepts::Boolean => self == Ty::Boolean,
                Accepts::Number => self.is_number(),
                Accepts::Integer => self == Ty::Integer,
                Accepts::Text => self == Ty::Text,
                Accepts::Temporal => self.is_temporal(),
                Accepts::Datetime => self == Ty::Datetime,
                Accepts::TextOrNumber => self == Ty::Text || self.is_number(),
                Accepts::TextOrTemporal => self == Ty::Text || self.is_temporal(),
                Accepts::Ordered => self != Ty::Boolean,
            }
    }
}

/// The common type of two values that may stand in the same place (if branches, coalesce…).
pub(super) fn unify(a: Ty, b: Ty) -> Option<Ty> {
    match (a, b) {
        (Ty::Null, other) | (other, Ty::Null) => Some(other),
        (a, b) if a == b => Some(a),
        (a, b) if a.is_number() && b.is_number() => Some(Ty::Float),
        (a, b) if a.is_temporal() && b.is_temporal() => Some(Ty::Datetime),
        _ => None,
    }
}

/// Resolves column names and infers the type of every node.
pub(super) fn infer(expr: &Expr, schema: &[(String, ColumnType)]) -> Result<Ty, FormulaError> {
    let span = expr.span.clone();
    match &expr.kind {
        ExprKind::Literal(literal) => Ok(match literal {
            Literal::Integer(_) => Ty::Integer,
            Literal::Float(_) => Ty::Float,
            Literal::Text(_) => Ty::Text,
            Literal::Boolean(_) => Ty::Boolean,
            Literal::Null => Ty::Null,
        }),
        ExprKind::Column(name) => match schema.iter().find(|(column, _)| column == name) {
            Some((_, column_type)) => Ok(Ty::of_column(*column_type)),
            None => {
                let mut message = format!("unknown column \"{name}\"");
                let names = schema.iter().map(|(column, _)| column.as_str());
                if let Some(suggestion) = functions::closest(name, names) {
                    message.push_str(&format!("; did you mean \"{suggestion}\"?"));
                }
                Err(FormulaError::at(span, message))
            }
        },
        ExprKind::Unary { op, operand } => {
            unary_type(*op, infer(operand, schema)?, operand.span.clone())
        }
        ExprKind::Binary { op, left, right } => binary_type(
            *op,
            (infer(left, schema)?, left.span.clone()),
            (infer(right, schema)?, right.span.clone()),
            span,
        ),
        ExprKind::In { value, list, .. } => {
            let value_ty = infer(value, schema)?;
            for item in list {
                let item_ty = infer(item, schema)?;
                comparable(BinaryOp::Equal, value_ty, item_ty, item.span.clone())?;
            }
            Ok(Ty::Boolean)
        }
        ExprKind::Between {
            value, low, high, ..
        } => {
            let value_ty = infer(value, schema)?;
            for end in [low, high] {
                let end_ty = infer(end, schema)?;
                comparable(BinaryOp::LessEqual, value_ty, end_ty, end.span.clone())?;
            }
            Ok(Ty::Boolean)
        }
        ExprKind::Case {
            branches,
            otherwise,
        } => {
            let mut result = Ty::Null;
            let results = branches
                .iter()
                .map(|(_, result)| result)
                .chain(otherwise.as_deref());
            for (condition, _) in branches {
                let condition_ty = infer(condition, schema)?;
                if !condition_ty.fits(Accepts::Boolean) {
                    return Err(FormulaError::at(
                        condition.span.clone(),
                        format!(
                            "the condition after 'when' must be true/false, found {}",
                            condition_ty.noun()
                        ),
                    ));
                }
            }
            for value in results {
                let ty = infer(value, schema)?;
                result = unify(result, ty).ok_or_else(|| {
                    FormulaError::at(
                        value.span.clone(),
                        format!(
                            "every result of 'case' must have the same type; found {} and {}",
                            result.noun(),
                            ty.noun()
                        ),
                    )
                })?;
            }
            Ok(result)
        }
        ExprKind::Call { function, args } => {
            let mut typed = Vec::with_capacity(args.len());
            for arg in args {
                typed.push((infer(arg, schema)?, arg));
            }
            if function == "date" {
                if let ExprKind::Literal(Literal::Text(text)) = &args[0].kind {
                    if parse_date(text).is_none() {
                        return Err(FormulaError::at(
                            args[0].span.clone(),
                            format!("\"{text}\" is not a valid date; write dates as YYYY-MM-DD"),
                        ));
                    }
                }
            }
            call_type(function, &typed)
        }
    }
}

pub(super) fn unary_type(op: UnaryOp, operand: Ty, span: Range<usize>) -> Result<Ty, FormulaError> {
    match op {
        UnaryOp::Negate if operand == Ty::Null || operand.is_number() => Ok(operand),
        UnaryOp::Negate => Err(FormulaError::at(
            span,
            format!("cannot negate {}", operand.noun()),
        )),
        UnaryOp::Not if operand.fits(Accepts::Boolean) => Ok(Ty::Boolean),
        UnaryOp::Not => Err(FormulaError::at(
            span,
            format!("'not' needs a true/false value, found {}", operand.noun()),
        )),
    }
}

pub(super) fn binary_type(
    op: BinaryOp,
    (left, left_span): (Ty, Range<usize>),
    (right, right_span): (Ty, Range<usize>),
    span: Range<usize>,
) -> Result<Ty, FormulaError> {
    match op {
        BinaryOp::And | BinaryOp::Or => {
            for (ty, side_span) in [(left, left_span), (right, right_span)] {
                if !ty.fits(Accepts::Boolean) {
                    return Err(FormulaError::at(
                        side_span,
                        format!(
                            "'{}' needs true/false values on both sides, found {}",
                            op.symbol(),
                            ty.noun()
                        ),
                    ));
                }
            }
            Ok(Ty::Boolean)
        }
        op if op.is_comparison() => {
            comparable(op, left, right, span)?;
            Ok(Ty::Boolean)
        }
        _ => arithmetic_type(op, left, right).ok_or_else(|| {
            let (l, r) = (left.noun(), right.noun());
            let mut message = match op {
                BinaryOp::Add => format!("cannot add {l} and {r}"),
                BinaryOp::Subtract => format!("cannot subtract {r} from {l}"),
                BinaryOp::Multiply => format!("cannot multiply {l} by {r}"),
                BinaryOp::Divide => format!("cannot divide {l} by {r}"),
                _ => format!("cannot take the remainder of {l} divided by {r}"),
            };
            if op == BinaryOp::Add && (left == Ty::Text || right == Ty::Text) {
                message.push_str("; use concat() to join values as text");
            } else if left == Ty::Boolean || right == Ty::Boolean {
                message.push_str("; use if(x, 1, 0) to count true/false values");
            }
            FormulaError::at(span, message)
        }),
    }
}

/// `+ - * / %`: integers stay integers except for `/`; text `+` text joins; a date plus or
/// minus an integer is a date; a date minus a date is a day count. A `null` operand takes the
/// type that makes the operation valid.
fn arithmetic_type(op: BinaryOp, left: Ty, right: Ty) -> Option<Ty> {
    let stand_in = |other: Ty| {
        if other == Ty::Text {
            Ty::Text
        } else {
            Ty::Integer
        }
    };
    let (left, right) = match (left, right) {
        (Ty::Null, Ty::Null) => return Some(Ty::Null),
        (Ty::Null, right) => (stand_in(right), right),
        (left, Ty::Null) => (left, stand_in(left)),
        both => both,
    };
    match (op, left, right) {
        (BinaryOp::Divide, l, r) if l.is_number() && r.is_number() => Some(Ty::Float),
        (_, Ty::Integer, Ty::Integer) => Some(Ty::Integer),
        (_, l, r) if l.is_number() && r.is_number() => Some(Ty::Float),
        (BinaryOp::Add, Ty::Text, Ty::Text) => Some(Ty::Text),
        (BinaryOp::Add, Ty::Date, Ty::Integer) | (BinaryOp::Add, Ty::Integer, Ty::Date) => {
            Some(Ty::Date)
        }
        (BinaryOp::Subtract, Ty::Date, Ty::Integer) => Some(Ty::Date),
        (BinaryOp::Subtract, Ty::Date, Ty::Date) => Some(Ty::Integer),
        _ => None,
    }
}

fn comparable(op: BinaryOp, left: Ty, right: Ty, span: Range<usize>) -> Result<(), FormulaError> {
    let ordering = !matches!(op, BinaryOp::Equal | BinaryOp::NotEqual);
    let fine = match (left, right) {
        (Ty::Null, _) | (_, Ty::Null) => true,
        (Ty::Boolean, Ty::Boolean) => !ordering,
        (l, r) => {
            (l.is_number() && r.is_number())
                || (l == Ty::Text && r == Ty::Text)
                || (l.is_temporal() && r.is_temporal())
        }
    };
    if fine {
        return Ok(());
    }
    let message = if left == Ty::Boolean && right == Ty::Boolean {
        format!(
            "cannot order true/false values with {}; only == and != compare them",
            op.symbol()
        )
    } else {
        let mut message = format!("cannot compare {} with {}", left.noun(), right.noun());
        if (left.is_temporal() && right == Ty::Text) || (left == Ty::Text && right.is_temporal()) {
            message.push_str("; write a date as date(\"YYYY-MM-DD\")");
        }
        message
    };
    Err(FormulaError::at(span, message))
}

/// The result type of a call whose name and argument count the parser already checked.
pub(super) fn call_type(function: &str, args: &[(Ty, &Expr)]) -> Result<Ty, FormulaError> {
    let definition = functions::lookup(function).expect("the parser accepts only known functions");
    for (index, (ty, arg)) in args.iter().enumerate() {
        let accepts = definition.accepts(index);
        if !ty.fits(accepts) {
            let message = if definition.max_args == Some(1) {
                format!("{function}() needs {}, found {}", accepts.noun(), ty.noun())
            } else {
                let found = match (accepts, ty) {
                    (Accepts::Integer, Ty::Float) => "a decimal number",
                    _ => ty.noun(),
                };
                format!(
                    "argument {} of {function}() must be {}, found {found}",
                    index + 1,
                    accepts.noun()
                )
            };
            return Err(FormulaError::at(arg.span.clone(), message));
        }
    }
    let first = args[0].0;
    let unified = |from: usize, what: &str| -> Result<Ty, FormulaError> {
        let mut result = Ty::Null;
        for (ty, arg) in &args[from..] {
            result = unify(result, *ty).ok_or_else(|| {
                FormulaError::at(
                    arg.span.clone(),
                    format!(
                        "{what} of {function}() must have the same type; found {} and {}",
                        result.noun(),
                        ty.noun()
                    ),
                )
            })?;
        }
        Ok(result)
    };
    Ok(match function {
        "if" => unified(1, "the two values")?,
        "coalesce" | "min" | "max" => unified(0, "the arguments")?,
        "clip" => unified(0, "the arguments")?,
        "abs" | "round" | "floor" | "ceil" => first,
        "is_null" | "is_not_null" | "contains" | "starts_with" | "ends_with" => Ty::Boolean,
        "sign" | "length" | "len" | "year" | "month" | "day" | "weekday" | "hour" | "minute"
        | "date_diff_days" => Ty::Integer,
        "sqrt" | "exp" | "ln" | "log" | "log10" | "log1p" | "pow" | "to_number" => Ty::Float,
        "lower" | "upper" | "trim" | "substr" | "replace" | "concat" | "to_string" => Ty::Text,
        "date" => Ty::Date,
        other => unreachable!("function {other} has no result type"),
    })
}

/// `YYYY-MM-DD` (or with `/`, one-digit months and days allowed) as days since 1970-01-01.
pub(super) fn parse_date(text: &str) -> Option<i32> {
    use crate::frame::calendar::{days_from_civil, days_in_month};
    let text = text.trim();
    let separator = if text.contains('/') { '/' } else { '-' };
    let mut parts = text.split(separator);
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |part: &str, lengths: std::ops::RangeInclusive<usize>| {
        (lengths.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<u32>().ok())
            .flatten()
    };
    let (year, month, day) = (
        digits(year, 4..=4)?,
        digits(month, 1..=2)?,
        digits(day, 1..=2)?,
    );
    let year = i64::from(year);
    if parts.next().is_some() || !(1..=12).contains(&month) || day == 0 {
        return None;
    }
    if day > days_in_month(year, month) {
        return None;
    }
    i32::try_from(days_from_civil(year, month, day)).ok()
}
