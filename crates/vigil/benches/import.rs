//! Import throughput: one million incidents with their victims, suspects and offences,
//! through the same path as `vigil import` (read and check every row, then one
//! transaction into SQLite). Prints rows a second; run with `cargo bench -p vigil --bench
//! import` (set VIGIL_BENCH_INCIDENTS for another size).

use std::time::Instant;
use vigil_domain::time::{Duration, parse_date};
use vigil_domain::*;
use vigil_extract::{Format, KnownIds, Silent, WriteOptions, read_dir, write_dir};
use vigil_store::ExtractInfo;

/// A small deterministic generator (not the calibrated scenario): enough variety that
/// every column is exercised and ids are realistic.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn records(incidents: usize) -> RecordSet {
    let mut rng = Lcg(42);
    let people = incidents * 7 / 5;
    let lpas = ["North", "South", "West"].map(|l| Lpa::parse(l).unwrap());
    let start = parse_date("2015-08-01")
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let mut r = RecordSet::default();
    for i in 0..people {
        r.persons.push(Person {
            id: PersonId::parse(&format!("P{i:08}")).unwrap(),
            sex: if i % 4 == 0 { Sex::Male } else { Sex::Female },
            birth_date: Some(
                parse_date("1960-01-01").unwrap() + Duration::days(rng.next(15000) as i64),
            ),
            ethnicity: Ethnicity::ALL[rng.next(6) as usize],
            lpa: Some(lpas[i % 3].clone()),
            identity: Identity::default(),
            address_confidential: false,
        });
    }
    for i in 0..incidents {
        let reported = start + Duration::minutes(rng.next(60 * 24 * 1490) as i64);
        let victim = rng.next(people as u64);
        let suspect = rng.next(people as u64);
        let crime = rng.next(100) < 55;
        let grade = RiskGrade::ALL[rng.next(3) as usize];
        r.incidents.push(Incident {
            id: IncidentId::parse(&format!("I{i:08}")).unwrap(),
            reported_at: reported,
            lpa: lpas[i % 3].clone(),
            call_grade: CallGrade::ALL[rng.next(4) as usize],
            arrived_at: Some(reported + Duration::minutes(rng.next(90) as i64)),
            response_target_met: Some(rng.next(4) != 0),
            victim_id: r.persons[victim as usize].id.clone(),
            suspect_id: Some(r.persons[suspect as usize].id.clone()),
            relationship: Relationship::ALL[rng.next(6) as usize],
            children_present: rng.next(3) == 0,
            risk_level: Some(grade),
            dash_yes_count: Some(rng.next(28) as u8),
        });
        if crime {
            for k in 0..=rng.next(2) {
                let recorded = reported.date() + Duration::days(rng.next(3) as i64);
                r.offences.push(Offence {
                    id: OffenceId::parse(&format!("O{i:08}-{k}")).unwrap(),
                    incident_id: r.incidents[i].id.clone(),
                    ho_code: Some("8N".into()),
                    offence_group: OffenceGroup::ALL[rng.next(8) as usize],
                    offence_date: reported.date(),
                    recorded_date: recorded,
                    victim_id: r.incidents[i].victim_id.clone(),
                    suspect_id: r.incidents[i].suspect_id.clone(),
                    risk_level: Some(grade),
                    team: InvestigatingTeam::Lpt,
                    outcome: (rng.next(2) == 0).then(|| Outcome {
                        code: OutcomeCode::of("16"),
                        date: recorded + Duration::days(rng.next(90) as i64),
                    }),
                    bwv_captured: rng.next(2) == 0,
                });
            }
        }
    }
    r
}

fn main() {
    let n: usize = std::env::var("VIGIL_BENCH_INCIDENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temporary folder");
    let extract = dir.path().join("extract");
    let t = Instant::now();
    let generated = records(n);
    write_dir(
        &extract,
        &generated,
        &WriteOptions {
            format: Format::Csv,
            include_identity: false,
            source: "bench".into(),
            as_of: parse_date("2019-09-01").unwrap(),
        },
        &Silent,
    )
    .expect("extract written");
    let rows = generated.total_rows();
    drop(generated);
    eprintln!(
        "generated {rows} rows in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let db = dir.path().join("bench.db");
    let started = Instant::now();
    let loaded = read_dir(&extract, &KnownIds::default(), &Silent).expect("extract reads");
    assert!(loaded.rejects.is_empty());
    let read = started.elapsed().as_secs_f64();
    let write_started = Instant::now();
    runtime.block_on(async {
        let store = vigil_store_open::open_and_migrate(db.to_str().unwrap(), &Default::default())
            .await
            .expect("store opens");
        store
            .import_records(
                &loaded.records,
                &ExtractInfo {
                    source: "bench".into(),
                    as_of: parse_date("2019-09-01").unwrap(),
                },
            )
            .await
            .expect("import");
        store.close().await;
    });
    let write = write_started.elapsed().as_secs_f64();
    let total = started.elapsed().as_secs_f64();
    let [persons, incidents, offences, ..] = loaded.records.row_counts();
    println!(
        "import benchmark: {incidents} incidents, {offences} offences, {persons} persons ({rows} rows)"
    );
    println!("  read and check   {read:>7.2} s");
    println!("  write to SQLite  {write:>7.2} s");
    println!("  total            {total:>7.2} s");
    println!(
        "  incident rows a second: {:.0}; all rows a second: {:.0}",
        incidents as f64 / total,
        rows as f64 / total
    );
}
