//! Loading the demo organisation into a database.

use bearing_core::demo::DemoData;
use bearing_core::{Action, EntityKind};
use bearing_store::{DealRow, OrganizationRecord, Store};

use crate::deals::{Catalog, log_change};
use crate::{AppError, Change, ChangeLog, Context, Result};

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
    let mut catalog = Catalog::load(store).await?;
    let at = jiff::Timestamp::now();
    let mut log = ChangeLog::new(ctx, at);
    let mut tx = store.begin().await?;
    for fields in &data.organizations {
        let created = tx.insert_organization(fields, at).await?;
        log.record::<OrganizationRecord>(Change {
            entity: EntityKind::Organization,
            id: created.id.to_string(),
            action: Action::Create,
            before: None,
            after: Some(&created),
        })?;
        catalog.add_organization(created.fields.name.clone(), created.id);
    }
    // Ids first, so that a renewal can name the deal it renews in the same batch.
    let ids = tx.reserve_deal_ids(data.deals.len()).await?;
    let mut batch = Vec::with_capacity(data.deals.len());
    for (index, deal) in data.deals.iter().enumerate() {
        let mut fields = deal.fields.clone();
        fields.renews = match deal.renews {
            Some(earlier) if earlier < index => ids.get(earlier).copied(),
            Some(_) => {
                return Err(AppError::invalid(
                    format!("demo deal {index}"),
                    "renews a later deal",
                ));
            }
            None => None,
        };
        batch.push((catalog.row(&fields)?, fields));
    }
    let rows: Vec<DealRow> = batch.iter().map(|(row, _)| row.clone()).collect();
    let created = tx.insert_deals_with_ids(&ids, &rows, at).await?;
    for (deal, (_, fields)) in created.iter().zip(batch) {
        log_change(
            &mut log,
            Action::Create,
            None,
            deal,
            fields.changes_from(None),
        )?;
    }
    log.write(&mut tx).await?;
    tx.commit().await?;
    Ok(DemoSummary {
        organizations: data.organizations.len(),
        deals: data.deals.len(),
    })
}
