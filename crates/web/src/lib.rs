//! Bearing's HTTP server: the router, its middleware and the error policy of the web edge.
//!
//! Architecture invariant: this is the only crate that knows HTTP. Handlers turn a request into
//! a call of an application service and its result into a response; they hold no business
//! rules of their own.

pub mod access;
pub mod api;
pub mod auth;
mod charts;
mod error;
mod health;
mod pages;

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
    /// The one-time token of the setup link `serve` prints when there are no users yet.
    pub setup_token: Option<std::sync::Arc<str>>,
    /// What the pages read, kept while the data version stays the same.
    pub snapshots: std::sync::Arc<bearing_app::snapshot::Snapshots>,
}

impl AppState {
    pub fn new(store: Store) -> Self {
        AppState {
            store,
            setup_token: None,
            snapshots: std::sync::Arc::default(),
        }
    }

    /// The data as they are now, for reading.
    pub async fn snapshot(
        &self,
    ) -> Result<std::sync::Arc<bearing_app::snapshot::Snapshot>, bearing_app::AppError> {
        self.snapshots.now(&self.store).await
    }

    pub fn with_setup_token(mut self, token: impl Into<std::sync::Arc<str>>) -> Self {
        self.setup_token = Some(token.into());
        self
    }
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

/// The largest request body accepted: room for a CRM export of tens of thousands of deals.
const MAX_BODY: usize = 32 * 1024 * 1024;

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
    let (app, _) = routes();
    app.route_layer(axum::middleware::from_fn_with_state(
        state.clone(),
        auth::guard,
    ))
    .fallback(error::not_found)
    .with_state(state)
    .layer(tower_http::csrf::CsrfLayer::new())
    .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
    .layer(CatchPanicLayer::custom(error::panic_response))
    .layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        config.request_timeout,
    ))
    .layer(PropagateRequestIdLayer::new(REQUEST_ID))
    .layer(trace)
    .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// Every route, and the inventory of what was registered: (method, path template). The router
/// tests walk the inventory to prove that each route has an access rule and enforces it.
pub fn routes() -> (Router<AppState>, Vec<(axum::http::Method, String)>) {
    let (api, openapi) = api::router();
    let mut inventory: Vec<(axum::http::Method, String)> = Vec::new();
    for (path, item) in &openapi.paths.paths {
        for method in [
            axum::http::Method::GET,
            axum::http::Method::POST,
            axum::http::Method::PUT,
            axum::http::Method::PATCH,
            axum::http::Method::DELETE,
        ] {
            let present = match method.as_str() {
                "GET" => item.get.is_some(),
                "POST" => item.post.is_some(),
                "PUT" => item.put.is_some(),
                "PATCH" => item.patch.is_some(),
                _ => item.delete.is_some(),
            };
            if present {
                inventory.push((method, path.clone()));
            }
        }
    }
    let (pages, page_routes) = pages::routes().into_parts();
    inventory.extend(page_routes.into_iter().map(|(m, p)| (m, p.to_owned())));
    for path in ["/healthz", "/readyz", "/api/v1/openapi.json"] {
        inventory.push((axum::http::Method::GET, path.to_owned()));
    }
    let openapi = std::sync::Arc::new(openapi);
    let router = Router::new()
        .merge(health::routes())
        .merge(api)
        .merge(pages)
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(move || {
                let openapi = openapi.clone();
                async move { axum::Json(openapi.as_ref().clone()) }
            }),
        );
    (router, inventory)
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
