//! The records Vigil keeps, one struct per kind, with the closed vocabularies they use.
//!
//! Every field is already valid: records are built from parsed values (ids, dates, words),
//! so code that receives an `Incident` never re-checks it. Cross-record rules (an offence's
//! incident exists, an outcome is not before recording) live with the code that sees both
//! records: the extract validator and the store.

use crate::ids::*;
use crate::outcome::OutcomeCode;
use crate::risk::{AssessmentStage, InstrumentKind, RiskGrade};
use crate::time::{Date, DateTime};
use crate::vocabulary::vocabulary;

vocabulary! {
    pub enum Sex ("sex") {
        Female = "female",
        Male = "male",
        Other = "other",
        Unknown = "unknown",
    }
}

vocabulary! {
    /// ONS top-level ethnic groups.
    pub enum Ethnicity ("ethnicity") {
        White = "white",
        Mixed = "mixed",
        Asian = "asian",
        Black = "black",
        Other = "other",
        NotStated = "not_stated",
    }
}

vocabulary! {
    /// How urgently the call was graded by the control room.
    pub enum CallGrade ("call grade") {
        Emergency = "emergency",
        Priority = "priority",
        Scheduled = "scheduled",
        Other = "other",
    }
}

vocabulary! {
    /// The suspect's relation to the victim.
    pub enum Relationship ("relationship") {
        Partner = "partner",
        ExPartner = "ex_partner",
        Parent = "parent",
        Child = "child",
        Sibling = "sibling",
        OtherFamily = "other_family",
    }
}

impl Relationship {
    /// Intimate partner abuse, as opposed to abuse within the family.
    pub fn is_partner(self) -> bool {
        matches!(self, Relationship::Partner | Relationship::ExPartner)
    }
}

vocabulary! {
    pub enum OffenceGroup ("offence group") {
        ViolenceWithInjury = "violence_with_injury",
        ViolenceWithoutInjury = "violence_without_injury",
        StalkingHarassment = "stalking_harassment",
        CoerciveControl = "coercive_control",
        Sexual = "sexual",
        CriminalDamage = "criminal_damage",
        PublicOrder = "public_order",
        Other = "other",
    }
}

vocabulary! {
    /// The team investigating a crime.
    pub enum InvestigatingTeam ("investigating team") {
        Lpt = "lpt",
        Dait = "dait",
        Cid = "cid",
        Other = "other",
    }
}

vocabulary! {
    pub enum ArrestDisposal ("arrest disposal") {
        Charge = "charge",
        Caution = "caution",
        ReleasedUnderInvestigation = "released_under_investigation",
        Bail = "bail",
        NoFurtherAction = "no_further_action",
        Other = "other",
    }
}

impl ArrestDisposal {
    /// A charge or a caution: the positive disposals of the body-worn video measure.
    pub fn is_positive(self) -> bool {
        matches!(self, ArrestDisposal::Charge | ArrestDisposal::Caution)
    }
}

vocabulary! {
    pub enum ReferralKind ("referral kind") {
        Marac = "marac",
        Idva = "idva",
        Mash = "mash",
        Encompass = "encompass",
        Other = "other",
    }
}

vocabulary! {
    /// The agency that made a referral.
    pub enum Agency ("agency") {
        Police = "police",
        Health = "health",
        Idva = "idva",
        Housing = "housing",
        ChildrensServices = "childrens_services",
        AdultServices = "adult_services",
        Probation = "probation",
        Education = "education",
        Voluntary = "voluntary",
        Other = "other",
    }
}

vocabulary! {
    /// Clare's Law routes: the applicant asks, or the police decide the person should know.
    pub enum DisclosureRoute ("disclosure route") {
        RightToAsk = "right_to_ask",
        RightToKnow = "right_to_know",
    }
}

vocabulary! {
    pub enum DisclosureDecision ("disclosure decision") {
        Disclose = "disclose",
        NoDisclosure = "no_disclosure",
        Withdrawn = "withdrawn",
    }
}

vocabulary! {
    /// Protective notices and orders: the 2014 DVPN/DVPO and the 2021 Act's DAPN/DAPO.
    pub enum OrderKind ("protection order kind") {
        Dvpn = "dvpn",
        Dvpo = "dvpo",
        Dapn = "dapn",
        Dapo = "dapo",
    }
}

vocabulary! {
    /// Teams that staffing records are kept for.
    pub enum StaffTeam ("team") {
        Lpt = "lpt",
        Dait = "dait",
        Cru = "cru",
        Mash = "mash",
        Other = "other",
    }
}

vocabulary! {
    pub enum Rank ("rank") {
        Inspector = "inspector",
        Sergeant = "sergeant",
        Constable = "constable",
        Staff = "staff",
    }
}

/// What a records-system extract carries about who a person is. Optional as a whole and
/// field by field; the address is the most dangerous datum Vigil holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    pub family_name: Option<String>,
    pub given_names: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
}

/// A victim, suspect or child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: PersonId,
    pub sex: Sex,
    pub birth_date: Option<Date>,
    pub ethnicity: Ethnicity,
    pub lpa: Option<Lpa>,
    pub identity: Identity,
    /// A refuge or new address that must never reach the other party.
    pub address_confidential: bool,
}

/// A DA incident reported to the police, crime or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    pub id: IncidentId,
    pub reported_at: DateTime,
    pub lpa: Lpa,
    pub call_grade: CallGrade,
    pub arrived_at: Option<DateTime>,
    pub response_target_met: Option<bool>,
    pub victim_id: PersonId,
    pub suspect_id: Option<PersonId>,
    pub relationship: Relationship,
    pub children_present: bool,
    pub risk_level: Option<RiskGrade>,
    pub dash_yes_count: Option<u8>,
}

/// A recorded crime flagged as domestic abuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offence {
    pub id: OffenceId,
    pub incident_id: IncidentId,
    pub ho_code: Option<String>,
    pub offence_group: OffenceGroup,
    pub offence_date: Date,
    pub recorded_date: Date,
    pub victim_id: PersonId,
    pub suspect_id: Option<PersonId>,
    pub risk_level: Option<RiskGrade>,
    pub team: InvestigatingTeam,
    pub outcome: Option<Outcome>,
    pub bwv_captured: bool,
}

/// A finalised crime: the code and the date it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub code: OutcomeCode,
    pub date: Date,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrest {
    pub id: ArrestId,
    pub person_id: PersonId,
    pub incident_id: Option<IncidentId>,
    pub offence_id: Option<OffenceId>,
    pub arrested_at: DateTime,
    pub bwv_shown_in_interview: Option<bool>,
    pub disposal: Option<ArrestDisposal>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskAssessment {
    pub id: AssessmentId,
    pub incident_id: IncidentId,
    pub stage: AssessmentStage,
    pub instrument: InstrumentKind,
    pub assessed_at: DateTime,
    /// One character per question, `Y`, `N` or `U`, in the instrument's order.
    pub answers: String,
    pub yes_count: u8,
    pub grade: RiskGrade,
    pub judgement_raised: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral {
    pub id: ReferralId,
    pub kind: ReferralKind,
    pub person_id: PersonId,
    pub incident_id: Option<IncidentId>,
    pub referred_at: DateTime,
    pub agency: Agency,
    pub consent: Option<bool>,
}

/// A Clare's Law (DVDS) case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    pub id: DisclosureId,
    pub route: DisclosureRoute,
    pub subject_id: PersonId,
    pub at_risk_id: PersonId,
    pub received_at: DateTime,
    pub decided_at: Option<DateTime>,
    pub decision: Option<DisclosureDecision>,
    pub disclosed_at: Option<DateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectionOrder {
    pub id: OrderId,
    pub kind: OrderKind,
    pub subject_id: PersonId,
    pub protected_id: PersonId,
    pub incident_id: Option<IncidentId>,
    pub issued_at: DateTime,
    pub expires_at: Option<DateTime>,
    pub breached_at: Option<DateTime>,
}

/// Establishment, strength and deployable officers of one team and rank on a date.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffingRecord {
    pub as_of: Date,
    pub team: StaffTeam,
    pub lpa: Option<Lpa>,
    pub rank: Rank,
    pub establishment_fte: f64,
    pub strength_fte: f64,
    pub deployable_fte: f64,
}

impl StaffingRecord {
    /// Posts not filled, in full-time equivalents (negative when over establishment).
    pub fn vacancies_fte(&self) -> f64 {
        self.establishment_fte - self.strength_fte
    }
}

/// A set of records of every kind, table by table, in the order they were read or
/// stored: what an import brings in and what an export takes out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordSet {
    pub persons: Vec<Person>,
    pub incidents: Vec<Incident>,
    pub offences: Vec<Offence>,
    pub arrests: Vec<Arrest>,
    pub risk_assessments: Vec<RiskAssessment>,
    pub referrals: Vec<Referral>,
    pub disclosures: Vec<Disclosure>,
    pub protection_orders: Vec<ProtectionOrder>,
    pub staffing: Vec<StaffingRecord>,
}

impl RecordSet {
    /// Row counts in the order of the extract's tables (DATA.md).
    pub fn row_counts(&self) -> [usize; 9] {
        [
            self.persons.len(),
            self.incidents.len(),
            self.offences.len(),
            self.arrests.len(),
            self.risk_assessments.len(),
            self.referrals.len(),
            self.disclosures.len(),
            self.protection_orders.len(),
            self.staffing.len(),
        ]
    }

    pub fn total_rows(&self) -> usize {
        self.row_counts().iter().sum()
    }

    /// Moves every record of `other` to the end of this set, table by table.
    pub fn append(&mut self, other: RecordSet) {
        self.persons.extend(other.persons);
        self.incidents.extend(other.incidents);
        self.offences.extend(other.offences);
        self.arrests.extend(other.arrests);
        self.risk_assessments.extend(other.risk_assessments);
        self.referrals.extend(other.referrals);
        self.disclosures.extend(other.disclosures);
        self.protection_orders.extend(other.protection_orders);
        self.staffing.extend(other.staffing);
    }
}
