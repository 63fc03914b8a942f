//! The organisation's role pages in MyST Markdown: the job-titles page (a section per role,
//! with its key goal, responsibilities and expectations, performance measures and comparable
//! titles) and an area's page (its context, key goals, areas of responsibility, measures of
//! success and current roles). [`read`] turns a page into `bearing_core::roles` values and the
//! `write_*` functions turn them back into a page of the same shape: headings, lists,
//! definition lists and `:::{note}` blocks. What Bearing does not recognise is kept as it is.
//!
//! Two pages are [`equivalent`] when they have the same non-blank lines, ignoring trailing
//! spaces: the blank lines between blocks are the writer's own.

use bearing_core::roles::{
    AreaPage, AreaSection, CurrentRole, Group, Item, RoleText, Section, TitlesPage, TitlesSection,
    revisit_month,
};

/// A page of either kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    Titles(TitlesPage),
    Area(AreaPage),
}

/// A second-level section and its third-level subsections.
#[derive(Debug, Default)]
struct Part {
    title: String,
    body: String,
    subsections: Vec<Section>,
}

/// The page's first-level title, what precedes its first section, and its sections.
struct Outline {
    title: Option<String>,
    preamble: String,
    parts: Vec<Part>,
}

/// Lines joined, without blank lines at either end.
fn text(lines: &[&str]) -> String {
    let start = lines.iter().position(|l| !l.trim().is_empty());
    let end = lines.iter().rposition(|l| !l.trim().is_empty());
    match (start, end) {
        (Some(s), Some(e)) => lines[s..=e].join("\n"),
        _ => String::new(),
    }
}

fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.chars().take_while(|c| *c == '#').count();
    let rest = &line[level..];
    ((1..=6).contains(&level) && rest.starts_with(' ')).then(|| (level, rest.trim()))
}

/// A section's lines while the page is read: title, body, subsections.
type RawPart<'a> = (String, Vec<&'a str>, Vec<(String, Vec<&'a str>)>);

fn outline(page: &str) -> Outline {
    let mut title = None;
    let mut preamble: Vec<&str> = Vec::new();
    let mut parts: Vec<RawPart> = Vec::new();
    let mut fenced = false;
    for line in page.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        }
        let found = if fenced { None } else { heading(line) };
        match found {
            Some((1, t)) if title.is_none() && parts.is_empty() => title = Some(t.to_owned()),
            Some((2, t)) => parts.push((t.to_owned(), Vec::new(), Vec::new())),
            Some((3, t)) if !parts.is_empty() => {
                if let Some(p) = parts.last_mut() {
                    p.2.push((t.to_owned(), Vec::new()));
                }
            }
            _ => match parts.last_mut() {
                None => preamble.push(line),
                Some((_, body, subs)) => match subs.last_mut() {
                    Some((_, lines)) => lines.push(line),
                    None => body.push(line),
                },
            },
        }
    }
    Outline {
        title,
        preamble: text(&preamble),
        parts: parts
            .into_iter()
            .map(|(title, body, subs)| Part {
                title,
                body: text(&body),
                subsections: subs
                    .into_iter()
                    .map(|(title, lines)| Section {
                        title,
                        body: text(&lines),
                    })
                    .collect(),
            })
            .collect(),
    }
}

const AREA_SECTIONS: [&str; 5] = [
    "organizational context",
    "key goals",
    "major areas of responsibility",
    "measures and definition of success",
    "current roles",
];

/// Reads a page: an area's page when it has any of an area page's sections, the job-titles
/// page otherwise.
pub fn read(page: &str) -> Page {
    let outline = outline(page);
    if outline
        .parts
        .iter()
        .any(|p| AREA_SECTIONS.contains(&p.title.to_lowercase().as_str()))
    {
        Page::Area(area_page(outline))
    } else {
        Page::Titles(titles_page(outline))
    }
}

/// A section of the job-titles page that describes the page rather than a role: one about
/// terminology, or one holding a definition list or code.
fn is_page_section(part: &Part) -> bool {
    part.title.to_lowercase().starts_with("terminology")
        || part
            .body
            .lines()
            .chain(part.subsections.iter().flat_map(|s| s.body.lines()))
            .any(|l| l.starts_with(": ") || l.trim_start().starts_with("```"))
}

fn titles_page(outline: Outline) -> TitlesPage {
    TitlesPage {
        title: outline.title.unwrap_or_default(),
        preamble: outline.preamble,
        sections: outline
            .parts
            .into_iter()
            .map(|part| {
                if is_page_section(&part) {
                    TitlesSection::Page(Section {
                        title: part.title,
                        body: join_subsections(&part.body, &part.subsections),
                    })
                } else {
                    TitlesSection::Role(role(part))
                }
            })
            .collect(),
    }
}

/// A section's body with its subsections written back under their headings.
fn join_subsections(body: &str, subsections: &[Section]) -> String {
    let mut pieces = vec![body.to_owned()];
    for s in subsections {
        pieces.push(format!("### {}", s.title));
        pieces.push(s.body.clone());
    }
    join(pieces)
}

/// Splits the `:::{note}` blocks out of `body`: (the notes, the rest).
fn notes(body: &str) -> (Vec<String>, String) {
    let mut notes = Vec::new();
    let mut rest: Vec<&str> = Vec::new();
    let mut note: Option<Vec<&str>> = None;
    for line in body.lines() {
        match &mut note {
            None if line.trim() == ":::{note}" => note = Some(Vec::new()),
            None => rest.push(line),
            Some(lines) if line.trim() == ":::" => {
                notes.push(text(lines));
                note = None;
            }
            Some(lines) => lines.push(line),
        }
    }
    // An unclosed note is kept as written.
    if let Some(lines) = note {
        rest.push(":::{note}");
        rest.extend(lines);
    }
    (notes, text(&rest))
}

fn role(part: Part) -> RoleText {
    let (notes, description) = notes(&part.body);
    let mut role = RoleText {
        name: part.title,
        description,
        revisit: notes.iter().find_map(|n| revisit_month(n)),
        notes,
        ..RoleText::default()
    };
    for sub in part.subsections {
        let key = sub.title.to_lowercase();
        let body = Some(sub.body.clone()).filter(|b| !b.is_empty());
        match key.as_str() {
            "key goal" if role.key_goal.is_none() => role.key_goal = body,
            "responsibilities and expectations" | "responsibilities"
                if role.responsibilities.is_none() =>
            {
                role.responsibilities = body;
            }
            "performance measures" if role.performance_measures.is_none() => {
                role.performance_measures = body;
            }
            "salary rationale" if role.salary_rationale.is_none() => role.salary_rationale = body,
            _ if (key.contains("similar titles") || key.contains("comparable titles"))
                && role.comparable_titles.is_empty() =>
            {
                match comparable_titles(&sub.body) {
                    Some(titles) => role.comparable_titles = titles,
                    None => role.extra.push(sub),
                }
            }
            _ => role.extra.push(sub),
        }
    }
    role
}

/// "Comparable titles:" and a list, and nothing else.
fn comparable_titles(body: &str) -> Option<Vec<String>> {
    let mut titles = Vec::new();
    for line in body.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if line.eq_ignore_ascii_case("comparable titles:") && titles.is_empty() {
            continue;
        }
        let item = line
            .strip_prefix("- ")
            .or_else(|| line.strip_prefix("* "))
            .or_else(|| line.strip_prefix("+ "))?;
        titles.push(item.trim().to_owned());
    }
    (!titles.is_empty()).then_some(titles)
}

fn list_marker(line: &str) -> Option<&str> {
    for marker in ["+ ", "- ", "* "] {
        if let Some(rest) = line.strip_prefix(marker) {
            return Some(rest);
        }
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 {
        return line[digits..].strip_prefix(". ");
    }
    None
}

fn item(text: &str) -> Item {
    if let Some(rest) = text.strip_prefix("**")
        && let Some((name, after)) = rest.split_once("**:")
        && !name.contains("**")
    {
        return Item {
            name: Some(name.to_owned()),
            text: after.trim_start().to_owned(),
        };
    }
    Item {
        name: None,
        text: text.to_owned(),
    }
}

/// A description, a list, and what follows the list.
fn group(title: String, body: &str) -> Group {
    let mut before: Vec<&str> = Vec::new();
    let mut items: Vec<String> = Vec::new();
    let mut after: Vec<&str> = Vec::new();
    for line in body.lines() {
        if !after.is_empty() {
            after.push(line);
        } else if let Some(rest) = list_marker(line) {
            items.push(rest.to_owned());
        } else if items.is_empty() {
            before.push(line);
        } else if line.trim().is_empty() {
            continue;
        } else if line.starts_with(' ') {
            // A continuation of the item above.
            if let Some(last) = items.last_mut() {
                last.push('\n');
                last.push_str(line);
            }
        } else {
            after.push(line);
        }
    }
    Group {
        title,
        description: text(&before),
        items: items.iter().map(|i| item(i)).collect(),
        after: text(&after),
    }
}

fn table(body: &str) -> Option<(String, Vec<CurrentRole>)> {
    let intro: Vec<&str> = body.lines().take_while(|l| !l.starts_with('|')).collect();
    let rows: Vec<&str> = body.lines().skip(intro.len()).collect();
    let rows = text(&rows);
    let mut lines = rows.lines();
    let header: Vec<String> = cells(lines.next()?);
    let expected = ["role", "person", "description"];
    if header
        .iter()
        .map(|h| h.to_lowercase())
        .ne(expected.iter().map(|e| (*e).to_owned()))
    {
        return None;
    }
    let separator = lines.next()?;
    if !separator
        .chars()
        .all(|c| matches!(c, '|' | '-' | ':' | ' '))
    {
        return None;
    }
    let mut out = Vec::new();
    for line in lines {
        let cells = cells(line);
        if !line.starts_with('|') || cells.len() != 3 {
            return None;
        }
        out.push(CurrentRole {
            role: cells[0].clone(),
            person: cells[1].clone(),
            description: cells[2].clone(),
        });
    }
    Some((text(&intro), out))
}

fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split('|').map(|c| c.trim().to_owned()).collect()
}

fn area_page(outline: Outline) -> AreaPage {
    let sections = outline
        .parts
        .into_iter()
        .map(|part| {
            let kept = |part: &Part| {
                AreaSection::Page(Section {
                    title: part.title.clone(),
                    body: join_subsections(&part.body, &part.subsections),
                })
            };
            match part.title.to_lowercase().as_str() {
                "organizational context" if part.subsections.is_empty() => {
                    let g = group(String::new(), &part.body);
                    if g.after.is_empty() {
                        AreaSection::Context {
                            intro: g.description,
                            areas: g.items,
                        }
                    } else {
                        kept(&part)
                    }
                }
                "key goals" if part.subsections.is_empty() => {
                    let g = group(String::new(), &part.body);
                    if g.after.is_empty() {
                        AreaSection::KeyGoals {
                            intro: g.description,
                            goals: g.items,
                        }
                    } else {
                        kept(&part)
                    }
                }
                "major areas of responsibility" => AreaSection::Responsibilities {
                    intro: part.body.clone(),
                    groups: part
                        .subsections
                        .iter()
                        .map(|s| group(s.title.clone(), &s.body))
                        .collect(),
                },
                "measures and definition of success" => AreaSection::Measures {
                    intro: part.body.clone(),
                    groups: part
                        .subsections
                        .iter()
                        .map(|s| group(s.title.clone(), &s.body))
                        .collect(),
                },
                "current roles" if part.subsections.is_empty() => match table(&part.body) {
                    Some((intro, rows)) => AreaSection::CurrentRoles { intro, rows },
                    None => kept(&part),
                },
                _ => kept(&part),
            }
        })
        .collect();
    AreaPage {
        title: outline.title,
        preamble: outline.preamble,
        sections,
    }
}

/// Pieces joined by blank lines, the empty ones left out, ending in a newline.
fn join(pieces: Vec<String>) -> String {
    let pieces: Vec<String> = pieces.into_iter().filter(|p| !p.is_empty()).collect();
    pieces.join("\n\n")
}

fn items(items: &[Item], numbered: bool) -> String {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let marker = if numbered {
                format!("{}.", i + 1)
            } else {
                "+".to_owned()
            };
            match &item.name {
                Some(name) => format!("{marker} **{name}**: {}", item.text),
                None => format!("{marker} {}", item.text),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn write_role(role: &RoleText) -> String {
    let mut pieces = vec![format!("## {}", role.name)];
    for note in &role.notes {
        pieces.push(format!(":::{{note}}\n{note}\n:::"));
    }
    pieces.push(role.description.clone());
    let parts = [
        ("Key goal", &role.key_goal),
        ("Responsibilities and Expectations", &role.responsibilities),
        ("Performance Measures", &role.performance_measures),
        ("Salary rationale", &role.salary_rationale),
    ];
    for (title, body) in parts {
        if let Some(body) = body {
            pieces.push(format!("### {title}"));
            pieces.push(body.clone());
        }
    }
    if !role.comparable_titles.is_empty() {
        pieces.push("### Appendix: Similar titles".to_owned());
        pieces.push("Comparable titles:".to_owned());
        pieces.push(
            role.comparable_titles
                .iter()
                .map(|t| format!("- {t}"))
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }
    for s in &role.extra {
        pieces.push(format!("### {}", s.title));
        pieces.push(s.body.clone());
    }
    join(pieces)
}

/// The job-titles page.
pub fn write_titles(page: &TitlesPage) -> String {
    let mut pieces = Vec::new();
    if !page.title.is_empty() {
        pieces.push(format!("# {}", page.title));
    }
    pieces.push(page.preamble.clone());
    for section in &page.sections {
        pieces.push(match section {
            TitlesSection::Role(role) => write_role(role),
            TitlesSection::Page(s) => join(vec![format!("## {}", s.title), s.body.clone()]),
        });
    }
    join(pieces) + "\n"
}

fn write_groups(title: &str, intro: &str, groups: &[Group]) -> String {
    let mut pieces = vec![format!("## {title}"), intro.to_owned()];
    for g in groups {
        pieces.push(format!("### {}", g.title));
        pieces.push(g.description.clone());
        pieces.push(items(&g.items, false));
        pieces.push(g.after.clone());
    }
    join(pieces)
}

/// An area's page.
pub fn write_area(page: &AreaPage) -> String {
    let mut pieces = Vec::new();
    if let Some(title) = &page.title {
        pieces.push(format!("# {title}"));
    }
    pieces.push(page.preamble.clone());
    for section in &page.sections {
        pieces.push(match section {
            AreaSection::Context { intro, areas } => join(vec![
                "## Organizational Context".to_owned(),
                intro.clone(),
                items(areas, false),
            ]),
            AreaSection::KeyGoals { intro, goals } => join(vec![
                "## Key goals".to_owned(),
                intro.clone(),
                items(goals, true),
            ]),
            AreaSection::Responsibilities { intro, groups } => {
                write_groups("Major areas of responsibility", intro, groups)
            }
            AreaSection::Measures { intro, groups } => {
                write_groups("Measures and definition of success", intro, groups)
            }
            AreaSection::CurrentRoles { intro, rows } => {
                let mut table = String::from(
                    "| Role | Person | Description |\n|------|--------|-------------|",
                );
                for r in rows {
                    table.push_str(&format!(
                        "\n| {} | {} | {} |",
                        r.role, r.person, r.description
                    ));
                }
                join(vec!["## Current roles".to_owned(), intro.clone(), table])
            }
            AreaSection::Page(s) => join(vec![format!("## {}", s.title), s.body.clone()]),
        });
    }
    join(pieces) + "\n"
}

/// A page of either kind.
pub fn write(page: &Page) -> String {
    match page {
        Page::Titles(p) => write_titles(p),
        Page::Area(p) => write_area(p),
    }
}

/// The page's non-blank lines without trailing spaces: what [`equivalent`] compares.
pub fn normalized(page: &str) -> Vec<&str> {
    page.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect()
}

/// Whether two pages say the same: the same non-blank lines, ignoring trailing spaces.
pub fn equivalent(a: &str, b: &str) -> bool {
    normalized(a) == normalized(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TITLES: &str = "# Job Titles\n\nIntro.\n\n## Terminology and structure\n\nRole\n: A focus.\n\n## Engineer\n\nOperates hubs.\n\n## Lead\n\n:::{note}\nExperimental; revisit by 2023-03.\n:::\n\n### Key goal\n\nGrow.\n\n### Appendix: Similar titles\n\nComparable titles:\n\n- Director\n- Manager\n\n### Odd part\n\nKept.\n";

    #[test]
    fn a_titles_page_reads_into_roles_and_writes_back_the_same() {
        let Page::Titles(page) = read(TITLES) else {
            panic!("a titles page")
        };
        assert_eq!(page.title, "Job Titles");
        let roles: Vec<&RoleText> = page.roles().collect();
        assert_eq!(roles.len(), 2, "the terminology is not a role");
        assert_eq!(roles[0].description, "Operates hubs.");
        let lead = roles[1];
        assert_eq!(lead.key_goal.as_deref(), Some("Grow."));
        assert_eq!(
            lead.revisit.map(|m| m.to_string()).as_deref(),
            Some("2023-03")
        );
        assert_eq!(lead.comparable_titles, ["Director", "Manager"]);
        assert_eq!(lead.extra[0].title, "Odd part");
        assert_eq!(write_titles(&page), TITLES);
    }

    #[test]
    fn area_lists_items_and_tables() {
        let page = "## Organizational Context\n\nAreas:\n\n+ **Engineering**: Builds.\n+ **Partnerships**: Sells.\n\n## Major areas of responsibility\n\nPartnerships defines these.\n\n### Sales\nSell well.\n\n+ **Leads**: Find them.\n+ odd **item\n\n## Current roles\n\n| Role | Person | Description |\n|---|---|---|\n| Lead | Ada | Leads |\n";
        let Page::Area(area) = read(page) else {
            panic!("an area page")
        };
        assert_eq!(area.area().as_deref(), Some("Partnerships"));
        assert_eq!(
            area.current_roles(),
            [CurrentRole {
                role: "Lead".into(),
                person: "Ada".into(),
                description: "Leads".into()
            }]
        );
        let AreaSection::Responsibilities { groups, .. } = &area.sections[1] else {
            panic!("responsibilities")
        };
        assert_eq!(groups[0].items[0].name.as_deref(), Some("Leads"));
        assert_eq!(groups[0].items[1].name, None);
        let written = write_area(&area);
        assert!(
            equivalent(
                &written.replace("|------|--------|-------------|", "|---|---|---|"),
                page
            ),
            "{written}"
        );
        assert_eq!(read(&written), Page::Area(area));
    }
}
