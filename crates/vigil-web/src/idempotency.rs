//! Idempotent writes: an API write sent with an `Idempotency-Key` header is done once. A
//! retry with the same key (the answer was lost, the client timed out) gets the first
//! answer again, marked `Idempotent-Replayed: true`, and writes nothing; the same key for a
//! different request is refused; a retry while the first is still running is told so. The
//! key belongs to the signed-in user and is kept for a day.
//!
//! Forms do the same with a hidden `form_key` that every POST form carries (it is written
//! beside the form token): a double click, or a refresh after an answer was lost, goes to
//! what the first sending saved instead of saving again. Only a saved change (a redirect)
//! is remembered; a form sent back with problems may be sent again with its key.

use crate::App;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use vigil_store::IdempotencyStart;

/// The header's name.
pub const HEADER: &str = "idempotency-key";

/// The largest request or answer body kept (the API's body limit).
const MAX_BODY: usize = 64 * 1024;

fn problem(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::json!({"error": {"code": code, "message": message}}).to_string(),
    )
        .into_response()
}

/// A form key as rendered: 64 hexadecimal characters.
fn form_key(bytes: &[u8]) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == "form_key")
        .map(|(_, v)| v)
        .filter(|k| k.len() == 64 && k.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn form_page(s: &vigil_store::Session, title: &str, text: &str) -> Response {
    use crate::components::{h1, p};
    (
        StatusCode::CONFLICT,
        axum::response::Html(crate::layout::page(
            title,
            Some(s),
            &format!("{}{}", h1(title), p(text)),
        )),
    )
        .into_response()
}

/// A POST form from a signed-in browser that carries a `form_key`: saved once.
async fn idempotent_form(app: &App, req: Request, next: Next) -> Response {
    let Some(token) = crate::auth::cookie(req.headers(), crate::auth::SESSION_COOKIE) else {
        return next.run(req).await;
    };
    let Some(session) = crate::auth::session_for_token(app, &token).await else {
        return next.run(req).await;
    };
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            "The form is larger than 64 KB; shorten the longest answers and send it again",
        )
            .into_response();
    };
    let Some(key) = form_key(&bytes) else {
        return next
            .run(Request::from_parts(parts, axum::body::Body::from(bytes)))
            .await;
    };
    let user = session.user.username.to_string();
    let key = format!("form:{key}");
    let request = format!("POST {} {}", parts.uri.path(), sha256_hex(&bytes));
    match app
        .store
        .idempotency_start(&user, &key, &request, vigil_auth::now_utc())
        .await
    {
        Err(_) => {
            return form_page(
                &session,
                "Not saved",
                "The form could not be checked for a repeat, so nothing was saved. Go back and send it again.",
            );
        }
        Ok(IdempotencyStart::Replay { body, .. }) => {
            return axum::response::Redirect::to(&body).into_response();
        }
        Ok(IdempotencyStart::InProgress) => {
            return form_page(
                &session,
                "Already being saved",
                "This form is already being saved. Wait a moment, then look for the change on the record or in your work list.",
            );
        }
        Ok(IdempotencyStart::Mismatch) => {
            return form_page(
                &session,
                "Already saved",
                "This form was already saved with other answers. Open the form again to make another change.",
            );
        }
        Ok(IdempotencyStart::New) => {}
    }
    let res = next
        .run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await;
    // A saved change answers with a redirect to what was saved: that is remembered. Any
    // other answer (problems to correct, a refusal) is forgotten, so the form may be sent
    // again with its key.
    let place = (res.status() == StatusCode::SEE_OTHER)
        .then(|| res.headers().get(header::LOCATION))
        .flatten()
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let _ = app
        .store
        .idempotency_finish(&user, &key, place.as_deref().map(|l| (303, l)))
        .await;
    res
}

pub async fn idempotent(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let form = *req.method() == Method::POST
        && !req.uri().path().starts_with("/api/")
        && req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if form {
        return idempotent_form(&app, req, next).await;
    }
    let writes = matches!(
        *req.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let Some(key) = req.headers().get(HEADER).cloned() else {
        return next.run(req).await;
    };
    if !writes || !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let key = match key.to_str() {
        Ok(k) if (1..=100).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()) => {
            k.to_owned()
        }
        _ => {
            return problem(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "The Idempotency-Key header must be 1 to 100 visible ASCII characters, for example a UUID",
            );
        }
    };
    // Only a signed-in caller's writes are remembered; anyone else is answered as usual.
    let Ok(session) = crate::api::caller(&app, req.headers(), req.method()).await else {
        return next.run(req).await;
    };
    let user = session.user.username.to_string();
    let (mut parts, body) = req.into_parts();
    // The handler's `Caller` takes the session found here rather than looking it up again.
    parts.extensions.insert(session);
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "The request body is larger than 64 KB",
        );
    };
    let request = format!(
        "{} {} {}",
        parts.method,
        parts.uri.path(),
        sha256_hex(&bytes)
    );
    match app
        .store
        .idempotency_start(&user, &key, &request, vigil_auth::now_utc())
        .await
    {
        Err(_) => {
            return problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "problem",
                "The request could not be checked for a repeat; nothing was saved. Try again",
            );
        }
        Ok(IdempotencyStart::Mismatch) => {
            return problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "This Idempotency-Key was used for a different request; use a new key for a new request",
            );
        }
        Ok(IdempotencyStart::InProgress) => {
            return problem(
                StatusCode::CONFLICT,
                "in_progress",
                "The first request with this Idempotency-Key is still being handled; ask again in a moment",
            );
        }
        Ok(IdempotencyStart::Replay { status, body }) => {
            let mut res = (
                StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
                [(header::CONTENT_TYPE, "application/json")],
                body,
            )
                .into_response();
            res.headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            return res;
        }
        Ok(IdempotencyStart::New) => {}
    }
    let res = next
        .run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await;
    let (parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY * 4)
        .await
        .unwrap_or_default();
    // A failure on the server's side may be retried with the same key; any other answer
    // is the answer.
    let answer = (!parts.status.is_server_error()).then(|| {
        (
            parts.status.as_u16(),
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    });
    let _ = app
        .store
        .idempotency_finish(&user, &key, answer.as_ref().map(|(s, b)| (*s, b.as_str())))
        .await;
    Response::from_parts(parts, axum::body::Body::from(bytes))
}
