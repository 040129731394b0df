//! The IDVA service's casework rows (the rules: `vigil_domain::idva`).

use crate::rows::Cols;
use crate::write::insert_table;
use crate::{accounts, backend};
use sqlx::{PgPool, Row};
use vigil_domain::idva::IdvaCase;
use vigil_store::rows::{self, casework_columns as cc};
use vigil_store::{AuditEntry, StoreError, StoreResult, Versioned};

fn select(condition: &str) -> String {
    format!(
        "SELECT {}, version FROM idva_cases WHERE {condition}",
        cc::IDVA_CASES.join(",")
    )
}

fn versioned(r: &sqlx::postgres::PgRow) -> StoreResult<Versioned<IdvaCase>> {
    let record = rows::idva_case(&mut Cols::new(r, "idva_cases"))?;
    let version: i64 = r.try_get(cc::IDVA_CASES.len()).map_err(backend)?;
    Ok(Versioned { record, version })
}

pub async fn one(
    pool: &PgPool,
    id: &vigil_domain::ReferralId,
) -> StoreResult<Option<Versioned<IdvaCase>>> {
    sqlx::query(sqlx::AssertSqlSafe(select("referral_id = $1")))
        .bind(id.as_str())
        .fetch_optional(pool)
        .await
        .map_err(backend)?
        .as_ref()
        .map(versioned)
        .transpose()
}

pub async fn all(conn: impl sqlx::PgExecutor<'_>) -> StoreResult<Vec<Versioned<IdvaCase>>> {
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

pub async fn caseload(
    pool: &PgPool,
    idva: Option<&vigil_domain::access::Username>,
) -> StoreResult<Vec<IdvaCase>> {
    sqlx::query(sqlx::AssertSqlSafe(select(
        "accepted_by IS NOT NULL AND closed_at IS NULL AND declined_at IS NULL
         AND ($1::text IS NULL OR accepted_by = $1)
         ORDER BY referred_at, referral_id COLLATE \"C\" LIMIT 10000",
    )))
    .bind(idva.map(|u| u.as_str().to_owned()))
    .fetch_all(pool)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| versioned(r).map(|v| v.record))
    .collect()
}

/// Writes cases as they are, versions kept, inside a transaction (`vigil copy`).
pub async fn put(conn: &mut sqlx::PgConnection, all: &[Versioned<IdvaCase>]) -> StoreResult<()> {
    let records: Vec<IdvaCase> = all.iter().map(|v| v.record.clone()).collect();
    insert_table(
        conn,
        "idva_cases",
        cc::IDVA_CASES,
        &records,
        rows::idva_case_values,
    )
    .await?;
    for v in all {
        sqlx::query("UPDATE idva_cases SET version = $1 WHERE referral_id = $2")
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
    c: &IdvaCase,
    expected: Option<i64>,
    audit: &AuditEntry,
) -> StoreResult<i64> {
    let mut tx = pool.begin().await.map_err(backend)?;
    let found: Option<i64> =
        sqlx::query_scalar("SELECT version FROM idva_cases WHERE referral_id = $1 FOR UPDATE")
            .bind(c.referral_id.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
    if found != expected {
        return Err(StoreError::Conflict {
            what: "IDVA case",
            id: c.referral_id.to_string(),
            expected: expected.unwrap_or(0),
            found: found.unwrap_or(0),
        });
    }
    sqlx::query("DELETE FROM idva_cases WHERE referral_id = $1")
        .bind(c.referral_id.as_str())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    insert_table(
        &mut tx,
        "idva_cases",
        cc::IDVA_CASES,
        std::slice::from_ref(c),
        rows::idva_case_values,
    )
    .await?;
    let version = found.map_or(1, |v| v + 1);
    sqlx::query("UPDATE idva_cases SET version = $1 WHERE referral_id = $2")
        .bind(version)
        .bind(c.referral_id.as_str())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    accounts::append(&mut tx, audit).await?;
    tx.commit().await.map_err(backend)?;
    Ok(version)
}
