//! `vigil synth`: write a synthetic force's extract (and its risk ground truth).

use crate::Failure;
use crate::progress::{Bar, spinner};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;
use vigil_extract::{Format, WriteOptions, write_dir};
use vigil_synth::{Scenario, TruthRow};

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ScenarioArg {
    /// Essex Police, August 2015 to August 2019 (the seed report's force and period).
    #[value(name = "essex-2019")]
    Essex2019,
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
}

pub fn scenario(arg: ScenarioArg) -> Scenario {
    match arg {
        ScenarioArg::Essex2019 => vigil_synth::essex_2019(),
    }
}

/// The ground-truth file's name: beside the tables, but not a table of the extract format,
/// so `vigil import` never reads it.
pub const TRUTH_FILE: &str = "ground_truth_risk.csv";

pub fn write_truth(path: &Path, rows: &[TruthRow]) -> std::io::Result<()> {
    let mut out = String::from(
        "incident_id,victim_id,reported_at,revictimised_12m,serious_revictimisation_12m\n",
    );
    for r in rows {
        let _ = writeln!(
            out,
            "{},{},{},{},{}",
            r.incident_id,
            r.victim_id,
            vigil_domain::time::format_datetime(r.reported_at),
            r.revictimised_12m,
            r.serious_revictimisation_12m
        );
    }
    std::fs::write(path, out)
}

/// Generates a scenario's records (every force) with a spinner.
pub fn generate(s: &Scenario, seed: u64) -> vigil_synth::ForceOutput {
    let sp = spinner(&format!("simulating {}", s.name));
    let mut all = vigil_synth::ForceOutput::default();
    for (k, force) in s.forces.iter().enumerate() {
        let out =
            vigil_synth::simulate(force, s.start, s.as_of, seed.wrapping_add(k as u64 * 7919));
        append(&mut all.records, out.records);
        all.truth.extend(out.truth);
    }
    sp.finish_and_clear();
    all
}

fn append(into: &mut vigil_domain::RecordSet, from: vigil_domain::RecordSet) {
    into.persons.extend(from.persons);
    into.incidents.extend(from.incidents);
    into.offences.extend(from.offences);
    into.arrests.extend(from.arrests);
    into.risk_assessments.extend(from.risk_assessments);
    into.referrals.extend(from.referrals);
    into.disclosures.extend(from.disclosures);
    into.protection_orders.extend(from.protection_orders);
    into.staffing.extend(from.staffing);
}

pub async fn run(args: Args) -> Result<(), Failure> {
    let started = Instant::now();
    let s = scenario(args.scenario);
    let out = generate(&s, args.seed);
    let opts = WriteOptions {
        format: Format::Csv,
        include_identity: true,
        source: format!("{} (synthetic, seed {})", s.name, args.seed),
        as_of: s.as_of,
    };
    let dir = args.out.clone();
    let manifest = tokio::task::spawn_blocking(move || {
        let m = write_dir(&dir, &out.records, &opts, &Bar::default())?;
        write_truth(&dir.join(TRUTH_FILE), &out.truth).map_err(|e| {
            vigil_extract::Problem::file(TRUTH_FILE, format!("cannot be written: {e}"))
        })?;
        Ok::<_, vigil_extract::Problem>(m)
    })
    .await
    .map_err(|e| Failure::Runtime(format!("the writer stopped: {e}")))?
    .map_err(|p| Failure::Runtime(p.to_string()))?;
    println!(
        "Wrote the {} scenario (seed {}) to {} in {:.1} s:",
        s.name,
        args.seed,
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    for (file, e) in &manifest.files {
        println!("  {file:<24} {:>10} rows", e.rows);
    }
    println!("  {TRUTH_FILE:<24} (risk ground truth; not part of the extract, never imported)");
    Ok(())
}
