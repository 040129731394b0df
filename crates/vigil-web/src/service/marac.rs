//! MARAC: the SafeLives return for a period (the figures: `vigil_domain::marac_return`).

use super::*;
use vigil_domain::marac_return::{AreaReturn, marac_return as compute, quarter_of};

/// The period asked for, as typed; both empty means the last whole quarter.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct ReturnPeriod {
    /// The first day (DD/MM/YYYY or YYYY-MM-DD); with `to` empty, the last whole quarter.
    pub from: String,
    /// The last day, inclusive.
    pub to: String,
}

pub struct MaracReturn {
    pub from: Date,
    pub to: Date,
    pub rows: Vec<AreaReturn>,
    pub total: AreaReturn,
}

/// The longest period a return covers: a return is a quarter, a year at most a few.
const MAX_DAYS: i64 = 3660;

/// The return for the period (analysts and MARAC coordinators).
/// Aggregates only; the read is audited as one act.
pub async fn marac_return(app: &App, s: &Session, p: &ReturnPeriod) -> Outcome<MaracReturn> {
    // Analysts, and the coordinators who send it.
    if !allows(s.user.role, Capability::CoordinateMarac) {
        require(app, s, Capability::ReadAnalytics, "marac_return", "").await?;
    }
    let today = app.now().date();
    let (from, to) = if p.from.trim().is_empty() && p.to.trim().is_empty() {
        // The last whole quarter before today.
        let (this_quarter, _) = quarter_of(today);
        quarter_of(this_quarter - chrono::Duration::days(1))
    } else {
        let mut errors = Vec::new();
        let from = day_field(&mut errors, "from", &p.from, "the first day", today);
        let to = day_field(&mut errors, "to", &p.to, "the last day", today);
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                errors.push(FieldError::new(
                    "to",
                    "The last day must be on or after the first day",
                ));
            } else if (t - f).num_days() > MAX_DAYS {
                errors.push(FieldError::new(
                    "to",
                    "A return covers at most ten years; choose a quarter or a year",
                ));
            }
        }
        let (from, to) = valid!(errors; from, to);
        (from, to)
    };
    let facts = vigil_store::marac_return::facts(app.store.as_ref(), from, to).await?;
    let (rows, total) = compute(&facts, from, to, &app.rules.marac_areas);
    audited(
        app,
        audit_entry(
            actor(s),
            "marac.return",
            "marac_return",
            &format!("{from}..{to}"),
            None,
        ),
    )
    .await?;
    Ok(MaracReturn {
        from,
        to,
        rows,
        total,
    })
}

// ----- meetings and agendas -----

/// A MARAC meeting as planned on the form or through the API.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct MeetingInput {
    /// The MARAC area that meets (an LPA, or an area of the rules file's `marac.areas`).
    pub area: String,
    /// The day (DD/MM/YYYY or YYYY-MM-DD), within a year either side of today.
    pub held_on: String,
    /// Where: a room, or "Online".
    pub venue: String,
    /// An extra meeting, off the area's pattern (when the agenda outgrows the meetings).
    pub extra: bool,
}

/// The MARAC areas a meeting may be for.
pub fn marac_areas(app: &App) -> Vec<String> {
    app.rules.marac_areas.names(&app.lpas)
}

/// Plans a meeting (the coordinator, in their area; the CRU where the force has no
/// coordinator). Audited.
pub async fn create_meeting(
    app: &App,
    s: &Session,
    input: &MeetingInput,
) -> Outcome<vigil_domain::marac_meeting::Meeting> {
    require(app, s, Capability::CoordinateMarac, "marac_meeting", "").await?;
    let mut errors = Vec::new();
    let areas: Vec<String> = match user_marac_area(app, s) {
        Some(mine) if !allows(s.user.role, Capability::Safeguard) => vec![mine],
        _ => marac_areas(app),
    };
    let area = input.area.trim();
    if area.is_empty() {
        errors.push(FieldError::new("area", "Choose the MARAC area that meets"));
    } else if !areas.iter().any(|a| a == area) {
        errors.push(FieldError::new(
            "area",
            format!(
                "{} is not one of the force's MARAC areas ({})",
                area.chars().take(60).collect::<String>(),
                areas.join(", ")
            ),
        ));
    }
    let today = app.now().date();
    let held_on = match parse_day(input.held_on.trim()) {
        _ if input.held_on.trim().is_empty() => {
            errors.push(FieldError::new("held_on", "Enter the day of the meeting"));
            None
        }
        Ok(d) if (d - today).num_days().abs() > 365 => {
            errors.push(FieldError::new(
                "held_on",
                "A meeting is planned or recorded within a year of today",
            ));
            None
        }
        Ok(d) => Some(d),
        Err(e) => {
            errors.push(FieldError::new("held_on", e));
            None
        }
    };
    let venue = match vigil_domain::marac_meeting::check_venue(&input.venue) {
        Ok(v) => Some(v),
        Err(e) => {
            errors.push(FieldError::new("venue", capitalise(&e.reason)));
            None
        }
    };
    // An area that meets to a pattern meets on its days, unless this is an extra meeting.
    if let (Some(day), Some(p)) = (held_on, app.rules.marac_meets.get(area))
        && !input.extra
        && !p.fits(day)
    {
        errors.push(FieldError::new(
            "held_on",
            format!(
                "{area} meets {}: its next meetings are on {}; or say this is an extra meeting",
                p.describe(),
                p.next(today, 3)
                    .into_iter()
                    .map(vigil_domain::dates::long)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let (held_on, venue) = valid!(errors; held_on, venue);
    let m = vigil_domain::marac_meeting::Meeting {
        id: 0,
        area: area.to_owned(),
        held_on,
        venue,
        created_by: s.user.username.clone(),
        created_at: app.now(),
    };
    app.store
        .add_meeting(
            &m,
            &audit_entry(
                actor(s),
                "marac.meeting_planned",
                "marac_meeting",
                "",
                Some(format!("{} on {}", m.area, m.held_on)),
            ),
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict { .. } => Failure::Invalid(vec![FieldError::new(
                "held_on",
                format!(
                    "{} already meets on {}",
                    m.area,
                    vigil_domain::dates::long(m.held_on)
                ),
            )]),
            e => e.into(),
        })
}

/// Who sits at a MARAC meeting and what they may do there: the CRU speaks for the police
/// (and coordinates where the force has no coordinator of its own); the coordinator and
/// the chair run the meetings of their area (every area's without one); each partner
/// agency with a MARAC seat speaks for itself in its area's meetings.
struct Seat {
    /// The agency the user speaks for (its research); none for the coordinator and chair.
    agency: Option<Agency>,
    /// The MARAC area the user sits in; `None`: every area.
    area: Option<String>,
    coordinates: bool,
    chairs: bool,
}

fn seat(app: &App, s: &Session) -> Option<Seat> {
    let role = s.user.role;
    let coordinates = allows(role, Capability::CoordinateMarac);
    let chairs = allows(role, Capability::ChairMarac);
    if allows(role, Capability::Safeguard) {
        return Some(Seat {
            agency: Some(Agency::Police),
            area: None,
            coordinates,
            chairs,
        });
    }
    if coordinates || chairs {
        return Some(Seat {
            agency: None,
            area: user_marac_area(app, s),
            coordinates,
            chairs,
        });
    }
    let agency = s.user.agency?;
    (allows(role, Capability::ReadShared)
        && vigil_domain::sharing::kinds_shared_with(agency).contains(&ReferralKind::Marac))
    .then(|| Seat {
        agency: Some(agency),
        area: user_marac_area(app, s),
        coordinates: false,
        chairs: false,
    })
}

/// The seat, or a refusal (audited) for anyone who does not sit at MARAC or at this
/// meeting's area.
async fn seated(app: &App, s: &Session, area: Option<&str>, id: &str) -> Outcome<Seat> {
    let found = seat(app, s).filter(|st| match (&st.area, area) {
        (Some(mine), Some(area)) => mine == area,
        _ => true,
    });
    match found {
        Some(st) => Ok(st),
        None => {
            let _ = app
                .store
                .audit(&audit_entry(
                    actor(s),
                    "marac_meeting.denied",
                    "marac_meeting",
                    id,
                    None,
                ))
                .await;
            Err(Failure::NotFound)
        }
    }
}

/// The meetings a user sits at, latest first: the CRU every one, a partner its area's.
pub async fn meetings(
    app: &App,
    s: &Session,
) -> Outcome<Vec<vigil_domain::marac_meeting::Meeting>> {
    let area = seated(app, s, None, "")
        .await
        .map_err(|_| Failure::Forbidden)?
        .area;
    Ok(app.store.meetings(area.as_deref()).await?)
}

/// A meeting's agenda, with the victims' names for a role that sees them.
pub struct AgendaView {
    pub meeting: vigil_domain::marac_meeting::Meeting,
    pub window: (Date, Date),
    pub items: Vec<vigil_domain::marac_meeting::AgendaItem>,
    /// Family and given names by person, as the role may see them.
    pub names: std::collections::HashMap<PersonId, String>,
    pub withheld: u64,
    /// Each case's actions still open (from this or earlier meetings), and this meeting's
    /// actions done.
    pub actions: Vec<vigil_domain::marac_actions::Action>,
    /// What each agency holds on each case, for this meeting.
    pub research: Vec<vigil_domain::marac_meeting::Research>,
    /// The meeting's record and what the user may do to it.
    pub record: MeetingRecordView,
    /// The most cases the area's meetings hear.
    pub capacity: u32,
}

/// A meeting, the days its agenda covers, the agenda and what MARAC wrote down for it
/// (read once: every transfer and form, and this meeting's record).
struct MeetingAgenda {
    meeting: vigil_domain::marac_meeting::Meeting,
    window: (Date, Date),
    items: Vec<vigil_domain::marac_meeting::AgendaItem>,
    record: vigil_store::MaracRecord,
}

/// A meeting and its agenda (nothing audited: the callers that show it audit what they
/// show).
async fn agenda_of(app: &App, raw: &str) -> Outcome<MeetingAgenda> {
    let id: i64 = raw.trim().parse().map_err(|_| Failure::NotFound)?;
    let all = app.store.meetings(None).await?;
    let Some(meeting) = all.iter().find(|m| m.id == id).cloned() else {
        return Err(Failure::NotFound);
    };
    let previous = all
        .iter()
        .filter(|m| m.area == meeting.area && m.held_on < meeting.held_on)
        .map(|m| m.held_on)
        .max();
    let window = vigil_domain::marac_meeting::agenda_window(meeting.held_on, previous);
    // The referrals of the window, and the year before it for repeats; reviews look at
    // anything earlier the facts hold.
    let facts = vigil_store::marac_return::facts(app.store.as_ref(), window.0, window.1).await?;
    let record = app.store.marac_record(Some(&[meeting.id])).await?;
    let items = vigil_domain::marac_meeting::agenda(
        &meeting,
        previous,
        &facts,
        &app.rules.marac_areas,
        &record.transfers,
        &marac_areas(app),
    );
    Ok(MeetingAgenda {
        meeting,
        window,
        items,
        record,
    })
}

pub async fn agenda(app: &App, s: &Session, raw: &str) -> Outcome<AgendaView> {
    if seat(app, s).is_none() {
        return Err(Failure::Forbidden);
    }
    let MeetingAgenda {
        meeting,
        window,
        mut items,
        record,
    } = agenda_of(app, raw).await?;
    seated(app, s, Some(&meeting.area), raw).await?;
    let id = meeting.id;
    let withheld = hidden_from(app, s).await?.withhold(&mut items, |h, i| {
        h.person(&i.referral.person) || i.referral.incident.as_ref().is_some_and(|c| h.case(c, []))
    });
    // The agencies at the table know whom they are discussing: names for everyone seated.
    let mut names = std::collections::HashMap::new();
    for i in &items {
        let p = app.store.person(&i.referral.person).await?.record;
        if let Some(name) = vigil_domain::visibility::joined_name(
            p.identity.family_name.as_deref(),
            p.identity.given_names.as_deref(),
        ) {
            names.insert(p.id, name);
        }
    }
    audited_list(
        app,
        s,
        "person.listed",
        &format!("the agenda of MARAC meeting {id}"),
        items.iter().map(|i| i.referral.person.clone()).collect(),
    )
    .await?;
    let mut actions = Vec::new();
    for i in &items {
        actions.extend(
            app.store
                .marac_actions(&vigil_store::ActionQuery {
                    person: Some(i.referral.person.clone()),
                    ..Default::default()
                })
                .await?
                .into_iter()
                .filter(|a| a.is_open() || a.meeting_id == id),
        );
    }
    let research = app.store.research(Some(id)).await?;
    let record = meeting_record(app, s, &meeting, record).await?;
    let capacity = app.rules.marac_capacity(&meeting.area);
    Ok(AgendaView {
        capacity,
        meeting,
        window,
        items,
        names,
        withheld,
        actions,
        research,
        record,
    })
}

// ----- action plans -----

/// An action agreed at a meeting, as the form or the API sends it.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ActionInput {
    /// The MARAC referral on the meeting's agenda that the action is for.
    pub referral_id: String,
    /// `victim` or `perpetrator`.
    pub about: String,
    /// The agency that owns it: `police`, `health`, `idva`, `housing`,
    /// `childrens_services`, `adult_services`, `probation`, `education` or `voluntary`.
    pub owner: String,
    /// What is to be done (up to 500 characters).
    pub description: String,
    /// The day it is due (DD/MM/YYYY or YYYY-MM-DD).
    pub due: String,
}

/// Adds an action to a case of a meeting's agenda (the coordinator). Audited against the
/// victim.
pub async fn add_action(
    app: &App,
    s: &Session,
    meeting_raw: &str,
    input: &ActionInput,
) -> Outcome<vigil_domain::marac_actions::Action> {
    require(
        app,
        s,
        Capability::CoordinateMarac,
        "marac_action",
        meeting_raw,
    )
    .await?;
    let MeetingAgenda { meeting, items, .. } = agenda_of(app, meeting_raw).await?;
    seated(app, s, Some(&meeting.area), meeting_raw).await?;
    let mut errors = Vec::new();
    let item = items
        .iter()
        .find(|i| i.referral.id.as_str() == input.referral_id.trim());
    if item.is_none() {
        errors.push(FieldError::new(
            "referral_id",
            "Choose a case on this meeting's agenda",
        ));
    }
    let about = choice(
        &mut errors,
        "about",
        &input.about,
        "whom the action is about",
        vigil_domain::marac_actions::ActionFor::parse,
    );
    let owner = choice(
        &mut errors,
        "owner",
        &input.owner,
        "the agency that owns it",
        Agency::parse,
    );
    let due = match parse_day(input.due.trim()) {
        _ if input.due.trim().is_empty() => {
            errors.push(FieldError::new("due", "Enter the day the action is due"));
            None
        }
        Ok(d) => Some(d),
        Err(e) => {
            errors.push(FieldError::new("due", e));
            None
        }
    };
    if let (Some(o), Some(d)) = (owner, due)
        && let Err((field, e)) =
            vigil_domain::marac_actions::check_action(&input.description, o, d, meeting.held_on)
    {
        errors.push(FieldError::new(field, capitalise(&e.reason)));
    }
    let (item, about, owner, due) = valid!(errors; item, about, owner, due);
    let a = vigil_domain::marac_actions::Action {
        id: 0,
        meeting_id: meeting.id,
        referral_id: item.referral.id.clone(),
        person_id: item.referral.person.clone(),
        about,
        owner,
        description: input.description.trim().to_owned(),
        due,
        created_by: s.user.username.clone(),
        created_at: app.now(),
        done: None,
    };
    Ok(app
        .store
        .add_marac_action(
            &a,
            &audit_entry(
                actor(s),
                "marac.action_added",
                "person",
                a.person_id.as_str(),
                Some(format!("meeting {}, for {}", meeting.id, owner.as_str())),
            ),
        )
        .await?)
}

/// The MARAC area of a user's home area (its own name when not grouped).
fn user_marac_area(app: &App, s: &Session) -> Option<String> {
    s.user
        .lpa
        .as_ref()
        .map(|l| app.rules.marac_areas.area_of_lpa(l).to_owned())
}

/// The actions a user works: a partner's, their agency's (in their area's MARAC); the
/// CRU's, the police's; a coordinator's, every agency's in their area (to chase the late
/// ones). Each victim named is audited.
pub async fn my_actions(
    app: &App,
    s: &Session,
    open_only: bool,
) -> Outcome<Vec<vigil_domain::marac_actions::Action>> {
    let owner = if allows(s.user.role, Capability::Safeguard) {
        Some(Agency::Police)
    } else if allows(s.user.role, Capability::CoordinateMarac) {
        None
    } else {
        require(app, s, Capability::ReadShared, "marac_action", "").await?;
        Some(s.user.agency.ok_or(Failure::Forbidden)?)
    };
    let mut list = app
        .store
        .marac_actions(&vigil_store::ActionQuery {
            owner,
            area: user_marac_area(app, s),
            open_only,
            ..Default::default()
        })
        .await?;
    hidden_from(app, s)
        .await?
        .withhold(&mut list, |h, a| h.person(&a.person_id));
    audited_list(
        app,
        s,
        "marac.actions_read",
        "the MARAC actions of the user's agency",
        list.iter().map(|a| a.person_id.clone()).collect(),
    )
    .await?;
    Ok(list)
}

/// Completes one of the user's agency's actions with evidence of what was done; returns it
/// done.
pub async fn complete_action(
    app: &App,
    s: &Session,
    raw: &str,
    evidence: &str,
) -> Outcome<vigil_domain::marac_actions::Action> {
    let owner = if allows(s.user.role, Capability::Safeguard) {
        Agency::Police
    } else {
        require(app, s, Capability::ReadShared, "marac_action", raw).await?;
        s.user.agency.ok_or(Failure::Forbidden)?
    };
    let id: i64 = raw.trim().parse().map_err(|_| Failure::NotFound)?;
    let found = app
        .store
        .marac_actions(&vigil_store::ActionQuery {
            id: Some(id),
            owner: Some(owner),
            area: user_marac_area(app, s),
            ..Default::default()
        })
        .await?;
    let Some(a) = found.into_iter().next() else {
        let _ = app
            .store
            .audit(&audit_entry(
                actor(s),
                "marac.action_denied",
                "marac_action",
                &id.to_string(),
                None,
            ))
            .await;
        return Err(Failure::NotFound);
    };
    if hidden_from(app, s).await?.person(&a.person_id) {
        return Err(Failure::NotFound);
    }
    let evidence = vigil_domain::marac_actions::check_evidence(evidence)
        .map_err(|e| Failure::Invalid(vec![FieldError::new("evidence", capitalise(&e.reason))]))?;
    if !a.is_open() {
        return Err(Failure::Conflict(
            "This action was already completed".into(),
        ));
    }
    let now = app.now();
    app.store
        .complete_marac_action(
            id,
            now,
            &s.user.username,
            &evidence,
            &audit_entry(
                actor(s),
                "marac.action_completed",
                "person",
                a.person_id.as_str(),
                Some(format!("action {id}")),
            ),
        )
        .await?;
    Ok(vigil_domain::marac_actions::Action {
        done: Some((now, s.user.username.clone(), evidence)),
        ..a
    })
}

/// Records what the user's agency holds on a case of a meeting's agenda (the CRU for the
/// police); a second entry replaces the agency's first. Audited against the victim.
pub async fn add_research(
    app: &App,
    s: &Session,
    meeting_raw: &str,
    referral_raw: &str,
    text: &str,
) -> Outcome<vigil_domain::marac_meeting::Research> {
    if seat(app, s).is_none() {
        return Err(Failure::Forbidden);
    }
    let MeetingAgenda { meeting, items, .. } = agenda_of(app, meeting_raw).await?;
    // The coordinator and the chair speak for no agency: the agencies research.
    let Some(agency) = seated(app, s, Some(&meeting.area), meeting_raw)
        .await?
        .agency
    else {
        return Err(Failure::Forbidden);
    };
    let mut errors = Vec::new();
    let item = items
        .iter()
        .find(|i| i.referral.id.as_str() == referral_raw.trim());
    if item.is_none() {
        errors.push(FieldError::new(
            "referral_id",
            "Choose a case on this meeting's agenda",
        ));
    }
    let text = match vigil_domain::marac_meeting::check_research(text) {
        Ok(t) => Some(t),
        Err(e) => {
            errors.push(FieldError::new("text", capitalise(&e.reason)));
            None
        }
    };
    let (item, text) = valid!(errors; item, text);
    let r = vigil_domain::marac_meeting::Research {
        meeting_id: meeting.id,
        referral_id: item.referral.id.clone(),
        agency,
        text,
        recorded_by: s.user.username.clone(),
        recorded_at: app.now(),
    };
    app.store
        .save_research(
            &r,
            &audit_entry(
                actor(s),
                "marac.research",
                "person",
                item.referral.person.as_str(),
                Some(format!("meeting {}, {}", meeting.id, agency.as_str())),
            ),
        )
        .await?;
    Ok(r)
}

// ----- the meeting record: attendance, discussions, minutes, transfers -----

/// A meeting's record as it stands, for the agenda page and the minutes.
pub struct MeetingRecordView {
    pub record: vigil_store::MaracRecord,
    pub approved: Option<vigil_domain::marac_record::Approval>,
    /// Whether the user may change it: the coordinator (attendance, discussions,
    /// transfers), the chair (discussions, approval).
    pub coordinates: bool,
    pub chairs: bool,
}

/// The record of a meeting the user sits at, with what their seat lets them do (nothing
/// audited here: the agenda's read is).
async fn meeting_record(
    app: &App,
    s: &Session,
    meeting: &vigil_domain::marac_meeting::Meeting,
    record: vigil_store::MaracRecord,
) -> Outcome<MeetingRecordView> {
    let seat = seated(app, s, Some(&meeting.area), &meeting.id.to_string()).await?;
    let approved = record.approvals.first().cloned();
    Ok(MeetingRecordView {
        record,
        approved,
        coordinates: seat.coordinates,
        chairs: seat.chairs,
    })
}

/// The meeting, its agenda and record, for someone who may change the record now (the
/// coordinator, or the chair when `chair_too`); refused otherwise, and once the minutes
/// are approved or before the meeting's day.
async fn open_record(
    app: &App,
    s: &Session,
    raw: &str,
    chair_too: bool,
) -> Outcome<(
    vigil_domain::marac_meeting::Meeting,
    Vec<vigil_domain::marac_meeting::AgendaItem>,
    vigil_store::MaracRecord,
)> {
    if seat(app, s).is_none_or(|st| !(st.coordinates || (chair_too && st.chairs))) {
        return Err(Failure::Forbidden);
    }
    let MeetingAgenda {
        meeting,
        items,
        record,
        ..
    } = agenda_of(app, raw).await?;
    let st = seated(app, s, Some(&meeting.area), raw).await?;
    if !(st.coordinates || (chair_too && st.chairs)) {
        return Err(Failure::Forbidden);
    }
    vigil_domain::marac_record::check_open(
        meeting.held_on,
        app.now().date(),
        !record.approvals.is_empty(),
    )
    .map_err(|e| Failure::Conflict(capitalise(&e.reason)))?;
    Ok((meeting, items, record))
}

/// Records who attended for each agency (replacing what was recorded); an agency with no
/// one named was absent. The coordinator. Audited once for the meeting.
pub async fn record_attendance(
    app: &App,
    s: &Session,
    raw: &str,
    entries: &[(String, String)],
) -> Outcome<Vec<vigil_domain::marac_record::Attendance>> {
    let (meeting, _, _) = open_record(app, s, raw, false).await?;
    let mut errors = Vec::new();
    let mut out: Vec<vigil_domain::marac_record::Attendance> = Vec::new();
    if entries.len() > Agency::ALL.len() {
        errors.push(FieldError::new(
            "attendance",
            format!("At most {} agencies attend", Agency::ALL.len()),
        ));
    }
    for (agency, names) in entries.iter().take(Agency::ALL.len()) {
        if names.trim().is_empty() {
            continue;
        }
        let field = format!("attendees-{}", agency.trim());
        let Ok(a) = Agency::parse(agency.trim()) else {
            errors.push(FieldError::new(
                "agency",
                format!(
                    "{} is not an agency; use one of {}",
                    agency.chars().take(40).collect::<String>(),
                    Agency::WORDS.join(", ")
                ),
            ));
            continue;
        };
        if out.iter().any(|o| o.agency == a) {
            errors.push(FieldError::new(
                field,
                format!("{} is named twice", crate::components::agency_words(a)),
            ));
            continue;
        }
        match vigil_domain::marac_record::check_attendees(names) {
            Ok(attendees) => out.push(vigil_domain::marac_record::Attendance {
                meeting_id: meeting.id,
                agency: a,
                attendees,
                recorded_by: s.user.username.clone(),
                recorded_at: app.now(),
            }),
            Err(e) => errors.push(FieldError::new(field, capitalise(&e.reason))),
        }
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(FieldError::new(
            "attendance",
            "Name who attended for at least one agency",
        ));
    }
    if !errors.is_empty() {
        return Err(Failure::Invalid(errors));
    }
    app.store
        .save_marac(
            &vigil_store::MaracChange {
                attendance: Some((meeting.id, out.clone())),
                ..Default::default()
            },
            &[audit_entry(
                actor(s),
                "marac.attendance",
                "marac_meeting",
                &meeting.id.to_string(),
                Some(format!("{} agencies", out.len())),
            )],
        )
        .await?;
    Ok(out)
}

/// A case's discussion as the form or the API sends it.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DiscussionInput {
    /// The MARAC referral on the meeting's agenda.
    pub referral_id: String,
    /// What the meeting said of the case (up to 6,000 characters).
    pub discussion: String,
    /// The risk the meeting judged after discussing it: `standard`, `medium` or `high`.
    pub risk_after: String,
}

/// Records (or replaces) the discussion of a case and the risk after it: the coordinator
/// or the chair. Audited against the victim.
pub async fn record_discussion(
    app: &App,
    s: &Session,
    raw: &str,
    input: &DiscussionInput,
) -> Outcome<vigil_domain::marac_record::Discussion> {
    let (meeting, items, _) = open_record(app, s, raw, true).await?;
    let mut errors = Vec::new();
    let item = items
        .iter()
        .find(|i| i.referral.id.as_str() == input.referral_id.trim());
    if item.is_none() {
        errors.push(FieldError::new(
            "referral_id",
            "Choose a case on this meeting's agenda",
        ));
    }
    let discussion = match vigil_domain::marac_record::check_discussion(&input.discussion) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.push(FieldError::new("discussion", capitalise(&e.reason)));
            None
        }
    };
    let risk_after = choice(
        &mut errors,
        "risk_after",
        &input.risk_after,
        "the risk after discussion",
        vigil_domain::RiskGrade::parse,
    );
    let (item, discussion, risk_after) = valid!(errors; item, discussion, risk_after);
    let d = vigil_domain::marac_record::Discussion {
        meeting_id: meeting.id,
        referral_id: item.referral.id.clone(),
        person_id: item.referral.person.clone(),
        discussion,
        risk_after,
        recorded_by: s.user.username.clone(),
        recorded_at: app.now(),
    };
    app.store
        .save_marac(
            &vigil_store::MaracChange {
                discussions: vec![d.clone()],
                ..Default::default()
            },
            &[audit_entry(
                actor(s),
                "marac.discussed",
                "person",
                d.person_id.as_str(),
                Some(format!("meeting {}, risk after {}", meeting.id, risk_after)),
            )],
        )
        .await?;
    Ok(d)
}

/// The chair approves the minutes: every case discussed and attendance taken; the record
/// closes and the minutes go to the agencies that attended.
pub async fn approve_minutes(
    app: &App,
    s: &Session,
    raw: &str,
) -> Outcome<vigil_domain::marac_record::Approval> {
    if !allows(s.user.role, Capability::ChairMarac) {
        require(app, s, Capability::ChairMarac, "marac_minutes", raw).await?;
    }
    let (meeting, items, record) = open_record(app, s, raw, true).await?;
    let agenda: Vec<ReferralId> = items.iter().map(|i| i.referral.id.clone()).collect();
    let discussed: Vec<ReferralId> = record
        .discussions
        .iter()
        .map(|d| d.referral_id.clone())
        .collect();
    vigil_domain::marac_record::check_approvable(&agenda, &discussed, record.attendance.len())
        .map_err(|e| Failure::Invalid(vec![FieldError::new("minutes", capitalise(&e.reason))]))?;
    let a = vigil_domain::marac_record::Approval {
        meeting_id: meeting.id,
        approved_by: s.user.username.clone(),
        approved_at: app.now(),
    };
    app.store
        .save_marac(
            &vigil_store::MaracChange {
                approval: Some(a.clone()),
                ..Default::default()
            },
            &[audit_entry(
                actor(s),
                "marac.minutes_approved",
                "marac_meeting",
                &meeting.id.to_string(),
                None,
            )],
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict { .. } => {
                Failure::Conflict("The minutes of this meeting were already approved".into())
            }
            e => e.into(),
        })?;
    Ok(a)
}

/// A case moved to another MARAC, as the form or the API sends it.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct TransferInput {
    /// The MARAC referral on the meeting's agenda.
    pub referral_id: String,
    /// The MARAC it goes to: another of the force's areas (heard at its next meeting), or
    /// another force's MARAC by name (the case leaves the force's agendas).
    pub to_area: String,
    /// Why it moves (the victim moved, a refuge elsewhere).
    pub reason: String,
}

/// Transfers a case of the meeting's agenda to another MARAC (the coordinator). Audited
/// against the victim.
pub async fn transfer(
    app: &App,
    s: &Session,
    raw: &str,
    input: &TransferInput,
) -> Outcome<vigil_domain::marac_record::Transfer> {
    if seat(app, s).is_none_or(|st| !st.coordinates) {
        return Err(Failure::Forbidden);
    }
    let MeetingAgenda {
        meeting,
        items,
        record,
        ..
    } = agenda_of(app, raw).await?;
    if !seated(app, s, Some(&meeting.area), raw).await?.coordinates {
        return Err(Failure::Forbidden);
    }
    let Some(item) = items
        .iter()
        .find(|i| i.referral.id.as_str() == input.referral_id.trim())
    else {
        return Err(Failure::Invalid(vec![FieldError::new(
            "referral_id",
            "Choose a case on this meeting's agenda",
        )]));
    };
    let now = app.now();
    // One transfer of a case a moment: a second in the same second is a double sending.
    if record
        .transfers
        .iter()
        .any(|t| t.referral_id == item.referral.id && t.transferred_at == now)
    {
        return Err(Failure::Conflict(
            "This case was transferred a moment ago: reload the agenda".into(),
        ));
    }
    vigil_domain::marac_record::check_transfer(
        &meeting.area,
        &input.to_area,
        &input.reason,
        item.referral.referred_at,
        now,
    )
    .map_err(|(field, e)| Failure::Invalid(vec![FieldError::new(field, capitalise(&e.reason))]))?;
    let t = vigil_domain::marac_record::Transfer {
        referral_id: item.referral.id.clone(),
        person_id: item.referral.person.clone(),
        from_area: meeting.area.clone(),
        to_area: input.to_area.trim().to_owned(),
        reason: input.reason.trim().to_owned(),
        transferred_by: s.user.username.clone(),
        transferred_at: now,
    };
    app.store
        .save_marac(
            &vigil_store::MaracChange {
                transfers: vec![t.clone()],
                ..Default::default()
            },
            &[audit_entry(
                actor(s),
                "marac.transferred",
                "person",
                t.person_id.as_str(),
                Some(format!("{} to {}", t.from_area, t.to_area)),
            )],
        )
        .await?;
    Ok(t)
}

/// One case in the minutes.
pub struct MinutesCase {
    pub referral_id: ReferralId,
    pub person_id: PersonId,
    pub name: Option<String>,
    /// The victim's address, for an agency whose part needs it (never a refuge's).
    pub address: Option<String>,
    pub children: bool,
    pub repeat: bool,
    pub discussion: Option<vigil_domain::marac_record::Discussion>,
    pub actions: Vec<vigil_domain::marac_actions::Action>,
    pub transferred_to: Option<String>,
}

pub struct Minutes {
    pub meeting: vigil_domain::marac_meeting::Meeting,
    pub approved: Option<vigil_domain::marac_record::Approval>,
    pub attendance: Vec<vigil_domain::marac_record::Attendance>,
    pub cases: Vec<MinutesCase>,
    /// Whether the reader's agency sees addresses (said on the document).
    pub addresses_shown: bool,
    pub withheld: u64,
}

/// The minutes of a meeting: the coordinator and the chair of its area at any time; once
/// approved, the users of each agency that attended (in the area). The victim's address
/// only for an agency whose part in the plan needs it. Each person named is audited.
pub async fn minutes(app: &App, s: &Session, raw: &str) -> Outcome<Minutes> {
    if seat(app, s).is_none() {
        return Err(Failure::Forbidden);
    }
    let MeetingAgenda {
        meeting,
        mut items,
        record,
        ..
    } = agenda_of(app, raw).await?;
    let st = seated(app, s, Some(&meeting.area), raw).await?;
    let approved = record.approvals.first().cloned();
    let runs = st.coordinates || st.chairs;
    let attended = st
        .agency
        .is_some_and(|a| record.attendance.iter().any(|x| x.agency == a));
    if !(runs || (approved.is_some() && attended)) {
        let _ = app
            .store
            .audit(&audit_entry(
                actor(s),
                "marac_minutes.denied",
                "marac_meeting",
                raw,
                None,
            ))
            .await;
        return Err(Failure::NotFound);
    }
    let withheld = hidden_from(app, s).await?.withhold(&mut items, |h, i| {
        h.person(&i.referral.person) || i.referral.incident.as_ref().is_some_and(|c| h.case(c, []))
    });
    // The coordinator and the chair speak for no agency and act on no case: no address.
    let addresses_shown = vigil_domain::marac_record::minutes_show_address(st.agency);
    let actions = app
        .store
        .marac_actions(&vigil_store::ActionQuery {
            meeting: Some(meeting.id),
            ..Default::default()
        })
        .await?;
    let mut cases = Vec::new();
    for i in &items {
        let p = app.store.person(&i.referral.person).await?.record;
        let address = (addresses_shown && !p.address_confidential)
            .then(|| {
                [
                    p.identity.address.as_deref(),
                    p.identity.postcode.as_deref(),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ")
            })
            .filter(|a| !a.is_empty());
        cases.push(MinutesCase {
            referral_id: i.referral.id.clone(),
            person_id: p.id.clone(),
            name: vigil_domain::visibility::joined_name(
                p.identity.family_name.as_deref(),
                p.identity.given_names.as_deref(),
            ),
            address,
            children: i.children,
            repeat: i.repeat,
            discussion: record
                .discussions
                .iter()
                .find(|d| d.referral_id == i.referral.id)
                .cloned(),
            actions: actions
                .iter()
                .filter(|a| a.referral_id == i.referral.id)
                .cloned()
                .collect(),
            transferred_to: record
                .transfers
                .iter()
                .filter(|t| t.referral_id == i.referral.id)
                .max_by_key(|t| t.transferred_at)
                .map(|t| t.to_area.clone()),
        });
    }
    audited_list(
        app,
        s,
        "person.listed",
        &format!("the minutes of MARAC meeting {}", meeting.id),
        cases.iter().map(|c| c.person_id.clone()).collect(),
    )
    .await?;
    Ok(Minutes {
        meeting,
        approved,
        attendance: record.attendance,
        cases,
        addresses_shown,
        withheld,
    })
}

// ----- the MARAC referral form -----

/// The answers a MARAC referral form asks of every referrer, police or partner.
pub(crate) struct FormAnswers<'a> {
    pub referrer_phone: &'a str,
    pub victim_wishes: &'a str,
    pub consent_sought: &'a str,
    pub judgement_reason: &'a str,
    pub disability: &'a str,
    pub sexuality: &'a str,
    pub transgender: &'a str,
    pub transferred_from: &'a str,
}

/// What the referral itself supplies to its form.
pub(crate) struct FormBase {
    pub person_id: PersonId,
    pub agency: Agency,
    pub perpetrator_id: Option<PersonId>,
    pub perpetrator_name: String,
    pub children: vigil_domain::marac_record::Answer,
    pub dash_score: Option<u8>,
    /// The area's criteria the case meets, in words (empty: none).
    pub grounds: String,
    /// Whether the victim consented, when asked.
    pub consent: Option<bool>,
}

/// Checks the form's answers (each problem pushed under its field) and builds the form; its
/// referral id is filled in once the referral has one.
pub(crate) fn referral_form(
    app: &App,
    s: &Session,
    errors: &mut Vec<FieldError>,
    a: &FormAnswers<'_>,
    base: FormBase,
) -> Option<vigil_domain::marac_record::ReferralForm> {
    use vigil_domain::marac_record::{Answer, Sexuality};
    let before = errors.len();
    let consent_sought = match a.consent_sought.trim() {
        "yes" => Some(true),
        "no" => Some(false),
        "" => {
            errors.push(FieldError::new(
                "consent_sought",
                "Choose whether the victim was asked for consent (MARAC does not require it)",
            ));
            None
        }
        other => {
            errors.push(FieldError::new(
                "consent_sought",
                format!(
                    "{} is not an answer; use yes or no",
                    other.chars().take(40).collect::<String>()
                ),
            ));
            None
        }
    };
    let disability = choice(
        errors,
        "disability",
        a.disability,
        "whether the victim has a disability ('not known' is an answer)",
        Answer::parse,
    );
    let sexuality = choice(
        errors,
        "sexuality",
        a.sexuality,
        "the victim's sexual orientation ('not known' and 'prefers not to say' are answers)",
        Sexuality::parse,
    );
    let transgender = choice(
        errors,
        "transgender",
        a.transgender,
        "whether the victim is transgender ('not known' is an answer)",
        Answer::parse,
    );
    // The form's own checks run whatever the choices above said, so every problem is
    // named at once; a missing choice stands in as "not known" only for them.
    let form = vigil_domain::marac_record::ReferralForm {
        referral_id: ReferralId::parse("R0").expect("a referral id"),
        person_id: base.person_id,
        referred_at: app.now(),
        agency: base.agency,
        referrer: s.user.username.clone(),
        referrer_name: s.user.display_name.clone(),
        referrer_phone: a.referrer_phone.trim().to_owned(),
        perpetrator_id: base.perpetrator_id,
        perpetrator_name: base.perpetrator_name.trim().to_owned(),
        children_in_household: base.children,
        dash_score: base.dash_score,
        grounds: base.grounds,
        judgement_reason: a.judgement_reason.trim().to_owned(),
        victim_wishes: a.victim_wishes.trim().to_owned(),
        consent_sought: consent_sought.unwrap_or(true),
        consent: if consent_sought.unwrap_or(true) {
            base.consent
        } else {
            None
        },
        disability: disability.unwrap_or(Answer::NotKnown),
        sexuality: sexuality.unwrap_or(Sexuality::NotKnown),
        transgender: transgender.unwrap_or(Answer::NotKnown),
        transferred_from: a.transferred_from.trim().to_owned(),
    };
    if let Err(problems) = vigil_domain::marac_record::check_form(&form, !form.grounds.is_empty()) {
        for (field, e) in problems {
            // A consent answer without the question asked is the consent field's problem.
            errors.push(FieldError::new(field, capitalise(&e.reason)));
        }
    }
    (errors.len() == before).then_some(form)
}

// ----- a partner agency's MARAC referral -----

/// A MARAC referral by a partner agency, as its form or the API sends it. The partner does
/// not see the force's records: the victim is named, matched to a person the force holds
/// only on an exact name and date of birth, and recorded afresh otherwise (for the CRU to
/// merge).
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PartnerReferralInput {
    /// The victim: family and given names, sex, date of birth, address and postcode (the
    /// `id` is not used: a partner cannot look people up).
    pub victim: super::PartyInput,
    /// The victim's area (an LPA); a user with an area of their own refers in it.
    pub lpa: String,
    /// The perpetrator's name, as known.
    pub perpetrator_name: String,
    /// `yes`, `no` or `not_known`: children in the household.
    pub children_in_household: String,
    /// The DASH checklist's yes answers, when one was completed (0 to 27; optional).
    pub dash_score: String,
    /// `yes`, `no` or `not_known`: whether the victim consented (when asked).
    pub consent: String,
    pub referrer_phone: String,
    pub victim_wishes: String,
    /// `yes` or `no`.
    pub consent_sought: String,
    pub judgement_reason: String,
    pub disability: String,
    pub sexuality: String,
    pub transgender: String,
    pub transferred_from: String,
}

/// A partner agency with a MARAC seat refers a victim to MARAC in its area. The referral
/// is on the area's next agenda; the partner sees it in its shared list. Audited.
pub async fn partner_referral(
    app: &App,
    s: &Session,
    input: &PartnerReferralInput,
) -> Outcome<ReferralId> {
    let agency = match seat(app, s) {
        Some(Seat {
            agency: Some(a), ..
        }) if a != Agency::Police => a,
        _ => {
            require(app, s, Capability::ReadShared, "marac_referral", "").await?;
            return Err(Failure::Forbidden);
        }
    };
    let mut errors = Vec::new();
    let today = app.now().date();
    let lpa = match &s.user.lpa {
        Some(mine) => Some(mine.clone()),
        None => match app.lpas.iter().find(|l| l.as_str() == input.lpa.trim()) {
            Some(l) => Some(l.clone()),
            None => {
                errors.push(FieldError::new(
                    "lpa",
                    format!(
                        "Choose the victim's area: one of {}",
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
    let victim_input = super::PartyInput {
        id: String::new(),
        ..input.victim.clone()
    };
    let victim =
        super::intake::validate_party(&mut errors, "victim", &victim_input, lpa.as_ref(), today);
    let children = choice(
        &mut errors,
        "children_in_household",
        &input.children_in_household,
        "whether children live in the household",
        vigil_domain::marac_record::Answer::parse,
    );
    let consent = yes_no_unknown(
        &mut errors,
        "consent",
        &input.consent,
        "the victim consented",
    );
    let dash_score = match input.dash_score.trim() {
        "" => Some(None),
        raw => match raw.parse::<u8>() {
            Ok(n) => Some(Some(n)),
            Err(_) => {
                errors.push(FieldError::new(
                    "dash_score",
                    "Enter the number of yes answers, 0 to 27, or leave it empty",
                ));
                None
            }
        },
    };
    let criteria = lpa
        .as_ref()
        .map(|l| *app.rules.marac_for(l))
        .unwrap_or_default();
    let grounds = match dash_score.flatten() {
        Some(n) if n >= criteria.visible_high_risk_yes_count && n <= 27 => {
            vigil_domain::marac::MaracReason::VisibleHighRisk {
                threshold: criteria.visible_high_risk_yes_count,
            }
            .describe()
        }
        _ => String::new(),
    };
    let form = match (&victim, children, dash_score) {
        (Some(_), Some(children), Some(dash_score)) => referral_form(
            app,
            s,
            &mut errors,
            &FormAnswers {
                referrer_phone: &input.referrer_phone,
                victim_wishes: &input.victim_wishes,
                consent_sought: &input.consent_sought,
                judgement_reason: &input.judgement_reason,
                disability: &input.disability,
                sexuality: &input.sexuality,
                transgender: &input.transgender,
                transferred_from: &input.transferred_from,
            },
            FormBase {
                person_id: PersonId::parse("P0").expect("a person id"),
                agency,
                perpetrator_id: None,
                perpetrator_name: input.perpetrator_name.clone(),
                children,
                dash_score,
                grounds,
                consent: consent.flatten(),
            },
        ),
        _ => None,
    };
    if input.perpetrator_name.trim().is_empty() {
        errors.push(FieldError::new(
            "perpetrator_name",
            "Enter the perpetrator's name as you know it ('Not known' is an answer)",
        ));
    }
    let (victim, form, consent, lpa) = valid!(errors; victim, form, consent, lpa);
    // The victim: the one person the force holds with this exact name and date of birth,
    // else a new record (never a guess between several).
    let mut records = RecordSet::default();
    let mut audit = Vec::new();
    let person_id = match victim {
        super::intake::Party::Existing(id) => id,
        super::intake::Party::New(p) => {
            let found = match (&p.identity.family_name, p.birth_date) {
                (Some(family), Some(born)) => {
                    app.store
                        .search_people(&vigil_store::PersonSearch {
                            family_name: family.clone(),
                            whole_family_name: true,
                            given_names: p.identity.given_names.clone(),
                            birth_date: Some(born),
                            limit: 2,
                        })
                        .await?
                }
                _ => Vec::new(),
            };
            if found.len() == 1 {
                found[0].id.clone()
            } else {
                let id = new_id(app, RecordKind::Person, PersonId::parse).await?;
                audit.push(audit_entry(
                    actor(s),
                    "person.create",
                    "person",
                    id.as_str(),
                    Some(format!("named on a MARAC referral by {}", agency.as_str())),
                ));
                records.persons.push(vigil_domain::Person {
                    id: id.clone(),
                    lpa: Some(lpa.clone()),
                    ..p
                });
                id
            }
        }
    };
    let rid = new_id(app, RecordKind::Referral, ReferralId::parse).await?;
    records.referrals.push(vigil_domain::Referral {
        id: rid.clone(),
        kind: ReferralKind::Marac,
        person_id: person_id.clone(),
        incident_id: None,
        referred_at: form.referred_at,
        agency,
        consent: if form.consent_sought { consent } else { None },
    });
    audit.push(audit_entry(
        actor(s),
        "referral.create",
        "person",
        person_id.as_str(),
        Some(format!("MARAC referral {rid} by {}", agency.as_str())),
    ));
    app.store
        .save_marac(
            &vigil_store::MaracChange {
                records,
                forms: vec![vigil_domain::marac_record::ReferralForm {
                    referral_id: rid.clone(),
                    person_id,
                    ..form
                }],
                ..Default::default()
            },
            &audit,
        )
        .await?;
    Ok(rid)
}
