//! The SafeLives MARAC return for a quarter of the Essex scenario, held to counts computed
//! here, independently, from the extract's own CSV files (a different walk over the data
//! than `vigil_domain::marac_return`: every referral scans every referral and incident).

use std::collections::HashMap;
use std::path::Path;

mod common;
use common::*;

type Row = HashMap<String, String>;

fn read(dir: &Path, file: &str) -> Vec<Row> {
    read_csv(&dir.join(file))
}

/// Whole years from `born` to `on` (both `YYYY-MM-DD`), by comparing the text parts.
fn years(born: &str, on: &str) -> i64 {
    let part = |s: &str, a: usize, b: usize| s[a..b].parse::<i64>().unwrap();
    let mut y = part(on, 0, 4) - part(born, 0, 4);
    if (part(on, 5, 7), part(on, 8, 10)) < (part(born, 5, 7), part(born, 8, 10)) {
        y -= 1;
    }
    y
}

/// Days from `a` to `b` (`YYYY-MM-DDTHH:MM:SS`), as a fraction, by a civil-day count.
fn days_between(a: &str, b: &str) -> f64 {
    fn stamp(s: &str) -> f64 {
        let d = chrono_free_days(&s[..10]);
        let h: f64 = s[11..13].parse().unwrap();
        let m: f64 = s[14..16].parse().unwrap();
        let sec: f64 = s[17..19].parse().unwrap();
        d as f64 + (h * 3600.0 + m * 60.0 + sec) / 86_400.0
    }
    stamp(b) - stamp(a)
}

/// Days since 1970-01-01 for a `YYYY-MM-DD` (the proleptic Gregorian count).
fn chrono_free_days(s: &str) -> i64 {
    let (y, m, d): (i64, i64, i64) = (
        s[0..4].parse().unwrap(),
        s[5..7].parse().unwrap(),
        s[8..10].parse().unwrap(),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[derive(Default, Debug, PartialEq)]
struct Expected {
    cases: u64,
    repeats: u64,
    children: u64,
    bme: u64,
    male: u64,
    victims_16_17: u64,
    perps_under_18: u64,
    by_agency: HashMap<String, u64>,
}

fn expected(dir: &Path, from: &str, to: &str) -> HashMap<String, Expected> {
    let persons: HashMap<String, Row> = read(dir, "persons.csv")
        .into_iter()
        .map(|p| (p["person_id"].clone(), p))
        .collect();
    let incidents = read(dir, "incidents.csv");
    let by_id: HashMap<&str, &Row> = incidents
        .iter()
        .map(|i| (i["incident_id"].as_str(), i))
        .collect();
    let marac: Vec<Row> = read(dir, "referrals.csv")
        .into_iter()
        .filter(|r| r["kind"] == "marac")
        .collect();
    // Each victim's incidents and MARAC referrals, to look through per referral.
    let mut incidents_of: HashMap<&str, Vec<&Row>> = HashMap::new();
    for i in &incidents {
        incidents_of
            .entry(i["victim_id"].as_str())
            .or_default()
            .push(i);
    }
    let mut marac_of: HashMap<&str, Vec<&Row>> = HashMap::new();
    for r in &marac {
        marac_of.entry(r["person_id"].as_str()).or_default().push(r);
    }
    let mut out: HashMap<String, Expected> = HashMap::new();
    for r in &marac {
        let at = &r["referred_at"];
        let day = &at[..10];
        if day < from || day > to {
            continue;
        }
        let victim = &persons[&r["person_id"]];
        // The household: the named incident, else the victim's latest on or before.
        let household: Option<&Row> = if r["incident_id"].is_empty() {
            incidents_of
                .get(r["person_id"].as_str())
                .into_iter()
                .flatten()
                .copied()
                .filter(|i| i["reported_at"] <= *at)
                .max_by(|a, b| {
                    (a["reported_at"].as_str(), a["incident_id"].as_str())
                        .cmp(&(b["reported_at"].as_str(), b["incident_id"].as_str()))
                })
        } else {
            Some(by_id[r["incident_id"].as_str()])
        };
        let area = household
            .map(|h| h["lpa"].clone())
            .or_else(|| Some(victim["lpa"].clone()).filter(|l| !l.is_empty()))
            .unwrap_or_else(|| "Area not recorded".into());
        let e = out.entry(area).or_default();
        e.cases += 1;
        let repeat = marac_of[r["person_id"].as_str()].iter().any(|o| {
            o["referred_at"] < *at && {
                let gap = days_between(&o["referred_at"], at);
                gap <= 365.0
            }
        });
        e.repeats += u64::from(repeat);
        if household.is_some_and(|h| h["children_present"] == "true") {
            e.children += 1;
        }
        if !["white", "not_stated"].contains(&victim["ethnicity"].as_str()) {
            e.bme += 1;
        }
        if victim["sex"] == "male" {
            e.male += 1;
        }
        if !victim["birth_date"].is_empty()
            && (16..=17).contains(&years(&victim["birth_date"], day))
        {
            e.victims_16_17 += 1;
        }
        let perp_born = household
            .and_then(|h| persons.get(&h["suspect_id"]))
            .map(|p| p["birth_date"].clone())
            .filter(|b| !b.is_empty());
        if perp_born.is_some_and(|b| b.as_str() <= day && years(&b, day) <= 17) {
            e.perps_under_18 += 1;
        }
        *e.by_agency.entry(r["agency"].clone()).or_default() += 1;
    }
    out
}

fn parse_return(csv_text: &str) -> (Vec<String>, Vec<Row>) {
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(str::to_owned))
                .collect()
        })
        .collect();
    (header, rows)
}

#[test]
fn a_quarters_return_agrees_with_the_extract_counted_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let (extract, db) = essex_imported(dir.path());

    for (from, to) in [("2019-04-01", "2019-06-30"), ("2018-10-01", "2018-12-31")] {
        let o = vigil(&[
            "--db", &db, "marac", "return", "--from", from, "--to", to, "--format", "csv",
        ]);
        assert!(o.status.success(), "{}", text(&o));
        let (header, rows) = parse_return(&String::from_utf8(o.stdout).unwrap());
        for col in ["marac_area", "cases", "repeat_cases", "referred_by_police"] {
            assert!(header.iter().any(|h| h == col), "{col} in {header:?}");
        }
        let want = expected(&extract, from, to);
        let areas: Vec<&str> = rows.iter().map(|r| r["marac_area"].as_str()).collect();
        let mut want_areas: Vec<&str> = want.keys().map(String::as_str).collect();
        want_areas.sort();
        want_areas.push("Total");
        assert_eq!(areas, want_areas, "one row per area, then the total");
        let n = |r: &Row, c: &str| r[c].parse::<u64>().unwrap();
        let mut total = Expected::default();
        for r in &rows[..rows.len() - 1] {
            let e = &want[&r["marac_area"]];
            let got = Expected {
                cases: n(r, "cases"),
                repeats: n(r, "repeat_cases"),
                children: n(r, "cases_with_children"),
                bme: n(r, "bme_victims"),
                male: n(r, "male_victims"),
                victims_16_17: n(r, "victims_aged_16_17"),
                perps_under_18: n(r, "perpetrators_under_18"),
                by_agency: e
                    .by_agency
                    .keys()
                    .map(|a| (a.clone(), n(r, &format!("referred_by_{a}"))))
                    .collect(),
            };
            assert_eq!(&got, e, "{from}..{to}, {}", r["marac_area"]);
            total.cases += e.cases;
            total.repeats += e.repeats;
        }
        let t = rows.last().unwrap();
        assert_eq!(
            (n(t, "cases"), n(t, "repeat_cases")),
            (total.cases, total.repeats)
        );
        assert!(
            total.cases > 100,
            "a quarter of the scenario has MARAC cases: {}",
            total.cases
        );
        assert!(total.repeats > 0, "and some repeats");
        eprintln!(
            "{from}..{to}: {} cases, {} repeats; by area {:?}",
            total.cases,
            total.repeats,
            rows.iter()
                .map(|r| format!("{} {}", r["marac_area"], r["cases"]))
                .collect::<Vec<_>>()
        );
    }

    // A force's own areas: North and South are one MARAC, with their populations.
    let areas = dir.path().join("areas.csv");
    std::fs::write(
        &areas,
        "lpa,marac_area,adult_women\nNorth,North and South,150000\nSouth,North and South,170000\nWest,West,120000\n",
    )
    .unwrap();
    let o = vigil(&[
        "--db",
        &db,
        "marac",
        "return",
        "--from",
        "2019-04-01",
        "--to",
        "2019-06-30",
        "--format",
        "csv",
        "--areas",
        areas.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let (_, rows) = parse_return(&String::from_utf8(o.stdout).unwrap());
    let want = expected(&extract, "2019-04-01", "2019-06-30");
    let grouped = rows
        .iter()
        .find(|r| r["marac_area"] == "North and South")
        .unwrap();
    let cases = want["North"].cases + want["South"].cases;
    assert_eq!(grouped["cases"], cases.to_string());
    assert_eq!(grouped["adult_women"], "320000");
    let rate: f64 = grouped["cases_per_10k_women_a_year"].parse().unwrap();
    let expect = cases as f64 / 320_000.0 * 10_000.0 * 365.0 / 91.0;
    assert!((rate - expect).abs() < 0.051, "{rate} against {expect:.2}");
    assert_eq!(grouped["recommended_per_10k"], "40.0");

    // A spreadsheet, and clear refusals.
    let xlsx = dir.path().join("return.xlsx");
    let o = vigil(&[
        "--db",
        &db,
        "marac",
        "return",
        "--from",
        "2019-04-01",
        "--to",
        "2019-06-30",
        "--format",
        "xlsx",
        "--out",
        xlsx.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
    for (args, says) in [
        (
            vec!["--from", "2019-06-30", "--to", "2019-04-01"],
            "is before --from",
        ),
        (
            vec!["--from", "30/06/2019", "--to", "2019-07-01"],
            "--from '30/06/2019'",
        ),
        (
            vec![
                "--from",
                "2019-04-01",
                "--to",
                "2019-06-30",
                "--format",
                "xlsx",
            ],
            "add --out",
        ),
    ] {
        let mut all = vec!["--db", &db, "marac", "return"];
        all.extend(args);
        let o = vigil(&all);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(text(&o).contains(says), "{says}: {}", text(&o));
    }
    std::fs::write(&areas, "lpa,marac_area,adult_women\nNorth,N,many\n").unwrap();
    let o = vigil(&[
        "--db",
        &db,
        "marac",
        "return",
        "--from",
        "2019-04-01",
        "--to",
        "2019-06-30",
        "--areas",
        areas.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("line 2, column adult_women: 'many'"),
        "{}",
        text(&o)
    );
}
