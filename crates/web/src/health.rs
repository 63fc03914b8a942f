//! Liveness and readiness for load balancers and orchestrators.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use bearing_store::SchemaStatus;

use crate::{ApiError, AppState};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// The process is up. Never touches the database, so a slow database does not get the
/// process restarted.
async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// The process can serve: the database answers and its schema is current.
async fn readyz(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let unavailable = |detail: String| ApiError::from(bearing_app::AppError::Unavailable(detail));
    state
        .store
        .ping()
        .await
        .map_err(|e| unavailable(e.to_string()))?;
    match state
        .store
        .schema_status()
        .await
        .map_err(|e| unavailable(e.to_string()))?
    {
        SchemaStatus::Current { version } => Ok(Json(serde_json::json!({
            "status": "ready",
            "database": state.store.backend().to_string(),
            "schema": version,
        }))),
        other => Err(unavailable(format!(
            "database schema is not current: {other:?}"
        ))),
    }
}
