//! MARAC meetings (the agenda is the domain's: `vigil_domain::marac_meeting`).

use crate::{accounts, backend};
use sqlx::{PgPool, Row};
use vigil_domain::marac_meeting::Meeting;
use vigil_store::rows::{self, casework_columns as cc};
use vigil_store::{AuditEntry, StoreError, StoreResult};

const COLUMNS: &str = "meeting_id, area, held_on, venue, created_by, created_at";

fn meeting(r: &sqlx::postgres::PgRow) -> StoreResult<Meeting> {
    let bad = |what: &str, e: String| StoreError::Schema(format!("marac_meetings: {what}: {e}"));
    let by: String = r.get(4);
    Ok(Meeting {
        id: r.get(0),
        area: r.get(1),
        held_on: r.get(2),
        venue: r.get(3),
        created_by: vigil_domain::access::Username::parse(&by)
            .map_err(|e| bad("created_by", e.to_string()))?,
        created_at: r.get(5),
    })
}

pub async fn all(conn: impl sqlx::PgExecutor<'_>, area: Option<&str>) -> StoreResult<Vec<Meeting>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM marac_meetings WHERE ($1::text IS NULL OR area = $1)
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
pub async fn put(conn: &mut sqlx::PgConnection, all: &[Meeting]) -> StoreResult<()> {
    for m in all {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO marac_meetings ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
        )))
        .bind(m.id)
        .bind(m.area.as_str())
        .bind(m.held_on)
        .bind(m.venue.as_str())
        .bind(m.created_by.as_str())
        .bind(m.created_at)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    }
    if !all.is_empty() {
        // Ids given explicitly do not move the identity: the next meeting follows them.
        sqlx::query(
            "SELECT setval(pg_get_serial_sequence('marac_meetings', 'meeting_id'), (SELECT MAX(meeting_id) FROM marac_meetings))",
        )
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    }
    Ok(())
}

pub async fn add(pool: &PgPool, m: &Meeting, audit: &AuditEntry) -> StoreResult<Meeting> {
    let mut tx = pool.begin().await.map_err(backend)?;
    let taken: Option<i64> = sqlx::query_scalar(
        "SELECT meeting_id FROM marac_meetings WHERE area = $1 AND held_on = $2",
    )
    .bind(m.area.as_str())
    .bind(m.held_on)
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
         VALUES ($1, $2, $3, $4, $5) RETURNING meeting_id",
    )
    .bind(m.area.as_str())
    .bind(m.held_on)
    .bind(m.venue.as_str())
    .bind(m.created_by.as_str())
    .bind(m.created_at)
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
    conn: impl sqlx::PgExecutor<'_>,
    q: &vigil_store::ActionQuery,
) -> StoreResult<Vec<vigil_domain::marac_actions::Action>> {
    let cols: Vec<String> = cc::MARAC_ACTIONS.iter().map(|c| format!("a.{c}")).collect();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM marac_actions a JOIN marac_meetings m ON m.meeting_id = a.meeting_id
         WHERE ($1::bigint IS NULL OR a.meeting_id = $1) AND ($2::text IS NULL OR a.owner = $2)
           AND ($3::text IS NULL OR a.person_id = $3) AND ($4::text IS NULL OR m.area = $4)
           AND ($5::bigint IS NULL OR a.action_id = $5) AND (NOT $6 OR a.done_at IS NULL)
         ORDER BY a.due_on, a.action_id LIMIT 100000",
        cols.join(",")
    )))
    .bind(q.meeting)
    .bind(q.owner.map(|o| o.as_str()))
    .bind(q.person.as_ref().map(|p| p.as_str().to_owned()))
    .bind(q.area.clone())
    .bind(q.id)
    .bind(q.open_only)
    .fetch_all(conn)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| rows::marac_action(&mut crate::rows::Cols::new(r, "marac_actions")))
    .collect()
}

/// Writes actions as they are (ids kept), inside a transaction (`vigil copy`).
pub async fn put_actions(
    conn: &mut sqlx::PgConnection,
    all: &[vigil_domain::marac_actions::Action],
) -> StoreResult<()> {
    crate::write::insert_table(
        conn,
        "marac_actions",
        cc::MARAC_ACTIONS,
        all,
        rows::marac_action_values,
    )
    .await?;
    if !all.is_empty() {
        sqlx::query(
            "SELECT setval(pg_get_serial_sequence('marac_actions', 'action_id'), (SELECT MAX(action_id) FROM marac_actions))",
        )
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    }
    Ok(())
}

pub async fn add_action(
    pool: &PgPool,
    a: &vigil_domain::marac_actions::Action,
    audit: &AuditEntry,
) -> StoreResult<vigil_domain::marac_actions::Action> {
    let mut tx = pool.begin().await.map_err(backend)?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO marac_actions (meeting_id, referral_id, person_id, about, owner, description, due_on, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING action_id",
    )
    .bind(a.meeting_id)
    .bind(a.referral_id.as_str())
    .bind(a.person_id.as_str())
    .bind(a.about.as_str())
    .bind(a.owner.as_str())
    .bind(a.description.as_str())
    .bind(a.due)
    .bind(a.created_by.as_str())
    .bind(a.created_at)
    .fetch_one(&mut *tx)
    .await
    .map_err(backend)?;
    accounts::append(&mut tx, audit).await?;
    tx.commit().await.map_err(backend)?;
    Ok(vigil_domain::marac_actions::Action { id, ..a.clone() })
}

pub async fn complete_action(
    pool: &PgPool,
    id: i64,
    at: vigil_domain::time::DateTime,
    by: &vigil_domain::access::Username,
    evidence: &str,
    audit: &AuditEntry,
) -> StoreResult<bool> {
    let mut tx = pool.begin().await.map_err(backend)?;
    let done = sqlx::query(
        "UPDATE marac_actions SET done_at = $1, done_by = $2, evidence = $3
         WHERE action_id = $4 AND done_at IS NULL",
    )
    .bind(at)
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
    conn: impl sqlx::PgExecutor<'_>,
    meeting: Option<i64>,
) -> StoreResult<Vec<vigil_domain::marac_meeting::Research>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM marac_research WHERE ($1::bigint IS NULL OR meeting_id = $1)
         ORDER BY meeting_id, referral_id COLLATE \"C\", agency COLLATE \"C\"",
        cc::MARAC_RESEARCH.join(",")
    )))
    .bind(meeting)
    .fetch_all(conn)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| rows::research(&mut crate::rows::Cols::new(r, "marac_research")))
    .collect()
}

/// Writes research rows as they are, inside a transaction (`vigil copy`).
pub async fn put_research(
    conn: &mut sqlx::PgConnection,
    all: &[vigil_domain::marac_meeting::Research],
) -> StoreResult<()> {
    crate::write::insert_table(
        conn,
        "marac_research",
        cc::MARAC_RESEARCH,
        all,
        rows::research_values,
    )
    .await
}

pub async fn save_research(
    pool: &PgPool,
    r: &vigil_domain::marac_meeting::Research,
    audit: &AuditEntry,
) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(backend)?;
    sqlx::query(
        "DELETE FROM marac_research WHERE meeting_id = $1 AND referral_id = $2 AND agency = $3",
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
