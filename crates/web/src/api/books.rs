//! `/imports/actuals`, `/accounts` and `/closes`: the books, for finance.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use bearing_app::{AppError, books};
use bearing_core::Month;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::types::books::*;
use super::{ListFormat, Page, PageQuery, list_response};
use crate::auth::Caller;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import_actuals))
        .routes(routes!(accounts))
        .routes(routes!(map_account))
        .routes(routes!(closes, close))
        .routes(routes!(checklist))
}

/// How to read the ledger export.
#[derive(Debug, Default, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ActualsQuery {
    /// Say what each month would gain and lose; write nothing.
    #[serde(default)]
    dry_run: bool,
    /// The file's name, for error messages.
    file: Option<String>,
    /// The month (`YYYY-MM`) of every line, for a file without a date column.
    month: Option<String>,
    /// The column holding the account code (default `Account Code`).
    account_column: Option<String>,
    /// The column holding the amount (default `Net`).
    amount_column: Option<String>,
    /// The column holding the account's name (default `Account Name`).
    account_name_column: Option<String>,
    /// The column holding the description (default `Description`).
    description_column: Option<String>,
    /// The column holding the grant code (default `Grants`).
    grant_column: Option<String>,
    /// The column holding the ledger's source (default `Source`).
    source_column: Option<String>,
    /// The column holding each line's date (default `Date`).
    date_column: Option<String>,
}

fn month(field: &str, text: &str) -> Result<Month, ApiError> {
    Month::parse(text).map_err(|e| AppError::invalid(field, e.to_string()).into())
}

/// Import the sponsor's general-ledger export (CSV in the body): each month in the file
/// becomes exactly its lines, all or nothing; the same file twice changes nothing.
#[utoipa::path(post, path = "/imports/actuals", security(("token" = ["edit-assumptions"])), tag = "books", params(ActualsQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ActualsImportView), (status = 422, description = "Every problem, by line and column", body = ErrorBody)))]
async fn import_actuals(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ActualsQuery>,
    body: String,
) -> Result<Json<ActualsImportView>, ApiError> {
    let pairs: Vec<(String, String)> = [
        ("account", &q.account_column),
        ("amount", &q.amount_column),
        ("account-name", &q.account_name_column),
        ("description", &q.description_column),
        ("grant", &q.grant_column),
        ("source", &q.source_column),
        ("date", &q.date_column),
    ]
    .into_iter()
    .filter_map(|(field, column)| Some((field.to_owned(), column.clone()?)))
    .collect();
    let columns = bearing_formats::ledger::Columns::mapped(&pairs)
        .map_err(|e| AppError::invalid("columns", e))?;
    let period = q.month.as_deref().map(|m| month("month", m)).transpose()?;
    let done = books::import_actuals(
        &state.store,
        &caller.ctx(),
        q.file.as_deref().unwrap_or("upload.csv"),
        body.as_bytes(),
        &columns,
        period,
        q.dry_run,
    )
    .await?;
    Ok(Json(done.into()))
}

#[derive(Debug, Default, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    #[serde(default)]
    #[param(inline)]
    format: ListFormat,
}

/// Every account: those the ledger uses without a category first, then the organisation's
/// chart and finance's mappings, with what the ledger booked to each.
#[utoipa::path(get, path = "/accounts", security(("token" = ["edit-assumptions"])), tag = "books", params(ListQuery, PageQuery),
    responses((status = 200, body = Page<AccountView>)))]
async fn accounts(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
    Query(page): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let list = books::accounts(&state.store, &caller.ctx()).await?;
    // Accounts are known by their codes; the cursor counts places in the list.
    let numbered: Vec<(i64, books::AccountLine)> = (1..).zip(list).collect();
    list_response(
        q.format,
        &page,
        numbered,
        |(n, _)| *n,
        |(_, a)| AccountView::from(a),
        |rows| {
            let lines: Vec<books::AccountLine> = rows.iter().map(|(_, a)| a.clone()).collect();
            books::accounts_table(&lines)
        },
    )
}

/// Put an account in a category (and name it).
#[utoipa::path(put, path = "/accounts/{code}", security(("token" = ["edit-assumptions"])), tag = "books",
    params(("code" = String, Path)), request_body = AccountInput,
    responses((status = 204), (status = 422, body = ErrorBody)))]
async fn map_account(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Json(input): Json<AccountInput>,
) -> Result<StatusCode, ApiError> {
    let category = input
        .category
        .parse()
        .map_err(|e: bearing_core::ParseError| AppError::invalid("category", e.reason))?;
    books::map_account(
        &state.store,
        &caller.ctx(),
        &code,
        input.name.as_deref(),
        category,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every close, oldest first: the net assets, revenue and costs it recorded, the assumptions
/// version it wrote, and why a month was closed again.
#[utoipa::path(get, path = "/closes", security(("token" = ["edit-assumptions"])), tag = "books", params(ListQuery, PageQuery),
    responses((status = 200, body = Page<CloseView>)))]
async fn closes(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
    Query(page): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let list = books::closes(&state.store, &caller.ctx()).await?;
    list_response(
        q.format,
        &page,
        list,
        |c| c.id,
        CloseView::from,
        books::closes_table,
    )
}

/// Close a month: record its net assets (worked out from the previous close and its actuals
/// unless given), set books-closed to it and freeze the forecast made before it. The latest
/// closed month is closed again only with a reason.
#[utoipa::path(post, path = "/closes", security(("token" = ["edit-assumptions"])), tag = "books", request_body = CloseInput,
    responses((status = 201, body = CloseView), (status = 422, body = ErrorBody)))]
async fn close(
    State(state): State<AppState>,
    caller: Caller,
    Json(input): Json<CloseInput>,
) -> Result<(StatusCode, Json<CloseView>), ApiError> {
    let closed = books::close(
        &state.store,
        &caller.ctx(),
        month("month", &input.month)?,
        input.net_assets,
        input.reason.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(closed.into())))
}

/// What closing a month needs: what stops it, what to look at, and the net assets it would
/// record.
#[utoipa::path(get, path = "/closes/{month}/checklist", security(("token" = ["edit-assumptions"])), tag = "books",
    params(("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, body = ChecklistView), (status = 422, body = ErrorBody)))]
async fn checklist(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
) -> Result<Json<ChecklistView>, ApiError> {
    let ctx = caller.ctx();
    let today = ctx.today();
    let list = books::checklist(&state.store, &ctx, month("month", &raw)?, today).await?;
    Ok(Json(list.into()))
}

/// A month to close.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseInput {
    /// `YYYY-MM`
    pub month: String,
    /// The net assets at the end of the month, in dollars; worked out when left out.
    pub net_assets: Option<f64>,
    /// Why a closed month is closed again.
    pub reason: Option<String>,
}

/// An account's category.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountInput {
    /// membership, usage, cloud-recovery, grant, gift, service, other-revenue, personnel,
    /// contractors, cloud-recoverable, cloud-absorbed, fiscal-sponsor-fee, travel, other-cost
    pub category: String,
    pub name: Option<String>,
}
