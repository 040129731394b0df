//! How a victim wants to be contacted: the way, a number that is safe to use, when it is
//! safe, and what must never be done (a voicemail the suspect could hear, a letter to a
//! shared address). Officers read it before telling a victim of a decision.

use crate::casework::ContactMethod;
use crate::time::DateTime;
use crate::{PersonId, ValueError};

/// A victim's contact preferences as last recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactPreferences {
    pub person_id: PersonId,
    pub method: ContactMethod,
    /// A number that is safe to call or text, as `+44…` or `0…` digits.
    pub safe_number: Option<String>,
    /// When contact is safe ("weekdays 9 to 3, while he is at work").
    pub safe_times: String,
    /// What must not be done ("no voicemail", "never write to the home address").
    pub avoid: String,
    pub recorded_at: DateTime,
    pub recorded_by: String,
}

/// The longest a free-text preference may be.
pub const MAX_PREFERENCE_CHARS: usize = 500;

/// A telephone number as typed ("07700 900 123", "+44 7700 900123", "(01632) 960 001"),
/// kept as its digits with a leading `+` when it had one. UK and international numbers
/// have 10 to 15 digits.
pub fn parse_phone(raw: &str) -> Result<String, ValueError> {
    let v = raw.trim();
    let shown: String = v.chars().take(30).collect();
    let bad = |why: &str| ValueError::new(format!("'{shown}' is not a telephone number: {why}"));
    let plus = v.starts_with('+');
    let body = if plus { &v[1..] } else { v };
    if body
        .chars()
        .any(|c| !(c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')')))
    {
        return Err(bad("use digits, spaces and a leading + only"));
    }
    let digits: String = body.chars().filter(char::is_ascii_digit).collect();
    if !(10..=15).contains(&digits.len()) {
        return Err(bad("a number has 10 to 15 digits"));
    }
    if !plus && !digits.starts_with('0') {
        return Err(bad("start with 0, or with + and the country code"));
    }
    Ok(if plus { format!("+{digits}") } else { digits })
}

/// Whether a preference records a way to reach the victim that the method needs: a phone
/// or text needs a safe number.
pub fn check(p: &ContactPreferences) -> Result<(), ValueError> {
    if matches!(p.method, ContactMethod::Phone | ContactMethod::Text) && p.safe_number.is_none() {
        return Err(ValueError::new(
            "a call or text needs a number that is safe to use",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_as_people_type_them() {
        assert_eq!(parse_phone("07700 900 123").unwrap(), "07700900123");
        assert_eq!(parse_phone(" +44 7700 900123 ").unwrap(), "+447700900123");
        assert_eq!(parse_phone("(01632) 960-001").unwrap(), "01632960001");
        for bad in [
            "999",
            "7700900123",
            "0770090012x",
            "+44 7700 900 123 456 789",
            "",
        ] {
            assert!(parse_phone(bad).is_err(), "{bad}");
        }
        let long = "1".repeat(400);
        assert!(parse_phone(&long).unwrap_err().reason.len() < 120);
    }
}
