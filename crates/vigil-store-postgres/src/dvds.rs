//! Clare's Law applications worked in Vigil (the rules: `vigil_domain::dvds`), their
//! decision mirrored in `disclosures` for the measures.

use crate::keyed_table::Table;
use crate::{accounts, backend, bump_revision};
use sqlx::PgPool;
use vigil_domain::dvds::Application;
use vigil_store::rows::{self, casework_columns as cc};
use vigil_store::{AuditEntry, StoreResult};

pub(crate) const TABLE: Table<Application> = Table {
    name: "dvds_applications",
    what: "Clare's Law application",
    key_column: "disclosure_id",
    cols: cc::DVDS_APPLICATIONS,
    read: |c| rows::dvds(c),
    values: rows::dvds_values,
    key: |a| a.id.to_string(),
};

pub async fn list(pool: &PgPool, q: &vigil_store::DvdsQuery) -> StoreResult<Vec<Application>> {
    sqlx::query(sqlx::AssertSqlSafe(TABLE.select(
        "(NOT $1 OR (outcome_at IS NULL AND declined_at IS NULL)) AND ($2::text IS NULL OR lpa = $2)
         AND ($3::text IS NULL OR subject_id = $3 OR at_risk_id = $3)
         ORDER BY received_at, disclosure_id COLLATE \"C\" LIMIT 10000",
    )))
    .bind(q.open_only)
    .bind(q.lpa.as_ref().map(|l| l.as_str()))
    .bind(q.person.as_ref().map(|p| p.as_str()))
    .fetch_all(pool)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| TABLE.versioned(r).map(|v| v.record))
    .collect()
}

pub async fn save(
    pool: &PgPool,
    a: &Application,
    expected: Option<i64>,
    new_people: &[vigil_domain::Person],
    audit: &[AuditEntry],
) -> StoreResult<i64> {
    let mut tx = pool.begin().await.map_err(backend)?;
    let version = TABLE.save_in(&mut tx, a, expected).await?;
    sqlx::query("DELETE FROM disclosures WHERE disclosure_id = $1")
        .bind(a.id.as_str())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    crate::write::insert_all(
        &mut tx,
        &vigil_domain::RecordSet {
            persons: new_people.to_vec(),
            disclosures: vec![a.record()],
            ..Default::default()
        },
    )
    .await?;
    bump_revision(&mut tx).await?;
    for e in audit {
        accounts::append(&mut tx, e).await?;
    }
    tx.commit().await.map_err(backend)?;
    Ok(version)
}
