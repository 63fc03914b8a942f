//! The sponsor's invoice ledger as its imports last said, and the names the sponsor's books use
//! for organizations (their aliases).

use bearing_core::ledger::{LedgerInvoice, folded};
use bearing_core::{Currency, Date, OrganizationId};

use crate::{Result, Store, StoreError, Tx, timestamp_text};

fn corrupt(what: &str, e: &dyn std::fmt::Display) -> StoreError {
    StoreError::Database(format!("unreadable ledger invoice ({what}): {e}"))
}

/// A name the sponsor's books use for an organization.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AliasRecord {
    pub id: i64,
    pub organization_id: OrganizationId,
    pub alias: String,
    pub created_at: jiff::Timestamp,
}

/// A ledger invoice as stored: the row of the latest file that held it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LedgerRecord {
    /// Its values; `line` is its line in that file.
    pub invoice: LedgerInvoice,
    pub file: String,
    pub imported_at: jiff::Timestamp,
}

crate::bulk::columns! {
    struct StoredLedger {
        number: String,
        contact: String,
        reference: Option<String>,
        issued_on: Option<String>,
        due_on: Option<String>,
        currency: String,
        total_minor: i64,
        paid_minor: i64,
        status: String,
        paid_on: Option<String>,
        line: i64,
        file: String,
        imported_at: String,
    }
}

crate::bulk::columns! {
    struct StoredAlias {
        id: i64,
        organization_id: i64,
        alias: String,
        created_at: String,
    }
}

fn day(column: &str, text: Option<&str>) -> Result<Option<Date>> {
    text.map(|t| bearing_core::parse_date(t).map_err(|e| corrupt(column, &e)))
        .transpose()
}

impl Tx {
    /// Writes ledger invoices as `file` holds them, in place of what earlier files said about
    /// the same numbers.
    pub async fn write_ledger_invoices(
        &mut self,
        rows: &[LedgerInvoice],
        file: &str,
        at: jiff::Timestamp,
    ) -> Result<()> {
        let at = timestamp_text(at);
        let sql = format!(
            "INSERT INTO ledger_invoices (number, contact, reference, issued_on, due_on, currency,
                 total_minor, paid_minor, status, paid_on, line, file, imported_at)
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5,
                    CAST(value ->> 6 AS BIGINT), CAST(value ->> 7 AS BIGINT), value ->> 8,
                    value ->> 9, CAST(value ->> 10 AS BIGINT), $2, $3
             FROM {} WHERE TRUE
             ON CONFLICT (number) DO UPDATE SET contact = excluded.contact,
                 reference = excluded.reference, issued_on = excluded.issued_on,
                 due_on = excluded.due_on, currency = excluded.currency,
                 total_minor = excluded.total_minor, paid_minor = excluded.paid_minor,
                 status = excluded.status, paid_on = excluded.paid_on, line = excluded.line,
                 file = excluded.file, imported_at = excluded.imported_at",
            crate::bulk::rows_of(self.backend, "$1")
        );
        let day = |d: Option<Date>| d.map(|d| d.to_string());
        for chunk in rows.chunks(crate::bulk::ROWS_PER_WRITE) {
            let values: Vec<serde_json::Value> = chunk
                .iter()
                .map(|r| {
                    serde_json::json!([
                        r.number,
                        r.contact,
                        r.reference,
                        day(r.issued_on),
                        day(r.due_on),
                        r.currency.as_str(),
                        r.total_minor.to_string(),
                        r.paid_minor.to_string(),
                        r.status.as_str(),
                        day(r.paid_on),
                        r.line.to_string(),
                    ])
                })
                .collect();
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(crate::bulk::json_text(&values)?)
                .bind(file)
                .bind(&at)
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(())
    }

    /// Records `alias` as a name of `organization`; its id. A name another organization
    /// answers to already is a conflict.
    pub async fn add_alias(
        &mut self,
        organization: OrganizationId,
        alias: &str,
        at: jiff::Timestamp,
    ) -> Result<i64> {
        sqlx::query_scalar(
            "INSERT INTO organization_aliases (organization_id, alias, folded, created_at)
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(organization.get())
        .bind(alias)
        .bind(folded(alias))
        .bind(timestamp_text(at))
        .fetch_one(&mut *self.inner)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => {
                StoreError::Conflict(format!("{alias:?} is an alias already"))
            }
            other => other,
        })
    }

    /// Marks alias `id` removed; it keeps its row.
    pub async fn remove_alias(&mut self, id: i64, at: jiff::Timestamp) -> Result<()> {
        sqlx::query(
            "UPDATE organization_aliases SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL",
        )
        .bind(timestamp_text(at))
        .bind(id)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }
}

impl Store {
    /// Every ledger invoice an import has written, by number.
    pub async fn list_ledger_invoices(&self) -> Result<Vec<LedgerRecord>> {
        let sql =
            crate::bulk::select::<StoredLedger>(self.backend(), "FROM ledger_invoices", "number");
        let stored: Vec<StoredLedger> = crate::bulk::fetch(
            "ledger invoice",
            &self.pool,
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql)),
        )
        .await?;
        stored
            .into_iter()
            .map(|row| {
                Ok(LedgerRecord {
                    invoice: LedgerInvoice {
                        line: u64::try_from(row.line).map_err(|e| corrupt("line", &e))?,
                        currency: Currency::parse(&row.currency)
                            .map_err(|e| corrupt("currency", &e))?,
                        status: row.status.parse().map_err(|e| corrupt("status", &e))?,
                        issued_on: day("issued_on", row.issued_on.as_deref())?,
                        due_on: day("due_on", row.due_on.as_deref())?,
                        paid_on: day("paid_on", row.paid_on.as_deref())?,
                        number: row.number,
                        contact: row.contact,
                        reference: row.reference,
                        total_minor: row.total_minor,
                        paid_minor: row.paid_minor,
                    },
                    file: row.file,
                    imported_at: crate::stored_timestamp("imported_at", &row.imported_at)?,
                })
            })
            .collect()
    }

    /// Every alias in force, by organization and then name.
    pub async fn list_aliases(&self) -> Result<Vec<AliasRecord>> {
        let sql = crate::bulk::select::<StoredAlias>(
            self.backend(),
            "FROM organization_aliases WHERE deleted_at IS NULL",
            "organization_id, folded",
        );
        let stored: Vec<StoredAlias> = crate::bulk::fetch(
            "alias",
            &self.pool,
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql)),
        )
        .await?;
        stored
            .into_iter()
            .map(|row| {
                Ok(AliasRecord {
                    id: row.id,
                    organization_id: OrganizationId::new(row.organization_id)
                        .map_err(|e| corrupt("organization_id", &e))?,
                    alias: row.alias,
                    created_at: crate::stored_timestamp("created_at", &row.created_at)?,
                })
            })
            .collect()
    }
}
