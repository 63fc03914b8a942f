//! Roles and areas as the organisation writes them (docs/domain.md, "People"): the job-titles page
//! with a section per role, and an area's page with its key goals, areas of responsibility,
//! measures of success and current roles. Text stays Markdown, so a page read in and
//! published again says what it said; sections Bearing does not recognise are kept as they
//! are.

use crate::Month;

/// A heading and the Markdown under it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Section {
    pub title: String,
    pub body: String,
}

/// A role: what it is for, what it does and how it is judged.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RoleText {
    pub name: String,
    /// What the role is, before any of the parts below (Markdown).
    pub description: String,
    /// The bodies of `:::{note}` blocks, e.g. that the role is an experiment.
    pub notes: Vec<String>,
    /// When the notes ask for the role to be looked at again.
    pub revisit: Option<Month>,
    pub key_goal: Option<String>,
    pub responsibilities: Option<String>,
    /// The performance measures (Markdown; [`RoleText::measures`] lists them).
    pub performance_measures: Option<String>,
    pub salary_rationale: Option<String>,
    pub comparable_titles: Vec<String>,
    /// Parts Bearing does not recognise, in order.
    pub extra: Vec<Section>,
}

impl RoleText {
    /// The role's title at a level: `<role> L<level>`.
    pub fn title(&self, level: u8) -> String {
        title(&self.name, level)
    }

    /// The top-level items of the performance measures: the groups of measures.
    pub fn measures(&self) -> Vec<String> {
        self.performance_measures
            .as_deref()
            .map(|text| {
                text.lines()
                    .filter_map(|l| {
                        l.strip_prefix("- ")
                            .or_else(|| l.strip_prefix("* "))
                            .or_else(|| l.strip_prefix("+ "))
                    })
                    .map(|s| s.trim().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A title: `<role> L<level>`, e.g. "Open Source Infrastructure Engineer L2".
pub fn title(role: &str, level: u8) -> String {
    format!("{role} L{level}")
}

/// The month a note asks to revisit by: "revisit … in September 2022", "revisit by 2022-09".
pub fn revisit_month(note: &str) -> Option<Month> {
    let lower = note.to_lowercase();
    let after = &lower[lower.find("revisit")?..];
    let words: Vec<&str> = after
        .split(|c: char| c.is_whitespace() || c == ',' || c == '.')
        .filter(|w| !w.is_empty())
        .collect();
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    for (i, word) in words.iter().enumerate() {
        if let Ok(month) = Month::parse(word) {
            return Some(month);
        }
        if let Some(m) = MONTHS.iter().position(|m| m == word) {
            let year = words.get(i + 1).and_then(|y| y.parse::<i16>().ok())?;
            return Month::new(year, m as i8 + 1).ok();
        }
    }
    None
}

/// An item of a list: `**Name**: text`, or just text when it has no name.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Item {
    pub name: Option<String>,
    pub text: String,
}

/// A part of an area's page under a heading of its own: a description, a list and what
/// follows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Group {
    pub title: String,
    pub description: String,
    pub items: Vec<Item>,
    pub after: String,
}

/// A row of the "current roles" table.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CurrentRole {
    pub role: String,
    pub person: String,
    pub description: String,
}

/// The job-titles page: a title, what comes before the first section, and its sections in
/// order, each a role or a section of the page itself (such as the terminology).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TitlesPage {
    pub title: String,
    pub preamble: String,
    pub sections: Vec<TitlesSection>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TitlesSection {
    Role(RoleText),
    /// A section of the page that is not a role, with its subsections as Markdown.
    Page(Section),
}

impl TitlesPage {
    pub fn roles(&self) -> impl Iterator<Item = &RoleText> {
        self.sections.iter().filter_map(|s| match s {
            TitlesSection::Role(r) => Some(r),
            TitlesSection::Page(_) => None,
        })
    }
}

/// An area's page: the organisation's areas, the key goals, the areas of responsibility, the
/// measures of success and the current roles; other sections are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AreaPage {
    /// A first-level heading, if the page has one.
    pub title: Option<String>,
    pub preamble: String,
    pub sections: Vec<AreaSection>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AreaSection {
    /// "Organizational Context": the organisation's areas, each with what it does.
    Context {
        intro: String,
        areas: Vec<Item>,
    },
    /// "Key goals", numbered.
    KeyGoals {
        intro: String,
        goals: Vec<Item>,
    },
    /// "Major areas of responsibility", one group per key goal.
    Responsibilities {
        intro: String,
        groups: Vec<Group>,
    },
    /// "Measures and definition of success", one group per key goal.
    Measures {
        intro: String,
        groups: Vec<Group>,
    },
    /// "Current roles": role, person, description.
    CurrentRoles {
        intro: String,
        rows: Vec<CurrentRole>,
    },
    Page(Section),
}

impl AreaPage {
    /// The area the page is about: the first area of the context that the areas of
    /// responsibility name (e.g. "Partnerships defines strategy for …").
    pub fn area(&self) -> Option<String> {
        let areas: Vec<&str> = self
            .sections
            .iter()
            .filter_map(|s| match s {
                AreaSection::Context { areas, .. } => Some(areas),
                _ => None,
            })
            .flatten()
            .filter_map(|i| i.name.as_deref())
            .collect();
        self.sections.iter().find_map(|s| match s {
            AreaSection::Responsibilities { intro, .. } => areas
                .iter()
                .filter_map(|a| intro.find(a).map(|at| (at, *a)))
                .min()
                .map(|(_, a)| a.to_owned()),
            _ => None,
        })
    }

    pub fn current_roles(&self) -> &[CurrentRole] {
        self.sections
            .iter()
            .find_map(|s| match s {
                AreaSection::CurrentRoles { rows, .. } => Some(rows.as_slice()),
                _ => None,
            })
            .unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_revisit_dates() {
        assert_eq!(
            title("Open Source Infrastructure Engineer", 2),
            "Open Source Infrastructure Engineer L2"
        );
        let note = "We are currently experimenting with this role.\nWe should revisit this section in September 2022.";
        assert_eq!(revisit_month(note), Month::parse("2022-09").ok());
        assert_eq!(
            revisit_month("experimental, revisit by 2023-03"),
            Month::parse("2023-03").ok()
        );
        assert_eq!(revisit_month("no date here"), None);
        assert_eq!(
            revisit_month("revisit in May"),
            None,
            "a month needs its year"
        );
    }

    #[test]
    fn measures_are_the_top_level_items() {
        let role = RoleText {
            performance_measures: Some(
                "Intro.\n\n- Sales efficiency\n  - Cycle length\n- Recurring revenue".into(),
            ),
            ..RoleText::default()
        };
        assert_eq!(role.measures(), ["Sales efficiency", "Recurring revenue"]);
    }
}
