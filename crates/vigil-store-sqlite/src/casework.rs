//! Casework on SQLite: a case's live state, its log and its tasks; the work queues and
//! work lists that select by them. Which rows belong is the domain's (`vigil_domain::case`,
//! `::tasks`); the SQL pre-selects by indexed columns and pages in the domain's order.

use crate::import::{insert, update_rows};
use crate::read::Cols;
use crate::{accounts, backend, bump_revision, write_tx};
use sqlx::{Row, SqlitePool};
use vigil_domain::access::Queue;
use vigil_domain::tasks::OwnerFilter;
use vigil_domain::time::format_datetime;
use vigil_domain::{IncidentId, InvestigatingTeam, Lpa};
use vigil_store::rows::{self, Cells, casework_columns as cc, columns};
use vigil_store::{
    AuditEntry, CaseChange, CaseWork, Caseload, Page, QueueItem, QueueQuery, StoreError,
    StoreResult, TaskItem, TaskQuery, TaskState, Versioned,
};

pub async fn case_work(pool: &SqlitePool, id: &IncidentId) -> StoreResult<CaseWork> {
    let key = id.as_str();
    let state = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {}, version FROM case_state WHERE incident_id = ?1",
        cc::CASE_STATE.join(",")
    )))
    .bind(key)
    .fetch_optional(pool)
    .await
    .map_err(backend)?
    .map(|r| {
        let record = rows::case_state(&mut Cols::new(&r, "case_state"))?;
        let version: i64 = r.try_get(cc::CASE_STATE.len()).map_err(backend)?;
        Ok::<_, StoreError>(Versioned { record, version })
    })
    .transpose()?;
    let log = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM case_events WHERE incident_id = ?1 ORDER BY seq",
        cc::CASE_EVENTS.join(",")
    )))
    .bind(key)
    .fetch_all(pool)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| rows::case_event(&mut Cols::new(r, "case_events")))
    .collect::<StoreResult<_>>()?;
    let tasks = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM tasks WHERE incident_id = ?1 ORDER BY due_at, kind, key",
        cc::TASKS.join(",")
    )))
    .bind(key)
    .fetch_all(pool)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| rows::task(&mut Cols::new(r, "tasks")))
    .collect::<StoreResult<_>>()?;
    Ok(CaseWork { state, log, tasks })
}

pub async fn save_case(
    pool: &SqlitePool,
    change: &CaseChange,
    audit: &[AuditEntry],
) -> StoreResult<i64> {
    let id = change.state.incident_id.as_str();
    let mut tx = write_tx(pool).await?;
    {
        let mut handle = tx.lock_handle().await.map_err(backend)?;
        let db = handle.as_raw_handle().as_ptr();
        crate::import::insert_all(db, &change.records)?;
        insert(
            db,
            "incident_children",
            cc::INCIDENT_CHILDREN,
            &change.children,
            rows::child_values,
        )?;
        insert(
            db,
            "encompass_notifications",
            cc::ENCOMPASS,
            &change.encompass,
            rows::encompass_values,
        )?;
        insert(
            db,
            "marac_referral_forms",
            cc::MARAC_FORMS,
            &change.marac_forms,
            rows::marac_form_values,
        )?;
        insert(
            db,
            "mash_cases",
            cc::MASH_CASES,
            &change.mash,
            rows::mash_case_values,
        )?;
        if let Some(i) = &change.incident {
            update_rows(
                db,
                "incidents",
                columns::INCIDENTS,
                std::slice::from_ref(i),
                rows::incident_values,
            )?;
        }
        update_rows(
            db,
            "arrests",
            columns::ARRESTS,
            &change.arrests,
            rows::arrest_values,
        )?;
    }
    if let Some(g) = change.offence_grade {
        sqlx::query(
            "UPDATE offences SET risk_level = ?1, version = version + 1 WHERE incident_id = ?2",
        )
        .bind(g.as_str())
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    }
    // The write lock is held from BEGIN IMMEDIATE: the version read here cannot change
    // before the update below.
    let found: Option<i64> =
        sqlx::query_scalar("SELECT version FROM case_state WHERE incident_id = ?1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
    if found != change.expected_version {
        return Err(StoreError::Conflict {
            what: "case",
            id: id.to_owned(),
            expected: change.expected_version.unwrap_or(0),
            found: found.unwrap_or(0),
        });
    }
    {
        let mut handle = tx.lock_handle().await.map_err(backend)?;
        let db = handle.as_raw_handle().as_ptr();
        let state = std::slice::from_ref(&change.state);
        if found.is_some() {
            update_rows(
                db,
                "case_state",
                cc::CASE_STATE,
                state,
                rows::case_state_values,
            )?;
        } else {
            insert(
                db,
                "case_state",
                cc::CASE_STATE,
                state,
                rows::case_state_values,
            )?;
        }
        let log: Vec<_> = change
            .log
            .iter()
            .map(|e| (change.state.incident_id.clone(), e.clone()))
            .collect();
        insert(
            db,
            "case_events",
            cc::CASE_EVENTS,
            &log,
            rows::case_event_values,
        )?;
    }
    sqlx::query("DELETE FROM tasks WHERE incident_id = ?1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    {
        let mut handle = tx.lock_handle().await.map_err(backend)?;
        let db = handle.as_raw_handle().as_ptr();
        insert(db, "tasks", cc::TASKS, &change.tasks, rows::task_values)?;
    }
    if let Some((notice, version)) = &change.notice {
        crate::notices::save_in(&mut tx, notice, Some(*version)).await?;
    }
    for e in audit {
        accounts::append(&mut tx, e).await?;
    }
    bump_revision(&mut tx).await?;
    tx.commit().await.map_err(backend)?;
    Ok(found.map_or(1, |v| v + 1))
}

/// Appends log entries inside a caller's transaction (an outcome recorded with the previous
/// one kept).
pub async fn append_log(
    conn: &mut sqlx::SqliteConnection,
    incident: &IncidentId,
    log: &[vigil_domain::casework::CaseEvent],
) -> StoreResult<()> {
    let rows: Vec<_> = log.iter().map(|e| (incident.clone(), e.clone())).collect();
    let mut handle = conn.lock_handle().await.map_err(backend)?;
    insert(
        handle.as_raw_handle().as_ptr(),
        "case_events",
        cc::CASE_EVENTS,
        &rows,
        rows::case_event_values,
    )
}

fn words<T: Copy>(items: &[T], word: fn(T) -> &'static str) -> String {
    // Closed-vocabulary words, never user text.
    items
        .iter()
        .map(|t| format!("'{}'", word(*t)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The rows a queue holds, as one SELECT with the columns of `rows::queue_item` before the
/// victim's names: incident, victim, area, risk, since, detail, officer, status.
fn queue_items(q: &QueueQuery) -> String {
    let grade = vigil_domain::case::CRU_QUEUE_GRADE.as_str();
    let no_marac = "NOT EXISTS (SELECT 1 FROM referrals r WHERE r.person_id = i.victim_id AND r.kind = 'marac' AND r.referred_at >= i.reported_at)";
    let open_offences = "(SELECT group_concat(o.offence_group, ', ') FROM offences o WHERE o.incident_id = i.incident_id AND o.outcome_code IS NULL)";
    match q.queue {
        Queue::Lpt | Queue::Dait => {
            let teams = words(vigil_domain::case::queue_teams(q.queue), InvestigatingTeam::as_str);
            format!(
                "SELECT i.incident_id, i.victim_id, i.lpa, c.grade AS risk, COALESCE(c.routed_at, i.reported_at) AS since,
                        COALESCE({open_offences}, 'no offence recorded yet') AS detail, c.allocated_to, c.status
                 FROM case_state c JOIN incidents i ON i.incident_id = c.incident_id
                 WHERE c.team IN ({teams}) AND c.status <> 'finalised' AND (?1 IS NULL OR c.lpa = ?1)
                   AND (?3 IS NULL OR c.allocated_to = ?3)
                 UNION ALL
                 SELECT i.incident_id, i.victim_id, i.lpa, i.risk_level, MIN(o.recorded_date) || 'T00:00:00',
                        group_concat(o.offence_group, ', '), NULL, NULL
                 FROM offences o JOIN incidents i ON i.incident_id = o.incident_id
                 WHERE o.outcome_code IS NULL AND o.team IN ({teams}) AND (?1 IS NULL OR i.lpa = ?1) AND ?3 IS NULL
                   AND NOT EXISTS (SELECT 1 FROM case_state c WHERE c.incident_id = i.incident_id)
                 GROUP BY i.incident_id"
            )
        }
        Queue::Cru => format!(
            "SELECT i.incident_id, i.victim_id, i.lpa, c.grade AS risk, i.reported_at AS since,
                    'no MARAC referral yet' AS detail, c.allocated_to, c.status
             FROM case_state c JOIN incidents i ON i.incident_id = c.incident_id
             WHERE c.grade = '{grade}' AND (?1 IS NULL OR c.lpa = ?1) AND (?3 IS NULL OR c.allocated_to = ?3)
               AND (?4 IS NULL OR i.reported_at >= ?4) AND {no_marac}
             UNION ALL
             SELECT i.incident_id, i.victim_id, i.lpa, i.risk_level, i.reported_at, 'no MARAC referral yet', NULL, NULL
             FROM incidents i
             WHERE i.risk_level = '{grade}' AND (?1 IS NULL OR i.lpa = ?1) AND ?3 IS NULL
               AND (?4 IS NULL OR i.reported_at >= ?4) AND {no_marac}
               AND NOT EXISTS (SELECT 1 FROM case_state c WHERE c.incident_id = i.incident_id)"
        ),
        Queue::Awaiting => "SELECT i.incident_id, i.victim_id, i.lpa, NULL AS risk, i.reported_at AS since,
                    'awaiting the primary risk assessment' AS detail, c.allocated_to, c.status
             FROM case_state c JOIN incidents i ON i.incident_id = c.incident_id
             WHERE c.team IS NULL AND c.status = 'open' AND (?1 IS NULL OR c.lpa = ?1)
               AND (?3 IS NULL OR c.allocated_to = ?3)"
            .to_owned(),
    }
}

pub async fn queue(pool: &SqlitePool, q: &QueueQuery) -> StoreResult<Page<QueueItem>> {
    let items = queue_items(q);
    let filter = "(?2 IS NULL OR q.risk = ?2) AND (?5 IS NULL OR q.since < ?5)";
    let risk_order =
        "CASE q.risk WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'standard' THEN 2 ELSE 3 END";
    // The domain says which way a queue runs in time.
    let time_order = if vigil_domain::case::newest_first(q.queue) {
        "q.since DESC"
    } else {
        "q.since"
    };
    let bind = |sql: String| {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(q.lpa.as_ref().map(|l| l.as_str().to_owned()))
            .bind(q.risk.map(|r| r.as_str()))
            .bind(q.officer.as_ref().map(|u| u.as_str().to_owned()))
            .bind(q.since.map(format_datetime))
            .bind(q.waiting_before.map(format_datetime))
            .bind(i64::from(q.limit))
            .bind(i64::from(q.offset))
    };
    let total: i64 = bind(format!(
        "WITH q AS ({items}) SELECT COUNT(*) FROM q WHERE {filter} AND (?7 IS NULL OR 1)"
    ))
    .fetch_one(pool)
    .await
    .map_err(backend)?
    .try_get(0)
    .map_err(backend)?;
    let found = bind(format!(
        "WITH q AS ({items})
         SELECT q.*, p.family_name, p.given_names FROM q JOIN persons p ON p.person_id = q.victim_id
         WHERE {filter} ORDER BY {risk_order}, {time_order}, q.incident_id LIMIT ?6 OFFSET ?7"
    ))
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    Ok(Page {
        total: total as u64,
        items: found
            .iter()
            .map(|r| rows::queue_item(&mut Cols::new(r, "incidents")))
            .collect::<StoreResult<_>>()?,
    })
}

pub async fn tasks(pool: &SqlitePool, q: &TaskQuery) -> StoreResult<Page<TaskItem>> {
    let (owner, officer, lpa) = match &q.owner {
        OwnerFilter::Officer(u) => ("t.officer = ?1".to_owned(), Some(u.as_str()), None),
        OwnerFilter::Teams(teams, lpa) => (
            format!(
                "t.officer IS NULL AND t.team IN ({}) AND (?2 IS NULL OR t.lpa = ?2)",
                words(teams, vigil_domain::tasks::WorkTeam::as_str)
            ),
            None,
            lpa.as_ref().map(Lpa::as_str),
        ),
    };
    let state = match q.state {
        TaskState::Open => "t.done_at IS NULL",
        TaskState::Overdue => "t.done_at IS NULL AND t.due_at < ?3",
        TaskState::Done => "t.done_at IS NOT NULL",
    };
    let order = match q.state {
        TaskState::Done => "t.done_at DESC",
        _ => "t.due_at",
    };
    let cols: Vec<String> = cc::TASKS.iter().map(|c| format!("t.{c}")).collect();
    let bind = |sql: String| {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(officer.map(str::to_owned))
            .bind(lpa.map(str::to_owned))
            .bind(format_datetime(q.now))
            .bind(i64::from(q.limit))
            .bind(i64::from(q.offset))
    };
    let total: i64 = bind(format!(
        "SELECT COUNT(*) FROM tasks t WHERE {owner} AND {state} AND (?3 IS NULL OR 1) AND (?5 IS NULL OR 1)"
    ))
    .fetch_one(pool)
    .await
    .map_err(backend)?
    .try_get(0)
    .map_err(backend)?;
    let found = bind(format!(
        // The page is chosen from the tasks alone (by the partial indexes), then joined to
        // its victims: joining first would read every open task's incident and person.
        "SELECT {}, i.victim_id, p.family_name, p.given_names
         FROM (SELECT * FROM tasks t WHERE {owner} AND {state} AND (?3 IS NULL OR 1)
               ORDER BY {order}, t.incident_id, t.kind, t.key LIMIT ?4 OFFSET ?5) t
         JOIN incidents i ON i.incident_id = t.incident_id JOIN persons p ON p.person_id = i.victim_id
         ORDER BY {order}, t.incident_id, t.kind, t.key",
        cols.join(",")
    ))
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    Ok(Page {
        total: total as u64,
        items: found
            .iter()
            .map(|r| rows::task_item(&mut Cols::new(r, "tasks")))
            .collect::<StoreResult<_>>()?,
    })
}

pub async fn caseloads(
    pool: &SqlitePool,
    teams: &[InvestigatingTeam],
    lpa: Option<&Lpa>,
) -> StoreResult<Vec<Caseload>> {
    let found = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT allocated_to, COUNT(*) FROM case_state
         WHERE allocated_to IS NOT NULL AND status <> 'finalised' AND team IN ({}) AND (?1 IS NULL OR lpa = ?1)
         GROUP BY allocated_to ORDER BY allocated_to",
        words(teams, InvestigatingTeam::as_str)
    )))
    .bind(lpa.map(|l| l.as_str().to_owned()))
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    found
        .iter()
        .map(|r| rows::caseload(&mut Cols::new(r, "case_state")))
        .collect()
}

/// Every row of a table (its `cols`) in `order`, read through `map`.
async fn all_rows<R>(
    conn: &mut sqlx::SqliteConnection,
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

/// Every row of a versioned table in `order`, each with its version.
async fn all_versioned<R>(
    conn: &mut sqlx::SqliteConnection,
    table: &'static str,
    cols: &[&str],
    order: &str,
    map: impl Fn(&mut Cols<'_>) -> StoreResult<R>,
) -> StoreResult<Vec<Versioned<R>>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {}, version FROM {table} ORDER BY {order}",
        cols.join(",")
    )))
    .fetch_all(&mut *conn)
    .await
    .map_err(backend)?
    .iter()
    .map(|r| {
        let record = map(&mut Cols::new(r, table))?;
        let version: i64 = r.try_get(cols.len()).map_err(backend)?;
        Ok(Versioned { record, version })
    })
    .collect()
}

/// Every case's casework, in one read transaction so states, logs and tasks agree.
pub async fn casework(pool: &SqlitePool) -> StoreResult<vigil_store::Casework> {
    let mut tx = pool.begin().await.map_err(backend)?;
    let states = all_versioned(&mut tx, "case_state", cc::CASE_STATE, "incident_id", |c| {
        rows::case_state(c)
    })
    .await?;
    let log = all_rows(&mut tx, "case_events", cc::CASE_EVENTS, "seq", |c| {
        rows::case_event_of(c)
    })
    .await?;
    let tasks = all_rows(&mut tx, "tasks", cc::TASKS, "incident_id, kind, key", |c| {
        rows::task(c)
    })
    .await?;
    let contacts = all_versioned(
        &mut tx,
        "contact_preferences",
        cc::CONTACT_PREFERENCES,
        "person_id",
        |c| rows::contact(c),
    )
    .await?;
    let children = all_rows(
        &mut tx,
        "incident_children",
        cc::INCIDENT_CHILDREN,
        "incident_id, person_id",
        |c| rows::child(c),
    )
    .await?;
    let restrictions = crate::restrictions::all(&mut *tx).await?;
    let encompass = all_rows(
        &mut tx,
        "encompass_notifications",
        cc::ENCOMPASS,
        "referral_id",
        |c| rows::encompass(c),
    )
    .await?;
    let meetings = crate::meetings::all(&mut *tx, None).await?;
    let idva = crate::idva::TABLE.all(&mut *tx).await?;
    let mash = crate::mash::TABLE.all(&mut *tx).await?;
    let dvds = crate::dvds::TABLE.all(&mut *tx).await?;
    let notices = crate::notices::all(&mut tx).await?;
    let research = crate::meetings::research(&mut *tx, None).await?;
    let actions = crate::meetings::actions(&mut *tx, &vigil_store::ActionQuery::default()).await?;
    let marac = crate::marac_record::record(&mut tx, None).await?;
    let (cohort_runs, cohort_allocations) = crate::cohorts::all(&mut tx).await?;
    tx.commit().await.map_err(backend)?;
    Ok(vigil_store::Casework {
        states,
        log,
        tasks,
        contacts,
        children,
        restrictions,
        encompass,
        meetings,
        actions,
        idva,
        mash,
        dvds,
        notices,
        research,
        marac,
        cohort_runs,
        cohort_allocations,
    })
}

/// Adds copied casework inside an import's transaction.
pub async fn add_casework(
    conn: &mut sqlx::SqliteConnection,
    work: &vigil_store::Casework,
) -> StoreResult<()> {
    {
        let mut handle = conn.lock_handle().await.map_err(backend)?;
        let db = handle.as_raw_handle().as_ptr();
        let states: Vec<_> = work.states.iter().map(|s| s.record.clone()).collect();
        insert(
            db,
            "case_state",
            cc::CASE_STATE,
            &states,
            rows::case_state_values,
        )?;
        insert(
            db,
            "case_events",
            cc::CASE_EVENTS,
            &work.log,
            rows::case_event_values,
        )?;
        insert(db, "tasks", cc::TASKS, &work.tasks, rows::task_values)?;
        insert(
            db,
            "incident_children",
            cc::INCIDENT_CHILDREN,
            &work.children,
            rows::child_values,
        )?;
        insert(
            db,
            "encompass_notifications",
            cc::ENCOMPASS,
            &work.encompass,
            rows::encompass_values,
        )?;
        let contacts: Vec<_> = work.contacts.iter().map(|c| c.record.clone()).collect();
        insert(
            db,
            "contact_preferences",
            cc::CONTACT_PREFERENCES,
            &contacts,
            rows::contact_values,
        )?;
    }
    for c in &work.contacts {
        sqlx::query("UPDATE contact_preferences SET version = ?1 WHERE person_id = ?2")
            .bind(c.version)
            .bind(c.record.person_id.as_str())
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
    }
    for s in &work.states {
        sqlx::query("UPDATE case_state SET version = ?1 WHERE incident_id = ?2")
            .bind(s.version)
            .bind(s.record.incident_id.as_str())
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
    }
    crate::restrictions::put(&mut *conn, &work.restrictions).await?;
    crate::meetings::put(&mut *conn, &work.meetings).await?;
    crate::meetings::put_actions(&mut *conn, &work.actions).await?;
    crate::meetings::put_research(&mut *conn, &work.research).await?;
    crate::idva::TABLE.put(&mut *conn, &work.idva).await?;
    crate::mash::TABLE.put(&mut *conn, &work.mash).await?;
    crate::dvds::TABLE.put(&mut *conn, &work.dvds).await?;
    crate::notices::put(&mut *conn, &work.notices).await?;
    crate::marac_record::put(&mut *conn, &work.marac).await?;
    crate::cohorts::put(&mut *conn, &work.cohort_runs, &work.cohort_allocations).await?;
    Ok(())
}

pub async fn outstanding_suspects(
    pool: &SqlitePool,
    q: &vigil_store::SuspectQuery,
) -> StoreResult<Page<vigil_store::SuspectItem>> {
    let list = rows::outstanding_suspects_sql("group_concat", "char(31)", "?1", "?2");
    let bind = |sql: String| {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(q.team.map(InvestigatingTeam::as_str))
            .bind(q.lpa.as_ref().map(|l| l.as_str().to_owned()))
            .bind(i64::from(q.limit))
            .bind(i64::from(q.offset))
    };
    // One pass over the list: the page is chosen from it alone (with the list's size beside
    // each row), then the names joined.
    let found = bind(format!(
        "WITH s AS ({list}),
         page AS (SELECT *, COUNT(*) OVER () AS total FROM s ORDER BY since, incident_id, suspect_id, team LIMIT ?3 OFFSET ?4)
         SELECT page.incident_id, page.suspect_id, page.team, page.lpa, page.victim_id, page.since, page.offences,
                sp.family_name, sp.given_names, vp.family_name, vp.given_names, page.total
         FROM page LEFT JOIN persons sp ON sp.person_id = page.suspect_id
                   LEFT JOIN persons vp ON vp.person_id = page.victim_id
         ORDER BY since, incident_id, suspect_id, team"
    ))
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    let total: i64 = match found.first() {
        Some(r) => r.try_get(SUSPECT_TOTAL).map_err(backend)?,
        // A page past the end: the list's size asked for on its own.
        None => bind(format!(
            "WITH s AS ({list}) SELECT COUNT(*) FROM s WHERE ?3 IS NOT NULL AND ?4 IS NOT NULL"
        ))
        .fetch_one(pool)
        .await
        .map_err(backend)?
        .try_get(0)
        .map_err(backend)?,
    };
    Ok(Page {
        total: total as u64,
        items: found
            .iter()
            .map(|r| rows::suspect_item(&mut Cols::new(r, "offences")))
            .collect::<StoreResult<_>>()?,
    })
}

/// The column holding the list's size in an outstanding-suspects page row.
const SUSPECT_TOTAL: usize = 11;

pub async fn contact_preferences(
    pool: &SqlitePool,
    id: &vigil_domain::PersonId,
) -> StoreResult<Option<Versioned<vigil_domain::contact::ContactPreferences>>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {}, version FROM contact_preferences WHERE person_id = ?1",
        cc::CONTACT_PREFERENCES.join(",")
    )))
    .bind(id.as_str())
    .fetch_optional(pool)
    .await
    .map_err(backend)?
    .map(|r| {
        let record = rows::contact(&mut Cols::new(&r, "contact_preferences"))?;
        let version: i64 = r.try_get(cc::CONTACT_PREFERENCES.len()).map_err(backend)?;
        Ok(Versioned { record, version })
    })
    .transpose()
}

pub async fn save_contact_preferences(
    pool: &SqlitePool,
    p: &vigil_domain::contact::ContactPreferences,
    expected: Option<i64>,
    audit: &AuditEntry,
) -> StoreResult<i64> {
    let id = p.person_id.as_str();
    let mut tx = crate::write_tx(pool).await?;
    let found: Option<i64> =
        sqlx::query_scalar("SELECT version FROM contact_preferences WHERE person_id = ?1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
    let conflict = |found: Option<i64>| StoreError::Conflict {
        what: "contact preferences",
        id: id.to_owned(),
        expected: expected.unwrap_or(0),
        found: found.unwrap_or(0),
    };
    if found != expected {
        return Err(conflict(found));
    }
    if found.is_some() {
        sqlx::query(
            "UPDATE contact_preferences SET method = ?1, safe_number = ?2, safe_times = ?3, avoid = ?4, recorded_at = ?5, recorded_by = ?6, version = version + 1 WHERE person_id = ?7",
        )
        .bind(p.method.as_str())
        .bind(p.safe_number.as_deref())
        .bind(p.safe_times.as_str())
        .bind(p.avoid.as_str())
        .bind(vigil_domain::time::format_datetime(p.recorded_at))
        .bind(p.recorded_by.as_str())
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    } else {
        {
            let mut handle = tx.lock_handle().await.map_err(backend)?;
            insert(
                handle.as_raw_handle().as_ptr(),
                "contact_preferences",
                cc::CONTACT_PREFERENCES,
                std::slice::from_ref(p),
                rows::contact_values,
            )?;
        }
    }
    accounts::append(&mut tx, audit).await?;
    tx.commit().await.map_err(backend)?;
    Ok(found.map_or(1, |v| v + 1))
}

/// The notifications asked for, soonest due first, with the child and the incident's time.
pub async fn encompass(
    pool: &SqlitePool,
    q: &vigil_store::EncompassQuery,
) -> StoreResult<vigil_store::Page<vigil_store::EncompassItem>> {
    let from = "FROM encompass_notifications e JOIN persons p ON p.person_id = e.child_id
         JOIN incidents i ON i.incident_id = e.incident_id
         WHERE (?1 IS NULL OR e.school_key = ?1) AND (?2 IS NULL OR e.lpa = ?2)
           AND (?3 IS NULL OR e.incident_id = ?3) AND (?4 IS NULL OR e.referral_id = ?4)
           AND (?5 = 0 OR e.acknowledged_at IS NULL)";
    let lpa = q.lpa.as_ref().map(|l| l.as_str());
    let incident = q.incident.as_ref().map(|i| i.as_str());
    let id = q.id.as_ref().map(|i| i.as_str());
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {from}")))
        .bind(q.school_key.as_deref())
        .bind(lpa)
        .bind(incident)
        .bind(id)
        .bind(q.unacknowledged)
        .fetch_one(pool)
        .await
        .map_err(backend)?;
    let cols: Vec<String> = cc::ENCOMPASS.iter().map(|c| format!("e.{c}")).collect();
    let found = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {}, p.family_name, p.given_names, p.birth_date, i.reported_at {from}
         ORDER BY e.due_at, e.referral_id LIMIT ?6 OFFSET ?7",
        cols.join(",")
    )))
    .bind(q.school_key.as_deref())
    .bind(lpa)
    .bind(incident)
    .bind(id)
    .bind(q.unacknowledged)
    .bind(i64::from(q.limit))
    .bind(i64::from(q.offset))
    .fetch_all(pool)
    .await
    .map_err(backend)?;
    let items = found
        .iter()
        .map(|r| {
            let mut c = Cols::new(r, "encompass_notifications");
            Ok(vigil_store::EncompassItem {
                notification: rows::encompass(&mut c)?,
                family_name: c.opt_string()?,
                given_names: c.opt_string()?,
                birth_date: c.opt_date()?,
                reported_at: c.datetime()?,
            })
        })
        .collect::<StoreResult<_>>()?;
    Ok(vigil_store::Page {
        total: total as u64,
        items,
    })
}

pub async fn acknowledge_encompass(
    pool: &SqlitePool,
    id: &vigil_domain::ReferralId,
    at: vigil_domain::time::DateTime,
    by: &vigil_domain::access::Username,
    audit: &AuditEntry,
) -> StoreResult<bool> {
    let mut tx = write_tx(pool).await?;
    let done = sqlx::query(
        "UPDATE encompass_notifications SET acknowledged_at = ?1, acknowledged_by = ?2
         WHERE referral_id = ?3 AND acknowledged_at IS NULL",
    )
    .bind(format_datetime(at))
    .bind(by.as_str())
    .bind(id.as_str())
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
