//! Offers bytes as a file download through a Blob URL: nothing leaves the device.

use wasm_bindgen::{JsCast, JsValue};

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
