//! Bearing's application services: the use cases that the CLI, the web pages and the JSON API
//! all call, so that the three front doors cannot disagree.
//!
//! Architecture invariant: every change goes through this crate. A service validates its
//! input, then writes the change and its audit row in one transaction, and returns a typed
//! result. Services take a [`Context`] that says who is acting and through which front door.

pub mod deals;
pub mod demo;
pub mod history;
pub mod import;
pub mod organizations;

mod error;

use bearing_core::{Action, Actor, EntityKind, Source};
use bearing_store::{AuditEntry, Tx};

pub use error::AppError;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// Who is acting, and through which front door.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub actor: Actor,
    pub source: Source,
}

impl Context {
    pub fn new(actor: Actor, source: Source) -> Self {
        Self { actor, source }
    }
}

/// One change to record: which entity, what happened, and its values before and after.
pub(crate) struct Change<'a, T> {
    pub entity: EntityKind,
    pub id: String,
    pub action: Action,
    pub before: Option<&'a T>,
    pub after: Option<&'a T>,
}

/// Writes the audit row of a change inside the change's transaction.
pub(crate) async fn audit<T: serde::Serialize>(
    tx: &mut Tx,
    ctx: &Context,
    at: jiff::Timestamp,
    change: Change<'_, T>,
) -> Result<()> {
    let json = |value: Option<&T>| {
        value
            .map(serde_json::to_value)
            .transpose()
            .map_err(|e| AppError::Internal(format!("cannot record the change: {e}")))
    };
    tx.insert_audit(&AuditEntry {
        at,
        actor: ctx.actor.clone(),
        source: ctx.source,
        entity: change.entity,
        entity_id: change.id,
        action: change.action,
        before: json(change.before)?,
        after: json(change.after)?,
    })
    .await?;
    Ok(())
}
