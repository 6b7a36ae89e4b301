//! Entry point of `worker.js`: serves the studio's requests from the worker's global scope.

use wasm_bindgen::JsCast;

fn main() {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    worker::serve(worker::Endpoint::Scope(scope), worker::DEFAULT_DB_NAME);
}
