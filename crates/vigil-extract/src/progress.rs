//! A progress sink, so this crate can report on long reads and writes without knowing how
//! the caller shows them (a terminal bar in the CLI, nothing in tests).

pub trait Progress: Sync {
    /// A step begins: `total` units (bytes or rows) are expected.
    fn begin(&self, label: &str, total: u64);
    /// `n` more units are done.
    fn advance(&self, n: u64);
    /// The step is done.
    fn end(&self);
}

/// Shows nothing.
pub struct Silent;

impl Progress for Silent {
    fn begin(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
    fn end(&self) {}
}
