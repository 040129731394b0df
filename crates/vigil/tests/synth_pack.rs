//! `vigil synth`, `vigil pack` and `vigil demo` as a user runs them: determinism, the pack's
//! shape and its refusals of bad input.

use std::path::Path;
use std::process::Output;

mod common;
use common::*;

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn the_same_scenario_and_seed_give_byte_identical_files() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
    );
    for (out, seed) in [(&a, "7"), (&b, "7"), (&c, "8")] {
        let o = vigil(&[
            "synth",
            "--scenario",
            "essex-2019",
            "--seed",
            seed,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", text(&o));
    }
    let (fa, fb, fc) = (files(&a), files(&b), files(&c));
    assert_eq!(
        fa.len(),
        11,
        "nine tables, the manifest and the ground truth"
    );
    assert!(fa == fb, "same seed, different bytes");
    assert!(fa != fc, "a different seed gave the same records");
    let truth = String::from_utf8(
        fa.iter()
            .find(|(n, _)| n == "ground_truth_risk.csv")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    assert!(truth.starts_with(
        "incident_id,victim_id,reported_at,revictimised_12m,serious_revictimisation_12m\n"
    ));
    let manifest = String::from_utf8(
        fa.iter()
            .find(|(n, _)| n == "manifest.json")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    assert!(
        !manifest.contains("ground_truth"),
        "the ground truth is not part of the extract"
    );
}

#[test]
fn pack_refuses_bad_input_with_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let db = db.to_str().unwrap();
    let o = vigil(&["--db", db, "pack"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("holds no records yet"), "{}", text(&o));
    let hand = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/handwritten");
    assert!(
        vigil(&["--db", db, "import", hand.to_str().unwrap()])
            .status
            .success()
    );
    let bad_windows = dir.path().join("w.txt");
    std::fs::write(
        &bad_windows,
        "# a force's periods\n2019-01-01..2019-03-31\n2019-13-01..2019-12-31\n",
    )
    .unwrap();
    let bad_windows = bad_windows.to_string_lossy().into_owned();
    for (args, expected) in [
        (
            vec!["--as-of", "31/08/2019"],
            "--as-of: '31/08/2019' is not a date",
        ),
        (
            vec!["--as-of", "2010-01-01"],
            "is before the data starts (2019-01-05)",
        ),
        (
            vec!["--window", "2019-01-01"],
            "--window: '2019-01-01' is not a window",
        ),
        (
            vec!["--window", "2019-02-01..2019-01-01"],
            "ends before it starts",
        ),
        (
            vec!["--no-such-measure"],
            "unexpected argument '--no-such-measure'",
        ),
        (
            vec!["--windows", bad_windows.as_str()],
            "line 3: '2019-13-01' is not a date",
        ),
        (
            vec!["--windows", "/no/such/file"],
            "--windows /no/such/file: cannot be read",
        ),
    ] {
        let mut a = vec!["--db", db, "pack"];
        a.extend(args);
        let o = vigil(&a);
        assert_eq!(o.status.code(), Some(2), "{a:?}: {}", text(&o));
        assert!(
            text(&o).contains(expected),
            "{a:?}: expected {expected:?} in {}",
            text(&o)
        );
    }
}

#[test]
fn pack_json_keys_measures_by_their_metrics_names() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let db = db.to_str().unwrap();
    let hand = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/handwritten");
    assert!(
        vigil(&["--db", db, "import", hand.to_str().unwrap()])
            .status
            .success()
    );
    let o = vigil(&[
        "--db",
        db,
        "pack",
        "--json",
        "--window",
        "2019-01-01..2019-03-31",
        "--as-of",
        "2019-09-01",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let p: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = &p["force"];
    for name in [
        "da_offences",
        "non_crime_incidents",
        "crime_incident_share",
        "offence_group_series",
        "relationship_share",
        "arrests",
        "arrest_rate",
        "protection_orders",
        "solved_outcomes",
        "solved_rate",
        "positive_outcome_rate",
        "positive_by_recording_delay",
        "resolved_outcomes",
        "outcome_series",
        "offences_by_risk",
        "days_to_finalise",
        "correlation",
        "response_on_target",
        "repeat_incident_rate",
        "repeat_marac_rate",
        "marac_referrals",
        "marac_volume_per_10k",
        "idva_referral_rate",
        "bwv_outcome_uplift",
        "disclosure_timeliness",
        "disclosure_stages",
        "disclosure_routes",
        "orders_applied_granted",
        "hearings_within_48h",
        "order_breaches",
        "demand_decomposition",
        "perpetrator_cohort",
        "acute_victims",
    ] {
        assert!(f.as_object().unwrap().contains_key(name), "{name} missing");
        // Per 10,000 people needs the area's population, which an extract does not carry:
        // null, said so, and nothing else is.
        assert_eq!(
            f[name].is_null(),
            name == "marac_volume_per_10k",
            "{name}: {}",
            f[name]
        );
    }
    // The cohorts hold who the hand-written records make them hold, ranked.
    let cohort = f["perpetrator_cohort"].as_array().unwrap();
    assert_eq!(cohort[0]["person_id"], "P2", "{cohort:?}");
    assert_eq!(cohort[0]["incidents"], 2);
    assert!(
        cohort
            .windows(2)
            .all(|w| w[0]["score"].as_f64() >= w[1]["score"].as_f64())
    );
    let acute = f["acute_victims"].as_array().unwrap();
    assert_eq!(acute[0]["person_id"], "P1", "{acute:?}");
    assert_eq!(acute[0]["incidents_12m"], 2);
    let w = "2019-01-01..2019-03-31";
    // Hand-written extract: I1 (Jan, 2 offences), I2 (Feb, 1 offence), I3 (Mar, none).
    assert_eq!(f["da_offences"]["2019-01"], 2.0);
    assert_eq!(f["crime_incident_share"][w].as_f64().unwrap(), 2.0 / 3.0);
    assert_eq!(f["relationship_share"][w].as_f64().unwrap(), 2.0 / 3.0);
    assert_eq!(f["solved_outcomes"]["2019-02"], 1.0);
    assert_eq!(f["outcome_series"]["16"]["2019-03"], 1.0);
    assert_eq!(f["repeat_incident_rate"]["2019-02"], 1.0);
    assert_eq!(f["marac_referrals"][w]["police"], 1);
    assert_eq!(f["idva_referral_rate"][w]["rate"], 1.0);
    // V1, a DVPN served on Sunday 6 January at 10:00, heard by the end of Tuesday (Sunday
    // not counted): the DVPO at 09:00 on the 8th was in time, and was breached.
    assert_eq!(f["orders_applied_granted"][w]["dvpo"]["notices"], 1);
    assert_eq!(f["orders_applied_granted"][w]["dvpo"]["orders_granted"], 1);
    assert_eq!(f["hearings_within_48h"][w]["dvpo"]["within_48_hours"], 1);
    assert_eq!(f["order_breaches"][w]["dvpo"]["breached"], 1);
    assert_eq!(f["order_breaches"][w]["dvpn"]["breached"], 0);
    // D1 decided on Sunday 10 February, disclosed on Tuesday the 12th: the end of the 2nd
    // working day, so on time, 2.125 days after; D2 still open.
    let ask = &f["disclosure_stages"][w]["right_to_ask"];
    assert_eq!(ask["decision"]["on_time"], 1, "21 days");
    assert_eq!(ask["disclosure"]["on_time"], 1);
    assert_eq!(ask["disclosure"]["median_days"], 2.125);
    assert_eq!(f["disclosure_routes"][w]["right_to_ask"]["disclosed"], 1);
    assert_eq!(f["disclosure_routes"][w]["right_to_know"]["open"], 1);
    // The data's edges: a year of history from a year after the first record; 1 September
    // is not the end of its month, so September is left out of every series.
    let c = &p["coverage"];
    assert_eq!(c["first_month"], "2019-01", "{c}");
    assert_eq!(c["partial_month_left_out"], "2019-09", "{c}");
    let first = p["data_from"].as_str().unwrap();
    assert_eq!(c["first_month_partial"], !first.ends_with("-01"), "{c}");
    assert!(c["full_history_from"].as_str().unwrap() >= "2020-01", "{c}");
    let areas: Vec<&String> = p["by_lpa"].as_object().unwrap().keys().collect();
    let mut sorted = areas.clone();
    sorted.sort();
    assert_eq!(areas, sorted, "areas in one fixed order: by name");
    assert!(p["by_lpa"]["North"]["da_offences"]["2019-01"] == 2.0);
    assert!(p["by_lpa"]["South"]["da_offences"]["2019-01"] == 0.0);
    assert_eq!(p["by_risk"]["high"]["da_offences"]["2019-01"], 2.0);
    assert!(
        f["demand_decomposition"]["not_estimable"].is_string(),
        "three months cannot carry a seasonal model"
    );
    // Any date: the periods count back from it, and no other year is in the pack.
    let o = vigil(&["--db", db, "pack", "--json", "--as-of", "2019-03-15"]);
    assert!(o.status.success(), "{}", text(&o));
    let march: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let windows: Vec<&str> = march["windows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(windows.contains(&"2018-03-01..2019-02-28"), "{windows:?}");
    assert!(
        !windows.contains(&"2015-08-01..2016-07-31")
            && !windows.contains(&"2018-09-01..2019-08-31"),
        "no window of the seed's: {windows:?}"
    );
    let summary = vigil(&["--db", db, "pack"]);
    assert!(summary.status.success());
    assert!(text(&summary).contains("DA offences recorded"));
}

#[test]
fn demo_creates_the_store_once_and_reuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let db = db.to_str().unwrap();
    let first = vigil(&["--db", db, "demo", "--no-serve"]);
    assert!(first.status.success(), "{}", text(&first));
    assert!(text(&first).contains("Created"), "{}", text(&first));
    let second = vigil(&["--db", db, "demo", "--no-serve"]);
    assert!(second.status.success());
    assert!(
        text(&second).contains("Using the existing store"),
        "{}",
        text(&second)
    );
    assert!(text(&second).contains("incidents"));
    // One demo sign-in per role, with a fresh password each start.
    for role in [
        "call_handler",
        "response_officer",
        "dait_investigator",
        "dait_sergeant",
        "cru_officer",
        "analyst",
        "partner_agency",
        "administrator",
        "marac_coordinator",
        "marac_chair",
        "superintendent",
    ] {
        assert!(
            text(&second).contains(&format!("username demo.{role}")),
            "{role}"
        );
    }
    let password = |o: &Output| {
        text(o)
            .lines()
            .find(|l| l.contains("demo.analyst"))
            .unwrap()
            .split_whitespace()
            .last()
            .unwrap()
            .to_owned()
    };
    assert_ne!(password(&first), password(&second));
    assert!(text(&vigil(&["--db", db, "audit", "--verify"])).contains("intact"));
}

#[test]
fn the_snapshot_cache_never_serves_stale_records() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let db = db.to_str().unwrap();
    let hand = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/handwritten");
    assert!(
        vigil(&["--db", db, "import", hand.to_str().unwrap()])
            .status
            .success()
    );
    assert!(
        Path::new(&format!("{db}.snapshot")).exists(),
        "import into an empty store writes the cache"
    );
    let offences = |o: &Output| -> f64 {
        let p: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        p["force"]["da_offences"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_f64().unwrap())
            .sum()
    };
    let before = vigil(&["--db", db, "pack", "--json", "--timings"]);
    assert!(
        text(&before).contains("from the columnar cache"),
        "{}",
        text(&before)
    );
    assert_eq!(offences(&before), 3.0);
    // A second batch changes the store: the next pack must see it.
    let batch = dir.path().join("batch");
    std::fs::create_dir_all(&batch).unwrap();
    std::fs::write(batch.join("persons.csv"), "person_id,sex,birth_date,ethnicity,lpa,address_confidential\nB1,female,,white,West,false\n").unwrap();
    std::fs::write(batch.join("incidents.csv"), "incident_id,reported_at,lpa,call_grade,arrived_at,response_target_met,victim_id,suspect_id,relationship,children_present,risk_level,dash_yes_count\nBI1,2019-03-10T10:00:00,West,priority,,,B1,P2,partner,false,,\n").unwrap();
    std::fs::write(batch.join("offences.csv"), "offence_id,incident_id,ho_code,offence_group,offence_date,recorded_date,victim_id,suspect_id,risk_level,team,outcome_code,outcome_date,bwv_captured\nBO1,BI1,,public_order,2019-03-10,2019-03-10,B1,P2,,lpt,,,false\n").unwrap();
    let o = vigil(&[
        "--db",
        db,
        "import",
        batch.to_str().unwrap(),
        "--as-of",
        "2019-09-01",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let after = vigil(&["--db", db, "pack", "--json", "--timings"]);
    assert!(
        text(&after).contains("from the store; cache rebuilt"),
        "{}",
        text(&after)
    );
    assert_eq!(offences(&after), 4.0);
    // A damaged cache is rebuilt, not trusted.
    std::fs::write(format!("{db}.snapshot"), b"VIGILSNP garbage").unwrap();
    let again = vigil(&["--db", db, "pack", "--json"]);
    assert!(again.status.success());
    assert_eq!(offences(&again), 4.0);
}
