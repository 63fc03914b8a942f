//! Loading the demo organisation into a database.

use bearing_core::EntityKind;
use bearing_core::demo::DemoData;
use bearing_store::{CampaignRecord, ContactRecord, DealRow, OrganizationRecord, Store};

use crate::contacts::Organizations;
use crate::deals::{Catalog, log_change};
use crate::{AppError, Change, ChangeLog, Context, Result};

/// What a demo load wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DemoSummary {
    pub organizations: usize,
    pub contacts: usize,
    pub campaigns: usize,
    pub deals: usize,
    pub clusters: usize,
    pub samples: usize,
}

/// The demo organisation's role pages (MyST Markdown, in the shape of an organisation's
/// job-titles page and its areas' pages): file name, text, and the area an area's page is
/// about. They are read in exactly as `bearing import roles` reads a real organisation's.
pub const ROLE_PAGES: [(&str, &str, Option<&str>); 4] = [
    ("job-titles.md", include_str!("../demo/job-titles.md"), None),
    (
        "executive-director.md",
        include_str!("../demo/executive-director.md"),
        Some("Executive Director"),
    ),
    (
        "engineering.md",
        include_str!("../demo/engineering.md"),
        Some("Engineering"),
    ),
    (
        "partnerships.md",
        include_str!("../demo/partnerships.md"),
        Some("Partnerships"),
    ),
];

/// Writes the demo organisation, audit rows included, in one transaction. Refuses a database
/// that already holds data, so a demo never mixes with real records.
pub async fn load(store: &Store, ctx: &Context, data: &DemoData) -> Result<DemoSummary> {
    for &permission in bearing_core::access::Permission::ALL {
        ctx.require(permission)?;
    }
    if !store.is_empty().await? {
        return Err(AppError::Conflict(format!(
            "{} already holds data: the demo only fills an empty database",
            store.url()
        )));
    }
    let mut catalog = Catalog::load(store).await?;
    let mut organizations = Organizations::load(store).await?;
    let at = ctx.now();
    let mut log = ChangeLog::new(ctx, at);
    let mut tx = store.begin().await?;
    for fields in &data.campaigns {
        let created = tx.insert_campaign(fields, at).await?;
        log.record::<CampaignRecord>(Change::created(EntityKind::Campaign, created.id, &created))?;
        catalog.add_campaign(created.row.name.clone(), created.id);
    }
    for fields in &data.organizations {
        let created = tx.insert_organization(fields, at).await?;
        log.record::<OrganizationRecord>(Change::created(
            EntityKind::Organization,
            created.id,
            &created,
        ))?;
        catalog.add_organization(created.fields.name.clone(), created.id);
        organizations.insert(created.fields.name.clone(), created.id);
    }
    for fields in &data.contacts {
        let row = crate::contacts::row(&organizations, fields)?;
        let created = tx.insert_contact(&row, at).await?;
        log.record::<ContactRecord>(Change::created(EntityKind::Contact, created.id, &created))?;
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
        batch.push((catalog.row(&fields)?, ()));
    }
    let rows: Vec<DealRow> = batch.into_iter().map(|(row, _)| row).collect();
    let created = tx.insert_deals_with_ids(&ids, &rows, at).await?;
    for (deal, demo) in created.iter().zip(&data.deals) {
        // The deal's own past stands in for the creation's history rows.
        log_change(&mut log, None, deal, Vec::new())?;
        let past = demo
            .history
            .iter()
            .map(|(day, change)| (morning(*day), change.clone()))
            .collect();
        log.deal_history_at(deal.id, past);
    }
    let mut samples = Vec::new();
    for cluster in &data.clusters {
        let owner = organizations.id(&cluster.organization)?;
        let id = tx.insert_cluster(&cluster.name, Some(owner), at).await?;
        let fields = bearing_core::usage::UnitFields {
            provider: Some(cluster.provider.to_owned()),
            dedicated: Some(cluster.dedicated),
            organization: Some(owner),
            deal: created.get(cluster.deal).map(|d| d.id),
            start: Some(cluster.start),
            end: None,
        };
        let record = tx
            .update_unit(bearing_store::UnitId::Cluster(id), &fields, at)
            .await?;
        log.record(Change::created(EntityKind::Cluster, id, &record))?;
        for (hub, days) in &cluster.hubs {
            let hub_id = tx.insert_hub(id, hub, at).await?;
            let value = serde_json::json!({ "id": hub_id, "cluster": cluster.name, "name": hub });
            log.record(Change::created(EntityKind::Hub, hub_id, &value))?;
            samples.extend(days.iter().map(|(date, users)| bearing_store::NewSample {
                cluster_id: id,
                hub_id: Some(hub_id),
                date: *date,
                users: *users,
            }));
        }
        samples.extend(
            cluster
                .samples
                .iter()
                .map(|(date, users)| bearing_store::NewSample {
                    cluster_id: id,
                    hub_id: None,
                    date: *date,
                    users: *users,
                }),
        );
    }
    tx.upsert_samples(&samples, ctx.source, at).await?;
    load_team(&mut tx, &mut log, &data.team, at).await?;
    if let Some(books_closed) = data.assumptions.books_closed {
        let from = books_closed.plus(1).unwrap_or(books_closed).first_day();
        let version = tx
            .insert_assumptions(&data.assumptions, from, at, &ctx.actor, ctx.source)
            .await?;
        log.record::<bearing_core::assumptions::Assumptions>(Change::created(
            EntityKind::Assumptions,
            version,
            &data.assumptions,
        ))?;
    }
    log.write(&mut tx).await?;
    tx.commit().await?;
    Ok(DemoSummary {
        organizations: data.organizations.len(),
        contacts: data.contacts.len(),
        campaigns: data.campaigns.len(),
        deals: data.deals.len(),
        clusters: data.clusters.len(),
        samples: data.clusters.iter().map(|c| c.samples.len()).sum(),
    })
}

/// Ten in the morning, UTC, of `day`: when the demo's past changes happened.
fn morning(day: bearing_core::Date) -> jiff::Timestamp {
    day.to_datetime(jiff::civil::time(10, 0, 0, 0))
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// The demo's areas and roles (from its role pages), bands, people and assignments, each with
/// its audit rows.
async fn load_team(
    tx: &mut bearing_store::Tx,
    log: &mut ChangeLog<'_>,
    team: &bearing_core::demo_team::DemoTeam,
    at: jiff::Timestamp,
) -> Result<()> {
    for (file, text, area) in ROLE_PAGES {
        crate::roles::read_page(tx, log, file, text, area, false).await?;
    }
    let role_ids: std::collections::HashMap<String, bearing_core::RoleId> = tx
        .list_roles()
        .await?
        .into_iter()
        .map(|r| (r.text.name, r.id))
        .collect();
    tx.put_bands(&team.bands, at).await?;
    for b in &team.bands {
        log.record(Change::created(
            EntityKind::Band,
            format!("{}/L{}/S{}/{}", b.ladder, b.level, b.step, b.effective_from),
            b,
        ))?;
    }
    for (fields, assignments) in &team.people {
        let person = tx.insert_person(fields, at).await?;
        log.record(Change::created(EntityKind::Person, person.id, &person))?;
        for a in assignments {
            let role = *role_ids
                .get(a.role.as_str())
                .ok_or_else(|| AppError::Internal(format!("the demo has no role {}", a.role)))?;
            let created = tx.insert_assignment(person.id, role, a, at).await?;
            log.record(Change::created(
                EntityKind::Assignment,
                created.id,
                &created,
            ))?;
        }
    }
    Ok(())
}
