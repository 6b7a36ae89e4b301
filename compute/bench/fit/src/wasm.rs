//! The wasm entry points: JS passes the CSV bytes and the test-row file's text, the fits run
//! in the same code as natively, timed with the engine's `performance.now()`.

use wasm_bindgen::prelude::*;

use crate::{fit_logistic, fit_text_case, fit_tree, linear_case, text_label, Case, TextCase};

#[wasm_bindgen]
extern "C" {
    /// Milliseconds, from the host (a browser, a worker or Node).
    #[wasm_bindgen(js_namespace = performance)]
    fn now() -> f64;
}

fn seconds() -> f64 {
    now() / 1000.0
}

/// `bench_train` in wasm: fits each of `models` (comma-separated `gbdt`, `forest`) on
/// `csv`'s training rows; returns a JSON array of [`fit_tree`]'s results.
#[wasm_bindgen]
pub fn bench_train(
    file_name: &str,
    csv: &[u8],
    test_idx: &str,
    target: &str,
    excluded: &str,
    models: &str,
    seed: u32,
) -> Result<String, JsError> {
    let excluded: Vec<&str> = excluded
        .split(',')
        .filter(|name| !name.is_empty())
        .collect();
    let case = Case::read(file_name, csv, test_idx, target, &excluded).map_err(js)?;
    let results = models
        .split(',')
        .map(|model| fit_tree(&case, model, u64::from(seed), &seconds))
        .collect::<Result<Vec<_>, _>>()
        .map_err(js)?;
    Ok(serde_json::Value::from(results).to_string())
}

/// `bench_linear` in wasm: [`fit_logistic`] on one of [`linear_case`]'s cases, whose CSV
/// bytes and test rows JS read; returns its JSON.
#[wasm_bindgen]
pub fn bench_linear(
    case: &str,
    csv: &[u8],
    test_idx: &str,
    repeats: u32,
) -> Result<String, JsError> {
    let case = linear_case(case).map_err(js)?;
    let case = Case::read_linear(&case, csv, test_idx).map_err(js)?;
    let result = fit_logistic(&case, repeats as usize, &seconds).map_err(js)?;
    Ok(result.to_string())
}

/// `bench_text` in wasm: [`fit_text_case`] on the text dataset `name` (`spam_assassin` or
/// `health_tweets`), whose CSV bytes and test rows JS read; returns its JSON.
#[wasm_bindgen]
pub fn bench_text(
    name: &str,
    csv: &[u8],
    test_idx: &str,
    model: &str,
    repeats: u32,
) -> Result<String, JsError> {
    let label = text_label(name).map_err(js)?;
    let case = TextCase::read(name, csv, test_idx, label).map_err(js)?;
    let result = fit_text_case(&case, model, repeats as usize, &seconds).map_err(js)?;
    Ok(result.to_string())
}

fn js(message: String) -> JsError {
    JsError::new(&message)
}
