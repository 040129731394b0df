//! Users and the hash-chained audit trail.

use crate::backend;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection, SqlitePool};
use vigil_domain::Agency;
use vigil_domain::access::{Role, Username};
use vigil_domain::time::{format_datetime, parse_datetime};
use vigil_store::audit_chain::ChainCheck;
use vigil_store::{AuditEntry, AuditQuery, AuditRow, NewUser, StoreError, StoreResult, User};

/// Appends an entry inside the caller's transaction.
pub async fn append(conn: &mut SqliteConnection, e: &AuditEntry) -> StoreResult<AuditRow> {
    // The whole last entry: whether the trail is sealed is read from its hash.
    let last = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 1"
    )))
    .fetch_optional(&mut *conn)
    .await
    .map_err(backend)?
    .as_ref()
    .map(audit_row)
    .transpose()?;
    let rows = vigil_store::audit_chain::rows_for(last.as_ref(), e)?;
    for row in &rows {
        insert_row(conn, row).await?;
    }
    Ok(rows.into_iter().next_back().expect("the entry's row"))
}

/// Writes one audit row exactly as given (an append, or a trail copied from another store).
pub async fn insert_row(conn: &mut SqliteConnection, row: &AuditRow) -> StoreResult<()> {
    let e = &row.entry;
    sqlx::query("INSERT INTO audit_log (seq, at, actor, action, subject_kind, subject_id, reason, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(row.seq)
        .bind(format_datetime(e.at))
        .bind(e.actor.as_str())
        .bind(e.action.as_str())
        .bind(e.subject_kind.as_str())
        .bind(e.subject_id.as_str())
        .bind(e.reason.as_deref())
        .bind(row.prev_hash.as_str())
        .bind(row.hash.as_str())
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    Ok(())
}

/// The trail in sequence order, a chunk at a time.
pub async fn chunks(
    pool: &SqlitePool,
    chunk: usize,
    sink: &mut (dyn FnMut(Vec<AuditRow>) -> StoreResult<()> + Send),
) -> StoreResult<()> {
    use futures_util::TryStreamExt;
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY seq"
    )))
    .fetch(pool);
    let mut buf = Vec::new();
    while let Some(r) = rows.try_next().await.map_err(backend)? {
        buf.push(audit_row(&r)?);
        if buf.len() >= chunk.max(1) {
            sink(std::mem::take(&mut buf))?;
        }
    }
    if !buf.is_empty() {
        sink(buf)?;
    }
    Ok(())
}

/// Users exactly as another store holds them, ids included (for `vigil copy`).
pub async fn insert_users(conn: &mut SqliteConnection, users: &[User]) -> StoreResult<()> {
    for u in users {
        sqlx::query("INSERT INTO users (user_id, username, display_name, role, agency, password_hash, disabled, lpa, token_max_hours, school, rank) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(u.id)
            .bind(u.username.as_str())
            .bind(u.display_name.as_str())
            .bind(u.role.as_str())
            .bind(u.agency.map(|a| a.as_str()))
            .bind(u.password_hash.as_str())
            .bind(u.disabled)
            .bind(u.lpa.as_ref().map(|l| l.as_str().to_owned()))
            .bind(u.token_max_hours)
            .bind(u.school.as_deref())
            .bind(u.rank.map(|r| r.as_str()))
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
    }
    Ok(())
}

fn audit_row(r: &SqliteRow) -> StoreResult<AuditRow> {
    let at: String = r.get(1);
    Ok(AuditRow {
        seq: r.get(0),
        entry: AuditEntry {
            at: parse_datetime(&at).map_err(|e| StoreError::Schema(format!("audit time: {e}")))?,
            actor: r.get(2),
            action: r.get(3),
            subject_kind: r.get(4),
            subject_id: r.get(5),
            reason: r.get(6),
        },
        prev_hash: r.get(7),
        hash: r.get(8),
    })
}

const AUDIT_COLUMNS: &str =
    "seq, at, actor, action, subject_kind, subject_id, reason, prev_hash, hash";

/// The audit filter: actor, subject, action pattern, from, before (?1–?5).
const AUDIT_FILTER: &str = "(?1 IS NULL OR actor = ?1) AND (?2 IS NULL OR subject_id = ?2) AND (?3 IS NULL OR action LIKE ?3 ESCAPE '\\') AND (?4 IS NULL OR at >= ?4) AND (?5 IS NULL OR at < ?5)";

fn audit_query<'q>(
    sql: String,
    q: &AuditQuery,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments> {
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(q.actor.clone())
        .bind(q.subject_id.clone())
        .bind(q.action_pattern())
        .bind(q.from.map(format_datetime))
        .bind(q.before.map(format_datetime))
}

pub async fn trail(pool: &SqlitePool, q: &AuditQuery) -> StoreResult<Vec<AuditRow>> {
    let limit = if q.limit == 0 {
        100
    } else {
        q.limit.min(10_000)
    };
    let rows = audit_query(
        format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE {AUDIT_FILTER} ORDER BY seq DESC LIMIT ?6 OFFSET ?7"
        ),
        q,
    )
    .bind(i64::from(limit))
    .bind(i64::from(q.offset))
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    rows.iter().map(audit_row).collect()
}

pub async fn count(pool: &SqlitePool, q: &AuditQuery) -> StoreResult<u64> {
    let n: i64 = audit_query(
        format!("SELECT COUNT(*) FROM audit_log WHERE {AUDIT_FILTER}"),
        q,
    )
    .fetch_one(pool)
    .await
    .map_err(backend)?
    .get(0);
    Ok(n as u64)
}

pub async fn append_all(pool: &SqlitePool, entries: &[AuditEntry]) -> StoreResult<()> {
    let mut tx = crate::write_tx(pool).await?;
    // The chain is worked out in memory from the last entry, then written in one go: a
    // list of fifty people costs one read and fifty inserts, not fifty round trips each.
    let mut last = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT 1"
    )))
    .fetch_optional(&mut *tx)
    .await
    .map_err(backend)?
    .as_ref()
    .map(audit_row)
    .transpose()?;
    let mut rows = Vec::with_capacity(entries.len());
    for e in entries {
        for row in vigil_store::audit_chain::rows_for(last.as_ref(), e)? {
            last = Some(row.clone());
            rows.push(row);
        }
    }
    {
        // One prepared statement for every row, in the transaction's connection.
        let mut handle = tx.lock_handle().await.map_err(backend)?;
        crate::import::insert(
            handle.as_raw_handle().as_ptr(),
            "audit_log",
            vigil_store::rows::casework_columns::AUDIT_LOG,
            &rows,
            vigil_store::rows::audit_row_values,
        )?;
    }
    tx.commit().await.map_err(backend)
}

pub async fn change_user(
    pool: &SqlitePool,
    c: &vigil_store::UserChange,
    audit: &AuditEntry,
) -> StoreResult<User> {
    let mut tx = crate::write_tx(pool).await?;
    let done = sqlx::query(
        "UPDATE users SET display_name = ?1, role = ?2, agency = ?3, lpa = ?4, version = version + 1 WHERE username = ?5",
    )
    .bind(c.display_name.as_str())
    .bind(c.role.as_str())
    .bind(c.agency.map(|a| a.as_str()))
    .bind(c.lpa.as_ref().map(|l| l.as_str().to_owned()))
    .bind(c.username.as_str())
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound {
            what: "user",
            id: c.username.to_string(),
        });
    }
    // A changed role, agency or area ends the user's sessions and tokens: they sign in again
    // as what they now are.
    sqlx::query(
        "DELETE FROM sessions WHERE user_id = (SELECT user_id FROM users WHERE username = ?1)",
    )
    .bind(c.username.as_str())
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    append(&mut tx, audit).await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE username = ?"
    )))
    .bind(c.username.as_str())
    .fetch_one(&mut *tx)
    .await
    .map_err(backend)?;
    let user = user_row(&row)?;
    tx.commit().await.map_err(backend)?;
    Ok(user)
}

pub async fn verify(pool: &SqlitePool) -> StoreResult<Option<vigil_store::audit_chain::Break>> {
    use futures_util::TryStreamExt;
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY seq"
    )))
    .fetch(pool);
    let mut check = ChainCheck::default();
    while let Some(r) = rows.try_next().await.map_err(backend)? {
        if let Some(broken) = check.next_break(&audit_row(&r)?) {
            return Ok(Some(broken));
        }
    }
    Ok(check.finish())
}

pub async fn head(pool: &SqlitePool) -> StoreResult<Option<(i64, String)>> {
    Ok(
        sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(pool)
            .await
            .map_err(backend)?
            .map(|r| (r.get(0), r.get(1))),
    )
}

pub async fn hash_at(pool: &SqlitePool, seq: i64) -> StoreResult<Option<String>> {
    sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = ?1")
        .bind(seq)
        .fetch_optional(pool)
        .await
        .map_err(backend)
}

fn user_row(r: &SqliteRow) -> StoreResult<User> {
    let bad = |what: &str, e: vigil_domain::ValueError| {
        StoreError::Schema(format!("stored user {what}: {e}"))
    };
    let username: String = r.get(1);
    let role: String = r.get(3);
    let agency: Option<String> = r.get(4);
    Ok(User {
        id: r.get(0),
        username: Username::parse(&username).map_err(|e| bad("username", e))?,
        display_name: r.get(2),
        role: Role::parse(&role).map_err(|e| bad("role", e))?,
        agency: agency
            .map(|a| Agency::parse(&a))
            .transpose()
            .map_err(|e| bad("agency", e))?,
        password_hash: r.get(5),
        disabled: r.get::<i64, _>(6) != 0,
        lpa: r
            .get::<Option<String>, _>(7)
            .map(|l| vigil_domain::Lpa::parse(&l))
            .transpose()
            .map_err(|e| bad("area", e))?,
        token_max_hours: r.get(8),
        school: r.get(9),
        rank: r
            .get::<Option<String>, _>(10)
            .map(|k| vigil_domain::access::Rank::parse(&k))
            .transpose()
            .map_err(|e| bad("rank", e))?,
    })
}

const USER_COLUMNS: &str = "user_id, username, display_name, role, agency, password_hash, disabled, lpa, token_max_hours, school, rank";

pub async fn add_user(pool: &SqlitePool, u: &NewUser, audit: &AuditEntry) -> StoreResult<User> {
    let mut tx = crate::write_tx(pool).await?;
    let result = sqlx::query("INSERT INTO users (username, display_name, role, agency, password_hash, lpa) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(u.username.as_str())
        .bind(u.display_name.as_str())
        .bind(u.role.as_str())
        .bind(u.agency.map(|a| a.as_str()))
        .bind(u.password_hash.as_str())
        .bind(u.lpa.as_ref().map(|l| l.as_str().to_owned()))
        .execute(&mut *tx)
        .await;
    if let Err(sqlx::Error::Database(db)) = &result
        && db.message().contains("UNIQUE")
    {
        return Err(StoreError::Conflict {
            what: "user",
            id: u.username.to_string(),
            expected: 0,
            found: 1,
        });
    }
    result.map_err(backend)?;
    append(&mut tx, audit).await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE username = ?"
    )))
    .bind(u.username.as_str())
    .fetch_one(&mut *tx)
    .await
    .map_err(backend)?;
    let user = user_row(&row)?;
    tx.commit().await.map_err(backend)?;
    Ok(user)
}

pub async fn user(pool: &SqlitePool, username: &Username) -> StoreResult<Option<User>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE username = ?"
    )))
    .bind(username.as_str())
    .fetch_optional(pool)
    .await
    .map_err(backend)?
    .as_ref()
    .map(user_row)
    .transpose()
}

pub async fn users(pool: &SqlitePool) -> StoreResult<Vec<User>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users ORDER BY username"
    )))
    .fetch_all(pool)
    .await
    .map_err(backend)?
    .iter()
    .map(user_row)
    .collect()
}

/// Sets one column of a user (and bumps its version), audited, in one transaction.
async fn update_user<V>(
    pool: &SqlitePool,
    username: &Username,
    sql: &'static str,
    value: V,
    audit: &AuditEntry,
) -> StoreResult<()>
where
    V: for<'q> sqlx::Encode<'q, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + Send + 'static,
{
    let mut tx = crate::write_tx(pool).await?;
    let done = sqlx::query(sql)
        .bind(value)
        .bind(username.as_str())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound {
            what: "user",
            id: username.to_string(),
        });
    }
    // A new password, a disable and a re-enable each end every session and token of the
    // user: nothing signed in before comes back.
    sqlx::query(
        "DELETE FROM sessions WHERE user_id = (SELECT user_id FROM users WHERE username = ?1)",
    )
    .bind(username.as_str())
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    append(&mut tx, audit).await?;
    tx.commit().await.map_err(backend)
}

/// Sets the school an education user is the key adult for (`None`: their area's
/// education contact), audited.
pub async fn set_school(
    pool: &SqlitePool,
    username: &Username,
    school: Option<String>,
    audit: &AuditEntry,
) -> StoreResult<()> {
    update_user(
        pool,
        username,
        "UPDATE users SET school = ?, version = version + 1 WHERE username = ?",
        school,
        audit,
    )
    .await
}

/// Records a police user's rank (`None`: none recorded), audited.
pub async fn set_rank(
    pool: &SqlitePool,
    username: &Username,
    rank: Option<vigil_domain::access::Rank>,
    audit: &AuditEntry,
) -> StoreResult<()> {
    update_user(
        pool,
        username,
        "UPDATE users SET rank = ?, version = version + 1 WHERE username = ?",
        rank.map(|r| r.as_str().to_owned()),
        audit,
    )
    .await
}

/// Names a user a service account whose API tokens may last up to `hours` (or, with
/// `None`, makes them a person again), audited; their sessions and tokens end.
pub async fn set_token_max_hours(
    pool: &SqlitePool,
    username: &Username,
    hours: Option<i64>,
    audit: &AuditEntry,
) -> StoreResult<()> {
    update_user(
        pool,
        username,
        "UPDATE users SET token_max_hours = ?, version = version + 1 WHERE username = ?",
        hours,
        audit,
    )
    .await
}

/// Disables or re-enables a user, audited.
pub async fn set_disabled(
    pool: &SqlitePool,
    username: &Username,
    disabled: bool,
    audit: &AuditEntry,
) -> StoreResult<()> {
    update_user(
        pool,
        username,
        "UPDATE users SET disabled = ?, version = version + 1 WHERE username = ?",
        disabled,
        audit,
    )
    .await
}

/// Replaces a user's password hash, audited.
pub async fn set_password_hash(
    pool: &SqlitePool,
    username: &Username,
    hash: &str,
    audit: &AuditEntry,
) -> StoreResult<()> {
    update_user(
        pool,
        username,
        "UPDATE users SET password_hash = ?, version = version + 1 WHERE username = ?",
        hash.to_owned(),
        audit,
    )
    .await
}

pub async fn create_session(
    pool: &SqlitePool,
    n: &vigil_store::NewSession<'_>,
    audit: &AuditEntry,
) -> StoreResult<()> {
    let mut tx = crate::write_tx(pool).await?;
    sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, idle_expires_at) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(n.token_hash)
        .bind(n.user_id)
        .bind(n.csrf_token)
        .bind(format_datetime(n.created_at))
        .bind(format_datetime(n.expires_at))
        .bind(n.idle_expires_at.map(format_datetime))
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    // Expired sessions are cleared as new ones start: the table never grows without end.
    sqlx::query("DELETE FROM sessions WHERE expires_at < ?")
        .bind(format_datetime(n.created_at))
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    append(&mut tx, audit).await?;
    tx.commit().await.map_err(backend)
}

pub async fn session(
    pool: &SqlitePool,
    token_hash: &str,
    now: vigil_domain::time::DateTime,
) -> StoreResult<Option<vigil_store::Session>> {
    let cols = USER_COLUMNS
        .split(", ")
        .map(|c| format!("u.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {cols}, s.csrf_token, s.expires_at, s.idle_expires_at FROM sessions s JOIN users u ON u.user_id = s.user_id
         WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND (s.idle_expires_at IS NULL OR s.idle_expires_at > ?2) AND u.disabled = 0"
    )))
    .bind(token_hash)
    .bind(format_datetime(now))
    .fetch_optional(pool)
    .await
    .map_err(backend)?;
    row.map(|r| {
        // The user's columns come first; the session's follow.
        // The session's columns follow the user's, however many those are.
        let n = USER_COLUMNS.split(", ").count();
        let expires: String = r.get(n + 1);
        let idle: Option<String> = r.get(n + 2);
        Ok(vigil_store::Session {
            user: user_row(&r)?,
            csrf_token: r.get(n),
            expires_at: parse_datetime(&expires)
                .map_err(|e| StoreError::Schema(format!("session expiry: {e}")))?,
            idle_expires_at: idle
                .map(|t| parse_datetime(&t))
                .transpose()
                .map_err(|e| StoreError::Schema(format!("session idle expiry: {e}")))?,
        })
    })
    .transpose()
}

pub async fn touch_session(
    pool: &SqlitePool,
    token_hash: &str,
    idle_expires: vigil_domain::time::DateTime,
) -> StoreResult<()> {
    sqlx::query("UPDATE sessions SET idle_expires_at = ? WHERE token_hash = ? AND idle_expires_at IS NOT NULL")
        .bind(format_datetime(idle_expires))
        .bind(token_hash)
        .execute(pool)
        .await
        .map_err(backend)?;
    Ok(())
}

pub async fn end_session(
    pool: &SqlitePool,
    token_hash: &str,
    audit: &AuditEntry,
) -> StoreResult<()> {
    let mut tx = crate::write_tx(pool).await?;
    sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
        .bind(token_hash)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    append(&mut tx, audit).await?;
    tx.commit().await.map_err(backend)
}

pub async fn record_sign_in_failure(
    pool: &SqlitePool,
    username: &str,
    address: &str,
    at: vigil_domain::time::DateTime,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM sign_in_failures WHERE at < ?1")
        .bind(format_datetime(at - chrono::Duration::days(1)))
        .execute(pool)
        .await
        .map_err(backend)?;
    sqlx::query("INSERT INTO sign_in_failures (at, username, address) VALUES (?1, ?2, ?3)")
        .bind(format_datetime(at))
        .bind(username)
        .bind(address)
        .execute(pool)
        .await
        .map_err(backend)?;
    Ok(())
}

pub async fn sign_in_failures_since(
    pool: &SqlitePool,
    since: vigil_domain::time::DateTime,
) -> StoreResult<Vec<(String, String, vigil_domain::time::DateTime)>> {
    sqlx::query(
        "SELECT username, address, at FROM sign_in_failures WHERE at >= ?1 ORDER BY at LIMIT 100000",
    )
    .bind(format_datetime(since))
    .fetch_all(pool)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| {
        let at: String = r.get(2);
            parse_datetime(&at)
                .map(|t| (r.get(0), r.get(1), t))
                .map_err(|e| StoreError::Schema(format!("sign-in failure time: {e}")))
    })
    .collect()
}

pub async fn sessions_of(
    pool: &SqlitePool,
    username: &Username,
    now: vigil_domain::time::DateTime,
) -> StoreResult<Vec<vigil_store::SessionInfo>> {
    sqlx::query(
        "SELECT substr(s.token_hash, 1, 12), u.username, s.created_at, s.expires_at, s.idle_expires_at
         FROM sessions s JOIN users u ON u.user_id = s.user_id
         WHERE u.username = ?1 AND s.expires_at > ?2 AND (s.idle_expires_at IS NULL OR s.idle_expires_at > ?2)
         ORDER BY s.created_at DESC",
    )
    .bind(username.as_str())
    .bind(format_datetime(now))
    .fetch_all(pool)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| {
        let t = |i: usize| -> StoreResult<Option<vigil_domain::time::DateTime>> {
                r.get::<Option<String>, _>(i)
                    .map(|v| parse_datetime(&v))
                    .transpose()
                    .map_err(|e| StoreError::Schema(format!("session time: {e}")))
            };
            let created_at = t(2)?.unwrap_or_default();
            let expires_at = t(3)?.unwrap_or_default();
            let idle_expires_at = t(4)?;
        Ok(vigil_store::SessionInfo {
            id: r.get(0),
            username: username.clone(),
            created_at,
            expires_at,
            idle_expires_at,
        })
    })
    .collect()
}

pub async fn end_sessions(
    pool: &SqlitePool,
    username: &Username,
    id: Option<&str>,
    audit: &AuditEntry,
) -> StoreResult<u64> {
    let mut tx = crate::write_tx(pool).await?;
    let done = sqlx::query(
        "DELETE FROM sessions WHERE user_id = (SELECT user_id FROM users WHERE username = ?1)
           AND (?2 IS NULL OR substr(token_hash, 1, 12) = ?2)",
    )
    .bind(username.as_str())
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(backend)?
    .rows_affected();
    append(&mut tx, audit).await?;
    tx.commit().await.map_err(backend)?;
    Ok(done)
}

pub async fn idempotency_start(
    pool: &SqlitePool,
    username: &str,
    key: &str,
    request: &str,
    now: vigil_domain::time::DateTime,
) -> StoreResult<vigil_store::IdempotencyStart> {
    use vigil_store::IdempotencyStart as S;
    let mut tx = crate::write_tx(pool).await?;
    sqlx::query("DELETE FROM idempotency_keys WHERE created_at < ?1")
        .bind(format_datetime(now - chrono::Duration::days(1)))
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    let found = sqlx::query(
        "SELECT request, status, body FROM idempotency_keys WHERE username = ?1 AND key = ?2",
    )
    .bind(username)
    .bind(key)
    .fetch_optional(&mut *tx)
    .await
    .map_err(backend)?;
    let start = match found {
        Some(r) => {
            let (was, status, body): (String, Option<i32>, Option<String>) =
                (r.get(0), r.get(1), r.get(2));
            if was != request {
                S::Mismatch
            } else {
                match status {
                    Some(st) => S::Replay {
                        status: st as u16,
                        body: body.unwrap_or_default(),
                    },
                    None => S::InProgress,
                }
            }
        }
        None => {
            let claimed = sqlx::query(
                "INSERT INTO idempotency_keys (username, key, request, created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            )
            .bind(username)
            .bind(key)
            .bind(request)
            .bind(format_datetime(now))
            .execute(&mut *tx)
            .await
            .map_err(backend)?
            .rows_affected();
            // Another request claimed the key between the look and the insert.
            if claimed == 1 { S::New } else { S::InProgress }
        }
    };
    tx.commit().await.map_err(backend)?;
    Ok(start)
}

pub async fn idempotency_finish(
    pool: &SqlitePool,
    username: &str,
    key: &str,
    answer: Option<(u16, &str)>,
) -> StoreResult<()> {
    match answer {
        Some((status, body)) => {
            sqlx::query(
                "UPDATE idempotency_keys SET status = ?1, body = ?2 WHERE username = ?3 AND key = ?4",
            )
            .bind(i32::from(status))
            .bind(body)
            .bind(username)
            .bind(key)
            .execute(pool)
            .await
            .map_err(backend)?;
        }
        None => {
            sqlx::query("DELETE FROM idempotency_keys WHERE username = ?1 AND key = ?2")
                .bind(username)
                .bind(key)
                .execute(pool)
                .await
                .map_err(backend)?;
        }
    }
    Ok(())
}
