//! Operation Encompass for schools: each key adult's notifications (their school's; an
//! area's education contact: the area's, home-educated children included), one
//! notification's page, and the acknowledgement that closes the police's follow-up task.
//! The rule of who receives what is `vigil_domain::encompass::receives`.

use super::*;
use vigil_domain::encompass::{receives, school_key};

pub struct EncompassList {
    pub page: vigil_store::Page<vigil_store::EncompassItem>,
    pub page_no: u32,
    pub per_page: u32,
    pub withheld: u64,
}

/// The education user's scope as a query: their school, else their area. A user with
/// neither is not an Operation Encompass contact.
fn scope(s: &Session) -> Outcome<vigil_store::EncompassQuery> {
    if s.user.agency != Some(Agency::Education) {
        return Err(Failure::Forbidden);
    }
    let q = match (&s.user.school, &s.user.lpa) {
        (Some(school), _) => vigil_store::EncompassQuery {
            school_key: Some(school_key(school)),
            ..Default::default()
        },
        (None, Some(area)) => vigil_store::EncompassQuery {
            lpa: Some(area.clone()),
            ..Default::default()
        },
        (None, None) => return Err(Failure::Forbidden),
    };
    Ok(q)
}

/// Keeps what the domain's rule and need-to-know let this user see.
async fn checked(
    app: &App,
    s: &Session,
    items: &mut Vec<vigil_store::EncompassItem>,
) -> Outcome<u64> {
    items.retain(|e| {
        receives(
            s.user.school.as_deref(),
            s.user.lpa.as_ref(),
            &e.notification,
        )
    });
    Ok(hidden_from(app, s).await?.withhold(items, |h, e| {
        h.person(&e.notification.child_id) || h.case(&e.notification.incident_id, [])
    }))
}

/// A page of the user's notifications, soonest due first (optionally only those not yet
/// acknowledged), with the true total; one audit row per child shown.
pub async fn encompass_list(
    app: &App,
    s: &Session,
    unacknowledged: bool,
    page: Option<u32>,
    per_page: Option<u32>,
) -> Outcome<EncompassList> {
    require(app, s, Capability::ReadShared, "encompass", "").await?;
    let (page_no, per_page) = paging(page, per_page);
    let mut page = app
        .store
        .encompass(&vigil_store::EncompassQuery {
            unacknowledged,
            offset: (page_no - 1).saturating_mul(per_page),
            limit: per_page,
            ..scope(s)?
        })
        .await?;
    let withheld = checked(app, s, &mut page.items).await?;
    audited_list(
        app,
        s,
        "encompass.read",
        "the Operation Encompass notifications",
        page.items
            .iter()
            .map(|e| e.notification.child_id.clone())
            .collect(),
    )
    .await?;
    Ok(EncompassList {
        page,
        page_no,
        per_page,
        withheld,
    })
}

/// One of the user's notifications: "not found" for any other, and the attempt audited.
pub async fn encompass_one(
    app: &App,
    s: &Session,
    raw: &str,
) -> Outcome<vigil_store::EncompassItem> {
    require(app, s, Capability::ReadShared, "encompass", raw).await?;
    let id = ReferralId::parse(raw.trim()).map_err(|_| Failure::NotFound)?;
    let mut page = app
        .store
        .encompass(&vigil_store::EncompassQuery {
            id: Some(id.clone()),
            limit: 1,
            ..scope(s)?
        })
        .await?;
    checked(app, s, &mut page.items).await?;
    let Some(item) = page.items.pop() else {
        let _ = app
            .store
            .audit(&audit_entry(
                actor(s),
                "encompass.read_denied",
                "referral",
                id.as_str(),
                None,
            ))
            .await;
        return Err(Failure::NotFound);
    };
    audited(
        app,
        audit_entry(
            actor(s),
            "encompass.read",
            "person",
            item.notification.child_id.as_str(),
            Some(format!("notification {id}")),
        ),
    )
    .await?;
    Ok(item)
}

/// The school says it has the notification: recorded once (a second time is a no-op), and
/// the police's follow-up task on the case is done.
pub async fn acknowledge(app: &App, s: &Session, raw: &str) -> Outcome<()> {
    let item = encompass_one(app, s, raw).await?;
    let n = &item.notification;
    if n.acknowledged.is_some() {
        return Ok(());
    }
    let acknowledged = app
        .store
        .acknowledge_encompass(
            &n.referral_id,
            app.now(),
            &s.user.username,
            &audit_entry(
                actor(s),
                "encompass.acknowledged",
                "person",
                n.child_id.as_str(),
                Some(format!("notification {}", n.referral_id)),
            ),
        )
        .await?;
    if acknowledged {
        refresh(app, &n.incident_id).await?;
    }
    Ok(())
}
