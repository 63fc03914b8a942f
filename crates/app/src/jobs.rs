//! Scheduled jobs run once per slot across every instance on the database.
//!
//! A job that runs every `every` has slots at the multiples of `every` since the Unix epoch,
//! the same moments for every instance. Each instance wakes at each slot and claims the run
//! in the database; the first claim wins and the others skip the slot. The run's start, end,
//! outcome and a line of what it did are kept (`job_runs`), for admins.

use std::future::Future;

use bearing_core::access::Permission;
use bearing_store::{JobRunRecord, Store};

use crate::{AppError, Context, Result};

/// The slot that `at` falls in, for a job that runs every `every` (at least a second).
pub fn slot_of(at: jiff::Timestamp, every: jiff::SignedDuration) -> Result<jiff::Timestamp> {
    let period = every.as_secs();
    if period < 1 {
        return Err(AppError::invalid(
            "schedule",
            "a job runs at most once a second",
        ));
    }
    let start = at.as_second().div_euclid(period) * period;
    jiff::Timestamp::from_second(start).map_err(|e| AppError::Internal(e.to_string()))
}

/// How a slot's run went for this instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlotRun {
    /// Another instance (or an earlier wake of this one) claimed the slot.
    Skipped,
    /// This instance ran it: whether it succeeded, and what it said.
    Ran { ok: bool, detail: String },
}

/// Runs `work` for `job`'s `slot` unless the slot is claimed already, and records how it went
/// (at the context's clock).
pub async fn run_in_slot<F, Fut>(
    store: &Store,
    ctx: &Context,
    job: &str,
    slot: jiff::Timestamp,
    instance: &str,
    work: F,
) -> Result<SlotRun>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = std::result::Result<String, String>>,
{
    let Some(id) = store.claim_job_run(job, slot, instance, ctx.now()).await? else {
        return Ok(SlotRun::Skipped);
    };
    let (ok, detail) = match work().await {
        Ok(detail) => (true, detail),
        Err(detail) => (false, detail),
    };
    store.finish_job_run(id, ok, &detail, ctx.now()).await?;
    Ok(SlotRun::Ran { ok, detail })
}

/// The runs of every job, newest first: the latest `limit` (1 to 1,000) or, without one,
/// all; for those who manage users.
pub async fn runs(store: &Store, ctx: &Context, limit: Option<i64>) -> Result<Vec<JobRunRecord>> {
    ctx.require(Permission::ManageUsers)?;
    let limit = limit.map_or(i64::MAX, |l| l.clamp(1, 1_000));
    Ok(store.list_job_runs(limit).await?)
}

/// Job runs as a table, in every format.
pub fn table(runs: &[JobRunRecord]) -> bearing_formats::Table {
    let mut table = bearing_formats::Table::new([
        "job", "slot", "instance", "started", "finished", "outcome", "detail",
    ]);
    let minutes = |at: jiff::Timestamp| at.strftime("%Y-%m-%d %H:%M:%S UTC").to_string();
    for run in runs {
        table.push([
            Some(run.job.clone()),
            Some(minutes(run.slot)),
            Some(run.instance.clone()),
            Some(minutes(run.started_at)),
            run.finished_at.map(minutes),
            Some(
                run.outcome
                    .clone()
                    .unwrap_or_else(|| "unfinished".to_owned()),
            ),
            run.detail.clone(),
        ]);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_is_the_last_multiple_of_the_period_since_the_epoch() {
        let six_hours = jiff::SignedDuration::from_hours(6);
        let at: jiff::Timestamp = "2026-12-01T13:45:10Z".parse().unwrap_or_default();
        let slot = slot_of(at, six_hours).unwrap_or_default();
        assert_eq!(slot.to_string(), "2026-12-01T12:00:00Z");
        // A moment on a slot is its own slot; every instance computes the same one.
        assert_eq!(slot_of(slot, six_hours).ok(), Some(slot));
        assert!(slot_of(at, jiff::SignedDuration::ZERO).is_err());
    }
}
