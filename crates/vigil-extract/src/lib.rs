//! The Vigil extract format (DATA.md, version 1): one folder, one CSV (or Parquet) file per
//! table, and a manifest.
//!
//! Reading validates every row (types, vocabularies, dates, duplicates, dangling ids) and
//! reports every problem with its file, line, column, value and reason; it never writes.
//! Writing is deterministic, so an export imported and exported again is byte-identical.
//! This crate knows files, not databases: the store is the caller's business.

mod cell;
mod manifest;
mod problem;
mod progress;
mod read;
pub mod reference;
pub mod spec;
mod tables;
mod write;

pub use manifest::{FORMAT_VERSION, FileEntry, MANIFEST_FILE, Manifest, sha256_hex};
pub use problem::{MAX_LISTED, MAX_VALUE_CHARS, Problem, listing};
pub use progress::{Progress, Silent};
pub use read::{CHUNK_ROWS, KnownIds, Loaded, Streamed, read_dir, staffing_key, stream_dir};
pub use write::{ExtractWriter, Format, WriteOptions, write_dir, write_rejects};
