//! Casework tables of one row per record with a version: the IDVA service's and the MASH's
//! (keyed by their referral), Clare's Law applications (keyed by their disclosure). One
//! reading, saving and copying of them, so each table's module says only what is its own
//! (its columns and the lists it answers).

use crate::rows::{Cols, JsonRows};
use crate::write::insert_table;
use crate::{accounts, backend};
use sqlx::{PgPool, Row};
use vigil_store::{AuditEntry, StoreError, StoreResult, Versioned};

/// A versioned table keyed by one text column.
pub(crate) struct Table<R> {
    pub name: &'static str,
    /// The key column (`referral_id`, `disclosure_id`).
    pub key_column: &'static str,
    /// What a conflict names ("IDVA case").
    pub what: &'static str,
    pub cols: &'static [&'static str],
    pub read: for<'a> fn(&mut Cols<'a>) -> StoreResult<R>,
    pub values: fn(&mut JsonRows, &R),
    pub key: fn(&R) -> String,
}

impl<R: Clone> Table<R> {
    /// The SELECT of the table's columns and version, rows matching `condition`.
    pub fn select(&self, condition: &str) -> String {
        format!(
            "SELECT {}, version FROM {} WHERE {condition}",
            self.cols.join(","),
            self.name
        )
    }

    pub fn versioned(&self, r: &sqlx::postgres::PgRow) -> StoreResult<Versioned<R>> {
        let record = (self.read)(&mut Cols::new(r, self.name))?;
        let version: i64 = r.try_get(self.cols.len()).map_err(backend)?;
        Ok(Versioned { record, version })
    }

    pub async fn one(&self, pool: &PgPool, id: &str) -> StoreResult<Option<Versioned<R>>> {
        sqlx::query(sqlx::AssertSqlSafe(
            self.select(&format!("{} = $1", self.key_column)),
        ))
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(backend)?
        .as_ref()
        .map(|r| self.versioned(r))
        .transpose()
    }

    pub async fn all(&self, conn: impl sqlx::PgExecutor<'_>) -> StoreResult<Vec<Versioned<R>>> {
        sqlx::query(sqlx::AssertSqlSafe(self.select(&format!(
            "true ORDER BY {} COLLATE \"C\"",
            self.key_column
        ))))
        .fetch_all(conn)
        .await
        .map_err(backend)?
        .iter()
        .map(|r| self.versioned(r))
        .collect()
    }

    /// Writes rows as they are, versions kept, inside a transaction (`vigil copy`).
    pub async fn put(
        &self,
        conn: &mut sqlx::PgConnection,
        all: &[Versioned<R>],
    ) -> StoreResult<()> {
        let records: Vec<R> = all.iter().map(|v| v.record.clone()).collect();
        insert_table(conn, self.name, self.cols, &records, self.values).await?;
        for v in all {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE {} SET version = $1 WHERE {} = $2",
                self.name, self.key_column
            )))
            .bind(v.version)
            .bind((self.key)(&v.record))
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
        }
        Ok(())
    }

    /// Saves a row: new when `expected` is `None`, else only over that version (a conflict
    /// otherwise); audited in the same transaction. Returns the new version.
    pub async fn save(
        &self,
        pool: &PgPool,
        c: &R,
        expected: Option<i64>,
        audit: &AuditEntry,
    ) -> StoreResult<i64> {
        let mut tx = pool.begin().await.map_err(backend)?;
        let version = self.save_in(&mut tx, c, expected).await?;
        accounts::append(&mut tx, audit).await?;
        tx.commit().await.map_err(backend)?;
        Ok(version)
    }

    /// The save's own work inside the caller's transaction (which writes its audit rows
    /// and whatever else goes with the row).
    pub async fn save_in(
        &self,
        tx: &mut sqlx::PgConnection,
        c: &R,
        expected: Option<i64>,
    ) -> StoreResult<i64> {
        let key = (self.key)(c);
        let id = key.as_str();
        let found: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT version FROM {} WHERE {} = $1 FOR UPDATE",
            self.name, self.key_column
        )))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        if found != expected {
            return Err(StoreError::Conflict {
                what: self.what,
                id: id.to_string(),
                expected: expected.unwrap_or(0),
                found: found.unwrap_or(0),
            });
        }
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {} WHERE {} = $1",
            self.name, self.key_column
        )))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        let version = found.map_or(1, |v| v + 1);
        self.put(
            &mut *tx,
            &[Versioned {
                record: c.clone(),
                version,
            }],
        )
        .await?;
        Ok(version)
    }
}
