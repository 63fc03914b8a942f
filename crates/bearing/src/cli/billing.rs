//! `bearing` subcommands: Billing schedules and the billing run.

use bearing_app::billing::MilestoneInput;
use bearing_core::Month;
use bearing_core::billing::{Frequency, Timing};
use bearing_formats::Format;
use clap::Subcommand;

use super::{parse_format, parse_month};

#[derive(Debug, Subcommand)]
pub enum BillingCommand {
    /// What is to be invoiced for a month: each won deal's instalments up to it that are not
    /// billed yet, and, once the month is over, each cluster's usage fee billed to its owner
    /// and each community's recoverable cloud costs of the month not billed yet
    Run {
        /// The month
        #[arg(value_name = "YYYY-MM", value_parser = parse_month)]
        month: Month,
        /// Make the proposed invoices drafts
        #[arg(long)]
        confirm: bool,
        /// With --confirm, make only the proposal with this key (repeat it)
        #[arg(long = "only", value_name = "KEY", requires = "confirm")]
        only: Vec<String>,
        /// Output format: table, csv, json or xlsx (the notes and totals under the table
        /// are for people and show with the table only)
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// Show how a deal is billed and its instalments, or set its schedule
    Schedule {
        /// The deal: Bearing's id or crm:ID
        deal: String,
        /// Set the schedule: once, yearly, quarterly, monthly or custom
        #[arg(long, value_parser = parse_frequency)]
        set: Option<Frequency>,
        /// Bill each period the day after it ends [default: in advance, on its first day]
        #[arg(long, requires = "set")]
        arrears: bool,
        /// A custom schedule's milestone: `YYYY-MM-DD=AMOUNT` (repeat it)
        #[arg(long = "milestone", value_name = "DAY=AMOUNT", value_parser = MilestoneInput::parse, requires = "set")]
        milestones: Vec<MilestoneInput>,
        /// Output format of the instalments: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
}

impl BillingCommand {
    pub fn timing(arrears: bool) -> Timing {
        if arrears {
            Timing::Arrears
        } else {
            Timing::Advance
        }
    }
}

fn parse_frequency(text: &str) -> Result<Frequency, String> {
    text.parse()
        .map_err(|e: bearing_core::ParseError| e.to_string())
}
