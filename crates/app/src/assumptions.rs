//! Versions of the assumptions: every change makes a new version, effective from a date, and
//! every report says which version it used.

use bearing_core::assumptions::Assumptions;
use bearing_core::{Date, EntityKind};
use bearing_store::{AssumptionsRecord, Store};

use crate::{AppError, Change, Context, Result, audit};
use bearing_core::access::Permission;

/// The version in force on `on`: the newest one effective by then, or the defaults
/// (version 0) when there is none.
pub async fn current(store: &Store, on: Date) -> Result<(i64, Assumptions)> {
    let versions = store.list_assumptions().await?;
    Ok(versions
        .into_iter()
        .filter(|v| v.effective_from <= on)
        .max_by_key(|v| (v.effective_from, v.version))
        .map_or_else(|| (0, Assumptions::default()), |v| (v.version, v.values)))
}

/// Every version of the assumptions, for those who may work with them.
pub async fn history(store: &Store, ctx: &Context) -> Result<Vec<AssumptionsRecord>> {
    ctx.require(Permission::EditAssumptions)?;
    Ok(store.list_assumptions().await?)
}

/// Makes a new version from the newest one with `changes` (`KEY`, `VALUE`) applied,
/// effective from `effective_from`. Any invalid value changes nothing.
pub async fn set(
    store: &Store,
    ctx: &Context,
    changes: &[(String, String)],
    effective_from: Date,
) -> Result<AssumptionsRecord> {
    ctx.require(Permission::EditAssumptions)?;
    if changes.is_empty() {
        return Err(AppError::invalid(
            "assumptions",
            "nothing to set: give KEY=VALUE pairs",
        ));
    }
    let versions = store.list_assumptions().await?;
    let before = versions.last().map(|v| v.values.clone());
    let mut values = before.clone().unwrap_or_default();
    for (key, value) in changes {
        values
            .set(key, value)
            .map_err(|e| AppError::invalid(key.clone(), e.to_string()))?;
    }
    let at = ctx.now();
    let mut tx = store.begin().await?;
    let version = write_version(&mut tx, ctx, before.as_ref(), &values, effective_from, at).await?;
    tx.commit().await?;
    store
        .list_assumptions()
        .await?
        .into_iter()
        .find(|v| v.version == version)
        .ok_or_else(|| AppError::Internal(format!("assumptions version {version} was not written")))
}

/// Writes `values` as a new version in `tx`, effective from `effective_from`, with its audit
/// row (against the version it follows, `before`); its number.
pub(crate) async fn write_version(
    tx: &mut bearing_store::Tx,
    ctx: &Context,
    before: Option<&Assumptions>,
    values: &Assumptions,
    effective_from: Date,
    at: jiff::Timestamp,
) -> Result<i64> {
    let version = tx
        .insert_assumptions(values, effective_from, at, &ctx.actor, ctx.source)
        .await?;
    audit(
        tx,
        ctx,
        at,
        Change::new_version(EntityKind::Assumptions, version, before, values),
    )
    .await?;
    Ok(version)
}
