//! The team queues.

use super::*;

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
