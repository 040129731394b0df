//! `/api/v1` for protective notices and orders: drafted from a case, authorised by an
//! officer of the required rank, served, heard, notified and breached. The same use cases
//! as the pages (`service::protective`).

use crate::App;
use crate::api::{Caller, CreatedDto, ErrorBody, from_failure, json_problem};
use crate::service;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;
use vigil_domain::time::format_datetime;

/// A protective notice and what followed it.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeDto {
    pub id: String,
    /// `dvpn` or `dapn`.
    pub kind: String,
    pub subject_id: String,
    pub subject_name: Option<String>,
    pub protected_id: String,
    pub protected_name: Option<String>,
    pub incident_id: Option<String>,
    pub state: String,
    pub applied_by: String,
    pub authorised_by: Option<String>,
    pub authoriser_rank: Option<String>,
    pub served_at: Option<String>,
    /// When the hearing is due: 48 counted hours after service, or the adjourned date.
    pub hearing_due: Option<String>,
    /// `granted`, `refused` or `adjourned`.
    pub decision: Option<String>,
    pub order_id: Option<String>,
    pub order_expires_at: Option<String>,
    /// A DAPO subject's notification, due until it is made.
    pub notification_due: Option<String>,
    pub notified_at: Option<String>,
    pub victim_told: Vec<String>,
    pub breaches: Vec<BreachDto>,
}

/// A breach recorded against the notice or the order.
#[derive(Debug, Serialize, ToSchema)]
pub struct BreachDto {
    pub at: String,
    /// What was breached: `dvpn`, `dvpo`, `dapn` or `dapo`.
    pub of: String,
    pub details: String,
    pub recorded_by: String,
    /// A DAPO's breach is an offence: the case (incident) made for it.
    pub case_id: Option<String>,
}

fn dto(i: &service::NoticeItem) -> NoticeDto {
    let c = &i.case;
    NoticeDto {
        id: c.id.to_string(),
        kind: c.kind.as_str().to_owned(),
        subject_id: c.subject_id.to_string(),
        subject_name: i.names.get(&c.subject_id).cloned(),
        protected_id: c.protected_id.to_string(),
        protected_name: i.names.get(&c.protected_id).cloned(),
        incident_id: c.incident_id.as_ref().map(|x| x.to_string()),
        state: c.state().to_owned(),
        applied_by: c.applied_by.to_string(),
        authorised_by: c.authorised.as_ref().map(|a| a.1.to_string()),
        authoriser_rank: c.authorised.as_ref().map(|a| a.2.as_str().to_owned()),
        served_at: c.served.as_ref().map(|s| format_datetime(s.0)),
        hearing_due: c.hearing_due().map(format_datetime),
        decision: c.decision.as_ref().map(|d| d.1.as_str().to_owned()),
        order_id: c.order.as_ref().map(|o| o.id.to_string()),
        order_expires_at: c
            .order
            .as_ref()
            .and_then(|o| o.expires_at)
            .map(format_datetime),
        notification_due: c.notification_due().map(format_datetime),
        notified_at: c.notified_at.map(format_datetime),
        victim_told: c
            .victim_told
            .iter()
            .map(|(at, what)| format!("{}: {what}", format_datetime(*at)))
            .collect(),
        breaches: c
            .breaches
            .iter()
            .map(|b| BreachDto {
                at: format_datetime(b.at),
                of: b.of.as_str().to_owned(),
                details: b.details.clone(),
                recorded_by: b.recorded_by.to_string(),
                case_id: b.case.as_ref().map(|c| c.to_string()),
            })
            .collect(),
    }
}

/// Drafts a DVPN or a DAPN from a case (its suspect the subject, its victim protected).
#[utoipa::path(post, path = "/cases/{id}/notices", tag = "cases",
    params(("id" = String, Path, description = "The case (incident)")),
    request_body = service::NoticeInput,
    responses((status = 201, body = CreatedDto), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn notice_draft(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    body: Result<Json<service::NoticeInput>, JsonRejection>,
) -> Response {
    let Json(input) = match body {
        Ok(b) => b,
        Err(r) => return json_problem(r).into_response(),
    };
    match service::draft_notice(&app, &s, &id, &input).await {
        Ok(n) => (StatusCode::CREATED, Json(CreatedDto { id: n.to_string() })).into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// Open protective notices: the caller's own, or every one for the CRU and officers
/// with a rank.
#[utoipa::path(get, path = "/notices", tag = "cases",
    responses((status = 200, body = Vec<NoticeDto>), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn notice_list(State(app): State<Arc<App>>, Caller(s): Caller) -> Response {
    match service::notice_list(&app, &s).await {
        Ok(items) => Json(items.iter().map(dto).collect::<Vec<_>>()).into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// One protective notice.
#[utoipa::path(get, path = "/notices/{id}", tag = "cases",
    params(("id" = String, Path, description = "The notice")),
    responses((status = 200, body = NoticeDto), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn notice_one(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
) -> Response {
    match service::notice_item(&app, &s, &id).await {
        Ok(i) => Json(dto(&i)).into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// Takes a step: `authorise` (the caller's recorded rank is checked), `serve`, `hearing`,
/// `notified`, `victim_told` or `breach`; a step out of order is 409.
#[utoipa::path(post, path = "/notices/{id}/steps", tag = "cases",
    params(("id" = String, Path, description = "The notice")),
    request_body = service::NoticeStepInput,
    responses((status = 200, body = NoticeDto), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn notice_step(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    body: Result<Json<service::NoticeStepInput>, JsonRejection>,
) -> Response {
    let Json(input) = match body {
        Ok(b) => b,
        Err(r) => return json_problem(r).into_response(),
    };
    if let Err(f) = service::notice_step(&app, &s, &id, &input).await {
        return from_failure(&s, f).into_response();
    }
    match service::notice_item(&app, &s, &id).await {
        Ok(i) => Json(dto(&i)).into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// The decision recorded on the case.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeDecisionDto {
    pub incident_id: String,
    pub applied: bool,
    pub reason: String,
}

/// Records the officer's decision where a case with no arrest or charge prompts a
/// protective notice: `applied`, or `not_applied` with the reason.
#[utoipa::path(post, path = "/cases/{id}/notice-decision", tag = "cases",
    params(("id" = String, Path, description = "The case (incident)")),
    request_body = service::NoticeDecisionInput,
    responses((status = 200, body = NoticeDecisionDto), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn notice_decision(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    body: Result<Json<service::NoticeDecisionInput>, JsonRejection>,
) -> Response {
    let Json(input) = match body {
        Ok(b) => b,
        Err(r) => return json_problem(r).into_response(),
    };
    match service::record_notice_decision(&app, &s, &id, &input).await {
        Ok(()) => Json(NoticeDecisionDto {
            incident_id: id,
            applied: input.decision.trim() == "applied",
            reason: input.reason.trim().to_owned(),
        })
        .into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}
