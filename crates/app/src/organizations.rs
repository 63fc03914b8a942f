//! Organizations: create, edit, soft-delete and restore, each with its audit row.

use bearing_core::organization::OrganizationFields;
use bearing_core::{EntityKind, OrganizationId};
use bearing_formats::Table;
use bearing_store::{OrganizationRecord, Store};

use crate::{AppError, Change, Context, Result, audit};
use bearing_core::access::Permission;

pub async fn create(
    store: &Store,
    ctx: &Context,
    fields: OrganizationFields,
) -> Result<OrganizationRecord> {
    ctx.require(Permission::EditCrm)?;
    crate::text::check_text(&fields)?;
    let at = ctx.now();
    let mut tx = store.begin().await?;
    let created = tx.insert_organization(&fields, at).await?;
    audit(
        &mut tx,
        ctx,
        at,
        Change::created(EntityKind::Organization, created.id, &created),
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

pub async fn update(
    store: &Store,
    ctx: &Context,
    id: OrganizationId,
    fields: OrganizationFields,
) -> Result<OrganizationRecord> {
    ctx.require(Permission::EditCrm)?;
    crate::text::check_text(&fields)?;
    let at = ctx.now();
    let mut tx = store.begin().await?;
    let before = tx.get_organization(id).await?;
    if before.deleted_at.is_some() {
        return Err(AppError::Conflict(format!(
            "organization {id} is deleted: restore it before editing"
        )));
    }
    if before.fields == fields {
        return Ok(before);
    }
    let after = tx.update_organization(id, &fields, at).await?;
    audit(
        &mut tx,
        ctx,
        at,
        Change::updated(EntityKind::Organization, id, &before, &after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Soft-deletes: the organization leaves lists but keeps its history and can be restored.
pub async fn delete(
    store: &Store,
    ctx: &Context,
    id: OrganizationId,
) -> Result<OrganizationRecord> {
    ctx.require(Permission::EditCrm)?;
    set_deleted(store, ctx, id, true).await
}

pub async fn restore(
    store: &Store,
    ctx: &Context,
    id: OrganizationId,
) -> Result<OrganizationRecord> {
    ctx.require(Permission::EditCrm)?;
    set_deleted(store, ctx, id, false).await
}

async fn set_deleted(
    store: &Store,
    ctx: &Context,
    id: OrganizationId,
    deleted: bool,
) -> Result<OrganizationRecord> {
    crate::soft_delete::set_deleted(store, ctx, id, deleted).await
}

/// The columns of every list of these, in every format.
pub fn table(list: &[OrganizationRecord]) -> Table {
    let mut table = Table::new([
        "id",
        "name",
        "long_name",
        "kind",
        "website",
        "github",
        "tags",
        "notes",
        "deleted",
    ]);
    for org in list {
        let f = &org.fields;
        table.push([
            Some(org.id.to_string()),
            Some(f.name.to_string()),
            f.long_name.clone(),
            Some(f.kind.to_string()),
            f.website.clone(),
            f.github_org.clone(),
            Some(f.tags.join("; ")),
            f.notes.clone(),
            org.deleted_at.map(bearing_store::timestamp_text),
        ]);
    }
    table
}
