//! The organisation's two seed documents, the job-titles page and the Partnerships area's
//! page, read into roles and areas and written back: the same page, and the same values when
//! read again.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use bearing_core::roles::{AreaSection, TitlesSection};
use bearing_formats::myst::{self, Page};

const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/seeds");

fn seed(name: &str) -> String {
    std::fs::read_to_string(format!("{SEEDS}/{name}")).unwrap()
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
fn the_job_titles_page_reads_into_its_roles_and_writes_back() {
    let Page::Titles(page) = round_trip(&seed("000_f29e73a95cfc75c0.txt")) else {
        panic!("the job-titles page")
    };
    assert_eq!(page.title, "Job Titles");
    let names: Vec<&str> = page.roles().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Open Source Infrastructure Engineer",
            "Senior Open Source Infrastructure Engineer",
            "Partnerships Lead"
        ]
    );
    assert!(
        matches!(&page.sections[0], TitlesSection::Page(s) if s.title == "Terminology and structure")
    );
    let osie = page.roles().next().unwrap();
    assert!(
        osie.description
            .starts_with("The Open Source Infrastructure (OSIE) focuses")
    );
    assert_eq!(osie.title(2), "Open Source Infrastructure Engineer L2");
    let lead = page.roles().nth(2).unwrap();
    assert!(
        lead.key_goal
            .as_deref()
            .unwrap()
            .starts_with("Ensure that 2i2c has effective relationships")
    );
    assert!(
        lead.responsibilities
            .as_deref()
            .unwrap()
            .contains("**Manage our sales pipeline**")
    );
    assert_eq!(
        lead.measures(),
        [
            "Sales and invoicing efficiency",
            "Overall service sustainability",
            "New business",
            "Growing pre-existing business",
            "Success with grants",
            "Robustness of partnerships"
        ]
    );
    assert_eq!(
        lead.comparable_titles,
        [
            "Sustainability Lead",
            "Business Affairs Director",
            "Business Development Director",
            "Business Manager",
            "Sales Director"
        ]
    );
    assert_eq!(lead.notes.len(), 1);
    assert_eq!(
        lead.revisit.map(|m| m.to_string()).as_deref(),
        Some("2022-09")
    );
    // The third-level "Director of 2i2c" is not a part of a role Bearing knows: kept.
    assert_eq!(lead.extra.len(), 1);
    assert_eq!(lead.extra[0].title, "Director of 2i2c");
}

#[test]
fn the_partnerships_page_reads_into_its_area_and_writes_back() {
    let Page::Area(page) = round_trip(&seed("003_37af37446fc9784a.txt")) else {
        panic!("an area's page")
    };
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
