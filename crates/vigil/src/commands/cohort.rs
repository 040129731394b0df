//! `vigil cohort`: the perpetrator cohort, the acute victim cohort and the serial
//! perpetrators, computed from the store's records as of a day (the score's rules:
//! `vigil_domain::cohort`; the computation over the snapshot: `vigil_analytics::cohorts`).

use crate::{Failure, open_store};
use std::io::Write;
use std::time::Instant;
use vigil_analytics::calendar::{date, day};
use vigil_analytics::cohorts::{
    acute_victims, perpetrator_cohort, perpetrator_cohorts_by_area, serial_perpetrators,
};
use vigil_domain::cohort::CohortConfig;
use vigil_domain::time::{Date, parse_date};
use vigil_report::cohort::CohortRow;

#[derive(clap::Subcommand)]
pub enum CohortCommand {
    /// The perpetrator cohort of each area: suspects ranked by their Recency, Frequency,
    /// Gravity and Victims score over the look-back (docs/measures.md, "Cohorts"), with
    /// each person's parts and the reasons in words.
    Perpetrators(Args),
    /// The acute victim cohort of each area: victims ranked by their highest risk grade in
    /// the last 12 months, then their incidents in those months, then recency.
    Victims(Args),
    /// Every serial perpetrator as of a day: two or more different victims of incidents in
    /// which they were the suspect, in the years to it (3 by default).
    Serial(SerialArgs),
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Xlsx,
    Json,
}

#[derive(clap::Args)]
pub struct Args {
    /// A Local Policing Area, or `all` for each area's cohort.
    #[arg(long, value_name = "NAME|all")]
    lpa: String,
    /// The run's day (YYYY-MM-DD): records up to its end count.
    #[arg(long, value_name = "DATE")]
    as_of: String,
    /// Members per area (1 to 500; the rules file's size, else 20).
    #[arg(long, value_name = "N")]
    size: Option<usize>,
    /// The force's rules file (docs/rules-file.md): its `cohort` section sets the score
    /// (weights, look-back, recency, caps, a harm table from CSV with its source).
    #[arg(long, value_name = "FILE")]
    rules: Option<std::path::PathBuf>,
    /// table (to read), csv (a header row, then one row per member), xlsx (a spreadsheet
    /// with the configuration on its own sheet; needs --out) or json.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<std::path::PathBuf>,
    /// Print how long loading the snapshot and computing the cohorts took.
    #[arg(long)]
    timings: bool,
}

#[derive(clap::Args)]
pub struct SerialArgs {
    /// The day (YYYY-MM-DD): incidents up to its end count.
    #[arg(long, value_name = "DATE")]
    as_of: String,
    /// The years to the day in which two victims make a serial perpetrator (1 to 10).
    #[arg(long, default_value_t = 3)]
    years: u32,
    /// table (the count and the first 50) or csv (every person, with a header row).
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<std::path::PathBuf>,
}

pub async fn run(db: &str, command: CohortCommand) -> Result<(), Failure> {
    match command {
        CohortCommand::Perpetrators(a) => cohort(db, a, Kind::Perpetrators).await,
        CohortCommand::Victims(a) => cohort(db, a, Kind::Victims).await,
        CohortCommand::Serial(a) => serial(db, a).await,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Perpetrators,
    Victims,
}

fn as_of(raw: &str) -> Result<Date, Failure> {
    parse_date(raw).map_err(|e| Failure::BadInput(format!("--as-of '{raw}': {e}")))
}

async fn cohort(db: &str, args: Args, kind: Kind) -> Result<(), Failure> {
    let as_of = as_of(&args.as_of)?;
    if args.format == Format::Xlsx && args.out.is_none() {
        return Err(Failure::BadInput(
            "a spreadsheet is written to a file: add --out cohort.xlsx".into(),
        ));
    }
    let t0 = Instant::now();
    let store = open_store(db).await?;
    let (snapshot, _, _) = crate::snapshot(store.as_ref(), db).await?;
    let mut cfg = match &args.rules {
        Some(p) => {
            let lpas = store.lpas().await?;
            vigil_web::rules_file::load(p, &lpas)
                .map_err(Failure::BadInput)?
                .cohort
                .config
        }
        None => CohortConfig::default(),
    };
    if let Some(n) = args.size {
        cfg.size = n;
    }
    cfg.check()
        .map_err(|e| Failure::BadInput(format!("--size: {e}")))?;
    let areas: Vec<u8> = if args.lpa.trim().eq_ignore_ascii_case("all") {
        (0..snapshot.lpas.len() as u8).collect()
    } else {
        vec![snapshot.lpa_index(args.lpa.trim()).ok_or_else(|| {
            Failure::BadInput(format!(
                "--lpa '{}': no Local Policing Area of that name; the records have {}, or give all",
                args.lpa.chars().take(40).collect::<String>(),
                snapshot.lpas.join(", ")
            ))
        })?]
    };
    let load = t0.elapsed();
    let t1 = Instant::now();
    let today = day(as_of);
    let mut rows: Vec<CohortRow> = Vec::new();
    match kind {
        Kind::Perpetrators => {
            let by_area = if areas.len() == 1 {
                std::iter::once((
                    areas[0],
                    perpetrator_cohort(&snapshot, today, Some(areas[0]), &cfg),
                ))
                .collect()
            } else {
                perpetrator_cohorts_by_area(&snapshot, today, &cfg)
            };
            for (lpa, members) in by_area {
                for (k, p) in members.iter().take(cfg.size).enumerate() {
                    rows.push(CohortRow {
                        lpa: snapshot.lpas[usize::from(lpa)].clone(),
                        rank: k as u32 + 1,
                        person_id: snapshot.person_ids.get(p.person as usize).to_owned(),
                        name: String::new(),
                        score: p.score.total,
                        r: p.score.r,
                        f: p.score.f,
                        g: p.score.g,
                        v: p.score.v,
                        incidents: p.facts.incidents,
                        victims: p.facts.victims,
                        last_incident: p.facts.last_incident.to_string(),
                        serial: p.serial,
                        reasons: vigil_analytics::cohorts::reasons(&snapshot, p, as_of, &cfg),
                        change: String::new(),
                        owner: String::new(),
                    });
                }
            }
        }
        Kind::Victims => {
            for lpa in &areas {
                for (k, v) in acute_victims(&snapshot, today, Some(*lpa), cfg.size)
                    .iter()
                    .enumerate()
                {
                    let grade = vigil_analytics::cohorts::grade_words(v.grade);
                    rows.push(CohortRow {
                        lpa: snapshot.lpas[usize::from(*lpa)].clone(),
                        rank: k as u32 + 1,
                        person_id: snapshot.person_ids.get(v.person as usize).to_owned(),
                        name: String::new(),
                        score: 0.0,
                        r: 0.0,
                        f: 0.0,
                        g: 0.0,
                        v: 0.0,
                        incidents: v.incidents_12m,
                        victims: 0,
                        last_incident: date(v.last_day).to_string(),
                        serial: false,
                        reasons: format!(
                            "{grade} risk; {} incident{} in 12 months, the last on {}",
                            v.incidents_12m,
                            if v.incidents_12m == 1 { "" } else { "s" },
                            date(v.last_day)
                        ),
                        change: String::new(),
                        owner: String::new(),
                    });
                }
            }
        }
    }
    // Areas in one fixed order everywhere: by name.
    rows.sort_by(|a, b| a.lpa.cmp(&b.lpa).then(a.rank.cmp(&b.rank)));
    let compute = t1.elapsed();
    // Listing people is reading about them: one audit row each.
    let what = match kind {
        Kind::Perpetrators => "perpetrator cohort",
        Kind::Victims => "acute victim cohort",
    };
    let entries: Vec<_> = rows
        .iter()
        .map(|r| {
            super::cli_audit(
                "person.listed",
                "person",
                &r.person_id,
                Some(format!("listed in the {what} of {} as of {as_of}", r.lpa)),
            )
        })
        .collect();
    store.audit_all(&entries).await?;
    store.close().await;
    let title = format!(
        "The {what}, {} as of {as_of}",
        if areas.len() == 1 {
            snapshot.lpas[usize::from(areas[0])].clone()
        } else {
            "every area".into()
        }
    );
    let bytes = match args.format {
        Format::Csv => vigil_report::cohort::to_csv(&rows).into_bytes(),
        Format::Xlsx => vigil_report::cohort::to_xlsx(&rows, &title, &cfg.to_text())
            .map_err(Failure::Runtime)?,
        Format::Json => {
            let v: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "lpa": r.lpa, "rank": r.rank, "person_id": r.person_id,
                        "score": r.score, "recency": r.r, "frequency": r.f, "gravity": r.g,
                        "victims_part": r.v, "incidents": r.incidents, "victims": r.victims,
                        "last_incident": r.last_incident, "serial": r.serial, "reasons": r.reasons,
                    })
                })
                .collect();
            let doc = serde_json::json!({"as_of": as_of.to_string(), "configuration": cfg.to_text(), "members": v});
            (serde_json::to_string_pretty(&doc).expect("json") + "\n").into_bytes()
        }
        Format::Table => table(&title, &rows, kind).into_bytes(),
    };
    write(
        &args.out,
        &bytes,
        &format!("{title}: {} members", rows.len()),
    )?;
    if args.timings {
        eprintln!(
            "snapshot load {:.3} s, cohorts of {} area{} {:.3} s",
            load.as_secs_f64(),
            areas.len(),
            if areas.len() == 1 { "" } else { "s" },
            compute.as_secs_f64()
        );
    }
    Ok(())
}

fn table(title: &str, rows: &[CohortRow], kind: Kind) -> String {
    let mut out = format!("{title}\n\n");
    if rows.is_empty() {
        out.push_str("Nobody: no suspect had an incident in the look-back.\n");
        return out;
    }
    for r in rows {
        match kind {
            Kind::Perpetrators => out.push_str(&format!(
                "{:<12} {:>3}  {:<12} {:>6.1}  R {:.2} F {:.2} G {:.2} V {:.2}{}  {}\n",
                r.lpa.chars().take(12).collect::<String>(),
                r.rank,
                r.person_id,
                r.score,
                r.r,
                r.f,
                r.g,
                r.v,
                if r.serial { "  serial" } else { "" },
                r.reasons
            )),
            Kind::Victims => out.push_str(&format!(
                "{:<12} {:>3}  {:<12} {}\n",
                r.lpa.chars().take(12).collect::<String>(),
                r.rank,
                r.person_id,
                r.reasons
            )),
        }
    }
    out
}

fn write(out: &Option<std::path::PathBuf>, bytes: &[u8], said: &str) -> Result<(), Failure> {
    match out {
        Some(p) => {
            std::fs::write(p, bytes)
                .map_err(|e| Failure::Runtime(format!("{} cannot be written: {e}", p.display())))?;
            eprintln!("{said} → {}", p.display());
        }
        None => std::io::stdout()
            .write_all(bytes)
            .map_err(|e| Failure::Runtime(format!("standard output: {e}")))?,
    }
    Ok(())
}

async fn serial(db: &str, args: SerialArgs) -> Result<(), Failure> {
    let as_of = as_of(&args.as_of)?;
    if !(1..=10).contains(&args.years) {
        return Err(Failure::BadInput(format!(
            "--years {}: give 1 to 10",
            args.years
        )));
    }
    if matches!(args.format, Format::Xlsx | Format::Json) {
        return Err(Failure::BadInput(
            "--format: the serial perpetrators are written as table or csv".into(),
        ));
    }
    let store = open_store(db).await?;
    let (snapshot, _, _) = crate::snapshot(store.as_ref(), db).await?;
    let flags = serial_perpetrators(&snapshot, day(as_of), args.years);
    let mut ids: Vec<&str> = flags
        .iter()
        .enumerate()
        .filter(|(_, s)| **s)
        .map(|(i, _)| snapshot.person_ids.get(i))
        .collect();
    ids.sort_unstable();
    let entries: Vec<_> = ids
        .iter()
        .map(|id| {
            super::cli_audit(
                "person.listed",
                "person",
                id,
                Some(format!("listed as a serial perpetrator as of {as_of}")),
            )
        })
        .collect();
    store.audit_all(&entries).await?;
    store.close().await;
    let text = match args.format {
        Format::Csv => {
            let mut s = String::from("person_id\n");
            for id in &ids {
                s.push_str(id);
                s.push('\n');
            }
            s
        }
        _ => {
            let mut s = format!(
                "{} serial perpetrator{} as of {as_of} (two or more victims in the {} years to it)\n",
                ids.len(),
                if ids.len() == 1 { "" } else { "s" },
                args.years
            );
            for id in ids.iter().take(50) {
                s.push_str(&format!("  {id}\n"));
            }
            if ids.len() > 50 {
                s.push_str(&format!(
                    "  … and {} more: --format csv lists every one\n",
                    ids.len() - 50
                ));
            }
            s
        }
    };
    write(
        &args.out,
        text.as_bytes(),
        &format!("{} serial perpetrators as of {as_of}", ids.len()),
    )
}
