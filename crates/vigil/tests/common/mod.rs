//! What every integration test of the binary needs: run `vigil` as a user would, and read
//! what it printed.

#![allow(dead_code)]

use std::process::{Command, Output};

/// Runs the real binary, with no database named in the environment.
pub fn vigil(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .env_remove("VIGIL_DATABASE_URL")
        .output()
        .expect("vigil runs")
}

/// Standard output and standard error together.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

// The seed report's figures, shared with `bench/calibration`; their `total` (the sum of a
// monthly series over months) serves every test.
#[path = "../figures/mod.rs"]
pub mod figures;
#[allow(unused_imports)] // not every test binary sums a series
pub use figures::total;

/// A new database in the PostgreSQL cluster `VIGIL_TEST_POSTGRES_URL` names (`scripts/test`
/// starts one; `scripts/pg-cluster` by hand); `None` when there is none and
/// `VIGIL_REQUIRE_POSTGRES` is not set.
pub fn new_postgres_database() -> Option<String> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let Ok(base) = std::env::var("VIGIL_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var_os("VIGIL_REQUIRE_POSTGRES").is_none(),
            "VIGIL_REQUIRE_POSTGRES is set but VIGIL_TEST_POSTGRES_URL is not (scripts/pg-cluster)"
        );
        eprintln!("not run on PostgreSQL: VIGIL_TEST_POSTGRES_URL is not set");
        return None;
    };
    let name = format!(
        "vigil_it_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let o = Command::new("psql")
        .args([&base, "-q", "-v", "ON_ERROR_STOP=1", "-c"])
        .arg(format!("CREATE DATABASE {name} TEMPLATE template0"))
        .output()
        .expect("psql runs");
    assert!(o.status.success(), "{}", text(&o));
    let (prefix, _) = base.rsplit_once('/').unwrap();
    Some(format!("{prefix}/{name}"))
}

/// A new, empty store for a test: a SQLite file `name` in `dir`, or, when
/// `VIGIL_TEST_BACKEND` is `postgres` (`scripts/test` runs the web and import suites once
/// each way), a new PostgreSQL database.
pub fn new_store(dir: &std::path::Path, name: &str) -> String {
    match std::env::var("VIGIL_TEST_BACKEND").as_deref() {
        Ok("postgres") => new_postgres_database().expect(
            "VIGIL_TEST_BACKEND=postgres needs VIGIL_TEST_POSTGRES_URL (scripts/pg-cluster)",
        ),
        Ok("sqlite") | Err(_) => dir.join(name).to_string_lossy().into_owned(),
        Ok(other) => panic!("VIGIL_TEST_BACKEND={other}: expected sqlite or postgres"),
    }
}

/// A CSV file of an extract as rows of column name → value.
pub fn read_csv(path: &std::path::Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    r.records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

/// The essex-2019 scenario (seed 1) generated into `dir/essex` and imported into a new store
/// there: the extract's folder and the store.
pub fn essex_imported(dir: &std::path::Path) -> (std::path::PathBuf, String) {
    let extract = dir.join("essex");
    let o = vigil(&[
        "synth",
        "--scenario",
        "essex-2019",
        "--seed",
        "1",
        "--out",
        extract.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let db = new_store(dir, "essex.db");
    let o = vigil(&["--db", &db, "import", extract.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    (extract, db)
}
