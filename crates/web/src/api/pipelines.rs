//! `/pipelines`: pipelines and their stages.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use bearing_app::AppError;
use bearing_app::pipelines::{self, NewStage, StageChanges};
use bearing_core::pipeline::{ForecastCategory, Probability, StageOutcome};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::types::{PipelineInput, StageInput, StageView};
use super::{ListFormat, Page, PageQuery, list_response};
use crate::auth::Caller;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(add_stage))
        .routes(routes!(edit_stage))
        .routes(routes!(retire_stage))
        .routes(routes!(restore_stage))
}

/// `format=csv` downloads the list as CSV.
#[derive(Debug, Default, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ListQuery {
    #[serde(default)]
    #[param(inline)]
    format: ListFormat,
}

/// Every pipeline's stages, in order, with their defaults.
#[utoipa::path(get, path = "/pipelines", security(("token" = ["read"])), tag = "pipelines", params(ListQuery, PageQuery),
    responses((status = 200, body = Page<StageView>)))]
async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
    Query(page): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let stages = state.store.list_stages().await.map_err(AppError::from)?;
    list_response(
        q.format,
        &page,
        stages,
        |s| s.id.get(),
        StageView::from,
        pipelines::table,
    )
}

/// Create an empty pipeline.
#[utoipa::path(post, path = "/pipelines", security(("token" = ["edit-crm"])), tag = "pipelines", request_body = PipelineInput,
    responses((status = 201, description = "Created"), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(input): Json<PipelineInput>,
) -> Result<StatusCode, ApiError> {
    pipelines::add_pipeline(&state.store, &caller.ctx(), &input.name).await?;
    Ok(StatusCode::CREATED)
}

fn changes(input: &StageInput) -> Result<StageChanges, AppError> {
    let invalid =
        |field: &str, e: bearing_core::ParseError| AppError::invalid(field, e.to_string());
    Ok(StageChanges {
        name: input.name.clone(),
        probability: input
            .default_probability
            .map(Probability::new)
            .transpose()
            .map_err(|e| invalid("default_probability", e))?,
        forecast_category: input
            .forecast_category
            .as_deref()
            .map(str::parse::<ForecastCategory>)
            .transpose()
            .map_err(|e| invalid("forecast_category", e))?,
        outcome: input
            .outcome
            .as_deref()
            .map(str::parse::<StageOutcome>)
            .transpose()
            .map_err(|e| invalid("outcome", e))?,
    })
}

/// Add a stage, at the end or at `position`.
#[utoipa::path(post, path = "/pipelines/{pipeline}/stages", security(("token" = ["edit-crm"])), tag = "pipelines", params(("pipeline" = String, Path)), request_body = StageInput,
    responses((status = 201, body = StageView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_stage(
    State(state): State<AppState>,
    caller: Caller,
    Path(pipeline): Path<String>,
    Json(input): Json<StageInput>,
) -> Result<(StatusCode, Json<StageView>), ApiError> {
    let c = changes(&input)?;
    let stage = NewStage {
        name: c
            .name
            .clone()
            .ok_or_else(|| AppError::invalid("name", "a new stage needs a name"))?,
        probability: c.probability.ok_or_else(|| {
            AppError::invalid(
                "default_probability",
                "a new stage needs a default probability",
            )
        })?,
        forecast_category: c.forecast_category.unwrap_or(ForecastCategory::Pipeline),
        outcome: c.outcome.unwrap_or(StageOutcome::Open),
    };
    let mut added = pipelines::add_stage(&state.store, &caller.ctx(), &pipeline, stage).await?;
    if let Some(position) = input.position {
        added = pipelines::move_stage(
            &state.store,
            &caller.ctx(),
            &pipeline,
            &added.name,
            position,
        )
        .await?;
    }
    Ok((StatusCode::CREATED, Json(added.into())))
}

/// Rename a stage, change its defaults or move it to `position`; its deals stay in it.
#[utoipa::path(patch, path = "/pipelines/{pipeline}/stages/{stage}", security(("token" = ["edit-crm"])), tag = "pipelines",
    params(("pipeline" = String, Path), ("stage" = String, Path)), request_body = StageInput,
    responses((status = 200, body = StageView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn edit_stage(
    State(state): State<AppState>,
    caller: Caller,
    Path((pipeline, stage)): Path<(String, String)>,
    Json(input): Json<StageInput>,
) -> Result<Json<StageView>, ApiError> {
    let c = changes(&input)?;
    let mut edited =
        pipelines::edit_stage(&state.store, &caller.ctx(), &pipeline, &stage, c).await?;
    if let Some(position) = input.position {
        edited = pipelines::move_stage(
            &state.store,
            &caller.ctx(),
            &pipeline,
            &edited.name,
            position,
        )
        .await?;
    }
    Ok(Json(edited.into()))
}

/// Retire a stage: no longer offered, while its deals and history keep it.
#[utoipa::path(post, path = "/pipelines/{pipeline}/stages/{stage}/retire", security(("token" = ["edit-crm"])), tag = "pipelines",
    params(("pipeline" = String, Path), ("stage" = String, Path)),
    responses((status = 200, body = StageView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn retire_stage(
    State(state): State<AppState>,
    caller: Caller,
    Path((pipeline, stage)): Path<(String, String)>,
) -> Result<Json<StageView>, ApiError> {
    Ok(Json(
        pipelines::retire_stage(&state.store, &caller.ctx(), &pipeline, &stage, true)
            .await?
            .into(),
    ))
}

/// Bring a retired stage back.
#[utoipa::path(post, path = "/pipelines/{pipeline}/stages/{stage}/restore", security(("token" = ["edit-crm"])), tag = "pipelines",
    params(("pipeline" = String, Path), ("stage" = String, Path)),
    responses((status = 200, body = StageView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn restore_stage(
    State(state): State<AppState>,
    caller: Caller,
    Path((pipeline, stage)): Path<(String, String)>,
) -> Result<Json<StageView>, ApiError> {
    Ok(Json(
        pipelines::retire_stage(&state.store, &caller.ctx(), &pipeline, &stage, false)
            .await?
            .into(),
    ))
}
