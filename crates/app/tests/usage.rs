//! Usage samples, their import and the usage reports, on both backends.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use bearing_app::{AppError, Context, usage};
use bearing_core::assumptions::Assumptions;
use bearing_core::{Actor, EntityKind, Month, Source};
use bearing_store::testing::TestDb;

bearing_store::on_both_backends!(
    usage_imports_once_creates_unknown_clusters_and_counts_changes,
    hub_samples_add_up_to_their_cluster_and_reports_price_them,
    a_bad_usage_file_imports_nothing,
);

fn ctx() -> Context {
    Context::new(Actor::parse("ada@example.org").unwrap(), Source::Cli)
}

const SAMPLES: &str = "cluster,date,unique_users\nbids,2026-01-03,40\nbids,2026-01-20,55\nbids,2026-02-01,30\nprometheus-infra,2026-01-05,999\n";

async fn usage_imports_once_creates_unknown_clusters_and_counts_changes(db: &TestDb) {
    let store = db.store().await;
    let plan = usage::import(&store, &ctx(), "u.csv", SAMPLES.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!(plan.new_clusters, ["bids", "prometheus-infra"]);
    assert_eq!(
        (
            plan.new_samples,
            plan.changed_samples,
            plan.unchanged_samples
        ),
        (4, 0, 0)
    );
    let again = usage::import(&store, &ctx(), "u.csv", SAMPLES.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!(
        (
            again.new_samples,
            again.changed_samples,
            again.unchanged_samples
        ),
        (0, 0, 4)
    );
    assert!(again.new_clusters.is_empty());
    let before_correction = store.data_version().await.unwrap();
    let corrected = SAMPLES.replace("bids,2026-02-01,30", "bids,2026-02-01,31");
    let plan = usage::import(&store, &ctx(), "u.csv", corrected.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!(
        (
            plan.new_samples,
            plan.changed_samples,
            plan.unchanged_samples
        ),
        (0, 1, 3)
    );
    assert_eq!(store.list_samples().await.unwrap().len(), 4);
    // Each cluster is created once; each import that writes a cluster's samples records it,
    // so that a correction alone moves the data version.
    let audit = store.list_all_audit().await.unwrap();
    let cluster_rows: Vec<_> = audit
        .iter()
        .filter(|a| a.entity == EntityKind::Cluster)
        .map(|a| (a.action, a.after.clone().unwrap_or_default()))
        .collect();
    assert_eq!(cluster_rows.len(), 5, "{cluster_rows:?}");
    assert_eq!(
        cluster_rows
            .iter()
            .filter(|(action, _)| *action == bearing_core::Action::Create)
            .count(),
        2
    );
    assert_eq!(
        cluster_rows[4].1,
        serde_json::json!({ "usage_samples": 1, "first_day": "2026-02-01", "last_day": "2026-02-01" })
    );
    assert!(store.data_version().await.unwrap() > before_correction);
    let dry = usage::import(
        &store,
        &ctx(),
        "u.csv",
        "cluster,date,unique_users\ncal,2026-01-01,3\n".as_bytes(),
        true,
    )
    .await
    .unwrap();
    assert_eq!((dry.new_clusters.len(), dry.new_samples), (1, 1));
    assert_eq!(
        store.list_samples().await.unwrap().len(),
        4,
        "a dry run writes nothing"
    );
}

async fn hub_samples_add_up_to_their_cluster_and_reports_price_them(db: &TestDb) {
    let store = db.store().await;
    usage::import(&store, &ctx(), "u.csv", SAMPLES.as_bytes(), false)
        .await
        .unwrap();
    let hubs = "date,hub,users,cluster\n2026-01-10,prod,200,cal\n2026-01-10,staging,80,cal\n2026-01-11,prod,150,cal\n";
    let plan = usage::import(&store, &ctx(), "h.csv", hubs.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!(plan.new_hubs, ["cal/prod", "cal/staging"]);
    let a = Assumptions::default();
    let mau = usage::monthly_active_users(&store, &a).await.unwrap();
    let jan = Month::parse("2026-01").unwrap();
    assert_eq!(
        mau[&("cal".to_owned(), jan)],
        280,
        "200 + 80 users on the 10th"
    );
    assert_eq!(mau[&("bids".to_owned(), jan)], 55);
    assert!(
        !mau.keys().any(|(c, _)| c.contains("prometheus")),
        "excluded by default"
    );
    // The database computes what the core's rule says, windows included.
    let mut windowed = Assumptions::default();
    windowed
        .set("usage-exclude-windows", "BIDS:2026-01-15:2026-01-31")
        .unwrap();
    for a in [a.clone(), windowed] {
        let samples = usage::daily(&store.list_samples().await.unwrap());
        let expected = bearing_core::usage::monthly_active_users(&samples, &a.exclusions());
        assert_eq!(
            usage::monthly_active_users(&store, &a).await.unwrap(),
            expected
        );
    }
    let table = usage::report(&store, &a).await.unwrap();
    let cal = table
        .rows
        .iter()
        .find(|r| r[0].as_deref() == Some("cal"))
        .unwrap();
    assert_eq!(cal[3].as_deref(), Some("1000.00"), "280 users cost $1,000");
    // January: 325 (bids) + 1,000 (cal); February: 200 (bids). The mean before March is 762.5,
    // rounded half to even: 762.
    let revenue = usage::estimated_revenue(&store, &a, Month::parse("2026-03").unwrap())
        .await
        .unwrap();
    assert_eq!(revenue, 762.0);
    let by_org = usage::report_by_organization(&store, &a).await.unwrap();
    assert_eq!(by_org.rows[0][0].as_deref(), Some("(no organization)"));
}

async fn a_bad_usage_file_imports_nothing(db: &TestDb) {
    let store = db.store().await;
    let bad = "cluster,date,unique_users\nbids,2026-01-03,40\nbids,2026-01-04,lots\n";
    let err = usage::import(&store, &ctx(), "bad.csv", bad.as_bytes(), false)
        .await
        .unwrap_err();
    let AppError::Import(errors) = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        errors[0].to_string(),
        "bad.csv:3: column unique_users = \"lots\": expected a whole number of users, 0 or more"
    );
    assert!(store.list_samples().await.unwrap().is_empty());
    assert!(
        store.list_units().await.unwrap().is_empty(),
        "no cluster was created"
    );
}
