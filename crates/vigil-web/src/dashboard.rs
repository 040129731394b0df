//! The analysts' and leaders' dashboard: the headline measures with their charts, by LPA
//! and period, and the board report generated on request. Aggregates only: no person's
//! data is on these pages.

use crate::App;
use crate::auth::{current, sign_out_form};
use crate::layout::{esc, page};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::sync::Arc;
use vigil_analytics::{Month, PackConfig, Window, compute};
use vigil_domain::access::{Capability, allows};
use vigil_report::chart::{Line, line_chart};

#[derive(Deserialize)]
pub struct Filter {
    #[serde(default)]
    lpa: String,
    #[serde(default)]
    as_of: String,
}

struct Prepared {
    pack: serde_json::Value,
    lpas: Vec<String>,
    staffing: Vec<vigil_domain::StaffingRecord>,
    source: String,
}

/// Computes the pack for the filter, or the message to show for a bad filter.
async fn prepare(app: &App, f: &Filter) -> Result<Prepared, (StatusCode, String)> {
    let loaded = vigil_store_sqlite::snapshot_cache::load(&app.store, &app.db)
        .await
        .map_err(|_| {
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
        vigil_domain::time::parse_date(f.as_of.trim())
            .map_err(|e| (StatusCode::BAD_REQUEST, format!("Data as of: {e}")))?
    };
    let mut cfg = PackConfig::new(as_of);
    for w in vigil_report::report_windows(as_of).all() {
        if !cfg.windows.contains(&w) {
            cfg.windows.push(w);
        }
    }
    cfg.breakdown = !lpa.is_empty();
    let pack = compute(&snapshot, &cfg).map_err(|e| (StatusCode::BAD_REQUEST, e.to_string()))?;
    Ok(Prepared {
        pack,
        lpas: snapshot.lpas.clone(),
        staffing: snapshot.staffing.clone(),
        source: info.source,
    })
}

fn series(v: &serde_json::Value, months: &[Month]) -> Vec<(Month, Option<f64>)> {
    months
        .iter()
        .map(|m| (*m, v.get(m.key()).and_then(serde_json::Value::as_f64)))
        .collect()
}

fn total(v: &serde_json::Value, w: Window) -> f64 {
    v.as_object()
        .map(|o| {
            o.iter()
                .filter(|(k, _)| {
                    k.as_str() >= &w.from.to_string()[..7] && k.as_str() <= &w.to.to_string()[..7]
                })
                .filter_map(|(_, x)| x.as_f64())
                .sum()
        })
        .unwrap_or(0.0)
}

pub async fn dashboard(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(f): Query<Filter>,
) -> Response {
    let Some(s) = current(&app, &headers).await else {
        return Redirect::to("/sign-in").into_response();
    };
    let form = sign_out_form(&s);
    if !allows(s.user.role, Capability::ReadAnalytics) {
        return (
            StatusCode::NOT_FOUND,
            Html(page(
                "Page not found",
                Some(&form),
                "<h1>Page not found</h1><p><a href=\"/\">Go to the start</a></p>",
            )),
        )
            .into_response();
    }
    let p = match prepare(&app, &f).await {
        Ok(p) => p,
        Err((status, msg)) => {
            let body = format!(
                "<div class=\"error-summary\" role=\"alert\"><h2>There is a problem</h2><p><a href=\"/dashboard\">{}</a></p></div><h1>Dashboard</h1>",
                esc(&msg)
            );
            return (status, Html(page("Dashboard", Some(&form), &body))).into_response();
        }
    };
    let lpa = f.lpa.trim();
    let scope = if lpa.is_empty() {
        &p.pack["force"]
    } else {
        &p.pack["by_lpa"][lpa]
    };
    let months: Vec<Month> = p.pack["months"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|m| m.as_str())
                .filter_map(|k| {
                    Some(Month {
                        year: k[..4].parse().ok()?,
                        month: k[5..].parse().ok()?,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let as_of = p.pack["as_of"].as_str().unwrap_or("").to_owned();
    let rw =
        vigil_report::report_windows(vigil_domain::time::parse_date(&as_of).unwrap_or_default());
    let (latest, previous) = (rw.latest, rw.previous);
    let mut body = format!(
        "<h1>Dashboard</h1><p>{} · data as of {} · {}</p>",
        esc(&p.source),
        esc(&as_of),
        if lpa.is_empty() {
            "whole force".to_owned()
        } else {
            format!("{} LPA", esc(lpa))
        }
    );
    body.push_str("<form method=\"get\" action=\"/dashboard\"><div class=\"field\"><label class=\"label\" for=\"lpa\">Local Policing Area</label><select class=\"input\" id=\"lpa\" name=\"lpa\"><option value=\"\">Whole force</option>");
    for l in &p.lpas {
        body.push_str(&format!(
            "<option value=\"{0}\"{1}>{0}</option>",
            esc(l),
            if l == lpa { " selected" } else { "" }
        ));
    }
    body.push_str(&format!("</select></div><div class=\"field\"><label class=\"label\" for=\"as_of\">Data as of</label><div class=\"hint\">For example, 2019-09-01</div><input class=\"input\" id=\"as_of\" name=\"as_of\" type=\"text\" value=\"{}\"></div><button class=\"button\" type=\"submit\">Show</button></form>", esc(&as_of)));
    let off = &scope["da_offences"];
    let (a, b) = (total(off, previous), total(off, latest));
    let rows = [
        ("DA offences recorded", format!("{a:.0}"), format!("{b:.0}")),
        (
            "Solved outcomes",
            format!("{:.0}", total(&scope["solved_outcomes"], previous)),
            format!("{:.0}", total(&scope["solved_outcomes"], latest)),
        ),
        (
            "Solved rate",
            scope["solved_rate"][previous.key()]
                .as_f64()
                .map_or("–".into(), |x| format!("{:.1}%", x * 100.0)),
            scope["solved_rate"][latest.key()]
                .as_f64()
                .map_or("–".into(), |x| format!("{:.1}%", x * 100.0)),
        ),
        (
            "Arrests",
            format!("{:.0}", total(&scope["arrests"], previous)),
            format!("{:.0}", total(&scope["arrests"], latest)),
        ),
        (
            "High-risk victims referred to an IDVA",
            scope["idva_referral_rate"][previous.key()]["rate"]
                .as_f64()
                .map_or("–".into(), |x| format!("{:.1}%", x * 100.0)),
            scope["idva_referral_rate"][latest.key()]["rate"]
                .as_f64()
                .map_or("–".into(), |x| format!("{:.1}%", x * 100.0)),
        ),
    ];
    body.push_str(&format!("<h2>Headline measures</h2><table><thead><tr><th scope=\"col\">Measure</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>", esc(&previous.key()), esc(&latest.key())));
    for (name, x, y) in rows {
        body.push_str(&format!(
            "<tr><th scope=\"row\">{name}</th><td>{x}</td><td>{y}</td></tr>"
        ));
    }
    body.push_str("</tbody></table>");
    body.push_str(&line_chart(
        "d-volumes",
        "DA offences and non-crime incidents by month",
        "Count per month",
        &[
            Line {
                label: "DA offences recorded",
                points: series(off, &months),
            },
            Line {
                label: "DA non-crime incidents",
                points: series(&scope["non_crime_incidents"], &months),
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
            points: series(&scope["solved_outcomes"], &months),
        }],
        &[],
        &|v| format!("{v:.0}"),
    ));
    let report_link = format!("/report?lpa={}&as_of={}", esc(lpa), esc(&as_of));
    body.push_str(&format!("<h2>Board report</h2><p><a href=\"{report_link}\">Open the board report for this area and date</a> (the deep-dive, generated from the records now).</p>"));
    Html(page("Dashboard", Some(&form), &body)).into_response()
}

pub async fn report(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(f): Query<Filter>,
) -> Response {
    let Some(s) = current(&app, &headers).await else {
        return Redirect::to("/sign-in").into_response();
    };
    if !allows(s.user.role, Capability::ReadAnalytics) {
        return (
            StatusCode::NOT_FOUND,
            Html(page(
                "Page not found",
                Some(&sign_out_form(&s)),
                "<h1>Page not found</h1>",
            )),
        )
            .into_response();
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
            Html(vigil_report::render(&p.pack, &p.staffing, &opts)).into_response()
        }
        Err((status, msg)) => (status, Html(page("Board report", Some(&sign_out_form(&s)), &format!("<h1>Board report</h1><p>{}</p><p><a href=\"/dashboard\">Back to the dashboard</a></p>", esc(&msg))))).into_response(),
    }
}
