//! What a partner agency's users see.

use super::*;

// ----- partner agencies -----

pub async fn shared(app: &App, s: &Session) -> Outcome<Vec<vigil_store::SharedReferral>> {
    require(app, s, Capability::ReadShared, "shared", "").await?;
    // A partner-agency user always has an agency (`vigil user add` insists on it).
    let Some(agency) = s.user.agency else {
        return Err(Failure::Forbidden);
    };
    // The store pre-selects by kind and agency (indexed); the domain's rule decides.
    let mut list = app
        .store
        .shared_referrals(
            vigil_domain::sharing::kinds_shared_with(agency),
            agency,
            500,
        )
        .await?;
    list.retain(|r| {
        vigil_domain::sharing::is_shared_with(agency, r.referral.kind, r.referral.agency)
    });
    // A restricted record is shared with nobody outside those named on it.
    hidden_from(app, s).await?.withhold(&mut list, |h, r| {
        h.person(&r.referral.person_id)
            || r.referral
                .incident_id
                .as_ref()
                .is_some_and(|i| h.case(i, []))
    });
    // One audit row per person the list shows, so a search of the trail by person finds
    // every agency that saw them. No rows, no list.
    audited_list(
        app,
        s,
        "shared.read",
        &format!("the list shared with {agency}"),
        list.iter().map(|r| r.referral.person_id.clone()).collect(),
    )
    .await?;
    Ok(list)
}
