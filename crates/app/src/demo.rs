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

/// What the demo's books wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct BooksSummary {
    pub ledger_lines: usize,
    pub months: usize,
    pub closes: usize,
    pub scenarios: usize,
    pub invoices: usize,
    pub payments: usize,
    /// Invoices in the sponsor's invoice ledger, and what differs from Bearing's.
    pub ledger_invoices: usize,
    pub discrepancies: usize,
    /// Lines of the cloud bills imported.
    pub cloud_lines: usize,
}

/// The demo ledger's accounts beyond the organisation's chart: code, name, category.
const DEMO_ACCOUNTS: [(&str, &str, bearing_core::actuals::Category); 6] = [
    (
        "4300",
        "Grant revenue",
        bearing_core::actuals::Category::Grant,
    ),
    ("4400", "Gifts", bearing_core::actuals::Category::Gift),
    (
        "6000",
        "Salaries and benefits",
        bearing_core::actuals::Category::Personnel,
    ),
    (
        "6100",
        "Fiscal sponsor fee",
        bearing_core::actuals::Category::SponsorFee,
    ),
    ("6200", "Travel", bearing_core::actuals::Category::Travel),
    (
        "6300",
        "Software and services",
        bearing_core::actuals::Category::OtherCost,
    ),
];

/// Months of ledger the demo has, and how many of the last of them are closed.
const LEDGER_MONTHS: i32 = 36;
const CLOSED_MONTHS: i32 = 12;

/// Writes the demo's books on top of a loaded demo (`load`), as of `as_of`: three years of
/// the sponsor's ledger made from its won deals (each booked a month at a time to its revenue
/// type's account) and its team (payroll split by grant code), the sponsor's fee, travel,
/// software and absorbed cloud costs; the accounts mapped; the last twelve months closed in
/// order, each freezing the forecast made before it, with net assets that end where the
/// demo's assumptions put them; and two scenarios. Everything goes through the same services
/// as a real organisation's books.
pub async fn load_books(
    store: &Store,
    ctx: &Context,
    as_of: bearing_core::Date,
) -> Result<BooksSummary> {
    use bearing_core::Month;
    use std::collections::BTreeMap;
    use std::fmt::Write as _;

    let ctx = ctx.clone().at(morning(as_of));
    let now = Month::of(as_of);
    let months: Vec<Month> = (1..=LEDGER_MONTHS)
        .rev()
        .filter_map(|back| now.plus(-back))
        .collect();
    let mut csv = String::from("Date,Source,Description,Net,Account Code,Account Name,Grants\n");
    let mut revenue: BTreeMap<Month, i64> = BTreeMap::new();
    let mut lines = 0;
    let mut line = |csv: &mut String,
                    month: Month,
                    source: &str,
                    what: &str,
                    cents: i64,
                    account: &str,
                    name: &str,
                    grant: &str| {
        let _ = writeln!(
            csv,
            "{},{source},\"{}\",{}.{:02},{account},{name},{grant}",
            month.last_day(),
            what.replace('"', "'"),
            cents / 100,
            cents % 100
        );
        lines += 1;
    };
    // Each won deal is invoiced each month for what the forecast of that month projected for
    // it, a few percent either way, as real invoices drift from plans.
    for mut deal in crate::forecast::snapshot(store).await? {
        if deal.outcome != bearing_core::pipeline::StageOutcome::Won {
            continue;
        }
        // A contract complete today was active in its months.
        deal.active_won = true;
        let kind = deal.revenue_type.clone().unwrap_or_default();
        let (account, name) = if kind.starts_with("membership") {
            ("4221", "Membership fees")
        } else if kind == "grant" {
            ("4300", "Grant revenue")
        } else if kind == "gift" {
            ("4400", "Gifts")
        } else {
            ("4224", "Service fees")
        };
        for month in &months {
            let derived = bearing_core::forecast::derive(&deal, *month);
            if derived.category != bearing_core::forecast::Category::Active
                || !derived.active_in(*month)
                || derived.projection_rate <= 0.0
            {
                continue;
            }
            let drift = 0.96
                + f64::from((deal.name.len() as i32 * 7 + month.month() as i32 * 13) % 9) / 100.0;
            let cents = (derived.projection_rate * drift * 100.0).round() as i64;
            line(
                &mut csv,
                *month,
                "Receivable Invoice",
                &format!("{} {month}", deal.name),
                cents,
                account,
                name,
                "",
            );
            *revenue.entry(*month).or_default() += cents;
        }
    }
    let payroll = crate::people::assignment_costs(
        store,
        &months,
        &bearing_core::people::CostRates::default(),
    )
    .await?;
    let mut by_grant: BTreeMap<(Month, String), f64> = BTreeMap::new();
    for a in &payroll {
        for (grant, share) in &a.funding {
            *by_grant.entry((a.month, grant.clone())).or_default() += a.cost * share;
        }
    }
    for ((month, grant), cost) in by_grant {
        let cents = (cost * 100.0).round() as i64;
        if cents > 0 {
            let grant = if grant == "unrestricted" {
                ""
            } else {
                grant.as_str()
            };
            line(
                &mut csv,
                month,
                "Payroll",
                &format!("Salaries and benefits {month}"),
                cents,
                "6000",
                "Salaries and benefits",
                grant,
            );
        }
    }
    for month in &months {
        let earned = revenue.get(month).copied().unwrap_or(0);
        let fee = earned * 15 / 100;
        line(
            &mut csv,
            *month,
            "Payable Invoice",
            &format!("Fiscal sponsor fee {month}"),
            fee,
            "6100",
            "Fiscal sponsor fee",
            "",
        );
        line(
            &mut csv,
            *month,
            "Spend Money",
            &format!("Travel {month}"),
            180_000 + i64::from(month.month()) * 7_500,
            "6200",
            "Travel",
            "",
        );
        line(
            &mut csv,
            *month,
            "Payable Invoice",
            &format!("Software and services {month}"),
            95_000,
            "6300",
            "Software and services",
            "",
        );
        line(
            &mut csv,
            *month,
            "Payable Invoice",
            &format!("Cloud, not recovered {month}"),
            150_000,
            "7062",
            "Cloud costs not recoverable",
            "",
        );
    }
    for (code, name, category) in DEMO_ACCOUNTS {
        crate::books::map_account(store, &ctx, code, Some(name), category).await?;
    }
    crate::books::import_actuals(
        store,
        &ctx,
        "demo-ledger.csv",
        csv.as_bytes(),
        &bearing_formats::ledger::Columns::default(),
        None,
        false,
    )
    .await?;
    // Net assets that end the closes where the demo's assumptions put them.
    let (_, assumptions) = crate::assumptions::current(store, as_of).await?;
    let actuals = crate::books::months(store).await?;
    let closing: Vec<Month> = (1..=CLOSED_MONTHS)
        .rev()
        .filter_map(|back| now.plus(-back))
        .collect();
    let net: i64 = closing
        .iter()
        .filter_map(|m| actuals.get(m))
        .map(|a| a.revenue() - a.costs())
        .sum();
    let opening = (assumptions.net_assets * 100.0).round() as i64 - net;
    let before_first = closing.first().and_then(|m| m.plus(-1)).unwrap_or(now);
    crate::assumptions::set(
        store,
        &ctx,
        &[
            ("books-closed".to_owned(), before_first.to_string()),
            (
                "net-assets".to_owned(),
                format!("{}.{:02}", opening / 100, (opening % 100).abs()),
            ),
        ],
        as_of,
    )
    .await?;
    for month in &closing {
        crate::books::close(store, &ctx, *month, None, None).await?;
    }
    let hire = bearing_core::scenario::Change::Hire {
        role: "Infrastructure Engineer".to_owned(),
        level: 2,
        step: 1,
        fte: 1.0,
        start: now.plus(3).unwrap_or(now),
        end: None,
        funding: Vec::new(),
        payment: None,
    };
    crate::scenarios::add(
        store,
        &ctx,
        &format!(
            "Infrastructure Engineer L2 from {}",
            now.plus(3).unwrap_or(now).words()
        ),
        Some("The next engineer, asked about on the Can we hire? page"),
        vec![hire],
    )
    .await?;
    let open = crate::deals::list(store, &crate::deals::DealFilter::default())
        .await?
        .into_iter()
        .filter(|d| d.stage_outcome == bearing_core::pipeline::StageOutcome::Open)
        .max_by_key(|d| d.fields.amount_minor.unwrap_or(0));
    let mut changes = vec![bearing_core::scenario::Change::Cost {
        monthly: -1_500.0,
        from: now.plus(1).unwrap_or(now),
    }];
    if let Some(deal) = &open {
        changes.insert(
            0,
            bearing_core::scenario::Change::Outcome {
                deal: deal.id.get(),
                won: false,
                start: None,
                end: None,
            },
        );
    }
    crate::scenarios::add(
        store,
        &ctx,
        "The largest open deal lost, travel cut",
        Some(&format!(
            "What if {} falls through, and travel is cut by $1,500 a month?",
            open.as_ref()
                .map_or("the largest open deal", |d| d.fields.name.as_str())
        )),
        changes,
    )
    .await?;
    let (invoices, payments) = load_invoices(store, &ctx, as_of).await?;
    let (cloud_lines, cloud_invoices, cloud_payments) = load_cloud(store, &ctx, as_of).await?;
    let (invoices, payments) = (invoices + cloud_invoices, payments + cloud_payments);
    let ledger_invoices = load_invoice_ledger(store, &ctx).await?;
    let discrepancies = crate::ledger::reconciliation(store, &ctx)
        .await?
        .discrepancies
        .len();
    Ok(BooksSummary {
        ledger_lines: lines,
        months: months.len(),
        closes: closing.len(),
        scenarios: 2,
        invoices,
        payments,
        ledger_invoices,
        discrepancies,
        cloud_lines,
    })
}

/// Months of cloud bills the demo has, up to the month before `as_of`.
const CLOUD_MONTHS: i32 = 6;

/// The demo's cloud costs: six months of bills in the FinOps FOCUS columns. Each dedicated
/// cluster has a billing account of its own, recoverable, its last month over its threshold
/// for the first of them (an overrun to decide on); a shared cluster, `commons`, has a hub
/// for each of three communities and a sub-account of the organisation's shared account,
/// split 50 : 30 : 20 among them, with the outreach team's resources (tagged) absorbed. The
/// recoverable costs of each month but the last are invoiced by the billing run, issued on
/// the first of the next month and paid, but the latest issued; one partner holds research
/// credits. Through the same services as a real organisation's; the lines imported, the
/// invoices made and the payments recorded.
async fn load_cloud(
    store: &Store,
    ctx: &Context,
    as_of: bearing_core::Date,
) -> Result<(usize, usize, usize)> {
    use bearing_core::Month;
    use std::fmt::Write as _;

    let now = Month::of(as_of);
    let months: Vec<Month> = (1..=CLOUD_MONTHS)
        .rev()
        .filter_map(|back| now.plus(-back))
        .collect();
    let units = store.list_units().await?;
    let clusters: Vec<&bearing_store::UnitRecord> = units
        .iter()
        .filter(|u| u.kind() == bearing_store::UnitKind::Cluster)
        .collect();
    let dedicated: Vec<&&bearing_store::UnitRecord> = clusters
        .iter()
        .filter(|u| u.fields.dedicated == Some(true))
        .collect();
    // The shared cluster's three communities: owners of clusters that are not dedicated.
    let mut sharing: Vec<bearing_core::OrganizationId> = Vec::new();
    for c in clusters.iter().filter(|u| u.fields.dedicated != Some(true)) {
        if let Some(o) = c.fields.organization
            && !sharing.contains(&o)
            && sharing.len() < 3
        {
            sharing.push(o);
        }
    }
    if dedicated.is_empty() || sharing.len() < 3 {
        return Ok((0, 0, 0));
    }
    let at = ctx.now();
    let mut tx = store.begin().await?;
    let mut log = ChangeLog::new(ctx, at);
    let commons = tx.insert_cluster("commons", None, at).await?;
    let fields = bearing_core::usage::UnitFields {
        provider: Some("aws".to_owned()),
        dedicated: Some(false),
        organization: None,
        deal: None,
        start: months.first().map(|m| m.first_day()),
        end: None,
    };
    let record = tx
        .update_unit(bearing_store::UnitId::Cluster(commons), &fields, at)
        .await?;
    log.record(Change::created(EntityKind::Cluster, commons, &record))?;
    let mut hubs = Vec::new();
    for (n, owner) in sharing.iter().enumerate() {
        let name = format!("commons-{}", n + 1);
        let hub = tx.insert_hub(commons, &name, at).await?;
        let fields = bearing_core::usage::UnitFields {
            organization: Some(*owner),
            ..fields.clone()
        };
        let record = tx
            .update_unit(bearing_store::UnitId::Hub(hub), &fields, at)
            .await?;
        log.record(Change::created(EntityKind::Hub, hub, &record))?;
        hubs.push(name);
    }
    log.write(&mut tx).await?;
    tx.commit().await?;

    let map = |kind: &str, tag: &str, value: &str, cluster: &str, recoverable: bool| {
        crate::cloud::MappingInput {
            kind: kind.to_owned(),
            tag: tag.to_owned(),
            value: value.to_owned(),
            cluster: cluster.to_owned(),
            hub: None,
            recoverable,
        }
    };
    let mut mappings = vec![
        map("sub-account", "", "commons", "commons", true),
        map("tag", "team", "outreach", "commons", false),
    ];
    for (n, c) in dedicated.iter().enumerate() {
        mappings.push(map("account", "", &format!("1000{n:02}"), &c.name, true));
    }
    for m in &mappings {
        crate::cloud::map(store, ctx, m).await?;
    }
    let shares: Vec<(String, i64)> = hubs.iter().cloned().zip([5_000, 3_000, 2_000]).collect();
    crate::cloud::set_split(
        store,
        ctx,
        "commons",
        &bearing_core::cloud::SplitRule::Fixed { shares },
    )
    .await?;

    let mut csv = String::from(
        "BillingPeriodStart,BillingAccountId,SubAccountId,ServiceCategory,BilledCost,BillingCurrency,Tags\n",
    );
    let mut lines = 0;
    for (k, month) in months.iter().enumerate() {
        let start = month.first_day();
        // Each month a little more than the one before, in hundredths of a cent.
        let growth = 100 + 3 * k as i64;
        for (n, _) in dedicated.iter().enumerate() {
            let base = 80_000 + 15_000 * (n as i64 % 5);
            let overrun = n == 0 && k + 1 == months.len();
            let compute = base * growth / 100 * if overrun { 2 } else { 1 };
            let storage = base / 4 + 37;
            for (category, cents) in [("Compute", compute), ("Storage", storage)] {
                let _ = writeln!(
                    csv,
                    "{start}T00:00:00Z,1000{n:02},,{category},{}.{:02}37,USD,{{}}",
                    cents / 100,
                    cents % 100
                );
                lines += 1;
            }
        }
        let shared = 240_000 * growth / 100;
        let _ = writeln!(
            csv,
            "{start}T00:00:00Z,200001,commons,Compute,{}.{:02},USD,{{}}",
            shared / 100,
            shared % 100
        );
        let _ = writeln!(
            csv,
            "{start}T00:00:00Z,200001,,Compute,312.5,USD,\"{{\"\"team\"\":\"\"outreach\"\"}}\""
        );
        lines += 2;
    }
    crate::cloud::import(
        store,
        ctx,
        "demo-cloud-bill.csv",
        csv.as_bytes(),
        &Default::default(),
        false,
    )
    .await?;

    // Each month but the last invoiced on the first of the next and paid, the latest of them
    // issued but not yet paid.
    let billed = &months[..months.len() - 1];
    let (mut invoices, mut payments) = (0, 0);
    for (k, month) in billed.iter().enumerate() {
        let run = crate::billing::run(store, ctx, *month).await?;
        let keys: Vec<String> = run
            .proposals
            .iter()
            .filter(|p| p.kind == bearing_core::invoice::Kind::Cloud)
            .map(|p| p.key.clone())
            .collect();
        if keys.is_empty() {
            continue;
        }
        let made = crate::billing::confirm(store, ctx, *month, Some(&keys)).await?;
        let Some(issued_on) = month.plus(1).map(Month::first_day) else {
            continue;
        };
        invoices += made.len();
        for invoice in made {
            let issued =
                crate::invoices::issue(store, ctx, &invoice.record.number, Some(issued_on)).await?;
            if k + 1 < billed.len() {
                payments += 1;
                crate::invoices::pay(
                    store,
                    ctx,
                    &issued.record.number,
                    crate::invoices::NewPayment {
                        on: issued_on.checked_add(jiff::Span::new().days(18)).ok(),
                        amount: bearing_core::Money::from_minor(
                            issued.record.total_minor,
                            issued.record.currency,
                        )
                        .decimal(),
                        reference: None,
                    },
                )
                .await?;
            }
        }
    }
    if let Some(partner) = dedicated.last().and_then(|c| c.fields.organization)
        && let Some(first) = months.get(2)
    {
        crate::cloud::add_credit(
            store,
            ctx,
            partner,
            bearing_core::Money::from_minor(2_000_000, bearing_core::Currency::USD),
            first.first_day(),
            Some("research credits from the provider's programme"),
        )
        .await?;
    }
    Ok((lines, invoices, payments))
}

/// The demo's invoices: each won deal that started in the last three years is billed a
/// quarter in advance from its start, as far as today; the payments on them add up exactly to
/// the amount collected the CRM records for it, so its figures stay the same. Most are issued
/// within a fortnight of being billable and paid within their terms; some late, the
/// instalments after what was collected unpaid, and the first deal's first invoice voided for
/// the wrong amount and replaced. Written in one transaction with their history.
async fn load_invoices(
    store: &Store,
    ctx: &Context,
    as_of: bearing_core::Date,
) -> Result<(usize, usize)> {
    use bearing_core::billing::{Frequency, Instalment, Schedule, Timing};
    use bearing_core::invoice::{Line, Quantity};
    let quarterly = Schedule::new(Timing::Advance, Frequency::Quarterly, Vec::new())
        .map_err(|e| AppError::invalid("demo billing schedule", e.to_string()))?;
    let deals = crate::deals::list(store, &crate::deals::DealFilter::default()).await?;
    let organizations: std::collections::HashMap<String, bearing_core::OrganizationId> = store
        .list_organizations(false)
        .await?
        .into_iter()
        .map(|o| (o.fields.name.to_string(), o.id))
        .collect();
    let earliest = as_of
        .checked_sub(jiff::Span::new().years(3))
        .unwrap_or(as_of);
    let days = |d: i64| jiff::Span::new().days(d);
    let at = ctx.now();
    let mut log = ChangeLog::new(ctx, at);
    let mut tx = store.begin().await?;
    let (mut invoices, mut payments) = (0, 0);
    let mut voided_one = false;
    for deal in deals
        .iter()
        .filter(|d| d.stage_outcome == bearing_core::pipeline::StageOutcome::Won)
    {
        let f = &deal.fields;
        let (Some(start), Some(amount), Some(collected), Some(org)) = (
            f.contract_start,
            f.amount_minor,
            f.collected_minor,
            f.organization
                .as_ref()
                .and_then(|o| organizations.get(o.as_str())),
        ) else {
            continue;
        };
        if start < earliest || start > as_of || amount <= 0 || collected > amount {
            continue;
        }
        // Billed a quarter in advance, as far as today.
        let Ok(all) = quarterly.instalments(
            start,
            f.contract_end,
            bearing_core::Money::from_minor(amount, f.currency),
        ) else {
            continue;
        };
        let instalments: Vec<Instalment> =
            all.into_iter().filter(|i| i.billable_on <= as_of).collect();
        if instalments.iter().map(|i| i.amount_minor).sum::<i64>() < collected {
            continue;
        }
        let kind = Schedule::kind_for(f.revenue_type.as_ref());
        tx.set_billing_schedule(deal.id, &quarterly, at).await?;
        log.record(Change::created(
            EntityKind::BillingSchedule,
            deal.id,
            &quarterly,
        ))?;
        let spread = deal.id.get();
        let mut left = collected;
        for (k, instalment) in instalments.into_iter().enumerate() {
            let k = k as i64;
            let (billable, total) = (instalment.billable_on, instalment.amount_minor);
            let issued = billable
                .checked_add(days((spread * 7 + k * 3) % 13 + 1))
                .unwrap_or(billable)
                .min(as_of);
            let mut new = bearing_store::NewInvoice {
                number: bearing_core::invoice::number(invoices as u64 + 1),
                organization_id: *org,
                deal_id: Some(deal.id),
                kind,
                currency: f.currency,
                service_from: instalment.service_from,
                service_to: instalment.service_to,
                billable_on: Some(billable),
                terms_days: bearing_core::invoice::DEFAULT_TERMS_DAYS,
                external_id: None,
                source: Some("demo".into()),
                lines: vec![
                    Line::new(
                        &format!("{} {}", f.name, billable.strftime("%b %Y")),
                        Quantity::ONE,
                        total,
                    )
                    .map_err(|e| AppError::invalid("demo invoice", e.to_string()))?,
                ],
            };
            let due = bearing_core::invoice::due_date(issued, new.terms_days).unwrap_or(issued);
            if !voided_one {
                // Billed for too much, voided the same day, and replaced.
                voided_one = true;
                let mut wrong = new.clone();
                wrong.lines = vec![
                    Line::new(&new.lines[0].description, Quantity::ONE, total + total / 10)
                        .map_err(|e| AppError::invalid("demo invoice", e.to_string()))?,
                ];
                let id = tx.insert_invoice(&wrong, at).await?;
                tx.issue_invoice(id, issued, due, at).await?;
                tx.void_invoice(
                    id,
                    issued,
                    &format!(
                        "billed the wrong amount; replaced by {}",
                        bearing_core::invoice::number(invoices as u64 + 2)
                    ),
                    at,
                )
                .await?;
                log.record(Change::created(
                    EntityKind::Invoice,
                    id,
                    &tx.get_invoice(id).await?,
                ))?;
                invoices += 1;
                new.number = bearing_core::invoice::number(invoices as u64 + 1);
            }
            let id = tx.insert_invoice(&new, at).await?;
            tx.issue_invoice(id, issued, due, at).await?;
            invoices += 1;
            // Paid in full while collected lasts, most within the terms, some late; the rest
            // of what was collected on the next one, and nothing after.
            let paid = total.min(left);
            if paid > 0 {
                let delay = (spread * 11 + k * 5) % 50 + 5;
                let on = issued.checked_add(days(delay)).unwrap_or(issued).min(as_of);
                tx.insert_payment(id, on, paid, Some(&format!("wire {}", id * 7 + 100)), at)
                    .await?;
                payments += 1;
                left -= paid;
            }
            log.record(Change::created(
                EntityKind::Invoice,
                id,
                &tx.get_invoice(id).await?,
            ))?;
        }
    }
    log.write(&mut tx).await?;
    tx.commit().await?;
    Ok((invoices, payments))
}

/// The sponsor's invoice export made from the demo's invoices and imported, with a few
/// discrepancies to reconcile: the newest invoice not yet in the sponsor's books, one total
/// typed wrong there, one voided there and not here, one paid here that the books do not
/// show paid, and one invoice for a contact no organization answers to. The first
/// organization billed is named in the books by an alias it has. Its invoices, in a file.
async fn load_invoice_ledger(store: &Store, ctx: &Context) -> Result<usize> {
    use bearing_core::invoice::Status;
    let names: std::collections::HashMap<bearing_core::OrganizationId, String> = store
        .list_organizations(false)
        .await?
        .into_iter()
        .map(|o| {
            let name = o
                .fields
                .long_name
                .clone()
                .unwrap_or_else(|| o.fields.name.to_string());
            (o.id, name)
        })
        .collect();
    let invoices: Vec<_> = store
        .list_invoice_facts()
        .await?
        .into_iter()
        .filter(|f| f.facts.issued.is_some())
        .collect();
    let Some(first) = invoices.first() else {
        return Ok(0);
    };
    let n = invoices.len();
    let aliased = first.organization_id;
    let alias = format!(
        "{} (sponsored account)",
        names.get(&aliased).cloned().unwrap_or_default()
    );
    crate::ledger::add_alias(store, ctx, aliased, &alias).await?;
    let live = |i: usize| invoices[i].facts.status() != Status::Void;
    let wrong_total = (n / 3..n).find(|&i| live(i));
    let voided_there =
        (n / 2..n).find(|&i| live(i) && invoices[i].facts.paid() == 0 && Some(i) != wrong_total);
    let unpaid_there = (2 * n / 3..n).find(|&i| invoices[i].facts.status() == Status::Paid);
    let mut csv = String::from(
        "InvoiceNumber,Contact,Reference,Date,DueDate,Total,AmountPaid,Status,Currency,PaymentDate\n",
    );
    // The newest is not in the sponsor's books yet.
    for (i, f) in invoices.iter().enumerate().take(n.saturating_sub(1)) {
        let contact = if f.organization_id == aliased {
            alias.clone()
        } else {
            names.get(&f.organization_id).cloned().unwrap_or_default()
        };
        let mut total = f.facts.total_minor;
        let mut paid = f.facts.paid();
        let mut status = match f.facts.status() {
            Status::Void => "VOIDED",
            Status::Paid => "PAID",
            _ => "AUTHORISED",
        };
        if Some(i) == wrong_total {
            total += 10_000;
            paid = paid.min(total);
        }
        if Some(i) == voided_there {
            (status, paid) = ("VOIDED", 0);
        }
        if Some(i) == unpaid_there {
            (status, paid) = ("AUTHORISED", 0);
        }
        let day = |d: Option<bearing_core::Date>| d.map(|d| d.to_string()).unwrap_or_default();
        csv.push_str(&format!(
            "{},\"{}\",,{},{},{},{},{},{},{}\n",
            f.number,
            contact.replace('"', "\"\""),
            day(f.facts.issued),
            day(f.facts.due),
            bearing_core::Money::from_minor(total, f.currency).decimal(),
            bearing_core::Money::from_minor(paid, f.currency).decimal(),
            status,
            f.currency,
            if paid > 0 {
                day(f.facts.paid_date())
            } else {
                String::new()
            },
        ));
    }
    let (last_issued, last_due) = (
        invoices[n - 1].facts.issued.unwrap_or_default(),
        invoices[n - 1].facts.due.unwrap_or_default(),
    );
    csv.push_str(&format!(
        "SP-9001,Hilltop Data Collaborative,,{last_issued},{last_due},2400.00,0.00,AUTHORISED,USD,\n"
    ));
    let done = crate::ledger::import(
        store,
        ctx,
        "demo-invoice-ledger.csv",
        csv.as_bytes(),
        &Default::default(),
        false,
    )
    .await?;
    Ok(done.rows)
}
