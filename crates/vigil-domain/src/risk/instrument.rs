use super::{InstrumentKind, dash};
use crate::ValueError;

/// One question of an instrument, in Vigil's own short wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question {
    pub number: u8,
    pub label: &'static str,
    /// Marked on the form as a question that, answered yes, points to high risk on its own
    /// and should make the officer consider professional judgement.
    pub high_risk_indicator: bool,
}

/// A versioned risk instrument: its questions and default grade thresholds are data, so a
/// new version is a new value, not new code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instrument {
    pub kind: InstrumentKind,
    pub version: &'static str,
    pub name: &'static str,
    pub questions: &'static [Question],
    /// Default yes-count at which the grade becomes medium, then high.
    pub default_medium_from: u8,
    pub default_high_from: u8,
}

impl Instrument {
    pub fn question_count(&self) -> usize {
        self.questions.len()
    }
}

/// The question set of an instrument, where Vigil holds it. Only DASH (2009) is defined so
/// far; the others return `None` and their assessments are kept as recorded (answers,
/// count and grade) without re-scoring.
pub fn instrument(kind: InstrumentKind) -> Option<&'static Instrument> {
    match kind {
        InstrumentKind::Dash => Some(&dash::DASH_2009),
        InstrumentKind::Dara | InstrumentKind::Safelives | InstrumentKind::Sdash => None,
    }
}

/// One answer: yes, no, or not known (the victim declined or could not say).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Answer {
    Yes,
    No,
    Unknown,
}

impl Answer {
    pub fn as_char(self) -> char {
        match self {
            Answer::Yes => 'Y',
            Answer::No => 'N',
            Answer::Unknown => 'U',
        }
    }
}

/// A full set of answers to one instrument, one per question, in the instrument's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers(Vec<Answer>);

impl Answers {
    /// Reads the extract's form: one character per question, `Y`, `N` or `U`. When the
    /// instrument is known, the number of answers must match its questions.
    pub fn parse(raw: &str, instrument: Option<&Instrument>) -> Result<Self, ValueError> {
        let mut answers = Vec::with_capacity(raw.len());
        for (i, c) in raw.chars().enumerate() {
            answers.push(match c {
                'Y' => Answer::Yes,
                'N' => Answer::No,
                'U' => Answer::Unknown,
                other => {
                    return Err(ValueError::new(format!(
                        "answer {} is '{other}'; each answer must be Y, N or U",
                        i + 1
                    )));
                }
            });
        }
        if let Some(inst) = instrument
            && answers.len() != inst.question_count()
        {
            return Err(ValueError::new(format!(
                "{} answers given; {} {} has {} questions",
                answers.len(),
                inst.name,
                inst.version,
                inst.question_count()
            )));
        }
        Ok(Answers(answers))
    }

    pub fn from_vec(answers: Vec<Answer>) -> Self {
        Answers(answers)
    }

    pub fn yes_count(&self) -> usize {
        self.0.iter().filter(|a| **a == Answer::Yes).count()
    }

    pub fn as_slice(&self) -> &[Answer] {
        &self.0
    }

    pub fn to_code(&self) -> String {
        self.0.iter().map(|a| a.as_char()).collect()
    }
}
