//! The team queues and the work lists: what is whose, and what is late, by the server's
//! clock, a page at a time with the true total.

use super::*;
use vigil_domain::tasks::{OwnerFilter, role_teams};
use vigil_store::{Page, QueueItem, QueueQuery, TaskItem, TaskQuery, TaskState};

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

/// The most items one page of a list holds.
pub const MAX_PER_PAGE: u32 = 200;
/// The highest page number asked for through the API (no list has more).
pub const MAX_PAGE: u32 = 1_000_000;
/// Items per page when none is asked for.
pub const PER_PAGE: u32 = 50;

/// Which part of a queue to show.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub lpa: Option<Lpa>,
    pub risk: Option<RiskGrade>,
    /// Only the items waiting past the queue's mark.
    pub overdue: bool,
    /// Only the cases allocated to the user.
    pub mine: bool,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

/// A page of a team's queue and how to read its ages.
pub struct QueueView {
    pub page: Page<QueueItem>,
    /// The instant waiting is counted to: the server's clock.
    pub now: DateTime,
    /// Items waiting longer than this are overdue: 7 days for a high-risk victim without a
    /// MARAC referral, 28 for an open investigation, 1 for an unassessed incident.
    pub mark_days: i64,
    /// The CRU's queue holds the high-risk incidents reported since this day.
    pub since: Option<Date>,
    pub page_no: u32,
    pub per_page: u32,
    /// Restricted cases on this page that the reader may not see (left out; the total
    /// still counts them).
    pub withheld: u64,
}

impl QueueView {
    pub fn is_overdue(&self, item: &QueueItem) -> bool {
        item.since < self.now - chrono::Duration::days(self.mark_days)
    }

    pub fn pages(&self) -> u32 {
        pages(self.page.total, self.per_page)
    }
}

pub(crate) fn pages(total: u64, per_page: u32) -> u32 {
    (total.div_ceil(u64::from(per_page.max(1)))).max(1) as u32
}

/// How far back the CRU's queue looks: six months of high-risk incidents whose victim has
/// not been referred to MARAC since. Older ones are history (the person page and search
/// still find them), not a safeguarding queue. Vigil's default.
pub const CRU_WINDOW_DAYS: i64 = 183;

/// The days after which an item of a queue is overdue.
pub fn queue_mark_days(queue: vigil_domain::access::Queue) -> i64 {
    use vigil_domain::access::Queue;
    match queue {
        Queue::Cru => 7,
        Queue::Awaiting => 1,
        Queue::Lpt | Queue::Dait => 28,
    }
}

/// A page and page size asked for through the API: refused, not silently changed, when out
/// of bounds.
pub fn check_paging(errors: &mut Vec<FieldError>, page: Option<u32>, per_page: Option<u32>) {
    if let Some(n) = per_page
        && !(1..=MAX_PER_PAGE).contains(&n)
    {
        errors.push(FieldError::new(
            "per_page",
            format!("Ask for 1 to {MAX_PER_PAGE} items per page"),
        ));
    }
    match page {
        Some(0) => errors.push(FieldError::new("page", "Pages are numbered from 1")),
        Some(n) if n > MAX_PAGE => errors.push(FieldError::new(
            "page",
            format!("Ask for a page from 1 to {MAX_PAGE}"),
        )),
        _ => {}
    }
}

/// A page number and size asked for, bounded.
pub fn paging(page: Option<u32>, per_page: Option<u32>) -> (u32, u32) {
    (
        page.unwrap_or(1).max(1),
        per_page.unwrap_or(PER_PAGE).clamp(1, MAX_PER_PAGE),
    )
}

/// One page of a queue (at most `MAX_PER_PAGE` items).
pub async fn queue(
    app: &App,
    s: &Session,
    queue: vigil_domain::access::Queue,
    f: &QueueFilter,
) -> Outcome<QueueView> {
    queue_page(app, s, queue, f, MAX_PER_PAGE, "queue.read").await
}

/// The most rows a queue's download holds.
pub const MAX_EXPORT: u32 = 10_000;

/// The whole filtered queue (up to `MAX_EXPORT` items), for a download: audited as an
/// export.
pub async fn queue_all(
    app: &App,
    s: &Session,
    queue: vigil_domain::access::Queue,
    f: &QueueFilter,
) -> Outcome<QueueView> {
    let f = QueueFilter {
        page: 1,
        per_page: MAX_EXPORT,
        ..f.clone()
    };
    queue_page(app, s, queue, &f, MAX_EXPORT, "queue.export").await
}

async fn queue_page(
    app: &App,
    s: &Session,
    queue: vigil_domain::access::Queue,
    f: &QueueFilter,
    max: u32,
    action: &str,
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
    let now = app.now();
    let since = (queue == vigil_domain::access::Queue::Cru)
        .then(|| now.date() - chrono::Duration::days(CRU_WINDOW_DAYS));
    let mark_days = queue_mark_days(queue);
    let page_no = f.page.max(1);
    let per_page = f.per_page.clamp(1, max);
    let mut page = app
        .store
        .queue(&QueueQuery {
            queue,
            lpa: f.lpa.clone(),
            risk: f.risk,
            officer: f.mine.then(|| s.user.username.clone()),
            since: since.map(|d| d.and_hms_opt(0, 0, 0).expect("midnight")),
            waiting_before: f.overdue.then(|| now - chrono::Duration::days(mark_days)),
            offset: (page_no - 1).saturating_mul(per_page),
            limit: per_page,
        })
        .await?;
    // The store chose the page by the domain's order; the page is shown in it too, the
    // same whichever backend answered.
    let newest_first = vigil_domain::case::newest_first(queue);
    page.items.sort_by(|a, b| {
        let (ka, kb) = (
            vigil_domain::case::queue_order_key(a.risk, a.since),
            vigil_domain::case::queue_order_key(b.risk, b.since),
        );
        let by_time = if newest_first {
            ka.0.cmp(&kb.0).then(kb.1.cmp(&ka.1))
        } else {
            ka.cmp(&kb)
        };
        by_time.then_with(|| a.incident_id.as_str().cmp(b.incident_id.as_str()))
    });
    let withheld = hidden_from(app, s)
        .await?
        .withhold(&mut page.items, |h, i| {
            h.case(&i.incident_id, [&i.victim_id])
        });
    // A queue lists cases and victims: its view is audited like a record's.
    let subject = format!(
        "{}{}",
        queue.slug(),
        f.lpa.as_ref().map_or(String::new(), |l| format!(":{l}"))
    );
    audited(app, audit_entry(actor(s), action, "queue", &subject, None)).await?;
    audited_list(
        app,
        s,
        "person.listed",
        &format!("queue {subject}"),
        page.items.iter().map(|i| i.victim_id.clone()).collect(),
    )
    .await?;
    Ok(QueueView {
        page,
        now,
        mark_days,
        since,
        page_no,
        per_page,
        withheld,
    })
}

// ----- outstanding suspects -----

/// Which outstanding suspects to show.
#[derive(Debug, Clone, Default)]
pub struct SuspectFilter {
    pub team: Option<InvestigatingTeam>,
    pub lpa: Option<Lpa>,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

pub struct SuspectList {
    pub page: Page<vigil_store::SuspectItem>,
    /// Restricted cases or people on this page left out (the total still counts them).
    pub withheld: u64,
    /// Time outstanding is counted to the server's clock.
    pub now: DateTime,
    pub page_no: u32,
    pub per_page: u32,
}

/// One page of the outstanding suspects (at most `max` items), oldest first, names as the
/// role may see them; audited like a queue (it names suspects and victims).
pub async fn outstanding_suspects(
    app: &App,
    s: &Session,
    f: &SuspectFilter,
    export: bool,
) -> Outcome<SuspectList> {
    let subject = format!(
        "{}{}",
        f.team.map_or("all", |t| t.as_str()),
        f.lpa.as_ref().map_or(String::new(), |l| format!(":{l}"))
    );
    require(
        app,
        s,
        Capability::RecordInvestigation,
        "suspects",
        &subject,
    )
    .await?;
    let (page_no, per_page) = if export {
        (1, MAX_EXPORT)
    } else {
        (f.page.max(1), f.per_page.clamp(1, MAX_PER_PAGE))
    };
    let mut page = app
        .store
        .outstanding_suspects(&vigil_store::SuspectQuery {
            team: f.team,
            lpa: f.lpa.clone(),
            offset: (page_no - 1).saturating_mul(per_page),
            limit: per_page,
        })
        .await?;
    page.items.sort_by(|a, b| {
        vigil_domain::suspects::order_key(&a.suspect)
            .cmp(&vigil_domain::suspects::order_key(&b.suspect))
    });
    let withheld = hidden_from(app, s)
        .await?
        .withhold(&mut page.items, |h, i| {
            h.case(
                &i.suspect.incident_id,
                [&i.suspect.victim_id, &i.suspect.suspect_id],
            )
        });
    let action = if export {
        "suspects.export"
    } else {
        "suspects.read"
    };
    audited(
        app,
        audit_entry(actor(s), action, "suspects", &subject, None),
    )
    .await?;
    Ok(SuspectList {
        page,
        withheld,
        now: app.now(),
        page_no,
        per_page,
    })
}

// ----- work lists -----

/// Whose tasks a work list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// The user's own.
    Me,
    /// The user's teams', in their area, not yet held by anyone.
    Team,
}

pub struct WorkList {
    pub page: Page<TaskItem>,
    /// Tasks of restricted cases on this page left out (the total still counts them).
    pub withheld: u64,
    pub now: DateTime,
    pub page_no: u32,
    pub per_page: u32,
}

/// A page of the user's (or their team's) tasks, soonest due first (the overdue ones are
/// the earliest due), with the true total.
pub async fn work_list(
    app: &App,
    s: &Session,
    owner: Owner,
    state: TaskState,
    page: Option<u32>,
    per_page: Option<u32>,
) -> Outcome<WorkList> {
    require(app, s, Capability::ReadCases, "tasks", owner_word(owner)).await?;
    let now = app.now();
    let (page_no, per_page) = paging(page, per_page);
    let mut page = tasks_page(
        app,
        s,
        owner,
        state,
        now,
        (page_no - 1).saturating_mul(per_page),
        per_page,
    )
    .await?;
    let withheld = hidden_from(app, s)
        .await?
        .withhold(&mut page.items, |h, t| {
            h.case(&t.task.incident_id, [&t.victim_id])
        });
    // Tasks name victims: the list is audited like a queue, person by person.
    audited(
        app,
        audit_entry(actor(s), "tasks.read", "tasks", owner_word(owner), None),
    )
    .await?;
    audited_list(
        app,
        s,
        "person.listed",
        &format!("the work list ({})", owner_word(owner)),
        page.items.iter().map(|t| t.victim_id.clone()).collect(),
    )
    .await?;
    Ok(WorkList {
        page,
        withheld,
        now,
        page_no,
        per_page,
    })
}

/// How many tasks a work list holds in a state (no task is shown, so nothing is audited).
pub async fn work_count(app: &App, s: &Session, owner: Owner, state: TaskState) -> Outcome<u64> {
    require(app, s, Capability::ReadCases, "tasks", owner_word(owner)).await?;
    Ok(tasks_page(app, s, owner, state, app.now(), 0, 0)
        .await?
        .total)
}

async fn tasks_page(
    app: &App,
    s: &Session,
    owner: Owner,
    state: TaskState,
    now: DateTime,
    offset: u32,
    limit: u32,
) -> Outcome<Page<TaskItem>> {
    let filter = match owner {
        Owner::Me => OwnerFilter::Officer(s.user.username.clone()),
        Owner::Team => {
            let teams = role_teams(s.user.role);
            // A role that belongs to no team (a call handler) has no team tasks.
            if teams.is_empty() {
                return Ok(Page {
                    total: 0,
                    items: Vec::new(),
                });
            }
            OwnerFilter::Teams(teams.to_vec(), s.user.lpa.clone())
        }
    };
    Ok(app
        .store
        .tasks(&TaskQuery {
            owner: filter,
            state,
            now,
            offset,
            limit,
        })
        .await?)
}

fn owner_word(o: Owner) -> &'static str {
    match o {
        Owner::Me => "me",
        Owner::Team => "team",
    }
}

/// Each officer's open caseload in the sergeant's teams and area.
pub async fn team_caseloads(app: &App, s: &Session) -> Outcome<Vec<vigil_store::Caseload>> {
    require(app, s, Capability::AllocateCases, "caseloads", "team").await?;
    let teams: Vec<InvestigatingTeam> = vigil_domain::access::queues(s.user.role)
        .iter()
        .flat_map(|q| vigil_domain::case::queue_teams(*q).iter().copied())
        .collect();
    Ok(app.store.caseloads(&teams, s.user.lpa.as_ref()).await?)
}
