//! Campaigns: lead-generation experiments.

use bearing_core::{CampaignId, Currency, Date};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, StoreError, Tx, timestamp_text};

/// The fields of a campaign.
pub type CampaignRow = bearing_core::campaign::CampaignFields;

/// A campaign as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CampaignRecord {
    pub id: CampaignId,
    #[serde(flatten)]
    pub row: CampaignRow,
    #[serde(with = "crate::stored_time")]
    pub created_at: jiff::Timestamp,
    #[serde(with = "crate::stored_time")]
    pub updated_at: jiff::Timestamp,
    #[serde(with = "crate::stored_time::option")]
    pub deleted_at: Option<jiff::Timestamp>,
}

impl Tx {
    pub async fn insert_campaign(
        &mut self,
        row: &CampaignRow,
        at: jiff::Timestamp,
    ) -> Result<CampaignRecord> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO campaigns (name, channel, start_date, end_date, cost_minor, currency, cost_person_days,
                                    notes, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        )
        .bind(&row.name)
        .bind(row.channel.as_deref())
        .bind(row.start_date.map(|d| d.to_string()))
        .bind(row.end_date.map(|d| d.to_string()))
        .bind(row.cost_minor)
        .bind(row.currency.as_str())
        .bind(crate::NullableF64(row.cost_person_days))
        .bind(row.notes.as_deref())
        .bind(timestamp_text(at))
        .fetch_one(&mut *self.inner)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict(format!("a campaign named {:?} already exists", row.name)),
            other => other,
        })?;
        let row = sqlx::query(SELECT_BY_ID)
            .bind(id)
            .fetch_one(&mut *self.inner)
            .await?;
        record(&row)
    }
}

impl Tx {
    pub async fn update_campaign(
        &mut self,
        id: CampaignId,
        row: &CampaignRow,
        at: jiff::Timestamp,
    ) -> Result<CampaignRecord> {
        let done = sqlx::query(
            "UPDATE campaigns SET name = $1, channel = $2, start_date = $3, end_date = $4, cost_minor = $5,
                    currency = $6, cost_person_days = $7, notes = $8, updated_at = $9
             WHERE id = $10",
        )
        .bind(&row.name)
        .bind(row.channel.as_deref())
        .bind(row.start_date.map(|d| d.to_string()))
        .bind(row.end_date.map(|d| d.to_string()))
        .bind(row.cost_minor)
        .bind(row.currency.as_str())
        .bind(crate::NullableF64(row.cost_person_days))
        .bind(row.notes.as_deref())
        .bind(timestamp_text(at))
        .bind(id.get())
        .execute(&mut *self.inner)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict(format!("a campaign named {:?} already exists", row.name)),
            other => other,
        })?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                kind: "campaign",
                id: id.to_string(),
            });
        }
        self.get_campaign(id).await
    }

    /// Marks a campaign deleted (`Some(at)`) or restores it (`None`).
    pub async fn set_campaign_deleted(
        &mut self,
        id: CampaignId,
        deleted: Option<jiff::Timestamp>,
        at: jiff::Timestamp,
    ) -> Result<CampaignRecord> {
        self.set_deleted_at("campaigns", id.get(), deleted, at)
            .await?;
        self.get_campaign(id).await
    }

    pub async fn get_campaign(&mut self, id: CampaignId) -> Result<CampaignRecord> {
        let row = sqlx::query(SELECT_BY_ID)
            .bind(id.get())
            .fetch_optional(&mut *self.inner)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                kind: "campaign",
                id: id.to_string(),
            })?;
        record(&row)
    }
}

const SELECT_BY_ID: &str =
    "SELECT id, name, channel, start_date, end_date, cost_minor, currency, cost_person_days, notes,
                                   created_at, updated_at, deleted_at
                            FROM campaigns WHERE id = $1";

impl Store {
    /// Campaigns by name; deleted ones only when asked for.
    pub async fn list_campaigns(&self, include_deleted: bool) -> Result<Vec<CampaignRecord>> {
        let rows = sqlx::query(
            "SELECT id, name, channel, start_date, end_date, cost_minor, currency, cost_person_days, notes,
                    created_at, updated_at, deleted_at
             FROM campaigns WHERE ($1 = 1 OR deleted_at IS NULL) ORDER BY name",
        )
        .bind(i64::from(include_deleted))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(record).collect()
    }
}

fn record(row: &AnyRow) -> Result<CampaignRecord> {
    let corrupt = |what: &str, e: &dyn std::fmt::Display| {
        StoreError::Database(format!("unreadable campaign row ({what}): {e}"))
    };
    let date = |column: &str| -> Result<Option<Date>> {
        let text: Option<String> = row.try_get(column)?;
        text.map(|t| bearing_core::parse_stored_date(&t).map_err(|e| corrupt(column, &e)))
            .transpose()
    };
    let id: i64 = row.try_get("id")?;
    let currency: String = row.try_get("currency")?;
    Ok(CampaignRecord {
        id: CampaignId::new(id).map_err(|e| corrupt("id", &e))?,
        row: CampaignRow {
            name: row.try_get("name")?,
            channel: row.try_get("channel")?,
            start_date: date("start_date")?,
            end_date: date("end_date")?,
            currency: Currency::parse(&currency).map_err(|e| corrupt("currency", &e))?,
            cost_minor: row.try_get("cost_minor")?,
            cost_person_days: row.try_get("cost_person_days")?,
            notes: row.try_get("notes")?,
        },
        created_at: crate::read_time(row, "created_at")?,
        updated_at: crate::read_time(row, "updated_at")?,
        deleted_at: crate::read_time(row, "deleted_at")?,
    })
}
