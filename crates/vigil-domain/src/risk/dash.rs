//! The DASH (2009) risk identification checklist used by police forces in England and Wales.
//!
//! The labels are Vigil's own short paraphrases of the 27 questions, written for a form
//! field and a case timeline; the order is the form's. The high-risk indicators marked here
//! are Vigil's reading of the form's guidance (separation, escalation, stalking, pregnancy,
//! strangulation, weapons, threats to kill, sexual abuse, harm to children, controlling and
//! jealous behaviour), for prompting professional judgement; they do not change the score.

use super::{Instrument, InstrumentKind, Question};

macro_rules! q {
    ($n:literal, $label:literal) => {
        Question {
            number: $n,
            label: $label,
            high_risk_indicator: false,
        }
    };
    ($n:literal, $label:literal, high) => {
        Question {
            number: $n,
            label: $label,
            high_risk_indicator: true,
        }
    };
}

static DASH_2009_QUESTIONS: [Question; 27] = [
    q!(1, "Injured by this incident"),
    q!(2, "Very frightened"),
    q!(3, "Afraid of further injury or violence"),
    q!(4, "Cut off from family or friends"),
    q!(5, "Depressed or having suicidal thoughts"),
    q!(6, "Separated or tried to separate in the past year", high),
    q!(7, "Conflict over contact with children"),
    q!(8, "Stalked, followed or constantly contacted", high),
    q!(9, "Pregnant or had a baby in the past 18 months", high),
    q!(10, "Children in the home who are not the abuser's"),
    q!(11, "Abuser has hurt the children or dependants", high),
    q!(
        12,
        "Abuser has threatened to hurt or kill the children",
        high
    ),
    q!(13, "Abuse happening more often", high),
    q!(14, "Abuse getting worse", high),
    q!(15, "Abuser controlling or excessively jealous", high),
    q!(16, "Abuser has used a weapon or object to hurt", high),
    q!(17, "Abuser has threatened to kill", high),
    q!(18, "Strangled, choked, suffocated or drowned", high),
    q!(19, "Sexual abuse or degrading sexual acts", high),
    q!(20, "Another person has threatened or frightened the victim"),
    q!(21, "Abuser has hurt anyone else"),
    q!(22, "Abuser has hurt or mistreated an animal"),
    q!(23, "Abuser has money worries or lost a job"),
    q!(24, "Abuser misuses drink or drugs or has mental ill health"),
    q!(25, "Abuser has threatened or attempted suicide"),
    q!(26, "Abuser has broken bail, an order or an agreement"),
    q!(27, "Abuser has a known criminal or violent history"),
];

/// DASH 2009: 27 questions; most forces grade 1–9 standard, 10–13 medium, 14+ high.
pub static DASH_2009: Instrument = Instrument {
    kind: InstrumentKind::Dash,
    version: "2009",
    name: "DASH",
    questions: &DASH_2009_QUESTIONS,
    default_medium_from: 10,
    default_high_from: 14,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_are_numbered_in_order() {
        for (i, q) in DASH_2009.questions.iter().enumerate() {
            assert_eq!(usize::from(q.number), i + 1);
            assert!(!q.label.is_empty());
        }
        assert_eq!(DASH_2009.question_count(), 27);
    }
}
