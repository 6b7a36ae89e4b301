//! Charts drawn as plain SVG by Leptos components (box plot, correlation heatmap, scatter plot with guide lines, unit-square curves for ROC/PR, and for runs line charts, bar charts and parallel coordinates with one palette and legend): no charting crate, so nothing is added to the download and every mark can carry a tooltip and a test id.
//!
//! The numbers come from the worker and the stored runs (profiles, point samples, metric
//! histories); these components only map them to pixels.

mod forecast;
pub use forecast::ForecastChart;

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
    let short = |name: &str| truncate_label(name, 18);
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

// The run charts below (line, bar, parallel coordinates) share one palette and one legend, so a
// run keeps its colour on every chart of a page.

/// Tableau 10: ten colours that most colour-blind readers can still tell apart.
const PALETTE: [&str; 10] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac",
];

/// The colour of series `index`: pages give a run the same index on every chart. Past ten
/// series the palette repeats.
pub fn series_colour(index: usize) -> &'static str {
    PALETTE[index % PALETTE.len()]
}

/// The dash pattern of a dashed series (a validation curve beside its solid training curve).
const DASH: &str = "6 4";

/// A value as a tooltip or a bar's end shows it: four significant digits, one more than a tick,
/// so that close scores still read differently.
fn value_text(value: f64) -> String {
    if !value.is_finite() {
        return "no value".into();
    }
    if value == 0.0 {
        return "0".into();
    }
    let magnitude = value.abs();
    if !(1e-4..1e6).contains(&magnitude) {
        return format!("{value:.3e}");
    }
    let decimals = (3 - magnitude.log10().floor() as i32).max(0) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// `label` cut to at most `max_chars` characters, the last of them an ellipsis when it was cut.
fn truncate_label(label: &str, max_chars: usize) -> String {
    if label.chars().count() <= max_chars {
        label.to_string()
    } else {
        let kept: String = label.chars().take(max_chars.saturating_sub(1)).collect();
        format!("{kept}…")
    }
}

/// A linear map from data values (`domain`) to pixels (`range`); a range may run backwards, as
/// a y axis does.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Linear {
    domain: (f64, f64),
    range: (f64, f64),
}

impl Linear {
    fn at(self, value: f64) -> f64 {
        let ((d0, d1), (r0, r1)) = (self.domain, self.range);
        if d1 == d0 {
            return (r0 + r1) / 2.0;
        }
        r0 + (value - d0) / (d1 - d0) * (r1 - r0)
    }
}

/// Round tick values inside `[lo, hi]`, 1, 2 or 5 × a power of ten apart, about `target` of
/// them; whole numbers only when `whole` (steps, iterations, row counts).
fn nice_ticks(lo: f64, hi: f64, target: usize, whole: bool) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi < lo {
        return Vec::new();
    }
    if hi == lo {
        return vec![lo];
    }
    // The round step nearest to an even split (d3's rule): the thresholds are the geometric
    // means of 1, 2, 5 and 10.
    let raw = (hi - lo) / target.max(1) as f64;
    let power = 10f64.powf(raw.log10().floor());
    let ratio = raw / power;
    let multiple = if ratio >= 50f64.sqrt() {
        10.0
    } else if ratio >= 10f64.sqrt() {
        5.0
    } else if ratio >= 2f64.sqrt() {
        2.0
    } else {
        1.0
    };
    let mut step = multiple * power;
    if whole {
        step = step.max(1.0);
    }
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// SVG path data through the points in order, lifting the pen at each gap (`None`), and the
/// indices of the points with a gap on both sides: a path cannot show those, so the charts draw
/// them as dots.
fn broken_path(points: &[Option<(f64, f64)>]) -> (String, Vec<usize>) {
    let mut d = String::new();
    let mut lone = Vec::new();
    for (i, point) in points.iter().enumerate() {
        let Some((x, y)) = *point else { continue };
        let after_gap = i == 0 || points[i - 1].is_none();
        let before_gap = points.get(i + 1).is_none_or(Option::is_none);
        if after_gap && before_gap {
            lone.push(i);
            continue;
        }
        if !d.is_empty() {
            d.push(' ');
        }
        let command = if after_gap { 'M' } else { 'L' };
        d.push_str(&format!("{command}{x:.1},{y:.1}"));
    }
    (d, lone)
}

/// The `<figcaption>` of a chart, if it has a caption.
fn caption_view(caption: String) -> impl IntoView {
    (!caption.is_empty()).then(|| view! { <figcaption>{caption}</figcaption> })
}

/// What a chart shows when there is nothing to draw, in place of its SVG.
fn empty_view() -> impl IntoView {
    view! { <p class="empty" data-testid="chart-empty">"No values to draw"</p> }
}

/// The legend's markup: a line swatch (dashed when the series is) and the name per item.
fn legend_view(items: Vec<(String, usize, bool)>) -> impl IntoView {
    view! {
        <ul class="chart-legend" data-testid="chart-legend">
            {items
                .into_iter()
                .map(|(name, colour_index, dashed)| {
                    let data_series = name.clone();
                    view! {
                    <li class="legend-item" data-testid="legend-item" data-series=data_series>
                        <svg class="legend-swatch" width=24.0 height=10.0 aria-hidden="true">
                            <line
                                x1=1.0
                                x2=23.0
                                y1=5.0
                                y2=5.0
                                stroke=series_colour(colour_index)
                                stroke-dasharray=dashed.then_some(DASH)
                            />
                        </svg>
                        <span>{name}</span>
                    </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// Names beside their colours ([`series_colour`]), for a page that colours runs alike on
/// several charts.
#[component]
pub fn Legend(items: Vec<(String, usize)>) -> impl IntoView {
    legend_view(
        items
            .into_iter()
            .map(|(name, colour_index)| (name, colour_index, false))
            .collect(),
    )
}

/// One named line of a [`LineChart`].
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    /// (x, y) points joined in the order given; a point with a non-finite coordinate is
    /// skipped and leaves a gap in the line.
    pub points: Vec<(f64, f64)>,
    /// Index into [`series_colour`]; the train and validation series of one run share it.
    pub colour_index: usize,
    /// Drawn dashed, e.g. a validation curve beside the solid training curve of the same run.
    pub dashed: bool,
}

const LINE_WIDTH: f64 = 480.0;
const LINE_HEIGHT: f64 = 300.0;
/// Up to this many points a series draws a dot with its own tooltip at each point; a longer
/// series only has a summary tooltip on its line, so a long history stays light.
const MARKER_LIMIT: usize = 60;

fn is_finite_point(&(x, y): &(f64, f64)) -> bool {
    x.is_finite() && y.is_finite()
}

/// The tooltip of a whole series: its size, range and last point.
fn series_summary(name: &str, points: &[(f64, f64)], x_label: &str, y_label: &str) -> String {
    let Some(&(last_x, last_y)) = points.last() else {
        return format!("{name}: no values");
    };
    let (lo, hi) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(_, y)| {
            (lo.min(y), hi.max(y))
        });
    format!(
        "{name}: {} points, {y_label} from {} to {}; last {} at {x_label} {}",
        points.len(),
        value_text(lo),
        value_text(hi),
        value_text(last_y),
        value_text(last_x)
    )
}

/// Several named series over shared axes (x: step, iteration or training-set size; y: a loss
/// or a score), each in its run's colour, with a legend.
#[component]
pub fn LineChart(
    series: Vec<Series>,
    #[prop(into)] x_label: String,
    #[prop(into)] y_label: String,
    #[prop(optional, into)] caption: String,
) -> impl IntoView {
    let (xs, ys): (Vec<f64>, Vec<f64>) = series
        .iter()
        .flat_map(|s| s.points.iter().copied().filter(is_finite_point))
        .unzip();
    if xs.is_empty() {
        return view! {
            <figure class="line-chart">{empty_view()} {caption_view(caption)}</figure>
        }
        .into_any();
    }
    let (x_lo, x_hi) = extent(&xs);
    let (y_lo, y_hi) = extent(&ys);
    let whole_x = xs.iter().all(|x| x.fract() == 0.0);
    let plot_w = LINE_WIDTH - MARGIN - 10.0;
    let plot_h = LINE_HEIGHT - MARGIN - 10.0;
    let sx = Linear {
        domain: (x_lo, x_hi),
        range: (MARGIN, MARGIN + plot_w),
    };
    let sy = Linear {
        domain: (y_lo, y_hi),
        range: (10.0 + plot_h, 10.0),
    };
    let legend = legend_view(
        series
            .iter()
            .map(|s| (s.name.clone(), s.colour_index, s.dashed))
            .collect(),
    );
    let lines = series
        .into_iter()
        .map(|s| {
            let colour = series_colour(s.colour_index);
            let pixels: Vec<Option<(f64, f64)>> = s
                .points
                .iter()
                .map(|p| is_finite_point(p).then(|| (sx.at(p.0), sy.at(p.1))))
                .collect();
            let (d, lone) = broken_path(&pixels);
            let drawn: Vec<(f64, f64)> = s.points.iter().copied().filter(is_finite_point).collect();
            let summary = series_summary(&s.name, &drawn, &x_label, &y_label);
            let dotted: Vec<(f64, f64)> = if drawn.len() <= MARKER_LIMIT {
                drawn
            } else {
                lone.into_iter().map(|i| s.points[i]).collect()
            };
            let dots = dotted
                .into_iter()
                .map(|(x, y)| {
                    let label = format!(
                        "{}\n{x_label} {}: {y_label} {}",
                        s.name,
                        value_text(x),
                        value_text(y)
                    );
                    view! {
                        <circle class="line-point" data-testid="line-point" cx=sx.at(x) cy=sy.at(y) r=2.5 fill=colour>
                            <title>{label}</title>
                        </circle>
                    }
                })
                .collect_view();
            let path = (!d.is_empty()).then(|| view! {
                <path class="line-path" d=d.clone() stroke=colour stroke-dasharray=s.dashed.then_some(DASH) />
                <path class="line-hit" d=d />
            });
            view! {
                <g class="line-series" data-testid="line-series" data-series=s.name.clone()>
                    <title>{summary}</title>
                    {path}
                    {dots}
                </g>
            }
        })
        .collect_view();
    let x_ticks = nice_ticks(x_lo, x_hi, 6, whole_x);
    let y_ticks = nice_ticks(y_lo, y_hi, 5, false);
    view! {
        <figure class="line-chart">
            <svg
                data-testid="line-chart"
                width=LINE_WIDTH
                height=LINE_HEIGHT
                viewBox=format!("0 0 {LINE_WIDTH} {LINE_HEIGHT}")
                role="img"
            >
                {y_ticks
                    .iter()
                    .map(|&v| view! {
                        <line class="grid" x1=MARGIN x2=MARGIN + plot_w y1=sy.at(v) y2=sy.at(v) />
                        <text class="tick" x=MARGIN - 4.0 y=sy.at(v) + 4.0 text-anchor="end">{tick(v)}</text>
                    })
                    .collect_view()}
                {x_ticks
                    .iter()
                    .map(|&v| view! {
                        <text class="tick" x=sx.at(v) y=10.0 + plot_h + 14.0 text-anchor="middle">{tick(v)}</text>
                    })
                    .collect_view()}
                <line class="axis" x1=MARGIN x2=MARGIN y1=10.0 y2=10.0 + plot_h />
                <line class="axis" x1=MARGIN x2=MARGIN + plot_w y1=10.0 + plot_h y2=10.0 + plot_h />
                <text class="axis-label" x=MARGIN + plot_w / 2.0 y=LINE_HEIGHT - 4.0 text-anchor="middle">
                    {x_label.clone()}
                </text>
                <text
                    class="axis-label"
                    x=12.0
                    y=10.0 + plot_h / 2.0
                    text-anchor="middle"
                    transform=format!("rotate(-90 12 {})", 10.0 + plot_h / 2.0)
                >
                    {y_label.clone()}
                </text>
                <g class="line-series-all">{lines}</g>
            </svg>
            {legend}
            {caption_view(caption)}
        </figure>
    }
    .into_any()
}

const BAR_CHART_WIDTH: f64 = 520.0;
const BAR_ROW: f64 = 22.0;
const BAR_THICKNESS: f64 = 14.0;
const BAR_LABEL_WIDTH: f64 = 150.0;
/// About as many characters as fit in `BAR_LABEL_WIDTH` at the label's font size.
const BAR_LABEL_CHARS: usize = 22;
/// Room kept beyond the longest bar for its value text.
const BAR_VALUE_ROOM: f64 = 56.0;

/// One horizontal bar per labelled value (a metric per run), its value at the bar's end;
/// negative values go left of the zero line, and the bar at `highlight` (the best, say) stands
/// out. A non-finite value keeps its row, marked "no value".
#[component]
pub fn BarChart(
    bars: Vec<(String, f64)>,
    #[prop(into)] value_label: String,
    #[prop(optional_no_strip)] highlight: Option<usize>,
    #[prop(optional, into)] caption: String,
) -> impl IntoView {
    let finite: Vec<f64> = bars
        .iter()
        .map(|&(_, v)| v)
        .filter(|v| v.is_finite())
        .collect();
    if finite.is_empty() {
        return view! {
            <figure class="bar-chart">{empty_view()} {caption_view(caption)}</figure>
        }
        .into_any();
    }
    // Bars start at zero, so zero is always on the scale.
    let lo = finite.iter().copied().fold(0.0, f64::min);
    let hi = finite.iter().copied().fold(0.0, f64::max);
    let (lo, hi) = if lo == hi { (0.0, 1.0) } else { (lo, hi) };
    let left = BAR_LABEL_WIDTH + if lo < 0.0 { BAR_VALUE_ROOM } else { 6.0 };
    let right = BAR_CHART_WIDTH - if hi > 0.0 { BAR_VALUE_ROOM } else { 10.0 };
    let sx = Linear {
        domain: (lo, hi),
        range: (left, right),
    };
    let top = 6.0;
    let rows_h = bars.len() as f64 * BAR_ROW;
    let height = top + rows_h + 36.0;
    let zero = sx.at(0.0);
    let rows = bars
        .into_iter()
        .enumerate()
        .map(|(i, (label, value))| {
            let y = top + i as f64 * BAR_ROW;
            let text_y = y + BAR_ROW / 2.0 + 4.0;
            let title = format!("{label}\n{value_label}: {}", value_text(value));
            let highlighted = highlight == Some(i);
            let mark = if value.is_finite() {
                let end = sx.at(value);
                let (text_x, anchor) = if value < 0.0 {
                    (end - 4.0, "end")
                } else {
                    (end + 4.0, "start")
                };
                view! {
                    <rect
                        x=end.min(zero)
                        y=y + (BAR_ROW - BAR_THICKNESS) / 2.0
                        width=(end - zero).abs().max(1.0)
                        height=BAR_THICKNESS
                    />
                    <text class="bar-value" x=text_x y=text_y text-anchor=anchor>{value_text(value)}</text>
                }
                .into_any()
            } else {
                view! {
                    <text class="bar-value missing" x=zero + 4.0 y=text_y text-anchor="start">"no value"</text>
                }
                .into_any()
            };
            view! {
                <g
                    class="bar"
                    class:highlight=highlighted
                    data-testid="bar"
                    data-label=label.clone()
                    data-value=value.is_finite().then(|| value.to_string())
                >
                    <title>{title}</title>
                    <text class="bar-label" x=BAR_LABEL_WIDTH - 6.0 y=text_y text-anchor="end">
                        {truncate_label(&label, BAR_LABEL_CHARS)}
                    </text>
                    {mark}
                </g>
            }
        })
        .collect_view();
    let axis_y = top + rows_h;
    view! {
        <figure class="bar-chart">
            <svg
                data-testid="bar-chart"
                width=BAR_CHART_WIDTH
                height=height
                viewBox=format!("0 0 {BAR_CHART_WIDTH} {height}")
                role="img"
            >
                {nice_ticks(lo, hi, 5, false)
                    .into_iter()
                    .map(|v| view! {
                        <line class="grid" x1=sx.at(v) x2=sx.at(v) y1=top y2=axis_y />
                        <text class="tick" x=sx.at(v) y=axis_y + 14.0 text-anchor="middle">{tick(v)}</text>
                    })
                    .collect_view()}
                <line class="axis" x1=left x2=right y1=axis_y y2=axis_y />
                <text class="axis-label" x=(left + right) / 2.0 y=height - 4.0 text-anchor="middle">
                    {value_label.clone()}
                </text>
                {rows}
                <line class="zero-line" x1=zero x2=zero y1=top y2=axis_y />
            </svg>
            {caption_view(caption)}
        </figure>
    }
    .into_any()
}

/// One vertical axis of a [`ParallelCoordinates`] chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    pub name: String,
    pub kind: AxisKind,
}

/// What an axis measures; lines give their place on it as a position in [0, 1], bottom to top,
/// found with [`AxisKind::position_of_number`] or [`AxisKind::position_of_category`].
#[derive(Clone, Debug, PartialEq)]
pub enum AxisKind {
    /// A number, linear from `min` at the bottom to `max` at the top.
    Numeric { min: f64, max: f64 },
    /// Named values spaced evenly from the first (bottom) to the last (top); one alone sits in
    /// the middle.
    Categorical { categories: Vec<String> },
}

/// Where category `index` of `count` sits on a categorical axis.
fn category_position(index: usize, count: usize) -> f64 {
    if count <= 1 {
        0.5
    } else {
        index as f64 / (count - 1) as f64
    }
}

impl AxisKind {
    /// Where `value` sits on a numeric axis, clamped to [0, 1]; `None` for a non-finite value
    /// or a categorical axis. An axis whose `min` equals its `max` puts every value in the middle.
    pub fn position_of_number(&self, value: f64) -> Option<f64> {
        let AxisKind::Numeric { min, max } = *self else {
            return None;
        };
        if !value.is_finite() {
            return None;
        }
        let scale = Linear {
            domain: (min, max),
            range: (0.0, 1.0),
        };
        Some(scale.at(value).clamp(0.0, 1.0))
    }

    /// Where `category` sits on a categorical axis; `None` if the axis is numeric or does not
    /// list it.
    pub fn position_of_category(&self, category: &str) -> Option<f64> {
        let AxisKind::Categorical { categories } = self else {
            return None;
        };
        let index = categories.iter().position(|c| c == category)?;
        Some(category_position(index, categories.len()))
    }

    /// The value a position on this axis stands for, as a tooltip shows it.
    fn label_at(&self, position: f64) -> String {
        match self {
            AxisKind::Numeric { min, max } => value_text(min + position * (max - min)),
            AxisKind::Categorical { categories } => {
                let last = categories.len().saturating_sub(1);
                let index = ((position * last as f64).round().max(0.0) as usize).min(last);
                categories.get(index).cloned().unwrap_or_default()
            }
        }
    }
}

/// One item (a run) drawn across the axes of a [`ParallelCoordinates`] chart.
#[derive(Clone, Debug, PartialEq)]
pub struct PcLine {
    pub name: String,
    /// Index into [`series_colour`].
    pub colour_index: usize,
    /// The position in [0, 1] on each axis, in axis order; `None` (or a missing entry) where
    /// the item has no value, which breaks the line.
    pub values: Vec<Option<f64>>,
}

const PC_GAP: f64 = 140.0;
const PC_SIDE: f64 = 70.0;
const PC_TOP: f64 = 36.0;
const PC_PLOT_HEIGHT: f64 = 220.0;
const PC_BOTTOM: f64 = 24.0;
/// Category labels closer than this (in pixels) would overlap, so only every k-th is written.
const PC_LABEL_SPACING: f64 = 12.0;

/// Vertical axes for several numeric or categorical dimensions (hyper-parameters, scores) and
/// one polyline per item across them, broken where a value is missing; hovering a line brings
/// it forward and names it.
#[component]
pub fn ParallelCoordinates(
    axes: Vec<Axis>,
    lines: Vec<PcLine>,
    #[prop(optional, into)] caption: String,
    /// A legend of the lines under the chart; leave it off when the page shows one legend for
    /// all its charts.
    #[prop(default = true)]
    legend: bool,
) -> impl IntoView {
    if axes.is_empty() || lines.is_empty() {
        return view! {
            <figure class="parallel-chart">{empty_view()} {caption_view(caption)}</figure>
        }
        .into_any();
    }
    let width = 2.0 * PC_SIDE + (axes.len() - 1) as f64 * PC_GAP;
    let height = PC_TOP + PC_PLOT_HEIGHT + PC_BOTTOM;
    let ax = move |i: usize| PC_SIDE + i as f64 * PC_GAP;
    let sy = Linear {
        domain: (0.0, 1.0),
        range: (PC_TOP + PC_PLOT_HEIGHT, PC_TOP),
    };
    let legend = legend.then(|| {
        legend_view(
            lines
                .iter()
                .map(|l| (l.name.clone(), l.colour_index, false))
                .collect(),
        )
    });
    let polylines = lines
        .into_iter()
        .map(|line| {
            let colour = series_colour(line.colour_index);
            let positions: Vec<Option<f64>> = (0..axes.len())
                .map(|i| {
                    line.values
                        .get(i)
                        .copied()
                        .flatten()
                        .filter(|p| p.is_finite())
                        .map(|p| p.clamp(0.0, 1.0))
                })
                .collect();
            let pixels: Vec<Option<(f64, f64)>> = positions
                .iter()
                .enumerate()
                .map(|(i, p)| p.map(|p| (ax(i), sy.at(p))))
                .collect();
            let (d, lone) = broken_path(&pixels);
            let title = std::iter::once(line.name.clone())
                .chain(axes.iter().zip(&positions).map(|(axis, p)| {
                    let value = p.map_or_else(|| "missing".to_string(), |p| axis.kind.label_at(p));
                    format!("{}: {value}", axis.name)
                }))
                .collect::<Vec<_>>()
                .join("\n");
            let path = (!d.is_empty()).then(|| {
                view! {
                    <path class="pc-path" d=d.clone() stroke=colour />
                    <path class="pc-hit" d=d />
                }
            });
            let dots = lone
                .into_iter()
                .filter_map(|i| pixels[i])
                .map(|(x, y)| view! { <circle class="pc-dot" cx=x cy=y r=3.0 fill=colour /> })
                .collect_view();
            view! {
                <g class="pc-line" data-testid="pc-line" data-line=line.name.clone()>
                    <title>{title}</title>
                    {path}
                    {dots}
                </g>
            }
        })
        .collect_view();
    let axis_views = axes
        .iter()
        .enumerate()
        .map(|(i, axis)| {
            let x = ax(i);
            let ticks: Vec<(f64, String)> = match &axis.kind {
                AxisKind::Numeric { min, max } => vec![(0.0, tick(*min)), (1.0, tick(*max))],
                AxisKind::Categorical { categories } => {
                    let room = (PC_PLOT_HEIGHT / PC_LABEL_SPACING).floor().max(1.0) as usize;
                    let stride = categories.len().div_ceil(room).max(1);
                    categories
                        .iter()
                        .enumerate()
                        .filter(|(k, _)| k % stride == 0)
                        .map(|(k, c)| (category_position(k, categories.len()), c.clone()))
                        .collect()
                }
            };
            let tick_views = ticks
                .into_iter()
                .map(|(p, label)| {
                    view! {
                        <line class="pc-tick" x1=x - 3.0 x2=x + 3.0 y1=sy.at(p) y2=sy.at(p) />
                        <text class="tick" x=x - 5.0 y=sy.at(p) + 4.0 text-anchor="end">
                            {truncate_label(&label, 12)}
                            <title>{label.clone()}</title>
                        </text>
                    }
                })
                .collect_view();
            view! {
                <g class="pc-axis" data-testid="pc-axis" data-axis=axis.name.clone()>
                    <line class="axis" x1=x x2=x y1=PC_TOP y2=PC_TOP + PC_PLOT_HEIGHT />
                    <text class="axis-label" x=x y=PC_TOP - 18.0 text-anchor="middle">
                        {truncate_label(&axis.name, 20)}
                        <title>{axis.name.clone()}</title>
                    </text>
                    {tick_views}
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="parallel-chart">
            <svg
                data-testid="parallel-coordinates"
                width=width
                height=height
                viewBox=format!("0 0 {width} {height}")
                role="img"
            >
                <g class="pc-lines">{polylines}</g>
                {axis_views}
            </svg>
            {legend}
            {caption_view(caption)}
        </figure>
    }
    .into_any()
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

    fn close(actual: &[f64], expected: &[f64]) -> bool {
        actual.len() == expected.len()
            && actual
                .iter()
                .zip(expected)
                .all(|(a, e)| (a - e).abs() < 1e-9)
    }

    #[test]
    fn palette_repeats_after_ten_distinct_colours() {
        let first: std::collections::HashSet<_> = (0..10).map(series_colour).collect();
        assert_eq!(first.len(), 10);
        assert_eq!(series_colour(10), series_colour(0));
        assert_eq!(series_colour(0), "#4e79a7");
    }

    #[test]
    fn values_keep_four_significant_digits() {
        assert_eq!(value_text(0.0), "0");
        assert_eq!(value_text(0.912_34), "0.9123");
        assert_eq!(value_text(-0.5), "-0.5");
        assert_eq!(value_text(12.345_6), "12.35");
        assert_eq!(value_text(1234.56), "1235");
        assert_eq!(value_text(120.0), "120");
        assert_eq!(value_text(0.001_234_5), "0.001234");
        assert_eq!(value_text(2.0e-6), "2.000e-6");
        assert_eq!(value_text(f64::NAN), "no value");
    }

    #[test]
    fn long_labels_end_in_an_ellipsis() {
        assert_eq!(truncate_label("short", 8), "short");
        assert_eq!(truncate_label("exactly8", 8), "exactly8");
        assert_eq!(truncate_label("gradient_boosting-3", 8), "gradien…");
        assert_eq!(truncate_label("éèàùâêîô€", 4).chars().count(), 4);
    }

    #[test]
    fn linear_scale_maps_ends_and_reverses() {
        let x = Linear {
            domain: (0.0, 10.0),
            range: (40.0, 140.0),
        };
        assert_eq!(x.at(0.0), 40.0);
        assert_eq!(x.at(5.0), 90.0);
        let y = Linear {
            domain: (0.0, 1.0),
            range: (200.0, 10.0),
        };
        assert_eq!(y.at(1.0), 10.0);
        assert_eq!(y.at(0.0), 200.0);
        let flat = Linear {
            domain: (3.0, 3.0),
            range: (0.0, 100.0),
        };
        assert_eq!(flat.at(3.0), 50.0);
    }

    #[test]
    fn ticks_are_round_and_inside_the_extent() {
        assert!(close(
            &nice_ticks(0.0, 1.0, 5, false),
            &[0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
        ));
        assert!(close(
            &nice_ticks(-0.03, 3.03, 5, true),
            &[0.0, 1.0, 2.0, 3.0]
        ));
        assert!(close(
            &nice_ticks(-12.0, 47.0, 5, false),
            &[-10.0, 0.0, 10.0, 20.0, 30.0, 40.0]
        ));
        assert!(close(&nice_ticks(4.5, 5.5, 6, true), &[5.0]));
        assert!(close(&nice_ticks(2.0, 2.0, 5, false), &[2.0]));
        assert!(nice_ticks(f64::NAN, 1.0, 5, false).is_empty());
        let wide = nice_ticks(0.0, 1.0e9, 5, false);
        assert!(wide.len() <= 11 && wide.iter().all(|t| (0.0..=1.0e9).contains(t)));
    }

    #[test]
    fn paths_lift_the_pen_at_gaps() {
        let points = [
            Some((0.0, 0.0)),
            Some((1.0, 2.0)),
            None,
            Some((3.0, 3.0)),
            None,
            Some((5.0, 1.0)),
            Some((6.0, 0.5)),
        ];
        let (d, lone) = broken_path(&points);
        assert_eq!(d, "M0.0,0.0 L1.0,2.0 M5.0,1.0 L6.0,0.5");
        assert_eq!(lone, vec![3]);
        assert_eq!(broken_path(&[Some((1.0, 1.0))]), (String::new(), vec![0]));
        assert_eq!(broken_path(&[None, None]), (String::new(), vec![]));
    }

    #[test]
    fn series_summary_names_range_and_last_point() {
        let summary = series_summary(
            "run 1 train",
            &[(0.0, 0.9), (10.0, 0.4), (20.0, 0.5)],
            "step",
            "loss",
        );
        assert_eq!(
            summary,
            "run 1 train: 3 points, loss from 0.4 to 0.9; last 0.5 at step 20"
        );
        assert_eq!(
            series_summary("empty", &[], "step", "loss"),
            "empty: no values"
        );
    }

    #[test]
    fn axis_positions_round_trip_to_labels() {
        let numeric = AxisKind::Numeric {
            min: 0.0,
            max: 200.0,
        };
        assert_eq!(numeric.position_of_number(50.0), Some(0.25));
        assert_eq!(numeric.position_of_number(400.0), Some(1.0));
        assert_eq!(numeric.position_of_number(f64::NAN), None);
        assert_eq!(numeric.position_of_category("a"), None);
        assert_eq!(numeric.label_at(0.25), "50");
        let flat = AxisKind::Numeric { min: 3.0, max: 3.0 };
        assert_eq!(flat.position_of_number(3.0), Some(0.5));
        let kinds = AxisKind::Categorical {
            categories: vec!["gini".into(), "entropy".into(), "log_loss".into()],
        };
        assert_eq!(kinds.position_of_category("entropy"), Some(0.5));
        assert_eq!(kinds.position_of_category("other"), None);
        assert_eq!(kinds.position_of_number(1.0), None);
        assert_eq!(kinds.label_at(1.0), "log_loss");
        assert_eq!(kinds.label_at(0.4), "entropy");
        assert_eq!(category_position(0, 1), 0.5);
    }
}
