//! IndexedDB storage in a real browser: batches land whole, rows read back, shared rows survive a delete, the audit chain holds across writes.

use std::collections::BTreeMap;

use compute::csv::{read_csv, CsvOptions};
use compute::hash::hash_bytes;
use compute::lineage::{
    make_id, plan_delete, plan_import, plan_rename, verify_chain, ImportInput, Op, WriteBatch,
};
use compute::protocol::ErrorKind;
use compute::records::{DatasetRecord, SourceFile};
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
