//! Invoices and payments: a draft issued, paid in parts, refunded and voided, each change
//! audited and each refusal changing nothing; the aging on a past day; and the forecast's
//! collected amounts and flags following the invoices.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use bearing_app::invoices::{self, NewDraft, NewPayment};
use bearing_app::{AppError, Context, assumptions, deals, history, organizations, reports};
use bearing_core::deal::DealFields;
use bearing_core::invoice::{Kind, LineInput, Status};
use bearing_core::organization::{OrganizationFields, OrganizationKind, OrganizationName};
use bearing_core::{Actor, Date, EntityKind, OrganizationId, Source};
use bearing_store::Store;
use bearing_store::testing::TestDb;

bearing_store::on_both_backends!(
    an_invoice_is_issued_paid_refunded_and_voided_with_its_history,
    refusals_name_what_is_wrong_and_change_nothing,
    the_aging_on_a_past_day_ignores_later_payments,
    the_forecast_takes_collected_from_the_invoices_and_flags_a_typed_value_that_differs,
    a_drafts_lines_are_replaced_until_it_is_issued,
);

async fn a_drafts_lines_are_replaced_until_it_is_issued(db: &TestDb) {
    let store = db.store().await;
    let ctx = finance();
    let org = organization(&store, "atlantis").await;
    invoices::add(&store, &ctx, draft(org, &["Membership 2026; 12000"]))
        .await
        .unwrap();
    let lines = |typed: &[&str]| -> Vec<LineInput> {
        typed.iter().map(|l| LineInput::parse(l).unwrap()).collect()
    };
    // Two days of setup at $250.50 join the membership: $12,501.00.
    let edited = invoices::edit_lines(
        &store,
        &ctx,
        "INV-00001",
        &lines(&["Membership 2026; 12000", "Setup; 2; 250.50"]),
    )
    .await
    .unwrap();
    assert_eq!(edited.record.total_minor, 1_250_100);
    assert_eq!(edited.record.lines.len(), 2);
    assert_eq!(edited.record.lines[1].amount_minor, 50_100);
    // Bad lines are refused and change nothing.
    let audits = audit_rows(&store).await;
    for (typed, says) in [
        (lines(&[]), "at least one line"),
        (lines(&["Credit; -10"]), "nothing or less"),
    ] {
        let refused = invoices::edit_lines(&store, &ctx, "INV-00001", &typed)
            .await
            .unwrap_err();
        assert!(refused.to_string().contains(says), "{refused}");
    }
    assert_eq!(audit_rows(&store).await, audits);
    let kept = invoices::get(&store, &ctx, "INV-00001").await.unwrap();
    assert_eq!(kept.record.total_minor, 1_250_100);
    // The change is in the invoice's history, the lines before and after.
    let history = bearing_app::history::of(&store, &ctx, EntityKind::Invoice, "1")
        .await
        .unwrap();
    assert_eq!(history.len(), 2, "made, then its lines replaced");
    // Replaced again with one line, it holds that line alone.
    let again = invoices::edit_lines(&store, &ctx, "INV-00001", &lines(&["Membership; 9000"]))
        .await
        .unwrap();
    assert_eq!(again.record.lines.len(), 1);
    assert_eq!(again.record.total_minor, 900_000);
    // Once issued, its lines stay as they are.
    invoices::issue(&store, &ctx, "INV-00001", Some(day("2026-01-10")))
        .await
        .unwrap();
    let refused = invoices::edit_lines(&store, &ctx, "INV-00001", &lines(&["Membership; 1"]))
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, AppError::Conflict(m) if m.contains("void it and make a new one")),
        "{refused}"
    );
    let issued = invoices::get(&store, &ctx, "INV-00001").await.unwrap();
    assert_eq!(
        (issued.record.total_minor, issued.record.lines.len()),
        (900_000, 1)
    );
}

fn finance() -> Context {
    Context::new(Actor::parse("fin@example.org").unwrap(), Source::Cli)
        .at("2026-11-15T10:00:00Z".parse().unwrap())
}

fn day(text: &str) -> Date {
    bearing_core::parse_date(text).unwrap()
}

async fn organization(store: &Store, name: &str) -> OrganizationId {
    organizations::create(
        store,
        &finance(),
        OrganizationFields {
            name: OrganizationName::parse(name).unwrap(),
            long_name: None,
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

fn draft(organization: OrganizationId, lines: &[&str]) -> NewDraft {
    NewDraft {
        number: None,
        organization,
        deal: None,
        kind: Kind::Membership,
        currency: None,
        service_from: Some(day("2026-01-01")),
        service_to: Some(day("2026-12-31")),
        billable_on: None,
        terms_days: None,
        external_id: None,
        source: None,
        lines: lines.iter().map(|l| LineInput::parse(l).unwrap()).collect(),
    }
}

fn payment(on: &str, amount: &str) -> NewPayment {
    NewPayment {
        on: Some(day(on)),
        amount: amount.into(),
        reference: None,
    }
}

async fn audit_rows(store: &Store) -> i64 {
    let (total, _) = store
        .search_audit(&bearing_store::AuditSearch::default(), 1)
        .await
        .unwrap();
    total
}

async fn an_invoice_is_issued_paid_refunded_and_voided_with_its_history(db: &TestDb) {
    let store = db.store().await;
    let ctx = finance();
    let org = organization(&store, "atlantis").await;
    // $12,000 for the year and two days of setup at $250.50: $12,501.
    let made = invoices::add(
        &store,
        &ctx,
        draft(org, &["Membership 2026; 12000", "Setup; 2; 250.50"]),
    )
    .await
    .unwrap();
    assert_eq!(made.record.number, "INV-00001");
    assert_eq!(made.status, Status::Draft);
    assert_eq!(made.record.total_minor, 1_250_100);
    assert_eq!(made.record.lines[1].amount_minor, 50_100);
    // Billed in advance: billable on the first day of the service.
    assert_eq!(made.record.billable_on, Some(day("2026-01-01")));
    let issued = invoices::issue(&store, &ctx, "INV-00001", Some(day("2026-01-10")))
        .await
        .unwrap();
    assert_eq!(issued.status, Status::Issued);
    assert_eq!(issued.record.due_on, Some(day("2026-02-09")));
    assert_eq!(issued.turnaround_days, Some(9));
    let part = invoices::pay(&store, &ctx, "1", payment("2026-02-01", "5000"))
        .await
        .unwrap();
    assert_eq!(
        (part.status, part.balance_minor),
        (Status::PartiallyPaid, 750_100)
    );
    let paid = invoices::pay(&store, &ctx, "INV-00001", payment("2026-03-01", "7501.00"))
        .await
        .unwrap();
    assert_eq!(paid.status, Status::Paid);
    assert_eq!(paid.paid_on, Some(day("2026-03-01")));
    assert_eq!(paid.days_to_collect, Some(50));
    // A refund reopens it; refunding the rest lets it be voided.
    let refunded = invoices::pay(&store, &ctx, "INV-00001", payment("2026-03-05", "-7501"))
        .await
        .unwrap();
    assert_eq!(refunded.status, Status::PartiallyPaid);
    invoices::pay(&store, &ctx, "INV-00001", payment("2026-03-06", "-5000"))
        .await
        .unwrap();
    let void = invoices::void(&store, &ctx, "INV-00001", "billed the wrong entity")
        .await
        .unwrap();
    assert_eq!(void.status, Status::Void);
    assert_eq!(void.record.voided_on, Some(day("2026-11-15")));
    assert_eq!(void.record.payments.len(), 4, "payments are kept");
    // The next number follows; the voided one keeps its own.
    let next = invoices::add(&store, &ctx, draft(org, &["Membership 2026; 12000"]))
        .await
        .unwrap();
    assert_eq!(next.record.number, "INV-00002");
    let all = invoices::list(&store, &ctx, &Default::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    let voided = invoices::Filter {
        status: Some(Status::Void),
        ..Default::default()
    };
    let only = invoices::list(&store, &ctx, &voided).await.unwrap();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0].record.number, "INV-00001");
    // Every change is in its history: made, issued, four payments, voided.
    let rows = history::of(&store, &ctx, EntityKind::Invoice, "1")
        .await
        .unwrap();
    let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "create", "update", "update", "update", "update", "update", "update"
        ],
        "{rows:?}"
    );
}

async fn refusals_name_what_is_wrong_and_change_nothing(db: &TestDb) {
    let store = db.store().await;
    let ctx = finance();
    let org = organization(&store, "atlantis").await;
    let other = organization(&store, "lemuria").await;
    let mut fields = DealFields::new("Hub for Lemuria", "Membership Sales", "Discovery");
    fields.organization = Some(OrganizationName::parse("lemuria").unwrap());
    let deal = deals::create(&store, &ctx, fields).await.unwrap();
    invoices::add(&store, &ctx, draft(org, &["Membership; 1000"]))
        .await
        .unwrap();
    let before = audit_rows(&store).await;
    let invalid =
        |result: Result<invoices::Invoice, AppError>, field: &str, says: &str| match result {
            Err(AppError::Invalid { field: f, message }) => {
                assert_eq!(f, field, "{message}");
                assert!(message.contains(says), "{message}");
            }
            other => panic!("expected {field} to be refused: {other:?}"),
        };
    let conflict = |result: Result<invoices::Invoice, AppError>, says: &str| match result {
        Err(AppError::Conflict(message)) => assert!(message.contains(says), "{message}"),
        other => panic!("expected a conflict: {other:?}"),
    };
    invalid(
        invoices::add(&store, &ctx, draft(org, &[])).await,
        "lines",
        "at least one line",
    );
    invalid(
        invoices::add(&store, &ctx, draft(org, &["Fee; 1.2345; 10"])).await,
        "lines",
        "line 1",
    );
    let mut wrong_deal = draft(org, &["Fee; 10"]);
    wrong_deal.deal = Some(deal.id);
    invalid(
        invoices::add(&store, &ctx, wrong_deal).await,
        "deal",
        "is with lemuria, not atlantis",
    );
    let mut euros = draft(other, &["Fee; 10"]);
    euros.deal = Some(deal.id);
    euros.currency = Some(bearing_core::Currency::parse("EUR").unwrap());
    invalid(
        invoices::add(&store, &ctx, euros).await,
        "currency",
        "the deal is in USD",
    );
    invalid(
        invoices::add(&store, &ctx, draft(org, &["Credit; -10"])).await,
        "lines",
        "nothing or less",
    );
    for bad in ["../../x", "INV-9?x=1", "INV%2F1", ".hidden", "with space"] {
        let mut odd = draft(org, &["Fee; 10"]);
        odd.number = Some(bad.into());
        invalid(
            invoices::add(&store, &ctx, odd).await,
            "number",
            "letters, digits",
        );
    }
    let mut taken = draft(org, &["Fee; 10"]);
    taken.number = Some("INV-00001".into());
    conflict(invoices::add(&store, &ctx, taken).await, "INV-00001");
    conflict(
        invoices::pay(&store, &ctx, "INV-00001", payment("2026-02-01", "10")).await,
        "is a draft",
    );
    invalid(
        invoices::issue(&store, &ctx, "INV-00001", Some(day("2026-11-16"))).await,
        "issued_on",
        "after today",
    );
    invoices::issue(&store, &ctx, "INV-00001", Some(day("2026-01-10")))
        .await
        .unwrap();
    let before_issue_refusals = audit_rows(&store).await;
    assert_eq!(before_issue_refusals, before + 1);
    conflict(
        invoices::issue(&store, &ctx, "INV-00001", None).await,
        "issued on 10 Jan 2026 already",
    );
    invalid(
        invoices::pay(&store, &ctx, "INV-00001", payment("2026-01-09", "10")).await,
        "paid_on",
        "before the invoice was issued",
    );
    invalid(
        invoices::pay(&store, &ctx, "INV-00001", payment("2026-11-16", "10")).await,
        "paid_on",
        "after today",
    );
    invalid(
        invoices::pay(&store, &ctx, "INV-00001", payment("2026-02-01", "1000.01")).await,
        "amount",
        "more than the balance of 1000.00 USD",
    );
    invalid(
        invoices::pay(&store, &ctx, "INV-00001", payment("2026-02-01", "-1")).await,
        "amount",
        "more than the 0.00 USD paid",
    );
    invalid(
        invoices::pay(&store, &ctx, "INV-00001", payment("2026-02-01", "ten")).await,
        "amount",
        "expected a number",
    );
    invoices::pay(&store, &ctx, "INV-00001", payment("2026-02-01", "10"))
        .await
        .unwrap();
    // A refund dated before the payment it refunds would leave $1,010 owed on $1,000.
    invalid(
        invoices::pay(&store, &ctx, "INV-00001", payment("2026-01-31", "-10")).await,
        "amount",
        "a balance of 1010.00 USD on 31 Jan 2026",
    );
    conflict(
        invoices::void(&store, &ctx, "INV-00001", "wrong").await,
        "record the refund before voiding it",
    );
    invalid(
        invoices::void(&store, &ctx, "INV-00001", "  ").await,
        "reason",
        "say why",
    );
    assert!(matches!(
        invoices::get(&store, &ctx, "INV-99").await,
        Err(AppError::NotFound(_))
    ));
    // Only the issue and the one payment were written.
    assert_eq!(audit_rows(&store).await, before + 2);
    let invoice = invoices::get(&store, &ctx, "INV-00001").await.unwrap();
    assert_eq!(invoice.record.payments.len(), 1);
    assert_eq!(
        invoices::list(&store, &ctx, &Default::default())
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn the_aging_on_a_past_day_ignores_later_payments(db: &TestDb) {
    let store = db.store().await;
    let ctx = finance();
    let org = organization(&store, "atlantis").await;
    // $1,000 issued 1 Mar, due 31 Mar: $400 paid 15 Apr, $600 on 20 Jun.
    invoices::add(&store, &ctx, draft(org, &["Membership; 1000"]))
        .await
        .unwrap();
    invoices::issue(&store, &ctx, "INV-00001", Some(day("2026-03-01")))
        .await
        .unwrap();
    invoices::pay(&store, &ctx, "INV-00001", payment("2026-04-15", "400"))
        .await
        .unwrap();
    invoices::pay(&store, &ctx, "INV-00001", payment("2026-06-20", "600"))
        .await
        .unwrap();
    // $250 issued 2 Jan, due 1 Feb, never paid.
    invoices::add(&store, &ctx, draft(org, &["Support; 250"]))
        .await
        .unwrap();
    invoices::issue(&store, &ctx, "INV-00002", Some(day("2026-01-02")))
        .await
        .unwrap();
    // A draft counts nowhere.
    invoices::add(&store, &ctx, draft(org, &["Later; 999"]))
        .await
        .unwrap();
    let agings = invoices::aging(&store, &ctx, day("2026-05-31"))
        .await
        .unwrap();
    assert_eq!(agings.len(), 1);
    let a = &agings[0].aging;
    // On 31 May: $600 61 days past due, $250 119 days past due.
    assert_eq!(a.buckets, [0, 0, 0, 60_000, 25_000]);
    assert_eq!(a.total_minor, 85_000);
    let rows: Vec<(&str, i64)> = agings[0]
        .invoices
        .iter()
        .map(|i| (i.number.as_str(), i.aged.days_past_due))
        .collect();
    assert_eq!(rows, [("INV-00002", 119), ("INV-00001", 61)]);
    // The report says the same, the total row's buckets adding up to its balance.
    let report = reports::build(&store, "aging", day("2026-05-31"))
        .await
        .unwrap();
    let mut bytes = Vec::new();
    report
        .table
        .write(bearing_formats::Format::Csv, &mut bytes)
        .unwrap();
    let csv = String::from_utf8(bytes).unwrap();
    assert!(
        csv.contains("Total,,,USD,,,,0.00,0.00,0.00,600.00,250.00,850.00"),
        "{csv}"
    );
    // On 20 Jun the first is paid.
    let later = invoices::aging(&store, &ctx, day("2026-06-20"))
        .await
        .unwrap();
    assert_eq!(later[0].aging.total_minor, 25_000);
}

async fn the_forecast_takes_collected_from_the_invoices_and_flags_a_typed_value_that_differs(
    db: &TestDb,
) {
    let store = db.store().await;
    let ctx = finance();
    let set = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    assumptions::set(
        &store,
        &ctx,
        &[set("books-closed", "2026-10"), set("mc-runs", "100")],
        day("2026-11-15"),
    )
    .await
    .unwrap();
    let org = organization(&store, "atlantis").await;
    // Won, $12,000 over 2026, $6,100 typed as collected in the CRM.
    let mut fields = DealFields::new("Hub for Atlantis", "Membership Sales", "Closed Won");
    fields.organization = Some(OrganizationName::parse("atlantis").unwrap());
    fields.amount_minor = Some(1_200_000);
    fields.collected_minor = Some(610_000);
    fields.contract_start = Some(day("2026-01-01"));
    fields.contract_end = Some(day("2026-12-31"));
    let deal = deals::create(&store, &ctx, fields).await.unwrap();
    let flags = |r: &reports::Report| match &r.rows {
        reports::Rows::Flags(lines) => lines
            .iter()
            .flat_map(|l| l.codes.iter().map(|c| (l.name.clone(), *c)))
            .collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    let report = reports::build(&store, "flags", day("2026-11-15"))
        .await
        .unwrap();
    assert!(
        !flags(&report)
            .iter()
            .any(|(_, c)| *c == "collected-mismatch"),
        "no invoices, nothing to compare"
    );
    let mut billed = draft(org, &["Membership 2026; 12000"]);
    billed.deal = Some(deal.id);
    invoices::add(&store, &ctx, billed).await.unwrap();
    // A draft collects nothing and is not yet the deal's record of collection.
    let snapshot = bearing_app::forecast::snapshot(&store).await.unwrap();
    assert_eq!(snapshot[0].collected, Some(6_100.0));
    invoices::issue(&store, &ctx, "INV-00001", Some(day("2026-01-05")))
        .await
        .unwrap();
    invoices::pay(&store, &ctx, "INV-00001", payment("2026-02-01", "6000"))
        .await
        .unwrap();
    let snapshot = bearing_app::forecast::snapshot(&store).await.unwrap();
    assert_eq!(snapshot[0].collected, Some(6_000.0));
    assert_eq!(snapshot[0].typed_collected, Some(6_100.0));
    let report = reports::build(&store, "flags", day("2026-11-15"))
        .await
        .unwrap();
    assert_eq!(
        flags(&report)
            .iter()
            .filter(|(_, c)| *c == "collected-mismatch")
            .count(),
        1,
        "{:?}",
        flags(&report)
    );
    let reports::Rows::Flags(lines) = &report.rows else {
        unreachable!()
    };
    assert!(
        lines[0]
            .reasons
            .iter()
            .any(|r| r == "$6,000 collected by its invoices' payments, $6,100 typed into the CRM"),
        "{:?}",
        lines[0].reasons
    );
    // Within 1% of each other: no flag.
    invoices::pay(&store, &ctx, "INV-00001", payment("2026-03-01", "50"))
        .await
        .unwrap();
    let report = reports::build(&store, "flags", day("2026-11-15"))
        .await
        .unwrap();
    assert!(
        !flags(&report)
            .iter()
            .any(|(_, c)| *c == "collected-mismatch")
    );
}
