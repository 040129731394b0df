//! A force's own clocks, read from a JSON file (`vigil serve --rules FILE`): response
//! targets and rural areas, the limits of every task, the force's extra non-working days,
//! the MARAC criteria, and each area's school terms and closures. Anything left out keeps
//! Vigil's default; anything unknown or out of range is refused with where and why.

use serde::Deserialize;
use std::collections::HashMap;
use vigil_domain::Lpa;
use vigil_domain::calendar::{SchoolCalendar, Term};
use vigil_domain::tasks::ClockRules;
use vigil_domain::time::{Date, parse_date};

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct RulesFile {
    response: Response,
    limits: Limits,
    /// The force's own non-working days, beyond England and Wales's bank holidays.
    extra_holidays: Vec<String>,
    marac: Marac,
    /// School calendars by area; `default` for areas not named.
    schools: HashMap<String, School>,
    /// The day from which DAPNs may be given, by area (the Domestic Abuse Act 2021's
    /// protection notices are piloted area by area).
    dapn_from: HashMap<String, String>,
    cohort: Cohort,
}

/// The cohorts: when they run and the perpetrator score's settings.
#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct Cohort {
    every_days: Option<i64>,
    first_run: Option<String>,
    review_days: Option<i64>,
    size: Option<usize>,
    lookback_days: Option<u32>,
    /// `{"bands": [[30, 1.0], [90, 0.75]]}` or `{"half_life_days": 90}`.
    recency: Option<RecencySetting>,
    weights: Option<WeightsSetting>,
    frequency_cap: Option<u32>,
    victims_cap: Option<u32>,
    serial_years: Option<u32>,
    /// A force's own harm table: CSV (`key,weight`), read beside the rules file.
    harm_csv: Option<String>,
    harm_source: Option<String>,
    harm_cap: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecencySetting {
    bands: Option<Vec<(u32, f64)>>,
    half_life_days: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WeightsSetting {
    recency: f64,
    frequency: f64,
    gravity: f64,
    victims: f64,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct Response {
    emergency_minutes_urban: Option<i64>,
    emergency_minutes_rural: Option<i64>,
    priority_minutes: Option<i64>,
    rural_areas: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct Limits {
    primary_assessment_hours: Option<i64>,
    secondary_assessment_hours: Option<i64>,
    crime_recording_hours: Option<i64>,
    marac_referral_days: Option<i64>,
    idva_contact_working_days: Option<u32>,
    mash_decision_working_days: Option<u32>,
    disclosure_decision_days: Option<i64>,
    notice_prompt_hours: Option<i64>,
    disclosure_clock_starts: Option<String>,
    idva_declined_review_days: Option<i64>,
    review_days: Option<i64>,
    victim_update_working_days_enhanced: Option<u32>,
    victim_update_working_days: Option<u32>,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct Marac {
    visible_high_risk_yes_count: Option<u8>,
    escalation_incidents: Option<u32>,
    escalation_window_days: Option<i64>,
    repeat_window_days: Option<i64>,
    /// Each LPA's MARAC area and adult female population (the MARAC return).
    areas: Vec<MaracArea>,
    /// MARAC areas with criteria of their own, over the force's.
    by_area: HashMap<String, MaracOverrides>,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct MaracOverrides {
    visible_high_risk_yes_count: Option<u8>,
    escalation_incidents: Option<u32>,
    escalation_window_days: Option<i64>,
    repeat_window_days: Option<i64>,
    /// How the area meets.
    meets: Option<Meets>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Meets {
    /// A meeting day (`YYYY-MM-DD`): the pattern's weekday and its start.
    first: String,
    every_weeks: i64,
    capacity: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MaracArea {
    lpa: String,
    marac_area: String,
    adult_women: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct School {
    /// When the school day starts, `HH:MM`.
    day_starts: Option<String>,
    terms: Vec<TermDates>,
    closures: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TermDates {
    first: String,
    last: String,
}

/// Reads a rules file over Vigil's defaults. `areas` are the force's areas (empty: any).
/// A harm table it names (`cohort.harm_csv`) is read relative to the file's folder.
pub fn load(path: &std::path::Path, areas: &[Lpa]) -> Result<ClockRules, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read the rules file: {e}", path.display()))?;
    let folder = path.parent().unwrap_or(std::path::Path::new("."));
    parse_in(&text, areas, folder).map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads rules from JSON text over Vigil's defaults.
pub fn parse(text: &str, areas: &[Lpa]) -> Result<ClockRules, String> {
    parse_in(text, areas, std::path::Path::new("."))
}

fn parse_in(text: &str, areas: &[Lpa], folder: &std::path::Path) -> Result<ClockRules, String> {
    let file: RulesFile = serde_json::from_str(text)
        .map_err(|e| format!("line {}, column {}: {e}", e.line(), e.column()))?;
    let mut rules = ClockRules::default();
    let range = |field: &str, v: i64, lo: i64, hi: i64| -> Result<i64, String> {
        if (lo..=hi).contains(&v) {
            Ok(v)
        } else {
            Err(format!("{field}: {v} is out of range; give {lo} to {hi}"))
        }
    };
    let area = |field: &str, raw: &str| -> Result<Lpa, String> {
        let l = Lpa::parse(raw).map_err(|e| format!("{field}: {e}"))?;
        if !areas.is_empty() && !areas.contains(&l) {
            return Err(format!(
                "{field}: '{l}' is not one of this force's Local Policing Areas ({})",
                areas.iter().map(Lpa::as_str).collect::<Vec<_>>().join(", ")
            ));
        }
        Ok(l)
    };
    let day = |field: &str, raw: &str| -> Result<Date, String> {
        parse_date(raw).map_err(|e| format!("{field}: {e}"))
    };

    let r = &file.response;
    if let Some(v) = r.emergency_minutes_urban {
        rules.emergency_minutes_urban = range("response.emergency_minutes_urban", v, 1, 240)?;
    }
    if let Some(v) = r.emergency_minutes_rural {
        rules.emergency_minutes_rural = range("response.emergency_minutes_rural", v, 1, 240)?;
    }
    if let Some(v) = r.priority_minutes {
        rules.priority_minutes = range("response.priority_minutes", v, 1, 24 * 60)?;
    }
    rules.rural_areas = r
        .rural_areas
        .iter()
        .map(|a| area("response.rural_areas", a))
        .collect::<Result<_, _>>()?;

    let l = &file.limits;
    let hours = |field: &str, v: Option<i64>, into: &mut i64| -> Result<(), String> {
        if let Some(v) = v {
            *into = range(field, v, 1, 24 * 60)?;
        }
        Ok(())
    };
    hours(
        "limits.primary_assessment_hours",
        l.primary_assessment_hours,
        &mut rules.primary_assessment_hours,
    )?;
    hours(
        "limits.secondary_assessment_hours",
        l.secondary_assessment_hours,
        &mut rules.secondary_assessment_hours,
    )?;
    hours(
        "limits.crime_recording_hours",
        l.crime_recording_hours,
        &mut rules.crime_recording_hours,
    )?;
    let days = |field: &str, v: Option<i64>, into: &mut i64| -> Result<(), String> {
        if let Some(v) = v {
            *into = range(field, v, 1, 365)?;
        }
        Ok(())
    };
    days(
        "limits.marac_referral_days",
        l.marac_referral_days,
        &mut rules.marac_referral_days,
    )?;
    days(
        "limits.idva_declined_review_days",
        l.idva_declined_review_days,
        &mut rules.idva_declined_review_days,
    )?;
    days("limits.review_days", l.review_days, &mut rules.review_days)?;
    let working = |field: &str, v: Option<u32>, into: &mut u32| -> Result<(), String> {
        if let Some(v) = v {
            *into = range(field, i64::from(v), 1, 60)? as u32;
        }
        Ok(())
    };
    working(
        "limits.idva_contact_working_days",
        l.idva_contact_working_days,
        &mut rules.idva_contact_working_days,
    )?;
    if let Some(v) = l.notice_prompt_hours {
        rules.notice_prompt_hours = range("limits.notice_prompt_hours", v, 1, 720)?;
    }
    if let Some(v) = l.disclosure_decision_days {
        rules.disclosure_decision_days = range("limits.disclosure_decision_days", v, 1, 90)?;
    }
    if let Some(v) = &l.disclosure_clock_starts {
        rules.disclosure_clock_starts = vigil_domain::dvds::ClockStart::parse(v.trim())
            .map_err(|e| format!("limits.disclosure_clock_starts: {}", e.reason))?;
    }
    working(
        "limits.mash_decision_working_days",
        l.mash_decision_working_days,
        &mut rules.mash_decision_working_days,
    )?;
    working(
        "limits.victim_update_working_days_enhanced",
        l.victim_update_working_days_enhanced,
        &mut rules.victim_update_working_days_enhanced,
    )?;
    working(
        "limits.victim_update_working_days",
        l.victim_update_working_days,
        &mut rules.victim_update_working_days,
    )?;

    let mut dapn: Vec<(&String, &String)> = file.dapn_from.iter().collect();
    dapn.sort();
    for (name, from) in dapn {
        let field = format!("dapn_from.{name}");
        rules
            .dapn_from
            .insert(area(&field, name)?, day(&field, from)?);
    }
    rules.working.extra_holidays = file
        .extra_holidays
        .iter()
        .map(|d| day("extra_holidays", d))
        .collect::<Result<_, _>>()?;

    let m = &file.marac;
    // The four criteria over a base, each in its range, named by where it was written.
    let criteria = |at: &str,
                    base: vigil_domain::marac::MaracCriteria,
                    o: &MaracOverrides|
     -> Result<vigil_domain::marac::MaracCriteria, String> {
        let mut c = base;
        if let Some(v) = o.visible_high_risk_yes_count {
            c.visible_high_risk_yes_count = range(
                &format!("{at}visible_high_risk_yes_count"),
                i64::from(v),
                1,
                27,
            )? as u8;
        }
        if let Some(v) = o.escalation_incidents {
            c.escalation_incidents =
                range(&format!("{at}escalation_incidents"), i64::from(v), 2, 50)? as u32;
        }
        if let Some(v) = o.escalation_window_days {
            c.escalation_window_days = range(&format!("{at}escalation_window_days"), v, 1, 3650)?;
        }
        if let Some(v) = o.repeat_window_days {
            c.repeat_window_days = range(&format!("{at}repeat_window_days"), v, 1, 3650)?;
        }
        Ok(c)
    };
    rules.marac = criteria(
        "marac.",
        rules.marac,
        &MaracOverrides {
            visible_high_risk_yes_count: m.visible_high_risk_yes_count,
            escalation_incidents: m.escalation_incidents,
            escalation_window_days: m.escalation_window_days,
            repeat_window_days: m.repeat_window_days,
            meets: None,
        },
    )?;
    let rows: Vec<vigil_domain::marac_return::AreaRow> = m
        .areas
        .iter()
        .enumerate()
        .map(|(n, a)| vigil_domain::marac_return::AreaRow {
            place: format!("marac.areas[{n}]."),
            lpa: a.lpa.clone(),
            marac_area: a.marac_area.clone(),
            adult_women: a.adult_women,
        })
        .collect();
    for r in &rows {
        area(&format!("{}lpa", r.place), &r.lpa)?;
    }
    rules.marac_areas = vigil_domain::marac_return::MaracAreas::from_rows(&rows)?;
    let known = rules.marac_areas.names(areas);
    let mut named: Vec<&String> = m.by_area.keys().collect();
    named.sort();
    for name in named {
        if !areas.is_empty() && !known.contains(name) {
            return Err(format!(
                "marac.by_area.{name}: not one of the force's MARAC areas ({})",
                known.join(", ")
            ));
        }
        let c = criteria(
            &format!("marac.by_area.{name}."),
            rules.marac,
            &m.by_area[name],
        )?;
        rules.marac_by_area.insert(name.clone(), c);
        if let Some(m) = &m.by_area[name].meets {
            let field = format!("marac.by_area.{name}.meets.");
            rules.marac_meets.insert(
                name.clone(),
                vigil_domain::marac_meeting::Pattern {
                    first: day(&format!("{field}first"), &m.first)?,
                    every_weeks: range(&format!("{field}every_weeks"), m.every_weeks, 1, 8)? as u32,
                    capacity: match m.capacity {
                        Some(c) => range(&format!("{field}capacity"), c, 1, 200)? as u32,
                        None => vigil_domain::marac_meeting::DEFAULT_CAPACITY,
                    },
                },
            );
        }
    }

    let mut names: Vec<&String> = file.schools.keys().collect();
    names.sort();
    for name in names {
        let s = &file.schools[name];
        let field = format!("schools.{name}");
        let mut cal = SchoolCalendar::default();
        if let Some(t) = &s.day_starts {
            cal.day_starts =
                chrono::NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| {
                    format!(
                        "{field}.day_starts: '{t}' is not a time; give HH:MM, for example 08:30"
                    )
                })?;
        }
        for (n, t) in s.terms.iter().enumerate() {
            let f = format!("{field}.terms[{n}]");
            let (first, last) = (
                day(&format!("{f}.first"), &t.first)?,
                day(&format!("{f}.last"), &t.last)?,
            );
            if last < first {
                return Err(format!(
                    "{f}: the term ends ({last}) before it starts ({first})"
                ));
            }
            cal.terms.push(Term { first, last });
        }
        cal.closures = s
            .closures
            .iter()
            .map(|d| day(&format!("{field}.closures"), d))
            .collect::<Result<_, _>>()?;
        if name == "default" {
            rules.default_school = cal;
        } else {
            rules.schools.insert(area(&field, name)?, cal);
        }
    }
    cohort(&file.cohort, &mut rules.cohort, folder)?;
    Ok(rules)
}

/// The cohort settings over Vigil's defaults, checked as a whole.
fn cohort(
    c: &Cohort,
    into: &mut vigil_domain::tasks::CohortRules,
    folder: &std::path::Path,
) -> Result<(), String> {
    use vigil_domain::cohort::{HarmTable, Recency, Weights};
    if let Some(v) = c.every_days {
        if !(1..=92).contains(&v) {
            return Err(format!(
                "cohort.every_days: {v} is out of range; give 1 to 92"
            ));
        }
        into.every_days = v;
    }
    if let Some(v) = c.review_days {
        if !(1..=365).contains(&v) {
            return Err(format!(
                "cohort.review_days: {v} is out of range; give 1 to 365"
            ));
        }
        into.review_days = v;
    }
    if let Some(d) = &c.first_run {
        into.first_run = parse_date(d).map_err(|e| format!("cohort.first_run: {e}"))?;
    }
    let cfg = &mut into.config;
    if let Some(v) = c.size {
        cfg.size = v;
    }
    if let Some(v) = c.lookback_days {
        cfg.lookback_days = v;
    }
    if let Some(r) = &c.recency {
        cfg.recency = match (&r.bands, r.half_life_days) {
            (Some(b), None) => Recency::Bands(b.clone()),
            (None, Some(h)) => Recency::HalfLife(h),
            _ => {
                return Err(
                    "cohort.recency: give either bands ([[days, value], …]) or half_life_days"
                        .into(),
                );
            }
        };
    }
    if let Some(w) = &c.weights {
        cfg.weights = Weights {
            recency: w.recency,
            frequency: w.frequency,
            gravity: w.gravity,
            victims: w.victims,
        };
    }
    if let Some(v) = c.frequency_cap {
        cfg.frequency_cap = v;
    }
    if let Some(v) = c.victims_cap {
        cfg.victims_cap = v;
    }
    if let Some(v) = c.serial_years {
        cfg.serial_years = v;
    }
    match (&c.harm_csv, &c.harm_source) {
        (Some(file), source) => {
            let path = folder.join(file);
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cohort.harm_csv: {} cannot be read: {e}", path.display()))?;
            cfg.harm = HarmTable::from_csv(
                &text,
                source.as_deref().unwrap_or(""),
                c.harm_cap.unwrap_or(cfg.harm.cap),
            )
            .map_err(|e| format!("cohort.harm_csv ({}): {e}", path.display()))?;
        }
        (None, Some(_)) => {
            return Err(
                "cohort.harm_source: it names the source of harm_csv; give the CSV too".into(),
            );
        }
        (None, None) => {
            if let Some(cap) = c.harm_cap {
                cfg.harm.cap = cap;
            }
        }
    }
    cfg.check().map_err(|e| format!("cohort.{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn areas() -> Vec<Lpa> {
        vec![Lpa::parse("North").unwrap(), Lpa::parse("South").unwrap()]
    }

    #[test]
    fn a_forces_rules_over_the_defaults() {
        let rules = parse(
            r#"{
                "response": {"emergency_minutes_rural": 25, "rural_areas": ["South"]},
                "limits": {"review_days": 21, "victim_update_working_days": 3},
                "extra_holidays": ["2022-09-19"],
                "marac": {"visible_high_risk_yes_count": 12, "by_area": {"North and South": {"visible_high_risk_yes_count": 17, "meets": {"first": "2019-09-03", "every_weeks": 2, "capacity": 20}}}, "areas": [{"lpa": "North", "marac_area": "North and South", "adult_women": 1000}, {"lpa": "South", "marac_area": "North and South", "adult_women": 500}]},
                "schools": {
                    "default": {"day_starts": "08:45"},
                    "North": {"terms": [{"first": "2019-09-04", "last": "2019-10-25"}], "closures": ["2019-09-20"]}
                }
            }"#,
            &areas(),
        )
        .unwrap();
        assert_eq!(rules.emergency_minutes_rural, 25);
        assert_eq!(rules.emergency_minutes_urban, 15, "left out: the default");
        assert_eq!(rules.review_days, 21);
        assert_eq!(rules.marac.visible_high_risk_yes_count, 12);
        // North is grouped into "North and South", whose MARAC uses 17.
        assert_eq!(
            rules
                .marac_for(&Lpa::parse("North").unwrap())
                .visible_high_risk_yes_count,
            17
        );
        assert_eq!(rules.marac_meets["North and South"].capacity, 20);
        assert_eq!(
            rules.marac_by_area["North and South"].escalation_incidents,
            3
        );
        assert_eq!(
            rules.marac_areas.adult_women.get("North and South"),
            Some(&1500)
        );
        assert_eq!(rules.rural_areas, [Lpa::parse("South").unwrap()]);
        assert!(
            !rules
                .working
                .is_working_day(parse_date("2022-09-19").unwrap())
        );
        let north = rules.school(&Lpa::parse("North").unwrap());
        assert_eq!(north.terms.len(), 1);
        assert_eq!(
            rules
                .school(&Lpa::parse("South").unwrap())
                .day_starts
                .to_string(),
            "08:45:00"
        );
        assert_eq!(parse("{}", &areas()).unwrap().review_days, 28);
    }

    #[test]
    fn each_problem_says_where_and_why() {
        for (text, said) in [
            (
                r#"{"limits": {"review_days": 0}}"#,
                "limits.review_days: 0 is out of range",
            ),
            (
                r#"{"limits": {"reveiw_days": 21}}"#,
                "unknown field `reveiw_days`",
            ),
            (
                r#"{"response": {"rural_areas": ["Narnia"]}}"#,
                "'Narnia' is not one of this force's",
            ),
            (
                r#"{"extra_holidays": ["19/09/2022"]}"#,
                "extra_holidays: '19/09/2022' is not a date",
            ),
            (
                r#"{"schools": {"North": {"terms": [{"first": "2019-10-25", "last": "2019-09-04"}]}}}"#,
                "schools.North.terms[0]: the term ends",
            ),
            (
                r#"{"schools": {"North": {"day_starts": "8.30am"}}}"#,
                "is not a time",
            ),
            (
                r#"{"cohort": {"weights": {"recency": 0, "frequency": 0, "gravity": 0, "victims": 0}}}"#,
                "cohort.weights",
            ),
            (
                r#"{"cohort": {"recency": {"bands": [[90, 1.0], [30, 0.5]]}}}"#,
                "cohort.recency",
            ),
            (
                r#"{"cohort": {"harm_source": "Cambridge"}}"#,
                "cohort.harm_source",
            ),
            (
                r#"{"cohort": {"harm_csv": "no-such-file.csv", "harm_source": "x"}}"#,
                "cohort.harm_csv",
            ),
            (r#"{"cohort": {"every_days": 0}}"#, "cohort.every_days"),
            (
                r#"{"marac": {"by_area": {"Atlantis": {"visible_high_risk_yes_count": 17}}}}"#,
                "marac.by_area.Atlantis: not one of the force's MARAC areas",
            ),
            (
                r#"{"marac": {"by_area": {"North": {"visible_high_risk_yes_count": 40}}}}"#,
                "marac.by_area.North.visible_high_risk_yes_count: 40 is out of range",
            ),
            (
                r#"{"marac": {"by_area": {"North": {"meets": {"first": "2019-09-03", "every_weeks": 0}}}}}"#,
                "marac.by_area.North.meets.every_weeks: 0 is out of range",
            ),
            (
                r#"{"marac": {"by_area": {"North": {"meets": {"first": "3rd", "every_weeks": 2}}}}}"#,
                "marac.by_area.North.meets.first:",
            ),
            ("{\n  \"limits\": 3\n}", "line 2"),
        ] {
            let e = parse(text, &areas()).unwrap_err();
            assert!(e.contains(said), "{text}: {e}");
        }
    }

    #[test]
    fn a_forces_cohort_settings_and_harm_table() {
        let dir = std::env::temp_dir().join(format!("vigil-rules-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("harm.csv"), "key,weight\n8N,365\nsexual,2000\n").unwrap();
        let rules_path = dir.join("rules.json");
        std::fs::write(
            &rules_path,
            r#"{"cohort": {"every_days": 7, "size": 10, "recency": {"half_life_days": 60},
                "weights": {"recency": 1, "frequency": 1, "gravity": 1, "victims": 1},
                "harm_csv": "harm.csv", "harm_source": "Cambridge Crime Harm Index (force copy)", "harm_cap": 3650}}"#,
        )
        .unwrap();
        let r = load(&rules_path, &areas()).unwrap();
        let c = &r.cohort;
        assert_eq!((c.every_days, c.config.size), (7, 10));
        assert_eq!(
            c.config.recency,
            vigil_domain::cohort::Recency::HalfLife(60)
        );
        assert_eq!(c.config.harm.by_code["8N"], 365.0);
        assert_eq!(c.config.harm.cap, 3650.0);
        assert!(
            c.config
                .to_text()
                .contains("harm.source=Cambridge Crime Harm Index (force copy)")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
