//! Protective notices worked in Vigil (the rules: `vigil_domain::protective`), their
//! events beside them, mirrored in `protection_orders` for the measures.

use crate::keyed_table::Table;
use crate::read::Cols;
use crate::{accounts, backend, bump_revision, write_tx};
use sqlx::SqlitePool;
use vigil_domain::protective::NoticeCase;
use vigil_store::rows::{self, NoticeEvent, casework_columns as cc};
use vigil_store::{AuditEntry, StoreResult, Versioned};

pub(crate) const TABLE: Table<NoticeCase> = Table {
    name: "protective_notices",
    what: "protective notice",
    key_column: "order_id",
    cols: cc::PROTECTIVE_NOTICES,
    read: |c| rows::notice(c),
    values: rows::notice_values,
    key: |c| c.id.to_string(),
};

async fn events(
    conn: &mut sqlx::SqliteConnection,
    id: Option<&str>,
) -> StoreResult<Vec<NoticeEvent>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM protective_events WHERE (?1 IS NULL OR order_id = ?1) ORDER BY order_id, seq",
        cc::PROTECTIVE_EVENTS.join(",")
    )))
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| rows::notice_event(&mut Cols::new(r, "protective_events")))
    .collect()
}

pub async fn one(pool: &SqlitePool, id: &str) -> StoreResult<Option<Versioned<NoticeCase>>> {
    let Some(v) = TABLE.one(pool, id).await? else {
        return Ok(None);
    };
    let mut conn = pool.acquire().await.map_err(backend)?;
    let evs = events(&mut conn, Some(id)).await?;
    Ok(Some(Versioned {
        record: rows::with_events(v.record, &evs)?,
        version: v.version,
    }))
}

pub async fn all(conn: &mut sqlx::SqliteConnection) -> StoreResult<Vec<Versioned<NoticeCase>>> {
    let found = TABLE.all(&mut *conn).await?;
    let evs = events(conn, None).await?;
    found
        .into_iter()
        .map(|v| {
            Ok(Versioned {
                record: rows::with_events(v.record, &evs)?,
                version: v.version,
            })
        })
        .collect()
}

/// Writes notices and their events as they are, inside a transaction (`vigil copy`).
pub async fn put(
    conn: &mut sqlx::SqliteConnection,
    all: &[Versioned<NoticeCase>],
) -> StoreResult<()> {
    TABLE.put(&mut *conn, all).await?;
    let evs: Vec<NoticeEvent> = all
        .iter()
        .flat_map(|v| rows::notice_events(&v.record))
        .collect();
    let mut handle = conn.lock_handle().await.map_err(backend)?;
    crate::import::insert(
        handle.as_raw_handle().as_ptr(),
        "protective_events",
        cc::PROTECTIVE_EVENTS,
        &evs,
        rows::notice_event_values,
    )
}

pub async fn list(pool: &SqlitePool, q: &vigil_store::NoticeQuery) -> StoreResult<Vec<NoticeCase>> {
    let found: Vec<NoticeCase> = sqlx::query(sqlx::AssertSqlSafe(TABLE.select(
        "(?1 = 0 OR (decided_at IS NULL OR decision = 'adjourned') OR (made_at IS NOT NULL AND kind = 'dapn' AND notified_at IS NULL))
         AND (?2 IS NULL OR applied_by = ?2) AND (?3 IS NULL OR lpa = ?3)
         AND (?4 IS NULL OR subject_id = ?4 OR protected_id = ?4)
         ORDER BY applied_at, order_id LIMIT 10000",
    )))
    .bind(q.open_only)
    .bind(q.applied_by.as_ref().map(|u| u.as_str()))
    .bind(q.lpa.as_ref().map(|l| l.as_str()))
    .bind(q.person.as_ref().map(|p| p.as_str()))
    .fetch_all(pool)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| TABLE.versioned(r).map(|v| v.record))
    .collect::<StoreResult<_>>()?;
    let mut conn = pool.acquire().await.map_err(backend)?;
    let mut out = Vec::with_capacity(found.len());
    for c in found {
        let evs = events(&mut conn, Some(c.id.as_str())).await?;
        out.push(rows::with_events(c, &evs)?);
    }
    Ok(out)
}

pub async fn save(
    pool: &SqlitePool,
    c: &NoticeCase,
    expected: Option<i64>,
    audit: &[AuditEntry],
) -> StoreResult<i64> {
    let mut tx = write_tx(pool).await?;
    let version = save_in(&mut tx, c, expected).await?;
    bump_revision(&mut tx).await?;
    for e in audit {
        accounts::append(&mut tx, e).await?;
    }
    tx.commit().await.map_err(backend)?;
    Ok(version)
}

/// Saves a notice over its version inside the caller's transaction: its row, its events and
/// its mirror in `protection_orders` (a DAPO breach is saved with the case it creates).
pub(crate) async fn save_in(
    tx: &mut sqlx::SqliteConnection,
    c: &NoticeCase,
    expected: Option<i64>,
) -> StoreResult<i64> {
    let version = TABLE.save_in(&mut *tx, c, expected).await?;
    sqlx::query("DELETE FROM protective_events WHERE order_id = ?1")
        .bind(c.id.as_str())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    let records = c.records();
    for r in &records {
        sqlx::query("DELETE FROM protection_orders WHERE order_id = ?1")
            .bind(r.id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
    }
    let evs = rows::notice_events(c);
    let mut handle = tx.lock_handle().await.map_err(backend)?;
    let db = handle.as_raw_handle().as_ptr();
    crate::import::insert(
        db,
        "protective_events",
        cc::PROTECTIVE_EVENTS,
        &evs,
        rows::notice_event_values,
    )?;
    crate::import::insert_all(
        db,
        &vigil_domain::RecordSet {
            protection_orders: records,
            ..Default::default()
        },
    )?;
    Ok(version)
}
