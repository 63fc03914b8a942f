//! How large a request body may be, by route: a few kilobytes for the forms anyone may send
//! without signing in, tens of megabytes for import files, and a quarter of a megabyte for
//! everything else. A larger body is refused with 413 before it is read, when its length is
//! declared, and as soon as it grows past the limit otherwise.

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::{MAX_BODY, MAX_IMPORT_BODY, MAX_PUBLIC_BODY};

/// The limit of a request to `path`.
fn body_limit(path: &str) -> usize {
    match path {
        "/login" | "/setup" => MAX_PUBLIC_BODY,
        "/imports" => MAX_IMPORT_BODY,
        p if p.starts_with("/api/v1/imports/") => MAX_IMPORT_BODY,
        _ => MAX_BODY,
    }
}

pub(crate) async fn bodies(request: Request, next: Next) -> Response {
    let limit = body_limit(request.uri().path());
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body is larger than this route accepts ({limit} bytes)"),
        )
            .into_response();
    }
    let request =
        request.map(|body| axum::body::Body::new(http_body_util::Limited::new(body, limit)));
    next.run(request).await
}
