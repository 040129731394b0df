//! `vigil cohort` over the Essex scenario, held to what the extract's own CSV files say:
//! the serial perpetrators, and each listed person's score parts counted again by plain
//! scans of incidents.csv and offences.csv.

use std::collections::{BTreeSet, HashMap, HashSet};

mod common;
use common::*;

struct Essex {
    _dir: tempfile::TempDir,
    db: String,
    incidents: Vec<HashMap<String, String>>,
    offences: Vec<HashMap<String, String>>,
}

fn essex() -> &'static Essex {
    static E: std::sync::OnceLock<Essex> = std::sync::OnceLock::new();
    E.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let (extract, db) = essex_imported(dir.path());
        Essex {
            incidents: read_csv(&extract.join("incidents.csv")),
            offences: read_csv(&extract.join("offences.csv")),
            _dir: dir,
            db,
        }
    })
}

fn run(args: &[&str]) -> String {
    let e = essex();
    let mut all = vec!["--db", e.db.as_str(), "cohort"];
    all.extend(args);
    let o = vigil(&all);
    assert!(o.status.success(), "{}", text(&o));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn the_serial_flag_is_the_extract_s_two_victims_in_three_years() {
    let e = essex();
    for (as_of, from) in [("2019-08-31", "2016-09-01"), ("2018-03-31", "2015-04-01")] {
        // Two different victims of incidents reported from the day after the date three
        // years back, to the date.
        let mut victims: HashMap<&str, HashSet<&str>> = HashMap::new();
        for i in &e.incidents {
            let day = &i["reported_at"][..10];
            if !i["suspect_id"].is_empty() && day >= from && day <= as_of {
                victims
                    .entry(i["suspect_id"].as_str())
                    .or_default()
                    .insert(i["victim_id"].as_str());
            }
        }
        let want: BTreeSet<&str> = victims
            .iter()
            .filter(|(_, v)| v.len() >= 2)
            .map(|(s, _)| *s)
            .collect();
        let out = run(&["serial", "--as-of", as_of, "--format", "csv"]);
        let mut lines = out.lines();
        assert_eq!(lines.next(), Some("person_id"));
        let got: BTreeSet<&str> = lines.collect();
        assert!(want.len() > 100, "the scenario has serial perpetrators");
        assert_eq!(got, want, "as of {as_of}");
    }
}

#[test]
fn each_member_s_parts_are_what_the_extract_holds() {
    let e = essex();
    let out = run(&[
        "perpetrators",
        "--lpa",
        "North",
        "--as-of",
        "2019-08-31",
        "--size",
        "15",
        "--format",
        "csv",
    ]);
    let mut r = csv::Reader::from_reader(out.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    for col in ["lpa", "rank", "person_id", "score", "serial"] {
        assert!(header.iter().any(|h| h == col), "{col} in {header:?}");
    }
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 15);
    let lpa_of: HashMap<&str, &str> = e
        .incidents
        .iter()
        .map(|i| (i["incident_id"].as_str(), i["lpa"].as_str()))
        .collect();
    // The look-back: the 730 days to 31 August 2019.
    let from = "2017-09-02";
    let mut last_score = f64::INFINITY;
    for (k, row) in rows.iter().enumerate() {
        assert_eq!(&row[col("rank")], (k + 1).to_string());
        let score: f64 = row[col("score")].parse().unwrap();
        assert!(score <= last_score, "ranked by score");
        last_score = score;
        let person = &row[col("person_id")];
        let theirs: Vec<_> = e
            .incidents
            .iter()
            .filter(|i| {
                i["suspect_id"] == person
                    && i["lpa"] == "North"
                    && (from..="2019-08-31").contains(&&i["reported_at"][..10])
            })
            .collect();
        let victims: HashSet<&str> = theirs.iter().map(|i| i["victim_id"].as_str()).collect();
        let last = theirs
            .iter()
            .map(|i| &i["reported_at"][..10])
            .max()
            .unwrap();
        assert_eq!(row[col("incidents")], theirs.len().to_string(), "{person}");
        assert_eq!(row[col("victims")], victims.len().to_string(), "{person}");
        assert_eq!(&row[col("last_incident")], last, "{person}");
        // Gravity: Vigil's default weights by offence group, capped at 1,000.
        let weight = |g: &str| match g {
            "sexual" => 900.0,
            "violence_with_injury" => 150.0,
            "coercive_control" => 120.0,
            "stalking_harassment" => 90.0,
            "violence_without_injury" => 30.0,
            "criminal_damage" => 15.0,
            "public_order" => 10.0,
            _ => 20.0,
        };
        let harm: f64 = e
            .offences
            .iter()
            .filter(|o| {
                o["suspect_id"] == person
                    && lpa_of[o["incident_id"].as_str()] == "North"
                    && (from..="2019-08-31").contains(&o["recorded_date"].as_str())
            })
            .map(|o| weight(&o["offence_group"]))
            .sum();
        let g: f64 = row[col("gravity")].parse().unwrap();
        assert!(
            (g - (harm / 1000.0).min(1.0)).abs() < 0.0006,
            "{person}: {g} vs {harm}"
        );
        let f: f64 = row[col("frequency")].parse().unwrap();
        assert!((f - (theirs.len() as f64 / 10.0).min(1.0)).abs() < 0.0006);
    }
}

#[test]
fn bad_requests_and_an_empty_area_say_what_to_do() {
    let e = essex();
    let o = vigil(&[
        "--db",
        &e.db,
        "cohort",
        "perpetrators",
        "--lpa",
        "Atlantis",
        "--as-of",
        "2019-08-31",
    ]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("no Local Policing Area of that name"),
        "{}",
        text(&o)
    );
    let o = vigil(&[
        "--db",
        &e.db,
        "cohort",
        "perpetrators",
        "--lpa",
        "North",
        "--as-of",
        "2019-08-31",
        "--format",
        "xlsx",
    ]);
    assert!(!o.status.success());
    assert!(text(&o).contains("--out"), "{}", text(&o));
    let o = vigil(&[
        "--db",
        &e.db,
        "cohort",
        "perpetrators",
        "--lpa",
        "North",
        "--as-of",
        "2019-08-31",
        "--size",
        "0",
    ]);
    assert!(!o.status.success());
    assert!(text(&o).contains("size"), "{}", text(&o));
    // Before any record: an empty cohort, said so.
    let out = run(&["perpetrators", "--lpa", "North", "--as-of", "1990-01-01"]);
    assert!(out.contains("Nobody"), "{out}");
    let csv = run(&[
        "perpetrators",
        "--lpa",
        "all",
        "--as-of",
        "1990-01-01",
        "--format",
        "csv",
    ]);
    assert_eq!(csv.lines().count(), 1, "only the header: {csv}");
    // A spreadsheet with the configuration on its own sheet.
    let dir = tempfile::tempdir().unwrap();
    let x = dir.path().join("c.xlsx");
    run(&[
        "perpetrators",
        "--lpa",
        "all",
        "--as-of",
        "2019-08-31",
        "--format",
        "xlsx",
        "--out",
        x.to_str().unwrap(),
    ]);
    let bytes = std::fs::read(&x).unwrap();
    assert_eq!(&bytes[..2], b"PK");
}
