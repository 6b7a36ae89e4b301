//! The recipe panel: edit an ordered list of transform steps beside the data (add, edit, remove, reorder, undo/redo), see a live preview computed in a worker, apply it to make a new dataset version, keep recipes in a named library, export and import them as JSON.

use compute::protocol::{ErrorKind, Reply, Request, RequestId};
use compute::recipe::{FillStrategy, Recipe, Step, Value};
use compute::records::{DatasetRecord, SavedRecipe};
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

/// A step as compact JSON: the app's one way to write a step.
fn step_json(step: &Step) -> String {
    serde_json::to_string(step).unwrap_or_default()
}

/// The app's one way to read a step.
fn parse_step(json: &str) -> Result<Step, serde_json::Error> {
    serde_json::from_str(json)
}

/// One line describing a step: its name and its parameters as JSON.
fn describe(step: &Step) -> (String, String) {
    // Through text, so the app carries one serializer and one deserializer of `Step` (each
    // instance of serde's generated code for 40-odd variants costs tens of KB of wasm).
    let mut value = step_json(step)
        .parse::<serde_json::Value>()
        .unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.remove("op");
    }
    (step.op().to_string(), value.to_string())
}

/// The kinds of step the form builds directly; any other of the 44 goes in as JSON.
const QUICK_STEPS: [(&str, &str); 9] = [
    ("fill_missing", "Fill missing values"),
    ("one_hot", "One-hot encode"),
    ("formula_column", "Formula column"),
    ("drop_columns", "Drop column"),
    ("standard_scale", "Standard scale"),
    ("log1p", "log1p"),
    ("join", "Join another dataset"),
    ("concatenate", "Append rows of another dataset"),
    ("json", "Any step as JSON"),
];

/// Asks the worker for the recipe library (after `request` changes it) and shows it.
fn refresh_library(
    request: Request,
    library: RwSignal<Vec<SavedRecipe>>,
    error: RwSignal<Option<String>>,
) {
    spawn_local(async move {
        let result = bridge::call(request, None, |_| {}).await;
        if library.is_disposed() {
            return;
        }
        match result {
            Ok(Reply::SavedRecipes { recipes }) => {
                library.set(recipes);
                error.set(None);
            }
            Ok(other) => error.set(Some(format!("unexpected reply: {other:?}"))),
            Err(e) => error.set(Some(format::error(&e))),
        }
    });
}

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
    // The step being edited in place, and its JSON as typed.
    let editing = RwSignal::new(None::<usize>);
    let edit_text = RwSignal::new(String::new());
    let edit_error = RwSignal::new(None::<String>);
    let library = RwSignal::new(Vec::<SavedRecipe>::new());
    let library_error = RwSignal::new(None::<String>);
    let picked_saved = RwSignal::new(String::new());
    refresh_library(Request::ListSavedRecipes, library, library_error);

    let change = move |next: Recipe| {
        undo_stack.update_value(|u| u.push(recipe.get_untracked()));
        redo_stack.update_value(|r| r.clear());
        recipe.set(next);
    };

    // Every change is kept as a draft (typing the recipe's name included).
    let draft_id = dataset_id.clone();
    Effect::new(move |_| recipe.with(|current| save_draft(&draft_id, current)));
    // Live preview: a change of the steps (not of the name) goes to a worker; only the
    // newest reply is shown.
    let steps = Memo::new(move |_| recipe.with(|r| r.steps.clone()));
    let preview_id = dataset_id.clone();
    Effect::new(move |_| {
        let current = Recipe::new("", steps.get());
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
            <div class="recipe-library" data-testid="recipe-library">
                <input
                    data-testid="recipe-name"
                    placeholder="recipe name"
                    prop:value=move || recipe.with(|r| r.name.clone())
                    on:input=move |ev| {
                        let name = event_target_value(&ev);
                        recipe.update(|r| r.name = name);
                    }
                />
                <button
                    data-testid="recipe-save"
                    on:click=move |_| refresh_library(
                        Request::SaveRecipe { recipe: recipe.get_untracked() },
                        library,
                        library_error,
                    )
                >
                    "Save to library"
                </button>
                <select data-testid="saved-recipes" on:change=move |ev| picked_saved.set(event_target_value(&ev))>
                    <option value="">"— saved recipes —"</option>
                    {move || library.get().into_iter().map(|saved| {
                        let label = format!("{} ({} steps)", saved.name, saved.recipe.steps.len());
                        let value = saved.name.clone();
                        view! { <option value=saved.name selected=move || picked_saved.get() == value>{label}</option> }
                    }).collect_view()}
                </select>
                <button
                    data-testid="saved-load"
                    disabled=move || picked_saved.get().is_empty()
                    on:click=move |_| {
                        let name = picked_saved.get_untracked();
                        if let Some(saved) = library.with_untracked(|l| l.iter().find(|s| s.name == name).cloned()) {
                            change(saved.recipe);
                        }
                    }
                >
                    "Load"
                </button>
                <button
                    data-testid="saved-delete"
                    disabled=move || picked_saved.get().is_empty()
                    on:click=move |_| {
                        let name = picked_saved.get_untracked();
                        picked_saved.set(String::new());
                        refresh_library(Request::DeleteSavedRecipe { name }, library, library_error);
                    }
                >
                    "Delete"
                </button>
                {move || library_error.get().map(|e| view! { <p class="error" role="alert" data-testid="library-error">{e}</p> })}
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
                            if editing.get() == Some(i) {
                                let save = move || {
                                    match parse_step(&edit_text.get_untracked()) {
                                        Ok(step) => {
                                            edit_error.set(None);
                                            editing.set(None);
                                            edit(&|s| s[i] = step.clone());
                                        }
                                        Err(e) => edit_error.set(Some(format!("step {}: not a valid step: {e}", i + 1))),
                                    }
                                };
                                return view! {
                                    <li data-testid="recipe-step" class="editing">
                                        <textarea
                                            data-testid="step-edit-json"
                                            rows="3"
                                            prop:value=move || edit_text.get()
                                            on:input=move |ev| edit_text.set(event_target_value(&ev))
                                        ></textarea>
                                        <button data-testid="step-edit-save" on:click=move |_| save()>"Save"</button>
                                        <button on:click=move |_| { editing.set(None); edit_error.set(None); }>"Cancel"</button>
                                        {move || edit_error.get().map(|e| view! { <p class="error" role="alert" data-testid="step-edit-error">{e}</p> })}
                                    </li>
                                }
                                .into_any();
                            }
                            let json = step_json(&step)
                                .parse::<serde_json::Value>()
                                .and_then(|v| serde_json::to_string_pretty(&v))
                                .unwrap_or_default();
                            view! {
                                <li data-testid="recipe-step">
                                    <code class="op">{op}</code>
                                    <code class="params">{params}</code>
                                    <button disabled=i == 0 on:click=move |_| edit(&|s| s.swap(i, i - 1))>"↑"</button>
                                    <button disabled=i + 1 == n on:click=move |_| edit(&|s| s.swap(i, i + 1))>"↓"</button>
                                    <button data-testid="step-edit" on:click=move |_| {
                                        edit_text.set(json.clone());
                                        edit_error.set(None);
                                        editing.set(Some(i));
                                    }>"Edit"</button>
                                    <button data-testid="step-remove" on:click=move |_| { editing.set(None); edit(&|s| { s.remove(i); }); }>"Remove"</button>
                                </li>
                            }
                            .into_any()
                        })
                        .collect_view()
                }}
            </ol>
            <StepForm columns=columns dataset_id=dataset_id.clone() on_add=Callback::new(move |step: Step| {
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
    dataset_id: String,
    on_add: Callback<Step>,
    form_error: RwSignal<Option<String>>,
) -> impl IntoView {
    // Other stored datasets, for join and concatenate.
    let others = RwSignal::new(Vec::<DatasetRecord>::new());
    let other = RwSignal::new(String::new());
    let on_keys = RwSignal::new(String::new());
    let how = RwSignal::new("inner".to_string());
    spawn_local(async move {
        if let Ok(Reply::Datasets { datasets }) =
            bridge::call(Request::ListDatasets, None, |_| {}).await
        {
            let datasets: Vec<DatasetRecord> = datasets
                .into_iter()
                .filter(|d| d.dataset_id != dataset_id)
                .collect();
            if let Some(first) = datasets.first() {
                other.try_set(first.dataset_id.clone());
            }
            others.try_set(datasets);
        }
    });
    let other_ref = move || -> Result<serde_json::Value, String> {
        let id = other.get_untracked();
        others.with_untracked(|list| {
            list.iter()
                .find(|d| d.dataset_id == id)
                .map(|d| serde_json::json!({"dataset_id": d.dataset_id, "content_hash": d.content_hash}))
                .ok_or_else(|| "pick the other dataset first (import one if there is none)".to_string())
        })
    };
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
                parse_step(&serde_json::json!({"op": "log1p", "columns": [column]}).to_string())
                    .map_err(|e| e.to_string())?
            }
            "join" => {
                let on: Vec<String> = on_keys
                    .get_untracked()
                    .split(',')
                    .map(|k| k.trim().to_string())
                    .filter(|k| !k.is_empty())
                    .collect();
                if on.is_empty() {
                    return Err("name the key column(s) to join on, separated by commas".into());
                }
                parse_step(
                    &serde_json::json!({
                        "op": "join", "right": other_ref()?, "on": on, "how": how.get_untracked()
                    })
                    .to_string(),
                )
                .map_err(|e| e.to_string())?
            }
            "concatenate" => parse_step(
                &serde_json::json!({"op": "concatenate", "other": other_ref()?}).to_string(),
            )
            .map_err(|e| e.to_string())?,
            _ => parse_step(&json.get_untracked())
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
            <Show when=move || matches!(kind.get().as_str(), "join" | "concatenate")>
                <select data-testid="step-other" on:change=move |ev| other.set(event_target_value(&ev))>
                    {move || others.get().into_iter().map(|d| {
                        let id = d.dataset_id.clone();
                        view! { <option value=d.dataset_id selected=move || other.get() == id>{d.name}</option> }
                    }).collect_view()}
                </select>
            </Show>
            <Show when=move || kind.get() == "join">
                <input data-testid="step-on" placeholder="key column(s), comma-separated" on:input=move |ev| on_keys.set(event_target_value(&ev)) />
                <select data-testid="step-how" on:change=move |ev| how.set(event_target_value(&ev))>
                    <option value="inner">"inner"</option>
                    <option value="left">"left"</option>
                </select>
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
