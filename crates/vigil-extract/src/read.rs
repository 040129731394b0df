//! Reading an extract folder: file checks, CSV parsing, per-cell validation, duplicate and
//! dangling-id checks, and the manifest's checksums. Nothing here writes anywhere.
//!
//! [`stream_dir`] reads an extract of any size in bounded memory: each file is read a row
//! at a time, in the order tables refer to each other (persons, incidents, offences, …),
//! and the rows that pass every check are handed to the caller in chunks as they are read
//! (the import writes them inside one transaction). What is kept is compact: a 64-bit key
//! and a line number per id that later rows may refer to, and the problems found.
//! [`read_dir`] gathers everything into memory, for small extracts and tests.

use crate::cell::unguard;
use crate::manifest::{FORMAT_VERSION, MANIFEST_FILE, Manifest};
use crate::problem::Problem;
use crate::progress::Progress;
use crate::spec::{self, Kind, TableSpec};
use crate::tables::{self, CellError, Fields};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher, Hasher};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use vigil_domain::RecordSet;
use vigil_domain::time::{Date, parse_date};

use vigil_domain::RecordKind as IdTable;

const ID_TABLES: usize = 9;

/// How many rows are handed on at a time.
pub const CHUNK_ROWS: usize = 64 * 1024;

/// The 64-bit key an id is kept as. Two different ids sharing a key (about one chance in
/// ten million for a national extract's tens of millions of ids) would make the second
/// look like a duplicate: it is reported, never silently merged.
fn key(id: &str) -> u64 {
    BuildHasherDefault::<DefaultHasher>::default().hash_one(id)
}

/// The keys are hashes already; hashing them again would only cost time.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type Keys = HashSet<u64, BuildHasherDefault<KeyHasher>>;
type KeyLines = HashMap<u64, u32, BuildHasherDefault<KeyHasher>>;

/// Ids already in the store, so an import into a non-empty store can refer to them and
/// cannot repeat them (kept as keys).
#[derive(Debug, Default)]
pub struct KnownIds {
    sets: [Keys; ID_TABLES],
    /// The clock's day when the extract is read: no event may be dated after it (beyond
    /// the domain's tolerance). `None` checks nothing (reading an old extract in a test).
    pub today: Option<Date>,
}

impl std::fmt::Debug for KeyHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyHasher")
    }
}

impl KnownIds {
    pub fn insert(&mut self, table: IdTable, id: String) {
        self.sets[table as usize].insert(key(&id));
    }

    pub fn contains(&self, table: IdTable, id: &str) -> bool {
        self.sets[table as usize].contains(&key(id))
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
    seen: [KeyLines; ID_TABLES],
}

type CellProblem = (usize, String, String);

impl Registry<'_> {
    fn exists(&self, t: IdTable, id: &str) -> bool {
        let k = key(id);
        self.seen[t as usize].contains_key(&k) || self.known.sets[t as usize].contains(&k)
    }

    fn unique(&self, t: IdTable, id: &str, col: usize, out: &mut Vec<CellProblem>) {
        let k = key(id);
        if let Some(first) = self.seen[t as usize].get(&k) {
            let what = if t == IdTable::Staffing {
                format!(
                    "duplicate staffing row (same date, team, LPA and rank); first on line {first}"
                )
            } else {
                format!("duplicate {} id; first used on line {first}", t.noun())
            };
            out.push((col, id.to_owned(), what));
        } else if self.known.sets[t as usize].contains(&k) {
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
        self.seen[t as usize].insert(key(id), u32::try_from(line).unwrap_or(u32::MAX));
    }

    /// Forgets a table's ids once no later table can refer to them.
    fn forget(&mut self, t: IdTable) {
        self.seen[t as usize] = KeyLines::default();
    }
}

/// What reading an extract gave, beside the records themselves.
#[derive(Debug, Default)]
pub struct Streamed {
    /// Rows that cannot be imported, with every reason; empty when the extract is clean.
    pub rejects: Vec<Problem>,
    pub manifest: Option<Manifest>,
    /// The extract date: from the manifest, else the latest date in the records.
    pub as_of: Option<Date>,
    /// Things worth telling the user that do not stop the import.
    pub notes: Vec<String>,
    /// Rows accepted, per table in the extract's order.
    pub counts: [usize; ID_TABLES],
}

/// What reading an extract into memory gave.
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

fn has_utf16_mark(head: &[u8]) -> bool {
    head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF])
}

/// A text problem in a record's bytes: binary data or bytes that are not UTF-8.
fn text_problem(bytes: &[u8], file: &str, line: u64) -> Option<Problem> {
    if bytes.contains(&0) {
        return Some(Problem {
            line: Some(line),
            ..Problem::file(
                file,
                "contains binary data (a NUL byte), so it is not a CSV text file",
            )
        });
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        let at = e.valid_up_to();
        return Some(Problem {
            line: Some(line),
            value: Some(format!("byte 0x{:02X}", bytes[at])),
            ..Problem::file(
                file,
                "is not UTF-8 text (perhaps Windows-1252 or Latin-1); save it as UTF-8",
            )
        });
    }
    None
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

/// Reads one table file a row at a time, parsing each row; hands rows on in chunks of
/// [`CHUNK_ROWS`] with their line numbers, and the rows that did not parse as problems
/// (`on_rows` returns `false` to stop). `Err` is a problem with the file as a whole.
fn stream_table<R>(
    dir: &Path,
    spec: &'static TableSpec,
    progress: &dyn Progress,
    parse: fn(&mut Fields) -> Option<R>,
    today: Option<Date>,
    notes: &mut Vec<String>,
    on_rows: &mut dyn FnMut(Vec<(u64, R)>, Vec<Problem>) -> bool,
) -> Result<(), Vec<Problem>> {
    let file = spec.csv_file();
    let path = dir.join(&file);
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
        return Ok(());
    }
    let cannot = |e: std::io::Error| vec![Problem::file(&file, format!("cannot be read: {e}"))];
    let size = std::fs::metadata(&path).map_err(cannot)?.len();
    let mut input = BufReader::with_capacity(1 << 20, std::fs::File::open(&path).map_err(cannot)?);
    let head = input.fill_buf().map_err(cannot)?;
    if has_utf16_mark(head) {
        return Err(vec![Problem::file(
            &file,
            "is UTF-16 text; save it as UTF-8 (in a spreadsheet: CSV UTF-8)",
        )]);
    }
    // Binary content is named as such before its bytes are read as text (the first block
    // here; any later NUL byte when its row is read).
    if let Some(pos) = head.iter().position(|b| *b == 0) {
        let line = head[..pos].iter().filter(|b| **b == b'\n').count() as u64 + 1;
        return Err(vec![Problem {
            line: Some(line),
            ..Problem::file(
                &file,
                "contains binary data (a NUL byte), so it is not a CSV text file",
            )
        }]);
    }
    let bom = if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    if (size as usize) <= head.len() && head[bom..].iter().all(u8::is_ascii_whitespace) {
        return Err(vec![Problem::file(
            &file,
            "is empty; a table file needs at least its header row",
        )]);
    }
    input.consume(bom);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(input);
    let header = reader
        .byte_headers()
        .map_err(|e| {
            vec![Problem::file(
                &file,
                format!("the header row cannot be read: {e}"),
            )]
        })?
        .clone();
    if let Some(p) = text_problem(header.as_slice(), &file, 1) {
        return Err(vec![p]);
    }
    let positions = map_header(spec, &header, &file, notes)?;
    let width = header.len();
    // Line numbers are counted here, from the bytes, not taken from the CSV reader, whose
    // count runs one short for every record of a file with Windows line endings (CRLF).
    let mut lines = LineCounter::new(&path, bom as u64).map_err(cannot)?;
    let mut record = csv::ByteRecord::new();
    let mut last_reported = 0u64;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
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
        let line = lines.line_at(pos.byte()).map_err(cannot)?;
        if pos.byte() - last_reported > 1 << 20 {
            progress.advance(pos.byte() - last_reported);
            last_reported = pos.byte();
        }
        if let Some(p) = text_problem(record.as_slice(), &file, line) {
            return Err(vec![p]);
        }
        if record.len() != width {
            problems.push(Problem {
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
                // The record was checked as UTF-8 above, and a field boundary never splits
                // a character because the delimiters are ASCII.
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
        if let Some(today) = today
            && fields.errors.is_empty()
        {
            future_dates(&mut fields, today);
        }
        if fields.errors.is_empty()
            && let Some(r) = parsed
        {
            rows.push((line, r));
        }
        problems.extend(fields.errors.into_iter().map(|e| Problem {
            file: file.clone(),
            line: Some(line),
            column: Some(e.column.to_owned()),
            value: Some(e.value),
            reason: e.reason,
        }));
        if rows.len() >= CHUNK_ROWS
            && !on_rows(std::mem::take(&mut rows), std::mem::take(&mut problems))
        {
            return Ok(());
        }
    }
    progress.advance(size.saturating_sub(last_reported));
    on_rows(rows, problems);
    Ok(())
}

/// Refuses a row's dates after the clock's day (the domain's rule, with its tolerance),
/// except where a date may lie ahead (an order's expiry).
fn future_dates(f: &mut Fields, today: Date) {
    for (c, raw) in f.spec.columns.iter().zip(f.values) {
        let day = match c.kind {
            Kind::Date if !raw.is_empty() => parse_date(raw).ok(),
            Kind::DateTime if !raw.is_empty() => vigil_domain::time::parse_datetime(raw)
                .ok()
                .map(|t| t.date()),
            _ => None,
        };
        if let Some(d) = day
            && !vigil_domain::dates::may_be_future(c.name)
            && let Err(e) = vigil_domain::dates::not_in_future(c.name, d, today)
        {
            f.errors.push(CellError {
                column: c.name,
                value: (*raw).to_owned(),
                reason: e.reason,
            });
        }
    }
}

/// The 1-based line of a byte offset in a file, counted in one forward pass over the file
/// (offsets are asked in increasing order). A record's offset may point at the line break
/// before it (after a CRLF's `\r`): the line is that of the first byte that is not a break.
struct LineCounter {
    input: BufReader<std::fs::File>,
    /// Bytes consumed (from the file's start, BOM included).
    at: u64,
    /// Line breaks seen so far.
    breaks: u64,
    /// Offsets given are past this many leading bytes (a byte-order mark).
    skip: u64,
}

impl LineCounter {
    fn new(path: &Path, skip: u64) -> std::io::Result<Self> {
        Ok(LineCounter {
            input: BufReader::with_capacity(1 << 16, std::fs::File::open(path)?),
            at: 0,
            breaks: 0,
            skip,
        })
    }

    fn line_at(&mut self, offset: u64) -> std::io::Result<u64> {
        let target = offset + self.skip;
        loop {
            let buf = self.input.fill_buf()?;
            if buf.is_empty() {
                break;
            }
            // Up to the target, then on over any line breaks there.
            let mut used = 0;
            let mut done = false;
            for b in buf {
                if self.at + used as u64 >= target && *b != b'\n' && *b != b'\r' {
                    done = true;
                    break;
                }
                if *b == b'\n' {
                    self.breaks += 1;
                }
                used += 1;
            }
            self.input.consume(used);
            self.at += used as u64;
            if done {
                break;
            }
        }
        Ok(self.breaks + 1)
    }
}

/// Checks a chunk of parsed rows against the ids accepted so far (this extract's and the
/// store's), keeping the rows that pass; the chunk's problems come back in line order.
fn check_chunk<R>(
    spec: &'static TableSpec,
    rows: Vec<(u64, R)>,
    mut problems: Vec<Problem>,
    mut check: impl FnMut(&R, u64, &mut Vec<CellProblem>),
) -> (Vec<R>, Vec<Problem>) {
    let file = spec.csv_file();
    let mut kept = Vec::with_capacity(rows.len());
    let mut cell_problems = Vec::new();
    for (line, r) in rows {
        cell_problems.clear();
        check(&r, line, &mut cell_problems);
        if cell_problems.is_empty() {
            kept.push(r);
        } else {
            problems.extend(cell_problems.drain(..).map(|(col, value, reason)| Problem {
                file: file.clone(),
                line: Some(line),
                column: Some(spec.columns[col].name.to_owned()),
                value: Some(crate::problem::kept_value(&value)),
                reason,
            }));
        }
    }
    // Problems are listed in file order, whichever phase found them.
    problems.sort_by_key(|p| p.line);
    (kept, problems)
}

/// Checks each file the manifest lists against its checksum, before anything is parsed,
/// reading each a block at a time.
fn verify_checksums(dir: &Path, manifest: &Manifest) -> Vec<Problem> {
    use sha2::{Digest, Sha256};
    let mut problems = Vec::new();
    for (name, entry) in &manifest.files {
        if !name.ends_with(".csv") {
            continue;
        }
        let Ok(mut f) = std::fs::File::open(dir.join(name)) else {
            problems.push(Problem::file(
                name,
                "is listed in manifest.json but is not in the folder",
            ));
            continue;
        };
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        let read = loop {
            match f.read(&mut buf) {
                Ok(0) => break Ok(()),
                Ok(n) => hasher.update(&buf[..n]),
                Err(e) => break Err(e),
            }
        };
        if let Err(e) = read {
            problems.push(Problem::file(name, format!("cannot be read: {e}")));
            continue;
        }
        let sum: String = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
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
    problems
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

/// Reads and checks a whole extract folder in bounded memory, handing the rows that pass
/// every check to `sink` in chunks (each a record set of one table), referenced tables
/// first. Once any row has been rejected, rows are handed on only if `partial` (an import
/// that takes the good rows); either way every row is still checked, so every problem is
/// listed. `sink` returns `false` to stop reading (the store failed).
///
/// `Err` carries problems that make the extract unreadable (a missing or damaged file, a
/// bad header, a file that is not UTF-8 text). Otherwise `rejects` describes every row that
/// could not be read: the caller decides whether a partial import is acceptable.
pub fn stream_dir(
    dir: &Path,
    known: &KnownIds,
    progress: &dyn Progress,
    partial: bool,
    sink: &mut dyn FnMut(RecordSet) -> bool,
) -> Result<Streamed, Vec<Problem>> {
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
    let mut out = Streamed {
        manifest,
        ..Streamed::default()
    };
    let mut fatal = Vec::new();
    let mut reg = Registry {
        known,
        seen: Default::default(),
    };
    // Rows read (accepted or rejected) per table, for the manifest's counts.
    let mut read_rows = [0u64; ID_TABLES];
    let mut latest: Option<Date> = None;
    let mut stopped = false;
    use IdTable::*;

    let total_bytes: u64 = spec::TABLES
        .iter()
        .filter_map(|t| std::fs::metadata(dir.join(t.csv_file())).ok())
        .map(|m| m.len())
        .sum();
    progress.begin("reading and checking", total_bytes);

    // Each table in dependency order: read, parse and check a chunk at a time against the
    // rows accepted so far and the store's ids, and hand on what passes.
    macro_rules! table {
        ($field:ident, $index:expr, $spec:expr, $parse:expr, |$r:ident, $out:ident| $body:block, $id:expr, $key:expr, $dates:expr) => {
            if !stopped {
                let result = stream_table(dir, &$spec, progress, $parse, known.today, &mut out.notes, &mut |rows, problems| {
                    let (kept, problems) = check_chunk(&$spec, rows, problems, |$r, line, $out| {
                        $body
                        if $out.is_empty() {
                            let key: String = $key;
                            reg.add($id, &key, line);
                        }
                    });
                    let mut lines: Vec<u64> = problems.iter().filter_map(|p| p.line).collect();
                    lines.dedup();
                    read_rows[$index] += kept.len() as u64 + lines.len() as u64;
                    out.counts[$index] += kept.len();
                    let dates: fn(&_) -> Option<Date> = $dates;
                    for r in &kept {
                        if let Some(d) = dates(r) {
                            latest = latest.max(Some(d));
                        }
                    }
                    out.rejects.extend(problems);
                    if kept.is_empty() || stopped || !(partial || (out.rejects.is_empty() && fatal.is_empty())) {
                        return !stopped;
                    }
                    let chunk = RecordSet {
                        $field: kept,
                        ..RecordSet::default()
                    };
                    if !sink(chunk) {
                        stopped = true;
                    }
                    !stopped
                });
                if let Err(p) = result {
                    fatal.extend(p);
                }
            }
        };
    }
    table!(
        persons,
        0,
        spec::PERSONS,
        tables::read_person,
        |p, out| {
            reg.unique(Person, p.id.as_str(), 0, out);
        },
        Person,
        p.id.as_str().to_owned(),
        |_| None
    );
    table!(
        incidents,
        1,
        spec::INCIDENTS,
        tables::read_incident,
        |i, out| {
            reg.unique(Incident, i.id.as_str(), 0, out);
            reg.refers(Person, Some(i.victim_id.as_str()), 6, out);
            reg.refers(Person, i.suspect_id.as_ref().map(|s| s.as_str()), 7, out);
        },
        Incident,
        i.id.as_str().to_owned(),
        |i: &vigil_domain::Incident| Some(i.reported_at.date())
    );
    table!(
        offences,
        2,
        spec::OFFENCES,
        tables::read_offence,
        |o, out| {
            reg.unique(Offence, o.id.as_str(), 0, out);
            reg.refers(Incident, Some(o.incident_id.as_str()), 1, out);
            reg.refers(Person, Some(o.victim_id.as_str()), 6, out);
            reg.refers(Person, o.suspect_id.as_ref().map(|s| s.as_str()), 7, out);
        },
        Offence,
        o.id.as_str().to_owned(),
        |o: &vigil_domain::Offence| Some(
            o.outcome
                .map_or(o.recorded_date, |x| x.date.max(o.recorded_date))
        )
    );
    table!(
        arrests,
        3,
        spec::ARRESTS,
        tables::read_arrest,
        |a, out| {
            reg.unique(Arrest, a.id.as_str(), 0, out);
            reg.refers(Person, Some(a.person_id.as_str()), 1, out);
            reg.refers(Incident, a.incident_id.as_ref().map(|s| s.as_str()), 2, out);
            reg.refers(Offence, a.offence_id.as_ref().map(|s| s.as_str()), 3, out);
        },
        Arrest,
        a.id.as_str().to_owned(),
        |_| None
    );
    // Nothing later refers to an arrest or an offence.
    reg.forget(Arrest);
    reg.forget(Offence);
    table!(
        risk_assessments,
        4,
        spec::RISK_ASSESSMENTS,
        tables::read_assessment,
        |r, out| {
            reg.unique(Assessment, r.id.as_str(), 0, out);
            reg.refers(Incident, Some(r.incident_id.as_str()), 1, out);
        },
        Assessment,
        r.id.as_str().to_owned(),
        |_| None
    );
    reg.forget(Assessment);
    table!(
        referrals,
        5,
        spec::REFERRALS,
        tables::read_referral,
        |r, out| {
            reg.unique(Referral, r.id.as_str(), 0, out);
            reg.refers(Person, Some(r.person_id.as_str()), 2, out);
            reg.refers(Incident, r.incident_id.as_ref().map(|s| s.as_str()), 3, out);
        },
        Referral,
        r.id.as_str().to_owned(),
        |_| None
    );
    reg.forget(Referral);
    table!(
        disclosures,
        6,
        spec::DISCLOSURES,
        tables::read_disclosure,
        |d, out| {
            reg.unique(Disclosure, d.id.as_str(), 0, out);
            reg.refers(Person, Some(d.subject_id.as_str()), 2, out);
            reg.refers(Person, Some(d.at_risk_id.as_str()), 3, out);
        },
        Disclosure,
        d.id.as_str().to_owned(),
        |_| None
    );
    reg.forget(Disclosure);
    table!(
        protection_orders,
        7,
        spec::PROTECTION_ORDERS,
        tables::read_order,
        |o, out| {
            reg.unique(Order, o.id.as_str(), 0, out);
            reg.refers(Person, Some(o.subject_id.as_str()), 2, out);
            reg.refers(Person, Some(o.protected_id.as_str()), 3, out);
            reg.refers(Incident, o.incident_id.as_ref().map(|s| s.as_str()), 4, out);
        },
        Order,
        o.id.as_str().to_owned(),
        |_| None
    );
    reg.forget(Order);
    table!(
        staffing,
        8,
        spec::STAFFING,
        tables::read_staffing,
        |s, out| {
            reg.unique(Staffing, &staffing_key(s), 0, out);
        },
        Staffing,
        staffing_key(s),
        |_| None
    );
    progress.end();

    if !fatal.is_empty() {
        return Err(fatal);
    }
    if stopped {
        return Ok(out);
    }
    if let Some(m) = &out.manifest {
        for (idx, spec) in spec::TABLES.iter().enumerate() {
            if let Some(entry) = m.files.get(&spec.csv_file())
                && read_rows[idx] != entry.rows
            {
                fatal.push(Problem::file(
                    spec.csv_file(),
                    format!(
                        "holds {} rows but manifest.json says {}",
                        read_rows[idx], entry.rows
                    ),
                ));
            }
        }
        if !fatal.is_empty() {
            return Err(fatal);
        }
    }
    out.as_of = match &out.manifest {
        Some(m) => Some(parse_date(&m.as_of).map_err(|e| {
            vec![Problem {
                column: Some("as_of".into()),
                value: Some(m.as_of.clone()),
                ..Problem::file(MANIFEST_FILE, e.reason)
            }]
        })?),
        None => {
            out.notes.push(
                "no manifest.json: the extract date is taken as the latest date in the records"
                    .into(),
            );
            latest
        }
    };
    Ok(out)
}

/// Reads and checks a whole extract folder into memory (see [`stream_dir`]): every row
/// that could be read is in `records`, and every row that could not is in `rejects`.
pub fn read_dir(
    dir: &Path,
    known: &KnownIds,
    progress: &dyn Progress,
) -> Result<Loaded, Vec<Problem>> {
    let mut records = RecordSet::default();
    let streamed = stream_dir(dir, known, progress, true, &mut |chunk| {
        records.append(chunk);
        true
    })?;
    Ok(Loaded {
        records,
        rejects: streamed.rejects,
        manifest: streamed.manifest,
        as_of: streamed.as_of,
        notes: streamed.notes,
    })
}
