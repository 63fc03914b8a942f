//! Bearing's HTTP server: the router, its middleware and the error policy of the web edge.
//!
//! Architecture invariant: this is the only crate that knows HTTP. Handlers turn a request into
//! a call of an application service and its result into a response; they hold no business
//! rules of their own.

pub mod api;
mod error;
mod health;

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, Request, StatusCode};
use bearing_store::Store;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

pub use error::{ApiError, ErrorBody, ErrorObject};

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
}

/// Settings of the web edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebConfig {
    /// A request that takes longer is answered 408 and abandoned.
    pub request_timeout: Duration,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(30),
        }
    }
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application: routes and middleware. Every request gets an `x-request-id` (kept
/// when the client sent one), is logged with it, is cut off after the configured timeout, and
/// a panic in a handler becomes an opaque 500 instead of a dropped connection.
pub fn router(state: AppState, config: WebConfig) -> Router {
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &Request<_>| {
            let id = request
                .headers()
                .get(&REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", method = %request.method(), uri = %request.uri(), request_id = %id)
        })
        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO));
    let (api, openapi) = api::router();
    let openapi = std::sync::Arc::new(openapi);
    Router::new()
        .merge(health::routes())
        .merge(api)
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(move || {
                let openapi = openapi.clone();
                async move { axum::Json(openapi.as_ref().clone()) }
            }),
        )
        .fallback(error::not_found)
        .with_state(state)
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(trace)
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// Serves until `shutdown` completes, then stops accepting and lets requests in flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("interrupted: shutting down"),
        () = terminate => tracing::info!("terminated: shutting down"),
    }
}
