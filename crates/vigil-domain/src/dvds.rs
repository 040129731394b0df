//! A Clare's Law (DVDS) application worked in Vigil, right to ask or right to know, from
//! the first contact to the disclosure or the safety advice, each stage timed and in order.
//!
//! The stages (RULES.md: the 2016 guidance, still the shape of practice): initial contact
//! and a risk screen (immediate risk: safeguard at once); for right to ask, a face-to-face
//! meeting with identity verified; checks of what the police and other agencies hold; the
//! multi-agency panel, which finds a pressing need and that disclosure is lawful,
//! necessary and proportionate, with its rationale; then the disclosure to the person best
//! placed to protect, with a safety plan, or the safety advice without one.
//!
//! The decision is due `ClockRules::disclosure_decision_days` (28; some areas 35) after the
//! start event, receipt by default or the initial contact where configured (RULES.md: which
//! one is unsure). The stages before it are Vigil's own marks, so the work is not left to
//! the last week: contact by the end of the next working day, the meeting by day 10, the
//! checks by day 21, the outcome told within 2 working days of the panel.

use crate::access::Username;
use crate::records::{DisclosureDecision, DisclosureRoute};
use crate::tasks::ClockRules;
use crate::text::said;
use crate::time::{DateTime, Duration};
use crate::vocabulary::vocabulary;
use crate::{DisclosureId, IncidentId, Lpa, PersonId, ValueError};

vocabulary! {
    /// Who asked: for right to ask, the person at risk or a third party; for right to know,
    /// the police or a partner agency acting on what they hold.
    pub enum Applicant ("applicant") {
        PersonAtRisk = "person_at_risk",
        ThirdParty = "third_party",
        Police = "police",
        PartnerAgency = "partner_agency",
    }
}

vocabulary! {
    /// Where the clock starts.
    pub enum ClockStart ("disclosure clock start") {
        Application = "application",
        InitialContact = "initial_contact",
    }
}

vocabulary! {
    /// The stages, in order.
    pub enum Stage ("stage") {
        Contact = "contact",
        Meeting = "meeting",
        Checks = "checks",
        Panel = "panel",
        Outcome = "outcome",
    }
}

impl Stage {
    pub fn words(self) -> &'static str {
        match self {
            Stage::Contact => "Initial contact and risk screen",
            Stage::Meeting => "Face-to-face meeting, identity verified",
            Stage::Checks => "Checks with the police's records and other agencies",
            Stage::Panel => "Multi-agency panel decision",
            Stage::Outcome => "Disclosure or safety advice given",
        }
    }
}

/// The panel's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panel {
    pub at: DateTime,
    pub by: Username,
    pub pressing_need: bool,
    pub lawful_necessary_proportionate: bool,
    pub rationale: String,
}

impl Panel {
    /// Disclosure follows only from both findings.
    pub fn discloses(&self) -> bool {
        self.pressing_need && self.lawful_necessary_proportionate
    }
}

/// What was told, to whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub at: DateTime,
    pub by: Username,
    pub disclosed: bool,
    /// The person best placed to protect (a disclosure); the person at risk (advice).
    pub to_whom: String,
    /// What was said (a disclosure), or the safety advice given (none).
    pub said: String,
    pub safety_plan: String,
}

/// A Clare's Law application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub id: DisclosureId,
    pub route: DisclosureRoute,
    /// The person whose past is asked about.
    pub subject_id: PersonId,
    pub at_risk_id: PersonId,
    pub applicant: Applicant,
    /// A third party's name and connection to the person at risk ("" otherwise).
    pub applicant_name: String,
    pub lpa: Lpa,
    /// Right to know: the incident that triggered it, and the earlier ones that did.
    pub incident_id: Option<IncidentId>,
    pub evidence: Vec<IncidentId>,
    pub received_at: DateTime,
    pub received_by: Username,
    /// When, by whom, whether there was immediate risk, what was learned.
    pub contact: Option<(DateTime, Username, bool, String)>,
    /// When, by whom, whether identity was verified, notes.
    pub meeting: Option<(DateTime, Username, bool, String)>,
    /// When, by whom, what the police hold, what other agencies report.
    pub checks: Option<(DateTime, Username, String, String)>,
    pub panel: Option<Panel>,
    pub outcome: Option<Outcome>,
    /// Not pursued: when, by whom, why (right to know: declining to proceed; right to
    /// ask: withdrawn).
    pub declined: Option<(DateTime, Username, String)>,
}

/// A step in the work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Contact {
        immediate_risk: bool,
        notes: String,
    },
    Meeting {
        identity_verified: bool,
        notes: String,
    },
    Checks {
        police: String,
        partners: String,
    },
    Panel {
        pressing_need: bool,
        lawful_necessary_proportionate: bool,
        rationale: String,
    },
    Outcome {
        to_whom: String,
        said: String,
        safety_plan: String,
    },
    Decline {
        reason: String,
    },
}

impl Application {
    /// Closed: told, or not pursued.
    pub fn is_open(&self) -> bool {
        self.outcome.is_none() && self.declined.is_none()
    }

    /// The next stage to do (none when closed). Right to know has no meeting with an
    /// applicant.
    pub fn next_stage(&self) -> Option<Stage> {
        if !self.is_open() {
            return None;
        }
        Some(if self.contact.is_none() {
            Stage::Contact
        } else if self.route == DisclosureRoute::RightToAsk && self.meeting.is_none() {
            Stage::Meeting
        } else if self.checks.is_none() {
            Stage::Checks
        } else if self.panel.is_none() {
            Stage::Panel
        } else {
            Stage::Outcome
        })
    }

    /// When the decision clock started.
    pub fn clock_start(&self, rules: &ClockRules) -> DateTime {
        match (rules.disclosure_clock_starts, &self.contact) {
            (ClockStart::InitialContact, Some((at, _, _, _))) => *at,
            _ => self.received_at,
        }
    }

    /// When the panel's decision is due.
    pub fn decision_due(&self, rules: &ClockRules) -> DateTime {
        crate::deadlines::disclosure_decision_due(
            self.clock_start(rules),
            rules.disclosure_decision_days,
        )
    }

    /// When a stage is due.
    pub fn due(&self, stage: Stage, rules: &ClockRules) -> DateTime {
        let start = self.clock_start(rules);
        let day = |n: i64| crate::calendar::end_of_day(start.date() + Duration::days(n));
        let decision = self.decision_due(rules);
        match stage {
            Stage::Contact => rules.working.end_of_working_days_after(self.received_at, 1),
            Stage::Meeting => day(10).min(decision),
            Stage::Checks => day(21).min(decision),
            Stage::Panel => decision,
            Stage::Outcome => match &self.panel {
                Some(p) => rules.working.end_of_working_days_after(p.at, 2),
                None => decision,
            },
        }
    }

    /// The decision as the records hold it (the measures read it): disclose or not at
    /// the panel; withdrawn when not pursued.
    pub fn decision(&self) -> Option<(DisclosureDecision, DateTime)> {
        match (&self.panel, &self.declined) {
            (Some(p), _) => Some((
                if p.discloses() {
                    DisclosureDecision::Disclose
                } else {
                    DisclosureDecision::NoDisclosure
                },
                p.at,
            )),
            (None, Some((at, _, _))) => Some((DisclosureDecision::Withdrawn, *at)),
            (None, None) => None,
        }
    }

    /// The application as the records hold it (`disclosures`, which the measures read).
    pub fn record(&self) -> crate::Disclosure {
        let decision = self.decision();
        crate::Disclosure {
            id: self.id.clone(),
            route: self.route,
            subject_id: self.subject_id.clone(),
            at_risk_id: self.at_risk_id.clone(),
            received_at: self.received_at,
            decided_at: decision.map(|d| d.1),
            decision: decision.map(|d| d.0),
            disclosed_at: self.outcome.as_ref().filter(|o| o.disclosed).map(|o| o.at),
        }
    }

    /// The application after `step` by `by` at `now`, or why not (with the field).
    pub fn apply(
        &self,
        step: &Step,
        by: &Username,
        now: DateTime,
    ) -> Result<Application, (&'static str, ValueError)> {
        let Some(next) = self.next_stage() else {
            return Err(("step", ValueError::new("the application is closed")));
        };
        let out_of_order = |stage: Stage| -> Result<(), (&'static str, ValueError)> {
            if stage == next {
                Ok(())
            } else {
                Err((
                    "step",
                    ValueError::new(format!(
                        "the next stage is: {}",
                        next.words().to_lowercase()
                    )),
                ))
            }
        };
        let mut a = self.clone();
        match step {
            Step::Contact {
                immediate_risk,
                notes,
            } => {
                out_of_order(Stage::Contact)?;
                let notes = said(
                    "notes",
                    notes,
                    10,
                    "say what the contact and risk screen found",
                )?;
                a.contact = Some((now, by.clone(), *immediate_risk, notes));
            }
            Step::Meeting {
                identity_verified,
                notes,
            } => {
                out_of_order(Stage::Meeting)?;
                if !identity_verified {
                    return Err((
                        "identity_verified",
                        ValueError::new(
                            "the applicant's identity must be verified at the meeting before checks are made",
                        ),
                    ));
                }
                let notes = said("notes", notes, 10, "say what the meeting covered")?;
                a.meeting = Some((now, by.clone(), true, notes));
            }
            Step::Checks { police, partners } => {
                out_of_order(Stage::Checks)?;
                let police = said(
                    "police",
                    police,
                    5,
                    "say what the police's records hold on the subject ('Nothing held' is an answer)",
                )?;
                let partners = said(
                    "partners",
                    partners,
                    5,
                    "say what other agencies report ('Nothing reported' is an answer)",
                )?;
                a.checks = Some((now, by.clone(), police, partners));
            }
            Step::Panel {
                pressing_need,
                lawful_necessary_proportionate,
                rationale,
            } => {
                out_of_order(Stage::Panel)?;
                let rationale = said("rationale", rationale, 20, "record the panel's rationale")?;
                a.panel = Some(Panel {
                    at: now,
                    by: by.clone(),
                    pressing_need: *pressing_need,
                    lawful_necessary_proportionate: *lawful_necessary_proportionate,
                    rationale,
                });
            }
            Step::Outcome {
                to_whom,
                said: text,
                safety_plan,
            } => {
                out_of_order(Stage::Outcome)?;
                let disclosed = self.panel.as_ref().is_some_and(Panel::discloses);
                let to_whom = said(
                    "to_whom",
                    to_whom,
                    2,
                    if disclosed {
                        "name the person best placed to protect, who is told"
                    } else {
                        "name who was given the safety advice"
                    },
                )?;
                let text = said(
                    "said",
                    text,
                    10,
                    if disclosed {
                        "record what was disclosed"
                    } else {
                        "record the safety advice given"
                    },
                )?;
                let safety_plan = said("safety_plan", safety_plan, 10, "record the safety plan")?;
                a.outcome = Some(Outcome {
                    at: now,
                    by: by.clone(),
                    disclosed,
                    to_whom,
                    said: text,
                    safety_plan,
                });
            }
            Step::Decline { reason } => {
                let reason = said("reason", reason, 10, "say why it is not pursued")?;
                if self.panel.is_some() {
                    return Err((
                        "step",
                        ValueError::new("the panel has decided: record the outcome instead"),
                    ));
                }
                a.declined = Some((now, by.clone(), reason));
            }
        }
        Ok(a)
    }
}

impl Application {
    /// When a stage was done, if it was.
    pub fn done_at(&self, stage: Stage) -> Option<DateTime> {
        match stage {
            Stage::Contact => self.contact.as_ref().map(|c| c.0),
            Stage::Meeting => self.meeting.as_ref().map(|m| m.0),
            Stage::Checks => self.checks.as_ref().map(|c| c.0),
            Stage::Panel => self.panel.as_ref().map(|p| p.at),
            Stage::Outcome => self.outcome.as_ref().map(|o| o.at),
        }
    }

    /// Whether the application goes through a stage: right to know has no meeting with an
    /// applicant; one not pursued goes through no stage it had not reached.
    fn has_stage(&self, stage: Stage) -> bool {
        !(stage == Stage::Meeting && self.route == DisclosureRoute::RightToKnow)
            && (self.done_at(stage).is_some() || self.is_open())
    }
}

/// One stage's timeliness over applications worked in Vigil.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StageTimeliness {
    pub stage: Stage,
    /// Done by `now`.
    pub done: u32,
    /// Done by its due time.
    pub on_time: u32,
    /// Not done and past its due time at `now`.
    pub overdue: u32,
    /// Median days from receipt to the stage, of those done.
    pub median_days: Option<f64>,
}

/// Each stage's timeliness over `apps` at `now`, against the stage marks of
/// [`Application::due`] (the force's decision limit for the panel; Vigil's marks for the
/// others). An application not pursued counts only in the stages it reached.
pub fn stage_timeliness(
    apps: &[Application],
    rules: &ClockRules,
    now: DateTime,
) -> Vec<StageTimeliness> {
    Stage::ALL
        .iter()
        .map(|&stage| {
            let mut t = StageTimeliness {
                stage,
                done: 0,
                on_time: 0,
                overdue: 0,
                median_days: None,
            };
            let mut days = Vec::new();
            for a in apps.iter().filter(|a| a.has_stage(stage)) {
                let due = a.due(stage, rules);
                match a.done_at(stage).filter(|d| *d <= now) {
                    Some(done) => {
                        t.done += 1;
                        t.on_time += u32::from(done <= due);
                        days.push((done - a.received_at).num_seconds() as f64 / 86_400.0);
                    }
                    None if now > due => t.overdue += 1,
                    None => {}
                }
            }
            days.sort_by(|a, b| a.total_cmp(b));
            t.median_days = match days.len() {
                0 => None,
                n if n % 2 == 1 => Some(days[n / 2]),
                n => Some((days[n / 2 - 1] + days[n / 2]) / 2.0),
            };
            t
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime {
        crate::time::parse_datetime(s).unwrap()
    }

    fn application(route: DisclosureRoute) -> Application {
        Application {
            id: DisclosureId::parse("D1").unwrap(),
            route,
            subject_id: PersonId::parse("P2").unwrap(),
            at_risk_id: PersonId::parse("P1").unwrap(),
            applicant: Applicant::PersonAtRisk,
            applicant_name: String::new(),
            lpa: Lpa::parse("North").unwrap(),
            incident_id: None,
            evidence: Vec::new(),
            received_at: at("2019-03-01T10:00:00"),
            received_by: Username::parse("cru").unwrap(),
            contact: None,
            meeting: None,
            checks: None,
            panel: None,
            outcome: None,
            declined: None,
        }
    }

    #[test]
    fn right_to_ask_from_contact_to_disclosure_in_order() {
        let cru = Username::parse("cru").unwrap();
        let rules = ClockRules::default();
        let a = application(DisclosureRoute::RightToAsk);
        // Due by the end of 29 March (28 days after 1 March); contact by the end of Monday
        // 4 March (Friday's next working day).
        assert_eq!(a.decision_due(&rules), at("2019-03-29T23:59:59"));
        assert_eq!(a.due(Stage::Contact, &rules), at("2019-03-04T23:59:59"));
        let now = at("2019-03-04T09:00:00");
        let panel = Step::Panel {
            pressing_need: true,
            lawful_necessary_proportionate: true,
            rationale: "Two previous partners assaulted; current risk of serious harm".into(),
        };
        assert_eq!(a.apply(&panel, &cru, now).unwrap_err().0, "step");
        let a = a
            .apply(
                &Step::Contact {
                    immediate_risk: false,
                    notes: "Spoke to the applicant; no immediate risk".into(),
                },
                &cru,
                now,
            )
            .unwrap();
        assert_eq!(a.next_stage(), Some(Stage::Meeting));
        let unverified = Step::Meeting {
            identity_verified: false,
            notes: "Met at the station".into(),
        };
        assert_eq!(
            a.apply(&unverified, &cru, now).unwrap_err().0,
            "identity_verified"
        );
        let a = a
            .apply(
                &Step::Meeting {
                    identity_verified: true,
                    notes: "Met at the station; passport seen".into(),
                },
                &cru,
                now,
            )
            .unwrap()
            .apply(
                &Step::Checks {
                    police: "Two incidents against former partners".into(),
                    partners: "Probation: known".into(),
                },
                &cru,
                now,
            )
            .unwrap()
            .apply(&panel, &cru, now)
            .unwrap();
        assert_eq!(
            a.decision().map(|d| d.0),
            Some(DisclosureDecision::Disclose)
        );
        assert_eq!(
            a.apply(
                &Step::Decline {
                    reason: "No longer wanted".into()
                },
                &cru,
                now
            )
            .unwrap_err()
            .0,
            "step"
        );
        let a = a
            .apply(
                &Step::Outcome {
                    to_whom: "The applicant".into(),
                    said: "Told of two assaults on former partners".into(),
                    safety_plan: "IDVA referral; Pathfinder alarm".into(),
                },
                &cru,
                now,
            )
            .unwrap();
        assert!(!a.is_open() && a.outcome.as_ref().unwrap().disclosed);
        // Timeliness by stage: this one did every stage on 4 March, in time; another
        // received the same day and not yet contacted is late for contact on the 5th.
        let waiting = application(DisclosureRoute::RightToAsk);
        let stages = stage_timeliness(&[a, waiting], &rules, at("2019-03-05T09:00:00"));
        let of = |st: Stage| *stages.iter().find(|t| t.stage == st).unwrap();
        let contact = of(Stage::Contact);
        assert_eq!((contact.done, contact.on_time, contact.overdue), (1, 1, 1));
        assert!(contact.median_days.is_some());
        let meeting = of(Stage::Meeting);
        assert_eq!(
            (meeting.done, meeting.overdue),
            (1, 0),
            "the meeting is due by day 10"
        );
        assert_eq!(of(Stage::Outcome).on_time, 1);
    }

    #[test]
    fn right_to_know_skips_the_meeting_and_a_35_day_area_starts_at_contact() {
        let cru = Username::parse("cru").unwrap();
        let rules = ClockRules {
            disclosure_decision_days: 35,
            disclosure_clock_starts: ClockStart::InitialContact,
            ..ClockRules::default()
        };
        let a = application(DisclosureRoute::RightToKnow)
            .apply(
                &Step::Contact {
                    immediate_risk: true,
                    notes: "Victim seen; immediate risk, safeguarded".into(),
                },
                &cru,
                at("2019-03-05T09:00:00"),
            )
            .unwrap();
        assert_eq!(a.next_stage(), Some(Stage::Checks));
        assert_eq!(a.decision_due(&rules), at("2019-04-09T23:59:59"));
        let declined = a
            .apply(
                &Step::Decline {
                    reason: "Subject deceased; no risk remains".into(),
                },
                &cru,
                at("2019-03-06T09:00:00"),
            )
            .unwrap();
        assert_eq!(
            declined.decision().map(|d| d.0),
            Some(DisclosureDecision::Withdrawn)
        );
        assert_eq!(declined.next_stage(), None);
    }
}
