//! The MASH's pages: the hub's referrals with their decision clock, one referral's
//! research and decision, and the outcome fed back to the officer who referred.

use crate::App;
use crate::components::*;
use crate::forms::FormData;
use crate::layout::page_at;
use crate::pages::{SignedIn, failure_page, not_found_page, signed_form};
use crate::service::{self, Failure, FieldError, MashItem, MashStepInput};
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use std::sync::Arc;
use vigil_domain::dates::long_time;
use vigil_domain::mash::{Decision, MashCase, Subject};
use vigil_store::Session;

/// The case form's questions for a MASH referral.
pub fn referral_fields(f: &FormData, errors: &[FieldError]) -> String {
    format!(
        "<fieldset class=\"govuk-fieldset\"><legend class=\"govuk-fieldset__legend govuk-fieldset__legend--m\"><h2 class=\"govuk-fieldset__heading\">For a MASH referral</h2></legend>{}{}</fieldset>",
        radios(
            "mash_about",
            "Whom is the referral about?",
            None,
            &[
                ("children", "The children named on the case"),
                ("adult", "The victim, as an adult at risk"),
            ],
            f.get("mash_about"),
            false,
            errors
        ),
        textarea(
            "concern",
            "Your concern",
            Some(
                "What the hub must decide on: what happened to or around the children or the adult, and why you refer"
            ),
            f.get("concern"),
            errors
        ),
    )
}

fn name_of(i: &MashItem, id: &vigil_domain::PersonId) -> String {
    i.names.get(id).cloned().unwrap_or_else(|| id.to_string())
}

fn due_cell(app: &App, c: &MashCase) -> String {
    if c.decision.is_some() {
        return "–".into();
    }
    let due = c.decision_due(&app.rules);
    if due < app.now() {
        format!("{} {}", tag("Overdue", "red"), esc(&long_time(due)))
    } else {
        esc(&long_time(due))
    }
}

/// `GET /mash`: the hub's referrals, undecided first.
pub async fn list(State(app): State<Arc<App>>, SignedIn(s): SignedIn) -> Response {
    let items = match service::mash_referrals(&app, &s).await {
        Ok(x) => x,
        Err(Failure::Forbidden) => return not_found_page(Some(&s)),
        Err(e) => return failure_page(&s, e),
    };
    let undecided = items.iter().filter(|i| i.case.decision.is_none()).count();
    let late = items
        .iter()
        .filter(|i| i.case.decision.is_none() && i.case.decision_due(&app.rules) < app.now())
        .count();
    let mut body = h1("MASH referrals");
    body.push_str(&p(&format!(
        "{} referral{}: {undecided} awaiting a decision, {late} overdue. The decision is due by the end of the next working day.",
        items.len(),
        if items.len() == 1 { "" } else { "s" }
    )));
    body.push_str(&table(
        "Referrals, awaiting a decision first",
        &[
            "Referral",
            "About",
            "Victim",
            "Referred",
            "State",
            "Decision due",
        ],
        items
            .iter()
            .map(|i| {
                let c = &i.case;
                vec![
                    link(&format!("/mash/{}", c.referral_id), c.referral_id.as_str()),
                    esc(match c.about {
                        Subject::Children => "Children",
                        Subject::Adult => "Adult at risk",
                    }),
                    esc(&name_of(i, &c.person_id)),
                    esc(&long_time(c.referred_at)),
                    esc(c.state()),
                    due_cell(&app, c),
                ]
            })
            .collect(),
    ));
    Html(page_at("MASH referrals", Some(&s), "/mash", &body)).into_response()
}

fn one_page(app: &App, s: &Session, i: &MashItem, f: &FormData, errors: &[FieldError]) -> String {
    let c = &i.case;
    let mut body = error_summary(errors);
    body.push_str(&back_link(if c.referred_by == s.user.username {
        "/"
    } else {
        "/mash"
    }));
    body.push_str(&h1(&format!("MASH referral {}", c.referral_id)));
    let children: Vec<String> = c.children.iter().map(|id| name_of(i, id)).collect();
    let mut rows = vec![
        ("State", esc(c.state())),
        (
            "About",
            esc(match c.about {
                Subject::Children => "The children of the household",
                Subject::Adult => "The victim, as an adult at risk",
            }),
        ),
        ("Victim", esc(&name_of(i, &c.person_id))),
        (
            "Children",
            if children.is_empty() {
                "–".into()
            } else {
                esc(&children.join(", "))
            },
        ),
        ("Area", esc(c.lpa.as_str())),
        (
            "Referred",
            format!(
                "{} by {}",
                esc(&long_time(c.referred_at)),
                esc(c.referred_by.as_str())
            ),
        ),
        ("Concern", esc(&c.concern)),
        ("Decision due", due_cell(app, c)),
        (
            "Research",
            c.research.as_ref().map_or("Not yet".into(), |(t, by, at)| {
                format!(
                    "{} ({} by {})",
                    esc(t),
                    esc(&long_time(*at)),
                    esc(by.as_str())
                )
            }),
        ),
        (
            "Decision",
            c.decision
                .as_ref()
                .map_or("Not yet".into(), |(d, why, by, at)| {
                    format!(
                        "<strong>{}</strong>: {} ({} by {})",
                        esc(d.words()),
                        esc(why),
                        esc(&long_time(*at)),
                        esc(by.as_str())
                    )
                }),
        ),
    ];
    if let Some(at) = c.outcome_read_at {
        rows.push(("Read by the referrer", esc(&long_time(at))));
    }
    body.push_str(&summary_list(&rows));
    let form = |inner: String| {
        format!(
            "<form method=\"post\" action=\"/mash/{}\" novalidate>{}{inner}</form>",
            c.referral_id,
            csrf(&s.csrf_token)
        )
    };
    // The hub is a partner agency; the referrer is a police officer.
    let hub = s.user.agency.is_some();
    if c.decision.is_none() && hub {
        body.push_str(&h2("The hub's research"));
        body.push_str(&form(format!(
            "<input type=\"hidden\" name=\"step\" value=\"research\">{}{}",
            textarea(
                "research",
                "What the hub's agencies hold",
                Some("Children's and adult social care, health, education, the police: 'Nothing held' is an answer"),
                if f.0.is_empty() {
                    c.research.as_ref().map_or("", |(t, _, _)| t.as_str())
                } else {
                    f.get("research")
                },
                errors
            ),
            button("Save the research", None, true)
        )));
        if c.research.is_some() {
            let options: Vec<(&str, &str)> = Decision::ALL
                .iter()
                .filter(|d| d.fits(c.about))
                .map(|d| (d.as_str(), d.words()))
                .collect();
            body.push_str(&h2("Decision"));
            body.push_str(&form(format!(
                "<input type=\"hidden\" name=\"step\" value=\"decide\">{}{}{}",
                radios(
                    "decision",
                    "What the hub decided",
                    None,
                    &options,
                    f.get("decision"),
                    false,
                    errors
                ),
                textarea(
                    "rationale",
                    "Reasons",
                    Some("Told to the referring officer"),
                    f.get("rationale"),
                    errors
                ),
                button("Record the decision", None, false)
            )));
        }
    }
    if c.referred_by == s.user.username && c.decision.is_some() && c.outcome_read_at.is_none() {
        body.push_str(&form(format!(
            "<input type=\"hidden\" name=\"step\" value=\"outcome_read\">{}",
            button("I have read the decision", None, false)
        )));
    }
    page_at("MASH referral", Some(s), "/mash", &body)
}

/// `GET /mash/{id}`.
pub async fn one(
    State(app): State<Arc<App>>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
) -> Response {
    match service::mash_referral(&app, &s, &raw).await {
        Ok(i) => Html(one_page(&app, &s, &i, &FormData(Vec::new()), &[])).into_response(),
        Err(Failure::Forbidden | Failure::NotFound) => not_found_page(Some(&s)),
        Err(e) => failure_page(&s, e),
    }
}

/// `POST /mash/{id}`: a step.
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
    let input = MashStepInput {
        step: f.get("step").to_owned(),
        research: f.get("research").to_owned(),
        decision: f.get("decision").to_owned(),
        rationale: f.get("rationale").to_owned(),
    };
    match service::mash_step(&app, &s, &raw, &input).await {
        Ok(_) => Redirect::to(&format!("/mash/{}", raw.trim())).into_response(),
        Err(Failure::Invalid(errors)) => match service::mash_referral(&app, &s, &raw).await {
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

/// The home page's MASH work: for the hub, its referrals awaiting a decision (the late
/// ones listed); for an officer, the decisions on their referrals not yet read.
pub async fn work_section(app: &App, s: &Session) -> String {
    if matches!(
        s.user.agency,
        Some(vigil_domain::Agency::ChildrensServices | vigil_domain::Agency::AdultServices)
    ) {
        let Ok(items) = service::mash_referrals(app, s).await else {
            return p("The MASH referrals could not be read just now; try again shortly.");
        };
        let now = app.now();
        let waiting: Vec<&MashItem> = items.iter().filter(|i| i.case.decision.is_none()).collect();
        let late: Vec<&&MashItem> = waiting
            .iter()
            .filter(|i| i.case.decision_due(&app.rules) < now)
            .collect();
        let mut out = h2("MASH referrals awaiting a decision");
        out.push_str(&p(&format!(
            "{} awaiting a decision, {} overdue. {}",
            waiting.len(),
            late.len(),
            link("/mash", "See them all")
        )));
        if !late.is_empty() {
            out.push_str(&table(
                "Overdue MASH decisions",
                &["Referral", "Victim", "Decision due"],
                late.iter()
                    .take(20)
                    .map(|i| {
                        vec![
                            link(
                                &format!("/mash/{}", i.case.referral_id),
                                i.case.referral_id.as_str(),
                            ),
                            esc(&name_of(i, &i.case.person_id)),
                            due_cell(app, &i.case),
                        ]
                    })
                    .collect(),
            ));
        }
        return out;
    }
    let Ok(list) = service::mash_outcomes(app, s).await else {
        return String::new();
    };
    if list.is_empty() {
        return String::new();
    }
    let mut out = h2("MASH decisions on your referrals");
    out.push_str(&table(
        "Decided, not yet read",
        &["Referral", "Decision", "Decided"],
        list.iter()
            .map(|c| {
                let (d, _, _, at) = c.decision.as_ref().expect("decided");
                vec![
                    link(&format!("/mash/{}", c.referral_id), c.referral_id.as_str()),
                    esc(d.words()),
                    esc(&long_time(*at)),
                ]
            })
            .collect(),
    ));
    out
}
