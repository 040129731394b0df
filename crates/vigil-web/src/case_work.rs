//! The case as a living record on the page: its state, tasks and log on the case page, and
//! the one-task pages that change it (a note, allocation, status, the victim's withdrawal,
//! telling the victim, a review, a correction), each posting to `service::casework`.

use crate::App;
use crate::components::*;
use crate::forms::FormData;
use crate::layout::page;
use crate::pages::{failure_page, forbidden_page, not_found_page};
use crate::service::{self, Failure, LiveCase};
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use std::sync::Arc;
use vigil_domain::access::{Capability, allows};
use vigil_domain::casework::{ContactMethod, WithdrawalMethod, team_name};
use vigil_domain::dates::long_time;
use vigil_domain::tasks::{TaskKind, WorkTeam};
use vigil_store::Session;

/// The one-task pages that change a case's casework.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Work {
    Note,
    Allocate,
    Status,
    Withdrawal,
    Disposal,
    Contact,
    Review,
    Correct,
    Children,
}

impl Work {
    fn of(slug: &str) -> Option<Work> {
        Some(match slug {
            "note" => Work::Note,
            "allocate" => Work::Allocate,
            "status" => Work::Status,
            "withdrawal" => Work::Withdrawal,
            "disposal" => Work::Disposal,
            "victim-contact" => Work::Contact,
            "review" => Work::Review,
            "correct" => Work::Correct,
            "children" => Work::Children,
            _ => return None,
        })
    }

    fn slug(self) -> &'static str {
        match self {
            Work::Note => "note",
            Work::Allocate => "allocate",
            Work::Status => "status",
            Work::Withdrawal => "withdrawal",
            Work::Disposal => "disposal",
            Work::Contact => "victim-contact",
            Work::Review => "review",
            Work::Correct => "correct",
            Work::Children => "children",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Work::Note => "Add a note",
            Work::Allocate => "Allocate the case",
            Work::Status => "Change the investigation's status",
            Work::Withdrawal => "Record the victim's withdrawal",
            Work::Disposal => "Record an arrest's disposal",
            Work::Contact => "Record telling the victim of a decision",
            Work::Review => "Record a review or a no-crime decision",
            Work::Correct => "Correct the incident",
            Work::Children => "Name the children present",
        }
    }

    fn allowed(self, s: &Session) -> bool {
        let r = s.user.role;
        match self {
            Work::Note | Work::Contact => {
                allows(r, Capability::RecordInvestigation) || allows(r, Capability::Safeguard)
            }
            Work::Allocate => allows(r, Capability::AllocateCases),
            Work::Status | Work::Withdrawal | Work::Disposal | Work::Review => {
                allows(r, Capability::RecordInvestigation)
            }
            Work::Correct => {
                allows(r, Capability::RecordInvestigation) || allows(r, Capability::RecordIncident)
            }
            Work::Children => {
                allows(r, Capability::RecordInvestigation)
                    || allows(r, Capability::RecordIncident)
                    || allows(r, Capability::Safeguard)
            }
        }
    }
}

/// The case page's casework: status, officer, tasks with their due times and owners, the
/// log, and the buttons to the one-task pages the user may use.
pub fn section(s: &Session, case: &LiveCase, now: vigil_domain::DateTime) -> String {
    let id = case.file.incident.id.as_str();
    let (state, _) = case.state(now);
    let mut out = h2("Investigation");
    out.push_str(&summary_list(&[
        (
            "Team",
            match state.team {
                Some(t) => esc(&crate::service::capitalise(team_name(t))),
                None => format!(
                    "{} – the case is routed once the primary risk assessment is recorded",
                    tag("Awaiting assessment", "yellow")
                ),
            },
        ),
        (
            "Status",
            format!(
                "{}{}",
                words(state.status.as_str()),
                state
                    .status_reason
                    .as_ref()
                    .map_or(String::new(), |r| format!(": {}", esc(r)))
            ),
        ),
        (
            "Officer in charge",
            state
                .allocated_to
                .as_ref()
                .map_or_else(|| "Not allocated".to_owned(), |u| esc(u.as_str())),
        ),
    ]));
    let open: Vec<_> = case.work.tasks.iter().filter(|t| t.is_open()).collect();
    out.push_str(&h2("Tasks"));
    if open.is_empty() {
        out.push_str(&p("No open tasks on this case."));
    } else {
        out.push_str(&table(
            "Open tasks",
            &["State", "Task", "Due", "Owner"],
            open.iter()
                .map(|t| {
                    vec![
                        if t.is_overdue(now) {
                            tag("Overdue", "red")
                        } else {
                            tag("Due", "blue")
                        },
                        esc(&t.label),
                        format!(
                            "{} ({})",
                            esc(&long_time(t.due)),
                            esc(&crate::work::due_words(t.due, now))
                        ),
                        esc(&t.officer.as_ref().map_or_else(
                            || format!("{} ({})", t.team.name(), t.lpa),
                            |o| o.to_string(),
                        )),
                    ]
                })
                .collect(),
        ));
    }
    let done: Vec<_> = case.work.tasks.iter().filter(|t| !t.is_open()).collect();
    if !done.is_empty() {
        out.push_str(&format!(
            "<details class=\"govuk-details\"><summary class=\"govuk-details__summary\"><span class=\"govuk-details__summary-text\">Done tasks ({})</span></summary><div class=\"govuk-details__text\">{}</div></details>",
            done.len(),
            table(
                "Done tasks",
                &["Task", "Due", "Done", "By"],
                done.iter()
                    .map(|t| {
                        let (at, by) = t.done.clone().unwrap_or_default();
                        vec![
                            format!(
                                "{}{}",
                                esc(&t.label),
                                if t.was_late() {
                                    format!(" {}", tag("Late", "orange"))
                                } else {
                                    String::new()
                                }
                            ),
                            esc(&long_time(t.due)),
                            esc(&long_time(at)),
                            esc(&by),
                        ]
                    })
                    .collect()
            )
        ));
    }
    let buttons: Vec<Work> = [
        Work::Note,
        Work::Allocate,
        Work::Status,
        Work::Withdrawal,
        Work::Disposal,
        Work::Contact,
        Work::Review,
        Work::Correct,
        Work::Children,
    ]
    .into_iter()
    .filter(|w| w.allowed(s))
    .filter(|w| *w != Work::Allocate || state.team.is_some())
    .filter(|w| *w != Work::Disposal || !case.file.arrests.is_empty())
    .filter(|w| *w != Work::Contact || open.iter().any(|t| t.kind == TaskKind::VictimUpdate))
    .collect();
    if !buttons.is_empty() {
        out.push_str("<div class=\"govuk-button-group\">");
        for w in buttons {
            out.push_str(&format!(
                "<a href=\"/cases/{}/work/{}\" role=\"button\" draggable=\"false\" class=\"govuk-button govuk-button--secondary\" data-module=\"govuk-button\">{}</a>",
                esc(id),
                w.slug(),
                esc(w.title())
            ));
        }
        out.push_str("</div>");
    }
    out.push_str(&h2("Case log"));
    if case.work.log.is_empty() {
        out.push_str(&p("Nothing has been logged on this case in Vigil yet."));
    } else {
        out.push_str(&table(
            "Case log, newest first",
            &["When", "Who", "What"],
            case.work
                .log
                .iter()
                .rev()
                .map(|e| {
                    vec![
                        esc(&long_time(e.at)),
                        esc(&e.actor),
                        format!(
                            "{}{}",
                            esc(&e.entry.describe()),
                            e.entry.text().filter(|t| !t.is_empty()).map_or(
                                String::new(),
                                |t| format!(
                                    "<p class=\"govuk-body vigil-note\">{}</p>",
                                    esc(t).replace('\n', "<br>")
                                )
                            )
                        ),
                    ]
                })
                .collect(),
        ));
    }
    out
}

async fn fields(
    app: &App,
    work: Work,
    case: &LiveCase,
    version: i64,
    f: &FormData,
    errors: &[FieldError],
) -> String {
    let v = |name: &str, default: &str| -> String {
        let got = f.get(name);
        if got.is_empty() && f.0.is_empty() {
            default.to_owned()
        } else {
            got.to_owned()
        }
    };
    let version_field = format!("<input type=\"hidden\" name=\"version\" value=\"{version}\">");
    let (state, _) = case.state(app.now());
    match work {
        Work::Note => textarea(
            "text",
            "Note",
            Some(
                "What was done or learned. It is kept on the case, with your name and the time; it cannot be changed afterwards.",
            ),
            f.get("text"),
            errors,
        ),
        Work::Allocate => {
            let team = state
                .team
                .map_or(WorkTeam::Lpt, WorkTeam::from_investigating);
            let mut options = vec![(
                String::new(),
                "Nobody: return the case to the team".to_owned(),
            )];
            if let Ok(officers) = service::officers_for(app, team).await {
                options.extend(officers.into_iter().map(|u| {
                    (
                        u.username.to_string(),
                        format!("{} ({})", u.display_name, u.username),
                    )
                }));
            }
            let current = state
                .allocated_to
                .as_ref()
                .map_or("", |u| u.as_str())
                .to_owned();
            format!(
                "{version_field}{}",
                select(
                    "officer",
                    "Officer in charge",
                    &options,
                    &v("officer", &current),
                    errors
                )
            )
        }
        Work::Status => {
            let options: Vec<(&str, &str)> = vec![
                ("open", "Open"),
                ("suspended", "Suspended"),
                ("finalised", "Finalised"),
            ];
            format!(
                "{version_field}{}{}",
                radios(
                    "status",
                    "Status",
                    None,
                    &options,
                    f.get("status"),
                    false,
                    errors
                ),
                textarea(
                    "reason",
                    "Reason",
                    Some("Needed to suspend, and to finalise while an offence has no outcome."),
                    f.get("reason"),
                    errors
                )
            )
        }
        Work::Withdrawal => {
            let methods: Vec<(&str, &str)> = WithdrawalMethod::ALL
                .iter()
                .map(|m| (m.as_str(), method_words(m.as_str())))
                .collect();
            format!(
                "{}{}{}",
                Input::text("date", "Date the victim withdrew support", f.get("date"))
                    .hint("For example, 27/3/2019")
                    .width("10")
                    .render(errors),
                radios(
                    "method",
                    "How",
                    None,
                    &methods,
                    f.get("method"),
                    false,
                    errors
                ),
                textarea(
                    "detail",
                    "What the victim said",
                    Some("Outcome 16 (victim does not support action) needs this recorded."),
                    f.get("detail"),
                    errors
                )
            )
        }
        Work::Children => format!(
            "{}{}",
            p("Each child's school is told by Operation Encompass: a task for each child follows."),
            crate::forms::child_rows(f, errors)
        ),
        Work::Disposal => {
            let mut arrests = vec![(String::new(), "Choose the arrest".to_owned())];
            arrests.extend(case.file.arrests.iter().map(|a| {
                (
                    a.id.to_string(),
                    format!(
                        "{}: {} arrested {}, {}",
                        a.id,
                        a.person_id,
                        long_time(a.arrested_at),
                        a.disposal
                            .map_or("disposal pending".to_owned(), |d| words(d.as_str()))
                    ),
                )
            }));
            let only = if case.file.arrests.len() == 1 {
                case.file.arrests[0].id.to_string()
            } else {
                String::new()
            };
            let disposals: Vec<(&str, &str)> = vigil_domain::ArrestDisposal::ALL
                .iter()
                .map(|d| (d.as_str(), disposal_words(*d)))
                .collect();
            format!(
                "{version_field}{}{}{}",
                select(
                    "arrest_id",
                    "Arrest",
                    &arrests,
                    &v("arrest_id", &only),
                    errors
                ),
                radios(
                    "disposal",
                    "Disposal",
                    None,
                    &disposals,
                    f.get("disposal"),
                    false,
                    errors
                ),
                textarea(
                    "conditions",
                    "Bail conditions",
                    Some(
                        "Needed for bail (write \"none\" for bail without conditions). The victim is told of them: a task to tell the victim follows every decision."
                    ),
                    f.get("conditions"),
                    errors
                )
            )
        }
        Work::Contact => {
            let mut decisions = vec![(String::new(), "Choose the decision".to_owned())];
            decisions.extend(
                case.work
                    .tasks
                    .iter()
                    .filter(|t| t.kind == TaskKind::VictimUpdate && t.is_open())
                    .map(|t| (t.key.clone(), t.label.clone())),
            );
            let methods: Vec<(&str, &str)> = ContactMethod::ALL
                .iter()
                .map(|m| (m.as_str(), method_words(m.as_str())))
                .collect();
            format!(
                "{}{}{}",
                select(
                    "decision",
                    "Decision the victim was told of",
                    &decisions,
                    f.get("decision"),
                    errors
                ),
                radios(
                    "method",
                    "How",
                    None,
                    &methods,
                    f.get("method"),
                    false,
                    errors
                ),
                textarea(
                    "detail",
                    "What was said (optional)",
                    None,
                    f.get("detail"),
                    errors
                )
            )
        }
        Work::Review => {
            let kinds: Vec<(&str, &str)> = vec![
                ("review", "A review of the investigation"),
                ("no_crime", "No notifiable offence: no crime to record"),
            ];
            format!(
                "{}{}",
                radios(
                    "kind",
                    "What is this",
                    None,
                    &kinds,
                    f.get("kind"),
                    false,
                    errors
                ),
                textarea(
                    "text",
                    "What the review found, or why there is no crime",
                    None,
                    f.get("text"),
                    errors
                )
            )
        }
        Work::Correct => {
            let i = &case.file.incident;
            let grades: Vec<(String, String)> =
                std::iter::once((String::new(), "Unchanged".to_owned()))
                    .chain(
                        vigil_domain::CallGrade::ALL
                            .iter()
                            .map(|g| (g.as_str().to_owned(), words(g.as_str()))),
                    )
                    .collect();
            format!(
                "{version_field}{}{}{}{}{}",
                p(&format!(
                    "Reported {}; first officer arrived {}. Leave a field empty to keep it.",
                    esc(&long_time(i.reported_at)),
                    i.arrived_at
                        .map_or("not recorded".to_owned(), |t| esc(&long_time(t)))
                )),
                Input::text(
                    "reported_at",
                    "When the call was received",
                    f.get("reported_at")
                )
                .hint("For example, 27/3/2019 21:40")
                .width("20")
                .render(errors),
                Input::text(
                    "arrived_at",
                    "When the first officer arrived",
                    f.get("arrived_at")
                )
                .hint("For example, 27/3/2019 21:58")
                .width("20")
                .render(errors),
                select(
                    "call_grade",
                    "Call grade",
                    &grades,
                    f.get("call_grade"),
                    errors
                ),
                textarea(
                    "reason",
                    "Why the record was wrong",
                    None,
                    f.get("reason"),
                    errors
                )
            )
        }
    }
}

fn disposal_words(d: vigil_domain::ArrestDisposal) -> &'static str {
    use vigil_domain::ArrestDisposal as D;
    match d {
        D::Charge => "Charged",
        D::Caution => "Cautioned",
        D::ReleasedUnderInvestigation => "Released under investigation",
        D::Bail => "Released on bail",
        D::NoFurtherAction => "No further action",
        D::Other => "Other",
    }
}

fn method_words(m: &str) -> &'static str {
    match m {
        "statement" => "A withdrawal statement",
        "verbal" => "Verbally",
        "written" => "In writing",
        "no_contact" => "Stopped responding",
        "in_person" => "In person",
        "phone" => "By phone",
        "email" => "By email",
        "letter" => "By letter",
        "text" => "By text message",
        _ => "Other",
    }
}

async fn work_page(
    app: &App,
    work: Work,
    s: &Session,
    case: &LiveCase,
    version: i64,
    f: &FormData,
    errors: &[FieldError],
) -> String {
    let id = case.file.incident.id.as_str();
    let body = format!(
        "{}{}<span class=\"govuk-caption-l\">Case {}</span>{}<form method=\"post\" action=\"/cases/{}/work/{}\" novalidate>{}{}{}</form>",
        back_link(&format!("/cases/{id}")),
        error_summary(errors),
        esc(id),
        h1(work.title()),
        esc(id),
        work.slug(),
        csrf(&s.csrf_token),
        fields(app, work, case, version, f, errors).await,
        button("Save", None, false)
    );
    page(work.title(), Some(s), &body)
}

pub async fn work_form(
    State(app): State<Arc<App>>,
    crate::pages::SignedIn(s): crate::pages::SignedIn,
    Path((raw, slug)): Path<(String, String)>,
) -> Response {
    let Some(work) = Work::of(&slug) else {
        return not_found_page(Some(&s));
    };
    let (case, version) = match service::read_case_work(&app, &s, &raw).await {
        Ok(c) => c,
        Err(f) => return failure_page(&s, f),
    };
    if !work.allowed(&s) {
        return forbidden_page(&s);
    }
    Html(work_page(&app, work, &s, &case, version, &FormData(Vec::new()), &[]).await)
        .into_response()
}

pub async fn work_save(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path((raw, slug)): Path<(String, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let (s, f) = match crate::pages::signed_form(&app, &headers, form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(work) = Work::of(&slug) else {
        return not_found_page(Some(&s));
    };
    let version = f.get("version").trim().parse().unwrap_or(0);
    let result = match work {
        Work::Note => service::add_note(
            &app,
            &s,
            &raw,
            &service::NoteInput {
                text: f.get("text").into(),
            },
        )
        .await
        .map(|_| ()),
        Work::Allocate => service::allocate(
            &app,
            &s,
            &raw,
            &service::AllocationInput {
                officer: f.get("officer").into(),
                version,
            },
        )
        .await
        .map(|_| ()),
        Work::Status => service::set_status(
            &app,
            &s,
            &raw,
            &service::StatusInput {
                status: f.get("status").into(),
                reason: f.get("reason").into(),
                version,
            },
        )
        .await
        .map(|_| ()),
        Work::Withdrawal => {
            service::record_withdrawal(
                &app,
                &s,
                &raw,
                &service::WithdrawalInput {
                    date: f.get("date").into(),
                    method: f.get("method").into(),
                    detail: f.get("detail").into(),
                },
            )
            .await
        }
        Work::Disposal => service::update_disposal(
            &app,
            &s,
            &raw,
            &service::DisposalInput {
                arrest_id: f.get("arrest_id").into(),
                disposal: f.get("disposal").into(),
                conditions: f.get("conditions").into(),
                version,
            },
        )
        .await
        .map(|_| ()),
        Work::Contact => {
            service::record_victim_contact(
                &app,
                &s,
                &raw,
                &service::VictimContactInput {
                    decision: f.get("decision").into(),
                    method: f.get("method").into(),
                    detail: f.get("detail").into(),
                },
            )
            .await
        }
        Work::Review => {
            service::record_review(
                &app,
                &s,
                &raw,
                &service::ReviewInput {
                    kind: f.get("kind").into(),
                    text: f.get("text").into(),
                },
            )
            .await
        }
        Work::Children => service::add_children(&app, &s, &raw, &crate::forms::children_input(&f))
            .await
            .map(|_| ()),
        Work::Correct => service::correct_incident(
            &app,
            &s,
            &raw,
            &service::CorrectionInput {
                version,
                reported_at: f.get("reported_at").into(),
                arrived_at: f.get("arrived_at").into(),
                call_grade: f.get("call_grade").into(),
                lpa: String::new(),
                children_present: None,
                reason: f.get("reason").into(),
            },
        )
        .await
        .map(|_| ()),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/cases/{raw}?saved={}", work.slug())).into_response(),
        Err(Failure::Invalid(errors)) => match service::read_case_work(&app, &s, &raw).await {
            Ok((case, version)) => (
                StatusCode::BAD_REQUEST,
                Html(work_page(&app, work, &s, &case, version, &f, &errors).await),
            )
                .into_response(),
            Err(e) => failure_page(&s, e),
        },
        Err(e) => failure_page(&s, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_work_page_has_a_slug_that_reads_back() {
        for w in [
            Work::Note,
            Work::Allocate,
            Work::Status,
            Work::Withdrawal,
            Work::Disposal,
            Work::Contact,
            Work::Review,
            Work::Correct,
            Work::Children,
        ] {
            assert!(Work::of(w.slug()) == Some(w));
        }
        assert!(Work::of("delete").is_none());
    }
}
