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

pub async fn run(db: &str, args: ServeArgs) -> Result<(), Failure> {
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
