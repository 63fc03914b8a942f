//! Pipelines and their stages: added, renamed, reordered and retired without losing history.
//! Deals refer to stages by id, so a renamed stage keeps its deals, and a retired stage keeps
//! them too while no longer being offered as a place to move a deal to.

use bearing_core::pipeline::{ForecastCategory, Probability, StageOutcome};
use bearing_core::{DataPart, EntityKind};
use bearing_store::{StageFields, StageRecord, Store, Tx};

use crate::{AppError, Change, Context, Result, audit};
use bearing_core::access::Permission;

/// A stage as created or edited.
#[derive(Debug, Clone, PartialEq)]
pub struct NewStage {
    pub name: String,
    pub probability: Probability,
    pub forecast_category: ForecastCategory,
    pub outcome: StageOutcome,
}

/// Changes to a stage; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StageChanges {
    pub name: Option<String>,
    pub probability: Option<Probability>,
    pub forecast_category: Option<ForecastCategory>,
    pub outcome: Option<StageOutcome>,
}

fn check_name(name: &str) -> Result<String> {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 80 {
        return Err(AppError::invalid(
            "name",
            "a name of 1 to 80 characters is needed",
        ));
    }
    // The length is checked above, in the words the forms show.
    bearing_core::text::check(trimmed, usize::MAX)
        .map_err(|reason| AppError::invalid("name", reason))?;
    Ok(trimmed.to_owned())
}

/// Every stage, read under the CRM's lock in the transaction that changes one, so two
/// overlapping changes cannot both find a name free.
async fn locked_stages(tx: &mut Tx) -> Result<Vec<StageRecord>> {
    tx.lock(DataPart::Crm).await?;
    Ok(tx.list_stages().await?)
}

/// A stage by pipeline and name, retired ones included.
fn find<'c>(stages: &'c [StageRecord], pipeline: &str, stage: &str) -> Result<&'c StageRecord> {
    stages
        .iter()
        .find(|s| {
            s.pipeline.eq_ignore_ascii_case(pipeline.trim())
                && s.name.eq_ignore_ascii_case(stage.trim())
        })
        .ok_or_else(|| AppError::NotFound(format!("no stage {stage:?} in pipeline {pipeline:?}")))
}

/// A new, empty pipeline.
pub async fn add_pipeline(store: &Store, ctx: &Context, name: &str) -> Result<()> {
    ctx.require(Permission::EditCrm)?;
    let name = check_name(name)?;
    let at = ctx.now();
    let mut tx = store.begin().await?;
    tx.lock(DataPart::Crm).await?;
    if tx.find_pipeline(&name).await?.is_some() {
        return Err(AppError::Conflict(format!(
            "a pipeline named {name:?} already exists"
        )));
    }
    let id = tx.insert_pipeline(&name, at).await?;
    let value = serde_json::json!({ "id": id, "name": name });
    audit(
        &mut tx,
        ctx,
        at,
        Change::created(EntityKind::Pipeline, id, &value),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a stage at the end of a pipeline (see [`move_stage`] to place it).
pub async fn add_stage(
    store: &Store,
    ctx: &Context,
    pipeline: &str,
    stage: NewStage,
) -> Result<StageRecord> {
    ctx.require(Permission::EditCrm)?;
    let name = check_name(&stage.name)?;
    let mut tx = store.begin().await?;
    let stages = locked_stages(&mut tx).await?;
    let pipeline_id = match stages
        .iter()
        .find(|s| s.pipeline.eq_ignore_ascii_case(pipeline.trim()))
    {
        Some(existing) => existing.pipeline_id,
        None => tx
            .find_pipeline(pipeline.trim())
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no pipeline {pipeline:?}")))?,
    };
    if stages
        .iter()
        .any(|s| s.pipeline_id == pipeline_id && s.name.eq_ignore_ascii_case(&name))
    {
        return Err(AppError::Conflict(format!(
            "pipeline {pipeline:?} already has a stage named {name:?}"
        )));
    }
    let fields = StageFields {
        name,
        default_probability: stage.probability.get(),
        forecast_category: stage.forecast_category,
        outcome: stage.outcome,
    };
    let at = ctx.now();
    let created = tx.insert_stage(pipeline_id, &fields, at).await?;
    audit(
        &mut tx,
        ctx,
        at,
        Change::created(EntityKind::Stage, created.id, &created),
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

/// Renames a stage or changes its defaults. Deals keep the stage: they refer to it by id.
pub async fn edit_stage(
    store: &Store,
    ctx: &Context,
    pipeline: &str,
    stage: &str,
    changes: StageChanges,
) -> Result<StageRecord> {
    ctx.require(Permission::EditCrm)?;
    let mut tx = store.begin().await?;
    let stages = locked_stages(&mut tx).await?;
    let current = find(&stages, pipeline, stage)?;
    let name = match &changes.name {
        Some(name) => check_name(name)?,
        None => current.name.clone(),
    };
    if stages.iter().any(|s| {
        s.pipeline_id == current.pipeline_id
            && s.id != current.id
            && s.name.eq_ignore_ascii_case(&name)
    }) {
        return Err(AppError::Conflict(format!(
            "pipeline {:?} already has a stage named {name:?}",
            current.pipeline
        )));
    }
    let fields = StageFields {
        name,
        default_probability: changes
            .probability
            .map_or(current.default_probability, Probability::get),
        forecast_category: changes
            .forecast_category
            .unwrap_or(current.forecast_category),
        outcome: changes.outcome.unwrap_or(current.outcome),
    };
    let at = ctx.now();
    let after = tx.update_stage(current.id, &fields, at).await?;
    if &after == current {
        return Ok(after);
    }
    audit(
        &mut tx,
        ctx,
        at,
        Change::updated(EntityKind::Stage, after.id, current, &after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Places a stage at `position` (1 is first) in its pipeline, moving the others along.
pub async fn move_stage(
    store: &Store,
    ctx: &Context,
    pipeline: &str,
    stage: &str,
    position: usize,
) -> Result<StageRecord> {
    ctx.require(Permission::EditCrm)?;
    let mut tx = store.begin().await?;
    let stages = locked_stages(&mut tx).await?;
    let current = find(&stages, pipeline, stage)?;
    let mut order: Vec<&StageRecord> = stages
        .iter()
        .filter(|s| s.pipeline_id == current.pipeline_id)
        .collect();
    if position == 0 || position > order.len() {
        return Err(AppError::invalid(
            "position",
            format!("a position from 1 to {}", order.len()),
        ));
    }
    order.retain(|s| s.id != current.id);
    order.insert(position - 1, current);
    let ids: Vec<_> = order.iter().map(|s| s.id).collect();
    let at = ctx.now();
    tx.reorder_stages(&ids, at).await?;
    let after = tx.get_stage(current.id).await?;
    audit(
        &mut tx,
        ctx,
        at,
        Change::updated(EntityKind::Stage, after.id, current, &after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Retires a stage, or (`retired == false`) brings it back.
pub async fn retire_stage(
    store: &Store,
    ctx: &Context,
    pipeline: &str,
    stage: &str,
    retired: bool,
) -> Result<StageRecord> {
    ctx.require(Permission::EditCrm)?;
    let mut tx = store.begin().await?;
    let stages = locked_stages(&mut tx).await?;
    let current = find(&stages, pipeline, stage)?;
    if current.retired == retired {
        let state = if retired {
            "already retired"
        } else {
            "not retired"
        };
        return Err(AppError::Conflict(format!(
            "stage {:?} is {state}",
            current.name
        )));
    }
    let at = ctx.now();
    let after = tx
        .set_stage_retired(current.id, retired.then_some(at), at)
        .await?;
    audit(
        &mut tx,
        ctx,
        at,
        Change::deleted_or_restored(EntityKind::Stage, after.id, retired, current, &after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The columns of every stage list, in every format.
pub fn table(stages: &[StageRecord]) -> bearing_formats::Table {
    let mut table = bearing_formats::Table::new([
        "pipeline",
        "position",
        "stage",
        "probability",
        "forecast_category",
        "outcome",
        "retired",
    ]);
    for s in stages {
        table.push([
            Some(s.pipeline.clone()),
            Some(s.position.to_string()),
            Some(s.name.clone()),
            Some(s.default_probability.to_string()),
            Some(s.forecast_category.to_string()),
            Some(s.outcome.to_string()),
            Some(if s.retired { "yes" } else { "no" }.to_owned()),
        ]);
    }
    table
}
