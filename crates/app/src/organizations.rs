//! Organizations: create, edit, soft-delete and restore, each with its audit row.

use bearing_core::organization::OrganizationFields;
use bearing_core::pipeline::StageOutcome;
use bearing_core::{ClusterId, EntityKind, Month, OrganizationId};
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

/// What an organization brought in one month.
#[derive(Debug, Clone, PartialEq)]
pub struct RevenueMonth {
    pub month: Month,
    /// Its won deals' amounts spread evenly over their terms (as CMRR counts them).
    pub contracts: f64,
    /// Active users on its clusters, and their usage fees.
    pub users: i64,
    pub usage_fee: f64,
}

impl RevenueMonth {
    /// Contracts and usage fees together.
    pub fn total(&self) -> f64 {
        self.contracts + self.usage_fee
    }
}

/// Months [`revenue_by_month`] covers: the current one and the eleven before.
pub const REVENUE_MONTHS: i32 = 12;

/// An organization's revenue in the last [`REVENUE_MONTHS`] months to `now`, oldest first:
/// the won deals among `deals` spread over their terms (contract dates, else target dates),
/// and the usage of `clusters`, each priced on its own users.
pub async fn revenue_by_month(
    store: &Store,
    a: &bearing_core::assumptions::Assumptions,
    deals: &[&crate::deals::Deal],
    clusters: &[ClusterId],
    now: Month,
) -> Result<Vec<RevenueMonth>> {
    let usage = crate::usage::months_of(store, a, clusters).await?;
    let terms: Vec<(Month, Month, f64)> = deals
        .iter()
        .filter(|d| d.stage_outcome == StageOutcome::Won)
        .filter_map(|d| {
            let f = &d.fields;
            f.amount_minor?;
            Some(bearing_core::forecast::spread(
                d.amount_major(),
                f.contract_start.or(f.target_start)?,
                f.contract_end.or(f.target_end)?,
            ))
        })
        .collect();
    Ok((1 - REVENUE_MONTHS..=0)
        .filter_map(|back| now.plus(back))
        .map(|month| {
            let (users, usage_fee) = usage
                .iter()
                .find(|(m, _, _)| *m == month)
                .map_or((0, 0.0), |(_, users, fee)| (*users, *fee));
            RevenueMonth {
                month,
                contracts: terms
                    .iter()
                    .filter(|(first, last, _)| *first <= month && month <= *last)
                    .map(|(_, _, rate)| rate)
                    .sum(),
                users,
                usage_fee,
            }
        })
        .collect())
}
