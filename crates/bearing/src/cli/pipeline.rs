//! `bearing` subcommands: Pipelines and their stages.

use bearing_formats::Format;
use clap::Subcommand;

use super::parse_format;

#[derive(Debug, Subcommand)]
pub enum PipelineCommand {
    /// List pipelines and their stages with defaults
    List {
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// Add an empty pipeline
    Add {
        /// The new pipeline's name
        name: String,
    },
    /// Add a stage (at the end, or at --position)
    StageAdd {
        /// The pipeline, by name
        pipeline: String,
        /// The new stage's name
        stage: String,
        /// Default probability of deals in the stage, 0 to 1
        #[arg(long)]
        probability: String,
        /// Default forecast category: pipeline, best-case, commit, closed or omitted
        #[arg(long, default_value = "pipeline")]
        category: String,
        /// open, won or lost
        #[arg(long, default_value = "open")]
        outcome: String,
        /// Where to put it, 1 being first (default: last)
        #[arg(long)]
        position: Option<usize>,
    },
    /// Rename a stage or change its defaults; its deals stay in it
    StageEdit {
        /// The pipeline, by name
        pipeline: String,
        /// The stage, by name
        stage: String,
        /// A new name
        #[arg(long)]
        name: Option<String>,
        /// Default probability of deals in the stage, 0 to 1
        #[arg(long)]
        probability: Option<String>,
        /// Default forecast category: pipeline, best-case, commit, closed or omitted
        #[arg(long)]
        category: Option<String>,
        /// open, won or lost
        #[arg(long)]
        outcome: Option<String>,
    },
    /// Move a stage to a position (1 is first)
    StageMove {
        /// The pipeline, by name
        pipeline: String,
        /// The stage, by name
        stage: String,
        /// The new position, 1 being first
        position: usize,
    },
    /// Retire a stage: no longer offered, but its deals and history keep it
    StageRetire {
        /// The pipeline, by name
        pipeline: String,
        /// The stage, by name
        stage: String,
    },
    /// Bring a retired stage back
    StageRestore {
        /// The pipeline, by name
        pipeline: String,
        /// The stage, by name
        stage: String,
    },
}
