//! Role pages read into roles and areas and written back: the same page, and the same values
//! when read again, for the project's own pages (`testdata/roles`, in the shape of an
//! organisation's job-titles and area pages).

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use bearing_core::roles::{AreaSection, TitlesSection};
use bearing_formats::myst::{self, Page};

const OWN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/roles");

fn own(name: &str) -> String {
    std::fs::read_to_string(format!("{OWN}/{name}")).unwrap()
}

/// The first line where two pages differ, for a failure message.
fn first_difference(a: &str, b: &str) -> String {
    let (a, b) = (myst::normalized(a), myst::normalized(b));
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        if x != y {
            return format!("line {i}:\n  {x:?}\n  {y:?}");
        }
    }
    format!("{} lines against {}", a.len(), b.len())
}

/// What a Partnerships page holds, in its shape.
fn assert_partnerships_shape(page: &bearing_core::roles::AreaPage) {
    assert_eq!(page.area().as_deref(), Some("Partnerships"));
    let AreaSection::Context { areas, .. } = &page.sections[0] else {
        panic!("the organizational context first")
    };
    let names: Vec<&str> = areas.iter().filter_map(|a| a.name.as_deref()).collect();
    assert_eq!(names, ["Executive Director", "Engineering", "Partnerships"]);
    let AreaSection::KeyGoals { goals, .. } = &page.sections[1] else {
        panic!("the key goals second")
    };
    let goals: Vec<&str> = goals.iter().filter_map(|g| g.name.as_deref()).collect();
    assert_eq!(goals, ["Sustainability", "Community Success"]);
    let AreaSection::Responsibilities { groups, .. } = &page.sections[2] else {
        panic!("the areas of responsibility third")
    };
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].items.len(), 7);
    assert_eq!(groups[0].items[1].name.as_deref(), Some("Sales"));
    assert_eq!(groups[1].items.len(), 6);
    let AreaSection::Measures { groups, .. } = &page.sections[3] else {
        panic!("the measures fourth")
    };
    assert_eq!(groups[0].title, "Sustainability");
    assert_eq!(groups[1].items.len(), 3);
    let rows = page.current_roles();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].role, "Partnerships Lead");
    assert_eq!(rows[1].role, "Community Success Manager");
}

fn round_trip(text: &str) -> Page {
    let page = myst::read(text);
    let written = myst::write(&page);
    assert!(
        myst::equivalent(&written, text),
        "{}\n{written}",
        first_difference(&written, text)
    );
    assert_eq!(myst::read(&written), page, "read again, the same values");
    page
}

#[test]
fn our_job_titles_page_reads_into_its_roles_and_writes_back() {
    let Page::Titles(page) = round_trip(&own("job-titles.md")) else {
        panic!("the job-titles page")
    };
    assert_eq!(page.title, "Job Titles");
    let names: Vec<&str> = page.roles().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Executive Director",
            "Infrastructure Engineer",
            "Senior Infrastructure Engineer",
            "Partnerships Lead",
            "Community Success Manager"
        ]
    );
    assert!(
        matches!(&page.sections[0], TitlesSection::Page(s) if s.title == "Terminology and structure")
    );
    let engineer = page.roles().nth(1).unwrap();
    assert!(
        engineer
            .description
            .starts_with("An Infrastructure Engineer builds and runs")
    );
    assert_eq!(engineer.title(2), "Infrastructure Engineer L2");
    assert_eq!(engineer.key_goal, None, "a description only");
    let lead = page.roles().nth(3).unwrap();
    assert_eq!(
        lead.key_goal.as_deref(),
        Some("Ensure the organisation has the relationships and the resources its mission needs.")
    );
    assert!(lead.responsibilities.as_deref().unwrap().contains("$$"));
    assert_eq!(
        lead.measures(),
        [
            "Speed of sales and billing",
            "Financial sustainability of services",
            "New partnerships",
            "Renewals and growth",
            "Grant funding",
            "Health of partnerships"
        ]
    );
    assert_eq!(
        lead.comparable_titles,
        [
            "Head of Partnerships",
            "Director of Sustainability",
            "Development Director",
            "Partnerships Manager",
            "Head of Sales"
        ]
    );
    assert_eq!(lead.notes.len(), 1);
    assert_eq!(
        lead.revisit.map(|m| m.to_string()).as_deref(),
        Some("2027-03")
    );
    // The third-level "Acting Director of Northwind" is not a part of a role Bearing knows:
    // kept as it is.
    assert_eq!(lead.extra.len(), 1);
    assert_eq!(lead.extra[0].title, "Acting Director of Northwind");
    let manager = page.roles().nth(4).unwrap();
    assert_eq!(
        manager.key_goal.as_deref(),
        Some("Make sure every community gets lasting value from its hub.")
    );
    assert_eq!(manager.measures().len(), 3);
}

#[test]
fn our_partnerships_page_reads_into_its_area_and_writes_back() {
    let Page::Area(page) = round_trip(&own("partnerships.md")) else {
        panic!("an area's page")
    };
    assert_partnerships_shape(&page);
    assert_eq!(page.current_roles()[0].person, "Selin Abara");
}
