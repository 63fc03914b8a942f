//! The error policy of the web edge.
//!
//! - `core`, `store` and `app` return typed errors (thiserror); the web edge maps each
//!   [`AppError`] to exactly one status code, here and nowhere else.
//! - Every error body has one JSON shape: `{"errors":[{"detail":"…"}]}`; the problems of an
//!   import also carry their `line`, `column` and `value`.
//! - 4xx details say what was wrong so the client can fix it. 5xx bodies are opaque
//!   ("internal error, see the server log"); the cause is logged with the request's id.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bearing_app::AppError;

/// The body of every error response.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub errors: Vec<ErrorObject>,
}

/// One problem. Import problems also say where in the file.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorObject {
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// An error on its way to becoming a response.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    detail: String,
    rows: Vec<ErrorObject>,
}

impl ApiError {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
            rows: Vec::new(),
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        let status = status_of(&error);
        let rows = match &error {
            AppError::Import(errors) => errors
                .iter()
                .map(|e| ErrorObject {
                    detail: e.to_string(),
                    line: Some(e.line),
                    column: (!e.column.is_empty()).then(|| e.column.clone()),
                    value: (!e.column.is_empty()).then(|| e.value.clone()),
                })
                .collect(),
            _ => Vec::new(),
        };
        ApiError {
            status,
            detail: error.to_string(),
            rows,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let detail = if self.status.is_server_error() {
            tracing::error!(status = %self.status, cause = %self.detail, "request failed");
            match self.status {
                StatusCode::SERVICE_UNAVAILABLE => {
                    "service unavailable, see the server log".to_owned()
                }
                _ => "internal error, see the server log".to_owned(),
            }
        } else {
            self.detail
        };
        let errors = if self.rows.is_empty() || self.status.is_server_error() {
            vec![ErrorObject {
                detail,
                line: None,
                column: None,
                value: None,
            }]
        } else {
            self.rows
        };
        (self.status, Json(ErrorBody { errors })).into_response()
    }
}

pub(crate) async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        format!("no such page: {}", uri.path()),
    )
}

pub(crate) fn panic_response(cause: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = cause
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| cause.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("handler panicked: {message}"),
    )
    .into_response()
}

/// The one status code of each kind of application error.
pub(crate) fn status_of(error: &AppError) -> StatusCode {
    match error {
        AppError::Invalid { .. } | AppError::Import(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Unsupported(_) => StatusCode::NOT_IMPLEMENTED,
        AppError::Schema(_) | AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
