//! `vigil pack`: the performance pack, computed from the store.

use crate::{Failure, open_store};
use std::time::Instant;
use vigil_analytics::{PackConfig, Window, compute};
use vigil_domain::time::parse_date;

#[derive(clap::Args)]
pub struct Args {
    /// Count only what had happened by the end of this day (YYYY-MM-DD). Default: the
    /// extract date of the records in the store.
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// Print every measure as JSON keyed by its METRICS.md name.
    #[arg(long)]
    json: bool,
    /// A further window for every windowed measure (YYYY-MM-DD..YYYY-MM-DD); repeatable.
    /// Without any, the pack has the board report's periods, counted back from --as-of.
    #[arg(long = "window", value_name = "FROM..TO")]
    windows: Vec<String>,
    /// Further windows from a file, one FROM..TO a line (blank lines and lines starting
    /// with # are skipped): a force's own periods.
    #[arg(long = "windows", value_name = "FILE")]
    windows_file: Option<std::path::PathBuf>,
    /// Adult women in the force area, for MARAC volume per 10,000.
    #[arg(long, value_name = "N")]
    adult_women: Option<u64>,
    /// Print how long loading the snapshot and computing the measures took.
    #[arg(long)]
    timings: bool,
    /// Compute the force-wide measures only (no LPA or risk-level breakdown, no cohorts).
    #[arg(long)]
    force_only: bool,
}

pub async fn run(db: &str, args: Args) -> Result<(), Failure> {
    let as_of = args
        .as_of
        .as_deref()
        .map(|s| parse_date(s).map_err(|e| Failure::BadInput(format!("--as-of: {e}"))))
        .transpose()?;
    let mut extra: Vec<Window> = args
        .windows
        .iter()
        .map(|w| Window::parse(w).map_err(|e| Failure::BadInput(format!("--window: {e}"))))
        .collect::<Result<_, _>>()?;
    if let Some(path) = &args.windows_file {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Failure::BadInput(format!("--windows {}: cannot be read: {e}", path.display()))
        })?;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            extra.push(Window::parse(line).map_err(|e| {
                Failure::BadInput(format!("--windows {}, line {}: {e}", path.display(), n + 1))
            })?);
        }
    }
    let t0 = Instant::now();
    let store = open_store(db).await?;
    let (snapshot, info, source) = crate::snapshot(store.as_ref(), db).await?;
    store.close().await;
    let load = t0.elapsed();
    let as_of = as_of.unwrap_or(info.as_of);
    let mut cfg = PackConfig::new(as_of);
    // The board report's periods, counted back from the day: the same windows the
    // dashboard and the report show, for any force and any date.
    for w in vigil_report::report_windows(as_of)
        .all()
        .into_iter()
        .chain(extra)
    {
        if !cfg.windows.contains(&w) {
            cfg.windows.push(w);
        }
    }
    cfg.adult_women = args.adult_women;
    cfg.breakdown = !args.force_only;
    let t1 = Instant::now();
    let pack = compute(&snapshot, &cfg).map_err(|e| Failure::BadInput(e.to_string()))?;
    let measure = t1.elapsed();
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&pack).expect("pack serialises")
        );
    } else {
        print!("{}", crate::summary::render(&pack));
    }
    if args.timings {
        eprintln!(
            "snapshot load {:.3} s ({}), measures {:.3} s",
            load.as_secs_f64(),
            source.describe(),
            measure.as_secs_f64()
        );
    }
    Ok(())
}
