//! The one mapping between domain records and table rows, for every backend.
//!
//! Each backend stores the records of the extract format in tables of the same names and
//! columns (in the extract's column order). How a value is written or read differs — SQLite
//! keeps dates as text and booleans as 0/1, PostgreSQL has `date`, `timestamp` and
//! `boolean` — so a backend supplies the primitive values ([`Values`], [`Cells`]) and this
//! module decides which field goes in which column and re-parses every value through the
//! domain's constructors. A column added to a record is added here once, not per backend.

use crate::{StoreError, StoreResult};
use vigil_domain::risk::{AssessmentStage, InstrumentKind, RiskGrade};
use vigil_domain::time::{Date, DateTime};
use vigil_domain::*;

/// The record tables, in the order an extract lists them and an import fills them
/// (referenced tables first).
pub const TABLE_NAMES: [&str; 9] = [
    "persons",
    "incidents",
    "offences",
    "arrests",
    "risk_assessments",
    "referrals",
    "disclosures",
    "protection_orders",
    "staffing",
];

/// Each table's columns in the extract's order; shared by insert, copy and select.
pub mod columns {
    pub const PERSONS: &[&str] = &[
        "person_id",
        "sex",
        "birth_date",
        "ethnicity",
        "lpa",
        "family_name",
        "given_names",
        "address",
        "postcode",
        "address_confidential",
    ];
    pub const INCIDENTS: &[&str] = &[
        "incident_id",
        "reported_at",
        "lpa",
        "call_grade",
        "arrived_at",
        "response_target_met",
        "victim_id",
        "suspect_id",
        "relationship",
        "children_present",
        "risk_level",
        "dash_yes_count",
    ];
    pub const OFFENCES: &[&str] = &[
        "offence_id",
        "incident_id",
        "ho_code",
        "offence_group",
        "offence_date",
        "recorded_date",
        "victim_id",
        "suspect_id",
        "risk_level",
        "team",
        "outcome_code",
        "outcome_date",
        "bwv_captured",
    ];
    pub const ARRESTS: &[&str] = &[
        "arrest_id",
        "person_id",
        "incident_id",
        "offence_id",
        "arrested_at",
        "bwv_shown_in_interview",
        "disposal",
    ];
    pub const RISK_ASSESSMENTS: &[&str] = &[
        "assessment_id",
        "incident_id",
        "stage",
        "instrument",
        "assessed_at",
        "answers",
        "yes_count",
        "grade",
        "judgement_raised",
    ];
    pub const REFERRALS: &[&str] = &[
        "referral_id",
        "kind",
        "person_id",
        "incident_id",
        "referred_at",
        "agency",
        "consent",
    ];
    pub const DISCLOSURES: &[&str] = &[
        "disclosure_id",
        "route",
        "subject_id",
        "at_risk_id",
        "received_at",
        "decided_at",
        "decision",
        "disclosed_at",
    ];
    pub const PROTECTION_ORDERS: &[&str] = &[
        "order_id",
        "kind",
        "subject_id",
        "protected_id",
        "incident_id",
        "issued_at",
        "expires_at",
        "breached_at",
    ];
    pub const STAFFING: &[&str] = &[
        "as_of",
        "team",
        "lpa",
        "rank",
        "establishment_fte",
        "strength_fte",
        "deployable_fte",
    ];
}

/// A row being written, one value at a time in column order: a bound statement, a line of
/// `COPY` data.
pub trait Values {
    fn text(&mut self, s: &str);
    fn null(&mut self);
    fn int(&mut self, v: i64);
    fn real(&mut self, v: f64);
    fn bool(&mut self, v: bool);
    fn date(&mut self, d: Date);
    fn datetime(&mut self, t: DateTime);

    fn opt_text(&mut self, v: Option<&str>) {
        match v {
            Some(s) => self.text(s),
            None => self.null(),
        }
    }
    fn opt_bool(&mut self, v: Option<bool>) {
        match v {
            Some(b) => self.bool(b),
            None => self.null(),
        }
    }
    fn opt_int(&mut self, v: Option<i64>) {
        match v {
            Some(n) => self.int(n),
            None => self.null(),
        }
    }
    fn opt_date(&mut self, v: Option<Date>) {
        match v {
            Some(d) => self.date(d),
            None => self.null(),
        }
    }
    fn opt_datetime(&mut self, v: Option<DateTime>) {
        match v {
            Some(t) => self.datetime(t),
            None => self.null(),
        }
    }
}

fn pid(v: &Option<PersonId>) -> Option<&str> {
    v.as_ref().map(PersonId::as_str)
}

pub fn person_values<V: Values>(b: &mut V, p: &Person) {
    b.text(p.id.as_str());
    b.text(p.sex.as_str());
    b.opt_date(p.birth_date);
    b.text(p.ethnicity.as_str());
    b.opt_text(p.lpa.as_ref().map(Lpa::as_str));
    b.opt_text(p.identity.family_name.as_deref());
    b.opt_text(p.identity.given_names.as_deref());
    b.opt_text(p.identity.address.as_deref());
    b.opt_text(p.identity.postcode.as_deref());
    b.bool(p.address_confidential);
}

pub fn incident_values<V: Values>(b: &mut V, i: &Incident) {
    b.text(i.id.as_str());
    b.datetime(i.reported_at);
    b.text(i.lpa.as_str());
    b.text(i.call_grade.as_str());
    b.opt_datetime(i.arrived_at);
    b.opt_bool(i.response_target_met);
    b.text(i.victim_id.as_str());
    b.opt_text(pid(&i.suspect_id));
    b.text(i.relationship.as_str());
    b.bool(i.children_present);
    b.opt_text(i.risk_level.map(|r| r.as_str()));
    b.opt_int(i.dash_yes_count.map(i64::from));
}

pub fn offence_values<V: Values>(b: &mut V, o: &Offence) {
    b.text(o.id.as_str());
    b.text(o.incident_id.as_str());
    b.opt_text(o.ho_code.as_deref());
    b.text(o.offence_group.as_str());
    b.date(o.offence_date);
    b.date(o.recorded_date);
    b.text(o.victim_id.as_str());
    b.opt_text(pid(&o.suspect_id));
    b.opt_text(o.risk_level.map(|r| r.as_str()));
    b.text(o.team.as_str());
    b.opt_text(o.outcome.map(|x| x.code.as_str()));
    b.opt_date(o.outcome.map(|x| x.date));
    b.bool(o.bwv_captured);
}

pub fn arrest_values<V: Values>(b: &mut V, r: &Arrest) {
    b.text(r.id.as_str());
    b.text(r.person_id.as_str());
    b.opt_text(r.incident_id.as_ref().map(IncidentId::as_str));
    b.opt_text(r.offence_id.as_ref().map(OffenceId::as_str));
    b.datetime(r.arrested_at);
    b.opt_bool(r.bwv_shown_in_interview);
    b.opt_text(r.disposal.map(|d| d.as_str()));
}

pub fn assessment_values<V: Values>(b: &mut V, r: &RiskAssessment) {
    b.text(r.id.as_str());
    b.text(r.incident_id.as_str());
    b.text(r.stage.as_str());
    b.text(r.instrument.as_str());
    b.datetime(r.assessed_at);
    b.text(&r.answers);
    b.int(i64::from(r.yes_count));
    b.text(r.grade.as_str());
    b.bool(r.judgement_raised);
}

pub fn referral_values<V: Values>(b: &mut V, r: &Referral) {
    b.text(r.id.as_str());
    b.text(r.kind.as_str());
    b.text(r.person_id.as_str());
    b.opt_text(r.incident_id.as_ref().map(IncidentId::as_str));
    b.datetime(r.referred_at);
    b.text(r.agency.as_str());
    b.opt_bool(r.consent);
}

pub fn disclosure_values<V: Values>(b: &mut V, d: &Disclosure) {
    b.text(d.id.as_str());
    b.text(d.route.as_str());
    b.text(d.subject_id.as_str());
    b.text(d.at_risk_id.as_str());
    b.datetime(d.received_at);
    b.opt_datetime(d.decided_at);
    b.opt_text(d.decision.map(|x| x.as_str()));
    b.opt_datetime(d.disclosed_at);
}

pub fn order_values<V: Values>(b: &mut V, o: &ProtectionOrder) {
    b.text(o.id.as_str());
    b.text(o.kind.as_str());
    b.text(o.subject_id.as_str());
    b.text(o.protected_id.as_str());
    b.opt_text(o.incident_id.as_ref().map(IncidentId::as_str));
    b.datetime(o.issued_at);
    b.opt_datetime(o.expires_at);
    b.opt_datetime(o.breached_at);
}

pub fn staffing_values<V: Values>(b: &mut V, r: &StaffingRecord) {
    b.date(r.as_of);
    b.text(r.team.as_str());
    b.opt_text(r.lpa.as_ref().map(Lpa::as_str));
    b.text(r.rank.as_str());
    b.real(r.establishment_fte);
    b.real(r.strength_fte);
    b.real(r.deployable_fte);
}

/// Hands every table of a record set, referenced tables first, to `table`: its name, its
/// columns, its row count and a writer of row `i`'s values. A backend's bulk writer (SQLite's
/// prepared statements, PostgreSQL's `COPY`) is written once against this.
pub trait TableWriter {
    fn table<R>(
        &mut self,
        name: &'static str,
        columns: &'static [&'static str],
        rows: &[R],
        values: fn(&mut Self::Row, &R),
    ) -> StoreResult<()>;
    type Row: Values;
}

/// Writes every table of `r` through `w`, referenced tables first.
pub fn write_all<W: TableWriter>(w: &mut W, r: &RecordSet) -> StoreResult<()> {
    use columns as c;
    w.table("persons", c::PERSONS, &r.persons, person_values)?;
    w.table("incidents", c::INCIDENTS, &r.incidents, incident_values)?;
    w.table("offences", c::OFFENCES, &r.offences, offence_values)?;
    w.table("arrests", c::ARRESTS, &r.arrests, arrest_values)?;
    w.table(
        "risk_assessments",
        c::RISK_ASSESSMENTS,
        &r.risk_assessments,
        assessment_values,
    )?;
    w.table("referrals", c::REFERRALS, &r.referrals, referral_values)?;
    w.table(
        "disclosures",
        c::DISCLOSURES,
        &r.disclosures,
        disclosure_values,
    )?;
    w.table(
        "protection_orders",
        c::PROTECTION_ORDERS,
        &r.protection_orders,
        order_values,
    )?;
    w.table("staffing", c::STAFFING, &r.staffing, staffing_values)?;
    Ok(())
}

/// A stored row being read, one column at a time in select order. A backend reads its own
/// column types; the domain's parsers then decide whether the value is valid.
pub trait Cells {
    /// The table being read, for messages.
    fn table(&self) -> &'static str;
    /// The 1-based number of the column read last, for messages.
    fn column(&self) -> usize;
    fn opt_string(&mut self) -> StoreResult<Option<String>>;
    fn opt_int(&mut self) -> StoreResult<Option<i64>>;
    fn opt_real(&mut self) -> StoreResult<Option<f64>>;
    fn opt_bool(&mut self) -> StoreResult<Option<bool>>;
    fn opt_date(&mut self) -> StoreResult<Option<Date>>;
    fn opt_datetime(&mut self) -> StoreResult<Option<DateTime>>;

    fn bad(&self, e: impl std::fmt::Display) -> StoreError
    where
        Self: Sized,
    {
        StoreError::Schema(format!(
            "stored {} column {} holds an unreadable value: {e}",
            self.table(),
            self.column()
        ))
    }

    fn opt<T>(&mut self, parse: fn(&str) -> Result<T, ValueError>) -> StoreResult<Option<T>>
    where
        Self: Sized,
    {
        match self.opt_string()? {
            None => Ok(None),
            Some(v) => parse(&v).map(Some).map_err(|e| self.bad(e)),
        }
    }

    fn req<T>(&mut self, parse: fn(&str) -> Result<T, ValueError>) -> StoreResult<T>
    where
        Self: Sized,
    {
        let v = self.opt(parse)?;
        v.ok_or_else(|| self.bad("empty where a value is required"))
    }

    fn bool(&mut self) -> StoreResult<bool>
    where
        Self: Sized,
    {
        let v = self.opt_bool()?;
        v.ok_or_else(|| self.bad("empty where a value is required"))
    }

    fn real(&mut self) -> StoreResult<f64>
    where
        Self: Sized,
    {
        let v = self.opt_real()?;
        v.ok_or_else(|| self.bad("empty where a value is required"))
    }

    fn date(&mut self) -> StoreResult<Date>
    where
        Self: Sized,
    {
        let v = self.opt_date()?;
        v.ok_or_else(|| self.bad("empty where a value is required"))
    }

    fn datetime(&mut self) -> StoreResult<DateTime>
    where
        Self: Sized,
    {
        let v = self.opt_datetime()?;
        v.ok_or_else(|| self.bad("empty where a value is required"))
    }
}

fn small_count(n: Option<i64>) -> Option<u8> {
    n.and_then(|n| u8::try_from(n).ok())
}

pub fn person<C: Cells>(c: &mut C) -> StoreResult<Person> {
    Ok(Person {
        id: c.req(PersonId::parse)?,
        sex: c.req(Sex::parse)?,
        birth_date: c.opt_date()?,
        ethnicity: c.req(Ethnicity::parse)?,
        lpa: c.opt(Lpa::parse)?,
        identity: Identity {
            family_name: c.opt_string()?,
            given_names: c.opt_string()?,
            address: c.opt_string()?,
            postcode: c.opt_string()?,
        },
        address_confidential: c.bool()?,
    })
}

pub fn incident<C: Cells>(c: &mut C) -> StoreResult<Incident> {
    Ok(Incident {
        id: c.req(IncidentId::parse)?,
        reported_at: c.datetime()?,
        lpa: c.req(Lpa::parse)?,
        call_grade: c.req(CallGrade::parse)?,
        arrived_at: c.opt_datetime()?,
        response_target_met: c.opt_bool()?,
        victim_id: c.req(PersonId::parse)?,
        suspect_id: c.opt(PersonId::parse)?,
        relationship: c.req(Relationship::parse)?,
        children_present: c.bool()?,
        risk_level: c.opt(RiskGrade::parse)?,
        dash_yes_count: small_count(c.opt_int()?),
    })
}

pub fn offence<C: Cells>(c: &mut C) -> StoreResult<Offence> {
    let id = c.req(OffenceId::parse)?;
    let incident_id = c.req(IncidentId::parse)?;
    let ho_code = c.opt_string()?;
    let offence_group = c.req(OffenceGroup::parse)?;
    let offence_date = c.date()?;
    let recorded_date = c.date()?;
    let victim_id = c.req(PersonId::parse)?;
    let suspect_id = c.opt(PersonId::parse)?;
    let risk_level = c.opt(RiskGrade::parse)?;
    let team = c.req(InvestigatingTeam::parse)?;
    let code = c.opt(OutcomeCode::parse)?;
    let date = c.opt_date()?;
    let bwv_captured = c.bool()?;
    Ok(Offence {
        id,
        incident_id,
        ho_code,
        offence_group,
        offence_date,
        recorded_date,
        victim_id,
        suspect_id,
        risk_level,
        team,
        outcome: code.zip(date).map(|(code, date)| Outcome { code, date }),
        bwv_captured,
    })
}

pub fn arrest<C: Cells>(c: &mut C) -> StoreResult<Arrest> {
    Ok(Arrest {
        id: c.req(ArrestId::parse)?,
        person_id: c.req(PersonId::parse)?,
        incident_id: c.opt(IncidentId::parse)?,
        offence_id: c.opt(OffenceId::parse)?,
        arrested_at: c.datetime()?,
        bwv_shown_in_interview: c.opt_bool()?,
        disposal: c.opt(ArrestDisposal::parse)?,
    })
}

pub fn assessment<C: Cells>(c: &mut C) -> StoreResult<RiskAssessment> {
    Ok(RiskAssessment {
        id: c.req(AssessmentId::parse)?,
        incident_id: c.req(IncidentId::parse)?,
        stage: c.req(AssessmentStage::parse)?,
        instrument: c.req(InstrumentKind::parse)?,
        assessed_at: c.datetime()?,
        answers: c.opt_string()?.unwrap_or_default(),
        yes_count: small_count(c.opt_int()?).unwrap_or(0),
        grade: c.req(RiskGrade::parse)?,
        judgement_raised: c.bool()?,
    })
}

pub fn referral<C: Cells>(c: &mut C) -> StoreResult<Referral> {
    Ok(Referral {
        id: c.req(ReferralId::parse)?,
        kind: c.req(ReferralKind::parse)?,
        person_id: c.req(PersonId::parse)?,
        incident_id: c.opt(IncidentId::parse)?,
        referred_at: c.datetime()?,
        agency: c.req(Agency::parse)?,
        consent: c.opt_bool()?,
    })
}

pub fn disclosure<C: Cells>(c: &mut C) -> StoreResult<Disclosure> {
    Ok(Disclosure {
        id: c.req(DisclosureId::parse)?,
        route: c.req(DisclosureRoute::parse)?,
        subject_id: c.req(PersonId::parse)?,
        at_risk_id: c.req(PersonId::parse)?,
        received_at: c.datetime()?,
        decided_at: c.opt_datetime()?,
        decision: c.opt(DisclosureDecision::parse)?,
        disclosed_at: c.opt_datetime()?,
    })
}

pub fn order<C: Cells>(c: &mut C) -> StoreResult<ProtectionOrder> {
    Ok(ProtectionOrder {
        id: c.req(OrderId::parse)?,
        kind: c.req(OrderKind::parse)?,
        subject_id: c.req(PersonId::parse)?,
        protected_id: c.req(PersonId::parse)?,
        incident_id: c.opt(IncidentId::parse)?,
        issued_at: c.datetime()?,
        expires_at: c.opt_datetime()?,
        breached_at: c.opt_datetime()?,
    })
}

pub fn staffing<C: Cells>(c: &mut C) -> StoreResult<StaffingRecord> {
    Ok(StaffingRecord {
        as_of: c.date()?,
        team: c.req(StaffTeam::parse)?,
        lpa: c.opt(Lpa::parse)?,
        rank: c.req(Rank::parse)?,
        establishment_fte: c.real()?,
        strength_fte: c.real()?,
        deployable_fte: c.real()?,
    })
}

/// A referral with what a partner agency sees beside it: the referral's columns, then
/// family name, given names, date of birth, the incident's risk and children present.
pub fn shared_referral<C: Cells>(c: &mut C) -> StoreResult<crate::SharedReferral> {
    Ok(crate::SharedReferral {
        referral: referral(c)?,
        family_name: c.opt_string()?,
        given_names: c.opt_string()?,
        birth_date: c.opt_date()?,
        risk: c.opt(RiskGrade::parse)?,
        children_present: c.opt_bool()?,
        lpa: c.opt(Lpa::parse)?,
    })
}

/// The SELECT list after a referral's columns for [`shared_referral`].
pub const SHARED_EXTRA: &str = "p.family_name, p.given_names, p.birth_date, i.risk_level, i.children_present, COALESCE(i.lpa, p.lpa)";

/// The columns of the casework tables (not part of the extract: they are Vigil's own).
pub mod casework_columns {
    pub const CASE_STATE: &[&str] = &[
        "incident_id",
        "lpa",
        "grade",
        "team",
        "status",
        "status_reason",
        "allocated_to",
        "recorded_by",
        "routed_at",
        "opened_at",
    ];
    pub const CASE_EVENTS: &[&str] = &[
        "incident_id",
        "at",
        "actor",
        "kind",
        "subject",
        "value",
        "detail",
        "text",
    ];
    pub const INCIDENT_CHILDREN: &[&str] = &["incident_id", "person_id", "school"];
    pub const AUDIT_LOG: &[&str] = &[
        "seq",
        "at",
        "actor",
        "action",
        "subject_kind",
        "subject_id",
        "reason",
        "prev_hash",
        "hash",
    ];
    pub const CONTACT_PREFERENCES: &[&str] = &[
        "person_id",
        "method",
        "safe_number",
        "safe_times",
        "avoid",
        "recorded_at",
        "recorded_by",
    ];
    pub const IDVA_CASES: &[&str] = &[
        "referral_id",
        "person_id",
        "referred_at",
        "accepted_by",
        "accepted_at",
        "declined_at",
        "declined_by",
        "decline_reason",
        "first_contact_at",
        "engagement",
        "closed_at",
        "close_reason",
    ];
    pub const MASH_CASES: &[&str] = &[
        "referral_id",
        "person_id",
        "incident_id",
        "lpa",
        "referred_at",
        "referred_by",
        "about",
        "children",
        "concern",
        "research",
        "research_by",
        "research_at",
        "decision",
        "rationale",
        "decided_by",
        "decided_at",
        "outcome_read_at",
    ];
    pub const DVDS_APPLICATIONS: &[&str] = &[
        "disclosure_id",
        "route",
        "subject_id",
        "at_risk_id",
        "applicant",
        "applicant_name",
        "lpa",
        "incident_id",
        "evidence",
        "received_at",
        "received_by",
        "contact_at",
        "contact_by",
        "immediate_risk",
        "contact_notes",
        "meeting_at",
        "meeting_by",
        "identity_verified",
        "meeting_notes",
        "checks_at",
        "checks_by",
        "checks_police",
        "checks_partners",
        "panel_at",
        "panel_by",
        "pressing_need",
        "lawful_necessary_proportionate",
        "rationale",
        "outcome_at",
        "outcome_by",
        "disclosed",
        "to_whom",
        "said",
        "safety_plan",
        "declined_at",
        "declined_by",
        "decline_reason",
    ];
    pub const PROTECTIVE_NOTICES: &[&str] = &[
        "order_id",
        "kind",
        "subject_id",
        "protected_id",
        "incident_id",
        "lpa",
        "applied_by",
        "applied_at",
        "grounds",
        "children_welfare",
        "victim_view",
        "representations",
        "other_occupants",
        "conditions",
        "address_for_service",
        "authorised_at",
        "authorised_by",
        "authoriser_rank",
        "served_at",
        "served_by",
        "adjourned_to",
        "decided_at",
        "decision",
        "decision_notes",
        "granted_order_id",
        "made_at",
        "expires_at",
        "order_conditions",
        "requirements",
        "monitoring_months",
        "notified_at",
    ];
    pub const COHORT_RUNS: &[&str] = &[
        "run_id",
        "kind",
        "lpa",
        "as_of",
        "run_at",
        "run_by",
        "configuration",
    ];
    pub const COHORT_MEMBERS: &[&str] = &[
        "run_id",
        "person_id",
        "rank",
        "movement",
        "previous_rank",
        "score",
        "r",
        "f",
        "g",
        "v",
        "incidents",
        "victims",
        "last_incident",
        "serial",
        "reasons",
    ];
    pub const COHORT_ALLOCATIONS: &[&str] = &[
        "allocation_key",
        "kind",
        "lpa",
        "person_id",
        "owner",
        "plan",
        "allocated_at",
        "allocated_by",
        "next_review",
        "closed_at",
        "closed_by",
        "closed_reason",
    ];
    pub const COHORT_ACTIONS: &[&str] = &[
        "allocation_key",
        "seq",
        "at",
        "by_user",
        "kind",
        "text",
        "outcome",
    ];
    pub const PROTECTIVE_EVENTS: &[&str] = &[
        "order_id",
        "seq",
        "at",
        "kind",
        "recorded_by",
        "of_kind",
        "text",
        "incident_id",
    ];
    pub const MARAC_RESEARCH: &[&str] = &[
        "meeting_id",
        "referral_id",
        "agency",
        "text",
        "recorded_by",
        "recorded_at",
    ];
    pub const MARAC_FORMS: &[&str] = &[
        "referral_id",
        "person_id",
        "referred_at",
        "agency",
        "referrer",
        "referrer_name",
        "referrer_phone",
        "perpetrator_id",
        "perpetrator_name",
        "children_in_household",
        "dash_score",
        "grounds",
        "judgement_reason",
        "victim_wishes",
        "consent_sought",
        "consent",
        "disability",
        "sexuality",
        "transgender",
        "transferred_from",
    ];
    pub const MARAC_ATTENDANCE: &[&str] = &[
        "meeting_id",
        "agency",
        "attendees",
        "recorded_by",
        "recorded_at",
    ];
    pub const MARAC_DISCUSSIONS: &[&str] = &[
        "meeting_id",
        "referral_id",
        "person_id",
        "discussion",
        "risk_after",
        "recorded_by",
        "recorded_at",
    ];
    pub const MARAC_APPROVALS: &[&str] = &["meeting_id", "approved_by", "approved_at"];
    pub const MARAC_TRANSFERS: &[&str] = &[
        "referral_id",
        "person_id",
        "from_area",
        "to_area",
        "reason",
        "transferred_by",
        "transferred_at",
    ];
    pub const MARAC_ACTIONS: &[&str] = &[
        "action_id",
        "meeting_id",
        "referral_id",
        "person_id",
        "about",
        "owner",
        "description",
        "due_on",
        "created_by",
        "created_at",
        "done_at",
        "done_by",
        "evidence",
    ];
    pub const ENCOMPASS: &[&str] = &[
        "referral_id",
        "incident_id",
        "child_id",
        "school",
        "school_key",
        "lpa",
        "child_present",
        "voice_of_child",
        "circumstances",
        "due_at",
        "acknowledged_at",
        "acknowledged_by",
    ];
    pub const TASKS: &[&str] = &[
        "incident_id",
        "kind",
        "key",
        "label",
        "team",
        "lpa",
        "officer",
        "due_at",
        "done_at",
        "done_by",
    ];
}

use vigil_domain::access::Username;
use vigil_domain::casework::{CaseEntry, CaseEvent, CaseState, CaseStatus, EntryRow};
use vigil_domain::tasks::{Task, TaskKind, WorkTeam};

pub fn case_state_values<V: Values>(b: &mut V, s: &CaseState) {
    b.text(s.incident_id.as_str());
    b.text(s.lpa.as_str());
    b.opt_text(s.grade.map(RiskGrade::as_str));
    b.opt_text(s.team.map(InvestigatingTeam::as_str));
    b.text(s.status.as_str());
    b.opt_text(s.status_reason.as_deref());
    b.opt_text(s.allocated_to.as_ref().map(Username::as_str));
    b.opt_text(s.recorded_by.as_ref().map(Username::as_str));
    b.opt_datetime(s.routed_at);
    b.datetime(s.opened_at);
}

pub fn case_state<C: Cells>(c: &mut C) -> StoreResult<CaseState> {
    Ok(CaseState {
        incident_id: c.req(IncidentId::parse)?,
        lpa: c.req(Lpa::parse)?,
        grade: c.opt(RiskGrade::parse)?,
        team: c.opt(InvestigatingTeam::parse)?,
        status: c.req(CaseStatus::parse)?,
        status_reason: c.opt_string()?,
        allocated_to: c.opt(Username::parse)?,
        recorded_by: c.opt(Username::parse)?,
        routed_at: c.opt_datetime()?,
        opened_at: c.datetime()?,
    })
}

/// A log entry with the case it belongs to.
pub fn case_event_values<V: Values>(b: &mut V, e: &(IncidentId, CaseEvent)) {
    let row = e.1.entry.to_row();
    b.text(e.0.as_str());
    b.datetime(e.1.at);
    b.text(&e.1.actor);
    b.text(&row.kind);
    b.opt_text(row.subject.as_deref());
    b.opt_text(row.value.as_deref());
    b.opt_text(row.detail.as_deref());
    b.opt_text(row.text.as_deref());
}

pub fn case_event<C: Cells>(c: &mut C) -> StoreResult<CaseEvent> {
    Ok(case_event_of(c)?.1)
}

/// A log entry with the case it belongs to (as `vigil copy` moves it).
pub fn case_event_of<C: Cells>(c: &mut C) -> StoreResult<(IncidentId, CaseEvent)> {
    let incident = c.req(IncidentId::parse)?;
    let at = c.datetime()?;
    let actor = c.opt_string()?.unwrap_or_default();
    let row = EntryRow {
        kind: c.opt_string()?.unwrap_or_default(),
        subject: c.opt_string()?,
        value: c.opt_string()?,
        detail: c.opt_string()?,
        text: c.opt_string()?,
    };
    let entry = CaseEntry::from_row(&row)
        .map_err(|e| StoreError::Integrity(format!("case_events: {}", e.reason)))?;
    Ok((incident, CaseEvent { at, actor, entry }))
}

pub fn task_values<V: Values>(b: &mut V, t: &Task) {
    b.text(t.incident_id.as_str());
    b.text(t.kind.as_str());
    b.text(&t.key);
    b.text(&t.label);
    b.text(t.team.as_str());
    b.text(t.lpa.as_str());
    b.opt_text(t.officer.as_ref().map(Username::as_str));
    b.datetime(t.due);
    b.opt_datetime(t.done.as_ref().map(|d| d.0));
    b.opt_text(t.done.as_ref().map(|d| d.1.as_str()));
}

pub fn task<C: Cells>(c: &mut C) -> StoreResult<Task> {
    let incident_id = c.req(IncidentId::parse)?;
    let kind = c.req(TaskKind::parse)?;
    let key = c.opt_string()?.unwrap_or_default();
    let label = c.opt_string()?.unwrap_or_default();
    let team = c.req(WorkTeam::parse)?;
    let lpa = c.req(Lpa::parse)?;
    let officer = c.opt(Username::parse)?;
    let due = c.datetime()?;
    let done_at = c.opt_datetime()?;
    let done_by = c.opt_string()?;
    Ok(Task {
        incident_id,
        kind,
        key,
        label,
        team,
        lpa,
        officer,
        due,
        done: done_at.map(|at| (at, done_by.unwrap_or_default())),
    })
}

/// An officer's caseload: the officer, then the count of their open cases.
pub fn caseload<C: Cells>(c: &mut C) -> StoreResult<crate::Caseload> {
    Ok(crate::Caseload {
        officer: c.req(Username::parse)?,
        open_cases: c.opt_int()?.unwrap_or(0).max(0) as u64,
    })
}

/// A task as a work list shows it: the task's columns, then the victim's reference and
/// names.
pub fn task_item<C: Cells>(c: &mut C) -> StoreResult<crate::TaskItem> {
    Ok(crate::TaskItem {
        task: task(c)?,
        victim_id: c.req(PersonId::parse)?,
        family_name: c.opt_string()?,
        given_names: c.opt_string()?,
    })
}

/// A queue item as the store selects it: incident, victim, area, risk, since, detail, the
/// officer in charge, the case's status, the victim's names.
pub fn queue_item<C: Cells>(c: &mut C) -> StoreResult<crate::QueueItem> {
    Ok(crate::QueueItem {
        incident_id: c.req(IncidentId::parse)?,
        victim_id: c.req(PersonId::parse)?,
        lpa: c.req(Lpa::parse)?,
        risk: c.opt(RiskGrade::parse)?,
        since: c.datetime()?,
        detail: c.opt_string()?.unwrap_or_default().replace('_', " "),
        allocated_to: c.opt(Username::parse)?,
        status: c.opt(CaseStatus::parse)?,
        family_name: c.opt_string()?,
        given_names: c.opt_string()?,
    })
}

/// The separator between offence references in an outstanding suspect's row: a control
/// character, which no reference may hold.
pub const LIST_SEPARATOR: char = '\u{1f}';

/// The columns of an outstanding-suspect row: case, suspect, team, area, victim, since,
/// offences (joined by `LIST_SEPARATOR`), then the suspect's and the victim's family and
/// given names.
pub fn suspect_item<C: Cells>(c: &mut C) -> StoreResult<crate::SuspectItem> {
    let incident_id = c.req(IncidentId::parse)?;
    let suspect_id = c.req(PersonId::parse)?;
    let team = c.req(InvestigatingTeam::parse)?;
    let lpa = c.req(Lpa::parse)?;
    let victim_id = c.req(PersonId::parse)?;
    let since = c.date()?;
    let mut offences = c
        .opt_string()?
        .unwrap_or_default()
        .split(LIST_SEPARATOR)
        .map(OffenceId::parse)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| c.bad(e))?;
    offences.sort();
    let name = |c: &mut C| -> StoreResult<Option<(String, String)>> {
        let family = c.opt_string()?;
        let given = c.opt_string()?;
        Ok(family.map(|f| (f, given.unwrap_or_default())))
    };
    let suspect_name = name(c)?;
    let victim_name = name(c)?;
    Ok(crate::SuspectItem {
        suspect: vigil_domain::suspects::OutstandingSuspect {
            suspect_id,
            incident_id,
            lpa,
            team,
            victim_id,
            offences,
            since,
        },
        suspect_name,
        victim_name,
    })
}

/// The outstanding suspects as one grouped SELECT in `suspect_item`'s column order, for
/// both stores: `$join` is how each aggregates text (`group_concat`, `string_agg`) and
/// `$sep` the separator's SQL. The rule is `suspects::leaves_suspect_outstanding`.
pub fn outstanding_suspects_sql(join: &str, sep: &str, team: &str, lpa: &str) -> String {
    format!(
        "SELECT o.incident_id, o.suspect_id, o.team, i.lpa, MIN(o.victim_id) AS victim_id,
                MIN(o.recorded_date) AS since, {join}(o.offence_id, {sep}) AS offences
         FROM offences o JOIN incidents i ON i.incident_id = o.incident_id
         WHERE o.outcome_code IS NULL AND o.suspect_id IS NOT NULL
           AND ({team} IS NULL OR o.team = {team}) AND ({lpa} IS NULL OR i.lpa = {lpa})
           AND NOT EXISTS (SELECT 1 FROM arrests a WHERE a.person_id = o.suspect_id
                 AND (a.offence_id = o.offence_id OR a.incident_id = o.incident_id))
         GROUP BY o.incident_id, o.suspect_id, o.team, i.lpa"
    )
}

pub fn contact_values<V: Values>(b: &mut V, p: &vigil_domain::contact::ContactPreferences) {
    b.text(p.person_id.as_str());
    b.text(p.method.as_str());
    b.opt_text(p.safe_number.as_deref());
    b.text(&p.safe_times);
    b.text(&p.avoid);
    b.datetime(p.recorded_at);
    b.text(&p.recorded_by);
}

pub fn contact<C: Cells>(c: &mut C) -> StoreResult<vigil_domain::contact::ContactPreferences> {
    Ok(vigil_domain::contact::ContactPreferences {
        person_id: c.req(PersonId::parse)?,
        method: c.req(vigil_domain::casework::ContactMethod::parse)?,
        safe_number: c.opt_string()?,
        safe_times: c.opt_string()?.unwrap_or_default(),
        avoid: c.opt_string()?.unwrap_or_default(),
        recorded_at: c.datetime()?,
        recorded_by: c.opt_string()?.unwrap_or_default(),
    })
}

pub fn child_values<V: Values>(b: &mut V, c: &vigil_domain::children::IncidentChild) {
    b.text(c.incident_id.as_str());
    b.text(c.person_id.as_str());
    b.opt_text(c.school.as_deref());
}

pub fn child<C: Cells>(c: &mut C) -> StoreResult<vigil_domain::children::IncidentChild> {
    Ok(vigil_domain::children::IncidentChild {
        incident_id: c.req(IncidentId::parse)?,
        person_id: c.req(PersonId::parse)?,
        school: c.opt_string()?,
    })
}

/// An audit row as stored (for writing many in one statement).
pub fn audit_row_values<V: Values>(b: &mut V, r: &crate::AuditRow) {
    let e = &r.entry;
    b.int(r.seq);
    b.datetime(e.at);
    b.text(&e.actor);
    b.text(&e.action);
    b.text(&e.subject_kind);
    b.text(&e.subject_id);
    b.opt_text(e.reason.as_deref());
    b.text(&r.prev_hash);
    b.text(&r.hash);
}

/// A restriction's named users and teams as stored: one per line (neither a username nor
/// an area's name can hold a line break).
pub fn restriction_lists(r: &vigil_domain::restriction::Restriction) -> (String, String) {
    let users: Vec<&str> = r.users.iter().map(|u| u.as_str()).collect();
    let teams: Vec<String> = r.teams.iter().map(|t| t.written()).collect();
    (users.join("\n"), teams.join("\n"))
}

/// A restriction from its stored columns: kind, reference, ground, note, users, teams,
/// set by, set at.
#[allow(clippy::too_many_arguments)]
pub fn restriction_from(
    table: &'static str,
    kind: &str,
    reference: &str,
    ground: &str,
    note: String,
    users: &str,
    teams: &str,
    set_by: &str,
    set_at: DateTime,
) -> StoreResult<vigil_domain::restriction::Restriction> {
    use vigil_domain::restriction::{Ground, Restriction, Subject, TeamAccess};
    let bad = |what: &str, e: ValueError| {
        StoreError::Schema(format!("{table}: {what} of {kind} {reference}: {e}"))
    };
    let lines = |s: &str| {
        s.split('\n')
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    Ok(Restriction {
        subject: Subject::parse(kind, reference).map_err(|e| bad("subject", e))?,
        ground: Ground::parse(ground).map_err(|e| bad("ground", e))?,
        note,
        users: lines(users)
            .iter()
            .map(|u| vigil_domain::access::Username::parse(u))
            .collect::<Result<_, _>>()
            .map_err(|e| bad("users", e))?,
        teams: lines(teams)
            .iter()
            .map(|t| TeamAccess::parse(t))
            .collect::<Result<_, _>>()
            .map_err(|e| bad("teams", e))?,
        set_by: vigil_domain::access::Username::parse(set_by).map_err(|e| bad("set by", e))?,
        set_at,
    })
}

/// The SELECT list of a MARAC referral's facts for the return, in [`referral_facts`]'s
/// order (`r` referrals, `p` the victim, `i` the referral's incident, `s` its suspect).
pub const REFERRAL_FACTS: &str = "r.referral_id, r.person_id, r.referred_at, r.agency, r.incident_id, i.lpa, p.lpa, p.sex, p.birth_date, p.ethnicity, s.birth_date, i.children_present";

/// A MARAC referral's facts for the return, as selected by [`REFERRAL_FACTS`].
pub fn referral_facts<C: Cells>(
    c: &mut C,
) -> StoreResult<vigil_domain::marac_return::ReferralFacts> {
    Ok(vigil_domain::marac_return::ReferralFacts {
        id: c.req(ReferralId::parse)?,
        person: c.req(PersonId::parse)?,
        referred_at: c.datetime()?,
        agency: c.req(Agency::parse)?,
        incident: c.opt(IncidentId::parse)?,
        incident_lpa: c.opt(Lpa::parse)?,
        victim_lpa: c.opt(Lpa::parse)?,
        victim_sex: c.req(Sex::parse)?,
        victim_birth: c.opt_date()?,
        victim_ethnicity: c.req(Ethnicity::parse)?,
        perpetrator_birth: c.opt_date()?,
        children_present: c.opt_bool()?,
        lgbt: None,
        disabled: None,
    })
}

/// An Operation Encompass notification as stored (`casework_columns::ENCOMPASS`).
pub fn encompass_values<V: Values>(b: &mut V, n: &vigil_domain::encompass::Notification) {
    b.text(n.referral_id.as_str());
    b.text(n.incident_id.as_str());
    b.text(n.child_id.as_str());
    b.text(&n.school);
    b.text(&vigil_domain::encompass::school_key(&n.school));
    b.text(n.lpa.as_str());
    b.bool(n.child_present);
    b.text(&n.voice_of_child);
    b.text(&n.circumstances);
    b.datetime(n.due);
    match &n.acknowledged {
        Some((at, _)) => b.datetime(*at),
        None => b.null(),
    }
    b.opt_text(n.acknowledged.as_ref().map(|(_, by)| by.as_str()));
}

/// An Operation Encompass notification from its stored columns.
pub fn encompass<C: Cells>(c: &mut C) -> StoreResult<vigil_domain::encompass::Notification> {
    let referral_id = c.req(ReferralId::parse)?;
    let incident_id = c.req(IncidentId::parse)?;
    let child_id = c.req(PersonId::parse)?;
    let school = c.opt_string()?.unwrap_or_default();
    let _key = c.opt_string()?;
    let lpa = c.req(Lpa::parse)?;
    let child_present = c.opt_bool()?.unwrap_or(false);
    let voice_of_child = c.opt_string()?.unwrap_or_default();
    let circumstances = c.opt_string()?.unwrap_or_default();
    let due = c.datetime()?;
    let at = c.opt_datetime()?;
    let by = c.opt(vigil_domain::access::Username::parse)?;
    Ok(vigil_domain::encompass::Notification {
        referral_id,
        incident_id,
        child_id,
        school,
        lpa,
        child_present,
        voice_of_child,
        circumstances,
        due,
        acknowledged: at.zip(by),
    })
}

/// A MARAC action as stored (`casework_columns::MARAC_ACTIONS`).
pub fn marac_action_values<V: Values>(b: &mut V, a: &vigil_domain::marac_actions::Action) {
    b.int(a.id);
    b.int(a.meeting_id);
    b.text(a.referral_id.as_str());
    b.text(a.person_id.as_str());
    b.text(a.about.as_str());
    b.text(a.owner.as_str());
    b.text(&a.description);
    b.date(a.due);
    b.text(a.created_by.as_str());
    b.datetime(a.created_at);
    match &a.done {
        Some((at, by, evidence)) => {
            b.datetime(*at);
            b.text(by.as_str());
            b.text(evidence);
        }
        None => {
            b.null();
            b.null();
            b.null();
        }
    }
}

/// A MARAC action from its stored columns.
pub fn marac_action<C: Cells>(c: &mut C) -> StoreResult<vigil_domain::marac_actions::Action> {
    let id = c.opt_int()?.unwrap_or_default();
    let meeting_id = c.opt_int()?.unwrap_or_default();
    let referral_id = c.req(ReferralId::parse)?;
    let person_id = c.req(PersonId::parse)?;
    let about = c.req(vigil_domain::marac_actions::ActionFor::parse)?;
    let owner = c.req(Agency::parse)?;
    let description = c.opt_string()?.unwrap_or_default();
    let due = c
        .opt_date()?
        .ok_or_else(|| c.bad("an action without its due day"))?;
    let created_by = c.req(vigil_domain::access::Username::parse)?;
    let created_at = c.datetime()?;
    let done_at = c.opt_datetime()?;
    let done_by = c.opt(vigil_domain::access::Username::parse)?;
    let evidence = c.opt_string()?;
    Ok(vigil_domain::marac_actions::Action {
        id,
        meeting_id,
        referral_id,
        person_id,
        about,
        owner,
        description,
        due,
        created_by,
        created_at,
        done: match (done_at, done_by, evidence) {
            (Some(at), Some(by), Some(e)) => Some((at, by, e)),
            _ => None,
        },
    })
}

// ----- what MARAC writes down (`vigil_domain::marac_record`) -----

/// A MARAC referral form as stored (`casework_columns::MARAC_FORMS`).
pub fn marac_form_values<V: Values>(b: &mut V, f: &vigil_domain::marac_record::ReferralForm) {
    b.text(f.referral_id.as_str());
    b.text(f.person_id.as_str());
    b.datetime(f.referred_at);
    b.text(f.agency.as_str());
    b.text(f.referrer.as_str());
    b.text(&f.referrer_name);
    b.text(&f.referrer_phone);
    b.opt_text(f.perpetrator_id.as_ref().map(|p| p.as_str()));
    b.text(&f.perpetrator_name);
    b.text(f.children_in_household.as_str());
    match f.dash_score {
        Some(n) => b.int(i64::from(n)),
        None => b.null(),
    }
    b.text(&f.grounds);
    b.text(&f.judgement_reason);
    b.text(&f.victim_wishes);
    b.bool(f.consent_sought);
    b.opt_bool(f.consent);
    b.text(f.disability.as_str());
    b.text(f.sexuality.as_str());
    b.text(f.transgender.as_str());
    b.text(&f.transferred_from);
}

/// A MARAC referral form from its stored columns.
pub fn marac_form<C: Cells>(c: &mut C) -> StoreResult<vigil_domain::marac_record::ReferralForm> {
    use vigil_domain::marac_record::{Answer, Sexuality};
    Ok(vigil_domain::marac_record::ReferralForm {
        referral_id: c.req(ReferralId::parse)?,
        person_id: c.req(PersonId::parse)?,
        referred_at: c.datetime()?,
        agency: c.req(Agency::parse)?,
        referrer: c.req(vigil_domain::access::Username::parse)?,
        referrer_name: c.opt_string()?.unwrap_or_default(),
        referrer_phone: c.opt_string()?.unwrap_or_default(),
        perpetrator_id: c.opt(PersonId::parse)?,
        perpetrator_name: c.opt_string()?.unwrap_or_default(),
        children_in_household: c.req(Answer::parse)?,
        dash_score: match c.opt_int()? {
            None => None,
            Some(n) => Some(u8::try_from(n).map_err(|_| c.bad(format!("dash_score {n}")))?),
        },
        grounds: c.opt_string()?.unwrap_or_default(),
        judgement_reason: c.opt_string()?.unwrap_or_default(),
        victim_wishes: c.opt_string()?.unwrap_or_default(),
        consent_sought: c.bool()?,
        consent: c.opt_bool()?,
        disability: c.req(Answer::parse)?,
        sexuality: c.req(Sexuality::parse)?,
        transgender: c.req(Answer::parse)?,
        transferred_from: c.opt_string()?.unwrap_or_default(),
    })
}

pub fn attendance_values<V: Values>(b: &mut V, a: &vigil_domain::marac_record::Attendance) {
    b.int(a.meeting_id);
    b.text(a.agency.as_str());
    b.text(&a.attendees);
    b.text(a.recorded_by.as_str());
    b.datetime(a.recorded_at);
}

pub fn attendance<C: Cells>(c: &mut C) -> StoreResult<vigil_domain::marac_record::Attendance> {
    Ok(vigil_domain::marac_record::Attendance {
        meeting_id: c.opt_int()?.unwrap_or_default(),
        agency: c.req(Agency::parse)?,
        attendees: c.opt_string()?.unwrap_or_default(),
        recorded_by: c.req(vigil_domain::access::Username::parse)?,
        recorded_at: c.datetime()?,
    })
}

pub fn discussion_values<V: Values>(b: &mut V, d: &vigil_domain::marac_record::Discussion) {
    b.int(d.meeting_id);
    b.text(d.referral_id.as_str());
    b.text(d.person_id.as_str());
    b.text(&d.discussion);
    b.text(d.risk_after.as_str());
    b.text(d.recorded_by.as_str());
    b.datetime(d.recorded_at);
}

pub fn discussion<C: Cells>(c: &mut C) -> StoreResult<vigil_domain::marac_record::Discussion> {
    Ok(vigil_domain::marac_record::Discussion {
        meeting_id: c.opt_int()?.unwrap_or_default(),
        referral_id: c.req(ReferralId::parse)?,
        person_id: c.req(PersonId::parse)?,
        discussion: c.opt_string()?.unwrap_or_default(),
        risk_after: c.req(RiskGrade::parse)?,
        recorded_by: c.req(vigil_domain::access::Username::parse)?,
        recorded_at: c.datetime()?,
    })
}

pub fn approval_values<V: Values>(b: &mut V, a: &vigil_domain::marac_record::Approval) {
    b.int(a.meeting_id);
    b.text(a.approved_by.as_str());
    b.datetime(a.approved_at);
}

pub fn approval<C: Cells>(c: &mut C) -> StoreResult<vigil_domain::marac_record::Approval> {
    Ok(vigil_domain::marac_record::Approval {
        meeting_id: c.opt_int()?.unwrap_or_default(),
        approved_by: c.req(vigil_domain::access::Username::parse)?,
        approved_at: c.datetime()?,
    })
}

pub fn transfer_values<V: Values>(b: &mut V, t: &vigil_domain::marac_record::Transfer) {
    b.text(t.referral_id.as_str());
    b.text(t.person_id.as_str());
    b.text(&t.from_area);
    b.text(&t.to_area);
    b.text(&t.reason);
    b.text(t.transferred_by.as_str());
    b.datetime(t.transferred_at);
}

pub fn transfer<C: Cells>(c: &mut C) -> StoreResult<vigil_domain::marac_record::Transfer> {
    Ok(vigil_domain::marac_record::Transfer {
        referral_id: c.req(ReferralId::parse)?,
        person_id: c.req(PersonId::parse)?,
        from_area: c.opt_string()?.unwrap_or_default(),
        to_area: c.opt_string()?.unwrap_or_default(),
        reason: c.opt_string()?.unwrap_or_default(),
        transferred_by: c.req(vigil_domain::access::Username::parse)?,
        transferred_at: c.datetime()?,
    })
}

/// An IDVA case as stored (`casework_columns::IDVA_CASES`).
pub fn idva_case_values<V: Values>(b: &mut V, c: &vigil_domain::idva::IdvaCase) {
    b.text(c.referral_id.as_str());
    b.text(c.person_id.as_str());
    b.datetime(c.referred_at);
    match &c.accepted {
        Some((by, at)) => {
            b.text(by.as_str());
            b.datetime(*at);
        }
        None => {
            b.null();
            b.null();
        }
    }
    match &c.declined {
        Some((at, by, why)) => {
            b.datetime(*at);
            b.text(by.as_str());
            b.text(why);
        }
        None => {
            b.null();
            b.null();
            b.null();
        }
    }
    match c.first_contact {
        Some(t) => b.datetime(t),
        None => b.null(),
    }
    b.opt_text(c.engagement.map(|e| e.as_str()));
    match &c.closed {
        Some((at, why)) => {
            b.datetime(*at);
            b.text(why);
        }
        None => {
            b.null();
            b.null();
        }
    }
}

/// An IDVA case from its stored columns.
pub fn idva_case<C: Cells>(c: &mut C) -> StoreResult<vigil_domain::idva::IdvaCase> {
    use vigil_domain::access::Username;
    let referral_id = c.req(ReferralId::parse)?;
    let person_id = c.req(PersonId::parse)?;
    let referred_at = c.datetime()?;
    let accepted_by = c.opt(Username::parse)?;
    let accepted_at = c.opt_datetime()?;
    let declined_at = c.opt_datetime()?;
    let declined_by = c.opt(Username::parse)?;
    let decline_reason = c.opt_string()?;
    let first_contact = c.opt_datetime()?;
    let engagement = c.opt(vigil_domain::idva::Engagement::parse)?;
    let closed_at = c.opt_datetime()?;
    let close_reason = c.opt_string()?;
    Ok(vigil_domain::idva::IdvaCase {
        referral_id,
        person_id,
        referred_at,
        accepted: accepted_by.zip(accepted_at),
        declined: match (declined_at, declined_by, decline_reason) {
            (Some(at), Some(by), Some(why)) => Some((at, by, why)),
            _ => None,
        },
        first_contact,
        engagement,
        closed: closed_at.zip(close_reason),
    })
}

/// A MASH case as stored (`casework_columns::MASH_CASES`); its children one id after
/// another, separated by spaces.
pub fn mash_case_values<V: Values>(b: &mut V, c: &vigil_domain::mash::MashCase) {
    b.text(c.referral_id.as_str());
    b.text(c.person_id.as_str());
    b.opt_text(c.incident_id.as_ref().map(|i| i.as_str()));
    b.text(c.lpa.as_str());
    b.datetime(c.referred_at);
    b.text(c.referred_by.as_str());
    b.text(c.about.as_str());
    b.text(
        &c.children
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    );
    b.text(&c.concern);
    match &c.research {
        Some((text, by, at)) => {
            b.text(text);
            b.text(by.as_str());
            b.datetime(*at);
        }
        None => {
            b.null();
            b.null();
            b.null();
        }
    }
    match &c.decision {
        Some((d, why, by, at)) => {
            b.text(d.as_str());
            b.text(why);
            b.text(by.as_str());
            b.datetime(*at);
        }
        None => {
            b.null();
            b.null();
            b.null();
            b.null();
        }
    }
    match c.outcome_read_at {
        Some(t) => b.datetime(t),
        None => b.null(),
    }
}

/// A MASH case from its stored columns.
pub fn mash_case<C: Cells>(c: &mut C) -> StoreResult<vigil_domain::mash::MashCase> {
    use vigil_domain::access::Username;
    let referral_id = c.req(ReferralId::parse)?;
    let person_id = c.req(PersonId::parse)?;
    let incident_id = c.opt(IncidentId::parse)?;
    let lpa = c.req(Lpa::parse)?;
    let referred_at = c.datetime()?;
    let referred_by = c.req(Username::parse)?;
    let about = c.req(vigil_domain::mash::Subject::parse)?;
    let children = c
        .opt_string()?
        .unwrap_or_default()
        .split_whitespace()
        .map(PersonId::parse)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| c.bad(e))?;
    let concern = c.opt_string()?.unwrap_or_default();
    let research = c.opt_string()?;
    let research_by = c.opt(Username::parse)?;
    let research_at = c.opt_datetime()?;
    let decision = c.opt(vigil_domain::mash::Decision::parse)?;
    let rationale = c.opt_string()?;
    let decided_by = c.opt(Username::parse)?;
    let decided_at = c.opt_datetime()?;
    let outcome_read_at = c.opt_datetime()?;
    Ok(vigil_domain::mash::MashCase {
        referral_id,
        person_id,
        incident_id,
        lpa,
        referred_at,
        referred_by,
        about,
        children,
        concern,
        research: match (research, research_by, research_at) {
            (Some(t), Some(by), Some(at)) => Some((t, by, at)),
            _ => None,
        },
        decision: match (decision, rationale, decided_by, decided_at) {
            (Some(d), Some(why), Some(by), Some(at)) => Some((d, why, by, at)),
            _ => None,
        },
        outcome_read_at,
    })
}

/// A Clare's Law application as stored (`casework_columns::DVDS_APPLICATIONS`): the
/// evidence as incident ids separated by spaces; each stage's columns empty until done.
pub fn dvds_values<V: Values>(b: &mut V, a: &vigil_domain::dvds::Application) {
    b.text(a.id.as_str());
    b.text(a.route.as_str());
    b.text(a.subject_id.as_str());
    b.text(a.at_risk_id.as_str());
    b.text(a.applicant.as_str());
    b.text(&a.applicant_name);
    b.text(a.lpa.as_str());
    b.opt_text(a.incident_id.as_ref().map(|i| i.as_str()));
    b.text(
        &a.evidence
            .iter()
            .map(|i| i.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    );
    b.datetime(a.received_at);
    b.text(a.received_by.as_str());
    // Contact and meeting: when, by whom, a yes or no, notes.
    for flagged in [&a.contact, &a.meeting] {
        match flagged {
            Some((at, by, flag, notes)) => {
                b.datetime(*at);
                b.text(by.as_str());
                b.bool(*flag);
                b.text(notes);
            }
            None => (0..4).for_each(|_| b.null()),
        }
    }
    match &a.checks {
        Some((at, by, police, partners)) => {
            b.datetime(*at);
            b.text(by.as_str());
            b.text(police);
            b.text(partners);
        }
        None => (0..4).for_each(|_| b.null()),
    }
    match &a.panel {
        Some(p) => {
            b.datetime(p.at);
            b.text(p.by.as_str());
            b.bool(p.pressing_need);
            b.bool(p.lawful_necessary_proportionate);
            b.text(&p.rationale);
        }
        None => (0..5).for_each(|_| b.null()),
    }
    match &a.outcome {
        Some(o) => {
            b.datetime(o.at);
            b.text(o.by.as_str());
            b.bool(o.disclosed);
            b.text(&o.to_whom);
            b.text(&o.said);
            b.text(&o.safety_plan);
        }
        None => (0..6).for_each(|_| b.null()),
    }
    match &a.declined {
        Some((at, by, why)) => {
            b.datetime(*at);
            b.text(by.as_str());
            b.text(why);
        }
        None => (0..3).for_each(|_| b.null()),
    }
}

/// A Clare's Law application from its stored columns.
pub fn dvds<C: Cells>(c: &mut C) -> StoreResult<vigil_domain::dvds::Application> {
    use vigil_domain::access::Username;
    let id = c.req(DisclosureId::parse)?;
    let route = c.req(vigil_domain::DisclosureRoute::parse)?;
    let subject_id = c.req(PersonId::parse)?;
    let at_risk_id = c.req(PersonId::parse)?;
    let applicant = c.req(vigil_domain::dvds::Applicant::parse)?;
    let applicant_name = c.opt_string()?.unwrap_or_default();
    let lpa = c.req(Lpa::parse)?;
    let incident_id = c.opt(IncidentId::parse)?;
    let evidence = c
        .opt_string()?
        .unwrap_or_default()
        .split_whitespace()
        .map(IncidentId::parse)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| c.bad(e))?;
    let received_at = c.datetime()?;
    let received_by = c.req(Username::parse)?;
    let flagged = |c: &mut C| -> StoreResult<Option<(DateTime, Username, bool, String)>> {
        let at = c.opt_datetime()?;
        let by = c.opt(Username::parse)?;
        let flag = c.opt_bool()?;
        let text = c.opt_string()?;
        Ok(match (at, by, flag, text) {
            (Some(at), Some(by), Some(f), Some(t)) => Some((at, by, f, t)),
            _ => None,
        })
    };
    let contact = flagged(c)?;
    let meeting = flagged(c)?;
    let checks = {
        let at = c.opt_datetime()?;
        let by = c.opt(Username::parse)?;
        let police = c.opt_string()?;
        let partners = c.opt_string()?;
        match (at, by, police, partners) {
            (Some(at), Some(by), Some(p), Some(q)) => Some((at, by, p, q)),
            _ => None,
        }
    };
    let panel = {
        let at = c.opt_datetime()?;
        let by = c.opt(Username::parse)?;
        let need = c.opt_bool()?;
        let lnp = c.opt_bool()?;
        let rationale = c.opt_string()?;
        match (at, by, need, lnp, rationale) {
            (Some(at), Some(by), Some(need), Some(lnp), Some(rationale)) => {
                Some(vigil_domain::dvds::Panel {
                    at,
                    by,
                    pressing_need: need,
                    lawful_necessary_proportionate: lnp,
                    rationale,
                })
            }
            _ => None,
        }
    };
    let outcome = {
        let at = c.opt_datetime()?;
        let by = c.opt(Username::parse)?;
        let disclosed = c.opt_bool()?;
        let to_whom = c.opt_string()?;
        let said = c.opt_string()?;
        let plan = c.opt_string()?;
        match (at, by, disclosed, to_whom, said, plan) {
            (Some(at), Some(by), Some(disclosed), Some(to_whom), Some(said), Some(safety_plan)) => {
                Some(vigil_domain::dvds::Outcome {
                    at,
                    by,
                    disclosed,
                    to_whom,
                    said,
                    safety_plan,
                })
            }
            _ => None,
        }
    };
    let declined = {
        let at = c.opt_datetime()?;
        let by = c.opt(Username::parse)?;
        let why = c.opt_string()?;
        match (at, by, why) {
            (Some(at), Some(by), Some(why)) => Some((at, by, why)),
            _ => None,
        }
    };
    Ok(vigil_domain::dvds::Application {
        id,
        route,
        subject_id,
        at_risk_id,
        applicant,
        applicant_name,
        lpa,
        incident_id,
        evidence,
        received_at,
        received_by,
        contact,
        meeting,
        checks,
        panel,
        outcome,
        declined,
    })
}

/// A protective notice as stored (`casework_columns::PROTECTIVE_NOTICES`); what the victim
/// was told and the breaches are `protective_events` rows.
pub fn notice_values<V: Values>(b: &mut V, c: &vigil_domain::protective::NoticeCase) {
    b.text(c.id.as_str());
    b.text(c.kind.as_str());
    b.text(c.subject_id.as_str());
    b.text(c.protected_id.as_str());
    b.opt_text(c.incident_id.as_ref().map(|i| i.as_str()));
    b.text(c.lpa.as_str());
    b.text(c.applied_by.as_str());
    b.datetime(c.applied_at);
    b.text(&c.grounds);
    b.text(&c.considered.children_welfare);
    b.text(&c.considered.victim_view);
    b.text(&c.considered.representations);
    b.text(&c.considered.other_occupants);
    b.text(&c.conditions);
    b.text(&c.address_for_service);
    let opt_at = |b: &mut V, t: Option<DateTime>| match t {
        Some(t) => b.datetime(t),
        None => b.null(),
    };
    match &c.authorised {
        Some((at, by, rank)) => {
            b.datetime(*at);
            b.text(by.as_str());
            b.text(rank.as_str());
        }
        None => (0..3).for_each(|_| b.null()),
    }
    match &c.served {
        Some((at, by)) => {
            b.datetime(*at);
            b.text(by.as_str());
        }
        None => (0..2).for_each(|_| b.null()),
    }
    opt_at(b, c.adjourned_to);
    match &c.decision {
        Some((at, d, notes)) => {
            b.datetime(*at);
            b.text(d.as_str());
            b.text(notes);
        }
        None => (0..3).for_each(|_| b.null()),
    }
    match &c.order {
        Some(o) => {
            b.text(o.id.as_str());
            b.datetime(o.made_at);
            opt_at(b, o.expires_at);
            b.text(&o.conditions);
            b.text(&o.requirements);
            match o.monitoring_months {
                Some(m) => b.int(i64::from(m)),
                None => b.null(),
            }
        }
        None => (0..6).for_each(|_| b.null()),
    }
    opt_at(b, c.notified_at);
}

/// A protective notice from its stored columns (its events are added by the caller).
pub fn notice<C: Cells>(c: &mut C) -> StoreResult<vigil_domain::protective::NoticeCase> {
    use vigil_domain::access::{Rank, Username};
    use vigil_domain::protective::{Considered, CourtDecision, Order};
    let id = c.req(OrderId::parse)?;
    let kind = c.req(OrderKind::parse)?;
    let subject_id = c.req(PersonId::parse)?;
    let protected_id = c.req(PersonId::parse)?;
    let incident_id = c.opt(IncidentId::parse)?;
    let lpa = c.req(Lpa::parse)?;
    let applied_by = c.req(Username::parse)?;
    let applied_at = c.datetime()?;
    let text = |c: &mut C| -> StoreResult<String> { Ok(c.opt_string()?.unwrap_or_default()) };
    let grounds = text(c)?;
    let considered = Considered {
        children_welfare: text(c)?,
        victim_view: text(c)?,
        representations: text(c)?,
        other_occupants: text(c)?,
    };
    let conditions = text(c)?;
    let address_for_service = text(c)?;
    let authorised = match (
        c.opt_datetime()?,
        c.opt(Username::parse)?,
        c.opt(Rank::parse)?,
    ) {
        (Some(at), Some(by), Some(r)) => Some((at, by, r)),
        _ => None,
    };
    let served = c.opt_datetime()?.zip(c.opt(Username::parse)?);
    let adjourned_to = c.opt_datetime()?;
    let decision = match (
        c.opt_datetime()?,
        c.opt(CourtDecision::parse)?,
        c.opt_string()?,
    ) {
        (Some(at), Some(d), Some(n)) => Some((at, d, n)),
        _ => None,
    };
    let order_id = c.opt(OrderId::parse)?;
    let made_at = c.opt_datetime()?;
    let expires_at = c.opt_datetime()?;
    let order_conditions = c.opt_string()?;
    let requirements = c.opt_string()?;
    let monitoring = c.opt_int()?;
    let notified_at = c.opt_datetime()?;
    let order = match (order_id, made_at) {
        (Some(id), Some(made_at)) => Some(Order {
            id,
            made_at,
            expires_at,
            conditions: order_conditions.unwrap_or_default(),
            requirements: requirements.unwrap_or_default(),
            monitoring_months: monitoring
                .map(|m| u32::try_from(m).map_err(|_| c.bad(format!("monitoring_months {m}"))))
                .transpose()?,
        }),
        _ => None,
    };
    Ok(vigil_domain::protective::NoticeCase {
        id,
        kind,
        subject_id,
        protected_id,
        incident_id,
        lpa,
        applied_by,
        applied_at,
        grounds,
        considered,
        conditions,
        address_for_service,
        authorised,
        served,
        adjourned_to,
        decision,
        order,
        notified_at,
        victim_told: Vec::new(),
        breaches: Vec::new(),
    })
}

/// One of a notice's events: what the victim was told, or a breach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeEvent {
    pub order_id: OrderId,
    pub seq: i64,
    pub at: DateTime,
    /// `victim_told` or `breach`.
    pub kind: String,
    pub recorded_by: String,
    pub of: OrderKind,
    pub text: String,
    /// A breach's case (a DAPO's breach is an offence on a new incident).
    pub case: Option<IncidentId>,
}

/// A notice's events in order, as stored (`casework_columns::PROTECTIVE_EVENTS`).
pub fn notice_events(c: &vigil_domain::protective::NoticeCase) -> Vec<NoticeEvent> {
    let told = c.victim_told.iter().map(|(at, what)| NoticeEvent {
        order_id: c.id.clone(),
        seq: 0,
        at: *at,
        kind: "victim_told".into(),
        recorded_by: String::new(),
        of: c.kind,
        text: what.clone(),
        case: None,
    });
    let breaches = c.breaches.iter().map(|b| NoticeEvent {
        order_id: c.id.clone(),
        seq: 0,
        at: b.at,
        kind: "breach".into(),
        recorded_by: b.recorded_by.to_string(),
        of: b.of,
        text: b.details.clone(),
        case: b.case.clone(),
    });
    told.chain(breaches)
        .enumerate()
        .map(|(n, e)| NoticeEvent {
            seq: n as i64 + 1,
            ..e
        })
        .collect()
}

pub fn notice_event_values<V: Values>(b: &mut V, e: &NoticeEvent) {
    b.text(e.order_id.as_str());
    b.int(e.seq);
    b.datetime(e.at);
    b.text(&e.kind);
    b.text(&e.recorded_by);
    b.text(e.of.as_str());
    b.text(&e.text);
    b.opt_text(e.case.as_ref().map(|c| c.as_str()));
}

pub fn notice_event<C: Cells>(c: &mut C) -> StoreResult<NoticeEvent> {
    Ok(NoticeEvent {
        order_id: c.req(OrderId::parse)?,
        seq: c.opt_int()?.unwrap_or_default(),
        at: c.datetime()?,
        kind: c.opt_string()?.unwrap_or_default(),
        recorded_by: c.opt_string()?.unwrap_or_default(),
        of: c.req(OrderKind::parse)?,
        text: c.opt_string()?.unwrap_or_default(),
        case: c.opt(IncidentId::parse)?,
    })
}

/// Puts a notice's events back on it, in order.
pub fn with_events(
    mut c: vigil_domain::protective::NoticeCase,
    events: &[NoticeEvent],
) -> StoreResult<vigil_domain::protective::NoticeCase> {
    for e in events.iter().filter(|e| e.order_id == c.id) {
        match e.kind.as_str() {
            "victim_told" => c.victim_told.push((e.at, e.text.clone())),
            "breach" => c.breaches.push(vigil_domain::protective::Breach {
                at: e.at,
                recorded_by: vigil_domain::access::Username::parse(&e.recorded_by)
                    .map_err(|err| StoreError::Schema(format!("protective_events: {err}")))?,
                of: e.of,
                details: e.text.clone(),
                case: e.case.clone(),
            }),
            other => {
                return Err(StoreError::Schema(format!(
                    "protective_events: unknown kind '{other}'"
                )));
            }
        }
    }
    Ok(c)
}

/// An agency's research for a meeting as stored (`casework_columns::MARAC_RESEARCH`).
pub fn research_values<V: Values>(b: &mut V, r: &vigil_domain::marac_meeting::Research) {
    b.int(r.meeting_id);
    b.text(r.referral_id.as_str());
    b.text(r.agency.as_str());
    b.text(&r.text);
    b.text(r.recorded_by.as_str());
    b.datetime(r.recorded_at);
}

/// An agency's research from its stored columns.
pub fn research<C: Cells>(c: &mut C) -> StoreResult<vigil_domain::marac_meeting::Research> {
    Ok(vigil_domain::marac_meeting::Research {
        meeting_id: c.opt_int()?.unwrap_or_default(),
        referral_id: c.req(ReferralId::parse)?,
        agency: c.req(Agency::parse)?,
        text: c.opt_string()?.unwrap_or_default(),
        recorded_by: c.req(vigil_domain::access::Username::parse)?,
        recorded_at: c.datetime()?,
    })
}

// ----- cohorts -----

/// A run's row (its members apart).
pub fn cohort_run_values<V: Values>(b: &mut V, r: &vigil_domain::cohort::Run) {
    b.int(r.id);
    b.text(r.kind.as_str());
    b.text(r.lpa.as_str());
    b.date(r.as_of);
    b.datetime(r.run_at);
    b.text(&r.run_by);
    b.text(&r.configuration);
}

pub fn cohort_run<C: Cells>(c: &mut C) -> StoreResult<vigil_domain::cohort::Run> {
    Ok(vigil_domain::cohort::Run {
        id: c.opt_int()?.unwrap_or_default(),
        kind: c.req(vigil_domain::cohort::CohortKind::parse)?,
        lpa: c.req(Lpa::parse)?,
        as_of: c.date()?,
        run_at: c.datetime()?,
        run_by: c.opt_string()?.unwrap_or_default(),
        configuration: c.opt_string()?.unwrap_or_default(),
        members: Vec::new(),
    })
}

/// A member of a run, with the run's id.
pub fn cohort_member_values<V: Values>(b: &mut V, m: &(i64, vigil_domain::cohort::RunMember)) {
    let (run, m) = m;
    b.int(*run);
    b.text(m.person_id.as_str());
    b.opt_int(m.rank.map(i64::from));
    b.text(m.movement.as_str());
    b.opt_int(m.previous_rank.map(i64::from));
    for x in [m.score, m.r, m.f, m.g, m.v] {
        b.real(x);
    }
    b.int(i64::from(m.incidents));
    b.int(i64::from(m.victims));
    b.opt_date(m.last_incident);
    b.bool(m.serial);
    b.text(&m.reasons);
}

pub fn cohort_member<C: Cells>(c: &mut C) -> StoreResult<(i64, vigil_domain::cohort::RunMember)> {
    let run = c.opt_int()?.unwrap_or_default();
    let count = |c: &mut C| -> StoreResult<u32> {
        let n = c.opt_int()?.unwrap_or_default();
        u32::try_from(n).map_err(|e| c.bad(e))
    };
    let person_id = c.req(PersonId::parse)?;
    Ok((
        run,
        vigil_domain::cohort::RunMember {
            person_id,
            rank: c.opt_int()?.map(|n| n as u32),
            movement: c.req(vigil_domain::cohort::Movement::parse)?,
            previous_rank: c.opt_int()?.map(|n| n as u32),
            score: c.real()?,
            r: c.real()?,
            f: c.real()?,
            g: c.real()?,
            v: c.real()?,
            incidents: count(c)?,
            victims: count(c)?,
            last_incident: c.opt_date()?,
            serial: c.bool()?,
            reasons: c.opt_string()?.unwrap_or_default(),
        },
    ))
}

pub fn cohort_allocation_values<V: Values>(b: &mut V, a: &vigil_domain::cohort::Allocation) {
    b.text(&a.key());
    b.text(a.kind.as_str());
    b.text(a.lpa.as_str());
    b.text(a.person_id.as_str());
    b.text(a.owner.as_str());
    b.text(&a.plan);
    b.datetime(a.allocated_at);
    b.text(a.allocated_by.as_str());
    b.date(a.next_review);
    match &a.closed {
        Some((at, by, why)) => {
            b.datetime(*at);
            b.text(by.as_str());
            b.text(why);
        }
        None => {
            b.null();
            b.null();
            b.null();
        }
    }
}

pub fn cohort_allocation<C: Cells>(c: &mut C) -> StoreResult<vigil_domain::cohort::Allocation> {
    use vigil_domain::access::Username;
    let _key = c.opt_string()?;
    let kind = c.req(vigil_domain::cohort::CohortKind::parse)?;
    let lpa = c.req(Lpa::parse)?;
    let person_id = c.req(PersonId::parse)?;
    let owner = c.req(Username::parse)?;
    let plan = c.opt_string()?.unwrap_or_default();
    let allocated_at = c.datetime()?;
    let allocated_by = c.req(Username::parse)?;
    let next_review = c.date()?;
    let closed_at = c.opt_datetime()?;
    let closed_by = c.opt(Username::parse)?;
    let why = c.opt_string()?;
    Ok(vigil_domain::cohort::Allocation {
        kind,
        lpa,
        person_id,
        owner,
        plan,
        allocated_at,
        allocated_by,
        next_review,
        closed: match (closed_at, closed_by) {
            (Some(at), Some(by)) => Some((at, by, why.unwrap_or_default())),
            _ => None,
        },
        actions: Vec::new(),
    })
}

/// An action with its allocation's key and its place in order.
pub type CohortActionRow = (String, i64, vigil_domain::cohort::CohortAction);

pub fn cohort_action_values<V: Values>(b: &mut V, row: &CohortActionRow) {
    let (key, seq, a) = row;
    b.text(key);
    b.int(*seq);
    b.datetime(a.at);
    b.text(a.by.as_str());
    b.text(a.kind.as_str());
    b.text(&a.text);
    b.text(&a.outcome);
}

pub fn cohort_action<C: Cells>(c: &mut C) -> StoreResult<CohortActionRow> {
    let key = c.opt_string()?.unwrap_or_default();
    let seq = c.opt_int()?.unwrap_or_default();
    Ok((
        key,
        seq,
        vigil_domain::cohort::CohortAction {
            at: c.datetime()?,
            by: c.req(vigil_domain::access::Username::parse)?,
            kind: c.req(vigil_domain::cohort::ActionKind::parse)?,
            text: c.opt_string()?.unwrap_or_default(),
            outcome: c.opt_string()?.unwrap_or_default(),
        },
    ))
}

/// An allocation's actions as stored, in order.
pub fn cohort_action_rows(a: &vigil_domain::cohort::Allocation) -> Vec<CohortActionRow> {
    let key = a.key();
    a.actions
        .iter()
        .enumerate()
        .map(|(n, x)| (key.clone(), n as i64 + 1, x.clone()))
        .collect()
}
