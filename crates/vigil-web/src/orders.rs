//! Protective notice pages: the open notices with their hearing and notification clocks, a
//! notice drafted from a case, and one notice worked step by step (authorise, serve, the
//! hearing, the DAPO notification, the victim told, breaches).

use crate::App;
use crate::components::*;
use crate::forms::FormData;
use crate::layout::page_at;
use crate::pages::{SignedIn, failure_page, not_found_page, signed_form};
use crate::service::{self, Failure, FieldError, NoticeInput, NoticeItem, NoticeStepInput};
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use std::sync::Arc;
use vigil_domain::OrderKind;
use vigil_domain::dates::long_time;
use vigil_store::Session;

fn name(i: &NoticeItem, id: &vigil_domain::PersonId) -> String {
    i.names.get(id).cloned().unwrap_or_else(|| id.to_string())
}

fn due(app: &App, t: Option<vigil_domain::time::DateTime>) -> String {
    match t {
        None => "–".into(),
        Some(t) if t < app.now() => format!("{} {}", tag("Overdue", "red"), esc(&long_time(t))),
        Some(t) => esc(&long_time(t)),
    }
}

/// `GET /notices`.
pub async fn list(State(app): State<Arc<App>>, SignedIn(s): SignedIn) -> Response {
    let items = match service::notice_list(&app, &s).await {
        Ok(x) => x,
        Err(Failure::Forbidden) => return not_found_page(Some(&s)),
        Err(e) => return failure_page(&s, e),
    };
    let mut body = h1("Protective notices and orders");
    body.push_str(&p(&format!(
        "{} open. A notice is drafted from its case; the hearing is due 48 hours after service, not counting Sundays, bank holidays, Christmas Day or Good Friday.",
        items.len()
    )));
    body.push_str(&table(
        "Open notices",
        &[
            "Notice",
            "Subject",
            "Protected",
            "State",
            "Hearing due",
            "Notification due",
        ],
        items
            .iter()
            .map(|i| {
                let c = &i.case;
                vec![
                    link(
                        &format!("/notices/{}", c.id),
                        &format!("{} {}", c.kind.as_str().to_uppercase(), c.id),
                    ),
                    esc(&name(i, &c.subject_id)),
                    esc(&name(i, &c.protected_id)),
                    esc(c.state()),
                    due(&app, c.hearing_due()),
                    due(&app, c.notification_due()),
                ]
            })
            .collect(),
    ));
    Html(page_at("Protective notices", Some(&s), "/notices", &body)).into_response()
}

fn new_page(s: &Session, case_id: &str, f: &FormData, errors: &[FieldError]) -> String {
    let mut body = error_summary(errors);
    body.push_str(&back_link(&format!("/cases/{case_id}")));
    body.push_str(&h1("Apply for a protective notice"));
    body.push_str(&p("The case's suspect is the notice's subject and its victim the person protected. An officer of the required rank authorises it: a superintendent for a DVPN, an inspector for a DAPN."));
    body.push_str(&format!(
        "<form method=\"post\" action=\"/cases/{}/notices\" novalidate>{}{}{}{}{}{}{}{}{}</form>",
        esc(case_id),
        csrf(&s.csrf_token),
        radios(
            "kind",
            "Which notice?",
            None,
            &[
                ("dvpn", "DVPN (Crime and Security Act 2010)"),
                (
                    "dapn",
                    "DAPN (Domestic Abuse Act 2021), where the area has them"
                )
            ],
            f.get("kind"),
            false,
            errors
        ),
        textarea(
            "grounds",
            "Grounds",
            Some("The violence or abuse, and why the notice is needed to protect the victim"),
            f.get("grounds"),
            errors
        ),
        textarea(
            "children_welfare",
            "The welfare of any child",
            None,
            f.get("children_welfare"),
            errors
        ),
        textarea(
            "victim_view",
            "The victim's view",
            Some("Their support is not required"),
            f.get("victim_view"),
            errors
        ),
        textarea(
            "representations",
            "The suspect's representations",
            None,
            f.get("representations"),
            errors
        ),
        textarea(
            "other_occupants",
            "Other occupants' views",
            None,
            f.get("other_occupants"),
            errors
        ),
        textarea(
            "conditions",
            "Conditions",
            Some("What the notice prohibits"),
            f.get("conditions"),
            errors
        ),
        button("Draft the notice", None, false),
    ));
    page_at("Apply for a protective notice", Some(s), "/notices", &body)
}

/// `GET /cases/{id}/notices/new`.
pub async fn new_form(
    State(app): State<Arc<App>>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
) -> Response {
    use vigil_domain::access::{Capability, allows};
    // Officers who investigate, and the CRU, apply; the case must be theirs to read.
    if !(allows(s.user.role, Capability::RecordInvestigation)
        || allows(s.user.role, Capability::Safeguard))
    {
        return not_found_page(Some(&s));
    }
    if let Err(e) = service::read_case(&app, &s, &raw).await {
        return match e {
            Failure::Forbidden | Failure::NotFound => not_found_page(Some(&s)),
            e => failure_page(&s, e),
        };
    }
    Html(new_page(&s, &raw, &FormData(Vec::new()), &[])).into_response()
}

/// `POST /cases/{id}/notices`.
pub async fn create(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let input = NoticeInput {
        kind: f.get("kind").into(),
        grounds: f.get("grounds").into(),
        children_welfare: f.get("children_welfare").into(),
        victim_view: f.get("victim_view").into(),
        representations: f.get("representations").into(),
        other_occupants: f.get("other_occupants").into(),
        conditions: f.get("conditions").into(),
    };
    match service::draft_notice(&app, &s, &raw, &input).await {
        Ok(id) => Redirect::to(&format!("/notices/{id}")).into_response(),
        Err(Failure::Invalid(errors)) => (
            StatusCode::BAD_REQUEST,
            Html(new_page(&s, &raw, &f, &errors)),
        )
            .into_response(),
        Err(Failure::Forbidden | Failure::NotFound) => not_found_page(Some(&s)),
        Err(e) => failure_page(&s, e),
    }
}

fn step_form(
    id: &str,
    s: &Session,
    step: &str,
    title: &str,
    fields: String,
    label: &str,
    secondary: bool,
) -> String {
    format!(
        "{}<form method=\"post\" action=\"/notices/{}\" novalidate>{}<input type=\"hidden\" name=\"step\" value=\"{step}\">{fields}{}</form>",
        h2(title),
        esc(id),
        csrf(&s.csrf_token),
        button(label, None, secondary)
    )
}

fn one_page(app: &App, s: &Session, i: &NoticeItem, f: &FormData, errors: &[FieldError]) -> String {
    let c = &i.case;
    let id = c.id.as_str();
    let mut body = error_summary(errors);
    body.push_str(&back_link("/notices"));
    body.push_str(&h1(&format!("{} {}", c.kind.as_str().to_uppercase(), c.id)));
    let mut rows = vec![
        ("State", esc(c.state())),
        ("Subject", esc(&name(i, &c.subject_id))),
        ("Protected", esc(&name(i, &c.protected_id))),
        ("Grounds", esc(&c.grounds)),
        ("Conditions", esc(&c.conditions)),
        (
            "Applied for",
            format!(
                "{} by {}",
                esc(&long_time(c.applied_at)),
                esc(c.applied_by.as_str())
            ),
        ),
        (
            "Authorised",
            c.authorised
                .as_ref()
                .map_or("Not yet".into(), |(at, by, rank)| {
                    format!(
                        "{} by {} ({})",
                        esc(&long_time(*at)),
                        esc(by.as_str()),
                        esc(&rank.as_str().replace('_', " "))
                    )
                }),
        ),
        (
            "Served",
            c.served.as_ref().map_or("Not yet".into(), |(at, by)| {
                format!("{} by {}", esc(&long_time(*at)), esc(by.as_str()))
            }),
        ),
        ("Hearing due", due(app, c.hearing_due())),
    ];
    if let Some((at, d, notes)) = &c.decision {
        rows.push((
            "Court",
            format!(
                "{}: {} ({})",
                esc(&long_time(*at)),
                esc(d.as_str()),
                esc(notes)
            ),
        ));
    }
    if let Some(o) = &c.order {
        rows.push((
            "Order",
            format!(
                "{} {} made {}{}: {}",
                esc(&c.order_kind().as_str().to_uppercase()),
                esc(o.id.as_str()),
                esc(&long_time(o.made_at)),
                o.expires_at.map_or(String::new(), |e| format!(
                    ", expires {}",
                    esc(&long_time(e))
                )),
                esc(&o.conditions)
            ),
        ));
    }
    if c.notification_due().is_some() || c.notified_at.is_some() {
        rows.push((
            "Name and address notified",
            c.notified_at.map_or_else(
                || format!("Due {}", due(app, c.notification_due())),
                |t| esc(&long_time(t)),
            ),
        ));
    }
    for (at, about) in &c.victim_told {
        rows.push((
            "Victim told",
            format!("{}: {}", esc(&long_time(*at)), esc(about)),
        ));
    }
    for b in &c.breaches {
        rows.push((
            "Breach",
            format!(
                "{} ({}): {}{}",
                esc(&long_time(b.at)),
                esc(&b.of.as_str().to_uppercase()),
                esc(&b.details),
                b.case.as_ref().map_or(String::new(), |case| format!(
                    " <br>An offence: <a class=\"govuk-link\" href=\"/cases/{0}\">case {0}</a>",
                    esc(case.as_str())
                ))
            ),
        ));
    }
    body.push_str(&summary_list(&rows));
    if c.authorised.is_none() {
        body.push_str(&step_form(
            id,
            s,
            "authorise",
            "Authorise",
            p(&format!(
                "Authorising needs the rank of {} or above (yours: {}).",
                vigil_domain::protective::authorising_rank(c.kind)
                    .as_str()
                    .replace('_', " "),
                s.user
                    .rank
                    .map_or("not recorded".to_owned(), |r| r.as_str().replace('_', " "))
            )),
            "Authorise the notice",
            false,
        ));
    } else if c.served.is_none() {
        let mut fields = Input::text("served_at", "Served at", f.get("served_at"))
            .hint("DD/MM/YYYY HH:MM")
            .width("20")
            .render(errors);
        if c.kind == OrderKind::Dapn {
            fields.push_str(
                &Input::text(
                    "address_for_service",
                    "Address for service",
                    f.get("address_for_service"),
                )
                .render(errors),
            );
        }
        body.push_str(&step_form(
            id,
            s,
            "serve",
            "Served on the subject",
            fields,
            "Record the service",
            false,
        ));
    } else if c.hearing_due().is_some() {
        let mut fields = radios(
            "decision",
            "The court's decision",
            None,
            &[
                ("granted", "Granted"),
                ("refused", "Refused"),
                ("adjourned", "Adjourned"),
            ],
            f.get("decision"),
            true,
            errors,
        );
        fields.push_str(
            &Input::text(
                "days",
                if c.kind == OrderKind::Dvpn {
                    "The order's length in days (14 to 28)"
                } else {
                    "The order's length in days, if the court set one"
                },
                f.get("days"),
            )
            .width("3")
            .render(errors),
        );
        fields.push_str(
            &Input::text(
                "next_hearing",
                "If adjourned: the next hearing",
                f.get("next_hearing"),
            )
            .hint("DD/MM/YYYY HH:MM")
            .width("20")
            .render(errors),
        );
        fields.push_str(&textarea(
            "conditions",
            "The order's conditions",
            None,
            f.get("conditions"),
            errors,
        ));
        if c.kind == OrderKind::Dapn {
            fields.push_str(&textarea(
                "requirements",
                "Positive requirements",
                None,
                f.get("requirements"),
                errors,
            ));
            fields.push_str(
                &Input::text(
                    "monitoring_months",
                    "Electronic monitoring, months (12 at most)",
                    f.get("monitoring_months"),
                )
                .width("3")
                .render(errors),
            );
        }
        fields.push_str(&textarea(
            "notes",
            "What the court said",
            None,
            f.get("notes"),
            errors,
        ));
        body.push_str(&step_form(
            id,
            s,
            "hearing",
            "The hearing",
            fields,
            "Record the hearing",
            false,
        ));
    }
    if c.notification_due().is_some() {
        body.push_str(&step_form(
            id,
            s,
            "notified",
            "The subject's notification of name and address",
            Input::text("notified_at", "Notified at", f.get("notified_at"))
                .hint("DD/MM/YYYY HH:MM")
                .width("20")
                .render(errors),
            "Record the notification",
            false,
        ));
    }
    body.push_str(&step_form(
        id,
        s,
        "victim_told",
        "Tell the victim",
        textarea(
            "about",
            "What the victim was told",
            None,
            f.get("about"),
            errors,
        ),
        "Record it",
        true,
    ));
    if c.served.is_some() {
        body.push_str(&step_form(
            id,
            s,
            "breach",
            "A breach",
            format!(
                "{}{}",
                Input::text("breached_at", "When", f.get("breached_at")).hint("DD/MM/YYYY HH:MM").width("20").render(errors),
                textarea("details", "What happened and what was done", Some("A DVPN breach: arrest. A DVPO breach: civil contempt, back to the magistrates. A DAPO breach is an offence: recording it opens a new case with the crime of breach."), f.get("details"), errors)
            ),
            "Record the breach",
            true,
        ));
    }
    page_at("Protective notice", Some(s), "/notices", &body)
}

/// `GET /notices/{id}`.
pub async fn one(
    State(app): State<Arc<App>>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
) -> Response {
    match service::notice_item(&app, &s, &raw).await {
        Ok(i) => Html(one_page(&app, &s, &i, &FormData(Vec::new()), &[])).into_response(),
        Err(Failure::Forbidden | Failure::NotFound) => not_found_page(Some(&s)),
        Err(e) => failure_page(&s, e),
    }
}

/// `POST /notices/{id}`: a step.
pub async fn step(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut errors = Vec::new();
    let number = |errors: &mut Vec<FieldError>, k: &str| -> Option<i64> {
        let v = f.get(k).trim();
        if v.is_empty() {
            return None;
        }
        match v.parse::<i64>() {
            Ok(n) if (0..=3650).contains(&n) => Some(n),
            _ => {
                errors.push(FieldError::new(k, "Enter a whole number"));
                None
            }
        }
    };
    let days = number(&mut errors, "days");
    let months = number(&mut errors, "monitoring_months").map(|m| m as u32);
    let input = NoticeStepInput {
        step: f.get("step").into(),
        served_at: f.get("served_at").into(),
        address_for_service: f.get("address_for_service").into(),
        decision: f.get("decision").into(),
        days,
        next_hearing: f.get("next_hearing").into(),
        conditions: f.get("conditions").into(),
        requirements: f.get("requirements").into(),
        monitoring_months: months,
        notes: f.get("notes").into(),
        notified_at: f.get("notified_at").into(),
        about: f.get("about").into(),
        breached_at: f.get("breached_at").into(),
        details: f.get("details").into(),
    };
    let done = if errors.is_empty() {
        service::notice_step(&app, &s, &raw, &input)
            .await
            .map(|_| ())
    } else {
        Err(Failure::Invalid(errors))
    };
    match done {
        Ok(()) => Redirect::to(&format!("/notices/{}", raw.trim())).into_response(),
        Err(Failure::Invalid(errors)) => match service::notice_item(&app, &s, &raw).await {
            Ok(i) => (
                StatusCode::BAD_REQUEST,
                Html(one_page(&app, &s, &i, &f, &errors)),
            )
                .into_response(),
            Err(e) => failure_page(&s, e),
        },
        Err(Failure::Forbidden | Failure::NotFound) => not_found_page(Some(&s)),
        Err(e) => failure_page(&s, e),
    }
}

/// The home page's protective-order work: the user's notices with a hearing or a
/// notification due.
pub async fn work_section(app: &App, s: &Session) -> String {
    use vigil_domain::access::{Capability, allows};
    if !(allows(s.user.role, Capability::RecordInvestigation)
        || allows(s.user.role, Capability::Safeguard))
    {
        return String::new();
    }
    let Ok(items) = service::notice_list(app, s).await else {
        return String::new();
    };
    if items.is_empty() {
        return String::new();
    }
    let mut out = h2("Protective notices");
    out.push_str(&p(&format!(
        "{} open. {}",
        items.len(),
        link("/notices", "See them all")
    )));
    out.push_str(&table(
        "Hearings and notifications due",
        &["Notice", "State", "Hearing due", "Notification due"],
        items
            .iter()
            .map(|i| {
                vec![
                    link(&format!("/notices/{}", i.case.id), i.case.id.as_str()),
                    esc(i.case.state()),
                    due(app, i.case.hearing_due()),
                    due(app, i.case.notification_due()),
                ]
            })
            .collect(),
    ));
    out
}
