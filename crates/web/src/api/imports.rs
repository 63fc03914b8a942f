//! `/imports`: CSV files, planned whole and written all or nothing.

use axum::Json;
use axum::extract::{Query, State};
use bearing_app::import;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::types::{ImportReport, ImportRow};
use crate::auth::Caller;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(deals))
        .routes(routes!(organizations))
        .routes(routes!(contacts))
}

/// How to import.
#[derive(Debug, Default, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ImportQuery {
    /// Plan only: report what would be created, updated and left alone, and write nothing.
    #[serde(default)]
    dry_run: bool,
    /// The file's name, for error messages.
    file: Option<String>,
}

fn file(q: &ImportQuery) -> String {
    q.file.clone().unwrap_or_else(|| "upload.csv".to_owned())
}

fn record_report<T>(plan: &import::RecordPlan<T>, dry_run: bool) -> ImportReport {
    ImportReport {
        dry_run,
        created: plan
            .creates
            .iter()
            .map(|r| ImportRow {
                line: r.line,
                key: r.key.clone(),
                id: None,
                changes: Vec::new(),
            })
            .collect(),
        updated: plan
            .updates
            .iter()
            .map(|(r, id, changes)| ImportRow {
                line: r.line,
                key: r.key.clone(),
                id: Some(*id),
                changes: changes.clone(),
            })
            .collect(),
        unchanged: plan
            .unchanged
            .iter()
            .map(|(line, key, id)| ImportRow {
                line: *line,
                key: key.clone(),
                id: Some(*id),
                changes: Vec::new(),
            })
            .collect(),
    }
}

/// Import the CRM's deal export (CSV in the body): an idempotent upsert keyed by the CRM's id
/// that records each change in the deal history with source `import`.
#[utoipa::path(post, path = "/imports/deals", security(("token" = ["edit-crm"])), tag = "imports", params(ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportReport), (status = 422, description = "Every problem, by line and column", body = ErrorBody)))]
async fn deals(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ImportQuery>,
    body: String,
) -> Result<Json<ImportReport>, ApiError> {
    let plan = import::import_deals(
        &state.store,
        &caller.ctx(),
        &file(&q),
        body.as_bytes(),
        q.dry_run,
    )
    .await?;
    Ok(Json(ImportReport {
        dry_run: q.dry_run,
        created: plan
            .creates
            .iter()
            .map(|c| ImportRow {
                line: c.line,
                key: c.crm_id.clone(),
                id: None,
                changes: Vec::new(),
            })
            .collect(),
        updated: plan
            .updates
            .iter()
            .map(|u| ImportRow {
                line: u.line,
                key: u.crm_id.clone(),
                id: Some(u.deal.get()),
                changes: u
                    .changes
                    .iter()
                    .map(|c| c.field.to_owned())
                    .chain(u.other_changes.iter().cloned())
                    .collect(),
            })
            .collect(),
        unchanged: plan
            .unchanged
            .iter()
            .map(|u| ImportRow {
                line: u.line,
                key: u.crm_id.clone(),
                id: Some(u.deal.get()),
                changes: Vec::new(),
            })
            .collect(),
    }))
}

/// Import organizations (CSV in the body), matched by name.
#[utoipa::path(post, path = "/imports/organizations", security(("token" = ["edit-crm"])), tag = "imports", params(ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportReport), (status = 422, body = ErrorBody)))]
async fn organizations(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ImportQuery>,
    body: String,
) -> Result<Json<ImportReport>, ApiError> {
    let plan = import::import_organizations(
        &state.store,
        &caller.ctx(),
        &file(&q),
        body.as_bytes(),
        q.dry_run,
    )
    .await?;
    Ok(Json(record_report(&plan, q.dry_run)))
}

/// Import contacts (CSV in the body), matched by email.
#[utoipa::path(post, path = "/imports/contacts", security(("token" = ["edit-crm"])), tag = "imports", params(ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportReport), (status = 422, body = ErrorBody)))]
async fn contacts(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ImportQuery>,
    body: String,
) -> Result<Json<ImportReport>, ApiError> {
    let plan = import::import_contacts(
        &state.store,
        &caller.ctx(),
        &file(&q),
        body.as_bytes(),
        q.dry_run,
    )
    .await?;
    Ok(Json(record_report(&plan, q.dry_run)))
}
