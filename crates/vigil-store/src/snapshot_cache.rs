//! The columnar cache of a store: the analytics snapshot in binary form, stamped with the
//! store revision it was built from, kept where the store says ([`Store::cache_path`]: beside
//! a SQLite file, in the cache directory for a server database). Rebuilt whenever the
//! revision differs, so it can never serve records the store no longer holds. A cache that
//! cannot be written only costs speed.

use crate::{ExtractInfo, Store, StoreError};
use vigil_analytics::{Snapshot, SnapshotBuilder, codec};

/// Writes the cache atomically (temporary file, then rename). A failure is reported and
/// otherwise ignored.
pub fn write(store: &dyn Store, snapshot: &Snapshot, revision: u64) {
    let Some(p) = store.cache_path() else { return };
    if let Some(dir) = p.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let tmp = p.with_extension("snapshot.partial");
    let result = std::fs::write(&tmp, codec::encode(snapshot, revision))
        .and_then(|_| std::fs::rename(&tmp, &p));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        eprintln!(
            "note: the snapshot cache {} could not be written ({e}); packs will read the store directly",
            p.display()
        );
    }
}

/// Where a snapshot came from, for timings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Cache,
    Store,
}

/// The snapshot of the store's records: from the cache when it is current, else built from
/// the store (and the cache refreshed). `Ok(None)` when the store holds no records yet.
pub async fn load(
    store: &dyn Store,
) -> Result<Option<(Snapshot, ExtractInfo, Source)>, StoreError> {
    let Some(info) = store.extract_info().await? else {
        return Ok(None);
    };
    let revision = store.revision().await?;
    if let Some(p) = store.cache_path()
        && let Ok(bytes) = std::fs::read(&p)
        && codec::revision(&bytes) == Some(revision)
    {
        match codec::decode(&bytes) {
            Ok((snapshot, _)) => return Ok(Some((snapshot, info, Source::Cache))),
            Err(e) => eprintln!(
                "note: the snapshot cache {} is unusable ({e}); rebuilding it",
                p.display()
            ),
        }
    }
    // Built from the store a chunk at a time, so even a national store is never held in
    // memory as records.
    let mut builder = SnapshotBuilder::new(Some(info.as_of));
    store
        .export_chunks(256 * 1024, &mut |chunk| {
            builder.add(&chunk);
            Ok(())
        })
        .await?;
    let snapshot = builder.finish();
    write(store, &snapshot, revision);
    Ok(Some((snapshot, info, Source::Store)))
}
