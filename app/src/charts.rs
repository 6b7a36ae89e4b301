//! Charts drawn as plain SVG by Leptos components (box plot, correlation heatmap, scatter plot): no charting crate, so nothing is added to the download and every mark can carry a tooltip and a test id.
//!
//! The numbers come from the worker (profiles, point samples); these components only map
//! them to pixels.

use compute::profile::{ColumnProfile, CorrelationMatrix, PairSample};
use leptos::prelude::*;

/// A short label for an axis tick or a tooltip.
pub fn tick(value: f64) -> String {
    if value == 0.0 {
        return "0".into();
    }
    let magnitude = value.abs();
    if !(1e-3..1e6).contains(&magnitude) {
        format!("{value:.2e}")
    } else if magnitude >= 100.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.3}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}

/// The five numbers a box plot draws, from a profile (quartiles interpolated like pandas).
/// Whiskers reach 1.5 × IQR beyond the quartiles (Tukey), clipped to the minimum and maximum.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoxStats {
    pub whisker_low: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub whisker_high: f64,
    pub min: f64,
    pub max: f64,
}

impl BoxStats {
    pub fn of(column: &ColumnProfile) -> Option<BoxStats> {
        let quantiles = &column.numeric.as_ref()?.quantiles;
        let (q1, median, q3) = (quantiles.p25?, quantiles.p50?, quantiles.p75?);
        let (min, max) = (column.min?, column.max?);
        if !(min.is_finite() && max.is_finite()) {
            return None;
        }
        let fence = 1.5 * (q3 - q1);
        Some(BoxStats {
            whisker_low: (q1 - fence).max(min),
            q1,
            median,
            q3,
            whisker_high: (q3 + fence).min(max),
            min,
            max,
        })
    }
}

const BOX_WIDTH: f64 = 160.0;
const BOX_HEIGHT: f64 = 22.0;

/// A horizontal box plot on the column's own scale (min to max); points beyond the whiskers
/// are shown as end marks at the minimum and maximum.
#[component]
pub fn BoxPlot(stats: BoxStats) -> impl IntoView {
    let span = (stats.max - stats.min).max(f64::MIN_POSITIVE);
    let x = move |v: f64| 2.0 + (v - stats.min) / span * (BOX_WIDTH - 4.0);
    let mid = BOX_HEIGHT / 2.0;
    let title = format!(
        "min {} · whisker {} · Q1 {} · median {} · Q3 {} · whisker {} · max {}",
        tick(stats.min),
        tick(stats.whisker_low),
        tick(stats.q1),
        tick(stats.median),
        tick(stats.q3),
        tick(stats.whisker_high),
        tick(stats.max)
    );
    let outliers = [
        (stats.min < stats.whisker_low).then_some(stats.min),
        (stats.max > stats.whisker_high).then_some(stats.max),
    ];
    view! {
        <svg class="boxplot" data-testid="boxplot" width=BOX_WIDTH height=BOX_HEIGHT role="img">
            <title>{title}</title>
            <line x1=x(stats.whisker_low) x2=x(stats.q1) y1=mid y2=mid />
            <line x1=x(stats.q3) x2=x(stats.whisker_high) y1=mid y2=mid />
            <line x1=x(stats.whisker_low) x2=x(stats.whisker_low) y1=mid - 5.0 y2=mid + 5.0 />
            <line x1=x(stats.whisker_high) x2=x(stats.whisker_high) y1=mid - 5.0 y2=mid + 5.0 />
            <rect
                x=x(stats.q1)
                y=mid - 7.0
                width=(x(stats.q3) - x(stats.q1)).max(1.0)
                height=14.0
            />
            <line class="median" x1=x(stats.median) x2=x(stats.median) y1=mid - 7.0 y2=mid + 7.0 />
            {outliers
                .into_iter()
                .flatten()
                .map(|v| view! { <circle class="outlier" cx=x(v) cy=mid r=2.0 /> })
                .collect_view()}
        </svg>
    }
}

/// A diverging colour for a correlation in [-1, 1]: blue for negative, red for positive.
fn correlation_colour(r: Option<f64>) -> String {
    match r {
        None => "#e5e7eb".into(),
        Some(r) => {
            let t = r.clamp(-1.0, 1.0).abs();
            let fade = |c: f64| (255.0 - t * (255.0 - c)).round() as u8;
            let (r8, g8, b8) = if r >= 0.0 {
                (fade(185.0), fade(28.0), fade(28.0))
            } else {
                (fade(29.0), fade(78.0), fade(216.0))
            };
            format!("rgb({r8},{g8},{b8})")
        }
    }
}

const CELL: f64 = 26.0;
const LABEL_WIDTH: f64 = 130.0;
/// Beyond this many columns the cells are too small to read; the heatmap shows the first ones.
pub const HEATMAP_MAX_COLUMNS: usize = 30;

/// Pearson correlations as a matrix of coloured cells; clicking a cell asks for the scatter
/// plot of that pair.
#[component]
pub fn CorrelationHeatmap(
    matrix: CorrelationMatrix,
    on_pick: Callback<(String, String)>,
) -> impl IntoView {
    let n = matrix.columns.len().min(HEATMAP_MAX_COLUMNS);
    let columns: Vec<String> = matrix.columns.iter().take(n).cloned().collect();
    let size = LABEL_WIDTH + n as f64 * CELL;
    let short = |name: &str| -> String {
        if name.chars().count() > 18 {
            format!("{}…", name.chars().take(17).collect::<String>())
        } else {
            name.to_string()
        }
    };
    let cells = (0..n)
        .flat_map(|i| (0..n).map(move |j| (i, j)))
        .map(|(i, j)| {
            let r = matrix.values[i][j];
            let (a, b) = (columns[i].clone(), columns[j].clone());
            let label = format!(
                "{a} × {b}: {}",
                r.map(|r| format!("{r:.3}"))
                    .unwrap_or_else(|| "undefined".into())
            );
            let pick = (a.clone(), b.clone());
            view! {
                <rect
                    data-testid="heatmap-cell"
                    data-pair=format!("{a}|{b}")
                    x=LABEL_WIDTH + j as f64 * CELL
                    y=LABEL_WIDTH + i as f64 * CELL
                    width=CELL - 1.0
                    height=CELL - 1.0
                    fill=correlation_colour(r)
                    on:click=move |_| on_pick.run(pick.clone())
                >
                    <title>{label}</title>
                </rect>
                <text
                    class="heat-value"
                    x=LABEL_WIDTH + j as f64 * CELL + CELL / 2.0
                    y=LABEL_WIDTH + i as f64 * CELL + CELL / 2.0 + 4.0
                >
                    {r.map(|r| format!("{r:.1}")).unwrap_or_default()}
                </text>
            }
        })
        .collect_view();
    let row_labels = columns
        .iter()
        .enumerate()
        .map(|(i, name)| {
            view! {
                <text class="heat-label" x=LABEL_WIDTH - 4.0 y=LABEL_WIDTH + i as f64 * CELL + CELL / 2.0 + 4.0 text-anchor="end">
                    {short(name)}
                </text>
            }
        })
        .collect_view();
    let column_labels = columns
        .iter()
        .enumerate()
        .map(|(j, name)| {
            let x = LABEL_WIDTH + j as f64 * CELL + CELL / 2.0 + 4.0;
            let y = LABEL_WIDTH - 4.0;
            view! {
                <text class="heat-label" x=x y=y transform=format!("rotate(-60 {x} {y})")>
                    {short(name)}
                </text>
            }
        })
        .collect_view();
    view! {
        <svg
            class="heatmap"
            data-testid="correlation-heatmap"
            width=size
            height=size
            viewBox=format!("0 0 {size} {size}")
            role="img"
        >
            {row_labels}
            {column_labels}
            {cells}
        </svg>
        {(matrix.columns.len() > n).then(|| view! {
            <p class="hint">{format!("The first {n} of {} numeric columns.", matrix.columns.len())}</p>
        })}
    }
}

const SCATTER_WIDTH: f64 = 420.0;
const SCATTER_HEIGHT: f64 = 300.0;
const MARGIN: f64 = 44.0;

/// Extent of the values with a little room, never empty.
fn extent(values: &[f64]) -> (f64, f64) {
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if lo == hi {
        return (lo - 0.5, hi + 0.5);
    }
    let pad = (hi - lo) * 0.03;
    (lo - pad, hi + pad)
}

/// A guide line drawn under a scatter's points.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ScatterReference {
    #[default]
    None,
    /// y = x, where a prediction equals the actual value.
    Identity,
    /// y = 0, where a residual vanishes.
    Zero,
}

/// Points of two columns with axes and five ticks on each, and an optional guide line.
#[component]
pub fn ScatterPlot(
    sample: PairSample,
    #[prop(optional)] reference: ScatterReference,
) -> impl IntoView {
    let (mut x_lo, mut x_hi) = extent(&sample.x);
    let (mut y_lo, mut y_hi) = extent(&sample.y);
    if reference == ScatterReference::Identity {
        // One scale on both axes, so the diagonal is at 45°.
        x_lo = x_lo.min(y_lo);
        x_hi = x_hi.max(y_hi);
        (y_lo, y_hi) = (x_lo, x_hi);
    }
    let plot_w = SCATTER_WIDTH - MARGIN - 10.0;
    let plot_h = SCATTER_HEIGHT - MARGIN - 10.0;
    let sx = move |v: f64| MARGIN + (v - x_lo) / (x_hi - x_lo) * plot_w;
    let sy = move |v: f64| 10.0 + plot_h - (v - y_lo) / (y_hi - y_lo) * plot_h;
    let ticks = |lo: f64, hi: f64| -> Vec<f64> {
        (0..5).map(|k| lo + (hi - lo) * k as f64 / 4.0).collect()
    };
    let radius = if sample.x.len() > 1000 { 1.5 } else { 2.5 };
    let points = sample
        .x
        .iter()
        .zip(&sample.y)
        .map(|(&x, &y)| view! { <circle data-testid="scatter-point" cx=sx(x) cy=sy(y) r=radius /> })
        .collect_view();
    let caption = format!(
        "{} of {} rows with both values{}",
        sample.x.len(),
        sample.n_pairs,
        if (sample.x.len() as u64) < sample.n_pairs {
            " (a uniform sample)"
        } else {
            ""
        }
    );
    view! {
        <figure class="scatter">
            <svg
                data-testid="scatter-plot"
                width=SCATTER_WIDTH
                height=SCATTER_HEIGHT
                viewBox=format!("0 0 {SCATTER_WIDTH} {SCATTER_HEIGHT}")
                role="img"
            >
                <line class="axis" x1=MARGIN x2=MARGIN y1=10.0 y2=10.0 + plot_h />
                <line class="axis" x1=MARGIN x2=MARGIN + plot_w y1=10.0 + plot_h y2=10.0 + plot_h />
                {ticks(x_lo, x_hi)
                    .into_iter()
                    .map(|v| view! {
                        <text class="tick" x=sx(v) y=10.0 + plot_h + 14.0 text-anchor="middle">{tick(v)}</text>
                    })
                    .collect_view()}
                {ticks(y_lo, y_hi)
                    .into_iter()
                    .map(|v| view! {
                        <text class="tick" x=MARGIN - 4.0 y=sy(v) + 4.0 text-anchor="end">{tick(v)}</text>
                    })
                    .collect_view()}
                <text class="axis-label" x=MARGIN + plot_w / 2.0 y=SCATTER_HEIGHT - 4.0 text-anchor="middle">
                    {sample.x_column.clone()}
                </text>
                <text
                    class="axis-label"
                    x=12.0
                    y=10.0 + plot_h / 2.0
                    text-anchor="middle"
                    transform=format!("rotate(-90 12 {})", 10.0 + plot_h / 2.0)
                >
                    {sample.y_column.clone()}
                </text>
                {match reference {
                    ScatterReference::None => None,
                    ScatterReference::Identity => Some(view! {
                        <line class="guide" data-testid="scatter-guide" x1=sx(x_lo) y1=sy(x_lo) x2=sx(x_hi) y2=sy(x_hi) />
                    }),
                    ScatterReference::Zero => (y_lo <= 0.0 && 0.0 <= y_hi).then(|| view! {
                        <line class="guide" data-testid="scatter-guide" x1=sx(x_lo) y1=sy(0.0) x2=sx(x_hi) y2=sy(0.0) />
                    }),
                }}
                <g class="points">{points}</g>
            </svg>
            <figcaption data-testid="scatter-caption">{caption}</figcaption>
        </figure>
    }
}

const CURVE_SIZE: f64 = 220.0;

/// A curve on the unit square (ROC, precision-recall) with axes at 0, 0.5 and 1, and the
/// chance diagonal if asked.
#[component]
pub fn CurveChart(
    points: Vec<(f64, f64)>,
    x_label: &'static str,
    y_label: &'static str,
    diagonal: bool,
    caption: String,
) -> impl IntoView {
    let plot = CURVE_SIZE - MARGIN - 10.0;
    let sx = move |v: f64| MARGIN + v.clamp(0.0, 1.0) * plot;
    let sy = move |v: f64| 10.0 + plot - v.clamp(0.0, 1.0) * plot;
    let path: String = points
        .iter()
        .enumerate()
        .map(|(i, &(x, y))| {
            format!(
                "{}{:.1},{:.1}",
                if i == 0 { "M" } else { " L" },
                sx(x),
                sy(y)
            )
        })
        .collect();
    let ticks = [0.0, 0.5, 1.0];
    view! {
        <figure class="curve">
            <svg
                data-testid="curve-chart"
                width=CURVE_SIZE
                height=CURVE_SIZE
                viewBox=format!("0 0 {CURVE_SIZE} {CURVE_SIZE}")
                role="img"
            >
                <line class="axis" x1=MARGIN x2=MARGIN y1=10.0 y2=10.0 + plot />
                <line class="axis" x1=MARGIN x2=MARGIN + plot y1=10.0 + plot y2=10.0 + plot />
                {ticks
                    .iter()
                    .map(|&v| view! {
                        <text class="tick" x=sx(v) y=10.0 + plot + 14.0 text-anchor="middle">{tick(v)}</text>
                        <text class="tick" x=MARGIN - 4.0 y=sy(v) + 4.0 text-anchor="end">{tick(v)}</text>
                    })
                    .collect_view()}
                {diagonal.then(|| view! { <line class="guide" x1=sx(0.0) y1=sy(0.0) x2=sx(1.0) y2=sy(1.0) /> })}
                <path class="curve-line" d=path />
                <text class="axis-label" x=MARGIN + plot / 2.0 y=CURVE_SIZE - 4.0 text-anchor="middle">{x_label}</text>
                <text
                    class="axis-label"
                    x=12.0
                    y=10.0 + plot / 2.0
                    text-anchor="middle"
                    transform=format!("rotate(-90 12 {})", 10.0 + plot / 2.0)
                >
                    {y_label}
                </text>
            </svg>
            <figcaption>{caption}</figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::{wasm_bindgen_test as test, wasm_bindgen_test_configure};

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[test]
    fn ticks_are_short() {
        assert_eq!(tick(0.0), "0");
        assert_eq!(tick(12.5), "12.5");
        assert_eq!(tick(4200.0), "4200");
        assert_eq!(tick(1.0e7), "1.00e7");
    }

    #[test]
    fn extent_is_never_empty() {
        assert_eq!(extent(&[]), (0.0, 1.0));
        assert_eq!(extent(&[2.0, 2.0]), (1.5, 2.5));
    }

    #[test]
    fn colours_diverge_from_white() {
        assert_eq!(correlation_colour(Some(0.0)), "rgb(255,255,255)");
        assert_eq!(correlation_colour(Some(1.0)), "rgb(185,28,28)");
        assert_eq!(correlation_colour(Some(-1.0)), "rgb(29,78,216)");
    }
}
