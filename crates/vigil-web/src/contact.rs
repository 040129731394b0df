//! A victim's contact preferences on the page: shown on their record to the roles that may
//! see an address, and the form that records them (`service::save_contact`).

use crate::App;
use crate::components::*;
use crate::forms::FormData;
use crate::layout::page;
use crate::pages::{SignedIn, failure_page, signed_form};
use crate::service::{self, ContactInput, Failure};
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use std::sync::Arc;
use vigil_domain::PersonId;
use vigil_domain::casework::ContactMethod;
use vigil_domain::contact::ContactPreferences;
use vigil_domain::dates::long_time;
use vigil_store::{Session, Versioned};

fn method_words(m: ContactMethod) -> &'static str {
    match m {
        ContactMethod::InPerson => "In person",
        ContactMethod::Phone => "By phone",
        ContactMethod::Email => "By email",
        ContactMethod::Letter => "By letter",
        ContactMethod::Text => "By text message",
    }
}

/// The person page's section: the preferences, or that none are recorded, and the link to
/// record them for a role that may.
pub fn section(s: &Session, id: &PersonId, c: Option<&Versioned<ContactPreferences>>) -> String {
    let mut out = h2("Contact preferences");
    match c {
        None => out.push_str(&p(
            "None recorded. Ask the victim how, when and on what number it is safe to contact them.",
        )),
        Some(v) => {
            let c = &v.record;
            let or_none = |t: &str| {
                if t.is_empty() {
                    "–".to_owned()
                } else {
                    esc(t)
                }
            };
            out.push_str(&summary_list(&[
                ("How", esc(method_words(c.method))),
                (
                    "Safe number",
                    c.safe_number.as_deref().map_or("–".to_owned(), esc),
                ),
                ("When it is safe", or_none(&c.safe_times)),
                ("Never", or_none(&c.avoid)),
                (
                    "Recorded",
                    format!("{} by {}", esc(&long_time(c.recorded_at)), esc(&c.recorded_by)),
                ),
            ]));
        }
    }
    if service::may_record_contact(s.user.role) {
        out.push_str(&format!(
            "<a href=\"/people/{}/contact\" class=\"govuk-button govuk-button--secondary\" role=\"button\" draggable=\"false\" data-module=\"govuk-button\">{}</a>",
            esc(id.as_str()),
            if c.is_some() {
                "Change the contact preferences"
            } else {
                "Record contact preferences"
            }
        ));
    }
    out
}

/// One line on a case page: how to contact its victim, with a link to their preferences.
pub fn summary_line(id: &PersonId, c: Option<&Versioned<ContactPreferences>>) -> String {
    let link_ = link(&format!("/people/{id}"), "the victim's record");
    match c {
        None => p(&format!(
            "Contacting the victim: no preferences recorded; record them on {link_}."
        )),
        Some(v) => {
            let c = &v.record;
            p(&format!(
                "Contacting the victim: {}{}{}{} ({link_}).",
                esc(&method_words(c.method).to_lowercase()),
                c.safe_number
                    .as_deref()
                    .map_or(String::new(), |n| format!(" on {}", esc(n))),
                if c.safe_times.is_empty() {
                    String::new()
                } else {
                    format!("; {}", esc(&c.safe_times))
                },
                if c.avoid.is_empty() {
                    String::new()
                } else {
                    format!("; never: {}", esc(&c.avoid))
                },
            ))
        }
    }
}

fn form_page(
    s: &Session,
    id: &str,
    current: Option<&Versioned<ContactPreferences>>,
    f: &FormData,
    errors: &[FieldError],
) -> String {
    let value = |name: &str, from: &dyn Fn(&ContactPreferences) -> String| -> String {
        if f.0.is_empty() {
            current.map_or(String::new(), |c| from(&c.record))
        } else {
            f.get(name).to_owned()
        }
    };
    let methods: Vec<(&str, &str)> = ContactMethod::ALL
        .iter()
        .map(|m| (m.as_str(), method_words(*m)))
        .collect();
    let version = current.map_or(0, |c| c.version);
    let body = format!(
        "{}{}<span class=\"govuk-caption-l\">Person {}</span>{}<form method=\"post\" action=\"/people/{}/contact\" novalidate>{}<input type=\"hidden\" name=\"version\" value=\"{version}\">{}{}{}{}{}</form>",
        back_link(&format!("/people/{id}")),
        error_summary(errors),
        esc(id),
        h1("Contact preferences"),
        esc(id),
        csrf(&s.csrf_token),
        radios(
            "method",
            "How the victim wants to be contacted",
            None,
            &methods,
            &value("method", &|c| c.method.as_str().to_owned()),
            false,
            errors
        ),
        Input::text(
            "safe_number",
            "A number that is safe to use",
            &value("safe_number", &|c| c
                .safe_number
                .clone()
                .unwrap_or_default())
        )
        .hint("Needed for a call or a text. For example, 07700 900 123")
        .width("20")
        .render(errors),
        Input::text(
            "safe_times",
            "When it is safe",
            &value("safe_times", &|c| c.safe_times.clone())
        )
        .hint("For example, weekdays 9am to 3pm")
        .width("30")
        .render(errors),
        Input::text(
            "avoid",
            "What must never be done",
            &value("avoid", &|c| c.avoid.clone())
        )
        .hint("For example, no voicemail; never write to the home address")
        .width("30")
        .render(errors),
        button("Save", None, false)
    );
    page("Contact preferences", Some(s), &body)
}

/// `GET /people/{id}/contact`.
pub async fn form(
    State(app): State<Arc<App>>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
) -> Response {
    let record = match service::read_person(&app, &s, &raw, None).await {
        Ok(r) => r,
        Err(f) => return failure_page(&s, f),
    };
    if !service::may_record_contact(s.user.role) {
        return failure_page(&s, Failure::Forbidden);
    }
    Html(form_page(
        &s,
        &raw,
        record.contact.as_ref(),
        &FormData(Vec::new()),
        &[],
    ))
    .into_response()
}

/// `POST /people/{id}/contact`.
pub async fn save(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let input = ContactInput {
        method: f.get("method").into(),
        safe_number: f.get("safe_number").into(),
        safe_times: f.get("safe_times").into(),
        avoid: f.get("avoid").into(),
        version: f.get("version").trim().parse().unwrap_or(0),
    };
    match service::save_contact(&app, &s, &raw, &input).await {
        Ok(_) => Redirect::to(&format!("/people/{raw}")).into_response(),
        Err(Failure::Invalid(errors)) => {
            let current = match service::read_person(&app, &s, &raw, None).await {
                Ok(r) => r.contact,
                Err(e) => return failure_page(&s, e),
            };
            (
                StatusCode::BAD_REQUEST,
                Html(form_page(&s, &raw, current.as_ref(), &f, &errors)),
            )
                .into_response()
        }
        Err(e) => failure_page(&s, e),
    }
}
