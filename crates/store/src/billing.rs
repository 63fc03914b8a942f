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
        deal_id: Option<i64>,
        organization_id: i64,
        kind: String,
        billable_on: Option<String>,
        total_minor: i64,
    }
}

/// What an invoice that is not void bills, as a billing run reads it: its deal (or, for usage
/// billed without one, its organization), its kind, billable day and total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Billed {
    pub deal_id: Option<DealId>,
    pub organization_id: OrganizationId,
    pub kind: Kind,
    pub billable_on: Option<Date>,
    pub total_minor: i64,
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

    /// What a billing run reads of the invoices that are not void: those of won deals that
    /// are not deleted, and the usage invoices without a deal whose service starts on
    /// `usage_from`, by deal.
    pub async fn list_billed(&self, usage_from: Date) -> Result<Vec<Billed>> {
        let mut conn = self.pool.acquire().await?;
        let sql = crate::bulk::select::<StoredBilled>(
            self.backend(),
            "FROM (SELECT i.deal_id, i.organization_id, i.kind, i.billable_on, i.total_minor
                   FROM invoices i JOIN deals d ON d.id = i.deal_id
                   JOIN stages s ON s.id = d.stage_id
                   WHERE i.voided_on IS NULL AND s.outcome = 'won' AND d.deleted_at IS NULL
                   UNION ALL
                   SELECT deal_id, organization_id, kind, billable_on, total_minor FROM invoices
                   WHERE voided_on IS NULL AND deal_id IS NULL AND kind = 'usage'
                     AND service_from = $1) AS billed",
            "deal_id",
        );
        let rows: Vec<StoredBilled> = crate::bulk::fetch(
            "invoice",
            &mut *conn,
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(usage_from.to_string()),
        )
        .await?;
        let day = |column: &str, text: Option<String>| {
            text.map(|t| bearing_core::parse_stored_date(&t).map_err(|e| corrupt(column, &e)))
                .transpose()
        };
        rows.into_iter()
            .map(|r| {
                Ok(Billed {
                    deal_id: r
                        .deal_id
                        .map(DealId::new)
                        .transpose()
                        .map_err(|e| corrupt("deal_id", &e))?,
                    organization_id: OrganizationId::new(r.organization_id)
                        .map_err(|e| corrupt("organization_id", &e))?,
                    kind: r.kind.parse().map_err(|e| corrupt("kind", &e))?,
                    billable_on: day("billable_on", r.billable_on)?,
                    total_minor: r.total_minor,
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
