//! Deals: create, edit, move between stages, renew, soft-delete and restore. Every change
//! writes its audit row and, for the tracked fields, its deal-history rows, in one transaction.

use std::collections::{BTreeMap, HashMap};

use bearing_core::deal::RevenueType;
use bearing_core::deal::{DealFields, DealLinks, DealType, FieldChange};
use bearing_core::organization::OrganizationName;
use bearing_core::pipeline::{ForecastCategory, Probability, StageOutcome};
use bearing_core::{
    CampaignId, Currency, DataPart, Date, DealId, EntityKind, Money, OrganizationId, StageId,
};
use bearing_formats::Table;
use bearing_store::{DealHistoryRecord, DealRecord, DealRow, StageRecord, Store, Tx};

use crate::patch::{self, ClearError, Edit};
use crate::{AppError, Change, ChangeLog, Context, Result};
use bearing_core::access::Permission;

/// The names behind a deal's ids: stages, organizations and campaigns.
#[derive(Debug, Clone)]
pub struct Catalog {
    stages: Vec<StageRecord>,
    organizations: HashMap<OrganizationId, OrganizationName>,
    organization_ids: HashMap<OrganizationName, OrganizationId>,
    campaigns: HashMap<CampaignId, String>,
    campaign_ids: HashMap<String, CampaignId>,
}

impl Catalog {
    pub async fn load(store: &Store) -> Result<Catalog> {
        let stages = store.list_stages().await?;
        let organizations = store.list_organizations(true).await?;
        let campaigns = store.list_campaigns(true).await?;
        Ok(Catalog {
            stages,
            organization_ids: organizations
                .iter()
                .map(|o| (o.fields.name.clone(), o.id))
                .collect(),
            organizations: organizations
                .into_iter()
                .map(|o| (o.id, o.fields.name))
                .collect(),
            campaign_ids: campaigns
                .iter()
                .map(|c| (c.row.name.clone(), c.id))
                .collect(),
            campaigns: campaigns.into_iter().map(|c| (c.id, c.row.name)).collect(),
        })
    }

    /// Makes an organization written in a transaction not yet committed known by name.
    pub fn add_organization(&mut self, name: OrganizationName, id: OrganizationId) {
        self.organization_ids.insert(name.clone(), id);
        self.organizations.insert(id, name);
    }

    /// Makes a campaign written in a transaction not yet committed known by name.
    pub fn add_campaign(&mut self, name: String, id: CampaignId) {
        self.campaign_ids.insert(name.clone(), id);
        self.campaigns.insert(id, name);
    }

    pub fn stages(&self) -> &[StageRecord] {
        &self.stages
    }

    pub fn stage(&self, id: StageId) -> Option<&StageRecord> {
        self.stages.iter().find(|s| s.id == id)
    }

    /// A stage by pipeline and name, ignoring case; retired stages are not offered.
    pub fn find_stage(&self, pipeline: &str, stage: &str) -> Result<&StageRecord> {
        let in_pipeline: Vec<&StageRecord> = self
            .stages
            .iter()
            .filter(|s| s.pipeline.eq_ignore_ascii_case(pipeline.trim()))
            .collect();
        if in_pipeline.is_empty() {
            let names: Vec<&str> = self.pipelines();
            return Err(AppError::invalid(
                "pipeline",
                format!(
                    "no pipeline {:?}; pipelines: {}",
                    pipeline,
                    names.join(", ")
                ),
            ));
        }
        in_pipeline
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(stage.trim()) && !s.retired)
            .copied()
            .ok_or_else(|| {
                let names: Vec<&str> = in_pipeline
                    .iter()
                    .filter(|s| !s.retired)
                    .map(|s| s.name.as_str())
                    .collect();
                AppError::invalid(
                    "stage",
                    format!(
                        "no stage {:?} in {}; stages: {}",
                        stage,
                        in_pipeline[0].pipeline,
                        names.join(", ")
                    ),
                )
            })
    }

    fn pipelines(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.stages.iter().map(|s| s.pipeline.as_str()).collect();
        names.dedup();
        names
    }

    pub fn organization_name(&self, id: OrganizationId) -> Option<&OrganizationName> {
        self.organizations.get(&id)
    }

    pub fn campaign_name(&self, id: CampaignId) -> Option<&str> {
        self.campaigns.get(&id).map(String::as_str)
    }

    /// The stored row for `fields`, with names resolved to ids.
    pub fn row(&self, fields: &DealFields) -> Result<DealRow> {
        let stage = self.find_stage(&fields.pipeline, &fields.stage)?;
        let organization_id = match &fields.organization {
            Some(name) => Some(*self.organization_ids.get(name).ok_or_else(|| {
                AppError::invalid("organization", format!("no organization named {name}"))
            })?),
            None => None,
        };
        let campaign_id = match &fields.campaign {
            Some(name) => Some(*self.campaign_ids.get(name).ok_or_else(|| {
                AppError::invalid("campaign", format!("no campaign named {name:?}"))
            })?),
            None => None,
        };
        Ok(DealRow {
            name: fields.name.trim().to_owned(),
            organization_id,
            pipeline_id: stage.pipeline_id,
            stage_id: stage.id,
            probability: fields.probability.map(Probability::get),
            forecast_category: fields.forecast_category,
            revenue_type: fields.revenue_type.clone(),
            deal_type: fields.deal_type,
            renews_deal_id: fields.renews,
            currency: fields.currency,
            amount: fields
                .amount_minor
                .map(|m| Money::from_minor(m, fields.currency)),
            collected: fields
                .collected_minor
                .map(|m| Money::from_minor(m, fields.currency)),
            close_date: fields.close_date,
            contract_start: fields.contract_start,
            contract_end: fields.contract_end,
            target_start: fields.target_start,
            target_end: fields.target_end,
            owner: fields.owner.clone(),
            campaign_id,
            loss_reason: fields.loss_reason.clone(),
            agreement_url: fields.links.agreement.clone(),
            engagement_url: fields.links.engagement.clone(),
            tracker_url: fields.links.tracker.clone(),
        })
    }

    /// The fields of a stored deal, with ids turned back into names.
    pub fn fields(&self, row: &DealRow) -> Result<DealFields> {
        let stage = self.stage(row.stage_id).ok_or_else(|| {
            AppError::Internal(format!("deal refers to unknown stage {}", row.stage_id))
        })?;
        Ok(DealFields {
            name: row.name.clone(),
            organization: row
                .organization_id
                .and_then(|id| self.organization_name(id).cloned()),
            pipeline: stage.pipeline.clone(),
            stage: stage.name.clone(),
            probability: row.probability.and_then(|p| Probability::new(p).ok()),
            forecast_category: row.forecast_category,
            revenue_type: row.revenue_type.clone(),
            deal_type: row.deal_type,
            currency: row.currency,
            amount_minor: row.amount.map(|m| m.minor),
            collected_minor: row.collected.map(|m| m.minor),
            close_date: row.close_date,
            contract_start: row.contract_start,
            contract_end: row.contract_end,
            target_start: row.target_start,
            target_end: row.target_end,
            owner: row.owner.clone(),
            loss_reason: row.loss_reason.clone(),
            renews: row.renews_deal_id,
            campaign: row
                .campaign_id
                .and_then(|id| self.campaign_name(id).map(str::to_owned)),
            links: DealLinks {
                agreement: row.agreement_url.clone(),
                engagement: row.engagement_url.clone(),
                tracker: row.tracker_url.clone(),
            },
        })
    }
}

/// A deal as the front doors show it: the record, its fields by name, its stage, and its ids
/// elsewhere and extra properties.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Deal {
    pub id: DealId,
    #[serde(flatten)]
    pub fields: DealFields,
    pub stage_probability: f64,
    pub stage_outcome: StageOutcome,
    pub external_ids: BTreeMap<String, String>,
    pub properties: BTreeMap<String, String>,
    #[serde(with = "bearing_store::stored_time")]
    pub created_at: jiff::Timestamp,
    #[serde(with = "bearing_store::stored_time")]
    pub updated_at: jiff::Timestamp,
    #[serde(with = "bearing_store::stored_time::option")]
    pub deleted_at: Option<jiff::Timestamp>,
}

impl Deal {
    /// The deal's own probability, else its stage's default.
    pub fn probability(&self) -> f64 {
        self.fields
            .probability
            .map_or(self.stage_probability, Probability::get)
    }

    /// The amount in major units of its currency (unknown counts as zero).
    pub fn amount_major(&self) -> f64 {
        bearing_core::Money::from_minor(self.fields.amount_minor.unwrap_or(0), self.fields.currency)
            .as_major_f64()
    }
}

/// Count, amount and probability-weighted amount of some deals.
pub fn totals<'a>(list: impl IntoIterator<Item = &'a Deal>) -> (usize, f64, f64) {
    list.into_iter()
        .fold((0, 0.0, 0.0), |(n, amount, weighted), d| {
            (
                n + 1,
                amount + d.amount_major(),
                weighted + d.amount_major() * d.probability(),
            )
        })
}

/// Checks what the target stage needs of a deal entering it, naming what is missing.
pub fn check_stage_requirements(fields: &DealFields, stage: &StageRecord) -> Result<()> {
    let mut missing = Vec::new();
    match stage.outcome {
        StageOutcome::Won => {
            if fields.amount_minor.is_none() {
                missing.push("amount");
            }
            if fields.contract_start.is_none() {
                missing.push("contract start");
            }
            if fields.contract_end.is_none() {
                missing.push("contract end");
            }
        }
        StageOutcome::Lost => {
            if fields
                .loss_reason
                .as_deref()
                .is_none_or(|r| r.trim().is_empty())
            {
                missing.push("loss reason");
            }
        }
        StageOutcome::Open => {}
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(AppError::invalid(
            "stage",
            format!(
                "moving to {} needs {}; missing: {}",
                stage.name,
                needs(stage.outcome),
                missing.join(", ")
            ),
        ))
    }
}

fn needs(outcome: StageOutcome) -> &'static str {
    match outcome {
        StageOutcome::Won => "an amount, a contract start and a contract end",
        StageOutcome::Lost => "a loss reason",
        StageOutcome::Open => "nothing",
    }
}

fn validate(fields: &DealFields) -> Result<()> {
    crate::text::check_text(fields)?;
    match fields.problems().into_iter().next() {
        Some((field, message)) => Err(AppError::invalid(field, message)),
        None => Ok(()),
    }
}

/// Records the audit row and the history rows of one change to a deal.
pub(crate) fn log_change(
    log: &mut ChangeLog<'_>,
    before: Option<&DealRecord>,
    after: &DealRecord,
    history: Vec<FieldChange>,
) -> Result<()> {
    log.record(Change::written(EntityKind::Deal, after.id, before, after))?;
    log.deal_history(after.id, history);
    Ok(())
}

/// Writes one change to a deal: its audit row and history rows.
async fn record_change(
    tx: &mut Tx,
    ctx: &Context,
    at: jiff::Timestamp,
    before: Option<&DealRecord>,
    after: &DealRecord,
    history: Vec<FieldChange>,
) -> Result<()> {
    let mut log = ChangeLog::new(ctx, at);
    log_change(&mut log, before, after, history)?;
    log.write(tx).await
}

pub async fn create(store: &Store, ctx: &Context, fields: DealFields) -> Result<Deal> {
    ctx.require(Permission::EditCrm)?;
    insert(store, ctx, fields, false).await
}

/// Creates a deal; a `renewal` only while no other deal renews the same one, checked under
/// the CRM's lock in the transaction that creates it, so a deal is not renewed twice by two
/// clicks at once.
async fn insert(store: &Store, ctx: &Context, fields: DealFields, renewal: bool) -> Result<Deal> {
    validate(&fields)?;
    let catalog = Catalog::load(store).await?;
    let row = catalog.row(&fields)?;
    let stage = catalog.find_stage(&fields.pipeline, &fields.stage)?;
    check_stage_requirements(&fields, stage)?;
    let at = ctx.now();
    let mut tx = store.begin().await?;
    if let Some(renews) = fields.renews {
        tx.get_deal(renews).await?;
        if renewal {
            tx.lock(DataPart::Crm).await?;
            if let Some(other) = tx.find_renewal_of(renews).await? {
                return Err(already_renewed(renews, other));
            }
        }
    }
    let created = tx.insert_deal(&row, at).await?;
    let history = catalog.fields(&created.row)?.changes_from(None);
    record_change(&mut tx, ctx, at, None, &created, history).await?;
    tx.commit().await?;
    get(store, created.id).await
}

/// An edit of a deal: each field kept or set, and those that may be unknown cleared.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DealPatch {
    pub name: Option<String>,
    pub organization: Edit<OrganizationName>,
    pub pipeline: Option<String>,
    pub stage: Option<String>,
    pub probability: Edit<Probability>,
    pub forecast_category: Edit<ForecastCategory>,
    pub revenue_type: Edit<RevenueType>,
    /// Kept unless set; a deal given something new to renew becomes a renewal.
    pub deal_type: Option<DealType>,
    pub currency: Option<Currency>,
    pub amount_minor: Edit<i64>,
    pub collected_minor: Edit<i64>,
    pub close_date: Edit<Date>,
    pub contract_start: Edit<Date>,
    pub contract_end: Edit<Date>,
    pub target_start: Edit<Date>,
    pub target_end: Edit<Date>,
    pub owner: Edit<String>,
    pub loss_reason: Edit<String>,
    pub renews: Edit<DealId>,
    pub campaign: Edit<String>,
    pub agreement: Edit<String>,
    pub engagement: Edit<String>,
    pub tracker: Edit<String>,
}

/// The fields a deal's edit may clear, by the names users give them.
const CLEARABLE: &[&str] = &[
    "org",
    "probability",
    "forecast-category",
    "type",
    "renews",
    "amount",
    "collected",
    "close-date",
    "contract-start",
    "contract-end",
    "target-start",
    "target-end",
    "owner",
    "campaign",
    "loss-reason",
    "agreement-url",
    "engagement-url",
    "tracker-url",
];

impl DealPatch {
    /// Every field replaced by `fields` (the API's PUT).
    pub fn replace(fields: DealFields) -> Self {
        DealPatch {
            name: Some(fields.name),
            organization: Edit::whole(fields.organization),
            pipeline: Some(fields.pipeline),
            stage: Some(fields.stage),
            probability: Edit::whole(fields.probability),
            forecast_category: Edit::whole(fields.forecast_category),
            revenue_type: Edit::whole(fields.revenue_type),
            deal_type: Some(fields.deal_type),
            currency: Some(fields.currency),
            amount_minor: Edit::whole(fields.amount_minor),
            collected_minor: Edit::whole(fields.collected_minor),
            close_date: Edit::whole(fields.close_date),
            contract_start: Edit::whole(fields.contract_start),
            contract_end: Edit::whole(fields.contract_end),
            target_start: Edit::whole(fields.target_start),
            target_end: Edit::whole(fields.target_end),
            owner: Edit::whole(fields.owner),
            loss_reason: Edit::whole(fields.loss_reason),
            renews: Edit::whole(fields.renews),
            campaign: Edit::whole(fields.campaign),
            agreement: Edit::whole(fields.links.agreement),
            engagement: Edit::whole(fields.links.engagement),
            tracker: Edit::whole(fields.links.tracker),
        }
    }

    /// Clears a field by the name a user gives it (`amount`, `close-date` or `close_date`).
    pub fn clear(&mut self, field: &str) -> std::result::Result<(), ClearError> {
        match field.replace('_', "-").as_str() {
            "org" | "organization" => patch::clear(&mut self.organization, field),
            "probability" => patch::clear(&mut self.probability, field),
            "forecast-category" => patch::clear(&mut self.forecast_category, field),
            "type" | "revenue-type" => patch::clear(&mut self.revenue_type, field),
            "renews" => patch::clear(&mut self.renews, field),
            "amount" => patch::clear(&mut self.amount_minor, field),
            "collected" | "amount-collected" => patch::clear(&mut self.collected_minor, field),
            "close-date" => patch::clear(&mut self.close_date, field),
            "contract-start" => patch::clear(&mut self.contract_start, field),
            "contract-end" => patch::clear(&mut self.contract_end, field),
            "target-start" => patch::clear(&mut self.target_start, field),
            "target-end" => patch::clear(&mut self.target_end, field),
            "owner" => patch::clear(&mut self.owner, field),
            "campaign" => patch::clear(&mut self.campaign, field),
            "loss-reason" => patch::clear(&mut self.loss_reason, field),
            "agreement-url" => patch::clear(&mut self.agreement, field),
            "engagement-url" => patch::clear(&mut self.engagement, field),
            "tracker-url" => patch::clear(&mut self.tracker, field),
            _ => Err(patch::not_clearable(field, CLEARABLE)),
        }
    }

    pub fn apply(self, to: &DealFields) -> DealFields {
        let renews = self.renews.apply(to.renews);
        let deal_type = match self.deal_type {
            Some(set) => set,
            None if renews.is_some() && renews != to.renews => DealType::Renewal,
            None => to.deal_type,
        };
        DealFields {
            name: self.name.unwrap_or_else(|| to.name.clone()),
            organization: self.organization.apply(to.organization.clone()),
            pipeline: self.pipeline.unwrap_or_else(|| to.pipeline.clone()),
            stage: self.stage.unwrap_or_else(|| to.stage.clone()),
            probability: self.probability.apply(to.probability),
            forecast_category: self.forecast_category.apply(to.forecast_category),
            revenue_type: self.revenue_type.apply(to.revenue_type.clone()),
            deal_type,
            currency: self.currency.unwrap_or(to.currency),
            amount_minor: self.amount_minor.apply(to.amount_minor),
            collected_minor: self.collected_minor.apply(to.collected_minor),
            close_date: self.close_date.apply(to.close_date),
            contract_start: self.contract_start.apply(to.contract_start),
            contract_end: self.contract_end.apply(to.contract_end),
            target_start: self.target_start.apply(to.target_start),
            target_end: self.target_end.apply(to.target_end),
            owner: self.owner.apply(to.owner.clone()),
            loss_reason: self.loss_reason.apply(to.loss_reason.clone()),
            renews,
            campaign: self.campaign.apply(to.campaign.clone()),
            links: DealLinks {
                agreement: self.agreement.apply(to.links.agreement.clone()),
                engagement: self.engagement.apply(to.links.engagement.clone()),
                tracker: self.tracker.apply(to.links.tracker.clone()),
            },
        }
    }
}

/// Replaces a deal's fields. A change of stage must meet what the new stage needs.
pub async fn edit(store: &Store, ctx: &Context, id: DealId, fields: DealFields) -> Result<Deal> {
    patch(store, ctx, id, DealPatch::replace(fields)).await
}

/// Changes a deal by `patch`, applied to the deal as the transaction reads it. A change of
/// stage must meet what the new stage needs; nothing is written when nothing changes.
pub async fn patch(store: &Store, ctx: &Context, id: DealId, patch: DealPatch) -> Result<Deal> {
    ctx.require(Permission::EditCrm)?;
    let catalog = Catalog::load(store).await?;
    let at = ctx.now();
    let mut tx = store.begin().await?;
    let before = tx.get_deal(id).await?;
    if before.deleted_at.is_some() {
        return Err(AppError::Conflict(format!(
            "deal {id} is deleted: restore it before editing"
        )));
    }
    let fields = patch.apply(&catalog.fields(&before.row)?);
    validate(&fields)?;
    let row = catalog.row(&fields)?;
    if before.row == row {
        return get(store, id).await;
    }
    if before.row.stage_id != row.stage_id {
        let stage = catalog.find_stage(&fields.pipeline, &fields.stage)?;
        check_stage_requirements(&fields, stage)?;
    }
    if fields.renews == Some(id) {
        return Err(AppError::invalid("renews", "a deal cannot renew itself"));
    }
    let after = tx.update_deal(id, &row, at).await?;
    let history = catalog
        .fields(&after.row)?
        .changes_from(Some(&catalog.fields(&before.row)?));
    record_change(&mut tx, ctx, at, Some(&before), &after, history).await?;
    tx.commit().await?;
    get(store, id).await
}

/// What a move may set along the way.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MoveDetails {
    pub loss_reason: Option<String>,
    pub amount_minor: Option<i64>,
    pub contract_start: Option<Date>,
    pub contract_end: Option<Date>,
    pub close_date: Option<Date>,
}

/// Moves a deal to another stage of its pipeline, enforcing what the stage needs. Details given
/// with the move are set first, so a deal can be closed in one step.
pub async fn move_to(
    store: &Store,
    ctx: &Context,
    id: DealId,
    stage: &str,
    details: MoveDetails,
) -> Result<Deal> {
    ctx.require(Permission::EditCrm)?;
    let current = get(store, id).await?;
    let fields = &current.fields;
    let catalog = Catalog::load(store).await?;
    let target = catalog.find_stage(&fields.pipeline, stage)?;
    if target.name == fields.stage {
        return Err(AppError::Conflict(format!(
            "deal {id} is already in {}",
            target.name
        )));
    }
    // A deal won closes on the day it is won, unless the move says otherwise.
    let close_date = match details.close_date {
        Some(day) => Edit::Set(day),
        None if target.outcome == StageOutcome::Won => Edit::Set(ctx.today()),
        None => Edit::Keep,
    };
    let change = DealPatch {
        stage: Some(target.name.clone()),
        loss_reason: Edit::given(details.loss_reason),
        amount_minor: Edit::given(details.amount_minor),
        contract_start: Edit::given(details.contract_start),
        contract_end: Edit::given(details.contract_end),
        close_date,
        ..DealPatch::default()
    };
    // The new stage's requirements are checked by `patch`, on the deal as it then reads.
    patch(store, ctx, id, change).await
}

/// Creates next term's deal, in the Renewal stage, from a won membership: same organization,
/// amount and term length, starting the day after this term ends.
pub async fn renew(store: &Store, ctx: &Context, id: DealId) -> Result<Deal> {
    ctx.require(Permission::EditCrm)?;
    let current = get(store, id).await?;
    let f = &current.fields;
    if current.deleted_at.is_some() {
        return Err(AppError::Conflict(format!("deal {id} is deleted")));
    }
    if current.stage_outcome != StageOutcome::Won {
        return Err(AppError::invalid(
            "stage",
            format!(
                "only a won deal can be renewed; deal {id} is in {}",
                f.stage
            ),
        ));
    }
    if !f
        .revenue_type
        .as_ref()
        .is_some_and(|t| t.as_str().starts_with("membership"))
    {
        return Err(AppError::invalid(
            "revenue_type",
            format!("only memberships are renewed; deal {id} is not a membership"),
        ));
    }
    let (Some(start), Some(end)) = (
        f.contract_start.or(f.target_start),
        f.contract_end.or(f.target_end),
    ) else {
        return Err(AppError::invalid(
            "contract_end",
            format!("deal {id} has no term to renew: set its contract dates"),
        ));
    };
    let (next_start, next_end) = next_term(start, end).ok_or_else(|| {
        AppError::invalid("contract_end", "the next term falls outside the calendar")
    })?;
    let catalog = Catalog::load(store).await?;
    let renewal_stage = catalog.find_stage(&f.pipeline, "Renewal")?;
    let mut fields = DealFields {
        name: renewal_name(&f.name, start, end, next_start),
        stage: renewal_stage.name.clone(),
        probability: None,
        forecast_category: None,
        deal_type: DealType::Renewal,
        collected_minor: None,
        close_date: None,
        contract_start: None,
        contract_end: None,
        target_start: Some(next_start),
        target_end: Some(next_end),
        loss_reason: None,
        renews: Some(id),
        links: DealLinks::default(),
        ..f.clone()
    };
    fields.campaign = None;
    insert(store, ctx, fields, true).await
}

fn already_renewed(id: DealId, by: DealId) -> AppError {
    AppError::Conflict(format!("deal {id} is already renewed by deal {by}"))
}

/// The term after [start, end]: it starts the day after `end` and lasts as long.
fn next_term(start: Date, end: Date) -> Option<(Date, Date)> {
    use jiff::{ToSpan, Unit};
    let after_end = end.checked_add(1.day()).ok()?;
    let length = start.until((Unit::Month, after_end)).ok()?;
    let next_end = after_end
        .checked_add(length)
        .ok()?
        .checked_sub(1.day())
        .ok()?;
    Some((after_end, next_end))
}

/// "BIDS 2025" → "BIDS 2026", "CAL 2027-2028" → "CAL 2028-2029": the years of the term move on
/// by the term's length; a name without them gets " renewal".
fn renewal_name(name: &str, start: Date, end: Date, next_start: Date) -> String {
    let shift = i32::from(next_start.year()) - i32::from(start.year());
    let term = i32::from(start.year())..=i32::from(end.year());
    let mut out = String::with_capacity(name.len());
    let mut shifted = false;
    let chars: Vec<char> = name.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if run == 0 {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let digits: String = chars[i..i + run].iter().collect();
        match digits.parse::<i32>() {
            Ok(year) if run == 4 && term.contains(&year) => {
                out.push_str(&(year + shift).to_string());
                shifted = true;
            }
            _ => out.push_str(&digits),
        }
        i += run;
    }
    if shifted {
        out
    } else {
        format!("{name} renewal")
    }
}

pub async fn delete(store: &Store, ctx: &Context, id: DealId) -> Result<Deal> {
    ctx.require(Permission::EditCrm)?;
    set_deleted(store, ctx, id, true).await
}

pub async fn restore(store: &Store, ctx: &Context, id: DealId) -> Result<Deal> {
    ctx.require(Permission::EditCrm)?;
    set_deleted(store, ctx, id, false).await
}

async fn set_deleted(store: &Store, ctx: &Context, id: DealId, deleted: bool) -> Result<Deal> {
    crate::soft_delete::set_deleted::<DealRecord>(store, ctx, id, deleted).await?;
    get(store, id).await
}

/// One deal, deleted or not.
pub async fn get(store: &Store, id: DealId) -> Result<Deal> {
    let record = store.get_deal(id).await?;
    let catalog = Catalog::load(store).await?;
    let external_ids = store.external_ids_of(id).await?.into_iter().collect();
    let properties = store.deal_properties(id).await?;
    view(&catalog, record, external_ids, properties)
}

/// A deal as a person names it: Bearing's id (`42`), or the CRM's id written `crm:ID`
/// (`crm:86000044013`), as the reports and the deal list show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DealRef {
    Id(DealId),
    Crm(String),
}

impl std::str::FromStr for DealRef {
    type Err = bearing_core::ParseError;

    fn from_str(text: &str) -> std::result::Result<Self, Self::Err> {
        use bearing_core::ParseError;
        let trimmed = text.trim();
        let expected = "expected Bearing's id (a positive integer) or the CRM's id written crm:ID";
        match trimmed.split_once(':') {
            Some((system, id)) if system.trim().eq_ignore_ascii_case(crate::import::CRM) => {
                let id = id.trim();
                if id.is_empty() {
                    Err(ParseError::new(
                        "deal",
                        text,
                        "crm: needs the CRM's id after it",
                    ))
                } else {
                    Ok(DealRef::Crm(id.to_owned()))
                }
            }
            Some(_) => Err(ParseError::new("deal", text, expected)),
            None => trimmed.parse::<DealId>().map(DealRef::Id).map_err(|e| {
                if trimmed.parse::<i64>().is_ok() {
                    e
                } else {
                    ParseError::new("deal", text, expected)
                }
            }),
        }
    }
}

impl std::fmt::Display for DealRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DealRef::Id(id) => id.fmt(f),
            DealRef::Crm(id) => write!(f, "{}:{id}", crate::import::CRM),
        }
    }
}

/// The id of the deal `deal` names. A CRM id that no deal has is not found; Bearing's id is
/// returned as it is, for the service that uses it to find (or not).
pub async fn resolve(store: &Store, deal: &DealRef) -> Result<DealId> {
    match deal {
        DealRef::Id(id) => Ok(*id),
        DealRef::Crm(crm) => store
            .find_deal_by_external_id(crate::import::CRM, crm)
            .await?
            .map(|record| record.id)
            .ok_or_else(|| AppError::NotFound(format!("no deal with CRM id {crm}"))),
    }
}

fn view(
    catalog: &Catalog,
    record: DealRecord,
    external_ids: BTreeMap<String, String>,
    properties: BTreeMap<String, String>,
) -> Result<Deal> {
    let fields = catalog.fields(&record.row)?;
    let stage = catalog.stage(record.row.stage_id).ok_or_else(|| {
        AppError::Internal(format!("deal {} refers to an unknown stage", record.id))
    })?;
    Ok(Deal {
        id: record.id,
        fields,
        stage_probability: stage.default_probability,
        stage_outcome: stage.outcome,
        external_ids,
        properties,
        created_at: record.created_at,
        updated_at: record.updated_at,
        deleted_at: record.deleted_at,
    })
}

/// Which deals to list. Text filters ignore case; dates bound the close date.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DealFilter {
    pub stage: Option<String>,
    pub revenue_type: Option<String>,
    pub owner: Option<String>,
    pub organization: Option<String>,
    pub campaign: Option<String>,
    pub closes_from: Option<Date>,
    pub closes_to: Option<Date>,
    pub include_deleted: bool,
}

impl DealFilter {
    pub fn matches(&self, deal: &Deal) -> bool {
        let same = |wanted: &Option<String>, actual: Option<&str>| {
            wanted
                .as_ref()
                .is_none_or(|w| actual.is_some_and(|a| a.eq_ignore_ascii_case(w.trim())))
        };
        let f = &deal.fields;
        same(&self.stage, Some(&f.stage))
            && same(
                &self.revenue_type,
                f.revenue_type.as_ref().map(|t| t.as_str()),
            )
            && same(&self.owner, f.owner.as_deref())
            && same(
                &self.organization,
                f.organization.as_ref().map(|o| o.as_str()),
            )
            && same(&self.campaign, f.campaign.as_deref())
            && self
                .closes_from
                .is_none_or(|from| f.close_date.is_some_and(|d| d >= from))
            && self
                .closes_to
                .is_none_or(|to| f.close_date.is_some_and(|d| d <= to))
    }
}

/// Deals in id order.
pub async fn list(store: &Store, filter: &DealFilter) -> Result<Vec<Deal>> {
    list_with(store, filter, true).await
}

/// Every deal that is not deleted, without the CRM's other properties (empty): what the
/// forecast reads, which never looks at them.
pub(crate) async fn list_for_forecast(store: &Store) -> Result<Vec<Deal>> {
    list_with(store, &DealFilter::default(), false).await
}

async fn list_with(store: &Store, filter: &DealFilter, properties: bool) -> Result<Vec<Deal>> {
    let catalog = Catalog::load(store).await?;
    let mut external: HashMap<DealId, BTreeMap<String, String>> = HashMap::new();
    for (crm_id, deal) in store.list_external_ids("crm").await? {
        external
            .entry(deal)
            .or_default()
            .insert("crm".to_owned(), crm_id);
    }
    let mut properties = if properties {
        store.list_deal_properties().await?
    } else {
        HashMap::new()
    };
    let mut deals = Vec::new();
    for record in store.list_deals(filter.include_deleted).await? {
        let id = record.id;
        let deal = view(
            &catalog,
            record,
            external.remove(&id).unwrap_or_default(),
            properties.remove(&id).unwrap_or_default(),
        )?;
        if filter.matches(&deal) {
            deals.push(deal);
        }
    }
    Ok(deals)
}

/// The keys deals are sorted by, as the deals table and the API name them.
pub const SORT_KEYS: [&str; 7] = [
    "name",
    "organization",
    "stage",
    "amount",
    "probability",
    "close",
    "owner",
];

/// Sorts deals by `key`, one of [`SORT_KEYS`] (with `-` first, the other way), keeping the
/// order of deals that tie; `""` puts the newest first.
pub fn sort(list: &mut [Deal], key: &str) -> Result<()> {
    let descending = key.starts_with('-');
    match key.trim_start_matches('-') {
        "organization" => list.sort_by(|a, b| {
            a.fields
                .organization
                .as_ref()
                .map(ToString::to_string)
                .cmp(&b.fields.organization.as_ref().map(ToString::to_string))
        }),
        "stage" => list.sort_by(|a, b| a.fields.stage.cmp(&b.fields.stage)),
        "amount" => list.sort_by_key(|d| d.fields.amount_minor),
        "probability" => list.sort_by(|a, b| a.probability().total_cmp(&b.probability())),
        "close" => list.sort_by_key(|d| d.fields.close_date),
        "owner" => list.sort_by(|a, b| a.fields.owner.cmp(&b.fields.owner)),
        "name" => list.sort_by_key(|d| d.fields.name.to_lowercase()),
        "" => list.sort_by_key(|d| std::cmp::Reverse(d.id)),
        other => {
            return Err(AppError::invalid(
                "sort",
                format!("no order {other:?}; deals sort by {}", SORT_KEYS.join(", ")),
            ));
        }
    }
    if descending {
        list.reverse();
    }
    Ok(())
}

/// The recorded changes of one deal, or of all deals in `[from, to)`.
pub async fn history(
    store: &Store,
    deal: Option<DealId>,
    from: Option<Date>,
    to: Option<Date>,
) -> Result<Vec<DealHistoryRecord>> {
    if let Some(id) = deal {
        store.get_deal(id).await?;
    }
    let from = from.map(|d| d.to_string());
    let to = to.map(|d| d.to_string());
    Ok(store
        .list_deal_history(deal, from.as_deref(), to.as_deref())
        .await?)
}

fn decimal(minor: Option<i64>, currency: bearing_core::Currency) -> Option<String> {
    minor.map(|m| bearing_core::Money::from_minor(m, currency).decimal())
}

/// The columns of every deal list, in every format.
pub fn table(list: &[Deal]) -> Table {
    let mut table = Table::new([
        "id",
        "crm_id",
        "name",
        "organization",
        "stage",
        "probability",
        "amount",
        "collected",
        "currency",
        "close_date",
        "contract_start",
        "contract_end",
        "target_start",
        "target_end",
        "revenue_type",
        "deal_type",
        "owner",
        "deleted",
    ]);
    for deal in list {
        let f = &deal.fields;
        let date = |d: Option<Date>| d.map(|d| d.to_string());
        table.push([
            Some(deal.id.to_string()),
            deal.external_ids.get("crm").cloned(),
            Some(f.name.clone()),
            f.organization.as_ref().map(ToString::to_string),
            Some(f.stage.clone()),
            Some(deal.probability().to_string()),
            decimal(f.amount_minor, f.currency),
            decimal(f.collected_minor, f.currency),
            Some(f.currency.to_string()),
            date(f.close_date),
            date(f.contract_start),
            date(f.contract_end),
            date(f.target_start),
            date(f.target_end),
            f.revenue_type.as_ref().map(ToString::to_string),
            Some(f.deal_type.to_string()),
            f.owner.clone(),
            deal.deleted_at.map(bearing_store::timestamp_text),
        ]);
    }
    table
}

pub fn history_table(rows: &[DealHistoryRecord]) -> Table {
    let mut table = Table::new(["deal", "at", "field", "old", "new", "actor", "source"]);
    for row in rows {
        table.push([
            Some(row.deal_id.to_string()),
            Some(bearing_store::timestamp_text(row.at)),
            Some(row.field.clone()),
            row.old_value.clone(),
            row.new_value.clone(),
            Some(row.actor.clone()),
            Some(row.source.to_string()),
        ]);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_deal_is_named_by_bearings_id_or_the_crms() {
        let parse = |text: &str| text.parse::<DealRef>().map_err(|e| e.to_string());
        assert_eq!(parse(" 42 "), Ok(DealRef::Id(DealId::new(42).unwrap())));
        assert_eq!(
            parse("crm:86000044013"),
            Ok(DealRef::Crm("86000044013".into()))
        );
        assert_eq!(parse("CRM: 7 "), Ok(DealRef::Crm("7".into())));
        assert_eq!(DealRef::Crm("7".into()).to_string(), "crm:7");
        assert!(
            parse("0")
                .unwrap_err()
                .contains("ids are positive integers")
        );
        for text in ["abc", "hubspot:7", "crm:", ""] {
            assert!(parse(text).is_err(), "{text:?}");
        }
        assert!(parse("abc").unwrap_err().contains("crm:ID"));
    }

    #[test]
    fn the_next_term_is_as_long_and_starts_the_day_after() {
        assert_eq!(
            next_term(date(2025, 8, 1), date(2026, 7, 31)),
            Some((date(2026, 8, 1), date(2027, 7, 31)))
        );
        assert_eq!(
            next_term(date(2025, 10, 1), date(2027, 9, 30)),
            Some((date(2027, 10, 1), date(2029, 9, 30)))
        );
        assert_eq!(
            next_term(date(2026, 1, 15), date(2026, 4, 14)),
            Some((date(2026, 4, 15), date(2026, 7, 14)))
        );
    }

    fn deal(amount_minor: Option<i64>, own: Option<f64>, currency: &str) -> Deal {
        Deal {
            id: DealId::new(1).unwrap(),
            fields: DealFields {
                name: "d".into(),
                organization: None,
                pipeline: "p".into(),
                stage: "s".into(),
                probability: own.map(|p| Probability::new(p).unwrap()),
                forecast_category: None,
                revenue_type: None,
                deal_type: bearing_core::deal::DealType::NewBusiness,
                currency: bearing_core::Currency::parse(currency).unwrap(),
                amount_minor,
                collected_minor: None,
                close_date: None,
                contract_start: None,
                contract_end: None,
                target_start: None,
                target_end: None,
                owner: None,
                loss_reason: None,
                renews: None,
                campaign: None,
                links: Default::default(),
            },
            stage_probability: 0.25,
            stage_outcome: StageOutcome::Open,
            external_ids: BTreeMap::new(),
            properties: BTreeMap::new(),
            created_at: jiff::Timestamp::UNIX_EPOCH,
            updated_at: jiff::Timestamp::UNIX_EPOCH,
            deleted_at: None,
        }
    }

    #[test]
    fn totals_weigh_each_amount_by_the_deals_own_probability_else_its_stages() {
        let list = [
            deal(Some(1_000_000), None, "USD"), // $10,000 at the stage's 25%
            deal(Some(400_000), Some(0.5), "USD"), // $4,000 at its own 50%
            deal(None, Some(0.9), "USD"),       // unknown amount counts as zero
            deal(Some(300_000), Some(1.0), "JPY"), // ¥300,000: JPY has no minor unit
        ];
        assert_eq!(list[1].probability(), 0.5);
        assert_eq!(list[0].probability(), 0.25);
        assert_eq!(list[3].amount_major(), 300_000.0);
        assert_eq!(totals(&list[..3]), (3, 14_000.0, 4_500.0));
    }

    #[test]
    fn renewals_are_named_for_their_year() {
        let name = |n: &str, s: Date, e: Date| renewal_name(n, s, e, next_term(s, e).unwrap().0);
        assert_eq!(
            name("BIDS 2025", date(2025, 8, 1), date(2026, 7, 31)),
            "BIDS 2026"
        );
        assert_eq!(
            name("CAL ICOR 2027-2028", date(2027, 7, 1), date(2028, 7, 1)),
            "CAL ICOR 2028-2029"
        );
        assert_eq!(
            name(
                "AWI 2025-2026 Extension",
                date(2025, 7, 1),
                date(2026, 6, 30)
            ),
            "AWI 2026-2027 Extension"
        );
        assert_eq!(
            name("Toronto RFP 2025", date(2025, 10, 1), date(2027, 9, 30)),
            "Toronto RFP 2027"
        );
        assert_eq!(
            name("Room 12345 plan", date(2025, 1, 1), date(2025, 12, 31)),
            "Room 12345 plan renewal"
        );
    }
}
