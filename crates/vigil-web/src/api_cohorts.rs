//! `/api/v1` for the perpetrator and acute victim cohorts: runs and their members, a
//! member's history, owners, and what was done. The same use cases as the pages
//! (`service::cohort`).

use crate::App;
use crate::api::{Caller, ErrorBody, from_failure, json_problem, query_problem};
use crate::service;
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};
use vigil_domain::cohort::{Allocation, Run, RunMember};
use vigil_domain::time::format_datetime;

/// A run: which cohort, area and day, who ran it and the configuration it used.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunDto {
    pub id: i64,
    /// `perpetrator` or `victim`.
    pub kind: String,
    pub lpa: String,
    pub as_of: String,
    pub run_at: String,
    pub run_by: String,
    /// The configuration as stored with the run, one `key=value` a line.
    pub configuration: String,
}

/// A member of a run (or one who left since the run before: no rank).
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberDto {
    pub person_id: String,
    pub rank: Option<u32>,
    /// `entered`, `stayed` or `left`.
    pub movement: String,
    pub previous_rank: Option<u32>,
    pub score: f64,
    pub recency: f64,
    pub frequency: f64,
    pub gravity: f64,
    pub victims_part: f64,
    pub incidents: u32,
    pub victims: u32,
    pub last_incident: Option<String>,
    pub serial: bool,
    pub reasons: String,
    /// The member's owner, if allocated.
    pub owner: Option<String>,
}

/// A run with its members.
#[derive(Debug, Serialize, ToSchema)]
pub struct CohortDto {
    pub run: Option<RunDto>,
    pub members: Vec<MemberDto>,
    /// Members not listed: restricted records the caller may not see.
    pub withheld: usize,
}

/// One thing an owner did.
#[derive(Debug, Serialize, ToSchema)]
pub struct CohortActionDto {
    pub at: String,
    pub by: String,
    pub action: String,
    pub text: String,
    pub outcome: String,
}

/// A member's owner, plan, next review and what was done.
#[derive(Debug, Serialize, ToSchema)]
pub struct AllocationDto {
    pub kind: String,
    pub lpa: String,
    pub person_id: String,
    pub owner: String,
    pub plan: String,
    pub allocated_at: String,
    pub allocated_by: String,
    pub next_review: String,
    pub review_due: bool,
    pub closed_at: Option<String>,
    pub actions: Vec<CohortActionDto>,
}

/// A member over time: each run's row, oldest first, and their owner.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberHistoryDto {
    pub person_id: String,
    pub history: Vec<HistoryDto>,
    pub allocation: Option<AllocationDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryDto {
    pub as_of: String,
    pub member: MemberDto,
}

/// The cohort a path names, or the API's "not found" (a response is large for an error
/// value, but this one is made at most once a request, on the way out).
#[allow(clippy::result_large_err)]
fn kind_in(
    s: &vigil_store::Session,
    raw: &str,
) -> Result<vigil_domain::cohort::CohortKind, Response> {
    service::cohort_kind(raw).map_err(|f| from_failure(s, f).into_response())
}

fn run_dto(r: &Run) -> RunDto {
    RunDto {
        id: r.id,
        kind: r.kind.as_str().to_owned(),
        lpa: r.lpa.to_string(),
        as_of: r.as_of.to_string(),
        run_at: format_datetime(r.run_at),
        run_by: r.run_by.clone(),
        configuration: r.configuration.clone(),
    }
}

fn member_dto(m: &RunMember, owner: Option<String>) -> MemberDto {
    MemberDto {
        person_id: m.person_id.to_string(),
        rank: m.rank,
        movement: m.movement.as_str().to_owned(),
        previous_rank: m.previous_rank,
        score: m.score,
        recency: m.r,
        frequency: m.f,
        gravity: m.g,
        victims_part: m.v,
        incidents: m.incidents,
        victims: m.victims,
        last_incident: m.last_incident.map(|d| d.to_string()),
        serial: m.serial,
        reasons: m.reasons.clone(),
        owner,
    }
}

fn allocation_dto(app: &App, a: &Allocation) -> AllocationDto {
    AllocationDto {
        kind: a.kind.as_str().to_owned(),
        lpa: a.lpa.to_string(),
        person_id: a.person_id.to_string(),
        owner: a.owner.to_string(),
        plan: a.plan.clone(),
        allocated_at: format_datetime(a.allocated_at),
        allocated_by: a.allocated_by.to_string(),
        next_review: a.next_review.to_string(),
        review_due: a.review_due(app.now().date()),
        closed_at: a.closed.as_ref().map(|c| format_datetime(c.0)),
        actions: a
            .actions
            .iter()
            .map(|x| CohortActionDto {
                at: format_datetime(x.at),
                by: x.by.to_string(),
                action: x.kind.as_str().to_owned(),
                text: x.text.clone(),
                outcome: x.outcome.clone(),
            })
            .collect(),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CohortParams {
    /// The area (the caller's own, else the first, when not given).
    #[serde(default)]
    pub lpa: Option<String>,
    /// A run of the area (its latest when not given).
    #[serde(default)]
    pub run: Option<i64>,
}

/// A cohort's run for an area (the latest, or the one asked for) with its members; each
/// person listed is audited.
#[utoipa::path(get, path = "/cohorts/{kind}", tag = "analysis",
    params(("kind" = String, Path, description = "`perpetrator` or `victim`"), CohortParams),
    responses((status = 200, body = CohortDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn cohort_run_get(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(kind): Path<String>,
    q: Result<Query<CohortParams>, QueryRejection>,
) -> Response {
    let Query(q) = match q {
        Ok(q) => q,
        Err(r) => return query_problem(r).into_response(),
    };
    let kind = match kind_in(&s, &kind) {
        Ok(k) => k,
        Err(r) => return r,
    };
    match service::cohort_view(&app, &s, kind, q.lpa.as_deref(), q.run).await {
        Ok(v) => Json(CohortDto {
            run: v.run.as_ref().map(run_dto),
            members: v
                .run
                .iter()
                .flat_map(|r| r.members.iter())
                .map(|m| {
                    member_dto(
                        m,
                        v.allocations
                            .get(&m.person_id)
                            .filter(|a| a.closed.is_none())
                            .map(|a| a.owner.to_string()),
                    )
                })
                .collect(),
            withheld: v.withheld,
        })
        .into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// Which area to run.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RunInput {
    /// An area, or `all`.
    pub lpa: String,
}

/// The runs made.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunsMadeDto {
    pub ids: Vec<i64>,
}

/// Runs a cohort now for an area (or `all`), as of today; stored like a scheduled run.
#[utoipa::path(post, path = "/cohorts/{kind}/runs", tag = "analysis",
    params(("kind" = String, Path, description = "`perpetrator` or `victim`")),
    request_body = RunInput,
    responses((status = 201, body = RunsMadeDto), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn cohort_run_now(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(kind): Path<String>,
    body: Result<Json<RunInput>, JsonRejection>,
) -> Response {
    let Json(input) = match body {
        Ok(b) => b,
        Err(r) => return json_problem(r).into_response(),
    };
    let kind = match kind_in(&s, &kind) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let lpa: String = input.lpa.chars().take(100).collect();
    match service::run_cohort_now(&app, &s, kind, &lpa).await {
        Ok(ids) => (StatusCode::CREATED, Json(RunsMadeDto { ids })).into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// A member's place in every run of the area (the score over time) and their owner.
#[utoipa::path(get, path = "/cohorts/{kind}/{lpa}/{person}", tag = "analysis",
    params(("kind" = String, Path, description = "`perpetrator` or `victim`"), ("lpa" = String, Path, description = "The area"), ("person" = String, Path, description = "The person")),
    responses((status = 200, body = MemberHistoryDto), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn cohort_member_get(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path((kind, lpa, person)): Path<(String, String, String)>,
) -> Response {
    let kind = match kind_in(&s, &kind) {
        Ok(k) => k,
        Err(r) => return r,
    };
    match service::cohort_member(&app, &s, kind, &lpa, &person).await {
        Ok(m) => Json(MemberHistoryDto {
            person_id: m.person_id.to_string(),
            history: m
                .history
                .iter()
                .map(|(d, r)| HistoryDto {
                    as_of: d.to_string(),
                    member: member_dto(r, None),
                })
                .collect(),
            allocation: m
                .allocation
                .as_ref()
                .map(|a| allocation_dto(&app, &a.record)),
        })
        .into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// Allocates a member to an officer with a plan and the first review (or re-allocates).
#[utoipa::path(put, path = "/cohorts/{kind}/{lpa}/{person}/allocation", tag = "analysis",
    params(("kind" = String, Path, description = "`perpetrator` or `victim`"), ("lpa" = String, Path, description = "The area"), ("person" = String, Path, description = "The person")),
    request_body = service::OwnerInput,
    responses((status = 200, body = AllocationDto), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn cohort_allocate(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path((kind, lpa, person)): Path<(String, String, String)>,
    body: Result<Json<service::OwnerInput>, JsonRejection>,
) -> Response {
    let Json(input) = match body {
        Ok(b) => b,
        Err(r) => return json_problem(r).into_response(),
    };
    let kind = match kind_in(&s, &kind) {
        Ok(k) => k,
        Err(r) => return r,
    };
    match service::allocate_member(&app, &s, kind, &lpa, &person, &input).await {
        Ok(a) => Json(allocation_dto(&app, &a)).into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// Records what the owner did (a review sets the next one), or closes the allocation.
#[utoipa::path(post, path = "/cohorts/{kind}/{lpa}/{person}/actions", tag = "analysis",
    params(("kind" = String, Path, description = "`perpetrator` or `victim`"), ("lpa" = String, Path, description = "The area"), ("person" = String, Path, description = "The person")),
    request_body = service::CohortActionInput,
    responses((status = 200, body = AllocationDto), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn cohort_record_action(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path((kind, lpa, person)): Path<(String, String, String)>,
    body: Result<Json<service::CohortActionInput>, JsonRejection>,
) -> Response {
    let Json(input) = match body {
        Ok(b) => b,
        Err(r) => return json_problem(r).into_response(),
    };
    let kind = match kind_in(&s, &kind) {
        Ok(k) => k,
        Err(r) => return r,
    };
    match service::cohort_action(&app, &s, kind, &lpa, &person, &input).await {
        Ok(a) => Json(allocation_dto(&app, &a)).into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// The caller's cohort members, the next review first (their work list).
#[utoipa::path(get, path = "/cohort-members/mine", tag = "analysis",
    responses((status = 200, body = Vec<AllocationDto>), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn my_cohort_members(State(app): State<Arc<App>>, Caller(s): Caller) -> Response {
    match service::my_cohort_members(&app, &s).await {
        Ok(list) => Json(
            list.iter()
                .map(|a| allocation_dto(&app, a))
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}
