//! The one check of text about to be written, for every service: no control character but
//! tab and line breaks anywhere in it (PostgreSQL refuses NUL, and the others only arrive by
//! mistake or malice), one-line values such as names at most
//! [`bearing_core::text::MAX_NAME`] characters, anything else at most
//! [`bearing_core::text::MAX_TEXT`]. The value is walked as the audit log records it, so a
//! field added to a record later is checked without being listed here.

use bearing_core::text::{MAX_NAME, MAX_TEXT, check};
use serde_json::Value;

use crate::{AppError, Result};

/// Fields that hold one line: a name, a title, a key. Everything else may be long text.
const ONE_LINE: [&str; 21] = [
    "name",
    "long_name",
    "email",
    "github",
    "github_org",
    "website",
    "stage",
    "pipeline",
    "provider",
    "title",
    "role",
    "area",
    "ladder",
    "channel",
    "label",
    "kind",
    "currency",
    "revenue_type",
    "organization",
    "tags",
    "coverage",
];

/// Refuses `value` when any text in it breaks the rules above, naming the field.
pub(crate) fn check_text<T: serde::Serialize>(value: &T) -> Result<()> {
    let json = serde_json::to_value(value)
        .map_err(|e| AppError::Internal(format!("cannot check the text: {e}")))?;
    walk(&json, "", "")
}

fn walk(value: &Value, path: &str, key: &str) -> Result<()> {
    match value {
        Value::String(text) => {
            let limit = if ONE_LINE.contains(&key) {
                MAX_NAME
            } else {
                MAX_TEXT
            };
            check(text, limit).map_err(|reason| AppError::invalid(field(path), reason))
        }
        Value::Array(items) => items.iter().try_for_each(|item| walk(item, path, key)),
        Value::Object(map) => map.iter().try_for_each(|(name, item)| {
            let path = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            check(name, MAX_NAME).map_err(|reason| AppError::invalid(field(&path), reason))?;
            walk(item, &path, name)
        }),
        _ => Ok(()),
    }
}

fn field(path: &str) -> String {
    if path.is_empty() {
        "text".to_owned()
    } else {
        path.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_string_and_key_is_checked_and_named_by_its_path() {
        let ok = serde_json::json!({"name": "BIDS", "notes": "line one\nline two\tend"});
        assert!(check_text(&ok).is_ok());
        let nul = serde_json::json!({"name": "BIDS", "properties": {"owner": "a\u{0}b"}});
        let error = check_text(&nul).unwrap_err();
        assert!(
            matches!(&error, AppError::Invalid { field, .. } if field == "properties.owner"),
            "{error:?}"
        );
        let long_name = serde_json::json!({"name": "x".repeat(MAX_NAME + 1)});
        assert!(
            check_text(&long_name)
                .unwrap_err()
                .to_string()
                .contains("at most 300")
        );
        let long_note = serde_json::json!({"notes": "x".repeat(MAX_NAME + 1)});
        assert!(check_text(&long_note).is_ok());
        let key = serde_json::json!({"properties": {"a\u{1b}": "x"}});
        assert!(check_text(&key).is_err());
        let tags = serde_json::json!({"tags": ["ok", "x".repeat(MAX_NAME + 1)]});
        assert!(check_text(&tags).is_err());
    }
}
