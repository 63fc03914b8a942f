//! The vocabulary of the audit log: who changed what, through which front door.

use std::fmt;
use std::str::FromStr;

use crate::ParseError;

/// The front door a change came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Cli,
    Web,
    Api,
    Import,
    Job,
}

text_enum!(Source, "source", {
    Cli => "cli",
    Web => "web",
    Api => "api",
    Import => "import",
    Job => "job",
});

/// What happened to the entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Delete,
    Restore,
}

text_enum!(Action, "action", {
    Create => "create",
    Update => "update",
    Delete => "delete",
    Restore => "restore",
});

/// The kinds of entity the audit log records changes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    Organization,
    Deal,
    Pipeline,
    Stage,
    Campaign,
    Contact,
    Assumptions,
    Cluster,
    Hub,
    User,
    Area,
    Role,
    Document,
    Person,
    Assignment,
    Band,
    /// A custom role: a named bundle of permissions an admin defined.
    #[serde(rename = "access-role")]
    AccessRole,
    /// A general-ledger account and its category in the account map.
    Account,
    /// A month's actuals, as imported from the sponsor's ledger.
    Actuals,
    /// The close of a month: its net assets, and the forecast frozen before it.
    Close,
    /// A saved scenario: a named set of changes weighed against the forecast.
    Scenario,
    /// An invoice: its lines, issue, payments and voiding.
    Invoice,
    /// How a deal is billed (its id is the deal's).
    #[serde(rename = "billing-schedule")]
    BillingSchedule,
    /// The cloud costs: an import of a billing account's month, a mapping, a cluster's split
    /// rule, a decision on an overrun or a credit held for a partner (the id says which).
    #[serde(rename = "cloud-cost")]
    CloudCost,
    /// A sign-in, a failed one, a lockout or a sign-out: events of accounts, not changes to
    /// the records (they do not move the data version).
    SignIn,
}

impl EntityKind {
    pub const ALL: [EntityKind; 25] = [
        EntityKind::Organization,
        EntityKind::Deal,
        EntityKind::Pipeline,
        EntityKind::Stage,
        EntityKind::Campaign,
        EntityKind::Contact,
        EntityKind::Assumptions,
        EntityKind::Cluster,
        EntityKind::Hub,
        EntityKind::User,
        EntityKind::Area,
        EntityKind::Role,
        EntityKind::Document,
        EntityKind::Person,
        EntityKind::Assignment,
        EntityKind::Band,
        EntityKind::AccessRole,
        EntityKind::Account,
        EntityKind::Actuals,
        EntityKind::Close,
        EntityKind::Scenario,
        EntityKind::Invoice,
        EntityKind::BillingSchedule,
        EntityKind::CloudCost,
        EntityKind::SignIn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Organization => "organization",
            EntityKind::Deal => "deal",
            EntityKind::Pipeline => "pipeline",
            EntityKind::Stage => "stage",
            EntityKind::Campaign => "campaign",
            EntityKind::Contact => "contact",
            EntityKind::Assumptions => "assumptions",
            EntityKind::Cluster => "cluster",
            EntityKind::Hub => "hub",
            EntityKind::User => "user",
            EntityKind::Area => "area",
            EntityKind::Role => "role",
            EntityKind::Document => "document",
            EntityKind::Person => "person",
            EntityKind::Assignment => "assignment",
            EntityKind::Band => "band",
            EntityKind::AccessRole => "access-role",
            EntityKind::Account => "account",
            EntityKind::Actuals => "actuals",
            EntityKind::Close => "close",
            EntityKind::Scenario => "scenario",
            EntityKind::Invoice => "invoice",
            EntityKind::BillingSchedule => "billing-schedule",
            EntityKind::CloudCost => "cloud-cost",
            EntityKind::SignIn => "sign-in",
        }
    }
}

/// The parts of the records that change apart. Each has its own data version, moved by every
/// committed change to a record of one of its kinds, so what is kept of one part (the deal
/// lists) survives a change to another (a usage import).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DataPart {
    /// Organizations, contacts, deals, campaigns, pipelines and their stages, and the
    /// invoices whose payments are the deals' collected amounts.
    Crm,
    /// Clusters, hubs and their usage.
    Usage,
    /// Areas, roles, the role pages, people, assignments and salary bands.
    People,
    /// The assumptions behind the reports, and the books: the account map, the actuals and
    /// the months' closes.
    Assumptions,
    /// Users, their tokens and custom roles.
    Accounts,
}

impl DataPart {
    pub const ALL: [DataPart; 5] = [
        DataPart::Crm,
        DataPart::Usage,
        DataPart::People,
        DataPart::Assumptions,
        DataPart::Accounts,
    ];

    /// The name the store keeps the part's version under.
    pub fn as_str(self) -> &'static str {
        match self {
            DataPart::Crm => "crm",
            DataPart::Usage => "usage",
            DataPart::People => "people",
            DataPart::Assumptions => "assumptions",
            DataPart::Accounts => "accounts",
        }
    }

    /// The position of the part in [`DataPart::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl EntityKind {
    /// The part of the records a change to this kind belongs to; `None` for events that are
    /// not changes to the records (sign-ins), which move no version.
    pub fn part(self) -> Option<DataPart> {
        use EntityKind::*;
        match self {
            // A deal's collected amount comes from its invoices' payments.
            Organization | Deal | Pipeline | Stage | Campaign | Contact | Invoice
            | BillingSchedule => Some(DataPart::Crm),
            // A cluster's cloud costs are billed with its usage.
            Cluster | Hub | CloudCost => Some(DataPart::Usage),
            Area | Role | Document | Person | Assignment | Band => Some(DataPart::People),
            Assumptions | Account | Actuals | Close | Scenario => Some(DataPart::Assumptions),
            User | AccessRole => Some(DataPart::Accounts),
            SignIn => None,
        }
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EntityKind {
    type Err = ParseError;

    /// Accepts the kind's name, its plural and the short `org`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        let singular = match lower.as_str() {
            "org" | "orgs" => "organization",
            "assumption" | "assumptions" => "assumptions",
            "actual" | "actuals" => "actuals",
            "people" => "person",
            other => other.strip_suffix('s').unwrap_or(other),
        };
        EntityKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == singular)
            .ok_or_else(|| {
                let names: Vec<&str> = EntityKind::ALL.iter().map(|k| k.as_str()).collect();
                ParseError::new(
                    "entity kind",
                    s,
                    &format!("expected one of {}", names.join(", ")),
                )
            })
    }
}

/// Who made a change: a person's email or login, or the name of a job.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Actor(String);

impl Actor {
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.len() > 200 || trimmed.chars().any(char::is_control) {
            return Err(ParseError::new(
                "actor",
                text,
                "expected a non-empty name of at most 200 printable characters",
            ));
        }
        Ok(Actor(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &source in Source::ALL {
            assert_eq!(source.as_str().parse::<Source>(), Ok(source));
        }
        for &action in Action::ALL {
            assert_eq!(action.as_str().parse::<Action>(), Ok(action));
        }
        for kind in EntityKind::ALL {
            assert_eq!(kind.as_str().parse::<EntityKind>(), Ok(kind));
        }
    }

    #[test]
    fn entity_kinds_accept_plurals_and_org() {
        assert_eq!("org".parse::<EntityKind>(), Ok(EntityKind::Organization));
        assert_eq!("Deals".parse::<EntityKind>(), Ok(EntityKind::Deal));
        assert_eq!("invoices".parse::<EntityKind>(), Ok(EntityKind::Invoice));
        let err = "receipt".parse::<EntityKind>().err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some(
                "invalid entity kind \"receipt\": expected one of organization, deal, pipeline, stage, campaign, contact, assumptions, cluster, hub, user, area, role, document, person, assignment, band, access-role, account, actuals, close, scenario, invoice, billing-schedule, cloud-cost, sign-in"
            )
        );
        assert_eq!("actual".parse::<EntityKind>(), Ok(EntityKind::Actuals));
        assert_eq!("closes".parse::<EntityKind>(), Ok(EntityKind::Close));
    }

    #[test]
    fn actors_are_printable_and_bounded() {
        assert_eq!(
            Actor::parse(" ada@example.org ").map(|a| a.to_string()),
            Ok("ada@example.org".into())
        );
        assert!(Actor::parse("").is_err());
        assert!(Actor::parse("a\nb").is_err());
        assert!(Actor::parse(&"x".repeat(201)).is_err());
    }
}
