//! Vigil's web application: the only crate that knows HTTP.
//!
//! Server-rendered pages that work without JavaScript. Every page but sign-in needs a
//! session; every change carries the session's form token (CSRF); every read of a person's
//! record is checked against the permission table (`vigil_domain::access`) and written to
//! the audit trail, and a record the user may not see is answered as not found (and the
//! attempt audited).

mod auth;
mod dashboard;
mod layout;
mod pages;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use vigil_store_sqlite::SqliteStore;

/// What the handlers share.
pub struct App {
    pub store: SqliteStore,
    /// Where the store lives, for the columnar cache beside it.
    pub db: String,
    /// Mark cookies `Secure` (behind HTTPS). Off only for a demonstration on loopback.
    pub secure_cookies: bool,
    /// Failed sign-ins by username: count and when the first of them happened.
    throttle: Mutex<HashMap<String, (u32, std::time::Instant)>>,
}

/// Settings for `serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub bind: SocketAddr,
    /// The store's location (for the analytics cache beside it).
    pub db: String,
    pub secure_cookies: bool,
}

/// The application's routes.
pub fn router(store: SqliteStore, db: String, secure_cookies: bool) -> Router {
    let app = Arc::new(App {
        store,
        db,
        secure_cookies,
        throttle: Mutex::new(HashMap::new()),
    });
    Router::new()
        .route("/", get(pages::home))
        .route("/sign-in", get(auth::sign_in_page).post(auth::sign_in))
        .route("/sign-out", post(auth::sign_out))
        .route("/people", get(pages::find_person))
        .route("/people/{id}", get(pages::person))
        .route("/cases/{id}", get(pages::case))
        .route("/queues/{queue}", get(pages::queue))
        .route("/dashboard", get(dashboard::dashboard))
        .route("/report", get(dashboard::report))
        .route("/audit", get(pages::audit))
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(64 * 1024))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(app)
}

async fn security_headers(mut res: axum::response::Response) -> axum::response::Response {
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Serves until the process is stopped. Prints the address it listens on (useful when
/// `bind` asks for port 0).
pub async fn serve(store: SqliteStore, opts: ServeOptions) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(opts.bind)
        .await
        .map_err(|e| {
            format!(
                "cannot listen on {}: {e} (is another program using it? try --bind 127.0.0.1:8081)",
                opts.bind
            )
        })?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("Vigil is listening on http://{addr}");
    axum::serve(listener, router(store, opts.db, opts.secure_cookies))
        .await
        .map_err(|e| e.to_string())
}
