//! Loading the demo organisation into a database.

use bearing_core::demo::DemoData;
use bearing_core::{Action, EntityKind};
use bearing_store::{OrganizationRecord, Store};

use crate::deals::{Catalog, record_change};
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
    let mut catalog = Catalog::load(store).await?;
    let at = jiff::Timestamp::now();
    let mut tx = store.begin().await?;
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
        catalog.add_organization(created.fields.name.clone(), created.id);
    }
    let mut ids = Vec::with_capacity(data.deals.len());
    for (index, deal) in data.deals.iter().enumerate() {
        let mut fields = deal.fields.clone();
        fields.renews = match deal.renews {
            Some(earlier) => Some(*ids.get(earlier).ok_or_else(|| {
                AppError::invalid(format!("demo deal {index}"), "renews a later deal")
            })?),
            None => None,
        };
        let row = catalog.row(&fields)?;
        let created = tx.insert_deal(&row, at).await?;
        let history = fields.changes_from(None);
        record_change(&mut tx, ctx, at, Action::Create, None, &created, &history).await?;
        ids.push(created.id);
    }
    tx.commit().await?;
    Ok(DemoSummary {
        organizations: data.organizations.len(),
        deals: data.deals.len(),
    })
}
