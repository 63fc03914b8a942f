//! The command line: every subcommand and option, with the environment variables that set them.

use std::net::SocketAddr;
use std::path::PathBuf;

use bearing_core::{Date, EntityKind};
use bearing_formats::Format;
use clap::{Args, Parser, Subcommand, ValueEnum};

mod assumptions;
mod billing;
mod campaign;
mod cloud;
mod contact;
mod deal;
mod import;
mod invoice;
mod org;
mod people;
mod pipeline;
mod roles;
mod usage;
mod user;

pub use assumptions::*;
pub use billing::*;
pub use campaign::*;
pub use cloud::*;
pub use contact::*;
pub use deal::*;
pub use import::*;
pub use invoice::*;
pub use org::*;
pub use people::*;
pub use pipeline::*;
pub use roles::*;
pub use usage::*;
pub use user::*;

/// Bearing: partnerships and sustainability for a small, fiscally sponsored nonprofit.
#[derive(Debug, Parser)]
#[command(name = "bearing", version, propagate_version = true)]
pub struct Cli {
    /// Options of every command
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Database: a file path or sqlite://PATH (default ./bearing.db), or postgres://…
    #[arg(
        long,
        env = "BEARING_DB",
        global = true,
        value_name = "URL",
        hide_env_values = true
    )]
    pub db: Option<String>,
    /// Configuration file (TOML); ./bearing.toml is read when it exists
    #[arg(long, env = "BEARING_CONFIG", global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Log filter, e.g. info or bearing_web=debug (default: info for serve, warn otherwise)
    #[arg(long, env = "BEARING_LOG", global = true, value_name = "FILTER")]
    pub log: Option<String>,
    /// Log format: text, for people, or json, a JSON object a line, for log collectors
    #[arg(long, env = "BEARING_LOG_FORMAT", global = true, value_enum)]
    pub log_format: Option<LogFormat>,
    /// Who is recorded in the audit log for changes made here (default: the login name)
    #[arg(long, env = "BEARING_ACTOR", global = true, value_name = "NAME")]
    pub actor: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending database migrations
    Migrate {
        /// Only say where the schema stands
        #[arg(long)]
        status: bool,
    },
    /// Serve the web pages, the JSON API and the health checks
    Serve(ServeArgs),
    /// Fill an empty database with a fictional demo organisation
    Demo(DemoArgs),
    /// List every recorded change to one record
    History {
        /// What the record is: any kind the audit log keeps, such as organization (or org),
        /// deal, contact, invoice, billing-schedule or assumptions
        #[arg(value_parser = parse_kind)]
        kind: EntityKind,
        /// The record's id (for assumptions, the version number; for an invoice, its number
        /// too; for a billing schedule, its deal's id)
        id: String,
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// Write a consistent copy of a live SQLite database to FILE
    Backup {
        /// Where to write the copy; an existing file is never overwritten
        file: PathBuf,
    },
    /// Restore a backup into a database that does not exist yet
    Restore {
        /// The backup file to copy into the configured database
        file: PathBuf,
    },
    /// Print the effective configuration, secrets redacted
    Config,
    /// Deals: list, show, add, edit, move between stages, renew, delete, restore, history
    #[command(subcommand)]
    Deal(Box<DealCommand>),
    /// Organizations: communities, funders, partners and the sponsor
    #[command(subcommand, alias = "organization")]
    Org(OrgCommand),
    /// Pipelines and their stages
    #[command(subcommand)]
    Pipeline(PipelineCommand),
    /// Contacts: people at organizations
    #[command(subcommand)]
    Contact(ContactCommand),
    /// Campaigns: lead-generation experiments
    #[command(subcommand)]
    Campaign(CampaignCommand),
    /// Users who sign in to the web pages and the API
    #[command(subcommand)]
    User(UserCommand),
    /// Import a CSV export
    #[command(subcommand)]
    Import(ImportCommand),
    /// Hub usage: pull it from Prometheus (import CSV files with `bearing import usage`)
    #[command(subcommand)]
    Usage(UsageCommand),
    /// Clusters and hubs: list, show, edit
    #[command(subcommand)]
    Cluster(ClusterCommand),
    /// Roles, as the role pages describe them (import them with `bearing import roles`)
    #[command(subcommand)]
    Role(RoleCommand),
    /// People on the team, their assignments and what the team costs
    #[command(subcommand)]
    Person(PersonCommand),
    /// Salary bands: list, generate from a benchmark, set, cost-of-living adjustments
    #[command(subcommand)]
    Band(BandCommand),
    /// Publish pages: the roles in MyST Markdown
    #[command(subcommand)]
    Publish(PublishCommand),
    /// The assumptions behind the reports: show, set, history
    #[command(subcommand)]
    Assumptions(AssumptionsCommand),
    /// The books: the account map, what closing a month needs, and the closes
    #[command(subcommand)]
    Actuals(ActualsCommand),
    /// Scenarios: named sets of changes (hires, departures, deals won or lost, new deals, cost
    /// changes) weighed beside the forecast without touching a record
    #[command(subcommand)]
    Scenario(ScenarioCommand),
    /// Can we hire? The probability that cash stays at or above zero for the 12 months after
    /// the start, with and without the hire, against the assumption hire-confidence; when it
    /// falls short, the earliest start that meets it and the committed revenue that would
    Hire(HireArgs),
    /// Close a month: record the net assets it ends with (worked out from the previous close
    /// and the month's actuals unless given), set books-closed to it and freeze the forecast
    /// made before it. Closing the latest closed month again needs --reason.
    Close {
        /// The month to close
        #[arg(value_name = "YYYY-MM", value_parser = parse_month)]
        month: bearing_core::Month,
        /// The net assets at the end of the month, in dollars
        #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true)]
        net_assets: Option<f64>,
        /// Why a closed month is closed again
        #[arg(long)]
        reason: Option<String>,
    },
    /// Invoices and payments: list, show, add a draft, issue, record a payment, void
    #[command(subcommand)]
    Invoice(InvoiceCommand),
    /// Billing schedules of won deals, and the billing run of a month
    #[command(subcommand)]
    Billing(BillingCommand),
    /// Cloud costs: each billing account's month and its overruns, the mappings to clusters,
    /// shared clusters' splits, decisions on overruns and credits held for partners
    #[command(subcommand)]
    Cloud(CloudCommand),
    /// A report: projections, deal-months, commitments, revenue-by-type, flags, deals, health,
    /// fmrr, usage, usage-by-organization, stage-moves, time-in-stage, conversion, actuals,
    /// forecast-accuracy, aging, invoicing, reconciliation, cloud-recovery; `--format xlsx --out FILE` writes every report, a
    /// sheet each
    Report {
        /// Which report, by the names above
        name: String,
        /// The day the report is made as of: the aging on that day, the assumptions in force
        /// then [default: today]
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        as_of: Option<Date>,
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
        /// Write to FILE instead of standard output
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on
    #[arg(long, env = "BEARING_ADDR", value_name = "HOST:PORT")]
    pub addr: Option<SocketAddr>,
    /// Seconds before a request is abandoned with 408
    #[arg(long, env = "BEARING_REQUEST_TIMEOUT", value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout: Option<u64>,
    /// Serve the demo organisation from a fresh temporary database (the configured database
    /// is not touched)
    #[arg(long)]
    pub demo: bool,
    /// Seed of the demo organisation
    #[arg(long, default_value_t = 1, requires = "demo")]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Seed: the same seed gives the same organisation
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Generate exactly this many deals (for benchmarks), instead of the natural size
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub deals: Option<u64>,
    /// The demo's "today" (default: today)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub as_of: Option<Date>,
}

fn parse_pair(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.trim().to_owned())),
        _ => Err("expected KEY=VALUE".to_owned()),
    }
}

fn parse_person_kind(text: &str) -> Result<bearing_core::people::PersonKind, String> {
    text.parse().map_err(|e: bearing_core::ParseError| e.reason)
}

/// `G-1=0.6,G-2=0.4`
fn parse_funding(text: &str) -> Result<(String, f64), String> {
    bearing_core::people::parse_funding_share(text)
}

fn parse_kind(text: &str) -> Result<EntityKind, String> {
    text.parse().map_err(|e: bearing_core::ParseError| e.reason)
}

fn parse_month(text: &str) -> Result<bearing_core::Month, String> {
    bearing_core::Month::parse(text).map_err(|e| e.reason)
}

/// The books' subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum ActualsCommand {
    /// Every account: those the ledger uses without a category first, then the map
    Accounts {
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// Put an account in a category: membership, usage, cloud-recovery, grant, gift, service,
    /// other-revenue, personnel, contractors, cloud-recoverable, cloud-absorbed,
    /// fiscal-sponsor-fee, travel or other-cost
    Map {
        /// The account's code
        code: String,
        /// Its category
        #[arg(value_parser = parse_category)]
        category: bearing_core::actuals::Category,
        /// Its name
        #[arg(long)]
        name: Option<String>,
    },
    /// What closing a month needs: what stops it, what to look at, the net assets it would
    /// record
    Checklist {
        /// The month to close
        #[arg(value_name = "YYYY-MM", value_parser = parse_month)]
        month: bearing_core::Month,
    },
    /// Every close, oldest first
    Closes {
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
}

/// The scenarios' subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum ScenarioCommand {
    /// Every saved scenario
    List {
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// One scenario's changes, by id or name
    Show {
        /// The scenario's id or name
        scenario: String,
    },
    /// Save a scenario. Each --change is a line: `hire role=R; level=2; step=1; fte=1;
    /// start=2027-01`, `depart person=NAME; last-day=2027-03-31`, `win deal=ID`, `lose
    /// deal=ID`, `deal name=N; amount=60000; start=…; end=…; probability=0.5`, `cost
    /// monthly=-2500; from=2027-01`
    Add {
        /// The scenario's name
        name: String,
        /// What the scenario is for
        #[arg(long)]
        description: Option<String>,
        /// A change (repeat it)
        #[arg(long = "change", value_name = "LINE", required = true, value_parser = parse_change)]
        changes: Vec<bearing_core::scenario::Change>,
    },
    /// Weigh a scenario (saved, by id or name, or the --change lines given) beside the baseline
    Eval {
        /// A saved scenario's id or name
        scenario: Option<String>,
        /// A change to weigh instead of a saved scenario (repeat it)
        #[arg(long = "change", value_name = "LINE", value_parser = parse_change)]
        changes: Vec<bearing_core::scenario::Change>,
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// Delete a scenario (it keeps its history)
    Delete {
        /// The scenario's id or name
        scenario: String,
    },
}

#[derive(Debug, Args)]
pub struct HireArgs {
    /// The role, as the role pages name it
    #[arg(long)]
    pub role: String,
    /// The level
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=20))]
    pub level: u8,
    /// The step
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=20))]
    pub step: u8,
    /// The share of full time
    #[arg(long, default_value_t = 1.0)]
    pub fte: f64,
    /// The first month
    #[arg(long, value_name = "YYYY-MM", value_parser = parse_month)]
    pub start: bearing_core::Month,
    /// The last month, for a fixed term
    #[arg(long, value_name = "YYYY-MM", value_parser = parse_month)]
    pub end: Option<bearing_core::Month>,
    /// Grant codes and shares, e.g. G-1=0.6,G-2=0.4
    #[arg(long, value_parser = parse_funding_list)]
    pub funding: Option<Vec<(String, f64)>>,
    /// A contractor's monthly payment in dollars, instead of the band
    #[arg(long)]
    pub payment: Option<f64>,
    /// Save the hire as a scenario of this name
    #[arg(long, value_name = "NAME")]
    pub save: Option<String>,
}

fn parse_change(text: &str) -> Result<bearing_core::scenario::Change, String> {
    bearing_core::scenario::Change::parse(text).map_err(|e| e.to_string())
}

fn parse_funding_list(text: &str) -> Result<Vec<(String, f64)>, String> {
    let funding = bearing_core::people::parse_funding(text)?;
    bearing_core::people::check_funding(&funding)?;
    Ok(funding)
}

fn parse_category(text: &str) -> Result<bearing_core::actuals::Category, String> {
    text.parse().map_err(|e: bearing_core::ParseError| e.reason)
}

fn parse_format(text: &str) -> Result<Format, String> {
    text.parse()
}

fn parse_date(text: &str) -> Result<Date, String> {
    bearing_core::parse_date(text).map_err(|e| e.reason)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    /// The derive's own checks: no clashing names, defaults that parse, and so on.
    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    /// `--help` says what every argument and flag of every command is; only the automatic
    /// `--help` and `--version` (and the `help` subcommand) are left to clap.
    #[test]
    fn every_argument_has_help() {
        let mut command = Cli::command();
        command.build();
        let mut missing = Vec::new();
        undocumented(&command, "bearing", &mut missing);
        assert!(
            missing.is_empty(),
            "{} argument(s) or command(s) without help:\n{}",
            missing.len(),
            missing.join("\n")
        );
    }

    fn undocumented(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
        let said = |text: Option<&clap::builder::StyledStr>| {
            text.is_some_and(|t| !t.to_string().trim().is_empty())
        };
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            if matches!(id, "help" | "version") || arg.is_global_set() && path != "bearing" {
                continue;
            }
            if !said(arg.get_help()) && !said(arg.get_long_help()) {
                let name = match arg.get_long() {
                    Some(long) => format!("--{long}"),
                    None => format!("<{}>", id.to_uppercase()),
                };
                missing.push(format!("{path} {name}"));
            }
        }
        for sub in command.get_subcommands() {
            if sub.get_name() == "help" {
                continue;
            }
            let sub_path = format!("{path} {}", sub.get_name());
            if !said(sub.get_about()) && !said(sub.get_long_about()) {
                missing.push(format!("{sub_path} (the command itself)"));
            }
            undocumented(sub, &sub_path, missing);
        }
    }
}
