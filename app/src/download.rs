//! Offers bytes as a file download through a Blob URL: nothing leaves the device; `fetch_and_offer` asks a worker for any export and downloads what it transfers.

use compute::protocol::{Reply, Request};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};

use crate::{bridge, format};

/// Asks a worker for a file (an export request) and offers its bytes as a download; the
/// bytes go from the worker's transfer straight to the Blob, never into a signal. A failure
/// is written to `error`.
pub fn fetch_and_offer(request: Request, error: RwSignal<Option<String>>) {
    spawn_local(async move {
        let pool = match bridge::pool() {
            Ok(pool) => pool,
            Err(e) => {
                error.try_set(Some(format::error(&e)));
                return;
            }
        };
        let request_id = pool.next_request_id();
        let result = pool
            .request_with_bytes(request_id, request, None, |_| {})
            .await;
        let (reply, buffer) = match result {
            Ok((reply, Some(buffer))) => (reply, buffer),
            Ok((reply, None)) => {
                error.try_set(Some(format!("the file did not arrive: {reply:?}")));
                return;
            }
            Err(e) => {
                error.try_set(Some(format::error(&e)));
                return;
            }
        };
        let (file_name, mime) = match reply {
            Reply::ExportedCsv { file_name, .. } | Reply::ExportedRunsCsv { file_name, .. } => {
                (file_name, "text/csv")
            }
            // The IANA type for the Arrow IPC file format.
            Reply::ExportedArrow { file_name, .. } => {
                (file_name, "application/vnd.apache.arrow.file")
            }
            Reply::ExportedModel { file_name, .. } | Reply::ExportedForecast { file_name, .. } => {
                (file_name, "application/json")
            }
            Reply::ExportedRunsMlflow { file_name, .. } => (file_name, "application/zip"),
            other => {
                error.try_set(Some(format!("unexpected reply: {other:?}")));
                return;
            }
        };
        offer(&file_name, mime, &[buffer.into()]);
    });
}

/// Saves `parts` (strings, `ArrayBuffer`s) as `file_name` of type `mime`.
pub fn offer(file_name: &str, mime: &str, parts: &[JsValue]) {
    let sequence: js_sys::Array = parts.iter().collect();
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = match web_sys::Blob::new_with_blob_sequence_and_options(&sequence, &options) {
        Ok(blob) => blob,
        Err(error) => {
            web_sys::console::error_2(&"studio: the download could not be prepared".into(), &error);
            return;
        }
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    let anchor = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok());
    if let Some(anchor) = anchor {
        anchor.set_href(&url);
        anchor.set_download(file_name);
        anchor.click();
    }
    if let Err(error) = web_sys::Url::revoke_object_url(&url) {
        web_sys::console::warn_2(
            &"studio: a download link could not be released".into(),
            &error,
        );
    }
}
