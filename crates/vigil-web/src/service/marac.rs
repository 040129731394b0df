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

/// The return for the period (analysts; the MARAC coordinator when that role exists).
/// Aggregates only; the read is audited as one act.
pub async fn marac_return(app: &App, s: &Session, p: &ReturnPeriod) -> Outcome<MaracReturn> {
    require(app, s, Capability::ReadAnalytics, "marac_return", "").await?;
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
}

/// The MARAC areas a meeting may be for.
pub fn marac_areas(app: &App) -> Vec<String> {
    app.rules.marac_areas.names(&app.lpas)
}

/// Plans a meeting (the CRU, which administers MARAC here). Audited.
pub async fn create_meeting(
    app: &App,
    s: &Session,
    input: &MeetingInput,
) -> Outcome<vigil_domain::marac_meeting::Meeting> {
    require(app, s, Capability::Safeguard, "marac_meeting", "").await?;
    let mut errors = Vec::new();
    let areas = marac_areas(app);
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

/// Who sits at a MARAC meeting: the CRU for the police (it administers MARAC here), and
/// the partner agencies with a MARAC seat, each in its area's meetings when it has one.
enum Seat {
    Police,
    Partner(Agency, Option<String>),
}

fn seat(app: &App, s: &Session) -> Option<Seat> {
    if allows(s.user.role, Capability::Safeguard) {
        return Some(Seat::Police);
    }
    let agency = s.user.agency?;
    (allows(s.user.role, Capability::ReadShared)
        && vigil_domain::sharing::kinds_shared_with(agency).contains(&ReferralKind::Marac))
    .then(|| Seat::Partner(agency, user_marac_area(app, s)))
}

/// The seat, or a refusal (audited) for anyone who does not sit at MARAC or at this
/// meeting's area.
async fn seated(app: &App, s: &Session, area: Option<&str>, id: &str) -> Outcome<Seat> {
    let found = seat(app, s).filter(|st| match (st, area) {
        (Seat::Partner(_, Some(mine)), Some(area)) => mine == area,
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
    let area = match seated(app, s, None, "")
        .await
        .map_err(|_| Failure::Forbidden)?
    {
        Seat::Police => None,
        Seat::Partner(_, area) => area,
    };
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
}

/// A meeting, the days its agenda covers and the agenda (nothing audited: the callers
/// that show it audit what they show).
async fn agenda_of(
    app: &App,
    raw: &str,
) -> Outcome<(
    vigil_domain::marac_meeting::Meeting,
    (Date, Date),
    Vec<vigil_domain::marac_meeting::AgendaItem>,
)> {
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
    let items =
        vigil_domain::marac_meeting::agenda(&meeting, previous, &facts, &app.rules.marac_areas);
    Ok((meeting, window, items))
}

pub async fn agenda(app: &App, s: &Session, raw: &str) -> Outcome<AgendaView> {
    if seat(app, s).is_none() {
        return Err(Failure::Forbidden);
    }
    let (meeting, window, mut items) = agenda_of(app, raw).await?;
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
    Ok(AgendaView {
        meeting,
        window,
        items,
        names,
        withheld,
        actions,
        research,
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

/// Adds an action to a case of a meeting's agenda (the CRU). Audited against the victim.
pub async fn add_action(
    app: &App,
    s: &Session,
    meeting_raw: &str,
    input: &ActionInput,
) -> Outcome<vigil_domain::marac_actions::Action> {
    require(app, s, Capability::Safeguard, "marac_action", meeting_raw).await?;
    let (meeting, _, items) = agenda_of(app, meeting_raw).await?;
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
/// CRU's, the police's. Each victim named is audited.
pub async fn my_actions(
    app: &App,
    s: &Session,
    open_only: bool,
) -> Outcome<Vec<vigil_domain::marac_actions::Action>> {
    let owner = if allows(s.user.role, Capability::Safeguard) {
        Agency::Police
    } else {
        require(app, s, Capability::ReadShared, "marac_action", "").await?;
        s.user.agency.ok_or(Failure::Forbidden)?
    };
    let mut list = app
        .store
        .marac_actions(&vigil_store::ActionQuery {
            owner: Some(owner),
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
    let (meeting, _, items) = agenda_of(app, meeting_raw).await?;
    let agency = match seated(app, s, Some(&meeting.area), meeting_raw).await? {
        Seat::Police => Agency::Police,
        Seat::Partner(a, _) => a,
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
