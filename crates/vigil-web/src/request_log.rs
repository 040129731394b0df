//! One log line per request: a request id, the method, the route template (never the path
//! itself, never the query string: a search's query holds a name), the status, the latency
//! and the signed-in user's id. Never a name, an address or any free text from a record.
//!
//! The user is known only once a handler has resolved the session, so the handler's task
//! carries a slot for it ([`note_user`]) that the session lookup fills.

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

tokio::task_local! {
    static USER: Cell<Option<i64>>;
}

/// Records who the request is from (called where a session is resolved).
pub fn note_user(user_id: i64) {
    let _ = USER.try_with(|u| u.set(Some(user_id)));
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

pub async fn log_request(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(no route)".to_owned(), |m| m.as_str().to_owned());
    let (response, user) = USER
        .scope(Cell::new(None), async {
            let response = next.run(req).await;
            (response, USER.with(Cell::get))
        })
        .await;
    let status = response.status().as_u16();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let user = user.map_or_else(|| "-".to_owned(), |u| u.to_string());
    if status >= 500 {
        tracing::warn!(request = id, %method, route, status, latency_ms, user, "request");
    } else {
        tracing::info!(request = id, %method, route, status, latency_ms, user, "request");
    }
    response
}
