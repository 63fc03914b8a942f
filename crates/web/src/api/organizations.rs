//! `/organizations`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use bearing_app::organizations;
use bearing_core::OrganizationId;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::types::{OrganizationInput, OrganizationView};
use super::{ListFormat, Page, PageQuery, list_response};
use crate::auth::Caller;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update, delete))
        .routes(routes!(restore))
}

/// Which organizations to list.
#[derive(Debug, Default, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ListQuery {
    #[serde(default)]
    include_deleted: bool,
    #[serde(default)]
    #[param(inline)]
    format: ListFormat,
}

fn id(raw: i64) -> Result<OrganizationId, ApiError> {
    OrganizationId::new(raw).map_err(|e| ApiError::new(StatusCode::NOT_FOUND, e.to_string()))
}

/// List organizations; `format=csv` downloads them as CSV.
#[utoipa::path(get, path = "/organizations", security(("token" = ["read"])), tag = "organizations", params(ListQuery, PageQuery),
    responses((status = 200, body = Page<OrganizationView>)))]
async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
    Query(page): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let list = state
        .store
        .list_organizations(q.include_deleted)
        .await
        .map_err(bearing_app::AppError::from)?;
    list_response(
        q.format,
        &page,
        list,
        |o| o.id.get(),
        OrganizationView::from,
        organizations::table,
    )
}

/// Create an organization.
#[utoipa::path(post, path = "/organizations", security(("token" = ["edit-crm"])), tag = "organizations", request_body = OrganizationInput,
    responses((status = 201, body = OrganizationView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(input): Json<OrganizationInput>,
) -> Result<(StatusCode, Json<OrganizationView>), ApiError> {
    let created = organizations::create(&state.store, &caller.ctx(), input.fields()?).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// One organization.
#[utoipa::path(get, path = "/organizations/{id}", security(("token" = ["read"])), tag = "organizations", params(("id" = i64, Path)),
    responses((status = 200, body = OrganizationView), (status = 404, body = ErrorBody)))]
async fn show(
    State(state): State<AppState>,
    Path(raw): Path<i64>,
) -> Result<Json<OrganizationView>, ApiError> {
    let record = state
        .store
        .get_organization(id(raw)?)
        .await
        .map_err(bearing_app::AppError::from)?;
    Ok(Json(record.into()))
}

/// Replace every field of an organization.
#[utoipa::path(put, path = "/organizations/{id}", security(("token" = ["edit-crm"])), tag = "organizations", params(("id" = i64, Path)), request_body = OrganizationInput,
    responses((status = 200, body = OrganizationView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<i64>,
    Json(input): Json<OrganizationInput>,
) -> Result<Json<OrganizationView>, ApiError> {
    Ok(Json(
        organizations::update(&state.store, &caller.ctx(), id(raw)?, input.fields()?)
            .await?
            .into(),
    ))
}

/// Delete an organization: it leaves lists, keeps its history and can be restored.
#[utoipa::path(delete, path = "/organizations/{id}", security(("token" = ["edit-crm"])), tag = "organizations", params(("id" = i64, Path)),
    responses((status = 200, body = OrganizationView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<i64>,
) -> Result<Json<OrganizationView>, ApiError> {
    Ok(Json(
        organizations::delete(&state.store, &caller.ctx(), id(raw)?)
            .await?
            .into(),
    ))
}

/// Restore a deleted organization.
#[utoipa::path(post, path = "/organizations/{id}/restore", security(("token" = ["edit-crm"])), tag = "organizations", params(("id" = i64, Path)),
    responses((status = 200, body = OrganizationView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn restore(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<i64>,
) -> Result<Json<OrganizationView>, ApiError> {
    Ok(Json(
        organizations::restore(&state.store, &caller.ctx(), id(raw)?)
            .await?
            .into(),
    ))
}
