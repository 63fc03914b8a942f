//! Snapshots: reused while the data version stays the same, read afresh after any change,
//! whoever makes it, on both backends.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use std::sync::Arc;

use bearing_app::snapshot::Snapshots;
use bearing_app::{Context, assumptions, deals, usage};
use bearing_core::deal::DealFields;
use bearing_core::demo::{DemoSpec, generate};
use bearing_core::{Actor, Source};
use bearing_store::testing::TestDb;

bearing_store::on_both_backends!(a_snapshot_is_reused_until_the_data_change,);

fn ctx() -> Context {
    Context::new(Actor::parse("ada@example.org").unwrap(), Source::Cli)
}

async fn a_snapshot_is_reused_until_the_data_change(db: &TestDb) {
    let store = db.store().await;
    let today = jiff::civil::date(2026, 11, 24);
    let data = generate(DemoSpec {
        seed: 3,
        as_of: today,
        deals: Some(30),
    });
    bearing_app::demo::load(&store, &ctx(), &data)
        .await
        .unwrap();
    let snapshots = Snapshots::new();

    let first = snapshots.now(&store).await.unwrap();
    assert_eq!(first.deals().await.unwrap().len(), 30);
    let flags = first
        .reports(&["flags"], today, bearing_app::sight::Sight::ALL)
        .await
        .unwrap();
    let again = snapshots.now(&store).await.unwrap();
    assert!(Arc::ptr_eq(&first, &again), "nothing changed");
    assert!(Arc::ptr_eq(
        &flags[0],
        &again
            .reports(&["flags"], today, bearing_app::sight::Sight::ALL)
            .await
            .unwrap()[0]
    ));
    assert!(
        !Arc::ptr_eq(
            &flags[0],
            &again
                .reports(
                    &["flags"],
                    today.tomorrow().unwrap(),
                    bearing_app::sight::Sight::ALL
                )
                .await
                .unwrap()[0]
        ),
        "another day is another report"
    );

    // A change through another connection, as another process would make it.
    let other = db.store().await;
    let created = deals::create(
        &other,
        &ctx(),
        DealFields::new("Hub for Atlantis", "Membership Sales", "Discovery"),
    )
    .await
    .unwrap();
    let after = snapshots.now(&store).await.unwrap();
    assert!(!Arc::ptr_eq(&first, &after));
    assert!(after.version() > first.version());
    assert_eq!(after.deals().await.unwrap().len(), 31);
    assert_eq!(
        after.deal(created.id).await.unwrap().fields.name,
        "Hub for Atlantis"
    );
    assert_eq!(
        first.deals().await.unwrap().len(),
        30,
        "a snapshot never changes"
    );

    // Assumptions and usage samples move the version too: the reports depend on them.
    let before = snapshots.now(&store).await.unwrap();
    assumptions::set(&store, &ctx(), &[("fsp-fee".into(), "0.2".into())], today)
        .await
        .unwrap();
    let with_fee = snapshots.now(&store).await.unwrap();
    assert!(with_fee.version() > before.version());
    let cluster = &data.clusters[0].name;
    let (day, users) = data.clusters[0].samples[0];
    let corrected = format!("cluster,date,unique_users\n{cluster},{day},{}\n", users + 1);
    let lists = with_fee.deals().await.unwrap();
    let history = with_fee.deal_history().await.unwrap();
    let reports = with_fee
        .reports(&["flags"], today, bearing_app::sight::Sight::ALL)
        .await
        .unwrap();
    usage::import(&store, &ctx(), "u.csv", corrected.as_bytes(), false)
        .await
        .unwrap();
    let with_usage = snapshots.now(&store).await.unwrap();
    assert!(with_usage.version() > with_fee.version());

    // Each piece is read again only when a part it is built from moved: a usage import keeps
    // the deal lists and their history, but not the reports, which count usage revenue.
    assert!(Arc::ptr_eq(&lists, &with_usage.deals().await.unwrap()));
    assert!(Arc::ptr_eq(
        &history,
        &with_usage.deal_history().await.unwrap()
    ));
    assert!(!Arc::ptr_eq(
        &reports[0],
        &with_usage
            .reports(&["flags"], today, bearing_app::sight::Sight::ALL)
            .await
            .unwrap()[0]
    ));

    // The aging is kept while the records stay the same, and a payment (a CRM change) reads
    // it afresh; a usage import keeps it.
    let org = with_usage.organizations().await.unwrap()[0].id;
    let draft = bearing_app::invoices::NewDraft {
        number: None,
        organization: org,
        deal: None,
        kind: bearing_core::invoice::Kind::Service,
        currency: None,
        service_from: None,
        service_to: None,
        billable_on: None,
        terms_days: None,
        external_id: None,
        source: None,
        lines: vec![bearing_core::invoice::LineInput::parse("Training; 900").unwrap()],
    };
    bearing_app::invoices::add(&store, &ctx(), draft)
        .await
        .unwrap();
    bearing_app::invoices::issue(&store, &ctx(), "INV-00001", Some(today))
        .await
        .unwrap();
    let issued = snapshots.now(&store).await.unwrap();
    let aging = issued.aging(&ctx(), today).await.unwrap();
    assert_eq!(aging[0].aging.total_minor, 90_000);
    assert!(Arc::ptr_eq(
        &aging,
        &issued.aging(&ctx(), today).await.unwrap()
    ));
    let again = format!("cluster,date,unique_users\n{cluster},{day},{}\n", users + 2);
    usage::import(&store, &ctx(), "u.csv", again.as_bytes(), false)
        .await
        .unwrap();
    let kept = snapshots.now(&store).await.unwrap();
    assert!(
        kept.version() > issued.version(),
        "the usage import moved the version"
    );
    assert!(Arc::ptr_eq(
        &aging,
        &kept.aging(&ctx(), today).await.unwrap()
    ));
    let payment = bearing_app::invoices::NewPayment {
        on: Some(today),
        amount: "400".into(),
        reference: None,
    };
    bearing_app::invoices::pay(&store, &ctx(), "INV-00001", payment)
        .await
        .unwrap();
    let paid = snapshots.now(&store).await.unwrap();
    assert_eq!(
        paid.aging(&ctx(), today).await.unwrap()[0]
            .aging
            .total_minor,
        50_000
    );
    // Only those who see cash are given it, cached or not.
    let member = Context::user(
        Actor::parse("member@example.org").unwrap(),
        Source::Web,
        bearing_core::UserId::new(7).unwrap(),
        bearing_core::access::Role::Member.permissions(),
    );
    assert!(matches!(
        paid.aging(&member, today).await,
        Err(bearing_app::AppError::Forbidden(_))
    ));
}
