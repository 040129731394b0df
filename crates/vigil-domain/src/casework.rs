//! A case as a living record: its state now (grade, team, status, officer) and its log of
//! what happened to it (notes, allocations, routing, corrections, a withdrawal, a changed
//! outcome, the victim told of a decision). The log is append-only; the state is what the
//! log and the records make of the case, kept beside them so lists can select by it.

use crate::access::Username;
use crate::ids::{Lpa, OffenceId};
use crate::records::InvestigatingTeam;
use crate::risk::RiskGrade;
use crate::routing::{Routing, TeamLoad, route};
use crate::time::{Date, DateTime};
use crate::vocabulary::vocabulary;
use crate::{IncidentId, ValueError};

vocabulary! {
    /// Where an investigation stands.
    pub enum CaseStatus ("case status") {
        Open = "open",
        /// Paused for a reason (suspect not found, awaiting a forensic result); reviews stop.
        Suspended = "suspended",
        /// Every offence has an outcome, or there was no crime; nothing more to do.
        Finalised = "finalised",
    }
}

vocabulary! {
    /// How a victim withdrew their support for a prosecution.
    pub enum WithdrawalMethod ("withdrawal method") {
        Statement = "statement",
        Verbal = "verbal",
        Written = "written",
        NoContact = "no_contact",
    }
}

vocabulary! {
    /// How a victim was told of a decision.
    pub enum ContactMethod ("contact method") {
        InPerson = "in_person",
        Phone = "phone",
        Email = "email",
        Letter = "letter",
        Text = "text",
    }
}

/// The live state of a case worked in Vigil.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseState {
    pub incident_id: IncidentId,
    pub lpa: Lpa,
    /// The current grade: the latest assessment's (`case::current_grade`).
    pub grade: Option<RiskGrade>,
    /// The investigating team the case is routed to; `None` while it awaits assessment.
    pub team: Option<InvestigatingTeam>,
    pub status: CaseStatus,
    /// Why the case is suspended or finalised.
    pub status_reason: Option<String>,
    /// The officer in charge, once a sergeant allocates the case.
    pub allocated_to: Option<Username>,
    /// Who recorded the incident in Vigil (the primary assessment is theirs to add).
    pub recorded_by: Option<Username>,
    /// When the case was last routed to a team.
    pub routed_at: Option<DateTime>,
    /// When Vigil began to run the case's clocks: the report of an incident recorded in
    /// Vigil, or the moment an imported case was first worked. Nothing due before this is
    /// a task (an imported case from 2017 is not overdue for a 2017 DASH).
    pub opened_at: DateTime,
}

impl CaseState {
    /// A case that Vigil starts running at `opened_at`, not yet routed.
    pub fn new(incident_id: IncidentId, lpa: Lpa, opened_at: DateTime) -> CaseState {
        CaseState {
            incident_id,
            lpa,
            grade: None,
            team: None,
            status: CaseStatus::Open,
            status_reason: None,
            allocated_to: None,
            recorded_by: None,
            routed_at: None,
            opened_at,
        }
    }

    /// Whether the case waits for an assessment before it can be routed.
    pub fn awaits_assessment(&self) -> bool {
        self.team.is_none() && self.status == CaseStatus::Open
    }
}

/// The case routed by its current grade: the team changes (and the change is logged)
/// only when the grade leads somewhere else. Returns the routing and whether it changed.
/// Without a grade the case stays where it is (awaiting assessment, or where an imported
/// record put it).
pub fn reroute(
    state: &mut CaseState,
    grade: Option<RiskGrade>,
    load: TeamLoad,
    now: DateTime,
) -> (Option<Routing>, bool) {
    state.grade = grade;
    let Some(g) = grade else {
        return (None, false);
    };
    let routing = route(g, load);
    // A case the DAIT handed to CID stays with CID when the grade still calls for a
    // specialist team; the capacity rule decides only a case's first specialist team.
    let stays = matches!(
        (state.team, routing.investigation),
        (Some(InvestigatingTeam::Cid), InvestigatingTeam::Dait)
            | (Some(InvestigatingTeam::Dait), InvestigatingTeam::Cid)
    );
    if state.team == Some(routing.investigation) || stays {
        return (Some(routing), false);
    }
    state.team = Some(routing.investigation);
    state.routed_at = Some(now);
    (Some(routing), true)
}

/// One entry of a case's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEvent {
    pub at: DateTime,
    /// The username of whoever did it.
    pub actor: String,
    pub entry: CaseEntry,
}

/// What happened to a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseEntry {
    /// An officer's note.
    Note { text: String },
    /// The case given to an officer (`None`: taken back to the team).
    Allocated { to: Option<Username> },
    /// The case went to a team after an assessment.
    Routed {
        team: InvestigatingTeam,
        grade: RiskGrade,
    },
    /// Professional judgement raised the grade, and why: kept on the case, not only in the
    /// audit trail.
    Judgement { grade: RiskGrade, reason: String },
    StatusChanged {
        status: CaseStatus,
        reason: Option<String>,
    },
    /// A field of the incident corrected: what it was, what it is, and why.
    Corrected {
        field: String,
        from: String,
        to: String,
        reason: String,
    },
    /// The victim withdrew support for a prosecution (outcome 16 looks for this).
    Withdrawal {
        on: Date,
        method: WithdrawalMethod,
        detail: String,
    },
    /// An offence's outcome changed: the previous one is kept here.
    OutcomeChanged {
        offence: OffenceId,
        from: String,
        to: String,
        reason: String,
    },
    /// An arrest's disposal recorded or changed (`from` empty while it was pending), with
    /// the bail conditions the victim must be told of, if any.
    DisposalUpdated {
        arrest: String,
        from: String,
        to: String,
        conditions: String,
    },
    /// The victim told of a decision (the task's key), how, and when.
    VictimInformed {
        decision: String,
        method: ContactMethod,
        detail: String,
    },
    /// A supervisor authorised a decision that needs one (outcome 8 on a serious case), and
    /// why.
    Authorised { decision: String, reason: String },
    /// The investigation reviewed (the next review runs from here).
    Reviewed { text: String },
    /// No notifiable offence: the crime-recording decision without a crime.
    NoCrime { reason: String },
    /// A protective notice considered where no arrest or charge was possible: applied
    /// for, or not and why.
    NoticeConsidered { applied: bool, reason: String },
}

/// A log entry as four text columns and a kind, the shape both stores keep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryRow {
    pub kind: String,
    pub subject: Option<String>,
    pub value: Option<String>,
    pub detail: Option<String>,
    pub text: Option<String>,
}

impl CaseEntry {
    pub fn kind(&self) -> &'static str {
        match self {
            CaseEntry::Note { .. } => "note",
            CaseEntry::Allocated { .. } => "allocated",
            CaseEntry::Routed { .. } => "routed",
            CaseEntry::Judgement { .. } => "judgement",
            CaseEntry::StatusChanged { .. } => "status",
            CaseEntry::Corrected { .. } => "corrected",
            CaseEntry::Withdrawal { .. } => "withdrawal",
            CaseEntry::OutcomeChanged { .. } => "outcome_changed",
            CaseEntry::DisposalUpdated { .. } => "disposal_updated",
            CaseEntry::VictimInformed { .. } => "victim_informed",
            CaseEntry::Authorised { .. } => "authorised",
            CaseEntry::Reviewed { .. } => "reviewed",
            CaseEntry::NoCrime { .. } => "no_crime",
            CaseEntry::NoticeConsidered { .. } => "notice_considered",
        }
    }

    /// A sentence for the case page (free text is shown on the page, never logged).
    pub fn describe(&self) -> String {
        match self {
            CaseEntry::Note { .. } => "Note".to_owned(),
            CaseEntry::Allocated { to: Some(u) } => format!("Allocated to {u}"),
            CaseEntry::Allocated { to: None } => "Returned to the team, unallocated".to_owned(),
            CaseEntry::Routed { team, grade } => {
                format!("Routed to {} ({grade} risk)", team_name(*team))
            }
            CaseEntry::Judgement { grade, .. } => {
                format!("Professional judgement raised the grade to {grade}")
            }
            CaseEntry::StatusChanged { status, .. } => match status {
                CaseStatus::Open => "Investigation reopened".to_owned(),
                CaseStatus::Suspended => "Investigation suspended".to_owned(),
                CaseStatus::Finalised => "Investigation finalised".to_owned(),
            },
            CaseEntry::Corrected {
                field, from, to, ..
            } => {
                format!("Corrected {}: {from} → {to}", field.replace('_', " "))
            }
            CaseEntry::Withdrawal { on, method, .. } => format!(
                "Victim withdrew support on {} ({})",
                crate::dates::long(*on),
                method.as_str().replace('_', " ")
            ),
            CaseEntry::OutcomeChanged {
                offence, from, to, ..
            } => format!("Outcome of {offence} changed: {from} → {to}"),
            CaseEntry::DisposalUpdated {
                arrest, from, to, ..
            } => {
                let word = |d: &str| {
                    if d.is_empty() {
                        "pending".to_owned()
                    } else {
                        d.replace('_', " ")
                    }
                };
                format!("Disposal of arrest {arrest}: {} → {}", word(from), word(to))
            }
            CaseEntry::VictimInformed { method, .. } => format!(
                "Victim told of a decision ({})",
                method.as_str().replace('_', " ")
            ),
            CaseEntry::Authorised { decision, .. } => {
                format!("Supervisor's authorisation: {decision}")
            }
            CaseEntry::Reviewed { .. } => "Investigation reviewed".to_owned(),
            CaseEntry::NoCrime { .. } => "No notifiable offence: no crime recorded".to_owned(),
            CaseEntry::NoticeConsidered { applied: true, .. } => {
                "Protective notice considered: applied for".to_owned()
            }
            CaseEntry::NoticeConsidered { applied: false, .. } => {
                "Protective notice considered: not applied for".to_owned()
            }
        }
    }

    /// The officer's own words on the entry, if any.
    pub fn text(&self) -> Option<&str> {
        match self {
            CaseEntry::Note { text } | CaseEntry::Reviewed { text } => Some(text),
            CaseEntry::Judgement { reason, .. }
            | CaseEntry::Corrected { reason, .. }
            | CaseEntry::OutcomeChanged { reason, .. }
            | CaseEntry::Authorised { reason, .. }
            | CaseEntry::NoCrime { reason }
            | CaseEntry::NoticeConsidered { reason, .. } => Some(reason),
            CaseEntry::StatusChanged { reason, .. } => reason.as_deref(),
            CaseEntry::Withdrawal { detail, .. } | CaseEntry::VictimInformed { detail, .. } => {
                Some(detail)
            }
            CaseEntry::DisposalUpdated { conditions, .. } => Some(conditions),
            CaseEntry::Allocated { .. } | CaseEntry::Routed { .. } => None,
        }
    }

    pub fn to_row(&self) -> EntryRow {
        let s = |v: &str| Some(v.to_owned());
        let mut row = EntryRow {
            kind: self.kind().to_owned(),
            ..EntryRow::default()
        };
        match self {
            CaseEntry::Note { text } | CaseEntry::Reviewed { text } => row.text = s(text),
            CaseEntry::NoCrime { reason } => row.text = s(reason),
            CaseEntry::NoticeConsidered { applied, reason } => {
                row.value = s(if *applied { "applied" } else { "not_applied" });
                row.text = s(reason);
            }
            CaseEntry::Authorised { decision, reason } => {
                row.subject = s(decision);
                row.text = s(reason);
            }
            CaseEntry::Allocated { to } => row.value = to.as_ref().map(|u| u.to_string()),
            CaseEntry::Routed { team, grade } => {
                row.subject = s(team.as_str());
                row.value = s(grade.as_str());
            }
            CaseEntry::Judgement { grade, reason } => {
                row.value = s(grade.as_str());
                row.text = s(reason);
            }
            CaseEntry::StatusChanged { status, reason } => {
                row.value = s(status.as_str());
                row.text = reason.clone();
            }
            CaseEntry::Corrected {
                field,
                from,
                to,
                reason,
            } => {
                row.subject = s(field);
                row.value = s(from);
                row.detail = s(to);
                row.text = s(reason);
            }
            CaseEntry::Withdrawal { on, method, detail } => {
                row.subject = Some(crate::time::format_date(*on));
                row.value = s(method.as_str());
                row.text = s(detail);
            }
            CaseEntry::OutcomeChanged {
                offence,
                from,
                to,
                reason,
            } => {
                row.subject = s(offence.as_str());
                row.value = s(from);
                row.detail = s(to);
                row.text = s(reason);
            }
            CaseEntry::DisposalUpdated {
                arrest,
                from,
                to,
                conditions,
            } => {
                row.subject = s(arrest);
                row.value = s(from);
                row.detail = s(to);
                row.text = s(conditions);
            }
            CaseEntry::VictimInformed {
                decision,
                method,
                detail,
            } => {
                row.subject = s(decision);
                row.value = s(method.as_str());
                row.text = s(detail);
            }
        }
        row
    }

    /// Reads an entry back from its row, refusing a row no Vigil wrote.
    pub fn from_row(row: &EntryRow) -> Result<CaseEntry, ValueError> {
        let need = |v: &Option<String>, what: &str| {
            v.clone()
                .ok_or_else(|| ValueError::new(format!("a '{}' log entry has no {what}", row.kind)))
        };
        let text = || row.text.clone().unwrap_or_default();
        Ok(match row.kind.as_str() {
            "note" => CaseEntry::Note { text: text() },
            "reviewed" => CaseEntry::Reviewed { text: text() },
            "no_crime" => CaseEntry::NoCrime { reason: text() },
            "notice_considered" => CaseEntry::NoticeConsidered {
                applied: match need(&row.value, "decision")?.as_str() {
                    "applied" => true,
                    "not_applied" => false,
                    other => {
                        return Err(ValueError::new(format!(
                            "'{other}' is not a notice decision; expected applied or not_applied"
                        )));
                    }
                },
                reason: text(),
            },
            "authorised" => CaseEntry::Authorised {
                decision: need(&row.subject, "decision")?,
                reason: text(),
            },
            "allocated" => CaseEntry::Allocated {
                to: row.value.as_deref().map(Username::parse).transpose()?,
            },
            "routed" => CaseEntry::Routed {
                team: InvestigatingTeam::parse(&need(&row.subject, "team")?)?,
                grade: RiskGrade::parse(&need(&row.value, "grade")?)?,
            },
            "judgement" => CaseEntry::Judgement {
                grade: RiskGrade::parse(&need(&row.value, "grade")?)?,
                reason: text(),
            },
            "status" => CaseEntry::StatusChanged {
                status: CaseStatus::parse(&need(&row.value, "status")?)?,
                reason: row.text.clone(),
            },
            "corrected" => CaseEntry::Corrected {
                field: need(&row.subject, "field")?,
                from: row.value.clone().unwrap_or_default(),
                to: row.detail.clone().unwrap_or_default(),
                reason: text(),
            },
            "withdrawal" => CaseEntry::Withdrawal {
                on: crate::time::parse_date(&need(&row.subject, "date")?)?,
                method: WithdrawalMethod::parse(&need(&row.value, "method")?)?,
                detail: text(),
            },
            "outcome_changed" => CaseEntry::OutcomeChanged {
                offence: OffenceId::parse(&need(&row.subject, "offence")?)?,
                from: row.value.clone().unwrap_or_default(),
                to: row.detail.clone().unwrap_or_default(),
                reason: text(),
            },
            "disposal_updated" => CaseEntry::DisposalUpdated {
                arrest: need(&row.subject, "arrest")?,
                from: row.value.clone().unwrap_or_default(),
                to: row.detail.clone().unwrap_or_default(),
                conditions: text(),
            },
            "victim_informed" => CaseEntry::VictimInformed {
                decision: need(&row.subject, "decision")?,
                method: ContactMethod::parse(&need(&row.value, "method")?)?,
                detail: text(),
            },
            other => {
                return Err(ValueError::new(format!(
                    "'{other}' is not a kind of case log entry"
                )));
            }
        })
    }
}

/// A team's name as officers say it.
pub fn team_name(team: InvestigatingTeam) -> &'static str {
    match team {
        InvestigatingTeam::Lpt => "the Local Policing Team",
        InvestigatingTeam::Dait => "the DAIT",
        InvestigatingTeam::Cid => "CID",
        InvestigatingTeam::Other => "another team",
    }
}

/// The latest withdrawal recorded on a case, if any: what outcome 16 asks for.
pub fn withdrawal(log: &[CaseEvent]) -> Option<Date> {
    log.iter()
        .filter_map(|e| match e.entry {
            CaseEntry::Withdrawal { on, .. } => Some(on),
            _ => None,
        })
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_datetime;
    use proptest::prelude::*;

    fn state() -> CaseState {
        CaseState::new(
            IncidentId::parse("VI1").unwrap(),
            Lpa::parse("North").unwrap(),
            parse_datetime("2019-09-01T10:00:00").unwrap(),
        )
    }

    const ROOM: TeamLoad = TeamLoad {
        open_cases: 0,
        capacity: 10,
    };
    const FULL: TeamLoad = TeamLoad {
        open_cases: 10,
        capacity: 10,
    };

    #[test]
    fn routing_follows_the_latest_grade() {
        let now = parse_datetime("2019-09-01T11:00:00").unwrap();
        let mut s = state();
        assert!(s.awaits_assessment());
        assert_eq!(reroute(&mut s, None, ROOM, now), (None, false));
        assert!(s.awaits_assessment());
        let (_, changed) = reroute(&mut s, Some(RiskGrade::Medium), ROOM, now);
        assert!(changed);
        assert_eq!(s.team, Some(InvestigatingTeam::Dait));
        // High after review: still the DAIT, no new routing.
        let (r, changed) = reroute(&mut s, Some(RiskGrade::High), FULL, now);
        assert!(!changed && r.unwrap().to_cru);
        assert_eq!(s.team, Some(InvestigatingTeam::Dait));
        // Down to standard: back to the LPT.
        let (_, changed) = reroute(&mut s, Some(RiskGrade::Standard), ROOM, now);
        assert!(changed);
        assert_eq!(s.team, Some(InvestigatingTeam::Lpt));
        assert_eq!(s.grade, Some(RiskGrade::Standard));
    }

    fn entries() -> Vec<CaseEntry> {
        vec![
            CaseEntry::Note {
                text: "Spoke to the victim".into(),
            },
            CaseEntry::Allocated {
                to: Some(Username::parse("dc.jones").unwrap()),
            },
            CaseEntry::Allocated { to: None },
            CaseEntry::Routed {
                team: InvestigatingTeam::Dait,
                grade: RiskGrade::High,
            },
            CaseEntry::Judgement {
                grade: RiskGrade::High,
                reason: "strangulation".into(),
            },
            CaseEntry::StatusChanged {
                status: CaseStatus::Suspended,
                reason: Some("suspect not found".into()),
            },
            CaseEntry::StatusChanged {
                status: CaseStatus::Open,
                reason: None,
            },
            CaseEntry::Corrected {
                field: "arrived_at".into(),
                from: "".into(),
                to: "2019-09-01T10:20:00".into(),
                reason: "from the log".into(),
            },
            CaseEntry::Withdrawal {
                on: crate::time::parse_date("2019-09-02").unwrap(),
                method: WithdrawalMethod::Statement,
                detail: "fearful".into(),
            },
            CaseEntry::OutcomeChanged {
                offence: OffenceId::parse("VO1").unwrap(),
                from: "15".into(),
                to: "16".into(),
                reason: "withdrawal".into(),
            },
            CaseEntry::DisposalUpdated {
                arrest: "VA1".into(),
                from: "".into(),
                to: "bail".into(),
                conditions: "Not to contact the victim; to live at 4 Mill Lane".into(),
            },
            CaseEntry::VictimInformed {
                decision: "VA1:arrest".into(),
                method: ContactMethod::Phone,
                detail: "".into(),
            },
            CaseEntry::Reviewed {
                text: "CCTV requested".into(),
            },
            CaseEntry::Authorised {
                decision: "outcome 8 on VO1".into(),
                reason: "first incident; victim's wish".into(),
            },
            CaseEntry::NoCrime {
                reason: "verbal argument only".into(),
            },
        ]
    }

    #[test]
    fn every_entry_reads_back_as_written() {
        for e in entries() {
            assert_eq!(CaseEntry::from_row(&e.to_row()).unwrap(), e);
            assert!(!e.describe().is_empty());
        }
        let bad = EntryRow {
            kind: "drop_table".into(),
            ..EntryRow::default()
        };
        assert!(CaseEntry::from_row(&bad).is_err());
    }

    proptest! {
        #[test]
        fn a_graded_case_is_always_routed(g in prop::sample::select(RiskGrade::ALL.to_vec()), open in 0u32..20) {
            let mut s = state();
            let now = parse_datetime("2019-09-01T11:00:00").unwrap();
            reroute(&mut s, Some(g), TeamLoad { open_cases: open, capacity: 10 }, now);
            prop_assert!(!s.awaits_assessment());
            prop_assert_eq!(s.grade, Some(g));
        }
    }
}
