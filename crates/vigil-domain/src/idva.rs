//! The IDVA service's work on a referral: accepted by an IDVA (or declined, with the
//! reason), the first contact with the victim — due within 2 working days of the referral
//! by common practice, a force's `ClockRules::idva_contact_working_days` —, the victim's
//! engagement, and closure. Each step follows the one before; each IDVA's caseload is the
//! accepted cases not yet closed.

use crate::access::Username;
use crate::tasks::ClockRules;
use crate::text::check_free_text;
use crate::time::DateTime;
use crate::vocabulary::vocabulary;
use crate::{PersonId, ReferralId, ValueError};

vocabulary! {
    /// How the victim engaged with the IDVA.
    pub enum Engagement ("engagement") {
        Engaged = "engaged",
        /// Contacted, and chose not to work with the IDVA.
        NotEngaged = "not_engaged",
        /// Never reached, after the attempts the service makes.
        Unreachable = "unreachable",
    }
}

/// The IDVA service's record of one referral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdvaCase {
    pub referral_id: ReferralId,
    pub person_id: PersonId,
    pub referred_at: DateTime,
    /// The IDVA who accepted it, and when.
    pub accepted: Option<(Username, DateTime)>,
    /// Declined by the service: when, by whom, why.
    pub declined: Option<(DateTime, Username, String)>,
    pub first_contact: Option<DateTime>,
    pub engagement: Option<Engagement>,
    pub closed: Option<(DateTime, String)>,
}

/// A step in the IDVA's work on a referral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Accept,
    Decline { reason: String },
    FirstContact { at: DateTime },
    Outcome(Engagement),
    Close { reason: String },
}

impl IdvaCase {
    /// A referral not yet taken up.
    pub fn new(referral_id: ReferralId, person_id: PersonId, referred_at: DateTime) -> IdvaCase {
        IdvaCase {
            referral_id,
            person_id,
            referred_at,
            accepted: None,
            declined: None,
            first_contact: None,
            engagement: None,
            closed: None,
        }
    }

    /// When the first contact is due: the end of the working day that many working days
    /// after the referral.
    pub fn first_contact_due(&self, rules: &ClockRules) -> DateTime {
        rules
            .working
            .end_of_working_days_after(self.referred_at, rules.idva_contact_working_days)
    }

    /// Open on the service's books: not declined, not closed.
    pub fn is_open(&self) -> bool {
        self.declined.is_none() && self.closed.is_none()
    }

    /// Where it stands, in words.
    pub fn state(&self) -> &'static str {
        match self {
            IdvaCase {
                declined: Some(_), ..
            } => "Declined",
            IdvaCase {
                closed: Some(_), ..
            } => "Closed",
            IdvaCase { accepted: None, .. } => "Awaiting an IDVA",
            IdvaCase {
                first_contact: None,
                ..
            } => "Accepted: first contact due",
            IdvaCase {
                engagement: None, ..
            } => "Contacted",
            _ => "Working with the victim",
        }
    }

    /// The case after `step` by `by` at `now`, or why the step does not follow, with the
    /// field the problem is about: `reason` for a missing or bad reason; otherwise the
    /// step's own field (`at` for a first contact, `engagement` for an outcome, `step`).
    pub fn apply(
        &self,
        step: &Step,
        by: &Username,
        now: DateTime,
    ) -> Result<IdvaCase, (&'static str, ValueError)> {
        let field = match step {
            Step::FirstContact { .. } => "at",
            Step::Outcome(_) => "engagement",
            _ => "step",
        };
        let out_of_order = |why: &str| Err((field, ValueError::new(why)));
        let mut next = self.clone();
        if !self.is_open() {
            return out_of_order("the referral is already declined or closed");
        }
        let reason_of = |r: &str| -> Result<String, (&'static str, ValueError)> {
            let v = r.trim();
            if v.chars().count() < 5 {
                return Err((
                    "reason",
                    ValueError::new("give the reason (at least 5 characters)"),
                ));
            }
            check_free_text(v, 500, true).map_err(|e| ("reason", e))?;
            Ok(v.to_owned())
        };
        match step {
            Step::Accept => {
                if self.accepted.is_some() {
                    return out_of_order("an IDVA has already accepted the referral");
                }
                next.accepted = Some((by.clone(), now));
            }
            Step::Decline { reason } => {
                if self.accepted.is_some() {
                    return out_of_order("an accepted referral is closed, not declined");
                }
                next.declined = Some((now, by.clone(), reason_of(reason)?));
            }
            Step::FirstContact { at } => {
                if self.accepted.is_none() {
                    return out_of_order("accept the referral before recording contact");
                }
                if self.first_contact.is_some() {
                    return out_of_order("the first contact is already recorded");
                }
                if *at < self.referred_at || *at > now {
                    return out_of_order("the first contact falls between the referral and now");
                }
                next.first_contact = Some(*at);
            }
            Step::Outcome(e) => {
                if self.accepted.is_none() {
                    return out_of_order("accept the referral before recording an outcome");
                }
                if self.first_contact.is_none() && *e != Engagement::Unreachable {
                    return out_of_order(
                        "record the first contact before the victim's engagement (or choose unreachable)",
                    );
                }
                next.engagement = Some(*e);
            }
            Step::Close { reason } => {
                if self.accepted.is_none() {
                    return out_of_order("a referral not accepted is declined, not closed");
                }
                if self.engagement.is_none() {
                    return out_of_order("record the victim's engagement before closing");
                }
                next.closed = Some((now, reason_of(reason)?));
            }
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime {
        crate::time::parse_datetime(s).unwrap()
    }

    #[test]
    fn each_step_follows_the_one_before_and_first_contact_is_due_in_two_working_days() {
        let idva = Username::parse("idva.one").unwrap();
        // Referred on a Friday evening: due by the end of Tuesday.
        let c = IdvaCase::new(
            ReferralId::parse("R1").unwrap(),
            PersonId::parse("P1").unwrap(),
            t("2019-09-06T20:00:00"),
        );
        assert_eq!(
            c.first_contact_due(&ClockRules::default()),
            t("2019-09-10T23:59:59")
        );
        let now = t("2019-09-09T10:00:00");
        assert!(
            c.apply(&Step::FirstContact { at: now }, &idva, now)
                .is_err()
        );
        assert!(
            c.apply(
                &Step::Close {
                    reason: "Moved away".into()
                },
                &idva,
                now
            )
            .is_err()
        );
        let c = c.apply(&Step::Accept, &idva, now).unwrap();
        assert_eq!(c.state(), "Accepted: first contact due");
        assert!(c.apply(&Step::Accept, &idva, now).is_err());
        assert!(
            c.apply(
                &Step::Decline {
                    reason: "No capacity".into()
                },
                &idva,
                now
            )
            .is_err()
        );
        assert!(
            c.apply(
                &Step::FirstContact {
                    at: t("2019-09-01T10:00:00")
                },
                &idva,
                now
            )
            .is_err()
        );
        let c = c
            .apply(
                &Step::FirstContact {
                    at: t("2019-09-09T09:30:00"),
                },
                &idva,
                now,
            )
            .unwrap();
        assert!(
            c.apply(
                &Step::Close {
                    reason: "Support ended".into()
                },
                &idva,
                now
            )
            .is_err()
        );
        let c = c
            .apply(&Step::Outcome(Engagement::Engaged), &idva, now)
            .unwrap();
        assert_eq!(c.state(), "Working with the victim");
        let c = c
            .apply(
                &Step::Close {
                    reason: "Safety plan in place".into(),
                },
                &idva,
                now,
            )
            .unwrap();
        assert!(!c.is_open());
        assert!(
            c.apply(&Step::Outcome(Engagement::Engaged), &idva, now)
                .is_err()
        );
    }
}
