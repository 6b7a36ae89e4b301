//! The app shell: the studio's areas in a navigation bar, each a page; areas not built yet say so plainly.

use leptos::prelude::*;

use crate::pages::build::BuildPage;
use crate::pages::data::DataPage;
use crate::pages::experiments::ExperimentsPage;
use crate::pages::forecast::ForecastPage;
use crate::pages::images::ImagesPage;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Area {
    Data,
    Features,
    Build,
    Forecast,
    Images,
    Experiments,
    Lineage,
    Monitor,
}

impl Area {
    pub const ALL: [Area; 8] = [
        Area::Data,
        Area::Features,
        Area::Build,
        Area::Forecast,
        Area::Images,
        Area::Experiments,
        Area::Lineage,
        Area::Monitor,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Area::Data => "Data",
            Area::Features => "Features",
            Area::Build => "Build",
            Area::Forecast => "Forecast",
            Area::Images => "Images",
            Area::Experiments => "Experiments",
            Area::Lineage => "Lineage",
            Area::Monitor => "Monitor",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Area::Data => "data",
            Area::Features => "features",
            Area::Build => "build",
            Area::Forecast => "forecast",
            Area::Images => "images",
            Area::Experiments => "experiments",
            Area::Lineage => "lineage",
            Area::Monitor => "monitor",
        }
    }

    /// What the area will do, said plainly while it is not built.
    fn not_built(self) -> Option<&'static str> {
        match self {
            Area::Data => None,
            Area::Features => Some("The Feature Store — reusable, versioned feature groups with the same transforms in training and prediction — is not built yet."),
            Area::Build => None,
            Area::Forecast => None,
            Area::Images => None,
            Area::Experiments => None,
            Area::Lineage => Some("The lineage graph is not built yet. Every import already records its lineage (source file, action, dataset version, audit log); this page will show it."),
            Area::Monitor => Some("Model monitoring (data and quality drift) is not built yet."),
        }
    }

    fn from_hash(hash: &str) -> Area {
        let slug = hash.trim_start_matches('#').trim_start_matches('/');
        Area::ALL
            .into_iter()
            .find(|a| a.slug() == slug)
            .unwrap_or(Area::Data)
    }
}

fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

#[component]
pub fn App() -> impl IntoView {
    let area = RwSignal::new(Area::from_hash(&current_hash()));
    // The area lives in the URL's hash, so reload and the back button keep it.
    // The handle is dropped on purpose: the listener lives as long as the app.
    let _ = window_event_listener(leptos::ev::hashchange, move |_| {
        area.set(Area::from_hash(&current_hash()))
    });

    view! {
        <header class="topbar">
            <span class="brand">"ML Studio"</span>
            <nav aria-label="Studio areas">
                {Area::ALL
                    .into_iter()
                    .map(|a| {
                        view! {
                            <a
                                href=format!("#/{}", a.slug())
                                class:active=move || area.get() == a
                                data-testid=format!("nav-{}", a.slug())
                            >
                                {a.label()}
                            </a>
                        }
                    })
                    .collect_view()}
            </nav>
            <span class="tagline">"Your data never leaves this device"</span>
        </header>
        <main>
            {move || match (area.get(), area.get().not_built()) {
                (Area::Build, _) => view! { <BuildPage /> }.into_any(),
                (Area::Forecast, _) => view! { <ForecastPage /> }.into_any(),
                (Area::Images, _) => view! { <ImagesPage /> }.into_any(),
                (Area::Experiments, _) => view! { <ExperimentsPage /> }.into_any(),
                (_, None) => view! { <DataPage /> }.into_any(),
                (_, Some(text)) => {
                    view! {
                        <section class="not-built" data-testid="not-built">
                            <h1>{area.get().label()}</h1>
                            <p>{text}</p>
                        </section>
                    }
                        .into_any()
                }
            }}
        </main>
    }
}
