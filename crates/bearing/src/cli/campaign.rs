//! `bearing` subcommands: Campaigns.

use bearing_core::Date;
use bearing_formats::Format;
use clap::{Args, Subcommand};

use super::{parse_date, parse_format};

#[derive(Debug, Subcommand)]
pub enum CampaignCommand {
    /// List campaigns
    List {
        /// Include deleted campaigns
        #[arg(long)]
        deleted: bool,
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// Add a campaign
    Add {
        /// The campaign's name
        name: String,
        /// The campaign's fields
        #[command(flatten)]
        fields: CampaignArgs,
    },
    /// Change fields of a campaign (by id or name)
    Edit {
        /// The campaign, by id or name
        campaign: String,
        /// A new name
        #[arg(long)]
        name: Option<String>,
        /// The campaign's fields
        #[command(flatten)]
        fields: CampaignArgs,
    },
    /// Delete a campaign (it keeps its history and can be restored)
    Delete {
        /// The campaign, by id or name
        campaign: String,
    },
    /// Restore a deleted campaign
    Restore {
        /// The campaign, by id or name
        campaign: String,
    },
}

#[derive(Debug, Args)]
pub struct CampaignArgs {
    /// How it reaches people, e.g. webinar or conference
    #[arg(long)]
    pub channel: Option<String>,
    /// The campaign's first day
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub start: Option<Date>,
    /// The campaign's last day
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub end: Option<Date>,
    /// Cost in money, e.g. 2500
    #[arg(long)]
    pub cost: Option<String>,
    /// ISO 4217 code of the cost (default USD)
    #[arg(long)]
    pub currency: Option<String>,
    /// Cost in person-days
    #[arg(long)]
    pub person_days: Option<f64>,
    /// Notes (Markdown)
    #[arg(long)]
    pub notes: Option<String>,
}
