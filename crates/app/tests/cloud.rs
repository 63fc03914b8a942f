//! Cloud costs: a bill imported month by account (all or nothing, the same file twice
//! changing nothing), mapped to clusters, a shared cluster split among its hubs to the cent,
//! an overrun decided on, what each organization still owes, the billing run's cloud
//! invoices and the credits held for a partner, each with hand-worked figures.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use bearing_app::{AppError, Context, billing, cloud, history, invoices, organizations, usage};
use bearing_core::access::Role;
use bearing_core::cloud::SplitRule;
use bearing_core::invoice::{Kind, LineInput};
use bearing_core::organization::{OrganizationFields, OrganizationKind, OrganizationName};
use bearing_core::{
    Actor, Currency, Date, EntityKind, Money, Month, OrganizationId, Source, UserId,
};
use bearing_formats::cloud_costs::Columns;
use bearing_store::Store;
use bearing_store::testing::TestDb;

bearing_store::on_both_backends!(
    a_bill_is_allocated_to_the_cent_and_what_is_owed_is_listed,
    an_import_is_all_or_nothing_and_the_same_file_twice_changes_nothing,
    an_overrun_decided_moves_what_is_borne_and_credits_last_at_the_burn,
    only_finance_sees_and_changes_cloud_costs,
);

fn finance() -> Context {
    Context::new(Actor::parse("fin@example.org").unwrap(), Source::Cli)
        .at("2026-11-15T10:00:00Z".parse().unwrap())
}

fn day(text: &str) -> Date {
    bearing_core::parse_date(text).unwrap()
}

fn month(text: &str) -> Month {
    Month::parse(text).unwrap()
}

async fn organization(store: &Store, name: &str) -> OrganizationId {
    organizations::create(
        store,
        &finance(),
        OrganizationFields {
            name: OrganizationName::parse(name).unwrap(),
            long_name: Some(format!("The {name} community")),
            kind: OrganizationKind::Community,
            website: None,
            github_org: None,
            notes: None,
            tags: Vec::new(),
        },
    )
    .await
    .unwrap()
    .id
}

async fn owned_by(store: &Store, unit: &str, owner: OrganizationId) {
    let unit = usage::find_unit(store, unit).await.unwrap();
    let mut fields = unit.fields.clone();
    fields.organization = Some(owner);
    usage::update_unit(store, &finance(), unit.id, fields)
        .await
        .unwrap();
}

/// Three communities: atlantis and lemuria share the cluster `commons` through a hub each
/// (60 and 40 active users in October), mu has the cluster `mu-cloud` to itself.
async fn setup(store: &Store) -> (OrganizationId, OrganizationId, OrganizationId) {
    let ctx = finance();
    let atlantis = organization(store, "atlantis").await;
    let lemuria = organization(store, "lemuria").await;
    let mu = organization(store, "mu").await;
    let hubs = "date,hub,users,cluster\n2026-10-31,atlantis-hub,60,commons\n2026-10-31,lemuria-hub,40,commons\n";
    usage::import(store, &ctx, "hubs.csv", hubs.as_bytes(), false)
        .await
        .unwrap();
    let cluster = "cluster,date,unique_users\nmu-cloud,2026-10-31,5\n";
    usage::import(store, &ctx, "mu.csv", cluster.as_bytes(), false)
        .await
        .unwrap();
    owned_by(store, "commons/atlantis-hub", atlantis).await;
    owned_by(store, "commons/lemuria-hub", lemuria).await;
    owned_by(store, "mu-cloud", mu).await;
    for (kind, tag, value, cluster, recoverable) in [
        ("account", "", "111-AWS", "commons", true),
        ("sub-account", "", "mu-proj", "mu-cloud", true),
        ("tag", "project", "outreach", "commons", false),
    ] {
        cloud::map(
            store,
            &ctx,
            &cloud::MappingInput {
                kind: kind.into(),
                tag: tag.into(),
                value: value.into(),
                cluster: cluster.into(),
                hub: None,
                recoverable,
            },
        )
        .await
        .unwrap();
    }
    (atlantis, lemuria, mu)
}

const HEADER: &str = "BillingPeriodStart,BillingAccountId,SubAccountId,ServiceCategory,BilledCost,BillingCurrency,Tags\n";

/// Three months of $100.00, then October: $150.0025 on the shared cluster, $20.005 of mu's
/// project, $10.00 of outreach (absorbed) and $5.00 on an account no mapping knows.
fn bill() -> String {
    format!(
        "{HEADER}2026-07-01T00:00:00Z,111-AWS,,Compute,100,USD,{{}}
2026-08-01T00:00:00Z,111-AWS,,Compute,100,USD,{{}}
2026-09-01T00:00:00Z,111-AWS,,Compute,100,USD,{{}}
2026-10-01T00:00:00Z,111-AWS,,Compute,100.004,USD,{{}}
2026-10-01T00:00:00Z,111-AWS,,Storage,49.9985,USD,{{}}
2026-10-01T00:00:00Z,111-AWS,mu-proj,Compute,20.005,USD,{{}}
2026-10-01T00:00:00Z,111-AWS,,Compute,10,USD,\"{{\"\"project\"\":\"\"outreach\"\"}}\"
2026-10-01T00:00:00Z,999-GCP,,Compute,5,USD,{{}}
"
    )
}

async fn import(store: &Store, text: &str) -> cloud::CloudImport {
    cloud::import(
        store,
        &finance(),
        "bill.csv",
        text.as_bytes(),
        &Columns::default(),
        false,
    )
    .await
    .unwrap()
}

/// (organization, month, recoverable, billed, unrecovered) of every recovery row.
fn recovery(c: &cloud::Cloud) -> Vec<(String, String, i64, i64, i64)> {
    c.recovery
        .iter()
        .map(|r| {
            (
                r.organization.clone(),
                r.month.to_string(),
                r.recoverable_minor,
                r.billed_minor,
                r.unrecovered_minor,
            )
        })
        .collect()
}

async fn a_bill_is_allocated_to_the_cent_and_what_is_owed_is_listed(db: &TestDb) {
    let store = db.store().await;
    let ctx = finance();
    let (atlantis, _, _) = setup(&store).await;
    let done = import(&store, &bill()).await;
    assert_eq!(done.months.len(), 5);
    assert_eq!(done.unmapped, vec![("999-GCP".to_owned(), 1)]);
    let c = cloud::view(&store, &ctx).await.unwrap();
    // October's bill of 111-AWS: $150.0025 rounds to $150.00 on commons, $20.005 to $20.01
    // on mu-cloud, and outreach's $10.00: $180.01.
    let october = c
        .accounts
        .iter()
        .find(|a| a.account == "111-AWS" && a.month == month("2026-10"))
        .unwrap();
    assert_eq!(october.amount_minor, 18_001);
    assert_eq!(october.recoverable_minor, 17_001);
    assert_eq!(october.lines, 4);
    // Over its threshold: the mean of $100.00 × 3 months × 1.2 = $120.00, by $60.01.
    assert_eq!(october.overrun, Some((12_000, 6_001)));
    assert!(october.decision.is_none());
    assert_eq!(c.unmapped.len(), 1);
    assert_eq!(c.unmapped[0].amount_minor, 500);
    // The shared cluster splits by October's users, 60 : 40, to the cent, and the absorbed
    // outreach cost the same way; the earlier months had no users and split evenly.
    let oct: Vec<(Option<String>, bool, i64)> = c
        .allocations
        .iter()
        .filter(|a| a.month == month("2026-10"))
        .map(|a| (a.hub.clone(), a.recoverable, a.amount_minor))
        .collect();
    assert_eq!(
        oct,
        vec![
            (Some("atlantis-hub".into()), true, 9_000),
            (Some("lemuria-hub".into()), true, 6_000),
            (None, true, 2_001),
            (Some("atlantis-hub".into()), false, 600),
            (Some("lemuria-hub".into()), false, 400),
        ]
    );
    // Atlantis was billed $50.00 of October: $40.00 is left, and every month not recovered
    // is listed (the summer's months were never billed).
    invoices::add(
        &store,
        &ctx,
        invoices::NewDraft {
            number: None,
            organization: atlantis,
            deal: None,
            kind: Kind::Cloud,
            currency: None,
            service_from: Some(day("2026-10-01")),
            service_to: Some(day("2026-10-31")),
            billable_on: None,
            terms_days: None,
            external_id: None,
            source: None,
            lines: vec![LineInput {
                description: "Cloud costs, October".into(),
                quantity: None,
                unit: "50.00".into(),
            }],
        },
    )
    .await
    .unwrap();
    let c = cloud::view(&store, &ctx).await.unwrap();
    assert_eq!(
        recovery(&c),
        vec![
            ("atlantis".into(), "2026-07".into(), 5_000, 0, 5_000),
            ("atlantis".into(), "2026-08".into(), 5_000, 0, 5_000),
            ("atlantis".into(), "2026-09".into(), 5_000, 0, 5_000),
            ("atlantis".into(), "2026-10".into(), 9_000, 5_000, 4_000),
            ("lemuria".into(), "2026-07".into(), 5_000, 0, 5_000),
            ("lemuria".into(), "2026-08".into(), 5_000, 0, 5_000),
            ("lemuria".into(), "2026-09".into(), 5_000, 0, 5_000),
            ("lemuria".into(), "2026-10".into(), 6_000, 0, 6_000),
            ("mu".into(), "2026-10".into(), 2_001, 0, 2_001),
        ]
    );
    assert_eq!(c.gaps().count(), 9);
    // Billed $50.00 of $470.01 recoverable over the months.
    let (currency, ratio) = c.ratio[0];
    assert_eq!(currency, Currency::USD);
    assert!((ratio - 5_000.0 / 47_001.0).abs() < 1e-12, "{ratio}");
    // The billing run for October proposes what is left: atlantis's rest in one line, each
    // other organization's costs a line per cluster or hub; once made, nothing is left.
    let run = billing::run(&store, &ctx, month("2026-10")).await.unwrap();
    let proposed: Vec<(String, i64, Vec<String>)> = run
        .proposals
        .iter()
        .filter(|p| p.kind == Kind::Cloud)
        .map(|p| {
            (
                p.organization.clone(),
                p.total_minor,
                p.lines.iter().map(|l| l.description.clone()).collect(),
            )
        })
        .collect();
    assert_eq!(
        proposed,
        vec![
            (
                "atlantis".into(),
                4_000,
                vec!["Cloud costs of Oct 2026 not billed yet".into()]
            ),
            (
                "lemuria".into(),
                6_000,
                vec!["Cloud costs of commons, hub lemuria-hub, Oct 2026".into()]
            ),
            (
                "mu".into(),
                2_001,
                vec!["Cloud costs of mu-cloud, Oct 2026".into()]
            ),
        ]
    );
    let keys: Vec<String> = run
        .proposals
        .iter()
        .filter(|p| p.kind == Kind::Cloud)
        .map(|p| p.key.clone())
        .collect();
    billing::confirm(&store, &ctx, month("2026-10"), Some(&keys))
        .await
        .unwrap();
    let c = cloud::view(&store, &ctx).await.unwrap();
    assert!(
        c.recovery
            .iter()
            .filter(|r| r.month == month("2026-10"))
            .all(|r| r.unrecovered_minor == 0),
        "{:?}",
        c.recovery
    );
    let again = billing::run(&store, &ctx, month("2026-10")).await.unwrap();
    assert!(again.proposals.iter().all(|p| p.kind != Kind::Cloud));
    // The report lists every row with its status.
    let table = cloud::recovery_table(&c);
    assert_eq!(table.rows.len(), 9);
}

async fn an_import_is_all_or_nothing_and_the_same_file_twice_changes_nothing(db: &TestDb) {
    let store = db.store().await;
    let ctx = finance();
    setup(&store).await;
    // A bad cost on line 3 imports nothing and says where.
    let bad = format!(
        "{HEADER}2026-07-01,111-AWS,,Compute,100,USD,{{}}\n2026-08-01,111-AWS,,Compute,lots,USD,{{}}\n"
    );
    let err = cloud::import(
        &store,
        &ctx,
        "bad.csv",
        bad.as_bytes(),
        &Columns::default(),
        false,
    )
    .await
    .unwrap_err();
    let AppError::Import(rows) = err else {
        panic!("expected the rows' problems, got {err:?}")
    };
    assert_eq!(rows[0].line, 3);
    assert_eq!(rows[0].column, "BilledCost");
    assert!(store.list_cloud_costs().await.unwrap().is_empty());
    // A dry run writes nothing either.
    let dry = cloud::import(
        &store,
        &ctx,
        "bill.csv",
        bill().as_bytes(),
        &Columns::default(),
        true,
    )
    .await
    .unwrap();
    assert!(dry.dry_run);
    assert_eq!(dry.months.iter().map(|m| m.write.added).sum::<usize>(), 8);
    assert!(store.list_cloud_costs().await.unwrap().is_empty());
    import(&store, &bill()).await;
    let costs = store.list_cloud_costs().await.unwrap();
    let audit = history::of(&store, &ctx, EntityKind::CloudCost, "bill 111-AWS 2026-10")
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    // The same file again: every line kept, nothing written.
    let again = import(&store, &bill()).await;
    assert!(
        again
            .months
            .iter()
            .all(|m| m.write.added == 0 && m.write.removed == 0)
    );
    assert_eq!(store.list_cloud_costs().await.unwrap(), costs);
    assert_eq!(
        history::of(&store, &ctx, EntityKind::CloudCost, "bill 111-AWS 2026-10")
            .await
            .unwrap()
            .len(),
        1
    );
    // A corrected October of 111-AWS (the storage line gone) replaces that month only.
    let corrected = format!(
        "{HEADER}2026-10-01,111-AWS,,Compute,100.004,USD,{{}}\n2026-10-01,111-AWS,mu-proj,Compute,20.005,USD,{{}}\n2026-10-01,111-AWS,,Compute,10,USD,\"{{\"\"project\"\":\"\"outreach\"\"}}\"\n"
    );
    let done = import(&store, &corrected).await;
    assert_eq!(done.months.len(), 1);
    assert_eq!(done.months[0].write.removed, 1);
    assert_eq!(done.months[0].write.kept, 3);
    assert_eq!(
        store.list_cloud_costs().await.unwrap().len(),
        costs.len() - 1
    );
    let c = cloud::view(&store, &ctx).await.unwrap();
    let october = c
        .accounts
        .iter()
        .find(|a| a.account == "111-AWS" && a.month == month("2026-10"))
        .unwrap();
    // $100.004 → $100.00, $20.005 → $20.01, $10.00.
    assert_eq!(october.amount_minor, 13_001);
    // The month the storage line comes back in, it is restored, not added twice.
    import(&store, &bill()).await;
    assert_eq!(store.list_cloud_costs().await.unwrap().len(), costs.len());
}

async fn an_overrun_decided_moves_what_is_borne_and_credits_last_at_the_burn(db: &TestDb) {
    let store = db.store().await;
    let ctx = finance();
    let (_, _, mu) = setup(&store).await;
    import(&store, &bill()).await;
    // Only a month over its threshold is decided on, with a reason.
    let refused = cloud::decide(
        &store,
        &ctx,
        "111-AWS",
        month("2026-09"),
        &cloud::DecisionInput::new("absorb", None),
        "a test",
    )
    .await;
    assert!(
        matches!(refused, Err(AppError::Invalid { .. })),
        "{refused:?}"
    );
    let refused = cloud::decide(
        &store,
        &ctx,
        "111-AWS",
        month("2026-10"),
        &cloud::DecisionInput::new("absorb", None),
        " ",
    )
    .await;
    assert!(
        matches!(refused, Err(AppError::Invalid { .. })),
        "{refused:?}"
    );
    // A discount needs its amount, and one above the month's cost is refused.
    for (amount, field) in [
        (None, "amount"),
        (Some("180.02"), "amount"),
        (Some("ten"), "amount"),
    ] {
        let refused = cloud::decide(
            &store,
            &ctx,
            "111-AWS",
            month("2026-10"),
            &cloud::DecisionInput::new("discount", amount),
            "a reason",
        )
        .await;
        assert!(
            matches!(&refused, Err(AppError::Invalid { field: f, .. }) if f == field),
            "{refused:?}"
        );
    }
    // A discount of $30.00 is borne by the organisation, taken from the month's recoverable
    // allocations in proportion: 9,000 : 6,000 : 2,001 of 3,000 cents is 1,588.14, 1,058.76
    // and 353.10, rounded down to 2,999 with the cent left to the largest.
    let decided = cloud::decide(
        &store,
        &ctx,
        "111-AWS",
        month("2026-10"),
        &cloud::DecisionInput::new("discount", Some("30.00")),
        "first month of the new storage tier",
    )
    .await
    .unwrap();
    assert_eq!(decided.decided_by, "fin@example.org");
    let c = cloud::view(&store, &ctx).await.unwrap();
    let october: Vec<(String, i64)> = c
        .recovery
        .iter()
        .filter(|r| r.month == month("2026-10"))
        .map(|r| (r.organization.clone(), r.recoverable_minor))
        .collect();
    assert_eq!(
        october,
        vec![
            ("atlantis".into(), 7_411),
            ("lemuria".into(), 4_942),
            ("mu".into(), 1_648)
        ]
    );
    let borne: i64 = c
        .allocations
        .iter()
        .filter(|a| a.by_decision)
        .map(|a| a.amount_minor)
        .sum();
    assert_eq!(borne, 3_000);
    let overrun = c.overruns().next().unwrap();
    assert_eq!(
        overrun.decision.as_ref().unwrap().reason,
        "first month of the new storage tier"
    );
    // Absorbing it instead bears the $60.01 it went over; the latest decision is in force and
    // both are in its history.
    cloud::decide(
        &store,
        &ctx,
        "111-AWS",
        month("2026-10"),
        &cloud::DecisionInput::new("absorb", None),
        "we launched the tier early",
    )
    .await
    .unwrap();
    let c = cloud::view(&store, &ctx).await.unwrap();
    let borne: i64 = c
        .allocations
        .iter()
        .filter(|a| a.by_decision)
        .map(|a| a.amount_minor)
        .sum();
    assert_eq!(borne, 6_001);
    assert_eq!(c.decisions.len(), 2);
    assert_eq!(
        history::of(
            &store,
            &ctx,
            EntityKind::CloudCost,
            "overrun 111-AWS 2026-10"
        )
        .await
        .unwrap()
        .len(),
        2
    );
    // Credits of $100.00 held for mu from September are drawn by what mu owes: nothing then,
    // and in October $20.01 less its part of the $60.01 absorbed (6,001 × 2,001 ÷ 17,001 =
    // 706.31, rounded down; the two cents left go to the larger parts), $12.95. A balance of
    // $87.05 at a burn of $6.48 (the mean of $0 and $12.95, half a cent away from zero)
    // lasts 13.43 months.
    cloud::add_credit(
        &store,
        &ctx,
        mu,
        Money::from_minor(10_000, Currency::USD),
        day("2026-09-01"),
        Some("research credits"),
    )
    .await
    .unwrap();
    let c = cloud::view(&store, &ctx).await.unwrap();
    assert_eq!(c.credits.len(), 1);
    let held = &c.credits[0];
    assert_eq!(
        held.drawn,
        vec![(month("2026-09"), 0), (month("2026-10"), 1_295)]
    );
    assert_eq!(held.credit.balance_minor, 8_705);
    assert_eq!(held.credit.burn_minor, 648);
    let left = held.credit.months_left.unwrap();
    assert!((left - 8_705.0 / 648.0).abs() < 1e-12, "{left}");
    // A credit dated after today, or of nothing, is refused.
    for (amount, on) in [(5_000, "2026-12-01"), (0, "2026-10-01")] {
        let refused = cloud::add_credit(
            &store,
            &ctx,
            mu,
            Money::from_minor(amount, Currency::USD),
            day(on),
            None,
        )
        .await;
        assert!(
            matches!(refused, Err(AppError::Invalid { .. })),
            "{refused:?}"
        );
    }
    // A fixed split moves the shared cluster's October: 75% and 25% of $150.00 are $112.50
    // and $37.50; absorbing $60.01 of 11,250 : 3,750 : 2,001 takes 3,971.02, 1,323.67 and
    // 706.31 cents, rounded down to 6,000 with the cent left to the largest.
    cloud::set_split(
        &store,
        &ctx,
        "commons",
        &SplitRule::parse("fixed atlantis-hub=75, lemuria-hub=25").unwrap(),
    )
    .await
    .unwrap();
    let c = cloud::view(&store, &ctx).await.unwrap();
    let october: Vec<(String, i64)> = c
        .recovery
        .iter()
        .filter(|r| r.month == month("2026-10"))
        .map(|r| (r.organization.clone(), r.recoverable_minor))
        .collect();
    assert_eq!(
        october,
        vec![
            ("atlantis".into(), 11_250 - 3_972),
            ("lemuria".into(), 3_750 - 1_323),
            ("mu".into(), 2_001 - 706)
        ]
    );
    assert_eq!(c.split_rules[0].0, "commons");
    assert!(c.split_rules[0].2);
    // Shares naming a hub the cluster lacks are refused.
    let refused = cloud::set_split(
        &store,
        &ctx,
        "commons",
        &SplitRule::parse("fixed atlantis-hub=50, atlantis-two=50").unwrap(),
    )
    .await;
    assert!(
        matches!(refused, Err(AppError::Invalid { .. })),
        "{refused:?}"
    );
}

async fn only_finance_sees_and_changes_cloud_costs(db: &TestDb) {
    let store = db.store().await;
    setup(&store).await;
    import(&store, &bill()).await;
    let user = |role: Role| {
        Context::user(
            Actor::parse("someone@example.org").unwrap(),
            Source::Web,
            UserId::new(7).unwrap(),
            role.permissions(),
        )
    };
    for role in [Role::Member, Role::Partnerships] {
        let ctx = user(role);
        assert!(matches!(
            cloud::view(&store, &ctx).await,
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            cloud::import(
                &store,
                &ctx,
                "b.csv",
                bill().as_bytes(),
                &Columns::default(),
                false
            )
            .await,
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            cloud::decide(
                &store,
                &ctx,
                "111-AWS",
                month("2026-10"),
                &cloud::DecisionInput::new("absorb", None),
                "x"
            )
            .await,
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            history::of(&store, &ctx, EntityKind::CloudCost, "bill 111-AWS 2026-10").await,
            Err(AppError::Forbidden(_))
        ));
    }
    let ctx = user(Role::Finance);
    assert_eq!(cloud::view(&store, &ctx).await.unwrap().accounts.len(), 5);
    assert!(store.list_cloud_decisions().await.unwrap().is_empty());
}
