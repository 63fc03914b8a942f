//! The command line: every subcommand and option, with the environment variables that set them.

use std::net::SocketAddr;
use std::path::PathBuf;

use bearing_app::deals::DealRef;
use bearing_core::{ContactId, Date, DealId, EntityKind};
use bearing_formats::Format;
use clap::{Args, Parser, Subcommand, ValueEnum};

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
        /// organization (or org), deal, pipeline, stage, campaign, contact or assumptions
        #[arg(value_parser = parse_kind)]
        kind: EntityKind,
        /// The record's id (for assumptions, the version number)
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
    /// A report: projections, deal-months, commitments, revenue-by-type, flags, deals, health,
    /// fmrr, usage, usage-by-organization; `--format xlsx --out FILE` writes every report, a
    /// sheet each
    Report {
        /// Which report, by the names above
        name: String,
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
        /// Write to FILE instead of standard output
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UsageCommand {
    /// Read active users from Prometheus's range-query API, directly or through a Grafana
    /// data-source proxy, and write them like an import (all or nothing, safe to repeat).
    /// Without --prometheus, every `[[prometheus]]` source of the configuration file is pulled.
    Pull(PullArgs),
}

#[derive(Debug, Args)]
pub struct PullArgs {
    /// The server: Prometheus's base URL, or a Grafana data-source proxy URL
    /// (…/api/datasources/proxy/uid/UID)
    #[arg(long, value_name = "URL")]
    pub prometheus: Option<String>,
    /// A bearer token (a Grafana service-account token)
    #[arg(long, env = "BEARING_PROMETHEUS_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// The PromQL query [default: max by (namespace) (jupyterhub_active_users{period="30d"})]
    #[arg(long)]
    pub query: Option<String>,
    /// The label that names each series' cluster (or hub, with --cluster) [default: namespace]
    #[arg(long)]
    pub label: Option<String>,
    /// Every series is a hub of this cluster (a Prometheus per cluster, a namespace per hub)
    #[arg(long)]
    pub cluster: Option<String>,
    /// Rename a label value: VALUE=CLUSTER or VALUE=CLUSTER/HUB (repeatable)
    #[arg(long = "map", value_name = "VALUE=NAME", value_parser = parse_pair)]
    pub names: Vec<(String, String)>,
    /// Seconds between samples [default: 86400, a day]
    #[arg(long, value_name = "SECONDS")]
    pub step: Option<u64>,
    /// Give up after this many seconds [default: 60]
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
    /// The first day [default: 35 days before --to]
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub from: Option<Date>,
    /// The last day [default: today]
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub to: Option<Date>,
    /// Say what would be written; write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Subcommand)]
pub enum ClusterCommand {
    /// Every cluster and hub
    List {
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// One cluster (NAME) or hub (CLUSTER/HUB), with its monthly active users and fees
    Show {
        /// A cluster's name, or CLUSTER/HUB for a hub
        name: String,
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// Change what is recorded about a cluster (NAME) or hub (CLUSTER/HUB)
    Edit {
        /// A cluster's name, or CLUSTER/HUB for a hub
        name: String,
        /// The hosting provider, e.g. gcp, aws, azure
        #[arg(long)]
        provider: Option<String>,
        /// Dedicated to one community
        #[arg(long, conflicts_with = "shared")]
        dedicated: bool,
        /// Shared by several communities
        #[arg(long)]
        shared: bool,
        /// The owning organization, by name
        #[arg(long = "org", value_name = "NAME")]
        organization: Option<String>,
        /// The deal that pays for it, by id
        #[arg(long)]
        deal: Option<DealId>,
        /// The first day it ran
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        start: Option<Date>,
        /// The last day it ran
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        end: Option<Date>,
        /// Forget a field: provider, dedicated, org, deal, start or end (repeatable)
        #[arg(long, value_name = "FIELD")]
        clear: Vec<String>,
    },
}

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

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// List organizations
    List {
        /// Include deleted organizations
        #[arg(long)]
        deleted: bool,
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// Show one organization (by name or id) and its deals
    Show {
        /// The organization, by name or id
        org: String,
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// Add an organization; NAME is a one-word key such as `bids`
    Add {
        /// A one-word key, e.g. bids
        name: String,
        /// The organization's fields
        #[command(flatten)]
        fields: OrgArgs,
    },
    /// Change fields of an organization
    Edit {
        /// The organization, by name or id
        org: String,
        /// A new one-word key
        #[arg(long)]
        name: Option<String>,
        /// The organization's fields
        #[command(flatten)]
        fields: OrgArgs,
    },
    /// Delete an organization (it keeps its history and can be restored)
    Delete {
        /// The organization, by name or id
        org: String,
    },
    /// Restore a deleted organization
    Restore {
        /// The organization, by name or id
        org: String,
    },
}

#[derive(Debug, Args)]
pub struct OrgArgs {
    /// The full name, e.g. Berkeley Institute for Data Science
    #[arg(long)]
    pub long_name: Option<String>,
    /// community, funder, partner, sponsor or other
    #[arg(long)]
    pub kind: Option<String>,
    /// Website address
    #[arg(long)]
    pub website: Option<String>,
    /// GitHub organization
    #[arg(long)]
    pub github: Option<String>,
    /// Notes (Markdown)
    #[arg(long)]
    pub notes: Option<String>,
    /// Tags or segments, separated by ';' (replaces the current ones)
    #[arg(long)]
    pub tags: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ContactCommand {
    /// List contacts, optionally of one organization
    List {
        /// Organization name
        #[arg(long)]
        org: Option<String>,
        /// Include deleted contacts
        #[arg(long)]
        deleted: bool,
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// Show one contact
    Show {
        /// The contact's id
        id: ContactId,
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// Add a contact
    Add {
        /// The person's name
        name: String,
        /// The contact's fields
        #[command(flatten)]
        fields: ContactArgs,
    },
    /// Change fields of a contact
    Edit {
        /// The contact's id
        id: ContactId,
        /// A new name
        #[arg(long)]
        name: Option<String>,
        /// The contact's fields
        #[command(flatten)]
        fields: ContactArgs,
    },
    /// Delete a contact (it keeps its history and can be restored)
    Delete {
        /// The contact's id
        id: ContactId,
    },
    /// Restore a deleted contact
    Restore {
        /// The contact's id
        id: ContactId,
    },
}

#[derive(Debug, Args)]
pub struct ContactArgs {
    /// Email address
    #[arg(long)]
    pub email: Option<String>,
    /// GitHub handle
    #[arg(long)]
    pub github: Option<String>,
    /// Link to an organization as ORG:LABEL (repeatable); labels: community-representative,
    /// technical-contact, billing-contact, other
    #[arg(long = "org", value_name = "ORG:LABEL")]
    pub organizations: Vec<String>,
    /// Remove every organization link before adding the --org ones
    #[arg(long)]
    pub replace_orgs: bool,
    /// Mark as strategic (true or false)
    #[arg(long)]
    pub strategic: Option<bool>,
    /// Coverage categories, separated by ';'
    #[arg(long)]
    pub coverage: Option<String>,
    /// Notes (Markdown)
    #[arg(long)]
    pub notes: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; the password is prompted for on a terminal and read from standard input
    /// otherwise
    Add {
        /// The user's email, which they sign in with
        email: String,
        /// member, partnerships, community-success, finance, people, admin, or a custom role
        #[arg(long)]
        role: String,
        /// Defaults to the part of the email before the @
        #[arg(long)]
        name: Option<String>,
    },
    /// Set a user's password (read like `add`'s); their sessions end and their API tokens are
    /// revoked
    Password {
        /// The user's email
        email: String,
        /// Keep the user's API tokens working
        #[arg(long)]
        keep_tokens: bool,
    },
    /// Print a new API token for a user, for setting up an install from scripts
    Token {
        /// The user's email
        email: String,
        /// What the token is for
        #[arg(long, default_value = "command line")]
        name: String,
        /// The day the token stops working (YYYY-MM-DD); without it, it works until revoked
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        expires: Option<bearing_core::Date>,
    },
    /// List users
    List,
    /// Change a user's role, or disable or enable them
    Edit {
        /// The user's email
        email: String,
        /// The new role
        #[arg(long)]
        role: Option<String>,
        /// Disable the user (their sessions end)
        #[arg(long, conflicts_with = "enable")]
        disable: bool,
        /// Enable a disabled user
        #[arg(long)]
        enable: bool,
    },
    /// List the roles, built-in and custom, with what each grants
    Roles,
    /// Define a custom role, change what it grants, or delete it
    Role {
        /// The role's name (lower case letters, digits and hyphens)
        name: String,
        /// The permissions it grants, comma-separated (see `bearing user roles`)
        #[arg(long, required_unless_present = "delete")]
        permissions: Option<String>,
        /// What the role is for
        #[arg(long)]
        description: Option<String>,
        /// Delete the role (refused while an enabled user holds it)
        #[arg(long, conflicts_with_all = ["permissions", "description"])]
        delete: bool,
    },
}

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

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// The CRM's deal export: an idempotent upsert keyed by the CRM's id
    Deals(ImportArgs),
    /// Organizations (name, long_name, kind, website, github_org, notes, tags as `a;b`),
    /// matched by name
    Organizations(ImportArgs),
    /// Contacts (name, email, github, organizations as `org:label;…`, strategic, coverage,
    /// notes), matched by email
    Contacts(ImportArgs),
    /// Usage samples: `cluster,date,unique_users` or `date,hub,users,cluster`, idempotent on
    /// (cluster or hub, date); unknown clusters and hubs are created
    Usage(ImportArgs),
    /// A role page in MyST Markdown: the job-titles page (a section per role) or an area's page
    /// (context, key goals, areas of responsibility, measures, current roles)
    Roles(RolesImportArgs),
}

#[derive(Debug, Args)]
pub struct RolesImportArgs {
    /// The page to read (MyST Markdown)
    pub file: PathBuf,
    /// The area an area's page is about, when the page does not say
    #[arg(long)]
    pub area: Option<String>,
    /// Say what would be created and changed; write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Subcommand)]
pub enum PublishCommand {
    /// The job-titles page and each area's page, in MyST Markdown, shaped like the pages they
    /// were read from
    Roles {
        /// Only `myst` (MyST Markdown)
        #[arg(long, default_value = "myst", value_parser = ["myst"])]
        format: String,
        /// Write one file per page into DIR (job-titles.md, partnerships.md, …) instead of
        /// printing them
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum RoleCommand {
    /// Every role: area, key goal, performance measures, comparable titles, revisit month
    List {
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// Add a role by name (its parts come with the role pages)
    Add {
        /// The role's name, e.g. Partnerships Lead
        name: String,
        /// The area it belongs to
        #[arg(long)]
        area: Option<String>,
    },
    /// Change a role's area, ladder or key goal (its other parts: the role pages or the web
    /// application)
    Edit {
        /// The role, by name
        name: String,
        /// The area it belongs to
        #[arg(long)]
        area: Option<String>,
        /// The bands it is paid by, shared with other roles: another role's name or a ladder
        /// of its own
        #[arg(long)]
        ladder: Option<String>,
        /// The role's key goal, in a sentence
        #[arg(long)]
        key_goal: Option<String>,
        /// Forget a part: area, ladder (back to its own bands) or key-goal (repeatable)
        #[arg(long, value_name = "FIELD")]
        clear: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PersonCommand {
    /// Everyone, with the titles they hold today
    List {
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// Add a person
    Add {
        /// The person's name
        name: String,
        /// employee or contractor
        #[arg(long, value_parser = parse_person_kind)]
        kind: bearing_core::people::PersonKind,
        /// Email address
        #[arg(long)]
        email: Option<String>,
        /// GitHub handle
        #[arg(long)]
        github: Option<String>,
        /// The yearly renewal, MM-DD (e.g. 07-01)
        #[arg(long)]
        renewal: Option<String>,
    },
    /// Change what is recorded about a person
    Edit {
        /// The person's name or email
        person: String,
        /// A new name
        #[arg(long)]
        name: Option<String>,
        /// employee or contractor
        #[arg(long, value_parser = parse_person_kind)]
        kind: Option<bearing_core::people::PersonKind>,
        /// Email address
        #[arg(long)]
        email: Option<String>,
        /// GitHub handle
        #[arg(long)]
        github: Option<String>,
        /// The yearly renewal, MM-DD (e.g. 07-01)
        #[arg(long)]
        renewal: Option<String>,
        /// Forget a field: email, github or renewal (repeatable)
        #[arg(long, value_name = "FIELD")]
        clear: Vec<String>,
    },
    /// Give a person a role at a level and step from a day
    Assign {
        /// The person's name or email
        person: String,
        /// The role, by name
        #[arg(long)]
        role: String,
        /// The level in the role's ladder, 1 to 20
        #[arg(long)]
        level: u8,
        /// The step within the level, 1 to 20
        #[arg(long, default_value_t = 1)]
        step: u8,
        /// Share of full time, e.g. 0.5
        #[arg(long, default_value_t = 1.0)]
        fte: f64,
        /// The assignment's first day
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        start: Date,
        /// The assignment's last day (default: no end yet)
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        end: Option<Date>,
        /// Grant codes and their shares, adding to 1: `G-1=0.6,G-2=0.4`
        #[arg(long, value_parser = parse_funding, value_delimiter = ',', required = true)]
        funding: Vec<(String, f64)>,
        /// Contractors: the monthly payment, e.g. 4000
        #[arg(long)]
        monthly_payment: Option<String>,
        /// What the person does in the role
        #[arg(long)]
        description: Option<String>,
    },
    /// Correct an assignment (a promotion is a new assignment: end this one, assign the next)
    EditAssignment {
        /// The assignment's id, as `bearing person assignments` lists it
        id: i64,
        /// The role, by name
        #[arg(long)]
        role: Option<String>,
        /// The level in the role's ladder, 1 to 20
        #[arg(long)]
        level: Option<u8>,
        /// The step within the level, 1 to 20
        #[arg(long)]
        step: Option<u8>,
        /// Share of full time, e.g. 0.5
        #[arg(long)]
        fte: Option<f64>,
        /// The assignment's first day
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        start: Option<Date>,
        /// The assignment's last day
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        end: Option<Date>,
        /// Grant codes and their shares, adding to 1: `G-1=0.6,G-2=0.4`
        #[arg(long, value_parser = parse_funding, value_delimiter = ',')]
        funding: Vec<(String, f64)>,
        /// Contractors: the monthly payment, e.g. 4000
        #[arg(long)]
        monthly_payment: Option<String>,
        /// What the person does in the role
        #[arg(long)]
        description: Option<String>,
        /// Forget a field: end, monthly-payment or description (repeatable)
        #[arg(long, value_name = "FIELD")]
        clear: Vec<String>,
    },
    /// Delete a person entered by mistake (refused while they hold assignments; someone who
    /// left has their assignments ended instead); they keep their history and can be restored
    Delete {
        /// The person's name or email
        person: String,
    },
    /// Restore a deleted person, by id
    Restore {
        /// The person's id
        id: i64,
    },
    /// Delete an assignment entered by mistake (one that happened is ended instead)
    DeleteAssignment {
        /// The assignment's id, as `bearing person assignments` lists it
        id: i64,
    },
    /// Restore a deleted assignment
    RestoreAssignment {
        /// The assignment's id, as `bearing person assignments` lists it
        id: i64,
    },
    /// End an assignment on its last day
    Unassign {
        /// The assignment's id, as `bearing person assignments` lists it
        id: i64,
        /// The assignment's last day
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        end: Date,
    },
    /// Every assignment, with pay
    Assignments {
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// The blended hourly rate: burdened annual cost ÷ billable hours × (1 + FSP fee) × (1 + margin)
    Rate {
        /// The burdened annual cost of a person, in dollars [default: 180000]
        #[arg(long)]
        cost: Option<f64>,
        /// Billable hours a year [default: 900]
        #[arg(long)]
        hours: Option<f64>,
        /// The sponsor's fee as a fraction [default: the assumption fsp-fee]
        #[arg(long)]
        fee: Option<f64>,
        /// The margin as a fraction [default: 0.087]
        #[arg(long)]
        margin: Option<f64>,
    },
    /// The balancing rule now: costs ≤ amount sold ≤ delivery capacity
    Balance {
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// What the team costs each month, by area, role and grant code
    Cost {
        /// The first month [default: twelve months before this one]
        #[arg(long, value_name = "YYYY-MM")]
        from: Option<String>,
        /// How many months [default: 36]
        #[arg(long, default_value_t = 36)]
        months: u16,
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum BandCommand {
    /// The bands in force on a day
    List {
        /// The day [default: today]
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        on: Option<Date>,
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// A ladder's bands from a benchmark: the median total compensation (base + 25% benefits)
    /// of comparable positions, at the reference level and step; about 10% a level, 2% a step
    Generate {
        /// The ladder: a role's name, the ladder roles that share bands are paid by, or a new one
        ladder: String,
        /// The median total compensation of comparable positions, in dollars a year
        #[arg(long)]
        benchmark: f64,
        /// The level the benchmark pays
        #[arg(long, default_value_t = 2)]
        reference_level: u8,
        /// The step the benchmark pays
        #[arg(long, default_value_t = 1)]
        reference_step: u8,
        /// How many levels
        #[arg(long, default_value_t = 4)]
        levels: u8,
        /// How many steps in each level
        #[arg(long, default_value_t = 5)]
        steps: u8,
        /// The day the bands take effect [default: today]
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        from: Option<Date>,
    },
    /// Set one band: LADDER LEVEL STEP ANNUAL_BASE
    Set {
        /// The ladder: a role's name, or the ladder roles that share bands are paid by
        ladder: String,
        /// The level, 1 to 20
        level: u8,
        /// The step within the level, 1 to 20
        step: u8,
        /// The annual base pay in dollars, e.g. 95000
        annual_base: String,
        /// The day the band takes effect [default: today]
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        from: Option<Date>,
    },
    /// A cost-of-living adjustment: every band in force grows by PERCENT from a day
    Cola {
        /// How much every band grows, in percent, e.g. 3.5
        percent: f64,
        /// The day the raised bands take effect [default: today]
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        from: Option<Date>,
    },
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The CSV file to read
    pub file: PathBuf,
    /// Show what would be created, updated and left alone, and every problem; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Output format: table, csv, json or xlsx
    #[arg(long, default_value = "table", value_parser = parse_format)]
    pub format: Format,
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
