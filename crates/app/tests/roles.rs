//! Role pages through the records: the job-titles and Partnerships pages of `testdata/roles`
//! imported, published again, and imported again without change, on both backends.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use bearing_app::{AppError, Context, roles};
use bearing_core::{Actor, EntityKind, Source};
use bearing_formats::myst;
use bearing_store::testing::TestDb;

bearing_store::on_both_backends!(
    role_pages_round_trip_through_the_records,
    an_area_page_that_does_not_say_its_area_needs_one,
);

const PAGES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/roles");
const TITLES: &str = "job-titles.md";
const PARTNERSHIPS: &str = "partnerships.md";

fn ctx() -> Context {
    Context::new(Actor::parse("ada@example.org").unwrap(), Source::Cli)
}

fn page(name: &str) -> String {
    std::fs::read_to_string(format!("{PAGES}/{name}")).unwrap()
}

async fn role_pages_round_trip_through_the_records(db: &TestDb) {
    let store = db.store().await;
    let dry = roles::import(&store, &ctx(), TITLES, &page(TITLES), None, true)
        .await
        .unwrap();
    assert_eq!(dry.new_roles.len(), 5);
    assert!(
        store.list_roles().await.unwrap().is_empty(),
        "a dry run writes nothing"
    );
    let titles = roles::import(&store, &ctx(), TITLES, &page(TITLES), None, false)
        .await
        .unwrap();
    assert_eq!(
        titles.new_roles,
        [
            "Executive Director",
            "Infrastructure Engineer",
            "Senior Infrastructure Engineer",
            "Partnerships Lead",
            "Community Success Manager"
        ]
    );
    let area = roles::import(
        &store,
        &ctx(),
        PARTNERSHIPS,
        &page(PARTNERSHIPS),
        None,
        false,
    )
    .await
    .unwrap();
    assert_eq!(area.area.as_deref(), Some("Partnerships"));
    assert_eq!(
        area.new_areas,
        ["Executive Director", "Engineering", "Partnerships"]
    );
    let lead = store
        .list_roles()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.text.name == "Partnerships Lead")
        .unwrap();
    assert_eq!(lead.text.comparable_titles.len(), 5);
    let partnerships = store.list_areas().await.unwrap()[2].clone();
    assert_eq!(partnerships.name, "Partnerships");
    assert_eq!(
        lead.area_id,
        Some(partnerships.id),
        "the area's current roles name the role"
    );
    assert_eq!(
        lead.text.revisit.map(|m| m.to_string()).as_deref(),
        Some("2027-03")
    );
    let history = store
        .list_audit(EntityKind::Role, &lead.id.to_string())
        .await
        .unwrap();
    assert_eq!(
        history.len(),
        2,
        "created, then given its area, each with its audit row"
    );

    let pages = roles::publish(&store, jiff::civil::date(2026, 11, 24))
        .await
        .unwrap();
    let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["job-titles.md", "partnerships.md"]);
    for ((_, written), original) in pages.iter().zip([TITLES, PARTNERSHIPS]) {
        assert!(
            myst::equivalent(written, &page(original)),
            "{original}:\n{written}"
        );
    }
    // Importing what was published changes nothing.
    let version = store.data_version().await.unwrap();
    for (name, page) in &pages {
        let again = roles::import(&store, &ctx(), name, page, None, false)
            .await
            .unwrap();
        assert!(
            again.new_roles.is_empty()
                && again.changed_roles.is_empty()
                && again.new_areas.is_empty()
                && again.changed_areas.is_empty(),
            "{}",
            again.summary()
        );
    }
    assert_eq!(store.data_version().await.unwrap(), version);
    // Saving a role as it is changes nothing either (the edit form sends what it shows).
    let areas = store.list_areas().await.unwrap();
    for role in store.list_roles().await.unwrap() {
        let same = roles::RoleChange::of(&role, &areas);
        let saved = roles::edit(&store, &ctx(), role.id, same).await.unwrap();
        assert_eq!(saved, role, "{}", role.text.name);
    }
    assert_eq!(store.data_version().await.unwrap(), version);

    // Once the area's roles are assigned, its current-roles table is the assignments'.
    let amara = bearing_app::people::add_person(
        &store,
        &ctx(),
        bearing_core::people::PersonFields {
            name: "Amara Okonjo".into(),
            email: None,
            github: None,
            kind: bearing_core::people::PersonKind::Employee,
            renewal: None,
        },
    )
    .await
    .unwrap();
    bearing_app::people::assign(
        &store,
        &ctx(),
        amara.id,
        bearing_core::people::AssignmentFields {
            role: "Partnerships Lead".into(),
            level: 2,
            step: 1,
            fte: 1.0,
            start: jiff::civil::date(2026, 1, 1),
            end: None,
            monthly_payment: None,
            description: Some("Leads the partnerships".into()),
            funding: vec![("OPS".into(), 1.0)],
        },
    )
    .await
    .unwrap();
    let pages = roles::publish(&store, jiff::civil::date(2026, 11, 24))
        .await
        .unwrap();
    assert!(
        pages[1].1.ends_with("| Role | Person | Description |\n|------|--------|-------------|\n| Partnerships Lead | Amara Okonjo | Leads the partnerships |\n"),
        "{}",
        pages[1].1
    );
}

async fn an_area_page_that_does_not_say_its_area_needs_one(db: &TestDb) {
    let store = db.store().await;
    let page = "## Key goals\n\n1. **Reach**: Be known.\n";
    let error = roles::import(&store, &ctx(), "goals.md", page, None, false)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, AppError::Invalid { field, .. } if field == "area"),
        "{error:?}"
    );
    assert!(error.to_string().contains("--area NAME"), "{error}");
    let plan = roles::import(&store, &ctx(), "goals.md", page, Some("Marketing"), false)
        .await
        .unwrap();
    assert_eq!(plan.new_areas, ["Marketing"]);
    let pages = roles::publish(&store, jiff::civil::date(2026, 11, 24))
        .await
        .unwrap();
    assert_eq!(pages[1].0, "marketing.md");
    assert!(myst::equivalent(&pages[1].1, page), "{}", pages[1].1);
    let empty = roles::import(
        &store,
        &ctx(),
        "empty.md",
        "# Nothing\n\nJust text.\n",
        None,
        false,
    )
    .await
    .unwrap_err();
    assert!(empty.to_string().contains("no role found"), "{empty}");
}
