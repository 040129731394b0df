//! What only the PostgreSQL store has: a server others can connect to. The audit trail stays
//! append-only against the application's own database role (its rights are revoked) and
//! against a superuser (the triggers refuse); a superuser who removes the triggers is caught
//! by the chain.

use crate::fresh::{Backend, try_empty};
use sqlx::Connection;
use vigil_domain::time::parse_datetime;

fn entry(subject: &str) -> vigil_store::AuditEntry {
    vigil_store::AuditEntry {
        at: parse_datetime("2026-11-27T09:00:00").unwrap(),
        actor: "admin".into(),
        action: "person.read".into(),
        subject_kind: "person".into(),
        subject_id: subject.into(),
        reason: None,
    }
}

/// The same database, reached as the cluster's superuser.
fn as_superuser(location: &str) -> Option<String> {
    let admin = std::env::var("VIGIL_TEST_POSTGRES_ADMIN_URL").ok()?;
    let (admin_prefix, _) = admin.rsplit_once('/')?;
    let (_, db) = location.rsplit_once('/')?;
    Some(format!("{admin_prefix}/{db}"))
}

#[tokio::test]
async fn the_audit_trail_cannot_be_altered_by_the_application_role_or_a_superuser() {
    let Some(s) = try_empty(Backend::Postgres).await else {
        return;
    };
    for i in 0..5 {
        s.audit(&entry(&format!("P{i}"))).await.unwrap();
    }
    assert_eq!(s.verify_audit_chain().await.unwrap(), None);

    // The role Vigil connects as has given up the right to change the trail.
    let mut app = sqlx::PgConnection::connect(&s.location).await.unwrap();
    for sql in [
        "UPDATE audit_log SET actor = 'someone else' WHERE seq = 3",
        "DELETE FROM audit_log WHERE seq = 3",
        "TRUNCATE audit_log",
    ] {
        let err = sqlx::query(sql).execute(&mut app).await.unwrap_err();
        assert!(
            err.to_string().contains("permission denied"),
            "{sql}: {err}"
        );
    }

    // A superuser is refused by the triggers...
    let admin_url = as_superuser(&s.location)
        .expect("VIGIL_TEST_POSTGRES_ADMIN_URL names the cluster's superuser");
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    for sql in [
        "UPDATE audit_log SET actor = 'someone else' WHERE seq = 3",
        "DELETE FROM audit_log WHERE seq = 3",
        "TRUNCATE audit_log",
    ] {
        let err = sqlx::query(sql).execute(&mut admin).await.unwrap_err();
        assert!(
            err.to_string().contains("cannot be altered"),
            "{sql}: {err}"
        );
    }
    // ...and one who disables them leaves a broken chain that `verify` points at.
    sqlx::raw_sql(
        "ALTER TABLE audit_log DISABLE TRIGGER USER;
         UPDATE audit_log SET actor = 'someone else' WHERE seq = 3;",
    )
    .execute(&mut admin)
    .await
    .unwrap();
    assert_eq!(s.verify_audit_chain().await.unwrap(), Some(3));
}

#[tokio::test]
async fn a_trail_written_on_postgres_hashes_as_on_sqlite() {
    // The chain is Vigil's own computation, not the database's: the same entries give the
    // same hashes on both backends, so a trail copied between them still verifies.
    let Some(pg) = try_empty(Backend::Postgres).await else {
        return;
    };
    let lite = try_empty(Backend::Sqlite).await.unwrap();
    for i in 0..3 {
        let a = pg.audit(&entry(&format!("P{i}"))).await.unwrap();
        let b = lite.audit(&entry(&format!("P{i}"))).await.unwrap();
        assert_eq!(a.hash, b.hash);
    }
}

#[tokio::test]
async fn vigil_serves_as_a_role_with_only_table_rights() {
    // Migrated by its owner, the store is served by a role that may read and write records
    // and append to the trail, and nothing more.
    let Some(s) = try_empty(Backend::Postgres).await else {
        return;
    };
    s.audit(&entry("P0")).await.unwrap();
    let admin_url = as_superuser(&s.location).expect("the cluster's superuser");
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    let role = format!("serving_{}", std::process::id());
    for sql in [
        format!("DROP ROLE IF EXISTS {role}"),
        format!("CREATE ROLE {role} LOGIN"),
        format!("GRANT USAGE ON SCHEMA public TO {role}"),
        format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"),
        format!("REVOKE UPDATE, DELETE ON audit_log FROM {role}"),
        format!("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut admin)
            .await
            .unwrap();
    }
    let (_, rest) = s.location.split_once("://").unwrap();
    let (_, host_db) = rest.split_once('@').unwrap();
    let serving = format!("postgres://{role}@{host_db}");
    let store = vigil_store_open::open_and_migrate(&serving, &Default::default())
        .await
        .unwrap();
    store.audit(&entry("P1")).await.unwrap();
    assert_eq!(store.verify_audit_chain().await.unwrap(), None);
    let mut conn = sqlx::PgConnection::connect(&serving).await.unwrap();
    for sql in [
        "DELETE FROM audit_log",
        "DROP TABLE audit_log",
        "CREATE TABLE x (y int)",
    ] {
        let err = sqlx::query(sql).execute(&mut conn).await.unwrap_err();
        assert!(
            err.to_string().contains("permission denied")
                || err.to_string().contains("must be owner"),
            "{sql}: {err}"
        );
    }
}
