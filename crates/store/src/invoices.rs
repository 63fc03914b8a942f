//! Invoices, their lines and their payments.

use bearing_core::invoice::{Facts, Kind, Line, Payment, Quantity, Status};
use bearing_core::{Currency, Date, DealId, OrganizationId};

use crate::{Result, Store, StoreError, Tx, timestamp_text};

/// An invoice as stored, with its lines and payments.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct InvoiceRecord {
    pub id: i64,
    pub number: String,
    pub organization_id: OrganizationId,
    pub deal_id: Option<DealId>,
    pub kind: Kind,
    pub currency: Currency,
    pub total_minor: i64,
    pub service_from: Option<Date>,
    pub service_to: Option<Date>,
    /// The first day it could have been issued.
    pub billable_on: Option<Date>,
    /// Days from issue to due.
    pub terms_days: i64,
    pub issued_on: Option<Date>,
    pub due_on: Option<Date>,
    pub external_id: Option<String>,
    pub source: Option<String>,
    pub voided_on: Option<Date>,
    pub void_reason: Option<String>,
    pub lines: Vec<Line>,
    pub payments: Vec<PaymentRecord>,
    #[serde(with = "crate::stored_time")]
    pub created_at: jiff::Timestamp,
    #[serde(with = "crate::stored_time")]
    pub updated_at: jiff::Timestamp,
}

impl InvoiceRecord {
    /// What the measures of collections need of it.
    pub fn facts(&self) -> Facts {
        Facts {
            total_minor: self.total_minor,
            billable: self.billable_on,
            issued: self.issued_on,
            due: self.due_on,
            voided: self.voided_on,
            payments: self
                .payments
                .iter()
                .map(|p| Payment {
                    on: p.paid_on,
                    amount_minor: p.amount_minor,
                })
                .collect(),
        }
    }

    pub fn status(&self) -> Status {
        self.facts().status()
    }
}

/// What the measures of collections need of an invoice, read without its lines and texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceFacts {
    pub id: i64,
    pub number: String,
    pub organization_id: OrganizationId,
    pub currency: Currency,
    pub facts: Facts,
}

/// A payment as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PaymentRecord {
    pub id: i64,
    pub paid_on: Date,
    pub amount_minor: i64,
    pub reference: Option<String>,
    #[serde(with = "crate::stored_time")]
    pub created_at: jiff::Timestamp,
}

/// An invoice to write: a draft, or one already issued when it comes from the sponsor's books.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvoice {
    pub number: String,
    pub organization_id: OrganizationId,
    pub deal_id: Option<DealId>,
    pub kind: Kind,
    pub currency: Currency,
    pub service_from: Option<Date>,
    pub service_to: Option<Date>,
    pub billable_on: Option<Date>,
    pub terms_days: i64,
    pub external_id: Option<String>,
    pub source: Option<String>,
    pub lines: Vec<Line>,
}

crate::bulk::columns! {
    struct Stored {
        id: i64,
        number: String,
        organization_id: i64,
        deal_id: Option<i64>,
        kind: String,
        currency: String,
        total_minor: i64,
        service_from: Option<String>,
        service_to: Option<String>,
        billable_on: Option<String>,
        terms_days: i64,
        issued_on: Option<String>,
        due_on: Option<String>,
        external_id: Option<String>,
        source: Option<String>,
        voided_on: Option<String>,
        void_reason: Option<String>,
        created_at: String,
        updated_at: String,
    }
}

crate::bulk::columns! {
    struct StoredFacts {
        id: i64,
        number: String,
        organization_id: i64,
        currency: String,
        total_minor: i64,
        billable_on: Option<String>,
        issued_on: Option<String>,
        due_on: Option<String>,
        voided_on: Option<String>,
    }
}

crate::bulk::columns! {
    struct StoredAmount {
        invoice_id: i64,
        paid_on: String,
        amount_minor: i64,
    }
}

crate::bulk::columns! {
    struct StoredLine {
        invoice_id: i64,
        description: String,
        quantity_thousandths: i64,
        unit_minor: i64,
        amount_minor: i64,
    }
}

crate::bulk::columns! {
    struct StoredPayment {
        id: i64,
        invoice_id: i64,
        paid_on: String,
        amount_minor: i64,
        reference: Option<String>,
        created_at: String,
    }
}

fn corrupt(what: &str, e: &dyn std::fmt::Display) -> StoreError {
    StoreError::Database(format!("unreadable invoice ({what}): {e}"))
}

fn date(column: &str, text: Option<&str>) -> Result<Option<Date>> {
    text.map(|t| bearing_core::parse_stored_date(t).map_err(|e| corrupt(column, &e)))
        .transpose()
}

fn record(row: Stored) -> Result<InvoiceRecord> {
    Ok(InvoiceRecord {
        id: row.id,
        organization_id: OrganizationId::new(row.organization_id)
            .map_err(|e| corrupt("organization_id", &e))?,
        deal_id: row
            .deal_id
            .map(DealId::new)
            .transpose()
            .map_err(|e| corrupt("deal_id", &e))?,
        kind: row.kind.parse().map_err(|e| corrupt("kind", &e))?,
        currency: Currency::parse(&row.currency).map_err(|e| corrupt("currency", &e))?,
        total_minor: row.total_minor,
        service_from: date("service_from", row.service_from.as_deref())?,
        service_to: date("service_to", row.service_to.as_deref())?,
        billable_on: date("billable_on", row.billable_on.as_deref())?,
        terms_days: row.terms_days,
        issued_on: date("issued_on", row.issued_on.as_deref())?,
        due_on: date("due_on", row.due_on.as_deref())?,
        voided_on: date("voided_on", row.voided_on.as_deref())?,
        number: row.number,
        external_id: row.external_id,
        source: row.source,
        void_reason: row.void_reason,
        lines: Vec::new(),
        payments: Vec::new(),
        created_at: crate::stored_timestamp("created_at", &row.created_at)?,
        updated_at: crate::stored_timestamp("updated_at", &row.updated_at)?,
    })
}

impl Tx {
    /// Writes a new invoice and its lines, not yet issued; its id.
    pub async fn insert_invoice(&mut self, new: &NewInvoice, at: jiff::Timestamp) -> Result<i64> {
        let total = bearing_core::invoice::total(&new.lines)
            .ok_or_else(|| StoreError::Invalid("the invoice's total is too large".into()))?;
        let day = |d: Option<Date>| d.map(|d| d.to_string());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO invoices (number, organization_id, deal_id, kind, currency, total_minor,
                 service_from, service_to, billable_on, terms_days, external_id, source,
                 created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
        )
        .bind(&new.number)
        .bind(new.organization_id.get())
        .bind(new.deal_id.map(DealId::get))
        .bind(new.kind.as_str())
        .bind(new.currency.as_str())
        .bind(total)
        .bind(day(new.service_from))
        .bind(day(new.service_to))
        .bind(day(new.billable_on))
        .bind(new.terms_days)
        .bind(new.external_id.as_deref())
        .bind(new.source.as_deref())
        .bind(timestamp_text(at))
        .fetch_one(&mut *self.inner)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => {
                StoreError::Conflict(format!("an invoice is numbered {:?} already", new.number))
            }
            other => other,
        })?;
        self.insert_lines(id, &new.lines).await?;
        Ok(id)
    }

    async fn insert_lines(&mut self, id: i64, lines: &[Line]) -> Result<()> {
        for (position, line) in lines.iter().enumerate() {
            sqlx::query(
                "INSERT INTO invoice_lines (invoice_id, position, description,
                     quantity_thousandths, unit_minor, amount_minor)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(position as i64)
            .bind(&line.description)
            .bind(line.quantity.thousandths())
            .bind(line.unit_minor)
            .bind(line.amount_minor)
            .execute(&mut *self.inner)
            .await?;
        }
        Ok(())
    }

    /// Replaces a draft's lines and its total: the lines it had keep their rows, marked
    /// replaced. An invoice issued or void is left as it is.
    pub async fn replace_draft_lines(
        &mut self,
        id: i64,
        lines: &[Line],
        at: jiff::Timestamp,
    ) -> Result<()> {
        let total = bearing_core::invoice::total(lines)
            .ok_or_else(|| StoreError::Invalid("the invoice's total is too large".into()))?;
        let at = timestamp_text(at);
        let changed = sqlx::query(
            "UPDATE invoices SET total_minor = $1, updated_at = $2
             WHERE id = $3 AND issued_on IS NULL AND voided_on IS NULL",
        )
        .bind(total)
        .bind(&at)
        .bind(id)
        .execute(&mut *self.inner)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::Conflict(format!(
                "invoice {id} is not a draft: its lines stay as they are"
            )));
        }
        sqlx::query(
            "UPDATE invoice_lines SET replaced_at = $1 WHERE invoice_id = $2 AND replaced_at IS NULL",
        )
        .bind(&at)
        .bind(id)
        .execute(&mut *self.inner)
        .await?;
        self.insert_lines(id, lines).await
    }

    /// Marks a draft issued on `issued`, due on `due`.
    pub async fn issue_invoice(
        &mut self,
        id: i64,
        issued: Date,
        due: Date,
        at: jiff::Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE invoices SET issued_on = $1, due_on = $2, updated_at = $3
             WHERE id = $4 AND issued_on IS NULL AND voided_on IS NULL",
        )
        .bind(issued.to_string())
        .bind(due.to_string())
        .bind(timestamp_text(at))
        .bind(id)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Voids an invoice on `on` for `reason`; it keeps its row, lines and payments.
    pub async fn void_invoice(
        &mut self,
        id: i64,
        on: Date,
        reason: &str,
        at: jiff::Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE invoices SET voided_on = $1, void_reason = $2, updated_at = $3
             WHERE id = $4 AND voided_on IS NULL",
        )
        .bind(on.to_string())
        .bind(reason)
        .bind(timestamp_text(at))
        .bind(id)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Records a payment on an invoice; its id.
    pub async fn insert_payment(
        &mut self,
        invoice_id: i64,
        paid_on: Date,
        amount_minor: i64,
        reference: Option<&str>,
        at: jiff::Timestamp,
    ) -> Result<i64> {
        let at = timestamp_text(at);
        let id = sqlx::query_scalar(
            "INSERT INTO payments (invoice_id, paid_on, amount_minor, reference, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(invoice_id)
        .bind(paid_on.to_string())
        .bind(amount_minor)
        .bind(reference)
        .bind(&at)
        .fetch_one(&mut *self.inner)
        .await?;
        sqlx::query("UPDATE invoices SET updated_at = $1 WHERE id = $2")
            .bind(&at)
            .bind(invoice_id)
            .execute(&mut *self.inner)
            .await?;
        Ok(id)
    }

    /// One invoice with its lines and payments, read inside the transaction.
    pub async fn get_invoice(&mut self, id: i64) -> Result<InvoiceRecord> {
        read(&mut self.inner, self.backend, Some(id))
            .await?
            .pop()
            .ok_or_else(|| not_found(id))
    }
}

fn not_found(id: i64) -> StoreError {
    StoreError::NotFound {
        kind: "invoice",
        id: id.to_string(),
    }
}

/// Every invoice (or the one `id`), in id order, with its lines and payments.
async fn read(
    conn: &mut sqlx::AnyConnection,
    backend: crate::Backend,
    id: Option<i64>,
) -> Result<Vec<InvoiceRecord>> {
    let stored: Vec<Stored> = rows(conn, backend, "invoice", "invoices", "id", "id", id).await?;
    let mut invoices = stored.into_iter().map(record).collect::<Result<Vec<_>>>()?;
    let index: std::collections::HashMap<i64, usize> = invoices
        .iter()
        .enumerate()
        .map(|(i, invoice)| (invoice.id, i))
        .collect();
    let lines: Vec<StoredLine> = rows(
        conn,
        backend,
        "invoice line",
        // A draft's replaced lines keep their rows; the invoice is its lines in force.
        "(SELECT * FROM invoice_lines WHERE replaced_at IS NULL) AS lines",
        "invoice_id",
        "invoice_id, position",
        id,
    )
    .await?;
    for line in lines {
        let Some(&i) = index.get(&line.invoice_id) else {
            continue;
        };
        let quantity = Quantity::from_thousandths(line.quantity_thousandths)
            .ok_or_else(|| corrupt("quantity", &line.quantity_thousandths))?;
        invoices[i].lines.push(Line {
            description: line.description,
            quantity,
            unit_minor: line.unit_minor,
            amount_minor: line.amount_minor,
        });
    }
    let payments: Vec<StoredPayment> = rows(
        conn,
        backend,
        "payment",
        "payments",
        "invoice_id",
        "invoice_id, paid_on, id",
        id,
    )
    .await?;
    for p in payments {
        let Some(&i) = index.get(&p.invoice_id) else {
            continue;
        };
        invoices[i].payments.push(PaymentRecord {
            id: p.id,
            paid_on: date("paid_on", Some(&p.paid_on))?.ok_or_else(|| corrupt("paid_on", &""))?,
            amount_minor: p.amount_minor,
            reference: p.reference,
            created_at: crate::stored_timestamp("created_at", &p.created_at)?,
        });
    }
    Ok(invoices)
}

/// The condition that `$1`, an optional id, is not given: PostgreSQL cannot tell the type of
/// a parameter only compared with NULL, so it is said.
fn unfiltered(backend: crate::Backend) -> &'static str {
    match backend {
        crate::Backend::Postgres => "CAST($1 AS BIGINT) IS NULL",
        crate::Backend::Sqlite => "$1 IS NULL",
    }
}

/// The rows of `table` (a table, or a query and its name), all of them or those whose
/// `column` is `id`, in `order`.
async fn rows<C: crate::bulk::Columns>(
    conn: &mut sqlx::AnyConnection,
    backend: crate::Backend,
    what: &str,
    table: &str,
    column: &str,
    order: &str,
    id: Option<i64>,
) -> Result<Vec<C>> {
    let all = unfiltered(backend);
    let sql = crate::bulk::select::<C>(
        backend,
        &format!("FROM {table} WHERE ({all} OR {column} = $1)"),
        order,
    );
    crate::bulk::fetch(
        what,
        &mut *conn,
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(id),
    )
    .await
}

impl Store {
    /// Every invoice, voided ones too, in id order, with its lines and payments.
    pub async fn list_invoices(&self) -> Result<Vec<InvoiceRecord>> {
        let mut conn = self.pool.acquire().await?;
        read(&mut conn, self.backend(), None).await
    }

    /// Every invoice's facts (voided ones too), in id order: what the measures of collections
    /// read, without lines, texts or timestamps.
    pub async fn list_invoice_facts(&self) -> Result<Vec<InvoiceFacts>> {
        self.facts(None).await
    }

    /// The currencies invoices are in, by code.
    pub async fn invoice_currencies(&self) -> Result<Vec<Currency>> {
        let codes: Vec<String> =
            sqlx::query_scalar("SELECT DISTINCT currency FROM invoices ORDER BY currency")
                .fetch_all(&self.pool)
                .await?;
        codes
            .iter()
            .map(|c| Currency::parse(c).map_err(|e| corrupt("currency", &e)))
            .collect()
    }

    /// The facts of the invoices outstanding at the end of `day` (issued by then, not void by
    /// then, and not paid in full by then), with all their payments, in id order: what the
    /// aging as of `day` reads. The same invoices [`Facts::outstanding_on`] keeps.
    pub async fn list_outstanding_facts(&self, day: Date) -> Result<Vec<InvoiceFacts>> {
        self.facts(Some(day)).await
    }

    async fn facts(&self, day: Option<Date>) -> Result<Vec<InvoiceFacts>> {
        // An invoice outstanding at the end of $1, as `Facts::outstanding_on` says.
        const OUTSTANDING: &str = "issued_on <= $1 AND (voided_on IS NULL OR voided_on > $1)
             AND total_minor > COALESCE((SELECT SUM(p.amount_minor) FROM payments p
                 WHERE p.invoice_id = invoices.id AND p.paid_on <= $1), 0)";
        let mut conn = self.pool.acquire().await?;
        let backend = self.backend();
        let (invoices, payments) = match day {
            None => ("FROM invoices".to_owned(), "FROM payments".to_owned()),
            Some(_) => (
                format!("FROM invoices WHERE {OUTSTANDING}"),
                format!(
                    "FROM payments WHERE invoice_id IN (SELECT id FROM invoices WHERE {OUTSTANDING})"
                ),
            ),
        };
        let day = day.map(|d| d.to_string());
        // The day is bound where the statement has it.
        let bound = |sql: String| {
            let query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
            match &day {
                Some(d) => query.bind(d.clone()),
                None => query,
            }
        };
        let sql = crate::bulk::select::<StoredFacts>(backend, &invoices, "id");
        let stored: Vec<StoredFacts> =
            crate::bulk::fetch("invoice", &mut *conn, bound(sql)).await?;
        let mut index = std::collections::HashMap::with_capacity(stored.len());
        let mut list = Vec::with_capacity(stored.len());
        for row in stored {
            index.insert(row.id, list.len());
            list.push(InvoiceFacts {
                id: row.id,
                organization_id: OrganizationId::new(row.organization_id)
                    .map_err(|e| corrupt("organization_id", &e))?,
                currency: Currency::parse(&row.currency).map_err(|e| corrupt("currency", &e))?,
                facts: Facts {
                    total_minor: row.total_minor,
                    billable: date("billable_on", row.billable_on.as_deref())?,
                    issued: date("issued_on", row.issued_on.as_deref())?,
                    due: date("due_on", row.due_on.as_deref())?,
                    voided: date("voided_on", row.voided_on.as_deref())?,
                    payments: Vec::new(),
                },
                number: row.number,
            });
        }
        let sql =
            crate::bulk::select::<StoredAmount>(backend, &payments, "invoice_id, paid_on, id");
        let amounts: Vec<StoredAmount> =
            crate::bulk::fetch("payment", &mut *conn, bound(sql)).await?;
        for p in amounts {
            if let Some(&i) = index.get(&p.invoice_id) {
                list[i].facts.payments.push(Payment {
                    on: date("paid_on", Some(&p.paid_on))?
                        .ok_or_else(|| corrupt("paid_on", &""))?,
                    amount_minor: p.amount_minor,
                });
            }
        }
        Ok(list)
    }

    /// One invoice with its lines and payments.
    pub async fn get_invoice(&self, id: i64) -> Result<InvoiceRecord> {
        let mut conn = self.pool.acquire().await?;
        read(&mut conn, self.backend(), Some(id))
            .await?
            .pop()
            .ok_or_else(|| not_found(id))
    }

    /// The invoice numbered `number`, if any.
    pub async fn find_invoice_by_number(&self, number: &str) -> Result<Option<InvoiceRecord>> {
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM invoices WHERE number = $1")
            .bind(number)
            .fetch_optional(&self.pool)
            .await?;
        match id {
            Some(id) => Ok(Some(self.get_invoice(id).await?)),
            None => Ok(None),
        }
    }

    /// The next free number of the form `INV-00042`, after the largest such number in use.
    pub async fn next_invoice_number(&self) -> Result<String> {
        Ok(bearing_core::invoice::number(
            self.next_invoice_sequence().await?,
        ))
    }

    /// The sequence of the next number Bearing gives an invoice: one past the highest of its
    /// own numbers so far.
    pub async fn next_invoice_sequence(&self) -> Result<u64> {
        let numbers: Vec<String> =
            sqlx::query_scalar("SELECT number FROM invoices WHERE number LIKE 'INV-%'")
                .fetch_all(&self.pool)
                .await?;
        let last = numbers
            .iter()
            .filter_map(|n| bearing_core::invoice::sequence_of(n))
            .max()
            .unwrap_or(0);
        Ok(last + 1)
    }

    /// What was paid on each deal's invoices (or only `deal`'s), for the deals that have an
    /// issued invoice that is not void (in the invoices' currency, which is the deal's).
    pub async fn collected_by_deal(&self, deal: Option<DealId>) -> Result<Vec<(DealId, i64)>> {
        let all = unfiltered(self.backend());
        let sql = format!(
            "SELECT i.deal_id, CAST(COALESCE(SUM(p.amount_minor), 0) AS BIGINT)
             FROM invoices i LEFT JOIN payments p ON p.invoice_id = i.id
             WHERE i.deal_id IS NOT NULL AND i.issued_on IS NOT NULL AND i.voided_on IS NULL
                 AND ({all} OR i.deal_id = $1)
             GROUP BY i.deal_id ORDER BY i.deal_id"
        );
        let rows: Vec<(i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(deal.map(DealId::get))
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|(deal, paid)| Ok((DealId::new(deal).map_err(|e| corrupt("deal_id", &e))?, paid)))
            .collect()
    }
}
