//! `/reports` and `/assumptions`: the forecast's tables and the assumptions behind them.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use bearing_app::AppError;
use bearing_formats::Format;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ListFormat;
use crate::auth::Caller;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(report))
        .routes(routes!(current, set))
        .routes(routes!(history))
}

fn today() -> bearing_core::Date {
    jiff::Zoned::now().date()
}

/// `format=csv` downloads the report as CSV.
#[derive(Debug, Default, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ReportQuery {
    #[serde(default)]
    #[param(inline)]
    format: ListFormat,
    /// The day the report is made as of, `YYYY-MM-DD` (the aging on that day, the
    /// assumptions in force then); today when not given.
    as_of: Option<String>,
}

/// A report's rows and the assumptions version that made it.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ReportView {
    pub report: String,
    pub assumptions_version: i64,
    /// One object per row, keyed by column; months are `YYYY-MM` columns.
    #[schema(value_type = Vec<Object>)]
    pub rows: serde_json::Value,
}

/// A report by name (`bearing report --help` lists them); `as_of` makes it as of another day.
#[utoipa::path(get, path = "/reports/{name}", security(("token" = ["read"])), tag = "reports", params(("name" = String, Path), ReportQuery),
    responses((status = 200, body = ReportView), (status = 422, body = ErrorBody)))]
async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let as_of = q
        .as_of
        .as_deref()
        .map(|t| bearing_core::parse_date(t).map_err(|e| AppError::invalid("as_of", e.to_string())))
        .transpose()?;
    let report = match as_of {
        // Another day's report is built for the one request.
        Some(day) if day != today() => {
            let report = bearing_app::reports::build(&state.store, &name, day).await?;
            caller.sight().check(&report)?;
            report
        }
        // From the same snapshot as the pages: built once per data version and day.
        _ => state
            .snapshot()
            .await?
            .reports(&[name.as_str()], today(), caller.sight())
            .await?
            .pop()
            .map(std::sync::Arc::unwrap_or_clone)
            .ok_or_else(|| AppError::Internal(format!("report {name} was not built")))?,
    };
    let mut bytes = Vec::new();
    let format = match q.format {
        ListFormat::Json => Format::Json,
        ListFormat::Csv => Format::Csv,
    };
    report
        .table
        .write(format, &mut bytes)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    if format == Format::Csv {
        let version = report.assumptions_version.to_string();
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::HeaderName::from_static("x-assumptions-version"),
                    version,
                ),
            ],
            bytes,
        )
            .into_response());
    }
    let rows: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Json(ReportView {
        report: report.name.to_owned(),
        assumptions_version: report.assumptions_version,
        rows,
    })
    .into_response())
}

/// A version of the assumptions.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct AssumptionsView {
    /// 0 when none is set yet and the defaults apply.
    pub version: i64,
    pub effective_from: Option<String>,
    /// Every value by key, as `bearing assumptions set` takes them.
    pub values: BTreeMap<String, String>,
}

fn values(a: &bearing_core::assumptions::Assumptions) -> BTreeMap<String, String> {
    a.entries()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
}

/// The assumptions in force today.
#[utoipa::path(get, path = "/assumptions", security(("token" = ["edit-assumptions"])), tag = "reports", responses((status = 200, body = AssumptionsView)))]
async fn current(
    State(state): State<AppState>,
    caller: crate::auth::Caller,
) -> Result<Json<AssumptionsView>, ApiError> {
    let (version, a) = bearing_app::assumptions::current(&state.store, today()).await?;
    let effective_from = bearing_app::assumptions::history(&state.store, &caller.ctx())
        .await?
        .into_iter()
        .find(|v| v.version == version)
        .map(|v| v.effective_from.to_string());
    Ok(Json(AssumptionsView {
        version,
        effective_from,
        values: values(&a),
    }))
}

/// Changes to the assumptions, making a new version.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssumptionsInput {
    /// KEY to VALUE, e.g. `{"books-closed": "2026-02", "fsp-fee": "0.15"}`.
    pub set: BTreeMap<String, String>,
    /// The day the new version takes effect (default today), YYYY-MM-DD.
    pub effective_from: Option<String>,
}

/// Make a new version of the assumptions.
#[utoipa::path(post, path = "/assumptions", security(("token" = ["edit-assumptions"])), tag = "reports", request_body = AssumptionsInput,
    responses((status = 201, body = AssumptionsView), (status = 422, body = ErrorBody)))]
async fn set(
    State(state): State<AppState>,
    caller: Caller,
    Json(input): Json<AssumptionsInput>,
) -> Result<(StatusCode, Json<AssumptionsView>), ApiError> {
    let from = match &input.effective_from {
        Some(d) => bearing_core::parse_date(d)
            .map_err(|e| AppError::invalid("effective_from", e.to_string()))?,
        None => today(),
    };
    let changes: Vec<(String, String)> = input.set.into_iter().collect();
    let record = bearing_app::assumptions::set(&state.store, &caller.ctx(), &changes, from).await?;
    Ok((
        StatusCode::CREATED,
        Json(AssumptionsView {
            version: record.version,
            effective_from: Some(record.effective_from.to_string()),
            values: values(&record.values),
        }),
    ))
}

/// Every version of the assumptions, oldest first.
#[utoipa::path(get, path = "/assumptions/history", security(("token" = ["edit-assumptions"])), tag = "reports", responses((status = 200, body = Vec<AssumptionsView>)))]
async fn history(
    State(state): State<AppState>,
    caller: crate::auth::Caller,
) -> Result<Json<Vec<AssumptionsView>>, ApiError> {
    let versions = bearing_app::assumptions::history(&state.store, &caller.ctx()).await?;
    Ok(Json(
        versions
            .into_iter()
            .map(|v| AssumptionsView {
                version: v.version,
                effective_from: Some(v.effective_from.to_string()),
                values: values(&v.values),
            })
            .collect(),
    ))
}
