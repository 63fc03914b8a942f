//! Application services on both backends: each change and its audit row commit together.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use bearing_app::{AppError, Context, demo, history, organizations};
use bearing_core::demo::DemoSpec;
use bearing_core::organization::{OrganizationFields, OrganizationKind, OrganizationName};
use bearing_core::{Action, Actor, EntityKind, Source};
use bearing_store::testing::TestDb;

bearing_store::on_both_backends!(
    a_change_and_its_audit_row_are_written_together,
    edits_record_before_and_after_and_no_op_edits_record_nothing,
    deletes_are_soft_and_restorable,
    a_refused_change_writes_no_audit_row,
    the_demo_fills_an_empty_database_once_with_an_audit_row_per_record,
    a_change_is_recorded_at_the_time_of_its_context,
    the_demos_roles_read_like_an_organisations_role_pages,
    the_demos_books_close_a_year_that_ends_at_the_assumed_net_assets,
);

async fn a_change_is_recorded_at_the_time_of_its_context(db: &TestDb) {
    let store = db.store().await;
    let at = jiff::Timestamp::from_second(1_790_000_000).unwrap();
    let created = organizations::create(&store, &ctx(Source::Cli).at(at), fields("dated"))
        .await
        .unwrap();
    let log = history::of(
        &store,
        &ctx(Source::Cli),
        EntityKind::Organization,
        &created.id.to_string(),
    )
    .await
    .unwrap();
    assert_eq!(log[0].at, at);
    assert_eq!(created.created_at, at);
}

fn ctx(source: Source) -> Context {
    Context::new(Actor::parse("ada@example.org").unwrap(), source)
}

fn fields(name: &str) -> OrganizationFields {
    OrganizationFields {
        name: OrganizationName::parse(name).unwrap(),
        long_name: None,
        kind: OrganizationKind::Community,
        website: None,
        github_org: None,
        notes: None,
        tags: Vec::new(),
    }
}

async fn a_change_and_its_audit_row_are_written_together(db: &TestDb) {
    let store = db.store().await;
    let created = organizations::create(&store, &ctx(Source::Web), fields("bids"))
        .await
        .unwrap();
    let log = history::of(
        &store,
        &ctx(Source::Cli),
        EntityKind::Organization,
        &created.id.to_string(),
    )
    .await
    .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].action, log[0].source),
        (Action::Create, Source::Web)
    );
    assert_eq!(log[0].actor, "ada@example.org");
    assert_eq!(log[0].before, None);
    assert_eq!(
        log[0].after.as_ref().and_then(|a| a["name"].as_str()),
        Some("bids")
    );
}

async fn edits_record_before_and_after_and_no_op_edits_record_nothing(db: &TestDb) {
    let store = db.store().await;
    let created = organizations::create(&store, &ctx(Source::Cli), fields("bids"))
        .await
        .unwrap();
    let mut changed = fields("bids");
    changed.kind = OrganizationKind::Funder;
    organizations::update(&store, &ctx(Source::Api), created.id, changed.clone())
        .await
        .unwrap();
    organizations::update(&store, &ctx(Source::Api), created.id, changed)
        .await
        .unwrap();
    let log = history::of(
        &store,
        &ctx(Source::Cli),
        EntityKind::Organization,
        &created.id.to_string(),
    )
    .await
    .unwrap();
    assert_eq!(log.len(), 2, "the second, unchanged edit records nothing");
    assert_eq!(log[1].action, Action::Update);
    assert_eq!(
        log[1].before.as_ref().map(|b| b["kind"].clone()),
        Some("community".into())
    );
    assert_eq!(
        log[1].after.as_ref().map(|a| a["kind"].clone()),
        Some("funder".into())
    );
}

async fn deletes_are_soft_and_restorable(db: &TestDb) {
    let store = db.store().await;
    let c = ctx(Source::Cli);
    let created = organizations::create(&store, &c, fields("bids"))
        .await
        .unwrap();
    organizations::delete(&store, &c, created.id).await.unwrap();
    assert!(store.list_organizations(false).await.unwrap().is_empty());
    let again = organizations::delete(&store, &c, created.id)
        .await
        .unwrap_err();
    assert!(matches!(again, AppError::Conflict(_)), "{again:?}");
    let edit = organizations::update(&store, &c, created.id, fields("bids2"))
        .await
        .unwrap_err();
    assert!(
        edit.to_string().contains("restore it before editing"),
        "{edit}"
    );
    organizations::restore(&store, &c, created.id)
        .await
        .unwrap();
    assert_eq!(store.list_organizations(false).await.unwrap().len(), 1);
    let actions: Vec<Action> = history::of(
        &store,
        &ctx(Source::Cli),
        EntityKind::Organization,
        &created.id.to_string(),
    )
    .await
    .unwrap()
    .iter()
    .map(|r| r.action)
    .collect();
    assert_eq!(actions, [Action::Create, Action::Delete, Action::Restore]);
}

async fn a_refused_change_writes_no_audit_row(db: &TestDb) {
    let store = db.store().await;
    organizations::create(&store, &ctx(Source::Cli), fields("bids"))
        .await
        .unwrap();
    let err = organizations::create(&store, &ctx(Source::Cli), fields("bids"))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
    assert_eq!(store.count_audit().await.unwrap(), 1);
    let missing = history::of(&store, &ctx(Source::Cli), EntityKind::Deal, "77")
        .await
        .unwrap_err();
    assert_eq!(missing.to_string(), "no history for deal 77");
}

async fn the_demo_fills_an_empty_database_once_with_an_audit_row_per_record(db: &TestDb) {
    let store = db.store().await;
    let data = bearing_core::demo::generate(DemoSpec {
        seed: 1,
        as_of: jiff::civil::date(2026, 11, 24),
        deals: None,
    });
    let summary = demo::load(&store, &ctx(Source::Cli), &data).await.unwrap();
    assert_eq!(summary.deals, data.deals.len());
    assert_eq!(
        store.count_deals().await.unwrap() as usize,
        data.deals.len()
    );
    assert_eq!(
        store.list_organizations(false).await.unwrap().len(),
        data.organizations.len()
    );
    assert_eq!(
        store.count_audit().await.unwrap() as usize,
        data.deals.len()
            + data.organizations.len()
            + data.contacts.len()
            + data.campaigns.len()
            + data.clusters.len()
            + data.clusters.iter().map(|c| c.hubs.len()).sum::<usize>()
            // The role pages: five roles created from the job-titles page and the page
            // itself; three areas created from the first area's page, the other two areas'
            // pages written onto theirs, and the five roles placed in their areas by the
            // pages' tables of current roles.
            + (5 + 1)
            + (3 + 2 + 5)
            + data.team.bands.len()
            + data.team.people.len()
            + data.team.people.iter().map(|(_, a)| a.len()).sum::<usize>()
            + 1,
        "one audit row per record and one for the assumptions"
    );
    let (_, assumptions) =
        bearing_app::assumptions::current(&store, jiff::civil::date(2026, 11, 24))
            .await
            .unwrap();
    assert_eq!(assumptions, data.assumptions);
    assert_eq!(
        assumptions.books_closed.map(|m| m.to_string()),
        Some("2026-10".to_owned())
    );
    assert_eq!(
        store.list_contacts(false).await.unwrap().len(),
        data.contacts.len()
    );
    assert!(!data.clusters.is_empty());
    assert_eq!(
        store.list_samples().await.unwrap().len(),
        data.clusters.len() * (104 + 2 * 14),
        "two years weekly, and two hubs daily for two weeks"
    );
    // The demo team is paid by bands that exist, every month of its three years.
    let months: Vec<bearing_core::Month> = (-36..=0)
        .filter_map(|i| bearing_core::Month::parse("2026-11").unwrap().plus(i))
        .collect();
    let cost =
        bearing_app::people::team_cost(&store, &ctx(Source::Cli), &months, &Default::default())
            .await
            .unwrap();
    let november: f64 = cost
        .iter()
        .filter(|l| l.month.to_string() == "2026-11")
        .map(|l| l.cost)
        .sum();
    assert!(november > 50_000.0, "the team costs {november} a month");
    let history = store.list_deal_history(None, None, None).await.unwrap();
    assert_eq!(
        history.len(),
        data.deals.iter().map(|d| d.history.len()).sum::<usize>()
    );
    assert!(
        history
            .iter()
            .any(|h| h.at < "2025-01-01T00:00:00Z".parse::<jiff::Timestamp>().unwrap()),
        "the demo's stage history reaches into the past"
    );
    let renewals = store.list_deals(false).await.unwrap();
    assert!(renewals.iter().any(|d| d.row.renews_deal_id.is_some()));
    let err = demo::load(&store, &ctx(Source::Cli), &data)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("only fills an empty database"),
        "{err}"
    );
}

async fn the_demos_roles_read_like_an_organisations_role_pages(db: &TestDb) {
    let store = db.store().await;
    let data = bearing_core::demo::generate(DemoSpec {
        seed: 1,
        as_of: jiff::civil::date(2026, 11, 24),
        deals: Some(10),
    });
    demo::load(&store, &ctx(Source::Cli), &data).await.unwrap();
    let areas = store.list_areas().await.unwrap();
    let area_names: Vec<&str> = areas.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        area_names,
        ["Executive Director", "Engineering", "Partnerships"]
    );
    for area in &areas {
        assert!(area.description.is_some(), "{}", area.name);
        assert!(area.page.is_some(), "the {} area has its page", area.name);
    }
    let roles = store.list_roles().await.unwrap();
    assert_eq!(roles.len(), 5);
    for role in &roles {
        let text = &role.text;
        assert!(role.area_id.is_some(), "{} is in an area", text.name);
        assert!(!text.description.is_empty(), "{} is described", text.name);
        assert!(text.key_goal.is_some(), "{} has its key goal", text.name);
        assert!(
            text.responsibilities
                .as_deref()
                .is_some_and(|r| r.contains("- **")),
            "{} has its responsibilities",
            text.name
        );
        assert!(
            text.measures().len() >= 3,
            "{} has its performance measures: {:?}",
            text.name,
            text.measures()
        );
        assert!(
            text.extra
                .iter()
                .any(|s| s.title == "Levels" && s.body.contains("- **L")),
            "{} says what each level asks",
            text.name
        );
    }
    // Published again, the job-titles page reads in unchanged: the demo's pages are in the
    // shape a real import keeps.
    let published = bearing_app::roles::publish(&store, jiff::civil::date(2026, 11, 24))
        .await
        .unwrap();
    let (_, titles) = published
        .iter()
        .find(|(name, _)| name == "job-titles.md")
        .expect("the job-titles page is published");
    assert_eq!(
        *titles,
        demo::ROLE_PAGES[0].1,
        "the page publishes as written"
    );
    let plan = bearing_app::roles::import(
        &store,
        &ctx(Source::Cli),
        "job-titles.md",
        titles,
        None,
        true,
    )
    .await
    .unwrap();
    assert!(
        plan.new_roles.is_empty() && plan.changed_roles.is_empty(),
        "{}",
        plan.summary()
    );
}

async fn the_demos_books_close_a_year_that_ends_at_the_assumed_net_assets(db: &TestDb) {
    let store = db.store().await;
    let as_of = jiff::civil::date(2026, 11, 24);
    let data = bearing_core::demo::generate(DemoSpec {
        seed: 1,
        as_of,
        deals: Some(60),
    });
    let ctx = ctx(Source::Cli);
    demo::load(&store, &ctx, &data).await.unwrap();
    let books = demo::load_books(&store, &ctx, as_of).await.unwrap();
    assert_eq!((books.months, books.closes, books.scenarios), (36, 12, 2));
    // The invoices' payments add up to what the CRM says each deal collected: no deal is
    // flagged for a difference, and one invoice was voided and replaced.
    assert!(books.invoices > 20 && books.payments > 10, "{books:?}");
    let flags = bearing_app::reports::build(&store, "flags", as_of)
        .await
        .unwrap();
    let bearing_app::reports::Rows::Flags(flagged) = &flags.rows else {
        panic!("{:?}", flags.rows)
    };
    assert!(
        !flagged
            .iter()
            .any(|f| f.codes.contains(&"collected-mismatch")),
        "{flagged:?}"
    );
    let voided = bearing_app::invoices::list(
        &store,
        &ctx,
        &bearing_app::invoices::Filter {
            status: Some(bearing_core::invoice::Status::Void),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(voided.len(), 1);
    assert_eq!(
        voided[0].balance_minor, 0,
        "a void invoice is owed by no one"
    );
    // The sponsor's invoice ledger holds every invoice but the newest, and one Bearing lacks;
    // the reconciliation finds each discrepancy planted in it, and nothing else.
    assert_eq!(books.ledger_invoices, books.invoices);
    let reconciled = bearing_app::ledger::reconciliation(&store, &ctx)
        .await
        .unwrap();
    let found: Vec<bearing_core::ledger::Finding> =
        reconciled.discrepancies.iter().map(|d| d.finding).collect();
    {
        use bearing_core::ledger::Finding::*;
        assert_eq!(
            found,
            [MissingFromLedger, Unplaced, Total, Paid, Status],
            "{:?}",
            reconciled.discrepancies
        );
    }
    assert_eq!(books.discrepancies, 5);
    // Six months of cloud bills: dedicated clusters and the shared one, split 50 : 30 : 20;
    // one overrun to decide on; every month recovered but the last, which the billing run
    // proposes; one partner's credits.
    assert!(books.cloud_lines > 0, "{books:?}");
    let cloud = bearing_app::cloud::view(&store, &ctx).await.unwrap();
    assert_eq!(cloud.months().len(), 6);
    let overruns: Vec<(String, String)> = cloud
        .overruns()
        .map(|a| (a.account.clone(), a.month.to_string()))
        .collect();
    assert_eq!(overruns, [("100000".to_owned(), "2026-10".to_owned())]);
    assert!(
        cloud.unmapped.is_empty() && cloud.problems.is_empty(),
        "{cloud:?}"
    );
    let gaps: std::collections::BTreeSet<String> =
        cloud.gaps().map(|r| r.month.to_string()).collect();
    assert_eq!(gaps, ["2026-10".to_owned()].into());
    let shared: Vec<i64> = cloud
        .allocations
        .iter()
        .filter(|a| a.cluster == "commons" && a.recoverable && a.month.to_string() == "2026-10")
        .map(|a| a.amount_minor)
        .collect();
    assert_eq!(shared.len(), 3);
    assert_eq!(
        (shared[0] * 3, shared[1] * 5),
        (shared[1] * 5, shared[2] * 15 / 2)
    );
    assert_eq!(cloud.credits.len(), 1);
    let run =
        bearing_app::billing::run(&store, &ctx, bearing_core::Month::parse("2026-10").unwrap())
            .await
            .unwrap();
    let cloud_proposed = run
        .proposals
        .iter()
        .filter(|p| p.kind == bearing_core::invoice::Kind::Cloud)
        .count();
    assert_eq!(cloud_proposed, cloud.gaps().count());
    let months = bearing_app::books::months(&store).await.unwrap();
    assert_eq!(months.len(), 36, "three years of ledger");
    assert_eq!(
        months.keys().last().map(ToString::to_string),
        Some("2026-10".to_owned()),
        "the ledger runs to the month before today"
    );
    for (month, actuals) in &months {
        let paid = actuals
            .by_category
            .get(&bearing_core::actuals::Category::Personnel)
            .copied()
            .unwrap_or(0);
        assert!(paid > 0, "{month} paid its people");
    }
    for (month, actuals) in months.iter().rev().take(12) {
        assert!(actuals.revenue() > 0, "{month} earned");
    }
    let closes = bearing_app::books::closes(&store, &ctx).await.unwrap();
    let closed: Vec<String> = closes.iter().map(|c| c.month.to_string()).collect();
    assert_eq!(closed.len(), 12);
    assert!(closed.contains(&"2025-11".to_owned()) && closed.contains(&"2026-10".to_owned()));
    // Each close carries the net assets on: the latest is where the assumptions were.
    let latest = closes.iter().max_by_key(|c| c.month).unwrap();
    assert_eq!(
        latest.net_assets_minor,
        (data.assumptions.net_assets * 100.0).round() as i64
    );
    let (_, now) = bearing_app::assumptions::current(&store, as_of)
        .await
        .unwrap();
    assert_eq!(
        now.books_closed.map(|m| m.to_string()),
        Some("2026-10".to_owned())
    );
    assert_eq!(now.net_assets, data.assumptions.net_assets);
    // Every close but the first froze a forecast that reaches a later closed month, so the
    // accuracy has months to stand on.
    let (rows, accuracy) = bearing_app::books::forecast_against_actuals(&store)
        .await
        .unwrap();
    assert_eq!(rows.len(), 12);
    assert!(rows.iter().skip(1).all(|r| !r.projected.is_empty()));
    assert!(accuracy.errors.iter().any(|(_, mape, _)| mape.is_some()));
    let scenarios = bearing_app::scenarios::list(&store, &ctx).await.unwrap();
    assert_eq!(scenarios.len(), 2);
}
