//! The worker bridge in a real browser: the app's pool talks to the real worker loop over a MessageChannel — progress, replies, errors as data, cancel, row windows.

use std::cell::RefCell;
use std::rc::Rc;

use app::bridge::{Pool, Target};
use compute::protocol::{ErrorKind, ImportSource, Reply, Request};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const PENGUINS: &[u8] = include_bytes!("../../public/samples/penguins.csv");
const RAGGED: &[u8] = b"a,b,c\n1,2,3\n4,5\n";

/// A pool of one lane whose other end is served by the worker loop, on a fresh database.
fn pool(test: &str) -> Pool {
    let channel = web_sys::MessageChannel::new().unwrap();
    let db_name = format!("studio-bridge-{test}-{}", js_sys::Math::random());
    worker::serve(worker::Endpoint::Port(channel.port2()), &db_name);
    Pool::over(vec![Target::Port(channel.port1())])
}

fn blob(bytes: &[u8]) -> web_sys::Blob {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes).into());
    web_sys::Blob::new_with_u8_array_sequence(&parts).unwrap()
}

fn import_request(file_name: &str) -> Request {
    Request::ImportCsv {
        source: ImportSource::AttachedFile,
        file_name: file_name.into(),
    }
}

async fn list(pool: &Pool) -> Vec<compute::records::DatasetRecord> {
    match pool
        .request(pool.next_request_id(), Request::ListDatasets, None, |_| {})
        .await
    {
        Ok(Reply::Datasets { datasets }) => datasets,
        other => panic!("expected datasets, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn an_import_reports_progress_and_its_rows_come_back_in_windows() {
    let pool = pool("import");
    let seen = Rc::new(RefCell::new(Vec::new()));
    let seen_in = seen.clone();
    let reply = pool
        .request(
            pool.next_request_id(),
            import_request("penguins.csv"),
            Some(blob(PENGUINS)),
            move |p| seen_in.borrow_mut().push(p),
        )
        .await
        .unwrap();
    let Reply::Imported { dataset, .. } = reply else {
        panic!("expected Imported, got {reply:?}")
    };
    assert_eq!((dataset.n_rows, dataset.n_cols), (344, 8));
    {
        let progress = seen.borrow();
        assert!(progress
            .iter()
            .any(|p| p.stage == "reading" && p.done == p.total && p.total > 0));
        assert!(progress.iter().any(|p| p.stage == "storing"));
    }

    assert_eq!(list(&pool).await, vec![dataset.clone()]);
    let window = pool
        .request(
            pool.next_request_id(),
            Request::RowWindow {
                dataset_id: dataset.dataset_id.clone(),
                start: 340,
                len: 50,
            },
            None,
            |_| {},
        )
        .await
        .unwrap();
    let Reply::Rows { start, rows, .. } = window else {
        panic!("expected rows")
    };
    assert_eq!(start, 340);
    assert_eq!(rows.len(), 4, "the window is clipped to the last row");
    assert_eq!(rows[3][0].as_deref(), Some("Chinstrap"));
}

#[wasm_bindgen_test]
async fn an_export_transfers_the_csv_bytes_beside_the_reply() {
    let pool = pool("export");
    let reply = pool
        .request(
            pool.next_request_id(),
            import_request("penguins.csv"),
            Some(blob(PENGUINS)),
            |_| {},
        )
        .await
        .unwrap();
    let Reply::Imported { dataset, .. } = reply else {
        panic!("expected Imported")
    };
    let (reply, bytes) = pool
        .request_with_bytes(
            pool.next_request_id(),
            Request::ExportCsv {
                dataset_id: dataset.dataset_id.clone(),
            },
            None,
            |_| {},
        )
        .await
        .unwrap();
    let Reply::ExportedCsv {
        size_bytes,
        file_name,
        ..
    } = reply
    else {
        panic!("expected ExportedCsv, got {reply:?}")
    };
    assert_eq!(file_name, "penguins.csv");
    let bytes = js_sys::Uint8Array::new(&bytes.expect("the CSV travels beside the reply")).to_vec();
    assert_eq!(bytes.len() as u64, size_bytes);
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(text.lines().count(), 345);
    assert!(text.starts_with("species,island,bill_length_mm"));
}

#[wasm_bindgen_test]
async fn an_arrow_export_transfers_an_ipc_file_beside_the_reply() {
    let pool = pool("export-arrow");
    let reply = pool
        .request(
            pool.next_request_id(),
            import_request("penguins.csv"),
            Some(blob(PENGUINS)),
            |_| {},
        )
        .await
        .unwrap();
    let Reply::Imported { dataset, .. } = reply else {
        panic!("expected Imported")
    };
    let (reply, bytes) = pool
        .request_with_bytes(
            pool.next_request_id(),
            Request::ExportArrow {
                dataset_id: dataset.dataset_id.clone(),
            },
            None,
            |_| {},
        )
        .await
        .unwrap();
    let Reply::ExportedArrow {
        size_bytes,
        file_name,
        ..
    } = reply
    else {
        panic!("expected ExportedArrow, got {reply:?}")
    };
    assert_eq!(file_name, "penguins.arrow");
    let bytes =
        js_sys::Uint8Array::new(&bytes.expect("the file travels beside the reply")).to_vec();
    assert_eq!(bytes.len() as u64, size_bytes);
    // The Arrow IPC file magic at both ends.
    assert_eq!(&bytes[..6], b"ARROW1");
    assert_eq!(&bytes[bytes.len() - 6..], b"ARROW1");
}

#[wasm_bindgen_test]
async fn a_broken_file_is_an_error_with_its_row_and_keeps_earlier_datasets() {
    let pool = pool("broken");
    pool.request(
        pool.next_request_id(),
        import_request("penguins.csv"),
        Some(blob(PENGUINS)),
        |_| {},
    )
    .await
    .unwrap();
    let error = pool
        .request(
            pool.next_request_id(),
            import_request("ragged.csv"),
            Some(blob(RAGGED)),
            |_| {},
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::BadInput);
    assert!(error.message.contains("ragged.csv"), "{}", error.message);
    assert!(error.message.contains("row 3"), "{}", error.message);
    let datasets = list(&pool).await;
    assert_eq!(datasets.len(), 1);
    assert_eq!(datasets[0].name, "penguins");
}

#[wasm_bindgen_test]
async fn a_cancelled_import_stores_nothing() {
    let pool = pool("cancel");
    // About 12 MB: several read chunks, so the cancel lands between two of them.
    let mut big = b"id,value,label\n".to_vec();
    for i in 0..600_000 {
        big.extend_from_slice(format!("{i},{}.5,label{}\n", i * 7, i % 13).as_bytes());
    }
    let pool = Rc::new(pool);
    let request_id = pool.next_request_id();
    let canceller = pool.clone();
    let cancelled = Rc::new(RefCell::new(false));
    let cancelled_in = cancelled.clone();
    let error = pool
        .request(
            request_id,
            import_request("big.csv"),
            Some(blob(&big)),
            move |p| {
                if p.stage == "reading" && p.done > 0 && !*cancelled_in.borrow() {
                    *cancelled_in.borrow_mut() = true;
                    canceller.cancel(request_id);
                }
            },
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Cancelled, "{}", error.message);
    assert!(list(&pool).await.is_empty());
}

#[wasm_bindgen_test]
async fn an_unknown_dataset_is_not_found_as_data() {
    let pool = pool("missing");
    let error = pool
        .request(
            pool.next_request_id(),
            Request::DeleteDataset {
                dataset_id: "ds-nope".into(),
            },
            None,
            |_| {},
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotFound);
    assert!(error.message.contains("ds-nope"));
}

#[wasm_bindgen_test]
async fn a_message_from_another_protocol_version_is_refused() {
    let channel = web_sys::MessageChannel::new().unwrap();
    worker::serve(
        worker::Endpoint::Port(channel.port2()),
        "studio-bridge-version",
    );
    let port = channel.port1();
    let reply: Rc<RefCell<Option<String>>> = Rc::default();
    let reply_in = reply.clone();
    let handler = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
        move |event: web_sys::MessageEvent| {
            let json = js_sys::Reflect::get(&event.data(), &"json".into()).unwrap();
            *reply_in.borrow_mut() = json.as_string();
        },
    );
    port.set_onmessage(Some(wasm_bindgen::JsCast::unchecked_ref(handler.as_ref())));
    port.start();
    let message = js_sys::Object::new();
    js_sys::Reflect::set(
        &message,
        &"json".into(),
        &JsValue::from_str(
            r#"{"protocol_version":99,"request_id":5,"request":{"type":"list_datasets"}}"#,
        ),
    )
    .unwrap();
    port.post_message(&message).unwrap();
    for _ in 0..100 {
        if reply.borrow().is_some() {
            break;
        }
        let wait = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window()
                .unwrap()
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 20)
                .unwrap();
        });
        wasm_bindgen_futures::JsFuture::from(wait).await.unwrap();
    }
    let text = reply.borrow().clone().expect("the worker answers");
    assert!(text.contains("protocol") && text.contains("99"), "{text}");
}

/// A worker that says it is ready and then dies on every request, as a panicking wasm
/// worker does (`panic = "abort"` traps).
fn dying_worker_url() -> String {
    let script = "postMessage({ ready: true }); onmessage = () => { throw new Error('boom'); };";
    let parts = js_sys::Array::of1(&JsValue::from_str(script));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).unwrap();
    web_sys::Url::create_object_url_with_blob(&blob).unwrap()
}

#[wasm_bindgen_test]
async fn a_worker_that_dies_fails_its_request_and_is_replaced() {
    let url = dying_worker_url();
    let pool = Pool::over(vec![Target::worker(&url).unwrap()]);
    for attempt in 0..2 {
        // The second request reaches the replacement worker (else it would wait forever).
        let error = pool
            .request(pool.next_request_id(), Request::ListDatasets, None, |_| {})
            .await
            .expect_err("the worker dies");
        assert_eq!(error.kind, ErrorKind::Internal, "attempt {attempt}");
        assert!(
            error.message.contains("stopped unexpectedly") && error.message.contains("boom"),
            "attempt {attempt}: {}",
            error.message
        );
    }
}
