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
/// cells in memory at once.
const CHUNK_ROWS: usize = 128 * 1024;

fn chunks<'a, R>(
    rows: &'a [R],
    cells: impl Fn(&'a R) -> Vec<Cell<'a>> + Copy,
) -> impl Iterator<Item = Vec<Vec<Cell<'a>>>> {
    rows.chunks(CHUNK_ROWS)
        .map(move |chunk| chunk.iter().map(cells).collect())
}

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

struct Written {
    file: String,
    partial: PathBuf,
    entry: FileEntry,
}

fn io_problem(file: &str, e: impl std::fmt::Display) -> Problem {
    Problem::file(file, format!("cannot be written: {e}"))
}

fn write_csv_table<'a, R>(
    dir: &Path,
    spec: &TableSpec,
    rows: &'a [R],
    cells: impl Fn(&'a R) -> Vec<Cell<'a>> + Copy,
    progress: &dyn Progress,
) -> Result<Written, Problem> {
    let file = spec.csv_file();
    let partial = dir.join(format!(".{file}.partial"));
    let mut out = std::io::BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(&partial).map_err(|e| io_problem(&file, e))?,
    );
    let mut hasher = sha2::Sha256::default();
    use sha2::Digest;
    let mut buf = String::with_capacity(1 << 16);
    let header: Vec<&str> = spec.columns.iter().map(|c| c.name).collect();
    buf.push_str(&header.join(","));
    buf.push('\n');
    let mut field = String::new();
    progress.begin(&format!("writing {file}"), rows.len() as u64);
    for chunk in chunks(rows, cells) {
        for row in &chunk {
            for (i, cell) in row.iter().enumerate() {
                if i > 0 {
                    buf.push(',');
                }
                field.clear();
                cell.push_csv(&mut field);
                csv_quote_into(&field, &mut buf);
            }
            buf.push('\n');
            if buf.len() > 1 << 16 {
                hasher.update(buf.as_bytes());
                out.write_all(buf.as_bytes())
                    .map_err(|e| io_problem(&file, e))?;
                buf.clear();
            }
        }
        progress.advance(chunk.len() as u64);
    }
    hasher.update(buf.as_bytes());
    out.write_all(buf.as_bytes())
        .map_err(|e| io_problem(&file, e))?;
    out.flush().map_err(|e| io_problem(&file, e))?;
    progress.end();
    let digest = hasher.finalize();
    Ok(Written {
        file,
        partial,
        entry: FileEntry {
            rows: rows.len() as u64,
            sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
        },
    })
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

fn write_parquet_table<'a, R>(
    dir: &Path,
    spec: &TableSpec,
    rows: &'a [R],
    cells: impl Fn(&'a R) -> Vec<Cell<'a>> + Copy,
    progress: &dyn Progress,
) -> Result<Written, Problem> {
    let file = spec.parquet_file();
    let partial = dir.join(format!(".{file}.partial"));
    let err = |e: parquet::errors::ParquetError| io_problem(&file, e);
    let schema = Arc::new(parse_message_type(&parquet_schema(spec)).map_err(err)?);
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("vigil {}", env!("CARGO_PKG_VERSION")))
            .build(),
    );
    let out = std::fs::File::create(&partial).map_err(|e| io_problem(&file, e))?;
    let mut writer = SerializedFileWriter::new(out, schema, props).map_err(err)?;
    progress.begin(&format!("writing {file}"), rows.len() as u64);
    for chunk in chunks(rows, cells) {
        let mut group = writer.next_row_group().map_err(err)?;
        for (i, c) in spec.columns.iter().enumerate() {
            let mut col = group.next_column().map_err(err)?.expect("schema column");
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
            }
            .map_err(err)?;
            col.close().map_err(err)?;
        }
        group.close().map_err(err)?;
        progress.advance(chunk.len() as u64);
    }
    writer.close().map_err(err)?;
    progress.end();
    let bytes = std::fs::read(&partial).map_err(|e| io_problem(&file, e))?;
    Ok(Written {
        file,
        partial,
        entry: FileEntry {
            rows: rows.len() as u64,
            sha256: sha256_hex(&bytes),
        },
    })
}

fn write_table<'a, R>(
    dir: &Path,
    spec: &TableSpec,
    rows: &'a [R],
    cells: impl Fn(&'a R) -> Vec<Cell<'a>> + Copy,
    format: Format,
    progress: &dyn Progress,
) -> Result<Written, Problem> {
    match format {
        Format::Csv => write_csv_table(dir, spec, rows, cells, progress),
        Format::Parquet => write_parquet_table(dir, spec, rows, cells, progress),
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
    std::fs::create_dir_all(dir)
        .map_err(|e| Problem::file(dir.display().to_string(), format!("cannot be created: {e}")))?;
    let mut written: Vec<Written> = Vec::new();
    let result = (|| -> Result<(), Problem> {
        let f = opts.format;
        let identity = opts.include_identity;
        let person_cells = move |p| tables::person_cells(p, identity);
        written.push(write_table(
            dir,
            &spec::PERSONS,
            &ex.persons,
            person_cells,
            f,
            progress,
        )?);
        written.push(write_table(
            dir,
            &spec::INCIDENTS,
            &ex.incidents,
            tables::incident_cells,
            f,
            progress,
        )?);
        written.push(write_table(
            dir,
            &spec::OFFENCES,
            &ex.offences,
            tables::offence_cells,
            f,
            progress,
        )?);
        written.push(write_table(
            dir,
            &spec::ARRESTS,
            &ex.arrests,
            tables::arrest_cells,
            f,
            progress,
        )?);
        written.push(write_table(
            dir,
            &spec::RISK_ASSESSMENTS,
            &ex.risk_assessments,
            tables::assessment_cells,
            f,
            progress,
        )?);
        written.push(write_table(
            dir,
            &spec::REFERRALS,
            &ex.referrals,
            tables::referral_cells,
            f,
            progress,
        )?);
        written.push(write_table(
            dir,
            &spec::DISCLOSURES,
            &ex.disclosures,
            tables::disclosure_cells,
            f,
            progress,
        )?);
        written.push(write_table(
            dir,
            &spec::PROTECTION_ORDERS,
            &ex.protection_orders,
            tables::order_cells,
            f,
            progress,
        )?);
        written.push(write_table(
            dir,
            &spec::STAFFING,
            &ex.staffing,
            tables::staffing_cells,
            f,
            progress,
        )?);
        Ok(())
    })();
    if let Err(p) = result {
        for w in &written {
            let _ = std::fs::remove_file(&w.partial);
        }
        for spec in spec::TABLES {
            let _ = std::fs::remove_file(dir.join(format!(".{}.partial", spec.csv_file())));
            let _ = std::fs::remove_file(dir.join(format!(".{}.partial", spec.parquet_file())));
        }
        return Err(p);
    }
    let manifest = Manifest {
        format_version: FORMAT_VERSION,
        source: opts.source.clone(),
        as_of: opts.as_of.to_string(),
        files: written
            .iter()
            .map(|w| (w.file.clone(), w.entry.clone()))
            .collect::<BTreeMap<_, _>>(),
    };
    for w in &written {
        std::fs::rename(&w.partial, dir.join(&w.file)).map_err(|e| io_problem(&w.file, e))?;
    }
    std::fs::write(dir.join(MANIFEST_FILE), manifest.to_json())
        .map_err(|e| io_problem(MANIFEST_FILE, e))?;
    Ok(manifest)
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
