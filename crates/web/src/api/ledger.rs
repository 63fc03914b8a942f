//! `/imports/ledger` and `/organizations/{id}/aliases`: the sponsor's invoice ledger and the
//! names its books use for organizations. Importing needs `manage-invoices`; aliases are the
//! CRM's. The reconciliation is the report `reconciliation`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use bearing_app::{AppError, ledger};
use bearing_core::OrganizationId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import_ledger))
        .routes(routes!(aliases, add_alias))
        .routes(routes!(remove_alias))
}

/// How to read the invoice export.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct LedgerQuery {
    /// Say what the import would make and record; write nothing.
    #[serde(default)]
    dry_run: bool,
    /// The file's name, for error messages.
    file: Option<String>,
    /// The column holding the invoice number (default `InvoiceNumber`).
    number_column: Option<String>,
    /// The column holding the organization's name in the books (default `Contact`).
    contact_column: Option<String>,
    /// The column holding the deal it bills (default `Reference`).
    reference_column: Option<String>,
    /// The column holding the day it was issued (default `Date`).
    date_column: Option<String>,
    /// The column holding the day it is due (default `DueDate`).
    due_date_column: Option<String>,
    /// The column holding its total (default `Total`).
    total_column: Option<String>,
    /// The column holding what was paid on it (default `AmountPaid`).
    amount_paid_column: Option<String>,
    /// The column holding its status (default `Status`).
    status_column: Option<String>,
    /// The column holding its currency (default `Currency`; US dollars without one).
    currency_column: Option<String>,
    /// The column holding the day of its last payment (default `PaymentDate`).
    payment_date_column: Option<String>,
}

/// A payment an import recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordedPaymentView {
    pub number: String,
    pub paid_on: String,
    /// In major units, such as `1250.00`.
    pub amount: String,
    pub currency: String,
}

/// A ledger invoice whose contact no organization answers to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnplacedView {
    pub number: String,
    pub contact: String,
}

/// A payment the ledger reports that could not be recorded, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LeftView {
    pub number: String,
    pub reason: String,
}

/// What an import of the invoice ledger did, or (dry run) would do.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LedgerImportView {
    pub dry_run: bool,
    pub rows: usize,
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    /// Invoices made in Bearing from the ledger, by number.
    pub created: Vec<String>,
    pub payments: Vec<RecordedPaymentView>,
    pub unplaced: Vec<UnplacedView>,
    pub left: Vec<LeftView>,
    /// The same in words.
    pub summary: String,
}

impl From<ledger::LedgerImport> for LedgerImportView {
    fn from(i: ledger::LedgerImport) -> Self {
        LedgerImportView {
            summary: i.summary(),
            dry_run: i.dry_run,
            rows: i.rows,
            new: i.new,
            changed: i.changed,
            unchanged: i.unchanged,
            payments: i
                .payments
                .iter()
                .map(|p| RecordedPaymentView {
                    number: p.number.clone(),
                    paid_on: p.on.to_string(),
                    amount: p.amount.decimal(),
                    currency: p.amount.currency.to_string(),
                })
                .collect(),
            unplaced: i
                .unplaced
                .into_iter()
                .map(|(number, contact)| UnplacedView { number, contact })
                .collect(),
            left: i
                .left
                .into_iter()
                .map(|(number, reason)| LeftView { number, reason })
                .collect(),
            created: i.created,
        }
    }
}

/// Import the sponsor's invoice export (CSV in the body), all or nothing: each row upserted
/// by its number; invoices Bearing lacks made for organizations named by name or alias; what
/// the ledger says was paid since its last import recorded. The same file twice changes
/// nothing. `GET /reports/reconciliation` then lists what differs.
#[utoipa::path(post, path = "/imports/ledger", security(("token" = ["manage-invoices"])), tag = "invoices", params(LedgerQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = LedgerImportView), (status = 422, description = "Every problem, by line and column", body = ErrorBody)))]
async fn import_ledger(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<LedgerQuery>,
    body: String,
) -> Result<Json<LedgerImportView>, ApiError> {
    let pairs: Vec<(String, String)> = [
        ("number", &q.number_column),
        ("contact", &q.contact_column),
        ("reference", &q.reference_column),
        ("date", &q.date_column),
        ("due-date", &q.due_date_column),
        ("total", &q.total_column),
        ("amount-paid", &q.amount_paid_column),
        ("status", &q.status_column),
        ("currency", &q.currency_column),
        ("payment-date", &q.payment_date_column),
    ]
    .into_iter()
    .filter_map(|(field, column)| Some((field.to_owned(), column.clone()?)))
    .collect();
    let columns = bearing_formats::invoice_ledger::Columns::mapped(&pairs)
        .map_err(|e| AppError::invalid("columns", e))?;
    let done = ledger::import(
        &state.store,
        &caller.ctx(),
        q.file.as_deref().unwrap_or("upload.csv"),
        body.as_bytes(),
        &columns,
        q.dry_run,
    )
    .await?;
    Ok(Json(done.into()))
}

/// A name the sponsor's books use for an organization.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AliasView {
    pub alias: String,
}

fn id(raw: i64) -> Result<OrganizationId, ApiError> {
    OrganizationId::new(raw).map_err(|e| ApiError::new(StatusCode::NOT_FOUND, e.to_string()))
}

fn views(list: Vec<bearing_store::AliasRecord>) -> Json<Vec<AliasView>> {
    Json(
        list.into_iter()
            .map(|a| AliasView { alias: a.alias })
            .collect(),
    )
}

/// The names the sponsor's books use for an organization, which the ledger import places it
/// by besides its name and long name.
#[utoipa::path(get, path = "/organizations/{id}/aliases", security(("token" = ["read"])), tag = "organizations", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<AliasView>), (status = 404, body = ErrorBody)))]
async fn aliases(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<i64>,
) -> Result<Json<Vec<AliasView>>, ApiError> {
    let organization = id(raw)?;
    state
        .store
        .get_organization(organization)
        .await
        .map_err(AppError::from)?;
    Ok(views(
        ledger::aliases(&state.store, &caller.ctx(), organization).await?,
    ))
}

/// Record a name the sponsor's books use for an organization; its aliases after. A name
/// another organization answers to is a conflict.
#[utoipa::path(post, path = "/organizations/{id}/aliases", security(("token" = ["edit-crm"])), tag = "organizations", params(("id" = i64, Path)), request_body = AliasView,
    responses((status = 201, body = Vec<AliasView>), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_alias(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<i64>,
    Json(input): Json<AliasView>,
) -> Result<(StatusCode, Json<Vec<AliasView>>), ApiError> {
    let list = ledger::add_alias(&state.store, &caller.ctx(), id(raw)?, &input.alias).await?;
    Ok((StatusCode::CREATED, views(list)))
}

/// Remove an alias (named in any case); its aliases after. The alias keeps its row.
#[utoipa::path(delete, path = "/organizations/{id}/aliases/{alias}", security(("token" = ["edit-crm"])), tag = "organizations", params(("id" = i64, Path), ("alias" = String, Path)),
    responses((status = 200, body = Vec<AliasView>), (status = 404, body = ErrorBody)))]
async fn remove_alias(
    State(state): State<AppState>,
    caller: Caller,
    Path((raw, alias)): Path<(i64, String)>,
) -> Result<Json<Vec<AliasView>>, ApiError> {
    Ok(views(
        ledger::remove_alias(&state.store, &caller.ctx(), id(raw)?, &alias).await?,
    ))
}
