//! `vigil export DIR`: write the store's records as an extract folder.

use super::FormatArg;
use crate::{Failure, open_store};
use std::path::PathBuf;
use std::time::Instant;
use vigil_extract::{ExtractWriter, Format, Silent};

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
    let db_shown = crate::shown(db);
    let started = Instant::now();
    let store = open_store(db).await?;
    let Some(info) = store.extract_info().await? else {
        return Err(Failure::BadInput(format!(
            "the store {db_shown} holds no records yet; load some with `vigil import DIR` first"
        )));
    };
    let format = Format::from(args.format);
    if args.include_identity {
        // Names and addresses leaving Vigil: audited before a byte is written.
        store
            .audit(&super::cli_audit(
                "extract.export_identity",
                "extract",
                &args.dir.display().to_string(),
                Some("export with --include-identity".into()),
            ))
            .await?;
        eprintln!(
            "warning: this export includes names and addresses (never confidential addresses); handle it as OFFICIAL-SENSITIVE"
        );
    }
    // Records stream from the store to the files a chunk at a time, so an export of any
    // size runs in bounded memory.
    let total: u64 = store.table_counts().await?.iter().map(|(_, n)| n).sum();
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg:24} [{bar:30}] {percent:>3}% {elapsed_precise}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_message("exporting");
    let mut writer = ExtractWriter::create(&args.dir, format, args.include_identity)
        .map_err(|p| Failure::Runtime(p.to_string()))?;
    store
        .export_chunks(64 * 1024, &mut |chunk| {
            bar.inc(chunk.total_rows() as u64);
            writer
                .append(&chunk, &Silent)
                .map_err(|p| vigil_store::StoreError::Export(p.to_string()))
        })
        .await?;
    bar.finish_and_clear();
    store.close().await;
    let manifest = writer
        .finish(&info.source, info.as_of)
        .map_err(|p| Failure::Runtime(p.to_string()))?;
    let rows: u64 = manifest.files.values().map(|f| f.rows).sum();
    println!(
        "Exported {rows} rows from {db_shown} to {} in {:.2} s:",
        args.dir.display(),
        started.elapsed().as_secs_f64()
    );
    for (file, entry) in &manifest.files {
        println!("  {file:<24} {:>10} rows", entry.rows);
    }
    Ok(())
}
