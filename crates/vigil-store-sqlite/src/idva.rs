//! The IDVA service's casework rows (the rules: `vigil_domain::idva`).

use crate::backend;
use crate::keyed_table::Table;
use sqlx::SqlitePool;
use vigil_domain::idva::IdvaCase;
use vigil_store::StoreResult;
use vigil_store::rows::{self, casework_columns as cc};

pub(crate) const TABLE: Table<IdvaCase> = Table {
    name: "idva_cases",
    what: "IDVA case",
    cols: cc::IDVA_CASES,
    read: |c| rows::idva_case(c),
    values: rows::idva_case_values,
    key_column: "referral_id",
    key: |c| c.referral_id.to_string(),
};

pub async fn caseload(
    pool: &SqlitePool,
    idva: Option<&vigil_domain::access::Username>,
) -> StoreResult<Vec<IdvaCase>> {
    sqlx::query(sqlx::AssertSqlSafe(TABLE.select(
        "accepted_by IS NOT NULL AND closed_at IS NULL AND declined_at IS NULL
         AND (?1 IS NULL OR accepted_by = ?1) ORDER BY referred_at, referral_id LIMIT 10000",
    )))
    .bind(idva.map(|u| u.as_str()))
    .fetch_all(pool)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| TABLE.versioned(r).map(|v| v.record))
    .collect()
}
