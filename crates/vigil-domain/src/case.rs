//! What a case is now, decided from its records: the grade it carries and the work queue
//! that holds it. The web application and every store backend ask these; none decides.

use crate::access::Queue;
use crate::records::{InvestigatingTeam, RiskAssessment};
use crate::risk::{AssessmentStage, RiskGrade};
use crate::time::DateTime;

/// The grade a case carries: the latest secondary assessment's (a DAIT sergeant's review
/// replaces the first grade), else the incident's recorded grade, else the latest
/// assessment's of any stage.
pub fn current_grade(
    incident_risk: Option<RiskGrade>,
    assessments: &[RiskAssessment],
) -> Option<RiskGrade> {
    assessments
        .iter()
        .filter(|a| a.stage == AssessmentStage::Secondary)
        .max_by_key(|a| a.assessed_at)
        .map(|a| a.grade)
        .or(incident_risk)
        .or_else(|| {
            assessments
                .iter()
                .max_by_key(|a| a.assessed_at)
                .map(|a| a.grade)
        })
}

/// The teams whose open investigations a queue holds: the LPT's own, and the DAIT's with
/// the CID's (serious cases the DAIT hands on stay in its sight). The CRU's queue holds
/// victims, not investigations.
pub fn queue_teams(queue: Queue) -> &'static [InvestigatingTeam] {
    match queue {
        Queue::Lpt => &[InvestigatingTeam::Lpt],
        Queue::Dait => &[InvestigatingTeam::Dait, InvestigatingTeam::Cid],
        Queue::Cru | Queue::Awaiting => &[],
    }
}

/// The CRU's queue holds incidents of this grade whose victim has had no MARAC referral
/// since the incident.
pub const CRU_QUEUE_GRADE: RiskGrade = RiskGrade::High;

/// Whether a high-risk incident still waits for the CRU: no MARAC referral of the victim
/// at or after it was reported.
pub fn awaits_marac_referral(
    risk: Option<RiskGrade>,
    reported_at: DateTime,
    marac_referrals: &[DateTime],
) -> bool {
    risk == Some(CRU_QUEUE_GRADE) && !marac_referrals.iter().any(|r| *r >= reported_at)
}

/// How a queue is ordered: highest risk first (ungraded last), then longest waiting, then
/// by reference so the order is total. Stores sort by the same key to choose which items a
/// limited page holds; the application sorts the page by it again.
pub fn queue_order_key(risk: Option<RiskGrade>, since: DateTime) -> (u8, DateTime) {
    let rank = match risk {
        Some(RiskGrade::High) => 0,
        Some(RiskGrade::Medium) => 1,
        Some(RiskGrade::Standard) => 2,
        None => 3,
    };
    (rank, since)
}

/// Whether a queue lists its newest items first. The CRU's does: a high-risk victim just
/// reported is the one at most acute risk, and the older ones carry the overdue flag (and
/// the "overdue only" filter lists them). Investigation queues list the longest waiting
/// first.
pub fn newest_first(queue: Queue) -> bool {
    queue == Queue::Cru
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{AssessmentId, IncidentId};
    use crate::risk::InstrumentKind;
    use crate::time::parse_datetime;
    use proptest::prelude::*;

    fn assessment(stage: AssessmentStage, day: i64, grade: RiskGrade) -> RiskAssessment {
        RiskAssessment {
            id: AssessmentId::parse(&format!("A{day}")).unwrap(),
            incident_id: IncidentId::parse("I").unwrap(),
            stage,
            instrument: InstrumentKind::Dash,
            assessed_at: parse_datetime("2019-01-01T00:00:00").unwrap()
                + chrono::Duration::days(day),
            answers: String::new(),
            yes_count: 0,
            grade,
            judgement_raised: false,
        }
    }

    fn grade(i: u8) -> RiskGrade {
        [RiskGrade::Standard, RiskGrade::Medium, RiskGrade::High][usize::from(i % 3)]
    }

    proptest! {
        /// Whatever else is recorded, the latest secondary assessment decides.
        #[test]
        fn the_latest_secondary_assessment_decides(
            primaries in proptest::collection::vec((0i64..100, 0u8..3), 0..4),
            secondaries in proptest::collection::vec((0i64..100, 0u8..3), 1..4),
            incident in proptest::option::of(0u8..3),
        ) {
            let mut all: Vec<_> = primaries.iter().map(|(d, g)| assessment(AssessmentStage::Primary, *d, grade(*g))).collect();
            let second: Vec<_> = secondaries.iter().enumerate().map(|(i, (d, g))| assessment(AssessmentStage::Secondary, 200 + *d * 4 + i as i64, grade(*g))).collect();
            let latest = second.iter().max_by_key(|a| a.assessed_at).unwrap().grade;
            all.extend(second);
            prop_assert_eq!(current_grade(incident.map(grade), &all), Some(latest));
        }

        /// Without a secondary assessment, the incident's own grade stands.
        #[test]
        fn without_a_review_the_incident_grade_stands(
            primaries in proptest::collection::vec((0i64..100, 0u8..3), 0..4),
            incident in 0u8..3,
        ) {
            let all: Vec<_> = primaries.iter().map(|(d, g)| assessment(AssessmentStage::Primary, *d, grade(*g))).collect();
            prop_assert_eq!(current_grade(Some(grade(incident)), &all), Some(grade(incident)));
        }

        /// The order key puts every higher grade first, then the longer wait.
        #[test]
        fn higher_risk_and_longer_waits_come_first(a in 0u8..4, b in 0u8..4, da in 0i64..1000, db in 0i64..1000) {
            let g = |i: u8| (i < 3).then(|| grade(2 - i));
            let t = |d: i64| parse_datetime("2019-01-01T00:00:00").unwrap() + chrono::Duration::days(d);
            let (ka, kb) = (queue_order_key(g(a), t(da)), queue_order_key(g(b), t(db)));
            if a != b {
                prop_assert_eq!(ka < kb, a < b);
            } else {
                prop_assert_eq!(ka < kb, da < db);
            }
        }
    }

    #[test]
    fn a_marac_referral_since_the_incident_clears_the_cru_queue() {
        let at = parse_datetime("2019-05-01T10:00:00").unwrap();
        let before = parse_datetime("2019-04-01T10:00:00").unwrap();
        let after = parse_datetime("2019-05-02T10:00:00").unwrap();
        assert!(awaits_marac_referral(Some(RiskGrade::High), at, &[]));
        assert!(awaits_marac_referral(Some(RiskGrade::High), at, &[before]));
        assert!(!awaits_marac_referral(
            Some(RiskGrade::High),
            at,
            &[before, after]
        ));
        assert!(!awaits_marac_referral(Some(RiskGrade::Medium), at, &[]));
        assert_eq!(
            queue_teams(Queue::Dait),
            &[InvestigatingTeam::Dait, InvestigatingTeam::Cid]
        );
    }
}
