//! The MASH in Vigil: the police's referrals about a household's children or an adult at
//! risk, researched and decided by the hub (children's or adult social care in the area),
//! the decision fed back to the referring officer. The rules: `vigil_domain::mash`.

use super::*;
use vigil_domain::mash::{Decision, MashCase, Step, Subject};

/// A step as the form or the API sends it.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct MashStepInput {
    /// `research`, `decide` or `outcome_read` (the referring officer).
    pub step: String,
    /// What the hub's agencies hold (research).
    pub research: String,
    /// `section_47`, `section_17`, `early_help`, `section_42`, `needs_assessment`,
    /// `signposting` or `no_further_action` (decide).
    pub decision: String,
    /// The reasons for the decision (decide).
    pub rationale: String,
}

/// One MASH referral as the hub or the referrer sees it.
pub struct MashItem {
    pub case: MashCase,
    pub version: i64,
    /// Names by person (the victim's and the children's).
    pub names: std::collections::HashMap<PersonId, String>,
}

/// What the user is to the MASH: the hub for one kind of referral (children's social care
/// for children, adult social care for adults), in their area when they have one.
fn hub_of(s: &Session) -> Option<(Subject, Option<vigil_domain::Lpa>)> {
    if !allows(s.user.role, Capability::ReadShared) {
        return None;
    }
    match s.user.agency? {
        Agency::ChildrensServices => Some((Subject::Children, s.user.lpa.clone())),
        Agency::AdultServices => Some((Subject::Adult, s.user.lpa.clone())),
        _ => None,
    }
}

/// Whether the user is the hub for this case.
fn hub_for(s: &Session, c: &MashCase) -> bool {
    hub_of(s).is_some_and(|(about, lpa)| about == c.about && lpa.is_none_or(|l| l == c.lpa))
}

async fn mash_names(
    app: &App,
    c: &MashCase,
) -> Outcome<std::collections::HashMap<PersonId, String>> {
    let people: Vec<&PersonId> = std::iter::once(&c.person_id).chain(&c.children).collect();
    names_of(app, &people).await
}

/// The hub's referrals, undecided first then oldest first; each victim listed is audited.
pub async fn mash_referrals(app: &App, s: &Session) -> Outcome<Vec<MashItem>> {
    let Some((about, lpa)) = hub_of(s) else {
        return Err(Failure::Forbidden);
    };
    let mut list = app
        .store
        .mash_cases(&vigil_store::MashQuery {
            lpa,
            about: Some(about),
            ..Default::default()
        })
        .await?;
    hidden_from(app, s)
        .await?
        .withhold(&mut list, |h, c| h.person(&c.person_id));
    list.sort_by_key(|c| (c.decision.is_some(), c.referred_at));
    audited_list(
        app,
        s,
        "person.listed",
        "the MASH's referrals",
        list.iter().map(|c| c.person_id.clone()).collect(),
    )
    .await?;
    let mut out = Vec::new();
    for case in list {
        let names = mash_names(app, &case).await?;
        out.push(MashItem {
            case,
            version: 0,
            names,
        });
    }
    Ok(out)
}

/// The referring officer's decided referrals whose outcome they have not read.
pub async fn mash_outcomes(app: &App, s: &Session) -> Outcome<Vec<MashCase>> {
    if !allows(s.user.role, Capability::ReadCases) {
        return Ok(Vec::new());
    }
    Ok(app
        .store
        .mash_cases(&vigil_store::MashQuery {
            referred_by: Some(s.user.username.clone()),
            unread: true,
            ..Default::default()
        })
        .await?)
}

/// A refusal that says "not found", audited.
async fn denied(app: &App, s: &Session, raw: &str) -> Failure {
    let _ = app
        .store
        .audit(&audit_entry(
            actor(s),
            "mash.read_denied",
            "referral",
            &raw.chars().take(40).collect::<String>(),
            None,
        ))
        .await;
    Failure::NotFound
}

/// One referral: for its hub and for the officer who referred it; anyone else is told it
/// does not exist (audited).
pub async fn mash_referral(app: &App, s: &Session, raw: &str) -> Outcome<MashItem> {
    let Ok(id) = ReferralId::parse(raw.trim()) else {
        return Err(Failure::NotFound);
    };
    let Some(found) = app.store.mash_case(&id).await? else {
        return Err(denied(app, s, raw).await);
    };
    let c = &found.record;
    if !(hub_for(s, c) || c.referred_by == s.user.username)
        || hidden_from(app, s).await?.person(&c.person_id)
    {
        return Err(denied(app, s, raw).await);
    }
    audited(
        app,
        audit_entry(
            actor(s),
            "person.read",
            "person",
            c.person_id.as_str(),
            Some(format!("MASH referral {id}")),
        ),
    )
    .await?;
    let names = mash_names(app, c).await?;
    Ok(MashItem {
        case: found.record,
        version: found.version,
        names,
    })
}

/// Takes a step: research and the decision by the hub; the outcome read by the referrer.
pub async fn mash_step(
    app: &App,
    s: &Session,
    raw: &str,
    input: &MashStepInput,
) -> Outcome<MashCase> {
    let item = mash_referral(app, s, raw).await?;
    let c = &item.case;
    let mut errors = Vec::new();
    let step = match input.step.trim() {
        "research" => Some(Step::Research {
            text: input.research.clone(),
        }),
        "decide" => choice(
            &mut errors,
            "decision",
            &input.decision,
            "the decision",
            Decision::parse,
        )
        .map(|decision| Step::Decide {
            decision,
            rationale: input.rationale.clone(),
        }),
        "outcome_read" => Some(Step::OutcomeRead),
        other => {
            errors.push(FieldError::new(
                "step",
                format!(
                    "{} is not a step; use research, decide or outcome_read",
                    other.chars().take(40).collect::<String>()
                ),
            ));
            None
        }
    };
    let (step,) = valid!(errors; step);
    // The hub researches and decides; only the referrer reads the outcome.
    let allowed = match step {
        Step::OutcomeRead => c.referred_by == s.user.username,
        _ => hub_for(s, c),
    };
    if !allowed {
        return Err(Failure::Forbidden);
    }
    let next = c
        .apply(&step, &s.user.username, app.now())
        .map_err(|(field, e)| match field {
            "step" => Failure::Conflict(capitalise(&e.reason)),
            f => Failure::Invalid(vec![FieldError::new(f, capitalise(&e.reason))]),
        })?;
    let what = match &step {
        Step::Research { .. } => "mash.research".to_owned(),
        Step::Decide { decision, .. } => format!("mash.decided {}", decision.as_str()),
        Step::OutcomeRead => "mash.outcome_read".to_owned(),
    };
    let (action, reason) = what.split_once(' ').unwrap_or((&what, ""));
    app.store
        .save_mash_case(
            &next,
            item.version,
            &audit_entry(
                actor(s),
                action,
                "person",
                c.person_id.as_str(),
                Some(
                    format!("MASH referral {} {reason}", c.referral_id)
                        .trim()
                        .to_owned(),
                ),
            ),
        )
        .await?;
    Ok(next)
}
