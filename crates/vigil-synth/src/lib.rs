//! Synthetic forces for demonstration, testing and calibration.
//!
//! A scenario (`scenario.rs`) is a set of rates that change through time; the simulation
//! (`force.rs`) turns them into a force's records through the mechanisms of DA policing.
//! The same scenario and seed always give the same records. Nothing here ever holds a
//! real person's data.

mod curve;
pub mod force;
mod people;
pub mod rng;
pub mod scenario;

pub use force::{ForceOutput, TruthRow, simulate};
pub use scenario::{Scenario, essex_2019, national, northshire_2025};

#[cfg(test)]
mod tests {
    use vigil_domain::time::parse_date;

    /// Every offence the generator writes carries a Home Office code from Vigil's catalogue,
    /// counted in the offence's own group: an officer could have entered it.
    #[test]
    fn generated_offence_codes_are_in_the_catalogue_and_their_group() {
        let params = crate::scenario::essex_params("", "Small", 0.05);
        let records = crate::simulate(
            &params,
            parse_date("2019-01-01").unwrap(),
            parse_date("2019-06-01").unwrap(),
            3,
        )
        .records;
        assert!(records.offences.len() > 100);
        for o in &records.offences {
            let code = o.ho_code.as_deref().expect("a code");
            let found = vigil_domain::offence_codes::check(code, Some(o.offence_group));
            assert!(found.is_ok(), "{}: {found:?}", o.id);
        }
    }
}
