//! Property tests: the parser never panics, and printing a formula then parsing it again
//! gives back the same tree.

use compute::formula::{parse, BinaryOp, Expr, ExprKind, Literal, UnaryOp};
use proptest::prelude::*;

/// The same tree with every span cleared, so trees parsed from different text compare.
fn without_spans(expr: &Expr) -> Expr {
    let strip = |expr: &Expr| Box::new(without_spans(expr));
    let kind = match &expr.kind {
        ExprKind::Literal(_) | ExprKind::Column(_) => expr.kind.clone(),
        ExprKind::Unary { op, operand } => ExprKind::Unary {
            op: *op,
            operand: strip(operand),
        },
        ExprKind::Binary { op, left, right } => ExprKind::Binary {
            op: *op,
            left: strip(left),
            right: strip(right),
        },
        ExprKind::In {
            value,
            list,
            negated,
        } => ExprKind::In {
            value: strip(value),
            list: list.iter().map(without_spans).collect(),
            negated: *negated,
        },
        ExprKind::Between {
            value,
            low,
            high,
            negated,
        } => ExprKind::Between {
            value: strip(value),
            low: strip(low),
            high: strip(high),
            negated: *negated,
        },
        ExprKind::Case {
            branches,
            otherwise,
        } => ExprKind::Case {
            branches: branches
                .iter()
                .map(|(condition, result)| (without_spans(condition), without_spans(result)))
                .collect(),
            otherwise: otherwise.as_deref().map(strip),
        },
        ExprKind::Call { function, args } => ExprKind::Call {
            function: function.clone(),
            args: args.iter().map(without_spans).collect(),
        },
    };
    Expr { kind, span: 0..0 }
}

fn node(kind: ExprKind) -> Expr {
    Expr { kind, span: 0..0 }
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        // The parser reads `-5` as negation applied to 5, so literals are never negative.
        (0..=i64::MAX).prop_map(Literal::Integer),
        (0.0..1e300f64).prop_map(Literal::Float),
        "[a-z \"'\\\\\t\né]{0,6}".prop_map(Literal::Text),
        any::<bool>().prop_map(Literal::Boolean),
        Just(Literal::Null),
    ]
}

fn column_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_][a-z0-9_]{0,8}",
        // Keywords, spaces, punctuation and backticks need backticks.
        Just("and".to_string()),
        Just("Case".to_string()),
        "[a-z `()%]{1,8}",
    ]
}

fn binary_op() -> impl Strategy<Value = BinaryOp> {
    prop::sample::select(vec![
        BinaryOp::Or,
        BinaryOp::And,
        BinaryOp::Equal,
        BinaryOp::NotEqual,
        BinaryOp::Less,
        BinaryOp::LessEqual,
        BinaryOp::Greater,
        BinaryOp::GreaterEqual,
        BinaryOp::Add,
        BinaryOp::Subtract,
        BinaryOp::Multiply,
        BinaryOp::Divide,
        BinaryOp::Remainder,
    ])
}

/// Any tree the parser could produce (function names and argument counts valid).
fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        literal().prop_map(|literal| node(ExprKind::Literal(literal))),
        column_name().prop_map(|name| node(ExprKind::Column(name))),
    ];
    leaf.prop_recursive(5, 48, 4, |inner| {
        let boxed = || inner.clone().prop_map(Box::new);
        prop_oneof![
            (
                prop::sample::select(vec![UnaryOp::Negate, UnaryOp::Not]),
                boxed()
            )
                .prop_map(|(op, operand)| node(ExprKind::Unary { op, operand })),
            (binary_op(), boxed(), boxed()).prop_map(|(op, left, right)| node(ExprKind::Binary {
                op,
                left,
                right
            })),
            (
                boxed(),
                prop::collection::vec(inner.clone(), 1..4),
                any::<bool>()
            )
                .prop_map(|(value, list, negated)| node(ExprKind::In {
                    value,
                    list,
                    negated
                })),
            (boxed(), boxed(), boxed(), any::<bool>()).prop_map(|(value, low, high, negated)| {
                node(ExprKind::Between {
                    value,
                    low,
                    high,
                    negated,
                })
            }),
            (
                prop::collection::vec((inner.clone(), inner.clone()), 1..3),
                prop::option::of(boxed())
            )
                .prop_map(|(branches, otherwise)| node(ExprKind::Case {
                    branches,
                    otherwise
                })),
            (
                prop::sample::select(vec!["abs", "if", "coalesce", "round", "concat", "is_null"]),
                prop::collection::vec(inner.clone(), 3)
            )
                .prop_map(|(function, mut args)| {
                    let count = match function {
                        "abs" | "is_null" => 1,
                        "round" => 2,
                        _ => 3,
                    };
                    args.truncate(count);
                    node(ExprKind::Call {
                        function: function.to_string(),
                        args,
                    })
                }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parser_never_panics_on_any_text(source in "\\PC{0,40}") {
        let _outcome = parse(&source);
    }

    #[test]
    fn parser_never_panics_on_formula_like_text(
        source in "[a-z0-9 ()+*/%<>=!&|,.'\"`-]{0,40}|(not |and |or |in |case |when |then |end |between |is |null |if\\(|[a-z]+|[0-9.e]+|[-+*/(),<>=]){0,12}"
    ) {
        let _outcome = parse(&source);
    }

    #[test]
    fn printing_then_parsing_round_trips(tree in expr()) {
        let printed = tree.to_string();
        let parsed = parse(&printed).map_err(|error| {
            TestCaseError::fail(format!("{printed}: {error}"))
        })?;
        prop_assert_eq!(without_spans(&parsed), tree, "{}", printed);
        prop_assert_eq!(parsed.to_string(), printed);
    }

    #[test]
    fn spans_stay_inside_the_source(tree in expr()) {
        let printed = tree.to_string();
        let length = printed.chars().count();
        let parsed = parse(&printed).unwrap();
        parsed.visit(&mut |node| assert!(node.span.start <= node.span.end && node.span.end <= length));
        prop_assert_eq!(parsed.span, 0..length);
    }
}
