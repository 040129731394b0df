//! Who may do what: the roles of Vigil's users and the one permission table every part of
//! the application asks. Least privilege: a role has only the capabilities listed for it.

use crate::vocabulary::vocabulary;

vocabulary! {
    /// The roles users hold (one each).
    pub enum Role ("role") {
        CallHandler = "call_handler",
        ResponseOfficer = "response_officer",
        DaitInvestigator = "dait_investigator",
        DaitSergeant = "dait_sergeant",
        CruOfficer = "cru_officer",
        Analyst = "analyst",
        PartnerAgency = "partner_agency",
        Administrator = "administrator",
        /// Runs a MARAC area's meetings: plans them, builds agendas, records attendance,
        /// the discussion and actions, circulates the minutes and sends the SafeLives return.
        MaracCoordinator = "marac_coordinator",
        /// Chairs a MARAC area's meetings: reads the agenda and research, records each
        /// case's discussion and the risk after it, and approves the minutes.
        MaracChair = "marac_chair",
    }
}

vocabulary! {
    /// What a user can be allowed to do.
    pub enum Capability ("capability") {
        /// Record a new incident and its primary risk assessment.
        RecordIncident = "record_incident",
        /// Read incidents, cases and people (pseudonymised identity only).
        ReadCases = "read_cases",
        /// See names of victims and suspects.
        SeeNames = "see_names",
        /// See victims' addresses (never a confidential address: that needs `SeeRefuge`).
        SeeAddresses = "see_addresses",
        /// See a confidential (refuge or new) address.
        SeeRefuge = "see_refuge",
        /// Record offences, arrests and outcomes.
        RecordInvestigation = "record_investigation",
        /// Carry out the secondary risk assessment.
        SecondaryAssessment = "secondary_assessment",
        /// Allocate a team's cases to its officers.
        AllocateCases = "allocate_cases",
        /// Work the CRU queue: MARAC referrals, Clare's Law, safeguarding high-risk victims.
        Safeguard = "safeguard",
        /// Read what has been shared with the user's agency.
        ReadShared = "read_shared",
        /// The performance pack, dashboard and board report.
        ReadAnalytics = "read_analytics",
        /// Manage users and search the audit trail.
        Administer = "administer",
        /// Run MARAC meetings: plan them, record attendance, discussions and action plans,
        /// transfer cases, circulate minutes, send the SafeLives return.
        CoordinateMarac = "coordinate_marac",
        /// Chair MARAC meetings: record each case's discussion and the risk after it,
        /// approve the minutes.
        ChairMarac = "chair_marac",
    }
}

/// The work queues: open investigations by the team that holds them, and the CRU's
/// high-risk victims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Queue {
    Lpt,
    Dait,
    Cru,
    /// Cases recorded without a risk assessment: not routed until one is done.
    Awaiting,
}

impl Queue {
    pub fn slug(self) -> &'static str {
        match self {
            Queue::Lpt => "lpt",
            Queue::Dait => "dait",
            Queue::Cru => "cru",
            Queue::Awaiting => "awaiting-assessment",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Queue::Lpt => "Local Policing Team: open standard-risk investigations",
            Queue::Dait => "DAIT: open medium and high risk investigations",
            Queue::Cru => "CRU: high-risk victims to safeguard",
            Queue::Awaiting => "Awaiting assessment: incidents without a DASH",
        }
    }

    /// The queue's name in the navigation.
    pub fn short_name(self) -> &'static str {
        match self {
            Queue::Lpt => "LPT queue",
            Queue::Dait => "DAIT queue",
            Queue::Cru => "CRU queue",
            Queue::Awaiting => "Awaiting assessment",
        }
    }

    pub fn from_slug(s: &str) -> Option<Queue> {
        [Queue::Lpt, Queue::Dait, Queue::Cru, Queue::Awaiting]
            .into_iter()
            .find(|q| q.slug() == s)
    }
}

vocabulary! {
    /// A police officer's rank, lowest first (the order decides who may authorise what).
    pub enum Rank ("rank") {
        Constable = "constable",
        Sergeant = "sergeant",
        Inspector = "inspector",
        ChiefInspector = "chief_inspector",
        Superintendent = "superintendent",
        ChiefSuperintendent = "chief_superintendent",
        AssistantChiefConstable = "assistant_chief_constable",
        DeputyChiefConstable = "deputy_chief_constable",
        ChiefConstable = "chief_constable",
    }
}

/// The queues a role works.
pub fn queues(role: Role) -> &'static [Queue] {
    match role {
        Role::ResponseOfficer => &[Queue::Lpt, Queue::Awaiting],
        Role::DaitInvestigator => &[Queue::Dait],
        Role::DaitSergeant => &[Queue::Dait, Queue::Awaiting],
        Role::CruOfficer => &[Queue::Cru],
        _ => &[],
    }
}

/// The permission table.
pub fn allows(role: Role, capability: Capability) -> bool {
    use Capability as C;
    use Role as R;
    match role {
        R::CallHandler => matches!(capability, C::RecordIncident | C::ReadCases | C::SeeNames),
        R::ResponseOfficer => matches!(
            capability,
            C::RecordIncident
                | C::ReadCases
                | C::SeeNames
                | C::SeeAddresses
                | C::RecordInvestigation
        ),
        R::DaitInvestigator => matches!(
            capability,
            C::ReadCases | C::SeeNames | C::SeeAddresses | C::RecordInvestigation
        ),
        R::DaitSergeant => matches!(
            capability,
            C::ReadCases
                | C::SeeNames
                | C::SeeAddresses
                | C::RecordInvestigation
                | C::SecondaryAssessment
                | C::AllocateCases
        ),
        // The CRU administers MARAC where a force has no coordinator of its own.
        R::CruOfficer => matches!(
            capability,
            C::ReadCases
                | C::SeeNames
                | C::SeeAddresses
                | C::SeeRefuge
                | C::Safeguard
                | C::CoordinateMarac
        ),
        R::Analyst => matches!(capability, C::ReadAnalytics),
        R::PartnerAgency => matches!(capability, C::ReadShared),
        R::Administrator => matches!(capability, C::Administer | C::ReadAnalytics),
        // MARAC's own officers work from its agendas, research and minutes, never from
        // the force's case records.
        R::MaracCoordinator => matches!(capability, C::CoordinateMarac),
        R::MaracChair => matches!(capability, C::ChairMarac),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_privilege() {
        // Refuge locations: only the CRU.
        for r in Role::ALL {
            assert_eq!(
                allows(*r, Capability::SeeRefuge),
                *r == Role::CruOfficer,
                "{r}"
            );
        }
        // Partner agencies see only what is shared with them.
        for c in Capability::ALL {
            assert_eq!(
                allows(Role::PartnerAgency, *c),
                *c == Capability::ReadShared,
                "{c}"
            );
        }
        // Analysts work on pseudonymised measures, never names or addresses.
        assert!(!allows(Role::Analyst, Capability::SeeNames));
        assert!(!allows(Role::Administrator, Capability::ReadCases));
        // MARAC's coordinator and chair never read the force's records.
        for r in [Role::MaracCoordinator, Role::MaracChair] {
            assert!(!allows(r, Capability::ReadCases) && !allows(r, Capability::SeeAddresses));
        }
        assert!(allows(Role::DaitSergeant, Capability::SecondaryAssessment));
        assert!(!allows(
            Role::DaitInvestigator,
            Capability::SecondaryAssessment
        ));
        // Whoever may see a refuge address may see ordinary addresses too.
        for r in Role::ALL {
            if allows(*r, Capability::SeeRefuge) {
                assert!(allows(*r, Capability::SeeAddresses));
            }
        }
    }
}

/// A user's sign-in name: 3 to 64 characters of lower-case letters, digits, `.`, `-`, `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, crate::ValueError> {
        let ok = (3..=64).contains(&raw.len())
            && raw.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_')
            });
        if ok {
            Ok(Username(raw.to_owned()))
        } else {
            Err(crate::ValueError::new(format!(
                "'{raw}' is not a username; use 3 to 64 lower-case letters, digits, '.', '-' or '_'"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Username {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A partner-agency user belongs to exactly one agency; a police user to none.
pub fn check_agency(role: Role, agency: Option<crate::Agency>) -> Result<(), crate::ValueError> {
    match (role, agency) {
        (Role::PartnerAgency, None) => Err(crate::ValueError::new(
            "a partner-agency user needs an agency: choose the agency they work for",
        )),
        (Role::PartnerAgency, Some(crate::Agency::Police)) => Err(crate::ValueError::new(
            "a partner-agency user cannot belong to the police; give a partner agency",
        )),
        (Role::PartnerAgency, Some(_)) => Ok(()),
        (Role::MaracCoordinator | Role::MaracChair, Some(_)) => Err(crate::ValueError::new(
            format!("a {role} acts for the MARAC, not for one agency; leave the agency empty"),
        )),
        (_, Some(a)) => Err(crate::ValueError::new(format!(
            "only partner-agency users belong to an agency; a {role} is police staff, not {a}"
        ))),
        (_, None) => Ok(()),
    }
}
