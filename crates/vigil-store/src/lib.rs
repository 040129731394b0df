//! The storage boundary: what Vigil's use cases ask of a database, and how it can fail.
//!
//! One method per use case, typed errors, no SQL. Each backend (`vigil-store-sqlite`,
//! `vigil-store-postgres`) owns its schema, migrations and SQL, and implements [`Store`];
//! code above this line holds a [`DynStore`] and never knows which it is talking to.
//! What every backend shares lives here too: the mapping between records and rows
//! ([`rows`]), the audit chain's hash ([`audit_chain`]) and the columnar cache
//! ([`snapshot_cache`]).

pub mod audit_chain;
pub mod marac_return;
pub mod migrations;
pub mod rows;
pub mod snapshot_cache;
pub mod writes;

use std::path::PathBuf;
use std::sync::Arc;
use vigil_domain::access::{Role, Username};
use vigil_domain::outcome::OutcomeIssue;
use vigil_domain::time::{Date, DateTime};
use vigil_domain::{Agency, RecordKind};
use vigil_domain::{Incident, Offence, OffenceId, Outcome, Person, PersonId, RecordSet};

/// How a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no {what} with id '{id}'")]
    NotFound { what: &'static str, id: String },
    /// Optimistic concurrency: someone changed the record since the caller read it.
    #[error(
        "the {what} '{id}' was changed by someone else (version {found}, you edited version {expected}); reload it and make your change again"
    )]
    Conflict {
        what: &'static str,
        id: String,
        expected: i64,
        found: i64,
    },
    /// The change breaks a domain rule; nothing was written.
    #[error("{}", .0.iter().map(|i| i.message.as_str()).collect::<Vec<_>>().join("; "))]
    Rejected(Vec<OutcomeIssue>),
    /// The records would break the store's integrity (a duplicate or dangling id); nothing
    /// was written.
    #[error("the records cannot be stored: {0}")]
    Integrity(String),
    /// The database was made by a newer or different Vigil, or a migration changed.
    #[error("the database schema does not match this Vigil: {0}")]
    Schema(String),
    /// Whoever received exported records could not take them (a file could not be written).
    #[error("{0}")]
    Export(String),
    /// The database could not be reached or answered with an error.
    #[error("database error: {0}")]
    Backend(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Where the snapshot's records go, a chunk of one table at a time with its rows' keys.
pub type KeyedSink<'a> = dyn FnMut(RecordSet, &[i64]) -> StoreResult<()> + Send + 'a;

/// Where the records in the store came from, as the latest import's manifest said.
/// How a store connects: the pool's size and how long to wait. The defaults suit one
/// server process of a force; `vigil serve` takes them as options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    /// Connections held open at most.
    pub pool_size: u32,
    /// How long a request waits for a free connection (SQLite: for the write lock) before
    /// it fails.
    pub acquire_timeout: std::time::Duration,
    /// How long one statement may run before the database cancels it (PostgreSQL).
    pub statement_timeout: std::time::Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            pool_size: 8,
            acquire_timeout: std::time::Duration::from_secs(10),
            statement_timeout: std::time::Duration::from_secs(30),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractInfo {
    pub source: String,
    pub as_of: Date,
}

/// A new user account (the password already hashed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: Username,
    pub display_name: String,
    pub role: Role,
    pub agency: Option<Agency>,
    /// The officer's home Local Policing Area, where their team queue opens.
    pub lpa: Option<vigil_domain::Lpa>,
    pub password_hash: String,
}

/// New values for a user's account details (not the password).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserChange {
    pub username: Username,
    pub display_name: String,
    pub role: Role,
    pub agency: Option<Agency>,
    pub lpa: Option<vigil_domain::Lpa>,
}

/// A stored user account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: Username,
    pub display_name: String,
    pub role: Role,
    pub agency: Option<Agency>,
    pub lpa: Option<vigil_domain::Lpa>,
    pub password_hash: String,
    pub disabled: bool,
    /// `Some(h)`: a named service account (another system calling the API), whose tokens
    /// may last up to `h` hours; people's tokens last at most a working day.
    pub token_max_hours: Option<i64>,
    /// For an education user: the school they are the key adult (designated safeguarding
    /// lead) for; `None` for an area's education contact (elective home education).
    pub school: Option<String>,
    /// A police user's rank, when recorded: it decides who may authorise a protective
    /// notice.
    pub rank: Option<vigil_domain::access::Rank>,
}

/// One act to record in the audit trail. `at` is UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: DateTime,
    pub actor: String,
    pub action: String,
    pub subject_kind: String,
    pub subject_id: String,
    /// Why, for sensitive reads and administrative acts.
    pub reason: Option<String>,
}

/// A recorded audit entry, with its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub seq: i64,
    pub entry: AuditEntry,
    pub prev_hash: String,
    pub hash: String,
}

/// What to look for in the audit trail; empty fields match everything. Entries come
/// newest first, `offset` entries skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub subject_id: Option<String>,
    /// An action (`person.read`), or every action of a kind when it ends in a dot
    /// (`person.`).
    pub action: Option<String>,
    /// Entries at or after this instant (UTC).
    pub from: Option<DateTime>,
    /// Entries before this instant (UTC).
    pub before: Option<DateTime>,
    pub offset: u32,
    pub limit: u32,
}

impl AuditQuery {
    /// The action filter as a SQL `LIKE` pattern: exact, or a prefix for a kind. Other
    /// pattern characters in it match only themselves.
    pub fn action_pattern(&self) -> Option<String> {
        self.action.as_ref().map(|a| {
            let escaped = a
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            if a.ends_with('.') {
                format!("{escaped}%")
            } else {
                escaped
            }
        })
    }
}

/// A live session or API token as an administrator sees it: never the token, only a short
/// reference to it (the start of its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub id: String,
    pub username: Username,
    pub created_at: DateTime,
    pub expires_at: DateTime,
    /// `None` for an API token.
    pub idle_expires_at: Option<DateTime>,
}

/// What a write with an idempotency key should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyStart {
    /// The key is new: do the write, then `idempotency_finish`.
    New,
    /// Done before: answer with this, write nothing.
    Replay { status: u16, body: String },
    /// The first request with this key is still running.
    InProgress,
    /// The key was used for a different request.
    Mismatch,
}

/// A signed-in session: who, the form token that must accompany every change, and when it
/// ends.
/// A session to start: only the token's hash is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession<'a> {
    pub user_id: i64,
    pub token_hash: &'a str,
    pub csrf_token: &'a str,
    pub created_at: DateTime,
    pub expires_at: DateTime,
    /// When it ends if left unused (browser sessions); `None` for an API token.
    pub idle_expires_at: Option<DateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: DateTime,
    /// When the session ends if not used before then (browser sessions); `None` for an API
    /// token, which lasts until `expires_at`.
    pub idle_expires_at: Option<DateTime>,
}

/// Everything recorded against one incident: the case file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFile {
    pub incident: Incident,
    pub offences: Vec<Offence>,
    pub assessments: Vec<vigil_domain::RiskAssessment>,
    pub arrests: Vec<vigil_domain::Arrest>,
    pub referrals: Vec<vigil_domain::Referral>,
    pub orders: Vec<vigil_domain::ProtectionOrder>,
    /// Children named on the incident (recorded in Vigil), by reference.
    pub children: Vec<vigil_domain::children::IncidentChild>,
}

/// One item of a work queue: an incident, why it is there, and how long it has waited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueItem {
    pub incident_id: vigil_domain::IncidentId,
    pub victim_id: PersonId,
    pub lpa: vigil_domain::Lpa,
    pub risk: Option<vigil_domain::RiskGrade>,
    pub since: DateTime,
    /// For investigation queues, the open offences; for the CRU, whether a MARAC referral
    /// has been made for the victim since the incident.
    pub detail: String,
    /// The officer in charge (cases worked in Vigil).
    pub allocated_to: Option<Username>,
    /// The investigation's status (cases worked in Vigil).
    pub status: Option<vigil_domain::casework::CaseStatus>,
    /// The victim's names: shown only to a role that may see names.
    pub family_name: Option<String>,
    pub given_names: Option<String>,
}

/// What a queue holds and which page of it to give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueQuery {
    pub queue: vigil_domain::access::Queue,
    pub lpa: Option<vigil_domain::Lpa>,
    pub risk: Option<vigil_domain::RiskGrade>,
    /// Only cases allocated to this officer.
    pub officer: Option<Username>,
    /// The CRU's queue holds high-risk incidents reported since then.
    pub since: Option<DateTime>,
    /// Only items waiting since before this instant (the overdue ones).
    pub waiting_before: Option<DateTime>,
    pub offset: u32,
    pub limit: u32,
}

/// One page of a list and the true size of the whole list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub total: u64,
    pub items: Vec<T>,
}

/// A task on a work list, with the victim it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskItem {
    pub task: vigil_domain::tasks::Task,
    pub victim_id: PersonId,
    pub family_name: Option<String>,
    pub given_names: Option<String>,
}

/// Which tasks a work list holds: whose, and in what state, at `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskQuery {
    pub owner: vigil_domain::tasks::OwnerFilter,
    pub state: TaskState,
    pub now: DateTime,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskState {
    Open,
    /// Open and due before `now`.
    Overdue,
    Done,
}

/// A case's casework: its live state (with the version an edit must name), its log, oldest
/// first, and its tasks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseWork {
    pub state: Option<Versioned<vigil_domain::casework::CaseState>>,
    pub log: Vec<vigil_domain::casework::CaseEvent>,
    pub tasks: Vec<vigil_domain::tasks::Task>,
}

/// A change to a case, written in one transaction: records added, the incident, arrests and
/// offences' grade updated, the state saved under optimistic concurrency, entries appended
/// to the log and the tasks replaced.
#[derive(Debug, Clone)]
pub struct CaseChange {
    pub state: vigil_domain::casework::CaseState,
    /// The state's version as read; `None` when Vigil starts working the case.
    pub expected_version: Option<i64>,
    pub log: Vec<vigil_domain::casework::CaseEvent>,
    /// Every task of the case: they replace the stored ones.
    pub tasks: Vec<vigil_domain::tasks::Task>,
    /// Records made in Vigil to add (the incident at intake, an assessment, a referral).
    pub records: RecordSet,
    /// The incident's row replaced (a correction; the primary grade once assessed).
    pub incident: Option<Incident>,
    /// The grade carried to every offence of the incident (after a secondary assessment).
    pub offence_grade: Option<vigil_domain::RiskGrade>,
    /// Arrests' rows replaced (a disposal recorded).
    pub arrests: Vec<vigil_domain::Arrest>,
    /// Children to name on the incident (their people are in `records`).
    pub children: Vec<vigil_domain::children::IncidentChild>,
    /// Operation Encompass notifications made with their referrals (in `records`).
    pub encompass: Vec<vigil_domain::encompass::Notification>,
    /// MARAC referral forms made with their referrals (in `records`).
    pub marac_forms: Vec<vigil_domain::marac_record::ReferralForm>,
    /// MASH cases opened by their referrals (in `records`).
    pub mash: Vec<vigil_domain::mash::MashCase>,
    /// A protective notice saved in the same write, over its version as read: a DAPO's
    /// breach is recorded with the new case and offence it makes, or not at all.
    pub notice: Option<(vigil_domain::protective::NoticeCase, i64)>,
}

impl CaseChange {
    pub fn new(state: vigil_domain::casework::CaseState, expected_version: Option<i64>) -> Self {
        CaseChange {
            state,
            expected_version,
            log: Vec::new(),
            tasks: Vec::new(),
            records: RecordSet::default(),
            incident: None,
            offence_grade: None,
            arrests: Vec::new(),
            children: Vec::new(),
            encompass: Vec::new(),
            marac_forms: Vec::new(),
            mash: Vec::new(),
            notice: None,
        }
    }
}

/// Which outstanding suspects to list, and which page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuspectQuery {
    pub team: Option<vigil_domain::InvestigatingTeam>,
    pub lpa: Option<vigil_domain::Lpa>,
    pub offset: u32,
    pub limit: u32,
}

/// An outstanding suspect with the names of the suspect and the victim (shown only to a role
/// that may see names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuspectItem {
    pub suspect: vigil_domain::suspects::OutstandingSuspect,
    pub suspect_name: Option<(String, String)>,
    pub victim_name: Option<(String, String)>,
}

/// Every case's casework as `vigil copy` moves it: live states with their versions, every
/// log entry in the order it was written, and the tasks. Read whole: casework is what
/// officers wrote in Vigil, a small fraction of the imported records.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Casework {
    pub states: Vec<Versioned<vigil_domain::casework::CaseState>>,
    pub log: Vec<(vigil_domain::IncidentId, vigil_domain::casework::CaseEvent)>,
    pub tasks: Vec<vigil_domain::tasks::Task>,
    /// Victims' contact preferences, with their versions.
    pub contacts: Vec<Versioned<vigil_domain::contact::ContactPreferences>>,
    /// Children named on incidents.
    pub children: Vec<vigil_domain::children::IncidentChild>,
    /// Restricted records and who may see them.
    pub restrictions: Vec<vigil_domain::restriction::Restriction>,
    /// Operation Encompass notifications and their acknowledgements.
    pub encompass: Vec<vigil_domain::encompass::Notification>,
    /// MARAC meetings.
    pub meetings: Vec<vigil_domain::marac_meeting::Meeting>,
    /// MARAC action plans' actions.
    pub actions: Vec<vigil_domain::marac_actions::Action>,
    /// The IDVA service's work on its referrals, with versions.
    pub idva: Vec<Versioned<vigil_domain::idva::IdvaCase>>,
    /// Agencies' research for MARAC meetings.
    pub research: Vec<vigil_domain::marac_meeting::Research>,
    /// What MARAC wrote down: referral forms, meeting records, transfers.
    pub marac: MaracRecord,
    /// The MASH's work on its referrals, with versions.
    pub mash: Vec<Versioned<vigil_domain::mash::MashCase>>,
    /// Clare's Law applications worked in Vigil, with versions.
    pub dvds: Vec<Versioned<vigil_domain::dvds::Application>>,
    /// Protective notices worked in Vigil, with versions (their events on them).
    pub notices: Vec<Versioned<vigil_domain::protective::NoticeCase>>,
    /// Cohort runs with their members.
    pub cohort_runs: Vec<vigil_domain::cohort::Run>,
    /// Cohort members' owners, with versions (their actions on them).
    pub cohort_allocations: Vec<Versioned<vigil_domain::cohort::Allocation>>,
}

/// Which protective notices to list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoticeQuery {
    /// Not yet decided by the court, or a DAPO awaiting its notification.
    pub open_only: bool,
    /// Applied for by this officer (their work list).
    pub applied_by: Option<Username>,
    pub lpa: Option<vigil_domain::Lpa>,
    /// About this person, as the subject or the protected person.
    pub person: Option<PersonId>,
}

/// Which cohort allocations to list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AllocationQuery {
    pub kind: Option<vigil_domain::cohort::CohortKind>,
    pub lpa: Option<vigil_domain::Lpa>,
    /// Held by this officer (their work list).
    pub owner: Option<Username>,
    /// Not closed.
    pub open_only: bool,
}

/// Which Clare's Law applications to list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DvdsQuery {
    pub open_only: bool,
    pub lpa: Option<vigil_domain::Lpa>,
    /// About this person, as the subject or the person at risk.
    pub person: Option<PersonId>,
}

/// Which MASH cases to list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MashQuery {
    /// In one area (a hub's).
    pub lpa: Option<vigil_domain::Lpa>,
    /// About children or an adult (the hub's agency decides which).
    pub about: Option<vigil_domain::mash::Subject>,
    /// Referred by one officer (their outcomes to read).
    pub referred_by: Option<Username>,
    /// Only those not yet decided.
    pub undecided: bool,
    /// Only those decided whose outcome the referrer has not read.
    pub unread: bool,
}

/// What MARAC wrote down (`vigil_domain::marac_record`): the referral forms, and for the
/// meetings asked about their attendance, discussions and approvals; every transfer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MaracRecord {
    pub forms: Vec<vigil_domain::marac_record::ReferralForm>,
    pub attendance: Vec<vigil_domain::marac_record::Attendance>,
    pub discussions: Vec<vigil_domain::marac_record::Discussion>,
    pub approvals: Vec<vigil_domain::marac_record::Approval>,
    pub transfers: Vec<vigil_domain::marac_record::Transfer>,
}

/// One change to what MARAC wrote down, saved whole in one transaction with its audit
/// rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MaracChange {
    /// Records made with it (a partner's referral: the victim when new, the referral).
    pub records: RecordSet,
    pub forms: Vec<vigil_domain::marac_record::ReferralForm>,
    /// A meeting's attendance, replacing what was recorded for it.
    pub attendance: Option<(i64, Vec<vigil_domain::marac_record::Attendance>)>,
    /// Discussions, each replacing the case's earlier one at that meeting.
    pub discussions: Vec<vigil_domain::marac_record::Discussion>,
    /// A meeting's minutes approved: a second approval is a conflict.
    pub approval: Option<vigil_domain::marac_record::Approval>,
    pub transfers: Vec<vigil_domain::marac_record::Transfer>,
}

/// Which MARAC actions to list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ActionQuery {
    pub meeting: Option<i64>,
    pub owner: Option<Agency>,
    pub person: Option<PersonId>,
    /// Of meetings of this MARAC area.
    pub area: Option<String>,
    pub id: Option<i64>,
    pub open_only: bool,
}

/// Which Operation Encompass notifications to list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EncompassQuery {
    /// A school's (by `encompass::school_key`): its key adult's list.
    pub school_key: Option<String>,
    /// An area: its education contact's list.
    pub lpa: Option<vigil_domain::Lpa>,
    /// One incident's (the case page).
    pub incident: Option<vigil_domain::IncidentId>,
    /// One notification (its page).
    pub id: Option<vigil_domain::ReferralId>,
    /// Only those not yet acknowledged.
    pub unacknowledged: bool,
    pub offset: u32,
    pub limit: u32,
}

/// A notification with the child's name and birth date and when the incident happened:
/// everything a school is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncompassItem {
    pub notification: vigil_domain::encompass::Notification,
    pub family_name: Option<String>,
    pub given_names: Option<String>,
    pub birth_date: Option<Date>,
    pub reported_at: DateTime,
}

/// An officer's open caseload in a team view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caseload {
    pub officer: Username,
    pub open_cases: u64,
}

/// A record as read for editing, with the version the edit must name.
/// A search for people by name and, optionally, date of birth. Names match from their
/// start, ignoring case ("smi" finds Smith and Smithson), unless `whole_family_name` asks
/// for the whole family name (the duplicate check: "Smith" is not "Smithson").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonSearch {
    pub family_name: String,
    pub whole_family_name: bool,
    pub given_names: Option<String>,
    pub birth_date: Option<Date>,
    pub limit: u32,
}

/// What a partner agency's list asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedQuery {
    pub agency: Agency,
    /// The kinds shared with the agency (`sharing::kinds_shared_with`).
    pub kinds: Vec<vigil_domain::ReferralKind>,
    /// Of those, the kinds a declined consent withholds (`sharing::consent_kinds_for`).
    pub consent_kinds: Vec<vigil_domain::ReferralKind>,
    /// The user's area: only referrals whose incident (else victim) is there.
    pub lpa: Option<vigil_domain::Lpa>,
    /// Only this kind (a filter the user chose).
    pub kind: Option<vigil_domain::ReferralKind>,
    /// Only this referral (its detail page: the same rule guards one as guards the list).
    pub id: Option<vigil_domain::ReferralId>,
    pub offset: u32,
    pub limit: u32,
}

/// A referral shared with a partner agency, with what that agency needs to act on it: who,
/// born when, and the risk of the incident behind it. Never an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedReferral {
    pub referral: vigil_domain::Referral,
    pub family_name: Option<String>,
    pub given_names: Option<String>,
    pub birth_date: Option<Date>,
    pub risk: Option<vigil_domain::RiskGrade>,
    pub children_present: Option<bool>,
    /// Where: the incident's area, else the victim's.
    pub lpa: Option<vigil_domain::Lpa>,
}

/// The DAIT's load in one area, for routing: its open investigations and its deployable
/// officers in the latest staffing return.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DaitLoad {
    pub open_cases: u32,
    pub deployable_fte: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned<T> {
    pub record: T,
    pub version: i64,
}

/// What a force's database does for Vigil. Every method that writes more than one row does
/// so in one transaction: it happens completely or not at all.
#[async_trait::async_trait]
pub trait Store: Send + Sync {
    /// Which backend this is ("sqlite", "postgres"), for logs and `vigil copy`.
    fn backend(&self) -> &'static str;

    /// Where this store's columnar cache lives (see [`snapshot_cache`]); `None` when it has
    /// nowhere to keep one (an in-memory database).
    fn cache_path(&self) -> Option<PathBuf>;

    /// Closes the store's connections, waiting for work in flight.
    async fn close(&self);

    /// Creates or upgrades the schema to this Vigil's version.
    async fn migrate(&self) -> StoreResult<()>;

    /// Starts an import: records are added chunk by chunk inside one transaction, so an
    /// import of any size runs in bounded memory and still happens completely or not at
    /// all. Nothing is visible to others until [`ImportSession::commit`]; dropping the
    /// session without committing rolls everything back. Chunks must arrive with referenced
    /// tables first (persons, then incidents, then offences, …), as an extract and
    /// [`Store::export_chunks`] give them.
    async fn begin_import(&self) -> StoreResult<Box<dyn ImportSession>>;

    /// Adds a validated set of records in one transaction and records where they came from.
    /// References must resolve within the set or to records already stored.
    async fn import_records(&self, records: &RecordSet, info: &ExtractInfo) -> StoreResult<()> {
        let mut session = self.begin_import().await?;
        session.add(records).await?;
        session.commit(Some(info)).await
    }

    /// Every record, each table in the order it was stored.
    async fn export_records(&self) -> StoreResult<RecordSet>;

    /// Every incident, a chunk at a time, in stored order (a screen over the whole
    /// history: nothing else is read).
    async fn incident_chunks(
        &self,
        chunk: usize,
        sink: &mut (dyn FnMut(RecordSet) -> StoreResult<()> + Send),
    ) -> StoreResult<()>;

    /// Every record, each table in stored order, handed to `sink` in chunks of at most
    /// `chunk` rows of one table each: an export of any size in bounded memory.
    async fn export_chunks(
        &self,
        chunk: usize,
        sink: &mut (dyn FnMut(RecordSet) -> StoreResult<()> + Send),
    ) -> StoreResult<()>;

    /// The records the analytics snapshot reads (every table but the risk assessments),
    /// each table in stored order, in chunks of at most `chunk` rows with each row's key
    /// (see [`snapshot_cache`]), all read in one transaction; returns the revision they are
    /// at.
    async fn snapshot_chunks(&self, chunk: usize, sink: &mut KeyedSink<'_>) -> StoreResult<u64>;

    /// The row keys of one snapshot table as runs of consecutive keys (first key, how
    /// many), in stored order: worked out by the database, so a table of millions of rows
    /// that was imported in one go comes back as one row.
    async fn row_key_runs(&self, table: snapshot_cache::RowTable) -> StoreResult<Vec<(i64, u32)>>;

    /// The record changes logged after `revision`, as the rows now stand, read in one
    /// transaction with the revision they bring the snapshot to. `None` when the log cannot
    /// say (an import since, a revision this store never had, more than `limit` rows
    /// changed): the snapshot must be rebuilt.
    async fn record_changes(
        &self,
        revision: u64,
        limit: usize,
    ) -> StoreResult<Option<snapshot_cache::Changes>>;

    /// A number that changes whenever the stored records change: caches built from the
    /// records compare it to know whether they are stale.
    async fn revision(&self) -> StoreResult<u64>;

    /// Where the stored records came from; `None` for an empty store.
    async fn extract_info(&self) -> StoreResult<Option<ExtractInfo>>;

    /// Row counts by table name, in the extract's table order.
    async fn table_counts(&self) -> StoreResult<Vec<(&'static str, u64)>>;

    /// The keys of one kind already stored (for checking an import against the store):
    /// ids, or for staffing the date, team, LPA and rank joined by `|`.
    async fn ids(&self, kind: RecordKind) -> StoreResult<Vec<String>>;

    /// One offence for editing.
    async fn offence(&self, id: &OffenceId) -> StoreResult<Versioned<Offence>>;

    /// Creates a user account and audits it, in one transaction. A taken username is a
    /// `Conflict`.
    async fn add_user(&self, user: &NewUser, audit: &AuditEntry) -> StoreResult<User>;

    /// A user by sign-in name, enabled or not.
    async fn user(&self, username: &Username) -> StoreResult<Option<User>>;

    /// Every user, by username.
    async fn users(&self) -> StoreResult<Vec<User>>;

    /// Disables or re-enables a user, audited.
    async fn set_user_disabled(
        &self,
        username: &Username,
        disabled: bool,
        audit: &AuditEntry,
    ) -> StoreResult<()>;

    /// Replaces a user's password hash and ends every session of theirs, audited.
    async fn set_password_hash(
        &self,
        username: &Username,
        password_hash: &str,
        audit: &AuditEntry,
    ) -> StoreResult<()>;

    /// Starts a session for a user (stores only the token's hash), audited.
    async fn create_session(&self, session: &NewSession<'_>, audit: &AuditEntry)
    -> StoreResult<()>;

    /// Moves a browser session's inactivity deadline on (no effect on an API token).
    async fn touch_session(&self, token_hash: &str, idle_expires_at: DateTime) -> StoreResult<()>;

    /// The live session with this token hash at `now`: `None` if unknown, expired or the
    /// user is disabled.
    async fn session(&self, token_hash: &str, now: DateTime) -> StoreResult<Option<Session>>;

    /// Ends a session, audited.
    async fn end_session(&self, token_hash: &str, audit: &AuditEntry) -> StoreResult<()>;

    /// One person with their version, for viewing or editing.
    async fn person(&self, id: &PersonId) -> StoreResult<Versioned<Person>>;

    /// One page of a work queue, highest risk first, then longest waiting, with the
    /// queue's true total.
    async fn queue(&self, query: &QueueQuery) -> StoreResult<Page<QueueItem>>;

    /// A case's live state, log and tasks (all empty for a case Vigil has not worked).
    async fn case_work(&self, id: &vigil_domain::IncidentId) -> StoreResult<CaseWork>;

    /// Saves a change to a case with its audit rows, in one transaction. A state changed
    /// by someone else since `expected_version` is a `Conflict`; returns the new version.
    async fn save_case(&self, change: &CaseChange, audit: &[AuditEntry]) -> StoreResult<i64>;

    /// One page of a work list of tasks, soonest due first, with the list's true total.
    async fn tasks(&self, query: &TaskQuery) -> StoreResult<Page<TaskItem>>;

    /// The open (not finalised) cases allocated to each officer of the given teams in an
    /// area, by officer.
    async fn caseloads(
        &self,
        teams: &[vigil_domain::InvestigatingTeam],
        lpa: Option<&vigil_domain::Lpa>,
    ) -> StoreResult<Vec<Caseload>>;

    /// An incident with everything recorded against it.
    async fn case_file(&self, id: &vigil_domain::IncidentId) -> StoreResult<CaseFile>;

    /// One page of the outstanding suspects (`vigil_domain::suspects`), oldest first, with
    /// the list's true size.
    async fn outstanding_suspects(&self, query: &SuspectQuery) -> StoreResult<Page<SuspectItem>>;

    /// A victim's contact preferences, with the version an edit must name.
    async fn contact_preferences(
        &self,
        id: &PersonId,
    ) -> StoreResult<Option<Versioned<vigil_domain::contact::ContactPreferences>>>;

    /// Saves a victim's contact preferences if the stored version is still
    /// `expected_version` (`None`: none recorded yet), audited; returns the new version.
    async fn save_contact_preferences(
        &self,
        prefs: &vigil_domain::contact::ContactPreferences,
        expected_version: Option<i64>,
        audit: &AuditEntry,
    ) -> StoreResult<i64>;

    /// Every case's casework, for `vigil copy` (states, logs in order, tasks).
    async fn casework(&self) -> StoreResult<Casework>;

    /// Records a police user's rank (`None`: none), audited.
    async fn set_rank(
        &self,
        username: &Username,
        rank: Option<vigil_domain::access::Rank>,
        audit: &AuditEntry,
    ) -> StoreResult<()>;

    /// Sets the school an education user is the key adult for (`None`: the area's education
    /// contact), audited; the user's sessions end.
    async fn set_school(
        &self,
        username: &Username,
        school: Option<String>,
        audit: &AuditEntry,
    ) -> StoreResult<()>;

    /// Names a user a service account whose API tokens may last up to `hours` (`None`: a
    /// person again), audited; the user's sessions and tokens end.
    async fn set_token_max_hours(
        &self,
        username: &Username,
        hours: Option<i64>,
        audit: &AuditEntry,
    ) -> StoreResult<()>;

    /// The MARAC referrals made in `[since, until)`, oldest first, with what the MARAC
    /// return needs about each victim and household (`vigil_domain::marac_return`).
    async fn marac_referral_facts(
        &self,
        since: DateTime,
        until: DateTime,
    ) -> StoreResult<Vec<vigil_domain::marac_return::ReferralFacts>>;

    /// Plans a MARAC meeting (its id is the store's), audited; a second meeting of one area
    /// on one day is a conflict.
    async fn add_meeting(
        &self,
        m: &vigil_domain::marac_meeting::Meeting,
        audit: &AuditEntry,
    ) -> StoreResult<vigil_domain::marac_meeting::Meeting>;

    /// The IDVA service's record of one referral, with its version.
    async fn idva_case(
        &self,
        id: &vigil_domain::ReferralId,
    ) -> StoreResult<Option<Versioned<vigil_domain::idva::IdvaCase>>>;

    /// Saves an IDVA case: new when `expected_version` is `None`, else only over that
    /// version (a conflict otherwise); audited. Returns the new version.
    async fn save_idva_case(
        &self,
        c: &vigil_domain::idva::IdvaCase,
        expected_version: Option<i64>,
        audit: &AuditEntry,
    ) -> StoreResult<i64>;

    /// Open IDVA cases (accepted, not closed), one IDVA's or every IDVA's, oldest referral
    /// first.
    async fn idva_caseload(
        &self,
        idva: Option<&Username>,
    ) -> StoreResult<Vec<vigil_domain::idva::IdvaCase>>;

    /// Records (or replaces) an agency's research on a case for a meeting, audited.
    async fn save_research(
        &self,
        r: &vigil_domain::marac_meeting::Research,
        audit: &AuditEntry,
    ) -> StoreResult<()>;

    /// The research recorded for a meeting (every meeting's with `None`: a copy).
    async fn research(
        &self,
        meeting: Option<i64>,
    ) -> StoreResult<Vec<vigil_domain::marac_meeting::Research>>;

    /// Adds an action to a MARAC action plan (its id is the store's), audited.
    async fn add_marac_action(
        &self,
        a: &vigil_domain::marac_actions::Action,
        audit: &AuditEntry,
    ) -> StoreResult<vigil_domain::marac_actions::Action>;

    /// MARAC actions, soonest due first (at most 100,000: a copy reads them all).
    async fn marac_actions(
        &self,
        q: &ActionQuery,
    ) -> StoreResult<Vec<vigil_domain::marac_actions::Action>>;

    /// Completes an open action with its evidence, audited; false when there is no such
    /// open action.
    async fn complete_marac_action(
        &self,
        id: i64,
        at: DateTime,
        by: &Username,
        evidence: &str,
        audit: &AuditEntry,
    ) -> StoreResult<bool>;

    /// The MASH's record of one referral, with its version.
    async fn mash_case(
        &self,
        id: &vigil_domain::ReferralId,
    ) -> StoreResult<Option<Versioned<vigil_domain::mash::MashCase>>>;

    /// Saves a MASH case over the version read (a conflict otherwise), audited. Returns
    /// the new version.
    async fn save_mash_case(
        &self,
        c: &vigil_domain::mash::MashCase,
        expected_version: i64,
        audit: &AuditEntry,
    ) -> StoreResult<i64>;

    /// MASH cases, oldest referral first (at most 10,000).
    async fn mash_cases(&self, q: &MashQuery) -> StoreResult<Vec<vigil_domain::mash::MashCase>>;

    /// A protective notice worked in Vigil (with its events), and its version.
    async fn notice(
        &self,
        id: &vigil_domain::OrderId,
    ) -> StoreResult<Option<Versioned<vigil_domain::protective::NoticeCase>>>;

    /// Saves a protective notice (new with `None`, else over that version) with its
    /// events, mirrored as notice and order rows in `protection_orders`, and its audit
    /// rows, in one transaction. Returns the new version.
    async fn save_notice(
        &self,
        c: &vigil_domain::protective::NoticeCase,
        expected_version: Option<i64>,
        audit: &[AuditEntry],
    ) -> StoreResult<i64>;

    /// Protective notices, oldest first (at most 10,000), each with its events.
    async fn notices(
        &self,
        q: &NoticeQuery,
    ) -> StoreResult<Vec<vigil_domain::protective::NoticeCase>>;

    /// Saves a cohort run and its members, audited in the same transaction; returns the
    /// run's id.
    async fn save_cohort_run(
        &self,
        run: &vigil_domain::cohort::Run,
        audit: &[AuditEntry],
    ) -> StoreResult<i64>;

    /// A cohort's runs (in one area, or all), newest first, without their members.
    async fn cohort_runs(
        &self,
        kind: vigil_domain::cohort::CohortKind,
        lpa: Option<&vigil_domain::Lpa>,
        limit: u32,
    ) -> StoreResult<Vec<vigil_domain::cohort::Run>>;

    /// One run with its members (those in it by rank, then those who left).
    async fn cohort_run(&self, id: i64) -> StoreResult<Option<vigil_domain::cohort::Run>>;

    /// A person's place in every run of a cohort in an area, oldest first: the run's day
    /// and their row (the score over time).
    async fn cohort_history(
        &self,
        kind: vigil_domain::cohort::CohortKind,
        lpa: &vigil_domain::Lpa,
        person: &PersonId,
    ) -> StoreResult<Vec<(vigil_domain::time::Date, vigil_domain::cohort::RunMember)>>;

    /// A cohort member's owner and what was done, with its version.
    async fn cohort_allocation(
        &self,
        key: &str,
    ) -> StoreResult<Option<Versioned<vigil_domain::cohort::Allocation>>>;

    /// Saves an allocation (new when `expected_version` is `None`) with its actions.
    async fn save_cohort_allocation(
        &self,
        a: &vigil_domain::cohort::Allocation,
        expected_version: Option<i64>,
        audit: &[AuditEntry],
    ) -> StoreResult<i64>;

    /// Allocations, each with its actions, by next review (at most 10,000).
    async fn cohort_allocations(
        &self,
        q: &AllocationQuery,
    ) -> StoreResult<Vec<vigil_domain::cohort::Allocation>>;

    /// A Clare's Law application worked in Vigil, with its version.
    async fn dvds_application(
        &self,
        id: &vigil_domain::DisclosureId,
    ) -> StoreResult<Option<Versioned<vigil_domain::dvds::Application>>>;

    /// Saves a Clare's Law application (new with `None`, else over that version), with its
    /// decision mirrored in the `disclosures` records the measures read, the people it
    /// names for the first time, and its audit rows, in one transaction. Returns the new
    /// version.
    async fn save_dvds(
        &self,
        a: &vigil_domain::dvds::Application,
        expected_version: Option<i64>,
        new_people: &[vigil_domain::Person],
        audit: &[AuditEntry],
    ) -> StoreResult<i64>;

    /// Clare's Law applications, oldest first (at most 10,000).
    async fn dvds_applications(
        &self,
        q: &DvdsQuery,
    ) -> StoreResult<Vec<vigil_domain::dvds::Application>>;

    /// What MARAC wrote down: every referral form and transfer, and the records of the
    /// meetings named (every meeting's with `None`; none with an empty list).
    async fn marac_record(&self, meetings: Option<&[i64]>) -> StoreResult<MaracRecord>;

    /// Saves a change to what MARAC wrote down with its audit rows, in one transaction.
    async fn save_marac(&self, change: &MaracChange, audit: &[AuditEntry]) -> StoreResult<()>;

    /// MARAC meetings, latest first: one area's, or every area's.
    async fn meetings(
        &self,
        area: Option<&str>,
    ) -> StoreResult<Vec<vigil_domain::marac_meeting::Meeting>>;

    /// A page of Operation Encompass notifications, soonest due first, with the true total.
    async fn encompass(&self, q: &EncompassQuery) -> StoreResult<Page<EncompassItem>>;

    /// Records a school's acknowledgement of a notification, audited; false when there is
    /// no such notification or it was already acknowledged.
    async fn acknowledge_encompass(
        &self,
        id: &vigil_domain::ReferralId,
        at: DateTime,
        by: &Username,
        audit: &AuditEntry,
    ) -> StoreResult<bool>;

    /// Every restriction in force (a force restricts tens of records, not thousands: read
    /// whole, by each request that must decide need-to-know).
    async fn restrictions(&self) -> StoreResult<Vec<vigil_domain::restriction::Restriction>>;

    /// Restricts a record, or changes who may see it, with its audit entry, in one
    /// transaction.
    async fn set_restriction(
        &self,
        r: &vigil_domain::restriction::Restriction,
        audit: &AuditEntry,
    ) -> StoreResult<()>;

    /// Lifts a restriction, with its audit entry; false when there was none.
    async fn lift_restriction(
        &self,
        subject: &vigil_domain::restriction::Subject,
        audit: &AuditEntry,
    ) -> StoreResult<bool>;

    /// Incidents in which the person is the victim or the suspect, newest first.
    async fn incidents_of(&self, id: &PersonId) -> StoreResult<Vec<Incident>>;

    /// Appends to the audit trail (there is no way to change or remove an entry).
    async fn audit(&self, entry: &AuditEntry) -> StoreResult<AuditRow>;

    /// Searches the audit trail, newest first.
    async fn audit_trail(&self, query: &AuditQuery) -> StoreResult<Vec<AuditRow>>;

    /// How many entries match the query (its offset and limit aside).
    async fn audit_count(&self, query: &AuditQuery) -> StoreResult<u64>;

    /// A user's live sessions and tokens at `now`, newest first.
    async fn sessions_of(
        &self,
        username: &Username,
        now: DateTime,
    ) -> StoreResult<Vec<SessionInfo>>;

    /// Ends one session or token of a user (by its `SessionInfo::id`), or all of them,
    /// audited; returns how many ended.
    async fn end_sessions(
        &self,
        username: &Username,
        id: Option<&str>,
        audit: &AuditEntry,
    ) -> StoreResult<u64>;

    /// Claims an idempotency key for `request` (method, path and a hash of the body) by
    /// `username`, or says what became of it. Keys older than a day are forgotten.
    async fn idempotency_start(
        &self,
        username: &str,
        key: &str,
        request: &str,
        now: DateTime,
    ) -> StoreResult<IdempotencyStart>;

    /// Keeps the answer to a write made with a key; `None` forgets the key (the write failed
    /// on the server's side and may be retried).
    async fn idempotency_finish(
        &self,
        username: &str,
        key: &str,
        answer: Option<(u16, &str)>,
    ) -> StoreResult<()>;

    /// Keeps a wrong password's username and client address (older ones, past a day, go).
    async fn record_sign_in_failure(
        &self,
        username: &str,
        address: &str,
        at: DateTime,
    ) -> StoreResult<()>;

    /// Wrong passwords since `since`, oldest first (at most 100,000): username, address,
    /// when.
    async fn sign_in_failures_since(
        &self,
        since: DateTime,
    ) -> StoreResult<Vec<(String, String, DateTime)>>;

    /// Writes several audit entries in one transaction (one per person a list showed).
    async fn audit_all(&self, entries: &[AuditEntry]) -> StoreResult<()>;

    /// Changes a user's name, role, agency and area, audited, in one transaction; the
    /// user's sessions take the change at their next request.
    async fn update_user(&self, change: &UserChange, audit: &AuditEntry) -> StoreResult<User>;

    /// The whole audit trail in sequence order, handed to `sink` in chunks of at most
    /// `chunk` rows: for `vigil copy`.
    async fn audit_chunks(
        &self,
        chunk: usize,
        sink: &mut (dyn FnMut(Vec<AuditRow>) -> StoreResult<()> + Send),
    ) -> StoreResult<()>;

    /// The counters ids of records made in Vigil come from, by prefix.
    async fn id_counters(&self) -> StoreResult<Vec<(String, i64)>>;

    /// Writes a consistent copy of the whole store to a new SQLite file at `out`, while
    /// others go on using it. A store that has its own tools for this (PostgreSQL:
    /// `pg_dump`) says so instead.
    async fn backup(&self, out: &std::path::Path) -> StoreResult<()>;

    /// Recomputes the chain (sequence, links, and the key's seal where the trail is sealed);
    /// the first entry that breaks it, and why.
    async fn verify_audit(&self) -> StoreResult<Option<audit_chain::Break>>;

    /// Recomputes the chain; `Some(seq)` is the first entry that breaks it.
    async fn verify_audit_chain(&self) -> StoreResult<Option<i64>> {
        Ok(self.verify_audit().await?.map(|b| b.seq))
    }

    /// The latest entry's sequence number and hash: an anchor to keep outside the store.
    async fn audit_head(&self) -> StoreResult<Option<(i64, String)>>;

    /// The hash of entry `seq`, if it exists.
    async fn audit_hash_at(&self, seq: i64) -> StoreResult<Option<String>>;

    /// Records the outcome of an offence, checked against the outcome rules, provided the
    /// offence is still at `expected_version`. Returns the new version. Warnings (such as
    /// outcome 21 on domestic abuse) are the caller's to show before calling.
    async fn record_outcome(
        &self,
        id: &OffenceId,
        outcome: Outcome,
        victim_withdrawal_recorded: bool,
        expected_version: i64,
        log: &[vigil_domain::casework::CaseEvent],
        audit: &AuditEntry,
    ) -> StoreResult<i64>;

    /// Reserves `n` fresh ids for records of `kind` made in Vigil ("VI0000001" for an
    /// incident). Ids of a save that then fails are not reused: a gap is harmless, a
    /// collision is not.
    async fn new_ids(&self, kind: RecordKind, n: usize) -> StoreResult<Vec<String>>;

    /// Adds records made in Vigil (an intake's people, incident and assessment; an
    /// offence; an arrest; a referral) with their audit rows, all in one transaction: every
    /// reference must resolve, and either everything is written or nothing is.
    async fn add_records(&self, records: &RecordSet, audit: &[AuditEntry]) -> StoreResult<()>;

    /// Adds a DAIT sergeant's secondary assessment and carries its grade to the incident's
    /// offences (DATA.md: an offence's risk is the grade after any secondary assessment),
    /// in one transaction with its audit row.
    async fn add_secondary_assessment(
        &self,
        assessment: &vigil_domain::RiskAssessment,
        audit: &AuditEntry,
    ) -> StoreResult<()>;

    /// People whose family name starts with the search's, closest first; at most `limit`.
    async fn search_people(&self, search: &PersonSearch) -> StoreResult<Vec<Person>>;

    /// Incidents reported on one day, optionally in one area, earliest first.
    async fn incidents_on(
        &self,
        day: Date,
        lpa: Option<&vigil_domain::Lpa>,
        limit: u32,
    ) -> StoreResult<Vec<Incident>>;

    /// A person's referrals (to MARAC, IDVA, MASH, Encompass), newest first.
    async fn referrals_of(&self, id: &PersonId) -> StoreResult<Vec<vigil_domain::Referral>>;

    /// The Clare's Law disclosure applications about a person at risk, newest first (at most
    /// 500).
    async fn disclosures_for(&self, id: &PersonId) -> StoreResult<Vec<vigil_domain::Disclosure>>;

    /// A page of what a partner agency's users see, newest first, with the true total:
    /// the store pre-selects by `vigil_domain::sharing::shares` (kinds or maker, declined
    /// consent where it governs, area); the service checks each row against the rule.
    async fn shared_referrals(&self, q: &SharedQuery) -> StoreResult<Page<SharedReferral>>;

    /// The force's Local Policing Areas: those its incidents and staffing returns name.
    async fn lpas(&self) -> StoreResult<Vec<vigil_domain::Lpa>>;

    /// The DAIT's open investigations and deployable officers in one area.
    async fn dait_load(&self, lpa: &vigil_domain::Lpa) -> StoreResult<DaitLoad>;
}

/// An import in progress (see [`Store::begin_import`]).
#[async_trait::async_trait]
pub trait ImportSession: Send {
    /// Adds records (any tables, referenced tables first across calls).
    async fn add(&mut self, records: &RecordSet) -> StoreResult<()>;

    /// Adds user accounts exactly as another store holds them (ids, password hashes,
    /// disabled or not): for `vigil copy`, into a store that has no users yet.
    async fn add_users(&mut self, users: &[User]) -> StoreResult<()>;

    /// Adds audit rows exactly as another store holds them (sequence, time, hashes): for
    /// `vigil copy`, into a store whose trail is empty, so the chain still verifies.
    async fn add_audit_rows(&mut self, rows: &[AuditRow]) -> StoreResult<()>;

    /// Sets the counters that ids of records made in Vigil come from (`("VI", 42)`: the
    /// last incident id given was VI0000042): for `vigil copy`, so the copy never gives an
    /// id twice.
    async fn set_id_counters(&mut self, counters: &[(String, i64)]) -> StoreResult<()>;

    /// Adds casework as copied from another store: states keep their versions, log entries
    /// their order.
    async fn add_casework(&mut self, work: &Casework) -> StoreResult<()>;

    /// Makes everything added visible at once, recording where the records came from
    /// (`None` keeps what the store said before).
    async fn commit(self: Box<Self>, info: Option<&ExtractInfo>) -> StoreResult<()>;
}

/// A location fit to print or log: a URL's password replaced by `***`.
pub fn redact(location: &str) -> String {
    let Some((scheme, rest)) = location.split_once("://") else {
        return location.to_owned();
    };
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{path}"),
            None => location.to_owned(),
        },
        None => location.to_owned(),
    }
}

/// A store of either backend, shared by the handlers and commands that use it.
pub type DynStore = Arc<dyn Store>;
