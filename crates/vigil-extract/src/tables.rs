//! Per-table conversion between the extract's cells and Vigil's records.
//!
//! Each table has a reader (cells in `spec` column order → record, collecting every cell
//! error rather than stopping at the first) and a writer (record → cells in the same order).

use crate::cell::Cell;
use crate::spec::TableSpec;
use vigil_domain::risk::{AssessmentStage, InstrumentKind, RiskGrade};
use vigil_domain::time::{parse_date, parse_datetime};
use vigil_domain::*;

/// One cell that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    pub column: &'static str,
    pub value: String,
    pub reason: String,
}

/// The cells of one row, in spec order (an omitted identity column reads as empty), and
/// the errors found so far.
pub(crate) struct Fields<'a> {
    pub spec: &'static TableSpec,
    pub values: &'a [&'a str],
    pub errors: Vec<CellError>,
}

pub(crate) fn parse_bool(raw: &str) -> Result<bool, ValueError> {
    match raw {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(ValueError::new(format!(
            "'{raw}' is not a boolean; expected true or false"
        ))),
    }
}

fn parse_count(raw: &str) -> Result<u8, ValueError> {
    raw.parse::<u8>().ok().filter(|n| *n <= 27).ok_or_else(|| {
        ValueError::new(format!(
            "'{raw}' is not a count of yes answers; expected a whole number from 0 to 27"
        ))
    })
}

fn parse_fte(raw: &str) -> Result<f64, ValueError> {
    raw.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && *x >= 0.0 && *x < 100_000.0)
        .ok_or_else(|| {
            ValueError::new(format!(
                "'{raw}' is not a number of full-time equivalents; expected a decimal such as 12.5, at least 0"
            ))
        })
}

fn free_text(raw: &str) -> Result<String, ValueError> {
    vigil_domain::text::check_free_text(raw, 500, false)?;
    Ok(raw.to_owned())
}

impl Fields<'_> {
    fn fail(&mut self, i: usize, reason: String) {
        self.errors.push(CellError {
            column: self.spec.columns[i].name,
            value: crate::problem::kept_value(self.values[i]),
            reason,
        });
    }

    /// A value that must be present.
    fn req<T>(&mut self, i: usize, parse: impl FnOnce(&str) -> Result<T, ValueError>) -> Option<T> {
        let raw = self.values[i];
        if raw.is_empty() {
            self.fail(i, "is required but empty".into());
            return None;
        }
        match parse(raw) {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(i, e.reason);
                None
            }
        }
    }

    /// A value that may be empty: `Some(None)` when empty, `None` when it failed to parse.
    fn opt<T>(
        &mut self,
        i: usize,
        parse: impl FnOnce(&str) -> Result<T, ValueError>,
    ) -> Option<Option<T>> {
        let raw = self.values[i];
        if raw.is_empty() {
            return Some(None);
        }
        match parse(raw) {
            Ok(v) => Some(Some(v)),
            Err(e) => {
                self.fail(i, e.reason);
                None
            }
        }
    }
}

pub(crate) fn read_person(f: &mut Fields) -> Option<Person> {
    let id = f.req(0, PersonId::parse);
    let sex = f.req(1, Sex::parse);
    let birth_date = f.opt(2, parse_date);
    let ethnicity = f.req(3, Ethnicity::parse);
    let lpa = f.opt(4, Lpa::parse);
    let family_name = f.opt(5, free_text);
    let given_names = f.opt(6, free_text);
    let address = f.opt(7, free_text);
    let postcode = f.opt(8, free_text);
    let address_confidential = f.req(9, parse_bool);
    if let Some(Some(b)) = birth_date
        && let Err(e) = vigil_domain::dates::plausible_birth(b)
    {
        f.fail(2, e.reason);
        return None;
    }
    Some(Person {
        id: id?,
        sex: sex?,
        birth_date: birth_date?,
        ethnicity: ethnicity?,
        lpa: lpa?,
        identity: Identity {
            family_name: family_name?,
            given_names: given_names?,
            address: address?,
            postcode: postcode?,
        },
        address_confidential: address_confidential?,
    })
}

/// Identity columns are written only when the user asks for them, and a confidential
/// address never leaves Vigil in any export.
pub(crate) fn person_cells(p: &Person, include_identity: bool) -> Vec<Cell<'_>> {
    fn shown<'a>(v: &'a Option<String>, visible: bool) -> Cell<'a> {
        if visible { Cell::text(v) } else { Cell::Empty }
    }
    let names = include_identity;
    let address = include_identity && !p.address_confidential;
    let id = &p.identity;
    vec![
        Cell::Text(p.id.as_str()),
        Cell::Word(p.sex.as_str()),
        Cell::opt(p.birth_date, Cell::Date),
        Cell::Word(p.ethnicity.as_str()),
        Cell::opt(p.lpa.as_ref(), |l| Cell::Text(l.as_str())),
        shown(&id.family_name, names),
        shown(&id.given_names, names),
        shown(&id.address, address),
        shown(&id.postcode, address),
        Cell::Bool(p.address_confidential),
    ]
}

pub(crate) fn read_incident(f: &mut Fields) -> Option<Incident> {
    let id = f.req(0, IncidentId::parse);
    let reported_at = f.req(1, parse_datetime);
    let lpa = f.req(2, Lpa::parse);
    let call_grade = f.req(3, CallGrade::parse);
    let arrived_at = f.opt(4, parse_datetime);
    let response_target_met = f.opt(5, parse_bool);
    let victim_id = f.req(6, PersonId::parse);
    let suspect_id = f.opt(7, PersonId::parse);
    let relationship = f.req(8, Relationship::parse);
    let children_present = f.req(9, parse_bool);
    let risk_level = f.opt(10, RiskGrade::parse);
    let dash_yes_count = f.opt(11, parse_count);
    if let (Some(r), Some(a)) = (reported_at, arrived_at)
        && let Err(e) = vigil_domain::dates::incident(r, a)
    {
        f.fail(if e.field == "reported_at" { 1 } else { 4 }, e.reason);
        return None;
    }
    Some(Incident {
        id: id?,
        reported_at: reported_at?,
        lpa: lpa?,
        call_grade: call_grade?,
        arrived_at: arrived_at?,
        response_target_met: response_target_met?,
        victim_id: victim_id?,
        suspect_id: suspect_id?,
        relationship: relationship?,
        children_present: children_present?,
        risk_level: risk_level?,
        dash_yes_count: dash_yes_count?,
    })
}

pub(crate) fn incident_cells(i: &Incident) -> Vec<Cell<'_>> {
    vec![
        Cell::Text(i.id.as_str()),
        Cell::DateTime(i.reported_at),
        Cell::Text(i.lpa.as_str()),
        Cell::Word(i.call_grade.as_str()),
        Cell::opt(i.arrived_at, Cell::DateTime),
        Cell::opt(i.response_target_met, Cell::Bool),
        Cell::Text(i.victim_id.as_str()),
        Cell::opt(i.suspect_id.as_ref(), |s| Cell::Text(s.as_str())),
        Cell::Word(i.relationship.as_str()),
        Cell::Bool(i.children_present),
        Cell::opt(i.risk_level, |r| Cell::Word(r.as_str())),
        Cell::opt(i.dash_yes_count, |n| Cell::Int(i64::from(n))),
    ]
}

fn ho_code(raw: &str) -> Result<String, ValueError> {
    if raw.len() > 8 || !raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '/') {
        return Err(ValueError::new(format!(
            "'{raw}' is not a Home Office offence code; expected up to 8 letters and digits such as 8N"
        )));
    }
    Ok(raw.to_owned())
}

pub(crate) fn read_offence(f: &mut Fields) -> Option<Offence> {
    let id = f.req(0, OffenceId::parse);
    let incident_id = f.req(1, IncidentId::parse);
    let ho = f.opt(2, ho_code);
    let group = f.req(3, OffenceGroup::parse);
    let offence_date = f.req(4, parse_date);
    let recorded_date = f.req(5, parse_date);
    let victim_id = f.req(6, PersonId::parse);
    let suspect_id = f.opt(7, PersonId::parse);
    let risk_level = f.opt(8, RiskGrade::parse);
    let team = f.req(9, InvestigatingTeam::parse);
    let code = f.opt(10, OutcomeCode::parse);
    let outcome_date = f.opt(11, parse_date);
    let bwv = f.req(12, parse_bool);
    let outcome = match (code?, outcome_date?) {
        (Some(code), Some(date)) => Some(Outcome { code, date }),
        (None, None) => None,
        (Some(_), None) => {
            f.fail(
                11,
                "is empty but outcome_code is given; an outcome needs both".into(),
            );
            return None;
        }
        (None, Some(_)) => {
            f.fail(
                10,
                "is empty but outcome_date is given; an outcome needs both".into(),
            );
            return None;
        }
    };
    let (offence_date, recorded_date) = (offence_date?, recorded_date?);
    if let Err(e) = vigil_domain::dates::offence(offence_date, recorded_date) {
        f.fail(if e.field == "offence_date" { 4 } else { 5 }, e.reason);
        return None;
    }
    if let Some(o) = outcome {
        let ctx = vigil_domain::outcome::OutcomeContext {
            code: o.code,
            outcome_date: o.date,
            recorded_date,
            domestic_abuse: true,
            victim_withdrawal_recorded: false,
            provenance: vigil_domain::outcome::Provenance::Imported,
        };
        for issue in vigil_domain::outcome::validate_outcome(&ctx) {
            if issue.severity == vigil_domain::outcome::Severity::Error {
                f.fail(11, issue.message);
            }
        }
        if !f.errors.is_empty() {
            return None;
        }
    }
    Some(Offence {
        id: id?,
        incident_id: incident_id?,
        ho_code: ho?,
        offence_group: group?,
        offence_date,
        recorded_date,
        victim_id: victim_id?,
        suspect_id: suspect_id?,
        risk_level: risk_level?,
        team: team?,
        outcome,
        bwv_captured: bwv?,
    })
}

pub(crate) fn offence_cells(o: &Offence) -> Vec<Cell<'_>> {
    vec![
        Cell::Text(o.id.as_str()),
        Cell::Text(o.incident_id.as_str()),
        Cell::text(&o.ho_code),
        Cell::Word(o.offence_group.as_str()),
        Cell::Date(o.offence_date),
        Cell::Date(o.recorded_date),
        Cell::Text(o.victim_id.as_str()),
        Cell::opt(o.suspect_id.as_ref(), |s| Cell::Text(s.as_str())),
        Cell::opt(o.risk_level, |r| Cell::Word(r.as_str())),
        Cell::Word(o.team.as_str()),
        Cell::opt(o.outcome, |x| Cell::Word(x.code.as_str())),
        Cell::opt(o.outcome, |x| Cell::Date(x.date)),
        Cell::Bool(o.bwv_captured),
    ]
}

pub(crate) fn read_arrest(f: &mut Fields) -> Option<Arrest> {
    let id = f.req(0, ArrestId::parse);
    let person_id = f.req(1, PersonId::parse);
    let incident_id = f.opt(2, IncidentId::parse);
    let offence_id = f.opt(3, OffenceId::parse);
    let arrested_at = f.req(4, parse_datetime);
    let bwv = f.opt(5, parse_bool);
    let disposal = f.opt(6, ArrestDisposal::parse);
    Some(Arrest {
        id: id?,
        person_id: person_id?,
        incident_id: incident_id?,
        offence_id: offence_id?,
        arrested_at: arrested_at?,
        bwv_shown_in_interview: bwv?,
        disposal: disposal?,
    })
}

pub(crate) fn arrest_cells(a: &Arrest) -> Vec<Cell<'_>> {
    vec![
        Cell::Text(a.id.as_str()),
        Cell::Text(a.person_id.as_str()),
        Cell::opt(a.incident_id.as_ref(), |s| Cell::Text(s.as_str())),
        Cell::opt(a.offence_id.as_ref(), |s| Cell::Text(s.as_str())),
        Cell::DateTime(a.arrested_at),
        Cell::opt(a.bwv_shown_in_interview, Cell::Bool),
        Cell::opt(a.disposal, |d| Cell::Word(d.as_str())),
    ]
}

pub(crate) fn read_assessment(f: &mut Fields) -> Option<RiskAssessment> {
    use vigil_domain::risk::{Answers, GradeThresholds, instrument};
    let id = f.req(0, AssessmentId::parse);
    let incident_id = f.req(1, IncidentId::parse);
    let stage = f.req(2, AssessmentStage::parse);
    let kind = f.req(3, InstrumentKind::parse);
    let assessed_at = f.req(4, parse_datetime);
    let inst = kind.and_then(instrument);
    let answers = f.req(5, |raw| Answers::parse(raw, inst));
    let yes_count = f.req(6, |raw| {
        raw.parse::<u8>()
            .map_err(|_| ValueError::new(format!("'{raw}' is not a whole number from 0 to 255")))
    });
    let grade = f.req(7, RiskGrade::parse);
    let raised = f.req(8, parse_bool);
    let (answers, yes_count, grade, raised) = (answers?, yes_count?, grade?, raised?);
    if answers.yes_count() != usize::from(yes_count) {
        f.fail(
            6,
            format!(
                "the answers hold {} yes, not {yes_count}",
                answers.yes_count()
            ),
        );
        return None;
    }
    if let Some(inst) = inst {
        // Imported grades are checked against the instrument's default thresholds: a
        // grade below what the count gives, or a "raised" grade no higher than it, means
        // the row contradicts itself.
        let score_grade = GradeThresholds::default_for(inst).grade_for(answers.yes_count());
        if grade < score_grade {
            f.fail(7, format!("{yes_count} yes answers give {score_grade}; professional judgement can raise a grade but never lower it"));
            return None;
        }
        if raised && grade == score_grade {
            f.fail(8, format!("judgement_raised is true but the grade equals what {yes_count} yes answers give ({score_grade})"));
            return None;
        }
        if !raised && grade > score_grade {
            f.fail(8, format!("the grade {grade} is above what {yes_count} yes answers give ({score_grade}), so judgement_raised must be true"));
            return None;
        }
    }
    Some(RiskAssessment {
        id: id?,
        incident_id: incident_id?,
        stage: stage?,
        instrument: kind?,
        assessed_at: assessed_at?,
        answers: answers.to_code(),
        yes_count,
        grade,
        judgement_raised: raised,
    })
}

pub(crate) fn assessment_cells(r: &RiskAssessment) -> Vec<Cell<'_>> {
    vec![
        Cell::Text(r.id.as_str()),
        Cell::Text(r.incident_id.as_str()),
        Cell::Word(r.stage.as_str()),
        Cell::Word(r.instrument.as_str()),
        Cell::DateTime(r.assessed_at),
        Cell::Text(&r.answers),
        Cell::Int(i64::from(r.yes_count)),
        Cell::Word(r.grade.as_str()),
        Cell::Bool(r.judgement_raised),
    ]
}

pub(crate) fn read_referral(f: &mut Fields) -> Option<Referral> {
    let id = f.req(0, ReferralId::parse);
    let kind = f.req(1, ReferralKind::parse);
    let person_id = f.req(2, PersonId::parse);
    let incident_id = f.opt(3, IncidentId::parse);
    let referred_at = f.req(4, parse_datetime);
    let agency = f.req(5, Agency::parse);
    let consent = f.opt(6, parse_bool);
    Some(Referral {
        id: id?,
        kind: kind?,
        person_id: person_id?,
        incident_id: incident_id?,
        referred_at: referred_at?,
        agency: agency?,
        consent: consent?,
    })
}

pub(crate) fn referral_cells(r: &Referral) -> Vec<Cell<'_>> {
    vec![
        Cell::Text(r.id.as_str()),
        Cell::Word(r.kind.as_str()),
        Cell::Text(r.person_id.as_str()),
        Cell::opt(r.incident_id.as_ref(), |s| Cell::Text(s.as_str())),
        Cell::DateTime(r.referred_at),
        Cell::Word(r.agency.as_str()),
        Cell::opt(r.consent, Cell::Bool),
    ]
}

pub(crate) fn read_disclosure(f: &mut Fields) -> Option<Disclosure> {
    let id = f.req(0, DisclosureId::parse);
    let route = f.req(1, DisclosureRoute::parse);
    let subject_id = f.req(2, PersonId::parse);
    let at_risk_id = f.req(3, PersonId::parse);
    let received_at = f.req(4, parse_datetime);
    let decided_at = f.opt(5, parse_datetime);
    let decision = f.opt(6, DisclosureDecision::parse);
    let disclosed_at = f.opt(7, parse_datetime);
    let (received_at, decided_at, decision) = (received_at?, decided_at?, decision?);
    if decided_at.is_some() != decision.is_some() {
        f.fail(
            6,
            "a decision and its date (decided_at) go together: give both or neither".into(),
        );
        return None;
    }
    if let Err(e) = vigil_domain::dates::disclosure(received_at, decided_at) {
        f.fail(5, e.reason);
        return None;
    }
    Some(Disclosure {
        id: id?,
        route: route?,
        subject_id: subject_id?,
        at_risk_id: at_risk_id?,
        received_at,
        decided_at,
        decision,
        disclosed_at: disclosed_at?,
    })
}

pub(crate) fn disclosure_cells(d: &Disclosure) -> Vec<Cell<'_>> {
    vec![
        Cell::Text(d.id.as_str()),
        Cell::Word(d.route.as_str()),
        Cell::Text(d.subject_id.as_str()),
        Cell::Text(d.at_risk_id.as_str()),
        Cell::DateTime(d.received_at),
        Cell::opt(d.decided_at, Cell::DateTime),
        Cell::opt(d.decision, |x| Cell::Word(x.as_str())),
        Cell::opt(d.disclosed_at, Cell::DateTime),
    ]
}

pub(crate) fn read_order(f: &mut Fields) -> Option<ProtectionOrder> {
    let id = f.req(0, OrderId::parse);
    let kind = f.req(1, OrderKind::parse);
    let subject_id = f.req(2, PersonId::parse);
    let protected_id = f.req(3, PersonId::parse);
    let incident_id = f.opt(4, IncidentId::parse);
    let issued_at = f.req(5, parse_datetime);
    let expires_at = f.opt(6, parse_datetime);
    let breached_at = f.opt(7, parse_datetime);
    let (issued_at, expires_at) = (issued_at?, expires_at?);
    if let Err(e) = vigil_domain::dates::protection_order(issued_at, expires_at) {
        f.fail(6, e.reason);
        return None;
    }
    Some(ProtectionOrder {
        id: id?,
        kind: kind?,
        subject_id: subject_id?,
        protected_id: protected_id?,
        incident_id: incident_id?,
        issued_at,
        expires_at,
        breached_at: breached_at?,
    })
}

pub(crate) fn order_cells(o: &ProtectionOrder) -> Vec<Cell<'_>> {
    vec![
        Cell::Text(o.id.as_str()),
        Cell::Word(o.kind.as_str()),
        Cell::Text(o.subject_id.as_str()),
        Cell::Text(o.protected_id.as_str()),
        Cell::opt(o.incident_id.as_ref(), |s| Cell::Text(s.as_str())),
        Cell::DateTime(o.issued_at),
        Cell::opt(o.expires_at, Cell::DateTime),
        Cell::opt(o.breached_at, Cell::DateTime),
    ]
}

pub(crate) fn read_staffing(f: &mut Fields) -> Option<StaffingRecord> {
    let as_of = f.req(0, parse_date);
    let team = f.req(1, StaffTeam::parse);
    let lpa = f.opt(2, Lpa::parse);
    let rank = f.req(3, Rank::parse);
    let est = f.req(4, parse_fte);
    let strength = f.req(5, parse_fte);
    let deployable = f.req(6, parse_fte);
    Some(StaffingRecord {
        as_of: as_of?,
        team: team?,
        lpa: lpa?,
        rank: rank?,
        establishment_fte: est?,
        strength_fte: strength?,
        deployable_fte: deployable?,
    })
}

pub(crate) fn staffing_cells(s: &StaffingRecord) -> Vec<Cell<'_>> {
    vec![
        Cell::Date(s.as_of),
        Cell::Word(s.team.as_str()),
        Cell::opt(s.lpa.as_ref(), |l| Cell::Text(l.as_str())),
        Cell::Word(s.rank.as_str()),
        Cell::Decimal(s.establishment_fte),
        Cell::Decimal(s.strength_fte),
        Cell::Decimal(s.deployable_fte),
    ]
}
