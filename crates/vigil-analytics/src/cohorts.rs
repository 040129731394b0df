//! The perpetrator cohort and the acute victim cohort (METRICS.md, Cohorts).

use crate::calendar::{date, day};
use crate::snapshot::{NONE, Snapshot};
use std::collections::{BTreeMap, HashMap};
use vigil_domain::OffenceGroup;
use vigil_domain::cohort::{CohortConfig, Facts, Score, rank_order, score};

/// One person scored for the perpetrator cohort: the facts the score read, the score and
/// its parts (the rule: `vigil_domain::cohort`), and the serial-perpetrator flag.
#[derive(Debug, Clone, PartialEq)]
pub struct Perpetrator {
    pub person: u32,
    /// The facts; `worst` is left out (see [`reasons`]), as words are only needed for the
    /// people shown.
    pub facts: Facts,
    pub score: Score,
    /// Two or more victims in the configured years, anywhere in the force.
    pub serial: bool,
    /// The most harmful offence (an index into the snapshot's offences).
    pub worst_offence: Option<u32>,
}

/// Why a scored person is where they are, in words (their most harmful offence named).
pub fn reasons(
    s: &Snapshot,
    p: &Perpetrator,
    as_of: vigil_domain::time::Date,
    cfg: &CohortConfig,
) -> String {
    let facts = Facts {
        worst: p.worst_offence.map(|i| offence_words(s, i as usize)),
        ..p.facts.clone()
    };
    vigil_domain::cohort::reasons(&facts, as_of, cfg)
}

#[derive(Clone)]
struct Acc {
    incidents: u32,
    last: i32,
    first_victim: u32,
    /// Victims other than the first, each once (most suspects have one victim: no
    /// allocation for them).
    more_victims: Vec<u32>,
    harm: f64,
    worst: Option<(f64, u32)>,
}

/// A multiplicative hash for the (area, person) keys: the standard hasher is built to resist
/// crafted keys, which these (the snapshot's own indices) are not, and is several times
/// slower over millions of rows.
#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0 ^ x).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type KeyMap = HashMap<u64, u32, std::hash::BuildHasherDefault<KeyHasher>>;

/// What each offence is worth under the run's harm table, by code index (then by group),
/// worked out once per run rather than once per offence.
struct Harm {
    by_code: Vec<f64>,
    by_group: [f64; 8],
}

impl Harm {
    fn new(s: &Snapshot, cfg: &CohortConfig) -> Harm {
        Harm {
            by_code: s
                .ho_codes
                .iter()
                .map(|c| cfg.harm.by_code.get(c).copied().unwrap_or(f64::NAN))
                .collect(),
            by_group: cfg.harm.by_group,
        }
    }

    fn of(&self, code: u32, group: u8) -> f64 {
        match self.by_code.get(code as usize) {
            Some(w) if !w.is_nan() => *w,
            _ => self.by_group[usize::from(group).min(7)],
        }
    }
}

/// The words for an offence: its Home Office title where Vigil knows the code, else its
/// group.
fn offence_words(s: &Snapshot, i: usize) -> String {
    let o = &s.offences;
    s.ho_codes
        .get(o.code[i] as usize)
        .and_then(|c| vigil_domain::offence_codes::lookup(c))
        .map(|c| c.title.to_lowercase())
        .unwrap_or_else(|| {
            OffenceGroup::ALL
                .get(usize::from(o.group[i]))
                .map_or("an offence".into(), |g| g.as_str().replace('_', " "))
        })
}

/// `serial_perpetrators(as_of t)`: suspects with two or more different victims of incidents
/// reported in the three years to `t` (configurable), anywhere in the force: from the day
/// after the date three years before `t`, to `t` (`vigil_domain::cohort::is_serial`'s
/// window). Indexed by person.
pub fn serial_perpetrators(s: &Snapshot, as_of: i32, years: u32) -> Vec<bool> {
    let from = day(vigil_domain::cohort::serial_window_start(
        date(as_of),
        years,
    ));
    let inc = &s.incidents;
    let mut first = vec![u32::MAX; s.person_ids.len()];
    let mut serial = vec![false; s.person_ids.len()];
    for i in 0..inc.day.len() {
        let (d, sus, v) = (inc.day[i], inc.suspect[i] as usize, inc.victim[i]);
        if sus >= first.len() || d < from || d > as_of {
            continue;
        }
        match first[sus] {
            u32::MAX => first[sus] = v,
            f if f != v => serial[sus] = true,
            _ => {}
        }
    }
    serial
}

/// `perpetrator_cohort(as_of t, lpa, n)`: every suspect with an incident in the area in the
/// look-back (the `lookback_days` days to `t`, inclusive; 730 by default), scored by
/// Recency, Frequency, Gravity and Victims over their incidents and offences in the area,
/// ranked by score, then the latest incident, then the reference; the first `n` (20 by
/// default) are the cohort. Each part is on an absolute scale from 0 to 1: R by bands of
/// days since the latest incident (within 30 days 1, 90 days 0.75, 180 days 0.5, 365 days
/// 0.25, else 0) or a half-life; F = incidents ÷ 10, at most 1; G = the summed harm of
/// their offences (recorded in the look-back) ÷ the harm table's cap (1,000 by default), at
/// most 1; V = different victims ÷ 3, at most 1. Score = 100 × (0.20 R + 0.30 F + 0.35 G +
/// 0.15 V) with the default weights. Harm is Vigil's default table (offence groups weighted
/// in the order of the ONS Crime Severity Score) or a force's CSV with its source; every
/// setting is configuration (`docs/rules-file.md`) and is stored with each run. Those
/// outside the first `n` are scored too, so a person who leaves has a score on exit.
pub fn perpetrator_cohort(
    s: &Snapshot,
    as_of: i32,
    lpa: Option<u8>,
    cfg: &CohortConfig,
) -> Vec<Perpetrator> {
    by_area(s, as_of, cfg, |l| {
        if lpa.is_none() || lpa == Some(l) {
            Some(0)
        } else {
            None
        }
    })
    .into_iter()
    .next()
    .map(|(_, v)| v)
    .unwrap_or_default()
}

/// The cohort of every area at once (one pass over the records), keyed by area index.
pub fn perpetrator_cohorts_by_area(
    s: &Snapshot,
    as_of: i32,
    cfg: &CohortConfig,
) -> BTreeMap<u8, Vec<Perpetrator>> {
    by_area(s, as_of, cfg, |l| (l != NONE).then_some(l))
        .into_iter()
        .collect()
}

/// Scores suspects grouped by `group_of(incident or offence LPA)` (`None`: not counted).
/// Each group's first `cfg.size` are ranked (by `vigil_domain::cohort::rank_order`); the
/// rest follow, scored but in no order.
fn by_area(
    s: &Snapshot,
    as_of: i32,
    cfg: &CohortConfig,
    group_of: impl Fn(u8) -> Option<u8>,
) -> BTreeMap<u8, Vec<Perpetrator>> {
    let from = as_of - (cfg.lookback_days as i32 - 1);
    let key = |g: u8, sus: u32| (u64::from(g) << 32) | u64::from(sus);
    let mut index = KeyMap::default();
    let mut accs: Vec<(u8, u32, Acc)> = Vec::new();
    let inc = &s.incidents;
    for i in 0..inc.day.len() {
        let (d, sus) = (inc.day[i], inc.suspect[i]);
        if sus == u32::MAX || d > as_of || d < from {
            continue;
        }
        let Some(g) = group_of(inc.lpa[i]) else {
            continue;
        };
        let v = inc.victim[i];
        let k = *index.entry(key(g, sus)).or_insert_with(|| {
            accs.push((
                g,
                sus,
                Acc {
                    incidents: 0,
                    last: d,
                    first_victim: v,
                    more_victims: Vec::new(),
                    harm: 0.0,
                    worst: None,
                },
            ));
            accs.len() as u32 - 1
        });
        let a = &mut accs[k as usize].2;
        a.incidents += 1;
        a.last = a.last.max(d);
        if v != a.first_victim && !a.more_victims.contains(&v) {
            a.more_victims.push(v);
        }
    }
    let harm = Harm::new(s, cfg);
    let o = &s.offences;
    for i in 0..o.group.len() {
        let (d, sus) = (o.recorded_day[i], o.suspect[i]);
        if sus == u32::MAX || d > as_of || d < from {
            continue;
        }
        let Some(g) = group_of(o.lpa[i]) else {
            continue;
        };
        // Only people with an incident in the look-back are scored.
        if let Some(k) = index.get(&key(g, sus)) {
            let a = &mut accs[*k as usize].2;
            let h = harm.of(o.code[i], o.group[i]);
            a.harm += h;
            if a.worst.is_none_or(|(w, _)| h > w) {
                a.worst = Some((h, i as u32));
            }
        }
    }
    drop(index);
    let serial = serial_perpetrators(s, as_of, cfg.serial_years);
    let as_of_date = date(as_of);
    let mut out: BTreeMap<u8, Vec<Perpetrator>> = BTreeMap::new();
    for (g, person, a) in accs {
        let facts = Facts {
            incidents: a.incidents,
            last_incident: date(a.last),
            victims: 1 + a.more_victims.len() as u32,
            harm: a.harm,
            worst: None,
        };
        out.entry(g).or_default().push(Perpetrator {
            person,
            score: score(&facts, as_of_date, cfg),
            facts,
            serial: serial.get(person as usize).copied().unwrap_or(false),
            worst_offence: a.worst.map(|(_, i)| i),
        });
    }
    let key = |p: &Perpetrator| {
        (
            p.score.total,
            p.facts.last_incident,
            s.person_ids.get(p.person as usize),
        )
    };
    let order = |a: &Perpetrator, b: &Perpetrator| rank_order(key(a), key(b));
    for v in out.values_mut() {
        // Only the cohort needs an order: the first `size` found, then sorted.
        if v.len() > cfg.size {
            v.select_nth_unstable_by(cfg.size, order);
        }
        let n = cfg.size.min(v.len());
        v[..n].sort_by(order);
    }
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

/// `acute_victims(as_of t, lpa, n)`: victims of incidents in the area reported in the 365
/// days to `t`, ranked by their highest risk grade among those incidents (Vigil's reading
/// of "highest current risk grade"; an ungraded incident ranks below standard), then the
/// number of those incidents (repeat victimisation), then the latest, then the reference.
pub fn acute_victims(s: &Snapshot, as_of: i32, lpa: Option<u8>, n: usize) -> Vec<AcuteVictim> {
    acute_victims_among(s, 0..s.incidents.day.len(), as_of, lpa, n)
}

/// The acute victims (`acute_victims`) over the incidents of `rows` (an area's, when the caller has them
/// sorted by area; the area is still tested).
pub fn acute_victims_among(
    s: &Snapshot,
    rows: impl Iterator<Item = usize>,
    as_of: i32,
    lpa: Option<u8>,
    n: usize,
) -> Vec<AcuteVictim> {
    let mut acc: HashMap<u64, AcuteVictim, std::hash::BuildHasherDefault<KeyHasher>> =
        HashMap::default();
    let inc = &s.incidents;
    for i in rows {
        let d = inc.day[i];
        if d > as_of || d <= as_of - 365 || lpa.is_some_and(|l| l != inc.lpa[i]) {
            continue;
        }
        let v = acc.entry(u64::from(inc.victim[i])).or_insert(AcuteVictim {
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
    let order = |a: &AcuteVictim, b: &AcuteVictim| {
        rank(b.grade)
            .cmp(&rank(a.grade))
            .then(b.incidents_12m.cmp(&a.incidents_12m))
            .then(b.last_day.cmp(&a.last_day))
            .then_with(|| {
                s.person_ids
                    .get(a.person as usize)
                    .cmp(s.person_ids.get(b.person as usize))
            })
    };
    // Only the first `n` are ranked: the order is total (ids are unique), so picking them
    // first gives the same list as sorting everyone.
    if out.len() > n && n > 0 {
        out.select_nth_unstable_by(n - 1, order);
    }
    out.truncate(n);
    out.sort_by(order);
    out
}

/// A grade as the cohort says it ("high", or "not assessed").
pub fn grade_words(g: u8) -> &'static str {
    if g == NONE {
        "not assessed"
    } else {
        vigil_domain::RiskGrade::ALL
            .get(usize::from(g))
            .map_or("not assessed", |g| g.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::Snapshot;
    use vigil_domain::cohort::{CohortConfig, Weights};
    use vigil_domain::time::{parse_date, parse_datetime};
    use vigil_domain::*;

    fn records() -> RecordSet {
        let person = |id: &str| Person {
            id: PersonId::parse(id).unwrap(),
            sex: Sex::Male,
            birth_date: None,
            ethnicity: Ethnicity::White,
            lpa: Some(Lpa::parse("North").unwrap()),
            identity: Identity::default(),
            address_confidential: false,
        };
        let incident = |id: &str, at: &str, victim: &str, suspect: &str, lpa: &str| Incident {
            id: IncidentId::parse(id).unwrap(),
            reported_at: parse_datetime(at).unwrap(),
            lpa: Lpa::parse(lpa).unwrap(),
            call_grade: CallGrade::Emergency,
            arrived_at: None,
            response_target_met: None,
            victim_id: PersonId::parse(victim).unwrap(),
            suspect_id: Some(PersonId::parse(suspect).unwrap()),
            relationship: Relationship::Partner,
            children_present: false,
            risk_level: None,
            dash_yes_count: None,
        };
        let offence =
            |id: &str, incident: &str, suspect: &str, group: OffenceGroup, day: &str| Offence {
                id: OffenceId::parse(id).unwrap(),
                incident_id: IncidentId::parse(incident).unwrap(),
                ho_code: None,
                offence_group: group,
                offence_date: parse_date(day).unwrap(),
                recorded_date: parse_date(day).unwrap(),
                victim_id: PersonId::parse("V1").unwrap(),
                suspect_id: Some(PersonId::parse(suspect).unwrap()),
                risk_level: None,
                team: InvestigatingTeam::Dait,
                outcome: None,
                bwv_captured: false,
            };
        RecordSet {
            persons: ["V1", "V2", "OLD", "GRAVE", "OFTEN"]
                .iter()
                .map(|p| person(p))
                .collect(),
            incidents: vec![
                // OLD's only incidents are three years back: outside the 730-day look-back.
                incident("I1", "2016-06-01T10:00:00", "V1", "OLD", "North"),
                incident("I2", "2016-07-01T10:00:00", "V2", "OLD", "North"),
                // GRAVE: one recent incident with a sexual offence.
                incident("I3", "2019-08-20T10:00:00", "V1", "GRAVE", "North"),
                // OFTEN: four recent incidents against two victims, minor offences.
                incident("I4", "2019-06-01T10:00:00", "V1", "OFTEN", "North"),
                incident("I5", "2019-07-01T10:00:00", "V2", "OFTEN", "North"),
                incident("I6", "2019-08-01T10:00:00", "V1", "OFTEN", "North"),
                incident("I7", "2019-08-25T10:00:00", "V2", "OFTEN", "North"),
            ],
            offences: vec![
                offence("O1", "I3", "GRAVE", OffenceGroup::Sexual, "2019-08-20"),
                offence("O2", "I4", "OFTEN", OffenceGroup::PublicOrder, "2019-06-01"),
            ],
            ..RecordSet::default()
        }
    }

    fn ranked(cfg: &CohortConfig) -> (Snapshot, Vec<String>) {
        let s = Snapshot::from_records(&records(), None);
        let as_of = day(parse_date("2019-09-01").unwrap());
        let ids = perpetrator_cohort(&s, as_of, s.lpa_index("North"), cfg)
            .iter()
            .map(|p| s.person_ids.get(p.person as usize).to_owned())
            .collect();
        (s, ids)
    }

    /// By hand, as of 1 September 2019 with Vigil's defaults: GRAVE R 1, F 0.1, G 0.9, V 1/3
    /// → 100 × (0.2 + 0.03 + 0.315 + 0.05) = 59.5; OFTEN R 1 (7 days), F 0.4, G 0.01,
    /// V 2/3 → 100 × (0.2 + 0.12 + 0.0035 + 0.1) = 42.35. OLD is outside the look-back.
    /// Weighting frequency alone puts OFTEN first; the configuration stored with the first
    /// run still reproduces that run's order.
    #[test]
    fn the_order_follows_the_weights_and_a_stored_run_explains_itself() {
        let defaults = CohortConfig::default();
        let s = Snapshot::from_records(&records(), None);
        let as_of = day(parse_date("2019-09-01").unwrap());
        let all = perpetrator_cohort(&s, as_of, s.lpa_index("North"), &defaults);
        let score = |id: &str| {
            all.iter()
                .find(|p| s.person_ids.get(p.person as usize) == id)
                .map(|p| p.score.total)
        };
        assert!((score("GRAVE").unwrap() - 59.5).abs() < 1e-9);
        assert!((score("OFTEN").unwrap() - 42.35).abs() < 1e-9);
        assert_eq!(
            score("OLD"),
            None,
            "only incidents outside the look-back: not scored"
        );
        let (_, first) = ranked(&defaults);
        assert_eq!(first, ["GRAVE", "OFTEN"]);
        let stored = defaults.to_text();
        let frequency_only = CohortConfig {
            weights: Weights {
                recency: 0.0,
                frequency: 1.0,
                gravity: 0.0,
                victims: 0.0,
            },
            ..CohortConfig::default()
        };
        assert_eq!(ranked(&frequency_only).1, ["OFTEN", "GRAVE"]);
        let explained = CohortConfig::from_text(&stored).unwrap();
        assert_eq!(
            ranked(&explained).1,
            first,
            "the stored configuration reproduces the run"
        );
        // An area with no incidents has an empty cohort.
        assert!(perpetrator_cohort(&s, as_of, Some(200), &defaults).is_empty());
        // OFTEN has two victims in three years: serial; GRAVE one: not.
        let serial = serial_perpetrators(&s, as_of, 3);
        let idx = |id: &str| {
            (0..s.person_ids.len())
                .find(|i| s.person_ids.get(*i) == id)
                .unwrap()
        };
        assert!(serial[idx("OFTEN")] && !serial[idx("GRAVE")]);
    }
}
