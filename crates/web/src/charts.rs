//! Charts as SVG, drawn on the server.
//!
//! Every chart has a title and a description (`role="img"`, `<title>`, `<desc>`) for screen
//! readers, axis labels and a legend, and takes its colours from CSS classes, so the same
//! markup follows the page into dark mode and onto paper. Each page shows the chart's numbers
//! in a table beside it.

use std::fmt::Write;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 320.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 64.0;

/// One line or one stack of a chart.
#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    pub values: Vec<f64>,
    pub dashed: bool,
}

impl Series {
    pub fn new(label: impl Into<String>, values: Vec<f64>) -> Self {
        Series {
            label: label.into(),
            values,
            dashed: false,
        }
    }

    pub fn dashed(mut self) -> Self {
        self.dashed = true;
        self
    }
}

/// Escapes text for SVG.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn open(out: &mut String, title: &str, desc: &str, height: f64) {
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" xmlns="http://www.w3.org/2000/svg"><title>{}</title><desc>{}</desc>"#,
        esc(title),
        esc(desc)
    );
}

/// What a chart's values count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Money a month.
    Dollars,
    /// Active users.
    Users,
}

impl Unit {
    fn axis(self) -> &'static str {
        match self {
            Unit::Dollars => "US dollars per month",
            Unit::Users => "Active users",
        }
    }

    /// A value in full: `$12,345`, `12,345`.
    pub fn full(self, x: f64) -> String {
        match self {
            Unit::Dollars => bearing_core::forecast::dollars(x),
            Unit::Users => bearing_core::forecast::thousands(x),
        }
    }

    /// A short label: `$1.2M`, `$350k`, `$900`; `12k`, `900` users.
    pub fn short(self, x: f64) -> String {
        match self {
            Unit::Dollars => short_dollars(x),
            Unit::Users if x.abs() >= 10_000.0 => format!("{:.0}k", x / 1_000.0),
            Unit::Users if x.abs() >= 1_000.0 => format!("{:.1}k", x / 1_000.0),
            Unit::Users => format!("{x:.0}"),
        }
    }
}

/// Short money labels for axes: `$1.2M`, `$350k`, `$900`.
pub fn short_dollars(x: f64) -> String {
    let a = x.abs();
    let sign = if x < 0.0 { "-" } else { "" };
    if a >= 1_000_000.0 {
        format!("{sign}${:.1}M", a / 1_000_000.0)
    } else if a >= 1_000.0 {
        format!("{sign}${:.0}k", a / 1_000.0)
    } else {
        format!("{sign}${a:.0}")
    }
}

/// A "nice" upper bound for an axis and its step.
fn nice_max(max: f64) -> (f64, f64) {
    if !max.is_finite() || max <= 0.0 {
        return (1.0, 0.25);
    }
    let raw_step = max / 4.0;
    let magnitude = 10f64.powf(raw_step.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw_step)
        .unwrap_or(10.0 * magnitude);
    ((max / step).ceil() * step, step)
}

struct Frame {
    n: usize,
    max: f64,
    plot_w: f64,
    plot_h: f64,
}

impl Frame {
    fn x(&self, i: usize) -> f64 {
        if self.n <= 1 {
            LEFT + self.plot_w / 2.0
        } else {
            LEFT + self.plot_w * i as f64 / (self.n - 1) as f64
        }
    }

    fn y(&self, v: f64) -> f64 {
        TOP + self.plot_h * (1.0 - (v / self.max).clamp(0.0, 1.0))
    }
}

/// Axes, horizontal grid lines with money labels, and every `skip`-th x label.
fn axes(
    out: &mut String,
    frame: &Frame,
    step: f64,
    x_labels: &[String],
    x_at: impl Fn(usize) -> f64,
    unit: Unit,
) {
    let y_label = unit.axis();
    let mut v = 0.0;
    while v <= frame.max + step / 2.0 {
        let y = frame.y(v);
        let _ = write!(
            out,
            r#"<line class="grid-line" x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            LEFT + frame.plot_w,
            LEFT - 6.0,
            y + 4.0,
            unit.short(v)
        );
        v += step;
    }
    let skip = x_labels.len().div_ceil(12).max(1);
    for (i, label) in x_labels.iter().enumerate().filter(|(i, _)| i % skip == 0) {
        let x = x_at(i);
        let _ = write!(
            out,
            r#"<text x="{x:.1}" y="{:.1}" text-anchor="end" transform="rotate(-40 {x:.1} {:.1})">{}</text>"#,
            TOP + frame.plot_h + 16.0,
            TOP + frame.plot_h + 16.0,
            esc(label)
        );
    }
    let _ = write!(
        out,
        r#"<line class="axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{:.1}"/><line class="axis" x1="{LEFT}" x2="{:.1}" y1="{:.1}" y2="{:.1}"/><text x="14" y="{:.1}" transform="rotate(-90 14 {:.1})" text-anchor="middle">{}</text>"#,
        TOP + frame.plot_h,
        LEFT + frame.plot_w,
        TOP + frame.plot_h,
        TOP + frame.plot_h,
        TOP + frame.plot_h / 2.0,
        TOP + frame.plot_h / 2.0,
        esc(y_label)
    );
}

/// Where each legend entry goes: (x, row), wrapping onto new rows when the width is used.
fn legend_layout<'a>(labels: impl IntoIterator<Item = &'a str>) -> (Vec<(f64, f64)>, f64) {
    let mut x = LEFT;
    let mut row = 0.0;
    let mut places = Vec::new();
    for label in labels {
        let width = 34.0 + 7.0 * label.chars().count() as f64;
        if x > LEFT && x + width > WIDTH - RIGHT {
            x = LEFT;
            row += 1.0;
        }
        places.push((x, row));
        x += width;
    }
    (places, row + 1.0)
}

fn legend(out: &mut String, items: &[(String, usize, bool)], y: f64) {
    let (places, _) = legend_layout(items.iter().map(|(l, _, _)| l.as_str()));
    for ((label, class, band), (x, row)) in items.iter().zip(places) {
        let y = y + 20.0 * row;
        if *band {
            let _ = write!(
                out,
                r#"<rect class="band" x="{x:.1}" y="{:.1}" width="18" height="10"/>"#,
                y - 9.0
            );
        } else {
            let _ = write!(
                out,
                r#"<rect class="s{}" x="{x:.1}" y="{:.1}" width="18" height="4"/>"#,
                class % 6 + 1,
                y - 6.0
            );
        }
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{y:.1}">{}</text>"#,
            x + 24.0,
            esc(label)
        );
    }
}

/// Lines over months, with an optional shaded band (for example P10 to P90).
pub fn line_chart(
    title: &str,
    desc: &str,
    unit: Unit,
    x_labels: &[String],
    series: &[Series],
    band: Option<(&str, &[f64], &[f64])>,
) -> String {
    let (_, legend_rows) = legend_layout(
        band.iter()
            .map(|(label, _, _)| *label)
            .chain(series.iter().map(|s| s.label.as_str())),
    );
    let height = HEIGHT + 20.0 * legend_rows;
    let max = series
        .iter()
        .flat_map(|s| s.values.iter())
        .chain(band.iter().flat_map(|(_, _, hi)| hi.iter()))
        .fold(0.0f64, |m, v| m.max(*v));
    let (max, step) = nice_max(max);
    let frame = Frame {
        n: x_labels.len(),
        max,
        plot_w: WIDTH - LEFT - RIGHT,
        plot_h: HEIGHT - TOP - BOTTOM,
    };
    let mut out = String::with_capacity(8 * 1024);
    open(&mut out, title, desc, height);
    axes(&mut out, &frame, step, x_labels, |i| frame.x(i), unit);
    let mut items = Vec::new();
    if let Some((label, low, high)) = band {
        let mut d = String::new();
        for (i, v) in high.iter().enumerate() {
            let _ = write!(
                d,
                "{}{:.1},{:.1} ",
                if i == 0 { "M" } else { "L" },
                frame.x(i),
                frame.y(*v)
            );
        }
        for (i, v) in low.iter().enumerate().rev() {
            let _ = write!(d, "L{:.1},{:.1} ", frame.x(i), frame.y(*v));
        }
        let _ = write!(out, r#"<path class="band" d="{d}Z"/>"#);
        items.push((label.to_owned(), 0, true));
    }
    for (k, s) in series.iter().enumerate() {
        let mut d = String::new();
        for (i, v) in s.values.iter().enumerate() {
            let _ = write!(
                d,
                "{}{:.1},{:.1} ",
                if i == 0 { "M" } else { "L" },
                frame.x(i),
                frame.y(*v)
            );
        }
        let _ = write!(
            out,
            r#"<path class="line s{}{}" d="{d}"/>"#,
            k % 6 + 1,
            if s.dashed { " dashed" } else { "" }
        );
        items.push((s.label.clone(), k, false));
    }
    legend(&mut out, &items, HEIGHT + 10.0);
    out.push_str("</svg>");
    out
}

/// Stacked bars, one bar per x label.
pub fn stacked_bars(
    title: &str,
    desc: &str,
    unit: Unit,
    x_labels: &[String],
    series: &[Series],
) -> String {
    let (_, legend_rows) = legend_layout(series.iter().map(|s| s.label.as_str()));
    let height = HEIGHT + 20.0 * legend_rows;
    let totals: Vec<f64> = (0..x_labels.len())
        .map(|i| {
            series
                .iter()
                .map(|s| s.values.get(i).copied().unwrap_or(0.0).max(0.0))
                .sum()
        })
        .collect();
    let (max, step) = nice_max(totals.iter().fold(0.0f64, |m, v| m.max(*v)));
    let plot_w = WIDTH - LEFT - RIGHT;
    let slot = plot_w / x_labels.len().max(1) as f64;
    let frame = Frame {
        n: x_labels.len(),
        max,
        plot_w,
        plot_h: HEIGHT - TOP - BOTTOM,
    };
    let mut out = String::with_capacity(16 * 1024);
    open(&mut out, title, desc, height);
    axes(
        &mut out,
        &frame,
        step,
        x_labels,
        |i| LEFT + slot * (i as f64 + 0.5),
        unit,
    );
    for (i, month) in x_labels.iter().enumerate() {
        let mut base = 0.0;
        for (k, s) in series.iter().enumerate() {
            let v = s.values.get(i).copied().unwrap_or(0.0).max(0.0);
            if v > 0.0 {
                let (y_top, y_bottom) = (frame.y(base + v), frame.y(base));
                let _ = write!(
                    out,
                    r#"<rect class="s{}" data-x="{i}" data-value="{v}" x="{:.1}" y="{y_top:.1}" width="{:.1}" height="{:.1}"><title>{}: {} in {}</title></rect>"#,
                    k % 6 + 1,
                    LEFT + slot * i as f64 + slot * 0.15,
                    slot * 0.7,
                    (y_bottom - y_top).max(0.0),
                    esc(&s.label),
                    unit.short(v),
                    esc(month)
                );
            }
            base += v;
        }
    }
    let items: Vec<_> = series
        .iter()
        .enumerate()
        .map(|(k, s)| (s.label.clone(), k, false))
        .collect();
    legend(&mut out, &items, HEIGHT + 10.0);
    out.push_str("</svg>");
    out
}

/// One bar of a Gantt chart: a label and the first and last month index it covers.
#[derive(Debug, Clone)]
pub struct Span {
    pub label: String,
    pub first: usize,
    pub last: usize,
    /// Solid for won, lighter for open deals.
    pub committed: bool,
}

/// Bars over months, one row per span.
pub fn gantt(title: &str, desc: &str, months: &[String], spans: &[Span]) -> String {
    let row_h = 18.0;
    let label_w = 220.0;
    let top = 40.0;
    let height = top + row_h * spans.len() as f64 + 30.0;
    let plot_w = WIDTH - label_w - RIGHT;
    let slot = plot_w / months.len().max(1) as f64;
    let mut out = String::with_capacity(spans.len() * 200 + 2048);
    open(&mut out, title, desc, height);
    // A label needs about 64 px ("Nov 2026"): as many as fit, on every skip-th month.
    let skip = months
        .len()
        .div_ceil(((plot_w / 64.0).floor() as usize).max(1))
        .max(1);
    for (i, m) in months.iter().enumerate() {
        let x = label_w + slot * i as f64;
        let _ = write!(
            out,
            r#"<line class="grid-line" x1="{x:.1}" x2="{x:.1}" y1="{:.1}" y2="{:.1}"/>"#,
            top - 4.0,
            top + row_h * spans.len() as f64
        );
        if i % skip == 0 {
            // The last label ends at the plot's edge rather than past it.
            let (at, anchor) = if x + 64.0 > WIDTH - RIGHT {
                (WIDTH - RIGHT, "end")
            } else {
                (x + 2.0, "start")
            };
            let _ = write!(
                out,
                r#"<text x="{at:.1}" y="{:.1}" text-anchor="{anchor}">{}</text>"#,
                top - 10.0,
                esc(m)
            );
        }
    }
    for (r, span) in spans.iter().enumerate() {
        let y = top + row_h * r as f64;
        let _ = write!(
            out,
            r#"<text x="4" y="{:.1}"><title>{}</title>{}</text>"#,
            y + 13.0,
            esc(&span.label),
            esc(&shortened(&span.label, 30))
        );
        let x = label_w + slot * span.first as f64;
        let w = slot * (span.last.saturating_sub(span.first) + 1) as f64;
        let _ = write!(
            out,
            r#"<rect class="{}" x="{x:.1}" y="{:.1}" width="{w:.1}" height="{:.1}"><title>{}: {} to {}</title></rect>"#,
            if span.committed { "s1" } else { "s2" },
            y + 3.0,
            row_h - 6.0,
            esc(&span.label),
            esc(months.get(span.first).map_or("", String::as_str)),
            esc(months.get(span.last).map_or("", String::as_str))
        );
    }
    let items = [("Won".to_owned(), 0, false), ("Open".to_owned(), 1, false)];
    legend(&mut out, &items, height - 10.0);
    out.push_str("</svg>");
    out
}

/// At most `max` characters, cut at a word with an ellipsis when longer.
fn shortened(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    let at_word = match cut.rfind(' ') {
        Some(space) if space > max / 2 => &cut[..space],
        _ => cut.as_str(),
    };
    format!("{}…", at_word.trim_end())
}

/// Flows between two columns of nodes (a two-level Sankey diagram): `flows` are (from, to,
/// count) with nodes named by the two lists.
pub fn sankey(
    title: &str,
    desc: &str,
    from: &[String],
    to: &[String],
    flows: &[(usize, usize, u64)],
) -> String {
    let total: u64 = flows.iter().map(|f| f.2).sum();
    let height = 420.0;
    let (top, bottom, gap) = (20.0, 20.0, 6.0);
    let node_w = 14.0;
    let (x_left, x_right) = (200.0, WIDTH - 200.0);
    let mut out = String::with_capacity(flows.len() * 300 + 2048);
    open(&mut out, title, desc, height);
    if total == 0 {
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">No stage changes yet</text></svg>"#,
            WIDTH / 2.0,
            height / 2.0
        );
        return out;
    }
    let usable = |n: usize| height - top - bottom - gap * n.saturating_sub(1) as f64;
    let scale = usable(from.len().max(to.len())) / total as f64;
    let sums = |side: usize, n: usize| -> Vec<u64> {
        (0..n)
            .map(|i| {
                flows
                    .iter()
                    .filter(|f| if side == 0 { f.0 == i } else { f.1 == i })
                    .map(|f| f.2)
                    .sum()
            })
            .collect()
    };
    let (out_sums, in_sums) = (sums(0, from.len()), sums(1, to.len()));
    let positions = |values: &[u64]| -> Vec<f64> {
        let mut y = top;
        values
            .iter()
            .map(|v| {
                let at = y;
                y += *v as f64 * scale + gap;
                at
            })
            .collect()
    };
    let (from_y, to_y) = (positions(&out_sums), positions(&in_sums));
    let mut from_used = vec![0.0; from.len()];
    let mut to_used = vec![0.0; to.len()];
    for (k, &(a, b, count)) in flows.iter().enumerate() {
        let w = count as f64 * scale;
        let y0 = from_y[a] + from_used[a] + w / 2.0;
        let y1 = to_y[b] + to_used[b] + w / 2.0;
        from_used[a] += w;
        to_used[b] += w;
        let (x0, x1) = (x_left + node_w, x_right);
        let mid = (x0 + x1) / 2.0;
        let _ = write!(
            out,
            r#"<path class="flow s{}" stroke-width="{:.1}" d="M{x0:.1},{y0:.1} C{mid:.1},{y0:.1} {mid:.1},{y1:.1} {x1:.1},{y1:.1}"><title>{} → {}: {count}</title></path>"#,
            k % 6 + 1,
            w.max(1.0),
            esc(&from[a]),
            esc(&to[b])
        );
    }
    for (i, name) in from.iter().enumerate() {
        let h = out_sums[i] as f64 * scale;
        let _ = write!(
            out,
            r#"<rect class="s6" x="{x_left:.1}" y="{:.1}" width="{node_w}" height="{:.1}"/><text x="{:.1}" y="{:.1}" text-anchor="end">{} ({})</text>"#,
            from_y[i],
            h.max(1.0),
            x_left - 6.0,
            from_y[i] + h / 2.0 + 4.0,
            esc(name),
            out_sums[i]
        );
    }
    for (i, name) in to.iter().enumerate() {
        let h = in_sums[i] as f64 * scale;
        let _ = write!(
            out,
            r#"<rect class="s6" x="{x_right:.1}" y="{:.1}" width="{node_w}" height="{:.1}"/><text x="{:.1}" y="{:.1}">{} ({})</text>"#,
            to_y[i],
            h.max(1.0),
            x_right + node_w + 6.0,
            to_y[i] + h / 2.0 + 4.0,
            esc(name),
            in_sums[i]
        );
    }
    out.push_str("</svg>");
    out
}

/// Horizontal bars with their value written beside them.
pub fn hbars(title: &str, desc: &str, axis: &str, items: &[(String, f64, String)]) -> String {
    let row_h = 24.0;
    let label_w = 180.0;
    let height = 30.0 + row_h * items.len() as f64 + 24.0;
    let max = items.iter().fold(0.0f64, |m, i| m.max(i.1));
    let plot_w = WIDTH - label_w - 120.0;
    let mut out = String::with_capacity(items.len() * 200 + 1024);
    open(&mut out, title, desc, height);
    for (r, (label, value, text)) in items.iter().enumerate() {
        let y = 20.0 + row_h * r as f64;
        let w = if max > 0.0 { plot_w * value / max } else { 0.0 };
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect class="s1" x="{label_w}" y="{:.1}" width="{w:.1}" height="{:.1}"/><text x="{:.1}" y="{:.1}">{}</text>"#,
            label_w - 6.0,
            y + 15.0,
            esc(label),
            y + 4.0,
            row_h - 8.0,
            label_w + w + 6.0,
            y + 15.0,
            esc(text)
        );
    }
    let _ = write!(
        out,
        r#"<text x="{label_w}" y="{:.1}">{}</text>"#,
        height - 6.0,
        esc(axis)
    );
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_bounds_are_round_and_cover_the_data() {
        assert_eq!(nice_max(95_000.0), (100_000.0, 25_000.0));
        assert_eq!(nice_max(7.0), (8.0, 2.0));
        assert_eq!(nice_max(0.0), (1.0, 0.25));
        assert_eq!(nice_max(f64::NAN), (1.0, 0.25));
    }

    #[test]
    fn money_labels_are_short() {
        assert_eq!(short_dollars(1_250_000.0), "$1.2M");
        assert_eq!(short_dollars(350_000.0), "$350k");
        assert_eq!(short_dollars(-900.0), "-$900");
    }

    #[test]
    fn a_long_legend_wraps_and_users_are_not_dollars() {
        let months = vec!["2026-01".to_owned(), "2026-02".to_owned()];
        let series: Vec<Series> = (0..6)
            .map(|i| {
                Series::new(
                    format!("a-community-with-a-long-name-{i}"),
                    vec![100.0, 1_500.0],
                )
            })
            .collect();
        let svg = stacked_bars("Users", "Six communities", Unit::Users, &months, &series);
        for s in &series {
            assert!(svg.contains(&format!(">{}</text>", s.label)), "{}", s.label);
        }
        // 34 + 7 × 30 = 244 units a label: two fit a row of 624, so three rows.
        assert!(
            svg.contains(&format!("viewBox=\"0 0 {WIDTH} {}\"", HEIGHT + 60.0)),
            "{svg}"
        );
        assert!(
            svg.contains(">Active users</text>") && !svg.contains("$"),
            "{svg}"
        );
        assert_eq!(Unit::Users.short(9_000.0), "9.0k");
        assert_eq!(Unit::Users.full(12_345.0), "12,345");
        assert_eq!(Unit::Dollars.full(-12_345.0), "-$12,345");
    }

    #[test]
    fn charts_have_a_title_a_description_and_escaped_text() {
        let months = vec!["2026-01".to_owned(), "2026-02".to_owned()];
        let svg = line_chart(
            "Revenue <projection>",
            "Two months",
            Unit::Dollars,
            &months,
            &[Series::new("A & B", vec![1.0, 2.0])],
            Some(("P10–P90", &[0.5, 1.0], &[1.5, 3.0])),
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(
            svg.contains("role=\"img\"")
                && svg.contains("<title>Revenue &lt;projection&gt;</title>")
        );
        assert!(svg.contains("A &amp; B") && svg.contains("class=\"band\""));
        let flows = sankey("Flow", "d", &["Lead".into()], &["Won".into()], &[(0, 0, 3)]);
        assert!(flows.contains("Lead (3)") && flows.contains("Won (3)"));
        let empty = sankey("Flow", "d", &[], &[], &[]);
        assert!(empty.contains("No stage changes yet"));
    }

    #[test]
    fn the_gantt_axis_labels_are_spaced_and_long_names_end_in_an_ellipsis() {
        let months: Vec<String> = (0..60)
            .map(|i| format!("{} {}", ["Jan", "Feb", "Mar"][i % 3], 2026 + i / 12))
            .collect();
        let spans = [Span {
            label: "Civic Computing Initiative application for a second hub".into(),
            first: 0,
            last: 59,
            committed: true,
        }];
        let svg = gantt("Deals", "d", &months, &spans);
        // Each label's x, from the axis row at y = 30.
        let xs: Vec<f64> = svg
            .split("<text x=\"")
            .skip(1)
            .filter(|t| t.contains("y=\"30.0\""))
            .map(|t| t[..t.find('"').unwrap()].parse().unwrap())
            .collect();
        assert!(xs.len() >= 4, "{xs:?}");
        for pair in xs.windows(2) {
            assert!(pair[1] - pair[0] >= 64.0, "labels overlap: {xs:?}");
        }
        assert!(xs.iter().all(|x| *x <= WIDTH - RIGHT), "{xs:?}");
        assert!(
            svg.contains(">Civic Computing Initiative…</text>")
                && svg.contains(
                    "<title>Civic Computing Initiative application for a second hub</title>"
                ),
            "{svg}"
        );
    }
}
