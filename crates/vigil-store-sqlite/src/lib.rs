//! Vigil's embedded store: SQLite through sqlx, in one file beside the binary.
//!
//! Owns the schema (`migrations/`), every SQL statement, and the mapping between rows and
//! domain records. Connections use WAL (readers do not block the writer), enforce foreign
//! keys, and wait briefly on a busy database rather than failing at once.

mod accounts;
mod casework;
mod cohorts;
mod dvds;
mod idva;
mod import;
mod keyed_table;
mod marac_record;
mod mash;
mod meetings;
mod migrations;
mod notices;
mod read;
mod restrictions;
mod write;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Row, SqlitePool};
use std::str::FromStr;
use vigil_domain::access::Username;
use vigil_domain::time::DateTime;
use vigil_domain::time::{format_date, parse_date};
use vigil_domain::{
    Incident, Offence, OffenceId, Outcome, Person, PersonId, RecordKind, RecordSet,
};
use vigil_store::{
    AuditEntry, AuditQuery, AuditRow, ExtractInfo, NewUser, Session, Store, StoreError,
    StoreResult, User, Versioned,
};

/// The SQLite implementation of [`Store`].
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// Kept to open a dedicated connection for bulk imports (see `begin_import`).
    options: SqliteConnectOptions,
    /// The columnar cache beside the database file; `None` in memory.
    cache: Option<std::path::PathBuf>,
}

/// Where the cache of a database lives; `None` for a database that is not a plain file.
fn cache_path(db: &str) -> Option<std::path::PathBuf> {
    let file = db
        .strip_prefix("sqlite://")
        .or_else(|| db.strip_prefix("sqlite:"))
        .unwrap_or(db);
    let file = file.split('?').next().unwrap_or(file);
    (!file.is_empty() && file != ":memory:")
        .then(|| std::path::PathBuf::from(format!("{file}.snapshot")))
}

pub(crate) fn backend(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        let msg = db.message().to_owned();
        if msg.contains("UNIQUE") || msg.contains("FOREIGN KEY") || msg.contains("CHECK") {
            return StoreError::Integrity(msg);
        }
    }
    StoreError::Backend(e.to_string())
}

/// Begins a transaction that writes. `BEGIN IMMEDIATE` takes the write lock at once, so
/// two writers queue on the busy timeout instead of one failing when it tries to upgrade a
/// read lock (which a WAL database cannot wait out).
pub(crate) async fn write_tx(
    pool: &SqlitePool,
) -> StoreResult<sqlx::Transaction<'static, sqlx::Sqlite>> {
    pool.begin_with("BEGIN IMMEDIATE").await.map_err(backend)
}

/// Records that the stored records changed (inside the writing transaction).
pub(crate) async fn bump_revision(conn: &mut sqlx::SqliteConnection) -> StoreResult<()> {
    sqlx::query("UPDATE store_revision SET revision = revision + 1 WHERE id = 1")
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    // This transaction's logged record changes take the new revision (see the
    // record_changes migration): a snapshot at an older one is patched with them.
    sqlx::query(
        "UPDATE record_changes SET revision = (SELECT revision FROM store_revision WHERE id = 1) WHERE revision IS NULL",
    )
    .execute(conn)
    .await
    .map_err(backend)?;
    Ok(())
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `location`: a file path, or a
    /// `sqlite:` URL. Does not migrate; call [`Store::migrate`].
    pub async fn open(location: &str, options: &vigil_store::StoreOptions) -> StoreResult<Self> {
        let opts = if location.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(location).map_err(|e| {
                StoreError::Backend(format!("'{location}' is not a SQLite URL: {e}"))
            })?
        } else {
            SqliteConnectOptions::new().filename(location)
        }
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(options.acquire_timeout)
        // 64 MiB of page cache: bulk imports touch large B-trees.
        .pragma("cache_size", "-65536");
        // WAL lets readers run beside the one writer: enough connections that a page's reads
        // do not queue behind another request's audit write.
        let pool = SqlitePoolOptions::new()
            .max_connections(options.pool_size.max(1))
            .acquire_timeout(options.acquire_timeout)
            .connect_with(opts.clone())
            .await
            .map_err(|e| {
                StoreError::Backend(format!("cannot open the database '{location}': {e}"))
            })?;
        Ok(SqliteStore {
            pool,
            options: opts,
            cache: cache_path(location),
        })
    }

    /// Opens and migrates: what every command that uses the store does first.
    pub async fn open_and_migrate(location: &str) -> StoreResult<Self> {
        let store = Self::open(location, &vigil_store::StoreOptions::default()).await?;
        store.migrate().await?;
        Ok(store)
    }
}

#[async_trait::async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn cache_path(&self) -> Option<std::path::PathBuf> {
        self.cache.clone()
    }

    async fn close(&self) {
        self.pool.close().await;
    }

    async fn migrate(&self) -> StoreResult<()> {
        migrations::run(&self.pool).await
    }

    async fn begin_import(&self) -> StoreResult<Box<dyn vigil_store::ImportSession>> {
        // A dedicated connection, because the import switches off per-row foreign-key
        // enforcement (checked once, in bulk, before commit) and that setting must never
        // leak into a pooled connection. It is closed when the import ends.
        let conn = self.options.connect().await.map_err(backend)?;
        Ok(Box::new(import::SqliteImport::begin(conn).await?))
    }

    async fn id_counters(&self) -> StoreResult<Vec<(String, i64)>> {
        sqlx::query_as("SELECT kind, next FROM id_sequences ORDER BY kind")
            .fetch_all(&self.pool)
            .await
            .map_err(backend)
    }

    async fn backup(&self, out: &std::path::Path) -> StoreResult<()> {
        if out.exists() {
            return Err(StoreError::Export(format!(
                "{} already exists; a backup is written to a new file",
                out.display()
            )));
        }
        let path = out
            .to_str()
            .ok_or_else(|| StoreError::Export(format!("{} is not a UTF-8 path", out.display())))?;
        // VACUUM INTO writes a consistent snapshot (one read transaction) while writers go
        // on, compacted, with the same schema and triggers.
        sqlx::query("VACUUM INTO ?")
            .bind(path)
            .execute(&self.pool)
            .await
            .map_err(|e| StoreError::Export(format!("cannot write {}: {e}", out.display())))?;
        Ok(())
    }

    async fn audit_chunks(
        &self,
        chunk: usize,
        sink: &mut (dyn FnMut(Vec<AuditRow>) -> StoreResult<()> + Send),
    ) -> StoreResult<()> {
        accounts::chunks(&self.pool, chunk, sink).await
    }

    async fn export_records(&self) -> StoreResult<RecordSet> {
        // One read transaction, so the export is a consistent snapshot even while
        // someone else writes.
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let records = read::all(&mut tx).await?;
        tx.commit().await.map_err(backend)?;
        Ok(records)
    }

    async fn revision(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT revision FROM store_revision WHERE id = 1")
            .fetch_one(&self.pool)
            .await
            .map_err(backend)?;
        Ok(n as u64)
    }

    async fn snapshot_chunks(
        &self,
        chunk: usize,
        sink: &mut vigil_store::KeyedSink<'_>,
    ) -> StoreResult<u64> {
        // One read transaction: the revision and every table as of the same moment.
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let revision: i64 = sqlx::query_scalar("SELECT revision FROM store_revision WHERE id = 1")
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
        for table in vigil_store::snapshot_cache::RowTable::ALL {
            read::keyed_table(&mut tx, table, None, chunk, sink).await?;
        }
        tx.commit().await.map_err(backend)?;
        Ok(revision as u64)
    }

    async fn row_key_runs(
        &self,
        table: vigil_store::snapshot_cache::RowTable,
    ) -> StoreResult<Vec<(i64, u32)>> {
        // Gaps and islands: consecutive keys share key - row number.
        let runs: Vec<(i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT min(k), count(*) FROM
               (SELECT rowid AS k, rowid - row_number() OVER (ORDER BY rowid) AS island FROM {}) keyed
             GROUP BY island ORDER BY 1",
            table.name()
        )))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        Ok(runs.into_iter().map(|(k, n)| (k, n as u32)).collect())
    }

    async fn record_changes(
        &self,
        after: u64,
        limit: usize,
    ) -> StoreResult<Option<vigil_store::snapshot_cache::Changes>> {
        use vigil_store::snapshot_cache::{self as cache, Changes, RowTable};
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let revision: i64 = sqlx::query_scalar("SELECT revision FROM store_revision WHERE id = 1")
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
        if after > revision as u64 {
            return Ok(None); // a cache from a store this is not (a restored backup)
        }
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT DISTINCT tbl, row_key FROM record_changes WHERE revision > ?1 LIMIT ?2",
        )
        .bind(after as i64)
        .bind(limit as i64 + 1)
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        if rows.len() > limit {
            return Ok(None);
        }
        let Some(logged) = cache::logged(rows) else {
            return Ok(None);
        };
        let mut changes = Changes {
            revision: revision as u64,
            ..Changes::default()
        };
        for table in RowTable::ALL {
            let keys = &logged[table as usize];
            if keys.is_empty() {
                continue;
            }
            read::keyed_table(&mut tx, table, Some(keys), usize::MAX, &mut |r, k| {
                changes.rows.append(r);
                changes.keys[table as usize].extend_from_slice(k);
                Ok(())
            })
            .await?;
        }
        for table in RowTable::ALL {
            changes.last_keys[table as usize] = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT max(rowid) FROM {}",
                table.name()
            )))
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
        }
        let (persons, incidents) = cache::referenced(&changes.rows);
        changes.person_keys = read::keys_of(&mut tx, ("persons", "person_id"), &persons).await?;
        changes.incident_keys =
            read::keys_of(&mut tx, ("incidents", "incident_id"), &incidents).await?;
        tx.commit().await.map_err(backend)?;
        cache::note_deleted(&mut changes, &logged);
        Ok(Some(changes))
    }

    async fn incident_chunks(
        &self,
        chunk: usize,
        sink: &mut (dyn FnMut(RecordSet) -> StoreResult<()> + Send),
    ) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        read::each_incident_chunk(&mut conn, chunk, sink).await
    }

    async fn export_chunks(
        &self,
        chunk: usize,
        sink: &mut (dyn FnMut(RecordSet) -> StoreResult<()> + Send),
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        read::each_chunk(&mut tx, chunk, sink).await?;
        tx.commit().await.map_err(backend)
    }

    async fn extract_info(&self) -> StoreResult<Option<ExtractInfo>> {
        let row = sqlx::query("SELECT source, as_of FROM extract_info WHERE id = 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?;
        row.map(|r| {
            let as_of: String = r.get(1);
            Ok(ExtractInfo {
                source: r.get(0),
                as_of: parse_date(&as_of)
                    .map_err(|e| StoreError::Schema(format!("stored as_of: {e}")))?,
            })
        })
        .transpose()
    }

    async fn table_counts(&self) -> StoreResult<Vec<(&'static str, u64)>> {
        let mut out = Vec::new();
        for table in read::TABLE_NAMES {
            let n: i64 =
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                    .fetch_one(&self.pool)
                    .await
                    .map_err(backend)?;
            out.push((table, n as u64));
        }
        Ok(out)
    }

    async fn ids(&self, kind: RecordKind) -> StoreResult<Vec<String>> {
        let sql = match kind {
            RecordKind::Person => "SELECT person_id FROM persons",
            RecordKind::Incident => "SELECT incident_id FROM incidents",
            RecordKind::Offence => "SELECT offence_id FROM offences",
            RecordKind::Arrest => "SELECT arrest_id FROM arrests",
            RecordKind::Assessment => "SELECT assessment_id FROM risk_assessments",
            RecordKind::Referral => "SELECT referral_id FROM referrals",
            RecordKind::Disclosure => "SELECT disclosure_id FROM disclosures",
            RecordKind::Order => "SELECT order_id FROM protection_orders",
            RecordKind::Staffing => {
                "SELECT as_of || '|' || team || '|' || COALESCE(lpa, '') || '|' || rank FROM staffing"
            }
        };
        sqlx::query_scalar(sql)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)
    }

    async fn offence(&self, id: &OffenceId) -> StoreResult<Versioned<Offence>> {
        read::offence(&self.pool, id).await
    }

    async fn add_user(&self, user: &NewUser, audit: &AuditEntry) -> StoreResult<User> {
        accounts::add_user(&self.pool, user, audit).await
    }

    async fn user(&self, username: &Username) -> StoreResult<Option<User>> {
        accounts::user(&self.pool, username).await
    }

    async fn users(&self) -> StoreResult<Vec<User>> {
        accounts::users(&self.pool).await
    }

    async fn set_user_disabled(
        &self,
        username: &Username,
        disabled: bool,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        accounts::set_disabled(&self.pool, username, disabled, audit).await
    }

    async fn set_password_hash(
        &self,
        username: &Username,
        password_hash: &str,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        accounts::set_password_hash(&self.pool, username, password_hash, audit).await
    }

    async fn create_session(
        &self,
        session: &vigil_store::NewSession<'_>,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        accounts::create_session(&self.pool, session, audit).await
    }

    async fn touch_session(&self, token_hash: &str, idle_expires_at: DateTime) -> StoreResult<()> {
        accounts::touch_session(&self.pool, token_hash, idle_expires_at).await
    }

    async fn session(&self, token_hash: &str, now: DateTime) -> StoreResult<Option<Session>> {
        accounts::session(&self.pool, token_hash, now).await
    }

    async fn end_session(&self, token_hash: &str, audit: &AuditEntry) -> StoreResult<()> {
        accounts::end_session(&self.pool, token_hash, audit).await
    }

    async fn person(&self, id: &PersonId) -> StoreResult<Versioned<Person>> {
        read::person_by_id(&self.pool, id).await
    }

    async fn queue(
        &self,
        query: &vigil_store::QueueQuery,
    ) -> StoreResult<vigil_store::Page<vigil_store::QueueItem>> {
        casework::queue(&self.pool, query).await
    }

    async fn case_work(&self, id: &vigil_domain::IncidentId) -> StoreResult<vigil_store::CaseWork> {
        casework::case_work(&self.pool, id).await
    }

    async fn save_case(
        &self,
        change: &vigil_store::CaseChange,
        audit: &[AuditEntry],
    ) -> StoreResult<i64> {
        casework::save_case(&self.pool, change, audit).await
    }

    async fn tasks(
        &self,
        query: &vigil_store::TaskQuery,
    ) -> StoreResult<vigil_store::Page<vigil_store::TaskItem>> {
        casework::tasks(&self.pool, query).await
    }

    async fn caseloads(
        &self,
        teams: &[vigil_domain::InvestigatingTeam],
        lpa: Option<&vigil_domain::Lpa>,
    ) -> StoreResult<Vec<vigil_store::Caseload>> {
        casework::caseloads(&self.pool, teams, lpa).await
    }

    async fn case_file(&self, id: &vigil_domain::IncidentId) -> StoreResult<vigil_store::CaseFile> {
        read::case_file(&self.pool, id).await
    }

    async fn outstanding_suspects(
        &self,
        query: &vigil_store::SuspectQuery,
    ) -> StoreResult<vigil_store::Page<vigil_store::SuspectItem>> {
        casework::outstanding_suspects(&self.pool, query).await
    }

    async fn contact_preferences(
        &self,
        id: &PersonId,
    ) -> StoreResult<Option<vigil_store::Versioned<vigil_domain::contact::ContactPreferences>>>
    {
        casework::contact_preferences(&self.pool, id).await
    }

    async fn save_contact_preferences(
        &self,
        prefs: &vigil_domain::contact::ContactPreferences,
        expected_version: Option<i64>,
        audit: &AuditEntry,
    ) -> StoreResult<i64> {
        casework::save_contact_preferences(&self.pool, prefs, expected_version, audit).await
    }

    async fn set_rank(
        &self,
        username: &Username,
        rank: Option<vigil_domain::access::Rank>,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        accounts::set_rank(&self.pool, username, rank, audit).await
    }

    async fn set_school(
        &self,
        username: &Username,
        school: Option<String>,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        accounts::set_school(&self.pool, username, school, audit).await
    }

    async fn set_token_max_hours(
        &self,
        username: &Username,
        hours: Option<i64>,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        accounts::set_token_max_hours(&self.pool, username, hours, audit).await
    }

    async fn marac_referral_facts(
        &self,
        since: DateTime,
        until: DateTime,
    ) -> StoreResult<Vec<vigil_domain::marac_return::ReferralFacts>> {
        read::marac_referral_facts(&self.pool, since, until).await
    }

    async fn add_meeting(
        &self,
        m: &vigil_domain::marac_meeting::Meeting,
        audit: &AuditEntry,
    ) -> StoreResult<vigil_domain::marac_meeting::Meeting> {
        meetings::add(&self.pool, m, audit).await
    }

    async fn idva_case(
        &self,
        id: &vigil_domain::ReferralId,
    ) -> StoreResult<Option<vigil_store::Versioned<vigil_domain::idva::IdvaCase>>> {
        idva::TABLE.one(&self.pool, id.as_str()).await
    }

    async fn save_idva_case(
        &self,
        c: &vigil_domain::idva::IdvaCase,
        expected_version: Option<i64>,
        audit: &AuditEntry,
    ) -> StoreResult<i64> {
        idva::TABLE
            .save(&self.pool, c, expected_version, audit)
            .await
    }

    async fn idva_caseload(
        &self,
        idva: Option<&Username>,
    ) -> StoreResult<Vec<vigil_domain::idva::IdvaCase>> {
        idva::caseload(&self.pool, idva).await
    }

    async fn mash_case(
        &self,
        id: &vigil_domain::ReferralId,
    ) -> StoreResult<Option<vigil_store::Versioned<vigil_domain::mash::MashCase>>> {
        mash::TABLE.one(&self.pool, id.as_str()).await
    }

    async fn save_mash_case(
        &self,
        c: &vigil_domain::mash::MashCase,
        expected_version: i64,
        audit: &AuditEntry,
    ) -> StoreResult<i64> {
        mash::TABLE
            .save(&self.pool, c, Some(expected_version), audit)
            .await
    }

    async fn notice(
        &self,
        id: &vigil_domain::OrderId,
    ) -> StoreResult<Option<vigil_store::Versioned<vigil_domain::protective::NoticeCase>>> {
        notices::one(&self.pool, id.as_str()).await
    }

    async fn save_notice(
        &self,
        c: &vigil_domain::protective::NoticeCase,
        expected_version: Option<i64>,
        audit: &[AuditEntry],
    ) -> StoreResult<i64> {
        notices::save(&self.pool, c, expected_version, audit).await
    }

    async fn notices(
        &self,
        q: &vigil_store::NoticeQuery,
    ) -> StoreResult<Vec<vigil_domain::protective::NoticeCase>> {
        notices::list(&self.pool, q).await
    }

    async fn save_cohort_run(
        &self,
        run: &vigil_domain::cohort::Run,
        audit: &[AuditEntry],
    ) -> StoreResult<i64> {
        cohorts::save_run(&self.pool, run, audit).await
    }

    async fn cohort_runs(
        &self,
        kind: vigil_domain::cohort::CohortKind,
        lpa: Option<&vigil_domain::Lpa>,
        limit: u32,
    ) -> StoreResult<Vec<vigil_domain::cohort::Run>> {
        cohorts::runs(&self.pool, kind, lpa, limit).await
    }

    async fn cohort_run(&self, id: i64) -> StoreResult<Option<vigil_domain::cohort::Run>> {
        cohorts::run(&self.pool, id).await
    }

    async fn cohort_history(
        &self,
        kind: vigil_domain::cohort::CohortKind,
        lpa: &vigil_domain::Lpa,
        person: &vigil_domain::PersonId,
    ) -> StoreResult<Vec<(vigil_domain::time::Date, vigil_domain::cohort::RunMember)>> {
        cohorts::history(&self.pool, kind, lpa, person).await
    }

    async fn cohort_allocation(
        &self,
        key: &str,
    ) -> StoreResult<Option<vigil_store::Versioned<vigil_domain::cohort::Allocation>>> {
        cohorts::allocation(&self.pool, key).await
    }

    async fn save_cohort_allocation(
        &self,
        a: &vigil_domain::cohort::Allocation,
        expected_version: Option<i64>,
        audit: &[AuditEntry],
    ) -> StoreResult<i64> {
        cohorts::save_allocation(&self.pool, a, expected_version, audit).await
    }

    async fn cohort_allocations(
        &self,
        q: &vigil_store::AllocationQuery,
    ) -> StoreResult<Vec<vigil_domain::cohort::Allocation>> {
        cohorts::allocations(&self.pool, q).await
    }

    async fn dvds_application(
        &self,
        id: &vigil_domain::DisclosureId,
    ) -> StoreResult<Option<vigil_store::Versioned<vigil_domain::dvds::Application>>> {
        dvds::TABLE.one(&self.pool, id.as_str()).await
    }

    async fn save_dvds(
        &self,
        a: &vigil_domain::dvds::Application,
        expected_version: Option<i64>,
        new_people: &[vigil_domain::Person],
        audit: &[AuditEntry],
    ) -> StoreResult<i64> {
        dvds::save(&self.pool, a, expected_version, new_people, audit).await
    }

    async fn dvds_applications(
        &self,
        q: &vigil_store::DvdsQuery,
    ) -> StoreResult<Vec<vigil_domain::dvds::Application>> {
        dvds::list(&self.pool, q).await
    }

    async fn mash_cases(
        &self,
        q: &vigil_store::MashQuery,
    ) -> StoreResult<Vec<vigil_domain::mash::MashCase>> {
        mash::list(&self.pool, q).await
    }

    async fn save_research(
        &self,
        r: &vigil_domain::marac_meeting::Research,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        meetings::save_research(&self.pool, r, audit).await
    }

    async fn research(
        &self,
        meeting: Option<i64>,
    ) -> StoreResult<Vec<vigil_domain::marac_meeting::Research>> {
        meetings::research(&self.pool, meeting).await
    }

    async fn add_marac_action(
        &self,
        a: &vigil_domain::marac_actions::Action,
        audit: &AuditEntry,
    ) -> StoreResult<vigil_domain::marac_actions::Action> {
        meetings::add_action(&self.pool, a, audit).await
    }

    async fn marac_actions(
        &self,
        q: &vigil_store::ActionQuery,
    ) -> StoreResult<Vec<vigil_domain::marac_actions::Action>> {
        meetings::actions(&self.pool, q).await
    }

    async fn complete_marac_action(
        &self,
        id: i64,
        at: vigil_domain::time::DateTime,
        by: &Username,
        evidence: &str,
        audit: &AuditEntry,
    ) -> StoreResult<bool> {
        meetings::complete_action(&self.pool, id, at, by, evidence, audit).await
    }

    async fn meetings(
        &self,
        area: Option<&str>,
    ) -> StoreResult<Vec<vigil_domain::marac_meeting::Meeting>> {
        meetings::all(&self.pool, area).await
    }

    async fn marac_record(
        &self,
        meetings: Option<&[i64]>,
    ) -> StoreResult<vigil_store::MaracRecord> {
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        marac_record::record(&mut conn, meetings).await
    }

    async fn save_marac(
        &self,
        change: &vigil_store::MaracChange,
        audit: &[AuditEntry],
    ) -> StoreResult<()> {
        marac_record::save(&self.pool, change, audit).await
    }

    async fn encompass(
        &self,
        q: &vigil_store::EncompassQuery,
    ) -> StoreResult<vigil_store::Page<vigil_store::EncompassItem>> {
        casework::encompass(&self.pool, q).await
    }

    async fn acknowledge_encompass(
        &self,
        id: &vigil_domain::ReferralId,
        at: vigil_domain::time::DateTime,
        by: &Username,
        audit: &AuditEntry,
    ) -> StoreResult<bool> {
        casework::acknowledge_encompass(&self.pool, id, at, by, audit).await
    }

    async fn restrictions(&self) -> StoreResult<Vec<vigil_domain::restriction::Restriction>> {
        restrictions::all(&self.pool).await
    }

    async fn set_restriction(
        &self,
        r: &vigil_domain::restriction::Restriction,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        restrictions::set(&self.pool, r, audit).await
    }

    async fn lift_restriction(
        &self,
        subject: &vigil_domain::restriction::Subject,
        audit: &AuditEntry,
    ) -> StoreResult<bool> {
        restrictions::lift(&self.pool, subject, audit).await
    }

    async fn casework(&self) -> StoreResult<vigil_store::Casework> {
        casework::casework(&self.pool).await
    }

    async fn incidents_of(&self, id: &PersonId) -> StoreResult<Vec<Incident>> {
        read::incidents_of(&self.pool, id).await
    }

    async fn audit(&self, entry: &AuditEntry) -> StoreResult<AuditRow> {
        let mut tx = write_tx(&self.pool).await?;
        let row = accounts::append(&mut tx, entry).await?;
        tx.commit().await.map_err(backend)?;
        Ok(row)
    }

    async fn audit_count(&self, query: &AuditQuery) -> StoreResult<u64> {
        accounts::count(&self.pool, query).await
    }

    async fn sessions_of(
        &self,
        username: &Username,
        now: vigil_domain::DateTime,
    ) -> StoreResult<Vec<vigil_store::SessionInfo>> {
        accounts::sessions_of(&self.pool, username, now).await
    }

    async fn end_sessions(
        &self,
        username: &Username,
        id: Option<&str>,
        audit: &AuditEntry,
    ) -> StoreResult<u64> {
        accounts::end_sessions(&self.pool, username, id, audit).await
    }

    async fn idempotency_start(
        &self,
        username: &str,
        key: &str,
        request: &str,
        now: vigil_domain::DateTime,
    ) -> StoreResult<vigil_store::IdempotencyStart> {
        accounts::idempotency_start(&self.pool, username, key, request, now).await
    }

    async fn idempotency_finish(
        &self,
        username: &str,
        key: &str,
        answer: Option<(u16, &str)>,
    ) -> StoreResult<()> {
        accounts::idempotency_finish(&self.pool, username, key, answer).await
    }

    async fn record_sign_in_failure(
        &self,
        username: &str,
        address: &str,
        at: vigil_domain::DateTime,
    ) -> StoreResult<()> {
        accounts::record_sign_in_failure(&self.pool, username, address, at).await
    }

    async fn sign_in_failures_since(
        &self,
        since: vigil_domain::DateTime,
    ) -> StoreResult<Vec<(String, String, vigil_domain::DateTime)>> {
        accounts::sign_in_failures_since(&self.pool, since).await
    }

    async fn audit_all(&self, entries: &[AuditEntry]) -> StoreResult<()> {
        accounts::append_all(&self.pool, entries).await
    }

    async fn update_user(
        &self,
        change: &vigil_store::UserChange,
        audit: &AuditEntry,
    ) -> StoreResult<User> {
        accounts::change_user(&self.pool, change, audit).await
    }

    async fn audit_trail(&self, query: &AuditQuery) -> StoreResult<Vec<AuditRow>> {
        accounts::trail(&self.pool, query).await
    }

    async fn verify_audit(&self) -> StoreResult<Option<vigil_store::audit_chain::Break>> {
        accounts::verify(&self.pool).await
    }

    async fn audit_head(&self) -> StoreResult<Option<(i64, String)>> {
        accounts::head(&self.pool).await
    }

    async fn audit_hash_at(&self, seq: i64) -> StoreResult<Option<String>> {
        accounts::hash_at(&self.pool, seq).await
    }

    async fn record_outcome(
        &self,
        id: &OffenceId,
        outcome: Outcome,
        victim_withdrawal_recorded: bool,
        expected_version: i64,
        log: &[vigil_domain::casework::CaseEvent],
        audit: &AuditEntry,
    ) -> StoreResult<i64> {
        let mut tx = write_tx(&self.pool).await?;
        let current = read::offence(&mut *tx, id).await?;
        vigil_store::writes::check_outcome(
            id,
            &current,
            outcome,
            victim_withdrawal_recorded,
            expected_version,
        )?;
        let updated = sqlx::query(
            "UPDATE offences SET outcome_code = ?, outcome_date = ?, victim_withdrawal_recorded = ?, version = version + 1
             WHERE offence_id = ? AND version = ?",
        )
        .bind(outcome.code.as_str())
        .bind(format_date(outcome.date))
        .bind(victim_withdrawal_recorded)
        .bind(id.as_str())
        .bind(expected_version)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                what: "offence",
                id: id.to_string(),
                expected: expected_version,
                found: expected_version + 1,
            });
        }
        casework::append_log(&mut tx, &current.record.incident_id, log).await?;
        accounts::append(&mut tx, audit).await?;
        bump_revision(&mut tx).await?;
        tx.commit().await.map_err(backend)?;
        Ok(expected_version + 1)
    }

    async fn new_ids(&self, kind: RecordKind, n: usize) -> StoreResult<Vec<String>> {
        write::new_ids(&self.pool, kind, n).await
    }

    async fn add_records(&self, records: &RecordSet, audit: &[AuditEntry]) -> StoreResult<()> {
        write::add_records(&self.pool, records, audit).await
    }

    async fn add_secondary_assessment(
        &self,
        assessment: &vigil_domain::RiskAssessment,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        write::add_secondary_assessment(&self.pool, assessment, audit).await
    }

    async fn search_people(&self, search: &vigil_store::PersonSearch) -> StoreResult<Vec<Person>> {
        read::search_people(&self.pool, search).await
    }

    async fn incidents_on(
        &self,
        day: vigil_domain::Date,
        lpa: Option<&vigil_domain::Lpa>,
        limit: u32,
    ) -> StoreResult<Vec<Incident>> {
        read::incidents_on(&self.pool, day, lpa, limit).await
    }

    async fn disclosures_for(&self, id: &PersonId) -> StoreResult<Vec<vigil_domain::Disclosure>> {
        read::disclosures_for(&self.pool, id).await
    }

    async fn referrals_of(&self, id: &PersonId) -> StoreResult<Vec<vigil_domain::Referral>> {
        read::referrals_of(&self.pool, id).await
    }

    async fn shared_referrals(
        &self,
        q: &vigil_store::SharedQuery,
    ) -> StoreResult<vigil_store::Page<vigil_store::SharedReferral>> {
        read::shared_referrals(&self.pool, q).await
    }

    async fn lpas(&self) -> StoreResult<Vec<vigil_domain::Lpa>> {
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT lpa FROM incidents UNION SELECT lpa FROM staffing WHERE lpa IS NOT NULL ORDER BY 1",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        names
            .iter()
            .map(|n| {
                vigil_domain::Lpa::parse(n).map_err(|e| {
                    StoreError::Integrity(format!(
                        "an area name in the store is not valid: {}",
                        e.reason
                    ))
                })
            })
            .collect()
    }

    async fn dait_load(&self, lpa: &vigil_domain::Lpa) -> StoreResult<vigil_store::DaitLoad> {
        read::dait_load(&self.pool, lpa).await
    }
}
