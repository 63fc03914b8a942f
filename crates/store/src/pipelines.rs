//! Pipelines and their stages.

use bearing_core::pipeline::{ForecastCategory, StageOutcome};
use bearing_core::{PipelineId, StageId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, StoreError, Tx, timestamp_text};

/// A stage of a pipeline, with its defaults.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StageRecord {
    pub id: StageId,
    pub pipeline_id: PipelineId,
    pub pipeline: String,
    pub name: String,
    pub position: i64,
    pub default_probability: f64,
    pub forecast_category: ForecastCategory,
    pub outcome: StageOutcome,
    pub retired: bool,
}

impl Store {
    /// Every stage of every pipeline, in pipeline and stage order.
    pub async fn list_stages(&self) -> Result<Vec<StageRecord>> {
        list_stages(&self.pool).await
    }
}

impl Tx {
    /// Every stage of every pipeline, as this transaction sees them.
    pub async fn list_stages(&mut self) -> Result<Vec<StageRecord>> {
        list_stages(&mut *self.inner).await
    }

    /// A pipeline's id by name (ignoring case), as this transaction sees it.
    pub async fn find_pipeline(&mut self, name: &str) -> Result<Option<PipelineId>> {
        find_pipeline(&mut *self.inner, name).await
    }
}

async fn list_stages<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
) -> Result<Vec<StageRecord>> {
    let rows = sqlx::query(
        "SELECT s.id, s.pipeline_id, p.name AS pipeline, s.name, s.position, s.default_probability,
                s.forecast_category, s.outcome, s.retired_at
         FROM stages s JOIN pipelines p ON p.id = s.pipeline_id
         WHERE p.deleted_at IS NULL
         ORDER BY p.name, s.position",
    )
    .fetch_all(executor)
    .await?;
    rows.iter().map(record).collect()
}

fn record(row: &AnyRow) -> Result<StageRecord> {
    let corrupt = |what: &str, e: &dyn std::fmt::Display| {
        StoreError::Database(format!("unreadable stage row ({what}): {e}"))
    };
    let id: i64 = row.try_get("id")?;
    let pipeline_id: i64 = row.try_get("pipeline_id")?;
    let category: String = row.try_get("forecast_category")?;
    let outcome: String = row.try_get("outcome")?;
    let retired: Option<String> = row.try_get("retired_at")?;
    Ok(StageRecord {
        id: StageId::new(id).map_err(|e| corrupt("id", &e))?,
        pipeline_id: PipelineId::new(pipeline_id).map_err(|e| corrupt("pipeline_id", &e))?,
        pipeline: row.try_get("pipeline")?,
        name: row.try_get("name")?,
        position: row.try_get("position")?,
        default_probability: row.try_get("default_probability")?,
        forecast_category: category
            .parse()
            .map_err(|e| corrupt("forecast_category", &e))?,
        outcome: outcome.parse().map_err(|e| corrupt("outcome", &e))?,
        retired: retired.is_some(),
    })
}

/// The editable fields of a stage.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StageFields {
    pub name: String,
    pub default_probability: f64,
    pub forecast_category: ForecastCategory,
    pub outcome: StageOutcome,
}

const SELECT_STAGE: &str =
    "SELECT s.id, s.pipeline_id, p.name AS pipeline, s.name, s.position, s.default_probability,
                                   s.forecast_category, s.outcome, s.retired_at
                            FROM stages s JOIN pipelines p ON p.id = s.pipeline_id
                            WHERE s.id = $1";

impl Tx {
    /// A new, empty pipeline.
    pub async fn insert_pipeline(&mut self, name: &str, at: jiff::Timestamp) -> Result<PipelineId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO pipelines (name, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id",
        )
        .bind(name)
        .bind(timestamp_text(at))
        .fetch_one(&mut *self.inner)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => {
                StoreError::Conflict(format!("a pipeline named {name:?} already exists"))
            }
            other => other,
        })?;
        PipelineId::new(id).map_err(|e| StoreError::Database(e.to_string()))
    }

    /// Adds a stage at the end of its pipeline.
    pub async fn insert_stage(
        &mut self,
        pipeline: PipelineId,
        fields: &StageFields,
        at: jiff::Timestamp,
    ) -> Result<StageRecord> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO stages (pipeline_id, name, position, default_probability, forecast_category, outcome,
                                 created_at, updated_at)
             VALUES ($1, $2, (SELECT COALESCE(MAX(position), 0) + 1 FROM stages WHERE pipeline_id = $1), $3, $4, $5,
                     $6, $6)
             RETURNING id",
        )
        .bind(pipeline.get())
        .bind(&fields.name)
        .bind(fields.default_probability)
        .bind(fields.forecast_category.as_str())
        .bind(fields.outcome.as_str())
        .bind(timestamp_text(at))
        .fetch_one(&mut *self.inner)
        .await
        .map_err(|e| stage_conflict(e, &fields.name))?;
        self.get_stage(StageId::new(id).map_err(|e| StoreError::Database(e.to_string()))?)
            .await
    }

    pub async fn update_stage(
        &mut self,
        id: StageId,
        fields: &StageFields,
        at: jiff::Timestamp,
    ) -> Result<StageRecord> {
        sqlx::query(
            "UPDATE stages SET name = $1, default_probability = $2, forecast_category = $3, outcome = $4,
                    updated_at = $5
             WHERE id = $6",
        )
        .bind(&fields.name)
        .bind(fields.default_probability)
        .bind(fields.forecast_category.as_str())
        .bind(fields.outcome.as_str())
        .bind(timestamp_text(at))
        .bind(id.get())
        .execute(&mut *self.inner)
        .await
        .map_err(|e| stage_conflict(e, &fields.name))?;
        self.get_stage(id).await
    }

    /// Sets the order of a pipeline's stages: `order` lists every stage of the pipeline.
    pub async fn reorder_stages(&mut self, order: &[StageId], at: jiff::Timestamp) -> Result<()> {
        let at = timestamp_text(at);
        for (position, id) in order.iter().enumerate() {
            sqlx::query("UPDATE stages SET position = $1, updated_at = $2 WHERE id = $3")
                .bind(i64::try_from(position).unwrap_or(i64::MAX) + 1)
                .bind(at.as_str())
                .bind(id.get())
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(())
    }

    /// Retires a stage (`Some(at)`): it is no longer offered, but deals and history keep it.
    /// `None` brings it back.
    pub async fn set_stage_retired(
        &mut self,
        id: StageId,
        retired: Option<jiff::Timestamp>,
        at: jiff::Timestamp,
    ) -> Result<StageRecord> {
        sqlx::query("UPDATE stages SET retired_at = $1, updated_at = $2 WHERE id = $3")
            .bind(retired.map(timestamp_text))
            .bind(timestamp_text(at))
            .bind(id.get())
            .execute(&mut *self.inner)
            .await?;
        self.get_stage(id).await
    }

    pub async fn get_stage(&mut self, id: StageId) -> Result<StageRecord> {
        let row = sqlx::query(SELECT_STAGE)
            .bind(id.get())
            .fetch_optional(&mut *self.inner)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                kind: "stage",
                id: id.to_string(),
            })?;
        record(&row)
    }
}

impl Store {
    /// A pipeline's id by name (ignoring case), whether or not it has stages.
    pub async fn find_pipeline(&self, name: &str) -> Result<Option<PipelineId>> {
        find_pipeline(&self.pool, name).await
    }

    /// How many deals, deleted ones included, are in a stage.
    pub async fn count_deals_in_stage(&self, stage: StageId) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM deals WHERE stage_id = $1 AND deleted_at IS NULL",
        )
        .bind(stage.get())
        .fetch_one(&self.pool)
        .await?)
    }
}

fn stage_conflict(error: sqlx::Error, name: &str) -> StoreError {
    match StoreError::from(error) {
        StoreError::Conflict(_) => {
            StoreError::Conflict(format!("the pipeline already has a stage named {name:?}"))
        }
        other => other,
    }
}

async fn find_pipeline<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    name: &str,
) -> Result<Option<PipelineId>> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM pipelines WHERE LOWER(name) = LOWER($1) AND deleted_at IS NULL",
    )
    .bind(name)
    .fetch_optional(executor)
    .await?;
    id.map(|id| PipelineId::new(id).map_err(|e| StoreError::Database(e.to_string())))
        .transpose()
}
