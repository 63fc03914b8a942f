//! Typed identifiers, so that a deal id can never be passed where an organization id is meant.

use std::fmt;
use std::str::FromStr;

use crate::ParseError;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            /// Wraps a database id. Ids are positive; anything else is refused.
            pub fn new(raw: i64) -> Result<Self, ParseError> {
                if raw > 0 {
                    Ok(Self(raw))
                } else {
                    Err(ParseError::new($what, &raw.to_string(), "ids are positive integers"))
                }
            }

            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = ParseError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let raw = s
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| ParseError::new($what, s, "expected a positive integer"))?;
                Self::new(raw)
            }
        }
    };
}

id_type!(
    /// An organization: a community, funder, partner or the fiscal sponsor.
    OrganizationId,
    "organization id"
);
id_type!(
    /// A deal (opportunity).
    DealId,
    "deal id"
);
id_type!(
    /// A sales pipeline.
    PipelineId,
    "pipeline id"
);
id_type!(
    /// A stage of a pipeline.
    StageId,
    "stage id"
);
id_type!(
    /// A contact: a person at one or more organizations.
    ContactId,
    "contact id"
);
id_type!(
    /// A cluster: the service unit that hosts hubs.
    ClusterId,
    "cluster id"
);
id_type!(
    /// A hub on a cluster.
    HubId,
    "hub id"
);
id_type!(
    /// A lead-generation campaign.
    CampaignId,
    "campaign id"
);
id_type!(
    /// A person on the team.
    PersonId,
    "person id"
);
id_type!(
    /// A person's assignment to a role at a level and step.
    AssignmentId,
    "assignment id"
);
id_type!(
    /// A role: a job title with its ladder.
    RoleId,
    "role id"
);
id_type!(
    /// An area of the organisation, such as Partnerships.
    AreaId,
    "area id"
);
id_type!(
    /// A user who signs in.
    UserId,
    "user id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_positive_integers_only() {
        assert_eq!("42".parse::<DealId>().map(DealId::get), Ok(42));
        assert!("0".parse::<DealId>().is_err());
        assert!("-3".parse::<DealId>().is_err());
        assert!("abc".parse::<OrganizationId>().is_err());
        assert!(DealId::new(0).is_err());
    }
}
