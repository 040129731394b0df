//! Clare's Law pages: the CRU's applications with their next stage and its due time, a
//! right-to-ask application recorded (by the CRU or a partner agency), one application
//! worked stage by stage, and the right-to-know application opened from a case.

use crate::App;
use crate::components::*;
use crate::forms::{FormData, party_input};
use crate::layout::page_at;
use crate::pages::{SignedIn, failure_page, not_found_page, signed_form};
use crate::service::{self, ApplicationInput, DvdsItem, DvdsStepInput, Failure, FieldError};
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use std::sync::Arc;
use vigil_domain::DisclosureRoute;
use vigil_domain::dates::{long, long_time};
use vigil_domain::dvds::{Application, Stage};
use vigil_domain::time::DateTime;
use vigil_store::Session;

fn name(i: &DvdsItem, id: &vigil_domain::PersonId) -> String {
    i.names.get(id).cloned().unwrap_or_else(|| id.to_string())
}

fn route_words(r: DisclosureRoute) -> &'static str {
    match r {
        DisclosureRoute::RightToAsk => "Right to ask",
        DisclosureRoute::RightToKnow => "Right to know",
    }
}

fn next_cell(app: &App, a: &Application) -> String {
    match service::next_due(app, a) {
        None => match (&a.outcome, &a.declined) {
            (Some(o), _) if o.disclosed => tag("Disclosed", "green"),
            (Some(_), _) => tag("Safety advice given", "blue"),
            _ => tag("Not pursued", "grey"),
        },
        Some((stage, due)) => format!(
            "{}: {}{}",
            esc(stage.words()),
            if due < app.now() {
                format!("{} ", tag("Overdue", "red"))
            } else {
                String::new()
            },
            esc(&long_time(due))
        ),
    }
}

/// `GET /disclosures`: the CRU's applications, open first.
pub async fn list(State(app): State<Arc<App>>, SignedIn(s): SignedIn) -> Response {
    let items = match service::dvds_list(&app, &s, false).await {
        Ok(x) => x,
        Err(Failure::Forbidden) => return not_found_page(Some(&s)),
        Err(e) => return failure_page(&s, e),
    };
    let open = items.iter().filter(|i| i.application.is_open()).count();
    let late = items
        .iter()
        .filter(|i| service::next_due(&app, &i.application).is_some_and(|(_, d)| d < app.now()))
        .count();
    let mut body = h1("Clare's Law applications");
    body.push_str(&p(&format!(
        "{} application{}: {open} open, {late} with a stage overdue. The decision is due {} days after the {}. {}",
        items.len(),
        if items.len() == 1 { "" } else { "s" },
        app.rules.disclosure_decision_days,
        match app.rules.disclosure_clock_starts {
            vigil_domain::dvds::ClockStart::Application => "application",
            vigil_domain::dvds::ClockStart::InitialContact => "initial contact",
        },
        link("/disclosures/new", "Record a right-to-ask application")
    )));
    // Each stage against its mark: the board's "timeliness by stage" for the work done here.
    let apps: Vec<_> = items.iter().map(|i| i.application.clone()).collect();
    let stages = vigil_domain::dvds::stage_timeliness(&apps, &app.rules, app.now());
    body.push_str(&table(
        "Timeliness by stage",
        &[
            "Stage",
            "Done",
            "On time",
            "Overdue now",
            "Median days from receipt",
        ],
        stages
            .iter()
            .map(|t| {
                vec![
                    esc(t.stage.words()),
                    t.done.to_string(),
                    if t.done == 0 {
                        "–".into()
                    } else {
                        format!(
                            "{} ({:.0}%)",
                            t.on_time,
                            100.0 * f64::from(t.on_time) / f64::from(t.done)
                        )
                    },
                    t.overdue.to_string(),
                    t.median_days.map_or("–".into(), |d| format!("{d:.1}")),
                ]
            })
            .collect(),
    ));
    body.push_str(&table(
        "Applications, open first",
        &[
            "Application",
            "Route",
            "Person at risk",
            "Subject",
            "Received",
            "Next stage, due",
        ],
        items
            .iter()
            .map(|i| {
                let a = &i.application;
                vec![
                    link(&format!("/disclosures/{}", a.id), a.id.as_str()),
                    esc(route_words(a.route)),
                    esc(&name(i, &a.at_risk_id)),
                    esc(&name(i, &a.subject_id)),
                    esc(&long_time(a.received_at)),
                    next_cell(&app, a),
                ]
            })
            .collect(),
    ));
    Html(page_at("Clare's Law", Some(&s), "/disclosures", &body)).into_response()
}

fn party_fields(
    f: &FormData,
    prefix: &str,
    legend: &str,
    errors: &[FieldError],
    lookup: bool,
) -> String {
    let n = |name: &str| format!("{prefix}_{name}");
    format!(
        "<fieldset class=\"govuk-fieldset\"><legend class=\"govuk-fieldset__legend govuk-fieldset__legend--m\"><h2 class=\"govuk-fieldset__heading\">{}</h2></legend>{}{}{}{}{}{}{}</fieldset>",
        esc(legend),
        if lookup {
            Input::text(
                &n("id"),
                "Reference of a person already recorded (if known)",
                f.get(&n("id")),
            )
            .hint("For example, P0000123; or give their details below")
            .width("10")
            .render(errors)
        } else {
            String::new()
        },
        Input::text(&n("family_name"), "Family name", f.get(&n("family_name"))).render(errors),
        Input::text(&n("given_names"), "Given names", f.get(&n("given_names"))).render(errors),
        Input::text(
            &n("birth_date"),
            "Date of birth (if known)",
            f.get(&n("birth_date"))
        )
        .hint("For example, 31/08/1990")
        .width("10")
        .render(errors),
        radios(
            &n("sex"),
            "Sex",
            None,
            &[
                ("female", "Female"),
                ("male", "Male"),
                ("other", "Other"),
                ("unknown", "Not known")
            ],
            f.get(&n("sex")),
            true,
            errors
        ),
        Input::text(&n("address"), "Address", f.get(&n("address")))
            .width("30")
            .render(errors),
        Input::text(&n("postcode"), "Postcode", f.get(&n("postcode")))
            .width("10")
            .render(errors),
    )
}

fn new_page(
    app: &App,
    s: &Session,
    f: &FormData,
    errors: &[FieldError],
    duplicates: Option<&str>,
) -> String {
    let lookup =
        vigil_domain::access::allows(s.user.role, vigil_domain::access::Capability::Safeguard);
    let mut body = error_summary(errors);
    body.push_str(&back_link("/disclosures"));
    body.push_str(&h1("Record a right-to-ask application"));
    body.push_str(&p("Someone asks whether a partner has a history of abuse: the person at risk, or a third party for them. The decision is due within the force's limit; each stage is timed."));
    if let Some(d) = duplicates {
        body.push_str(&format!(
            "<div class=\"govuk-warning-text\"><span class=\"govuk-warning-text__icon\" aria-hidden=\"true\">!</span><strong class=\"govuk-warning-text__text\"><span class=\"govuk-visually-hidden\">Warning</span>{}</strong></div>",
            esc(d)
        ));
    }
    let area = match &s.user.lpa {
        Some(l) => p(&format!("Area: {} (yours).", esc(l.as_str()))),
        None => {
            let options: Vec<(String, String)> =
                std::iter::once((String::new(), "Choose the area".to_owned()))
                    .chain(app.lpas.iter().map(|l| (l.to_string(), l.to_string())))
                    .collect();
            select("lpa", "Area", &options, f.get("lpa"), errors)
        }
    };
    body.push_str(&format!(
        "<form method=\"post\" action=\"/disclosures\" novalidate>{}{}{}{}{}{}{}{}{}</form>",
        csrf(&s.csrf_token),
        radios(
            "applicant",
            "Who applies?",
            None,
            &[
                ("person_at_risk", "The person at risk"),
                ("third_party", "A third party, for them")
            ],
            f.get("applicant"),
            false,
            errors
        ),
        Input::text(
            "applicant_name",
            "A third party's name and connection",
            f.get("applicant_name")
        )
        .hint("For example, Jo Bloggs, the person at risk's mother")
        .render(errors),
        party_fields(f, "at_risk", "The person at risk", errors, lookup),
        party_fields(
            f,
            "subject",
            "The subject: the partner asked about",
            errors,
            lookup
        ),
        area,
        if duplicates.is_some() {
            checkbox(
                "confirm_new_people",
                "These are new people: record them",
                f.flag("confirm_new_people"),
                errors,
            )
        } else {
            String::new()
        },
        button("Record the application", None, false),
        String::new(),
    ));
    page_at(
        "Record a right-to-ask application",
        Some(s),
        "/disclosures",
        &body,
    )
}

/// `GET /disclosures/new`.
pub async fn new_form(State(app): State<Arc<App>>, SignedIn(s): SignedIn) -> Response {
    let may =
        vigil_domain::access::allows(s.user.role, vigil_domain::access::Capability::Safeguard)
            || (vigil_domain::access::allows(
                s.user.role,
                vigil_domain::access::Capability::ReadShared,
            ) && s.user.agency.is_some());
    if !may {
        return not_found_page(Some(&s));
    }
    Html(new_page(&app, &s, &FormData(Vec::new()), &[], None)).into_response()
}

/// `POST /disclosures`.
pub async fn create(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let input = ApplicationInput {
        at_risk: party_input(&f, "at_risk"),
        subject: party_input(&f, "subject"),
        applicant: f.get("applicant").to_owned(),
        applicant_name: f.get("applicant_name").to_owned(),
        lpa: f.get("lpa").to_owned(),
        confirm_new_people: f.flag("confirm_new_people"),
    };
    match service::apply_for_disclosure(&app, &s, &input).await {
        Ok(id) => {
            if vigil_domain::access::allows(
                s.user.role,
                vigil_domain::access::Capability::Safeguard,
            ) {
                Redirect::to(&format!("/disclosures/{id}")).into_response()
            } else {
                let body = format!(
                    "{}{}",
                    h1("Application recorded"),
                    p(&format!(
                        "Clare's Law application {id} is with the Central Referral Unit, which contacts the applicant."
                    ))
                );
                Html(page_at(
                    "Application recorded",
                    Some(&s),
                    "/disclosures/new",
                    &body,
                ))
                .into_response()
            }
        }
        Err(Failure::Invalid(errors)) => (
            StatusCode::BAD_REQUEST,
            Html(new_page(&app, &s, &f, &errors, None)),
        )
            .into_response(),
        Err(Failure::PossibleDuplicates { party, matches }) => {
            let said = format!(
                "People already recorded match the {}: {}. Give the reference of the one it is, or tick that these are new people.",
                if party == "at_risk" {
                    "person at risk"
                } else {
                    "subject"
                },
                matches
                    .iter()
                    .map(|m| format!(
                        "{} ({}{})",
                        crate::pages::full_name(m).unwrap_or_default(),
                        m.id,
                        m.birth_date
                            .map_or(String::new(), |b| format!(", born {}", long(b)))
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
            (
                StatusCode::CONFLICT,
                Html(new_page(&app, &s, &f, &[], Some(&said))),
            )
                .into_response()
        }
        Err(Failure::Forbidden | Failure::NotFound) => not_found_page(Some(&s)),
        Err(e) => failure_page(&s, e),
    }
}

fn stage_form(s: &Session, a: &Application, f: &FormData, errors: &[FieldError]) -> String {
    let Some(stage) = a.next_stage() else {
        return String::new();
    };
    let yes_no = [("true", "Yes"), ("false", "No")];
    let fields = match stage {
        Stage::Contact => format!(
            "{}{}",
            radios(
                "immediate_risk",
                "Is the person at risk in immediate danger?",
                Some(
                    "If so, safeguard them now: the application goes on, the safeguarding does not wait"
                ),
                &yes_no,
                f.get("immediate_risk"),
                true,
                errors
            ),
            textarea(
                "notes",
                "What the contact and risk screen found",
                None,
                f.get("notes"),
                errors
            )
        ),
        Stage::Meeting => format!(
            "{}{}",
            radios(
                "identity_verified",
                "Was the applicant's identity verified?",
                None,
                &yes_no,
                f.get("identity_verified"),
                true,
                errors
            ),
            textarea(
                "notes",
                "What the meeting covered",
                None,
                f.get("notes"),
                errors
            )
        ),
        Stage::Checks => format!(
            "{}{}",
            textarea(
                "police",
                "What the police's records hold on the subject",
                Some("Their abuse of any partner; 'Nothing held' is an answer"),
                f.get("police"),
                errors
            ),
            textarea(
                "partners",
                "What other agencies report",
                Some(
                    "Probation, children's and adult social care, health; 'Nothing reported' is an answer"
                ),
                f.get("partners"),
                errors
            )
        ),
        Stage::Panel => format!(
            "{}{}{}",
            radios(
                "pressing_need",
                "Is there a pressing need to disclose?",
                None,
                &yes_no,
                f.get("pressing_need"),
                true,
                errors
            ),
            radios(
                "lawful_necessary_proportionate",
                "Is disclosure lawful, necessary and proportionate?",
                None,
                &yes_no,
                f.get("lawful_necessary_proportionate"),
                true,
                errors
            ),
            textarea(
                "rationale",
                "The panel's rationale",
                None,
                f.get("rationale"),
                errors
            )
        ),
        Stage::Outcome => {
            let discloses = a.panel.as_ref().is_some_and(|p| p.discloses());
            format!(
                "{}{}{}{}",
                p(if discloses {
                    "The panel decided to disclose: to the person best placed to protect, who is asked to keep it confidential."
                } else {
                    "The panel decided not to disclose: give safety advice."
                }),
                Input::text(
                    "to_whom",
                    if discloses {
                        "Disclosed to"
                    } else {
                        "Advice given to"
                    },
                    f.get("to_whom")
                )
                .render(errors),
                textarea(
                    "said",
                    if discloses {
                        "What was disclosed"
                    } else {
                        "The safety advice"
                    },
                    None,
                    f.get("said"),
                    errors
                ),
                textarea(
                    "safety_plan",
                    "The safety plan",
                    None,
                    f.get("safety_plan"),
                    errors
                )
            )
        }
    };
    let mut out = format!(
        "{}<form method=\"post\" action=\"/disclosures/{}\" novalidate>{}<input type=\"hidden\" name=\"step\" value=\"{}\">{fields}{}</form>",
        h2(stage.words()),
        a.id,
        csrf(&s.csrf_token),
        stage.as_str(),
        button("Save this stage", None, false)
    );
    if a.panel.is_none() {
        out.push_str(&format!(
            "{}<form method=\"post\" action=\"/disclosures/{}\" novalidate>{}<input type=\"hidden\" name=\"step\" value=\"decline\">{}{}</form>",
            h2(if a.route == DisclosureRoute::RightToKnow { "Decline to proceed" } else { "Withdrawn" }),
            a.id,
            csrf(&s.csrf_token),
            textarea("reason", "Why it is not pursued", None, f.get("reason"), errors),
            button("Close the application", None, true)
        ));
    }
    out
}

fn one_page(app: &App, s: &Session, i: &DvdsItem, f: &FormData, errors: &[FieldError]) -> String {
    let a = &i.application;
    let mut body = error_summary(errors);
    body.push_str(&back_link("/disclosures"));
    body.push_str(&h1(&format!("Clare's Law application {}", a.id)));
    let who =
        |at: DateTime, by: &vigil_domain::access::Username| format!("{} by {}", long_time(at), by);
    let mut rows = vec![
        ("Route", esc(route_words(a.route))),
        ("Person at risk", esc(&name(i, &a.at_risk_id))),
        ("Subject", esc(&name(i, &a.subject_id))),
        (
            "Applicant",
            esc(&match a.applicant {
                vigil_domain::dvds::Applicant::ThirdParty => {
                    format!("A third party: {}", a.applicant_name)
                }
                vigil_domain::dvds::Applicant::PersonAtRisk => "The person at risk".to_owned(),
                _ => "The police, on what they hold".to_owned(),
            }),
        ),
        ("Received", esc(&who(a.received_at, &a.received_by))),
        ("Decision due", esc(&long_time(a.decision_due(&app.rules)))),
        ("Next stage", next_cell(app, a)),
    ];
    if let Some(inc) = &a.incident_id {
        rows.push(("Incident", crate::pages::link_case(inc.as_str())));
    }
    if !a.evidence.is_empty() {
        rows.push((
            "Evidence: the subject's earlier incidents against other partners",
            a.evidence
                .iter()
                .map(|e| crate::pages::link_case(e.as_str()))
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    if let Some((at, by, risk, notes)) = &a.contact {
        rows.push((
            "Contact",
            format!(
                "{}{}: {}",
                if *risk {
                    format!("{} ", tag("Immediate risk", "red"))
                } else {
                    String::new()
                },
                esc(&who(*at, by)),
                esc(notes)
            ),
        ));
    }
    if let Some((at, by, _, notes)) = &a.meeting {
        rows.push((
            "Meeting (identity verified)",
            format!("{}: {}", esc(&who(*at, by)), esc(notes)),
        ));
    }
    if let Some((at, by, police, partners)) = &a.checks {
        rows.push((
            "Checks",
            format!(
                "{}. Police: {}. Other agencies: {}",
                esc(&who(*at, by)),
                esc(police),
                esc(partners)
            ),
        ));
    }
    if let Some(p) = &a.panel {
        rows.push((
            "Panel",
            format!(
                "{}. Pressing need: {}; lawful, necessary and proportionate: {}. <strong>{}</strong>. {}",
                esc(&who(p.at, &p.by)),
                if p.pressing_need { "yes" } else { "no" },
                if p.lawful_necessary_proportionate { "yes" } else { "no" },
                if p.discloses() { "Disclose" } else { "Do not disclose" },
                esc(&p.rationale)
            ),
        ));
    }
    if let Some(o) = &a.outcome {
        rows.push((
            if o.disclosed {
                "Disclosure"
            } else {
                "Safety advice"
            },
            format!(
                "{} to {}: {}. Safety plan: {}",
                esc(&who(o.at, &o.by)),
                esc(&o.to_whom),
                esc(&o.said),
                esc(&o.safety_plan)
            ),
        ));
    }
    if let Some((at, by, why)) = &a.declined {
        rows.push((
            "Not pursued",
            format!("{}: {}", esc(&who(*at, by)), esc(why)),
        ));
    }
    body.push_str(&summary_list(&rows));
    body.push_str(&stage_form(s, a, f, errors));
    page_at("Clare's Law application", Some(s), "/disclosures", &body)
}

/// `GET /disclosures/{id}`.
pub async fn one(
    State(app): State<Arc<App>>,
    SignedIn(s): SignedIn,
    Path(raw): Path<String>,
) -> Response {
    match service::dvds_one(&app, &s, &raw).await {
        Ok(i) => Html(one_page(&app, &s, &i, &FormData(Vec::new()), &[])).into_response(),
        Err(Failure::Forbidden | Failure::NotFound) => not_found_page(Some(&s)),
        Err(e) => failure_page(&s, e),
    }
}

pub fn step_input(f: &FormData) -> DvdsStepInput {
    let yes = |k: &str| match f.get(k) {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    };
    DvdsStepInput {
        step: f.get("step").to_owned(),
        immediate_risk: yes("immediate_risk"),
        identity_verified: yes("identity_verified"),
        notes: f.get("notes").to_owned(),
        police: f.get("police").to_owned(),
        partners: f.get("partners").to_owned(),
        pressing_need: yes("pressing_need"),
        lawful_necessary_proportionate: yes("lawful_necessary_proportionate"),
        rationale: f.get("rationale").to_owned(),
        to_whom: f.get("to_whom").to_owned(),
        said: f.get("said").to_owned(),
        safety_plan: f.get("safety_plan").to_owned(),
        reason: f.get("reason").to_owned(),
    }
}

/// `POST /disclosures/{id}`: a stage.
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
    let done = service::dvds_step(&app, &s, &raw, &step_input(&f))
        .await
        .map(|_| ());
    match done {
        Ok(()) => Redirect::to(&format!("/disclosures/{}", raw.trim())).into_response(),
        Err(Failure::Invalid(errors)) => match service::dvds_one(&app, &s, &raw).await {
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

/// `POST /cases/{id}/right-to-know`: the CRU opens the application the screen prompted.
pub async fn open_right_to_know(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let (s, _) = match signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match service::open_right_to_know(&app, &s, &raw).await {
        Ok(id) => Redirect::to(&format!("/disclosures/{id}")).into_response(),
        Err(Failure::Forbidden | Failure::NotFound) => not_found_page(Some(&s)),
        Err(e) => failure_page(&s, e),
    }
}

/// The CRU's home page: its applications with a stage overdue.
pub async fn work_section(app: &App, s: &Session) -> String {
    if !vigil_domain::access::allows(s.user.role, vigil_domain::access::Capability::Safeguard) {
        return String::new();
    }
    let Ok(items) = service::dvds_list(app, s, true).await else {
        return p("The Clare's Law applications could not be read just now; try again shortly.");
    };
    let now = app.now();
    let late: Vec<&DvdsItem> = items
        .iter()
        .filter(|i| service::next_due(app, &i.application).is_some_and(|(_, d)| d < now))
        .collect();
    let mut out = h2("Clare's Law applications");
    out.push_str(&p(&format!(
        "{} open, {} with a stage overdue. {}",
        items.len(),
        late.len(),
        link("/disclosures", "See them all")
    )));
    if !late.is_empty() {
        out.push_str(&table(
            "Overdue Clare's Law stages",
            &["Application", "Person at risk", "Next stage, due"],
            late.iter()
                .take(20)
                .map(|i| {
                    vec![
                        link(
                            &format!("/disclosures/{}", i.application.id),
                            i.application.id.as_str(),
                        ),
                        esc(&name(i, &i.application.at_risk_id)),
                        next_cell(app, &i.application),
                    ]
                })
                .collect(),
        ));
    }
    out
}
