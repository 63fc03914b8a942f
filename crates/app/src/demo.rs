//! Loading the demo organisation into a database.

use std::collections::HashMap;

use bearing_core::demo::DemoData;
use bearing_core::organization::OrganizationName;
use bearing_core::{Action, EntityKind, OrganizationId};
use bearing_store::{DealRecord, DealRow, OrganizationRecord, StageRecord, Store};

use crate::{AppError, Change, Context, Result, audit};

/// What a demo load wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DemoSummary {
    pub organizations: usize,
    pub deals: usize,
}

/// Writes the demo organisation, audit rows included, in one transaction. Refuses a database
/// that already holds data, so a demo never mixes with real records.
pub async fn load(store: &Store, ctx: &Context, data: &DemoData) -> Result<DemoSummary> {
    if !store.is_empty().await? {
        return Err(AppError::Conflict(format!(
            "{} already holds data: the demo only fills an empty database",
            store.url()
        )));
    }
    let stages: HashMap<(String, String), StageRecord> = store
        .list_stages()
        .await?
        .into_iter()
        .map(|s| ((s.pipeline.clone(), s.name.clone()), s))
        .collect();
    let at = jiff::Timestamp::now();
    let mut tx = store.begin().await?;
    let mut organizations: HashMap<OrganizationName, OrganizationId> = HashMap::new();
    for fields in &data.organizations {
        let created = tx.insert_organization(fields, at).await?;
        audit::<OrganizationRecord>(
            &mut tx,
            ctx,
            at,
            Change {
                entity: EntityKind::Organization,
                id: created.id.to_string(),
                action: Action::Create,
                before: None,
                after: Some(&created),
            },
        )
        .await?;
        organizations.insert(created.fields.name.clone(), created.id);
    }
    let mut ids = Vec::with_capacity(data.deals.len());
    for (index, deal) in data.deals.iter().enumerate() {
        let f = &deal.fields;
        let stage = stages
            .get(&(f.pipeline.clone(), f.stage.clone()))
            .ok_or_else(|| {
                AppError::invalid(
                    format!("demo deal {index}"),
                    format!("no stage {:?} in pipeline {:?}", f.stage, f.pipeline),
                )
            })?;
        let organization_id = match &f.organization {
            Some(name) => Some(*organizations.get(name).ok_or_else(|| {
                AppError::invalid(
                    format!("demo deal {index}"),
                    format!("no organization {name}"),
                )
            })?),
            None => None,
        };
        let renews_deal_id = match deal.renews {
            Some(earlier) => Some(*ids.get(earlier).ok_or_else(|| {
                AppError::invalid(format!("demo deal {index}"), "renews a later deal")
            })?),
            None => None,
        };
        let row = DealRow {
            name: f.name.clone(),
            organization_id,
            pipeline_id: stage.pipeline_id,
            stage_id: stage.id,
            probability: f.probability.map(|p| p.get()),
            forecast_category: f.forecast_category,
            revenue_type: f.revenue_type.clone(),
            deal_type: f.deal_type,
            renews_deal_id,
            currency: f.currency,
            amount_minor: f.amount_minor,
            collected_minor: f.collected_minor,
            close_date: f.close_date,
            contract_start: f.contract_start,
            contract_end: f.contract_end,
            target_start: f.target_start,
            target_end: f.target_end,
            owner: f.owner.clone(),
            campaign_id: None,
            loss_reason: f.loss_reason.clone(),
        };
        let created = tx.insert_deal(&row, at).await?;
        audit::<DealRecord>(
            &mut tx,
            ctx,
            at,
            Change {
                entity: EntityKind::Deal,
                id: created.id.to_string(),
                action: Action::Create,
                before: None,
                after: Some(&created),
            },
        )
        .await?;
        ids.push(created.id);
    }
    tx.commit().await?;
    Ok(DemoSummary {
        organizations: data.organizations.len(),
        deals: data.deals.len(),
    })
}
