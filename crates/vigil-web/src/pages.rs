//! The pages a signed-in user reads.

use crate::App;
use crate::auth::{audit_entry, current, sign_out_form};
use crate::layout::{esc, page};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::sync::Arc;
use vigil_domain::PersonId;
use vigil_domain::access::{Capability, allows};
use vigil_domain::time::Datelike;
use vigil_store::{Session, Store, StoreError};

fn link_case(id: &str) -> String {
    format!("<a href=\"/cases/{0}\">{0}</a>", esc(id))
}

fn link_person(id: &str) -> String {
    format!("<a href=\"/people/{0}\">{0}</a>", esc(id))
}

fn table(caption: &str, header: &[&str], rows: Vec<Vec<String>>) -> String {
    if rows.is_empty() {
        return format!("<h2>{}</h2><p>None recorded.</p>", esc(caption));
    }
    let mut out = format!("<h2>{}</h2><table><thead><tr>", esc(caption));
    for h in header {
        out.push_str(&format!("<th scope=\"col\">{}</th>", esc(h)));
    }
    out.push_str("</tr></thead><tbody>");
    for r in rows {
        out.push_str("<tr>");
        for c in r {
            out.push_str(&format!("<td>{c}</td>"));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

fn when(t: vigil_domain::time::DateTime) -> String {
    t.format("%-d %B %Y %H:%M").to_string()
}

fn yes_no(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "yes",
        Some(false) => "no",
        None => "not recorded",
    }
}

/// A case: the incident and everything recorded against it. Audited like a person's record.
pub async fn case(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Response {
    let (s, id) = match reader(
        &app,
        &headers,
        "case",
        &raw,
        vigil_domain::IncidentId::parse,
    )
    .await
    {
        Ok(x) => x,
        Err(response) => return response,
    };
    let actor = s.user.username.as_str();
    let c = match app.store.case_file(&id).await {
        Ok(c) => c,
        Err(StoreError::NotFound { .. }) => return not_found_page(Some(&s)),
        Err(_) => return problem(),
    };
    if app
        .store
        .audit(&audit_entry(actor, "case.read", "case", id.as_str(), None))
        .await
        .is_err()
    {
        return problem();
    }
    let i = &c.incident;
    let mut body = format!("<h1>Case {}</h1><dl>", esc(id.as_str()));
    let rows = [
        ("Reported", when(i.reported_at)),
        ("Local Policing Area", esc(i.lpa.as_str())),
        ("Call grade", esc(i.call_grade.as_str())),
        (
            "First officer arrived",
            i.arrived_at.map_or("not attended".into(), when),
        ),
        ("Response on target", yes_no(i.response_target_met).into()),
        ("Victim", link_person(i.victim_id.as_str())),
        (
            "Suspect",
            i.suspect_id
                .as_ref()
                .map_or("not known".into(), |p| link_person(p.as_str())),
        ),
        (
            "Relationship",
            esc(&i.relationship.as_str().replace('_', " ")),
        ),
        ("Children present", yes_no(Some(i.children_present)).into()),
        (
            "Risk (primary assessment)",
            i.risk_level.map_or("not assessed".into(), |r| {
                format!("{r} ({} yes)", i.dash_yes_count.unwrap_or(0))
            }),
        ),
    ];
    for (k, v) in rows {
        body.push_str(&format!("<dt>{k}</dt><dd>{v}</dd>"));
    }
    body.push_str("</dl>");
    body.push_str(&table(
        "Offences",
        &[
            "Crime reference",
            "Offence",
            "Committed",
            "Recorded",
            "Risk",
            "Team",
            "Outcome",
        ],
        c.offences
            .iter()
            .map(|o| {
                vec![
                    esc(o.id.as_str()),
                    esc(&o.offence_group.as_str().replace('_', " ")),
                    o.offence_date.to_string(),
                    o.recorded_date.to_string(),
                    o.risk_level
                        .map_or("not assessed".into(), |r| r.to_string()),
                    o.team.as_str().to_uppercase(),
                    o.outcome.map_or("open".into(), |x| {
                        format!("{} – {} ({})", x.code, esc(x.code.description()), x.date)
                    }),
                ]
            })
            .collect(),
    ));
    body.push_str(&table(
        "Risk assessments",
        &[
            "Stage",
            "Instrument",
            "Assessed",
            "Yes answers",
            "Grade",
            "Professional judgement",
        ],
        c.assessments
            .iter()
            .map(|a| {
                vec![
                    a.stage.to_string(),
                    a.instrument.as_str().to_uppercase(),
                    when(a.assessed_at),
                    a.yes_count.to_string(),
                    a.grade.to_string(),
                    if a.judgement_raised {
                        "raised the grade".into()
                    } else {
                        "–".into()
                    },
                ]
            })
            .collect(),
    ));
    body.push_str(&table(
        "Arrests",
        &[
            "Arrest",
            "Person",
            "Arrested",
            "BWV shown in interview",
            "Disposal",
        ],
        c.arrests
            .iter()
            .map(|a| {
                vec![
                    esc(a.id.as_str()),
                    link_person(a.person_id.as_str()),
                    when(a.arrested_at),
                    yes_no(a.bwv_shown_in_interview).into(),
                    a.disposal
                        .map_or("pending".into(), |d| d.as_str().replace('_', " ")),
                ]
            })
            .collect(),
    ));
    body.push_str(&table(
        "Referrals",
        &["Referral", "To", "Person", "Made", "By"],
        c.referrals
            .iter()
            .map(|r| {
                vec![
                    esc(r.id.as_str()),
                    r.kind.as_str().to_uppercase(),
                    link_person(r.person_id.as_str()),
                    when(r.referred_at),
                    esc(&r.agency.as_str().replace('_', " ")),
                ]
            })
            .collect(),
    ));
    body.push_str(&table(
        "Protective notices and orders",
        &["Order", "Kind", "Issued", "Expires", "Breached"],
        c.orders
            .iter()
            .map(|o| {
                vec![
                    esc(o.id.as_str()),
                    o.kind.as_str().to_uppercase(),
                    when(o.issued_at),
                    o.expires_at.map_or("–".into(), when),
                    o.breached_at.map_or("no".into(), when),
                ]
            })
            .collect(),
    ));
    Html(page(
        &format!("Case {}", id.as_str()),
        Some(&sign_out_form(&s)),
        &body,
    ))
    .into_response()
}

/// The checks before reading one record: a session, a well-formed reference, and a role
/// that may read cases. A role that may not is told the record was not found, and the
/// attempt is audited. `Err` is the response that ends the request.
async fn reader<T>(
    app: &App,
    headers: &HeaderMap,
    kind: &str,
    raw: &str,
    parse: fn(&str) -> Result<T, vigil_domain::ValueError>,
) -> Result<(Session, T), Response> {
    let Some(s) = current(app, headers).await else {
        return Err(Redirect::to("/sign-in").into_response());
    };
    let Ok(id) = parse(raw) else {
        return Err(not_found_page(Some(&s)));
    };
    if !can(&s, Capability::ReadCases) {
        let _ = app
            .store
            .audit(&audit_entry(
                s.user.username.as_str(),
                &format!("{kind}.read_denied"),
                kind,
                raw,
                None,
            ))
            .await;
        return Err(not_found_page(Some(&s)));
    }
    Ok((s, id))
}

fn can(s: &Session, c: Capability) -> bool {
    allows(s.user.role, c)
}

pub fn problem() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Html(page("Sorry, there is a problem", None, "<h1>Sorry, there is a problem with the service</h1><p>Try again later. Nothing you entered has been saved.</p>")),
    )
        .into_response()
}

fn not_found_page(s: Option<&Session>) -> Response {
    let form = s.map(sign_out_form);
    (
        StatusCode::NOT_FOUND,
        Html(page("Page not found", form.as_deref(), "<h1>Page not found</h1><p>If you typed the web address, check it is correct. If you followed a reference, the record may not exist or you may not have access to it.</p><p><a href=\"/\">Go to the start</a></p>")),
    )
        .into_response()
}

pub async fn not_found(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let s = current(&app, &headers).await;
    not_found_page(s.as_ref())
}

pub async fn home(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let Some(s) = current(&app, &headers).await else {
        return Redirect::to("/sign-in").into_response();
    };
    let mut body = format!(
        "<h1>{}</h1><p>You are signed in as {} ({}).</p>",
        esc(&s.user.display_name),
        esc(s.user.username.as_str()),
        esc(s.user.role.as_str())
    );
    for q in vigil_domain::access::queues(s.user.role) {
        body.push_str(&format!(
            "<h2>Your queue</h2><p><a href=\"/queues/{}\">{}</a></p>",
            q.slug(),
            esc(q.title())
        ));
    }
    if can(&s, Capability::ReadCases) {
        body.push_str("<h2>Find a person</h2><form method=\"get\" action=\"/people\"><div class=\"field\"><label class=\"label\" for=\"id\">Person reference</label><div class=\"hint\">For example, P0000123</div><input class=\"input\" id=\"id\" name=\"id\" type=\"text\" spellcheck=\"false\"></div><button class=\"button\" type=\"submit\">Find</button></form>");
    } else if can(&s, Capability::ReadAnalytics) {
        body.push_str("<h2>Performance</h2><p><a href=\"/dashboard\">Dashboard</a>: the headline measures by area and period, and the board report.</p>");
        if can(&s, Capability::Administer) {
            body.push_str("<h2>Administration</h2><p><a href=\"/audit\">Audit trail</a>: who read or changed which record, and when.</p>");
        }
    } else {
        body.push_str("<p>Your role does not give access to people's records.</p>");
    }
    Html(page("Home", Some(&sign_out_form(&s)), &body)).into_response()
}

#[derive(Deserialize)]
pub struct Find {
    #[serde(default)]
    id: String,
}

pub async fn find_person(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<Find>,
) -> Response {
    let Some(s) = current(&app, &headers).await else {
        return Redirect::to("/sign-in").into_response();
    };
    match PersonId::parse(q.id.trim()) {
        Ok(id) => Redirect::to(&format!("/people/{}", id.as_str())).into_response(),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Html(page("Find a person", Some(&sign_out_form(&s)), &format!("<div class=\"error-summary\" role=\"alert\"><h2>There is a problem</h2><p><a href=\"/\">{}</a></p></div><p><a href=\"/\">Back</a></p>", esc(&e.reason)))),
        )
            .into_response(),
    }
}

/// A person's record. Who may see what is decided by the permission table; a user who may
/// not see people at all is told the record was not found, and the attempt is audited.
pub async fn person(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(raw): Path<String>,
) -> Response {
    let (s, id) = match reader(&app, &headers, "person", &raw, PersonId::parse).await {
        Ok(x) => x,
        Err(response) => return response,
    };
    let actor = s.user.username.as_str();
    let p = match app.store.person(&id).await {
        Ok(p) => p.record,
        Err(StoreError::NotFound { .. }) => return not_found_page(Some(&s)),
        Err(_) => return problem(),
    };
    if app
        .store
        .audit(&audit_entry(
            actor,
            "person.read",
            "person",
            id.as_str(),
            None,
        ))
        .await
        .is_err()
    {
        // No audit row, no read.
        return problem();
    }
    let history = match app.store.incidents_of(&id).await {
        Ok(h) => h,
        Err(_) => return problem(),
    };
    let mut rows = vec![
        ("Reference".to_owned(), esc(id.as_str())),
        ("Sex".into(), esc(p.sex.as_str())),
        (
            "Ethnicity".into(),
            esc(&p.ethnicity.as_str().replace('_', " ")),
        ),
        (
            "Local Policing Area".into(),
            esc(p.lpa.as_ref().map_or("not recorded", |l| l.as_str())),
        ),
    ];
    if let Some(b) = p.birth_date {
        let today = vigil_auth::now_utc().date();
        let age = today.year()
            - b.year()
            - i32::from((today.month(), today.day()) < (b.month(), b.day()));
        rows.push(("Age".into(), age.to_string()));
    }
    if can(&s, Capability::SeeNames) {
        let name = [
            p.identity.given_names.as_deref(),
            p.identity.family_name.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        rows.push((
            "Name".into(),
            if name.is_empty() {
                "not recorded".into()
            } else {
                esc(&name)
            },
        ));
    }
    if can(&s, Capability::SeeAddresses) {
        let address = if p.address_confidential && !can(&s, Capability::SeeRefuge) {
            "<strong class=\"tag\">Confidential</strong> Withheld: a refuge or new address that only the CRU may see".to_owned()
        } else {
            let parts: Vec<&str> = [
                p.identity.address.as_deref(),
                p.identity.postcode.as_deref(),
            ]
            .into_iter()
            .flatten()
            .collect();
            let shown = if parts.is_empty() {
                "not recorded".into()
            } else {
                esc(&parts.join(", "))
            };
            if p.address_confidential {
                format!("<strong class=\"tag\">Confidential</strong> {shown}")
            } else {
                shown
            }
        };
        rows.push(("Address".into(), address));
    }
    let mut body = format!("<h1>Person {}</h1><dl>", esc(id.as_str()));
    for (k, v) in rows {
        body.push_str(&format!("<dt>{}</dt><dd>{v}</dd>", esc(&k)));
    }
    body.push_str("</dl><h2>History</h2>");
    if history.is_empty() {
        body.push_str("<p>No incidents are recorded for this person.</p>");
    } else {
        body.push_str("<table><caption class=\"label\">Incidents, newest first</caption><thead><tr><th scope=\"col\">Reported</th><th scope=\"col\">As</th><th scope=\"col\">Relationship</th><th scope=\"col\">Risk</th><th scope=\"col\">Incident</th></tr></thead><tbody>");
        for i in &history {
            let role = if i.victim_id == id {
                "victim"
            } else {
                "suspect"
            };
            body.push_str(&format!(
                "<tr><td>{}</td><td>{role}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                i.reported_at.format("%-d %B %Y %H:%M"),
                esc(&i.relationship.as_str().replace('_', " ")),
                i.risk_level.map_or("not assessed", |r| r.as_str()),
                link_case(i.id.as_str())
            ));
        }
        body.push_str("</tbody></table>");
    }
    Html(page(
        &format!("Person {}", id.as_str()),
        Some(&sign_out_form(&s)),
        &body,
    ))
    .into_response()
}

#[derive(Deserialize)]
pub struct AuditFilter {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    subject: String,
}

/// The audit trail, for administrators: search by who or by record, newest first, with the
/// state of the hash chain. Entries cannot be changed from here or anywhere else.
pub async fn audit(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<AuditFilter>,
) -> Response {
    let Some(s) = current(&app, &headers).await else {
        return Redirect::to("/sign-in").into_response();
    };
    if !can(&s, Capability::Administer) {
        return not_found_page(Some(&s));
    }
    let clean = |v: &str| {
        let v = v.trim();
        (!v.is_empty()).then(|| v.chars().take(100).collect::<String>())
    };
    let query = vigil_store::AuditQuery {
        actor: clean(&q.actor),
        subject_id: clean(&q.subject),
        limit: 200,
    };
    let (rows, chain) = match (
        app.store.audit_trail(&query).await,
        app.store.verify_audit_chain().await,
    ) {
        (Ok(r), Ok(c)) => (r, c),
        _ => return problem(),
    };
    let mut body = String::from("<h1>Audit trail</h1>");
    body.push_str(&match chain {
        None => "<p>The hash chain is intact: no entry has been changed or removed.</p>".to_owned(),
        Some(seq) => format!("<div class=\"error-summary\" role=\"alert\"><h2>The audit trail has been tampered with</h2><p>Entry {seq} does not match its hash chain.</p></div>"),
    });
    body.push_str(&format!(
        "<form method=\"get\" action=\"/audit\"><div class=\"field\"><label class=\"label\" for=\"actor\">User</label><input class=\"input\" id=\"actor\" name=\"actor\" type=\"text\" value=\"{}\"></div><div class=\"field\"><label class=\"label\" for=\"subject\">Record reference</label><div class=\"hint\">A person, case or username</div><input class=\"input\" id=\"subject\" name=\"subject\" type=\"text\" value=\"{}\"></div><button class=\"button\" type=\"submit\">Search</button></form>",
        esc(&q.actor),
        esc(&q.subject)
    ));
    body.push_str(&table(
        "Entries, newest first (at most 200)",
        &["#", "When (UTC)", "User", "Action", "Record", "Reason"],
        rows.iter()
            .map(|r| {
                let e = &r.entry;
                vec![
                    r.seq.to_string(),
                    when(e.at),
                    esc(&e.actor),
                    esc(&e.action),
                    format!("{}: {}", esc(&e.subject_kind), esc(&e.subject_id)),
                    e.reason.as_deref().map_or(String::new(), esc),
                ]
            })
            .collect(),
    ));
    Html(page("Audit trail", Some(&sign_out_form(&s)), &body)).into_response()
}

#[derive(Deserialize)]
pub struct QueueFilter {
    #[serde(default)]
    lpa: String,
}

/// A team's work queue, highest risk first, then longest waiting. Items waiting longer than
/// the queue's mark (28 days for an open investigation, 7 days for a high-risk victim with no
/// MARAC referral) are flagged. Waiting is counted to the data date of an imported store.
pub async fn queue(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(q): Query<QueueFilter>,
) -> Response {
    let Some(s) = current(&app, &headers).await else {
        return Redirect::to("/sign-in").into_response();
    };
    let Some(queue) = vigil_domain::access::Queue::from_slug(&slug)
        .filter(|x| vigil_domain::access::queues(s.user.role).contains(x))
    else {
        return not_found_page(Some(&s));
    };
    let lpa = match q.lpa.trim() {
        "" => None,
        l => match vigil_domain::Lpa::parse(l) {
            Ok(l) => Some(l),
            Err(e) => {
                return (
                    StatusCode::BAD_REQUEST,
                    Html(page(
                        "Queue",
                        Some(&sign_out_form(&s)),
                        &format!(
                            "<h1>Queue</h1><p class=\"error-message\">{}</p>",
                            esc(&e.reason)
                        ),
                    )),
                )
                    .into_response();
            }
        },
    };
    let (items, info) = match (
        app.store.queue(queue, lpa.as_ref(), 500).await,
        app.store.extract_info().await,
    ) {
        (Ok(i), Ok(info)) => (i, info),
        _ => return problem(),
    };
    // A queue lists cases and victims: its view is audited like a record's.
    let subject = format!(
        "{}{}",
        queue.slug(),
        lpa.as_ref().map_or(String::new(), |l| format!(":{l}"))
    );
    if app
        .store
        .audit(&audit_entry(
            s.user.username.as_str(),
            "queue.read",
            "queue",
            &subject,
            None,
        ))
        .await
        .is_err()
    {
        return problem();
    }
    let reference = info.map_or_else(|| vigil_auth::now_utc().date(), |i| i.as_of);
    let mark = if queue == vigil_domain::access::Queue::Cru {
        7
    } else {
        28
    };
    let mut body = format!(
        "<h1>{}</h1><p>{} items{}, highest risk first, then longest waiting (waiting counted to {reference}). Flagged: waiting more than {mark} days.</p>",
        esc(queue.title()),
        items.len(),
        lpa.as_ref()
            .map_or(String::new(), |l| format!(" in {}", esc(l.as_str())))
    );
    body.push_str(&table(
        "Queue",
        &[
            "Risk",
            "Case",
            "Victim",
            "LPA",
            "Waiting since",
            "Days",
            "Detail",
        ],
        items
            .iter()
            .map(|i| {
                let days = (reference - i.since.date()).num_days();
                let flag = if days > mark {
                    " <strong class=\"tag\">Overdue</strong>"
                } else {
                    ""
                };
                vec![
                    i.risk.map_or("not assessed".into(), |r| r.to_string()),
                    link_case(i.incident_id.as_str()),
                    link_person(i.victim_id.as_str()),
                    esc(i.lpa.as_str()),
                    i.since.date().to_string(),
                    format!("{days}{flag}"),
                    esc(&i.detail),
                ]
            })
            .collect(),
    ));
    Html(page(queue.title(), Some(&sign_out_form(&s)), &body)).into_response()
}
