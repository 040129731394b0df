//! `vigil synth`: write a synthetic force's (or a nation's) extract and its risk ground
//! truth. Forces are simulated one at a time and appended to the files as they finish, so
//! memory stays bounded by the largest force, not the nation.

use super::FormatArg;
use crate::Failure;
use crate::progress::spinner;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;
use vigil_extract::{ExtractWriter, Format, Silent};
use vigil_synth::{Scenario, TruthRow};

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScenarioArg {
    /// Essex Police, August 2015 to August 2019 (the seed report's force and period).
    #[value(name = "essex-2019")]
    Essex2019,
    /// All 43 forces of England and Wales (about 1.4 million incidents a year); see --years.
    National,
    /// A county force, January 2021 to December 2025 (Essex's dynamics six years on): the
    /// pack and report on dates that are not the seed report's.
    #[value(name = "northshire-2025")]
    Northshire2025,
}

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, value_enum, default_value = "essex-2019")]
    scenario: ScenarioArg,
    /// The same scenario and seed always give byte-identical files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The folder to write the extract into.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Years of records to 2019-09-01 (national scenario only).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=20))]
    years: Option<u32>,
    /// CSV (the default) or Parquet.
    #[arg(long, value_enum, default_value = "csv")]
    format: FormatArg,
}

pub fn scenario(arg: ScenarioArg, years: Option<u32>) -> Result<Scenario, Failure> {
    match (arg, years) {
        (ScenarioArg::Essex2019, None) => Ok(vigil_synth::essex_2019()),
        (ScenarioArg::Essex2019, Some(_)) => Err(Failure::BadInput(
            "--years applies to the national scenario; essex-2019 always runs August 2015 to August 2019".into(),
        )),
        (ScenarioArg::National, y) => Ok(vigil_synth::national(y.unwrap_or(10))),
        (ScenarioArg::Northshire2025, None) => Ok(vigil_synth::northshire_2025()),
        (ScenarioArg::Northshire2025, Some(_)) => Err(Failure::BadInput(
            "--years applies to the national scenario; northshire-2025 always runs January 2021 to December 2025".into(),
        )),
    }
}

/// The ground-truth file's name: beside the tables, but not a table of the extract format,
/// so `vigil import` never reads it.
pub const TRUTH_FILE: &str = "ground_truth_risk.csv";
const TRUTH_HEADER: &str =
    "incident_id,victim_id,reported_at,revictimised_12m,serious_revictimisation_12m\n";

fn truth_rows(out: &mut impl std::io::Write, rows: &[TruthRow]) -> std::io::Result<()> {
    for r in rows {
        writeln!(
            out,
            "{},{},{},{},{}",
            r.incident_id,
            r.victim_id,
            vigil_domain::time::format_datetime(r.reported_at),
            r.revictimised_12m,
            r.serious_revictimisation_12m
        )?;
    }
    Ok(())
}

fn force_seed(seed: u64, k: usize) -> u64 {
    seed.wrapping_add(k as u64 * 7919)
}

/// Generates a scenario's records in memory (every force): for the demo and tests.
pub fn generate(s: &Scenario, seed: u64) -> vigil_synth::ForceOutput {
    let sp = spinner(&format!("simulating {}", s.name));
    let mut all = vigil_synth::ForceOutput::default();
    for (k, force) in s.forces.iter().enumerate() {
        let out = vigil_synth::simulate(force, s.start, s.as_of, force_seed(seed, k));
        all.records.append(out.records);
        all.truth.extend(out.truth);
    }
    sp.finish_and_clear();
    all
}

fn write_streaming(
    s: &Scenario,
    seed: u64,
    dir: &Path,
    format: Format,
) -> Result<vigil_extract::Manifest, vigil_extract::Problem> {
    let truth_problem = |e: std::io::Error| {
        vigil_extract::Problem::file(TRUTH_FILE, format!("cannot be written: {e}"))
    };
    let mut writer = ExtractWriter::create(dir, format, true)?;
    let truth_partial = dir.join(format!(".{TRUTH_FILE}.partial"));
    let mut truth =
        std::io::BufWriter::new(std::fs::File::create(&truth_partial).map_err(truth_problem)?);
    truth
        .write_all(TRUTH_HEADER.as_bytes())
        .map_err(truth_problem)?;
    let bar = ProgressBar::new(s.forces.len() as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{msg:24} [{bar:30}] {pos}/{len} forces {elapsed_precise} (eta {eta})",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_message(format!("simulating {}", s.name));
    for (k, force) in s.forces.iter().enumerate() {
        let out = vigil_synth::simulate(force, s.start, s.as_of, force_seed(seed, k));
        writer.append(&out.records, &Silent)?;
        truth_rows(&mut truth, &out.truth).map_err(truth_problem)?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    truth.flush().map_err(truth_problem)?;
    drop(truth);
    let manifest = writer.finish(&format!("{} (synthetic, seed {seed})", s.name), s.as_of)?;
    std::fs::rename(&truth_partial, dir.join(TRUTH_FILE)).map_err(truth_problem)?;
    Ok(manifest)
}

pub async fn run(args: Args) -> Result<(), Failure> {
    let started = Instant::now();
    let s = scenario(args.scenario, args.years)?;
    let format = Format::from(args.format);
    let dir = args.out.clone();
    let seed = args.seed;
    let name = s.name.clone();
    let manifest = tokio::task::spawn_blocking(move || write_streaming(&s, seed, &dir, format))
        .await
        .map_err(|e| Failure::Runtime(format!("the generator stopped: {e}")))?
        .map_err(|p| Failure::Runtime(p.to_string()))?;
    println!(
        "Wrote the {name} scenario (seed {seed}) to {} in {:.1} s:",
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    for (file, e) in &manifest.files {
        println!("  {file:<24} {:>10} rows", e.rows);
    }
    println!("  {TRUTH_FILE:<24} (risk ground truth; not part of the extract, never imported)");
    Ok(())
}
