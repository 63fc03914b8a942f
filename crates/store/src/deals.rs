//! Deals: rows, reads and writes.

use bearing_core::deal::{DealType, RevenueType};
use bearing_core::pipeline::ForecastCategory;
use bearing_core::{CampaignId, Currency, Date, DealId, OrganizationId, PipelineId, StageId};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::{Result, Store, StoreError, Tx, timestamp_text};

/// A SELECT of every column, followed by `$tail`; a macro so each query stays a static string.
macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT id, name, organization_id, pipeline_id, stage_id, probability, forecast_category, revenue_type,
                    deal_type, renews_deal_id, currency, amount_minor, collected_minor, close_date, contract_start,
                    contract_end, target_start, target_end, owner, campaign_id, loss_reason, created_at,
                    updated_at, deleted_at
             FROM deals ",
            $tail
        )
    };
}

/// The stored fields of a deal, with its references resolved to ids.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DealRow {
    pub name: String,
    pub organization_id: Option<OrganizationId>,
    pub pipeline_id: PipelineId,
    pub stage_id: StageId,
    pub probability: Option<f64>,
    pub forecast_category: Option<ForecastCategory>,
    pub revenue_type: Option<RevenueType>,
    pub deal_type: DealType,
    pub renews_deal_id: Option<DealId>,
    pub currency: Currency,
    pub amount_minor: Option<i64>,
    pub collected_minor: Option<i64>,
    pub close_date: Option<Date>,
    pub contract_start: Option<Date>,
    pub contract_end: Option<Date>,
    pub target_start: Option<Date>,
    pub target_end: Option<Date>,
    pub owner: Option<String>,
    pub campaign_id: Option<CampaignId>,
    pub loss_reason: Option<String>,
}

/// A deal as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DealRecord {
    pub id: DealId,
    #[serde(flatten)]
    pub row: DealRow,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
}

impl Tx {
    pub async fn insert_deal(&mut self, deal: &DealRow, at: jiff::Timestamp) -> Result<DealRecord> {
        let date = |d: Option<Date>| d.map(|d| d.to_string());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO deals (name, organization_id, pipeline_id, stage_id, probability, forecast_category,
                                revenue_type, deal_type, renews_deal_id, currency, amount_minor, collected_minor,
                                close_date, contract_start, contract_end, target_start, target_end, owner,
                                campaign_id, loss_reason, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
                     $21, $21)
             RETURNING id",
        )
        .bind(&deal.name)
        .bind(deal.organization_id.map(OrganizationId::get))
        .bind(deal.pipeline_id.get())
        .bind(deal.stage_id.get())
        .bind(crate::NullableF64(deal.probability))
        .bind(deal.forecast_category.map(ForecastCategory::as_str))
        .bind(deal.revenue_type.as_ref().map(RevenueType::as_str))
        .bind(deal.deal_type.as_str())
        .bind(deal.renews_deal_id.map(DealId::get))
        .bind(deal.currency.as_str())
        .bind(deal.amount_minor)
        .bind(deal.collected_minor)
        .bind(date(deal.close_date))
        .bind(date(deal.contract_start))
        .bind(date(deal.contract_end))
        .bind(date(deal.target_start))
        .bind(date(deal.target_end))
        .bind(deal.owner.as_deref())
        .bind(deal.campaign_id.map(CampaignId::get))
        .bind(deal.loss_reason.as_deref())
        .bind(timestamp_text(at))
        .fetch_one(&mut *self.inner)
        .await?;
        get(
            &mut *self.inner,
            DealId::new(id).map_err(|e| StoreError::Database(e.to_string()))?,
        )
        .await
    }
}

impl Store {
    pub async fn get_deal(&self, id: DealId) -> Result<DealRecord> {
        get(&self.pool, id).await
    }

    /// Deals that are not deleted.
    pub async fn count_deals(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM deals WHERE deleted_at IS NULL")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Deals in id order; deleted ones only when asked for.
    pub async fn list_deals(&self, include_deleted: bool) -> Result<Vec<DealRecord>> {
        let rows = if include_deleted {
            sqlx::query(select!("ORDER BY id"))
                .fetch_all(&self.pool)
                .await?
        } else {
            sqlx::query(select!("WHERE deleted_at IS NULL ORDER BY id"))
                .fetch_all(&self.pool)
                .await?
        };
        rows.iter().map(record).collect()
    }
}

async fn get<'e, E: Executor<'e, Database = Any>>(e: E, id: DealId) -> Result<DealRecord> {
    let row = sqlx::query(select!("WHERE id = $1"))
        .bind(id.get())
        .fetch_optional(e)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            kind: "deal",
            id: id.to_string(),
        })?;
    record(&row)
}

fn record(row: &AnyRow) -> Result<DealRecord> {
    fn corrupt(what: &str, e: &dyn std::fmt::Display) -> StoreError {
        StoreError::Database(format!("unreadable deal row ({what}): {e}"))
    }
    let date = |column: &str| -> Result<Option<Date>> {
        let text: Option<String> = row.try_get(column)?;
        text.map(|t| bearing_core::parse_date(&t).map_err(|e| corrupt(column, &e)))
            .transpose()
    };
    macro_rules! id {
        ($ty:ty, $column:literal) => {{
            let raw: Option<i64> = row.try_get($column)?;
            raw.map(<$ty>::new)
                .transpose()
                .map_err(|e| corrupt($column, &e))?
        }};
    }
    let text = |column: &str| -> Result<Option<String>> { Ok(row.try_get(column)?) };
    let id: i64 = row.try_get("id")?;
    let currency: String = row.try_get("currency")?;
    let deal_type: String = row.try_get("deal_type")?;
    Ok(DealRecord {
        id: DealId::new(id).map_err(|e| corrupt("id", &e))?,
        row: DealRow {
            name: row.try_get("name")?,
            organization_id: id!(OrganizationId, "organization_id"),
            pipeline_id: id!(PipelineId, "pipeline_id")
                .ok_or_else(|| corrupt("pipeline_id", &"missing"))?,
            stage_id: id!(StageId, "stage_id").ok_or_else(|| corrupt("stage_id", &"missing"))?,
            probability: row.try_get("probability")?,
            forecast_category: text("forecast_category")?
                .map(|t| t.parse())
                .transpose()
                .map_err(|e| corrupt("forecast_category", &e))?,
            revenue_type: text("revenue_type")?
                .map(|t| RevenueType::parse(&t))
                .transpose()
                .map_err(|e| corrupt("revenue_type", &e))?,
            deal_type: deal_type.parse().map_err(|e| corrupt("deal_type", &e))?,
            renews_deal_id: id!(DealId, "renews_deal_id"),
            currency: Currency::parse(&currency).map_err(|e| corrupt("currency", &e))?,
            amount_minor: row.try_get("amount_minor")?,
            collected_minor: row.try_get("collected_minor")?,
            close_date: date("close_date")?,
            contract_start: date("contract_start")?,
            contract_end: date("contract_end")?,
            target_start: date("target_start")?,
            target_end: date("target_end")?,
            owner: text("owner")?,
            campaign_id: id!(CampaignId, "campaign_id"),
            loss_reason: text("loss_reason")?,
        },
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        deleted_at: row.try_get("deleted_at")?,
    })
}
