//! Reading an extract folder: file checks, CSV parsing, per-cell validation, duplicate and
//! dangling-id checks, and the manifest's checksums. Nothing here writes anywhere: the
//! caller gets either every record (and the rejected rows) or every reason it cannot.

use crate::cell::unguard;
use crate::manifest::{FORMAT_VERSION, MANIFEST_FILE, Manifest, sha256_hex};
use crate::problem::Problem;
use crate::progress::Progress;
use crate::spec::{self, Kind, TableSpec};
use crate::tables::{self, Fields};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use vigil_domain::RecordSet;
use vigil_domain::time::{Date, parse_date};

use vigil_domain::RecordKind as IdTable;

const ID_TABLES: usize = 9;

/// Ids already in the store, so an import into a non-empty store can refer to them and
/// cannot repeat them.
#[derive(Debug, Default)]
pub struct KnownIds {
    sets: [HashSet<String>; ID_TABLES],
}

impl KnownIds {
    pub fn insert(&mut self, table: IdTable, id: String) {
        self.sets[table as usize].insert(id);
    }

    pub fn contains(&self, table: IdTable, id: &str) -> bool {
        self.sets[table as usize].contains(id)
    }

    pub fn is_empty(&self) -> bool {
        self.sets.iter().all(HashSet::is_empty)
    }
}

/// The key that makes a staffing row unique.
pub fn staffing_key(s: &vigil_domain::StaffingRecord) -> String {
    format!(
        "{}|{}|{}|{}",
        s.as_of,
        s.team,
        s.lpa.as_ref().map_or("", |l| l.as_str()),
        s.rank
    )
}

/// Ids accepted from this extract so far (with their line), beside those in the store.
struct Registry<'k> {
    known: &'k KnownIds,
    seen: [HashMap<String, u64>; ID_TABLES],
}

type CellProblem = (usize, String, String);

impl Registry<'_> {
    fn exists(&self, t: IdTable, id: &str) -> bool {
        self.seen[t as usize].contains_key(id) || self.known.contains(t, id)
    }

    fn unique(&self, t: IdTable, id: &str, col: usize, out: &mut Vec<CellProblem>) {
        if let Some(first) = self.seen[t as usize].get(id) {
            let what = if t == IdTable::Staffing {
                format!(
                    "duplicate staffing row (same date, team, LPA and rank); first on line {first}"
                )
            } else {
                format!("duplicate {} id; first used on line {first}", t.noun())
            };
            out.push((col, id.to_owned(), what));
        } else if self.known.contains(t, id) {
            out.push((
                col,
                id.to_owned(),
                format!("a {} with this id is already in the store", t.noun()),
            ));
        }
    }

    fn refers(&self, t: IdTable, id: Option<&str>, col: usize, out: &mut Vec<CellProblem>) {
        if let Some(id) = id
            && !self.exists(t, id)
        {
            out.push((
                col,
                id.to_owned(),
                format!(
                    "no {} with this id in the extract or the store (rows that were rejected do not count)",
                    t.noun()
                ),
            ));
        }
    }

    fn add(&mut self, t: IdTable, id: &str, line: u64) {
        self.seen[t as usize].insert(id.to_owned(), line);
    }
}

/// What reading an extract gave.
#[derive(Debug)]
pub struct Loaded {
    pub records: RecordSet,
    /// Rows that cannot be imported, with every reason; empty when the extract is clean.
    pub rejects: Vec<Problem>,
    pub manifest: Option<Manifest>,
    /// The extract date: from the manifest, else the latest date in the records.
    pub as_of: Option<Date>,
    /// Things worth telling the user that do not stop the import.
    pub notes: Vec<String>,
}

/// One table file read into memory and checked as text.
struct TableText {
    bytes: Vec<u8>,
    /// Offset of the content after any UTF-8 byte-order mark.
    start: usize,
}

fn line_of(bytes: &[u8], offset: usize) -> u64 {
    bytes[..offset].iter().filter(|b| **b == b'\n').count() as u64 + 1
}

fn read_text(path: &Path, file: &str) -> Result<TableText, Problem> {
    let bytes =
        std::fs::read(path).map_err(|e| Problem::file(file, format!("cannot be read: {e}")))?;
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Problem::file(
            file,
            "is UTF-16 text; save it as UTF-8 (in a spreadsheet: CSV UTF-8)",
        ));
    }
    let start = if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    if bytes[start..].iter().all(u8::is_ascii_whitespace) {
        return Err(Problem::file(
            file,
            "is empty; a table file needs at least its header row",
        ));
    }
    if let Some(pos) = bytes.iter().position(|b| *b == 0) {
        return Err(Problem {
            line: Some(line_of(&bytes, pos)),
            ..Problem::file(
                file,
                "contains binary data (a NUL byte), so it is not a CSV text file",
            )
        });
    }
    if let Err(e) = std::str::from_utf8(&bytes[start..]) {
        let at = start + e.valid_up_to();
        return Err(Problem {
            line: Some(line_of(&bytes, at)),
            value: Some(format!("byte 0x{:02X}", bytes[at])),
            ..Problem::file(
                file,
                "is not UTF-8 text (perhaps Windows-1252 or Latin-1); save it as UTF-8",
            )
        });
    }
    Ok(TableText { bytes, start })
}

/// Maps the file's header onto the table's columns: for each spec column, its position
/// in the file (`None` for an identity column left out).
fn map_header(
    spec: &TableSpec,
    header: &csv::ByteRecord,
    file: &str,
    notes: &mut Vec<String>,
) -> Result<Vec<Option<usize>>, Vec<Problem>> {
    let names: Vec<String> = header
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_owned())
        .collect();
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for n in &names {
        if !seen.insert(n.as_str()) {
            problems.push(Problem {
                line: Some(1),
                column: Some(n.clone()),
                ..Problem::file(file, "this column appears twice in the header")
            });
        }
    }
    let mut positions = Vec::with_capacity(spec.columns.len());
    for c in spec.columns {
        let pos = names.iter().position(|n| n == c.name);
        if pos.is_none() && !c.omissible {
            problems.push(Problem {
                line: Some(1),
                column: Some(c.name.to_owned()),
                ..Problem::file(
                    file,
                    format!(
                        "required column is missing from the header; expected the columns {}",
                        spec.columns
                            .iter()
                            .map(|c| c.name)
                            .collect::<Vec<_>>()
                            .join(",")
                    ),
                )
            });
        }
        positions.push(pos);
    }
    let unknown: Vec<&str> = names
        .iter()
        .filter(|n| spec.column_index(n).is_none())
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() && problems.is_empty() {
        notes.push(format!(
            "{file}: ignored columns not in format version {FORMAT_VERSION}: {}",
            unknown.join(", ")
        ));
    }
    if problems.is_empty() {
        Ok(positions)
    } else {
        Err(problems)
    }
}

/// One table read and parsed (but not yet checked against other tables): the rows that
/// parsed, with their line numbers, the rows that did not, and notes.
struct Parsed<R> {
    rows: Vec<(u64, R)>,
    rejects: Vec<Problem>,
    notes: Vec<String>,
}

/// Reads and parses one table file. Returns `Err` only for problems with the file as a
/// whole; row problems are in `rejects`. Progress is advanced by bytes read.
fn parse_table<R>(
    dir: &Path,
    spec: &'static TableSpec,
    progress: &dyn Progress,
    parse: fn(&mut Fields) -> Option<R>,
) -> Result<Parsed<R>, Vec<Problem>> {
    let file = spec.csv_file();
    let path = dir.join(&file);
    let mut out = Parsed {
        rows: Vec::new(),
        rejects: Vec::new(),
        notes: Vec::new(),
    };
    if !path.exists() {
        if dir.join(spec.parquet_file()).exists() {
            return Err(vec![Problem::file(
                &file,
                format!(
                    "is missing, but {} is there: import reads the CSV form of the extract (Parquet is written for analysis tools); export it again with --format csv",
                    spec.parquet_file()
                ),
            )]);
        }
        if spec.required {
            return Err(vec![Problem::file(
                &file,
                format!(
                    "is missing from {}; every extract has this table",
                    dir.display()
                ),
            )]);
        }
        return Ok(out);
    }
    let text = read_text(&path, &file).map_err(|p| vec![p])?;
    let body = &text.bytes[text.start..];
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(body);
    let header = reader
        .byte_headers()
        .map_err(|e| {
            vec![Problem::file(
                &file,
                format!("the header row cannot be read: {e}"),
            )]
        })?
        .clone();
    let positions = map_header(spec, &header, &file, &mut out.notes)?;
    let width = header.len();
    let mut record = csv::ByteRecord::new();
    let mut last_reported = 0u64;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line());
                return Err(vec![Problem {
                    line,
                    ..Problem::file(&file, format!("is not valid CSV: {e}"))
                }]);
            }
        }
        let pos = record
            .position()
            .expect("records read from a reader have a position");
        let line = pos.line();
        if pos.byte() - last_reported > 1 << 20 {
            progress.advance(pos.byte() - last_reported);
            last_reported = pos.byte();
        }
        if record.len() != width {
            out.rejects.push(Problem {
                line: Some(line),
                ..Problem::file(
                    &file,
                    format!(
                        "has {} fields but the header has {width}; check for an unquoted comma or a missing field",
                        record.len()
                    ),
                )
            });
            continue;
        }
        let mut values: Vec<&str> = Vec::with_capacity(spec.columns.len());
        for (c, p) in spec.columns.iter().zip(&positions) {
            let raw = match p {
                // The whole file was checked as UTF-8 above, so this cannot fail; a field
                // boundary never splits a character because the delimiters are ASCII.
                Some(i) => std::str::from_utf8(&record[*i]).unwrap_or(""),
                None => "",
            };
            values.push(if c.kind == Kind::Text {
                unguard(raw)
            } else {
                raw
            });
        }
        let mut fields = Fields {
            spec,
            values: &values,
            errors: Vec::new(),
        };
        let parsed = parse(&mut fields);
        if fields.errors.is_empty()
            && let Some(r) = parsed
        {
            out.rows.push((line, r));
        }
        out.rejects
            .extend(fields.errors.into_iter().map(|e| Problem {
                file: file.clone(),
                line: Some(line),
                column: Some(e.column.to_owned()),
                value: Some(e.value),
                reason: e.reason,
            }));
    }
    progress.advance((body.len() as u64).saturating_sub(last_reported));
    Ok(out)
}

/// Checks parsed rows against the ids accepted so far (this extract's and the store's),
/// keeping the rows that pass and registering their ids.
fn check_rows<R>(
    spec: &'static TableSpec,
    parsed: Parsed<R>,
    rejects: &mut Vec<Problem>,
    notes: &mut Vec<String>,
    mut check: impl FnMut(&R, u64, &mut Vec<CellProblem>),
) -> Vec<R> {
    let file = spec.csv_file();
    let mut kept = Vec::with_capacity(parsed.rows.len());
    let mut table_rejects = parsed.rejects;
    let mut cell_problems = Vec::new();
    for (line, r) in parsed.rows {
        cell_problems.clear();
        check(&r, line, &mut cell_problems);
        if cell_problems.is_empty() {
            kept.push(r);
        } else {
            table_rejects.extend(cell_problems.drain(..).map(|(col, value, reason)| Problem {
                file: file.clone(),
                line: Some(line),
                column: Some(spec.columns[col].name.to_owned()),
                value: Some(value),
                reason,
            }));
        }
    }
    // Problems are listed in file order, whichever phase found them.
    table_rejects.sort_by_key(|p| p.line);
    rejects.extend(table_rejects);
    notes.extend(parsed.notes);
    kept
}

fn read_manifest(dir: &Path) -> Result<Option<Manifest>, Problem> {
    let path = dir.join(MANIFEST_FILE);
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Problem::file(MANIFEST_FILE, format!("cannot be read as UTF-8 text: {e}")))?;
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| Problem {
        line: Some(e.line() as u64),
        ..Problem::file(
            MANIFEST_FILE,
            format!(
                "is not a valid manifest: {e}; expected format_version, source, as_of and files"
            ),
        )
    })?;
    if manifest.format_version != FORMAT_VERSION {
        return Err(Problem {
            column: Some("format_version".into()),
            value: Some(manifest.format_version.to_string()),
            ..Problem::file(
                MANIFEST_FILE,
                format!("this Vigil reads extract format version {FORMAT_VERSION}"),
            )
        });
    }
    Ok(Some(manifest))
}

/// Checks each file the manifest lists against its checksum, before anything is parsed.
fn verify_checksums(dir: &Path, manifest: &Manifest) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (name, entry) in &manifest.files {
        if !name.ends_with(".csv") {
            continue;
        }
        match std::fs::read(dir.join(name)) {
            Err(_) => problems.push(Problem::file(
                name,
                "is listed in manifest.json but is not in the folder",
            )),
            Ok(bytes) => {
                let sum = sha256_hex(&bytes);
                if sum != entry.sha256 {
                    problems.push(Problem {
                        value: Some(sum),
                        ..Problem::file(
                            name,
                            format!(
                                "its SHA-256 does not match manifest.json ({}); the file was changed or damaged after it was exported",
                                entry.sha256
                            ),
                        )
                    });
                }
            }
        }
    }
    problems
}

/// Reads and checks a whole extract folder.
///
/// `Err` carries problems that make the extract unreadable (a missing or damaged file, a
/// bad header). Otherwise every row that could be read is in `extract`, and every row that
/// could not is described in `rejects`: the caller decides whether a partial import is
/// acceptable.
pub fn read_dir(
    dir: &Path,
    known: &KnownIds,
    progress: &dyn Progress,
) -> Result<Loaded, Vec<Problem>> {
    if !dir.is_dir() {
        return Err(vec![Problem::file(
            dir.display().to_string(),
            "is not a folder; give the folder that holds persons.csv, incidents.csv and the other tables",
        )]);
    }
    let manifest = read_manifest(dir).map_err(|p| vec![p])?;
    if let Some(m) = &manifest {
        let problems = verify_checksums(dir, m);
        if !problems.is_empty() {
            return Err(problems);
        }
    }
    let mut notes = Vec::new();
    let mut rejects = Vec::new();
    let mut fatal = Vec::new();
    let mut reg = Registry {
        known,
        seen: Default::default(),
    };
    let mut ex = RecordSet::default();
    use IdTable::*;

    // Phase 1: read and parse the files on two threads (the machine's cores), each taking
    // a balanced share of the tables, so at most two files' bytes are in memory at once.
    let total_bytes: u64 = spec::TABLES
        .iter()
        .filter_map(|t| std::fs::metadata(dir.join(t.csv_file())).ok())
        .map(|m| m.len())
        .sum();
    progress.begin("reading and checking", total_bytes);
    let (
        (persons, offences, referrals, disclosures, staffing),
        (incidents, risk_assessments, arrests, protection_orders),
    ) = std::thread::scope(|scope| {
        let second = scope.spawn(|| {
            (
                parse_table(dir, &spec::INCIDENTS, progress, tables::read_incident),
                parse_table(
                    dir,
                    &spec::RISK_ASSESSMENTS,
                    progress,
                    tables::read_assessment,
                ),
                parse_table(dir, &spec::ARRESTS, progress, tables::read_arrest),
                parse_table(dir, &spec::PROTECTION_ORDERS, progress, tables::read_order),
            )
        });
        let first = (
            parse_table(dir, &spec::PERSONS, progress, tables::read_person),
            parse_table(dir, &spec::OFFENCES, progress, tables::read_offence),
            parse_table(dir, &spec::REFERRALS, progress, tables::read_referral),
            parse_table(dir, &spec::DISCLOSURES, progress, tables::read_disclosure),
            parse_table(dir, &spec::STAFFING, progress, tables::read_staffing),
        );
        (
            first,
            second.join().expect("the reading thread does not panic"),
        )
    });
    progress.end();

    // Phase 2: duplicates and references, table by table in dependency order, against the
    // rows accepted so far and the store's ids.
    macro_rules! table {
        ($field:ident, $parsed:expr, $spec:expr, |$r:ident, $out:ident| $body:block, $id:expr, $key:expr) => {
            match $parsed {
                Ok(parsed) => {
                    ex.$field = check_rows(&$spec, parsed, &mut rejects, &mut notes, |$r, line, $out| {
                        $body
                        if $out.is_empty() {
                            let key: String = $key;
                            reg.add($id, &key, line);
                        }
                    })
                }
                Err(p) => fatal.extend(p),
            }
        };
    }
    table!(
        persons,
        persons,
        spec::PERSONS,
        |p, out| {
            reg.unique(Person, p.id.as_str(), 0, out);
        },
        Person,
        p.id.as_str().to_owned()
    );
    table!(
        incidents,
        incidents,
        spec::INCIDENTS,
        |i, out| {
            reg.unique(Incident, i.id.as_str(), 0, out);
            reg.refers(Person, Some(i.victim_id.as_str()), 6, out);
            reg.refers(Person, i.suspect_id.as_ref().map(|s| s.as_str()), 7, out);
        },
        Incident,
        i.id.as_str().to_owned()
    );
    table!(
        offences,
        offences,
        spec::OFFENCES,
        |o, out| {
            reg.unique(Offence, o.id.as_str(), 0, out);
            reg.refers(Incident, Some(o.incident_id.as_str()), 1, out);
            reg.refers(Person, Some(o.victim_id.as_str()), 6, out);
            reg.refers(Person, o.suspect_id.as_ref().map(|s| s.as_str()), 7, out);
        },
        Offence,
        o.id.as_str().to_owned()
    );
    table!(
        arrests,
        arrests,
        spec::ARRESTS,
        |a, out| {
            reg.unique(Arrest, a.id.as_str(), 0, out);
            reg.refers(Person, Some(a.person_id.as_str()), 1, out);
            reg.refers(Incident, a.incident_id.as_ref().map(|s| s.as_str()), 2, out);
            reg.refers(Offence, a.offence_id.as_ref().map(|s| s.as_str()), 3, out);
        },
        Arrest,
        a.id.as_str().to_owned()
    );
    table!(
        risk_assessments,
        risk_assessments,
        spec::RISK_ASSESSMENTS,
        |r, out| {
            reg.unique(Assessment, r.id.as_str(), 0, out);
            reg.refers(Incident, Some(r.incident_id.as_str()), 1, out);
        },
        Assessment,
        r.id.as_str().to_owned()
    );
    table!(
        referrals,
        referrals,
        spec::REFERRALS,
        |r, out| {
            reg.unique(Referral, r.id.as_str(), 0, out);
            reg.refers(Person, Some(r.person_id.as_str()), 2, out);
            reg.refers(Incident, r.incident_id.as_ref().map(|s| s.as_str()), 3, out);
        },
        Referral,
        r.id.as_str().to_owned()
    );
    table!(
        disclosures,
        disclosures,
        spec::DISCLOSURES,
        |d, out| {
            reg.unique(Disclosure, d.id.as_str(), 0, out);
            reg.refers(Person, Some(d.subject_id.as_str()), 2, out);
            reg.refers(Person, Some(d.at_risk_id.as_str()), 3, out);
        },
        Disclosure,
        d.id.as_str().to_owned()
    );
    table!(
        protection_orders,
        protection_orders,
        spec::PROTECTION_ORDERS,
        |o, out| {
            reg.unique(Order, o.id.as_str(), 0, out);
            reg.refers(Person, Some(o.subject_id.as_str()), 2, out);
            reg.refers(Person, Some(o.protected_id.as_str()), 3, out);
            reg.refers(Incident, o.incident_id.as_ref().map(|s| s.as_str()), 4, out);
        },
        Order,
        o.id.as_str().to_owned()
    );
    table!(
        staffing,
        staffing,
        spec::STAFFING,
        |s, out| {
            reg.unique(Staffing, &staffing_key(s), 0, out);
        },
        Staffing,
        staffing_key(s)
    );

    if !fatal.is_empty() {
        return Err(fatal);
    }
    if let Some(m) = &manifest {
        for spec in spec::TABLES {
            let counts = ex.row_counts();
            let idx = spec::TABLES
                .iter()
                .position(|s| s.name == spec.name)
                .expect("listed");
            if let Some(entry) = m.files.get(&spec.csv_file()) {
                let read = counts[idx] as u64
                    + rejects
                        .iter()
                        .filter(|p| p.file == spec.csv_file())
                        .map(|p| p.line)
                        .collect::<HashSet<_>>()
                        .len() as u64;
                if read != entry.rows {
                    fatal.push(Problem::file(
                        spec.csv_file(),
                        format!("holds {read} rows but manifest.json says {}", entry.rows),
                    ));
                }
            }
        }
        if !fatal.is_empty() {
            return Err(fatal);
        }
    }
    let as_of = match &manifest {
        Some(m) => Some(parse_date(&m.as_of).map_err(|e| {
            vec![Problem {
                column: Some("as_of".into()),
                value: Some(m.as_of.clone()),
                ..Problem::file(MANIFEST_FILE, e.reason)
            }]
        })?),
        None => {
            notes.push(
                "no manifest.json: the extract date is taken as the latest date in the records"
                    .into(),
            );
            latest_date(&ex)
        }
    };
    Ok(Loaded {
        records: ex,
        rejects,
        manifest,
        as_of,
        notes,
    })
}

/// The latest date any record carries: the extract date when no manifest says it.
fn latest_date(ex: &RecordSet) -> Option<Date> {
    let incidents = ex.incidents.iter().map(|i| i.reported_at.date());
    let offences = ex
        .offences
        .iter()
        .flat_map(|o| [Some(o.recorded_date), o.outcome.map(|x| x.date)])
        .flatten();
    incidents.chain(offences).max()
}
