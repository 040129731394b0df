//! `vigil report`: the board report's figures against the pack, its structure, disclosure
//! control, empty periods, and PDF output through headless Chromium when it is installed.

use serde_json::Value;
use std::path::Path;

mod common;
use common::*;

struct Essex {
    dir: tempfile::TempDir,
    db: String,
}

fn essex() -> &'static Essex {
    static E: std::sync::OnceLock<Essex> = std::sync::OnceLock::new();
    E.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("essex.db").to_string_lossy().into_owned();
        let o = vigil(&["--db", &db, "demo", "--no-serve"]);
        assert!(o.status.success(), "{}", text(&o));
        Essex { dir, db }
    })
}

fn report(db: &str, name: &str, extra: &[&str]) -> String {
    let out = essex().dir.path().join(name);
    let mut args = vec!["--db", db, "report", "--out", out.to_str().unwrap()];
    args.extend(extra);
    let o = vigil(&args);
    assert!(o.status.success(), "{}", text(&o));
    std::fs::read_to_string(out).unwrap()
}

/// The numbers carried by `data-value` attributes, in document order.
fn counts(html: &str) -> Vec<f64> {
    html.split("data-value=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().parse().unwrap())
        .collect()
}

#[test]
fn the_report_carries_the_packs_figures_where_the_seed_shows_them() {
    let e = essex();
    let html = report(
        &e.db,
        "essex.html",
        &["--title", "Essex Police (synthetic)"],
    );
    let pack: Value =
        serde_json::from_slice(&vigil(&["--db", &e.db, "pack", "--json"]).stdout).unwrap();
    let f = &pack["force"];
    let off = &f["da_offences"];
    let (a, b) = (
        total(off, "2017-09", "2018-08"),
        total(off, "2018-09", "2019-08"),
    );
    let growth = format!("rose {:.1}%", (b - a) / a * 100.0);
    assert!(html.contains(&growth), "S2 {growth}");
    let c = counts(&html);
    assert_eq!(&c[..2], &[a, b], "S2 counts");
    let fy = &f["positive_outcome_rate"]["2018-04-01..2019-03-31"];
    assert!(
        html.contains(&format!("{:.1}%", fy["rate"].as_f64().unwrap() * 100.0)),
        "S1 rate"
    );
    assert!(
        c.contains(&fy["solved"].as_f64().unwrap())
            && c.contains(&fy["offences"].as_f64().unwrap()),
        "S1 counts"
    );
    let d = &f["demand_decomposition"];
    assert!(
        html.contains(&format!(
            "it is estimated that +{:.1}% was a genuine change",
            d["genuine_change"].as_f64().unwrap() * 100.0
        )),
        "S3"
    );
    let arrests = (total(&f["arrests"], "2018-08", "2019-07") / 12.0).round();
    assert!(
        html.contains(&format!("Arrests averaged {arrests} a month")),
        "S17 {arrests}"
    );
    let rr = &f["repeat_incident_rate"];
    assert!(
        html.contains(&format!(
            "from {:.2}% in July 2016 to {:.2}% in July 2019",
            rr["2016-07"].as_f64().unwrap() * 100.0,
            rr["2019-07"].as_f64().unwrap() * 100.0
        )),
        "S9"
    );
    let dtf = f["days_to_finalise"]["2019-08"].as_f64().unwrap();
    assert!(
        html.contains(&format!("{dtf:.2} days in August 2019")),
        "S8"
    );
    let r16 = f["correlation"]["outcome_16~da_offences"].as_f64().unwrap();
    assert!(html.contains(&format!("correlation {r16:.2}")), "S19");
    let marac = &f["marac_referrals"]["2019-02-01..2019-09-30"]["police"];
    assert!(
        html.contains(&format!(
            "referred <span class=\"count\" data-value=\"{}\"",
            marac
        )),
        "S10"
    );
    // The data's first year cannot see a year back: its repeat rate is shaded and said.
    assert!(
        html.contains("under 12 months of history"),
        "the thin months are shaded"
    );
    assert!(
        html.contains("fewer than 12 months of earlier records exist"),
        "and said"
    );
    assert_eq!(
        pack["coverage"]["partial_month_left_out"], "2019-09",
        "the extract is as of 1 September: September is not over"
    );
    // Section 7's tables carry the pack's orders and Clare's Law figures for the latest year.
    let latest = "2018-09-01..2019-08-31";
    let section = html.split("<h2 id=\"orders\">").nth(1).unwrap();
    let section = section.split("<h2 id=\"demand\">").next().unwrap();
    let value = |v: &Value| format!("data-value=\"{}\"", v.as_u64().expect("a count"));
    let ag = &f["orders_applied_granted"][latest]["dvpo"];
    let heard = &f["hearings_within_48h"][latest]["dvpo"];
    let breached = &f["order_breaches"][latest]["dvpo"];
    for (what, v) in [
        ("DVPNs served", &ag["notices"]),
        ("followed by a DVPO", &ag["orders_granted"]),
        ("made within 48 hours", &heard["within_48_hours"]),
        ("DVPOs breached", &breached["breached"]),
    ] {
        let row = section
            .split(what)
            .nth(1)
            .unwrap_or_else(|| panic!("{what} row"));
        let row = row.split("</tr>").next().unwrap();
        assert!(row.contains(&value(v)), "{what}: {v} in {row}");
    }
    let ask = &f["disclosure_routes"][latest]["right_to_ask"];
    let row = section
        .split("Right to ask")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    for k in [
        "received",
        "disclosed",
        "not_disclosed",
        "withdrawn",
        "open",
    ] {
        assert!(row.contains(&value(&ask[k])), "right to ask {k}");
    }
    let share = f["disclosure_stages"][latest]["right_to_ask"]["decision"]["share_on_time"]
        .as_f64()
        .unwrap();
    assert!(row.contains(&format!("{:.1}%", share * 100.0)), "{row}");
    // Structure: the seed's sections, every chart with a title, axes and a data table.
    for id in [
        "summary",
        "volumes",
        "resources",
        "impact",
        "performance",
        "repeats",
        "orders",
        "demand",
        "appendix",
    ] {
        assert!(html.contains(&format!("<h2 id=\"{id}\">")), "section {id}");
    }
    let charts = html.matches("<figure class=\"chart\"").count();
    assert!(charts >= 9, "{charts} charts");
    assert_eq!(html.matches("role=\"img\"").count(), charts);
    assert_eq!(
        html.matches("<details><summary>Data for this chart")
            .count(),
        charts
    );
    assert_eq!(html.matches(">Month</text>").count(), charts);
    assert!(html.contains("Input fingerprint"));
    // No resource the page would fetch from elsewhere: every src, href and url() points
    // into the page itself (the SVG namespace names a standard, it is never fetched).
    let off_page: Vec<&str> = ["src=\"", "href=\"", "url("]
        .iter()
        .flat_map(|attr| html.split(attr).skip(1))
        .map(|rest| rest.split(['"', ')']).next().unwrap_or(""))
        .filter(|target| !target.starts_with('#') && !target.starts_with("data:"))
        .collect();
    assert!(off_page.is_empty(), "network resources: {off_page:?}");
    assert!(!html.contains("<script"), "no scripts");
}

#[test]
fn a_published_report_shows_no_count_from_one_to_four() {
    let e = essex();
    let html = report(&e.db, "lpa-published.html", &["--lpa", "West", "--publish"]);
    assert!(html.contains("Published version"));
    let small: Vec<f64> = counts(&html)
        .into_iter()
        .filter(|n| (1.0..=4.0).contains(n))
        .collect();
    assert!(small.is_empty(), "small counts shown: {small:?}");
    // The chart tables print values too: none of them may be a count from 1 to 4.
    for cell in html.split("<td class=\"num\">").skip(1) {
        let v = cell.split('<').next().unwrap().replace(',', "");
        if let Ok(n) = v.parse::<f64>() {
            assert!(
                !(1.0..=4.0).contains(&n) || v.contains('.'),
                "a published table shows {v}"
            );
        }
    }
    let unpublished = report(&e.db, "lpa.html", &["--lpa", "West"]);
    assert!(!unpublished.contains("Published version"));
}

#[test]
fn a_period_with_no_data_gives_a_readable_report() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hand.db");
    let db = db.to_str().unwrap();
    let hand = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/handwritten");
    assert!(
        vigil(&[
            "--db",
            db,
            "import",
            hand.to_str().unwrap(),
            "--as-of",
            "2019-09-01"
        ])
        .status
        .success()
    );
    let out = dir.path().join("r.html");
    let o = vigil(&["--db", db, "report", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let html = std::fs::read_to_string(out).unwrap();
    assert!(
        html.contains("cannot be compared"),
        "the report says the comparison is not meaningful"
    );
    assert!(
        html.contains("could not be"),
        "the decomposition says why it is missing"
    );
    assert!(html.contains("</html>"));
}

#[test]
fn bad_report_requests_are_refused_clearly() {
    let e = essex();
    let o = vigil(&[
        "--db",
        &e.db,
        "report",
        "--lpa",
        "Narnia",
        "--out",
        "/dev/null",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o)
            .contains("no Local Policing Area of that name; the records have North, South, West")
            || text(&o).contains("no Local Policing Area of that name"),
        "{}",
        text(&o)
    );
    let o = vigil(&["--db", &e.db, "report", "--as-of", "2019-13-01"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn pdf_through_headless_chromium() {
    let e = essex();
    let html = e.dir.path().join("p.html");
    let pdf = e.dir.path().join("p.pdf");
    let o = vigil(&[
        "--db",
        &e.db,
        "report",
        "--out",
        html.to_str().unwrap(),
        "--pdf",
        pdf.to_str().unwrap(),
    ]);
    let has_chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .any(|p| Path::new(p).exists());
    if has_chromium {
        assert!(o.status.success(), "{}", text(&o));
        let bytes = std::fs::read(&pdf).unwrap();
        assert!(bytes.starts_with(b"%PDF"), "not a PDF");
        assert!(bytes.len() > 20_000);
    } else {
        assert_eq!(o.status.code(), Some(1));
        assert!(text(&o).contains("needs headless Chromium"), "{}", text(&o));
        assert!(
            html.exists(),
            "the HTML is written even when the PDF cannot be"
        );
    }
}

/// A force whose records run from January 2021 to December 2025: the pack's windows, its
/// months and the report's periods all come from the force's own dates, and no window or
/// sentence names a year of the seed report's period (2015–2019).
#[test]
fn a_force_of_2021_to_2025_gets_a_pack_and_report_of_its_own_dates() {
    let dir = tempfile::tempdir().unwrap();
    let extract = dir.path().join("extract");
    let o = vigil(&[
        "synth",
        "--scenario",
        "northshire-2025",
        "--out",
        extract.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let db = dir.path().join("north.db").to_string_lossy().into_owned();
    let o = vigil(&["--db", &db, "import", extract.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let pack: Value =
        serde_json::from_slice(&vigil(&["--db", &db, "pack", "--json"]).stdout).unwrap();
    assert_eq!(pack["as_of"], "2026-01-01");
    let windows: Vec<&str> = pack["windows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    // The twelve complete months to as_of and the twelve before, then the report's periods,
    // all counted back from as_of.
    assert_eq!(
        windows[..2],
        ["2024-01-01..2024-12-31", "2025-01-01..2025-12-31"],
        "{windows:?}"
    );
    assert!(windows.iter().all(|w| w.starts_with("202")), "{windows:?}");
    let months = pack["months"].as_array().unwrap();
    assert_eq!(months.first().unwrap(), "2021-01");
    assert_eq!(months.last().unwrap(), "2025-12");
    assert_eq!(pack["coverage"]["full_history_from"], "2022-01");
    let seed_years = ["2015", "2016", "2017", "2018", "2019"];
    let json = pack.to_string();
    for y in seed_years {
        assert!(!json.contains(&format!("\"{y}-")), "the pack names {y}");
    }
    let out = dir.path().join("north.html");
    let o = vigil(&["--db", &db, "report", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let html = std::fs::read_to_string(out).unwrap();
    assert!(
        html.contains("12 months to December 2025"),
        "the period named in words"
    );
    for y in seed_years {
        assert!(!html.contains(y), "the report names {y}");
    }
    // Areas of its own, in name order.
    let areas: Vec<&String> = pack["by_lpa"].as_object().unwrap().keys().collect();
    assert_eq!(areas, ["Coast", "Downs", "Vale"]);
}
