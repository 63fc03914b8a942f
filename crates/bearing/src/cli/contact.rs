//! `bearing` subcommands: Contacts.

use bearing_core::ContactId;
use bearing_formats::Format;
use clap::{Args, Subcommand};

use super::parse_format;

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
