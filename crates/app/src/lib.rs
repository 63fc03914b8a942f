//! Bearing's application services: the use cases that the CLI, the web pages and the JSON API
//! all call, so that the three front doors cannot disagree.
//!
//! Architecture invariant: every change goes through this crate. A service validates its
//! input, then writes the change and its audit row in one transaction, and returns a typed
//! result. Services take a [`Context`] that says who is acting and through which front door.

pub mod access;
pub mod accounts;
pub mod analytics;
pub mod assumptions;
pub mod billing;
pub mod books;
pub mod campaigns;
pub mod cloud;
pub mod contacts;
pub mod deals;
pub mod demo;
pub mod forecast;
pub mod history;
pub mod import;
pub mod invoices;
pub mod jobs;
pub mod ledger;
pub mod organizations;
pub mod patch;
pub mod people;
pub mod pipelines;
pub mod reports;
pub mod roles;
pub mod scenarios;
pub mod sight;
pub mod snapshot;
pub mod usage;

mod error;
mod heavy;
mod soft_delete;
mod text;

use bearing_core::access::{Permission, Permissions};
use bearing_core::deal::FieldChange;
use bearing_core::{Action, Actor, DealId, EntityKind, Source};
use bearing_store::{AuditEntry, Tx};

pub use error::AppError;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// Who is acting, through which front door, and what they may do. Services ask it for the
/// permission they need ([`Context::require`]), and every change recorded through it is
/// checked against the permission its kind of record needs, so a front door cannot forget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub actor: Actor,
    pub source: Source,
    /// What the actor may do.
    pub permissions: Permissions,
    /// The signed-in user acting, whose own account is theirs to change; `None` for the
    /// operator.
    pub user: Option<bearing_core::UserId>,
    /// Where the time of each change comes from.
    pub clock: Clock,
}

/// Where a context's time comes from: the system's clock, or one fixed moment, so that tests
/// can say when a change happens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Clock {
    #[default]
    System,
    Fixed(jiff::Timestamp),
}

impl Clock {
    pub fn now(self) -> jiff::Timestamp {
        match self {
            Clock::System => jiff::Timestamp::now(),
            Clock::Fixed(at) => at,
        }
    }
}

impl Context {
    /// The operator at the command line, or a job the operator started: may do everything,
    /// and is recorded by `actor` and `source`.
    pub fn new(actor: Actor, source: Source) -> Self {
        Self {
            actor,
            source,
            permissions: Permissions::all(),
            user: None,
            clock: Clock::System,
        }
    }

    /// A signed-in user (`id`) holding `permissions`.
    pub fn user(
        actor: Actor,
        source: Source,
        id: bearing_core::UserId,
        permissions: Permissions,
    ) -> Self {
        Self {
            actor,
            source,
            permissions,
            user: Some(id),
            clock: Clock::System,
        }
    }

    /// The same context, its changes made at `at`.
    pub fn at(self, at: jiff::Timestamp) -> Self {
        Self {
            clock: Clock::Fixed(at),
            ..self
        }
    }

    /// The time of a change made now.
    pub fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }

    /// The day of [`Context::now`], in UTC.
    pub fn today(&self) -> bearing_core::Date {
        self.now().to_zoned(jiff::tz::TimeZone::UTC).date()
    }

    pub fn may(&self, permission: Permission) -> bool {
        self.permissions.contains(permission)
    }

    /// Refuses, saying what is missing and who holds it, unless the actor may `permission`.
    pub fn require(&self, permission: Permission) -> Result<()> {
        if self.may(permission) {
            return Ok(());
        }
        let holders: Vec<&str> = permission
            .held_by()
            .into_iter()
            .map(|r| r.as_str())
            .collect();
        Err(AppError::Forbidden(format!(
            "you may not {}: that needs the permission {}, which the roles {} hold",
            permission.describe(),
            permission.as_str(),
            holders.join(", ")
        )))
    }

    /// What of the owned figures (cash, pay) the actor may see.
    pub fn sight(&self) -> sight::Sight {
        sight::Sight::of(self.permissions)
    }
}

/// One change to record: which entity, what happened, and its values before and after.
/// Built only by its constructors, so every service records a create, an update, a delete
/// or a restore the same way.
pub(crate) struct Change<'a, T> {
    entity: EntityKind,
    id: String,
    action: Action,
    before: Option<&'a T>,
    after: Option<&'a T>,
}

impl<'a, T> Change<'a, T> {
    fn new(
        entity: EntityKind,
        id: impl std::fmt::Display,
        action: Action,
        before: Option<&'a T>,
        after: &'a T,
    ) -> Self {
        Self {
            entity,
            id: id.to_string(),
            action,
            before,
            after: Some(after),
        }
    }

    /// A record that did not exist before.
    pub fn created(entity: EntityKind, id: impl std::fmt::Display, after: &'a T) -> Self {
        Self::new(entity, id, Action::Create, None, after)
    }

    /// A record whose values went from `before` to `after`.
    pub fn updated(
        entity: EntityKind,
        id: impl std::fmt::Display,
        before: &'a T,
        after: &'a T,
    ) -> Self {
        Self::new(entity, id, Action::Update, Some(before), after)
    }

    /// A record written whole: created when there was none before, updated otherwise.
    pub fn written(
        entity: EntityKind,
        id: impl std::fmt::Display,
        before: Option<&'a T>,
        after: &'a T,
    ) -> Self {
        match before {
            Some(before) => Self::updated(entity, id, before, after),
            None => Self::created(entity, id, after),
        }
    }

    /// A new version of a record that is kept as versions (the assumptions), with the values
    /// of the version it follows.
    pub fn new_version(
        entity: EntityKind,
        id: impl std::fmt::Display,
        previous: Option<&'a T>,
        after: &'a T,
    ) -> Self {
        Self::new(entity, id, Action::Create, previous, after)
    }

    /// Something done to a record that is described rather than diffed: a usage import into
    /// a cluster, a band written by a bulk import, a sign-in.
    pub fn event(
        entity: EntityKind,
        id: impl std::fmt::Display,
        action: Action,
        what: &'a T,
    ) -> Self {
        Self::new(entity, id, action, None, what)
    }

    /// A record soft-deleted (`deleted`) or restored; it keeps its row and its history.
    pub fn deleted_or_restored(
        entity: EntityKind,
        id: impl std::fmt::Display,
        deleted: bool,
        before: &'a T,
        after: &'a T,
    ) -> Self {
        let action = if deleted {
            Action::Delete
        } else {
            Action::Restore
        };
        Self::new(entity, id, action, Some(before), after)
    }
}

/// The changes of one transaction: audit rows and deal-history rows, collected as the
/// transaction goes and written with few statements before it commits.
pub(crate) struct ChangeLog<'c> {
    ctx: &'c Context,
    at: jiff::Timestamp,
    audit: Vec<AuditEntry>,
    history: Vec<(DealId, FieldChange, jiff::Timestamp)>,
}

impl<'c> ChangeLog<'c> {
    pub fn new(ctx: &'c Context, at: jiff::Timestamp) -> Self {
        Self {
            ctx,
            at,
            audit: Vec::new(),
            history: Vec::new(),
        }
    }

    /// When the changes happen.
    pub fn at(&self) -> jiff::Timestamp {
        self.at
    }

    /// Adds a change, refused unless the actor may change records of its kind (a user's own
    /// account is theirs).
    pub fn record<T: serde::Serialize>(&mut self, change: Change<'_, T>) -> Result<()> {
        let own_account = change.entity == EntityKind::User
            && self.ctx.user.is_some_and(|id| id.to_string() == change.id);
        if let Some(needed) = bearing_core::access::to_change(change.entity)
            && !own_account
        {
            self.ctx.require(needed)?;
        }
        let json = |value: Option<&T>| {
            value
                .map(serde_json::to_value)
                .transpose()
                .map_err(|e| AppError::Internal(format!("cannot record the change: {e}")))
        };
        self.audit.push(AuditEntry {
            at: self.at,
            actor: self.ctx.actor.clone(),
            source: self.ctx.source,
            entity: change.entity,
            entity_id: change.id,
            action: change.action,
            before: json(change.before)?,
            after: json(change.after)?,
        });
        Ok(())
    }

    pub fn deal_history(&mut self, deal: DealId, changes: Vec<FieldChange>) {
        let at = self.at;
        self.history
            .extend(changes.into_iter().map(|c| (deal, c, at)));
    }

    /// History that happened before now, e.g. the demo's past stage moves.
    pub fn deal_history_at(&mut self, deal: DealId, changes: Vec<(jiff::Timestamp, FieldChange)>) {
        self.history
            .extend(changes.into_iter().map(|(at, c)| (deal, c, at)));
    }

    pub async fn write(self, tx: &mut Tx) -> Result<()> {
        tx.insert_audits(&self.audit).await?;
        tx.insert_deal_history(&self.history, &self.ctx.actor, self.ctx.source)
            .await?;
        Ok(())
    }
}

/// Writes the audit row of one change inside the change's transaction.
pub(crate) async fn audit<T: serde::Serialize>(
    tx: &mut Tx,
    ctx: &Context,
    at: jiff::Timestamp,
    change: Change<'_, T>,
) -> Result<()> {
    let mut log = ChangeLog::new(ctx, at);
    log.record(change)?;
    log.write(tx).await
}
