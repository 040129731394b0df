//! Operation Encompass: a notification for each child on a domestic abuse incident, to the
//! key adult (designated safeguarding lead) of the child's school before the next school
//! day — or, for a child educated at home, to the local authority's education contact.
//! It carries only what the guidance lets a school receive: the child, when, whether the
//! child was present, the voice of the child and brief circumstances; never the suspect's
//! details or an address.

use crate::access::Username;
use crate::text::check_free_text;
use crate::time::DateTime;
use crate::{IncidentId, Lpa, PersonId, ReferralId, ValueError};

/// What a child's school is written as when the child is educated at home: their
/// notification goes to the local authority's education contact for the area.
pub const HOME_EDUCATED: &str = "Elective home education";

pub const MAX_VOICE_CHARS: usize = 1000;
pub const MAX_CIRCUMSTANCES_CHARS: usize = 500;

/// One notification, as the police made it and the school acknowledged it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub referral_id: ReferralId,
    pub incident_id: IncidentId,
    pub child_id: PersonId,
    pub school: String,
    /// The area the school is told in (the incident's).
    pub lpa: Lpa,
    pub child_present: bool,
    /// What the child said or showed, in their words where possible.
    pub voice_of_child: String,
    /// Brief circumstances: what a school needs to support the child, no more.
    pub circumstances: String,
    /// When the school must have it: the start of the next school day.
    pub due: DateTime,
    pub acknowledged: Option<(DateTime, Username)>,
}

/// A school's name as it is compared (and looked up by the store): case and spacing do
/// not matter.
pub fn school_key(s: &str) -> String {
    s.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether two names are the same school as people write them.
pub fn same_school(a: &str, b: &str) -> bool {
    school_key(a) == school_key(b)
}

/// Whether an education user receives a notification: the key adult of its school, or —
/// with no school of their own — the education contact of its area (which covers every
/// school there and children educated at home). A user with neither receives nothing.
pub fn receives(user_school: Option<&str>, user_area: Option<&Lpa>, n: &Notification) -> bool {
    match (user_school, user_area) {
        (Some(school), _) => same_school(school, &n.school),
        (None, Some(area)) => *area == n.lpa,
        (None, None) => false,
    }
}

/// Checks what the police write for a school: the circumstances are required and brief,
/// the voice of the child optional; neither may carry control or reordering characters.
pub fn check_content(
    voice_of_child: &str,
    circumstances: &str,
) -> Result<(), (&'static str, ValueError)> {
    if circumstances.trim().is_empty() {
        return Err((
            "circumstances",
            ValueError::new(
                "give the school brief circumstances: what it needs to support the child",
            ),
        ));
    }
    check_free_text(circumstances, MAX_CIRCUMSTANCES_CHARS, true)
        .map_err(|e| ("circumstances", e))?;
    check_free_text(voice_of_child, MAX_VOICE_CHARS, true).map_err(|e| ("voice_of_child", e))?;
    Ok(())
}

/// A school's name as recorded for a child: required for a notification, bounded.
pub fn check_school(raw: &str) -> Result<String, ValueError> {
    let v = raw.trim();
    if v.is_empty() {
        return Err(ValueError::new(format!(
            "name the child's school (or '{HOME_EDUCATED}') before the school can be told"
        )));
    }
    check_free_text(v, 200, false)?;
    Ok(v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(school: &str, lpa: &str) -> Notification {
        Notification {
            referral_id: ReferralId::parse("R1").unwrap(),
            incident_id: IncidentId::parse("I1").unwrap(),
            child_id: PersonId::parse("C1").unwrap(),
            school: school.into(),
            lpa: Lpa::parse(lpa).unwrap(),
            child_present: true,
            voice_of_child: String::new(),
            circumstances: "Shouting at home; police attended.".into(),
            due: crate::time::parse_datetime("2019-09-02T08:30:00").unwrap(),
            acknowledged: None,
        }
    }

    #[test]
    fn each_school_receives_its_own_and_the_area_contact_receives_the_areas() {
        let north = Lpa::parse("North").unwrap();
        let south = Lpa::parse("South").unwrap();
        let mill = n("Mill Lane Primary", "North");
        assert!(receives(Some("mill lane  primary"), None, &mill));
        assert!(!receives(Some("Hill Top Academy"), Some(&north), &mill));
        assert!(receives(None, Some(&north), &mill));
        assert!(!receives(None, Some(&south), &mill));
        assert!(!receives(None, None, &mill));
        let home = n(HOME_EDUCATED, "North");
        assert!(receives(None, Some(&north), &home));
    }

    #[test]
    fn what_a_school_is_told_is_checked() {
        assert!(check_content("", "").is_err());
        assert!(check_content("", "Brief.").is_ok());
        let long = "x".repeat(MAX_CIRCUMSTANCES_CHARS + 1);
        assert_eq!(check_content("", &long).unwrap_err().0, "circumstances");
        assert_eq!(
            check_content("a\u{202e}b", "Brief.").unwrap_err().0,
            "voice_of_child"
        );
        assert!(check_school("  ").is_err());
        assert_eq!(check_school(" Mill Lane ").unwrap(), "Mill Lane");
    }
}
