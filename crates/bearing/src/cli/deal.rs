//! `bearing` subcommands: Deals: the pipeline's records, their moves and history.

use bearing_app::deals::DealRef;
use bearing_core::{Date, DealId};
use bearing_formats::Format;
use clap::{Args, Subcommand};

use super::{parse_date, parse_format};

#[derive(Debug, Subcommand)]
pub enum DealCommand {
    /// List deals, filtered
    List {
        /// Which deals to list
        #[command(flatten)]
        filter: DealFilterArgs,
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// Show every field of one deal
    Show {
        /// The deal: Bearing's id (e.g. 42) or the CRM's id written crm:ID (e.g. crm:86000044013)
        id: DealRef,
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// Add a deal
    Add {
        /// The deal's fields
        #[command(flatten)]
        fields: DealArgs,
    },
    /// Change fields of a deal (`--clear FIELD` makes a field unknown)
    Edit {
        /// The deal: Bearing's id (e.g. 42) or the CRM's id written crm:ID (e.g. crm:86000044013)
        id: DealRef,
        /// The deal's fields
        #[command(flatten)]
        fields: DealArgs,
    },
    /// Move a deal to another stage; closing stages need their details
    Move {
        /// The deal: Bearing's id (e.g. 42) or the CRM's id written crm:ID (e.g. crm:86000044013)
        id: DealRef,
        /// The stage to move to, by name, in the deal's pipeline
        stage: String,
        /// Why the deal was lost; a lost stage needs one
        #[arg(long)]
        loss_reason: Option<String>,
        /// The deal's total value, e.g. 15000; a won stage needs one
        #[arg(long, value_name = "AMOUNT")]
        amount: Option<String>,
        /// The contract's first day; a won stage needs one
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        contract_start: Option<Date>,
        /// The contract's last day; a won stage needs one
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        contract_end: Option<Date>,
        /// The day the deal closed or is expected to close
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        close_date: Option<Date>,
    },
    /// Create next term's deal, in the Renewal stage, from a won membership
    Renew {
        /// The won deal to renew, by Bearing's id
        id: DealId,
    },
    /// Delete a deal (it keeps its history and can be restored)
    Delete {
        /// The deal, by Bearing's id
        id: DealId,
    },
    /// Restore a deleted deal
    Restore {
        /// The deal, by Bearing's id
        id: DealId,
    },
    /// The recorded changes of one deal, or of every deal in a period
    History {
        /// The deal: Bearing's id (e.g. 42) or the CRM's id written crm:ID (e.g. crm:86000044013);
        /// without it, every deal
        id: Option<DealRef>,
        /// Changes on or after this day (UTC)
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        from: Option<Date>,
        /// Changes before this day (UTC)
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        to: Option<Date>,
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
}

#[derive(Debug, Args)]
pub struct DealFilterArgs {
    /// Stage name
    #[arg(long)]
    pub stage: Option<String>,
    /// Revenue type
    #[arg(long = "type", value_name = "TYPE")]
    pub revenue_type: Option<String>,
    /// Owner's name
    #[arg(long)]
    pub owner: Option<String>,
    /// Organization name
    #[arg(long)]
    pub org: Option<String>,
    /// Campaign name
    #[arg(long)]
    pub campaign: Option<String>,
    /// Close date on or after
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub closes_from: Option<Date>,
    /// Close date on or before
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub closes_to: Option<Date>,
    /// Include deleted deals
    #[arg(long)]
    pub deleted: bool,
}

/// The fields of a deal as flags; absent flags leave a field as it is.
#[derive(Debug, Args)]
pub struct DealArgs {
    /// The deal's name; a new deal needs one
    #[arg(long)]
    pub name: Option<String>,
    /// Organization name
    #[arg(long)]
    pub org: Option<String>,
    /// Pipeline name (a new deal's default: Membership Sales)
    #[arg(long)]
    pub pipeline: Option<String>,
    /// Stage name in the pipeline (a new deal's default: Enrichment); the stage's requirements
    /// apply, as with `deal move`
    #[arg(long)]
    pub stage: Option<String>,
    /// 0 to 1; overrides the stage's default
    #[arg(long)]
    pub probability: Option<String>,
    /// pipeline, best-case, commit, closed or omitted; overrides the stage's default
    #[arg(long)]
    pub forecast_category: Option<String>,
    /// Revenue type: membership-general, membership-premier, project, grant, gift, usage, other or your own
    #[arg(long = "type", value_name = "TYPE")]
    pub revenue_type: Option<String>,
    /// new-business or renewal
    #[arg(long)]
    pub deal_type: Option<String>,
    /// The deal this one renews
    #[arg(long)]
    pub renews: Option<DealId>,
    /// Total value, e.g. 15000 or 15000.00
    #[arg(long)]
    pub amount: Option<String>,
    /// ISO 4217 code (default USD)
    #[arg(long)]
    pub currency: Option<String>,
    /// Amount collected so far
    #[arg(long)]
    pub collected: Option<String>,
    /// The day the deal closed or is expected to close
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub close_date: Option<Date>,
    /// The contract's first day
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub contract_start: Option<Date>,
    /// The contract's last day
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub contract_end: Option<Date>,
    /// The expected first day, used by forecasts until there is a contract start
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub target_start: Option<Date>,
    /// The expected last day, used by forecasts until there is a contract end
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub target_end: Option<Date>,
    /// Who on the team is responsible for the deal
    #[arg(long)]
    pub owner: Option<String>,
    /// Campaign name
    #[arg(long)]
    pub campaign: Option<String>,
    /// Why the deal was lost
    #[arg(long)]
    pub loss_reason: Option<String>,
    /// Link to the agreement
    #[arg(long)]
    pub agreement_url: Option<String>,
    /// Link to the engagement's page
    #[arg(long)]
    pub engagement_url: Option<String>,
    /// Link to where the work is tracked
    #[arg(long)]
    pub tracker_url: Option<String>,
    /// Make a field unknown (repeatable), e.g. --clear amount
    #[arg(long, value_name = "FIELD")]
    pub clear: Vec<String>,
}
