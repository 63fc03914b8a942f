//! The sponsor's invoice ledger beside Bearing's invoices: the reconciliation, with what to do
//! about each difference, and the import of the ledger's export (checked first, then
//! confirmed). Reading it is reading cash; importing needs `manage-invoices`.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use bearing_app::{AppError, ledger};
use bearing_core::access::Permission::{ManageInvoices, ReadCash};
use bearing_core::ledger::Finding;

use super::imports::{Upload, no_problems, problems, read_upload};
use super::{Cell, HtmlTable, Layout, Routes, day_or_empty, error_page, render};
use crate::AppState;
use crate::access::Rule::Signed;
use crate::auth::Caller;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/reconciliation", Signed(ReadCash), page)
        .post("/reconciliation", Signed(ManageInvoices), import)
}

/// A checked file shown for confirmation.
struct PlanView {
    file: String,
    content: String,
    summary: Vec<String>,
}

#[derive(Template)]
#[template(path = "reconciliation.html")]
struct ReconciliationPage {
    layout: Layout,
    errors: Vec<String>,
    may_import: bool,
    plan: Option<PlanView>,
    /// What the import just did, a line each.
    imported: Vec<String>,
    problems: HtmlTable,
    /// How many ledger invoices were imported, from what day, and when last.
    ledger_invoices: usize,
    since: String,
    imported_at: String,
    /// How many discrepancies of each finding, in words.
    counts: Vec<(String, usize)>,
    table: HtmlTable,
}

/// A finding as people read it.
fn finding_words(finding: Finding) -> &'static str {
    match finding {
        Finding::MissingFromLedger => "Not in the ledger",
        Finding::Unplaced => "No organization answers to its contact",
        Finding::MissingFromBearing => "Not in Bearing",
        Finding::Total => "Totals differ",
        Finding::Paid => "Payments differ",
        Finding::Status => "Statuses differ",
    }
}

async fn view(
    state: &AppState,
    caller: &Caller,
    status: StatusCode,
    errors: Vec<String>,
    plan: Option<PlanView>,
    imported: Vec<String>,
    problems: HtmlTable,
) -> Response {
    let ctx = caller.ctx();
    let report = match ledger::reconciliation(&state.store, &ctx).await {
        Ok(report) => report,
        Err(error) => return error_page(caller, error),
    };
    let mut table = HtmlTable::new(
        "What differs, and what to do",
        &[
            "Invoice",
            "Organization",
            "Difference",
            "In Bearing",
            "In the ledger",
            "What to do",
        ],
    );
    table.rows = report
        .discrepancies
        .iter()
        .map(|d| {
            // Bearing's invoices link to their pages; the ledger's alone have none.
            let in_bearing = !matches!(d.finding, Finding::Unplaced | Finding::MissingFromBearing);
            vec![
                if in_bearing {
                    Cell::link(d.number.clone(), format!("/invoices/{}", d.number))
                } else {
                    Cell::text(d.number.clone())
                },
                Cell::text(d.organization.clone()),
                Cell::text(finding_words(d.finding)),
                Cell::text(d.ours.clone().unwrap_or_default()),
                Cell::text(d.theirs.clone().unwrap_or_default()),
                Cell::text(d.action.clone()),
            ]
        })
        .collect();
    let counts = report
        .counts()
        .into_iter()
        .map(|(finding, n)| (finding_words(finding).to_owned(), n))
        .collect();
    render(
        status,
        &ReconciliationPage {
            layout: Layout::new("Reconciliation", caller, "/reconciliation"),
            errors,
            may_import: ctx.may(ManageInvoices),
            plan,
            imported,
            problems,
            ledger_invoices: report.ledger_invoices,
            since: day_or_empty(report.since),
            imported_at: report.imported_at.map(super::minute).unwrap_or_default(),
            counts,
            table,
        },
    )
}

async fn page(State(state): State<AppState>, caller: Caller) -> Response {
    view(
        &state,
        &caller,
        StatusCode::OK,
        Vec::new(),
        None,
        Vec::new(),
        no_problems(),
    )
    .await
}

/// Checks an uploaded export (a dry run, shown for confirmation) or imports a confirmed one.
async fn import(State(state): State<AppState>, caller: Caller, request: Request) -> Response {
    let refused = |errors: Vec<String>, problems: HtmlTable| {
        let (state, caller) = (state.clone(), &caller);
        async move {
            view(
                &state,
                caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                None,
                Vec::new(),
                problems,
            )
            .await
        }
    };
    let Upload {
        file,
        content,
        confirmed,
        ..
    } = match read_upload(request).await {
        Ok(upload) => upload,
        Err(error) => return refused(vec![error.to_string()], no_problems()).await,
    };
    let done = ledger::import(
        &state.store,
        &caller.ctx(),
        &file,
        content.as_bytes(),
        &Default::default(),
        !confirmed,
    )
    .await;
    match done {
        Ok(done) => {
            let summary: Vec<String> = done.summary().lines().map(str::to_owned).collect();
            let (plan, imported) = if confirmed {
                (None, summary)
            } else {
                (
                    Some(PlanView {
                        file,
                        content,
                        summary,
                    }),
                    Vec::new(),
                )
            };
            view(
                &state,
                &caller,
                StatusCode::OK,
                Vec::new(),
                plan,
                imported,
                no_problems(),
            )
            .await
        }
        Err(AppError::Import(rows)) => {
            refused(
                vec![format!(
                    "{file}: {} problem(s); nothing was imported",
                    rows.len()
                )],
                problems(&rows),
            )
            .await
        }
        Err(AppError::Forbidden(message)) => super::forbidden(&caller, &message),
        Err(error) => refused(vec![error.to_string()], no_problems()).await,
    }
}
