//! The performance pack: every measure, for the force, each LPA and each risk level, as one
//! JSON document keyed by METRICS.md's names. Monthly series are objects keyed `YYYY-MM`;
//! windowed measures are keyed `YYYY-MM-DD..YYYY-MM-DD`. Rates are fractions (0.416, not
//! 41.6%); a rate whose denominator is zero is `null`.

use crate::calendar::{Month, Window, date, day};
use crate::cohorts::{RfgvWeights, acute_victims, perpetrator_cohort};
use crate::demand::{self, decompose};
use crate::measures::{Cut, Frame, Ratio, Series, correlation};
use crate::snapshot::{NONE, Snapshot};
use serde_json::{Map, Value, json};
use vigil_domain::outcome::OutcomeGroups;
use vigil_domain::risk::RiskGrade;
use vigil_domain::time::{Date, parse_date};
use vigil_domain::{DisclosureRoute, OffenceGroup, OrderKind, counting_rules};

/// What the pack is computed for.
#[derive(Debug, Clone)]
pub struct PackConfig {
    pub as_of: Date,
    pub groups: OutcomeGroups,
    /// Windows for every windowed measure.
    pub windows: Vec<Window>,
    /// Adult women in the force area, for MARAC volume per 10,000 (configuration: not in
    /// the records).
    pub adult_women: Option<u64>,
    /// The windows of the demand decomposition: earlier → later.
    pub decomposition: Option<(Window, Window)>,
    pub cohort_size: usize,
    /// Also compute every measure by LPA and by risk level, and the cohorts.
    pub breakdown: bool,
}

/// The windows CALIBRATION.md uses (the seed report's periods), which every pack carries.
pub const CALIBRATION_WINDOWS: [(&str, &str); 9] = [
    ("2015-08-01", "2016-07-31"),
    ("2018-08-01", "2019-07-31"),
    ("2017-09-01", "2018-08-31"),
    ("2018-09-01", "2019-08-31"),
    ("2018-04-01", "2019-03-31"),
    ("2018-01-01", "2018-06-30"),
    ("2019-01-01", "2019-06-30"),
    ("2019-02-01", "2019-09-30"),
    ("2019-08-01", "2019-08-31"),
];

impl PackConfig {
    /// The calibration windows, the last twelve complete months to `as_of` and the twelve
    /// before them, and a decomposition between those two.
    pub fn new(as_of: Date) -> Self {
        let last = last_complete_month(as_of);
        let recent = Window::twelve_months_to(last);
        let before = Window::twelve_months_to(Month::from_index(last.index() - 12));
        let mut windows: Vec<Window> = CALIBRATION_WINDOWS
            .iter()
            .map(|(a, b)| Window {
                from: parse_date(a).expect("valid"),
                to: parse_date(b).expect("valid"),
            })
            .collect();
        for w in [before, recent] {
            if !windows.contains(&w) {
                windows.push(w);
            }
        }
        PackConfig {
            as_of,
            groups: OutcomeGroups::default(),
            windows,
            adult_women: None,
            decomposition: Some((before, recent)),
            cohort_size: 20,
            breakdown: true,
        }
    }
}

/// The last month whose last day is on or before `as_of`.
pub fn last_complete_month(as_of: Date) -> Month {
    let m = Month::of(as_of);
    if m.last_day() <= as_of {
        m
    } else {
        Month::from_index(m.index() - 1)
    }
}

/// Why a pack cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackError {
    Empty,
    AsOfBeforeData { as_of: Date, first: Date },
}

impl std::fmt::Display for PackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PackError::Empty => f.write_str("the store holds no incidents or offences; import an extract first (vigil import DIR)"),
            PackError::AsOfBeforeData { as_of, first } => write!(f, "--as-of {as_of} is before the data starts ({first}); give a date on or after it"),
        }
    }
}

fn ratio(r: Ratio) -> Value {
    json!(r.value())
}

fn counted(r: Ratio, num: &str, den: &str) -> Value {
    let mut m = Map::new();
    m.insert(den.into(), json!(r.denominator));
    m.insert(num.into(), json!(r.numerator));
    m.insert("rate".into(), ratio(r));
    Value::Object(m)
}

fn series(s: &Series) -> Value {
    Value::Object(s.iter().map(|(m, v)| (m.key(), json!(v))).collect())
}

fn per_window(windows: &[Window], f: impl Fn(Window) -> Value) -> Value {
    Value::Object(windows.iter().map(|w| (w.key(), f(*w))).collect())
}

const RISK_NAMES: [&str; 4] = ["standard", "medium", "high", "not_assessed"];

/// Every measure for one cut.
fn measures(
    s: &Snapshot,
    frame: &Frame,
    cfg: &PackConfig,
    order: &[u32],
    cohorts: bool,
) -> Map<String, Value> {
    let w = &cfg.windows;
    let mut m = Map::new();
    let offences = frame.da_offences();
    m.insert("da_offences".into(), series(&offences));
    m.insert(
        "non_crime_incidents".into(),
        series(&frame.non_crime_incidents()),
    );
    m.insert(
        "crime_incident_share".into(),
        per_window(w, |x| ratio(frame.crime_incident_share(x))),
    );
    m.insert(
        "offence_group_series".into(),
        Value::Object(
            OffenceGroup::ALL
                .iter()
                .map(|g| {
                    (
                        g.as_str().to_owned(),
                        series(&frame.offence_group_series(*g)),
                    )
                })
                .collect(),
        ),
    );
    m.insert(
        "relationship_share".into(),
        per_window(w, |x| ratio(frame.relationship_share(x))),
    );
    m.insert("arrests".into(), series(&frame.arrests()));
    m.insert(
        "arrest_rate".into(),
        per_window(w, |x| {
            let r = frame.arrest_rate(x);
            json!(r.value().map(|v| v * 100.0))
        }),
    );
    m.insert(
        "protection_orders".into(),
        Value::Object(
            OrderKind::ALL
                .iter()
                .map(|k| (k.as_str().to_owned(), series(&frame.protection_orders(*k))))
                .collect(),
        ),
    );
    let solved = frame.solved_outcomes();
    m.insert("solved_outcomes".into(), series(&solved));
    m.insert(
        "solved_rate".into(),
        per_window(w, |x| ratio(frame.solved_rate(x))),
    );
    m.insert(
        "positive_outcome_rate".into(),
        per_window(w, |x| {
            counted(frame.positive_outcome_rate(x), "solved", "offences")
        }),
    );
    m.insert(
        "positive_by_recording_delay".into(),
        per_window(w, |x| {
            let b = frame.positive_by_recording_delay(x);
            let all_solved: u64 = b.iter().map(|r| r.numerator).sum();
            json!({
                "0-7": counted(b[0], "solved", "offences"),
                "8-365": counted(b[1], "solved", "offences"),
                "over_365": counted(b[2], "solved", "offences"),
                "solved_share_0_7": Ratio { numerator: b[0].numerator, denominator: all_solved }.value(),
            })
        }),
    );
    m.insert(
        "resolved_outcomes".into(),
        series(&frame.resolved_outcomes()),
    );
    let codes = &s.outcome_codes;
    let outcome_16 = frame.outcome_series(
        codes
            .iter()
            .position(|c| c.as_str() == "16")
            .expect("16 in catalogue"),
    );
    m.insert(
        "outcome_series".into(),
        Value::Object(
            codes
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let ser = if c.as_str() == "16" {
                        outcome_16.clone()
                    } else {
                        frame.outcome_series(i)
                    };
                    (c.as_str().to_owned(), series(&ser))
                })
                .collect(),
        ),
    );
    m.insert(
        "offences_by_risk".into(),
        per_window(w, |x| {
            let levels = frame.offences_by_risk(x);
            Value::Object(
                levels
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (RISK_NAMES[i].to_owned(), counted(*r, "solved", "offences")))
                    .collect(),
            )
        }),
    );
    m.insert(
        "days_to_finalise".into(),
        Value::Object(
            frame
                .days_to_finalise()
                .into_iter()
                .map(|(k, v)| (k.key(), json!(v)))
                .collect(),
        ),
    );
    m.insert(
        "correlation".into(),
        json!({
            "outcome_16~da_offences": correlation(&outcome_16, &offences),
            "solved_outcomes~da_offences": correlation(&solved, &offences),
        }),
    );
    m.insert(
        "response_on_target".into(),
        Value::Object(
            frame
                .response_on_target()
                .into_iter()
                .map(|(k, r)| (k.key(), ratio(r)))
                .collect(),
        ),
    );
    m.insert(
        "repeat_incident_rate".into(),
        Value::Object(
            frame
                .repeat_incident_rate(order)
                .into_iter()
                .map(|(k, r)| (k.key(), ratio(r)))
                .collect(),
        ),
    );
    m.insert(
        "repeat_marac_rate".into(),
        per_window(w, |x| {
            counted(frame.repeat_marac_rate(x), "repeats", "referrals")
        }),
    );
    m.insert(
        "marac_referrals".into(),
        per_window(w, |x| {
            let (police, other) = frame.marac_referrals(x);
            json!({ "police": police, "non_police": other, "total": police + other })
        }),
    );
    m.insert(
        "marac_volume_per_10k".into(),
        match cfg.adult_women {
            Some(pop) if pop > 0 && frame.cut.lpa.is_none() => per_window(w, |x| {
                let (p, o) = frame.marac_referrals(x);
                let years = f64::from(day(x.to) - day(x.from) + 1) / 365.25;
                json!((p + o) as f64 / years / pop as f64 * 10_000.0)
            }),
            _ => json!(null),
        },
    );
    m.insert(
        "idva_referral_rate".into(),
        per_window(w, |x| {
            let mut v = counted(
                frame.idva_referral_rate(x),
                "referred",
                "high_risk_incidents",
            );
            v["idva_referrals_in_window"] = json!(frame.idva_referrals(x));
            v
        }),
    );
    m.insert(
        "bwv_outcome_uplift".into(),
        per_window(w, |x| {
            let (shown, not) = frame.bwv_outcome_uplift(x);
            let uplift = match (shown.value(), not.value()) {
                (Some(a), Some(b)) if b > 0.0 => Some(a / b - 1.0),
                _ => None,
            };
            json!({
                "shown": counted(shown, "charged_or_cautioned", "arrests"),
                "not_shown": counted(not, "charged_or_cautioned", "arrests"),
                "uplift": uplift,
            })
        }),
    );
    m.insert(
        "disclosure_timeliness".into(),
        per_window(w, |x| {
            Value::Object(
                DisclosureRoute::ALL
                    .iter()
                    .map(|r| {
                        let (ratio_, median) = frame.disclosure_timeliness(x, *r as u8);
                        (
                            r.as_str().to_owned(),
                            json!({
                                "cases": ratio_.denominator,
                                "decided_within_28_days": ratio_.numerator,
                                "share_within_28_days": ratio_.value(),
                                "median_days_to_decision": median,
                            }),
                        )
                    })
                    .collect(),
            )
        }),
    );
    if let Some((a, b)) = cfg.decomposition {
        let changes: Vec<Month> = counting_rules::VERSIONS
            .iter()
            .map(|v| Month::of(v.effective_date()))
            .collect();
        let value = match decompose(&offences, &changes, a, b) {
            Ok(d) => json!({
                "earlier": d.earlier.key(),
                "later": d.later.key(),
                "earlier_offences": d.earlier_total,
                "later_offences": d.later_total,
                "total_change": (d.later_total - d.earlier_total) / d.earlier_total,
                "genuine_offences": d.genuine_offences,
                "recording_offences": d.recording_offences,
                "genuine_change": d.genuine_share,
                "recording_change": d.recording_share,
                "genuine_change_95": [d.genuine_share_interval.0, d.genuine_share_interval.1],
                "recording_change_95": [d.recording_share_interval.0, d.recording_share_interval.1],
                "steps": d.steps.iter().map(|(m, e)| json!({"from": m.key(), "effect": e})).collect::<Vec<_>>(),
                "dispersion": d.dispersion,
                "months_fitted": d.months_fitted,
                "method": demand::METHOD,
            }),
            Err(e) => json!({ "not_estimable": e.0 }),
        };
        m.insert("demand_decomposition".into(), value);
    }
    if cohorts {
        let as_of = day(cfg.as_of);
        let lpa = frame.cut.lpa;
        let id = |p: u32| s.person_ids.get(p as usize).to_owned();
        m.insert(
            "perpetrator_cohort".into(),
            Value::Array(
                perpetrator_cohort(s, as_of, lpa, cfg.cohort_size, RfgvWeights::default())
                    .into_iter()
                    .map(|p| json!({
                        "person_id": id(p.person), "score": p.score, "r": p.r, "f": p.f, "g": p.g, "v": p.v,
                        "incidents": p.incidents, "victims": p.victims, "last_incident": date(p.last_day).to_string(), "serial": p.serial,
                    }))
                    .collect(),
            ),
        );
        m.insert(
            "acute_victims".into(),
            Value::Array(
                acute_victims(s, as_of, lpa, cfg.cohort_size)
                    .into_iter()
                    .map(|v| json!({
                        "person_id": id(v.person),
                        "risk_level": if v.grade == NONE { "not_assessed" } else { RiskGrade::ALL[usize::from(v.grade)].as_str() },
                        "incidents_12m": v.incidents_12m,
                        "last_incident": date(v.last_day).to_string(),
                    }))
                    .collect(),
            ),
        );
    }
    m
}

/// Computes the whole pack.
pub fn compute(s: &Snapshot, cfg: &PackConfig) -> Result<Value, PackError> {
    let (first, _) = s.span().ok_or(PackError::Empty)?;
    let first_date = date(first);
    if cfg.as_of < first_date {
        return Err(PackError::AsOfBeforeData {
            as_of: cfg.as_of,
            first: first_date,
        });
    }
    let last = last_complete_month(cfg.as_of);
    let start = Month::of(first_date);
    let months: Vec<Month> = (start.index()..=last.index().max(start.index()))
        .map(Month::from_index)
        .collect();
    let as_of = day(cfg.as_of);
    let order = &s.victim_order;
    let frame = |cut| Frame::new(s, cut, as_of, months.clone(), &cfg.groups);
    let force = measures(s, &frame(Cut::default()), cfg, order, cfg.breakdown);
    let mut by_lpa = Map::new();
    for (i, name) in s.lpas.iter().enumerate().filter(|_| cfg.breakdown) {
        let cut = Cut {
            lpa: Some(i as u8),
            risk: None,
        };
        by_lpa.insert(
            name.clone(),
            Value::Object(measures(s, &frame(cut), cfg, order, true)),
        );
    }
    let mut by_risk = Map::new();
    for (i, name) in RISK_NAMES
        .iter()
        .take(3)
        .enumerate()
        .filter(|_| cfg.breakdown)
    {
        let f = frame(Cut {
            lpa: None,
            risk: Some(i as u8),
        });
        by_risk.insert(
            (*name).into(),
            json!({
                "da_offences": series(&f.da_offences()),
                "solved_outcomes": series(&f.solved_outcomes()),
                "solved_rate": per_window(&cfg.windows, |x| ratio(f.solved_rate(x))),
                "positive_outcome_rate": per_window(&cfg.windows, |x| counted(f.positive_outcome_rate(x), "solved", "offences")),
                "days_to_finalise": Value::Object(f.days_to_finalise().into_iter().map(|(k, v)| (k.key(), json!(v))).collect()),
            }),
        );
    }
    let code_list = |set: &std::collections::BTreeSet<vigil_domain::OutcomeCode>| {
        set.iter().map(|c| c.as_str()).collect::<Vec<_>>()
    };
    Ok(json!({
        "as_of": cfg.as_of.to_string(),
        "data_from": first_date.to_string(),
        "months": months.iter().map(|m| m.key()).collect::<Vec<_>>(),
        "windows": cfg.windows.iter().map(|w| w.key()).collect::<Vec<_>>(),
        "outcome_groups": {
            "SOLVED": code_list(&cfg.groups.solved),
            "RESOLVED": code_list(&cfg.groups.resolved),
            "VICTIM_DOES_NOT_SUPPORT": code_list(&cfg.groups.victim_does_not_support),
        },
        "force": Value::Object(force),
        "by_lpa": Value::Object(by_lpa),
        "by_risk": Value::Object(by_risk),
    }))
}
