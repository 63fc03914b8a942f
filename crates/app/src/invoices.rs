//! Invoices and payments (docs/domain.md, "Invoices, payments and collections"): drafts,
//! issuing, payments and voids, each audited; the invoice list, the aging and the measures of
//! collections. Changing them needs `manage-invoices`; reading them is reading cash.

use std::collections::HashMap;

use bearing_core::access::Permission;
use bearing_core::invoice::{self, Bucket, Kind, LineInput, Status};
use bearing_core::{Currency, Date, DealId, EntityKind, Month, OrganizationId};
use bearing_formats::Table;
use bearing_store::{InvoiceRecord, NewInvoice, Store};

use crate::{AppError, Change, Context, Result, audit};

/// The longest an invoice's number may be.
const MAX_NUMBER: usize = 40;

/// The longest payment terms Bearing takes, in days.
const MAX_TERMS_DAYS: i64 = 365;

/// A draft to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDraft {
    /// The invoice's number; the next free `INV-…` when not given.
    pub number: Option<String>,
    pub organization: OrganizationId,
    /// The contract it bills.
    pub deal: Option<DealId>,
    pub kind: Kind,
    /// The deal's currency when it bills one, else US dollars, unless given.
    pub currency: Option<Currency>,
    pub service_from: Option<Date>,
    pub service_to: Option<Date>,
    /// The first day it could have been issued; by default the start of the service period
    /// for what is billed in advance, the day after it for usage and cloud costs (billed in
    /// arrears).
    pub billable_on: Option<Date>,
    /// Days from issue to due: 30 unless given.
    pub terms_days: Option<i64>,
    pub external_id: Option<String>,
    pub source: Option<String>,
    /// The lines as typed, read in the invoice's currency.
    pub lines: Vec<LineInput>,
}

/// An invoice as people read it: its record, whom and what it bills by name, and where it
/// stands.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Invoice {
    #[serde(flatten)]
    pub record: InvoiceRecord,
    /// The organization's key.
    pub organization: String,
    /// The organization's name as people read it (its long name, else its key).
    pub organization_name: String,
    pub deal_name: Option<String>,
    pub status: Status,
    pub paid_minor: i64,
    pub balance_minor: i64,
    /// The first day its balance was nothing.
    pub paid_on: Option<Date>,
    pub turnaround_days: Option<i64>,
    pub days_to_collect: Option<i64>,
}

/// Which invoices a list keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub status: Option<Status>,
    pub organization: Option<OrganizationId>,
    pub deal: Option<DealId>,
    pub kind: Option<Kind>,
    /// Issued on or after.
    pub from: Option<Date>,
    /// Issued on or before.
    pub to: Option<Date>,
}

impl Filter {
    fn keeps(&self, i: &Invoice) -> bool {
        let issued_within = |bound: Option<Date>, after: bool| {
            bound.is_none_or(|b| {
                i.record
                    .issued_on
                    .is_some_and(|d| if after { d >= b } else { d <= b })
            })
        };
        self.status.is_none_or(|s| s == i.status)
            && self
                .organization
                .is_none_or(|o| o == i.record.organization_id)
            && self.deal.is_none_or(|d| Some(d) == i.record.deal_id)
            && self.kind.is_none_or(|k| k == i.record.kind)
            && issued_within(self.from, true)
            && issued_within(self.to, false)
    }
}

/// An organization's key, and the name people read: its long name, else its key.
fn organization_names(o: &bearing_store::OrganizationRecord) -> (String, String) {
    let key = o.fields.name.to_string();
    let name = o.fields.long_name.clone().unwrap_or_else(|| key.clone());
    (key, name)
}

/// Reading invoices is reading cash (which the organisation may show to everyone signed in).
pub(crate) fn require_read(ctx: &Context) -> Result<()> {
    ctx.require(Permission::ReadCash)
}

/// Names of organizations and deals, by id.
struct Names {
    /// Each organization's key and the name people read.
    organizations: HashMap<OrganizationId, (String, String)>,
    deals: HashMap<DealId, String>,
}

impl Names {
    /// The names `records` need: every organization's (few, and named by their long names)
    /// and the deals they bill, read by id.
    async fn load(store: &Store, records: &[InvoiceRecord]) -> Result<Names> {
        let mut deals: Vec<i64> = records
            .iter()
            .filter_map(|r| r.deal_id.map(DealId::get))
            .collect();
        deals.sort_unstable();
        deals.dedup();
        Ok(Names {
            organizations: store
                .list_organizations(true)
                .await?
                .into_iter()
                .map(|o| (o.id, organization_names(&o)))
                .collect(),
            deals: store
                .names_of(bearing_store::Named::Deals, &deals)
                .await?
                .into_iter()
                .filter_map(|(id, name)| Some((DealId::new(id).ok()?, name)))
                .collect(),
        })
    }

    fn organization(&self, id: OrganizationId) -> (String, String) {
        self.organizations
            .get(&id)
            .cloned()
            .unwrap_or_else(|| (id.to_string(), id.to_string()))
    }

    fn view(&self, record: InvoiceRecord) -> Invoice {
        let facts = record.facts();
        let (organization, organization_name) = self.organization(record.organization_id);
        Invoice {
            organization,
            organization_name,
            deal_name: record.deal_id.and_then(|d| self.deals.get(&d).cloned()),
            status: facts.status(),
            paid_minor: facts.paid(),
            // A void invoice is owed by no one.
            balance_minor: if facts.voided.is_some() {
                0
            } else {
                facts.balance()
            },
            paid_on: facts.paid_date(),
            turnaround_days: facts.turnaround_days(),
            days_to_collect: facts.days_to_collect(),
            record,
        }
    }
}

/// The invoices `filter` keeps, newest first (drafts, which have no date of issue, first).
pub async fn list(store: &Store, ctx: &Context, filter: &Filter) -> Result<Vec<Invoice>> {
    require_read(ctx)?;
    let records = store.list_invoices().await?;
    let names = Names::load(store, &records).await?;
    let mut list: Vec<Invoice> = records
        .into_iter()
        .map(|r| names.view(r))
        .filter(|i| filter.keeps(i))
        .collect();
    list.sort_by(|a, b| {
        let key = |i: &Invoice| {
            (
                i.record.issued_on.is_some(),
                std::cmp::Reverse(i.record.issued_on),
            )
        };
        key(a).cmp(&key(b)).then(b.record.id.cmp(&a.record.id))
    });
    Ok(list)
}

/// What is owed on `list` (issued, not void), a sum per currency, the organisation's own
/// first; nothing when nothing is owed.
pub fn owed(list: &[Invoice]) -> Vec<bearing_core::Money> {
    let owing: Vec<&Invoice> = list
        .iter()
        .filter(|i| i.record.issued_on.is_some() && i.balance_minor > 0)
        .collect();
    by_currency(owing, |i| i.record.currency)
        .into_iter()
        .map(|(c, owing)| {
            bearing_core::Money::from_minor(owing.iter().map(|i| i.balance_minor).sum(), c)
        })
        .collect()
}

/// One invoice, by id or number.
pub async fn get(store: &Store, ctx: &Context, key: &str) -> Result<Invoice> {
    require_read(ctx)?;
    view(store, find(store, key).await?).await
}

/// Invoices as people read them, in the order given.
pub(crate) async fn views(store: &Store, records: Vec<InvoiceRecord>) -> Result<Vec<Invoice>> {
    let names = Names::load(store, &records).await?;
    Ok(records.into_iter().map(|r| names.view(r)).collect())
}

/// One invoice as people read it.
async fn view(store: &Store, record: InvoiceRecord) -> Result<Invoice> {
    let names = Names::load(store, std::slice::from_ref(&record)).await?;
    Ok(names.view(record))
}

async fn find(store: &Store, key: &str) -> Result<InvoiceRecord> {
    let key = key.trim();
    if let Some(found) = store.find_invoice_by_number(key).await? {
        return Ok(found);
    }
    match key.parse::<i64>() {
        Ok(id) if id > 0 => store.get_invoice(id).await.map_err(|e| match e {
            bearing_store::StoreError::NotFound { .. } => not_found(key),
            other => other.into(),
        }),
        _ => Err(not_found(key)),
    }
}

/// The organization `key` names: its name, or its id.
pub async fn organization(store: &Store, key: &str) -> Result<OrganizationId> {
    let key = key.trim();
    if let Ok(name) = bearing_core::organization::OrganizationName::parse(key)
        && let Some(found) = store.find_organization_by_name(&name).await?
    {
        return Ok(found.id);
    }
    match key.parse::<OrganizationId>() {
        Ok(id) if store.get_organization(id).await.is_ok() => Ok(id),
        _ => Err(AppError::invalid(
            "organization",
            format!("no organization named or with id {key:?}"),
        )),
    }
}

fn not_found(key: &str) -> AppError {
    AppError::NotFound(format!("no invoice numbered or with id {key:?}"))
}

fn check_number(number: &str) -> Result<String> {
    let number = number.trim();
    // Numbers go into addresses as they are: letters, digits and `-`, `_`, `.`.
    let fine = !number.is_empty()
        && number.chars().count() <= MAX_NUMBER
        && !number.starts_with('.')
        && number
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if fine {
        Ok(number.to_owned())
    } else {
        Err(AppError::invalid(
            "number",
            format!(
                "an invoice number is 1 to {MAX_NUMBER} letters, digits, '-', '_' or '.' (not first), got {number:?}"
            ),
        ))
    }
}

/// Makes a draft: for those who manage invoices.
pub async fn add(store: &Store, ctx: &Context, draft: NewDraft) -> Result<Invoice> {
    ctx.require(Permission::ManageInvoices)?;
    let organization = store
        .get_organization(draft.organization)
        .await
        .map_err(|_| {
            AppError::invalid(
                "organization",
                format!("no organization with id {}", draft.organization),
            )
        })?;
    if organization.deleted_at.is_some() {
        return Err(AppError::invalid(
            "organization",
            format!(
                "organization {} is deleted: restore it before invoicing it",
                organization.fields.name
            ),
        ));
    }
    let deal = match draft.deal {
        Some(id) => {
            let deal = crate::deals::get(store, id)
                .await
                .map_err(|_| AppError::invalid("deal", format!("no deal with id {id}")))?;
            if deal.deleted_at.is_some() {
                return Err(AppError::invalid("deal", format!("deal {id} is deleted")));
            }
            if deal
                .fields
                .organization
                .as_ref()
                .is_some_and(|o| *o != organization.fields.name)
            {
                return Err(AppError::invalid(
                    "deal",
                    format!(
                        "deal {id} is with {}, not {}",
                        deal.fields
                            .organization
                            .as_ref()
                            .map(ToString::to_string)
                            .unwrap_or_default(),
                        organization.fields.name
                    ),
                ));
            }
            Some(deal)
        }
        None => None,
    };
    let currency = match (draft.currency, &deal) {
        (Some(c), Some(d)) if c != d.fields.currency => {
            return Err(AppError::invalid(
                "currency",
                format!(
                    "the deal is in {}: its invoices are too (got {c})",
                    d.fields.currency
                ),
            ));
        }
        (Some(c), _) => c,
        (None, Some(d)) => d.fields.currency,
        (None, None) => Currency::USD,
    };
    let lines = lines_of(&draft.lines, currency)?;
    if let (Some(from), Some(to)) = (draft.service_from, draft.service_to)
        && to < from
    {
        return Err(AppError::invalid(
            "service_to",
            format!("the service period ends ({to}) before it starts ({from})"),
        ));
    }
    let terms_days = draft.terms_days.unwrap_or(invoice::DEFAULT_TERMS_DAYS);
    if !(0..=MAX_TERMS_DAYS).contains(&terms_days) {
        return Err(AppError::invalid(
            "terms_days",
            format!("payment terms are 0 to {MAX_TERMS_DAYS} days, got {terms_days}"),
        ));
    }
    let number = match &draft.number {
        Some(n) => check_number(n)?,
        None => store.next_invoice_number().await?,
    };
    for (field, text) in [
        ("external_id", &draft.external_id),
        ("source", &draft.source),
    ] {
        if let Some(t) = text {
            bearing_core::text::check(t, bearing_core::text::MAX_NAME)
                .map_err(|e| AppError::invalid(field, e))?;
        }
    }
    let new = NewInvoice {
        number,
        organization_id: organization.id,
        deal_id: deal.map(|d| d.id),
        kind: draft.kind,
        currency,
        service_from: draft.service_from,
        service_to: draft.service_to,
        billable_on: draft
            .billable_on
            .or_else(|| billable(draft.kind, draft.service_from, draft.service_to)),
        terms_days,
        external_id: draft.external_id.clone(),
        source: draft.source.clone(),
        lines,
    };
    let at = ctx.now();
    let mut tx = store.begin().await?;
    let id = tx.insert_invoice(&new, at).await?;
    let created = tx.get_invoice(id).await?;
    audit(
        &mut tx,
        ctx,
        at,
        Change::created(EntityKind::Invoice, id, &created),
    )
    .await?;
    tx.commit().await?;
    view(store, created).await
}

/// An invoice's lines as typed, read in its currency: at least one, adding up to more than
/// nothing and to no more than an invoice can hold.
fn lines_of(typed: &[LineInput], currency: Currency) -> Result<Vec<invoice::Line>> {
    if typed.is_empty() {
        return Err(AppError::invalid(
            "lines",
            "an invoice needs at least one line",
        ));
    }
    let lines = typed
        .iter()
        .enumerate()
        .map(|(i, l)| {
            l.line(currency)
                .map_err(|e| AppError::invalid("lines", format!("line {}: {e}", i + 1)))
        })
        .collect::<Result<Vec<_>>>()?;
    match invoice::total(&lines) {
        Some(total) if total <= 0 => Err(AppError::invalid(
            "lines",
            "the lines add up to nothing or less: an invoice bills something, and money given back is a refund on the invoice it was paid on",
        )),
        Some(_) => Ok(lines),
        None => Err(AppError::invalid(
            "lines",
            "the lines add up to more than an invoice can hold",
        )),
    }
}

/// Replaces a draft's lines (and so its total): for those who manage invoices. An invoice
/// once issued keeps its lines: a wrong one is voided and replaced.
pub async fn edit_lines(
    store: &Store,
    ctx: &Context,
    key: &str,
    typed: &[LineInput],
) -> Result<Invoice> {
    ctx.require(Permission::ManageInvoices)?;
    let before = find(store, key).await?;
    match before.status() {
        Status::Draft => {}
        Status::Void => {
            return Err(AppError::Conflict(format!(
                "invoice {} is void: its lines stay as they are",
                before.number
            )));
        }
        _ => {
            return Err(AppError::Conflict(format!(
                "invoice {} is issued: its lines stay as they are; void it and make a new one",
                before.number
            )));
        }
    }
    let lines = lines_of(typed, before.currency)?;
    let id = before.id;
    change(store, ctx, before, async |tx, at| {
        tx.replace_draft_lines(id, &lines, at).await
    })
    .await
}

/// The billable day of what is billed for a service period: its first day when billed in
/// advance (memberships, services, tranches), the day after it when billed in arrears (usage
/// and cloud costs, billed after each month of service).
pub fn billable(kind: Kind, from: Option<Date>, to: Option<Date>) -> Option<Date> {
    match kind {
        Kind::Usage | Kind::Cloud => to?.tomorrow().ok(),
        _ => from,
    }
}

/// Issues a draft on `on` (default today): it is due `terms` days later.
pub async fn issue(store: &Store, ctx: &Context, key: &str, on: Option<Date>) -> Result<Invoice> {
    ctx.require(Permission::ManageInvoices)?;
    let before = find(store, key).await?;
    match before.status() {
        Status::Draft => {}
        Status::Void => {
            return Err(AppError::Conflict(format!(
                "invoice {} is void",
                before.number
            )));
        }
        _ => {
            return Err(AppError::Conflict(format!(
                "invoice {} was issued on {} already",
                before.number,
                before
                    .issued_on
                    .map(bearing_core::day_words)
                    .unwrap_or_default()
            )));
        }
    }
    let on = on.unwrap_or_else(|| ctx.today());
    bearing_core::check_date(on).map_err(|e| AppError::invalid("issued_on", e))?;
    if on > ctx.today() {
        return Err(AppError::invalid(
            "issued_on",
            format!("{on} is after today: an invoice is issued when it is sent"),
        ));
    }
    let due = invoice::due_date(on, before.terms_days)
        .ok_or_else(|| AppError::invalid("issued_on", "no due date can follow it"))?;
    let id = before.id;
    change(store, ctx, before, async |tx, at| {
        tx.issue_invoice(id, on, due, at).await
    })
    .await
}

/// Writes one change to an invoice with `write`, records it in the invoice's history, and
/// answers the invoice as it then stands.
async fn change(
    store: &Store,
    ctx: &Context,
    before: InvoiceRecord,
    write: impl AsyncFnOnce(&mut bearing_store::Tx, jiff::Timestamp) -> bearing_store::Result<()>,
) -> Result<Invoice> {
    let at = ctx.now();
    let mut tx = store.begin().await?;
    write(&mut tx, at).await?;
    let after = tx.get_invoice(before.id).await?;
    audit(
        &mut tx,
        ctx,
        at,
        Change::updated(EntityKind::Invoice, before.id, &before, &after),
    )
    .await?;
    tx.commit().await?;
    view(store, after).await
}

/// A payment to record: a refund is negative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayment {
    /// The day it arrived (default today).
    pub on: Option<Date>,
    /// The amount in major units of the invoice's currency, such as `1250.00`.
    pub amount: String,
    pub reference: Option<String>,
}

/// Records a payment on an issued invoice. A payment may not exceed the balance, nor a
/// refund what was paid; neither may be dated before the invoice was issued or after today.
pub async fn pay(store: &Store, ctx: &Context, key: &str, payment: NewPayment) -> Result<Invoice> {
    ctx.require(Permission::ManageInvoices)?;
    let before = find(store, key).await?;
    let facts = before.facts();
    let money = |minor: i64| bearing_core::Money::from_minor(minor, before.currency).to_string();
    let issued = match (before.status(), before.issued_on) {
        (Status::Void, _) => {
            return Err(AppError::Conflict(format!(
                "invoice {} is void: a payment cannot be recorded on it",
                before.number
            )));
        }
        (_, Some(issued)) => issued,
        (_, None) => {
            return Err(AppError::Conflict(format!(
                "invoice {} is a draft: issue it before recording a payment",
                before.number
            )));
        }
    };
    let amount = bearing_core::Money::parse(&payment.amount, before.currency)
        .map_err(|e| AppError::invalid("amount", e.to_string()))?
        .minor;
    let today = ctx.today();
    let on = payment.on.unwrap_or(today);
    if on < issued {
        return Err(AppError::invalid(
            "paid_on",
            format!("{on} is before the invoice was issued ({issued})"),
        ));
    }
    if on > today {
        return Err(AppError::invalid(
            "paid_on",
            format!("{on} is after today: a payment is recorded when it arrives"),
        ));
    }
    if amount == 0 {
        return Err(AppError::invalid(
            "amount",
            "a payment of nothing records nothing",
        ));
    }
    if amount > facts.balance() {
        return Err(AppError::invalid(
            "amount",
            format!(
                "{} is more than the balance of {}",
                money(amount),
                money(facts.balance())
            ),
        ));
    }
    if -amount > facts.paid() {
        return Err(AppError::invalid(
            "amount",
            format!(
                "a refund of {} is more than the {} paid",
                money(-amount),
                money(facts.paid())
            ),
        ));
    }
    if let Err((day, balance)) = facts.check_payment(invoice::Payment {
        on,
        amount_minor: amount,
    }) {
        return Err(AppError::invalid(
            "amount",
            format!(
                "it would leave a balance of {} on {}, outside nothing to the total of {}: a refund comes after what it refunds",
                money(balance),
                bearing_core::day_words(day),
                money(facts.total_minor)
            ),
        ));
    }
    let reference = payment
        .reference
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if let Some(r) = reference {
        bearing_core::text::check(r, bearing_core::text::MAX_NAME)
            .map_err(|e| AppError::invalid("reference", e))?;
    }
    let id = before.id;
    change(store, ctx, before, async |tx, at| {
        tx.insert_payment(id, on, amount, reference, at)
            .await
            .map(drop)
    })
    .await
}

/// Voids an invoice for `reason` (today): it keeps its row, lines and payments and counts
/// nowhere after. One with payments is refunded first.
pub async fn void(store: &Store, ctx: &Context, key: &str, reason: &str) -> Result<Invoice> {
    ctx.require(Permission::ManageInvoices)?;
    let before = find(store, key).await?;
    if before.voided_on.is_some() {
        return Err(AppError::Conflict(format!(
            "invoice {} is void already",
            before.number
        )));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid("reason", "say why the invoice is voided"));
    }
    bearing_core::text::check(reason, bearing_core::text::MAX_TEXT)
        .map_err(|e| AppError::invalid("reason", e))?;
    let paid = before.facts().paid();
    if paid != 0 {
        return Err(AppError::Conflict(format!(
            "invoice {} has {} paid on it: record the refund before voiding it",
            before.number,
            bearing_core::Money::from_minor(paid, before.currency)
        )));
    }
    let (id, today) = (before.id, ctx.today());
    change(store, ctx, before, async |tx, at| {
        tx.void_invoice(id, today, reason, at).await
    })
    .await
}

/// The columns of every list of invoices, in every format.
pub fn table(list: &[Invoice]) -> Table {
    let mut table = Table::new([
        "id",
        "number",
        "organization",
        "deal",
        "kind",
        "status",
        "currency",
        "total",
        "paid",
        "balance",
        "billable",
        "issued",
        "due",
        "paid_on",
        "turnaround_days",
        "days_to_collect",
    ]);
    for i in list {
        let r = &i.record;
        let money = |minor: i64| Some(bearing_core::Money::from_minor(minor, r.currency).decimal());
        let day = |d: Option<Date>| d.map(|d| d.to_string());
        table.push([
            Some(r.id.to_string()),
            Some(r.number.clone()),
            Some(i.organization.clone()),
            i.deal_name.clone(),
            Some(r.kind.to_string()),
            Some(i.status.to_string()),
            Some(r.currency.to_string()),
            money(r.total_minor),
            money(i.paid_minor),
            money(i.balance_minor),
            day(r.billable_on),
            day(r.issued_on),
            day(r.due_on),
            day(i.paid_on),
            i.turnaround_days.map(|d| d.to_string()),
            i.days_to_collect.map(|d| d.to_string()),
        ]);
    }
    table
}

/// One outstanding invoice of an aging, with whom to chase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgedInvoice {
    pub id: i64,
    pub number: String,
    /// The organization's key and its name as people read it.
    pub organization: String,
    pub organization_name: String,
    pub organization_id: OrganizationId,
    /// The organization's billing contacts (name and email), for the 60+ list.
    pub billing_contact: Option<String>,
    pub currency: Currency,
    pub issued: Option<Date>,
    pub due: Option<Date>,
    pub aged: invoice::Aged,
}

/// Aging of one currency's invoices as of a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencyAging {
    pub currency: Currency,
    pub aging: invoice::Aging,
    /// The aging's rows, most overdue first.
    pub invoices: Vec<AgedInvoice>,
}

/// The aging as of `as_of`, a currency at a time (the organisation's own first).
pub async fn aging(store: &Store, ctx: &Context, as_of: Date) -> Result<Vec<CurrencyAging>> {
    require_read(ctx)?;
    aging_of(store, as_of).await
}

/// [`aging`], for the reports, which check who sees them themselves.
pub(crate) async fn aging_of(store: &Store, as_of: Date) -> Result<Vec<CurrencyAging>> {
    let organizations = store.list_organizations(true).await?;
    let contacts = billing_contacts(store, &organizations).await?;
    let names: HashMap<OrganizationId, (String, String)> = organizations
        .iter()
        .map(|o| (o.id, organization_names(o)))
        .collect();
    // Only the invoices outstanding on the day are read: the others age nothing. Every
    // currency invoiced has its aging, of nothing when nothing in it is outstanding.
    let (outstanding, currencies) = tokio::try_join!(
        store.list_outstanding_facts(as_of),
        store.invoice_currencies()
    )?;
    let mut groups = by_currency(outstanding, |i| i.currency);
    for currency in currencies {
        if !groups.iter().any(|(c, _)| *c == currency) {
            groups.push((currency, Vec::new()));
        }
    }
    groups.sort_by_key(|(c, _)| currency_order(*c));
    Ok(groups
        .into_iter()
        .map(|(currency, records)| {
            let facts: Vec<invoice::Facts> = records.iter().map(|r| r.facts.clone()).collect();
            let aging = invoice::aging(&facts, as_of);
            let invoices = aging
                .rows
                .iter()
                .map(|aged| {
                    let r = &records[aged.index];
                    let (organization, organization_name) =
                        names.get(&r.organization_id).cloned().unwrap_or_else(|| {
                            let id = r.organization_id.to_string();
                            (id.clone(), id)
                        });
                    AgedInvoice {
                        id: r.id,
                        number: r.number.clone(),
                        organization,
                        organization_name,
                        organization_id: r.organization_id,
                        billing_contact: contacts.get(&r.organization_id).cloned(),
                        currency,
                        issued: r.facts.issued,
                        due: r.facts.due,
                        aged: *aged,
                    }
                })
                .collect();
            CurrencyAging {
                currency,
                aging,
                invoices,
            }
        })
        .collect())
}

/// `records` a currency at a time: the organisation's own currency first, then the others by
/// code.
fn by_currency<T>(records: Vec<T>, currency: impl Fn(&T) -> Currency) -> Vec<(Currency, Vec<T>)> {
    let mut groups: Vec<(Currency, Vec<T>)> = Vec::new();
    for record in records {
        let of = currency(&record);
        match groups.iter_mut().find(|(c, _)| *c == of) {
            Some((_, list)) => list.push(record),
            None => groups.push((of, vec![record])),
        }
    }
    groups.sort_by_key(|(c, _)| currency_order(*c));
    groups
}

/// Where a currency comes among others: the organisation's own first, then by code.
fn currency_order(c: Currency) -> (bool, String) {
    (c != Currency::USD, c.to_string())
}

/// Each organization's billing contacts, as `Name <email>` joined by commas.
async fn billing_contacts(
    store: &Store,
    organizations: &[bearing_store::OrganizationRecord],
) -> Result<HashMap<OrganizationId, String>> {
    let ids: HashMap<String, OrganizationId> = organizations
        .iter()
        .map(|o| (o.fields.name.to_string(), o.id))
        .collect();
    let mut out: HashMap<OrganizationId, String> = HashMap::new();
    for contact in crate::contacts::list(store, None, false).await? {
        for (org, label) in &contact.fields.organizations {
            if *label != bearing_core::contact::ContactLabel::BillingContact {
                continue;
            }
            let Some(id) = ids.get(org.as_str()) else {
                continue;
            };
            let who = match &contact.fields.email {
                Some(email) => format!("{} <{email}>", contact.fields.name),
                None => contact.fields.name.clone(),
            };
            out.entry(*id)
                .and_modify(|all| {
                    all.push_str(", ");
                    all.push_str(&who);
                })
                .or_insert(who);
        }
    }
    Ok(out)
}

/// The aging as a table: each outstanding invoice with its balance in its bucket's column,
/// most overdue first, then a total row per currency whose buckets add up to its total.
pub fn aging_table(agings: &[CurrencyAging]) -> Table {
    let mut headers = vec![
        "invoice",
        "organization",
        "billing_contact",
        "currency",
        "issued",
        "due",
        "days_past_due",
    ];
    headers.extend(Bucket::ALL.iter().map(|b| b.as_str()));
    headers.push("balance");
    let mut table = Table::new(headers);
    for a in agings {
        let money = |minor: i64| Some(bearing_core::Money::from_minor(minor, a.currency).decimal());
        for row in &a.invoices {
            let mut cells = vec![
                Some(row.number.clone()),
                Some(row.organization.clone()),
                row.billing_contact.clone(),
                Some(a.currency.to_string()),
                row.issued.map(|d| d.to_string()),
                row.due.map(|d| d.to_string()),
                Some(row.aged.days_past_due.to_string()),
            ];
            cells.extend(Bucket::ALL.iter().map(|b| {
                (*b == row.aged.bucket)
                    .then(|| money(row.aged.balance_minor))
                    .flatten()
            }));
            cells.push(money(row.aged.balance_minor));
            table.push(cells);
        }
        let mut total = vec![
            Some("Total".to_owned()),
            None,
            None,
            Some(a.currency.to_string()),
            None,
            None,
            None,
        ];
        total.extend(Bucket::ALL.iter().map(|b| money(a.aging.bucket(*b))));
        total.push(money(a.aging.total_minor));
        table.push(total);
    }
    table
}

/// Collections month by month, a currency at a time, from the first month an invoice was
/// issued (at most three years back) to the month of `today`.
pub async fn collections(
    store: &Store,
    ctx: &Context,
    today: Date,
) -> Result<Vec<(Currency, Vec<invoice::CollectionsMonth>)>> {
    require_read(ctx)?;
    collections_of(store, today).await
}

/// [`collections`], for the reports, which check who sees them themselves.
pub(crate) async fn collections_of(
    store: &Store,
    today: Date,
) -> Result<Vec<(Currency, Vec<invoice::CollectionsMonth>)>> {
    let last = Month::of(today);
    let earliest = last.plus(-35).unwrap_or(last);
    Ok(
        by_currency(store.list_invoice_facts().await?, |i| i.currency)
            .into_iter()
            .filter_map(|(currency, records)| {
                let facts: Vec<invoice::Facts> = records.into_iter().map(|r| r.facts).collect();
                let first = facts
                    .iter()
                    .filter(|f| f.voided.is_none())
                    .filter_map(|f| f.issued)
                    .min()
                    .map(Month::of)?
                    .max(earliest);
                (first <= last).then(|| (currency, invoice::collections(&facts, first, today)))
            })
            .collect(),
    )
}

/// Collections by month as a table.
pub fn collections_table(months: &[(Currency, Vec<invoice::CollectionsMonth>)]) -> Table {
    let mut table = Table::new([
        "month",
        "currency",
        "issued",
        "invoiced",
        "collected",
        "median_turnaround_days",
        "median_days_to_collect",
        "due",
        "on_time_rate",
        "outstanding",
        "dso_days",
    ]);
    let days = |d: Option<f64>| d.map(|d| format!("{d:.1}"));
    for (currency, list) in months {
        let money = |minor: i64| Some(bearing_core::Money::from_minor(minor, *currency).decimal());
        for m in list {
            table.push([
                Some(m.month.to_string()),
                Some(currency.to_string()),
                Some(m.issued.to_string()),
                money(m.invoiced_minor),
                money(m.collected_minor),
                days(m.turnaround_days),
                days(m.days_to_collect),
                Some(m.due.to_string()),
                m.on_time.map(|r| format!("{r:.3}")),
                money(m.outstanding_minor),
                days(m.dso_days),
            ]);
        }
    }
    table
}
