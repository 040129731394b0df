//! The task engine: every clock MISSION.md names, as a task with a due time computed from
//! a case's records and the force's configuration, an owner (a team in an area, or an
//! officer) and a state. One function, [`tasks_for_case`], decides a case's tasks from its
//! facts; the store keeps what it returns so work lists can select by owner and due time;
//! whether a task is overdue is asked with "now" ([`Task::is_overdue`]), never stored.

use crate::IncidentId;
use crate::access::{Role, Username};
use crate::calendar::{SchoolCalendar, WorkingCalendar};
use crate::casework::{CaseEntry, CaseEvent, CaseState, CaseStatus};
use crate::ids::Lpa;
use crate::records::{
    Arrest, CallGrade, Incident, InvestigatingTeam, Offence, Referral, ReferralKind, RiskAssessment,
};
use crate::risk::{AssessmentStage, RiskGrade};
use crate::safeguarding::Action;
use crate::time::{DateTime, Duration};
use crate::vocabulary::vocabulary;
use std::collections::HashMap;

vocabulary! {
    /// The clocks Vigil runs.
    pub enum TaskKind ("task kind") {
        /// An emergency or priority call attended within the area's target.
        Response = "response",
        /// The attending officer's DASH.
        PrimaryAssessment = "primary_assessment",
        /// A DAIT sergeant's review of a medium or high grade.
        SecondaryAssessment = "secondary_assessment",
        /// The crime recorded (or the no-crime decision) within 24 hours (NCRS).
        CrimeRecording = "crime_recording",
        /// A victim who meets a MARAC criterion referred.
        MaracReferral = "marac_referral",
        /// A high-risk victim referred to an IDVA, first contact within 2 working days.
        IdvaContact = "idva_contact",
        /// The children's school told before the next school day.
        Encompass = "encompass",
        /// A school's acknowledgement of its Operation Encompass notification, by the
        /// start of the school day: followed up by the CRU when it has not come.
        EncompassAcknowledged = "encompass_acknowledged",
        /// An open investigation reviewed every 28 days.
        InvestigationReview = "investigation_review",
        /// The victim told of a decision within the Victims' Code's limit.
        VictimUpdate = "victim_update",
        /// A right-to-know hit: the CRU opens a Clare's Law application (or records why
        /// not) by the end of the next working day (Vigil's mark).
        RightToKnow = "right_to_know",
        /// A served DVPN's or DAPN's hearing: within 48 counted hours, or the date the court
        /// adjourned it to; the applying officer's.
        NoticeHearing = "notice_hearing",
        /// A DAPO subject's notification of name and address, within 3 days beginning with
        /// the day the order was made; the applying officer chases it.
        DapoNotification = "dapo_notification",
    }
}

vocabulary! {
    /// The teams that own tasks.
    pub enum WorkTeam ("work team") {
        Lpt = "lpt",
        Dait = "dait",
        Cid = "cid",
        Cru = "cru",
    }
}

impl WorkTeam {
    pub fn from_investigating(team: InvestigatingTeam) -> WorkTeam {
        match team {
            InvestigatingTeam::Dait => WorkTeam::Dait,
            InvestigatingTeam::Cid => WorkTeam::Cid,
            InvestigatingTeam::Lpt | InvestigatingTeam::Other => WorkTeam::Lpt,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            WorkTeam::Lpt => "Local Policing Team",
            WorkTeam::Dait => "DAIT",
            WorkTeam::Cid => "CID",
            WorkTeam::Cru => "CRU",
        }
    }
}

/// The teams whose unallocated tasks a role works.
pub fn role_teams(role: Role) -> &'static [WorkTeam] {
    match role {
        Role::ResponseOfficer => &[WorkTeam::Lpt],
        Role::DaitInvestigator | Role::DaitSergeant => &[WorkTeam::Dait, WorkTeam::Cid],
        Role::CruOfficer => &[WorkTeam::Cru],
        _ => &[],
    }
}

/// A task on someone's work list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub incident_id: IncidentId,
    pub kind: TaskKind,
    /// Tells apart tasks of one kind on one case (the decision a victim must hear of);
    /// empty when a case has one task of its kind.
    pub key: String,
    /// What to do, in words.
    pub label: String,
    /// The owning team and its area; `officer` when someone holds it personally.
    pub team: WorkTeam,
    pub lpa: Lpa,
    pub officer: Option<Username>,
    pub due: DateTime,
    /// When it was done and by what record (`None` while open).
    pub done: Option<(DateTime, String)>,
}

impl Task {
    pub fn is_open(&self) -> bool {
        self.done.is_none()
    }

    /// Open and past its due time at `now`.
    pub fn is_overdue(&self, now: DateTime) -> bool {
        self.is_open() && now > self.due
    }

    /// Done, but after it was due.
    pub fn was_late(&self) -> bool {
        self.done.as_ref().is_some_and(|(at, _)| *at > self.due)
    }
}

// Work lists run soonest due first: the overdue tasks, due earliest, come first of all.

/// A force's clocks: every limit is configuration, with the defaults from MISSION.md and
/// RULES.md (and Vigil's own choices, marked).
#[derive(Debug, Clone)]
pub struct ClockRules {
    /// Emergency response target in minutes: urban areas 15, rural 20 (Essex).
    pub emergency_minutes_urban: i64,
    pub emergency_minutes_rural: i64,
    /// Priority response target in minutes. Vigil's default: 60.
    pub priority_minutes: i64,
    /// Areas whose emergency target is the rural one.
    pub rural_areas: Vec<Lpa>,
    /// Hours after the report by which the primary DASH is done. Vigil's default: 24 (the
    /// attending officer's shift and the next).
    pub primary_assessment_hours: i64,
    /// Hours after the primary grade by which a DAIT sergeant reviews it. Vigil's default: 72.
    pub secondary_assessment_hours: i64,
    /// Hours to record a crime (NCRS): 24.
    pub crime_recording_hours: i64,
    /// Days after a high-risk incident by which the victim is referred to MARAC. Vigil's
    /// default: 7, the CRU queue's overdue mark.
    pub marac_referral_days: i64,
    /// Working days to the IDVA's first contact: 2 (RULES.md: common practice).
    pub idva_contact_working_days: u32,
    /// Working days to the MASH's decision on a referral: 1 (Working Together to Safeguard
    /// Children; Vigil applies it to adult referrals too).
    pub mash_decision_working_days: u32,
    /// Days to a Clare's Law decision: 28 (the 2023 statutory guidance; some areas 35).
    pub disclosure_decision_days: i64,
    /// Where the Clare's Law clock starts: the application (default) or the initial
    /// contact (RULES.md: unsure, so a force chooses).
    pub disclosure_clock_starts: crate::dvds::ClockStart,
    /// The day from which DAPNs may be given in each LPA (none: not yet in force there).
    pub dapn_from: std::collections::BTreeMap<Lpa, crate::time::Date>,
    /// Hours after the report by which a medium or high-risk case with no arrest prompts
    /// its officer to consider a protective notice: Vigil's choice, 24.
    pub notice_prompt_hours: i64,
    /// Days after an IDVA offer is declined by which the offer is reviewed. Vigil's choice: 7.
    pub idva_declined_review_days: i64,
    /// Days between reviews of an open investigation: 28.
    pub review_days: i64,
    /// Working days to tell a victim of a decision: 1 for the enhanced service (every victim
    /// of domestic abuse), 5 otherwise (RULES.md: unsure, so configurable).
    pub victim_update_working_days_enhanced: u32,
    pub victim_update_working_days: u32,
    pub working: WorkingCalendar,
    /// The MARAC referral criteria (SafeLives' defaults).
    pub marac: crate::marac::MaracCriteria,
    /// The force's MARAC areas (which LPAs each covers) and their adult female
    /// populations, for the MARAC return; each LPA its own area by default.
    pub marac_areas: crate::marac_return::MaracAreas,
    /// MARAC areas whose criteria differ from the force's `marac` (some use 17 DASH ticks
    /// for visible high risk), by MARAC area.
    pub marac_by_area: std::collections::BTreeMap<String, crate::marac::MaracCriteria>,
    /// How each MARAC area meets (an area not listed meets on any day it plans, hearing
    /// `marac_meeting::DEFAULT_CAPACITY` cases).
    pub marac_meets: std::collections::BTreeMap<String, crate::marac_meeting::Pattern>,
    /// Each area's school calendar; areas without one use `default_school`.
    pub schools: HashMap<Lpa, SchoolCalendar>,
    pub default_school: SchoolCalendar,
    /// The perpetrator and acute victim cohorts: the score and when they run.
    pub cohort: CohortRules,
}

/// When the cohorts run and what the perpetrator cohort scores.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortRules {
    pub config: crate::cohort::CohortConfig,
    /// Days between runs of each area's cohorts: 14 (the seed's fortnight).
    pub every_days: i64,
    /// A day the runs fall on; they recur every `every_days` from it. Vigil's default is
    /// Monday 7 January 2019 (fortnightly Mondays).
    pub first_run: crate::time::Date,
    /// Days between reviews of a cohort member by their owner: Vigil's choice, 14.
    pub review_days: i64,
}

impl Default for CohortRules {
    fn default() -> Self {
        CohortRules {
            config: crate::cohort::CohortConfig::default(),
            every_days: 14,
            first_run: crate::time::Date::from_ymd_opt(2019, 1, 7).expect("a date"),
            review_days: 14,
        }
    }
}

impl CohortRules {
    /// The latest scheduled run day on or before `today` (none before the first).
    pub fn due_on(&self, today: crate::time::Date) -> Option<crate::time::Date> {
        let since = (today - self.first_run).num_days();
        (since >= 0).then(|| today - Duration::days(since % self.every_days.max(1)))
    }
}

impl Default for ClockRules {
    fn default() -> Self {
        ClockRules {
            emergency_minutes_urban: 15,
            emergency_minutes_rural: 20,
            priority_minutes: 60,
            rural_areas: Vec::new(),
            primary_assessment_hours: 24,
            secondary_assessment_hours: 72,
            crime_recording_hours: 24,
            marac_referral_days: 7,
            idva_contact_working_days: 2,
            mash_decision_working_days: 1,
            disclosure_decision_days: 28,
            disclosure_clock_starts: crate::dvds::ClockStart::Application,
            dapn_from: std::collections::BTreeMap::new(),
            notice_prompt_hours: 24,
            idva_declined_review_days: 7,
            review_days: 28,
            victim_update_working_days_enhanced: 1,
            victim_update_working_days: 5,
            working: WorkingCalendar::default(),
            cohort: CohortRules::default(),
            marac: crate::marac::MaracCriteria::default(),
            marac_areas: crate::marac_return::MaracAreas::default(),
            marac_by_area: std::collections::BTreeMap::new(),
            marac_meets: std::collections::BTreeMap::new(),
            schools: HashMap::new(),
            default_school: SchoolCalendar::default(),
        }
    }
}

impl ClockRules {
    /// The MARAC criteria of the MARAC area an LPA belongs to (the force's unless that area
    /// has its own).
    pub fn marac_for(&self, lpa: &Lpa) -> &crate::marac::MaracCriteria {
        self.marac_by_area
            .get(self.marac_areas.area_of_lpa(lpa))
            .unwrap_or(&self.marac)
    }

    /// The most cases a meeting of a MARAC area hears.
    pub fn marac_capacity(&self, area: &str) -> u32 {
        self.marac_meets
            .get(area)
            .map_or(crate::marac_meeting::DEFAULT_CAPACITY, |p| p.capacity)
    }

    pub fn school(&self, lpa: &Lpa) -> &SchoolCalendar {
        self.schools.get(lpa).unwrap_or(&self.default_school)
    }

    /// The response target for a call, if its grade has one.
    pub fn response_due(&self, i: &Incident) -> Option<DateTime> {
        let minutes = match i.call_grade {
            CallGrade::Emergency if self.rural_areas.contains(&i.lpa) => {
                self.emergency_minutes_rural
            }
            CallGrade::Emergency => self.emergency_minutes_urban,
            CallGrade::Priority => self.priority_minutes,
            CallGrade::Scheduled | CallGrade::Other => return None,
        };
        Some(i.reported_at + Duration::minutes(minutes))
    }
}

/// Everything a case's tasks depend on.
#[derive(Debug, Clone, Copy)]
pub struct TaskFacts<'a> {
    pub incident: &'a Incident,
    pub state: &'a CaseState,
    pub offences: &'a [Offence],
    pub assessments: &'a [RiskAssessment],
    pub arrests: &'a [Arrest],
    /// The victim's referrals, any incident.
    pub referrals: &'a [Referral],
    pub log: &'a [CaseEvent],
    /// The safeguarding actions the case raised (`safeguarding::actions_due` as at the
    /// incident, before any referral since): which referrals it needs.
    pub raised: &'a [Action],
    /// Whether children were present (the incident's flag, or children linked to it).
    pub children: bool,
    /// The children linked to the incident: each child's school is told.
    pub linked_children: &'a [crate::children::IncidentChild],
    /// The referrals made on this incident (an Operation Encompass referral names the
    /// child, not the victim).
    pub incident_referrals: &'a [Referral],
    /// The Operation Encompass notifications sent on this incident, acknowledged or not.
    pub encompass: &'a [crate::encompass::Notification],
    /// The victim's Clare's Law applications, any route (a right-to-know task is done by one
    /// about the case's suspect).
    pub disclosures: &'a [crate::Disclosure],
    /// The protective notices drafted on this case.
    pub notices: &'a [crate::protective::NoticeCase],
}

/// Every task of a case, open and done. Tasks due before the case was opened in Vigil and
/// not done are left out (an imported case is not overdue for its past).
pub fn tasks_for_case(f: &TaskFacts<'_>, rules: &ClockRules) -> Vec<Task> {
    let i = f.incident;
    let s = f.state;
    let at = i.reported_at;
    let case_team = WorkTeam::from_investigating(s.team.unwrap_or(InvestigatingTeam::Lpt));
    let mut out = Vec::new();
    let mut push = |kind: TaskKind,
                    key: String,
                    label: String,
                    team: WorkTeam,
                    officer: Option<Username>,
                    due: DateTime,
                    done: Option<(DateTime, String)>| {
        if done.is_none() && due < s.opened_at {
            return;
        }
        out.push(Task {
            incident_id: i.id.clone(),
            kind,
            key,
            label,
            team,
            lpa: i.lpa.clone(),
            officer,
            due,
            done,
        });
    };
    let since = |kind: ReferralKind| {
        f.referrals
            .iter()
            .filter(move |r| r.kind == kind && r.referred_at >= at)
    };
    let investigator = || s.allocated_to.clone();

    if let Some(due) = rules.response_due(i) {
        push(
            TaskKind::Response,
            String::new(),
            format!("Attend the {} call", i.call_grade.as_str()),
            WorkTeam::Lpt,
            None,
            due,
            i.arrived_at.map(|a| (a, "arrival recorded".to_owned())),
        );
    }

    let primaries = || {
        f.assessments
            .iter()
            .filter(|a| a.stage == AssessmentStage::Primary)
    };
    let first_primary = primaries().min_by_key(|a| a.assessed_at);
    push(
        TaskKind::PrimaryAssessment,
        String::new(),
        "Complete the primary DASH risk assessment".to_owned(),
        WorkTeam::Lpt,
        s.recorded_by.clone(),
        at + Duration::hours(rules.primary_assessment_hours),
        first_primary.map(|a| (a.assessed_at, format!("assessment {}", a.id))),
    );

    if matches!(s.grade, Some(RiskGrade::Medium | RiskGrade::High)) {
        let graded_at = primaries().map(|a| a.assessed_at).max().unwrap_or(at);
        let secondary = f
            .assessments
            .iter()
            .filter(|a| a.stage == AssessmentStage::Secondary)
            .min_by_key(|a| a.assessed_at);
        push(
            TaskKind::SecondaryAssessment,
            String::new(),
            "Secondary risk assessment by a DAIT sergeant".to_owned(),
            WorkTeam::Dait,
            None,
            graded_at + Duration::hours(rules.secondary_assessment_hours),
            secondary.map(|a| (a.assessed_at, format!("assessment {}", a.id))),
        );
    }

    let recorded = f
        .offences
        .iter()
        .min_by_key(|o| o.recorded_date)
        .map(|o| {
            (
                o.recorded_date
                    .and_hms_opt(0, 0, 0)
                    .expect("midnight")
                    .max(at),
                format!("offence {}", o.id),
            )
        })
        .or_else(|| {
            f.log.iter().find_map(|e| match e.entry {
                CaseEntry::NoCrime { .. } => Some((e.at, "no-crime decision".to_owned())),
                _ => None,
            })
        });
    push(
        TaskKind::CrimeRecording,
        String::new(),
        "Record the crime, or the decision that there was none".to_owned(),
        case_team,
        investigator(),
        at + Duration::hours(rules.crime_recording_hours),
        recorded,
    );

    for action in f.raised {
        match action {
            Action::MaracReferral(_) => push(
                TaskKind::MaracReferral,
                String::new(),
                action.describe(),
                WorkTeam::Cru,
                None,
                at + Duration::days(rules.marac_referral_days),
                since(ReferralKind::Marac)
                    .min_by_key(|r| r.referred_at)
                    .map(|r| (r.referred_at, format!("referral {}", r.id))),
            ),
            Action::IdvaReferral => {
                let accepted = since(ReferralKind::Idva)
                    .filter(|r| r.consent != Some(false))
                    .min_by_key(|r| r.referred_at);
                let declined = since(ReferralKind::Idva)
                    .filter(|r| r.consent == Some(false))
                    .max_by_key(|r| r.referred_at);
                let (label, due) = match (accepted, declined) {
                    (None, Some(d)) => (
                        format!(
                            "The victim declined an IDVA on {}: review the offer",
                            crate::dates::long(d.referred_at.date())
                        ),
                        d.referred_at + Duration::days(rules.idva_declined_review_days),
                    ),
                    _ => (
                        "Refer the victim to an IDVA for first contact within 2 working days"
                            .to_owned(),
                        rules
                            .working
                            .end_of_working_days_after(at, rules.idva_contact_working_days),
                    ),
                };
                push(
                    TaskKind::IdvaContact,
                    String::new(),
                    label,
                    WorkTeam::Cru,
                    None,
                    due,
                    accepted.map(|r| (r.referred_at, format!("referral {}", r.id))),
                );
            }
            // One task per child named on the incident, done by an Encompass referral
            // for that child; an incident with only the flag (imported) has one task.
            Action::Encompass { .. } if !f.linked_children.is_empty() => {
                let due = rules.school(&i.lpa).next_school_day_start(at);
                for c in f.linked_children {
                    let done = f
                        .incident_referrals
                        .iter()
                        .chain(f.referrals.iter())
                        .filter(|r| {
                            r.kind == ReferralKind::Encompass
                                && r.person_id == c.person_id
                                && r.referred_at >= at
                        })
                        .min_by_key(|r| r.referred_at)
                        .map(|r| (r.referred_at, format!("referral {}", r.id)));
                    push(
                        TaskKind::Encompass,
                        c.person_id.to_string(),
                        format!(
                            "Operation Encompass: tell {} about child {}",
                            c.school.as_deref().unwrap_or("the child's school"),
                            c.person_id
                        ),
                        WorkTeam::Cru,
                        None,
                        due,
                        done,
                    );
                }
            }
            Action::Encompass { .. } if f.children => push(
                TaskKind::Encompass,
                String::new(),
                "Operation Encompass: tell the children's school".to_owned(),
                WorkTeam::Cru,
                None,
                rules.school(&i.lpa).next_school_day_start(at),
                since(ReferralKind::Encompass)
                    .chain(
                        f.incident_referrals
                            .iter()
                            .filter(|r| r.kind == ReferralKind::Encompass && r.referred_at >= at),
                    )
                    .min_by_key(|r| r.referred_at)
                    .map(|r| (r.referred_at, format!("referral {}", r.id))),
            ),
            Action::ClaresLawRightToKnow { .. } => push(
                TaskKind::RightToKnow,
                String::new(),
                format!(
                    "{}: open a right-to-know application, or record why not",
                    action.describe()
                ),
                WorkTeam::Cru,
                None,
                rules.working.end_of_working_days_after(at, 1),
                f.disclosures
                    .iter()
                    .filter(|d| {
                        d.route == crate::DisclosureRoute::RightToKnow
                            && d.at_risk_id == i.victim_id
                            && Some(&d.subject_id) == i.suspect_id.as_ref()
                            && d.received_at >= at
                    })
                    .min_by_key(|d| d.received_at)
                    .map(|d| (d.received_at, format!("application {}", d.id))),
            ),
            _ => {}
        }
    }

    // A served notice's hearing, and a DAPO's notification, are the applying officer's.
    for n in f.notices {
        let Some((served, _)) = &n.served else {
            continue;
        };
        let what = n.kind.as_str().to_uppercase();
        push(
            TaskKind::NoticeHearing,
            n.id.to_string(),
            format!("The magistrates' hearing of {what} {}", n.id),
            case_team,
            Some(n.applied_by.clone()),
            n.adjourned_to
                .unwrap_or_else(|| crate::deadlines::dvpo_hearing_due(*served)),
            n.decision
                .as_ref()
                .filter(|d| d.1 != crate::protective::CourtDecision::Adjourned)
                .map(|d| (d.0, d.1.as_str().to_owned())),
        );
        if let Some(o) = n
            .order
            .as_ref()
            .filter(|_| n.kind == crate::OrderKind::Dapn)
        {
            push(
                TaskKind::DapoNotification,
                o.id.to_string(),
                format!(
                    "The subject of DAPO {} to notify their name and address",
                    o.id
                ),
                case_team,
                Some(n.applied_by.clone()),
                crate::deadlines::dapo_notification_due(o.made_at),
                n.notified_at.map(|t| (t, "notified".to_owned())),
            );
        }
    }

    // Each school told must say it has the notification by the start of the school day;
    // the CRU follows up one that has not.
    for n in f.encompass {
        push(
            TaskKind::EncompassAcknowledged,
            n.referral_id.to_string(),
            format!(
                "Operation Encompass: check {} has the notification about child {}",
                n.school, n.child_id
            ),
            WorkTeam::Cru,
            None,
            n.due,
            n.acknowledged
                .as_ref()
                .map(|(at, by)| (*at, format!("acknowledged by {by}"))),
        );
    }

    if s.status == CaseStatus::Open && s.team.is_some() {
        let last_review = f
            .log
            .iter()
            .filter(|e| matches!(e.entry, CaseEntry::Reviewed { .. }))
            .map(|e| e.at)
            .max();
        let from = last_review
            .or(s.routed_at)
            .unwrap_or(s.opened_at)
            .max(s.opened_at);
        push(
            TaskKind::InvestigationReview,
            String::new(),
            "Review the investigation".to_owned(),
            case_team,
            investigator(),
            from + Duration::days(rules.review_days),
            None,
        );
    }

    // Victims' Code: every decision the victim must hear of. Victims of domestic abuse are
    // entitled to the enhanced service.
    let days = rules.victim_update_working_days_enhanced;
    let told = |key: &str| {
        f.log.iter().find_map(|e| match &e.entry {
            CaseEntry::VictimInformed { decision, .. } if decision == key => {
                Some((e.at, "victim told".to_owned()))
            }
            _ => None,
        })
    };
    let mut decisions: Vec<(String, String, DateTime)> = Vec::new();
    for a in f.arrests.iter().filter(|a| a.person_id != i.victim_id) {
        decisions.push((
            format!("{}:arrest", a.id),
            "the suspect's arrest".to_owned(),
            a.arrested_at,
        ));
        if let Some(d) = a.disposal {
            let when = f
                .log
                .iter()
                .filter_map(|e| match &e.entry {
                    CaseEntry::DisposalUpdated { arrest, .. } if arrest == a.id.as_str() => {
                        Some(e.at)
                    }
                    _ => None,
                })
                .max()
                .unwrap_or(a.arrested_at);
            decisions.push((
                format!("{}:{}", a.id, d.as_str()),
                format!("the decision: {}", d.as_str().replace('_', " ")),
                when,
            ));
        }
    }
    for o in f.offences {
        if let Some(out) = o.outcome {
            decisions.push((
                format!("{}:outcome:{}", o.id, out.code),
                format!("the outcome of {} (outcome {})", o.id, out.code),
                out.date.and_hms_opt(9, 0, 0).expect("valid time"),
            ));
        }
    }
    for (key, what, when) in decisions {
        let done = told(&key);
        push(
            TaskKind::VictimUpdate,
            key,
            format!("Tell the victim of {what}"),
            case_team,
            investigator(),
            rules.working.end_of_working_days_after(when, days),
            done,
        );
    }
    out
}

/// A work list query's owner: the officer's own tasks, or their teams' in their area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnerFilter {
    Officer(Username),
    Teams(Vec<WorkTeam>, Option<Lpa>),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::*;
    use crate::records::{ArrestDisposal, Relationship};
    use crate::risk::InstrumentKind;
    use crate::time::parse_datetime;
    use proptest::prelude::*;

    fn t(s: &str) -> DateTime {
        parse_datetime(s).unwrap()
    }

    fn incident(at: &str, grade: CallGrade) -> Incident {
        Incident {
            id: IncidentId::parse("VI1").unwrap(),
            reported_at: t(at),
            lpa: Lpa::parse("North").unwrap(),
            call_grade: grade,
            arrived_at: None,
            response_target_met: None,
            victim_id: PersonId::parse("VP1").unwrap(),
            suspect_id: Some(PersonId::parse("VP2").unwrap()),
            relationship: Relationship::Partner,
            children_present: true,
            risk_level: None,
            dash_yes_count: None,
        }
    }

    fn state(i: &Incident) -> CaseState {
        let mut s = CaseState::new(i.id.clone(), i.lpa.clone(), i.reported_at);
        s.recorded_by = Some(Username::parse("pc.reid").unwrap());
        s
    }

    fn assessment(stage: AssessmentStage, at: &str, grade: RiskGrade) -> RiskAssessment {
        RiskAssessment {
            id: AssessmentId::parse("VA1").unwrap(),
            incident_id: IncidentId::parse("VI1").unwrap(),
            stage,
            instrument: InstrumentKind::Dash,
            assessed_at: t(at),
            answers: String::new(),
            yes_count: 5,
            grade,
            judgement_raised: false,
        }
    }

    fn find(tasks: &[Task], kind: TaskKind) -> &Task {
        tasks
            .iter()
            .find(|t| t.kind == kind)
            .unwrap_or_else(|| panic!("no {kind} task in {tasks:#?}"))
    }

    fn facts<'a>(
        i: &'a Incident,
        s: &'a CaseState,
        assessments: &'a [RiskAssessment],
        referrals: &'a [Referral],
        log: &'a [CaseEvent],
        raised: &'a [Action],
    ) -> TaskFacts<'a> {
        TaskFacts {
            incident: i,
            state: s,
            offences: &[],
            assessments,
            arrests: &[],
            referrals,
            log,
            raised,
            children: i.children_present,
            linked_children: &[],
            incident_referrals: &[],
            encompass: &[],
            disclosures: &[],
            notices: &[],
        }
    }

    /// A Friday-evening emergency call in North (urban), no DASH yet, children present.
    #[test]
    fn a_friday_evening_incident() {
        let i = incident("2019-09-06T19:30:00", CallGrade::Emergency);
        let s = state(&i);
        let raised = [Action::Encompass {
            due: t("2019-09-09T08:30:00"),
        }];
        let tasks = tasks_for_case(
            &facts(&i, &s, &[], &[], &[], &raised),
            &ClockRules::default(),
        );
        let r = find(&tasks, TaskKind::Response);
        assert_eq!(r.due, t("2019-09-06T19:45:00"));
        assert!(r.is_overdue(t("2019-09-06T19:46:00")));
        let p = find(&tasks, TaskKind::PrimaryAssessment);
        assert_eq!(p.due, t("2019-09-07T19:30:00"));
        assert_eq!(p.officer.as_ref().unwrap().as_str(), "pc.reid");
        assert_eq!(
            find(&tasks, TaskKind::CrimeRecording).due,
            t("2019-09-07T19:30:00")
        );
        let e = find(&tasks, TaskKind::Encompass);
        assert_eq!(e.due, t("2019-09-09T08:30:00"));
        assert_eq!(e.team, WorkTeam::Cru);
        assert!(!e.is_overdue(t("2019-09-09T08:30:00")));
        assert!(e.is_overdue(t("2019-09-09T08:30:01")));
        // No review before the case is routed.
        assert!(
            tasks
                .iter()
                .all(|t| t.kind != TaskKind::InvestigationReview)
        );
    }

    /// Each child named on the incident is a task of its own, done when that child's school
    /// is told.
    #[test]
    fn every_named_child_has_their_own_encompass_task() {
        use crate::children::IncidentChild;
        let i = incident("2019-09-06T19:30:00", CallGrade::Emergency);
        let s = state(&i);
        let child = |id: &str, school: Option<&str>| IncidentChild {
            incident_id: i.id.clone(),
            person_id: PersonId::parse(id).unwrap(),
            school: school.map(str::to_owned),
        };
        let children = [child("VC1", Some("Hillside Primary")), child("VC2", None)];
        let told = [Referral {
            id: ReferralId::parse("VR9").unwrap(),
            kind: ReferralKind::Encompass,
            person_id: PersonId::parse("VC1").unwrap(),
            incident_id: Some(i.id.clone()),
            referred_at: t("2019-09-07T10:00:00"),
            agency: crate::Agency::Police,
            consent: None,
        }];
        let raised = [Action::Encompass {
            due: t("2019-09-09T08:30:00"),
        }];
        let mut f = facts(&i, &s, &[], &[], &[], &raised);
        f.linked_children = &children;
        f.incident_referrals = &told;
        let tasks = tasks_for_case(&f, &ClockRules::default());
        let encompass: Vec<&Task> = tasks
            .iter()
            .filter(|t| t.kind == TaskKind::Encompass)
            .collect();
        assert_eq!(encompass.len(), 2);
        assert_eq!(encompass[0].key, "VC1");
        assert!(encompass[0].label.contains("Hillside Primary"));
        assert_eq!(encompass[0].done.as_ref().unwrap().1, "referral VR9");
        assert!(encompass[1].is_open() && encompass[1].label.contains("the child's school"));
    }

    /// The Friday before the summer bank holiday: the IDVA's 2 working days run to the end
    /// of Wednesday; the school is told on Tuesday.
    #[test]
    fn a_bank_holiday_weekend() {
        let i = incident("2019-08-23T21:00:00", CallGrade::Priority);
        let mut s = state(&i);
        s.grade = Some(RiskGrade::High);
        s.team = Some(InvestigatingTeam::Dait);
        s.routed_at = Some(t("2019-08-23T22:00:00"));
        let primary = [assessment(
            AssessmentStage::Primary,
            "2019-08-23T22:00:00",
            RiskGrade::High,
        )];
        let raised = [
            Action::IdvaReferral,
            Action::Encompass {
                due: t("2019-08-27T08:30:00"),
            },
            Action::MaracReferral(vec![]),
        ];
        let tasks = tasks_for_case(
            &facts(&i, &s, &primary, &[], &[], &raised),
            &ClockRules::default(),
        );
        assert_eq!(
            find(&tasks, TaskKind::Response).due,
            t("2019-08-23T22:00:00")
        );
        assert_eq!(
            find(&tasks, TaskKind::IdvaContact).due,
            t("2019-08-28T23:59:59")
        );
        assert_eq!(
            find(&tasks, TaskKind::Encompass).due,
            t("2019-08-27T08:30:00")
        );
        assert_eq!(
            find(&tasks, TaskKind::SecondaryAssessment).due,
            t("2019-08-26T22:00:00")
        );
        assert_eq!(
            find(&tasks, TaskKind::MaracReferral).due,
            t("2019-08-30T21:00:00")
        );
        assert_eq!(
            find(&tasks, TaskKind::InvestigationReview).due,
            t("2019-09-20T22:00:00")
        );
        assert!(find(&tasks, TaskKind::PrimaryAssessment).done.is_some());
    }

    #[test]
    fn referrals_close_tasks_and_a_declined_idva_stays_open() {
        let i = incident("2019-09-02T10:00:00", CallGrade::Scheduled);
        let mut s = state(&i);
        s.grade = Some(RiskGrade::High);
        let referral = |kind, at: &str, consent| Referral {
            id: ReferralId::parse("VR1").unwrap(),
            kind,
            person_id: i.victim_id.clone(),
            incident_id: Some(i.id.clone()),
            referred_at: t(at),
            agency: crate::Agency::Police,
            consent,
        };
        let raised = [Action::IdvaReferral, Action::MaracReferral(vec![])];
        let declined = [
            referral(ReferralKind::Idva, "2019-09-02T12:00:00", Some(false)),
            referral(ReferralKind::Marac, "2019-09-01T12:00:00", None),
        ];
        let tasks = tasks_for_case(
            &facts(&i, &s, &[], &declined, &[], &raised),
            &ClockRules::default(),
        );
        let idva = find(&tasks, TaskKind::IdvaContact);
        assert!(idva.is_open());
        assert!(idva.label.contains("declined"));
        assert_eq!(idva.due, t("2019-09-09T12:00:00"));
        // A MARAC referral before the incident does not count for it.
        assert!(find(&tasks, TaskKind::MaracReferral).is_open());
        let accepted = [
            referral(ReferralKind::Idva, "2019-09-03T12:00:00", Some(true)),
            referral(ReferralKind::Marac, "2019-09-03T12:00:00", None),
        ];
        let tasks = tasks_for_case(
            &facts(&i, &s, &[], &accepted, &[], &raised),
            &ClockRules::default(),
        );
        assert!(!find(&tasks, TaskKind::IdvaContact).is_open());
        assert!(!find(&tasks, TaskKind::MaracReferral).is_open());
        // No response target for a scheduled call.
        assert!(tasks.iter().all(|t| t.kind != TaskKind::Response));
    }

    #[test]
    fn victims_code_updates_and_reviews() {
        let i = incident("2019-09-05T10:00:00", CallGrade::Scheduled);
        let mut s = state(&i);
        s.team = Some(InvestigatingTeam::Dait);
        s.routed_at = Some(t("2019-09-05T11:00:00"));
        s.allocated_to = Some(Username::parse("dc.khan").unwrap());
        let arrest = Arrest {
            id: ArrestId::parse("VX1").unwrap(),
            person_id: PersonId::parse("VP2").unwrap(),
            incident_id: Some(i.id.clone()),
            offence_id: None,
            arrested_at: t("2019-09-06T16:00:00"),
            bwv_shown_in_interview: None,
            disposal: Some(ArrestDisposal::Bail),
        };
        let log = [
            CaseEvent {
                at: t("2019-09-09T09:00:00"),
                actor: "dc.khan".into(),
                entry: CaseEntry::VictimInformed {
                    decision: "VX1:arrest".into(),
                    method: crate::casework::ContactMethod::Phone,
                    detail: String::new(),
                },
            },
            CaseEvent {
                at: t("2019-09-20T09:00:00"),
                actor: "dc.khan".into(),
                entry: CaseEntry::Reviewed {
                    text: "CCTV".into(),
                },
            },
        ];
        let arrests = [arrest];
        let f = TaskFacts {
            arrests: &arrests,
            ..facts(&i, &s, &[], &[], &log, &[])
        };
        let tasks = tasks_for_case(&f, &ClockRules::default());
        let updates: Vec<&Task> = tasks
            .iter()
            .filter(|t| t.kind == TaskKind::VictimUpdate)
            .collect();
        assert_eq!(updates.len(), 2);
        // Arrest on Friday afternoon: told by the end of Monday; it was, on time.
        assert_eq!(updates[0].due, t("2019-09-09T23:59:59"));
        assert!(!updates[0].is_open() && !updates[0].was_late());
        assert!(updates[1].is_open());
        assert_eq!(updates[1].officer.as_ref().unwrap().as_str(), "dc.khan");
        // The next review runs 28 days from the last one.
        assert_eq!(
            find(&tasks, TaskKind::InvestigationReview).due,
            t("2019-10-18T09:00:00")
        );
        // Suspended: no review due.
        let mut suspended = s.clone();
        suspended.status = CaseStatus::Suspended;
        let f = TaskFacts {
            state: &suspended,
            ..f
        };
        assert!(
            tasks_for_case(&f, &ClockRules::default())
                .iter()
                .all(|t| t.kind != TaskKind::InvestigationReview)
        );
    }

    /// The worked example as a task: a DVPN served at 18:00 on Friday 23 August 2019
    /// is heard by 18:00 on Tuesday 27 August, the applying officer's; the court's decision
    /// does it; a DAPO's notification is due by the end of the third day; a right-to-know
    /// hit is the CRU's until an application about the suspect is opened.
    #[test]
    fn notices_hearings_notifications_and_right_to_know_are_tasks() {
        use crate::protective::*;
        let i = incident("2019-08-23T14:00:00", CallGrade::Priority);
        let s = state(&i);
        let mut n = NoticeCase {
            id: OrderId::parse("O1").unwrap(),
            kind: crate::OrderKind::Dvpn,
            subject_id: PersonId::parse("VP2").unwrap(),
            protected_id: PersonId::parse("VP1").unwrap(),
            incident_id: Some(i.id.clone()),
            lpa: i.lpa.clone(),
            applied_by: Username::parse("pc.reid").unwrap(),
            applied_at: t("2019-08-23T15:00:00"),
            grounds: "Assault".into(),
            considered: Considered::default(),
            conditions: String::new(),
            address_for_service: String::new(),
            authorised: None,
            served: None,
            adjourned_to: None,
            decision: None,
            order: None,
            notified_at: None,
            victim_told: Vec::new(),
            breaches: Vec::new(),
        };
        let tasks_with = |n: &NoticeCase, raised: &[Action], d: &[crate::Disclosure]| {
            let notices = [n.clone()];
            tasks_for_case(
                &TaskFacts {
                    notices: &notices,
                    disclosures: d,
                    ..facts(&i, &s, &[], &[], &[], raised)
                },
                &ClockRules::default(),
            )
        };
        assert!(
            tasks_with(&n, &[], &[])
                .iter()
                .all(|t| t.kind != TaskKind::NoticeHearing),
            "no hearing before service"
        );
        n.served = Some((
            t("2019-08-23T18:00:00"),
            Username::parse("pc.reid").unwrap(),
        ));
        let tasks = tasks_with(&n, &[], &[]);
        let hearing = find(&tasks, TaskKind::NoticeHearing);
        assert_eq!(hearing.due, t("2019-08-27T18:00:00"));
        assert_eq!(hearing.officer.as_ref().unwrap().as_str(), "pc.reid");
        assert!(hearing.is_open());
        n.decision = Some((
            t("2019-08-27T11:00:00"),
            CourtDecision::Granted,
            String::new(),
        ));
        assert!(!find(&tasks_with(&n, &[], &[]), TaskKind::NoticeHearing).is_open());
        // A DAPN's order made on Friday 6 September: notified by the end of Sunday.
        n.kind = crate::OrderKind::Dapn;
        n.order = Some(Order {
            id: OrderId::parse("O2").unwrap(),
            made_at: t("2019-09-06T13:30:00"),
            expires_at: None,
            conditions: String::new(),
            requirements: String::new(),
            monitoring_months: None,
        });
        let tasks = tasks_with(&n, &[], &[]);
        let notify = find(&tasks, TaskKind::DapoNotification);
        assert_eq!(notify.due, t("2019-09-08T23:59:59"));
        assert!(notify.is_open());
        n.notified_at = Some(t("2019-09-07T10:00:00"));
        assert!(!find(&tasks_with(&n, &[], &[]), TaskKind::DapoNotification).is_open());
        // Right to know: the CRU's by the end of the next working day.
        let raised = [Action::ClaresLawRightToKnow { other_partners: 1 }];
        let tasks = tasks_with(&n, &raised, &[]);
        let rtk = find(&tasks, TaskKind::RightToKnow);
        assert_eq!(rtk.team, WorkTeam::Cru);
        assert_eq!(
            rtk.due,
            t("2019-08-27T23:59:59"),
            "Monday was the bank holiday"
        );
        assert!(rtk.is_open());
        let application = |subject: &str| crate::Disclosure {
            id: DisclosureId::parse("D1").unwrap(),
            route: crate::DisclosureRoute::RightToKnow,
            subject_id: PersonId::parse(subject).unwrap(),
            at_risk_id: PersonId::parse("VP1").unwrap(),
            received_at: t("2019-08-24T10:00:00"),
            decided_at: None,
            decision: None,
            disclosed_at: None,
        };
        assert!(
            find(
                &tasks_with(&n, &raised, &[application("VP9")]),
                TaskKind::RightToKnow
            )
            .is_open(),
            "an application about someone else does not do it"
        );
        assert!(
            !find(
                &tasks_with(&n, &raised, &[application("VP2")]),
                TaskKind::RightToKnow
            )
            .is_open()
        );
    }

    #[test]
    fn a_marac_area_may_have_its_own_criteria() {
        let mut rules = ClockRules::default();
        let (north, south, mid) = (
            Lpa::parse("North").unwrap(),
            Lpa::parse("South").unwrap(),
            Lpa::parse("Mid").unwrap(),
        );
        rules.marac_areas.of_lpa.insert(mid.clone(), "South".into());
        rules.marac_by_area.insert(
            "South".into(),
            crate::marac::MaracCriteria {
                visible_high_risk_yes_count: 17,
                ..Default::default()
            },
        );
        assert_eq!(rules.marac_for(&north).visible_high_risk_yes_count, 14);
        assert_eq!(rules.marac_for(&south).visible_high_risk_yes_count, 17);
        assert_eq!(
            rules.marac_for(&mid).visible_high_risk_yes_count,
            17,
            "grouped into South"
        );
    }

    #[test]
    fn an_imported_case_is_not_overdue_for_its_past() {
        let i = incident("2017-03-01T10:00:00", CallGrade::Emergency);
        let mut s = state(&i);
        s.opened_at = t("2019-09-01T09:00:00");
        let tasks = tasks_for_case(&facts(&i, &s, &[], &[], &[], &[]), &ClockRules::default());
        assert!(tasks.is_empty(), "{tasks:#?}");
    }

    proptest! {
        /// Whatever the time of the call, no task is due before the call.
        #[test]
        fn nothing_is_due_before_the_call(mins in 0i64..(60 * 24 * 366), children: bool) {
            let at = t("2019-01-01T00:00:00") + Duration::minutes(mins);
            let mut i = incident("2019-01-01T00:00:00", CallGrade::Emergency);
            i.reported_at = at;
            i.children_present = children;
            let mut s = state(&i);
            s.grade = Some(RiskGrade::High);
            s.team = Some(InvestigatingTeam::Dait);
            s.routed_at = Some(at);
            let raised = [Action::IdvaReferral, Action::Encompass { due: at }, Action::MaracReferral(vec![])];
            let tasks = tasks_for_case(&facts(&i, &s, &[], &[], &[], &raised), &ClockRules::default());
            for task in &tasks {
                prop_assert!(task.due > at, "{task:?}");
            }
            prop_assert_eq!(tasks.iter().any(|t| t.kind == TaskKind::Encompass), children);
        }
    }
}
