//! Bulk insertion of a validated record set, inside the caller's transaction.
//!
//! Rows go in as multi-row INSERT statements (one prepared statement reused for every full
//! chunk), which is what makes a million-row import take seconds rather than minutes.

use crate::backend;
use sqlx::encode::Encode;
use sqlx::sqlite::{Sqlite, SqliteArguments};
use sqlx::{Arguments, SqliteConnection, Type};
use vigil_domain::time::{format_date, format_datetime};
use vigil_domain::*;
use vigil_store::StoreResult;

/// Rows per INSERT. 256 rows of at most 13 columns stays far below SQLite's limit of
/// 32,766 parameters, and is past the point where larger statements stop paying.
const ROWS_PER_STATEMENT: usize = 256;

fn put<'q, T: Encode<'q, Sqlite> + Type<Sqlite> + 'q>(args: &mut SqliteArguments, value: T) {
    args.add(value)
        .expect("text, integer and null values always encode for SQLite");
}

async fn insert<R>(
    conn: &mut SqliteConnection,
    table: &str,
    columns: &[&str],
    rows: &[R],
    bind: fn(&mut SqliteArguments, &R),
) -> StoreResult<()> {
    let row_marks = format!("({})", vec!["?"; columns.len()].join(","));
    let sql_for = |n: usize| {
        format!(
            "INSERT INTO {table} ({}) VALUES {}",
            columns.join(","),
            vec![row_marks.as_str(); n].join(",")
        )
    };
    let full = sql_for(ROWS_PER_STATEMENT);
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut args = SqliteArguments::default();
        for r in chunk {
            bind(&mut args, r);
        }
        let sql = if chunk.len() == ROWS_PER_STATEMENT {
            full.clone()
        } else {
            sql_for(chunk.len())
        };
        sqlx::query_with(sqlx::AssertSqlSafe(sql), args)
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
    }
    Ok(())
}

fn s(v: &Option<impl AsRef<str>>) -> Option<String> {
    v.as_ref().map(|x| x.as_ref().to_owned())
}

fn bind_person(a: &mut SqliteArguments, p: &Person) {
    put(a, p.id.as_str().to_owned());
    put(a, p.sex.as_str());
    put(a, p.birth_date.map(format_date));
    put(a, p.ethnicity.as_str());
    put(a, p.lpa.as_ref().map(|l| l.as_str().to_owned()));
    put(a, s(&p.identity.family_name));
    put(a, s(&p.identity.given_names));
    put(a, s(&p.identity.address));
    put(a, s(&p.identity.postcode));
    put(a, p.address_confidential);
}

fn bind_incident(a: &mut SqliteArguments, i: &Incident) {
    put(a, i.id.as_str().to_owned());
    put(a, format_datetime(i.reported_at));
    put(a, i.lpa.as_str().to_owned());
    put(a, i.call_grade.as_str());
    put(a, i.arrived_at.map(format_datetime));
    put(a, i.response_target_met);
    put(a, i.victim_id.as_str().to_owned());
    put(a, i.suspect_id.as_ref().map(|x| x.as_str().to_owned()));
    put(a, i.relationship.as_str());
    put(a, i.children_present);
    put(a, i.risk_level.map(|r| r.as_str()));
    put(a, i.dash_yes_count.map(i64::from));
}

fn bind_offence(a: &mut SqliteArguments, o: &Offence) {
    put(a, o.id.as_str().to_owned());
    put(a, o.incident_id.as_str().to_owned());
    put(a, s(&o.ho_code));
    put(a, o.offence_group.as_str());
    put(a, format_date(o.offence_date));
    put(a, format_date(o.recorded_date));
    put(a, o.victim_id.as_str().to_owned());
    put(a, o.suspect_id.as_ref().map(|x| x.as_str().to_owned()));
    put(a, o.risk_level.map(|r| r.as_str()));
    put(a, o.team.as_str());
    put(a, o.outcome.map(|x| x.code.as_str()));
    put(a, o.outcome.map(|x| format_date(x.date)));
    put(a, o.bwv_captured);
}

fn bind_arrest(a: &mut SqliteArguments, r: &Arrest) {
    put(a, r.id.as_str().to_owned());
    put(a, r.person_id.as_str().to_owned());
    put(a, r.incident_id.as_ref().map(|x| x.as_str().to_owned()));
    put(a, r.offence_id.as_ref().map(|x| x.as_str().to_owned()));
    put(a, format_datetime(r.arrested_at));
    put(a, r.bwv_shown_in_interview);
    put(a, r.disposal.map(|d| d.as_str()));
}

fn bind_assessment(a: &mut SqliteArguments, r: &RiskAssessment) {
    put(a, r.id.as_str().to_owned());
    put(a, r.incident_id.as_str().to_owned());
    put(a, r.stage.as_str());
    put(a, r.instrument.as_str());
    put(a, format_datetime(r.assessed_at));
    put(a, r.answers.clone());
    put(a, i64::from(r.yes_count));
    put(a, r.grade.as_str());
    put(a, r.judgement_raised);
}

fn bind_referral(a: &mut SqliteArguments, r: &Referral) {
    put(a, r.id.as_str().to_owned());
    put(a, r.kind.as_str());
    put(a, r.person_id.as_str().to_owned());
    put(a, r.incident_id.as_ref().map(|x| x.as_str().to_owned()));
    put(a, format_datetime(r.referred_at));
    put(a, r.agency.as_str());
    put(a, r.consent);
}

fn bind_disclosure(a: &mut SqliteArguments, d: &Disclosure) {
    put(a, d.id.as_str().to_owned());
    put(a, d.route.as_str());
    put(a, d.subject_id.as_str().to_owned());
    put(a, d.at_risk_id.as_str().to_owned());
    put(a, format_datetime(d.received_at));
    put(a, d.decided_at.map(format_datetime));
    put(a, d.decision.map(|x| x.as_str()));
    put(a, d.disclosed_at.map(format_datetime));
}

fn bind_order(a: &mut SqliteArguments, o: &ProtectionOrder) {
    put(a, o.id.as_str().to_owned());
    put(a, o.kind.as_str());
    put(a, o.subject_id.as_str().to_owned());
    put(a, o.protected_id.as_str().to_owned());
    put(a, o.incident_id.as_ref().map(|x| x.as_str().to_owned()));
    put(a, format_datetime(o.issued_at));
    put(a, o.expires_at.map(format_datetime));
    put(a, o.breached_at.map(format_datetime));
}

fn bind_staffing(a: &mut SqliteArguments, r: &StaffingRecord) {
    put(a, format_date(r.as_of));
    put(a, r.team.as_str());
    put(a, r.lpa.as_ref().map(|l| l.as_str().to_owned()));
    put(a, r.rank.as_str());
    put(a, r.establishment_fte);
    put(a, r.strength_fte);
    put(a, r.deployable_fte);
}

/// Inserts every table, referenced tables first, so foreign keys hold row by row.
pub async fn insert_all(conn: &mut SqliteConnection, r: &RecordSet) -> StoreResult<()> {
    use crate::read::columns as c;
    insert(conn, "persons", c::PERSONS, &r.persons, bind_person).await?;
    insert(conn, "incidents", c::INCIDENTS, &r.incidents, bind_incident).await?;
    insert(conn, "offences", c::OFFENCES, &r.offences, bind_offence).await?;
    insert(conn, "arrests", c::ARRESTS, &r.arrests, bind_arrest).await?;
    insert(
        conn,
        "risk_assessments",
        c::RISK_ASSESSMENTS,
        &r.risk_assessments,
        bind_assessment,
    )
    .await?;
    insert(conn, "referrals", c::REFERRALS, &r.referrals, bind_referral).await?;
    insert(
        conn,
        "disclosures",
        c::DISCLOSURES,
        &r.disclosures,
        bind_disclosure,
    )
    .await?;
    insert(
        conn,
        "protection_orders",
        c::PROTECTION_ORDERS,
        &r.protection_orders,
        bind_order,
    )
    .await?;
    insert(conn, "staffing", c::STAFFING, &r.staffing, bind_staffing).await?;
    Ok(())
}
