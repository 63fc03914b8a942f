//! The audit trail of one entity.

use bearing_core::EntityKind;
use bearing_store::{AuditRecord, Store};

use crate::{AppError, Result};

/// Every recorded change to an entity, oldest first; an error when there is none.
pub async fn of(store: &Store, kind: EntityKind, id: &str) -> Result<Vec<AuditRecord>> {
    let records = store.list_audit(kind, id.trim()).await?;
    if records.is_empty() {
        return Err(AppError::NotFound(format!("no history for {kind} {}", id.trim())));
    }
    Ok(records)
}
