//! `bearing` subcommands: Role pages: roles and areas, and publishing them.

use bearing_formats::Format;
use clap::Subcommand;
use std::path::PathBuf;

use super::parse_format;

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
