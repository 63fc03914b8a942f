//! Billing schedules and the billing run (docs/domain.md, "Invoices, payments and
//! collections"): how each won deal is billed, and for a month what is to be invoiced that is
//! not yet (the instalments its schedule calls for up to the month, each cluster's usage fee
//! for the month billed to its owner), reviewed and then made drafts.

use std::collections::{BTreeMap, HashMap};

use bearing_core::access::Permission;
use bearing_core::billing::{self, Frequency, Instalment, Milestone, Schedule, Timing};
use bearing_core::invoice::{Kind, Line};
use bearing_core::{Currency, Date, DealId, EntityKind, Money, Month, OrganizationId};
use bearing_store::{NewInvoice, Store, WonDeal};

use crate::invoices::Invoice;
use crate::{AppError, Change, ChangeLog, Context, Result, audit};

/// How a deal is billed, and the instalments that makes of it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DealBilling {
    pub deal: DealId,
    /// The deal's currency, in which its milestones and instalments are.
    pub currency: Currency,
    pub schedule: Schedule,
    /// Whether the deal has a schedule of its own; if not, the organisation's practice for its
    /// revenue type applies.
    pub own: bool,
    /// Its instalments, or why it has none.
    pub instalments: std::result::Result<Vec<Instalment>, String>,
}

/// How `deal` is billed.
pub async fn of_deal(store: &Store, ctx: &Context, deal: DealId) -> Result<DealBilling> {
    of(store, ctx, &crate::deals::get(store, deal).await?).await
}

/// How `deal`, already read, is billed.
pub async fn of(store: &Store, ctx: &Context, deal: &crate::deals::Deal) -> Result<DealBilling> {
    crate::invoices::require_read(ctx)?;
    let own = store.billing_schedule(deal.id).await?;
    Ok(deal_billing(deal, own))
}

fn deal_billing(deal: &crate::deals::Deal, own: Option<Schedule>) -> DealBilling {
    let f = &deal.fields;
    let schedule = own
        .clone()
        .unwrap_or_else(|| Schedule::default_for(f.revenue_type.as_ref()));
    let instalments = match (f.contract_start, f.amount_minor) {
        (None, _) => Err("the deal has no contract start".to_owned()),
        (_, None) => Err("the deal has no amount".to_owned()),
        (Some(start), Some(amount)) => {
            schedule.instalments(start, f.contract_end, Money::from_minor(amount, f.currency))
        }
    };
    DealBilling {
        deal: deal.id,
        currency: f.currency,
        schedule,
        own: own.is_some(),
        instalments,
    }
}

/// A schedule as typed: milestones' amounts are read in the deal's currency.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct ScheduleInput {
    pub timing: Timing,
    pub frequency: Frequency,
    /// For a custom schedule: each milestone's day and amount.
    #[serde(default)]
    pub milestones: Vec<MilestoneInput>,
}

/// A milestone as typed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct MilestoneInput {
    pub on: Date,
    pub amount: String,
}

impl MilestoneInput {
    /// `YYYY-MM-DD=AMOUNT`, as the command line takes it.
    pub fn parse(text: &str) -> std::result::Result<MilestoneInput, String> {
        let (on, amount) = text
            .split_once('=')
            .ok_or_else(|| format!("{text:?}: expected YYYY-MM-DD=AMOUNT"))?;
        Ok(MilestoneInput {
            on: bearing_core::parse_date(on.trim()).map_err(|e| e.to_string())?,
            amount: amount.trim().to_owned(),
        })
    }
}

/// Sets how `deal` is billed (audited as the deal's billing schedule).
pub async fn set(
    store: &Store,
    ctx: &Context,
    deal: DealId,
    input: ScheduleInput,
) -> Result<DealBilling> {
    ctx.require(Permission::ManageInvoices)?;
    let found = crate::deals::get(store, deal).await?;
    if found.deleted_at.is_some() {
        return Err(AppError::invalid(
            "deal",
            format!("deal {deal} is deleted: restore it before changing how it is billed"),
        ));
    }
    let milestones = input
        .milestones
        .iter()
        .enumerate()
        .map(|(k, m)| {
            let amount = Money::parse(&m.amount, found.fields.currency).map_err(|e| {
                AppError::invalid("milestones", format!("milestone {}: {e}", k + 1))
            })?;
            Ok(Milestone {
                on: m.on,
                amount_minor: amount.minor,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let schedule = Schedule::new(input.timing, input.frequency, milestones)
        .map_err(|e| AppError::invalid("schedule", e.to_string()))?;
    // A schedule that cannot bill the deal as it stands (milestones that do not add up to
    // its amount, a periodic one without its contract's end) is refused; one set before the
    // deal has its amount or start is checked once they are there.
    let billing = deal_billing(&found, Some(schedule.clone()));
    if let (Err(problem), Some(_), Some(_)) = (
        &billing.instalments,
        found.fields.amount_minor,
        found.fields.contract_start,
    ) {
        return Err(AppError::invalid("schedule", problem.clone()));
    }
    let before = store.billing_schedule(deal).await?;
    let at = ctx.now();
    let mut tx = store.begin().await?;
    tx.set_billing_schedule(deal, &schedule, at).await?;
    audit(
        &mut tx,
        ctx,
        at,
        Change::written(
            EntityKind::BillingSchedule,
            deal,
            before.as_ref(),
            &schedule,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(billing)
}

/// An invoice's billable day and total, as what it bills of a deal's instalments.
type Billed = (Option<Date>, i64);

/// An invoice a billing run would make.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Proposal {
    /// What names it when only some proposals are made drafts: `deal-ID-BILLABLE` for a
    /// deal's instalment, `usage-ORGANIZATION-MONTH` for a month's usage fee.
    pub key: String,
    pub organization_id: OrganizationId,
    /// The organization's key.
    pub organization: String,
    /// The organization's name as people read it.
    pub organization_name: String,
    pub deal_id: Option<DealId>,
    pub deal_name: Option<String>,
    pub kind: Kind,
    pub currency: Currency,
    pub service_from: Option<Date>,
    pub service_to: Option<Date>,
    pub billable_on: Date,
    pub lines: Vec<Line>,
    pub total_minor: i64,
    /// Why it is billed: "instalment 2 of 4 (quarterly, in advance)", "usage of 2 clusters".
    pub reason: String,
}

/// Something a billing run could not bill, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Attention {
    /// The deal, when it is one (else a cluster).
    pub deal_id: Option<DealId>,
    /// The deal's or the cluster's name.
    pub name: String,
    pub problem: String,
}

/// What is to be invoiced for a month.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Run {
    pub month: Month,
    pub proposals: Vec<Proposal>,
    pub attention: Vec<Attention>,
    /// Whether the month's usage is in it: usage is billed once the month is over.
    pub usage_included: bool,
}

impl Run {
    /// What the proposals bill, a sum per currency.
    pub fn totals(&self) -> Vec<Money> {
        let mut totals: BTreeMap<&str, (Currency, i64)> = BTreeMap::new();
        for p in &self.proposals {
            let entry = totals.entry(p.currency.as_str()).or_insert((p.currency, 0));
            entry.1 = entry.1.saturating_add(p.total_minor);
        }
        totals
            .into_values()
            .map(|(c, minor)| Money::from_minor(minor, c))
            .collect()
    }
}

/// What a billing run for `month` would invoice: for every won deal, what its schedule calls
/// for up to the month's end that its invoices (not void, of its kind) do not already bill
/// (for a deal without invoices, what the CRM says was collected counts as billed);
/// and, once the month is over, each cluster's usage fee for it, priced with the tiers and
/// billed to the organization that owns it, unless that organization has a usage invoice for
/// the month already, and each organization's recoverable cloud costs of the month that its
/// cloud invoices do not bill yet.
pub async fn run(store: &Store, ctx: &Context, month: Month) -> Result<Run> {
    crate::invoices::require_read(ctx)?;
    build(store, month, ctx.today()).await
}

async fn build(store: &Store, month: Month, today: Date) -> Result<Run> {
    let (deals, billed, schedules) = tokio::try_join!(
        store.list_won_deals(),
        store.list_billed(month.first_day()),
        store.billing_schedules()
    )?;
    let schedules: HashMap<DealId, Schedule> = schedules.into_iter().collect();
    let mut billed_by_deal: HashMap<(DealId, Kind), Vec<Billed>> = HashMap::new();
    let mut invoiced: std::collections::HashSet<DealId> = Default::default();
    let mut usage_billed: std::collections::HashSet<OrganizationId> = Default::default();
    for b in &billed {
        if let Some(deal) = b.deal_id {
            invoiced.insert(deal);
            billed_by_deal
                .entry((deal, b.kind))
                .or_default()
                .push((b.billable_on, b.total_minor));
        } else {
            // A usage invoice of the month without a deal: its owner's usage is billed.
            usage_billed.insert(b.organization_id);
        }
    }
    let through = month.last_day();
    let mut proposals = Vec::new();
    let mut attention = Vec::new();
    for deal in &deals {
        let kind = Schedule::kind_for(deal.revenue_type.as_ref());
        // Before a deal has invoices, what the CRM says was collected was billed outside them.
        let billed = if invoiced.contains(&deal.id) {
            billed_by_deal.remove(&(deal.id, kind)).unwrap_or_default()
        } else {
            // More collected than the amount is the CRM's to mend (its flags say so), not
            // something billed twice.
            vec![(
                None,
                deal.collected_minor
                    .unwrap_or(0)
                    .min(deal.amount_minor.unwrap_or(i64::MAX)),
            )]
        };
        match instalments_due(deal, schedules.get(&deal.id), &billed, through) {
            Ok(due) => proposals.extend(due),
            Err(problem) => attention.push(Attention {
                deal_id: Some(deal.id),
                name: deal.name.clone(),
                problem,
            }),
        }
    }
    let usage_included = through < today;
    if usage_included {
        usage_proposals(store, month, &usage_billed, &mut proposals, &mut attention).await?;
        cloud_proposals(store, month, &mut proposals).await?;
    }
    proposals.sort_by(|a, b| {
        (a.billable_on, &a.organization_name, &a.key).cmp(&(
            b.billable_on,
            &b.organization_name,
            &b.key,
        ))
    });
    Ok(Run {
        month,
        proposals,
        attention,
        usage_included,
    })
}

/// The invoices `deal`'s schedule (its own, else the default) calls for through `through`
/// beyond what its invoices already bill (`billed`: each one's billable day and total), or the problem that keeps it from being
/// billed. A gift, or a deal of nothing, is not invoiced.
fn instalments_due(
    deal: &WonDeal,
    own: Option<&Schedule>,
    billed: &[(Option<Date>, i64)],
    through: Date,
) -> std::result::Result<Vec<Proposal>, String> {
    if deal.revenue_type.as_ref().is_some_and(|t| t.is_gift())
        || deal.amount_minor.is_some_and(|a| a == 0)
    {
        return Ok(Vec::new());
    }
    let Some((organization_id, organization, organization_name)) = &deal.organization else {
        return Err(
            "it has no organization (or its organization is deleted): set one to bill it".into(),
        );
    };
    let Some(amount) = deal.amount_minor else {
        return Err("it has no amount: set the contract's amount to bill it".into());
    };
    let Some(start) = deal.contract_start else {
        return Err("it has no contract start: set the contract's dates to bill it".into());
    };
    let default = Schedule::default_for(deal.revenue_type.as_ref());
    let schedule = own.unwrap_or(&default);
    let instalments = schedule
        .instalments(
            start,
            deal.contract_end,
            Money::from_minor(amount, deal.currency),
        )
        .map_err(|e| format!("{e} (schedule: {schedule})"))?;
    let total: i64 = billed
        .iter()
        .fold(0_i64, |sum, (_, t)| sum.saturating_add(*t));
    if total > amount {
        return Err(format!(
            "its invoices bill {}, more than its amount, {}: void what was billed twice",
            Money::from_minor(total, deal.currency).text(),
            Money::from_minor(amount, deal.currency).text()
        ));
    }
    let kind = Schedule::kind_for(deal.revenue_type.as_ref());
    let n = instalments.len();
    billing::unbilled(&instalments, billed, through)
        .into_iter()
        .map(|(k, i)| {
            let period = match (i.service_from, i.service_to) {
                (Some(from), Some(to)) => format!(
                    "{} – {}",
                    bearing_core::day_words(from),
                    bearing_core::day_words(to)
                ),
                (Some(from), None) => format!("from {}", bearing_core::day_words(from)),
                _ => format!("milestone of {}", bearing_core::day_words(i.billable_on)),
            };
            let line = Line::new(
                &format!("{}, {period}", deal.name),
                bearing_core::invoice::Quantity::ONE,
                i.amount_minor,
            )
            .map_err(|e| e.to_string())?;
            let part = if i.amount_minor < instalments[k].amount_minor {
                ", the rest of it"
            } else {
                ""
            };
            Ok(Proposal {
                key: format!("deal-{}-{}", deal.id, i.billable_on),
                organization_id: *organization_id,
                organization: organization.clone(),
                organization_name: organization_name.clone(),
                deal_id: Some(deal.id),
                deal_name: Some(deal.name.clone()),
                kind,
                currency: deal.currency,
                service_from: i.service_from,
                service_to: i.service_to,
                billable_on: i.billable_on,
                lines: vec![line],
                total_minor: i.amount_minor,
                reason: format!("instalment {} of {n}{part} ({schedule})", k + 1),
            })
        })
        .collect()
}

/// Each owner's usage invoice for `month`: a line per tier each of its clusters reaches.
async fn usage_proposals(
    store: &Store,
    month: Month,
    billed: &std::collections::HashSet<OrganizationId>,
    proposals: &mut Vec<Proposal>,
    attention: &mut Vec<Attention>,
) -> Result<()> {
    let (_, a) = crate::assumptions::current(store, month.last_day()).await?;
    let mau = crate::usage::monthly_active_users(store, &a).await?;
    let organizations: HashMap<OrganizationId, (String, String)> = store
        .list_organizations(false)
        .await?
        .into_iter()
        .map(|o| {
            let key = o.fields.name.to_string();
            let name = o.fields.long_name.clone().unwrap_or_else(|| key.clone());
            (o.id, (key, name))
        })
        .collect();
    let mut by_owner: BTreeMap<OrganizationId, Vec<(String, i64)>> = BTreeMap::new();
    for cluster in store
        .list_units()
        .await?
        .into_iter()
        .filter(|u| u.kind() == bearing_store::UnitKind::Cluster)
    {
        let Some(&users) = mau.get(&(cluster.name.clone(), month)) else {
            continue;
        };
        if users <= 0 {
            continue;
        }
        match cluster
            .fields
            .organization
            .filter(|o| organizations.contains_key(o))
        {
            Some(owner) => by_owner
                .entry(owner)
                .or_default()
                .push((cluster.name, users)),
            None => attention.push(Attention {
                deal_id: None,
                name: cluster.name,
                problem: format!(
                    "{users} active users in {} and no organization owns it: set its organization to bill its usage",
                    month.words()
                ),
            }),
        }
    }
    for (owner, clusters) in by_owner {
        if billed.contains(&owner) {
            continue;
        }
        let lines: Vec<Line> = clusters
            .iter()
            .flat_map(|(cluster, users)| {
                billing::usage_lines(cluster, month, *users, &a.usage_tiers)
            })
            .collect();
        let Some(total) = bearing_core::invoice::total(&lines).filter(|t| *t > 0) else {
            continue;
        };
        let (key, name) = organizations.get(&owner).cloned().unwrap_or_default();
        let billable_on = month.plus(1).map(Month::first_day).ok_or_else(|| {
            AppError::invalid("month", "the month after it is past the last Bearing knows")
        })?;
        proposals.push(Proposal {
            key: format!("usage-{owner}-{month}"),
            organization_id: owner,
            organization: key,
            organization_name: name,
            deal_id: None,
            deal_name: None,
            kind: Kind::Usage,
            currency: Currency::USD,
            service_from: Some(month.first_day()),
            service_to: Some(month.last_day()),
            billable_on,
            lines,
            total_minor: total,
            reason: match clusters.len() {
                1 => "usage of 1 cluster".to_owned(),
                n => format!("usage of {n} clusters"),
            },
        });
    }
    Ok(())
}

/// Each organization's cloud invoice for `month`: its recoverable cloud costs of the month
/// that its cloud invoices do not bill yet, a line per cluster (and hub) when none of them is
/// billed, else one line of what is left.
async fn cloud_proposals(store: &Store, month: Month, proposals: &mut Vec<Proposal>) -> Result<()> {
    let unbilled = crate::cloud::unbilled(store, month).await?;
    if unbilled.is_empty() {
        return Ok(());
    }
    let organizations: HashMap<OrganizationId, (String, String)> = store
        .list_organizations(false)
        .await?
        .into_iter()
        .map(|o| {
            let key = o.fields.name.to_string();
            let name = o.fields.long_name.clone().unwrap_or_else(|| key.clone());
            (o.id, (key, name))
        })
        .collect();
    let billable_on = month.plus(1).map(Month::first_day).ok_or_else(|| {
        AppError::invalid("month", "the month after it is past the last Bearing knows")
    })?;
    for (owner, currency, parts, left) in unbilled {
        // A deleted organization is not billed; the recovery lists what it owes.
        let Some((key, name)) = organizations.get(&owner).cloned() else {
            continue;
        };
        let whole =
            parts.iter().map(|(_, a)| *a).sum::<i64>() == left && parts.iter().all(|(_, a)| *a > 0);
        let lines: Vec<Line> = if whole {
            parts
                .iter()
                .map(|(what, amount)| {
                    Line::new(
                        &format!("Cloud costs of {what}, {}", month.words()),
                        bearing_core::invoice::Quantity::ONE,
                        *amount,
                    )
                })
                .collect::<std::result::Result<_, _>>()
        } else {
            Line::new(
                &format!("Cloud costs of {} not billed yet", month.words()),
                bearing_core::invoice::Quantity::ONE,
                left,
            )
            .map(|l| vec![l])
        }
        .map_err(|e| AppError::Internal(format!("a cloud invoice's line: {e}")))?;
        let suffix = if currency == Currency::USD {
            String::new()
        } else {
            format!("-{currency}")
        };
        proposals.push(Proposal {
            key: format!("cloud-{owner}-{month}{suffix}"),
            organization_id: owner,
            organization: key,
            organization_name: name,
            deal_id: None,
            deal_name: None,
            kind: Kind::Cloud,
            currency,
            service_from: Some(month.first_day()),
            service_to: Some(month.last_day()),
            billable_on,
            total_minor: left,
            reason: match lines.len() {
                1 => "recoverable cloud costs".to_owned(),
                n => format!("recoverable cloud costs of {n} clusters or hubs"),
            },
            lines,
        });
    }
    Ok(())
}

/// Held while a billing run is confirmed.
static CONFIRMING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Makes drafts of the billing run for `month` (all its proposals, or those `only` names),
/// numbered in order, each audited; the invoices made, in the run's order. Every key named
/// must still be proposed: a run that changed since it was reviewed makes nothing.
pub async fn confirm(
    store: &Store,
    ctx: &Context,
    month: Month,
    only: Option<&[String]>,
) -> Result<Vec<Invoice>> {
    ctx.require(Permission::ManageInvoices)?;
    // One confirmation at a time: a second (a double click, a client that retries) waits and
    // then finds what the first made already billed, rather than billing it again.
    let _one_at_a_time = CONFIRMING.lock().await;
    let run = build(store, month, ctx.today()).await?;
    let chosen: Vec<Proposal> = match only {
        None => run.proposals,
        Some([]) => {
            return Err(AppError::invalid(
                "only",
                "names no invoice: name the keys of those to make",
            ));
        }
        Some(keys) => {
            if let Some(gone) = keys
                .iter()
                .find(|k| !run.proposals.iter().any(|p| &p.key == *k))
            {
                return Err(AppError::invalid(
                    "only",
                    format!(
                        "{gone} is not in the billing run for {month} any more: review the run again"
                    ),
                ));
            }
            run.proposals
                .into_iter()
                .filter(|p| keys.contains(&p.key))
                .collect()
        }
    };
    if chosen.is_empty() {
        return Ok(Vec::new());
    }
    let first = store.next_invoice_sequence().await?;
    let at = ctx.now();
    let mut log = ChangeLog::new(ctx, at);
    let mut tx = store.begin().await?;
    let mut ids = Vec::with_capacity(chosen.len());
    for (n, p) in (first..).zip(chosen) {
        let new = NewInvoice {
            number: bearing_core::invoice::number(n),
            organization_id: p.organization_id,
            deal_id: p.deal_id,
            kind: p.kind,
            currency: p.currency,
            service_from: p.service_from,
            service_to: p.service_to,
            billable_on: Some(p.billable_on),
            terms_days: bearing_core::invoice::DEFAULT_TERMS_DAYS,
            external_id: None,
            source: Some(format!("billing run {month}")),
            lines: p.lines,
        };
        let id = tx.insert_invoice(&new, at).await?;
        let created = tx.get_invoice(id).await?;
        log.record(Change::created(EntityKind::Invoice, id, &created))?;
        ids.push(created);
    }
    log.write(&mut tx).await?;
    tx.commit().await?;
    crate::invoices::views(store, ids).await
}

/// A billing run as a table: a row per proposed invoice.
pub fn table(run: &Run) -> bearing_formats::Table {
    let mut table = bearing_formats::Table::new([
        "key",
        "billable",
        "organization",
        "deal",
        "kind",
        "service_from",
        "service_to",
        "currency",
        "total",
        "reason",
    ]);
    for p in &run.proposals {
        let day = |d: Option<Date>| d.map(|d| d.to_string());
        table.push([
            Some(p.key.clone()),
            Some(p.billable_on.to_string()),
            Some(p.organization.clone()),
            p.deal_name.clone(),
            Some(p.kind.to_string()),
            day(p.service_from),
            day(p.service_to),
            Some(p.currency.to_string()),
            Some(Money::from_minor(p.total_minor, p.currency).decimal()),
            Some(p.reason.clone()),
        ]);
    }
    table
}

/// A deal's instalments as a table.
pub fn instalments_table(billing: &DealBilling) -> bearing_formats::Table {
    let currency = billing.currency;
    let mut table =
        bearing_formats::Table::new(["billable", "service_from", "service_to", "amount"]);
    for i in billing.instalments.iter().flatten() {
        let day = |d: Option<Date>| d.map(|d| d.to_string());
        table.push([
            Some(i.billable_on.to_string()),
            day(i.service_from),
            day(i.service_to),
            Some(Money::from_minor(i.amount_minor, currency).decimal()),
        ]);
    }
    table
}
