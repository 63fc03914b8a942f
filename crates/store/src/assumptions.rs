//! Versions of the assumptions: append-only, each effective from a date.

use bearing_core::assumptions::Assumptions;
use bearing_core::{Actor, Date, Source};

use crate::{Result, Store, StoreError, Tx, timestamp_text};

/// One stored version.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AssumptionsRecord {
    pub version: i64,
    pub effective_from: Date,
    pub values: Assumptions,
    #[serde(with = "crate::stored_time")]
    pub created_at: jiff::Timestamp,
    pub actor: String,
    pub source: Source,
}

impl Tx {
    pub async fn insert_assumptions(
        &mut self,
        values: &Assumptions,
        effective_from: Date,
        at: jiff::Timestamp,
        actor: &Actor,
        source: Source,
    ) -> Result<i64> {
        let json = serde_json::to_string(values).map_err(|e| StoreError::Invalid(e.to_string()))?;
        Ok(sqlx::query_scalar(
            "INSERT INTO assumptions (effective_from, values_json, created_at, actor, source)
             VALUES ($1, $2, $3, $4, $5) RETURNING version",
        )
        .bind(effective_from.to_string())
        .bind(json)
        .bind(timestamp_text(at))
        .bind(actor.as_str())
        .bind(source.as_str())
        .fetch_one(&mut *self.inner)
        .await?)
    }
}

impl Store {
    /// Every version, oldest first.
    pub async fn list_assumptions(&self) -> Result<Vec<AssumptionsRecord>> {
        let rows: Vec<(i64, String, String, String, String, String)> = sqlx::query_as(
            "SELECT version, effective_from, values_json, created_at, actor, source FROM assumptions ORDER BY version",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(version, from, json, created_at, actor, source)| {
                let corrupt = |e: &dyn std::fmt::Display| {
                    StoreError::Database(format!("unreadable assumptions version {version}: {e}"))
                };
                Ok(AssumptionsRecord {
                    version,
                    effective_from: bearing_core::parse_stored_date(&from)
                        .map_err(|e| corrupt(&e))?,
                    values: serde_json::from_str(&json).map_err(|e| corrupt(&e))?,
                    created_at: crate::stored_timestamp("created_at", &created_at)?,
                    actor,
                    source: source
                        .parse()
                        .map_err(|e: bearing_core::ParseError| corrupt(&e))?,
                })
            })
            .collect()
    }
}
