//! MARAC action plans: what a meeting agrees for a victim's safety or about the
//! perpetrator, each owned by one agency, due on a day, and completed with evidence of
//! what was done. An action is open until completed; late once its day has passed.

use crate::access::Username;
use crate::records::Agency;
use crate::text::check_free_text;
use crate::time::{Date, DateTime};
use crate::vocabulary::vocabulary;
use crate::{PersonId, ReferralId, ValueError};

vocabulary! {
    /// Whom an action is about.
    pub enum ActionFor ("action subject") {
        /// The victim's safety (and the children's).
        Victim = "victim",
        /// The perpetrator: disruption, enforcement, support to change.
        Perpetrator = "perpetrator",
    }
}

pub const MAX_ACTION_CHARS: usize = 500;
pub const MAX_EVIDENCE_CHARS: usize = 1000;

/// One action of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub id: i64,
    pub meeting_id: i64,
    /// The MARAC referral (the case on the agenda) it belongs to.
    pub referral_id: ReferralId,
    pub person_id: PersonId,
    pub about: ActionFor,
    pub owner: Agency,
    pub description: String,
    pub due: Date,
    pub created_by: Username,
    pub created_at: DateTime,
    /// When, by whom and what was done.
    pub done: Option<(DateTime, Username, String)>,
}

impl Action {
    pub fn is_open(&self) -> bool {
        self.done.is_none()
    }

    /// Open past its day.
    pub fn is_late(&self, today: Date) -> bool {
        self.is_open() && self.due < today
    }
}

/// What an action asks, checked: said in words, bounded, one agency that sits at MARAC
/// (not "other"), due on or after the meeting and within a year of it.
pub fn check_action(
    description: &str,
    owner: Agency,
    due: Date,
    meeting_day: Date,
) -> Result<(), (&'static str, ValueError)> {
    let d = description.trim();
    if d.chars().count() < 5 {
        return Err((
            "description",
            ValueError::new("say what is to be done (at least 5 characters)"),
        ));
    }
    check_free_text(d, MAX_ACTION_CHARS, true).map_err(|e| ("description", e))?;
    if owner == Agency::Other {
        return Err((
            "owner",
            ValueError::new("an action is owned by an agency that sits at MARAC"),
        ));
    }
    if due < meeting_day {
        return Err((
            "due",
            ValueError::new("an action falls due on or after the meeting that agreed it"),
        ));
    }
    if (due - meeting_day).num_days() > 365 {
        return Err((
            "due",
            ValueError::new("an action falls due within a year of the meeting"),
        ));
    }
    Ok(())
}

/// Evidence of what was done: required, bounded.
pub fn check_evidence(raw: &str) -> Result<String, ValueError> {
    let v = raw.trim();
    if v.chars().count() < 10 {
        return Err(ValueError::new(
            "say what was done (at least 10 characters): it is the evidence the meeting reviews",
        ));
    }
    check_free_text(v, MAX_EVIDENCE_CHARS, true)?;
    Ok(v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        crate::time::parse_date(s).unwrap()
    }

    #[test]
    fn an_action_is_checked_and_late_once_its_day_has_passed() {
        let meeting = d("2019-09-03");
        assert!(
            check_action(
                "Fit a door alarm",
                Agency::Housing,
                d("2019-09-10"),
                meeting
            )
            .is_ok()
        );
        assert_eq!(
            check_action("x", Agency::Housing, d("2019-09-10"), meeting)
                .unwrap_err()
                .0,
            "description"
        );
        assert_eq!(
            check_action("Fit a door alarm", Agency::Other, d("2019-09-10"), meeting)
                .unwrap_err()
                .0,
            "owner"
        );
        assert_eq!(
            check_action(
                "Fit a door alarm",
                Agency::Housing,
                d("2019-09-02"),
                meeting
            )
            .unwrap_err()
            .0,
            "due"
        );
        assert_eq!(
            check_action(
                "Fit a door alarm",
                Agency::Housing,
                d("2020-09-10"),
                meeting
            )
            .unwrap_err()
            .0,
            "due"
        );
        assert!(check_evidence("done").is_err());
        let a = Action {
            id: 1,
            meeting_id: 1,
            referral_id: ReferralId::parse("R1").unwrap(),
            person_id: PersonId::parse("P1").unwrap(),
            about: ActionFor::Victim,
            owner: Agency::Housing,
            description: "Fit a door alarm".into(),
            due: d("2019-09-10"),
            created_by: Username::parse("coordinator").unwrap(),
            created_at: crate::time::parse_datetime("2019-09-03T10:00:00").unwrap(),
            done: None,
        };
        assert!(!a.is_late(d("2019-09-10")) && a.is_late(d("2019-09-11")));
    }
}
