//! What a reader may see of the figures that have owners (docs/security.md, "Who sees
//! what"): pay and the team's cost are for finance and admin (and a person's own pay for that
//! person, decided by `people::Viewer`); cash is for everyone signed in when the organisation
//! says so (the default), else for finance and admin. Every report says which of those it
//! shows, and [`Sight::check`] refuses a report the reader may not see, for every front door.

use bearing_core::access::{Permission, Permissions};

use crate::reports::Report;
use crate::{AppError, Result};

/// The owned figures a reader may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sight {
    /// Cash: net assets, typed-in costs, and the scorecard made from them.
    pub cash: bool,
    /// People's pay and everything computed from it, such as the team's cost.
    pub pay: bool,
}

impl Sight {
    /// Everything: the operator at the command line.
    pub const ALL: Sight = Sight {
        cash: true,
        pay: true,
    };

    /// What a holder of `permissions` sees. (Where the organisation shows cash to everyone,
    /// the front door adds `read-cash` to every signed-in user's permissions.)
    pub fn of(permissions: Permissions) -> Sight {
        Sight {
            pay: permissions.contains(Permission::ReadPay),
            cash: permissions.contains(Permission::ReadCash),
        }
    }

    /// Refuses a report that shows what this reader may not see, saying why.
    pub fn check(&self, report: &Report) -> Result<()> {
        if report.shows.team_cost && !self.pay {
            return Err(AppError::Forbidden(format!(
                "the {} report weighs the team's cost, which is made of people's pay: finance and admin see it",
                report.name
            )));
        }
        if report.shows.cash && !self.cash {
            return Err(AppError::Forbidden(format!(
                "the {} report shows cash, which this organisation shows to finance and admin only",
                report.name
            )));
        }
        Ok(())
    }

    /// Whether the reader may see `report`.
    pub fn sees(&self, report: &Report) -> bool {
        self.check(report).is_ok()
    }
}

/// The owned figures a report shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shows {
    pub cash: bool,
    /// The team's cost (the assumption costs-from=team), made of people's pay.
    pub team_cost: bool,
}

/// What a signed-in user may do: what their role grants, and cash too when the organisation
/// shows cash to everyone signed in (`members_see_cash`, the default).
pub fn effective(granted: Permissions, members_see_cash: bool) -> Permissions {
    if members_see_cash {
        granted.with(Permission::ReadCash)
    } else {
        granted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bearing_core::access::Role;

    fn sight(role: Role, members_see_cash: bool) -> Sight {
        Sight::of(effective(role.permissions(), members_see_cash))
    }

    #[test]
    fn members_see_cash_by_choice_and_pay_never() {
        assert_eq!(
            sight(Role::Member, true),
            Sight {
                cash: true,
                pay: false
            }
        );
        assert_eq!(
            sight(Role::Partnerships, false),
            Sight {
                cash: false,
                pay: false
            }
        );
        assert_eq!(
            sight(Role::People, false),
            Sight {
                cash: false,
                pay: true
            }
        );
        assert_eq!(sight(Role::Finance, false), Sight::ALL);
        assert_eq!(sight(Role::Admin, false), Sight::ALL);
    }
}
