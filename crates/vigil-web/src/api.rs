//! The JSON API under `/api/v1`: the same use cases as the pages (`service`), the same
//! permission table and audit, for other systems and scripts.
//!
//! Authentication: `Authorization: Bearer <token>` with a token from `vigil user token`, or
//! the browser's session cookie, in which case a change must also carry the session's form
//! token in `X-CSRF-Token`. Every error is one JSON shape, `{"error": {"code", "message",
//! "fields"?, "matches"?}}`, with a machine-readable code. The OpenAPI description is served
//! at `/api/v1/openapi.json` and snapshot-tested.

use crate::App;
use crate::auth::{SESSION_COOKIE, cookie};
use crate::components::FieldError;
use crate::service::{
    self, ArrestInput, DashInput, Failure, Found, IntakeInput, OffenceInput, OutcomeInput,
    ReferralInput, SearchInput,
};
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{OpenApi, ToSchema};
use vigil_domain::risk::AssessmentStage;
use vigil_domain::time::{format_date, format_datetime};
use vigil_store::Session;

// ----- errors -----

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// `unauthorised`, `forbidden`, `not_found`, `invalid_request`, `invalid_fields`,
    /// `possible_duplicates`, `conflict`, `payload_too_large`, `unsupported_media_type`,
    /// `form_token_missing`, `too_many_requests` (with `Retry-After`) or `problem`.
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    /// For `possible_duplicates`: the people already recorded who may be the new person.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<PersonDto>,
}

pub struct ApiError(StatusCode, ErrorDetail, Option<i64>);

impl ApiError {
    fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError(
            status,
            ErrorDetail {
                code: code.into(),
                message: message.into(),
                fields: Vec::new(),
                matches: Vec::new(),
            },
            None,
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (self.0, Json(ErrorBody { error: self.1 })).into_response();
        if let Some(secs) = self.2
            && let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string())
        {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
        }
        res
    }
}

pub(crate) fn from_failure(s: &Session, f: Failure) -> ApiError {
    match f {
        Failure::NotFound => ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "No such record, or not one you may see",
        ),
        Failure::Forbidden => ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "Your role ({}) does not include this; the attempt has been recorded",
                s.user.role
            ),
        ),
        Failure::Invalid(fields) => {
            let mut e = ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_fields",
                "Some fields have problems; nothing was saved",
            );
            e.1.fields = fields;
            e
        }
        Failure::PossibleDuplicates { party, matches } => {
            let mut e = ApiError::new(
                StatusCode::CONFLICT,
                "possible_duplicates",
                format!(
                    "The {party} may already be recorded: send their reference as {party}.id, or set confirm_new_people"
                ),
            );
            e.1.matches = matches.into_iter().map(|p| PersonDto::from(s, p)).collect();
            e
        }
        Failure::Conflict(msg) => ApiError::new(StatusCode::CONFLICT, "conflict", msg),
        Failure::TooMany {
            retry_after_secs,
            message,
        } => {
            let mut e = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", message);
            e.2 = Some(retry_after_secs);
            e
        }
        Failure::Problem(cause) => {
            tracing::error!(%cause, "a request failed");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "problem",
                "Sorry, there is a problem with the service; nothing was saved",
            )
        }
    }
}

pub(crate) fn json_problem(r: JsonRejection) -> ApiError {
    let status = r.status();
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        _ => "invalid_request",
    };
    ApiError::new(
        if code == "invalid_request" {
            StatusCode::BAD_REQUEST
        } else {
            status
        },
        code,
        r.body_text(),
    )
}

pub(crate) fn query_problem(r: QueryRejection) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", r.body_text())
}

/// The caller's session: a bearer token, or the session cookie (with the form token on a
/// change, so another site cannot make the browser act).
pub(crate) async fn caller(
    app: &App,
    headers: &HeaderMap,
    method: &Method,
) -> Result<Session, ApiError> {
    let unauthorised = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorised",
            "Sign in, or send 'Authorization: Bearer <token>' with a token from 'vigil user token'",
        )
    };
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let (token, from_cookie) = match bearer {
        Some(t) => (t.to_owned(), false),
        None => (
            cookie(headers, SESSION_COOKIE).ok_or_else(unauthorised)?,
            true,
        ),
    };
    let s = crate::auth::session_for_token(app, &token)
        .await
        .ok_or_else(unauthorised)?;
    if from_cookie && !matches!(*method, Method::GET | Method::HEAD) {
        let sent = headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !vigil_auth::constant_time_eq(sent, &s.csrf_token) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "form_token_missing",
                "A change made with the session cookie must carry the session's form token in X-CSRF-Token",
            ));
        }
    }
    Ok(s)
}

/// An API handler's caller: extracting it answers a request without a live token or
/// session (or a cookie change without its form token) in the API's error shape.
pub struct Caller(pub Session);

impl axum::extract::FromRequestParts<Arc<App>> for Caller {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        app: &Arc<App>,
    ) -> Result<Self, Response> {
        // The idempotency middleware may have found the session already.
        let s = match parts.extensions.remove::<Session>() {
            Some(s) => s,
            None => caller(app, &parts.headers, &parts.method)
                .await
                .map_err(IntoResponse::into_response)?,
        };
        // Each user's API requests are bounded: a script is slowed to a person's pace.
        if let Err(secs) = app
            .api_limit
            .allow(s.user.username.as_str(), vigil_auth::now_utc())
        {
            return Err(from_failure(
                &s,
                Failure::TooMany {
                    retry_after_secs: secs,
                    message: format!(
                        "More than {} requests in a minute; wait {secs} seconds",
                        crate::throttle::API_PER_USER
                    ),
                },
            )
            .into_response());
        }
        Ok(Caller(s))
    }
}

// ----- what the API returns -----

/// A person as the caller's role may see them: names need the names permission,
/// addresses the addresses permission, and a confidential (refuge) address the CRU's.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonDto {
    pub id: String,
    pub sex: String,
    pub birth_date: Option<String>,
    pub ethnicity: String,
    pub lpa: Option<String>,
    pub family_name: Option<String>,
    pub given_names: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub address_confidential: bool,
    /// An address exists but the caller may not see it (or, for a confidential address the
    /// caller's role may see, has not given a `reason`).
    pub address_withheld: bool,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AddressReason {
    /// Why the caller needs the confidential (refuge) address: at least 10 characters,
    /// written to the audit trail.
    pub reason: String,
}

impl PersonDto {
    /// A person in a list (search results, possible duplicates): never a confidential
    /// address, which is read one person at a time with a reason.
    fn from(s: &Session, p: vigil_domain::Person) -> Self {
        let (p, withheld) = service::redact(s, p, false);
        Self::shown(p, withheld)
    }

    fn shown(p: vigil_domain::Person, withheld: bool) -> Self {
        PersonDto {
            id: p.id.to_string(),
            sex: p.sex.to_string(),
            birth_date: p.birth_date.map(format_date),
            ethnicity: p.ethnicity.to_string(),
            lpa: p.lpa.map(|l| l.to_string()),
            family_name: p.identity.family_name,
            given_names: p.identity.given_names,
            address: p.identity.address,
            postcode: p.identity.postcode,
            address_confidential: p.address_confidential,
            address_withheld: withheld,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentDto {
    pub id: String,
    pub reported_at: String,
    pub lpa: String,
    pub call_grade: String,
    pub arrived_at: Option<String>,
    pub victim_id: String,
    pub suspect_id: Option<String>,
    pub relationship: String,
    pub children_present: bool,
    pub risk_level: Option<String>,
    pub dash_yes_count: Option<u8>,
}

impl From<&vigil_domain::Incident> for IncidentDto {
    fn from(i: &vigil_domain::Incident) -> Self {
        IncidentDto {
            id: i.id.to_string(),
            reported_at: format_datetime(i.reported_at),
            lpa: i.lpa.to_string(),
            call_grade: i.call_grade.to_string(),
            arrived_at: i.arrived_at.map(format_datetime),
            victim_id: i.victim_id.to_string(),
            suspect_id: i.suspect_id.as_ref().map(|p| p.to_string()),
            relationship: i.relationship.to_string(),
            children_present: i.children_present,
            risk_level: i.risk_level.map(|r| r.to_string()),
            dash_yes_count: i.dash_yes_count,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralDto {
    pub id: String,
    pub kind: String,
    pub person_id: String,
    pub incident_id: Option<String>,
    pub referred_at: String,
    /// The agency that made the referral.
    pub agency: String,
    pub consent: Option<bool>,
}

impl From<&vigil_domain::Referral> for ReferralDto {
    fn from(r: &vigil_domain::Referral) -> Self {
        ReferralDto {
            id: r.id.to_string(),
            kind: r.kind.to_string(),
            person_id: r.person_id.to_string(),
            incident_id: r.incident_id.as_ref().map(|i| i.to_string()),
            referred_at: format_datetime(r.referred_at),
            agency: r.agency.to_string(),
            consent: r.consent,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonRecordDto {
    pub person: PersonDto,
    /// Incidents as victim or suspect, newest first.
    pub incidents: Vec<IncidentDto>,
    pub referrals: Vec<ReferralDto>,
    /// How the person wants to be contacted (for a role that may see addresses).
    pub contact_preferences: Option<ContactDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactDto {
    /// `in_person`, `phone`, `email`, `letter` or `text`.
    pub method: String,
    pub safe_number: Option<String>,
    pub safe_times: String,
    pub avoid: String,
    pub recorded_at: String,
    pub recorded_by: String,
    /// The version a change must name.
    pub version: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OffenceDto {
    pub id: String,
    pub offence_group: String,
    pub ho_code: Option<String>,
    pub offence_date: String,
    pub recorded_date: String,
    pub risk_level: Option<String>,
    pub team: String,
    pub outcome_code: Option<String>,
    pub outcome_date: Option<String>,
    pub bwv_captured: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentDto {
    pub id: String,
    pub stage: String,
    pub instrument: String,
    pub assessed_at: String,
    pub yes_count: u8,
    pub grade: String,
    pub judgement_raised: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArrestDto {
    pub id: String,
    pub person_id: String,
    pub offence_id: Option<String>,
    pub arrested_at: String,
    pub bwv_shown_in_interview: Option<bool>,
    pub disposal: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderDto {
    pub id: String,
    pub kind: String,
    pub issued_at: String,
    pub expires_at: Option<String>,
    pub breached_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoutingDto {
    /// `lpt`, `dait` or `cid`.
    pub investigation: String,
    /// `lpt`, `dait` or `cru`.
    pub safeguarding: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionDto {
    /// `marac_referral`, `idva_referral`, `encompass`, `clares_law_right_to_know` or
    /// `secondary_assessment`.
    pub code: String,
    pub description: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDto {
    pub incident: IncidentDto,
    /// The grade after any secondary assessment.
    pub risk: Option<String>,
    pub routing: Option<RoutingDto>,
    pub actions_due: Vec<ActionDto>,
    pub offences: Vec<OffenceDto>,
    pub assessments: Vec<AssessmentDto>,
    pub arrests: Vec<ArrestDto>,
    pub referrals: Vec<ReferralDto>,
    pub orders: Vec<OrderDto>,
    /// The children named on the incident.
    pub children: Vec<ChildDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChildDto {
    pub person_id: String,
    pub school: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ChildrenInput {
    /// The children to name on the incident (at most 12 at once).
    pub children: Vec<service::ChildInput>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChildrenAddedDto {
    /// The children's references, new and existing.
    pub person_ids: Vec<String>,
}

/// Names children on an incident; each child's school becomes an Operation Encompass task.
#[utoipa::path(post, path = "/cases/{id}/children", tag = "cases",
    params(("id" = String, Path, description = "The case reference")),
    request_body = ChildrenInput,
    responses((status = 201, body = ChildrenAddedDto), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn add_children(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    b: Result<Json<ChildrenInput>, axum::extract::rejection::JsonRejection>,
) -> Response {
    match b {
        Ok(Json(input)) => match service::add_children(&app, &s, &id, &input.children).await {
            Ok(ids) => (
                StatusCode::CREATED,
                Json(ChildrenAddedDto {
                    person_ids: ids.iter().map(|i| i.to_string()).collect(),
                }),
            )
                .into_response(),
            Err(f) => from_failure(&s, f).into_response(),
        },
        Err(r) => json_problem(r).into_response(),
    }
}

fn routing_dto(r: vigil_domain::routing::Routing) -> RoutingDto {
    RoutingDto {
        investigation: r.investigation.to_string(),
        safeguarding: match r.safeguarding {
            vigil_domain::routing::Safeguarding::Lpt => "lpt",
            vigil_domain::routing::Safeguarding::Dait => "dait",
            vigil_domain::routing::Safeguarding::Cru => "cru",
        }
        .into(),
    }
}

fn actions_dto(a: &[vigil_domain::safeguarding::Action]) -> Vec<ActionDto> {
    a.iter()
        .map(|a| ActionDto {
            code: a.code().into(),
            description: a.describe(),
        })
        .collect()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordedDto {
    pub incident_id: String,
    pub risk: Option<String>,
    pub routing: Option<RoutingDto>,
    pub actions_due: Vec<ActionDto>,
    /// The suspect is a serial perpetrator: their different victims in the configured
    /// years (3 by default); null when they are not one.
    pub serial_suspect_victims: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedDto {
    pub id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GradeDto {
    pub grade: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionDto {
    /// The record's version after the change (send it with the next change).
    pub version: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueItemDto {
    pub incident_id: String,
    pub victim_id: String,
    /// The victim's name, for a role that may see names.
    pub victim_name: Option<String>,
    pub lpa: String,
    pub risk: Option<String>,
    pub since: String,
    pub days_waiting: i64,
    pub overdue: bool,
    pub detail: String,
    /// The officer in charge, if the case is allocated.
    pub officer: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueDto {
    pub queue: String,
    /// The server's clock, which waiting is counted to (`YYYY-MM-DDTHH:MM:SS`, UK time).
    pub counted_to: String,
    pub overdue_after_days: i64,
    /// How many items the whole (filtered) queue holds.
    pub total: u64,
    /// Items on this page left out because they are restricted records the caller may not
    /// see (`total` still counts them).
    pub withheld: u64,
    pub page: u32,
    pub per_page: u32,
    pub pages: u32,
    /// The CRU's queue: high-risk incidents reported since this day (`YYYY-MM-DD`).
    pub since: Option<String>,
    pub items: Vec<QueueItemDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SharedDto {
    pub referral: ReferralDto,
    pub family_name: Option<String>,
    pub given_names: Option<String>,
    pub birth_date: Option<String>,
    pub risk: Option<String>,
    pub children_present: Option<bool>,
    /// Where: the incident's Local Policing Area, else the victim's.
    pub lpa: Option<String>,
}

impl From<&vigil_store::SharedReferral> for SharedDto {
    fn from(r: &vigil_store::SharedReferral) -> Self {
        SharedDto {
            referral: ReferralDto::from(&r.referral),
            family_name: r.family_name.clone(),
            given_names: r.given_names.clone(),
            birth_date: r.birth_date.map(format_date),
            risk: r.risk.map(|g| g.to_string()),
            children_present: r.children_present,
            lpa: r.lpa.as_ref().map(|l| l.to_string()),
        }
    }
}

/// A page of the referrals shared with the caller's agency.
#[derive(Debug, Serialize, ToSchema)]
pub struct SharedPageDto {
    /// How many the whole (filtered) list holds.
    pub total: u64,
    /// Items on this page left out because they are restricted records the caller may not
    /// see (`total` still counts them).
    pub withheld: u64,
    pub page: u32,
    pub per_page: u32,
    pub pages: u32,
    pub items: Vec<SharedDto>,
}

/// One shared referral and the police contact for it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SharedDetailDto {
    pub shared: SharedDto,
    /// The officer in charge of the case behind it (name), when one is allocated.
    pub officer_name: Option<String>,
    pub officer_username: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct SharedParams {
    /// Only this kind: `marac`, `idva`, `mash` or `encompass`.
    pub kind: Option<String>,
    /// 1-based (1 when not given).
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// 1 to 200 (50 when not given).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchDto {
    /// A reference found: `person` or `case`, with its id.
    pub reference: Option<ReferenceDto>,
    pub people: Vec<PersonDto>,
    pub incidents: Vec<IncidentDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferenceDto {
    pub kind: String,
    pub id: String,
}

/// A risk assessment added to a case.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentInput {
    /// `primary` (when the incident was recorded without one) or `secondary` (a DAIT
    /// sergeant's review).
    #[schema(pattern = "^(primary|secondary)$")]
    pub stage: String,
    #[serde(default)]
    pub dash: DashInput,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct QueueParams {
    /// One Local Policing Area, or `all`; the caller's home area when not given.
    #[serde(default)]
    pub lpa: Option<String>,
    /// `standard`, `medium` or `high`: only items of that risk.
    #[serde(default)]
    pub risk: Option<String>,
    /// `overdue`: only the items waiting past the queue's mark.
    #[serde(default)]
    pub state: Option<String>,
    /// `me`: only the cases allocated to the caller.
    #[serde(default)]
    pub owner: Option<String>,
    /// The page, from 1.
    #[serde(default)]
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// Items per page, 1 to 200 (50 when not given).
    #[serde(default)]
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

// ----- handlers -----

fn created<T: Serialize>(body: T) -> Response {
    (StatusCode::CREATED, Json(body)).into_response()
}

/// A person's record; a confidential address is withheld (read it with
/// `POST /people/{id}/address`).
#[utoipa::path(get, path = "/people/{id}", tag = "people",
    params(("id" = String, Path, description = "The person's reference")),
    responses((status = 200, body = PersonRecordDto), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody), (status = 400, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn person(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    // A reason sent in the URL would sit in logs and histories: refused, not read.
    if query.is_some_and(|q| !q.is_empty()) {
        return from_failure(
            &s,
            Failure::Invalid(vec![FieldError::new(
                "reason",
                "This address takes no query; to read a confidential address, POST the reason to /api/v1/people/{id}/address",
            )]),
        )
        .into_response();
    }
    person_record(&app, &s, &id, None).await
}

/// A person's record with a confidential (refuge) address, for a role that may see it,
/// given the reason. A POST, so the reason is never part of a URL (and never in a log).
#[utoipa::path(post, path = "/people/{id}/address", tag = "people",
    params(("id" = String, Path, description = "The person's reference")),
    request_body = AddressReason,
    responses((status = 200, body = PersonRecordDto), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn person_with_address(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    b: Result<Json<AddressReason>, axum::extract::rejection::JsonRejection>,
) -> Response {
    match b {
        Ok(Json(r)) => person_record(&app, &s, &id, Some(&r.reason)).await,
        Err(r) => json_problem(r).into_response(),
    }
}

/// Records how a person wants to be contacted; `version` 0 when none is recorded yet.
#[utoipa::path(put, path = "/people/{id}/contact-preferences", tag = "people",
    params(("id" = String, Path, description = "The person's reference")),
    request_body = service::ContactInput,
    responses((status = 200, body = VersionDto), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 401, body = ErrorBody), (status = 400, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn save_contact(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    b: Result<Json<service::ContactInput>, axum::extract::rejection::JsonRejection>,
) -> Response {
    match b {
        Ok(Json(input)) => match service::save_contact(&app, &s, &id, &input).await {
            Ok(version) => Json(VersionDto { version }).into_response(),
            Err(f) => from_failure(&s, f).into_response(),
        },
        Err(r) => json_problem(r).into_response(),
    }
}

async fn person_record(app: &App, s: &Session, id: &str, reason: Option<&str>) -> Response {
    match service::read_person(app, s, id, reason).await {
        Ok(r) => Json(PersonRecordDto {
            contact_preferences: r.contact.map(|v| ContactDto {
                method: v.record.method.to_string(),
                safe_number: v.record.safe_number,
                safe_times: v.record.safe_times,
                avoid: v.record.avoid,
                recorded_at: vigil_domain::time::format_datetime(v.record.recorded_at),
                recorded_by: v.record.recorded_by,
                version: v.version,
            }),
            incidents: r.incidents.iter().map(IncidentDto::from).collect(),
            referrals: r.referrals.iter().map(ReferralDto::from).collect(),
            person: PersonDto::shown(r.person, r.address_withheld),
        })
        .into_response(),
        Err(f) => from_failure(s, f).into_response(),
    }
}

#[utoipa::path(get, path = "/search", tag = "people",
    params(SearchInput),
    responses((status = 404, body = ErrorBody, description = "The caller's role does not read people's records"), (status = 200, body = SearchDto), (status = 422, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn search(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    q: Result<Query<SearchInput>, QueryRejection>,
) -> Response {
    let Query(q) = match q {
        Ok(q) => q,
        Err(r) => return query_problem(r).into_response(),
    };
    let mut out = SearchDto {
        reference: None,
        people: Vec::new(),
        incidents: Vec::new(),
    };
    match service::search(&app, &s, &q).await {
        Ok(Found::Nothing) => {}
        Ok(Found::Person(id)) => {
            out.reference = Some(ReferenceDto {
                kind: "person".into(),
                id: id.to_string(),
            })
        }
        Ok(Found::Case(id)) => {
            out.reference = Some(ReferenceDto {
                kind: "case".into(),
                id: id.to_string(),
            })
        }
        Ok(Found::People(p)) => {
            out.people = p.into_iter().map(|p| PersonDto::from(&s, p)).collect()
        }
        Ok(Found::Incidents(i)) => out.incidents = i.iter().map(IncidentDto::from).collect(),
        Err(f) => return from_failure(&s, f).into_response(),
    }
    Json(out).into_response()
}

#[utoipa::path(get, path = "/cases/{id}", tag = "cases",
    params(("id" = String, Path, description = "The case (incident) reference")),
    responses((status = 200, body = CaseDto), (status = 404, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn case(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
) -> Response {
    let c = match service::read_case(&app, &s, &id).await {
        Ok(c) => c,
        Err(f) => return from_failure(&s, f).into_response(),
    };
    let (routing, actions) = match (
        service::case_routing(&app, &c).await,
        service::case_actions(&app, &c).await,
    ) {
        (Ok(r), Ok(a)) => (r, a),
        (Err(f), _) | (_, Err(f)) => return from_failure(&s, f).into_response(),
    };
    Json(CaseDto {
        children: c
            .children
            .iter()
            .map(|ch| ChildDto {
                person_id: ch.person_id.to_string(),
                school: ch.school.clone(),
            })
            .collect(),
        incident: IncidentDto::from(&c.incident),
        risk: service::current_grade(&c).map(|g| g.to_string()),
        routing: routing.map(routing_dto),
        actions_due: actions_dto(&actions),
        offences: c
            .offences
            .iter()
            .map(|o| OffenceDto {
                id: o.id.to_string(),
                offence_group: o.offence_group.to_string(),
                ho_code: o.ho_code.clone(),
                offence_date: format_date(o.offence_date),
                recorded_date: format_date(o.recorded_date),
                risk_level: o.risk_level.map(|r| r.to_string()),
                team: o.team.to_string(),
                outcome_code: o.outcome.map(|x| x.code.to_string()),
                outcome_date: o.outcome.map(|x| format_date(x.date)),
                bwv_captured: o.bwv_captured,
            })
            .collect(),
        assessments: c
            .assessments
            .iter()
            .map(|a| AssessmentDto {
                id: a.id.to_string(),
                stage: a.stage.to_string(),
                instrument: a.instrument.to_string(),
                assessed_at: format_datetime(a.assessed_at),
                yes_count: a.yes_count,
                grade: a.grade.to_string(),
                judgement_raised: a.judgement_raised,
            })
            .collect(),
        arrests: c
            .arrests
            .iter()
            .map(|a| ArrestDto {
                id: a.id.to_string(),
                person_id: a.person_id.to_string(),
                offence_id: a.offence_id.as_ref().map(|o| o.to_string()),
                arrested_at: format_datetime(a.arrested_at),
                bwv_shown_in_interview: a.bwv_shown_in_interview,
                disposal: a.disposal.map(|d| d.to_string()),
            })
            .collect(),
        referrals: c.referrals.iter().map(ReferralDto::from).collect(),
        orders: c
            .orders
            .iter()
            .map(|o| OrderDto {
                id: o.id.to_string(),
                kind: o.kind.to_string(),
                issued_at: format_datetime(o.issued_at),
                expires_at: o.expires_at.map(format_datetime),
                breached_at: o.breached_at.map(format_datetime),
            })
            .collect(),
    })
    .into_response()
}

#[utoipa::path(post, path = "/incidents", tag = "cases",
    request_body = IntakeInput,
    responses((status = 201, body = RecordedDto), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 401, body = ErrorBody), (status = 415, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn record_incident(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    body: Result<Json<IntakeInput>, JsonRejection>,
) -> Response {
    let Json(input) = match body {
        Ok(b) => b,
        Err(r) => return json_problem(r).into_response(),
    };
    match service::record_incident(&app, &s, &input).await {
        Ok(r) => created(RecordedDto {
            incident_id: r.incident_id.to_string(),
            risk: r.grade.map(|g| g.to_string()),
            routing: r.routing.map(routing_dto),
            actions_due: actions_dto(&r.actions),
            serial_suspect_victims: r.serial_suspect,
        }),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

#[utoipa::path(post, path = "/cases/{id}/offences", tag = "cases",
    params(("id" = String, Path, description = "The case reference")),
    request_body = OffenceInput,
    responses((status = 201, body = CreatedDto), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn add_offence(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    body: Result<Json<OffenceInput>, JsonRejection>,
) -> Response {
    let Json(input) = match body {
        Ok(b) => b,
        Err(r) => return json_problem(r).into_response(),
    };
    match service::add_offence(&app, &s, &id, &input).await {
        Ok(id) => created(CreatedDto { id: id.to_string() }),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

#[utoipa::path(post, path = "/cases/{id}/arrests", tag = "cases",
    params(("id" = String, Path, description = "The case reference")),
    request_body = ArrestInput,
    responses((status = 201, body = CreatedDto), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn add_arrest(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    body: Result<Json<ArrestInput>, JsonRejection>,
) -> Response {
    let Json(input) = match body {
        Ok(b) => b,
        Err(r) => return json_problem(r).into_response(),
    };
    match service::add_arrest(&app, &s, &id, &input).await {
        Ok(id) => created(CreatedDto { id: id.to_string() }),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

#[utoipa::path(post, path = "/cases/{id}/referrals", tag = "cases",
    params(("id" = String, Path, description = "The case reference")),
    request_body = ReferralInput,
    responses((status = 201, body = CreatedDto), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn add_referral(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    body: Result<Json<ReferralInput>, JsonRejection>,
) -> Response {
    let Json(input) = match body {
        Ok(b) => b,
        Err(r) => return json_problem(r).into_response(),
    };
    match service::add_referral(&app, &s, &id, &input).await {
        Ok(id) => created(CreatedDto { id: id.to_string() }),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

#[utoipa::path(post, path = "/cases/{id}/assessments", tag = "cases",
    params(("id" = String, Path, description = "The case reference")),
    request_body = AssessmentInput,
    responses((status = 201, body = GradeDto), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn add_assessment(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    body: Result<Json<AssessmentInput>, JsonRejection>,
) -> Response {
    let Json(input) = match body {
        Ok(b) => b,
        Err(r) => return json_problem(r).into_response(),
    };
    let stage = match AssessmentStage::parse(input.stage.trim()) {
        Ok(st) => st,
        Err(e) => {
            return from_failure(
                &s,
                Failure::Invalid(vec![FieldError::new(
                    "stage",
                    format!("Choose primary or secondary: {}", e.reason),
                )]),
            )
            .into_response();
        }
    };
    match service::add_assessment(&app, &s, &id, stage, &input.dash).await {
        Ok(g) => created(GradeDto {
            grade: g.to_string(),
        }),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

#[utoipa::path(put, path = "/offences/{id}/outcome", tag = "cases",
    params(("id" = String, Path, description = "The offence (crime) reference")),
    request_body = OutcomeInput,
    responses((status = 200, body = VersionDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn record_outcome(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
    body: Result<Json<OutcomeInput>, JsonRejection>,
) -> Response {
    let Json(input) = match body {
        Ok(b) => b,
        Err(r) => return json_problem(r).into_response(),
    };
    match service::record_outcome(&app, &s, &id, &input).await {
        Ok(v) => Json(VersionDto { version: v }).into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

#[utoipa::path(get, path = "/queues/{queue}", tag = "queues",
    params(("queue" = String, Path, description = "`lpt`, `dait` or `cru`: the caller's own team's"), QueueParams),
    responses((status = 200, body = QueueDto), (status = 404, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn queue(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(slug): Path<String>,
    q: Result<Query<QueueParams>, QueryRejection>,
) -> Response {
    let Query(q) = match q {
        Ok(q) => q,
        Err(r) => return query_problem(r).into_response(),
    };
    let Some(queue) = vigil_domain::access::Queue::from_slug(&slug) else {
        return from_failure(&s, Failure::NotFound).into_response();
    };
    let lpa = match service::queue_area(&s, q.lpa.as_deref()) {
        "" => None,
        l => match vigil_domain::Lpa::parse(l) {
            Ok(l) => Some(l),
            Err(e) => {
                return from_failure(&s, Failure::Invalid(vec![FieldError::new("lpa", e.reason)]))
                    .into_response();
            }
        },
    };
    let mut errors = Vec::new();
    let risk = match q.risk.as_deref().map(str::trim) {
        None | Some("") | Some("all") => None,
        Some(r) => vigil_domain::RiskGrade::parse(r)
            .map_err(|e| errors.push(FieldError::new("risk", e.reason)))
            .ok(),
    };
    let overdue = match q.state.as_deref().map(str::trim) {
        None | Some("") | Some("all") => false,
        Some("overdue") => true,
        Some(other) => {
            errors.push(FieldError::new(
                "state",
                format!("'{other}' is not a state; use overdue or all"),
            ));
            false
        }
    };
    let mine = match q.owner.as_deref().map(str::trim) {
        None | Some("") | Some("team") => false,
        Some("me") => true,
        Some(other) => {
            errors.push(FieldError::new(
                "owner",
                format!("'{other}' is not an owner; use me or team"),
            ));
            false
        }
    };
    service::check_paging(&mut errors, q.page, q.per_page);
    if !errors.is_empty() {
        return from_failure(&s, Failure::Invalid(errors)).into_response();
    }
    let (page, per_page) = service::paging(q.page, q.per_page);
    let f = service::QueueFilter {
        lpa,
        risk,
        overdue,
        mine,
        page,
        per_page,
    };
    match service::queue(&app, &s, queue, &f).await {
        Ok(v) => Json(QueueDto {
            queue: queue.slug().into(),
            counted_to: format_datetime(v.now),
            overdue_after_days: v.mark_days,
            total: v.page.total,
            withheld: v.withheld,
            page: v.page_no,
            per_page: v.per_page,
            pages: v.pages(),
            since: v.since.map(format_date),
            items: v
                .page
                .items
                .iter()
                .map(|i| QueueItemDto {
                    incident_id: i.incident_id.to_string(),
                    victim_id: i.victim_id.to_string(),
                    victim_name: vigil_domain::visibility::name_as_seen(
                        s.user.role,
                        i.family_name.as_deref(),
                        i.given_names.as_deref(),
                    ),
                    lpa: i.lpa.to_string(),
                    risk: i.risk.map(|r| r.to_string()),
                    since: format_datetime(i.since),
                    days_waiting: (v.now - i.since).num_days().max(0),
                    overdue: v.is_overdue(i),
                    detail: i.detail.clone(),
                    officer: i.allocated_to.as_ref().map(|u| u.to_string()),
                })
                .collect(),
        })
        .into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// The referrals shared with the caller's agency (in the caller's area), newest first.
#[utoipa::path(get, path = "/shared", tag = "partners",
    params(SharedParams),
    responses((status = 200, body = SharedPageDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn shared(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    q: Result<Query<SharedParams>, QueryRejection>,
) -> Response {
    let Query(q) = match q {
        Ok(q) => q,
        Err(r) => return query_problem(r).into_response(),
    };
    let mut errors = Vec::new();
    let kind = match q.kind.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(k) => match vigil_domain::ReferralKind::parse(k) {
            Ok(k) => Some(k),
            Err(e) => {
                errors.push(FieldError::new(
                    "kind",
                    crate::service::capitalise(&e.reason),
                ));
                None
            }
        },
    };
    service::check_paging(&mut errors, q.page, q.per_page);
    if !errors.is_empty() {
        return from_failure(&s, Failure::Invalid(errors)).into_response();
    }
    let (page, per_page) = service::paging(q.page, q.per_page);
    let f = service::SharedFilter {
        kind,
        page,
        per_page,
    };
    match service::shared(&app, &s, &f).await {
        Ok(list) => Json(SharedPageDto {
            total: list.page.total,
            withheld: list.withheld,
            page: list.page_no,
            per_page: list.per_page,
            pages: service::pages(list.page.total, list.per_page),
            items: list.page.items.iter().map(SharedDto::from).collect(),
        })
        .into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

/// One referral shared with the caller's agency: not found unless the list would show it.
#[utoipa::path(get, path = "/shared/{id}", tag = "partners",
    params(("id" = String, Path, description = "The referral's reference")),
    responses((status = 200, body = SharedDetailDto), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn shared_one(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    Path(id): Path<String>,
) -> Response {
    match service::shared_referral(&app, &s, &id).await {
        Ok(d) => Json(SharedDetailDto {
            shared: SharedDto::from(&d.shared),
            officer_name: d.officer.as_ref().map(|o| o.0.clone()),
            officer_username: d.officer.map(|o| o.1),
        })
        .into_response(),
        Err(f) => from_failure(&s, f).into_response(),
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct PackParams {
    /// The data date (`YYYY-MM-DD`); the store's own when empty.
    pub as_of: String,
    /// Add the breakdown by Local Policing Area, checking this area exists.
    pub lpa: String,
}

/// The performance pack: every measure of METRICS.md, as `vigil pack --json` prints it.
#[utoipa::path(get, path = "/pack", tag = "analysis",
    params(PackParams),
    responses((status = 200, description = "The pack, keyed by the measures' names in METRICS.md", body = Object,
        headers(("server-timing" = String, description = "How long the snapshot and the measures took, and where the snapshot came from: `snapshot;desc=\"memory|cache|patched|rebuilt\";dur=MS, measures;dur=MS`"))),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn pack(
    State(app): State<Arc<App>>,
    Caller(s): Caller,
    q: Result<Query<PackParams>, QueryRejection>,
) -> Response {
    let Query(q) = match q {
        Ok(q) => q,
        Err(r) => return query_problem(r).into_response(),
    };
    if !vigil_domain::access::allows(s.user.role, vigil_domain::access::Capability::ReadAnalytics) {
        return from_failure(&s, Failure::Forbidden).into_response();
    }
    let filter = crate::dashboard::Filter {
        lpa: q.lpa,
        as_of: q.as_of,
    };
    match crate::dashboard::pack_json(&app, &filter).await {
        Ok((v, timing)) => ([("server-timing", timing)], Json(v)).into_response(),
        Err((status, msg)) if status.is_client_error() => from_failure(
            &s,
            Failure::Invalid(vec![FieldError::new(
                if msg.contains("Local Policing Area") {
                    "lpa"
                } else {
                    "as_of"
                },
                msg,
            )]),
        )
        .into_response(),
        Err((_, msg)) if msg.contains("No records") => {
            ApiError::new(StatusCode::NOT_FOUND, "not_found", msg).into_response()
        }
        Err((_, _)) => from_failure(&s, Failure::Problem(String::new())).into_response(),
    }
}

/// Anything else under `/api/v1`: a JSON not-found, not the HTML page.
pub async fn not_found() -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "No such API route; the routes are listed in /api/v1/openapi.json",
    )
    .into_response()
}

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let c = doc.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A token from 'vigil user token USERNAME'"))
                    .build(),
            ),
        );
        c.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "The browser session; changes also need the X-CSRF-Token header",
            ))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Vigil API", version = "1", description = "Domestic abuse response, investigation and safeguarding: the same operations and permission table as Vigil's pages."),
    modifiers(&Security),
    tags((name = "people"), (name = "cases"), (name = "queues"), (name = "partners"), (name = "analysis"))
)]
pub struct ApiDoc;

/// The API's routes, each listed once: the router and the OpenAPI document are both made
/// from the handlers' `#[utoipa::path]` attributes, so a route cannot be served without
/// being described, or described without being served.
fn routes() -> utoipa_axum::router::OpenApiRouter<Arc<App>> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(person))
        .routes(routes!(person_with_address))
        .routes(routes!(save_contact))
        .routes(routes!(add_children))
        .routes(routes!(search))
        .routes(routes!(case))
        .routes(routes!(record_incident))
        .routes(routes!(add_offence))
        .routes(routes!(add_arrest))
        .routes(routes!(add_referral))
        .routes(routes!(add_assessment))
        .routes(routes!(record_outcome))
        .routes(routes!(queue))
        .routes(routes!(crate::api_work::tasks))
        .routes(routes!(crate::api_work::suspects))
        .routes(routes!(crate::api_work::add_note))
        .routes(routes!(crate::api_work::allocate))
        .routes(routes!(crate::api_work::update_disposal))
        .routes(routes!(crate::api_work::set_status))
        .routes(routes!(crate::api_work::record_withdrawal))
        .routes(routes!(crate::api_work::record_victim_contact))
        .routes(routes!(crate::api_work::record_review))
        .routes(routes!(crate::api_work::correct_incident))
        .routes(routes!(crate::api_work::case_work))
        .routes(routes!(shared))
        .routes(routes!(shared_one))
        .routes(routes!(pack))
        .routes(routes!(crate::api_work::marac_return))
        .routes(routes!(crate::api_work::encompass_list))
        .routes(routes!(crate::api_work::encompass_one))
        .routes(routes!(crate::api_work::encompass_acknowledge))
        .routes(routes!(
            crate::api_work::meetings,
            crate::api_work::plan_meeting
        ))
        .routes(routes!(crate::api_work::agenda))
        .routes(routes!(crate::api_work::add_research))
        .routes(routes!(crate::api_work::add_marac_action))
        .routes(routes!(crate::api_work::marac_actions))
        .routes(routes!(crate::api_work::complete_marac_action))
        .routes(routes!(crate::api_marac::attendance))
        .routes(routes!(crate::api_marac::discussion))
        .routes(routes!(crate::api_marac::approval))
        .routes(routes!(crate::api_marac::transfer))
        .routes(routes!(crate::api_marac::minutes))
        .routes(routes!(crate::api_marac::partner_referral))
        .routes(routes!(
            crate::api_dvds::disclosure_list,
            crate::api_dvds::disclosure_create
        ))
        .routes(routes!(crate::api_dvds::disclosure_one))
        .routes(routes!(crate::api_dvds::disclosure_step))
        .routes(routes!(crate::api_dvds::open_right_to_know))
        .routes(routes!(crate::api_orders::notice_draft))
        .routes(routes!(crate::api_orders::notice_list))
        .routes(routes!(crate::api_orders::notice_one))
        .routes(routes!(crate::api_orders::notice_step))
        .routes(routes!(crate::api_orders::notice_decision))
        .routes(routes!(crate::api_marac::mash_list))
        .routes(routes!(crate::api_marac::mash_one))
        .routes(routes!(crate::api_marac::mash_step))
        .routes(routes!(crate::api_work::idva_list))
        .routes(routes!(crate::api_work::idva_step))
        .routes(routes!(crate::api_cohorts::cohort_run_get))
        .routes(routes!(crate::api_cohorts::cohort_run_now))
        .routes(routes!(crate::api_cohorts::cohort_member_get))
        .routes(routes!(crate::api_cohorts::cohort_allocate))
        .routes(routes!(crate::api_cohorts::cohort_record_action))
        .routes(routes!(crate::api_cohorts::my_cohort_members))
}

/// The API under `/api/v1`, with its OpenAPI document at `/api/v1/openapi.json` and the
/// API's own answer for a path it does not have.
pub fn router() -> axum::Router<Arc<App>> {
    let (api, _) = utoipa_axum::router::OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", routes())
        .split_for_parts();
    api.route("/api/v1/openapi.json", axum::routing::get(openapi))
        .nest("/api/v1", axum::Router::new().fallback(not_found))
}

/// The OpenAPI document, as served.
pub fn openapi_json() -> String {
    static DOCUMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DOCUMENT
        .get_or_init(|| {
            let (_, doc) =
                utoipa_axum::router::OpenApiRouter::<Arc<App>>::with_openapi(ApiDoc::openapi())
                    .nest("/api/v1", routes())
                    .split_for_parts();
            let mut v: serde_json::Value =
                serde_json::to_value(&doc).expect("the OpenAPI document serialises");
            describe_responses(&mut v);
            serde_json::to_string_pretty(&v).expect("the OpenAPI document serialises")
        })
        .clone()
}

/// What each status means in this API: every response in the document says so (OpenAPI
/// requires a description of every response).
fn status_meaning(code: &str) -> &'static str {
    match code {
        "200" => "Done: the answer is in the body",
        "201" => "Created: the new record's reference is in the body",
        "400" => "The request is malformed (not the JSON or query this operation reads)",
        "401" => "Not signed in: no valid session cookie or bearer token",
        "403" => "The caller's role may not do this",
        "404" => "No such record, or not one the caller may see",
        "409" => {
            "A conflict: someone else changed the record first, or a possible duplicate person"
        }
        "413" => "The body is larger than 64 KB",
        "415" => "The body is not JSON",
        "422" => "The fields have problems, each named in the body; nothing was saved",
        "429" => "Too many requests: wait as many seconds as Retry-After says",
        _ => "See the error body",
    }
}

fn describe_responses(doc: &mut serde_json::Value) {
    let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) else {
        return;
    };
    for ops in paths.values_mut().filter_map(|o| o.as_object_mut()) {
        for op in ops.values_mut() {
            let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut()) else {
                continue;
            };
            // Every operation may answer 429: each user's requests a minute are bounded.
            responses.entry("429").or_insert_with(|| {
                serde_json::json!({
                    "description": status_meaning("429"),
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
                })
            });
            for (code, r) in responses.iter_mut() {
                if let Some(r) = r.as_object_mut() {
                    let empty = r
                        .get("description")
                        .and_then(|d| d.as_str())
                        .is_none_or(str::is_empty);
                    if empty {
                        r.insert("description".into(), status_meaning(code).into());
                    }
                }
            }
        }
    }
}

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], openapi_json()).into_response()
}
