//! The perpetrator cohort and the acute victim cohort as teams work them: runs (on the
//! schedule, or now), each stored with its configuration, who entered, stayed and left;
//! owners, plans, reviews and what was done. The rules are `vigil_domain::cohort`; the
//! computation over the records is `vigil_analytics::cohorts`.

use super::*;
use vigil_analytics::calendar::{date as day_date, day};
use vigil_domain::cohort::{
    ActionKind, Allocation, CohortKind, Run, RunMember, allocation_key, may_manage, may_own,
    may_view, movements,
};

/// A cohort kind from a path or a form ("perpetrators" or "victims" read too).
pub fn cohort_kind(raw: &str) -> Outcome<CohortKind> {
    match raw.trim() {
        "perpetrator" | "perpetrators" => Ok(CohortKind::Perpetrator),
        "victim" | "victims" => Ok(CohortKind::Victim),
        _ => Err(Failure::NotFound),
    }
}

fn area(app: &App, raw: &str) -> Outcome<Lpa> {
    known_lpa(app, raw.trim()).map_err(|e| Failure::Invalid(vec![FieldError::new("lpa", e)]))
}

async fn may(app: &App, s: &Session, kind: CohortKind, manage: bool) -> Outcome<()> {
    let ok = if manage {
        may_manage(s.user.role, kind)
    } else {
        may_view(s.user.role, kind)
    };
    if ok {
        return Ok(());
    }
    let _ = app
        .store
        .audit(&audit_entry(
            actor(s),
            "cohort.denied",
            "cohort",
            kind.as_str(),
            Some(format!(
                "role {} may not {}",
                s.user.role,
                if manage { "manage it" } else { "see it" }
            )),
        ))
        .await;
    Err(Failure::Forbidden)
}

/// Everyone an area's cohort scores, ranked as far as the cohort reaches (the first `size`),
/// kept as the computation gives them: a stored row is made only for those the run keeps.
enum Scored<'s> {
    Perpetrators(
        &'s vigil_analytics::Snapshot,
        Vec<vigil_analytics::cohorts::Perpetrator>,
    ),
    Victims(
        &'s vigil_analytics::Snapshot,
        Vec<vigil_analytics::cohorts::AcuteVictim>,
    ),
    None,
}

impl Scored<'_> {
    fn len(&self) -> usize {
        match self {
            Scored::Perpetrators(_, v) => v.len(),
            Scored::Victims(_, v) => v.len(),
            Scored::None => 0,
        }
    }

    fn person(&self, k: usize) -> &str {
        match self {
            Scored::Perpetrators(s, v) => s.person_ids.get(v[k].person as usize),
            Scored::Victims(s, v) => s.person_ids.get(v[k].person as usize),
            Scored::None => "",
        }
    }

    /// The `k`th as a stored row (rank, movement and previous rank are the run's to set).
    fn member(
        &self,
        k: usize,
        as_of: Date,
        cfg: &vigil_domain::cohort::CohortConfig,
    ) -> Outcome<RunMember> {
        let person_id = PersonId::parse(self.person(k)).map_err(|e| Failure::Problem(e.reason))?;
        let blank = |person_id| RunMember {
            person_id,
            rank: None,
            movement: vigil_domain::cohort::Movement::Entered,
            previous_rank: None,
            score: 0.0,
            r: 0.0,
            f: 0.0,
            g: 0.0,
            v: 0.0,
            incidents: 0,
            victims: 0,
            last_incident: None,
            serial: false,
            reasons: String::new(),
        };
        Ok(match self {
            Scored::Perpetrators(snap, v) => {
                let p = &v[k];
                RunMember {
                    score: p.score.total,
                    r: p.score.r,
                    f: p.score.f,
                    g: p.score.g,
                    v: p.score.v,
                    incidents: p.facts.incidents,
                    victims: p.facts.victims,
                    last_incident: Some(p.facts.last_incident),
                    serial: p.serial,
                    reasons: vigil_analytics::cohorts::reasons(snap, p, as_of, cfg),
                    ..blank(person_id)
                }
            }
            Scored::Victims(_, v) => {
                let x = &v[k];
                let last = day_date(x.last_day);
                RunMember {
                    incidents: x.incidents_12m,
                    last_incident: Some(last),
                    reasons: format!(
                        "{} risk; {} incident{} in 12 months, the last on {}",
                        vigil_analytics::cohorts::grade_words(x.grade),
                        x.incidents_12m,
                        if x.incidents_12m == 1 { "" } else { "s" },
                        vigil_domain::dates::long(last)
                    ),
                    ..blank(person_id)
                }
            }
            Scored::None => blank(person_id),
        })
    }
}

/// Computes and stores a run of `kind` for `lpa` as of `as_of` over `snapshot` (the
/// caller loads it once for however many runs it makes): the members by rank, and those
/// who left since the area's run before with their score now. Returns its id.
pub(crate) async fn run_cohort(
    app: &App,
    snapshot: Option<&vigil_analytics::Snapshot>,
    kind: CohortKind,
    lpa: &Lpa,
    as_of: Date,
    run_by: &str,
) -> Outcome<i64> {
    let cfg = &app.rules.cohort.config;
    let today = day(as_of);
    let scored = match snapshot.and_then(|s| s.lpa_index(lpa.as_str()).map(|i| (s, i))) {
        None => Scored::None,
        Some((snap, idx)) => match kind {
            CohortKind::Perpetrator => Scored::Perpetrators(
                snap,
                vigil_analytics::cohorts::perpetrator_cohort(snap, today, Some(idx), cfg),
            ),
            CohortKind::Victim => Scored::Victims(
                snap,
                vigil_analytics::cohorts::acute_victims(snap, today, Some(idx), usize::MAX),
            ),
        },
    };
    let ranked: Vec<RunMember> = (0..scored.len().min(cfg.size))
        .map(|k| {
            Ok(RunMember {
                rank: Some(k as u32 + 1),
                ..scored.member(k, as_of, cfg)?
            })
        })
        .collect::<Outcome<_>>()?;
    let previous = match app.store.cohort_runs(kind, Some(lpa), 1).await?.first() {
        Some(r) => app.store.cohort_run(r.id).await?,
        None => None,
    };
    // Those who left: their score now, where the area still scores them.
    let members = movements(previous.as_ref(), ranked, |p| {
        (0..scored.len())
            .find(|k| scored.person(*k) == p.as_str())
            .and_then(|k| scored.member(k, as_of, cfg).ok())
    });
    let run = Run {
        id: 0,
        kind,
        lpa: lpa.clone(),
        as_of,
        run_at: app.now(),
        run_by: run_by.to_owned(),
        configuration: match kind {
            CohortKind::Perpetrator => cfg.to_text(),
            CohortKind::Victim => format!(
                "ranking=highest risk grade in the 12 months to the day, then incidents in them, then the latest\nsize={}\n",
                cfg.size
            ),
        },
        members,
    };
    let audit = audit_entry(
        run_by,
        "cohort.run",
        "cohort",
        &format!("{}|{lpa}", kind.as_str()),
        Some(format!("as of {as_of}: {} in it", run.in_cohort().count())),
    );
    Ok(app.store.save_cohort_run(&run, &[audit]).await?)
}

/// The records' snapshot, for the runs about to be made (none when nothing is loaded).
async fn snapshot(app: &App) -> Outcome<Option<std::sync::Arc<vigil_analytics::Snapshot>>> {
    Ok(app
        .snapshot
        .get(app.store.as_ref())
        .await?
        .map(|(s, _, _)| s))
}

/// Runs a cohort now, for one area or (`all`) every area; returns the runs' ids.
pub async fn run_cohort_now(
    app: &App,
    s: &Session,
    kind: CohortKind,
    lpa: &str,
) -> Outcome<Vec<i64>> {
    may(app, s, kind, true).await?;
    let areas = if lpa.trim() == "all" {
        app.store.lpas().await?
    } else {
        vec![area(app, lpa)?]
    };
    let snap = snapshot(app).await?;
    let mut ids = Vec::new();
    for l in &areas {
        ids.push(run_cohort(app, snap.as_deref(), kind, l, app.now().date(), actor(s)).await?);
    }
    Ok(ids)
}

/// Runs each area's cohorts that the schedule says are due and have not run since (a run
/// missed while the server was down is made up at its start). Returns how many ran. The
/// snapshot is loaded only when a run is due, once for all of them.
pub async fn scheduled_runs(app: &App) -> Outcome<usize> {
    let today = app.now().date();
    let Some(due) = app.rules.cohort.due_on(today) else {
        return Ok(0);
    };
    let mut snap: Option<Option<std::sync::Arc<vigil_analytics::Snapshot>>> = None;
    let mut ran = 0;
    for lpa in app.store.lpas().await? {
        for kind in CohortKind::ALL {
            let latest = app.store.cohort_runs(*kind, Some(&lpa), 1).await?;
            if latest.first().is_none_or(|r| r.as_of < due) {
                if snap.is_none() {
                    snap = Some(snapshot(app).await?);
                }
                let loaded = snap.as_ref().and_then(Option::as_deref);
                run_cohort(app, loaded, *kind, &lpa, due, "schedule").await?;
                ran += 1;
            }
        }
    }
    Ok(ran)
}

/// A cohort's run as a team sees it.
pub struct CohortView {
    pub kind: CohortKind,
    pub lpa: Lpa,
    pub areas: Vec<Lpa>,
    /// The run shown (the latest, or the one asked for); none before the first.
    pub run: Option<Run>,
    /// The area's runs, newest first (their members apart).
    pub runs: Vec<Run>,
    pub allocations: std::collections::HashMap<PersonId, Allocation>,
    pub names: std::collections::HashMap<PersonId, String>,
    /// Members not shown: restricted records the user may not see.
    pub withheld: usize,
    pub may_manage: bool,
}

/// The area's run (the latest, or `run_id`), each person listed audited.
pub async fn cohort_view(
    app: &App,
    s: &Session,
    kind: CohortKind,
    lpa: Option<&str>,
    run_id: Option<i64>,
) -> Outcome<CohortView> {
    may(app, s, kind, false).await?;
    let areas = app.store.lpas().await?;
    let lpa = match lpa.map(str::trim).filter(|l| !l.is_empty()) {
        Some(l) => area(app, l)?,
        None => s
            .user
            .lpa
            .clone()
            .or_else(|| areas.first().cloned())
            .ok_or(Failure::NotFound)?,
    };
    let runs = app.store.cohort_runs(kind, Some(&lpa), 60).await?;
    let chosen = match run_id {
        Some(id) => runs
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.id)
            .ok_or(Failure::NotFound)?,
        None => match runs.first() {
            Some(r) => r.id,
            None => {
                return Ok(CohortView {
                    kind,
                    lpa,
                    areas,
                    run: None,
                    runs,
                    allocations: Default::default(),
                    names: Default::default(),
                    withheld: 0,
                    may_manage: may_manage(s.user.role, kind),
                });
            }
        },
    };
    let mut run = app
        .store
        .cohort_run(chosen)
        .await?
        .ok_or(Failure::NotFound)?;
    let hidden = hidden_from(app, s).await?;
    let before = run.members.len();
    run.members.retain(|m| !hidden.person(&m.person_id));
    let withheld = before - run.members.len();
    let ids: Vec<PersonId> = run.members.iter().map(|m| m.person_id.clone()).collect();
    audited_list(
        app,
        s,
        "person.listed",
        &format!("the {} cohort of {lpa} as of {}", kind.as_str(), run.as_of),
        ids.clone(),
    )
    .await?;
    let names = if allows(s.user.role, Capability::SeeNames) {
        let refs: Vec<&PersonId> = ids.iter().collect();
        names_of(app, &refs).await?
    } else {
        Default::default()
    };
    let allocations = app
        .store
        .cohort_allocations(&vigil_store::AllocationQuery {
            kind: Some(kind),
            lpa: Some(lpa.clone()),
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(|a| (a.person_id.clone(), a))
        .collect();
    Ok(CohortView {
        kind,
        lpa,
        areas,
        run: Some(run),
        runs,
        allocations,
        names,
        withheld,
        may_manage: may_manage(s.user.role, kind),
    })
}

/// One member: their place in every run (the score over time), their owner and what was
/// done. Audited as a read of the person.
pub struct MemberView {
    pub kind: CohortKind,
    pub lpa: Lpa,
    pub person_id: PersonId,
    pub name: Option<String>,
    pub history: Vec<(Date, RunMember)>,
    pub allocation: Option<vigil_store::Versioned<Allocation>>,
    pub may_manage: bool,
    pub may_act: bool,
}

pub async fn cohort_member(
    app: &App,
    s: &Session,
    kind: CohortKind,
    lpa: &str,
    person: &str,
) -> Outcome<MemberView> {
    may(app, s, kind, false).await?;
    let lpa = area(app, lpa).map_err(|_| Failure::NotFound)?;
    let person_id = PersonId::parse(person.trim()).map_err(|_| Failure::NotFound)?;
    let history = app.store.cohort_history(kind, &lpa, &person_id).await?;
    let allocation = app
        .store
        .cohort_allocation(&allocation_key(kind, &lpa, &person_id))
        .await?;
    if history.is_empty() && allocation.is_none() {
        return Err(Failure::NotFound);
    }
    let names = read_people(app, s, &[&person_id], &format!("{} cohort", kind.as_str())).await?;
    let name = allows(s.user.role, Capability::SeeNames)
        .then(|| names.get(&person_id).cloned())
        .flatten();
    let may_act = allocation
        .as_ref()
        .is_some_and(|a| a.record.owner == s.user.username || may_manage(s.user.role, kind));
    Ok(MemberView {
        kind,
        lpa,
        person_id,
        name,
        history,
        allocation,
        may_manage: may_manage(s.user.role, kind),
        may_act,
    })
}

/// An owner and a plan, as the form or the API sends them.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct OwnerInput {
    /// The officer's user name.
    pub owner: String,
    pub plan: String,
    /// The first review (DD/MM/YYYY or YYYY-MM-DD); the review period on when empty.
    pub next_review: String,
}

/// Allocates a member to an officer (or re-allocates them), with the plan and the first
/// review, which then sits on the officer's work list.
pub async fn allocate_member(
    app: &App,
    s: &Session,
    kind: CohortKind,
    lpa: &str,
    person: &str,
    input: &OwnerInput,
) -> Outcome<Allocation> {
    may(app, s, kind, true).await?;
    let member = cohort_member(app, s, kind, lpa, person).await?;
    let now = app.now();
    let review_days = app.rules.cohort.review_days;
    let mut errors = Vec::new();
    let owner = match vigil_domain::access::Username::parse(input.owner.trim()) {
        Err(_) => {
            errors.push(FieldError::new("owner", "Give the officer's user name"));
            None
        }
        Ok(u) => match app.store.user(&u).await? {
            Some(user) if !user.disabled && may_own(user.role, kind) => Some(u),
            Some(_) => {
                errors.push(FieldError::new(
                    "owner",
                    format!(
                        "{u} cannot own a member of this cohort: choose an officer who works it"
                    ),
                ));
                None
            }
            None => {
                errors.push(FieldError::new("owner", format!("No user is called {u}")));
                None
            }
        },
    };
    let next_review = if input.next_review.trim().is_empty() {
        Some(now.date() + vigil_domain::time::Duration::days(review_days))
    } else {
        day_field(
            &mut errors,
            "next_review",
            &input.next_review,
            "the first review",
            now.date() + vigil_domain::time::Duration::days(4 * review_days),
        )
    };
    let (owner, next_review) = valid!(errors; owner, next_review);
    let fresh = Allocation::new(
        kind,
        member.lpa.clone(),
        member.person_id.clone(),
        owner,
        &input.plan,
        next_review,
        &s.user.username,
        now,
        review_days,
    )
    .map_err(|(f, e)| Failure::Invalid(vec![FieldError::new(f, capitalise(&e.reason))]))?;
    // A re-allocation keeps what was done.
    let (a, version) = match &member.allocation {
        Some(v) if v.record.closed.is_none() => (
            Allocation {
                actions: v.record.actions.clone(),
                ..fresh
            },
            Some(v.version),
        ),
        Some(v) => (fresh, Some(v.version)),
        None => (fresh, None),
    };
    app.store
        .save_cohort_allocation(
            &a,
            version,
            &[audit_entry(
                actor(s),
                "cohort.allocate",
                "person",
                a.person_id.as_str(),
                Some(format!(
                    "{} cohort of {} to {}",
                    kind.as_str(),
                    a.lpa,
                    a.owner
                )),
            )],
        )
        .await?;
    Ok(a)
}

/// What an owner did, as the form or the API sends it.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CohortActionInput {
    /// `review`, `programme_referral`, `disruption`, `order_applied`, `contact_attempt`,
    /// `other`, or `close`.
    pub action: String,
    pub text: String,
    pub outcome: String,
    /// A review: the next one (the review period on when empty).
    pub next_review: String,
}

/// Records what the owner (or a manager) did; a review sets the next one; `close` ends
/// the allocation with the text as its reason.
pub async fn cohort_action(
    app: &App,
    s: &Session,
    kind: CohortKind,
    lpa: &str,
    person: &str,
    input: &CohortActionInput,
) -> Outcome<Allocation> {
    let member = cohort_member(app, s, kind, lpa, person).await?;
    let Some(current) = member.allocation else {
        return Err(Failure::Conflict(
            "The member has no owner yet: allocate them first".into(),
        ));
    };
    if !member.may_act {
        return Err(Failure::Forbidden);
    }
    let now = app.now();
    let review_days = app.rules.cohort.review_days;
    let mut errors = Vec::new();
    let next_review = if input.next_review.trim().is_empty() {
        None
    } else {
        day_field(
            &mut errors,
            "next_review",
            &input.next_review,
            "the next review",
            now.date() + vigil_domain::time::Duration::days(4 * review_days),
        )
    };
    if !errors.is_empty() {
        return Err(Failure::Invalid(errors));
    }
    let field = |(f, e): (&'static str, ValueError)| {
        if f == "action" {
            Failure::Conflict(capitalise(&e.reason))
        } else {
            Failure::Invalid(vec![FieldError::new(f, capitalise(&e.reason))])
        }
    };
    let next = match input.action.trim() {
        "close" => current
            .record
            .close(&input.text, &s.user.username, now)
            .map_err(field)?,
        raw => {
            let kind_of = ActionKind::parse(raw).map_err(|_| {
                Failure::Invalid(vec![FieldError::new(
                    "action",
                    format!(
                        "'{}' is not an action; use review, programme_referral, disruption, order_applied, contact_attempt, other or close",
                        raw.chars().take(30).collect::<String>()
                    ),
                )])
            })?;
            current
                .record
                .record(
                    kind_of,
                    &input.text,
                    &input.outcome,
                    next_review,
                    &s.user.username,
                    now,
                    review_days,
                )
                .map_err(field)?
        }
    };
    app.store
        .save_cohort_allocation(
            &next,
            Some(current.version),
            &[audit_entry(
                actor(s),
                &format!("cohort.{}", input.action.trim()),
                "person",
                next.person_id.as_str(),
                Some(format!("{} cohort of {}", kind.as_str(), next.lpa)),
            )],
        )
        .await?;
    Ok(next)
}

/// The user's open allocations, the next review first (their work list): restricted people
/// the user may not see left out, each person listed audited.
pub async fn my_cohort_members(app: &App, s: &Session) -> Outcome<Vec<Allocation>> {
    let mut mine = app
        .store
        .cohort_allocations(&vigil_store::AllocationQuery {
            owner: Some(s.user.username.clone()),
            open_only: true,
            ..Default::default()
        })
        .await?;
    let hidden = hidden_from(app, s).await?;
    mine.retain(|a| !hidden.person(&a.person_id));
    audited_list(
        app,
        s,
        "person.listed",
        "the user's cohort members",
        mine.iter().map(|a| a.person_id.clone()).collect(),
    )
    .await?;
    Ok(mine)
}

/// How many victims make `person` a serial perpetrator today (two or more different victims
/// of incidents in which they were the suspect, in the configured years): `None` when they
/// are not one. Read from the person's incidents; nothing audited here (the caller's read is).
pub async fn serial_flag(app: &App, person: &PersonId) -> Outcome<Option<usize>> {
    Ok(serial_in(
        app,
        person,
        &app.store.incidents_of(person).await?,
    ))
}

/// As [`serial_flag`], over the person's incidents already read.
pub fn serial_in(app: &App, person: &PersonId, incidents: &[Incident]) -> Option<usize> {
    let n = vigil_domain::cohort::serial_victims(
        incidents
            .iter()
            .filter(|i| i.suspect_id.as_ref() == Some(person))
            .map(|i| (i.reported_at.date(), i.victim_id.as_str())),
        app.now().date(),
        app.rules.cohort.config.serial_years,
    );
    (n >= 2).then_some(n)
}
