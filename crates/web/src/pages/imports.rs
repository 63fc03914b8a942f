//! The imports page: a CSV file planned, shown, and applied all or nothing.

use crate::access::Rule::Signed;
use askama::Template;
use axum::Form;
use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use bearing_app::{AppError, import};
use bearing_core::access::Permission::EditCrm;

use super::Done;
use super::{Cell, HtmlTable, Layout, Routes, error_page, render, see_other};
use crate::AppState;
use crate::auth::Caller;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/imports", Signed(EditCrm), imports_page)
        .post("/imports", Signed(EditCrm), import_file)
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

/// The problems of an import, a row each, by line.
pub(super) fn no_problems() -> HtmlTable {
    HtmlTable::new("Problems by line", &["Line", "Column", "Value", "Problem"])
        .numeric_columns(&[0])
}

/// Every problem of a file, as [`no_problems`] lists them.
pub(super) fn problems(rows: &[bearing_formats::crm::RowError]) -> HtmlTable {
    let mut table = no_problems();
    table.rows = rows
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
    table
}

async fn imports_page(caller: Caller, Query(q): Query<Done>) -> Response {
    let notice = q.notice();
    imports(
        &caller,
        StatusCode::OK,
        Vec::new(),
        None,
        no_problems(),
        notice,
    )
}

/// The plan's rows, line by line: each deal's name, organization, stage and amount, and what
/// will change.
fn plan_table(plan: &import::Plan, names: &super::crm::OrgNames) -> HtmlTable {
    let mut html = HtmlTable::new(
        "What the import will do, by line",
        &[
            "Line",
            "CRM id",
            "Action",
            "Deal",
            "Organization",
            "Stage",
            "Amount",
            "What changes",
        ],
    )
    .numeric_columns(&[0, 6]);
    let deal_cells = |f: &bearing_core::deal::DealFields| {
        [
            names.cell(f.organization.as_ref()),
            Cell::text(f.stage.clone()),
            Cell::number(super::money_text(f.amount_minor, f.currency)),
        ]
    };
    let mut rows: Vec<(u64, Vec<Cell>)> = Vec::new();
    for c in &plan.creates {
        let mut row = vec![
            Cell::number(c.line.to_string()),
            Cell::text(c.crm_id.clone()),
            Cell::text("create"),
            Cell::text(c.fields.name.clone()),
        ];
        row.extend(deal_cells(&c.fields));
        row.push(Cell::text("a new deal"));
        rows.push((c.line, row));
    }
    for u in &plan.updates {
        let mut changes: Vec<String> = u
            .changes
            .iter()
            .map(|c| {
                bearing_app::history::described_tracked(
                    c.field,
                    c.old.as_deref(),
                    c.new.as_deref(),
                    u.fields.currency,
                )
                .to_string()
            })
            .collect();
        changes.extend(u.other_changes.iter().cloned());
        let mut row = vec![
            Cell::number(u.line.to_string()),
            Cell::text(u.crm_id.clone()),
            Cell::text("update"),
            Cell::link(u.fields.name.clone(), format!("/deals/{}", u.deal)),
        ];
        row.extend(deal_cells(&u.fields));
        row.push(Cell::text(changes.join("; ")));
        rows.push((u.line, row));
    }
    for u in &plan.unchanged {
        rows.push((
            u.line,
            vec![
                Cell::number(u.line.to_string()),
                Cell::text(u.crm_id.clone()),
                Cell::text("unchanged"),
                Cell::link(format!("deal {}", u.deal), format!("/deals/{}", u.deal)),
                Cell::default(),
                Cell::default(),
                Cell::default(),
                Cell::text("nothing"),
            ],
        ));
    }
    rows.sort_by_key(|(line, _)| *line);
    html.rows = rows.into_iter().map(|(_, r)| r).collect();
    html
}

/// A file from a form: uploaded (a multipart form) or confirmed after a dry run (a
/// URL-encoded form carrying its content), with the form's other fields.
pub(super) struct Upload {
    pub file: String,
    pub content: String,
    /// The dry run was confirmed: write.
    pub confirmed: bool,
    pub fields: std::collections::HashMap<String, String>,
}

/// The uploaded file (a multipart form) or the confirmed content (a URL-encoded form).
pub(super) async fn read_upload(request: Request) -> Result<Upload, AppError> {
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if is_multipart {
        let mut multipart = Multipart::from_request(request, &())
            .await
            .map_err(|e| AppError::invalid("file", e.body_text()))?;
        let mut file = None;
        let mut fields = std::collections::HashMap::new();
        while let Some(part) = multipart
            .next_field()
            .await
            .map_err(|e| AppError::invalid("file", e.body_text()))?
        {
            let field = part.name().unwrap_or_default().to_owned();
            let name = part.file_name().unwrap_or("upload.csv").to_owned();
            let bytes = part
                .bytes()
                .await
                .map_err(|e| AppError::invalid("file", e.body_text()))?;
            let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
                AppError::invalid(field.clone(), format!("{name} is not UTF-8 text"))
            })?;
            if field == "file" {
                file = Some((name, text));
            } else {
                fields.insert(field, text);
            }
        }
        let (file, content) =
            file.ok_or_else(|| AppError::invalid("file", "choose a CSV file to upload"))?;
        return Ok(Upload {
            file,
            content,
            confirmed: false,
            fields,
        });
    }
    let Form(mut fields) =
        Form::<std::collections::HashMap<String, String>>::from_request(request, &())
            .await
            .map_err(|e| AppError::invalid("form", e.body_text()))?;
    let mut take = |name: &str| {
        fields
            .remove(name)
            .ok_or_else(|| AppError::invalid(name, "missing from the form"))
    };
    let file = take("file")?;
    let content = take("content")?;
    let confirmed = fields.remove("confirm").as_deref() == Some("yes");
    Ok(Upload {
        file,
        content,
        confirmed,
        fields,
    })
}

async fn import_file(State(state): State<AppState>, caller: Caller, request: Request) -> Response {
    let Upload {
        file,
        content,
        confirmed,
        ..
    } = match read_upload(request).await {
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
        Ok(plan) if confirmed => see_other(&super::noticed(
            "/imports",
            &format!("Imported {}.", plan.done()),
        )),
        Ok(plan) => {
            let names = match super::crm::OrgNames::load(&state).await {
                Ok(names) => names,
                Err(error) => return error_page(&caller, error),
            };
            let view = PlanView {
                file: plan.file.clone(),
                creates: plan.creates.len(),
                updates: plan.updates.len(),
                unchanged: plan.unchanged.len(),
                table: plan_table(&plan, &names),
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
            let problems = problems(&rows);
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
