//! The IDVA service's work in Vigil: its referrals (those shared with it: the victim has
//! not declined), each taken from acceptance to closure by the rules of
//! `vigil_domain::idva`, and each IDVA's caseload.

use super::*;
use vigil_domain::idva::{Engagement, IdvaCase, Step};

/// A step as the form or the API sends it.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct IdvaStepInput {
    /// `accept`, `decline`, `first_contact`, `outcome` or `close`.
    pub step: String,
    /// Why (decline, close).
    pub reason: String,
    /// When the victim was first contacted (first_contact): `DD/MM/YYYY HH:MM`.
    pub at: String,
    /// `engaged`, `not_engaged` or `unreachable` (outcome).
    pub engagement: String,
}

/// One IDVA referral as the service works it.
pub struct IdvaItem {
    pub shared: vigil_store::SharedReferral,
    pub case: IdvaCase,
    pub version: Option<i64>,
}

fn idva_user(s: &Session) -> Outcome<()> {
    if s.user.agency == Some(Agency::Idva) {
        Ok(())
    } else {
        Err(Failure::Forbidden)
    }
}

async fn item_of(app: &App, shared: vigil_store::SharedReferral) -> Outcome<IdvaItem> {
    let found = app.store.idva_case(&shared.referral.id).await?;
    let (case, version) = match found {
        Some(v) => (v.record, Some(v.version)),
        None => (
            IdvaCase::new(
                shared.referral.id.clone(),
                shared.referral.person_id.clone(),
                shared.referral.referred_at,
            ),
            None,
        ),
    };
    Ok(IdvaItem {
        shared,
        case,
        version,
    })
}

/// A page of the IDVA referrals shared with the service (newest first) with where each
/// stands.
pub async fn idva_referrals(
    app: &App,
    s: &Session,
    page: u32,
) -> Outcome<(SharedList, Vec<IdvaItem>)> {
    idva_user(s)?;
    let list = shared(
        app,
        s,
        &SharedFilter {
            kind: Some(ReferralKind::Idva),
            page,
            per_page: 50,
        },
    )
    .await?;
    let mut items = Vec::new();
    for r in &list.page.items {
        items.push(item_of(app, r.clone()).await?);
    }
    Ok((list, items))
}

/// One IDVA referral (only one shared with the service; audited as a read).
pub async fn idva_referral(app: &App, s: &Session, raw: &str) -> Outcome<IdvaItem> {
    idva_user(s)?;
    let d = shared_referral(app, s, raw).await?;
    if d.shared.referral.kind != ReferralKind::Idva {
        return Err(Failure::NotFound);
    }
    item_of(app, d.shared).await
}

/// Takes a step on an IDVA referral (the domain says whether it follows); the version read
/// is checked, so two IDVAs acting at once do not overwrite each other.
pub async fn idva_step(
    app: &App,
    s: &Session,
    raw: &str,
    input: &IdvaStepInput,
) -> Outcome<IdvaCase> {
    let item = idva_referral(app, s, raw).await?;
    let now = app.now();
    let mut errors = Vec::new();
    let step = match input.step.trim() {
        "accept" => Some(Step::Accept),
        "decline" => Some(Step::Decline {
            reason: input.reason.clone(),
        }),
        "close" => Some(Step::Close {
            reason: input.reason.clone(),
        }),
        "first_contact" => when_field(
            &mut errors,
            "at",
            &input.at,
            "when the victim was first contacted",
            now,
        )
        .map(|at| Step::FirstContact { at }),
        "outcome" => choice(
            &mut errors,
            "engagement",
            &input.engagement,
            "how the victim engaged",
            Engagement::parse,
        )
        .map(Step::Outcome),
        _ => {
            errors.push(FieldError::new(
                "step",
                "Choose accept, decline, first_contact, outcome or close",
            ));
            None
        }
    };
    let (step,) = valid!(errors; step);
    let next = item
        .case
        .apply(&step, &s.user.username, now)
        .map_err(|(field, e)| {
            Failure::Invalid(vec![FieldError::new(field, capitalise(&e.reason))])
        })?;
    app.store
        .save_idva_case(
            &next,
            item.version,
            &audit_entry(
                actor(s),
                &format!("idva.{}", input.step.trim()),
                "person",
                next.person_id.as_str(),
                Some(format!("referral {}", next.referral_id)),
            ),
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict { .. } => Failure::Conflict(
                "Someone else changed this referral meanwhile; open it again to see where it stands".into(),
            ),
            e => e.into(),
        })?;
    Ok(next)
}

/// Each IDVA's open cases (the service's and the CRU's view).
pub async fn idva_caseloads(app: &App, s: &Session) -> Outcome<Vec<(String, usize)>> {
    if !allows(s.user.role, Capability::Safeguard) {
        idva_user(s)?;
    }
    let open = app.store.idva_caseload(None).await?;
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for c in &open {
        if let Some((by, _)) = &c.accepted {
            *counts.entry(by.to_string()).or_default() += 1;
        }
    }
    Ok(counts.into_iter().collect())
}
