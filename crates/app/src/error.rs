//! The application's error type: what went wrong, in words a user can act on.

use bearing_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input that breaks a rule; names the field.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{0}")]
    NotFound(String),
    /// The caller is not signed in, or signed in with wrong credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// The caller is signed in but their role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    /// The caller asked too often; try again later.
    #[error("{0}")]
    TooManyRequests(String),
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
    /// An import file with problems; nothing was imported.
    #[error("{}", import_summary(.0))]
    Import(Vec<bearing_formats::crm::RowError>),
}

fn import_summary(errors: &[bearing_formats::crm::RowError]) -> String {
    match errors {
        [] => "the import file is invalid; nothing was imported".to_owned(),
        [only] => format!("{only}; nothing was imported"),
        [first, rest @ ..] => format!(
            "{first}; and {} more problem(s), listed by --dry-run; nothing was imported",
            rest.len()
        ),
    }
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
