//! Risk assessment: instruments as versioned data, and grading from answers plus judgement.

mod dash;
mod grading;
mod instrument;

pub use grading::{Assessment, GradeThresholds, JudgementReason, ProfessionalJudgement, assess};
pub use instrument::{Answer, Answers, Instrument, Question, instrument};

use crate::vocabulary::vocabulary;

vocabulary! {
    /// The grade of risk of serious harm to the victim. Ordered: standard < medium < high.
    pub enum RiskGrade ("risk level") {
        Standard = "standard",
        Medium = "medium",
        High = "high",
    }
}

vocabulary! {
    /// Who assessed: the attending officer (primary) or a DAIT sergeant (secondary).
    pub enum AssessmentStage ("assessment stage") {
        Primary = "primary",
        Secondary = "secondary",
    }
}

vocabulary! {
    /// The risk instruments a force may use. DASH is defined in full; the College of
    /// Policing's DARA, the SafeLives checklist and the stalking screen (S-DASH) are named
    /// so that imported assessments keep their instrument, and their question sets are
    /// added as data beside DASH's.
    pub enum InstrumentKind ("risk instrument") {
        Dash = "dash",
        Dara = "dara",
        Safelives = "safelives",
        Sdash = "sdash",
    }
}
