//! The audit log: one row per change, written in the change's own transaction, never updated
//! or deleted (the schema's triggers refuse both).

use bearing_core::{Action, Actor, DataPart, EntityKind, Source};
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

/// What to look for in the audit log; a part left `None` matches everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditSearch {
    pub entity: Option<EntityKind>,
    /// Part of the actor, in any case.
    pub actor: Option<String>,
    /// The first and the last day (UTC), inclusive.
    pub from: Option<bearing_core::Date>,
    pub to: Option<bearing_core::Date>,
    /// Kinds left out, e.g. those the reader may not see.
    pub hidden: Vec<EntityKind>,
}

/// A recorded change.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditRecord {
    pub id: i64,
    #[serde(with = "crate::stored_time")]
    pub at: jiff::Timestamp,
    pub actor: String,
    pub source: Source,
    pub entity: EntityKind,
    pub entity_id: String,
    pub action: Action,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// The version of each part of the records at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct DataVersion {
    parts: [i64; DataPart::ALL.len()],
}

impl DataVersion {
    /// The version of one part.
    pub fn of(&self, part: DataPart) -> i64 {
        self.parts[part.index()]
    }

    /// Whether none of `parts` has changed between `self` and `other`.
    pub fn same_for(&self, other: &DataVersion, parts: &[DataPart]) -> bool {
        parts.iter().all(|&part| self.of(part) == other.of(part))
    }
}

impl PartialOrd for DataVersion {
    /// Part by part: one version is later than another when no part is earlier and one is
    /// later. Versions read one after another are always comparable, since parts only grow.
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        use std::cmp::Ordering;
        let mut order = Ordering::Equal;
        for (mine, theirs) in self.parts.iter().zip(&other.parts) {
            match (order, mine.cmp(theirs)) {
                (_, Ordering::Equal) => {}
                (Ordering::Equal, next) => order = next,
                (now, next) if now == next => {}
                _ => return None,
            }
        }
        Some(order)
    }
}

impl Tx {
    /// Appends many entries with few statements.
    pub async fn insert_audits(&mut self, entries: &[AuditEntry]) -> Result<()> {
        let json =
            |value: &Option<serde_json::Value>| value.as_ref().map(serde_json::Value::to_string);
        for entry in entries {
            self.touch(entry.entity);
        }
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
        self.touch(entry.entity);
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

    /// The data version of every part of the records, in one statement. Each committed
    /// change to a record moves its part's version (see [`Tx::commit`]); sign-ins, sessions
    /// and sign-in counters are not changes to the records and move none, so a burst of
    /// failed sign-ins cannot throw away what the pages keep.
    pub async fn data_version(&self) -> Result<DataVersion> {
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT part, version FROM data_versions")
            .fetch_all(&self.pool)
            .await?;
        let mut version = DataVersion::default();
        for (name, number) in rows {
            if let Some(part) = DataPart::ALL.into_iter().find(|p| p.as_str() == name) {
                version.parts[part.index()] = number;
            }
        }
        Ok(version)
    }

    /// The newest `limit` entries that match `search`, newest first, and how many match.
    pub async fn search_audit(
        &self,
        search: &AuditSearch,
        limit: usize,
    ) -> Result<(i64, Vec<AuditRecord>)> {
        let mut conditions = Vec::new();
        let mut values: Vec<String> = Vec::new();
        let mut add = |condition: &str, value: String| {
            values.push(value);
            conditions.push(condition.replace('?', &format!("${}", values.len())));
        };
        if let Some(kind) = search.entity {
            add("entity_kind = ?", kind.as_str().to_owned());
        }
        for kind in &search.hidden {
            add("entity_kind <> ?", kind.as_str().to_owned());
        }
        if let Some(actor) = search.actor.as_deref().filter(|a| !a.is_empty()) {
            let escaped: String = actor
                .to_lowercase()
                .chars()
                .flat_map(|c| match c {
                    '%' | '_' | '\\' => vec!['\\', c],
                    c => vec![c],
                })
                .collect();
            add("LOWER(actor) LIKE ? ESCAPE '\\'", format!("%{escaped}%"));
        }
        // Timestamps are stored as RFC 3339 text in UTC, so their first ten characters are the day.
        if let Some(from) = search.from {
            add("SUBSTR(at, 1, 10) >= ?", from.to_string());
        }
        if let Some(to) = search.to {
            add("SUBSTR(at, 1, 10) <= ?", to.to_string());
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let count_sql = format!("SELECT COUNT(*) FROM audit_log {filter}");
        let mut count = sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql));
        for v in &values {
            count = count.bind(v.as_str());
        }
        let total: i64 = count.fetch_one(&self.pool).await?;
        let list_sql = format!(
            "SELECT id, at, actor, source, entity_kind, entity_id, action, before_json, after_json
             FROM audit_log {filter} ORDER BY id DESC LIMIT {}",
            i64::try_from(limit).unwrap_or(i64::MAX)
        );
        let mut list = sqlx::query(sqlx::AssertSqlSafe(list_sql));
        for v in &values {
            list = list.bind(v.as_str());
        }
        let rows = list.fetch_all(&self.pool).await?;
        Ok((total, rows.iter().map(record).collect::<Result<_>>()?))
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
        at: crate::read_time(row, "at")?,
        actor: row.try_get("actor")?,
        source: source.parse().map_err(|e| corrupt("source", &e))?,
        entity: kind.parse().map_err(|e| corrupt("entity_kind", &e))?,
        entity_id: row.try_get("entity_id")?,
        action: action.parse().map_err(|e| corrupt("action", &e))?,
        before: json("before_json")?,
        after: json("after_json")?,
    })
}
