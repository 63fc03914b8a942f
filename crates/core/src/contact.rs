//! Contacts: people at organizations.

use crate::ParseError;
use crate::organization::OrganizationName;

/// What a contact is to an organization.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum ContactLabel {
    CommunityRepresentative,
    TechnicalContact,
    BillingContact,
    Other,
}

text_enum!(ContactLabel, "contact label", {
    CommunityRepresentative => "community-representative",
    TechnicalContact => "technical-contact",
    BillingContact => "billing-contact",
    Other => "other",
});

/// The fields of a contact, as created or edited; organizations by name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ContactFields {
    pub name: String,
    pub email: Option<String>,
    pub github: Option<String>,
    /// A strategic contact, with the categories of coverage they give.
    pub strategic: bool,
    pub coverage: Vec<String>,
    pub notes: Option<String>,
    pub organizations: Vec<(OrganizationName, ContactLabel)>,
}

impl ContactFields {
    /// Every rule a contact breaks on its own, as field and reason.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        if self.name.trim().is_empty() {
            problems.push(("name", "a contact needs a name".to_owned()));
        }
        if let Some(email) = &self.email
            && let Err(e) = parse_email(email)
        {
            problems.push(("email", e.reason));
        }
        problems
    }
}

/// A plausible email address: one `@` with text on both sides and a dot in the domain.
pub fn parse_email(text: &str) -> Result<String, ParseError> {
    let trimmed = text.trim();
    let valid = match trimmed.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !trimmed.contains(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    };
    if valid {
        Ok(trimmed.to_ascii_lowercase())
    } else {
        Err(ParseError::new(
            "email",
            text,
            "expected an address such as ada@example.org",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_and_lower_cased() {
        assert_eq!(
            parse_email(" Ada@Example.ORG ").ok(),
            Some("ada@example.org".to_owned())
        );
        for bad in [
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "a b@example.org",
            "ada@@example.org",
            "ada@example.",
        ] {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn labels_read_loosely() {
        assert_eq!(
            "Billing contact".parse::<ContactLabel>(),
            Ok(ContactLabel::BillingContact)
        );
        assert_eq!(
            ContactLabel::CommunityRepresentative.to_string(),
            "community-representative"
        );
    }
}
