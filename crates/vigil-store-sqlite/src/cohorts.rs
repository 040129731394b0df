//! The cohorts' runs, members, owners and actions (the rules: `vigil_domain::cohort`).

use crate::import::insert;
use crate::keyed_table::Table;
use crate::read::Cols;
use crate::{accounts, backend, write_tx};
use sqlx::SqlitePool;
use vigil_domain::cohort::{Allocation, CohortKind, Run, RunMember};
use vigil_domain::time::Date;
use vigil_domain::{Lpa, PersonId};
use vigil_store::rows::{self, CohortActionRow, casework_columns as cc};
use vigil_store::{AllocationQuery, AuditEntry, StoreResult, Versioned};

pub(crate) const ALLOCATIONS: Table<Allocation> = Table {
    name: "cohort_allocations",
    what: "cohort allocation",
    key_column: "allocation_key",
    cols: cc::COHORT_ALLOCATIONS,
    read: |c| rows::cohort_allocation(c),
    values: rows::cohort_allocation_values,
    key: Allocation::key,
};

fn select(table: &str, cols: &[&str], condition: &str) -> String {
    format!("SELECT {} FROM {table} WHERE {condition}", cols.join(","))
}

/// Writes runs (with their ids) and their members inside a transaction.
fn put_runs(conn: *mut libsqlite3_sys::sqlite3, runs: &[Run]) -> StoreResult<()> {
    insert(
        conn,
        "cohort_runs",
        cc::COHORT_RUNS,
        runs,
        rows::cohort_run_values,
    )?;
    let members: Vec<(i64, RunMember)> = runs
        .iter()
        .flat_map(|r| r.members.iter().map(move |m| (r.id, m.clone())))
        .collect();
    insert(
        conn,
        "cohort_members",
        cc::COHORT_MEMBERS,
        &members,
        rows::cohort_member_values,
    )
}

pub async fn save_run(pool: &SqlitePool, run: &Run, audit: &[AuditEntry]) -> StoreResult<i64> {
    let mut tx = write_tx(pool).await?;
    // The write lock is held from BEGIN IMMEDIATE: the next id cannot be taken twice.
    let id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(run_id), 0) + 1 FROM cohort_runs")
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
    let with_id = Run { id, ..run.clone() };
    {
        let mut handle = tx.lock_handle().await.map_err(backend)?;
        put_runs(
            handle.as_raw_handle().as_ptr(),
            std::slice::from_ref(&with_id),
        )?;
    }
    for e in audit {
        accounts::append(&mut tx, e).await?;
    }
    tx.commit().await.map_err(backend)?;
    Ok(id)
}

pub async fn runs(
    pool: &SqlitePool,
    kind: CohortKind,
    lpa: Option<&Lpa>,
    limit: u32,
) -> StoreResult<Vec<Run>> {
    sqlx::query(sqlx::AssertSqlSafe(select(
        "cohort_runs",
        cc::COHORT_RUNS,
        "kind = ?1 AND (?2 IS NULL OR lpa = ?2) ORDER BY as_of DESC, run_id DESC LIMIT ?3",
    )))
    .bind(kind.as_str())
    .bind(lpa.map(Lpa::as_str))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| rows::cohort_run(&mut Cols::new(r, "cohort_runs")))
    .collect()
}

async fn members(
    conn: &mut sqlx::SqliteConnection,
    run: Option<i64>,
) -> StoreResult<Vec<(i64, RunMember)>> {
    sqlx::query(sqlx::AssertSqlSafe(select(
        "cohort_members",
        cc::COHORT_MEMBERS,
        "(?1 IS NULL OR run_id = ?1) ORDER BY run_id, rank IS NULL, rank, previous_rank, person_id",
    )))
    .bind(run)
    .fetch_all(conn)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| rows::cohort_member(&mut Cols::new(r, "cohort_members")))
    .collect()
}

pub async fn run(pool: &SqlitePool, id: i64) -> StoreResult<Option<Run>> {
    let Some(r) = sqlx::query(sqlx::AssertSqlSafe(select(
        "cohort_runs",
        cc::COHORT_RUNS,
        "run_id = ?1",
    )))
    .bind(id)
    .fetch_optional(pool)
    .await
    .map_err(backend)?
    else {
        return Ok(None);
    };
    let mut run = rows::cohort_run(&mut Cols::new(&r, "cohort_runs"))?;
    let mut conn = pool.acquire().await.map_err(backend)?;
    run.members = members(&mut conn, Some(id))
        .await?
        .into_iter()
        .map(|(_, m)| m)
        .collect();
    Ok(Some(run))
}

pub async fn history(
    pool: &SqlitePool,
    kind: CohortKind,
    lpa: &Lpa,
    person: &PersonId,
) -> StoreResult<Vec<(Date, RunMember)>> {
    let cols: Vec<String> = cc::COHORT_MEMBERS
        .iter()
        .map(|c| format!("m.{c}"))
        .collect();
    let found = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {}, r.as_of FROM cohort_members m JOIN cohort_runs r ON r.run_id = m.run_id
         WHERE r.kind = ?1 AND r.lpa = ?2 AND m.person_id = ?3 ORDER BY r.as_of, r.run_id",
        cols.join(",")
    )))
    .bind(kind.as_str())
    .bind(lpa.as_str())
    .bind(person.as_str())
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    found
        .iter()
        .map(|r| {
            let mut c = Cols::new(r, "cohort_members");
            let (_, m) = rows::cohort_member(&mut c)?;
            use vigil_store::rows::Cells;
            Ok((c.date()?, m))
        })
        .collect()
}

async fn actions(
    conn: &mut sqlx::SqliteConnection,
    key: Option<&str>,
) -> StoreResult<Vec<CohortActionRow>> {
    sqlx::query(sqlx::AssertSqlSafe(select(
        "cohort_actions",
        cc::COHORT_ACTIONS,
        "(?1 IS NULL OR allocation_key = ?1) ORDER BY allocation_key, seq",
    )))
    .bind(key)
    .fetch_all(conn)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| rows::cohort_action(&mut Cols::new(r, "cohort_actions")))
    .collect()
}

fn with_actions(mut a: Allocation, all: &[CohortActionRow]) -> Allocation {
    let key = a.key();
    a.actions = all
        .iter()
        .filter(|(k, _, _)| *k == key)
        .map(|(_, _, x)| x.clone())
        .collect();
    a
}

pub async fn allocation(
    pool: &SqlitePool,
    key: &str,
) -> StoreResult<Option<Versioned<Allocation>>> {
    let Some(v) = ALLOCATIONS.one(pool, key).await? else {
        return Ok(None);
    };
    let mut conn = pool.acquire().await.map_err(backend)?;
    let acts = actions(&mut conn, Some(key)).await?;
    Ok(Some(Versioned {
        record: with_actions(v.record, &acts),
        version: v.version,
    }))
}

pub async fn save_allocation(
    pool: &SqlitePool,
    a: &Allocation,
    expected: Option<i64>,
    audit: &[AuditEntry],
) -> StoreResult<i64> {
    let mut tx = write_tx(pool).await?;
    let key = a.key();
    let version = ALLOCATIONS.save_in(&mut tx, a, expected).await?;
    sqlx::query("DELETE FROM cohort_actions WHERE allocation_key = ?1")
        .bind(&key)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    {
        let mut handle = tx.lock_handle().await.map_err(backend)?;
        insert(
            handle.as_raw_handle().as_ptr(),
            "cohort_actions",
            cc::COHORT_ACTIONS,
            &rows::cohort_action_rows(a),
            rows::cohort_action_values,
        )?;
    }
    for e in audit {
        accounts::append(&mut tx, e).await?;
    }
    tx.commit().await.map_err(backend)?;
    Ok(version)
}

pub async fn allocations(pool: &SqlitePool, q: &AllocationQuery) -> StoreResult<Vec<Allocation>> {
    let found: Vec<Allocation> = sqlx::query(sqlx::AssertSqlSafe(ALLOCATIONS.select(
        "(?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR lpa = ?2) AND (?3 IS NULL OR owner = ?3)
         AND (?4 = 0 OR closed_at IS NULL) ORDER BY next_review, allocation_key LIMIT 10000",
    )))
    .bind(q.kind.map(CohortKind::as_str))
    .bind(q.lpa.as_ref().map(Lpa::as_str))
    .bind(q.owner.as_ref().map(|u| u.as_str()))
    .bind(q.open_only)
    .fetch_all(pool)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| ALLOCATIONS.versioned(r).map(|v| v.record))
    .collect::<StoreResult<_>>()?;
    let mut conn = pool.acquire().await.map_err(backend)?;
    let acts = actions(&mut conn, None).await?;
    Ok(found.into_iter().map(|a| with_actions(a, &acts)).collect())
}

/// Every run with members, and every allocation with its actions (`vigil copy`).
pub async fn all(
    conn: &mut sqlx::SqliteConnection,
) -> StoreResult<(Vec<Run>, Vec<Versioned<Allocation>>)> {
    let mut runs: Vec<Run> = sqlx::query(sqlx::AssertSqlSafe(select(
        "cohort_runs",
        cc::COHORT_RUNS,
        "1 = 1 ORDER BY run_id",
    )))
    .fetch_all(&mut *conn)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| rows::cohort_run(&mut Cols::new(r, "cohort_runs")))
    .collect::<StoreResult<_>>()?;
    let ms = members(&mut *conn, None).await?;
    for r in &mut runs {
        r.members = ms
            .iter()
            .filter(|(id, _)| *id == r.id)
            .map(|(_, m)| m.clone())
            .collect();
    }
    let acts = actions(&mut *conn, None).await?;
    let allocations = ALLOCATIONS
        .all(&mut *conn)
        .await?
        .into_iter()
        .map(|v| Versioned {
            record: with_actions(v.record, &acts),
            version: v.version,
        })
        .collect();
    Ok((runs, allocations))
}

/// Writes copied runs and allocations as they are, inside a transaction.
pub async fn put(
    conn: &mut sqlx::SqliteConnection,
    runs: &[Run],
    allocations: &[Versioned<Allocation>],
) -> StoreResult<()> {
    {
        let mut handle = conn.lock_handle().await.map_err(backend)?;
        let db = handle.as_raw_handle().as_ptr();
        put_runs(db, runs)?;
        let records: Vec<Allocation> = allocations.iter().map(|v| v.record.clone()).collect();
        insert(
            db,
            "cohort_allocations",
            cc::COHORT_ALLOCATIONS,
            &records,
            rows::cohort_allocation_values,
        )?;
        let acts: Vec<CohortActionRow> =
            records.iter().flat_map(rows::cohort_action_rows).collect();
        insert(
            db,
            "cohort_actions",
            cc::COHORT_ACTIONS,
            &acts,
            rows::cohort_action_values,
        )?;
    }
    for v in allocations {
        sqlx::query("UPDATE cohort_allocations SET version = ?1 WHERE allocation_key = ?2")
            .bind(v.version)
            .bind(v.record.key())
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
    }
    Ok(())
}
