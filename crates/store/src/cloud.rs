//! Cloud costs: the bills' lines as imported, the mappings of billing accounts, sub-accounts
//! and tags to clusters, the clusters' split rules, the decisions on overruns and the credits
//! held for partners.

use std::collections::BTreeMap;

use bearing_core::cloud::{CostLine, Decision, Match};
use bearing_core::{ClusterId, Currency, Date, HubId, Month, OrganizationId};

use crate::{MonthWrite, Result, Store, StoreError, Tx, timestamp_text};

fn corrupt(what: &str, e: &dyn std::fmt::Display) -> StoreError {
    StoreError::Database(format!("unreadable cloud cost row ({what}): {e}"))
}

/// A cost line as stored: the line of the latest file that held it (its `line` is 0: a
/// stored line is known by its identity, not its place in a file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudCostRecord {
    pub id: i64,
    pub cost: CostLine,
    pub file: String,
}

/// A mapping in force.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CloudMappingRecord {
    pub id: i64,
    pub matches: Match,
    pub cluster_id: ClusterId,
    pub hub_id: Option<HubId>,
    pub recoverable: bool,
    #[serde(with = "crate::stored_time")]
    pub created_at: jiff::Timestamp,
}

/// A mapping to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCloudMapping {
    pub matches: Match,
    pub cluster_id: ClusterId,
    pub hub_id: Option<HubId>,
    pub recoverable: bool,
}

/// A decision on a billing account's month over its threshold.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CloudDecisionRecord {
    pub id: i64,
    pub account: String,
    pub month: Month,
    pub decision: Decision,
    pub reason: String,
    pub decided_by: String,
    #[serde(with = "crate::stored_time")]
    pub decided_at: jiff::Timestamp,
}

/// Credits received on a partner's behalf.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CloudCreditRecord {
    pub id: i64,
    pub organization_id: OrganizationId,
    pub amount_minor: i64,
    pub currency: Currency,
    pub received_on: Date,
    pub note: Option<String>,
}

crate::bulk::columns! {
    struct StoredCost {
        id: i64,
        month: String,
        account: String,
        sub_account: Option<String>,
        category: Option<String>,
        amount_micros: i64,
        currency: String,
        tags: String,
        file: String,
    }
}

crate::bulk::columns! {
    struct StoredMapping {
        id: i64,
        kind: String,
        tag: String,
        value: String,
        cluster_id: i64,
        hub_id: Option<i64>,
        recoverable: i64,
        created_at: String,
    }
}

crate::bulk::columns! {
    struct StoredDecision {
        id: i64,
        account: String,
        month: String,
        decision: String,
        discount_minor: Option<i64>,
        reason: String,
        decided_by: String,
        decided_at: String,
    }
}

crate::bulk::columns! {
    struct StoredCredit {
        id: i64,
        organization_id: i64,
        amount_minor: i64,
        currency: String,
        received_on: String,
        note: Option<String>,
    }
}

fn month(text: &str) -> Result<Month> {
    Month::parse(text).map_err(|e| corrupt("month", &e))
}

impl Tx {
    /// Makes billing account `account`'s month `month` exactly `lines` (each with its
    /// identity), as [`Tx::write_month_lines`] does the ledger's months.
    pub async fn write_cloud_month(
        &mut self,
        month: Month,
        account: &str,
        lines: &[(String, CostLine)],
        file: &str,
        at: jiff::Timestamp,
    ) -> Result<MonthWrite> {
        let month_text = month.to_string();
        let existing: Vec<(i64, String, Option<String>)> = sqlx::query_as(
            "SELECT id, identity, deleted_at FROM cloud_costs WHERE month = $1 AND account = $2",
        )
        .bind(&month_text)
        .bind(account)
        .fetch_all(&mut *self.inner)
        .await?;
        let at_text = timestamp_text(at);
        let identities: Vec<&str> = lines
            .iter()
            .map(|(identity, _)| identity.as_str())
            .collect();
        let (mut write, new) = self
            .keep_lines("cloud_costs", &existing, &identities, file, &at_text)
            .await?;
        let mut rows = Vec::with_capacity(new.len());
        for k in new {
            let (identity, l) = &lines[k];
            rows.push(serde_json::json!([
                identity,
                l.sub_account,
                l.category,
                l.amount_micros.to_string(),
                l.currency.as_str(),
                serde_json::to_string(&l.tags)
                    .map_err(|e| StoreError::Database(format!("unwritable tags: {e}")))?,
            ]));
        }
        write.added += rows.len();
        for batch in rows.chunks(crate::bulk::ROWS_PER_WRITE) {
            let sql = format!(
                "INSERT INTO cloud_costs (month, account, identity, sub_account, category,
                     amount_micros, currency, tags, file, imported_at)
                 SELECT $2, $3, value ->> 0, value ->> 1, value ->> 2,
                        CAST(value ->> 3 AS BIGINT), value ->> 4, value ->> 5, $4, $5
                 FROM {}",
                crate::bulk::rows_of(self.backend, "$1")
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(crate::bulk::json_text(&batch)?)
                .bind(&month_text)
                .bind(account)
                .bind(file)
                .bind(&at_text)
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(write)
    }

    /// Records a mapping; its id. A mapping of the same kind, tag and value in force is a
    /// conflict.
    pub async fn insert_cloud_mapping(
        &mut self,
        mapping: &NewCloudMapping,
        at: jiff::Timestamp,
    ) -> Result<i64> {
        let (tag, value) = mapping.matches.parts();
        sqlx::query_scalar(
            "INSERT INTO cloud_mappings (kind, tag, value, cluster_id, hub_id, recoverable, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(mapping.matches.kind())
        .bind(tag)
        .bind(value)
        .bind(mapping.cluster_id.get())
        .bind(mapping.hub_id.map(HubId::get))
        .bind(i64::from(mapping.recoverable))
        .bind(timestamp_text(at))
        .fetch_one(&mut *self.inner)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => {
                StoreError::Conflict(format!("{} is mapped already", mapping.matches))
            }
            other => other,
        })
    }

    /// Marks mapping `id` removed; it keeps its row.
    pub async fn remove_cloud_mapping(&mut self, id: i64, at: jiff::Timestamp) -> Result<()> {
        sqlx::query(
            "UPDATE cloud_mappings SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL",
        )
        .bind(timestamp_text(at))
        .bind(id)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Sets how `cluster`'s cost is split (the rule as JSON), in place of its earlier rule.
    pub async fn set_split_rule(
        &mut self,
        cluster: ClusterId,
        rule: &str,
        at: jiff::Timestamp,
    ) -> Result<()> {
        sqlx::query("INSERT INTO cloud_split_rules (cluster_id, rule, set_at) VALUES ($1, $2, $3)")
            .bind(cluster.get())
            .bind(rule)
            .bind(timestamp_text(at))
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Records a decision on `account`'s `month`; its id.
    pub async fn insert_cloud_decision(
        &mut self,
        account: &str,
        month: Month,
        decision: Decision,
        reason: &str,
        decided_by: &str,
        at: jiff::Timestamp,
    ) -> Result<i64> {
        let discount = match decision {
            Decision::Discount { amount_minor } => Some(amount_minor),
            _ => None,
        };
        Ok(sqlx::query_scalar(
            "INSERT INTO cloud_decisions (account, month, decision, discount_minor, reason,
                 decided_by, decided_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(account)
        .bind(month.to_string())
        .bind(decision.as_str())
        .bind(discount)
        .bind(reason)
        .bind(decided_by)
        .bind(timestamp_text(at))
        .fetch_one(&mut *self.inner)
        .await?)
    }

    /// Records credits received for `organization`; their id.
    pub async fn insert_cloud_credit(
        &mut self,
        organization: OrganizationId,
        amount_minor: i64,
        currency: Currency,
        received_on: Date,
        note: Option<&str>,
        at: jiff::Timestamp,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO cloud_credits (organization_id, amount_minor, currency, received_on,
                 note, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(organization.get())
        .bind(amount_minor)
        .bind(currency.as_str())
        .bind(received_on.to_string())
        .bind(note)
        .bind(timestamp_text(at))
        .fetch_one(&mut *self.inner)
        .await?)
    }
}

impl Store {
    /// Every cost line in force, by month, account and id.
    pub async fn list_cloud_costs(&self) -> Result<Vec<CloudCostRecord>> {
        let sql = crate::bulk::select::<StoredCost>(
            self.backend(),
            "FROM cloud_costs WHERE deleted_at IS NULL",
            "month, account, id",
        );
        let rows: Vec<StoredCost> = crate::bulk::fetch(
            "cloud cost",
            &self.pool,
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql)),
        )
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(CloudCostRecord {
                    id: r.id,
                    cost: CostLine {
                        line: 0,
                        month: month(&r.month)?,
                        account: r.account,
                        sub_account: r.sub_account,
                        category: r.category,
                        amount_micros: r.amount_micros,
                        currency: Currency::parse(&r.currency)
                            .map_err(|e| corrupt("currency", &e))?,
                        tags: serde_json::from_str::<BTreeMap<String, String>>(&r.tags)
                            .map_err(|e| corrupt("tags", &e))?,
                    },
                    file: r.file,
                })
            })
            .collect()
    }

    /// Every mapping in force, by kind, tag and value.
    pub async fn list_cloud_mappings(&self) -> Result<Vec<CloudMappingRecord>> {
        let sql = crate::bulk::select::<StoredMapping>(
            self.backend(),
            "FROM cloud_mappings WHERE deleted_at IS NULL",
            "kind, tag, value",
        );
        let rows: Vec<StoredMapping> = crate::bulk::fetch(
            "cloud mapping",
            &self.pool,
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql)),
        )
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(CloudMappingRecord {
                    id: r.id,
                    matches: Match::new(&r.kind, &r.tag, &r.value)
                        .map_err(|e| corrupt("kind", &e))?,
                    cluster_id: ClusterId::new(r.cluster_id)
                        .map_err(|e| corrupt("cluster_id", &e))?,
                    hub_id: r
                        .hub_id
                        .map(HubId::new)
                        .transpose()
                        .map_err(|e| corrupt("hub_id", &e))?,
                    recoverable: r.recoverable != 0,
                    created_at: crate::stored_timestamp("created_at", &r.created_at)?,
                })
            })
            .collect()
    }

    /// Each cluster's split rule in force (its latest), as JSON.
    pub async fn split_rules(&self) -> Result<BTreeMap<ClusterId, String>> {
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT cluster_id, rule FROM cloud_split_rules ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter()
            .map(|(cluster, rule)| {
                Ok((
                    ClusterId::new(cluster).map_err(|e| corrupt("cluster_id", &e))?,
                    rule,
                ))
            })
            .collect()
    }

    /// Every decision on an overrun, oldest first: an account's month's latest is in force.
    pub async fn list_cloud_decisions(&self) -> Result<Vec<CloudDecisionRecord>> {
        let sql =
            crate::bulk::select::<StoredDecision>(self.backend(), "FROM cloud_decisions", "id");
        let rows: Vec<StoredDecision> = crate::bulk::fetch(
            "cloud decision",
            &self.pool,
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql)),
        )
        .await?;
        rows.into_iter()
            .map(|r| {
                let decision = match (r.decision.as_str(), r.discount_minor) {
                    ("absorb", _) => Decision::Absorb,
                    ("recover", _) => Decision::Recover,
                    ("discount", Some(amount_minor)) => Decision::Discount { amount_minor },
                    (other, _) => return Err(corrupt("decision", &other)),
                };
                Ok(CloudDecisionRecord {
                    id: r.id,
                    month: month(&r.month)?,
                    account: r.account,
                    decision,
                    reason: r.reason,
                    decided_by: r.decided_by,
                    decided_at: crate::stored_timestamp("decided_at", &r.decided_at)?,
                })
            })
            .collect()
    }

    /// Every credit received for a partner, by organization and day.
    pub async fn list_cloud_credits(&self) -> Result<Vec<CloudCreditRecord>> {
        let sql = crate::bulk::select::<StoredCredit>(
            self.backend(),
            "FROM cloud_credits",
            "organization_id, received_on, id",
        );
        let rows: Vec<StoredCredit> = crate::bulk::fetch(
            "cloud credit",
            &self.pool,
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql)),
        )
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(CloudCreditRecord {
                    id: r.id,
                    organization_id: OrganizationId::new(r.organization_id)
                        .map_err(|e| corrupt("organization_id", &e))?,
                    amount_minor: r.amount_minor,
                    currency: Currency::parse(&r.currency).map_err(|e| corrupt("currency", &e))?,
                    received_on: bearing_core::parse_stored_date(&r.received_on)
                        .map_err(|e| corrupt("received_on", &e))?,
                    note: r.note,
                })
            })
            .collect()
    }

    /// What the cloud invoices that are not void bill each organization for each month (the
    /// month their service starts in, else the month they are billable or issued in), by
    /// currency.
    pub async fn cloud_billed(&self) -> Result<BTreeMap<(OrganizationId, Month, Currency), i64>> {
        let rows: Vec<(i64, Option<String>, String, i64)> = sqlx::query_as(
            "SELECT organization_id, SUBSTR(COALESCE(service_from, billable_on, issued_on), 1, 7),
                    currency, CAST(SUM(total_minor) AS BIGINT)
             FROM invoices WHERE voided_on IS NULL AND kind = 'cloud'
             GROUP BY organization_id, SUBSTR(COALESCE(service_from, billable_on, issued_on), 1, 7),
                      currency",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut billed = BTreeMap::new();
        for (organization, m, currency, total) in rows {
            // A draft without any day bills no month yet.
            let Some(m) = m else { continue };
            billed.insert(
                (
                    OrganizationId::new(organization)
                        .map_err(|e| corrupt("organization_id", &e))?,
                    month(&m)?,
                    Currency::parse(&currency).map_err(|e| corrupt("currency", &e))?,
                ),
                total,
            );
        }
        Ok(billed)
    }

    /// Each hub's monthly active users (the largest of its daily samples in the month) on the
    /// clusters `clusters`: (hub, month, users).
    pub async fn hub_monthly_active_users(
        &self,
        clusters: &[ClusterId],
    ) -> Result<Vec<(HubId, Month, i64)>> {
        if clusters.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = clusters.iter().map(|c| c.get().to_string()).collect();
        let sql = format!(
            "SELECT hub_id, SUBSTR(date, 1, 7), CAST(MAX(users) AS BIGINT) FROM usage_samples
             WHERE hub_id IS NOT NULL AND cluster_id IN ({})
             GROUP BY hub_id, SUBSTR(date, 1, 7)",
            list.join(", ")
        );
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|(hub, m, users)| {
                Ok((
                    HubId::new(hub).map_err(|e| corrupt("hub_id", &e))?,
                    month(&m)?,
                    users,
                ))
            })
            .collect()
    }
}
