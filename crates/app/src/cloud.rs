//! Cloud costs and their recovery (docs/domain.md, "Cloud costs and recovery"): cloud bills
//! imported month by month, their accounts, sub-accounts and tags mapped to clusters, each
//! cluster's cost allocated to the organizations of its hubs, the overruns of each billing
//! account's budget threshold with what was decided, what each organization still owes of
//! its recoverable costs, and the credits held for partners. What is billed and recovered is
//! cash: reading it needs the cash permission, changing it the invoices permission.

use std::collections::{BTreeMap, HashMap};

use bearing_core::access::Permission;
use bearing_core::cloud::{self, CostLine, Decision, Match, SplitRule};
use bearing_core::{
    ClusterId, Currency, Date, EntityKind, HubId, Money, Month, OrganizationId, Source,
};
use bearing_formats::Table;
use bearing_formats::cloud_costs::Columns;
use bearing_store::{
    CloudCostRecord, CloudDecisionRecord, CloudMappingRecord, MonthWrite, NewCloudMapping, Store,
    UnitId, UnitRecord,
};

use crate::{AppError, Change, Context, Result, audit};

/// What an import of cloud costs did, or (dry run) would do.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CloudImport {
    pub dry_run: bool,
    /// Each billing account's month in the file.
    pub months: Vec<AccountMonthImport>,
    /// Accounts with lines no mapping places on a cluster: (account, lines).
    pub unmapped: Vec<(String, usize)>,
}

/// One billing account's month of an import.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccountMonthImport {
    pub month: Month,
    pub account: String,
    pub lines: usize,
    pub write: MonthWrite,
    /// The month's cost, per currency.
    pub totals: Vec<Money>,
}

impl CloudImport {
    /// A few lines saying what happened.
    pub fn summary(&self) -> String {
        let verb = if self.dry_run {
            "would import"
        } else {
            "imported"
        };
        let mut out: Vec<String> = self
            .months
            .iter()
            .map(|m| {
                let totals: Vec<String> = m.totals.iter().map(Money::text).collect();
                format!(
                    "{verb} {} {}: {} lines ({} new, {} unchanged, {} no longer on the bill); cost {}",
                    m.account,
                    m.month,
                    m.lines,
                    m.write.added,
                    m.write.kept,
                    m.write.removed,
                    totals.join(" + ")
                )
            })
            .collect();
        if !self.unmapped.is_empty() {
            let list: Vec<String> = self
                .unmapped
                .iter()
                .map(|(account, n)| format!("{account} ({n} lines)"))
                .collect();
            out.push(format!(
                "lines on no cluster, kept and allocated to no one until mapped (`bearing cloud map`): {}",
                list.join(", ")
            ));
        }
        out.join("\n")
    }
}

/// What reading cloud costs needs: they are cash.
fn require_read(ctx: &Context) -> Result<()> {
    ctx.require(Permission::ReadCash)
}

/// Imports a cloud bill (the FinOps FOCUS columns, or those `columns` names): all or nothing,
/// for those who manage invoices. Each billing account's month in the file becomes exactly
/// the file's lines for it (lines no longer there are kept, marked deleted); the same file
/// twice changes nothing.
pub async fn import(
    store: &Store,
    ctx: &Context,
    file: &str,
    input: impl std::io::Read,
    columns: &Columns,
    dry_run: bool,
) -> Result<CloudImport> {
    ctx.require(Permission::ManageInvoices)?;
    let (lines, errors) = bearing_formats::cloud_costs::read_costs(file, input, columns);
    if !errors.is_empty() {
        return Err(AppError::Import(errors));
    }
    if lines.is_empty() {
        return Err(AppError::invalid(
            "file",
            format!("{file} holds no cost lines"),
        ));
    }
    let identities = crate::books::stored_identities(cloud::identities(&lines));
    let mut by_month: BTreeMap<(Month, String), Vec<(String, CostLine)>> = BTreeMap::new();
    for (identity, line) in identities.into_iter().zip(lines) {
        by_month
            .entry((line.month, line.account.clone()))
            .or_default()
            .push((identity, line));
    }
    let mappings = mappings_of(&store.list_cloud_mappings().await?);
    let mut before: HashMap<(Month, String), Vec<CostLine>> = HashMap::new();
    for r in store.list_cloud_costs().await? {
        before
            .entry((r.cost.month, r.cost.account.clone()))
            .or_default()
            .push(r.cost);
    }
    let ctx = Context {
        source: Source::Import,
        ..ctx.clone()
    };
    let at = ctx.now();
    let mut tx = store.begin().await?;
    let mut months = Vec::new();
    let mut unmapped: BTreeMap<String, usize> = BTreeMap::new();
    for ((month, account), lines) in &by_month {
        let write = tx
            .write_cloud_month(*month, account, lines, file, at)
            .await?;
        let plain: Vec<CostLine> = lines.iter().map(|(_, l)| l.clone()).collect();
        for line in &plain {
            if cloud::mapped(line, &mappings).is_none() {
                *unmapped.entry(account.clone()).or_default() += 1;
            }
        }
        if write.added > 0 || write.removed > 0 {
            let summary = |lines: &[CostLine]| {
                serde_json::json!({
                    "lines": lines.len(),
                    "cost": totals(lines).iter().map(Money::text).collect::<Vec<_>>(),
                    "file": file,
                })
            };
            let was = before.get(&(*month, account.clone())).map(|l| summary(l));
            let now = summary(&plain);
            audit(
                &mut tx,
                &ctx,
                at,
                Change::written(
                    EntityKind::CloudCost,
                    format!("bill {account} {month}"),
                    was.as_ref(),
                    &now,
                ),
            )
            .await?;
        }
        months.push(AccountMonthImport {
            month: *month,
            account: account.clone(),
            lines: plain.len(),
            write,
            totals: totals(&plain),
        });
    }
    if dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(CloudImport {
        dry_run,
        months,
        unmapped: unmapped.into_iter().collect(),
    })
}

/// What `lines` cost, per currency: each currency's millionths added up, then rounded.
fn totals(lines: &[CostLine]) -> Vec<Money> {
    let mut sums: BTreeMap<Currency, i64> = BTreeMap::new();
    for l in lines {
        let sum = sums.entry(l.currency).or_default();
        *sum = sum.saturating_add(l.amount_micros);
    }
    sums.into_iter()
        .map(|(c, micros)| Money::from_minor(cloud::minor_of_micros(micros, c), c))
        .collect()
}

fn mappings_of(records: &[CloudMappingRecord]) -> Vec<cloud::Mapping<i64>> {
    records
        .iter()
        .map(|m| cloud::Mapping {
            matches: m.matches.clone(),
            target: m.id,
            recoverable: m.recoverable,
        })
        .collect()
}

/// A billing account's month.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccountMonth {
    pub account: String,
    pub month: Month,
    pub currency: Currency,
    pub lines: usize,
    /// What the month cost: its lines added up per cluster they are on (and those on none),
    /// each rounded to the minor unit.
    pub amount_minor: i64,
    /// Of which recoverable, before any decision.
    pub recoverable_minor: i64,
    /// When the month is over its budget threshold: the threshold and by how much.
    pub overrun: Option<(i64, i64)>,
    /// The decision in force on the overrun.
    pub decision: Option<CloudDecisionRecord>,
}

/// A share of a cost allocated to an organization.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Allocation {
    pub account: String,
    pub month: Month,
    pub currency: Currency,
    pub cluster: String,
    /// The hub it is allocated through; none for a cluster without hubs.
    pub hub: Option<String>,
    /// None when neither the hub nor the cluster has an organization.
    pub organization_id: Option<OrganizationId>,
    pub recoverable: bool,
    /// Moved from recoverable to absorbed by a decision on an overrun.
    pub by_decision: bool,
    pub amount_minor: i64,
}

/// Lines of a billing account's month that no mapping places on a cluster.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unmapped {
    pub account: String,
    pub month: Month,
    pub currency: Currency,
    pub lines: usize,
    pub amount_minor: i64,
}

/// An organization's month of recoverable costs against its cloud invoices.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Recovery {
    pub organization_id: OrganizationId,
    pub organization: String,
    pub organization_name: String,
    pub month: Month,
    pub currency: Currency,
    pub recoverable_minor: i64,
    pub billed_minor: i64,
    pub unrecovered_minor: i64,
}

/// An organization's part of a month's cloud costs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CommunityMonth {
    /// None for costs allocated to no organization.
    pub organization_id: Option<OrganizationId>,
    pub organization: String,
    pub organization_name: String,
    pub currency: Currency,
    pub recoverable_minor: i64,
    pub absorbed_minor: i64,
    pub billed_minor: i64,
    pub unrecovered_minor: i64,
}

/// A month's cloud costs in one currency, in all.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct MonthFigures {
    pub currency: Currency,
    pub cost_minor: i64,
    pub recoverable_minor: i64,
    pub absorbed_minor: i64,
    /// On no cluster, or on one whose cost could not be allocated.
    pub unallocated_minor: i64,
    pub billed_minor: i64,
    pub unrecovered_minor: i64,
}

/// One organization's cloud costs.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OrganizationCloud {
    pub recovery: Vec<Recovery>,
    pub credits: Vec<CreditHeld>,
    /// Recoverable less billed over all its months, per currency.
    pub unrecovered: Vec<Money>,
}

/// Credits held for a partner, in one currency.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CreditHeld {
    pub organization_id: OrganizationId,
    pub organization: String,
    pub organization_name: String,
    pub currency: Currency,
    pub held_minor: i64,
    /// The partner's recoverable costs since the first credit, month by month (oldest first).
    pub drawn: Vec<(Month, i64)>,
    pub credit: cloud::Credit,
}

/// A mapping as people read it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MappingView {
    pub id: i64,
    pub matches: Match,
    pub cluster: String,
    pub hub: Option<String>,
    pub recoverable: bool,
}

/// The cloud costs as the books see them.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Cloud {
    /// Every billing account's month, newest first, by account within a month.
    pub accounts: Vec<AccountMonth>,
    pub allocations: Vec<Allocation>,
    pub unmapped: Vec<Unmapped>,
    /// Costs that could not be allocated, and what to do.
    pub problems: Vec<String>,
    /// Each organization's months with recoverable costs or cloud invoices.
    pub recovery: Vec<Recovery>,
    /// The recovery ratio over the last twelve months with recoverable costs, per currency.
    pub ratio: Vec<(Currency, f64)>,
    pub credits: Vec<CreditHeld>,
    pub mappings: Vec<MappingView>,
    /// Each cluster's split rule, its own or the default (usage), for the clusters with hubs.
    pub split_rules: Vec<(String, SplitRule, bool)>,
    /// Every decision on an overrun, newest first.
    pub decisions: Vec<CloudDecisionRecord>,
}

impl Cloud {
    /// The months in which an organization's recoverable costs were not all billed (or more
    /// was billed than was recoverable).
    pub fn gaps(&self) -> impl Iterator<Item = &Recovery> {
        self.recovery.iter().filter(|r| r.unrecovered_minor != 0)
    }

    /// The overruns, newest first, with their decisions.
    pub fn overruns(&self) -> impl Iterator<Item = &AccountMonth> {
        self.accounts.iter().filter(|a| a.overrun.is_some())
    }

    /// The months with costs, newest first.
    pub fn months(&self) -> Vec<Month> {
        let mut months: Vec<Month> = self.accounts.iter().map(|a| a.month).collect();
        months.sort_unstable();
        months.dedup();
        months.reverse();
        months
    }

    /// Each organization's part of `month`, by currency: what was allocated to it
    /// (recoverable and absorbed), what was billed and what is left; the costs allocated to
    /// no organization come last, without one.
    pub fn communities(&self, month: Month) -> Vec<CommunityMonth> {
        let mut rows: BTreeMap<(Option<OrganizationId>, Currency), CommunityMonth> =
            BTreeMap::new();
        fn row(
            rows: &mut BTreeMap<(Option<OrganizationId>, Currency), CommunityMonth>,
            organization: Option<OrganizationId>,
            currency: Currency,
        ) -> &mut CommunityMonth {
            rows.entry((organization, currency))
                .or_insert_with(|| CommunityMonth {
                    organization_id: organization,
                    organization: String::new(),
                    organization_name: String::new(),
                    currency,
                    recoverable_minor: 0,
                    absorbed_minor: 0,
                    billed_minor: 0,
                    unrecovered_minor: 0,
                })
        }
        for a in self.allocations.iter().filter(|a| a.month == month) {
            let r = row(&mut rows, a.organization_id, a.currency);
            if a.recoverable {
                r.recoverable_minor += a.amount_minor;
            } else {
                r.absorbed_minor += a.amount_minor;
            }
        }
        for rec in self.recovery.iter().filter(|r| r.month == month) {
            let r = row(&mut rows, Some(rec.organization_id), rec.currency);
            r.organization = rec.organization.clone();
            r.organization_name = rec.organization_name.clone();
            r.billed_minor = rec.billed_minor;
            r.unrecovered_minor = rec.unrecovered_minor;
        }
        let mut rows: Vec<CommunityMonth> = rows.into_values().collect();
        rows.sort_by(|a, b| {
            (
                a.organization_id.is_none(),
                &a.organization_name,
                a.currency,
            )
                .cmp(&(
                    b.organization_id.is_none(),
                    &b.organization_name,
                    b.currency,
                ))
        });
        rows
    }

    /// What `month` cost and how much of it is recovered, per currency.
    pub fn figures(&self, month: Month) -> Vec<MonthFigures> {
        let mut out: BTreeMap<Currency, MonthFigures> = BTreeMap::new();
        fn of(out: &mut BTreeMap<Currency, MonthFigures>, currency: Currency) -> &mut MonthFigures {
            out.entry(currency).or_insert_with(|| MonthFigures {
                currency,
                ..MonthFigures::default()
            })
        }
        for a in self.accounts.iter().filter(|a| a.month == month) {
            of(&mut out, a.currency).cost_minor += a.amount_minor;
        }
        for c in self.communities(month) {
            let f = of(&mut out, c.currency);
            f.recoverable_minor += c.recoverable_minor;
            f.absorbed_minor += c.absorbed_minor;
            f.billed_minor += c.billed_minor;
            f.unrecovered_minor += c.unrecovered_minor;
        }
        for f in out.values_mut() {
            f.unallocated_minor = f.cost_minor - f.recoverable_minor - f.absorbed_minor;
        }
        out.into_values().collect()
    }

    /// What one organization's page shows: its months of recovery (newest first), its
    /// credits, and what is not recovered in all, per currency.
    pub fn of_organization(&self, organization: OrganizationId) -> OrganizationCloud {
        let recovery: Vec<Recovery> = self
            .recovery
            .iter()
            .rev()
            .filter(|r| r.organization_id == organization)
            .cloned()
            .collect();
        let mut unrecovered: BTreeMap<Currency, i64> = BTreeMap::new();
        for r in &recovery {
            *unrecovered.entry(r.currency).or_default() += r.unrecovered_minor;
        }
        OrganizationCloud {
            recovery,
            credits: self
                .credits
                .iter()
                .filter(|c| c.organization_id == organization)
                .cloned()
                .collect(),
            unrecovered: unrecovered
                .into_iter()
                .map(|(c, minor)| Money::from_minor(minor, c))
                .collect(),
        }
    }
}

/// The clusters and hubs, by id.
struct Topology {
    clusters: HashMap<ClusterId, UnitRecord>,
    hubs: HashMap<HubId, UnitRecord>,
    hubs_of: HashMap<ClusterId, Vec<HubId>>,
}

impl Topology {
    fn of(units: Vec<UnitRecord>) -> Topology {
        let mut t = Topology {
            clusters: HashMap::new(),
            hubs: HashMap::new(),
            hubs_of: HashMap::new(),
        };
        for u in units {
            match u.id {
                UnitId::Cluster(id) => {
                    t.clusters.insert(id, u);
                }
                UnitId::Hub(id) => {
                    if let Some(cluster) = u.cluster_id {
                        t.hubs_of.entry(cluster).or_default().push(id);
                    }
                    t.hubs.insert(id, u);
                }
            }
        }
        for hubs in t.hubs_of.values_mut() {
            hubs.sort_by_key(|h| t.hubs.get(h).map(|u| u.name.clone()));
        }
        t
    }

    fn cluster_named(&self, name: &str) -> Option<&UnitRecord> {
        self.clusters.values().find(|c| c.name == name)
    }
}

/// The cloud costs, for those who see cash.
pub async fn view(store: &Store, ctx: &Context) -> Result<Cloud> {
    require_read(ctx)?;
    compute(store).await
}

/// The cloud costs, worked out from the records.
pub(crate) async fn compute(store: &Store) -> Result<Cloud> {
    let (costs, mappings, units, rules, decisions, credits, billed, organizations) = tokio::try_join!(
        store.list_cloud_costs(),
        store.list_cloud_mappings(),
        store.list_units(),
        store.split_rules(),
        store.list_cloud_decisions(),
        store.list_cloud_credits(),
        store.cloud_billed(),
        store.list_organizations(true),
    )?;
    let topology = Topology::of(units);
    let rules: HashMap<ClusterId, SplitRule> = rules
        .into_iter()
        .map(|(cluster, json)| {
            serde_json::from_str(&json)
                .map(|rule| (cluster, rule))
                .map_err(|e| AppError::Internal(format!("unreadable split rule: {e}")))
        })
        .collect::<Result<_>>()?;
    let hub_users: HashMap<(HubId, Month), i64> = {
        // Only the hubs of shared clusters costs are mapped to are read.
        let mut shared: Vec<ClusterId> = mappings
            .iter()
            .filter(|m| m.hub_id.is_none() && topology.hubs_of.contains_key(&m.cluster_id))
            .map(|m| m.cluster_id)
            .collect();
        shared.sort_unstable();
        shared.dedup();
        store
            .hub_monthly_active_users(&shared)
            .await?
            .into_iter()
            .map(|(hub, month, users)| ((hub, month), users))
            .collect()
    };
    let names: HashMap<OrganizationId, (String, String)> = organizations
        .into_iter()
        .map(|o| {
            let key = o.fields.name.to_string();
            let name = o.fields.long_name.clone().unwrap_or_else(|| key.clone());
            (o.id, (key, name))
        })
        .collect();
    let by_id: HashMap<i64, &CloudMappingRecord> = mappings.iter().map(|m| (m.id, m)).collect();
    let plain = mappings_of(&mappings);

    // Each account's month, per currency and the mapping its lines follow: micros and lines.
    type Group = (String, Month, Currency, Option<i64>);
    let mut groups: BTreeMap<Group, (i64, usize)> = BTreeMap::new();
    for CloudCostRecord { cost, .. } in &costs {
        let target = cloud::mapped(cost, &plain).map(|m| m.target);
        let entry = groups
            .entry((cost.account.clone(), cost.month, cost.currency, target))
            .or_default();
        entry.0 = entry.0.saturating_add(cost.amount_micros);
        entry.1 += 1;
    }
    let mut accounts: BTreeMap<(Month, String, Currency), AccountMonth> = BTreeMap::new();
    let mut allocations = Vec::new();
    let mut unmapped = Vec::new();
    let mut problems = Vec::new();
    for ((account, month, currency, target), (micros, lines)) in groups {
        let amount = cloud::minor_of_micros(micros, currency);
        let a = accounts
            .entry((month, account.clone(), currency))
            .or_insert_with(|| AccountMonth {
                account: account.clone(),
                month,
                currency,
                lines: 0,
                amount_minor: 0,
                recoverable_minor: 0,
                overrun: None,
                decision: None,
            });
        a.lines += lines;
        a.amount_minor += amount;
        let Some(mapping) = target.and_then(|id| by_id.get(&id)) else {
            unmapped.push(Unmapped {
                account,
                month,
                currency,
                lines,
                amount_minor: amount,
            });
            continue;
        };
        if mapping.recoverable {
            a.recoverable_minor += amount;
        }
        let Some(cluster) = topology.clusters.get(&mapping.cluster_id) else {
            problems.push(format!(
                "{} of {} in {} is mapped to a cluster that is deleted: map it again",
                Money::from_minor(amount, currency).text(),
                mapping.matches,
                month.words()
            ));
            continue;
        };
        let shares = match shares_of(
            &topology, &rules, &hub_users, mapping, cluster, month, amount,
        ) {
            Ok(shares) => shares,
            Err(problem) => {
                problems.push(format!(
                    "{} of cluster {} in {} is allocated to no one: {problem}",
                    Money::from_minor(amount, currency).text(),
                    cluster.name,
                    month.words()
                ));
                continue;
            }
        };
        for (hub, organization, share) in shares {
            if organization.is_none() && share != 0 {
                problems.push(format!(
                    "{} of cluster {}{} in {} has no organization to recover it from: set the {}'s organization",
                    Money::from_minor(share, currency).text(),
                    cluster.name,
                    hub.as_ref().map(|h| format!(", hub {h}")).unwrap_or_default(),
                    month.words(),
                    if hub.is_some() { "hub" } else { "cluster" }
                ));
            }
            allocations.push(Allocation {
                account: account.clone(),
                month,
                currency,
                cluster: cluster.name.clone(),
                hub,
                organization_id: organization,
                recoverable: mapping.recoverable,
                by_decision: false,
                amount_minor: share,
            });
        }
    }
    // Overruns, per currency, and the decisions in force on them.
    let mut in_force: HashMap<(String, Month), CloudDecisionRecord> = HashMap::new();
    for d in &decisions {
        in_force.insert((d.account.clone(), d.month), d.clone());
    }
    let currencies: std::collections::BTreeSet<Currency> =
        accounts.keys().map(|(_, _, c)| *c).collect();
    for currency in currencies {
        let series: Vec<(String, Month, i64)> = accounts
            .values()
            .filter(|a| a.currency == currency)
            .map(|a| (a.account.clone(), a.month, a.amount_minor))
            .collect();
        for o in cloud::overruns(&series) {
            if let Some(a) = accounts.get_mut(&(o.month, o.account.clone(), currency)) {
                a.overrun = Some((o.threshold_minor, o.over_minor));
                a.decision = in_force.get(&(o.account.clone(), o.month)).cloned();
            }
        }
    }
    for a in accounts.values() {
        let (Some((_, over)), Some(d)) = (a.overrun, &a.decision) else {
            continue;
        };
        absorb(
            &mut allocations,
            a,
            d.decision.absorbed(a.recoverable_minor, over),
        );
    }
    // Newest month first, accounts by name within it.
    let mut accounts: Vec<AccountMonth> = accounts.into_values().collect();
    accounts
        .sort_by(|a, b| (b.month, &a.account, a.currency).cmp(&(a.month, &b.account, b.currency)));

    // Recovery: per organization and currency, month by month.
    let mut recoverable: BTreeMap<((OrganizationId, Currency), Month), i64> = BTreeMap::new();
    for a in &allocations {
        if let (true, Some(o)) = (a.recoverable, a.organization_id) {
            *recoverable.entry(((o, a.currency), a.month)).or_default() += a.amount_minor;
        }
    }
    let billed: BTreeMap<((OrganizationId, Currency), Month), i64> = billed
        .into_iter()
        .map(|((o, m, c), total)| (((o, c), m), total))
        .collect();
    let rows = cloud::recovery(&recoverable, &billed);
    let named = |o: OrganizationId| {
        names
            .get(&o)
            .cloned()
            .unwrap_or_else(|| (o.to_string(), o.to_string()))
    };
    let mut ratio = Vec::new();
    let row_currencies: std::collections::BTreeSet<Currency> =
        rows.iter().map(|r| r.organization.1).collect();
    for currency in row_currencies {
        let of_currency: Vec<cloud::RecoveryMonth<OrganizationId>> = rows
            .iter()
            .filter(|r| r.organization.1 == currency)
            .map(|r| cloud::RecoveryMonth {
                organization: r.organization.0,
                month: r.month,
                recoverable_minor: r.recoverable_minor,
                billed_minor: r.billed_minor,
                unrecovered_minor: r.unrecovered_minor,
            })
            .collect();
        let Some(last) = of_currency
            .iter()
            .filter(|r| r.recoverable_minor > 0)
            .map(|r| r.month)
            .max()
        else {
            continue;
        };
        let first = last.plus(-11).unwrap_or(last);
        if let Some(r) = cloud::recovery_ratio(&of_currency, first..=last) {
            ratio.push((currency, r));
        }
    }
    let recovery: Vec<Recovery> = rows
        .into_iter()
        .map(|r| {
            let (key, name) = named(r.organization.0);
            Recovery {
                organization_id: r.organization.0,
                organization: key,
                organization_name: name,
                month: r.month,
                currency: r.organization.1,
                recoverable_minor: r.recoverable_minor,
                billed_minor: r.billed_minor,
                unrecovered_minor: r.unrecovered_minor,
            }
        })
        .collect();

    // Credits: drawn by what the partner owes (its recoverable costs, after the decisions on
    // overruns) from the first credit's month.
    let last_month = accounts.iter().map(|a| a.month).max();
    let mut held: BTreeMap<(OrganizationId, Currency), (i64, Month)> = BTreeMap::new();
    for c in &credits {
        let month = Month::of(c.received_on);
        let entry = held
            .entry((c.organization_id, c.currency))
            .or_insert((0, month));
        entry.0 += c.amount_minor;
        entry.1 = entry.1.min(month);
    }
    let credits: Vec<CreditHeld> = held
        .into_iter()
        .map(|((organization, currency), (amount, first))| {
            let mut drawn: Vec<(Month, i64)> = Vec::new();
            let mut m = first;
            while last_month.is_some_and(|last| m <= last) {
                let cost: i64 = allocations
                    .iter()
                    .filter(|a| {
                        a.recoverable
                            && a.organization_id == Some(organization)
                            && a.currency == currency
                            && a.month == m
                    })
                    .map(|a| a.amount_minor)
                    .sum();
                drawn.push((m, cost));
                let Some(next) = m.plus(1) else { break };
                m = next;
            }
            let amounts: Vec<i64> = drawn.iter().map(|(_, a)| *a).collect();
            let (key, name) = named(organization);
            CreditHeld {
                organization_id: organization,
                organization: key,
                organization_name: name,
                currency,
                held_minor: amount,
                credit: cloud::credit(amount, &amounts),
                drawn,
            }
        })
        .collect();

    let unit_name = |hub: Option<HubId>| {
        hub.and_then(|h| topology.hubs.get(&h))
            .map(|u| u.name.clone())
    };
    let mappings = mappings
        .iter()
        .map(|m| MappingView {
            id: m.id,
            matches: m.matches.clone(),
            cluster: topology.clusters.get(&m.cluster_id).map_or_else(
                || format!("cluster {} (deleted)", m.cluster_id),
                |c| c.name.clone(),
            ),
            hub: unit_name(m.hub_id),
            recoverable: m.recoverable,
        })
        .collect();
    let mut split_rules: Vec<(String, SplitRule, bool)> = topology
        .hubs_of
        .keys()
        .filter_map(|c| topology.clusters.get(c).map(|u| (c, u)))
        .map(|(c, u)| match rules.get(c) {
            Some(rule) => (u.name.clone(), rule.clone(), true),
            None => (u.name.clone(), SplitRule::Usage, false),
        })
        .collect();
    split_rules.sort_by(|a, b| a.0.cmp(&b.0));
    let mut decisions = decisions;
    decisions.reverse();
    Ok(Cloud {
        accounts,
        allocations,
        unmapped,
        problems,
        recovery,
        ratio,
        credits,
        mappings,
        split_rules,
        decisions,
    })
}

/// A part of a cost: the hub it goes through, the organization it goes to, the amount.
type Share = (Option<String>, Option<OrganizationId>, i64);

/// A mapped cost of `amount` on `cluster` in `month` shared among those it is allocated to:
/// (hub, organization, amount), adding up to `amount`. A mapping to a hub gives it all; a
/// cluster without hubs is its organization's; a cluster with hubs splits by its rule.
fn shares_of(
    topology: &Topology,
    rules: &HashMap<ClusterId, SplitRule>,
    hub_users: &HashMap<(HubId, Month), i64>,
    mapping: &CloudMappingRecord,
    cluster: &UnitRecord,
    month: Month,
    amount: i64,
) -> std::result::Result<Vec<Share>, String> {
    let cluster_id = mapping.cluster_id;
    let owner_of = |hub: &UnitRecord| hub.fields.organization.or(cluster.fields.organization);
    if let Some(hub) = mapping.hub_id {
        let hub = topology
            .hubs
            .get(&hub)
            .ok_or("the hub it is mapped to is deleted: map it again")?;
        return Ok(vec![(Some(hub.name.clone()), owner_of(hub), amount)]);
    }
    let hubs: Vec<&UnitRecord> = topology
        .hubs_of
        .get(&cluster_id)
        .map(|ids| ids.iter().filter_map(|h| topology.hubs.get(h)).collect())
        .unwrap_or_default();
    if hubs.is_empty() {
        return Ok(vec![(None, cluster.fields.organization, amount)]);
    }
    let rule = rules.get(&cluster_id).cloned().unwrap_or(SplitRule::Usage);
    let weighted: Vec<(String, i64)> = hubs
        .iter()
        .map(|h| {
            let users = match h.id {
                UnitId::Hub(id) => hub_users.get(&(id, month)).copied().unwrap_or(0),
                UnitId::Cluster(_) => 0,
            };
            (h.name.clone(), users)
        })
        .collect();
    if let SplitRule::Fixed { shares } = &rule
        && let Some((gone, _)) = shares
            .iter()
            .find(|(name, _)| !hubs.iter().any(|h| &h.name == name))
    {
        return Err(format!(
            "its fixed shares name hub {gone}, which it no longer has: set its split again"
        ));
    }
    let split = cloud::split(amount, &rule, &weighted)?;
    Ok(split
        .into_iter()
        .map(|(name, share)| {
            let owner = hubs
                .iter()
                .find(|h| h.name == name)
                .and_then(|h| owner_of(h));
            (Some(name), owner, share)
        })
        .collect())
}

/// Moves `absorbed` of account month `a`'s recoverable allocations to absorbed ones, shared
/// among them in proportion to their amounts.
fn absorb(allocations: &mut Vec<Allocation>, a: &AccountMonth, absorbed: i64) {
    if absorbed <= 0 {
        return;
    }
    let chosen: Vec<usize> = allocations
        .iter()
        .enumerate()
        .filter(|(_, x)| {
            x.recoverable
                && x.account == a.account
                && x.month == a.month
                && x.currency == a.currency
        })
        .map(|(i, _)| i)
        .collect();
    let weights: Vec<i64> = chosen
        .iter()
        .map(|&i| allocations[i].amount_minor)
        .collect();
    let shares = bearing_core::billing::allocate(absorbed, &weights);
    for (&i, share) in chosen.iter().zip(shares) {
        if share == 0 {
            continue;
        }
        allocations[i].amount_minor -= share;
        let moved = Allocation {
            recoverable: false,
            by_decision: true,
            amount_minor: share,
            ..allocations[i].clone()
        };
        allocations.push(moved);
    }
}

/// The organizations' recoverable costs of `month` not yet billed: for the billing run, per
/// organization and currency, each cluster's (and hub's) part.
pub(crate) async fn unbilled(
    store: &Store,
    month: Month,
) -> Result<Vec<(OrganizationId, Currency, Vec<(String, i64)>, i64)>> {
    let cloud = compute(store).await?;
    let mut out = Vec::new();
    for r in cloud
        .recovery
        .iter()
        .filter(|r| r.month == month && r.unrecovered_minor > 0)
    {
        let mut parts: BTreeMap<String, i64> = BTreeMap::new();
        for a in cloud.allocations.iter().filter(|a| {
            a.recoverable
                && a.month == month
                && a.currency == r.currency
                && a.organization_id == Some(r.organization_id)
        }) {
            let label = match &a.hub {
                Some(hub) => format!("{}, hub {hub}", a.cluster),
                None => a.cluster.clone(),
            };
            *parts.entry(label).or_default() += a.amount_minor;
        }
        out.push((
            r.organization_id,
            r.currency,
            parts.into_iter().collect(),
            r.unrecovered_minor,
        ));
    }
    Ok(out)
}

/// The recovery as a table: a row per organization and month.
pub fn recovery_table(cloud: &Cloud) -> Table {
    let mut table = Table::new([
        "organization",
        "month",
        "currency",
        "recoverable",
        "billed",
        "unrecovered",
        "status",
    ]);
    for r in &cloud.recovery {
        let money = |minor: i64| Money::from_minor(minor, r.currency).decimal();
        table.push(
            [
                r.organization_name.clone(),
                r.month.to_string(),
                r.currency.to_string(),
                money(r.recoverable_minor),
                money(r.billed_minor),
                money(r.unrecovered_minor),
                match r.unrecovered_minor {
                    0 => "recovered",
                    n if n > 0 => "unrecovered",
                    _ => "billed beyond the costs",
                }
                .to_owned(),
            ]
            .map(Some),
        );
    }
    table
}

/// A mapping to add, as typed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct MappingInput {
    /// `account`, `sub-account` or `tag`.
    pub kind: String,
    /// The tag's name, for a tag.
    #[serde(default)]
    pub tag: String,
    pub value: String,
    /// The cluster's name.
    pub cluster: String,
    /// A hub's name on the cluster, when the costs are one hub's alone.
    #[serde(default)]
    pub hub: Option<String>,
    /// Whether the community pays the costs back (else the organisation absorbs them).
    pub recoverable: bool,
}

/// Maps an account, sub-account or tag to a cluster; the mappings after.
pub async fn map(store: &Store, ctx: &Context, input: &MappingInput) -> Result<Vec<MappingView>> {
    ctx.require(Permission::ManageInvoices)?;
    let matches = Match::new(input.kind.trim(), &input.tag, &input.value)
        .map_err(|e| AppError::invalid("mapping", e.to_string()))?;
    let (_, value) = matches.parts();
    bearing_core::text::check(value, bearing_core::text::MAX_NAME)
        .map_err(|e| AppError::invalid("value", e))?;
    bearing_core::text::check(matches.parts().0, bearing_core::text::MAX_NAME)
        .map_err(|e| AppError::invalid("tag", e))?;
    let topology = Topology::of(store.list_units().await?);
    let cluster = topology
        .cluster_named(input.cluster.trim())
        .ok_or_else(|| {
            AppError::invalid(
                "cluster",
                format!("there is no cluster named {:?}", input.cluster.trim()),
            )
        })?;
    let UnitId::Cluster(cluster_id) = cluster.id else {
        return Err(AppError::Internal("a cluster with a hub's id".into()));
    };
    let hub_id = match input
        .hub
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty())
    {
        None => None,
        Some(name) => Some(
            topology
                .hubs_of
                .get(&cluster_id)
                .into_iter()
                .flatten()
                .find(|h| topology.hubs.get(h).is_some_and(|u| u.name == name))
                .copied()
                .ok_or_else(|| {
                    AppError::invalid(
                        "hub",
                        format!("cluster {} has no hub named {name:?}", cluster.name),
                    )
                })?,
        ),
    };
    let new = NewCloudMapping {
        matches,
        cluster_id,
        hub_id,
        recoverable: input.recoverable,
    };
    let at = ctx.now();
    let mut tx = store.begin().await?;
    let id = tx.insert_cloud_mapping(&new, at).await?;
    let after = serde_json::json!({
        "matches": new.matches.to_string(),
        "cluster": cluster.name,
        "hub": input.hub.as_deref().map(str::trim).filter(|h| !h.is_empty()),
        "recoverable": new.recoverable,
    });
    audit(
        &mut tx,
        ctx,
        at,
        Change::created(EntityKind::CloudCost, format!("mapping {id}"), &after),
    )
    .await?;
    tx.commit().await?;
    mappings(store, ctx).await
}

/// The mappings in force.
pub async fn mappings(store: &Store, ctx: &Context) -> Result<Vec<MappingView>> {
    require_read(ctx)?;
    Ok(compute(store).await?.mappings)
}

/// Removes mapping `id` (it keeps its row); the mappings after.
pub async fn unmap(store: &Store, ctx: &Context, id: i64) -> Result<Vec<MappingView>> {
    ctx.require(Permission::ManageInvoices)?;
    let before = mappings(store, ctx).await?;
    let Some(found) = before.iter().find(|m| m.id == id) else {
        return Err(AppError::NotFound(format!("no cloud mapping with id {id}")));
    };
    let at = ctx.now();
    let mut tx = store.begin().await?;
    tx.remove_cloud_mapping(id, at).await?;
    audit(
        &mut tx,
        ctx,
        at,
        Change::event(
            EntityKind::CloudCost,
            format!("mapping {id}"),
            bearing_core::Action::Delete,
            found,
        ),
    )
    .await?;
    tx.commit().await?;
    mappings(store, ctx).await
}

/// Sets how cluster `cluster` (by name) splits its costs among its hubs.
pub async fn set_split(
    store: &Store,
    ctx: &Context,
    cluster: &str,
    rule: &SplitRule,
) -> Result<()> {
    ctx.require(Permission::ManageInvoices)?;
    let topology = Topology::of(store.list_units().await?);
    let record = topology.cluster_named(cluster.trim()).ok_or_else(|| {
        AppError::invalid(
            "cluster",
            format!("there is no cluster named {:?}", cluster.trim()),
        )
    })?;
    let UnitId::Cluster(id) = record.id else {
        return Err(AppError::Internal("a cluster with a hub's id".into()));
    };
    let hubs: Vec<String> = topology
        .hubs_of
        .get(&id)
        .into_iter()
        .flatten()
        .filter_map(|h| topology.hubs.get(h).map(|u| u.name.clone()))
        .collect();
    if hubs.is_empty() {
        return Err(AppError::invalid(
            "cluster",
            format!(
                "cluster {} has no hubs: its costs are its organization's, with nothing to split",
                record.name
            ),
        ));
    }
    if let SplitRule::Fixed { shares } = rule {
        if let Some((name, _)) = shares.iter().find(|(name, _)| !hubs.contains(name)) {
            return Err(AppError::invalid(
                "split",
                format!(
                    "cluster {} has no hub named {name:?}; its hubs: {}",
                    record.name,
                    hubs.join(", ")
                ),
            ));
        }
        let weighted: Vec<(String, i64)> = hubs.iter().map(|h| (h.clone(), 0)).collect();
        cloud::split(0, rule, &weighted).map_err(|e| AppError::invalid("split", e))?;
    }
    let before = store.split_rules().await?.remove(&id);
    let before: Option<SplitRule> = before.and_then(|json| serde_json::from_str(&json).ok());
    let json = serde_json::to_string(rule)
        .map_err(|e| AppError::Internal(format!("cannot write the rule: {e}")))?;
    let at = ctx.now();
    let mut tx = store.begin().await?;
    tx.set_split_rule(id, &json, at).await?;
    let was = before.map(|r| serde_json::json!({ "split": r.to_string() }));
    let now = serde_json::json!({ "split": rule.to_string() });
    audit(
        &mut tx,
        ctx,
        at,
        Change::written(
            EntityKind::CloudCost,
            format!("split {}", record.name),
            was.as_ref(),
            &now,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A decision as typed: `absorb`, `recover` or `discount`, and a discount's amount in the
/// costs' currency (such as `120.00`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct DecisionInput {
    pub decision: String,
    #[serde(default)]
    pub amount: Option<String>,
}

impl DecisionInput {
    pub fn new(decision: &str, amount: Option<&str>) -> DecisionInput {
        DecisionInput {
            decision: decision.to_owned(),
            amount: amount.map(ToOwned::to_owned),
        }
    }
}

/// Records what was decided about billing account `account`'s overrun in `month`, and why.
pub async fn decide(
    store: &Store,
    ctx: &Context,
    account: &str,
    month: Month,
    decision: &DecisionInput,
    reason: &str,
) -> Result<CloudDecisionRecord> {
    ctx.require(Permission::ManageInvoices)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid(
            "reason",
            "say why: a decision on an overrun keeps its reason",
        ));
    }
    bearing_core::text::check(reason, bearing_core::text::MAX_TEXT)
        .map_err(|e| AppError::invalid("reason", e))?;
    let cloud = compute(store).await?;
    let Some(overrun) = cloud
        .accounts
        .iter()
        .find(|a| a.account == account.trim() && a.month == month && a.overrun.is_some())
    else {
        return Err(AppError::invalid(
            "month",
            format!(
                "billing account {:?} has no overrun in {}: only a month over its threshold is decided on",
                account.trim(),
                month.words()
            ),
        ));
    };
    let discount = decision
        .amount
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| Money::parse(a, overrun.currency).map(|m| m.minor))
        .transpose()
        .map_err(|e| AppError::invalid("amount", e.to_string()))?;
    let decision = Decision::parse(&decision.decision, discount)
        .map_err(|e| AppError::invalid(e.what, e.reason))?;
    if let Decision::Discount { amount_minor } = decision
        && amount_minor > overrun.amount_minor
    {
        return Err(AppError::invalid(
            "amount",
            format!(
                "a discount of {} is more than the month's cost, {}",
                Money::from_minor(amount_minor, overrun.currency).text(),
                Money::from_minor(overrun.amount_minor, overrun.currency).text()
            ),
        ));
    }
    let at = ctx.now();
    let mut tx = store.begin().await?;
    let id = tx
        .insert_cloud_decision(
            &overrun.account,
            month,
            decision,
            reason,
            &ctx.actor.to_string(),
            at,
        )
        .await?;
    let was = overrun.decision.as_ref().map(|d| {
        serde_json::json!({ "decision": d.decision.words(overrun.currency), "reason": d.reason })
    });
    let now = serde_json::json!({ "decision": decision.words(overrun.currency), "reason": reason });
    audit(
        &mut tx,
        ctx,
        at,
        Change::written(
            EntityKind::CloudCost,
            format!("overrun {} {month}", overrun.account),
            was.as_ref(),
            &now,
        ),
    )
    .await?;
    tx.commit().await?;
    store
        .list_cloud_decisions()
        .await?
        .into_iter()
        .find(|d| d.id == id)
        .ok_or_else(|| AppError::Internal("the decision just written is gone".into()))
}

/// Records credits received on a partner's behalf (a negative amount gives some back).
pub async fn add_credit(
    store: &Store,
    ctx: &Context,
    organization: OrganizationId,
    amount: Money,
    received_on: Date,
    note: Option<&str>,
) -> Result<()> {
    ctx.require(Permission::ManageInvoices)?;
    if amount.minor == 0 {
        return Err(AppError::invalid(
            "amount",
            "a credit of nothing changes nothing",
        ));
    }
    if received_on > ctx.today() {
        return Err(AppError::invalid(
            "received",
            format!("{received_on} is after today: record credits once they are held"),
        ));
    }
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if let Some(n) = note {
        bearing_core::text::check(n, bearing_core::text::MAX_TEXT)
            .map_err(|e| AppError::invalid("note", e))?;
    }
    let record = store
        .get_organization(organization)
        .await
        .map_err(|_| AppError::NotFound(format!("no organization with id {organization}")))?;
    if record.deleted_at.is_some() {
        return Err(AppError::invalid(
            "organization",
            format!("organization {} is deleted", record.fields.name),
        ));
    }
    let at = ctx.now();
    let mut tx = store.begin().await?;
    let id = tx
        .insert_cloud_credit(
            organization,
            amount.minor,
            amount.currency,
            received_on,
            note,
            at,
        )
        .await?;
    let after = serde_json::json!({
        "organization": record.fields.name.to_string(),
        "amount": amount.text(),
        "received": received_on.to_string(),
        "note": note,
    });
    audit(
        &mut tx,
        ctx,
        at,
        Change::created(EntityKind::CloudCost, format!("credit {id}"), &after),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A month of the sponsor's cost-recovery check beside Bearing's own recovery.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LedgerCheck {
    pub month: Month,
    /// What the ledger booked to recoverable cloud costs (7061 in the default chart).
    pub booked_cost_minor: i64,
    /// What it booked as cloud cost recovery (4222).
    pub booked_recovery_minor: i64,
    /// Cost less recovery: nothing when the books say every recoverable cost was recovered.
    pub difference_minor: i64,
    /// Bearing's recoverable costs and cloud invoices of the month, in US dollars.
    pub recoverable_minor: i64,
    pub billed_minor: i64,
}

/// The cost-recovery check of the sponsor's books, month by month (the months the ledger or
/// Bearing has anything for): what the ledger booked to recoverable cloud costs less what it
/// booked as cloud cost recovery, beside Bearing's own recovery. Only those two categories
/// are read, so the check shows no one's pay.
pub async fn ledger_check(store: &Store, ctx: &Context, cloud: &Cloud) -> Result<Vec<LedgerCheck>> {
    use bearing_core::actuals::Category;
    require_read(ctx)?;
    let map = crate::books::account_map(store).await?;
    let mut months: BTreeMap<Month, LedgerCheck> = BTreeMap::new();
    fn of(months: &mut BTreeMap<Month, LedgerCheck>, month: Month) -> &mut LedgerCheck {
        months.entry(month).or_insert(LedgerCheck {
            month,
            booked_cost_minor: 0,
            booked_recovery_minor: 0,
            difference_minor: 0,
            recoverable_minor: 0,
            billed_minor: 0,
        })
    }
    for line in store.list_actual_lines().await? {
        let line = line.line;
        match map.category(&line.account) {
            Some(Category::CloudRecoverable) => {
                of(&mut months, line.month).booked_cost_minor += line.amount_minor;
            }
            Some(Category::CloudRecovery) => {
                of(&mut months, line.month).booked_recovery_minor += line.amount_minor;
            }
            _ => {}
        }
    }
    for r in cloud
        .recovery
        .iter()
        .filter(|r| r.currency == Currency::USD)
    {
        let m = of(&mut months, r.month);
        m.recoverable_minor += r.recoverable_minor;
        m.billed_minor += r.billed_minor;
    }
    Ok(months
        .into_values()
        .rev()
        .map(|m| LedgerCheck {
            difference_minor: m.booked_cost_minor - m.booked_recovery_minor,
            ..m
        })
        .collect())
}
/// Every billing account's month as a table: its cost, what of it is recoverable, and the
/// overrun with its decision.
pub fn accounts_table(accounts: &[AccountMonth]) -> Table {
    let mut table = Table::new([
        "month",
        "account",
        "currency",
        "lines",
        "cost",
        "recoverable",
        "threshold",
        "over",
        "decision",
        "why",
    ]);
    for a in accounts {
        let money = |minor: i64| Money::from_minor(minor, a.currency).decimal();
        table.push([
            Some(a.month.to_string()),
            Some(a.account.clone()),
            Some(a.currency.to_string()),
            Some(a.lines.to_string()),
            Some(money(a.amount_minor)),
            Some(money(a.recoverable_minor)),
            a.overrun.map(|(t, _)| money(t)),
            a.overrun.map(|(_, o)| money(o)),
            match (&a.overrun, &a.decision) {
                (Some(_), Some(d)) => Some(d.decision.words(a.currency)),
                (Some(_), None) => Some("to decide".to_owned()),
                _ => None,
            },
            a.decision.as_ref().map(|d| {
                format!(
                    "{} ({}, {})",
                    d.reason,
                    d.decided_by,
                    d.decided_at.to_zoned(jiff::tz::TimeZone::UTC).date()
                )
            }),
        ]);
    }
    table
}

/// The mappings as a table.
pub fn mappings_table(list: &[MappingView]) -> Table {
    let mut table = Table::new(["id", "matches", "cluster", "hub", "costs"]);
    for m in list {
        table.push([
            Some(m.id.to_string()),
            Some(m.matches.to_string()),
            Some(m.cluster.clone()),
            m.hub.clone(),
            Some(
                if m.recoverable {
                    "recoverable"
                } else {
                    "absorbed"
                }
                .to_owned(),
            ),
        ]);
    }
    table
}

/// The credits held for partners as a table.
pub fn credits_table(credits: &[CreditHeld]) -> Table {
    let mut table = Table::new([
        "organization",
        "currency",
        "held",
        "drawn",
        "balance",
        "burn",
        "months left",
    ]);
    for c in credits {
        let money = |minor: i64| Money::from_minor(minor, c.currency).decimal();
        table.push([
            Some(c.organization_name.clone()),
            Some(c.currency.to_string()),
            Some(money(c.held_minor)),
            Some(money(c.held_minor - c.credit.balance_minor)),
            Some(money(c.credit.balance_minor)),
            Some(money(c.credit.burn_minor)),
            c.credit.months_left.map(|m| format!("{m:.1}")),
        ]);
    }
    table
}
