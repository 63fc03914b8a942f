//! Saved scenarios.

use bearing_core::scenario::Change;

use crate::{Result, Store, StoreError, Tx, timestamp_text};

/// A saved scenario.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScenarioRecord {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub changes: Vec<Change>,
    #[serde(with = "crate::stored_time")]
    pub created_at: jiff::Timestamp,
}

impl Tx {
    pub async fn insert_scenario(
        &mut self,
        name: &str,
        description: Option<&str>,
        changes: &[Change],
        at: jiff::Timestamp,
    ) -> Result<i64> {
        let json = serde_json::to_string(changes)
            .map_err(|e| StoreError::Invalid(format!("changes that cannot be kept: {e}")))?;
        Ok(sqlx::query_scalar(
            "INSERT INTO scenarios (name, description, changes_json, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $4) RETURNING id",
        )
        .bind(name)
        .bind(description)
        .bind(json)
        .bind(timestamp_text(at))
        .fetch_one(&mut *self.inner)
        .await?)
    }

    /// Marks a scenario deleted; it keeps its row.
    pub async fn delete_scenario(&mut self, id: i64, at: jiff::Timestamp) -> Result<()> {
        sqlx::query("UPDATE scenarios SET deleted_at = $1, updated_at = $1 WHERE id = $2 AND deleted_at IS NULL")
            .bind(timestamp_text(at))
            .bind(id)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }
}

impl Store {
    /// The scenarios that are not deleted, by name.
    pub async fn list_scenarios(&self) -> Result<Vec<ScenarioRecord>> {
        let rows: Vec<(i64, String, Option<String>, String, String)> = sqlx::query_as(
            "SELECT id, name, description, changes_json, created_at FROM scenarios
             WHERE deleted_at IS NULL ORDER BY name, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, name, description, changes, created_at)| {
                Ok(ScenarioRecord {
                    changes: serde_json::from_str(&changes).map_err(|e| {
                        StoreError::Database(format!("unreadable scenario {id}: {e}"))
                    })?,
                    created_at: crate::stored_timestamp("created_at", &created_at)?,
                    id,
                    name,
                    description,
                })
            })
            .collect()
    }
}
