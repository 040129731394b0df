//! What only the SQLite store has: a database file someone can open directly. (Every other
//! store behaviour is tested on both backends in `vigil-store-open/tests/store/`.)

use vigil_domain::time::parse_datetime;
use vigil_store::Store;
use vigil_store_sqlite::SqliteStore;

fn entry(action: &str, subject: &str) -> vigil_store::AuditEntry {
    vigil_store::AuditEntry {
        at: parse_datetime("2026-11-27T09:00:00").unwrap(),
        actor: "admin".into(),
        action: action.into(),
        subject_kind: "user".into(),
        subject_id: subject.into(),
        reason: None,
    }
}

#[tokio::test]
async fn the_audit_trail_cannot_be_altered_and_tampering_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let path = path.to_str().unwrap();
    let s = SqliteStore::open_and_migrate(path).await.unwrap();
    for i in 0..5 {
        s.audit(&entry("person.read", &format!("P{i}")))
            .await
            .unwrap();
    }
    assert_eq!(s.verify_audit_chain().await.unwrap(), None);
    s.close().await;
    // Someone with direct access to the file: the triggers refuse, and if they are dropped
    // first, the chain shows where the record was changed.
    let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect_with(&opts)
        .await
        .unwrap();
    let refused = sqlx::query("UPDATE audit_log SET actor = 'someone else' WHERE seq = 3")
        .execute(&mut conn)
        .await;
    assert!(
        refused
            .unwrap_err()
            .to_string()
            .contains("cannot be altered")
    );
    assert!(
        sqlx::query("DELETE FROM audit_log WHERE seq = 3")
            .execute(&mut conn)
            .await
            .is_err()
    );
    sqlx::query("DROP TRIGGER audit_log_no_update")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_log SET actor = 'someone else' WHERE seq = 3")
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);
    let s = SqliteStore::open(path, &Default::default()).await.unwrap();
    assert_eq!(s.verify_audit_chain().await.unwrap(), Some(3));
}
