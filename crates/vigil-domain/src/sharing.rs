//! What Vigil shares with a partner agency: the one rule, in one place.
//!
//! A partner agency's users see referrals that their agency takes part in and nothing else:
//! every MARAC referral (all MARAC agencies sit at the conference), IDVA referrals for the
//! IDVA service while the victim consents, MASH referrals for children's and adults'
//! services, and any referral their own agency made — in the user's area when they have
//! one. Operation Encompass reaches schools by its own rule (`encompass::receives`). They see who
//! the referral is about (name, date of birth), when it was made, the risk and whether
//! children were present; never an address, the incident narrative or the suspect.

use crate::Lpa;
use crate::records::{Agency, ReferralKind};

/// The referral kinds shared with `agency` whoever made them.
pub fn kinds_shared_with(agency: Agency) -> &'static [ReferralKind] {
    use ReferralKind as K;
    match agency {
        Agency::Idva => &[K::Marac, K::Idva],
        // Operation Encompass goes to each school's key adult by its own rule
        // (`encompass::receives`), not to every education user.
        Agency::Education => &[K::Marac],
        Agency::ChildrensServices | Agency::AdultServices => &[K::Marac, K::Mash],
        Agency::Health | Agency::Housing | Agency::Probation | Agency::Voluntary => &[K::Marac],
        // The police see everything through their own roles; "other" is not a MARAC seat.
        Agency::Police | Agency::Other => &[],
    }
}

/// Whether a referral of `kind`, made by `made_by`, is shared with `agency` (its kind and
/// maker only; [`shares`] adds consent and area).
pub fn is_shared_with(agency: Agency, kind: ReferralKind, made_by: Agency) -> bool {
    made_by == agency || kinds_shared_with(agency).contains(&kind)
}

/// The referral kinds whose sharing the victim's consent governs: the IDVA service works
/// with a victim who agrees to it. MARAC does not require consent (SafeLives); Operation
/// Encompass and MASH referrals are safeguarding duties that go ahead without it.
pub fn consent_governs(kind: ReferralKind) -> bool {
    kind == ReferralKind::Idva
}

/// A referral as the sharing rule sees it.
#[derive(Debug, Clone, Copy)]
pub struct Shareable<'a> {
    pub kind: ReferralKind,
    pub made_by: Agency,
    /// The victim's consent as recorded (`None`: not asked or not known).
    pub consent: Option<bool>,
    /// Where it happened: the incident's area, else the victim's.
    pub area: Option<&'a Lpa>,
}

/// The one rule: whether a partner user of `agency`, working in `user_area` (or across the
/// force with `None`), sees a referral. Their own agency's referrals always (in their
/// area); otherwise a kind shared with the agency, unless consent governs the kind and the
/// victim declined. An area-bound user sees only referrals known to be in their area.
pub fn shares(agency: Agency, user_area: Option<&Lpa>, r: Shareable<'_>) -> bool {
    let in_area = match user_area {
        None => true,
        Some(mine) => r.area == Some(mine),
    };
    if !in_area {
        return false;
    }
    if r.made_by == agency {
        return true;
    }
    kinds_shared_with(agency).contains(&r.kind)
        && !(consent_governs(r.kind) && r.consent == Some(false))
}

/// The kinds shared with `agency` whose sharing consent governs (for the store's
/// pre-selection; the rule is [`shares`]).
pub fn consent_kinds_for(agency: Agency) -> Vec<ReferralKind> {
    kinds_shared_with(agency)
        .iter()
        .copied()
        .filter(|k| consent_governs(*k))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declined_consent_stops_sharing_with_the_idva_service_and_areas_bind() {
        let north = Lpa::parse("North").unwrap();
        let south = Lpa::parse("South").unwrap();
        let idva = |consent, area| Shareable {
            kind: ReferralKind::Idva,
            made_by: Agency::Police,
            consent,
            area,
        };
        assert!(shares(Agency::Idva, None, idva(Some(true), Some(&north))));
        assert!(shares(Agency::Idva, None, idva(None, Some(&north))));
        assert!(!shares(Agency::Idva, None, idva(Some(false), Some(&north))));
        // MARAC goes ahead without consent.
        let marac = Shareable {
            kind: ReferralKind::Marac,
            ..idva(Some(false), Some(&north))
        };
        assert!(shares(Agency::Idva, None, marac));
        // An area-bound user: their area only, and not a referral whose area is unknown.
        assert!(shares(Agency::Health, Some(&north), marac));
        assert!(!shares(Agency::Health, Some(&south), marac));
        assert!(!shares(
            Agency::Health,
            Some(&north),
            Shareable {
                area: None,
                ..marac
            }
        ));
        // An agency's own referral, declined or not, in its area.
        let own = Shareable {
            made_by: Agency::Idva,
            ..idva(Some(false), Some(&north))
        };
        assert!(shares(Agency::Idva, Some(&north), own));
        assert_eq!(consent_kinds_for(Agency::Idva), [ReferralKind::Idva]);
        assert!(consent_kinds_for(Agency::Health).is_empty());
    }

    #[test]
    fn marac_is_shared_with_every_seat_and_encompass_only_with_schools() {
        for a in [
            Agency::Health,
            Agency::Idva,
            Agency::Housing,
            Agency::Education,
            Agency::Probation,
        ] {
            assert!(
                is_shared_with(a, ReferralKind::Marac, Agency::Police),
                "{a}"
            );
        }
        assert!(!is_shared_with(
            Agency::Education,
            ReferralKind::Encompass,
            Agency::Police
        ));
        assert!(!is_shared_with(
            Agency::Health,
            ReferralKind::Encompass,
            Agency::Police
        ));
        assert!(!is_shared_with(
            Agency::Health,
            ReferralKind::Idva,
            Agency::Police
        ));
        assert!(is_shared_with(
            Agency::Health,
            ReferralKind::Idva,
            Agency::Health
        ));
        assert!(!is_shared_with(
            Agency::Other,
            ReferralKind::Marac,
            Agency::Police
        ));
    }
}
