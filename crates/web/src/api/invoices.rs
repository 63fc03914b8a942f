//! `/invoices`: invoices, their payments and voids. Reading them is reading cash; changing
//! them needs `manage-invoices`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use bearing_app::AppError;
use bearing_app::invoices::{self, Filter, Invoice, NewDraft, NewPayment};
use bearing_core::invoice::LineInput;
use bearing_core::{Currency, Date};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ListFormat, Page, PageQuery, list_response};
use crate::auth::Caller;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, add))
        .routes(routes!(show))
        .routes(routes!(edit_lines))
        .routes(routes!(issue))
        .routes(routes!(pay))
        .routes(routes!(void))
}

fn date(field: &str, text: Option<&str>) -> Result<Option<Date>, ApiError> {
    text.map(|t| {
        bearing_core::parse_date(t).map_err(|e| AppError::invalid(field, e.to_string()).into())
    })
    .transpose()
}

fn parsed<T: std::str::FromStr<Err = bearing_core::ParseError>>(
    field: &str,
    text: Option<&str>,
) -> Result<Option<T>, ApiError> {
    text.map(|t| {
        t.parse::<T>()
            .map_err(|e| AppError::invalid(field, e.to_string()).into())
    })
    .transpose()
}

/// Which invoices to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    #[serde(default)]
    #[param(inline)]
    format: ListFormat,
    /// draft, issued, partially-paid, paid or void
    status: Option<String>,
    /// The organization's name or id
    organization: Option<String>,
    /// The deal's id
    deal: Option<String>,
    /// membership, usage, cloud, service, grant-tranche or other
    kind: Option<String>,
    /// Issued on or after, `YYYY-MM-DD`
    from: Option<String>,
    /// Issued on or before, `YYYY-MM-DD`
    to: Option<String>,
}

/// A line of an invoice.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LineView {
    pub description: String,
    /// Up to three decimals, such as `1.5`.
    pub quantity: String,
    /// Major units, such as `12500.00`.
    pub unit: String,
    pub amount: String,
}

impl LineView {
    pub fn of(line: &bearing_core::invoice::Line, currency: Currency) -> LineView {
        let money = |minor: i64| bearing_core::Money::from_minor(minor, currency).decimal();
        LineView {
            description: line.description.clone(),
            quantity: line.quantity.to_string(),
            unit: money(line.unit_minor),
            amount: money(line.amount_minor),
        }
    }
}

/// A payment on an invoice; a refund is negative.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaymentView {
    pub id: i64,
    pub paid_on: String,
    pub amount: String,
    pub reference: Option<String>,
    pub created_at: String,
}

/// An invoice, its lines and payments, and where it stands. Money is in major units of its
/// currency; dates are `YYYY-MM-DD`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvoiceView {
    pub id: i64,
    pub number: String,
    pub organization_id: i64,
    /// The organization's name.
    pub organization: String,
    pub deal_id: Option<i64>,
    pub deal_name: Option<String>,
    pub kind: String,
    /// draft, issued, partially-paid, paid or void
    pub status: String,
    pub currency: String,
    pub total: String,
    pub paid: String,
    pub balance: String,
    pub service_from: Option<String>,
    pub service_to: Option<String>,
    pub billable_on: Option<String>,
    pub terms_days: i64,
    pub issued_on: Option<String>,
    pub due_on: Option<String>,
    /// The first day its balance was nothing.
    pub paid_on: Option<String>,
    /// Issued − billable, in days.
    pub turnaround_days: Option<i64>,
    /// Paid − issued, in days.
    pub days_to_collect: Option<i64>,
    pub external_id: Option<String>,
    pub source: Option<String>,
    pub voided_on: Option<String>,
    pub void_reason: Option<String>,
    pub lines: Vec<LineView>,
    pub payments: Vec<PaymentView>,
}

impl From<Invoice> for InvoiceView {
    fn from(i: Invoice) -> Self {
        let r = i.record;
        let money = |minor: i64| bearing_core::Money::from_minor(minor, r.currency).decimal();
        let day = |d: Option<Date>| d.map(|d| d.to_string());
        InvoiceView {
            id: r.id,
            organization_id: r.organization_id.get(),
            organization: i.organization,
            deal_id: r.deal_id.map(bearing_core::DealId::get),
            deal_name: i.deal_name,
            kind: r.kind.to_string(),
            status: i.status.to_string(),
            currency: r.currency.to_string(),
            total: money(r.total_minor),
            paid: money(i.paid_minor),
            balance: money(i.balance_minor),
            service_from: day(r.service_from),
            service_to: day(r.service_to),
            billable_on: day(r.billable_on),
            terms_days: r.terms_days,
            issued_on: day(r.issued_on),
            due_on: day(r.due_on),
            paid_on: day(i.paid_on),
            turnaround_days: i.turnaround_days,
            days_to_collect: i.days_to_collect,
            voided_on: day(r.voided_on),
            lines: r
                .lines
                .iter()
                .map(|l| LineView::of(l, r.currency))
                .collect(),
            payments: r
                .payments
                .iter()
                .map(|p| PaymentView {
                    id: p.id,
                    paid_on: p.paid_on.to_string(),
                    amount: money(p.amount_minor),
                    reference: p.reference.clone(),
                    created_at: bearing_store::timestamp_text(p.created_at),
                })
                .collect(),
            number: r.number,
            external_id: r.external_id,
            source: r.source,
            void_reason: r.void_reason,
        }
    }
}

/// Invoices, newest first; `format=csv` downloads them all.
#[utoipa::path(get, path = "/invoices", security(("token" = ["read-cash"])), tag = "invoices", params(ListQuery, PageQuery),
    responses((status = 200, body = Page<InvoiceView>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
    Query(page): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let organization = match q.organization.as_deref() {
        Some(key) => Some(invoices::organization(&state.store, key).await?),
        None => None,
    };
    let filter = Filter {
        status: parsed("status", q.status.as_deref())?,
        organization,
        deal: parsed("deal", q.deal.as_deref())?,
        kind: parsed("kind", q.kind.as_deref())?,
        from: date("from", q.from.as_deref())?,
        to: date("to", q.to.as_deref())?,
    };
    let list = invoices::list(&state.store, &caller.ctx(), &filter).await?;
    list_response(
        q.format,
        &page,
        list,
        |i| i.record.id,
        InvoiceView::from,
        invoices::table,
    )
}

/// A line as typed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineInputView {
    pub description: String,
    /// Up to three decimals; 1 when not given.
    pub quantity: Option<String>,
    /// The unit amount in major units, such as `12500` or `0.35`.
    pub unit: String,
}

/// Lines as the API takes them, as the services read them.
fn typed(lines: Vec<LineInputView>) -> Vec<LineInput> {
    lines
        .into_iter()
        .map(|l| LineInput {
            description: l.description,
            quantity: l.quantity,
            unit: l.unit,
        })
        .collect()
}

/// A draft's new lines.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinesInput {
    pub lines: Vec<LineInputView>,
}

/// Replace a draft's lines, and so its total; an issued invoice keeps its lines (a 409: void
/// it and make a new one).
#[utoipa::path(put, path = "/invoices/{invoice}/lines", security(("token" = ["manage-invoices"])), tag = "invoices",
    params(("invoice" = String, Path)), request_body = LinesInput,
    responses((status = 200, body = InvoiceView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn edit_lines(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    Json(input): Json<LinesInput>,
) -> Result<Json<InvoiceView>, ApiError> {
    let lines = typed(input.lines);
    Ok(Json(
        invoices::edit_lines(&state.store, &caller.ctx(), &key, &lines)
            .await?
            .into(),
    ))
}

/// A draft invoice to make.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceInput {
    /// The next `INV-NNNNN` when not given.
    pub number: Option<String>,
    /// The organization's name or id.
    pub organization: String,
    pub deal_id: Option<i64>,
    /// membership, usage, cloud, service, grant-tranche or other
    pub kind: String,
    /// The deal's currency, else USD, when not given.
    pub currency: Option<String>,
    pub service_from: Option<String>,
    pub service_to: Option<String>,
    pub billable_on: Option<String>,
    /// 30 when not given.
    pub terms_days: Option<i64>,
    pub external_id: Option<String>,
    pub lines: Vec<LineInputView>,
}

/// Make a draft invoice.
#[utoipa::path(post, path = "/invoices", security(("token" = ["manage-invoices"])), tag = "invoices", request_body = InvoiceInput,
    responses((status = 201, body = InvoiceView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add(
    State(state): State<AppState>,
    caller: Caller,
    Json(input): Json<InvoiceInput>,
) -> Result<(StatusCode, Json<InvoiceView>), ApiError> {
    let ctx = caller.ctx();
    ctx.require(bearing_core::access::Permission::ManageInvoices)?;
    let draft = NewDraft {
        number: input.number,
        organization: invoices::organization(&state.store, &input.organization).await?,
        deal: input
            .deal_id
            .map(|id| {
                bearing_core::DealId::new(id)
                    .map_err(|e| AppError::invalid("deal_id", e.to_string()))
            })
            .transpose()?,
        kind: input
            .kind
            .parse()
            .map_err(|e: bearing_core::ParseError| AppError::invalid("kind", e.to_string()))?,
        currency: parsed::<Currency>("currency", input.currency.as_deref())?,
        service_from: date("service_from", input.service_from.as_deref())?,
        service_to: date("service_to", input.service_to.as_deref())?,
        billable_on: date("billable_on", input.billable_on.as_deref())?,
        terms_days: input.terms_days,
        external_id: input.external_id,
        source: Some("api".to_owned()),
        lines: typed(input.lines),
    };
    let invoice = invoices::add(&state.store, &ctx, draft).await?;
    Ok((StatusCode::CREATED, Json(invoice.into())))
}

/// One invoice, by number or id.
#[utoipa::path(get, path = "/invoices/{invoice}", security(("token" = ["read-cash"])), tag = "invoices",
    params(("invoice" = String, Path)), responses((status = 200, body = InvoiceView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
) -> Result<Json<InvoiceView>, ApiError> {
    Ok(Json(
        invoices::get(&state.store, &caller.ctx(), &key)
            .await?
            .into(),
    ))
}

/// When a draft is issued.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueInput {
    /// `YYYY-MM-DD`; today when not given.
    pub on: Option<String>,
}

/// Issue a draft: it is dated and falls due after its terms.
#[utoipa::path(post, path = "/invoices/{invoice}/issue", security(("token" = ["manage-invoices"])), tag = "invoices",
    params(("invoice" = String, Path)), request_body = IssueInput,
    responses((status = 200, body = InvoiceView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn issue(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    Json(input): Json<IssueInput>,
) -> Result<Json<InvoiceView>, ApiError> {
    let on = date("on", input.on.as_deref())?;
    Ok(Json(
        invoices::issue(&state.store, &caller.ctx(), &key, on)
            .await?
            .into(),
    ))
}

/// A payment to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentInput {
    /// Major units of the invoice's currency, such as `1250.00`; a refund is negative.
    pub amount: String,
    /// `YYYY-MM-DD`; today when not given.
    pub on: Option<String>,
    pub reference: Option<String>,
}

/// Record a payment (or a refund) on an issued invoice.
#[utoipa::path(post, path = "/invoices/{invoice}/payments", security(("token" = ["manage-invoices"])), tag = "invoices",
    params(("invoice" = String, Path)), request_body = PaymentInput,
    responses((status = 201, body = InvoiceView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn pay(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    Json(input): Json<PaymentInput>,
) -> Result<(StatusCode, Json<InvoiceView>), ApiError> {
    let payment = NewPayment {
        on: date("on", input.on.as_deref())?,
        amount: input.amount,
        reference: input.reference,
    };
    let invoice = invoices::pay(&state.store, &caller.ctx(), &key, payment).await?;
    Ok((StatusCode::CREATED, Json(invoice.into())))
}

/// Why an invoice is voided.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidInput {
    pub reason: String,
}

/// Void an invoice: it keeps its row and history and counts nowhere after. One with payments
/// is refunded first.
#[utoipa::path(post, path = "/invoices/{invoice}/void", security(("token" = ["manage-invoices"])), tag = "invoices",
    params(("invoice" = String, Path)), request_body = VoidInput,
    responses((status = 200, body = InvoiceView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn void(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    Json(input): Json<VoidInput>,
) -> Result<Json<InvoiceView>, ApiError> {
    Ok(Json(
        invoices::void(&state.store, &caller.ctx(), &key, &input.reason)
            .await?
            .into(),
    ))
}
