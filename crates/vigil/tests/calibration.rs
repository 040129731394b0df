//! Calibration: the synthetic essex-2019 scenario must print the seed report's figures
//! (CALIBRATION.md S1–S22) in expectation: each figure's median over seeds 1–9 within its
//! tolerance, and no seed further off than the figure's own spread explains. Seed 1 also
//! goes through the real binary (synthesised, imported, packed) and must print what the
//! in-memory run printed. Independently, measures recomputed straight from the CSV files by
//! plain iteration must agree exactly with the pack.

use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::process::Command;

mod common;
use common::figures::{KNOWN_GAPS, SEED_WINDOWS, Spread, checks, pack_of_seed};

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

/// Seeds 1–9, each simulated and measured in memory (the same figures, `figures::checks`):
/// one draw can sit anywhere in a figure's spread, so calibration is judged on the median.
const SEEDS: [u64; 9] = [1, 2, 3, 4, 5, 6, 7, 8, 9];

fn spreads() -> &'static Vec<Spread> {
    static S: std::sync::OnceLock<Vec<Spread>> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        // Two threads: the seeds are independent.
        let (odd, even): (Vec<u64>, Vec<u64>) = SEEDS.iter().partition(|s| *s % 2 == 1);
        let packs = std::thread::scope(|scope| {
            let other = scope.spawn(|| even.iter().map(|s| pack_of_seed(*s)).collect::<Vec<_>>());
            let mut packs: Vec<(u64, Value)> = odd.iter().map(|s| (*s, pack_of_seed(*s))).collect();
            packs.extend(even.iter().copied().zip(other.join().unwrap()));
            packs.sort_by_key(|(s, _)| *s);
            packs.into_iter().map(|(_, p)| p).collect::<Vec<_>>()
        });
        Spread::of(&packs)
    })
}

/// The scenario is calibrated in expectation: over seeds 1–9 every figure's median is
/// within its tolerance, and no seed misses a figure by more than twice the figure's own
/// spread across the seeds (documented gaps aside, with their reasons).
#[test]
fn essex_2019_meets_the_seed_report_as_the_median_of_nine_seeds() {
    let gaps: HashMap<&str, &str> = KNOWN_GAPS.iter().copied().collect();
    let mut failures = Vec::new();
    println!(
        "{:<5} {:<62} {:>10} {:>10} {:>9}  result",
        "id", "figure", "seed", "median", "sd"
    );
    for s in spreads() {
        let wild = s.wild_seeds(&SEEDS);
        let result = match (s.median_ok() && wild.is_empty(), gaps.contains_key(s.id)) {
            (true, _) => "ok".to_owned(),
            (false, true) => "GAP (documented)".to_owned(),
            (false, false) if !s.median_ok() => "MEDIAN OUT OF TOLERANCE".to_owned(),
            (false, false) => format!("seeds {wild:?} miss by over twice the spread"),
        };
        println!(
            "{:<5} {:<62} {:>10.4} {:>10.4} {:>9.4}  {result}",
            s.id,
            s.what.chars().take(62).collect::<String>(),
            s.target,
            s.median(),
            s.sd()
        );
        if result != "ok" && !gaps.contains_key(s.id) {
            failures.push(format!("{} {}: {result} ({:?})", s.id, s.what, s.values));
        }
    }
    for (id, why) in KNOWN_GAPS {
        println!("gap {id}: {why}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Seed 1 through the real binary (synthesised to CSV, imported into the store, packed):
/// its figures are the ones the in-memory run of seed 1 gives (so the medians above are of
/// what Vigil prints), and each is within its tolerance or within the figure's own spread
/// of it.
#[test]
fn essex_2019_seed_1_through_the_binary_is_one_draw_of_that_spread() {
    let p = &scenario().pack;
    let f = &p["force"];
    let gaps: HashMap<&str, &str> = KNOWN_GAPS.iter().copied().collect();
    let mut failures = Vec::new();
    for (c, s) in checks(p).iter().zip(spreads()) {
        assert_eq!(c.what, s.what);
        let in_memory = s.values[0];
        assert!(
            (c.actual - in_memory).abs() <= 1e-9 * c.actual.abs().max(1.0)
                || (c.actual.is_nan() && in_memory.is_nan()),
            "{} {}: the binary printed {}, the in-memory run {in_memory}",
            c.id,
            c.what,
            c.actual
        );
        let within = c.ok() || s.miss(c.actual) <= 2.0 * s.sd() + 1e-9;
        println!(
            "{:<5} {:<70} {:>10.4} {:>10.4}  {}",
            c.id,
            c.what,
            c.target,
            c.actual,
            if c.ok() {
                "ok"
            } else if within {
                "within its spread"
            } else if gaps.contains_key(c.id) {
                "GAP (documented)"
            } else {
                "OUT"
            }
        );
        if !within && !gaps.contains_key(c.id) {
            failures.push(format!(
                "{} {}: seed {}, vigil {}",
                c.id, c.what, c.target, c.actual
            ));
        }
    }
    println!(
        "BWV outcome uplift over the 12 months to Aug 2019: {}",
        f["bwv_outcome_uplift"]["2018-09-01..2019-08-31"]["uplift"]
    );
    assert!(
        failures.is_empty(),
        "figures out of tolerance and of their spread:\n{}",
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
