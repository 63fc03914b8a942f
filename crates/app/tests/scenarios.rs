//! Scenarios and "can we hire?", worked by hand on a case with no uncertain deal, so every
//! Monte Carlo run is the same.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use bearing_app::scenarios::{self, HireInput};
use bearing_app::{AppError, Context, assumptions, deals};
use bearing_core::deal::DealFields;
use bearing_core::people::Band;
use bearing_core::scenario::Change;
use bearing_core::{Actor, Month, Source};
use bearing_store::Store;
use bearing_store::testing::TestDb;

bearing_store::on_both_backends!(
    a_hire_is_weighed_and_answered_without_touching_a_record,
    scenarios_are_saved_named_and_deleted,
);

fn finance() -> Context {
    Context::new(Actor::parse("fin@example.org").unwrap(), Source::Cli)
        .at("2026-11-15T10:00:00Z".parse().unwrap())
}

fn today() -> bearing_core::Date {
    jiff::civil::date(2026, 11, 15)
}

fn month(text: &str) -> Month {
    Month::parse(text).unwrap()
}

/// Books closed through October 2026 with $200,000 of cash and $20,000 of costs a month, no
/// fee; one won deal of $10,000 a month for 24 months from November. A Platform Engineer at
/// level 2 step 1 earns $96,000: $10,000 a month with benefits.
async fn plant(store: &Store) -> i64 {
    let ctx = finance();
    let set = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    assumptions::set(
        store,
        &ctx,
        &[
            set("books-closed", "2026-10"),
            set("net-assets", "200000"),
            set("monthly-costs", "20000"),
            set("fsp-fee", "0"),
            set("mc-runs", "300"),
        ],
        today(),
    )
    .await
    .unwrap();
    bearing_app::roles::add(store, &ctx, "Platform Engineer", None)
        .await
        .unwrap();
    bearing_app::people::set_generated_bands(
        store,
        &ctx,
        &[Band {
            ladder: "Platform Engineer".into(),
            level: 2,
            step: 1,
            annual_base: 9_600_000,
            effective_from: jiff::civil::date(2020, 1, 1),
            note: None,
        }],
    )
    .await
    .unwrap();
    let mut deal = DealFields::new("Harbour University", "Membership Sales", "Closed Won");
    deal.amount_minor = Some(24_000_000);
    deal.contract_start = Some(jiff::civil::date(2026, 11, 1));
    deal.contract_end = Some(jiff::civil::date(2028, 10, 31));
    deal.close_date = Some(jiff::civil::date(2026, 10, 20));
    deals::create(store, &ctx, deal).await.unwrap().id.get()
}

fn engineer(start: &str) -> HireInput {
    HireInput {
        role: "Platform Engineer".into(),
        level: 2,
        step: 1,
        fte: 1.0,
        start: month(start),
        end: None,
        funding: Vec::new(),
        payment: None,
    }
}

async fn a_hire_is_weighed_and_answered_without_touching_a_record(db: &TestDb) {
    let store = db.store().await;
    let deal = plant(&store).await;
    let ctx = finance();
    let version = store.data_version().await.unwrap();

    // Without the hire cash falls $10,000 a month: $200,000 lasts 20 months. With it from
    // January (month 2), $20,000 a month from there: 180,000 − 20,000 × 10 < 0 in month 11.
    let answer = scenarios::hire(&store, &ctx, engineer("2027-01"), today())
        .await
        .unwrap();
    assert_eq!(answer.monthly_cost, 10_000.0);
    assert_eq!(
        (answer.answer.with_hire, answer.answer.without_hire),
        (0.0, 1.0)
    );
    assert!(!answer.answer.affordable);
    // A later start never meets it: from month s the lowest point, s + 11, holds
    // 200,000 − 10,000 s − 240,000 < 0.
    assert_eq!(answer.earliest_start, None);
    // With x more a month, month 13 holds 14x − 60,000: x ≥ 4,285.71, $4,300.
    assert_eq!(answer.answer.revenue_needed, Some(4_300.0));
    assert!(
        answer
            .text()
            .contains("$4,300/month more committed revenue"),
        "{}",
        answer.text()
    );

    let hire = engineer("2027-01").change();
    let e = scenarios::evaluate(&store, &ctx, std::slice::from_ref(&hire), today())
        .await
        .unwrap();
    assert_eq!(e.baseline.runway.p50, 20.0);
    assert_eq!(e.scenario.runway.p50, 11.0);
    assert_eq!(
        (e.baseline.runway.solvent_12, e.scenario.runway.solvent_12),
        (1.0, 0.0)
    );
    assert_eq!(e.baseline.team_cost, 0.0);
    // Ten of the first twelve months at $10,000.
    assert!((e.scenario.team_cost - 100_000.0 / 12.0).abs() < 1e-9);
    assert_eq!(e.scenario.costs[..3], [20_000.0, 20_000.0, 30_000.0]);
    assert_eq!(e.baseline.committed[..2], [10_000.0, 10_000.0]);

    // Losing the deal takes its revenue out of the scenario, not out of the records.
    let lose = Change::parse(&format!("lose deal={deal}")).unwrap();
    let cost = Change::parse("cost monthly=-5000; from=2026-11").unwrap();
    let e = scenarios::evaluate(&store, &ctx, &[lose, cost], today())
        .await
        .unwrap();
    assert_eq!(e.scenario.committed[0], 0.0);
    assert_eq!(e.scenario.costs[0], 15_000.0);
    // −15,000 a month: 200,000 lasts 13 months.
    assert_eq!(e.scenario.runway.p50, 13.0);
    assert_eq!(
        store.data_version().await.unwrap(),
        version,
        "weighing scenarios changes nothing"
    );
    let missing = scenarios::evaluate(
        &store,
        &ctx,
        &[Change::parse("win deal=999").unwrap()],
        today(),
    )
    .await;
    assert!(
        matches!(&missing, Err(AppError::Invalid { message, .. }) if message.contains("no deal 999")),
        "{missing:?}"
    );
    let unknown = scenarios::hire(
        &store,
        &ctx,
        HireInput {
            role: "Astronaut".into(),
            ..engineer("2027-01")
        },
        today(),
    )
    .await;
    assert!(
        matches!(&unknown, Err(AppError::Invalid { message, .. }) if message.contains("no role \"Astronaut\"")),
        "{unknown:?}"
    );
    let early = scenarios::hire(&store, &ctx, engineer("2026-06"), today()).await;
    assert!(
        matches!(&early, Err(AppError::Invalid { field, .. }) if field == "start"),
        "{early:?}"
    );

    // With $500,000 of cash the same hire is affordable.
    let set = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    assumptions::set(&store, &ctx, &[set("net-assets", "500000")], today())
        .await
        .unwrap();
    let yes = scenarios::hire(&store, &ctx, engineer("2027-01"), today())
        .await
        .unwrap();
    assert!(yes.answer.affordable);
    assert_eq!(
        (yes.answer.earliest_start, yes.answer.revenue_needed),
        (None, None)
    );
    assert!(yes.text().contains("Yes"), "{}", yes.text());
}

async fn scenarios_are_saved_named_and_deleted(db: &TestDb) {
    let store = db.store().await;
    plant(&store).await;
    let ctx = finance();
    let saved = scenarios::add(
        &store,
        &ctx,
        "Engineer in January",
        Some("The next hire"),
        vec![engineer("2027-01").change()],
    )
    .await
    .unwrap();
    assert_eq!(
        scenarios::get(&store, &ctx, "engineer in january")
            .await
            .unwrap()
            .changes,
        [engineer("2027-01").change()]
    );
    let twice = scenarios::add(
        &store,
        &ctx,
        "Engineer in January",
        None,
        vec![engineer("2027-02").change()],
    )
    .await;
    assert!(matches!(twice, Err(AppError::Conflict(_))), "{twice:?}");
    let empty = scenarios::add(&store, &ctx, "Nothing", None, Vec::new()).await;
    assert!(matches!(empty, Err(AppError::Invalid { .. })), "{empty:?}");
    scenarios::delete(&store, &ctx, &saved.id.to_string())
        .await
        .unwrap();
    assert!(scenarios::list(&store, &ctx).await.unwrap().is_empty());
    let history = bearing_app::history::of(
        &store,
        &ctx,
        bearing_core::EntityKind::Scenario,
        &saved.id.to_string(),
    )
    .await
    .unwrap();
    assert_eq!(history.len(), 2);
}
