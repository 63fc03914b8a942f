//! Configuration: flags, then `BEARING_*` environment variables, then an optional TOML file,
//! then defaults. Each effective value remembers where it came from, for `bearing config`.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use bearing_core::Date;
use bearing_store::DbUrl;
use clap::ArgMatches;
use clap::parser::ValueSource;

use crate::cli::{Cli, LogFormat};

pub const DEFAULT_DB: &str = "bearing.db";
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
pub const DEFAULT_CONFIG_FILE: &str = "bearing.toml";
const DEFAULT_REQUEST_TIMEOUT: u64 = 30;

/// The optional configuration file. Unknown keys are refused, so a typo is not silently
/// ignored.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub db: Option<String>,
    pub addr: Option<SocketAddr>,
    pub log: Option<String>,
    pub log_format: Option<LogFormat>,
    pub actor: Option<String>,
    pub request_timeout: Option<u64>,
    /// `always` or `auto`: whether the session cookie is `Secure` (default: always, unless
    /// Bearing listens on a loopback address).
    pub cookie_secure: Option<String>,
    /// A header a trusted reverse proxy sets to the client's address, e.g. `X-Forwarded-For`.
    pub trusted_proxy_header: Option<String>,
    /// Hours a session lasts without a request (default 12).
    pub session_idle_hours: Option<u64>,
    /// Days a session lasts at most after signing in (default 7).
    pub session_max_days: Option<u64>,
    /// Whether everyone signed in sees cash: net assets, typed-in costs and the health
    /// scorecard (default true).
    pub members_see_cash: Option<bool>,
    /// Prometheus servers that `bearing usage pull` and `serve`'s scheduled job read.
    #[serde(default)]
    pub prometheus: Vec<PrometheusSource>,
}

/// A `[[prometheus]]` table: a server to pull usage from, and how often `serve` does it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrometheusSource {
    /// Prometheus's base URL or a Grafana data-source proxy URL.
    pub url: String,
    /// A bearer token; `token_env` names an environment variable that holds it instead.
    pub token: Option<String>,
    pub token_env: Option<String>,
    pub query: Option<String>,
    pub label: Option<String>,
    pub cluster: Option<String>,
    /// Seconds between samples (default a day).
    pub step: Option<u64>,
    /// Seconds to wait for an answer (default 60).
    pub timeout: Option<u64>,
    /// Label values renamed to `cluster` or `cluster/hub`.
    #[serde(default)]
    pub names: std::collections::BTreeMap<String, String>,
    /// Hours between scheduled pulls in `serve` (default 24; 0 turns the schedule off).
    pub every_hours: Option<u64>,
    /// Days back each scheduled pull reads, today included (default 35, so a month's largest
    /// sample is always re-read).
    pub days: Option<u32>,
}

pub const DEFAULT_PULL_EVERY_HOURS: u64 = 24;
pub const DEFAULT_PULL_DAYS: u32 = 35;

impl PrometheusSource {
    /// The pull of days `from` to `to`.
    pub fn pull(&self, from: Date, to: Date) -> anyhow::Result<bearing_formats::prometheus::Pull> {
        use bearing_formats::prometheus::Pull;
        let mut pull = Pull::new(self.url.clone(), from, to);
        pull.token = match (&self.token, &self.token_env) {
            (Some(token), _) => Some(token.clone()),
            (None, Some(var)) => Some(std::env::var(var).map_err(|_| {
                anyhow::anyhow!(
                    "the Prometheus source {} takes its token from ${var}, which is not set",
                    self.url
                )
            })?),
            (None, None) => None,
        };
        if let Some(query) = &self.query {
            pull.query = query.clone();
        }
        if let Some(label) = &self.label {
            pull.label = label.clone();
        }
        pull.cluster = self.cluster.clone();
        if let Some(step) = self.step {
            pull.step = Duration::from_secs(step);
        }
        if let Some(timeout) = self.timeout {
            pull.timeout = Duration::from_secs(timeout);
        }
        pull.names = self.names.clone();
        Ok(pull)
    }

    fn check(&self, path: &Path) -> anyhow::Result<()> {
        let problem = if self.url.trim().is_empty() {
            Some("url is empty".to_owned())
        } else if self.step == Some(0) {
            Some("step must be at least 1 second".to_owned())
        } else if self.timeout.is_some_and(|t| !(1..=3600).contains(&t)) {
            Some("timeout must be 1 to 3600 seconds".to_owned())
        } else if self.days.is_some_and(|d| !(1..=400).contains(&d)) {
            Some("days must be 1 to 400".to_owned())
        } else {
            None
        };
        match problem {
            Some(p) => anyhow::bail!("{}: [[prometheus]] {}: {p}", path.display(), self.url),
            None => Ok(()),
        }
    }
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Flag,
    Env(&'static str),
    File(PathBuf),
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Flag => f.write_str("flag"),
            Origin::Env(name) => write!(f, "env {name}"),
            Origin::File(path) => write!(f, "file {}", path.display()),
            Origin::Default => f.write_str("default"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
}

/// The effective configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub file: Option<PathBuf>,
    pub db: Setting<DbUrl>,
    pub addr: Setting<SocketAddr>,
    pub log: Setting<Option<String>>,
    pub log_format: Setting<LogFormat>,
    pub actor: Setting<Option<String>>,
    pub request_timeout: Setting<Duration>,
    pub cookie_secure: Setting<bearing_web::CookieSecure>,
    pub trusted_proxy_header: Setting<Option<bearing_web::HeaderName>>,
    pub session_idle: Setting<Duration>,
    pub session_max: Setting<Duration>,
    pub members_see_cash: Setting<bool>,
    /// From the configuration file only.
    pub prometheus: Vec<PrometheusSource>,
}

impl Config {
    /// Resolves every setting. `matches` are the parsed arguments of `cli`.
    pub fn resolve(cli: &Cli, matches: &ArgMatches) -> anyhow::Result<Config> {
        let (file_path, file) = read_file(cli.global.config.as_deref())?;
        let file_origin = || Origin::File(file_path.clone().unwrap_or_default());
        let serve = match &cli.command {
            crate::cli::Command::Serve(args) => Some(args),
            _ => None,
        };
        let serve_matches = matches.subcommand_matches("serve");

        let db_text = pick(
            cli.global.db.clone(),
            origin(matches, "db", "BEARING_DB"),
            file.db.clone(),
            &file_origin,
            DEFAULT_DB.to_owned(),
        );
        let db = Setting {
            value: DbUrl::parse(&db_text.value)
                .with_context(|| format!("database location from {}", db_text.origin))?,
            origin: db_text.origin,
        };
        let (addr_arg, addr_origin) = serve_setting(
            serve.and_then(|s| s.addr),
            serve_matches,
            "addr",
            "BEARING_ADDR",
        )?;
        let default_addr: SocketAddr = DEFAULT_ADDR.parse()?;
        let addr = pick(addr_arg, addr_origin, file.addr, &file_origin, default_addr);
        let (timeout_arg, timeout_origin) = serve_setting(
            serve.and_then(|s| s.request_timeout),
            serve_matches,
            "request_timeout",
            "BEARING_REQUEST_TIMEOUT",
        )?;
        let timeout = pick(
            timeout_arg,
            timeout_origin,
            file.request_timeout,
            &file_origin,
            DEFAULT_REQUEST_TIMEOUT,
        );
        if !(1..=3600).contains(&timeout.value) {
            anyhow::bail!(
                "request_timeout from {} must be 1 to 3600 seconds, not {}",
                timeout.origin,
                timeout.value
            );
        }
        for source in &file.prometheus {
            source.check(file_path.as_deref().unwrap_or(Path::new("")))?;
        }
        let from_file = |value: bool| {
            if value {
                file_origin()
            } else {
                Origin::Default
            }
        };
        let cookie_secure = Setting {
            value: match file.cookie_secure.as_deref() {
                Some("always") => bearing_web::CookieSecure::Always,
                Some("auto") => bearing_web::CookieSecure::Auto,
                Some(other) => anyhow::bail!(
                    "cookie_secure from {} must be always or auto, not {other:?}",
                    file_origin()
                ),
                None if addr.value.ip().is_loopback() => bearing_web::CookieSecure::Auto,
                None => bearing_web::CookieSecure::Always,
            },
            origin: from_file(file.cookie_secure.is_some()),
        };
        let trusted_proxy_header = Setting {
            value: file
                .trusted_proxy_header
                .as_deref()
                .map(|name| {
                    bearing_web::HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
                        anyhow::anyhow!(
                            "trusted_proxy_header from {} is not a header name: {name:?}",
                            file_origin()
                        )
                    })
                })
                .transpose()?,
            origin: from_file(file.trusted_proxy_header.is_some()),
        };
        let idle_hours = file.session_idle_hours.unwrap_or(12);
        let max_days = file.session_max_days.unwrap_or(7);
        if !(1..=24 * 30).contains(&idle_hours) || !(1..=365).contains(&max_days) {
            anyhow::bail!(
                "sessions from {}: session_idle_hours must be 1 to 720 and session_max_days 1 to 365",
                file_origin()
            );
        }
        let session_idle = Setting {
            value: Duration::from_secs(idle_hours * 3600),
            origin: from_file(file.session_idle_hours.is_some()),
        };
        let session_max = Setting {
            value: Duration::from_secs(max_days * 24 * 3600),
            origin: from_file(file.session_max_days.is_some()),
        };
        Ok(Config {
            prometheus: file.prometheus.clone(),
            file: file_path.clone(),
            db,
            addr,
            log: optional(
                cli.global.log.clone(),
                origin(matches, "log", "BEARING_LOG"),
                file.log.clone(),
                &file_origin,
            ),
            log_format: pick(
                cli.global.log_format,
                origin(matches, "log_format", "BEARING_LOG_FORMAT"),
                file.log_format,
                &file_origin,
                LogFormat::Text,
            ),
            actor: optional(
                cli.global.actor.clone(),
                origin(matches, "actor", "BEARING_ACTOR"),
                file.actor.clone(),
                &file_origin,
            ),
            request_timeout: Setting {
                value: Duration::from_secs(timeout.value),
                origin: timeout.origin,
            },
            cookie_secure,
            trusted_proxy_header,
            session_idle,
            session_max,
            members_see_cash: Setting {
                value: file.members_see_cash.unwrap_or(true),
                origin: from_file(file.members_see_cash.is_some()),
            },
        })
    }

    /// How long sessions last.
    pub fn sessions(&self) -> bearing_app::accounts::SessionLimits {
        let span = |d: Duration| {
            jiff::SignedDuration::try_from(d).unwrap_or(jiff::SignedDuration::from_hours(12))
        };
        bearing_app::accounts::SessionLimits {
            idle: span(self.session_idle.value),
            absolute: span(self.session_max.value),
        }
    }

    /// The configuration as rows of (key, value, origin), secrets redacted.
    pub fn rows(&self) -> Vec<[String; 3]> {
        let row =
            |key: &str, value: String, origin: &Origin| [key.to_owned(), value, origin.to_string()];
        let or_unset = |v: &Option<String>| v.clone().unwrap_or_else(|| "(unset)".to_owned());
        let mut rows = vec![
            [
                "config".to_owned(),
                self.file
                    .as_ref()
                    .map_or_else(|| "(none)".to_owned(), |p| p.display().to_string()),
                String::new(),
            ],
            row("db", self.db.value.redacted(), &self.db.origin),
            row("addr", self.addr.value.to_string(), &self.addr.origin),
            row(
                "request_timeout",
                format!("{}s", self.request_timeout.value.as_secs()),
                &self.request_timeout.origin,
            ),
            row(
                "cookie_secure",
                match self.cookie_secure.value {
                    bearing_web::CookieSecure::Always => "always".to_owned(),
                    bearing_web::CookieSecure::Auto => "auto".to_owned(),
                },
                &self.cookie_secure.origin,
            ),
            row(
                "trusted_proxy_header",
                self.trusted_proxy_header
                    .value
                    .as_ref()
                    .map_or_else(|| "(unset)".to_owned(), ToString::to_string),
                &self.trusted_proxy_header.origin,
            ),
            row(
                "session_idle_hours",
                (self.session_idle.value.as_secs() / 3600).to_string(),
                &self.session_idle.origin,
            ),
            row(
                "session_max_days",
                (self.session_max.value.as_secs() / 86_400).to_string(),
                &self.session_max.origin,
            ),
            row(
                "members_see_cash",
                self.members_see_cash.value.to_string(),
                &self.members_see_cash.origin,
            ),
            row("log", or_unset(&self.log.value), &self.log.origin),
            row(
                "log_format",
                match self.log_format.value {
                    LogFormat::Text => "text".to_owned(),
                    LogFormat::Json => "json".to_owned(),
                },
                &self.log_format.origin,
            ),
            row("actor", or_unset(&self.actor.value), &self.actor.origin),
        ];
        let file = self
            .file
            .clone()
            .map(Origin::File)
            .unwrap_or(Origin::Default);
        for (i, source) in self.prometheus.iter().enumerate() {
            let every = source.every_hours.unwrap_or(DEFAULT_PULL_EVERY_HOURS);
            let token = match (&source.token, &source.token_env) {
                (Some(_), _) => ", token (redacted)".to_owned(),
                (None, Some(var)) => format!(", token from ${var}"),
                (None, None) => String::new(),
            };
            rows.push(row(
                &format!("prometheus[{i}]"),
                format!(
                    "{}{token}, {}",
                    source.url,
                    if every == 0 {
                        "not scheduled".to_owned()
                    } else {
                        format!("every {every} h")
                    }
                ),
                &file,
            ));
        }
        rows
    }
}

/// Reads the configuration file: the one named, or ./bearing.toml when it exists.
fn read_file(named: Option<&Path>) -> anyhow::Result<(Option<PathBuf>, FileConfig)> {
    let path = match named {
        Some(path) => path.to_path_buf(),
        None => {
            let default = PathBuf::from(DEFAULT_CONFIG_FILE);
            if !default.is_file() {
                return Ok((None, FileConfig::default()));
            }
            default
        }
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
    let file = parse_file(&path, &text)?;
    Ok((Some(path), file))
}

/// Reads the configuration file's text; `path` names the file in messages, with the line of
/// the problem where there is one.
pub fn parse_file(path: &Path, text: &str) -> anyhow::Result<FileConfig> {
    toml::from_str(text).map_err(|e| {
        // The message may repeat the file's text (an unknown key): its control characters
        // are escaped, so that they cannot garble the terminal that shows it.
        let message: String = e
            .message()
            .chars()
            .map(|c| {
                if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect();
        match e.span() {
            Some(span) => {
                let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                anyhow::anyhow!("{}, line {line}: {message}", path.display())
            }
            None => anyhow::anyhow!("{}: {message}", path.display()),
        }
    })
}

fn origin(matches: &ArgMatches, id: &str, env: &'static str) -> Origin {
    match matches.value_source(id) {
        Some(ValueSource::CommandLine) => Origin::Flag,
        Some(ValueSource::EnvVariable) => Origin::Env(env),
        _ => Origin::Default,
    }
}

fn pick<T>(
    from_args: Option<T>,
    args_origin: Origin,
    from_file: Option<T>,
    file_origin: &dyn Fn() -> Origin,
    default: T,
) -> Setting<T> {
    match (from_args, from_file) {
        (Some(value), _) => Setting {
            value,
            origin: args_origin,
        },
        (None, Some(value)) => Setting {
            value,
            origin: file_origin(),
        },
        (None, None) => Setting {
            value: default,
            origin: Origin::Default,
        },
    }
}

fn optional<T>(
    from_args: Option<T>,
    args_origin: Origin,
    from_file: Option<T>,
    file_origin: &dyn Fn() -> Origin,
) -> Setting<Option<T>> {
    match (from_args, from_file) {
        (Some(value), _) => Setting {
            value: Some(value),
            origin: args_origin,
        },
        (None, Some(value)) => Setting {
            value: Some(value),
            origin: file_origin(),
        },
        (None, None) => Setting {
            value: None,
            origin: Origin::Default,
        },
    }
}

/// A setting of `serve` that other commands (like `config`) report too. Under `serve`, clap
/// has read the flag or the environment; elsewhere clap does not know the option, so its
/// environment variable is read here.
fn serve_setting<T: std::str::FromStr>(
    from_args: Option<T>,
    serve_matches: Option<&ArgMatches>,
    id: &str,
    env: &'static str,
) -> anyhow::Result<(Option<T>, Origin)>
where
    T::Err: fmt::Display,
{
    if let Some(matches) = serve_matches {
        return Ok((from_args, origin(matches, id, env)));
    }
    match std::env::var(env) {
        Ok(text) => {
            let value = text
                .parse::<T>()
                .map_err(|e| anyhow::anyhow!("{env}={text:?}: {e}"))?;
            Ok((Some(value), Origin::Env(env)))
        }
        Err(_) => Ok((None, Origin::Default)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

    use super::*;
    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::sample::Index;
    use proptest::test_runner::{RngAlgorithm, TestCaseError};

    /// Cases as in crates/formats/tests/fuzz.rs: `BEARING_FUZZ_CASES`, or 2000.
    fn fuzz_config() -> ProptestConfig {
        let cases = match std::env::var("BEARING_FUZZ_CASES") {
            Ok(text) => text
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("BEARING_FUZZ_CASES={text:?} is not a number of cases")),
            Err(_) => 2000,
        };
        ProptestConfig {
            cases,
            failure_persistence: None,
            rng_algorithm: RngAlgorithm::XorShift,
            ..ProptestConfig::default()
        }
    }

    const KEYS: &[&str] = &[
        "db",
        "addr",
        "log",
        "log_format",
        "actor",
        "request_timeout",
        "cookie_secure",
        "trusted_proxy_header",
        "session_idle_hours",
        "session_max_days",
        "members_see_cash",
        "url",
        "token",
        "token_env",
        "query",
        "label",
        "cluster",
        "step",
        "timeout",
        "names",
        "every_hours",
        "days",
        "unknown",
        "\"db\"",
        "'addr'",
        "db.x",
        "\"a\\u0000b\"",
        "\"\\u001b[2J\"",
        "é",
        "",
    ];

    const VALUES: &[&str] = &[
        "\"bearing.db\"",
        "\"sqlite://bearing.db\"",
        "\"postgres://u:p@h/db\"",
        "\"127.0.0.1:8080\"",
        "\"[::1]:80\"",
        "\"300.1.1.1:80\"",
        "\"127.0.0.1:99999\"",
        "\"text\"",
        "\"json\"",
        "\"JSON\"",
        "\"always\"",
        "\"X-Forwarded-For\"",
        "\"http://127.0.0.1:9090\"",
        "30",
        "0",
        "-1",
        "18446744073709551615",
        "18446744073709551616",
        "9223372036854775808",
        "99999999999999999999999",
        "1e400",
        "nan",
        "inf",
        "-inf",
        "1.5",
        "true",
        "false",
        "\"\"",
        "'literal'",
        "\"\"\"multi\nline\"\"\"",
        "'''multi\r\nline'''",
        "\"\\u0000\"",
        "\"\\uD800\"",
        "\"\\U0010FFFF\"",
        "\"\\x\"",
        "\"é🦀\"",
        "[1, 2]",
        "[]",
        "[\"a\", 1]",
        "{ a = 1 }",
        "{ bids = \"cal/staging\" }",
        "{}",
        "1979-05-27",
        "1979-05-27T07:32:00Z",
        "1979-02-30",
        "0x10",
        "0o7",
        "0b1",
        "+1",
        "1_000",
        "1__0",
        "\"unterminated",
        "'",
        "",
    ];

    const OTHER_LINES: &[&str] = &[
        "[[prometheus]]",
        "[prometheus]",
        "[[prometheus.names]]",
        "[prometheus.names]",
        "[x]",
        "[[",
        "[",
        "]]",
        "# a comment",
        "#\0",
        "",
        "   ",
        "\u{feff}",
        "\0",
        "=",
        "a = 1 = 2",
        "\"",
    ];

    const ENDINGS: &[&str] = &["\n", "\r\n", "\r", ""];

    /// A line of a configuration file: a key and a value, or a table header, comment or odd
    /// line; each with its own line break.
    fn line() -> impl Strategy<Value = String> {
        (
            prop_oneof![
                6 => (any::<Index>(), any::<Index>(), any::<Index>()).prop_map(|(k, sep, v)| {
                    let separator = [" = ", "=", " =", " : ", " "][sep.index(5)];
                    format!(
                        "{}{separator}{}",
                        KEYS[k.index(KEYS.len())],
                        VALUES[v.index(VALUES.len())]
                    )
                }),
                2 => any::<Index>().prop_map(|l| OTHER_LINES[l.index(OTHER_LINES.len())].to_owned()),
                1 => "[a-z_=\"'\\[\\]{}., 0-9#\t-]{0,20}",
            ],
            prop_oneof![12 => Just(0_usize), 1 => 1_usize..ENDINGS.len()],
        )
            .prop_map(|(line, ending)| line + ENDINGS[ending])
    }

    fn configuration_text() -> impl Strategy<Value = String> {
        prop_oneof![
            1 => vec(any::<char>(), 0..200).prop_map(String::from_iter),
            4 => vec(line(), 0..12).prop_map(|lines| lines.concat()),
        ]
    }

    /// A problem names the file, and its line when it says one, and says what is wrong.
    fn check(text: &str) -> Result<(), TestCaseError> {
        const FILE: &str = "conf/bearing.toml";
        let Err(e) = parse_file(Path::new(FILE), text) else {
            return Ok(());
        };
        let message = format!("{e:#}");
        let rest = message
            .strip_prefix(FILE)
            .ok_or_else(|| TestCaseError::fail(format!("no file name: {message:?}")))?;
        let what = match rest.strip_prefix(", line ") {
            Some(rest) => {
                let (line, what) = rest.split_once(": ").unwrap_or((rest, ""));
                let line: usize = line
                    .parse()
                    .map_err(|_| TestCaseError::fail(format!("no line: {message:?}")))?;
                let lines = text.matches('\n').count() + 1;
                prop_assert!((1..=lines + 1).contains(&line), "line {line} of {lines}");
                what
            }
            None => rest.strip_prefix(": ").unwrap_or_default(),
        };
        prop_assert!(!what.trim().is_empty(), "no reason: {message:?}");
        prop_assert!(
            !what
                .chars()
                .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')),
            "a control character in {message:?}"
        );
        Ok(())
    }

    proptest! {
        #![proptest_config(fuzz_config())]

        #[test]
        fn any_configuration_text_is_read_or_refused_with_its_file_and_line(
            text in configuration_text(),
        ) {
            check(&text)?;
        }
    }

    #[test]
    fn a_problem_in_the_file_names_the_file_and_its_line() {
        let error = |text: &str| {
            format!(
                "{:#}",
                parse_file(Path::new("b.toml"), text).expect_err(text)
            )
        };
        assert!(
            error("db = \"x.db\"\n\nrequest_timeout = \"soon\"\n").starts_with("b.toml, line 3: "),
            "{}",
            error("db = \"x.db\"\n\nrequest_timeout = \"soon\"\n")
        );
        assert!(error("dbb = 1\n").contains("unknown field"));
        // Found by the fuzz test above: the key's NUL was repeated raw.
        let message = error("\"a\\u0000b\" = 1\n");
        assert!(
            message.starts_with("b.toml, line 1: unknown field `a\\u{0}b`, expected one of `db`"),
            "{message}"
        );
        let file = parse_file(
            Path::new("b.toml"),
            "db = \"x.db\"\n[[prometheus]]\nurl = \"http://p:9090\"\n",
        )
        .unwrap();
        assert_eq!(file.db.as_deref(), Some("x.db"));
        assert_eq!(file.prometheus[0].url, "http://p:9090");
    }
}
