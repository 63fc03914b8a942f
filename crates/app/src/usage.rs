//! Hub usage: importing samples, monthly active users and fees per cluster and organization,
//! and the usage revenue the forecast expects.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;

use bearing_core::assumptions::Assumptions;
use bearing_core::usage::{self, Sample, UnitFields};
use bearing_core::{Action, ClusterId, Date, DealId, EntityKind, HubId, Month, OrganizationId};
use bearing_formats::Table;
use bearing_store::{NewSample, SampleRecord, Store, UnitId, UnitKind, UnitRecord};

use crate::patch::{self, ClearError, Edit};
use crate::{AppError, Change, ChangeLog, Context, Result, audit};
use bearing_core::access::Permission;

/// What a usage import did, or (dry run) would do.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct UsagePlan {
    pub file: String,
    /// Clusters the file names that Bearing did not know; they are created.
    pub new_clusters: Vec<String>,
    /// Hubs, as `cluster/hub`, likewise.
    pub new_hubs: Vec<String>,
    pub new_samples: usize,
    pub changed_samples: usize,
    pub unchanged_samples: usize,
}

impl UsagePlan {
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{}: {} new samples, {} changed, {} unchanged",
            self.file, self.new_samples, self.changed_samples, self.unchanged_samples
        );
        if !self.new_clusters.is_empty() {
            s.push_str(&format!("; new clusters: {}", some_of(&self.new_clusters)));
        }
        if !self.new_hubs.is_empty() {
            s.push_str(&format!("; new hubs: {}", some_of(&self.new_hubs)));
        }
        s
    }
}

/// Names a summary lists in full; a longer list names these and counts the rest.
const NAMED_IN_SUMMARY: usize = 10;

/// `names` joined by commas, or the first of them and how many more there are.
fn some_of(names: &[String]) -> String {
    if names.len() <= NAMED_IN_SUMMARY {
        return names.join(", ");
    }
    format!(
        "{} and {} more",
        names[..NAMED_IN_SUMMARY].join(", "),
        names.len() - NAMED_IN_SUMMARY
    )
}

/// Imports a usage CSV: all or nothing, idempotent on (cluster or hub, date); clusters and hubs
/// the file names for the first time are created and reported.
pub async fn import(
    store: &Store,
    ctx: &Context,
    file: &str,
    input: impl Read,
    dry_run: bool,
) -> Result<UsagePlan> {
    ctx.require(Permission::EditCrm)?;
    let rows = bearing_formats::usage::read_samples(file, input).map_err(AppError::Import)?;
    let ctx = Context {
        source: bearing_core::Source::Import,
        ..ctx.clone()
    };
    write_samples(store, &ctx, file, &rows, dry_run).await
}

/// Pulls usage from a Prometheus server (directly or through a Grafana proxy) and writes it
/// like an import: all or nothing, idempotent on (cluster or hub, date), new clusters and hubs
/// created and reported. Any failure of the server or its answer writes nothing.
pub async fn pull(
    store: &Store,
    ctx: &Context,
    pull: &bearing_formats::prometheus::Pull,
    dry_run: bool,
) -> Result<UsagePlan> {
    ctx.require(Permission::EditCrm)?;
    use bearing_formats::prometheus::PullError;
    let rows = bearing_formats::prometheus::pull(pull)
        .await
        .map_err(|e| match e {
            PullError::Invalid(message) => AppError::invalid("pull", message),
            other => AppError::Unavailable(format!("{other}; nothing was written")),
        })?;
    write_samples(store, ctx, &pull.endpoint(), &rows, dry_run).await
}

/// Writes samples read from `file` (a file name or a server's URL): all or nothing, with one
/// audit row per cluster whose samples change.
async fn write_samples(
    store: &Store,
    ctx: &Context,
    file: &str,
    rows: &[bearing_formats::usage::UsageRow],
    dry_run: bool,
) -> Result<UsagePlan> {
    let units = store.list_units().await?;
    let mut clusters: HashMap<String, ClusterId> = units
        .iter()
        .filter_map(|u| match u.id {
            UnitId::Cluster(id) => Some((u.name.clone(), id)),
            UnitId::Hub(_) => None,
        })
        .collect();
    let mut hubs: HashMap<(ClusterId, String), HubId> = units
        .iter()
        .filter_map(|u| match u.id {
            UnitId::Hub(id) => Some(((u.cluster_id?, u.name.clone()), id)),
            UnitId::Cluster(_) => None,
        })
        .collect();
    let existing = store.sample_users().await?;
    let mut plan = UsagePlan {
        file: file.to_owned(),
        ..UsagePlan::default()
    };
    let new_clusters: BTreeSet<String> = rows
        .iter()
        .filter(|r| !clusters.contains_key(&r.cluster))
        .map(|r| r.cluster.clone())
        .collect();
    let new_hubs: BTreeSet<(String, String)> = rows
        .iter()
        .filter_map(|r| r.hub.clone().map(|h| (r.cluster.clone(), h)))
        .filter(|(c, h)| {
            clusters
                .get(c)
                .is_none_or(|id| !hubs.contains_key(&(*id, h.clone())))
        })
        .collect();
    plan.new_clusters = new_clusters.iter().cloned().collect();
    plan.new_hubs = new_hubs.iter().map(|(c, h)| format!("{c}/{h}")).collect();
    let mut to_write = Vec::new();
    for row in rows {
        // A row of a cluster or hub Bearing does not know yet is new.
        let known = clusters.get(&row.cluster).and_then(|&cluster| {
            let hub = match &row.hub {
                None => None,
                Some(h) => Some(*hubs.get(&(cluster, h.clone()))?),
            };
            existing.get(&(cluster, hub, row.date))
        });
        match known {
            None => plan.new_samples += 1,
            Some(users) if *users == row.users => {
                plan.unchanged_samples += 1;
                continue;
            }
            Some(_) => plan.changed_samples += 1,
        }
        to_write.push(row);
    }
    if dry_run || (to_write.is_empty() && new_clusters.is_empty() && new_hubs.is_empty()) {
        return Ok(plan);
    }
    let at = ctx.now();
    let mut log = ChangeLog::new(ctx, at);
    let mut tx = store.begin().await?;
    for name in &new_clusters {
        let id = tx.insert_cluster(name, None, at).await?;
        let value = serde_json::json!({ "id": id, "name": name });
        log.record(Change::created(EntityKind::Cluster, id, &value))?;
        clusters.insert(name.clone(), id);
    }
    for (cluster, hub) in &new_hubs {
        let cluster_id = *clusters
            .get(cluster)
            .ok_or_else(|| AppError::Internal(format!("cluster {cluster} vanished")))?;
        let id = tx.insert_hub(cluster_id, hub, at).await?;
        let value = serde_json::json!({ "id": id, "cluster": cluster, "name": hub });
        log.record(Change::created(EntityKind::Hub, id, &value))?;
        hubs.insert((cluster_id, hub.clone()), id);
    }
    let samples = to_write
        .iter()
        .map(|row| {
            let cluster_id = *clusters
                .get(&row.cluster)
                .ok_or_else(|| AppError::Internal(format!("no cluster {}", row.cluster)))?;
            let hub_id = match &row.hub {
                Some(h) => Some(
                    *hubs
                        .get(&(cluster_id, h.clone()))
                        .ok_or_else(|| AppError::Internal(format!("no hub {h}")))?,
                ),
                None => None,
            };
            Ok(NewSample {
                cluster_id,
                hub_id,
                date: row.date,
                users: row.users,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    // One audit row per cluster whose samples are written: its history shows the import, and
    // the data version moves even when no record but the samples changes.
    let mut written: BTreeMap<&str, (usize, Date, Date)> = BTreeMap::new();
    for row in &to_write {
        let entry = written
            .entry(row.cluster.as_str())
            .or_insert((0, row.date, row.date));
        entry.0 += 1;
        entry.1 = entry.1.min(row.date);
        entry.2 = entry.2.max(row.date);
    }
    for (cluster, (count, first, last)) in written {
        let id = clusters
            .get(cluster)
            .ok_or_else(|| AppError::Internal(format!("no cluster {cluster}")))?;
        let value = serde_json::json!({
            "usage_samples": count,
            "first_day": first.to_string(),
            "last_day": last.to_string(),
        });
        log.record(Change::event(
            EntityKind::Cluster,
            id,
            Action::Update,
            &value,
        ))?;
    }
    tx.upsert_samples(&samples, ctx.source, at).await?;
    log.write(&mut tx).await?;
    tx.commit().await?;
    Ok(plan)
}

/// A cluster or hub by id.
pub async fn unit(store: &Store, ctx: &Context, id: UnitId) -> Result<UnitRecord> {
    ctx.require(Permission::Read)?;
    Ok(store.get_unit(id).await?)
}

/// Finds a cluster by name, or a hub as `cluster/hub`.
pub async fn find_unit(store: &Store, name: &str) -> Result<UnitRecord> {
    let units = store.list_units().await?;
    let (cluster, hub) = match name.split_once('/') {
        Some((c, h)) => (c, Some(h)),
        None => (name, None),
    };
    let found = units
        .iter()
        .find(|u| u.kind() == UnitKind::Cluster && u.name == cluster)
        .and_then(|c| match hub {
            None => Some(c),
            Some(h) => units
                .iter()
                .find(|u| u.name == h && u.cluster_id.map(UnitId::Cluster) == Some(c.id)),
        });
    found.cloned().ok_or_else(|| {
        AppError::NotFound(match hub {
            None => format!("no cluster named {cluster:?}"),
            Some(h) => format!("no hub named {h:?} on a cluster named {cluster:?}"),
        })
    })
}

/// An edit of what Bearing records about a cluster or hub: each field kept, set or cleared.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnitPatch {
    pub provider: Edit<String>,
    pub dedicated: Edit<bool>,
    pub organization: Edit<OrganizationId>,
    pub deal: Edit<DealId>,
    pub start: Edit<Date>,
    pub end: Edit<Date>,
}

impl UnitPatch {
    /// Every field replaced by `fields` (a form, the API's PUT).
    pub fn replace(fields: UnitFields) -> Self {
        UnitPatch {
            provider: Edit::whole(fields.provider),
            dedicated: Edit::whole(fields.dedicated),
            organization: Edit::whole(fields.organization),
            deal: Edit::whole(fields.deal),
            start: Edit::whole(fields.start),
            end: Edit::whole(fields.end),
        }
    }

    /// Clears a field by the name a user gives it.
    pub fn clear(&mut self, field: &str) -> std::result::Result<(), ClearError> {
        match field {
            "provider" => patch::clear(&mut self.provider, field),
            "dedicated" | "shared" => patch::clear(&mut self.dedicated, field),
            "org" | "organization" => patch::clear(&mut self.organization, field),
            "deal" => patch::clear(&mut self.deal, field),
            "start" => patch::clear(&mut self.start, field),
            "end" => patch::clear(&mut self.end, field),
            _ => Err(patch::not_clearable(
                field,
                &["provider", "dedicated", "org", "deal", "start", "end"],
            )),
        }
    }

    pub fn apply(self, to: &UnitFields) -> UnitFields {
        UnitFields {
            provider: self.provider.apply(to.provider.clone()),
            dedicated: self.dedicated.apply(to.dedicated),
            organization: self.organization.apply(to.organization),
            deal: self.deal.apply(to.deal),
            start: self.start.apply(to.start),
            end: self.end.apply(to.end),
        }
    }
}

/// Replaces what Bearing records about a cluster or hub (not its name), with its audit row.
pub async fn update_unit(
    store: &Store,
    ctx: &Context,
    id: UnitId,
    fields: UnitFields,
) -> Result<UnitRecord> {
    patch_unit(store, ctx, id, UnitPatch::replace(fields)).await
}

/// Changes what Bearing records about a cluster or hub by `patch`, applied to the record as
/// the transaction reads it, with its audit row. The organization and the deal must exist and
/// not be deleted.
pub async fn patch_unit(
    store: &Store,
    ctx: &Context,
    id: UnitId,
    patch: UnitPatch,
) -> Result<UnitRecord> {
    ctx.require(Permission::EditCrm)?;
    let at = ctx.now();
    let mut tx = store.begin().await?;
    let before = tx.get_unit(id).await?;
    let fields = patch.apply(&before.fields);
    crate::text::check_text(&fields)?;
    if let Some((field, message)) = fields.problems().into_iter().next() {
        return Err(AppError::invalid(field, message));
    }
    if let Some(org) = fields.organization {
        let record = tx.get_organization(org).await.map_err(|_| {
            AppError::invalid("organization", format!("there is no organization {org}"))
        })?;
        if record.deleted_at.is_some() {
            return Err(AppError::invalid(
                "organization",
                format!("organization {org} is deleted"),
            ));
        }
    }
    if let Some(deal) = fields.deal {
        let record = tx
            .get_deal(deal)
            .await
            .map_err(|_| AppError::invalid("deal", format!("there is no deal {deal}")))?;
        if record.deleted_at.is_some() {
            return Err(AppError::invalid("deal", format!("deal {deal} is deleted")));
        }
    }
    if before.fields == fields {
        return Ok(before);
    }
    let after = tx.update_unit(id, &fields, at).await?;
    audit(
        &mut tx,
        ctx,
        at,
        Change::updated(
            match id.kind() {
                UnitKind::Cluster => EntityKind::Cluster,
                UnitKind::Hub => EntityKind::Hub,
            },
            id,
            &before,
            &after,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Clusters and hubs (those `keep` keeps) as a table, with the names of their owners.
pub async fn units_table(store: &Store, keep: impl Fn(&UnitRecord) -> bool) -> Result<Table> {
    let units = store.list_units().await?;
    let orgs: HashMap<OrganizationId, String> = store
        .list_organizations(true)
        .await?
        .into_iter()
        .map(|o| (o.id, o.fields.name.to_string()))
        .collect();
    let clusters: HashMap<ClusterId, &str> = units
        .iter()
        .filter_map(|u| match u.id {
            UnitId::Cluster(id) => Some((id, u.name.as_str())),
            UnitId::Hub(_) => None,
        })
        .collect();
    let mut table = Table::new([
        "id",
        "kind",
        "cluster",
        "name",
        "provider",
        "dedicated",
        "organization",
        "deal",
        "start",
        "end",
    ]);
    for u in units.iter().filter(|u| keep(u)) {
        let f = &u.fields;
        table.push([
            Some(u.id.to_string()),
            Some(
                if u.kind() == UnitKind::Cluster {
                    "cluster"
                } else {
                    "hub"
                }
                .to_owned(),
            ),
            u.cluster_id
                .and_then(|c| clusters.get(&c))
                .map(|c| (*c).to_owned()),
            Some(u.name.clone()),
            f.provider.clone(),
            f.dedicated
                .map(|d| if d { "dedicated" } else { "shared" }.to_owned()),
            f.organization.and_then(|o| orgs.get(&o).cloned()),
            f.deal.map(|d| d.to_string()),
            f.start.map(|d| d.to_string()),
            f.end.map(|d| d.to_string()),
        ]);
    }
    Ok(table)
}

/// Each cluster's daily value: its own sample that day, or else the sum of its hubs'.
pub fn daily(samples: &[SampleRecord]) -> Vec<Sample> {
    let mut own: BTreeMap<(String, Date), i64> = BTreeMap::new();
    let mut hubs: BTreeMap<(String, Date), i64> = BTreeMap::new();
    for s in samples {
        let target = if s.hub.is_some() { &mut hubs } else { &mut own };
        *target.entry((s.cluster.clone(), s.date)).or_default() += s.users;
    }
    for (key, users) in hubs {
        own.entry(key).or_insert(users);
    }
    own.into_iter()
        .map(|((cluster, date), users)| Sample {
            cluster,
            date,
            users,
        })
        .collect()
}

/// Monthly active users per cluster, exclusions applied, computed by the database.
pub async fn monthly_active_users(
    store: &Store,
    a: &Assumptions,
) -> Result<BTreeMap<(String, Month), i64>> {
    monthly_active_users_of(store, a, None).await
}

/// [`monthly_active_users`] of the clusters `only`, when given.
async fn monthly_active_users_of(
    store: &Store,
    a: &Assumptions,
    only: Option<&[ClusterId]>,
) -> Result<BTreeMap<(String, Month), i64>> {
    let rows = store
        .monthly_active_users(&a.usage_exclusions, &a.usage_windows, only)
        .await?;
    rows.into_iter()
        .map(|(cluster, month, users)| {
            let month = Month::parse(&month)
                .map_err(|e| AppError::Internal(format!("unreadable month: {e}")))?;
            Ok(((cluster, month), users))
        })
        .collect()
}

/// The months of the clusters `clusters`: their MAU and fees added up (each cluster's fee
/// priced on its own users), exclusions applied, oldest first. Only their samples are read.
pub async fn months_of(
    store: &Store,
    a: &Assumptions,
    clusters: &[ClusterId],
) -> Result<Vec<(Month, i64, f64)>> {
    let mau = monthly_active_users_of(store, a, Some(clusters)).await?;
    let mut months: BTreeMap<Month, (i64, f64)> = BTreeMap::new();
    for ((_, month), users) in &mau {
        let entry = months.entry(*month).or_default();
        entry.0 += users;
        entry.1 += usage::fee(Some(*users), &a.usage_tiers);
    }
    Ok(months
        .into_iter()
        .map(|(month, (users, fee))| (month, users, fee))
        .collect())
}

/// The usage report: cluster, month, MAU and fee.
pub async fn report(store: &Store, a: &Assumptions) -> Result<Table> {
    let mau = monthly_active_users(store, a).await?;
    let mut table = Table::new(["cluster", "month", "mau", "fee"]);
    for ((cluster, month), users) in &mau {
        table.push([
            Some(cluster.clone()),
            Some(month.to_string()),
            Some(users.to_string()),
            Some(format!("{:.2}", usage::fee(Some(*users), &a.usage_tiers))),
        ]);
    }
    Ok(table)
}

/// The usage report by the organization that owns each cluster.
pub async fn report_by_organization(store: &Store, a: &Assumptions) -> Result<Table> {
    let totals = by_organization(store, a).await?;
    let mut table = Table::new(["organization", "month", "mau", "fee"]);
    for ((owner, month), (users, fee)) in totals {
        table.push([
            Some(owner),
            Some(month.to_string()),
            Some(users.to_string()),
            Some(format!("{fee:.2}")),
        ]);
    }
    Ok(table)
}

/// The name usage of clusters without an owner is listed under.
pub const NO_ORGANIZATION: &str = "(no organization)";

/// MAU and fees per owning organization and month: each owner's clusters added up.
pub async fn by_organization(
    store: &Store,
    a: &Assumptions,
) -> Result<BTreeMap<(String, Month), (i64, f64)>> {
    let mau = monthly_active_users(store, a).await?;
    let owners = cluster_owners(store).await?;
    let mut totals: BTreeMap<(String, Month), (i64, f64)> = BTreeMap::new();
    for ((cluster, month), users) in &mau {
        let owner = owners
            .get(cluster)
            .cloned()
            .unwrap_or_else(|| NO_ORGANIZATION.to_owned());
        let entry = totals.entry((owner, *month)).or_default();
        entry.0 += users;
        entry.1 += usage::fee(Some(*users), &a.usage_tiers);
    }
    Ok(totals)
}

/// Communities' active users over some months, the largest apart (see [`community_usage`]).
#[derive(Debug, Clone, PartialEq)]
pub struct CommunityUsage {
    /// The largest communities by their users in the last month, largest first (ties by
    /// name): each organization's key and its users in each month.
    pub top: Vec<(String, Vec<f64>)>,
    /// How many communities the rest are, and their users in each month added up.
    pub rest: Option<(usize, Vec<f64>)>,
    /// Users and usage fees of every community in the last month.
    pub last_users: i64,
    pub last_fees: f64,
}

/// Each community's active users in `months` (from [`by_organization`]), the `top` largest
/// by the last month apart and the others added up, with the last month's users and fees in
/// all.
pub fn community_usage(
    by_org: &BTreeMap<(String, Month), (i64, f64)>,
    months: &[Month],
    top: usize,
) -> CommunityUsage {
    let mut per_org: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for ((org, month), (users, _)) in by_org {
        if let Some(i) = months.iter().position(|m| m == month) {
            per_org
                .entry(org.as_str())
                .or_insert_with(|| vec![0.0; months.len()])[i] = *users as f64;
        }
    }
    let mut ranked: Vec<(&str, Vec<f64>)> = per_org.into_iter().collect();
    ranked.sort_by(|a, b| {
        let latest = |v: &Vec<f64>| v.last().copied().unwrap_or(0.0);
        latest(&b.1).total_cmp(&latest(&a.1)).then(a.0.cmp(b.0))
    });
    let rest = (ranked.len() > top).then(|| {
        let mut sum = vec![0.0; months.len()];
        for (_, values) in &ranked[top..] {
            for (total, v) in sum.iter_mut().zip(values) {
                *total += v;
            }
        }
        (ranked.len() - top, sum)
    });
    let last = months.last();
    let (last_users, last_fees) = by_org
        .iter()
        .filter(|((_, m), _)| Some(m) == last)
        .fold((0, 0.0), |(u, f), (_, (users, fee))| (u + users, f + fee));
    CommunityUsage {
        top: ranked
            .into_iter()
            .take(top)
            .map(|(org, values)| (org.to_owned(), values))
            .collect(),
        rest,
        last_users,
        last_fees,
    }
}

/// The name of each owned cluster's organization, by cluster name.
async fn cluster_owners(store: &Store) -> Result<HashMap<String, String>> {
    let names: HashMap<OrganizationId, String> = store
        .list_organizations(true)
        .await?
        .into_iter()
        .map(|o| (o.id, o.fields.name.to_string()))
        .collect();
    Ok(store
        .list_units()
        .await?
        .into_iter()
        .filter(|u| u.kind() == UnitKind::Cluster)
        .filter_map(|u| Some((u.name, names.get(&u.fields.organization?)?.clone())))
        .collect())
}

/// A cluster's page: what is recorded about it, its hubs, its months, how it is used now and
/// where its usage is heading.
#[derive(Debug, Clone)]
pub struct ClusterView {
    pub cluster: UnitRecord,
    pub hubs: Vec<UnitRecord>,
    pub owner: Option<String>,
    /// Month, MAU and fee, oldest first; exclusions applied.
    pub months: Vec<(Month, i64, f64)>,
    pub signal: usage::ValueSignal,
    pub engagement: Option<usage::EngagementTrend>,
    /// The next twelve months from the current one: MAU and fee by trend and season.
    pub ahead: Vec<(Month, f64, f64)>,
}

impl ClusterView {
    /// The latest `n` months (all there are when fewer), oldest first.
    pub fn latest_months(&self, n: usize) -> &[(Month, i64, f64)] {
        &self.months[self.months.len().saturating_sub(n)..]
    }

    /// The fees of the latest `n` months, added up.
    pub fn fees_of_latest(&self, n: usize) -> f64 {
        self.latest_months(n).iter().map(|(_, _, fee)| fee).sum()
    }
}

pub async fn cluster_view(
    store: &Store,
    a: &Assumptions,
    id: ClusterId,
    today: Date,
) -> Result<ClusterView> {
    let units = store.list_units().await?;
    let cluster = units
        .iter()
        .find(|u| u.id == UnitId::Cluster(id))
        .cloned()
        .ok_or_else(|| AppError::NotFound(format!("no cluster with id {id}")))?;
    let hubs = units
        .iter()
        .filter(|u| u.cluster_id == Some(id))
        .cloned()
        .collect();
    let owner = match cluster.fields.organization {
        Some(org) => Some(store.get_organization(org).await?.fields.name.to_string()),
        None => None,
    };
    let months = months_of(store, a, &[id]).await?;
    let two_weeks_ago = today
        .checked_sub(jiff::Span::new().days(13))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let recent = store.cluster_samples(id, two_weeks_ago).await?;
    let days: Vec<(Date, i64)> = daily(&recent)
        .into_iter()
        .map(|s| (s.date, s.users))
        .collect();
    let history: BTreeMap<Month, i64> = months.iter().map(|(m, users, _)| (*m, *users)).collect();
    let current = Month::of(today);
    let ahead = usage::cluster_forecast(&history, current, 12)
        .into_iter()
        .enumerate()
        .filter_map(|(i, users)| {
            let month = current.plus(i as i32)?;
            let runs = cluster.fields.runs_in(month);
            let users = if runs { users } else { 0.0 };
            Some((
                month,
                users,
                usage::fee(Some(users.round() as i64), &a.usage_tiers),
            ))
        })
        .collect();
    Ok(ClusterView {
        signal: usage::ValueSignal::of(&days, today),
        engagement: usage::EngagementTrend::of(&history, current),
        cluster,
        hubs,
        owner,
        months,
        ahead,
    })
}

/// The forecast's usage revenue for `months` months from `start`, both ways: the mean of the
/// last twelve monthly totals before it (the same every month, as the organisation computes
/// it), and each cluster's trend and season (`usage::TREND_AND_SEASON_METHOD`).
pub async fn forecast_revenue(
    store: &Store,
    a: &Assumptions,
    start: Month,
    months: usize,
) -> Result<UsageRevenue> {
    let mau = monthly_active_users(store, a).await?;
    let totals = usage::monthly_revenue(&mau, &a.usage_tiers);
    let ends: BTreeMap<String, Date> = store
        .list_units()
        .await?
        .into_iter()
        .filter(|u| u.kind() == UnitKind::Cluster)
        .filter_map(|u| Some((u.name, u.fields.end?)))
        .collect();
    Ok(UsageRevenue {
        mean: usage::estimated_revenue(&totals, start),
        trend_and_season: usage::trend_and_season(&mau, &ends, &a.usage_tiers, start, months),
    })
}

/// Usage revenue ahead, both ways.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageRevenue {
    /// The mean of the last twelve monthly totals, for every month.
    pub mean: f64,
    /// Month by month.
    pub trend_and_season: Vec<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_list_of_new_clusters_is_named_in_part_and_counted() {
        let names: Vec<String> = (1..=12).map(|n| format!("c{n}")).collect();
        let plan = UsagePlan {
            file: "u.csv".into(),
            new_clusters: names[..3].to_vec(),
            new_hubs: names.clone(),
            new_samples: 12,
            ..UsagePlan::default()
        };
        assert_eq!(
            plan.summary(),
            "u.csv: 12 new samples, 0 changed, 0 unchanged; new clusters: c1, c2, c3; \
             new hubs: c1, c2, c3, c4, c5, c6, c7, c8, c9, c10 and 2 more"
        );
    }
}
