//! The performance pack as types. `compute` fills these; `vigil pack --json`,
//! `/api/v1/pack`, the board report and the dashboard all read them, so a measure renamed
//! here is a compile error everywhere it is used, never a chart that silently says "not
//! available". Serialised, the pack is exactly the JSON document it has always been: the
//! keys are the METRICS.md names, maps keep the order they were filled in.

use crate::calendar::{Month, Window};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

/// A map serialised as a JSON object in the order it was filled (months, windows, groups,
/// codes, areas), looked up by key.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyed<T>(pub Vec<(String, T)>);

impl<T> Default for Keyed<T> {
    fn default() -> Self {
        Keyed(Vec::new())
    }
}

impl<T> Keyed<T> {
    pub fn get(&self, key: &str) -> Option<&T> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The value for a window (keyed `YYYY-MM-DD..YYYY-MM-DD`).
    pub fn at(&self, w: Window) -> Option<&T> {
        self.get(&w.key())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &T)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T> FromIterator<(String, T)> for Keyed<T> {
    fn from_iter<I: IntoIterator<Item = (String, T)>>(iter: I) -> Self {
        Keyed(iter.into_iter().collect())
    }
}

impl<T: Serialize> Serialize for Keyed<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// A monthly series, keyed `YYYY-MM`.
pub type Monthly = Keyed<f64>;

/// What can be read month by month: a count series, or a series of rates and means whose
/// months may have no value. The report's and the dashboard's charts read both through it.
pub trait MonthSeries {
    fn month(&self, m: Month) -> Option<f64>;

    /// The series over `months`, `None` where it holds no value.
    fn over(&self, months: &[Month]) -> Vec<(Month, Option<f64>)> {
        months.iter().map(|m| (*m, self.month(*m))).collect()
    }
}

impl MonthSeries for Keyed<f64> {
    fn month(&self, m: Month) -> Option<f64> {
        self.get(&m.key()).copied()
    }
}

impl MonthSeries for Keyed<Option<f64>> {
    fn month(&self, m: Month) -> Option<f64> {
        self.get(&m.key()).copied().flatten()
    }
}

impl Keyed<f64> {
    /// The sum over the whole months a window covers (`None` when the series holds none
    /// of them). The one definition of a window's total that the report, the dashboard and
    /// the terminal summary share.
    pub fn total(&self, w: Window) -> Option<f64> {
        let mut any = false;
        let mut sum = 0.0;
        for i in Month::of(w.from).index()..=Month::of(w.to).index() {
            let m = Month::from_index(i);
            if m.first_day() >= w.from
                && m.last_day() <= w.to
                && let Some(v) = self.month(m)
            {
                any = true;
                sum += v;
            }
        }
        any.then_some(sum)
    }
}

/// A monthly series whose months may have no value (`null`).
pub type MonthlyMaybe = Keyed<Option<f64>>;

impl Keyed<Option<f64>> {
    /// The value for a window (for a map of rates by window).
    pub fn rate(&self, w: Window) -> Option<f64> {
        self.at(w).copied().flatten()
    }
}

/// A rate for each window (`null` where its denominator is zero).
pub type Rates = Keyed<Option<f64>>;

/// Offences and how many of them were solved.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Solved {
    pub offences: u64,
    pub solved: u64,
    pub rate: Option<f64>,
}

/// The positive outcome rate by the delay between offence and recording.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ByRecordingDelay {
    #[serde(rename = "0-7")]
    pub days_0_7: Solved,
    #[serde(rename = "8-365")]
    pub days_8_365: Solved,
    pub over_365: Solved,
    /// The share of all solved offences that were recorded within 7 days.
    pub solved_share_0_7: Option<f64>,
}

/// Offences by risk level, each with its solved count.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ByRisk {
    pub standard: Solved,
    pub medium: Solved,
    pub high: Solved,
    pub not_assessed: Solved,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Correlations {
    #[serde(rename = "outcome_16~da_offences")]
    pub outcome_16_da_offences: Option<f64>,
    #[serde(rename = "solved_outcomes~da_offences")]
    pub solved_outcomes_da_offences: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RepeatMarac {
    pub referrals: u64,
    pub repeats: u64,
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MaracReferrals {
    pub police: u64,
    pub non_police: u64,
    pub total: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IdvaReferralRate {
    pub high_risk_incidents: u64,
    pub referred: u64,
    pub rate: Option<f64>,
    pub idva_referrals_in_window: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChargedOrCautioned {
    pub arrests: u64,
    pub charged_or_cautioned: u64,
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BwvUplift {
    pub shown: ChargedOrCautioned,
    pub not_shown: ChargedOrCautioned,
    pub uplift: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Timeliness {
    pub cases: u64,
    pub decided_within_28_days: u64,
    pub share_within_28_days: Option<f64>,
    pub median_days_to_decision: Option<f64>,
}

/// DVDS cases received in a window, by where each stood at `as_of`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DisclosureRoutes {
    pub received: u64,
    pub disclosed: u64,
    pub not_disclosed: u64,
    pub withdrawn: u64,
    pub open: u64,
}

/// One stage of DVDS cases received in a window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StageTimeliness {
    /// Cases that could reach the stage (for `disclosure`, those decided to disclose).
    pub cases: u64,
    pub reached: u64,
    pub on_time: u64,
    pub share_on_time: Option<f64>,
    pub median_days: Option<f64>,
    /// The mark "on time" is measured against, in words.
    pub mark: &'static str,
}

/// Notices (applications to the magistrates) and the orders that followed them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OrdersAppliedGranted {
    pub notices: u64,
    pub orders_granted: u64,
    pub share_granted: Option<f64>,
}

/// Orders made after a notice, and how many by the hearing deadline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HearingsWithin48h {
    pub orders: u64,
    pub within_48_hours: u64,
    pub share: Option<f64>,
}

/// Notices or orders issued in a window, and how many were breached.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OrderBreaches {
    pub issued: u64,
    pub breached: u64,
    pub per_100: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemandStep {
    pub from: String,
    pub effect: f64,
}

/// The demand decomposition: how much of the change in recorded offences is genuine and
/// how much comes from recording practice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decomposition {
    pub earlier: String,
    pub later: String,
    pub earlier_offences: f64,
    pub later_offences: f64,
    pub total_change: f64,
    pub genuine_offences: f64,
    pub recording_offences: f64,
    pub genuine_change: f64,
    pub recording_change: f64,
    pub genuine_change_95: [f64; 2],
    pub recording_change_95: [f64; 2],
    pub steps: Vec<DemandStep>,
    pub dispersion: f64,
    pub months_fitted: usize,
    pub method: &'static str,
}

/// The decomposition, or why it could not be estimated.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Demand {
    Estimated(Box<Decomposition>),
    NotEstimable { not_estimable: String },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortMember {
    pub person_id: String,
    pub score: f64,
    pub r: f64,
    pub f: f64,
    pub g: f64,
    pub v: f64,
    pub incidents: u32,
    pub victims: u32,
    pub last_incident: String,
    pub serial: bool,
    /// Why they are there, in words.
    pub reasons: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AcuteVictimRow {
    pub person_id: String,
    pub risk_level: &'static str,
    pub incidents_12m: u32,
    pub last_incident: String,
}

/// Every measure for one cut: the force, or one Local Policing Area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measures {
    pub da_offences: Monthly,
    pub non_crime_incidents: Monthly,
    pub crime_incident_share: Rates,
    pub offence_group_series: Keyed<Monthly>,
    pub relationship_share: Rates,
    pub arrests: Monthly,
    /// Arrests per 100 offences.
    pub arrest_rate: Rates,
    pub protection_orders: Keyed<Monthly>,
    pub solved_outcomes: Monthly,
    pub solved_rate: Rates,
    pub positive_outcome_rate: Keyed<Solved>,
    pub positive_by_recording_delay: Keyed<ByRecordingDelay>,
    pub resolved_outcomes: Monthly,
    pub outcome_series: Keyed<Monthly>,
    pub offences_by_risk: Keyed<ByRisk>,
    pub days_to_finalise: MonthlyMaybe,
    pub correlation: Correlations,
    pub response_on_target: MonthlyMaybe,
    pub repeat_incident_rate: MonthlyMaybe,
    pub repeat_marac_rate: Keyed<RepeatMarac>,
    pub marac_referrals: Keyed<MaracReferrals>,
    /// Only for the force, and only when the adult female population is configured.
    pub marac_volume_per_10k: Option<Keyed<f64>>,
    pub idva_referral_rate: Keyed<IdvaReferralRate>,
    pub bwv_outcome_uplift: Keyed<BwvUplift>,
    pub disclosure_timeliness: Keyed<Keyed<Timeliness>>,
    /// Window, then route, then stage.
    pub disclosure_stages: Keyed<Keyed<Keyed<StageTimeliness>>>,
    /// Window, then route.
    pub disclosure_routes: Keyed<Keyed<DisclosureRoutes>>,
    /// Window, then the order (`dvpo`, `dapo`).
    pub orders_applied_granted: Keyed<Keyed<OrdersAppliedGranted>>,
    /// Window, then the order (`dvpo`, `dapo`).
    pub hearings_within_48h: Keyed<Keyed<HearingsWithin48h>>,
    /// Window, then the kind of notice or order.
    pub order_breaches: Keyed<Keyed<OrderBreaches>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demand_decomposition: Option<Demand>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub perpetrator_cohort: Option<Vec<CohortMember>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acute_victims: Option<Vec<AcuteVictimRow>>,
}

/// The offence measures for one risk level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskMeasures {
    pub da_offences: Monthly,
    pub solved_outcomes: Monthly,
    pub solved_rate: Rates,
    pub positive_outcome_rate: Keyed<Solved>,
    pub days_to_finalise: MonthlyMaybe,
}

/// The outcome codes in each of the force's outcome groups.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeGroupCodes {
    #[serde(rename = "SOLVED")]
    pub solved: Vec<&'static str>,
    #[serde(rename = "RESOLVED")]
    pub resolved: Vec<&'static str>,
    #[serde(rename = "VICTIM_DOES_NOT_SUPPORT")]
    pub victim_does_not_support: Vec<&'static str>,
}

/// The whole pack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pack {
    pub as_of: String,
    pub data_from: String,
    /// Where the data cannot carry a measure, so that no chart draws it as a fall.
    pub coverage: Coverage,
    pub months: Vec<String>,
    pub windows: Vec<String>,
    pub outcome_groups: OutcomeGroupCodes,
    pub force: Measures,
    pub by_lpa: Keyed<Measures>,
    pub by_risk: Keyed<RiskMeasures>,
}

/// The edges of the data: a first month that began part-way through, the months whose
/// incidents lack a year of earlier records (the repeat measures undercount there), and the
/// month of `as_of` while it is not over (left out of every monthly series).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    /// The first month with a record (`YYYY-MM`).
    pub first_month: String,
    /// The data begin after its first day: its counts are of part of a month.
    pub first_month_partial: bool,
    /// The first month whose every day has 365 days of records before it: the repeat
    /// measures (`repeat_incident_rate`, `repeat_marac_rate`) are complete from here.
    pub full_history_from: String,
    /// The month `as_of` falls in, when `as_of` is not its last day: not in the series.
    pub partial_month_left_out: Option<String>,
}

impl Pack {
    /// The measures of one area, or of the force.
    pub fn scope(&self, lpa: Option<&str>) -> Option<&Measures> {
        match lpa {
            None => Some(&self.force),
            Some(l) => self.by_lpa.get(l),
        }
    }

    /// The pack as JSON, exactly as `vigil pack --json` writes it.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a pack always serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_domain::time::parse_date;

    #[test]
    fn keyed_maps_keep_their_order_and_totals_count_whole_months() {
        let s: Monthly = [("2019-03", 1.0), ("2019-01", 2.0), ("2019-02", 4.0)]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"2019-03":1.0,"2019-01":2.0,"2019-02":4.0}"#
        );
        let w = |a: &str, b: &str| Window {
            from: parse_date(a).unwrap(),
            to: parse_date(b).unwrap(),
        };
        assert_eq!(s.total(w("2019-01-01", "2019-02-28")), Some(6.0));
        // A month only partly inside the window does not count.
        assert_eq!(s.total(w("2019-01-15", "2019-03-31")), Some(5.0));
        assert_eq!(s.total(w("2020-01-01", "2020-12-31")), None);
        assert_eq!(
            s.month(Month {
                year: 2019,
                month: 2
            }),
            Some(4.0)
        );
        let rates: Rates = [("2019-01-01..2019-12-31".to_owned(), None)]
            .into_iter()
            .collect();
        assert_eq!(rates.rate(w("2019-01-01", "2019-12-31")), None);
        assert_eq!(
            serde_json::to_string(&rates).unwrap(),
            r#"{"2019-01-01..2019-12-31":null}"#
        );
    }
}
