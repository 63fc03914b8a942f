//! Authentication and authorization of every request.
//!
//! The [`guard`] middleware finds the route's [`Rule`], identifies the
//! caller by an API token (`Authorization: Bearer brg_…`) or the session cookie, and lets the
//! request through only when the caller's role allows the route. The API answers refusals
//! with JSON 401 or 403; pages send an anonymous visitor to the sign-in page and show a
//! signed-in one why they cannot go on.

use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use bearing_app::Context;
use bearing_app::accounts::Secret;
use bearing_core::access::{Permission, Permissions};
use bearing_core::{Actor, Source};
use bearing_store::UserRecord;

use crate::access::Rule;
use crate::{ApiError, AppState, CookieSecure};

/// The name of the session cookie over plain HTTP.
pub const SESSION_COOKIE: &str = "bearing_session";
/// Its name when it is `Secure`: the `__Host-` prefix makes browsers refuse it unless it is
/// secure, for the whole site and set by this host, so a sibling subdomain cannot plant one.
pub const SECURE_SESSION_COOKIE: &str = "__Host-bearing_session";

/// The signed-in caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: UserRecord,
    /// What the caller may do: what their role grants, and cash where everyone sees it.
    pub permissions: Permissions,
    /// The routes' rules, to tell which pages and forms the caller may open.
    rules: std::sync::Arc<crate::access::Rules>,
    /// Whether the caller came with a session cookie (a browser) or an API token.
    pub session: Option<Secret>,
}

impl Caller {
    fn new(state: &AppState, user: UserRecord, session: Option<Secret>) -> Caller {
        Caller {
            permissions: bearing_app::sight::effective(user.permissions, state.members_see_cash),
            rules: state.rules.clone(),
            user,
            session,
        }
    }

    /// Whether the caller may open the route `method` `path` (a template as registered).
    pub fn may_open(&self, method: &axum::http::Method, path: &str) -> bool {
        match self.rules.rule(method, path) {
            Some(Rule::Public) => true,
            Some(Rule::Signed(permission)) => self.may(permission),
            None => false,
        }
    }

    /// The context in which the caller's changes are made and recorded.
    pub fn ctx(&self) -> Context {
        let actor = Actor::parse(&self.user.email)
            .unwrap_or_else(|_| unreachable!("stored emails are valid actors"));
        let source = if self.session.is_some() {
            Source::Web
        } else {
            Source::Api
        };
        Context::user(actor, source, self.user.id, self.permissions)
    }

    /// Whether the caller holds `permission`.
    pub fn may(&self, permission: Permission) -> bool {
        self.permissions.contains(permission)
    }

    /// The owned figures the caller may see.
    pub fn sight(&self) -> bearing_app::sight::Sight {
        bearing_app::sight::Sight::of(self.permissions)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "sign in first"))
    }
}

/// The secret of the session cookie, if the request carries one (by either name).
pub fn session_cookie(headers: &HeaderMap) -> Option<Secret> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SECURE_SESSION_COOKIE || *name == SESSION_COOKIE)
        .map(|(_, value)| Secret::from_client(value))
}

fn bearer(headers: &HeaderMap) -> Option<Secret> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| Secret::from_client(token.trim()))
}

/// Whether the request reached Bearing over HTTPS (through a proxy that says so).
fn over_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// The `Set-Cookie` value that stores a session in the browser (or, with `None`, removes it).
/// It is `Secure` and named `__Host-…` when the configuration says always, or when it says
/// auto and a proxy says the request came over HTTPS.
pub fn session_set_cookie(
    state: &AppState,
    secret: Option<&Secret>,
    request: &HeaderMap,
) -> HeaderValue {
    let secure = match state.cookie_secure {
        CookieSecure::Always => true,
        CookieSecure::Auto => over_https(request),
    };
    let (name, flag) = if secure {
        (SECURE_SESSION_COOKIE, "; Secure")
    } else {
        (SESSION_COOKIE, "")
    };
    let text = match secret {
        Some(secret) => format!(
            "{name}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{flag}",
            secret.expose(),
            state.sign_ins.sessions.absolute.as_secs()
        ),
        None => format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{flag}"),
    };
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The middleware: see the module documentation.
pub async fn guard(
    State(state): State<AppState>,
    matched: Option<MatchedPath>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = matched.as_ref().map_or("", |m| m.as_str());
    let api = path.starts_with("/api/");
    // HEAD is answered by the GET route.
    let method = if request.method() == axum::http::Method::HEAD {
        &axum::http::Method::GET
    } else {
        request.method()
    };
    let Some(rule) = state.rules.rule(method, path) else {
        if state.rules.knows(path) {
            // The route exists with other methods: the router answers 405 and runs nothing.
            return next.run(request).await;
        }
        tracing::error!(method = %request.method(), path, "route without an access rule: refused");
        return refuse(api, StatusCode::FORBIDDEN, "this route has no access rule");
    };
    let required = match rule {
        Rule::Public => return next.run(request).await,
        Rule::Signed(permission) => permission,
    };
    let caller = match identify(&state, request.headers()).await {
        Ok(caller) => caller,
        Err(error) => return error.into_response(),
    };
    let Some(caller) = caller else {
        if api {
            let mut response = refuse(
                true,
                StatusCode::UNAUTHORIZED,
                "sign in first: send an API token as `Authorization: Bearer brg_…`",
            );
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return response;
        }
        let next_page = request
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        let target = if request.method() == axum::http::Method::GET && next_page != "/" {
            format!("/login?next={}", crate::pages::encode_query(&next_page))
        } else {
            "/login".to_owned()
        };
        return Redirect::to(&target).into_response();
    };
    if let Err(refusal) = caller.ctx().require(required) {
        let message = format!("your role ({}): {refusal}", caller.user.role);
        if api {
            return refuse(true, StatusCode::FORBIDDEN, &message);
        }
        return crate::pages::forbidden(&caller, &message);
    }
    request.extensions_mut().insert(caller.clone());
    let mut response = next.run(request).await;
    // A page's refusal is drawn as a page for this caller (`error::refusals`).
    if !api && (response.status().is_client_error() || response.status().is_server_error()) {
        response.extensions_mut().insert(caller);
    }
    response
}

/// The signed-in caller of a request no route matched, to draw its error page with the
/// caller's navigation.
pub(crate) async fn caller_of(state: &AppState, headers: &HeaderMap) -> Option<Caller> {
    identify(state, headers).await.ok().flatten()
}

async fn identify(state: &AppState, headers: &HeaderMap) -> Result<Option<Caller>, ApiError> {
    if let Some(token) = bearer(headers) {
        let user = state.sign_ins.token_user(&state.store, &token).await?;
        return Ok(user.map(|user| Caller::new(state, user, None)));
    }
    let Some(secret) = session_cookie(headers) else {
        return Ok(None);
    };
    let user = state.sign_ins.session_user(&state.store, &secret).await?;
    Ok(user.map(|user| Caller::new(state, user, Some(secret))))
}

fn refuse(api: bool, status: StatusCode, message: &str) -> Response {
    if api {
        ApiError::new(status, message).into_response()
    } else {
        (status, message.to_owned()).into_response()
    }
}
