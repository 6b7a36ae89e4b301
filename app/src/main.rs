//! Entry point of the page: registers the offline service worker and mounts the studio.

fn main() {
    register_service_worker();
    leptos::mount::mount_to_body(app::App);
}

/// After the first visit the studio loads without a network (`public/sw.js`). A browser
/// without service workers (or a file:// page) simply runs online only.
fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let container = window.navigator().service_worker();
    let promise = container.register("./sw.js");
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(error) = wasm_bindgen_futures::JsFuture::from(promise).await {
            web_sys::console::warn_2(&"studio: offline support is unavailable".into(), &error);
        }
    });
}
