//! Restricted records: who may see them (the rule is the domain's,
//! `vigil_domain::restriction`; this only keeps the rows).

use crate::{accounts, backend};
use sqlx::{PgPool, Row};
use vigil_domain::restriction::{Restriction, Subject};
use vigil_store::{AuditEntry, StoreResult, rows};

const COLUMNS: &str = "subject_kind, subject_id, ground, note, users, teams, set_by, set_at";

pub async fn all(conn: impl sqlx::PgExecutor<'_>) -> StoreResult<Vec<Restriction>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM restrictions ORDER BY subject_kind, subject_id"
    )))
    .fetch_all(conn)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| {
        let at: vigil_domain::time::DateTime = r.get(7);
        rows::restriction_from(
            "restrictions",
            r.get(0),
            r.get(1),
            r.get(2),
            r.get(3),
            r.get(4),
            r.get(5),
            r.get(6),
            at,
        )
    })
    .collect()
}

/// Writes restrictions (new or replacing) inside a transaction.
pub async fn put(conn: &mut sqlx::PgConnection, all: &[Restriction]) -> StoreResult<()> {
    for r in all {
        let (users, teams) = rows::restriction_lists(r);
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO restrictions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (subject_kind, subject_id) DO UPDATE SET ground = EXCLUDED.ground, note = EXCLUDED.note, users = EXCLUDED.users, teams = EXCLUDED.teams, set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at"
        )))
        .bind(r.subject.kind())
        .bind(r.subject.reference())
        .bind(r.ground.as_str())
        .bind(r.note.as_str())
        .bind(users)
        .bind(teams)
        .bind(r.set_by.as_str())
        .bind(r.set_at)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    }
    Ok(())
}

pub async fn set(pool: &PgPool, r: &Restriction, audit: &AuditEntry) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(backend)?;
    put(&mut tx, std::slice::from_ref(r)).await?;
    accounts::append(&mut tx, audit).await?;
    tx.commit().await.map_err(backend)
}

pub async fn lift(pool: &PgPool, s: &Subject, audit: &AuditEntry) -> StoreResult<bool> {
    let mut tx = pool.begin().await.map_err(backend)?;
    let gone = sqlx::query("DELETE FROM restrictions WHERE subject_kind = $1 AND subject_id = $2")
        .bind(s.kind())
        .bind(s.reference())
        .execute(&mut *tx)
        .await
        .map_err(backend)?
        .rows_affected();
    if gone == 0 {
        return Ok(false);
    }
    accounts::append(&mut tx, audit).await?;
    tx.commit().await.map_err(backend)?;
    Ok(true)
}
