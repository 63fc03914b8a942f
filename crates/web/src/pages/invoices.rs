//! Invoices and receivables: the invoices list with a new draft, an invoice's page with its
//! lines, payments and history (issue, record a payment, void for those who manage invoices),
//! and the aging as of any day with collections by month. Reading them is reading cash.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use bearing_app::AppError;
use bearing_app::invoices::{self, Filter, Invoice, NewDraft, NewPayment};
use bearing_core::access::Permission::{ManageInvoices, ReadCash};
use bearing_core::invoice::{Bucket, Kind, LineInput, Status};
use bearing_core::{Currency, EntityKind, Money};

use super::crm::{HistoryEntry, history_of};
use super::{Cell, Done, HtmlTable, Layout, Routes, answer, error_page, field, render};
use crate::AppState;
use crate::access::Rule::Signed;
use crate::auth::Caller;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/invoices", Signed(ReadCash), list_page)
        .post("/invoices", Signed(ManageInvoices), add)
        .get("/invoices/{invoice}", Signed(ReadCash), show)
        .post(
            "/invoices/{invoice}/lines",
            Signed(ManageInvoices),
            edit_lines,
        )
        .post("/invoices/{invoice}/issue", Signed(ManageInvoices), issue)
        .post("/invoices/{invoice}/payments", Signed(ManageInvoices), pay)
        .post("/invoices/{invoice}/void", Signed(ManageInvoices), void)
        .get("/aging", Signed(ReadCash), aging_page)
}

fn money(minor: i64, currency: Currency) -> String {
    Money::from_minor(minor, currency).text()
}

fn day(d: Option<bearing_core::Date>) -> String {
    d.map(bearing_core::day_words).unwrap_or_default()
}

fn status_light(status: Status) -> Option<&'static str> {
    match status {
        Status::Paid => Some("green"),
        Status::PartiallyPaid | Status::Issued => Some("yellow"),
        Status::Draft | Status::Void => None,
    }
}

/// A filter's value read, or what is wrong with it added to `errors`.
fn parsed<T: std::str::FromStr<Err = bearing_core::ParseError>>(
    text: &Option<String>,
    errors: &mut Vec<String>,
) -> Option<T> {
    field(text).and_then(|t| {
        t.parse()
            .map_err(|e: bearing_core::ParseError| errors.push(e.to_string()))
            .ok()
    })
}

/// The list's filters, as in its query string.
#[derive(Debug, Default, Clone, serde::Deserialize)]
struct ListQuery {
    status: Option<String>,
    organization: Option<String>,
    kind: Option<String>,
    done: Option<String>,
    seal: Option<String>,
}

/// A new draft as typed.
#[derive(Debug, Default, Clone, serde::Deserialize)]
struct DraftForm {
    organization: String,
    kind: String,
    deal: Option<String>,
    lines: String,
    service_from: Option<String>,
    service_to: Option<String>,
    terms: Option<String>,
    number: Option<String>,
}

#[derive(Template)]
#[template(path = "invoices.html")]
struct ListPage {
    layout: Layout,
    errors: Vec<String>,
    may_manage: bool,
    outstanding: String,
    over_60: String,
    drafts: usize,
    statuses: Vec<&'static str>,
    kinds: Vec<&'static str>,
    /// Each organization's key and the name people read.
    organizations: Vec<(String, String)>,
    filter: ListQuery,
    form: DraftForm,
    table: HtmlTable,
}

async fn list_view(
    state: &AppState,
    caller: &Caller,
    status: StatusCode,
    errors: Vec<String>,
    query: ListQuery,
    form: DraftForm,
) -> Response {
    let ctx = caller.ctx();
    let mut errors = errors;
    let status_filter = parsed::<Status>(&query.status, &mut errors);
    let kind_filter = parsed::<Kind>(&query.kind, &mut errors);
    let organization = match field(&query.organization) {
        Some(key) => match invoices::organization(&state.store, &key).await {
            Ok(id) => Some(id),
            Err(error) => {
                errors.push(error.to_string());
                None
            }
        },
        None => None,
    };
    let filter = Filter {
        status: status_filter,
        organization,
        kind: kind_filter,
        ..Filter::default()
    };
    let (list, agings, organizations) = match tokio::try_join!(
        invoices::list(&state.store, &ctx, &filter),
        async { state.snapshot().await?.aging(&ctx, ctx.today()).await },
        async { state.snapshot().await?.organizations().await },
    ) {
        Ok(all) => all,
        Err(error) => return error_page(caller, error),
    };
    let (outstanding, over_60) = agings
        .iter()
        .find(|a| a.currency == Currency::USD)
        .map_or((0, 0), |a| (a.aging.total_minor, a.aging.over_60()));
    // A filter that cannot be read lists nothing rather than everything.
    let list = if errors.is_empty() { list } else { Vec::new() };
    let drafts = list.iter().filter(|i| i.status == Status::Draft).count();
    let table = table("Invoices, newest first", &list, Within::All);
    render(
        status,
        &ListPage {
            layout: Layout::new("Invoices", caller, "/invoices").with_notice(super::notice_of(
                query.done.as_deref(),
                query.seal.as_deref(),
            )),
            errors,
            may_manage: ctx.may(ManageInvoices),
            outstanding: money(outstanding, Currency::USD),
            over_60: money(over_60, Currency::USD),
            drafts,
            statuses: Status::ALL.iter().map(|s| s.as_str()).collect(),
            kinds: Kind::ALL.iter().map(|k| k.as_str()).collect(),
            organizations: organizations
                .iter()
                .map(|o| {
                    let key = o.fields.name.to_string();
                    let name = o.fields.long_name.clone().unwrap_or_else(|| key.clone());
                    (key, name)
                })
                .collect(),
            filter: query,
            form,
            table,
        },
    )
}

/// Where an invoices table is shown: the page of one organization or deal leaves out the
/// column that would name it on every row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Within {
    All,
    Organization,
    Deal,
}

/// Invoices as a table: each links to its page, its organization and deal to theirs.
pub(crate) fn table(caption: impl Into<String>, list: &[Invoice], within: Within) -> HtmlTable {
    let columns = [
        "Invoice",
        "Organization",
        "Deal",
        "Kind",
        "Status",
        "Issued",
        "Due",
        "Total",
        "Balance",
    ];
    // The column the page already names, if any.
    let left_out = match within {
        Within::All => None,
        Within::Organization => Some(1),
        Within::Deal => Some(2),
    };
    let keep = |k: &usize| Some(*k) != left_out;
    let shown: Vec<&str> = (0..columns.len())
        .filter(keep)
        .map(|k| columns[k])
        .collect();
    let numeric = if left_out.is_some() { [6, 7] } else { [7, 8] };
    let mut table = HtmlTable::new(caption, &shown).numeric_columns(&numeric);
    table.rows = list
        .iter()
        .map(|i| {
            row(i)
                .into_iter()
                .enumerate()
                .filter(|(k, _)| keep(k))
                .map(|(_, cell)| cell)
                .collect()
        })
        .collect();
    table
}

fn row(i: &Invoice) -> Vec<Cell> {
    let r = &i.record;
    vec![
        Cell {
            nowrap: true,
            ..Cell::link(r.number.clone(), format!("/invoices/{}", r.number))
        },
        Cell::link(
            i.organization_name.clone(),
            format!("/organizations/{}", r.organization_id),
        ),
        match (r.deal_id, &i.deal_name) {
            (Some(id), Some(name)) => Cell::link(name.clone(), format!("/deals/{id}")),
            _ => Cell::text(""),
        },
        Cell::text(r.kind.to_string()),
        Cell {
            status: status_light(i.status),
            nowrap: true,
            ..Cell::text(i.status.to_string())
        },
        Cell::when(day(r.issued_on)),
        Cell::when(day(r.due_on)),
        Cell::number(money(r.total_minor, r.currency)),
        Cell::number(money(i.balance_minor, r.currency)),
    ]
}

async fn list_page(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ListQuery>,
) -> Response {
    let form = DraftForm {
        kind: "membership".into(),
        terms: Some(bearing_core::invoice::DEFAULT_TERMS_DAYS.to_string()),
        ..DraftForm::default()
    };
    list_view(&state, &caller, StatusCode::OK, Vec::new(), query, form).await
}

/// Lines typed one a row (`DESCRIPTION; QUANTITY; UNIT` or `DESCRIPTION; AMOUNT`), empty
/// rows skipped.
fn typed_lines(text: &str) -> Result<Vec<LineInput>, AppError> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, l)| {
            LineInput::parse(l)
                .map_err(|e| AppError::invalid("lines", format!("line {}: {e}", i + 1)))
        })
        .collect()
}

/// The draft the form describes, or what is wrong with it.
async fn read_draft(state: &AppState, form: &DraftForm) -> Result<NewDraft, AppError> {
    let lines = typed_lines(&form.lines)?;
    let deal = match field(&form.deal) {
        Some(text) => {
            let reference = text
                .parse::<bearing_app::deals::DealRef>()
                .map_err(|e| AppError::invalid("deal", e.to_string()))?;
            Some(bearing_app::deals::resolve(&state.store, &reference).await?)
        }
        None => None,
    };
    Ok(NewDraft {
        number: field(&form.number),
        organization: invoices::organization(&state.store, &form.organization).await?,
        deal,
        kind: form
            .kind
            .parse()
            .map_err(|e: bearing_core::ParseError| AppError::invalid("kind", e.to_string()))?,
        currency: None,
        service_from: super::day("service from", form.service_from.as_deref().unwrap_or(""))?,
        service_to: super::day("service to", form.service_to.as_deref().unwrap_or(""))?,
        billable_on: None,
        terms_days: field(&form.terms)
            .map(|t| super::typed_number("terms", &t))
            .transpose()?,
        external_id: None,
        source: Some("web".into()),
        lines,
    })
}

async fn add(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<DraftForm>,
) -> Response {
    let saved = async {
        let draft = read_draft(&state, &form).await?;
        let made = invoices::add(&state.store, &caller.ctx(), draft).await?;
        Ok(super::noticed(
            &format!("/invoices/{}", made.record.number),
            &format!("Draft {} saved", made.record.number),
        ))
    }
    .await;
    answer(
        &caller,
        saved,
        "the invoice was not saved",
        |status, errors| {
            list_view(
                &state,
                &caller,
                status,
                errors,
                ListQuery::default(),
                form.clone(),
            )
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "invoice.html")]
struct InvoicePage {
    layout: Layout,
    errors: Vec<String>,
    invoice: InvoiceView,
    lines: HtmlTable,
    /// A draft's lines as its form takes them, one a row.
    lines_text: String,
    payments: HtmlTable,
    history: Vec<HistoryEntry>,
    may_manage: bool,
    today: String,
}

/// An invoice's facts as its page shows them.
struct InvoiceView {
    number: String,
    organization: String,
    organization_href: String,
    deal: Option<(String, String)>,
    kind: String,
    status: String,
    status_light: Option<&'static str>,
    draft: bool,
    open: bool,
    void: bool,
    service: String,
    billable: String,
    issued: String,
    due: String,
    terms: i64,
    total: String,
    paid: String,
    balance: String,
    paid_on: String,
    turnaround: String,
    days_to_collect: String,
    /// Why it was voided, each invoice it names a link to that invoice.
    void_reason: Vec<(String, Option<String>)>,
    voided: String,
}

/// `text` in pieces, each word that is the number of an invoice (it has a letter and a digit,
/// such as "INV-00012") with the address of its page.
async fn linked(state: &AppState, text: &str) -> Vec<(String, Option<String>)> {
    let mut pieces: Vec<(String, Option<String>)> = Vec::new();
    let mut plain = String::new();
    for word in text.split_inclusive(char::is_whitespace) {
        let trimmed = word.trim_end_matches(|c: char| c.is_whitespace() || ",.;:)".contains(c));
        let candidate = trimmed.trim_start_matches('(');
        let looks_like_number = candidate.chars().any(|c| c.is_ascii_digit())
            && candidate.chars().any(|c| c.is_alphabetic());
        let found = if looks_like_number {
            matches!(
                state.store.find_invoice_by_number(candidate).await,
                Ok(Some(_))
            )
        } else {
            false
        };
        if !found {
            plain.push_str(word);
            continue;
        }
        let at = word.find(candidate).unwrap_or(0);
        plain.push_str(&word[..at]);
        if !plain.is_empty() {
            pieces.push((std::mem::take(&mut plain), None));
        }
        pieces.push((
            candidate.to_owned(),
            Some(format!("/invoices/{}", super::encode_query(candidate))),
        ));
        plain.push_str(&word[at + candidate.len()..]);
    }
    if !plain.is_empty() {
        pieces.push((plain, None));
    }
    pieces
}

async fn invoice_view(
    state: &AppState,
    caller: &Caller,
    key: &str,
    status: StatusCode,
    errors: Vec<String>,
    notice: Option<String>,
) -> Response {
    let ctx = caller.ctx();
    let invoice = match invoices::get(&state.store, &ctx, key).await {
        Ok(invoice) => invoice,
        Err(error) => return error_page(caller, error),
    };
    let history = match history_of(
        state,
        &ctx,
        EntityKind::Invoice,
        &invoice.record.id.to_string(),
    )
    .await
    {
        Ok(history) => history,
        Err(error) => return error_page(caller, error),
    };
    let r = &invoice.record;
    let currency = r.currency;
    let mut lines = HtmlTable::new("Lines", &["What", "Quantity", "Unit", "Amount"])
        .numeric_columns(&[1, 2, 3]);
    lines.rows = r
        .lines
        .iter()
        .map(|l| {
            vec![
                Cell::text(l.description.clone()),
                Cell::number(l.quantity.to_string()),
                Cell::number(money(l.unit_minor, currency)),
                Cell::number(money(l.amount_minor, currency)),
            ]
        })
        .collect();
    let mut payments =
        HtmlTable::new("Payments", &["Day", "Amount", "Reference"]).numeric_columns(&[1]);
    payments.rows = r
        .payments
        .iter()
        .map(|p| {
            vec![
                Cell::when(bearing_core::day_words(p.paid_on)),
                Cell::number(money(p.amount_minor, currency)),
                Cell::text(p.reference.clone().unwrap_or_default()),
            ]
        })
        .collect();
    let days = |d: Option<i64>| d.map(|d| format!("{d} days")).unwrap_or_default();
    let view = InvoiceView {
        number: r.number.clone(),
        organization: invoice.organization_name.clone(),
        organization_href: format!("/organizations/{}", r.organization_id),
        deal: r
            .deal_id
            .zip(invoice.deal_name.clone())
            .map(|(id, name)| (name, format!("/deals/{id}"))),
        kind: r.kind.to_string(),
        status: invoice.status.to_string(),
        status_light: status_light(invoice.status),
        draft: invoice.status == Status::Draft,
        open: matches!(
            invoice.status,
            Status::Issued | Status::PartiallyPaid | Status::Paid
        ),
        void: invoice.status == Status::Void,
        service: match (r.service_from, r.service_to) {
            (None, None) => String::new(),
            (from, to) => format!("{} to {}", day(from), day(to)),
        },
        billable: day(r.billable_on),
        issued: day(r.issued_on),
        due: day(r.due_on),
        terms: r.terms_days,
        total: money(r.total_minor, currency),
        paid: money(invoice.paid_minor, currency),
        balance: money(invoice.balance_minor, currency),
        paid_on: day(invoice.paid_on),
        turnaround: days(invoice.turnaround_days),
        days_to_collect: days(invoice.days_to_collect),
        void_reason: match &r.void_reason {
            Some(reason) => linked(state, reason).await,
            None => Vec::new(),
        },
        voided: day(r.voided_on),
    };
    render(
        status,
        &InvoicePage {
            layout: Layout::new(format!("Invoice {}", r.number), caller, "/invoices")
                .with_notice(notice),
            errors,
            invoice: view,
            lines,
            lines_text: r
                .lines
                .iter()
                .map(|l| {
                    format!(
                        "{}; {}; {}",
                        l.description,
                        l.quantity,
                        Money::from_minor(l.unit_minor, r.currency).decimal()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            payments,
            history,
            may_manage: ctx.may(ManageInvoices),
            today: ctx.today().to_string(),
        },
    )
}

async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    Query(q): Query<Done>,
) -> Response {
    invoice_view(
        &state,
        &caller,
        &key,
        StatusCode::OK,
        Vec::new(),
        q.notice(),
    )
    .await
}

/// A day typed in a form, or today when left empty.
#[derive(Debug, Default, Clone, serde::Deserialize)]
struct IssueForm {
    on: Option<String>,
}

async fn issue(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    Form(form): Form<IssueForm>,
) -> Response {
    let saved = async {
        let on = super::day("day of issue", form.on.as_deref().unwrap_or(""))?;
        let issued = invoices::issue(&state.store, &caller.ctx(), &key, on).await?;
        Ok(super::noticed(
            &format!("/invoices/{}", issued.record.number),
            &format!("Issued, due {}", day(issued.record.due_on)),
        ))
    }
    .await;
    answer(
        &caller,
        saved,
        "the invoice was not issued",
        |status, errors| invoice_view(&state, &caller, &key, status, errors, None),
    )
    .await
}

#[derive(Debug, Default, Clone, serde::Deserialize)]
struct LinesForm {
    lines: String,
}

/// Replaces a draft's lines with those typed.
async fn edit_lines(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    Form(form): Form<LinesForm>,
) -> Response {
    let saved = async {
        let lines = typed_lines(&form.lines)?;
        let edited = invoices::edit_lines(&state.store, &caller.ctx(), &key, &lines).await?;
        Ok(super::noticed(
            &format!("/invoices/{}", edited.record.number),
            "Lines saved",
        ))
    }
    .await;
    answer(
        &caller,
        saved,
        "the lines were not saved",
        |status, errors| invoice_view(&state, &caller, &key, status, errors, None),
    )
    .await
}

#[derive(Debug, Default, Clone, serde::Deserialize)]
struct PaymentForm {
    amount: String,
    on: Option<String>,
    reference: Option<String>,
}

async fn pay(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    Form(form): Form<PaymentForm>,
) -> Response {
    let saved = async {
        let payment = NewPayment {
            on: super::day("day paid", form.on.as_deref().unwrap_or(""))?,
            amount: form.amount.trim().replace([',', '$'], ""),
            reference: field(&form.reference),
        };
        let paid = invoices::pay(&state.store, &caller.ctx(), &key, payment).await?;
        Ok(super::noticed(
            &format!("/invoices/{}", paid.record.number),
            "Payment recorded",
        ))
    }
    .await;
    answer(
        &caller,
        saved,
        "the payment was not recorded",
        |status, errors| invoice_view(&state, &caller, &key, status, errors, None),
    )
    .await
}

#[derive(Debug, Default, Clone, serde::Deserialize)]
struct VoidForm {
    reason: String,
}

async fn void(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    Form(form): Form<VoidForm>,
) -> Response {
    let saved = async {
        let voided = invoices::void(&state.store, &caller.ctx(), &key, &form.reason).await?;
        Ok(super::noticed(
            &format!("/invoices/{}", voided.record.number),
            "Voided",
        ))
    }
    .await;
    answer(
        &caller,
        saved,
        "the invoice was not voided",
        |status, errors| invoice_view(&state, &caller, &key, status, errors, None),
    )
    .await
}

#[derive(Debug, Default, serde::Deserialize)]
struct AgingQuery {
    as_of: Option<String>,
}

/// One currency's buckets, as the summary shows them.
struct BucketRow {
    currency: String,
    cells: Vec<String>,
    total: String,
}

#[derive(Template)]
#[template(path = "aging.html")]
struct AgingPage {
    layout: Layout,
    errors: Vec<String>,
    as_of: String,
    as_of_words: String,
    buckets: Vec<&'static str>,
    summary: Vec<BucketRow>,
    over_60: HtmlTable,
    detail: HtmlTable,
    collections: HtmlTable,
}

async fn aging_page(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AgingQuery>,
) -> Response {
    let ctx = caller.ctx();
    let mut errors = Vec::new();
    let as_of = match super::day("as of", q.as_of.as_deref().unwrap_or("")) {
        Ok(day) => day.unwrap_or_else(|| ctx.today()),
        Err(error) => {
            errors.push(error.to_string());
            ctx.today()
        }
    };
    let (agings, collections) = match tokio::try_join!(
        invoices::aging(&state.store, &ctx, as_of),
        invoices::collections(&state.store, &ctx, as_of),
    ) {
        Ok(both) => both,
        Err(error) => return error_page(&caller, error),
    };
    let summary = agings
        .iter()
        .map(|a| BucketRow {
            currency: a.currency.to_string(),
            cells: Bucket::ALL
                .iter()
                .map(|b| money(a.aging.bucket(*b), a.currency))
                .collect(),
            total: money(a.aging.total_minor, a.currency),
        })
        .collect();
    let columns = [
        "Invoice",
        "Organization",
        "Billing contact",
        "Due",
        "Days past due",
        "Bucket",
        "Balance",
    ];
    let mut detail = HtmlTable::new("Outstanding invoices, most overdue first", &columns)
        .numeric_columns(&[4, 6]);
    let mut over_60 =
        HtmlTable::new("Over 60 days past due: whom to chase", &columns).numeric_columns(&[4, 6]);
    for a in &agings {
        for i in &a.invoices {
            let cells = vec![
                Cell {
                    nowrap: true,
                    ..Cell::link(i.number.clone(), format!("/invoices/{}", i.number))
                },
                Cell::link(
                    i.organization_name.clone(),
                    format!("/organizations/{}", i.organization_id),
                ),
                Cell::text(i.billing_contact.clone().unwrap_or_default()),
                Cell::when(day(i.due)),
                // Not yet due: no days past it.
                Cell::number(if i.aged.days_past_due > 0 {
                    i.aged.days_past_due.to_string()
                } else {
                    String::new()
                }),
                Cell::text(i.aged.bucket.label()),
                Cell::number(money(i.aged.balance_minor, a.currency)),
            ];
            if i.aged.bucket.over_60() {
                over_60.rows.push(cells.clone());
            }
            detail.rows.push(cells);
        }
    }
    let mut by_month = HtmlTable::new(
        "Collections by month",
        &[
            "Month",
            "Issued",
            "Invoiced",
            "Collected",
            "Turnaround (median days)",
            "Days to collect (median)",
            "Paid on time",
            "Outstanding at the end",
            "DSO (90 days)",
        ],
    )
    .numeric_columns(&[1, 2, 3, 4, 5, 6, 7, 8]);
    let one = |d: Option<f64>| d.map(|d| format!("{d:.1}")).unwrap_or_default();
    for (currency, months) in &collections {
        for m in months.iter().rev() {
            by_month.rows.push(vec![
                Cell::when(super::month_text(m.month)),
                Cell::number(m.issued.to_string()),
                Cell::number(money(m.invoiced_minor, *currency)),
                Cell::number(money(m.collected_minor, *currency)),
                Cell::number(one(m.turnaround_days)),
                Cell::number(one(m.days_to_collect)),
                Cell::number(
                    m.on_time
                        .map(|r| format!("{:.0}% of {}", r * 100.0, m.due))
                        .unwrap_or_default(),
                ),
                Cell::number(money(m.outstanding_minor, *currency)),
                Cell::number(one(m.dso_days)),
            ]);
        }
    }
    render(
        StatusCode::OK,
        &AgingPage {
            layout: Layout::new("Receivables", &caller, "/aging"),
            errors,
            as_of: as_of.to_string(),
            as_of_words: bearing_core::day_words(as_of),
            buckets: Bucket::ALL.iter().map(|b| b.label()).collect(),
            summary,
            over_60,
            detail,
            collections: by_month,
        },
    )
}
