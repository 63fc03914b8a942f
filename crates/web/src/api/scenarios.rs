//! `/scenarios` and `/hire`: scenarios weighed beside the forecast, and "can we hire?", for
//! finance.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use bearing_app::{AppError, scenarios};
use bearing_core::Month;
use bearing_core::scenario::Change;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::types::books::{EvaluationView, HireView, ScenarioView};
use super::{ListFormat, Page, PageQuery, list_response};
use crate::auth::Caller;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, add))
        .routes(routes!(show, delete))
        .routes(routes!(evaluate_saved))
        .routes(routes!(evaluate))
        .routes(routes!(hire))
}

fn changes(lines: &[String]) -> Result<Vec<Change>, ApiError> {
    lines
        .iter()
        .map(|line| {
            Change::parse(line).map_err(|e| AppError::invalid("changes", e.to_string()).into())
        })
        .collect()
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    #[serde(default)]
    #[param(inline)]
    format: ListFormat,
}

/// Every saved scenario, by name.
#[utoipa::path(get, path = "/scenarios", security(("token" = ["edit-assumptions"])), tag = "books", params(ListQuery, PageQuery),
    responses((status = 200, body = Page<ScenarioView>)))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
    Query(page): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let list = scenarios::list(&state.store, &caller.ctx()).await?;
    list_response(
        q.format,
        &page,
        list,
        |s| s.id,
        ScenarioView::from,
        scenarios::table,
    )
}

/// A scenario to save: its name, what it is for, and its changes, a line each
/// (`hire role=…; level=2; start=2027-01`, docs/domain.md).
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioInput {
    pub name: String,
    pub description: Option<String>,
    pub changes: Vec<String>,
}

/// Save a scenario.
#[utoipa::path(post, path = "/scenarios", security(("token" = ["edit-assumptions"])), tag = "books", request_body = ScenarioInput,
    responses((status = 201, body = ScenarioView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add(
    State(state): State<AppState>,
    caller: Caller,
    Json(input): Json<ScenarioInput>,
) -> Result<(StatusCode, Json<ScenarioView>), ApiError> {
    let saved = scenarios::add(
        &state.store,
        &caller.ctx(),
        &input.name,
        input.description.as_deref(),
        changes(&input.changes)?,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

/// One scenario, by id or name.
#[utoipa::path(get, path = "/scenarios/{scenario}", security(("token" = ["edit-assumptions"])), tag = "books",
    params(("scenario" = String, Path)), responses((status = 200, body = ScenarioView), (status = 404, body = ErrorBody)))]
async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
) -> Result<Json<ScenarioView>, ApiError> {
    Ok(Json(
        scenarios::get(&state.store, &caller.ctx(), &key)
            .await?
            .into(),
    ))
}

/// Delete a scenario; it keeps its history.
#[utoipa::path(delete, path = "/scenarios/{scenario}", security(("token" = ["edit-assumptions"])), tag = "books",
    params(("scenario" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
) -> Result<StatusCode, ApiError> {
    scenarios::delete(&state.store, &caller.ctx(), &key).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A saved scenario beside the baseline: projections, the scorecard, the team's cost and the
/// runway over the Monte Carlo runs.
#[utoipa::path(get, path = "/scenarios/{scenario}/evaluation", security(("token" = ["edit-assumptions"])), tag = "books",
    params(("scenario" = String, Path)), responses((status = 200, body = EvaluationView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn evaluate_saved(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
) -> Result<Json<EvaluationView>, ApiError> {
    let ctx = caller.ctx();
    let saved = scenarios::get(&state.store, &ctx, &key).await?;
    let e = scenarios::evaluate(&state.store, &ctx, &saved.changes, caller.ctx().today()).await?;
    Ok(Json(e.into()))
}

/// Changes to weigh, unsaved.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangesInput {
    pub changes: Vec<String>,
}

/// Weigh changes beside the baseline without saving them.
#[utoipa::path(post, path = "/scenarios/evaluation", security(("token" = ["edit-assumptions"])), tag = "books", request_body = ChangesInput,
    responses((status = 200, body = EvaluationView), (status = 422, body = ErrorBody)))]
async fn evaluate(
    State(state): State<AppState>,
    caller: Caller,
    Json(input): Json<ChangesInput>,
) -> Result<Json<EvaluationView>, ApiError> {
    let e = scenarios::evaluate(
        &state.store,
        &caller.ctx(),
        &changes(&input.changes)?,
        caller.ctx().today(),
    )
    .await?;
    Ok(Json(e.into()))
}

/// A proposed hire.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HireRequest {
    pub role: String,
    pub level: u8,
    pub step: Option<u8>,
    pub fte: Option<f64>,
    /// `YYYY-MM`
    pub start: String,
    /// `YYYY-MM`, for a fixed term
    pub end: Option<String>,
    /// Grant codes and their shares, adding to 1.
    #[serde(default)]
    pub funding: Vec<(String, f64)>,
    /// A contractor's monthly payment in dollars, instead of the band.
    pub payment: Option<f64>,
}

/// Can we hire? The probability that cash stays at or above zero for the 12 months after the
/// start with and without the hire, against `hire-confidence`; when it falls short, the
/// earliest later start that meets it and the committed revenue that would.
#[utoipa::path(post, path = "/hire", security(("token" = ["edit-assumptions"])), tag = "books", request_body = HireRequest,
    responses((status = 200, body = HireView), (status = 422, body = ErrorBody)))]
async fn hire(
    State(state): State<AppState>,
    caller: Caller,
    Json(input): Json<HireRequest>,
) -> Result<Json<HireView>, ApiError> {
    let month = |field: &str, text: &str| -> Result<Month, ApiError> {
        Month::parse(text).map_err(|e| AppError::invalid(field, e.to_string()).into())
    };
    if !input.funding.is_empty() {
        bearing_core::people::check_funding(&input.funding)
            .map_err(|e| AppError::invalid("funding", e))?;
    }
    let request = scenarios::HireInput {
        role: input.role,
        level: input.level,
        step: input.step.unwrap_or(1),
        fte: input.fte.unwrap_or(1.0),
        start: month("start", &input.start)?,
        end: input.end.as_deref().map(|e| month("end", e)).transpose()?,
        funding: input.funding,
        payment: input.payment,
    };
    let answer =
        scenarios::hire(&state.store, &caller.ctx(), request, caller.ctx().today()).await?;
    Ok(Json(answer.into()))
}
