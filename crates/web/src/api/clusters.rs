//! `/clusters` and `/hubs`: the service units whose usage is priced.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use bearing_app::{AppError, usage};
use bearing_store::{UnitId, UnitKind};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::types::{UnitInput, UnitView};
use super::{ListFormat, Page, PageQuery, list_response};
use crate::auth::Caller;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(show_cluster, update_cluster))
        .routes(routes!(show_hub, update_hub))
}

/// How to list.
#[derive(Debug, Default, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ListQuery {
    #[serde(default)]
    #[param(inline)]
    format: ListFormat,
}

/// Every cluster and hub, by name; `format=csv` downloads them as CSV.
#[utoipa::path(get, path = "/clusters", security(("token" = ["read"])), tag = "usage", params(ListQuery, PageQuery),
    responses((status = 200, body = Page<UnitView>)))]
async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
    Query(page): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let units = state
        .store
        .list_units()
        .await
        .map_err(bearing_app::AppError::from)?;
    let table = match q.format {
        ListFormat::Csv => Some(usage::units_table(&state.store, |_| true).await?),
        ListFormat::Json => None,
    };
    // Clusters and hubs are numbered apart: a hub's id is told from a cluster's by its sign.
    list_response(
        q.format,
        &page,
        units,
        |u| match u.id {
            UnitId::Cluster(id) => id.get(),
            UnitId::Hub(id) => -id.get(),
        },
        UnitView::from,
        |_| table.unwrap_or_default(),
    )
}

/// A cluster's or hub's id from its path; a number no unit can have is one that does not exist.
fn unit_id(kind: UnitKind, raw: i64) -> Result<UnitId, AppError> {
    UnitId::new(kind, raw).map_err(|_| {
        AppError::NotFound(match kind {
            UnitKind::Cluster => format!("no cluster with id {raw}"),
            UnitKind::Hub => format!("no hub with id {raw}"),
        })
    })
}

async fn show(
    state: &AppState,
    caller: &Caller,
    kind: UnitKind,
    raw: i64,
) -> Result<Json<UnitView>, ApiError> {
    let id = unit_id(kind, raw)?;
    Ok(Json(
        usage::unit(&state.store, &caller.ctx(), id).await?.into(),
    ))
}

async fn update(
    state: &AppState,
    caller: &Caller,
    kind: UnitKind,
    raw: i64,
    input: &UnitInput,
) -> Result<Json<UnitView>, ApiError> {
    let id = unit_id(kind, raw)?;
    let unit = usage::update_unit(&state.store, &caller.ctx(), id, input.fields()?).await?;
    Ok(Json(unit.into()))
}

/// One cluster.
#[utoipa::path(get, path = "/clusters/{id}", security(("token" = ["read"])), tag = "usage", params(("id" = i64, Path)),
    responses((status = 200, body = UnitView), (status = 404, body = ErrorBody)))]
async fn show_cluster(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<UnitView>, ApiError> {
    show(&state, &caller, UnitKind::Cluster, id).await
}

/// Replace what is recorded about a cluster (all but its name).
#[utoipa::path(put, path = "/clusters/{id}", security(("token" = ["edit-crm"])), tag = "usage", params(("id" = i64, Path)), request_body = UnitInput,
    responses((status = 200, body = UnitView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_cluster(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(input): Json<UnitInput>,
) -> Result<Json<UnitView>, ApiError> {
    update(&state, &caller, UnitKind::Cluster, id, &input).await
}

/// One hub.
#[utoipa::path(get, path = "/hubs/{id}", security(("token" = ["read"])), tag = "usage", params(("id" = i64, Path)),
    responses((status = 200, body = UnitView), (status = 404, body = ErrorBody)))]
async fn show_hub(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<UnitView>, ApiError> {
    show(&state, &caller, UnitKind::Hub, id).await
}

/// Replace what is recorded about a hub (all but its name).
#[utoipa::path(put, path = "/hubs/{id}", security(("token" = ["edit-crm"])), tag = "usage", params(("id" = i64, Path)), request_body = UnitInput,
    responses((status = 200, body = UnitView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_hub(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(input): Json<UnitInput>,
) -> Result<Json<UnitView>, ApiError> {
    update(&state, &caller, UnitKind::Hub, id, &input).await
}
