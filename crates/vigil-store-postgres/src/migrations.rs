//! Embedded schema migrations, applied in order, each in its own transaction, and checked
//! by checksum so a database migrated by a different build of Vigil is noticed rather than
//! silently misread. Two servers starting at once take turns (an advisory lock).

use crate::backend;
use sqlx::{PgPool, Row};
use vigil_store::migrations::{Migration, checksum, pending};
use vigil_store::{StoreError, StoreResult};

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "records of the extract format, version 1; revision; id counters; indexes",
        sql: include_str!("../migrations/0001_records.sql"),
    },
    Migration {
        version: 2,
        description: "users, sessions and the append-only, hash-chained audit trail",
        sql: include_str!("../migrations/0002_accounts.sql"),
    },
    Migration {
        version: 3,
        description: "name search as an index range in byte order",
        sql: include_str!("../migrations/0003_name_search.sql"),
    },
    Migration {
        version: 4,
        description: "casework: case state, the case log, tasks",
        sql: include_str!("../migrations/0004_casework.sql"),
    },
    Migration {
        version: 5,
        description: "arrests by person (outstanding suspects), disclosures by person at risk, audit entries by record and action",
        sql: include_str!("../migrations/0005_suspects.sql"),
    },
    Migration {
        version: 6,
        description: "victims' contact preferences",
        sql: include_str!("../migrations/0006_contact_preferences.sql"),
    },
    Migration {
        version: 7,
        description: "children named on an incident",
        sql: include_str!("../migrations/0007_incident_children.sql"),
    },
    Migration {
        version: 8,
        description: "wrong passwords kept across a restart",
        sql: include_str!("../migrations/0008_sign_in_failures.sql"),
    },
    Migration {
        version: 9,
        description: "idempotency keys for writes; one index fewer on the audit trail",
        sql: include_str!("../migrations/0009_idempotency.sql"),
    },
    Migration {
        version: 10,
        description: "restricted records; service accounts; MARAC referrals by date; schools and Operation Encompass notifications",
        sql: include_str!("../migrations/0010_restrictions.sql"),
    },
    Migration {
        version: 11,
        description: "MARAC referral forms, meeting records (attendance, discussions, approvals), transfers; MASH cases",
        sql: include_str!("../migrations/0011_marac_record.sql"),
    },
    Migration {
        version: 12,
        description: "Clare's Law applications worked in Vigil, stage by stage; users' ranks; protective notices and orders",
        sql: include_str!("../migrations/0012_dvds.sql"),
    },
    Migration {
        version: 13,
        description: "A DAPO breach names the case made for its offence",
        sql: include_str!("../migrations/0013_breach_case.sql"),
    },
    Migration {
        version: 14,
        description: "The perpetrator and acute victim cohorts: runs, members, owners and their actions",
        sql: include_str!("../migrations/0014_cohorts.sql"),
    },
    Migration {
        version: 15,
        description: "The change log of the record tables, so the analytics snapshot is patched, not rebuilt, after a write",
        sql: include_str!("../migrations/0015_record_changes.sql"),
    },
];

/// The advisory lock key that serialises migrations (any fixed number unique to Vigil).
const MIGRATION_LOCK: i64 = 0x7669_6769_6c00_0001;

pub async fn run(pool: &PgPool) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(backend)?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    // Only a store that has never been migrated needs the bookkeeping table made: a role
    // that may not create tables (one that only serves) can still open a migrated store.
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('_vigil_migrations') IS NOT NULL")
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
    if !exists {
        sqlx::raw_sql(
            "CREATE TABLE _vigil_migrations (
                version bigint PRIMARY KEY,
                description text NOT NULL,
                checksum text NOT NULL
            )",
        )
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    }
    let applied: Vec<(i64, String)> =
        sqlx::query("SELECT version, checksum FROM _vigil_migrations ORDER BY version")
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?
            .into_iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
    // All pending migrations in the one locked transaction: a failure leaves the schema as
    // it was.
    for m in pending(MIGRATIONS, &applied)? {
        sqlx::raw_sql(sqlx::AssertSqlSafe(m.sql))
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                StoreError::Schema(format!(
                    "migration {} ({}) failed: {e}",
                    m.version, m.description
                ))
            })?;
        sqlx::query(
            "INSERT INTO _vigil_migrations (version, description, checksum) VALUES ($1, $2, $3)",
        )
        .bind(m.version)
        .bind(m.description)
        .bind(checksum(m.sql))
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    }
    tx.commit().await.map_err(backend)
}
