//! Database locations: an SQLite path or `sqlite://` URL, or a `postgres://` URL.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::StoreError;

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        })
    }
}

/// Where the database is.
#[derive(Clone, PartialEq, Eq)]
pub enum DbUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DbUrl {
    /// Reads `postgres://…`/`postgresql://…`, `sqlite://PATH`, `sqlite:PATH`, or a plain path.
    pub fn parse(text: &str) -> Result<DbUrl, StoreError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(StoreError::InvalidUrl {
                url: String::new(),
                reason: "the database location is empty".into(),
            });
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(DbUrl::Postgres(text.to_owned()));
        }
        if let Some(rest) = text.strip_prefix("sqlite:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            let path = path.split('?').next().unwrap_or(path);
            if path.is_empty() || path == ":memory:" {
                return Err(StoreError::InvalidUrl {
                    url: text.to_owned(),
                    reason: "give the SQLite database a file path, e.g. sqlite://bearing.db".into(),
                });
            }
            return Ok(DbUrl::Sqlite(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = text.split_once("://") {
            return Err(StoreError::InvalidUrl {
                url: redact(text),
                reason: format!(
                    "unknown scheme {scheme:?}: use a file path, sqlite://PATH or postgres://…"
                ),
            });
        }
        Ok(DbUrl::Sqlite(PathBuf::from(text)))
    }

    pub fn sqlite(path: impl AsRef<Path>) -> DbUrl {
        DbUrl::Sqlite(path.as_ref().to_path_buf())
    }

    pub fn backend(&self) -> Backend {
        match self {
            DbUrl::Sqlite(_) => Backend::Sqlite,
            DbUrl::Postgres(_) => Backend::Postgres,
        }
    }

    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            DbUrl::Sqlite(path) => Some(path),
            DbUrl::Postgres(_) => None,
        }
    }

    /// The URL sqlx connects with: SQLite files are created on first use.
    pub(crate) fn sqlx_url(&self) -> String {
        match self {
            DbUrl::Sqlite(path) => format!("sqlite://{}?mode=rwc", encode_path(path)),
            DbUrl::Postgres(url) => url.clone(),
        }
    }

    /// The location with any password replaced by `***`, safe to print and log.
    pub fn redacted(&self) -> String {
        match self {
            DbUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
            DbUrl::Postgres(url) => redact(url),
        }
    }
}

impl fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Display for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// Hides the password of `scheme://user:password@host/…` and of a `password=` parameter.
pub fn redact(url: &str) -> String {
    let mut out = url.to_owned();
    if let Some(scheme_end) = out.find("://") {
        let authority_start = scheme_end + 3;
        let authority_end = out[authority_start..]
            .find(['/', '?'])
            .map_or(out.len(), |i| authority_start + i);
        if let Some(at) = out[authority_start..authority_end].rfind('@') {
            let userinfo = &out[authority_start..authority_start + at];
            if let Some(colon) = userinfo.find(':') {
                out.replace_range(authority_start + colon + 1..authority_start + at, "***");
            }
        }
    }
    if let Some(query_start) = out.find('?') {
        let (head, query) = out.split_at(query_start + 1);
        let redacted: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                _ => pair.to_owned(),
            })
            .collect();
        out = format!("{head}{}", redacted.join("&"));
    }
    out
}

fn encode_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3F"),
            '#' => out.push_str("%23"),
            ' ' => out.push_str("%20"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_paths_and_urls() {
        assert_eq!(
            DbUrl::parse("bearing.db").unwrap(),
            DbUrl::sqlite("bearing.db")
        );
        assert_eq!(
            DbUrl::parse("sqlite://data/b.db").unwrap(),
            DbUrl::sqlite("data/b.db")
        );
        assert_eq!(
            DbUrl::parse("sqlite:///tmp/b.db").unwrap(),
            DbUrl::sqlite("/tmp/b.db")
        );
        assert_eq!(
            DbUrl::parse("sqlite:b.db?mode=rwc").unwrap(),
            DbUrl::sqlite("b.db")
        );
        assert_eq!(
            DbUrl::parse("postgres://u:p@localhost/bearing")
                .unwrap()
                .backend(),
            Backend::Postgres
        );
        assert!(DbUrl::parse("mysql://localhost/x").is_err());
        assert!(DbUrl::parse("sqlite::memory:").is_err());
        assert!(DbUrl::parse("  ").is_err());
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("postgres://ada:s3cret@db:5432/bearing"),
            "postgres://ada:***@db:5432/bearing"
        );
        assert_eq!(
            redact("postgres://ada@db/bearing"),
            "postgres://ada@db/bearing"
        );
        assert_eq!(
            redact("postgres:///bearing?host=/run/pg&password=hunter2&user=ada"),
            "postgres:///bearing?host=/run/pg&password=***&user=ada"
        );
        let url = DbUrl::parse("postgres://ada:s3cret@db/bearing").unwrap();
        assert!(!format!("{url:?} {url}").contains("s3cret"));
    }

    #[test]
    fn odd_file_names_survive_the_url() {
        assert_eq!(
            DbUrl::sqlite("/tmp/a b?#%.db").sqlx_url(),
            "sqlite:///tmp/a%20b%3F%23%25.db?mode=rwc"
        );
    }
}
