//! The forecast chart: a series' history, its forecast (P50) after a marked start, the P10–P90 interval as a band, and a what-if forecast dashed beside it.

use compute::forecast::{ForecastPoint, HistoryPoint};
use leptos::prelude::*;

use super::{extent, nice_ticks, series_colour, tick, value_text, Linear, DASH, MARGIN};

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 320.0;
/// Room under the plot for the time labels.
const BOTTOM: f64 = 34.0;
const TOP: f64 = 10.0;
/// At most this many time labels along the axis.
const TIME_TICKS: usize = 7;

fn path(points: &[(f64, f64)]) -> String {
    let mut d = String::new();
    for (i, (x, y)) in points.iter().enumerate() {
        d.push_str(&format!("{}{x:.1},{y:.1}", if i == 0 { "M" } else { " L" }));
    }
    d
}

/// History then forecast over one time axis (one slot per step, labelled by timestamp).
#[component]
pub fn ForecastChart(
    history: Vec<HistoryPoint>,
    forecast: Vec<ForecastPoint>,
    /// A what-if forecast over the same future steps, drawn dashed.
    #[prop(optional_no_strip)]
    what_if: Option<Vec<ForecastPoint>>,
    #[prop(into)] y_label: String,
) -> impl IntoView {
    let n_history = history.len();
    let n = n_history + forecast.len();
    let mut ys: Vec<f64> = history.iter().map(|p| p.value).collect();
    for p in forecast.iter().chain(what_if.iter().flatten()) {
        ys.extend([p.p10, p.p50, p.p90]);
    }
    ys.retain(|y| y.is_finite());
    if n == 0 || ys.is_empty() {
        return view! { <figure class="forecast-chart">{super::empty_view()}</figure> }.into_any();
    }
    let (y_lo, y_hi) = extent(&ys);
    let plot_w = WIDTH - MARGIN - 12.0;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let sx = Linear {
        domain: (0.0, (n.max(2) - 1) as f64),
        range: (MARGIN, MARGIN + plot_w),
    };
    let sy = Linear {
        domain: (y_lo, y_hi),
        range: (TOP + plot_h, TOP),
    };
    let at = |slot: usize, y: f64| (sx.at(slot as f64), sy.at(y));
    let history_d = path(
        &history
            .iter()
            .enumerate()
            .filter(|(_, p)| p.value.is_finite())
            .map(|(i, p)| at(i, p.value))
            .collect::<Vec<_>>(),
    );
    // The forecast line starts at the last observed point, so the two join.
    let joined = |points: &[ForecastPoint], pick: fn(&ForecastPoint) -> f64| {
        let mut line: Vec<(f64, f64)> = history
            .last()
            .filter(|p| p.value.is_finite())
            .map(|p| at(n_history - 1, p.value))
            .into_iter()
            .collect();
        line.extend(
            points
                .iter()
                .enumerate()
                .map(|(k, p)| at(n_history + k, pick(p))),
        );
        path(&line)
    };
    let p50_d = joined(&forecast, |p| p.p50);
    let band_d = {
        let upper: Vec<(f64, f64)> = forecast
            .iter()
            .enumerate()
            .map(|(k, p)| at(n_history + k, p.p90))
            .collect();
        let lower: Vec<(f64, f64)> = forecast
            .iter()
            .enumerate()
            .rev()
            .map(|(k, p)| at(n_history + k, p.p10))
            .collect();
        let mut ring = upper;
        ring.extend(lower);
        let mut d = path(&ring);
        if !d.is_empty() {
            d.push_str(" Z");
        }
        d
    };
    let what_if_d = what_if.as_ref().map(|points| joined(points, |p| p.p50));
    let start_x = sx.at(n_history as f64 - 0.5);
    let label_at = |slot: usize| -> String {
        if slot < n_history {
            history[slot].timestamp.clone()
        } else {
            forecast[slot - n_history].timestamp.clone()
        }
    };
    let every = n.div_ceil(TIME_TICKS).max(1);
    let time_ticks: Vec<(f64, String)> = (0..n)
        .step_by(every)
        .map(|slot| (sx.at(slot as f64), label_at(slot)))
        .collect();
    let y_ticks = nice_ticks(y_lo, y_hi, 5, false);
    let history_colour = series_colour(0);
    let forecast_colour = series_colour(1);
    let what_if_colour = series_colour(2);
    let points = forecast
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let (x, y) = at(n_history + k, p.p50);
            let label = format!(
                "{}: P50 {} (P10 {}, P90 {})",
                p.timestamp,
                value_text(p.p50),
                value_text(p.p10),
                value_text(p.p90)
            );
            view! {
                <circle class="forecast-point" data-testid="forecast-point" cx=x cy=y r=2.5 fill=forecast_colour>
                    <title>{label}</title>
                </circle>
            }
        })
        .collect_view();
    let history_summary = match (history.first(), history.last()) {
        (Some(first), Some(last)) => format!(
            "history: {} points from {} to {}; last {}",
            n_history,
            first.timestamp,
            last.timestamp,
            value_text(last.value)
        ),
        _ => "history: none".to_string(),
    };
    view! {
        <figure class="forecast-chart">
            <svg
                data-testid="forecast-chart"
                width=WIDTH
                height=HEIGHT
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                role="img"
            >
                {y_ticks
                    .iter()
                    .map(|&v| view! {
                        <line class="grid" x1=MARGIN x2=MARGIN + plot_w y1=sy.at(v) y2=sy.at(v) />
                        <text class="tick" x=MARGIN - 4.0 y=sy.at(v) + 4.0 text-anchor="end">{tick(v)}</text>
                    })
                    .collect_view()}
                {time_ticks
                    .into_iter()
                    .map(|(x, label)| view! {
                        <text class="tick" x=x y=TOP + plot_h + 14.0 text-anchor="middle">{label}</text>
                    })
                    .collect_view()}
                <line class="axis" x1=MARGIN x2=MARGIN y1=TOP y2=TOP + plot_h />
                <line class="axis" x1=MARGIN x2=MARGIN + plot_w y1=TOP + plot_h y2=TOP + plot_h />
                <text
                    class="axis-label"
                    x=12.0
                    y=TOP + plot_h / 2.0
                    text-anchor="middle"
                    transform=format!("rotate(-90 12 {})", TOP + plot_h / 2.0)
                >
                    {y_label.clone()}
                </text>
                <path class="forecast-band" data-testid="forecast-band" d=band_d fill=forecast_colour>
                    <title>"P10–P90 interval"</title>
                </path>
                <line class="forecast-start" x1=start_x x2=start_x y1=TOP y2=TOP + plot_h />
                <path class="line-path" data-testid="forecast-history" d=history_d stroke=history_colour>
                    <title>{history_summary}</title>
                </path>
                <path class="line-path" data-testid="forecast-p50" d=p50_d stroke=forecast_colour />
                {what_if_d.map(|d| view! {
                    <path class="line-path" data-testid="forecast-what-if" d=d stroke=what_if_colour stroke-dasharray=DASH />
                })}
                {points}
            </svg>
            <figcaption class="legend">
                <span class="swatch" style=format!("background:{history_colour}")></span>"history "
                <span class="swatch" style=format!("background:{forecast_colour}")></span>"forecast (P50) with P10–P90 band "
                {what_if.is_some().then(|| view! {
                    <span class="swatch" style=format!("background:{what_if_colour}")></span>"what-if"
                })}
            </figcaption>
        </figure>
    }
    .into_any()
}
