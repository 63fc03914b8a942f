//! Imports: the CRM's deal export, as an idempotent upsert keyed by the CRM's id.
//!
//! An import is planned first, from the whole file and the database as it is: rows to create,
//! rows that change a deal (with the field-by-field changes), rows that change nothing. A file
//! with any problem plans nothing. Applying writes the whole plan in one transaction, with an
//! audit row per deal and deal-history rows with source `import`, so re-importing each week's
//! export builds the stage history the export itself lacks.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use bearing_core::contact::ContactFields;
use bearing_core::deal::{DealFields, FieldChange};
use bearing_core::organization::OrganizationFields;
use bearing_core::{ContactId, DealId, EntityKind, OrganizationId, Source};
use bearing_formats::crm::{self, CrmDeal, RowError};
use bearing_formats::directory::Row;
use bearing_store::{OrganizationRecord, PropertyOwner, Store};

use crate::deals::{Catalog, log_change};
use crate::{AppError, Change, ChangeLog, Context, Result};
use bearing_core::access::Permission;

/// The system name under which CRM ids are kept.
pub const CRM: &str = "crm";

/// A deal the import creates.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Create {
    pub line: u64,
    pub crm_id: String,
    pub fields: DealFields,
    pub properties: BTreeMap<String, String>,
}

/// A deal the import changes.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Update {
    pub line: u64,
    pub crm_id: String,
    pub deal: DealId,
    pub fields: DealFields,
    pub properties: BTreeMap<String, String>,
    /// Tracked fields that change, as the deal history will record them.
    pub changes: Vec<FieldChange>,
    /// Other fields and properties that change, by name.
    pub other_changes: Vec<String>,
}

/// A row that matches its deal already.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unchanged {
    pub line: u64,
    pub crm_id: String,
    pub deal: DealId,
}

/// What an import will do, row by row.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Plan {
    pub file: String,
    pub creates: Vec<Create>,
    pub updates: Vec<Update>,
    pub unchanged: Vec<Unchanged>,
}

impl Plan {
    pub fn summary(&self) -> String {
        format!(
            "{}: {} to create, {} to update, {} unchanged",
            self.file,
            self.creates.len(),
            self.updates.len(),
            self.unchanged.len()
        )
    }

    /// What an import that was carried out did: `export.csv: 8 created, 1 updated, 0 unchanged`.
    pub fn done(&self) -> String {
        format!(
            "{}: {} created, {} updated, {} unchanged",
            self.file,
            self.creates.len(),
            self.updates.len(),
            self.unchanged.len()
        )
    }
}

/// Reads and plans the import of a CRM deal export without writing anything.
pub async fn plan_deals(store: &Store, file: &str, input: impl Read) -> Result<Plan> {
    let (rows, mut errors) = crm::read_deals(file, input);
    let catalog = Catalog::load(store).await?;
    let known = store.list_external_ids(CRM).await?;
    let mut existing: HashMap<DealId, bearing_store::DealRecord> = store
        .list_deals(true)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let mut properties = store.list_deal_properties().await?;
    let mut plan = Plan {
        file: file.to_owned(),
        ..Plan::default()
    };
    let error = |row: &CrmDeal, column: &str, value: &str, message: String| RowError {
        file: file.to_owned(),
        line: row.line,
        column: column.to_owned(),
        value: value.to_owned(),
        message,
    };
    for row in rows {
        let stage = match catalog.find_stage(row.pipeline(), row.stage()) {
            Ok(stage) => stage,
            Err(e) => {
                let (column, value) = match &e {
                    AppError::Invalid { field, .. } if field == "pipeline" => {
                        ("pipeline", row.pipeline())
                    }
                    _ => ("dealstage", row.stage()),
                };
                let message = match e {
                    AppError::Invalid { message, .. } => message,
                    other => other.to_string(),
                };
                errors.push(error(&row, column, value, message));
                continue;
            }
        };
        let deal = known.get(&row.crm_id).and_then(|id| existing.remove(id));
        let Some(deal) = deal else {
            let mut fields = row.new_fields();
            fields.stage = stage.name.clone();
            fields.pipeline = stage.pipeline.clone();
            plan.creates.push(Create {
                line: row.line,
                crm_id: row.crm_id,
                fields,
                properties: row.properties,
            });
            continue;
        };
        if deal.deleted_at.is_some() {
            errors.push(error(
                &row,
                "id",
                &row.crm_id,
                format!(
                    "deal {} with this CRM id is deleted in Bearing: restore it, or remove the row",
                    deal.id
                ),
            ));
            continue;
        }
        let before = catalog.fields(&deal.row)?;
        let mut after = before.clone();
        for value in &row.values {
            value.apply(&mut after);
        }
        after.stage = stage.name.clone();
        after.pipeline = stage.pipeline.clone();
        if let Some((field, message)) = after.problems().into_iter().next() {
            errors.push(error(&row, field, "", message));
            continue;
        }
        if let Err(AppError::Invalid { field, message }) = crate::text::check_text(&after) {
            errors.push(error(&row, &field, "", message));
            continue;
        }
        let old_properties = properties.remove(&deal.id).unwrap_or_default();
        let mut merged = old_properties.clone();
        merged.extend(row.properties.clone());
        let changes = after.changes_from(Some(&before));
        let mut other_changes: Vec<String> = Vec::new();
        if after.name != before.name {
            other_changes.push("name".to_owned());
        }
        if after.revenue_type != before.revenue_type {
            other_changes.push("revenue_type".to_owned());
        }
        for (key, value) in &merged {
            if old_properties.get(key) != Some(value) {
                other_changes.push(key.clone());
            }
        }
        if changes.is_empty() && other_changes.is_empty() {
            plan.unchanged.push(Unchanged {
                line: row.line,
                crm_id: row.crm_id,
                deal: deal.id,
            });
        } else {
            plan.updates.push(Update {
                line: row.line,
                crm_id: row.crm_id,
                deal: deal.id,
                fields: after,
                properties: merged,
                changes,
                other_changes,
            });
        }
    }
    if errors.is_empty() {
        Ok(plan)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(AppError::Import(errors))
    }
}

/// Writes a plan in one transaction: all of it or, on any error, nothing.
pub async fn apply(store: &Store, ctx: &Context, plan: &Plan) -> Result<()> {
    ctx.require(Permission::EditCrm)?;
    let ctx = Context {
        source: Source::Import,
        ..ctx.clone()
    };
    let catalog = Catalog::load(store).await?;
    let at = ctx.now();
    let mut log = ChangeLog::new(&ctx, at);
    let mut tx = store.begin().await?;

    let rows = plan
        .creates
        .iter()
        .map(|c| catalog.row(&c.fields))
        .collect::<Result<Vec<_>>>()?;
    let created = tx.insert_deals(&rows, at).await?;
    let crm_ids: Vec<(DealId, String)> = created
        .iter()
        .zip(&plan.creates)
        .map(|(deal, c)| (deal.id, c.crm_id.clone()))
        .collect();
    tx.insert_external_ids(CRM, &crm_ids).await?;
    let properties: Vec<(DealId, &BTreeMap<String, String>)> = created
        .iter()
        .zip(&plan.creates)
        .map(|(deal, c)| (deal.id, &c.properties))
        .collect();
    tx.set_deal_properties(&properties).await?;
    for (deal, create) in created.iter().zip(&plan.creates) {
        log_change(&mut log, None, deal, create.fields.changes_from(None))?;
    }

    for update in &plan.updates {
        let row = catalog.row(&update.fields)?;
        let before = tx.get_deal(update.deal).await?;
        let after = tx.update_deal(update.deal, &row, at).await?;
        tx.set_deal_properties(&[(update.deal, &update.properties)])
            .await?;
        log_change(&mut log, Some(&before), &after, update.changes.clone())?;
    }
    log.write(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Plans and, unless `dry_run`, applies an import of a CRM deal export.
pub async fn import_deals(
    store: &Store,
    ctx: &Context,
    file: &str,
    input: impl Read,
    dry_run: bool,
) -> Result<Plan> {
    ctx.require(Permission::EditCrm)?;
    let plan = plan_deals(store, file, input).await?;
    if !dry_run {
        apply(store, ctx, &plan).await?;
    }
    Ok(plan)
}

/// What an import of organizations or contacts will do, row by row.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RecordPlan<T> {
    pub file: String,
    pub creates: Vec<Row<T>>,
    /// The row, the id of the record it changes, and the names of the fields that change.
    pub updates: Vec<(Row<T>, i64, Vec<String>)>,
    /// Line, key and id of rows that match their record already.
    pub unchanged: Vec<(u64, String, i64)>,
}

impl<T> RecordPlan<T> {
    pub fn summary(&self) -> String {
        format!(
            "{}: {} to create, {} to update, {} unchanged",
            self.file,
            self.creates.len(),
            self.updates.len(),
            self.unchanged.len()
        )
    }
}

/// The names of the top-level fields that differ between two values' JSON.
fn changed_fields<T: serde::Serialize>(before: &T, after: &T) -> Vec<String> {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return vec!["fields".to_owned()];
    };
    a.keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

fn property_changes(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> Vec<String> {
    new.iter()
        .filter(|(k, v)| old.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect()
}

/// Builds a plan from parsed rows: `existing` finds a row's record (id, fields, properties) by
/// key; `merge` sets the columns the file has on the record's fields.
fn plan_records<T: Clone + PartialEq + serde::Serialize>(
    file: &str,
    rows: Vec<Row<T>>,
    mut existing: impl FnMut(&str) -> Option<(i64, T, BTreeMap<String, String>)>,
    merge: impl Fn(&T, &Row<T>) -> T,
) -> RecordPlan<T> {
    let mut plan = RecordPlan {
        file: file.to_owned(),
        creates: Vec::new(),
        updates: Vec::new(),
        unchanged: Vec::new(),
    };
    for mut row in rows {
        match existing(&row.key) {
            None => plan.creates.push(row),
            Some((id, fields, properties)) => {
                let merged = merge(&fields, &row);
                let mut changed = changed_fields(&fields, &merged);
                changed.extend(property_changes(&properties, &row.properties));
                if changed.is_empty() {
                    plan.unchanged.push((row.line, row.key, id));
                } else {
                    row.fields = merged;
                    let mut all = properties;
                    all.extend(row.properties);
                    row.properties = all;
                    plan.updates.push((row, id, changed));
                }
            }
        }
    }
    plan
}

fn fail<T>(mut errors: Vec<RowError>) -> Result<T> {
    errors.sort_by_key(|e| e.line);
    Err(AppError::Import(errors))
}

/// Plans and, unless `dry_run`, applies an import of organizations, matched by name.
pub async fn import_organizations(
    store: &Store,
    ctx: &Context,
    file: &str,
    input: impl Read,
    dry_run: bool,
) -> Result<RecordPlan<OrganizationFields>> {
    ctx.require(Permission::EditCrm)?;
    let (rows, errors) = bearing_formats::directory::read_organizations(file, input);
    if !errors.is_empty() {
        return fail(errors);
    }
    let existing: HashMap<String, OrganizationRecord> = store
        .list_organizations(true)
        .await?
        .into_iter()
        .map(|o| (o.fields.name.to_string(), o))
        .collect();
    let mut properties = store.list_properties(PropertyOwner::Organization).await?;
    let deleted: Vec<RowError> = rows
        .iter()
        .filter(|r| existing.get(&r.key).is_some_and(|o| o.deleted_at.is_some()))
        .map(|r| RowError {
            file: file.to_owned(),
            line: r.line,
            column: "name".into(),
            value: r.key.clone(),
            message: "this organization is deleted in Bearing: restore it, or remove the row"
                .into(),
        })
        .collect();
    if !deleted.is_empty() {
        return fail(deleted);
    }
    let plan = plan_records(
        file,
        rows,
        |key| {
            existing.get(key).map(|o| {
                (
                    o.id.get(),
                    o.fields.clone(),
                    properties.remove(&o.id.get()).unwrap_or_default(),
                )
            })
        },
        |old, row| {
            let mut f = old.clone();
            let has = |c: &str| row.columns.iter().any(|x| x == c);
            if has("long_name") {
                f.long_name.clone_from(&row.fields.long_name);
            }
            if has("kind") {
                f.kind = row.fields.kind;
            }
            if has("website") {
                f.website.clone_from(&row.fields.website);
            }
            if has("github_org") {
                f.github_org.clone_from(&row.fields.github_org);
            }
            if has("notes") {
                f.notes.clone_from(&row.fields.notes);
            }
            if has("tags") {
                f.tags.clone_from(&row.fields.tags);
            }
            f
        },
    );
    if dry_run {
        return Ok(plan);
    }
    let ctx = Context {
        source: Source::Import,
        ..ctx.clone()
    };
    let at = ctx.now();
    let mut log = ChangeLog::new(&ctx, at);
    let mut tx = store.begin().await?;
    for row in &plan.creates {
        let created = tx.insert_organization(&row.fields, at).await?;
        tx.set_properties(
            PropertyOwner::Organization,
            &[(created.id.get(), &row.properties)],
        )
        .await?;
        log.record(Change::created(
            EntityKind::Organization,
            created.id,
            &created,
        ))?;
    }
    for (row, id, _) in &plan.updates {
        let id = OrganizationId::new(*id).map_err(|e| AppError::Internal(e.to_string()))?;
        let before = tx.get_organization(id).await?;
        let after = tx.update_organization(id, &row.fields, at).await?;
        tx.set_properties(PropertyOwner::Organization, &[(id.get(), &row.properties)])
            .await?;
        log.record(Change::updated(
            EntityKind::Organization,
            id,
            &before,
            &after,
        ))?;
    }
    log.write(&mut tx).await?;
    tx.commit().await?;
    Ok(plan)
}

/// Plans and, unless `dry_run`, applies an import of contacts, matched by email.
pub async fn import_contacts(
    store: &Store,
    ctx: &Context,
    file: &str,
    input: impl Read,
    dry_run: bool,
) -> Result<RecordPlan<ContactFields>> {
    ctx.require(Permission::EditCrm)?;
    let (rows, mut errors) = bearing_formats::directory::read_contacts(file, input);
    let organizations = crate::contacts::Organizations::load(store).await?;
    for row in &rows {
        for (org, _) in &row.fields.organizations {
            if organizations.id(org).is_err() {
                errors.push(RowError {
                    file: file.to_owned(),
                    line: row.line,
                    column: "organizations".into(),
                    value: org.to_string(),
                    message: format!("no organization named {org}"),
                });
            }
        }
    }
    if !errors.is_empty() {
        return fail(errors);
    }
    let contacts = crate::contacts::list(store, None, true).await?;
    let by_email: HashMap<String, &crate::contacts::Contact> = contacts
        .iter()
        .filter_map(|c| c.fields.email.clone().map(|e| (e, c)))
        .collect();
    let plan = plan_records(
        file,
        rows,
        |key| {
            by_email
                .get(key)
                .map(|c| (c.id.get(), c.fields.clone(), c.properties.clone()))
        },
        |old, row| {
            let mut f = old.clone();
            let has = |c: &str| row.columns.iter().any(|x| x == c);
            if has("name") {
                f.name.clone_from(&row.fields.name);
            }
            if has("github") {
                f.github.clone_from(&row.fields.github);
            }
            if has("organizations") {
                f.organizations.clone_from(&row.fields.organizations);
            }
            if has("strategic") {
                f.strategic = row.fields.strategic;
            }
            if has("coverage") {
                f.coverage.clone_from(&row.fields.coverage);
            }
            if has("notes") {
                f.notes.clone_from(&row.fields.notes);
            }
            f
        },
    );
    if dry_run {
        return Ok(plan);
    }
    let ctx = Context {
        source: Source::Import,
        ..ctx.clone()
    };
    let at = ctx.now();
    let mut log = ChangeLog::new(&ctx, at);
    let mut tx = store.begin().await?;
    for row in &plan.creates {
        let contact = crate::contacts::row(&organizations, &row.fields)?;
        let created = tx.insert_contact(&contact, at).await?;
        tx.set_properties(
            PropertyOwner::Contact,
            &[(created.id.get(), &row.properties)],
        )
        .await?;
        log.record(Change::created(EntityKind::Contact, created.id, &created))?;
    }
    for (row, id, _) in &plan.updates {
        let id = ContactId::new(*id).map_err(|e| AppError::Internal(e.to_string()))?;
        let contact = crate::contacts::row(&organizations, &row.fields)?;
        let before = tx.get_contact(id).await?;
        let after = tx.update_contact(id, &contact, at).await?;
        tx.set_properties(PropertyOwner::Contact, &[(id.get(), &row.properties)])
            .await?;
        log.record(Change::updated(EntityKind::Contact, id, &before, &after))?;
    }
    log.write(&mut tx).await?;
    tx.commit().await?;
    Ok(plan)
}
