//! One module per subcommand.

pub mod cohort;
pub mod copy;
pub mod demo;
pub mod export;
pub mod import;
pub mod marac;
pub mod migrate;
pub mod pack;
pub mod report;
pub mod screen;
pub mod serve;
pub mod synth;
pub mod user;

/// An audit entry for an act done from the command line, by the operating-system user.
pub fn cli_audit(
    action: &str,
    subject_kind: &str,
    subject_id: &str,
    reason: Option<String>,
) -> vigil_store::AuditEntry {
    vigil_store::AuditEntry {
        at: vigil_auth::now_utc(),
        actor: format!(
            "cli:{}",
            std::env::var("USER").unwrap_or_else(|_| "unknown".into())
        ),
        action: action.into(),
        subject_kind: subject_kind.into(),
        subject_id: subject_id.into(),
        reason,
    }
}

/// The extract formats a command can write.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum FormatArg {
    Csv,
    Parquet,
}

impl From<FormatArg> for vigil_extract::Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Csv => vigil_extract::Format::Csv,
            FormatArg::Parquet => vigil_extract::Format::Parquet,
        }
    }
}
