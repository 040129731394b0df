//! Bulk insertion of a validated record set, inside the caller's transaction.
//!
//! This is the one place Vigil talks to SQLite's C API directly rather than through sqlx:
//! an import writes millions of rows, and sqlx allocates and sends every bound value to
//! its worker thread, which capped imports near 75,000 rows a second. One prepared
//! statement per table, bound and stepped in a loop on the transaction's own connection,
//! is several times faster and still inside the same transaction, so all-or-nothing holds.

use libsqlite3_sys as ffi;
use sqlx::SqliteConnection;
use std::collections::HashSet;
use std::ffi::{CStr, CString, c_int};
use std::ptr;
use vigil_domain::time::{Date, DateTime, push_date, push_datetime};
use vigil_domain::*;
use vigil_store::rows::{TableWriter, Values, write_all};
use vigil_store::{StoreError, StoreResult};

/// Binds one row's values to a prepared statement, in column order.
pub(crate) struct Row {
    stmt: *mut ffi::sqlite3_stmt,
    next: c_int,
    rc: c_int,
    scratch: String,
}

impl Row {
    fn check(&mut self, rc: c_int) {
        if self.rc == ffi::SQLITE_OK {
            self.rc = rc;
        }
        self.next += 1;
    }

    fn text(&mut self, s: &str) {
        // SAFETY: `stmt` is a live prepared statement; SQLITE_TRANSIENT makes SQLite copy
        // the bytes before this call returns, so `s` need not outlive it.
        let rc = unsafe {
            ffi::sqlite3_bind_text(
                self.stmt,
                self.next,
                s.as_ptr().cast(),
                s.len() as c_int,
                ffi::SQLITE_TRANSIENT(),
            )
        };
        self.check(rc);
    }

    fn null(&mut self) {
        // SAFETY: as above; binding NULL touches no caller memory.
        let rc = unsafe { ffi::sqlite3_bind_null(self.stmt, self.next) };
        self.check(rc);
    }

    fn int(&mut self, v: i64) {
        // SAFETY: as above.
        let rc = unsafe { ffi::sqlite3_bind_int64(self.stmt, self.next, v) };
        self.check(rc);
    }

    fn real(&mut self, v: f64) {
        // SAFETY: as above.
        let rc = unsafe { ffi::sqlite3_bind_double(self.stmt, self.next, v) };
        self.check(rc);
    }
}

impl Values for Row {
    fn text(&mut self, s: &str) {
        Row::text(self, s)
    }
    fn null(&mut self) {
        Row::null(self)
    }
    fn int(&mut self, v: i64) {
        Row::int(self, v)
    }
    fn real(&mut self, v: f64) {
        Row::real(self, v)
    }
    fn bool(&mut self, v: bool) {
        Row::int(self, i64::from(v))
    }
    fn date(&mut self, d: Date) {
        let mut s = std::mem::take(&mut self.scratch);
        s.clear();
        push_date(&mut s, d);
        Row::text(self, &s);
        self.scratch = s;
    }
    fn datetime(&mut self, t: DateTime) {
        let mut s = std::mem::take(&mut self.scratch);
        s.clear();
        push_datetime(&mut s, t);
        Row::text(self, &s);
        self.scratch = s;
    }
}

fn error_from(db: *mut ffi::sqlite3, rc: c_int, table: &str) -> StoreError {
    // SAFETY: `db` is the live connection handle; sqlite3_errmsg returns a NUL-terminated
    // string owned by SQLite, valid until the next call on this connection.
    let msg = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(db)) }
        .to_string_lossy()
        .into_owned();
    if rc & 0xff == ffi::SQLITE_CONSTRAINT {
        StoreError::Integrity(format!("{table}: {msg}"))
    } else {
        StoreError::Backend(format!("inserting into {table}: {msg}"))
    }
}

/// Inserts `rows` with one prepared statement. Must run on a connection inside an open
/// transaction (the caller's), so a failure part-way is rolled back with everything else.
pub(crate) fn insert<R>(
    db: *mut ffi::sqlite3,
    table: &str,
    columns: &[&str],
    rows: &[R],
    bind: fn(&mut Row, &R),
) -> StoreResult<()> {
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        columns.join(","),
        vec!["?"; columns.len()].join(",")
    );
    run_rows(db, table, &sql, rows, bind)
}

/// Replaces whole rows, matched by their first column (the id), in column order.
pub(crate) fn update_rows<R>(
    db: *mut ffi::sqlite3,
    table: &str,
    columns: &[&str],
    rows: &[R],
    bind: fn(&mut Row, &R),
) -> StoreResult<()> {
    let params: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "UPDATE {table} SET ({}) = ({}), version = version + 1 WHERE {} = ?1",
        columns.join(","),
        params.join(","),
        columns[0]
    );
    run_rows(db, table, &sql, rows, bind)
}

/// Runs one statement per row, each row's values bound in column order.
fn run_rows<R>(
    db: *mut ffi::sqlite3,
    table: &str,
    sql: &str,
    rows: &[R],
    bind: fn(&mut Row, &R),
) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let sql = CString::new(sql).expect("SQL has no NUL byte");
    let mut stmt = ptr::null_mut();
    // SAFETY: `db` is live; `sql` is NUL-terminated; `stmt` receives a statement we finalize below.
    let rc = unsafe { ffi::sqlite3_prepare_v2(db, sql.as_ptr(), -1, &mut stmt, ptr::null_mut()) };
    if rc != ffi::SQLITE_OK {
        return Err(error_from(db, rc, table));
    }
    let mut row = Row {
        stmt,
        next: 1,
        rc: ffi::SQLITE_OK,
        scratch: String::with_capacity(32),
    };
    let mut result = Ok(());
    for r in rows {
        row.next = 1;
        row.rc = ffi::SQLITE_OK;
        bind(&mut row, r);
        if row.rc != ffi::SQLITE_OK {
            result = Err(error_from(db, row.rc, table));
            break;
        }
        // SAFETY: `stmt` is live and fully bound.
        let rc = unsafe { ffi::sqlite3_step(stmt) };
        if rc != ffi::SQLITE_DONE {
            result = Err(error_from(db, rc, table));
            break;
        }
        // SAFETY: `stmt` is live; reset readies it for the next row's bindings.
        unsafe { ffi::sqlite3_reset(stmt) };
    }
    // SAFETY: `stmt` came from sqlite3_prepare_v2 and is not used after this.
    unsafe { ffi::sqlite3_finalize(stmt) };
    result
}

/// Inserts every table through one prepared statement each, referenced tables first, on a
/// connection inside the caller's open transaction.
struct Inserts(*mut ffi::sqlite3);

impl TableWriter for Inserts {
    type Row = Row;
    fn table<R>(
        &mut self,
        name: &'static str,
        columns: &'static [&'static str],
        rows: &[R],
        values: fn(&mut Row, &R),
    ) -> StoreResult<()> {
        insert(self.0, name, columns, rows, values)
    }
}

pub(crate) fn insert_all(db: *mut ffi::sqlite3, r: &RecordSet) -> StoreResult<()> {
    write_all(&mut Inserts(db), r)
}

/// The ids an import into an empty store has added so far, as 64-bit hashes: every
/// reference must resolve among them (what the schema's foreign keys require), and a hash
/// lookup per reference is far faster than SQLite's per-row index probes. A collision
/// could only let a dangling reference through to the store's own check, never reject a
/// good row.
#[derive(Default)]
struct AddedIds {
    persons: HashSet<u64>,
    incidents: HashSet<u64>,
    offences: HashSet<u64>,
}

fn key(id: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(id)
}

impl AddedIds {
    /// Registers the set's ids and checks its references against everything added so far.
    fn add(&mut self, r: &RecordSet) -> StoreResult<()> {
        self.persons
            .extend(r.persons.iter().map(|p| key(p.id.as_str())));
        self.incidents
            .extend(r.incidents.iter().map(|i| key(i.id.as_str())));
        self.offences
            .extend(r.offences.iter().map(|o| key(o.id.as_str())));
        let missing = |table: &str, what: &str, id: &str| {
            StoreError::Integrity(format!(
                "a row of {table} refers to {what} '{id}', which does not exist"
            ))
        };
        let person = |table: &str, id: &PersonId| {
            if self.persons.contains(&key(id.as_str())) {
                Ok(())
            } else {
                Err(missing(table, "person", id.as_str()))
            }
        };
        let incident = |table: &str, id: &IncidentId| {
            if self.incidents.contains(&key(id.as_str())) {
                Ok(())
            } else {
                Err(missing(table, "incident", id.as_str()))
            }
        };
        for i in &r.incidents {
            person("incidents", &i.victim_id)?;
            i.suspect_id
                .iter()
                .try_for_each(|s| person("incidents", s))?;
        }
        for o in &r.offences {
            incident("offences", &o.incident_id)?;
            person("offences", &o.victim_id)?;
            o.suspect_id
                .iter()
                .try_for_each(|s| person("offences", s))?;
        }
        for a in &r.arrests {
            person("arrests", &a.person_id)?;
            a.incident_id
                .iter()
                .try_for_each(|i| incident("arrests", i))?;
            if let Some(o) = &a.offence_id
                && !self.offences.contains(&key(o.as_str()))
            {
                return Err(missing("arrests", "offence", o.as_str()));
            }
        }
        for x in &r.risk_assessments {
            incident("risk_assessments", &x.incident_id)?;
        }
        for x in &r.referrals {
            person("referrals", &x.person_id)?;
            x.incident_id
                .iter()
                .try_for_each(|i| incident("referrals", i))?;
        }
        for x in &r.disclosures {
            person("disclosures", &x.subject_id)?;
            person("disclosures", &x.at_risk_id)?;
        }
        for x in &r.protection_orders {
            person("protection_orders", &x.subject_id)?;
            person("protection_orders", &x.protected_id)?;
            x.incident_id
                .iter()
                .try_for_each(|i| incident("protection_orders", i))?;
        }
        Ok(())
    }
}

/// An import on a dedicated connection: one transaction (`BEGIN IMMEDIATE`, so it holds
/// the write lock from the start); secondary indexes dropped and rebuilt at the end when
/// the store is empty (building an index once over sorted data is far cheaper than
/// maintaining it row by row); foreign keys checked once for the whole transaction
/// instead of per row (in memory when the store was empty). Dropped without `commit`, the
/// connection closes and SQLite rolls the transaction back.
pub struct SqliteImport {
    conn: SqliteConnection,
    /// For an import into an empty store: the indexes to rebuild, and the ids added.
    empty: Option<(Vec<(String, String)>, AddedIds)>,
    /// The change log's triggers, dropped for the import and made again at commit: a bulk
    /// load is logged as one "rebuild" row, not a row per record.
    triggers: Vec<String>,
}

impl SqliteImport {
    pub async fn begin(mut conn: SqliteConnection) -> StoreResult<Self> {
        use crate::backend;
        use sqlx::Row as _;
        // Per-row foreign-key enforcement is off on this connection only (it is never
        // pooled): references are checked once, before commit.
        sqlx::query("PRAGMA foreign_keys = OFF")
            .execute(&mut conn)
            .await
            .map_err(backend)?;
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut conn)
            .await
            .map_err(backend)?;
        let triggers: Vec<(String, String)> = sqlx::query_as(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name != 'record_changes' AND name GLOB '*_changed_*'",
        )
        .fetch_all(&mut conn)
        .await
        .map_err(backend)?;
        for (name, _) in &triggers {
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP TRIGGER {name}")))
                .execute(&mut conn)
                .await
                .map_err(backend)?;
        }
        let triggers = triggers.into_iter().map(|(_, sql)| sql).collect();
        let empty: bool = sqlx::query_scalar("SELECT NOT EXISTS (SELECT 1 FROM persons)")
            .fetch_one(&mut conn)
            .await
            .map_err(backend)?;
        let empty = if empty {
            let indexes: Vec<(String, String)> = sqlx::query(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'",
            )
            .fetch_all(&mut conn)
            .await
            .map_err(backend)?
            .into_iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
            for (name, _) in &indexes {
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP INDEX {name}")))
                    .execute(&mut conn)
                    .await
                    .map_err(backend)?;
            }
            Some((indexes, AddedIds::default()))
        } else {
            None
        };
        Ok(SqliteImport {
            conn,
            empty,
            triggers,
        })
    }
}

#[async_trait::async_trait]
impl vigil_store::ImportSession for SqliteImport {
    async fn add(&mut self, records: &RecordSet) -> StoreResult<()> {
        use crate::backend;
        if let Some((_, added)) = &mut self.empty {
            added.add(records)?;
        }
        let mut handle = self.conn.lock_handle().await.map_err(backend)?;
        insert_all(handle.as_raw_handle().as_ptr(), records)
    }

    async fn add_users(&mut self, users: &[vigil_store::User]) -> StoreResult<()> {
        crate::accounts::insert_users(&mut self.conn, users).await
    }

    async fn add_audit_rows(&mut self, rows: &[vigil_store::AuditRow]) -> StoreResult<()> {
        for row in rows {
            crate::accounts::insert_row(&mut self.conn, row).await?;
        }
        Ok(())
    }

    async fn add_casework(&mut self, work: &vigil_store::Casework) -> StoreResult<()> {
        crate::casework::add_casework(&mut self.conn, work).await
    }

    async fn set_id_counters(&mut self, counters: &[(String, i64)]) -> StoreResult<()> {
        for (kind, next) in counters {
            sqlx::query(
                "INSERT INTO id_sequences (kind, next) VALUES (?1, ?2)
                 ON CONFLICT (kind) DO UPDATE SET next = MAX(next, ?2)",
            )
            .bind(kind)
            .bind(next)
            .execute(&mut self.conn)
            .await
            .map_err(crate::backend)?;
        }
        Ok(())
    }

    async fn commit(
        mut self: Box<Self>,
        info: Option<&vigil_store::ExtractInfo>,
    ) -> StoreResult<()> {
        use crate::backend;
        use sqlx::Row as _;
        let conn = &mut self.conn;
        match &self.empty {
            Some((indexes, _)) => {
                for (_, sql) in indexes {
                    sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                        .execute(&mut *conn)
                        .await
                        .map_err(backend)?;
                }
            }
            None => {
                let violation = sqlx::query("PRAGMA foreign_key_check")
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(backend)?;
                if let Some(v) = violation {
                    let table: String = v.get(0);
                    let parent: String = v.get(2);
                    return Err(StoreError::Integrity(format!(
                        "a row of {table} refers to a {parent} row that does not exist"
                    )));
                }
            }
        }
        for sql in &self.triggers {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .execute(&mut *conn)
                .await
                .map_err(backend)?;
        }
        crate::bump_revision(conn).await?;
        // Every snapshot from before this import must be rebuilt: the log keeps only that.
        for sql in [
            "DELETE FROM record_changes",
            "INSERT INTO record_changes (tbl, row_key, revision)
             SELECT '*', 0, revision FROM store_revision WHERE id = 1",
        ] {
            sqlx::query(sql)
                .execute(&mut *conn)
                .await
                .map_err(backend)?;
        }
        if let Some(info) = info {
            sqlx::query("INSERT INTO extract_info (id, source, as_of) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET source = excluded.source, as_of = excluded.as_of")
                .bind(info.source.as_str())
                .bind(vigil_domain::time::format_date(info.as_of))
                .execute(&mut *conn)
                .await
                .map_err(backend)?;
        }
        sqlx::query("COMMIT")
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
        let _ = sqlx::Connection::close(self.conn).await;
        Ok(())
    }
}
