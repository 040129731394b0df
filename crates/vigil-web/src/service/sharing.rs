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
    let ids: Vec<&str> = list.iter().map(|r| r.referral.person_id.as_str()).collect();
    audited(
        app,
        audit_entry(
            actor(s),
            "shared.read",
            "person",
            &ids.join(" "),
            Some(format!("shared with {agency}")),
        ),
    )
    .await?;
    Ok(list)
}
