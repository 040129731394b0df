//! The analysts' and leaders' dashboard: the headline measures with their charts, by LPA
//! and period, and the board report generated on request. Aggregates only: no person's
//! data is on these pages.

use crate::App;
use crate::components::esc;
use crate::layout::page;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;
use vigil_analytics::pack::MonthSeries;
use vigil_analytics::{Month, PackConfig, Window, compute};
use vigil_domain::access::{Capability, allows};
use vigil_report::chart::{Line, line_chart};

#[derive(Deserialize, Default)]
pub struct Filter {
    #[serde(default)]
    pub lpa: String,
    #[serde(default)]
    pub as_of: String,
}

/// The performance pack (every measure of METRICS.md, as `vigil pack --json` prints it) for
/// the API; with an area, its breakdown by area too. Aggregates, and the cohorts' person
/// references (no name, address or detail: reading those needs a role that reads cases).
pub async fn pack_json(
    app: &App,
    f: &Filter,
) -> Result<(serde_json::Value, String), (StatusCode, String)> {
    prepare(app, f)
        .await
        .map(|p| (p.pack.to_json(), p.timing.header()))
}

struct Prepared {
    pack: vigil_analytics::Pack,
    lpas: Vec<String>,
    staffing: Vec<vigil_domain::StaffingRecord>,
    source: String,
    timing: Timing,
}

/// How long the snapshot and the measures took, and where the snapshot came from: sent as
/// a `Server-Timing` header, which a browser's developer tools show beside the request.
struct Timing {
    source: vigil_store::snapshot_cache::Source,
    snapshot: std::time::Duration,
    measures: std::time::Duration,
}

impl Timing {
    fn header(&self) -> String {
        format!(
            "snapshot;desc=\"{}\";dur={:.1}, measures;dur={:.1}",
            self.source.key(),
            self.snapshot.as_secs_f64() * 1000.0,
            self.measures.as_secs_f64() * 1000.0
        )
    }
}

/// Computes the pack for the filter, or the message to show for a bad filter.
async fn prepare(app: &App, f: &Filter) -> Result<Prepared, (StatusCode, String)> {
    let started = std::time::Instant::now();
    let loaded = app.snapshot.get(app.store.as_ref()).await.map_err(|e| {
        tracing::error!(cause = %e, "the records could not be read for the dashboard");
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "The records could not be read. Try again later.".to_owned(),
        )
    })?;
    let Some((snapshot, info, source)) = loaded else {
        return Err((
            StatusCode::OK,
            "No records have been loaded yet.".to_owned(),
        ));
    };
    let lpa = f.lpa.trim();
    if !lpa.is_empty() && snapshot.lpa_index(lpa).is_none() {
        return Err((
            StatusCode::BAD_REQUEST,
            format!("There is no Local Policing Area called '{lpa}'. Choose one from the list."),
        ));
    }
    let as_of = if f.as_of.trim().is_empty() {
        info.as_of
    } else {
        crate::service::parse_day(&f.as_of)
            .map_err(|e| (StatusCode::BAD_REQUEST, format!("Data as of: {e}")))?
    };
    let mut cfg = PackConfig::new(as_of);
    for w in vigil_report::report_windows(as_of).all() {
        if !cfg.windows.contains(&w) {
            cfg.windows.push(w);
        }
    }
    cfg.breakdown = !lpa.is_empty();
    let snapshot_time = started.elapsed();
    let started = std::time::Instant::now();
    // The measures are CPU work: off the async workers, so other requests keep being
    // served while a pack is computed.
    let (pack, snapshot) =
        tokio::task::spawn_blocking(move || (compute(&snapshot, &cfg), snapshot))
            .await
            .map_err(|_| {
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The measures could not be computed. Try again later.".to_owned(),
                )
            })?;
    let pack = pack.map_err(|e| (StatusCode::BAD_REQUEST, e.to_string()))?;
    Ok(Prepared {
        pack,
        lpas: snapshot.lpas.clone(),
        staffing: snapshot.staffing.clone(),
        source: info.source,
        timing: Timing {
            source,
            snapshot: snapshot_time,
            measures: started.elapsed(),
        },
    })
}

pub async fn dashboard(
    State(app): State<Arc<App>>,
    crate::pages::SignedIn(s): crate::pages::SignedIn,
    Query(f): Query<Filter>,
) -> Response {
    if !allows(s.user.role, Capability::ReadAnalytics) {
        return crate::pages::not_found_page(Some(&s));
    }
    let p = match prepare(&app, &f).await {
        Ok(p) => p,
        Err((status, msg)) => {
            let body = format!(
                "{}<h1 class=\"govuk-heading-l\">Dashboard</h1>",
                crate::components::error_summary(&[crate::components::FieldError::new(
                    "as_of", msg
                )])
            );
            return (status, Html(page("Dashboard", Some(&s), &body))).into_response();
        }
    };
    let lpa = f.lpa.trim();
    // `prepare` refused an area the force does not have.
    let scope = p
        .pack
        .scope((!lpa.is_empty()).then_some(lpa))
        .unwrap_or(&p.pack.force);
    // A first month the data began part-way through is not charted (a part month's count
    // would read as a fall).
    let coverage = &p.pack.coverage;
    let months: Vec<Month> = p
        .pack
        .months
        .iter()
        .filter(|k| !(coverage.first_month_partial && **k == coverage.first_month))
        .filter_map(|k| {
            Some(Month {
                year: k.get(..4)?.parse().ok()?,
                month: k.get(5..)?.parse().ok()?,
            })
        })
        .collect();
    let as_of = p.pack.as_of.clone();
    let as_of_day = vigil_domain::time::parse_date(&as_of).unwrap_or_default();
    let rw = vigil_report::report_windows(as_of_day);
    let (latest, previous) = (rw.latest, rw.previous);
    let mut body = format!(
        "<h1 class=\"govuk-heading-l\">Dashboard</h1><p class=\"govuk-body\">{} · data as of {} · {}</p>",
        esc(&p.source),
        esc(&vigil_domain::dates::long(as_of_day)),
        if lpa.is_empty() {
            "whole force".to_owned()
        } else {
            format!("{} LPA", esc(lpa))
        }
    );
    let mut lpa_options = vec![(String::new(), "Whole force".to_owned())];
    // Areas in one fixed order everywhere: by name.
    let mut areas = p.lpas.clone();
    areas.sort();
    lpa_options.extend(areas.iter().map(|l| (l.clone(), l.clone())));
    body.push_str(&format!(
        "<form method=\"get\" action=\"/dashboard\" novalidate>{}{}{}</form>",
        crate::components::select("lpa", "Local Policing Area", &lpa_options, lpa, &[]),
        crate::components::Input::text(
            "as_of",
            "Data as of",
            &as_of_day.format("%d/%m/%Y").to_string()
        )
        .hint("For example, 01/09/2019")
        .width("10")
        .render(&[]),
        crate::components::button("Show", None, true)
    ));
    let off = &scope.da_offences;
    // Each row: the two periods' values, as numbers to compare and as words to show.
    enum Kind {
        Count,
        Share,
        Per100,
    }
    let count_of = |v: &vigil_analytics::pack::Monthly, w: Window| v.total(w);
    let rows: Vec<(&str, Kind, Option<f64>, Option<f64>)> = vec![
        (
            "DA offences recorded",
            Kind::Count,
            count_of(off, previous),
            count_of(off, latest),
        ),
        (
            "Solved outcomes",
            Kind::Count,
            count_of(&scope.solved_outcomes, previous),
            count_of(&scope.solved_outcomes, latest),
        ),
        (
            "Solved rate",
            Kind::Share,
            scope.solved_rate.rate(previous),
            scope.solved_rate.rate(latest),
        ),
        (
            "Arrests",
            Kind::Count,
            count_of(&scope.arrests, previous),
            count_of(&scope.arrests, latest),
        ),
        (
            "High-risk victims referred to an IDVA",
            Kind::Share,
            scope.idva_referral_rate.at(previous).and_then(|r| r.rate),
            scope.idva_referral_rate.at(latest).and_then(|r| r.rate),
        ),
        (
            "Arrests per 100 DA offences",
            Kind::Per100,
            scope.arrest_rate.rate(previous),
            scope.arrest_rate.rate(latest),
        ),
        (
            "MARAC referrals",
            Kind::Count,
            scope.marac_referrals.at(previous).map(|x| x.total as f64),
            scope.marac_referrals.at(latest).map(|x| x.total as f64),
        ),
    ];
    let shown = |k: &Kind, v: Option<f64>| match (k, v) {
        (_, None) => "–".to_owned(),
        (Kind::Count, Some(x)) => vigil_report::html::count(x),
        (Kind::Share, Some(x)) => format!("{:.1}%", x * 100.0),
        (Kind::Per100, Some(x)) => format!("{x:.1}"),
    };
    // The change, with its direction in words: counts in percent, shares in points.
    let change = |k: &Kind, a: Option<f64>, b: Option<f64>| -> String {
        let (Some(a), Some(b)) = (a, b) else {
            return "–".into();
        };
        let (delta, text) = match k {
            Kind::Count if a > 0.0 => ((b - a) / a, format!("{:.1}%", ((b - a) / a * 100.0).abs())),
            Kind::Count => return "–".into(),
            Kind::Share => (b - a, format!("{:.1} points", ((b - a) * 100.0).abs())),
            Kind::Per100 => (b - a, format!("{:.1}", (b - a).abs())),
        };
        if delta.abs() < 1e-9 {
            "no change".into()
        } else if delta > 0.0 {
            format!("up {text}")
        } else {
            format!("down {text}")
        }
    };
    let period = |w: Window| {
        format!(
            "12 months to {}<span class=\"govuk-caption-s govuk-!-font-weight-regular\">{} to {}</span>",
            esc(&w.to.format("%B %Y").to_string()),
            esc(&vigil_domain::dates::long(w.from)),
            esc(&vigil_domain::dates::long(w.to))
        )
    };
    body.push_str(&format!("<table class=\"govuk-table\"><caption class=\"govuk-table__caption govuk-table__caption--m\">Headline measures</caption><thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\"><th scope=\"col\" class=\"govuk-table__header\">Measure</th><th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">{}</th><th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">{}</th><th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Change</th></tr></thead><tbody class=\"govuk-table__body\">", period(previous), period(latest)));
    for (name, kind, a, b) in &rows {
        body.push_str(&format!(
            "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\">{name}</th><td class=\"govuk-table__cell govuk-table__cell--numeric\">{}</td><td class=\"govuk-table__cell govuk-table__cell--numeric\">{}</td><td class=\"govuk-table__cell govuk-table__cell--numeric\">{}</td></tr>",
            shown(kind, *a),
            shown(kind, *b),
            change(kind, *a, *b)
        ));
    }
    body.push_str("</tbody></table>");
    body.push_str("<div class=\"vigil-chart\">");
    body.push_str(&line_chart(
        "d-volumes",
        "DA offences and non-crime incidents by month",
        "Count per month",
        &[
            Line {
                label: "DA offences recorded",
                points: off.over(&months),
            },
            Line {
                label: "DA non-crime incidents",
                points: scope.non_crime_incidents.over(&months),
            },
        ],
        &[(previous, "previous year"), (latest, "latest year")],
        &|v| format!("{v:.0}"),
    ));
    body.push_str(&line_chart(
        "d-solved",
        "Solved outcomes by month",
        "Outcomes per month",
        &[Line {
            label: "Solved outcomes",
            points: scope.solved_outcomes.over(&months),
        }],
        &[],
        &|v| format!("{v:.0}"),
    ));
    // The monthly rates of METRICS.md, as they are defined (per month): a trend, not a
    // window total.
    let percent = |v: f64| format!("{:.0}%", v * 100.0);
    let mut repeat_periods = vec![(previous, "previous year"), (latest, "latest year")];
    let thin = vigil_report::thin_history(&p.pack);
    if let Some(w) = thin {
        repeat_periods.insert(0, (w, "under 12 months of history"));
    }
    body.push_str(&line_chart(
        "d-repeat",
        "Repeat victims and emergency response by month",
        "Share of the month's incidents",
        &[
            Line {
                label: "Incidents with a repeat victim (12 months)",
                points: scope.repeat_incident_rate.over(&months),
            },
            Line {
                label: "Emergency responses on target",
                points: scope.response_on_target.over(&months),
            },
        ],
        &repeat_periods,
        &percent,
    ));
    let in_words = |key: &str| {
        vigil_domain::time::parse_date(&format!("{key}-01"))
            .map_or(key.to_owned(), |d| d.format("%B %Y").to_string())
    };
    let mut notes = Vec::new();
    if let Some(w) = thin {
        notes.push(format!(
            "Until {}, fewer than 12 months of earlier records exist, so repeat victims are undercounted there (shaded): the low start is the data's edge, not a fall.",
            w.to.format("%B %Y")
        ));
    }
    if let Some(m) = &coverage.partial_month_left_out {
        notes.push(format!(
            "{} is not over, so it is not charted.",
            in_words(m)
        ));
    }
    if coverage.first_month_partial {
        notes.push(format!(
            "The records begin part-way through {}, so that month is not charted.",
            in_words(&coverage.first_month)
        ));
    }
    if !notes.is_empty() {
        body.push_str(&format!(
            "<p class=\"govuk-body-s\">{}</p>",
            esc(&notes.join(" "))
        ));
    }
    body.push_str(&line_chart(
        "d-finalise",
        "Days from recording to outcome by month",
        "Mean days, offences finalised that month",
        &[Line {
            label: "Days to finalise",
            points: scope.days_to_finalise.over(&months),
        }],
        &[],
        &|v| format!("{v:.0}"),
    ));
    body.push_str("</div>");
    let report_link = format!("/report?lpa={}&as_of={}", esc(lpa), esc(&as_of));
    body.push_str(&format!("<h2 class=\"govuk-heading-m\">Board report</h2><p class=\"govuk-body\"><a class=\"govuk-link\" href=\"{report_link}\">Open the board report for this area and date</a> (the deep-dive, generated from the records now).</p>"));
    Html(page("Dashboard", Some(&s), &body)).into_response()
}

/// The board report's content security policy: inline styles (the report is one
/// self-contained file), images only as data, nothing else.
pub const REPORT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

pub async fn report(
    State(app): State<Arc<App>>,
    crate::pages::SignedIn(s): crate::pages::SignedIn,
    Query(f): Query<Filter>,
) -> Response {
    if !allows(s.user.role, Capability::ReadAnalytics) {
        return crate::pages::not_found_page(Some(&s));
    }
    match prepare(&app, &f).await {
        Ok(p) => {
            let lpa = f.lpa.trim();
            let opts = vigil_report::ReportOptions {
                force: p.source.clone(),
                lpa: (!lpa.is_empty()).then(|| lpa.to_owned()),
                publish: None,
                // The live records, computed on request: the CLI's report stamps a fingerprint.
                fingerprint: "the live records at the time of the request".into(),
            };
            // The report is one self-contained page with its own inline styles; it gets its
            // own policy (still no script, no network).
            let mut res = Html(vigil_report::render(&p.pack, &p.staffing, &opts)).into_response();
            res.headers_mut().insert(
                axum::http::header::CONTENT_SECURITY_POLICY,
                axum::http::HeaderValue::from_static(REPORT_CSP),
            );
            res
        }
        Err((status, msg)) => (status, Html(page("Board report", Some(&s), &format!("<h1 class=\"govuk-heading-l\">Board report</h1><p class=\"govuk-body\">{}</p><p class=\"govuk-body\"><a class=\"govuk-link\" href=\"/dashboard\">Back to the dashboard</a></p>", esc(&msg))))).into_response(),
    }
}
