//! Billing schedules of deals, and what the invoices not voided already bill, which a billing
//! run compares with what the schedules call for.

use bearing_core::billing::{Frequency, Milestone, Schedule, Timing};
use bearing_core::invoice::Kind;
use bearing_core::{Date, DealId, OrganizationId};

use crate::{Result, Store, StoreError, Tx, timestamp_text};

fn corrupt(what: &str, e: &dyn std::fmt::Display) -> StoreError {
    StoreError::Database(format!("unreadable billing schedule ({what}): {e}"))
}

fn schedule(timing: &str, frequency: &str, milestones: &str) -> Result<Schedule> {
    let timing: Timing = timing.parse().map_err(|e| corrupt("timing", &e))?;
    let frequency: Frequency = frequency.parse().map_err(|e| corrupt("frequency", &e))?;
    let milestones: Vec<Milestone> =
        serde_json::from_str(milestones).map_err(|e| corrupt("milestones", &e))?;
    Schedule::new(timing, frequency, milestones).map_err(|e| corrupt("milestones", &e))
}

impl Tx {
    /// Sets a deal's billing schedule, in place of the one it had.
    pub async fn set_billing_schedule(
        &mut self,
        deal: DealId,
        schedule: &Schedule,
        at: jiff::Timestamp,
    ) -> Result<()> {
        let milestones = crate::bulk::json_text(&schedule.milestones)?;
        let at = timestamp_text(at);
        sqlx::query(
            "INSERT INTO billing_schedules (deal_id, timing, frequency, milestones, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $5)
             ON CONFLICT (deal_id) DO UPDATE SET timing = excluded.timing,
                 frequency = excluded.frequency, milestones = excluded.milestones,
                 updated_at = excluded.updated_at",
        )
        .bind(deal.get())
        .bind(schedule.timing.as_str())
        .bind(schedule.frequency.as_str())
        .bind(milestones)
        .bind(at)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }
}

crate::bulk::columns! {
    struct StoredBilled {
        id: i64,
        organization_id: i64,
        deal_id: Option<i64>,
        kind: String,
        total_minor: i64,
        service_from: Option<String>,
        billable_on: Option<String>,
    }
}

/// What an invoice that is not void bills: whom, for which deal, what, and from when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Billed {
    pub id: i64,
    pub organization_id: OrganizationId,
    pub deal_id: Option<DealId>,
    pub kind: Kind,
    pub total_minor: i64,
    pub service_from: Option<Date>,
    pub billable_on: Option<Date>,
}

impl Store {
    /// The billing schedule set for `deal`, if one was.
    pub async fn billing_schedule(&self, deal: DealId) -> Result<Option<Schedule>> {
        let row: Option<(String, String, String)> = sqlx::query_as(
            "SELECT timing, frequency, milestones FROM billing_schedules WHERE deal_id = $1",
        )
        .bind(deal.get())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(t, f, m)| schedule(&t, &f, &m)).transpose()
    }

    /// Every schedule set, by deal.
    pub async fn billing_schedules(&self) -> Result<Vec<(DealId, Schedule)>> {
        let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT deal_id, timing, frequency, milestones FROM billing_schedules ORDER BY deal_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(deal, t, f, m)| {
                Ok((
                    DealId::new(deal).map_err(|e| corrupt("deal_id", &e))?,
                    schedule(&t, &f, &m)?,
                ))
            })
            .collect()
    }

    /// What every invoice that is not void bills, in id order.
    pub async fn list_billed(&self) -> Result<Vec<Billed>> {
        let mut conn = self.pool.acquire().await?;
        let sql = crate::bulk::select::<StoredBilled>(
            self.backend(),
            "FROM invoices WHERE voided_on IS NULL",
            "id",
        );
        let rows: Vec<StoredBilled> = crate::bulk::fetch(
            "invoice",
            &mut *conn,
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql)),
        )
        .await?;
        let day = |column: &str, text: Option<String>| {
            text.map(|t| bearing_core::parse_stored_date(&t).map_err(|e| corrupt(column, &e)))
                .transpose()
        };
        rows.into_iter()
            .map(|r| {
                Ok(Billed {
                    id: r.id,
                    organization_id: OrganizationId::new(r.organization_id)
                        .map_err(|e| corrupt("organization_id", &e))?,
                    deal_id: r
                        .deal_id
                        .map(DealId::new)
                        .transpose()
                        .map_err(|e| corrupt("deal_id", &e))?,
                    kind: r.kind.parse().map_err(|e| corrupt("kind", &e))?,
                    total_minor: r.total_minor,
                    service_from: day("service_from", r.service_from)?,
                    billable_on: day("billable_on", r.billable_on)?,
                })
            })
            .collect()
    }
}

crate::bulk::columns! {
    struct StoredWon {
        id: i64,
        name: String,
        organization_id: Option<i64>,
        organization: Option<String>,
        organization_name: Option<String>,
        currency: String,
        amount_minor: Option<i64>,
        collected_minor: Option<i64>,
        contract_start: Option<String>,
        contract_end: Option<String>,
        revenue_type: Option<String>,
    }
}

/// A won deal as a billing run reads it: what it bills, to whom, over which term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WonDeal {
    pub id: DealId,
    pub name: String,
    /// The organization, its key and the name people read, unless it has none or it is
    /// deleted.
    pub organization: Option<(OrganizationId, String, String)>,
    pub currency: bearing_core::Currency,
    pub amount_minor: Option<i64>,
    /// What the CRM says was collected.
    pub collected_minor: Option<i64>,
    pub contract_start: Option<Date>,
    pub contract_end: Option<Date>,
    pub revenue_type: Option<bearing_core::deal::RevenueType>,
}

impl Store {
    /// Every won deal that is not deleted, in id order, with only what billing needs.
    pub async fn list_won_deals(&self) -> Result<Vec<WonDeal>> {
        let mut conn = self.pool.acquire().await?;
        let sql = crate::bulk::select::<StoredWon>(
            self.backend(),
            "FROM (SELECT d.id, d.name, o.id AS organization_id, o.name AS organization,
                          COALESCE(o.long_name, o.name) AS organization_name, d.currency,
                          d.amount_minor, d.collected_minor, d.contract_start, d.contract_end, d.revenue_type
                   FROM deals d JOIN stages s ON s.id = d.stage_id
                   LEFT JOIN organizations o ON o.id = d.organization_id AND o.deleted_at IS NULL
                   WHERE s.outcome = 'won' AND d.deleted_at IS NULL) AS won",
            "id",
        );
        let rows: Vec<StoredWon> = crate::bulk::fetch(
            "deal",
            &mut *conn,
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql)),
        )
        .await?;
        let day = |column: &str, text: Option<String>| {
            text.map(|t| bearing_core::parse_stored_date(&t).map_err(|e| corrupt(column, &e)))
                .transpose()
        };
        rows.into_iter()
            .map(|r| {
                let organization = match (r.organization_id, r.organization, r.organization_name) {
                    (Some(id), Some(key), Some(name)) => Some((
                        OrganizationId::new(id).map_err(|e| corrupt("organization_id", &e))?,
                        key,
                        name,
                    )),
                    _ => None,
                };
                Ok(WonDeal {
                    id: DealId::new(r.id).map_err(|e| corrupt("deal id", &e))?,
                    name: r.name,
                    organization,
                    currency: bearing_core::Currency::parse(&r.currency)
                        .map_err(|e| corrupt("currency", &e))?,
                    amount_minor: r.amount_minor,
                    collected_minor: r.collected_minor,
                    contract_start: day("contract_start", r.contract_start)?,
                    contract_end: day("contract_end", r.contract_end)?,
                    revenue_type: r
                        .revenue_type
                        .map(|t| bearing_core::deal::RevenueType::parse(&t))
                        .transpose()
                        .map_err(|e| corrupt("revenue_type", &e))?,
                })
            })
            .collect()
    }
}
