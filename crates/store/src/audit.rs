//! The audit log: one row per change, written in the change's own transaction, never updated
//! or deleted (the schema's triggers refuse both).

use bearing_core::{Action, Actor, EntityKind, Source};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::{Result, Store, StoreError, Tx, timestamp_text};

/// A change to record.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub at: jiff::Timestamp,
    pub actor: Actor,
    pub source: Source,
    pub entity: EntityKind,
    pub entity_id: String,
    pub action: Action,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// A recorded change.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditRecord {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub source: Source,
    pub entity: EntityKind,
    pub entity_id: String,
    pub action: Action,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl Tx {
    /// Appends many entries with few statements.
    pub async fn insert_audits(&mut self, entries: &[AuditEntry]) -> Result<()> {
        let json =
            |value: &Option<serde_json::Value>| value.as_ref().map(serde_json::Value::to_string);
        for chunk in entries.chunks(crate::BATCH_ROWS) {
            let sql = format!(
                "INSERT INTO audit_log (at, actor, source, entity_kind, entity_id, action, before_json, after_json)
                 VALUES {}",
                crate::placeholders(self.backend, chunk.len(), 8)
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for entry in chunk {
                query = query
                    .bind(timestamp_text(entry.at))
                    .bind(entry.actor.as_str().to_owned())
                    .bind(entry.source.as_str())
                    .bind(entry.entity.as_str())
                    .bind(entry.entity_id.clone())
                    .bind(entry.action.as_str())
                    .bind(json(&entry.before))
                    .bind(json(&entry.after));
            }
            query.execute(&mut *self.inner).await?;
        }
        Ok(())
    }

    pub async fn insert_audit(&mut self, entry: &AuditEntry) -> Result<i64> {
        let json =
            |value: &Option<serde_json::Value>| value.as_ref().map(serde_json::Value::to_string);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO audit_log (at, actor, source, entity_kind, entity_id, action, before_json, after_json)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(timestamp_text(entry.at))
        .bind(entry.actor.as_str())
        .bind(entry.source.as_str())
        .bind(entry.entity.as_str())
        .bind(&entry.entity_id)
        .bind(entry.action.as_str())
        .bind(json(&entry.before))
        .bind(json(&entry.after))
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(id)
    }
}

impl Store {
    /// Every change to one entity, oldest first.
    pub async fn list_audit(
        &self,
        entity: EntityKind,
        entity_id: &str,
    ) -> Result<Vec<AuditRecord>> {
        list(&self.pool, Some((entity, entity_id))).await
    }

    /// The whole log, oldest first.
    pub async fn list_all_audit(&self) -> Result<Vec<AuditRecord>> {
        list(&self.pool, None).await
    }

    pub async fn count_audit(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
            .fetch_one(&self.pool)
            .await?)
    }
}

async fn list<'e, E>(executor: E, entity: Option<(EntityKind, &str)>) -> Result<Vec<AuditRecord>>
where
    E: Executor<'e, Database = Any>,
{
    let rows = match entity {
        Some((kind, id)) => sqlx::query(
            "SELECT id, at, actor, source, entity_kind, entity_id, action, before_json, after_json
                 FROM audit_log WHERE entity_kind = $1 AND entity_id = $2 ORDER BY id",
        )
        .bind(kind.as_str())
        .bind(id)
        .fetch_all(executor)
        .await?,
        None => sqlx::query(
            "SELECT id, at, actor, source, entity_kind, entity_id, action, before_json, after_json
                 FROM audit_log ORDER BY id",
        )
        .fetch_all(executor)
        .await?,
    };
    rows.iter().map(record).collect()
}

fn record(row: &AnyRow) -> Result<AuditRecord> {
    let corrupt = |what: &str, e: &dyn std::fmt::Display| {
        StoreError::Database(format!("unreadable audit row ({what}): {e}"))
    };
    let json = |column: &str| -> Result<Option<serde_json::Value>> {
        let text: Option<String> = row.try_get(column)?;
        text.map(|t| serde_json::from_str(&t).map_err(|e| corrupt(column, &e)))
            .transpose()
    };
    let source: String = row.try_get("source")?;
    let kind: String = row.try_get("entity_kind")?;
    let action: String = row.try_get("action")?;
    Ok(AuditRecord {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        source: source.parse().map_err(|e| corrupt("source", &e))?,
        entity: kind.parse().map_err(|e| corrupt("entity_kind", &e))?,
        entity_id: row.try_get("entity_id")?,
        action: action.parse().map_err(|e| corrupt("action", &e))?,
        before: json("before_json")?,
        after: json("after_json")?,
    })
}
