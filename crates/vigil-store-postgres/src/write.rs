//! Writing records: bulk imports and records made in Vigil, through `COPY`, each in one
//! transaction with its audit rows; ids from per-kind counters; outcomes under optimistic
//! concurrency.

use crate::rows::{CopyText, JsonRows};
use crate::{accounts, backend, bump_revision};
use sqlx::{PgConnection, PgPool};
use vigil_domain::{OffenceId, Outcome, RecordKind, RecordSet};
use vigil_store::rows::{self, columns};
use vigil_store::{AuditEntry, ExtractInfo, StoreError, StoreResult};

/// How much `COPY` text is sent at a time.
const COPY_BATCH: usize = 1 << 20;

/// Streams `records` into `table` with `COPY … FROM STDIN`, inside the caller's transaction.
async fn copy_table<R>(
    conn: &mut PgConnection,
    table: &'static str,
    cols: &[&str],
    records: &[R],
    values: fn(&mut CopyText, &R),
) -> StoreResult<()> {
    if records.is_empty() {
        return Ok(());
    }
    let statement = format!("COPY {table} ({}) FROM STDIN", cols.join(","));
    let mut copy = conn.copy_in_raw(&statement).await.map_err(backend)?;
    let mut text = CopyText::default();
    for r in records {
        text.start_row();
        values(&mut text, r);
        text.end_row();
        if text.buf.len() >= COPY_BATCH {
            copy.send(text.buf.as_bytes()).await.map_err(backend)?;
            text.buf.clear();
        }
    }
    if !text.buf.is_empty() {
        copy.send(text.buf.as_bytes()).await.map_err(backend)?;
    }
    copy.finish().await.map_err(|e| match backend(e) {
        StoreError::Integrity(m) => StoreError::Integrity(format!("{table}: {m}")),
        other => other,
    })?;
    Ok(())
}

/// Inserts a few records of one table in one statement (see [`JsonRows`]).
pub(crate) async fn insert_table<R>(
    conn: &mut PgConnection,
    table: &'static str,
    cols: &'static [&'static str],
    records: &[R],
    values: fn(&mut JsonRows, &R),
) -> StoreResult<()> {
    if records.is_empty() {
        return Ok(());
    }
    let mut rows = JsonRows::new(cols);
    for r in records {
        rows.start_row();
        values(&mut rows, r);
        rows.end_row();
    }
    let list = cols.join(",");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO {table} ({list}) SELECT {list} FROM json_populate_recordset(NULL::{table}, $1::json)"
    )))
    .bind(rows.finish())
    .execute(&mut *conn)
    .await
    .map_err(|e| match backend(e) {
        StoreError::Integrity(m) => StoreError::Integrity(format!("{table}: {m}")),
        other => other,
    })?;
    Ok(())
}

/// Writes every table of a record set with `$write` (`insert_table` or `copy_table`),
/// referenced tables first.
macro_rules! each_table {
    ($write:ident, $conn:expr, $r:expr) => {{
        use columns as c;
        $write(
            $conn,
            "persons",
            c::PERSONS,
            &$r.persons,
            rows::person_values,
        )
        .await?;
        $write(
            $conn,
            "incidents",
            c::INCIDENTS,
            &$r.incidents,
            rows::incident_values,
        )
        .await?;
        $write(
            $conn,
            "offences",
            c::OFFENCES,
            &$r.offences,
            rows::offence_values,
        )
        .await?;
        $write(
            $conn,
            "arrests",
            c::ARRESTS,
            &$r.arrests,
            rows::arrest_values,
        )
        .await?;
        $write(
            $conn,
            "risk_assessments",
            c::RISK_ASSESSMENTS,
            &$r.risk_assessments,
            rows::assessment_values,
        )
        .await?;
        $write(
            $conn,
            "referrals",
            c::REFERRALS,
            &$r.referrals,
            rows::referral_values,
        )
        .await?;
        $write(
            $conn,
            "disclosures",
            c::DISCLOSURES,
            &$r.disclosures,
            rows::disclosure_values,
        )
        .await?;
        $write(
            $conn,
            "protection_orders",
            c::PROTECTION_ORDERS,
            &$r.protection_orders,
            rows::order_values,
        )
        .await?;
        $write(
            $conn,
            "staffing",
            c::STAFFING,
            &$r.staffing,
            rows::staffing_values,
        )
        .await?;
        Ok(())
    }};
}

/// The records made in Vigil by one act (an intake's people, incident and assessment; an
/// offence; an arrest), each table in one statement.
pub async fn insert_all(conn: &mut PgConnection, r: &RecordSet) -> StoreResult<()> {
    each_table!(insert_table, conn, r)
}

/// Every table of `r` through `COPY`; foreign keys are checked as rows arrive.
pub async fn copy_all(conn: &mut PgConnection, r: &RecordSet) -> StoreResult<()> {
    each_table!(copy_table, conn, r)
}

/// An import: every chunk through `COPY` inside one transaction. Into an empty store the
/// secondary indexes and foreign keys are dropped first and made again at commit, inside
/// the same transaction: building an index once and checking every reference in one join
/// is far cheaper than doing both row by row, and a failed check still rolls everything
/// back. Into a store that holds records, foreign keys are checked as rows arrive. Dropped
/// without `commit`, the transaction is rolled back (and the indexes with it).
pub struct PgImport {
    tx: sqlx::Transaction<'static, sqlx::Postgres>,
    /// What to make again at commit: `CREATE INDEX` and `ALTER TABLE … ADD CONSTRAINT`
    /// statements, in order.
    rebuild: Vec<String>,
}

/// The record tables, whose indexes and references an import into an empty store defers.
const RECORD_TABLES: &str = "'persons','incidents','offences','arrests','risk_assessments','referrals','disclosures','protection_orders','staffing'";

impl PgImport {
    pub async fn begin(pool: &PgPool) -> StoreResult<Self> {
        let mut tx = pool.begin().await.map_err(backend)?;
        let empty: bool = sqlx::query_scalar("SELECT NOT EXISTS (SELECT 1 FROM persons)")
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
        let mut rebuild = Vec::new();
        if empty {
            let foreign_keys: Vec<(String, String, String)> =
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT c.conrelid::regclass::text, c.conname::text, pg_get_constraintdef(c.oid)
                 FROM pg_constraint c
                 WHERE c.contype = 'f' AND c.conrelid::regclass::text IN ({RECORD_TABLES})
                 ORDER BY c.conrelid::regclass::text, c.conname"
            )))
                .fetch_all(&mut *tx)
                .await
                .map_err(backend)?;
            let indexes: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                 FROM pg_index i
                 WHERE NOT i.indisprimary AND NOT i.indisunique
                   AND i.indrelid::regclass::text IN ({RECORD_TABLES})
                 ORDER BY 1"
            )))
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?;
            for (table, name, _) in &foreign_keys {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "ALTER TABLE {table} DROP CONSTRAINT {name}"
                )))
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
            }
            for (name, _) in &indexes {
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP INDEX {name}")))
                    .execute(&mut *tx)
                    .await
                    .map_err(backend)?;
            }
            rebuild.extend(indexes.into_iter().map(|(_, def)| def));
            rebuild.extend(foreign_keys.into_iter().map(|(table, name, def)| {
                format!("ALTER TABLE {table} ADD CONSTRAINT {name} {def}")
            }));
        }
        // A bulk load is logged as one "rebuild" row at commit, not a row per record.
        set_change_log(&mut tx, false).await?;
        Ok(PgImport { tx, rebuild })
    }
}

#[async_trait::async_trait]
impl vigil_store::ImportSession for PgImport {
    async fn add(&mut self, records: &RecordSet) -> StoreResult<()> {
        copy_all(&mut self.tx, records).await
    }

    async fn add_users(&mut self, users: &[vigil_store::User]) -> StoreResult<()> {
        accounts::insert_users(&mut self.tx, users).await
    }

    async fn add_audit_rows(&mut self, rows: &[vigil_store::AuditRow]) -> StoreResult<()> {
        for row in rows {
            accounts::insert_row(&mut self.tx, row).await?;
        }
        Ok(())
    }

    async fn add_casework(&mut self, work: &vigil_store::Casework) -> StoreResult<()> {
        crate::casework::add_casework(&mut self.tx, work).await
    }

    async fn set_id_counters(&mut self, counters: &[(String, i64)]) -> StoreResult<()> {
        for (kind, next) in counters {
            sqlx::query(
                "INSERT INTO id_sequences (kind, next) VALUES ($1, $2)
                 ON CONFLICT (kind) DO UPDATE SET next = GREATEST(id_sequences.next, excluded.next)",
            )
            .bind(kind)
            .bind(next)
            .execute(&mut *self.tx)
            .await
            .map_err(backend)?;
        }
        Ok(())
    }

    async fn commit(mut self: Box<Self>, info: Option<&ExtractInfo>) -> StoreResult<()> {
        // Indexes first, so the references' checks can use them. A reference that does not
        // resolve fails here and rolls the whole import back.
        for sql in std::mem::take(&mut self.rebuild) {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut *self.tx)
                .await
                .map_err(backend)?;
        }
        set_change_log(&mut self.tx, true).await?;
        bump_revision(&mut self.tx).await?;
        // Every snapshot from before this import must be rebuilt: the log keeps only that.
        for sql in [
            "DELETE FROM record_changes",
            "INSERT INTO record_changes (tbl, row_key, revision)
             SELECT '*', 0, revision FROM store_revision WHERE id = 1",
        ] {
            sqlx::query(sql)
                .execute(&mut *self.tx)
                .await
                .map_err(backend)?;
        }
        if let Some(info) = info {
            sqlx::query(
                "INSERT INTO extract_info (id, source, as_of) VALUES (1, $1, $2)
                 ON CONFLICT (id) DO UPDATE SET source = excluded.source, as_of = excluded.as_of",
            )
            .bind(info.source.as_str())
            .bind(info.as_of)
            .execute(&mut *self.tx)
            .await
            .map_err(backend)?;
        }
        self.tx.commit().await.map_err(backend)
    }
}

/// Turns the change log's triggers off (for an import) or on again, inside the transaction.
async fn set_change_log(conn: &mut PgConnection, on: bool) -> StoreResult<()> {
    let verb = if on { "ENABLE" } else { "DISABLE" };
    for table in vigil_store::snapshot_cache::RowTable::ALL {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "ALTER TABLE {} {verb} TRIGGER record_changed",
            table.name()
        )))
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    }
    Ok(())
}

pub async fn new_ids(pool: &PgPool, kind: RecordKind, n: usize) -> StoreResult<Vec<String>> {
    let prefix = vigil_store::writes::id_prefix(kind)?;
    if n == 0 {
        return Ok(Vec::new());
    }
    // One statement: the row lock it takes makes concurrent reservations queue, never
    // overlap.
    let last: i64 = sqlx::query_scalar(
        "INSERT INTO id_sequences (kind, next) VALUES ($1, $2)
         ON CONFLICT (kind) DO UPDATE SET next = id_sequences.next + excluded.next RETURNING next",
    )
    .bind(prefix)
    .bind(n as i64)
    .fetch_one(pool)
    .await
    .map_err(backend)?;
    Ok(vigil_store::writes::ids_ending_at(prefix, last, n))
}

pub async fn add_records(
    pool: &PgPool,
    records: &RecordSet,
    audit: &[AuditEntry],
) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(backend)?;
    insert_all(&mut tx, records).await?;
    for e in audit {
        accounts::append(&mut tx, e).await?;
    }
    bump_revision(&mut tx).await?;
    tx.commit().await.map_err(backend)
}

pub async fn add_secondary_assessment(
    pool: &PgPool,
    a: &vigil_domain::RiskAssessment,
    audit: &AuditEntry,
) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(backend)?;
    insert_table(
        &mut tx,
        "risk_assessments",
        columns::RISK_ASSESSMENTS,
        std::slice::from_ref(a),
        rows::assessment_values,
    )
    .await?;
    sqlx::query(
        "UPDATE offences SET risk_level = $1, version = version + 1 WHERE incident_id = $2",
    )
    .bind(a.grade.as_str())
    .bind(a.incident_id.as_str())
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    accounts::append(&mut tx, audit).await?;
    bump_revision(&mut tx).await?;
    tx.commit().await.map_err(backend)
}

pub async fn record_outcome(
    pool: &PgPool,
    id: &OffenceId,
    outcome: Outcome,
    victim_withdrawal_recorded: bool,
    expected_version: i64,
    log: &[vigil_domain::casework::CaseEvent],
    audit: &AuditEntry,
) -> StoreResult<i64> {
    let mut tx = pool.begin().await.map_err(backend)?;
    // The row is locked until commit: a second editor waits, then sees the new version.
    let current = crate::read::offence(&mut *tx, id, true).await?;
    vigil_store::writes::check_outcome(
        id,
        &current,
        outcome,
        victim_withdrawal_recorded,
        expected_version,
    )?;
    sqlx::query(
        "UPDATE offences SET outcome_code = $1, outcome_date = $2, victim_withdrawal_recorded = $3, version = version + 1
         WHERE offence_id = $4 AND version = $5",
    )
    .bind(outcome.code.as_str())
    .bind(outcome.date)
    .bind(victim_withdrawal_recorded)
    .bind(id.as_str())
    .bind(expected_version)
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    crate::casework::append_log(&mut tx, &current.record.incident_id, log).await?;
    accounts::append(&mut tx, audit).await?;
    bump_revision(&mut tx).await?;
    tx.commit().await.map_err(backend)?;
    Ok(expected_version + 1)
}
