//! The cohort pages: an area's perpetrator or acute victim cohort as of its latest run
//! (or an earlier one), each member's reasons, owner and change since the run before, the
//! downloads; a member's page with their score over time, their owner, plan, reviews and
//! what was done; the home page's reviews due.

use crate::App;
use crate::components::*;
use crate::forms::FormData;
use crate::layout::page_at;
use crate::pages::{SignedIn, failure_page, not_found_page, signed_form};
use crate::service::{
    self, CohortActionInput, CohortView, Failure, FieldError, MemberView, OwnerInput,
};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::sync::Arc;
use vigil_domain::cohort::{ActionKind, CohortKind, Movement};
use vigil_domain::dates::{long, long_time};
use vigil_report::cohort::CohortRow;
use vigil_store::Session;

fn kind_words(k: CohortKind) -> &'static str {
    match k {
        CohortKind::Perpetrator => "Perpetrator cohort",
        CohortKind::Victim => "Acute victim cohort",
    }
}

fn member_href(kind: CohortKind, lpa: &str, person: &str) -> String {
    format!(
        "/cohorts/{}/{}/{}",
        kind.as_str(),
        urlencode(lpa),
        urlencode(person)
    )
}

fn urlencode(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c.to_string()
            } else {
                c.to_string().bytes().map(|b| format!("%{b:02X}")).collect()
            }
        })
        .collect()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CohortQuery {
    kind: String,
    lpa: String,
    run: String,
    /// `serial` (serial perpetrators only) or `unallocated`.
    show: String,
    /// `csv` or `xlsx` to download.
    format: String,
}

/// The rows of a view as the downloads and the table show them.
fn rows(v: &CohortView, show: &str) -> Vec<CohortRow> {
    let Some(run) = &v.run else {
        return Vec::new();
    };
    run.members
        .iter()
        .filter(|m| match show {
            "serial" => m.serial,
            "unallocated" => !v.allocations.contains_key(&m.person_id),
            _ => true,
        })
        .map(|m| CohortRow {
            lpa: run.lpa.to_string(),
            rank: m.rank.unwrap_or(0),
            person_id: m.person_id.to_string(),
            name: v.names.get(&m.person_id).cloned().unwrap_or_default(),
            score: m.score,
            r: m.r,
            f: m.f,
            g: m.g,
            v: m.v,
            incidents: m.incidents,
            victims: m.victims,
            last_incident: m.last_incident.map(|d| d.to_string()).unwrap_or_default(),
            serial: m.serial,
            reasons: m.reasons.clone(),
            change: m.change(),
            owner: v
                .allocations
                .get(&m.person_id)
                .filter(|a| a.closed.is_none())
                .map(|a| a.owner.to_string())
                .unwrap_or_default(),
        })
        .collect()
}

/// `GET /cohorts?kind&lpa&run&show&format`: the cohort, or its download.
pub async fn list(
    State(app): State<Arc<App>>,
    SignedIn(s): SignedIn,
    Query(q): Query<CohortQuery>,
) -> Response {
    let kind = if q.kind.is_empty() {
        // The cohort the user works: the CRU its victims, everyone else the perpetrators.
        if vigil_domain::cohort::may_view(s.user.role, CohortKind::Perpetrator) {
            CohortKind::Perpetrator
        } else {
            CohortKind::Victim
        }
    } else {
        match service::cohort_kind(&q.kind) {
            Ok(k) => k,
            Err(_) => return not_found_page(Some(&s)),
        }
    };
    let run_id = match q.run.trim() {
        "" => None,
        r => match r.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => return not_found_page(Some(&s)),
        },
    };
    let show = match q.show.as_str() {
        "" | "all" => "all",
        "serial" => "serial",
        "unallocated" => "unallocated",
        _ => "all",
    };
    let v = match service::cohort_view(&app, &s, kind, Some(q.lpa.as_str()), run_id).await {
        Ok(v) => v,
        Err(Failure::Forbidden | Failure::NotFound) => return not_found_page(Some(&s)),
        Err(Failure::Invalid(errors)) => {
            return (
                StatusCode::BAD_REQUEST,
                Html(page_at(
                    "Cohorts",
                    Some(&s),
                    "/cohorts",
                    &format!(
                        "{}{}",
                        error_summary(&errors),
                        p(&link("/cohorts", "Back to the cohorts"))
                    ),
                )),
            )
                .into_response();
        }
        Err(e) => return failure_page(&s, e),
    };
    let rows = rows(&v, show);
    let file = |ext: &str| {
        format!(
            "{}-cohort-{}-{}.{ext}",
            kind.as_str(),
            v.lpa
                .as_str()
                .replace(|c: char| !c.is_ascii_alphanumeric(), "-"),
            v.run
                .as_ref()
                .map_or(String::new(), |r| r.as_of.to_string())
        )
    };
    match q.format.as_str() {
        "csv" => {
            return (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{}\"", file("csv")),
                    ),
                ],
                vigil_report::cohort::to_csv(&rows),
            )
                .into_response();
        }
        "xlsx" => {
            let title = format!(
                "{} of {}, as of {}",
                kind_words(kind),
                v.lpa,
                v.run.as_ref().map_or("no run".into(), |r| long(r.as_of))
            );
            let config = v.run.as_ref().map_or("", |r| r.configuration.as_str());
            return match vigil_report::cohort::to_xlsx(&rows, &title, config) {
                Ok(bytes) => (
                    [
                        (
                            header::CONTENT_TYPE,
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                                .to_owned(),
                        ),
                        (
                            header::CONTENT_DISPOSITION,
                            format!("attachment; filename=\"{}\"", file("xlsx")),
                        ),
                    ],
                    bytes,
                )
                    .into_response(),
                Err(cause) => failure_page(&s, Failure::Problem(cause)),
            };
        }
        _ => {}
    }
    Html(page(&s, &v, &rows, show)).into_response()
}

fn page(s: &Session, v: &CohortView, rows: &[CohortRow], show: &str) -> String {
    let kind = v.kind;
    let mut body = h1(&format!("{}: {}", kind_words(kind), v.lpa));
    // Choosing the cohort, the area and what to show: a GET form.
    let mut kinds = Vec::new();
    for k in CohortKind::ALL {
        if vigil_domain::cohort::may_view(s.user.role, *k) {
            kinds.push((k.as_str().to_owned(), kind_words(*k).to_owned()));
        }
    }
    let areas: Vec<(String, String)> = v
        .areas
        .iter()
        .map(|a| (a.to_string(), a.to_string()))
        .collect();
    body.push_str(&format!(
        "<form method=\"get\" action=\"/cohorts\" class=\"govuk-!-margin-bottom-6\">{}{}{}{}</form>",
        select("kind", "Cohort", &kinds, kind.as_str(), &[]),
        select("lpa", "Local Policing Area", &areas, v.lpa.as_str(), &[]),
        select(
            "show",
            "Show",
            &[
                ("all".into(), "Everyone in the run".into()),
                ("serial".into(), "Serial perpetrators only".into()),
                ("unallocated".into(), "Those without an owner".into()),
            ],
            show,
            &[]
        ),
        button("Show", None, true)
    ));
    if v.may_manage {
        body.push_str(&format!(
            "<form method=\"post\" action=\"/cohorts/run\" novalidate>{}<input type=\"hidden\" name=\"kind\" value=\"{}\"><input type=\"hidden\" name=\"lpa\" value=\"{}\">{}</form>",
            csrf(&s.csrf_token),
            kind.as_str(),
            esc(v.lpa.as_str()),
            button(&format!("Run the {} cohort now", v.lpa), None, false)
        ));
    }
    let Some(run) = &v.run else {
        body.push_str(&p(
            "No run yet for this area: the cohorts run on their schedule (every 14 days by default), or run it now.",
        ));
        return page_at("Cohorts", Some(s), "/cohorts", &body);
    };
    let in_it = run.in_cohort().count();
    let entered = run
        .members
        .iter()
        .filter(|m| m.movement == Movement::Entered)
        .count();
    let left = run
        .members
        .iter()
        .filter(|m| m.movement == Movement::Left)
        .count();
    body.push_str(&p(&format!(
        "As of {} (run {} by {}): {in_it} in the cohort; since the run before, {entered} entered and {left} left. {}",
        esc(&long(run.as_of)),
        esc(&long_time(run.run_at)),
        esc(&run.run_by),
        if kind == CohortKind::Perpetrator {
            "Scored by recency, frequency, gravity and victims over the look-back; the configuration is stored with the run."
        } else {
            "Ranked by the highest risk grade in the last 12 months, then the incidents in them, then the latest."
        }
    )));
    if v.withheld > 0 {
        body.push_str(&withheld_notice(v.withheld as u64));
    }
    let query = format!(
        "kind={}&lpa={}&run={}&show={show}",
        kind.as_str(),
        urlencode(v.lpa.as_str()),
        run.id
    );
    body.push_str(&p(&format!(
        "{} · {}",
        link(&format!("/cohorts?{query}&format=csv"), "Download as CSV"),
        link(
            &format!("/cohorts?{query}&format=xlsx"),
            "Download as a spreadsheet (with the configuration)"
        )
    )));
    let table_rows: Vec<Vec<String>> = rows
        .iter()
        .filter(|r| r.rank > 0)
        .map(|r| {
            let who = if r.name.is_empty() {
                r.person_id.clone()
            } else {
                format!("{} ({})", r.name, r.person_id)
            };
            let mut cells = vec![
                r.rank.to_string(),
                link(&member_href(kind, &r.lpa, &r.person_id), &who),
            ];
            if kind == CohortKind::Perpetrator {
                cells.push(format!(
                    "{:.1}{}",
                    r.score,
                    if r.serial {
                        format!(" {}", tag("Serial", "red"))
                    } else {
                        String::new()
                    }
                ));
            }
            cells.push(esc(&r.reasons));
            cells.push(esc(&r.change));
            cells.push(if r.owner.is_empty() {
                "–".into()
            } else {
                esc(&r.owner)
            });
            cells
        })
        .collect();
    let header: Vec<&str> = if kind == CohortKind::Perpetrator {
        vec![
            "Rank",
            "Person",
            "Score",
            "Why",
            "Since the run before",
            "Owner",
        ]
    } else {
        vec!["Rank", "Person", "Why", "Since the run before", "Owner"]
    };
    body.push_str(&table("In the cohort", &header, table_rows));
    let leavers: Vec<Vec<String>> = rows
        .iter()
        .filter(|r| r.rank == 0)
        .map(|r| {
            vec![
                link(&member_href(kind, &r.lpa, &r.person_id), &r.person_id),
                format!("{:.1}", r.score),
                esc(&r.reasons),
            ]
        })
        .collect();
    if !leavers.is_empty() {
        body.push_str(&table(
            "Left since the run before (score on exit)",
            &["Person", "Score", "Why"],
            leavers,
        ));
    }
    if v.runs.len() > 1 {
        let earlier: Vec<String> = v
            .runs
            .iter()
            .filter(|r| r.id != run.id)
            .take(12)
            .map(|r| {
                link(
                    &format!(
                        "/cohorts?kind={}&lpa={}&run={}",
                        kind.as_str(),
                        urlencode(v.lpa.as_str()),
                        r.id
                    ),
                    &long(r.as_of),
                )
            })
            .collect();
        body.push_str(&h2("Earlier runs"));
        body.push_str(&p(&earlier.join(" · ")));
    }
    page_at("Cohorts", Some(s), "/cohorts", &body)
}

/// `POST /cohorts/run`: runs the area's cohort now.
pub async fn run_now(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Ok(kind) = service::cohort_kind(f.get("kind")) else {
        return not_found_page(Some(&s));
    };
    match service::run_cohort_now(&app, &s, kind, f.get("lpa")).await {
        Ok(_) => Redirect::to(&format!(
            "/cohorts?kind={}&lpa={}",
            kind.as_str(),
            urlencode(f.get("lpa"))
        ))
        .into_response(),
        Err(Failure::Forbidden | Failure::NotFound) => not_found_page(Some(&s)),
        Err(e) => failure_page(&s, e),
    }
}

fn member_page(
    app: &App,
    s: &Session,
    m: &MemberView,
    f: &FormData,
    errors: &[FieldError],
) -> String {
    let kind = m.kind;
    let mut body = error_summary(errors);
    body.push_str(&back_link(&format!(
        "/cohorts?kind={}&lpa={}",
        kind.as_str(),
        urlencode(m.lpa.as_str())
    )));
    let who = m.name.clone().map_or(m.person_id.to_string(), |n| {
        format!("{n} ({})", m.person_id)
    });
    body.push_str(&h1(&format!(
        "{} in the {} of {}",
        who,
        kind_words(kind).to_lowercase(),
        m.lpa
    )));
    body.push_str(&p(&link(
        &format!("/people/{}", m.person_id),
        "Their person record",
    )));
    if let Some((as_of, latest)) = m.history.last() {
        let mut rows = vec![
            (
                "Latest run",
                format!(
                    "{}: {}",
                    esc(&long(*as_of)),
                    esc(&latest
                        .rank
                        .map_or("left the cohort".to_owned(), |r| format!("rank {r}")))
                ),
            ),
            ("Why", esc(&latest.reasons)),
        ];
        if kind == CohortKind::Perpetrator {
            rows.insert(
                1,
                (
                    "Score",
                    format!(
                        "{:.1} (recency {:.2}, frequency {:.2}, gravity {:.2}, victims {:.2}){}",
                        latest.score,
                        latest.r,
                        latest.f,
                        latest.g,
                        latest.v,
                        if latest.serial {
                            format!(" {}", tag("Serial perpetrator", "red"))
                        } else {
                            String::new()
                        }
                    ),
                ),
            );
            let entered = m
                .history
                .iter()
                .find(|(_, r)| r.movement == Movement::Entered);
            if let Some((d, r)) = entered {
                rows.push(("On entry", format!("{:.1} on {}", r.score, esc(&long(*d)))));
            }
            if let Some((d, r)) = m
                .history
                .iter()
                .rev()
                .find(|(_, r)| r.movement == Movement::Left)
            {
                rows.push(("On exit", format!("{:.1} on {}", r.score, esc(&long(*d)))));
            }
        }
        body.push_str(&summary_list(&rows));
        // The score (or, for a victim, the incidents in 12 months) over time, by month.
        let mut by_month: std::collections::BTreeMap<vigil_analytics::Month, f64> =
            std::collections::BTreeMap::new();
        for (d, r) in &m.history {
            let value = if kind == CohortKind::Perpetrator {
                r.score
            } else {
                f64::from(r.incidents)
            };
            by_month.insert(vigil_analytics::Month::of(*d), value);
        }
        if let (Some(first), Some(last)) = (
            by_month.keys().next().copied(),
            by_month.keys().last().copied(),
        ) {
            let points: Vec<(vigil_analytics::Month, Option<f64>)> = (first.index()..=last.index())
                .map(|i| {
                    let month = vigil_analytics::Month::from_index(i);
                    (month, by_month.get(&month).copied())
                })
                .collect();
            let (title, unit) = if kind == CohortKind::Perpetrator {
                ("Score at each month's latest run", "Score (0 to 100)")
            } else {
                (
                    "Incidents in the 12 months to each month's latest run",
                    "Incidents",
                )
            };
            body.push_str(&vigil_report::chart::line_chart(
                "chart-cohort-score",
                title,
                unit,
                &[vigil_report::chart::Line {
                    label: if kind == CohortKind::Perpetrator {
                        "Score"
                    } else {
                        "Incidents"
                    },
                    points,
                }],
                &[],
                &|v| format!("{v:.0}"),
            ));
        }
        let runs: Vec<Vec<String>> = m
            .history
            .iter()
            .rev()
            .map(|(d, r)| {
                vec![
                    esc(&long(*d)),
                    r.rank.map_or("–".into(), |k| k.to_string()),
                    format!("{:.1}", r.score),
                    esc(&r.change()),
                ]
            })
            .collect();
        body.push_str(&table(
            "Each run",
            &["Run", "Rank", "Score", "Movement"],
            runs,
        ));
    }
    body.push_str(&h2("Owner and plan"));
    let form = |inner: String| {
        format!(
            "<form method=\"post\" action=\"{}\" novalidate>{}{inner}</form>",
            member_href(kind, m.lpa.as_str(), m.person_id.as_str()),
            csrf(&s.csrf_token)
        )
    };
    match &m.allocation {
        Some(a) => {
            let a = &a.record;
            let mut rows = vec![
                ("Owner", esc(a.owner.as_str())),
                ("Plan", esc(&a.plan)),
                (
                    "Allocated",
                    format!(
                        "{} by {}",
                        esc(&long_time(a.allocated_at)),
                        esc(a.allocated_by.as_str())
                    ),
                ),
            ];
            match &a.closed {
                Some((at, by, why)) => rows.push((
                    "Closed",
                    format!(
                        "{} by {}: {}",
                        esc(&long_time(*at)),
                        esc(by.as_str()),
                        esc(why)
                    ),
                )),
                None => rows.push((
                    "Next review",
                    if a.review_due(app.now().date()) {
                        format!("{} {}", tag("Due", "red"), esc(&long(a.next_review)))
                    } else {
                        esc(&long(a.next_review))
                    },
                )),
            }
            body.push_str(&summary_list(&rows));
            if !a.actions.is_empty() {
                body.push_str(&table(
                    "What was done",
                    &["When", "By", "What", "Done", "Outcome"],
                    a.actions
                        .iter()
                        .rev()
                        .map(|x| {
                            vec![
                                esc(&long_time(x.at)),
                                esc(x.by.as_str()),
                                esc(x.kind.words()),
                                esc(&x.text),
                                esc(&x.outcome),
                            ]
                        })
                        .collect(),
                ));
            }
            if m.may_act && a.closed.is_none() {
                let mut options: Vec<(&str, &str)> = ActionKind::ALL
                    .iter()
                    .map(|k| (k.as_str(), k.words()))
                    .collect();
                options.push(("close", "Close the allocation (the text is the reason)"));
                body.push_str(&h2("Record what was done"));
                body.push_str(&form(format!(
                    "<input type=\"hidden\" name=\"step\" value=\"action\">{}{}{}{}{}",
                    radios(
                        "action",
                        "What",
                        None,
                        &options,
                        f.get("action"),
                        false,
                        errors
                    ),
                    textarea(
                        "text",
                        "What was done",
                        Some("For a review: what was reviewed and decided"),
                        f.get("text"),
                        errors
                    ),
                    Input::text("outcome", "Outcome (optional)", f.get("outcome"))
                        .hint("A contact attempt: reached or not; a referral: accepted or not")
                        .render(errors),
                    Input::text(
                        "next_review",
                        "Next review (a review only; optional)",
                        f.get("next_review")
                    )
                    .hint("DD/MM/YYYY; 14 days on when left empty")
                    .width("10")
                    .render(errors),
                    button("Record it", None, false)
                )));
            }
        }
        None => body.push_str(&p("No owner yet.")),
    }
    if m.may_manage {
        body.push_str(&h2(if m.allocation.is_some() {
            "Re-allocate"
        } else {
            "Allocate an owner"
        }));
        body.push_str(&form(format!(
            "<input type=\"hidden\" name=\"step\" value=\"allocate\">{}{}{}{}",
            Input::text("owner", "Officer's user name", f.get("owner")).hint("An officer who works this cohort (the DAIT, integrated offender management, the CRU)").width("20").render(errors),
            textarea("plan", "Plan", Some("What will be done: a perpetrator programme, disruption, an order; for a victim, safeguarding and contact"), f.get("plan"), errors),
            Input::text("next_review", "First review", f.get("next_review")).hint("DD/MM/YYYY; 14 days on when left empty").width("10").render(errors),
            button("Allocate", None, false)
        )));
    }
    page_at("Cohort member", Some(s), "/cohorts", &body)
}

/// `GET /cohorts/{kind}/{lpa}/{person}`.
pub async fn member(
    State(app): State<Arc<App>>,
    SignedIn(s): SignedIn,
    Path((kind, lpa, person)): Path<(String, String, String)>,
) -> Response {
    let Ok(kind) = service::cohort_kind(&kind) else {
        return not_found_page(Some(&s));
    };
    match service::cohort_member(&app, &s, kind, &lpa, &person).await {
        Ok(m) => Html(member_page(&app, &s, &m, &FormData(Vec::new()), &[])).into_response(),
        Err(Failure::Forbidden | Failure::NotFound) => not_found_page(Some(&s)),
        Err(e) => failure_page(&s, e),
    }
}

/// `POST /cohorts/{kind}/{lpa}/{person}`: allocate, or record an action.
pub async fn member_step(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path((kind, lpa, person)): Path<(String, String, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Ok(kind) = service::cohort_kind(&kind) else {
        return not_found_page(Some(&s));
    };
    let done = match f.get("step") {
        "allocate" => service::allocate_member(
            &app,
            &s,
            kind,
            &lpa,
            &person,
            &OwnerInput {
                owner: f.get("owner").into(),
                plan: f.get("plan").into(),
                next_review: f.get("next_review").into(),
            },
        )
        .await
        .map(|_| ()),
        "action" => service::cohort_action(
            &app,
            &s,
            kind,
            &lpa,
            &person,
            &CohortActionInput {
                action: f.get("action").into(),
                text: f.get("text").into(),
                outcome: f.get("outcome").into(),
                next_review: f.get("next_review").into(),
            },
        )
        .await
        .map(|_| ()),
        _ => Err(Failure::Invalid(vec![FieldError::new(
            "step",
            "Choose what to do",
        )])),
    };
    let here = member_href(kind, &lpa, &person);
    match done {
        Ok(()) => Redirect::to(&here).into_response(),
        Err(Failure::Invalid(errors)) => {
            match service::cohort_member(&app, &s, kind, &lpa, &person).await {
                Ok(m) => (
                    StatusCode::BAD_REQUEST,
                    Html(member_page(&app, &s, &m, &f, &errors)),
                )
                    .into_response(),
                Err(e) => failure_page(&s, e),
            }
        }
        Err(Failure::Forbidden | Failure::NotFound) => not_found_page(Some(&s)),
        Err(e) => failure_page(&s, e),
    }
}

/// The home page's cohort work: the members the user owns, reviews due first.
pub async fn work_section(app: &App, s: &Session) -> String {
    if !CohortKind::ALL
        .iter()
        .any(|k| vigil_domain::cohort::may_own(s.user.role, *k))
    {
        return String::new();
    }
    let Ok(mine) = service::my_cohort_members(app, s).await else {
        return p("Your cohort members could not be read just now; try again shortly.");
    };
    if mine.is_empty() {
        return String::new();
    }
    let today = app.now().date();
    let due = mine.iter().filter(|a| a.review_due(today)).count();
    let mut out = h2("Your cohort members");
    out.push_str(&p(&format!(
        "{} member{}, {due} with a review due.",
        mine.len(),
        if mine.len() == 1 { "" } else { "s" }
    )));
    out.push_str(&table(
        "Your cohort members, the next review first",
        &["Person", "Cohort", "Next review"],
        mine.iter()
            .map(|a| {
                vec![
                    link(
                        &member_href(a.kind, a.lpa.as_str(), a.person_id.as_str()),
                        a.person_id.as_str(),
                    ),
                    esc(&format!("{} of {}", kind_words(a.kind), a.lpa)),
                    if a.review_due(today) {
                        format!("{} {}", tag("Review due", "red"), esc(&long(a.next_review)))
                    } else {
                        esc(&long(a.next_review))
                    },
                ]
            })
            .collect(),
    ));
    out
}
