//! One function per subcommand; each opens the store and calls the application services.

mod assumptions;
mod backup;
mod billing;
mod books;
mod campaign;
mod cloud;
mod cluster;
mod contact;
mod deal;
mod demo;
mod history;
mod import;
mod invoice;
mod migrate;
mod org;
mod people;
mod pipeline;
mod roles;
mod serve;
mod usage;
mod user;

use std::fmt;

use bearing_app::Context;
use bearing_core::{Actor, Source};
use bearing_formats::{Format, Table};
use bearing_store::{OpenMode, Store};

use crate::cli::{Cli, Command};
use crate::config::Config;

/// An error in what the user asked for rather than in carrying it out (exit status 2).
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

pub async fn run(cli: Cli, config: Config) -> anyhow::Result<()> {
    match cli.command {
        Command::Migrate { status } => migrate::run(&config, status).await,
        Command::Serve(args) => serve::run(&config, &args).await,
        Command::Demo(args) => demo::run(&config, &args).await,
        Command::History { kind, id, format } => history::run(&config, kind, &id, format).await,
        Command::Backup { file } => backup::backup(&config, &file).await,
        Command::Restore { file } => backup::restore(&config, &file).await,
        Command::Deal(command) => deal::run(&config, *command).await,
        Command::Org(command) => org::run(&config, command).await,
        Command::Pipeline(command) => pipeline::run(&config, command).await,
        Command::Contact(command) => contact::run(&config, command).await,
        Command::Campaign(command) => campaign::run(&config, command).await,
        Command::User(command) => user::run(&config, command).await,
        Command::Import(command) => import::run(&config, command).await,
        Command::Usage(command) => usage::run(&config, command).await,
        Command::Cluster(command) => cluster::run(&config, command).await,
        Command::Role(command) => roles::list(&config, command).await,
        Command::Publish(command) => roles::publish(&config, command).await,
        Command::Person(command) => people::person(&config, command).await,
        Command::Band(command) => people::band(&config, command).await,
        Command::Assumptions(command) => assumptions::run(&config, command).await,
        Command::Actuals(command) => books::run(&config, command).await,
        Command::Scenario(command) => books::scenario(&config, command).await,
        Command::Hire(args) => books::hire(&config, args).await,
        Command::Close {
            month,
            net_assets,
            reason,
        } => books::close(&config, month, net_assets, reason.as_deref()).await,
        Command::Invoice(command) => invoice::run(&config, command).await,
        Command::Billing(command) => billing::run(&config, command).await,
        Command::Cloud(command) => cloud::run(&config, command).await,
        Command::Report {
            name,
            as_of,
            format,
            out,
        } => assumptions::report(&config, &name, as_of, format, out.as_deref()).await,
        Command::Config => {
            let mut table = Table::new(["key", "value", "from"]);
            for row in config.rows() {
                table.push(row.map(Some));
            }
            print_table(&table, Format::Table)
        }
    }
}

/// Opens the configured database for a command; SQLite is migrated on first use.
async fn open(config: &Config) -> anyhow::Result<Store> {
    Ok(Store::open(&config.db.value, OpenMode::Checked).await?)
}

/// Who acts for changes made from the command line.
fn cli_context(config: &Config) -> anyhow::Result<Context> {
    let name = config
        .actor
        .value
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .unwrap_or_else(|| "cli".to_owned());
    let actor = Actor::parse(&name).map_err(|e| UsageError(format!("--actor: {e}")))?;
    Ok(Context::new(actor, Source::Cli))
}

fn print_table(table: &Table, format: Format) -> anyhow::Result<()> {
    let mut out = crate::output::stdout();
    if format == Format::Xlsx && out.is_terminal() {
        return Err(UsageError(
            "--format xlsx is a binary workbook: redirect it to a file, e.g. > list.xlsx".into(),
        )
        .into());
    }
    match table.write(format, &mut out) {
        Ok(()) => Ok(()),
        // The JSON writer keeps no source, so the closed pipe is recognised by its flag.
        Err(_) if crate::output::was_closed() => Err(crate::output::Closed.into()),
        Err(error) => Err(error.into()),
    }
}

/// Applies `--clear FIELD` flags through an edit's `clear`, saying in the command line's words
/// what was wrong with one.
pub fn clear_flags(
    clear: &[String],
    mut edit: impl FnMut(&str) -> Result<(), bearing_app::patch::ClearError>,
) -> anyhow::Result<()> {
    use bearing_app::patch::ClearError;
    for field in clear {
        edit(field).map_err(|error| {
            UsageError(match error {
                ClearError::NotClearable { field, clearable } => {
                    let (last, first) = clearable.split_last().unwrap_or((&"", &[]));
                    let expected = if first.is_empty() {
                        (*last).to_owned()
                    } else {
                        format!("{} or {last}", first.join(", "))
                    };
                    format!("--clear {field}: expected {expected}")
                }
                ClearError::AlsoSet { field } => {
                    format!("--clear {field} and --{field}: give one or the other")
                }
            })
        })?;
    }
    Ok(())
}
