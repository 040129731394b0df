//! `vigil copy`, `vigil backup` and `vigil restore`: moving and keeping a whole store.
//!
//! A copy takes everything a store holds — records, users (with their password hashes),
//! the counters of ids made in Vigil, and the audit trail exactly as written, so its hash
//! chain still verifies — into an empty store of either backend, in one import transaction
//! on the target: it happens completely or not at all. Sessions are not copied: everyone
//! signs in again. This is how a force moves from a trial on SQLite to its database server.

use crate::progress::spinner;
use crate::{Failure, open_store, shown};
use std::path::PathBuf;
use std::time::Instant;
use tokio::sync::mpsc;
use vigil_store::{DynStore, StoreError, StoreResult};

#[derive(clap::Args)]
pub struct CopyArgs {
    /// The store to copy from (a SQLite file or a postgres:// URL). It is only read.
    #[arg(long, value_name = "PATH|URL")]
    from: String,
    /// The store to copy into: a new SQLite file, or an empty PostgreSQL database.
    #[arg(long, value_name = "PATH|URL")]
    to: String,
}

#[derive(clap::Args)]
pub struct BackupArgs {
    /// The new SQLite file to write the backup to.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

#[derive(clap::Args)]
pub struct RestoreArgs {
    /// The backup file (`vigil backup --out FILE`) to restore from into --db, which must
    /// be empty (a new file, or a new PostgreSQL database).
    #[arg(long, value_name = "FILE")]
    from: PathBuf,
}

/// Refuses a target that already holds anything: a copy never merges.
async fn check_empty(store: &DynStore, location: &str) -> Result<(), Failure> {
    let records: u64 = store.table_counts().await?.iter().map(|(_, n)| n).sum();
    let users = store.users().await?.len();
    let mut audit_rows = 0usize;
    store
        .audit_chunks(1, &mut |rows| {
            audit_rows += rows.len();
            Err(StoreError::Export("enough".into()))
        })
        .await
        .ok();
    if records > 0 || users > 0 || audit_rows > 0 {
        return Err(Failure::BadInput(format!(
            "{} is not empty ({records} records, {users} users{}); copy into a new SQLite file or an empty PostgreSQL database",
            shown(location),
            if audit_rows > 0 {
                ", an audit trail"
            } else {
                ""
            }
        )));
    }
    Ok(())
}

/// The sink a store's chunked reader hands its chunks to: each goes on over `tx`, waiting
/// while the writer is two chunks behind; a closed channel (the writer failed) stops the
/// reader.
fn forward<T: Send>(tx: mpsc::Sender<T>) -> impl FnMut(T) -> StoreResult<()> + Send {
    move |chunk| {
        let sent = tokio::task::block_in_place(|| tx.blocking_send(chunk).is_ok());
        sent.then_some(())
            .ok_or_else(|| StoreError::Export("the copy stopped".into()))
    }
}

/// Writes every chunk the reader task sends with `write`, then answers with the first
/// failure: the writer's, else the reader's.
async fn drain<T>(
    reader: tokio::task::JoinHandle<StoreResult<()>>,
    mut chunks: mpsc::Receiver<T>,
    mut write: impl AsyncFnMut(T) -> StoreResult<()>,
) -> Result<(), Failure> {
    let mut failed = None;
    while let Some(chunk) = chunks.recv().await {
        if let Err(e) = write(chunk).await {
            failed = Some(e);
            break;
        }
    }
    // Closing the channel stops the reader if the writer failed.
    drop(chunks);
    let read = reader
        .await
        .map_err(|e| Failure::Runtime(format!("the copy stopped: {e}")))?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    Ok(read?)
}

/// Copies everything from `source` into the empty `target`; returns the rows copied and the
/// casework copied (for the check after).
async fn copy_store(
    source: &DynStore,
    target: &DynStore,
) -> Result<(u64, vigil_store::Casework), Failure> {
    let mut session = target.begin_import().await?;
    let mut rows = 0u64;

    // Records, then the audit trail, a chunk at a time: the source reads on a task of its
    // own while the target writes; at most two chunks are in flight.
    let (tx, chunks) = mpsc::channel(2);
    let from = source.clone();
    let reader = tokio::spawn(async move { from.export_chunks(50_000, &mut forward(tx)).await });
    drain(reader, chunks, async |chunk: vigil_domain::RecordSet| {
        rows += chunk.total_rows() as u64;
        session.add(&chunk).await
    })
    .await?;

    // Casework (live states, case logs, tasks) after the records it refers to.
    let work = source.casework().await?;
    rows += (work.states.len() + work.log.len() + work.tasks.len()) as u64;
    session.add_casework(&work).await?;

    let users = source.users().await?;
    rows += users.len() as u64;
    session.add_users(&users).await?;
    session
        .set_id_counters(&source.id_counters().await?)
        .await?;

    let (tx, chunks) = mpsc::channel(2);
    let from = source.clone();
    let reader = tokio::spawn(async move { from.audit_chunks(10_000, &mut forward(tx)).await });
    drain(reader, chunks, async |chunk: Vec<vigil_store::AuditRow>| {
        rows += chunk.len() as u64;
        session.add_audit_rows(&chunk).await
    })
    .await?;

    session
        .commit(source.extract_info().await?.as_ref())
        .await?;
    Ok((rows, work))
}

/// Checks that the target holds what the source does and that its audit chain verifies.
async fn check_copy(
    source: &DynStore,
    target: &DynStore,
    work: &vigil_store::Casework,
) -> Result<(), Failure> {
    let (a, b) = (source.table_counts().await?, target.table_counts().await?);
    if a != b {
        return Err(Failure::Runtime(format!(
            "the copy does not match its source: {a:?} against {b:?}"
        )));
    }
    if *work != target.casework().await? {
        return Err(Failure::Runtime(
            "the copy's casework (case states, logs, tasks) does not match its source".into(),
        ));
    }
    if let Some(seq) = target.verify_audit_chain().await? {
        return Err(Failure::Runtime(format!(
            "the copied audit trail does not verify from entry {seq}"
        )));
    }
    Ok(())
}

async fn copy_between(from: &str, to: &str, what: &str) -> Result<(), Failure> {
    let started = Instant::now();
    let source = open_store(from).await?;
    if let Some(seq) = source.verify_audit_chain().await? {
        return Err(Failure::Runtime(format!(
            "the audit trail of {} does not verify from entry {seq}; `vigil audit --verify` shows where. Nothing was copied",
            shown(from)
        )));
    }
    let target = open_store(to).await?;
    check_empty(&target, to).await?;
    // Every record, names and addresses included, leaves the source: audited there before
    // a row is read (the entry travels with the copied trail), and on arrival in the copy.
    source
        .audit(&super::cli_audit(
            "store.copy",
            "store",
            &shown(to),
            Some(format!("{what} into another store")),
        ))
        .await?;
    let sp = spinner(&format!("{what} {} into {}", shown(from), shown(to)));
    let (rows, work) = copy_store(&source, &target).await?;
    check_copy(&source, &target, &work).await?;
    target
        .audit(&super::cli_audit(
            "store.copied_in",
            "store",
            &shown(from),
            Some(format!("{what} from another store")),
        ))
        .await?;
    sp.finish_and_clear();
    println!(
        "Copied {rows} rows from {} into {} in {:.1} s; the audit trail verifies. Sessions are not copied: everyone signs in again.",
        shown(from),
        shown(to),
        started.elapsed().as_secs_f64()
    );
    source.close().await;
    target.close().await;
    Ok(())
}

pub async fn copy(args: CopyArgs) -> Result<(), Failure> {
    copy_between(&args.from, &args.to, "copying").await
}

pub async fn backup(db: &str, args: BackupArgs) -> Result<(), Failure> {
    let store = open_store(db).await?;
    let started = Instant::now();
    // The whole store, names and addresses included, goes into a file: audited first.
    store
        .audit(&super::cli_audit(
            "store.backup",
            "store",
            &args.out.display().to_string(),
            None,
        ))
        .await?;
    store
        .backup(&args.out)
        .await
        .map_err(|e| Failure::BadInput(e.to_string()))?;
    // The backup is itself a store: open it and check its trail before calling it good.
    let out = args.out.to_string_lossy().into_owned();
    let copy = open_store(&out).await?;
    if let Some(seq) = copy.verify_audit_chain().await? {
        return Err(Failure::Runtime(format!(
            "the backup's audit trail does not verify from entry {seq}"
        )));
    }
    let rows: u64 = copy.table_counts().await?.iter().map(|(_, n)| n).sum();
    println!(
        "Backed up {} ({rows} records) to {} in {:.1} s; its audit trail verifies. Restore it with `vigil restore --from {} --db NEW`.",
        shown(db),
        args.out.display(),
        started.elapsed().as_secs_f64(),
        args.out.display()
    );
    Ok(())
}

pub async fn restore(db: &str, args: RestoreArgs) -> Result<(), Failure> {
    if !args.from.is_file() {
        return Err(Failure::BadInput(format!(
            "--from {}: no such backup file",
            args.from.display()
        )));
    }
    copy_between(&args.from.to_string_lossy(), db, "restoring").await
}
