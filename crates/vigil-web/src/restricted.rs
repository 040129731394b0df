//! The administrators' page of restricted records: what is restricted, why, who may see
//! it, and forms to restrict a record (or change who may see it) and to lift a restriction.

use crate::App;
use crate::components::*;
use crate::forms::FormData;
use crate::layout::page_at;
use crate::pages::{SignedIn, failure_page, not_found_page, signed_form};
use crate::service::{self, Failure, RestrictionInput};
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use std::sync::Arc;
use vigil_domain::access::{Capability, allows};
use vigil_domain::dates::long_time;
use vigil_domain::restriction::{Ground, Restriction};
use vigil_store::Session;

fn input_of(f: &FormData) -> RestrictionInput {
    RestrictionInput {
        kind: f.get("kind").to_owned(),
        reference: f.get("reference").to_owned(),
        ground: f.get("ground").to_owned(),
        note: f.get("note").to_owned(),
        users: f.get("users").to_owned(),
        teams: f.get("teams").to_owned(),
    }
}

fn restrictions_page(
    s: &Session,
    all: &[Restriction],
    f: &FormData,
    errors: &[FieldError],
    saved: bool,
) -> String {
    let mut body = String::new();
    body.push_str(&error_summary(errors));
    body.push_str(&h1("Restricted records"));
    if saved {
        body.push_str(&banner("Success", "The restriction is in force.", "", true));
    }
    body.push_str(&p(
        "A restricted person or case is seen only by the users and teams named on it. Everyone else is told there is no such record, lists leave it out, and each attempt is written to the audit trail. A restricted person's cases are restricted with them.",
    ));
    body.push_str(&p(&format!(
        "{} record{} restricted.",
        all.len(),
        if all.len() == 1 { " is" } else { "s are" }
    )));
    if !all.is_empty() {
        body.push_str(&table(
            "Restricted records",
            &["Record", "Ground", "Who may see it", "Set", "Lift"],
            all.iter()
                .map(|r| {
                    let who: Vec<String> = r
                        .users
                        .iter()
                        .map(|u| u.to_string())
                        .chain(r.teams.iter().map(|t| match &t.lpa {
                            Some(l) => format!("{} in {l}", t.team.as_str().to_uppercase()),
                            None => format!("{} (every area)", t.team.as_str().to_uppercase()),
                        }))
                        .collect();
                    let what = format!(
                        "{} {}",
                        if r.subject.kind() == "person" {
                            "Person"
                        } else {
                            "Case"
                        },
                        r.subject.reference()
                    );
                    vec![
                        esc(&what),
                        format!(
                            "{}{}",
                            esc(r.ground.words()),
                            if r.note.is_empty() {
                                String::new()
                            } else {
                                format!("<br><span class=\"govuk-body-s\">{}</span>", esc(&r.note))
                            }
                        ),
                        esc(&who.join(", ")),
                        format!(
                            "{}<br>by {}",
                            esc(&long_time(r.set_at)),
                            esc(r.set_by.as_str())
                        ),
                        format!(
                            "<form method=\"post\" action=\"/admin/restrictions/lift\" novalidate>{}<input type=\"hidden\" name=\"kind\" value=\"{}\"><input type=\"hidden\" name=\"reference\" value=\"{}\">{}{}</form>",
                            csrf(&s.csrf_token),
                            r.subject.kind(),
                            esc(r.subject.reference()),
                            Input::text("reason", &format!("Why lift the restriction on {what}"), "")
                                .width("20")
                                .render(&[]),
                            button("Lift", None, true)
                        ),
                    ]
                })
                .collect(),
        ));
    }
    let grounds: Vec<(&str, &str)> = Ground::ALL
        .iter()
        .map(|g| (g.as_str(), g.words()))
        .collect();
    body.push_str(&format!(
        "<h2 class=\"govuk-heading-m\">Restrict a record</h2>{}<form method=\"post\" action=\"/admin/restrictions\" novalidate>{}{}{}{}{}{}{}{}</form>",
        p("Restricting a record already restricted replaces who may see it."),
        csrf(&s.csrf_token),
        radios(
            "kind",
            "What kind of record",
            None,
            &[("person", "A person"), ("case", "A case")],
            f.get("kind"),
            true,
            errors
        ),
        Input::text("reference", "Reference", f.get("reference"))
            .hint("For example P000123 or INC00012345")
            .width("20")
            .render(errors),
        radios("ground", "Why", None, &grounds, f.get("ground"), false, errors),
        textarea(
            "note",
            "Note",
            Some("What the readers named need to know; required when the ground is 'Other'"),
            f.get("note"),
            errors
        ),
        textarea(
            "users",
            "Users who may see it",
            Some("Usernames, separated by commas or spaces"),
            f.get("users"),
            errors
        ),
        textarea(
            "teams",
            "Teams who may see it",
            Some("lpt, dait, cid or cru; add @ and an area for one area only, for example dait@Colchester. Separate with commas"),
            f.get("teams"),
            errors
        ),
        button("Restrict the record", None, false)
    ));
    page_at("Restricted records", Some(s), "/admin/restrictions", &body)
}

async fn show(
    app: &App,
    s: &Session,
    f: &FormData,
    errors: &[FieldError],
    saved: bool,
) -> Response {
    match service::list_restrictions(app, s).await {
        Ok(all) => {
            let status = if errors.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::BAD_REQUEST
            };
            (status, Html(restrictions_page(s, &all, f, errors, saved))).into_response()
        }
        Err(e) => failure_page(s, e),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct Saved {
    saved: Option<String>,
}

/// `GET /admin/restrictions`.
pub async fn restrictions(
    State(app): State<Arc<App>>,
    SignedIn(s): SignedIn,
    axum::extract::Query(q): axum::extract::Query<Saved>,
) -> Response {
    if !allows(s.user.role, Capability::Administer) {
        return not_found_page(Some(&s));
    }
    show(&app, &s, &FormData(Vec::new()), &[], q.saved.is_some()).await
}

/// `POST /admin/restrictions`: restricts a record or changes who may see it.
pub async fn restrict(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match service::set_restriction(&app, &s, &input_of(&f)).await {
        Ok(_) => Redirect::to("/admin/restrictions?saved=1").into_response(),
        Err(Failure::Invalid(errors)) => show(&app, &s, &f, &errors, false).await,
        Err(Failure::Forbidden) => not_found_page(Some(&s)),
        Err(e) => failure_page(&s, e),
    }
}

/// `POST /admin/restrictions/lift`: lifts one, with a reason.
pub async fn lift(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match service::lift_restriction(&app, &s, f.get("kind"), f.get("reference"), f.get("reason"))
        .await
    {
        Ok(()) => Redirect::to("/admin/restrictions").into_response(),
        Err(Failure::Invalid(errors)) => {
            show(&app, &s, &FormData(Vec::new()), &errors, false).await
        }
        Err(Failure::Forbidden) => not_found_page(Some(&s)),
        Err(e) => failure_page(&s, e),
    }
}
