//! The users page: users, their roles and tokens, and the roles themselves.

use crate::access::Rule::Signed;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use bearing_app::AppError;
use bearing_app::accounts::{self, MIN_PASSWORD_CHARS};
use bearing_core::access::Permission::ManageUsers;
use bearing_core::access::{Permission, Permissions, RoleName};
use bearing_store::UserRecord;

use super::Done;
use super::{Layout, PathId, Routes, error_page, render, see_other};
use crate::AppState;
use crate::auth::Caller;
use crate::error::path_id;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/users", Signed(ManageUsers), users_page)
        .post("/users", Signed(ManageUsers), add_user)
        .post("/users/{id}", Signed(ManageUsers), update_user)
        .post("/users/roles", Signed(ManageUsers), define_role)
        .post(
            "/users/roles/{name}/delete",
            Signed(ManageUsers),
            delete_role,
        )
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    layout: Layout,
    errors: Vec<String>,
    users: Vec<UserRecord>,
    /// Every API token with its owner's email.
    tokens: Vec<(String, super::TokenRow)>,
    /// Every role, built-in and custom, with what it grants.
    roles: Vec<bearing_app::access::RoleView>,
    /// Every permission's name and what it allows, for defining a role.
    permissions: Vec<(&'static str, &'static str)>,
    form_email: String,
    form_name: String,
    min_password: usize,
}

async fn users(
    state: &AppState,
    caller: &Caller,
    status: StatusCode,
    errors: Vec<String>,
    form: Option<&NewUser>,
    notice: Option<String>,
) -> Response {
    let ctx = caller.ctx();
    let (list, tokens, roles) = match tokio::try_join!(
        accounts::users(&state.store, &ctx),
        async { Ok(state.store.list_all_api_tokens().await?) },
        bearing_app::access::list(&state.store, &ctx),
    ) {
        Ok(found) => found,
        Err(error) => return error_page(caller, error),
    };
    let tokens = tokens
        .into_iter()
        .map(|t| {
            let owner = list
                .iter()
                .find(|u| u.id == t.user_id)
                .map_or_else(|| t.user_id.to_string(), |u| u.email.clone());
            (owner, super::TokenRow::from(&t))
        })
        .collect();
    render(
        status,
        &UsersPage {
            layout: Layout::new("Users", caller, "/users").with_notice(notice),
            errors,
            users: list,
            tokens,
            permissions: Permission::ALL
                .iter()
                .map(|p| (p.as_str(), p.describe()))
                .collect(),
            roles,
            form_email: form.map(|f| f.email.clone()).unwrap_or_default(),
            form_name: form.map(|f| f.name.clone()).unwrap_or_default(),
            min_password: MIN_PASSWORD_CHARS,
        },
    )
}

/// The answer to a form of this page: to `to` when it worked; the page again with the problem
/// (and the new user's form as typed) when the input was refused; an error page otherwise.
async fn saved(
    state: &AppState,
    caller: &Caller,
    result: Result<(), AppError>,
    to: &str,
    form: Option<&NewUser>,
) -> Response {
    match result {
        Ok(()) => see_other(to),
        Err(error @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            users(
                state,
                caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                vec![error.to_string()],
                form,
                None,
            )
            .await
        }
        Err(error) => error_page(caller, error),
    }
}

async fn users_page(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<Done>,
) -> Response {
    let notice = match q.done.as_deref() {
        Some("added") => Some("The user is added.".to_owned()),
        Some("saved") => Some("The user is saved.".to_owned()),
        Some("role") => Some("The role is saved.".to_owned()),
        Some("role-deleted") => Some("The role is deleted.".to_owned()),
        _ => None,
    };
    users(&state, &caller, StatusCode::OK, Vec::new(), None, notice).await
}

fn parse_role(text: &str) -> Result<RoleName, AppError> {
    RoleName::parse(text).map_err(|e| AppError::invalid("role", e.to_string()))
}

/// A custom role as the form defines it: each permission is a checkbox named `permission`.
async fn define_role(
    State(state): State<AppState>,
    caller: Caller,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let value = |key: &str| {
        fields
            .iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.as_str())
    };
    let defined = async {
        let mut granted = Permissions::NONE;
        for (_, name) in fields.iter().filter(|(k, _)| k == "permission") {
            granted = granted.with(
                name.parse::<Permission>()
                    .map_err(|e| AppError::invalid("permission", e.to_string()))?,
            );
        }
        bearing_app::access::define(
            &state.store,
            &caller.ctx(),
            value("name"),
            Some(value("description")),
            granted,
        )
        .await
    }
    .await;
    saved(&state, &caller, defined.map(drop), "/users?done=role", None).await
}

async fn delete_role(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Response {
    let deleted = bearing_app::access::delete(&state.store, &caller.ctx(), &name).await;
    saved(
        &state,
        &caller,
        deleted.map(drop),
        "/users?done=role-deleted",
        None,
    )
    .await
}

#[derive(Debug, serde::Deserialize)]
struct NewUser {
    email: String,
    name: String,
    role: String,
    password: String,
}

async fn add_user(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<NewUser>,
) -> Response {
    let added = async {
        let role = parse_role(&form.role)?;
        accounts::add_user(
            &state.store,
            &caller.ctx(),
            &form.email,
            Some(&form.name),
            role,
            &form.password,
        )
        .await
    }
    .await;
    saved(
        &state,
        &caller,
        added.map(drop),
        "/users?done=added",
        Some(&form),
    )
    .await
}

#[derive(Debug, serde::Deserialize)]
struct UserChange {
    role: String,
    disabled: Option<String>,
}

async fn update_user(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    Form(form): Form<UserChange>,
) -> Response {
    let changed = async {
        let role = parse_role(&form.role)?;
        accounts::update_user(
            &state.store,
            &caller.ctx(),
            path_id("user", id)?,
            role,
            form.disabled.is_some(),
        )
        .await
    }
    .await;
    saved(
        &state,
        &caller,
        changed.map(drop),
        "/users?done=saved",
        None,
    )
    .await
}
