//! `vigil`: the command-line entry point. Parses arguments, opens the store, and hands each
//! subcommand to its module under `commands/`. Exit codes: 0 done, 1 a runtime failure
//! (database, disk), 2 bad usage or bad input.

mod commands;
mod progress;
mod summary;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "vigil",
    version,
    about = "Domestic abuse response, investigation, safeguarding and board analysis for a police force",
    long_about = "Vigil keeps a police force's domestic abuse records — incidents, crimes, risk \
assessments, referrals, disclosures, protective orders and staffing — in one store, and \
produces the measures and the board report from them.\n\nStart with `vigil import DIR` to load \
an extract (docs/extract-format.md describes the format), and `vigil export DIR` to write one."
)]
struct Cli {
    /// The database: a SQLite file path (created if missing) or sqlite: URL, or a
    /// PostgreSQL URL (postgres://user:password@host:5432/dbname; the database must exist).
    #[arg(
        long,
        global = true,
        env = "VIGIL_DATABASE_URL",
        default_value = "vigil.db",
        value_name = "PATH|URL"
    )]
    db: String,

    /// The key that seals the audit trail (HMAC-SHA256): a file of at least 32 random bytes,
    /// kept away from the database and its backups. Set it for every command a force runs.
    #[arg(long, global = true, env = "VIGIL_AUDIT_KEY_FILE", value_name = "FILE")]
    audit_key_file: Option<std::path::PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the database, or bring its schema up to this version of Vigil.
    Migrate,
    /// Load an extract folder (docs/extract-format.md) into the store, all or nothing.
    #[command(
        long_about = "Load an extract folder (docs/extract-format.md: persons.csv, incidents.csv, … and \
manifest.json) into the store.\n\nEvery row is checked before anything is written. If any row \
is bad, every problem is listed (file, line, column, value, reason; the first 100, then a \
count) and the store is left unchanged, unless --allow-partial is given: then the good rows \
are imported and the bad ones are written to a rejects file with their reasons."
    )]
    Import(commands::import::Args),
    /// Write every record in the store to an extract folder, as CSV or Parquet.
    Export(commands::export::Args),
    /// Generate a synthetic force's extract from a seed (no real person's data).
    Synth(commands::synth::Args),
    /// Compute the performance pack (every measure of docs/measures.md) from the store.
    Pack(commands::pack::Args),
    /// Start Vigil on a store seeded with the synthetic Essex scenario (created on the first
    /// run, reused after), with one demo sign-in per role.
    Demo(commands::demo::Args),
    /// Write the board report (the deep-dive) as HTML, and PDF with headless Chromium.
    Report(commands::report::Args),
    /// MARAC: the SafeLives return.
    #[command(subcommand)]
    Marac(commands::marac::MaracCommand),
    /// The perpetrator cohort, the acute victim cohort and the serial perpetrators, as of a day.
    #[command(subcommand)]
    Cohort(commands::cohort::CohortCommand),
    /// Screens over the whole history: Clare's Law right to know.
    #[command(subcommand)]
    Screen(commands::screen::ScreenCommand),
    /// Manage the people who sign in to Vigil.
    #[command(subcommand)]
    User(commands::user::UserCommand),
    /// Search the audit trail, or verify its hash chain.
    Audit(commands::user::AuditArgs),
    /// Serve the web application.
    Serve(commands::serve::ServeArgs),
    /// Copy a whole store (records, users, the audit trail with its chain) into an empty
    /// store of either backend: from a trial on SQLite to the force's PostgreSQL server.
    Copy(commands::copy::CopyArgs),
    /// Write a consistent copy of a SQLite store to a new file while Vigil runs (for
    /// PostgreSQL, use pg_dump).
    Backup(commands::copy::BackupArgs),
    /// Restore a backup file into an empty store (--db) of either backend.
    Restore(commands::copy::RestoreArgs),
}

/// How a command failed, which decides the exit code.
pub enum Failure {
    /// The input or the usage was wrong: the user can fix it (exit 2).
    BadInput(String),
    /// Something failed that is not the user's input (exit 1).
    Runtime(String),
}

impl From<vigil_store::StoreError> for Failure {
    fn from(e: vigil_store::StoreError) -> Self {
        Failure::Runtime(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli
        .audit_key_file
        .as_deref()
        .map(vigil_store::audit_chain::AuditKey::from_file)
        .transpose()
    {
        Ok(key) => vigil_store::audit_chain::set_key(key),
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Migrate => commands::migrate::run(&cli.db).await,
            Command::Import(args) => commands::import::run(&cli.db, args).await,
            Command::Export(args) => commands::export::run(&cli.db, args).await,
            Command::Synth(args) => commands::synth::run(args).await,
            Command::Pack(args) => commands::pack::run(&cli.db, args).await,
            Command::Demo(args) => commands::demo::run(&cli.db, args).await,
            Command::Report(args) => commands::report::run(&cli.db, args).await,
            Command::User(command) => commands::user::run(&cli.db, command).await,
            Command::Marac(command) => commands::marac::run(&cli.db, command).await,
            Command::Cohort(command) => commands::cohort::run(&cli.db, command).await,
            Command::Screen(command) => commands::screen::run(&cli.db, command).await,
            Command::Audit(args) => commands::user::audit(&cli.db, args).await,
            Command::Serve(args) => commands::serve::run(&cli.db, args).await,
            Command::Copy(args) => commands::copy::copy(args).await,
            Command::Backup(args) => commands::copy::backup(&cli.db, args).await,
            Command::Restore(args) => commands::copy::restore(&cli.db, args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::BadInput(msg)) => {
            eprint!("{msg}");
            if !msg.ends_with('\n') {
                eprintln!();
            }
            ExitCode::from(2)
        }
        Err(Failure::Runtime(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(1)
        }
    }
}

/// The store's analytics snapshot (from the columnar cache when current), or a clear error
/// when the store is empty.
pub async fn snapshot(
    store: &dyn vigil_store::Store,
    db: &str,
) -> Result<
    (
        vigil_analytics::Snapshot,
        vigil_store::ExtractInfo,
        vigil_store::snapshot_cache::Source,
    ),
    Failure,
> {
    vigil_store::snapshot_cache::load(store).await?.ok_or_else(|| {
        Failure::BadInput(format!(
            "the store {} holds no records yet; load some with `vigil import DIR` (or run `vigil demo`)",
            shown(db)
        ))
    })
}

/// A database location fit to print: a URL's password hidden.
pub fn shown(db: &str) -> String {
    vigil_store_open::redact(db)
}

/// Opens the store named by `--db` and brings its schema up to date.
pub async fn open_store(db: &str) -> Result<vigil_store::DynStore, Failure> {
    open_store_with(db, &vigil_store::StoreOptions::default()).await
}

/// As [`open_store`], with the pool's size and time limits given.
pub async fn open_store_with(
    db: &str,
    options: &vigil_store::StoreOptions,
) -> Result<vigil_store::DynStore, Failure> {
    vigil_store_open::check_location(db).map_err(|e| Failure::BadInput(e.to_string()))?;
    if vigil_store_open::backend_of(db) == vigil_store_open::Backend::Sqlite
        && let Some(parent) = PathBuf::from(db.trim_start_matches("sqlite:")).parent()
        && !parent.as_os_str().is_empty()
        && !parent.exists()
    {
        return Err(Failure::BadInput(format!(
            "--db {db}: the folder {} does not exist",
            parent.display()
        )));
    }
    Ok(vigil_store_open::open_and_migrate(db, options).await?)
}
