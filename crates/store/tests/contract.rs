//! The store contract: every test here runs on SQLite, and on PostgreSQL when
//! `BEARING_TEST_POSTGRES` names a server (CI always does).

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use bearing_core::deal::{DealType, RevenueType};
use bearing_core::organization::{OrganizationFields, OrganizationKind, OrganizationName};
use bearing_core::pipeline::{ForecastCategory, StageOutcome};
use bearing_core::{Action, Actor, Currency, DataPart, EntityKind, Money, Source};
use bearing_store::testing::TestDb;
use bearing_store::{
    AuditEntry, AuditSearch, DataVersion, DealRow, OpenMode, SchemaStatus, Store, StoreError,
};
use jiff::civil::date;

bearing_store::on_both_backends!(
    a_new_database_is_migrated_to_the_current_schema,
    the_default_pipeline_has_its_stages_in_order,
    organizations_are_written_read_and_soft_deleted,
    a_second_organization_with_the_same_name_is_a_conflict,
    audit_entries_are_listed_per_entity_in_order,
    the_audit_log_is_searched_newest_first_and_the_data_version_follows_it,
    the_database_refuses_to_alter_the_audit_log,
    an_uncommitted_transaction_leaves_nothing_behind,
    deals_keep_every_field,
    a_database_from_a_newer_bearing_is_refused,
    backups_are_for_sqlite_only,
    batched_deals_keep_their_order_and_later_ids_stay_unique,
    each_part_has_its_own_version_and_sign_ins_move_none,
    concurrent_writers_each_move_the_version_once,
    a_job_runs_once_per_slot_however_many_instances_claim_it,
    a_months_ledger_lines_become_those_of_its_latest_file_and_none_is_lost,
    closes_and_account_mappings_are_kept,
);

async fn commit_one(store: &Store, kind: EntityKind) {
    let mut tx = store.begin().await.unwrap();
    tx.insert_audit(&entry(kind, "1", Action::Update))
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn each_part_has_its_own_version_and_sign_ins_move_none(db: &TestDb) {
    let store = db.store().await;
    let start = store.data_version().await.unwrap();
    for (kind, part) in [
        (EntityKind::Deal, DataPart::Crm),
        (EntityKind::Hub, DataPart::Usage),
        (EntityKind::Assignment, DataPart::People),
        (EntityKind::Assumptions, DataPart::Assumptions),
        (EntityKind::User, DataPart::Accounts),
    ] {
        let before = store.data_version().await.unwrap();
        commit_one(&store, kind).await;
        let after = store.data_version().await.unwrap();
        assert!(after > before, "{kind}");
        assert_eq!(after.of(part), before.of(part) + 1, "{kind}");
        let others: Vec<DataPart> = DataPart::ALL.into_iter().filter(|p| *p != part).collect();
        assert!(
            after.same_for(&before, &others),
            "{kind} moved another part"
        );
    }
    let before = store.data_version().await.unwrap();
    commit_one(&store, EntityKind::SignIn).await;
    assert_eq!(store.data_version().await.unwrap(), before);
    // A transaction rolled back moves nothing.
    let mut tx = store.begin().await.unwrap();
    tx.insert_audit(&entry(EntityKind::Deal, "1", Action::Update))
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(store.data_version().await.unwrap(), before);
    assert!(before > start);
}

async fn concurrent_writers_each_move_the_version_once(db: &TestDb) {
    let store = db.store().await;
    let writers: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { commit_one(&store, EntityKind::Deal).await })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    assert_eq!(store.data_version().await.unwrap().of(DataPart::Crm), 8);
}

/// On PostgreSQL a row's id is taken when it is inserted, not when its transaction commits,
/// so the newest audit id cannot be the data version: here the transaction with the lower id
/// commits last. The version must move at each commit all the same, and a reader that saw
/// the first commit must see the version move again at the second.
#[tokio::test]
async fn on_postgres_a_transaction_that_commits_after_a_later_one_still_moves_the_version() {
    let Some(db) = TestDb::postgres("interleaved_commits").await else {
        return;
    };
    let store = db.store().await;
    let start = store.data_version().await.unwrap();
    let mut first = store.begin().await.unwrap();
    let first_id = first
        .insert_audit(&entry(EntityKind::Deal, "1", Action::Update))
        .await
        .unwrap();
    let mut second = store.begin().await.unwrap();
    let second_id = second
        .insert_audit(&entry(EntityKind::Deal, "2", Action::Update))
        .await
        .unwrap();
    assert!(first_id < second_id);
    second.commit().await.unwrap();
    let after_second = store.data_version().await.unwrap();
    assert!(after_second > start);
    first.commit().await.unwrap();
    let after_first = store.data_version().await.unwrap();
    assert!(
        after_first > after_second,
        "the later commit of the earlier id did not move the version"
    );
    assert_eq!(after_first.of(DataPart::Crm), start.of(DataPart::Crm) + 2);
}

/// A writer that checks other rows first takes its part's lock; on PostgreSQL a second such
/// writer of the same part waits until the first commits (SQLite's write transactions run
/// one at a time already), while a writer of another part does not wait.
#[tokio::test]
async fn on_postgres_writers_that_lock_a_part_run_one_after_the_other() {
    let Some(db) = TestDb::postgres("part_locks").await else {
        return;
    };
    let store = db.store().await;
    let mut first = store.begin().await.unwrap();
    first.lock(DataPart::People).await.unwrap();
    let mut other_part = store.begin().await.unwrap();
    other_part.lock(DataPart::Accounts).await.unwrap();
    other_part.rollback().await.unwrap();
    let mut waiting = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut second = store.begin().await.unwrap();
            second.lock(DataPart::People).await.unwrap();
            second.rollback().await.unwrap();
        })
    };
    let waited = tokio::time::timeout(std::time::Duration::from_millis(300), &mut waiting).await;
    assert!(
        waited.is_err(),
        "the second writer did not wait for the lock"
    );
    first.commit().await.unwrap();
    waiting.await.unwrap();
}

fn now() -> jiff::Timestamp {
    jiff::Timestamp::from_second(1_790_000_000).unwrap()
}

fn org(name: &str) -> OrganizationFields {
    OrganizationFields {
        name: OrganizationName::parse(name).unwrap(),
        long_name: Some(format!("{name} University")),
        kind: OrganizationKind::Community,
        website: None,
        github_org: Some(name.to_owned()),
        notes: Some("*Markdown* notes".into()),
        tags: Vec::new(),
    }
}

fn entry(kind: EntityKind, id: &str, action: Action) -> AuditEntry {
    AuditEntry {
        at: now(),
        actor: Actor::parse("ada@example.org").unwrap(),
        source: Source::Cli,
        entity: kind,
        entity_id: id.to_owned(),
        action,
        before: None,
        after: Some(serde_json::json!({ "n": id })),
    }
}

async fn a_new_database_is_migrated_to_the_current_schema(db: &TestDb) {
    let unchecked = Store::open(&db.url, OpenMode::Unchecked).await.unwrap();
    let status = unchecked.schema_status().await.unwrap();
    assert!(
        matches!(status, SchemaStatus::Outdated { applied: 0, .. }),
        "{status:?}"
    );
    let opened = Store::open(&db.url, OpenMode::Checked).await;
    match db.url.backend() {
        // SQLite is migrated on first use…
        bearing_store::Backend::Sqlite => assert!(opened.is_ok()),
        // …PostgreSQL waits for `bearing migrate`.
        bearing_store::Backend::Postgres => {
            let err = opened.unwrap_err();
            assert!(matches!(err, StoreError::Outdated { applied: 0, .. }));
            assert!(err.to_string().contains("run `bearing migrate`"), "{err}");
        }
    }
    let store = db.store().await;
    assert!(matches!(
        store.schema_status().await.unwrap(),
        SchemaStatus::Current { .. }
    ));
    assert_eq!(
        store.migrate().await.unwrap(),
        Vec::<i64>::new(),
        "a second run applies nothing"
    );
    assert!(store.is_empty().await.unwrap());
    store.ping().await.unwrap();
}

async fn the_default_pipeline_has_its_stages_in_order(db: &TestDb) {
    let store = db.store().await;
    let stages = store.list_stages().await.unwrap();
    let names: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Enrichment",
            "Outreach",
            "Discovery",
            "Renewal",
            "Proposal",
            "Contract Admin",
            "Closed Won",
            "Closed Lost",
            "Closed Won Complete"
        ]
    );
    assert!(
        stages
            .iter()
            .all(|s| s.pipeline == "Membership Sales" && !s.retired)
    );
    let open = stages
        .iter()
        .filter(|s| s.outcome == StageOutcome::Open)
        .count();
    assert_eq!(open, 6);
    let won = &stages[6];
    assert_eq!(
        (won.default_probability, won.forecast_category),
        (1.0, ForecastCategory::Closed)
    );
    assert_eq!(stages[7].default_probability, 0.0);
}

async fn organizations_are_written_read_and_soft_deleted(db: &TestDb) {
    let store = db.store().await;
    let mut tx = store.begin().await.unwrap();
    let created = tx.insert_organization(&org("bids"), now()).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(created.fields, org("bids"));
    assert_eq!(
        bearing_store::timestamp_text(created.created_at),
        "2026-09-21T14:13:20.000000Z"
    );
    assert_eq!(store.get_organization(created.id).await.unwrap(), created);

    let mut changed = org("bids");
    changed.kind = OrganizationKind::Partner;
    changed.notes = None;
    let mut tx = store.begin().await.unwrap();
    let updated = tx
        .update_organization(created.id, &changed, now())
        .await
        .unwrap();
    tx.set_organization_deleted(created.id, Some(now()), now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(updated.fields, changed);

    assert!(store.list_organizations(false).await.unwrap().is_empty());
    let all = store.list_organizations(true).await.unwrap();
    assert_eq!(all.len(), 1);
    assert!(all[0].deleted_at.is_some());

    let mut tx = store.begin().await.unwrap();
    tx.set_organization_deleted(created.id, None, now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let found = store
        .find_organization_by_name(&changed.name)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.deleted_at, None);
    assert_eq!(found.fields.kind, OrganizationKind::Partner);
}

async fn a_second_organization_with_the_same_name_is_a_conflict(db: &TestDb) {
    let store = db.store().await;
    let mut tx = store.begin().await.unwrap();
    tx.insert_organization(&org("bids"), now()).await.unwrap();
    let err = tx
        .insert_organization(&org("bids"), now())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(err.to_string(), "an organization named bids already exists");
}

async fn audit_entries_are_listed_per_entity_in_order(db: &TestDb) {
    let store = db.store().await;
    let mut tx = store.begin().await.unwrap();
    tx.insert_audit(&entry(EntityKind::Deal, "1", Action::Create))
        .await
        .unwrap();
    tx.insert_audit(&entry(EntityKind::Organization, "1", Action::Create))
        .await
        .unwrap();
    let mut update = entry(EntityKind::Deal, "1", Action::Update);
    update.before = Some(serde_json::json!({ "stage": "Proposal", "amount": null }));
    update.source = Source::Import;
    tx.insert_audit(&update).await.unwrap();
    tx.commit().await.unwrap();

    let deal = store.list_audit(EntityKind::Deal, "1").await.unwrap();
    assert_eq!(deal.len(), 2);
    assert_eq!(
        (deal[0].action, deal[1].action),
        (Action::Create, Action::Update)
    );
    assert_eq!(deal[1].source, Source::Import);
    assert_eq!(deal[1].before, update.before);
    assert_eq!(deal[1].actor, "ada@example.org");
    assert_eq!(
        bearing_store::timestamp_text(deal[1].at),
        "2026-09-21T14:13:20.000000Z"
    );
    assert!(deal[0].id < deal[1].id);
    assert_eq!(
        store
            .list_audit(EntityKind::Organization, "1")
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store.list_audit(EntityKind::Deal, "2").await.unwrap(),
        vec![]
    );
    assert_eq!(store.count_audit().await.unwrap(), 3);
}

async fn the_audit_log_is_searched_newest_first_and_the_data_version_follows_it(db: &TestDb) {
    let store = db.store().await;
    assert_eq!(store.data_version().await.unwrap(), DataVersion::default());
    let mut tx = store.begin().await.unwrap();
    let at = |day: i8| {
        jiff::civil::date(2026, 9, day)
            .at(23, 59, 0, 0)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .unwrap()
            .timestamp()
    };
    let mut ids = Vec::new();
    for (day, actor, kind) in [
        (20, "ada@example.org", EntityKind::Deal),
        (21, "Grace_Hopper@example.org", EntityKind::Deal),
        (21, "ada@example.org", EntityKind::Organization),
        (22, "gracexhopper@example.org", EntityKind::Deal),
    ] {
        let mut e = entry(kind, "1", Action::Update);
        e.at = at(day);
        e.actor = Actor::parse(actor).unwrap();
        ids.push(tx.insert_audit(&e).await.unwrap());
    }
    tx.commit().await.unwrap();
    assert_eq!(ids.len(), 4);
    // One transaction moves the CRM's version once, however many rows it writes, and no other.
    let version = store.data_version().await.unwrap();
    for part in DataPart::ALL {
        let expected = i64::from(part == DataPart::Crm);
        assert_eq!(version.of(part), expected, "{}", part.as_str());
    }
    let search = |entity, actor: Option<&str>, from: Option<i8>, to: Option<i8>, limit| {
        let store = store.clone();
        let search = AuditSearch {
            entity,
            actor: actor.map(str::to_owned),
            from: from.map(|d| jiff::civil::date(2026, 9, d)),
            to: to.map(|d| jiff::civil::date(2026, 9, d)),
            hidden: Vec::new(),
        };
        async move {
            let (total, found) = store.search_audit(&search, limit).await.unwrap();
            (total, found.iter().map(|r| r.id).collect::<Vec<_>>())
        }
    };
    assert_eq!(
        search(None, None, None, None, 10).await,
        (4, vec![ids[3], ids[2], ids[1], ids[0]])
    );
    assert_eq!(
        search(None, None, None, None, 2).await,
        (4, vec![ids[3], ids[2]]),
        "the total counts what the limit leaves out"
    );
    assert_eq!(
        search(Some(EntityKind::Deal), None, Some(21), Some(21), 10).await,
        (1, vec![ids[1]]),
        "days are inclusive, late in the day too"
    );
    // `_` is a character to find, not a wildcard; case does not matter.
    assert_eq!(
        search(None, Some("GRACE_"), None, None, 10).await,
        (1, vec![ids[1]])
    );
    assert_eq!(search(None, Some("%"), None, None, 10).await, (0, vec![]));
    assert_eq!(
        search(Some(EntityKind::Contact), None, None, None, 10).await,
        (0, vec![])
    );
    // Hidden kinds are left out of the list and the count.
    let hidden = AuditSearch {
        hidden: vec![EntityKind::Deal],
        ..AuditSearch::default()
    };
    let (total, found) = store.search_audit(&hidden, 10).await.unwrap();
    assert_eq!(
        (total, found.iter().map(|r| r.id).collect::<Vec<_>>()),
        (1, vec![ids[2]])
    );
}

async fn the_database_refuses_to_alter_the_audit_log(db: &TestDb) {
    let store = db.store().await;
    let mut tx = store.begin().await.unwrap();
    tx.insert_audit(&entry(EntityKind::Deal, "1", Action::Create))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for sql in [
        "UPDATE audit_log SET actor = 'mallory'",
        "DELETE FROM audit_log",
    ] {
        let err = sqlx::query(sql).execute(store.pool()).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    if db.url.backend() == bearing_store::Backend::Postgres {
        let err = sqlx::query("TRUNCATE audit_log")
            .execute(store.pool())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("append-only"), "{err}");
    }
    let rows = store.list_all_audit().await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].actor, "ada@example.org");
}

async fn an_uncommitted_transaction_leaves_nothing_behind(db: &TestDb) {
    let store = db.store().await;
    let mut tx = store.begin().await.unwrap();
    tx.insert_organization(&org("bids"), now()).await.unwrap();
    tx.insert_audit(&entry(EntityKind::Organization, "1", Action::Create))
        .await
        .unwrap();
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    tx.insert_organization(&org("cal"), now()).await.unwrap();
    tx.rollback().await.unwrap();
    assert!(store.is_empty().await.unwrap());
    assert!(store.list_organizations(true).await.unwrap().is_empty());
}

async fn deals_keep_every_field(db: &TestDb) {
    let store = db.store().await;
    let stages = store.list_stages().await.unwrap();
    let won = stages.iter().find(|s| s.name == "Closed Won").unwrap();
    let mut tx = store.begin().await.unwrap();
    let bids = tx.insert_organization(&org("bids"), now()).await.unwrap();
    let first = DealRow {
        name: "BIDS 2025".into(),
        organization_id: Some(bids.id),
        pipeline_id: won.pipeline_id,
        stage_id: won.id,
        probability: Some(0.2999999999999999),
        forecast_category: Some(ForecastCategory::Commit),
        revenue_type: Some(RevenueType::parse("membership-premier").unwrap()),
        deal_type: DealType::NewBusiness,
        renews_deal_id: None,
        currency: Currency::USD,
        amount: Some(Money::from_minor(4_500_000, Currency::USD)),
        collected: Some(Money::from_minor(0, Currency::USD)),
        close_date: Some(date(2025, 8, 22)),
        contract_start: Some(date(2025, 8, 1)),
        contract_end: Some(date(2026, 7, 31)),
        target_start: None,
        target_end: Some(date(2026, 7, 31)),
        owner: Some("Avery Quinn".into()),
        campaign_id: None,
        loss_reason: None,
        agreement_url: Some("https://example.org/agreements/bids-2025.pdf".into()),
        engagement_url: None,
        tracker_url: None,
    };
    let a = tx.insert_deal(&first, now()).await.unwrap();
    let renewal = DealRow {
        renews_deal_id: Some(a.id),
        deal_type: DealType::Renewal,
        amount: None,
        collected: None,
        probability: None,
        ..first.clone()
    };
    let b = tx.insert_deal(&renewal, now()).await.unwrap();
    // A known probability after an unknown one: the statement must not keep the NULL's type.
    // Lists are read as JSON: a name JSON escapes, and a probability that needs 17 digits.
    let third = DealRow {
        name: "Ünïcode \"quoted\" \\ and\na line break".into(),
        probability: Some(0.1 + 0.2),
        ..renewal.clone()
    };
    let c = tx.insert_deal(&third, now()).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(c.row, third);
    assert_eq!(a.row, first);
    let b = store.get_deal(b.id).await.unwrap();
    assert_eq!(b.row, renewal);
    assert_eq!(store.count_deals().await.unwrap(), 3);
    assert_eq!(store.list_deals(false).await.unwrap(), [a, b, c]);
    let missing = bearing_core::DealId::new(999).unwrap();
    assert!(matches!(
        store.get_deal(missing).await,
        Err(StoreError::NotFound { kind: "deal", .. })
    ));
}

async fn a_database_from_a_newer_bearing_is_refused(db: &TestDb) {
    let store = db.store().await;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (99990101000000, 'from the future', TRUE, $1, 0)",
    )
    .bind(vec![0_u8; 48])
    .execute(store.pool())
    .await
    .unwrap();
    assert!(matches!(
        store.schema_status().await.unwrap(),
        SchemaStatus::Newer { .. }
    ));
    let err = Store::open(&db.url, OpenMode::Checked).await.unwrap_err();
    assert!(err.to_string().contains("upgrade Bearing"), "{err}");
}

async fn backups_are_for_sqlite_only(db: &TestDb) {
    let store = db.store().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.db");
    let result = store.backup_to(&file).await;
    match db.url.backend() {
        bearing_store::Backend::Sqlite => {
            result.unwrap();
            assert!(file.is_file());
            let again = store.backup_to(&file).await.unwrap_err();
            assert!(again.to_string().contains("never overwrites"), "{again}");
        }
        bearing_store::Backend::Postgres => {
            let err = result.unwrap_err();
            assert!(err.to_string().contains("pg_dump"), "{err}");
            assert!(!file.exists());
        }
    }
}

async fn batched_deals_keep_their_order_and_later_ids_stay_unique(db: &TestDb) {
    let store = db.store().await;
    let stages = store.list_stages().await.unwrap();
    let open = stages.iter().find(|s| s.name == "Outreach").unwrap();
    let row = |name: &str| DealRow {
        name: name.into(),
        organization_id: None,
        pipeline_id: open.pipeline_id,
        stage_id: open.id,
        probability: None,
        forecast_category: None,
        revenue_type: None,
        deal_type: DealType::NewBusiness,
        renews_deal_id: None,
        currency: Currency::USD,
        amount: None,
        collected: None,
        close_date: None,
        contract_start: None,
        contract_end: None,
        target_start: None,
        target_end: None,
        owner: None,
        campaign_id: None,
        loss_reason: None,
        agreement_url: None,
        engagement_url: None,
        tracker_url: None,
    };
    let mut tx = store.begin().await.unwrap();
    let first = tx.insert_deal(&row("first"), now()).await.unwrap();
    let ids = tx.reserve_deal_ids(1_200).await.unwrap();
    let mut rows: Vec<DealRow> = (0..1_200).map(|i| row(&format!("deal {i}"))).collect();
    // A deal may renew one inserted with it, in the same statement or an earlier one.
    rows[1].renews_deal_id = Some(ids[0]);
    rows[700].renews_deal_id = Some(ids[699]);
    let created = tx.insert_deals_with_ids(&ids, &rows, now()).await.unwrap();
    let last = tx.insert_deal(&row("last"), now()).await.unwrap();
    tx.commit().await.unwrap();

    assert_eq!(created.len(), 1_200);
    assert!(ids.iter().all(|id| *id > first.id) && last.id > *ids.iter().max().unwrap());
    let stored = store.list_deals(false).await.unwrap();
    assert_eq!(stored.len(), 1_202);
    for record in &created {
        let found = stored.iter().find(|d| d.id == record.id).unwrap();
        assert_eq!(found.row, record.row);
    }
    assert_eq!(
        store.get_deal(ids[700]).await.unwrap().row.renews_deal_id,
        Some(ids[699])
    );
    let mut tx = store.begin().await.unwrap();
    let err = tx
        .insert_deals_with_ids(&ids[..2], &rows[..1], now())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("2 ids for 1 deals"), "{err}");
}

async fn a_job_runs_once_per_slot_however_many_instances_claim_it(db: &TestDb) {
    let store = db.store().await;
    let slot = now();
    let claims: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .claim_job_run("usage-pull", slot, &format!("instance-{i}"), slot)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut won = Vec::new();
    for claim in claims {
        won.extend(claim.await.unwrap());
    }
    assert_eq!(won.len(), 1, "one claim of eight wins the slot");
    let later = slot + jiff::SignedDuration::from_hours(6);
    let next = store
        .claim_job_run("usage-pull", later, "instance-3", later)
        .await
        .unwrap();
    assert!(next.is_some(), "the next slot is claimed afresh");
    assert!(
        store
            .claim_job_run("another-job", slot, "instance-3", slot)
            .await
            .unwrap()
            .is_some(),
        "another job's slot is its own"
    );
    store
        .finish_job_run(won[0], true, "418 new samples", later)
        .await
        .unwrap();
    assert!(matches!(
        store.finish_job_run(won[0], false, "again", later).await,
        Err(StoreError::NotFound { .. })
    ));
    let runs = store.list_job_runs(10).await.unwrap();
    assert_eq!(runs.len(), 3);
    assert!(runs.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    let first = runs.iter().find(|r| r.id == won[0]).unwrap();
    assert_eq!(
        (first.outcome.as_deref(), first.finished_at, first.slot),
        (Some("ok"), Some(later), slot)
    );
    assert_eq!(first.detail.as_deref(), Some("418 new samples"));
    assert!(
        runs.iter()
            .filter(|r| r.id != won[0])
            .all(|r| r.outcome.is_none())
    );
    assert_eq!(store.list_job_runs(1).await.unwrap().len(), 1);
}

fn ledger_line(
    month: &str,
    account: &str,
    cents: i64,
    description: &str,
) -> bearing_core::actuals::Line {
    bearing_core::actuals::Line {
        month: bearing_core::Month::parse(month).unwrap(),
        account: account.into(),
        account_name: None,
        description: Some(description.into()),
        amount_minor: cents,
        grant_code: Some("GR-1".into()),
        source: None,
    }
}

async fn a_months_ledger_lines_become_those_of_its_latest_file_and_none_is_lost(db: &TestDb) {
    let store = db.store().await;
    let oct = bearing_core::Month::parse("2026-10").unwrap();
    let at = "2026-11-02T09:00:00Z".parse::<jiff::Timestamp>().unwrap();
    let write = |lines: Vec<(&'static str, bearing_core::actuals::Line)>| {
        let store = store.clone();
        let lines: Vec<(String, bearing_core::actuals::Line)> =
            lines.into_iter().map(|(i, l)| (i.to_owned(), l)).collect();
        async move {
            let mut tx = store.begin().await.unwrap();
            let done = tx
                .write_month_lines(oct, &lines, "gl.csv", at)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            done
        }
    };
    let a = (
        "a",
        ledger_line("2026-10", "4221", 3_000_000, "Harbour membership"),
    );
    let b = (
        "b",
        ledger_line("2026-10", "6000", -12_345, "salary reversal"),
    );
    let c = ("c", ledger_line("2026-10", "7061", 99, "cloud"));
    let done = write(vec![a.clone(), b.clone()]).await;
    assert_eq!((done.added, done.kept, done.removed), (2, 0, 0));
    // The same file again changes nothing.
    let done = write(vec![a.clone(), b.clone()]).await;
    assert_eq!((done.added, done.kept, done.removed), (0, 2, 0));
    // A corrected file: b is gone (kept, marked deleted), c is new.
    let done = write(vec![a.clone(), c.clone()]).await;
    assert_eq!((done.added, done.kept, done.removed), (1, 1, 1));
    let lines = store.list_actual_lines().await.unwrap();
    let held: Vec<(&str, i64)> = lines
        .iter()
        .map(|l| (l.identity.as_str(), l.line.amount_minor))
        .collect();
    assert_eq!(held, [("a", 3_000_000), ("c", 99)]);
    assert_eq!(lines[0].line, a.1, "every field comes back");
    // b comes back when a file holds it again.
    let done = write(vec![a, b.clone(), c]).await;
    assert_eq!((done.added, done.kept, done.removed), (1, 2, 0));
    let lines = store.list_actual_lines().await.unwrap();
    assert!(lines.iter().any(|l| l.identity == "b" && l.line == b.1));
    assert_eq!(lines.len(), 3);
}

async fn closes_and_account_mappings_are_kept(db: &TestDb) {
    let store = db.store().await;
    let at = "2026-11-02T09:00:00Z".parse::<jiff::Timestamp>().unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.set_account(
        "6000",
        Some("Salaries"),
        bearing_core::actuals::Category::Travel,
        at,
    )
    .await
    .unwrap();
    tx.set_account(
        "6000",
        Some("Salaries"),
        bearing_core::actuals::Category::Personnel,
        at,
    )
    .await
    .unwrap();
    let close = bearing_store::NewClose {
        month: bearing_core::Month::parse("2026-10").unwrap(),
        net_assets_minor: 11_150_000,
        revenue_minor: 3_400_000,
        costs_minor: 2_250_000,
        reason: None,
        assumptions_version: 7,
        forecast: serde_json::json!({"start": "2026-10", "estimated": [0.1, 0.30000000000000004]}),
    };
    let first = tx
        .insert_close(
            &close,
            at,
            &Actor::parse("finance@example.org").unwrap(),
            Source::Web,
        )
        .await
        .unwrap();
    let again = bearing_store::NewClose {
        reason: Some("a late invoice".into()),
        ..close.clone()
    };
    let second = tx
        .insert_close(
            &again,
            at,
            &Actor::parse("finance@example.org").unwrap(),
            Source::Cli,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let accounts = store.list_accounts().await.unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(
        (accounts[0].code.as_str(), accounts[0].category),
        ("6000", bearing_core::actuals::Category::Personnel)
    );
    let closes = store.list_closes().await.unwrap();
    assert_eq!(
        closes.iter().map(|c| c.id).collect::<Vec<_>>(),
        [first, second]
    );
    assert_eq!(
        closes[0].forecast, close.forecast,
        "the frozen forecast keeps every digit"
    );
    assert_eq!(closes[1].reason.as_deref(), Some("a late invoice"));
    assert_eq!(closes[1].net_assets_minor, 11_150_000);
    assert_eq!(closes[1].source, Source::Cli);
}
