//! What a partner agency's users see: a page of the referrals shared with their agency (in
//! their area when they have one), and one referral's detail. The rule is
//! `vigil_domain::sharing::shares`; the store pre-selects by it and each row is checked.

use super::*;
use vigil_domain::sharing::{Shareable, consent_kinds_for, kinds_shared_with, shares};

/// Which of the shared referrals to show.
#[derive(Debug, Clone, Default)]
pub struct SharedFilter {
    pub kind: Option<ReferralKind>,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

pub struct SharedList {
    pub page: vigil_store::Page<vigil_store::SharedReferral>,
    pub page_no: u32,
    pub per_page: u32,
    /// Restricted records on this page left out (the total still counts them).
    pub withheld: u64,
}

fn query(s: &Session, agency: Agency) -> vigil_store::SharedQuery {
    vigil_store::SharedQuery {
        agency,
        kinds: kinds_shared_with(agency).to_vec(),
        consent_kinds: consent_kinds_for(agency),
        lpa: s.user.lpa.clone(),
        kind: None,
        id: None,
        offset: 0,
        limit: 1,
    }
}

/// Keeps what the sharing rule allows (the store's pre-selection already did: a row it
/// should not have sent is dropped here, and said in the log) and what need-to-know
/// allows; returns how many restricted rows were left out.
async fn checked(
    app: &App,
    s: &Session,
    agency: Agency,
    items: &mut Vec<vigil_store::SharedReferral>,
) -> Outcome<u64> {
    let before = items.len();
    items.retain(|r| {
        shares(
            agency,
            s.user.lpa.as_ref(),
            Shareable {
                kind: r.referral.kind,
                made_by: r.referral.agency,
                consent: r.referral.consent,
                area: r.lpa.as_ref(),
            },
        )
    });
    if items.len() != before {
        tracing::error!(
            dropped = before - items.len(),
            "the store pre-selected referrals the sharing rule does not share"
        );
    }
    Ok(hidden_from(app, s).await?.withhold(items, |h, r| {
        h.person(&r.referral.person_id)
            || r.referral
                .incident_id
                .as_ref()
                .is_some_and(|i| h.case(i, []))
    }))
}

fn partner_agency(s: &Session) -> Outcome<Agency> {
    // A partner-agency user always has an agency (`vigil user add` insists on it).
    s.user.agency.ok_or(Failure::Forbidden)
}

/// A page of the referrals shared with the user's agency, newest first, with the true
/// total; one audit row per person it shows.
pub async fn shared(app: &App, s: &Session, f: &SharedFilter) -> Outcome<SharedList> {
    require(app, s, Capability::ReadShared, "shared", "").await?;
    let agency = partner_agency(s)?;
    let page_no = f.page.max(1);
    let per_page = f.per_page.clamp(1, MAX_PER_PAGE);
    let mut page = app
        .store
        .shared_referrals(&vigil_store::SharedQuery {
            kind: f.kind,
            offset: (page_no - 1).saturating_mul(per_page),
            limit: per_page,
            ..query(s, agency)
        })
        .await?;
    let withheld = checked(app, s, agency, &mut page.items).await?;
    // One audit row per person the list shows, so a search of the trail by person finds
    // every agency that saw them. No rows, no list.
    audited_list(
        app,
        s,
        "shared.read",
        &format!("the list shared with {agency}"),
        page.items
            .iter()
            .map(|r| r.referral.person_id.clone())
            .collect(),
    )
    .await?;
    Ok(SharedList {
        page,
        page_no,
        per_page,
        withheld,
    })
}

/// One shared referral, with the police contact for it: "not found" unless the list
/// would show it to the user.
pub struct SharedDetail {
    pub shared: vigil_store::SharedReferral,
    /// The officer in charge of the case behind it, when one is allocated: name and
    /// username.
    pub officer: Option<(String, String)>,
}

pub async fn shared_referral(app: &App, s: &Session, raw: &str) -> Outcome<SharedDetail> {
    require(app, s, Capability::ReadShared, "shared", raw).await?;
    let agency = partner_agency(s)?;
    let id = ReferralId::parse(raw.trim()).map_err(|_| Failure::NotFound)?;
    let mut page = app
        .store
        .shared_referrals(&vigil_store::SharedQuery {
            id: Some(id.clone()),
            ..query(s, agency)
        })
        .await?;
    checked(app, s, agency, &mut page.items).await?;
    let Some(shared) = page.items.pop() else {
        let _ = app
            .store
            .audit(&audit_entry(
                actor(s),
                "shared.read_denied",
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
            "shared.read",
            "person",
            shared.referral.person_id.as_str(),
            Some(format!("referral {id}")),
        ),
    )
    .await?;
    let mut officer = None;
    if let Some(incident) = &shared.referral.incident_id
        && let Some(state) = app.store.case_work(incident).await?.state
        && let Some(u) = &state.record.allocated_to
    {
        let name = app
            .store
            .user(u)
            .await?
            .map_or_else(|| u.to_string(), |x| x.display_name);
        officer = Some((name, u.to_string()));
    }
    Ok(SharedDetail { shared, officer })
}
