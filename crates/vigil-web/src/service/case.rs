//! A case as it stands: its grade, the actions due and its routing today.

use super::*;

/// The grade a case now carries (the domain's rule: `vigil_domain::case::current_grade`).
pub fn current_grade(c: &CaseFile) -> Option<RiskGrade> {
    vigil_domain::case::current_grade(c.incident.risk_level, &c.assessments)
}

/// What a case's actions depend on beyond the case itself: the victim's incidents and
/// referrals, and the suspect's incidents. Read once for each use.
pub struct Histories {
    victim_incidents: Vec<Incident>,
    /// Every referral of the victim, any incident, declined ones included.
    pub referrals: Vec<Referral>,
    suspect_incidents: Vec<Incident>,
    /// Clare's Law applications about the victim.
    pub disclosures: Vec<vigil_domain::Disclosure>,
}

impl Histories {
    /// The suspect's earlier incidents that trigger right to know for `i` (the rule:
    /// `vigil_domain::disclosure`), oldest first.
    pub fn right_to_know_evidence(&self, i: &Incident) -> Vec<vigil_domain::IncidentId> {
        let mut earlier: Vec<&Incident> = self
            .suspect_incidents
            .iter()
            .filter(|x| {
                x.id != i.id
                    && x.suspect_id == i.suspect_id
                    && vigil_domain::disclosure::triggers_right_to_know(
                        (&i.victim_id, i.relationship, i.reported_at),
                        (&x.victim_id, x.relationship, x.reported_at),
                    )
            })
            .collect();
        earlier.sort_by_key(|x| x.reported_at);
        earlier.into_iter().map(|x| x.id.clone()).collect()
    }

    pub async fn of(app: &App, i: &Incident) -> Outcome<Histories> {
        Ok(Histories {
            victim_incidents: app.store.incidents_of(&i.victim_id).await?,
            referrals: app.store.referrals_of(&i.victim_id).await?,
            suspect_incidents: match &i.suspect_id {
                Some(sid) => app.store.incidents_of(sid).await?,
                None => Vec::new(),
            },
            disclosures: app.store.disclosures_for(&i.victim_id).await?,
        })
    }
}

/// The actions due on a case, from its facts and the victim's and suspect's histories.
pub async fn case_actions(app: &App, c: &CaseFile) -> Outcome<Vec<Action>> {
    let h = Histories::of(app, &c.incident).await?;
    Ok(actions_with(app, c, &h, false))
}

/// The actions due on a case as it stands, or (`as_reported`) the ones it raised when it
/// was reported: what its tasks are for (referrals made since then close the tasks; they do
/// not remove them).
pub fn actions_with(app: &App, c: &CaseFile, h: &Histories, as_reported: bool) -> Vec<Action> {
    let i = &c.incident;
    let victim_incidents: Vec<DateTime> = h
        .victim_incidents
        .iter()
        .filter(|x| x.victim_id == i.victim_id && x.id != i.id)
        .map(|x| x.reported_at)
        .collect();
    let victim_referrals: Vec<(ReferralKind, DateTime)> = h
        .referrals
        .iter()
        .filter(|r| {
            vigil_domain::safeguarding::referral_counts(r.kind, r.consent)
                && !(as_reported && r.referred_at >= i.reported_at)
        })
        .map(|r| (r.kind, r.referred_at))
        .collect();
    // Each earlier MARAC referral of the victim with its household's perpetrator: the
    // referral's incident, else the victim's latest before it (the return's rule).
    let victim_own: Vec<vigil_domain::Incident> = h
        .victim_incidents
        .iter()
        .filter(|x| x.victim_id == i.victim_id)
        .cloned()
        .collect();
    let marac_perpetrators: Vec<(DateTime, Option<PersonId>)> = h
        .referrals
        .iter()
        .filter(|r| r.kind == ReferralKind::Marac && r.person_id == i.victim_id)
        .filter(|r| !(as_reported && r.referred_at >= i.reported_at))
        .map(|r| {
            let household = match &r.incident_id {
                Some(id) => victim_own.iter().find(|x| &x.id == id),
                None => vigil_domain::marac_return::household_incident(&victim_own, r.referred_at),
            };
            (r.referred_at, household.and_then(|x| x.suspect_id.clone()))
        })
        .collect();
    let suspect_history: Vec<(PersonId, Relationship, DateTime)> = match &i.suspect_id {
        Some(sid) => h
            .suspect_incidents
            .iter()
            .filter(|x| x.suspect_id.as_ref() == Some(sid) && x.id != i.id)
            .map(|x| (x.victim_id.clone(), x.relationship, x.reported_at))
            .collect(),
        None => Vec::new(),
    };
    let decisions: Vec<(PersonId, DateTime)> = h
        .disclosures
        .iter()
        .filter(|d| d.route == vigil_domain::DisclosureRoute::RightToKnow)
        .filter_map(|d| Some((d.subject_id.clone(), d.decided_at?)))
        .filter(|(_, t)| !(as_reported && *t >= i.reported_at))
        .collect();
    let stages: Vec<AssessmentStage> = c.assessments.iter().map(|a| a.stage).collect();
    let judged_high = c
        .assessments
        .iter()
        .any(|a| a.judgement_raised && a.grade == RiskGrade::High);
    actions_due(
        &CaseFacts {
            incident: i,
            grade: current_grade(c),
            judged_high_risk: judged_high,
            stages: &stages,
            victim_incidents: &victim_incidents,
            victim_referrals: &victim_referrals,
            marac_perpetrators: &marac_perpetrators,
            suspect_history: &suspect_history,
            right_to_know_decisions: &decisions,
        },
        // The force's criteria, so what the page says follows them.
        app.rules.marac_for(&i.lpa),
        // The area's own school calendar, the one its Encompass task runs on.
        app.rules.school(&i.lpa),
    )
}

/// Routing for a case as it stands (grade after any secondary assessment, today's load).
pub async fn case_routing(app: &App, c: &CaseFile) -> Outcome<Option<Routing>> {
    match current_grade(c) {
        Some(g) => Ok(Some(route(g, dait_load(app, &c.incident.lpa).await?))),
        None => Ok(None),
    }
}
