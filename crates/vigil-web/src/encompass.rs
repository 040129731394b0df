//! The schools' Operation Encompass pages: the key adult's notifications, one
//! notification (only what a school may be told), and its acknowledgement.

use crate::App;
use crate::components::*;
use crate::layout::page_at;
use crate::pages::{SignedIn, failure_page, not_found_page, signed_form};
use crate::service::{self, Failure};
use axum::extract::{Form, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::sync::Arc;
use vigil_domain::dates::{long, long_time};
use vigil_store::EncompassItem;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    show: String,
    page: String,
}

fn child_name(e: &EncompassItem) -> String {
    vigil_domain::visibility::joined_name(e.family_name.as_deref(), e.given_names.as_deref())
        .unwrap_or_default()
}

fn state(e: &EncompassItem) -> String {
    match &e.notification.acknowledged {
        Some((at, _)) => format!("{} {}", tag("Acknowledged", "green"), esc(&long_time(*at))),
        None => tag("Not yet acknowledged", "red"),
    }
}

/// `GET /encompass`: the notifications for the user's school (or area).
pub async fn list(
    State(app): State<Arc<App>>,
    SignedIn(s): SignedIn,
    Query(q): Query<ListQuery>,
) -> Response {
    let open_only = q.show == "open";
    let page_no = q
        .page
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|p| (1..=1_000_000).contains(p));
    let list = match service::encompass_list(&app, &s, open_only, page_no, Some(50)).await {
        Ok(l) => l,
        Err(Failure::Forbidden) => return not_found_page(Some(&s)),
        Err(f) => return failure_page(&s, f),
    };
    let whose = match (&s.user.school, &s.user.lpa) {
        (Some(school), _) => school.clone(),
        (None, Some(area)) => format!("{area} (the area's education contact)"),
        (None, None) => String::new(),
    };
    let mut body = h1("Operation Encompass");
    body.push_str(&p(&format!(
        "Notifications for {}: a child at your school was part of a domestic abuse incident the police attended. Support the child from the start of the school day; acknowledge each notification so the police know you have it.",
        esc(&whose)
    )));
    body.push_str(&format!(
        "<form method=\"get\" action=\"/encompass\" novalidate>{}{}</form>",
        select(
            "show",
            "Show",
            &[
                (String::new(), "Every notification".to_owned()),
                ("open".to_owned(), "Not yet acknowledged".to_owned()),
            ],
            &q.show,
            &[],
        ),
        button("Show", None, true)
    ));
    body.push_str(&p(&format!(
        "{} notification{}.",
        list.page.total,
        if list.page.total == 1 { "" } else { "s" }
    )));
    body.push_str(&withheld_notice(list.withheld));
    body.push_str(&table(
        "Notifications, soonest due first",
        &["Child", "Date of birth", "Incident", "Tell by", "State"],
        list.page
            .items
            .iter()
            .map(|e| {
                vec![
                    link(
                        &format!("/encompass/{}", e.notification.referral_id),
                        &child_name(e),
                    ),
                    e.birth_date.map_or("Not recorded".into(), long),
                    esc(&long_time(e.reported_at)),
                    esc(&long_time(e.notification.due)),
                    state(e),
                ]
            })
            .collect(),
    ));
    body.push_str(&pagination(
        "/encompass",
        &format!("show={}", if open_only { "open" } else { "" }),
        list.page_no,
        service::pages(list.page.total, list.per_page),
    ));
    Html(page_at(
        "Operation Encompass",
        Some(&s),
        "/encompass",
        &body,
    ))
    .into_response()
}

/// `GET /encompass/{id}`: what the school is told, and the acknowledgement.
pub async fn one(
    State(app): State<Arc<App>>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
) -> Response {
    let e = match service::encompass_one(&app, &s, &raw).await {
        Ok(e) => e,
        Err(Failure::Forbidden | Failure::NotFound) => return not_found_page(Some(&s)),
        Err(f) => return failure_page(&s, f),
    };
    let n = &e.notification;
    let mut body = back_link("/encompass");
    body.push_str(&h1(&format!("Operation Encompass: {}", child_name(&e))));
    body.push_str(&summary_list(&[
        ("Child", esc(&child_name(&e))),
        (
            "Date of birth",
            e.birth_date.map_or("Not recorded".into(), long),
        ),
        ("School", esc(&n.school)),
        ("Police reference", esc(n.incident_id.as_str())),
        ("When the police attended", esc(&long_time(e.reported_at))),
        (
            "Was the child present",
            if n.child_present {
                "Yes".into()
            } else {
                "No".into()
            },
        ),
        (
            "The voice of the child",
            if n.voice_of_child.is_empty() {
                "Nothing recorded".into()
            } else {
                esc(&n.voice_of_child)
            },
        ),
        ("Circumstances", esc(&n.circumstances)),
        ("Tell by", esc(&long_time(n.due))),
        ("State", state(&e)),
    ]));
    body.push_str(&p("Keep this confidential to those who support the child. The police do not share the suspect's details or an address."));
    if n.acknowledged.is_none() {
        body.push_str(&format!(
            "<form method=\"post\" action=\"/encompass/{}/acknowledge\" novalidate>{}{}</form>",
            esc(n.referral_id.as_str()),
            csrf(&s.csrf_token),
            button("Acknowledge: the school has this", None, false)
        ));
    }
    Html(page_at(
        "Operation Encompass",
        Some(&s),
        "/encompass",
        &body,
    ))
    .into_response()
}

/// `POST /encompass/{id}/acknowledge`.
pub async fn acknowledge(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let (s, _) = match signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match service::acknowledge(&app, &s, &raw).await {
        Ok(()) => Redirect::to(&format!("/encompass/{raw}")).into_response(),
        Err(Failure::Forbidden | Failure::NotFound) => not_found_page(Some(&s)),
        Err(f) => failure_page(&s, f),
    }
}
