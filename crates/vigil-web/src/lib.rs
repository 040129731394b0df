//! Vigil's web application: the only crate that knows HTTP.
//!
//! Server-rendered pages that work without JavaScript. Every page but sign-in needs a
//! session; every change carries the session's form token (CSRF); every read of a person's
//! record is checked against the permission table (`vigil_domain::access`) and written to
//! the audit trail, and a record the user may not see is answered as not found (and the
//! attempt audited).

mod admin;
pub mod api;
mod api_cohorts;
mod api_dvds;
mod api_marac;
mod api_orders;
mod api_work;
mod auth;
mod case_work;
mod cases;
pub mod clock;
mod cohorts;
pub mod components;
mod contact;
mod dashboard;
mod dvds;
mod encompass;
mod forms;
mod idempotency;
mod idva;
mod intake;
mod layout;
mod marac;
mod mash;
mod orders;
mod pages;
mod reads;
mod request_log;
mod restricted;
mod risk_chart;
pub mod rules_file;
pub mod service;
mod suspects;
pub mod throttle;
mod work;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};

use std::net::SocketAddr;
use std::sync::Arc;
use vigil_store::DynStore;

/// What the handlers share.
pub struct App {
    /// The store, whichever backend the database URL named.
    pub store: DynStore,
    /// Mark cookies `Secure` (behind HTTPS). Off only for a demonstration on loopback.
    pub secure_cookies: bool,
    /// The force's Local Policing Areas (for the forms' lists and to check an area typed in).
    pub lpas: Vec<vigil_domain::Lpa>,
    /// What unauthenticated clients may try: attempts by address and overall, locks by
    /// username and address (`throttle.rs`).
    sign_ins: throttle::SignInThrottle,
    /// Each user's API requests a minute (`throttle.rs`).
    pub(crate) api_limit: throttle::ApiLimit,
    /// The audit chain's last check: when, and what it found (the audit page shows it and
    /// starts a fresh check in the background when it is old, rather than recomputing the
    /// whole chain on every view).
    pub(crate) chain_check: std::sync::Mutex<ChainState>,
    /// Each reader's opening of records, to slow and report bulk reading (`reads.rs`).
    pub(crate) reads: reads::ReadWatch,
    /// The server's clock: every due time and overdue flag counts to it.
    pub clock: Arc<dyn clock::Clock>,
    /// The force's clocks: limits, calendars, response targets.
    pub rules: vigil_domain::tasks::ClockRules,
    /// The analytics snapshot between requests, patched after each write.
    pub snapshot: vigil_store::snapshot_cache::Held,
}

/// The audit chain's last check.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChainState {
    /// When the last check finished (real UTC) and what it found.
    pub(crate) last: Option<(
        vigil_domain::DateTime,
        Option<vigil_store::audit_chain::Break>,
    )>,
    /// A check is running.
    pub(crate) running: bool,
}

/// How old a check may be before the audit page starts another.
pub(crate) const CHAIN_CHECK_MINUTES: i64 = 10;

impl App {
    /// Now, in UK local time (what records hold), by the server's clock.
    pub fn now(&self) -> vigil_domain::DateTime {
        vigil_domain::calendar::uk_local(self.clock.now_utc())
    }

    /// What the phase banner says of the clock when it is not the real one.
    fn clock_note(&self) -> Option<String> {
        (!self.clock.is_real()).then(|| {
            format!(
                "Clock set to {} (not the real time).",
                vigil_domain::dates::long_time(self.now())
            )
        })
    }
}

/// Settings for `serve`.
#[derive(Clone)]
pub struct ServeOptions {
    pub bind: SocketAddr,
    pub secure_cookies: bool,
    /// The server's clock (the real one unless `--clock` set it).
    pub clock: Arc<dyn clock::Clock>,
    /// The force's clocks and limits (`--rules`, else Vigil's defaults).
    pub rules: vigil_domain::tasks::ClockRules,
    /// Run the cohorts on their schedule (a server's job; off for a server run by tests).
    pub schedule_cohorts: bool,
}

/// The application's routes. `lpas` is the force's list of areas (`Store::lpas`).
pub fn router(
    store: DynStore,
    secure_cookies: bool,
    lpas: Vec<vigil_domain::Lpa>,
    clock: Arc<dyn clock::Clock>,
    rules: vigil_domain::tasks::ClockRules,
    sign_ins: throttle::SignInThrottle,
) -> Router {
    routes(new_app(store, secure_cookies, lpas, clock, rules, sign_ins))
}

fn new_app(
    store: DynStore,
    secure_cookies: bool,
    lpas: Vec<vigil_domain::Lpa>,
    clock: Arc<dyn clock::Clock>,
    rules: vigil_domain::tasks::ClockRules,
    sign_ins: throttle::SignInThrottle,
) -> Arc<App> {
    Arc::new(App {
        store,
        secure_cookies,
        lpas,
        sign_ins,
        reads: reads::ReadWatch::default(),
        chain_check: std::sync::Mutex::new(ChainState::default()),
        api_limit: throttle::ApiLimit::default(),
        clock,
        rules,
        snapshot: Default::default(),
    })
}

/// The cohorts' schedule, kept by the server: each area's runs that fall due (and any
/// missed while it was down) are made at start and checked every ten minutes after.
fn keep_cohort_schedule(app: Arc<App>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            every.tick().await;
            match service::scheduled_runs(&app).await {
                Ok(0) => {}
                Ok(n) => tracing::info!("cohorts: {n} scheduled run(s) made"),
                Err(e) => tracing::error!("cohorts: the scheduled runs failed: {e:?}"),
            }
        }
    });
}

fn routes(app: Arc<App>) -> Router {
    Router::new()
        .merge(api::router())
        .route("/assets/{file}", get(assets))
        .route("/incidents/new", get(intake::new_incident))
        .route("/incidents", post(intake::record_incident))
        .route(
            "/cases/{id}/{task}/new",
            get(cases::task_form).post(cases::task_save),
        )
        .route(
            "/cases/{id}/work/{what}",
            get(case_work::work_form).post(case_work::work_save),
        )
        .route(
            "/offences/{id}/outcome",
            get(cases::outcome_form).post(cases::outcome_save),
        )
        .route("/search", get(pages::search))
        .route("/marac/return", get(marac::marac_return))
        .route(
            "/marac/meetings",
            get(marac::meetings).post(marac::plan_meeting),
        )
        .route("/marac/meetings/{id}", get(marac::agenda))
        .route("/marac/meetings/{id}/actions", post(marac::add_action))
        .route("/marac/meetings/{id}/research", post(marac::add_research))
        .route(
            "/marac/meetings/{id}/attendance",
            post(marac::record_attendance),
        )
        .route(
            "/marac/meetings/{id}/discussions",
            post(marac::record_discussion),
        )
        .route("/marac/meetings/{id}/transfers", post(marac::transfer))
        .route("/marac/meetings/{id}/approval", post(marac::approve))
        .route("/marac/meetings/{id}/minutes", get(marac::minutes))
        .route("/marac/actions", get(marac::my_actions))
        .route("/marac/referrals/new", get(marac::partner_referral_form))
        .route("/marac/referrals", post(marac::partner_referral))
        .route("/marac/actions/{id}/complete", post(marac::complete_action))
        .route("/shared", get(pages::shared))
        .route("/shared/{id}", get(pages::shared_one))
        .route("/notices", get(orders::list))
        .route("/notices/{id}", get(orders::one).post(orders::step))
        .route("/cases/{id}/notices/new", get(orders::new_form))
        .route("/cases/{id}/notices", post(orders::create))
        .route("/cases/{id}/notice-decision", post(cases::notice_decision))
        .route("/disclosures", get(dvds::list).post(dvds::create))
        .route("/disclosures/new", get(dvds::new_form))
        .route("/disclosures/{id}", get(dvds::one).post(dvds::step))
        .route("/cases/{id}/right-to-know", post(dvds::open_right_to_know))
        .route("/cohorts", get(cohorts::list))
        .route("/cohorts/run", post(cohorts::run_now))
        .route(
            "/cohorts/{kind}/{lpa}/{person}",
            get(cohorts::member).post(cohorts::member_step),
        )
        .route("/mash", get(mash::list))
        .route("/mash/{id}", get(mash::one).post(mash::step))
        .route("/idva", get(idva::list))
        .route("/idva/{id}", get(idva::one).post(idva::step))
        .route("/encompass", get(encompass::list))
        .route("/encompass/{id}", get(encompass::one))
        .route("/encompass/{id}/acknowledge", post(encompass::acknowledge))
        .route("/", get(pages::home))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/sign-in", get(auth::sign_in_page).post(auth::sign_in))
        .route("/sign-out", post(auth::sign_out))
        .route("/people/{id}", get(pages::person))
        .route("/people/{id}/address", post(pages::person_with_address))
        .route(
            "/people/{id}/contact",
            get(contact::form).post(contact::save),
        )
        .route("/cases/{id}", get(cases::case))
        .route("/queues/{queue}", get(work::queue))
        .route("/tasks", get(work::tasks))
        .route("/suspects", get(suspects::page))
        .route("/dashboard", get(dashboard::dashboard))
        .route("/report", get(dashboard::report))
        .route("/audit", get(admin::audit))
        .route("/admin/users", get(admin::users).post(admin::add_user))
        .route("/admin/users/new", get(admin::new_user))
        .route(
            "/admin/restrictions",
            get(restricted::restrictions).post(restricted::restrict),
        )
        .route("/admin/restrictions/lift", post(restricted::lift))
        .route(
            "/admin/users/{username}",
            get(admin::user).post(admin::change_user),
        )
        .route("/admin/users/{username}/status", post(admin::set_status))
        .route(
            "/admin/users/{username}/sessions",
            post(admin::end_sessions),
        )
        .route(
            "/admin/users/{username}/password",
            post(admin::reset_password),
        )
        .route(
            "/account/password",
            get(admin::own_password).post(admin::change_own_password),
        )
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(64 * 1024))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            idempotency::idempotent,
        ))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            clock_note,
        ))
        .layer(axum::middleware::map_response(security_headers))
        .layer(axum::middleware::from_fn(request_log::log_request))
        .with_state(app)
}

/// The process is up and answering (for a load balancer or service manager). Needs no
/// sign-in and says nothing about the store.
async fn healthz() -> &'static str {
    "ok\n"
}

/// The store answers: 200 when a trivial read succeeds, 503 otherwise (the cause goes to
/// the log, not to the caller). Needs no sign-in; reveals no data.
async fn readyz(
    axum::extract::State(app): axum::extract::State<Arc<App>>,
) -> (axum::http::StatusCode, &'static str) {
    match app.store.revision().await {
        Ok(_) => (axum::http::StatusCode::OK, "ready\n"),
        Err(e) => {
            tracing::error!(cause = %e, "readyz: the store is not reachable");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "the store is not reachable\n",
            )
        }
    }
}

/// The stylesheet and scripts, compiled into the binary (see `scripts/update-govuk-frontend`).
async fn assets(
    axum::extract::Path(file): axum::extract::Path<String>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let (body, kind): (&'static [u8], &str) = match file.as_str() {
        "vigil.css" => (
            include_bytes!("../assets/vigil.css"),
            "text/css; charset=utf-8",
        ),
        "govuk-frontend.min.js" => (
            include_bytes!("../assets/govuk-frontend.min.js"),
            "text/javascript; charset=utf-8",
        ),
        "vigil.js" => (
            layout::VIGIL_JS.as_bytes(),
            "text/javascript; charset=utf-8",
        ),
        _ => return axum::http::StatusCode::NOT_FOUND.into_response(),
    };
    let mut res = ([(header::CONTENT_TYPE, kind)], body).into_response();
    // Assets hold no personal data; a day's caching spares every page load.
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    res
}

/// Lets the page template say what the server's clock shows, when it is not the real time.
async fn clock_note(
    axum::extract::State(app): axum::extract::State<Arc<App>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    layout::CLOCK_NOTE
        .scope(app.clock_note(), next.run(req))
        .await
}

async fn security_headers(mut res: axum::response::Response) -> axum::response::Response {
    let h = res.headers_mut();
    // Pages may load Vigil's own stylesheet and scripts and nothing else: no inline script
    // or style, no other origin. (The board report sets a policy of its own.)
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"));
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// Serves until the process is stopped. Prints the address it listens on (useful when
/// `bind` asks for port 0).
pub async fn serve(store: DynStore, opts: ServeOptions) -> Result<(), String> {
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
    serve_on(
        listener,
        store,
        opts.secure_cookies,
        opts.clock,
        opts.rules,
        opts.schedule_cohorts,
        async {
            let interrupt = tokio::signal::ctrl_c();
            #[cfg(unix)]
            {
                let mut term =
                    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                        .expect("a SIGTERM handler can be installed");
                tokio::select! {
                    _ = interrupt => {}
                    _ = term.recv() => {}
                }
            }
            #[cfg(not(unix))]
            let _ = interrupt.await;
            // Standard output may be gone (a closed pipe): saying so must not fail the stop.
            use std::io::Write;
            let _ = writeln!(
                std::io::stdout(),
                "Vigil is stopping: finishing the requests in flight."
            );
        },
    )
    .await
}

/// Serves on a listener already bound until `stop` resolves, then finishes the requests in
/// flight (a half-saved form is never possible, but a reply cut short is still a poor
/// answer). `serve` stops on Ctrl+C or a service manager's SIGTERM; the tests run Vigil in
/// their own process with this.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    store: DynStore,
    secure_cookies: bool,
    clock: Arc<dyn clock::Clock>,
    rules: vigil_domain::tasks::ClockRules,
    schedule_cohorts: bool,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let lpas = store.lpas().await.map_err(|e| e.to_string())?;
    let synthetic = store
        .extract_info()
        .await
        .map_err(|e| e.to_string())?
        .is_some_and(|i| i.source.contains("synthetic"));
    layout::set_synthetic(synthetic);
    // Wrong passwords of the last lock window, so a restart does not lift a lock.
    let sign_ins = throttle::SignInThrottle::default();
    let since = vigil_auth::now_utc() - chrono::Duration::minutes(throttle::LOCK_WINDOW_MINUTES);
    for (name, address, at) in store
        .sign_in_failures_since(since)
        .await
        .map_err(|e| e.to_string())?
    {
        if let Ok(a) = address.parse() {
            sign_ins.failed(&name, a, at);
        }
    }
    let app = new_app(store, secure_cookies, lpas, clock, rules, sign_ins);
    if schedule_cohorts {
        keep_cohort_schedule(app.clone());
    }
    axum::serve(
        listener,
        routes(app).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stop)
    .await
    .map_err(|e| e.to_string())
}
