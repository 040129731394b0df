//! The perpetrator cohort and the acute victim cohort (METRICS.md, Cohorts).

use crate::snapshot::{NONE, Snapshot};
use std::collections::HashMap;
use vigil_domain::OffenceGroup;
use vigil_domain::offence_harm::vigil_group_weight;

/// Vigil's own Recency-Frequency-Gravity-Victims weights: no official point table is
/// public. Each part is scaled to 0–1 within the cohort before weighting, so the score is
/// out of 100. Gravity uses `offence_harm::vigil_group_weight`.
#[derive(Debug, Clone, Copy)]
pub struct RfgvWeights {
    pub recency: f64,
    pub frequency: f64,
    pub gravity: f64,
    pub victims: f64,
    pub lookback_days: i32,
}

impl Default for RfgvWeights {
    fn default() -> Self {
        RfgvWeights {
            recency: 0.20,
            frequency: 0.30,
            gravity: 0.35,
            victims: 0.15,
            lookback_days: 730,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Perpetrator {
    pub person: u32,
    pub score: f64,
    pub r: f64,
    pub f: f64,
    pub g: f64,
    pub v: f64,
    pub incidents: u32,
    pub victims: u32,
    pub last_day: i32,
    /// Two or more victims in three years.
    pub serial: bool,
}

/// `perpetrator_cohort(as_of t, lpa, n)`: suspects ranked by RFGV score over the look-back.
pub fn perpetrator_cohort(
    s: &Snapshot,
    as_of: i32,
    lpa: Option<u8>,
    n: usize,
    w: RfgvWeights,
) -> Vec<Perpetrator> {
    #[derive(Default)]
    struct Acc {
        incidents: u32,
        last: i32,
        victims: Vec<u32>,
        victims_3y: Vec<u32>,
        gravity: f64,
    }
    let from = as_of - w.lookback_days;
    let mut acc: HashMap<u32, Acc> = HashMap::new();
    let inc = &s.incidents;
    for i in 0..inc.day.len() {
        let (d, sus) = (inc.day[i], inc.suspect[i]);
        if sus == u32::MAX || d > as_of || lpa.is_some_and(|l| l != inc.lpa[i]) {
            continue;
        }
        if d >= as_of - 3 * 365 {
            let a = acc.entry(sus).or_default();
            if !a.victims_3y.contains(&inc.victim[i]) {
                a.victims_3y.push(inc.victim[i]);
            }
        }
        if d < from {
            continue;
        }
        let a = acc.entry(sus).or_default();
        a.incidents += 1;
        a.last = a.last.max(d);
        if !a.victims.contains(&inc.victim[i]) {
            a.victims.push(inc.victim[i]);
        }
    }
    let o = &s.offences;
    for i in 0..o.group.len() {
        let (d, sus) = (o.recorded_day[i], o.suspect[i]);
        if sus == u32::MAX || d > as_of || d < from || lpa.is_some_and(|l| l != o.lpa[i]) {
            continue;
        }
        if let Some(a) = acc.get_mut(&sus) {
            a.gravity += vigil_group_weight(OffenceGroup::ALL[usize::from(o.group[i])]);
        }
    }
    let acc: Vec<(u32, Acc)> = acc.into_iter().filter(|(_, a)| a.incidents > 0).collect();
    let max_f = acc
        .iter()
        .map(|(_, a)| a.incidents)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let max_g = acc
        .iter()
        .map(|(_, a)| a.gravity)
        .fold(0.0, f64::max)
        .max(1.0);
    let max_v = acc
        .iter()
        .map(|(_, a)| a.victims.len())
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let mut out: Vec<Perpetrator> = acc
        .into_iter()
        .map(|(person, a)| {
            let r = 1.0 - f64::from(as_of - a.last) / f64::from(w.lookback_days);
            let f = f64::from(a.incidents) / max_f;
            let g = a.gravity / max_g;
            let v = a.victims.len() as f64 / max_v;
            Perpetrator {
                person,
                score: 100.0 * (w.recency * r + w.frequency * f + w.gravity * g + w.victims * v),
                r,
                f,
                g,
                v,
                incidents: a.incidents,
                victims: a.victims.len() as u32,
                last_day: a.last,
                serial: a.victims_3y.len() >= 2,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.last_day.cmp(&a.last_day))
            .then_with(|| {
                s.person_ids
                    .get(a.person as usize)
                    .cmp(s.person_ids.get(b.person as usize))
            })
    });
    out.truncate(n);
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcuteVictim {
    pub person: u32,
    /// Highest grade among the victim's incidents in the last 12 months (NONE if none graded).
    pub grade: u8,
    pub incidents_12m: u32,
    pub last_day: i32,
}

/// `acute_victims(as_of t, lpa, n)`: victims ranked by their highest risk grade in the last
/// 12 months (Vigil's reading of "highest current risk grade"), then incidents in the last
/// 12 months, then recency, then id.
pub fn acute_victims(s: &Snapshot, as_of: i32, lpa: Option<u8>, n: usize) -> Vec<AcuteVictim> {
    let mut acc: HashMap<u32, AcuteVictim> = HashMap::new();
    let inc = &s.incidents;
    for i in 0..inc.day.len() {
        let d = inc.day[i];
        if d > as_of || d < as_of - 365 || lpa.is_some_and(|l| l != inc.lpa[i]) {
            continue;
        }
        let v = acc.entry(inc.victim[i]).or_insert(AcuteVictim {
            person: inc.victim[i],
            grade: NONE,
            incidents_12m: 0,
            last_day: d,
        });
        v.incidents_12m += 1;
        v.last_day = v.last_day.max(d);
        if inc.risk[i] != NONE && (v.grade == NONE || inc.risk[i] > v.grade) {
            v.grade = inc.risk[i];
        }
    }
    let mut out: Vec<AcuteVictim> = acc.into_values().collect();
    let rank = |g: u8| if g == NONE { -1 } else { i32::from(g) };
    out.sort_by(|a, b| {
        rank(b.grade)
            .cmp(&rank(a.grade))
            .then(b.incidents_12m.cmp(&a.incidents_12m))
            .then(b.last_day.cmp(&a.last_day))
            .then_with(|| {
                s.person_ids
                    .get(a.person as usize)
                    .cmp(s.person_ids.get(b.person as usize))
            })
    });
    out.truncate(n);
    out
}
