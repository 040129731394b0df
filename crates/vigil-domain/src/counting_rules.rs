//! Home Office Counting Rules for DA-related crime, as versions with effective dates.
//!
//! Measures that span a rule change (the April 2018 stalking and harassment rule above all)
//! must know which rule was in force, both to explain a step in a series and to estimate it.

use crate::time::Date;

/// One version of the counting rules as they bear on domestic abuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountingRules {
    pub effective_from: (i32, u32, u32),
    pub name: &'static str,
    /// Forces must flag DA-related crimes.
    pub da_flag_mandatory: bool,
    /// Stalking or harassment is recorded in addition to the most serious other offence
    /// against the same victim by the same offender, rather than absorbed into it.
    pub stalking_harassment_recorded_in_addition: bool,
}

impl CountingRules {
    pub fn effective_date(&self) -> Date {
        let (y, m, d) = self.effective_from;
        Date::from_ymd_opt(y, m, d).expect("valid effective date")
    }
}

/// Every version Vigil knows, oldest first.
pub const VERSIONS: [CountingRules; 3] = [
    CountingRules {
        effective_from: (2015, 4, 1),
        name: "DA flag mandatory (April 2015)",
        da_flag_mandatory: true,
        stalking_harassment_recorded_in_addition: false,
    },
    CountingRules {
        effective_from: (2018, 4, 1),
        name: "Stalking and harassment recorded in addition (April 2018)",
        da_flag_mandatory: true,
        stalking_harassment_recorded_in_addition: true,
    },
    CountingRules {
        effective_from: (2023, 6, 1),
        name: "Principal-crime rule restored for stalking and harassment (June 2023)",
        da_flag_mandatory: true,
        stalking_harassment_recorded_in_addition: false,
    },
];

/// The version in force on a date, or `None` before the first (when DA flagging was not
/// yet mandatory and Vigil's measures do not apply).
pub fn in_force(on: Date) -> Option<&'static CountingRules> {
    VERSIONS.iter().rev().find(|v| v.effective_date() <= on)
}

/// The dates at which the rules changed after the first version: the steps a demand
/// model must allow for.
pub fn changes_between(from: Date, to: Date) -> Vec<&'static CountingRules> {
    VERSIONS
        .iter()
        .skip(1)
        .filter(|v| v.effective_date() > from && v.effective_date() <= to)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn version_by_date() {
        assert!(in_force(d(2015, 3, 31)).is_none());
        assert!(
            !in_force(d(2018, 3, 31))
                .unwrap()
                .stalking_harassment_recorded_in_addition
        );
        assert!(
            in_force(d(2018, 4, 1))
                .unwrap()
                .stalking_harassment_recorded_in_addition
        );
        assert!(
            !in_force(d(2023, 6, 1))
                .unwrap()
                .stalking_harassment_recorded_in_addition
        );
        assert_eq!(changes_between(d(2015, 8, 1), d(2019, 9, 1)).len(), 1);
    }
}
