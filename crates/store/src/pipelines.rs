//! Pipelines and their stages.

use bearing_core::pipeline::{ForecastCategory, StageOutcome};
use bearing_core::{PipelineId, StageId};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, StoreError};

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
        let rows = sqlx::query(
            "SELECT s.id, s.pipeline_id, p.name AS pipeline, s.name, s.position, s.default_probability,
                    s.forecast_category, s.outcome, s.retired_at
             FROM stages s JOIN pipelines p ON p.id = s.pipeline_id
             WHERE p.deleted_at IS NULL
             ORDER BY p.name, s.position",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(record).collect()
    }
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
