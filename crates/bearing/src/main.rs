//! The `bearing` binary: parses the command line, resolves the configuration, and hands each
//! subcommand to the application services.
//!
//! Architecture invariant: this is the only crate that reads argv and the environment.
//! Errors reach the user as one line on standard error: exit status 2 for a command line that
//! cannot be understood, 1 for a command that failed. A reader that closes standard output
//! early (`bearing deal list | head -1`) is not a failure: status 0, and nothing is said.

#![warn(clippy::print_stdout)] // Commands print through `output`, whose writes return errors.

mod cli;
mod commands;
mod config;
mod output;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::cli::Cli;
use crate::config::Config;

fn main() -> ExitCode {
    install_panic_hook();
    let matches = match Cli::command().try_get_matches() {
        Ok(matches) => matches,
        Err(error) => return usage_error(&error),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error),
    };
    let config = match Config::resolve(&cli, &matches) {
        Ok(config) => config,
        Err(error) => return failure(&error, 2),
    };
    if let Err(error) = init_logging(&config, &cli.command) {
        return failure(&error, 2);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            return failure(
                &anyhow::Error::new(error).context("cannot start the async runtime"),
                1,
            );
        }
    };
    match runtime.block_on(commands::run(cli, config)) {
        Ok(()) => ExitCode::SUCCESS,
        // `bearing deal list | head -1`: the reader had what it wanted.
        Err(error) if output::closed(&error) => ExitCode::SUCCESS,
        Err(error) => {
            let status = if error.downcast_ref::<commands::UsageError>().is_some() {
                2
            } else {
                1
            };
            failure(&error, status)
        }
    }
}

/// Help and version go to standard output with status 0; any other problem with the command
/// line is one line and status 2.
fn usage_error(error: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = error.print();
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = error.print();
            ExitCode::from(2)
        }
        _ => {
            // The first paragraph, on one line: clap lists what is missing on the lines
            // under "the following required arguments were not provided:".
            let rendered = error.render().to_string();
            let first: Vec<&str> = rendered
                .lines()
                .map(str::trim)
                .skip_while(|l| l.is_empty())
                .take_while(|l| !l.is_empty())
                .collect();
            let first = if first.is_empty() {
                "error: invalid arguments".to_owned()
            } else {
                first.join(" ")
            };
            let _ = writeln!(std::io::stderr(), "{first}; see `bearing --help`");
            ExitCode::from(2)
        }
    }
}

fn failure(error: &anyhow::Error, status: u8) -> ExitCode {
    let message = format!("{error:#}").replace(['\n', '\r'], " ");
    let _ = writeln!(std::io::stderr(), "error: {message}");
    ExitCode::from(status)
}

/// A bug must not greet the user with a backtrace: one line, and a request to report it.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("unknown cause");
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let _ = writeln!(
            std::io::stderr(),
            "error: internal error{location}: {message} (this is a bug in Bearing; please report it)"
        );
    }));
}

fn init_logging(config: &Config, command: &cli::Command) -> anyhow::Result<()> {
    use tracing_subscriber::EnvFilter;
    let default = if matches!(command, cli::Command::Serve(_)) {
        "info"
    } else {
        "warn"
    };
    let filter_text = config
        .log
        .value
        .clone()
        .unwrap_or_else(|| default.to_owned());
    let filter = EnvFilter::try_new(&filter_text)
        .map_err(|e| anyhow::anyhow!("invalid log filter {filter_text:?}: {e}"))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = match config.log_format.value {
        cli::LogFormat::Text => builder.try_init(),
        cli::LogFormat::Json => builder.json().try_init(),
    };
    result.map_err(|e| anyhow::anyhow!("cannot start logging: {e}"))
}
