//! Signing in and out, the first administrator's setup, and one's own account.

use crate::access::Rule::{Public, Signed};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bearing_app::accounts::{self, Attempt, MIN_PASSWORD_CHARS, SignedIn};
use bearing_app::{AppError, Context};
use bearing_core::access::Permission::Read;
use bearing_core::{Actor, Source};

use super::{Layout, PathId, Routes, error_page, ok, render, see_other};
use crate::AppState;
use crate::auth::{Caller, session_cookie, session_set_cookie};

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/login", Public, login_page)
        .post("/login", Public, login)
        .get("/setup", Public, setup_page)
        .post("/setup", Public, setup)
        .post("/logout", Signed(Read), logout)
        .get("/account", Signed(Read), account)
        .post("/account/password", Signed(Read), change_password)
        .post("/account/tokens", Signed(Read), create_token)
        .post("/account/tokens/{id}/revoke", Signed(Read), revoke_token)
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    errors: Vec<String>,
    email: String,
    next: String,
}

#[derive(Debug, Default, serde::Deserialize)]
struct LoginQuery {
    next: Option<String>,
}

/// Only a path on this site: one `/` followed by a path character, and nothing a browser could
/// read as another host (`//host`, `/\\host`, or `/\thost`, from which browsers drop the tab).
fn safe_next(next: Option<&str>) -> String {
    let path_char = |c: char| c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@%".contains(c);
    match next {
        Some(n)
            if n == "/"
                || (n.starts_with('/')
                    && n[1..].starts_with(path_char)
                    && !n.contains(|c: char| c == '\\' || c.is_control() || c.is_whitespace())) =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

async fn login_page(State(state): State<AppState>, Query(q): Query<LoginQuery>) -> Response {
    if state.setup_token.is_some() && state.store.count_users().await.unwrap_or(1) == 0 {
        return render(
            StatusCode::OK,
            &super::MessagePage {
                layout: Layout::anonymous("Set up Bearing"),
                message: "Bearing has no users yet. Open the setup link that `bearing serve` printed, or add an administrator with `bearing user add EMAIL --role admin`.".into(),
                link: None,
            },
        );
    }
    ok(&LoginPage {
        layout: Layout::anonymous("Sign in"),
        errors: Vec::new(),
        email: String::new(),
        next: safe_next(q.next.as_deref()),
    })
}

#[derive(Debug, serde::Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

/// The response to a successful sign-in: the cookie and a redirect.
fn signed_in(state: &AppState, signed: &SignedIn, request: &HeaderMap, to: &str) -> Response {
    let mut response = see_other(to);
    response.headers_mut().insert(
        header::SET_COOKIE,
        session_set_cookie(state, Some(&signed.secret), request),
    );
    response
}

async fn login(
    State(state): State<AppState>,
    request: axum::http::request::Parts,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    let address = state.client_address(&request);
    let attempt = Attempt {
        email: &form.email,
        password: &form.password,
        address: &address,
    };
    match state.sign_ins.sign_in(&state.store, attempt).await {
        Ok(signed) => signed_in(&state, &signed, &request.headers, &next),
        Err(error) => {
            let status = crate::error::status_of(&error);
            if status.is_server_error() {
                tracing::error!(%error, "sign-in failed");
            }
            render(
                status,
                &LoginPage {
                    layout: Layout::anonymous("Sign in"),
                    errors: vec![if status.is_server_error() {
                        "Bearing could not sign you in; the server log says why.".to_owned()
                    } else {
                        error.to_string()
                    }],
                    email: form.email,
                    next,
                },
            )
        }
    }
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    layout: Layout,
    errors: Vec<String>,
    token: String,
    email: String,
    name: String,
    min_password: usize,
}

#[derive(Debug, Default, serde::Deserialize)]
struct SetupQuery {
    token: Option<String>,
}

/// Whether `token` is the install's one-time setup token and nobody has an account yet.
async fn setup_allowed(state: &AppState, token: Option<&str>) -> Result<bool, AppError> {
    let matches = match (state.setup_token.as_deref(), token) {
        (Some(expected), Some(given)) => constant_time_eq(expected.as_bytes(), given.as_bytes()),
        _ => false,
    };
    Ok(matches && state.store.count_users().await? == 0)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn setup_refused() -> Response {
    render(
        StatusCode::FORBIDDEN,
        &super::MessagePage {
            layout: Layout::anonymous("Setup link not valid"),
            message: "This setup link is not valid: Bearing already has users, or the link is from an earlier start of `bearing serve`. Sign in instead.".into(),
            link: None,
        },
    )
}

async fn setup_page(State(state): State<AppState>, Query(q): Query<SetupQuery>) -> Response {
    match setup_allowed(&state, q.token.as_deref()).await {
        Ok(true) => ok(&SetupPage {
            layout: Layout::anonymous("Set up Bearing"),
            errors: Vec::new(),
            token: q.token.unwrap_or_default(),
            email: String::new(),
            name: String::new(),
            min_password: MIN_PASSWORD_CHARS,
        }),
        Ok(false) => setup_refused(),
        Err(error) => (crate::error::status_of(&error), error.to_string()).into_response(),
    }
}

#[derive(Debug, serde::Deserialize)]
struct SetupForm {
    token: String,
    email: String,
    name: String,
    password: String,
}

async fn setup(
    State(state): State<AppState>,
    request: axum::http::request::Parts,
    Form(form): Form<SetupForm>,
) -> Response {
    match setup_allowed(&state, Some(&form.token)).await {
        Ok(true) => {}
        Ok(false) => return setup_refused(),
        Err(error) => return (crate::error::status_of(&error), error.to_string()).into_response(),
    }
    let ctx = Context::new(
        Actor::parse("setup").unwrap_or_else(|_| unreachable!("a valid actor")),
        Source::Web,
    );
    let name = Some(form.name.as_str()).filter(|n| !n.trim().is_empty());
    let added =
        accounts::add_first_admin(&state.store, &ctx, &form.email, name, &form.password).await;
    let address = state.client_address(&request);
    let signed = match added {
        Ok(_) => {
            let attempt = Attempt {
                email: &form.email,
                password: &form.password,
                address: &address,
            };
            state.sign_ins.sign_in(&state.store, attempt).await
        }
        Err(error) => Err(error),
    };
    match signed {
        Ok(signed) => signed_in(&state, &signed, &request.headers, "/users"),
        Err(error) => render(
            crate::error::status_of(&error),
            &SetupPage {
                layout: Layout::anonymous("Set up Bearing"),
                errors: vec![error.to_string()],
                token: form.token,
                email: form.email,
                name: form.name,
                min_password: MIN_PASSWORD_CHARS,
            },
        ),
    }
}

async fn logout(State(state): State<AppState>, request: axum::http::request::Parts) -> Response {
    let address = state.client_address(&request);
    if let Some(secret) = session_cookie(&request.headers)
        && let Err(error) = state
            .sign_ins
            .sign_out(&state.store, &secret, &address)
            .await
    {
        tracing::error!(%error, "cannot end a session");
    }
    let mut response = see_other("/login");
    response.headers_mut().insert(
        header::SET_COOKIE,
        session_set_cookie(&state, None, &request.headers),
    );
    response
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    errors: Vec<String>,
    email: String,
    name: String,
    role: String,
    tokens: Vec<super::TokenRow>,
    new_token: Option<String>,
    min_password: usize,
}

async fn account_page(
    state: &AppState,
    caller: &Caller,
    status: StatusCode,
    errors: Vec<String>,
    new_token: Option<String>,
    notice: Option<String>,
) -> Response {
    let tokens = match state.store.list_api_tokens(caller.user.id).await {
        Ok(tokens) => tokens.iter().map(super::TokenRow::from).collect(),
        Err(error) => return error_page(caller, error.into()),
    };
    render(
        status,
        &AccountPage {
            layout: Layout::new("Your account", caller, "/account").with_notice(notice),
            errors,
            email: caller.user.email.clone(),
            name: caller.user.name.clone(),
            role: caller.user.role.to_string(),
            tokens,
            new_token,
            min_password: MIN_PASSWORD_CHARS,
        },
    )
}

#[derive(Debug, Default, serde::Deserialize)]
struct Notice {
    done: Option<String>,
}

async fn account(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<Notice>,
) -> Response {
    let notice = match q.done.as_deref() {
        Some("password") => Some(
            "Your password is changed. Your other sessions have ended, and your API tokens are revoked unless you chose to keep them."
                .to_owned(),
        ),
        Some("revoked") => Some("The token is revoked.".to_owned()),
        _ => None,
    };
    account_page(&state, &caller, StatusCode::OK, Vec::new(), None, notice).await
}

#[derive(Debug, serde::Deserialize)]
struct PasswordForm {
    current: String,
    new: String,
    /// Present (`yes`) when the API tokens are to keep working.
    keep_tokens: Option<String>,
}

async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    request: axum::http::request::Parts,
    Form(form): Form<PasswordForm>,
) -> Response {
    let address = state.client_address(&request);
    match state
        .sign_ins
        .change_password(
            &state.store,
            &caller.ctx(),
            caller.user.id,
            &form.current,
            &form.new,
            form.keep_tokens.is_some(),
            &address,
        )
        .await
    {
        Ok(signed) => signed_in(&state, &signed, &request.headers, "/account?done=password"),
        Err(error @ AppError::Invalid { .. }) => {
            account_page(
                &state,
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                vec![error.to_string()],
                None,
                None,
            )
            .await
        }
        Err(error) => error_page(&caller, error),
    }
}

#[derive(Debug, serde::Deserialize)]
struct TokenForm {
    name: String,
    /// YYYY-MM-DD, or empty for a token that lasts until revoked.
    #[serde(default)]
    expires: String,
}

async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<TokenForm>,
) -> Response {
    let expires = match form.expires.trim() {
        "" => Ok(None),
        day => bearing_core::parse_date(day)
            .map(Some)
            .map_err(|e| AppError::invalid("expires", e.to_string())),
    };
    let created = match expires {
        Ok(expires) => {
            accounts::create_token(
                &state.store,
                &caller.ctx(),
                caller.user.id,
                &form.name,
                expires,
            )
            .await
        }
        Err(error) => Err(error),
    };
    match created {
        Ok(created) => {
            let secret = created.secret.expose().to_owned();
            let mut response = account_page(
                &state,
                &caller,
                StatusCode::CREATED,
                Vec::new(),
                Some(secret),
                None,
            )
            .await;
            // The secret is on this page only: never store it in a cache.
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            response
        }
        Err(error @ AppError::Invalid { .. }) => {
            account_page(
                &state,
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                vec![error.to_string()],
                None,
                None,
            )
            .await
        }
        Err(error) => error_page(&caller, error),
    }
}

async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> Response {
    match accounts::revoke_token(&state.store, &caller.ctx(), caller.user.id, id).await {
        Ok(_) => see_other("/account?done=revoked"),
        Err(error) => error_page(&caller, error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/deals?stage=Won")), "/deals?stage=Won");
        assert_eq!(safe_next(Some("/")), "/");
        assert_eq!(safe_next(Some("/people/3")), "/people/3");
        for outside in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/ /evil.example",
            "deals",
            "",
        ] {
            assert_eq!(safe_next(Some(outside)), "/", "{outside}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
