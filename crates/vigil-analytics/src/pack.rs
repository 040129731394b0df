//! The performance pack: every measure, for the force, each LPA and each risk level, as one
//! typed [`Pack`] (`pack_types.rs`) that serialises to the JSON document keyed by
//! METRICS.md's names. Monthly series are objects keyed `YYYY-MM`;
//! windowed measures are keyed `YYYY-MM-DD..YYYY-MM-DD`. Rates are fractions (0.416, not
//! 41.6%); a rate whose denominator is zero is `null`.

use crate::calendar::{Month, Window, date, day};
use crate::cohorts::{
    Perpetrator, acute_victims_among, perpetrator_cohort, perpetrator_cohorts_by_area,
};
use crate::demand::{self, decompose};
use crate::measures::{
    Cut, DisclosureStage, Frame, Ratio, Series, Shared, correlation, offence_rows_by_risk,
    rows_by_area,
};
pub use crate::pack_types::*;
use crate::snapshot::{NONE, Snapshot};
use std::collections::BTreeMap;
use vigil_domain::cohort::CohortConfig;
use vigil_domain::outcome::OutcomeGroups;
use vigil_domain::risk::RiskGrade;
use vigil_domain::time::Date;
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

impl PackConfig {
    /// The twelve complete months to `as_of` and the twelve before them, and a
    /// decomposition between those two. Every other window comes from the caller (the
    /// report's periods, `--window`, `--windows FILE`): nothing here names a year.
    pub fn new(as_of: Date) -> Self {
        let last = last_complete_month(as_of);
        let recent = Window::twelve_months_to(last);
        let before = Window::twelve_months_to(Month::from_index(last.index() - 12));
        let windows = vec![before, recent];
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

fn solved(r: Ratio) -> Solved {
    Solved {
        offences: r.denominator,
        solved: r.numerator,
        rate: r.value(),
    }
}

fn series(s: &Series) -> Monthly {
    s.iter().map(|(m, v)| (m.key(), *v)).collect()
}

fn monthly_maybe<V>(s: BTreeMap<Month, V>, f: impl Fn(V) -> Option<f64>) -> MonthlyMaybe {
    s.into_iter().map(|(m, v)| (m.key(), f(v))).collect()
}

fn per_window<T>(windows: &[Window], f: impl Fn(Window) -> T) -> Keyed<T> {
    windows.iter().map(|w| (w.key(), f(*w))).collect()
}

const RISK_NAMES: [&str; 4] = ["standard", "medium", "high", "not_assessed"];

/// The cohort settings a pack ranks by: the defaults, at the pack's size.
fn cohort_config(cfg: &PackConfig) -> CohortConfig {
    CohortConfig {
        size: cfg.cohort_size.max(1),
        ..CohortConfig::default()
    }
}

/// Every measure for one cut.
fn measures(
    s: &Snapshot,
    frame: &Frame,
    cfg: &PackConfig,
    order: &[u32],
    perpetrators: Option<Vec<Perpetrator>>,
) -> Measures {
    let cohorts = perpetrators.is_some();
    let w = &cfg.windows;
    let offences = frame.da_offences();
    let solved_series = frame.solved_outcomes();
    let codes = &s.outcome_codes;
    let outcome_16 = frame.outcome_series(
        codes
            .iter()
            .position(|c| c.as_str() == "16")
            .expect("16 in catalogue"),
    );
    let demand_decomposition = cfg.decomposition.map(|(a, b)| {
        let changes: Vec<Month> = counting_rules::VERSIONS
            .iter()
            .map(|v| Month::of(v.effective_date()))
            .collect();
        match decompose(&offences, &changes, a, b) {
            Ok(d) => Demand::Estimated(Box::new(Decomposition {
                earlier: d.earlier.key(),
                later: d.later.key(),
                earlier_offences: d.earlier_total,
                later_offences: d.later_total,
                total_change: (d.later_total - d.earlier_total) / d.earlier_total,
                genuine_offences: d.genuine_offences,
                recording_offences: d.recording_offences,
                genuine_change: d.genuine_share,
                recording_change: d.recording_share,
                genuine_change_95: [d.genuine_share_interval.0, d.genuine_share_interval.1],
                recording_change_95: [d.recording_share_interval.0, d.recording_share_interval.1],
                steps: d
                    .steps
                    .iter()
                    .map(|(m, e)| DemandStep {
                        from: m.key(),
                        effect: *e,
                    })
                    .collect(),
                dispersion: d.dispersion,
                months_fitted: d.months_fitted,
                method: demand::METHOD,
            })),
            Err(e) => Demand::NotEstimable { not_estimable: e.0 },
        }
    });
    let as_of = day(cfg.as_of);
    let lpa = frame.cut.lpa;
    let id = |p: u32| s.person_ids.get(p as usize).to_owned();
    Measures {
        da_offences: series(&offences),
        non_crime_incidents: series(&frame.non_crime_incidents()),
        crime_incident_share: per_window(w, |x| frame.crime_incident_share(x).value()),
        offence_group_series: OffenceGroup::ALL
            .iter()
            .map(|g| {
                (
                    g.as_str().to_owned(),
                    series(&frame.offence_group_series(*g)),
                )
            })
            .collect(),
        relationship_share: per_window(w, |x| frame.relationship_share(x).value()),
        arrests: series(&frame.arrests()),
        arrest_rate: per_window(w, |x| frame.arrest_rate(x).value().map(|v| v * 100.0)),
        protection_orders: OrderKind::ALL
            .iter()
            .map(|k| (k.as_str().to_owned(), series(&frame.protection_orders(*k))))
            .collect(),
        solved_outcomes: series(&solved_series),
        solved_rate: per_window(w, |x| frame.solved_rate(x).value()),
        positive_outcome_rate: per_window(w, |x| solved(frame.positive_outcome_rate(x))),
        positive_by_recording_delay: per_window(w, |x| {
            let b = frame.positive_by_recording_delay(x);
            let all_solved: u64 = b.iter().map(|r| r.numerator).sum();
            ByRecordingDelay {
                days_0_7: solved(b[0]),
                days_8_365: solved(b[1]),
                over_365: solved(b[2]),
                solved_share_0_7: Ratio {
                    numerator: b[0].numerator,
                    denominator: all_solved,
                }
                .value(),
            }
        }),
        resolved_outcomes: series(&frame.resolved_outcomes()),
        outcome_series: codes
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
        offences_by_risk: per_window(w, |x| {
            let l = frame.offences_by_risk(x);
            ByRisk {
                standard: solved(l[0]),
                medium: solved(l[1]),
                high: solved(l[2]),
                not_assessed: solved(l[3]),
            }
        }),
        days_to_finalise: monthly_maybe(frame.days_to_finalise(), |v| v),
        correlation: Correlations {
            outcome_16_da_offences: correlation(&outcome_16, &offences),
            solved_outcomes_da_offences: correlation(&solved_series, &offences),
        },
        response_on_target: monthly_maybe(frame.response_on_target(), |r| r.value()),
        repeat_incident_rate: monthly_maybe(frame.repeat_incident_rate(order), |r| r.value()),
        repeat_marac_rate: per_window(w, |x| {
            let r = frame.repeat_marac_rate(x);
            RepeatMarac {
                referrals: r.denominator,
                repeats: r.numerator,
                rate: r.value(),
            }
        }),
        marac_referrals: per_window(w, |x| {
            let (police, other) = frame.marac_referrals(x);
            MaracReferrals {
                police,
                non_police: other,
                total: police + other,
            }
        }),
        marac_volume_per_10k: match cfg.adult_women {
            Some(pop) if pop > 0 && frame.cut.lpa.is_none() => Some(per_window(w, |x| {
                let (p, o) = frame.marac_referrals(x);
                let years = f64::from(day(x.to) - day(x.from) + 1) / 365.25;
                (p + o) as f64 / years / pop as f64 * 10_000.0
            })),
            _ => None,
        },
        idva_referral_rate: per_window(w, |x| {
            let r = frame.idva_referral_rate(x);
            IdvaReferralRate {
                high_risk_incidents: r.denominator,
                referred: r.numerator,
                rate: r.value(),
                idva_referrals_in_window: frame.idva_referrals(x),
            }
        }),
        bwv_outcome_uplift: per_window(w, |x| {
            let (shown, not) = frame.bwv_outcome_uplift(x);
            let uplift = match (shown.value(), not.value()) {
                (Some(a), Some(b)) if b > 0.0 => Some(a / b - 1.0),
                _ => None,
            };
            let cc = |r: Ratio| ChargedOrCautioned {
                arrests: r.denominator,
                charged_or_cautioned: r.numerator,
                rate: r.value(),
            };
            BwvUplift {
                shown: cc(shown),
                not_shown: cc(not),
                uplift,
            }
        }),
        disclosure_timeliness: per_window(w, |x| {
            DisclosureRoute::ALL
                .iter()
                .map(|r| {
                    let (ratio_, median) = frame.disclosure_timeliness(x, *r as u8);
                    (
                        r.as_str().to_owned(),
                        Timeliness {
                            cases: ratio_.denominator,
                            decided_within_28_days: ratio_.numerator,
                            share_within_28_days: ratio_.value(),
                            median_days_to_decision: median,
                        },
                    )
                })
                .collect()
        }),
        disclosure_stages: per_window(w, |x| {
            DisclosureRoute::ALL
                .iter()
                .map(|r| {
                    let stages = DisclosureStage::ALL
                        .iter()
                        .map(|st| {
                            let (reached, on_time, median_days) =
                                frame.disclosure_stage(x, *r as u8, *st);
                            (
                                st.as_str().to_owned(),
                                StageTimeliness {
                                    cases: reached.denominator,
                                    reached: reached.numerator,
                                    on_time,
                                    share_on_time: (reached.denominator > 0)
                                        .then(|| on_time as f64 / reached.denominator as f64),
                                    median_days,
                                    mark: match st {
                                        DisclosureStage::Decision => "within 28 days of receipt",
                                        DisclosureStage::Disclosure => {
                                            "by the end of the 2nd working day after the decision"
                                        }
                                    },
                                },
                            )
                        })
                        .collect();
                    (r.as_str().to_owned(), stages)
                })
                .collect()
        }),
        disclosure_routes: per_window(w, |x| {
            DisclosureRoute::ALL
                .iter()
                .map(|r| {
                    let [received, disclosed, not_disclosed, withdrawn, open] =
                        frame.disclosure_routes(x, *r as u8);
                    (
                        r.as_str().to_owned(),
                        DisclosureRoutes {
                            received,
                            disclosed,
                            not_disclosed,
                            withdrawn,
                            open,
                        },
                    )
                })
                .collect()
        }),
        orders_applied_granted: per_window(w, |x| {
            [OrderKind::Dvpo, OrderKind::Dapo]
                .iter()
                .map(|k| {
                    let r = frame.orders_applied_granted(x, *k);
                    (
                        k.as_str().to_owned(),
                        OrdersAppliedGranted {
                            notices: r.denominator,
                            orders_granted: r.numerator,
                            share_granted: r.value(),
                        },
                    )
                })
                .collect()
        }),
        hearings_within_48h: per_window(w, |x| {
            [OrderKind::Dvpo, OrderKind::Dapo]
                .iter()
                .map(|k| {
                    let r = frame.hearings_within_48h(x, *k);
                    (
                        k.as_str().to_owned(),
                        HearingsWithin48h {
                            orders: r.denominator,
                            within_48_hours: r.numerator,
                            share: r.value(),
                        },
                    )
                })
                .collect()
        }),
        order_breaches: per_window(w, |x| {
            OrderKind::ALL
                .iter()
                .map(|k| {
                    let r = frame.order_breaches(x, *k);
                    (
                        k.as_str().to_owned(),
                        OrderBreaches {
                            issued: r.denominator,
                            breached: r.numerator,
                            per_100: r.value().map(|v| v * 100.0),
                        },
                    )
                })
                .collect()
        }),
        demand_decomposition,
        perpetrator_cohort: perpetrators.map(|mut members| {
            let cohort_cfg = cohort_config(cfg);
            members.truncate(cfg.cohort_size);
            members
                .into_iter()
                .map(|p| CohortMember {
                    person_id: id(p.person),
                    score: p.score.total,
                    r: p.score.r,
                    f: p.score.f,
                    g: p.score.g,
                    v: p.score.v,
                    incidents: p.facts.incidents,
                    victims: p.facts.victims,
                    last_incident: p.facts.last_incident.to_string(),
                    serial: p.serial,
                    reasons: crate::cohorts::reasons(s, &p, date(as_of), &cohort_cfg),
                })
                .collect()
        }),
        acute_victims: cohorts.then(|| {
            acute_victims_among(s, frame.incident_rows(), as_of, lpa, cfg.cohort_size)
                .into_iter()
                .map(|v| AcuteVictimRow {
                    person_id: id(v.person),
                    risk_level: if v.grade == NONE {
                        "not_assessed"
                    } else {
                        RiskGrade::ALL[usize::from(v.grade)].as_str()
                    },
                    incidents_12m: v.incidents_12m,
                    last_incident: date(v.last_day).to_string(),
                })
                .collect()
        }),
    }
}

/// Computes the whole pack.
pub fn compute(s: &Snapshot, cfg: &PackConfig) -> Result<Pack, PackError> {
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
    let shared = Shared::default();
    let frame = |cut, rows| Frame::new(s, (cut, rows), &shared, as_of, months.clone(), &cfg.groups);
    let cohort_cfg = cohort_config(cfg);
    let force_cohort = cfg
        .breakdown
        .then(|| perpetrator_cohort(s, as_of, None, &cohort_cfg));
    let force = measures(s, &frame(Cut::default(), None), cfg, order, force_cohort);
    // One pass over each table sorts its rows by area (and the offences by risk level);
    // each area's measures then walk that area's rows only. The cohorts of every area
    // come from one pass too.
    let (area_rows, risk_rows, mut area_cohorts) = if cfg.breakdown {
        (
            rows_by_area(s),
            offence_rows_by_risk(s, 3),
            perpetrator_cohorts_by_area(s, as_of, &cohort_cfg),
        )
    } else {
        Default::default()
    };
    // Areas in one fixed order everywhere: by name.
    let mut areas: Vec<(usize, &String)> = s.lpas.iter().enumerate().collect();
    areas.sort_by(|a, b| a.1.cmp(b.1));
    let by_lpa: Keyed<Measures> = areas
        .into_iter()
        .filter(|_| cfg.breakdown)
        .map(|(i, name)| {
            let cut = Cut {
                lpa: Some(i as u8),
                risk: None,
            };
            (
                name.clone(),
                measures(
                    s,
                    &frame(cut, area_rows.get(i)),
                    cfg,
                    order,
                    Some(area_cohorts.remove(&(i as u8)).unwrap_or_default()),
                ),
            )
        })
        .collect();
    let by_risk: Keyed<RiskMeasures> = RISK_NAMES
        .iter()
        .take(3)
        .enumerate()
        .filter(|_| cfg.breakdown)
        .map(|(i, name)| {
            let f = frame(
                Cut {
                    lpa: None,
                    risk: Some(i as u8),
                },
                risk_rows.get(i),
            );
            (
                (*name).to_owned(),
                RiskMeasures {
                    da_offences: series(&f.da_offences()),
                    solved_outcomes: series(&f.solved_outcomes()),
                    solved_rate: per_window(&cfg.windows, |x| f.solved_rate(x).value()),
                    positive_outcome_rate: per_window(&cfg.windows, |x| {
                        solved(f.positive_outcome_rate(x))
                    }),
                    days_to_finalise: monthly_maybe(f.days_to_finalise(), |v| v),
                },
            )
        })
        .collect();
    let code_list = |set: &std::collections::BTreeSet<vigil_domain::OutcomeCode>| {
        set.iter().map(|c| c.as_str()).collect::<Vec<_>>()
    };
    // A month is fully covered from the first one that starts at least 365 days after the
    // data do.
    let year_on = first_date + vigil_domain::time::Duration::days(365);
    let covered = if year_on == Month::of(year_on).first_day() {
        Month::of(year_on)
    } else {
        Month::from_index(Month::of(year_on).index() + 1)
    };
    let coverage = Coverage {
        first_month: start.key(),
        first_month_partial: first_date != start.first_day(),
        full_history_from: covered.key(),
        partial_month_left_out: (Month::of(cfg.as_of).last_day() != cfg.as_of)
            .then(|| Month::of(cfg.as_of).key()),
    };
    Ok(Pack {
        as_of: cfg.as_of.to_string(),
        data_from: first_date.to_string(),
        coverage,
        months: months.iter().map(|m| m.key()).collect(),
        windows: cfg.windows.iter().map(|w| w.key()).collect(),
        outcome_groups: OutcomeGroupCodes {
            solved: code_list(&cfg.groups.solved),
            resolved: code_list(&cfg.groups.resolved),
            victim_does_not_support: code_list(&cfg.groups.victim_does_not_support),
        },
        force,
        by_lpa,
        by_risk,
    })
}
