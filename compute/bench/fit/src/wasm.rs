//! The wasm entry points: JS passes the CSV bytes and the test-row file's text, the fits run
//! in the same code as natively, timed with the engine's `performance.now()`.

use wasm_bindgen::prelude::*;

use crate::{
    fit_forecast_case, fit_image_case, fit_logistic, fit_text_case, fit_tree, linear_case,
    text_label, Case, ForecastCase, ImageCase, TextCase,
};

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

/// `bench_image` in wasm: [`fit_image_case`] on the digits, whose PNGs arrive as a zip of
/// the `digits_8x8_png` folder (read by `compute::archive`, as a dropped zip is), beside the
/// CSV and test rows that split them; returns its JSON.
#[wasm_bindgen]
pub fn bench_image(
    csv: &[u8],
    test_idx: &str,
    zip: &[u8],
    build: &str,
    features: &str,
    seed: u32,
) -> Result<String, JsError> {
    let files = compute::archive::read_zip("digits_8x8_png.zip", zip)
        .map_err(|error| js(error.to_string()))?;
    // `<label>/<file>`: the last two parts of each path, whatever folder holds them.
    let entries = files
        .into_iter()
        .filter_map(|(path, bytes)| {
            let mut parts = path.rsplit('/');
            let file = parts.next()?;
            let label = parts.next()?;
            Some((format!("{label}/{file}"), bytes))
        })
        .collect();
    let case = ImageCase::split(csv, test_idx, entries).map_err(js)?;
    let result = fit_image_case(&case, build, features, u64::from(seed), &seconds).map_err(js)?;
    Ok(result.to_string())
}

/// `bench_forecast` in wasm: [`fit_forecast_case`] on the time series `name`, whose CSV
/// bytes and test rows JS read; returns its JSON.
#[wasm_bindgen]
pub fn bench_forecast(
    name: &str,
    csv: &[u8],
    test_idx: &str,
    repeats: u32,
) -> Result<String, JsError> {
    let case = ForecastCase::read(name, csv, test_idx).map_err(js)?;
    let result = fit_forecast_case(&case, repeats as usize, &seconds).map_err(js)?;
    Ok(result.to_string())
}

fn js(message: String) -> JsError {
    JsError::new(&message)
}
