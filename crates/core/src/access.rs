//! Who may do what: the four roles and the permissions they grant.
//!
//! Roles are cumulative: each one can do everything the one before it can. `member` reads
//! dashboards, the pipeline and roles; `partnerships` also edits organizations, contacts,
//! deals and campaigns; `finance` also edits assumptions and sees cash and people's pay;
//! `admin` also manages users.

/// A user's role.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Member,
    Partnerships,
    Finance,
    Admin,
}

text_enum!(Role, "role", {
    Member => "member",
    Partnerships => "partnerships",
    Finance => "finance",
    Admin => "admin",
});

/// Something a route or a service needs its caller to be allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read dashboards, the pipeline, reports and roles.
    Read,
    /// Create and change organizations, contacts, deals, campaigns and pipelines, and import
    /// them.
    EditCrm,
    /// See and change people's pay, the team's cost and the assumptions.
    Finance,
    /// Add users, change their roles, disable them.
    ManageUsers,
}

impl Permission {
    /// The least role that holds this permission.
    pub fn least_role(self) -> Role {
        match self {
            Permission::Read => Role::Member,
            Permission::EditCrm => Role::Partnerships,
            Permission::Finance => Role::Finance,
            Permission::ManageUsers => Role::Admin,
        }
    }

    /// What the permission lets one do, for refusals.
    pub fn describe(self) -> &'static str {
        match self {
            Permission::Read => "read Bearing",
            Permission::EditCrm => "change organizations, contacts, deals and campaigns",
            Permission::Finance => "work with people's pay, the team's cost and the assumptions",
            Permission::ManageUsers => "manage users",
        }
    }
}

/// What reading the history of a kind of record needs (docs/security.md): assignments carry
/// people's pay and the assumptions are finance's; users (their emails, roles and tokens) and
/// sign-in events are the admins'.
pub fn to_read_history_of(kind: crate::EntityKind) -> Permission {
    use crate::EntityKind;
    match kind {
        EntityKind::Assignment | EntityKind::Assumptions => Permission::Finance,
        EntityKind::User | EntityKind::SignIn => Permission::ManageUsers,
        _ => Permission::Read,
    }
}

impl Role {
    pub fn allows(self, permission: Permission) -> bool {
        self >= permission.least_role()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_holds_exactly_the_permissions_the_domain_gives_it() {
        use Permission::*;
        let table = [
            (Role::Member, [true, false, false, false]),
            (Role::Partnerships, [true, true, false, false]),
            (Role::Finance, [true, true, true, false]),
            (Role::Admin, [true, true, true, true]),
        ];
        for (role, expected) in table {
            let got = [Read, EditCrm, Finance, ManageUsers].map(|p| role.allows(p));
            assert_eq!(got, expected, "{role}");
        }
    }

    #[test]
    fn roles_parse_from_their_names() {
        for &role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("owner".parse::<Role>().is_err());
    }
}
