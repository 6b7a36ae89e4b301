//! A forecast as the worker stores it: fitted on a dataset version, planned with its lineage
//! and runs into one batch, and asked what-if questions on future covariates. The series is
//! the one the Playwright spec (`e2e/specs/forecast.spec.ts`) forecasts from the UI.

use std::collections::BTreeMap;

use compute::csv::{read_csv, CsvOptions};
use compute::experiments::{runs_for_forecast, BuildContext, RunIds, RunKind, RunRecord};
use compute::forecast::{fit_forecast, ForecastOptions, Horizon};
use compute::hash::hash_bytes;
use compute::lineage::{
    plan_delete_forecast, plan_forecast, plan_import, verify_chain, ForecastInput, ImportInput,
    MemoryStore,
};
use compute::ml::Control;
use compute::records::{
    stores, ActionKind, ActionRecord, ArtifactRecord, ForecastRecord, ModelFileRecord, SourceFile,
};

/// Eight years of monthly sales that a promotion lifts by 80, the months of promotion
/// irregular: the spec's `promoCsv`.
fn promo_csv() -> String {
    let mut csv = String::from("month,promo,sales\n");
    for t in 0..96 {
        let promo = u8::from(t % 3 == 0 || t % 7 == 0);
        let sales = 200 + 80 * i64::from(promo) + (t * 37) % 11 - 5;
        csv.push_str(&format!(
            "{}-{:02}-01,{promo},{sales}\n",
            2015 + t / 12,
            t % 12 + 1
        ));
    }
    csv
}

fn options() -> ForecastOptions {
    let mut options = ForecastOptions::new("month", "sales");
    options.covariates = vec!["promo".to_string()];
    options
}

#[test]
fn a_forecast_is_stored_with_its_lineage_and_runs_and_answers_what_if() {
    let csv = promo_csv();
    let frame = read_csv("promo_sales.csv", csv.as_bytes(), CsvOptions::default())
        .unwrap()
        .frame;
    let mut store = MemoryStore::default();
    let (dataset, batch) = plan_import(ImportInput {
        dataset_id: "ds1".into(),
        source_artifact_id: "art-src".into(),
        dataset_artifact_id: "art-ds".into(),
        action_id: "act-import".into(),
        dataset_name: "promo_sales".into(),
        source: SourceFile {
            file_name: "promo_sales.csv".into(),
            size_bytes: csv.len() as u64,
            content_hash: hash_bytes(csv.as_bytes()).to_hex(),
        },
        content_hash: frame.content_hash(),
        n_rows: frame.n_rows() as u64,
        columns: frame.column_summaries(),
        rows_per_chunk: 1000,
        chunks: frame.to_ipc_chunks(1000).unwrap(),
        parameters: BTreeMap::new(),
        started_at_ms: 1.0,
        ended_at_ms: 2.0,
    });
    store.apply(batch);

    let options = options();
    let fit = fit_forecast(&frame, &options, Horizon::Steps(6), &mut |_| {
        Control::Continue
    })
    .unwrap();
    let item = &fit.report.items[0];
    // Only the boosting reads the promotions; it wins the backtest by far.
    assert!(item.best.reads_covariates(), "{}", item.best_label);
    assert_eq!(item.forecast.len(), 6);

    let context = BuildContext {
        experiment_id: "exp1".into(),
        run_ids: RunIds::Derived {
            build_run_id: "run1".into(),
        },
        run_name: Some("sales from promo_sales".into()),
        model_id: Some("forecast1".into()),
        action_id: Some("act1".into()),
        dataset_id: Some(dataset.dataset_id.clone()),
        dataset_name: Some(dataset.name.clone()),
        dataset_content_hash: Some(dataset.content_hash.clone()),
        recipe_hashes: Vec::new(),
        started_at_ms: 10.0,
        duration_secs: 1.5,
        code_version: "test".into(),
        trace: None,
    };
    let runs = runs_for_forecast(&fit.report, &options, &context);
    let build = &runs[0];
    assert_eq!(build.kind, RunKind::Build);
    assert_eq!(build.params["task"], "forecast");
    assert_eq!(build.params["frequency"], "MS");
    assert_eq!(build.params["horizon"], "6");
    assert_eq!(build.params["method"], item.best_label);
    let best_mae = item.leaderboard[0].backtest.unwrap().mae;
    assert_eq!(build.metrics["mae"], best_mae);
    assert_eq!(runs.len(), 1 + item.leaderboard.len());
    let best_child: Vec<&RunRecord> = runs
        .iter()
        .filter(|r| r.tags.get("best").map(String::as_str) == Some("true"))
        .collect();
    assert_eq!(best_child.len(), 1);
    assert_eq!(best_child[0].name, item.best_label);
    assert_eq!(best_child[0].parent_run_id.as_deref(), Some("run1"));
    assert_eq!(best_child[0].metrics["rank"], 1.0);

    let model_json = fit.model.to_json();
    let (record, batch) = plan_forecast(
        &dataset,
        ForecastInput {
            forecast_id: "forecast1".into(),
            artifact_id: "art-model".into(),
            action_id: "act1".into(),
            name: "sales from promo_sales".into(),
            options: options.clone(),
            report: fit.report.clone(),
            model_json: model_json.clone(),
            n_rows: 96,
            started_at_ms: 10.0,
            ended_at_ms: 1510.0,
            new_experiment: None,
            runs: runs.clone(),
        },
    );
    store.apply(batch);
    // The record, its model file and the artifact agree on the model's hash.
    let stored: ForecastRecord =
        serde_json::from_value(store.records[stores::FORECASTS]["forecast1"].clone()).unwrap();
    assert_eq!(stored, record);
    assert_eq!(
        record.content_hash,
        hash_bytes(model_json.as_bytes()).to_hex()
    );
    assert_eq!(record.run_id.as_deref(), Some("run1"));
    let file: ModelFileRecord =
        serde_json::from_value(store.records[stores::MODEL_FILES]["forecast1"].clone()).unwrap();
    assert_eq!(file.json, model_json);
    let artifact: ArtifactRecord =
        serde_json::from_value(store.records[stores::ARTIFACTS]["art-model"].clone()).unwrap();
    assert_eq!(artifact.content_hash, record.content_hash);
    let action: ActionRecord =
        serde_json::from_value(store.records[stores::ACTIONS]["act1"].clone()).unwrap();
    assert_eq!(action.kind, ActionKind::Train);
    assert_eq!(action.inputs, vec![dataset.artifact_id.clone()]);
    assert_eq!(action.outputs, vec!["art-model".to_string()]);
    assert_eq!(action.parameters["time_column"], "month");
    assert_eq!(action.parameters["run_id"], "run1");
    assert!(store.records[stores::EDGES].contains_key("art-ds>act1"));
    assert!(store.records[stores::EDGES].contains_key("act1>art-model"));
    assert_eq!(store.records[stores::RUNS].len(), runs.len());
    let stored_build: RunRecord =
        serde_json::from_value(store.records[stores::RUNS]["run1"].clone()).unwrap();
    assert_eq!(
        stored_build.artifacts[0].content_hash.as_deref(),
        Some(record.content_hash.as_str())
    );
    assert_eq!(store.audit.last().unwrap().event, "train_forecast");
    verify_chain(&store.audit).unwrap();

    // What if: promotions every month lift the forecast; none lower it.
    let model = compute::forecast::ForecastModel::from_json(&file.json).unwrap();
    let total = |promo: f64| -> f64 {
        model
            .forecast_item(0, 6, &[vec![promo; 6]])
            .unwrap()
            .iter()
            .map(|p| p.p50)
            .sum()
    };
    let (with, without) = (total(1.0), total(0.0));
    assert!(
        with > without + 6.0 * 40.0,
        "with {with}, without {without}"
    );
    let points = model.forecast_item(0, 6, &[vec![1.0; 6]]).unwrap();
    assert_eq!(points[0].timestamp, "2023-01-01");
    assert!(points.iter().all(|p| p.p10 <= p.p50 && p.p50 <= p.p90));
    // A wrong number of values is refused by name.
    let error = model.forecast_item(0, 6, &[vec![1.0; 3]]).unwrap_err();
    assert!(error.to_string().contains("covariates"), "{error}");
    assert!(model.forecast_item(1, 6, &[vec![1.0; 6]]).is_err());

    // Deleting keeps the lineage and the runs.
    store.apply(plan_delete_forecast(&record, 2000.0));
    assert!(store.records[stores::FORECASTS].is_empty());
    assert!(!store.records[stores::MODEL_FILES].contains_key("forecast1"));
    assert!(store.records[stores::ARTIFACTS].contains_key("art-model"));
    assert_eq!(store.records[stores::RUNS].len(), runs.len());
    assert_eq!(store.audit.last().unwrap().event, "delete_forecast");
    verify_chain(&store.audit).unwrap();
}

#[test]
fn a_batch_forecast_writes_its_columns_beside_the_rows_and_refuses_a_clash() {
    let csv = promo_csv();
    let frame = read_csv("promo_sales.csv", csv.as_bytes(), CsvOptions::default())
        .unwrap()
        .frame;
    let fit = fit_forecast(&frame, &options(), Horizon::Steps(3), &mut |_| {
        Control::Continue
    })
    .unwrap();
    let future = read_csv(
        "future.csv",
        b"month,promo\n2023-02-01,0\n2023-01-01,1\n",
        CsvOptions::default(),
    )
    .unwrap()
    .frame;
    let rows = fit.model.predict(&future).unwrap();
    let out = compute::forecast::with_forecasts(&future, &rows).unwrap();
    let names: Vec<&str> = out.columns().iter().map(|c| c.name()).collect();
    assert_eq!(names, ["month", "promo", "prediction", "p10", "p50", "p90"]);
    let value = |column: &str, row: usize| -> f64 {
        out.column(column)
            .unwrap()
            .display_value(row)
            .unwrap()
            .parse()
            .unwrap()
    };
    // Rows keep their order; the promoted January is forecast higher than February.
    assert!(value("p50", 1) > value("p50", 0) + 40.0);
    assert_eq!(value("prediction", 0), value("p50", 0));

    let clash = read_csv(
        "clash.csv",
        b"month,promo,p50\n2023-01-01,1,3\n",
        CsvOptions::default(),
    )
    .unwrap()
    .frame;
    let rows = fit.model.predict(&clash).unwrap();
    let error = compute::forecast::with_forecasts(&clash, &rows).unwrap_err();
    assert!(error.to_string().contains("\"p50\""), "{error}");
}

#[test]
fn an_exported_forecast_imports_under_a_new_id_and_a_damaged_one_is_refused() {
    use compute::lineage::{export_forecast, plan_import_forecast, ImportModelInput};

    let csv = promo_csv();
    let frame = read_csv("promo_sales.csv", csv.as_bytes(), CsvOptions::default())
        .unwrap()
        .frame;
    let fit = fit_forecast(&frame, &options(), Horizon::Steps(3), &mut |_| {
        Control::Continue
    })
    .unwrap();
    let json = fit.model.to_json();
    let record = ForecastRecord {
        schema_version: 1,
        forecast_id: "forecast1".into(),
        name: "sales".into(),
        created_at_ms: 1.0,
        dataset_id: "ds1".into(),
        dataset_name: "promo_sales".into(),
        dataset_content_hash: "ab".into(),
        artifact_id: "art1".into(),
        content_hash: hash_bytes(json.as_bytes()).to_hex(),
        options: options(),
        report: fit.report,
        n_rows: 96,
        train_secs: 1.0,
        run_id: Some("run1".into()),
        imported_from: None,
    };
    let file = ModelFileRecord {
        schema_version: 1,
        model_id: "forecast1".into(),
        content_hash: record.content_hash.clone(),
        json: json.clone(),
    };
    let bytes = export_forecast(&record, &file);
    let input = |text: String| ImportModelInput {
        model_id: "forecast2".into(),
        artifact_id: "art2".into(),
        source_artifact_id: "art-file".into(),
        action_id: "act-import".into(),
        source: SourceFile {
            file_name: "sales.forecast.json".into(),
            size_bytes: text.len() as u64,
            content_hash: hash_bytes(text.as_bytes()).to_hex(),
        },
        text,
        at_ms: 5.0,
    };
    let (imported, batch) =
        plan_import_forecast(input(String::from_utf8(bytes.clone()).unwrap())).unwrap();
    assert_eq!(imported.forecast_id, "forecast2");
    assert_eq!(imported.content_hash, record.content_hash);
    assert_eq!(
        imported.imported_from.as_deref(),
        Some("sales.forecast.json")
    );
    assert_eq!(imported.run_id, None);
    assert_eq!(imported.report, record.report);
    let mut store = MemoryStore::default();
    store.apply(batch);
    let stored_file: ModelFileRecord =
        serde_json::from_value(store.records[stores::MODEL_FILES]["forecast2"].clone()).unwrap();
    assert_eq!(stored_file.json, json);
    let action: ActionRecord =
        serde_json::from_value(store.records[stores::ACTIONS]["act-import"].clone()).unwrap();
    assert_eq!(action.kind, ActionKind::Import);
    assert_eq!(action.parameters["format"], "ml-studio-forecast/1");
    assert_eq!(store.audit[0].event, "import_forecast");

    // A changed byte in the model is caught by its hash; a table model's file by its format.
    let mut damaged: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    damaged["model_file"] = serde_json::Value::String(json.replacen("\"items\"", "\"items\" ", 1));
    let error = plan_import_forecast(input(damaged.to_string())).unwrap_err();
    assert_eq!(
        error.to_string(),
        "sales.forecast.json is damaged: its fitted model does not match the content hash recorded when it was exported"
    );
    let error = plan_import_forecast(input(
        r#"{"format":"ml-studio-model/1","record":{},"model_file":""}"#.into(),
    ))
    .unwrap_err();
    assert!(
        error.to_string().contains("\"ml-studio-forecast/1\""),
        "{error}"
    );
    assert!(plan_import_forecast(input("not json".into())).is_err());
}
