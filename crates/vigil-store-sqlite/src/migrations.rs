//! Embedded schema migrations, applied in order, each in its own transaction, and checked
//! by checksum so a database migrated by a different build of Vigil is noticed rather than
//! silently misread.

use sqlx::{Row, SqlitePool};
use vigil_store::migrations::{Migration, checksum, pending};
use vigil_store::{StoreError, StoreResult};

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "records of the extract format, version 1",
        sql: include_str!("../migrations/0001_records.sql"),
    },
    Migration {
        version: 2,
        description: "store revision counter",
        sql: include_str!("../migrations/0002_revision.sql"),
    },
    Migration {
        version: 3,
        description: "users and the hash-chained audit trail",
        sql: include_str!("../migrations/0003_users_audit.sql"),
    },
    Migration {
        version: 4,
        description: "sign-in sessions",
        sql: include_str!("../migrations/0004_sessions.sql"),
    },
    Migration {
        version: 5,
        description: "indexes for case and person pages",
        sql: include_str!("../migrations/0005_case_indexes.sql"),
    },
    Migration {
        version: 6,
        description: "id counters for records made in Vigil; search indexes",
        sql: include_str!("../migrations/0006_intake.sql"),
    },
    Migration {
        version: 7,
        description: "partial index of open offences, for queues and routing",
        sql: include_str!("../migrations/0007_open_offences.sql"),
    },
    Migration {
        version: 8,
        description: "sessions end after inactivity",
        sql: include_str!("../migrations/0008_session_idle.sql"),
    },
    Migration {
        version: 9,
        description: "users' home areas",
        sql: include_str!("../migrations/0009_user_lpa.sql"),
    },
    Migration {
        version: 10,
        description: "partial index of high-risk incidents, for the CRU queue",
        sql: include_str!("../migrations/0010_high_risk_recent.sql"),
    },
    Migration {
        version: 11,
        description: "casework: case state, the case log, tasks",
        sql: include_str!("../migrations/0011_casework.sql"),
    },
    Migration {
        version: 12,
        description: "arrests by person (outstanding suspects), disclosures by person at risk, audit entries by record and action",
        sql: include_str!("../migrations/0012_suspects.sql"),
    },
    Migration {
        version: 13,
        description: "victims' contact preferences",
        sql: include_str!("../migrations/0013_contact_preferences.sql"),
    },
    Migration {
        version: 14,
        description: "children named on an incident",
        sql: include_str!("../migrations/0014_incident_children.sql"),
    },
    Migration {
        version: 15,
        description: "wrong passwords kept across a restart",
        sql: include_str!("../migrations/0015_sign_in_failures.sql"),
    },
    Migration {
        version: 16,
        description: "idempotency keys for writes; one index fewer on the audit trail",
        sql: include_str!("../migrations/0016_idempotency.sql"),
    },
    Migration {
        version: 17,
        description: "restricted records; service accounts; MARAC referrals by date; schools and Operation Encompass notifications",
        sql: include_str!("../migrations/0017_restrictions.sql"),
    },
    Migration {
        version: 18,
        description: "MARAC referral forms, meeting records (attendance, discussions, approvals), transfers; MASH cases",
        sql: include_str!("../migrations/0018_marac_record.sql"),
    },
    Migration {
        version: 19,
        description: "Clare's Law applications worked in Vigil, stage by stage; users' ranks; protective notices and orders",
        sql: include_str!("../migrations/0019_dvds.sql"),
    },
    Migration {
        version: 20,
        description: "A DAPO breach names the case made for its offence",
        sql: include_str!("../migrations/0020_breach_case.sql"),
    },
    Migration {
        version: 21,
        description: "The perpetrator and acute victim cohorts: runs, members, owners and their actions",
        sql: include_str!("../migrations/0021_cohorts.sql"),
    },
    Migration {
        version: 22,
        description: "The change log of the record tables, so the analytics snapshot is patched, not rebuilt, after a write",
        sql: include_str!("../migrations/0022_record_changes.sql"),
    },
];

fn backend(e: sqlx::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

pub async fn run(pool: &SqlitePool) -> StoreResult<()> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS _vigil_migrations (
            version INTEGER PRIMARY KEY NOT NULL,
            description TEXT NOT NULL,
            checksum TEXT NOT NULL
        )",
    )
    .execute(pool)
    .await
    .map_err(backend)?;
    let applied: Vec<(i64, String)> =
        sqlx::query("SELECT version, checksum FROM _vigil_migrations ORDER BY version")
            .fetch_all(pool)
            .await
            .map_err(backend)?
            .into_iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
    for m in pending(MIGRATIONS, &applied)? {
        let mut tx = pool.begin().await.map_err(backend)?;
        sqlx::raw_sql(m.sql)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        sqlx::query(
            "INSERT INTO _vigil_migrations (version, description, checksum) VALUES (?, ?, ?)",
        )
        .bind(m.version)
        .bind(m.description)
        .bind(checksum(m.sql))
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
    }
    Ok(())
}
