//! `bearing pipeline …`: the pipelines and their stages.

use bearing_formats::Table;

use crate::cli::PipelineCommand;
use crate::config::Config;

pub async fn run(config: &Config, command: PipelineCommand) -> anyhow::Result<()> {
    let store = super::open(config).await?;
    let stages = store.list_stages().await;
    store.close().await;
    let PipelineCommand::List { format } = command;
    let mut table = Table::new([
        "pipeline",
        "position",
        "stage",
        "probability",
        "forecast_category",
        "outcome",
        "retired",
    ]);
    for stage in stages? {
        table.push([
            Some(stage.pipeline),
            Some(stage.position.to_string()),
            Some(stage.name),
            Some(stage.default_probability.to_string()),
            Some(stage.forecast_category.to_string()),
            Some(format!("{:?}", stage.outcome).to_lowercase()),
            Some(if stage.retired { "yes" } else { "no" }.to_owned()),
        ]);
    }
    super::print_table(&table, format)
}
