//! `vigil export DIR`: write the store's records as an extract folder.

use crate::progress::Bar;
use crate::{Failure, open_store};
use std::path::PathBuf;
use std::time::Instant;
use vigil_extract::{Format, WriteOptions, write_dir};
use vigil_store::Store;

#[derive(Clone, Copy, clap::ValueEnum)]
enum FormatArg {
    Csv,
    Parquet,
}

#[derive(clap::Args)]
pub struct Args {
    /// The folder to write (created if missing; existing table files are replaced).
    dir: PathBuf,
    /// CSV for people and spreadsheets; Parquet for analysis tools.
    #[arg(long, value_enum, default_value = "csv")]
    format: FormatArg,
    /// Include names, addresses and postcodes. Off by default: an analytics extract is
    /// pseudonymised. A confidential (refuge) address is never exported.
    #[arg(long)]
    include_identity: bool,
}

pub async fn run(db: &str, args: Args) -> Result<(), Failure> {
    let started = Instant::now();
    let store = open_store(db).await?;
    let Some(info) = store.extract_info().await? else {
        return Err(Failure::BadInput(format!(
            "the store {db} holds no records yet; load some with `vigil import DIR` first"
        )));
    };
    let records = store.export_records().await?;
    store.close().await;
    let opts = WriteOptions {
        format: match args.format {
            FormatArg::Csv => Format::Csv,
            FormatArg::Parquet => Format::Parquet,
        },
        include_identity: args.include_identity,
        source: info.source,
        as_of: info.as_of,
    };
    if args.include_identity {
        eprintln!(
            "warning: this export includes names and addresses (never confidential addresses); handle it as OFFICIAL-SENSITIVE"
        );
    }
    let dir = args.dir.clone();
    let manifest =
        tokio::task::spawn_blocking(move || write_dir(&dir, &records, &opts, &Bar::default()))
            .await
            .map_err(|e| Failure::Runtime(format!("the writer stopped: {e}")))?
            .map_err(|p| Failure::Runtime(p.to_string()))?;
    let rows: u64 = manifest.files.values().map(|f| f.rows).sum();
    println!(
        "Exported {rows} rows from {db} to {} in {:.2} s:",
        args.dir.display(),
        started.elapsed().as_secs_f64()
    );
    for (file, entry) in &manifest.files {
        println!("  {file:<24} {:>10} rows", entry.rows);
    }
    Ok(())
}
