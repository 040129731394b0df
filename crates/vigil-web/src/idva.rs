//! The IDVA service's pages: its referrals with where each stands, one referral's steps
//! (accept or decline, first contact, engagement, closure), and each IDVA's caseload.

use crate::App;
use crate::components::*;
use crate::forms::FormData;
use crate::layout::page_at;
use crate::pages::{SignedIn, failure_page, not_found_page, signed_form};
use crate::service::{self, Failure, IdvaItem, IdvaStepInput};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::sync::Arc;
use vigil_domain::dates::long_time;
use vigil_store::Session;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    page: String,
}

fn name(i: &IdvaItem) -> String {
    vigil_domain::visibility::joined_name(
        i.shared.family_name.as_deref(),
        i.shared.given_names.as_deref(),
    )
    .unwrap_or_default()
}

fn due_cell(app: &App, i: &IdvaItem) -> String {
    if i.case.first_contact.is_some() || !i.case.is_open() {
        return "–".into();
    }
    let due = i.case.first_contact_due(&app.rules);
    if due < app.now() {
        format!("{} {}", tag("Overdue", "red"), esc(&long_time(due)))
    } else {
        esc(&long_time(due))
    }
}

/// `GET /idva`: the IDVA referrals and the caseloads.
pub async fn list(
    State(app): State<Arc<App>>,
    SignedIn(s): SignedIn,
    Query(q): Query<ListQuery>,
) -> Response {
    let page_no = q
        .page
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|p| (1..=1_000_000).contains(p))
        .unwrap_or(1);
    let (list, items) = match service::idva_referrals(&app, &s, page_no).await {
        Ok(x) => x,
        Err(Failure::Forbidden) => return not_found_page(Some(&s)),
        Err(e) => return failure_page(&s, e),
    };
    let loads = service::idva_caseloads(&app, &s).await.unwrap_or_default();
    let mut body = h1("IDVA referrals");
    body.push_str(&p(&format!(
        "{} referral{} to the service (only while the victim consents). First contact is due within {} working days of the referral.",
        list.page.total,
        if list.page.total == 1 { "" } else { "s" },
        app.rules.idva_contact_working_days
    )));
    body.push_str(&withheld_notice(list.withheld));
    body.push_str(&table(
        "Referrals, newest first",
        &[
            "Referral",
            "Victim",
            "Referred",
            "Where it stands",
            "First contact due",
        ],
        items
            .iter()
            .map(|i| {
                vec![
                    link(
                        &format!("/idva/{}", i.shared.referral.id),
                        i.shared.referral.id.as_str(),
                    ),
                    esc(&name(i)),
                    esc(&long_time(i.shared.referral.referred_at)),
                    esc(i.case.state()),
                    due_cell(&app, i),
                ]
            })
            .collect(),
    ));
    body.push_str(&pagination(
        "/idva",
        "",
        list.page_no,
        service::pages(list.page.total, list.per_page),
    ));
    body.push_str(&table(
        "Caseloads: open cases by IDVA",
        &["IDVA", "Open cases"],
        loads
            .iter()
            .map(|(u, n)| vec![esc(u), n.to_string()])
            .collect(),
    ));
    Html(page_at("IDVA referrals", Some(&s), "/idva", &body)).into_response()
}

fn referral_page(
    app: &App,
    s: &Session,
    i: &IdvaItem,
    f: &FormData,
    errors: &[FieldError],
) -> String {
    let c = &i.case;
    let mut body = back_link("/idva");
    body.push_str(&error_summary(errors));
    body.push_str(&h1(&format!("IDVA referral {}", c.referral_id)));
    body.push_str(&summary_list(&[
        ("Victim", esc(&name(i))),
        ("Referred", esc(&long_time(c.referred_at))),
        ("Where it stands", esc(c.state())),
        ("First contact due", due_cell(app, i)),
        (
            "Accepted",
            c.accepted.as_ref().map_or("Not yet".into(), |(by, at)| {
                format!("by {} on {}", esc(by.as_str()), esc(&long_time(*at)))
            }),
        ),
        (
            "First contact",
            c.first_contact
                .map_or("Not yet".into(), |t| esc(&long_time(t))),
        ),
        (
            "Engagement",
            c.engagement.map_or("Not recorded".into(), |e| {
                esc(&e.as_str().replace('_', " "))
            }),
        ),
    ]));
    if c.is_open() {
        let form = |step: &str, title: &str, fields: String| {
            format!(
                "<form method=\"post\" action=\"/idva/{}\" novalidate><h2 class=\"govuk-heading-s\">{}</h2>{}<input type=\"hidden\" name=\"step\" value=\"{step}\">{}{}</form>",
                esc(c.referral_id.as_str()),
                esc(title),
                csrf(&s.csrf_token),
                fields,
                button(title, None, step == "decline" || step == "close")
            )
        };
        if c.accepted.is_none() {
            body.push_str(&form("accept", "Accept the referral", String::new()));
            body.push_str(&form(
                "decline",
                "Decline the referral",
                textarea(
                    "reason",
                    "Why the service declines it",
                    None,
                    f.get("reason"),
                    errors,
                ),
            ));
        } else if c.first_contact.is_none() {
            body.push_str(&form(
                "first_contact",
                "Record the first contact",
                Input::text("at", "When the victim was first contacted", f.get("at"))
                    .hint("For example 09/09/2019 09:30")
                    .width("20")
                    .render(errors),
            ));
        }
        if c.accepted.is_some() && c.engagement.is_none() {
            body.push_str(&form(
                "outcome",
                "Record the victim's engagement",
                radios(
                    "engagement",
                    "How the victim engaged",
                    None,
                    &[
                        ("engaged", "Engaged"),
                        ("not_engaged", "Chose not to engage"),
                        ("unreachable", "Could not be reached"),
                    ],
                    f.get("engagement"),
                    false,
                    errors,
                ),
            ));
        }
        if c.engagement.is_some() {
            body.push_str(&form(
                "close",
                "Close the case",
                textarea(
                    "reason",
                    "Why the case closes",
                    None,
                    f.get("reason"),
                    errors,
                ),
            ));
        }
    }
    page_at("IDVA referral", Some(s), "/idva", &body)
}

/// `GET /idva/{id}`.
pub async fn one(
    State(app): State<Arc<App>>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
) -> Response {
    match service::idva_referral(&app, &s, &raw).await {
        Ok(i) => Html(referral_page(&app, &s, &i, &FormData(Vec::new()), &[])).into_response(),
        Err(Failure::Forbidden | Failure::NotFound) => not_found_page(Some(&s)),
        Err(e) => failure_page(&s, e),
    }
}

/// `POST /idva/{id}`: one step.
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
    let input = IdvaStepInput {
        step: f.get("step").to_owned(),
        reason: f.get("reason").to_owned(),
        at: f.get("at").to_owned(),
        engagement: f.get("engagement").to_owned(),
    };
    match service::idva_step(&app, &s, &raw, &input).await {
        Ok(_) => Redirect::to(&format!("/idva/{raw}")).into_response(),
        Err(Failure::Invalid(errors)) => match service::idva_referral(&app, &s, &raw).await {
            Ok(i) => (
                StatusCode::BAD_REQUEST,
                Html(referral_page(&app, &s, &i, &f, &errors)),
            )
                .into_response(),
            Err(e) => failure_page(&s, e),
        },
        Err(Failure::Forbidden | Failure::NotFound) => not_found_page(Some(&s)),
        Err(e) => failure_page(&s, e),
    }
}
