//! The MASH's casework rows (the rules: `vigil_domain::mash`).

use crate::backend;
use crate::keyed_table::Table;
use sqlx::PgPool;
use vigil_domain::mash::MashCase;
use vigil_store::StoreResult;
use vigil_store::rows::{self, casework_columns as cc};

pub(crate) const TABLE: Table<MashCase> = Table {
    name: "mash_cases",
    what: "MASH case",
    cols: cc::MASH_CASES,
    read: |c| rows::mash_case(c),
    values: rows::mash_case_values,
    key_column: "referral_id",
    key: |c| c.referral_id.to_string(),
};

pub async fn list(pool: &PgPool, q: &vigil_store::MashQuery) -> StoreResult<Vec<MashCase>> {
    sqlx::query(sqlx::AssertSqlSafe(TABLE.select(
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
    .map(|r| TABLE.versioned(r).map(|v| v.record))
    .collect()
}
