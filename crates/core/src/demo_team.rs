//! The demo organisation's team: the ladders and bands of its roles, and about a
//! dozen fictional people with three years of assignments (joiners, leavers, a promotion,
//! part-time and split funding, contractors). Fixed, so the demo's people pages and the
//! team's cost read the same on every run of the same day.

use jiff::ToSpan;

use crate::Date;
use crate::people::{self, AssignmentFields, Band, BandRules, PersonFields, PersonKind};

/// The team of the demo organisation.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoTeam {
    pub bands: Vec<Band>,
    /// Each person and their assignments, oldest first.
    pub people: Vec<(PersonFields, Vec<AssignmentFields>)>,
}

/// Each role's ladder and its benchmark total compensation at L2 step 1. What each role is
/// for, does and is judged by, and its area, are on the demo's role pages, which the
/// application reads in like any organisation's.
const ROLES: [(&str, f64); 5] = [
    ("Executive Director", 200_000.0),
    ("Infrastructure Engineer", 150_000.0),
    ("Senior Infrastructure Engineer", 185_000.0),
    ("Partnerships Lead", 160_000.0),
    ("Community Success Manager", 120_000.0),
];

/// Grant codes the demo's work is funded from.
const CORE: &str = "CORE-OPS";
const GRANT_A: &str = "FDN-OPEN-SCIENCE";
const GRANT_B: &str = "AGENCY-CYBERINFRA";

struct Joined {
    name: &'static str,
    kind: PersonKind,
    role: &'static str,
    level: u8,
    step: u8,
    fte: f64,
    /// Months before the demo's month the person joined.
    joined: i64,
    /// Months before the demo's month the person left (the last day of that month).
    left: Option<i64>,
    monthly_payment: Option<i64>,
    funding: &'static [(&'static str, f64)],
    description: &'static str,
}

const TEAM: [Joined; 12] = [
    Joined {
        name: "Imani Achterberg",
        kind: PersonKind::Employee,
        role: "Executive Director",
        level: 3,
        step: 2,
        fte: 1.0,
        joined: 36,
        left: None,
        monthly_payment: None,
        funding: &[(CORE, 1.0)],
        description: "Leads strategy, fundraising and the team",
    },
    Joined {
        name: "Tomasz Ferreira",
        kind: PersonKind::Employee,
        role: "Senior Infrastructure Engineer",
        level: 3,
        step: 1,
        fte: 1.0,
        joined: 34,
        left: None,
        monthly_payment: None,
        funding: &[(GRANT_A, 0.5), (CORE, 0.5)],
        description: "Leads infrastructure design",
    },
    Joined {
        name: "Hana Okonkwo-Bell",
        kind: PersonKind::Employee,
        role: "Infrastructure Engineer",
        level: 2,
        step: 3,
        fte: 1.0,
        joined: 30,
        left: None,
        monthly_payment: None,
        funding: &[(GRANT_B, 1.0)],
        description: "Runs the research hubs",
    },
    Joined {
        name: "Rafael Lindqvist",
        kind: PersonKind::Employee,
        role: "Infrastructure Engineer",
        level: 1,
        step: 2,
        fte: 1.0,
        joined: 26,
        left: None,
        monthly_payment: None,
        funding: &[(CORE, 0.6), (GRANT_A, 0.4)],
        description: "Runs the education hubs",
    },
    Joined {
        name: "Mei-Ling Duarte",
        kind: PersonKind::Employee,
        role: "Infrastructure Engineer",
        level: 2,
        step: 1,
        fte: 0.6,
        joined: 20,
        left: None,
        monthly_payment: None,
        funding: &[(GRANT_B, 1.0)],
        description: "Automates hub upgrades",
    },
    Joined {
        name: "Oskar Nakamura",
        kind: PersonKind::Employee,
        role: "Infrastructure Engineer",
        level: 2,
        step: 2,
        fte: 1.0,
        joined: 33,
        left: Some(10),
        monthly_payment: None,
        funding: &[(GRANT_A, 1.0)],
        description: "Ran the shared clusters",
    },
    Joined {
        name: "Selin Abara",
        kind: PersonKind::Employee,
        role: "Partnerships Lead",
        level: 2,
        step: 2,
        fte: 1.0,
        joined: 28,
        left: None,
        monthly_payment: None,
        funding: &[(CORE, 1.0)],
        description: "Oversees the strategy and execution for all of Partnerships",
    },
    Joined {
        name: "Jonas Whitfield",
        kind: PersonKind::Employee,
        role: "Community Success Manager",
        level: 1,
        step: 3,
        fte: 1.0,
        joined: 22,
        left: None,
        monthly_payment: None,
        funding: &[(CORE, 0.5), (GRANT_B, 0.5)],
        description: "Onboards and supports the communities",
    },
    Joined {
        name: "Priya Castellanos",
        kind: PersonKind::Employee,
        role: "Community Success Manager",
        level: 1,
        step: 1,
        fte: 0.5,
        joined: 8,
        left: None,
        monthly_payment: None,
        funding: &[(CORE, 1.0)],
        description: "Trains new communities",
    },
    Joined {
        name: "Kwame Sørensen",
        kind: PersonKind::Contractor,
        role: "Infrastructure Engineer",
        level: 2,
        step: 1,
        fte: 0.5,
        joined: 14,
        left: Some(2),
        monthly_payment: Some(650_000),
        funding: &[(GRANT_A, 1.0)],
        description: "Migrated the storage back end",
    },
    Joined {
        name: "Lucía Brennan",
        kind: PersonKind::Contractor,
        role: "Community Success Manager",
        level: 1,
        step: 1,
        fte: 0.4,
        joined: 5,
        left: None,
        monthly_payment: Some(320_000),
        funding: &[(GRANT_B, 1.0)],
        description: "Writes the community guides",
    },
    Joined {
        name: "Ade Vukovic",
        kind: PersonKind::Employee,
        role: "Infrastructure Engineer",
        level: 1,
        step: 1,
        fte: 1.0,
        joined: 3,
        left: None,
        monthly_payment: None,
        funding: &[(CORE, 1.0)],
        description: "Joins the hub operations rota",
    },
];

fn months_ago(as_of: Date, months: i64) -> Date {
    as_of
        .first_of_month()
        .checked_sub(months.months())
        .unwrap_or(as_of)
}

/// The demo team as of `as_of`: bands from three years ago and a 3% cost-of-living
/// adjustment from the most recent 1 July; one engineer promoted a year ago.
pub fn generate(as_of: Date) -> DemoTeam {
    let start = months_ago(as_of, 36);
    let july = {
        let this_year = jiff::civil::date(as_of.year(), 7, 1);
        if this_year <= as_of {
            this_year
        } else {
            jiff::civil::date(as_of.year() - 1, 7, 1)
        }
    };
    let mut bands = Vec::new();
    for (name, benchmark) in ROLES {
        let table = people::generate_bands(benchmark, (2, 1), 4, 4, &BandRules::default());
        for ((level, step), base) in table {
            let first = Band {
                ladder: name.to_owned(),
                level,
                step,
                annual_base: (base * 100.0).round() as i64,
                effective_from: start,
                note: Some("from a benchmark".to_owned()),
            };
            let raised = Band {
                annual_base: ((base * 1.03).round_ties_even() * 100.0) as i64,
                effective_from: july,
                note: Some("cost of living +3%".to_owned()),
                ..first.clone()
            };
            bands.push(first);
            if july > start {
                bands.push(raised);
            }
        }
    }
    let people = TEAM
        .iter()
        .map(|j| {
            let email = format!(
                "{}@team.example",
                j.name
                    .split_whitespace()
                    .next()
                    .unwrap_or("someone")
                    .to_lowercase()
            );
            let person = PersonFields {
                name: j.name.to_owned(),
                email: Some(email),
                github: None,
                kind: j.kind,
                renewal: Some("07-01".to_owned()),
            };
            let joined = months_ago(as_of, j.joined);
            let left = j.left.map(|m| months_ago(as_of, m).last_of_month());
            let assignment = AssignmentFields {
                role: j.role.to_owned(),
                level: j.level,
                step: j.step,
                fte: j.fte,
                start: joined,
                end: left,
                monthly_payment: j.monthly_payment,
                description: Some(j.description.to_owned()),
                funding: j
                    .funding
                    .iter()
                    .map(|(c, s)| ((*c).to_owned(), *s))
                    .collect(),
            };
            // Hana was promoted to L3 a year ago.
            let assignments = if j.name == "Hana Okonkwo-Bell" {
                let promoted = months_ago(as_of, 12);
                vec![
                    AssignmentFields {
                        end: promoted.checked_sub(1.day()).ok(),
                        ..assignment.clone()
                    },
                    AssignmentFields {
                        level: 3,
                        step: 1,
                        start: promoted,
                        ..assignment
                    },
                ]
            } else {
                vec![assignment]
            };
            (person, assignments)
        })
        .collect();
    DemoTeam { bands, people }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_team_is_valid_and_paid_by_bands_that_exist() {
        let as_of = date(2026, 11, 24);
        let team = generate(as_of);
        assert_eq!(team.people.len(), 12);
        for (person, assignments) in &team.people {
            assert!(person.problems().is_empty(), "{}", person.name);
            for a in assignments {
                assert!(
                    a.problems(person.kind).is_empty(),
                    "{}: {:?}",
                    person.name,
                    a.problems(person.kind)
                );
                assert!(ROLES.iter().any(|(r, _)| *r == a.role));
                if person.kind == PersonKind::Employee {
                    let day = a.start.max(date(2026, 7, 1));
                    assert!(
                        people::band_on(&team.bands, &a.role, a.level, a.step, day).is_some(),
                        "{} {}",
                        a.role,
                        a.level
                    );
                }
            }
        }
        // Two left, one was promoted, two are contractors, two work part time.
        let left = team
            .people
            .iter()
            .filter(|(_, a)| a.last().is_some_and(|a| a.end.is_some()))
            .count();
        assert_eq!(left, 2);
        assert!(team.people.iter().any(|(_, a)| a.len() == 2));
        // The raise applies from the last 1 July.
        let engineer =
            people::band_on(&team.bands, "Infrastructure Engineer", 2, 1, as_of).unwrap();
        assert_eq!(engineer.effective_from, date(2026, 7, 1));
        // 150,000 ÷ 1.25 = 120,000 at L2 step 1; +3% = 123,600.
        assert_eq!(engineer.annual_base, 123_600 * 100);
        assert_eq!(generate(as_of), team, "the same day gives the same team");
    }
}
