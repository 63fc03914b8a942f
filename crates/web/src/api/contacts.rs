//! `/contacts`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use bearing_app::contacts;
use bearing_core::ContactId;
use bearing_core::organization::OrganizationName;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::types::{ContactInput, ContactView};
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

/// Which contacts to list.
#[derive(Debug, Default, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ListQuery {
    /// Only the contacts of this organization (its one-word name).
    organization: Option<String>,
    #[serde(default)]
    include_deleted: bool,
    #[serde(default)]
    #[param(inline)]
    format: ListFormat,
}

fn id(raw: i64) -> Result<ContactId, ApiError> {
    ContactId::new(raw).map_err(|e| ApiError::new(StatusCode::NOT_FOUND, e.to_string()))
}

/// List contacts; `format=csv` downloads them as CSV.
#[utoipa::path(get, path = "/contacts", security(("token" = ["read"])), tag = "contacts", params(ListQuery, PageQuery),
    responses((status = 200, body = Page<ContactView>), (status = 422, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
    Query(page): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let organization = q
        .organization
        .as_deref()
        .map(|o| {
            OrganizationName::parse(o)
                .map_err(|e| bearing_app::AppError::invalid("organization", e.to_string()))
        })
        .transpose()?;
    let list = contacts::list(&state.store, organization.as_ref(), q.include_deleted).await?;
    list_response(
        q.format,
        &page,
        list,
        |c| c.id.get(),
        ContactView::from,
        contacts::table,
    )
}

/// Create a contact.
#[utoipa::path(post, path = "/contacts", security(("token" = ["edit-crm"])), tag = "contacts", request_body = ContactInput,
    responses((status = 201, body = ContactView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(input): Json<ContactInput>,
) -> Result<(StatusCode, Json<ContactView>), ApiError> {
    let created = contacts::create(&state.store, &caller.ctx(), input.fields()?).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// One contact.
#[utoipa::path(get, path = "/contacts/{id}", security(("token" = ["read"])), tag = "contacts", params(("id" = i64, Path)),
    responses((status = 200, body = ContactView), (status = 404, body = ErrorBody)))]
async fn show(
    State(state): State<AppState>,
    Path(raw): Path<i64>,
) -> Result<Json<ContactView>, ApiError> {
    Ok(Json(contacts::get(&state.store, id(raw)?).await?.into()))
}

/// Replace every field of a contact.
#[utoipa::path(put, path = "/contacts/{id}", security(("token" = ["edit-crm"])), tag = "contacts", params(("id" = i64, Path)), request_body = ContactInput,
    responses((status = 200, body = ContactView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<i64>,
    Json(input): Json<ContactInput>,
) -> Result<Json<ContactView>, ApiError> {
    Ok(Json(
        contacts::edit(&state.store, &caller.ctx(), id(raw)?, input.fields()?)
            .await?
            .into(),
    ))
}

/// Delete a contact: it leaves lists, keeps its history and can be restored.
#[utoipa::path(delete, path = "/contacts/{id}", security(("token" = ["edit-crm"])), tag = "contacts", params(("id" = i64, Path)),
    responses((status = 200, body = ContactView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<i64>,
) -> Result<Json<ContactView>, ApiError> {
    Ok(Json(
        contacts::delete(&state.store, &caller.ctx(), id(raw)?)
            .await?
            .into(),
    ))
}

/// Restore a deleted contact.
#[utoipa::path(post, path = "/contacts/{id}/restore", security(("token" = ["edit-crm"])), tag = "contacts", params(("id" = i64, Path)),
    responses((status = 200, body = ContactView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn restore(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<i64>,
) -> Result<Json<ContactView>, ApiError> {
    Ok(Json(
        contacts::restore(&state.store, &caller.ctx(), id(raw)?)
            .await?
            .into(),
    ))
}
