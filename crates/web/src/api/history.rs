//! `/history`: the audit trail of one record.

use axum::Json;
use axum::extract::{Path, State};
use bearing_app::AppError;
use bearing_core::EntityKind;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::types::AuditView;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(show))
}

/// Every recorded change to one record, oldest first: who, when, through which front door, and
/// its values before and after.
#[utoipa::path(get, path = "/history/{kind}/{id}", security(("token" = ["read"])), tag = "history",
    params(("kind" = String, Path, description = "organization, deal, pipeline, stage, campaign or contact"), ("id" = String, Path)),
    responses((status = 200, body = Vec<AuditView>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn show(
    State(state): State<AppState>,
    caller: crate::auth::Caller,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Json<Vec<AuditView>>, ApiError> {
    let kind: EntityKind = kind
        .parse()
        .map_err(|e: bearing_core::ParseError| AppError::invalid("kind", e.to_string()))?;
    let records = bearing_app::history::of(&state.store, &caller.ctx(), kind, &id).await?;
    Ok(Json(records.into_iter().map(AuditView::from).collect()))
}
