//! The store's error type. Driver errors are classified here and never leave the crate.

use crate::url::DbUrl;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("invalid database location {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("cannot open the database {url}: {message}")]
    Connect { url: String, message: String },
    #[error(
        "the database schema is at version {applied} but this Bearing needs version {latest}: run `bearing migrate`"
    )]
    Outdated { applied: i64, latest: i64 },
    #[error(
        "the database schema is at version {applied}, newer than this Bearing knows ({latest}): upgrade Bearing"
    )]
    Newer { applied: i64, latest: i64 },
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("no {kind} with id {id}")]
    NotFound { kind: &'static str, id: String },
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unsupported(String),
    #[error("{0}")]
    Invalid(String),
    #[error("database error: {0}")]
    Database(String),
}

impl StoreError {
    pub(crate) fn connect(url: &DbUrl, error: &dyn std::fmt::Display) -> Self {
        StoreError::Connect {
            url: url.redacted(),
            message: crate::url::redact(&error.to_string()),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(format!("already exists: {}", db.message()))
            }
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::Invalid(
                format!("refers to a record that does not exist: {}", db.message()),
            ),
            sqlx::Error::Database(db) if db.is_check_violation() => {
                StoreError::Invalid(format!("a value is out of range: {}", db.message()))
            }
            sqlx::Error::RowNotFound => StoreError::NotFound {
                kind: "row",
                id: String::new(),
            },
            _ => StoreError::Database(error.to_string()),
        }
    }
}
