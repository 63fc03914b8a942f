//! Headers every response carries: a Content-Security-Policy that allows only Bearing's own
//! scripts, styles and images and no framing, `nosniff`, a same-origin referrer, and
//! `Cache-Control: no-store` on everything but the static files, so that no page or answer a
//! signed-in user received stays in a shared or browser cache.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The policy. Pages use one stylesheet and the board's script, both from `/static`; charts
/// are inline SVG styled by classes of that stylesheet, so nothing inline needs allowing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; frame-ancestors 'none'; \
     form-action 'self'; base-uri 'none'; object-src 'none'";

pub(crate) async fn secure(request: Request, next: Next) -> Response {
    let cacheable = request.uri().path().starts_with("/static/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !cacheable {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
