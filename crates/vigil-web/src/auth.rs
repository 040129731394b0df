//! Sign-in, sessions, sign-out and form tokens.

use crate::App;
use crate::layout::page;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::sync::Arc;
use vigil_domain::access::Username;
use vigil_store::{AuditEntry, Session};

pub const SESSION_COOKIE: &str = "vigil_session";
const SIGN_IN_COOKIE: &str = "vigil_signin";
/// A session lasts a working shift.
const SESSION_HOURS: i64 = 10;
/// ...and ends sooner when it is left unused this long (an unattended terminal).
pub const IDLE_MINUTES: i64 = 30;

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn set_cookie(app: &App, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let secure = if app.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .expect("cookie values are hex")
}

pub fn audit_entry(
    actor: &str,
    action: &str,
    kind: &str,
    id: &str,
    reason: Option<String>,
) -> AuditEntry {
    AuditEntry {
        at: vigil_auth::now_utc(),
        actor: actor.into(),
        action: action.into(),
        subject_kind: kind.into(),
        subject_id: id.into(),
        reason,
    }
}

/// The signed-in session of a request, if any. Using a browser session moves its
/// inactivity deadline on (written at most once a minute, not on every request).
pub async fn current(app: &App, headers: &HeaderMap) -> Option<Session> {
    let token = cookie(headers, SESSION_COOKIE)?;
    session_for_token(app, &token).await
}

/// The session a token (cookie or bearer) belongs to, if it is live.
pub async fn session_for_token(app: &App, token: &str) -> Option<Session> {
    if token.len() != 64 || !token.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let hash = vigil_auth::token_hash(token);
    let now = vigil_auth::now_utc();
    let s = match app.store.session(&hash, now).await {
        Ok(s) => s?,
        Err(e) => {
            tracing::error!(cause = %e, "a session could not be read");
            return None;
        }
    };
    crate::request_log::note_user(s.user.id);
    if let Some(idle) = s.idle_expires_at
        && idle - now < chrono::Duration::minutes(IDLE_MINUTES - 1)
    {
        let _ = app
            .store
            .touch_session(&hash, now + chrono::Duration::minutes(IDLE_MINUTES))
            .await;
    }
    Some(s)
}

/// The longest page address kept through sign-in.
const MAX_NEXT: usize = 2_000;

/// Where to go after signing in: a page of this service only (a path starting with one
/// `/`), never another site, never the sign-in page itself; home otherwise.
pub fn safe_next(asked: &str) -> &str {
    let ok = asked.starts_with('/')
        && !asked.starts_with("//")
        && !asked.starts_with("/\\")
        && asked.len() <= MAX_NEXT
        && !asked.chars().any(|c| c.is_control() || c == '\\')
        && !asked.starts_with("/sign-in")
        && !asked.starts_with("/sign-out");
    if ok { asked } else { "/" }
}

/// The sign-in page that leads back to `asked`.
pub fn sign_in_path(asked: &str) -> String {
    match safe_next(asked) {
        "/" => "/sign-in".to_owned(),
        next => format!("/sign-in?next={}", query_value(next)),
    }
}

/// A value for a URL's query string: everything but the unreserved characters (RFC 3986)
/// percent-encoded.
pub(crate) fn query_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn sign_in_form(token: &str, username: &str, next: &str, error: Option<&str>) -> String {
    use crate::components::{FieldError, Input, button, error_summary, h1};
    let errors: Vec<FieldError> = error
        .map(|e| FieldError::new("username", e))
        .into_iter()
        .collect();
    let mut user = Input::text("username", "Username", username);
    user.autocomplete = Some("username");
    let mut password = Input::text("password", "Password", "");
    password.kind = "password";
    password.autocomplete = Some("current-password");
    page(
        "Sign in",
        None,
        &format!(
            "{}{}<form method=\"post\" action=\"/sign-in\" novalidate><input type=\"hidden\" name=\"csrf\" value=\"{token}\"><input type=\"hidden\" name=\"next\" value=\"{}\">{}{}{}</form>",
            error_summary(&errors),
            h1("Sign in to Vigil"),
            crate::components::esc(safe_next(next)),
            user.render(&errors),
            password.render(&[]),
            button("Sign in", None, false)
        ),
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignInQuery {
    next: Option<String>,
}

pub async fn sign_in_page(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    query: Result<axum::extract::Query<SignInQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let next = query.ok().and_then(|q| q.0.next).unwrap_or_default();
    let next = safe_next(&next);
    if current(&app, &headers).await.is_some() {
        return Redirect::to(next).into_response();
    }
    let token = vigil_auth::random_token();
    let mut res = Html(sign_in_form(&token, "", next, None)).into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        set_cookie(&app, SIGN_IN_COOKIE, &token, 3600),
    );
    res
}

#[derive(Deserialize)]
pub struct SignIn {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    /// The page asked for before signing in.
    #[serde(default)]
    next: String,
}

/// The longest password checked: longer ones are refused before any hashing work.
const MAX_PASSWORD_CHARS: usize = 1_024;

/// What stands in the audit trail for a sign-in whose username is not one.
const NOT_A_USERNAME: &str = "(not a username)";

pub async fn sign_in(
    State(app): State<Arc<App>>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Form(mut form): Form<SignIn>,
) -> Response {
    let token = cookie(&headers, SIGN_IN_COOKIE).unwrap_or_default();
    if token.is_empty() || !vigil_auth::constant_time_eq(&form.csrf, &token) {
        return (StatusCode::FORBIDDEN, Html(page("Sign in", None, "<h1 class=\"govuk-heading-l\">Your sign-in form had expired</h1><p class=\"govuk-body\"><a class=\"govuk-link\" href=\"/sign-in\">Sign in again</a>.</p>"))).into_response();
    }
    let retry = |msg: &str, status: StatusCode| {
        let mut res = (
            status,
            Html(sign_in_form(&token, &form.username, &form.next, Some(msg))),
        )
            .into_response();
        res.headers_mut().insert(
            header::SET_COOKIE,
            set_cookie(&app, SIGN_IN_COOKIE, &token, 3600),
        );
        res
    };
    // The name is parsed before it is counted, stored or logged: what is not a username is
    // never a key, an audit subject or a lookup.
    let typed = form.username.trim().to_lowercase();
    let parsed = Username::parse(&typed).ok();
    let address = peer.ip();
    let now = vigil_auth::now_utc();
    if let Err(refusal) = app
        .sign_ins
        .attempt(parsed.as_ref().map(|u| u.as_str()), address, now)
    {
        let (secs, message) = match refusal {
            crate::throttle::Refusal::TooMany { retry_after_secs } => (
                retry_after_secs,
                "Too many attempts to sign in from here. Wait a minute and try again".to_owned(),
            ),
            crate::throttle::Refusal::Locked { retry_after_secs } => {
                if let Some(u) = &parsed {
                    let _ = app
                        .store
                        .audit(&audit_entry(
                            u.as_str(),
                            "session.sign_in_locked",
                            "user",
                            u.as_str(),
                            None,
                        ))
                        .await;
                }
                (
                    retry_after_secs,
                    format!(
                        "Too many wrong passwords for this username from here. Wait {} minutes, or ask an administrator to reset your password",
                        (retry_after_secs + 59) / 60
                    ),
                )
            }
        };
        let mut res = retry(&message, StatusCode::TOO_MANY_REQUESTS);
        if let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return res;
    }
    if typed.is_empty() || form.password.is_empty() {
        return retry("Enter your username and password", StatusCode::BAD_REQUEST);
    }
    let user = match &parsed {
        Some(u) if form.password.chars().count() <= MAX_PASSWORD_CHARS => {
            app.store.user(u).await.ok().flatten()
        }
        _ => None,
    };
    // The same work and the same message whether the user exists or not.
    // Argon2 is deliberately slow CPU work: it runs off the async workers, so sign-ins
    // never hold up other requests.
    let password = std::mem::take(&mut form.password);
    // A service account calls the API with its token; it never signs in to the pages (a
    // long-lived credential with a password beside it is two ways in).
    let known = user.as_ref().map(|u| {
        (
            u.password_hash.clone(),
            u.disabled || u.token_max_hours.is_some(),
        )
    });
    let ok = tokio::task::spawn_blocking(move || match known {
        Some((hash, disabled)) => vigil_auth::verify_password(&password, &hash) && !disabled,
        None => {
            let _ = vigil_auth::verify_password(
                &password.chars().take(MAX_PASSWORD_CHARS).collect::<String>(),
                "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            );
            false
        }
    })
    .await
    .unwrap_or(false);
    let Some(user) = user.filter(|_| ok) else {
        let who = parsed.as_ref().map_or(NOT_A_USERNAME, |u| u.as_str());
        if let Some(u) = &parsed {
            app.sign_ins.failed(u.as_str(), address, now);
            // Kept, so a restart does not lift a lock.
            let _ = app
                .store
                .record_sign_in_failure(u.as_str(), &address.to_string(), now)
                .await;
        }
        let _ = app
            .store
            .audit(&audit_entry(
                who,
                "session.sign_in_failed",
                "user",
                who,
                None,
            ))
            .await;
        return retry(
            "The username or password is not right",
            StatusCode::UNAUTHORIZED,
        );
    };
    app.sign_ins.succeeded(user.username.as_str(), address);
    let session_token = vigil_auth::random_token();
    let now = vigil_auth::now_utc();
    let created = app
        .store
        .create_session(
            &vigil_store::NewSession {
                user_id: user.id,
                token_hash: &vigil_auth::token_hash(&session_token),
                csrf_token: &vigil_auth::random_token(),
                created_at: now,
                expires_at: now + chrono::Duration::hours(SESSION_HOURS),
                idle_expires_at: Some(now + chrono::Duration::minutes(IDLE_MINUTES)),
            },
            &audit_entry(
                user.username.as_str(),
                "session.sign_in",
                "user",
                user.username.as_str(),
                None,
            ),
        )
        .await;
    if created.is_err() {
        return crate::pages::problem();
    }
    let mut res = Redirect::to(safe_next(&form.next)).into_response();
    let h = res.headers_mut();
    h.append(
        header::SET_COOKIE,
        set_cookie(&app, SESSION_COOKIE, &session_token, SESSION_HOURS * 3600),
    );
    h.append(header::SET_COOKIE, set_cookie(&app, SIGN_IN_COOKIE, "", 0));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_leads_back_only_to_this_services_pages() {
        assert_eq!(safe_next("/cases/I1?x=1"), "/cases/I1?x=1");
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "/sign-in?next=/",
            "/sign-out",
            "",
            "cases/I1",
            "/a\nb",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
        assert_eq!(safe_next(&format!("/{}", "a".repeat(3000))), "/");
        assert_eq!(
            sign_in_path("/queues/dait?lpa=all&page=2"),
            "/sign-in?next=/queues/dait%3Flpa%3Dall%26page%3D2"
        );
        assert_eq!(sign_in_path("/"), "/sign-in");
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

pub async fn sign_out(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(form): Form<CsrfOnly>,
) -> Response {
    let Some(s) = current(&app, &headers).await else {
        return Redirect::to("/sign-in").into_response();
    };
    if !vigil_auth::constant_time_eq(&form.csrf, &s.csrf_token) {
        return (StatusCode::FORBIDDEN, Html(page("Not signed out", None, "<h1 class=\"govuk-heading-l\">You have not been signed out</h1><p class=\"govuk-body\">The form had expired. <a class=\"govuk-link\" href=\"/\">Go back</a> and try again.</p>"))).into_response();
    }
    let token = cookie(&headers, SESSION_COOKIE).unwrap_or_default();
    let _ = app
        .store
        .end_session(
            &vigil_auth::token_hash(&token),
            &audit_entry(
                s.user.username.as_str(),
                "session.sign_out",
                "user",
                s.user.username.as_str(),
                None,
            ),
        )
        .await;
    let mut res = Redirect::to("/sign-in").into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, set_cookie(&app, SESSION_COOKIE, "", 0));
    res
}
