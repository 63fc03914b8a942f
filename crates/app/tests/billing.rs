//! Billing schedules and the billing run: a won deal's instalments up to the month, each
//! cluster's usage fee priced like the usage report and billed to its owner, drafts made once,
//! and what cannot be billed named with what to do.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use bearing_app::{AppError, Context, billing, deals, history, invoices, organizations, usage};
use bearing_core::access::Role;
use bearing_core::billing::{Frequency, Timing};
use bearing_core::deal::{DealFields, RevenueType};
use bearing_core::invoice::{Kind, Status};
use bearing_core::organization::{OrganizationFields, OrganizationKind, OrganizationName};
use bearing_core::{Actor, Date, DealId, EntityKind, Month, Source, UserId};
use bearing_store::Store;
use bearing_store::testing::TestDb;

bearing_store::on_both_backends!(
    a_deals_instalments_are_billed_once_each_up_to_the_month,
    the_usage_line_is_the_usage_reports_fee_billed_to_the_clusters_owner,
    what_cannot_be_billed_is_named_and_refusals_change_nothing,
    confirming_twice_at_once_bills_once,
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

async fn organization(store: &Store, name: &str) -> bearing_core::OrganizationId {
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

/// A won membership of $10,000.01 from 15 Jan 2026 for a year, with `collected` typed in the
/// CRM.
async fn won_deal(store: &Store, org: &str, collected: Option<i64>) -> DealId {
    let mut fields = DealFields::new("Hub for Atlantis", "Membership Sales", "Closed Won");
    fields.organization = Some(OrganizationName::parse(org).unwrap());
    fields.revenue_type = Some(RevenueType::parse("membership-premier").unwrap());
    fields.amount_minor = Some(1_000_001);
    fields.collected_minor = collected;
    fields.contract_start = Some(day("2026-01-15"));
    fields.contract_end = Some(day("2027-01-14"));
    deals::create(store, &finance(), fields).await.unwrap().id
}

fn quarterly() -> billing::ScheduleInput {
    billing::ScheduleInput {
        timing: Timing::Advance,
        frequency: Frequency::Quarterly,
        milestones: Vec::new(),
    }
}

fn summary(run: &billing::Run) -> Vec<(String, i64, String)> {
    run.proposals
        .iter()
        .map(|p| (p.billable_on.to_string(), p.total_minor, p.reason.clone()))
        .collect()
}

async fn a_deals_instalments_are_billed_once_each_up_to_the_month(db: &TestDb) {
    let store = db.store().await;
    let ctx = finance();
    organization(&store, "atlantis").await;
    let deal = won_deal(&store, "atlantis", None).await;
    // Without a schedule of its own a membership is billed yearly in advance.
    let default = billing::of_deal(&store, &ctx, deal).await.unwrap();
    assert!(!default.own);
    assert_eq!(default.schedule.words(), "yearly, in advance");
    assert_eq!(default.instalments.unwrap().len(), 1);
    let set = billing::set(&store, &ctx, deal, quarterly()).await.unwrap();
    assert!(set.own);
    let history = history::of(&store, &ctx, EntityKind::BillingSchedule, &deal.to_string())
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    // Through July: the first three quarters, the cent left over on the first.
    let run = billing::run(&store, &ctx, month("2026-07")).await.unwrap();
    assert_eq!(
        summary(&run),
        [
            (
                "2026-01-15".to_owned(),
                250_001,
                "instalment 1 of 4 (quarterly, in advance)".to_owned()
            ),
            (
                "2026-04-15".to_owned(),
                250_000,
                "instalment 2 of 4 (quarterly, in advance)".to_owned()
            ),
            (
                "2026-07-15".to_owned(),
                250_000,
                "instalment 3 of 4 (quarterly, in advance)".to_owned()
            ),
        ]
    );
    let first = &run.proposals[0];
    assert_eq!(first.organization_name, "The atlantis community");
    assert_eq!(first.kind, Kind::Membership);
    assert_eq!(first.service_to, Some(day("2026-04-14")));
    assert_eq!(
        first.lines[0].description,
        "Hub for Atlantis, 15 Jan 2026 – 14 Apr 2026"
    );
    assert_eq!(run.totals()[0].minor, 750_001);
    // Only the first, then the rest: numbered in order, drafts, billable on their days.
    let made = billing::confirm(
        &store,
        &ctx,
        month("2026-07"),
        Some(&[run.proposals[0].key.clone()]),
    )
    .await
    .unwrap();
    assert_eq!(made.len(), 1);
    assert_eq!(made[0].record.number, "INV-00001");
    assert_eq!(made[0].status, Status::Draft);
    assert_eq!(made[0].record.deal_id, Some(deal));
    assert_eq!(made[0].record.billable_on, Some(day("2026-01-15")));
    let made = billing::confirm(&store, &ctx, month("2026-07"), None)
        .await
        .unwrap();
    let numbers: Vec<&str> = made.iter().map(|i| i.record.number.as_str()).collect();
    assert_eq!(numbers, ["INV-00002", "INV-00003"]);
    // Nothing is billed twice; the next run bills the next quarter.
    let again = billing::run(&store, &ctx, month("2026-07")).await.unwrap();
    assert!(again.proposals.is_empty(), "{:?}", summary(&again));
    assert!(
        billing::confirm(&store, &ctx, month("2026-07"), None)
            .await
            .unwrap()
            .is_empty()
    );
    let october = billing::run(&store, &ctx, month("2026-10")).await.unwrap();
    assert_eq!(summary(&october).len(), 1);
    assert_eq!(october.proposals[0].billable_on, day("2026-10-15"));
    // A void invoice bills nothing: its instalment is due again.
    invoices::void(&store, &ctx, "INV-00002", "billed by mistake")
        .await
        .unwrap();
    let run = billing::run(&store, &ctx, month("2026-07")).await.unwrap();
    assert_eq!(
        summary(&run)
            .iter()
            .map(|(d, a, _)| (d.as_str(), *a))
            .collect::<Vec<_>>(),
        [("2026-04-15", 250_000)]
    );
    // Billed in full, by invoices on other days: nothing is left to propose, ever.
    let extra = |amount: &str| invoices::NewDraft {
        number: None,
        organization: made[0].record.organization_id,
        deal: Some(deal),
        kind: Kind::Membership,
        currency: None,
        service_from: None,
        service_to: None,
        billable_on: None,
        terms_days: None,
        external_id: None,
        source: None,
        lines: vec![bearing_core::invoice::LineInput::parse(&format!("Rest; {amount}")).unwrap()],
    };
    // 250,000 (void) gave back; 1,000,001 − 250,001 − 250,000 = 500,000 is left.
    invoices::add(&store, &ctx, extra("5000.00")).await.unwrap();
    let later = billing::run(&store, &ctx, month("2027-01")).await.unwrap();
    assert!(later.proposals.is_empty(), "{:?}", summary(&later));
    assert!(later.attention.is_empty(), "{:?}", later.attention);
    // A cent more than the amount is named, not billed.
    invoices::add(&store, &ctx, extra("0.01")).await.unwrap();
    let over = billing::run(&store, &ctx, month("2027-01")).await.unwrap();
    assert!(over.proposals.is_empty(), "{:?}", summary(&over));
    assert_eq!(over.attention.len(), 1, "{:?}", over.attention);
    assert!(
        over.attention[0]
            .problem
            .contains("its invoices bill $10,000.02, more than its amount, $10,000.01"),
        "{:?}",
        over.attention
    );
}

async fn the_usage_line_is_the_usage_reports_fee_billed_to_the_clusters_owner(db: &TestDb) {
    let store = db.store().await;
    let ctx = finance();
    let owner = organization(&store, "atlantis").await;
    let samples = "cluster,date,unique_users\nwest,2026-10-31,280\neast,2026-10-31,7\nlonely,2026-10-31,12\nwest,2026-11-10,300\n";
    usage::import(&store, &ctx, "u.csv", samples.as_bytes(), false)
        .await
        .unwrap();
    for cluster in ["west", "east"] {
        let unit = usage::find_unit(&store, cluster).await.unwrap();
        let mut fields = unit.fields.clone();
        fields.organization = Some(owner);
        usage::update_unit(&store, &ctx, unit.id, fields)
            .await
            .unwrap();
    }
    let run = billing::run(&store, &ctx, month("2026-10")).await.unwrap();
    assert!(run.usage_included);
    assert_eq!(run.proposals.len(), 1);
    let usage_invoice = &run.proposals[0];
    assert_eq!(usage_invoice.kind, Kind::Usage);
    assert_eq!(usage_invoice.reason, "usage of 2 clusters");
    // Billed the day after the month, in arrears.
    assert_eq!(usage_invoice.billable_on, day("2026-11-01"));
    // west: 280 users = $1,000 in three tiers; east: 7 users × $10 = $70.
    let amounts: Vec<(String, i64)> = usage_invoice
        .lines
        .iter()
        .map(|l| (l.description.clone(), l.amount_minor))
        .collect();
    assert_eq!(
        amounts,
        [
            ("east, Oct 2026: active users 1–7".to_owned(), 7_000),
            ("west, Oct 2026: active users 1–10".to_owned(), 10_000),
            ("west, Oct 2026: active users 11–100".to_owned(), 45_000),
            ("west, Oct 2026: active users 101–280".to_owned(), 45_000),
        ]
    );
    assert_eq!(usage_invoice.total_minor, 107_000);
    // The same fees as the usage report's, cluster by cluster.
    let (_, a) = bearing_app::assumptions::current(&store, day("2026-11-15"))
        .await
        .unwrap();
    let report = usage::report(&store, &a).await.unwrap();
    let fee_of = |cluster: &str| -> i64 {
        let row = report
            .rows
            .iter()
            .find(|r| r[0].as_deref() == Some(cluster) && r[1].as_deref() == Some("2026-10"))
            .unwrap();
        bearing_core::Money::parse(row[3].as_deref().unwrap(), bearing_core::Currency::USD)
            .unwrap()
            .minor
    };
    let line_total = |cluster: &str| -> i64 {
        usage_invoice
            .lines
            .iter()
            .filter(|l| l.description.starts_with(&format!("{cluster},")))
            .map(|l| l.amount_minor)
            .sum()
    };
    assert_eq!(line_total("west"), fee_of("west"));
    assert_eq!(line_total("east"), fee_of("east"));
    // The cluster no one owns is named, not billed.
    assert_eq!(run.attention.len(), 1);
    assert_eq!(run.attention[0].name, "lonely");
    assert!(run.attention[0].problem.contains("no organization owns it"));
    // November is not over: its usage is not billed yet.
    let november = billing::run(&store, &ctx, month("2026-11")).await.unwrap();
    assert!(!november.usage_included);
    assert!(november.proposals.is_empty());
    // Once made, the month's usage invoice is not proposed again.
    let made = billing::confirm(&store, &ctx, month("2026-10"), None)
        .await
        .unwrap();
    assert_eq!(made[0].record.total_minor, 107_000);
    assert_eq!(made[0].record.service_from, Some(day("2026-10-01")));
    let again = billing::run(&store, &ctx, month("2026-10")).await.unwrap();
    assert!(again.proposals.is_empty());
}

async fn what_cannot_be_billed_is_named_and_refusals_change_nothing(db: &TestDb) {
    let store = db.store().await;
    let ctx = finance();
    organization(&store, "atlantis").await;
    // $5,000.00 typed as collected before any invoice: the first instalment and all but a
    // cent of the second were billed outside Bearing.
    let deal = won_deal(&store, "atlantis", Some(500_000)).await;
    billing::set(&store, &ctx, deal, quarterly()).await.unwrap();
    let run = billing::run(&store, &ctx, month("2026-04")).await.unwrap();
    assert_eq!(
        summary(&run),
        [(
            "2026-04-15".to_owned(),
            1,
            "instalment 2 of 4, the rest of it (quarterly, in advance)".to_owned()
        )]
    );
    // Milestones that do not add up to the deal are refused, saying so, and change nothing.
    let milestones = |days: &[&str]| billing::ScheduleInput {
        timing: Timing::Advance,
        frequency: Frequency::Custom,
        milestones: days
            .iter()
            .map(|m| billing::MilestoneInput::parse(m).unwrap())
            .collect(),
    };
    let refused = billing::set(&store, &ctx, deal, milestones(&["2026-02-01=9000"]))
        .await
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("the milestones add up to $9,000.00, the deal's amount is $10,000.01"),
        "{refused}"
    );
    assert_eq!(
        billing::of_deal(&store, &ctx, deal)
            .await
            .unwrap()
            .schedule
            .words(),
        "quarterly, in advance"
    );
    // Milestones that stop adding up when the deal's amount changes are named by the run.
    billing::set(
        &store,
        &ctx,
        deal,
        milestones(&["2026-02-01=5000", "2026-05-01=5000.01"]),
    )
    .await
    .unwrap();
    let mut fields = deals::get(&store, deal).await.unwrap().fields;
    fields.amount_minor = Some(900_000);
    deals::edit(&store, &ctx, deal, fields).await.unwrap();
    let run = billing::run(&store, &ctx, month("2026-04")).await.unwrap();
    assert!(run.proposals.is_empty());
    assert_eq!(run.attention.len(), 1);
    assert!(
        run.attention[0].problem.contains("make them agree"),
        "{}",
        run.attention[0].problem
    );
    // A won deal with no one to bill.
    let mut fields = DealFields::new("Workshop", "Membership Sales", "Closed Won");
    fields.amount_minor = Some(300_000);
    fields.contract_start = Some(day("2026-03-01"));
    fields.contract_end = Some(day("2026-03-31"));
    deals::create(&store, &ctx, fields).await.unwrap();
    let run = billing::run(&store, &ctx, month("2026-04")).await.unwrap();
    assert!(
        run.attention
            .iter()
            .any(|a| a.name == "Workshop" && a.problem.contains("no organization")),
        "{:?}",
        run.attention
    );
    // Only those who manage invoices set schedules and make drafts; a key no longer in the
    // run makes nothing.
    billing::set(&store, &ctx, deal, quarterly()).await.unwrap();
    let partnerships = Context::user(
        Actor::parse("sales@example.org").unwrap(),
        Source::Web,
        UserId::new(7).unwrap(),
        Role::Partnerships.permissions(),
    );
    assert!(matches!(
        billing::set(&store, &partnerships, deal, quarterly()).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        billing::confirm(&store, &partnerships, month("2026-04"), None).await,
        Err(AppError::Forbidden(_))
    ));
    let stale = billing::confirm(
        &store,
        &ctx,
        month("2026-04"),
        Some(&["deal-1-2026-01-15".to_owned()]),
    )
    .await;
    match stale {
        Err(AppError::Invalid { field, message }) => {
            assert_eq!(field, "only");
            assert!(message.contains("not in the billing run for 2026-04"));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        invoices::list(&store, &ctx, &Default::default())
            .await
            .unwrap()
            .is_empty()
    );
}

async fn confirming_twice_at_once_bills_once(db: &TestDb) {
    let store = db.store().await;
    let ctx = finance();
    organization(&store, "atlantis").await;
    let deal = won_deal(&store, "atlantis", None).await;
    billing::set(&store, &ctx, deal, quarterly()).await.unwrap();
    let july = month("2026-07");
    let run = billing::run(&store, &ctx, july).await.unwrap();
    let keys: Vec<String> = run.proposals.iter().map(|p| p.key.clone()).collect();
    assert_eq!(keys.len(), 3);
    // A double click: the same keys twice at once. One makes the drafts; the other finds
    // them billed and makes nothing.
    let (first, second) = tokio::join!(
        billing::confirm(&store, &ctx, july, Some(&keys)),
        billing::confirm(&store, &ctx, july, Some(&keys)),
    );
    let made: Vec<usize> = [&first, &second]
        .iter()
        .map(|r| r.as_ref().map_or(0, Vec::len))
        .collect();
    assert_eq!(made.iter().sum::<usize>(), 3, "{first:?} {second:?}");
    let refused = if first.is_ok() { second } else { first };
    assert!(
        refused
            .unwrap_err()
            .to_string()
            .contains("review the run again")
    );
    let list = invoices::list(&store, &ctx, &invoices::Filter::default())
        .await
        .unwrap();
    assert_eq!(list.len(), 3);
}
