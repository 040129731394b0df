//! Opens the store a database location names, as a [`DynStore`]: `postgres://…` (or
//! `postgresql://…`) is a PostgreSQL database, anything else a SQLite file (a path, or a
//! `sqlite:` URL). The web application and the commands hold the result and never learn
//! which backend it is.

use std::sync::Arc;
use vigil_store::{DynStore, StoreError, StoreOptions, StoreResult};

/// Which backend a location names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn backend_of(location: &str) -> Backend {
    if location.starts_with("postgres://") || location.starts_with("postgresql://") {
        Backend::Postgres
    } else {
        Backend::Sqlite
    }
}

pub use vigil_store::redact;

/// Opens the store without migrating it.
pub async fn open(location: &str, options: &StoreOptions) -> StoreResult<DynStore> {
    Ok(match backend_of(location) {
        Backend::Sqlite => {
            Arc::new(vigil_store_sqlite::SqliteStore::open(location, options).await?)
        }
        Backend::Postgres => {
            Arc::new(vigil_store_postgres::PostgresStore::open(location, options).await?)
        }
    })
}

/// Opens the store and brings its schema up to date: what every command does first.
pub async fn open_and_migrate(location: &str, options: &StoreOptions) -> StoreResult<DynStore> {
    let store = open(location, options).await?;
    store.migrate().await?;
    Ok(store)
}

/// A location that cannot name a store, said plainly.
pub fn check_location(location: &str) -> StoreResult<()> {
    if location.trim().is_empty() {
        return Err(StoreError::Backend(
            "no database given: use --db vigil.db (a SQLite file) or --db postgres://user@host/dbname".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_print() {
        assert_eq!(
            redact("postgres://vigil:s3cret@db.example:5432/vigil?sslmode=require"),
            "postgres://vigil:***@db.example:5432/vigil?sslmode=require"
        );
        assert_eq!(
            redact("postgres://vigil@db/vigil"),
            "postgres://vigil@db/vigil"
        );
        assert_eq!(redact("vigil.db"), "vigil.db");
        assert_eq!(backend_of("postgresql://x/y"), Backend::Postgres);
        assert_eq!(backend_of("sqlite:vigil.db"), Backend::Sqlite);
    }
}
