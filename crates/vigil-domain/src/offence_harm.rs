//! Harm weights per offence group, for the gravity part of the perpetrator cohort score.
//!
//! The ONS Crime Severity Score weights each Home Office offence code by the average
//! sentence it attracts. Vigil's extract groups offences more coarsely than that, so the
//! weights below are Vigil's own group-level weights: they keep the ordering the CSS gives
//! these kinds of offence (sexual offences far above violence with injury, which is above
//! stalking, harassment and coercive control, above violence without injury, criminal
//! damage and public order) but are not the ONS values, which are per offence code. A force
//! that holds per-code CSS or Cambridge Crime Harm Index weights supplies them instead.

use crate::records::OffenceGroup;

/// A relative harm weight (higher is more harmful).
pub fn vigil_group_weight(group: OffenceGroup) -> f64 {
    match group {
        OffenceGroup::Sexual => 900.0,
        OffenceGroup::ViolenceWithInjury => 150.0,
        OffenceGroup::CoerciveControl => 120.0,
        OffenceGroup::StalkingHarassment => 90.0,
        OffenceGroup::ViolenceWithoutInjury => 30.0,
        OffenceGroup::CriminalDamage => 15.0,
        OffenceGroup::PublicOrder => 10.0,
        OffenceGroup::Other => 20.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordering_follows_the_crime_severity_score() {
        let w = vigil_group_weight;
        assert!(w(OffenceGroup::Sexual) > w(OffenceGroup::ViolenceWithInjury));
        assert!(w(OffenceGroup::ViolenceWithInjury) > w(OffenceGroup::StalkingHarassment));
        assert!(w(OffenceGroup::StalkingHarassment) > w(OffenceGroup::ViolenceWithoutInjury));
        assert!(w(OffenceGroup::ViolenceWithoutInjury) > w(OffenceGroup::PublicOrder));
        assert!(OffenceGroup::ALL.iter().all(|g| w(*g) > 0.0));
    }
}
