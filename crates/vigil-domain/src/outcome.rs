//! The Home Office outcome catalogue (codes 1, 1A, 2–22), the force's outcome groups, and
//! the rules an outcome must satisfy before it is recorded.

use crate::ValueError;
use crate::time::Date;
use std::collections::BTreeSet;
use std::fmt;

/// A Home Office crime outcome code. Held as its position in the catalogue so it is `Copy`
/// and orders as the catalogue does (1, 1A, 2, …, 22).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OutcomeCode(u8);

/// Code, then the catalogue's description in Vigil's words.
const CATALOGUE: [(&str, &str); 23] = [
    ("1", "Charged or summonsed"),
    ("1A", "Charged or summonsed: alternative offence"),
    ("2", "Youth caution"),
    ("3", "Adult caution"),
    ("4", "Taken into consideration"),
    ("5", "Offender died"),
    ("6", "Penalty notice for disorder"),
    ("7", "Cannabis or khat warning"),
    ("8", "Community resolution"),
    ("9", "Prosecution not in the public interest (CPS)"),
    ("10", "Formal action not in the public interest (police)"),
    ("11", "Prosecution prevented: suspect under age"),
    ("12", "Prosecution prevented: suspect too ill"),
    (
        "13",
        "Prosecution prevented: victim or key witness dead or too ill",
    ),
    (
        "14",
        "Evidential difficulties: suspect not identified, victim does not support",
    ),
    (
        "15",
        "Evidential difficulties: suspect identified, victim supports",
    ),
    (
        "16",
        "Evidential difficulties: suspect identified, victim does not support",
    ),
    ("17", "Prosecution time limit expired"),
    ("18", "Investigation complete: no suspect identified"),
    ("19", "Not disseminated for investigation (fraud)"),
    ("20", "Action undertaken by another body"),
    ("21", "Further investigation not in the public interest"),
    ("22", "Diversionary, educational or intervention activity"),
];

impl OutcomeCode {
    /// Every code, in catalogue order.
    pub fn all() -> impl Iterator<Item = OutcomeCode> {
        (0..CATALOGUE.len() as u8).map(OutcomeCode)
    }

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        CATALOGUE
            .iter()
            .position(|(code, _)| *code == raw)
            .map(|i| OutcomeCode(i as u8))
            .ok_or_else(|| {
                ValueError::new(format!(
                    "'{raw}' is not a Home Office outcome code; expected 1, 1A or 2 to 22"
                ))
            })
    }

    /// Panics on a code not in the catalogue; for constants in code and tests.
    pub fn of(code: &str) -> Self {
        Self::parse(code).expect("outcome code in the catalogue")
    }

    pub fn as_str(self) -> &'static str {
        CATALOGUE[usize::from(self.0)].0
    }

    pub fn description(self) -> &'static str {
        CATALOGUE[usize::from(self.0)].1
    }
}

impl fmt::Display for OutcomeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The force's grouping of outcome codes for its performance measures. Each force
/// configures its own; the default is the seed report's (METRICS.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeGroups {
    pub solved: BTreeSet<OutcomeCode>,
    pub resolved: BTreeSet<OutcomeCode>,
    pub victim_does_not_support: BTreeSet<OutcomeCode>,
}

impl Default for OutcomeGroups {
    fn default() -> Self {
        let set = |codes: &[&str]| codes.iter().map(|c| OutcomeCode::of(c)).collect();
        OutcomeGroups {
            solved: set(&["1", "1A", "2", "3", "4", "6", "7", "8"]),
            resolved: set(&["5", "9", "10", "20", "21", "22"]),
            victim_does_not_support: set(&["14", "16"]),
        }
    }
}

impl OutcomeGroups {
    /// Groups must not overlap: an outcome counted as both solved and resolved would be
    /// counted twice in the board report.
    pub fn new(
        solved: BTreeSet<OutcomeCode>,
        resolved: BTreeSet<OutcomeCode>,
        victim_does_not_support: BTreeSet<OutcomeCode>,
    ) -> Result<Self, ValueError> {
        let overlap = |a: &BTreeSet<OutcomeCode>, b: &BTreeSet<OutcomeCode>, names: &str| match a
            .intersection(b)
            .next()
        {
            Some(code) => Err(ValueError::new(format!(
                "outcome {code} is in both {names}; an outcome belongs to one group at most"
            ))),
            None => Ok(()),
        };
        overlap(&solved, &resolved, "SOLVED and RESOLVED")?;
        overlap(
            &solved,
            &victim_does_not_support,
            "SOLVED and VICTIM_DOES_NOT_SUPPORT",
        )?;
        overlap(
            &resolved,
            &victim_does_not_support,
            "RESOLVED and VICTIM_DOES_NOT_SUPPORT",
        )?;
        Ok(OutcomeGroups {
            solved,
            resolved,
            victim_does_not_support,
        })
    }

    pub fn is_solved(&self, code: OutcomeCode) -> bool {
        self.solved.contains(&code)
    }

    pub fn is_resolved(&self, code: OutcomeCode) -> bool {
        self.resolved.contains(&code)
    }
}

/// Where an outcome comes from. Imported history is taken as recorded by the source
/// system; an outcome recorded through Vigil must meet every rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provenance {
    Imported,
    RecordedInVigil,
}

/// What the outcome rules need to know about the offence and the outcome.
#[derive(Debug, Clone, Copy)]
pub struct OutcomeContext {
    pub code: OutcomeCode,
    pub outcome_date: Date,
    pub recorded_date: Date,
    pub domestic_abuse: bool,
    pub victim_withdrawal_recorded: bool,
    pub provenance: Provenance,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The user may go ahead, having read why the outcome is unusual.
    Warning,
    /// The outcome cannot be recorded as it stands.
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeIssue {
    pub severity: Severity,
    pub message: String,
}

/// The date outcome 22 (diversionary, educational or intervention activity) came into use.
pub fn outcome_22_from() -> Date {
    Date::from_ymd_opt(2019, 4, 1).expect("valid date")
}

/// Checks an outcome against the catalogue's rules. Every issue is returned (not only the
/// first) so a form can show them all at once.
pub fn validate_outcome(ctx: &OutcomeContext) -> Vec<OutcomeIssue> {
    let mut issues = Vec::new();
    let code = ctx.code.as_str();
    if ctx.outcome_date < ctx.recorded_date {
        issues.push(OutcomeIssue {
            severity: Severity::Error,
            message: format!(
                "the outcome date {} is before the crime was recorded ({}); an outcome cannot precede recording",
                ctx.outcome_date, ctx.recorded_date
            ),
        });
    }
    if code == "22" && ctx.outcome_date < outcome_22_from() {
        issues.push(OutcomeIssue {
            severity: Severity::Error,
            message: format!(
                "outcome 22 exists only from {}; the outcome date is {}",
                outcome_22_from(),
                ctx.outcome_date
            ),
        });
    }
    if code == "16"
        && ctx.provenance == Provenance::RecordedInVigil
        && !ctx.victim_withdrawal_recorded
    {
        issues.push(OutcomeIssue {
            severity: Severity::Error,
            message: "outcome 16 needs the victim's withdrawal of support to be recorded on the case first".into(),
        });
    }
    if code == "21" && ctx.domestic_abuse {
        issues.push(OutcomeIssue {
            severity: Severity::Warning,
            message: "outcome 21 (further investigation not in the public interest) should not normally be used for domestic abuse; record why it is right here".into(),
        });
    }
    issues
}

/// Why an outcome needs a supervisor's authorisation, if it does. A community resolution
/// (outcome 8) is meant for low-level offending; in a domestic abuse case graded medium or
/// high, or on violence with injury, a supervisor decides it and records why (Vigil's
/// default, after the force's own rule that such a resolution is the exception for DA).
/// Imported outcomes are taken as the source system recorded them.
pub fn supervisor_authorisation_needed(
    code: OutcomeCode,
    risk: Option<crate::risk::RiskGrade>,
    group: crate::records::OffenceGroup,
) -> Option<String> {
    use crate::records::OffenceGroup;
    use crate::risk::RiskGrade;
    if code.as_str() != "8" {
        return None;
    }
    let why = match (risk, group) {
        (Some(r @ (RiskGrade::Medium | RiskGrade::High)), _) => format!("a {r}-risk case"),
        (_, OffenceGroup::ViolenceWithInjury) => "violence with injury".to_owned(),
        _ => return None,
    };
    Some(format!(
        "A community resolution (outcome 8) on {why} needs a supervisor's authorisation: a sergeant records this outcome, with the reason"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn community_resolution_on_serious_da_needs_a_supervisor() {
        use crate::records::OffenceGroup as G;
        use crate::risk::RiskGrade as R;
        let eight = OutcomeCode::of("8");
        assert!(supervisor_authorisation_needed(eight, Some(R::High), G::PublicOrder).is_some());
        assert!(supervisor_authorisation_needed(eight, Some(R::Medium), G::Other).is_some());
        let injury =
            supervisor_authorisation_needed(eight, Some(R::Standard), G::ViolenceWithInjury);
        assert!(injury.unwrap().contains("violence with injury"));
        assert!(
            supervisor_authorisation_needed(eight, Some(R::Standard), G::PublicOrder).is_none()
        );
        assert!(supervisor_authorisation_needed(eight, None, G::CriminalDamage).is_none());
        // Other outcomes never do.
        assert!(
            supervisor_authorisation_needed(
                OutcomeCode::of("1"),
                Some(R::High),
                G::ViolenceWithInjury
            )
            .is_none()
        );
    }

    fn ctx(code: &str, outcome: (i32, u32, u32)) -> OutcomeContext {
        OutcomeContext {
            code: OutcomeCode::of(code),
            outcome_date: Date::from_ymd_opt(outcome.0, outcome.1, outcome.2).unwrap(),
            recorded_date: Date::from_ymd_opt(2019, 1, 10).unwrap(),
            domestic_abuse: true,
            victim_withdrawal_recorded: false,
            provenance: Provenance::RecordedInVigil,
        }
    }

    #[test]
    fn catalogue_round_trips_and_orders() {
        let codes: Vec<_> = OutcomeCode::all().map(|c| c.as_str()).collect();
        assert_eq!(codes.len(), 23);
        assert_eq!(&codes[..3], &["1", "1A", "2"]);
        for c in OutcomeCode::all() {
            assert_eq!(OutcomeCode::parse(c.as_str()).unwrap(), c);
        }
        assert!(OutcomeCode::parse("23").is_err());
        assert!(OutcomeCode::parse("1a").is_err());
        assert!(OutcomeCode::of("1") < OutcomeCode::of("1A"));
    }

    #[test]
    fn rules() {
        assert!(validate_outcome(&ctx("1", (2019, 2, 1))).is_empty());
        let before = validate_outcome(&ctx("1", (2019, 1, 9)));
        assert_eq!(before[0].severity, Severity::Error);
        assert!(
            validate_outcome(&ctx("22", (2019, 3, 31)))
                .iter()
                .any(|i| i.severity == Severity::Error)
        );
        assert!(validate_outcome(&ctx("22", (2019, 4, 1))).is_empty());
        assert_eq!(
            validate_outcome(&ctx("21", (2019, 4, 1)))[0].severity,
            Severity::Warning
        );
        assert_eq!(
            validate_outcome(&ctx("16", (2019, 4, 1)))[0].severity,
            Severity::Error
        );
        let imported = OutcomeContext {
            provenance: Provenance::Imported,
            ..ctx("16", (2019, 4, 1))
        };
        assert!(validate_outcome(&imported).is_empty());
        let withdrawn = OutcomeContext {
            victim_withdrawal_recorded: true,
            ..ctx("16", (2019, 4, 1))
        };
        assert!(validate_outcome(&withdrawn).is_empty());
    }

    #[test]
    fn default_groups_match_metrics_and_do_not_overlap() {
        let g = OutcomeGroups::default();
        assert!(g.is_solved(OutcomeCode::of("1A")));
        assert!(!g.is_solved(OutcomeCode::of("5")));
        assert!(g.is_resolved(OutcomeCode::of("22")));
        assert!(
            OutcomeGroups::new(
                g.solved.clone(),
                g.resolved.clone(),
                g.victim_does_not_support.clone()
            )
            .is_ok()
        );
        let mut bad = g.resolved.clone();
        bad.insert(OutcomeCode::of("1"));
        assert!(OutcomeGroups::new(g.solved.clone(), bad, BTreeSet::new()).is_err());
    }

    proptest! {
        #[test]
        fn an_outcome_before_recording_is_always_an_error(code in 0u8..23, back in 1i64..4000) {
            let recorded = Date::from_ymd_opt(2019, 6, 1).unwrap();
            let c = OutcomeContext {
                code: OutcomeCode(code),
                outcome_date: recorded - chrono::Duration::days(back),
                recorded_date: recorded,
                domestic_abuse: true,
                victim_withdrawal_recorded: true,
                provenance: Provenance::Imported,
            };
            prop_assert!(validate_outcome(&c).iter().any(|i| i.severity == Severity::Error));
        }
    }
}
