//! The SafeLives MARAC return: the meeting-level figures a MARAC sends every quarter, per
//! MARAC area. Over imported history, where no meeting was recorded, a MARAC referral is a
//! case in the quarter of its referral date.
//!
//! Vigil's choices where the guidance leaves room (each said in the return's notes):
//! - A referral's area is its incident's Local Policing Area, else the victim's; each LPA is
//!   its own MARAC area unless a force groups them.
//! - A repeat is a referral whose victim had a MARAC referral in the 365 days before it
//!   (strictly earlier; any area), as `repeat_marac_rate` in the measures.
//! - The household is the referral's incident, else the victim's latest incident reported
//!   on or before the referral: its suspect is the perpetrator and its "children present"
//!   answer says whether there were children in the household.
//! - BME: a recorded ethnicity other than white (the extract does not split white groups);
//!   not stated counts as not known, not as BME.
//! - Ages are whole years on the day of the referral: victims aged 16 or 17, perpetrators
//!   aged 17 or under.
//! - The volume per 10,000 adult women is annualised (cases × 365 ÷ days in the period),
//!   beside SafeLives' recommended 40.
//! - Sexuality and disability are not in the extract: they are not counted over imported
//!   history, and the return says so rather than showing zero.

use crate::children::age_on;
use crate::records::{Agency, Ethnicity, Incident, Sex};
use crate::time::{Date, DateTime};
use crate::{IncidentId, Lpa, PersonId};
use std::collections::BTreeMap;

/// SafeLives' recommended yearly volume of MARAC cases per 10,000 adult women.
pub const RECOMMENDED_PER_10K: f64 = 40.0;

/// How far back a referral makes the next one a repeat.
pub const REPEAT_WINDOW_DAYS: i64 = 365;

/// One MARAC referral with what the return needs about its victim and household, as the
/// store reads it (nothing decided yet).
#[derive(Debug, Clone, PartialEq)]
pub struct ReferralFacts {
    pub id: crate::ReferralId,
    pub person: PersonId,
    pub referred_at: DateTime,
    pub agency: Agency,
    pub incident: Option<IncidentId>,
    /// The referral's incident's area, when it names one.
    pub incident_lpa: Option<Lpa>,
    pub victim_lpa: Option<Lpa>,
    pub victim_sex: Sex,
    pub victim_birth: Option<Date>,
    pub victim_ethnicity: Ethnicity,
    /// The household's perpetrator's date of birth, when known.
    pub perpetrator_birth: Option<Date>,
    pub children_present: Option<bool>,
    /// From the referral form made in Vigil (`marac_record::ReferralForm`); `None` for
    /// imported history, which holds no form.
    pub lgbt: Option<bool>,
    pub disabled: Option<bool>,
}

/// The household incident of a referral that names none: the victim's latest incident
/// reported on or before the referral.
pub fn household_incident(incidents: &[Incident], referred_at: DateTime) -> Option<&Incident> {
    incidents
        .iter()
        .filter(|i| i.reported_at <= referred_at)
        .max_by(|a, b| {
            a.reported_at
                .cmp(&b.reported_at)
                .then_with(|| a.id.as_str().cmp(b.id.as_str()))
        })
}

/// Which MARAC area each LPA belongs to, and each area's adult female population.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MaracAreas {
    /// LPA → MARAC area; an LPA not listed is its own area.
    pub of_lpa: BTreeMap<Lpa, String>,
    /// MARAC area → adult (16+) women living there.
    pub adult_women: BTreeMap<String, u64>,
}

/// One LPA's MARAC area and population as a force configures it; `place` says where it
/// was written ("line 3, column ", "marac.areas[2].") for the messages.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaRow {
    pub place: String,
    pub lpa: String,
    pub marac_area: String,
    pub adult_women: Option<u64>,
}

/// Where a referral with no known area is counted.
pub const UNKNOWN_AREA: &str = "Area not recorded";

impl MaracAreas {
    /// A force's MARAC areas from CSV text with the header `lpa,marac_area,adult_women`:
    /// one row per Local Policing Area, naming its MARAC area and its adult (16+) female
    /// population (empty when not known; an area's population is its LPAs' sum). A
    /// problem names the line, the column and the value.
    pub fn from_csv(text: &str) -> Result<MaracAreas, String> {
        let mut lines = text.lines().enumerate();
        let header = lines
            .next()
            .map(|(_, h)| h.trim().trim_start_matches('\u{feff}'));
        if header != Some("lpa,marac_area,adult_women") {
            return Err(format!(
                "line 1: the header must be lpa,marac_area,adult_women, not '{}'",
                header.unwrap_or("").chars().take(80).collect::<String>()
            ));
        }
        let mut rows = Vec::new();
        for (i, line) in lines {
            let n = i + 1;
            if line.trim().is_empty() {
                continue;
            }
            let cells: Vec<&str> = line.split(',').map(str::trim).collect();
            if cells.len() != 3 {
                return Err(format!(
                    "line {n}: {} fields where 3 are expected (lpa,marac_area,adult_women)",
                    cells.len()
                ));
            }
            let women = if cells[2].is_empty() {
                None
            } else {
                Some(cells[2].parse::<u64>().map_err(|_| {
                    format!(
                        "line {n}, column adult_women: '{}' is not a population (a whole number above 0)",
                        cells[2].chars().take(30).collect::<String>()
                    )
                })?)
            };
            rows.push(AreaRow {
                place: format!("line {n}, column "),
                lpa: cells[0].to_owned(),
                marac_area: cells[1].to_owned(),
                adult_women: women,
            });
        }
        MaracAreas::from_rows(&rows)
    }

    /// A force's MARAC areas from its rows (from a CSV file or a rules file), each checked:
    /// a known-looking LPA listed once, a named area, a population above 0.
    pub fn from_rows(rows: &[AreaRow]) -> Result<MaracAreas, String> {
        let mut out = MaracAreas::default();
        let mut known_population: BTreeMap<String, bool> = BTreeMap::new();
        for r in rows {
            let at = &r.place;
            let lpa = Lpa::parse(r.lpa.trim()).map_err(|e| format!("{at}lpa: {e}"))?;
            let name = r.marac_area.trim();
            crate::text::check_free_text(name, 100, false)
                .map_err(|e| format!("{at}marac_area: {e}"))?;
            if name.is_empty() {
                return Err(format!("{at}marac_area: a MARAC area needs a name"));
            }
            if out.of_lpa.insert(lpa.clone(), name.to_owned()).is_some() {
                return Err(format!("{at}lpa: {lpa} is listed twice"));
            }
            let known = known_population.entry(name.to_owned()).or_insert(true);
            match r.adult_women {
                None => *known = false,
                Some(w) if w == 0 || w >= 100_000_000 => {
                    return Err(format!(
                        "{at}adult_women: '{w}' is not a population (a whole number above 0)"
                    ));
                }
                Some(w) => *out.adult_women.entry(name.to_owned()).or_insert(0) += w,
            }
        }
        // An area with an LPA of unknown population has no known population.
        for (area, known) in known_population {
            if !known {
                out.adult_women.remove(&area);
            }
        }
        Ok(out)
    }

    /// Every MARAC area of the force: the areas its LPAs are grouped into, and each LPA not
    /// grouped (by name).
    pub fn names(&self, lpas: &[Lpa]) -> Vec<String> {
        let mut out: Vec<String> = lpas
            .iter()
            .map(|l| self.area_of_lpa(l).to_owned())
            .chain(self.of_lpa.values().cloned())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The MARAC area an LPA belongs to: the one it is grouped into, else its own.
    pub fn area_of_lpa<'a>(&'a self, l: &'a Lpa) -> &'a str {
        self.of_lpa.get(l).map_or(l.as_str(), String::as_str)
    }

    /// The MARAC area of a referral: by its incident's LPA, else the victim's.
    pub fn area_of(&self, r: &ReferralFacts) -> String {
        match r.incident_lpa.as_ref().or(r.victim_lpa.as_ref()) {
            Some(l) => self.area_of_lpa(l).to_owned(),
            None => UNKNOWN_AREA.to_owned(),
        }
    }
}

/// One row of the return.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AreaReturn {
    pub area: String,
    pub cases: u64,
    pub repeat_cases: u64,
    /// Cases whose household had children present.
    pub cases_with_children: u64,
    /// Cases by referring agency, in `Agency::ALL` order.
    pub by_agency: Vec<(Agency, u64)>,
    pub bme_victims: u64,
    pub male_victims: u64,
    pub victims_16_17: u64,
    pub perpetrators_under_18: u64,
    /// LGBT and disabled victims, as the referral forms say: counted over the cases with a
    /// form (`diversity_recorded`); imported history holds none.
    pub lgbt_victims: u64,
    pub disabled_victims: u64,
    pub diversity_recorded: u64,
    pub adult_women: Option<u64>,
    /// Cases a year per 10,000 adult women (annualised), when the population is known.
    pub per_10k_women: Option<f64>,
}

impl AreaReturn {
    fn new(area: &str) -> AreaReturn {
        AreaReturn {
            area: area.to_owned(),
            by_agency: Agency::ALL.iter().map(|a| (*a, 0)).collect(),
            ..AreaReturn::default()
        }
    }

    fn add(&mut self, other: &AreaReturn) {
        self.cases += other.cases;
        self.repeat_cases += other.repeat_cases;
        self.cases_with_children += other.cases_with_children;
        for (mine, theirs) in self.by_agency.iter_mut().zip(&other.by_agency) {
            mine.1 += theirs.1;
        }
        self.bme_victims += other.bme_victims;
        self.male_victims += other.male_victims;
        self.victims_16_17 += other.victims_16_17;
        self.perpetrators_under_18 += other.perpetrators_under_18;
        self.lgbt_victims += other.lgbt_victims;
        self.disabled_victims += other.disabled_victims;
        self.diversity_recorded += other.diversity_recorded;
    }

    /// The share of cases that are repeats, in per cent (None with no cases).
    pub fn repeat_percent(&self) -> Option<f64> {
        (self.cases > 0).then(|| 100.0 * self.repeat_cases as f64 / self.cases as f64)
    }
}

/// The return for `[from, to]` (whole days): one row per MARAC area, by name, then the
/// total. `referrals` must hold every MARAC referral from `REPEAT_WINDOW_DAYS` before
/// `from` to `to`, so repeats at the start of the period are seen.
pub fn marac_return(
    referrals: &[ReferralFacts],
    from: Date,
    to: Date,
    areas: &MaracAreas,
) -> (Vec<AreaReturn>, AreaReturn) {
    // Each person's referral times, sorted, for the repeat rule.
    let mut times: BTreeMap<&PersonId, Vec<DateTime>> = BTreeMap::new();
    for r in referrals {
        times.entry(&r.person).or_default().push(r.referred_at);
    }
    for v in times.values_mut() {
        v.sort();
    }
    let mut rows: BTreeMap<String, AreaReturn> = BTreeMap::new();
    for r in referrals {
        let day = r.referred_at.date();
        if day < from || day > to {
            continue;
        }
        let area = areas.area_of(r);
        let row = rows
            .entry(area.clone())
            .or_insert_with(|| AreaReturn::new(&area));
        row.cases += 1;
        let earlier = &times[&r.person];
        let window_start = r.referred_at - chrono::Duration::days(REPEAT_WINDOW_DAYS);
        if earlier
            .iter()
            .any(|t| *t < r.referred_at && *t >= window_start)
        {
            row.repeat_cases += 1;
        }
        if r.children_present == Some(true) {
            row.cases_with_children += 1;
        }
        if let Some(slot) = row.by_agency.iter_mut().find(|(a, _)| *a == r.agency) {
            slot.1 += 1;
        }
        if !matches!(r.victim_ethnicity, Ethnicity::White | Ethnicity::NotStated) {
            row.bme_victims += 1;
        }
        if r.victim_sex == Sex::Male {
            row.male_victims += 1;
        }
        if r.victim_birth
            .is_some_and(|b| matches!(age_on(b, day), 16 | 17))
        {
            row.victims_16_17 += 1;
        }
        if r.perpetrator_birth
            .is_some_and(|b| b <= day && age_on(b, day) <= 17)
        {
            row.perpetrators_under_18 += 1;
        }
        if let (Some(lgbt), Some(disabled)) = (r.lgbt, r.disabled) {
            row.diversity_recorded += 1;
            row.lgbt_victims += u64::from(lgbt);
            row.disabled_victims += u64::from(disabled);
        }
    }
    let days = (to - from).num_days() + 1;
    let per_10k = |cases: u64, women: Option<u64>| {
        women
            .filter(|w| *w > 0)
            .map(|w| cases as f64 / w as f64 * 10_000.0 * 365.0 / days as f64)
    };
    let mut total = AreaReturn::new("Total");
    let mut out: Vec<AreaReturn> = rows.into_values().collect();
    // Areas with a population but no case in the period still belong in the return.
    for area in areas.adult_women.keys() {
        if !out.iter().any(|r| &r.area == area) {
            out.push(AreaReturn::new(area));
        }
    }
    out.sort_by(|a, b| a.area.cmp(&b.area));
    let mut women_total = Some(0u64);
    for row in &mut out {
        row.adult_women = areas.adult_women.get(&row.area).copied();
        row.per_10k_women = per_10k(row.cases, row.adult_women);
        total.add(row);
        women_total = match (women_total, row.adult_women) {
            (Some(t), Some(w)) => Some(t + w),
            _ => None,
        };
    }
    total.adult_women = women_total.filter(|_| !out.is_empty());
    total.per_10k_women = per_10k(total.cases, total.adult_women);
    (out, total)
}

/// The quarter a day falls in: its first and last day.
pub fn quarter_of(day: Date) -> (Date, Date) {
    use chrono::Datelike;
    let first_month = (day.month() - 1) / 3 * 3 + 1;
    let from = Date::from_ymd_opt(day.year(), first_month, 1).expect("valid quarter start");
    let next = if first_month == 10 {
        Date::from_ymd_opt(day.year() + 1, 1, 1)
    } else {
        Date::from_ymd_opt(day.year(), first_month + 3, 1)
    }
    .expect("valid quarter end");
    (from, next - chrono::Duration::days(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        crate::time::parse_date(s).unwrap()
    }

    fn at(s: &str) -> DateTime {
        crate::time::parse_datetime(s).unwrap()
    }

    fn referral(person: &str, when: &str, lpa: &str) -> ReferralFacts {
        ReferralFacts {
            id: crate::ReferralId::parse(&format!("R-{person}-{when}")).unwrap(),
            person: PersonId::parse(person).unwrap(),
            referred_at: at(when),
            agency: Agency::Police,
            incident: None,
            incident_lpa: Some(Lpa::parse(lpa).unwrap()),
            victim_lpa: None,
            victim_sex: Sex::Female,
            victim_birth: Some(d("1990-01-01")),
            victim_ethnicity: Ethnicity::White,
            perpetrator_birth: Some(d("1985-01-01")),
            children_present: Some(false),
            lgbt: None,
            disabled: None,
        }
    }

    #[test]
    fn cases_repeats_and_the_people_counted_in_a_quarter() {
        let mut rs = vec![
            // A referral a year and a day before: not a repeat's reason.
            referral("V1", "2018-03-31T09:00:00", "North"),
            referral("V1", "2019-04-01T09:00:00", "North"),
            // Within 365 days of the last: a repeat (and the earlier one is before the
            // quarter, so only this one is counted).
            referral("V2", "2019-01-10T09:00:00", "North"),
            referral("V2", "2019-05-10T09:00:00", "North"),
            // Twice in the quarter: the second is a repeat.
            referral("V3", "2019-04-02T09:00:00", "South"),
            referral("V3", "2019-06-30T23:59:00", "South"),
            // After the quarter.
            referral("V4", "2019-07-01T00:00:00", "South"),
        ];
        rs[3].victim_sex = Sex::Male;
        rs[3].victim_ethnicity = Ethnicity::Asian;
        rs[3].children_present = Some(true);
        rs[3].agency = Agency::Health;
        rs[4].victim_birth = Some(d("2002-06-01")); // 16 on the day
        rs[4].perpetrator_birth = Some(d("2001-04-03")); // 17 on the day (18 tomorrow)
        rs[5].victim_ethnicity = Ethnicity::NotStated;
        let areas = MaracAreas {
            adult_women: [("North".to_owned(), 10_000), ("West".to_owned(), 5_000)].into(),
            ..MaracAreas::default()
        };
        let (rows, total) = marac_return(&rs, d("2019-04-01"), d("2019-06-30"), &areas);
        let names: Vec<&str> = rows.iter().map(|r| r.area.as_str()).collect();
        assert_eq!(names, ["North", "South", "West"]);
        let (north, south, west) = (&rows[0], &rows[1], &rows[2]);
        assert_eq!((north.cases, north.repeat_cases), (2, 1));
        assert_eq!((south.cases, south.repeat_cases), (2, 1));
        assert_eq!(west.cases, 0);
        assert_eq!(
            north.male_victims + north.bme_victims + north.cases_with_children,
            3
        );
        assert_eq!(south.bme_victims, 0, "not stated is not BME");
        assert_eq!((south.victims_16_17, south.perpetrators_under_18), (1, 1));
        assert_eq!(
            north
                .by_agency
                .iter()
                .find(|(a, _)| *a == Agency::Health)
                .unwrap()
                .1,
            1
        );
        // 2 cases in 91 days over 10,000 women: 2 × 365 / 91 ≈ 8.02 a year.
        assert!((north.per_10k_women.unwrap() - 2.0 * 365.0 / 91.0).abs() < 1e-9);
        assert_eq!(south.per_10k_women, None, "no population, no rate");
        assert_eq!((total.cases, total.repeat_cases), (4, 2));
        assert_eq!(total.adult_women, None, "South's population is not known");
    }

    #[test]
    fn an_area_comes_from_the_incident_then_the_victim_and_may_be_grouped() {
        let mut r = referral("V1", "2019-04-01T09:00:00", "North");
        let mut areas = MaracAreas::default();
        assert_eq!(areas.area_of(&r), "North");
        areas
            .of_lpa
            .insert(Lpa::parse("North").unwrap(), "Mid and North".into());
        assert_eq!(areas.area_of(&r), "Mid and North");
        r.incident_lpa = None;
        r.victim_lpa = Some(Lpa::parse("East").unwrap());
        assert_eq!(areas.area_of(&r), "East");
        r.victim_lpa = None;
        assert_eq!(areas.area_of(&r), UNKNOWN_AREA);
    }

    #[test]
    fn a_forces_areas_come_from_a_file_and_its_problems_are_named() {
        let a = MaracAreas::from_csv(
            "lpa,marac_area,adult_women\nNorth,Mid and North,60000\nMid,Mid and North,40000\nSouth,South,\n",
        )
        .unwrap();
        assert_eq!(a.of_lpa.len(), 3);
        assert_eq!(a.adult_women.get("Mid and North"), Some(&100_000));
        assert_eq!(a.adult_women.get("South"), None);
        for (text, says) in [
            ("lpa,area\n", "line 1: the header"),
            ("lpa,marac_area,adult_women\nNorth,N\n", "line 2: 2 fields"),
            (
                "lpa,marac_area,adult_women\nNorth,N,lots\n",
                "line 2, column adult_women: 'lots'",
            ),
            (
                "lpa,marac_area,adult_women\nNorth,N,1\nNorth,M,1\n",
                "line 3, column lpa: North is listed twice",
            ),
            (
                "lpa,marac_area,adult_women\nNorth,,1\n",
                "line 2, column marac_area",
            ),
        ] {
            let e = MaracAreas::from_csv(text).unwrap_err();
            assert!(e.starts_with(says), "{e}");
        }
    }

    #[test]
    fn quarters_run_from_the_first_of_january_april_july_october() {
        assert_eq!(
            quarter_of(d("2019-02-14")),
            (d("2019-01-01"), d("2019-03-31"))
        );
        assert_eq!(
            quarter_of(d("2019-11-30")),
            (d("2019-10-01"), d("2019-12-31"))
        );
        assert_eq!(
            quarter_of(d("2020-05-01")),
            (d("2020-04-01"), d("2020-06-30"))
        );
    }
}
