//! `vigil import DIR`: check an extract completely, then write it in one transaction.

use crate::progress::{Bar, spinner};
use crate::{Failure, open_store};
use std::path::PathBuf;
use std::time::Instant;
use vigil_domain::time::parse_date;
use vigil_extract::{KnownIds, listing, read_dir, write_rejects};
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
    let was_empty = known.is_empty();
    let bar = Bar::default();
    let dir = args.dir.clone();
    let loaded = tokio::task::spawn_blocking(move || read_dir(&dir, &known, &bar))
        .await
        .map_err(|e| Failure::Runtime(format!("the reader stopped: {e}")))?;
    let loaded = match loaded {
        Ok(l) => l,
        Err(problems) => {
            return Err(Failure::BadInput(format!(
                "{}The extract in {} cannot be read; nothing was imported.\n",
                listing(&problems),
                args.dir.display()
            )));
        }
    };
    for note in &loaded.notes {
        eprintln!("note: {note}");
    }
    let read_time = started.elapsed();
    if !loaded.rejects.is_empty() {
        let rows = loaded
            .rejects
            .iter()
            .map(|p| (p.file.as_str(), p.line))
            .collect::<std::collections::HashSet<_>>()
            .len();
        if !args.allow_partial {
            return Err(Failure::BadInput(format!(
                "{}{} problems in {rows} rows; nothing was imported. Fix the rows, or use --allow-partial to import the good rows and write the rest to {}.\n",
                listing(&loaded.rejects),
                loaded.rejects.len(),
                args.rejects.display()
            )));
        }
        write_rejects(&args.rejects, &loaded.rejects).map_err(|e| {
            Failure::Runtime(format!("cannot write {}: {e}", args.rejects.display()))
        })?;
        eprintln!(
            "{rows} rows rejected ({} problems); written with their reasons to {}",
            loaded.rejects.len(),
            args.rejects.display()
        );
    }
    let as_of = as_of_override.or(loaded.as_of).ok_or_else(|| {
        Failure::BadInput(
            "the extract has no manifest.json and no dated records; give the extract date with --as-of YYYY-MM-DD"
                .into(),
        )
    })?;
    let source = loaded.manifest.as_ref().map_or_else(
        || {
            args.dir
                .file_name()
                .map_or("extract".into(), |n| n.to_string_lossy().into_owned())
        },
        |m| m.source.clone(),
    );
    let write_started = Instant::now();
    let s = spinner("writing to the store");
    store
        .import_records(&loaded.records, &ExtractInfo { source, as_of })
        .await?;
    s.finish_and_clear();
    let write_time = write_started.elapsed();
    if was_empty {
        // The store now holds exactly these records: build the analytics cache from them
        // here rather than reading them all back on the first `vigil pack`.
        let snapshot = vigil_analytics::Snapshot::from_records(&loaded.records, Some(as_of));
        vigil_store::snapshot_cache::write(store.as_ref(), &snapshot, store.revision().await?);
    }
    store.close().await;
    let total = loaded.records.total_rows();
    println!(
        "Imported {} into {db_shown} (as of {as_of}):",
        args.dir.display()
    );
    for (spec, n) in vigil_extract::spec::TABLES
        .iter()
        .zip(loaded.records.row_counts())
    {
        println!("  {:<18} {:>10} rows", spec.name, n);
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "  {:<18} {:>10} rows in {:.2} s (reading and checking {:.2} s, writing {:.2} s; {:.0} rows a second)",
        "total",
        total,
        secs,
        read_time.as_secs_f64(),
        write_time.as_secs_f64(),
        total as f64 / secs.max(1e-9)
    );
    Ok(())
}
