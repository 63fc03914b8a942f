//! Organizations and contacts: lists with search, filters and sorting, a page for each (an
//! organization's is its account view), and the forms that create, edit, delete and restore
//! them. Records' histories are shown here and on the other records' pages.

mod contacts;
pub(crate) mod organizations;

use bearing_app::{AppError, history};
use bearing_core::EntityKind;

use super::Routes;
use crate::AppState;

pub(crate) use organizations::OrgNames;

/// The answer to a delete or restore: the record's page saying what was done, or the error.
fn done<T>(
    caller: &crate::auth::Caller,
    result: Result<T, AppError>,
    page: &str,
    what: &str,
) -> axum::response::Response {
    match result {
        Ok(_) => super::see_other(&format!("{page}?done={what}")),
        Err(error) => super::error_page(caller, error),
    }
}

pub(super) fn routes() -> Routes {
    organizations::routes().merge(contacts::routes())
}

/// One entry of a record's history.
#[derive(Debug)]
pub(crate) struct HistoryEntry {
    pub at: jiff::Timestamp,
    pub when: String,
    pub who: String,
    pub what: String,
}

/// The audit rows of a record, newest first, each with the fields it changed as people read
/// them.
pub(crate) fn timeline(
    records: &[bearing_store::AuditRecord],
    names: &history::Names,
) -> Vec<HistoryEntry> {
    records
        .iter()
        .rev()
        .map(|r| HistoryEntry {
            at: r.at,
            when: super::minute(r.at),
            who: format!("{} ({})", r.actor, r.source),
            what: {
                let changes = changes_text(r, names);
                let action = r.action;
                if changes.is_empty() {
                    format!("{action}d")
                } else {
                    format!("{action}d: {changes}")
                }
            },
        })
        .collect()
}

/// A recorded change in words: `stage: Lead → Won; amount: $1,000 → $2,000`.
pub(crate) fn changes_text(record: &bearing_store::AuditRecord, names: &history::Names) -> String {
    history::described(record, names)
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The history of a record; a record without one has an empty timeline.
pub(crate) async fn history_of(
    state: &AppState,
    ctx: &bearing_app::Context,
    kind: EntityKind,
    id: &str,
) -> Result<Vec<HistoryEntry>, AppError> {
    match history::of(&state.store, ctx, kind, id).await {
        Ok(records) => Ok(timeline(
            &records,
            &history::Names::of(&state.store, &records).await?,
        )),
        Err(AppError::NotFound(_)) => Ok(Vec::new()),
        Err(error) => Err(error),
    }
}
