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
mod headers;
mod health;
mod limits;
mod markdown;
mod pages;

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::http::{Request, StatusCode};
use bearing_store::Store;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

pub use axum::http::HeaderName;
pub use error::{ApiError, ErrorBody, ErrorObject};
pub use headers::CONTENT_SECURITY_POLICY;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    /// The one-time token of the setup link `serve` prints when there are no users yet.
    pub setup_token: Option<std::sync::Arc<str>>,
    /// What the pages read, kept while the data version stays the same.
    pub snapshots: std::sync::Arc<bearing_app::snapshot::Snapshots>,
    /// Session lengths and the per-address sign-in throttle.
    pub sign_ins: std::sync::Arc<bearing_app::accounts::SignIns>,
    /// Whether session cookies are `Secure`.
    pub cookie_secure: CookieSecure,
    /// The header a trusted reverse proxy puts the client's address in, if any.
    pub trusted_proxy_header: Option<HeaderName>,
    /// Whether every signed-in user sees cash (net assets, typed-in costs, the scorecard).
    pub members_see_cash: bool,
    /// Every route's rule, gathered by [`router`] from where the routes are registered.
    pub rules: std::sync::Arc<access::Rules>,
}

impl AppState {
    pub fn new(store: Store) -> Self {
        AppState {
            store,
            setup_token: None,
            snapshots: std::sync::Arc::default(),
            sign_ins: std::sync::Arc::default(),
            cookie_secure: CookieSecure::Auto,
            trusted_proxy_header: None,
            members_see_cash: true,
            rules: std::sync::Arc::default(),
        }
    }

    /// The client's address: as a trusted proxy names it (the last address in its header,
    /// the one the proxy added), else the peer of the connection, else `unknown` (tests).
    pub fn client_address(&self, request: &axum::http::request::Parts) -> String {
        if let Some(name) = &self.trusted_proxy_header
            && let Some(value) = request.headers.get(name).and_then(|v| v.to_str().ok())
            && let Some(last) = value.rsplit(',').map(str::trim).find(|a| !a.is_empty())
        {
            return last.chars().take(64).collect();
        }
        request
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string())
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

/// When the session cookie carries `Secure` (and so the `__Host-` name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieSecure {
    /// Always: Bearing is reached over HTTPS (directly or through a proxy).
    Always,
    /// Only when a proxy says the request came over HTTPS (`X-Forwarded-Proto: https`): for
    /// trying Bearing on this machine over plain HTTP.
    Auto,
}

/// Settings of the web edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebConfig {
    /// A request that takes longer is answered 408 and abandoned.
    pub request_timeout: Duration,
    pub cookie_secure: CookieSecure,
    pub trusted_proxy_header: Option<HeaderName>,
    pub sessions: bearing_app::accounts::SessionLimits,
    /// Whether everyone signed in sees cash, as if every role held `read-cash` (docs/security.md).
    pub members_see_cash: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(30),
            cookie_secure: CookieSecure::Auto,
            trusted_proxy_header: None,
            sessions: bearing_app::accounts::SessionLimits::default(),
            members_see_cash: true,
        }
    }
}

/// The largest body of most requests: forms and JSON edits are a few kilobytes.
pub const MAX_BODY: usize = 256 * 1024;
/// The largest body of a form anyone may send without signing in (sign-in, setup).
pub const MAX_PUBLIC_BODY: usize = 16 * 1024;
/// The largest import file: room for a CRM export of tens of thousands of deals.
pub const MAX_IMPORT_BODY: usize = 32 * 1024 * 1024;

/// Limits of the HTTP server itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLimits {
    /// Connections open at once; more wait to be accepted.
    pub max_connections: usize,
    /// A client that has not sent a request's headers within this is disconnected.
    pub header_read_timeout: Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            max_connections: 512,
            header_read_timeout: Duration::from_secs(10),
        }
    }
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application: routes and middleware. Every request gets an `x-request-id` (kept
/// when the client sent one), is logged with it, is cut off after the configured timeout, and
/// a panic in a handler becomes an opaque 500 instead of a dropped connection.
pub fn router(mut state: AppState, config: WebConfig) -> Router {
    state.cookie_secure = config.cookie_secure;
    state.trusted_proxy_header = config.trusted_proxy_header.clone();
    state.members_see_cash = config.members_see_cash;
    state.sign_ins = std::sync::Arc::new(bearing_app::accounts::SignIns::new(config.sessions));
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &Request<_>| {
            let id = request
                .headers()
                .get(&REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            // The path only: a query may hold a secret (the setup link's token).
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
        })
        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO));
    let (app, inventory) = routes();
    // axum itself refuses a route registered twice, so this cannot fail once the router is
    // built; the message is for whoever breaks that.
    state.rules = std::sync::Arc::new(
        access::Rules::new(&inventory).unwrap_or_else(|e| panic!("the routes' rules: {e}")),
    );
    app.route_layer(axum::middleware::from_fn_with_state(
        state.clone(),
        auth::guard,
    ))
    .fallback(error::not_found)
    .with_state(state.clone())
    .layer(tower_http::csrf::CsrfLayer::new())
    .layer(axum::middleware::from_fn(limits::bodies))
    // `limits::bodies` is the one limit, by route; axum's own default would cut imports.
    .layer(axum::extract::DefaultBodyLimit::disable())
    .layer(axum::middleware::from_fn_with_state(state, error::refusals))
    .layer(axum::middleware::from_fn(headers::secure))
    .layer(CatchPanicLayer::custom(error::panic_response))
    .layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        config.request_timeout,
    ))
    .layer(PropagateRequestIdLayer::new(REQUEST_ID))
    .layer(trace)
    .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// Every route, and the inventory of what was registered with its rule: (method, path
/// template, rule). The guard checks the rules; the router tests walk the inventory to prove
/// that each route enforces its rule.
pub fn routes() -> (
    Router<AppState>,
    Vec<(axum::http::Method, String, access::Rule)>,
) {
    let (api, openapi) = api::router();
    let mut inventory = api::rules(&openapi);
    let (pages, page_routes) = pages::routes().into_parts();
    inventory.extend(
        page_routes
            .into_iter()
            .map(|(m, p, rule)| (m, p.to_owned(), rule)),
    );
    for path in ["/healthz", "/readyz", "/api/v1/openapi.json"] {
        inventory.push((
            axum::http::Method::GET,
            path.to_owned(),
            access::Rule::Public,
        ));
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
/// At most `limits.max_connections` connections are open at once (the next waits to be
/// accepted), and a client that does not send its request's headers within
/// `limits.header_read_timeout` is disconnected, so slow or idle clients cannot hold the
/// server. Each request carries its peer's address (`ConnectInfo`).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt as _;

    let connections =
        std::sync::Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service =
            app.clone()
                .map_request(move |mut request: Request<hyper::body::Incoming>| {
                    request
                        .extensions_mut()
                        .insert(axum::extract::ConnectInfo(peer));
                    request.map(axum::body::Body::new)
                });
        let service = hyper_util::service::TowerToHyperService::new(service);
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout);
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
            drop(permit);
        });
    }
    graceful.shutdown().await;
    Ok(())
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
