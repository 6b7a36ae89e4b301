//! Text classification against scikit-learn 1.9.1 on tiny corpora: TF-IDF values, naive
//! Bayes and logistic regression probabilities, top words, bad input, determinism and the
//! stored model's round trip.
//!
//! Every expected number was printed by scikit-learn 1.9.1 (`TfidfVectorizer`,
//! `MultinomialNB()`, `LogisticRegression(tol=1e-10, max_iter=10000)`) on the same texts.

use compute::ml::{Control, Progress};
use compute::text::model::TextClassifier;
use compute::text::{
    fit_text, MultinomialNbParams, TextAlgorithm, TextError, TextLogisticParams, TextModel,
    TextWarning, TfidfParams, TfidfVectorizer,
};

fn never_cancel(_: Progress) -> Control {
    Control::Continue
}

const DOCS: [&str; 6] = [
    "The cat sat on the mat.",
    "The dog sat on the log",
    "Cats and dogs!",
    "the cat the cat the cat",
    "",
    "A dog, a log: dog dog.",
];

/// Fits a vectorizer on [`DOCS`] and compares its vocabulary, idf and dense rows.
fn check_tfidf(params: TfidfParams, vocabulary: &[&str], idf: &[f64], rows: &[&[f64]]) {
    let (vectorizer, x) =
        TfidfVectorizer::fit_transform(&DOCS, &params, &mut |_| Control::Continue).unwrap();
    assert_eq!(vectorizer.vocabulary, vocabulary, "{params:?}");
    for (got, want) in vectorizer.idf.iter().zip(idf) {
        assert!((got - want).abs() < 1e-14, "idf {got} vs {want}");
    }
    assert_eq!(x.n_rows(), rows.len());
    for (i, row) in rows.iter().enumerate() {
        for (j, &want) in row.iter().enumerate() {
            let got = x.get(i, j as u32);
            assert!(
                (got - want).abs() < 1e-14,
                "{params:?} row {i} column {j}: {got} vs {want}"
            );
        }
    }
    // Transforming the training texts again gives the same rows.
    assert_eq!(vectorizer.transform(&DOCS), x);
}

#[test]
fn tfidf_with_the_studio_defaults_matches_scikit_learn() {
    let idf = 1.8472978603872037;
    check_tfidf(
        TfidfParams::default(),
        &["cat", "dog", "log", "on", "sat", "the"],
        &[idf, idf, idf, idf, idf, 1.5596157879354227],
        &[
            &[
                0.4452857677744507,
                0.0,
                0.0,
                0.4452857677744507,
                0.4452857677744507,
                0.6365231771526892,
            ],
            &[
                0.0,
                0.40678016212476736,
                0.40678016212476736,
                0.40678016212476736,
                0.40678016212476736,
                0.5814805231536064,
            ],
            &[0.0; 6],
            &[0.7640961011856608, 0.0, 0.0, 0.0, 0.0, 0.6451024322949591],
            &[0.0; 6],
            &[0.0, 0.9027501480103624, 0.430165282498796, 0.0, 0.0, 0.0],
        ],
    );
}

#[test]
fn tfidf_with_scikit_learns_own_defaults_matches_it() {
    let params = TfidfParams {
        min_df: 1,
        sublinear_tf: false,
        ..TfidfParams::default()
    };
    let (rare, common) = (2.252762968495368, 1.8472978603872037);
    check_tfidf(
        params,
        &[
            "and", "cat", "cats", "dog", "dogs", "log", "mat", "on", "sat", "the",
        ],
        &[
            rare,
            common,
            rare,
            common,
            rare,
            common,
            rare,
            common,
            common,
            1.5596157879354227,
        ],
        &[
            &[
                0.0,
                0.3691490654188455,
                0.0,
                0.0,
                0.0,
                0.0,
                0.45017393364811253,
                0.3691490654188455,
                0.3691490654188455,
                0.6233220130598336,
            ],
            &[
                0.0,
                0.0,
                0.0,
                0.3820480505928305,
                0.0,
                0.3820480505928305,
                0.0,
                0.3820480505928305,
                0.3820480505928305,
                0.6451024322949592,
            ],
            &[
                0.5773502691896257,
                0.0,
                0.5773502691896257,
                0.0,
                0.5773502691896257,
                0.0,
                0.0,
                0.0,
                0.0,
                0.0,
            ],
            &[
                0.0,
                0.7640961011856608,
                0.0,
                0.0,
                0.0,
                0.0,
                0.0,
                0.0,
                0.0,
                0.6451024322949591,
            ],
            &[0.0; 10],
            &[
                0.0,
                0.0,
                0.0,
                0.9486832980505139,
                0.0,
                0.31622776601683794,
                0.0,
                0.0,
                0.0,
                0.0,
            ],
        ],
    );
}

#[test]
fn tfidf_bigrams_and_max_features_match_scikit_learn() {
    let bigrams = TfidfParams {
        ngram_range: (1, 2),
        ..TfidfParams::default()
    };
    let (a, b) = (0.3525985269236729, 0.504029436508956);
    let idf = 1.8472978603872037;
    check_tfidf(
        bigrams,
        &[
            "cat", "dog", "log", "on", "on the", "sat", "sat on", "the", "the cat",
        ],
        &[idf, idf, idf, idf, idf, idf, idf, 1.5596157879354227, idf],
        &[
            &[a, 0.0, 0.0, a, a, a, a, b, a],
            &[0.0, a, a, a, a, a, a, b, 0.0],
            &[0.0; 9],
            &[
                0.6071443239386357,
                0.0,
                0.0,
                0.0,
                0.0,
                0.0,
                0.0,
                0.5125929572459944,
                0.6071443239386357,
            ],
            &[0.0; 9],
            &[
                0.0,
                0.9027501480103624,
                0.430165282498796,
                0.0,
                0.0,
                0.0,
                0.0,
                0.0,
                0.0,
            ],
        ],
    );
    let limited = TfidfParams {
        min_df: 1,
        sublinear_tf: false,
        max_features: Some(3),
        ..TfidfParams::default()
    };
    check_tfidf(
        limited,
        &["cat", "dog", "the"],
        &[idf, idf, 1.5596157879354227],
        &[
            &[0.5095705206075756, 0.0, 0.8604288956838471],
            &[0.0, 0.5095705206075756, 0.8604288956838471],
            &[0.0; 3],
            &[0.7640961011856608, 0.0, 0.6451024322949591],
            &[0.0; 3],
            &[0.0, 1.0, 0.0],
        ],
    );
}

const TRAIN: [&str; 10] = [
    "free money now",
    "win money free prize",
    "meeting at noon",
    "lunch meeting tomorrow",
    "free lunch",
    "prize draw win",
    "project meeting notes",
    "money back win",
    "notes from lunch",
    "call me at noon",
];
const TWO: [&str; 10] = [
    "spam", "spam", "ham", "ham", "ham", "spam", "ham", "spam", "ham", "ham",
];
const THREE: [&str; 10] = [
    "spam", "spam", "work", "food", "food", "spam", "work", "spam", "food", "work",
];
const TEST: [&str; 4] = [
    "free prize money",
    "lunch at noon",
    "unknown words only",
    "meeting notes",
];

fn toy_fit(labels: &[&str], algorithm: TextAlgorithm) -> TextModel {
    let texts: Vec<Option<&str>> = TRAIN.iter().map(|t| Some(*t)).collect();
    let labels: Vec<Option<&str>> = labels.iter().map(|l| Some(*l)).collect();
    let params = TfidfParams {
        min_df: 1,
        ..TfidfParams::default()
    };
    let fit = fit_text(&texts, &labels, &params, &algorithm, &mut never_cancel).unwrap();
    assert!(fit.warnings.is_empty());
    fit.model
}

fn assert_proba(model: &TextModel, expected: &[&[f64]], tolerance: f64) {
    let proba = model.predict_proba(&TEST);
    for (i, (got, want)) in proba.iter().zip(expected).enumerate() {
        for (g, w) in got.iter().zip(*want) {
            assert!((g - w).abs() < tolerance, "text {i}: {got:?} vs {want:?}");
        }
    }
}

fn naive_bayes() -> TextAlgorithm {
    TextAlgorithm::NaiveBayes(MultinomialNbParams::default())
}

/// Tight enough that both optimizers reach the same minimum.
fn logistic_exact() -> TextAlgorithm {
    TextAlgorithm::LogisticRegression(TextLogisticParams {
        tol: 1e-10,
        max_iter: 10_000,
        ..TextLogisticParams::default()
    })
}

#[test]
fn naive_bayes_matches_scikit_learn() {
    let two = toy_fit(&TWO, naive_bayes());
    assert_eq!(two.classes, ["ham", "spam"]);
    assert_proba(
        &two,
        &[
            &[0.295716720227967, 0.7042832797720333],
            &[0.830268421202345, 0.16973157879765513],
            &[0.6000000000000001, 0.4],
            &[0.8041237730637601, 0.19587622693624004],
        ],
        1e-12,
    );
    let three = toy_fit(&THREE, naive_bayes());
    assert_eq!(three.classes, ["food", "spam", "work"]);
    assert_proba(
        &three,
        &[
            &[0.20183820086479573, 0.6545686319280374, 0.14359316720716678],
            &[0.3322291704859101, 0.220466689630267, 0.44730413988382284],
            &[
                0.30000000000000004,
                0.39999999999999997,
                0.30000000000000004,
            ],
            &[0.3578401339822916, 0.22541773260748182, 0.4167421334102264],
        ],
        1e-12,
    );
    let predictions = three.predict(&TEST);
    assert_eq!(predictions.class_index, [1, 2, 1, 2]);
}

#[test]
fn logistic_regression_reaches_scikit_learns_minimum() {
    let two = toy_fit(&TWO, logistic_exact());
    assert_proba(
        &two,
        &[
            &[0.43413663120145396, 0.565863368798546],
            &[0.7468218493251075, 0.2531781506748925],
            &[0.6153752921146469, 0.3846247078853531],
            &[0.7247472362249006, 0.27525276377509944],
        ],
        1e-7,
    );
    let TextClassifier::LogisticRegression(model) = &two.classifier else {
        panic!("a logistic model");
    };
    assert!(model.converged);
    assert!((model.intercept[0] - -0.4699642386091481).abs() < 1e-7);
    // scikit-learn's coef_ for "money" and "lunch".
    let money = two.vectorizer.column("money").unwrap() as usize;
    let lunch = two.vectorizer.column("lunch").unwrap() as usize;
    assert!((model.coef[money] - 0.6311813435889261).abs() < 1e-7);
    assert!((model.coef[lunch] - -0.49988582514545793).abs() < 1e-7);

    let three = toy_fit(&THREE, logistic_exact());
    assert_proba(
        &three,
        &[
            &[0.2055327045364436, 0.6210636562747516, 0.17340363918880491],
            &[0.34107759316230624, 0.22631298130085525, 0.4326094255368386],
            &[0.29638275681204007, 0.3912450455836952, 0.3123721976042647],
            &[0.3169811777269213, 0.2501239477469748, 0.43289487452610387],
        ],
        1e-7,
    );
    let TextClassifier::LogisticRegression(model) = &three.classifier else {
        panic!("a logistic model");
    };
    let expected_intercept = [
        -0.11007535464197779,
        0.16760700775563744,
        -0.05753165311366043,
    ];
    for (got, want) in model.intercept.iter().zip(expected_intercept) {
        assert!((got - want).abs() < 1e-7, "{got} vs {want}");
    }
}

#[test]
fn top_words_speak_for_their_class() {
    for algorithm in [naive_bayes(), logistic_exact()] {
        let model = toy_fit(&THREE, algorithm);
        let spam: Vec<String> = model
            .top_words("spam", 3)
            .unwrap()
            .into_iter()
            .map(|w| w.term)
            .collect();
        assert_eq!(spam.len(), 3);
        assert!(spam.contains(&"money".to_string()), "{spam:?}");
        let food = model.top_words("food", 1).unwrap();
        assert_eq!(food[0].term, "lunch", "{}", model.algorithm_name());
        assert!(food[0].score > 0.0);
        let scores: Vec<f64> = model
            .top_words("work", 100)
            .unwrap()
            .iter()
            .map(|w| w.score)
            .collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]) && scores.iter().all(|&s| s > 0.0));
        assert_eq!(
            model.top_words("sports", 3),
            Err(TextError::UnknownClass {
                class: "sports".to_string()
            })
        );
    }
}

#[test]
fn fits_are_deterministic_and_round_trip_through_json() {
    for algorithm in [
        naive_bayes(),
        TextAlgorithm::LogisticRegression(TextLogisticParams::default()),
    ] {
        let first = toy_fit(&THREE, algorithm.clone());
        let second = toy_fit(&THREE, algorithm);
        assert_eq!(first, second);
        let json = serde_json::to_string(&first).unwrap();
        let back: TextModel = serde_json::from_str(&json).unwrap();
        assert_eq!(back, first);
        assert_eq!(back.predict(&TEST), first.predict(&TEST));
    }
}

fn fit_error(texts: &[Option<&str>], labels: &[Option<&str>], params: TfidfParams) -> TextError {
    fit_text(texts, labels, &params, &naive_bayes(), &mut never_cancel).unwrap_err()
}

#[test]
fn bad_input_is_refused_by_name() {
    let params = TfidfParams::default;
    let error = fit_error(
        &[Some("good day"), Some("bad day"), Some("good night")],
        &[Some("pos"), Some("neg"), Some("pos")],
        params(),
    );
    assert_eq!(
        error,
        TextError::SingleExample {
            label: "neg".to_string(),
            row: 1
        }
    );
    assert_eq!(
        error.to_string(),
        "label \"neg\" has a single example (row 2); give it more texts or remove that row"
    );

    let error = fit_error(
        &[Some(""), None, Some("   "), Some("")],
        &[Some("a"), Some("b"), Some("a"), Some("b")],
        params(),
    );
    assert_eq!(error, TextError::AllTextsEmpty);

    let error = fit_error(
        &[Some("one"), Some("two"), Some("three"), Some("four")],
        &[Some("a"), Some("b"), Some("a"), Some("b")],
        params(),
    );
    assert_eq!(error, TextError::EmptyVocabulary { min_df: 2 });
    assert!(error.to_string().contains("min_df"));

    let error = fit_error(
        &[Some("x y"), Some("y z")],
        &[Some("only"), Some("only")],
        params(),
    );
    assert_eq!(
        error.to_string(),
        "only one label, \"only\"; a classifier needs texts of at least two labels"
    );

    assert_eq!(
        fit_error(&[Some("a")], &[Some("x"), Some("y")], params()),
        TextError::LengthMismatch {
            texts: 1,
            labels: 2
        }
    );
    assert_eq!(
        fit_error(&[Some("a b")], &[None], params()),
        TextError::NoRows
    );
    let error = fit_error(
        &[Some("ab cd")],
        &[Some("x")],
        TfidfParams {
            ngram_range: (2, 1),
            ..params()
        },
    );
    assert!(
        error.to_string().starts_with("parameter ngram_range"),
        "{error}"
    );
    let error = fit_text(
        &[Some("ab cd")],
        &[Some("x")],
        &params(),
        &TextAlgorithm::LogisticRegression(TextLogisticParams {
            c: 0.0,
            ..TextLogisticParams::default()
        }),
        &mut never_cancel,
    )
    .unwrap_err();
    assert!(error.to_string().starts_with("parameter C"), "{error}");
}

#[test]
fn empty_texts_and_missing_labels_are_counted_in_warnings() {
    let texts = [
        Some("good day sunshine"),
        None,
        Some("bad day rain"),
        Some("good morning sunshine"),
        Some("bad night rain"),
        Some("  "),
        Some("unlabelled text"),
    ];
    let labels = [
        Some("pos"),
        Some("neg"),
        Some("neg"),
        Some("pos"),
        Some("neg"),
        Some("pos"),
        None,
    ];
    let fit = fit_text(
        &texts,
        &labels,
        &TfidfParams::default(),
        &naive_bayes(),
        &mut never_cancel,
    )
    .unwrap();
    assert_eq!(
        fit.warnings,
        [
            TextWarning::MissingLabels {
                count: 1,
                first_row: 6
            },
            TextWarning::EmptyTexts {
                count: 2,
                first_row: 1
            }
        ]
    );
    assert_eq!(
        fit.warnings[1].to_string(),
        "2 rows with an empty text (first: row 2) trained as empty documents"
    );
    // Six training texts: the empty ones count in idf's n.
    let (vectorizer, model) = (&fit.model.vectorizer, &fit.model);
    let day = vectorizer.column("day").unwrap() as usize;
    assert!((vectorizer.idf[day] - ((7.0f64 / 3.0).ln() + 1.0)).abs() < 1e-15);
    // An empty text gets the class prior: three of six texts each.
    let proba = model.predict_proba(&[""]);
    assert!((proba[0][0] - 0.5).abs() < 1e-12, "{proba:?}");
}

#[test]
fn progress_is_reported_and_cancel_stops_the_fit() {
    let texts: Vec<String> = (0..3000)
        .map(|i| format!("word{} common text number{}", i % 7, i % 3))
        .collect();
    let texts: Vec<Option<&str>> = texts.iter().map(|t| Some(t.as_str())).collect();
    let labels: Vec<Option<&str>> = (0..3000).map(|i| Some(["a", "b", "c"][i % 3])).collect();
    let algorithm = TextAlgorithm::LogisticRegression(TextLogisticParams::default());
    let mut fractions = Vec::new();
    let fit = fit_text(
        &texts,
        &labels,
        &TfidfParams::default(),
        &algorithm,
        &mut |p| {
            fractions.push(p.fraction_done);
            Control::Continue
        },
    );
    assert!(fit.is_ok());
    assert!(fractions.len() > 2);
    assert!(fractions.windows(2).all(|w| w[0] <= w[1]), "{fractions:?}");
    assert!(fractions.iter().all(|&f| (0.0..=1.0).contains(&f)));
    for stop_after in [1, 3] {
        let mut calls = 0;
        let cancelled = fit_text(
            &texts,
            &labels,
            &TfidfParams::default(),
            &algorithm,
            &mut |_| {
                calls += 1;
                if calls >= stop_after {
                    Control::Cancel
                } else {
                    Control::Continue
                }
            },
        );
        assert_eq!(cancelled, Err(TextError::Cancelled));
    }
}
