//! Vigil's use cases as the web application offers them: each checks the permission table,
//! validates its input field by field, applies the domain rules, and writes through the
//! store with its audit rows. The HTML pages and the JSON API both call these, so a rule
//! holds however a user reaches it.

use crate::App;
use crate::auth::audit_entry;
use crate::components::FieldError;
use serde::Deserialize;
use utoipa::ToSchema;
use vigil_domain::access::{Capability, allows};
use vigil_domain::risk::{
    Answer, Answers, AssessmentStage, GradeThresholds, InstrumentKind, JudgementReason,
    ProfessionalJudgement, assess, instrument,
};
use vigil_domain::routing::{Routing, TeamLoad, route};
use vigil_domain::safeguarding::{Action, CaseFacts, actions_due};
use vigil_domain::time::{Date, DateTime};
use vigil_domain::*;
use vigil_store::{AuditEntry, CaseFile, PersonSearch, Session, StoreError};

/// Why a use case did not complete.
#[derive(Debug)]
pub enum Failure {
    /// No such record, or one the user may not see (the attempt is audited).
    NotFound,
    /// The user's role may not do this at all.
    Forbidden,
    /// The input has problems; nothing was written.
    Invalid(Vec<FieldError>),
    /// A new person looks like people already recorded; the user must pick one or confirm.
    PossibleDuplicates {
        party: &'static str,
        matches: Vec<Person>,
    },
    /// Someone else changed the record first.
    Conflict(String),
    /// The store failed; nothing was written.
    Problem(String),
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => Failure::NotFound,
            StoreError::Conflict { .. } => Failure::Conflict(e.to_string()),
            StoreError::Rejected(issues) => Failure::Invalid(
                issues
                    .into_iter()
                    .map(|i| FieldError::new("code", i.message))
                    .collect(),
            ),
            other => Failure::Problem(other.to_string()),
        }
    }
}

pub type Outcome<T> = Result<T, Failure>;

/// The DAIT caseload per deployable officer above which new medium and high risk
/// investigations go to CID instead (routing's capacity rule). Vigil's default; a force
/// sets its own.
pub const DAIT_CASES_PER_OFFICER: f64 = 12.0;

fn actor(s: &Session) -> &str {
    s.user.username.as_str()
}

/// Checks a capability; a refusal is audited (an attempt to act beyond one's role is worth
/// knowing about).
async fn require(app: &App, s: &Session, c: Capability, what: &str, id: &str) -> Outcome<()> {
    if allows(s.user.role, c) {
        return Ok(());
    }
    let _ = app
        .store
        .audit(&audit_entry(
            actor(s),
            &format!("{what}.denied"),
            what,
            id,
            Some(format!("role {} lacks {c}", s.user.role)),
        ))
        .await;
    Err(Failure::Forbidden)
}

/// Reading one record: a role that may not read cases is answered "not found", and the
/// attempt is audited, so a URL typed by hand reveals nothing.
async fn require_read(app: &App, s: &Session, kind: &str, id: &str) -> Outcome<()> {
    if allows(s.user.role, Capability::ReadCases) {
        return Ok(());
    }
    let _ = app
        .store
        .audit(&audit_entry(
            actor(s),
            &format!("{kind}.read_denied"),
            kind,
            id,
            None,
        ))
        .await;
    Err(Failure::NotFound)
}

async fn audited(app: &App, e: AuditEntry) -> Outcome<()> {
    // No audit row, no read.
    app.store.audit(&e).await.map(|_| ()).map_err(Failure::from)
}

/// An area typed or chosen by a user: a valid name, and one of the force's areas (when the
/// store knows them).
pub fn known_lpa(app: &App, raw: &str) -> Result<Lpa, String> {
    match Lpa::parse(raw.trim()) {
        Ok(l) if app.lpas.is_empty() || app.lpas.contains(&l) => Ok(l),
        Ok(l) => Err(format!(
            "'{l}' is not one of this force's Local Policing Areas"
        )),
        Err(e) => Err(e.reason),
    }
}

/// One fresh id for a record made in Vigil, as its typed id.
async fn new_id<T>(
    app: &App,
    kind: RecordKind,
    parse: fn(&str) -> Result<T, ValueError>,
) -> Outcome<T> {
    let ids = app.store.new_ids(kind, 1).await?;
    parse(&ids[0]).map_err(|e| Failure::Problem(e.reason))
}

/// Writes records added to a case, with the audit row that names what was added.
async fn add_to_case(
    app: &App,
    s: &Session,
    case: &IncidentId,
    what: &str,
    id: &str,
    records: RecordSet,
) -> Outcome<()> {
    let entry = audit_entry(
        actor(s),
        &format!("{what}.create"),
        "case",
        case.as_str(),
        Some(format!("{what} {id}")),
    );
    Ok(app.store.add_records(&records, &[entry]).await?)
}

// ----- parsing helpers: each returns a field error naming the field -----

fn required<'a>(
    errors: &mut Vec<FieldError>,
    field: &str,
    raw: &'a str,
    what: &str,
) -> Option<&'a str> {
    let v = raw.trim();
    if v.is_empty() {
        errors.push(FieldError::new(field, format!("Enter {what}")));
        None
    } else {
        Some(v)
    }
}

fn choice<T>(
    errors: &mut Vec<FieldError>,
    field: &str,
    raw: &str,
    what: &str,
    parse: fn(&str) -> Result<T, ValueError>,
) -> Option<T> {
    let v = raw.trim();
    if v.is_empty() {
        errors.push(FieldError::new(field, format!("Choose {what}")));
        return None;
    }
    match parse(v) {
        Ok(x) => Some(x),
        Err(e) => {
            errors.push(FieldError::new(
                field,
                format!("Choose {what}: {}", e.reason),
            ));
            None
        }
    }
}

/// A date and time as people type them: `2019-08-31T14:05`, `2019-08-31 14:05`,
/// `31/08/2019 14:05`, with or without seconds.
pub fn parse_when(raw: &str) -> Result<DateTime, String> {
    let v = raw.trim();
    for fmt in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y %H:%M:%S",
    ] {
        if let Ok(t) = DateTime::parse_from_str(v, fmt) {
            return Ok(t);
        }
    }
    Err(format!(
        "'{v}' is not a date and time; enter it like 31/08/2019 14:05"
    ))
}

/// A date as people type it: `2019-08-31` or `31/08/2019`.
pub fn parse_day(raw: &str) -> Result<Date, String> {
    let v = raw.trim();
    for fmt in ["%Y-%m-%d", "%d/%m/%Y"] {
        if let Ok(d) = Date::parse_from_str(v, fmt) {
            return Ok(d);
        }
    }
    Err(format!("'{v}' is not a date; enter it like 31/08/2019"))
}

fn when_field(
    errors: &mut Vec<FieldError>,
    field: &str,
    raw: &str,
    what: &str,
    now: DateTime,
) -> Option<DateTime> {
    let v = required(errors, field, raw, what)?;
    match parse_when(v) {
        Ok(t) if t > now + chrono::Duration::minutes(5) => {
            errors.push(FieldError::new(
                field,
                format!("{} must not be in the future", capitalise(what)),
            ));
            None
        }
        Ok(t) => Some(t),
        Err(e) => {
            errors.push(FieldError::new(field, e));
            None
        }
    }
}

fn day_field(
    errors: &mut Vec<FieldError>,
    field: &str,
    raw: &str,
    what: &str,
    today: Date,
) -> Option<Date> {
    let v = required(errors, field, raw, what)?;
    match parse_day(v) {
        Ok(d) if d > today => {
            errors.push(FieldError::new(
                field,
                format!("{} must not be in the future", capitalise(what)),
            ));
            None
        }
        Ok(d) => Some(d),
        Err(e) => {
            errors.push(FieldError::new(field, e));
            None
        }
    }
}

fn capitalise(s: &str) -> String {
    let s = s.strip_prefix("the ").unwrap_or(s);
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn yes_no_unknown(
    errors: &mut Vec<FieldError>,
    field: &str,
    raw: &str,
    what: &str,
) -> Option<Option<bool>> {
    match raw.trim() {
        "yes" => Some(Some(true)),
        "no" => Some(Some(false)),
        "not_known" => Some(None),
        "" => {
            errors.push(FieldError::new(field, format!("Choose whether {what}")));
            None
        }
        other => {
            errors.push(FieldError::new(
                field,
                format!("'{other}' is not an answer; choose yes, no or not known"),
            ));
            None
        }
    }
}

fn text_limit(errors: &mut Vec<FieldError>, field: &str, raw: &str, max: usize) -> Option<String> {
    let v = raw.trim();
    if v.chars().any(char::is_control) {
        errors.push(FieldError::new(field, "Remove the control characters"));
        return None;
    }
    if v.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("Use {max} characters or fewer"),
        ));
        return None;
    }
    (!v.is_empty()).then(|| v.to_owned())
}

// ----- intake -----

/// A person in an intake: either an existing person's reference, or the details of a new
/// one.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PartyInput {
    /// The reference of a person already recorded. When given, the other fields are ignored.
    pub id: String,
    pub family_name: String,
    pub given_names: String,
    /// `female`, `male`, `other` or `unknown`.
    pub sex: String,
    /// `YYYY-MM-DD` or `DD/MM/YYYY`; optional.
    pub birth_date: String,
    pub address: String,
    pub postcode: String,
    /// A refuge or other address that only the CRU may see.
    pub address_confidential: bool,
}

impl PartyInput {
    fn is_empty(&self) -> bool {
        self.id.trim().is_empty()
            && self.family_name.trim().is_empty()
            && self.given_names.trim().is_empty()
    }
}

/// A completed DASH checklist.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DashInput {
    /// One answer per question, in the checklist's order: `yes`, `no` or `not_known`.
    pub answers: Vec<String>,
    /// Professional judgement: `medium` or `high`, only to raise the score's grade.
    pub judgement_grade: String,
    /// Why judgement raised the grade (required with `judgement_grade`).
    pub judgement_reason: String,
}

impl DashInput {
    pub fn is_blank(&self) -> bool {
        self.answers.iter().all(|a| a.trim().is_empty())
            && self.judgement_grade.trim().is_empty()
            && self.judgement_reason.trim().is_empty()
    }
}

/// A domestic abuse incident as the call handler and the attending officer record it.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct IntakeInput {
    /// `emergency`, `priority`, `scheduled` or `other`.
    pub call_grade: String,
    /// When the call was received: `YYYY-MM-DDTHH:MM` or `DD/MM/YYYY HH:MM` (UK time).
    pub reported_at: String,
    /// When the first officer arrived; empty if not yet attended.
    pub arrived_at: String,
    /// The Local Policing Area.
    pub lpa: String,
    pub victim: PartyInput,
    /// Empty when the suspect is not known.
    pub suspect: PartyInput,
    /// `partner`, `ex_partner`, `parent`, `child`, `sibling` or `other_family`.
    pub relationship: String,
    pub children_present: Option<bool>,
    /// The primary DASH. Leave empty to record the incident now and the assessment later.
    pub dash: DashInput,
    /// Set after reading the possible duplicates: the new people are not any of them.
    pub confirm_new_people: bool,
}

/// What an intake produced.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub incident_id: IncidentId,
    pub grade: Option<RiskGrade>,
    pub routing: Option<Routing>,
    pub actions: Vec<Action>,
}

struct ValidDash {
    answers: Answers,
    assessment: vigil_domain::risk::Assessment,
}

fn validate_dash(errors: &mut Vec<FieldError>, d: &DashInput) -> Option<ValidDash> {
    let inst = instrument(InstrumentKind::Dash).expect("DASH is defined");
    let before = errors.len();
    if d.answers.len() > inst.question_count() {
        errors.push(FieldError::new(
            "dash.answers",
            format!(
                "{} answers given; the DASH has {} questions",
                d.answers.len(),
                inst.question_count()
            ),
        ));
        return None;
    }
    let mut answers = Vec::with_capacity(inst.question_count());
    for q in inst.questions {
        let raw = d
            .answers
            .get(usize::from(q.number) - 1)
            .map_or("", |s| s.trim());
        let field = format!("dash.{}", q.number);
        match raw {
            "yes" => answers.push(Answer::Yes),
            "no" => answers.push(Answer::No),
            "not_known" => answers.push(Answer::Unknown),
            "" => errors.push(FieldError::new(
                field,
                format!(
                    "Answer question {} ({}): yes, no or not known",
                    q.number,
                    q.label.to_lowercase()
                ),
            )),
            other => errors.push(FieldError::new(
                field,
                format!(
                    "Question {}: '{other}' is not an answer; choose yes, no or not known",
                    q.number
                ),
            )),
        }
    }
    let judgement = match (d.judgement_grade.trim(), d.judgement_reason.trim()) {
        ("", "") => None,
        ("", _) => {
            errors.push(FieldError::new(
                "dash.judgement_grade",
                "Choose the grade professional judgement raises the risk to, or clear the reason",
            ));
            None
        }
        (g, r) => {
            let grade = choice(
                errors,
                "dash.judgement_grade",
                g,
                "the grade professional judgement raises the risk to",
                RiskGrade::parse,
            );
            let reason = match JudgementReason::parse(r) {
                Ok(r) => Some(r),
                Err(e) => {
                    errors.push(FieldError::new(
                        "dash.judgement_reason",
                        format!("Give the reason for professional judgement: {}", e.reason),
                    ));
                    None
                }
            };
            grade
                .zip(reason)
                .map(|(grade, reason)| ProfessionalJudgement { grade, reason })
        }
    };
    if errors.len() > before {
        return None;
    }
    let answers = Answers::from_vec(answers);
    match assess(&answers, GradeThresholds::default_for(inst), judgement) {
        Ok(assessment) => Some(ValidDash {
            answers,
            assessment,
        }),
        Err(e) => {
            errors.push(FieldError::new("dash.judgement_grade", e.reason));
            None
        }
    }
}

enum Party {
    Existing(PersonId),
    New(Person),
}

fn validate_party(
    errors: &mut Vec<FieldError>,
    prefix: &str,
    p: &PartyInput,
    lpa: Option<&Lpa>,
    today: Date,
) -> Option<Party> {
    if !p.id.trim().is_empty() {
        return match PersonId::parse(p.id.trim()) {
            Ok(id) => Some(Party::Existing(id)),
            Err(e) => {
                errors.push(FieldError::new(format!("{prefix}.id"), e.reason));
                None
            }
        };
    }
    let before = errors.len();
    let family = required(
        errors,
        &format!("{prefix}.family_name"),
        &p.family_name,
        "the family name, or the reference of a person already recorded",
    )
    .and_then(|_| {
        text_limit(
            errors,
            &format!("{prefix}.family_name"),
            &p.family_name,
            100,
        )
    });
    let given = text_limit(
        errors,
        &format!("{prefix}.given_names"),
        &p.given_names,
        100,
    );
    let sex = choice(
        errors,
        &format!("{prefix}.sex"),
        &p.sex,
        "the sex",
        Sex::parse,
    );
    let birth = if p.birth_date.trim().is_empty() {
        None
    } else {
        day_field(
            errors,
            &format!("{prefix}.birth_date"),
            &p.birth_date,
            "the date of birth",
            today,
        )
    };
    let address = text_limit(errors, &format!("{prefix}.address"), &p.address, 200);
    let postcode = text_limit(errors, &format!("{prefix}.postcode"), &p.postcode, 10)
        .map(|s| s.to_uppercase());
    if errors.len() > before {
        return None;
    }
    Some(Party::New(Person {
        // Replaced by a fresh id when saved.
        id: PersonId::parse("new").expect("valid id"),
        sex: sex?,
        birth_date: birth,
        ethnicity: Ethnicity::NotStated,
        lpa: lpa.cloned(),
        identity: Identity {
            family_name: family,
            given_names: given,
            address,
            postcode,
        },
        address_confidential: p.address_confidential,
    }))
}

/// The load the routing rule weighs: open DAIT cases against the area's deployable
/// officers. Without a staffing return the DAIT is taken to have room.
async fn dait_load(app: &App, lpa: &Lpa) -> Outcome<TeamLoad> {
    let load = app.store.dait_load(lpa).await?;
    let capacity = load.deployable_fte.map_or(u32::MAX, |fte| {
        (fte * DAIT_CASES_PER_OFFICER).round().max(0.0) as u32
    });
    Ok(TeamLoad {
        open_cases: load.open_cases,
        capacity,
    })
}

pub async fn record_incident(app: &App, s: &Session, input: &IntakeInput) -> Outcome<Recorded> {
    require(app, s, Capability::RecordIncident, "incident", "new").await?;
    let now = vigil_auth::now_utc();
    let today = now.date();
    let mut errors = Vec::new();
    let call_grade = choice(
        &mut errors,
        "call_grade",
        &input.call_grade,
        "the call grade",
        CallGrade::parse,
    );
    let reported_at = when_field(
        &mut errors,
        "reported_at",
        &input.reported_at,
        "when the call was received",
        now,
    );
    let arrived_at = if input.arrived_at.trim().is_empty() {
        None
    } else {
        when_field(
            &mut errors,
            "arrived_at",
            &input.arrived_at,
            "when the first officer arrived",
            now,
        )
    };
    if let Some(r) = reported_at
        && let Err(e) = vigil_domain::dates::incident(r, arrived_at)
    {
        errors.push(FieldError::new(e.field, capitalise(&e.reason)));
    }
    let lpa = required(&mut errors, "lpa", &input.lpa, "the Local Policing Area").and_then(|l| {
        known_lpa(app, l)
            .map_err(|e| errors.push(FieldError::new("lpa", e)))
            .ok()
    });
    let relationship = choice(
        &mut errors,
        "relationship",
        &input.relationship,
        "the relationship of the suspect to the victim",
        Relationship::parse,
    );
    if input.children_present.is_none() {
        errors.push(FieldError::new(
            "children_present",
            "Choose whether children were present",
        ));
    }
    let victim = validate_party(&mut errors, "victim", &input.victim, lpa.as_ref(), today);
    let suspect = if input.suspect.is_empty() {
        None
    } else {
        validate_party(&mut errors, "suspect", &input.suspect, lpa.as_ref(), today)
    };
    let dash = if input.dash.is_blank() {
        None
    } else {
        validate_dash(&mut errors, &input.dash)
    };
    // Existing people must exist (and a reference typed wrongly is a field error, not a
    // failure of the whole request).
    for (field, party) in [
        ("victim.id", victim.as_ref()),
        ("suspect.id", suspect.as_ref()),
    ] {
        if let Some(Party::Existing(id)) = party {
            match app.store.person(id).await {
                Ok(_) => {}
                Err(StoreError::NotFound { .. }) => errors.push(FieldError::new(field, format!("No person has the reference '{id}'; search for them, or enter a new person's details"))),
                Err(e) => return Err(e.into()),
            }
        }
    }
    // Nobody takes part in an incident before they were born.
    for (prefix, party) in [("victim", victim.as_ref()), ("suspect", suspect.as_ref())] {
        if let (Some(r), Some(Party::New(p))) = (reported_at, party)
            && let Some(born) = p.birth_date
            && let Err(e) = vigil_domain::dates::born_by(born, r)
        {
            errors.push(FieldError::new(
                format!("{prefix}.{}", e.field),
                capitalise(&e.reason),
            ));
        }
    }
    if let (Some(Party::Existing(v)), Some(Party::Existing(x))) = (&victim, &suspect)
        && v == x
    {
        errors.push(FieldError::new(
            "suspect.id",
            "The suspect cannot be the victim",
        ));
    }
    if !errors.is_empty() {
        return Err(Failure::Invalid(errors));
    }
    let (call_grade, reported_at, lpa, relationship, victim) = (
        call_grade.expect("checked"),
        reported_at.expect("checked"),
        lpa.expect("checked"),
        relationship.expect("checked"),
        victim.expect("checked"),
    );
    if !input.confirm_new_people {
        for (party, p) in [("victim", Some(&victim)), ("suspect", suspect.as_ref())] {
            if let Some(Party::New(p)) = p {
                let matches = app
                    .store
                    .search_people(&PersonSearch {
                        family_name: p.identity.family_name.clone().unwrap_or_default(),
                        whole_family_name: true,
                        given_names: p.identity.given_names.clone(),
                        birth_date: p.birth_date,
                        limit: 10,
                    })
                    .await?;
                if !matches.is_empty() {
                    // The matches are shown to the user: a read of those people's records.
                    let ids: Vec<&str> = matches.iter().map(|m| m.id.as_str()).collect();
                    audited(
                        app,
                        audit_entry(
                            actor(s),
                            "person.search",
                            "person",
                            &ids.join(" "),
                            Some(format!("possible duplicates of a new {party}")),
                        ),
                    )
                    .await?;
                    return Err(Failure::PossibleDuplicates { party, matches });
                }
            }
        }
    }

    // Ids, then one all-or-nothing write.
    let new_people = [Some(&victim), suspect.as_ref()]
        .iter()
        .flatten()
        .filter(|p| matches!(p, Party::New(_)))
        .count();
    let mut person_ids = app
        .store
        .new_ids(RecordKind::Person, new_people)
        .await?
        .into_iter();
    let incident_id = new_id(app, RecordKind::Incident, IncidentId::parse).await?;
    let mut records = RecordSet::default();
    let mut audit = Vec::new();
    let mut resolve = |party: Party, records: &mut RecordSet| -> Outcome<PersonId> {
        match party {
            Party::Existing(id) => Ok(id),
            Party::New(mut p) => {
                p.id = PersonId::parse(&person_ids.next().expect("one id per new person"))
                    .map_err(|e| Failure::Problem(e.reason))?;
                let id = p.id.clone();
                records.persons.push(p);
                Ok(id)
            }
        }
    };
    let victim_id = resolve(victim, &mut records)?;
    let suspect_id = match suspect {
        Some(p) => Some(resolve(p, &mut records)?),
        None => None,
    };
    for p in &records.persons {
        audit.push(audit_entry(
            actor(s),
            "person.create",
            "person",
            p.id.as_str(),
            None,
        ));
    }
    let grade = dash.as_ref().map(|d| d.assessment.grade);
    records.incidents.push(Incident {
        id: incident_id.clone(),
        reported_at,
        lpa: lpa.clone(),
        call_grade,
        arrived_at,
        response_target_met: None,
        victim_id: victim_id.clone(),
        suspect_id: suspect_id.clone(),
        relationship,
        children_present: input.children_present.unwrap_or(false),
        risk_level: grade,
        dash_yes_count: dash.as_ref().map(|d| d.assessment.yes_count as u8),
    });
    audit.push(audit_entry(
        actor(s),
        "case.create",
        "case",
        incident_id.as_str(),
        None,
    ));
    if let Some(d) = &dash {
        let id = new_id(app, RecordKind::Assessment, AssessmentId::parse).await?;
        records.risk_assessments.push(assessment_record(
            id,
            &incident_id,
            AssessmentStage::Primary,
            now,
            d,
        ));
        audit.push(audit_entry(
            actor(s),
            "assessment.create",
            "case",
            incident_id.as_str(),
            d.assessment
                .judgement
                .as_ref()
                .map(|j| format!("professional judgement: {}", j.reason.as_str())),
        ));
    }
    app.store.add_records(&records, &audit).await?;
    let routing = match grade {
        Some(g) => Some(route(g, dait_load(app, &lpa).await?)),
        None => None,
    };
    let case = app.store.case_file(&incident_id).await?;
    let actions = case_actions(app, &case).await?;
    Ok(Recorded {
        incident_id,
        grade,
        routing,
        actions,
    })
}

fn assessment_record(
    id: AssessmentId,
    incident: &IncidentId,
    stage: AssessmentStage,
    at: DateTime,
    d: &ValidDash,
) -> RiskAssessment {
    RiskAssessment {
        id,
        incident_id: incident.clone(),
        stage,
        instrument: InstrumentKind::Dash,
        assessed_at: at,
        answers: d.answers.to_code(),
        yes_count: d.assessment.yes_count as u8,
        grade: d.assessment.grade,
        judgement_raised: d.assessment.judgement_raised(),
    }
}

/// The grade a case now carries (the domain's rule: `vigil_domain::case::current_grade`).
pub fn current_grade(c: &CaseFile) -> Option<RiskGrade> {
    vigil_domain::case::current_grade(c.incident.risk_level, &c.assessments)
}

/// The actions due on a case, from its facts and the victim's and suspect's histories.
pub async fn case_actions(app: &App, c: &CaseFile) -> Outcome<Vec<Action>> {
    let i = &c.incident;
    let victim_history = app.store.incidents_of(&i.victim_id).await?;
    let victim_incidents: Vec<DateTime> = victim_history
        .iter()
        .filter(|x| x.victim_id == i.victim_id && x.id != i.id)
        .map(|x| x.reported_at)
        .collect();
    let victim_referrals: Vec<(ReferralKind, DateTime)> = app
        .store
        .referrals_of(&i.victim_id)
        .await?
        .into_iter()
        .map(|r| (r.kind, r.referred_at))
        .collect();
    let suspect_history: Vec<(PersonId, Relationship, DateTime)> = match &i.suspect_id {
        Some(sid) => app
            .store
            .incidents_of(sid)
            .await?
            .into_iter()
            .filter(|x| x.suspect_id.as_ref() == Some(sid) && x.id != i.id)
            .map(|x| (x.victim_id, x.relationship, x.reported_at))
            .collect(),
        None => Vec::new(),
    };
    let stages: Vec<AssessmentStage> = c.assessments.iter().map(|a| a.stage).collect();
    let judged_high = c
        .assessments
        .iter()
        .any(|a| a.judgement_raised && a.grade == RiskGrade::High);
    let actions = actions_due(
        &CaseFacts {
            incident: i,
            grade: current_grade(c),
            judged_high_risk: judged_high,
            stages: &stages,
            victim_incidents: &victim_incidents,
            victim_referrals: &victim_referrals,
            suspect_history: &suspect_history,
        },
        &vigil_domain::marac::MaracCriteria::default(),
        &vigil_domain::deadlines::SchoolCalendar::default(),
    );
    Ok(actions)
}

/// Routing for a case as it stands (grade after any secondary assessment, today's load).
pub async fn case_routing(app: &App, c: &CaseFile) -> Outcome<Option<Routing>> {
    match current_grade(c) {
        Some(g) => Ok(Some(route(g, dait_load(app, &c.incident.lpa).await?))),
        None => Ok(None),
    }
}

// ----- reading records -----

pub async fn read_case(app: &App, s: &Session, raw: &str) -> Outcome<CaseFile> {
    require_read(app, s, "case", raw).await?;
    let id = IncidentId::parse(raw).map_err(|_| Failure::NotFound)?;
    let c = app.store.case_file(&id).await?;
    audited(
        app,
        audit_entry(actor(s), "case.read", "case", id.as_str(), None),
    )
    .await?;
    Ok(c)
}

/// A person's record and what is linked to it.
pub struct PersonRecord {
    /// Already redacted for the reader's role (see [`redact`]).
    pub person: Person,
    /// An address exists that the reader may not see.
    pub address_withheld: bool,
    /// The reader may see a confidential address but must first say why.
    pub reason_needed: bool,
    pub incidents: Vec<Incident>,
    pub referrals: Vec<Referral>,
}

/// Reads a person's record. A confidential (refuge) address is a sensitive read: even a
/// role that may see it gets it only when the reader gives a reason, and the reason is
/// written to the audit trail with the read.
pub async fn read_person(app: &App, s: &Session, raw: &str, reason: &str) -> Outcome<PersonRecord> {
    require_read(app, s, "person", raw).await?;
    let id = PersonId::parse(raw).map_err(|_| Failure::NotFound)?;
    let person = app.store.person(&id).await?.record;
    let reason = reason.trim();
    let sensitive = vigil_domain::visibility::needs_reason(s.user.role, &person);
    let reason_ok = sensitive && !reason.is_empty();
    if reason_ok {
        let mut errors = Vec::new();
        if reason.chars().count() < 10 {
            errors.push(FieldError::new("reason", "Say why you need the confidential address (at least 10 characters); it is written to the audit trail"));
        }
        text_limit(&mut errors, "reason", reason, 500);
        if !errors.is_empty() {
            return Err(Failure::Invalid(errors));
        }
    }
    audited(
        app,
        if reason_ok {
            audit_entry(
                actor(s),
                "person.read_confidential_address",
                "person",
                id.as_str(),
                Some(reason.to_owned()),
            )
        } else {
            audit_entry(actor(s), "person.read", "person", id.as_str(), None)
        },
    )
    .await?;
    let (person, address_withheld) = redact(s, person, reason_ok);
    Ok(PersonRecord {
        incidents: app.store.incidents_of(&id).await?,
        referrals: app.store.referrals_of(&id).await?,
        reason_needed: sensitive && !reason_ok,
        address_withheld,
        person,
    })
}

/// A person as the session's role may see them (the domain's rule:
/// `vigil_domain::visibility`). Returns whether an address was withheld.
pub fn redact(s: &Session, p: Person, reason_given: bool) -> (Person, bool) {
    vigil_domain::visibility::person_as_seen(s.user.role, p, reason_given)
}

/// A search: by name (and date of birth), by a person's or a case's reference, or by the day
/// incidents were reported.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema, utoipa::IntoParams)]
#[serde(default, deny_unknown_fields)]
pub struct SearchInput {
    /// A person's or a case's reference.
    pub reference: String,
    /// The start of a family name.
    pub family_name: String,
    /// The start of the given names.
    pub given_names: String,
    pub birth_date: String,
    /// Incidents reported on this day.
    pub date: String,
    /// Limits the day's incidents to one area.
    pub lpa: String,
}

pub enum Found {
    /// Nothing was asked.
    Nothing,
    Person(PersonId),
    Case(IncidentId),
    People(Vec<Person>),
    Incidents(Vec<Incident>),
}

pub async fn search(app: &App, s: &Session, q: &SearchInput) -> Outcome<Found> {
    require_read(app, s, "search", "").await?;
    let mut errors = Vec::new();
    let today = vigil_auth::now_utc().date();
    if !q.reference.trim().is_empty() {
        let r = q.reference.trim();
        if let Ok(id) = PersonId::parse(r)
            && app.store.person(&id).await.is_ok()
        {
            return Ok(Found::Person(id));
        }
        if let Ok(id) = IncidentId::parse(r)
            && app.store.case_file(&id).await.is_ok()
        {
            return Ok(Found::Case(id));
        }
        errors.push(FieldError::new(
            "reference",
            format!("No person or case has the reference '{r}'"),
        ));
        return Err(Failure::Invalid(errors));
    }
    if !q.family_name.trim().is_empty() {
        let birth = if q.birth_date.trim().is_empty() {
            None
        } else {
            day_field(
                &mut errors,
                "birth_date",
                &q.birth_date,
                "the date of birth",
                today,
            )
        };
        text_limit(&mut errors, "family_name", &q.family_name, 100);
        text_limit(&mut errors, "given_names", &q.given_names, 100);
        if !errors.is_empty() {
            return Err(Failure::Invalid(errors));
        }
        let people = app
            .store
            .search_people(&PersonSearch {
                family_name: q.family_name.trim().to_owned(),
                whole_family_name: false,
                given_names: Some(q.given_names.trim().to_owned()).filter(|g| !g.is_empty()),
                birth_date: birth,
                limit: 50,
            })
            .await?;
        // Names were read: the people listed are audited as a search.
        let ids: Vec<&str> = people.iter().map(|p| p.id.as_str()).collect();
        audited(
            app,
            audit_entry(actor(s), "person.search", "person", &ids.join(" "), None),
        )
        .await?;
        return Ok(Found::People(people));
    }
    if !q.date.trim().is_empty() {
        let day = day_field(&mut errors, "date", &q.date, "the day", today);
        let lpa = if q.lpa.trim().is_empty() {
            None
        } else {
            match Lpa::parse(q.lpa.trim()) {
                Ok(l) => Some(l),
                Err(e) => {
                    errors.push(FieldError::new("lpa", e.reason));
                    None
                }
            }
        };
        if !errors.is_empty() {
            return Err(Failure::Invalid(errors));
        }
        let found = app
            .store
            .incidents_on(day.expect("checked"), lpa.as_ref(), 200)
            .await?;
        let ids: Vec<&str> = found.iter().map(|i| i.id.as_str()).collect();
        audited(
            app,
            audit_entry(actor(s), "case.search", "case", &ids.join(" "), None),
        )
        .await?;
        return Ok(Found::Incidents(found));
    }
    Ok(Found::Nothing)
}

// ----- recording on a case -----

/// A case the user may change: it must exist and the role must hold `c`.
async fn writable_case(
    app: &App,
    s: &Session,
    raw: &str,
    c: Capability,
    what: &str,
) -> Outcome<CaseFile> {
    require_read(app, s, "case", raw).await?;
    let id = IncidentId::parse(raw).map_err(|_| Failure::NotFound)?;
    let case = app.store.case_file(&id).await?;
    require(app, s, c, what, raw).await?;
    Ok(case)
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct OffenceInput {
    /// The offence group, e.g. `violence_with_injury`, `coercive_control`.
    pub offence_group: String,
    /// The Home Office offence code, if known.
    pub ho_code: String,
    /// When the offence was committed.
    pub offence_date: String,
    /// When it was recorded as a crime; today if empty.
    pub recorded_date: String,
    /// Whether body-worn video captured evidence.
    pub bwv_captured: bool,
    /// `lpt`, `dait`, `cid` or `other`; the routing rule's team if empty.
    pub team: String,
}

pub async fn add_offence(
    app: &App,
    s: &Session,
    case_id: &str,
    input: &OffenceInput,
) -> Outcome<OffenceId> {
    let case = writable_case(app, s, case_id, Capability::RecordInvestigation, "offence").await?;
    let today = vigil_auth::now_utc().date();
    let i = &case.incident;
    let mut errors = Vec::new();
    let group = choice(
        &mut errors,
        "offence_group",
        &input.offence_group,
        "the offence",
        OffenceGroup::parse,
    );
    let committed = day_field(
        &mut errors,
        "offence_date",
        &input.offence_date,
        "the date the offence was committed",
        today,
    );
    let recorded = if input.recorded_date.trim().is_empty() {
        Some(today)
    } else {
        day_field(
            &mut errors,
            "recorded_date",
            &input.recorded_date,
            "the date the crime was recorded",
            today,
        )
    };
    for e in vigil_domain::dates::offence_in_case(i.reported_at, committed, recorded) {
        errors.push(FieldError::new(e.field, capitalise(&e.reason)));
    }
    let ho_code = text_limit(&mut errors, "ho_code", &input.ho_code, 10);
    let team = if input.team.trim().is_empty() {
        None
    } else {
        choice(
            &mut errors,
            "team",
            &input.team,
            "the investigating team",
            InvestigatingTeam::parse,
        )
    };
    if !errors.is_empty() {
        return Err(Failure::Invalid(errors));
    }
    let grade = current_grade(&case);
    let team = match team {
        Some(t) => t,
        None => case_routing(app, &case)
            .await?
            .map_or(InvestigatingTeam::Lpt, |r| r.investigation),
    };
    let id = new_id(app, RecordKind::Offence, OffenceId::parse).await?;
    let records = RecordSet {
        offences: vec![Offence {
            id: id.clone(),
            incident_id: i.id.clone(),
            ho_code,
            offence_group: group.expect("checked"),
            offence_date: committed.expect("checked"),
            recorded_date: recorded.expect("checked"),
            victim_id: i.victim_id.clone(),
            suspect_id: i.suspect_id.clone(),
            risk_level: grade,
            team,
            outcome: None,
            bwv_captured: input.bwv_captured,
        }],
        ..Default::default()
    };
    add_to_case(app, s, &i.id, "offence", id.as_str(), records).await?;
    Ok(id)
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ArrestInput {
    /// The person arrested: the case's suspect if empty.
    pub person_id: String,
    /// The offence the arrest is for, if one.
    pub offence_id: String,
    pub arrested_at: String,
    /// `yes`, `no` or `not_known`.
    pub bwv_shown_in_interview: String,
    /// `charge`, `caution`, `released_under_investigation`, `bail`, `no_further_action`,
    /// `other`; empty while pending.
    pub disposal: String,
}

pub async fn add_arrest(
    app: &App,
    s: &Session,
    case_id: &str,
    input: &ArrestInput,
) -> Outcome<ArrestId> {
    let case = writable_case(app, s, case_id, Capability::RecordInvestigation, "arrest").await?;
    let now = vigil_auth::now_utc();
    let i = &case.incident;
    let mut errors = Vec::new();
    let person = if input.person_id.trim().is_empty() {
        match &i.suspect_id {
            Some(p) => Some(p.clone()),
            None => {
                errors.push(FieldError::new("person_id", "Enter the reference of the person arrested (this case has no suspect recorded)"));
                None
            }
        }
    } else {
        match PersonId::parse(input.person_id.trim()) {
            Ok(p) if Some(&p) == i.suspect_id.as_ref() || p == i.victim_id => Some(p),
            Ok(p) => {
                errors.push(FieldError::new("person_id", format!("'{p}' is not a party to this case; an arrest is recorded on the case of the person arrested")));
                None
            }
            Err(e) => {
                errors.push(FieldError::new("person_id", e.reason));
                None
            }
        }
    };
    let offence = if input.offence_id.trim().is_empty() {
        None
    } else {
        match case
            .offences
            .iter()
            .find(|o| o.id.as_str() == input.offence_id.trim())
        {
            Some(o) => Some(o.id.clone()),
            None => {
                errors.push(FieldError::new(
                    "offence_id",
                    "Choose one of this case's offences, or none",
                ));
                None
            }
        }
    };
    let at = when_field(
        &mut errors,
        "arrested_at",
        &input.arrested_at,
        "when the arrest was made",
        now,
    );
    if let Some(t) = at
        && let Err(e) = vigil_domain::dates::arrest_in_case(i.reported_at, t)
    {
        errors.push(FieldError::new(e.field, capitalise(&e.reason)));
    }
    let bwv = if input.bwv_shown_in_interview.trim().is_empty() {
        Some(None)
    } else {
        yes_no_unknown(
            &mut errors,
            "bwv_shown_in_interview",
            &input.bwv_shown_in_interview,
            "body-worn video was shown in interview",
        )
    };
    let disposal = if input.disposal.trim().is_empty() {
        None
    } else {
        choice(
            &mut errors,
            "disposal",
            &input.disposal,
            "the disposal",
            ArrestDisposal::parse,
        )
    };
    if !errors.is_empty() {
        return Err(Failure::Invalid(errors));
    }
    let id = new_id(app, RecordKind::Arrest, ArrestId::parse).await?;
    let records = RecordSet {
        arrests: vec![Arrest {
            id: id.clone(),
            person_id: person.expect("checked"),
            incident_id: Some(i.id.clone()),
            offence_id: offence,
            arrested_at: at.expect("checked"),
            bwv_shown_in_interview: bwv.expect("checked"),
            disposal,
        }],
        ..Default::default()
    };
    add_to_case(app, s, &i.id, "arrest", id.as_str(), records).await?;
    Ok(id)
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ReferralInput {
    /// `marac`, `idva`, `mash`, `encompass` or `other`.
    pub kind: String,
    /// `yes`, `no` or `not_known`: whether the victim consented.
    pub consent: String,
}

pub async fn add_referral(
    app: &App,
    s: &Session,
    case_id: &str,
    input: &ReferralInput,
) -> Outcome<ReferralId> {
    require_read(app, s, "case", case_id).await?;
    let id = IncidentId::parse(case_id).map_err(|_| Failure::NotFound)?;
    let case = app.store.case_file(&id).await?;
    // Investigators and the CRU both refer victims on.
    if !allows(s.user.role, Capability::RecordInvestigation) {
        require(app, s, Capability::Safeguard, "referral", case_id).await?;
    }
    let mut errors = Vec::new();
    let kind = choice(
        &mut errors,
        "kind",
        &input.kind,
        "where the referral goes",
        ReferralKind::parse,
    );
    let consent = yes_no_unknown(
        &mut errors,
        "consent",
        &input.consent,
        "the victim consented",
    );
    if !errors.is_empty() {
        return Err(Failure::Invalid(errors));
    }
    let rid = new_id(app, RecordKind::Referral, ReferralId::parse).await?;
    let records = RecordSet {
        referrals: vec![Referral {
            id: rid.clone(),
            kind: kind.expect("checked"),
            person_id: case.incident.victim_id.clone(),
            incident_id: Some(id.clone()),
            referred_at: vigil_auth::now_utc(),
            agency: Agency::Police,
            consent: consent.expect("checked"),
        }],
        ..Default::default()
    };
    add_to_case(app, s, &id, "referral", rid.as_str(), records).await?;
    Ok(rid)
}

/// Adds a DASH assessment to a case: the primary one when the incident was recorded without
/// it (any role that records incidents), or the DAIT sergeant's secondary review.
pub async fn add_assessment(
    app: &App,
    s: &Session,
    case_id: &str,
    stage: AssessmentStage,
    input: &DashInput,
) -> Outcome<RiskGrade> {
    let needed = match stage {
        AssessmentStage::Primary => Capability::RecordIncident,
        AssessmentStage::Secondary => Capability::SecondaryAssessment,
    };
    let case = writable_case(app, s, case_id, needed, "assessment").await?;
    let has_primary = case.incident.risk_level.is_some()
        || case
            .assessments
            .iter()
            .any(|a| a.stage == AssessmentStage::Primary);
    let mut errors = Vec::new();
    match stage {
        AssessmentStage::Primary if has_primary => errors.push(FieldError::new("dash", "This case already has a primary assessment; a DAIT sergeant reviews it with a secondary assessment")),
        AssessmentStage::Secondary if !has_primary => errors.push(FieldError::new("dash", "Record the primary assessment first")),
        _ => {}
    }
    let dash = validate_dash(&mut errors, input);
    if !errors.is_empty() {
        return Err(Failure::Invalid(errors));
    }
    let d = dash.expect("checked");
    let id = new_id(app, RecordKind::Assessment, AssessmentId::parse).await?;
    let record = assessment_record(id, &case.incident.id, stage, vigil_auth::now_utc(), &d);
    let reason = d
        .assessment
        .judgement
        .as_ref()
        .map(|j| format!("professional judgement: {}", j.reason.as_str()));
    let entry = audit_entry(
        actor(s),
        &format!("assessment.{stage}"),
        "case",
        case.incident.id.as_str(),
        reason,
    );
    match stage {
        AssessmentStage::Secondary => app.store.add_secondary_assessment(&record, &entry).await?,
        AssessmentStage::Primary => {
            // The incident carries the primary grade; it was recorded without one, so the
            // assessment row is the record of it.
            app.store
                .add_records(
                    &RecordSet {
                        risk_assessments: vec![record],
                        ..Default::default()
                    },
                    &[entry],
                )
                .await?
        }
    }
    Ok(d.assessment.grade)
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct OutcomeInput {
    /// The outcome code: `1`, `1A`, `2` … `22`.
    pub code: String,
    /// The date of the outcome; today if empty.
    pub date: String,
    /// The victim's withdrawal of support is recorded (needed for outcome 16).
    pub victim_withdrawal_recorded: bool,
    /// The offence's version as read; a change by someone else since is refused.
    #[serde(deserialize_with = "whole_number")]
    pub version: i64,
    /// Set after reading the warnings about an unusual outcome.
    pub confirm_warnings: bool,
}

pub async fn record_outcome(
    app: &App,
    s: &Session,
    offence_raw: &str,
    input: &OutcomeInput,
) -> Outcome<i64> {
    require_read(app, s, "offence", offence_raw).await?;
    let id = OffenceId::parse(offence_raw).map_err(|_| Failure::NotFound)?;
    let current = app.store.offence(&id).await?;
    require(
        app,
        s,
        Capability::RecordInvestigation,
        "offence",
        offence_raw,
    )
    .await?;
    let today = vigil_auth::now_utc().date();
    let mut errors = Vec::new();
    let code = choice(
        &mut errors,
        "code",
        &input.code,
        "the outcome",
        OutcomeCode::parse,
    );
    let date = if input.date.trim().is_empty() {
        Some(today)
    } else {
        day_field(
            &mut errors,
            "date",
            &input.date,
            "the date of the outcome",
            today,
        )
    };
    if input.version < 1 {
        errors.push(FieldError::new(
            "version",
            "Reload the offence: the form did not say which version you edited",
        ));
    }
    if !errors.is_empty() {
        return Err(Failure::Invalid(errors));
    }
    let outcome = vigil_domain::Outcome {
        code: code.expect("checked"),
        date: date.expect("checked"),
    };
    let issues = vigil_domain::outcome::validate_outcome(&vigil_domain::outcome::OutcomeContext {
        code: outcome.code,
        outcome_date: outcome.date,
        recorded_date: current.record.recorded_date,
        domestic_abuse: true,
        victim_withdrawal_recorded: input.victim_withdrawal_recorded,
        provenance: vigil_domain::outcome::Provenance::RecordedInVigil,
    });
    let (errs, warns): (Vec<_>, Vec<_>) = issues
        .into_iter()
        .partition(|i| i.severity == vigil_domain::outcome::Severity::Error);
    if !errs.is_empty() {
        return Err(Failure::Invalid(
            errs.into_iter()
                .map(|i| FieldError::new("code", i.message))
                .collect(),
        ));
    }
    if !warns.is_empty() && !input.confirm_warnings {
        return Err(Failure::Invalid(
            warns
                .into_iter()
                .map(|i| {
                    FieldError::new(
                        "confirm_warnings",
                        format!("{} Tick to confirm you have read this.", i.message),
                    )
                })
                .collect(),
        ));
    }
    let entry = audit_entry(
        actor(s),
        "offence.outcome",
        "case",
        current.record.incident_id.as_str(),
        Some(format!("offence {id}: outcome {}", outcome.code)),
    );
    Ok(app
        .store
        .record_outcome(
            &id,
            outcome,
            input.victim_withdrawal_recorded,
            input.version,
            &entry,
        )
        .await?)
}

/// A whole number however JSON spells it: `3` or `3.0` (JSON does not tell integers from
/// other numbers; a client may send either).
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    n.as_i64()
        .or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        })
        .ok_or_else(|| serde::de::Error::custom(format!("{n} is not a whole number")))
}

// ----- partner agencies -----

pub async fn shared(app: &App, s: &Session) -> Outcome<Vec<vigil_store::SharedReferral>> {
    require(app, s, Capability::ReadShared, "shared", "").await?;
    // A partner-agency user always has an agency (`vigil user add` insists on it).
    let Some(agency) = s.user.agency else {
        return Err(Failure::Forbidden);
    };
    // The store pre-selects by kind and agency (indexed); the domain's rule decides.
    let mut list = app
        .store
        .shared_referrals(
            vigil_domain::sharing::kinds_shared_with(agency),
            agency,
            500,
        )
        .await?;
    list.retain(|r| {
        vigil_domain::sharing::is_shared_with(agency, r.referral.kind, r.referral.agency)
    });
    let ids: Vec<&str> = list.iter().map(|r| r.referral.person_id.as_str()).collect();
    audited(
        app,
        audit_entry(
            actor(s),
            "shared.read",
            "person",
            &ids.join(" "),
            Some(format!("shared with {agency}")),
        ),
    )
    .await?;
    Ok(list)
}

// ----- team queues -----

/// The area a queue shows: the one asked for, `all` (or empty) for every area, and, when
/// none is asked for, the user's home area.
pub fn queue_area<'a>(s: &'a Session, asked: Option<&'a str>) -> &'a str {
    match asked.map(str::trim) {
        None => s.user.lpa.as_ref().map_or("", |l| l.as_str()),
        Some("all") => "",
        Some(l) => l,
    }
}

/// A team's queue and how to read its ages.
pub struct QueueView {
    pub items: Vec<vigil_store::QueueItem>,
    /// The day waiting is counted to: the data date of an imported store, else today.
    pub reference: Date,
    /// Items waiting longer than this are overdue: 7 days for a high-risk victim without a
    /// MARAC referral, 28 for an open investigation.
    pub mark_days: i64,
    /// The CRU's queue holds the high-risk incidents reported since this day.
    pub since: Option<Date>,
}

/// How far back the CRU's queue looks: six months of high-risk incidents whose victim has
/// not been referred to MARAC since. Older ones are history (the person page and search
/// still find them), not a safeguarding queue. Vigil's default.
pub const CRU_WINDOW_DAYS: i64 = 183;

pub async fn queue(
    app: &App,
    s: &Session,
    queue: vigil_domain::access::Queue,
    lpa: Option<&Lpa>,
) -> Outcome<QueueView> {
    if !vigil_domain::access::queues(s.user.role).contains(&queue) {
        let _ = app
            .store
            .audit(&audit_entry(
                actor(s),
                "queue.read_denied",
                "queue",
                queue.slug(),
                None,
            ))
            .await;
        return Err(Failure::NotFound);
    }
    let info = app.store.extract_info().await?;
    let reference = info.map_or_else(|| vigil_auth::now_utc().date(), |i| i.as_of);
    let since = (queue == vigil_domain::access::Queue::Cru)
        .then(|| reference - chrono::Duration::days(CRU_WINDOW_DAYS));
    let mut items = app
        .store
        .queue(
            queue,
            lpa,
            since.map(|d| d.and_hms_opt(0, 0, 0).expect("midnight")),
            500,
        )
        .await?;
    // The store chose the page by the domain's order; the page is shown in it too, the
    // same whichever backend answered.
    items.sort_by(|a, b| {
        vigil_domain::case::queue_order_key(a.risk, a.since)
            .cmp(&vigil_domain::case::queue_order_key(b.risk, b.since))
            .then_with(|| a.incident_id.as_str().cmp(b.incident_id.as_str()))
    });
    // A queue lists cases and victims: its view is audited like a record's.
    let subject = format!(
        "{}{}",
        queue.slug(),
        lpa.map_or(String::new(), |l| format!(":{l}"))
    );
    audited(
        app,
        audit_entry(actor(s), "queue.read", "queue", &subject, None),
    )
    .await?;
    Ok(QueueView {
        items,
        reference,
        since,
        mark_days: if queue == vigil_domain::access::Queue::Cru {
            7
        } else {
            28
        },
    })
}
