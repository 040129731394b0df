//! The extract format described from the code that reads and writes it: `docs/extract-format.md`
//! is this module's output (a test keeps the two the same), so the description a force is
//! given cannot drift from what Vigil does.

use crate::cell::FORMULA_STARTS;
use crate::manifest::{FORMAT_VERSION, MANIFEST_FILE};
use crate::problem::MAX_LISTED;
use crate::spec::{Kind, TABLES};
use std::fmt::Write;
use vigil_domain::risk::{AssessmentStage, InstrumentKind, RiskGrade};
use vigil_domain::*;

fn words<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| name(*v)).collect()
}

/// The words a closed-vocabulary column takes.
fn vocabulary(table: &str, column: &str) -> Vec<&'static str> {
    match (table, column) {
        (_, "sex") => words(Sex::ALL, Sex::as_str),
        (_, "ethnicity") => words(Ethnicity::ALL, Ethnicity::as_str),
        (_, "call_grade") => words(CallGrade::ALL, CallGrade::as_str),
        (_, "relationship") => words(Relationship::ALL, Relationship::as_str),
        (_, "risk_level" | "grade") => words(RiskGrade::ALL, RiskGrade::as_str),
        (_, "offence_group") => words(OffenceGroup::ALL, OffenceGroup::as_str),
        ("staffing", "team") => words(StaffTeam::ALL, StaffTeam::as_str),
        (_, "team") => words(InvestigatingTeam::ALL, InvestigatingTeam::as_str),
        (_, "outcome_code") => OutcomeCode::all().map(OutcomeCode::as_str).collect(),
        (_, "disposal") => words(ArrestDisposal::ALL, ArrestDisposal::as_str),
        (_, "stage") => words(AssessmentStage::ALL, AssessmentStage::as_str),
        (_, "instrument") => words(InstrumentKind::ALL, InstrumentKind::as_str),
        ("referrals", "kind") => words(ReferralKind::ALL, ReferralKind::as_str),
        ("protection_orders", "kind") => words(OrderKind::ALL, OrderKind::as_str),
        (_, "agency") => words(Agency::ALL, Agency::as_str),
        (_, "route") => words(DisclosureRoute::ALL, DisclosureRoute::as_str),
        (_, "decision") => words(DisclosureDecision::ALL, DisclosureDecision::as_str),
        (_, "rank") => words(Rank::ALL, Rank::as_str),
        _ => Vec::new(),
    }
}

fn kind(k: Kind) -> &'static str {
    match k {
        Kind::Text => "text",
        Kind::Word => "word",
        Kind::Date => "date `YYYY-MM-DD`",
        Kind::DateTime => "datetime `YYYY-MM-DDTHH:MM:SS`",
        Kind::Bool => "`true` or `false`",
        Kind::Int => "whole number",
        Kind::Decimal => "decimal number",
    }
}

/// The whole reference, as Markdown.
pub fn markdown() -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "# The extract format, version {FORMAT_VERSION}");
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "Generated from `crates/vigil-extract` (`cargo test -p vigil-extract` checks it; \
`UPDATE_SNAPSHOTS=1` rewrites it). What `vigil import` reads, `vigil export` writes and \
`vigil synth` produces."
    );
    let _ = writeln!(w);
    let _ = writeln!(w, "## Files");
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "An extract is a folder with one CSV file per table (`NAME.csv`; `vigil export \
--format parquet` writes `NAME.parquet` for analysis tools, which import does not read) and \
`{MANIFEST_FILE}`: the format version, the source, the extract date `as_of` \
(`YYYY-MM-DD`; nothing after the end of that day is in the records) and, for every file, \
its row count and SHA-256. Import checks each file against the manifest before reading a \
row; without a manifest the extract date is the latest date in the records, or `--as-of`."
    );
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "- Text is UTF-8 (a byte-order mark is allowed; UTF-16 and other encodings are \
refused with the line of the first bad byte). The first row names the columns; their order \
is free, a column Vigil does not know is ignored with a note, and the identity columns \
(marked below) may be left out of the header altogether."
    );
    let _ = writeln!(
        w,
        "- An empty cell is no value. Dates and datetimes are UK local time with no offset; \
booleans are `true` or `false`; words are lower case, from the lists below."
    );
    let formula: Vec<String> = FORMULA_STARTS.iter().map(|c| format!("{c:?}")).collect();
    let _ = writeln!(
        w,
        "- A text cell starting with a character a spreadsheet would run as a formula ({}) \
is written with an apostrophe before it, which import takes off again.",
        formula.join(", ")
    );
    let _ = writeln!(
        w,
        "- Tables are read in the order below, so a row may refer only to rows of earlier \
tables (or records already in the store). An id must be new; a reference must resolve."
    );
    let _ = writeln!(
        w,
        "- Import is all or nothing: every problem is listed with its file, line, column, \
value and reason (the first {MAX_LISTED}, then a count) and nothing is written, unless \
`--allow-partial` is given, which imports the good rows and writes the rest, with their \
reasons, to the rejects file. A row that refers to a rejected row is rejected too."
    );
    for t in TABLES {
        let _ = writeln!(w);
        let _ = writeln!(
            w,
            "## `{}.csv`{}",
            t.name,
            if t.required { "" } else { " (may be absent)" }
        );
        let _ = writeln!(w);
        let _ = writeln!(w, "| column | type | values |");
        let _ = writeln!(w, "| --- | --- | --- |");
        for c in t.columns {
            let values = vocabulary(t.name, c.name);
            let values = if values.is_empty() {
                String::new()
            } else {
                values
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let _ = writeln!(
                w,
                "| `{}` | {}{} | {} |",
                c.name,
                kind(c.kind),
                if c.omissible { " (identity)" } else { "" },
                values
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_reference_in_docs_is_the_one_the_code_gives() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/extract-format.md");
        let generated = super::markdown();
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(path, &generated).unwrap();
        }
        let written = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            written == generated,
            "docs/extract-format.md is out of date: run UPDATE_SNAPSHOTS=1 cargo test -p vigil-extract"
        );
        // Every word column has its list.
        for t in crate::spec::TABLES {
            for c in t.columns {
                if c.kind == crate::spec::Kind::Word {
                    assert!(
                        !super::vocabulary(t.name, c.name).is_empty(),
                        "{}.{}",
                        t.name,
                        c.name
                    );
                }
            }
        }
    }
}
