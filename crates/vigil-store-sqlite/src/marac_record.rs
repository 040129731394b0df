//! What MARAC writes down: referral forms, meeting records and transfers (the rules:
//! `vigil_domain::marac_record`).

use crate::import::insert;
use crate::read::Cols;
use crate::{accounts, backend, bump_revision, write_tx};
use sqlx::SqlitePool;
use vigil_store::rows::{self, casework_columns as cc};
use vigil_store::{AuditEntry, MaracChange, MaracRecord, StoreError, StoreResult};

/// Rows of `table`, of the meetings named (every row with `None`).
async fn of_meetings<R>(
    conn: &mut sqlx::SqliteConnection,
    table: &'static str,
    cols: &[&str],
    meetings: Option<&[i64]>,
    order: &str,
    map: impl Fn(&mut Cols<'_>) -> StoreResult<R>,
) -> StoreResult<Vec<R>> {
    let filter = match meetings {
        None => "1 = 1".to_owned(),
        Some([]) => return Ok(Vec::new()),
        // Meeting ids are numbers the store made: no text reaches the SQL.
        Some(ids) => format!(
            "meeting_id IN ({})",
            ids.iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(",")
        ),
    };
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM {table} WHERE {filter} ORDER BY {order}",
        cols.join(",")
    )))
    .fetch_all(&mut *conn)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| map(&mut Cols::new(r, table)))
    .collect()
}

pub async fn record(
    conn: &mut sqlx::SqliteConnection,
    meetings: Option<&[i64]>,
) -> StoreResult<MaracRecord> {
    Ok(MaracRecord {
        forms: of_meetings(
            conn,
            "marac_referral_forms",
            cc::MARAC_FORMS,
            None,
            "referred_at, referral_id",
            |c| rows::marac_form(c),
        )
        .await?,
        attendance: of_meetings(
            conn,
            "marac_attendance",
            cc::MARAC_ATTENDANCE,
            meetings,
            "meeting_id, agency",
            |c| rows::attendance(c),
        )
        .await?,
        discussions: of_meetings(
            conn,
            "marac_discussions",
            cc::MARAC_DISCUSSIONS,
            meetings,
            "meeting_id, referral_id",
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
        transfers: of_meetings(
            conn,
            "marac_transfers",
            cc::MARAC_TRANSFERS,
            None,
            "transferred_at, referral_id",
            |c| rows::transfer(c),
        )
        .await?,
    })
}

/// Writes a record as it is, inside a transaction (`vigil copy`, and each change's rows).
pub async fn put(conn: &mut sqlx::SqliteConnection, r: &MaracRecord) -> StoreResult<()> {
    let mut handle = conn.lock_handle().await.map_err(backend)?;
    let db = handle.as_raw_handle().as_ptr();
    insert(
        db,
        "marac_referral_forms",
        cc::MARAC_FORMS,
        &r.forms,
        rows::marac_form_values,
    )?;
    insert(
        db,
        "marac_attendance",
        cc::MARAC_ATTENDANCE,
        &r.attendance,
        rows::attendance_values,
    )?;
    insert(
        db,
        "marac_discussions",
        cc::MARAC_DISCUSSIONS,
        &r.discussions,
        rows::discussion_values,
    )?;
    insert(
        db,
        "marac_minutes_approvals",
        cc::MARAC_APPROVALS,
        &r.approvals,
        rows::approval_values,
    )?;
    insert(
        db,
        "marac_transfers",
        cc::MARAC_TRANSFERS,
        &r.transfers,
        rows::transfer_values,
    )
}

pub async fn save(
    pool: &SqlitePool,
    change: &MaracChange,
    audit: &[AuditEntry],
) -> StoreResult<()> {
    let mut tx = write_tx(pool).await?;
    if let Some(a) = &change.approval {
        let taken: Option<i64> = sqlx::query_scalar(
            "SELECT meeting_id FROM marac_minutes_approvals WHERE meeting_id = ?1",
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
        sqlx::query("DELETE FROM marac_attendance WHERE meeting_id = ?1")
            .bind(m)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
    }
    for d in &change.discussions {
        sqlx::query("DELETE FROM marac_discussions WHERE meeting_id = ?1 AND referral_id = ?2")
            .bind(d.meeting_id)
            .bind(d.referral_id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
    }
    if change.records.row_counts().iter().any(|n| *n > 0) {
        {
            let mut handle = tx.lock_handle().await.map_err(backend)?;
            crate::import::insert_all(handle.as_raw_handle().as_ptr(), &change.records)?;
        }
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
