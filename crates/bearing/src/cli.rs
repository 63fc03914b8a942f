//! The command line: every subcommand and option, with the environment variables that set them.

use std::net::SocketAddr;
use std::path::PathBuf;

use bearing_core::{Date, EntityKind};
use bearing_formats::Format;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Bearing: partnerships and sustainability for a small, fiscally sponsored nonprofit.
#[derive(Debug, Parser)]
#[command(name = "bearing", version, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
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
    /// Log format
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
    /// Serve the web application and the JSON API
    Serve(ServeArgs),
    /// Fill an empty database with a fictional demo organisation
    Demo(DemoArgs),
    /// List every recorded change to one record
    History {
        /// organization (or org), deal, pipeline, stage or campaign
        #[arg(value_parser = parse_kind)]
        kind: EntityKind,
        id: String,
        #[arg(long, default_value = "table", value_parser = parse_format)]
        format: Format,
    },
    /// Write a consistent copy of a live SQLite database to FILE
    Backup { file: PathBuf },
    /// Restore a backup into a database that does not exist yet
    Restore { file: PathBuf },
    /// Print the effective configuration, secrets redacted
    Config,
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

fn parse_kind(text: &str) -> Result<EntityKind, String> {
    text.parse().map_err(|e: bearing_core::ParseError| e.reason)
}

fn parse_format(text: &str) -> Result<Format, String> {
    text.parse()
}

fn parse_date(text: &str) -> Result<Date, String> {
    bearing_core::parse_date(text).map_err(|e| e.reason)
}
