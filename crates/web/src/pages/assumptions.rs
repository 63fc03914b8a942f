//! The assumptions page: the values in force, their versions, and a form for a new version.

use crate::access::Rule::Signed;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use bearing_app::{AppError, assumptions};
use bearing_core::access::Permission::EditAssumptions;

use super::Done;
use super::home::today;
use super::{Cell, HtmlTable, Layout, Routes, error_page, render, see_other};
use crate::AppState;
use crate::auth::Caller;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/assumptions", Signed(EditAssumptions), assumptions_page)
        .post("/assumptions", Signed(EditAssumptions), set_assumptions)
}

/// One assumption as the page shows it.
struct Entry {
    key: String,
    value: String,
    reads: String,
    about: bearing_core::assumptions::About,
}

/// A version's changes in words: `Net assets: $500,000 → $1,899,000`.
fn changes_of(previous: &[(String, String)], entries: &[(String, String)]) -> String {
    use bearing_core::assumptions::{about, readable};
    entries
        .iter()
        .filter(|e| !previous.contains(e))
        .map(|(key, value)| {
            let label = about(key).label;
            let label = if label == "Stage probability" {
                format!("{} ({})", label, key.trim_start_matches("stage."))
            } else {
                label.to_owned()
            };
            match previous.iter().find(|(k, _)| k == key) {
                Some((_, old)) => {
                    format!("{label}: {} → {}", readable(key, old), readable(key, value))
                }
                None => format!("{label}: {}", readable(key, value)),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[derive(Template)]
#[template(path = "assumptions.html")]
struct AssumptionsPage {
    layout: Layout,
    errors: Vec<String>,
    version: i64,
    entries: Vec<Entry>,
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
        let changed = changes_of(&previous, &entries);
        rows.push(vec![
            Cell::number(v.version.to_string()),
            Cell::when(super::day_text(v.effective_from)),
            Cell::text(changed),
            Cell::text(format!("{} ({})", v.actor, v.source)),
            Cell::text(super::minute(v.created_at)),
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
            entries: current
                .entries()
                .into_iter()
                .map(|(key, value)| Entry {
                    reads: bearing_core::assumptions::readable(&key, &value),
                    about: bearing_core::assumptions::about(&key),
                    key,
                    value,
                })
                .collect(),
            today: today().to_string(),
            history,
        },
    )
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
