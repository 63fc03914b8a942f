//! `/campaigns`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use bearing_app::campaigns;
use bearing_core::CampaignId;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::types::{CampaignInput, CampaignView};
use super::{ListFormat, Page, PageQuery, list_response};
use crate::auth::Caller;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(update, delete))
        .routes(routes!(restore))
}

/// Which campaigns to list.
#[derive(Debug, Default, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ListQuery {
    #[serde(default)]
    include_deleted: bool,
    #[serde(default)]
    #[param(inline)]
    format: ListFormat,
}

fn id(raw: i64) -> Result<CampaignId, ApiError> {
    CampaignId::new(raw).map_err(|e| ApiError::new(StatusCode::NOT_FOUND, e.to_string()))
}

/// List campaigns; `format=csv` downloads them as CSV.
#[utoipa::path(get, path = "/campaigns", security(("token" = ["read"])), tag = "campaigns", params(ListQuery, PageQuery),
    responses((status = 200, body = Page<CampaignView>)))]
async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
    Query(page): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let list = state
        .store
        .list_campaigns(q.include_deleted)
        .await
        .map_err(bearing_app::AppError::from)?;
    list_response(
        q.format,
        &page,
        list,
        |c| c.id.get(),
        CampaignView::from,
        campaigns::table,
    )
}

/// Create a campaign.
#[utoipa::path(post, path = "/campaigns", security(("token" = ["edit-crm"])), tag = "campaigns", request_body = CampaignInput,
    responses((status = 201, body = CampaignView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(input): Json<CampaignInput>,
) -> Result<(StatusCode, Json<CampaignView>), ApiError> {
    let created = campaigns::create(&state.store, &caller.ctx(), input.row()?).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// Replace every field of a campaign.
#[utoipa::path(put, path = "/campaigns/{id}", security(("token" = ["edit-crm"])), tag = "campaigns", params(("id" = i64, Path)), request_body = CampaignInput,
    responses((status = 200, body = CampaignView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<i64>,
    Json(input): Json<CampaignInput>,
) -> Result<Json<CampaignView>, ApiError> {
    Ok(Json(
        campaigns::edit(&state.store, &caller.ctx(), id(raw)?, input.row()?)
            .await?
            .into(),
    ))
}

/// Delete a campaign: it leaves lists, keeps its history and can be restored.
#[utoipa::path(delete, path = "/campaigns/{id}", security(("token" = ["edit-crm"])), tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 200, body = CampaignView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<i64>,
) -> Result<Json<CampaignView>, ApiError> {
    Ok(Json(
        campaigns::set_deleted(&state.store, &caller.ctx(), id(raw)?, true)
            .await?
            .into(),
    ))
}

/// Restore a deleted campaign.
#[utoipa::path(post, path = "/campaigns/{id}/restore", security(("token" = ["edit-crm"])), tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 200, body = CampaignView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn restore(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<i64>,
) -> Result<Json<CampaignView>, ApiError> {
    Ok(Json(
        campaigns::set_deleted(&state.store, &caller.ctx(), id(raw)?, false)
            .await?
            .into(),
    ))
}
