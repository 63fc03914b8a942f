//! Assumptions, imports, the audit log and users.

use crate::access::Rule::Signed;
use askama::Template;
use axum::Form;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use bearing_app::accounts::{self, MIN_PASSWORD_CHARS};
use bearing_app::{AppError, assumptions, import};
use bearing_core::EntityKind;
use bearing_core::access::Permission::{EditAssumptions, EditCrm, ManageUsers, Read};
use bearing_core::access::{Permission, Permissions, RoleName};
use bearing_store::UserRecord;

use super::home::today;
use super::{Cell, HtmlTable, Layout, Routes, error_page, field, render, see_other};
use crate::AppState;
use crate::auth::Caller;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/assumptions", Signed(EditAssumptions), assumptions_page)
        .post("/assumptions", Signed(EditAssumptions), set_assumptions)
        .get("/imports", Signed(EditCrm), imports_page)
        .post("/imports", Signed(EditCrm), import_file)
        .get("/audit", Signed(Read), audit)
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
#[template(path = "assumptions.html")]
struct AssumptionsPage {
    layout: Layout,
    errors: Vec<String>,
    version: i64,
    entries: Vec<(String, String)>,
    today: String,
    history: HtmlTable,
}

async fn show_assumptions(
    state: &AppState,
    caller: &Caller,
    status: StatusCode,
    errors: Vec<String>,
    notice: Option<String>,
) -> Response {
    let ctx = caller.ctx();
    let found = tokio::try_join!(
        assumptions::current(&state.store, today()),
        assumptions::history(&state.store, &ctx)
    );
    let ((version, current), versions) = match found {
        Ok(found) => found,
        Err(error) => return error_page(caller, error),
    };
    let mut history = HtmlTable::new(
        "Versions, newest first",
        &["Version", "Takes effect", "Changed", "By", "At"],
    );
    let mut previous: Vec<(String, String)> = Vec::new();
    let mut rows = Vec::new();
    for v in &versions {
        let entries = v.values.entries();
        let changed: Vec<String> = entries
            .iter()
            .filter(|e| !previous.contains(e))
            .map(|(k, value)| format!("{k} = {value}"))
            .collect();
        rows.push(vec![
            Cell::number(v.version.to_string()),
            Cell::text(v.effective_from.to_string()),
            Cell::text(changed.join("; ")),
            Cell::text(format!("{} ({})", v.actor, v.source)),
            Cell::text(
                v.created_at
                    .get(..16)
                    .unwrap_or(&v.created_at)
                    .replace('T', " "),
            ),
        ]);
        previous = entries;
    }
    rows.reverse();
    history.rows = rows;
    render(
        status,
        &AssumptionsPage {
            layout: Layout::new("Assumptions", caller, "/assumptions").with_notice(notice),
            errors,
            version,
            entries: current.entries(),
            today: today().to_string(),
            history,
        },
    )
}

#[derive(Debug, Default, serde::Deserialize)]
struct Done {
    done: Option<String>,
}

async fn assumptions_page(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<Done>,
) -> Response {
    let notice = q
        .done
        .map(|_| "A new version of the assumptions is saved.".to_owned());
    show_assumptions(&state, &caller, StatusCode::OK, Vec::new(), notice).await
}

async fn set_assumptions(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let result = async {
        let (_, current) = assumptions::current(&state.store, today()).await?;
        let before = current.entries();
        let mut effective = None;
        let mut changes = Vec::new();
        for (name, value) in form {
            if name == "effective_from" {
                effective = Some(
                    bearing_core::parse_date(value.trim())
                        .map_err(|e| AppError::invalid("takes effect on", e.to_string()))?,
                );
            } else if let Some(key) = name.strip_prefix("v.") {
                let value = value.trim().to_owned();
                if !before.iter().any(|(k, v)| k == key && *v == value) {
                    changes.push((key.to_owned(), value));
                }
            }
        }
        if changes.is_empty() {
            return Err(AppError::invalid(
                "assumptions",
                "no value differs from the current version",
            ));
        }
        assumptions::set(
            &state.store,
            &caller.ctx(),
            &changes,
            effective.unwrap_or_else(today),
        )
        .await
    }
    .await;
    match result {
        Ok(_) => see_other("/assumptions?done=saved"),
        Err(error @ AppError::Invalid { .. }) => {
            show_assumptions(
                &state,
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                vec![error.to_string()],
                None,
            )
            .await
        }
        Err(error) => error_page(&caller, error),
    }
}

/// A dry run shown for confirmation.
#[derive(Debug)]
struct PlanView {
    file: String,
    content: String,
    creates: usize,
    updates: usize,
    unchanged: usize,
    table: HtmlTable,
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportsPage {
    layout: Layout,
    errors: Vec<String>,
    plan: Option<PlanView>,
    problems: HtmlTable,
}

fn imports(
    caller: &Caller,
    status: StatusCode,
    errors: Vec<String>,
    plan: Option<PlanView>,
    problems: HtmlTable,
    notice: Option<String>,
) -> Response {
    render(
        status,
        &ImportsPage {
            layout: Layout::new("Imports", caller, "/imports").with_notice(notice),
            errors,
            plan,
            problems,
        },
    )
}

fn no_problems() -> HtmlTable {
    HtmlTable::new("Problems by line", &["Line", "Column", "Value", "Problem"])
}

async fn imports_page(caller: Caller, Query(q): Query<Done>) -> Response {
    let notice = q.done;
    imports(
        &caller,
        StatusCode::OK,
        Vec::new(),
        None,
        no_problems(),
        notice,
    )
}

/// The plan's rows, line by line.
fn plan_table(plan: &import::Plan) -> HtmlTable {
    let mut html = HtmlTable::new(
        "What the import will do, by line",
        &["Line", "CRM id", "Action", "Deal", "Changes"],
    )
    .numeric_columns(&[0]);
    let mut rows: Vec<(u64, Vec<Cell>)> = Vec::new();
    for c in &plan.creates {
        rows.push((
            c.line,
            vec![
                Cell::number(c.line.to_string()),
                Cell::text(c.crm_id.clone()),
                Cell::text("create"),
                Cell::text(c.fields.name.clone()),
                Cell::default(),
            ],
        ));
    }
    for u in &plan.updates {
        let mut changes: Vec<String> = u
            .changes
            .iter()
            .map(|c| {
                format!(
                    "{}: {} → {}",
                    c.field,
                    c.old.as_deref().unwrap_or("—"),
                    c.new.as_deref().unwrap_or("—")
                )
            })
            .collect();
        changes.extend(u.other_changes.iter().cloned());
        rows.push((
            u.line,
            vec![
                Cell::number(u.line.to_string()),
                Cell::text(u.crm_id.clone()),
                Cell::text("update"),
                Cell::link(u.fields.name.clone(), format!("/deals/{}", u.deal)),
                Cell::text(changes.join("; ")),
            ],
        ));
    }
    for u in &plan.unchanged {
        rows.push((
            u.line,
            vec![
                Cell::number(u.line.to_string()),
                Cell::text(u.crm_id.clone()),
                Cell::text("unchanged"),
                Cell::link(u.deal.to_string(), format!("/deals/{}", u.deal)),
                Cell::default(),
            ],
        ));
    }
    rows.sort_by_key(|(line, _)| *line);
    html.rows = rows.into_iter().map(|(_, r)| r).collect();
    html
}

/// The uploaded file (a multipart form) or the confirmed content (a URL-encoded form).
async fn read_upload(request: Request) -> Result<(String, String, bool), AppError> {
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if is_multipart {
        let mut multipart = Multipart::from_request(request, &())
            .await
            .map_err(|e| AppError::invalid("file", e.body_text()))?;
        while let Some(part) = multipart
            .next_field()
            .await
            .map_err(|e| AppError::invalid("file", e.body_text()))?
        {
            if part.name() == Some("file") {
                let name = part.file_name().unwrap_or("upload.csv").to_owned();
                let bytes = part
                    .bytes()
                    .await
                    .map_err(|e| AppError::invalid("file", e.body_text()))?;
                let text = String::from_utf8(bytes.to_vec())
                    .map_err(|_| AppError::invalid("file", format!("{name} is not UTF-8 text")))?;
                return Ok((name, text, false));
            }
        }
        return Err(AppError::invalid("file", "choose a CSV file to upload"));
    }
    #[derive(serde::Deserialize)]
    struct Confirm {
        file: String,
        content: String,
        confirm: Option<String>,
    }
    let Form(form) = Form::<Confirm>::from_request(request, &())
        .await
        .map_err(|e| AppError::invalid("form", e.body_text()))?;
    Ok((
        form.file,
        form.content,
        form.confirm.as_deref() == Some("yes"),
    ))
}

async fn import_file(State(state): State<AppState>, caller: Caller, request: Request) -> Response {
    let (file, content, confirmed) = match read_upload(request).await {
        Ok(upload) => upload,
        Err(error) => {
            return imports(
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                vec![error.to_string()],
                None,
                no_problems(),
                None,
            );
        }
    };
    let result = import::import_deals(
        &state.store,
        &caller.ctx(),
        &file,
        content.as_bytes(),
        !confirmed,
    )
    .await;
    match result {
        Ok(plan) if confirmed => see_other(&format!(
            "/imports?done={}",
            super::encode_query(&format!("Imported {}", plan.summary()))
        )),
        Ok(plan) => {
            let view = PlanView {
                file: plan.file.clone(),
                creates: plan.creates.len(),
                updates: plan.updates.len(),
                unchanged: plan.unchanged.len(),
                table: plan_table(&plan),
                content,
            };
            imports(
                &caller,
                StatusCode::OK,
                Vec::new(),
                Some(view),
                no_problems(),
                None,
            )
        }
        Err(AppError::Import(rows)) => {
            let mut problems = no_problems().numeric_columns(&[0]);
            problems.rows = rows
                .iter()
                .map(|r| {
                    vec![
                        Cell::number(r.line.to_string()),
                        Cell::text(r.column.clone()),
                        Cell::text(r.value.clone()),
                        Cell::text(r.message.clone()),
                    ]
                })
                .collect();
            let summary = format!(
                "{file} has {} problem(s); nothing was imported. Fix them and upload the file again.",
                rows.len()
            );
            imports(
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                vec![summary],
                None,
                problems,
                None,
            )
        }
        Err(error @ (AppError::Invalid { .. } | AppError::Conflict(_))) => imports(
            &caller,
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![error.to_string()],
            None,
            no_problems(),
            None,
        ),
        Err(error) => error_page(&caller, error),
    }
}

/// The audit log's filters, as in its query string.
#[derive(Debug, Default, serde::Deserialize)]
struct AuditQuery {
    entity: Option<String>,
    actor: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

#[derive(Debug, Default)]
struct AuditFilter {
    entity: String,
    actor: String,
    from: String,
    to: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    errors: Vec<String>,
    kinds: Vec<String>,
    filter: AuditFilter,
    total: usize,
    shown: usize,
    table: HtmlTable,
}

/// Entries shown at once; filters narrow the rest.
const AUDIT_ROWS: usize = 200;

async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AuditQuery>,
) -> Response {
    let mut errors = Vec::new();
    let entity = match field(&q.entity).map(|e| e.parse::<EntityKind>()) {
        Some(Ok(kind)) => Some(kind),
        Some(Err(error)) => {
            errors.push(error.to_string());
            None
        }
        None => None,
    };
    let mut date =
        |name: &str, v: &Option<String>| match field(v).map(|t| bearing_core::parse_date(&t)) {
            Some(Ok(d)) => Some(d),
            Some(Err(e)) => {
                errors.push(format!("{name}: {e}"));
                None
            }
            None => None,
        };
    // Changes the caller may not read (people's pay) are left out by the service.
    let search = bearing_store::AuditSearch {
        entity,
        from: date("from", &q.from),
        to: date("to", &q.to),
        actor: field(&q.actor),
        hidden: Vec::new(),
    };
    let (total, matching) =
        match bearing_app::history::search(&state.store, &caller.ctx(), search, AUDIT_ROWS).await {
            Ok(found) => found,
            Err(error) => return error_page(&caller, error),
        };
    let mut table = HtmlTable::new(
        "Changes, newest first",
        &["When", "Who", "Via", "What", "Record", "Changes"],
    );
    table.rows = matching
        .iter()
        .map(|r| {
            let changes: Vec<String> = bearing_app::history::changes(r)
                .iter()
                .map(super::crm::change_text)
                .collect();
            let record = match r.entity {
                EntityKind::Deal => Cell::link(
                    format!("deal {}", r.entity_id),
                    format!("/deals/{}", r.entity_id),
                ),
                EntityKind::Organization => Cell::link(
                    format!("organization {}", r.entity_id),
                    format!("/organizations/{}", r.entity_id),
                ),
                EntityKind::Contact => Cell::link(
                    format!("contact {}", r.entity_id),
                    format!("/contacts/{}", r.entity_id),
                ),
                kind => Cell::text(format!("{kind} {}", r.entity_id)),
            };
            vec![
                Cell::text(r.at.get(..19).unwrap_or(&r.at).replace('T', " ")),
                Cell::text(r.actor.clone()),
                Cell::text(r.source.to_string()),
                Cell::text(r.action.to_string()),
                record,
                Cell::text(changes.join("; ")),
            ]
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &AuditPage {
            layout: Layout::new("Audit log", &caller, "/audit"),
            errors,
            kinds: EntityKind::ALL.iter().map(|k| k.to_string()).collect(),
            filter: AuditFilter {
                entity: q.entity.unwrap_or_default(),
                actor: q.actor.unwrap_or_default(),
                from: q.from.unwrap_or_default(),
                to: q.to.unwrap_or_default(),
            },
            total: usize::try_from(total).unwrap_or(usize::MAX),
            shown: matching.len(),
            table,
        },
    )
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    layout: Layout,
    errors: Vec<String>,
    users: Vec<UserRecord>,
    /// Every API token with its owner's email.
    tokens: Vec<(String, bearing_store::ApiTokenRecord)>,
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
            (owner, t)
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
    match defined {
        Ok(_) => see_other("/users?done=role"),
        Err(error @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            users(
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

async fn delete_role(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Response {
    match bearing_app::access::delete(&state.store, &caller.ctx(), &name).await {
        Ok(_) => see_other("/users?done=role-deleted"),
        Err(error @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            users(
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
    match added {
        Ok(_) => see_other("/users?done=added"),
        Err(error @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            users(
                &state,
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                vec![error.to_string()],
                Some(&form),
                None,
            )
            .await
        }
        Err(error) => error_page(&caller, error),
    }
}

#[derive(Debug, serde::Deserialize)]
struct UserChange {
    role: String,
    disabled: Option<String>,
}

async fn update_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(form): Form<UserChange>,
) -> Response {
    let changed = async {
        let role = parse_role(&form.role)?;
        accounts::update_user(
            &state.store,
            &caller.ctx(),
            id,
            role,
            form.disabled.is_some(),
        )
        .await
    }
    .await;
    match changed {
        Ok(_) => see_other("/users?done=saved"),
        Err(error @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            users(
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
