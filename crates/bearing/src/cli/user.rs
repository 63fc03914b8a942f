//! `bearing` subcommands: Users, their passwords and tokens, and roles.

use clap::Subcommand;

use super::parse_date;

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
