//! MARAC referral criteria (SafeLives): visible high risk, professional judgement,
//! potential escalation and repeat referral.

use crate::time::{DateTime, Duration};

/// The force's MARAC thresholds. Defaults: 14 DASH ticks; 3 incidents in 365 days;
/// a repeat is any incident within 365 days of the last MARAC referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaracCriteria {
    pub visible_high_risk_yes_count: u8,
    pub escalation_incidents: u32,
    pub escalation_window_days: i64,
    pub repeat_window_days: i64,
}

impl Default for MaracCriteria {
    fn default() -> Self {
        MaracCriteria {
            visible_high_risk_yes_count: 14,
            escalation_incidents: 3,
            escalation_window_days: 365,
            repeat_window_days: 365,
        }
    }
}

/// Why a case meets the MARAC criteria; a case may meet several. Each carries the force's
/// threshold it met, so what a page says follows the configured criteria.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaracReason {
    VisibleHighRisk {
        threshold: u8,
    },
    ProfessionalJudgement,
    PotentialEscalation {
        incidents_in_window: u32,
        window_days: i64,
    },
    Repeat {
        window_days: i64,
    },
}

impl MaracReason {
    /// The reason in words, with the threshold it met.
    pub fn describe(&self) -> String {
        let window = |days: i64| {
            if days == 365 {
                "12 months".to_owned()
            } else {
                format!("{days} days")
            }
        };
        match self {
            MaracReason::VisibleHighRisk { threshold } => {
                format!("visible high risk ({threshold} or more yes answers)")
            }
            MaracReason::ProfessionalJudgement => "professional judgement of high risk".to_owned(),
            MaracReason::PotentialEscalation {
                incidents_in_window,
                window_days,
            } => format!(
                "potential escalation ({incidents_in_window} incidents in {})",
                window(*window_days)
            ),
            MaracReason::Repeat { window_days } => format!(
                "repeat: referred to MARAC in the last {}",
                window(*window_days)
            ),
        }
    }
}

/// What the rule needs about the victim and the incident being assessed.
#[derive(Debug, Clone, Copy)]
pub struct MaracCase<'a> {
    pub now: DateTime,
    pub dash_yes_count: Option<u8>,
    /// The assessing officer judged the case high risk regardless of the count.
    pub judged_high_risk: bool,
    /// When the victim's earlier incidents were reported (any order; later ones ignored).
    pub earlier_incidents: &'a [DateTime],
    pub last_marac_referral: Option<DateTime>,
}

/// Every criterion the case meets; empty when it is not eligible. The escalation count
/// includes the incident being assessed.
pub fn marac_eligibility(criteria: &MaracCriteria, case: &MaracCase<'_>) -> Vec<MaracReason> {
    let mut reasons = Vec::new();
    if case
        .dash_yes_count
        .is_some_and(|n| n >= criteria.visible_high_risk_yes_count)
    {
        reasons.push(MaracReason::VisibleHighRisk {
            threshold: criteria.visible_high_risk_yes_count,
        });
    }
    if case.judged_high_risk {
        reasons.push(MaracReason::ProfessionalJudgement);
    }
    let window_start = case.now - Duration::days(criteria.escalation_window_days);
    let in_window = case
        .earlier_incidents
        .iter()
        .filter(|t| **t >= window_start && **t < case.now)
        .count() as u32
        + 1;
    if in_window >= criteria.escalation_incidents {
        reasons.push(MaracReason::PotentialEscalation {
            incidents_in_window: in_window,
            window_days: criteria.escalation_window_days,
        });
    }
    if let Some(last) = case.last_marac_referral
        && last <= case.now
        && case.now - last <= Duration::days(criteria.repeat_window_days)
    {
        reasons.push(MaracReason::Repeat {
            window_days: criteria.repeat_window_days,
        });
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Date;
    use proptest::prelude::*;

    fn at(day: i64) -> DateTime {
        Date::from_ymd_opt(2019, 1, 1)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap()
            + Duration::days(day)
    }

    fn case(yes: Option<u8>, earlier: &[DateTime], last: Option<DateTime>) -> MaracCase<'_> {
        MaracCase {
            now: at(400),
            dash_yes_count: yes,
            judged_high_risk: false,
            earlier_incidents: earlier,
            last_marac_referral: last,
        }
    }

    #[test]
    fn each_criterion() {
        let c = MaracCriteria::default();
        assert!(marac_eligibility(&c, &case(Some(13), &[], None)).is_empty());
        assert_eq!(
            marac_eligibility(&c, &case(Some(14), &[], None)),
            vec![MaracReason::VisibleHighRisk { threshold: 14 }]
        );
        let two = [at(100), at(300)];
        assert_eq!(
            marac_eligibility(&c, &case(None, &two, None)),
            vec![MaracReason::PotentialEscalation {
                incidents_in_window: 3,
                window_days: 365
            }]
        );
        let stale = [at(10), at(300)];
        assert!(marac_eligibility(&c, &case(None, &stale, None)).is_empty());
        assert_eq!(
            marac_eligibility(&c, &case(None, &[], Some(at(50)))),
            vec![MaracReason::Repeat { window_days: 365 }]
        );
        assert!(marac_eligibility(&c, &case(None, &[], Some(at(20)))).is_empty());
    }

    #[test]
    fn the_reason_in_words_follows_the_configured_criteria() {
        let c = MaracCriteria {
            visible_high_risk_yes_count: 12,
            escalation_window_days: 180,
            ..MaracCriteria::default()
        };
        let reasons = marac_eligibility(&c, &case(Some(12), &[at(300), at(350)], None));
        let words: Vec<String> = reasons.iter().map(MaracReason::describe).collect();
        assert_eq!(
            words,
            [
                "visible high risk (12 or more yes answers)",
                "potential escalation (3 incidents in 180 days)"
            ]
        );
    }

    proptest! {
        #[test]
        fn more_history_never_removes_eligibility(days in prop::collection::vec(0i64..400, 0..10), extra in 0i64..400) {
            let c = MaracCriteria::default();
            let base: Vec<_> = days.iter().map(|d| at(*d)).collect();
            let mut more = base.clone();
            more.push(at(extra));
            let before = marac_eligibility(&c, &case(None, &base, None)).len();
            let after = marac_eligibility(&c, &case(None, &more, None)).len();
            prop_assert!(after >= before);
        }
    }
}
