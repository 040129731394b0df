//! Reading stored rows back into domain records.
//!
//! Values are re-parsed through the domain's constructors, so a database edited by hand
//! into an invalid state is reported, not passed on.

use crate::backend;
use futures_util::TryStreamExt;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection, SqliteExecutor};
use vigil_domain::risk::{AssessmentStage, InstrumentKind, RiskGrade};
use vigil_domain::time::{parse_date, parse_datetime};
use vigil_domain::*;
use vigil_store::{StoreError, StoreResult, Versioned};

pub const TABLE_NAMES: [&str; 9] = [
    "persons",
    "incidents",
    "offences",
    "arrests",
    "risk_assessments",
    "referrals",
    "disclosures",
    "protection_orders",
    "staffing",
];

/// Each table's columns in the extract's order; shared by insert and select.
pub mod columns {
    pub const PERSONS: &[&str] = &[
        "person_id",
        "sex",
        "birth_date",
        "ethnicity",
        "lpa",
        "family_name",
        "given_names",
        "address",
        "postcode",
        "address_confidential",
    ];
    pub const INCIDENTS: &[&str] = &[
        "incident_id",
        "reported_at",
        "lpa",
        "call_grade",
        "arrived_at",
        "response_target_met",
        "victim_id",
        "suspect_id",
        "relationship",
        "children_present",
        "risk_level",
        "dash_yes_count",
    ];
    pub const OFFENCES: &[&str] = &[
        "offence_id",
        "incident_id",
        "ho_code",
        "offence_group",
        "offence_date",
        "recorded_date",
        "victim_id",
        "suspect_id",
        "risk_level",
        "team",
        "outcome_code",
        "outcome_date",
        "bwv_captured",
    ];
    pub const ARRESTS: &[&str] = &[
        "arrest_id",
        "person_id",
        "incident_id",
        "offence_id",
        "arrested_at",
        "bwv_shown_in_interview",
        "disposal",
    ];
    pub const RISK_ASSESSMENTS: &[&str] = &[
        "assessment_id",
        "incident_id",
        "stage",
        "instrument",
        "assessed_at",
        "answers",
        "yes_count",
        "grade",
        "judgement_raised",
    ];
    pub const REFERRALS: &[&str] = &[
        "referral_id",
        "kind",
        "person_id",
        "incident_id",
        "referred_at",
        "agency",
        "consent",
    ];
    pub const DISCLOSURES: &[&str] = &[
        "disclosure_id",
        "route",
        "subject_id",
        "at_risk_id",
        "received_at",
        "decided_at",
        "decision",
        "disclosed_at",
    ];
    pub const PROTECTION_ORDERS: &[&str] = &[
        "order_id",
        "kind",
        "subject_id",
        "protected_id",
        "incident_id",
        "issued_at",
        "expires_at",
        "breached_at",
    ];
    pub const STAFFING: &[&str] = &[
        "as_of",
        "team",
        "lpa",
        "rank",
        "establishment_fte",
        "strength_fte",
        "deployable_fte",
    ];
}

/// One stored row, read column by column in select order, with the table named in errors.
struct Cols<'r> {
    row: &'r SqliteRow,
    table: &'static str,
    next: usize,
}

impl<'r> Cols<'r> {
    fn new(row: &'r SqliteRow, table: &'static str) -> Self {
        Cols {
            row,
            table,
            next: 0,
        }
    }

    fn bad(&self, i: usize, e: impl std::fmt::Display) -> StoreError {
        StoreError::Schema(format!(
            "stored {} column {} holds an unreadable value: {e}",
            self.table,
            i + 1
        ))
    }

    fn opt_text(&mut self) -> StoreResult<Option<&'r str>> {
        let i = self.next;
        self.next += 1;
        self.row
            .try_get::<Option<&str>, _>(i)
            .map_err(|e| self.bad(i, e))
    }

    fn opt<T>(&mut self, parse: fn(&str) -> Result<T, ValueError>) -> StoreResult<Option<T>> {
        let i = self.next;
        match self.opt_text()? {
            None => Ok(None),
            Some(v) => parse(v).map(Some).map_err(|e| self.bad(i, e)),
        }
    }

    fn req<T>(&mut self, parse: fn(&str) -> Result<T, ValueError>) -> StoreResult<T> {
        let i = self.next;
        self.opt(parse)?
            .ok_or_else(|| self.bad(i, "empty where a value is required"))
    }

    fn opt_string(&mut self) -> StoreResult<Option<String>> {
        Ok(self.opt_text()?.map(str::to_owned))
    }

    fn opt_int(&mut self) -> StoreResult<Option<i64>> {
        let i = self.next;
        self.next += 1;
        self.row
            .try_get::<Option<i64>, _>(i)
            .map_err(|e| self.bad(i, e))
    }

    fn opt_bool(&mut self) -> StoreResult<Option<bool>> {
        Ok(self.opt_int()?.map(|n| n != 0))
    }

    fn bool(&mut self) -> StoreResult<bool> {
        let i = self.next;
        self.opt_bool()?
            .ok_or_else(|| self.bad(i, "empty where a value is required"))
    }

    fn real(&mut self) -> StoreResult<f64> {
        let i = self.next;
        self.next += 1;
        self.row.try_get::<f64, _>(i).map_err(|e| self.bad(i, e))
    }
}

fn select(table: &str, cols: &[&str]) -> String {
    format!("SELECT {} FROM {table} ORDER BY rowid", cols.join(","))
}

fn small_count(n: Option<i64>) -> Option<u8> {
    n.and_then(|n| u8::try_from(n).ok())
}

fn person(c: &mut Cols) -> StoreResult<Person> {
    Ok(Person {
        id: c.req(PersonId::parse)?,
        sex: c.req(Sex::parse)?,
        birth_date: c.opt(parse_date)?,
        ethnicity: c.req(Ethnicity::parse)?,
        lpa: c.opt(Lpa::parse)?,
        identity: Identity {
            family_name: c.opt_string()?,
            given_names: c.opt_string()?,
            address: c.opt_string()?,
            postcode: c.opt_string()?,
        },
        address_confidential: c.bool()?,
    })
}

fn incident(c: &mut Cols) -> StoreResult<Incident> {
    Ok(Incident {
        id: c.req(IncidentId::parse)?,
        reported_at: c.req(parse_datetime)?,
        lpa: c.req(Lpa::parse)?,
        call_grade: c.req(CallGrade::parse)?,
        arrived_at: c.opt(parse_datetime)?,
        response_target_met: c.opt_bool()?,
        victim_id: c.req(PersonId::parse)?,
        suspect_id: c.opt(PersonId::parse)?,
        relationship: c.req(Relationship::parse)?,
        children_present: c.bool()?,
        risk_level: c.opt(RiskGrade::parse)?,
        dash_yes_count: small_count(c.opt_int()?),
    })
}

fn offence_row(c: &mut Cols) -> StoreResult<Offence> {
    let id = c.req(OffenceId::parse)?;
    let incident_id = c.req(IncidentId::parse)?;
    let ho_code = c.opt_string()?;
    let offence_group = c.req(OffenceGroup::parse)?;
    let offence_date = c.req(parse_date)?;
    let recorded_date = c.req(parse_date)?;
    let victim_id = c.req(PersonId::parse)?;
    let suspect_id = c.opt(PersonId::parse)?;
    let risk_level = c.opt(RiskGrade::parse)?;
    let team = c.req(InvestigatingTeam::parse)?;
    let code = c.opt(OutcomeCode::parse)?;
    let date = c.opt(parse_date)?;
    let bwv_captured = c.bool()?;
    Ok(Offence {
        id,
        incident_id,
        ho_code,
        offence_group,
        offence_date,
        recorded_date,
        victim_id,
        suspect_id,
        risk_level,
        team,
        outcome: code.zip(date).map(|(code, date)| Outcome { code, date }),
        bwv_captured,
    })
}

fn arrest(c: &mut Cols) -> StoreResult<Arrest> {
    Ok(Arrest {
        id: c.req(ArrestId::parse)?,
        person_id: c.req(PersonId::parse)?,
        incident_id: c.opt(IncidentId::parse)?,
        offence_id: c.opt(OffenceId::parse)?,
        arrested_at: c.req(parse_datetime)?,
        bwv_shown_in_interview: c.opt_bool()?,
        disposal: c.opt(ArrestDisposal::parse)?,
    })
}

fn assessment(c: &mut Cols) -> StoreResult<RiskAssessment> {
    Ok(RiskAssessment {
        id: c.req(AssessmentId::parse)?,
        incident_id: c.req(IncidentId::parse)?,
        stage: c.req(AssessmentStage::parse)?,
        instrument: c.req(InstrumentKind::parse)?,
        assessed_at: c.req(parse_datetime)?,
        answers: c.opt_string()?.unwrap_or_default(),
        yes_count: small_count(c.opt_int()?).unwrap_or(0),
        grade: c.req(RiskGrade::parse)?,
        judgement_raised: c.bool()?,
    })
}

fn referral(c: &mut Cols) -> StoreResult<Referral> {
    Ok(Referral {
        id: c.req(ReferralId::parse)?,
        kind: c.req(ReferralKind::parse)?,
        person_id: c.req(PersonId::parse)?,
        incident_id: c.opt(IncidentId::parse)?,
        referred_at: c.req(parse_datetime)?,
        agency: c.req(Agency::parse)?,
        consent: c.opt_bool()?,
    })
}

fn disclosure(c: &mut Cols) -> StoreResult<Disclosure> {
    Ok(Disclosure {
        id: c.req(DisclosureId::parse)?,
        route: c.req(DisclosureRoute::parse)?,
        subject_id: c.req(PersonId::parse)?,
        at_risk_id: c.req(PersonId::parse)?,
        received_at: c.req(parse_datetime)?,
        decided_at: c.opt(parse_datetime)?,
        decision: c.opt(DisclosureDecision::parse)?,
        disclosed_at: c.opt(parse_datetime)?,
    })
}

fn order(c: &mut Cols) -> StoreResult<ProtectionOrder> {
    Ok(ProtectionOrder {
        id: c.req(OrderId::parse)?,
        kind: c.req(OrderKind::parse)?,
        subject_id: c.req(PersonId::parse)?,
        protected_id: c.req(PersonId::parse)?,
        incident_id: c.opt(IncidentId::parse)?,
        issued_at: c.req(parse_datetime)?,
        expires_at: c.opt(parse_datetime)?,
        breached_at: c.opt(parse_datetime)?,
    })
}

fn staffing(c: &mut Cols) -> StoreResult<StaffingRecord> {
    Ok(StaffingRecord {
        as_of: c.req(parse_date)?,
        team: c.req(StaffTeam::parse)?,
        lpa: c.opt(Lpa::parse)?,
        rank: c.req(Rank::parse)?,
        establishment_fte: c.real()?,
        strength_fte: c.real()?,
        deployable_fte: c.real()?,
    })
}

/// Where exported chunks go.
pub type Sink<'a> = dyn FnMut(RecordSet) -> StoreResult<()> + Send + 'a;

async fn stream<R>(
    conn: &mut SqliteConnection,
    table: &'static str,
    cols: &[&str],
    map: fn(&mut Cols) -> StoreResult<R>,
    chunk: usize,
    wrap: fn(Vec<R>) -> RecordSet,
    sink: &mut Sink<'_>,
) -> StoreResult<()> {
    let sql = select(table, cols);
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *conn);
    let mut buf = Vec::with_capacity(chunk.min(1 << 16));
    while let Some(row) = rows.try_next().await.map_err(backend)? {
        buf.push(map(&mut Cols::new(&row, table))?);
        if buf.len() >= chunk {
            sink(wrap(std::mem::take(&mut buf)))?;
        }
    }
    if !buf.is_empty() {
        sink(wrap(buf))?;
    }
    Ok(())
}

/// Every table in stored order, in chunks of at most `chunk` rows; each chunk is a record
/// set holding rows of one table only, so memory is bounded by the chunk, not the store.
pub async fn each_chunk(
    conn: &mut SqliteConnection,
    chunk: usize,
    sink: &mut Sink<'_>,
) -> StoreResult<()> {
    use columns as c;
    let chunk = chunk.max(1);
    stream(
        conn,
        "persons",
        c::PERSONS,
        person,
        chunk,
        |v| RecordSet {
            persons: v,
            ..RecordSet::default()
        },
        sink,
    )
    .await?;
    stream(
        conn,
        "incidents",
        c::INCIDENTS,
        incident,
        chunk,
        |v| RecordSet {
            incidents: v,
            ..RecordSet::default()
        },
        sink,
    )
    .await?;
    stream(
        conn,
        "offences",
        c::OFFENCES,
        offence_row,
        chunk,
        |v| RecordSet {
            offences: v,
            ..RecordSet::default()
        },
        sink,
    )
    .await?;
    stream(
        conn,
        "arrests",
        c::ARRESTS,
        arrest,
        chunk,
        |v| RecordSet {
            arrests: v,
            ..RecordSet::default()
        },
        sink,
    )
    .await?;
    stream(
        conn,
        "risk_assessments",
        c::RISK_ASSESSMENTS,
        assessment,
        chunk,
        |v| RecordSet {
            risk_assessments: v,
            ..RecordSet::default()
        },
        sink,
    )
    .await?;
    stream(
        conn,
        "referrals",
        c::REFERRALS,
        referral,
        chunk,
        |v| RecordSet {
            referrals: v,
            ..RecordSet::default()
        },
        sink,
    )
    .await?;
    stream(
        conn,
        "disclosures",
        c::DISCLOSURES,
        disclosure,
        chunk,
        |v| RecordSet {
            disclosures: v,
            ..RecordSet::default()
        },
        sink,
    )
    .await?;
    stream(
        conn,
        "protection_orders",
        c::PROTECTION_ORDERS,
        order,
        chunk,
        |v| RecordSet {
            protection_orders: v,
            ..RecordSet::default()
        },
        sink,
    )
    .await?;
    stream(
        conn,
        "staffing",
        c::STAFFING,
        staffing,
        chunk,
        |v| RecordSet {
            staffing: v,
            ..RecordSet::default()
        },
        sink,
    )
    .await?;
    Ok(())
}

/// Every record in memory at once.
pub async fn all(conn: &mut SqliteConnection) -> StoreResult<RecordSet> {
    let mut out = RecordSet::default();
    each_chunk(conn, usize::MAX, &mut |chunk| {
        out.append(chunk);
        Ok(())
    })
    .await?;
    Ok(out)
}

/// One row by its key, with its `version` (for optimistic concurrency).
async fn versioned<'e, R>(
    exec: impl SqliteExecutor<'e>,
    (table, what): (&'static str, &'static str),
    cols: &[&str],
    key: &str,
    id: &str,
    map: fn(&mut Cols) -> StoreResult<R>,
) -> StoreResult<Versioned<R>> {
    let sql = format!(
        "SELECT {}, version FROM {table} WHERE {key} = ?",
        cols.join(",")
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.to_owned())
        .fetch_optional(exec)
        .await
        .map_err(backend)?
        .ok_or_else(|| StoreError::NotFound {
            what,
            id: id.to_owned(),
        })?;
    let mut cols = Cols::new(&row, table);
    let record = map(&mut cols)?;
    let version = cols.opt_int()?.unwrap_or(1);
    Ok(Versioned { record, version })
}

pub async fn offence<'e>(
    exec: impl SqliteExecutor<'e>,
    id: &OffenceId,
) -> StoreResult<Versioned<Offence>> {
    versioned(
        exec,
        ("offences", "offence"),
        columns::OFFENCES,
        "offence_id",
        id.as_str(),
        offence_row,
    )
    .await
}

pub async fn person_by_id(
    pool: &sqlx::SqlitePool,
    id: &PersonId,
) -> StoreResult<Versioned<Person>> {
    versioned(
        pool,
        ("persons", "person"),
        columns::PERSONS,
        "person_id",
        id.as_str(),
        person,
    )
    .await
}

pub async fn incidents_of(pool: &sqlx::SqlitePool, id: &PersonId) -> StoreResult<Vec<Incident>> {
    rows_where(
        pool,
        "incidents",
        columns::INCIDENTS,
        "victim_id = ?1 OR suspect_id = ?1 ORDER BY reported_at DESC LIMIT 500",
        id.as_str(),
        incident,
    )
    .await
}

/// The rows of `table` matching `condition` (the SQL after `WHERE`, ordering included),
/// which names its one value as `?1`.
async fn rows_where<R>(
    pool: &sqlx::SqlitePool,
    table: &'static str,
    cols: &[&str],
    condition: &str,
    value: &str,
    map: fn(&mut Cols) -> StoreResult<R>,
) -> StoreResult<Vec<R>> {
    let sql = format!("SELECT {} FROM {table} WHERE {condition}", cols.join(","));
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(value.to_owned())
        .fetch_all(pool)
        .await
        .map_err(backend)?;
    rows.iter().map(|r| map(&mut Cols::new(r, table))).collect()
}

/// The rows of `table` whose `column` is `id`, in stored order.
async fn rows_for<R>(
    pool: &sqlx::SqlitePool,
    table: &'static str,
    cols: &[&str],
    column: &str,
    id: &str,
    map: fn(&mut Cols) -> StoreResult<R>,
) -> StoreResult<Vec<R>> {
    rows_where(
        pool,
        table,
        cols,
        &format!("{column} = ?1 ORDER BY rowid"),
        id,
        map,
    )
    .await
}

pub async fn case_file(
    pool: &sqlx::SqlitePool,
    id: &IncidentId,
) -> StoreResult<vigil_store::CaseFile> {
    use columns as c;
    let key = id.as_str();
    let incident = rows_for(
        pool,
        "incidents",
        c::INCIDENTS,
        "incident_id",
        key,
        incident,
    )
    .await?
    .pop()
    .ok_or_else(|| StoreError::NotFound {
        what: "incident",
        id: id.to_string(),
    })?;
    Ok(vigil_store::CaseFile {
        incident,
        offences: rows_for(
            pool,
            "offences",
            c::OFFENCES,
            "incident_id",
            key,
            offence_row,
        )
        .await?,
        assessments: rows_for(
            pool,
            "risk_assessments",
            c::RISK_ASSESSMENTS,
            "incident_id",
            key,
            assessment,
        )
        .await?,
        arrests: rows_for(pool, "arrests", c::ARRESTS, "incident_id", key, arrest).await?,
        referrals: rows_for(
            pool,
            "referrals",
            c::REFERRALS,
            "incident_id",
            key,
            referral,
        )
        .await?,
        orders: rows_for(
            pool,
            "protection_orders",
            c::PROTECTION_ORDERS,
            "incident_id",
            key,
            order,
        )
        .await?,
    })
}

/// Investigation queues: incidents with an open offence held by the team; the CRU queue:
/// high-risk incidents whose victim has no MARAC referral since the incident.
pub async fn queue(
    pool: &sqlx::SqlitePool,
    queue: vigil_domain::access::Queue,
    lpa: Option<&Lpa>,
    since: Option<vigil_domain::DateTime>,
    limit: u32,
) -> StoreResult<Vec<vigil_store::QueueItem>> {
    use vigil_domain::access::Queue;
    let risk_order = "CASE i.risk_level WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'standard' THEN 2 ELSE 3 END";
    let sql = match queue {
        Queue::Lpt | Queue::Dait => format!(
            "SELECT i.incident_id, i.victim_id, i.lpa, i.risk_level, MIN(o.recorded_date) || 'T00:00:00', group_concat(o.offence_group, ', ')
             FROM offences o JOIN incidents i ON i.incident_id = o.incident_id
             WHERE o.outcome_code IS NULL AND o.team IN ({}) AND (?1 IS NULL OR i.lpa = ?1) AND (?3 IS NULL OR 1)
             GROUP BY i.incident_id ORDER BY {risk_order}, MIN(o.recorded_date), i.incident_id LIMIT ?2",
            if queue == Queue::Lpt { "'lpt'" } else { "'dait', 'cid'" }
        ),
        Queue::Cru => format!(
            "SELECT i.incident_id, i.victim_id, i.lpa, i.risk_level, i.reported_at, 'no MARAC referral yet'
             FROM incidents i
             WHERE i.risk_level = 'high' AND (?1 IS NULL OR i.lpa = ?1) AND (?3 IS NULL OR i.reported_at >= ?3)
               AND NOT EXISTS (SELECT 1 FROM referrals r WHERE r.person_id = i.victim_id AND r.kind = 'marac' AND r.referred_at >= i.reported_at)
             ORDER BY {risk_order}, i.reported_at, i.incident_id LIMIT ?2"
        ),
    };
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(lpa.map(|l| l.as_str().to_owned()))
        .bind(i64::from(limit))
        .bind(since.map(vigil_domain::time::format_datetime))
        .fetch_all(pool)
        .await
        .map_err(backend)?;
    rows.iter()
        .map(|r| {
            let mut c = Cols::new(r, "incidents");
            Ok(vigil_store::QueueItem {
                incident_id: c.req(IncidentId::parse)?,
                victim_id: c.req(PersonId::parse)?,
                lpa: c.req(Lpa::parse)?,
                risk: c.opt(RiskGrade::parse)?,
                since: c.req(parse_datetime)?,
                detail: c.opt_string()?.unwrap_or_default().replace('_', " "),
            })
        })
        .collect()
}

/// LIKE treats `%` and `_` as wildcards; a name typed into a search box means them
/// literally.
fn like_prefix(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 1);
    for ch in raw.trim().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

pub async fn search_people(
    pool: &sqlx::SqlitePool,
    q: &vigil_store::PersonSearch,
) -> StoreResult<Vec<Person>> {
    let sql = format!(
        "SELECT {} FROM persons
         WHERE family_name >= ?1 COLLATE NOCASE AND family_name <= ?6 COLLATE NOCASE
           AND (?2 IS NULL OR given_names LIKE ?2 ESCAPE '\\' COLLATE NOCASE)
           AND (?3 IS NULL OR birth_date = ?3)
         ORDER BY family_name = ?4 COLLATE NOCASE DESC, family_name COLLATE NOCASE, given_names COLLATE NOCASE, person_id
         LIMIT ?5",
        columns::PERSONS.join(",")
    );
    // The family name as a range rather than LIKE: SQLite will not use an index for a LIKE
    // with an ESCAPE clause, and a name typed in is literal text. Every name starting with
    // the prefix (ignoring ASCII case) sorts between the prefix and the prefix followed by
    // the highest code point.
    let prefix = q.family_name.trim().to_owned();
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(prefix.clone())
        .bind(q.given_names.as_deref().map(like_prefix))
        .bind(q.birth_date.map(vigil_domain::time::format_date))
        .bind(q.family_name.trim().to_owned())
        .bind(i64::from(q.limit))
        .bind(if q.whole_family_name {
            // [name, name] under NOCASE: the whole name, any case.
            prefix.clone()
        } else {
            format!("{prefix}\u{10FFFF}")
        })
        .fetch_all(pool)
        .await
        .map_err(backend)?;
    rows.iter()
        .map(|r| person(&mut Cols::new(r, "persons")))
        .collect()
}

pub async fn incidents_on(
    pool: &sqlx::SqlitePool,
    day: vigil_domain::Date,
    lpa: Option<&Lpa>,
    limit: u32,
) -> StoreResult<Vec<Incident>> {
    let sql = format!(
        "SELECT {} FROM incidents WHERE reported_at >= ?1 AND reported_at < ?2 AND (?3 IS NULL OR lpa = ?3)
         ORDER BY reported_at, incident_id LIMIT ?4",
        columns::INCIDENTS.join(",")
    );
    let next = day.succ_opt().unwrap_or(day);
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(format!("{}T00:00:00", vigil_domain::time::format_date(day)))
        .bind(format!(
            "{}T00:00:00",
            vigil_domain::time::format_date(next)
        ))
        .bind(lpa.map(|l| l.as_str().to_owned()))
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(backend)?;
    rows.iter()
        .map(|r| incident(&mut Cols::new(r, "incidents")))
        .collect()
}

pub async fn referrals_of(pool: &sqlx::SqlitePool, id: &PersonId) -> StoreResult<Vec<Referral>> {
    rows_where(
        pool,
        "referrals",
        columns::REFERRALS,
        "person_id = ?1 ORDER BY referred_at DESC LIMIT 500",
        id.as_str(),
        referral,
    )
    .await
}

pub async fn shared_referrals(
    pool: &sqlx::SqlitePool,
    kinds: &[vigil_domain::ReferralKind],
    agency: vigil_domain::Agency,
    limit: u32,
) -> StoreResult<Vec<vigil_store::SharedReferral>> {
    // The kinds are closed-vocabulary words, never user text, so they can be spelled into
    // the statement.
    let kinds: Vec<String> = kinds.iter().map(|k| format!("'{}'", k.as_str())).collect();
    let kinds = if kinds.is_empty() {
        "NULL".to_owned()
    } else {
        kinds.join(",")
    };
    let cols: Vec<String> = columns::REFERRALS
        .iter()
        .map(|c| format!("r.{c}"))
        .collect();
    let sql = format!(
        "SELECT {}, p.family_name, p.given_names, p.birth_date, i.risk_level, i.children_present
         FROM referrals r JOIN persons p ON p.person_id = r.person_id
         LEFT JOIN incidents i ON i.incident_id = r.incident_id
         WHERE r.kind IN ({kinds}) OR r.agency = ?1
         ORDER BY r.referred_at DESC, r.referral_id LIMIT ?2",
        cols.join(",")
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(agency.as_str())
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(backend)?;
    rows.iter()
        .map(|r| {
            let mut c = Cols::new(r, "referrals");
            Ok(vigil_store::SharedReferral {
                referral: referral(&mut c)?,
                family_name: c.opt_string()?,
                given_names: c.opt_string()?,
                birth_date: c.opt(parse_date)?,
                risk: c.opt(RiskGrade::parse)?,
                children_present: c.opt_bool()?,
            })
        })
        .collect()
}

pub async fn dait_load(pool: &sqlx::SqlitePool, lpa: &Lpa) -> StoreResult<vigil_store::DaitLoad> {
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT o.incident_id) FROM offences o JOIN incidents i ON i.incident_id = o.incident_id
         WHERE o.outcome_code IS NULL AND o.team = 'dait' AND i.lpa = ?",
    )
    .bind(lpa.as_str().to_owned())
    .fetch_one(pool)
    .await
    .map_err(backend)?;
    let fte: Option<f64> = sqlx::query_scalar(
        "SELECT SUM(deployable_fte) FROM staffing
         WHERE team = 'dait' AND lpa = ?1 AND as_of = (SELECT MAX(as_of) FROM staffing WHERE team = 'dait' AND lpa = ?1)",
    )
    .bind(lpa.as_str().to_owned())
    .fetch_one(pool)
    .await
    .map_err(backend)?;
    Ok(vigil_store::DaitLoad {
        open_cases: u32::try_from(open).unwrap_or(u32::MAX),
        deployable_fte: fte,
    })
}
