//! Vigil's analytics: the columnar snapshot of the records and every measure of METRICS.md
//! as pure functions over it, the demand decomposition and the cohorts.
//!
//! No I/O and no clock: the caller loads the snapshot (from the store) and says what "as
//! of" means. The snapshot load and the measures are separate steps so each can be timed.

pub mod calendar;
pub mod codec;
pub mod cohorts;
pub mod demand;
pub mod measures;
pub mod pack;
mod pack_types;
pub mod patch;
pub mod reference;
pub mod snapshot;

pub use calendar::{Month, Window};
pub use pack::{Pack, PackConfig, PackError, compute};
pub use patch::{Changes, Rebuild};
pub use snapshot::{RowTable, Snapshot, SnapshotBuilder};
