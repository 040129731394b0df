//! A case as it stands: its grade, the actions due and its routing today.

use super::*;

/// The grade a case now carries (the domain's rule: `vigil_domain::case::current_grade`).
pub fn current_grade(c: &CaseFile) -> Option<RiskGrade> {
    vigil_domain::case::current_grade(c.incident.risk_level, &c.assessments)
}

/// The actions due on a case, from its facts and the victim's and suspect's histories.
pub async fn case_actions(app: &App, c: &CaseFile) -> Outcome<Vec<Action>> {
    actions(app, c, false).await
}

/// The actions the case raised when it was reported: what its tasks are for (referrals
/// made since then close the tasks; they do not remove them).
pub async fn raised_actions(app: &App, c: &CaseFile) -> Outcome<Vec<Action>> {
    actions(app, c, true).await
}

async fn actions(app: &App, c: &CaseFile, as_reported: bool) -> Outcome<Vec<Action>> {
    let i = &c.incident;
    let victim_history = app.store.incidents_of(&i.victim_id).await?;
    let victim_incidents: Vec<DateTime> = victim_history
        .iter()
        .filter(|x| x.victim_id == i.victim_id && x.id != i.id)
        .map(|x| x.reported_at)
        .collect();
    let victim_referrals: Vec<(ReferralKind, DateTime)> = app
        .store
        .referrals_of(&i.victim_id)
        .await?
        .into_iter()
        .filter(|r| {
            vigil_domain::safeguarding::referral_counts(r.kind, r.consent)
                && !(as_reported && r.referred_at >= i.reported_at)
        })
        .map(|r| (r.kind, r.referred_at))
        .collect();
    let suspect_history: Vec<(PersonId, Relationship, DateTime)> = match &i.suspect_id {
        Some(sid) => app
            .store
            .incidents_of(sid)
            .await?
            .into_iter()
            .filter(|x| x.suspect_id.as_ref() == Some(sid) && x.id != i.id)
            .map(|x| (x.victim_id, x.relationship, x.reported_at))
            .collect(),
        None => Vec::new(),
    };
    let stages: Vec<AssessmentStage> = c.assessments.iter().map(|a| a.stage).collect();
    let judged_high = c
        .assessments
        .iter()
        .any(|a| a.judgement_raised && a.grade == RiskGrade::High);
    let actions = actions_due(
        &CaseFacts {
            incident: i,
            grade: current_grade(c),
            judged_high_risk: judged_high,
            stages: &stages,
            victim_incidents: &victim_incidents,
            victim_referrals: &victim_referrals,
            suspect_history: &suspect_history,
        },
        &vigil_domain::marac::MaracCriteria::default(),
        &vigil_domain::deadlines::SchoolCalendar::default(),
    );
    Ok(actions)
}

/// Routing for a case as it stands (grade after any secondary assessment, today's load).
pub async fn case_routing(app: &App, c: &CaseFile) -> Outcome<Option<Routing>> {
    match current_grade(c) {
        Some(g) => Ok(Some(route(g, dait_load(app, &c.incident.lpa).await?))),
        None => Ok(None),
    }
}
