//! Recording on a case: offences, arrests, referrals, the secondary assessment and
//! outcomes.

use super::*;

// ----- recording on a case -----

/// A case the user may change: it must exist and the role must hold `c`.
pub(crate) async fn writable_case(
    app: &App,
    s: &Session,
    raw: &str,
    c: Capability,
    what: &str,
) -> Outcome<LiveCase> {
    workable_case(app, s, raw, &[c], what).await
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
    let live = writable_case(app, s, case_id, Capability::RecordInvestigation, "offence").await?;
    let case = &live.file;
    let today = app.now().date();
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
    // Checked against the catalogue of Home Office classifications and the chosen group;
    // kept in the catalogue's spelling.
    let ho_code = match input.ho_code.trim() {
        "" => None,
        raw => match vigil_domain::offence_codes::check(raw, group) {
            Ok(c) => Some(c.code.to_owned()),
            Err(message) => {
                errors.push(FieldError::new("ho_code", message));
                None
            }
        },
    };
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
    let (group, committed, recorded) = valid!(errors; group, committed, recorded);
    let grade = current_grade(case);
    // The case's own team once it is routed; else the routing rule's.
    let team = match (team, live.state(app.now()).0.team) {
        (Some(t), _) => t,
        (None, Some(t)) => t,
        (None, None) => case_routing(app, case)
            .await?
            .map_or(InvestigatingTeam::Lpt, |r| r.investigation),
    };
    let id = new_id(app, RecordKind::Offence, OffenceId::parse).await?;
    let records = RecordSet {
        offences: vec![Offence {
            id: id.clone(),
            incident_id: i.id.clone(),
            ho_code,
            offence_group: group,
            offence_date: committed,
            recorded_date: recorded,
            victim_id: i.victim_id.clone(),
            suspect_id: i.suspect_id.clone(),
            risk_level: grade,
            team,
            outcome: None,
            bwv_captured: input.bwv_captured,
        }],
        ..Default::default()
    };
    add_to_case(app, s, live, "offence", id.as_str(), records).await?;
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
    let live = writable_case(app, s, case_id, Capability::RecordInvestigation, "arrest").await?;
    let case = &live.file;
    let now = app.now();
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
    let (person, at, bwv) = valid!(errors; person, at, bwv);
    let id = new_id(app, RecordKind::Arrest, ArrestId::parse).await?;
    let records = RecordSet {
        arrests: vec![Arrest {
            id: id.clone(),
            person_id: person,
            incident_id: Some(i.id.clone()),
            offence_id: offence,
            arrested_at: at,
            bwv_shown_in_interview: bwv,
            disposal,
        }],
        ..Default::default()
    };
    add_to_case(app, s, live, "arrest", id.as_str(), records).await?;
    Ok(id)
}

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ReferralInput {
    /// `marac`, `idva`, `mash`, `encompass` or `other`.
    pub kind: String,
    /// `yes`, `no` or `not_known`: whether the victim consented.
    pub consent: String,
    /// For Operation Encompass, the child whose school is told (one of the children named
    /// on the case); the victim otherwise.
    pub child_id: String,
    /// For Operation Encompass: what the child said or showed (optional, up to 1,000
    /// characters). The school is told nothing of the suspect or an address.
    pub voice_of_child: String,
    /// For Operation Encompass: brief circumstances, what the school needs to support the
    /// child (required, up to 500 characters).
    pub circumstances: String,
    /// For MARAC: a telephone number the coordinator can call the referrer on.
    pub referrer_phone: String,
    /// For MARAC: what the victim wants from the MARAC, in their words where possible.
    pub victim_wishes: String,
    /// For MARAC: `yes` or `no`, whether the victim was asked for consent (MARAC does not
    /// require it; `consent` is then `not_known`).
    pub consent_sought: String,
    /// For MARAC: why the referrer judges the risk high; required when the case meets none
    /// of the area's criteria.
    pub judgement_reason: String,
    /// For MARAC's return: `yes`, `no` or `not_known`.
    pub disability: String,
    /// For MARAC's return: `heterosexual`, `gay_or_lesbian`, `bisexual`, `other`,
    /// `not_known` or `declined`.
    pub sexuality: String,
    /// For MARAC's return: `yes`, `no` or `not_known`.
    pub transgender: String,
    /// For MARAC: a case transferred in from another force's MARAC, that MARAC's name.
    pub transferred_from: String,
    /// For the MASH: `children` (the children named on the case) or `adult` (the victim,
    /// an adult at risk).
    pub mash_about: String,
    /// For the MASH: why the officer refers, what the hub must decide on (10 to 4,000
    /// characters).
    pub concern: String,
}

pub async fn add_referral(
    app: &App,
    s: &Session,
    case_id: &str,
    input: &ReferralInput,
) -> Outcome<ReferralId> {
    // Investigators and the CRU both refer victims on.
    let live = workable_case(
        app,
        s,
        case_id,
        &[Capability::RecordInvestigation, Capability::Safeguard],
        "referral",
    )
    .await?;
    let case = &live.file;
    let id = case.incident.id.clone();
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
    // Operation Encompass tells a child's school: an incident without children has no
    // school to tell; one with children named tells each child's.
    let has_children = case.incident.children_present || !case.children.is_empty();
    if kind == Some(ReferralKind::Encompass) && !has_children {
        errors.push(FieldError::new(
            "kind",
            "Operation Encompass is for an incident with children: no child was recorded on this one (name the children on the case first)",
        ));
    }
    let about = match (kind, input.child_id.trim()) {
        (Some(ReferralKind::Encompass), "") if case.children.len() == 1 => {
            Some(case.children[0].person_id.clone())
        }
        (Some(ReferralKind::Encompass), "") if case.children.len() > 1 => {
            errors.push(FieldError::new(
                "child_id",
                "Choose the child whose school is told (one referral for each child)",
            ));
            None
        }
        (Some(ReferralKind::Encompass), raw) if !raw.is_empty() => {
            match case.children.iter().find(|c| c.person_id.as_str() == raw) {
                Some(c) => Some(c.person_id.clone()),
                None => {
                    errors.push(FieldError::new(
                        "child_id",
                        "Choose one of the children named on this case",
                    ));
                    None
                }
            }
        }
        _ => Some(case.incident.victim_id.clone()),
    };
    // What the school is told, checked by the domain's rules; the child's school must be
    // known (or be home education, which goes to the area's education contact).
    let mut school = None;
    if kind == Some(ReferralKind::Encompass) {
        if let Err((field, e)) =
            vigil_domain::encompass::check_content(&input.voice_of_child, &input.circumstances)
        {
            errors.push(FieldError::new(field, capitalise(&e.reason)));
        }
        if let Some(child) = &about {
            let named = case
                .children
                .iter()
                .find(|c| &c.person_id == child)
                .and_then(|c| c.school.as_deref())
                .unwrap_or("");
            match vigil_domain::encompass::check_school(named) {
                Ok(v) => school = Some(v),
                Err(e) => errors.push(FieldError::new(
                    "child_id",
                    format!("{} (on the case's children page)", capitalise(&e.reason)),
                )),
            }
        }
    }
    // A MARAC referral carries the referral form: its grounds are the area's criteria the
    // case meets as reported (professional judgement with a reason where none is).
    let mut marac_form = None;
    if kind == Some(ReferralKind::Marac) {
        let h = super::case::Histories::of(app, &case.incident).await?;
        let grounds = super::case::actions_with(app, case, &h, true)
            .into_iter()
            .find_map(|a| match a {
                vigil_domain::safeguarding::Action::MaracReferral(reasons) => Some(
                    reasons
                        .iter()
                        .map(|r| r.describe())
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                _ => None,
            })
            .unwrap_or_default();
        marac_form = super::marac::referral_form(
            app,
            s,
            &mut errors,
            &super::marac::FormAnswers {
                referrer_phone: &input.referrer_phone,
                victim_wishes: &input.victim_wishes,
                consent_sought: &input.consent_sought,
                judgement_reason: &input.judgement_reason,
                disability: &input.disability,
                sexuality: &input.sexuality,
                transgender: &input.transgender,
                transferred_from: &input.transferred_from,
            },
            super::marac::FormBase {
                person_id: case.incident.victim_id.clone(),
                agency: Agency::Police,
                perpetrator_id: case.incident.suspect_id.clone(),
                perpetrator_name: String::new(),
                children: if has_children {
                    vigil_domain::marac_record::Answer::Yes
                } else {
                    vigil_domain::marac_record::Answer::No
                },
                dash_score: case.incident.dash_yes_count,
                grounds,
                consent: consent.flatten(),
            },
        );
    }
    // A MASH referral is about the children named on the case, or the victim as an adult
    // at risk, with the officer's concern.
    let mut mash = None;
    if kind == Some(ReferralKind::Mash) {
        let subject = choice(
            &mut errors,
            "mash_about",
            &input.mash_about,
            "whom the MASH referral is about",
            vigil_domain::mash::Subject::parse,
        );
        if subject == Some(vigil_domain::mash::Subject::Children) && case.children.is_empty() {
            errors.push(FieldError::new(
                "mash_about",
                "No child is named on this case: name the children on the case's children page first",
            ));
        }
        let concern = match vigil_domain::mash::check_concern(&input.concern) {
            Ok(c) => Some(c),
            Err(e) => {
                errors.push(FieldError::new("concern", capitalise(&e.reason)));
                None
            }
        };
        if let (Some(subject), Some(concern)) = (subject, concern) {
            mash = Some(vigil_domain::mash::MashCase {
                referral_id: ReferralId::parse("R0").expect("a referral id"),
                person_id: case.incident.victim_id.clone(),
                incident_id: Some(id.clone()),
                lpa: case.incident.lpa.clone(),
                referred_at: app.now(),
                referred_by: s.user.username.clone(),
                about: subject,
                children: match subject {
                    vigil_domain::mash::Subject::Children => {
                        case.children.iter().map(|c| c.person_id.clone()).collect()
                    }
                    vigil_domain::mash::Subject::Adult => Vec::new(),
                },
                concern,
                research: None,
                decision: None,
                outcome_read_at: None,
            });
        }
    }
    let (kind, consent, about) = valid!(errors; kind, consent, about);
    let rid = new_id(app, RecordKind::Referral, ReferralId::parse).await?;
    let mash = mash.map(|m| vigil_domain::mash::MashCase {
        referral_id: rid.clone(),
        ..m
    });
    let marac_form = marac_form.map(|f| vigil_domain::marac_record::ReferralForm {
        referral_id: rid.clone(),
        ..f
    });
    let notification = school.map(|school| vigil_domain::encompass::Notification {
        referral_id: rid.clone(),
        incident_id: id.clone(),
        child_id: about.clone(),
        school,
        lpa: case.incident.lpa.clone(),
        child_present: case.incident.children_present,
        voice_of_child: input.voice_of_child.trim().to_owned(),
        circumstances: input.circumstances.trim().to_owned(),
        due: app
            .rules
            .school(&case.incident.lpa)
            .next_school_day_start(case.incident.reported_at),
        acknowledged: None,
    });
    let records = RecordSet {
        referrals: vec![Referral {
            id: rid.clone(),
            kind,
            person_id: about,
            incident_id: Some(id.clone()),
            referred_at: app.now(),
            agency: Agency::Police,
            consent,
        }],
        ..Default::default()
    };
    let entry = audit_entry(
        actor(s),
        "referral.create",
        "case",
        id.as_str(),
        Some(format!("referral {rid}")),
    );
    append(
        app,
        live,
        |c| {
            c.records = records.clone();
            c.encompass = notification.iter().cloned().collect();
            c.marac_forms = marac_form.iter().cloned().collect();
            c.mash = mash.iter().cloned().collect();
        },
        vec![entry],
    )
    .await?;
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
    let live = writable_case(app, s, case_id, needed, "assessment").await?;
    let case = &live.file;
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
    let (d,) = valid!(errors; dash);
    let now = app.now();
    let id = new_id(app, RecordKind::Assessment, AssessmentId::parse).await?;
    let record = assessment_record(id, &case.incident.id, stage, now, &d);
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
    let (mut state, version) = live.state(now);
    let mut change_log = Vec::new();
    let mut incident = None;
    let mut offence_grade = None;
    match stage {
        // DATA.md: an offence's risk is the grade after any secondary assessment.
        AssessmentStage::Secondary => offence_grade = Some(d.assessment.grade),
        // The incident carries the primary grade: recorded without one, it takes it now.
        AssessmentStage::Primary => {
            let mut i = case.incident.clone();
            i.risk_level = Some(d.assessment.grade);
            i.dash_yes_count = Some(d.assessment.yes_count as u8);
            incident = Some(i);
        }
    }
    let mut after = case.assessments.clone();
    after.push(record.clone());
    let grade = vigil_domain::case::current_grade(
        incident
            .as_ref()
            .map_or(case.incident.risk_level, |i| i.risk_level),
        &after,
    );
    route_case(app, s, &mut state, grade, &mut change_log).await?;
    if let Some(j) = &d.assessment.judgement {
        change_log.push(vigil_domain::casework::CaseEvent {
            at: now,
            actor: actor(s).to_owned(),
            entry: vigil_domain::casework::CaseEntry::Judgement {
                grade: j.grade,
                reason: j.reason.as_str().to_owned(),
            },
        });
    }
    let mut change = vigil_store::CaseChange::new(state, version);
    change.log = change_log;
    change.records.risk_assessments.push(record);
    change.incident = incident;
    change.offence_grade = offence_grade;
    commit(app, &live, change, vec![entry]).await?;
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
    /// Why an outcome already given is changed (required then).
    pub reason: String,
    /// A supervisor's reason for authorising a community resolution (outcome 8) on a
    /// medium or high risk case or on violence with injury; only a supervisor may.
    pub authorisation: String,
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
    let today = app.now().date();
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
    let (code, date) = valid!(errors; code, date);
    let outcome = vigil_domain::Outcome { code, date };
    // A withdrawal recorded in the case log is the record outcome 16 asks for.
    let work = app.store.case_work(&current.record.incident_id).await?;
    let withdrawal_recorded =
        input.victim_withdrawal_recorded || vigil_domain::casework::withdrawal(&work.log).is_some();
    // The case's grade now (after any secondary assessment), else the offence's.
    let risk = work
        .state
        .as_ref()
        .and_then(|v| v.record.grade)
        .or(current.record.risk_level);
    let mut log = Vec::new();
    if let Some(why) = vigil_domain::outcome::supervisor_authorisation_needed(
        outcome.code,
        risk,
        current.record.offence_group,
    ) {
        if !allows(s.user.role, Capability::AllocateCases) {
            return Err(Failure::Invalid(vec![FieldError::new("code", why)]));
        }
        let mut errors = Vec::new();
        let reason = if input.authorisation.trim().is_empty() {
            errors.push(FieldError::new(
                "authorisation",
                format!("{why}: enter why you authorise it"),
            ));
            None
        } else {
            text_limit(&mut errors, "authorisation", &input.authorisation, 2_000)
        };
        let (reason,) = valid!(errors; reason);
        log.push(vigil_domain::casework::CaseEvent {
            at: app.now(),
            actor: actor(s).to_owned(),
            entry: vigil_domain::casework::CaseEntry::Authorised {
                decision: format!("outcome {} on offence {id}", outcome.code),
                reason,
            },
        });
    }
    let issues = vigil_domain::outcome::validate_outcome(&vigil_domain::outcome::OutcomeContext {
        code: outcome.code,
        outcome_date: outcome.date,
        recorded_date: current.record.recorded_date,
        domestic_abuse: true,
        victim_withdrawal_recorded: withdrawal_recorded,
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
    // A changed outcome keeps the one it replaces, who changed it and why, in the case log.
    // (A stale version is answered as a conflict by the store first.)
    if let Some(previous) = current.record.outcome
        && previous != outcome
        && input.version == current.version
    {
        let mut errors = Vec::new();
        let reason = if input.reason.trim().is_empty() {
            errors.push(FieldError::new(
                "reason",
                format!(
                    "This offence already has outcome {} ({}): enter why it changes",
                    previous.code,
                    vigil_domain::dates::long(previous.date)
                ),
            ));
            None
        } else {
            text_limit(&mut errors, "reason", &input.reason, 2_000)
        };
        let (reason,) = valid!(errors; reason);
        log.push(vigil_domain::casework::CaseEvent {
            at: app.now(),
            actor: actor(s).to_owned(),
            entry: vigil_domain::casework::CaseEntry::OutcomeChanged {
                offence: id.clone(),
                from: format!("{} ({})", previous.code, previous.date),
                to: format!("{} ({})", outcome.code, outcome.date),
                reason,
            },
        });
    }
    let version = app
        .store
        .record_outcome(
            &id,
            outcome,
            withdrawal_recorded,
            input.version,
            &log,
            &entry,
        )
        .await?;
    // The victim is told of the outcome: a task on the case.
    refresh(app, &current.record.incident_id).await?;
    Ok(version)
}

/// A whole number however JSON spells it: `3` or `3.0` (JSON does not tell integers from
/// other numbers; a client may send either).
pub(crate) fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    n.as_i64()
        .or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        })
        .ok_or_else(|| serde::de::Error::custom(format!("{n} is not a whole number")))
}
