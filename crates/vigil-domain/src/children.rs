//! Children as people linked to an incident: who they are, how old, and which school
//! Operation Encompass tells. An incident imported with only a children-present flag keeps
//! the flag; one recorded in Vigil names its children.

use crate::time::{Date, Datelike};
use crate::{IncidentId, PersonId, ValueError};

/// A child linked to an incident, with the school that must be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentChild {
    pub incident_id: IncidentId,
    pub person_id: PersonId,
    /// The child's school or nursery, if they attend one.
    pub school: Option<String>,
}

/// The age at which a person is no longer a child (Children Act 1989).
pub const ADULT_AGE: u32 = 18;

/// Whole years from `born` to `on`.
pub fn age_on(born: Date, on: Date) -> u32 {
    let mut years = on.year() - born.year();
    if (on.month(), on.day()) < (born.month(), born.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

/// Checks that someone born on `born` was a child on the day of the incident.
pub fn check_child_age(born: Date, incident_day: Date) -> Result<(), ValueError> {
    if born > incident_day {
        return Err(ValueError::new(
            "the date of birth is after the incident; check the year",
        ));
    }
    let age = age_on(born, incident_day);
    if age >= ADULT_AGE {
        return Err(ValueError::new(format!(
            "they were {age} on the day of the incident: record an adult as a victim or witness, not as a child"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_date;

    #[test]
    fn a_child_is_under_eighteen_on_the_day() {
        let day = parse_date("2019-09-01").unwrap();
        assert!(check_child_age(parse_date("2012-03-04").unwrap(), day).is_ok());
        assert!(check_child_age(parse_date("2001-09-02").unwrap(), day).is_ok());
        let adult = check_child_age(parse_date("2001-09-01").unwrap(), day).unwrap_err();
        assert!(adult.reason.contains("were 18"), "{adult:?}");
        assert!(check_child_age(parse_date("2020-01-01").unwrap(), day).is_err());
        assert_eq!(
            age_on(
                parse_date("2016-02-29").unwrap(),
                parse_date("2019-02-28").unwrap()
            ),
            2
        );
    }
}
