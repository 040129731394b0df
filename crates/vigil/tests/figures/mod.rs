//! The seed report's figures (CALIBRATION.md S1–S22) as checks over a pack: shared by the
//! calibration test (one seed in full, several seeds' medians) and `bench/calibration`
//! (every figure over seeds 1–9), so the two can never count a figure differently.
#![allow(dead_code)]

use serde_json::Value;

/// The sum of a monthly series over months `from..=to` (`YYYY-MM`).
pub fn total(series: &Value, from: &str, to: &str) -> f64 {
    series
        .as_object()
        .unwrap()
        .iter()
        .filter(|(m, _)| m.as_str() >= from && m.as_str() <= to)
        .map(|(_, v)| v.as_f64().unwrap())
        .sum()
}

/// The periods the seed report compares (CALIBRATION.md's windows).
pub const SEED_WINDOWS: [&str; 9] = [
    "2015-08-01..2016-07-31",
    "2018-08-01..2019-07-31",
    "2017-09-01..2018-08-31",
    "2018-09-01..2019-08-31",
    "2018-04-01..2019-03-31",
    "2018-01-01..2018-06-30",
    "2019-01-01..2019-06-30",
    "2019-02-01..2019-09-30",
    "2019-08-01..2019-08-31",
];

/// One figure: what the seed says, what Vigil printed, and whether it is within tolerance.
pub struct Check {
    pub id: &'static str,
    pub what: &'static str,
    pub target: f64,
    pub actual: f64,
    pub tolerance: Tolerance,
}

#[derive(Debug, Clone, Copy)]
pub enum Tolerance {
    Absolute(f64),
    Relative(f64),
    AtLeast,
    AtMost,
    Positive,
}

impl Check {
    pub fn ok(&self) -> bool {
        match self.tolerance {
            Tolerance::Absolute(t) => (self.actual - self.target).abs() <= t + 1e-9,
            Tolerance::Relative(t) => {
                (self.actual - self.target).abs() <= t * self.target.abs() + 1e-9
            }
            Tolerance::AtLeast => self.actual >= self.target,
            Tolerance::AtMost => self.actual <= self.target,
            Tolerance::Positive => self.actual > 0.0,
        }
    }
}

/// Figures the synthetic force cannot meet honestly, and why. The test prints them; it fails
/// on any other figure out of tolerance.
pub const KNOWN_GAPS: &[(&str, &str)] = &[
    (
        "S19a",
        "the extract starts on 2015-08-01, so August 2015's outcome 16 count only holds offences recorded that month; the seed's ~400 includes older offences finalised in August",
    ),
    (
        "S12",
        "a single month of custody interviews holds about 480 arrests with a disposal and a known BWV flag, of which only about 50 end in a charge or caution, so the one-month uplift has a relative sampling error near ±50%; the scenario builds in a 15% higher chance of a solved outcome where BWV is shown, and the 12-month uplift (printed below) is the stable figure",
    ),
];

/// Every figure of CALIBRATION.md, read from a pack computed with `SEED_WINDOWS`.
pub fn checks(p: &Value) -> Vec<Check> {
    let f = &p["force"];
    let (w16, w19) = ("2015-08-01..2016-07-31", "2018-08-01..2019-07-31");
    let (a18, a19) = ("2017-09-01..2018-08-31", "2018-09-01..2019-08-31");
    let fy = "2018-04-01..2019-03-31";
    let off = &f["da_offences"];
    let nc = &f["non_crime_incidents"];
    let so = &f["solved_outcomes"];
    let num = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    use Tolerance::*;
    let mut checks = vec![
        Check {
            id: "S1",
            what: "FY2018/19 cohort offences",
            target: 26_494.0,
            actual: num(&f["positive_outcome_rate"][fy]["offences"]),
            tolerance: Relative(0.03),
        },
        Check {
            id: "S1",
            what: "FY2018/19 cohort positive rate as of 2019-09-01",
            target: 0.14,
            actual: num(&f["positive_outcome_rate"][fy]["rate"]),
            tolerance: Absolute(0.005),
        },
        Check {
            id: "S2",
            what: "DA offences, 12m to Aug 2019 vs 12m to Aug 2018",
            target: 0.367,
            actual: total(off, "2018-09", "2019-08") / total(off, "2017-09", "2018-08") - 1.0,
            tolerance: Absolute(0.015),
        },
        Check {
            id: "S3",
            what: "genuine change",
            target: 0.096,
            actual: num(&f["demand_decomposition"]["genuine_change"]),
            tolerance: Absolute(0.03),
        },
        Check {
            id: "S3",
            what: "recording-practice change",
            target: 0.271,
            actual: num(&f["demand_decomposition"]["recording_change"]),
            tolerance: Absolute(0.03),
        },
        Check {
            id: "S4",
            what: "solved outcomes, 12m to Aug 2019",
            target: 3201.0,
            actual: total(so, "2018-09", "2019-08"),
            tolerance: Relative(0.03),
        },
        Check {
            id: "S4",
            what: "solved outcomes, 12m to Aug 2018",
            target: 3095.0,
            actual: total(so, "2017-09", "2018-08"),
            tolerance: Relative(0.03),
        },
        Check {
            id: "S4",
            what: "solved rate, 12m to Aug 2019",
            target: 0.112,
            actual: num(&f["solved_rate"][a19]),
            tolerance: Absolute(0.005),
        },
        Check {
            id: "S4",
            what: "solved rate, 12m to Aug 2018",
            target: 0.148,
            actual: num(&f["solved_rate"][a18]),
            tolerance: Absolute(0.005),
        },
        Check {
            id: "S5",
            what: "partner share, 12m to Jul 2016",
            target: 0.688,
            actual: num(&f["relationship_share"][w16]),
            tolerance: Absolute(0.01),
        },
        Check {
            id: "S5",
            what: "partner share, 12m to Jul 2019",
            target: 0.677,
            actual: num(&f["relationship_share"][w19]),
            tolerance: Absolute(0.01),
        },
        Check {
            id: "S6",
            what: "response on target, Dec 2015–May 2019 mean",
            target: 0.75,
            actual: {
                let r = f["response_on_target"].as_object().unwrap();
                let v: Vec<f64> = r
                    .iter()
                    .filter(|(m, _)| m.as_str() >= "2015-12" && m.as_str() <= "2019-05")
                    .map(|(_, v)| num(v))
                    .collect();
                v.iter().sum::<f64>() / v.len() as f64
            },
            tolerance: Absolute(0.03),
        },
        Check {
            id: "S6",
            what: "response on target, Jun 2019",
            target: 0.65,
            actual: num(&f["response_on_target"]["2019-06"]),
            tolerance: AtMost,
        },
        Check {
            id: "S6",
            what: "response on target, Jul 2019",
            target: 0.65,
            actual: num(&f["response_on_target"]["2019-07"]),
            tolerance: AtMost,
        },
        Check {
            id: "S7",
            what: "share of positives recorded within 7 days",
            target: 0.81,
            actual: num(&f["positive_by_recording_delay"][fy]["solved_share_0_7"]),
            tolerance: Absolute(0.02),
        },
        Check {
            id: "S7",
            what: "positive rate of offences recorded over a year after",
            target: 0.064,
            actual: num(&f["positive_by_recording_delay"][fy]["over_365"]["rate"]),
            tolerance: Absolute(0.02),
        },
        Check {
            id: "S8",
            what: "days to finalise, Aug 2019",
            target: 43.77,
            actual: num(&f["days_to_finalise"]["2019-08"]),
            tolerance: Absolute(3.0),
        },
        Check {
            id: "S8",
            what: "rise in days to finalise, Jul → Aug 2019",
            target: 21.04,
            actual: num(&f["days_to_finalise"]["2019-08"]) - num(&f["days_to_finalise"]["2019-07"]),
            tolerance: Absolute(3.0),
        },
        Check {
            id: "S9",
            what: "repeat incident rate, Jul 2016",
            target: 0.4185,
            actual: num(&f["repeat_incident_rate"]["2016-07"]),
            tolerance: Absolute(0.015),
        },
        Check {
            id: "S9",
            what: "repeat incident rate, Jul 2019",
            target: 0.4628,
            actual: num(&f["repeat_incident_rate"]["2019-07"]),
            tolerance: Absolute(0.015),
        },
        Check {
            id: "S10",
            what: "non-police MARAC referrals, Jan–Jun 2018",
            target: 115.0,
            actual: num(&f["marac_referrals"]["2018-01-01..2018-06-30"]["non_police"]),
            tolerance: Relative(0.10),
        },
        Check {
            id: "S10",
            what: "non-police MARAC referrals, Jan–Jun 2019",
            target: 186.0,
            actual: num(&f["marac_referrals"]["2019-01-01..2019-06-30"]["non_police"]),
            tolerance: Relative(0.10),
        },
        Check {
            id: "S10",
            what: "police MARAC referrals since Feb 2019",
            target: 280.0,
            actual: num(&f["marac_referrals"]["2019-02-01..2019-09-30"]["police"]),
            tolerance: Relative(0.10),
        },
        Check {
            id: "S11",
            what: "high-risk victims referred to an IDVA",
            target: 0.85,
            actual: num(&f["idva_referral_rate"]["2019-02-01..2019-09-30"]["rate"]),
            tolerance: Absolute(0.03),
        },
        Check {
            id: "S11",
            what: "IDVA referrals since Feb 2019",
            target: 1246.0,
            actual: num(
                &f["idva_referral_rate"]["2019-02-01..2019-09-30"]["idva_referrals_in_window"],
            ),
            tolerance: Relative(0.10),
        },
        Check {
            id: "S12",
            what: "BWV outcome uplift, Aug 2019",
            target: 0.20,
            actual: num(&f["bwv_outcome_uplift"]["2019-08-01..2019-08-31"]["uplift"]),
            tolerance: Relative(0.10),
        },
        Check {
            id: "S13",
            what: "DVPOs a month, 12m to Jul 2016",
            target: 16.5,
            actual: total(&f["protection_orders"]["dvpo"], "2015-08", "2016-07") / 12.0,
            tolerance: Absolute(1.0),
        },
        Check {
            id: "S13",
            what: "DVPOs a month, 12m to Jul 2019",
            target: 15.9,
            actual: total(&f["protection_orders"]["dvpo"], "2018-08", "2019-07") / 12.0,
            tolerance: Absolute(1.0),
        },
        Check {
            id: "S14",
            what: "DA offences, 12m to Jul 2016 → 2019",
            target: 1.103,
            actual: total(off, "2018-08", "2019-07") / total(off, "2015-08", "2016-07") - 1.0,
            tolerance: Absolute(0.03),
        },
        Check {
            id: "S14",
            what: "non-crime incidents, 12m to Jul 2016 → 2019",
            target: -0.218,
            actual: total(nc, "2018-08", "2019-07") / total(nc, "2015-08", "2016-07") - 1.0,
            tolerance: Absolute(0.03),
        },
        Check {
            id: "S15",
            what: "crime share of incidents, 12m to Jul 2016",
            target: 0.416,
            actual: num(&f["crime_incident_share"][w16]),
            tolerance: Absolute(0.015),
        },
        Check {
            id: "S15",
            what: "crime share of incidents, 12m to Jul 2019",
            target: 0.545,
            actual: num(&f["crime_incident_share"][w19]),
            tolerance: Absolute(0.015),
        },
        Check {
            id: "S17",
            what: "arrests a month, 12m to Jul 2016",
            target: 886.0,
            actual: total(&f["arrests"], "2015-08", "2016-07") / 12.0,
            tolerance: Relative(0.03),
        },
        Check {
            id: "S17",
            what: "arrests a month, 12m to Jul 2019",
            target: 610.0,
            actual: total(&f["arrests"], "2018-08", "2019-07") / 12.0,
            tolerance: Relative(0.03),
        },
        Check {
            id: "S18",
            what: "solved outcomes a month, 12m to Jul 2016",
            target: 332.0,
            actual: total(so, "2015-08", "2016-07") / 12.0,
            tolerance: Relative(0.03),
        },
        Check {
            id: "S18",
            what: "solved outcomes a month, 12m to Jul 2019",
            target: 268.0,
            actual: total(so, "2018-08", "2019-07") / 12.0,
            tolerance: Relative(0.03),
        },
        Check {
            id: "S19a",
            what: "outcome 16, Aug 2015",
            target: 400.0,
            actual: num(&f["outcome_series"]["16"]["2015-08"]),
            tolerance: Relative(0.05),
        },
        Check {
            id: "S19",
            what: "outcome 16, Jun 2019 (over 1,600)",
            target: 1600.0,
            actual: num(&f["outcome_series"]["16"]["2019-06"]),
            tolerance: Relative(0.05),
        },
        Check {
            id: "S19",
            what: "correlation of outcome 16 with DA offences",
            target: 0.9,
            actual: num(&f["correlation"]["outcome_16~da_offences"]),
            tolerance: AtLeast,
        },
        Check {
            id: "S20",
            what: "resolved outcomes, 12m to Jul 2016",
            target: 167.0,
            actual: total(&f["resolved_outcomes"], "2015-08", "2016-07"),
            tolerance: Relative(0.05),
        },
        Check {
            id: "S20",
            what: "resolved outcomes, 12m to Jul 2019",
            target: 398.0,
            actual: total(&f["resolved_outcomes"], "2018-08", "2019-07"),
            tolerance: Relative(0.05),
        },
        Check {
            id: "S20",
            what: "Apr–May 2019 resolved above Feb–Mar 2019",
            target: 0.0,
            actual: total(&f["resolved_outcomes"], "2019-04", "2019-05")
                - total(&f["resolved_outcomes"], "2019-02", "2019-03"),
            tolerance: Positive,
        },
    ];
    // S16: more non-crime incidents than crimes Aug 2015–May 2017 (on the whole); crime far
    // above from Dec 2017; a step up in April 2018.
    let months = |a: &str, b: &str| -> Vec<(f64, f64)> {
        off.as_object()
            .unwrap()
            .iter()
            .filter(|(m, _)| m.as_str() >= a && m.as_str() <= b)
            .map(|(m, v)| (num(v), num(&nc[m])))
            .collect()
    };
    let early = months("2015-08", "2017-03");
    checks.push(Check {
        id: "S16",
        what: "months Aug 2015–Mar 2017 with more non-crime incidents than offences",
        target: early.len() as f64 * 0.8,
        actual: early.iter().filter(|(o, n)| n > o).count() as f64,
        tolerance: AtLeast,
    });
    let late = months("2017-12", "2019-08");
    checks.push(Check {
        id: "S16",
        what: "months from Dec 2017 with offences above non-crime incidents",
        target: late.len() as f64,
        actual: late.iter().filter(|(o, n)| o > n).count() as f64,
        tolerance: AtLeast,
    });
    checks.push(Check {
        id: "S16",
        what: "offences, Apr 2018 over Mar 2018",
        target: 1.15,
        actual: num(&off["2018-04"]) / num(&off["2018-03"]),
        tolerance: AtLeast,
    });
    let sh = &f["offence_group_series"]["stalking_harassment"];
    checks.push(Check {
        id: "S21",
        what: "stalking & harassment, Apr–Jun 2018 over Jan–Mar 2018",
        target: 2.0,
        actual: total(sh, "2018-04", "2018-06") / total(sh, "2018-01", "2018-03"),
        tolerance: AtLeast,
    });
    let by_risk = |w: &str, level: &str| num(&f["offences_by_risk"][w][level]["offences"]);
    checks.push(Check {
        id: "S22",
        what: "high-risk offences, change 2016 → 2019",
        target: 0.0,
        actual: by_risk(w16, "high") - by_risk(w19, "high"),
        tolerance: Positive,
    });
    checks.push(Check {
        id: "S22",
        what: "medium-risk offences, change 2016 → 2019 (fall)",
        target: 0.0,
        actual: by_risk(w16, "medium") - by_risk(w19, "medium"),
        tolerance: Positive,
    });
    checks.push(Check {
        id: "S22",
        what: "standard-risk offences, change 2016 → 2019 (rise)",
        target: 0.0,
        actual: by_risk(w19, "standard") - by_risk(w16, "standard"),
        tolerance: Positive,
    });

    checks
}

/// The force-wide pack of essex-2019 generated with `seed`, computed in memory (no extract,
/// no store) with the seed report's windows: what the figures read.
pub fn pack_of_seed(seed: u64) -> Value {
    let s = vigil_synth::essex_2019();
    let out = vigil_synth::simulate(&s.forces[0], s.start, s.as_of, seed);
    let snapshot = vigil_analytics::Snapshot::from_records(&out.records, Some(s.as_of));
    let mut cfg = vigil_analytics::PackConfig::new(s.as_of);
    let seed_windows = SEED_WINDOWS
        .iter()
        .map(|w| vigil_analytics::Window::parse(w).expect("a window"));
    for w in vigil_report::report_windows(s.as_of)
        .all()
        .into_iter()
        .chain(seed_windows)
    {
        if !cfg.windows.contains(&w) {
            cfg.windows.push(w);
        }
    }
    cfg.breakdown = false;
    serde_json::to_value(vigil_analytics::compute(&snapshot, &cfg).expect("a pack")).expect("json")
}

/// Each figure over several packs: its values in seed order, median and spread.
pub struct Spread {
    pub id: &'static str,
    pub what: &'static str,
    pub target: f64,
    pub tolerance: Tolerance,
    pub values: Vec<f64>,
}

impl Spread {
    pub fn of(packs: &[Value]) -> Vec<Spread> {
        let per_pack: Vec<Vec<Check>> = packs.iter().map(checks).collect();
        (0..per_pack[0].len())
            .map(|k| {
                let c = &per_pack[0][k];
                Spread {
                    id: c.id,
                    what: c.what,
                    target: c.target,
                    tolerance: c.tolerance,
                    values: per_pack.iter().map(|p| p[k].actual).collect(),
                }
            })
            .collect()
    }

    pub fn median(&self) -> f64 {
        let mut v = self.values.clone();
        v.sort_by(|a, b| a.total_cmp(b));
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    }

    /// The standard deviation across the seeds: the figure's own sampling spread.
    pub fn sd(&self) -> f64 {
        let n = self.values.len() as f64;
        let mean = self.values.iter().sum::<f64>() / n;
        (self.values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt()
    }

    /// Whether the median is within the figure's tolerance.
    pub fn median_ok(&self) -> bool {
        self.check(self.median())
    }

    pub fn check(&self, actual: f64) -> bool {
        Check {
            id: self.id,
            what: self.what,
            target: self.target,
            actual,
            tolerance: self.tolerance,
        }
        .ok()
    }

    /// The seeds whose value misses the tolerance by more than two of the figure's own
    /// standard deviations (a miss a draw cannot explain).
    pub fn wild_seeds(&self, seeds: &[u64]) -> Vec<u64> {
        let sd = self.sd();
        seeds
            .iter()
            .zip(&self.values)
            .filter(|(_, v)| !self.check(**v) && self.miss(**v) > 2.0 * sd + 1e-9)
            .map(|(s, _)| *s)
            .collect()
    }

    /// How far a value is outside the tolerance (0 inside it).
    pub fn miss(&self, actual: f64) -> f64 {
        let band = match self.tolerance {
            Tolerance::Absolute(t) => t,
            Tolerance::Relative(t) => t * self.target.abs(),
            Tolerance::AtLeast => return (self.target - actual).max(0.0),
            Tolerance::AtMost => return (actual - self.target).max(0.0),
            Tolerance::Positive => return (-actual).max(0.0),
        };
        ((actual - self.target).abs() - band).max(0.0)
    }
}
