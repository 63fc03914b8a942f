//! Partial updates: what an edit does to each field of a record. Every front door builds the
//! same patch (the command line from its flags and `--clear`, the API from a JSON body where a
//! missing field is kept and `null` clears it, a form from the fields it shows), and the
//! service applies it to the record as its transaction reads it, so the rule "keep, set or
//! clear" is written once and an edit never overwrites a change made since the page loaded
//! with a value the user did not touch.

use crate::{AppError, Result};

/// What an edit does to one field that may be unknown.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Edit<T> {
    /// Leave it as it is.
    #[default]
    Keep,
    /// Give it this value.
    Set(T),
    /// Make it unknown.
    Clear,
}

impl<T> Edit<T> {
    /// A whole value as a form or a replacing request gives it: present sets, absent clears.
    pub fn whole(value: Option<T>) -> Self {
        match value {
            Some(value) => Edit::Set(value),
            None => Edit::Clear,
        }
    }

    /// Sets when given, keeps otherwise (a flag that was or was not passed).
    pub fn given(value: Option<T>) -> Self {
        match value {
            Some(value) => Edit::Set(value),
            None => Edit::Keep,
        }
    }

    /// The field's value after the edit.
    pub fn apply(self, current: Option<T>) -> Option<T> {
        match self {
            Edit::Keep => current,
            Edit::Set(value) => Some(value),
            Edit::Clear => None,
        }
    }

    /// The same edit of another type, e.g. a text parsed into a date.
    pub fn try_map<U>(self, f: impl FnOnce(T) -> Result<U>) -> Result<Edit<U>> {
        Ok(match self {
            Edit::Keep => Edit::Keep,
            Edit::Set(value) => Edit::Set(f(value)?),
            Edit::Clear => Edit::Clear,
        })
    }

    pub fn is_keep(&self) -> bool {
        matches!(self, Edit::Keep)
    }
}

/// A null in JSON clears; a value sets; a field left out is kept (with `#[serde(default)]`).
impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Edit<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Option::<T>::deserialize(d).map(Edit::whole)
    }
}

/// Why a field named to be cleared was not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClearError {
    /// No field of that name may be cleared; these may.
    NotClearable {
        field: String,
        clearable: &'static [&'static str],
    },
    /// The field is also given a value: the user meant one or the other.
    AlsoSet { field: String },
}

impl std::fmt::Display for ClearError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClearError::NotClearable { field, clearable } => write!(
                f,
                "{field:?} cannot be cleared; clearable fields: {}",
                clearable.join(", ")
            ),
            ClearError::AlsoSet { field } => {
                write!(
                    f,
                    "{field} is both given a value and cleared: give one or the other"
                )
            }
        }
    }
}

impl From<ClearError> for AppError {
    fn from(error: ClearError) -> Self {
        let field = match &error {
            ClearError::NotClearable { .. } => "clear".to_owned(),
            ClearError::AlsoSet { field } => field.clone(),
        };
        AppError::invalid(field, error.to_string())
    }
}

/// Clears `edit`, the field the user called `field` (`--clear amount`), refusing when it is
/// also given a value.
pub fn clear<T>(edit: &mut Edit<T>, field: &str) -> std::result::Result<(), ClearError> {
    if let Edit::Set(_) = edit {
        return Err(ClearError::AlsoSet {
            field: field.to_owned(),
        });
    }
    *edit = Edit::Clear;
    Ok(())
}

/// The error for a field that cannot be cleared, with those that can.
pub fn not_clearable(field: &str, clearable: &'static [&'static str]) -> ClearError {
    ClearError::NotClearable {
        field: field.to_owned(),
        clearable,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests fail loudly by design.
mod tests {
    use super::*;

    #[test]
    fn keep_set_and_clear_apply_to_a_value() {
        assert_eq!(Edit::Keep.apply(Some(1)), Some(1));
        assert_eq!(Edit::Set(2).apply(Some(1)), Some(2));
        assert_eq!(Edit::Set(2).apply(None), Some(2));
        assert_eq!(Edit::<i32>::Clear.apply(Some(1)), None);
    }

    #[test]
    fn json_keeps_a_missing_field_clears_null_and_sets_a_value() {
        #[derive(serde::Deserialize)]
        struct Body {
            #[serde(default)]
            a: Edit<i32>,
            #[serde(default)]
            b: Edit<i32>,
            #[serde(default)]
            c: Edit<i32>,
        }
        let body: Body = serde_json::from_str(r#"{"b": null, "c": 3}"#).unwrap();
        assert_eq!(
            (body.a, body.b, body.c),
            (Edit::Keep, Edit::Clear, Edit::Set(3))
        );
    }

    #[test]
    fn a_field_given_and_cleared_is_refused() {
        let mut edit = Edit::Set(1);
        let refused = clear(&mut edit, "amount");
        assert_eq!(
            refused,
            Err(ClearError::AlsoSet {
                field: "amount".into()
            })
        );
        assert!(matches!(
            AppError::from(refused.unwrap_err()),
            AppError::Invalid { field, .. } if field == "amount"
        ));
        assert_eq!(edit, Edit::Set(1));
        let mut edit = Edit::<i32>::Keep;
        clear(&mut edit, "amount").unwrap();
        assert_eq!(edit, Edit::Clear);
    }
}
