//! Importing the CRM's deal export: the real sample, a modified copy, and bad files.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use bearing_app::import::{self, CRM};
use bearing_app::{AppError, Context, deals};
use bearing_core::{Actor, EntityKind, Source};
use bearing_store::Store;
use bearing_store::testing::TestDb;

bearing_store::on_both_backends!(
    the_sample_imports_whole_with_its_ids_properties_and_history,
    a_modified_export_creates_updates_and_records_history_exactly,
    reimporting_the_same_file_changes_nothing,
    a_file_with_one_bad_row_imports_nothing_and_names_the_row,
    a_dry_run_plans_but_writes_nothing,
);

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/sample_deals.csv"
);

fn sample() -> String {
    std::fs::read_to_string(SAMPLE).unwrap_or_else(|e| panic!("{SAMPLE}: {e}"))
}

/// The sample with CAL ICOR moved to Contract Admin (the CRM raised its probability), IVEDA's
/// amount changed, and a new deal added; every other row is as it was.
fn modified() -> String {
    let mut text = sample()
        .replace(
            "202096783060,CAL ICOR 2027-2028,membership-premier,25000.0,2025-10-31,Membership Sales,Proposal,2027-07-01,2028-07-01,,,2027-07-01,2028-06-30,0.2999999999999999,7499.999999999998,",
            "202096783060,CAL ICOR 2027-2028,membership-premier,25000.0,2025-10-31,Membership Sales,Contract Admin,2027-07-01,2028-07-01,,,2027-07-01,2028-06-30,0.9,22500.0,",
        )
        .replace(
            "238456636118,IVEDA 2027,project,152000.0,",
            "238456636118,IVEDA 2027,project,160000.0,",
        );
    text.push_str("300000000001,Northfield University 2026,membership-general,15000.0,,Membership Sales,Discovery,,,,,2026-09-01,2027-08-31,,,\n");
    assert_ne!(text, sample());
    text
}

fn ctx() -> Context {
    Context::new(Actor::parse("importer@example.org").unwrap(), Source::Cli)
}

async fn import(store: &Store, text: &str, dry_run: bool) -> bearing_app::Result<import::Plan> {
    import::import_deals(store, &ctx(), "deals.csv", text.as_bytes(), dry_run).await
}

async fn counts(store: &Store) -> (i64, usize, i64) {
    (
        store.count_deals().await.unwrap(),
        store
            .list_deal_history(None, None, None)
            .await
            .unwrap()
            .len(),
        store.count_audit().await.unwrap(),
    )
}

async fn the_sample_imports_whole_with_its_ids_properties_and_history(db: &TestDb) {
    let store = db.store().await;
    let plan = import(&store, &sample(), false).await.unwrap();
    assert_eq!(
        (plan.creates.len(), plan.updates.len(), plan.unchanged.len()),
        (8, 0, 0)
    );
    assert_eq!(store.count_deals().await.unwrap(), 8);
    let ids = store.list_external_ids(CRM).await.unwrap();
    let cal = deals::get(&store, ids["202096783060"]).await.unwrap();
    assert_eq!(cal.fields.name, "CAL ICOR 2027-2028");
    assert_eq!(cal.fields.stage, "Proposal");
    assert_eq!(
        cal.fields.probability.map(|p| p.get()),
        Some(0.2999999999999999),
        "the file's probability wins"
    );
    assert_eq!(cal.fields.collected_minor, None, "an empty cell is unknown");
    assert_eq!(cal.properties["hs_projected_amount"], "7499.999999999998");
    assert_eq!(cal.external_ids[CRM], "202096783060");
    let history = store
        .list_deal_history(Some(cal.id), None, None)
        .await
        .unwrap();
    assert!(
        history
            .iter()
            .all(|h| h.source == Source::Import && h.old_value.is_none())
    );
    assert!(
        history
            .iter()
            .any(|h| h.field == "stage" && h.new_value.as_deref() == Some("Proposal"))
    );
    let audit = store
        .list_audit(EntityKind::Deal, &cal.id.to_string())
        .await
        .unwrap();
    assert_eq!((audit.len(), audit[0].source), (1, Source::Import));
    assert_eq!(audit[0].actor, "importer@example.org");
}

async fn a_modified_export_creates_updates_and_records_history_exactly(db: &TestDb) {
    let store = db.store().await;
    import(&store, &sample(), false).await.unwrap();
    let history_before = store.list_deal_history(None, None, None).await.unwrap();
    let last_before = history_before.last().unwrap().id;
    let plan = import(&store, &modified(), false).await.unwrap();

    let created: Vec<&str> = plan.creates.iter().map(|c| c.crm_id.as_str()).collect();
    assert_eq!(created, ["300000000001"]);
    let updated: Vec<&str> = plan.updates.iter().map(|u| u.crm_id.as_str()).collect();
    assert_eq!(updated, ["202096783060", "238456636118"]);
    assert_eq!(plan.unchanged.len(), 6);
    assert_eq!(plan.creates[0].line, 10);
    assert_eq!(plan.updates[0].other_changes, ["hs_projected_amount"]);

    let ids = store.list_external_ids(CRM).await.unwrap();
    let rows = |id: &str| {
        let store = store.clone();
        let deal = ids[id];
        async move {
            store
                .list_deal_history(Some(deal), None, None)
                .await
                .unwrap()
                .into_iter()
                .filter(|h| h.id > last_before)
                .map(|h| (h.field, h.old_value, h.new_value, h.source))
                .collect::<Vec<_>>()
        }
    };
    let some = |s: &str| Some(s.to_owned());
    assert_eq!(
        rows("202096783060").await,
        vec![
            (
                "stage".to_owned(),
                some("Proposal"),
                some("Contract Admin"),
                Source::Import
            ),
            (
                "probability".to_owned(),
                some("0.2999999999999999"),
                some("0.9"),
                Source::Import
            ),
        ]
    );
    assert_eq!(
        rows("238456636118").await,
        vec![(
            "amount".to_owned(),
            some("152000.00"),
            some("160000.00"),
            Source::Import
        )]
    );
    let new_deal = deals::get(&store, ids["300000000001"]).await.unwrap();
    assert_eq!(
        (new_deal.fields.stage.as_str(), new_deal.fields.amount_minor),
        ("Discovery", Some(1_500_000))
    );
    let history_after = store
        .list_deal_history(None, None, None)
        .await
        .unwrap()
        .len();
    let new_deal_rows = store
        .list_deal_history(Some(new_deal.id), None, None)
        .await
        .unwrap()
        .len();
    assert_eq!(history_after - history_before.len(), 3 + new_deal_rows);
    let cal = deals::get(&store, ids["202096783060"]).await.unwrap();
    assert_eq!(cal.properties["hs_projected_amount"], "22500.0");
    assert_eq!(
        store
            .list_audit(EntityKind::Deal, &cal.id.to_string())
            .await
            .unwrap()
            .len(),
        2
    );
}

async fn reimporting_the_same_file_changes_nothing(db: &TestDb) {
    let store = db.store().await;
    import(&store, &sample(), false).await.unwrap();
    import(&store, &modified(), false).await.unwrap();
    let before = counts(&store).await;
    let plan = import(&store, &modified(), false).await.unwrap();
    assert_eq!(
        (plan.creates.len(), plan.updates.len(), plan.unchanged.len()),
        (0, 0, 9)
    );
    assert_eq!(counts(&store).await, before);
}

async fn a_file_with_one_bad_row_imports_nothing_and_names_the_row(db: &TestDb) {
    let store = db.store().await;
    let bad = modified().replace(
        "86221242070,BIDS 2025,membership-premier,45000.0,",
        "86221242070,BIDS 2025,membership-premier,45 000,",
    );
    let err = import(&store, &bad, false).await.unwrap_err();
    let AppError::Import(errors) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].to_string(),
        "deals.csv:5: column amount = \"45 000\": expected a number such as 1234.56"
    );
    assert_eq!(counts(&store).await, (0, 0, 0));

    let unknown_stage = sample().replace(
        "Membership Sales,Enrichment,",
        "Membership Sales,Qualified,",
    );
    let err = import(&store, &unknown_stage, false).await.unwrap_err();
    let AppError::Import(errors) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (
            errors[0].line,
            errors[0].column.as_str(),
            errors[0].value.as_str()
        ),
        (9, "dealstage", "Qualified")
    );
    assert!(
        errors[0]
            .message
            .contains("no stage \"Qualified\" in Membership Sales"),
        "{}",
        errors[0]
    );
    assert_eq!(counts(&store).await, (0, 0, 0));
}

async fn a_dry_run_plans_but_writes_nothing(db: &TestDb) {
    let store = db.store().await;
    let plan = import(&store, &sample(), true).await.unwrap();
    assert_eq!(plan.creates.len(), 8);
    assert_eq!(counts(&store).await, (0, 0, 0));
    assert_eq!(
        plan.summary(),
        "deals.csv: 8 to create, 0 to update, 0 unchanged"
    );
}
