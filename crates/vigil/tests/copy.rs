//! Moving and keeping a store: `vigil copy` between backends, `vigil backup` and
//! `vigil restore`. Everything comes across — records, users, id counters, the audit
//! trail with its chain — and a copy never merges into a store that holds anything.

use std::path::Path;

mod common;
use common::*;

fn handwritten() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/handwritten")
        .to_string_lossy()
        .into_owned()
}

fn ok(args: &[&str]) -> String {
    let o = vigil(args);
    assert!(o.status.success(), "{args:?}: {}", text(&o));
    text(&o)
}

/// A SQLite store with records, a user, a record made in Vigil and an audit trail.
fn seeded(dir: &Path) -> String {
    let db = dir.join("trial.db").to_string_lossy().into_owned();
    ok(&["--db", &db, "import", &handwritten()]);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args([
            "--db",
            &db,
            "user",
            "add",
            "ann.smith",
            "--role",
            "dait_sergeant",
            "--name",
            "Ann Smith",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"lantern orbit velvet\n")
        .unwrap();
    assert!(child.wait_with_output().unwrap().status.success());
    ok(&["--db", &db, "user", "disable", "ann.smith"]);
    db
}

/// What a store holds, as its export and its users and trail print.
fn contents(db: &str, dir: &Path, name: &str) -> (Vec<(String, Vec<u8>)>, String, String) {
    let out = dir.join(name);
    ok(&["--db", db, "export", out.to_str().unwrap()]);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    let users = ok(&["--db", db, "user", "list"]);
    let trail = ok(&["--db", db, "audit", "--limit", "1000"]);
    (files, users, trail)
}

#[test]
fn a_store_copies_to_postgresql_and_back_whole() {
    let Some(pg) = new_postgres_database() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let trial = seeded(dir.path());
    let before = contents(&trial, dir.path(), "before");

    let said = ok(&["copy", "--from", &trial, "--to", &pg]);
    assert!(said.contains("the audit trail verifies"), "{said}");
    assert!(ok(&["--db", &pg, "audit", "--verify"]).contains("intact"));

    let back = dir.path().join("back.db").to_string_lossy().into_owned();
    ok(&["copy", "--from", &pg, "--to", &back]);
    let after = contents(&back, dir.path(), "after");
    assert_eq!(before.0, after.0, "the records differ after two copies");
    assert_eq!(before.1, after.1, "the users differ");
    // The copied trail is the same trail: the copies' own reads of it come after.
    assert!(after.2.contains(before.2.lines().nth(1).unwrap()));
    assert!(
        after.1.contains("ann.smith") && after.1.contains("disabled"),
        "{}",
        after.1
    );
    // Every copy is audited where the records left and where they arrived.
    assert!(
        after.2.contains("store.copy") && after.2.contains("store.copied_in"),
        "{}",
        after.2
    );

    // A copy never merges into a store that holds anything.
    let o = vigil(&["copy", "--from", &trial, "--to", &pg]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("is not empty"), "{}", text(&o));
    // A password never shows in what Vigil prints about a URL.
    let with_password = pg.replacen("vigil@", "vigil:hunter2@", 1);
    let o = vigil(&["copy", "--from", &trial, "--to", &with_password]);
    assert!(!text(&o).contains("hunter2"), "{}", text(&o));
}

#[test]
fn a_backup_is_a_consistent_store_that_restores_into_an_empty_one() {
    let dir = tempfile::tempdir().unwrap();
    let trial = seeded(dir.path());
    let before = contents(&trial, dir.path(), "before");
    let file = dir.path().join("backup.db").to_string_lossy().into_owned();
    let said = ok(&["--db", &trial, "backup", "--out", &file]);
    assert!(said.contains("its audit trail verifies"), "{said}");
    assert!(ok(&["--db", &trial, "audit", "--limit", "5"]).contains("store.backup"));
    // A backup is never written over an existing file.
    let o = vigil(&["--db", &trial, "backup", "--out", &file]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("already exists"));

    let restored = new_store(dir.path(), "restored.db");
    ok(&["--db", &restored, "restore", "--from", &file]);
    let after = contents(&restored, dir.path(), "after");
    assert_eq!(before.0, after.0);
    assert_eq!(before.1, after.1);
    // Restoring over a store that holds records is refused.
    let o = vigil(&["--db", &trial, "restore", "--from", &file]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("is not empty"), "{}", text(&o));
}
