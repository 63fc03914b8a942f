//! `bearing pipeline …`: the pipelines and their stages.

use bearing_app::pipelines::{self, NewStage, StageChanges};
use bearing_core::pipeline::{ForecastCategory, Probability, StageOutcome};
use bearing_store::Store;

use super::UsageError;
use crate::cli::PipelineCommand;
use crate::config::Config;
use crate::output::outln;

pub async fn run(config: &Config, command: PipelineCommand) -> anyhow::Result<()> {
    let store = super::open(config).await?;
    let result = dispatch(&store, config, command).await;
    store.close().await;
    result
}

fn usage<T, E: std::fmt::Display>(flag: &str, result: Result<T, E>) -> anyhow::Result<T> {
    result.map_err(|e| UsageError(format!("{flag}: {e}")).into())
}

async fn dispatch(store: &Store, config: &Config, command: PipelineCommand) -> anyhow::Result<()> {
    match command {
        PipelineCommand::List { format } => {
            super::print_table(&pipelines::table(&store.list_stages().await?), format)
        }
        PipelineCommand::Add { name } => {
            pipelines::add_pipeline(store, &super::cli_context(config)?, &name).await?;
            outln!("added pipeline {name}")?;
            Ok(())
        }
        PipelineCommand::StageAdd {
            pipeline,
            stage,
            probability,
            category,
            outcome,
            position,
        } => {
            let new = NewStage {
                name: stage.clone(),
                probability: usage("--probability", Probability::parse(&probability))?,
                forecast_category: usage("--category", category.parse::<ForecastCategory>())?,
                outcome: usage("--outcome", outcome.parse::<StageOutcome>())?,
            };
            let ctx = super::cli_context(config)?;
            let mut added = pipelines::add_stage(store, &ctx, &pipeline, new).await?;
            if let Some(position) = position {
                added = pipelines::move_stage(store, &ctx, &pipeline, &stage, position).await?;
            }
            outln!(
                "added stage {} to {} at position {}",
                added.name,
                added.pipeline,
                added.position
            )?;
            Ok(())
        }
        PipelineCommand::StageEdit {
            pipeline,
            stage,
            name,
            probability,
            category,
            outcome,
        } => {
            let changes = StageChanges {
                name,
                probability: probability
                    .map(|p| usage("--probability", Probability::parse(&p)))
                    .transpose()?,
                forecast_category: category
                    .map(|c| usage("--category", c.parse::<ForecastCategory>()))
                    .transpose()?,
                outcome: outcome
                    .map(|o| usage("--outcome", o.parse::<StageOutcome>()))
                    .transpose()?,
            };
            let edited = pipelines::edit_stage(
                store,
                &super::cli_context(config)?,
                &pipeline,
                &stage,
                changes,
            )
            .await?;
            outln!(
                "stage {} of {}: probability {}",
                edited.name,
                edited.pipeline,
                edited.default_probability
            )?;
            Ok(())
        }
        PipelineCommand::StageMove {
            pipeline,
            stage,
            position,
        } => {
            let moved = pipelines::move_stage(
                store,
                &super::cli_context(config)?,
                &pipeline,
                &stage,
                position,
            )
            .await?;
            outln!("stage {} is at position {}", moved.name, moved.position)?;
            Ok(())
        }
        PipelineCommand::StageRetire { pipeline, stage } => {
            let retired = pipelines::retire_stage(
                store,
                &super::cli_context(config)?,
                &pipeline,
                &stage,
                true,
            )
            .await?;
            let deals = store.count_deals_in_stage(retired.id).await?;
            outln!(
                "retired stage {} ({deals} deal(s) stay in it until moved)",
                retired.name
            )?;
            Ok(())
        }
        PipelineCommand::StageRestore { pipeline, stage } => {
            let restored = pipelines::retire_stage(
                store,
                &super::cli_context(config)?,
                &pipeline,
                &stage,
                false,
            )
            .await?;
            outln!("restored stage {}", restored.name)?;
            Ok(())
        }
    }
}
