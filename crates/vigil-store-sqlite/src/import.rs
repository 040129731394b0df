//! Bulk insertion of a validated record set, inside the caller's transaction.
//!
//! This is the one place Vigil talks to SQLite's C API directly rather than through sqlx:
//! an import writes millions of rows, and sqlx allocates and sends every bound value to
//! its worker thread, which capped imports near 75,000 rows a second. One prepared
//! statement per table, bound and stepped in a loop on the transaction's own connection,
//! is several times faster and still inside the same transaction, so all-or-nothing holds.

use libsqlite3_sys as ffi;
use sqlx::SqliteConnection;
use std::ffi::{CStr, CString, c_int};
use std::ptr;
use vigil_domain::time::{Date, DateTime, push_date, push_datetime};
use vigil_domain::*;
use vigil_store::{StoreError, StoreResult};

/// Binds one row's values to a prepared statement, in column order.
struct Row {
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

    fn opt_text(&mut self, v: Option<&str>) {
        match v {
            Some(s) => self.text(s),
            None => self.null(),
        }
    }

    fn word(&mut self, v: &'static str) {
        self.text(v);
    }

    fn opt_word(&mut self, v: Option<&'static str>) {
        self.opt_text(v);
    }

    fn bool(&mut self, v: bool) {
        self.int(i64::from(v));
    }

    fn opt_bool(&mut self, v: Option<bool>) {
        match v {
            Some(b) => self.bool(b),
            None => self.null(),
        }
    }

    fn opt_int(&mut self, v: Option<i64>) {
        match v {
            Some(n) => self.int(n),
            None => self.null(),
        }
    }

    fn date(&mut self, d: Date) {
        let mut s = std::mem::take(&mut self.scratch);
        s.clear();
        push_date(&mut s, d);
        self.text(&s);
        self.scratch = s;
    }

    fn opt_date(&mut self, d: Option<Date>) {
        match d {
            Some(d) => self.date(d),
            None => self.null(),
        }
    }

    fn datetime(&mut self, t: DateTime) {
        let mut s = std::mem::take(&mut self.scratch);
        s.clear();
        push_datetime(&mut s, t);
        self.text(&s);
        self.scratch = s;
    }

    fn opt_datetime(&mut self, t: Option<DateTime>) {
        match t {
            Some(t) => self.datetime(t),
            None => self.null(),
        }
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
fn insert<R>(
    db: *mut ffi::sqlite3,
    table: &str,
    columns: &[&str],
    rows: &[R],
    bind: fn(&mut Row, &R),
) -> StoreResult<()> {
    let sql = CString::new(format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        columns.join(","),
        vec!["?"; columns.len()].join(",")
    ))
    .expect("SQL has no NUL byte");
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

fn id(v: &Option<String>) -> Option<&str> {
    v.as_deref()
}

fn pid(v: &Option<PersonId>) -> Option<&str> {
    v.as_ref().map(PersonId::as_str)
}

fn bind_person(b: &mut Row, p: &Person) {
    b.text(p.id.as_str());
    b.word(p.sex.as_str());
    b.opt_date(p.birth_date);
    b.word(p.ethnicity.as_str());
    b.opt_text(p.lpa.as_ref().map(Lpa::as_str));
    b.opt_text(id(&p.identity.family_name));
    b.opt_text(id(&p.identity.given_names));
    b.opt_text(id(&p.identity.address));
    b.opt_text(id(&p.identity.postcode));
    b.bool(p.address_confidential);
}

fn bind_incident(b: &mut Row, i: &Incident) {
    b.text(i.id.as_str());
    b.datetime(i.reported_at);
    b.text(i.lpa.as_str());
    b.word(i.call_grade.as_str());
    b.opt_datetime(i.arrived_at);
    b.opt_bool(i.response_target_met);
    b.text(i.victim_id.as_str());
    b.opt_text(pid(&i.suspect_id));
    b.word(i.relationship.as_str());
    b.bool(i.children_present);
    b.opt_word(i.risk_level.map(|r| r.as_str()));
    b.opt_int(i.dash_yes_count.map(i64::from));
}

fn bind_offence(b: &mut Row, o: &Offence) {
    b.text(o.id.as_str());
    b.text(o.incident_id.as_str());
    b.opt_text(id(&o.ho_code));
    b.word(o.offence_group.as_str());
    b.date(o.offence_date);
    b.date(o.recorded_date);
    b.text(o.victim_id.as_str());
    b.opt_text(pid(&o.suspect_id));
    b.opt_word(o.risk_level.map(|r| r.as_str()));
    b.word(o.team.as_str());
    b.opt_word(o.outcome.map(|x| x.code.as_str()));
    b.opt_date(o.outcome.map(|x| x.date));
    b.bool(o.bwv_captured);
}

fn bind_arrest(b: &mut Row, r: &Arrest) {
    b.text(r.id.as_str());
    b.text(r.person_id.as_str());
    b.opt_text(r.incident_id.as_ref().map(IncidentId::as_str));
    b.opt_text(r.offence_id.as_ref().map(OffenceId::as_str));
    b.datetime(r.arrested_at);
    b.opt_bool(r.bwv_shown_in_interview);
    b.opt_word(r.disposal.map(|d| d.as_str()));
}

fn bind_assessment(b: &mut Row, r: &RiskAssessment) {
    b.text(r.id.as_str());
    b.text(r.incident_id.as_str());
    b.word(r.stage.as_str());
    b.word(r.instrument.as_str());
    b.datetime(r.assessed_at);
    b.text(&r.answers);
    b.int(i64::from(r.yes_count));
    b.word(r.grade.as_str());
    b.bool(r.judgement_raised);
}

fn bind_referral(b: &mut Row, r: &Referral) {
    b.text(r.id.as_str());
    b.word(r.kind.as_str());
    b.text(r.person_id.as_str());
    b.opt_text(r.incident_id.as_ref().map(IncidentId::as_str));
    b.datetime(r.referred_at);
    b.word(r.agency.as_str());
    b.opt_bool(r.consent);
}

fn bind_disclosure(b: &mut Row, d: &Disclosure) {
    b.text(d.id.as_str());
    b.word(d.route.as_str());
    b.text(d.subject_id.as_str());
    b.text(d.at_risk_id.as_str());
    b.datetime(d.received_at);
    b.opt_datetime(d.decided_at);
    b.opt_word(d.decision.map(|x| x.as_str()));
    b.opt_datetime(d.disclosed_at);
}

fn bind_order(b: &mut Row, o: &ProtectionOrder) {
    b.text(o.id.as_str());
    b.word(o.kind.as_str());
    b.text(o.subject_id.as_str());
    b.text(o.protected_id.as_str());
    b.opt_text(o.incident_id.as_ref().map(IncidentId::as_str));
    b.datetime(o.issued_at);
    b.opt_datetime(o.expires_at);
    b.opt_datetime(o.breached_at);
}

fn bind_staffing(b: &mut Row, r: &StaffingRecord) {
    b.date(r.as_of);
    b.word(r.team.as_str());
    b.opt_text(r.lpa.as_ref().map(Lpa::as_str));
    b.word(r.rank.as_str());
    b.real(r.establishment_fte);
    b.real(r.strength_fte);
    b.real(r.deployable_fte);
}

/// Inserts every table, referenced tables first.
pub(crate) fn insert_all(db: *mut ffi::sqlite3, r: &RecordSet) -> StoreResult<()> {
    use crate::read::columns as c;
    insert(db, "persons", c::PERSONS, &r.persons, bind_person)?;
    insert(db, "incidents", c::INCIDENTS, &r.incidents, bind_incident)?;
    insert(db, "offences", c::OFFENCES, &r.offences, bind_offence)?;
    insert(db, "arrests", c::ARRESTS, &r.arrests, bind_arrest)?;
    insert(
        db,
        "risk_assessments",
        c::RISK_ASSESSMENTS,
        &r.risk_assessments,
        bind_assessment,
    )?;
    insert(db, "referrals", c::REFERRALS, &r.referrals, bind_referral)?;
    insert(
        db,
        "disclosures",
        c::DISCLOSURES,
        &r.disclosures,
        bind_disclosure,
    )?;
    insert(
        db,
        "protection_orders",
        c::PROTECTION_ORDERS,
        &r.protection_orders,
        bind_order,
    )?;
    insert(db, "staffing", c::STAFFING, &r.staffing, bind_staffing)?;
    Ok(())
}

/// Checks that every reference in a record set resolves within it (what the schema's
/// foreign keys require when the store was empty).
fn check_references(r: &RecordSet) -> StoreResult<()> {
    use std::collections::HashSet;
    let persons: HashSet<&str> = r.persons.iter().map(|p| p.id.as_str()).collect();
    let incidents: HashSet<&str> = r.incidents.iter().map(|i| i.id.as_str()).collect();
    let offences: HashSet<&str> = r.offences.iter().map(|o| o.id.as_str()).collect();
    let missing = |table: &str, what: &str, id: &str| {
        StoreError::Integrity(format!(
            "a row of {table} refers to {what} '{id}', which does not exist"
        ))
    };
    let person = |table: &str, id: &PersonId| {
        if persons.contains(id.as_str()) {
            Ok(())
        } else {
            Err(missing(table, "person", id.as_str()))
        }
    };
    let incident = |table: &str, id: &IncidentId| {
        if incidents.contains(id.as_str()) {
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
            && !offences.contains(o.as_str())
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

/// The whole import on a dedicated connection: one transaction; secondary indexes dropped
/// and rebuilt when the store is empty (building an index once over sorted data is far
/// cheaper than maintaining it row by row); foreign keys checked once for the whole
/// transaction instead of per row (in memory when the store was empty); the extract's
/// provenance recorded.
pub async fn import(
    conn: &mut SqliteConnection,
    records: &RecordSet,
    info: &vigil_store::ExtractInfo,
) -> StoreResult<()> {
    use crate::backend;
    use sqlx::{Connection, Row as _};
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    let mut tx = conn.begin().await.map_err(backend)?;
    let empty: bool = sqlx::query_scalar("SELECT NOT EXISTS (SELECT 1 FROM persons)")
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
    let indexes: Vec<(String, String)> = if empty {
        sqlx::query(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?
        .into_iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
    } else {
        Vec::new()
    };
    for (name, _) in &indexes {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP INDEX {name}")))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
    }
    {
        let mut handle = tx.lock_handle().await.map_err(backend)?;
        insert_all(handle.as_raw_handle().as_ptr(), records)?;
    }
    for (_, sql) in &indexes {
        sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
    }
    if empty {
        // Into an empty store every reference must resolve within the set itself, which a
        // hash lookup per reference checks far faster than SQLite's per-row index probes.
        check_references(records)?;
    } else {
        let violation = sqlx::query("PRAGMA foreign_key_check")
            .fetch_optional(&mut *tx)
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
    crate::bump_revision(&mut tx).await?;
    sqlx::query("INSERT INTO extract_info (id, source, as_of) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET source = excluded.source, as_of = excluded.as_of")
        .bind(info.source.as_str())
        .bind(vigil_domain::time::format_date(info.as_of))
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    tx.commit().await.map_err(backend)
}
