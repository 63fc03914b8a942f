//! `bearing` subcommands: Organizations.

use bearing_formats::Format;
use clap::{Args, Subcommand};

use super::parse_format;

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
    /// The names the sponsor's books use for an organization (its aliases), which the ledger
    /// import places it by: list them, add or remove some
    Alias {
        /// The organization, by name or id
        org: String,
        /// A name to add (repeat it)
        #[arg(long, value_name = "NAME")]
        add: Vec<String>,
        /// A name to remove (repeat it)
        #[arg(long, value_name = "NAME")]
        remove: Vec<String>,
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
