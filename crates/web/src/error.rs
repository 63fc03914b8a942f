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

/// Every refusal of the API in the one JSON shape: the extractors' own refusals (a body that
/// is not UTF-8 or not JSON, a body over the limit, a path id that does not fit, a method the
/// route does not have) arrive as plain text, and are rewritten here with their words kept.
pub(crate) async fn json_refusals(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !api || is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = match axum::body::to_bytes(body, 64 * 1024).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_owned(),
        Err(_) => String::new(),
    };
    let detail = if text.is_empty() {
        status
            .canonical_reason()
            .unwrap_or("refused")
            .to_lowercase()
    } else {
        text
    };
    let mut rewritten = ApiError::new(status, detail).into_response();
    for (name, value) in &parts.headers {
        if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            rewritten.headers_mut().insert(name, value.clone());
        }
    }
    rewritten
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
        AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
        AppError::Unsupported(_) => StatusCode::NOT_IMPLEMENTED,
        AppError::Schema(_) | AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A record's id from a path: a number no record of the kind can have (zero, negative) is a
/// record that does not exist.
pub(crate) fn path_id<T: std::str::FromStr>(what: &str, raw: i64) -> Result<T, AppError> {
    raw.to_string()
        .parse()
        .map_err(|_| AppError::NotFound(format!("no {what} with id {raw}")))
}
