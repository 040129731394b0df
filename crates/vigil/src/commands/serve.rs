//! `vigil serve`: the web application over the store.

use crate::{Failure, open_store_with};
use std::net::SocketAddr;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// The address to listen on. Port 0 picks a free port (the address is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Mark cookies Secure: use whenever Vigil is reached over HTTPS (always, outside a
    /// demonstration on this machine).
    #[arg(long)]
    pub secure_cookies: bool,
    /// Database connections held open at most.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=512))]
    pub pool_size: u32,
    /// Seconds a request waits for a free database connection before it fails.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub acquire_timeout: u64,
    /// Seconds one database statement may run before PostgreSQL cancels it.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub statement_timeout: u64,
    /// Start the server's clock at this instant (UTC, e.g. 2019-09-01T09:00:00Z) and let it
    /// run: for working records that end in the past. Every due time and overdue flag counts
    /// to it, and every page says so. `real` (the default for `serve`) is the real time;
    /// `demo` starts it the morning after its records end.
    #[arg(long, value_name = "INSTANT|real")]
    pub clock: Option<String>,
    /// The force's clocks as a JSON file: response targets and rural areas, task limits,
    /// extra non-working days, MARAC criteria, school terms by area (see
    /// docs/rules-file.md). Vigil's defaults where it is silent.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<std::path::PathBuf>,
    /// Every five minutes (and at start), add the audit trail's latest sequence number and
    /// hash to this file: an anchor `vigil audit --verify --anchor FILE` checks the trail
    /// against. Put it where the database's users cannot rewrite it.
    #[arg(long, value_name = "FILE")]
    pub anchor_file: Option<std::path::PathBuf>,
}

impl ServeArgs {
    /// The store's connection settings these options give.
    pub fn store_options(&self) -> vigil_store::StoreOptions {
        vigil_store::StoreOptions {
            pool_size: self.pool_size,
            acquire_timeout: std::time::Duration::from_secs(self.acquire_timeout),
            statement_timeout: std::time::Duration::from_secs(self.statement_timeout),
        }
    }
}

/// Refuses to send session cookies over plain HTTP beyond this machine: Vigil speaks plain
/// HTTP and relies on a proxy in front of it for HTTPS, which `--secure-cookies` declares.
pub fn check_bind(args: &ServeArgs) -> Result<(), Failure> {
    if !args.bind.ip().is_loopback() && !args.secure_cookies {
        return Err(Failure::BadInput(format!(
            "refusing to listen on {} without --secure-cookies: sign-in cookies would cross the network unprotected. Put Vigil behind HTTPS (a reverse proxy) and add --secure-cookies, or listen on 127.0.0.1",
            args.bind
        )));
    }
    Ok(())
}

pub async fn run(db: &str, args: ServeArgs) -> Result<(), Failure> {
    check_bind(&args)?;
    let store = open_store_with(db, &args.store_options()).await?;
    serve(store, args, None).await
}

/// Logs go to standard error, one line per request and per failure (`RUST_LOG`-style levels
/// are not parsed: `VIGIL_LOG=warn` shows only failures, `VIGIL_LOG=off` nothing).
fn start_logging() {
    let level = match std::env::var("VIGIL_LOG").as_deref() {
        Ok("off") => return,
        Ok("warn") => tracing_subscriber::filter::LevelFilter::WARN,
        Ok("debug") => tracing_subscriber::filter::LevelFilter::DEBUG,
        _ => tracing_subscriber::filter::LevelFilter::INFO,
    };
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false)
        .try_init();
}

/// The server's clock `--clock` asks for (`default` when it is not given).
pub fn clock(
    args: &ServeArgs,
    default: Option<vigil_domain::DateTime>,
) -> Result<std::sync::Arc<dyn vigil_web::clock::Clock>, Failure> {
    use vigil_web::clock::{SetClock, SystemClock, parse_clock};
    let start = match args.clock.as_deref().map(str::trim) {
        Some("real") => None,
        Some(raw) => {
            Some(parse_clock(raw).map_err(|e| Failure::BadInput(format!("--clock: {e}")))?)
        }
        None => default,
    };
    Ok(match start {
        Some(t) => std::sync::Arc::new(SetClock::starting_at(t)),
        None => std::sync::Arc::new(SystemClock),
    })
}

pub async fn serve(
    store: vigil_store::DynStore,
    args: ServeArgs,
    default_clock: Option<vigil_domain::DateTime>,
) -> Result<(), Failure> {
    start_logging();
    let clock = clock(&args, default_clock)?;
    if !clock.is_real() {
        println!(
            "The server's clock starts at {} UTC (not the real time).",
            vigil_domain::time::format_datetime(clock.now_utc())
        );
    }
    if let Some(path) = args.anchor_file.clone() {
        // Checked now, so a path that cannot be written stops the start, not a later write.
        if let Some((seq, hash)) = store.audit_head().await? {
            super::user::append_anchor(&path, &super::user::anchor_line(seq, &hash))?;
        }
        let store = store.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
            every.tick().await;
            loop {
                every.tick().await;
                match store.audit_head().await {
                    Ok(Some((seq, hash))) => {
                        if super::user::append_anchor(&path, &super::user::anchor_line(seq, &hash))
                            .is_err()
                        {
                            tracing::error!("audit anchor: cannot write {}", path.display());
                        }
                    }
                    Ok(None) => {}
                    Err(e) => tracing::error!("audit anchor: {e}"),
                }
            }
        });
    }
    let rules = match &args.rules {
        None => vigil_domain::tasks::ClockRules::default(),
        Some(path) => {
            let areas = store.lpas().await?;
            let rules = vigil_web::rules_file::load(path, &areas).map_err(Failure::BadInput)?;
            println!("The force's clocks are read from {}.", path.display());
            rules
        }
    };
    vigil_web::serve(
        store,
        vigil_web::ServeOptions {
            bind: args.bind,
            secure_cookies: args.secure_cookies,
            clock,
            rules,
            schedule_cohorts: true,
        },
    )
    .await
    .map_err(Failure::Runtime)
}
