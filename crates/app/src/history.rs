//! The audit trail of one entity.

use bearing_core::{EntityKind, StageId};
use bearing_store::{AuditRecord, AuditSearch, Store};

use crate::deals::Catalog;
use crate::{AppError, Context, Result};

/// Every recorded change to an entity, oldest first; an error when there is none. Refused to
/// those who may not read the history of its kind (`access::to_read_history_of`).
pub async fn of(
    store: &Store,
    ctx: &Context,
    kind: EntityKind,
    id: &str,
) -> Result<Vec<AuditRecord>> {
    let needed = bearing_core::access::to_read_history_of(kind);
    if !ctx.may(needed) {
        return Err(AppError::Forbidden(format!(
            "the history of a {kind} is for those who may {} (the permission {})",
            needed.describe(),
            needed.as_str()
        )));
    }
    let records = store.list_audit(kind, id.trim()).await?;
    if records.is_empty() {
        return Err(AppError::NotFound(format!(
            "no history for {kind} {}",
            id.trim()
        )));
    }
    Ok(records)
}

/// The newest `limit` changes that match `search` and that the actor may read, newest first,
/// and how many match: kinds whose history the actor may not read are left out.
pub async fn search(
    store: &Store,
    ctx: &Context,
    mut search: AuditSearch,
    limit: usize,
) -> Result<(i64, Vec<AuditRecord>)> {
    ctx.require(bearing_core::access::Permission::Read)?;
    search.hidden.extend(
        EntityKind::ALL
            .into_iter()
            .filter(|k| !ctx.may(bearing_core::access::to_read_history_of(*k))),
    );
    Ok(store.search_audit(&search, limit).await?)
}

/// One field that a change set, altered or cleared.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// What a recorded change did, field by field: the fields that differ between its before and
/// after values (all set fields for a creation). Bookkeeping timestamps are left out.
pub fn changes(record: &AuditRecord) -> Vec<FieldChange> {
    use serde_json::{Map, Value};
    let empty = Map::new();
    let object = |v: &Option<Value>| match v {
        Some(Value::Object(map)) => map.clone(),
        _ => empty.clone(),
    };
    let before = object(&record.before);
    let after = object(&record.after);
    let mut fields: Vec<&String> = before.keys().chain(after.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter(|f| !matches!(f.as_str(), "created_at" | "updated_at"))
        .filter_map(|field| {
            let old = before.get(field).filter(|v| !v.is_null()).cloned();
            let new = after.get(field).filter(|v| !v.is_null()).cloned();
            (old != new).then(|| FieldChange {
                field: field.clone(),
                before: old,
                after: new,
            })
        })
        .collect()
}

/// [`changes`] as a person reads them: a deal's audit row keeps its stage as an id
/// (`stage_id`), shown here as the field `stage` with the stage's name. An id the catalog does
/// not know stays a number.
pub fn named_changes(record: &AuditRecord, catalog: &Catalog) -> Vec<FieldChange> {
    let mut found = changes(record);
    if record.entity != EntityKind::Deal {
        return found;
    }
    for change in &mut found {
        if change.field != "stage_id" {
            continue;
        }
        change.field = "stage".to_owned();
        for value in [&mut change.before, &mut change.after] {
            let name = value
                .as_ref()
                .and_then(serde_json::Value::as_i64)
                .and_then(|id| StageId::new(id).ok())
                .and_then(|id| catalog.stage(id))
                .map(|stage| serde_json::Value::String(stage.name.clone()));
            if name.is_some() {
                *value = name;
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use bearing_core::{Action, EntityKind, Source};
    use serde_json::json;

    fn record(before: Option<serde_json::Value>, after: Option<serde_json::Value>) -> AuditRecord {
        AuditRecord {
            id: 1,
            at: jiff::Timestamp::from_second(1_767_225_600).unwrap(),
            actor: "ada".into(),
            source: Source::Cli,
            entity: EntityKind::Organization,
            entity_id: "1".into(),
            action: Action::Update,
            before,
            after,
        }
    }

    #[test]
    fn changes_list_only_fields_that_differ() {
        let r = record(
            Some(json!({"name": "bids", "kind": "community", "notes": "x", "updated_at": "a"})),
            Some(json!({"name": "bids", "kind": "funder", "notes": null, "updated_at": "b"})),
        );
        let found: Vec<(String, Option<serde_json::Value>, Option<serde_json::Value>)> =
            changes(&r)
                .into_iter()
                .map(|c| (c.field, c.before, c.after))
                .collect();
        assert_eq!(
            found,
            vec![
                (
                    "kind".into(),
                    Some(json!("community")),
                    Some(json!("funder"))
                ),
                ("notes".into(), Some(json!("x")), None),
            ]
        );
    }

    #[test]
    fn a_creation_lists_every_set_field() {
        let r = record(
            None,
            Some(json!({"name": "bids", "website": null, "created_at": "a"})),
        );
        let fields: Vec<String> = changes(&r).into_iter().map(|c| c.field).collect();
        assert_eq!(fields, ["name"]);
    }
}
