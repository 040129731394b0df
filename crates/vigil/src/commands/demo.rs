//! `vigil demo`: a ready-to-explore Vigil. The first run creates the store, generates the
//! essex-2019 scenario and imports it; later runs reuse the store.

use crate::commands::synth::{ScenarioArg, generate, scenario};
use crate::progress::spinner;
use crate::{Failure, open_store};
use std::time::Instant;
use vigil_store::{ExtractInfo, Store};

#[derive(clap::Args)]
pub struct Args {
    /// The seed of the synthetic scenario (first run only).
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

pub async fn run(db: &str, args: Args) -> Result<(), Failure> {
    let started = Instant::now();
    let store = open_store(db).await?;
    let info = match store.extract_info().await? {
        Some(info) => {
            println!(
                "Using the existing store {db} ({}, as of {}).",
                info.source, info.as_of
            );
            info
        }
        None => {
            let s = scenario(ScenarioArg::Essex2019, None)?;
            let out = generate(&s, args.seed);
            let info = ExtractInfo {
                source: format!("{} (synthetic, seed {})", s.name, args.seed),
                as_of: s.as_of,
            };
            let sp = spinner("importing into the store");
            store.import_records(&out.records, &info).await?;
            let snapshot = vigil_analytics::Snapshot::from_records(&out.records, Some(info.as_of));
            crate::snapshot_cache::write(db, &snapshot, store.revision().await?);
            sp.finish_and_clear();
            println!(
                "Created {db} with the synthetic {} scenario in {:.1} s.",
                s.name,
                started.elapsed().as_secs_f64()
            );
            info
        }
    };
    println!("Records in {db} (as of {}):", info.as_of);
    for (table, n) in store.table_counts().await? {
        println!("  {table:<18} {n:>9}");
    }
    store.close().await;
    println!(
        "\nEverything in it is synthetic. Next: `vigil pack --db {db}` for the performance pack,"
    );
    println!("`vigil export DIR --db {db}` for an extract.");
    Ok(())
}
