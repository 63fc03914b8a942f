//! The books: the account map, the general-ledger lines and the closes of months.

use bearing_core::actuals::{Category, Line};
use bearing_core::{Month, Source};

use crate::{Result, Store, StoreError, Tx, timestamp_text};

/// An account finance mapped to a category.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccountRecord {
    pub code: String,
    pub name: Option<String>,
    pub category: Category,
    #[serde(with = "crate::stored_time")]
    pub updated_at: jiff::Timestamp,
}

/// A ledger line as stored, with its identity within its month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActualLineRecord {
    pub id: i64,
    pub identity: String,
    pub line: Line,
    pub file: String,
}

/// What writing a month's lines did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct MonthWrite {
    pub added: usize,
    pub kept: usize,
    /// Lines the month held that the new file does not: marked deleted.
    pub removed: usize,
}

/// A close of a month as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CloseRecord {
    pub id: i64,
    pub month: Month,
    pub net_assets_minor: i64,
    pub revenue_minor: i64,
    pub costs_minor: i64,
    pub reason: Option<String>,
    /// The assumptions version the close wrote.
    pub assumptions_version: i64,
    /// The forecast made before the close, as JSON.
    pub forecast: serde_json::Value,
    #[serde(with = "crate::stored_time")]
    pub closed_at: jiff::Timestamp,
    pub actor: String,
    pub source: Source,
}

/// A close to write.
#[derive(Debug, Clone, PartialEq)]
pub struct NewClose {
    pub month: Month,
    pub net_assets_minor: i64,
    pub revenue_minor: i64,
    pub costs_minor: i64,
    pub reason: Option<String>,
    pub assumptions_version: i64,
    pub forecast: serde_json::Value,
}

crate::bulk::columns! {
    struct StoredLine {
        id: i64,
        month: String,
        identity: String,
        account: String,
        account_name: Option<String>,
        description: Option<String>,
        amount_minor: i64,
        grant_code: Option<String>,
        source: Option<String>,
        file: String,
    }
}

crate::bulk::columns! {
    struct StoredClose {
        id: i64,
        month: String,
        net_assets_minor: i64,
        revenue_minor: i64,
        costs_minor: i64,
        reason: Option<String>,
        assumptions_version: i64,
        forecast_json: String,
        closed_at: String,
        actor: String,
        source: String,
    }
}

fn corrupt(what: &str, e: &dyn std::fmt::Display) -> StoreError {
    StoreError::Database(format!("unreadable {what}: {e}"))
}

fn month(text: &str) -> Result<Month> {
    Month::parse(text).map_err(|e| corrupt("month", &e))
}

impl Tx {
    /// Maps `code` to `category` (and names it), replacing any earlier mapping.
    pub async fn set_account(
        &mut self,
        code: &str,
        name: Option<&str>,
        category: Category,
        at: jiff::Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO gl_accounts (code, name, category, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (code) DO UPDATE SET name = $2, category = $3, updated_at = $4",
        )
        .bind(code)
        .bind(name)
        .bind(category.as_str())
        .bind(timestamp_text(at))
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Makes `month`'s lines exactly `lines` (each with its identity): new ones are added,
    /// those already there kept, deleted ones that come again restored, and the month's other
    /// lines marked deleted.
    pub async fn write_month_lines(
        &mut self,
        month: Month,
        lines: &[(String, Line)],
        file: &str,
        at: jiff::Timestamp,
    ) -> Result<MonthWrite> {
        let month_text = month.to_string();
        let existing: Vec<(i64, String, Option<String>)> =
            sqlx::query_as("SELECT id, identity, deleted_at FROM actual_lines WHERE month = $1")
                .bind(&month_text)
                .fetch_all(&mut *self.inner)
                .await?;
        let at_text = timestamp_text(at);
        let identities: Vec<&str> = lines
            .iter()
            .map(|(identity, _)| identity.as_str())
            .collect();
        let (mut write, new) = self
            .keep_lines("actual_lines", &existing, &identities, file, &at_text)
            .await?;
        let new: Vec<serde_json::Value> = new
            .into_iter()
            .map(|k| {
                let (identity, l) = &lines[k];
                serde_json::json!([
                    identity,
                    l.account,
                    l.account_name,
                    l.description,
                    l.amount_minor,
                    l.grant_code,
                    l.source
                ])
            })
            .collect();
        write.added += new.len();
        for batch in new.chunks(crate::bulk::ROWS_PER_WRITE) {
            let sql = format!(
                "INSERT INTO actual_lines (month, identity, account, account_name, description,
                     amount_minor, grant_code, source, file, imported_at)
                 SELECT $2, value ->> 0, value ->> 1, value ->> 2, value ->> 3,
                        CAST(value ->> 4 AS BIGINT), value ->> 5, value ->> 6, $3, $4
                 FROM {}",
                crate::bulk::rows_of(self.backend, "$1")
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(crate::bulk::json_text(&batch)?)
                .bind(&month_text)
                .bind(file)
                .bind(&at_text)
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(write)
    }

    /// Of a scope's stored lines `existing` (id, identity, when deleted) in `table`, keeps
    /// those whose identity is among `wanted`, restoring deleted ones (now of `file`), and
    /// marks the others deleted; what it did, and the positions in `wanted` of the lines the
    /// scope does not hold yet, for the caller to add.
    pub(crate) async fn keep_lines(
        &mut self,
        table: &str,
        existing: &[(i64, String, Option<String>)],
        wanted: &[&str],
        file: &str,
        at_text: &str,
    ) -> Result<(MonthWrite, Vec<usize>)> {
        let wanted_set: std::collections::HashSet<&str> = wanted.iter().copied().collect();
        let mut write = MonthWrite::default();
        for (id, identity, deleted_at) in existing {
            let keep = wanted_set.contains(identity.as_str());
            let query = match (keep, deleted_at) {
                (true, None) => {
                    write.kept += 1;
                    continue;
                }
                (true, Some(_)) => {
                    write.added += 1;
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "UPDATE {table} SET deleted_at = NULL, file = $1, imported_at = $2 WHERE id = $3"
                    )))
                    .bind(file)
                }
                (false, None) => {
                    write.removed += 1;
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "UPDATE {table} SET deleted_at = $1 WHERE id = $2"
                    )))
                }
                (false, Some(_)) => continue,
            };
            query
                .bind(at_text)
                .bind(id)
                .execute(&mut *self.inner)
                .await?;
        }
        let known: std::collections::HashSet<&str> = existing
            .iter()
            .map(|(_, identity, _)| identity.as_str())
            .collect();
        let new = wanted
            .iter()
            .enumerate()
            .filter(|(_, identity)| !known.contains(**identity))
            .map(|(k, _)| k)
            .collect();
        Ok((write, new))
    }

    /// Records a close; its id.
    pub async fn insert_close(
        &mut self,
        close: &NewClose,
        at: jiff::Timestamp,
        actor: &bearing_core::Actor,
        source: Source,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO month_closes (month, net_assets_minor, revenue_minor, costs_minor,
                 reason, assumptions_version, forecast_json, closed_at, actor, source)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(close.month.to_string())
        .bind(close.net_assets_minor)
        .bind(close.revenue_minor)
        .bind(close.costs_minor)
        .bind(close.reason.as_deref())
        .bind(close.assumptions_version)
        .bind(close.forecast.to_string())
        .bind(timestamp_text(at))
        .bind(actor.as_str())
        .bind(source.as_str())
        .fetch_one(&mut *self.inner)
        .await?)
    }
}

impl Store {
    /// The accounts finance mapped, by code.
    pub async fn list_accounts(&self) -> Result<Vec<AccountRecord>> {
        let rows: Vec<(String, Option<String>, String, String)> = sqlx::query_as(
            "SELECT code, name, category, updated_at FROM gl_accounts ORDER BY code",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(code, name, category, updated_at)| {
                Ok(AccountRecord {
                    category: category
                        .parse()
                        .map_err(|e| corrupt("account category", &e))?,
                    updated_at: crate::stored_timestamp("updated_at", &updated_at)?,
                    code,
                    name,
                })
            })
            .collect()
    }

    /// The ledger lines in force (not deleted), by month and then as imported.
    pub async fn list_actual_lines(&self) -> Result<Vec<ActualLineRecord>> {
        let sql = crate::bulk::select::<StoredLine>(
            self.backend(),
            "FROM actual_lines WHERE deleted_at IS NULL",
            "month, id",
        );
        crate::bulk::fetch::<StoredLine>(
            "actual line",
            &self.pool,
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql)),
        )
        .await?
        .into_iter()
        .map(|row| {
            Ok(ActualLineRecord {
                id: row.id,
                identity: row.identity,
                file: row.file,
                line: Line {
                    month: month(&row.month)?,
                    account: row.account,
                    account_name: row.account_name,
                    description: row.description,
                    amount_minor: row.amount_minor,
                    grant_code: row.grant_code,
                    source: row.source,
                },
            })
        })
        .collect()
    }

    /// Every close, oldest first.
    pub async fn list_closes(&self) -> Result<Vec<CloseRecord>> {
        let sql = crate::bulk::select::<StoredClose>(self.backend(), "FROM month_closes", "id");
        crate::bulk::fetch::<StoredClose>(
            "close",
            &self.pool,
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql)),
        )
        .await?
        .into_iter()
        .map(|row| {
            Ok(CloseRecord {
                id: row.id,
                month: month(&row.month)?,
                net_assets_minor: row.net_assets_minor,
                revenue_minor: row.revenue_minor,
                costs_minor: row.costs_minor,
                reason: row.reason,
                assumptions_version: row.assumptions_version,
                forecast: serde_json::from_str(&row.forecast_json)
                    .map_err(|e| corrupt("frozen forecast", &e))?,
                closed_at: crate::stored_timestamp("closed_at", &row.closed_at)?,
                actor: row.actor,
                source: row
                    .source
                    .parse()
                    .map_err(|e: bearing_core::ParseError| corrupt("close source", &e))?,
            })
        })
        .collect()
    }
}
