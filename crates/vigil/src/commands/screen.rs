//! `vigil screen right-to-know`: every DA incident, as of a day, whose suspect had abused
//! another partner before it — the Clare's Law right-to-know screen over the whole
//! history (the rule: `vigil_domain::disclosure`, the one the intake screen uses).

use crate::progress::spinner;
use crate::{Failure, open_store};
use std::collections::HashMap;
use std::io::Write;
use vigil_domain::disclosure::{ScreenRow, screen};
use vigil_domain::time::{format_datetime, parse_date};

#[derive(clap::Subcommand)]
pub enum ScreenCommand {
    /// Clare's Law, right to know: each incident between partners or ex-partners, reported
    /// on or before --as-of, whose suspect was the suspect of an earlier incident against a
    /// different partner or ex-partner; with those earlier incidents as the evidence.
    RightToKnow(RightToKnowArgs),
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
}

#[derive(clap::Args)]
pub struct RightToKnowArgs {
    /// The day to screen as of (YYYY-MM-DD): incidents reported up to its end.
    #[arg(long, value_name = "DATE")]
    as_of: String,
    /// Only incidents in this Local Policing Area (earlier incidents count from anywhere).
    #[arg(long, value_name = "NAME")]
    lpa: Option<String>,
    /// table (to read: the first 50 and the count) or csv (every hit, with a header row).
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<std::path::PathBuf>,
}

/// The incidents as the screen reads them, people and areas interned.
#[derive(Default)]
struct Read {
    rows: Vec<ScreenRow>,
    ids: Vec<String>,
    people: Vec<String>,
    person_index: HashMap<String, u32>,
    lpas: Vec<String>,
    lpa_index: HashMap<String, u16>,
}

impl Read {
    fn person(&mut self, id: &str) -> u32 {
        if let Some(&n) = self.person_index.get(id) {
            return n;
        }
        let n = self.people.len() as u32;
        self.people.push(id.to_owned());
        self.person_index.insert(id.to_owned(), n);
        n
    }

    fn lpa(&mut self, name: &str) -> u16 {
        if let Some(&n) = self.lpa_index.get(name) {
            return n;
        }
        let n = self.lpas.len() as u16;
        self.lpas.push(name.to_owned());
        self.lpa_index.insert(name.to_owned(), n);
        n
    }
}

pub async fn run(db: &str, command: ScreenCommand) -> Result<(), Failure> {
    let ScreenCommand::RightToKnow(args) = command;
    let as_of = parse_date(args.as_of.trim())
        .map_err(|e| Failure::BadInput(format!("--as-of '{}': {e}", args.as_of)))?;
    let store = open_store(db).await?;
    if let Some(l) = &args.lpa {
        let known = store.lpas().await?;
        if !known.iter().any(|k| k.as_str() == l) {
            return Err(Failure::BadInput(format!(
                "--lpa '{l}' is not one of this force's Local Policing Areas ({})",
                known
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    let started = std::time::Instant::now();
    let sp = spinner("reading the incidents");
    let mut read = Read::default();
    let mut sink = |chunk: vigil_domain::RecordSet| {
        for i in chunk.incidents {
            let row = ScreenRow {
                victim: read.person(i.victim_id.as_str()),
                suspect: i.suspect_id.as_ref().map(|s| read.person(s.as_str())),
                relationship: i.relationship,
                at: i.reported_at,
                lpa: read.lpa(i.lpa.as_str()),
            };
            read.rows.push(row);
            read.ids.push(i.id.to_string());
            if read.rows.len().is_multiple_of(100_000) {
                sp.set_message(format!("reading the incidents: {}", read.rows.len()));
            }
        }
        Ok(())
    };
    let streamed = store.incident_chunks(50_000, &mut sink).await;
    sp.finish_and_clear();
    streamed?;
    let read_took = started.elapsed();
    let lpa = args
        .lpa
        .as_deref()
        .map(|l| read.lpas.iter().position(|x| x == l).unwrap_or(usize::MAX) as u16);
    let end = as_of.and_hms_opt(23, 59, 59).expect("end of day");
    let hits = screen(&read.rows, end, lpa);
    store
        .audit(&super::cli_audit(
            "screen.right_to_know",
            "incidents",
            &format!("as of {as_of}"),
            Some(format!(
                "{} incidents listed{}",
                hits.len(),
                args.lpa
                    .as_deref()
                    .map_or(String::new(), |l| format!(" in {l}"))
            )),
        ))
        .await?;
    store.close().await;
    let took = started.elapsed();

    let mut out = String::new();
    match args.format {
        Format::Csv => {
            out.push_str("incident_id,reported_at,lpa,victim_id,suspect_id,relationship,other_partners,earlier_incidents\n");
            for h in &hits {
                let r = &read.rows[h.incident];
                let earlier: Vec<&str> = h.earlier.iter().map(|&j| read.ids[j].as_str()).collect();
                out.push_str(&format!(
                    "{},{},{},{},{},{},{},{}\n",
                    read.ids[h.incident],
                    format_datetime(r.at),
                    read.lpas[r.lpa as usize],
                    read.people[r.victim as usize],
                    r.suspect.map_or("", |s| read.people[s as usize].as_str()),
                    r.relationship.as_str(),
                    h.other_partners,
                    earlier.join(" ")
                ));
            }
        }
        Format::Table => {
            out.push_str(&format!(
                "{:<12} {:<20} {:<12} {:>14}  earlier incidents\n",
                "incident", "reported", "area", "other partners"
            ));
            for h in hits.iter().take(50) {
                let r = &read.rows[h.incident];
                out.push_str(&format!(
                    "{:<12} {:<20} {:<12} {:>14}  {}\n",
                    read.ids[h.incident],
                    format_datetime(r.at),
                    read.lpas[r.lpa as usize],
                    h.other_partners,
                    h.earlier
                        .iter()
                        .map(|&j| read.ids[j].as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                ));
            }
            out.push_str(&format!(
                "\n{} incident{} to consider for a right-to-know disclosure, of {} read, in {:.1} s{}.\n",
                hits.len(),
                if hits.len() == 1 { "" } else { "s" },
                read.rows.len(),
                took.as_secs_f64(),
                if hits.len() > 50 {
                    "; the first 50 are shown (--format csv lists them all)"
                } else {
                    ""
                }
            ));
        }
    }
    match &args.out {
        Some(p) => std::fs::write(p, out.as_bytes())
            .map_err(|e| Failure::Runtime(format!("{} cannot be written: {e}", p.display())))?,
        None => std::io::stdout()
            .write_all(out.as_bytes())
            .map_err(|e| Failure::Runtime(format!("standard output: {e}")))?,
    }
    if args.out.is_some() || matches!(args.format, Format::Csv) {
        eprintln!(
            "{} incidents listed of {} read, in {:.1} s ({:.1} s reading the store, {:.2} s screening).",
            hits.len(),
            read.rows.len(),
            took.as_secs_f64(),
            read_took.as_secs_f64(),
            (took - read_took).as_secs_f64()
        );
    }
    Ok(())
}
