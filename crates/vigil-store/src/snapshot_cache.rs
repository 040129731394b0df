//! The columnar cache of a store: the analytics snapshot in binary form, stamped with the
//! store revision it was built from, kept where the store says ([`Store::cache_path`]: beside
//! a SQLite file, in the cache directory for a server database). When the revision differs,
//! the store's change log says which rows changed since, and the snapshot is patched with
//! them (`Snapshot::apply`); a rebuild from every record is the fallback when there is no
//! cache, it is damaged, or the log cannot say (an import since) or the patch cannot follow
//! a change. Either way it never serves records the store no longer holds. A cache that
//! cannot be written only costs speed.
//!
//! Each row is known by its store key (SQLite's rowid, PostgreSQL's `stored`): the order the
//! snapshot holds rows in, and what the change log names.

use crate::{ExtractInfo, Store, StoreError};
pub use vigil_analytics::{Changes, RowTable};
use vigil_analytics::{Snapshot, SnapshotBuilder, codec};
use vigil_domain::RecordSet;

/// Writes the cache atomically (temporary file, then rename). A failure is reported and
/// otherwise ignored.
pub fn write(store: &dyn Store, snapshot: &Snapshot, revision: u64) {
    if let Some(p) = store.cache_path() {
        write_to(&p, snapshot, revision);
    }
}

fn write_to(p: &std::path::Path, snapshot: &Snapshot, revision: u64) {
    if let Some(dir) = p.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    // A name of its own, so two writers (a server and a command) never share a half file.
    let tmp = p.with_extension(format!(
        "snapshot.{}.{revision}.partial",
        std::process::id()
    ));
    let result = std::fs::File::create(&tmp)
        .and_then(|f| {
            let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
            codec::encode_to(&mut w, snapshot, revision)
        })
        .and_then(|_| std::fs::rename(&tmp, p));
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
    /// The server's copy in memory, current.
    Memory,
    /// The cache file, current.
    Cache,
    /// The cache (or the server's copy) patched with the rows changed since.
    Patched,
    /// Built from every record in the store.
    Store,
}

impl Source {
    /// One word for it (the pack's `Server-Timing` header).
    pub fn key(self) -> &'static str {
        match self {
            Source::Memory => "memory",
            Source::Cache => "cache",
            Source::Patched => "patched",
            Source::Store => "rebuilt",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Source::Memory => "held in memory",
            Source::Cache => "from the columnar cache",
            Source::Patched => "from the columnar cache, patched with the rows changed since",
            Source::Store => "from the store; cache rebuilt",
        }
    }
}

/// How many changed rows a patch takes on; past it, a rebuild is about as quick.
pub const PATCH_LIMIT: usize = 200_000;

/// The snapshot of the store's records: from the cache when it is current, patched with
/// the rows changed since when it is not, else built from the store (and the cache
/// refreshed). `Ok(None)` when the store holds no records yet.
pub async fn load(
    store: &dyn Store,
) -> Result<Option<(Snapshot, ExtractInfo, Source)>, StoreError> {
    let Some(info) = store.extract_info().await? else {
        return Ok(None);
    };
    let cached = read_cache(store);
    let (mut snapshot, revision, source) = bring_up_to_date(store, cached).await?;
    snapshot.as_of = Some(info.as_of);
    if source != Source::Cache {
        write(store, &snapshot, revision);
    }
    Ok(Some((snapshot, info, source)))
}

/// Writes the cache for a snapshot built from the very records just imported (cheaper than
/// reading them all back), once it has the store's keys for its rows. Nothing is written if
/// the store holds other rows too: the first load rebuilds.
pub async fn write_imported(store: &dyn Store, mut snapshot: Snapshot) -> Result<(), StoreError> {
    let revision = store.revision().await?;
    let rows = [
        snapshot.person_ids.len(),
        snapshot.incidents.day.len(),
        snapshot.offences.incident.len(),
        snapshot.arrests.at.len(),
        snapshot.referrals.at.len(),
        snapshot.disclosures.route.len(),
        snapshot.orders.kind.len(),
        snapshot.staffing.len(),
    ];
    for (table, n) in RowTable::ALL.into_iter().zip(rows) {
        let (starts, lens): (Vec<i64>, Vec<u32>) =
            store.row_key_runs(table).await?.into_iter().unzip();
        let runs = vigil_analytics::snapshot::KeyRuns { starts, lens };
        if runs.len() != n {
            return Ok(());
        }
        *snapshot.keys.of_mut(table) = runs;
    }
    write(store, &snapshot, revision);
    Ok(())
}

fn read_cache(store: &dyn Store) -> Option<(Snapshot, u64)> {
    let p = store.cache_path()?;
    if !p.exists() {
        return None;
    }
    match codec::decode_file(&p) {
        Ok(c) => Some(c),
        Err(e) => {
            eprintln!(
                "note: the snapshot cache {} is unusable ({e}); rebuilding it",
                p.display()
            );
            None
        }
    }
}

/// `held` (a snapshot and its revision) brought to the store's revision: as it is, patched,
/// or rebuilt when there is none or the change log cannot patch it.
async fn bring_up_to_date(
    store: &dyn Store,
    held: Option<(Snapshot, u64)>,
) -> Result<(Snapshot, u64, Source), StoreError> {
    let revision = store.revision().await?;
    if let Some((mut snapshot, at)) = held {
        if at == revision {
            return Ok((snapshot, at, Source::Cache));
        }
        if let Some(changes) = store.record_changes(at, PATCH_LIMIT).await? {
            match snapshot.apply(&changes) {
                Ok(()) => return Ok((snapshot, changes.revision, Source::Patched)),
                Err(why) => eprintln!("note: the snapshot is rebuilt: {why}"),
            }
        }
    }
    rebuild(store).await
}

/// The snapshot built from every record, a chunk at a time, so even a national store is
/// never held in memory as records.
pub async fn rebuild(store: &dyn Store) -> Result<(Snapshot, u64, Source), StoreError> {
    let mut builder = SnapshotBuilder::new(None);
    let revision = store
        .snapshot_chunks(256 * 1024, &mut |chunk, keys| {
            let table = RowTable::of(&chunk);
            builder.add(&chunk);
            if let Some(t) = table {
                builder.add_keys(t, keys);
            }
            Ok(())
        })
        .await?;
    Ok((builder.finish(), revision, Source::Store))
}

/// A server's snapshot, held in memory between requests and patched after each write:
/// the dashboard does not read and decode the cache file on every view.
pub struct Held {
    current: tokio::sync::Mutex<Option<(std::sync::Arc<Snapshot>, u64)>>,
    /// When the file was last written after a patch, and whether a write is under way.
    file: std::sync::Arc<std::sync::Mutex<(Option<std::time::Instant>, bool)>>,
}

/// How often, at most, the server rewrites the cache file after patches. A stale file costs
/// nothing but a longer patch at the next start (the log covers every change since), while a
/// write in progress holds the snapshot and makes the next patch copy it first.
const FILE_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

impl Default for Held {
    /// The file counts as just written: the first patches after a start do not rewrite it.
    fn default() -> Self {
        Held {
            current: Default::default(),
            file: std::sync::Arc::new(std::sync::Mutex::new((
                Some(std::time::Instant::now()),
                false,
            ))),
        }
    }
}

impl Held {
    /// The current snapshot (see [`load`]); one caller at a time brings it up to date.
    pub async fn get(
        &self,
        store: &dyn Store,
    ) -> Result<Option<(std::sync::Arc<Snapshot>, ExtractInfo, Source)>, StoreError> {
        let Some(info) = store.extract_info().await? else {
            return Ok(None);
        };
        let mut current = self.current.lock().await;
        if let Some((s, at)) = current.as_ref()
            && *at == store.revision().await?
        {
            return Ok(Some((s.clone(), info, Source::Memory)));
        }
        let held = match current.take() {
            // Patched in place unless a request still reads it (then copied first).
            Some((s, at)) => Some((
                std::sync::Arc::try_unwrap(s).unwrap_or_else(|s| (*s).clone()),
                at,
            )),
            None => read_cache(store),
        };
        let (mut snapshot, revision, source) = bring_up_to_date(store, held).await?;
        snapshot.as_of = Some(info.as_of);
        let snapshot = std::sync::Arc::new(snapshot);
        if source != Source::Cache
            && let Some(path) = store.cache_path()
            && self.file_due(source)
        {
            // The file follows in the background; the request does not wait for it.
            let s = snapshot.clone();
            let file = self.file.clone();
            tokio::task::spawn_blocking(move || {
                write_to(&path, &s, revision);
                drop(s);
                file.lock().expect("file state").1 = false;
            });
        }
        *current = Some((snapshot.clone(), revision));
        Ok(Some((snapshot, info, source)))
    }

    /// Whether to write the file now: always after a rebuild, after a patch only when no
    /// write is under way and the last was `FILE_EVERY` ago. Marks a write as started.
    fn file_due(&self, source: Source) -> bool {
        let mut f = self.file.lock().expect("file state");
        let (last, writing) = *f;
        let due =
            source == Source::Store || (!writing && last.is_none_or(|t| t.elapsed() >= FILE_EVERY));
        if due {
            *f = (Some(std::time::Instant::now()), true);
        }
        due
    }
}

/// The change log's rows after a revision, each table's keys sorted and once each; `None`
/// when the log says an import came since (table `*`) or names a table the snapshot does
/// not know.
pub fn logged(rows: impl IntoIterator<Item = (String, i64)>) -> Option<[Vec<i64>; 8]> {
    let mut by_table: [Vec<i64>; 8] = Default::default();
    for (table, key) in rows {
        by_table[RowTable::parse(&table)? as usize].push(key);
    }
    for keys in &mut by_table {
        keys.sort_unstable();
        keys.dedup();
    }
    Some(by_table)
}

/// The ids of the persons and of the incidents that changed rows refer to, each once: their
/// keys place the references in the snapshot.
pub fn referenced(r: &RecordSet) -> (Vec<String>, Vec<String>) {
    let mut persons: Vec<&str> = Vec::new();
    let mut incidents: Vec<&str> = Vec::new();
    for i in &r.incidents {
        persons.push(i.victim_id.as_str());
        persons.extend(i.suspect_id.as_ref().map(|s| s.as_str()));
    }
    for o in &r.offences {
        incidents.push(o.incident_id.as_str());
        persons.extend(o.suspect_id.as_ref().map(|s| s.as_str()));
    }
    for a in &r.arrests {
        persons.push(a.person_id.as_str());
        incidents.extend(a.incident_id.as_ref().map(|s| s.as_str()));
    }
    for f in &r.referrals {
        persons.push(f.person_id.as_str());
        incidents.extend(f.incident_id.as_ref().map(|s| s.as_str()));
    }
    for d in &r.disclosures {
        persons.push(d.at_risk_id.as_str());
    }
    for o in &r.protection_orders {
        persons.extend([o.subject_id.as_str(), o.protected_id.as_str()]);
        incidents.extend(o.incident_id.as_ref().map(|s| s.as_str()));
    }
    let once = |mut v: Vec<&str>| {
        v.sort_unstable();
        v.dedup();
        v.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    (once(persons), once(incidents))
}

/// The logged keys whose rows no longer exist, once the rows that do are in `changes`.
pub fn note_deleted(changes: &mut Changes, logged: &[Vec<i64>; 8]) {
    for t in RowTable::ALL {
        let found = &changes.keys[t as usize];
        changes.deleted.extend(
            logged[t as usize]
                .iter()
                .filter(|k| found.binary_search(k).is_err())
                .map(|k| (t, *k)),
        );
    }
}
