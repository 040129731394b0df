//! The audit trail's hash chain, computed the same way by every backend, so a trail copied
//! from one backend to another still verifies.
//!
//! Each entry's hash covers its content, its sequence number and the hash before it. Without
//! a key anyone with write access can recompute the chain after a change; so a force seals
//! it with a key kept outside the database (`VIGIL_AUDIT_KEY_FILE`): from the first entry
//! written with the key (a store begun before the key opens the sealed part with an
//! `audit.keyed` entry), every hash is an HMAC-SHA256 under the key. Then:
//! - a rewrite, or a removal recomputed, without the key, fails the keyed check;
//! - a missing sequence number fails the sequence check;
//! - entries removed from the end are caught against an anchor (`vigil audit anchor`: the
//!   latest sequence number and hash, kept where the store's user cannot rewrite it).

use crate::AuditEntry;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use vigil_domain::time::format_datetime;

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The entry that opens the sealed part of a trail begun without a key.
pub const KEYED_MARKER: &str = "audit.keyed";

/// The secret the chain is sealed with.
#[derive(Clone)]
pub struct AuditKey(Vec<u8>);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(…)")
    }
}

/// The shortest key accepted, in bytes.
pub const MIN_KEY_BYTES: usize = 32;

impl AuditKey {
    pub fn new(bytes: Vec<u8>) -> Result<Self, String> {
        if bytes.len() < MIN_KEY_BYTES {
            return Err(format!(
                "the audit key has {} bytes; use at least {MIN_KEY_BYTES} random bytes (for example: head -c 32 /dev/urandom > audit.key)",
                bytes.len()
            ));
        }
        Ok(AuditKey(bytes))
    }

    /// Reads a key file (its bytes, trailing line breaks aside).
    pub fn from_file(path: &std::path::Path) -> Result<Self, String> {
        let mut bytes = std::fs::read(path)
            .map_err(|e| format!("{}: cannot read the audit key: {e}", path.display()))?;
        while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            bytes.pop();
        }
        AuditKey::new(bytes).map_err(|e| format!("{}: {e}", path.display()))
    }
}

static KEY: OnceLock<Option<AuditKey>> = OnceLock::new();

/// Sets the process's audit key once, at start (the command line reads it from the
/// configuration). Later calls are ignored.
pub fn set_key(key: Option<AuditKey>) {
    let _ = KEY.set(key);
}

/// The process's audit key, if one was set.
pub fn key() -> Option<&'static AuditKey> {
    KEY.get().and_then(Option::as_ref)
}

/// Each field length-prefixed, so no choice of field contents can make two different
/// entries hash alike.
fn material(prev: &str, seq: i64, e: &AuditEntry) -> Vec<u8> {
    let mut out = Vec::new();
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
        out.extend_from_slice(field.len().to_string().as_bytes());
        out.push(b':');
        out.extend_from_slice(field.as_bytes());
        out.push(b';');
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The unkeyed hash of an entry chained to the one before.
pub fn chain_hash(prev: &str, seq: i64, e: &AuditEntry) -> String {
    hex(&Sha256::digest(material(prev, seq, e)))
}

/// The keyed hash (HMAC-SHA256) of an entry chained to the one before.
pub fn keyed_hash(key: &AuditKey, prev: &str, seq: i64, e: &AuditEntry) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(&key.0).expect("HMAC takes any key length");
    mac.update(&material(prev, seq, e));
    hex(&mac.finalize().into_bytes())
}

/// How the next entry after `last` is to be written: its sequence number, the hash it
/// follows, whether it is sealed with the key, and whether the sealed part must first be
/// opened with an `audit.keyed` entry. Refused when the trail is sealed and no key is set:
/// an unsealed entry after sealed ones would break the trail.
pub fn next_link(last: Option<&crate::AuditRow>) -> Result<Link, crate::StoreError> {
    let Some(last) = last else {
        return Ok(Link {
            seq: 1,
            prev: GENESIS.to_owned(),
            keyed: key().is_some(),
            open_sealed_part: false,
        });
    };
    let sealed = match key() {
        Some(k) => keyed_hash(k, &last.prev_hash, last.seq, &last.entry) == last.hash,
        None => {
            if chain_hash(&last.prev_hash, last.seq, &last.entry) != last.hash {
                return Err(crate::StoreError::Integrity(
                    "the audit trail is sealed with a key: set VIGIL_AUDIT_KEY_FILE to the key's file to write to it".into(),
                ));
            }
            false
        }
    };
    Ok(Link {
        seq: last.seq + 1,
        prev: last.hash.clone(),
        keyed: key().is_some(),
        open_sealed_part: key().is_some() && !sealed,
    })
}

/// Where the next entry goes (see `next_link`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub seq: i64,
    pub prev: String,
    pub keyed: bool,
    pub open_sealed_part: bool,
}

/// The rows to write for `e` after `last`: the entry, preceded by the `audit.keyed` entry
/// when the sealed part begins here.
pub fn rows_for(
    last: Option<&crate::AuditRow>,
    e: &AuditEntry,
) -> Result<Vec<crate::AuditRow>, crate::StoreError> {
    let link = next_link(last)?;
    let hash = |prev: &str, seq: i64, e: &AuditEntry| match key() {
        Some(k) if link.keyed => keyed_hash(k, prev, seq, e),
        _ => chain_hash(prev, seq, e),
    };
    let mut out = Vec::new();
    let (mut seq, mut prev) = (link.seq, link.prev);
    if link.open_sealed_part {
        let marker = AuditEntry {
            at: e.at,
            actor: "vigil".into(),
            action: KEYED_MARKER.into(),
            subject_kind: "audit".into(),
            subject_id: "trail".into(),
            reason: Some("entries from here are sealed with the force's audit key".into()),
        };
        let h = hash(&prev, seq, &marker);
        out.push(crate::AuditRow {
            seq,
            entry: marker,
            prev_hash: prev,
            hash: h.clone(),
        });
        seq += 1;
        prev = h;
    }
    let h = hash(&prev, seq, e);
    out.push(crate::AuditRow {
        seq,
        entry: e.clone(),
        prev_hash: prev,
        hash: h,
    });
    Ok(out)
}

/// Why a trail does not verify, and from which entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    pub seq: i64,
    pub reason: String,
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "entry {}: {}", self.seq, self.reason)
    }
}

/// Checks rows read in sequence order; carries the state between calls so a backend can
/// stream the trail. Returns the first entry that breaks the chain.
#[derive(Debug)]
pub struct ChainCheck {
    prev: String,
    expected_seq: i64,
    /// A sealed entry has been seen: every later one must be sealed too.
    sealed: bool,
    last_sealed: bool,
}

impl Default for ChainCheck {
    fn default() -> Self {
        ChainCheck {
            prev: GENESIS.to_owned(),
            expected_seq: 1,
            sealed: false,
            last_sealed: false,
        }
    }
}

impl ChainCheck {
    /// `Some(seq)` when this row does not follow from the rows before it.
    pub fn next(&mut self, row: &crate::AuditRow) -> Option<i64> {
        self.next_break(row).map(|b| b.seq)
    }

    /// The reason this row does not follow from the rows before it, if it does not.
    pub fn next_break(&mut self, row: &crate::AuditRow) -> Option<Break> {
        let broken = |reason: &str| {
            Some(Break {
                seq: row.seq,
                reason: reason.to_owned(),
            })
        };
        if row.seq != self.expected_seq {
            return broken(&format!(
                "entry {} is missing (the sequence jumps to {})",
                self.expected_seq, row.seq
            ));
        }
        if row.prev_hash != self.prev {
            return broken("it does not follow the entry before it");
        }
        let keyed_ok =
            key().is_some_and(|k| keyed_hash(k, &self.prev, row.seq, &row.entry) == row.hash);
        let plain_ok = !keyed_ok && chain_hash(&self.prev, row.seq, &row.entry) == row.hash;
        match (keyed_ok, plain_ok) {
            (true, _) => self.sealed = true,
            (false, true) if self.sealed => {
                return broken(
                    "it is not sealed with the audit key, though entries before it are: it was rewritten without the key",
                );
            }
            (false, true) => {}
            (false, false) if key().is_none() => {
                return broken(
                    "its hash does not match: either the trail is sealed with a key (set VIGIL_AUDIT_KEY_FILE to verify it) or the entry was altered",
                );
            }
            (false, false) => return broken("its hash does not match its content"),
        }
        self.last_sealed = keyed_ok;
        self.prev.clone_from(&row.hash);
        self.expected_seq += 1;
        None
    }

    /// After the last row: with a key set, the trail must end sealed (every entry written
    /// with the key is sealed; an unsealed end was recomputed without it).
    pub fn finish(&self) -> Option<Break> {
        (key().is_some() && self.expected_seq > 1 && !self.last_sealed).then(|| Break {
            seq: self.expected_seq - 1,
            reason: "the trail's last entry is not sealed with the audit key: the trail was rewritten without the key".into(),
        })
    }
}
