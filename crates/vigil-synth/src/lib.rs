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
pub use scenario::{Scenario, essex_2019, national};
