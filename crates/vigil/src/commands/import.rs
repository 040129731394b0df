//! `vigil import DIR`: check an extract completely while writing it into one transaction,
//! which commits only if every row passed (or `--allow-partial` was given).

use crate::progress::{Bar, spinner};
use crate::{Failure, open_store};
use std::path::PathBuf;
use std::time::Instant;
use vigil_domain::RecordSet;
use vigil_domain::time::parse_date;
use vigil_extract::{KnownIds, listing, stream_dir, write_rejects};
use vigil_store::{ExtractInfo, Store};

#[derive(clap::Args)]
pub struct Args {
    /// The extract folder: persons.csv, incidents.csv, the other tables, manifest.json.
    dir: PathBuf,
    /// Import the good rows and write the bad ones, with reasons, to the rejects file.
    #[arg(long)]
    allow_partial: bool,
    /// Where --allow-partial writes the rejected rows.
    #[arg(long, default_value = "rejects.csv", value_name = "FILE")]
    rejects: PathBuf,
    /// The extract date, when the folder has no manifest.json (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
}

async fn known_ids(store: &dyn Store) -> Result<KnownIds, Failure> {
    let mut known = KnownIds::default();
    // Nothing is dated after the clock's day (the domain's rule and tolerance).
    known.today = Some(vigil_auth::now_utc().date());
    if store.extract_info().await?.is_none()
        && store.table_counts().await?.iter().all(|(_, n)| *n == 0)
    {
        return Ok(known);
    }
    for kind in vigil_domain::RecordKind::ALL {
        for id in store.ids(kind).await? {
            known.insert(kind, id);
        }
    }
    Ok(known)
}

/// Extracts up to this size also build the analytics cache as they are imported (from the
/// same chunks); a larger one leaves it to the first `vigil pack`, so the import's memory
/// stays bounded whatever the extract's size.
const CACHE_WHILE_IMPORTING: u64 = 512 << 20;

pub async fn run(db: &str, args: Args) -> Result<(), Failure> {
    let db_shown = crate::shown(db);
    let as_of_override = args
        .as_of
        .as_deref()
        .map(|s| parse_date(s).map_err(|e| Failure::BadInput(format!("--as-of: {e}"))))
        .transpose()?;
    let started = Instant::now();
    let store = open_store(db).await?;
    let known = known_ids(store.as_ref()).await?;
    let extract_bytes: u64 = vigil_extract::spec::TABLES
        .iter()
        .filter_map(|t| std::fs::metadata(args.dir.join(t.csv_file())).ok())
        .map(|m| m.len())
        .sum();
    let mut builder = (known.is_empty() && extract_bytes <= CACHE_WHILE_IMPORTING)
        .then(|| vigil_analytics::SnapshotBuilder::new(None));

    // The reader checks and parses on a thread of its own and hands on good rows in
    // chunks; this task writes them into one open import transaction as they come. Only
    // a couple of chunks are ever in flight, so memory is bounded by the chunk size and the
    // reader's compact id keys, not by the extract.
    let mut session = store.begin_import().await?;
    let (to_writer, mut chunks) = tokio::sync::mpsc::channel::<RecordSet>(2);
    let bar = Bar::default();
    let dir = args.dir.clone();
    let partial = args.allow_partial;
    let reader = tokio::task::spawn_blocking(move || {
        stream_dir(&dir, &known, &bar, partial, &mut |chunk| {
            to_writer.blocking_send(chunk).is_ok()
        })
    });
    let mut write_time = std::time::Duration::ZERO;
    let mut write_error = None;
    let mut total = 0usize;
    while let Some(chunk) = chunks.recv().await {
        if let Some(b) = &mut builder {
            b.add(&chunk);
        }
        total += chunk.total_rows();
        let t = Instant::now();
        if let Err(e) = session.add(&chunk).await {
            write_error = Some(e);
            break;
        }
        write_time += t.elapsed();
    }
    // Closing the channel stops the reader if the store failed.
    drop(chunks);
    let streamed = reader
        .await
        .map_err(|e| Failure::Runtime(format!("the reader stopped: {e}")))?;
    if let Some(e) = write_error {
        // The session is dropped unfinished: nothing was imported.
        return Err(e.into());
    }
    let streamed = match streamed {
        Ok(s) => s,
        Err(problems) => {
            return Err(Failure::BadInput(format!(
                "{}The extract in {} cannot be read; nothing was imported.\n",
                listing(&problems),
                args.dir.display()
            )));
        }
    };
    for note in &streamed.notes {
        eprintln!("note: {note}");
    }
    if !streamed.rejects.is_empty() {
        let rows = streamed
            .rejects
            .iter()
            .map(|p| (p.file.as_str(), p.line))
            .collect::<std::collections::HashSet<_>>()
            .len();
        if !args.allow_partial {
            return Err(Failure::BadInput(format!(
                "{}{} problems in {rows} rows; nothing was imported. Fix the rows, or use --allow-partial to import the good rows and write the rest to {}.\n",
                listing(&streamed.rejects),
                streamed.rejects.len(),
                args.rejects.display()
            )));
        }
        write_rejects(&args.rejects, &streamed.rejects).map_err(|e| {
            Failure::Runtime(format!("cannot write {}: {e}", args.rejects.display()))
        })?;
        eprintln!(
            "{rows} rows rejected ({} problems); written with their reasons to {}",
            streamed.rejects.len(),
            args.rejects.display()
        );
    }
    let as_of = as_of_override.or(streamed.as_of).ok_or_else(|| {
        Failure::BadInput(
            "the extract has no manifest.json and no dated records; give the extract date with --as-of YYYY-MM-DD"
                .into(),
        )
    })?;
    let source = streamed.manifest.as_ref().map_or_else(
        || {
            args.dir
                .file_name()
                .map_or("extract".into(), |n| n.to_string_lossy().into_owned())
        },
        |m| m.source.clone(),
    );
    let s = spinner("committing");
    let t = Instant::now();
    session.commit(Some(&ExtractInfo { source, as_of })).await?;
    write_time += t.elapsed();
    s.finish_and_clear();
    if let Some(b) = builder {
        // The store now holds exactly these records: the analytics cache is built from
        // them here rather than by reading them all back on the first `vigil pack`.
        let mut snapshot = b.finish();
        snapshot.as_of = Some(as_of);
        vigil_store::snapshot_cache::write_imported(store.as_ref(), snapshot).await?;
    }
    store.close().await;
    println!(
        "Imported {} into {db_shown} (as of {as_of}):",
        args.dir.display()
    );
    for (spec, n) in vigil_extract::spec::TABLES.iter().zip(streamed.counts) {
        println!("  {:<18} {:>10} rows", spec.name, n);
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "  {:<18} {:>10} rows in {:.2} s (writing {:.2} s of it, beside the reading; {:.0} rows a second)",
        "total",
        total,
        secs,
        write_time.as_secs_f64(),
        total as f64 / secs.max(1e-9)
    );
    Ok(())
}
