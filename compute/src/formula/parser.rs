//! Precedence-climbing parser from tokens to [`Expr`].

use super::ast::{is_keyword, precedence, BinaryOp, Expr, ExprKind, Literal, UnaryOp};
use super::functions::{self, FUNCTIONS};
use super::lexer::{tokenize, Tok, Token};
use super::FormulaError;

pub(super) fn parse(source: &str) -> Result<Expr, FormulaError> {
    let tokens = tokenize(source)?;
    if tokens.len() == 1 {
        return Err(FormulaError {
            message: "the formula is empty".to_string(),
            position: None,
        });
    }
    let chars: Vec<char> = source.chars().collect();
    let mut parser = Parser {
        tokens,
        at: 0,
        chars,
    };
    let expr = parser.expr(0)?;
    let next = parser.peek();
    match next.tok {
        Tok::End => Ok(expr),
        Tok::RightParen => Err(FormulaError::at(
            next.span.clone(),
            "unexpected ')' without a matching '('",
        )),
        _ => Err(FormulaError::at(
            next.span.clone(),
            format!(
                "expected an operator or the end of the formula, found {}",
                parser.describe(next)
            ),
        )),
    }
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    chars: Vec<char>,
}

/// What follows a left operand.
enum Infix {
    Binary(BinaryOp),
    In { negated: bool },
    Between { negated: bool },
    Is,
}

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.at]
    }

    fn peek_second(&self) -> &Token {
        &self.tokens[(self.at + 1).min(self.tokens.len() - 1)]
    }

    fn advance(&mut self) -> Token {
        let token = self.tokens[self.at].clone();
        if !matches!(token.tok, Tok::End) {
            self.at += 1;
        }
        token
    }

    fn text(&self, token: &Token) -> String {
        self.chars[token.span.clone()].iter().collect()
    }

    fn describe(&self, token: &Token) -> String {
        match token.tok {
            Tok::End => "the end of the formula".to_string(),
            _ => format!("'{}'", self.text(token)),
        }
    }

    /// An error at the current token: `unexpected end of formula; {expected}` or
    /// `{expected}, found '…'`.
    fn expected(&self, expected: &str) -> FormulaError {
        let next = self.peek();
        match next.tok {
            Tok::End => FormulaError::at(
                next.span.clone(),
                format!("unexpected end of formula; {expected}"),
            ),
            _ => FormulaError::at(
                next.span.clone(),
                format!("{expected}, found {}", self.describe(next)),
            ),
        }
    }

    fn expect_word(&mut self, keyword: &str, why: &str) -> Result<Token, FormulaError> {
        if self.peek().is_word(keyword) {
            Ok(self.advance())
        } else {
            Err(self.expected(why))
        }
    }

    fn infix(&self) -> Option<(u8, Infix)> {
        let token = self.peek();
        let binary = |op: BinaryOp| Some((op.precedence(), Infix::Binary(op)));
        match &token.tok {
            Tok::OrOr => binary(BinaryOp::Or),
            Tok::AndAnd => binary(BinaryOp::And),
            Tok::Equal => binary(BinaryOp::Equal),
            Tok::NotEqual => binary(BinaryOp::NotEqual),
            Tok::Less => binary(BinaryOp::Less),
            Tok::LessEqual => binary(BinaryOp::LessEqual),
            Tok::Greater => binary(BinaryOp::Greater),
            Tok::GreaterEqual => binary(BinaryOp::GreaterEqual),
            Tok::Plus => binary(BinaryOp::Add),
            Tok::Minus => binary(BinaryOp::Subtract),
            Tok::Star => binary(BinaryOp::Multiply),
            Tok::Slash => binary(BinaryOp::Divide),
            Tok::Percent => binary(BinaryOp::Remainder),
            Tok::Word(_) if token.is_word("or") => binary(BinaryOp::Or),
            Tok::Word(_) if token.is_word("and") => binary(BinaryOp::And),
            Tok::Word(_) if token.is_word("in") => {
                Some((precedence::COMPARISON, Infix::In { negated: false }))
            }
            Tok::Word(_) if token.is_word("between") => {
                Some((precedence::COMPARISON, Infix::Between { negated: false }))
            }
            Tok::Word(_) if token.is_word("is") => Some((precedence::COMPARISON, Infix::Is)),
            Tok::Word(_) if token.is_word("not") => {
                let second = self.peek_second();
                if second.is_word("in") {
                    Some((precedence::COMPARISON, Infix::In { negated: true }))
                } else if second.is_word("between") {
                    Some((precedence::COMPARISON, Infix::Between { negated: true }))
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// An expression whose operators all bind at least as tightly as `min_precedence`.
    fn expr(&mut self, min_precedence: u8) -> Result<Expr, FormulaError> {
        let mut left = self.prefix()?;
        while let Some((precedence, infix)) = self.infix() {
            if precedence < min_precedence {
                break;
            }
            let operator = self.advance();
            left = match infix {
                Infix::Binary(op) => {
                    let right = self.operand(precedence + 1, &operator)?;
                    let span = left.span.start..right.span.end;
                    Expr::new(
                        ExprKind::Binary {
                            op,
                            left: Box::new(left),
                            right: Box::new(right),
                        },
                        span,
                    )
                }
                Infix::In { negated } => {
                    if negated {
                        self.advance();
                    }
                    self.in_list(left, negated)?
                }
                Infix::Between { negated } => {
                    if negated {
                        self.advance();
                    }
                    let low = self.operand(precedence::ADDITIVE, &operator)?;
                    self.expect_word("and", "expected 'and' between the two ends of 'between'")?;
                    let high = self.operand(precedence::ADDITIVE, &operator)?;
                    let span = left.span.start..high.span.end;
                    Expr::new(
                        ExprKind::Between {
                            value: Box::new(left),
                            low: Box::new(low),
                            high: Box::new(high),
                            negated,
                        },
                        span,
                    )
                }
                Infix::Is => {
                    let negated = self.peek().is_word("not");
                    if negated {
                        self.advance();
                    }
                    let null =
                        self.expect_word("null", "expected 'null' or 'not null' after 'is'")?;
                    let span = left.span.start..null.span.end;
                    let function = if negated { "is_not_null" } else { "is_null" };
                    Expr::new(
                        ExprKind::Call {
                            function: function.to_string(),
                            args: vec![left],
                        },
                        span,
                    )
                }
            };
            if precedence == precedence::COMPARISON {
                if let Some((precedence::COMPARISON, _)) = self.infix() {
                    let next = self.peek();
                    return Err(FormulaError::at(
                        next.span.clone(),
                        format!(
                            "comparisons cannot be chained; join them with 'and', \
                             as in a < b and b < c (found {} after a comparison)",
                            self.describe(next)
                        ),
                    ));
                }
            }
        }
        Ok(left)
    }

    /// The operand after `operator`, with an error naming the operator when it is missing.
    fn operand(&mut self, min_precedence: u8, operator: &Token) -> Result<Expr, FormulaError> {
        if self.starts_value() {
            self.expr(min_precedence)
        } else {
            Err(self.expected(&format!(
                "expected a value after {}",
                self.describe(operator)
            )))
        }
    }

    fn starts_value(&self) -> bool {
        let token = self.peek();
        match &token.tok {
            Tok::Word(word) => {
                !is_keyword(word)
                    || ["not", "true", "false", "null", "case"]
                        .iter()
                        .any(|keyword| token.is_word(keyword))
            }
            Tok::Integer(_)
            | Tok::Float(_)
            | Tok::Text(_)
            | Tok::Quoted(_)
            | Tok::LeftParen
            | Tok::Minus => true,
            _ => false,
        }
    }

    fn prefix(&mut self) -> Result<Expr, FormulaError> {
        if !self.starts_value() {
            return Err(self.expected("expected a value"));
        }
        let token = self.advance();
        let span = token.span.clone();
        let literal = |literal: Literal| Ok(Expr::new(ExprKind::Literal(literal), span.clone()));
        match token.tok {
            Tok::Integer(value) => literal(Literal::Integer(value)),
            Tok::Float(value) => literal(Literal::Float(value)),
            Tok::Text(ref text) => literal(Literal::Text(text.clone())),
            Tok::Quoted(ref name) => Ok(Expr::new(ExprKind::Column(name.clone()), span)),
            Tok::Minus | Tok::Word(_) if token.is_word("not") || token.tok == Tok::Minus => {
                let (op, min_precedence) = if token.tok == Tok::Minus {
                    (UnaryOp::Negate, precedence::NEGATE)
                } else {
                    (UnaryOp::Not, precedence::NOT)
                };
                let operand = self.operand(min_precedence, &token)?;
                let span = span.start..operand.span.end;
                Ok(Expr::new(
                    ExprKind::Unary {
                        op,
                        operand: Box::new(operand),
                    },
                    span,
                ))
            }
            Tok::Word(_) if token.is_word("true") => literal(Literal::Boolean(true)),
            Tok::Word(_) if token.is_word("false") => literal(Literal::Boolean(false)),
            Tok::Word(_) if token.is_word("null") => literal(Literal::Null),
            Tok::Word(_) if token.is_word("case") => self.case(token),
            Tok::Word(ref name) => {
                if self.peek().tok == Tok::LeftParen {
                    self.call(name, token.clone())
                } else {
                    Ok(Expr::new(ExprKind::Column(name.clone()), span))
                }
            }
            Tok::LeftParen => {
                let inner = self.expr(0)?;
                if self.peek().tok != Tok::RightParen {
                    return Err(self.expected(&format!(
                        "expected ')' to close '(' opened at column {}",
                        span.start + 1
                    )));
                }
                let close = self.advance();
                Ok(Expr::new(inner.kind, span.start..close.span.end))
            }
            _ => unreachable!("starts_value admitted {:?}", token.tok),
        }
    }

    fn call(&mut self, name: &str, name_token: Token) -> Result<Expr, FormulaError> {
        let Some(function) = functions::lookup(name) else {
            let mut message = format!("unknown function \"{name}\"");
            if let Some(suggestion) = functions::closest(name, FUNCTIONS.iter().map(|f| f.name)) {
                message.push_str(&format!("; did you mean \"{suggestion}\"?"));
            }
            return Err(FormulaError::at(name_token.span, message));
        };
        let open = self.advance();
        let mut args = Vec::new();
        if self.peek().tok != Tok::RightParen {
            loop {
                args.push(self.expr(0)?);
                match self.peek().tok {
                    Tok::Comma => {
                        self.advance();
                    }
                    Tok::RightParen => break,
                    _ => {
                        return Err(self.expected(&format!(
                            "expected ',' or ')' to close '{}(' opened at column {}",
                            function.name,
                            open.span.start + 1
                        )))
                    }
                }
            }
        }
        let close = self.advance();
        let span = name_token.span.start..close.span.end;
        let count = args.len();
        if count < function.min_args || function.max_args.is_some_and(|max| count > max) {
            return Err(FormulaError::at(
                span,
                format!(
                    "{}() takes {}, found {count}; usage: {}",
                    function.name,
                    function.arity(),
                    function.usage
                ),
            ));
        }
        Ok(Expr::new(
            ExprKind::Call {
                function: function.name.to_string(),
                args,
            },
            span,
        ))
    }

    fn in_list(&mut self, value: Expr, negated: bool) -> Result<Expr, FormulaError> {
        if self.peek().tok != Tok::LeftParen {
            return Err(self.expected("expected '(' to start the list after 'in'"));
        }
        let open = self.advance();
        let mut list = Vec::new();
        loop {
            list.push(self.expr(0)?);
            match self.peek().tok {
                Tok::Comma => {
                    self.advance();
                }
                Tok::RightParen => break,
                _ => {
                    return Err(self.expected(&format!(
                        "expected ',' or ')' to close the list opened at column {}",
                        open.span.start + 1
                    )))
                }
            }
        }
        let close = self.advance();
        let span = value.span.start..close.span.end;
        Ok(Expr::new(
            ExprKind::In {
                value: Box::new(value),
                list,
                negated,
            },
            span,
        ))
    }

    fn case(&mut self, case: Token) -> Result<Expr, FormulaError> {
        let mut branches = Vec::new();
        self.expect_word("when", "expected 'when' after 'case'")?;
        loop {
            let condition = self.expr(0)?;
            self.expect_word("then", "expected 'then' after the condition of 'when'")?;
            let result = self.expr(0)?;
            branches.push((condition, result));
            if self.peek().is_word("when") {
                self.advance();
            } else {
                break;
            }
        }
        let otherwise = if self.peek().is_word("else") {
            self.advance();
            Some(Box::new(self.expr(0)?))
        } else {
            None
        };
        let end = self.expect_word(
            "end",
            &format!(
                "expected 'when', 'else' or 'end' to close 'case' opened at column {}",
                case.span.start + 1
            ),
        )?;
        Ok(Expr::new(
            ExprKind::Case {
                branches,
                otherwise,
            },
            case.span.start..end.span.end,
        ))
    }
}
