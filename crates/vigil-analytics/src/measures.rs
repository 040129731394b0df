//! Every measure of METRICS.md, as a pure function over the snapshot. Each function's doc
//! comment quotes the definition it implements; where METRICS.md left a choice, the
//! comment says which choice Vigil made.

use crate::calendar::{Month, Window, date};
use crate::snapshot::{NONE, Snapshot};
use std::cell::OnceCell;
use std::collections::BTreeMap;
use vigil_domain::outcome::OutcomeGroups;
use vigil_domain::{
    Agency, ArrestDisposal, CallGrade, DisclosureDecision, OffenceGroup, OrderKind, ReferralKind,
    Relationship,
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
    /// The cut's rows, when the caller partitioned them (`rows_by_area`): measures walk
    /// only these. The cut is still tested on each row, so the lists only save time.
    rows: Option<&'s Rows>,
    /// What every cut shares (a victim's history in any area, the links between notices
    /// and orders): worked out once for all of them.
    shared: &'s Shared,
    /// The last day whose events count (`as_of`): an outcome dated later is still open.
    pub as_of: i32,
    pub months: Vec<Month>,
    solved: [bool; 23],
    resolved: [bool; 23],
    memo: Memo,
    first_day: i32,
    month_slot: Vec<u16>,
}

/// A monthly series over the frame's months.
pub type Series = BTreeMap<Month, f64>;

/// The first day a windowed measure can count (earlier records fall outside every window).
const EPOCH_1900: i32 = -25_567;

/// Per-day counts summed into windows by prefix sums, so a windowed measure scans its
/// records once however many windows it is asked for.
struct Daily<const K: usize> {
    first: i32,
    prefix: Vec<[u64; K]>,
}

impl<const K: usize> Daily<K> {
    /// `first` is the earliest day any row can have (`Frame::first_row_day`): a table from
    /// 1900 would cost every frame (one per area) a century of days.
    fn build(first: i32, last: i32, rows: impl Iterator<Item = (i32, [u64; K])>) -> Self {
        let first = first.max(EPOCH_1900);
        let n = (last - first + 1).max(0) as usize;
        let mut prefix = vec![[0u64; K]; n + 1];
        for (d, v) in rows {
            if d >= first && d <= last {
                let cell = &mut prefix[(d - first) as usize + 1];
                for k in 0..K {
                    cell[k] += v[k];
                }
            }
        }
        for i in 1..prefix.len() {
            let before = prefix[i - 1];
            for k in 0..K {
                prefix[i][k] += before[k];
            }
        }
        Daily { first, prefix }
    }

    fn sum(&self, w: Window) -> [u64; K] {
        let (a, b) = w.days();
        let last = self.first + self.prefix.len() as i32 - 2;
        let (a, b) = (a.max(self.first), b.min(last));
        if a > b {
            return [0; K];
        }
        let (hi, lo) = (
            self.prefix[(b - self.first) as usize + 1],
            self.prefix[(a - self.first) as usize],
        );
        std::array::from_fn(|k| hi[k] - lo[k])
    }
}

/// Outcomes by month and code, and each month's (total days to finalise, outcomes).
type OutcomeTable = (Vec<[f64; 23]>, Vec<(f64, f64)>);

/// Tables each built on first use and shared by every window and series that needs them.
#[derive(Default)]
struct Memo {
    incidents: OnceCell<Daily<3>>,
    recorded: OnceCell<Daily<16>>,
    solved_by_outcome: OnceCell<Daily<1>>,
    arrests: OnceCell<Daily<1>>,
    marac: OnceCell<Daily<2>>,
    idva: OnceCell<Daily<3>>,
    marac_repeat: OnceCell<Daily<2>>,
    bwv: OnceCell<Daily<4>>,
    outcomes: OnceCell<OutcomeTable>,
    groups: OnceCell<Vec<[f64; 8]>>,
}

/// What does not depend on the cut, shared by every frame over one snapshot and `as_of`.
#[derive(Default)]
pub struct Shared {
    /// By incident: whether its victim had an incident (any area) in the 365 days before.
    repeat: OnceCell<Vec<bool>>,
    /// By incident: whether its victim had an IDVA referral (any area) in the 28 days from
    /// it (worked out for incidents graded high only).
    idva_hit: OnceCell<Vec<bool>>,
    /// By order: the notice it followed (see `notice_of_orders`).
    notice_of: OnceCell<Vec<u32>>,
    /// By notice: the kinds of order (bits by `OrderKind`) made after it by `as_of`.
    granted: OnceCell<Vec<u8>>,
    /// The earliest day of any dated row the windowed measures count.
    first_row_day: OnceCell<i32>,
}

/// The row indices of each table a cut counts, so a frame for one area walks that area's
/// rows only, not every row with a test. `None`: every row.
#[derive(Debug, Default, Clone)]
pub struct Rows {
    pub incidents: Option<Vec<u32>>,
    pub offences: Option<Vec<u32>>,
    pub arrests: Option<Vec<u32>>,
    pub referrals: Option<Vec<u32>>,
    pub disclosures: Option<Vec<u32>>,
    pub orders: Option<Vec<u32>>,
}

/// Every area's rows, by area index: one pass over each table, however many areas.
pub fn rows_by_area(s: &Snapshot) -> Vec<Rows> {
    let n = s.lpas.len();
    let split = |lpa: &[u8]| {
        let mut out = vec![Vec::new(); n];
        for (i, l) in lpa.iter().enumerate() {
            if let Some(rows) = out.get_mut(usize::from(*l)) {
                rows.push(i as u32);
            }
        }
        out.into_iter().map(Some)
    };
    let mut incidents = split(&s.incidents.lpa);
    let mut offences = split(&s.offences.lpa);
    let mut arrests = split(&s.arrests.lpa);
    let mut referrals = split(&s.referrals.lpa);
    let mut disclosures = split(&s.disclosures.lpa);
    let mut orders = split(&s.orders.lpa);
    (0..n)
        .map(|_| Rows {
            incidents: incidents.next().flatten(),
            offences: offences.next().flatten(),
            arrests: arrests.next().flatten(),
            referrals: referrals.next().flatten(),
            disclosures: disclosures.next().flatten(),
            orders: orders.next().flatten(),
        })
        .collect()
}

/// The offences of each risk level (by `RiskGrade` index; ungraded ones in none), for the
/// breakdown by risk: the other tables are not cut by risk.
pub fn offence_rows_by_risk(s: &Snapshot, levels: usize) -> Vec<Rows> {
    let mut out = vec![Vec::new(); levels];
    for (i, r) in s.offences.risk.iter().enumerate() {
        if let Some(rows) = out.get_mut(usize::from(*r)) {
            rows.push(i as u32);
        }
    }
    out.into_iter()
        .map(|o| Rows {
            offences: Some(o),
            ..Rows::default()
        })
        .collect()
}

/// A table's rows for a frame: every index, or the cut's list.
pub(crate) enum RowIter<'a> {
    All(std::ops::Range<usize>),
    Listed(std::slice::Iter<'a, u32>),
}

impl Iterator for RowIter<'_> {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        match self {
            RowIter::All(r) => r.next(),
            RowIter::Listed(l) => l.next().map(|i| *i as usize),
        }
    }
}

impl<'s> Frame<'s> {
    pub fn new(
        s: &'s Snapshot,
        (cut, rows): (Cut, Option<&'s Rows>),
        shared: &'s Shared,
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
        let first_day = months
            .first()
            .map_or(0, |m| crate::calendar::day(m.first_day()));
        let month_slot: Vec<u16> = months
            .iter()
            .enumerate()
            .flat_map(|(k, m)| {
                let days =
                    crate::calendar::day(m.last_day()) - crate::calendar::day(m.first_day()) + 1;
                std::iter::repeat_n(k as u16, days as usize)
            })
            .collect();
        Frame {
            s,
            cut,
            rows,
            shared,
            as_of,
            months,
            solved,
            resolved,
            memo: Memo::default(),
            first_day,
            month_slot,
        }
    }

    /// A table's rows for this frame: the cut's list when the caller sorted the rows by
    /// area (`rows_by_area`), else every index below `n`.
    fn listed(&self, pick: fn(&Rows) -> &Option<Vec<u32>>, n: usize) -> RowIter<'s> {
        match self.rows.and_then(|r| pick(r).as_ref()) {
            Some(list) => RowIter::Listed(list.iter()),
            None => RowIter::All(0..n),
        }
    }

    pub(crate) fn incident_rows(&self) -> RowIter<'s> {
        self.listed(|r| &r.incidents, self.s.incidents.day.len())
    }

    fn offence_rows(&self) -> RowIter<'s> {
        self.listed(|r| &r.offences, self.s.offences.recorded_day.len())
    }

    fn arrest_rows(&self) -> RowIter<'s> {
        self.listed(|r| &r.arrests, self.s.arrests.day.len())
    }

    fn referral_rows(&self) -> RowIter<'s> {
        self.listed(|r| &r.referrals, self.s.referrals.day.len())
    }

    fn disclosure_rows(&self) -> RowIter<'s> {
        self.listed(|r| &r.disclosures, self.s.disclosures.route.len())
    }

    fn order_rows(&self) -> RowIter<'s> {
        self.listed(|r| &r.orders, self.s.orders.kind.len())
    }

    /// The earliest day any row the windowed measures count is dated (rows earlier than it
    /// cannot exist, so a per-day table may start there).
    fn first_row_day(&self) -> i32 {
        *self.shared.first_row_day.get_or_init(|| {
            let s = self.s;
            [
                &s.incidents.day,
                &s.offences.recorded_day,
                &s.offences.outcome_day,
                &s.arrests.day,
                &s.referrals.day,
            ]
            .iter()
            .filter_map(|days| days.iter().min().copied())
            .min()
            .unwrap_or(self.as_of)
        })
    }

    fn empty_series(&self) -> Vec<f64> {
        vec![0.0; self.months.len()]
    }

    /// Counts one record in the month of `day`, if that month is in the series. The month
    /// comes from a per-day table: calendar arithmetic per record dominated the scans.
    fn bump(&self, series: &mut [f64], day: i32) {
        let k = day - self.first_day;
        if k >= 0
            && let Some(&slot) = self.month_slot.get(k as usize)
        {
            series[usize::from(slot)] += 1.0;
        }
    }

    fn slot(&self, day: i32) -> Option<usize> {
        let k = day - self.first_day;
        (k >= 0)
            .then(|| self.month_slot.get(k as usize).map(|s| usize::from(*s)))
            .flatten()
    }

    fn series(&self, counts: Vec<f64>) -> Series {
        self.months.iter().copied().zip(counts).collect()
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
        for i in self.offence_rows() {
            if self.offence_kept(i) {
                self.bump(&mut s, self.s.offences.recorded_day[i]);
            }
        }
        self.series(s)
    }

    /// `offence_group_series(group, month)`: `da_offences` restricted to one group.
    pub fn offence_group_series(&self, group: OffenceGroup) -> Series {
        let table = self.memo.groups.get_or_init(|| {
            let mut t = vec![[0.0; 8]; self.months.len()];
            let o = &self.s.offences;
            for i in self.offence_rows() {
                if self.offence_kept(i)
                    && let Some(k) = self.slot(o.recorded_day[i])
                {
                    t[k][usize::from(o.group[i]).min(7)] += 1.0;
                }
            }
            t
        });
        self.series(table.iter().map(|g| g[group as usize]).collect())
    }

    /// `non_crime_incidents(month)`: incidents with no offence, by month of `reported_at`.
    pub fn non_crime_incidents(&self) -> Series {
        let mut s = self.empty_series();
        let inc = &self.s.incidents;
        for i in self.incident_rows() {
            if !inc.has_offence[i] && self.incident_kept(i) {
                self.bump(&mut s, inc.day[i]);
            }
        }
        self.series(s)
    }

    /// `crime_incident_share[a, b]`: incidents reported in the window with at least one
    /// offence, over all incidents reported in the window.
    pub fn crime_incident_share(&self, w: Window) -> Ratio {
        let [all, crime, _] = self.incident_days().sum(w);
        Ratio {
            numerator: crime,
            denominator: all,
        }
    }

    fn incident_days(&self) -> &Daily<3> {
        self.memo.incidents.get_or_init(|| {
            let inc = &self.s.incidents;
            Daily::build(
                self.first_row_day(),
                self.as_of,
                self.incident_rows()
                    .filter(|&i| self.incident_kept(i))
                    .map(|i| {
                        let rel = inc.relationship[i];
                        let partner = rel == Relationship::Partner as u8
                            || rel == Relationship::ExPartner as u8;
                        (
                            inc.day[i],
                            [1, u64::from(inc.has_offence[i]), u64::from(partner)],
                        )
                    }),
            )
        })
    }

    /// `relationship_share[a, b]`: incidents in the window whose relationship is partner
    /// or ex-partner, over those with a known relationship (every incident has one in
    /// format version 1).
    pub fn relationship_share(&self, w: Window) -> Ratio {
        let [all, _, partner] = self.incident_days().sum(w);
        Ratio {
            numerator: partner,
            denominator: all,
        }
    }

    /// `arrests(month)`: arrests by the month of `arrested_at`.
    pub fn arrests(&self) -> Series {
        let mut s = self.empty_series();
        let a = &self.s.arrests;
        for i in self.arrest_rows() {
            if a.day[i] <= self.as_of && self.cut.lpa(a.lpa[i]) {
                self.bump(&mut s, a.day[i]);
            }
        }
        self.series(s)
    }

    fn count_offences_recorded(&self, w: Window) -> u64 {
        self.recorded_days().sum(w)[0]
    }

    /// Offences by recorded day: [offences, solved as of `as_of`, then offences and solved
    /// for the three recording-delay bands, then for the four risk levels].
    fn recorded_days(&self) -> &Daily<16> {
        self.memo.recorded.get_or_init(|| {
            let o = &self.s.offences;
            Daily::build(
                self.first_row_day(),
                self.as_of,
                self.offence_rows()
                    .filter(|&i| self.offence_kept(i))
                    .map(|i| {
                        let solved =
                            u64::from(self.outcome_known(i).is_some_and(|(c, _)| self.solved[c]));
                        let delay = o.recorded_day[i] - o.offence_day[i];
                        let band = if delay <= 7 {
                            0
                        } else if delay <= 365 {
                            1
                        } else {
                            2
                        };
                        let level = if o.risk[i] == NONE {
                            3
                        } else {
                            usize::from(o.risk[i]).min(3)
                        };
                        let mut v = [0u64; 16];
                        v[0] = 1;
                        v[1] = solved;
                        v[2 + 2 * band] = 1;
                        v[3 + 2 * band] = solved;
                        v[8 + 2 * level] = 1;
                        v[9 + 2 * level] = solved;
                        (o.recorded_day[i], v)
                    }),
            )
        })
    }

    /// `arrest_rate[a, b]`: arrests in the window per 100 offences recorded in the window.
    pub fn arrest_rate(&self, w: Window) -> Ratio {
        let arrests = self.memo.arrests.get_or_init(|| {
            let a = &self.s.arrests;
            Daily::build(
                self.first_row_day(),
                self.as_of,
                self.arrest_rows()
                    .filter(|&i| self.cut.lpa(a.lpa[i]))
                    .map(|i| (a.day[i], [1])),
            )
        });
        Ratio {
            numerator: arrests.sum(w)[0],
            denominator: self.count_offences_recorded(w),
        }
    }

    /// `protection_orders(kind, month)`: orders by the month of `issued_at`.
    pub fn protection_orders(&self, kind: OrderKind) -> Series {
        let mut s = self.empty_series();
        let o = &self.s.orders;
        for i in self.order_rows() {
            if o.kind[i] == kind as u8 && o.day[i] <= self.as_of && self.cut.lpa(o.lpa[i]) {
                self.bump(&mut s, o.day[i]);
            }
        }
        self.series(s)
    }

    fn outcome_series_where(&self, keep: impl Fn(usize) -> bool) -> Series {
        let (by_month, _) = self.outcome_table();
        self.months
            .iter()
            .zip(by_month)
            .map(|(m, codes)| {
                (
                    *m,
                    codes
                        .iter()
                        .enumerate()
                        .filter(|(c, _)| keep(*c))
                        .map(|(_, n)| n)
                        .sum(),
                )
            })
            .collect()
    }

    /// Outcomes known by `as_of`, by month of outcome and code, and each month's total
    /// and count of days from recording to outcome: one pass serves every outcome series.
    fn outcome_table(&self) -> &OutcomeTable {
        self.memo.outcomes.get_or_init(|| {
            let mut by_month = vec![[0.0; 23]; self.months.len()];
            let mut days = vec![(0.0, 0.0); self.months.len()];
            let o = &self.s.offences;
            for i in self.offence_rows() {
                if let Some((code, day)) = self.outcome_known(i)
                    && self.cut.lpa(o.lpa[i])
                    && self.cut.risk(o.risk[i])
                    && let Some(k) = self.slot(day)
                {
                    by_month[k][code] += 1.0;
                    days[k].0 += f64::from(day - o.recorded_day[i]);
                    days[k].1 += 1.0;
                }
            }
            (by_month, days)
        })
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
        let solved = self.memo.solved_by_outcome.get_or_init(|| {
            let o = &self.s.offences;
            Daily::build(
                self.first_row_day(),
                self.as_of,
                self.offence_rows()
                    .filter(|&i| self.cut.lpa(o.lpa[i]) && self.cut.risk(o.risk[i]))
                    .filter_map(|i| {
                        self.outcome_known(i)
                            .filter(|(c, _)| self.solved[*c])
                            .map(|(_, d)| (d, [1]))
                    }),
            )
        });
        Ratio {
            numerator: solved.sum(w)[0],
            denominator: self.count_offences_recorded(w),
        }
    }

    /// `positive_outcome_rate(cohort [a, b], as_of t)`: of offences recorded in the window,
    /// the share with a SOLVED outcome dated on or before `t` (the frame's `as_of`).
    pub fn positive_outcome_rate(&self, w: Window) -> Ratio {
        let v = self.recorded_days().sum(w);
        Ratio {
            numerator: v[1],
            denominator: v[0],
        }
    }

    /// `positive_by_recording_delay(cohort, as_of)`: the cohort split by `recorded_date −
    /// offence_date` in days (0–7, 8–365, over 365; a negative delay cannot pass import).
    pub fn positive_by_recording_delay(&self, w: Window) -> [Ratio; 3] {
        let v = self.recorded_days().sum(w);
        std::array::from_fn(|b| Ratio {
            numerator: v[3 + 2 * b],
            denominator: v[2 + 2 * b],
        })
    }

    /// `offences_by_risk[a, b]` as of `t`: offences recorded in the window by risk level
    /// (index 3 is `not_assessed`), each with its SOLVED count.
    pub fn offences_by_risk(&self, w: Window) -> [Ratio; 4] {
        let v = self.recorded_days().sum(w);
        std::array::from_fn(|l| Ratio {
            numerator: v[9 + 2 * l],
            denominator: v[8 + 2 * l],
        })
    }

    /// `days_to_finalise(month)`: mean of `outcome_date − recorded_date` in days over
    /// offences whose `outcome_date` falls in the month; absent for a month with none.
    pub fn days_to_finalise(&self) -> BTreeMap<Month, Option<f64>> {
        let (_, days) = self.outcome_table();
        self.months
            .iter()
            .zip(days)
            .map(|(m, (sum, n))| (*m, (*n > 0.0).then(|| sum / n)))
            .collect()
    }

    /// `response_on_target(month)`: emergency incidents with `response_target_met = true`
    /// over emergency incidents whose `response_target_met` is known.
    pub fn response_on_target(&self) -> BTreeMap<Month, Ratio> {
        let mut out = vec![Ratio::default(); self.months.len()];
        let inc = &self.s.incidents;
        for i in self.incident_rows() {
            if inc.call_grade[i] == CallGrade::Emergency as u8
                && inc.target_met[i] != NONE
                && self.incident_kept(i)
                && let Some(k) = self.slot(inc.day[i])
            {
                out[k].denominator += 1;
                out[k].numerator += u64::from(inc.target_met[i] == 1);
            }
        }
        self.months.iter().copied().zip(out).collect()
    }

    /// `repeat_incident_rate(month)`: of incidents reported in the month, the share whose
    /// victim had an earlier incident (any suspect, any LPA) reported at most 365 days
    /// before (strictly earlier `reported_at`).
    pub fn repeat_incident_rate(&self, order: &[u32]) -> BTreeMap<Month, Ratio> {
        let repeat = self.repeat_flags(order);
        let mut out = vec![Ratio::default(); self.months.len()];
        let inc = &self.s.incidents;
        for i in self.incident_rows() {
            if self.incident_kept(i)
                && let Some(slot) = self.slot(inc.day[i])
            {
                out[slot].denominator += 1;
                out[slot].numerator += u64::from(repeat[i]);
            }
        }
        self.months.iter().copied().zip(out).collect()
    }

    /// By incident, whether it is a repeat (see `repeat_incident_rate`): one walk of the
    /// victim order (`victim_order`) for every cut, since the history counts in any area.
    fn repeat_flags(&self, order: &[u32]) -> &[bool] {
        self.shared.repeat.get_or_init(|| {
            let inc = &self.s.incidents;
            let mut flags = vec![false; inc.day.len()];
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
                        flags[x as usize] = repeat;
                    }
                    last_earlier = Some(t);
                    j = same;
                }
                k = end;
            }
            flags
        })
    }

    fn referral_kept(&self, i: usize, kind: ReferralKind) -> bool {
        let r = &self.s.referrals;
        r.kind[i] == kind as u8 && r.day[i] <= self.as_of && self.cut.lpa(r.lpa[i])
    }

    /// `marac_referrals[a, b]`: MARAC referrals in the window, police and non-police.
    pub fn marac_referrals(&self, w: Window) -> (u64, u64) {
        let marac = self.memo.marac.get_or_init(|| {
            let r = &self.s.referrals;
            Daily::build(
                self.first_row_day(),
                self.as_of,
                self.referral_rows()
                    .filter(|&i| self.referral_kept(i, ReferralKind::Marac))
                    .map(|i| (r.day[i], [u64::from(r.police[i]), u64::from(!r.police[i])])),
            )
        });
        let [police, other] = marac.sum(w);
        (police, other)
    }

    /// `repeat_marac_rate[a, b]`: MARAC referrals in the window whose person had an earlier
    /// MARAC referral in the 365 days before, over all MARAC referrals in the window.
    pub fn repeat_marac_rate(&self, w: Window) -> Ratio {
        let [all, repeats] = self.marac_repeat_days().sum(w);
        Ratio {
            numerator: repeats,
            denominator: all,
        }
    }

    /// By day: MARAC referrals (in the cut), and those that are repeats. One sort of the
    /// referrals by person and time serves every window.
    fn marac_repeat_days(&self) -> &Daily<2> {
        self.memo.marac_repeat.get_or_init(|| {
            let r = &self.s.referrals;
            let mut v: Vec<(u32, i64, i32)> = self
                .referral_rows()
                .filter(|&i| self.referral_kept(i, ReferralKind::Marac))
                .map(|i| (r.person[i], r.at[i], r.day[i]))
                .collect();
            v.sort_unstable();
            let mut rows = Vec::with_capacity(v.len());
            let mut k = 0;
            while k < v.len() {
                // One person's referrals, in time order; a repeat has a strictly earlier one
                // at most 365 days before, and the latest earlier one is the closest.
                let mut end = k;
                while end < v.len() && v[end].0 == v[k].0 {
                    end += 1;
                }
                let mut last_earlier: Option<i64> = None;
                let mut j = k;
                while j < end {
                    let t = v[j].1;
                    let mut same = j;
                    while same < end && v[same].1 == t {
                        same += 1;
                    }
                    let repeat = last_earlier.is_some_and(|e| t - e <= 365 * DAY_SECS);
                    rows.extend(v[j..same].iter().map(|x| (x.2, [1, u64::from(repeat)])));
                    last_earlier = Some(t);
                    j = same;
                }
                k = end;
            }
            Daily::build(self.first_row_day(), self.as_of, rows.into_iter())
        })
    }

    /// `idva_referral_rate[a, b]`: of incidents graded high reported in the window, the
    /// share whose victim has an IDVA referral dated from the incident's `reported_at` to
    /// 28 days after it.
    pub fn idva_referral_rate(&self, w: Window) -> Ratio {
        let [high, referred, _] = self.idva_days().sum(w);
        Ratio {
            numerator: referred,
            denominator: high,
        }
    }

    /// IDVA referrals in the window (the count the seed report quotes beside the rate).
    pub fn idva_referrals(&self, w: Window) -> u64 {
        self.idva_days().sum(w)[2]
    }

    /// By day: high-risk incidents, those whose victim had an IDVA referral within 28 days
    /// of the report, and IDVA referrals made.
    fn idva_days(&self) -> &Daily<3> {
        self.memo.idva.get_or_init(|| {
            let hit = self.idva_hits();
            let inc = &self.s.incidents;
            let high = vigil_domain::RiskGrade::High as u8;
            let incidents = self
                .incident_rows()
                .filter(|&i| inc.risk[i] == high && self.incident_kept(i))
                .map(|i| (inc.day[i], [1, u64::from(hit[i]), 0]));
            let r = &self.s.referrals;
            let referrals = self
                .referral_rows()
                .filter(|&i| self.referral_kept(i, ReferralKind::Idva))
                .map(|i| (r.day[i], [0, 0, 1]));
            Daily::build(self.first_row_day(), self.as_of, incidents.chain(referrals))
        })
    }

    /// By incident graded high: whether its victim had an IDVA referral (made by `as_of`,
    /// in any area) from the report to 28 days after it. Worked out once for every cut.
    fn idva_hits(&self) -> &[bool] {
        self.shared.idva_hit.get_or_init(|| {
            // Referrals and high-risk incidents each keyed by person then time in one u64
            // (seconds counted from 1950, so they fit 32 bits until 2086) and sorted; one
            // forward pointer then finds each incident's next referral: a merge join instead
            // of a search per incident.
            const BASE: i64 = -631_152_000;
            let key = |person: u32, t: i64| {
                (u64::from(person) << 32) | (t - BASE).clamp(0, u32::MAX as i64) as u64
            };
            let r = &self.s.referrals;
            let mut idva: Vec<u64> = (0..r.kind.len())
                .filter(|&i| r.kind[i] == ReferralKind::Idva as u8 && r.day[i] <= self.as_of)
                .map(|i| key(r.person[i], r.at[i]))
                .collect();
            idva.sort_unstable();
            let inc = &self.s.incidents;
            let high = vigil_domain::RiskGrade::High as u8;
            // High-risk incidents in the same (person, time) order: the victim order's.
            let incidents = self
                .s
                .victim_order
                .iter()
                .map(|i| *i as usize)
                .filter(|&i| inc.risk[i] == high)
                .map(|i| (key(inc.victim[i], inc.reported[i]), i as u32));
            let mut hits = vec![false; inc.day.len()];
            let mut j = 0;
            for (from, i) in incidents {
                while j < idva.len() && idva[j] < from {
                    j += 1;
                }
                let until = from.saturating_add(28 * DAY_SECS as u64);
                hits[i as usize] = idva
                    .get(j)
                    .is_some_and(|k| *k <= until && k >> 32 == from >> 32);
            }
            hits
        })
    }

    /// `bwv_outcome_uplift[a, b]`: over arrests in the window with a disposal and a known
    /// `bwv_shown_in_interview`, the charge-or-caution rate where shown over the rate where
    /// not shown, minus 1. Returns (shown, not shown) ratios; the uplift is derived.
    pub fn bwv_outcome_uplift(&self, w: Window) -> (Ratio, Ratio) {
        let bwv = self.memo.bwv.get_or_init(|| {
            let a = &self.s.arrests;
            Daily::build(
                self.first_row_day(),
                self.as_of,
                self.arrest_rows()
                    .filter(|&i| {
                        self.cut.lpa(a.lpa[i]) && a.disposal[i] != NONE && a.bwv_shown[i] != NONE
                    })
                    .map(|i| {
                        let positive = u64::from(
                            a.disposal[i] == ArrestDisposal::Charge as u8
                                || a.disposal[i] == ArrestDisposal::Caution as u8,
                        );
                        if a.bwv_shown[i] == 1 {
                            (a.day[i], [1, positive, 0, 0])
                        } else {
                            (a.day[i], [0, 0, 1, positive])
                        }
                    }),
            )
        });
        let [sn, sp, nn, np] = bwv.sum(w);
        (
            Ratio {
                numerator: sp,
                denominator: sn,
            },
            Ratio {
                numerator: np,
                denominator: nn,
            },
        )
    }

    /// `disclosure_timeliness[a, b]`: DVDS cases received in the window, by route: how many,
    /// how many decided within 28 days, and the median days to decision (of those decided
    /// on or before `as_of`).
    pub fn disclosure_timeliness(&self, w: Window, route: u8) -> (Ratio, Option<f64>) {
        let (reached, on_time, median) = self.disclosure_stage(w, route, DisclosureStage::Decision);
        (
            Ratio {
                numerator: on_time,
                denominator: reached.denominator,
            },
            median,
        )
    }

    /// `disclosure_stages[a, b]`: DVDS cases received in the window, by route, at each stage
    /// the records date. `decision`: from receipt to the decision (to disclose, not to, or the
    /// applicant's withdrawal), on time within 28 days. `disclosure`: from a decision to
    /// disclose to the disclosure itself, on time by the end of the second working day
    /// (England and Wales) after the decision — Vigil's own mark, the one its Clare's Law
    /// workflow sets; the guidance says only "as soon as possible". For each stage: the cases
    /// that could reach it, how many reached it on or before `as_of`, how many of those on
    /// time, and the median days taken; the share on time is over the cases that could reach
    /// the stage (one not yet reached is not on time), as `disclosure_timeliness` counts.
    pub fn disclosure_stage(
        &self,
        w: Window,
        route: u8,
        stage: DisclosureStage,
    ) -> (Ratio, u64, Option<f64>) {
        let d = &self.s.disclosures;
        let as_of_end = (i64::from(self.as_of) + 1) * DAY_SECS;
        let working = vigil_domain::calendar::WorkingCalendar::default();
        let (mut reached, mut on_time, mut days) = (Ratio::default(), 0, Vec::new());
        for i in self.disclosure_rows() {
            if d.route[i] != route
                || !w.contains_day(d.received_day[i])
                || d.received_day[i] > self.as_of
                || !self.cut.lpa(d.lpa[i])
            {
                continue;
            }
            let to = d.to_decision[i];
            let decided_at = (to >= 0)
                .then(|| d.received[i] + to)
                .filter(|t| *t < as_of_end);
            let (from, took) = match stage {
                DisclosureStage::Decision => (d.received[i], decided_at.map(|_| to)),
                DisclosureStage::Disclosure => {
                    if d.decision[i] != DisclosureDecision::Disclose as u8 {
                        continue;
                    }
                    let Some(decided) = decided_at else { continue };
                    let to = d.to_disclosure[i];
                    let took = (to >= 0 && decided + to < as_of_end).then_some(to);
                    (decided, took)
                }
            };
            reached.denominator += 1;
            let Some(took) = took else { continue };
            reached.numerator += 1;
            days.push(took as f64 / DAY_SECS as f64);
            on_time += u64::from(match stage {
                DisclosureStage::Decision => took <= 28 * DAY_SECS,
                DisclosureStage::Disclosure => {
                    let due = working.end_of_working_days_after(naive(from), 2);
                    from + took <= due.and_utc().timestamp()
                }
            });
        }
        (reached, on_time, median(&mut days))
    }

    /// `disclosure_routes[a, b]`: DVDS cases received in the window, by route, and where each
    /// stood at `as_of`: `[received, disclosed, not disclosed, withdrawn, open]` (open: no
    /// decision dated on or before `as_of`).
    pub fn disclosure_routes(&self, w: Window, route: u8) -> [u64; 5] {
        let d = &self.s.disclosures;
        let as_of_end = (i64::from(self.as_of) + 1) * DAY_SECS;
        let mut out = [0; 5];
        for i in self.disclosure_rows() {
            if d.route[i] != route
                || !w.contains_day(d.received_day[i])
                || d.received_day[i] > self.as_of
                || !self.cut.lpa(d.lpa[i])
            {
                continue;
            }
            out[0] += 1;
            let to = d.to_decision[i];
            let decided = to >= 0 && d.received[i] + to < as_of_end;
            let slot = match d.decision[i] {
                x if !decided || x == NONE => 4,
                x if x == DisclosureDecision::Disclose as u8 => 1,
                x if x == DisclosureDecision::NoDisclosure as u8 => 2,
                _ => 3,
            };
            out[slot] += 1;
        }
        out
    }

    /// For every order (DVPO, DAPO), the notice it followed (`u32::MAX` for none): the
    /// latest notice of its family (DVPN before DVPO, DAPN before DAPO) on the same subject
    /// and protected person, issued no later than the order and at most 7 days before it.
    /// The records do not link a notice to its order; 7 days covers the 48-hour hearing and
    /// an adjournment (Vigil's choice).
    fn notice_of_orders(&self) -> &[u32] {
        self.shared.notice_of.get_or_init(|| {
            let o = &self.s.orders;
            let family = |k: u8| match k {
                x if x == OrderKind::Dvpn as u8 || x == OrderKind::Dvpo as u8 => 0u8,
                _ => 1,
            };
            let notice = |k: u8| k == OrderKind::Dvpn as u8 || k == OrderKind::Dapn as u8;
            let mut notices: std::collections::HashMap<(u8, u32, u32), Vec<(i64, u32)>> =
                std::collections::HashMap::new();
            for i in 0..o.kind.len() {
                if notice(o.kind[i]) {
                    notices
                        .entry((family(o.kind[i]), o.subject[i], o.protected[i]))
                        .or_default()
                        .push((o.at[i], i as u32));
                }
            }
            for v in notices.values_mut() {
                v.sort_unstable();
            }
            (0..o.kind.len())
                .map(|i| {
                    if notice(o.kind[i]) {
                        return u32::MAX;
                    }
                    let Some(v) = notices.get(&(family(o.kind[i]), o.subject[i], o.protected[i]))
                    else {
                        return u32::MAX;
                    };
                    let at = o.at[i];
                    let k = v.partition_point(|(t, _)| *t <= at);
                    match k.checked_sub(1).map(|k| v[k]) {
                        Some((t, n)) if at - t <= 7 * DAY_SECS => n,
                        _ => u32::MAX,
                    }
                })
                .collect()
        })
    }

    /// `orders_applied_granted[a, b]`: by family (`dvpo`: DVPN then DVPO; `dapo`: DAPN then
    /// DAPO), notices issued in the window — each one an application to the magistrates for
    /// an order — over how many were followed by an order made on or before `as_of`. The
    /// records do not link an order to its notice: an order follows the latest notice of its
    /// family on the same subject and protected person issued no later than the order and at
    /// most 7 days before it (the 48-hour hearing and an adjournment; Vigil's choice). A
    /// notice whose hearing is still to come counts as not granted.
    pub fn orders_applied_granted(&self, w: Window, order: OrderKind) -> Ratio {
        let o = &self.s.orders;
        let notice_kind = notice_kind_of(order);
        let granted = self.shared.granted.get_or_init(|| {
            let of = self.notice_of_orders();
            let mut granted = vec![0u8; o.kind.len()];
            for (i, n) in of.iter().enumerate() {
                if *n != u32::MAX && o.day[i] <= self.as_of {
                    granted[*n as usize] |= 1 << o.kind[i];
                }
            }
            granted
        });
        let mut r = Ratio::default();
        for i in self.order_rows() {
            let granted = granted[i];
            if o.kind[i] == notice_kind as u8
                && w.contains_day(o.day[i])
                && o.day[i] <= self.as_of
                && self.cut.lpa(o.lpa[i])
            {
                r.denominator += 1;
                r.numerator += u64::from(granted & (1 << order as u8) != 0);
            }
        }
        r
    }

    /// `hearings_within_48h[a, b]`: by family, orders made in the window that followed a
    /// notice (matched as for `orders_applied_granted`), over how many were made by that notice's hearing deadline: 48 hours after
    /// service, not counting Sundays, bank holidays, Christmas Day or Good Friday
    /// (`deadlines::dvpo_hearing_due`, for a DAPN too). The records hold when an order was
    /// made, not when its hearing began: an order made at an adjourned hearing counts as
    /// late, and a refused application is not counted.
    pub fn hearings_within_48h(&self, w: Window, order: OrderKind) -> Ratio {
        let o = &self.s.orders;
        let of = self.notice_of_orders();
        let mut r = Ratio::default();
        for i in self.order_rows() {
            let notice = &of[i];
            if o.kind[i] != order as u8
                || *notice == u32::MAX
                || !w.contains_day(o.day[i])
                || o.day[i] > self.as_of
                || !self.cut.lpa(o.lpa[i])
            {
                continue;
            }
            let served = naive(o.at[*notice as usize]);
            let due = vigil_domain::deadlines::dvpo_hearing_due(served);
            r.denominator += 1;
            r.numerator += u64::from(o.at[i] <= due.and_utc().timestamp());
        }
        r
    }

    /// `order_breaches[a, b]`: by kind, notices and orders issued in the window, over how many
    /// had a breach recorded on or before `as_of`. The records hold the first breach only, so
    /// this is the share breached at least once (the pack also gives it per 100).
    pub fn order_breaches(&self, w: Window, kind: OrderKind) -> Ratio {
        let o = &self.s.orders;
        let as_of_end = (i64::from(self.as_of) + 1) * DAY_SECS;
        let mut r = Ratio::default();
        for i in self.order_rows() {
            if o.kind[i] == kind as u8
                && w.contains_day(o.day[i])
                && o.day[i] <= self.as_of
                && self.cut.lpa(o.lpa[i])
            {
                r.denominator += 1;
                r.numerator += u64::from(o.breached[i] >= 0 && o.breached[i] < as_of_end);
            }
        }
        r
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

/// The stages of a DVDS case the records date (see `disclosure_stage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisclosureStage {
    Decision,
    Disclosure,
}

impl DisclosureStage {
    pub const ALL: [DisclosureStage; 2] = [DisclosureStage::Decision, DisclosureStage::Disclosure];

    pub fn as_str(self) -> &'static str {
        match self {
            DisclosureStage::Decision => "decision",
            DisclosureStage::Disclosure => "disclosure",
        }
    }
}

/// The notice that comes before an order of `order`'s kind (a DVPN before a DVPO).
pub fn notice_kind_of(order: OrderKind) -> OrderKind {
    match order {
        OrderKind::Dvpo | OrderKind::Dvpn => OrderKind::Dvpn,
        OrderKind::Dapo | OrderKind::Dapn => OrderKind::Dapn,
    }
}

/// Seconds since 1970 back to the naive date and time they were made from.
fn naive(secs: i64) -> vigil_domain::time::DateTime {
    date(0).and_hms_opt(0, 0, 0).expect("midnight") + vigil_domain::time::Duration::seconds(secs)
}

/// The first month of a window given as days, for readable output.
pub fn month_of(day: i32) -> Month {
    Month::of(date(day))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Month;
    use vigil_domain::time::parse_datetime;
    use vigil_domain::*;

    fn order(
        id: &str,
        kind: OrderKind,
        subject: &str,
        at: &str,
        breached: Option<&str>,
    ) -> ProtectionOrder {
        ProtectionOrder {
            id: OrderId::parse(id).unwrap(),
            kind,
            subject_id: PersonId::parse(subject).unwrap(),
            protected_id: PersonId::parse("V").unwrap(),
            incident_id: None,
            issued_at: parse_datetime(at).unwrap(),
            expires_at: None,
            breached_at: breached.map(|b| parse_datetime(b).unwrap()),
        }
    }

    /// The worked example and its neighbours: a DVPN served at 18:00 on Friday
    /// 23 August 2019 is heard by 18:00 on Tuesday 27 August (Sunday and the bank holiday
    /// not counted); an order a minute later is late; a notice 8 days before an order is
    /// not its notice; another subject's notice is not either.
    #[test]
    fn orders_follow_their_notice_and_hearings_count_the_law_s_hours() {
        use OrderKind::*;
        let orders = vec![
            order("N1", Dvpn, "S1", "2019-08-23T18:00:00", None),
            order(
                "O1",
                Dvpo,
                "S1",
                "2019-08-27T18:00:00",
                Some("2019-08-30T20:00:00"),
            ),
            order("N2", Dvpn, "S2", "2019-08-23T18:00:00", None),
            order("O2", Dvpo, "S2", "2019-08-27T18:01:00", None),
            order(
                "N3",
                Dvpn,
                "S3",
                "2019-08-01T10:00:00",
                Some("2019-08-02T10:00:00"),
            ),
            order("O3", Dvpo, "S3", "2019-08-09T10:00:01", None),
            order("N4", Dvpn, "S4", "2019-08-20T10:00:00", None),
            order("O4", Dvpo, "S5", "2019-08-21T10:00:00", None),
        ];
        let persons = ["V", "S1", "S2", "S3", "S4", "S5"]
            .iter()
            .map(|p| Person {
                id: PersonId::parse(p).unwrap(),
                sex: Sex::Female,
                birth_date: None,
                ethnicity: Ethnicity::White,
                lpa: Some(Lpa::parse("North").unwrap()),
                identity: Identity::default(),
                address_confidential: false,
            })
            .collect();
        let records = RecordSet {
            persons,
            protection_orders: orders,
            ..RecordSet::default()
        };
        let as_of = vigil_domain::time::parse_date("2019-08-31").unwrap();
        let snapshot = Snapshot::from_records(&records, Some(as_of));
        let shared = Shared::default();
        let frame = Frame::new(
            &snapshot,
            (Cut::default(), None),
            &shared,
            crate::calendar::day(as_of),
            vec![Month::of(as_of)],
            &vigil_domain::outcome::OutcomeGroups::default(),
        );
        let august = Window::parse("2019-08-01..2019-08-31").unwrap();
        let applied = frame.orders_applied_granted(august, Dvpo);
        assert_eq!(
            (applied.numerator, applied.denominator),
            (2, 4),
            "N1 and N2 granted"
        );
        let heard = frame.hearings_within_48h(august, Dvpo);
        assert_eq!(
            (heard.numerator, heard.denominator),
            (1, 2),
            "O1 on time, O2 late"
        );
        let breaches = frame.order_breaches(august, Dvpo);
        assert_eq!((breaches.numerator, breaches.denominator), (1, 4));
        let breaches = frame.order_breaches(august, Dvpn);
        assert_eq!((breaches.numerator, breaches.denominator), (1, 4));
        // As of the Monday, no order had been made and O1's breach had not happened.
        let monday = vigil_domain::time::parse_date("2019-08-26").unwrap();
        let shared = Shared::default();
        let frame = Frame::new(
            &snapshot,
            (Cut::default(), None),
            &shared,
            crate::calendar::day(monday),
            vec![Month::of(monday)],
            &vigil_domain::outcome::OutcomeGroups::default(),
        );
        assert_eq!(frame.orders_applied_granted(august, Dvpo).numerator, 0);
        assert_eq!(frame.order_breaches(august, Dvpo).denominator, 2);
        assert_eq!(frame.order_breaches(august, Dvpo).numerator, 0);
    }
}
