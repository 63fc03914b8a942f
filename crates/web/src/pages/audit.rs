//! The audit page: the changes the reader may read, newest first, filtered.

use crate::access::Rule::Signed;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use bearing_core::EntityKind;
use bearing_core::access::Permission::Read;

use super::{Cell, HtmlTable, Layout, Routes, error_page, field, render};
use crate::AppState;
use crate::auth::Caller;

pub(super) fn routes() -> Routes {
    Routes::new().get("/audit", Signed(Read), audit)
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
    let names = match bearing_app::history::Names::of(&state.store, &matching).await {
        Ok(names) => names,
        Err(error) => return error_page(&caller, error),
    };
    let mut table = HtmlTable::new(
        "Changes, newest first",
        &["When", "Who", "Via", "What", "Record", "Changes"],
    );
    table.rows = matching
        .iter()
        .map(|r| {
            let changes = super::crm::changes_text(r, &names);
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
                Cell::text(super::second(r.at)),
                Cell::text(r.actor.clone()),
                Cell::text(r.source.to_string()),
                Cell::text(r.action.to_string()),
                record,
                Cell::text(changes),
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
