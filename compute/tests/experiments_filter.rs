//! Property tests of the runs filter: no input makes it panic (random bytes, and soups of
//! its own tokens that reach deep into the parser), an error always names a column inside
//! the text or just past it, and `NOT` matches exactly the runs its operand does not.

use std::collections::BTreeMap;

use compute::experiments::{
    parse_filter, query_runs, QueryError, RunKind, RunQuery, RunRecord, RunStatus,
    RUN_SCHEMA_VERSION,
};
use proptest::prelude::*;

fn runs() -> Vec<RunRecord> {
    let mut runs = Vec::new();
    for (i, (depth, r2)) in [("3", Some(0.9)), ("None", Some(f64::NAN)), ("12", None)]
        .into_iter()
        .enumerate()
    {
        runs.push(RunRecord {
            schema_version: RUN_SCHEMA_VERSION,
            run_id: format!("r{i}"),
            experiment_id: "e".into(),
            name: format!("run {i}"),
            kind: RunKind::Candidate,
            parent_run_id: None,
            status: RunStatus::Finished,
            started_at_ms: i as f64,
            duration_secs: 1.0,
            params: BTreeMap::from([("max_depth".to_string(), depth.to_string())]),
            metrics: r2.map(|v| ("r2".to_string(), v)).into_iter().collect(),
            history: Vec::new(),
            dataset_id: None,
            dataset_name: None,
            dataset_content_hash: None,
            recipe_hashes: Vec::new(),
            seed: None,
            code_version: String::new(),
            tags: BTreeMap::from([("source".to_string(), "automl".to_string())]),
            notes: String::new(),
            artifacts: Vec::new(),
            model_id: None,
            action_id: None,
            findings: Vec::new(),
        });
    }
    runs
}

const TOKENS: &[&str] = &[
    "metrics.r2",
    "params.max_depth",
    "tags.source",
    "attributes.status",
    "status",
    "name",
    "duration",
    "started",
    "metrics.",
    "`my metric`",
    "\"x\"",
    "'gbdt'",
    "'%a_'",
    "'",
    "`",
    "0.8",
    "-1",
    "1e-3",
    "8",
    "=",
    "!=",
    "<>",
    "<",
    "<=",
    ">",
    ">=",
    "LIKE",
    "ilike",
    "and",
    "OR",
    "not",
    "(",
    ")",
    " ",
    "~",
    "é",
];

fn check_no_panic(text: &str) {
    let runs = runs();
    match parse_filter(text) {
        Ok(filter) => {
            for run in &runs {
                filter.matches(run);
            }
        }
        Err(QueryError::Filter { column, .. }) => {
            assert!(
                column >= 1 && column <= text.chars().count() + 1,
                "column {column} of {text:?}"
            );
        }
        Err(other) => panic!("{text:?}: {other}"),
    }
    let query = RunQuery {
        filter: text.to_string(),
        include_candidates: true,
        len: 10,
        columns: vec!["name".into()],
        ..RunQuery::default()
    };
    let _ = query_runs(&runs, &query);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
        check_no_panic(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn token_soups_never_panic(picks in proptest::collection::vec(0..TOKENS.len(), 0..16)) {
        let text: Vec<&str> = picks.iter().map(|&i| TOKENS[i]).collect();
        check_no_panic(&text.join(" "));
        check_no_panic(&text.concat());
    }

    #[test]
    fn not_is_the_complement(picks in proptest::collection::vec(0..4usize, 1..4)) {
        let comparisons = [
            "metrics.r2 > 0.5",
            "params.max_depth < 8",
            "tags.source = 'automl'",
            "name like '%1'",
        ];
        let filter: Vec<&str> = picks.iter().map(|&i| comparisons[i]).collect();
        let filter = filter.join(" or ");
        let positive = parse_filter(&filter).unwrap();
        let negative = parse_filter(&format!("not ({filter})")).unwrap();
        for run in &runs() {
            prop_assert_ne!(positive.matches(run), negative.matches(run));
        }
    }
}
