//! Restricted records: who may see them (the rule is the domain's,
//! `vigil_domain::restriction`; this only keeps the rows).

use crate::{accounts, backend, write_tx};
use sqlx::{Row, SqlitePool};
use vigil_domain::restriction::{Restriction, Subject};
use vigil_domain::time::{format_datetime, parse_datetime};
use vigil_store::{AuditEntry, StoreError, StoreResult, rows};

const COLUMNS: &str = "subject_kind, subject_id, ground, note, users, teams, set_by, set_at";

pub async fn all(conn: impl sqlx::SqliteExecutor<'_>) -> StoreResult<Vec<Restriction>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM restrictions ORDER BY subject_kind, subject_id"
    )))
    .fetch_all(conn)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| {
        let at: String = r.get(7);
        let at = parse_datetime(&at)
            .map_err(|e| StoreError::Schema(format!("restrictions: set_at '{at}': {e}")))?;
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
pub async fn put(conn: &mut sqlx::SqliteConnection, all: &[Restriction]) -> StoreResult<()> {
    for r in all {
        let (users, teams) = rows::restriction_lists(r);
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT OR REPLACE INTO restrictions ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        )))
        .bind(r.subject.kind())
        .bind(r.subject.reference())
        .bind(r.ground.as_str())
        .bind(r.note.as_str())
        .bind(users)
        .bind(teams)
        .bind(r.set_by.as_str())
        .bind(format_datetime(r.set_at))
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    }
    Ok(())
}

pub async fn set(pool: &SqlitePool, r: &Restriction, audit: &AuditEntry) -> StoreResult<()> {
    let mut tx = write_tx(pool).await?;
    put(&mut tx, std::slice::from_ref(r)).await?;
    accounts::append(&mut tx, audit).await?;
    tx.commit().await.map_err(backend)
}

pub async fn lift(pool: &SqlitePool, s: &Subject, audit: &AuditEntry) -> StoreResult<bool> {
    let mut tx = write_tx(pool).await?;
    let gone = sqlx::query("DELETE FROM restrictions WHERE subject_kind = ?1 AND subject_id = ?2")
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
