//! `/deals`: the deal lifecycle.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use bearing_app::deals::{self, DealFilter};
use bearing_core::{Currency, DealId};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::types::{DealHistoryView, DealInput, DealView, MoveInput};
use super::{ListFormat, Page, PageQuery, list_response};
use crate::auth::Caller;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update, delete))
        .routes(routes!(move_to))
        .routes(routes!(renew))
        .routes(routes!(restore))
        .routes(routes!(history))
        .routes(routes!(history_between))
}

/// Filters of the deal list.
#[derive(Debug, Default, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct DealQuery {
    stage: Option<String>,
    /// Revenue type.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    revenue_type: Option<String>,
    owner: Option<String>,
    organization: Option<String>,
    campaign: Option<String>,
    /// Close date on or after, YYYY-MM-DD.
    closes_from: Option<String>,
    /// Close date on or before, YYYY-MM-DD.
    closes_to: Option<String>,
    /// Include deleted deals.
    #[serde(default)]
    include_deleted: bool,
    /// Order: name, organization, stage, amount, probability, close or owner, `-` first for
    /// the other way (`-amount`); by id unless given.
    sort: Option<String>,
    #[serde(default)]
    #[param(inline)]
    format: ListFormat,
}

fn day(field: &str, text: Option<&str>) -> Result<Option<bearing_core::Date>, ApiError> {
    text.map(|t| {
        bearing_core::parse_date(t)
            .map_err(|e| ApiError::from(bearing_app::AppError::invalid(field, e.to_string())))
    })
    .transpose()
}

pub(super) fn id(raw: i64) -> Result<DealId, ApiError> {
    DealId::new(raw).map_err(|e| ApiError::new(StatusCode::NOT_FOUND, e.to_string()))
}

/// List deals, filtered; `format=csv` downloads the list as CSV.
#[utoipa::path(get, path = "/deals", security(("token" = ["read"])), tag = "deals", params(DealQuery, PageQuery),
    responses((status = 200, description = "A page of the deals", body = Page<DealView>), (status = 422, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    Query(q): Query<DealQuery>,
    Query(page): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let filter = DealFilter {
        stage: q.stage,
        revenue_type: q.revenue_type,
        owner: q.owner,
        organization: q.organization,
        campaign: q.campaign,
        closes_from: day("closes_from", q.closes_from.as_deref())?,
        closes_to: day("closes_to", q.closes_to.as_deref())?,
        include_deleted: q.include_deleted,
    };
    let mut list = state
        .snapshots
        .now(&state.store)
        .await?
        .deals_matching(&filter)
        .await?;
    if let Some(key) = &q.sort {
        deals::sort(&mut list, key).map_err(ApiError::from)?;
    }
    list_response(
        q.format,
        &page,
        list,
        |d| d.id.get(),
        DealView::from,
        deals::table,
    )
}

/// Create a deal; closing stages need their details.
#[utoipa::path(post, path = "/deals", security(("token" = ["edit-crm"])), tag = "deals", request_body = DealInput,
    responses((status = 201, body = DealView), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(input): Json<DealInput>,
) -> Result<(StatusCode, Json<DealView>), ApiError> {
    let created = deals::create(&state.store, &caller.ctx(), input.fields()?).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// One deal, deleted or not.
#[utoipa::path(get, path = "/deals/{id}", security(("token" = ["read"])), tag = "deals", params(("id" = i64, Path)),
    responses((status = 200, body = DealView), (status = 404, body = ErrorBody)))]
async fn show(
    State(state): State<AppState>,
    Path(raw): Path<i64>,
) -> Result<Json<DealView>, ApiError> {
    Ok(Json(deals::get(&state.store, id(raw)?).await?.into()))
}

/// Replace every field of a deal.
#[utoipa::path(put, path = "/deals/{id}", security(("token" = ["edit-crm"])), tag = "deals", params(("id" = i64, Path)), request_body = DealInput,
    responses((status = 200, body = DealView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<i64>,
    Json(input): Json<DealInput>,
) -> Result<Json<DealView>, ApiError> {
    Ok(Json(
        deals::edit(&state.store, &caller.ctx(), id(raw)?, input.fields()?)
            .await?
            .into(),
    ))
}

/// Delete a deal: it leaves lists, keeps its history and can be restored.
#[utoipa::path(delete, path = "/deals/{id}", security(("token" = ["edit-crm"])), tag = "deals", params(("id" = i64, Path)),
    responses((status = 200, body = DealView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<i64>,
) -> Result<Json<DealView>, ApiError> {
    Ok(Json(
        deals::delete(&state.store, &caller.ctx(), id(raw)?)
            .await?
            .into(),
    ))
}

/// Restore a deleted deal.
#[utoipa::path(post, path = "/deals/{id}/restore", security(("token" = ["edit-crm"])), tag = "deals", params(("id" = i64, Path)),
    responses((status = 200, body = DealView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn restore(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<i64>,
) -> Result<Json<DealView>, ApiError> {
    Ok(Json(
        deals::restore(&state.store, &caller.ctx(), id(raw)?)
            .await?
            .into(),
    ))
}

/// Move a deal to another stage of its pipeline. Closed Won needs an amount and contract
/// dates; Closed Lost needs a loss reason; they may be given with the move.
#[utoipa::path(post, path = "/deals/{id}/move", security(("token" = ["edit-crm"])), tag = "deals", params(("id" = i64, Path)), request_body = MoveInput,
    responses((status = 200, body = DealView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn move_to(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<i64>,
    Json(input): Json<MoveInput>,
) -> Result<Json<DealView>, ApiError> {
    let deal = id(raw)?;
    let currency = deals::get(&state.store, deal)
        .await
        .map(|d| d.fields.currency)
        .unwrap_or(Currency::USD);
    let details = input.details(currency)?;
    Ok(Json(
        deals::move_to(&state.store, &caller.ctx(), deal, &input.stage, details)
            .await?
            .into(),
    ))
}

/// Create next term's deal, in the Renewal stage, from a won membership.
#[utoipa::path(post, path = "/deals/{id}/renew", security(("token" = ["edit-crm"])), tag = "deals", params(("id" = i64, Path)),
    responses((status = 201, body = DealView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn renew(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<i64>,
) -> Result<(StatusCode, Json<DealView>), ApiError> {
    let renewal = deals::renew(&state.store, &caller.ctx(), id(raw)?).await?;
    Ok((StatusCode::CREATED, Json(renewal.into())))
}

/// `format=csv` downloads the rows as CSV.
#[derive(Debug, Default, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct HistoryQuery {
    /// Changes on or after this day (UTC), YYYY-MM-DD.
    from: Option<String>,
    /// Changes before this day (UTC), YYYY-MM-DD.
    to: Option<String>,
    #[serde(default)]
    #[param(inline)]
    format: ListFormat,
}

async fn history_rows(
    state: &AppState,
    deal: Option<DealId>,
    q: HistoryQuery,
    page: PageQuery,
) -> Result<Response, ApiError> {
    let rows = deals::history(
        &state.store,
        deal,
        day("from", q.from.as_deref())?,
        day("to", q.to.as_deref())?,
    )
    .await?;
    list_response(
        q.format,
        &page,
        rows,
        |r| r.id,
        DealHistoryView::from,
        deals::history_table,
    )
}

/// Every recorded change of a deal's stage, probability, amounts and dates.
#[utoipa::path(get, path = "/deals/{id}/history", security(("token" = ["read"])), tag = "deals", params(("id" = i64, Path), HistoryQuery, PageQuery),
    responses((status = 200, body = Page<DealHistoryView>), (status = 404, body = ErrorBody)))]
async fn history(
    State(state): State<AppState>,
    Path(raw): Path<i64>,
    Query(q): Query<HistoryQuery>,
    Query(page): Query<PageQuery>,
) -> Result<Response, ApiError> {
    history_rows(&state, Some(id(raw)?), q, page).await
}

/// The recorded changes of all deals in a period.
#[utoipa::path(get, path = "/deal-history", security(("token" = ["read"])), tag = "deals", params(HistoryQuery, PageQuery),
    responses((status = 200, body = Page<DealHistoryView>), (status = 422, body = ErrorBody)))]
async fn history_between(
    State(state): State<AppState>,
    Query(q): Query<HistoryQuery>,
    Query(page): Query<PageQuery>,
) -> Result<Response, ApiError> {
    history_rows(&state, None, q, page).await
}
