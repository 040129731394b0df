//! Every measure of METRICS.md, as a pure function over the snapshot. Each function's doc
//! comment quotes the definition it implements; where METRICS.md left a choice, the
//! comment says which choice Vigil made.

use crate::calendar::{Month, Window, date};
use crate::snapshot::{NONE, Snapshot};
use std::collections::BTreeMap;
use vigil_domain::outcome::OutcomeGroups;
use vigil_domain::{
    Agency, ArrestDisposal, CallGrade, OffenceGroup, OrderKind, ReferralKind, Relationship,
};

const DAY_SECS: i64 = 86_400;

/// Which records a measure counts: the whole force, or one LPA (and, for offence measures,
/// one risk level).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cut {
    pub lpa: Option<u8>,
    pub risk: Option<u8>,
}

impl Cut {
    fn lpa(&self, l: u8) -> bool {
        self.lpa.is_none_or(|x| x == l)
    }

    fn risk(&self, r: u8) -> bool {
        self.risk.is_none_or(|x| x == r)
    }
}

/// The frame every measure shares: the snapshot, the cut, what counts as known, and the
/// force's outcome groups.
pub struct Frame<'s> {
    pub s: &'s Snapshot,
    pub cut: Cut,
    /// The last day whose events count (`as_of`): an outcome dated later is still open.
    pub as_of: i32,
    pub months: Vec<Month>,
    solved: [bool; 23],
    resolved: [bool; 23],
}

/// A monthly series over the frame's months.
pub type Series = BTreeMap<Month, f64>;

impl<'s> Frame<'s> {
    pub fn new(
        s: &'s Snapshot,
        cut: Cut,
        as_of: i32,
        months: Vec<Month>,
        groups: &OutcomeGroups,
    ) -> Self {
        let mut solved = [false; 23];
        let mut resolved = [false; 23];
        for (i, c) in s.outcome_codes.iter().enumerate() {
            solved[i] = groups.is_solved(*c);
            resolved[i] = groups.is_resolved(*c);
        }
        Frame {
            s,
            cut,
            as_of,
            months,
            solved,
            resolved,
        }
    }

    fn empty_series(&self) -> Series {
        self.months.iter().map(|m| (*m, 0.0)).collect()
    }

    fn bump(&self, series: &mut Series, day: i32) {
        if let Some(v) = series.get_mut(&Month::of_day(day)) {
            *v += 1.0;
        }
    }

    fn offence_kept(&self, i: usize) -> bool {
        let o = &self.s.offences;
        o.recorded_day[i] <= self.as_of && self.cut.lpa(o.lpa[i]) && self.cut.risk(o.risk[i])
    }

    fn incident_kept(&self, i: usize) -> bool {
        self.s.incidents.day[i] <= self.as_of && self.cut.lpa(self.s.incidents.lpa[i])
    }

    /// The outcome group test for offence `i`, as known at the frame's `as_of`.
    fn outcome_known(&self, i: usize) -> Option<(usize, i32)> {
        let o = &self.s.offences;
        let code = o.outcome[i];
        (code != NONE && o.outcome_day[i] <= self.as_of)
            .then_some((usize::from(code), o.outcome_day[i]))
    }

    pub fn is_solved_code(&self, code: usize) -> bool {
        self.solved[code]
    }

    /// `da_offences(month)`: offences whose `recorded_date` falls in the month.
    pub fn da_offences(&self) -> Series {
        let mut s = self.empty_series();
        for i in 0..self.s.offences.recorded_day.len() {
            if self.offence_kept(i) {
                self.bump(&mut s, self.s.offences.recorded_day[i]);
            }
        }
        s
    }

    /// `offence_group_series(group, month)`: `da_offences` restricted to one group.
    pub fn offence_group_series(&self, group: OffenceGroup) -> Series {
        let mut s = self.empty_series();
        let o = &self.s.offences;
        for i in 0..o.group.len() {
            if o.group[i] == group as u8 && self.offence_kept(i) {
                self.bump(&mut s, o.recorded_day[i]);
            }
        }
        s
    }

    /// `non_crime_incidents(month)`: incidents with no offence, by month of `reported_at`.
    pub fn non_crime_incidents(&self) -> Series {
        let mut s = self.empty_series();
        let inc = &self.s.incidents;
        for i in 0..inc.day.len() {
            if !inc.has_offence[i] && self.incident_kept(i) {
                self.bump(&mut s, inc.day[i]);
            }
        }
        s
    }

    /// `crime_incident_share[a, b]`: incidents reported in the window with at least one
    /// offence, over all incidents reported in the window.
    pub fn crime_incident_share(&self, w: Window) -> Ratio {
        let inc = &self.s.incidents;
        let mut r = Ratio::default();
        for i in 0..inc.day.len() {
            if w.contains_day(inc.day[i]) && self.incident_kept(i) {
                r.denominator += 1;
                r.numerator += u64::from(inc.has_offence[i]);
            }
        }
        r
    }

    /// `relationship_share[a, b]`: incidents in the window whose relationship is partner
    /// or ex-partner, over those with a known relationship (every incident has one in
    /// format version 1).
    pub fn relationship_share(&self, w: Window) -> Ratio {
        let inc = &self.s.incidents;
        let mut r = Ratio::default();
        for i in 0..inc.day.len() {
            if w.contains_day(inc.day[i]) && self.incident_kept(i) {
                r.denominator += 1;
                let rel = inc.relationship[i];
                r.numerator += u64::from(
                    rel == Relationship::Partner as u8 || rel == Relationship::ExPartner as u8,
                );
            }
        }
        r
    }

    /// `arrests(month)`: arrests by the month of `arrested_at`.
    pub fn arrests(&self) -> Series {
        let mut s = self.empty_series();
        let a = &self.s.arrests;
        for i in 0..a.day.len() {
            if a.day[i] <= self.as_of && self.cut.lpa(a.lpa[i]) {
                self.bump(&mut s, a.day[i]);
            }
        }
        s
    }

    fn count_offences_recorded(&self, w: Window) -> u64 {
        let o = &self.s.offences;
        (0..o.recorded_day.len())
            .filter(|&i| w.contains_day(o.recorded_day[i]) && self.offence_kept(i))
            .count() as u64
    }

    /// `arrest_rate[a, b]`: arrests in the window per 100 offences recorded in the window.
    pub fn arrest_rate(&self, w: Window) -> Ratio {
        let a = &self.s.arrests;
        let arrests = (0..a.day.len())
            .filter(|&i| {
                w.contains_day(a.day[i]) && a.day[i] <= self.as_of && self.cut.lpa(a.lpa[i])
            })
            .count() as u64;
        Ratio {
            numerator: arrests,
            denominator: self.count_offences_recorded(w),
        }
    }

    /// `protection_orders(kind, month)`: orders by the month of `issued_at`.
    pub fn protection_orders(&self, kind: OrderKind) -> Series {
        let mut s = self.empty_series();
        let o = &self.s.orders;
        for i in 0..o.day.len() {
            if o.kind[i] == kind as u8 && o.day[i] <= self.as_of && self.cut.lpa(o.lpa[i]) {
                self.bump(&mut s, o.day[i]);
            }
        }
        s
    }

    fn outcome_series_where(&self, keep: impl Fn(usize) -> bool) -> Series {
        let mut s = self.empty_series();
        let o = &self.s.offences;
        for i in 0..o.outcome.len() {
            if let Some((code, day)) = self.outcome_known(i)
                && keep(code)
                && self.cut.lpa(o.lpa[i])
                && self.cut.risk(o.risk[i])
            {
                self.bump(&mut s, day);
            }
        }
        s
    }

    /// `solved_outcomes(month)`: offences whose outcome is SOLVED, by month of outcome.
    pub fn solved_outcomes(&self) -> Series {
        self.outcome_series_where(|c| self.solved[c])
    }

    /// `resolved_outcomes(month)`: outcomes in RESOLVED by month of `outcome_date`.
    pub fn resolved_outcomes(&self) -> Series {
        self.outcome_series_where(|c| self.resolved[c])
    }

    /// `outcome_series(code, month)`: outcomes with that code by month of `outcome_date`.
    pub fn outcome_series(&self, code: usize) -> Series {
        self.outcome_series_where(|c| c == code)
    }

    /// `solved_rate[a, b]`: SOLVED outcomes dated in the window over offences recorded in
    /// the window (the period method).
    pub fn solved_rate(&self, w: Window) -> Ratio {
        let o = &self.s.offences;
        let solved = (0..o.outcome.len())
            .filter(|&i| {
                self.outcome_known(i)
                    .is_some_and(|(c, d)| self.solved[c] && w.contains_day(d))
                    && self.cut.lpa(o.lpa[i])
                    && self.cut.risk(o.risk[i])
            })
            .count() as u64;
        Ratio {
            numerator: solved,
            denominator: self.count_offences_recorded(w),
        }
    }

    /// `positive_outcome_rate(cohort [a, b], as_of t)`: of offences recorded in the window,
    /// the share with a SOLVED outcome dated on or before `t` (the frame's `as_of`).
    pub fn positive_outcome_rate(&self, w: Window) -> Ratio {
        let o = &self.s.offences;
        let mut r = Ratio::default();
        for i in 0..o.recorded_day.len() {
            if w.contains_day(o.recorded_day[i]) && self.offence_kept(i) {
                r.denominator += 1;
                r.numerator +=
                    u64::from(self.outcome_known(i).is_some_and(|(c, _)| self.solved[c]));
            }
        }
        r
    }

    /// `positive_by_recording_delay(cohort, as_of)`: the cohort split by `recorded_date −
    /// offence_date` in days (0–7, 8–365, over 365; a negative delay cannot pass import).
    pub fn positive_by_recording_delay(&self, w: Window) -> [Ratio; 3] {
        let o = &self.s.offences;
        let mut bands = [Ratio::default(); 3];
        for i in 0..o.recorded_day.len() {
            if w.contains_day(o.recorded_day[i]) && self.offence_kept(i) {
                let delay = o.recorded_day[i] - o.offence_day[i];
                let b = if delay <= 7 {
                    0
                } else if delay <= 365 {
                    1
                } else {
                    2
                };
                bands[b].denominator += 1;
                bands[b].numerator +=
                    u64::from(self.outcome_known(i).is_some_and(|(c, _)| self.solved[c]));
            }
        }
        bands
    }

    /// `offences_by_risk[a, b]` as of `t`: offences recorded in the window by risk level
    /// (index 3 is `not_assessed`), each with its SOLVED count.
    pub fn offences_by_risk(&self, w: Window) -> [Ratio; 4] {
        let o = &self.s.offences;
        let mut levels = [Ratio::default(); 4];
        for i in 0..o.recorded_day.len() {
            if w.contains_day(o.recorded_day[i]) && self.offence_kept(i) {
                let level = if o.risk[i] == NONE {
                    3
                } else {
                    usize::from(o.risk[i])
                };
                levels[level].denominator += 1;
                levels[level].numerator +=
                    u64::from(self.outcome_known(i).is_some_and(|(c, _)| self.solved[c]));
            }
        }
        levels
    }

    /// `days_to_finalise(month)`: mean of `outcome_date − recorded_date` in days over
    /// offences whose `outcome_date` falls in the month; absent for a month with none.
    pub fn days_to_finalise(&self) -> BTreeMap<Month, Option<f64>> {
        let mut sums: BTreeMap<Month, (f64, f64)> =
            self.months.iter().map(|m| (*m, (0.0, 0.0))).collect();
        let o = &self.s.offences;
        for i in 0..o.outcome.len() {
            if let Some((_, day)) = self.outcome_known(i)
                && self.cut.lpa(o.lpa[i])
                && self.cut.risk(o.risk[i])
                && let Some(e) = sums.get_mut(&Month::of_day(day))
            {
                e.0 += f64::from(day - o.recorded_day[i]);
                e.1 += 1.0;
            }
        }
        sums.into_iter()
            .map(|(m, (s, n))| (m, (n > 0.0).then(|| s / n)))
            .collect()
    }

    /// `response_on_target(month)`: emergency incidents with `response_target_met = true`
    /// over emergency incidents whose `response_target_met` is known.
    pub fn response_on_target(&self) -> BTreeMap<Month, Ratio> {
        let mut out: BTreeMap<Month, Ratio> =
            self.months.iter().map(|m| (*m, Ratio::default())).collect();
        let inc = &self.s.incidents;
        for i in 0..inc.day.len() {
            if inc.call_grade[i] == CallGrade::Emergency as u8
                && inc.target_met[i] != NONE
                && self.incident_kept(i)
                && let Some(r) = out.get_mut(&Month::of_day(inc.day[i]))
            {
                r.denominator += 1;
                r.numerator += u64::from(inc.target_met[i] == 1);
            }
        }
        out
    }

    /// `repeat_incident_rate(month)`: of incidents reported in the month, the share whose
    /// victim had an earlier incident (any suspect, any LPA) reported at most 365 days
    /// before (strictly earlier `reported_at`).
    pub fn repeat_incident_rate(&self, order: &[u32]) -> BTreeMap<Month, Ratio> {
        let mut out: BTreeMap<Month, Ratio> =
            self.months.iter().map(|m| (*m, Ratio::default())).collect();
        let inc = &self.s.incidents;
        let mut k = 0;
        while k < order.len() {
            // One victim's incidents, in time order.
            let victim = inc.victim[order[k] as usize];
            let mut end = k;
            while end < order.len() && inc.victim[order[end] as usize] == victim {
                end += 1;
            }
            let mut last_earlier: Option<i64> = None;
            let mut j = k;
            while j < end {
                // Incidents at the same instant are not "strictly earlier" than each other.
                let t = inc.reported[order[j] as usize];
                let mut same = j;
                while same < end && inc.reported[order[same] as usize] == t {
                    same += 1;
                }
                let repeat = last_earlier.is_some_and(|e| t - e <= 365 * DAY_SECS);
                for &x in &order[j..same] {
                    let x = x as usize;
                    if self.incident_kept(x)
                        && let Some(r) = out.get_mut(&Month::of_day(inc.day[x]))
                    {
                        r.denominator += 1;
                        r.numerator += u64::from(repeat);
                    }
                }
                last_earlier = Some(t);
                j = same;
            }
            k = end;
        }
        out
    }

    fn referral_kept(&self, i: usize, kind: ReferralKind) -> bool {
        let r = &self.s.referrals;
        r.kind[i] == kind as u8 && r.day[i] <= self.as_of && self.cut.lpa(r.lpa[i])
    }

    /// `marac_referrals[a, b]`: MARAC referrals in the window, police and non-police.
    pub fn marac_referrals(&self, w: Window) -> (u64, u64) {
        let r = &self.s.referrals;
        let (mut police, mut other) = (0, 0);
        for i in 0..r.kind.len() {
            if self.referral_kept(i, ReferralKind::Marac) && w.contains_day(r.day[i]) {
                if r.police[i] {
                    police += 1;
                } else {
                    other += 1;
                }
            }
        }
        (police, other)
    }

    /// `repeat_marac_rate[a, b]`: MARAC referrals in the window whose person had an earlier
    /// MARAC referral in the 365 days before, over all MARAC referrals in the window.
    pub fn repeat_marac_rate(&self, w: Window) -> Ratio {
        let r = &self.s.referrals;
        let mut by_person: Vec<(u32, i64, i32)> = (0..r.kind.len())
            .filter(|&i| self.referral_kept(i, ReferralKind::Marac))
            .map(|i| (r.person[i], r.at[i], r.day[i]))
            .collect();
        by_person.sort_unstable();
        let mut out = Ratio::default();
        for (k, (person, at, day)) in by_person.iter().enumerate() {
            if !w.contains_day(*day) {
                continue;
            }
            out.denominator += 1;
            let repeat = by_person[..k]
                .iter()
                .rev()
                .take_while(|(p, _, _)| p == person)
                .any(|(_, t, _)| t < at && at - t <= 365 * DAY_SECS);
            out.numerator += u64::from(repeat);
        }
        out
    }

    /// IDVA referrals dated in the window (the count the seed report quotes beside the rate).
    pub fn idva_referrals(&self, w: Window) -> u64 {
        let r = &self.s.referrals;
        (0..r.kind.len())
            .filter(|&i| self.referral_kept(i, ReferralKind::Idva) && w.contains_day(r.day[i]))
            .count() as u64
    }

    /// `idva_referral_rate[a, b]`: of incidents graded high reported in the window, the
    /// share whose victim has an IDVA referral dated from the incident's `reported_at` to
    /// 28 days after it.
    pub fn idva_referral_rate(&self, w: Window) -> Ratio {
        let r = &self.s.referrals;
        let mut idva: Vec<(u32, i64)> = (0..r.kind.len())
            .filter(|&i| r.kind[i] == ReferralKind::Idva as u8 && r.day[i] <= self.as_of)
            .map(|i| (r.person[i], r.at[i]))
            .collect();
        idva.sort_unstable();
        let inc = &self.s.incidents;
        let mut out = Ratio::default();
        for i in 0..inc.day.len() {
            if inc.risk[i] == vigil_domain::RiskGrade::High as u8
                && w.contains_day(inc.day[i])
                && self.incident_kept(i)
            {
                out.denominator += 1;
                let (v, t) = (inc.victim[i], inc.reported[i]);
                let first = idva.partition_point(|x| *x < (v, t));
                out.numerator += u64::from(
                    idva.get(first)
                        .is_some_and(|x| x.0 == v && x.1 <= t + 28 * DAY_SECS),
                );
            }
        }
        out
    }

    /// `bwv_outcome_uplift[a, b]`: over arrests in the window with a disposal and a known
    /// `bwv_shown_in_interview`, the charge-or-caution rate where shown over the rate where
    /// not shown, minus 1. Returns (shown, not shown) ratios; the uplift is derived.
    pub fn bwv_outcome_uplift(&self, w: Window) -> (Ratio, Ratio) {
        let a = &self.s.arrests;
        let (mut shown, mut not) = (Ratio::default(), Ratio::default());
        for i in 0..a.day.len() {
            if !w.contains_day(a.day[i]) || a.day[i] > self.as_of || !self.cut.lpa(a.lpa[i]) {
                continue;
            }
            if a.disposal[i] == NONE || a.bwv_shown[i] == NONE {
                continue;
            }
            let positive = a.disposal[i] == ArrestDisposal::Charge as u8
                || a.disposal[i] == ArrestDisposal::Caution as u8;
            let r = if a.bwv_shown[i] == 1 {
                &mut shown
            } else {
                &mut not
            };
            r.denominator += 1;
            r.numerator += u64::from(positive);
        }
        (shown, not)
    }

    /// `disclosure_timeliness[a, b]`: DVDS cases received in the window, by route: how many,
    /// how many decided within 28 days, and the median days to decision (of those decided
    /// by `as_of`).
    pub fn disclosure_timeliness(&self, w: Window, route: u8) -> (Ratio, Option<f64>) {
        let d = &self.s.disclosures;
        let mut r = Ratio::default();
        let mut days = Vec::new();
        for i in 0..d.route.len() {
            if d.route[i] != route
                || !w.contains_day(d.received_day[i])
                || d.received_day[i] > self.as_of
                || !self.cut.lpa(d.lpa[i])
            {
                continue;
            }
            r.denominator += 1;
            let to = d.to_decision[i];
            let decided = to >= 0 && (d.received[i] + to) / DAY_SECS <= i64::from(self.as_of) + 1;
            if decided {
                days.push(to as f64 / DAY_SECS as f64);
                r.numerator += u64::from(to <= 28 * DAY_SECS);
            }
        }
        (r, median(&mut days))
    }

    /// Any agency other than the police (for the split of MARAC referrals).
    pub fn is_police(agency: Agency) -> bool {
        agency == Agency::Police
    }
}

/// A count over a count, kept as both so totals can be suppressed or re-aggregated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ratio {
    pub numerator: u64,
    pub denominator: u64,
}

impl Ratio {
    pub fn value(&self) -> Option<f64> {
        (self.denominator > 0).then(|| self.numerator as f64 / self.denominator as f64)
    }
}

pub fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// `correlation(x, y)`: Pearson's r over the months both series have.
pub fn correlation(x: &Series, y: &Series) -> Option<f64> {
    let pairs: Vec<(f64, f64)> = x
        .iter()
        .filter_map(|(m, a)| y.get(m).map(|b| (*a, *b)))
        .collect();
    let n = pairs.len() as f64;
    if n < 3.0 {
        return None;
    }
    let (mx, my) = (
        pairs.iter().map(|p| p.0).sum::<f64>() / n,
        pairs.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in &pairs {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// The order of incidents by victim then time, which the repeat measure walks.
pub fn victim_order(s: &Snapshot) -> Vec<u32> {
    let inc = &s.incidents;
    let mut order: Vec<u32> = (0..inc.day.len() as u32).collect();
    order.sort_unstable_by_key(|&i| (inc.victim[i as usize], inc.reported[i as usize], i));
    order
}

/// The first month of a window given as days, for readable output.
pub fn month_of(day: i32) -> Month {
    Month::of(date(day))
}
