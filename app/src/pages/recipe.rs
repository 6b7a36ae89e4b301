//! The recipe panel: edit an ordered list of transform steps beside the data (add, remove, reorder, undo/redo), see a live preview computed in a worker, apply it to make a new dataset version, export and import recipes as JSON.

use compute::protocol::{ErrorKind, Reply, Request, RequestId};
use compute::recipe::{FillStrategy, Recipe, Step, Value};
use compute::records::DatasetRecord;
use compute::schema::ColumnSummary;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::bridge;
use crate::format;

/// Rows of the dataset's head the live preview runs on.
const PREVIEW_INPUT_ROWS: u32 = 200;
/// Rows of the preview shown.
const PREVIEW_SHOWN_ROWS: usize = 12;

#[derive(Clone, Debug, PartialEq)]
struct PreviewData {
    columns: Vec<ColumnSummary>,
    rows: Vec<Vec<Option<String>>>,
    n_rows_in: u64,
    n_rows_out: u64,
}

fn draft_key(dataset_id: &str) -> String {
    format!("studio.recipe-draft.{dataset_id}")
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The recipe being edited for a dataset survives a reload: it is kept as a draft in
/// localStorage (small plain data; the rows stay in IndexedDB).
fn load_draft(dataset_id: &str) -> Option<Recipe> {
    let text = local_storage()?.get_item(&draft_key(dataset_id)).ok()??;
    Recipe::from_json(&text).ok()
}

fn save_draft(dataset_id: &str, recipe: &Recipe) {
    if let Some(storage) = local_storage() {
        if let Err(error) = storage.set_item(&draft_key(dataset_id), &recipe.to_json()) {
            web_sys::console::warn_2(
                &"studio: the recipe draft could not be saved".into(),
                &error,
            );
        }
    }
}

/// One line describing a step: its name and its parameters as JSON.
fn describe(step: &Step) -> (String, String) {
    let mut value = serde_json::to_value(step).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.remove("op");
    }
    (step.op().to_string(), value.to_string())
}

/// The kinds of step the form builds directly; any other of the 44 goes in as JSON.
const QUICK_STEPS: [(&str, &str); 7] = [
    ("fill_missing", "Fill missing values"),
    ("one_hot", "One-hot encode"),
    ("formula_column", "Formula column"),
    ("drop_columns", "Drop column"),
    ("standard_scale", "Standard scale"),
    ("log1p", "log1p"),
    ("json", "Any step as JSON"),
];

#[component]
pub fn RecipePanel(
    dataset: DatasetRecord,
    on_applied: Callback<(DatasetRecord, f64)>,
) -> impl IntoView {
    let dataset_id = dataset.dataset_id.clone();
    let initial = load_draft(&dataset_id).unwrap_or_else(|| Recipe::new("", Vec::new()));
    let recipe = RwSignal::new(initial);
    let undo_stack = StoredValue::new(Vec::<Recipe>::new());
    let redo_stack = StoredValue::new(Vec::<Recipe>::new());
    let preview = RwSignal::new(None::<Result<PreviewData, String>>);
    let preview_seq = StoredValue::new(0u64);
    let form_error = RwSignal::new(None::<String>);
    let apply_state = RwSignal::new(None::<Result<f64, String>>);
    // The running apply, so it can be cancelled.
    let apply_request = StoredValue::new(None::<RequestId>);
    let new_name = RwSignal::new(format!("{} (transformed)", dataset.name));

    let change = move |next: Recipe| {
        undo_stack.update_value(|u| u.push(recipe.get_untracked()));
        redo_stack.update_value(|r| r.clear());
        recipe.set(next);
    };

    // Live preview: every change goes to a worker; only the newest reply is shown.
    let preview_id = dataset_id.clone();
    Effect::new(move |_| {
        let current = recipe.get();
        save_draft(&preview_id, &current);
        preview_seq.update_value(|s| *s += 1);
        let seq = preview_seq.get_value();
        let request = Request::PreviewRecipe {
            dataset_id: preview_id.clone(),
            recipe: current,
            max_rows: PREVIEW_INPUT_ROWS,
        };
        spawn_local(async move {
            let result = bridge::call(request, None, |_| {}).await;
            // The panel may be gone (another dataset selected) by the time the worker answers.
            if preview.is_disposed() || preview_seq.get_value() != seq {
                return;
            }
            preview.set(Some(match result {
                Ok(Reply::RecipePreview {
                    columns,
                    rows,
                    n_rows_in,
                    n_rows_out,
                    ..
                }) => Ok(PreviewData {
                    columns,
                    rows,
                    n_rows_in,
                    n_rows_out,
                }),
                Ok(other) => Err(format!("unexpected reply: {other:?}")),
                Err(error) => Err(format::error(&error)),
            }));
        });
    });

    let columns = dataset.columns.clone();
    let apply_id = dataset_id.clone();
    let apply = move || {
        let dataset_id = apply_id.clone();
        let request = Request::ApplyRecipe {
            dataset_id,
            recipe: recipe.get_untracked(),
            new_name: new_name.get_untracked(),
        };
        let pool = match bridge::pool() {
            Ok(pool) => pool,
            Err(error) => {
                apply_state.set(Some(Err(format::error(&error))));
                return;
            }
        };
        let request_id = pool.next_request_id();
        apply_request.set_value(Some(request_id));
        apply_state.set(Some(Ok(0.0)));
        spawn_local(async move {
            let result = pool
                .request(request_id, request, None, move |p| {
                    apply_state.try_set(Some(Ok(p.fraction())));
                })
                .await;
            apply_request.try_set_value(None);
            if apply_state.is_disposed() {
                // The new version is stored all the same; the list shows it on its next refresh.
                return;
            }
            match result {
                // The page selects the new version, which replaces this panel, and says how
                // long the worker took.
                Ok(Reply::Transformed {
                    dataset,
                    compute_secs,
                }) => {
                    apply_state.set(None);
                    on_applied.run((dataset, compute_secs));
                }
                Ok(other) => apply_state.set(Some(Err(format!("unexpected reply: {other:?}")))),
                // Cancelled on purpose: nothing was stored, nothing to say.
                Err(error) if error.kind == ErrorKind::Cancelled => apply_state.set(None),
                Err(error) => apply_state.set(Some(Err(format::error(&error)))),
            }
        });
    };

    let import_recipe = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
            if form_error.is_disposed() {
                return;
            }
            let Some(text) = text.ok().and_then(|t| t.as_string()) else {
                form_error.set(Some(format!("{}: the file could not be read", file.name())));
                return;
            };
            match Recipe::from_json(&text) {
                Ok(imported) => {
                    form_error.set(None);
                    change(imported);
                }
                Err(error) => form_error.set(Some(format!("{}: {error}", file.name()))),
            }
        });
    };

    view! {
        <section class="recipe" data-testid="recipe-panel">
            <h2>"Recipe"</h2>
            <div class="recipe-toolbar">
                <button
                    data-testid="recipe-undo"
                    disabled=move || recipe.with(|_| undo_stack.with_value(|u| u.is_empty()))
                    on:click=move |_| {
                        if let Some(previous) = undo_stack.try_update_value(|u| u.pop()).flatten() {
                            redo_stack.update_value(|r| r.push(recipe.get_untracked()));
                            recipe.set(previous);
                        }
                    }
                >
                    "Undo"
                </button>
                <button
                    data-testid="recipe-redo"
                    on:click=move |_| {
                        if let Some(next) = redo_stack.try_update_value(|r| r.pop()).flatten() {
                            undo_stack.update_value(|u| u.push(recipe.get_untracked()));
                            recipe.set(next);
                        }
                    }
                >
                    "Redo"
                </button>
                <button data-testid="recipe-export" on:click=move |_| download_recipe(&recipe.get_untracked())>
                    "Export JSON"
                </button>
                <label class="button">
                    "Import JSON"
                    <input type="file" accept=".json,application/json" data-testid="recipe-import" on:change=import_recipe />
                </label>
            </div>
            <ol class="steps">
                {move || {
                    let steps = recipe.get().steps;
                    let n = steps.len();
                    steps
                        .into_iter()
                        .enumerate()
                        .map(|(i, step)| {
                            let (op, params) = describe(&step);
                            let edit = move |f: &dyn Fn(&mut Vec<Step>)| {
                                let mut next = recipe.get_untracked();
                                f(&mut next.steps);
                                change(next);
                            };
                            view! {
                                <li data-testid="recipe-step">
                                    <code class="op">{op}</code>
                                    <code class="params">{params}</code>
                                    <button disabled=i == 0 on:click=move |_| edit(&|s| s.swap(i, i - 1))>"↑"</button>
                                    <button disabled=i + 1 == n on:click=move |_| edit(&|s| s.swap(i, i + 1))>"↓"</button>
                                    <button data-testid="step-remove" on:click=move |_| edit(&|s| { s.remove(i); })>"Remove"</button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ol>
            <StepForm columns=columns on_add=Callback::new(move |step: Step| {
                let mut next = recipe.get_untracked();
                next.steps.push(step);
                change(next);
            }) form_error=form_error />
            {move || form_error.get().map(|e| view! { <p class="error" role="alert" data-testid="recipe-form-error">{e}</p> })}
            <h3>"Preview"</h3>
            {move || match preview.get() {
                None => view! { <p class="hint">"Computing…"</p> }.into_any(),
                Some(Err(message)) => view! { <p class="error" role="alert" data-testid="recipe-error">{message}</p> }.into_any(),
                Some(Ok(data)) => view! { <PreviewTable data=data /> }.into_any(),
            }}
            <div class="apply">
                <input data-testid="apply-name" prop:value=move || new_name.get() on:input=move |ev| new_name.set(event_target_value(&ev)) />
                <button
                    data-testid="recipe-apply"
                    disabled=move || recipe.with(|r| r.steps.is_empty()) || matches!(apply_state.get(), Some(Ok(_)))
                    on:click=move |_| apply()
                >
                    "Apply to all rows → new version"
                </button>
                {move || match apply_state.get() {
                    None => ().into_any(),
                    Some(Ok(fraction)) => view! {
                        <progress max="1" value=fraction data-testid="apply-progress"></progress>
                        <button
                            data-testid="apply-cancel"
                            on:click=move |_| {
                                if let (Some(id), Ok(pool)) = (apply_request.get_value(), bridge::pool()) {
                                    pool.cancel(id);
                                }
                            }
                        >
                            "Cancel"
                        </button>
                    }
                    .into_any(),
                    Some(Err(message)) => view! { <p class="error" role="alert" data-testid="apply-error">{message}</p> }.into_any(),
                }}
            </div>
        </section>
    }
}

#[component]
fn StepForm(
    columns: Vec<ColumnSummary>,
    on_add: Callback<Step>,
    form_error: RwSignal<Option<String>>,
) -> impl IntoView {
    let kind = RwSignal::new("fill_missing".to_string());
    let column = RwSignal::new(columns.first().map(|c| c.name.clone()).unwrap_or_default());
    let strategy = RwSignal::new("median".to_string());
    let name = RwSignal::new(String::new());
    let expression = RwSignal::new(String::new());
    let json = RwSignal::new(String::new());
    let build = move || -> Result<Step, String> {
        let column = column.get_untracked();
        Ok(match kind.get_untracked().as_str() {
            "fill_missing" => Step::FillMissing {
                columns: vec![column],
                strategy: match strategy.get_untracked().as_str() {
                    "mean" => FillStrategy::Mean,
                    "most_frequent" => FillStrategy::MostFrequent,
                    _ => FillStrategy::Median,
                },
                fill_value: Value::Null,
            },
            "one_hot" => Step::OneHot {
                column,
                drop_first: false,
                dummy_na: false,
            },
            "formula_column" => Step::FormulaColumn {
                name: name.get_untracked(),
                expression: expression.get_untracked(),
            },
            "drop_columns" => Step::DropColumns {
                columns: vec![column],
            },
            "standard_scale" => Step::StandardScale {
                columns: vec![column],
                with_mean: true,
                with_std: true,
            },
            "log1p" => {
                serde_json::from_value(serde_json::json!({"op": "log1p", "columns": [column]}))
                    .map_err(|e| e.to_string())?
            }
            _ => serde_json::from_str(&json.get_untracked())
                .map_err(|e| format!("that step is not valid JSON for any operation: {e}"))?,
        })
    };
    let all: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
    view! {
        <div class="step-form">
            <select data-testid="step-kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                {QUICK_STEPS.into_iter().map(|(value, label)| view! { <option value=value>{label}</option> }).collect_view()}
            </select>
            <Show when=move || matches!(kind.get().as_str(), "fill_missing" | "one_hot" | "drop_columns" | "standard_scale" | "log1p")>
                <select data-testid="step-column" on:change=move |ev| column.set(event_target_value(&ev))>
                    {all.iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                </select>
            </Show>
            <Show when=move || kind.get() == "fill_missing">
                <select data-testid="step-strategy" on:change=move |ev| strategy.set(event_target_value(&ev))>
                    <option value="median">"median"</option>
                    <option value="mean">"mean"</option>
                    <option value="most_frequent">"most frequent"</option>
                </select>
            </Show>
            <Show when=move || kind.get() == "formula_column">
                <input data-testid="step-name" placeholder="new column" on:input=move |ev| name.set(event_target_value(&ev)) />
                <input data-testid="step-expression" class="expression" placeholder="bill_length_mm / bill_depth_mm" on:input=move |ev| expression.set(event_target_value(&ev)) />
            </Show>
            <Show when=move || kind.get() == "json">
                <textarea data-testid="step-json" rows="2" cols="60" placeholder=r#"{"op": "clip", "columns": ["x"], "lower": 0}"# on:input=move |ev| json.set(event_target_value(&ev))></textarea>
            </Show>
            <button data-testid="step-add" on:click=move |_| match build() {
                Ok(step) => {
                    form_error.set(None);
                    on_add.run(step);
                }
                Err(message) => form_error.set(Some(message)),
            }>"Add step"</button>
        </div>
    }
}

#[component]
fn PreviewTable(data: PreviewData) -> impl IntoView {
    let shown = data.rows.len().min(PREVIEW_SHOWN_ROWS);
    view! {
        <p class="hint" data-testid="recipe-preview-summary">
            {format!("{} rows in → {} rows out, {} columns (first {} rows of the data)", data.n_rows_in, data.n_rows_out, data.columns.len(), data.n_rows_in)}
        </p>
        <div class="recipe-preview">
            <table data-testid="recipe-preview">
                <thead>
                    <tr>
                        {data.columns.iter().map(|c| view! {
                            <th data-testid="recipe-preview-column" data-column=c.name.clone()>
                                {c.name.clone()}<br /><span class="type">{c.column_type.label()}</span>
                            </th>
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {data.rows.into_iter().take(shown).map(|row| view! {
                        <tr>{row.into_iter().map(|v| view! { <td>{v.unwrap_or_else(|| "—".into())}</td> }).collect_view()}</tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Offers the recipe as a `.json` download.
fn download_recipe(recipe: &Recipe) {
    let name = if recipe.name.is_empty() {
        "recipe"
    } else {
        recipe.name.as_str()
    };
    crate::download::offer(
        &format!("{name}.json"),
        "application/json",
        &[recipe.to_json().into()],
    );
}
