//! The MASH's casework rows (the rules: `vigil_domain::mash`).

use crate::rows::Cols;
use crate::write::insert_table;
use crate::{accounts, backend};
use sqlx::{PgPool, Row};
use vigil_domain::mash::MashCase;
use vigil_store::rows::{self, casework_columns as cc};
use vigil_store::{AuditEntry, StoreError, StoreResult, Versioned};

fn select(condition: &str) -> String {
    format!(
        "SELECT {}, version FROM mash_cases WHERE {condition}",
        cc::MASH_CASES.join(",")
    )
}

fn versioned(r: &sqlx::postgres::PgRow) -> StoreResult<Versioned<MashCase>> {
    let record = rows::mash_case(&mut Cols::new(r, "mash_cases"))?;
    let version: i64 = r.try_get(cc::MASH_CASES.len()).map_err(backend)?;
    Ok(Versioned { record, version })
}

pub async fn one(
    pool: &PgPool,
    id: &vigil_domain::ReferralId,
) -> StoreResult<Option<Versioned<MashCase>>> {
    sqlx::query(sqlx::AssertSqlSafe(select("referral_id = $1")))
        .bind(id.as_str())
        .fetch_optional(pool)
        .await
        .map_err(backend)?
        .as_ref()
        .map(versioned)
        .transpose()
}

pub async fn all(conn: impl sqlx::PgExecutor<'_>) -> StoreResult<Vec<Versioned<MashCase>>> {
    sqlx::query(sqlx::AssertSqlSafe(select(
        "TRUE ORDER BY referral_id COLLATE \"C\"",
    )))
    .fetch_all(conn)
    .await
    .map_err(backend)?
    .iter()
    .map(versioned)
    .collect()
}

pub async fn list(pool: &PgPool, q: &vigil_store::MashQuery) -> StoreResult<Vec<MashCase>> {
    sqlx::query(sqlx::AssertSqlSafe(select(
        "($1::text IS NULL OR lpa = $1) AND ($2::text IS NULL OR about = $2) AND ($3::text IS NULL OR referred_by = $3)
         AND (NOT $4 OR decided_at IS NULL) AND (NOT $5 OR (decided_at IS NOT NULL AND outcome_read_at IS NULL))
         ORDER BY referred_at, referral_id COLLATE \"C\" LIMIT 10000",
    )))
    .bind(q.lpa.as_ref().map(|l| l.as_str()))
    .bind(q.about.map(|a| a.as_str()))
    .bind(q.referred_by.as_ref().map(|u| u.as_str()))
    .bind(q.undecided)
    .bind(q.unread)
    .fetch_all(pool)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| versioned(r).map(|v| v.record))
    .collect()
}

/// Writes cases as they are, versions kept, inside a transaction (`vigil copy`).
pub async fn put(conn: &mut sqlx::PgConnection, all: &[Versioned<MashCase>]) -> StoreResult<()> {
    let records: Vec<MashCase> = all.iter().map(|v| v.record.clone()).collect();
    insert_table(
        conn,
        "mash_cases",
        cc::MASH_CASES,
        &records,
        rows::mash_case_values,
    )
    .await?;
    for v in all {
        sqlx::query("UPDATE mash_cases SET version = $1 WHERE referral_id = $2")
            .bind(v.version)
            .bind(v.record.referral_id.as_str())
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
    }
    Ok(())
}

pub async fn save(
    pool: &PgPool,
    c: &MashCase,
    expected: Option<i64>,
    audit: &AuditEntry,
) -> StoreResult<i64> {
    let mut tx = pool.begin().await.map_err(backend)?;
    let found: Option<i64> =
        sqlx::query_scalar("SELECT version FROM mash_cases WHERE referral_id = $1 FOR UPDATE")
            .bind(c.referral_id.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
    if found != expected {
        return Err(StoreError::Conflict {
            what: "MASH case",
            id: c.referral_id.to_string(),
            expected: expected.unwrap_or(0),
            found: found.unwrap_or(0),
        });
    }
    sqlx::query("DELETE FROM mash_cases WHERE referral_id = $1")
        .bind(c.referral_id.as_str())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    insert_table(
        &mut tx,
        "mash_cases",
        cc::MASH_CASES,
        std::slice::from_ref(c),
        rows::mash_case_values,
    )
    .await?;
    let version = found.map_or(1, |v| v + 1);
    sqlx::query("UPDATE mash_cases SET version = $1 WHERE referral_id = $2")
        .bind(version)
        .bind(c.referral_id.as_str())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    accounts::append(&mut tx, audit).await?;
    tx.commit().await.map_err(backend)?;
    Ok(version)
}
