//! `/api/v1` for Clare's Law: applications recorded, listed, read and worked stage by
//! stage, and the right-to-know application opened from a case. The same use cases as the
//! pages (`service::dvds`).

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

/// A Clare's Law application and where it stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct DvdsDto {
    pub id: String,
    /// `right_to_ask` or `right_to_know`.
    pub route: String,
    pub subject_id: String,
    pub subject_name: Option<String>,
    pub at_risk_id: String,
    pub at_risk_name: Option<String>,
    /// `person_at_risk`, `third_party`, `police` or `partner_agency`.
    pub applicant: String,
    pub applicant_name: String,
    pub lpa: String,
    pub incident_id: Option<String>,
    /// Right to know: the subject's earlier incidents against other partners.
    pub evidence: Vec<String>,
    pub received_at: String,
    pub decision_due: String,
    /// `contact`, `meeting`, `checks`, `panel` or `outcome`; `null` once closed.
    pub next_stage: Option<String>,
    pub next_due: Option<String>,
    pub immediate_risk: Option<bool>,
    /// `disclose`, `no_disclosure` or `withdrawn`, once decided.
    pub decision: Option<String>,
    pub decided_at: Option<String>,
    pub rationale: Option<String>,
    pub disclosed_to: Option<String>,
    pub closed_at: Option<String>,
}

fn dto(app: &App, i: &service::DvdsItem) -> DvdsDto {
    let a = &i.application;
    let next = service::next_due(app, a);
    let decision = a.decision();
    DvdsDto {
        id: a.id.to_string(),
        route: a.route.as_str().to_owned(),
        subject_id: a.subject_id.to_string(),
        subject_name: i.names.get(&a.subject_id).cloned(),
        at_risk_id: a.at_risk_id.to_string(),
        at_risk_name: i.names.get(&a.at_risk_id).cloned(),
        applicant: a.applicant.as_str().to_owned(),
        applicant_name: a.applicant_name.clone(),
        lpa: a.lpa.to_string(),
        incident_id: a.incident_id.as_ref().map(|x| x.to_string()),
        evidence: a.evidence.iter().map(|x| x.to_string()).collect(),
        received_at: format_datetime(a.received_at),
        decision_due: format_datetime(a.decision_due(&app.rules)),
        next_stage: next.map(|(st, _)| st.as_str().to_owned()),
        next_due: next.map(|(_, d)| format_datetime(d)),
        immediate_risk: a.contact.as_ref().map(|c| c.2),
        decision: decision.map(|d| d.0.as_str().to_owned()),
        decided_at: decision.map(|d| format_datetime(d.1)),
        rationale: a.panel.as_ref().map(|p| p.rationale.clone()),
        disclosed_to: a
            .outcome
            .as_ref()
            .filter(|o| o.disclosed)
            .map(|o| o.to_whom.clone()),
        closed_at: a
            .outcome
            .as_ref()
            .map(|o| o.at)
            .or(a.declined.as_ref().map(|d| d.0))
            .map(format_datetime),
    }
}

/// The CRU's Clare's Law applications, open first.
#[utoipa::path(get, path = "/disclosures", tag = "cases",
    responses((status = 200, body = Vec<DvdsDto>), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn disclosure_list(State(app): State<Arc<App>>, Caller(s): Caller) -> Response {
    match service::dvds_list(&app, &s, false).await {
        Ok(items) => Json(items.iter().map(|i| dto(&app, i)).collect::<Vec<_>>()).into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// Records a right-to-ask application (the CRU, or a partner agency in its area); new
/// people are checked for duplicates first (409 with the matches) unless
/// `confirm_new_people`.
#[utoipa::path(post, path = "/disclosures", tag = "cases",
    request_body = service::ApplicationInput,
    responses((status = 201, body = CreatedDto), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn disclosure_create(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    body: Result<Json<service::ApplicationInput>, JsonRejection>,
) -> Response {
    let Json(input) = match body {
        Ok(b) => b,
        Err(r) => return json_problem(r).into_response(),
    };
    match service::apply_for_disclosure(&app, &s, &input).await {
        Ok(id) => (StatusCode::CREATED, Json(CreatedDto { id: id.to_string() })).into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// One application (the CRU).
#[utoipa::path(get, path = "/disclosures/{id}", tag = "cases",
    params(("id" = String, Path, description = "The application")),
    responses((status = 200, body = DvdsDto), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn disclosure_one(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
) -> Response {
    match service::dvds_one(&app, &s, &id).await {
        Ok(i) => Json(dto(&app, &i)).into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// Takes the next stage (`contact`, `meeting`, `checks`, `panel`, `outcome`) or
/// `decline`; a stage out of order is 409.
#[utoipa::path(post, path = "/disclosures/{id}/steps", tag = "cases",
    params(("id" = String, Path, description = "The application")),
    request_body = service::DvdsStepInput,
    responses((status = 200, body = DvdsDto), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn disclosure_step(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    body: Result<Json<service::DvdsStepInput>, JsonRejection>,
) -> Response {
    let Json(input) = match body {
        Ok(b) => b,
        Err(r) => return json_problem(r).into_response(),
    };
    if let Err(f) = service::dvds_step(&app, &s, &id, &input).await {
        return from_failure(&s, f).into_response();
    }
    match service::dvds_one(&app, &s, &id).await {
        Ok(i) => Json(dto(&app, &i)).into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// Opens a right-to-know application from a case the screen flagged (the CRU): the
/// suspect's earlier incidents against other partners are its evidence.
#[utoipa::path(post, path = "/cases/{id}/right-to-know", tag = "cases",
    params(("id" = String, Path, description = "The case (incident)")),
    responses((status = 201, body = CreatedDto), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn open_right_to_know(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
) -> Response {
    match service::open_right_to_know(&app, &s, &id).await {
        Ok(d) => (StatusCode::CREATED, Json(CreatedDto { id: d.to_string() })).into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}
