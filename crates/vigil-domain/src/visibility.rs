//! Who sees which fields of a person: the one rule, in one place. Names only with
//! `SeeNames`; addresses only with `SeeAddresses`; a confidential (refuge) address only
//! with `SeeRefuge` and a reason given for this very read (the reason is audited).

use crate::access::{Capability, Role, allows};
use crate::records::Person;

/// A person as `role` may see them, and whether an address was withheld (so a page can say
/// that one exists, or ask for a reason).
pub fn person_as_seen(role: Role, mut p: Person, refuge_reason_given: bool) -> (Person, bool) {
    if !allows(role, Capability::SeeNames) {
        p.identity.family_name = None;
        p.identity.given_names = None;
    }
    let mut withheld = false;
    if !allows(role, Capability::SeeAddresses)
        || (p.address_confidential && !(allows(role, Capability::SeeRefuge) && refuge_reason_given))
    {
        withheld = p.identity.address.is_some() || p.identity.postcode.is_some();
        p.identity.address = None;
        p.identity.postcode = None;
    }
    (p, withheld)
}

/// A person's name as `role` may see it, as people write it ("Jane Smith"); `None` for a
/// role that may not see names, or when no name is recorded.
pub fn name_as_seen(role: Role, family: Option<&str>, given: Option<&str>) -> Option<String> {
    if !allows(role, Capability::SeeNames) {
        return None;
    }
    joined_name(family, given)
}

/// A name as people write it, given names first; `None` when neither part is recorded.
/// (Who may see it is the caller's rule: `name_as_seen` for roles, sharing for partners.)
pub fn joined_name(family: Option<&str>, given: Option<&str>) -> Option<String> {
    let name = [given, family]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!name.is_empty()).then_some(name)
}

/// Whether reading this person's address is a sensitive read that needs a reason first.
pub fn needs_reason(role: Role, p: &Person) -> bool {
    p.address_confidential && allows(role, Capability::SeeRefuge)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::PersonId;
    use crate::records::{Ethnicity, Identity, Sex};
    use proptest::prelude::*;

    fn person(confidential: bool) -> Person {
        Person {
            id: PersonId::parse("P1").unwrap(),
            sex: Sex::Female,
            birth_date: None,
            ethnicity: Ethnicity::White,
            lpa: None,
            identity: Identity {
                family_name: Some("Smith".into()),
                given_names: Some("Ann".into()),
                address: Some("1 Refuge Lane".into()),
                postcode: Some("ZZ9 9ZZ".into()),
            },
            address_confidential: confidential,
        }
    }

    proptest! {
        #[test]
        fn no_role_sees_more_than_its_capabilities(role_i in 0usize..8, confidential: bool, reason: bool) {
            let role = Role::ALL[role_i % Role::ALL.len()];
            let (seen, withheld) = person_as_seen(role, person(confidential), reason);
            prop_assert_eq!(seen.identity.family_name.is_some(), allows(role, Capability::SeeNames));
            let address_shown = seen.identity.address.is_some();
            if address_shown {
                prop_assert!(allows(role, Capability::SeeAddresses));
                if confidential {
                    prop_assert!(allows(role, Capability::SeeRefuge) && reason);
                }
            }
            prop_assert_eq!(withheld, !address_shown);
            // A refuge address never shows without a reason, whoever asks.
            if confidential && !reason {
                prop_assert!(!address_shown);
            }
        }
    }
}
