//! `vigil serve`: the web application over the store.

use crate::{Failure, open_store};
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
    let store = open_store(db).await?;
    serve(store, db, args).await
}

pub async fn serve(
    store: vigil_store_sqlite::SqliteStore,
    db: &str,
    args: ServeArgs,
) -> Result<(), Failure> {
    vigil_web::serve(
        store,
        vigil_web::ServeOptions {
            bind: args.bind,
            db: db.to_owned(),
            secure_cookies: args.secure_cookies,
        },
    )
    .await
    .map_err(Failure::Runtime)
}
