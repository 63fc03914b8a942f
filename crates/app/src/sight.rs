//! What a reader may see of the figures that have owners (docs/security.md, "Who sees
//! what"): pay and the team's cost are for finance and admin (and a person's own pay for that
//! person, decided by `people::Viewer`); cash is for everyone signed in when the organisation
//! says so (the default), else for finance and admin. Every report says which of those it
//! shows, and [`Sight::check`] refuses a report the reader may not see, for every front door.

use bearing_core::access::{Permission, Role};

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

    /// What a user with `role` sees, where members see cash when `members_see_cash`.
    pub fn of(role: Role, members_see_cash: bool) -> Sight {
        let pay = role.allows(Permission::Finance);
        Sight {
            pay,
            cash: pay || members_see_cash,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_see_cash_by_choice_and_pay_never() {
        assert_eq!(
            Sight::of(Role::Member, true),
            Sight {
                cash: true,
                pay: false
            }
        );
        assert_eq!(
            Sight::of(Role::Partnerships, false),
            Sight {
                cash: false,
                pay: false
            }
        );
        assert_eq!(Sight::of(Role::Finance, false), Sight::ALL);
        assert_eq!(Sight::of(Role::Admin, false), Sight::ALL);
    }
}
