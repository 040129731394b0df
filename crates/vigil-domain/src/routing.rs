//! Who owns a DA case once the primary risk grade is known.
//!
//! Standard risk stays with the Local Policing Team; medium and high risk go to the
//! Domestic Abuse Investigation Team, or to CID when DAIT is at capacity; high risk also
//! goes to the Central Referral Unit, which safeguards high-risk victims.

use crate::records::InvestigatingTeam;
use crate::risk::RiskGrade;

/// A team's open caseload against what it can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeamLoad {
    pub open_cases: u32,
    pub capacity: u32,
}

impl TeamLoad {
    pub fn at_capacity(&self) -> bool {
        self.open_cases >= self.capacity
    }
}

/// Who safeguards the victim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Safeguarding {
    Lpt,
    Dait,
    Cru,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Routing {
    pub investigation: InvestigatingTeam,
    pub safeguarding: Safeguarding,
    /// The case goes to the CRU's queue (high risk).
    pub to_cru: bool,
    /// A DAIT sergeant must carry out the secondary risk assessment.
    pub secondary_assessment_due: bool,
}

pub fn route(grade: RiskGrade, dait: TeamLoad) -> Routing {
    let specialist = || {
        if dait.at_capacity() {
            InvestigatingTeam::Cid
        } else {
            InvestigatingTeam::Dait
        }
    };
    match grade {
        RiskGrade::Standard => Routing {
            investigation: InvestigatingTeam::Lpt,
            safeguarding: Safeguarding::Lpt,
            to_cru: false,
            secondary_assessment_due: false,
        },
        RiskGrade::Medium => Routing {
            investigation: specialist(),
            safeguarding: Safeguarding::Dait,
            to_cru: false,
            secondary_assessment_due: true,
        },
        RiskGrade::High => Routing {
            investigation: specialist(),
            safeguarding: Safeguarding::Cru,
            to_cru: true,
            secondary_assessment_due: true,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn routing_rules_hold(g in prop::sample::select(RiskGrade::ALL.to_vec()), open in 0u32..200, cap in 0u32..200) {
            let load = TeamLoad { open_cases: open, capacity: cap };
            let r = route(g, load);
            match g {
                RiskGrade::Standard => prop_assert_eq!(r.investigation, InvestigatingTeam::Lpt),
                _ if load.at_capacity() => prop_assert_eq!(r.investigation, InvestigatingTeam::Cid),
                _ => prop_assert_eq!(r.investigation, InvestigatingTeam::Dait),
            }
            prop_assert_eq!(r.to_cru, g == RiskGrade::High);
            prop_assert_eq!(r.secondary_assessment_due, g != RiskGrade::Standard);
        }
    }
}
