//! The parsed form of a formula, and its canonical printing.

use std::fmt;
use std::ops::Range;

/// One node of a parsed formula, with the char offsets of the source text it came from.
///
/// Recipes store the formula's source text, never an `Expr`, so this type is free to change.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    /// Char (not byte) offsets into the source; parentheses around a node are included.
    pub span: Range<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Literal(Literal),
    /// A column reference, by its exact (case-sensitive) name.
    Column(String),
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// `value [not] in (a, b, …)`.
    In {
        value: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    /// `value [not] between low and high`, both ends included.
    Between {
        value: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
        negated: bool,
    },
    /// `case when c1 then v1 … [else v] end`.
    Case {
        branches: Vec<(Expr, Expr)>,
        otherwise: Option<Box<Expr>>,
    },
    /// A function call; `function` is the lower-cased name of a known function (`x is null`
    /// is parsed as `is_null(x)`).
    Call {
        function: String,
        args: Vec<Expr>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Integer(i64),
    Float(f64),
    Text(String),
    Boolean(bool),
    Null,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Negate,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
}

/// Binding strengths, loosest first; the parser and the printer share them.
pub(super) mod precedence {
    pub const OR: u8 = 1;
    pub const AND: u8 = 2;
    pub const NOT: u8 = 3;
    pub const COMPARISON: u8 = 4;
    pub const ADDITIVE: u8 = 5;
    pub const MULTIPLICATIVE: u8 = 6;
    pub const NEGATE: u8 = 7;
    pub const PRIMARY: u8 = 8;
}

impl BinaryOp {
    pub(super) fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => precedence::OR,
            BinaryOp::And => precedence::AND,
            BinaryOp::Equal
            | BinaryOp::NotEqual
            | BinaryOp::Less
            | BinaryOp::LessEqual
            | BinaryOp::Greater
            | BinaryOp::GreaterEqual => precedence::COMPARISON,
            BinaryOp::Add | BinaryOp::Subtract => precedence::ADDITIVE,
            BinaryOp::Multiply | BinaryOp::Divide | BinaryOp::Remainder => {
                precedence::MULTIPLICATIVE
            }
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Equal => "==",
            BinaryOp::NotEqual => "!=",
            BinaryOp::Less => "<",
            BinaryOp::LessEqual => "<=",
            BinaryOp::Greater => ">",
            BinaryOp::GreaterEqual => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Subtract => "-",
            BinaryOp::Multiply => "*",
            BinaryOp::Divide => "/",
            BinaryOp::Remainder => "%",
        }
    }

    pub(super) fn is_comparison(self) -> bool {
        self.precedence() == precedence::COMPARISON
    }
}

/// Words that cannot be bare column names (write `` `and` `` instead); matched case-insensitively.
pub(super) const KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "between", "is", "true", "false", "null", "case", "when", "then",
    "else", "end",
];

pub(super) fn is_keyword(word: &str) -> bool {
    KEYWORDS
        .iter()
        .any(|keyword| keyword.eq_ignore_ascii_case(word))
}

pub(super) fn is_identifier_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

pub(super) fn is_identifier_continue(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

impl Expr {
    pub(super) fn new(kind: ExprKind, span: Range<usize>) -> Expr {
        Expr { kind, span }
    }

    fn precedence(&self) -> u8 {
        match &self.kind {
            ExprKind::Binary { op, .. } => op.precedence(),
            ExprKind::Unary {
                op: UnaryOp::Not, ..
            } => precedence::NOT,
            ExprKind::Unary {
                op: UnaryOp::Negate,
                ..
            } => precedence::NEGATE,
            ExprKind::In { .. } | ExprKind::Between { .. } => precedence::COMPARISON,
            ExprKind::Literal(_)
            | ExprKind::Column(_)
            | ExprKind::Case { .. }
            | ExprKind::Call { .. } => precedence::PRIMARY,
        }
    }

    /// The distinct column names the formula reads, in order of first use.
    pub fn column_names(&self) -> Vec<&str> {
        let mut names = Vec::new();
        self.visit(&mut |expr| {
            if let ExprKind::Column(name) = &expr.kind {
                if !names.contains(&name.as_str()) {
                    names.push(name.as_str());
                }
            }
        });
        names
    }

    /// Calls `visit` on this node and every node below it, parents first.
    pub fn visit<'a>(&'a self, visit: &mut impl FnMut(&'a Expr)) {
        visit(self);
        match &self.kind {
            ExprKind::Literal(_) | ExprKind::Column(_) => {}
            ExprKind::Unary { operand, .. } => operand.visit(visit),
            ExprKind::Binary { left, right, .. } => {
                left.visit(visit);
                right.visit(visit);
            }
            ExprKind::In { value, list, .. } => {
                value.visit(visit);
                list.iter().for_each(|item| item.visit(visit));
            }
            ExprKind::Between {
                value, low, high, ..
            } => {
                value.visit(visit);
                low.visit(visit);
                high.visit(visit);
            }
            ExprKind::Case {
                branches,
                otherwise,
            } => {
                for (condition, result) in branches {
                    condition.visit(visit);
                    result.visit(visit);
                }
                if let Some(otherwise) = otherwise {
                    otherwise.visit(visit);
                }
            }
            ExprKind::Call { args, .. } => args.iter().for_each(|arg| arg.visit(visit)),
        }
    }
}

/// Writes `expr`, in parentheses when it binds looser than `min_precedence`.
fn write_operand(f: &mut fmt::Formatter<'_>, expr: &Expr, min_precedence: u8) -> fmt::Result {
    if expr.precedence() < min_precedence {
        write!(f, "({expr})")
    } else {
        write!(f, "{expr}")
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, items: &[Expr]) -> fmt::Result {
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

/// Prints the canonical source of a formula: lower-case keywords and function names, `==`
/// and `!=`, parentheses only where precedence needs them. Parsing the printed text gives
/// back the same tree (spans aside).
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Literal(literal) => write!(f, "{literal}"),
            ExprKind::Column(name) => write_column_name(f, name),
            ExprKind::Unary {
                op: UnaryOp::Not,
                operand,
            } => {
                f.write_str("not ")?;
                write_operand(f, operand, precedence::NOT)
            }
            ExprKind::Unary {
                op: UnaryOp::Negate,
                operand,
            } => {
                f.write_str("-")?;
                // `-(-x)`, never `--x`.
                write_operand(f, operand, precedence::NEGATE + 1)
            }
            ExprKind::Binary { op, left, right } => {
                let precedence = op.precedence();
                // Comparisons do not chain, so a comparison on either side needs parentheses.
                let left_min = if op.is_comparison() {
                    precedence + 1
                } else {
                    precedence
                };
                write_operand(f, left, left_min)?;
                write!(f, " {} ", op.symbol())?;
                write_operand(f, right, precedence + 1)
            }
            ExprKind::In {
                value,
                list,
                negated,
            } => {
                write_operand(f, value, precedence::COMPARISON + 1)?;
                f.write_str(if *negated { " not in (" } else { " in (" })?;
                write_list(f, list)?;
                f.write_str(")")
            }
            ExprKind::Between {
                value,
                low,
                high,
                negated,
            } => {
                write_operand(f, value, precedence::COMPARISON + 1)?;
                f.write_str(if *negated {
                    " not between "
                } else {
                    " between "
                })?;
                write_operand(f, low, precedence::ADDITIVE)?;
                f.write_str(" and ")?;
                write_operand(f, high, precedence::ADDITIVE)
            }
            ExprKind::Case {
                branches,
                otherwise,
            } => {
                f.write_str("case")?;
                for (condition, result) in branches {
                    write!(f, " when {condition} then {result}")?;
                }
                if let Some(otherwise) = otherwise {
                    write!(f, " else {otherwise}")?;
                }
                f.write_str(" end")
            }
            ExprKind::Call { function, args } => {
                write!(f, "{function}(")?;
                write_list(f, args)?;
                f.write_str(")")
            }
        }
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Integer(value) => write!(f, "{value}"),
            // `{:?}` always shows a `.` or an exponent, so the value reads back as a float.
            Literal::Float(value) => write!(f, "{value:?}"),
            Literal::Boolean(value) => write!(f, "{value}"),
            Literal::Null => f.write_str("null"),
            Literal::Text(text) => {
                f.write_str("\"")?;
                for c in text.chars() {
                    match c {
                        '"' => f.write_str("\\\"")?,
                        '\\' => f.write_str("\\\\")?,
                        '\n' => f.write_str("\\n")?,
                        '\t' => f.write_str("\\t")?,
                        '\r' => f.write_str("\\r")?,
                        c => write!(f, "{c}")?,
                    }
                }
                f.write_str("\"")
            }
        }
    }
}

/// A bare name when it reads back as one, otherwise backticks with `` ` `` doubled.
pub(super) fn write_column_name(f: &mut impl fmt::Write, name: &str) -> fmt::Result {
    let mut chars = name.chars();
    let plain = chars.next().is_some_and(is_identifier_start)
        && chars.all(is_identifier_continue)
        && !is_keyword(name);
    if plain {
        f.write_str(name)
    } else {
        write!(f, "`{}`", name.replace('`', "``"))
    }
}
