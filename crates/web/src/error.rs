//! The error policy of the web edge.
//!
//! - `core`, `store` and `app` return typed errors (thiserror); the web edge maps each
//!   [`AppError`] to exactly one status code, here and nowhere else.
//! - Every error body of the API has one JSON shape: `{"errors":[{"detail":"…"}]}`; the
//!   problems of an import also carry their `line`, `column` and `value`. Pages answer an
//!   HTML page that says what went wrong and offers a way back ([`refusals`] draws the
//!   extractors' and the router's own refusals that way).
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

/// Every refusal in the shape of its door. The extractors' own refusals (a body that is not
/// UTF-8 or not JSON, a body over the limit, a path id that does not fit, a method the route
/// does not have) arrive as plain text: the API's are rewritten in the one JSON shape, the
/// pages' drawn as an HTML page with a way back, their words kept.
pub(crate) async fn refusals(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let api = path.starts_with("/api/");
    let page = !api && !matches!(path.as_str(), "/healthz" | "/readyz");
    let headers = page.then(|| request.headers().clone());
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let content_type = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if api && !content_type.starts_with("application/json") {
        let (parts, body) = response.into_parts();
        let mut rewritten = ApiError::new(status, body_text(status, body).await).into_response();
        keep_headers(&parts.headers, &mut rewritten);
        return rewritten;
    }
    if let Some(headers) = headers
        && !content_type.starts_with("text/html")
    {
        let caller = match response.extensions().get::<crate::auth::Caller>() {
            Some(caller) => Some(caller.clone()),
            None => crate::auth::caller_of(&state, &headers).await,
        };
        let (parts, body) = response.into_parts();
        let message = if status.is_server_error() {
            "Bearing could not do this; the server log says why.".to_owned()
        } else {
            sentence(&body_text(status, body).await)
        };
        let mut page = crate::pages::refusal_page(caller.as_ref(), status, message);
        keep_headers(&parts.headers, &mut page);
        return page;
    }
    response
}

/// A refusal's words, or its status's when it has none.
async fn body_text(status: StatusCode, body: axum::body::Body) -> String {
    let text = match axum::body::to_bytes(body, 64 * 1024).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_owned(),
        Err(_) => String::new(),
    };
    if text.is_empty() {
        status
            .canonical_reason()
            .unwrap_or("refused")
            .to_lowercase()
    } else {
        text
    }
}

/// A refusal's words as a sentence.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => {
            let mut out: String = first.to_uppercase().chain(chars).collect();
            if !out.ends_with('.') {
                out.push('.');
            }
            out
        }
        None => String::new(),
    }
}

/// The headers of a rewritten refusal: all but its type and length.
fn keep_headers(from: &axum::http::HeaderMap, to: &mut Response) {
    for (name, value) in from {
        if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            to.headers_mut().insert(name, value.clone());
        }
    }
}

/// A path no route has: JSON for the API, words for a page (drawn by [`refusals`]).
pub(crate) async fn not_found(uri: axum::http::Uri) -> Response {
    let detail = format!("no such page: {}", uri.path());
    if uri.path().starts_with("/api/") {
        ApiError::new(StatusCode::NOT_FOUND, detail).into_response()
    } else {
        (StatusCode::NOT_FOUND, detail).into_response()
    }
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
