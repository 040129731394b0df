//! Vigil's vocabulary and rules.
//!
//! This crate owns the words of domestic abuse policing (incidents, offences, risk grades,
//! outcome codes, referrals, orders) as types that can only hold valid values, and the
//! rules (risk grading, routing, MARAC eligibility, outcome validation, deadlines) as pure
//! functions. It does no I/O and never reads the clock: "now" is always an argument, so every
//! rule can be tested at any instant.

mod error;
mod vocabulary;

pub mod access;
pub mod calendar;
pub mod case;
pub mod casework;
pub mod children;
pub mod cohort;
pub mod contact;
pub mod counting_rules;
pub mod dates;
pub mod deadlines;
pub mod disclosure;
pub mod dvds;
pub mod encompass;
pub mod ids;
pub mod idva;
pub mod marac;
pub mod marac_actions;
pub mod marac_meeting;
pub mod marac_record;
pub mod marac_return;
pub mod mash;
pub mod offence_codes;
pub mod offence_harm;
pub mod outcome;
pub mod protective;
pub mod records;
pub mod restriction;
pub mod risk;
pub mod routing;
pub mod safeguarding;
pub mod sharing;
pub mod suspects;
pub mod tasks;
pub mod text;
pub mod time;
pub mod visibility;

pub use error::ValueError;
pub use ids::{
    ArrestId, AssessmentId, DisclosureId, IncidentId, Lpa, OffenceId, OrderId, PersonId,
    RecordKind, ReferralId,
};
pub use outcome::{OutcomeCode, OutcomeGroups};
pub use records::*;
pub use risk::RiskGrade;
pub use time::{Date, DateTime};
