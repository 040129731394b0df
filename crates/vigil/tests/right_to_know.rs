//! `vigil screen right-to-know` over the Essex scenario, held to a list computed here,
//! independently, from the extract's own incidents.csv: every partner incident scans every
//! other incident of its suspect (a different walk from `vigil_domain::disclosure`).

use std::collections::{BTreeMap, HashMap};

mod common;
use common::*;

/// Incident id → its earlier triggering incidents (sorted), by the rule in words: a
/// partner or ex-partner incident whose suspect was the suspect of a strictly earlier
/// partner or ex-partner incident against someone else.
fn expected(
    incidents: &[HashMap<String, String>],
    as_of: &str,
    lpa: Option<&str>,
) -> BTreeMap<String, Vec<String>> {
    let partner = |r: &HashMap<String, String>| {
        matches!(r["relationship"].as_str(), "partner" | "ex_partner")
    };
    let mut by_suspect: HashMap<&str, Vec<&HashMap<String, String>>> = HashMap::new();
    for r in incidents {
        if !r["suspect_id"].is_empty() {
            by_suspect
                .entry(r["suspect_id"].as_str())
                .or_default()
                .push(r);
        }
    }
    let end = format!("{as_of}T23:59:59");
    let mut out = BTreeMap::new();
    for r in incidents {
        if !partner(r)
            || r["suspect_id"].is_empty()
            || r["reported_at"] > end
            || lpa.is_some_and(|l| r["lpa"] != l)
        {
            continue;
        }
        let mut earlier: Vec<String> = by_suspect[r["suspect_id"].as_str()]
            .iter()
            .filter(|e| {
                partner(e)
                    && e["victim_id"] != r["victim_id"]
                    && e["reported_at"] < r["reported_at"]
            })
            .map(|e| e["incident_id"].clone())
            .collect();
        if !earlier.is_empty() {
            earlier.sort();
            out.insert(r["incident_id"].clone(), earlier);
        }
    }
    out
}

fn listed(csv_text: &str) -> (Vec<String>, BTreeMap<String, Vec<String>>) {
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    let id = header.iter().position(|h| h == "incident_id").unwrap();
    let earlier = header
        .iter()
        .position(|h| h == "earlier_incidents")
        .unwrap();
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            let mut e: Vec<String> = rec[earlier].split(' ').map(str::to_owned).collect();
            e.sort();
            (rec[id].to_owned(), e)
        })
        .collect();
    (header, rows)
}

#[test]
fn the_screen_lists_exactly_the_incidents_the_extract_says() {
    let dir = tempfile::tempdir().unwrap();
    let (extract, db) = essex_imported(dir.path());
    let incidents = read_csv(&extract.join("incidents.csv"));

    for (as_of, lpa) in [("2019-08-31", None), ("2018-03-31", Some("North"))] {
        let mut args = vec![
            "--db",
            &db,
            "screen",
            "right-to-know",
            "--as-of",
            as_of,
            "--format",
            "csv",
        ];
        if let Some(l) = lpa {
            args.extend(["--lpa", l]);
        }
        let o = vigil(&args);
        assert!(o.status.success(), "{}", text(&o));
        let (header, got) = listed(&String::from_utf8(o.stdout).unwrap());
        assert_eq!(header[0], "incident_id");
        let want = expected(&incidents, as_of, lpa);
        assert!(
            want.len() > 100,
            "the scenario has repeat perpetrators: {}",
            want.len()
        );
        let missing: Vec<&String> = want.keys().filter(|k| !got.contains_key(*k)).collect();
        let extra: Vec<&String> = got.keys().filter(|k| !want.contains_key(*k)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "as of {as_of} {lpa:?}: missing {missing:?}, extra {extra:?}"
        );
        assert_eq!(got, want, "the evidence listed for each incident");
        eprintln!("as of {as_of} {lpa:?}: {} incidents", got.len());
    }

    // A day that is not one, and an area the force does not have, are refused by name.
    let o = vigil(&[
        "--db",
        &db,
        "screen",
        "right-to-know",
        "--as-of",
        "31/13/2019",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--as-of"), "{}", text(&o));
    let o = vigil(&[
        "--db",
        &db,
        "screen",
        "right-to-know",
        "--as-of",
        "2019-08-31",
        "--lpa",
        "Atlantis",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("not one of this force's"), "{}", text(&o));
    // The screen is audited.
    let o = vigil(&["--db", &db, "audit", "--limit", "10"]);
    assert!(text(&o).contains("screen.right_to_know"), "{}", text(&o));
}
