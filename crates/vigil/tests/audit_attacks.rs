//! The audit trail against someone with write access to the database file: each attack the
//! sealed chain and its anchor must catch, performed on a copy of a store whose trail is
//! sealed with a key kept outside it.
//!
//! The attacker can do anything SQL can (drop the triggers that refuse changes, rewrite
//! rows, recompute hashes) but does not hold the key.

use sqlx::{Connection, Row, SqliteConnection};
use std::path::Path;
use std::time::Instant;
use vigil_store::audit_chain::chain_hash;
use vigil_store::{AuditEntry, AuditRow};

mod common;
use common::*;

/// Runs `vigil` with the force's audit key.
fn keyed(key: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .env_remove("VIGIL_DATABASE_URL")
        .env("VIGIL_AUDIT_KEY_FILE", key)
        .output()
        .unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The attacker's tools: the raw database, without Vigil's guards.
async fn raw(db: &str) -> SqliteConnection {
    let mut c = SqliteConnection::connect(&format!("sqlite://{db}"))
        .await
        .unwrap();
    for t in ["audit_log_no_update", "audit_log_no_delete"] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP TRIGGER IF EXISTS {t}")))
            .execute(&mut c)
            .await
            .unwrap();
    }
    c
}

async fn rows(c: &mut SqliteConnection) -> Vec<AuditRow> {
    sqlx::query("SELECT seq, at, actor, action, subject_kind, subject_id, reason, prev_hash, hash FROM audit_log ORDER BY seq")
        .fetch_all(&mut *c)
        .await
        .unwrap()
        .iter()
        .map(|r| AuditRow {
            seq: r.get(0),
            entry: AuditEntry {
                at: vigil_domain::time::parse_datetime(&r.get::<String, _>(1)).unwrap(),
                actor: r.get(2),
                action: r.get(3),
                subject_kind: r.get(4),
                subject_id: r.get(5),
                reason: r.get(6),
            },
            prev_hash: r.get(7),
            hash: r.get(8),
        })
        .collect()
}

/// Rewrites the whole trail as `kept`, renumbered and re-chained without the key: the best
/// an attacker without it can do.
async fn recompute(c: &mut SqliteConnection, kept: Vec<AuditRow>) {
    sqlx::query("DELETE FROM audit_log")
        .execute(&mut *c)
        .await
        .unwrap();
    let mut prev = vigil_store::audit_chain::GENESIS.to_owned();
    for (i, r) in kept.into_iter().enumerate() {
        let seq = i as i64 + 1;
        let hash = chain_hash(&prev, seq, &r.entry);
        let e = &r.entry;
        sqlx::query("INSERT INTO audit_log (seq, at, actor, action, subject_kind, subject_id, reason, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(seq)
            .bind(vigil_domain::time::format_datetime(e.at))
            .bind(&e.actor)
            .bind(&e.action)
            .bind(&e.subject_kind)
            .bind(&e.subject_id)
            .bind(&e.reason)
            .bind(&prev)
            .bind(&hash)
            .execute(&mut *c)
            .await
            .unwrap();
        prev = hash;
    }
}

/// Verifies a copy with the key and the anchor: the message, and how long it took.
fn verify(key: &Path, db: &str, anchor: &Path) -> (bool, String, f64) {
    let started = Instant::now();
    let o = keyed(
        key,
        &[
            "--db",
            db,
            "audit",
            "--verify",
            "--anchor",
            anchor.to_str().unwrap(),
        ],
    );
    (
        o.status.success(),
        text(&o),
        started.elapsed().as_secs_f64(),
    )
}

#[test]
fn a_sealed_trail_catches_removal_rewriting_and_recomputation() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("audit.key");
    std::fs::write(&key, [7u8; 48]).unwrap();
    let db = dir.path().join("force.db").to_string_lossy().into_owned();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/handwritten");
    // A store begun without the key: its trail is sealed from the first entry written with it.
    assert!(
        vigil(&["--db", &db, "import", data.to_str().unwrap()])
            .status
            .success()
    );
    let mut add = std::process::Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args([
            "--db",
            &db,
            "user",
            "add",
            "ann.smith",
            "--role",
            "analyst",
            "--name",
            "Ann",
        ])
        .env("VIGIL_AUDIT_KEY_FILE", &key)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut add.stdin.take().unwrap(), b"lantern orbit velvet\n").unwrap();
    assert!(add.wait().unwrap().success());
    // Real reads of people, with a reason for a refuge address among them.
    runtime().block_on(async {
        vigil_store::audit_chain::set_key(Some(
            vigil_store::audit_chain::AuditKey::from_file(&key).unwrap(),
        ));
        let store = vigil_store_open::open(&db, &Default::default())
            .await
            .unwrap();
        for i in 0..150 {
            let (action, subject, reason) = match i % 3 {
                0 => (
                    "person.read_confidential_address",
                    "P1",
                    Some("safety plan".to_owned()),
                ),
                1 => ("person.read", "P1", None),
                _ => ("person.read", "P2", None),
            };
            store
                .audit(&AuditEntry {
                    at: vigil_auth::now_utc(),
                    actor: format!("officer{}", i % 5),
                    action: action.into(),
                    subject_kind: "person".into(),
                    subject_id: subject.into(),
                    reason,
                })
                .await
                .unwrap();
        }
        store.close().await;
    });
    let o = keyed(&key, &["--db", &db, "audit", "--verify"]);
    assert!(
        o.status.success() && text(&o).contains("sealed with the audit key"),
        "{}",
        text(&o)
    );
    // Without the key the sealed trail is not written to (an unsealed entry would break it).
    let o = vigil(&["--db", &db, "user", "disable", "ann.smith"]);
    assert!(
        !o.status.success() && text(&o).contains("VIGIL_AUDIT_KEY_FILE"),
        "{}",
        text(&o)
    );
    let anchor = dir.path().join("anchor.txt");
    let o = keyed(
        &key,
        &[
            "--db",
            &db,
            "audit",
            "anchor",
            "--out",
            anchor.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let (ok, said, _) = verify(&key, &db, &anchor);
    assert!(ok, "the untouched trail verifies: {said}");

    let copy = |name: &str| {
        let to = dir.path().join(name).to_string_lossy().into_owned();
        std::fs::copy(&db, &to).unwrap();
        to
    };
    let mut seconds = Vec::new();

    // 1. The newest 50 entries deleted: the chain before them is whole; the anchor is not.
    let a = copy("a.db");
    runtime().block_on(async {
        let mut c = raw(&a).await;
        sqlx::query("DELETE FROM audit_log WHERE seq > (SELECT MAX(seq) - 50 FROM audit_log)")
            .execute(&mut c)
            .await
            .unwrap();
    });
    let (ok, said, secs) = verify(&key, &a, &anchor);
    assert!(!ok && said.contains("removed from the end"), "{said}");
    seconds.push(("delete the newest 50", secs));

    // 2. Who read a refuge address rewritten, and the chain recomputed without the key.
    let b = copy("b.db");
    runtime().block_on(async {
        let mut c = raw(&b).await;
        let mut all = rows(&mut c).await;
        let read = all
            .iter_mut()
            .find(|r| r.entry.action == "person.read_confidential_address")
            .unwrap();
        read.entry.actor = "someone.else".into();
        recompute(&mut c, all).await;
    });
    let (ok, said, secs) = verify(&key, &b, &anchor);
    assert!(!ok && said.contains("without the key"), "{said}");
    seconds.push(("rewrite a reader and recompute", secs));

    // 3. Every entry about one victim deleted, renumbered and recomputed.
    let c3 = copy("c.db");
    runtime().block_on(async {
        let mut c = raw(&c3).await;
        let all = rows(&mut c).await;
        let kept = all
            .into_iter()
            .filter(|r| r.entry.subject_id != "P1")
            .collect();
        recompute(&mut c, kept).await;
    });
    let (ok, said, secs) = verify(&key, &c3, &anchor);
    assert!(!ok && said.contains("tampered"), "{said}");
    seconds.push(("delete a victim's entries and recompute", secs));

    // 4. One entry deleted from the middle, nothing recomputed: the gap.
    let d = copy("d.db");
    runtime().block_on(async {
        let mut c = raw(&d).await;
        sqlx::query("DELETE FROM audit_log WHERE seq = 100")
            .execute(&mut c)
            .await
            .unwrap();
    });
    let (ok, said, secs) = verify(&key, &d, &anchor);
    assert!(!ok && said.contains("entry 100 is missing"), "{said}");
    seconds.push(("delete one entry", secs));

    // The key is what makes 2 and 3 detectable: with the chain recomputed, an unkeyed check
    // (no key given) passes the rewritten trail.
    let o = vigil(&["--db", &b, "audit", "--verify"]);
    assert!(
        o.status.success(),
        "unkeyed, a recomputed chain looks whole: {}",
        text(&o)
    );
    eprintln!("detection times: {seconds:?}");
}
