//! Identifiers and the Local Policing Area name.
//!
//! Ids are opaque strings from the source system (a command-and-control reference, a crime
//! reference). They are validated once, here, so that nothing downstream has to wonder
//! whether an id is empty, padded or carries a control character.

use crate::ValueError;
use std::fmt;

/// The longest id Vigil accepts. Records-system references are far shorter; the limit
/// keeps a corrupt or hostile extract from filling the store with megabyte "ids".
pub const MAX_ID_LEN: usize = 64;

fn check_id(what: &str, raw: &str) -> Result<(), ValueError> {
    if raw.is_empty() {
        return Err(ValueError::new(format!("{what} is empty")));
    }
    if raw.len() > MAX_ID_LEN {
        return Err(ValueError::new(format!(
            "{what} is {} characters long; at most {MAX_ID_LEN} are allowed",
            raw.len()
        )));
    }
    if raw.trim() != raw {
        return Err(ValueError::new(format!(
            "{what} '{raw}' starts or ends with white space"
        )));
    }
    if raw.chars().any(char::is_control) {
        return Err(ValueError::new(format!(
            "{what} contains a control character"
        )));
    }
    Ok(())
}

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Accepts a non-empty id of at most 64 characters, without surrounding
            /// white space or control characters.
            pub fn parse(raw: &str) -> Result<Self, ValueError> {
                check_id($what, raw)?;
                Ok($name(raw.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// A person: victim, suspect or child.
    PersonId, "person id"
);
id_type!(
    /// A DA incident: the command-and-control reference.
    IncidentId, "incident id"
);
id_type!(
    /// A recorded crime: the crime reference.
    OffenceId, "offence id"
);
id_type!(
    /// An arrest.
    ArrestId, "arrest id"
);
id_type!(
    /// A risk assessment (primary or secondary).
    AssessmentId, "assessment id"
);
id_type!(
    /// A referral to MARAC, an IDVA, MASH or a school (Operation Encompass).
    ReferralId, "referral id"
);
id_type!(
    /// A Clare's Law (DVDS) case.
    DisclosureId, "disclosure id"
);
id_type!(
    /// A protective notice or order.
    OrderId, "order id"
);

/// The kinds of record whose keys other records refer to, or that must not repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    Person,
    Incident,
    Offence,
    Arrest,
    Assessment,
    Referral,
    Disclosure,
    Order,
    /// Staffing rows are keyed by date, team, LPA and rank.
    Staffing,
}

impl RecordKind {
    pub const ALL: [RecordKind; 9] = [
        RecordKind::Person,
        RecordKind::Incident,
        RecordKind::Offence,
        RecordKind::Arrest,
        RecordKind::Assessment,
        RecordKind::Referral,
        RecordKind::Disclosure,
        RecordKind::Order,
        RecordKind::Staffing,
    ];

    /// What one record of the kind is called in a message.
    pub fn noun(self) -> &'static str {
        match self {
            RecordKind::Person => "person",
            RecordKind::Incident => "incident",
            RecordKind::Offence => "offence",
            RecordKind::Arrest => "arrest",
            RecordKind::Assessment => "risk assessment",
            RecordKind::Referral => "referral",
            RecordKind::Disclosure => "disclosure",
            RecordKind::Order => "protection order",
            RecordKind::Staffing => "staffing row (date, team, LPA and rank)",
        }
    }
}

/// A Local Policing Area, by name (for example "North").
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Lpa(String);

impl Lpa {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        check_id("Local Policing Area", raw)?;
        Ok(Lpa(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Lpa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_refuse_empty_padded_long_and_control_characters() {
        assert!(PersonId::parse("P1").is_ok());
        assert!(PersonId::parse("").is_err());
        assert!(PersonId::parse(" P1").is_err());
        assert!(PersonId::parse("P\u{0}1").is_err());
        assert!(PersonId::parse(&"x".repeat(65)).is_err());
        assert_eq!(
            IncidentId::parse("").unwrap_err().reason,
            "incident id is empty"
        );
    }
}
