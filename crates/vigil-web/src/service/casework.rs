//! The case as a living record: its state (grade, team, status, officer), its log, and its
//! tasks, kept current on every change. Every change to a case passes through [`commit`],
//! which works out the case as it will be, asks the task engine for its tasks and writes it
//! all, with the audit rows, in one transaction.

use super::*;
use vigil_domain::access::Username;
use vigil_domain::casework::{
    CaseEntry, CaseEvent, CaseState, CaseStatus, ContactMethod, WithdrawalMethod, reroute,
};
use vigil_domain::tasks::{TaskFacts, TaskKind, WorkTeam, tasks_for_case};
use vigil_store::{CaseChange, CaseWork};

/// A case's records and its casework, as read together.
pub struct LiveCase {
    pub file: CaseFile,
    pub work: CaseWork,
}

impl LiveCase {
    /// The state the case has, or the one it starts with when Vigil first works it (an
    /// imported case: routed where its open offences are, graded as its records say).
    pub fn state(&self, now: DateTime) -> (CaseState, Option<i64>) {
        match &self.work.state {
            Some(v) => (v.record.clone(), Some(v.version)),
            None => {
                let i = &self.file.incident;
                let mut s = CaseState::new(i.id.clone(), i.lpa.clone(), now);
                s.grade = current_grade(&self.file);
                s.team = self
                    .file
                    .offences
                    .iter()
                    .find(|o| o.outcome.is_none())
                    .or(self.file.offences.first())
                    .map(|o| o.team);
                if !self.file.offences.is_empty()
                    && self.file.offences.iter().all(|o| o.outcome.is_some())
                {
                    s.status = CaseStatus::Finalised;
                }
                (s, None)
            }
        }
    }
}

pub async fn live_case(app: &App, id: &IncidentId) -> Outcome<LiveCase> {
    Ok(LiveCase {
        file: app.store.case_file(id).await?,
        work: app.store.case_work(id).await?,
    })
}

/// The case file as it will be once `change` is written.
fn case_after(before: &CaseFile, change: &CaseChange) -> CaseFile {
    let mut after = before.clone();
    if let Some(i) = &change.incident {
        after.incident = i.clone();
    }
    after
        .offences
        .extend(change.records.offences.iter().cloned());
    if let Some(g) = change.offence_grade {
        for o in &mut after.offences {
            o.risk_level = Some(g);
        }
    }
    after
        .assessments
        .extend(change.records.risk_assessments.iter().cloned());
    for a in &change.arrests {
        if let Some(old) = after.arrests.iter_mut().find(|x| x.id == a.id) {
            *old = a.clone();
        }
    }
    after.arrests.extend(change.records.arrests.iter().cloned());
    after
        .referrals
        .extend(change.records.referrals.iter().cloned());
    after.children.extend(change.children.iter().cloned());
    after
}

/// Writes a change to a case: the tasks worked out afresh from the case as it will be, the
/// state, the log and the records in one transaction with the audit rows. Returns the
/// state's new version.
pub(crate) async fn commit(
    app: &App,
    case: &LiveCase,
    mut change: CaseChange,
    audit: Vec<AuditEntry>,
) -> Outcome<Committed> {
    // Naming a child on an incident means children were present.
    if !change.children.is_empty() {
        let current = change.incident.as_ref().unwrap_or(&case.file.incident);
        if !current.children_present {
            let mut with = current.clone();
            with.children_present = true;
            change.incident = Some(with);
        }
    }
    let after = case_after(&case.file, &change);
    let i = &after.incident;
    let mut histories = Histories::of(app, i).await?;
    histories.referrals.extend(
        change
            .records
            .referrals
            .iter()
            .filter(|r| r.person_id == i.victim_id)
            .cloned(),
    );
    let referrals = &histories.referrals;
    let raised = actions_with(app, &after, &histories, true);
    let mut log = case.work.log.clone();
    log.extend(change.log.iter().cloned());
    let mut encompass: Vec<vigil_domain::encompass::Notification> = app
        .store
        .encompass(&vigil_store::EncompassQuery {
            incident: Some(i.id.clone()),
            limit: 200,
            ..Default::default()
        })
        .await?
        .items
        .into_iter()
        .map(|e| e.notification)
        .collect();
    encompass.extend(change.encompass.iter().cloned());
    // The notices drafted on this case (one saved with this change is as it will be). A
    // served notice is mirrored in the case's orders, so a case without one has no notice
    // task and its writes need not read the notices at all.
    let served = after.orders.iter().any(|o| {
        matches!(
            o.kind,
            vigil_domain::OrderKind::Dvpn | vigil_domain::OrderKind::Dapn
        )
    });
    let mut notices: Vec<vigil_domain::protective::NoticeCase> = if served {
        app.store
            .notices(&vigil_store::NoticeQuery {
                person: Some(i.victim_id.clone()),
                ..Default::default()
            })
            .await?
            .into_iter()
            .filter(|n| n.incident_id.as_ref() == Some(&i.id))
            .collect()
    } else {
        Vec::new()
    };
    if let Some((n, _)) = &change.notice
        && n.incident_id.as_ref() == Some(&i.id)
    {
        notices.retain(|x| x.id != n.id);
        notices.push(n.clone());
    }
    change.tasks = tasks_for_case(
        &TaskFacts {
            incident: i,
            state: &change.state,
            offences: &after.offences,
            assessments: &after.assessments,
            arrests: &after.arrests,
            referrals,
            log: &log,
            raised: &raised,
            children: i.children_present,
            linked_children: &after.children,
            incident_referrals: &after.referrals,
            encompass: &encompass,
            disclosures: &histories.disclosures,
            notices: &notices,
        },
        &app.rules,
    );
    let version = app.store.save_case(&change, &audit).await?;
    Ok(Committed {
        version,
        actions: actions_with(app, &after, &histories, false),
    })
}

/// A change written: the case's new version and the actions now due on it.
pub struct Committed {
    pub version: i64,
    pub actions: Vec<Action>,
}

/// Writes an addition to a case (records, log entries) that does not depend on the state
/// as read: when someone else changed the case in between, the case is read again and the
/// addition written again (up to forty times) rather than refused. Sixteen officers adding
/// to one case at once all succeed.
pub(crate) async fn append(
    app: &App,
    first: LiveCase,
    add: impl Fn(&mut CaseChange),
    audit: Vec<AuditEntry>,
) -> Outcome<()> {
    let mut case = first;
    let mut attempt = 0;
    loop {
        let (state, version) = case.state(app.now());
        let mut change = CaseChange::new(state, version);
        add(&mut change);
        match commit(app, &case, change, audit.clone()).await {
            Err(Failure::Conflict(_)) if attempt < 40 => {
                attempt += 1;
                // Others are writing to the same case: step aside a moment, longer each
                // time, so the writers do not keep colliding.
                tokio::time::sleep(std::time::Duration::from_millis(2 * attempt)).await;
                case = live_case(app, &case.file.incident.id).await?;
            }
            other => return other.map(|_| ()),
        }
    }
}

/// Re-works a case's tasks after a change written elsewhere (an outcome).
pub(crate) async fn refresh(app: &App, id: &IncidentId) -> Outcome<()> {
    let case = live_case(app, id).await?;
    append(app, case, |_| {}, Vec::new()).await
}

/// A case's state routed by its grade now (the log says so when the team changes).
pub(crate) async fn route_case(
    app: &App,
    s: &Session,
    state: &mut CaseState,
    grade: Option<RiskGrade>,
    log: &mut Vec<CaseEvent>,
) -> Outcome<Option<Routing>> {
    let now = app.now();
    let load = dait_load(app, &state.lpa).await?;
    let (routing, changed) = reroute(state, grade, load, now);
    if changed && let (Some(team), Some(grade)) = (state.team, grade) {
        log.push(CaseEvent {
            at: now,
            actor: actor(s).to_owned(),
            entry: CaseEntry::Routed { team, grade },
        });
    }
    Ok(routing)
}

/// A case the user may work: readable, and the role holds one of `any`.
pub(crate) async fn workable_case(
    app: &App,
    s: &Session,
    raw: &str,
    any: &[Capability],
    what: &str,
) -> Outcome<LiveCase> {
    require_read(app, s, "case", raw).await?;
    let id = IncidentId::parse(raw).map_err(|_| Failure::NotFound)?;
    let case = live_case(app, &id).await?;
    visible_case(app, s, &case.file).await?;
    if !any.iter().any(|c| allows(s.user.role, *c)) {
        require(app, s, any[0], what, raw).await?;
    }
    Ok(case)
}

pub(crate) fn event(app: &App, s: &Session, entry: CaseEntry) -> CaseEvent {
    CaseEvent {
        at: app.now(),
        actor: actor(s).to_owned(),
        entry,
    }
}

/// The longest note or reason Vigil keeps (a page of text).
pub const NOTE_LIMIT: usize = 10_000;

/// Free text for the log: line breaks allowed, other control characters not, bounded.
fn note_text(errors: &mut Vec<FieldError>, field: &str, raw: &str, what: &str) -> Option<String> {
    let v = raw.trim();
    if v.is_empty() {
        errors.push(FieldError::new(field, format!("Enter {what}")));
        return None;
    }
    if let Err(e) = vigil_domain::text::check_free_text(v, NOTE_LIMIT, true) {
        errors.push(FieldError::new(field, format!("The text {}", e.reason)));
        return None;
    }
    Some(v.replace("\r\n", "\n"))
}

/// A change to a case's state names the version it was made from (a case Vigil has not
/// worked yet has none, so any is accepted); a case changed by someone else since is a
/// conflict, with what to do next.
fn check_version(found: Option<i64>, edited: i64, then: &str) -> Outcome<()> {
    match found {
        Some(v) if v != edited => Err(Failure::Conflict(format!(
            "The case was changed by someone else (version {v}, you edited version {edited}); reload it and {then}"
        ))),
        _ => Ok(()),
    }
}

pub(crate) fn case_audit(
    s: &Session,
    action: &str,
    case: &IncidentId,
    reason: Option<String>,
) -> AuditEntry {
    audit_entry(actor(s), action, "case", case.as_str(), reason)
}

// ----- notes -----

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NoteInput {
    /// The note (up to 10,000 characters; line breaks kept).
    pub text: String,
}

/// Adds an officer's note to the case log (append-only; the audit row names the act, never
/// the words).
pub async fn add_note(app: &App, s: &Session, case_id: &str, input: &NoteInput) -> Outcome<()> {
    let case = workable_case(
        app,
        s,
        case_id,
        &[Capability::RecordInvestigation, Capability::Safeguard],
        "note",
    )
    .await?;
    let mut errors = Vec::new();
    let text = note_text(&mut errors, "text", &input.text, "the note");
    let (text,) = valid!(errors; text);
    let entry = event(app, s, CaseEntry::Note { text });
    let audit = vec![case_audit(s, "case.note", &case.file.incident.id, None)];
    append(app, case, |c| c.log.push(entry.clone()), audit).await
}

// ----- allocation -----

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AllocationInput {
    /// The username of the officer to allocate the case to; empty to return it to the team.
    pub officer: String,
    /// The case's version as read; a change by someone else since is refused.
    #[serde(deserialize_with = "whole_number")]
    pub version: i64,
}

/// The officers who may hold a case of a team: enabled users whose role works that team.
pub async fn officers_for(app: &App, team: WorkTeam) -> Outcome<Vec<vigil_store::User>> {
    Ok(app
        .store
        .users()
        .await?
        .into_iter()
        .filter(|u| {
            !u.disabled
                && vigil_domain::tasks::role_teams(u.role).contains(&team)
                && allows(u.role, Capability::RecordInvestigation)
        })
        .collect())
}

/// A sergeant allocates a case to an officer of the team that holds it (audited).
pub async fn allocate(
    app: &App,
    s: &Session,
    case_id: &str,
    input: &AllocationInput,
) -> Outcome<i64> {
    let case = workable_case(app, s, case_id, &[Capability::AllocateCases], "allocation").await?;
    let (mut state, version) = case.state(app.now());
    let mut errors = Vec::new();
    let Some(team) = state.team else {
        return Err(Failure::Invalid(vec![FieldError::new(
            "officer",
            "This case awaits its risk assessment: it is allocated once it is routed to a team",
        )]));
    };
    let team = WorkTeam::from_investigating(team);
    let raw = input.officer.trim();
    let to = if raw.is_empty() {
        None
    } else {
        match Username::parse(raw) {
            Ok(u) => {
                let officers = officers_for(app, team).await?;
                if officers.iter().any(|o| o.username == u) {
                    Some(u)
                } else {
                    errors.push(FieldError::new(
                        "officer",
                        format!(
                            "'{u}' is not an officer of the {} who can hold this case; choose one from the list",
                            team.name()
                        ),
                    ));
                    None
                }
            }
            Err(e) => {
                errors.push(FieldError::new("officer", capitalise(&e.reason)));
                None
            }
        }
    };
    check_version(version, input.version, "allocate it again")?;
    if !errors.is_empty() {
        return Err(Failure::Invalid(errors));
    }
    if state.allocated_to == to {
        return Ok(version.unwrap_or(0));
    }
    state.allocated_to = to.clone();
    let mut change = CaseChange::new(state, version);
    change
        .log
        .push(event(app, s, CaseEntry::Allocated { to: to.clone() }));
    let id = case.file.incident.id.clone();
    let audit = case_audit(
        s,
        "case.allocate",
        &id,
        Some(to.map_or("returned to the team".to_owned(), |u| format!("to {u}"))),
    );
    Ok(commit(app, &case, change, vec![audit]).await?.version)
}

// ----- status -----

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct StatusInput {
    /// `open`, `suspended` or `finalised`.
    pub status: String,
    /// Why (required to suspend, and to finalise a case whose offences are not all
    /// finalised).
    pub reason: String,
    #[serde(deserialize_with = "whole_number")]
    pub version: i64,
}

pub async fn set_status(
    app: &App,
    s: &Session,
    case_id: &str,
    input: &StatusInput,
) -> Outcome<i64> {
    let case = workable_case(
        app,
        s,
        case_id,
        &[Capability::RecordInvestigation],
        "status",
    )
    .await?;
    let (mut state, version) = case.state(app.now());
    let mut errors = Vec::new();
    let status = choice(
        &mut errors,
        "status",
        &input.status,
        "the investigation's status",
        CaseStatus::parse,
    );
    let reason = if input.reason.trim().is_empty() {
        None
    } else {
        note_text(&mut errors, "reason", &input.reason, "the reason")
    };
    let open_offences = case.file.offences.iter().any(|o| o.outcome.is_none());
    match status {
        Some(CaseStatus::Suspended) if reason.is_none() => errors.push(FieldError::new(
            "reason",
            "Enter why the investigation is suspended",
        )),
        Some(CaseStatus::Finalised) if open_offences && reason.is_none() => {
            errors.push(FieldError::new(
                "reason",
                "Some offences have no outcome yet: record their outcomes, or enter why the investigation is finalised without them",
            ))
        }
        Some(st) if st == state.status => errors.push(FieldError::new(
            "status",
            format!("The investigation is already {st}"),
        )),
        _ => {}
    }
    let (status,) = valid!(errors; status);
    check_version(version, input.version, "try again")?;
    state.status = status;
    state.status_reason = reason.clone();
    let mut change = CaseChange::new(state, version);
    change
        .log
        .push(event(app, s, CaseEntry::StatusChanged { status, reason }));
    let id = case.file.incident.id.clone();
    let audit = case_audit(s, &format!("case.{status}"), &id, None);
    Ok(commit(app, &case, change, vec![audit]).await?.version)
}

// ----- an arrest's disposal -----

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DisposalInput {
    /// The arrest on this case whose disposal is decided.
    pub arrest_id: String,
    /// `charge`, `caution`, `released_under_investigation`, `bail`, `no_further_action` or
    /// `other`.
    pub disposal: String,
    /// Bail conditions (needed for bail: write "none" for unconditional bail); the victim is
    /// told of them.
    pub conditions: String,
    /// The case's version as read.
    pub version: i64,
}

/// Records or changes an arrest's disposal: the arrest's row replaced, the old and new
/// disposal and any bail conditions kept in the log, and a task raised to tell the victim.
pub async fn update_disposal(
    app: &App,
    s: &Session,
    case_id: &str,
    input: &DisposalInput,
) -> Outcome<i64> {
    let case = workable_case(
        app,
        s,
        case_id,
        &[Capability::RecordInvestigation],
        "disposal",
    )
    .await?;
    let mut errors = Vec::new();
    let arrest = match input.arrest_id.trim() {
        "" => {
            errors.push(FieldError::new("arrest_id", "Choose the arrest"));
            None
        }
        raw => match ArrestId::parse(raw) {
            Err(e) => {
                errors.push(FieldError::new("arrest_id", e.reason));
                None
            }
            Ok(id) => {
                let found = case.file.arrests.iter().find(|a| a.id == id);
                if found.is_none() {
                    errors.push(FieldError::new(
                        "arrest_id",
                        format!("There is no arrest {id} on this case"),
                    ));
                }
                found.cloned()
            }
        },
    };
    let disposal = choice(
        &mut errors,
        "disposal",
        &input.disposal,
        "the disposal",
        ArrestDisposal::parse,
    );
    let conditions = if input.conditions.trim().is_empty() {
        if disposal == Some(ArrestDisposal::Bail) {
            errors.push(FieldError::new(
                "conditions",
                "Enter the bail conditions, or 'none' for bail without conditions",
            ));
        }
        Some(String::new())
    } else {
        note_text(
            &mut errors,
            "conditions",
            &input.conditions,
            "the conditions",
        )
    };
    if let (Some(a), Some(d)) = (&arrest, disposal)
        && a.disposal == Some(d)
        && d != ArrestDisposal::Bail
    {
        errors.push(FieldError::new(
            "disposal",
            format!("The disposal is already {}", d.as_str().replace('_', " ")),
        ));
    }
    let (mut arrest, disposal, conditions) = valid!(errors; arrest, disposal, conditions);
    let (state, version) = case.state(app.now());
    check_version(version, input.version, "record the disposal again")?;
    let from = arrest
        .disposal
        .map_or(String::new(), |d| d.as_str().to_owned());
    arrest.disposal = Some(disposal);
    let mut change = CaseChange::new(state, version);
    change.log.push(event(
        app,
        s,
        CaseEntry::DisposalUpdated {
            arrest: arrest.id.to_string(),
            from,
            to: disposal.as_str().to_owned(),
            conditions,
        },
    ));
    let audit = case_audit(s, "arrest.disposal", &case.file.incident.id, None);
    change.arrests.push(arrest);
    Ok(commit(app, &case, change, vec![audit]).await?.version)
}

// ----- the victim's withdrawal -----

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct WithdrawalInput {
    /// When the victim withdrew support: `YYYY-MM-DD` or `DD/MM/YYYY`.
    pub date: String,
    /// `statement`, `verbal`, `written` or `no_contact`.
    pub method: String,
    /// What the victim said, and the officer's view of why.
    pub detail: String,
}

pub async fn record_withdrawal(
    app: &App,
    s: &Session,
    case_id: &str,
    input: &WithdrawalInput,
) -> Outcome<()> {
    let case = workable_case(
        app,
        s,
        case_id,
        &[Capability::RecordInvestigation],
        "withdrawal",
    )
    .await?;
    let today = app.now().date();
    let mut errors = Vec::new();
    let on = day_field(
        &mut errors,
        "date",
        &input.date,
        "the date the victim withdrew support",
        today,
    );
    if let Some(d) = on
        && d < case.file.incident.reported_at.date()
    {
        errors.push(FieldError::new(
            "date",
            "The withdrawal cannot be before the incident was reported",
        ));
    }
    let method = choice(
        &mut errors,
        "method",
        &input.method,
        "how the victim withdrew support",
        WithdrawalMethod::parse,
    );
    let detail = note_text(&mut errors, "detail", &input.detail, "what the victim said");
    let (on, method, detail) = valid!(errors; on, method, detail);
    let entry = event(app, s, CaseEntry::Withdrawal { on, method, detail });
    let audit = vec![case_audit(
        s,
        "case.withdrawal",
        &case.file.incident.id,
        None,
    )];
    append(app, case, |c| c.log.push(entry.clone()), audit).await
}

// ----- telling the victim -----

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct VictimContactInput {
    /// The decision the victim was told of: the key of an open "tell the victim" task.
    pub decision: String,
    /// `in_person`, `phone`, `email`, `letter` or `text`.
    pub method: String,
    pub detail: String,
}

pub async fn record_victim_contact(
    app: &App,
    s: &Session,
    case_id: &str,
    input: &VictimContactInput,
) -> Outcome<()> {
    let case = workable_case(
        app,
        s,
        case_id,
        &[Capability::RecordInvestigation, Capability::Safeguard],
        "victim_contact",
    )
    .await?;
    let mut errors = Vec::new();
    let decision = input.decision.trim();
    let open = case
        .work
        .tasks
        .iter()
        .any(|t| t.kind == TaskKind::VictimUpdate && t.key == decision && t.is_open());
    if !open {
        errors.push(FieldError::new(
            "decision",
            "Choose a decision the victim has still to be told of",
        ));
    }
    let method = choice(
        &mut errors,
        "method",
        &input.method,
        "how the victim was told",
        ContactMethod::parse,
    );
    let detail = if input.detail.trim().is_empty() {
        Some(String::new())
    } else {
        note_text(&mut errors, "detail", &input.detail, "what was said")
    };
    let (method, detail) = valid!(errors; method, detail);
    let entry = event(
        app,
        s,
        CaseEntry::VictimInformed {
            decision: decision.to_owned(),
            method,
            detail,
        },
    );
    let audit = vec![case_audit(
        s,
        "case.victim_informed",
        &case.file.incident.id,
        Some(decision.to_owned()),
    )];
    append(app, case, |c| c.log.push(entry.clone()), audit).await
}

// ----- review and the no-crime decision -----

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ReviewInput {
    /// `review` (the investigation reviewed) or `no_crime` (no notifiable offence).
    pub kind: String,
    pub text: String,
}

pub async fn record_review(
    app: &App,
    s: &Session,
    case_id: &str,
    input: &ReviewInput,
) -> Outcome<()> {
    let case = workable_case(
        app,
        s,
        case_id,
        &[Capability::RecordInvestigation],
        "review",
    )
    .await?;
    let mut errors = Vec::new();
    let text = note_text(&mut errors, "text", &input.text, "what the review found");
    let kind = match input.kind.trim() {
        "review" => Some(false),
        "no_crime" if !case.file.offences.is_empty() => {
            errors.push(FieldError::new(
                "kind",
                "This case has offences recorded: a no-crime decision is for an incident without one",
            ));
            None
        }
        "no_crime" => Some(true),
        _ => {
            errors.push(FieldError::new(
                "kind",
                "Choose a review or a no-crime decision",
            ));
            None
        }
    };
    let (text, no_crime) = valid!(errors; text, kind);
    let entry = event(
        app,
        s,
        if no_crime {
            CaseEntry::NoCrime { reason: text }
        } else {
            CaseEntry::Reviewed { text }
        },
    );
    let action = if no_crime {
        "case.no_crime"
    } else {
        "case.review"
    };
    let audit = vec![case_audit(s, action, &case.file.incident.id, None)];
    append(app, case, |c| c.log.push(entry.clone()), audit).await
}

// ----- corrections -----

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CorrectionInput {
    /// The case's version as read.
    #[serde(deserialize_with = "whole_number")]
    pub version: i64,
    /// Each field left empty (or absent) is unchanged.
    pub reported_at: String,
    pub arrived_at: String,
    pub call_grade: String,
    pub lpa: String,
    pub children_present: Option<bool>,
    /// Why the record was wrong (required).
    pub reason: String,
}

/// Corrects an incident's times, grade of call, area or children present, keeping what
/// each field was, who changed it and why in the case log.
pub async fn correct_incident(
    app: &App,
    s: &Session,
    case_id: &str,
    input: &CorrectionInput,
) -> Outcome<i64> {
    let case = workable_case(
        app,
        s,
        case_id,
        &[Capability::RecordInvestigation, Capability::RecordIncident],
        "correction",
    )
    .await?;
    let now = app.now();
    let old = case.file.incident.clone();
    let mut new = old.clone();
    let mut errors = Vec::new();
    if !input.reported_at.trim().is_empty()
        && let Some(t) = when_field(
            &mut errors,
            "reported_at",
            &input.reported_at,
            "when the call was received",
            now,
        )
    {
        new.reported_at = t;
    }
    if !input.arrived_at.trim().is_empty()
        && let Some(t) = when_field(
            &mut errors,
            "arrived_at",
            &input.arrived_at,
            "when the first officer arrived",
            now,
        )
    {
        new.arrived_at = Some(t);
    }
    if !input.call_grade.trim().is_empty()
        && let Some(g) = choice(
            &mut errors,
            "call_grade",
            &input.call_grade,
            "the call grade",
            CallGrade::parse,
        )
    {
        new.call_grade = g;
    }
    if !input.lpa.trim().is_empty() {
        match known_lpa(app, &input.lpa) {
            Ok(l) => new.lpa = l,
            Err(e) => errors.push(FieldError::new("lpa", e)),
        }
    }
    if let Some(c) = input.children_present {
        new.children_present = c;
    }
    if let Err(e) = vigil_domain::dates::incident(new.reported_at, new.arrived_at) {
        errors.push(FieldError::new(e.field, capitalise(&e.reason)));
    }
    let reason = note_text(
        &mut errors,
        "reason",
        &input.reason,
        "why the record was wrong",
    );
    let (reason,) = valid!(errors; reason);
    let (mut state, version) = case.state(now);
    check_version(version, input.version, "make your correction again")?;
    let text = |t: Option<DateTime>| {
        t.map(vigil_domain::time::format_datetime)
            .unwrap_or_default()
    };
    let changes: Vec<(&str, String, String)> = [
        (
            "reported_at",
            text(Some(old.reported_at)),
            text(Some(new.reported_at)),
        ),
        ("arrived_at", text(old.arrived_at), text(new.arrived_at)),
        (
            "call_grade",
            old.call_grade.to_string(),
            new.call_grade.to_string(),
        ),
        ("lpa", old.lpa.to_string(), new.lpa.to_string()),
        (
            "children_present",
            crate::components::yes_no(Some(old.children_present)).to_owned(),
            crate::components::yes_no(Some(new.children_present)).to_owned(),
        ),
    ]
    .into_iter()
    .filter(|(_, a, b)| a != b)
    .collect();
    if changes.is_empty() {
        return Err(Failure::Invalid(vec![FieldError::new(
            "reason",
            "Nothing was changed: enter the corrected values",
        )]));
    }
    // The response target is the call's: recomputed when its times change.
    new.response_target_met = match (app.rules.response_due(&new), new.arrived_at) {
        (Some(due), Some(a)) => Some(a <= due),
        _ => old.response_target_met,
    };
    state.lpa = new.lpa.clone();
    let mut change = CaseChange::new(state, version);
    for (field, from, to) in &changes {
        change.log.push(event(
            app,
            s,
            CaseEntry::Corrected {
                field: (*field).to_owned(),
                from: from.clone(),
                to: to.clone(),
                reason: reason.clone(),
            },
        ));
    }
    change.incident = Some(new);
    let fields: Vec<&str> = changes.iter().map(|c| c.0).collect();
    let audit = case_audit(s, "incident.correct", &old.id, Some(fields.join(", ")));
    Ok(commit(app, &case, change, vec![audit]).await?.version)
}

/// A case's casework as read (audited as a read of the case), with the version a change
/// must name (0 for a case Vigil has not yet worked).
pub async fn read_case_work(app: &App, s: &Session, raw: &str) -> Outcome<(LiveCase, i64)> {
    require_read(app, s, "case", raw).await?;
    let id = IncidentId::parse(raw).map_err(|_| Failure::NotFound)?;
    let case = live_case(app, &id).await?;
    visible_case(app, s, &case.file).await?;
    audited(
        app,
        audit_entry(actor(s), "case.read", "case", id.as_str(), None),
    )
    .await?;
    let version = case.work.state.as_ref().map_or(0, |v| v.version);
    Ok((case, version))
}

/// The names of a case's parties, for showing beside their references.
pub struct Names(Vec<(PersonId, Option<String>, Option<String>)>);

impl Names {
    /// The victim's and suspect's names, read for a role that may see them (no read, and
    /// no audit row, for one that may not).
    pub async fn of_case(app: &App, s: &Session, c: &CaseFile) -> Outcome<Names> {
        let mut out = Vec::new();
        if !allows(s.user.role, Capability::SeeNames) {
            return Ok(Names(out));
        }
        for id in std::iter::once(&c.incident.victim_id).chain(c.incident.suspect_id.as_ref()) {
            let p = app.store.person(id).await?.record;
            out.push((
                p.id.clone(),
                p.identity.family_name.clone(),
                p.identity.given_names.clone(),
            ));
        }
        Ok(Names(out))
    }

    /// A person's reference as a link, with their name for a role that may see it.
    pub fn label(&self, role: vigil_domain::access::Role, id: &PersonId) -> String {
        let (family, given) = self
            .0
            .iter()
            .find(|(p, _, _)| p == id)
            .map_or((None, None), |(_, f, g)| (f.as_deref(), g.as_deref()));
        crate::components::person_label(role, id.as_str(), family, given)
    }
}
