//! Runs of scheduled jobs: claimed once per slot across every instance on the database.

use crate::{Result, Store, StoreError, timestamp_text};

/// One run of a scheduled job.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct JobRunRecord {
    pub id: i64,
    pub job: String,
    /// The moment of the schedule this run is for.
    #[serde(with = "crate::stored_time")]
    pub slot: jiff::Timestamp,
    /// Which instance ran it.
    pub instance: String,
    #[serde(with = "crate::stored_time")]
    pub started_at: jiff::Timestamp,
    #[serde(with = "crate::stored_time::option")]
    pub finished_at: Option<jiff::Timestamp>,
    /// `ok` or `failed`; none while running, or when its instance stopped first.
    pub outcome: Option<String>,
    pub detail: Option<String>,
}

crate::bulk::columns! {
    /// A job run's columns as stored.
    struct Stored {
        id: i64,
        job: String,
        slot: String,
        instance: String,
        started_at: String,
        finished_at: Option<String>,
        outcome: Option<String>,
        detail: Option<String>,
    }
}

impl Store {
    /// Claims the run of `job` for `slot`: its id when this call is the first to claim it,
    /// `None` when another instance (or an earlier call) has.
    pub async fn claim_job_run(
        &self,
        job: &str,
        slot: jiff::Timestamp,
        instance: &str,
        at: jiff::Timestamp,
    ) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar(
            "INSERT INTO job_runs (job, slot, instance, started_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (job, slot) DO NOTHING RETURNING id",
        )
        .bind(job)
        .bind(timestamp_text(slot))
        .bind(instance)
        .bind(timestamp_text(at))
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Records how a claimed run ended: `ok` or `failed`, with a line saying what it did.
    pub async fn finish_job_run(
        &self,
        id: i64,
        ok: bool,
        detail: &str,
        at: jiff::Timestamp,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE job_runs SET finished_at = $1, outcome = $2, detail = $3
             WHERE id = $4 AND finished_at IS NULL",
        )
        .bind(timestamp_text(at))
        .bind(if ok { "ok" } else { "failed" })
        .bind(detail)
        .bind(id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                kind: "unfinished job run",
                id: id.to_string(),
            });
        }
        Ok(())
    }

    /// The latest `limit` runs, newest first.
    pub async fn list_job_runs(&self, limit: i64) -> Result<Vec<JobRunRecord>> {
        let sql = crate::bulk::select::<Stored>(
            self.backend(),
            "FROM (SELECT * FROM job_runs ORDER BY id DESC LIMIT $1) latest",
            "id DESC",
        );
        let query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(limit);
        crate::bulk::fetch::<Stored>("job run", &self.pool, query)
            .await?
            .into_iter()
            .map(|row| {
                Ok(JobRunRecord {
                    id: row.id,
                    job: row.job,
                    slot: crate::stored_timestamp("slot", &row.slot)?,
                    instance: row.instance,
                    started_at: crate::stored_timestamp("started_at", &row.started_at)?,
                    finished_at: crate::stored_timestamp_opt(
                        "finished_at",
                        row.finished_at.as_deref(),
                    )?,
                    outcome: row.outcome,
                    detail: row.detail,
                })
            })
            .collect()
    }
}
