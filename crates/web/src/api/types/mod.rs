//! The JSON the API speaks. Wire types are separate from the domain's so the API stays stable
//! while the inside changes; each converts to and from the application's types here. Money is
//! a decimal string in major units ("15000.00"), dates are `YYYY-MM-DD`, and an absent or
//! `null` value is unknown.

use std::collections::BTreeMap;

use bearing_app::AppError;
use bearing_app::contacts::Contact;
use bearing_app::deals::Deal;
use bearing_core::contact::{ContactFields, ContactLabel};
use bearing_core::deal::{DealFields, DealLinks, DealType, RevenueType};
use bearing_core::organization::{OrganizationFields, OrganizationName};
use bearing_core::pipeline::{ForecastCategory, Probability};
use bearing_core::{Currency, Date, Money};
use bearing_store::{
    CampaignRecord, CampaignRow, DealHistoryRecord, OrganizationRecord, StageRecord,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub mod books;
pub mod people;

fn invalid(field: &str, e: impl std::fmt::Display) -> AppError {
    AppError::invalid(field, e.to_string())
}

/// A value, or its problem noted under `field`.
fn take<T>(
    problems: &mut Vec<(String, String)>,
    field: &str,
    result: Result<T, AppError>,
) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(AppError::Invalid { message, .. }) => {
            problems.push((field.to_owned(), message));
            None
        }
        Err(other) => {
            problems.push((field.to_owned(), other.to_string()));
            None
        }
    }
}

pub(crate) fn date(field: &str, text: &Option<String>) -> Result<Option<Date>, AppError> {
    text.as_deref()
        .filter(|t| !t.trim().is_empty())
        .map(|t| bearing_core::parse_date(t).map_err(|e| invalid(field, e)))
        .transpose()
}

pub(crate) fn money(
    field: &str,
    text: &Option<String>,
    currency: Currency,
) -> Result<Option<i64>, AppError> {
    text.as_deref()
        .filter(|t| !t.trim().is_empty())
        .map(|t| {
            Money::parse(t, currency)
                .map(|m| m.minor)
                .map_err(|e| invalid(field, e))
        })
        .transpose()
}

fn decimal(minor: Option<i64>, currency: Currency) -> Option<String> {
    minor.map(|m| Money::from_minor(m, currency).decimal())
}

fn day(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// A deal to create, or all of a deal's fields to replace.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealInput {
    pub name: String,
    /// The organization's one-word name.
    pub organization: Option<String>,
    /// Default "Membership Sales".
    pub pipeline: Option<String>,
    pub stage: String,
    /// 0 to 1; absent means the stage's default.
    pub probability: Option<f64>,
    /// pipeline, best-case, commit, closed or omitted; absent means the stage's default.
    pub forecast_category: Option<String>,
    pub revenue_type: Option<String>,
    /// new-business (default) or renewal.
    pub deal_type: Option<String>,
    /// The id of the deal this one renews.
    pub renews: Option<i64>,
    /// ISO 4217 code, default USD.
    pub currency: Option<String>,
    /// Decimal, e.g. "15000.00".
    pub amount: Option<String>,
    pub amount_collected: Option<String>,
    pub close_date: Option<String>,
    pub contract_start: Option<String>,
    pub contract_end: Option<String>,
    pub target_start: Option<String>,
    pub target_end: Option<String>,
    pub owner: Option<String>,
    /// The campaign's name.
    pub campaign: Option<String>,
    pub loss_reason: Option<String>,
    pub agreement_url: Option<String>,
    pub engagement_url: Option<String>,
    pub tracker_url: Option<String>,
}

impl DealInput {
    pub fn fields(&self) -> Result<DealFields, AppError> {
        self.checked().map_err(|problems| {
            let (field, message) = problems.into_iter().next().unwrap_or_default();
            AppError::Invalid { field, message }
        })
    }

    /// The deal's fields, or every problem of the input at once: each field's own, then the
    /// rules a deal keeps (an end after its start…), each with the field it is about.
    pub fn checked(&self) -> Result<DealFields, Vec<(String, String)>> {
        let mut problems: Vec<(String, String)> = Vec::new();
        let currency = take(
            &mut problems,
            "currency",
            match &self.currency {
                Some(c) => Currency::parse(c).map_err(|e| invalid("currency", e)),
                None => Ok(Currency::USD),
            },
        );
        let money_in = |field: &str, text: &Option<String>| {
            money(field, text, currency.unwrap_or(Currency::USD))
        };
        let organization = take(
            &mut problems,
            "organization",
            self.organization
                .as_deref()
                .map(|o| OrganizationName::parse(o).map_err(|e| invalid("organization", e)))
                .transpose(),
        );
        let probability = take(
            &mut problems,
            "probability",
            self.probability
                .map(|p| Probability::new(p).map_err(|e| invalid("probability", e)))
                .transpose(),
        );
        let forecast_category = take(
            &mut problems,
            "forecast_category",
            self.forecast_category
                .as_deref()
                .map(|c| {
                    c.parse::<ForecastCategory>()
                        .map_err(|e| invalid("forecast_category", e))
                })
                .transpose(),
        );
        let revenue_type = take(
            &mut problems,
            "revenue_type",
            self.revenue_type
                .as_deref()
                .map(|t| RevenueType::parse(t).map_err(|e| invalid("revenue_type", e)))
                .transpose(),
        );
        let deal_type = take(
            &mut problems,
            "deal_type",
            match &self.deal_type {
                Some(t) => t.parse::<DealType>().map_err(|e| invalid("deal_type", e)),
                None if self.renews.is_some() => Ok(DealType::Renewal),
                None => Ok(DealType::NewBusiness),
            },
        );
        let renews = take(
            &mut problems,
            "renews",
            self.renews
                .map(|id| bearing_core::DealId::new(id).map_err(|e| invalid("renews", e)))
                .transpose(),
        );
        let amount_minor = take(&mut problems, "amount", money_in("amount", &self.amount));
        let collected_minor = take(
            &mut problems,
            "amount_collected",
            money_in("amount_collected", &self.amount_collected),
        );
        let close_date = take(
            &mut problems,
            "close_date",
            date("close_date", &self.close_date),
        );
        let contract_start = take(
            &mut problems,
            "contract_start",
            date("contract_start", &self.contract_start),
        );
        let contract_end = take(
            &mut problems,
            "contract_end",
            date("contract_end", &self.contract_end),
        );
        let target_start = take(
            &mut problems,
            "target_start",
            date("target_start", &self.target_start),
        );
        let target_end = take(
            &mut problems,
            "target_end",
            date("target_end", &self.target_end),
        );
        let (
            Some(currency),
            Some(organization),
            Some(probability),
            Some(forecast_category),
            Some(revenue_type),
            Some(deal_type),
            Some(renews),
            Some(amount_minor),
            Some(collected_minor),
            Some(close_date),
            Some(contract_start),
            Some(contract_end),
            Some(target_start),
            Some(target_end),
        ) = (
            currency,
            organization,
            probability,
            forecast_category,
            revenue_type,
            deal_type,
            renews,
            amount_minor,
            collected_minor,
            close_date,
            contract_start,
            contract_end,
            target_start,
            target_end,
        )
        else {
            return Err(problems);
        };
        let fields = DealFields {
            name: self.name.clone(),
            organization,
            pipeline: self
                .pipeline
                .clone()
                .unwrap_or_else(|| bearing_formats::crm::DEFAULT_PIPELINE.to_owned()),
            stage: self.stage.clone(),
            probability,
            forecast_category,
            revenue_type,
            deal_type,
            renews,
            currency,
            amount_minor,
            collected_minor,
            close_date,
            contract_start,
            contract_end,
            target_start,
            target_end,
            owner: self.owner.clone(),
            loss_reason: self.loss_reason.clone(),
            campaign: self.campaign.clone(),
            links: DealLinks {
                agreement: self.agreement_url.clone(),
                engagement: self.engagement_url.clone(),
                tracker: self.tracker_url.clone(),
            },
        };
        Ok(fields)
    }
}

/// A deal.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DealView {
    pub id: i64,
    /// The deal's id in the CRM, for imported deals.
    pub crm_id: Option<String>,
    pub name: String,
    pub organization: Option<String>,
    pub pipeline: String,
    pub stage: String,
    /// The probability that counts: the deal's own, or else its stage's default.
    pub probability: f64,
    /// The deal's own probability, when it overrides the stage's.
    pub probability_override: Option<f64>,
    pub forecast_category: Option<String>,
    pub revenue_type: Option<String>,
    pub deal_type: String,
    pub renews: Option<i64>,
    pub currency: String,
    pub amount: Option<String>,
    pub amount_collected: Option<String>,
    pub close_date: Option<String>,
    pub contract_start: Option<String>,
    pub contract_end: Option<String>,
    pub target_start: Option<String>,
    pub target_end: Option<String>,
    pub owner: Option<String>,
    pub campaign: Option<String>,
    pub loss_reason: Option<String>,
    pub agreement_url: Option<String>,
    pub engagement_url: Option<String>,
    pub tracker_url: Option<String>,
    /// Imported columns without a field of their own.
    pub properties: BTreeMap<String, String>,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
}

impl From<Deal> for DealView {
    fn from(deal: Deal) -> Self {
        let probability = deal.probability();
        let f = deal.fields;
        DealView {
            id: deal.id.get(),
            crm_id: deal.external_ids.get("crm").cloned(),
            probability,
            probability_override: f.probability.map(Probability::get),
            forecast_category: f.forecast_category.map(|c| c.to_string()),
            revenue_type: f.revenue_type.map(|t| t.to_string()),
            deal_type: f.deal_type.to_string(),
            renews: f.renews.map(|r| r.get()),
            currency: f.currency.to_string(),
            amount: decimal(f.amount_minor, f.currency),
            amount_collected: decimal(f.collected_minor, f.currency),
            close_date: day(f.close_date),
            contract_start: day(f.contract_start),
            contract_end: day(f.contract_end),
            target_start: day(f.target_start),
            target_end: day(f.target_end),
            name: f.name,
            organization: f.organization.map(|o| o.to_string()),
            pipeline: f.pipeline,
            stage: f.stage,
            owner: f.owner,
            campaign: f.campaign,
            loss_reason: f.loss_reason,
            agreement_url: f.links.agreement,
            engagement_url: f.links.engagement,
            tracker_url: f.links.tracker,
            properties: deal.properties,
            created_at: bearing_store::timestamp_text(deal.created_at),
            updated_at: bearing_store::timestamp_text(deal.updated_at),
            deleted_at: deal.deleted_at.map(bearing_store::timestamp_text),
        }
    }
}

/// A move to another stage, with what closing needs.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveInput {
    pub stage: String,
    pub loss_reason: Option<String>,
    pub amount: Option<String>,
    pub contract_start: Option<String>,
    pub contract_end: Option<String>,
    pub close_date: Option<String>,
}

impl MoveInput {
    /// The details set with the move, parsed; empty text counts as not given.
    pub fn details(&self, currency: Currency) -> Result<bearing_app::deals::MoveDetails, AppError> {
        fn given(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|t| !t.is_empty())
        }
        let day = |field: &str, v: &Option<String>| {
            given(v)
                .map(|t| bearing_core::parse_date(t).map_err(|e| invalid(field, e)))
                .transpose()
        };
        Ok(bearing_app::deals::MoveDetails {
            loss_reason: given(&self.loss_reason).map(str::to_owned),
            amount_minor: given(&self.amount)
                .map(|a| {
                    bearing_core::Money::parse(a, currency)
                        .map(|m| m.minor)
                        .map_err(|e| invalid("amount", e))
                })
                .transpose()?,
            contract_start: day("contract_start", &self.contract_start)?,
            contract_end: day("contract_end", &self.contract_end)?,
            close_date: day("close_date", &self.close_date)?,
        })
    }
}

/// One recorded change of a tracked deal field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DealHistoryView {
    pub deal: i64,
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
    pub at: String,
    pub actor: String,
    pub source: String,
}

impl From<DealHistoryRecord> for DealHistoryView {
    fn from(r: DealHistoryRecord) -> Self {
        DealHistoryView {
            deal: r.deal_id.get(),
            field: r.field,
            old: r.old_value,
            new: r.new_value,
            at: bearing_store::timestamp_text(r.at),
            actor: r.actor,
            source: r.source.to_string(),
        }
    }
}

/// An organization to create, or all of its fields to replace.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationInput {
    /// A one-word key, e.g. `bids`.
    pub name: String,
    pub long_name: Option<String>,
    /// community (default), funder, partner, sponsor or other.
    pub kind: Option<String>,
    pub website: Option<String>,
    pub github_org: Option<String>,
    pub notes: Option<String>,
    /// Tags or segments.
    #[serde(default)]
    pub tags: Vec<String>,
}

impl OrganizationInput {
    pub fn fields(&self) -> Result<OrganizationFields, AppError> {
        Ok(OrganizationFields {
            name: OrganizationName::parse(&self.name).map_err(|e| invalid("name", e))?,
            long_name: self.long_name.clone(),
            kind: match &self.kind {
                Some(k) => k.parse().map_err(|e| invalid("kind", e))?,
                None => bearing_core::organization::OrganizationKind::Community,
            },
            website: self.website.clone(),
            github_org: self.github_org.clone(),
            notes: self.notes.clone(),
            tags: self
                .tags
                .iter()
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect(),
        })
    }
}

/// An organization.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationView {
    pub id: i64,
    pub name: String,
    pub long_name: Option<String>,
    pub kind: String,
    pub website: Option<String>,
    pub github_org: Option<String>,
    pub notes: Option<String>,
    pub tags: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
}

impl From<OrganizationRecord> for OrganizationView {
    fn from(o: OrganizationRecord) -> Self {
        OrganizationView {
            id: o.id.get(),
            name: o.fields.name.to_string(),
            long_name: o.fields.long_name,
            kind: o.fields.kind.to_string(),
            website: o.fields.website,
            github_org: o.fields.github_org,
            notes: o.fields.notes,
            tags: o.fields.tags,
            created_at: bearing_store::timestamp_text(o.created_at),
            updated_at: bearing_store::timestamp_text(o.updated_at),
            deleted_at: o.deleted_at.map(bearing_store::timestamp_text),
        }
    }
}

/// A contact's link to an organization.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactLink {
    pub organization: String,
    /// community-representative, technical-contact, billing-contact or other.
    pub label: String,
}

/// A contact to create, or all of its fields to replace.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    pub name: String,
    pub email: Option<String>,
    pub github: Option<String>,
    #[serde(default)]
    pub strategic: bool,
    #[serde(default)]
    pub coverage: Vec<String>,
    pub notes: Option<String>,
    #[serde(default)]
    pub organizations: Vec<ContactLink>,
}

impl ContactInput {
    pub fn fields(&self) -> Result<ContactFields, AppError> {
        let organizations = self
            .organizations
            .iter()
            .map(|l| {
                Ok((
                    OrganizationName::parse(&l.organization)
                        .map_err(|e| invalid("organizations", e))?,
                    l.label
                        .parse::<ContactLabel>()
                        .map_err(|e| invalid("organizations", e))?,
                ))
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(ContactFields {
            name: self.name.clone(),
            email: self.email.clone(),
            github: self.github.clone(),
            strategic: self.strategic,
            coverage: self.coverage.clone(),
            notes: self.notes.clone(),
            organizations,
        })
    }
}

/// A contact.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactView {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub github: Option<String>,
    pub strategic: bool,
    pub coverage: Vec<String>,
    pub notes: Option<String>,
    pub organizations: Vec<ContactLink>,
    pub properties: BTreeMap<String, String>,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
}

impl From<Contact> for ContactView {
    fn from(c: Contact) -> Self {
        ContactView {
            id: c.id.get(),
            name: c.fields.name,
            email: c.fields.email,
            github: c.fields.github,
            strategic: c.fields.strategic,
            coverage: c.fields.coverage,
            notes: c.fields.notes,
            organizations: c
                .fields
                .organizations
                .into_iter()
                .map(|(o, l)| ContactLink {
                    organization: o.to_string(),
                    label: l.to_string(),
                })
                .collect(),
            properties: c.properties,
            created_at: bearing_store::timestamp_text(c.created_at),
            updated_at: bearing_store::timestamp_text(c.updated_at),
            deleted_at: c.deleted_at.map(bearing_store::timestamp_text),
        }
    }
}

/// A campaign to create, or all of its fields to replace.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignInput {
    pub name: String,
    pub channel: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub currency: Option<String>,
    /// Decimal, e.g. "2500.00".
    pub cost: Option<String>,
    pub person_days: Option<f64>,
    pub notes: Option<String>,
}

impl CampaignInput {
    pub fn row(&self) -> Result<CampaignRow, AppError> {
        let currency = match &self.currency {
            Some(c) => Currency::parse(c).map_err(|e| invalid("currency", e))?,
            None => Currency::USD,
        };
        Ok(CampaignRow {
            name: self.name.clone(),
            channel: self.channel.clone(),
            start_date: date("start_date", &self.start_date)?,
            end_date: date("end_date", &self.end_date)?,
            currency,
            cost_minor: money("cost", &self.cost, currency)?,
            cost_person_days: self.person_days,
            notes: self.notes.clone(),
        })
    }
}

/// A campaign.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignView {
    pub id: i64,
    pub name: String,
    pub channel: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub currency: String,
    pub cost: Option<String>,
    pub person_days: Option<f64>,
    pub notes: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
}

impl From<CampaignRecord> for CampaignView {
    fn from(c: CampaignRecord) -> Self {
        let r = c.row;
        CampaignView {
            id: c.id.get(),
            cost: decimal(r.cost_minor, r.currency),
            currency: r.currency.to_string(),
            name: r.name,
            channel: r.channel,
            start_date: day(r.start_date),
            end_date: day(r.end_date),
            person_days: r.cost_person_days,
            notes: r.notes,
            created_at: bearing_store::timestamp_text(c.created_at),
            updated_at: bearing_store::timestamp_text(c.updated_at),
            deleted_at: c.deleted_at.map(bearing_store::timestamp_text),
        }
    }
}

/// A stage of a pipeline, with its defaults.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StageView {
    pub id: i64,
    pub pipeline: String,
    pub name: String,
    pub position: i64,
    pub default_probability: f64,
    pub forecast_category: String,
    /// open, won or lost.
    pub outcome: String,
    pub retired: bool,
}

impl From<StageRecord> for StageView {
    fn from(s: StageRecord) -> Self {
        StageView {
            id: s.id.get(),
            pipeline: s.pipeline,
            name: s.name,
            position: s.position,
            default_probability: s.default_probability,
            forecast_category: s.forecast_category.to_string(),
            outcome: s.outcome.to_string(),
            retired: s.retired,
        }
    }
}

/// A new pipeline.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PipelineInput {
    pub name: String,
}

/// A new stage, or changes to one (absent fields stay as they are).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageInput {
    pub name: Option<String>,
    pub default_probability: Option<f64>,
    pub forecast_category: Option<String>,
    pub outcome: Option<String>,
    /// 1 is first.
    pub position: Option<usize>,
}

/// One recorded change of any record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditView {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub source: String,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

impl From<bearing_store::AuditRecord> for AuditView {
    fn from(r: bearing_store::AuditRecord) -> Self {
        AuditView {
            id: r.id,
            at: bearing_store::timestamp_text(r.at),
            actor: r.actor,
            source: r.source.to_string(),
            entity: r.entity.to_string(),
            entity_id: r.entity_id,
            action: r.action.to_string(),
            before: r.before,
            after: r.after,
        }
    }
}

/// One run of a scheduled job: the slot it ran for, the instance that claimed it, its start
/// and (once done) its end, outcome (`ok` or `failed`) and a line of what it did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobRunView {
    pub id: i64,
    pub job: String,
    pub slot: String,
    pub instance: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub outcome: Option<String>,
    pub detail: Option<String>,
}

impl From<bearing_store::JobRunRecord> for JobRunView {
    fn from(r: bearing_store::JobRunRecord) -> Self {
        JobRunView {
            id: r.id,
            job: r.job,
            slot: bearing_store::timestamp_text(r.slot),
            instance: r.instance,
            started_at: bearing_store::timestamp_text(r.started_at),
            finished_at: r.finished_at.map(bearing_store::timestamp_text),
            outcome: r.outcome,
            detail: r.detail,
        }
    }
}

/// What an import did, or (dry run) would do.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    pub created: Vec<ImportRow>,
    pub updated: Vec<ImportRow>,
    pub unchanged: Vec<ImportRow>,
}

/// One row of an import file and what happens to it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportRow {
    pub line: u64,
    /// The row's key: the CRM id, an organization's name or a contact's email.
    pub key: String,
    /// The record's id, for rows that match one.
    pub id: Option<i64>,
    /// The fields that change.
    pub changes: Vec<String>,
}

/// A cluster or one of its hubs.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitView {
    pub id: i64,
    /// `cluster` or `hub`.
    pub kind: String,
    /// The cluster a hub is on.
    pub cluster_id: Option<i64>,
    pub name: String,
    pub provider: Option<String>,
    /// Dedicated to one community, or shared; unknown if null.
    pub dedicated: Option<bool>,
    pub organization_id: Option<i64>,
    pub deal_id: Option<i64>,
    pub start: Option<String>,
    pub end: Option<String>,
}

impl From<bearing_store::UnitRecord> for UnitView {
    fn from(u: bearing_store::UnitRecord) -> Self {
        UnitView {
            id: u.id.get(),
            kind: match u.kind() {
                bearing_store::UnitKind::Cluster => "cluster",
                bearing_store::UnitKind::Hub => "hub",
            }
            .to_owned(),
            cluster_id: u.cluster_id.map(bearing_core::ClusterId::get),
            name: u.name,
            provider: u.fields.provider,
            dedicated: u.fields.dedicated,
            organization_id: u.fields.organization.map(bearing_core::OrganizationId::get),
            deal_id: u.fields.deal.map(bearing_core::DealId::get),
            start: day(u.fields.start),
            end: day(u.fields.end),
        }
    }
}

/// Everything recorded about a cluster or hub but its name, replaced as a whole; a missing or
/// null field is unknown.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitInput {
    pub provider: Option<String>,
    pub dedicated: Option<bool>,
    pub organization_id: Option<i64>,
    pub deal_id: Option<i64>,
    pub start: Option<String>,
    pub end: Option<String>,
}

impl UnitInput {
    pub fn fields(&self) -> Result<bearing_core::usage::UnitFields, AppError> {
        Ok(bearing_core::usage::UnitFields {
            provider: self.provider.clone(),
            dedicated: self.dedicated,
            organization: self
                .organization_id
                .map(bearing_core::OrganizationId::new)
                .transpose()
                .map_err(|e| invalid("organization_id", e))?,
            deal: self
                .deal_id
                .map(bearing_core::DealId::new)
                .transpose()
                .map_err(|e| invalid("deal_id", e))?,
            start: date("start", &self.start)?,
            end: date("end", &self.end)?,
        })
    }
}
