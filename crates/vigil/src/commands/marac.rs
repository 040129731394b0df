//! `vigil marac return`: the SafeLives MARAC return for a period, per MARAC area.

use crate::{Failure, open_store};
use std::io::Write;
use vigil_domain::marac_return::{MaracAreas, marac_return};
use vigil_domain::time::parse_date;

#[derive(clap::Subcommand)]
pub enum MaracCommand {
    /// The SafeLives MARAC return: cases, repeats, children, referring agencies and the
    /// victims and perpetrators SafeLives asks about, per MARAC area, with the volume per
    /// 10,000 adult women beside the recommended 40. Over imported history a MARAC referral
    /// is a case in the quarter of its referral date.
    Return(ReturnArgs),
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ReturnFormat {
    Table,
    Csv,
    Xlsx,
}

#[derive(clap::Args)]
pub struct ReturnArgs {
    /// The first day of the period (YYYY-MM-DD), usually a quarter's.
    #[arg(long, value_name = "DATE")]
    from: String,
    /// The last day of the period, inclusive (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    to: String,
    /// table (to read), csv (one row per area and a total row) or xlsx (a spreadsheet).
    #[arg(long, value_enum, default_value = "table")]
    format: ReturnFormat,
    /// Write to this file instead of standard output (xlsx needs one).
    #[arg(long, value_name = "FILE")]
    out: Option<std::path::PathBuf>,
    /// The force's MARAC areas: CSV with the header lpa,marac_area,adult_women (each LPA's
    /// MARAC area and adult female population). Without it each LPA is its own MARAC area
    /// and the volume per 10,000 women is left out.
    #[arg(long, value_name = "FILE", conflicts_with = "rules")]
    areas: Option<std::path::PathBuf>,
    /// The force's rules file (docs/rules-file.md), for its `marac.areas`.
    #[arg(long, value_name = "FILE")]
    rules: Option<std::path::PathBuf>,
}

pub async fn run(db: &str, command: MaracCommand) -> Result<(), Failure> {
    let MaracCommand::Return(args) = command;
    let day = |flag: &str, v: &str| {
        parse_date(v).map_err(|e| Failure::BadInput(format!("--{flag} '{v}': {e}")))
    };
    let (from, to) = (day("from", &args.from)?, day("to", &args.to)?);
    if to < from {
        return Err(Failure::BadInput(format!(
            "--to {to} is before --from {from}: give the period's first day, then its last"
        )));
    }
    if (to - from).num_days() > 3660 {
        return Err(Failure::BadInput(
            "the period is longer than ten years; a return covers a quarter or a year".into(),
        ));
    }
    let areas = match (&args.areas, &args.rules) {
        (None, None) => MaracAreas::default(),
        (_, Some(p)) => {
            // The areas a rules file names are checked against the store's.
            let store = open_store(db).await?;
            let lpas = store.lpas().await?;
            store.close().await;
            vigil_web::rules_file::load(p, &lpas)
                .map_err(Failure::BadInput)?
                .marac_areas
        }
        (Some(p), None) => {
            let text = std::fs::read_to_string(p).map_err(|e| {
                Failure::BadInput(format!("--areas {}: cannot be read: {e}", p.display()))
            })?;
            MaracAreas::from_csv(&text)
                .map_err(|e| Failure::BadInput(format!("--areas {}: {e}", p.display())))?
        }
    };
    if matches!(args.format, ReturnFormat::Xlsx) && args.out.is_none() {
        return Err(Failure::BadInput(
            "a spreadsheet is written to a file: add --out return.xlsx".into(),
        ));
    }
    let store = open_store(db).await?;
    let facts = vigil_store::marac_return::facts(store.as_ref(), from, to).await;
    store
        .audit(&super::cli_audit(
            "marac.return",
            "marac_return",
            &format!("{from}..{to}"),
            None,
        ))
        .await?;
    store.close().await;
    let (rows, total) = marac_return(&facts?, from, to, &areas);
    let bytes = match args.format {
        ReturnFormat::Csv => vigil_report::marac::to_csv(&rows, &total).into_bytes(),
        ReturnFormat::Xlsx => {
            vigil_report::marac::to_xlsx(&rows, &total, from, to).map_err(Failure::Runtime)?
        }
        ReturnFormat::Table => table(&rows, &total, from, to).into_bytes(),
    };
    match &args.out {
        Some(p) => {
            std::fs::write(p, &bytes)
                .map_err(|e| Failure::Runtime(format!("{} cannot be written: {e}", p.display())))?;
            eprintln!(
                "The MARAC return for {from} to {to}: {} cases in {} area{} → {}",
                total.cases,
                rows.len(),
                if rows.len() == 1 { "" } else { "s" },
                p.display()
            );
        }
        None => std::io::stdout()
            .write_all(&bytes)
            .map_err(|e| Failure::Runtime(format!("standard output: {e}")))?,
    }
    Ok(())
}

/// The return to read in a terminal: the main figures per area, then how it was counted.
fn table(
    rows: &[vigil_domain::marac_return::AreaReturn],
    total: &vigil_domain::marac_return::AreaReturn,
    from: vigil_domain::time::Date,
    to: vigil_domain::time::Date,
) -> String {
    let mut out = format!(
        "{:<24} {:>6} {:>8} {:>9} {:>5} {:>5} {:>6} {:>9} {:>10} {:>10} {:>11}\n",
        "MARAC area",
        "cases",
        "repeats",
        "children",
        "BME",
        "male",
        "16-17",
        "perp <18",
        "LGBT/form",
        "disab/form",
        "per 10k/yr"
    );
    for r in rows.iter().chain(std::iter::once(total)) {
        out.push_str(&format!(
            "{:<24} {:>6} {:>8} {:>9} {:>5} {:>5} {:>6} {:>9} {:>10} {:>10} {:>11}\n",
            r.area.chars().take(24).collect::<String>(),
            r.cases,
            r.repeat_cases,
            r.cases_with_children,
            r.bme_victims,
            r.male_victims,
            r.victims_16_17,
            r.perpetrators_under_18,
            format!("{}/{}", r.lgbt_victims, r.diversity_recorded),
            format!("{}/{}", r.disabled_victims, r.diversity_recorded),
            r.per_10k_women
                .map_or("–".to_owned(), |x| format!("{x:.1}"))
        ));
    }
    out.push('\n');
    for line in vigil_report::marac::notes(from, to) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}
