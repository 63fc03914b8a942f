//! Stages are added, renamed, reordered and retired without losing deals or history.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use bearing_app::deals::{self, MoveDetails};
use bearing_app::pipelines::{self, NewStage, StageChanges};
use bearing_app::{AppError, Context};
use bearing_core::deal::DealFields;
use bearing_core::pipeline::{ForecastCategory, Probability, StageOutcome};
use bearing_core::{Actor, EntityKind, Source};
use bearing_store::testing::TestDb;

bearing_store::on_both_backends!(
    stages_change_without_losing_deals_or_history,
    a_new_pipeline_gets_its_own_stages,
    a_renamed_won_stage_keeps_its_deals_active_in_the_forecast,
);

/// The forecast knows the stage won deals run in by its outcome and place, not its name:
/// renaming "Closed Won" changes no number.
async fn a_renamed_won_stage_keeps_its_deals_active_in_the_forecast(db: &TestDb) {
    let store = db.store().await;
    let today = jiff::civil::date(2026, 6, 15);
    let data = bearing_core::demo::generate(bearing_core::demo::DemoSpec {
        seed: 5,
        as_of: today,
        deals: Some(60),
    });
    bearing_app::demo::load(&store, &ctx(), &data)
        .await
        .unwrap();
    let names = ["projections", "deals", "flags"];
    let before = bearing_app::reports::build_many(&store, &names, today)
        .await
        .unwrap();
    let won = before[1]
        .table
        .rows
        .iter()
        .filter(|r| r.iter().flatten().any(|c| c == "Closed Won"))
        .count();
    assert!(won > 0, "the demo has deals won and running");
    pipelines::edit_stage(
        &store,
        &ctx(),
        "Membership Sales",
        "Closed Won",
        StageChanges {
            name: Some("Signed".into()),
            ..StageChanges::default()
        },
    )
    .await
    .unwrap();
    let after = bearing_app::reports::build_many(&store, &names, today)
        .await
        .unwrap();
    for (b, a) in before.iter().zip(&after) {
        let renamed: Vec<Vec<Option<String>>> = b
            .table
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| match c.as_deref() {
                        Some("Closed Won") => Some("Signed".to_owned()),
                        _ => c.clone(),
                    })
                    .collect()
            })
            .collect();
        assert_eq!(renamed, a.table.rows, "{}", b.name);
    }
}

fn ctx() -> Context {
    Context::new(Actor::parse("ada@example.org").unwrap(), Source::Cli)
}

fn deal(stage: &str) -> DealFields {
    DealFields::new("Lakeshore 2026", "Membership Sales", stage)
}

fn names(stages: &[bearing_store::StageRecord]) -> Vec<String> {
    stages
        .iter()
        .filter(|s| s.pipeline == "Membership Sales")
        .map(|s| s.name.clone())
        .collect()
}

async fn stages_change_without_losing_deals_or_history(db: &TestDb) {
    let store = db.store().await;
    let d = deals::create(&store, &ctx(), deal("Discovery"))
        .await
        .unwrap();
    let added = pipelines::add_stage(
        &store,
        &ctx(),
        "membership sales",
        NewStage {
            name: "Qualified".into(),
            probability: Probability::new(0.15).unwrap(),
            forecast_category: ForecastCategory::Pipeline,
            outcome: StageOutcome::Open,
        },
    )
    .await
    .unwrap();
    assert_eq!(added.position, 10);
    pipelines::move_stage(&store, &ctx(), "Membership Sales", "Qualified", 3)
        .await
        .unwrap();
    assert_eq!(
        names(&store.list_stages().await.unwrap())[..5],
        [
            "Enrichment",
            "Outreach",
            "Qualified",
            "Discovery",
            "Renewal"
        ]
    );
    let renamed = pipelines::edit_stage(
        &store,
        &ctx(),
        "Membership Sales",
        "Discovery",
        StageChanges {
            name: Some("Discovery Calls".into()),
            probability: Some(Probability::new(0.25).unwrap()),
            ..StageChanges::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (renamed.name.as_str(), renamed.default_probability),
        ("Discovery Calls", 0.25)
    );
    let kept = deals::get(&store, d.id).await.unwrap();
    assert_eq!(
        (kept.fields.stage.as_str(), kept.stage_probability),
        ("Discovery Calls", 0.25)
    );

    pipelines::retire_stage(&store, &ctx(), "Membership Sales", "Qualified", true)
        .await
        .unwrap();
    let refused = deals::move_to(&store, &ctx(), d.id, "Qualified", MoveDetails::default())
        .await
        .unwrap_err();
    assert!(matches!(refused, AppError::Invalid { .. }), "{refused:?}");
    pipelines::retire_stage(&store, &ctx(), "Membership Sales", "Discovery Calls", true)
        .await
        .unwrap();
    assert_eq!(
        deals::get(&store, d.id).await.unwrap().fields.stage,
        "Discovery Calls",
        "deals keep a retired stage"
    );
    deals::move_to(&store, &ctx(), d.id, "Proposal", MoveDetails::default())
        .await
        .unwrap();
    pipelines::retire_stage(&store, &ctx(), "Membership Sales", "Qualified", false)
        .await
        .unwrap();
    let again = pipelines::retire_stage(&store, &ctx(), "Membership Sales", "Qualified", false)
        .await
        .unwrap_err();
    assert!(matches!(again, AppError::Conflict(_)));

    let history = deals::history(&store, Some(d.id), None, None)
        .await
        .unwrap();
    let moved: Vec<(Option<String>, Option<String>)> = history
        .iter()
        .filter(|h| h.field == "stage")
        .map(|h| (h.old_value.clone(), h.new_value.clone()))
        .collect();
    assert_eq!(
        moved[1],
        (Some("Discovery Calls".into()), Some("Proposal".into()))
    );
    let stage_log = store
        .list_audit(EntityKind::Stage, &added.id.to_string())
        .await
        .unwrap();
    let actions: Vec<String> = stage_log.iter().map(|a| a.action.to_string()).collect();
    assert_eq!(actions, ["create", "update", "delete", "restore"]);
    let duplicate = pipelines::edit_stage(
        &store,
        &ctx(),
        "Membership Sales",
        "Qualified",
        StageChanges {
            name: Some("proposal".into()),
            ..StageChanges::default()
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(duplicate, AppError::Conflict(_)), "{duplicate:?}");
}

async fn a_new_pipeline_gets_its_own_stages(db: &TestDb) {
    let store = db.store().await;
    pipelines::add_pipeline(&store, &ctx(), "Grants")
        .await
        .unwrap();
    let dup = pipelines::add_pipeline(&store, &ctx(), "grants").await;
    assert!(matches!(dup, Err(AppError::Conflict(_))));
    for (name, outcome) in [
        ("Letter of inquiry", StageOutcome::Open),
        ("Awarded", StageOutcome::Won),
    ] {
        pipelines::add_stage(
            &store,
            &ctx(),
            "Grants",
            NewStage {
                name: name.into(),
                probability: Probability::new(if outcome == StageOutcome::Won {
                    1.0
                } else {
                    0.1
                })
                .unwrap(),
                forecast_category: ForecastCategory::Pipeline,
                outcome,
            },
        )
        .await
        .unwrap();
    }
    let grants: Vec<String> = store
        .list_stages()
        .await
        .unwrap()
        .into_iter()
        .filter(|s| s.pipeline == "Grants")
        .map(|s| s.name)
        .collect();
    assert_eq!(grants, ["Letter of inquiry", "Awarded"]);
    let mut fields = deal("Letter of inquiry");
    fields.pipeline = "Grants".into();
    deals::create(&store, &ctx(), fields).await.unwrap();
}
