//! Charts as inline SVG, drawn for print and for screen readers: a title that states the
//! finding, labelled axes with units, reference periods shaded and labelled, lines told
//! apart by dash pattern and marker as well as shade (readable in greyscale), and the data
//! behind every chart in a table inside a `<details>` element.

use crate::html::esc;
use std::fmt::Write as _;
use vigil_analytics::{Month, Window};

const W: f64 = 720.0;
const H: f64 = 300.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 24.0;
const BOTTOM: f64 = 48.0;

/// Line styles that differ without colour: shade, dash and marker.
const STYLES: [(&str, &str, &str); 4] = [
    ("#0b0c0c", "", "circle"),
    ("#505a5f", "6 4", "square"),
    ("#1d70b8", "2 3", "triangle"),
    ("#d4351c", "10 3 2 3", "diamond"),
];

/// One line: its legend label and a value (or a gap) per month.
pub struct Line<'a> {
    pub label: &'a str,
    pub points: Vec<(Month, Option<f64>)>,
}

/// "Nice" axis maximum and step for values up to `max`.
fn nice_scale(max: f64) -> (f64, f64) {
    if max <= 0.0 {
        return (1.0, 0.25);
    }
    let raw = max / 6.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    ((max / step).ceil() * step, step)
}

fn marker(shape: &str, x: f64, y: f64, fill: &str) -> String {
    match shape {
        "square" => format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"6\" height=\"6\" fill=\"{fill}\"/>",
            x - 3.0,
            y - 3.0
        ),
        "triangle" => format!(
            "<path d=\"M{:.1} {:.1} l3.5 6 h-7 z\" fill=\"{fill}\"/>",
            x,
            y - 3.5
        ),
        "diamond" => format!(
            "<path d=\"M{:.1} {:.1} l3.5 3.5 l-3.5 3.5 l-3.5 -3.5 z\" fill=\"{fill}\"/>",
            x,
            y - 3.5
        ),
        _ => format!("<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"{fill}\"/>"),
    }
}

/// A monthly line chart with its data table. `unit` labels the y axis; `format` writes a
/// value for the axis and the table.
pub fn line_chart(
    id: &str,
    title: &str,
    unit: &str,
    lines: &[Line],
    periods: &[(Window, &str)],
    format: &dyn Fn(f64) -> String,
) -> String {
    let months: Vec<Month> = lines
        .first()
        .map(|l| l.points.iter().map(|(m, _)| *m).collect())
        .unwrap_or_default();
    let mut out = String::new();
    let _ = write!(
        out,
        "<figure class=\"chart\" id=\"{id}\"><figcaption><h3 class=\"chart-title\">{}</h3></figcaption>",
        esc(title)
    );
    if months.is_empty() {
        out.push_str("<p>No months to chart in this period.</p></figure>");
        return out;
    }
    let max = lines
        .iter()
        .flat_map(|l| l.points.iter().filter_map(|(_, v)| *v))
        .fold(0.0, f64::max);
    let (ymax, step) = nice_scale(max);
    let n = months.len();
    let x = |i: usize| {
        LEFT + (W - LEFT - RIGHT)
            * if n > 1 {
                i as f64 / (n - 1) as f64
            } else {
                0.5
            }
    };
    let y = |v: f64| TOP + (H - TOP - BOTTOM) * (1.0 - v / ymax);
    let _ = write!(
        out,
        "<svg viewBox=\"0 0 {W} {H}\" width=\"100%\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"Arial, sans-serif\" font-size=\"11\"><title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">Monthly values from {} to {}; the data are in the table below the chart.</desc>",
        esc(title),
        months[0],
        months[n - 1]
    );
    // Reference periods, shaded and labelled.
    for (k, (w, label)) in periods.iter().enumerate() {
        let a = months.iter().position(|m| m.last_day() >= w.from);
        let b = months.iter().rposition(|m| m.first_day() <= w.to);
        if let (Some(a), Some(b)) = (a, b)
            && a <= b
        {
            let (x0, x1) = (x(a) - 3.0, x(b) + 3.0);
            let _ = write!(
                out,
                "<rect x=\"{x0:.1}\" y=\"{TOP}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\" stroke=\"#b1b4b6\" stroke-dasharray=\"2 2\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#0b0c0c\">{}</text>",
                x1 - x0,
                H - TOP - BOTTOM,
                if k % 2 == 0 { "#f3f2f1" } else { "#e8f1f8" },
                x0 + 3.0,
                TOP - 6.0,
                esc(label)
            );
        }
    }
    // Axes, gridlines and tick labels.
    let mut v = 0.0;
    while v <= ymax + 1e-9 {
        let _ = write!(
            out,
            "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#dddddd\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            W - RIGHT,
            y(v),
            y(v),
            LEFT - 6.0,
            y(v) + 4.0,
            esc(&format(v))
        );
        v += step;
    }
    let _ = write!(
        out,
        "<line x1=\"{LEFT}\" x2=\"{LEFT}\" y1=\"{TOP}\" y2=\"{:.1}\" stroke=\"#0b0c0c\"/>",
        H - BOTTOM
    );
    let _ = write!(
        out,
        "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#0b0c0c\"/>",
        W - RIGHT,
        H - BOTTOM,
        H - BOTTOM
    );
    let every = n.div_ceil(12).max(1);
    // The last month is labelled too when there is room for its label (about 56 units for
    // "YYYY-MM") after the last regular tick.
    let last_tick = (n - 1) / every * every;
    let last_fits = x(n - 1) - x(last_tick) >= 56.0;
    for (i, m) in months.iter().enumerate() {
        if i % every == 0 || (i == n - 1 && last_fits) {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                x(i),
                H - BOTTOM + 16.0,
                m.key()
            );
        }
    }
    let _ = write!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">Month</text>",
        (LEFT + W - RIGHT) / 2.0,
        H - 8.0
    );
    let _ = write!(
        out,
        "<text transform=\"translate(14 {:.1}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
        (TOP + H - BOTTOM) / 2.0,
        esc(unit)
    );
    // The lines, broken where a value is missing or withheld.
    for (k, line) in lines.iter().enumerate() {
        let (shade, dash, shape) = STYLES[k % STYLES.len()];
        let mut d = String::new();
        let mut pen_down = false;
        for (i, (_, v)) in line.points.iter().enumerate() {
            match v {
                Some(v) => {
                    let _ = write!(
                        d,
                        "{}{:.1} {:.1} ",
                        if pen_down { "L" } else { "M" },
                        x(i),
                        y(*v)
                    );
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        let _ = write!(
            out,
            "<path d=\"{d}\" fill=\"none\" stroke=\"{shade}\" stroke-width=\"2\" stroke-dasharray=\"{dash}\"/>"
        );
        for (i, (_, v)) in line.points.iter().enumerate() {
            if let Some(v) = v
                && (i % every == 0 || n <= 24)
            {
                out.push_str(&marker(shape, x(i), y(*v), shade));
            }
        }
    }
    out.push_str("</svg>");
    // Legend (also in text, so it prints and reads without the colours).
    out.push_str("<ul class=\"legend\">");
    for (k, line) in lines.iter().enumerate() {
        let (shade, dash, _) = STYLES[k % STYLES.len()];
        let _ = write!(
            out,
            "<li><svg width=\"28\" height=\"10\" aria-hidden=\"true\"><line x1=\"0\" x2=\"28\" y1=\"5\" y2=\"5\" stroke=\"{shade}\" stroke-width=\"2\" stroke-dasharray=\"{dash}\"/></svg> {}</li>",
            esc(line.label)
        );
    }
    out.push_str("</ul>");
    // The data table.
    let _ = write!(
        out,
        "<details><summary>Data for this chart</summary><table class=\"data\"><caption>{}</caption><thead><tr><th scope=\"col\">Month</th>",
        esc(title)
    );
    for line in lines {
        let _ = write!(
            out,
            "<th scope=\"col\" class=\"num\">{}</th>",
            esc(line.label)
        );
    }
    out.push_str("</tr></thead><tbody>");
    for (i, m) in months.iter().enumerate() {
        let _ = write!(out, "<tr><th scope=\"row\">{}</th>", m.key());
        for line in lines {
            let cell = line
                .points
                .get(i)
                .and_then(|(_, v)| *v)
                .map_or("–".to_owned(), |v| esc(&format(v)));
            let _ = write!(out, "<td class=\"num\">{cell}</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></details></figure>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_are_round() {
        assert_eq!(nice_scale(2650.0), (3000.0, 500.0));
        assert_eq!(nice_scale(0.46), (0.5, 0.1));
        assert_eq!(nice_scale(0.0), (1.0, 0.25));
    }

    #[test]
    fn a_chart_has_its_title_axes_and_table() {
        let m = |k| Month::from_index(2019 * 12 + k);
        let svg = line_chart(
            "c",
            "Offences rose <sharply>",
            "Offences a month",
            &[Line {
                label: "Offences",
                points: vec![(m(0), Some(10.0)), (m(1), None), (m(2), Some(30.0))],
            }],
            &[],
            &|v| format!("{v:.0}"),
        );
        assert!(svg.contains("Offences rose &lt;sharply&gt;"));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains(">Month</text>"));
        assert!(svg.contains(">Offences a month</text>"));
        assert!(svg.contains("<details><summary>Data for this chart"));
        assert!(
            svg.contains("<td class=\"num\">–</td>"),
            "a gap shows as a dash"
        );
    }
}
