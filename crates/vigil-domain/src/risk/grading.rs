use super::{Answers, Instrument, RiskGrade};
use crate::ValueError;

/// The yes-counts at which a score becomes medium and high risk.
///
/// Forces set their own; the default for DASH is 1–9 standard, 10–13 medium, 14+ high
/// (a count of 0 is standard too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GradeThresholds {
    medium_from: u8,
    high_from: u8,
}

impl GradeThresholds {
    /// Both thresholds must lie within the instrument's question count, medium below high.
    pub fn new(
        medium_from: u8,
        high_from: u8,
        instrument: &Instrument,
    ) -> Result<Self, ValueError> {
        let n = instrument.question_count();
        if medium_from == 0 || medium_from >= high_from || usize::from(high_from) > n {
            return Err(ValueError::new(format!(
                "grade thresholds medium from {medium_from}, high from {high_from} are not usable for {} ({n} questions): need 1 ≤ medium < high ≤ {n}",
                instrument.name
            )));
        }
        Ok(GradeThresholds {
            medium_from,
            high_from,
        })
    }

    pub fn default_for(instrument: &Instrument) -> Self {
        GradeThresholds {
            medium_from: instrument.default_medium_from,
            high_from: instrument.default_high_from,
        }
    }

    pub fn medium_from(&self) -> u8 {
        self.medium_from
    }

    pub fn high_from(&self) -> u8 {
        self.high_from
    }

    /// The grade a yes-count earns on its own.
    pub fn grade_for(&self, yes_count: usize) -> RiskGrade {
        if yes_count >= usize::from(self.high_from) {
            RiskGrade::High
        } else if yes_count >= usize::from(self.medium_from) {
            RiskGrade::Medium
        } else {
            RiskGrade::Standard
        }
    }
}

/// The written reason for professional judgement: never empty, because a grade raised
/// without a reason cannot be reviewed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JudgementReason(String);

impl JudgementReason {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let trimmed = raw.trim();
        if trimmed.chars().count() < 10 {
            return Err(ValueError::new(
                "give the reason for professional judgement in at least 10 characters",
            ));
        }
        Ok(JudgementReason(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The assessing officer's decision to grade above the score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfessionalJudgement {
    pub grade: RiskGrade,
    pub reason: JudgementReason,
}

/// The outcome of grading: what the score gave, and the final grade after judgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub yes_count: usize,
    pub score_grade: RiskGrade,
    pub grade: RiskGrade,
    pub judgement: Option<ProfessionalJudgement>,
}

impl Assessment {
    pub fn judgement_raised(&self) -> bool {
        self.judgement.is_some()
    }
}

/// Grades a set of answers. Professional judgement may raise the grade and never lower it;
/// a judgement that does not raise the grade is refused, so the record never claims a
/// judgement that changed nothing.
pub fn assess(
    answers: &Answers,
    thresholds: GradeThresholds,
    judgement: Option<ProfessionalJudgement>,
) -> Result<Assessment, ValueError> {
    let yes_count = answers.yes_count();
    let score_grade = thresholds.grade_for(yes_count);
    let grade = match &judgement {
        None => score_grade,
        Some(j) if j.grade > score_grade => j.grade,
        Some(j) => {
            return Err(ValueError::new(format!(
                "professional judgement can only raise the grade: the score ({yes_count} yes) already gives {score_grade}, and judgement asked for {}",
                j.grade
            )));
        }
    };
    Ok(Assessment {
        yes_count,
        score_grade,
        grade,
        judgement,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{Answer, dash::DASH_2009};
    use super::*;
    use proptest::prelude::*;

    fn answers(yes: usize) -> Answers {
        let mut v = vec![Answer::No; 27];
        for a in v.iter_mut().take(yes) {
            *a = Answer::Yes;
        }
        Answers::from_vec(v)
    }

    #[test]
    fn default_bands() {
        let t = GradeThresholds::default_for(&DASH_2009);
        assert_eq!(t.grade_for(0), RiskGrade::Standard);
        assert_eq!(t.grade_for(9), RiskGrade::Standard);
        assert_eq!(t.grade_for(10), RiskGrade::Medium);
        assert_eq!(t.grade_for(13), RiskGrade::Medium);
        assert_eq!(t.grade_for(14), RiskGrade::High);
        assert!(GradeThresholds::new(14, 10, &DASH_2009).is_err());
        assert!(GradeThresholds::new(10, 28, &DASH_2009).is_err());
    }

    #[test]
    fn judgement_needs_a_reason() {
        assert!(JudgementReason::parse("  ").is_err());
        assert!(JudgementReason::parse("threats to kill with a knife last week").is_ok());
    }

    fn grade() -> impl Strategy<Value = RiskGrade> {
        prop::sample::select(RiskGrade::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn judgement_never_lowers(yes in 0usize..=27, medium in 1u8..27, gap in 1u8..27, j in grade()) {
            let high = medium.saturating_add(gap).min(27);
            prop_assume!(medium < high);
            let t = GradeThresholds::new(medium, high, &DASH_2009).unwrap();
            let judgement = ProfessionalJudgement { grade: j, reason: JudgementReason::parse("reason given here").unwrap() };
            match assess(&answers(yes), t, Some(judgement)) {
                Ok(a) => {
                    prop_assert!(a.grade > a.score_grade);
                    prop_assert_eq!(a.grade, j);
                }
                Err(_) => prop_assert!(j <= t.grade_for(yes)),
            }
            let plain = assess(&answers(yes), t, None).unwrap();
            prop_assert_eq!(plain.grade, t.grade_for(yes));
        }

        #[test]
        fn grade_is_monotone_in_yes_count(a in 0usize..=27, b in 0usize..=27) {
            let t = GradeThresholds::default_for(&DASH_2009);
            if a <= b { prop_assert!(t.grade_for(a) <= t.grade_for(b)); }
        }
    }
}
