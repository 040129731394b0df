//! MARAC meetings (the agenda is the domain's: `vigil_domain::marac_meeting`).

use crate::{accounts, backend, write_tx};
use sqlx::{Row, SqlitePool};
use vigil_domain::marac_meeting::Meeting;
use vigil_domain::time::{format_date, format_datetime, parse_date, parse_datetime};
use vigil_store::rows::{self, casework_columns as cc};
use vigil_store::{AuditEntry, StoreError, StoreResult};

const COLUMNS: &str = "meeting_id, area, held_on, venue, created_by, created_at";

fn meeting(r: &sqlx::sqlite::SqliteRow) -> StoreResult<Meeting> {
    let bad = |what: &str, e: String| StoreError::Schema(format!("marac_meetings: {what}: {e}"));
    let held: String = r.get(2);
    let at: String = r.get(5);
    let by: String = r.get(4);
    Ok(Meeting {
        id: r.get(0),
        area: r.get(1),
        held_on: parse_date(&held).map_err(|e| bad("held_on", e.to_string()))?,
        venue: r.get(3),
        created_by: vigil_domain::access::Username::parse(&by)
            .map_err(|e| bad("created_by", e.to_string()))?,
        created_at: parse_datetime(&at).map_err(|e| bad("created_at", e.to_string()))?,
    })
}

pub async fn all(
    conn: impl sqlx::SqliteExecutor<'_>,
    area: Option<&str>,
) -> StoreResult<Vec<Meeting>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM marac_meetings WHERE (?1 IS NULL OR area = ?1)
         ORDER BY held_on DESC, meeting_id DESC"
    )))
    .bind(area)
    .fetch_all(conn)
    .await
    .map_err(backend)?
    .iter()
    .map(meeting)
    .collect()
}

/// Writes meetings as they are (ids kept), inside a transaction (`vigil copy`).
pub async fn put(conn: &mut sqlx::SqliteConnection, all: &[Meeting]) -> StoreResult<()> {
    for m in all {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO marac_meetings ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
        )))
        .bind(m.id)
        .bind(m.area.as_str())
        .bind(format_date(m.held_on))
        .bind(m.venue.as_str())
        .bind(m.created_by.as_str())
        .bind(format_datetime(m.created_at))
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    }
    Ok(())
}

pub async fn add(pool: &SqlitePool, m: &Meeting, audit: &AuditEntry) -> StoreResult<Meeting> {
    let mut tx = write_tx(pool).await?;
    let taken: Option<i64> = sqlx::query_scalar(
        "SELECT meeting_id FROM marac_meetings WHERE area = ?1 AND held_on = ?2",
    )
    .bind(m.area.as_str())
    .bind(format_date(m.held_on))
    .fetch_optional(&mut *tx)
    .await
    .map_err(backend)?;
    if let Some(found) = taken {
        return Err(StoreError::Conflict {
            what: "MARAC meeting",
            id: format!("{} on {}", m.area, m.held_on),
            expected: 0,
            found,
        });
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO marac_meetings (area, held_on, venue, created_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5) RETURNING meeting_id",
    )
    .bind(m.area.as_str())
    .bind(format_date(m.held_on))
    .bind(m.venue.as_str())
    .bind(m.created_by.as_str())
    .bind(format_datetime(m.created_at))
    .fetch_one(&mut *tx)
    .await
    .map_err(backend)?;
    let audit = AuditEntry {
        subject_id: id.to_string(),
        ..audit.clone()
    };
    accounts::append(&mut tx, &audit).await?;
    tx.commit().await.map_err(backend)?;
    Ok(Meeting { id, ..m.clone() })
}

// ----- action plans -----

pub async fn actions(
    conn: impl sqlx::SqliteExecutor<'_>,
    q: &vigil_store::ActionQuery,
) -> StoreResult<Vec<vigil_domain::marac_actions::Action>> {
    let cols: Vec<String> = cc::MARAC_ACTIONS.iter().map(|c| format!("a.{c}")).collect();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM marac_actions a JOIN marac_meetings m ON m.meeting_id = a.meeting_id
         WHERE (?1 IS NULL OR a.meeting_id = ?1) AND (?2 IS NULL OR a.owner = ?2)
           AND (?3 IS NULL OR a.person_id = ?3) AND (?4 IS NULL OR m.area = ?4)
           AND (?5 IS NULL OR a.action_id = ?5) AND (?6 = 0 OR a.done_at IS NULL)
         ORDER BY a.due_on, a.action_id LIMIT 100000",
        cols.join(",")
    )))
    .bind(q.meeting)
    .bind(q.owner.map(|o| o.as_str()))
    .bind(q.person.as_ref().map(|p| p.as_str()))
    .bind(q.area.as_deref())
    .bind(q.id)
    .bind(q.open_only)
    .fetch_all(conn)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| rows::marac_action(&mut crate::read::Cols::new(r, "marac_actions")))
    .collect()
}

/// Writes actions as they are (ids kept), inside a transaction (`vigil copy`).
pub async fn put_actions(
    conn: &mut sqlx::SqliteConnection,
    all: &[vigil_domain::marac_actions::Action],
) -> StoreResult<()> {
    let mut handle = conn.lock_handle().await.map_err(backend)?;
    crate::import::insert(
        handle.as_raw_handle().as_ptr(),
        "marac_actions",
        cc::MARAC_ACTIONS,
        all,
        rows::marac_action_values,
    )
}

pub async fn add_action(
    pool: &SqlitePool,
    a: &vigil_domain::marac_actions::Action,
    audit: &AuditEntry,
) -> StoreResult<vigil_domain::marac_actions::Action> {
    let mut tx = write_tx(pool).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO marac_actions (meeting_id, referral_id, person_id, about, owner, description, due_on, created_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING action_id",
    )
    .bind(a.meeting_id)
    .bind(a.referral_id.as_str())
    .bind(a.person_id.as_str())
    .bind(a.about.as_str())
    .bind(a.owner.as_str())
    .bind(a.description.as_str())
    .bind(format_date(a.due))
    .bind(a.created_by.as_str())
    .bind(format_datetime(a.created_at))
    .fetch_one(&mut *tx)
    .await
    .map_err(backend)?;
    accounts::append(&mut tx, audit).await?;
    tx.commit().await.map_err(backend)?;
    Ok(vigil_domain::marac_actions::Action { id, ..a.clone() })
}

pub async fn complete_action(
    pool: &SqlitePool,
    id: i64,
    at: vigil_domain::time::DateTime,
    by: &vigil_domain::access::Username,
    evidence: &str,
    audit: &AuditEntry,
) -> StoreResult<bool> {
    let mut tx = write_tx(pool).await?;
    let done = sqlx::query(
        "UPDATE marac_actions SET done_at = ?1, done_by = ?2, evidence = ?3
         WHERE action_id = ?4 AND done_at IS NULL",
    )
    .bind(format_datetime(at))
    .bind(by.as_str())
    .bind(evidence)
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(backend)?
    .rows_affected();
    if done == 0 {
        return Ok(false);
    }
    accounts::append(&mut tx, audit).await?;
    tx.commit().await.map_err(backend)?;
    Ok(true)
}

// ----- research -----

pub async fn research(
    conn: impl sqlx::SqliteExecutor<'_>,
    meeting: Option<i64>,
) -> StoreResult<Vec<vigil_domain::marac_meeting::Research>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM marac_research WHERE (?1 IS NULL OR meeting_id = ?1)
         ORDER BY meeting_id, referral_id, agency",
        cc::MARAC_RESEARCH.join(",")
    )))
    .bind(meeting)
    .fetch_all(conn)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| rows::research(&mut crate::read::Cols::new(r, "marac_research")))
    .collect()
}

/// Writes research rows as they are, inside a transaction (`vigil copy`).
pub async fn put_research(
    conn: &mut sqlx::SqliteConnection,
    all: &[vigil_domain::marac_meeting::Research],
) -> StoreResult<()> {
    let mut handle = conn.lock_handle().await.map_err(backend)?;
    crate::import::insert(
        handle.as_raw_handle().as_ptr(),
        "marac_research",
        cc::MARAC_RESEARCH,
        all,
        rows::research_values,
    )
}

pub async fn save_research(
    pool: &SqlitePool,
    r: &vigil_domain::marac_meeting::Research,
    audit: &AuditEntry,
) -> StoreResult<()> {
    let mut tx = write_tx(pool).await?;
    sqlx::query(
        "DELETE FROM marac_research WHERE meeting_id = ?1 AND referral_id = ?2 AND agency = ?3",
    )
    .bind(r.meeting_id)
    .bind(r.referral_id.as_str())
    .bind(r.agency.as_str())
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    put_research(&mut tx, std::slice::from_ref(r)).await?;
    accounts::append(&mut tx, audit).await?;
    tx.commit().await.map_err(backend)
}
