//! `/api/v1` for casework: work lists, a case's state, log and tasks, and the changes an
//! officer makes to a case (notes, allocation, status, the victim's withdrawal, telling
//! the victim, reviews, corrections). The same use cases as the pages (`service::casework`).

use crate::App;
use crate::api::{
    Caller, CreatedDto, ErrorBody, VersionDto, from_failure, json_problem, query_problem,
};
use crate::service::{
    self, AllocationInput, CorrectionInput, DisposalInput, Failure, FieldError, NoteInput, Owner,
    ReviewInput, StatusInput, VictimContactInput, WithdrawalInput,
};
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;
use vigil_domain::time::format_datetime;
use vigil_store::{Session, TaskState};

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskDto {
    pub incident_id: String,
    /// `response`, `primary_assessment`, `secondary_assessment`, `crime_recording`,
    /// `marac_referral`, `idva_contact`, `encompass`, `encompass_acknowledged`,
    /// `investigation_review`, `victim_update`, `right_to_know`, `notice_hearing`,
    /// `dapo_notification`.
    pub kind: String,
    /// Tells apart tasks of one kind on one case (the decision the victim must hear of).
    pub key: String,
    pub label: String,
    /// `lpt`, `dait`, `cid` or `cru`, in `lpa`.
    pub team: String,
    pub lpa: String,
    /// The officer who holds the task, if one does.
    pub officer: Option<String>,
    pub due: String,
    /// `open`, `overdue` or `done`, at the server's clock.
    pub state: String,
    pub done_at: Option<String>,
    /// The record that closed it.
    pub done_by: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskItemDto {
    #[serde(flatten)]
    pub task: TaskDto,
    pub victim_id: String,
    /// The victim's name, for a role that may see names.
    pub victim_name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TasksDto {
    /// The server's clock the states are counted at.
    pub now: String,
    pub total: u64,
    /// Items on this page left out because they are restricted records the caller may not
    /// see (`total` still counts them).
    pub withheld: u64,
    pub page: u32,
    pub per_page: u32,
    pub pages: u32,
    pub items: Vec<TaskItemDto>,
}

fn task_dto(t: &vigil_domain::tasks::Task, now: vigil_domain::DateTime) -> TaskDto {
    TaskDto {
        incident_id: t.incident_id.to_string(),
        kind: t.kind.to_string(),
        key: t.key.clone(),
        label: t.label.clone(),
        team: t.team.to_string(),
        lpa: t.lpa.to_string(),
        officer: t.officer.as_ref().map(|u| u.to_string()),
        due: format_datetime(t.due),
        state: if t.is_overdue(now) {
            "overdue"
        } else if t.is_open() {
            "open"
        } else {
            "done"
        }
        .into(),
        done_at: t.done.as_ref().map(|d| format_datetime(d.0)),
        done_by: t.done.as_ref().map(|d| d.1.clone()),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TasksParams {
    /// `me` (the caller's own, the default) or `team` (the caller's teams' in their area,
    /// held by nobody).
    #[serde(default)]
    pub owner: Option<String>,
    /// `open` (the default), `overdue` or `done`.
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// 1 to 200 (50 when not given).
    #[serde(default)]
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

#[utoipa::path(get, path = "/tasks", tag = "work",
    params(TasksParams),
    responses((status = 200, body = TasksDto), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn tasks(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    q: Result<Query<TasksParams>, QueryRejection>,
) -> Response {
    let Query(q) = match q {
        Ok(q) => q,
        Err(r) => return query_problem(r).into_response(),
    };
    let mut errors = Vec::new();
    let owner = match q.owner.as_deref().map(str::trim) {
        None | Some("") | Some("me") => Owner::Me,
        Some("team") => Owner::Team,
        Some(o) => {
            errors.push(FieldError::new(
                "owner",
                format!("'{o}' is not an owner; use me or team"),
            ));
            Owner::Me
        }
    };
    let state = match q.state.as_deref().map(str::trim) {
        None | Some("") | Some("open") => TaskState::Open,
        Some("overdue") => TaskState::Overdue,
        Some("done") => TaskState::Done,
        Some(o) => {
            errors.push(FieldError::new(
                "state",
                format!("'{o}' is not a state; use open, overdue or done"),
            ));
            TaskState::Open
        }
    };
    service::check_paging(&mut errors, q.page, q.per_page);
    if !errors.is_empty() {
        return from_failure(&s, Failure::Invalid(errors)).into_response();
    }
    match service::work_list(&app, &s, owner, state, q.page, q.per_page).await {
        Ok(w) => Json(TasksDto {
            now: format_datetime(w.now),
            total: w.page.total,
            withheld: w.withheld,
            page: w.page_no,
            per_page: w.per_page,
            pages: service::pages(w.page.total, w.per_page),
            items: w
                .page
                .items
                .iter()
                .map(|t| TaskItemDto {
                    task: task_dto(&t.task, w.now),
                    victim_id: t.victim_id.to_string(),
                    victim_name: vigil_domain::visibility::name_as_seen(
                        s.user.role,
                        t.family_name.as_deref(),
                        t.given_names.as_deref(),
                    ),
                })
                .collect(),
        })
        .into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuspectDto {
    pub suspect_id: String,
    /// The suspect's name, for a role that may see names.
    pub suspect_name: Option<String>,
    pub incident_id: String,
    pub victim_id: String,
    pub victim_name: Option<String>,
    /// `lpt`, `dait`, `cid` or `other`: the team investigating the offences.
    pub team: String,
    pub lpa: String,
    /// The earliest recording date of the open offences naming the suspect.
    pub outstanding_since: String,
    /// Whole days to the server's clock.
    pub days_outstanding: i64,
    pub offence_ids: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuspectsDto {
    /// The server's clock the days are counted to.
    pub now: String,
    pub total: u64,
    /// Items on this page left out because they are restricted records the caller may not
    /// see (`total` still counts them).
    pub withheld: u64,
    pub page: u32,
    pub per_page: u32,
    pub pages: u32,
    pub items: Vec<SuspectDto>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SuspectsParams {
    /// `lpt`, `dait`, `cid`, `other`, or `all`; the caller's own team when not given.
    #[serde(default)]
    pub team: Option<String>,
    /// A Local Policing Area, or `all`; the caller's own area when not given.
    #[serde(default)]
    pub lpa: Option<String>,
    #[serde(default)]
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// 1 to 200 (50 when not given).
    #[serde(default)]
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

/// Identified suspects of open DA crimes not yet arrested for them, longest outstanding
/// first.
#[utoipa::path(get, path = "/suspects", tag = "work",
    params(SuspectsParams),
    responses((status = 200, body = SuspectsDto), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn suspects(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    q: Result<Query<SuspectsParams>, QueryRejection>,
) -> Response {
    let Query(q) = match q {
        Ok(q) => q,
        Err(r) => return query_problem(r).into_response(),
    };
    let mut errors = Vec::new();
    let team = crate::suspects::team_asked(s.user.role, q.team.as_deref())
        .map_err(|e| errors.push(e))
        .unwrap_or(None);
    let lpa = match service::queue_area(&s, q.lpa.as_deref()) {
        "" => None,
        l => service::known_lpa(&app, l)
            .map_err(|e| errors.push(FieldError::new("lpa", e)))
            .ok(),
    };
    service::check_paging(&mut errors, q.page, q.per_page);
    if !errors.is_empty() {
        return from_failure(&s, Failure::Invalid(errors)).into_response();
    }
    let (page, per_page) = service::paging(q.page, q.per_page);
    let f = service::SuspectFilter {
        team,
        lpa,
        page,
        per_page,
    };
    match service::outstanding_suspects(&app, &s, &f, false).await {
        Ok(list) => Json(SuspectsDto {
            now: format_datetime(list.now),
            total: list.page.total,
            withheld: list.withheld,
            page: list.page_no,
            per_page: list.per_page,
            pages: service::pages(list.page.total, list.per_page),
            items: list
                .page
                .items
                .iter()
                .map(|i| SuspectDto {
                    suspect_id: i.suspect.suspect_id.to_string(),
                    suspect_name: crate::suspects::name(s.user.role, &i.suspect_name),
                    incident_id: i.suspect.incident_id.to_string(),
                    victim_id: i.suspect.victim_id.to_string(),
                    victim_name: crate::suspects::name(s.user.role, &i.victim_name),
                    team: i.suspect.team.to_string(),
                    lpa: i.suspect.lpa.to_string(),
                    outstanding_since: i.suspect.since.to_string(),
                    days_outstanding: i.suspect.days_outstanding(list.now),
                    offence_ids: i.suspect.offences.iter().map(|o| o.to_string()).collect(),
                })
                .collect(),
        })
        .into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LogEntryDto {
    pub at: String,
    pub actor: String,
    /// `note`, `allocated`, `routed`, `judgement`, `status`, `corrected`, `withdrawal`,
    /// `outcome_changed`, `disposal_updated`, `victim_informed`, `reviewed`, `no_crime`.
    pub kind: String,
    pub summary: String,
    /// The officer's own words, if the entry has any.
    pub text: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseWorkDto {
    /// The version a change to the case must name.
    pub version: i64,
    /// `open`, `suspended` or `finalised`.
    pub status: String,
    pub status_reason: Option<String>,
    /// The team the case is routed to; none while it awaits assessment.
    pub team: Option<String>,
    pub grade: Option<String>,
    pub officer: Option<String>,
    pub tasks: Vec<TaskDto>,
    pub log: Vec<LogEntryDto>,
}

#[utoipa::path(get, path = "/cases/{id}/work", tag = "work",
    params(("id" = String, Path, description = "The case reference")),
    responses((status = 200, body = CaseWorkDto), (status = 404, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn case_work(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
) -> Response {
    match service::read_case_work(&app, &s, &id).await {
        Ok((case, version)) => {
            let now = app.now();
            let (state, _) = case.state(now);
            Json(CaseWorkDto {
                version,
                status: state.status.to_string(),
                status_reason: state.status_reason.clone(),
                team: state.team.map(|t| t.to_string()),
                grade: state.grade.map(|g| g.to_string()),
                officer: state.allocated_to.as_ref().map(|u| u.to_string()),
                tasks: case.work.tasks.iter().map(|t| task_dto(t, now)).collect(),
                log: case
                    .work
                    .log
                    .iter()
                    .map(|e| LogEntryDto {
                        at: format_datetime(e.at),
                        actor: e.actor.clone(),
                        kind: e.entry.kind().into(),
                        summary: e.entry.describe(),
                        text: e.entry.text().map(str::to_owned),
                    })
                    .collect(),
            })
            .into_response()
        }
        Err(f) => from_failure(&s, f).into_response(),
    }
}

fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, Box<Response>> {
    b.map(|Json(t)| t)
        .map_err(|r| Box::new(json_problem(r).into_response()))
}

fn answer(s: &Session, r: Result<i64, Failure>) -> Response {
    match r {
        Ok(v) => Json(VersionDto { version: v }).into_response(),
        Err(f) => from_failure(s, f).into_response(),
    }
}

fn added(s: &Session, r: Result<(), Failure>, id: &str) -> Response {
    match r {
        Ok(()) => (StatusCode::CREATED, Json(CreatedDto { id: id.to_owned() })).into_response(),
        Err(f) => from_failure(s, f).into_response(),
    }
}

#[utoipa::path(post, path = "/cases/{id}/notes", tag = "work",
    params(("id" = String, Path, description = "The case reference")),
    request_body = NoteInput,
    responses((status = 201, body = CreatedDto), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn add_note(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    b: Result<Json<NoteInput>, JsonRejection>,
) -> Response {
    match body(b) {
        Ok(input) => added(&s, service::add_note(&app, &s, &id, &input).await, &id),
        Err(r) => *r,
    }
}

/// Records or changes an arrest's disposal (bail needs its conditions); raises the task to
/// tell the victim.
#[utoipa::path(post, path = "/cases/{id}/disposals", tag = "work",
    params(("id" = String, Path, description = "The case reference")),
    request_body = DisposalInput,
    responses((status = 200, body = VersionDto), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn update_disposal(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    b: Result<Json<DisposalInput>, JsonRejection>,
) -> Response {
    match body(b) {
        Ok(input) => answer(&s, service::update_disposal(&app, &s, &id, &input).await),
        Err(r) => *r,
    }
}

#[utoipa::path(post, path = "/cases/{id}/allocation", tag = "work",
    params(("id" = String, Path, description = "The case reference")),
    request_body = AllocationInput,
    responses((status = 200, body = VersionDto), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn allocate(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    b: Result<Json<AllocationInput>, JsonRejection>,
) -> Response {
    match body(b) {
        Ok(input) => answer(&s, service::allocate(&app, &s, &id, &input).await),
        Err(r) => *r,
    }
}

#[utoipa::path(post, path = "/cases/{id}/status", tag = "work",
    params(("id" = String, Path, description = "The case reference")),
    request_body = StatusInput,
    responses((status = 200, body = VersionDto), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn set_status(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    b: Result<Json<StatusInput>, JsonRejection>,
) -> Response {
    match body(b) {
        Ok(input) => answer(&s, service::set_status(&app, &s, &id, &input).await),
        Err(r) => *r,
    }
}

#[utoipa::path(post, path = "/cases/{id}/withdrawal", tag = "work",
    params(("id" = String, Path, description = "The case reference")),
    request_body = WithdrawalInput,
    responses((status = 201, body = CreatedDto), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn record_withdrawal(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    b: Result<Json<WithdrawalInput>, JsonRejection>,
) -> Response {
    match body(b) {
        Ok(input) => added(
            &s,
            service::record_withdrawal(&app, &s, &id, &input).await,
            &id,
        ),
        Err(r) => *r,
    }
}

#[utoipa::path(post, path = "/cases/{id}/victim-contacts", tag = "work",
    params(("id" = String, Path, description = "The case reference")),
    request_body = VictimContactInput,
    responses((status = 201, body = CreatedDto), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn record_victim_contact(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    b: Result<Json<VictimContactInput>, JsonRejection>,
) -> Response {
    match body(b) {
        Ok(input) => added(
            &s,
            service::record_victim_contact(&app, &s, &id, &input).await,
            &id,
        ),
        Err(r) => *r,
    }
}

#[utoipa::path(post, path = "/cases/{id}/reviews", tag = "work",
    params(("id" = String, Path, description = "The case reference")),
    request_body = ReviewInput,
    responses((status = 201, body = CreatedDto), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn record_review(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    b: Result<Json<ReviewInput>, JsonRejection>,
) -> Response {
    match body(b) {
        Ok(input) => added(&s, service::record_review(&app, &s, &id, &input).await, &id),
        Err(r) => *r,
    }
}

#[utoipa::path(patch, path = "/incidents/{id}", tag = "work",
    params(("id" = String, Path, description = "The incident (case) reference")),
    request_body = CorrectionInput,
    responses((status = 200, body = VersionDto), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn correct_incident(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    b: Result<Json<CorrectionInput>, JsonRejection>,
) -> Response {
    match body(b) {
        Ok(input) => answer(&s, service::correct_incident(&app, &s, &id, &input).await),
        Err(r) => *r,
    }
}

/// One MARAC area's row of the return.
#[derive(Debug, Serialize, ToSchema)]
pub struct MaracAreaDto {
    pub marac_area: String,
    pub cases: u64,
    pub repeat_cases: u64,
    pub cases_with_children: u64,
    pub bme_victims: u64,
    pub male_victims: u64,
    pub victims_aged_16_17: u64,
    pub perpetrators_under_18: u64,
    /// LGBT victims, among the cases whose referral form asked (`cases_with_diversity_recorded`).
    pub lgbt_victims: u64,
    /// Disabled victims, among the cases whose referral form asked.
    pub disabled_victims: u64,
    /// Cases with a referral form made in Vigil (imported history holds none).
    pub cases_with_diversity_recorded: u64,
    /// Cases by referring agency (every agency, zero included).
    pub referred_by: std::collections::BTreeMap<String, u64>,
    /// Adult (16+) women in the area, when configured.
    pub adult_women: Option<u64>,
    /// Cases a year per 10,000 adult women (annualised), when the population is known.
    pub cases_per_10k_women_a_year: Option<f64>,
}

impl From<&vigil_domain::marac_return::AreaReturn> for MaracAreaDto {
    fn from(r: &vigil_domain::marac_return::AreaReturn) -> Self {
        MaracAreaDto {
            marac_area: r.area.clone(),
            cases: r.cases,
            repeat_cases: r.repeat_cases,
            cases_with_children: r.cases_with_children,
            bme_victims: r.bme_victims,
            male_victims: r.male_victims,
            victims_aged_16_17: r.victims_16_17,
            perpetrators_under_18: r.perpetrators_under_18,
            lgbt_victims: r.lgbt_victims,
            disabled_victims: r.disabled_victims,
            cases_with_diversity_recorded: r.diversity_recorded,
            referred_by: r
                .by_agency
                .iter()
                .map(|(a, n)| (a.as_str().to_owned(), *n))
                .collect(),
            adult_women: r.adult_women,
            cases_per_10k_women_a_year: r.per_10k_women,
        }
    }
}

/// The SafeLives MARAC return for a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct MaracReturnDto {
    /// `YYYY-MM-DD`, inclusive.
    pub from: String,
    pub to: String,
    pub areas: Vec<MaracAreaDto>,
    pub total: MaracAreaDto,
    /// SafeLives' recommended cases a year per 10,000 adult women.
    pub recommended_per_10k: f64,
    /// How the figures were counted.
    pub notes: Vec<String>,
}

/// The SafeLives MARAC return, per MARAC area with a total: the last whole quarter when
/// no period is given.
#[utoipa::path(get, path = "/marac/return", tag = "analysis",
    params(service::ReturnPeriod),
    responses((status = 200, body = MaracReturnDto), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn marac_return(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    q: Result<Query<service::ReturnPeriod>, QueryRejection>,
) -> Response {
    let Query(q) = match q {
        Ok(q) => q,
        Err(r) => return query_problem(r).into_response(),
    };
    match service::marac_return(&app, &s, &q).await {
        Ok(r) => Json(MaracReturnDto {
            from: vigil_domain::time::format_date(r.from),
            to: vigil_domain::time::format_date(r.to),
            areas: r.rows.iter().map(MaracAreaDto::from).collect(),
            total: MaracAreaDto::from(&r.total),
            recommended_per_10k: vigil_domain::marac_return::RECOMMENDED_PER_10K,
            notes: vigil_report::marac::notes(r.from, r.to),
        })
        .into_response(),
        Err(e) => from_failure(&s, e).into_response(),
    }
}

/// An Operation Encompass notification as a school sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EncompassDto {
    pub id: String,
    pub child_id: String,
    pub child_family_name: Option<String>,
    pub child_given_names: Option<String>,
    /// `YYYY-MM-DD`.
    pub child_birth_date: Option<String>,
    pub school: String,
    /// The police reference of the incident.
    pub police_reference: String,
    /// When the police attended (`YYYY-MM-DDTHH:MM:SS`, UK time).
    pub incident_at: String,
    pub child_present: bool,
    pub voice_of_child: String,
    pub circumstances: String,
    /// The start of the school day it is due by.
    pub due: String,
    pub acknowledged_at: Option<String>,
    pub acknowledged_by: Option<String>,
}

impl From<&vigil_store::EncompassItem> for EncompassDto {
    fn from(e: &vigil_store::EncompassItem) -> Self {
        let n = &e.notification;
        EncompassDto {
            id: n.referral_id.to_string(),
            child_id: n.child_id.to_string(),
            child_family_name: e.family_name.clone(),
            child_given_names: e.given_names.clone(),
            child_birth_date: e.birth_date.map(vigil_domain::time::format_date),
            school: n.school.clone(),
            police_reference: n.incident_id.to_string(),
            incident_at: format_datetime(e.reported_at),
            child_present: n.child_present,
            voice_of_child: n.voice_of_child.clone(),
            circumstances: n.circumstances.clone(),
            due: format_datetime(n.due),
            acknowledged_at: n.acknowledged.as_ref().map(|(at, _)| format_datetime(*at)),
            acknowledged_by: n.acknowledged.as_ref().map(|(_, by)| by.to_string()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EncompassPageDto {
    pub total: u64,
    /// Items on this page left out as restricted records (`total` still counts them).
    pub withheld: u64,
    pub page: u32,
    pub per_page: u32,
    pub pages: u32,
    pub items: Vec<EncompassDto>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct EncompassParams {
    /// `open`: only those not yet acknowledged.
    pub show: Option<String>,
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

/// The caller's Operation Encompass notifications: their school's, or (an area's education
/// contact) their area's; soonest due first.
#[utoipa::path(get, path = "/encompass", tag = "partners",
    params(EncompassParams),
    responses((status = 200, body = EncompassPageDto), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn encompass_list(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    q: Result<Query<EncompassParams>, QueryRejection>,
) -> Response {
    let Query(q) = match q {
        Ok(q) => q,
        Err(r) => return query_problem(r).into_response(),
    };
    let mut errors = Vec::new();
    let open = match q.show.as_deref().map(str::trim) {
        None | Some("") | Some("all") => false,
        Some("open") => true,
        Some(_) => {
            errors.push(FieldError::new(
                "show",
                "Use open, or leave it out for every notification",
            ));
            false
        }
    };
    service::check_paging(&mut errors, q.page, q.per_page);
    if !errors.is_empty() {
        return from_failure(&s, Failure::Invalid(errors)).into_response();
    }
    match service::encompass_list(&app, &s, open, q.page, q.per_page).await {
        Ok(l) => Json(EncompassPageDto {
            total: l.page.total,
            withheld: l.withheld,
            page: l.page_no,
            per_page: l.per_page,
            pages: service::pages(l.page.total, l.per_page),
            items: l.page.items.iter().map(EncompassDto::from).collect(),
        })
        .into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// One of the caller's Operation Encompass notifications.
#[utoipa::path(get, path = "/encompass/{id}", tag = "partners",
    params(("id" = String, Path, description = "The notification's (its referral's) reference")),
    responses((status = 200, body = EncompassDto), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn encompass_one(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
) -> Response {
    match service::encompass_one(&app, &s, &id).await {
        Ok(e) => Json(EncompassDto::from(&e)).into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// The school says it has the notification (once; again is a no-op).
#[utoipa::path(post, path = "/encompass/{id}/acknowledgement", tag = "partners",
    params(("id" = String, Path, description = "The notification's (its referral's) reference")),
    responses((status = 200, body = EncompassDto), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn encompass_acknowledge(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
) -> Response {
    if let Err(f) = service::acknowledge(&app, &s, &id).await {
        return from_failure(&s, f).into_response();
    }
    match service::encompass_one(&app, &s, &id).await {
        Ok(e) => Json(EncompassDto::from(&e)).into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// A MARAC meeting.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingDto {
    pub id: i64,
    pub area: String,
    /// `YYYY-MM-DD`.
    pub held_on: String,
    pub venue: String,
}

impl From<&vigil_domain::marac_meeting::Meeting> for MeetingDto {
    fn from(m: &vigil_domain::marac_meeting::Meeting) -> Self {
        MeetingDto {
            id: m.id,
            area: m.area.clone(),
            held_on: vigil_domain::time::format_date(m.held_on),
            venue: m.venue.clone(),
        }
    }
}

/// One case on a MARAC agenda.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgendaItemDto {
    pub referral_id: String,
    pub person_id: String,
    /// The victim's name, for a role that sees names.
    pub name: Option<String>,
    pub incident_id: Option<String>,
    pub referred_at: String,
    pub referred_by: String,
    pub children: bool,
    pub repeat: bool,
    /// Heard at MARAC 12 months or more before.
    pub review: bool,
    pub last_marac: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgendaDto {
    pub meeting: MeetingDto,
    /// The referrals' days heard, inclusive (`YYYY-MM-DD`).
    pub from: String,
    pub to: String,
    /// Cases with children first, then adult-only cases.
    pub items: Vec<AgendaItemDto>,
    pub withheld: u64,
    /// What each agency holds on each case, for this meeting.
    pub research: Vec<ResearchDto>,
    /// The most cases the area's meetings hear; more on the agenda is over capacity.
    pub capacity: u32,
}

/// One agency's research on a case for a meeting.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResearchDto {
    pub referral_id: String,
    pub agency: String,
    pub text: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

impl From<&vigil_domain::marac_meeting::Research> for ResearchDto {
    fn from(r: &vigil_domain::marac_meeting::Research) -> Self {
        ResearchDto {
            referral_id: r.referral_id.to_string(),
            agency: r.agency.as_str().to_owned(),
            text: r.text.clone(),
            recorded_by: r.recorded_by.to_string(),
            recorded_at: format_datetime(r.recorded_at),
        }
    }
}

/// An agency's research as sent.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ResearchInput {
    /// The MARAC referral on the meeting's agenda.
    pub referral_id: String,
    /// What the agency holds (up to 4,000 characters).
    pub text: String,
}

/// Records (or replaces) the caller's agency's research on a case of a meeting.
#[utoipa::path(post, path = "/marac/meetings/{id}/research", tag = "marac",
    params(("id" = i64, Path, description = "The meeting")),
    request_body = ResearchInput,
    responses((status = 201, body = ResearchDto), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn add_research(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    body: Result<Json<ResearchInput>, JsonRejection>,
) -> Response {
    let Json(input) = match body {
        Ok(b) => b,
        Err(r) => return json_problem(r).into_response(),
    };
    match service::add_research(&app, &s, &id, &input.referral_id, &input.text).await {
        Ok(r) => (StatusCode::CREATED, Json(ResearchDto::from(&r))).into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// Every MARAC meeting, latest first.
#[utoipa::path(get, path = "/marac/meetings", tag = "marac",
    responses((status = 200, body = Vec<MeetingDto>), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn meetings(State(app): State<Arc<App>>, Caller(s): Caller) -> Response {
    match service::meetings(&app, &s).await {
        Ok(all) => Json(all.iter().map(MeetingDto::from).collect::<Vec<_>>()).into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// Plans a MARAC meeting.
#[utoipa::path(post, path = "/marac/meetings", tag = "marac",
    request_body = service::MeetingInput,
    responses((status = 201, body = MeetingDto), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn plan_meeting(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    body: Result<Json<service::MeetingInput>, JsonRejection>,
) -> Response {
    let Json(input) = match body {
        Ok(b) => b,
        Err(r) => return json_problem(r).into_response(),
    };
    match service::create_meeting(&app, &s, &input).await {
        Ok(m) => (StatusCode::CREATED, Json(MeetingDto::from(&m))).into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// A meeting's agenda: its area's MARAC referrals since the area's last meeting, cases with
/// children first, repeats and cases heard 12 months or more before marked.
#[utoipa::path(get, path = "/marac/meetings/{id}/agenda", tag = "marac",
    params(("id" = i64, Path, description = "The meeting")),
    responses((status = 200, body = AgendaDto), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn agenda(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
) -> Response {
    match service::agenda(&app, &s, &id).await {
        Ok(v) => Json(AgendaDto {
            meeting: MeetingDto::from(&v.meeting),
            from: vigil_domain::time::format_date(v.window.0),
            to: vigil_domain::time::format_date(v.window.1),
            withheld: v.withheld,
            capacity: v.capacity,
            research: v.research.iter().map(ResearchDto::from).collect(),
            items: v
                .items
                .iter()
                .map(|i| AgendaItemDto {
                    referral_id: i.referral.id.to_string(),
                    person_id: i.referral.person.to_string(),
                    name: v.names.get(&i.referral.person).cloned(),
                    incident_id: i.referral.incident.as_ref().map(|c| c.to_string()),
                    referred_at: format_datetime(i.referral.referred_at),
                    referred_by: i.referral.agency.as_str().to_owned(),
                    children: i.children,
                    repeat: i.repeat,
                    review: i.review,
                    last_marac: i.last_marac.map(format_datetime),
                })
                .collect(),
        })
        .into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// An action of a MARAC action plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct MaracActionDto {
    pub id: i64,
    pub meeting_id: i64,
    pub referral_id: String,
    pub person_id: String,
    /// `victim` or `perpetrator`.
    pub about: String,
    pub owner: String,
    pub description: String,
    /// `YYYY-MM-DD`.
    pub due: String,
    pub done_at: Option<String>,
    pub done_by: Option<String>,
    pub evidence: Option<String>,
}

impl From<&vigil_domain::marac_actions::Action> for MaracActionDto {
    fn from(a: &vigil_domain::marac_actions::Action) -> Self {
        MaracActionDto {
            id: a.id,
            meeting_id: a.meeting_id,
            referral_id: a.referral_id.to_string(),
            person_id: a.person_id.to_string(),
            about: a.about.as_str().to_owned(),
            owner: a.owner.as_str().to_owned(),
            description: a.description.clone(),
            due: vigil_domain::time::format_date(a.due),
            done_at: a.done.as_ref().map(|(at, _, _)| format_datetime(*at)),
            done_by: a.done.as_ref().map(|(_, by, _)| by.to_string()),
            evidence: a.done.as_ref().map(|(_, _, e)| e.clone()),
        }
    }
}

/// Evidence that an action was done.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CompletionInput {
    /// What was done (10 to 1,000 characters).
    pub evidence: String,
}

/// Adds an action to a case on a meeting's agenda.
#[utoipa::path(post, path = "/marac/meetings/{id}/actions", tag = "marac",
    params(("id" = i64, Path, description = "The meeting")),
    request_body = service::ActionInput,
    responses((status = 201, body = MaracActionDto), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn add_marac_action(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    body: Result<Json<service::ActionInput>, JsonRejection>,
) -> Response {
    let Json(input) = match body {
        Ok(b) => b,
        Err(r) => return json_problem(r).into_response(),
    };
    match service::add_action(&app, &s, &id, &input).await {
        Ok(a) => (StatusCode::CREATED, Json(MaracActionDto::from(&a))).into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// The MARAC actions the caller's agency owns (the CRU: the police's), soonest due first.
#[utoipa::path(get, path = "/marac/actions", tag = "marac",
    responses((status = 200, body = Vec<MaracActionDto>), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn marac_actions(State(app): State<Arc<App>>, Caller(s): Caller) -> Response {
    match service::my_actions(&app, &s, false).await {
        Ok(l) => Json(l.iter().map(MaracActionDto::from).collect::<Vec<_>>()).into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// Completes one of the caller's agency's actions with evidence of what was done.
#[utoipa::path(post, path = "/marac/actions/{id}/completion", tag = "marac",
    params(("id" = i64, Path, description = "The action")),
    request_body = CompletionInput,
    responses((status = 200, body = MaracActionDto), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn complete_marac_action(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    body: Result<Json<CompletionInput>, JsonRejection>,
) -> Response {
    let Json(input) = match body {
        Ok(b) => b,
        Err(r) => return json_problem(r).into_response(),
    };
    match service::complete_action(&app, &s, &id, &input.evidence).await {
        Ok(a) => Json(MaracActionDto::from(&a)).into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// The IDVA service's record of a referral.
#[derive(Debug, Serialize, ToSchema)]
pub struct IdvaCaseDto {
    pub referral_id: String,
    pub person_id: String,
    pub family_name: Option<String>,
    pub given_names: Option<String>,
    pub referred_at: String,
    /// Where it stands, in words.
    pub state: String,
    pub first_contact_due: String,
    pub accepted_by: Option<String>,
    pub first_contact_at: Option<String>,
    pub engagement: Option<String>,
    pub closed_at: Option<String>,
    pub declined_at: Option<String>,
}

fn idva_dto(app: &App, i: &service::IdvaItem) -> IdvaCaseDto {
    let c = &i.case;
    IdvaCaseDto {
        referral_id: c.referral_id.to_string(),
        person_id: c.person_id.to_string(),
        family_name: i.shared.family_name.clone(),
        given_names: i.shared.given_names.clone(),
        referred_at: format_datetime(c.referred_at),
        state: c.state().to_owned(),
        first_contact_due: format_datetime(c.first_contact_due(&app.rules)),
        accepted_by: c.accepted.as_ref().map(|(u, _)| u.to_string()),
        first_contact_at: c.first_contact.map(format_datetime),
        engagement: c.engagement.map(|e| e.as_str().to_owned()),
        closed_at: c.closed.as_ref().map(|(at, _)| format_datetime(*at)),
        declined_at: c.declined.as_ref().map(|(at, _, _)| format_datetime(*at)),
    }
}

/// The IDVA referrals shared with the service (the caller's first page, newest first), and
/// where each stands.
#[utoipa::path(get, path = "/idva", tag = "partners",
    responses((status = 200, body = Vec<IdvaCaseDto>), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn idva_list(State(app): State<Arc<App>>, Caller(s): Caller) -> Response {
    match service::idva_referrals(&app, &s, 1).await {
        Ok((_, items)) => {
            Json(items.iter().map(|i| idva_dto(&app, i)).collect::<Vec<_>>()).into_response()
        }
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// Takes a step on an IDVA referral: accept, decline (with a reason), first_contact (with
/// `at`), outcome (with `engagement`), close (with a reason).
#[utoipa::path(post, path = "/idva/{id}/steps", tag = "partners",
    params(("id" = String, Path, description = "The IDVA referral")),
    request_body = service::IdvaStepInput,
    responses((status = 200, body = IdvaCaseDto), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn idva_step(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    body: Result<Json<service::IdvaStepInput>, JsonRejection>,
) -> Response {
    let Json(input) = match body {
        Ok(b) => b,
        Err(r) => return json_problem(r).into_response(),
    };
    if let Err(f) = service::idva_step(&app, &s, &id, &input).await {
        return from_failure(&s, f).into_response();
    }
    match service::idva_referral(&app, &s, &id).await {
        Ok(i) => Json(idva_dto(&app, &i)).into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}
