//! Vigil's use cases as the web application offers them: each checks the permission table,
//! validates its input field by field, applies the domain rules, and writes through the
//! store with its audit rows. The HTML pages and the JSON API both call these, so a rule
//! holds however a user reaches it.

use crate::App;
use crate::auth::audit_entry;
use serde::Deserialize;
use utoipa::ToSchema;
use vigil_domain::access::{Capability, allows};
use vigil_domain::risk::{
    Answer, Answers, AssessmentStage, GradeThresholds, InstrumentKind, JudgementReason,
    ProfessionalJudgement, assess, instrument,
};
use vigil_domain::routing::{Routing, TeamLoad, route};
use vigil_domain::safeguarding::{Action, CaseFacts, actions_due};
use vigil_domain::time::{Date, DateTime};
use vigil_domain::*;
use vigil_store::{AuditEntry, CaseFile, PersonSearch, Session, StoreError};

mod admin;
mod case;
mod casework;
mod children;
mod cohort;
mod dvds;
mod encompass;
mod fields;
mod idva;
mod intake;
mod marac;
mod mash;
mod people;
mod protective;
mod queues;
mod recording;
mod restrictions;
mod sharing;

pub use admin::*;
pub use case::*;
pub use casework::*;
pub use children::*;
pub use cohort::*;
pub use dvds::*;
pub use encompass::*;
pub use fields::*;
pub use idva::*;
pub use intake::*;
pub use marac::*;
pub use mash::*;
pub use people::*;
pub use protective::*;
pub use queues::*;
pub use recording::*;
pub use restrictions::{RestrictionInput, lift_restriction, list_restrictions, set_restriction};
pub(crate) use restrictions::{hidden_from, visible_case, visible_person};
pub use sharing::*;

/// Why a use case did not complete.
#[derive(Debug)]
pub enum Failure {
    /// No such record, or one the user may not see (the attempt is audited).
    NotFound,
    /// The user's role may not do this at all.
    Forbidden,
    /// The input has problems; nothing was written.
    Invalid(Vec<FieldError>),
    /// A new person looks like people already recorded; the user must pick one or confirm.
    PossibleDuplicates {
        party: &'static str,
        matches: Vec<Person>,
    },
    /// Someone else changed the record first.
    Conflict(String),
    /// Too many requests: wait this long.
    TooMany {
        retry_after_secs: i64,
        message: String,
    },
    /// The store failed; nothing was written.
    Problem(String),
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => Failure::NotFound,
            StoreError::Conflict { .. } => Failure::Conflict(e.to_string()),
            StoreError::Rejected(issues) => Failure::Invalid(
                issues
                    .into_iter()
                    .map(|i| FieldError::new("code", i.message))
                    .collect(),
            ),
            other => Failure::Problem(other.to_string()),
        }
    }
}

pub type Outcome<T> = Result<T, Failure>;

/// The DAIT caseload per deployable officer above which new medium and high risk
/// investigations go to CID instead (routing's capacity rule). Vigil's default; a force
/// sets its own.
pub const DAIT_CASES_PER_OFFICER: f64 = 12.0;

pub(crate) fn actor(s: &Session) -> &str {
    s.user.username.as_str()
}

/// Checks a capability; a refusal is audited (an attempt to act beyond one's role is worth
/// knowing about).
pub(crate) async fn require(
    app: &App,
    s: &Session,
    c: Capability,
    what: &str,
    id: &str,
) -> Outcome<()> {
    if allows(s.user.role, c) {
        return Ok(());
    }
    let _ = app
        .store
        .audit(&audit_entry(
            actor(s),
            &format!("{what}.denied"),
            what,
            id,
            Some(format!("role {} lacks {c}", s.user.role)),
        ))
        .await;
    Err(Failure::Forbidden)
}

/// Reading one record: a role that may not read cases is answered "not found", and the
/// attempt is audited, so a URL typed by hand reveals nothing.
pub(crate) async fn require_read(app: &App, s: &Session, kind: &str, id: &str) -> Outcome<()> {
    if allows(s.user.role, Capability::ReadCases) {
        return Ok(());
    }
    let _ = app
        .store
        .audit(&audit_entry(
            actor(s),
            &format!("{kind}.read_denied"),
            kind,
            id,
            None,
        ))
        .await;
    Err(Failure::NotFound)
}

/// Counts a read of a person's or case's record against the reader's pace: bulk reading
/// is slowed, reported to the administrators once a window, then refused (`reads.rs`).
pub(crate) async fn paced_read(app: &App, s: &Session) -> Outcome<()> {
    match app.reads.note(actor(s), vigil_auth::now_utc()) {
        crate::reads::Pace::Normal => Ok(()),
        crate::reads::Pace::Slow { alert, reads } => {
            if alert {
                audited(
                    app,
                    audit_entry(
                        actor(s),
                        "alert.bulk_reads",
                        "user",
                        actor(s),
                        Some(format!(
                            "{reads} records opened within {} minutes: reads are slowed",
                            crate::reads::WINDOW_MINUTES
                        )),
                    ),
                )
                .await?;
            }
            tokio::time::sleep(std::time::Duration::from_millis(
                crate::reads::SLOW_BY_MILLIS,
            ))
            .await;
            Ok(())
        }
        crate::reads::Pace::Refuse { retry_after_secs } => {
            let _ = app
                .store
                .audit(&audit_entry(
                    actor(s),
                    "alert.bulk_reads_refused",
                    "user",
                    actor(s),
                    None,
                ))
                .await;
            Err(Failure::TooMany {
                retry_after_secs,
                message: format!(
                    "You have opened more records in the last {} minutes than anyone's work needs; the administrators have been told. Try again in {} minutes",
                    crate::reads::WINDOW_MINUTES,
                    (retry_after_secs + 59) / 60
                ),
            })
        }
    }
}

/// A list shown to a user: one audit entry per person it names (`action`, the list in
/// `reason`), so "who saw this person" is answered by a search of the trail by person. No
/// entries, no list.
/// The names of the people a record is about, as the user may see them (family and given
/// names joined); nothing audited here.
pub(crate) async fn names_of(
    app: &App,
    people: &[&PersonId],
) -> Outcome<std::collections::HashMap<PersonId, String>> {
    let mut out = std::collections::HashMap::new();
    for id in people {
        let p = app.store.person(id).await?.record;
        if let Some(n) = vigil_domain::visibility::joined_name(
            p.identity.family_name.as_deref(),
            p.identity.given_names.as_deref(),
        ) {
            out.insert(p.id, n);
        }
    }
    Ok(out)
}

/// Opens a record about several people (an application, a notice): "not found" when any
/// of them is restricted from the user; otherwise each read audited (`what` names the
/// record) and their names returned.
pub(crate) async fn read_people(
    app: &App,
    s: &Session,
    people: &[&PersonId],
    what: &str,
) -> Outcome<std::collections::HashMap<PersonId, String>> {
    let hidden = hidden_from(app, s).await?;
    if people.iter().any(|p| hidden.person(p)) {
        return Err(Failure::NotFound);
    }
    for person in people {
        audited(
            app,
            audit_entry(
                actor(s),
                "person.read",
                "person",
                person.as_str(),
                Some(what.to_owned()),
            ),
        )
        .await?;
    }
    names_of(app, people).await
}

pub(crate) async fn audited_list(
    app: &App,
    s: &Session,
    action: &str,
    list: &str,
    mut ids: Vec<PersonId>,
) -> Outcome<()> {
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(());
    }
    let entries: Vec<AuditEntry> = ids
        .iter()
        .map(|id| {
            audit_entry(
                actor(s),
                action,
                "person",
                id.as_str(),
                Some(format!("listed in {list}")),
            )
        })
        .collect();
    app.store.audit_all(&entries).await.map_err(Failure::from)
}

pub(crate) async fn audited(app: &App, e: AuditEntry) -> Outcome<()> {
    // No audit row, no read.
    app.store.audit(&e).await.map(|_| ()).map_err(Failure::from)
}

/// An area typed or chosen by a user: a valid name, and one of the force's areas (when the
/// store knows them).
pub fn known_lpa(app: &App, raw: &str) -> Result<Lpa, String> {
    match Lpa::parse(raw.trim()) {
        Ok(l) if app.lpas.is_empty() || app.lpas.contains(&l) => Ok(l),
        Ok(l) => Err(format!(
            "'{l}' is not one of this force's Local Policing Areas"
        )),
        Err(e) => Err(e.reason),
    }
}

/// One fresh id for a record made in Vigil, as its typed id.
pub(crate) async fn new_id<T>(
    app: &App,
    kind: RecordKind,
    parse: fn(&str) -> Result<T, ValueError>,
) -> Outcome<T> {
    let ids = app.store.new_ids(kind, 1).await?;
    parse(&ids[0]).map_err(|e| Failure::Problem(e.reason))
}

/// Writes records added to a case, with the audit row that names what was added; the
/// case's tasks are worked out afresh (a referral may close one, an arrest open one).
pub(crate) async fn add_to_case(
    app: &App,
    s: &Session,
    case: LiveCase,
    what: &str,
    id: &str,
    records: RecordSet,
) -> Outcome<()> {
    let entry = audit_entry(
        actor(s),
        &format!("{what}.create"),
        "case",
        case.file.incident.id.as_str(),
        Some(format!("{what} {id}")),
    );
    append(app, case, |c| c.records = records.clone(), vec![entry]).await
}
