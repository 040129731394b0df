//! Recording an incident: the call, the people, the primary DASH, the duplicate check,
//! routing and the actions due.

use super::*;

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
    /// The children present, by name (each one's school is told); more can be added from
    /// the case.
    pub children: Vec<ChildInput>,
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
    /// The suspect is a serial perpetrator: their different victims in the configured years.
    pub serial_suspect: Option<usize>,
}

pub(crate) struct ValidDash {
    pub(crate) answers: Answers,
    pub(crate) assessment: vigil_domain::risk::Assessment,
}

pub(crate) fn validate_dash(errors: &mut Vec<FieldError>, d: &DashInput) -> Option<ValidDash> {
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
    // A checklist answered "not known" throughout says nothing about the risk: the officer's
    // judgement must grade it.
    if judgement.is_none()
        && errors.len() == before
        && answers.len() == inst.question_count()
        && answers.iter().all(|a| *a == Answer::Unknown)
    {
        errors.push(FieldError::new(
            "dash.judgement_grade",
            "Every answer is 'not known', so the score cannot grade the risk: use professional judgement (choose the grade and give the reason)",
        ));
    }
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

pub(crate) enum Party {
    Existing(PersonId),
    New(Person),
}

pub(crate) fn validate_party(
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
pub(crate) async fn dait_load(app: &App, lpa: &Lpa) -> Outcome<TeamLoad> {
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
    let now = app.now();
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
    let children = validate_children(
        app,
        s,
        &mut errors,
        &input.children,
        lpa.as_ref(),
        today,
        reported_at.map(|r| r.date()),
    )
    .await?;
    if !children.is_empty() && input.children_present == Some(false) {
        errors.push(FieldError::new(
            "children_present",
            "You named children: choose yes, children were present",
        ));
    }
    // Existing people must exist (and a reference typed wrongly is a field error, not a
    // failure of the whole request).
    let hidden = hidden_from(app, s).await?;
    for (field, party) in [
        ("victim.id", victim.as_ref()),
        ("suspect.id", suspect.as_ref()),
    ] {
        if let Some(Party::Existing(id)) = party {
            // A restricted person the recorder may not see reads as no person at all.
            let seen = match app.store.person(id).await {
                Ok(_) if hidden.person(id) => Err(StoreError::NotFound {
                    what: "person",
                    id: id.as_str().to_owned(),
                }),
                other => other,
            };
            match seen {
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
    let (call_grade, reported_at, lpa, relationship, victim) =
        valid!(errors; call_grade, reported_at, lpa, relationship, victim);
    if !input.confirm_new_people {
        for (party, p) in [("victim", Some(&victim)), ("suspect", suspect.as_ref())] {
            if let Some(Party::New(p)) = p {
                let mut matches = app
                    .store
                    .search_people(&PersonSearch {
                        family_name: p.identity.family_name.clone().unwrap_or_default(),
                        whole_family_name: true,
                        given_names: p.identity.given_names.clone(),
                        birth_date: p.birth_date,
                        limit: 10,
                    })
                    .await?;
                // A restricted person is not offered as a match to those not named on it.
                hidden.withhold(&mut matches, |h, m| h.person(&m.id));
                if !matches.is_empty() {
                    // The matches are shown to the user: each is audited as found.
                    audited_list(
                        app,
                        s,
                        "person.search",
                        &format!("possible duplicates of a new {party}"),
                        matches.iter().map(|m| m.id.clone()).collect(),
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
    // The case starts its clocks at the report; it is routed now if it was assessed, and
    // otherwise waits in the "awaiting assessment" list.
    let mut state = vigil_domain::casework::CaseState::new(
        incident_id.clone(),
        lpa.clone(),
        reported_at.min(now),
    );
    state.recorded_by = Some(s.user.username.clone());
    let mut log = Vec::new();
    let routing = route_case(app, s, &mut state, grade, &mut log).await?;
    if let Some(d) = &dash
        && let Some(j) = &d.assessment.judgement
    {
        log.push(vigil_domain::casework::CaseEvent {
            at: now,
            actor: actor(s).to_owned(),
            entry: vigil_domain::casework::CaseEntry::Judgement {
                grade: j.grade,
                reason: j.reason.as_str().to_owned(),
            },
        });
    }
    let before = LiveCase {
        file: CaseFile {
            incident: records.incidents[0].clone(),
            offences: Vec::new(),
            assessments: Vec::new(),
            arrests: Vec::new(),
            referrals: Vec::new(),
            orders: Vec::new(),
            children: Vec::new(),
        },
        work: vigil_store::CaseWork::default(),
    };
    let (links, children_people) = link_children(app, &incident_id, children, &[]).await?;
    for p in &children_people {
        audit.push(audit_entry(
            actor(s),
            "person.create",
            "person",
            p.id.as_str(),
            None,
        ));
    }
    records.persons.extend(children_people);
    let mut change = vigil_store::CaseChange::new(state, None);
    change.log = log;
    change.records = records;
    change.children = links;
    let actions = commit(app, &before, change, audit).await?.actions;
    let serial_suspect = match &suspect_id {
        Some(sid) => super::serial_flag(app, sid).await?,
        None => None,
    };
    Ok(Recorded {
        incident_id,
        grade,
        routing,
        actions,
        serial_suspect,
    })
}

pub(crate) fn assessment_record(
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
