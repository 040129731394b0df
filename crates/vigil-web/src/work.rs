//! Each officer's own work: the work list on the home page (their tasks and cases, overdue
//! first, then due soonest), the sergeant's team view, and the team queues a page at a
//! time with their true totals, filters and a CSV download.

use crate::App;
use crate::components::*;
use crate::layout::page_at;
use crate::pages::{SignedIn, failure_page, link_case, not_found_page};
use crate::service::{self, FieldError, Owner, QueueFilter, QueueView, WorkList};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;
use vigil_domain::access::{Capability, Queue, Role, allows};
use vigil_domain::dates::long_time;
use vigil_domain::time::DateTime;
use vigil_store::{Session, TaskItem, TaskState};

/// How long until (or since) a due time, as people say it.
pub fn due_words(due: DateTime, now: DateTime) -> String {
    let d = due - now;
    let (mins, late) = if d.num_seconds() < 0 {
        (-d.num_minutes(), true)
    } else {
        (d.num_minutes(), false)
    };
    let span = if mins < 60 {
        format!("{mins} min")
    } else if mins < 48 * 60 {
        format!("{} h", mins / 60)
    } else {
        format!("{} days", mins / (24 * 60))
    };
    if late {
        format!("{span} overdue")
    } else {
        format!("in {span}")
    }
}

fn task_rows(role: Role, list: &[TaskItem], now: DateTime) -> Vec<Vec<String>> {
    list.iter()
        .map(|t| {
            let task = &t.task;
            let state = if task.is_overdue(now) {
                tag("Overdue", "red")
            } else if task.is_open() {
                tag("Due", "blue")
            } else {
                tag("Done", "green")
            };
            vec![
                state,
                format!(
                    "{}<br><span class=\"govuk-body-s\">{}</span>",
                    esc(&task.label),
                    esc(&due_words(task.due, now))
                ),
                esc(&long_time(task.due)),
                link_case(task.incident_id.as_str()),
                person_label(
                    role,
                    t.victim_id.as_str(),
                    t.family_name.as_deref(),
                    t.given_names.as_deref(),
                ),
                esc(&task.officer.as_ref().map_or_else(
                    || format!("{} ({})", task.team.name(), task.lpa),
                    |o| o.to_string(),
                )),
            ]
        })
        .collect()
}

/// The home page's work section for a role that works cases: the user's tasks, their
/// team's unheld tasks, the user's cases, and for a sergeant each officer's caseload.
pub async fn work_section(app: &App, s: &Session) -> String {
    if !allows(s.user.role, Capability::ReadCases) {
        return String::new();
    }
    let mut out = String::new();
    let header = ["State", "Task", "Due", "Case", "Victim", "Owner"];
    for (owner, title, empty) in [
        (Owner::Me, "Your tasks", "You have no open tasks."),
        (
            Owner::Team,
            "Your team's tasks",
            "Your team has no open tasks that nobody holds.",
        ),
    ] {
        if owner == Owner::Team && vigil_domain::tasks::role_teams(s.user.role).is_empty() {
            continue;
        }
        let overdue = service::work_count(app, s, owner, TaskState::Overdue)
            .await
            .unwrap_or(0);
        match service::work_list(app, s, owner, TaskState::Open, Some(1), Some(20)).await {
            Ok(WorkList {
                page,
                now,
                withheld,
                ..
            }) => {
                out.push_str(&h2(title));
                let counts = format!(
                    "{} open, {} overdue{}",
                    page.total,
                    overdue,
                    if page.total > page.items.len() as u64 {
                        format!(
                            "; the {} due soonest are shown. {}",
                            page.items.len(),
                            link(
                                &format!(
                                    "/tasks?owner={}",
                                    if owner == Owner::Me { "me" } else { "team" }
                                ),
                                "See them all"
                            )
                        )
                    } else {
                        String::new()
                    }
                );
                out.push_str(&p(&counts));
                out.push_str(&withheld_notice(withheld));
                if page.items.is_empty() {
                    out.push_str(&p(empty));
                } else {
                    out.push_str(&table(
                        title,
                        &header,
                        task_rows(s.user.role, &page.items, now),
                    ));
                }
            }
            Err(_) => out.push_str(&p(
                "Your tasks could not be read just now; reload the page.",
            )),
        }
    }
    // The user's own cases, from each queue they work.
    for q in vigil_domain::access::queues(s.user.role) {
        if matches!(q, Queue::Cru | Queue::Awaiting) {
            continue;
        }
        let f = QueueFilter {
            mine: true,
            page: 1,
            per_page: 20,
            ..QueueFilter::default()
        };
        if let Ok(v) = service::queue(app, s, *q, &f).await {
            out.push_str(&h2("Your cases"));
            out.push_str(&p(&format!(
                "{} open case{} allocated to you.",
                v.page.total,
                if v.page.total == 1 { "" } else { "s" }
            )));
            out.push_str(&withheld_notice(v.withheld));
            if !v.page.items.is_empty() {
                out.push_str(&queue_table(s.user.role, &v));
            }
        }
    }
    if allows(s.user.role, Capability::AllocateCases)
        && let Ok(loads) = service::team_caseloads(app, s).await
    {
        out.push_str(&h2("Your team's caseloads"));
        if loads.is_empty() {
            out.push_str(&p("No case is allocated to an officer yet. Open a case from the queue to allocate it."));
        } else {
            out.push_str(&table(
                "Open cases by officer",
                &["Officer", "Open cases"],
                loads
                    .iter()
                    .map(|l| vec![esc(l.officer.as_str()), l.open_cases.to_string()])
                    .collect(),
            ));
        }
    }
    out
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TasksQuery {
    owner: Option<String>,
    state: Option<String>,
    page: Option<String>,
}

/// A whole work list, a page at a time.
pub async fn tasks(
    State(app): State<Arc<App>>,
    SignedIn(s): SignedIn,
    Query(q): Query<TasksQuery>,
) -> Response {
    let owner = match q.owner.as_deref().unwrap_or("me") {
        "team" => Owner::Team,
        _ => Owner::Me,
    };
    let state = match q.state.as_deref().unwrap_or("open") {
        "overdue" => TaskState::Overdue,
        "done" => TaskState::Done,
        _ => TaskState::Open,
    };
    let page_no = q.page.as_deref().and_then(|p| p.trim().parse().ok());
    let list = match service::work_list(&app, &s, owner, state, page_no, None).await {
        Ok(l) => l,
        Err(f) => return failure_page(&s, f),
    };
    let (owner_word, state_word) = (
        if owner == Owner::Me { "me" } else { "team" },
        match state {
            TaskState::Open => "open",
            TaskState::Overdue => "overdue",
            TaskState::Done => "done",
        },
    );
    let title = if owner == Owner::Me {
        "Your tasks"
    } else {
        "Your team's tasks"
    };
    let mut body = h1(title);
    body.push_str(&format!(
        "<form method=\"get\" action=\"/tasks\" novalidate><input type=\"hidden\" name=\"owner\" value=\"{owner_word}\">{}{}</form>",
        select(
            "state",
            "Show",
            &[
                ("open".to_owned(), "Open tasks".to_owned()),
                ("overdue".to_owned(), "Overdue tasks".to_owned()),
                ("done".to_owned(), "Done tasks".to_owned()),
            ],
            state_word,
            &[]
        ),
        button("Show", None, true)
    ));
    body.push_str(&p(&format!("{} tasks.", list.page.total)));
    body.push_str(&withheld_notice(list.withheld));
    body.push_str(&table(
        title,
        &["State", "Task", "Due", "Case", "Victim", "Owner"],
        task_rows(s.user.role, &list.page.items, list.now),
    ));
    body.push_str(&pagination(
        "/tasks",
        &format!("owner={owner_word}&state={state_word}"),
        list.page_no,
        service::pages(list.page.total, list.per_page),
    ));
    Html(page_at(title, Some(&s), "/", &body)).into_response()
}

fn queue_table(role: Role, v: &QueueView) -> String {
    table(
        "Queue",
        &[
            "Risk",
            "Case",
            "Victim",
            "Area",
            "Waiting since",
            "Officer",
            "Detail",
        ],
        v.page
            .items
            .iter()
            .map(|i| {
                let days = (v.now - i.since).num_days().max(0);
                let flag = if v.is_overdue(i) {
                    format!(" {}", tag("Overdue", "red"))
                } else {
                    String::new()
                };
                vec![
                    risk_tag(i.risk),
                    link_case(i.incident_id.as_str()),
                    person_label(
                        role,
                        i.victim_id.as_str(),
                        i.family_name.as_deref(),
                        i.given_names.as_deref(),
                    ),
                    esc(i.lpa.as_str()),
                    format!(
                        "{} ({days} days){flag}",
                        esc(&vigil_domain::dates::long(i.since.date()))
                    ),
                    i.allocated_to
                        .as_ref()
                        .map_or_else(|| "Not allocated".to_owned(), |u| esc(u.as_str())),
                    esc(&i.detail),
                ]
            })
            .collect(),
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct QueueParams {
    lpa: Option<String>,
    risk: Option<String>,
    state: Option<String>,
    page: Option<String>,
    format: Option<String>,
}

/// A team's work queue, highest risk first, then longest waiting, a page at a time with its
/// true total; `?format=csv` downloads the whole filtered queue (up to 10,000 rows).
pub async fn queue(
    State(app): State<Arc<App>>,
    SignedIn(s): SignedIn,
    Path(slug): Path<String>,
    Query(q): Query<QueueParams>,
) -> Response {
    let Some(queue) =
        Queue::from_slug(&slug).filter(|x| vigil_domain::access::queues(s.user.role).contains(x))
    else {
        let _ = app
            .store
            .audit(&crate::auth::audit_entry(
                s.user.username.as_str(),
                "queue.read_denied",
                "queue",
                &slug,
                None,
            ))
            .await;
        return not_found_page(Some(&s));
    };
    let mut errors = Vec::new();
    let area = service::queue_area(&s, q.lpa.as_deref());
    let lpa = match area {
        "" => None,
        l => service::known_lpa(&app, l)
            .map_err(|e| errors.push(FieldError::new("lpa", e)))
            .ok(),
    };
    let risk_word = q.risk.as_deref().unwrap_or("").trim();
    let risk = match risk_word {
        "" | "all" => None,
        r => vigil_domain::RiskGrade::parse(r)
            .map_err(|e| errors.push(FieldError::new("risk", e.reason)))
            .ok(),
    };
    let overdue = q.state.as_deref() == Some("overdue");
    let csv = q.format.as_deref() == Some("csv");
    let page_no = q
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<u32>().ok())
        .unwrap_or(1);
    let f = QueueFilter {
        lpa: lpa.clone(),
        risk,
        overdue,
        mine: false,
        page: page_no,
        per_page: service::PER_PAGE,
    };
    // The download holds the whole filtered queue, not one page.
    let v = match if csv {
        service::queue_all(&app, &s, queue, &f).await
    } else {
        service::queue(&app, &s, queue, &f).await
    } {
        Ok(v) => v,
        Err(f) => return failure_page(&s, f),
    };
    let query = format!(
        "lpa={}&risk={}&state={}",
        if area.is_empty() { "all" } else { area },
        risk.map_or("all", |r| r.as_str()),
        if overdue { "overdue" } else { "all" }
    );
    if csv {
        return queue_csv(&s, queue, &v);
    }
    let mut lpa_options = vec![("all".to_owned(), "All areas".to_owned())];
    lpa_options.extend(app.lpas.iter().map(|l| (l.to_string(), l.to_string())));
    let mut body = format!(
        "{}{}<form method=\"get\" action=\"/queues/{}\" novalidate><div class=\"vigil-filters\">{}{}{}</div>{}</form>",
        error_summary(&errors),
        h1(queue.title()),
        queue.slug(),
        select(
            "lpa",
            "Local Policing Area",
            &lpa_options,
            if area.is_empty() { "all" } else { area },
            &errors
        ),
        select(
            "risk",
            "Risk",
            &[
                ("all".to_owned(), "Any risk".to_owned()),
                ("high".to_owned(), "High".to_owned()),
                ("medium".to_owned(), "Medium".to_owned()),
                ("standard".to_owned(), "Standard".to_owned()),
            ],
            risk.map_or("all", |r| r.as_str()),
            &errors
        ),
        select(
            "state",
            "State",
            &[
                ("all".to_owned(), "All".to_owned()),
                ("overdue".to_owned(), "Overdue only".to_owned()),
            ],
            if overdue { "overdue" } else { "all" },
            &errors
        ),
        button("Show", None, true)
    );
    if let Some(since) = v.since {
        body.push_str(&p(&format!(
            "High-risk incidents reported since {} whose victim has not been referred to MARAC since the incident. Older ones are found by search and on the person's page.",
            vigil_domain::dates::long(since)
        )));
    }
    body.push_str(&p(&format!(
        "{} item{}{}, highest risk first, then longest waiting, counted to {}. {} marks items waiting more than {} day{}. {}",
        v.page.total,
        if v.page.total == 1 { "" } else { "s" },
        lpa.as_ref()
            .map_or(String::new(), |l| format!(" in {}", esc(l.as_str()))),
        esc(&long_time(v.now)),
        tag("Overdue", "red"),
        v.mark_days,
        if v.mark_days == 1 { "" } else { "s" },
        link(
            &format!("/queues/{}?{query}&format=csv", queue.slug()),
            "Download this queue (CSV)"
        )
    )));
    body.push_str(&withheld_notice(v.withheld));
    body.push_str(&queue_table(s.user.role, &v));
    body.push_str(&pagination(
        &format!("/queues/{}", queue.slug()),
        &query,
        v.page_no,
        v.pages(),
    ));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let here = format!("/queues/{}", queue.slug());
    (status, Html(page_at(queue.title(), Some(&s), &here, &body))).into_response()
}

/// A CSV cell: quoted when it holds a separator, a quote or a line break; a leading
/// formula character is neutralised so a spreadsheet never runs it.
pub(crate) fn csv_cell(v: &str) -> String {
    let v = if v.starts_with(['=', '+', '-', '@']) {
        format!("'{v}")
    } else {
        v.to_owned()
    };
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

fn queue_csv(s: &Session, queue: Queue, v: &QueueView) -> Response {
    let mut out = String::from(
        "incident_id,victim_id,victim_name,lpa,risk,waiting_since,days_waiting,overdue,officer,detail\n",
    );
    for i in &v.page.items {
        let name = vigil_domain::visibility::name_as_seen(
            s.user.role,
            i.family_name.as_deref(),
            i.given_names.as_deref(),
        )
        .unwrap_or_default();
        let row = [
            i.incident_id.to_string(),
            i.victim_id.to_string(),
            name,
            i.lpa.to_string(),
            i.risk.map_or(String::new(), |r| r.to_string()),
            vigil_domain::time::format_datetime(i.since),
            (v.now - i.since).num_days().max(0).to_string(),
            if v.is_overdue(i) { "yes" } else { "no" }.to_owned(),
            i.allocated_to
                .as_ref()
                .map_or(String::new(), |u| u.to_string()),
            i.detail.clone(),
        ];
        out.push_str(
            &row.iter()
                .map(|c| csv_cell(c))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"vigil-queue-{}.csv\"", queue.slug()),
            ),
        ],
        out,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_times_read_as_people_say_them() {
        let t = |s: &str| vigil_domain::time::parse_datetime(s).unwrap();
        let now = t("2019-09-02T10:00:00");
        assert_eq!(due_words(t("2019-09-02T10:30:00"), now), "in 30 min");
        assert_eq!(due_words(t("2019-09-02T08:00:00"), now), "2 h overdue");
        assert_eq!(due_words(t("2019-09-06T10:00:00"), now), "in 4 days");
        assert_eq!(csv_cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_cell("a, b"), "\"a, b\"");
    }
}
