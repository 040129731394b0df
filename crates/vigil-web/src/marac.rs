//! The MARAC pages: the SafeLives return for a period, on screen and as CSV or a
//! spreadsheet to send on.

use crate::App;
use crate::components::*;
use crate::layout::page_at;
use crate::pages::{SignedIn, failure_page, not_found_page};
use crate::service::{self, Failure, ReturnPeriod};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;
use vigil_domain::access::{Capability, allows};
use vigil_domain::dates::long;
use vigil_domain::marac_return::{AreaReturn, RECOMMENDED_PER_10K};
use vigil_domain::time::format_date;
use vigil_store::Session;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReturnQuery {
    from: String,
    to: String,
    format: String,
}

fn number(x: Option<f64>) -> String {
    x.map_or("–".to_owned(), |v| format!("{v:.1}"))
}

fn return_table(rows: &[AreaReturn], total: &AreaReturn) -> String {
    let line = |r: &AreaReturn| {
        vec![
            esc(&r.area),
            r.cases.to_string(),
            format!("{} ({}%)", r.repeat_cases, number(r.repeat_percent())),
            r.cases_with_children.to_string(),
            r.bme_victims.to_string(),
            r.male_victims.to_string(),
            r.victims_16_17.to_string(),
            r.perpetrators_under_18.to_string(),
            number(r.per_10k_women),
        ]
    };
    let mut body: Vec<Vec<String>> = rows.iter().map(line).collect();
    let mut t = line(total);
    t[0] = "<strong>Total</strong>".into();
    body.push(t);
    table(
        "Cases by MARAC area",
        &[
            "MARAC area",
            "Cases",
            "Repeat cases",
            "With children",
            "BME victims",
            "Male victims",
            "Victims aged 16–17",
            "Perpetrators under 18",
            "Cases per 10,000 adult women a year",
        ],
        body,
    )
}

fn agency_table(rows: &[AreaReturn], total: &AreaReturn) -> String {
    let agencies: Vec<String> = total
        .by_agency
        .iter()
        .map(|(a, _)| capitalise_words(a.as_str()))
        .collect();
    let mut header: Vec<&str> = vec!["MARAC area"];
    header.extend(agencies.iter().map(String::as_str));
    let mut body: Vec<Vec<String>> = rows
        .iter()
        .chain(std::iter::once(total))
        .map(|r| {
            std::iter::once(esc(&r.area))
                .chain(r.by_agency.iter().map(|(_, n)| n.to_string()))
                .collect()
        })
        .collect();
    if let Some(last) = body.last_mut() {
        last[0] = "<strong>Total</strong>".into();
    }
    table("Cases by referring agency", &header, body)
}

fn capitalise_words(s: &str) -> String {
    let s = s.replace('_', " ");
    if s == "idva" {
        return "IDVA service".into();
    }
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn return_page(
    s: &Session,
    q: &ReturnQuery,
    r: Option<&service::MaracReturn>,
    errors: &[FieldError],
) -> String {
    let mut body = error_summary(errors);
    body.push_str(&h1("MARAC return"));
    body.push_str(&p("The SafeLives meeting-level return, by MARAC area. Over imported history a MARAC referral counts as a case in the period of its referral date."));
    let (from_v, to_v) = match r {
        Some(r) if q.from.trim().is_empty() && q.to.trim().is_empty() => (
            r.from.format("%d/%m/%Y").to_string(),
            r.to.format("%d/%m/%Y").to_string(),
        ),
        _ => (q.from.clone(), q.to.clone()),
    };
    body.push_str(&format!(
        "<form method=\"get\" action=\"/marac/return\" novalidate>{}{}{}</form>",
        Input::text("from", "First day", &from_v)
            .hint("For example 01/04/2019")
            .width("10")
            .render(errors),
        Input::text("to", "Last day", &to_v)
            .hint("For example 30/06/2019")
            .width("10")
            .render(errors),
        button("Show the return", None, false)
    ));
    if let Some(r) = r {
        let period = format!("from={}&to={}", format_date(r.from), format_date(r.to));
        body.push_str(&h2(&format!(
            "{} to {}: {} case{}",
            long(r.from),
            long(r.to),
            r.total.cases,
            if r.total.cases == 1 { "" } else { "s" }
        )));
        body.push_str(&p(&format!(
            "{} of them repeats ({}%). SafeLives recommends about {RECOMMENDED_PER_10K:.0} cases a year per 10,000 adult women{}. {} · {}",
            r.total.repeat_cases,
            number(r.total.repeat_percent()),
            match r.total.per_10k_women {
                Some(x) => format!("; this period runs at {x:.1}"),
                None => "; the populations are not configured (marac.areas in the rules file), so the rate is not shown".into(),
            },
            link(&format!("/marac/return?{period}&format=csv"), "Download as CSV"),
            link(&format!("/marac/return?{period}&format=xlsx"), "Download as a spreadsheet"),
        )));
        body.push_str(&return_table(&r.rows, &r.total));
        body.push_str(&agency_table(&r.rows, &r.total));
        body.push_str(&h2("How it was counted"));
        body.push_str("<ul class=\"govuk-list govuk-list--bullet\">");
        for line in vigil_report::marac::notes(r.from, r.to) {
            body.push_str(&format!("<li>{}</li>", esc(&line)));
        }
        body.push_str("</ul>");
    }
    page_at("MARAC return", Some(s), "/marac/return", &body)
}

/// `GET /marac/return?from&to[&format=csv|xlsx]`.
pub async fn marac_return(
    State(app): State<Arc<App>>,
    SignedIn(s): SignedIn,
    Query(q): Query<ReturnQuery>,
) -> Response {
    if !allows(s.user.role, Capability::ReadAnalytics) {
        return not_found_page(Some(&s));
    }
    let period = ReturnPeriod {
        from: q.from.chars().take(20).collect(),
        to: q.to.chars().take(20).collect(),
    };
    let r = match service::marac_return(&app, &s, &period).await {
        Ok(r) => r,
        Err(Failure::Invalid(errors)) => {
            return (
                StatusCode::BAD_REQUEST,
                Html(return_page(&s, &q, None, &errors)),
            )
                .into_response();
        }
        Err(e) => return failure_page(&s, e),
    };
    let name = format!("marac-return-{}-{}", format_date(r.from), format_date(r.to));
    match q.format.as_str() {
        "" | "html" => Html(return_page(&s, &q, Some(&r), &[])).into_response(),
        "csv" => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}.csv\""),
                ),
            ],
            vigil_report::marac::to_csv(&r.rows, &r.total),
        )
            .into_response(),
        "xlsx" => match vigil_report::marac::to_xlsx(&r.rows, &r.total, r.from, r.to) {
            Ok(bytes) => (
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            .to_owned(),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}.xlsx\""),
                    ),
                ],
                bytes,
            )
                .into_response(),
            Err(cause) => failure_page(&s, Failure::Problem(cause)),
        },
        _ => (
            StatusCode::BAD_REQUEST,
            Html(return_page(
                &s,
                &q,
                None,
                &[FieldError::new(
                    "format",
                    "Choose csv or xlsx to download, or leave the format out to see the page",
                )],
            )),
        )
            .into_response(),
    }
}
