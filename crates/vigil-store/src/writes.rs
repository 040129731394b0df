//! What every backend decides the same way before it writes: the ids of records made in
//! Vigil, and whether an outcome may replace what an offence holds.

use crate::{StoreError, StoreResult, Versioned};
use vigil_domain::outcome::{OutcomeContext, Provenance, Severity, validate_outcome};
use vigil_domain::{Offence, OffenceId, Outcome, RecordKind};

/// The prefix of ids made in Vigil: "V" (so they never look like a source system's
/// reference) and a letter for the kind.
pub fn id_prefix(kind: RecordKind) -> StoreResult<&'static str> {
    Ok(match kind {
        RecordKind::Person => "VP",
        RecordKind::Incident => "VI",
        RecordKind::Offence => "VO",
        RecordKind::Arrest => "VA",
        RecordKind::Assessment => "VR",
        RecordKind::Referral => "VF",
        RecordKind::Disclosure => "VD",
        RecordKind::Order => "VN",
        RecordKind::Staffing => {
            return Err(StoreError::Backend(
                "staffing rows are keyed by date, team, area and rank, not by an id".into(),
            ));
        }
    })
}

/// The `n` ids ending at counter value `last` ("VI0000041", "VI0000042").
pub fn ids_ending_at(prefix: &str, last: i64, n: usize) -> Vec<String> {
    let first = last - n as i64 + 1;
    (first..=last).map(|i| format!("{prefix}{i:07}")).collect()
}

/// Whether `outcome` may be recorded on the offence as it stands: the edit must name the
/// version it read (else someone changed it first), and the outcome rules must hold (their
/// warnings are the caller's to show beforehand).
pub fn check_outcome(
    id: &OffenceId,
    current: &Versioned<Offence>,
    outcome: Outcome,
    victim_withdrawal_recorded: bool,
    expected_version: i64,
) -> StoreResult<()> {
    if current.version != expected_version {
        return Err(StoreError::Conflict {
            what: "offence",
            id: id.to_string(),
            expected: expected_version,
            found: current.version,
        });
    }
    let errors: Vec<_> = validate_outcome(&OutcomeContext {
        code: outcome.code,
        outcome_date: outcome.date,
        recorded_date: current.record.recorded_date,
        domestic_abuse: true,
        victim_withdrawal_recorded,
        provenance: Provenance::RecordedInVigil,
    })
    .into_iter()
    .filter(|i| i.severity == Severity::Error)
    .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Rejected(errors))
    }
}
