//! The perpetrator cohort's score and the serial-perpetrator rule: who is in the cohort,
//! with what score, and why, in words.
//!
//! The score is Recency, Frequency, Gravity and Victims (RFGV) over a look-back. No official
//! point table is public, so the defaults are Vigil's own and every part is configuration
//! ([`CohortConfig`]), stored with each run as text ([`CohortConfig::to_text`]) so a past run
//! explains itself after the weights change. Each part is on an absolute scale from 0 to 1
//! (not scaled to the largest in the area), so a person's score can be compared run to run
//! and drawn over time:
//!
//! - R, recency: of the person's latest incident as the suspect, by bands of days since it
//!   (default: within 30 days 1, 90 days 0.75, 180 days 0.5, 365 days 0.25, else 0) or by a
//!   half-life (0.5 to the power days ÷ half-life);
//! - F, frequency: incidents as the suspect in the look-back ÷ a cap (default 10), at most 1;
//! - G, gravity: the harm of their offences in the look-back, summed, ÷ the harm table's cap,
//!   at most 1; harm from an open table (Vigil's default orders offence groups as the ONS
//!   Crime Severity Score orders them; a force's own table, such as the Cambridge Crime Harm
//!   Index, is loaded from CSV with its source recorded);
//! - V, victims: different victims in the look-back ÷ a cap (default 3), at most 1.
//!
//! The score is 100 × (wR·R + wF·F + wG·G + wV·V) ÷ (wR + wF + wG + wV). Ties break by the
//! latest incident (more recent first), then by person reference.

use crate::access::Username;
use crate::records::OffenceGroup;
use crate::text::said;
use crate::time::{Date, DateTime, Duration};
use crate::vocabulary::vocabulary;
use crate::{Lpa, PersonId, ValueError};
use std::collections::BTreeMap;

/// How recency scores the days since the latest incident.
#[derive(Debug, Clone, PartialEq)]
pub enum Recency {
    /// `(up to days, value)`, in increasing days: the first band the days fall in.
    Bands(Vec<(u32, f64)>),
    /// Halves every this many days.
    HalfLife(u32),
}

impl Recency {
    pub fn value(&self, days_since: i64) -> f64 {
        let d = days_since.max(0);
        match self {
            Recency::Bands(bands) => bands
                .iter()
                .find(|(upto, _)| d <= i64::from(*upto))
                .map_or(0.0, |(_, v)| *v),
            Recency::HalfLife(h) => 0.5f64.powf(d as f64 / f64::from((*h).max(1))),
        }
    }
}

/// Harm per offence: by Home Office code where the table has the code, else by group.
#[derive(Debug, Clone, PartialEq)]
pub struct HarmTable {
    /// Where the weights come from (said on every run that uses them).
    pub source: String,
    pub by_code: BTreeMap<String, f64>,
    /// Indexed as `OffenceGroup::ALL`.
    pub by_group: [f64; 8],
    /// The summed harm that scores gravity 1.
    pub cap: f64,
}

impl HarmTable {
    /// Vigil's default: its group weights (`offence_harm::vigil_group_weight`), ordered as
    /// the ONS Crime Severity Score orders the offences; a sum of 1,000 scores 1.
    pub fn vigil_default() -> HarmTable {
        let mut by_group = [0.0; 8];
        for (i, g) in OffenceGroup::ALL.iter().enumerate() {
            by_group[i] = crate::offence_harm::vigil_group_weight(*g);
        }
        HarmTable {
            source: "Vigil's default: offence groups weighted in the order of the ONS Crime Severity Score".into(),
            by_code: BTreeMap::new(),
            by_group,
            cap: 1000.0,
        }
    }

    pub fn weight(&self, code: Option<&str>, group: OffenceGroup) -> f64 {
        code.and_then(|c| self.by_code.get(&c.to_ascii_uppercase()))
            .copied()
            .unwrap_or(self.by_group[group as usize])
    }

    /// A force's own table from CSV: a header `key,weight` (or `ho_code,weight`), then one
    /// row per Home Office code or offence group name; groups not given keep Vigil's
    /// weights. `cap` is the summed harm that scores 1. Errors name the line and the value.
    pub fn from_csv(text: &str, source: &str, cap: f64) -> Result<HarmTable, String> {
        let mut t = HarmTable::vigil_default();
        t.source = source.trim().to_owned();
        if t.source.is_empty() {
            return Err("the harm table needs its source (where the weights come from)".into());
        }
        if !(cap.is_finite() && cap > 0.0) {
            return Err(format!("the harm cap {cap} must be a positive number"));
        }
        t.cap = cap;
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        match lines.next() {
            Some((_, h)) if matches!(h.trim(), "key,weight" | "ho_code,weight") => {}
            Some((n, h)) => {
                return Err(format!(
                    "line {}: the header is '{}'; it must be key,weight",
                    n + 1,
                    cut(h)
                ));
            }
            None => return Err("the harm table is empty".into()),
        }
        for (n, line) in lines {
            let (key, weight) = line
                .split_once(',')
                .ok_or_else(|| format!("line {}: '{}' is not key,weight", n + 1, cut(line)))?;
            let key = key.trim();
            let w: f64 = weight
                .trim()
                .parse()
                .ok()
                .filter(|w: &f64| w.is_finite() && *w >= 0.0)
                .ok_or_else(|| {
                    format!(
                        "line {}: weight '{}' of {} is not a number of 0 or more",
                        n + 1,
                        cut(weight.trim()),
                        cut(key)
                    )
                })?;
            if let Ok(g) = OffenceGroup::parse(key) {
                t.by_group[g as usize] = w;
            } else if !key.is_empty()
                && key.len() <= 8
                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '/')
            {
                t.by_code.insert(key.to_ascii_uppercase(), w);
            } else {
                return Err(format!(
                    "line {}: '{}' is neither an offence group nor a Home Office code",
                    n + 1,
                    cut(key)
                ));
            }
        }
        Ok(t)
    }
}

fn cut(s: &str) -> String {
    s.chars().take(40).collect()
}

/// The parts' weights.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    pub recency: f64,
    pub frequency: f64,
    pub gravity: f64,
    pub victims: f64,
}

/// Everything a cohort run depends on besides the records.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortConfig {
    pub lookback_days: u32,
    pub recency: Recency,
    pub weights: Weights,
    pub frequency_cap: u32,
    pub victims_cap: u32,
    pub harm: HarmTable,
    /// Serial perpetrators: two or more victims in this many years.
    pub serial_years: u32,
    /// Members per area.
    pub size: usize,
}

impl Default for CohortConfig {
    fn default() -> Self {
        CohortConfig {
            lookback_days: 730,
            recency: Recency::Bands(vec![(30, 1.0), (90, 0.75), (180, 0.5), (365, 0.25)]),
            weights: Weights {
                recency: 0.20,
                frequency: 0.30,
                gravity: 0.35,
                victims: 0.15,
            },
            frequency_cap: 10,
            victims_cap: 3,
            harm: HarmTable::vigil_default(),
            serial_years: 3,
            size: 20,
        }
    }
}

impl CohortConfig {
    /// Checks the numbers make sense; the message names the setting.
    pub fn check(&self) -> Result<(), String> {
        let w = self.weights;
        for (name, v) in [
            ("weights.recency", w.recency),
            ("weights.frequency", w.frequency),
            ("weights.gravity", w.gravity),
            ("weights.victims", w.victims),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(format!("{name}: {v} must be 0 or more"));
            }
        }
        if w.recency + w.frequency + w.gravity + w.victims <= 0.0 {
            return Err("weights: at least one weight must be more than 0".into());
        }
        if !(1..=3650).contains(&self.lookback_days) {
            return Err(format!(
                "lookback_days: {} is out of range; give 1 to 3650",
                self.lookback_days
            ));
        }
        if self.frequency_cap == 0 || self.victims_cap == 0 {
            return Err("frequency_cap and victims_cap must be 1 or more".into());
        }
        if !(1..=10).contains(&self.serial_years) {
            return Err(format!(
                "serial_years: {} is out of range; give 1 to 10",
                self.serial_years
            ));
        }
        if !(self.harm.cap.is_finite() && self.harm.cap > 0.0) {
            return Err(format!("harm.cap: {} must be more than 0", self.harm.cap));
        }
        if !(1..=500).contains(&self.size) {
            return Err(format!(
                "size: {} is out of range; give 1 to 500",
                self.size
            ));
        }
        match &self.recency {
            Recency::Bands(b) if b.is_empty() => {
                return Err("recency: give at least one band".into());
            }
            Recency::Bands(b) => {
                if b.windows(2).any(|w| w[0].0 >= w[1].0)
                    || b.iter().any(|(_, v)| !(0.0..=1.0).contains(v))
                {
                    return Err(
                        "recency: bands must rise in days, each with a value from 0 to 1".into(),
                    );
                }
            }
            Recency::HalfLife(0) => {
                return Err("recency: the half-life must be 1 day or more".into());
            }
            Recency::HalfLife(_) => {}
        }
        Ok(())
    }

    /// The configuration as text, one `key=value` a line, in a fixed order: stored with each
    /// run, shown beside it, and read back by [`CohortConfig::from_text`].
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let mut line = |k: &str, v: String| {
            out.push_str(k);
            out.push('=');
            out.push_str(&v);
            out.push('\n');
        };
        line("lookback_days", self.lookback_days.to_string());
        line(
            "recency",
            match &self.recency {
                Recency::Bands(b) => format!(
                    "bands:{}",
                    b.iter()
                        .map(|(d, v)| format!("{d}:{v}"))
                        .collect::<Vec<_>>()
                        .join(",")
                ),
                Recency::HalfLife(h) => format!("half_life:{h}"),
            },
        );
        let w = self.weights;
        line("weights.recency", w.recency.to_string());
        line("weights.frequency", w.frequency.to_string());
        line("weights.gravity", w.gravity.to_string());
        line("weights.victims", w.victims.to_string());
        line("frequency_cap", self.frequency_cap.to_string());
        line("victims_cap", self.victims_cap.to_string());
        line("serial_years", self.serial_years.to_string());
        line("size", self.size.to_string());
        line("harm.source", self.harm.source.replace('\n', " "));
        line("harm.cap", self.harm.cap.to_string());
        for (i, g) in OffenceGroup::ALL.iter().enumerate() {
            line(
                &format!("harm.group.{}", g.as_str()),
                self.harm.by_group[i].to_string(),
            );
        }
        for (code, w) in &self.harm.by_code {
            line(&format!("harm.code.{code}"), w.to_string());
        }
        out
    }

    /// Reads back [`CohortConfig::to_text`].
    pub fn from_text(text: &str) -> Result<CohortConfig, String> {
        let mut c = CohortConfig::default();
        c.harm.by_code.clear();
        for (n, raw) in text.lines().enumerate() {
            if raw.trim().is_empty() {
                continue;
            }
            let (k, v) = raw
                .split_once('=')
                .ok_or_else(|| format!("line {}: '{}' is not key=value", n + 1, cut(raw)))?;
            let bad = || format!("line {}: {k} has the value '{}'", n + 1, cut(v));
            let num = |v: &str| v.parse::<f64>().map_err(|_| bad());
            let int = |v: &str| v.parse::<u32>().map_err(|_| bad());
            match k {
                "lookback_days" => c.lookback_days = int(v)?,
                "recency" => {
                    c.recency = if let Some(h) = v.strip_prefix("half_life:") {
                        Recency::HalfLife(int(h)?)
                    } else if let Some(b) = v.strip_prefix("bands:") {
                        Recency::Bands(
                            b.split(',')
                                .map(|p| {
                                    let (d, x) = p.split_once(':').ok_or_else(bad)?;
                                    Ok((int(d)?, num(x)?))
                                })
                                .collect::<Result<_, String>>()?,
                        )
                    } else {
                        return Err(bad());
                    }
                }
                "weights.recency" => c.weights.recency = num(v)?,
                "weights.frequency" => c.weights.frequency = num(v)?,
                "weights.gravity" => c.weights.gravity = num(v)?,
                "weights.victims" => c.weights.victims = num(v)?,
                "frequency_cap" => c.frequency_cap = int(v)?,
                "victims_cap" => c.victims_cap = int(v)?,
                "serial_years" => c.serial_years = int(v)?,
                "size" => c.size = int(v)? as usize,
                "harm.source" => c.harm.source = v.to_owned(),
                "harm.cap" => c.harm.cap = num(v)?,
                _ => {
                    if let Some(g) = k.strip_prefix("harm.group.") {
                        let g = OffenceGroup::parse(g).map_err(|_| bad())?;
                        c.harm.by_group[g as usize] = num(v)?;
                    } else if let Some(code) = k.strip_prefix("harm.code.") {
                        c.harm.by_code.insert(code.to_owned(), num(v)?);
                    } else {
                        return Err(format!("line {}: '{}' is not a setting", n + 1, cut(k)));
                    }
                }
            }
        }
        c.check()?;
        Ok(c)
    }
}

/// What the score reads of one person, over the look-back, as the suspect.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    pub incidents: u32,
    pub last_incident: Date,
    pub victims: u32,
    /// The summed harm of their offences (weights from the run's harm table).
    pub harm: f64,
    /// Their most harmful offence, in words (its title or group).
    pub worst: Option<String>,
}

/// A person's score and its parts (each 0 to 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    pub total: f64,
    pub r: f64,
    pub f: f64,
    pub g: f64,
    pub v: f64,
}

/// The score of `f` as of `as_of` under `cfg` (see the module's description).
pub fn score(f: &Facts, as_of: Date, cfg: &CohortConfig) -> Score {
    let w = cfg.weights;
    let r = cfg.recency.value((as_of - f.last_incident).num_days());
    let fr = (f64::from(f.incidents) / f64::from(cfg.frequency_cap.max(1))).min(1.0);
    let g = (f.harm / cfg.harm.cap).clamp(0.0, 1.0);
    let v = (f64::from(f.victims) / f64::from(cfg.victims_cap.max(1))).min(1.0);
    let sum = w.recency + w.frequency + w.gravity + w.victims;
    let total = if sum > 0.0 {
        100.0 * (w.recency * r + w.frequency * fr + w.gravity * g + w.victims * v) / sum
    } else {
        0.0
    };
    Score {
        total,
        r,
        f: fr,
        g,
        v,
    }
}

/// Why a person is where they are, in words: "4 incidents in 24 months, the last 9 days
/// ago; 2 victims; violence with injury".
pub fn reasons(f: &Facts, as_of: Date, cfg: &CohortConfig) -> String {
    let ago = (as_of - f.last_incident).num_days();
    let months = (cfg.lookback_days as f64 / 30.4375).round() as i64;
    let mut out = format!(
        "{} incident{} in {months} months, the last {}; {} victim{}",
        f.incidents,
        if f.incidents == 1 { "" } else { "s" },
        match ago {
            0 => "today".to_owned(),
            1 => "yesterday".to_owned(),
            n => format!("{n} days ago"),
        },
        f.victims,
        if f.victims == 1 { "" } else { "s" },
    );
    if let Some(w) = &f.worst {
        out.push_str("; ");
        out.push_str(w);
    }
    out
}

/// The cohort's order of two scored people: score (higher first; scores within a millionth
/// of a point are a tie, so the order never turns on how a sum was rounded), then the latest
/// incident (more recent first), then the person reference.
pub fn rank_order(a: (f64, Date, &str), b: (f64, Date, &str)) -> std::cmp::Ordering {
    let micro = |x: f64| (x * 1e6).round() as i64;
    micro(b.0)
        .cmp(&micro(a.0))
        .then(b.1.cmp(&a.1))
        .then_with(|| a.2.cmp(b.2))
}

/// Ranks scored people by [`rank_order`] — deterministic whatever order they came in.
pub fn rank<'k, T>(rows: &mut [T], key: impl Fn(&T) -> (f64, Date, &'k str)) {
    rows.sort_by(|a, b| rank_order(key(a), key(b)));
}

/// The first day of the serial-perpetrator window ending on `as_of`: `years` years back.
pub fn serial_window_start(as_of: Date, years: u32) -> Date {
    use chrono::Datelike;
    as_of
        .with_year(as_of.year() - years as i32)
        .unwrap_or_else(|| as_of - Duration::days(365 * i64::from(years)))
        + Duration::days(1)
}

/// The different victims of incidents in which the person was the suspect, reported from
/// [`serial_window_start`] to `as_of` inclusive.
pub fn serial_victims<'a>(
    victims_by_day: impl IntoIterator<Item = (Date, &'a str)>,
    as_of: Date,
    years: u32,
) -> usize {
    let from = serial_window_start(as_of, years);
    let mut seen: Vec<&str> = victims_by_day
        .into_iter()
        .filter(|(d, _)| *d >= from && *d <= as_of)
        .map(|(_, v)| v)
        .collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

/// A serial perpetrator: two or more different victims of incidents in which the person
/// was the suspect, reported from [`serial_window_start`] to `as_of` inclusive.
pub fn is_serial<'a>(
    victims_by_day: impl IntoIterator<Item = (Date, &'a str)>,
    as_of: Date,
    years: u32,
) -> bool {
    serial_victims(victims_by_day, as_of, years) >= 2
}

vocabulary! {
    /// Which cohort.
    pub enum CohortKind ("cohort") {
        Perpetrator = "perpetrator",
        Victim = "victim",
    }
}

vocabulary! {
    /// How a person moved between one run and the one before it.
    pub enum Movement ("movement") {
        Entered = "entered",
        Stayed = "stayed",
        Left = "left",
    }
}

vocabulary! {
    /// What an owner did about a cohort member.
    pub enum ActionKind ("cohort action") {
        /// The planned review (sets the next one).
        Review = "review",
        /// A referral to a perpetrator programme.
        ProgrammeReferral = "programme_referral",
        /// Disruption (arrest for another offence, a warrant, a search).
        Disruption = "disruption",
        /// A protective order applied for.
        OrderApplied = "order_applied",
        /// An attempt to contact a victim (the acute victim cohort), made or not.
        ContactAttempt = "contact_attempt",
        /// Anything else done, said in words.
        Other = "other",
    }
}

impl ActionKind {
    pub fn words(self) -> &'static str {
        match self {
            ActionKind::Review => "Review",
            ActionKind::ProgrammeReferral => "Perpetrator programme referral",
            ActionKind::Disruption => "Disruption",
            ActionKind::OrderApplied => "Order applied for",
            ActionKind::ContactAttempt => "Contact attempt",
            ActionKind::Other => "Other action",
        }
    }
}

/// Who sees a cohort: the perpetrator cohort is the analysts' and the DAIT's (integrated
/// offender management works from it); the acute victim cohort the analysts', the CRU's
/// and the DAIT sergeants'.
pub fn may_view(role: crate::access::Role, kind: CohortKind) -> bool {
    use crate::access::Role as R;
    match kind {
        CohortKind::Perpetrator => {
            matches!(role, R::Analyst | R::DaitSergeant | R::DaitInvestigator)
        }
        CohortKind::Victim => matches!(role, R::Analyst | R::CruOfficer | R::DaitSergeant),
    }
}

/// Who runs a cohort now and allocates its members: analysts, and the DAIT sergeants (the
/// perpetrator cohort) or the CRU (the acute victim cohort).
pub fn may_manage(role: crate::access::Role, kind: CohortKind) -> bool {
    use crate::access::Role as R;
    match kind {
        CohortKind::Perpetrator => matches!(role, R::Analyst | R::DaitSergeant),
        CohortKind::Victim => matches!(role, R::Analyst | R::CruOfficer),
    }
}

/// Who may own a member: an officer who sees the cohort, not an analyst.
pub fn may_own(role: crate::access::Role, kind: CohortKind) -> bool {
    may_view(role, kind) && role != crate::access::Role::Analyst
}

/// One person in a stored run: their rank (none for one who left), score and parts, and
/// how they moved since the run before.
#[derive(Debug, Clone, PartialEq)]
pub struct RunMember {
    pub person_id: PersonId,
    pub rank: Option<u32>,
    pub movement: Movement,
    pub previous_rank: Option<u32>,
    pub score: f64,
    pub r: f64,
    pub f: f64,
    pub g: f64,
    pub v: f64,
    pub incidents: u32,
    pub victims: u32,
    pub last_incident: Option<Date>,
    pub serial: bool,
    pub reasons: String,
}

impl RunMember {
    /// The movement in words: "entered", "stayed, up 2", "left".
    pub fn change(&self) -> String {
        match (self.movement, self.rank, self.previous_rank) {
            (Movement::Stayed, Some(now), Some(before)) if now < before => {
                format!("stayed, up {}", before - now)
            }
            (Movement::Stayed, Some(now), Some(before)) if now > before => {
                format!("stayed, down {}", now - before)
            }
            (m, _, _) => m.as_str().to_owned(),
        }
    }
}

/// A cohort run as stored: which cohort, area and day, who ran it, the configuration it
/// used (as text), and its members — those in it, and those who left since the run before.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Given by the store (0 before it is saved).
    pub id: i64,
    pub kind: CohortKind,
    pub lpa: Lpa,
    pub as_of: Date,
    pub run_at: DateTime,
    /// The user who ran it, or `schedule`.
    pub run_by: String,
    pub configuration: String,
    pub members: Vec<RunMember>,
}

impl Run {
    /// Those in the cohort, by rank.
    pub fn in_cohort(&self) -> impl Iterator<Item = &RunMember> {
        self.members.iter().filter(|m| m.rank.is_some())
    }
}

/// Marks each ranked member entered or stayed against `previous` (the area's run before),
/// and adds those who left: each with `now_of`'s score for them (their score on exit), or
/// the one they had before when they no longer score at all.
pub fn movements(
    previous: Option<&Run>,
    mut ranked: Vec<RunMember>,
    now_of: impl Fn(&PersonId) -> Option<RunMember>,
) -> Vec<RunMember> {
    let before: BTreeMap<&PersonId, u32> = previous
        .map(|p| {
            p.members
                .iter()
                .filter_map(|m| Some((&m.person_id, m.rank?)))
                .collect()
        })
        .unwrap_or_default();
    for m in &mut ranked {
        m.previous_rank = before.get(&m.person_id).copied();
        m.movement = if m.previous_rank.is_some() {
            Movement::Stayed
        } else {
            Movement::Entered
        };
    }
    let here: std::collections::BTreeSet<PersonId> =
        ranked.iter().map(|m| m.person_id.clone()).collect();
    let mut left: Vec<RunMember> = before
        .iter()
        .filter(|(p, _)| !here.contains(**p))
        .map(|(p, rank)| {
            let old = previous
                .and_then(|r| r.members.iter().find(|m| &m.person_id == *p))
                .cloned();
            let mut m = now_of(p).or(old).expect("a member of the run before");
            m.rank = None;
            m.previous_rank = Some(*rank);
            m.movement = Movement::Left;
            m
        })
        .collect();
    left.sort_by_key(|m| m.previous_rank);
    ranked.extend(left);
    ranked
}

/// One thing an owner did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CohortAction {
    pub at: DateTime,
    pub by: Username,
    pub kind: ActionKind,
    /// What was done.
    pub text: String,
    /// What came of it (a contact attempt: reached or not; a referral: accepted…).
    pub outcome: String,
}

/// A cohort member's owner: the officer, the plan, when it is next reviewed, and what
/// was done. One per cohort, area and person; it outlives the runs (a person who leaves
/// keeps their record until it is closed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    pub kind: CohortKind,
    pub lpa: Lpa,
    pub person_id: PersonId,
    pub owner: Username,
    pub plan: String,
    pub allocated_at: DateTime,
    pub allocated_by: Username,
    pub next_review: Date,
    /// Closed: when, by whom, why.
    pub closed: Option<(DateTime, Username, String)>,
    pub actions: Vec<CohortAction>,
}

impl Allocation {
    /// The key the store keeps it under.
    pub fn key(&self) -> String {
        allocation_key(self.kind, &self.lpa, &self.person_id)
    }

    /// A new allocation, checked: the plan said in words, the first review within the
    /// review period and not in the past.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        kind: CohortKind,
        lpa: Lpa,
        person_id: PersonId,
        owner: Username,
        plan: &str,
        next_review: Date,
        by: &Username,
        now: DateTime,
        review_days: i64,
    ) -> Result<Allocation, (&'static str, ValueError)> {
        let plan = said("plan", plan, 10, "say what the plan is")?;
        check_review(next_review, now.date(), review_days)?;
        Ok(Allocation {
            kind,
            lpa,
            person_id,
            owner,
            plan,
            allocated_at: now,
            allocated_by: by.clone(),
            next_review,
            closed: None,
            actions: Vec::new(),
        })
    }

    /// After `action` by `by` at `now`: a review sets the next one (given, or
    /// `review_days` on); a closed allocation takes no more.
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        &self,
        kind: ActionKind,
        text: &str,
        outcome: &str,
        next_review: Option<Date>,
        by: &Username,
        now: DateTime,
        review_days: i64,
    ) -> Result<Allocation, (&'static str, ValueError)> {
        if self.closed.is_some() {
            return Err(("action", ValueError::new("the allocation is closed")));
        }
        let text = said("text", text, 5, "say what was done")?;
        let outcome = if outcome.trim().is_empty() {
            String::new()
        } else {
            said("outcome", outcome, 2, "say what came of it")?
        };
        let mut a = self.clone();
        if kind == ActionKind::Review {
            let next = next_review.unwrap_or(now.date() + Duration::days(review_days));
            check_review(next, now.date(), review_days)?;
            a.next_review = next;
        } else if next_review.is_some() {
            return Err((
                "next_review",
                ValueError::new("only a review sets the next review"),
            ));
        }
        a.actions.push(CohortAction {
            at: now,
            by: by.clone(),
            kind,
            text,
            outcome,
        });
        Ok(a)
    }

    /// Closed with a reason (left the cohort and the plan is done, moved away…).
    pub fn close(
        &self,
        reason: &str,
        by: &Username,
        now: DateTime,
    ) -> Result<Allocation, (&'static str, ValueError)> {
        if self.closed.is_some() {
            return Err((
                "action",
                ValueError::new("the allocation is already closed"),
            ));
        }
        let reason = said("reason", reason, 10, "say why it is closed")?;
        let mut a = self.clone();
        a.closed = Some((now, by.clone(), reason));
        Ok(a)
    }

    /// Whether the review is due by the end of `today`.
    pub fn review_due(&self, today: Date) -> bool {
        self.closed.is_none() && self.next_review <= today
    }
}

/// The store's key of an allocation.
pub fn allocation_key(kind: CohortKind, lpa: &Lpa, person: &PersonId) -> String {
    format!("{}|{}|{}", kind.as_str(), lpa.as_str(), person.as_str())
}

fn check_review(
    next: Date,
    today: Date,
    review_days: i64,
) -> Result<(), (&'static str, ValueError)> {
    if next < today || next > today + Duration::days(review_days.max(1) * 4) {
        return Err((
            "next_review",
            ValueError::new(format!(
                "the next review is from today to {} days ahead",
                review_days.max(1) * 4
            )),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_date;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    /// Worked by hand. As of 1 September 2019: 4 incidents, the last on 23 August (9 days:
    /// the 30-day band, R = 1), F = 4/10 = 0.4, two victims V = 2/3, harm 150 + 30 = 180
    /// of 1,000, G = 0.18. Score = 100 × (0.2×1 + 0.3×0.4 + 0.35×0.18 + 0.15×2/3) ÷ 1
    /// = 100 × (0.2 + 0.12 + 0.063 + 0.1) = 48.3.
    #[test]
    fn a_worked_example() {
        let cfg = CohortConfig::default();
        let f = Facts {
            incidents: 4,
            last_incident: d("2019-08-23"),
            victims: 2,
            harm: 150.0 + 30.0,
            worst: Some("violence with injury".into()),
        };
        let s = score(&f, d("2019-09-01"), &cfg);
        assert_eq!((s.r, s.f, s.g), (1.0, 0.4, 0.18));
        assert!((s.v - 2.0 / 3.0).abs() < 1e-12);
        assert!((s.total - 48.3).abs() < 1e-9, "{}", s.total);
        assert_eq!(
            reasons(&f, d("2019-09-01"), &cfg),
            "4 incidents in 24 months, the last 9 days ago; 2 victims; violence with injury"
        );
        // Older than every band: R = 0; a half-life of 90 days halves it at 90 days.
        assert_eq!(cfg.recency.value(400), 0.0);
        assert_eq!(Recency::HalfLife(90).value(90), 0.5);
        // Caps: 25 incidents score F = 1, not 2.5.
        let many = Facts {
            incidents: 25,
            harm: 5000.0,
            victims: 9,
            ..f.clone()
        };
        let s = score(&many, d("2019-09-01"), &cfg);
        assert_eq!((s.f, s.g, s.v, s.total), (1.0, 1.0, 1.0, 100.0));
    }

    #[test]
    fn ties_break_by_the_latest_incident_then_the_reference() {
        let mut rows = vec![
            (50.0, d("2019-08-01"), "P3"),
            (50.0, d("2019-08-20"), "P9"),
            (50.0, d("2019-08-01"), "P1"),
            (70.0, d("2019-01-01"), "P5"),
        ];
        rank(&mut rows, |r| (r.0, r.1, r.2));
        let ids: Vec<&str> = rows.iter().map(|r| r.2).collect();
        assert_eq!(ids, ["P5", "P9", "P1", "P3"]);
    }

    #[test]
    fn the_configuration_reads_back_as_it_was_written() {
        let c = CohortConfig {
            recency: Recency::HalfLife(60),
            harm: HarmTable::from_csv(
                "key,weight\n8N,365\nsexual,2000\n\n105A,10\n",
                "Cambridge Crime Harm Index (force's copy, 2019)",
                3650.0,
            )
            .unwrap(),
            ..CohortConfig::default()
        };
        assert_eq!(
            c.harm.weight(Some("8n"), OffenceGroup::ViolenceWithInjury),
            365.0
        );
        assert_eq!(
            c.harm.weight(Some("8F"), OffenceGroup::ViolenceWithInjury),
            150.0
        );
        assert_eq!(c.harm.weight(None, OffenceGroup::Sexual), 2000.0);
        let back = CohortConfig::from_text(&c.to_text()).unwrap();
        assert_eq!(back, c);
        assert_eq!(
            CohortConfig::from_text(&CohortConfig::default().to_text()).unwrap(),
            CohortConfig::default()
        );
        // Bad tables and settings say where and why.
        let e = HarmTable::from_csv("key,weight\n8N,lots\n", "x", 10.0).unwrap_err();
        assert!(e.contains("line 2") && e.contains("lots"), "{e}");
        let e = HarmTable::from_csv("code;weight\n", "x", 10.0).unwrap_err();
        assert!(e.contains("header"), "{e}");
        assert!(
            HarmTable::from_csv("key,weight\n", "", 10.0).is_err(),
            "a source is needed"
        );
        let e = CohortConfig::from_text("lookback_days=0\n").unwrap_err();
        assert!(e.contains("lookback_days"), "{e}");
        let e = CohortConfig::from_text("colour=blue\n").unwrap_err();
        assert!(e.contains("colour"), "{e}");
    }

    fn member(id: &str, rank: u32, score: f64) -> RunMember {
        RunMember {
            person_id: PersonId::parse(id).unwrap(),
            rank: Some(rank),
            movement: Movement::Entered,
            previous_rank: None,
            score,
            r: 0.0,
            f: 0.0,
            g: 0.0,
            v: 0.0,
            incidents: 1,
            victims: 1,
            last_incident: None,
            serial: false,
            reasons: String::new(),
        }
    }

    #[test]
    fn a_run_says_who_entered_stayed_and_left_with_their_score_on_exit() {
        let first = Run {
            id: 1,
            kind: CohortKind::Perpetrator,
            lpa: Lpa::parse("North").unwrap(),
            as_of: d("2019-08-19"),
            run_at: d("2019-08-19").and_hms_opt(6, 0, 0).unwrap(),
            run_by: "schedule".into(),
            configuration: String::new(),
            members: movements(
                None,
                vec![member("P1", 1, 80.0), member("P2", 2, 60.0)],
                |_| None,
            ),
        };
        assert!(
            first
                .members
                .iter()
                .all(|m| m.movement == Movement::Entered)
        );
        let now = movements(
            Some(&first),
            vec![member("P2", 1, 70.0), member("P3", 2, 65.0)],
            |p| (p.as_str() == "P1").then(|| member("P1", 9, 20.0)),
        );
        let by = |id: &str| now.iter().find(|m| m.person_id.as_str() == id).unwrap();
        assert_eq!(by("P2").movement, Movement::Stayed);
        assert_eq!(by("P2").change(), "stayed, up 1");
        assert_eq!(by("P3").movement, Movement::Entered);
        let p1 = by("P1");
        assert_eq!(
            (p1.movement, p1.rank, p1.previous_rank),
            (Movement::Left, None, Some(1))
        );
        assert_eq!(p1.score, 20.0, "the score on exit");
    }

    #[test]
    fn an_owner_s_reviews_and_actions() {
        let at = |s: &str| crate::time::parse_datetime(s).unwrap();
        let analyst = Username::parse("analyst").unwrap();
        let dc = Username::parse("dc.khan").unwrap();
        let now = at("2019-09-02T10:00:00");
        let e = Allocation::new(
            CohortKind::Perpetrator,
            Lpa::parse("North").unwrap(),
            PersonId::parse("P2").unwrap(),
            dc.clone(),
            "short",
            d("2019-09-16"),
            &analyst,
            now,
            14,
        )
        .unwrap_err();
        assert_eq!(e.0, "plan");
        let e = Allocation::new(
            CohortKind::Perpetrator,
            Lpa::parse("North").unwrap(),
            PersonId::parse("P2").unwrap(),
            dc.clone(),
            "Refer to the Drive programme; disrupt",
            d("2019-08-01"),
            &analyst,
            now,
            14,
        )
        .unwrap_err();
        assert_eq!(e.0, "next_review", "not in the past");
        let a = Allocation::new(
            CohortKind::Perpetrator,
            Lpa::parse("North").unwrap(),
            PersonId::parse("P2").unwrap(),
            dc.clone(),
            "Refer to the Drive programme; disrupt",
            d("2019-09-16"),
            &analyst,
            now,
            14,
        )
        .unwrap();
        assert_eq!(a.key(), "perpetrator|North|P2");
        assert!(!a.review_due(d("2019-09-15")) && a.review_due(d("2019-09-16")));
        let later = at("2019-09-16T11:00:00");
        let a = a
            .record(
                ActionKind::Review,
                "Reviewed with the DAIT sergeant",
                "",
                None,
                &dc,
                later,
                14,
            )
            .unwrap();
        assert_eq!(a.next_review, d("2019-09-30"), "14 days on");
        assert!(
            a.record(
                ActionKind::Disruption,
                "Warrant executed",
                "",
                Some(d("2019-09-20")),
                &dc,
                later,
                14
            )
            .is_err(),
            "only a review sets the next review"
        );
        let a = a
            .close("Left the cohort; plan complete", &dc, later)
            .unwrap();
        assert!(
            !a.review_due(d("2019-12-01")),
            "a closed allocation is not due"
        );
        assert!(
            a.record(
                ActionKind::Other,
                "More work done",
                "",
                None,
                &dc,
                later,
                14
            )
            .is_err()
        );
    }

    #[test]
    fn serial_means_two_victims_in_the_three_years_to_the_date() {
        let as_of = d("2019-09-01");
        assert_eq!(serial_window_start(as_of, 3), d("2016-09-02"));
        let within = [(d("2017-01-01"), "V1"), (d("2019-08-01"), "V2")];
        assert!(is_serial(within, as_of, 3));
        let one_victim = [(d("2017-01-01"), "V1"), (d("2019-08-01"), "V1")];
        assert!(!is_serial(one_victim, as_of, 3));
        let too_old = [(d("2016-09-01"), "V1"), (d("2019-08-01"), "V2")];
        assert!(
            !is_serial(too_old, as_of, 3),
            "the first victim is 3 years and a day back"
        );
        let later = [(d("2019-08-01"), "V1"), (d("2019-09-02"), "V2")];
        assert!(!is_serial(later, as_of, 3), "after the date does not count");
    }
}
