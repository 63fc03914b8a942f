//! Who may do what: named permissions, each one thing, and roles that bundle them.
//!
//! A user holds one role, stored by its name. The built-in roles ([`Role`]) are bundles
//! defined here, so a release can change what a bundle holds without touching a user; an
//! admin may define other bundles (custom roles) of any permissions. A service asks its
//! context for the one permission it needs (docs/security.md, "Who sees what").

use std::fmt;
use std::str::FromStr;

use crate::ParseError;

/// One thing a user may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Permission {
    /// Read the dashboard, the pipeline, the CRM's records, usage, reports, the role pages
    /// and the people directory (without pay).
    Read,
    /// Create and change organizations, contacts, deals, campaigns, pipelines, clusters and
    /// hubs, and import them.
    EditCrm,
    /// See cash: net assets, typed-in costs and what is computed from them.
    ReadCash,
    /// See people's pay and what is computed from it, such as the team's cost.
    ReadPay,
    /// Change people, their assignments, salary bands and the role pages.
    EditPeople,
    /// Read and change the assumptions behind the reports, and close months.
    EditAssumptions,
    /// Issue and change invoices and record payments.
    ManageInvoices,
    /// Manage the grants the organisation applies for and holds.
    ManageGrants,
    /// Manage community success: milestones, onboarding, surveys and check-ins.
    ManageCommunitySuccess,
    /// Add users, change their roles, disable them, and define roles.
    ManageUsers,
}

text_enum!(Permission, "permission", {
    Read => "read",
    EditCrm => "edit-crm",
    ReadCash => "read-cash",
    ReadPay => "read-pay",
    EditPeople => "edit-people",
    EditAssumptions => "edit-assumptions",
    ManageInvoices => "manage-invoices",
    ManageGrants => "manage-grants",
    ManageCommunitySuccess => "manage-community-success",
    ManageUsers => "manage-users",
});

impl Permission {
    /// What the permission lets one do, for refusals and the roles page.
    pub fn describe(self) -> &'static str {
        match self {
            Permission::Read => "read the pipeline, the records, usage, reports and roles",
            Permission::EditCrm => {
                "change organizations, contacts, deals, campaigns, pipelines and clusters"
            }
            Permission::ReadCash => "see cash: net assets and costs",
            Permission::ReadPay => "see people's pay and the team's cost",
            Permission::EditPeople => "change people, assignments, salary bands and roles",
            Permission::EditAssumptions => "read and change the assumptions",
            Permission::ManageInvoices => "manage invoices and payments",
            Permission::ManageGrants => "manage grants",
            Permission::ManageCommunitySuccess => "manage community success",
            Permission::ManageUsers => "manage users and roles",
        }
    }

    /// The built-in roles that hold this permission, for refusals.
    pub fn held_by(self) -> Vec<Role> {
        Role::ALL
            .iter()
            .copied()
            .filter(|r| r.allows(self))
            .collect()
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// A set of permissions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Permissions(u16);

impl Permissions {
    pub const NONE: Permissions = Permissions(0);

    /// Every permission: the operator at the command line, and admins.
    pub fn all() -> Permissions {
        Permissions::of(Permission::ALL)
    }

    pub fn of(permissions: &[Permission]) -> Permissions {
        Permissions(permissions.iter().fold(0, |bits, p| bits | p.bit()))
    }

    pub fn contains(self, permission: Permission) -> bool {
        self.0 & permission.bit() != 0
    }

    pub fn with(self, permission: Permission) -> Permissions {
        Permissions(self.0 | permission.bit())
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The permissions in the set, in their declared order.
    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL
            .iter()
            .copied()
            .filter(move |p| self.contains(*p))
    }
}

impl fmt::Display for Permissions {
    /// The names, comma-separated, as the store keeps a custom role's permissions.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.iter().map(Permission::as_str).collect();
        f.write_str(&names.join(","))
    }
}

impl FromStr for Permissions {
    type Err = ParseError;

    /// Names separated by commas or spaces; none at all is an empty set.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.split([',', ' '])
            .filter(|part| !part.trim().is_empty())
            .try_fold(Permissions::NONE, |set, part| {
                Ok(set.with(part.parse::<Permission>()?))
            })
    }
}

impl serde::Serialize for Permissions {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter().map(Permission::as_str))
    }
}

/// A built-in role: a named bundle of permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Reads everything but pay (and cash, where the organisation keeps cash to finance).
    Member,
    /// Also works the CRM.
    Partnerships,
    /// Also manages community success.
    CommunitySuccess,
    /// Cash, pay, people, the assumptions, invoices and grants.
    Finance,
    /// People, their pay, salary bands and the role pages.
    People,
    /// Everything, users and roles included.
    Admin,
}

text_enum!(Role, "role", {
    Member => "member",
    Partnerships => "partnerships",
    CommunitySuccess => "community-success",
    Finance => "finance",
    People => "people",
    Admin => "admin",
});

impl Role {
    /// What the role holds.
    pub fn permissions(self) -> Permissions {
        use Permission::*;
        match self {
            Role::Member => Permissions::of(&[Read]),
            Role::Partnerships => Permissions::of(&[Read, EditCrm]),
            Role::CommunitySuccess => Permissions::of(&[Read, EditCrm, ManageCommunitySuccess]),
            Role::Finance => Permissions::of(&[
                Read,
                EditCrm,
                ReadCash,
                ReadPay,
                EditPeople,
                EditAssumptions,
                ManageInvoices,
                ManageGrants,
            ]),
            Role::People => Permissions::of(&[Read, ReadPay, EditPeople]),
            Role::Admin => Permissions::all(),
        }
    }

    pub fn allows(self, permission: Permission) -> bool {
        self.permissions().contains(permission)
    }
}

/// The name of the role a user holds: a built-in role's or a custom role's. Lower case
/// letters, digits and hyphens, starting with a letter, at most 40 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct RoleName(String);

impl RoleName {
    pub fn parse(text: &str) -> Result<RoleName, ParseError> {
        let name = text.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        let valid = (1..=40).contains(&name.len())
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid {
            return Err(ParseError::new(
                "role",
                text,
                "a role's name is lower case letters, digits and hyphens, starting with a letter, at most 40 characters",
            ));
        }
        Ok(RoleName(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The built-in role of this name, if it is one.
    pub fn built_in(&self) -> Option<Role> {
        Role::ALL.iter().copied().find(|r| r.as_str() == self.0)
    }
}

impl From<Role> for RoleName {
    fn from(role: Role) -> Self {
        RoleName(role.as_str().to_owned())
    }
}

impl PartialEq<Role> for RoleName {
    fn eq(&self, other: &Role) -> bool {
        self.0 == other.as_str()
    }
}

impl fmt::Display for RoleName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for RoleName {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RoleName::parse(s)
    }
}

/// What changing a record of `kind` needs; `None` for events that are not changes to the
/// records (sign-ins). A user's own account (their password and tokens) is theirs to change
/// whatever their role: the services say so where they change it.
pub fn to_change(kind: crate::EntityKind) -> Option<Permission> {
    use crate::EntityKind::*;
    match kind {
        Organization | Deal | Pipeline | Stage | Campaign | Contact | Cluster | Hub => {
            Some(Permission::EditCrm)
        }
        Assumptions | Account | Actuals | Close | Scenario => Some(Permission::EditAssumptions),
        Area | Role | Document | Person | Assignment | Band => Some(Permission::EditPeople),
        User | AccessRole => Some(Permission::ManageUsers),
        Invoice | BillingSchedule | CloudCost => Some(Permission::ManageInvoices),
        SignIn => None,
    }
}

/// What reading the history of a kind of record needs (docs/security.md): assignments, the
/// ledger's actuals and the closes carry people's pay, and the assumptions and the account
/// map are finance's; invoices are cash, seen where cash is; users (their emails, roles and tokens),
/// roles and sign-in events are the admins'.
pub fn to_read_history_of(kind: crate::EntityKind) -> Permission {
    use crate::EntityKind;
    match kind {
        // The ledger's lines, and the costs a close records, hold what people are paid.
        EntityKind::Assignment | EntityKind::Actuals | EntityKind::Close | EntityKind::Scenario => {
            Permission::ReadPay
        }
        EntityKind::Assumptions | EntityKind::Account => Permission::EditAssumptions,
        // What is invoiced and collected is cash.
        EntityKind::Invoice | EntityKind::BillingSchedule | EntityKind::CloudCost => {
            Permission::ReadCash
        }
        EntityKind::User | EntityKind::SignIn | EntityKind::AccessRole => Permission::ManageUsers,
        _ => Permission::Read,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_holds_exactly_the_permissions_the_domain_gives_it() {
        use Permission::*;
        let table: [(Role, &[Permission]); 6] = [
            (Role::Member, &[Read]),
            (Role::Partnerships, &[Read, EditCrm]),
            (
                Role::CommunitySuccess,
                &[Read, EditCrm, ManageCommunitySuccess],
            ),
            (
                Role::Finance,
                &[
                    Read,
                    EditCrm,
                    ReadCash,
                    ReadPay,
                    EditPeople,
                    EditAssumptions,
                    ManageInvoices,
                    ManageGrants,
                ],
            ),
            (Role::People, &[Read, ReadPay, EditPeople]),
            (Role::Admin, Permission::ALL),
        ];
        for (role, expected) in table {
            let got: Vec<Permission> = role.permissions().iter().collect();
            assert_eq!(got, expected, "{role}");
            for &p in Permission::ALL {
                assert_eq!(role.allows(p), expected.contains(&p), "{role} {p}");
            }
        }
        // Pay is for finance, people and admin alone; users for admin alone.
        assert_eq!(
            ReadPay.held_by(),
            [Role::Finance, Role::People, Role::Admin]
        );
        assert_eq!(ManageUsers.held_by(), [Role::Admin]);
    }

    #[test]
    fn roles_parse_from_their_names() {
        for &role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            assert_eq!(RoleName::from(role).built_in(), Some(role));
        }
        assert!("owner".parse::<Role>().is_err());
        assert_eq!(
            RoleName::parse(" Grants Officer ").unwrap().as_str(),
            "grants-officer"
        );
        assert_eq!(RoleName::parse("grants-officer").unwrap().built_in(), None);
        for bad in ["", "9lives", "a/b", "x".repeat(41).as_str(), "café"] {
            assert!(RoleName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn permission_sets_read_and_write_their_names() {
        let set: Permissions = "read, manage-grants".parse().unwrap();
        assert!(set.contains(Permission::Read) && set.contains(Permission::ManageGrants));
        assert!(!set.contains(Permission::ReadPay));
        assert_eq!(set.to_string(), "read,manage-grants");
        assert_eq!(set.to_string().parse::<Permissions>(), Ok(set));
        assert_eq!("".parse::<Permissions>(), Ok(Permissions::NONE));
        let error = "read,see-everything".parse::<Permissions>().unwrap_err();
        assert!(error.to_string().contains("see-everything"), "{error}");
        assert_eq!(Permissions::all().iter().count(), Permission::ALL.len());
    }
}
