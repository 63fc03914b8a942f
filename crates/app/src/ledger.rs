//! The sponsor's invoice ledger (docs/domain.md, "Invoices, payments and collections"): its
//! export imported all or nothing, the names its books use for organizations, and the
//! reconciliation of the ledger with Bearing's invoices.
//!
//! An import keeps each row of the file as the ledger's word on that invoice number, makes
//! the invoices Bearing lacks for organizations it can place, and records what the ledger says
//! was paid since its last import. Totals and statuses that differ are left for people to
//! settle: the reconciliation lists them with what to do.

use std::collections::HashMap;

use bearing_core::access::Permission;
use bearing_core::invoice::{self, Kind, Line, Quantity, Status};
use bearing_core::ledger::{self, Discrepancy, LedgerInvoice, Ours, folded};
use bearing_core::{Currency, Date, DealId, EntityKind, Money, OrganizationId, Source};
use bearing_formats::Table;
use bearing_formats::crm::RowError;
use bearing_formats::invoice_ledger::Columns;
use bearing_store::{AliasRecord, InvoiceFacts, LedgerRecord, NewInvoice, Store};

use crate::{AppError, Change, Context, Result, audit};

/// Where the ledger's names lead: each organization's name, long name and aliases, compared
/// folded ([`folded`]). An alias wins over a name; a name two organizations share leads
/// nowhere until one of them is given it as an alias.
#[derive(Debug)]
pub struct Placement {
    names: HashMap<String, Option<OrganizationId>>,
    aliases: HashMap<String, OrganizationId>,
}

impl Placement {
    pub async fn load(store: &Store) -> Result<Placement> {
        let mut names: HashMap<String, Option<OrganizationId>> = HashMap::new();
        for o in store.list_organizations(false).await? {
            let mut own = vec![folded(o.fields.name.as_str())];
            if let Some(long) = &o.fields.long_name {
                own.push(folded(long));
            }
            own.dedup();
            for name in own {
                names
                    .entry(name)
                    .and_modify(|found| {
                        if *found != Some(o.id) {
                            *found = None;
                        }
                    })
                    .or_insert(Some(o.id));
            }
        }
        let aliases = store
            .list_aliases()
            .await?
            .into_iter()
            .map(|a| (folded(&a.alias), a.organization_id))
            .collect();
        Ok(Placement { names, aliases })
    }

    /// The organization the ledger's `contact` names.
    pub fn place(&self, contact: &str) -> Option<OrganizationId> {
        let name = folded(contact);
        self.aliases
            .get(&name)
            .copied()
            .or_else(|| self.names.get(&name).copied().flatten())
    }
}

/// What an import did, or (dry run) would do.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct LedgerImport {
    pub dry_run: bool,
    /// Rows in the file.
    pub rows: usize,
    /// Rows with a number no earlier import had.
    pub new: usize,
    /// Rows saying something else than the last import of their number.
    pub changed: usize,
    pub unchanged: usize,
    /// Invoices made in Bearing from the ledger's rows, by number.
    pub created: Vec<String>,
    /// Payments recorded from what the ledger says was paid.
    pub payments: Vec<RecordedPayment>,
    /// Rows whose contact names no organization Bearing knows: (number, contact).
    pub unplaced: Vec<(String, String)>,
    /// Payments the ledger reports that could not be recorded here: (number, why).
    pub left: Vec<(String, String)>,
}

/// A payment an import recorded.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RecordedPayment {
    pub number: String,
    pub on: Date,
    pub amount: Money,
}

impl LedgerImport {
    /// A few lines saying what happened.
    pub fn summary(&self) -> String {
        let verb = |done: &str, would: &str| if self.dry_run { would } else { done }.to_owned();
        let mut out = vec![format!(
            "{} {} ledger invoices: {} new, {} changed, {} unchanged",
            verb("read", "would read"),
            self.rows,
            self.new,
            self.changed,
            self.unchanged
        )];
        if !self.created.is_empty() {
            out.push(format!(
                "{} {} invoices Bearing did not have: {}",
                verb("made", "would make"),
                self.created.len(),
                listed(&self.created)
            ));
        }
        if !self.payments.is_empty() {
            out.push(format!(
                "{} {} payments the ledger reports: {}",
                verb("recorded", "would record"),
                self.payments.len(),
                listed(self.payments.iter().map(|p| format!(
                    "{} {} on {}",
                    p.number,
                    p.amount.text(),
                    p.on
                )))
            ));
        }
        if !self.unplaced.is_empty() {
            let mut contacts: Vec<&str> = self.unplaced.iter().map(|(_, c)| c.as_str()).collect();
            contacts.sort_unstable();
            contacts.dedup();
            out.push(format!(
                "{} invoices name a contact no organization answers to (record it as an alias, then import again): {}",
                self.unplaced.len(),
                listed(contacts)
            ));
        }
        for (number, why) in &self.left {
            out.push(format!("{number}: {why}"));
        }
        out.join("\n")
    }
}

/// The first ten of a list, and how many more.
fn listed<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    let items: Vec<S> = items.into_iter().collect();
    let shown: Vec<&str> = items.iter().take(10).map(AsRef::as_ref).collect();
    match items.len() {
        n if n > 10 => format!("{} and {} more", shown.join(", "), n - 10),
        _ => shown.join(", "),
    }
}

/// Checks of a row's days: an invoice sent out has its day of issue; nothing is issued or
/// paid after today, paid before it was issued, or due before it was issued.
fn check_days(file: &str, columns: &Columns, row: &LedgerInvoice, today: Date) -> Vec<RowError> {
    let error = |column: &str, day: Date, message: String| RowError {
        file: file.to_owned(),
        line: row.line,
        column: column.to_owned(),
        value: day.to_string(),
        message,
    };
    let mut errors = Vec::new();
    if row.issued_on.is_none() && row.status != Status::Draft {
        // The reader names an empty cell; a file without the column is named here.
        errors.push(RowError {
            file: file.to_owned(),
            line: row.line,
            column: columns.date.clone(),
            value: String::new(),
            message: format!(
                "an invoice sent out needs the day it was issued: the file has no {:?} column (map another with date=…)",
                columns.date
            ),
        });
    }
    if let Some(issued) = row.issued_on
        && issued > today
    {
        errors.push(error(
            &columns.date,
            issued,
            format!("issued after today ({today})"),
        ));
    }
    if let Some(paid) = row.paid_on {
        if paid > today {
            errors.push(error(
                &columns.payment_date,
                paid,
                format!("paid after today ({today})"),
            ));
        }
        if let Some(issued) = row.issued_on
            && paid < issued
        {
            errors.push(error(
                &columns.payment_date,
                paid,
                format!("paid before it was issued ({issued})"),
            ));
        }
    }
    if let (Some(issued), Some(due)) = (row.issued_on, row.due_on)
        && due < issued
    {
        errors.push(error(
            &columns.due_date,
            due,
            format!("due before it was issued ({issued})"),
        ));
    }
    errors
}

/// Whether `row` says what `earlier` said: the same values, wherever its line in the file.
fn same(earlier: &LedgerInvoice, row: &LedgerInvoice) -> bool {
    LedgerInvoice {
        line: row.line,
        ..earlier.clone()
    } == *row
}

/// Imports the sponsor's invoice export: all or nothing, for those who manage invoices. The
/// same file twice changes nothing.
pub async fn import(
    store: &Store,
    ctx: &Context,
    file: &str,
    input: impl std::io::Read,
    columns: &Columns,
    dry_run: bool,
) -> Result<LedgerImport> {
    ctx.require(Permission::ManageInvoices)?;
    let (rows, mut errors) = bearing_formats::invoice_ledger::read_invoices(file, input, columns);
    let today = ctx.today();
    for row in &rows {
        errors.extend(check_days(file, columns, row, today));
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(AppError::Import(errors));
    }
    if rows.is_empty() {
        return Err(AppError::invalid(
            "file",
            format!("{file} holds no invoices"),
        ));
    }
    let placement = Placement::load(store).await?;
    let before: HashMap<String, LedgerInvoice> = store
        .list_ledger_invoices()
        .await?
        .into_iter()
        .map(|r| (r.invoice.number.clone(), r.invoice))
        .collect();
    let ours: HashMap<String, InvoiceFacts> = store
        .list_invoice_facts()
        .await?
        .into_iter()
        .map(|f| (f.number.clone(), f))
        .collect();
    let deals = deals_referenced(store, &rows).await?;
    let ctx = Context {
        source: Source::Import,
        ..ctx.clone()
    };
    let at = ctx.now();
    let mut done = LedgerImport {
        dry_run,
        rows: rows.len(),
        ..LedgerImport::default()
    };
    let mut writes = Vec::new();
    for row in &rows {
        match before.get(&row.number) {
            Some(e) if same(e, row) => {
                done.unchanged += 1;
                continue;
            }
            Some(_) => done.changed += 1,
            None => done.new += 1,
        }
        writes.push(row.clone());
    }
    let mut tx = store.begin().await?;
    tx.write_ledger_invoices(&writes, file, at).await?;
    for row in &rows {
        let earlier_paid = before.get(&row.number).map_or(0, |e| e.paid_minor);
        match ours.get(&row.number) {
            Some(facts) => {
                // What the ledger says was paid since its last import, as far as Bearing has
                // not recorded it already.
                let grew = row.paid_minor - earlier_paid;
                let missing = row.paid_minor - facts.facts.paid();
                let amount = grew.min(missing);
                if amount <= 0 {
                    continue;
                }
                match payable(facts, row, amount, today) {
                    Ok(on) => {
                        let was = tx.get_invoice(facts.id).await?;
                        tx.insert_payment(facts.id, on, amount, Some("sponsor's ledger"), at)
                            .await?;
                        let after = tx.get_invoice(facts.id).await?;
                        audit(
                            &mut tx,
                            &ctx,
                            at,
                            Change::updated(EntityKind::Invoice, facts.id, &was, &after),
                        )
                        .await?;
                        done.payments.push(RecordedPayment {
                            number: row.number.clone(),
                            on,
                            amount: Money::from_minor(amount, facts.currency),
                        });
                    }
                    Err(why) => done.left.push((row.number.clone(), why)),
                }
            }
            None if matches!(row.status, Status::Draft | Status::Void) => {}
            None => match placement.place(&row.contact) {
                None => done
                    .unplaced
                    .push((row.number.clone(), row.contact.clone())),
                Some(organization) => {
                    let deal = deal_of(&deals, row, organization);
                    let id = create(&mut tx, row, organization, deal, today, at).await?;
                    let created = tx.get_invoice(id).await?;
                    audit(
                        &mut tx,
                        &ctx,
                        at,
                        Change::created(EntityKind::Invoice, id, &created),
                    )
                    .await?;
                    done.created.push(row.number.clone());
                    if row.paid_minor > 0 {
                        done.payments.push(RecordedPayment {
                            number: row.number.clone(),
                            on: row.paid_on.unwrap_or(today),
                            amount: Money::from_minor(row.paid_minor, row.currency),
                        });
                    }
                }
            },
        }
    }
    if dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(done)
}

/// The day a payment the ledger reports is recorded on (its payment date, else today), or
/// why it cannot be recorded on Bearing's invoice.
fn payable(
    facts: &InvoiceFacts,
    row: &LedgerInvoice,
    amount: i64,
    today: Date,
) -> std::result::Result<Date, String> {
    let money = |minor: i64| Money::from_minor(minor, facts.currency).text();
    let status = facts.facts.status();
    let Some(issued) = facts.facts.issued.filter(|_| status != Status::Void) else {
        return Err(format!(
            "the ledger has {} paid, and the invoice is {status} here: settle it by the reconciliation",
            Money::from_minor(row.paid_minor, row.currency).text()
        ));
    };
    if facts.currency != row.currency {
        return Err(format!(
            "the ledger has it in {}, Bearing in {}: settle it by the reconciliation",
            row.currency, facts.currency
        ));
    }
    let on = row.paid_on.unwrap_or(today);
    if on < issued {
        return Err(format!(
            "the ledger's payment of {} on {on} is before the invoice was issued here ({issued})",
            money(amount)
        ));
    }
    facts
        .facts
        .check_payment(invoice::Payment {
            on,
            amount_minor: amount,
        })
        .map(|()| on)
        .map_err(|(day, balance)| {
            format!(
                "a payment of {} on {on} would leave a balance of {} on {day}: settle it by the reconciliation",
                money(amount),
                money(balance)
            )
        })
}

/// The deals the rows' references name by id: each with its organization and currency.
async fn deals_referenced(
    store: &Store,
    rows: &[LedgerInvoice],
) -> Result<HashMap<DealId, (OrganizationId, Currency)>> {
    if !rows.iter().any(|r| {
        r.reference
            .as_deref()
            .is_some_and(|t| t.parse::<DealId>().is_ok())
    }) {
        return Ok(HashMap::new());
    }
    Ok(store
        .list_deals(false)
        .await?
        .into_iter()
        .filter_map(|d| Some((d.id, (d.row.organization_id?, d.row.currency))))
        .collect())
}

/// The deal a row's reference names by its id, when it is one of `organization`'s in the
/// row's currency.
fn deal_of(
    deals: &HashMap<DealId, (OrganizationId, Currency)>,
    row: &LedgerInvoice,
    organization: OrganizationId,
) -> Option<DealId> {
    let id: DealId = row.reference.as_deref()?.trim().parse().ok()?;
    let (owner, currency) = deals.get(&id)?;
    (*currency == row.currency && *owner == organization).then_some(id)
}

/// Makes Bearing's record of a ledger invoice: one line of its total, issued on the ledger's
/// day and due on its due day, with what was paid on it.
async fn create(
    tx: &mut bearing_store::Tx,
    row: &LedgerInvoice,
    organization: OrganizationId,
    deal: Option<DealId>,
    today: Date,
    at: jiff::Timestamp,
) -> Result<i64> {
    let issued = row.issued_on.unwrap_or(today);
    let terms_days = row
        .due_on
        .map(|due| invoice::days_between(issued, due))
        .filter(|d| (0..=365).contains(d))
        .unwrap_or(invoice::DEFAULT_TERMS_DAYS);
    let due = match row.due_on {
        Some(due) => due,
        None => invoice::due_date(issued, terms_days).ok_or_else(|| {
            AppError::invalid("due_on", "no due date can follow the ledger's day")
        })?,
    };
    let new = NewInvoice {
        number: row.number.clone(),
        organization_id: organization,
        deal_id: deal,
        kind: if deal.is_some() {
            Kind::Membership
        } else {
            Kind::Other
        },
        currency: row.currency,
        service_from: None,
        service_to: None,
        billable_on: Some(issued),
        terms_days,
        external_id: Some(row.number.clone()),
        source: Some("ledger".into()),
        lines: vec![Line {
            description: format!("As in the sponsor's ledger ({})", row.contact),
            quantity: Quantity::ONE,
            unit_minor: row.total_minor,
            amount_minor: row.total_minor,
        }],
    };
    let id = tx.insert_invoice(&new, at).await?;
    if row.status != Status::Draft {
        tx.issue_invoice(id, issued, due, at).await?;
    }
    if row.paid_minor > 0 {
        tx.insert_payment(
            id,
            row.paid_on.unwrap_or(today),
            row.paid_minor,
            Some("sponsor's ledger"),
            at,
        )
        .await?;
    }
    Ok(id)
}

/// The reconciliation of Bearing's invoices with the ledger as last imported.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Reconciliation {
    /// Ledger invoices imported.
    pub ledger_invoices: usize,
    /// The first day the ledger's invoices were issued: Bearing's invoices issued before it
    /// are compared only when the ledger has them.
    pub since: Option<Date>,
    /// The latest import.
    pub imported_at: Option<jiff::Timestamp>,
    pub discrepancies: Vec<Discrepancy>,
}

impl Reconciliation {
    /// How many discrepancies of each finding, in the findings' order.
    pub fn counts(&self) -> Vec<(bearing_core::ledger::Finding, usize)> {
        let mut counts: std::collections::BTreeMap<_, usize> = std::collections::BTreeMap::new();
        for d in &self.discrepancies {
            *counts.entry(d.finding).or_default() += 1;
        }
        counts.into_iter().collect()
    }
}

/// The reconciliation, for those who read cash.
pub async fn reconciliation(store: &Store, ctx: &Context) -> Result<Reconciliation> {
    crate::invoices::require_read(ctx)?;
    reconciliation_of(store).await
}

/// [`reconciliation`] for a report, whose reader was checked.
pub(crate) async fn reconciliation_of(store: &Store) -> Result<Reconciliation> {
    let ledger: Vec<LedgerRecord> = store.list_ledger_invoices().await?;
    let since = ledger.iter().filter_map(|r| r.invoice.issued_on).min();
    let imported_at = ledger.iter().map(|r| r.imported_at).max();
    if ledger.is_empty() {
        return Ok(Reconciliation {
            ledger_invoices: 0,
            since,
            imported_at,
            discrepancies: Vec::new(),
        });
    }
    let numbers: std::collections::HashSet<&str> =
        ledger.iter().map(|r| r.invoice.number.as_str()).collect();
    let names: HashMap<OrganizationId, String> = store
        .list_organizations(true)
        .await?
        .into_iter()
        .map(|o| {
            let name = o
                .fields
                .long_name
                .clone()
                .unwrap_or_else(|| o.fields.name.to_string());
            (o.id, name)
        })
        .collect();
    let ours: Vec<Ours> = store
        .list_invoice_facts()
        .await?
        .into_iter()
        .filter(|f| {
            numbers.contains(f.number.as_str())
                || f.facts.issued.zip(since).is_some_and(|(d, s)| d >= s)
        })
        .map(|f| Ours {
            organization: names
                .get(&f.organization_id)
                .cloned()
                .unwrap_or_else(|| f.organization_id.to_string()),
            currency: f.currency,
            total_minor: f.facts.total_minor,
            paid_minor: f.facts.paid(),
            status: f.facts.status(),
            number: f.number,
        })
        .collect();
    let placement = Placement::load(store).await?;
    let theirs: Vec<LedgerInvoice> = ledger.into_iter().map(|r| r.invoice).collect();
    Ok(Reconciliation {
        ledger_invoices: theirs.len(),
        since,
        imported_at,
        discrepancies: ledger::reconcile(&ours, &theirs, |c| placement.place(c).is_some()),
    })
}

/// The reconciliation's columns, in every format.
pub fn reconciliation_table(r: &Reconciliation) -> Table {
    let mut table = Table::new([
        "number",
        "organization",
        "finding",
        "bearing",
        "ledger",
        "action",
    ]);
    for d in &r.discrepancies {
        table.push([
            Some(d.number.clone()),
            Some(d.organization.clone()),
            Some(d.finding.to_string()),
            d.ours.clone(),
            d.theirs.clone(),
            Some(d.action.clone()),
        ]);
    }
    table
}

/// An organization's aliases, for those who read the CRM.
pub async fn aliases(
    store: &Store,
    ctx: &Context,
    organization: OrganizationId,
) -> Result<Vec<AliasRecord>> {
    ctx.require(Permission::Read)?;
    Ok(store
        .list_aliases()
        .await?
        .into_iter()
        .filter(|a| a.organization_id == organization)
        .collect())
}

/// Records `alias` as the name the sponsor's books use for `organization`; its aliases after.
pub async fn add_alias(
    store: &Store,
    ctx: &Context,
    organization: OrganizationId,
    alias: &str,
) -> Result<Vec<AliasRecord>> {
    ctx.require(Permission::EditCrm)?;
    let alias = alias.split_whitespace().collect::<Vec<_>>().join(" ");
    if alias.is_empty() {
        return Err(AppError::invalid(
            "alias",
            "an alias is a name: it cannot be empty",
        ));
    }
    bearing_core::text::check(&alias, bearing_core::text::MAX_NAME)
        .map_err(|e| AppError::invalid("alias", e))?;
    let record = live_organization(store, organization).await?;
    let placement = Placement::load(store).await?;
    if let Some(other) = placement.place(&alias) {
        let whose = if other == organization {
            "this organization's".to_owned()
        } else {
            let o = store.get_organization(other).await?;
            format!("organization {}'s", o.fields.name)
        };
        return Err(AppError::Conflict(format!(
            "{alias:?} is {whose} name or alias already"
        )));
    }
    let before = aliases(store, ctx, organization).await?;
    let at = ctx.now();
    let mut tx = store.begin().await?;
    tx.add_alias(record.id, &alias, at).await?;
    let mut after: Vec<String> = before.iter().map(|a| a.alias.clone()).collect();
    after.push(alias);
    audit_aliases(&mut tx, ctx, at, organization, &before, &after).await?;
    tx.commit().await?;
    aliases(store, ctx, organization).await
}

/// Removes an alias of `organization` (named as written, any case); its aliases after.
pub async fn remove_alias(
    store: &Store,
    ctx: &Context,
    organization: OrganizationId,
    alias: &str,
) -> Result<Vec<AliasRecord>> {
    ctx.require(Permission::EditCrm)?;
    live_organization(store, organization).await?;
    let before = aliases(store, ctx, organization).await?;
    let Some(found) = before.iter().find(|a| folded(&a.alias) == folded(alias)) else {
        return Err(AppError::NotFound(format!(
            "organization {organization} has no alias {alias:?}"
        )));
    };
    let after: Vec<String> = before
        .iter()
        .filter(|a| a.id != found.id)
        .map(|a| a.alias.clone())
        .collect();
    let at = ctx.now();
    let mut tx = store.begin().await?;
    tx.remove_alias(found.id, at).await?;
    audit_aliases(&mut tx, ctx, at, organization, &before, &after).await?;
    tx.commit().await?;
    aliases(store, ctx, organization).await
}

async fn live_organization(
    store: &Store,
    id: OrganizationId,
) -> Result<bearing_store::OrganizationRecord> {
    let record = store
        .get_organization(id)
        .await
        .map_err(|_| AppError::NotFound(format!("no organization with id {id}")))?;
    if record.deleted_at.is_some() {
        return Err(AppError::invalid(
            "organization",
            format!("organization {} is deleted", record.fields.name),
        ));
    }
    Ok(record)
}

/// An alias change in the organization's history: its aliases before and after.
async fn audit_aliases(
    tx: &mut bearing_store::Tx,
    ctx: &Context,
    at: jiff::Timestamp,
    organization: OrganizationId,
    before: &[AliasRecord],
    after: &[String],
) -> Result<()> {
    let was = serde_json::json!({ "aliases": before.iter().map(|a| &a.alias).collect::<Vec<_>>() });
    let now = serde_json::json!({ "aliases": after });
    audit(
        tx,
        ctx,
        at,
        Change::updated(EntityKind::Organization, organization, &was, &now),
    )
    .await
}
