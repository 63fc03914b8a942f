//! Soft deletes: a deleted record leaves lists and reports but keeps its history, and can be
//! restored. One implementation for every kind of record.

use std::fmt::Display;
use std::future::Future;

use bearing_core::{CampaignId, ContactId, DealId, EntityKind, OrganizationId};
use bearing_store::{
    AssignmentRecord, CampaignRecord, ContactRecord, DealRecord, OrganizationRecord, PersonRecord,
    Store, Tx,
};

use crate::{AppError, Change, Context, Result, audit};

type StoreResult<T> = bearing_store::Result<T>;

/// A record that can be deleted and restored.
pub(crate) trait SoftDeletable: serde::Serialize + Sized + Send {
    type Id: Copy + Display + Send;
    const KIND: EntityKind;

    fn is_deleted(&self) -> bool;
    fn get(tx: &mut Tx, id: Self::Id) -> impl Future<Output = StoreResult<Self>> + Send;
    fn set(
        tx: &mut Tx,
        id: Self::Id,
        deleted: Option<jiff::Timestamp>,
        at: jiff::Timestamp,
    ) -> impl Future<Output = StoreResult<Self>> + Send;
}

/// Deletes (`deleted`) or restores a record, with its audit row, in one transaction.
pub(crate) async fn set_deleted<R: SoftDeletable>(
    store: &Store,
    ctx: &Context,
    id: R::Id,
    deleted: bool,
) -> Result<R> {
    let mut tx = store.begin().await?;
    let after = set_deleted_in(&mut tx, ctx, id, deleted).await?;
    tx.commit().await?;
    Ok(after)
}

/// The same inside a transaction the caller commits, after checks of its own made in it.
pub(crate) async fn set_deleted_in<R: SoftDeletable>(
    tx: &mut Tx,
    ctx: &Context,
    id: R::Id,
    deleted: bool,
) -> Result<R> {
    let at = ctx.now();
    let before = R::get(tx, id).await?;
    if before.is_deleted() == deleted {
        let state = if deleted {
            "already deleted"
        } else {
            "not deleted"
        };
        return Err(AppError::Conflict(format!("{} {id} is {state}", R::KIND)));
    }
    let after = R::set(tx, id, deleted.then_some(at), at).await?;
    let change = Change::deleted_or_restored(R::KIND, id, deleted, &before, &after);
    audit(tx, ctx, at, change).await?;
    Ok(after)
}

macro_rules! soft_deletable {
    ($record:ty, $id:ty, $kind:expr, $get:ident, $set:ident) => {
        impl SoftDeletable for $record {
            type Id = $id;
            const KIND: EntityKind = $kind;

            fn is_deleted(&self) -> bool {
                self.deleted_at.is_some()
            }

            fn get(tx: &mut Tx, id: $id) -> impl Future<Output = StoreResult<Self>> + Send {
                tx.$get(id)
            }

            fn set(
                tx: &mut Tx,
                id: $id,
                deleted: Option<jiff::Timestamp>,
                at: jiff::Timestamp,
            ) -> impl Future<Output = StoreResult<Self>> + Send {
                tx.$set(id, deleted, at)
            }
        }
    };
}

soft_deletable!(
    OrganizationRecord,
    OrganizationId,
    EntityKind::Organization,
    get_organization,
    set_organization_deleted
);
soft_deletable!(
    DealRecord,
    DealId,
    EntityKind::Deal,
    get_deal,
    set_deal_deleted
);
soft_deletable!(
    ContactRecord,
    ContactId,
    EntityKind::Contact,
    get_contact,
    set_contact_deleted
);
soft_deletable!(
    CampaignRecord,
    CampaignId,
    EntityKind::Campaign,
    get_campaign,
    set_campaign_deleted
);
soft_deletable!(
    PersonRecord,
    bearing_core::PersonId,
    EntityKind::Person,
    get_person_including_deleted,
    set_person_deleted
);
soft_deletable!(
    AssignmentRecord,
    bearing_core::AssignmentId,
    EntityKind::Assignment,
    get_assignment_including_deleted,
    set_assignment_deleted
);
