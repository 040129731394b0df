//! The Home Office offence classifications an officer may give a DA crime recorded in
//! Vigil: each code with its title and the offence group the board report counts it in.
//!
//! The codes and titles are the Home Office Counting Rules' notifiable offence
//! classifications most often met in domestic abuse. It is the part of the full list Vigil
//! ships with; a code outside it is refused at entry with the list to choose from (an
//! imported extract keeps whatever its source recorded: only its form is checked).

use crate::records::OffenceGroup;

/// One classification: its code, its title, and the group it is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffenceCode {
    pub code: &'static str,
    pub title: &'static str,
    pub group: OffenceGroup,
}

const fn c(code: &'static str, title: &'static str, group: OffenceGroup) -> OffenceCode {
    OffenceCode { code, title, group }
}

use OffenceGroup::*;

/// The catalogue, by group.
pub const CATALOGUE: &[OffenceCode] = &[
    c("1", "Murder", ViolenceWithInjury),
    c("2", "Attempted murder", ViolenceWithInjury),
    c(
        "8F",
        "Inflicting grievous bodily harm without intent",
        ViolenceWithInjury,
    ),
    c(
        "8G",
        "Racially or religiously aggravated inflicting grievous bodily harm without intent",
        ViolenceWithInjury,
    ),
    c("8N", "Assault with injury", ViolenceWithInjury),
    c(
        "8P",
        "Racially or religiously aggravated assault with injury",
        ViolenceWithInjury,
    ),
    c("105A", "Assault without injury", ViolenceWithoutInjury),
    c(
        "105B",
        "Racially or religiously aggravated assault without injury",
        ViolenceWithoutInjury,
    ),
    c(
        "11A",
        "Cruelty to children or young persons",
        ViolenceWithoutInjury,
    ),
    c("8L", "Harassment", StalkingHarassment),
    c("8Q", "Stalking", StalkingHarassment),
    c("8R", "Malicious communications", StalkingHarassment),
    c(
        "8U",
        "Controlling or coercive behaviour in an intimate or family relationship",
        CoerciveControl,
    ),
    c("19C", "Rape of a female aged 16 and over", Sexual),
    c("19D", "Rape of a female aged under 16", Sexual),
    c("19E", "Rape of a female child under 13", Sexual),
    c("19F", "Rape of a male aged 16 and over", Sexual),
    c("19G", "Rape of a male aged under 16", Sexual),
    c("19H", "Rape of a male child under 13", Sexual),
    c("20A", "Sexual assault on a female aged 13 and over", Sexual),
    c("17A", "Sexual assault on a male aged 13 and over", Sexual),
    c("56A", "Arson endangering life", CriminalDamage),
    c("56B", "Arson not endangering life", CriminalDamage),
    c("58A", "Criminal damage to a dwelling", CriminalDamage),
    c(
        "58B",
        "Criminal damage to a building other than a dwelling",
        CriminalDamage,
    ),
    c("58C", "Criminal damage to a vehicle", CriminalDamage),
    c("58D", "Other criminal damage", CriminalDamage),
    c("9A", "Public fear, alarm or distress", PublicOrder),
    c(
        "9B",
        "Racially or religiously aggravated public fear, alarm or distress",
        PublicOrder,
    ),
    c("99", "Other notifiable offences", Other),
];

/// The classification with this code (letters in either case; `8n` is `8N`).
pub fn lookup(raw: &str) -> Option<&'static OffenceCode> {
    let raw = raw.trim();
    CATALOGUE.iter().find(|c| c.code.eq_ignore_ascii_case(raw))
}

/// Checks a code typed for a crime of `group`: known, and counted in that group. Returns
/// the catalogue's spelling of the code, or a message saying what to do.
pub fn check(raw: &str, group: Option<OffenceGroup>) -> Result<&'static OffenceCode, String> {
    let Some(found) = lookup(raw) else {
        let mut known: Vec<&str> = CATALOGUE
            .iter()
            .filter(|c| group.is_none_or(|g| c.group == g))
            .map(|c| c.code)
            .collect();
        if known.is_empty() {
            known = CATALOGUE.iter().map(|c| c.code).collect();
        }
        let shown: String = raw.chars().take(12).collect();
        return Err(format!(
            "'{shown}' is not a Home Office offence code Vigil knows; use one of {}, or leave it empty",
            known.join(", ")
        ));
    };
    match group {
        Some(g) if g != found.group && g != Other => Err(format!(
            "{} ({}) is counted as {}, not {}: choose that offence group or another code",
            found.code,
            found.title,
            found.group.as_str().replace('_', " "),
            g.as_str().replace('_', " ")
        )),
        _ => Ok(found),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_in_their_group_pass_and_others_say_what_to_do() {
        assert_eq!(check("8N", Some(ViolenceWithInjury)).unwrap().code, "8N");
        assert_eq!(check(" 8u ", Some(CoerciveControl)).unwrap().code, "8U");
        let banana = check("banana", Some(CoerciveControl)).unwrap_err();
        assert!(
            banana.contains("'banana' is not a Home Office offence code"),
            "{banana}"
        );
        assert!(banana.contains("8U"), "{banana}");
        let wrong = check("8N", Some(CoerciveControl)).unwrap_err();
        assert!(
            wrong.contains("counted as violence with injury, not coercive control"),
            "{wrong}"
        );
        // "Other" takes any known code.
        assert!(check("58A", Some(Other)).is_ok());
        // A long value is not echoed whole.
        assert!(check(&"x".repeat(500), None).unwrap_err().len() < 400);
    }

    #[test]
    fn the_catalogue_has_one_entry_per_code_and_every_group() {
        let mut codes: Vec<_> = CATALOGUE.iter().map(|c| c.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), CATALOGUE.len());
        for g in OffenceGroup::ALL {
            assert!(CATALOGUE.iter().any(|c| c.group == *g), "{g:?}");
        }
    }
}
