//! `bearing user`: add users, set passwords, list them.

use std::io::{BufRead, IsTerminal, Write};

use bearing_app::accounts;
use bearing_core::access::{Permissions, RoleName};
use bearing_formats::{Format, Table};

use crate::cli::UserCommand;
use crate::config::Config;
use crate::output::outln;

pub async fn run(config: &Config, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add { email, role, name } => {
            let role = RoleName::parse(&role)?;
            let password = read_password()?;
            let store = super::open(config).await?;
            let added = accounts::add_user(
                &store,
                &super::cli_context(config)?,
                &email,
                name.as_deref(),
                role,
                &password,
            )
            .await;
            store.close().await;
            let user = added?;
            outln!("added {} ({}) as {}", user.email, user.name, user.role)?;
        }
        UserCommand::Password { email, keep_tokens } => {
            let password = read_password()?;
            let store = super::open(config).await?;
            let ctx = super::cli_context(config)?;
            let done = accounts::reset_password(&store, &ctx, &email, &password, keep_tokens).await;
            store.close().await;
            let user = done?;
            if keep_tokens {
                outln!(
                    "set the password of {}; their sessions have ended, their API tokens still work",
                    user.email
                )?;
            } else {
                outln!(
                    "set the password of {}; their sessions have ended and their API tokens are revoked",
                    user.email
                )?;
            }
        }
        UserCommand::Token {
            email,
            name,
            expires,
        } => {
            let store = super::open(config).await?;
            let ctx = super::cli_context(config)?;
            let made = async {
                let user = accounts::user_by_email(&store, &email).await?;
                accounts::create_token(&store, &ctx, user.id, &name, expires).await
            }
            .await;
            store.close().await;
            // The token alone on standard output, so a script can capture it.
            outln!("{}", made?.secret.expose())?;
        }
        UserCommand::Edit {
            email,
            role,
            disable,
            enable,
        } => {
            let role = role.as_deref().map(RoleName::parse).transpose()?;
            let store = super::open(config).await?;
            let ctx = super::cli_context(config)?;
            let edited = async {
                let user = accounts::user_by_email(&store, &email).await?;
                let disabled = if disable {
                    true
                } else if enable {
                    false
                } else {
                    user.disabled_at.is_some()
                };
                let role = role.unwrap_or(user.role);
                accounts::update_user(&store, &ctx, user.id, role, disabled).await
            }
            .await;
            store.close().await;
            let user = edited?;
            let state = if user.disabled_at.is_some() {
                "disabled"
            } else {
                "enabled"
            };
            outln!("{} is {} and {state}", user.email, user.role)?;
        }
        UserCommand::Roles => {
            let store = super::open(config).await?;
            let ctx = super::cli_context(config)?;
            let roles = bearing_app::access::list(&store, &ctx).await;
            store.close().await;
            let mut table = Table::new(["role", "built_in", "permissions", "users", "description"]);
            for r in roles? {
                table.push([
                    Some(r.name.to_string()),
                    Some(if r.built_in { "yes" } else { "no" }.to_owned()),
                    Some(r.permissions.to_string()),
                    Some(r.users.to_string()),
                    r.description,
                ]);
            }
            super::print_table(&table, Format::Table)?;
        }
        UserCommand::Role {
            name,
            permissions,
            description,
            delete,
        } => {
            let store = super::open(config).await?;
            let ctx = super::cli_context(config)?;
            let done = async {
                if delete {
                    return bearing_app::access::delete(&store, &ctx, &name).await;
                }
                let granted: Permissions =
                    permissions.as_deref().unwrap_or_default().parse().map_err(
                        |e: bearing_core::ParseError| {
                            bearing_app::AppError::invalid("--permissions", e.to_string())
                        },
                    )?;
                bearing_app::access::define(&store, &ctx, &name, description.as_deref(), granted)
                    .await
            }
            .await;
            store.close().await;
            let role = done?;
            if delete {
                outln!("deleted the role {}", role.name)?;
            } else {
                outln!("the role {} grants {}", role.name, role.permissions)?;
            }
        }
        UserCommand::List => {
            let store = super::open(config).await?;
            let users = accounts::users(&store, &super::cli_context(config)?).await;
            store.close().await;
            let mut table = Table::new(["id", "email", "name", "role", "created", "disabled"]);
            for u in users? {
                table.push([
                    Some(u.id.to_string()),
                    Some(u.email),
                    Some(u.name),
                    Some(u.role.to_string()),
                    Some(bearing_store::timestamp_text(u.created_at)),
                    u.disabled_at.map(bearing_store::timestamp_text),
                ]);
            }
            super::print_table(&table, Format::Table)?;
        }
    }
    Ok(())
}

/// The password: prompted for twice without echo on a terminal, else the first line of
/// standard input.
fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut line = String::new();
        stdin.lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    let first = prompt("Password: ")?;
    let second = prompt("Again: ")?;
    if first != second {
        anyhow::bail!("the two passwords differ; nothing was changed");
    }
    Ok(first)
}

/// Reads a line with the terminal's echo off (`stty -echo`), restoring it after.
fn prompt(label: &str) -> anyhow::Result<String> {
    let mut err = std::io::stderr();
    write!(err, "{label}")?;
    err.flush()?;
    let stty = |arg: &str| {
        std::process::Command::new("stty")
            .arg(arg)
            .stdin(std::process::Stdio::inherit())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    };
    let hidden = stty("-echo");
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    if hidden {
        stty("echo");
    }
    writeln!(err)?;
    read?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
