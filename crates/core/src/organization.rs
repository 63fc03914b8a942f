//! Organizations: communities, funders, partners and the fiscal sponsor.

use std::fmt;

use crate::ParseError;

/// What an organization is to us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrganizationKind {
    Community,
    Funder,
    Partner,
    Sponsor,
    Other,
}

text_enum!(OrganizationKind, "organization kind", {
    Community => "community",
    Funder => "funder",
    Partner => "partner",
    Sponsor => "sponsor",
    Other => "other",
});

/// An organization's short name: one word used as a machine key (`2i2c`, `bids`, `awi-ciroh`).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct OrganizationName(String);

impl OrganizationName {
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let trimmed = text.trim();
        let valid = !trimmed.is_empty()
            && trimmed.len() <= 64
            && trimmed
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if valid {
            Ok(Self(trimmed.to_owned()))
        } else {
            Err(ParseError::new(
                "organization name",
                text,
                "expected one word of letters, digits, '-', '_' or '.', at most 64 characters",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Makes a valid name from any text: lower-case, runs of other characters become one
    /// '-', cut to 64 characters; `None` when nothing usable is left.
    pub fn slug(text: &str) -> Option<Self> {
        let mut key = String::new();
        for c in text.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                key.push(c);
            } else if !key.is_empty() && !key.ends_with('-') {
                key.push('-');
            }
        }
        let key: String = key.trim_end_matches('-').chars().take(64).collect();
        Self::parse(key.trim_end_matches('-')).ok()
    }
}

impl TryFrom<String> for OrganizationName {
    type Error = ParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<OrganizationName> for String {
    fn from(value: OrganizationName) -> Self {
        value.0
    }
}

impl fmt::Display for OrganizationName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The fields of an organization, as created or edited.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OrganizationFields {
    pub name: OrganizationName,
    pub long_name: Option<String>,
    pub kind: OrganizationKind,
    pub website: Option<String>,
    pub github_org: Option<String>,
    pub notes: Option<String>,
    /// Tags or segments, e.g. `research`, `education`.
    #[serde(default)]
    pub tags: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_word_keys() {
        assert!(OrganizationName::parse("awi-ciroh").is_ok());
        assert!(OrganizationName::parse("2i2c.org").is_ok());
        assert!(OrganizationName::parse("two words").is_err());
        assert!(OrganizationName::parse("").is_err());
        assert!(OrganizationName::parse(&"a".repeat(65)).is_err());
        assert_eq!(
            OrganizationName::slug("Friends of Open Infra!").map(String::from),
            Some("friends-of-open-infra".into())
        );
        assert_eq!(OrganizationName::slug("  ***  "), None);
        assert_eq!(
            "Funder".parse::<OrganizationKind>(),
            Ok(OrganizationKind::Funder)
        );
    }
}
