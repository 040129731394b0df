//! A person's risk over time as a chart: each incident as a victim is a mark at its date and
//! its DASH yes-count, shaped by its grade (so it reads without colour), against the
//! score's grade thresholds. The same facts are in a table beside it.

use crate::components::esc;
use std::fmt::Write;
use vigil_domain::risk::{GradeThresholds, InstrumentKind, instrument};
use vigil_domain::{Incident, RiskGrade};

const W: f64 = 640.0;
const H: f64 = 220.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 34.0;
const MAX_YES: f64 = 27.0;

fn mark(grade: Option<RiskGrade>, x: f64, y: f64) -> String {
    match grade {
        // A filled triangle for high, a filled square for medium, an open circle for
        // standard, a cross where the incident was not assessed.
        Some(RiskGrade::High) => format!(
            "<path d=\"M{:.1} {:.1} L{:.1} {:.1} L{:.1} {:.1} Z\" fill=\"#d4351c\" stroke=\"#0b0c0c\"/>",
            x,
            y - 6.0,
            x - 5.5,
            y + 4.0,
            x + 5.5,
            y + 4.0
        ),
        Some(RiskGrade::Medium) => format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"8\" height=\"8\" fill=\"#f47738\" stroke=\"#0b0c0c\"/>",
            x - 4.0,
            y - 4.0
        ),
        Some(RiskGrade::Standard) => format!(
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"#ffffff\" stroke=\"#0b0c0c\"/>"
        ),
        None => format!(
            "<path d=\"M{:.1} {:.1} L{:.1} {:.1} M{:.1} {:.1} L{:.1} {:.1}\" stroke=\"#505a5f\" stroke-width=\"2\"/>",
            x - 4.0,
            y - 4.0,
            x + 4.0,
            y + 4.0,
            x - 4.0,
            y + 4.0,
            x + 4.0,
            y - 4.0
        ),
    }
}

/// The chart and its table for the incidents where `victim` is the victim (any order).
pub fn risk_over_time(incidents: &[&Incident]) -> String {
    let mut list: Vec<&Incident> = incidents.to_vec();
    list.sort_by_key(|i| i.reported_at);
    let (Some(first), Some(last)) = (list.first(), list.last()) else {
        return String::new();
    };
    let t =
        GradeThresholds::default_for(instrument(InstrumentKind::Dash).expect("DASH is defined"));
    let (t0, t1) = (first.reported_at, last.reported_at);
    let span = (t1 - t0).num_seconds().max(1) as f64;
    let x = |at: vigil_domain::DateTime| {
        let f = if list.len() == 1 {
            0.5
        } else {
            (at - t0).num_seconds() as f64 / span
        };
        LEFT + (W - LEFT - RIGHT) * f
    };
    let y = |yes: f64| TOP + (H - TOP - BOTTOM) * (1.0 - yes / MAX_YES);
    let highs = list
        .iter()
        .filter(|i| i.risk_level == Some(RiskGrade::High))
        .count();
    let title = format!(
        "{} incidents as a victim from {} to {}; {} assessed high risk",
        list.len(),
        t0.format("%b %Y"),
        t1.format("%b %Y"),
        highs
    );
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<figure class=\"govuk-!-margin-0 vigil-chart\"><svg viewBox=\"0 0 {W} {H}\" role=\"img\" aria-labelledby=\"risk-title\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"risk-title\">{}</title>",
        esc(&title)
    );
    // Threshold bands: where the score gives medium, and high.
    for (from, label) in [
        (t.medium_from(), "medium from"),
        (t.high_from(), "high from"),
    ] {
        let yy = y(f64::from(from) - 0.5);
        let _ = write!(
            svg,
            "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#b1b4b6\" stroke-dasharray=\"4 3\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\" fill=\"#505a5f\">{label} {from}</text>",
            W - RIGHT,
            W - RIGHT,
            yy - 3.0
        );
    }
    for v in [0.0, 9.0, 18.0, 27.0] {
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\" fill=\"#0b0c0c\">{v}</text>",
            LEFT - 6.0,
            y(v) + 4.0
        );
    }
    let _ = write!(
        svg,
        "<line x1=\"{LEFT}\" x2=\"{LEFT}\" y1=\"{TOP}\" y2=\"{:.1}\" stroke=\"#0b0c0c\"/><line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#0b0c0c\"/>",
        H - BOTTOM,
        W - RIGHT,
        H - BOTTOM,
        H - BOTTOM
    );
    let _ = write!(
        svg,
        "<text x=\"{LEFT}\" y=\"{:.1}\" font-size=\"11\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text><text x=\"12\" y=\"{:.1}\" font-size=\"11\" transform=\"rotate(-90 12 {:.1})\" text-anchor=\"middle\">DASH yes answers</text>",
        H - BOTTOM + 16.0,
        t0.format("%-d %b %Y"),
        W - RIGHT,
        H - BOTTOM + 16.0,
        t1.format("%-d %b %Y"),
        (H - BOTTOM + TOP) / 2.0,
        (H - BOTTOM + TOP) / 2.0
    );
    for i in &list {
        let yes = f64::from(i.dash_yes_count.unwrap_or(0));
        svg.push_str(&mark(i.risk_level, x(i.reported_at), y(yes)));
    }
    svg.push_str("</svg><figcaption class=\"govuk-body-s\">Triangle: high risk. Square: medium. Circle: standard. Cross: not assessed. Dashed lines: where the score alone gives medium and high.</figcaption></figure>");
    let rows: String = list
        .iter()
        .map(|i| {
            format!(
                "<tr class=\"govuk-table__row\"><td class=\"govuk-table__cell\">{}</td><td class=\"govuk-table__cell\">{}</td><td class=\"govuk-table__cell\">{}</td></tr>",
                i.reported_at.format("%-d %b %Y"),
                i.dash_yes_count.map_or("–".into(), |n| n.to_string()),
                i.risk_level.map_or("not assessed", |g| g.as_str())
            )
        })
        .collect();
    format!(
        "<h2 class=\"govuk-heading-m\">Risk over time</h2><p class=\"govuk-body\">{}.</p>{svg}<details class=\"govuk-details\"><summary class=\"govuk-details__summary\"><span class=\"govuk-details__summary-text\">The same as a table</span></summary><div class=\"govuk-details__text\"><table class=\"govuk-table\"><caption class=\"govuk-table__caption govuk-table__caption--s\">Incidents as a victim, oldest first</caption><thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\"><th scope=\"col\" class=\"govuk-table__header\">Reported</th><th scope=\"col\" class=\"govuk-table__header\">DASH yes answers</th><th scope=\"col\" class=\"govuk-table__header\">Grade</th></tr></thead><tbody class=\"govuk-table__body\">{rows}</tbody></table></div></details>",
        esc(&title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident(day: u32, yes: Option<u8>, grade: Option<RiskGrade>) -> Incident {
        Incident {
            id: vigil_domain::IncidentId::parse(&format!("I{day}")).unwrap(),
            reported_at: vigil_domain::Date::from_ymd_opt(2019, 1, day)
                .unwrap()
                .and_hms_opt(12, 0, 0)
                .unwrap(),
            lpa: vigil_domain::Lpa::parse("North").unwrap(),
            call_grade: vigil_domain::CallGrade::Emergency,
            arrived_at: None,
            response_target_met: None,
            victim_id: vigil_domain::PersonId::parse("P1").unwrap(),
            suspect_id: None,
            relationship: vigil_domain::Relationship::Partner,
            children_present: false,
            risk_level: grade,
            dash_yes_count: yes,
        }
    }

    #[test]
    fn one_mark_per_incident_shaped_by_grade_with_a_table_beside_it() {
        let a = incident(3, Some(15), Some(RiskGrade::High));
        let b = incident(1, Some(2), Some(RiskGrade::Standard));
        let c = incident(2, None, None);
        let html = risk_over_time(&[&a, &b, &c]);
        assert!(
            html.contains(
                "3 incidents as a victim from Jan 2019 to Jan 2019; 1 assessed high risk"
            )
        );
        assert_eq!(html.matches("<circle").count(), 1);
        assert_eq!(html.matches("fill=\"#d4351c\"").count(), 1);
        assert_eq!(
            html.matches("<tr class=\"govuk-table__row\"><td").count(),
            3
        );
        // Oldest first in the table.
        assert!(html.find("1 Jan 2019").unwrap() < html.find("3 Jan 2019").unwrap());
        assert!(risk_over_time(&[]).is_empty());
    }
}
