//! `/api/v1` for the multi-agency record: MARAC's (a meeting's attendance, each case's
//! discussion and the risk after it, the chair's approval, transfers, the minutes,
//! partners' MARAC referrals) and the MASH's (its referrals, research and decisions). The
//! same use cases as the pages (`service::marac`, `service::mash`).

use crate::App;
use crate::api::{Caller, ErrorBody, from_failure, json_problem};
use crate::service;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;
use vigil_domain::time::format_datetime;

/// Who attended for one agency.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AttendanceEntry {
    /// `police`, `health`, `idva`, `housing`, `childrens_services`, `adult_services`,
    /// `probation`, `education` or `voluntary`.
    pub agency: String,
    /// Names and roles (up to 500 characters).
    pub attendees: String,
}

/// A meeting's attendance, replacing what was recorded; an agency left out was absent.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AttendanceInput {
    pub attendance: Vec<AttendanceEntry>,
}

/// Records who attended a meeting, agency by agency (the coordinator).
#[utoipa::path(put, path = "/marac/meetings/{id}/attendance", tag = "marac",
    params(("id" = i64, Path, description = "The meeting")),
    request_body = AttendanceInput,
    responses((status = 200, body = Vec<AttendanceEntry>), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn attendance(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    body: Result<Json<AttendanceInput>, JsonRejection>,
) -> Response {
    let Json(input) = match body {
        Ok(b) => b,
        Err(r) => return json_problem(r).into_response(),
    };
    let entries: Vec<(String, String)> = input
        .attendance
        .into_iter()
        .map(|e| (e.agency, e.attendees))
        .collect();
    match service::record_attendance(&app, &s, &id, &entries).await {
        Ok(list) => Json(
            list.iter()
                .map(|a| AttendanceEntry {
                    agency: a.agency.as_str().to_owned(),
                    attendees: a.attendees.clone(),
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// A case's discussion at a meeting.
#[derive(Debug, Serialize, ToSchema)]
pub struct DiscussionDto {
    pub meeting_id: i64,
    pub referral_id: String,
    pub person_id: String,
    pub discussion: String,
    /// `standard`, `medium` or `high`.
    pub risk_after: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

impl From<&vigil_domain::marac_record::Discussion> for DiscussionDto {
    fn from(d: &vigil_domain::marac_record::Discussion) -> Self {
        DiscussionDto {
            meeting_id: d.meeting_id,
            referral_id: d.referral_id.to_string(),
            person_id: d.person_id.to_string(),
            discussion: d.discussion.clone(),
            risk_after: d.risk_after.as_str().to_owned(),
            recorded_by: d.recorded_by.to_string(),
            recorded_at: format_datetime(d.recorded_at),
        }
    }
}

/// Records (or replaces) a case's discussion and the risk after it (the coordinator or
/// the chair).
#[utoipa::path(post, path = "/marac/meetings/{id}/discussions", tag = "marac",
    params(("id" = i64, Path, description = "The meeting")),
    request_body = service::DiscussionInput,
    responses((status = 201, body = DiscussionDto), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn discussion(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    body: Result<Json<service::DiscussionInput>, JsonRejection>,
) -> Response {
    let Json(input) = match body {
        Ok(b) => b,
        Err(r) => return json_problem(r).into_response(),
    };
    match service::record_discussion(&app, &s, &id, &input).await {
        Ok(d) => (StatusCode::CREATED, Json(DiscussionDto::from(&d))).into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// The chair's approval of a meeting's minutes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApprovalDto {
    pub meeting_id: i64,
    pub approved_by: String,
    pub approved_at: String,
}

/// Approves a meeting's minutes (the chair): every case discussed and attendance taken;
/// the record closes and the minutes go to the agencies that attended.
#[utoipa::path(post, path = "/marac/meetings/{id}/approval", tag = "marac",
    params(("id" = i64, Path, description = "The meeting")),
    responses((status = 201, body = ApprovalDto), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn approval(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
) -> Response {
    match service::approve_minutes(&app, &s, &id).await {
        Ok(a) => (
            StatusCode::CREATED,
            Json(ApprovalDto {
                meeting_id: a.meeting_id,
                approved_by: a.approved_by.to_string(),
                approved_at: format_datetime(a.approved_at),
            }),
        )
            .into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// A case's move to another MARAC.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransferDto {
    pub referral_id: String,
    pub person_id: String,
    pub from_area: String,
    pub to_area: String,
    pub reason: String,
    pub transferred_by: String,
    pub transferred_at: String,
}

/// Transfers a case of a meeting's agenda to another MARAC (the coordinator): another of
/// the force's areas hears it at its next meeting; another force's takes it off the
/// force's agendas.
#[utoipa::path(post, path = "/marac/meetings/{id}/transfers", tag = "marac",
    params(("id" = i64, Path, description = "The meeting")),
    request_body = service::TransferInput,
    responses((status = 201, body = TransferDto), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn transfer(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    body: Result<Json<service::TransferInput>, JsonRejection>,
) -> Response {
    let Json(input) = match body {
        Ok(b) => b,
        Err(r) => return json_problem(r).into_response(),
    };
    match service::transfer(&app, &s, &id, &input).await {
        Ok(t) => (
            StatusCode::CREATED,
            Json(TransferDto {
                referral_id: t.referral_id.to_string(),
                person_id: t.person_id.to_string(),
                from_area: t.from_area,
                to_area: t.to_area,
                reason: t.reason,
                transferred_by: t.transferred_by.to_string(),
                transferred_at: format_datetime(t.transferred_at),
            }),
        )
            .into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// One case in the minutes.
#[derive(Debug, Serialize, ToSchema)]
pub struct MinutesCaseDto {
    pub referral_id: String,
    pub person_id: String,
    pub name: Option<String>,
    /// Only for an agency whose part needs it (police, IDVA, housing); never a refuge's.
    pub address: Option<String>,
    pub children: bool,
    pub repeat: bool,
    pub discussion: Option<String>,
    pub risk_after: Option<String>,
    pub transferred_to: Option<String>,
    pub actions: Vec<crate::api_work::MaracActionDto>,
}

/// A meeting's minutes.
#[derive(Debug, Serialize, ToSchema)]
pub struct MinutesDto {
    pub meeting_id: i64,
    pub area: String,
    /// `YYYY-MM-DD`.
    pub held_on: String,
    /// When the chair approved them; `null`: a draft.
    pub approved_at: Option<String>,
    pub approved_by: Option<String>,
    pub addresses_shown: bool,
    pub attendance: Vec<AttendanceEntry>,
    pub cases: Vec<MinutesCaseDto>,
    /// Restricted cases left out.
    pub withheld: u64,
}

/// A meeting's minutes: for its coordinator and chair, and once approved for the agencies
/// that attended. Each person named is audited.
#[utoipa::path(get, path = "/marac/meetings/{id}/minutes", tag = "marac",
    params(("id" = i64, Path, description = "The meeting")),
    responses((status = 200, body = MinutesDto), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn minutes(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
) -> Response {
    match service::minutes(&app, &s, &id).await {
        Ok(m) => Json(MinutesDto {
            meeting_id: m.meeting.id,
            area: m.meeting.area.clone(),
            held_on: vigil_domain::time::format_date(m.meeting.held_on),
            approved_at: m.approved.as_ref().map(|a| format_datetime(a.approved_at)),
            approved_by: m.approved.as_ref().map(|a| a.approved_by.to_string()),
            addresses_shown: m.addresses_shown,
            attendance: m
                .attendance
                .iter()
                .map(|a| AttendanceEntry {
                    agency: a.agency.as_str().to_owned(),
                    attendees: a.attendees.clone(),
                })
                .collect(),
            cases: m
                .cases
                .iter()
                .map(|c| MinutesCaseDto {
                    referral_id: c.referral_id.to_string(),
                    person_id: c.person_id.to_string(),
                    name: c.name.clone(),
                    address: c.address.clone(),
                    children: c.children,
                    repeat: c.repeat,
                    discussion: c.discussion.as_ref().map(|d| d.discussion.clone()),
                    risk_after: c
                        .discussion
                        .as_ref()
                        .map(|d| d.risk_after.as_str().to_owned()),
                    transferred_to: c.transferred_to.clone(),
                    actions: c
                        .actions
                        .iter()
                        .map(crate::api_work::MaracActionDto::from)
                        .collect(),
                })
                .collect(),
            withheld: m.withheld,
        })
        .into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// A partner agency refers a victim to MARAC in its area (the police refer from the case:
/// `POST /cases/{id}/referrals`).
#[utoipa::path(post, path = "/marac/referrals", tag = "marac",
    request_body = service::PartnerReferralInput,
    responses((status = 201, body = crate::api::CreatedDto), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn partner_referral(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    body: Result<Json<service::PartnerReferralInput>, JsonRejection>,
) -> Response {
    let Json(input) = match body {
        Ok(b) => b,
        Err(r) => return json_problem(r).into_response(),
    };
    match service::partner_referral(&app, &s, &input).await {
        Ok(id) => (
            StatusCode::CREATED,
            Json(crate::api::CreatedDto { id: id.to_string() }),
        )
            .into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

// ----- the MASH -----

/// A MASH referral as the hub or the referring officer sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MashDto {
    pub referral_id: String,
    pub person_id: String,
    pub name: Option<String>,
    pub incident_id: Option<String>,
    pub lpa: String,
    /// `children` or `adult`.
    pub about: String,
    pub children: Vec<String>,
    pub referred_at: String,
    pub referred_by: String,
    pub concern: String,
    /// Where it stands, in words.
    pub state: String,
    pub decision_due: String,
    pub research: Option<String>,
    pub decision: Option<String>,
    pub rationale: Option<String>,
    pub decided_at: Option<String>,
    pub outcome_read_at: Option<String>,
}

fn mash_dto(app: &App, i: &service::MashItem) -> MashDto {
    let c = &i.case;
    MashDto {
        referral_id: c.referral_id.to_string(),
        person_id: c.person_id.to_string(),
        name: i.names.get(&c.person_id).cloned(),
        incident_id: c.incident_id.as_ref().map(|x| x.to_string()),
        lpa: c.lpa.to_string(),
        about: c.about.as_str().to_owned(),
        children: c.children.iter().map(|p| p.to_string()).collect(),
        referred_at: format_datetime(c.referred_at),
        referred_by: c.referred_by.to_string(),
        concern: c.concern.clone(),
        state: c.state().to_owned(),
        decision_due: format_datetime(c.decision_due(&app.rules)),
        research: c.research.as_ref().map(|(t, _, _)| t.clone()),
        decision: c
            .decision
            .as_ref()
            .map(|(d, _, _, _)| d.as_str().to_owned()),
        rationale: c.decision.as_ref().map(|(_, r, _, _)| r.clone()),
        decided_at: c
            .decision
            .as_ref()
            .map(|(_, _, _, at)| format_datetime(*at)),
        outcome_read_at: c.outcome_read_at.map(format_datetime),
    }
}

/// The hub's MASH referrals (children's social care: those about children; adult social
/// care: those about adults; in the user's area), awaiting a decision first.
#[utoipa::path(get, path = "/mash", tag = "partners",
    responses((status = 200, body = Vec<MashDto>), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn mash_list(State(app): State<Arc<App>>, Caller(s): Caller) -> Response {
    match service::mash_referrals(&app, &s).await {
        Ok(items) => {
            Json(items.iter().map(|i| mash_dto(&app, i)).collect::<Vec<_>>()).into_response()
        }
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// One MASH referral: for its hub and the officer who referred it.
#[utoipa::path(get, path = "/mash/{id}", tag = "partners",
    params(("id" = String, Path, description = "The MASH referral")),
    responses((status = 200, body = MashDto), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn mash_one(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
) -> Response {
    match service::mash_referral(&app, &s, &id).await {
        Ok(i) => Json(mash_dto(&app, &i)).into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// Takes a step on a MASH referral: `research` (with `research`) and `decide` (with
/// `decision` and `rationale`) by the hub; `outcome_read` by the referring officer.
#[utoipa::path(post, path = "/mash/{id}/steps", tag = "partners",
    params(("id" = String, Path, description = "The MASH referral")),
    request_body = service::MashStepInput,
    responses((status = 200, body = MashDto), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn mash_step(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    body: Result<Json<service::MashStepInput>, JsonRejection>,
) -> Response {
    let Json(input) = match body {
        Ok(b) => b,
        Err(r) => return json_problem(r).into_response(),
    };
    if let Err(f) = service::mash_step(&app, &s, &id, &input).await {
        return from_failure(&s, f).into_response();
    }
    match service::mash_referral(&app, &s, &id).await {
        Ok(i) => Json(mash_dto(&app, &i)).into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}
