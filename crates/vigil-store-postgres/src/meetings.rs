//! MARAC meetings (the agenda is the domain's: `vigil_domain::marac_meeting`).

use crate::{accounts, backend};
use sqlx::{PgPool, Row};
use vigil_domain::marac_meeting::Meeting;
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
