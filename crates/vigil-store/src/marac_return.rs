//! Reading what the MARAC return needs: a period's MARAC referrals (and the year before
//! it, for repeats), each with its household. The figures are the domain's
//! (`vigil_domain::marac_return`); this only gathers the facts, the same for every backend
//! and for the page, the API and `vigil marac return` alike.

use crate::{Store, StoreResult};
use vigil_domain::marac_return::{REPEAT_WINDOW_DAYS, ReferralFacts, household_incident};
use vigil_domain::time::{Date, Duration};

/// The facts of every MARAC referral from `REPEAT_WINDOW_DAYS` before `from` to the end of
/// `to`. A referral that names no incident takes its household from the victim's latest
/// incident on or before it.
pub async fn facts(store: &dyn Store, from: Date, to: Date) -> StoreResult<Vec<ReferralFacts>> {
    let since = (from - Duration::days(REPEAT_WINDOW_DAYS))
        .and_hms_opt(0, 0, 0)
        .expect("midnight");
    let until = (to + Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .expect("midnight");
    let mut all = store.marac_referral_facts(since, until).await?;
    // The diversity questions are asked on the referral form made in Vigil.
    let forms = store.marac_record(Some(&[])).await?.forms;
    let by_referral: std::collections::HashMap<&vigil_domain::ReferralId, _> =
        forms.iter().map(|f| (&f.referral_id, f)).collect();
    for f in all.iter_mut() {
        if let Some(form) = by_referral.get(&f.id) {
            f.lgbt = Some(form.lgbt());
            f.disabled = Some(form.disabled());
            if f.children_present.is_none() {
                f.children_present = match form.children_in_household {
                    vigil_domain::marac_record::Answer::Yes => Some(true),
                    vigil_domain::marac_record::Answer::No => Some(false),
                    vigil_domain::marac_record::Answer::NotKnown => None,
                };
            }
        }
    }
    let start = from.and_hms_opt(0, 0, 0).expect("midnight");
    for f in all.iter_mut() {
        // Only the period's own cases need a household; earlier ones only mark repeats.
        if f.incident.is_some() || f.referred_at < start {
            continue;
        }
        let incidents = store.incidents_of(&f.person).await?;
        if let Some(i) = household_incident(&incidents, f.referred_at) {
            f.children_present = Some(i.children_present);
            f.incident_lpa = Some(i.lpa.clone());
            f.perpetrator_birth = match &i.suspect_id {
                Some(s) => store.person(s).await?.record.birth_date,
                None => None,
            };
        }
    }
    Ok(all)
}
