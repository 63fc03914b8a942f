//! The deal lifecycle on both backends: every change records its history and audit row.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use bearing_app::deals::{self, DealFilter, DealPatch, MoveDetails};
use bearing_app::patch::Edit;
use bearing_app::{AppError, Context};
use bearing_core::deal::{DealFields, DealType, RevenueType};
use bearing_core::{Actor, EntityKind, Source};
use bearing_store::testing::TestDb;
use jiff::civil::date;

bearing_store::on_both_backends!(
    a_deal_moves_through_its_stages_with_a_history_row_per_change,
    closing_needs_what_the_stage_needs,
    a_won_membership_renews_into_next_terms_renewal_deal,
    deleted_deals_leave_lists_keep_history_and_come_back,
    lists_filter_by_stage_type_owner_and_close_date,
    control_characters_and_overlong_text_are_refused_before_anything_is_written,
    a_patch_changes_what_it_names_on_the_deal_as_it_is_now,
    two_renewals_of_one_deal_at_once_make_one,
    a_deal_won_without_a_close_date_closes_on_the_day_it_is_won,
);

fn ctx() -> Context {
    Context::new(Actor::parse("ada@example.org").unwrap(), Source::Web)
}

fn prospect(name: &str) -> DealFields {
    let mut deal = DealFields::new(name, "Membership Sales", "Outreach");
    deal.revenue_type = RevenueType::parse("membership-general").ok();
    deal.amount_minor = Some(1_500_000);
    deal.target_start = Some(date(2026, 7, 1));
    deal.target_end = Some(date(2027, 6, 30));
    deal.owner = Some("Avery Quinn".into());
    deal
}

async fn a_deal_moves_through_its_stages_with_a_history_row_per_change(db: &TestDb) {
    let store = db.store().await;
    let deal = deals::create(&store, &ctx(), prospect("Lakeshore 2026"))
        .await
        .unwrap();
    assert_eq!(
        (deal.stage_probability, deal.fields.probability),
        (0.1, None)
    );
    deals::move_to(&store, &ctx(), deal.id, "discovery", MoveDetails::default())
        .await
        .unwrap();
    let won = deals::move_to(
        &store,
        &ctx(),
        deal.id,
        "Closed Won",
        MoveDetails {
            contract_start: Some(date(2026, 7, 1)),
            contract_end: Some(date(2027, 6, 30)),
            close_date: Some(date(2026, 6, 15)),
            ..MoveDetails::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(won.fields.stage, "Closed Won");
    let history = deals::history(&store, Some(deal.id), None, None)
        .await
        .unwrap();
    let stage_moves: Vec<(Option<String>, Option<String>)> = history
        .iter()
        .filter(|h| h.field == "stage")
        .map(|h| (h.old_value.clone(), h.new_value.clone()))
        .collect();
    let some = |s: &str| Some(s.to_owned());
    assert_eq!(
        stage_moves,
        [
            (None, some("Outreach")),
            (some("Outreach"), some("Discovery")),
            (some("Discovery"), some("Closed Won"))
        ]
    );
    let closing: Vec<&str> = history
        .iter()
        .rev()
        .take(4)
        .map(|h| h.field.as_str())
        .collect();
    assert_eq!(
        closing,
        ["contract_end", "contract_start", "close_date", "stage"]
    );
    assert!(
        history
            .iter()
            .all(|h| h.actor == "ada@example.org" && h.source == Source::Web)
    );
    let audit = store
        .list_audit(EntityKind::Deal, &deal.id.to_string())
        .await
        .unwrap();
    assert_eq!(audit.len(), 3);
    let again = deals::move_to(
        &store,
        &ctx(),
        deal.id,
        "Closed Won",
        MoveDetails::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(again, AppError::Conflict(_)), "{again:?}");
}

async fn closing_needs_what_the_stage_needs(db: &TestDb) {
    let store = db.store().await;
    let mut fields = prospect("Eastvale 2026");
    fields.amount_minor = None;
    let deal = deals::create(&store, &ctx(), fields).await.unwrap();
    let err = deals::move_to(
        &store,
        &ctx(),
        deal.id,
        "Closed Won",
        MoveDetails::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "stage: moving to Closed Won needs an amount, a contract start and a contract end; missing: amount, contract start, contract end"
    );
    let err = deals::move_to(
        &store,
        &ctx(),
        deal.id,
        "Closed Lost",
        MoveDetails::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "stage: moving to Closed Lost needs a loss reason; missing: loss reason"
    );
    let lost = deals::move_to(
        &store,
        &ctx(),
        deal.id,
        "Closed Lost",
        MoveDetails {
            loss_reason: Some("chose a commercial provider".into()),
            ..MoveDetails::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        lost.fields.loss_reason.as_deref(),
        Some("chose a commercial provider")
    );
    let unknown = deals::move_to(
        &store,
        &ctx(),
        deal.id,
        "Negotiation",
        MoveDetails::default(),
    )
    .await
    .unwrap_err();
    assert!(
        unknown.to_string().starts_with(
            "stage: no stage \"Negotiation\" in Membership Sales; stages: Enrichment, Outreach"
        ),
        "{unknown}"
    );
    let mut won = prospect("Direct win");
    won.stage = "Closed Won".into();
    let refused = deals::create(&store, &ctx(), won).await.unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("missing: contract start, contract end"),
        "{refused}"
    );
    assert_eq!(
        store.count_deals().await.unwrap(),
        1,
        "a refused deal is not written"
    );
}

async fn a_won_membership_renews_into_next_terms_renewal_deal(db: &TestDb) {
    let store = db.store().await;
    let mut fields = prospect("BIDS 2025");
    fields.stage = "Closed Won".into();
    fields.amount_minor = Some(4_500_000);
    fields.contract_start = Some(date(2025, 8, 1));
    fields.contract_end = Some(date(2026, 7, 31));
    let won = deals::create(&store, &ctx(), fields).await.unwrap();
    let renewal = deals::renew(&store, &ctx(), won.id).await.unwrap();
    let f = &renewal.fields;
    assert_eq!(f.name, "BIDS 2026");
    assert_eq!(
        (f.stage.as_str(), f.deal_type, f.renews),
        ("Renewal", DealType::Renewal, Some(won.id))
    );
    assert_eq!(
        (f.target_start, f.target_end),
        (Some(date(2026, 8, 1)), Some(date(2027, 7, 31)))
    );
    assert_eq!(
        (f.amount_minor, f.contract_start, f.collected_minor),
        (Some(4_500_000), None, None)
    );
    let twice = deals::renew(&store, &ctx(), won.id).await.unwrap_err();
    assert_eq!(
        twice.to_string(),
        format!("deal {} is already renewed by deal {}", won.id, renewal.id)
    );
    let open = deals::renew(&store, &ctx(), renewal.id).await.unwrap_err();
    assert!(
        open.to_string().contains("only a won deal can be renewed"),
        "{open}"
    );
}

/// Two people edit one deal from the same page load: each patch changes what it names on the
/// deal as its transaction reads it, so the second does not put back the amount the first
/// changed. Clearing and the "something new to renew makes a renewal" rule apply as well.
async fn a_patch_changes_what_it_names_on_the_deal_as_it_is_now(db: &TestDb) {
    let store = db.store().await;
    let deal = deals::create(&store, &ctx(), prospect("Lakeshore 2026"))
        .await
        .unwrap();
    let first = DealPatch {
        amount_minor: Edit::Set(2_000_000),
        ..DealPatch::default()
    };
    let second = DealPatch {
        owner: Edit::Clear,
        close_date: Edit::Set(date(2026, 9, 30)),
        ..DealPatch::default()
    };
    deals::patch(&store, &ctx(), deal.id, first).await.unwrap();
    let both = deals::patch(&store, &ctx(), deal.id, second).await.unwrap();
    assert_eq!(
        (
            both.fields.amount_minor,
            both.fields.owner.as_deref(),
            both.fields.close_date
        ),
        (Some(2_000_000), None, Some(date(2026, 9, 30)))
    );
    assert_eq!(both.fields.target_start, Some(date(2026, 7, 1)), "kept");
    let version = store.data_version().await.unwrap();
    deals::patch(&store, &ctx(), deal.id, DealPatch::default())
        .await
        .unwrap();
    assert_eq!(
        store.data_version().await.unwrap(),
        version,
        "nothing written"
    );

    let older = deals::create(&store, &ctx(), prospect("Lakeshore 2025"))
        .await
        .unwrap();
    let renewing = DealPatch {
        renews: Edit::Set(older.id),
        ..DealPatch::default()
    };
    let renewal = deals::patch(&store, &ctx(), deal.id, renewing)
        .await
        .unwrap();
    assert_eq!(
        (renewal.fields.renews, renewal.fields.deal_type),
        (Some(older.id), DealType::Renewal)
    );
    let mut cleared = DealPatch {
        owner: Edit::Set("Bo".into()),
        ..DealPatch::default()
    };
    let both_ways = cleared.clear("owner").unwrap_err();
    assert_eq!(
        both_ways.to_string(),
        "owner is both given a value and cleared: give one or the other"
    );
    let unknown = cleared.clear("name").unwrap_err();
    assert!(
        unknown
            .to_string()
            .starts_with("\"name\" cannot be cleared; clearable fields: org, probability"),
        "{unknown}"
    );
}

/// Two people renew one won deal at once: the check that it is renewed once reads inside the
/// transaction that creates the renewal, so one renewal is made and the other is refused.
async fn two_renewals_of_one_deal_at_once_make_one(db: &TestDb) {
    let store = db.store().await;
    let mut fields = prospect("BIDS 2025");
    fields.stage = "Closed Won".into();
    fields.contract_start = Some(date(2025, 8, 1));
    fields.contract_end = Some(date(2026, 7, 31));
    let won = deals::create(&store, &ctx(), fields).await.unwrap();
    let renew = || {
        let store = store.clone();
        tokio::spawn(async move { deals::renew(&store, &ctx(), won.id).await })
    };
    let (first, second) = (renew(), renew());
    let results = [first.await.unwrap(), second.await.unwrap()];
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    let renewals = deals::list(&store, &DealFilter::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|d| d.fields.renews == Some(won.id))
        .count();
    assert_eq!(renewals, 1);
}

async fn deleted_deals_leave_lists_keep_history_and_come_back(db: &TestDb) {
    let store = db.store().await;
    let deal = deals::create(&store, &ctx(), prospect("Harborview 2026"))
        .await
        .unwrap();
    deals::delete(&store, &ctx(), deal.id).await.unwrap();
    assert!(
        deals::list(&store, &DealFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    let all = deals::list(
        &store,
        &DealFilter {
            include_deleted: true,
            ..DealFilter::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(all.len(), 1);
    let edit = deals::edit(&store, &ctx(), deal.id, prospect("renamed"))
        .await
        .unwrap_err();
    assert!(
        edit.to_string().contains("restore it before editing"),
        "{edit}"
    );
    deals::restore(&store, &ctx(), deal.id).await.unwrap();
    assert_eq!(
        deals::list(&store, &DealFilter::default())
            .await
            .unwrap()
            .len(),
        1
    );
    let actions: Vec<String> = store
        .list_audit(EntityKind::Deal, &deal.id.to_string())
        .await
        .unwrap()
        .iter()
        .map(|a| a.action.to_string())
        .collect();
    assert_eq!(actions, ["create", "delete", "restore"]);
    assert!(
        !deals::history(&store, Some(deal.id), None, None)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn lists_filter_by_stage_type_owner_and_close_date(db: &TestDb) {
    let store = db.store().await;
    let mut a = prospect("A");
    a.close_date = Some(date(2026, 3, 1));
    let mut b = prospect("B");
    b.stage = "Proposal".into();
    b.owner = Some("Sam Rivera".into());
    b.revenue_type = RevenueType::parse("project").ok();
    deals::create(&store, &ctx(), a).await.unwrap();
    deals::create(&store, &ctx(), b).await.unwrap();
    let names = |filter: DealFilter| {
        let store = store.clone();
        async move {
            deals::list(&store, &filter)
                .await
                .unwrap()
                .into_iter()
                .map(|d| d.fields.name)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        names(DealFilter {
            stage: Some("proposal".into()),
            ..DealFilter::default()
        })
        .await,
        ["B"]
    );
    assert_eq!(
        names(DealFilter {
            owner: Some("avery quinn".into()),
            ..DealFilter::default()
        })
        .await,
        ["A"]
    );
    assert_eq!(
        names(DealFilter {
            revenue_type: Some("project".into()),
            ..DealFilter::default()
        })
        .await,
        ["B"]
    );
    assert_eq!(
        names(DealFilter {
            closes_from: Some(date(2026, 1, 1)),
            closes_to: Some(date(2026, 12, 31)),
            ..DealFilter::default()
        })
        .await,
        ["A"]
    );
}

async fn control_characters_and_overlong_text_are_refused_before_anything_is_written(db: &TestDb) {
    let store = db.store().await;
    let version = store.data_version().await.unwrap();
    // PostgreSQL would answer NUL with "invalid byte sequence"; SQLite would store it.
    for (name, field, says) in [
        ("Nul\u{0}deal", "name", "control character (U+0000)"),
        ("Escape\u{1b}[31m", "name", "control character (U+001B)"),
        (
            &"x".repeat(301) as &str,
            "name",
            "is 301 characters long; at most 300",
        ),
    ] {
        let refused = deals::create(&store, &ctx(), prospect(name)).await;
        assert!(
            matches!(&refused, Err(AppError::Invalid { field: f, message }) if f == field && message.contains(says)),
            "{refused:?}"
        );
    }
    let mut owner = prospect("Fine name");
    owner.owner = Some("Avery\u{0}Quinn".into());
    assert!(deals::create(&store, &ctx(), owner).await.is_err());
    let mut far = prospect("Far off");
    far.target_end = Some(date(9999, 12, 31));
    let refused = deals::create(&store, &ctx(), far).await;
    assert!(
        matches!(&refused, Err(AppError::Invalid { field, .. }) if field == "target_end"),
        "{refused:?}"
    );
    assert_eq!(
        store.data_version().await.unwrap(),
        version,
        "nothing written"
    );
    let tabs = deals::create(&store, &ctx(), prospect("Tab\tand\nline breaks are text"))
        .await
        .unwrap();
    assert_eq!(tabs.fields.name, "Tab\tand\nline breaks are text");
}

async fn a_deal_won_without_a_close_date_closes_on_the_day_it_is_won(db: &TestDb) {
    let store = db.store().await;
    // 2026-11-30, 08:22 UTC.
    let at = jiff::Timestamp::from_second(1_796_026_920).unwrap();
    let mut fields = prospect("Dated by its win");
    fields.close_date = Some(date(2027, 3, 31));
    let deal = deals::create(&store, &ctx(), fields).await.unwrap();
    let dated = MoveDetails {
        contract_start: Some(date(2027, 1, 1)),
        contract_end: Some(date(2027, 12, 31)),
        ..MoveDetails::default()
    };
    let won = deals::move_to(&store, &ctx().at(at), deal.id, "Closed Won", dated.clone())
        .await
        .unwrap();
    assert_eq!(won.fields.close_date, Some(date(2026, 11, 30)));
    // A close date given with the move is kept; a loss keeps the expected date.
    let other = deals::create(&store, &ctx(), prospect("Dated by hand"))
        .await
        .unwrap();
    let won = deals::move_to(
        &store,
        &ctx().at(at),
        other.id,
        "Closed Won",
        MoveDetails {
            close_date: Some(date(2026, 11, 2)),
            ..dated
        },
    )
    .await
    .unwrap();
    assert_eq!(won.fields.close_date, Some(date(2026, 11, 2)));
    let mut fields = prospect("Lost");
    fields.close_date = Some(date(2027, 3, 31));
    let lost = deals::create(&store, &ctx(), fields).await.unwrap();
    let lost = deals::move_to(
        &store,
        &ctx().at(at),
        lost.id,
        "Closed Lost",
        MoveDetails {
            loss_reason: Some("budget".into()),
            ..MoveDetails::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(lost.fields.close_date, Some(date(2027, 3, 31)));
}
