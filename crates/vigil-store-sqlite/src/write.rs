//! Records made in Vigil: ids from per-kind counters, and small all-or-nothing writes with
//! their audit rows. (Bulk loading from an extract is `import`.)

use crate::{accounts, backend, bump_revision, write_tx};
use sqlx::SqlitePool;
use vigil_domain::RecordKind;
use vigil_store::{AuditEntry, StoreResult};

pub async fn new_ids(pool: &SqlitePool, kind: RecordKind, n: usize) -> StoreResult<Vec<String>> {
    let prefix = vigil_store::writes::id_prefix(kind)?;
    if n == 0 {
        return Ok(Vec::new());
    }
    let mut tx = write_tx(pool).await?;
    let last: i64 = sqlx::query_scalar(
        "INSERT INTO id_sequences (kind, next) VALUES (?1, ?2)
         ON CONFLICT (kind) DO UPDATE SET next = next + ?2 RETURNING next",
    )
    .bind(prefix)
    .bind(n as i64)
    .fetch_one(&mut *tx)
    .await
    .map_err(backend)?;
    tx.commit().await.map_err(backend)?;
    Ok(vigil_store::writes::ids_ending_at(prefix, last, n))
}

pub async fn add_records(
    pool: &SqlitePool,
    records: &vigil_domain::RecordSet,
    audit: &[AuditEntry],
) -> StoreResult<()> {
    let mut tx = write_tx(pool).await?;
    {
        let mut handle = tx.lock_handle().await.map_err(backend)?;
        // Foreign keys are on for pooled connections, so a reference to a record that does
        // not exist fails here, and the transaction is rolled back when `tx` drops.
        crate::import::insert_all(handle.as_raw_handle().as_ptr(), records)?;
    }
    for e in audit {
        accounts::append(&mut tx, e).await?;
    }
    bump_revision(&mut tx).await?;
    tx.commit().await.map_err(backend)
}

pub async fn add_secondary_assessment(
    pool: &SqlitePool,
    a: &vigil_domain::RiskAssessment,
    audit: &AuditEntry,
) -> StoreResult<()> {
    let mut tx = write_tx(pool).await?;
    {
        let set = vigil_domain::RecordSet {
            risk_assessments: vec![a.clone()],
            ..Default::default()
        };
        let mut handle = tx.lock_handle().await.map_err(backend)?;
        crate::import::insert_all(handle.as_raw_handle().as_ptr(), &set)?;
    }
    sqlx::query("UPDATE offences SET risk_level = ?, version = version + 1 WHERE incident_id = ?")
        .bind(a.grade.as_str())
        .bind(a.incident_id.as_str())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    accounts::append(&mut tx, audit).await?;
    bump_revision(&mut tx).await?;
    tx.commit().await.map_err(backend)?;
    Ok(())
}
