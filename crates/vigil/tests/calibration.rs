//! Calibration: the synthetic essex-2019 scenario, generated, imported and measured through
//! the real binary, must print the seed report's figures (CALIBRATION.md S1–S22) within
//! their tolerances; and five measures recomputed straight from the CSV files by plain
//! iteration must agree exactly with the pack.

use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::process::Command;

mod common;
use common::total;

fn vigil(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .env_remove("VIGIL_DATABASE_URL")
        .output()
        .expect("vigil runs");
    assert!(
        o.status.success(),
        "vigil {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("utf-8")
}

struct Scenario {
    _dir: tempfile::TempDir,
    extract: std::path::PathBuf,
    pack: Value,
}

/// The periods the seed report compares (CALIBRATION.md's windows).
const SEED_WINDOWS: [&str; 9] = [
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

fn scenario() -> &'static Scenario {
    static S: std::sync::OnceLock<Scenario> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let extract = dir.path().join("essex");
        let db = dir.path().join("essex.db");
        let (e, d) = (extract.to_str().unwrap(), db.to_str().unwrap());
        vigil(&[
            "synth",
            "--scenario",
            "essex-2019",
            "--seed",
            "1",
            "--out",
            e,
        ]);
        vigil(&["--db", d, "import", e]);
        // The seed report's periods are this test's configuration, not the pack's.
        let windows = dir.path().join("seed-windows.txt");
        std::fs::write(&windows, SEED_WINDOWS.join("\n")).unwrap();
        let pack = serde_json::from_str(&vigil(&[
            "--db",
            d,
            "pack",
            "--json",
            "--windows",
            windows.to_str().unwrap(),
        ]))
        .unwrap();
        Scenario {
            _dir: dir,
            extract,
            pack,
        }
    })
}

/// One figure: what the seed says, what Vigil printed, and whether it is within tolerance.
struct Check {
    id: &'static str,
    what: &'static str,
    target: f64,
    actual: f64,
    tolerance: Tolerance,
}

enum Tolerance {
    Absolute(f64),
    Relative(f64),
    AtLeast,
    AtMost,
    Positive,
}

impl Check {
    fn ok(&self) -> bool {
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
const KNOWN_GAPS: &[(&str, &str)] = &[
    (
        "S19a",
        "the extract starts on 2015-08-01, so August 2015's outcome 16 count only holds offences recorded that month; the seed's ~400 includes older offences finalised in August",
    ),
    (
        "S12",
        "a single month of custody interviews holds about 480 arrests with a disposal and a known BWV flag, of which only about 50 end in a charge or caution, so the one-month uplift has a relative sampling error near ±50%; the scenario builds in a 15% higher chance of a solved outcome where BWV is shown, and the 12-month uplift (printed below) is the stable figure",
    ),
];

#[test]
fn essex_2019_reproduces_the_seed_report() {
    let p = &scenario().pack;
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

    let gaps: HashMap<&str, &str> = KNOWN_GAPS.iter().copied().collect();
    let mut failures = Vec::new();
    println!(
        "{:<5} {:<70} {:>10} {:>10}  result",
        "id", "figure", "seed", "vigil"
    );
    for c in &checks {
        let result = if c.ok() {
            "ok"
        } else if gaps.contains_key(c.id) {
            "GAP (documented)"
        } else {
            "OUT OF TOLERANCE"
        };
        println!(
            "{:<5} {:<70} {:>10.4} {:>10.4}  {result}",
            c.id, c.what, c.target, c.actual
        );
        if !c.ok() && !gaps.contains_key(c.id) {
            failures.push(format!(
                "{} {}: seed {}, vigil {}",
                c.id, c.what, c.target, c.actual
            ));
        }
    }
    for (id, why) in KNOWN_GAPS {
        println!("gap {id}: {why}");
    }
    println!(
        "BWV outcome uplift over the 12 months to Aug 2019: {}",
        f["bwv_outcome_uplift"][a19]["uplift"]
    );
    assert!(
        failures.is_empty(),
        "figures out of tolerance:\n{}",
        failures.join("\n")
    );
}

/// Reads a CSV table of the extract as header → column index and rows.
fn table(dir: &Path, name: &str) -> (HashMap<String, usize>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(dir.join(format!("{name}.csv"))).unwrap();
    let header = r
        .headers()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, h)| (h.to_owned(), i))
        .collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

#[test]
fn five_measures_agree_with_plain_iteration_over_the_csv_files() {
    let s = scenario();
    let f = &s.pack["force"];
    let (ih, incidents) = table(&s.extract, "incidents");
    let (oh, offences) = table(&s.extract, "offences");
    let (ah, arrests) = table(&s.extract, "arrests");
    let month = |v: &str| v[..7].to_owned();
    // 1. da_offences by recorded month.
    let mut by_month: BTreeMap<String, f64> = BTreeMap::new();
    for o in &offences {
        *by_month.entry(month(&o[oh["recorded_date"]])).or_default() += 1.0;
    }
    for (m, v) in f["da_offences"].as_object().unwrap() {
        assert_eq!(
            by_month.get(m).copied().unwrap_or(0.0),
            v.as_f64().unwrap(),
            "da_offences {m}"
        );
    }
    // 2. non_crime_incidents.
    let with_offence: HashSet<&str> = offences
        .iter()
        .map(|o| o[oh["incident_id"]].as_str())
        .collect();
    let mut nc: BTreeMap<String, f64> = BTreeMap::new();
    for i in &incidents {
        if !with_offence.contains(i[ih["incident_id"]].as_str()) {
            *nc.entry(month(&i[ih["reported_at"]])).or_default() += 1.0;
        }
    }
    for (m, v) in f["non_crime_incidents"].as_object().unwrap() {
        assert_eq!(
            nc.get(m).copied().unwrap_or(0.0),
            v.as_f64().unwrap(),
            "non_crime_incidents {m}"
        );
    }
    // 3. crime_incident_share and 4. relationship_share over the 12 months to Jul 2019.
    let in_w19 = |d: &str| ("2018-08-01".."2019-08-01").contains(&&d[..10]);
    let w19: Vec<&Vec<String>> = incidents
        .iter()
        .filter(|i| in_w19(&i[ih["reported_at"]]))
        .collect();
    let crime = w19
        .iter()
        .filter(|i| with_offence.contains(i[ih["incident_id"]].as_str()))
        .count() as f64;
    let partner = w19
        .iter()
        .filter(|i| ["partner", "ex_partner"].contains(&i[ih["relationship"]].as_str()))
        .count() as f64;
    let n = w19.len() as f64;
    assert!(
        (f["crime_incident_share"]["2018-08-01..2019-07-31"]
            .as_f64()
            .unwrap()
            - crime / n)
            .abs()
            < 1e-12
    );
    assert!(
        (f["relationship_share"]["2018-08-01..2019-07-31"]
            .as_f64()
            .unwrap()
            - partner / n)
            .abs()
            < 1e-12
    );
    // 5. arrests by month.
    let mut arr: BTreeMap<String, f64> = BTreeMap::new();
    for a in &arrests {
        *arr.entry(month(&a[ah["arrested_at"]])).or_default() += 1.0;
    }
    for (m, v) in f["arrests"].as_object().unwrap() {
        assert_eq!(
            arr.get(m).copied().unwrap_or(0.0),
            v.as_f64().unwrap(),
            "arrests {m}"
        );
    }
    // 6. repeat_incident_rate for July 2019, by a quadratic scan of each victim's incidents.
    let mut by_victim: HashMap<&str, Vec<&str>> = HashMap::new();
    for i in &incidents {
        by_victim
            .entry(i[ih["victim_id"]].as_str())
            .or_default()
            .push(i[ih["reported_at"]].as_str());
    }
    let secs = |t: &str| {
        vigil_domain::time::parse_datetime(t)
            .unwrap()
            .and_utc()
            .timestamp()
    };
    let july: Vec<&Vec<String>> = incidents
        .iter()
        .filter(|i| i[ih["reported_at"]].starts_with("2019-07"))
        .collect();
    let repeats = july
        .iter()
        .filter(|i| {
            let t = secs(&i[ih["reported_at"]]);
            by_victim[i[ih["victim_id"]].as_str()].iter().any(|e| {
                let u = secs(e);
                u < t && t - u <= 365 * 86_400
            })
        })
        .count() as f64;
    assert!(
        (f["repeat_incident_rate"]["2019-07"].as_f64().unwrap() - repeats / july.len() as f64)
            .abs()
            < 1e-12
    );
}

/// Clare's Law and the protective orders measures, counted again from the CSV files by plain
/// scans (each order's notice found by a search over every notice, not an index).
#[test]
fn the_clares_law_and_order_measures_agree_with_plain_iteration_over_the_csv_files() {
    let s = scenario();
    let f = &s.pack["force"];
    let key = "2018-08-01..2019-07-31";
    let in_w = |t: &str| ("2018-08-01".."2019-08-01").contains(&&t[..10]);
    let t = |v: &str| vigil_domain::time::parse_datetime(v).unwrap();
    let (dh, disclosures) = table(&s.extract, "disclosures");
    for route in ["right_to_ask", "right_to_know"] {
        let rows: Vec<_> = disclosures
            .iter()
            .filter(|d| d[dh["route"]] == route && in_w(&d[dh["received_at"]]))
            .collect();
        let by = |decision: &str| {
            rows.iter()
                .filter(|d| d[dh["decision"]] == decision)
                .count() as u64
        };
        let r = &f["disclosure_routes"][key][route];
        assert!(!rows.is_empty(), "{route}: the scenario has applications");
        assert_eq!(r["received"], rows.len() as u64, "{route} received");
        assert_eq!(r["disclosed"], by("disclose"), "{route} disclosed");
        assert_eq!(
            r["not_disclosed"],
            by("no_disclosure"),
            "{route} not disclosed"
        );
        assert_eq!(r["withdrawn"], by("withdrawn"), "{route} withdrawn");
        assert_eq!(r["open"], by(""), "{route} open");
        // The disclosure stage: disclosed by the end of the 2nd working day after the decision.
        let working = vigil_domain::calendar::WorkingCalendar::default();
        let to_disclose: Vec<_> = rows
            .iter()
            .filter(|d| d[dh["decision"]] == "disclose")
            .collect();
        let made: Vec<_> = to_disclose
            .iter()
            .filter(|d| !d[dh["disclosed_at"]].is_empty())
            .collect();
        let on_time = made
            .iter()
            .filter(|d| {
                t(&d[dh["disclosed_at"]])
                    <= working.end_of_working_days_after(t(&d[dh["decided_at"]]), 2)
            })
            .count() as u64;
        let st = &f["disclosure_stages"][key][route]["disclosure"];
        assert_eq!(st["cases"], to_disclose.len() as u64, "{route} to disclose");
        assert_eq!(st["reached"], made.len() as u64, "{route} disclosed");
        assert_eq!(st["on_time"], on_time, "{route} disclosed on time");
        assert!(
            on_time > 0 && on_time < made.len() as u64,
            "{route}: some late, some not"
        );
    }
    let (oh, orders) = table(&s.extract, "protection_orders");
    let of_kind =
        |k: &str| -> Vec<&Vec<String>> { orders.iter().filter(|o| o[oh["kind"]] == k).collect() };
    let (dvpns, dvpos) = (of_kind("dvpn"), of_kind("dvpo"));
    let pair = |o: &Vec<String>| (o[oh["subject_id"]].clone(), o[oh["protected_id"]].clone());
    // Each DVPO's notice: the latest DVPN on the same pair at most 7 days before it.
    let notice_of = |o: &Vec<String>| -> Option<usize> {
        let at = t(&o[oh["issued_at"]]);
        (0..dvpns.len())
            .filter(|&n| {
                let nat = t(&dvpns[n][oh["issued_at"]]);
                pair(dvpns[n]) == pair(o) && nat <= at && at - nat <= chrono_days(7)
            })
            .max_by_key(|&n| (t(&dvpns[n][oh["issued_at"]]), n))
    };
    let matched: Vec<(usize, Option<usize>)> =
        (0..dvpos.len()).map(|i| (i, notice_of(dvpos[i]))).collect();
    let granted: HashSet<usize> = matched.iter().filter_map(|(_, n)| *n).collect();
    let applied: Vec<usize> = (0..dvpns.len())
        .filter(|&n| in_w(&dvpns[n][oh["issued_at"]]))
        .collect();
    let g = &f["orders_applied_granted"][key]["dvpo"];
    assert_eq!(g["notices"], applied.len() as u64);
    assert_eq!(
        g["orders_granted"],
        applied.iter().filter(|n| granted.contains(n)).count() as u64
    );
    let heard: Vec<(usize, usize)> = matched
        .iter()
        .filter(|(i, _)| in_w(&dvpos[*i][oh["issued_at"]]))
        .filter_map(|(i, n)| n.map(|n| (*i, n)))
        .collect();
    let within = heard
        .iter()
        .filter(|(i, n)| {
            t(&dvpos[*i][oh["issued_at"]])
                <= vigil_domain::deadlines::dvpo_hearing_due(t(&dvpns[*n][oh["issued_at"]]))
        })
        .count() as u64;
    let h = &f["hearings_within_48h"][key]["dvpo"];
    assert_eq!(h["orders"], heard.len() as u64);
    assert_eq!(h["within_48_hours"], within);
    assert!(
        within > 0 && within < heard.len() as u64,
        "some hearings late, most not"
    );
    for kind in ["dvpn", "dvpo"] {
        let issued: Vec<_> = of_kind(kind)
            .into_iter()
            .filter(|o| in_w(&o[oh["issued_at"]]))
            .collect();
        let breached = issued
            .iter()
            .filter(|o| !o[oh["breached_at"]].is_empty())
            .count() as u64;
        let b = &f["order_breaches"][key][kind];
        assert_eq!(b["issued"], issued.len() as u64, "{kind} issued");
        assert_eq!(b["breached"], breached, "{kind} breached");
    }
}

fn chrono_days(n: i64) -> vigil_domain::time::Duration {
    vigil_domain::time::Duration::days(n)
}

/// Area under the ROC curve of `scores` for `labels` (ties share their rank).
fn auc(scores: &[f64], labels: &[bool]) -> f64 {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|a, b| scores[*a].total_cmp(&scores[*b]));
    let (mut rank_sum, mut i) = (0.0, 0);
    while i < idx.len() {
        let mut j = i;
        while j < idx.len() && scores[idx[j]] == scores[idx[i]] {
            j += 1;
        }
        let avg = (i + j + 1) as f64 / 2.0;
        rank_sum += idx[i..j].iter().filter(|k| labels[**k]).count() as f64 * avg;
        i = j;
    }
    let n1 = labels.iter().filter(|l| **l).count() as f64;
    let n0 = labels.len() as f64 - n1;
    (rank_sum - n1 * (n1 + 1.0) / 2.0) / (n1 * n0)
}

/// The ground truth behaves as published studies of police data find: the officer's DASH
/// count predicts serious revictimisation only weakly, the couple's history much better
/// (models on police history reach an AUC of about 0.75).
#[test]
fn risk_ground_truth_is_driven_by_history_more_than_by_dash() {
    let s = scenario();
    let (ih, incidents) = table(&s.extract, "incidents");
    let (th, truth) = table(&s.extract, "ground_truth_risk");
    let serious: HashMap<&str, bool> = truth
        .iter()
        .map(|t| {
            (
                t[th["incident_id"]].as_str(),
                t[th["serious_revictimisation_12m"]] == "true",
            )
        })
        .collect();
    let secs = |t: &str| {
        vigil_domain::time::parse_datetime(t)
            .unwrap()
            .and_utc()
            .timestamp()
    };
    let mut by_victim: HashMap<&str, Vec<i64>> = HashMap::new();
    for i in &incidents {
        by_victim
            .entry(i[ih["victim_id"]].as_str())
            .or_default()
            .push(secs(&i[ih["reported_at"]]));
    }
    let (mut dash, mut history, mut labels) = (Vec::new(), Vec::new(), Vec::new());
    for i in &incidents {
        let (Ok(yes), Some(label)) = (
            i[ih["dash_yes_count"]].parse::<f64>(),
            serious.get(i[ih["incident_id"]].as_str()),
        ) else {
            continue;
        };
        let t = secs(&i[ih["reported_at"]]);
        let prior = by_victim[i[ih["victim_id"]].as_str()]
            .iter()
            .filter(|u| **u < t && t - **u <= 365 * 86_400)
            .count();
        dash.push(yes);
        history.push(prior as f64);
        labels.push(*label);
    }
    let (a_dash, a_history) = (auc(&dash, &labels), auc(&history, &labels));
    println!(
        "AUC for serious revictimisation: DASH count {a_dash:.3}, prior incidents {a_history:.3}"
    );
    assert!((0.5..0.67).contains(&a_dash), "DASH AUC {a_dash}");
    assert!((0.68..0.82).contains(&a_history), "history AUC {a_history}");
    assert!(a_history > a_dash + 0.08);
}
