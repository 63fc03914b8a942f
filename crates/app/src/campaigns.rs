//! Campaigns: lead-generation experiments, with what they cost in money and person-days.

use bearing_core::Money;
use bearing_core::{CampaignId, EntityKind};
use bearing_formats::Table;
use bearing_store::{CampaignRecord, CampaignRow, Store};

use crate::{AppError, Change, Context, Result, audit};
use bearing_core::access::Permission;

fn validate(row: &CampaignRow) -> Result<CampaignRow> {
    crate::text::check_text(row)?;
    let mut row = row.clone();
    row.name = row.name.trim().to_owned();
    if row.name.is_empty() {
        return Err(AppError::invalid("name", "a campaign needs a name"));
    }
    if let (Some(start), Some(end)) = (row.start_date, row.end_date)
        && end < start
    {
        return Err(AppError::invalid(
            "end_date",
            format!("ends {end}, before it starts {start}"),
        ));
    }
    if row.cost_minor.is_some_and(|c| c < 0) {
        return Err(AppError::invalid("cost", "a cost cannot be negative"));
    }
    if row
        .cost_person_days
        .is_some_and(|d| !d.is_finite() || d < 0.0)
    {
        return Err(AppError::invalid(
            "person_days",
            "person-days are a number of 0 or more",
        ));
    }
    Ok(row)
}

pub async fn create(store: &Store, ctx: &Context, row: CampaignRow) -> Result<CampaignRecord> {
    ctx.require(Permission::EditCrm)?;
    let row = validate(&row)?;
    let at = ctx.now();
    let mut tx = store.begin().await?;
    let created = tx.insert_campaign(&row, at).await?;
    audit(
        &mut tx,
        ctx,
        at,
        Change::created(EntityKind::Campaign, created.id, &created),
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

pub async fn edit(
    store: &Store,
    ctx: &Context,
    id: CampaignId,
    row: CampaignRow,
) -> Result<CampaignRecord> {
    ctx.require(Permission::EditCrm)?;
    let row = validate(&row)?;
    let at = ctx.now();
    let mut tx = store.begin().await?;
    let before = tx.get_campaign(id).await?;
    if before.deleted_at.is_some() {
        return Err(AppError::Conflict(format!(
            "campaign {id} is deleted: restore it before editing"
        )));
    }
    if before.row == row {
        return Ok(before);
    }
    let after = tx.update_campaign(id, &row, at).await?;
    audit(
        &mut tx,
        ctx,
        at,
        Change::updated(EntityKind::Campaign, after.id, &before, &after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Soft-deletes (`true`) or restores (`false`) a campaign.
pub async fn set_deleted(
    store: &Store,
    ctx: &Context,
    id: CampaignId,
    deleted: bool,
) -> Result<CampaignRecord> {
    ctx.require(Permission::EditCrm)?;
    crate::soft_delete::set_deleted(store, ctx, id, deleted).await
}

/// A campaign by id or by name.
pub async fn find(store: &Store, key: &str) -> Result<CampaignRecord> {
    let all = store.list_campaigns(true).await?;
    let by_id = key.trim().parse::<CampaignId>().ok();
    all.into_iter()
        .find(|c| Some(c.id) == by_id || c.row.name.eq_ignore_ascii_case(key.trim()))
        .ok_or_else(|| AppError::NotFound(format!("no campaign {key:?}")))
}

/// The columns of every list of these, in every format.
pub fn table(list: &[CampaignRecord]) -> Table {
    let mut table = Table::new([
        "id",
        "name",
        "channel",
        "start",
        "end",
        "cost",
        "currency",
        "person_days",
        "notes",
        "deleted",
    ]);
    for c in list {
        let r = &c.row;
        table.push([
            Some(c.id.to_string()),
            Some(r.name.clone()),
            r.channel.clone(),
            r.start_date.map(|d| d.to_string()),
            r.end_date.map(|d| d.to_string()),
            r.cost_minor
                .map(|m| Money::from_minor(m, r.currency).decimal()),
            Some(r.currency.to_string()),
            r.cost_person_days.map(|d| d.to_string()),
            r.notes.clone(),
            c.deleted_at.map(bearing_store::timestamp_text),
        ]);
    }
    table
}
