//! What Vigil shares with a partner agency: the one rule, in one place.
//!
//! A partner agency's users see referrals that their agency takes part in and nothing else:
//! every MARAC referral (all MARAC agencies sit at the conference), IDVA referrals for the
//! IDVA service, Operation Encompass notifications for schools, MASH referrals for
//! children's and adults' services, and any referral their own agency made. They see who
//! the referral is about (name, date of birth), when it was made, the risk and whether
//! children were present; never an address, the incident narrative or the suspect.

use crate::records::{Agency, ReferralKind};

/// The referral kinds shared with `agency` whoever made them.
pub fn kinds_shared_with(agency: Agency) -> &'static [ReferralKind] {
    use ReferralKind as K;
    match agency {
        Agency::Idva => &[K::Marac, K::Idva],
        Agency::Education => &[K::Marac, K::Encompass],
        Agency::ChildrensServices | Agency::AdultServices => &[K::Marac, K::Mash],
        Agency::Health | Agency::Housing | Agency::Probation | Agency::Voluntary => &[K::Marac],
        // The police see everything through their own roles; "other" is not a MARAC seat.
        Agency::Police | Agency::Other => &[],
    }
}

/// Whether a referral of `kind`, made by `made_by`, is shared with `agency`.
pub fn is_shared_with(agency: Agency, kind: ReferralKind, made_by: Agency) -> bool {
    made_by == agency || kinds_shared_with(agency).contains(&kind)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(is_shared_with(
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
