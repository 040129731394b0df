//! The MASH (multi-agency safeguarding hub): a police referral about the children of a
//! household, or about an adult at risk, researched by the hub and decided by the local
//! authority, the decision fed back to the officer who referred.
//!
//! The timescale: Working Together to Safeguard Children says the local authority decides
//! the type of response within one working day of a referral; Vigil applies the same day to
//! adult referrals (the Care Act sets no number; a force may change it with
//! `ClockRules::mash_decision_working_days`). The decisions are the statutory routes: a
//! child protection enquiry (Children Act 1989, s.47), an assessment of a child in need
//! (s.17), early help; an adult safeguarding enquiry (Care Act 2014, s.42) or a needs
//! assessment (s.9); or advice and signposting, or no further action.

use crate::access::Username;
use crate::tasks::ClockRules;
use crate::text::check_free_text;
use crate::time::DateTime;
use crate::vocabulary::vocabulary;
use crate::{IncidentId, Lpa, PersonId, ReferralId, ValueError};

vocabulary! {
    /// Whom a MASH referral is about.
    pub enum Subject ("MASH subject") {
        /// The children of the household.
        Children = "children",
        /// An adult at risk (the victim, with care and support needs).
        Adult = "adult",
    }
}

vocabulary! {
    /// What the MASH decided.
    pub enum Decision ("MASH decision") {
        ChildProtectionEnquiry = "section_47",
        ChildInNeedAssessment = "section_17",
        EarlyHelp = "early_help",
        AdultSafeguardingEnquiry = "section_42",
        NeedsAssessment = "needs_assessment",
        Signposting = "signposting",
        NoFurtherAction = "no_further_action",
    }
}

impl Decision {
    /// The decision in words.
    pub fn words(self) -> &'static str {
        match self {
            Decision::ChildProtectionEnquiry => "Child protection enquiry (section 47)",
            Decision::ChildInNeedAssessment => "Child in need assessment (section 17)",
            Decision::EarlyHelp => "Early help",
            Decision::AdultSafeguardingEnquiry => "Adult safeguarding enquiry (section 42)",
            Decision::NeedsAssessment => "Care and support needs assessment",
            Decision::Signposting => "Advice and signposting",
            Decision::NoFurtherAction => "No further action",
        }
    }

    /// Whether the decision is one the referral's subject can have.
    pub fn fits(self, about: Subject) -> bool {
        match self {
            Decision::ChildProtectionEnquiry
            | Decision::ChildInNeedAssessment
            | Decision::EarlyHelp => about == Subject::Children,
            Decision::AdultSafeguardingEnquiry | Decision::NeedsAssessment => {
                about == Subject::Adult
            }
            Decision::Signposting | Decision::NoFurtherAction => true,
        }
    }
}

/// The MASH's record of one referral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MashCase {
    pub referral_id: ReferralId,
    /// The household's adult victim (the adult at risk, for an adult referral).
    pub person_id: PersonId,
    pub incident_id: Option<IncidentId>,
    pub lpa: Lpa,
    pub referred_at: DateTime,
    /// The officer who referred: the decision is fed back to them.
    pub referred_by: Username,
    pub about: Subject,
    /// The children the referral is about (none for an adult referral).
    pub children: Vec<PersonId>,
    /// Why the officer refers.
    pub concern: String,
    /// What the hub's agencies hold, as the MASH worker summarised it.
    pub research: Option<(String, Username, DateTime)>,
    pub decision: Option<(Decision, String, Username, DateTime)>,
    /// When the referring officer read the decision.
    pub outcome_read_at: Option<DateTime>,
}

/// A step in the MASH's work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Research {
        text: String,
    },
    Decide {
        decision: Decision,
        rationale: String,
    },
    /// The referring officer has read the decision.
    OutcomeRead,
}

pub const MAX_TEXT_CHARS: usize = 4000;

/// Checks the officer's concern as typed.
pub fn check_concern(raw: &str) -> Result<String, ValueError> {
    let v = raw.trim();
    if v.chars().count() < 10 {
        return Err(ValueError::new(
            "say why you refer to the MASH (at least 10 characters): what the hub must decide on",
        ));
    }
    check_free_text(v, MAX_TEXT_CHARS, true)?;
    Ok(v.to_owned())
}

impl MashCase {
    /// When the decision is due: the end of the working day after the referral.
    pub fn decision_due(&self, rules: &ClockRules) -> DateTime {
        rules
            .working
            .end_of_working_days_after(self.referred_at, rules.mash_decision_working_days)
    }

    /// Where it stands, in words.
    pub fn state(&self) -> &'static str {
        match (&self.research, &self.decision, self.outcome_read_at) {
            (None, None, _) => "Awaiting research",
            (Some(_), None, _) => "Awaiting a decision",
            (_, Some(_), None) => "Decided: the officer is told",
            (_, Some(_), Some(_)) => "Decided: the officer has read it",
        }
    }

    /// The case after `step` by `by` at `now`, or why the step does not follow (with the
    /// field the problem is about). Research may be revised until the decision; the
    /// decision is made once, after research, and fits the subject; only the referring
    /// officer reads the outcome, once it exists.
    pub fn apply(
        &self,
        step: &Step,
        by: &Username,
        now: DateTime,
    ) -> Result<MashCase, (&'static str, ValueError)> {
        let mut next = self.clone();
        let said = |field: &'static str, raw: &str, min: usize, what: &str| {
            let v = raw.trim();
            if v.chars().count() < min {
                return Err((
                    field,
                    ValueError::new(format!("{what} (at least {min} characters)")),
                ));
            }
            check_free_text(v, MAX_TEXT_CHARS, true).map_err(|e| (field, e))?;
            Ok(v.to_owned())
        };
        match step {
            Step::Research { text } => {
                if self.decision.is_some() {
                    return Err((
                        "step",
                        ValueError::new("the referral is decided: its research is closed"),
                    ));
                }
                let text = said(
                    "research",
                    text,
                    5,
                    "say what the hub's agencies hold ('Nothing held' is an answer)",
                )?;
                next.research = Some((text, by.clone(), now));
            }
            Step::Decide {
                decision,
                rationale,
            } => {
                if self.decision.is_some() {
                    return Err(("step", ValueError::new("the referral is already decided")));
                }
                if self.research.is_none() {
                    return Err((
                        "step",
                        ValueError::new("record the hub's research before deciding"),
                    ));
                }
                if !decision.fits(self.about) {
                    return Err((
                        "decision",
                        ValueError::new(format!(
                            "{} is not a decision for a referral about {}",
                            decision.words(),
                            match self.about {
                                Subject::Children => "children",
                                Subject::Adult => "an adult",
                            }
                        )),
                    ));
                }
                let rationale = said("rationale", rationale, 10, "give the reasons")?;
                next.decision = Some((*decision, rationale, by.clone(), now));
            }
            Step::OutcomeRead => {
                if by != &self.referred_by {
                    return Err((
                        "step",
                        ValueError::new("only the referring officer marks the outcome read"),
                    ));
                }
                if self.decision.is_none() {
                    return Err(("step", ValueError::new("there is no decision to read yet")));
                }
                if self.outcome_read_at.is_some() {
                    return Err(("step", ValueError::new("the outcome was already read")));
                }
                next.outcome_read_at = Some(now);
            }
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime {
        crate::time::parse_datetime(s).unwrap()
    }

    fn case(about: Subject) -> MashCase {
        MashCase {
            referral_id: ReferralId::parse("R1").unwrap(),
            person_id: PersonId::parse("P1").unwrap(),
            incident_id: None,
            lpa: Lpa::parse("North").unwrap(),
            // A Friday afternoon.
            referred_at: at("2019-08-30T15:00:00"),
            referred_by: Username::parse("officer").unwrap(),
            about,
            children: vec![PersonId::parse("P4").unwrap()],
            concern: "Children present at a violent incident".into(),
            research: None,
            decision: None,
            outcome_read_at: None,
        }
    }

    #[test]
    fn researched_decided_then_read_by_the_referrer() {
        let worker = Username::parse("mash.worker").unwrap();
        let officer = Username::parse("officer").unwrap();
        let c = case(Subject::Children);
        let now = at("2019-09-02T10:00:00");
        let decide = Step::Decide {
            decision: Decision::ChildInNeedAssessment,
            rationale: "Repeated incidents with the children present".into(),
        };
        assert_eq!(c.apply(&decide, &worker, now).unwrap_err().0, "step");
        assert_eq!(
            c.apply(&Step::OutcomeRead, &officer, now).unwrap_err().0,
            "step"
        );
        let c = c
            .apply(
                &Step::Research {
                    text: "School reports low attendance".into(),
                },
                &worker,
                now,
            )
            .unwrap();
        assert_eq!(c.state(), "Awaiting a decision");
        let adult_route = Step::Decide {
            decision: Decision::AdultSafeguardingEnquiry,
            rationale: "Repeated incidents".into(),
        };
        assert_eq!(
            c.apply(&adult_route, &worker, now).unwrap_err().0,
            "decision"
        );
        let c = c.apply(&decide, &worker, now).unwrap();
        assert_eq!(c.apply(&decide, &worker, now).unwrap_err().0, "step");
        assert_eq!(
            c.apply(&Step::OutcomeRead, &worker, now).unwrap_err().0,
            "step",
            "only the referrer reads it"
        );
        let c = c.apply(&Step::OutcomeRead, &officer, now).unwrap();
        assert_eq!(c.state(), "Decided: the officer has read it");
    }

    #[test]
    fn the_decision_is_due_by_the_end_of_the_next_working_day() {
        let c = case(Subject::Adult);
        // Friday 30 August 2019 at 15:00; Monday 2 September is the next working day.
        assert_eq!(
            c.decision_due(&ClockRules::default()).date(),
            crate::time::parse_date("2019-09-02").unwrap()
        );
    }
}
