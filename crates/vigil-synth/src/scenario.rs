//! Scenarios: the parameters of a synthetic force. A scenario states rates and how they
//! change (recording practice, arrest rates, outcome mix, partnership activity), never the
//! figures the measures should print: those come out of the simulation in `force.rs`.

use crate::curve::Curve;
use vigil_domain::time::{Date, parse_date};

/// One force's parameters.
#[derive(Debug, Clone)]
pub struct ForceParams {
    /// Prefix for every id, so forces of a national scenario never collide.
    pub id_prefix: String,
    pub name: String,
    /// What force-wide teams (CRU, MASH) put in the staffing table's LPA column: empty for
    /// a single force; the force's code in a national extract, where every force has them.
    pub force_wide_lpa: Option<String>,
    pub lpas: Vec<(String, f64)>,
    /// Expected DA incidents a month, before the seasonal pattern.
    pub incidents_per_month: Curve,
    /// Share of incidents that are a repeat for the same couple (the repeat process's
    /// branching ratio is derived from it; see `force::Branching`).
    pub repeat_share: Curve,
    /// Share of new couples who are (ex-)partners rather than family.
    pub partner_share: Curve,
    /// Chance an incident is recorded as a crime (crime data accuracy).
    pub crime_recording: Curve,
    /// Mean further offences recorded per crime incident besides the principal one.
    pub additional_offences: Curve,
    /// Chance, under a counting rule that records stalking and harassment in addition,
    /// that a crime incident's course of conduct adds a stalking/harassment offence.
    pub stalking_in_addition: f64,
    /// Chance a crime is a report of non-recent abuse (offence date years earlier).
    pub non_recent_reports: f64,
    /// Chance of an arrest for a crime incident.
    pub arrest_rate: Curve,
    /// Chance an emergency response arrives within target.
    pub response_on_target: Curve,
    /// Chance a principal offence ends in a SOLVED outcome (before delay and evidence factors).
    pub solved: Curve,
    /// Share of the remaining outcomes that are 16 (victim does not support).
    pub outcome_16_share: Curve,
    /// Chance of a RESOLVED outcome (5, 9, 10, 20, 21, 22).
    pub resolved: Curve,
    /// DASH: multiplier on the chance of each yes answer (officers' grading drifts).
    pub dash_intensity: Curve,
    /// Chance an officer raises a standard score by professional judgement (medium scores
    /// slightly less): risk aversion, which the seed report says fell over the period.
    pub judgement_raise: Curve,
    /// Chance the CRU refers a high-risk victim to MARAC.
    pub marac_police: f64,
    /// Non-police MARAC referrals a month.
    pub marac_partner_per_month: Curve,
    /// Chance a high-risk victim is referred to an IDVA.
    pub idva_high_risk: f64,
    /// Other IDVA referrals a month (medium risk, agencies).
    pub idva_other_per_month: f64,
    /// Chance a DVPN is sought where arrest or charge did not follow (medium/high risk).
    pub dvpn_rate: Curve,
    /// Clare's Law right-to-ask applications a month.
    pub right_to_ask_per_month: f64,
    /// A review of long-running investigations that finalises old cases in one month.
    pub backlog_review: Option<BacklogReview>,
    /// Outcome 22 (from April 2019): share of RESOLVED outcomes, and a surge month range
    /// when cases awaiting a diversion scheme were finalised.
    pub outcome_22_surge: Option<(Date, Date, f64)>,
    /// Investigators per LPA in DAIT, and open cases each can hold.
    pub dait_constables_per_lpa: f64,
    pub dait_cases_per_investigator: f64,
    /// Population of adult women, for MARAC volume per 10,000.
    pub adult_women: u64,
    /// Share of officers' arrests with body-worn video (the rollout).
    pub bwv_share: Curve,
    /// Share of incidents with children present that the schools are told of (Operation
    /// Encompass's spread across the force's schools).
    pub encompass_share: Curve,
    /// From this date, the CPS gives charging advice on paper rather than by telephone,
    /// adding three to six weeks before a charge (Essex, summer 2019). `None`: no change.
    pub paper_charging_advice_from: Option<Date>,
}

#[derive(Debug, Clone, Copy)]
pub struct BacklogReview {
    pub month_start: Date,
    /// Chance an investigation still open at the start of the month, and older than
    /// `min_age_days`, is finalised by the review.
    pub share: f64,
    pub min_age_days: i64,
}

/// A whole scenario: forces and the period.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub start: Date,
    pub as_of: Date,
    pub forces: Vec<ForceParams>,
}

fn d(s: &str) -> Date {
    parse_date(s).expect("scenario date")
}

/// Essex Police, August 2015 to August 2019, as the 2019 deep-dive describes it.
pub fn essex_2019() -> Scenario {
    Scenario {
        name: "essex-2019".into(),
        start: d("2015-08-01"),
        as_of: d("2019-09-01"),
        forces: vec![essex_params("", "Essex", 1.0)],
    }
}

/// The Essex parameters scaled to another force's size.
pub fn essex_params(prefix: &str, name: &str, scale: f64) -> ForceParams {
    ForceParams {
        id_prefix: prefix.into(),
        name: name.into(),
        force_wide_lpa: (!prefix.is_empty()).then(|| prefix.trim_end_matches('-').to_owned()),
        // A national scenario's forces each have their own LPAs, named after the force.
        lpas: [("North", 0.35), ("South", 0.37), ("West", 0.28)]
            .iter()
            .map(|(l, w)| {
                let name = if prefix.is_empty() {
                    (*l).to_owned()
                } else {
                    format!("{} {l}", prefix.trim_end_matches('-'))
                };
                (name, *w)
            })
            .collect(),
        incidents_per_month: Curve::new(&[
            ("2015-08-01", 2450.0 * scale),
            ("2017-09-01", 2200.0 * scale),
            ("2018-09-01", 2300.0 * scale),
            ("2019-08-01", 2700.0 * scale),
        ]),
        repeat_share: Curve::new(&[("2015-06-01", 0.415), ("2019-08-01", 0.52)]),
        partner_share: Curve::new(&[("2015-08-01", 0.684), ("2019-08-01", 0.68)]),
        crime_recording: Curve::new(&[
            ("2015-08-01", 0.327),
            ("2016-07-01", 0.347),
            ("2017-12-01", 0.48),
            ("2019-08-01", 0.51),
        ]),
        additional_offences: Curve::new(&[
            ("2015-08-01", 0.115),
            ("2016-08-01", 0.115),
            ("2017-12-01", 0.125),
            ("2018-06-01", 0.14),
            ("2019-08-01", 0.15),
        ]),
        stalking_in_addition: 0.70,
        non_recent_reports: 0.048,
        arrest_rate: Curve::new(&[
            ("2015-08-01", 0.875),
            ("2016-07-01", 0.855),
            ("2018-01-01", 0.52),
            ("2019-08-01", 0.437),
        ]),
        response_on_target: Curve::new(&[
            ("2015-08-01", 0.69),
            ("2015-12-01", 0.75),
            ("2019-05-15", 0.75),
            ("2019-06-05", 0.615),
            ("2019-07-25", 0.615),
            ("2019-08-10", 0.70),
        ]),
        solved: Curve::new(&[
            ("2015-08-01", 0.31),
            ("2016-08-01", 0.27),
            ("2017-08-01", 0.17),
            ("2018-04-01", 0.22),
            ("2019-03-01", 0.2),
            ("2019-08-01", 0.11),
        ]),
        outcome_16_share: Curve::new(&[("2015-08-01", 0.55), ("2019-08-01", 0.76)]),
        resolved: Curve::new(&[("2015-08-01", 0.0215), ("2019-08-01", 0.015)]),
        dash_intensity: Curve::new(&[("2015-08-01", 1.2), ("2019-08-01", 0.67)]),
        judgement_raise: Curve::new(&[
            ("2015-08-01", 0.7),
            ("2017-06-01", 0.35),
            ("2019-08-01", 0.02),
        ]),
        marac_police: 0.27,
        marac_partner_per_month: Curve::new(&[
            ("2017-06-01", 17.2 * scale),
            ("2018-03-01", 17.6 * scale),
            ("2019-03-01", 31.5 * scale),
            ("2019-08-01", 31.5 * scale),
        ]),
        idva_high_risk: 0.84,
        idva_other_per_month: 16.0 * scale,
        dvpn_rate: Curve::new(&[("2015-08-01", 0.0098), ("2019-08-01", 0.045)]),
        right_to_ask_per_month: 28.0 * scale,
        backlog_review: Some(BacklogReview {
            month_start: d("2019-08-01"),
            share: 1.0,
            min_age_days: 30,
        }),
        outcome_22_surge: Some((d("2019-04-01"), d("2019-05-31"), 0.55)),
        dait_constables_per_lpa: 127.0 / 3.0 * scale.max(0.05),
        dait_cases_per_investigator: 9.0,
        adult_women: (745_000.0 * scale) as u64,
        bwv_share: Curve::by_year(2015, &[0.5, 0.5875, 0.675, 0.7625, 0.85]),
        encompass_share: Curve::by_year(2015, &[0.3, 0.45, 0.6, 0.75, 0.9]),
        paper_charging_advice_from: Some(d("2019-07-01")),
    }
}

impl ForceParams {
    /// The same force's history `years` later: every rate's curve and every dated event
    /// moved by that many years (counting rules and the law are not the scenario's: they
    /// stay where the domain dates them).
    pub fn shifted(self, years: i32) -> Self {
        use vigil_domain::time::Datelike;
        let date = |x: Date| {
            x.with_year(x.year() + years).unwrap_or_else(|| {
                (x - vigil_domain::time::Duration::days(1))
                    .with_year(x.year() + years)
                    .expect("date")
            })
        };
        ForceParams {
            incidents_per_month: self.incidents_per_month.shifted(years),
            repeat_share: self.repeat_share.shifted(years),
            partner_share: self.partner_share.shifted(years),
            crime_recording: self.crime_recording.shifted(years),
            additional_offences: self.additional_offences.shifted(years),
            arrest_rate: self.arrest_rate.shifted(years),
            response_on_target: self.response_on_target.shifted(years),
            solved: self.solved.shifted(years),
            outcome_16_share: self.outcome_16_share.shifted(years),
            resolved: self.resolved.shifted(years),
            dash_intensity: self.dash_intensity.shifted(years),
            judgement_raise: self.judgement_raise.shifted(years),
            marac_partner_per_month: self.marac_partner_per_month.shifted(years),
            dvpn_rate: self.dvpn_rate.shifted(years),
            backlog_review: self.backlog_review.map(|b| BacklogReview {
                month_start: date(b.month_start),
                ..b
            }),
            outcome_22_surge: self
                .outcome_22_surge
                .map(|(a, b, share)| (date(a), date(b), share)),
            bwv_share: self.bwv_share.shifted(years),
            encompass_share: self.encompass_share.shifted(years),
            paper_charging_advice_from: self.paper_charging_advice_from.map(date),
            ..self
        }
    }
}

/// A county force with its records from January 2021 to December 2025 ("Northshire", about
/// 60% of Essex's size): Essex's dynamics replayed six years on, so the pack and the board
/// report can be seen working on dates that are not the seed report's. Its events (the
/// paper charging advice, a backlog review, a diversion surge) are its own, dated in its
/// period; the counting rules are the national ones for those years.
pub fn northshire_2025() -> Scenario {
    let mut params = essex_params("", "Northshire", 0.6).shifted(6);
    params.lpas = vec![
        ("Coast".into(), 0.4),
        ("Downs".into(), 0.35),
        ("Vale".into(), 0.25),
    ];
    Scenario {
        name: "northshire-2025".into(),
        start: d("2021-01-01"),
        as_of: d("2026-01-01"),
        forces: vec![params],
    }
}

/// The 43 forces of England and Wales, sized so that together they record about 1.3–1.5
/// million DA incidents a year, over `years` years to 2019-09-01. Each force runs the
/// Essex mechanisms at its own size; sizes follow a long-tailed spread (one very large
/// metropolitan force, a handful of large ones, many county forces).
pub fn national(years: u32) -> Scenario {
    let as_of = d("2019-09-01");
    let start = Date::from_ymd_opt(2019 - years as i32, 9, 1).expect("valid start");
    let weights: Vec<f64> = (1..=43).map(|k| 1.0 / f64::from(k).powf(0.75)).collect();
    let total: f64 = weights.iter().sum();
    // Essex at scale 1.0 records about 29,000 incidents a year; 48 of those make 1.4 million.
    let forces = weights
        .iter()
        .enumerate()
        .map(|(k, w)| {
            essex_params(
                &format!("F{:02}-", k + 1),
                &format!("Force {:02}", k + 1),
                48.0 * w / total,
            )
        })
        .collect();
    Scenario {
        name: format!("national-{years}y"),
        start,
        as_of,
        forces,
    }
}
