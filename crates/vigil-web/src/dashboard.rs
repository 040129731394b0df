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
pub async fn pack_json(app: &App, f: &Filter) -> Result<serde_json::Value, (StatusCode, String)> {
    prepare(app, f).await.map(|p| p.pack.to_json())
}

struct Prepared {
    pack: vigil_analytics::Pack,
    lpas: Vec<String>,
    staffing: Vec<vigil_domain::StaffingRecord>,
    source: String,
}

/// Computes the pack for the filter, or the message to show for a bad filter.
async fn prepare(app: &App, f: &Filter) -> Result<Prepared, (StatusCode, String)> {
    let loaded = vigil_store::snapshot_cache::load(app.store.as_ref())
        .await
        .map_err(|e| {
            tracing::error!(cause = %e, "the records could not be read for the dashboard");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The records could not be read. Try again later.".to_owned(),
            )
        })?;
    let Some((snapshot, info, _)) = loaded else {
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
    let months: Vec<Month> = p
        .pack
        .months
        .iter()
        .filter_map(|k| {
            Some(Month {
                year: k.get(..4)?.parse().ok()?,
                month: k.get(5..)?.parse().ok()?,
            })
        })
        .collect();
    let as_of = p.pack.as_of.clone();
    let total = |v: &vigil_analytics::pack::Monthly, w: Window| v.total(w).unwrap_or(0.0);
    let percent = |x: Option<f64>| x.map_or("–".into(), |x| format!("{:.1}%", x * 100.0));
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
    lpa_options.extend(p.lpas.iter().map(|l| (l.clone(), l.clone())));
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
    let (a, b) = (total(off, previous), total(off, latest));
    let rows = [
        ("DA offences recorded", format!("{a:.0}"), format!("{b:.0}")),
        (
            "Solved outcomes",
            format!("{:.0}", total(&scope.solved_outcomes, previous)),
            format!("{:.0}", total(&scope.solved_outcomes, latest)),
        ),
        (
            "Solved rate",
            percent(scope.solved_rate.rate(previous)),
            percent(scope.solved_rate.rate(latest)),
        ),
        (
            "Arrests",
            format!("{:.0}", total(&scope.arrests, previous)),
            format!("{:.0}", total(&scope.arrests, latest)),
        ),
        (
            "High-risk victims referred to an IDVA",
            percent(scope.idva_referral_rate.at(previous).and_then(|r| r.rate)),
            percent(scope.idva_referral_rate.at(latest).and_then(|r| r.rate)),
        ),
        (
            "Arrests per 100 DA offences",
            scope
                .arrest_rate
                .rate(previous)
                .map_or("–".into(), |x| format!("{x:.1}")),
            scope
                .arrest_rate
                .rate(latest)
                .map_or("–".into(), |x| format!("{x:.1}")),
        ),
        (
            "MARAC referrals",
            scope
                .marac_referrals
                .at(previous)
                .map_or("–".into(), |x| format!("{:.0}", x.total)),
            scope
                .marac_referrals
                .at(latest)
                .map_or("–".into(), |x| format!("{:.0}", x.total)),
        ),
    ];
    body.push_str(&format!("<table class=\"govuk-table\"><caption class=\"govuk-table__caption govuk-table__caption--m\">Headline measures</caption><thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\"><th scope=\"col\" class=\"govuk-table__header\">Measure</th><th scope=\"col\" class=\"govuk-table__header\">{}</th><th scope=\"col\" class=\"govuk-table__header\">{}</th></tr></thead><tbody class=\"govuk-table__body\">", esc(&previous.key()), esc(&latest.key())));
    for (name, x, y) in rows {
        body.push_str(&format!(
            "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\">{name}</th><td class=\"govuk-table__cell\">{x}</td><td class=\"govuk-table__cell\">{y}</td></tr>"
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
        &[(previous, "previous year"), (latest, "latest year")],
        &percent,
    ));
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
