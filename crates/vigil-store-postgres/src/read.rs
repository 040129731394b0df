//! Reading stored rows back into domain records (through `vigil_store::rows`, so every
//! value is re-parsed by the domain's constructors).
//!
//! Text is ordered with the "C" collation wherever order is visible, so PostgreSQL lists
//! rows exactly as SQLite (which compares bytes) does, whatever the database's locale.

use crate::backend;
use crate::rows::Cols;
use futures_util::TryStreamExt;
use sqlx::{PgConnection, PgExecutor, PgPool};
use vigil_domain::*;
use vigil_store::rows::{self, Cells, columns};
use vigil_store::{StoreError, StoreResult, Versioned};

/// Where exported chunks go.
pub type Sink<'a> = dyn FnMut(RecordSet) -> StoreResult<()> + Send + 'a;

async fn stream<R>(
    conn: &mut PgConnection,
    table: &'static str,
    cols: &[&str],
    map: impl Fn(&mut Cols<'_>) -> StoreResult<R>,
    chunk: usize,
    wrap: fn(Vec<R>) -> RecordSet,
    sink: &mut Sink<'_>,
) -> StoreResult<()> {
    let sql = format!("SELECT {} FROM {table} ORDER BY stored", cols.join(","));
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
    conn: &mut PgConnection,
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
            ..Default::default()
        },
        sink,
    )
    .await
}

/// Every table in stored order, in chunks of at most `chunk` rows of one table each.
pub async fn each_chunk(
    conn: &mut PgConnection,
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
            ..Default::default()
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
            ..Default::default()
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
            ..Default::default()
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
            ..Default::default()
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
            ..Default::default()
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
            ..Default::default()
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
            ..Default::default()
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
            ..Default::default()
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
            ..Default::default()
        },
        sink,
    )
    .await?;
    Ok(())
}

/// One row by its key, with its `version` (for optimistic concurrency); `lock` is appended
/// to the statement (`FOR UPDATE` to hold the row for the caller's transaction).
async fn versioned<'e, R>(
    exec: impl PgExecutor<'e>,
    (table, what, key): (&'static str, &'static str, &'static str),
    cols: &[&str],
    id: &str,
    lock: &str,
    map: impl Fn(&mut Cols<'_>) -> StoreResult<R>,
) -> StoreResult<Versioned<R>> {
    let sql = format!(
        "SELECT {}, version FROM {table} WHERE {key} = $1{lock}",
        cols.join(",")
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(exec)
        .await
        .map_err(backend)?
        .ok_or_else(|| StoreError::NotFound {
            what,
            id: id.to_owned(),
        })?;
    let mut c = Cols::new(&row, table);
    let record = map(&mut c)?;
    let version = c.opt_int()?.unwrap_or(1);
    Ok(Versioned { record, version })
}

/// One offence with its version; `for_update` locks the row for the caller's transaction.
pub async fn offence<'e>(
    exec: impl PgExecutor<'e>,
    id: &OffenceId,
    for_update: bool,
) -> StoreResult<Versioned<Offence>> {
    versioned(
        exec,
        ("offences", "offence", "offence_id"),
        columns::OFFENCES,
        id.as_str(),
        if for_update { " FOR UPDATE" } else { "" },
        |c| rows::offence(c),
    )
    .await
}

pub async fn person_by_id(pool: &PgPool, id: &PersonId) -> StoreResult<Versioned<Person>> {
    versioned(
        pool,
        ("persons", "person", "person_id"),
        columns::PERSONS,
        id.as_str(),
        "",
        |c| rows::person(c),
    )
    .await
}

/// The rows of `table` matching `condition` (the SQL after `WHERE`, ordering included),
/// which names its one value as `$1`.
async fn rows_where<R>(
    pool: &PgPool,
    table: &'static str,
    cols: &[&str],
    condition: &str,
    value: &str,
    map: impl Fn(&mut Cols<'_>) -> StoreResult<R>,
) -> StoreResult<Vec<R>> {
    let sql = format!("SELECT {} FROM {table} WHERE {condition}", cols.join(","));
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(value.to_owned())
        .fetch_all(pool)
        .await
        .map_err(backend)?;
    found
        .iter()
        .map(|r| map(&mut Cols::new(r, table)))
        .collect()
}

pub async fn incidents_of(pool: &PgPool, id: &PersonId) -> StoreResult<Vec<Incident>> {
    rows_where(
        pool,
        "incidents",
        columns::INCIDENTS,
        "victim_id = $1 OR suspect_id = $1 ORDER BY reported_at DESC, stored DESC LIMIT 500",
        id.as_str(),
        |c| rows::incident(c),
    )
    .await
}

pub async fn case_file(pool: &PgPool, id: &IncidentId) -> StoreResult<vigil_store::CaseFile> {
    use columns as c;
    let key = id.as_str();
    let by = "incident_id = $1 ORDER BY stored";
    let incident = rows_where(pool, "incidents", c::INCIDENTS, by, key, |c| {
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
        offences: rows_where(pool, "offences", c::OFFENCES, by, key, |c| rows::offence(c)).await?,
        assessments: rows_where(
            pool,
            "risk_assessments",
            c::RISK_ASSESSMENTS,
            by,
            key,
            |c| rows::assessment(c),
        )
        .await?,
        arrests: rows_where(pool, "arrests", c::ARRESTS, by, key, |c| rows::arrest(c)).await?,
        referrals: rows_where(pool, "referrals", c::REFERRALS, by, key, |c| {
            rows::referral(c)
        })
        .await?,
        orders: rows_where(
            pool,
            "protection_orders",
            c::PROTECTION_ORDERS,
            by,
            key,
            |c| rows::order(c),
        )
        .await?,
        children: sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM incident_children WHERE incident_id = $1 ORDER BY person_id COLLATE \"C\"",
            vigil_store::rows::casework_columns::INCIDENT_CHILDREN.join(",")
        )))
        .bind(key)
        .fetch_all(pool)
        .await
        .map_err(backend)?
        .iter()
        .map(|r| rows::child(&mut Cols::new(r, "incident_children")))
        .collect::<StoreResult<_>>()?,
    })
}

/// LIKE treats `%` and `_` as wildcards; a name typed into a search box means them
/// literally.
fn like_prefix(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 1);
    for ch in raw.trim().to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

pub async fn search_people(
    pool: &PgPool,
    q: &vigil_store::PersonSearch,
) -> StoreResult<Vec<Person>> {
    // The family name as a range over lower(family_name) in byte order (the index
    // persons_family_name_c): the whole name, or every name starting with the prefix, which
    // sorts between the prefix and the prefix followed by the highest code point.
    let family = if q.whole_family_name {
        "lower(family_name) COLLATE \"C\" = lower($1) COLLATE \"C\""
    } else {
        "lower(family_name) COLLATE \"C\" >= lower($1) COLLATE \"C\"
         AND lower(family_name) COLLATE \"C\" <= (lower($1) || chr(1114111)) COLLATE \"C\""
    };
    let sql = format!(
        "SELECT {} FROM persons
         WHERE {family}
           AND ($2::text IS NULL OR lower(given_names) LIKE $2 ESCAPE '\\')
           AND ($3::date IS NULL OR birth_date = $3)
         ORDER BY lower(family_name) = lower($1) DESC, lower(family_name) COLLATE \"C\",
                  lower(given_names) COLLATE \"C\", person_id COLLATE \"C\"
         LIMIT $4",
        columns::PERSONS.join(",")
    );
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(q.family_name.trim().to_owned())
        .bind(q.given_names.as_deref().map(like_prefix))
        .bind(q.birth_date)
        .bind(i64::from(q.limit))
        .fetch_all(pool)
        .await
        .map_err(backend)?;
    found
        .iter()
        .map(|r| rows::person(&mut Cols::new(r, "persons")))
        .collect()
}

/// The MARAC referrals made in `[since, until)`, with their facts for the return.
pub async fn marac_referral_facts(
    pool: &PgPool,
    since: DateTime,
    until: DateTime,
) -> StoreResult<Vec<vigil_domain::marac_return::ReferralFacts>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM referrals r JOIN persons p ON p.person_id = r.person_id
         LEFT JOIN incidents i ON i.incident_id = r.incident_id
         LEFT JOIN persons s ON s.person_id = i.suspect_id
         WHERE r.kind = 'marac' AND r.referred_at >= $1 AND r.referred_at < $2
         ORDER BY r.referred_at, r.referral_id COLLATE \"C\"",
        rows::REFERRAL_FACTS
    )))
    .bind(since)
    .bind(until)
    .fetch_all(pool)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| rows::referral_facts(&mut Cols::new(r, "referrals")))
    .collect()
}

pub async fn incidents_on(
    pool: &PgPool,
    day: Date,
    lpa: Option<&Lpa>,
    limit: u32,
) -> StoreResult<Vec<Incident>> {
    let sql = format!(
        "SELECT {} FROM incidents WHERE reported_at >= $1 AND reported_at < $2 AND ($3::text IS NULL OR lpa = $3)
         ORDER BY reported_at, incident_id COLLATE \"C\" LIMIT $4",
        columns::INCIDENTS.join(",")
    );
    let next = day.succ_opt().unwrap_or(day);
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(day.and_hms_opt(0, 0, 0))
        .bind(next.and_hms_opt(0, 0, 0))
        .bind(lpa.map(|l| l.as_str().to_owned()))
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(backend)?;
    found
        .iter()
        .map(|r| rows::incident(&mut Cols::new(r, "incidents")))
        .collect()
}

pub async fn referrals_of(pool: &PgPool, id: &PersonId) -> StoreResult<Vec<Referral>> {
    rows_where(
        pool,
        "referrals",
        columns::REFERRALS,
        "person_id = $1 ORDER BY referred_at DESC, stored DESC LIMIT 500",
        id.as_str(),
        |c| rows::referral(c),
    )
    .await
}

pub async fn shared_referrals(
    pool: &PgPool,
    q: &vigil_store::SharedQuery,
) -> StoreResult<vigil_store::Page<vigil_store::SharedReferral>> {
    let words = |kinds: &[ReferralKind]| -> Vec<String> {
        kinds.iter().map(|k| k.as_str().to_owned()).collect()
    };
    let from = "FROM referrals r JOIN persons p ON p.person_id = r.person_id
         LEFT JOIN incidents i ON i.incident_id = r.incident_id
         WHERE (r.kind = ANY($1) OR r.agency = $2)
           AND (r.agency = $2 OR NOT (r.kind = ANY($3)) OR r.consent IS NOT FALSE)
           AND ($4::text IS NULL OR COALESCE(i.lpa, p.lpa) = $4)
           AND ($5::text IS NULL OR r.kind = $5)
           AND ($6::text IS NULL OR r.referral_id = $6)";
    let lpa = q.lpa.as_ref().map(|l| l.as_str().to_owned());
    let kind = q.kind.map(|k| k.as_str().to_owned());
    let id = q.id.as_ref().map(|i| i.as_str().to_owned());
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {from}")))
        .bind(words(&q.kinds))
        .bind(q.agency.as_str())
        .bind(words(&q.consent_kinds))
        .bind(lpa.clone())
        .bind(kind.clone())
        .bind(id.clone())
        .fetch_one(pool)
        .await
        .map_err(backend)?;
    let cols: Vec<String> = columns::REFERRALS
        .iter()
        .map(|c| format!("r.{c}"))
        .collect();
    let sql = format!(
        "SELECT {}, {} {from} ORDER BY r.referred_at DESC, r.referral_id COLLATE \"C\" LIMIT $7 OFFSET $8",
        cols.join(","),
        rows::SHARED_EXTRA
    );
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(words(&q.kinds))
        .bind(q.agency.as_str())
        .bind(words(&q.consent_kinds))
        .bind(lpa)
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

pub async fn dait_load(pool: &PgPool, lpa: &Lpa) -> StoreResult<vigil_store::DaitLoad> {
    // Driven from the few open DAIT offences (the partial index), each incident's area
    // looked up by its key: a join would let the planner scan every incident of the area.
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT o.incident_id) FROM offences o
         WHERE o.outcome_code IS NULL AND o.team = 'dait'
           AND (SELECT i.lpa FROM incidents i WHERE i.incident_id = o.incident_id) = $1",
    )
    .bind(lpa.as_str())
    .fetch_one(pool)
    .await
    .map_err(backend)?;
    let fte: Option<f64> = sqlx::query_scalar(
        "SELECT SUM(deployable_fte) FROM staffing
         WHERE team = 'dait' AND lpa = $1 AND as_of = (SELECT MAX(as_of) FROM staffing WHERE team = 'dait' AND lpa = $1)",
    )
    .bind(lpa.as_str())
    .fetch_one(pool)
    .await
    .map_err(backend)?;
    Ok(vigil_store::DaitLoad {
        open_cases: u32::try_from(open).unwrap_or(u32::MAX),
        deployable_fte: fte,
    })
}

pub async fn disclosures_for(
    pool: &PgPool,
    id: &PersonId,
) -> StoreResult<Vec<vigil_domain::Disclosure>> {
    rows_where(
        pool,
        "disclosures",
        columns::DISCLOSURES,
        "at_risk_id = $1 ORDER BY received_at DESC, stored DESC LIMIT 500",
        id.as_str(),
        |c| rows::disclosure(c),
    )
    .await
}

/// One snapshot table's rows with their `stored` keys, in that order: every row, or those of
/// `only` (sorted keys).
async fn keyed_stream<R>(
    conn: &mut PgConnection,
    (table, cols): (&'static str, &[&str]),
    map: impl Fn(&mut Cols<'_>) -> StoreResult<R>,
    wrap: fn(Vec<R>) -> RecordSet,
    only: Option<&[i64]>,
    chunk: usize,
    sink: &mut vigil_store::KeyedSink<'_>,
) -> StoreResult<()> {
    let select = format!("SELECT {}, stored FROM {table}", cols.join(","));
    let (sql, keys_bound) = match only {
        None => (format!("{select} ORDER BY stored"), None),
        Some(keys) => (
            format!("{select} WHERE stored = ANY($1) ORDER BY stored"),
            Some(keys.to_vec()),
        ),
    };
    let mut buf = Vec::new();
    let mut keys = Vec::new();
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(k) = keys_bound {
        query = query.bind(k);
    }
    let mut rows = query.fetch(&mut *conn);
    while let Some(row) = rows.try_next().await.map_err(backend)? {
        buf.push(map(&mut Cols::new(&row, table))?);
        keys.push(sqlx::Row::try_get::<i64, _>(&row, cols.len()).map_err(backend)?);
        if buf.len() >= chunk {
            sink(wrap(std::mem::take(&mut buf)), &std::mem::take(&mut keys))?;
        }
    }
    if !buf.is_empty() {
        sink(wrap(buf), &keys)?;
    }
    Ok(())
}

/// A snapshot table's rows with their keys (see [`keyed_stream`]).
pub async fn keyed_table(
    conn: &mut PgConnection,
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

/// The `stored` keys of the rows of `table` whose `id_column` is one of `ids`.
pub async fn keys_of(
    conn: &mut PgConnection,
    (table, id_column): (&str, &str),
    ids: &[String],
) -> StoreResult<std::collections::HashMap<String, i64>> {
    let sql = format!("SELECT {id_column}, stored FROM {table} WHERE {id_column} = ANY($1)");
    let rows: Vec<(String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(ids)
        .fetch_all(&mut *conn)
        .await
        .map_err(backend)?;
    Ok(rows.into_iter().collect())
}
