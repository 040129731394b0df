//! The tables of the extract format (DATA.md version 1): names, columns and their types.
//!
//! Column order here is the order `vigil export` writes, and the order the per-table
//! readers and writers in `tables.rs` index by.

/// The type of a column's values, as the extract writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An opaque id or a free text: written as text, guarded against spreadsheet formulas.
    Text,
    /// One of a closed list of lower-case words.
    Word,
    Date,
    DateTime,
    Bool,
    Int,
    Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnSpec {
    pub name: &'static str,
    pub kind: Kind,
    /// An identity column: a file may leave it out of its header altogether.
    pub omissible: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableSpec {
    /// The table's name; its files are `NAME.csv` and `NAME.parquet`.
    pub name: &'static str,
    pub columns: &'static [ColumnSpec],
    /// An extract must contain this table's file (possibly with no data rows).
    pub required: bool,
}

impl TableSpec {
    pub fn csv_file(&self) -> String {
        format!("{}.csv", self.name)
    }

    pub fn parquet_file(&self) -> String {
        format!("{}.parquet", self.name)
    }

    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

const fn col(name: &'static str, kind: Kind) -> ColumnSpec {
    ColumnSpec {
        name,
        kind,
        omissible: false,
    }
}

const fn identity(name: &'static str) -> ColumnSpec {
    ColumnSpec {
        name,
        kind: Kind::Text,
        omissible: true,
    }
}

use Kind::*;

pub const PERSONS: TableSpec = TableSpec {
    name: "persons",
    required: true,
    columns: &[
        col("person_id", Text),
        col("sex", Word),
        col("birth_date", Date),
        col("ethnicity", Word),
        col("lpa", Text),
        identity("family_name"),
        identity("given_names"),
        identity("address"),
        identity("postcode"),
        col("address_confidential", Bool),
    ],
};

pub const INCIDENTS: TableSpec = TableSpec {
    name: "incidents",
    required: true,
    columns: &[
        col("incident_id", Text),
        col("reported_at", DateTime),
        col("lpa", Text),
        col("call_grade", Word),
        col("arrived_at", DateTime),
        col("response_target_met", Bool),
        col("victim_id", Text),
        col("suspect_id", Text),
        col("relationship", Word),
        col("children_present", Bool),
        col("risk_level", Word),
        col("dash_yes_count", Int),
    ],
};

pub const OFFENCES: TableSpec = TableSpec {
    name: "offences",
    required: false,
    columns: &[
        col("offence_id", Text),
        col("incident_id", Text),
        col("ho_code", Text),
        col("offence_group", Word),
        col("offence_date", Date),
        col("recorded_date", Date),
        col("victim_id", Text),
        col("suspect_id", Text),
        col("risk_level", Word),
        col("team", Word),
        col("outcome_code", Word),
        col("outcome_date", Date),
        col("bwv_captured", Bool),
    ],
};

pub const ARRESTS: TableSpec = TableSpec {
    name: "arrests",
    required: false,
    columns: &[
        col("arrest_id", Text),
        col("person_id", Text),
        col("incident_id", Text),
        col("offence_id", Text),
        col("arrested_at", DateTime),
        col("bwv_shown_in_interview", Bool),
        col("disposal", Word),
    ],
};

pub const RISK_ASSESSMENTS: TableSpec = TableSpec {
    name: "risk_assessments",
    required: false,
    columns: &[
        col("assessment_id", Text),
        col("incident_id", Text),
        col("stage", Word),
        col("instrument", Word),
        col("assessed_at", DateTime),
        col("answers", Text),
        col("yes_count", Int),
        col("grade", Word),
        col("judgement_raised", Bool),
    ],
};

pub const REFERRALS: TableSpec = TableSpec {
    name: "referrals",
    required: false,
    columns: &[
        col("referral_id", Text),
        col("kind", Word),
        col("person_id", Text),
        col("incident_id", Text),
        col("referred_at", DateTime),
        col("agency", Word),
        col("consent", Bool),
    ],
};

pub const DISCLOSURES: TableSpec = TableSpec {
    name: "disclosures",
    required: false,
    columns: &[
        col("disclosure_id", Text),
        col("route", Word),
        col("subject_id", Text),
        col("at_risk_id", Text),
        col("received_at", DateTime),
        col("decided_at", DateTime),
        col("decision", Word),
        col("disclosed_at", DateTime),
    ],
};

pub const PROTECTION_ORDERS: TableSpec = TableSpec {
    name: "protection_orders",
    required: false,
    columns: &[
        col("order_id", Text),
        col("kind", Word),
        col("subject_id", Text),
        col("protected_id", Text),
        col("incident_id", Text),
        col("issued_at", DateTime),
        col("expires_at", DateTime),
        col("breached_at", DateTime),
    ],
};

pub const STAFFING: TableSpec = TableSpec {
    name: "staffing",
    required: false,
    columns: &[
        col("as_of", Date),
        col("team", Word),
        col("lpa", Text),
        col("rank", Word),
        col("establishment_fte", Decimal),
        col("strength_fte", Decimal),
        col("deployable_fte", Decimal),
    ],
};

/// Every table, in the order they are read, validated, written and listed in the manifest:
/// a table comes after the tables it references.
pub const TABLES: [&TableSpec; 9] = [
    &PERSONS,
    &INCIDENTS,
    &OFFENCES,
    &ARRESTS,
    &RISK_ASSESSMENTS,
    &REFERRALS,
    &DISCLOSURES,
    &PROTECTION_ORDERS,
    &STAFFING,
];
