//! Writing an extract folder as CSV or Parquet, with its manifest.
//!
//! Output is deterministic (record order as given, canonical value text, a manifest with
//! sorted keys and no timestamp), so export → import → export is byte-identical. Files are
//! written under temporary names and renamed into place only when all are complete, so a
//! failed export never leaves a half-written extract that looks whole.

use crate::cell::Cell;
use crate::manifest::{FORMAT_VERSION, FileEntry, MANIFEST_FILE, Manifest, sha256_hex};
use crate::problem::Problem;
use crate::progress::Progress;
use crate::spec::{self, Kind, TableSpec};
use crate::tables;
use parquet::basic::Compression;
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use vigil_domain::RecordSet;
use vigil_domain::time::{Date, Datelike};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Parquet,
}

#[derive(Debug, Clone)]
pub struct WriteOptions {
    pub format: Format,
    /// Write names, addresses and postcodes (never a confidential address). Off by default:
    /// an analytics extract is pseudonymised.
    pub include_identity: bool,
    pub source: String,
    pub as_of: Date,
}

/// Rows converted to cells a chunk at a time, so a table of millions never has all its
/// cells in memory at once. Each chunk is one Parquet row group.
const CHUNK_ROWS: usize = 128 * 1024;

fn csv_quote_into(field: &str, out: &mut String) {
    if field.contains([',', '"', '\n', '\r']) {
        out.push('"');
        for c in field.chars() {
            if c == '"' {
                out.push('"');
            }
            out.push(c);
        }
        out.push('"');
    } else {
        out.push_str(field);
    }
}

fn io_problem(file: &str, e: impl std::fmt::Display) -> Problem {
    Problem::file(file, format!("cannot be written: {e}"))
}

fn parquet_schema(spec: &TableSpec) -> String {
    let mut s = format!("message {} {{\n", spec.name);
    for c in spec.columns {
        let ty = match c.kind {
            Kind::Text | Kind::Word => "BYTE_ARRAY",
            Kind::Date => "INT32",
            Kind::DateTime | Kind::Int => "INT64",
            Kind::Bool => "BOOLEAN",
            Kind::Decimal => "DOUBLE",
        };
        let logical = match c.kind {
            Kind::Text | Kind::Word => " (STRING)",
            Kind::Date => " (DATE)",
            Kind::DateTime => " (TIMESTAMP(MICROS,false))",
            _ => "",
        };
        s.push_str(&format!("  OPTIONAL {ty} {}{logical};\n", c.name));
    }
    s.push('}');
    s
}

fn days_since_epoch(d: Date) -> i32 {
    d.num_days_from_ce() - 719_163
}

enum Output {
    Csv {
        out: std::io::BufWriter<std::fs::File>,
        hasher: sha2::Sha256,
        buf: String,
    },
    Parquet(Box<SerializedFileWriter<std::fs::File>>),
}

/// One table's file, being written under a temporary name.
struct TableFile {
    spec: &'static TableSpec,
    file: String,
    partial: PathBuf,
    rows: u64,
    output: Option<Output>,
}

impl TableFile {
    fn create(dir: &Path, spec: &'static TableSpec, format: Format) -> Result<Self, Problem> {
        let file = match format {
            Format::Csv => spec.csv_file(),
            Format::Parquet => spec.parquet_file(),
        };
        let partial = dir.join(format!(".{file}.partial"));
        let handle = std::fs::File::create(&partial).map_err(|e| io_problem(&file, e))?;
        let output = match format {
            Format::Csv => {
                let mut buf = String::with_capacity(1 << 16);
                let header: Vec<&str> = spec.columns.iter().map(|c| c.name).collect();
                buf.push_str(&header.join(","));
                buf.push('\n');
                Output::Csv {
                    out: std::io::BufWriter::with_capacity(1 << 20, handle),
                    hasher: sha2::Sha256::default(),
                    buf,
                }
            }
            Format::Parquet => {
                let err = |e: parquet::errors::ParquetError| io_problem(&file, e);
                let schema = Arc::new(parse_message_type(&parquet_schema(spec)).map_err(err)?);
                let props = Arc::new(
                    WriterProperties::builder()
                        .set_compression(Compression::SNAPPY)
                        .set_created_by(format!("vigil {}", env!("CARGO_PKG_VERSION")))
                        .build(),
                );
                Output::Parquet(Box::new(
                    SerializedFileWriter::new(handle, schema, props).map_err(err)?,
                ))
            }
        };
        Ok(TableFile {
            spec,
            file,
            partial,
            rows: 0,
            output: Some(output),
        })
    }

    fn append<'a, R>(
        &mut self,
        rows: &'a [R],
        cells: impl Fn(&'a R) -> Vec<Cell<'a>>,
    ) -> Result<(), Problem> {
        let file = self.file.clone();
        for chunk in rows.chunks(CHUNK_ROWS) {
            let chunk: Vec<Vec<Cell<'a>>> = chunk.iter().map(&cells).collect();
            match self.output.as_mut().expect("open until finished") {
                Output::Csv { out, hasher, buf } => {
                    use sha2::Digest;
                    let mut field = String::new();
                    for row in &chunk {
                        for (i, cell) in row.iter().enumerate() {
                            if i > 0 {
                                buf.push(',');
                            }
                            field.clear();
                            cell.push_csv(&mut field);
                            csv_quote_into(&field, buf);
                        }
                        buf.push('\n');
                        if buf.len() > 1 << 16 {
                            hasher.update(buf.as_bytes());
                            out.write_all(buf.as_bytes())
                                .map_err(|e| io_problem(&file, e))?;
                            buf.clear();
                        }
                    }
                }
                Output::Parquet(writer) => {
                    write_row_group(writer, self.spec, &chunk).map_err(|e| io_problem(&file, e))?
                }
            }
            self.rows += chunk.len() as u64;
        }
        Ok(())
    }

    /// Completes the file (still under its temporary name) and returns its manifest entry.
    fn finish(&mut self) -> Result<FileEntry, Problem> {
        let file = self.file.clone();
        let sha256 = match self.output.take().expect("finished once") {
            Output::Csv {
                mut out,
                mut hasher,
                buf,
            } => {
                use sha2::Digest;
                hasher.update(buf.as_bytes());
                out.write_all(buf.as_bytes())
                    .map_err(|e| io_problem(&file, e))?;
                out.flush().map_err(|e| io_problem(&file, e))?;
                hasher
                    .finalize()
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect()
            }
            Output::Parquet(writer) => {
                writer.close().map_err(|e| io_problem(&file, e))?;
                sha256_hex(&std::fs::read(&self.partial).map_err(|e| io_problem(&file, e))?)
            }
        };
        Ok(FileEntry {
            rows: self.rows,
            sha256,
        })
    }
}

fn write_row_group(
    writer: &mut SerializedFileWriter<std::fs::File>,
    spec: &TableSpec,
    chunk: &[Vec<Cell<'_>>],
) -> Result<(), parquet::errors::ParquetError> {
    let mut group = writer.next_row_group()?;
    for (i, c) in spec.columns.iter().enumerate() {
        let mut col = group.next_column()?.expect("schema column");
        let defs: Vec<i16> = chunk
            .iter()
            .map(|r| i16::from(r[i] != Cell::Empty))
            .collect();
        let present = chunk.iter().map(|r| &r[i]).filter(|c| **c != Cell::Empty);
        match c.kind {
            Kind::Text | Kind::Word => {
                let v: Vec<ByteArray> = present
                    .map(|c| match c {
                        Cell::Text(s) => ByteArray::from(s.as_bytes().to_vec()),
                        Cell::Word(s) => ByteArray::from(s.as_bytes().to_vec()),
                        other => unreachable!("text column holds {other:?}"),
                    })
                    .collect();
                col.typed::<ByteArrayType>()
                    .write_batch(&v, Some(&defs), None)
            }
            Kind::Date => {
                let v: Vec<i32> = present
                    .map(|c| match c {
                        Cell::Date(d) => days_since_epoch(*d),
                        other => unreachable!("date column holds {other:?}"),
                    })
                    .collect();
                col.typed::<Int32Type>().write_batch(&v, Some(&defs), None)
            }
            Kind::DateTime | Kind::Int => {
                let v: Vec<i64> = present
                    .map(|c| match c {
                        Cell::DateTime(t) => t.and_utc().timestamp_micros(),
                        Cell::Int(n) => *n,
                        other => unreachable!("integer column holds {other:?}"),
                    })
                    .collect();
                col.typed::<Int64Type>().write_batch(&v, Some(&defs), None)
            }
            Kind::Bool => {
                let v: Vec<bool> = present.map(|c| matches!(c, Cell::Bool(true))).collect();
                col.typed::<BoolType>().write_batch(&v, Some(&defs), None)
            }
            Kind::Decimal => {
                let v: Vec<f64> = present
                    .map(|c| match c {
                        Cell::Decimal(x) => *x,
                        other => unreachable!("decimal column holds {other:?}"),
                    })
                    .collect();
                col.typed::<DoubleType>().write_batch(&v, Some(&defs), None)
            }
        }?;
        col.close()?;
    }
    group.close()?;
    Ok(())
}

/// Writes an extract in pieces: record sets are appended as they are produced (a national
/// scenario, force by force) and the files are completed, named and listed in the manifest
/// by `finish`. Dropped without `finish`, it removes its temporary files.
pub struct ExtractWriter {
    dir: PathBuf,
    include_identity: bool,
    tables: Vec<TableFile>,
    finished: bool,
}

impl ExtractWriter {
    /// Starts writing into `dir` (created if missing).
    pub fn create(dir: &Path, format: Format, include_identity: bool) -> Result<Self, Problem> {
        std::fs::create_dir_all(dir).map_err(|e| {
            Problem::file(dir.display().to_string(), format!("cannot be created: {e}"))
        })?;
        let mut w = ExtractWriter {
            dir: dir.to_owned(),
            include_identity,
            tables: Vec::new(),
            finished: false,
        };
        for spec in spec::TABLES {
            w.tables.push(TableFile::create(dir, spec, format)?);
        }
        Ok(w)
    }

    /// Appends every table of a record set.
    pub fn append(&mut self, r: &RecordSet, progress: &dyn Progress) -> Result<(), Problem> {
        progress.begin("writing the extract", r.total_rows() as u64);
        let identity = self.include_identity;
        let t = &mut self.tables;
        t[0].append(&r.persons, |p| tables::person_cells(p, identity))?;
        progress.advance(r.persons.len() as u64);
        t[1].append(&r.incidents, tables::incident_cells)?;
        progress.advance(r.incidents.len() as u64);
        t[2].append(&r.offences, tables::offence_cells)?;
        progress.advance(r.offences.len() as u64);
        t[3].append(&r.arrests, tables::arrest_cells)?;
        t[4].append(&r.risk_assessments, tables::assessment_cells)?;
        t[5].append(&r.referrals, tables::referral_cells)?;
        t[6].append(&r.disclosures, tables::disclosure_cells)?;
        t[7].append(&r.protection_orders, tables::order_cells)?;
        t[8].append(&r.staffing, tables::staffing_cells)?;
        progress.end();
        Ok(())
    }

    /// Completes every file, renames them into place and writes the manifest.
    pub fn finish(mut self, source: &str, as_of: Date) -> Result<Manifest, Problem> {
        let mut files = BTreeMap::new();
        for t in &mut self.tables {
            files.insert(t.file.clone(), t.finish()?);
        }
        for t in &self.tables {
            std::fs::rename(&t.partial, self.dir.join(&t.file))
                .map_err(|e| io_problem(&t.file, e))?;
        }
        self.finished = true;
        let manifest = Manifest {
            format_version: FORMAT_VERSION,
            source: source.to_owned(),
            as_of: as_of.to_string(),
            files,
        };
        std::fs::write(self.dir.join(MANIFEST_FILE), manifest.to_json())
            .map_err(|e| io_problem(MANIFEST_FILE, e))?;
        Ok(manifest)
    }
}

impl Drop for ExtractWriter {
    fn drop(&mut self) {
        if !self.finished {
            for t in &self.tables {
                let _ = std::fs::remove_file(&t.partial);
            }
        }
    }
}

/// Writes every table and the manifest into `dir` (created if missing). On any failure the
/// partial files are removed and the folder is left as it was.
pub fn write_dir(
    dir: &Path,
    ex: &RecordSet,
    opts: &WriteOptions,
    progress: &dyn Progress,
) -> Result<Manifest, Problem> {
    let mut w = ExtractWriter::create(dir, opts.format, opts.include_identity)?;
    w.append(ex, progress)?;
    w.finish(&opts.source, opts.as_of)
}

/// Writes the rows a partial import left out, one line per problem, as CSV.
pub fn write_rejects(path: &Path, problems: &[Problem]) -> std::io::Result<()> {
    let mut out = String::from("file,line,column,value,reason\n");
    for p in problems {
        let fields = [
            p.file.clone(),
            p.line.map(|l| l.to_string()).unwrap_or_default(),
            p.column.clone().unwrap_or_default(),
            p.value.clone().unwrap_or_default(),
            p.reason.clone(),
        ];
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let mut guarded = String::new();
            crate::cell::guard(f, &mut guarded);
            csv_quote_into(&guarded, &mut out);
        }
        out.push('\n');
    }
    std::fs::write(path, out)
}
