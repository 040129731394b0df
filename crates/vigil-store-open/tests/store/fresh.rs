//! A fresh, empty, migrated store of either backend for one test: a SQLite file in a
//! temporary folder, or a new PostgreSQL database in the cluster `VIGIL_TEST_POSTGRES_URL`
//! names (`scripts/test` starts one; `scripts/pg-cluster` makes one by hand).

use std::ops::Deref;
use std::sync::atomic::{AtomicU32, Ordering};
use vigil_store::DynStore;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A store and what must outlive it.
pub struct Fresh {
    pub store: DynStore,
    /// Where the store lives (a file path, or a URL with no password).
    pub location: String,
    _dir: Option<tempfile::TempDir>,
}

impl Deref for Fresh {
    type Target = DynStore;
    fn deref(&self) -> &DynStore {
        &self.store
    }
}

/// The PostgreSQL cluster for tests. When it is not configured the PostgreSQL stories
/// cannot run: they fail if `VIGIL_REQUIRE_POSTGRES` is set (as `scripts/test` sets it), and
/// otherwise say they were not run, so `cargo test` still works on a machine without
/// PostgreSQL.
pub fn postgres_url() -> Option<String> {
    match std::env::var("VIGIL_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("VIGIL_REQUIRE_POSTGRES").is_none(),
                "VIGIL_REQUIRE_POSTGRES is set but VIGIL_TEST_POSTGRES_URL is not: start a cluster with scripts/pg-cluster"
            );
            eprintln!("not run on PostgreSQL: VIGIL_TEST_POSTGRES_URL is not set");
            None
        }
    }
}

/// Creates a new database in the test cluster and returns its URL.
pub async fn new_database(base: &str) -> String {
    use sqlx::Connection;
    static N: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "vigil_test_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    let mut conn = sqlx::PgConnection::connect(base)
        .await
        .expect("the test cluster answers");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE {name} TEMPLATE template0"
    )))
    .execute(&mut conn)
    .await
    .expect("a test database can be made");
    let _ = conn.close().await;
    let (prefix, _) = base.rsplit_once('/').expect("a URL with a database name");
    format!("{prefix}/{name}")
}

/// An empty, migrated store; `None` when the backend cannot be had here (see
/// [`postgres_url`]).
pub async fn try_empty(backend: Backend) -> Option<Fresh> {
    let (location, dir) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("t.db").to_string_lossy().into_owned();
            (path, Some(dir))
        }
        Backend::Postgres => (new_database(&postgres_url()?).await, None),
    };
    let store = vigil_store_open::open_and_migrate(&location, &Default::default())
        .await
        .unwrap_or_else(|e| panic!("{location}: {e}"));
    Some(Fresh {
        store,
        location,
        _dir: dir,
    })
}

pub async fn empty(backend: Backend) -> Fresh {
    try_empty(backend).await.expect("the backend is available")
}

/// Runs each named story (an `async fn(Backend)`) as two tests, `sqlite::NAME` and
/// `postgres::NAME`.
#[macro_export]
macro_rules! stories {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::fresh::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if $crate::fresh::postgres_url().is_some() {
                        super::$name($crate::fresh::Backend::Postgres).await
                    }
                }
            )*
        }
    };
}
