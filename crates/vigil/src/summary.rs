//! The readable form of the performance pack: the headline figures for the latest twelve
//! months beside the twelve before, as a table on the terminal.

use serde_json::Value;
use std::fmt::Write as _;

fn window_total(series: &Value, window: &str) -> Option<f64> {
    let (from, to) = window.split_once("..")?;
    let (from, to) = (&from[..7], &to[..7]);
    let obj = series.as_object()?;
    Some(
        obj.iter()
            .filter(|(m, _)| m.as_str() >= from && m.as_str() <= to)
            .filter_map(|(_, v)| v.as_f64())
            .sum(),
    )
}

fn pct(v: Option<f64>) -> String {
    v.map_or("–".into(), |x| format!("{:.1}%", x * 100.0))
}

fn num(v: Option<f64>) -> String {
    v.map_or("–".into(), |x| format!("{x:.0}"))
}

pub fn render(pack: &Value) -> String {
    let f = &pack["force"];
    // The latest twelve complete months beside the twelve before them.
    let Some(as_of) = pack["as_of"]
        .as_str()
        .and_then(|d| vigil_domain::time::parse_date(d).ok())
    else {
        return "The pack has no extract date.\n".into();
    };
    let last = vigil_analytics::pack::last_complete_month(as_of);
    let (earlier, later) = (
        vigil_analytics::Window::twelve_months_to(vigil_analytics::Month::from_index(
            last.index() - 12,
        ))
        .key(),
        vigil_analytics::Window::twelve_months_to(last).key(),
    );
    let (earlier, later) = (earlier.as_str(), later.as_str());
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Performance pack as of {} (data from {})\n",
        pack["as_of"].as_str().unwrap_or("?"),
        pack["data_from"].as_str().unwrap_or("?")
    );
    let _ = writeln!(out, "{:<44} {:>24} {:>24}", "measure", earlier, later);
    let row = |out: &mut String, name: &str, a: String, b: String| {
        let _ = writeln!(out, "{name:<44} {a:>24} {b:>24}");
    };
    let total = |key: &str, w: &str| window_total(&f[key], w);
    row(
        &mut out,
        "DA offences recorded",
        num(total("da_offences", earlier)),
        num(total("da_offences", later)),
    );
    row(
        &mut out,
        "non-crime DA incidents",
        num(total("non_crime_incidents", earlier)),
        num(total("non_crime_incidents", later)),
    );
    row(
        &mut out,
        "crime share of DA incidents",
        pct(f["crime_incident_share"][earlier].as_f64()),
        pct(f["crime_incident_share"][later].as_f64()),
    );
    row(
        &mut out,
        "solved outcomes",
        num(total("solved_outcomes", earlier)),
        num(total("solved_outcomes", later)),
    );
    row(
        &mut out,
        "solved rate (period)",
        pct(f["solved_rate"][earlier].as_f64()),
        pct(f["solved_rate"][later].as_f64()),
    );
    row(
        &mut out,
        "arrests a month",
        num(total("arrests", earlier).map(|x| x / 12.0)),
        num(total("arrests", later).map(|x| x / 12.0)),
    );
    row(
        &mut out,
        "partner share of relationships",
        pct(f["relationship_share"][earlier].as_f64()),
        pct(f["relationship_share"][later].as_f64()),
    );
    row(
        &mut out,
        "high-risk victims referred to an IDVA",
        pct(f["idva_referral_rate"][earlier]["rate"].as_f64()),
        pct(f["idva_referral_rate"][later]["rate"].as_f64()),
    );
    row(
        &mut out,
        "MARAC referrals",
        num(f["marac_referrals"][earlier]["total"].as_f64()),
        num(f["marac_referrals"][later]["total"].as_f64()),
    );
    row(
        &mut out,
        "DVPOs a month",
        num(total("protection_orders", "x")
            .or(window_total(&f["protection_orders"]["dvpo"], earlier))
            .map(|x| x / 12.0)),
        num(window_total(&f["protection_orders"]["dvpo"], later).map(|x| x / 12.0)),
    );
    let d = &f["demand_decomposition"];
    if let Some(g) = d["genuine_change"].as_f64() {
        let _ = writeln!(
            out,
            "\nDemand: offences changed {} from {} to {}: {} genuine (95% {}–{}), {} recording practice.",
            pct(d["total_change"].as_f64()),
            d["earlier"].as_str().unwrap_or("?"),
            d["later"].as_str().unwrap_or("?"),
            pct(Some(g)),
            pct(d["genuine_change_95"][0].as_f64()),
            pct(d["genuine_change_95"][1].as_f64()),
            pct(d["recording_change"].as_f64()),
        );
    }
    let _ = writeln!(
        out,
        "\nEvery measure, by LPA and risk level: vigil pack --json"
    );
    out
}
