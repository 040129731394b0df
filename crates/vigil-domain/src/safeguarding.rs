//! What must happen next on a case: the safeguarding actions Vigil raises when an incident
//! is recorded and keeps showing until they are done. One function decides them all, from
//! the case's facts, so the intake page, the case page and the API never disagree.

use crate::deadlines::{SchoolCalendar, encompass_due};
use crate::marac::{MaracCase, MaracCriteria, MaracReason, marac_eligibility};
use crate::records::{Incident, ReferralKind, Relationship};
use crate::risk::{AssessmentStage, RiskGrade};
use crate::time::DateTime;

/// An action due on a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// The victim meets a MARAC referral criterion and has not been referred since.
    MaracReferral(Vec<MaracReason>),
    /// High risk: the victim should be offered an IDVA.
    IdvaReferral,
    /// Children were present: their school must be told before the next school day.
    Encompass { due: DateTime },
    /// The suspect has abused another partner before: consider a Clare's Law disclosure
    /// to this victim (right to know).
    ClaresLawRightToKnow { other_partners: usize },
    /// Medium or high risk: a DAIT sergeant reviews the primary assessment.
    SecondaryAssessment,
}

impl Action {
    /// A sentence for the page: what is due and why.
    pub fn describe(&self) -> String {
        match self {
            Action::MaracReferral(reasons) => {
                let why: Vec<String> = reasons.iter().map(MaracReason::describe).collect();
                format!("Refer to MARAC: {}", why.join("; "))
            }
            Action::IdvaReferral => "Refer the victim to an IDVA (high risk)".to_owned(),
            Action::Encompass { due } => format!(
                "Operation Encompass: tell the children's school by {}",
                due.format("%-d %B %Y %H:%M")
            ),
            Action::ClaresLawRightToKnow { other_partners } => format!(
                "Clare's Law: consider a right-to-know disclosure; the suspect has been reported for abusing {other_partners} other partner{}",
                if *other_partners == 1 { "" } else { "s" }
            ),
            Action::SecondaryAssessment => {
                "Secondary risk assessment by a DAIT sergeant".to_owned()
            }
        }
    }

    /// A short machine-readable name (for the API and tests).
    pub fn code(&self) -> &'static str {
        match self {
            Action::MaracReferral(_) => "marac_referral",
            Action::IdvaReferral => "idva_referral",
            Action::Encompass { .. } => "encompass",
            Action::ClaresLawRightToKnow { .. } => "clares_law_right_to_know",
            Action::SecondaryAssessment => "secondary_assessment",
        }
    }
}

/// Whether a referral does the action of its kind. An IDVA offer the victim declined does
/// not: the action stays open for the offer to be reviewed.
pub fn referral_counts(kind: ReferralKind, consent: Option<bool>) -> bool {
    !(kind == ReferralKind::Idva && consent == Some(false))
}

/// The facts of a case the actions depend on.
#[derive(Debug, Clone, Copy)]
pub struct CaseFacts<'a> {
    pub incident: &'a Incident,
    /// The grade after any secondary assessment, else the primary grade.
    pub grade: Option<RiskGrade>,
    /// Whether professional judgement raised the primary grade to high.
    pub judged_high_risk: bool,
    /// Assessment stages already recorded against the incident.
    pub stages: &'a [AssessmentStage],
    /// When the victim's other incidents (as victim) were reported.
    pub victim_incidents: &'a [DateTime],
    /// The victim's referrals: kind and when.
    pub victim_referrals: &'a [(ReferralKind, DateTime)],
    /// The victim's MARAC referrals with the perpetrator of each referral's household (its
    /// incident's suspect, else that of the victim's latest incident before it; `None`
    /// when not known): a repeat is about the same victim *and* perpetrator.
    pub marac_perpetrators: &'a [(DateTime, Option<crate::PersonId>)],
    /// The suspect's incidents against other people, with the relationship.
    pub suspect_history: &'a [(crate::PersonId, Relationship, DateTime)],
    /// Right-to-know decisions made about a disclosure to the victim: whom it was about
    /// and when it was decided (disclose or not).
    pub right_to_know_decisions: &'a [(crate::PersonId, DateTime)],
}

/// The actions due on a case, in the order an officer should take them.
pub fn actions_due(
    facts: &CaseFacts<'_>,
    criteria: &MaracCriteria,
    school: &SchoolCalendar,
) -> Vec<Action> {
    let at = facts.incident.reported_at;
    let referred_since = |kind: ReferralKind| {
        facts
            .victim_referrals
            .iter()
            .any(|(k, t)| *k == kind && *t >= at)
    };
    let mut out = Vec::new();
    let earlier: Vec<DateTime> = facts
        .victim_incidents
        .iter()
        .copied()
        .filter(|t| *t < at)
        .collect();
    // The last MARAC referral between this victim and this suspect (SafeLives' repeat).
    // An earlier referral whose perpetrator is not known counts: a repeat is flagged for the
    // CRU to confirm rather than missed.
    let last_marac = facts
        .marac_perpetrators
        .iter()
        .filter(|(t, perpetrator)| {
            *t < at
                && match (perpetrator, &facts.incident.suspect_id) {
                    (Some(p), Some(s)) => p == s,
                    _ => true,
                }
        })
        .map(|(t, _)| *t)
        .max();
    let reasons = marac_eligibility(
        criteria,
        &MaracCase {
            now: at,
            dash_yes_count: facts.incident.dash_yes_count,
            judged_high_risk: facts.judged_high_risk,
            earlier_incidents: &earlier,
            last_marac_referral: last_marac,
        },
    );
    // A high-risk case goes to MARAC whatever the route to that grade.
    let reasons = if reasons.is_empty() && facts.grade == Some(RiskGrade::High) {
        vec![MaracReason::ProfessionalJudgement]
    } else {
        reasons
    };
    if !reasons.is_empty() && !referred_since(ReferralKind::Marac) {
        out.push(Action::MaracReferral(reasons));
    }
    if facts.grade == Some(RiskGrade::High) && !referred_since(ReferralKind::Idva) {
        out.push(Action::IdvaReferral);
    }
    if facts.incident.children_present && !referred_since(ReferralKind::Encompass) {
        out.push(Action::Encompass {
            due: encompass_due(at, school),
        });
    }
    let mut partners: Vec<&crate::PersonId> = facts
        .suspect_history
        .iter()
        // The right-to-know trigger is the one rule of `disclosure`, shared with the
        // batch screen.
        .filter(|(victim, rel, t)| {
            crate::disclosure::triggers_right_to_know(
                (&facts.incident.victim_id, facts.incident.relationship, at),
                (victim, *rel, *t),
            )
        })
        .map(|(v, _, _)| v)
        .collect();
    partners.sort();
    partners.dedup();
    // A right-to-know decision about this suspect, made since the incident, answers the
    // prompt whichever way it went.
    let decided = facts.incident.suspect_id.as_ref().is_some_and(|sid| {
        facts
            .right_to_know_decisions
            .iter()
            .any(|(subject, t)| subject == sid && *t >= at)
    });
    if !partners.is_empty() && !decided {
        out.push(Action::ClaresLawRightToKnow {
            other_partners: partners.len(),
        });
    }
    if matches!(facts.grade, Some(RiskGrade::Medium | RiskGrade::High))
        && !facts.stages.contains(&AssessmentStage::Secondary)
    {
        out.push(Action::SecondaryAssessment);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CallGrade, IncidentId, Lpa, PersonId};

    fn t(d: u32, h: u32) -> DateTime {
        crate::time::Date::from_ymd_opt(2019, 6, d)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    fn incident(children: bool, yes: u8, grade: RiskGrade) -> Incident {
        Incident {
            id: IncidentId::parse("I1").unwrap(),
            reported_at: t(4, 22),
            lpa: Lpa::parse("North").unwrap(),
            call_grade: CallGrade::Emergency,
            arrived_at: None,
            response_target_met: None,
            victim_id: PersonId::parse("P1").unwrap(),
            suspect_id: Some(PersonId::parse("P2").unwrap()),
            relationship: Relationship::Partner,
            children_present: children,
            risk_level: Some(grade),
            dash_yes_count: Some(yes),
        }
    }

    fn due(
        i: &Incident,
        referrals: &[(ReferralKind, DateTime)],
        history: &[(PersonId, Relationship, DateTime)],
        stages: &[AssessmentStage],
    ) -> Vec<&'static str> {
        actions_due(
            &CaseFacts {
                incident: i,
                grade: i.risk_level,
                judged_high_risk: false,
                stages,
                victim_incidents: &[],
                victim_referrals: referrals,
                marac_perpetrators: &[],
                suspect_history: history,
                right_to_know_decisions: &[],
            },
            &MaracCriteria::default(),
            &SchoolCalendar::default(),
        )
        .iter()
        .map(Action::code)
        .collect()
    }

    #[test]
    fn high_risk_with_children_raises_every_safeguarding_action() {
        let i = incident(true, 15, RiskGrade::High);
        assert_eq!(
            due(&i, &[], &[], &[AssessmentStage::Primary]),
            [
                "marac_referral",
                "idva_referral",
                "encompass",
                "secondary_assessment"
            ]
        );
        // Tuesday 22:00 → Wednesday 08:30.
        let all = actions_due(
            &CaseFacts {
                incident: &i,
                grade: i.risk_level,
                judged_high_risk: false,
                stages: &[],
                victim_incidents: &[],
                victim_referrals: &[],
                marac_perpetrators: &[],
                suspect_history: &[],
                right_to_know_decisions: &[],
            },
            &MaracCriteria::default(),
            &SchoolCalendar::default(),
        );
        assert!(all.contains(&Action::Encompass {
            due: t(5, 8) + chrono::Duration::minutes(30)
        }));
    }

    #[test]
    fn actions_done_since_the_incident_are_not_raised_again() {
        let i = incident(true, 15, RiskGrade::High);
        let done = [
            (ReferralKind::Marac, t(5, 9)),
            (ReferralKind::Idva, t(5, 9)),
            (ReferralKind::Encompass, t(5, 7)),
        ];
        assert_eq!(
            due(
                &i,
                &done,
                &[],
                &[AssessmentStage::Primary, AssessmentStage::Secondary]
            ),
            Vec::<&str>::new()
        );
        // A referral before the incident does not count for this one.
        let before = [(ReferralKind::Idva, t(1, 9))];
        assert!(due(&i, &before, &[], &[]).contains(&"idva_referral"));
    }

    /// A repeat (SafeLives): an incident between the same victim and perpetrator within 12
    /// months of the last MARAC referral; another perpetrator's makes no repeat, an
    /// unknown one is flagged for the CRU to confirm.
    #[test]
    fn a_repeat_is_the_same_victim_and_perpetrator_within_a_year() {
        let i = incident(false, 3, RiskGrade::Standard);
        let reasons = |earlier: &[(DateTime, Option<PersonId>)]| -> Vec<String> {
            actions_due(
                &CaseFacts {
                    incident: &i,
                    grade: i.risk_level,
                    judged_high_risk: false,
                    stages: &[],
                    victim_incidents: &[],
                    victim_referrals: &[],
                    marac_perpetrators: earlier,
                    suspect_history: &[],
                    right_to_know_decisions: &[],
                },
                &MaracCriteria::default(),
                &SchoolCalendar::default(),
            )
            .iter()
            .map(Action::describe)
            .collect()
        };
        let same = Some(PersonId::parse("P2").unwrap());
        let other = Some(PersonId::parse("P7").unwrap());
        let said = reasons(&[(t(1, 9), same)]);
        assert!(said.iter().any(|r| r.contains("repeat")), "{said:?}");
        assert!(reasons(&[(t(1, 9), other)]).is_empty());
        assert!(!reasons(&[(t(1, 9), None)]).is_empty());
    }

    #[test]
    fn standard_risk_without_children_needs_nothing() {
        let i = incident(false, 3, RiskGrade::Standard);
        assert!(due(&i, &[], &[], &[]).is_empty());
    }

    #[test]
    fn clares_law_only_for_another_intimate_partner() {
        let i = incident(false, 3, RiskGrade::Standard);
        let other = PersonId::parse("P9").unwrap();
        let same = PersonId::parse("P1").unwrap();
        assert_eq!(
            due(
                &i,
                &[],
                &[(other.clone(), Relationship::ExPartner, t(1, 1))],
                &[]
            ),
            ["clares_law_right_to_know"]
        );
        assert!(due(&i, &[], &[(same, Relationship::Partner, t(1, 1))], &[]).is_empty());
        assert!(
            due(
                &i,
                &[],
                &[(other.clone(), Relationship::Sibling, t(1, 1))],
                &[]
            )
            .is_empty()
        );
        // A right-to-know decision about the suspect since the incident clears the prompt;
        // one made before it, or about someone else, does not.
        let history = [(other.clone(), Relationship::ExPartner, t(1, 1))];
        let suspect = i.suspect_id.clone().unwrap();
        let prompt = |decisions: &[(PersonId, DateTime)]| {
            actions_due(
                &CaseFacts {
                    incident: &i,
                    grade: i.risk_level,
                    judged_high_risk: false,
                    stages: &[],
                    victim_incidents: &[],
                    victim_referrals: &[],
                    marac_perpetrators: &[],
                    suspect_history: &history,
                    right_to_know_decisions: decisions,
                },
                &MaracCriteria::default(),
                &SchoolCalendar::default(),
            )
            .iter()
            .any(|a| a.code() == "clares_law_right_to_know")
        };
        assert!(prompt(&[]));
        assert!(!prompt(&[(suspect.clone(), t(6, 10))]));
        assert!(prompt(&[(suspect, t(1, 10))]));
        assert!(prompt(&[(other, t(6, 10))]));
    }
}
