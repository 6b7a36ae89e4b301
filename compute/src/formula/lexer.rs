//! Splits formula text into tokens with char spans.

use std::ops::Range;

use super::ast::{is_identifier_continue, is_identifier_start};
use super::FormulaError;

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok {
    Integer(i64),
    Float(f64),
    Text(String),
    /// A bare word: a column name, a function name or a keyword.
    Word(String),
    /// A `` `backticked` `` column name.
    Quoted(String),
    LeftParen,
    RightParen,
    Comma,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    AndAnd,
    OrOr,
    End,
}

#[derive(Clone, Debug)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) span: Range<usize>,
}

impl Token {
    pub(super) fn is_word(&self, keyword: &str) -> bool {
        matches!(&self.tok, Tok::Word(word) if word.eq_ignore_ascii_case(keyword))
    }
}

/// Tokens of `source`, always ending with [`Tok::End`].
pub(super) fn tokenize(source: &str) -> Result<Vec<Token>, FormulaError> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        let c = chars[at];
        if c.is_whitespace() {
            at += 1;
            continue;
        }
        let start = at;
        let next = chars.get(at + 1).copied();
        let (tok, len) = match c {
            '(' => (Tok::LeftParen, 1),
            ')' => (Tok::RightParen, 1),
            ',' => (Tok::Comma, 1),
            '+' => (Tok::Plus, 1),
            '-' => (Tok::Minus, 1),
            '*' => (Tok::Star, 1),
            '/' => (Tok::Slash, 1),
            '%' => (Tok::Percent, 1),
            '=' if next == Some('=') => (Tok::Equal, 2),
            '=' => (Tok::Equal, 1),
            '!' if next == Some('=') => (Tok::NotEqual, 2),
            '<' if next == Some('>') => (Tok::NotEqual, 2),
            '<' if next == Some('=') => (Tok::LessEqual, 2),
            '<' => (Tok::Less, 1),
            '>' if next == Some('=') => (Tok::GreaterEqual, 2),
            '>' => (Tok::Greater, 1),
            '&' if next == Some('&') => (Tok::AndAnd, 2),
            '|' if next == Some('|') => (Tok::OrOr, 2),
            '"' | '\'' => {
                let (text, end) = text_literal(&chars, at)?;
                (Tok::Text(text), end - at)
            }
            '`' => {
                let (name, end) = quoted_name(&chars, at)?;
                (Tok::Quoted(name), end - at)
            }
            c if c.is_ascii_digit() || (c == '.' && next.is_some_and(|n| n.is_ascii_digit())) => {
                let (tok, end) = number(&chars, at)?;
                (tok, end - at)
            }
            c if is_identifier_start(c) => {
                let end = (at..chars.len())
                    .find(|&i| !is_identifier_continue(chars[i]))
                    .unwrap_or(chars.len());
                (Tok::Word(chars[at..end].iter().collect()), end - at)
            }
            '!' => {
                return Err(FormulaError::at(
                    at..at + 1,
                    "unexpected '!'; write 'not' to negate a condition",
                ))
            }
            '&' => {
                return Err(FormulaError::at(
                    at..at + 1,
                    "unexpected '&'; write 'and' (or &&) to combine conditions, or + to join text",
                ))
            }
            '|' => {
                return Err(FormulaError::at(
                    at..at + 1,
                    "unexpected '|'; write 'or' (or ||) to combine conditions",
                ))
            }
            c => {
                return Err(FormulaError::at(
                    at..at + 1,
                    format!("unexpected character '{c}'"),
                ))
            }
        };
        at += len;
        tokens.push(Token {
            tok,
            span: start..at,
        });
    }
    tokens.push(Token {
        tok: Tok::End,
        span: chars.len()..chars.len(),
    });
    Ok(tokens)
}

/// A quoted text starting at `start`; returns the text and the offset after the closing quote.
fn text_literal(chars: &[char], start: usize) -> Result<(String, usize), FormulaError> {
    let quote = chars[start];
    let mut text = String::new();
    let mut at = start + 1;
    loop {
        match chars.get(at) {
            None => {
                return Err(FormulaError::at(
                    start..chars.len(),
                    format!("unterminated text: add the closing {quote}"),
                ))
            }
            Some(&c) if c == quote => return Ok((text, at + 1)),
            Some('\\') => {
                let escaped = match chars.get(at + 1) {
                    Some('n') => '\n',
                    Some('t') => '\t',
                    Some('r') => '\r',
                    Some(&c @ ('\\' | '"' | '\'')) => c,
                    Some(&c) => {
                        return Err(FormulaError::at(
                            at..at + 2,
                            format!("unknown escape \\{c} in text; write \\\\ for a backslash"),
                        ))
                    }
                    None => {
                        return Err(FormulaError::at(
                            start..chars.len(),
                            format!("unterminated text: add the closing {quote}"),
                        ))
                    }
                };
                text.push(escaped);
                at += 2;
            }
            Some(&c) => {
                text.push(c);
                at += 1;
            }
        }
    }
}

/// A `` `backticked` `` column name; a doubled backtick inside stands for one.
fn quoted_name(chars: &[char], start: usize) -> Result<(String, usize), FormulaError> {
    let mut name = String::new();
    let mut at = start + 1;
    loop {
        match chars.get(at) {
            None => {
                return Err(FormulaError::at(
                    start..chars.len(),
                    "unterminated column name: add the closing `",
                ))
            }
            Some('`') if chars.get(at + 1) == Some(&'`') => {
                name.push('`');
                at += 2;
            }
            Some('`') if name.is_empty() => {
                return Err(FormulaError::at(start..at + 1, "empty column name ``"))
            }
            Some('`') => return Ok((name, at + 1)),
            Some(&c) => {
                name.push(c);
                at += 1;
            }
        }
    }
}

/// `123`, `1.5`, `.5`, `2.`, `1e-3`. Integers too large for i64 are read as floats.
fn number(chars: &[char], start: usize) -> Result<(Tok, usize), FormulaError> {
    let digits_end = |from: usize| {
        (from..chars.len())
            .find(|&i| !chars[i].is_ascii_digit())
            .unwrap_or(chars.len())
    };
    let mut at = digits_end(start);
    let mut is_float = false;
    if chars.get(at) == Some(&'.') {
        is_float = true;
        at = digits_end(at + 1);
    }
    if matches!(chars.get(at), Some('e' | 'E')) {
        let mut exponent = at + 1;
        if matches!(chars.get(exponent), Some('+' | '-')) {
            exponent += 1;
        }
        let exponent_end = digits_end(exponent);
        if exponent_end == exponent {
            return Err(FormulaError::at(
                start..exponent,
                "malformed number: expected digits after the exponent 'e'",
            ));
        }
        is_float = true;
        at = exponent_end;
    }
    let text: String = chars[start..at].iter().collect();
    if !is_float {
        if let Ok(value) = text.parse::<i64>() {
            return Ok((Tok::Integer(value), at));
        }
    }
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() => Ok((Tok::Float(value), at)),
        _ => Err(FormulaError::at(
            start..at,
            format!("number {text} is too large"),
        )),
    }
}
