//! People, assignments and bands through the records, and what the team costs, on both
//! backends, with hand-worked numbers.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use bearing_app::people::{AssignmentPatch, PersonPatch};
use bearing_app::{AppError, Context, people, roles};
use bearing_core::people::{AssignmentFields, Band, CostRates, PersonFields, PersonKind};
use bearing_core::{Actor, Date, EntityKind, Month, Source};
use bearing_store::testing::TestDb;
use jiff::civil::date;

bearing_store::on_both_backends!(
    the_team_costs_what_its_bands_and_payments_say_month_by_month,
    bad_people_and_assignments_change_nothing,
    the_scorecard_can_take_its_costs_from_the_team_and_says_so,
    the_balancing_rule_weighs_the_hubs_in_service_against_engineering,
    roles_that_share_a_ladder_are_paid_by_its_bands,
    edits_of_people_and_assignments_are_checked_against_the_team,
    people_and_assignments_entered_by_mistake_are_deleted_and_restored,
    bands_past_the_largest_salary_are_refused_and_a_raise_cannot_overflow,
);

fn ctx() -> Context {
    Context::new(Actor::parse("ada@example.org").unwrap(), Source::Cli)
}

fn person(name: &str, kind: PersonKind) -> PersonFields {
    PersonFields {
        name: name.into(),
        email: Some(format!("{}@example.org", name.to_lowercase())),
        github: None,
        kind,
        renewal: Some("07-01".into()),
    }
}

fn assignment(
    level: u8,
    fte: f64,
    start: Date,
    end: Option<Date>,
    funding: &[(&str, f64)],
) -> AssignmentFields {
    AssignmentFields {
        role: "Engineer".into(),
        level,
        step: 1,
        fte,
        start,
        end,
        monthly_payment: None,
        description: None,
        funding: funding.iter().map(|(c, s)| ((*c).to_owned(), *s)).collect(),
    }
}

fn band(level: u8, dollars: i64) -> Band {
    Band {
        ladder: "Engineer".into(),
        level,
        step: 1,
        annual_base: dollars * 100,
        effective_from: date(2025, 1, 1),
        note: None,
    }
}

fn month(text: &str) -> Month {
    Month::parse(text).unwrap()
}

async fn the_team_costs_what_its_bands_and_payments_say_month_by_month(db: &TestDb) {
    let store = db.store().await;
    roles::add(&store, &ctx(), "Engineer", None).await.unwrap();
    people::set_bands(&store, &ctx(), &[band(1, 96_000), band(3, 120_000)])
        .await
        .unwrap();
    let ada = people::add_person(&store, &ctx(), person("Ada", PersonKind::Employee))
        .await
        .unwrap();
    let ben = people::add_person(&store, &ctx(), person("Ben", PersonKind::Employee))
        .await
        .unwrap();
    let cy = people::add_person(&store, &ctx(), person("Cy", PersonKind::Contractor))
        .await
        .unwrap();
    // Ada joins on 16 April, full time at L3 (120,000): 12,500 a month burdened.
    people::assign(
        &store,
        &ctx(),
        ada.id,
        assignment(3, 1.0, date(2026, 4, 16), None, &[("G-1", 1.0)]),
    )
    .await
    .unwrap();
    // Ben, half time at L1 (96,000), leaves on 31 August, paid 60/40 from two grants:
    // 96,000 × 0.5 ÷ 12 × 1.25 = 5,000 a month.
    people::assign(
        &store,
        &ctx(),
        ben.id,
        assignment(
            1,
            0.5,
            date(2025, 1, 1),
            Some(date(2026, 8, 31)),
            &[("G-1", 0.6), ("G-2", 0.4)],
        ),
    )
    .await
    .unwrap();
    // Cy contracts at 4,000 a month from March to June: 4,800 with 20% overhead.
    let mut contract = assignment(
        1,
        1.0,
        date(2026, 3, 1),
        Some(date(2026, 6, 30)),
        &[("G-2", 1.0)],
    );
    contract.monthly_payment = Some(400_000);
    people::assign(&store, &ctx(), cy.id, contract)
        .await
        .unwrap();
    // A 10% cost-of-living adjustment from July: 132,000 and 105,600.
    let raised = people::cost_of_living(&store, &ctx(), 10.0, date(2026, 7, 1))
        .await
        .unwrap();
    assert_eq!(
        raised.iter().map(|b| b.annual_base).collect::<Vec<_>>(),
        [10_560_000, 13_200_000]
    );

    let months: Vec<Month> = ["2026-01", "2026-03", "2026-04", "2026-07", "2026-09"]
        .map(month)
        .to_vec();
    let lines = people::team_cost(&store, &ctx(), &months, &CostRates::default())
        .await
        .unwrap();
    let total = |m: &str| -> f64 {
        let m = month(m);
        lines.iter().filter(|l| l.month == m).map(|l| l.cost).sum()
    };
    assert!((total("2026-01") - 5_000.0).abs() < 1e-6);
    assert!((total("2026-03") - 9_800.0).abs() < 1e-6);
    // April: 5,000 + 4,800 + 12,500 × 15/30.
    assert!((total("2026-04") - 16_050.0).abs() < 1e-6);
    // July, raised: 105,600 × 0.5 ÷ 12 × 1.25 = 5,500 and 132,000 ÷ 12 × 1.25 = 13,750.
    assert!((total("2026-07") - 19_250.0).abs() < 1e-6);
    assert!((total("2026-09") - 13_750.0).abs() < 1e-6);
    let march_g2: f64 = lines
        .iter()
        .filter(|l| l.month == month("2026-03") && l.grant == "G-2")
        .map(|l| l.cost)
        .sum();
    assert!(
        (march_g2 - 6_800.0).abs() < 1e-6,
        "2,000 of Ben's and Cy's 4,800: {march_g2}"
    );
    let table = people::team_cost_table(&lines);
    assert_eq!(table.columns, ["month", "area", "role", "grant", "cost"]);

    // Ada leaves at the end of September: October costs nothing of hers.
    let ada_assignment = store
        .list_assignments()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.person == "Ada")
        .unwrap();
    people::end_assignment(&store, &ctx(), ada_assignment.id, date(2026, 9, 30))
        .await
        .unwrap();
    let october = people::team_cost(&store, &ctx(), &[month("2026-10")], &CostRates::default())
        .await
        .unwrap();
    assert!(october.is_empty(), "{october:?}");
    let history = store
        .list_audit(EntityKind::Assignment, &ada_assignment.id.to_string())
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    let bands = people::bands_table(&store, date(2026, 7, 1)).await.unwrap();
    assert_eq!(bands.rows[1][4].as_deref(), Some("132000.00"));
    assert_eq!(bands.rows[1][1].as_deref(), Some("Engineer L3"));
}

async fn bad_people_and_assignments_change_nothing(db: &TestDb) {
    let store = db.store().await;
    roles::add(&store, &ctx(), "Engineer", None).await.unwrap();
    let ada = people::add_person(&store, &ctx(), person("Ada", PersonKind::Employee))
        .await
        .unwrap();
    let version = store.data_version().await.unwrap();
    let twice = people::add_person(&store, &ctx(), person("Ada", PersonKind::Employee))
        .await
        .unwrap_err();
    assert!(matches!(twice, AppError::Conflict(_)), "{twice:?}");
    let bad_email = people::add_person(
        &store,
        &ctx(),
        PersonFields {
            email: Some("nobody".into()),
            ..person("Bo", PersonKind::Employee)
        },
    )
    .await
    .unwrap_err();
    assert!(bad_email.to_string().starts_with("email: "), "{bad_email}");
    let split = people::assign(
        &store,
        &ctx(),
        ada.id,
        assignment(
            2,
            1.0,
            date(2026, 1, 1),
            None,
            &[("G-1", 0.5), ("G-2", 0.3)],
        ),
    )
    .await
    .unwrap_err();
    assert_eq!(
        split.to_string(),
        "funding: the shares add to 80%, not 100%"
    );
    let mut unknown = assignment(2, 1.0, date(2026, 1, 1), None, &[("G-1", 1.0)]);
    unknown.role = "Astronaut".into();
    let unknown = people::assign(&store, &ctx(), ada.id, unknown)
        .await
        .unwrap_err();
    assert!(
        unknown
            .to_string()
            .contains("there is no role \"Astronaut\""),
        "{unknown}"
    );
    assert_eq!(
        store.data_version().await.unwrap(),
        version,
        "nothing was written"
    );
    // An employee without a band: the cost says which band is missing.
    people::assign(
        &store,
        &ctx(),
        ada.id,
        assignment(2, 1.0, date(2026, 1, 1), None, &[("G-1", 1.0)]),
    )
    .await
    .unwrap();
    let missing = people::team_cost(&store, &ctx(), &[month("2026-02")], &CostRates::default())
        .await
        .unwrap_err();
    assert!(
        missing.to_string().contains(
            "Ada is paid by the band of Engineer L2 step 1, which has no amount on 2026-02-01"
        ),
        "{missing}"
    );
    let none = people::cost_of_living(&store, &ctx(), 3.0, date(2026, 7, 1))
        .await
        .unwrap_err();
    assert!(
        none.to_string()
            .contains("no band is in force on 2026-07-01"),
        "{none}"
    );
}

async fn the_scorecard_can_take_its_costs_from_the_team_and_says_so(db: &TestDb) {
    let store = db.store().await;
    roles::add(&store, &ctx(), "Engineer", None).await.unwrap();
    people::set_bands(&store, &ctx(), &[band(3, 120_000)])
        .await
        .unwrap();
    let ada = people::add_person(&store, &ctx(), person("Ada", PersonKind::Employee))
        .await
        .unwrap();
    people::assign(
        &store,
        &ctx(),
        ada.id,
        assignment(3, 1.0, date(2025, 1, 1), None, &[("G-1", 1.0)]),
    )
    .await
    .unwrap();
    let set = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<Vec<_>>()
    };
    let today = date(2026, 3, 15);
    bearing_app::assumptions::set(
        &store,
        &ctx(),
        &set(&[
            ("books-closed", "2026-02"),
            ("monthly-costs", "50000"),
            ("net-assets", "100000"),
        ]),
        date(2026, 1, 1),
    )
    .await
    .unwrap();
    let detail = |report: &bearing_app::reports::Report| report.table.rows[1][4].clone().unwrap();
    // By default the costs are the best available: with no month closed, the team's.
    let best = bearing_app::reports::build(&store, "health", today)
        .await
        .unwrap();
    assert!(
        detail(&best).contains("against costs of $12,500/month"),
        "{}",
        detail(&best)
    );
    assert!(
        detail(&best).ends_with("plus $0 non-personnel: the best costs available until a month is closed with its actuals (assumption costs-from=best)."),
        "{}",
        detail(&best)
    );
    assert!(best.shows.team_cost, "the team's cost is pay");
    bearing_app::assumptions::set(
        &store,
        &ctx(),
        &set(&[("costs-from", "typed")]),
        date(2026, 1, 15),
    )
    .await
    .unwrap();
    let typed = bearing_app::reports::build(&store, "health", today)
        .await
        .unwrap();
    assert!(
        detail(&typed).contains("against costs of $50,000/month"),
        "{}",
        detail(&typed)
    );
    assert!(
        detail(&typed)
            .ends_with("Costs are the typed-in monthly-costs (assumption costs-from=typed)."),
        "{}",
        detail(&typed)
    );
    assert!(!typed.shows.team_cost, "typed costs are no one's pay");
    bearing_app::assumptions::set(
        &store,
        &ctx(),
        &set(&[("costs-from", "team"), ("non-personnel-costs", "2500")]),
        date(2026, 2, 1),
    )
    .await
    .unwrap();
    // Ada: 120,000 ÷ 12 × 1.25 = 12,500 a month, plus 2,500 besides: 15,000.
    let team = bearing_app::reports::build(&store, "health", today)
        .await
        .unwrap();
    assert!(
        detail(&team).contains("against costs of $15,000/month"),
        "{}",
        detail(&team)
    );
    assert!(
        detail(&team).ends_with("Costs are the team's, $12,500/month on average from 2026-03 to 2027-02 by its assignments and bands, plus $2,500 non-personnel (assumption costs-from=team)."),
        "{}",
        detail(&team)
    );
    let bad = bearing_app::assumptions::set(
        &store,
        &ctx(),
        &set(&[("costs-from", "guess")]),
        date(2026, 2, 1),
    )
    .await
    .unwrap_err();
    assert!(
        bad.to_string()
            .contains("expected best (the actuals once a month is closed, else the team's, else typed), typed (monthly-costs), team (the team's cost plus non-personnel-costs) or actuals"),
        "{bad}"
    );
}

async fn the_balancing_rule_weighs_the_hubs_in_service_against_engineering(db: &TestDb) {
    let store = db.store().await;
    let page = "## Organizational Context\n\n+ **Engineering**: Runs the hubs.\n";
    roles::import(&store, &ctx(), "areas.md", page, Some("Engineering"), false)
        .await
        .unwrap();
    roles::add(&store, &ctx(), "Engineer", Some("Engineering"))
        .await
        .unwrap();
    roles::add(&store, &ctx(), "Lead", None).await.unwrap();
    for (name, role, fte) in [
        ("Ada", "Engineer", 1.0),
        ("Ben", "Engineer", 0.5),
        ("Cy", "Lead", 1.0),
    ] {
        let p = people::add_person(&store, &ctx(), person(name, PersonKind::Employee))
            .await
            .unwrap();
        let mut a = assignment(1, fte, date(2026, 1, 1), None, &[("G-1", 1.0)]);
        a.role = role.into();
        people::assign(&store, &ctx(), p.id, a).await.unwrap();
    }
    let school = bearing_app::organizations::create(
        &store,
        &ctx(),
        bearing_core::organization::OrganizationFields {
            name: bearing_core::organization::OrganizationName::parse("valley").unwrap(),
            long_name: None,
            kind: bearing_core::organization::OrganizationKind::Community,
            website: None,
            github_org: None,
            notes: None,
            tags: vec!["Education".into()],
        },
    )
    .await
    .unwrap();
    // An education cluster with no hubs, a cluster with two hubs of no known kind (research),
    // and an excluded one.
    let usage = "date,hub,users,cluster\n2026-03-01,a,5,shared\n2026-03-01,b,5,shared\n";
    bearing_app::usage::import(&store, &ctx(), "h.csv", usage.as_bytes(), false)
        .await
        .unwrap();
    let usage = "cluster,date,unique_users\nvalley-hub,2026-03-01,40\nprometheus-x,2026-03-01,1\n";
    bearing_app::usage::import(&store, &ctx(), "c.csv", usage.as_bytes(), false)
        .await
        .unwrap();
    let valley = bearing_app::usage::find_unit(&store, "valley-hub")
        .await
        .unwrap();
    bearing_app::usage::update_unit(
        &store,
        &ctx(),
        valley.id,
        bearing_core::usage::UnitFields {
            organization: Some(school.id),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let a = bearing_core::assumptions::Assumptions {
        monthly_costs: 50_000.0,
        costs_from_best: false,
        ..Default::default()
    };
    let b = people::balance(&store, &ctx(), &a, date(2026, 3, 15))
        .await
        .unwrap();
    assert_eq!(b.costs, 50_000.0);
    assert_eq!(b.sold, None, "no books closed, no projection");
    assert_eq!(b.hubs_in_service, 3);
    assert_eq!(
        b.delivery.hubs,
        [("education".to_owned(), 1), ("research".to_owned(), 2)]
    );
    // 1 ÷ 22 + 2 ÷ 14 = 0.1883 FTE needed; 1.5 engineering FTE operate 3 × 1.5 ÷ 0.1883 = 23.9.
    assert_eq!(b.delivery.engineering_fte, 1.5);
    assert!((b.delivery.needed_fte - (1.0 / 22.0 + 2.0 / 14.0)).abs() < 1e-9);
    assert!((b.delivery.capacity - 4.5 / (1.0 / 22.0 + 2.0 / 14.0)).abs() < 1e-9);
}

/// Bo, an employee, as Designer L3 full time from 2026, on grant G-1.
async fn bo_as_designer_l3(
    store: &bearing_store::Store,
) -> (bearing_store::PersonRecord, bearing_store::AssignmentRecord) {
    let bo = people::add_person(store, &ctx(), person("Bo", PersonKind::Employee))
        .await
        .unwrap();
    let mut design = assignment(3, 1.0, date(2026, 1, 1), None, &[("G-1", 1.0)]);
    design.role = "Designer".into();
    let design = people::assign(store, &ctx(), bo.id, design).await.unwrap();
    (bo, design)
}

async fn roles_that_share_a_ladder_are_paid_by_its_bands(db: &TestDb) {
    let store = db.store().await;
    roles::add(&store, &ctx(), "Engineer", None).await.unwrap();
    let designer = roles::add(&store, &ctx(), "Designer", None).await.unwrap();
    // Bands only for a ladder some role is paid by.
    let stray = people::set_bands(
        &store,
        &ctx(),
        &[Band {
            ladder: "Technical".into(),
            ..band(1, 90_000)
        }],
    )
    .await
    .unwrap_err();
    assert!(
        stray
            .to_string()
            .starts_with("ladder: \"Technical\" is neither a role nor the ladder of one"),
        "{stray}"
    );
    // Engineer's own ladder has L1 and L3 at step 1.
    people::set_bands(&store, &ctx(), &[band(1, 96_000), band(3, 120_000)])
        .await
        .unwrap();
    let ada = people::add_person(&store, &ctx(), person("Ada", PersonKind::Employee))
        .await
        .unwrap();
    let off = people::assign(
        &store,
        &ctx(),
        ada.id,
        assignment(2, 1.0, date(2026, 1, 1), None, &[("G-1", 1.0)]),
    )
    .await
    .unwrap_err();
    assert_eq!(
        off.to_string(),
        "level: the ladder \"Engineer\" has no L2: its levels are L1, L3"
    );

    // Designers are paid on the engineers' ladder: 120,000 at L3 is 12,500 a month burdened.
    let mut change = roles::RoleChange::of(&designer, &[]);
    change.ladder = Some("Engineer".into());
    change.key_goal = Some("  Make hubs a pleasure to use. ".into());
    change.notes = vec!["Experimental; revisit by 2027-03.".into()];
    let designer = roles::edit(&store, &ctx(), designer.id, change.clone())
        .await
        .unwrap();
    assert_eq!(designer.ladder(), "Engineer");
    assert_eq!(
        designer.text.key_goal.as_deref(),
        Some("Make hubs a pleasure to use.")
    );
    assert_eq!(designer.text.revisit, Some(month("2027-03")));
    let version = store.data_version().await.unwrap();
    roles::edit(&store, &ctx(), designer.id, change)
        .await
        .unwrap();
    assert_eq!(
        store.data_version().await.unwrap(),
        version,
        "no change, no write"
    );
    let (_, design) = bo_as_designer_l3(&store).await;
    assert_eq!(design.ladder, "Engineer");
    let lines = people::team_cost(&store, &ctx(), &[month("2026-02")], &CostRates::default())
        .await
        .unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].role, "Designer");
    assert!((lines[0].cost - 12_500.0).abs() < 1e-6, "{lines:?}");

    // A ladder named after a role that shares another's is that other ladder.
    let writer = roles::add(&store, &ctx(), "Writer", None).await.unwrap();
    let mut on_designer = roles::RoleChange::of(&writer, &[]);
    on_designer.ladder = Some("Designer".into());
    let writer = roles::edit(&store, &ctx(), writer.id, on_designer)
        .await
        .unwrap();
    assert_eq!(writer.ladder(), "Engineer");
    // A role whose employee holds it cannot move to a ladder without bands.
    let mut technical = roles::RoleChange::of(&designer, &[]);
    technical.ladder = Some("Technical".into());
    let empty = roles::edit(&store, &ctx(), designer.id, technical)
        .await
        .unwrap_err();
    assert_eq!(
        empty.to_string(),
        "ladder: Bo holds Designer L3 step 1 from 2026-01-01, and the ladder \"Technical\" has no bands yet: generate them first"
    );
    // Someone assigned before their role's ladder had bands keeps the first bands honest.
    let mut editor = assignment(5, 1.0, date(2026, 1, 1), None, &[("G-1", 1.0)]);
    editor.role = "Editor".into();
    roles::add(&store, &ctx(), "Editor", None).await.unwrap();
    let cy = people::add_person(&store, &ctx(), person("Cy", PersonKind::Employee))
        .await
        .unwrap();
    people::assign(&store, &ctx(), cy.id, editor).await.unwrap();
    let lacking = people::set_bands(
        &store,
        &ctx(),
        &[Band {
            ladder: "Editor".into(),
            ..band(1, 70_000)
        }],
    )
    .await
    .unwrap_err();
    assert_eq!(
        lacking.to_string(),
        "bands: Cy holds Editor L5 step 1 from 2026-01-01, and with these bands the ladder \"Editor\" has no L5: its levels are L1"
    );

    // Back on a ladder of its own, whose bands lack L3: refused while Bo holds Designer L3.
    people::set_bands(
        &store,
        &ctx(),
        &[Band {
            ladder: "Designer".into(),
            ..band(1, 80_000)
        }],
    )
    .await
    .unwrap();
    let mut own = roles::RoleChange::of(&designer, &[]);
    own.ladder = None;
    let refused = roles::edit(&store, &ctx(), designer.id, own)
        .await
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "ladder: Bo holds Designer L3 step 1 from 2026-01-01, and the ladder \"Designer\" has no L3: its levels are L1"
    );
}

/// A rename, an email another person has, a kind an assignment forbids, and an assignment
/// edited off its ladder or to what it is, on a team where Bo holds Designer L3 on the
/// engineers' ladder (L1 and L3 at step 1).
async fn edits_of_people_and_assignments_are_checked_against_the_team(db: &TestDb) {
    let store = db.store().await;
    roles::add(&store, &ctx(), "Engineer", None).await.unwrap();
    let designer = roles::add(&store, &ctx(), "Designer", None).await.unwrap();
    people::set_bands(&store, &ctx(), &[band(1, 96_000), band(3, 120_000)])
        .await
        .unwrap();
    let mut on_engineer = roles::RoleChange::of(&designer, &[]);
    on_engineer.ladder = Some("Engineer".into());
    roles::edit(&store, &ctx(), designer.id, on_engineer)
        .await
        .unwrap();
    people::add_person(&store, &ctx(), person("Ada", PersonKind::Employee))
        .await
        .unwrap();
    let (bo, design) = bo_as_designer_l3(&store).await;
    let renamed = people::edit_person(
        &store,
        &ctx(),
        bo.id,
        PersonPatch::replace(PersonFields {
            github: Some("bo-designs".into()),
            ..person("Bo Lind", PersonKind::Employee)
        }),
    )
    .await
    .unwrap();
    assert_eq!(renamed.fields.name, "Bo Lind");
    let version = store.data_version().await.unwrap();
    let taken = people::edit_person(
        &store,
        &ctx(),
        bo.id,
        PersonPatch::replace(PersonFields {
            email: Some("ADA@example.org".into()),
            ..renamed.fields.clone()
        }),
    )
    .await
    .unwrap_err();
    assert_eq!(
        taken.to_string(),
        "Ada already has the email \"ADA@example.org\""
    );
    let contractor = people::edit_person(
        &store,
        &ctx(),
        bo.id,
        PersonPatch::replace(PersonFields {
            kind: PersonKind::Contractor,
            ..renamed.fields.clone()
        }),
    )
    .await
    .unwrap_err();
    assert_eq!(
        contractor.to_string(),
        "kind: Bo Lind cannot become a contractor: the assignment as Designer L3 from 2026-01-01: a contractor needs a monthly payment"
    );
    // An assignment edited to a step off the ladder, or to what it is, writes nothing.
    let off = people::edit_assignment(
        &store,
        &ctx(),
        design.id,
        AssignmentPatch {
            step: Some(2),
            ..AssignmentPatch::default()
        },
    )
    .await
    .unwrap_err();
    assert!(off.to_string().contains("has no step 2 at L3"), "{off}");
    people::edit_assignment(&store, &ctx(), design.id, AssignmentPatch::default())
        .await
        .unwrap();
    assert_eq!(
        store.data_version().await.unwrap(),
        version,
        "nothing was written"
    );
    let half = people::edit_assignment(
        &store,
        &ctx(),
        design.id,
        AssignmentPatch {
            fte: Some(0.5),
            ..AssignmentPatch::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(half.fields.fte, 0.5);
    let history = store
        .list_audit(EntityKind::Assignment, &design.id.to_string())
        .await
        .unwrap();
    assert_eq!(history.len(), 2, "created, then half time");
}

async fn people_and_assignments_entered_by_mistake_are_deleted_and_restored(db: &TestDb) {
    let store = db.store().await;
    roles::add(&store, &ctx(), "Engineer", None).await.unwrap();
    people::set_bands(&store, &ctx(), &[band(1, 96_000)])
        .await
        .unwrap();
    let ada = people::add_person(&store, &ctx(), person("Ada", PersonKind::Employee))
        .await
        .unwrap();
    let held = people::assign(
        &store,
        &ctx(),
        ada.id,
        assignment(1, 1.0, date(2026, 1, 1), None, &[("G-1", 1.0)]),
    )
    .await
    .unwrap();
    let cost = |lines: Vec<people::CostLine>| lines.iter().map(|l| l.cost).sum::<f64>();
    let (months, rates) = ([month("2026-02")], CostRates::default());
    let operator = ctx();
    let february = || people::team_cost(&store, &operator, &months, &rates);
    // 96,000 ÷ 12 × 1.25.
    assert!((cost(february().await.unwrap()) - 10_000.0).abs() < 1e-6);

    let refused = people::delete_person(&store, &ctx(), ada.id)
        .await
        .unwrap_err();
    assert!(matches!(refused, AppError::Conflict(_)), "{refused:?}");
    assert!(
        refused
            .to_string()
            .contains(&format!("holds assignments {} (Engineer L1)", held.id)),
        "{refused}"
    );
    people::delete_assignment(&store, &ctx(), held.id)
        .await
        .unwrap();
    assert!(
        february().await.unwrap().is_empty(),
        "a deleted assignment costs nothing"
    );
    let twice = people::delete_assignment(&store, &ctx(), held.id)
        .await
        .unwrap_err();
    assert!(twice.to_string().contains("already deleted"), "{twice}");
    people::delete_person(&store, &ctx(), ada.id).await.unwrap();
    assert!(store.list_people().await.unwrap().is_empty());
    let orphan = people::restore_assignment(&store, &ctx(), held.id)
        .await
        .unwrap_err();
    assert!(
        orphan.to_string().contains("restore them first"),
        "{orphan}"
    );

    // The name is free again; restoring Ada waits until it is hers alone.
    let other = people::add_person(&store, &ctx(), person("Ada", PersonKind::Employee))
        .await
        .unwrap();
    let taken = people::restore_person(&store, &ctx(), ada.id)
        .await
        .unwrap_err();
    assert!(matches!(taken, AppError::Conflict(_)), "{taken:?}");
    people::edit_person(
        &store,
        &ctx(),
        other.id,
        PersonPatch::replace(PersonFields {
            email: None,
            ..person("Ada Two", PersonKind::Employee)
        }),
    )
    .await
    .unwrap();
    people::restore_person(&store, &ctx(), ada.id)
        .await
        .unwrap();
    people::restore_assignment(&store, &ctx(), held.id)
        .await
        .unwrap();
    assert!((cost(february().await.unwrap()) - 10_000.0).abs() < 1e-6);
    let history = store
        .list_audit(EntityKind::Person, &ada.id.to_string())
        .await
        .unwrap();
    assert_eq!(history.len(), 3, "added, deleted, restored");
}

async fn bands_past_the_largest_salary_are_refused_and_a_raise_cannot_overflow(db: &TestDb) {
    let store = db.store().await;
    roles::add(&store, &ctx(), "Engineer", None).await.unwrap();
    let band = |annual_base: i64| Band {
        ladder: "Engineer".into(),
        level: 1,
        step: 1,
        annual_base,
        effective_from: date(2026, 1, 1),
        note: None,
    };
    let huge = people::set_generated_bands(&store, &ctx(), &[band(i64::MAX / 2)]).await;
    assert!(
        matches!(&huge, Err(AppError::Invalid { message, .. }) if message.contains("pay is from 0 to 100000000.00 a year")),
        "{huge:?}"
    );
    people::set_generated_bands(&store, &ctx(), &[band(people::MAX_ANNUAL_BASE)])
        .await
        .unwrap();
    let version = store.data_version().await.unwrap();
    let raised = people::cost_of_living(&store, &ctx(), 50.0, date(2026, 7, 1)).await;
    assert!(
        matches!(&raised, Err(AppError::Invalid { field, .. }) if field == "band"),
        "{raised:?}"
    );
    assert_eq!(
        store.data_version().await.unwrap(),
        version,
        "nothing written"
    );
}
