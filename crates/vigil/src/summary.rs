//! The readable form of the performance pack: the headline figures for the latest twelve
//! months beside the twelve before, as a table on the terminal.

use std::fmt::Write as _;
use vigil_analytics::pack::Pack;

fn pct(v: Option<f64>) -> String {
    v.map_or("–".into(), |x| format!("{:.1}%", x * 100.0))
}

fn num(v: Option<f64>) -> String {
    v.map_or("–".into(), |x| format!("{x:.0}"))
}

pub fn render(pack: &Pack) -> String {
    let f = &pack.force;
    // The latest twelve complete months beside the twelve before them.
    let Ok(as_of) = vigil_domain::time::parse_date(&pack.as_of) else {
        return "The pack has no extract date.\n".into();
    };
    let last = vigil_analytics::pack::last_complete_month(as_of);
    let earlier = vigil_analytics::Window::twelve_months_to(vigil_analytics::Month::from_index(
        last.index() - 12,
    ));
    let later = vigil_analytics::Window::twelve_months_to(last);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Performance pack as of {} (data from {})\n",
        pack.as_of, pack.data_from
    );
    let _ = writeln!(
        out,
        "{:<44} {:>24} {:>24}",
        "measure",
        earlier.key(),
        later.key()
    );
    let row = |out: &mut String, name: &str, a: String, b: String| {
        let _ = writeln!(out, "{name:<44} {a:>24} {b:>24}");
    };
    let both = |g: &dyn Fn(vigil_analytics::Window) -> String| (g(earlier), g(later));
    let (a, b) = both(&|w| num(f.da_offences.total(w)));
    row(&mut out, "DA offences recorded", a, b);
    let (a, b) = both(&|w| num(f.non_crime_incidents.total(w)));
    row(&mut out, "non-crime DA incidents", a, b);
    let (a, b) = both(&|w| pct(f.crime_incident_share.rate(w)));
    row(&mut out, "crime share of DA incidents", a, b);
    let (a, b) = both(&|w| num(f.solved_outcomes.total(w)));
    row(&mut out, "solved outcomes", a, b);
    let (a, b) = both(&|w| pct(f.solved_rate.rate(w)));
    row(&mut out, "solved rate (period)", a, b);
    let (a, b) = both(&|w| num(f.arrests.total(w).map(|x| x / 12.0)));
    row(&mut out, "arrests a month", a, b);
    let (a, b) = both(&|w| pct(f.relationship_share.rate(w)));
    row(&mut out, "partner share of relationships", a, b);
    let (a, b) = both(&|w| pct(f.idva_referral_rate.at(w).and_then(|r| r.rate)));
    row(&mut out, "high-risk victims referred to an IDVA", a, b);
    let (a, b) = both(&|w| num(f.marac_referrals.at(w).map(|r| r.total as f64)));
    row(&mut out, "MARAC referrals", a, b);
    let dvpo = f.protection_orders.get("dvpo");
    let (a, b) = both(&|w| num(dvpo.and_then(|s| s.total(w)).map(|x| x / 12.0)));
    row(&mut out, "DVPOs a month", a, b);
    let (a, b) = both(&|w| {
        pct(f
            .orders_applied_granted
            .at(w)
            .and_then(|x| x.get("dvpo"))
            .and_then(|x| x.share_granted))
    });
    row(&mut out, "DVPNs followed by a DVPO", a, b);
    let (a, b) = both(&|w| {
        pct(f
            .hearings_within_48h
            .at(w)
            .and_then(|x| x.get("dvpo"))
            .and_then(|x| x.share))
    });
    row(&mut out, "DVPOs made within 48 hours of the DVPN", a, b);
    let (a, b) = both(&|w| {
        num(f
            .order_breaches
            .at(w)
            .and_then(|x| x.get("dvpo"))
            .and_then(|x| x.per_100))
    });
    row(&mut out, "DVPOs breached, per 100", a, b);
    for (route, label) in [
        (
            "right_to_ask",
            "Clare's Law right to ask: decided in 28 days",
        ),
        (
            "right_to_know",
            "Clare's Law right to know: decided in 28 days",
        ),
    ] {
        let (a, b) = both(&|w| {
            pct(f
                .disclosure_timeliness
                .at(w)
                .and_then(|x| x.get(route))
                .and_then(|x| x.share_within_28_days))
        });
        row(&mut out, label, a, b);
    }
    if let Some(vigil_analytics::pack::Demand::Estimated(d)) = &f.demand_decomposition {
        let _ = writeln!(
            out,
            "\nDemand: offences changed {} from {} to {}: {} genuine (95% {}–{}), {} recording practice.",
            pct(Some(d.total_change)),
            d.earlier,
            d.later,
            pct(Some(d.genuine_change)),
            pct(Some(d.genuine_change_95[0])),
            pct(Some(d.genuine_change_95[1])),
            pct(Some(d.recording_change)),
        );
    }
    let _ = writeln!(
        out,
        "\nEvery measure, by LPA and risk level: vigil pack --json"
    );
    out
}
