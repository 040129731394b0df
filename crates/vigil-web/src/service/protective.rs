//! Protective notices and orders in Vigil: the applying officer drafts a DVPN or a DAPN
//! from a case, an officer of the required rank authorises it, and the notice is served,
//! heard, granted or refused, notified (a DAPO) and breached — the rules are
//! `vigil_domain::protective`; the decision and breaches are mirrored in the records the
//! measures read.

use super::*;
use vigil_domain::protective::{Considered, CourtDecision, NoticeCase, Step};
use vigil_domain::{OrderId, OrderKind};

/// A notice drafted from a case, as the form or the API sends it.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NoticeInput {
    /// `dvpn` or `dapn` (a DAPN only where the area has them).
    pub kind: String,
    /// The violence or abuse, and why the notice is needed to protect the victim.
    pub grounds: String,
    pub children_welfare: String,
    pub victim_view: String,
    /// The suspect's representations.
    pub representations: String,
    pub other_occupants: String,
    /// What the notice prohibits.
    pub conditions: String,
}

/// A step as the form or the API sends it (each step reads its own fields).
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NoticeStepInput {
    /// `authorise`, `serve`, `hearing`, `notified`, `victim_told` or `breach`.
    pub step: String,
    /// serve: when (DD/MM/YYYY HH:MM).
    pub served_at: String,
    /// serve (a DAPN): the address the subject gives for service.
    pub address_for_service: String,
    /// hearing: `granted`, `refused` or `adjourned`.
    pub decision: String,
    /// hearing (a DVPO): its length, 14 to 28 days; a DAPO's, when the court set one.
    pub days: Option<i64>,
    /// hearing (adjourned): the next hearing (DD/MM/YYYY HH:MM).
    pub next_hearing: String,
    /// hearing (granted): the order's conditions (a DAPO's prohibitions).
    pub conditions: String,
    /// hearing (a DAPO): its positive requirements.
    pub requirements: String,
    /// hearing (a DAPO): months of electronic monitoring (12 at most).
    pub monitoring_months: Option<u32>,
    /// hearing: what the court said.
    pub notes: String,
    /// notified (a DAPO): when the subject gave their name and address.
    pub notified_at: String,
    /// victim_told: what the victim was told.
    pub about: String,
    /// breach: when.
    pub breached_at: String,
    /// breach: what happened and what was done (an arrest; back to the magistrates).
    pub details: String,
}

/// A notice with the names of its people.
pub struct NoticeItem {
    pub case: NoticeCase,
    pub version: i64,
    pub names: std::collections::HashMap<PersonId, String>,
}

/// Police who work protective orders: those who investigate, and the CRU.
async fn works_orders(app: &App, s: &Session, id: &str) -> Outcome<()> {
    if allows(s.user.role, Capability::RecordInvestigation)
        || allows(s.user.role, Capability::Safeguard)
    {
        Ok(())
    } else {
        require(
            app,
            s,
            Capability::RecordInvestigation,
            "protective_notice",
            id,
        )
        .await
    }
}

/// Drafts a notice from a case: the suspect is its subject, the victim the protected
/// person. Audited against both.
pub async fn draft_notice(
    app: &App,
    s: &Session,
    case_id: &str,
    input: &NoticeInput,
) -> Outcome<OrderId> {
    works_orders(app, s, case_id).await?;
    let case = read_case(app, s, case_id).await?;
    let i = &case.incident;
    let mut errors = Vec::new();
    let kind = choice(
        &mut errors,
        "kind",
        &input.kind,
        "the notice",
        OrderKind::parse,
    );
    if kind == Some(OrderKind::Dapn)
        && !vigil_domain::protective::dapn_in_force(
            app.rules.dapn_from.get(&i.lpa).copied(),
            app.now().date(),
        )
    {
        errors.push(FieldError::new(
            "kind",
            format!(
                "DAPNs are not in force in {}: give a DVPN (the rules file's dapn_from switches them on by area)",
                i.lpa
            ),
        ));
    }
    let Some(subject) = i.suspect_id.clone() else {
        return Err(Failure::Invalid(vec![FieldError::new(
            "kind",
            "The case names no suspect: a notice is given to a named person",
        )]));
    };
    let considered = Considered {
        children_welfare: input.children_welfare.trim().to_owned(),
        victim_view: input.victim_view.trim().to_owned(),
        representations: input.representations.trim().to_owned(),
        other_occupants: input.other_occupants.trim().to_owned(),
    };
    if let Some(k) = kind
        && let Err(problems) =
            vigil_domain::protective::check_draft(k, &input.grounds, &considered, &input.conditions)
    {
        for (field, e) in problems {
            errors.push(FieldError::new(field, capitalise(&e.reason)));
        }
    }
    let (kind,) = valid!(errors; kind);
    let id = new_id(app, RecordKind::Order, OrderId::parse).await?;
    let c = NoticeCase {
        id: id.clone(),
        kind,
        subject_id: subject,
        protected_id: i.victim_id.clone(),
        incident_id: Some(i.id.clone()),
        lpa: i.lpa.clone(),
        applied_by: s.user.username.clone(),
        applied_at: app.now(),
        grounds: input.grounds.trim().to_owned(),
        considered,
        conditions: input.conditions.trim().to_owned(),
        address_for_service: String::new(),
        authorised: None,
        served: None,
        adjourned_to: None,
        decision: None,
        order: None,
        notified_at: None,
        victim_told: Vec::new(),
        breaches: Vec::new(),
    };
    app.store
        .save_notice(
            &c,
            None,
            &[audit_entry(
                actor(s),
                "notice.drafted",
                "person",
                c.protected_id.as_str(),
                Some(format!("{} {id} about {}", kind.as_str(), c.subject_id)),
            )],
        )
        .await?;
    Ok(id)
}

/// One notice, its read audited against both people.
pub async fn notice_item(app: &App, s: &Session, raw: &str) -> Outcome<NoticeItem> {
    works_orders(app, s, raw).await?;
    let Ok(id) = OrderId::parse(raw.trim()) else {
        return Err(Failure::NotFound);
    };
    let Some(found) = app.store.notice(&id).await? else {
        return Err(Failure::NotFound);
    };
    let c = &found.record;
    let names = read_people(
        app,
        s,
        &[&c.protected_id, &c.subject_id],
        &format!("protective notice {id}"),
    )
    .await?;
    Ok(NoticeItem {
        case: found.record,
        version: found.version,
        names,
    })
}

/// Open notices: the user's own drafts and applications (the CRU and any authoriser:
/// every one in the force), each person listed audited.
pub async fn notice_list(app: &App, s: &Session) -> Outcome<Vec<NoticeItem>> {
    works_orders(app, s, "").await?;
    let everyone = allows(s.user.role, Capability::Safeguard) || s.user.rank.is_some();
    let mut list = app
        .store
        .notices(&vigil_store::NoticeQuery {
            open_only: true,
            applied_by: (!everyone).then(|| s.user.username.clone()),
            ..Default::default()
        })
        .await?;
    hidden_from(app, s).await?.withhold(&mut list, |h, c| {
        h.person(&c.subject_id) || h.person(&c.protected_id)
    });
    audited_list(
        app,
        s,
        "person.listed",
        "the open protective notices",
        list.iter()
            .flat_map(|c| [c.protected_id.clone(), c.subject_id.clone()])
            .collect(),
    )
    .await?;
    let mut out = Vec::new();
    for case in list {
        let names = names_of(app, &[&case.subject_id, &case.protected_id]).await?;
        out.push(NoticeItem {
            case,
            version: 0,
            names,
        });
    }
    Ok(out)
}

/// Takes a step: authorise (by the signed-in officer, whose recorded rank is checked),
/// serve, hearing, notified, victim_told or breach. Audited against the protected person.
pub async fn notice_step(
    app: &App,
    s: &Session,
    raw: &str,
    input: &NoticeStepInput,
) -> Outcome<NoticeCase> {
    let item = notice_item(app, s, raw).await?;
    let now = app.now();
    let mut errors = Vec::new();
    let mut order_id = None;
    let step = match input.step.trim() {
        "authorise" => Some(Step::Authorise { rank: s.user.rank }),
        "serve" => when_field(
            &mut errors,
            "served_at",
            &input.served_at,
            "when it was served",
            now,
        )
        .map(|at| Step::Serve {
            at,
            address_for_service: input.address_for_service.clone(),
        }),
        "hearing" => {
            let decision = choice(
                &mut errors,
                "decision",
                &input.decision,
                "what the court decided",
                CourtDecision::parse,
            );
            let next_hearing = if decision == Some(CourtDecision::Adjourned) {
                match parse_when(input.next_hearing.trim()) {
                    Ok(t) => Some(t),
                    Err(e) => {
                        errors.push(FieldError::new("next_hearing", e));
                        None
                    }
                }
            } else {
                None
            };
            if decision == Some(CourtDecision::Granted) {
                order_id = Some(new_id(app, RecordKind::Order, OrderId::parse).await?);
            }
            decision.map(|decision| Step::Hearing {
                decision,
                days: input.days,
                next_hearing,
                conditions: input.conditions.clone(),
                requirements: input.requirements.clone(),
                monitoring_months: input.monitoring_months,
                notes: input.notes.clone(),
            })
        }
        "notified" => when_field(
            &mut errors,
            "notified_at",
            &input.notified_at,
            "when the subject notified",
            now,
        )
        .map(|at| Step::Notified { at }),
        "victim_told" => Some(Step::VictimTold {
            about: input.about.clone(),
        }),
        "breach" => {
            let at = when_field(
                &mut errors,
                "breached_at",
                &input.breached_at,
                "when the breach happened",
                now,
            );
            // A DAPO's breach is a crime: its case's reference is taken now, so the breach
            // names it (the rule is the domain's).
            let case = if at.is_some() && item.case.breach_is_offence() {
                Some(new_id(app, RecordKind::Incident, IncidentId::parse).await?)
            } else {
                None
            };
            at.map(|at| Step::Breach {
                at,
                details: input.details.clone(),
                case,
            })
        }
        other => {
            errors.push(FieldError::new(
                "step",
                format!(
                    "{} is not a step; use authorise, serve, hearing, notified, victim_told or breach",
                    other.chars().take(40).collect::<String>()
                ),
            ));
            None
        }
    };
    let (step,) = valid!(errors; step);
    let next = item
        .case
        .apply(&step, &s.user.username, now, order_id)
        .map_err(|(field, e)| match field {
            "step" => Failure::Conflict(capitalise(&e.reason)),
            f => Failure::Invalid(vec![FieldError::new(f, capitalise(&e.reason))]),
        })?;
    let audit = vec![audit_entry(
        actor(s),
        &format!("notice.{}", input.step.trim()),
        "person",
        next.protected_id.as_str(),
        Some(format!("{} {}", next.kind.as_str(), next.id)),
    )];
    if let Step::Breach {
        at,
        case: Some(case),
        ..
    } = &step
    {
        record_breach_offence(app, s, &next, item.version, case, *at, audit).await?;
    } else {
        app.store
            .save_notice(&next, Some(item.version), &audit)
            .await?;
        // The hearing and the notification are tasks on the case: worked again from the
        // notice as it now stands.
        if let Some(case) = &next.incident_id {
            super::casework::refresh(app, case).await?;
        }
    }
    Ok(next)
}

/// A DAPO's breach recorded as the crime it is (Domestic Abuse Act 2021, s.39): a new
/// incident between the order's subject (the suspect) and the person it protects (the
/// victim), reported now, in the notice's area, with the offence of breach
/// (`protective::DAPO_BREACH_HO_CODE`) committed when the breach happened and recorded
/// today. The case is routed and clocked like any other (its DASH is still to do, so it
/// waits for an assessment) and its log says which order was breached. The case and the
/// breach on the notice are one write: neither is kept without the other.
async fn record_breach_offence(
    app: &App,
    s: &Session,
    notice: &NoticeCase,
    version: i64,
    case: &IncidentId,
    breached_at: DateTime,
    mut audit: Vec<AuditEntry>,
) -> Outcome<()> {
    let now = app.now();
    // The relationship is the one the order was made on.
    let Some(original) = &notice.incident_id else {
        return Err(Failure::Conflict(
            "The notice names no incident, so the breach's relationship is not known: record the breach at intake as a new incident".into(),
        ));
    };
    let relationship = app.store.case_file(original).await?.incident.relationship;
    let incident = Incident {
        id: case.clone(),
        reported_at: now,
        lpa: notice.lpa.clone(),
        call_grade: CallGrade::Other,
        arrived_at: None,
        response_target_met: None,
        victim_id: notice.protected_id.clone(),
        suspect_id: Some(notice.subject_id.clone()),
        relationship,
        children_present: false,
        risk_level: None,
        dash_yes_count: None,
    };
    let code = vigil_domain::offence_codes::lookup(vigil_domain::protective::DAPO_BREACH_HO_CODE)
        .expect("the breach's code is in the catalogue");
    let mut state = vigil_domain::casework::CaseState::new(case.clone(), notice.lpa.clone(), now);
    state.recorded_by = Some(s.user.username.clone());
    let mut log = vec![vigil_domain::casework::CaseEvent {
        at: now,
        actor: actor(s).to_owned(),
        entry: vigil_domain::casework::CaseEntry::Note {
            text: format!(
                "Breach of DAPO {} (made on case {original}) at {}: {}",
                notice
                    .order
                    .as_ref()
                    .map_or(notice.id.as_str(), |o| o.id.as_str()),
                vigil_domain::time::format_datetime(breached_at),
                notice.breaches.last().map_or("", |b| b.details.as_str())
            ),
        },
    }];
    route_case(app, s, &mut state, None, &mut log).await?;
    let offence = Offence {
        id: new_id(app, RecordKind::Offence, OffenceId::parse).await?,
        incident_id: case.clone(),
        ho_code: Some(code.code.to_owned()),
        offence_group: code.group,
        offence_date: breached_at.date(),
        recorded_date: now.date(),
        victim_id: notice.protected_id.clone(),
        suspect_id: Some(notice.subject_id.clone()),
        risk_level: None,
        team: state.team.unwrap_or(InvestigatingTeam::Lpt),
        outcome: None,
        bwv_captured: false,
    };
    audit.push(audit_entry(
        actor(s),
        "case.create",
        "case",
        case.as_str(),
        Some(format!("breach of DAPO on notice {}", notice.id)),
    ));
    let before = LiveCase {
        file: CaseFile {
            incident: incident.clone(),
            offences: Vec::new(),
            assessments: Vec::new(),
            arrests: Vec::new(),
            referrals: Vec::new(),
            orders: Vec::new(),
            children: Vec::new(),
        },
        work: vigil_store::CaseWork::default(),
    };
    let mut change = vigil_store::CaseChange::new(state, None);
    change.log = log;
    change.records = RecordSet {
        incidents: vec![incident],
        offences: vec![offence],
        ..Default::default()
    };
    change.notice = Some((notice.clone(), version));
    commit(app, &before, change, audit).await?;
    Ok(())
}

// ----- the prompt where no arrest or charge was possible -----

/// A decision on whether to apply for a protective notice, as the form or the API sends it.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct NoticeDecisionInput {
    /// `applied` (a notice is being drafted) or `not_applied`.
    pub decision: String,
    /// Why (required when not applied for).
    pub reason: String,
}

/// Why the case prompts its officer to consider a protective notice, if it does
/// (`vigil_domain::protective::notice_prompt`).
pub async fn notice_prompt(
    app: &App,
    c: &CaseFile,
    log: &[vigil_domain::casework::CaseEvent],
) -> Outcome<Option<String>> {
    let i = &c.incident;
    let first_arrest = c.arrests.iter().map(|a| a.arrested_at).min();
    let charged = c.offences.iter().any(|o| {
        o.outcome
            .as_ref()
            .is_some_and(|out| out.code.as_str().starts_with('1'))
    });
    let finalised = log.iter().rev().find_map(|e| match &e.entry {
        vigil_domain::casework::CaseEntry::StatusChanged { status, .. } => Some(*status),
        _ => None,
    }) == Some(vigil_domain::casework::CaseStatus::Finalised);
    let considered = log.iter().any(|e| {
        matches!(
            e.entry,
            vigil_domain::casework::CaseEntry::NoticeConsidered { .. }
        )
    });
    let notice_exists = app
        .store
        .notices(&vigil_store::NoticeQuery {
            person: Some(i.victim_id.clone()),
            ..Default::default()
        })
        .await?
        .iter()
        .any(|n| n.incident_id.as_ref() == Some(&i.id));
    Ok(vigil_domain::protective::notice_prompt(
        current_grade(c),
        i.reported_at,
        first_arrest,
        finalised && !charged,
        app.now(),
        app.rules.notice_prompt_hours,
        considered,
        notice_exists,
    ))
}

/// Records the officer's decision on the prompt (in the case's log, audited).
pub async fn record_notice_decision(
    app: &App,
    s: &Session,
    case_id: &str,
    input: &NoticeDecisionInput,
) -> Outcome<()> {
    let case = workable_case(
        app,
        s,
        case_id,
        &[Capability::RecordInvestigation, Capability::Safeguard],
        "notice_decision",
    )
    .await?;
    let mut errors = Vec::new();
    let applied = match input.decision.trim() {
        "applied" => Some(true),
        "not_applied" => Some(false),
        _ => {
            errors.push(FieldError::new(
                "decision",
                "Choose whether a protective notice is applied for",
            ));
            None
        }
    };
    let reason = input.reason.trim().to_owned();
    if applied == Some(false) && reason.chars().count() < 10 {
        errors.push(FieldError::new(
            "reason",
            "Say why no notice is applied for (at least 10 characters)",
        ));
    } else if let Err(e) = vigil_domain::text::check_free_text(&reason, 2000, true) {
        errors.push(FieldError::new("reason", capitalise(&e.reason)));
    }
    let (applied,) = valid!(errors; applied);
    let entry = event(
        app,
        s,
        vigil_domain::casework::CaseEntry::NoticeConsidered { applied, reason },
    );
    let audit = vec![case_audit(
        s,
        "case.notice_considered",
        &case.file.incident.id,
        Some(if applied {
            "applied".into()
        } else {
            "not applied".into()
        }),
    )];
    append(app, case, |c| c.log.push(entry.clone()), audit).await
}
