//! A case: the incident and everything recorded against it (offences, risk history,
//! arrests, referrals, orders, a timeline), the routing and the actions due; and the pages
//! that add to it: an offence, an arrest, a referral, a risk assessment, an outcome.

use crate::App;
use crate::components::*;
use crate::forms::{FormData, dash_fields, dash_fields_after, dash_input};
use crate::layout::page;
use crate::pages::{failure_page, link_person};
use crate::service::{
    self, ArrestInput, Failure, OffenceInput, OutcomeInput, ReferralInput, case_actions,
    case_routing, current_grade,
};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::sync::Arc;
use vigil_domain::access::{Capability, allows};
use vigil_domain::risk::AssessmentStage;
use vigil_domain::routing::Safeguarding;
use vigil_store::{CaseFile, Session};

#[derive(Deserialize)]
pub struct CaseQuery {
    #[serde(default)]
    recorded: Option<String>,
    #[serde(default)]
    saved: Option<String>,
}

fn team_name(t: vigil_domain::InvestigatingTeam) -> &'static str {
    match t {
        vigil_domain::InvestigatingTeam::Lpt => "Local Policing Team",
        vigil_domain::InvestigatingTeam::Dait => "Domestic Abuse Investigation Team (DAIT)",
        vigil_domain::InvestigatingTeam::Cid => "CID (the DAIT is at capacity)",
        vigil_domain::InvestigatingTeam::Other => "another team",
    }
}

fn safeguarding_name(s: Safeguarding) -> &'static str {
    match s {
        Safeguarding::Lpt => "Local Policing Team",
        Safeguarding::Dait => "DAIT",
        Safeguarding::Cru => "Central Referral Unit (CRU)",
    }
}

/// Everything on the case in time order.
fn timeline(c: &CaseFile) -> Vec<(vigil_domain::DateTime, String)> {
    let mut t = vec![(c.incident.reported_at, "Call received".to_owned())];
    if let Some(a) = c.incident.arrived_at {
        t.push((a, "First officer arrived".into()));
    }
    for a in &c.assessments {
        t.push((
            a.assessed_at,
            format!(
                "{} risk assessment: {} ({} yes{})",
                if a.stage == AssessmentStage::Primary {
                    "Primary"
                } else {
                    "Secondary"
                },
                a.grade,
                a.yes_count,
                if a.judgement_raised {
                    ", raised by professional judgement"
                } else {
                    ""
                }
            ),
        ));
    }
    for o in &c.offences {
        t.push((
            o.recorded_date.and_hms_opt(0, 0, 0).expect("midnight"),
            format!(
                "Crime recorded: {} ({})",
                o.offence_group.as_str().replace('_', " "),
                o.id
            ),
        ));
        if let Some(x) = o.outcome {
            t.push((
                x.date.and_hms_opt(0, 0, 0).expect("midnight"),
                format!("Outcome {} on {}: {}", x.code, o.id, x.code.description()),
            ));
        }
    }
    for a in &c.arrests {
        t.push((a.arrested_at, format!("Arrest of {}", a.person_id)));
    }
    for r in &c.referrals {
        t.push((
            r.referred_at,
            format!("Referral to {}", r.kind.as_str().to_uppercase()),
        ));
    }
    for o in &c.orders {
        t.push((
            o.issued_at,
            format!("{} issued", o.kind.as_str().to_uppercase()),
        ));
    }
    t.sort_by_key(|(at, _)| *at);
    t
}

pub async fn case(
    State(app): State<Arc<App>>,
    crate::pages::SignedIn(s): crate::pages::SignedIn,
    Path(raw): Path<String>,
    Query(q): Query<CaseQuery>,
) -> Response {
    let c = match service::read_case(&app, &s, &raw).await {
        Ok(c) => c,
        Err(f) => return failure_page(&s, f),
    };
    let (routing, actions) = match (case_routing(&app, &c).await, case_actions(&app, &c).await) {
        (Ok(r), Ok(a)) => (r, a),
        (Err(f), _) | (_, Err(f)) => return failure_page(&s, f),
    };
    // The parties' names beside their references, for a role that may see them (the case
    // read is audited; so is each person shown).
    let names = match service::Names::of_case(&app, &s, &c).await {
        Ok(n) => n,
        Err(f) => return failure_page(&s, f),
    };
    let work = match app.store.case_work(&c.incident.id).await {
        Ok(w) => w,
        Err(e) => return failure_page(&s, e.into()),
    };
    let live = service::LiveCase {
        file: c.clone(),
        work,
    };
    let i = &c.incident;
    let id = i.id.as_str();
    let role = s.user.role;
    let mut body = String::new();
    if q.recorded.is_some() {
        body.push_str(&banner(
            "Success",
            &format!("Incident recorded: case {id}"),
            &p(if current_grade(&c).is_some() {
                "The case has been routed. Its tasks are listed below."
            } else {
                "The case awaits its primary risk assessment: it is routed once the DASH is recorded. Its tasks are listed below."
            }),
            true,
        ));
    } else if let Some(what) = q.saved.as_deref() {
        let what = match what {
            "offence" => "Offence added",
            "arrest" => "Arrest recorded",
            "referral" => "Referral made",
            "notice_decision" => "Decision on a protective notice recorded",
            "assessment" => "Risk assessment recorded",
            "outcome" => "Outcome recorded",
            "note" => "Note added",
            "allocate" => "Allocation saved",
            "status" => "Status changed",
            "withdrawal" => "Withdrawal recorded",
            "victim-contact" => "Contact with the victim recorded",
            "review" => "Review recorded",
            "correct" => "Incident corrected",
            _ => "Saved",
        };
        body.push_str(&banner("Success", what, "", true));
    }
    body.push_str(&format!(
        "<span class=\"govuk-caption-l\">Case</span>{}",
        h1(id)
    ));
    // A serial perpetrator as the suspect: said at the top, at intake and after.
    let serial = match &i.suspect_id {
        Some(sid) => service::serial_flag(&app, sid).await.unwrap_or(None),
        None => None,
    };
    if let Some(n) = serial {
        body.push_str(&warning(&format!(
            "The suspect is a serial perpetrator: {n} different victims in the {} years to today.",
            app.rules.cohort.config.serial_years
        )));
    }
    body.push_str(&summary_list(&[
        ("Reported", when(i.reported_at)),
        ("Local Policing Area", esc(i.lpa.as_str())),
        ("Call grade", words(i.call_grade.as_str())),
        (
            "First officer arrived",
            i.arrived_at.map_or("not attended".into(), when),
        ),
        ("Victim", names.label(role, &i.victim_id)),
        (
            "Suspect",
            i.suspect_id
                .as_ref()
                .map_or("not known".into(), |p| names.label(role, p)),
        ),
        ("Relationship", words(i.relationship.as_str())),
        ("Children present", yes_no(Some(i.children_present)).into()),
        (
            "Risk",
            format!(
                "{} {}",
                risk_tag(current_grade(&c)),
                i.dash_yes_count
                    .map_or(String::new(), |n| format!("(primary DASH: {n} yes)"))
            ),
        ),
    ]));

    body.push_str(&h2("Routing"));
    body.push_str(&match routing {
        Some(r) => summary_list(&[
            ("Investigation", esc(team_name(r.investigation))),
            ("Safeguarding", esc(safeguarding_name(r.safeguarding))),
        ]),
        None => p(
            "Awaiting assessment: the case is routed once the primary risk assessment is recorded.",
        ),
    });
    // The children named on the incident, with their schools.
    if !live.file.children.is_empty() {
        let mut rows = Vec::new();
        for c in &live.file.children {
            let person = app.store.person(&c.person_id).await.ok().map(|p| p.record);
            rows.push(vec![
                person_label(
                    s.user.role,
                    c.person_id.as_str(),
                    person
                        .as_ref()
                        .and_then(|p| p.identity.family_name.as_deref()),
                    person
                        .as_ref()
                        .and_then(|p| p.identity.given_names.as_deref()),
                ),
                person
                    .as_ref()
                    .and_then(|p| p.birth_date)
                    .map_or("not recorded".to_owned(), |b| {
                        esc(&vigil_domain::dates::long(b))
                    }),
                esc(c.school.as_deref().unwrap_or("none recorded")),
            ]);
        }
        body.push_str(&table(
            "Children present",
            &["Child", "Date of birth", "School"],
            rows,
        ));
    }
    body.push_str(&crate::case_work::section(&s, &live, app.now()));
    // Before telling the victim of a decision: how they want to be contacted.
    if allows(s.user.role, Capability::SeeAddresses)
        && let Ok(contact) = app
            .store
            .contact_preferences(&live.file.incident.victim_id)
            .await
    {
        body.push_str(&crate::contact::summary_line(
            &live.file.incident.victim_id,
            contact.as_ref(),
        ));
    }
    // What the rules ask for that no open task holds: a case from the records system
    // whose clocks started when it was first worked in Vigil (its past is not a task), or
    // one nobody has worked yet.
    let held = |kind: vigil_domain::tasks::TaskKind| {
        live.work
            .tasks
            .iter()
            .any(|t| t.kind == kind && t.is_open())
    };
    let due: Vec<String> = actions
        .iter()
        .filter(|a| {
            use vigil_domain::safeguarding::Action as A;
            use vigil_domain::tasks::TaskKind as K;
            match a {
                A::MaracReferral(_) => !held(K::MaracReferral),
                A::IdvaReferral => !held(K::IdvaContact),
                A::Encompass { .. } => !held(K::Encompass),
                A::SecondaryAssessment => !held(K::SecondaryAssessment),
                A::ClaresLawRightToKnow { .. } => false,
            }
        })
        .map(|a| format!("<li>{}</li>", esc(&a.describe())))
        .collect();
    if !due.is_empty() {
        body.push_str(&h2("Also due"));
        body.push_str(&p("The rules ask for these; they are not timed tasks on this case because they fell due before Vigil began to work it:"));
        body.push_str(&format!(
            "<ul class=\"govuk-list govuk-list--bullet\">{}</ul>",
            due.join("")
        ));
    }
    // Where no arrest or charge was possible: consider a protective notice, and say.
    let notice_prompt = service::notice_prompt(&app, &c, &live.work.log)
        .await
        .unwrap_or(None);
    if let Some(why) = &notice_prompt
        && (allows(role, Capability::RecordInvestigation) || allows(role, Capability::Safeguard))
    {
        body.push_str(&h2("Consider a protective notice"));
        body.push_str(&p(&format!(
            "{}. {}",
            esc(why),
            link(
                &format!("/cases/{id}/notices/new"),
                "Apply for a protective notice"
            )
        )));
        body.push_str(&format!(
            "<form method=\"post\" action=\"/cases/{id}/notice-decision\" novalidate>{}{}{}{}</form>",
            csrf(&s.csrf_token),
            radios(
                "decision",
                "Your decision",
                None,
                &[("applied", "A notice is being applied for"), ("not_applied", "No notice: say why")],
                "",
                false,
                &[]
            ),
            textarea("reason", "Why", Some("For example: the victim has moved to a refuge the suspect does not know"), "", &[]),
            button("Record the decision", None, true)
        ));
    }
    // Prompts that are not clocks: considered, not timed.
    let prompts: Vec<String> = actions
        .iter()
        .filter(|a| {
            matches!(
                a,
                vigil_domain::safeguarding::Action::ClaresLawRightToKnow { .. }
            )
        })
        .map(|a| format!("<li>{}</li>", esc(&a.describe())))
        .collect();
    if !prompts.is_empty() {
        body.push_str(&h2("To consider"));
        body.push_str(&format!(
            "<ul class=\"govuk-list govuk-list--bullet\">{}</ul>",
            prompts.join("")
        ));
        // The CRU opens the right-to-know application from here, the evidence listed.
        if allows(role, Capability::Safeguard) {
            body.push_str(&format!(
                "<form method=\"post\" action=\"/cases/{id}/right-to-know\" novalidate>{}{}</form>",
                csrf(&s.csrf_token),
                button("Open a right-to-know application", None, true)
            ));
        }
    }
    // What this user can add, as buttons to one-task pages.
    let mut buttons = Vec::new();
    if (allows(role, Capability::RecordInvestigation) || allows(role, Capability::Safeguard))
        && c.incident.suspect_id.is_some()
    {
        buttons.push((
            format!("/cases/{id}/notices/new"),
            "Apply for a protective notice",
        ));
    }
    if current_grade(&c).is_none() && allows(role, Capability::RecordIncident) {
        buttons.push((
            format!("/cases/{id}/assessments/new?stage=primary"),
            "Record the primary risk assessment",
        ));
    }
    if allows(role, Capability::SecondaryAssessment) && current_grade(&c).is_some() {
        buttons.push((
            format!("/cases/{id}/assessments/new?stage=secondary"),
            "Secondary risk assessment",
        ));
    }
    if allows(role, Capability::RecordInvestigation) {
        buttons.push((format!("/cases/{id}/offences/new"), "Add an offence"));
        buttons.push((format!("/cases/{id}/arrests/new"), "Record an arrest"));
    }
    if allows(role, Capability::RecordInvestigation) || allows(role, Capability::Safeguard) {
        buttons.push((format!("/cases/{id}/referrals/new"), "Make a referral"));
    }
    if !buttons.is_empty() {
        body.push_str("<div class=\"govuk-button-group\">");
        for (href, text) in buttons {
            body.push_str(&format!(
                "<a href=\"{}\" role=\"button\" draggable=\"false\" class=\"govuk-button govuk-button--secondary\" data-module=\"govuk-button\">{}</a>",
                esc(&href),
                esc(text)
            ));
        }
        body.push_str("</div>");
    }
    let can_outcome = allows(role, Capability::RecordInvestigation);
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
                    words(o.offence_group.as_str()),
                    o.offence_date.to_string(),
                    o.recorded_date.to_string(),
                    risk_tag(o.risk_level),
                    o.team.as_str().to_uppercase(),
                    match o.outcome {
                        Some(x) => {
                            format!("{} – {} ({})", x.code, esc(x.code.description()), x.date)
                        }
                        None if can_outcome => format!(
                            "open: {}",
                            link(&format!("/offences/{}/outcome", o.id), "record the outcome")
                        ),
                        None => "open".into(),
                    },
                ]
            })
            .collect(),
    ));
    body.push_str(&table(
        "Risk history",
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
                    risk_tag(Some(a.grade)),
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
                    a.disposal.map_or("pending".into(), |d| words(d.as_str())),
                ]
            })
            .collect(),
    ));
    body.push_str(&table(
        "Referrals",
        &["Referral", "To", "Person", "Made", "By", "Consent"],
        c.referrals
            .iter()
            .map(|r| {
                vec![
                    esc(r.id.as_str()),
                    r.kind.as_str().to_uppercase(),
                    link_person(r.person_id.as_str()),
                    when(r.referred_at),
                    words(r.agency.as_str()),
                    yes_no(r.consent).into(),
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
    body.push_str(&table(
        "Timeline",
        &["When", "What"],
        timeline(&c)
            .into_iter()
            .map(|(at, what)| vec![when(at), esc(&what)])
            .collect(),
    ));
    Html(page(&format!("Case {id}"), Some(&s), &body)).into_response()
}

/// The one-task pages that add to a case.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Task {
    Offence,
    Arrest,
    Referral,
    Assessment(AssessmentStage),
}

impl Task {
    fn title(self) -> &'static str {
        match self {
            Task::Offence => "Add an offence",
            Task::Arrest => "Record an arrest",
            Task::Referral => "Make a referral",
            Task::Assessment(AssessmentStage::Primary) => "Primary risk assessment",
            Task::Assessment(AssessmentStage::Secondary) => "Secondary risk assessment",
        }
    }

    fn path(self, id: &str) -> String {
        match self {
            Task::Offence => format!("/cases/{id}/offences/new"),
            Task::Arrest => format!("/cases/{id}/arrests/new"),
            Task::Referral => format!("/cases/{id}/referrals/new"),
            Task::Assessment(stage) => format!("/cases/{id}/assessments/new?stage={stage}"),
        }
    }

    fn allowed(self, s: &Session) -> bool {
        let r = s.user.role;
        match self {
            Task::Offence | Task::Arrest => allows(r, Capability::RecordInvestigation),
            Task::Referral => {
                allows(r, Capability::RecordInvestigation) || allows(r, Capability::Safeguard)
            }
            Task::Assessment(AssessmentStage::Primary) => allows(r, Capability::RecordIncident),
            Task::Assessment(AssessmentStage::Secondary) => {
                allows(r, Capability::SecondaryAssessment)
            }
        }
    }
}

fn task_fields(task: Task, c: &CaseFile, f: &FormData, errors: &[FieldError]) -> String {
    match task {
        Task::Offence => {
            let groups: Vec<(String, String)> =
                std::iter::once((String::new(), "Choose the offence".to_owned()))
                    .chain(
                        vigil_domain::OffenceGroup::ALL
                            .iter()
                            .map(|g| (g.as_str().to_owned(), g.as_str().replace('_', " "))),
                    )
                    .collect();
            format!(
                "{}{}{}{}{}{}",
                select(
                    "offence_group",
                    "Offence",
                    &groups,
                    f.get("offence_group"),
                    errors
                ),
                select(
                    "ho_code",
                    "Home Office offence code",
                    &std::iter::once((String::new(), "Not known yet".to_owned()))
                        .chain(vigil_domain::offence_codes::CATALOGUE.iter().map(|c| {
                            (c.code.to_owned(), format!("{} – {}", c.code, c.title))
                        }))
                        .collect::<Vec<_>>(),
                    f.get("ho_code"),
                    errors
                ),
                Input::text("offence_date", "Date committed", f.get("offence_date"))
                    .hint("For example, 31/08/2019")
                    .width("10")
                    .render(errors),
                Input::text(
                    "recorded_date",
                    "Date recorded as a crime",
                    f.get("recorded_date")
                )
                .hint("Leave empty for today")
                .width("10")
                .render(errors),
                checkbox(
                    "bwv_captured",
                    "Body-worn video captured evidence",
                    f.flag("bwv_captured"),
                    errors
                ),
                radios(
                    "team",
                    "Investigating team",
                    Some("Leave as routed unless a supervisor has directed otherwise"),
                    &[
                        ("", "As routed"),
                        ("lpt", "LPT"),
                        ("dait", "DAIT"),
                        ("cid", "CID")
                    ],
                    f.get("team"),
                    true,
                    errors
                ),
            )
        }
        Task::Arrest => {
            let mut people = vec![];
            if let Some(sus) = &c.incident.suspect_id {
                people.push((sus.to_string(), format!("{sus} (suspect)")));
            }
            people.push((
                c.incident.victim_id.to_string(),
                format!("{} (victim)", c.incident.victim_id),
            ));
            let mut offences = vec![(String::new(), "Not for a particular offence".to_owned())];
            offences.extend(c.offences.iter().map(|o| {
                (
                    o.id.to_string(),
                    format!("{} – {}", o.id, o.offence_group.as_str().replace('_', " ")),
                )
            }));
            let disposals: Vec<(String, String)> =
                std::iter::once((String::new(), "Pending".to_owned()))
                    .chain(
                        vigil_domain::ArrestDisposal::ALL
                            .iter()
                            .map(|d| (d.as_str().to_owned(), d.as_str().replace('_', " "))),
                    )
                    .collect();
            format!(
                "{}{}{}{}{}",
                select(
                    "person_id",
                    "Person arrested",
                    &people,
                    f.get("person_id"),
                    errors
                ),
                select(
                    "offence_id",
                    "For the offence",
                    &offences,
                    f.get("offence_id"),
                    errors
                ),
                Input::text("arrested_at", "When arrested", f.get("arrested_at"))
                    .hint("Date and time, for example 31/08/2019 23:10")
                    .width("20")
                    .render(errors),
                radios(
                    "bwv_shown_in_interview",
                    "Was body-worn video shown in interview?",
                    None,
                    &[("yes", "Yes"), ("no", "No"), ("not_known", "Not known yet")],
                    f.get("bwv_shown_in_interview"),
                    true,
                    errors
                ),
                select(
                    "disposal",
                    "Disposal",
                    &disposals,
                    f.get("disposal"),
                    errors
                ),
            )
        }
        Task::Referral => format!(
            "{}{}{}{}{}{}{}",
            radios(
                "kind",
                "Refer the victim to",
                None,
                &[
                    ("marac", "MARAC"),
                    ("idva", "An IDVA"),
                    ("mash", "The MASH"),
                    ("encompass", "Operation Encompass (the children's school)"),
                    ("other", "Another service")
                ],
                f.get("kind"),
                false,
                errors
            ),
            radios(
                "consent",
                "Did the victim consent?",
                Some("A MARAC referral of a high-risk victim can go ahead without consent"),
                &[("yes", "Yes"), ("no", "No"), ("not_known", "Not asked")],
                f.get("consent"),
                true,
                errors
            ),
            if c.children.len() > 1 {
                let options: Vec<(String, String)> =
                    std::iter::once((String::new(), "Choose the child".to_owned()))
                        .chain(c.children.iter().map(|ch| {
                            (
                                ch.person_id.to_string(),
                                format!(
                                    "{} ({})",
                                    ch.person_id,
                                    ch.school.as_deref().unwrap_or("no school recorded")
                                ),
                            )
                        }))
                        .collect();
                select(
                    "child_id",
                    "For Operation Encompass: the child whose school is told",
                    &options,
                    f.get("child_id"),
                    errors,
                )
            } else {
                String::new()
            },
            textarea(
                "circumstances",
                "For Operation Encompass: brief circumstances",
                Some(
                    "What the school needs to support the child, up to 500 characters. Never the suspect's details or an address"
                ),
                f.get("circumstances"),
                errors
            ),
            textarea(
                "voice_of_child",
                "For Operation Encompass: the voice of the child (optional)",
                Some("What the child said or showed, in their words where possible"),
                f.get("voice_of_child"),
                errors
            ),
            crate::marac::referral_form_fields(f, errors),
            crate::mash::referral_fields(f, errors),
        ),
        Task::Assessment(AssessmentStage::Primary) => dash_fields(f, errors),
        // A reassessment opens with the primary answers and shows what changed.
        Task::Assessment(AssessmentStage::Secondary) => {
            let primary = c
                .assessments
                .iter()
                .filter(|a| {
                    a.stage == AssessmentStage::Primary
                        && a.instrument == vigil_domain::risk::InstrumentKind::Dash
                })
                .max_by_key(|a| a.assessed_at)
                .map(|a| a.answers.as_str());
            dash_fields_after(f, errors, primary)
        }
    }
}

fn task_page(task: Task, s: &Session, c: &CaseFile, f: &FormData, errors: &[FieldError]) -> String {
    let id = c.incident.id.as_str();
    let body = format!(
        "{}{}<span class=\"govuk-caption-l\">Case {}</span>{}<form method=\"post\" action=\"{}\" novalidate>{}{}{}</form>",
        back_link(&format!("/cases/{id}")),
        error_summary(errors),
        esc(id),
        h1(task.title()),
        esc(&task.path(id)),
        csrf(&s.csrf_token),
        task_fields(task, c, f, errors),
        button("Save", Some(("action", "save")), false)
    );
    page(task.title(), Some(s), &body)
}

#[derive(Deserialize)]
pub struct StageQuery {
    #[serde(default)]
    stage: String,
}

fn task_of(kind: &str, stage: &str) -> Option<Task> {
    match (kind, stage) {
        ("offences", _) => Some(Task::Offence),
        ("arrests", _) => Some(Task::Arrest),
        ("referrals", _) => Some(Task::Referral),
        ("assessments", "primary") => Some(Task::Assessment(AssessmentStage::Primary)),
        ("assessments", "secondary") => Some(Task::Assessment(AssessmentStage::Secondary)),
        _ => None,
    }
}

pub async fn task_form(
    State(app): State<Arc<App>>,
    crate::pages::SignedIn(s): crate::pages::SignedIn,
    Path((raw, kind)): Path<(String, String)>,
    Query(q): Query<StageQuery>,
) -> Response {
    let Some(task) = task_of(&kind, &q.stage) else {
        return crate::pages::not_found_page(Some(&s));
    };
    let c = match service::read_case(&app, &s, &raw).await {
        Ok(c) => c,
        Err(f) => return failure_page(&s, f),
    };
    if !task.allowed(&s) {
        return crate::pages::forbidden_page(&s);
    }
    Html(task_page(task, &s, &c, &FormData(Vec::new()), &[])).into_response()
}

pub async fn task_save(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path((raw, kind)): Path<(String, String)>,
    Query(q): Query<StageQuery>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match crate::pages::signed_form(&app, &headers, fields).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(task) = task_of(&kind, &q.stage) else {
        return crate::pages::not_found_page(Some(&s));
    };
    if task.allowed(&s) && f.get("action") == "check" {
        // The no-JavaScript running count: show the form again with the answers kept. It
        // shows the case, so it is a read of the case like any other: audited.
        return match service::read_case(&app, &s, &raw).await {
            Ok(c) => Html(task_page(task, &s, &c, &f, &[])).into_response(),
            Err(e) => failure_page(&s, e),
        };
    }
    let result = match task {
        Task::Offence => service::add_offence(
            &app,
            &s,
            &raw,
            &OffenceInput {
                offence_group: f.get("offence_group").into(),
                ho_code: f.get("ho_code").into(),
                offence_date: f.get("offence_date").into(),
                recorded_date: f.get("recorded_date").into(),
                bwv_captured: f.flag("bwv_captured"),
                team: f.get("team").into(),
            },
        )
        .await
        .map(|_| "offence"),
        Task::Arrest => service::add_arrest(
            &app,
            &s,
            &raw,
            &ArrestInput {
                person_id: f.get("person_id").into(),
                offence_id: f.get("offence_id").into(),
                arrested_at: f.get("arrested_at").into(),
                bwv_shown_in_interview: f.get("bwv_shown_in_interview").into(),
                disposal: f.get("disposal").into(),
            },
        )
        .await
        .map(|_| "arrest"),
        Task::Referral => service::add_referral(
            &app,
            &s,
            &raw,
            &ReferralInput {
                kind: f.get("kind").into(),
                consent: f.get("consent").into(),
                child_id: f.get("child_id").into(),
                voice_of_child: f.get("voice_of_child").into(),
                circumstances: f.get("circumstances").into(),
                referrer_phone: f.get("referrer_phone").into(),
                victim_wishes: f.get("victim_wishes").into(),
                consent_sought: f.get("consent_sought").into(),
                judgement_reason: f.get("judgement_reason").into(),
                disability: f.get("disability").into(),
                sexuality: f.get("sexuality").into(),
                transgender: f.get("transgender").into(),
                transferred_from: f.get("transferred_from").into(),
                mash_about: f.get("mash_about").into(),
                concern: f.get("concern").into(),
            },
        )
        .await
        .map(|_| "referral"),
        Task::Assessment(stage) => service::add_assessment(&app, &s, &raw, stage, &dash_input(&f))
            .await
            .map(|_| "assessment"),
    };
    match result {
        Ok(what) => Redirect::to(&format!("/cases/{raw}?saved={what}")).into_response(),
        Err(Failure::Invalid(errors)) => {
            // The case was readable (the use case got as far as validating), so show the
            // form again with the user's answers and the problems.
            let c = match vigil_domain::IncidentId::parse(&raw) {
                Ok(id) => app.store.case_file(&id).await,
                Err(_) => return crate::pages::not_found_page(Some(&s)),
            };
            match c {
                Ok(c) => (
                    StatusCode::BAD_REQUEST,
                    Html(task_page(task, &s, &c, &f, &errors)),
                )
                    .into_response(),
                Err(_) => crate::pages::problem(),
            }
        }
        Err(other) => failure_page(&s, other),
    }
}

fn outcome_page(
    s: &Session,
    o: &vigil_domain::Offence,
    version: i64,
    f: &FormData,
    errors: &[FieldError],
) -> String {
    let codes: Vec<(String, String)> =
        std::iter::once((String::new(), "Choose the outcome".to_owned()))
            .chain(vigil_domain::OutcomeCode::all().map(|c| {
                (
                    c.as_str().to_owned(),
                    format!("{} – {}", c.as_str(), c.description()),
                )
            }))
            .collect();
    let version_value = if f.get("version").is_empty() {
        version.to_string()
    } else {
        f.get("version").to_owned()
    };
    let confirm =
        if errors.iter().any(|e| e.field == "confirm_warnings") || f.flag("confirm_warnings") {
            checkbox(
                "confirm_warnings",
                "I have read the warning and this is the right outcome",
                f.flag("confirm_warnings"),
                errors,
            )
        } else {
            String::new()
        };
    // A changed outcome keeps the old one with the reason; a supervisor authorising a
    // community resolution on a serious case says why.
    let change_reason = if o.outcome.is_some() || errors.iter().any(|e| e.field == "reason") {
        textarea(
            "reason",
            "Why the outcome changes",
            Some(
                "Needed to change an outcome already given: the previous one is kept on the case log.",
            ),
            f.get("reason"),
            errors,
        )
    } else {
        String::new()
    };
    let authorisation = if allows(s.user.role, Capability::AllocateCases)
        || errors.iter().any(|e| e.field == "authorisation")
    {
        textarea(
            "authorisation",
            "Supervisor's authorisation (community resolution)",
            Some(
                "Outcome 8 on a medium or high risk case, or on violence with injury, needs your reason for authorising it.",
            ),
            f.get("authorisation"),
            errors,
        )
    } else {
        String::new()
    };
    let body = format!(
        "{}{}<span class=\"govuk-caption-l\">Offence {} on case {}</span>{}{}<form method=\"post\" action=\"/offences/{}/outcome\" novalidate>{}<input type=\"hidden\" name=\"version\" value=\"{}\">{}{}{}{}{}{}</form>",
        back_link(&format!("/cases/{}", o.incident_id)),
        error_summary(errors),
        esc(o.id.as_str()),
        esc(o.incident_id.as_str()),
        h1("Record the outcome"),
        summary_list(&[
            ("Offence", words(o.offence_group.as_str())),
            ("Recorded", esc(&vigil_domain::dates::long(o.recorded_date))),
            (
                "Current outcome",
                o.outcome.map_or("None yet".to_owned(), |out| {
                    esc(&format!(
                        "{} – {}, {}",
                        out.code,
                        out.code.description(),
                        vigil_domain::dates::long(out.date)
                    ))
                }),
            ),
        ]),
        esc(o.id.as_str()),
        csrf(&s.csrf_token),
        esc(&version_value),
        select("code", "Outcome", &codes, f.get("code"), errors),
        Input::text("date", "Date of the outcome", f.get("date"))
            .hint("Leave empty for today")
            .width("10")
            .render(errors),
        checkbox(
            "victim_withdrawal_recorded",
            "The victim's withdrawal of support is recorded (needed for outcome 16)",
            f.flag("victim_withdrawal_recorded"),
            errors
        ),
        confirm,
        change_reason + &authorisation,
        button("Save the outcome", None, false)
    );
    page("Record the outcome", Some(s), &body)
}

async fn readable_offence(
    app: &App,
    s: &Session,
    raw: &str,
) -> Result<vigil_store::Versioned<vigil_domain::Offence>, Response> {
    if !allows(s.user.role, Capability::ReadCases) {
        // Reading an offence is reading its case: refused as not found, and audited.
        let _ = app
            .store
            .audit(&crate::auth::audit_entry(
                s.user.username.as_str(),
                "offence.read_denied",
                "offence",
                raw,
                None,
            ))
            .await;
        return Err(crate::pages::not_found_page(Some(s)));
    }
    let Ok(id) = vigil_domain::OffenceId::parse(raw) else {
        return Err(crate::pages::not_found_page(Some(s)));
    };
    let Ok(o) = app.store.offence(&id).await else {
        return Err(crate::pages::not_found_page(Some(s)));
    };
    // Audits the read of the case the offence belongs to.
    service::read_case(app, s, o.record.incident_id.as_str())
        .await
        .map_err(|f| failure_page(s, f))?;
    if !allows(s.user.role, Capability::RecordInvestigation) {
        return Err(crate::pages::forbidden_page(s));
    }
    Ok(o)
}

pub async fn outcome_form(
    State(app): State<Arc<App>>,
    crate::pages::SignedIn(s): crate::pages::SignedIn,
    Path(raw): Path<String>,
) -> Response {
    match readable_offence(&app, &s, &raw).await {
        Ok(o) => Html(outcome_page(
            &s,
            &o.record,
            o.version,
            &FormData(Vec::new()),
            &[],
        ))
        .into_response(),
        Err(r) => r,
    }
}

pub async fn outcome_save(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match crate::pages::signed_form(&app, &headers, fields).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let input = OutcomeInput {
        code: f.get("code").into(),
        date: f.get("date").into(),
        victim_withdrawal_recorded: f.flag("victim_withdrawal_recorded"),
        version: f.get("version").trim().parse().unwrap_or(0),
        confirm_warnings: f.flag("confirm_warnings"),
        reason: f.get("reason").into(),
        authorisation: f.get("authorisation").into(),
    };
    let result = match service::record_outcome(&app, &s, &raw, &input).await {
        Ok(v) => Ok(v),
        Err(Failure::Invalid(errors)) => Err(errors),
        Err(other) => return failure_page(&s, other),
    };
    // Saved, or refused field by field: either way the offence exists and was readable.
    let offence = match vigil_domain::OffenceId::parse(&raw) {
        Ok(id) => app.store.offence(&id).await,
        Err(_) => return crate::pages::not_found_page(Some(&s)),
    };
    let Ok(o) = offence else {
        return crate::pages::problem();
    };
    match result {
        Ok(_) => {
            Redirect::to(&format!("/cases/{}?saved=outcome", o.record.incident_id)).into_response()
        }
        Err(errors) => (
            StatusCode::BAD_REQUEST,
            Html(outcome_page(&s, &o.record, o.version, &f, &errors)),
        )
            .into_response(),
    }
}

/// `POST /cases/{id}/notice-decision`: the officer's decision on the protective-notice
/// prompt.
pub async fn notice_decision(
    State(app): State<Arc<App>>,
    headers: axum::http::HeaderMap,
    Path(raw): Path<String>,
    axum::extract::Form(form): axum::extract::Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match crate::pages::signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let input = service::NoticeDecisionInput {
        decision: f.get("decision").into(),
        reason: f.get("reason").into(),
    };
    match service::record_notice_decision(&app, &s, &raw, &input).await {
        Ok(()) => Redirect::to(&format!("/cases/{raw}?saved=notice_decision")).into_response(),
        Err(Failure::Invalid(errors)) => {
            let body = format!(
                "{}{}{}",
                error_summary(&errors),
                back_link(&format!("/cases/{raw}")),
                p("Go back to the case and record the decision again.")
            );
            (
                axum::http::StatusCode::BAD_REQUEST,
                Html(crate::layout::page_at(
                    "Protective notice decision",
                    Some(&s),
                    "",
                    &body,
                )),
            )
                .into_response()
        }
        Err(Failure::Forbidden | Failure::NotFound) => crate::pages::not_found_page(Some(&s)),
        Err(e) => failure_page(&s, e),
    }
}
