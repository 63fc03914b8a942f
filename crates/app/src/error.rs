//! The application's error type: what went wrong, in words a user can act on.

use bearing_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input that breaks a rule; names the field.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// The operation cannot be done in this setup (e.g. a backup of PostgreSQL).
    #[error("{0}")]
    Unsupported(String),
    /// The database must be migrated or is newer than this build.
    #[error("{0}")]
    Schema(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound { .. } => AppError::NotFound(error.to_string()),
            StoreError::Conflict(message) => AppError::Conflict(message),
            StoreError::Invalid(message) => AppError::invalid("input", message),
            StoreError::InvalidUrl { .. } => AppError::invalid("database", error.to_string()),
            StoreError::Unsupported(message) => AppError::Unsupported(message),
            StoreError::Outdated { .. } | StoreError::Newer { .. } | StoreError::Migration(_) => {
                AppError::Schema(error.to_string())
            }
            StoreError::Connect { .. } => AppError::Unavailable(error.to_string()),
            StoreError::Database(message) => AppError::Internal(message),
        }
    }
}
