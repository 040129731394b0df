//! The board report: the seed deep-dive, regenerated from the performance pack.
//!
//! `render` turns a pack (as `vigil_analytics::compute` makes it, with `report_windows`
//! among its windows) into one self-contained HTML document: inline CSS and SVG, no network.
//! Every figure and every sentence is computed from the pack; where a comparison is not
//! meaningful the sentence says so. Pure: no I/O, no clock.

pub mod chart;
pub mod cohort;
pub mod html;
pub mod marac;
pub mod sdc;

use chart::{Line, line_chart};
use html::{count, esc, pct, signed_pct, table};
use sdc::Publish;
use std::fmt::Write as _;
use vigil_analytics::pack::{Keyed, MonthSeries, Monthly, Pack};
use vigil_analytics::{Month, Window};
use vigil_domain::StaffingRecord;
use vigil_domain::time::Date;

/// The periods the report compares, derived from `as_of` as the seed report chose them.
#[derive(Debug, Clone, Copy)]
pub struct ReportWindows {
    /// The last twelve complete months, and the twelve before (the executive summary).
    pub latest: Window,
    pub previous: Window,
    /// Twelve months to the month before the last complete one (allowing for recording
    /// lag, as the seed does), and the same twelve months three years earlier.
    pub trend_latest: Window,
    pub trend_base: Window,
    /// The last complete financial year (April to March): the outcome cohort.
    pub financial_year: Window,
    /// January to June of the latest year with a complete first half, and a year earlier.
    pub half_latest: Window,
    pub half_previous: Window,
    /// The eight months to the end of the month of `as_of` (the seed's "since February").
    pub recent: Window,
    /// The last complete month.
    pub last_month: Window,
}

fn month_window(from: Month, to: Month) -> Window {
    Window {
        from: from.first_day(),
        to: to.last_day(),
    }
}

pub fn report_windows(as_of: Date) -> ReportWindows {
    let last = vigil_analytics::pack::last_complete_month(as_of);
    let m = |k: i32| Month::from_index(last.index() + k);
    let fy_end_year = if last.month >= 3 {
        last.year
    } else {
        last.year - 1
    };
    let fy_end = Month {
        year: fy_end_year,
        month: 3,
    };
    let half_year = if last.month >= 6 {
        last.year
    } else {
        last.year - 1
    };
    let half = |y: i32| month_window(Month { year: y, month: 1 }, Month { year: y, month: 6 });
    let as_of_month = Month::of(as_of);
    ReportWindows {
        latest: Window::twelve_months_to(last),
        previous: Window::twelve_months_to(m(-12)),
        trend_latest: Window::twelve_months_to(m(-1)),
        trend_base: Window::twelve_months_to(m(-37)),
        financial_year: Window::twelve_months_to(fy_end),
        half_latest: half(half_year),
        half_previous: half(half_year - 1),
        recent: month_window(Month::from_index(as_of_month.index() - 7), as_of_month),
        last_month: month_window(last, last),
    }
}

impl ReportWindows {
    pub fn all(&self) -> Vec<Window> {
        vec![
            self.latest,
            self.previous,
            self.trend_latest,
            self.trend_base,
            self.financial_year,
            self.half_latest,
            self.half_previous,
            self.recent,
            self.last_month,
        ]
    }
}

/// What the report is for.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// The force (or area) named on the cover.
    pub force: String,
    /// Report one LPA instead of the whole force.
    pub lpa: Option<String>,
    /// Apply disclosure control for publication outside the force.
    pub publish: Option<Publish>,
    /// A fingerprint of the input records, printed in the appendix.
    pub fingerprint: String,
}

/// Reads the pack for one scope (force or LPA).
struct Scope<'a> {
    m: &'a vigil_analytics::pack::Measures,
    months: Vec<Month>,
    publish: Option<Publish>,
    /// The months whose incidents lack a year of earlier records, if any are charted.
    thin_history: Option<Window>,
}

fn month_of(key: &str) -> Option<Month> {
    let (y, m) = key.split_once('-')?;
    Some(Month {
        year: y.parse().ok()?,
        month: m.parse().ok()?,
    })
}

/// Fewer cases than this make a comparison of rates or growth not meaningful.
const MIN_CASES: f64 = 20.0;

impl Scope<'_> {
    fn series(&self, v: &impl MonthSeries) -> Vec<(Month, Option<f64>)> {
        v.over(&self.months)
    }

    /// A count series as published: cells that disclosure control hides become gaps.
    fn count_series(&self, v: &Monthly, people: bool) -> Vec<(Month, Option<f64>)> {
        self.series(v)
            .into_iter()
            .map(|(m, x)| {
                (
                    m,
                    x.filter(|x| !self.publish.is_some_and(|p| p.hides(*x, people))),
                )
            })
            .collect()
    }

    fn total(&self, v: &Monthly, w: Window) -> Option<f64> {
        v.total(w)
    }

    /// A count for the page: suppressed under disclosure control when small.
    fn count(&self, n: Option<f64>, people: bool) -> String {
        match n {
            None => "not available".into(),
            Some(n) if self.publish.is_some_and(|p| p.hides(n, people)) => {
                "<span class=\"suppressed\">[c]</span>".into()
            }
            Some(n) => format!(
                "<span class=\"count\" data-value=\"{n:.0}\">{}</span>",
                count(n)
            ),
        }
    }

    /// A rate for the page: withheld on a small denominator under disclosure control.
    fn rate(&self, rate: Option<f64>, denominator: Option<f64>) -> String {
        match (rate, denominator) {
            (None, _) => "not available".into(),
            (Some(_), Some(d))
                if self
                    .publish
                    .is_some_and(|p| d < p.min_rate_denominator as f64) =>
            {
                "<span class=\"suppressed\">[u]</span>".into()
            }
            (Some(r), _) => pct(r),
        }
    }
}

/// A rate for a window, as the pack holds it.
fn w(v: &Keyed<Option<f64>>, window: Window) -> Option<f64> {
    v.rate(window)
}

/// "rose 36.7% (from 20,912 to 28,580)" or why no comparison is made.
fn change(scope: &Scope, earlier: Option<f64>, later: Option<f64>, people: bool) -> String {
    match (earlier, later) {
        (Some(a), Some(b)) if a >= MIN_CASES && b >= 0.0 => {
            let g = (b - a) / a;
            format!(
                "{} {} (from {} to {})",
                if g >= 0.0 { "rose" } else { "fell" },
                pct(g.abs()),
                scope.count(Some(a), people),
                scope.count(Some(b), people)
            )
        }
        (Some(a), Some(b)) => format!(
            "cannot be compared meaningfully: there were too few cases ({} then {})",
            scope.count(Some(a), people),
            scope.count(Some(b), people)
        ),
        _ => "cannot be compared: one of the periods lies outside the data".into(),
    }
}

fn per_month(x: Option<f64>, window: Window) -> Option<f64> {
    x.map(|x| x / window.months())
}

fn month_label(m: Month) -> String {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    format!("{} {}", NAMES[m.month as usize - 1], m.year)
}

/// The months whose incidents lack a year of earlier records (the repeat measures undercount
/// there), from the pack's coverage; `None` when the data reach back a year from the start.
/// Charts shade it; it may run past the charted months, which the chart clips.
pub fn thin_history(pack: &Pack) -> Option<Window> {
    match (
        month_of(&pack.coverage.first_month),
        month_of(&pack.coverage.full_history_from),
    ) {
        (Some(a), Some(b)) if b.index() > a.index() => Some(Window {
            from: a.first_day(),
            to: Month::from_index(b.index() - 1).last_day(),
        }),
        _ => None,
    }
}

/// A month in words ("April 2024").
fn month_label_long(m: Month) -> String {
    m.first_day().format("%B %Y").to_string()
}

/// A counting-rule change as the report says it.
fn rule_words(r: &vigil_domain::counting_rules::CountingRules) -> &'static str {
    if r.stalking_harassment_recorded_in_addition {
        "stalking and harassment are recorded in addition to the most serious offence"
    } else {
        "stalking and harassment are again absorbed into the most serious offence"
    }
}

fn month_name(w: Window) -> String {
    month_label(Month::of(w.to))
}

fn twelve_to(w: Window) -> String {
    format!("the 12 months to {}", month_name(w))
}

const CSS: &str = r#"
body{font-family:Arial,Helvetica,sans-serif;color:#0b0c0c;max-width:960px;margin:0 auto;padding:24px;line-height:1.45;font-size:16px}
h1{font-size:32px;margin:0 0 8px}h2{font-size:24px;margin:40px 0 12px;border-top:2px solid #0b0c0c;padding-top:12px}
h3{font-size:19px;margin:20px 0 8px}.caption{color:#505a5f;font-size:16px}
.headline{border-left:6px solid #1d70b8;padding:4px 16px;margin:12px 0;background:#f3f2f1}
table.data{border-collapse:collapse;margin:8px 0 16px;width:100%}table.data caption{text-align:left;font-weight:bold;padding:4px 0}
table.data th,table.data td{border-bottom:1px solid #b1b4b6;padding:6px 8px;text-align:left;vertical-align:top}
.num{text-align:right!important;font-variant-numeric:tabular-nums}
figure.chart{margin:16px 0 24px}figure.chart svg{max-width:100%;height:auto;border:1px solid #b1b4b6}
.legend{list-style:none;padding:0;margin:4px 0;display:flex;gap:16px;flex-wrap:wrap;font-size:14px}
details summary{cursor:pointer;color:#1d70b8;text-decoration:underline}
.suppressed{font-style:italic}.notice{border:3px solid #d4351c;padding:8px 16px;margin:16px 0}
.meta{color:#505a5f;font-size:14px}
@media print{body{max-width:none;padding:0;font-size:11pt}h2{break-before:auto;break-after:avoid}figure.chart,table.data{break-inside:avoid}details{display:block}details>*{display:block}details table{display:table}a{color:#0b0c0c}}
"#;

/// Renders the report.
pub fn render(pack: &Pack, staffing: &[StaffingRecord], opts: &ReportOptions) -> String {
    let as_of: Date = vigil_domain::time::parse_date(&pack.as_of).unwrap_or_default();
    let rw = report_windows(as_of);
    // A first month the data began part-way through is not charted: its count is of part of
    // a month, and would be drawn as a fall.
    let months: Vec<Month> = pack
        .months
        .iter()
        .filter(|m| !(pack.coverage.first_month_partial && **m == pack.coverage.first_month))
        .filter_map(|m| month_of(m))
        .collect();
    // An area the pack does not hold is refused before rendering (`vigil report --lpa`
    // checks it); should one reach here, the force's figures stand in.
    let scope_measures = pack.scope(opts.lpa.as_deref()).unwrap_or(&pack.force);
    let thin_history = thin_history(pack);
    let s = Scope {
        m: scope_measures,
        months,
        publish: opts.publish,
        thin_history,
    };
    let area = match &opts.lpa {
        Some(l) => format!("{} — {} Local Policing Area", opts.force, l),
        None => opts.force.clone(),
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Domestic abuse deep dive: {}</title><style>{CSS}</style></head><body><main>",
        esc(&area)
    );
    let _ = write!(
        out,
        "<p class=\"caption\">Board report</p><h1>Domestic abuse: response, investigation and safeguarding</h1><p class=\"caption\">{} · data as of {} · generated by Vigil from the force's records</p>",
        esc(&area),
        as_of
    );
    if let Some(p) = &opts.publish {
        let _ = write!(
            out,
            "<div class=\"notice\"><p><strong>Published version.</strong> Counts from 1 to {} (1 to {} in tables of people) are shown as [c]; further cells are hidden where a total would reveal them; rates on fewer than {} cases are shown as [u]. Chart lines have gaps where a value was withheld.</p></div>",
            p.max_suppressed, p.max_suppressed_people, p.min_rate_denominator
        );
    }
    executive_summary(&mut out, &s, &rw);
    volumes(&mut out, &s, &rw);
    resources(&mut out, &s, staffing, &rw, opts.lpa.as_deref());
    impact(&mut out, &s, &rw);
    performance(&mut out, &s, &rw);
    repeats_and_partnership(&mut out, &s, &rw);
    orders_and_demand(&mut out, &s, &rw);
    appendix(&mut out, pack, &rw, opts);
    out.push_str("</main></body></html>\n");
    out
}

fn executive_summary(out: &mut String, s: &Scope, rw: &ReportWindows) {
    let m = s.m;
    out.push_str("<h2 id=\"summary\">1. Executive summary</h2>");
    let off = &m.da_offences;
    let (a, b) = (s.total(off, rw.previous), s.total(off, rw.latest));
    let _ = write!(
        out,
        "<p class=\"headline\">In {} compared with {}, DA offences recorded {}.</p>",
        twelve_to(rw.latest),
        twelve_to(rw.previous),
        change(s, a, b, false)
    );
    use vigil_analytics::pack::Demand;
    if let Some(Demand::Estimated(d)) = &m.demand_decomposition {
        let (g, r, go, ro) = (
            d.genuine_change,
            d.recording_change,
            d.genuine_offences,
            d.recording_offences,
        );
        let _ = write!(
            out,
            "<p class=\"headline\">Of the change from {} to {}, it is estimated that {} was a genuine change ({} offences) and {} the effect of recording practice and the counting rules ({} offences); 95% intervals {} to {} and {} to {}.</p>",
            twelve_to(rw.previous),
            twelve_to(rw.latest),
            signed_pct(g),
            s.count(Some(go.round()), false),
            signed_pct(r),
            s.count(Some(ro.round()), false),
            signed_pct(d.genuine_change_95[0]),
            signed_pct(d.genuine_change_95[1]),
            signed_pct(d.recording_change_95[0]),
            signed_pct(d.recording_change_95[1]),
        );
    } else {
        let _ = write!(
            out,
            "<p class=\"headline\">The change could not be split into genuine and recording effects: {}.</p>",
            esc(match &m.demand_decomposition {
                Some(Demand::NotEstimable { not_estimable }) => not_estimable,
                _ => "the series is too short",
            })
        );
    }
    let so = &m.solved_outcomes;
    let (sa, sb) = (s.total(so, rw.previous), s.total(so, rw.latest));
    let (ra, rb) = (w(&m.solved_rate, rw.previous), w(&m.solved_rate, rw.latest));
    let solved_sentence = match (sa, sb, ra, rb, a, b) {
        (Some(sa), Some(sb), Some(ra), Some(rb), Some(oa), Some(ob)) if oa >= MIN_CASES && ob >= MIN_CASES => format!(
            "From {} to {}, solved outcomes {} by {} ({}, {} solved outcomes), while the solved rate {} {:.1} percentage points to {}.",
            twelve_to(rw.previous),
            twelve_to(rw.latest),
            if sb >= sa { "increased" } else { "decreased" },
            s.count(Some((sb - sa).abs()), false),
            if sa > 0.0 { signed_pct((sb - sa) / sa) } else { "from none".into() },
            s.count(Some(sb), false),
            if rb >= ra { "rose" } else { "fell" },
            ((rb - ra) * 100.0).abs(),
            s.rate(Some(rb), Some(ob)),
        ),
        _ => "Solved outcomes and the solved rate cannot be compared meaningfully for these periods (too few offences or a period outside the data).".into(),
    };
    let _ = write!(out, "<p class=\"headline\">{solved_sentence}</p>");
    let cohort = m.positive_outcome_rate.at(rw.financial_year);
    let _ = write!(
        out,
        "<p class=\"headline\">As of {}, {} ({} of {}) of DA crimes recorded in the financial year {} to {} resulted in a positive outcome.</p>",
        rw.latest.to.succ_opt().unwrap_or(rw.latest.to),
        s.rate(
            cohort.and_then(|c| c.rate),
            cohort.map(|c| c.offences as f64)
        ),
        s.count(cohort.map(|c| c.solved as f64), false),
        s.count(cohort.map(|c| c.offences as f64), false),
        rw.financial_year.from.format("%B %Y"),
        rw.financial_year.to.format("%B %Y"),
    );
}

fn volumes(out: &mut String, s: &Scope, rw: &ReportWindows) {
    let m = s.m;
    out.push_str("<h2 id=\"volumes\">2. Volumes</h2>");
    let (off, nc) = (&m.da_offences, &m.non_crime_incidents);
    let (base, latest) = (rw.trend_base, rw.trend_latest);
    let share = &m.crime_incident_share;
    // The counting-rule changes in the charted years, named from the domain's dated rules.
    let rules: Vec<String> = match (s.months.first(), s.months.last()) {
        (Some(a), Some(b)) => {
            vigil_domain::counting_rules::changes_between(a.first_day(), b.last_day())
                .iter()
                .map(|r| {
                    format!(
                        "from {}, {}",
                        r.effective_date().format("%B %Y"),
                        rule_words(r)
                    )
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let _ = write!(
        out,
        "<p>DA-related crime {} and DA-related non-crime incidents {} between {} and {}. Crime as a share of all DA incidents moved from {} to {}: incidents and offences are counted separately, and one incident can hold several offences{}.</p>",
        change(s, s.total(off, base), s.total(off, latest), false),
        change(s, s.total(nc, base), s.total(nc, latest), false),
        twelve_to(base),
        twelve_to(latest),
        s.rate(w(share, base), s.total(off, base)),
        s.rate(w(share, latest), s.total(off, latest)),
        if rules.is_empty() {
            String::new()
        } else {
            format!(" ({})", esc(&rules.join("; ")))
        },
    );
    // The month from which offences stayed above non-crime incidents to the end.
    let pairs: Vec<(Month, Option<f64>, Option<f64>)> = s
        .series(off)
        .into_iter()
        .zip(s.series(nc))
        .map(|((m, o), (_, n))| (m, o, n))
        .collect();
    let last_not_above = pairs
        .iter()
        .rposition(|(_, o, n)| !matches!((o, n), (Some(o), Some(n)) if o > n));
    let since = match last_not_above {
        None => pairs.first().map(|p| p.0),
        Some(i) => pairs.get(i + 1).map(|p| p.0),
    };
    let title = match since {
        Some(mo) if pairs.len() >= 6 && pairs.last().is_some_and(|p| p.0 != mo) => {
            format!(
                "DA crimes have exceeded DA non-crime incidents every month since {}",
                month_label(mo)
            )
        }
        _ => "DA crimes and DA non-crime incidents by month".into(),
    };
    out.push_str(&line_chart(
        "chart-volumes",
        &title,
        "Count per month",
        &[
            Line {
                label: "DA offences recorded",
                points: s.count_series(off, false),
            },
            Line {
                label: "DA non-crime incidents",
                points: s.count_series(nc, false),
            },
        ],
        &[(base, "base year"), (latest, "latest year")],
        &|v| count(v),
    ));
    let rel = &m.relationship_share;
    let _ = write!(
        out,
        "<p>Partner and ex-partner abuse made up {} of incidents with a known relationship in {} and {} in {}.</p>",
        s.rate(w(rel, base), s.total(nc, base)),
        twelve_to(base),
        s.rate(w(rel, latest), s.total(nc, latest)),
        twelve_to(latest)
    );
    let groups = &m.offence_group_series;
    let empty = Monthly::default();
    let rows: Vec<Vec<String>> = vigil_domain::OffenceGroup::ALL
        .iter()
        .map(|g| {
            let ser = groups.get(g.as_str()).unwrap_or(&empty);
            let (x, y) = (s.total(ser, base), s.total(ser, latest));
            let growth = match (x, y) {
                (Some(x), Some(y)) if x >= MIN_CASES => signed_pct((y - x) / x),
                _ => "–".into(),
            };
            vec![
                esc(&g.as_str().replace('_', " ")),
                s.count(x, false),
                s.count(y, false),
                growth,
            ]
        })
        .collect();
    out.push_str(&table(
        &format!(
            "DA offences by type: {} and {}",
            twelve_to(base),
            twelve_to(latest)
        ),
        &["Offence group", "Base year", "Latest year", "Change"],
        &rows,
    ));
    let sh = m
        .offence_group_series
        .get("stalking_harassment")
        .unwrap_or(&empty);
    // The step where stalking and harassment began to be recorded in addition, if the
    // charted months span it (the date is the domain's counting rules').
    let step = vigil_domain::counting_rules::VERSIONS
        .iter()
        .find(|r| r.stalking_harassment_recorded_in_addition)
        .map(|r| Month::of(r.effective_date()))
        .unwrap_or(Month { year: 0, month: 1 });
    let before = s
        .months
        .iter()
        .position(|m| *m == step)
        .and_then(|i| i.checked_sub(1))
        .map(|i| s.months[i]);
    let title = match (before.and_then(|b| sh.month(b)), sh.month(step)) {
        (Some(a), Some(b)) if a >= MIN_CASES => format!(
            "Stalking and harassment offences stepped from {} in {} to {} in {}, when the counting rule changed",
            count(a),
            month_label_long(Month::from_index(step.index() - 1)),
            count(b),
            month_label_long(step)
        ),
        _ => "DA-related stalking and harassment offences by month".into(),
    };
    out.push_str(&line_chart(
        "chart-stalking",
        &title,
        "Offences per month",
        &[Line {
            label: "Stalking and harassment",
            points: s.count_series(sh, false),
        }],
        &[],
        &|v| count(v),
    ));
}

fn resources(
    out: &mut String,
    s: &Scope,
    staffing: &[StaffingRecord],
    rw: &ReportWindows,
    lpa: Option<&str>,
) {
    out.push_str("<h2 id=\"resources\">3. Police resources</h2>");
    let latest_date = staffing.iter().map(|r| r.as_of).max();
    let Some(d) = latest_date else {
        out.push_str("<p>No staffing records are held, so establishment, strength and vacancies cannot be shown.</p>");
        return;
    };
    let rows: Vec<&StaffingRecord> = staffing
        .iter()
        .filter(|r| {
            r.as_of == d && lpa.is_none_or(|l| r.lpa.as_ref().is_none_or(|x| x.as_str() == l))
        })
        .collect();
    let mut table_rows = Vec::new();
    let mut teams: Vec<(String, f64, f64, f64)> = Vec::new();
    for r in &rows {
        let name = format!(
            "{} {}",
            r.team.as_str().to_uppercase(),
            r.lpa.as_ref().map_or(String::new(), |l| format!("({l})"))
        );
        let key = format!("{name} {}", r.rank);
        teams.push((
            key.clone(),
            r.establishment_fte,
            r.strength_fte,
            r.deployable_fte,
        ));
    }
    teams.sort_by(|a, b| a.0.cmp(&b.0));
    for (k, e, st, dep) in &teams {
        table_rows.push(vec![
            esc(k),
            format!("{e:.2}"),
            format!("{st:.2}"),
            format!("{:.2}", e - st),
            format!("{dep:.2}"),
        ]);
    }
    let _ = write!(
        out,
        "<p>Establishment, strength and vacancies (full-time equivalents) on {d}.</p>"
    );
    out.push_str(&table(
        &format!("Staffing on {d}"),
        &[
            "Team and rank",
            "Establishment",
            "Strength",
            "Vacancies",
            "Deployable",
        ],
        &table_rows,
    ));
    let (dait, dait_est) = rows
        .iter()
        .filter(|r| {
            r.team == vigil_domain::StaffTeam::Dait
                && matches!(
                    r.rank,
                    vigil_domain::Rank::Constable | vigil_domain::Rank::Sergeant
                )
        })
        .fold((0.0, 0.0), |(st, est), r| {
            (st + r.strength_fte, est + r.establishment_fte)
        });
    let specialist =
        s.m.offences_by_risk
            .at(rw.latest)
            .map_or(0.0, |r| (r.medium.offences + r.high.offences) as f64);
    if dait > 0.0 {
        let _ = write!(
            out,
            "<p>DAIT sergeants and constables number {dait:.2} against an establishment of {dait_est:.2} ({:.1}% vacant). In {} they carried {} medium and high risk offences: {:.1} per investigator.</p>",
            if dait_est > 0.0 {
                (dait_est - dait) / dait_est * 100.0
            } else {
                0.0
            },
            twelve_to(rw.latest),
            s.count(Some(specialist), false),
            specialist / dait
        );
    }
}

fn impact(out: &mut String, s: &Scope, rw: &ReportWindows) {
    let m = s.m;
    out.push_str("<h2 id=\"impact\">4. Impact on performance</h2>");
    let rot = &m.response_on_target;
    let series = s.series(rot);
    let recent: Vec<(Month, f64)> = series
        .iter()
        .rev()
        .take(3)
        .filter_map(|(mo, v)| v.map(|v| (*mo, v)))
        .collect();
    let typical: Vec<f64> = series
        .iter()
        .rev()
        .skip(3)
        .filter_map(|(_, v)| *v)
        .collect();
    let typical = (!typical.is_empty()).then(|| typical.iter().sum::<f64>() / typical.len() as f64);
    let title = match (typical, recent.iter().map(|(_, v)| *v).reduce(f64::min)) {
        (Some(t), Some(low)) if low < t - 0.05 => format!(
            "Emergency responses on target fell to {} recently, against about {} before",
            pct(low),
            pct(t)
        ),
        (Some(t), _) => format!("About {} of emergency responses arrived on target", pct(t)),
        _ => "Emergency responses arriving on target, by month".into(),
    };
    out.push_str(&line_chart(
        "chart-response",
        &title,
        "Share on target (%)",
        &[Line {
            label: "Emergency responses on target",
            points: series,
        }],
        &[],
        &|v| format!("{:.0}%", v * 100.0),
    ));
    let delay = m.positive_by_recording_delay.at(rw.financial_year);
    let band = |k: &str| {
        delay.map(|d| match k {
            "0-7" => d.days_0_7,
            "8-365" => d.days_8_365,
            _ => d.over_365,
        })
    };
    let offences = |k: &str| band(k).map(|b| b.offences as f64);
    let solved = |k: &str| band(k).map(|b| b.solved as f64);
    let rate = |k: &str| band(k).and_then(|b| b.rate);
    let _ = write!(
        out,
        "<p>Of the positive outcomes for crimes recorded in the financial year to {}, {} were for offences recorded within 7 days of being committed; of the {} offences recorded more than a year after, {} ({}) ended positively.</p>",
        month_name(rw.financial_year),
        s.rate(
            delay.and_then(|d| d.solved_share_0_7),
            Some(
                solved("0-7").unwrap_or(0.0)
                    + solved("8-365").unwrap_or(0.0)
                    + solved("over_365").unwrap_or(0.0)
            )
        ),
        s.count(offences("over_365"), false),
        s.count(solved("over_365"), false),
        s.rate(rate("over_365"), offences("over_365")),
    );
    let rows: Vec<Vec<String>> = [
        ("0–7 days", "0-7"),
        ("8–365 days", "8-365"),
        ("Over a year", "over_365"),
    ]
    .iter()
    .map(|(label, k)| {
        vec![
            esc(label),
            s.count(offences(k), false),
            s.count(solved(k), false),
            s.rate(rate(k), offences(k)),
        ]
    })
    .collect();
    out.push_str(&table(
        "Positive outcomes by time from offence to recording",
        &[
            "Recorded after",
            "Offences",
            "Positive outcomes",
            "Positive rate",
        ],
        &rows,
    ));
    let dtf = &m.days_to_finalise;
    let last = s.months.last().copied();
    let prev = s.months.len().checked_sub(2).map(|i| s.months[i]);
    let title = match (
        last.and_then(|l| dtf.month(l)),
        prev.and_then(|p| dtf.month(p)),
    ) {
        (Some(a), Some(b)) => format!(
            "The average time to finalise an investigation was {a:.2} days in {}, {} {:.2} days on the month before",
            last.map(month_label).unwrap_or_default(),
            if a >= b { "up" } else { "down" },
            (a - b).abs()
        ),
        _ => "Average days to finalise an investigation, by month of finalisation".into(),
    };
    out.push_str(&line_chart(
        "chart-finalise",
        &title,
        "Days (mean)",
        &[Line {
            label: "Days from recording to outcome",
            points: s.series(dtf),
        }],
        &[],
        &|v| format!("{v:.1}"),
    ));
}

fn performance(out: &mut String, s: &Scope, rw: &ReportWindows) {
    let m = s.m;
    out.push_str("<h2 id=\"performance\">5. Performance</h2>");
    let (base, latest) = (rw.trend_base, rw.trend_latest);
    out.push_str("<h3>Offences and solved outcomes by risk level</h3>");
    let levels = ["high", "medium", "standard", "not_assessed"];
    let values: Vec<Vec<f64>> = levels
        .iter()
        .map(|l| {
            [base, latest]
                .iter()
                .flat_map(|win| {
                    let x = m.offences_by_risk.at(*win).map(|r| match *l {
                        "high" => r.high,
                        "medium" => r.medium,
                        "standard" => r.standard,
                        _ => r.not_assessed,
                    });
                    [
                        x.map_or(0.0, |x| x.offences as f64),
                        x.map_or(0.0, |x| x.solved as f64),
                    ]
                })
                .collect()
        })
        .collect();
    let hidden = s
        .publish
        .map(|p| sdc::suppress(&values, &p, false, false, true));
    let rows: Vec<Vec<String>> = levels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let cell = |j: usize| {
                if hidden.as_ref().is_some_and(|h| h[i][j]) {
                    "<span class=\"suppressed\">[c]</span>".into()
                } else {
                    s.count(Some(values[i][j]), false)
                }
            };
            let rate = |o: usize, so: usize| {
                if hidden.as_ref().is_some_and(|h| h[i][o] || h[i][so]) || values[i][o] == 0.0 {
                    "–".into()
                } else {
                    s.rate(Some(values[i][so] / values[i][o]), Some(values[i][o]))
                }
            };
            vec![
                esc(&l.replace('_', " ")),
                cell(0),
                cell(1),
                rate(0, 1),
                cell(2),
                cell(3),
                rate(2, 3),
            ]
        })
        .collect();
    out.push_str(&table(
        &format!(
            "DA offences, solved outcomes and solved rate by risk level: {} and {}",
            twelve_to(base),
            twelve_to(latest)
        ),
        &[
            "Risk level",
            "Offences (base)",
            "Solved (base)",
            "Rate (base)",
            "Offences (latest)",
            "Solved (latest)",
            "Rate (latest)",
        ],
        &rows,
    ));
    let ar = &m.arrests;
    let (aa, ab) = (
        per_month(s.total(ar, base), base),
        per_month(s.total(ar, latest), latest),
    );
    let title = match (aa, ab) {
        (Some(a), Some(b)) => format!(
            "Arrests averaged {} a month in {}, against {} a month in {}",
            count(b),
            twelve_to(latest),
            count(a),
            twelve_to(base)
        ),
        _ => "DA-related arrests by month".into(),
    };
    out.push_str(&line_chart(
        "chart-arrests",
        &title,
        "Arrests per month",
        &[Line {
            label: "Arrests",
            points: s.count_series(ar, false),
        }],
        &[(base, "base year"), (latest, "latest year")],
        &|v| count(v),
    ));
    let so = &m.solved_outcomes;
    let (sa, sb) = (
        per_month(s.total(so, base), base),
        per_month(s.total(so, latest), latest),
    );
    let title = match (sa, sb) {
        (Some(a), Some(b)) => format!(
            "Solved outcomes {} from an average of {} a month to {} a month",
            if b < a { "fell" } else { "rose" },
            count(a),
            count(b)
        ),
        _ => "Solved outcomes by month".into(),
    };
    out.push_str(&line_chart(
        "chart-solved",
        &title,
        "Solved outcomes per month",
        &[Line {
            label: "Solved outcomes",
            points: s.count_series(so, false),
        }],
        &[(base, "base year"), (latest, "latest year")],
        &|v| count(v),
    ));
    let empty = Monthly::default();
    let o16 = m.outcome_series.get("16").unwrap_or(&empty);
    let r = m.correlation.outcome_16_da_offences;
    let title = match r {
        Some(r) => format!(
            "Outcome 16 (victim does not support) moves with DA crime volume (correlation {r:.2})"
        ),
        None => "Outcome 16 (victim does not support) and DA offences by month".into(),
    };
    out.push_str(&line_chart(
        "chart-outcome16",
        &title,
        "Count per month",
        &[
            Line {
                label: "Outcome 16",
                points: s.count_series(o16, false),
            },
            Line {
                label: "DA offences recorded",
                points: s.count_series(&m.da_offences, false),
            },
        ],
        &[],
        &|v| count(v),
    ));
    let rs = &m.resolved_outcomes;
    let _ = write!(
        out,
        "<p>'Resolved' outcomes (5, 9, 10, 20, 21 and 22) {} between {} and {}.</p>",
        change(s, s.total(rs, base), s.total(rs, latest), false),
        twelve_to(base),
        twelve_to(latest)
    );
    out.push_str(&line_chart(
        "chart-resolved",
        "Resolved outcomes by month",
        "Outcomes per month",
        &[Line {
            label: "Resolved outcomes",
            points: s.count_series(rs, false),
        }],
        &[],
        &|v| count(v),
    ));
}

fn repeats_and_partnership(out: &mut String, s: &Scope, rw: &ReportWindows) {
    let m = s.m;
    out.push_str("<h2 id=\"repeats\">6. Repeat incidents, MARAC, IDVA and body-worn video</h2>");
    let rr = &m.repeat_incident_rate;
    let (a, b) = (
        rr.month(Month::of(rw.trend_base.to)),
        rr.month(Month::of(rw.trend_latest.to)),
    );
    let title = match (a, b) {
        (Some(a), Some(b)) => format!(
            "Repeat DA incidents {} from {:.2}% in {} to {:.2}% in {}",
            if b >= a { "rose" } else { "fell" },
            a * 100.0,
            month_name(rw.trend_base),
            b * 100.0,
            month_name(rw.trend_latest)
        ),
        _ => "Share of DA incidents that were repeats within 12 months".into(),
    };
    let thin: Vec<(Window, &str)> = s
        .thin_history
        .iter()
        .map(|w| (*w, "under 12 months of history"))
        .collect();
    out.push_str(&line_chart(
        "chart-repeats",
        &title,
        "Repeat incidents (%)",
        &[Line {
            label: "Repeat incident rate",
            points: s.series(rr),
        }],
        &thin,
        &|v| format!("{:.0}%", v * 100.0),
    ));
    if let Some(w) = s.thin_history {
        let _ = write!(
            out,
            "<p class=\"caption\">Until {}, fewer than 12 months of earlier records exist, so repeats are undercounted there (shaded): the low start is the data's edge, not a fall.</p>",
            w.to.format("%B %Y")
        );
    }
    let mr = &m.marac_referrals;
    let (ha, hb) = (mr.at(rw.half_previous), mr.at(rw.half_latest));
    let police = |x: Option<&vigil_analytics::pack::MaracReferrals>| x.map(|x| x.police as f64);
    let other = |x: Option<&vigil_analytics::pack::MaracReferrals>| x.map(|x| x.non_police as f64);
    let _ = write!(
        out,
        "<p>Non-police referrals to MARAC {} between January–June {} and January–June {}. Since {}, the police (the CRU) referred {} high-risk cases to MARAC.</p>",
        change(s, other(ha), other(hb), true),
        rw.half_previous.from.format("%Y"),
        rw.half_latest.from.format("%Y"),
        rw.recent.from.format("%B %Y"),
        s.count(police(mr.at(rw.recent)), true),
    );
    let values = vec![
        vec![police(ha).unwrap_or(0.0), other(ha).unwrap_or(0.0)],
        vec![police(hb).unwrap_or(0.0), other(hb).unwrap_or(0.0)],
    ];
    let hidden = s
        .publish
        .map(|p| sdc::suppress(&values, &p, true, true, false));
    let rows: Vec<Vec<String>> = [(rw.half_previous, 0), (rw.half_latest, 1)]
        .iter()
        .map(|(win, i)| {
            let cell = |j: usize| {
                if hidden.as_ref().is_some_and(|h| h[*i][j]) {
                    "<span class=\"suppressed\">[c]</span>".into()
                } else {
                    s.count(Some(values[*i][j]), true)
                }
            };
            vec![
                esc(&win.key()),
                cell(0),
                cell(1),
                s.count(Some(values[*i][0] + values[*i][1]), true),
            ]
        })
        .collect();
    out.push_str(&table(
        "MARAC referrals by referring agency",
        &["Period", "Police", "Other agencies", "Total"],
        &rows,
    ));
    let idva = m.idva_referral_rate.at(rw.recent);
    let _ = write!(
        out,
        "<p>Since {}, {} of high-risk DA victims were referred to an IDVA within 28 days ({} IDVA referrals in all).</p>",
        rw.recent.from.format("%B %Y"),
        s.rate(
            idva.and_then(|i| i.rate),
            idva.map(|i| i.high_risk_incidents as f64)
        ),
        s.count(idva.map(|i| i.idva_referrals_in_window as f64), true),
    );
    let bwv = m.bwv_outcome_uplift.at(rw.last_month);
    let (shown, not) = (bwv.map(|b| b.shown), bwv.map(|b| b.not_shown));
    let sentence = match (
        bwv.and_then(|b| b.uplift),
        shown.map(|x| x.arrests as f64),
        not.map(|x| x.arrests as f64),
    ) {
        (Some(u), Some(a), Some(b)) if a >= MIN_CASES && b >= MIN_CASES => format!(
            "In {}, where body-worn video was shown in interview the charge or caution rate was {} ({} of {}) against {} where it was not: {} {}.",
            month_name(rw.last_month),
            s.rate(shown.and_then(|x| x.rate), Some(a)),
            s.count(shown.map(|x| x.charged_or_cautioned as f64), false),
            s.count(Some(a), false),
            s.rate(not.and_then(|x| x.rate), Some(b)),
            pct(u.abs()),
            if u >= 0.0 { "higher" } else { "lower" }
        ),
        _ => format!(
            "In {} there were too few interviews with a known use of body-worn video for a meaningful comparison.",
            month_name(rw.last_month)
        ),
    };
    let _ = write!(out, "<p>{sentence}</p>");
}

/// What became of the notices: orders granted, hearings in time, breaches — the latest 12
/// months against the 12 before. DAPN and DAPO rows appear once the force has any.
fn order_outcomes(out: &mut String, s: &Scope, rw: &ReportWindows) {
    let m = s.m;
    let windows = [rw.previous, rw.latest];
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (notice, order) in [("DVPN", "dvpo"), ("DAPN", "dapo")] {
        let applied: Vec<_> = windows
            .iter()
            .map(|w| m.orders_applied_granted.at(*w).and_then(|x| x.get(order)))
            .collect();
        if order == "dapo" && applied.iter().all(|a| a.is_none_or(|a| a.notices == 0)) {
            continue;
        }
        let upper = order.to_uppercase();
        let mut row = |label: String, cell: &dyn Fn(Window) -> String| {
            let mut r = vec![label];
            r.extend(windows.iter().map(|w| cell(*w)));
            rows.push(r);
        };
        let ag = |w: Window| {
            m.orders_applied_granted
                .at(w)
                .and_then(|x| x.get(order))
                .copied()
        };
        row(
            format!("{notice}s served (each an application for a {upper})"),
            &|w| s.count(ag(w).map(|x| x.notices as f64), true),
        );
        row(format!("{notice}s followed by a {upper}"), &|w| {
            let x = ag(w);
            format!(
                "{} ({})",
                s.count(x.map(|x| x.orders_granted as f64), true),
                s.rate(x.and_then(|x| x.share_granted), x.map(|x| x.notices as f64))
            )
        });
        row(
            format!("{upper}s made within 48 hours of the {notice}"),
            &|w| {
                let x = m
                    .hearings_within_48h
                    .at(w)
                    .and_then(|x| x.get(order))
                    .copied();
                format!(
                    "{} of {} ({})",
                    s.count(x.map(|x| x.within_48_hours as f64), true),
                    s.count(x.map(|x| x.orders as f64), true),
                    s.rate(x.and_then(|x| x.share), x.map(|x| x.orders as f64))
                )
            },
        );
        for (kind, label) in [
            (notice.to_lowercase(), notice),
            (order.to_owned(), upper.as_str()),
        ] {
            row(format!("{label}s breached, per 100"), &|w| {
                let x = m.order_breaches.at(w).and_then(|x| x.get(&kind)).copied();
                match x.and_then(|x| x.per_100) {
                    Some(p)
                        if !s.publish.is_some_and(|pb| {
                            (x.map_or(0, |x| x.issued) as f64) < pb.min_rate_denominator as f64
                        }) =>
                    {
                        format!(
                            "{p:.1} ({} of {})",
                            s.count(x.map(|x| x.breached as f64), true),
                            s.count(x.map(|x| x.issued as f64), true)
                        )
                    }
                    Some(_) => "<span class=\"suppressed\">[u]</span>".into(),
                    None => "not available".into(),
                }
            });
        }
    }
    let header = [
        "Measure".to_owned(),
        twelve_to(rw.previous),
        twelve_to(rw.latest),
    ];
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    out.push_str(&table(
        "What became of the notices: orders, hearings and breaches",
        &header,
        &rows,
    ));
    out.push_str(
        "<p class=\"caption\">An order follows a notice on the same perpetrator and victim served at most 7 days before it. \
Hearings within 48 hours do not count Sundays, bank holidays, Christmas Day or Good Friday; the records date the order, not the hearing, \
so an adjourned hearing counts as late and a refused application is not counted. Breaches count each notice or order breached at least once.</p>",
    );
}

/// Clare's Law: applications by route and where each stands, and each stage's timeliness,
/// over the latest 12 months.
fn clares_law(out: &mut String, s: &Scope, rw: &ReportWindows) {
    let m = s.m;
    out.push_str(
        "<h3 id=\"clares-law\">Clare's Law (the Domestic Violence Disclosure Scheme)</h3>",
    );
    let routes = m.disclosure_routes.at(rw.latest);
    let stages = m.disclosure_stages.at(rw.latest);
    let rows: Vec<Vec<String>> = [
        ("right_to_ask", "Right to ask"),
        ("right_to_know", "Right to know"),
    ]
    .iter()
    .map(|(key, label)| {
        let r = routes.and_then(|r| r.get(key)).copied();
        let st = |stage: &str| {
            stages
                .and_then(|x| x.get(key))
                .and_then(|x| x.get(stage))
                .copied()
        };
        let (decision, disclosure) = (st("decision"), st("disclosure"));
        let c = |f: &dyn Fn(&vigil_analytics::pack::DisclosureRoutes) -> u64| {
            s.count(r.map(|r| f(&r) as f64), true)
        };
        let on_time = |x: Option<vigil_analytics::pack::StageTimeliness>| {
            format!(
                "{} ({})",
                s.rate(x.and_then(|x| x.share_on_time), x.map(|x| x.cases as f64)),
                x.and_then(|x| x.median_days)
                    .map_or("no median".into(), |d| format!("median {d:.1} days"))
            )
        };
        vec![
            (*label).to_owned(),
            c(&|r| r.received),
            c(&|r| r.disclosed),
            c(&|r| r.not_disclosed),
            c(&|r| r.withdrawn),
            c(&|r| r.open),
            on_time(decision),
            on_time(disclosure),
        ]
    })
    .collect();
    out.push_str(&table(
        &format!(
            "Applications received in {}, and where each stands",
            twelve_to(rw.latest)
        ),
        &[
            "Route",
            "Received",
            "Disclosed",
            "Not disclosed",
            "Withdrawn",
            "Open",
            "Decided within 28 days",
            "Disclosed by the 2nd working day after the decision",
        ],
        &rows,
    ));
}

fn orders_and_demand(out: &mut String, s: &Scope, rw: &ReportWindows) {
    let m = s.m;
    out.push_str("<h2 id=\"orders\">7. Protective orders and Clare's Law</h2>");
    let empty = Monthly::default();
    let dvpo = m.protection_orders.get("dvpo").unwrap_or(&empty);
    let (a, b) = (
        per_month(s.total(dvpo, rw.trend_base), rw.trend_base),
        per_month(s.total(dvpo, rw.trend_latest), rw.trend_latest),
    );
    let title = match (a, b) {
        (Some(a), Some(b)) => format!(
            "DVPOs averaged {b:.1} a month in {}, against {a:.1} a month in {}",
            twelve_to(rw.trend_latest),
            twelve_to(rw.trend_base)
        ),
        _ => "Domestic Violence Protection Orders by month".into(),
    };
    out.push_str(&line_chart(
        "chart-orders",
        &title,
        "Orders per month",
        &[
            Line {
                label: "DVPN",
                points: s.count_series(m.protection_orders.get("dvpn").unwrap_or(&empty), false),
            },
            Line {
                label: "DVPO",
                points: s.count_series(dvpo, false),
            },
        ],
        &[
            (rw.trend_base, "base year"),
            (rw.trend_latest, "latest year"),
        ],
        &|v| count(v),
    ));
    order_outcomes(out, s, rw);
    clares_law(out, s, rw);
    out.push_str("<h2 id=\"demand\">8. Demand: genuine change and recording practice</h2>");
    use vigil_analytics::pack::Demand;
    match &m.demand_decomposition {
        Some(Demand::Estimated(d)) => {
            let _ = write!(out, "<p>{}</p>", esc(d.method));
            let rows = vec![
                vec![
                    "Offences, earlier period".into(),
                    s.count(Some(d.earlier_offences), false),
                ],
                vec![
                    "Offences, later period".into(),
                    s.count(Some(d.later_offences), false),
                ],
                vec![
                    "Genuine change".into(),
                    format!(
                        "{} ({})",
                        signed_pct(d.genuine_change),
                        s.count(Some(d.genuine_offences.round()), false)
                    ),
                ],
                vec![
                    "Recording-practice change".into(),
                    format!(
                        "{} ({})",
                        signed_pct(d.recording_change),
                        s.count(Some(d.recording_offences.round()), false)
                    ),
                ],
                vec![
                    "Dispersion (quasi-Poisson)".into(),
                    format!("{:.2}", d.dispersion),
                ],
            ];
            out.push_str(&table(
                &format!("Decomposition: {} → {}", d.earlier, d.later),
                &["", "Value"],
                &rows,
            ));
        }
        other => {
            let _ = write!(
                out,
                "<p>The decomposition could not be estimated: {}.</p>",
                esc(match other {
                    Some(Demand::NotEstimable { not_estimable }) => not_estimable,
                    _ => "no series",
                })
            );
        }
    }
    let _ = rw;
}

fn appendix(out: &mut String, pack: &Pack, rw: &ReportWindows, opts: &ReportOptions) {
    out.push_str("<h2 id=\"appendix\">Appendix: definitions and data</h2>");
    let defs = [
        (
            "DA offences",
            "Crimes flagged as domestic abuse, counted by the month they were recorded.",
        ),
        (
            "Non-crime incidents",
            "DA incidents with no recorded offence, by the month they were reported.",
        ),
        (
            "Crime share of incidents",
            "Incidents with at least one offence, as a share of all DA incidents reported in the period.",
        ),
        (
            "Solved outcomes and solved rate",
            "Outcomes in the solved group (below) dated in the period; the rate divides them by offences recorded in the same period (the Home Office period method).",
        ),
        (
            "Positive outcome rate",
            "Of offences recorded in a period, the share with a solved outcome by the data date.",
        ),
        (
            "Resolved outcomes",
            "Outcomes in the resolved group (below), by month of outcome.",
        ),
        (
            "Repeat incident rate",
            "Of incidents reported in a month, the share whose victim had another incident reported in the 365 days before.",
        ),
        (
            "Response on target",
            "Emergency-graded incidents whose response met its target, as a share of those where it is known.",
        ),
        (
            "Days to finalise",
            "Mean days from recording to outcome, for outcomes given in the month.",
        ),
        (
            "IDVA referral rate",
            "High-risk incidents whose victim was referred to an IDVA within 28 days of the report.",
        ),
        (
            "BWV outcome uplift",
            "Charge-or-caution rate of arrests where body-worn video was shown in interview, over the rate where it was not, minus one.",
        ),
    ];
    let rows: Vec<Vec<String>> = defs.iter().map(|(a, b)| vec![esc(a), esc(b)]).collect();
    out.push_str(&table(
        "Definitions used",
        &["Measure", "Definition"],
        &rows,
    ));
    let groups = &pack.outcome_groups;
    let rows = vec![
        vec!["Solved".into(), esc(&groups.solved.join(", "))],
        vec!["Resolved".into(), esc(&groups.resolved.join(", "))],
        vec![
            "Victim does not support action".into(),
            esc(&groups.victim_does_not_support.join(", ")),
        ],
    ];
    out.push_str(&table(
        "Outcome groups in force",
        &["Group", "Home Office outcome codes"],
        &rows,
    ));
    let periods: Vec<Vec<String>> = [
        ("Latest twelve months", rw.latest),
        ("Previous twelve months", rw.previous),
        ("Trend: latest year", rw.trend_latest),
        ("Trend: base year", rw.trend_base),
        ("Financial year cohort", rw.financial_year),
        ("Recent period", rw.recent),
    ]
    .iter()
    .map(|(a, win)| vec![esc(a), esc(&win.key())])
    .collect();
    out.push_str(&table("Periods compared", &["Period", "Dates"], &periods));
    let _ = write!(
        out,
        "<p class=\"meta\">Data as of {}; records from {}. Input fingerprint (SHA-256 of the records the report was computed from): <code>{}</code>.</p>",
        esc(&pack.as_of),
        esc(&pack.data_from),
        esc(&opts.fingerprint)
    );
}
