//! Recording a domestic abuse incident: the call, the people (found or created, with a
//! duplicate check), the relationship and children, then the primary DASH on the same page.
//! Saving routes the case and lists the safeguarding actions due (on the case page).

use crate::App;
use crate::components::*;
use crate::forms::{
    FormData, child_rows, children_input, dash_fields, dash_input, party_fields, party_input,
};
use crate::layout::page_at;
use crate::pages::{failure_page, full_name, link_person};
use crate::service::{self, Failure, IntakeInput};
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use std::sync::Arc;
use vigil_domain::access::{Capability, allows};
use vigil_store::Session;

pub fn intake_input(f: &FormData) -> IntakeInput {
    IntakeInput {
        call_grade: f.get("call_grade").to_owned(),
        reported_at: f.get("reported_at").to_owned(),
        arrived_at: f.get("arrived_at").to_owned(),
        lpa: f.get("lpa").to_owned(),
        victim: party_input(f, "victim"),
        suspect: party_input(f, "suspect"),
        relationship: f.get("relationship").to_owned(),
        children_present: match f.get("children_present") {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        },
        children: children_input(f),
        dash: dash_input(f),
        confirm_new_people: f.flag("confirm_new_people"),
    }
}

/// The optional rows that name the children present (open when any is filled in).
fn children_section(f: &FormData, errors: &[FieldError]) -> String {
    let open = errors.iter().any(|e| e.field.starts_with("children"))
        || f.0
            .iter()
            .any(|(k, v)| k.starts_with("children_") && !v.is_empty());
    format!(
        "<details class=\"govuk-details\"{}><summary class=\"govuk-details__summary\"><span class=\"govuk-details__summary-text\">Name the children present</span></summary><div class=\"govuk-details__text\"><p class=\"govuk-body\">Each child's school is told by Operation Encompass. Name up to {} now; add more from the case.</p>{}</div></details>",
        if open { " open" } else { "" },
        crate::forms::CHILD_ROWS,
        child_rows(f, errors)
    )
}

/// What the form's "Find" found for a party: which party, and the people.
type FoundParty<'a> = Option<(&'a str, &'a [vigil_domain::Person])>;

fn form_page(
    app: &App,
    s: &Session,
    f: &FormData,
    errors: &[FieldError],
    notice: &str,
    found: FoundParty<'_>,
) -> String {
    let found_for = |party: &str| found.filter(|(p, _)| *p == party).map(|(_, people)| people);
    let mut lpas = vec![(String::new(), "Choose the area".to_owned())];
    lpas.extend(app.lpas.iter().map(|l| (l.to_string(), l.to_string())));
    let body = format!(
        "{}{notice}<span class=\"govuk-caption-l\">New case</span>{}<form method=\"post\" action=\"/incidents\" novalidate>{}<h2 class=\"govuk-heading-m\">The call</h2>{}{}{}{}{}{}<h2 class=\"govuk-heading-m\">The relationship</h2>{}{}{}{}{}{}</form>",
        error_summary(errors),
        h1("Record a domestic abuse incident"),
        // The form's own key: a second press of Save, or a refresh after a lost answer,
        // finds the incident the first one saved instead of recording it twice.
        csrf(&s.csrf_token),
        radios(
            "call_grade",
            "Call grade",
            None,
            &[
                ("emergency", "Emergency"),
                ("priority", "Priority"),
                ("scheduled", "Scheduled"),
                ("other", "Other")
            ],
            f.get("call_grade"),
            true,
            errors
        ),
        Input::text(
            "reported_at",
            "When the call was received",
            f.get("reported_at")
        )
        .hint("Date and time, for example 31/08/2019 21:30")
        .width("20")
        .render(errors),
        Input::text(
            "arrived_at",
            "When the first officer arrived (if attended)",
            f.get("arrived_at")
        )
        .hint("Date and time, for example 31/08/2019 21:48")
        .width("20")
        .render(errors),
        select("lpa", "Local Policing Area", &lpas, f.get("lpa"), errors),
        party_fields(f, "victim", "The victim", errors, found_for("victim")),
        party_fields(
            f,
            "suspect",
            "The suspect (leave empty if not known)",
            errors,
            found_for("suspect")
        ),
        radios(
            "relationship",
            "The suspect is the victim's",
            None,
            &[
                ("partner", "Partner"),
                ("ex_partner", "Ex-partner"),
                ("parent", "Parent"),
                ("child", "Child"),
                ("sibling", "Brother or sister"),
                ("other_family", "Other family member")
            ],
            f.get("relationship"),
            false,
            errors
        ),
        radios(
            "children_present",
            "Were children present?",
            Some("Yes starts Operation Encompass: the school is told before the next school day"),
            &[("yes", "Yes"), ("no", "No")],
            f.get("children_present"),
            true,
            errors
        ),
        children_section(f, errors),
        dash_fields(f, errors),
        if f.flag("confirm_new_people") || errors.iter().any(|e| e.field == "confirm_new_people") {
            checkbox(
                "confirm_new_people",
                "I have checked: the new people are not any of the people listed",
                f.flag("confirm_new_people"),
                errors,
            )
        } else {
            String::new()
        },
        button("Save and route the case", Some(("action", "save")), false),
    );
    page_at("Record an incident", Some(s), "/incidents/new", &body)
}

pub async fn new_incident(
    State(app): State<Arc<App>>,
    crate::pages::SignedIn(s): crate::pages::SignedIn,
) -> Response {
    if !allows(s.user.role, Capability::RecordIncident) {
        return crate::pages::forbidden_page(&s);
    }
    Html(form_page(&app, &s, &FormData(Vec::new()), &[], "", None)).into_response()
}

pub async fn record_incident(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match crate::pages::signed_form(&app, &headers, fields).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if !allows(s.user.role, Capability::RecordIncident) {
        return crate::pages::forbidden_page(&s);
    }
    // "Check the grade" recounts without saving (the no-JavaScript running count).
    if f.get("action") == "check" {
        return Html(form_page(&app, &s, &f, &[], "", None)).into_response();
    }
    // "Find people with this name": search without saving, and offer who was found.
    if let Some(party) = f
        .get("action")
        .strip_prefix("find_")
        .filter(|p| matches!(*p, "victim" | "suspect"))
    {
        let field = |name: &str| f.get(&format!("{party}_{name}")).to_owned();
        if field("family_name").trim().is_empty() {
            let errors = [FieldError::new(
                format!("{party}_family_name"),
                format!("Enter the {party}'s family name to search for them"),
            )];
            return (
                StatusCode::BAD_REQUEST,
                Html(form_page(&app, &s, &f, &errors, "", None)),
            )
                .into_response();
        }
        let q = service::SearchInput {
            family_name: field("family_name"),
            given_names: field("given_names"),
            birth_date: field("birth_date"),
            ..Default::default()
        };
        return match service::search(&app, &s, &q).await {
            Ok(service::Found::People(people)) => {
                Html(form_page(&app, &s, &f, &[], "", Some((party, &people)))).into_response()
            }
            Ok(_) => Html(form_page(&app, &s, &f, &[], "", Some((party, &[])))).into_response(),
            Err(Failure::Invalid(errors)) => {
                let errors: Vec<FieldError> = errors
                    .into_iter()
                    .map(|e| FieldError::new(format!("{party}_{}", e.field), e.message))
                    .collect();
                (
                    StatusCode::BAD_REQUEST,
                    Html(form_page(&app, &s, &f, &errors, "", None)),
                )
                    .into_response()
            }
            Err(other) => failure_page(&s, other),
        };
    }
    let input = intake_input(&f);
    let saved = service::record_incident(&app, &s, &input).await;
    match saved {
        Ok(r) => Redirect::to(&format!("/cases/{}?recorded=1", r.incident_id)).into_response(),
        Err(Failure::Invalid(errors)) => (
            StatusCode::BAD_REQUEST,
            Html(form_page(&app, &s, &f, &errors, "", None)),
        )
            .into_response(),
        Err(Failure::PossibleDuplicates { party, matches }) => {
            let rows: Vec<Vec<String>> = matches
                .into_iter()
                .map(|p| {
                    vec![
                        link_person(p.id.as_str()),
                        full_name(&p).map_or("–".into(), |n| esc(&n)),
                        p.birth_date
                            .map_or("not recorded".into(), |b| b.format("%-d %B %Y").to_string()),
                    ]
                })
                .collect();
            let errors = [FieldError::new(
                "confirm_new_people",
                format!(
                    "The {party} may already be recorded: enter their reference, or confirm they are someone new"
                ),
            )];
            let notice = format!(
                "{}{}",
                warning(&format!(
                    "People already recorded with a similar name{}. If the {party} is one of them, enter their reference instead of new details.",
                    if input.victim.birth_date.is_empty() {
                        ""
                    } else {
                        " and date of birth"
                    }
                )),
                table(
                    "Possible matches",
                    &["Reference", "Name", "Date of birth"],
                    rows
                )
            );
            (
                StatusCode::CONFLICT,
                Html(form_page(&app, &s, &f, &errors, &notice, None)),
            )
                .into_response()
        }
        Err(f) => failure_page(&s, f),
    }
}
