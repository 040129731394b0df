//! The audit trail's hash chain, computed the same way by every backend, so a trail copied
//! from one backend to another still verifies.

use crate::AuditEntry;
use sha2::{Digest, Sha256};
use vigil_domain::time::format_datetime;

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of an entry chained to the one before. Each field is length-prefixed, so no
/// choice of field contents can make two different entries hash alike.
pub fn chain_hash(prev: &str, seq: i64, e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    let at = format_datetime(e.at);
    for field in [
        prev,
        &seq.to_string(),
        &at,
        &e.actor,
        &e.action,
        &e.subject_kind,
        &e.subject_id,
        e.reason.as_deref().unwrap_or(""),
    ] {
        h.update(field.len().to_string().as_bytes());
        h.update(b":");
        h.update(field.as_bytes());
        h.update(b";");
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks rows read in sequence order; carries the previous hash between calls so a
/// backend can stream the trail. Returns the first entry that breaks the chain.
#[derive(Debug)]
pub struct ChainCheck {
    prev: String,
}

impl Default for ChainCheck {
    fn default() -> Self {
        ChainCheck {
            prev: GENESIS.to_owned(),
        }
    }
}

impl ChainCheck {
    /// `Some(seq)` when this row does not follow from the rows before it.
    pub fn next(&mut self, row: &crate::AuditRow) -> Option<i64> {
        if row.prev_hash != self.prev || chain_hash(&self.prev, row.seq, &row.entry) != row.hash {
            return Some(row.seq);
        }
        self.prev.clone_from(&row.hash);
        None
    }
}
