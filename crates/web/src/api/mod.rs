//! The JSON API under `/api/v1`, described by the OpenAPI 3.1 document it serves at
//! `/api/v1/openapi.json`. Every handler calls the same application services as the command
//! line; changes are recorded with source `api`.
//!
//! Every request carries an API token (`Authorization: Bearer brg_…`) or a session cookie;
//! changes are recorded as made by the token's user.

mod campaigns;
mod clusters;
mod contacts;
mod deals;
mod history;
mod imports;
mod organizations;
mod people;
mod pipelines;
mod reports;
pub mod types;

use axum::Json;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use bearing_formats::{Format, Table};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::{ApiError, AppState};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Bearing",
        description = "Partnerships and sustainability for a small, fiscally sponsored nonprofit: organizations, contacts, deals and the pipeline, campaigns, clusters and hubs and their usage, imports and the audit trail.",
        license(name = "AGPL-3.0-or-later")
    ),
    tags(
        (name = "deals", description = "Deals, their stages and their history"),
        (name = "organizations", description = "Communities, funders, partners and the sponsor"),
        (name = "contacts", description = "People at organizations"),
        (name = "campaigns", description = "Lead-generation experiments"),
        (name = "pipelines", description = "Pipelines and their stages"),
        (name = "imports", description = "CSV imports, all or nothing"),
        (name = "history", description = "The audit trail"),
        (name = "usage", description = "Clusters and hubs, whose monthly active users are priced"),
        (name = "people", description = "Roles, salary bands, people and what the team costs; pay only for those who may see it"),
        (name = "reports", description = "Projections, scenarios, the scorecard and the assumptions behind them")
    )
)]
struct ApiDoc;

/// The API's routes and its OpenAPI document.
pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    // The document's info and tags are Bearing's: the outer router carries them.
    let api = OpenApiRouter::new()
        .merge(deals::routes())
        .merge(organizations::routes())
        .merge(contacts::routes())
        .merge(campaigns::routes())
        .merge(clusters::routes())
        .merge(people::routes())
        .merge(pipelines::routes())
        .merge(imports::routes())
        .merge(history::routes())
        .merge(reports::routes());
    let (router, mut openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", api)
        .split_for_parts();
    openapi.info.version = env!("CARGO_PKG_VERSION").to_owned();
    (router, openapi)
}

/// `?format=csv` turns a list into a CSV download; JSON is the default.
#[derive(Debug, Clone, Copy, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ListFormat {
    #[default]
    Json,
    Csv,
}

/// A list as JSON, or as the CSV of `table` when asked for.
pub(crate) fn list_response<T: serde::Serialize>(
    format: ListFormat,
    items: Vec<T>,
    table: impl FnOnce() -> Table,
) -> Result<Response, ApiError> {
    match format {
        ListFormat::Json => Ok(Json(items).into_response()),
        ListFormat::Csv => {
            let mut out = Vec::new();
            table()
                .write(Format::Csv, &mut out)
                .map_err(|e| ApiError::from(bearing_app::AppError::Internal(e.to_string())))?;
            Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], out).into_response())
        }
    }
}
