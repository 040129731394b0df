//! Synthetic people: names, birth dates and addresses made up from short word lists. No
//! real person is in them; the postcodes use the "ZZ" area, which does not exist.

use crate::rng::Rng;
use vigil_domain::time::{Date, Duration};
use vigil_domain::{Ethnicity, Sex};

const FEMALE: &[&str] = &[
    "Amy", "Beth", "Chloe", "Dana", "Ella", "Faye", "Gemma", "Hannah", "Isla", "Jade", "Kerry",
    "Laura", "Megan", "Nadia", "Olivia", "Priya", "Rachel", "Sophie", "Tanya", "Zoe",
];
const MALE: &[&str] = &[
    "Adam", "Ben", "Callum", "Darren", "Ethan", "Femi", "Gary", "Harry", "Imran", "Jack", "Kyle",
    "Liam", "Mark", "Nathan", "Owen", "Paul", "Ryan", "Scott", "Tom", "Wayne",
];
const FAMILY: &[&str] = &[
    "Archer", "Baker", "Carter", "Dawson", "Ellis", "Fletcher", "Green", "Hughes", "Iqbal",
    "Jennings", "Khan", "Lowe", "Mason", "Nowak", "Okafor", "Parker", "Quinn", "Reed", "Shaw",
    "Turner", "Walsh", "Young",
];
const STREETS: &[&str] = &[
    "Alder",
    "Beacon",
    "Chapel",
    "Dove",
    "Elm",
    "Fennel",
    "Granary",
    "Heron",
    "Juniper",
    "Kestrel",
    "Larch",
    "Meadow",
    "Nightingale",
    "Orchard",
    "Poplar",
    "Rowan",
    "Sorrel",
    "Thistle",
    "Willow",
];
const KINDS: &[&str] = &["Road", "Close", "Avenue", "Lane", "Way", "Gardens"];

/// A person as the scenario first makes them.
#[derive(Debug, Clone)]
pub struct PersonDraft {
    pub sex: Sex,
    pub birth_date: Date,
    pub ethnicity: Ethnicity,
    pub lpa: usize,
    pub family_name: &'static str,
    pub given_names: &'static str,
    pub house: u16,
    pub street: &'static str,
    pub street_kind: &'static str,
    pub postcode: String,
    pub confidential: bool,
}

/// ONS-like ethnic mix of a largely white English county.
const ETHNICITY: [(Ethnicity, f64); 6] = [
    (Ethnicity::White, 0.86),
    (Ethnicity::Mixed, 0.025),
    (Ethnicity::Asian, 0.035),
    (Ethnicity::Black, 0.03),
    (Ethnicity::Other, 0.01),
    (Ethnicity::NotStated, 0.04),
];

pub fn draft(rng: &mut Rng, sex: Sex, born_between: (Date, Date), lpa: usize) -> PersonDraft {
    let span = (born_between.1 - born_between.0).num_days().max(1);
    let birth_date = born_between.0 + Duration::days(rng.below(span as u64) as i64);
    let ethnicity = ETHNICITY[rng.weighted(&ETHNICITY.map(|(_, w)| w))].0;
    let given = match sex {
        Sex::Male => *rng.pick(MALE),
        _ => *rng.pick(FEMALE),
    };
    PersonDraft {
        sex,
        birth_date,
        ethnicity,
        lpa,
        family_name: FAMILY[rng.below(FAMILY.len() as u64) as usize],
        given_names: given,
        house: 1 + rng.below(180) as u16,
        street: STREETS[rng.below(STREETS.len() as u64) as usize],
        street_kind: KINDS[rng.below(KINDS.len() as u64) as usize],
        postcode: format!(
            "ZZ{} {}{}{}",
            1 + rng.below(20),
            rng.below(10),
            char::from(b'A' + rng.below(26) as u8),
            char::from(b'A' + rng.below(26) as u8)
        ),
        confidential: false,
    }
}
