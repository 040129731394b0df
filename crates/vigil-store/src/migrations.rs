//! What every backend's migrations share: an embedded migration, its checksum, and the
//! check of a database's applied migrations against the ones this Vigil knows, so a
//! database migrated by a different build is noticed rather than silently misread.

use crate::{StoreError, StoreResult};
use sha2::{Digest, Sha256};

/// One embedded schema migration.
pub struct Migration {
    pub version: i64,
    pub description: &'static str,
    pub sql: &'static str,
}

/// The SHA-256 of a migration's text, as recorded when it is applied.
pub fn checksum(sql: &str) -> String {
    Sha256::digest(sql.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The migrations still to apply, in order, given those a database records as applied
/// (version and checksum); an unknown or altered applied migration is a `Schema` error.
pub fn pending<'a>(
    known: &'a [Migration],
    applied: &[(i64, String)],
) -> StoreResult<Vec<&'a Migration>> {
    for (version, sum) in applied {
        match known.iter().find(|m| m.version == *version) {
            None => {
                return Err(StoreError::Schema(format!(
                    "the database has migration {version}, which this Vigil does not know; use the newer Vigil that made it"
                )));
            }
            Some(m) if checksum(m.sql) != *sum => {
                return Err(StoreError::Schema(format!(
                    "migration {version} ({}) differs from the one applied to this database",
                    m.description
                )));
            }
            Some(_) => {}
        }
    }
    Ok(known
        .iter()
        .filter(|m| !applied.iter().any(|(v, _)| *v == m.version))
        .collect())
}
