//! IndexedDB storage in a real browser: batches land whole, rows read back, shared rows survive a delete, the audit chain holds across writes, models, forecasts and image sets store and read back, an older database upgrades.

use std::collections::BTreeMap;

use compute::automl::run::{ModelFile, Training, TrainingStep};
use compute::automl::AutomlOptions;
use compute::csv::{read_csv, CsvOptions};
use compute::hash::hash_bytes;
use compute::lineage::{
    make_id, model_name, plan_delete, plan_delete_model, plan_import, plan_rename, plan_train,
    verify_chain, ImportInput, Op, TrainInput, WriteBatch,
};
use compute::protocol::ErrorKind;
use compute::records::{stores, DatasetRecord, ModelRecord, SourceFile};
use wasm_bindgen_test::*;
use worker::store::Store;

wasm_bindgen_test_configure!(run_in_browser);

const PENGUINS: &[u8] = include_bytes!("../../../public/samples/penguins.csv");

fn db_name(test: &str) -> String {
    format!("studio-test-{test}-{}", js_sys::Math::random())
}

async fn import(store: &Store, file_name: &str, bytes: &[u8], salt: &str) -> DatasetRecord {
    let imported = read_csv(file_name, bytes, CsvOptions::default()).unwrap();
    let frame = imported.frame;
    let (dataset, batch) = plan_import(ImportInput {
        dataset_id: make_id("ds", salt.as_bytes()),
        source_artifact_id: make_id("art", format!("{salt}/src").as_bytes()),
        dataset_artifact_id: make_id("art", format!("{salt}/ds").as_bytes()),
        action_id: make_id("act", salt.as_bytes()),
        dataset_name: file_name.to_string(),
        source: SourceFile {
            file_name: file_name.to_string(),
            size_bytes: bytes.len() as u64,
            content_hash: hash_bytes(bytes).to_hex(),
        },
        content_hash: frame.content_hash(),
        n_rows: frame.n_rows() as u64,
        columns: frame.column_summaries(),
        rows_per_chunk: 100,
        chunks: frame.to_ipc_chunks(100).unwrap(),
        parameters: BTreeMap::new(),
        started_at_ms: 1.0,
        ended_at_ms: js_sys::Date::now(),
    });
    store.apply(batch).await.unwrap();
    dataset
}

#[wasm_bindgen_test]
async fn an_import_lands_whole_and_reads_back() {
    let store = Store::open(&db_name("import")).await.unwrap();
    let dataset = import(&store, "penguins.csv", PENGUINS, "a").await;

    assert_eq!(store.datasets().await.unwrap(), vec![dataset.clone()]);
    assert_eq!(store.dataset(&dataset.dataset_id).await.unwrap(), dataset);
    let chunks = store
        .chunks(&dataset.content_hash, 0, dataset.n_chunks - 1)
        .await
        .unwrap();
    let slices: Vec<&[u8]> = chunks.iter().map(|c| c.as_slice()).collect();
    let frame = compute::frame::Frame::from_ipc_chunks(&slices).unwrap();
    assert_eq!(frame.n_rows(), 344);
    assert_eq!(frame.content_hash().to_hex(), dataset.content_hash);

    let log = store.audit_log().await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].event, "import");
    store.delete_database().await.unwrap();
}

#[wasm_bindgen_test]
async fn a_failing_batch_leaves_nothing_behind() {
    let store = Store::open(&db_name("atomic")).await.unwrap();
    let before = import(&store, "penguins.csv", PENGUINS, "a").await;

    // A batch whose last write names a store that does not exist: the transaction must
    // roll back the writes before it.
    let mut batch = WriteBatch::default();
    batch.ops.push(Op::PutBlob {
        key: "orphan/000000".into(),
        bytes: vec![1, 2, 3],
    });
    batch.ops.push(Op::Put {
        store: compute::records::stores::DATASETS,
        key: "ds-half".into(),
        value: serde_json::to_value(&before).unwrap(),
    });
    batch.ops.push(Op::Put {
        store: "no_such_store",
        key: "x".into(),
        value: serde_json::json!({}),
    });
    let error = store.apply(batch).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Storage);

    assert_eq!(store.datasets().await.unwrap(), vec![before]);
    assert!(store.chunks("orphan", 0, 0).await.is_err());
    assert_eq!(store.audit_log().await.unwrap().len(), 1);
    store.delete_database().await.unwrap();
}

#[wasm_bindgen_test]
async fn deleting_one_of_two_identical_imports_keeps_the_rows() {
    let store = Store::open(&db_name("shared")).await.unwrap();
    let first = import(&store, "penguins.csv", PENGUINS, "a").await;
    let second = import(&store, "penguins again.csv", PENGUINS, "b").await;
    assert_eq!(first.content_hash, second.content_hash);

    store.apply(plan_delete(&first, 10.0)).await.unwrap();
    assert_eq!(store.datasets().await.unwrap(), vec![second.clone()]);
    assert!(store
        .chunks(&second.content_hash, 0, second.n_chunks - 1)
        .await
        .is_ok());

    store.apply(plan_delete(&second, 11.0)).await.unwrap();
    assert!(store.datasets().await.unwrap().is_empty());
    assert!(store.chunks(&second.content_hash, 0, 0).await.is_err());
    let missing = store.dataset(&second.dataset_id).await.unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound);
    store.delete_database().await.unwrap();
}

#[wasm_bindgen_test]
async fn the_audit_chain_holds_across_transactions_and_reopening() {
    let name = db_name("audit");
    let store = Store::open(&name).await.unwrap();
    let dataset = import(&store, "a.csv", b"x,y\n1,2\n3,4\n", "a").await;
    let (_, batch) = plan_rename(&dataset, "renamed", 5.0).unwrap();
    store.apply(batch).await.unwrap();
    store.close();

    let store = Store::open(&name).await.unwrap();
    import(&store, "b.csv", b"x,y\n5,6\n", "b").await;
    let log = store.audit_log().await.unwrap();
    let events: Vec<&str> = log.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(events, ["import", "rename", "import"]);
    verify_chain(&log).unwrap();
    assert_eq!(
        store.dataset(&dataset.dataset_id).await.unwrap().name,
        "renamed"
    );
    store.delete_database().await.unwrap();
}

/// A Quick model of a small two-class table, trained on a stored dataset as the worker
/// trains it, and the batch that stores it.
fn train(dataset: &DatasetRecord, frame: &compute::frame::Frame) -> (ModelRecord, WriteBatch) {
    let options = AutomlOptions::new("label");
    let mut training = Training::on_dataset(frame, &options, &|| 0.0).unwrap();
    let run = loop {
        if let TrainingStep::Finished(run) = training.step(&|| 0.0).unwrap() {
            break *run;
        }
    };
    plan_train(
        dataset,
        TrainInput {
            model_id: "model-a".into(),
            artifact_id: "art-model-a".into(),
            action_id: "act-train-a".into(),
            name: model_name("", "label", &dataset.name).unwrap(),
            options,
            run,
            inputs: training.inputs().to_vec(),
            n_train_rows: training.n_train_rows() as u64,
            n_holdout_rows: training.n_test_rows() as u64,
            started_at_ms: 1.0,
            ended_at_ms: 2.0,
            new_experiment: None,
            runs: Vec::new(),
        },
    )
}

fn small_table() -> String {
    let mut csv = String::from("size,colour,label\n");
    for i in 0..40 {
        let colour = ["red", "green", "blue"][i % 3];
        let label = if i < 20 { "low" } else { "high" };
        csv.push_str(&format!("{i},{colour},{label}\n"));
    }
    csv
}

#[wasm_bindgen_test]
async fn a_trained_model_is_stored_and_reads_back_until_deleted() {
    let store = Store::open(&db_name("model")).await.unwrap();
    let csv = small_table();
    let dataset = import(&store, "small.csv", csv.as_bytes(), "a").await;
    let frame = read_csv("small.csv", csv.as_bytes(), CsvOptions::default())
        .unwrap()
        .frame;
    let (model, batch) = train(&dataset, &frame);
    store.apply(batch).await.unwrap();

    assert_eq!(store.models().await.unwrap(), vec![model.clone()]);
    assert_eq!(store.model("model-a").await.unwrap(), model);
    assert_eq!(model.name, "label from small.csv");
    let file = store.model_file("model-a").await.unwrap();
    assert_eq!(
        hash_bytes(file.json.as_bytes()).to_hex(),
        model.content_hash
    );
    let fitted = ModelFile::from_json(&file.json).unwrap();
    assert_eq!(fitted.metadata.target, "label");
    let events: Vec<String> = store
        .audit_log()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event)
        .collect();
    assert_eq!(events, ["import", "train"]);

    store.apply(plan_delete_model(&model, 3.0)).await.unwrap();
    assert!(store.models().await.unwrap().is_empty());
    let missing = store.model("model-a").await.unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound);
    assert_eq!(
        missing.message,
        "model model-a no longer exists; it may have been deleted in another tab"
    );
    assert_eq!(
        store.model_file("model-a").await.unwrap_err().kind,
        ErrorKind::NotFound
    );
    verify_chain(&store.audit_log().await.unwrap()).unwrap();
    store.delete_database().await.unwrap();
}

#[wasm_bindgen_test]
async fn a_version_4_database_upgrades_keeping_its_datasets() {
    use indexed_db_futures::database::Database;
    use indexed_db_futures::prelude::*;
    use indexed_db_futures::transaction::TransactionMode;
    use indexed_db_futures::KeyPath;

    let name = db_name("upgrade");
    // The stores of version 4, as the build before models made them.
    let old = Database::open(&name)
        .with_version(4u32)
        .with_on_upgrade_needed(|_event, db| {
            for store in [
                stores::DATASETS,
                stores::BLOBS,
                stores::ARTIFACTS,
                stores::ACTIONS,
                stores::EDGES,
                stores::AUDIT,
                stores::PROFILES,
                stores::RECIPES,
                stores::SAVED_RECIPES,
            ] {
                let created = db.create_object_store(store).build()?;
                if store == stores::DATASETS {
                    created
                        .create_index("by_content_hash", KeyPath::One("content_hash"))
                        .build()?;
                }
            }
            Ok(())
        })
        .await
        .unwrap();
    let dataset: DatasetRecord = serde_json::from_value(serde_json::json!({
        "schema_version": 1, "dataset_id": "ds-old", "name": "kept", "n_rows": 0,
        "n_cols": 0, "stored_bytes": 0, "created_at_ms": 1.0, "content_hash": "ab",
        "columns": [], "rows_per_chunk": 100, "n_chunks": 0,
        "source": {"file_name": "kept.csv", "size_bytes": 0, "content_hash": "cd"},
        "artifact_id": "art-old"
    }))
    .unwrap();
    let tx = old
        .transaction(stores::DATASETS)
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    let value = js_sys::JSON::parse(&serde_json::to_string(&dataset).unwrap()).unwrap();
    tx.object_store(stores::DATASETS)
        .unwrap()
        .put(value)
        .with_key("ds-old".to_string())
        .primitive()
        .unwrap()
        .await
        .unwrap();
    tx.commit().await.unwrap();
    old.close();

    let store = Store::open(&name).await.unwrap();
    assert_eq!(store.datasets().await.unwrap(), vec![dataset]);
    assert!(store.models().await.unwrap().is_empty());
    let csv = small_table();
    let stored = import(&store, "small.csv", csv.as_bytes(), "a").await;
    let frame = read_csv("small.csv", csv.as_bytes(), CsvOptions::default())
        .unwrap()
        .frame;
    let (model, batch) = train(&stored, &frame);
    store.apply(batch).await.unwrap();
    assert_eq!(store.models().await.unwrap(), vec![model]);
    // Version 7's image stores are there too.
    assert!(store.image_sets().await.unwrap().is_empty());
    store.delete_database().await.unwrap();
}

/// Two classes of 8×8 grayscale PNGs, six each, one of another size.
fn image_entries() -> Vec<(String, Vec<u8>)> {
    use compute::image::{thumbnail_png, ColorMode, ImageSize};
    let mut entries = Vec::new();
    for (class, base) in [("dark", 10u8), ("light", 200u8)] {
        for i in 0..6u8 {
            let side = if i == 5 { 16 } else { 8 };
            let size = ImageSize::new(side, side);
            let pixels: Vec<u8> = (0..size.n_pixels())
                .map(|p| base.wrapping_add((p as u8).wrapping_mul(3) ^ i))
                .collect();
            let png = thumbnail_png(size, ColorMode::Gray, &pixels);
            entries.push((format!("shades/{class}/{i}.png"), png));
        }
    }
    entries
}

#[wasm_bindgen_test]
async fn an_image_set_lands_whole_and_its_images_read_back() {
    use compute::image::set::{dataset_from_thumbnails, prepare_image_set};
    use compute::lineage::{plan_import_images, ImportImagesInput};
    let store = Store::open(&db_name("images")).await.unwrap();
    let entries = image_entries();
    let prepared = prepare_image_set(&entries).unwrap();
    let expected = prepared.dataset.clone();
    let files = prepared.files.clone();
    let (record, batch) = plan_import_images(ImportImagesInput {
        image_set_id: "img-a".into(),
        source_artifact_id: "art-src".into(),
        image_set_artifact_id: "art-img".into(),
        action_id: "act-a".into(),
        name: "shades".into(),
        source: SourceFile {
            file_name: "shades".into(),
            size_bytes: 10,
            content_hash: "ab".into(),
        },
        prepared,
        parameters: BTreeMap::new(),
        started_at_ms: 1.0,
        ended_at_ms: 2.0,
    });
    store.apply(batch).await.unwrap();
    assert_eq!(store.image_sets().await.unwrap(), vec![record.clone()]);
    assert_eq!(store.image_set("img-a").await.unwrap(), record);
    let thumbnails = store
        .image_bytes(stores::IMAGE_THUMBS, &record.content_hash, 0, 11)
        .await
        .unwrap();
    assert_eq!(
        dataset_from_thumbnails(&record, &thumbnails).unwrap(),
        expected
    );
    let originals = store
        .image_bytes(stores::IMAGE_FILES, &record.content_hash, 0, 11)
        .await
        .unwrap();
    assert_eq!(originals, files);
    assert_eq!(
        store
            .image(stores::IMAGE_FILES, &record.content_hash, 5)
            .await
            .unwrap(),
        files[5]
    );
    // Asking for more images than are stored is an error, not a short answer.
    let error = store
        .image_bytes(stores::IMAGE_THUMBS, &record.content_hash, 0, 12)
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Storage);
    let log = store.audit_log().await.unwrap();
    assert_eq!(log.last().unwrap().event, "import_images");

    // A second set of the same images shares them: deleting one keeps them, deleting both
    // removes them.
    let mut second = record.clone();
    second.image_set_id = "img-b".into();
    let mut batch = compute::lineage::WriteBatch::default();
    batch.ops.push(Op::Put {
        store: stores::IMAGE_SETS,
        key: "img-b".into(),
        value: serde_json::to_value(&second).unwrap(),
    });
    store.apply(batch).await.unwrap();
    store
        .apply(compute::lineage::plan_delete_image_set(&record, 3.0))
        .await
        .unwrap();
    assert_eq!(store.image_sets().await.unwrap(), vec![second.clone()]);
    assert!(store
        .image_bytes(stores::IMAGE_THUMBS, &record.content_hash, 0, 11)
        .await
        .is_ok());
    store
        .apply(compute::lineage::plan_delete_image_set(&second, 4.0))
        .await
        .unwrap();
    assert!(store.image_sets().await.unwrap().is_empty());
    for name in [stores::IMAGE_FILES, stores::IMAGE_THUMBS] {
        assert!(store
            .image_bytes(name, &record.content_hash, 0, 0)
            .await
            .is_err());
    }
    assert_eq!(
        store.audit_log().await.unwrap().last().unwrap().event,
        "delete_image_set"
    );
    store.delete_database().await.unwrap();
}

#[wasm_bindgen_test]
async fn a_failing_image_batch_stores_no_image() {
    use compute::image::set::prepare_image_set;
    use compute::lineage::{plan_import_images, ImportImagesInput};
    let store = Store::open(&db_name("images-atomic")).await.unwrap();
    let prepared = prepare_image_set(&image_entries()).unwrap();
    let (record, mut batch) = plan_import_images(ImportImagesInput {
        image_set_id: "img-a".into(),
        source_artifact_id: "art-src".into(),
        image_set_artifact_id: "art-img".into(),
        action_id: "act-a".into(),
        name: "shades".into(),
        source: SourceFile {
            file_name: "shades".into(),
            size_bytes: 10,
            content_hash: "ab".into(),
        },
        prepared,
        parameters: BTreeMap::new(),
        started_at_ms: 1.0,
        ended_at_ms: 2.0,
    });
    batch.ops.push(Op::Put {
        store: "no_such_store",
        key: "x".into(),
        value: serde_json::json!({}),
    });
    assert!(store.apply(batch).await.is_err());
    assert!(store.image_sets().await.unwrap().is_empty());
    assert!(store
        .image_bytes(stores::IMAGE_THUMBS, &record.content_hash, 0, 0)
        .await
        .is_err());
    store.delete_database().await.unwrap();
}

#[wasm_bindgen_test]
async fn a_forecast_is_stored_with_its_runs_and_reads_back_until_deleted() {
    use compute::experiments::{runs_for_forecast, BuildContext, RunIds};
    use compute::forecast::{fit_forecast, ForecastModel, ForecastOptions, Horizon};
    use compute::lineage::{plan_delete_forecast, plan_forecast, ForecastInput};

    let store = Store::open(&db_name("forecast")).await.unwrap();
    let mut csv = String::from("month,value\n");
    for t in 0..48 {
        let season = [0, 2, 5, 9, 12, 15, 14, 11, 8, 4, 2, 1][t % 12];
        csv.push_str(&format!(
            "{}-{:02}-01,{}\n",
            2000 + t / 12,
            t % 12 + 1,
            100 + t + season
        ));
    }
    let dataset = import(&store, "monthly.csv", csv.as_bytes(), "f").await;
    let frame = read_csv("monthly.csv", csv.as_bytes(), CsvOptions::default())
        .unwrap()
        .frame;
    let options = ForecastOptions::new("month", "value");
    let fit = fit_forecast(&frame, &options, Horizon::Steps(6), &mut |_| {
        compute::ml::Control::Continue
    })
    .unwrap();
    let context = BuildContext {
        experiment_id: "exp-f".into(),
        run_ids: RunIds::Derived {
            build_run_id: "run-f".into(),
        },
        run_name: None,
        model_id: Some("forecast-f".into()),
        action_id: Some("act-f".into()),
        dataset_id: Some(dataset.dataset_id.clone()),
        dataset_name: Some(dataset.name.clone()),
        dataset_content_hash: Some(dataset.content_hash.clone()),
        recipe_hashes: Vec::new(),
        started_at_ms: 1.0,
        duration_secs: 0.5,
        code_version: "test".into(),
        trace: None,
    };
    let runs = runs_for_forecast(&fit.report, &options, &context);
    let n_runs = runs.len();
    let (record, batch) = plan_forecast(
        &dataset,
        ForecastInput {
            forecast_id: "forecast-f".into(),
            artifact_id: "art-f".into(),
            action_id: "act-f".into(),
            name: "value from monthly.csv".into(),
            options,
            report: fit.report,
            model_json: fit.model.to_json(),
            n_rows: 48,
            started_at_ms: 1.0,
            ended_at_ms: 2.0,
            new_experiment: None,
            runs,
        },
    );
    store.apply(batch).await.unwrap();
    assert_eq!(store.forecasts().await.unwrap(), vec![record.clone()]);
    assert_eq!(store.forecast("forecast-f").await.unwrap(), record);
    let file = store.model_file("forecast-f").await.unwrap();
    assert_eq!(
        hash_bytes(file.json.as_bytes()).to_hex(),
        record.content_hash
    );
    let model = ForecastModel::from_json(&file.json).unwrap();
    assert_eq!(model.forecast_item(0, 6, &[]).unwrap().len(), 6);
    assert_eq!(store.runs().await.unwrap().len(), n_runs);

    store
        .apply(plan_delete_forecast(&record, 3.0))
        .await
        .unwrap();
    assert!(store.forecasts().await.unwrap().is_empty());
    assert_eq!(
        store.forecast("forecast-f").await.unwrap_err().kind,
        ErrorKind::NotFound
    );
    assert_eq!(store.runs().await.unwrap().len(), n_runs);
    let events: Vec<String> = store
        .audit_log()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event)
        .collect();
    assert_eq!(events, ["import", "train_forecast", "delete_forecast"]);
    verify_chain(&store.audit_log().await.unwrap()).unwrap();
    store.delete_database().await.unwrap();
}
