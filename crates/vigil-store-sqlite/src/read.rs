//! Reading stored rows back into domain records.
//!
//! Values are re-parsed through the domain's constructors, so a database edited by hand
//! into an invalid state is reported, not passed on.

use crate::backend;
use futures_util::TryStreamExt;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection, SqliteExecutor};
use vigil_domain::time::{Date, DateTime, parse_date, parse_datetime};
use vigil_domain::*;
use vigil_store::rows::{self, Cells};
use vigil_store::{StoreError, StoreResult, Versioned};

pub use vigil_store::rows::{TABLE_NAMES, columns};

/// One stored row, read column by column in select order, with the table named in errors.
pub(crate) struct Cols<'r> {
    row: &'r SqliteRow,
    table: &'static str,
    next: usize,
}

impl<'r> Cols<'r> {
    pub(crate) fn new(row: &'r SqliteRow, table: &'static str) -> Self {
        Cols {
            row,
            table,
            next: 0,
        }
    }

    fn get<T>(&mut self) -> StoreResult<T>
    where
        T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
    {
        let i = self.next;
        self.next += 1;
        self.row.try_get::<T, _>(i).map_err(|e| self.bad(e))
    }

    fn parsed<T>(&mut self, parse: fn(&str) -> Result<T, ValueError>) -> StoreResult<Option<T>> {
        match self.get::<Option<&str>>()? {
            None => Ok(None),
            Some(v) => parse(v).map(Some).map_err(|e| self.bad(e)),
        }
    }
}

/// SQLite keeps dates and datetimes as text and booleans as 0/1.
impl Cells for Cols<'_> {
    fn table(&self) -> &'static str {
        self.table
    }
    fn column(&self) -> usize {
        self.next
    }
    fn opt_string(&mut self) -> StoreResult<Option<String>> {
        self.get::<Option<String>>()
    }
    fn opt_int(&mut self) -> StoreResult<Option<i64>> {
        self.get::<Option<i64>>()
    }
    fn opt_real(&mut self) -> StoreResult<Option<f64>> {
        self.get::<Option<f64>>()
    }
    fn opt_bool(&mut self) -> StoreResult<Option<bool>> {
        Ok(self.get::<Option<i64>>()?.map(|n| n != 0))
    }
    fn opt_date(&mut self) -> StoreResult<Option<Date>> {
        self.parsed(parse_date)
    }
    fn opt_datetime(&mut self) -> StoreResult<Option<DateTime>> {
        self.parsed(parse_datetime)
    }
}

fn select(table: &str, cols: &[&str]) -> String {
    format!("SELECT {} FROM {table} ORDER BY rowid", cols.join(","))
}

/// Where exported chunks go.
pub type Sink<'a> = dyn FnMut(RecordSet) -> StoreResult<()> + Send + 'a;

async fn stream<R>(
    conn: &mut SqliteConnection,
    table: &'static str,
    cols: &[&str],
    map: impl Fn(&mut Cols<'_>) -> StoreResult<R>,
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

/// The incidents alone, a chunk at a time (a screen over the whole history reads no more).
pub async fn each_incident_chunk(
    conn: &mut SqliteConnection,
    chunk: usize,
    sink: &mut Sink<'_>,
) -> StoreResult<()> {
    stream(
        conn,
        "incidents",
        columns::INCIDENTS,
        |c| rows::incident(c),
        chunk.max(1),
        |v| RecordSet {
            incidents: v,
            ..RecordSet::default()
        },
        sink,
    )
    .await
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
        |c| rows::person(c),
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
        |c| rows::incident(c),
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
        |c| rows::offence(c),
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
        |c| rows::arrest(c),
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
        |c| rows::assessment(c),
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
        |c| rows::referral(c),
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
        |c| rows::disclosure(c),
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
        |c| rows::order(c),
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
        |c| rows::staffing(c),
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
    map: impl Fn(&mut Cols<'_>) -> StoreResult<R>,
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
        |c| rows::offence(c),
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
        |c| rows::person(c),
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
        |c| rows::incident(c),
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
    map: impl Fn(&mut Cols<'_>) -> StoreResult<R>,
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
    map: impl Fn(&mut Cols<'_>) -> StoreResult<R>,
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
    let incident = rows_for(pool, "incidents", c::INCIDENTS, "incident_id", key, |c| {
        rows::incident(c)
    })
    .await?
    .pop()
    .ok_or_else(|| StoreError::NotFound {
        what: "incident",
        id: id.to_string(),
    })?;
    Ok(vigil_store::CaseFile {
        incident,
        offences: rows_for(pool, "offences", c::OFFENCES, "incident_id", key, |c| {
            rows::offence(c)
        })
        .await?,
        assessments: rows_for(
            pool,
            "risk_assessments",
            c::RISK_ASSESSMENTS,
            "incident_id",
            key,
            |c| rows::assessment(c),
        )
        .await?,
        arrests: rows_for(pool, "arrests", c::ARRESTS, "incident_id", key, |c| {
            rows::arrest(c)
        })
        .await?,
        referrals: rows_for(pool, "referrals", c::REFERRALS, "incident_id", key, |c| {
            rows::referral(c)
        })
        .await?,
        orders: rows_for(
            pool,
            "protection_orders",
            c::PROTECTION_ORDERS,
            "incident_id",
            key,
            |c| rows::order(c),
        )
        .await?,
        children: sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM incident_children WHERE incident_id = ?1 ORDER BY person_id",
            vigil_store::rows::casework_columns::INCIDENT_CHILDREN.join(",")
        )))
        .bind(key)
        .fetch_all(pool)
        .await
        .map_err(crate::backend)?
        .iter()
        .map(|r| rows::child(&mut Cols::new(r, "incident_children")))
        .collect::<StoreResult<_>>()?,
    })
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
        .map(|r| rows::person(&mut Cols::new(r, "persons")))
        .collect()
}

/// The MARAC referrals made in `[since, until)`, with their facts for the return.
pub async fn marac_referral_facts(
    pool: &sqlx::SqlitePool,
    since: DateTime,
    until: DateTime,
) -> StoreResult<Vec<vigil_domain::marac_return::ReferralFacts>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM referrals r JOIN persons p ON p.person_id = r.person_id
         LEFT JOIN incidents i ON i.incident_id = r.incident_id
         LEFT JOIN persons s ON s.person_id = i.suspect_id
         WHERE r.kind = 'marac' AND r.referred_at >= ?1 AND r.referred_at < ?2
         ORDER BY r.referred_at, r.referral_id",
        rows::REFERRAL_FACTS
    )))
    .bind(vigil_domain::time::format_datetime(since))
    .bind(vigil_domain::time::format_datetime(until))
    .fetch_all(pool)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| rows::referral_facts(&mut Cols::new(r, "referrals")))
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
        .map(|r| rows::incident(&mut Cols::new(r, "incidents")))
        .collect()
}

pub async fn referrals_of(pool: &sqlx::SqlitePool, id: &PersonId) -> StoreResult<Vec<Referral>> {
    rows_where(
        pool,
        "referrals",
        columns::REFERRALS,
        "person_id = ?1 ORDER BY referred_at DESC LIMIT 500",
        id.as_str(),
        |c| rows::referral(c),
    )
    .await
}

pub async fn shared_referrals(
    pool: &sqlx::SqlitePool,
    q: &vigil_store::SharedQuery,
) -> StoreResult<vigil_store::Page<vigil_store::SharedReferral>> {
    // The kinds are closed-vocabulary words, never user text, so they can be spelled into
    // the statement.
    let list = |kinds: &[vigil_domain::ReferralKind]| {
        if kinds.is_empty() {
            "NULL".to_owned()
        } else {
            kinds
                .iter()
                .map(|k| format!("'{}'", k.as_str()))
                .collect::<Vec<_>>()
                .join(",")
        }
    };
    let from = format!(
        "FROM referrals r JOIN persons p ON p.person_id = r.person_id
         LEFT JOIN incidents i ON i.incident_id = r.incident_id
         WHERE (r.kind IN ({kinds}) OR r.agency = ?1)
           AND (r.agency = ?1 OR r.kind NOT IN ({consent}) OR r.consent IS NOT 0)
           AND (?2 IS NULL OR COALESCE(i.lpa, p.lpa) = ?2)
           AND (?3 IS NULL OR r.kind = ?3)
           AND (?4 IS NULL OR r.referral_id = ?4)",
        kinds = list(&q.kinds),
        consent = list(&q.consent_kinds)
    );
    let lpa = q.lpa.as_ref().map(|l| l.as_str().to_owned());
    let kind = q.kind.map(|k| k.as_str());
    let id = q.id.as_ref().map(|i| i.as_str());
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {from}")))
        .bind(q.agency.as_str())
        .bind(lpa.as_deref())
        .bind(kind)
        .bind(id)
        .fetch_one(pool)
        .await
        .map_err(backend)?;
    let cols: Vec<String> = columns::REFERRALS
        .iter()
        .map(|c| format!("r.{c}"))
        .collect();
    let sql = format!(
        "SELECT {}, {} {from} ORDER BY r.referred_at DESC, r.referral_id LIMIT ?5 OFFSET ?6",
        cols.join(","),
        rows::SHARED_EXTRA
    );
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(q.agency.as_str())
        .bind(lpa.as_deref())
        .bind(kind)
        .bind(id)
        .bind(i64::from(q.limit))
        .bind(i64::from(q.offset))
        .fetch_all(pool)
        .await
        .map_err(backend)?;
    Ok(vigil_store::Page {
        total: total as u64,
        items: found
            .iter()
            .map(|r| rows::shared_referral(&mut Cols::new(r, "referrals")))
            .collect::<StoreResult<_>>()?,
    })
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

pub async fn disclosures_for(
    pool: &sqlx::SqlitePool,
    id: &PersonId,
) -> StoreResult<Vec<vigil_domain::Disclosure>> {
    rows_where(
        pool,
        "disclosures",
        columns::DISCLOSURES,
        "at_risk_id = ?1 ORDER BY received_at DESC LIMIT 500",
        id.as_str(),
        |c| rows::disclosure(c),
    )
    .await
}

/// One snapshot table's rows with their rowids, in rowid order: every row, or those of
/// `only` (sorted keys).
async fn keyed_stream<R>(
    conn: &mut SqliteConnection,
    (table, cols): (&'static str, &[&str]),
    map: impl Fn(&mut Cols<'_>) -> StoreResult<R>,
    wrap: fn(Vec<R>) -> RecordSet,
    only: Option<&[i64]>,
    chunk: usize,
    sink: &mut vigil_store::KeyedSink<'_>,
) -> StoreResult<()> {
    let select = format!("SELECT {}, rowid FROM {table}", cols.join(","));
    // The keys are integers, written into the statement as such (no text reaches it), in
    // batches well under SQLite's limits.
    let statements: Vec<String> = match only {
        None => vec![format!("{select} ORDER BY rowid")],
        Some(keys) => keys
            .chunks(10_000)
            .map(|part| {
                let list: Vec<String> = part.iter().map(i64::to_string).collect();
                format!(
                    "{select} WHERE rowid IN ({}) ORDER BY rowid",
                    list.join(",")
                )
            })
            .collect(),
    };
    let mut buf = Vec::new();
    let mut keys = Vec::new();
    for sql in statements {
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *conn);
        while let Some(row) = rows.try_next().await.map_err(backend)? {
            buf.push(map(&mut Cols::new(&row, table))?);
            keys.push(row.try_get::<i64, _>(cols.len()).map_err(backend)?);
            if buf.len() >= chunk {
                sink(wrap(std::mem::take(&mut buf)), &std::mem::take(&mut keys))?;
            }
        }
    }
    if !buf.is_empty() {
        sink(wrap(buf), &keys)?;
    }
    Ok(())
}

/// A snapshot table's rows with their keys (see [`keyed_stream`]).
pub async fn keyed_table(
    conn: &mut SqliteConnection,
    table: vigil_store::snapshot_cache::RowTable,
    only: Option<&[i64]>,
    chunk: usize,
    sink: &mut vigil_store::KeyedSink<'_>,
) -> StoreResult<()> {
    use columns as c;
    use vigil_store::snapshot_cache::RowTable as T;
    let chunk = chunk.max(1);
    let name = table.name();
    match table {
        T::Persons => {
            let wrap = |v| RecordSet {
                persons: v,
                ..RecordSet::default()
            };
            keyed_stream(
                conn,
                (name, c::PERSONS),
                |c| rows::person(c),
                wrap,
                only,
                chunk,
                sink,
            )
            .await
        }
        T::Incidents => {
            let wrap = |v| RecordSet {
                incidents: v,
                ..RecordSet::default()
            };
            keyed_stream(
                conn,
                (name, c::INCIDENTS),
                |c| rows::incident(c),
                wrap,
                only,
                chunk,
                sink,
            )
            .await
        }
        T::Offences => {
            let wrap = |v| RecordSet {
                offences: v,
                ..RecordSet::default()
            };
            keyed_stream(
                conn,
                (name, c::OFFENCES),
                |c| rows::offence(c),
                wrap,
                only,
                chunk,
                sink,
            )
            .await
        }
        T::Arrests => {
            let wrap = |v| RecordSet {
                arrests: v,
                ..RecordSet::default()
            };
            keyed_stream(
                conn,
                (name, c::ARRESTS),
                |c| rows::arrest(c),
                wrap,
                only,
                chunk,
                sink,
            )
            .await
        }
        T::Referrals => {
            let wrap = |v| RecordSet {
                referrals: v,
                ..RecordSet::default()
            };
            keyed_stream(
                conn,
                (name, c::REFERRALS),
                |c| rows::referral(c),
                wrap,
                only,
                chunk,
                sink,
            )
            .await
        }
        T::Disclosures => {
            let wrap = |v| RecordSet {
                disclosures: v,
                ..RecordSet::default()
            };
            keyed_stream(
                conn,
                (name, c::DISCLOSURES),
                |c| rows::disclosure(c),
                wrap,
                only,
                chunk,
                sink,
            )
            .await
        }
        T::ProtectionOrders => {
            let wrap = |v| RecordSet {
                protection_orders: v,
                ..RecordSet::default()
            };
            keyed_stream(
                conn,
                (name, c::PROTECTION_ORDERS),
                |c| rows::order(c),
                wrap,
                only,
                chunk,
                sink,
            )
            .await
        }
        T::Staffing => {
            let wrap = |v| RecordSet {
                staffing: v,
                ..RecordSet::default()
            };
            keyed_stream(
                conn,
                (name, c::STAFFING),
                |c| rows::staffing(c),
                wrap,
                only,
                chunk,
                sink,
            )
            .await
        }
    }
}

/// The rowids of the rows of `table` whose `id_column` is one of `ids`.
pub async fn keys_of(
    conn: &mut SqliteConnection,
    (table, id_column): (&str, &str),
    ids: &[String],
) -> StoreResult<std::collections::HashMap<String, i64>> {
    let mut out = std::collections::HashMap::new();
    for part in ids.chunks(500) {
        let marks = vec!["?"; part.len()].join(",");
        let sql = format!("SELECT {id_column}, rowid FROM {table} WHERE {id_column} IN ({marks})");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in part {
            q = q.bind(id.as_str());
        }
        for row in q.fetch_all(&mut *conn).await.map_err(backend)? {
            out.insert(row.get(0), row.get(1));
        }
    }
    Ok(out)
}
