//! Clare's Law in Vigil: right-to-ask applications recorded by the CRU or a partner
//! agency, right-to-know applications opened by the CRU from a case the screen flagged,
//! each worked stage by stage (`vigil_domain::dvds`), the decision mirrored in the
//! records the measures read.

use super::*;
use vigil_domain::DisclosureRoute;
use vigil_domain::dvds::{Applicant, Application, Stage, Step};

/// A right-to-ask application as the form or the API sends it.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ApplicationInput {
    /// The person at risk: a reference (`id`), or their details.
    pub at_risk: PartyInput,
    /// The person whose past is asked about: a reference, or their details.
    pub subject: PartyInput,
    /// `person_at_risk` or `third_party`.
    pub applicant: String,
    /// A third party's name and connection to the person at risk.
    pub applicant_name: String,
    /// The area (an LPA); a user with an area of their own records in it.
    pub lpa: String,
    /// Record new people even though people with the same name and date of birth exist.
    pub confirm_new_people: bool,
}

/// A step as the form or the API sends it (each step reads its own fields).
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DvdsStepInput {
    /// `contact`, `meeting`, `checks`, `panel`, `outcome` or `decline`.
    pub step: String,
    /// contact: whether the person at risk is in immediate danger.
    pub immediate_risk: Option<bool>,
    /// meeting: whether the applicant's identity was verified.
    pub identity_verified: Option<bool>,
    /// contact, meeting: what was learned.
    pub notes: String,
    /// checks: what the police's records hold on the subject.
    pub police: String,
    /// checks: what other agencies report.
    pub partners: String,
    /// panel: a pressing need to disclose.
    pub pressing_need: Option<bool>,
    /// panel: disclosure is lawful, necessary and proportionate.
    pub lawful_necessary_proportionate: Option<bool>,
    /// panel: the rationale.
    pub rationale: String,
    /// outcome: who was told (the person best placed to protect) or advised.
    pub to_whom: String,
    /// outcome: what was disclosed, or the safety advice given.
    pub said: String,
    /// outcome: the safety plan.
    pub safety_plan: String,
    /// decline: why it is not pursued.
    pub reason: String,
}

/// An application with the names of its people.
pub struct DvdsItem {
    pub application: Application,
    pub version: i64,
    pub names: std::collections::HashMap<PersonId, String>,
}

/// A new application's id and the audit rows of its creation.
async fn create(
    app: &App,
    s: &Session,
    a: Application,
    records: RecordSet,
    mut audit: Vec<AuditEntry>,
) -> Outcome<DisclosureId> {
    audit.push(audit_entry(
        actor(s),
        "dvds.application",
        "person",
        a.at_risk_id.as_str(),
        Some(format!(
            "{} {} about {}",
            a.route.as_str(),
            a.id,
            a.subject_id
        )),
    ));
    app.store
        .save_dvds(&a, None, &records.persons, &audit)
        .await?;
    Ok(a.id)
}

/// Records a right-to-ask application (the CRU, or a partner agency in its area). New
/// people are checked for duplicates first, unless confirmed.
pub async fn apply_for_disclosure(
    app: &App,
    s: &Session,
    input: &ApplicationInput,
) -> Outcome<DisclosureId> {
    let agency_user = allows(s.user.role, Capability::ReadShared) && s.user.agency.is_some();
    if !(allows(s.user.role, Capability::Safeguard) || agency_user) {
        require(app, s, Capability::Safeguard, "dvds_application", "").await?;
    }
    let mut errors = Vec::new();
    let today = app.now().date();
    // The area: the user's own; else the one chosen; else, for a person at risk the
    // force already holds, theirs.
    let known_area = match input.at_risk.id.trim() {
        "" => None,
        raw if !agency_user => match PersonId::parse(raw) {
            Ok(id) => app.store.person(&id).await.ok().and_then(|p| p.record.lpa),
            Err(_) => None,
        },
        _ => None,
    };
    let lpa = match &s.user.lpa {
        Some(mine) => Some(mine.clone()),
        None => match app.lpas.iter().find(|l| l.as_str() == input.lpa.trim()) {
            Some(l) => Some(l.clone()),
            None if input.lpa.trim().is_empty() && known_area.is_some() => known_area,
            None => {
                errors.push(FieldError::new(
                    "lpa",
                    format!(
                        "Choose the area: one of {}",
                        app.lpas
                            .iter()
                            .map(|l| l.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
                None
            }
        },
    };
    // A partner cannot look people up: only the details it knows.
    let party = |p: &PartyInput| PartyInput {
        id: if agency_user {
            String::new()
        } else {
            p.id.clone()
        },
        ..p.clone()
    };
    let at_risk = super::intake::validate_party(
        &mut errors,
        "at_risk",
        &party(&input.at_risk),
        lpa.as_ref(),
        today,
    );
    let subject = super::intake::validate_party(
        &mut errors,
        "subject",
        &party(&input.subject),
        lpa.as_ref(),
        today,
    );
    let applicant = choice(
        &mut errors,
        "applicant",
        &input.applicant,
        "who applies",
        Applicant::parse,
    );
    if matches!(
        applicant,
        Some(Applicant::Police | Applicant::PartnerAgency)
    ) {
        errors.push(FieldError::new(
            "applicant",
            "A right-to-ask application is made by the person at risk or a third party",
        ));
    }
    if applicant == Some(Applicant::ThirdParty) {
        let n = input.applicant_name.trim();
        if n.chars().count() < 2 {
            errors.push(FieldError::new(
                "applicant_name",
                "Enter the third party's name and how they know the person at risk",
            ));
        } else if let Err(e) = vigil_domain::text::check_free_text(n, 200, false) {
            errors.push(FieldError::new("applicant_name", capitalise(&e.reason)));
        }
    }
    if let (Some(super::intake::Party::Existing(a)), Some(super::intake::Party::Existing(b))) =
        (&at_risk, &subject)
        && a == b
    {
        errors.push(FieldError::new(
            "subject.id",
            "The subject cannot be the person at risk",
        ));
    }
    let (lpa, at_risk, subject, applicant) = valid!(errors; lpa, at_risk, subject, applicant);
    let hidden = hidden_from(app, s).await?;
    let mut records = RecordSet::default();
    let mut audit = Vec::new();
    let mut ids = Vec::new();
    for (party, p) in [("at_risk", at_risk), ("subject", subject)] {
        let id = match p {
            super::intake::Party::Existing(id) => {
                // A reference must name someone the user may see.
                if hidden.person(&id) || app.store.person(&id).await.is_err() {
                    return Err(Failure::Invalid(vec![FieldError::new(
                        format!("{party}.id"),
                        "No person has that reference",
                    )]));
                }
                id
            }
            super::intake::Party::New(person) => {
                if !input.confirm_new_people && !agency_user {
                    let mut matches = app
                        .store
                        .search_people(&PersonSearch {
                            family_name: person.identity.family_name.clone().unwrap_or_default(),
                            whole_family_name: true,
                            given_names: person.identity.given_names.clone(),
                            birth_date: person.birth_date,
                            limit: 10,
                        })
                        .await?;
                    hidden.withhold(&mut matches, |h, m| h.person(&m.id));
                    if !matches.is_empty() {
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
                let id = new_id(app, RecordKind::Person, PersonId::parse).await?;
                audit.push(audit_entry(
                    actor(s),
                    "person.create",
                    "person",
                    id.as_str(),
                    Some("named on a Clare's Law application".into()),
                ));
                records.persons.push(vigil_domain::Person {
                    id: id.clone(),
                    ..person
                });
                id
            }
        };
        ids.push(id);
    }
    let id = new_id(app, RecordKind::Disclosure, DisclosureId::parse).await?;
    let a = Application {
        id,
        route: DisclosureRoute::RightToAsk,
        subject_id: ids[1].clone(),
        at_risk_id: ids[0].clone(),
        applicant,
        applicant_name: input.applicant_name.trim().to_owned(),
        lpa,
        incident_id: None,
        evidence: Vec::new(),
        received_at: app.now(),
        received_by: s.user.username.clone(),
        contact: None,
        meeting: None,
        checks: None,
        panel: None,
        outcome: None,
        declined: None,
    };
    create(app, s, a, records, audit).await
}

/// Opens a right-to-know application from a case the screen flagged (the CRU): the
/// suspect is the subject, the victim the person at risk, the earlier incidents the
/// evidence. A case that does not meet the rule, or already has an open one, is refused.
pub async fn open_right_to_know(app: &App, s: &Session, case_id: &str) -> Outcome<DisclosureId> {
    require(app, s, Capability::Safeguard, "dvds_application", case_id).await?;
    let case = read_case(app, s, case_id).await?;
    let i = &case.incident;
    let h = super::case::Histories::of(app, i).await?;
    let evidence = h.right_to_know_evidence(i);
    let Some(subject) = i.suspect_id.clone().filter(|_| !evidence.is_empty()) else {
        return Err(Failure::Conflict(
            "This case does not meet the right-to-know rule: the suspect has no earlier incident against another partner".into(),
        ));
    };
    let open = app
        .store
        .dvds_applications(&vigil_store::DvdsQuery {
            open_only: true,
            person: Some(i.victim_id.clone()),
            ..Default::default()
        })
        .await?;
    if let Some(a) = open.iter().find(|a| a.subject_id == subject) {
        return Err(Failure::Conflict(format!(
            "An application about this suspect for this victim is already open: {}",
            a.id
        )));
    }
    let id = new_id(app, RecordKind::Disclosure, DisclosureId::parse).await?;
    let a = Application {
        id,
        route: DisclosureRoute::RightToKnow,
        subject_id: subject,
        at_risk_id: i.victim_id.clone(),
        applicant: Applicant::Police,
        applicant_name: String::new(),
        lpa: i.lpa.clone(),
        incident_id: Some(i.id.clone()),
        evidence,
        received_at: app.now(),
        received_by: s.user.username.clone(),
        contact: None,
        meeting: None,
        checks: None,
        panel: None,
        outcome: None,
        declined: None,
    };
    let case_id = i.id.clone();
    let id = create(app, s, a, RecordSet::default(), Vec::new()).await?;
    // The case's right-to-know task is done by the application.
    super::casework::refresh(app, &case_id).await?;
    Ok(id)
}

/// The CRU's applications, open first then oldest first, each person listed audited.
pub async fn dvds_list(app: &App, s: &Session, open_only: bool) -> Outcome<Vec<DvdsItem>> {
    require(app, s, Capability::Safeguard, "dvds_application", "").await?;
    let mut list = app
        .store
        .dvds_applications(&vigil_store::DvdsQuery {
            open_only,
            ..Default::default()
        })
        .await?;
    hidden_from(app, s).await?.withhold(&mut list, |h, a| {
        h.person(&a.at_risk_id) || h.person(&a.subject_id)
    });
    list.sort_by_key(|a| (!a.is_open(), a.received_at));
    audited_list(
        app,
        s,
        "person.listed",
        "the Clare's Law applications",
        list.iter()
            .flat_map(|a| [a.at_risk_id.clone(), a.subject_id.clone()])
            .collect(),
    )
    .await?;
    let mut out = Vec::new();
    for application in list {
        let names = names_of(app, &[&application.subject_id, &application.at_risk_id]).await?;
        out.push(DvdsItem {
            application,
            version: 0,
            names,
        });
    }
    Ok(out)
}

/// One application (the CRU), its read audited against both people.
pub async fn dvds_one(app: &App, s: &Session, raw: &str) -> Outcome<DvdsItem> {
    require(app, s, Capability::Safeguard, "dvds_application", raw).await?;
    let Ok(id) = DisclosureId::parse(raw.trim()) else {
        return Err(Failure::NotFound);
    };
    let Some(found) = app.store.dvds_application(&id).await? else {
        return Err(Failure::NotFound);
    };
    let a = &found.record;
    let names = read_people(
        app,
        s,
        &[&a.at_risk_id, &a.subject_id],
        &format!("Clare's Law application {id}"),
    )
    .await?;
    Ok(DvdsItem {
        application: found.record,
        version: found.version,
        names,
    })
}

/// Takes the next stage (or declines), audited against the person at risk.
pub async fn dvds_step(
    app: &App,
    s: &Session,
    raw: &str,
    input: &DvdsStepInput,
) -> Outcome<Application> {
    let item = dvds_one(app, s, raw).await?;
    // A yes or no left unanswered is a problem, not a "no".
    let mut errors = Vec::new();
    let mut answered = |field: &str, v: Option<bool>, what: &str| {
        if v.is_none() {
            errors.push(FieldError::new(field, format!("Say whether {what}")));
        }
        v.unwrap_or_default()
    };
    let step = match input.step.trim() {
        "contact" => Step::Contact {
            immediate_risk: answered(
                "immediate_risk",
                input.immediate_risk,
                "the person at risk is in immediate danger",
            ),
            notes: input.notes.clone(),
        },
        "meeting" => Step::Meeting {
            identity_verified: answered(
                "identity_verified",
                input.identity_verified,
                "the applicant's identity was verified",
            ),
            notes: input.notes.clone(),
        },
        "checks" => Step::Checks {
            police: input.police.clone(),
            partners: input.partners.clone(),
        },
        "panel" => Step::Panel {
            pressing_need: answered(
                "pressing_need",
                input.pressing_need,
                "there is a pressing need",
            ),
            lawful_necessary_proportionate: answered(
                "lawful_necessary_proportionate",
                input.lawful_necessary_proportionate,
                "disclosure is lawful, necessary and proportionate",
            ),
            rationale: input.rationale.clone(),
        },
        "outcome" => Step::Outcome {
            to_whom: input.to_whom.clone(),
            said: input.said.clone(),
            safety_plan: input.safety_plan.clone(),
        },
        "decline" => Step::Decline {
            reason: input.reason.clone(),
        },
        other => {
            return Err(Failure::Invalid(vec![FieldError::new(
                "step",
                format!(
                    "{} is not a step; use contact, meeting, checks, panel, outcome or decline",
                    other.chars().take(40).collect::<String>()
                ),
            )]));
        }
    };
    if !errors.is_empty() {
        return Err(Failure::Invalid(errors));
    }
    let next = item
        .application
        .apply(&step, &s.user.username, app.now())
        .map_err(|(field, e)| match field {
            "step" => Failure::Conflict(capitalise(&e.reason)),
            f => Failure::Invalid(vec![FieldError::new(f, capitalise(&e.reason))]),
        })?;
    app.store
        .save_dvds(
            &next,
            Some(item.version),
            &[],
            &[audit_entry(
                actor(s),
                &format!("dvds.{}", input.step.trim()),
                "person",
                next.at_risk_id.as_str(),
                Some(format!("Clare's Law application {}", next.id)),
            )],
        )
        .await?;
    Ok(next)
}

/// The next stage of an open application and when it is due.
pub fn next_due(app: &App, a: &Application) -> Option<(Stage, DateTime)> {
    a.next_stage().map(|st| (st, a.due(st, &app.rules)))
}
