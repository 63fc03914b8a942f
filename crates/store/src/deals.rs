//! Deals: rows, reads and writes.

use std::collections::{BTreeMap, HashMap};

use bearing_core::deal::{DealType, FieldChange, RevenueType};
use bearing_core::pipeline::ForecastCategory;
use bearing_core::{
    Actor, CampaignId, Currency, Date, DealId, Money, OrganizationId, PipelineId, Source, StageId,
};
use sqlx::{Any, Executor};

use crate::properties::PropertyOwner;
use crate::{Result, Store, StoreError, Tx, timestamp_text};

crate::bulk::columns! {
    /// A deal's columns as stored.
    struct Stored {
        id: i64,
        name: String,
        organization_id: Option<i64>,
        pipeline_id: i64,
        stage_id: i64,
        probability: Option<f64>,
        forecast_category: Option<String>,
        revenue_type: Option<String>,
        deal_type: String,
        renews_deal_id: Option<i64>,
        currency: String,
        amount_minor: Option<i64>,
        collected_minor: Option<i64>,
        close_date: Option<String>,
        contract_start: Option<String>,
        contract_end: Option<String>,
        target_start: Option<String>,
        target_end: Option<String>,
        owner: Option<String>,
        campaign_id: Option<i64>,
        loss_reason: Option<String>,
        agreement_url: Option<String>,
        engagement_url: Option<String>,
        tracker_url: Option<String>,
        created_at: String,
        updated_at: String,
        deleted_at: Option<String>,
    }
}

fn minor_units<S: serde::Serializer>(
    money: &Option<Money>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&money.map(|m| m.minor), s)
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
    /// The deal's currency, which its amounts are in; kept when no amount is known.
    pub currency: Currency,
    /// The amount sold (serialized, as the audit log has always kept it, in minor units).
    #[serde(rename = "amount_minor", serialize_with = "minor_units")]
    pub amount: Option<Money>,
    /// The amount collected so far.
    #[serde(rename = "collected_minor", serialize_with = "minor_units")]
    pub collected: Option<Money>,
    pub close_date: Option<Date>,
    pub contract_start: Option<Date>,
    pub contract_end: Option<Date>,
    pub target_start: Option<Date>,
    pub target_end: Option<Date>,
    pub owner: Option<String>,
    pub campaign_id: Option<CampaignId>,
    pub loss_reason: Option<String>,
    pub agreement_url: Option<String>,
    pub engagement_url: Option<String>,
    pub tracker_url: Option<String>,
}

/// A deal as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DealRecord {
    pub id: DealId,
    #[serde(flatten)]
    pub row: DealRow,
    #[serde(with = "crate::stored_time")]
    pub created_at: jiff::Timestamp,
    #[serde(with = "crate::stored_time")]
    pub updated_at: jiff::Timestamp,
    #[serde(with = "crate::stored_time::option")]
    pub deleted_at: Option<jiff::Timestamp>,
}

impl Tx {
    pub async fn insert_deal(&mut self, deal: &DealRow, at: jiff::Timestamp) -> Result<DealRecord> {
        let mut created = self.insert_deals(std::slice::from_ref(deal), at).await?;
        created
            .pop()
            .ok_or_else(|| StoreError::Database("inserting a deal returned nothing".into()))
    }

    /// Inserts many deals with few statements: their ids are reserved first (this transaction
    /// holds SQLite's write lock; PostgreSQL hands out sequence values), then the rows go in
    /// multi-row INSERTs. The records come back in the order of `deals`.
    pub async fn insert_deals(
        &mut self,
        deals: &[DealRow],
        at: jiff::Timestamp,
    ) -> Result<Vec<DealRecord>> {
        let ids = self.reserve_deal_ids(deals.len()).await?;
        self.insert_deals_with_ids(&ids, deals, at).await
    }

    /// Reserves ids for deals this transaction will insert with
    /// [`Tx::insert_deals_with_ids`], e.g. so that a deal can refer to one inserted with it.
    pub async fn reserve_deal_ids(&mut self, n: usize) -> Result<Vec<DealId>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        self.reserve_ids("deals", n)
            .await?
            .into_iter()
            .map(|id| DealId::new(id).map_err(|e| StoreError::Database(e.to_string())))
            .collect()
    }

    /// Inserts deals under ids from [`Tx::reserve_deal_ids`], in multi-row INSERTs; a deal may
    /// renew one that comes before it in `deals`.
    pub async fn insert_deals_with_ids(
        &mut self,
        ids: &[DealId],
        deals: &[DealRow],
        at: jiff::Timestamp,
    ) -> Result<Vec<DealRecord>> {
        if ids.len() != deals.len() {
            return Err(StoreError::Invalid(format!(
                "{} ids for {} deals",
                ids.len(),
                deals.len()
            )));
        }
        let now = timestamp_text(at);
        for (chunk, chunk_ids) in deals
            .chunks(crate::BATCH_ROWS)
            .zip(ids.chunks(crate::BATCH_ROWS))
        {
            let sql = format!(
                "INSERT INTO deals (id, name, organization_id, pipeline_id, stage_id, probability, forecast_category,
                                    revenue_type, deal_type, renews_deal_id, currency, amount_minor, collected_minor,
                                    close_date, contract_start, contract_end, target_start, target_end, owner,
                                    campaign_id, loss_reason, agreement_url, engagement_url, tracker_url,
                                    created_at, updated_at)
                 VALUES {}",
                crate::placeholders(self.backend, chunk.len(), 26)
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (deal, id) in chunk.iter().zip(chunk_ids) {
                let date = |d: Option<Date>| d.map(|d| d.to_string());
                query = query
                    .bind(id.get())
                    .bind(deal.name.clone())
                    .bind(deal.organization_id.map(OrganizationId::get))
                    .bind(deal.pipeline_id.get())
                    .bind(deal.stage_id.get())
                    .bind(crate::NullableF64(deal.probability))
                    .bind(deal.forecast_category.map(ForecastCategory::as_str))
                    .bind(deal.revenue_type.as_ref().map(|t| t.as_str().to_owned()))
                    .bind(deal.deal_type.as_str())
                    .bind(deal.renews_deal_id.map(DealId::get))
                    .bind(deal.currency.as_str().to_owned())
                    .bind(deal.amount.map(|m| m.minor))
                    .bind(deal.collected.map(|m| m.minor))
                    .bind(date(deal.close_date))
                    .bind(date(deal.contract_start))
                    .bind(date(deal.contract_end))
                    .bind(date(deal.target_start))
                    .bind(date(deal.target_end))
                    .bind(deal.owner.clone())
                    .bind(deal.campaign_id.map(CampaignId::get))
                    .bind(deal.loss_reason.clone())
                    .bind(deal.agreement_url.clone())
                    .bind(deal.engagement_url.clone())
                    .bind(deal.tracker_url.clone())
                    .bind(now.clone())
                    .bind(now.clone());
            }
            query.execute(&mut *self.inner).await?;
        }
        // As a read would give it back: to the microsecond the text keeps.
        let stored = crate::stored_timestamp("created_at", &now)?;
        Ok(deals
            .iter()
            .zip(ids)
            .map(|(deal, id)| DealRecord {
                id: *id,
                row: deal.clone(),
                created_at: stored,
                updated_at: stored,
                deleted_at: None,
            })
            .collect())
    }
}

impl Store {
    pub async fn get_deal(&self, id: DealId) -> Result<DealRecord> {
        get(&self.pool, self.backend(), id).await
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
        let sql = crate::bulk::select::<Stored>(
            self.backend(),
            "FROM deals WHERE ($1 = 1 OR deleted_at IS NULL)",
            "id",
        );
        let query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(i64::from(include_deleted));
        crate::bulk::fetch::<Stored>("deal", &self.pool, query)
            .await?
            .into_iter()
            .map(record)
            .collect()
    }
}

async fn get<'e, E: Executor<'e, Database = Any>>(
    e: E,
    backend: crate::Backend,
    id: DealId,
) -> Result<DealRecord> {
    let sql = crate::bulk::select::<Stored>(backend, "FROM deals WHERE id = $1", "id");
    let query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(id.get());
    crate::bulk::fetch::<Stored>("deal", e, query)
        .await?
        .pop()
        .map(record)
        .ok_or_else(|| StoreError::NotFound {
            kind: "deal",
            id: id.to_string(),
        })?
}

fn record(row: Stored) -> Result<DealRecord> {
    fn corrupt(what: &str, e: &dyn std::fmt::Display) -> StoreError {
        StoreError::Database(format!("unreadable deal row ({what}): {e}"))
    }
    let date = |column: &str, text: Option<String>| -> Result<Option<Date>> {
        text.map(|t| bearing_core::parse_stored_date(&t).map_err(|e| corrupt(column, &e)))
            .transpose()
    };
    macro_rules! id {
        ($ty:ty, $column:ident) => {
            row.$column
                .map(<$ty>::new)
                .transpose()
                .map_err(|e| corrupt(stringify!($column), &e))?
        };
    }
    let currency = Currency::parse(&row.currency).map_err(|e| corrupt("currency", &e))?;
    Ok(DealRecord {
        id: DealId::new(row.id).map_err(|e| corrupt("id", &e))?,
        row: DealRow {
            organization_id: id!(OrganizationId, organization_id),
            pipeline_id: PipelineId::new(row.pipeline_id)
                .map_err(|e| corrupt("pipeline_id", &e))?,
            stage_id: StageId::new(row.stage_id).map_err(|e| corrupt("stage_id", &e))?,
            renews_deal_id: id!(DealId, renews_deal_id),
            campaign_id: id!(CampaignId, campaign_id),
            name: row.name,
            probability: row.probability,
            forecast_category: row
                .forecast_category
                .map(|t| t.parse())
                .transpose()
                .map_err(|e| corrupt("forecast_category", &e))?,
            revenue_type: row
                .revenue_type
                .map(|t| RevenueType::parse(&t))
                .transpose()
                .map_err(|e| corrupt("revenue_type", &e))?,
            deal_type: row
                .deal_type
                .parse()
                .map_err(|e| corrupt("deal_type", &e))?,
            currency,
            amount: row.amount_minor.map(|m| Money::from_minor(m, currency)),
            collected: row.collected_minor.map(|m| Money::from_minor(m, currency)),
            close_date: date("close_date", row.close_date)?,
            contract_start: date("contract_start", row.contract_start)?,
            contract_end: date("contract_end", row.contract_end)?,
            target_start: date("target_start", row.target_start)?,
            target_end: date("target_end", row.target_end)?,
            owner: row.owner,
            loss_reason: row.loss_reason,
            agreement_url: row.agreement_url,
            engagement_url: row.engagement_url,
            tracker_url: row.tracker_url,
        },
        created_at: crate::stored_timestamp("created_at", &row.created_at)?,
        updated_at: crate::stored_timestamp("updated_at", &row.updated_at)?,
        deleted_at: crate::stored_timestamp_opt("deleted_at", row.deleted_at.as_deref())?,
    })
}

/// A recorded change of a tracked deal field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DealHistoryRecord {
    pub id: i64,
    pub deal_id: DealId,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    #[serde(with = "crate::stored_time")]
    pub at: jiff::Timestamp,
    pub actor: String,
    pub source: Source,
}

impl Tx {
    pub async fn get_deal(&mut self, id: DealId) -> Result<DealRecord> {
        get(&mut *self.inner, self.backend, id).await
    }

    /// The deal that is not deleted and renews `id`, if there is one.
    pub async fn find_renewal_of(&mut self, id: DealId) -> Result<Option<DealId>> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM deals WHERE renews_deal_id = $1 AND deleted_at IS NULL ORDER BY id LIMIT 1",
        )
        .bind(id.get())
        .fetch_optional(&mut *self.inner)
        .await?;
        found
            .map(DealId::new)
            .transpose()
            .map_err(|e| StoreError::Database(format!("unreadable deal id: {e}")))
    }

    /// Replaces every stored field of a deal.
    pub async fn update_deal(
        &mut self,
        id: DealId,
        deal: &DealRow,
        at: jiff::Timestamp,
    ) -> Result<DealRecord> {
        let date = |d: Option<Date>| d.map(|d| d.to_string());
        let done = sqlx::query(
            "UPDATE deals SET name = $1, organization_id = $2, pipeline_id = $3, stage_id = $4, probability = $5,
                    forecast_category = $6, revenue_type = $7, deal_type = $8, renews_deal_id = $9, currency = $10,
                    amount_minor = $11, collected_minor = $12, close_date = $13, contract_start = $14,
                    contract_end = $15, target_start = $16, target_end = $17, owner = $18, campaign_id = $19,
                    loss_reason = $20, agreement_url = $21, engagement_url = $22, tracker_url = $23,
                    updated_at = $24
             WHERE id = $25",
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
        .bind(deal.amount.map(|m| m.minor))
        .bind(deal.collected.map(|m| m.minor))
        .bind(date(deal.close_date))
        .bind(date(deal.contract_start))
        .bind(date(deal.contract_end))
        .bind(date(deal.target_start))
        .bind(date(deal.target_end))
        .bind(deal.owner.as_deref())
        .bind(deal.campaign_id.map(CampaignId::get))
        .bind(deal.loss_reason.as_deref())
        .bind(deal.agreement_url.as_deref())
        .bind(deal.engagement_url.as_deref())
        .bind(deal.tracker_url.as_deref())
        .bind(timestamp_text(at))
        .bind(id.get())
        .execute(&mut *self.inner)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                kind: "deal",
                id: id.to_string(),
            });
        }
        get(&mut *self.inner, self.backend, id).await
    }

    /// Marks a deal deleted (`Some(at)`) or restores it (`None`).
    pub async fn set_deal_deleted(
        &mut self,
        id: DealId,
        deleted: Option<jiff::Timestamp>,
        at: jiff::Timestamp,
    ) -> Result<DealRecord> {
        if self.set_deleted_at("deals", id.get(), deleted, at).await? == 0 {
            return Err(StoreError::NotFound {
                kind: "deal",
                id: id.to_string(),
            });
        }
        get(&mut *self.inner, self.backend, id).await
    }

    /// Records that deals are known by ids in `system` (e.g. `crm`).
    pub async fn insert_external_ids(
        &mut self,
        system: &str,
        ids: &[(DealId, String)],
    ) -> Result<()> {
        for chunk in ids.chunks(crate::BATCH_ROWS) {
            let sql = format!(
                "INSERT INTO deal_external_ids (deal_id, system, external_id) VALUES {}",
                crate::placeholders(self.backend, chunk.len(), 3)
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (deal, external_id) in chunk {
                query = query
                    .bind(deal.get())
                    .bind(system.to_owned())
                    .bind(external_id.clone());
            }
            query
                .execute(&mut *self.inner)
                .await
                .map_err(|e| match StoreError::from(e) {
                    StoreError::Conflict(_) => {
                        StoreError::Conflict(format!("a {system} id is already another deal's"))
                    }
                    other => other,
                })?;
        }
        Ok(())
    }

    /// Sets extra properties of deals, replacing the values of keys they already have.
    pub async fn set_deal_properties(
        &mut self,
        properties: &[(DealId, &BTreeMap<String, String>)],
    ) -> Result<()> {
        let entries: Vec<(i64, &BTreeMap<String, String>)> = properties
            .iter()
            .map(|(id, map)| (id.get(), *map))
            .collect();
        self.set_properties(PropertyOwner::Deal, &entries).await
    }

    /// Appends changes to deals' histories, each with the time it happened.
    pub async fn insert_deal_history(
        &mut self,
        changes: &[(DealId, FieldChange, jiff::Timestamp)],
        actor: &Actor,
        source: Source,
    ) -> Result<()> {
        for chunk in changes.chunks(crate::BATCH_ROWS) {
            let sql = format!(
                "INSERT INTO deal_history (deal_id, field, old_value, new_value, at, actor, source) VALUES {}",
                crate::placeholders(self.backend, chunk.len(), 7)
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (deal, change, at) in chunk {
                query = query
                    .bind(deal.get())
                    .bind(change.field)
                    .bind(change.old.clone())
                    .bind(change.new.clone())
                    .bind(timestamp_text(*at))
                    .bind(actor.as_str().to_owned())
                    .bind(source.as_str());
            }
            query.execute(&mut *self.inner).await?;
        }
        Ok(())
    }
}

impl Store {
    /// The deal known as `external_id` in `system`, if any.
    pub async fn find_deal_by_external_id(
        &self,
        system: &str,
        external_id: &str,
    ) -> Result<Option<DealRecord>> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT deal_id FROM deal_external_ids WHERE system = $1 AND external_id = $2",
        )
        .bind(system)
        .bind(external_id)
        .fetch_optional(&self.pool)
        .await?;
        match id {
            Some(id) => Ok(Some(
                get(
                    &self.pool,
                    self.backend(),
                    DealId::new(id).map_err(|e| StoreError::Database(e.to_string()))?,
                )
                .await?,
            )),
            None => Ok(None),
        }
    }

    /// Every deal's id in `system`, keyed by that id.
    pub async fn list_external_ids(&self, system: &str) -> Result<HashMap<String, DealId>> {
        let sql = crate::bulk::select_of(
            self.backend(),
            "external_id, deal_id",
            "FROM deal_external_ids WHERE system = $1",
            "deal_id",
        );
        let query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(system.to_owned());
        let rows: Vec<(String, i64)> = crate::bulk::fetch("external id", &self.pool, query).await?;
        rows.into_iter()
            .map(|(external, id)| {
                Ok((
                    external,
                    DealId::new(id).map_err(|e| StoreError::Database(e.to_string()))?,
                ))
            })
            .collect()
    }

    /// A deal's ids in other systems, as (system, id).
    pub async fn external_ids_of(&self, deal: DealId) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT system, external_id FROM deal_external_ids WHERE deal_id = $1 ORDER BY system",
        )
        .bind(deal.get())
        .fetch_all(&self.pool)
        .await?)
    }

    /// Every deal's extra properties.
    pub async fn list_deal_properties(&self) -> Result<HashMap<DealId, BTreeMap<String, String>>> {
        self.list_properties(PropertyOwner::Deal)
            .await?
            .into_iter()
            .map(|(id, map)| {
                Ok((
                    DealId::new(id).map_err(|e| StoreError::Database(e.to_string()))?,
                    map,
                ))
            })
            .collect()
    }

    pub async fn deal_properties(&self, deal: DealId) -> Result<BTreeMap<String, String>> {
        self.properties_of(PropertyOwner::Deal, deal.get()).await
    }

    /// The history of one deal, or of every deal, with changes recorded in `[from, to)` when
    /// given (RFC 3339 timestamps or dates; text order is time order).
    pub async fn list_deal_history(
        &self,
        deal: Option<DealId>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Vec<DealHistoryRecord>> {
        let sql = crate::bulk::select::<StoredChange>(
            self.backend(),
            "FROM deal_history
             WHERE ($1 IS NULL OR deal_id = $1) AND ($2 IS NULL OR at >= $2) AND ($3 IS NULL OR at < $3)",
            "id",
        );
        let query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(deal.map(DealId::get))
            .bind(from)
            .bind(to);
        let corrupt = |e: &dyn std::fmt::Display| {
            StoreError::Database(format!("unreadable deal history row: {e}"))
        };
        crate::bulk::fetch::<StoredChange>("deal history", &self.pool, query)
            .await?
            .into_iter()
            .map(|row| {
                Ok(DealHistoryRecord {
                    id: row.id,
                    deal_id: DealId::new(row.deal_id).map_err(|e| corrupt(&e))?,
                    field: row.field,
                    old_value: row.old_value,
                    new_value: row.new_value,
                    at: crate::stored_timestamp("at", &row.at)?,
                    actor: row.actor,
                    source: row
                        .source
                        .parse()
                        .map_err(|e: bearing_core::ParseError| corrupt(&e))?,
                })
            })
            .collect()
    }
}

crate::bulk::columns! {
    /// A row of the deal history as stored.
    struct StoredChange {
        id: i64,
        deal_id: i64,
        field: String,
        old_value: Option<String>,
        new_value: Option<String>,
        at: String,
        actor: String,
        source: String,
    }
}
