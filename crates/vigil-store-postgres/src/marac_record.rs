//! What MARAC writes down: referral forms, meeting records and transfers (the rules:
//! `vigil_domain::marac_record`).

use crate::rows::Cols;
use crate::write::insert_table;
use crate::{accounts, backend, bump_revision};
use sqlx::{PgConnection, PgPool};
use vigil_store::rows::{self, casework_columns as cc};
use vigil_store::{AuditEntry, MaracChange, MaracRecord, StoreError, StoreResult};

/// Rows of `table`, of the meetings named (every row with `None`).
async fn of_meetings<R>(
    conn: &mut PgConnection,
    table: &'static str,
    cols: &[&str],
    meetings: Option<&[i64]>,
    order: &str,
    map: impl Fn(&mut Cols<'_>) -> StoreResult<R>,
) -> StoreResult<Vec<R>> {
    if meetings.is_some_and(|m| m.is_empty()) {
        return Ok(Vec::new());
    }
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM {table} WHERE ($1::bigint[] IS NULL OR meeting_id = ANY($1)) ORDER BY {order}",
        cols.join(",")
    )))
    .bind(meetings)
    .fetch_all(&mut *conn)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| map(&mut Cols::new(r, table)))
    .collect()
}

/// Rows of a table not kept by meeting.
async fn every<R>(
    conn: &mut PgConnection,
    table: &'static str,
    cols: &[&str],
    order: &str,
    map: impl Fn(&mut Cols<'_>) -> StoreResult<R>,
) -> StoreResult<Vec<R>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM {table} ORDER BY {order}",
        cols.join(",")
    )))
    .fetch_all(&mut *conn)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| map(&mut Cols::new(r, table)))
    .collect()
}

pub async fn record(conn: &mut PgConnection, meetings: Option<&[i64]>) -> StoreResult<MaracRecord> {
    Ok(MaracRecord {
        forms: every(
            conn,
            "marac_referral_forms",
            cc::MARAC_FORMS,
            "referred_at, referral_id COLLATE \"C\"",
            |c| rows::marac_form(c),
        )
        .await?,
        attendance: of_meetings(
            conn,
            "marac_attendance",
            cc::MARAC_ATTENDANCE,
            meetings,
            "meeting_id, agency COLLATE \"C\"",
            |c| rows::attendance(c),
        )
        .await?,
        discussions: of_meetings(
            conn,
            "marac_discussions",
            cc::MARAC_DISCUSSIONS,
            meetings,
            "meeting_id, referral_id COLLATE \"C\"",
            |c| rows::discussion(c),
        )
        .await?,
        approvals: of_meetings(
            conn,
            "marac_minutes_approvals",
            cc::MARAC_APPROVALS,
            meetings,
            "meeting_id",
            |c| rows::approval(c),
        )
        .await?,
        transfers: every(
            conn,
            "marac_transfers",
            cc::MARAC_TRANSFERS,
            "transferred_at, referral_id COLLATE \"C\"",
            |c| rows::transfer(c),
        )
        .await?,
    })
}

/// Writes a record as it is, inside a transaction (`vigil copy`, and each change's rows).
pub async fn put(conn: &mut PgConnection, r: &MaracRecord) -> StoreResult<()> {
    insert_table(
        conn,
        "marac_referral_forms",
        cc::MARAC_FORMS,
        &r.forms,
        rows::marac_form_values,
    )
    .await?;
    insert_table(
        conn,
        "marac_attendance",
        cc::MARAC_ATTENDANCE,
        &r.attendance,
        rows::attendance_values,
    )
    .await?;
    insert_table(
        conn,
        "marac_discussions",
        cc::MARAC_DISCUSSIONS,
        &r.discussions,
        rows::discussion_values,
    )
    .await?;
    insert_table(
        conn,
        "marac_minutes_approvals",
        cc::MARAC_APPROVALS,
        &r.approvals,
        rows::approval_values,
    )
    .await?;
    insert_table(
        conn,
        "marac_transfers",
        cc::MARAC_TRANSFERS,
        &r.transfers,
        rows::transfer_values,
    )
    .await
}

pub async fn save(pool: &PgPool, change: &MaracChange, audit: &[AuditEntry]) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(backend)?;
    if let Some(a) = &change.approval {
        // The meeting's row is locked so two approvals at once cannot both pass.
        sqlx::query("SELECT meeting_id FROM marac_meetings WHERE meeting_id = $1 FOR UPDATE")
            .bind(a.meeting_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
        let taken: Option<i64> = sqlx::query_scalar(
            "SELECT meeting_id FROM marac_minutes_approvals WHERE meeting_id = $1",
        )
        .bind(a.meeting_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        if taken.is_some() {
            return Err(StoreError::Conflict {
                what: "MARAC minutes",
                id: a.meeting_id.to_string(),
                expected: 0,
                found: 1,
            });
        }
    }
    if let Some((m, _)) = &change.attendance {
        sqlx::query("DELETE FROM marac_attendance WHERE meeting_id = $1")
            .bind(m)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
    }
    for d in &change.discussions {
        sqlx::query("DELETE FROM marac_discussions WHERE meeting_id = $1 AND referral_id = $2")
            .bind(d.meeting_id)
            .bind(d.referral_id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
    }
    if change.records.row_counts().iter().any(|n| *n > 0) {
        crate::write::insert_all(&mut tx, &change.records).await?;
        bump_revision(&mut tx).await?;
    }
    put(
        &mut tx,
        &MaracRecord {
            forms: change.forms.clone(),
            attendance: change
                .attendance
                .as_ref()
                .map(|(_, a)| a.clone())
                .unwrap_or_default(),
            discussions: change.discussions.clone(),
            approvals: change.approval.iter().cloned().collect(),
            transfers: change.transfers.clone(),
        },
    )
    .await?;
    for e in audit {
        accounts::append(&mut tx, e).await?;
    }
    tx.commit().await.map_err(backend)
}
