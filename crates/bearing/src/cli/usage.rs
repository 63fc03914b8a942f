//! `bearing` subcommands: Usage: pulls from Prometheus, and clusters and hubs.

use bearing_core::{Date, DealId};
use bearing_formats::Format;
use clap::{Args, Subcommand};

use super::{parse_date, parse_format, parse_pair};

#[derive(Debug, Subcommand)]
pub enum UsageCommand {
    /// Read active users from Prometheus's range-query API, directly or through a Grafana
    /// data-source proxy, and write them like an import (all or nothing, safe to repeat).
    /// Without --prometheus, every `[[prometheus]]` source of the configuration file is pulled.
    Pull(PullArgs),
    /// The scheduled pulls' runs, newest first: which instance ran each slot, when it started
    /// and ended, and how it went
    Runs {
        /// How many runs to list
        #[arg(long, default_value_t = 20)]
        limit: i64,
        /// Output format: table, csv, json or xlsx
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
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
