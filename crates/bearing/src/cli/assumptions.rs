//! `bearing` subcommands: The assumptions behind the reports.

use bearing_core::Date;
use clap::Subcommand;

use super::{parse_date, parse_pair};

#[derive(Debug, Subcommand)]
pub enum AssumptionsCommand {
    /// The assumptions in force today, and their version
    Show,
    /// Make a new version with KEY=VALUE changes, e.g. books-closed=2026-02 fsp-fee=0.15
    Set {
        /// The values to change (`bearing assumptions show` lists the keys)
        #[arg(required = true, value_name = "KEY=VALUE", value_parser = parse_pair)]
        changes: Vec<(String, String)>,
        /// The day the new version takes effect (default: today)
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        from: Option<Date>,
    },
    /// Every version, with who made it and when
    History,
}
