//! The sponsor's invoice ledger: imported all or nothing and idempotently, its contacts placed
//! by name or alias, its payments recorded once, and every planted discrepancy found by the
//! reconciliation with what to do.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use bearing_app::invoices::{self, NewDraft, NewPayment};
use bearing_app::{AppError, Context, ledger, organizations};
use bearing_core::invoice::{Kind, LineInput, Status};
use bearing_core::ledger::Finding;
use bearing_core::organization::{OrganizationFields, OrganizationKind, OrganizationName};
use bearing_core::{Actor, Date, OrganizationId, Source};
use bearing_store::Store;
use bearing_store::testing::TestDb;

bearing_store::on_both_backends!(
    a_ledger_is_imported_once_and_records_what_it_says_was_paid,
    a_file_with_one_bad_row_imports_nothing_and_names_the_row,
    the_reconciliation_finds_each_planted_discrepancy_with_what_to_do,
    aliases_place_the_ledgers_names_and_answer_to_one_organization,
);

fn finance() -> Context {
    Context::new(Actor::parse("fin@example.org").unwrap(), Source::Cli)
        .at("2026-11-15T10:00:00Z".parse().unwrap())
}

fn day(text: &str) -> Date {
    bearing_core::parse_date(text).unwrap()
}

async fn organization(store: &Store, name: &str, long_name: &str) -> OrganizationId {
    organizations::create(
        store,
        &finance(),
        OrganizationFields {
            name: OrganizationName::parse(name).unwrap(),
            long_name: Some(long_name.into()),
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

/// An invoice of `amount` to `organization`, issued on `issued`, with `paid` paid on it.
async fn issued(
    store: &Store,
    organization: OrganizationId,
    amount: &str,
    issued: &str,
    paid: Option<&str>,
) -> String {
    let ctx = finance();
    let made = invoices::add(
        store,
        &ctx,
        NewDraft {
            number: None,
            organization,
            deal: None,
            kind: Kind::Service,
            currency: None,
            service_from: None,
            service_to: None,
            billable_on: None,
            terms_days: None,
            external_id: None,
            source: None,
            lines: vec![LineInput::parse(&format!("Training; {amount}")).unwrap()],
        },
    )
    .await
    .unwrap();
    let number = made.record.number;
    invoices::issue(store, &ctx, &number, Some(day(issued)))
        .await
        .unwrap();
    if let Some(paid) = paid {
        let payment = NewPayment {
            on: Some(day(issued)),
            amount: paid.into(),
            reference: None,
        };
        invoices::pay(store, &ctx, &number, payment).await.unwrap();
    }
    number
}

async fn audit_rows(store: &Store) -> i64 {
    let (total, _) = store
        .search_audit(&bearing_store::AuditSearch::default(), 1)
        .await
        .unwrap();
    total
}

async fn import(
    store: &Store,
    file: &str,
    dry_run: bool,
) -> Result<ledger::LedgerImport, AppError> {
    ledger::import(
        store,
        &finance(),
        "ledger.csv",
        file.as_bytes(),
        &Default::default(),
        dry_run,
    )
    .await
}

const HEADER: &str =
    "InvoiceNumber,Contact,Reference,Date,DueDate,Total,AmountPaid,Status,PaymentDate\n";

async fn a_ledger_is_imported_once_and_records_what_it_says_was_paid(db: &TestDb) {
    let store = db.store().await;
    let atlantis = organization(&store, "atlantis", "Atlantis Research Network").await;
    let harbour = organization(&store, "harbour", "Harbour University").await;
    ledger::add_alias(&store, &finance(), harbour, "Harbour Univ.  Foundation")
        .await
        .unwrap();
    let first = issued(&store, atlantis, "1000", "2026-09-01", None).await;
    let second = issued(&store, atlantis, "500", "2026-09-02", Some("100")).await;
    let file = format!(
        "{HEADER}\
         {first},ATLANTIS RESEARCH NETWORK,,2026-09-01,2026-10-01,1000.00,1000.00,PAID,2026-10-01\n\
         {second},Atlantis Research Network,,2026-09-02,2026-10-02,500.00,300.00,AUTHORISED,\n\
         L-9001,harbour univ. foundation,,2026-10-10T00:00:00,2026-11-09T00:00:00,250.00,50.00,AUTHORISED,2026-10-20\n\
         L-9002,Nobody Known,,2026-10-11,2026-11-10,70.00,0,AUTHORISED,\n\
         L-9003,Atlantis Research Network,,2026-10-12,2026-11-11,80.00,0,VOIDED,\n\
         L-9004,Atlantis Research Network,,,,90.00,0,DRAFT,\n"
    );
    let invoices_before = store.list_invoices().await.unwrap().len();
    let audits_before = audit_rows(&store).await;

    // A dry run says what the import would do, and does nothing.
    let dry = import(&store, &file, true).await.unwrap();
    assert!(dry.dry_run);
    assert_eq!((dry.rows, dry.new), (6, 6));
    assert_eq!(dry.created, ["L-9001"]);
    assert!(store.list_ledger_invoices().await.unwrap().is_empty());
    assert_eq!(store.list_invoices().await.unwrap().len(), invoices_before);
    assert_eq!(audit_rows(&store).await, audits_before);

    let done = import(&store, &file, false).await.unwrap();
    assert_eq!(
        (done.rows, done.new, done.changed, done.unchanged),
        (6, 6, 0, 0)
    );
    assert_eq!(done.created, ["L-9001"]);
    assert_eq!(
        done.unplaced,
        [("L-9002".to_owned(), "Nobody Known".to_owned())]
    );
    assert!(done.left.is_empty(), "{:?}", done.left);
    let paid: Vec<(String, String, String)> = done
        .payments
        .iter()
        .map(|p| (p.number.clone(), p.on.to_string(), p.amount.text()))
        .collect();
    // The first paid in full on the ledger's day; the second's $300 less the $100 Bearing has,
    // on the import's day (the file has no payment date for it); the new one's $50.
    assert_eq!(
        paid,
        [
            (
                first.clone(),
                "2026-10-01".to_owned(),
                "$1,000.00".to_owned()
            ),
            (
                second.clone(),
                "2026-11-15".to_owned(),
                "$200.00".to_owned()
            ),
            (
                "L-9001".to_owned(),
                "2026-10-20".to_owned(),
                "$50.00".to_owned()
            ),
        ]
    );
    let ctx = finance();
    let made = invoices::get(&store, &ctx, "L-9001").await.unwrap();
    assert_eq!(made.record.organization_id, harbour);
    assert_eq!(made.record.total_minor, 25_000);
    assert_eq!(made.record.issued_on, Some(day("2026-10-10")));
    assert_eq!(made.record.due_on, Some(day("2026-11-09")));
    assert_eq!(made.status, Status::PartiallyPaid);
    assert_eq!(made.record.source.as_deref(), Some("ledger"));
    assert_eq!(
        invoices::get(&store, &ctx, &first).await.unwrap().status,
        Status::Paid
    );
    assert_eq!(
        invoices::get(&store, &ctx, &second)
            .await
            .unwrap()
            .paid_minor,
        30_000
    );
    assert_eq!(store.list_ledger_invoices().await.unwrap().len(), 6);
    // Each invoice made or paid is in its history: one made, three paid.
    assert_eq!(audit_rows(&store).await, audits_before + 3);

    // The same file again changes nothing.
    let invoices_after = store.list_invoices().await.unwrap();
    let audits_after = audit_rows(&store).await;
    let again = import(&store, &file, false).await.unwrap();
    assert_eq!((again.new, again.changed, again.unchanged), (0, 0, 6));
    assert!(again.created.is_empty() && again.payments.is_empty());
    assert_eq!(store.list_invoices().await.unwrap(), invoices_after);
    assert_eq!(audit_rows(&store).await, audits_after);

    // A refund recorded here is not undone by the next import: the ledger's paid did not grow.
    invoices::pay(
        &store,
        &ctx,
        &second,
        NewPayment {
            on: Some(day("2026-11-15")),
            amount: "-200".into(),
            reference: None,
        },
    )
    .await
    .unwrap();
    let again = import(&store, &file, false).await.unwrap();
    assert!(again.payments.is_empty());
    // When it grows, what it grew by is recorded.
    let grown = file.replace("500.00,300.00,AUTHORISED", "500.00,450.00,AUTHORISED");
    let grew = import(&store, &grown, false).await.unwrap();
    assert_eq!(grew.changed, 1);
    assert_eq!(grew.payments.len(), 1);
    assert_eq!(grew.payments[0].amount.text(), "$150.00");
    assert_eq!(
        invoices::get(&store, &ctx, &second)
            .await
            .unwrap()
            .paid_minor,
        25_000
    );
}

async fn a_file_with_one_bad_row_imports_nothing_and_names_the_row(db: &TestDb) {
    let store = db.store().await;
    organization(&store, "atlantis", "Atlantis Research Network").await;
    let audits = audit_rows(&store).await;
    let bad_total = format!(
        "{HEADER}\
         L-1,Atlantis Research Network,,2026-10-10,2026-11-09,250.00,0,AUTHORISED,\n\
         L-2,Atlantis Research Network,,2026-10-10,2026-11-09,2x0.00,0,AUTHORISED,\n"
    );
    let Err(AppError::Import(errors)) = import(&store, &bad_total, false).await else {
        panic!("a bad total was imported");
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!((errors[0].line, errors[0].column.as_str()), (3, "Total"));
    // Paid after today, and before it was issued: both named, by line and column.
    let bad_days = format!(
        "{HEADER}\
         L-1,Atlantis Research Network,,2026-10-10,2026-11-09,250.00,250.00,PAID,2026-12-01\n\
         L-2,Atlantis Research Network,,2026-10-10,2026-11-09,250.00,250.00,PAID,2026-10-01\n"
    );
    let Err(AppError::Import(errors)) = import(&store, &bad_days, false).await else {
        panic!("impossible days were imported");
    };
    let named: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
    assert_eq!(named, [(2, "PaymentDate"), (3, "PaymentDate")]);
    assert!(errors[0].message.contains("after today"), "{}", errors[0]);
    assert!(
        errors[1].message.contains("before it was issued"),
        "{}",
        errors[1]
    );
    // Without a column of issue days, an invoice sent out cannot be placed in time.
    let undated = "InvoiceNumber,Contact,Total,Status\n\
                   L-1,Atlantis Research Network,250.00,AUTHORISED\n\
                   L-2,Atlantis Research Network,250.00,DRAFT\n";
    let Err(AppError::Import(errors)) = import(&store, undated, false).await else {
        panic!("invoices sent out without their day were imported");
    };
    let named: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
    assert_eq!(named, [(2, "Date")]);
    assert!(store.list_ledger_invoices().await.unwrap().is_empty());
    assert!(store.list_invoices().await.unwrap().is_empty());
    assert_eq!(audit_rows(&store).await, audits);
}

async fn the_reconciliation_finds_each_planted_discrepancy_with_what_to_do(db: &TestDb) {
    let store = db.store().await;
    let ctx = finance();
    let atlantis = organization(&store, "atlantis", "Atlantis Research Network").await;
    // Before any ledger is imported there is nothing to reconcile.
    let none = ledger::reconciliation(&store, &ctx).await.unwrap();
    assert_eq!((none.ledger_invoices, none.discrepancies.len()), (0, 0));
    let old = issued(&store, atlantis, "10", "2026-01-05", None).await; // before the ledger's first day
    let agrees = issued(&store, atlantis, "100", "2026-09-01", None).await;
    let unsent = issued(&store, atlantis, "200", "2026-09-02", None).await;
    let wrong_total = issued(&store, atlantis, "300", "2026-09-03", None).await;
    let voided_there = issued(&store, atlantis, "400", "2026-09-04", None).await;
    let more_paid_here = issued(&store, atlantis, "500", "2026-09-05", Some("500")).await;
    let file = format!(
        "{HEADER}\
         {agrees},Atlantis Research Network,,2026-09-01,2026-10-01,100.00,0,AUTHORISED,\n\
         {wrong_total},Atlantis Research Network,,2026-09-03,2026-10-03,330.00,0,AUTHORISED,\n\
         {voided_there},Atlantis Research Network,,2026-09-04,2026-10-04,400.00,0,VOIDED,\n\
         {more_paid_here},Atlantis Research Network,,2026-09-05,2026-10-05,500.00,0,AUTHORISED,\n\
         L-7,Someone Else,,2026-09-06,2026-10-06,70.00,0,AUTHORISED,\n"
    );
    import(&store, &file, false).await.unwrap();
    let report = ledger::reconciliation(&store, &ctx).await.unwrap();
    assert_eq!(report.ledger_invoices, 5);
    assert_eq!(report.since, Some(day("2026-09-01")));
    let found: Vec<(Finding, &str)> = report
        .discrepancies
        .iter()
        .map(|d| (d.finding, d.number.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (Finding::MissingFromLedger, unsent.as_str()),
            (Finding::Unplaced, "L-7"),
            (Finding::Total, wrong_total.as_str()),
            (Finding::Paid, more_paid_here.as_str()),
            (Finding::Status, voided_there.as_str()),
        ],
        "{old} was issued before the ledger's first day and is not compared"
    );
    let by = |n: &str| report.discrepancies.iter().find(|d| d.number == n).unwrap();
    assert_eq!(by(&wrong_total).ours.as_deref(), Some("$300.00"));
    assert_eq!(by(&wrong_total).theirs.as_deref(), Some("$330.00"));
    assert_eq!(by(&unsent).organization, "Atlantis Research Network");
    assert!(by("L-7").action.contains("alias"), "{}", by("L-7").action);
    // The report's table says the same, a row each.
    let table = ledger::reconciliation_table(&report);
    assert_eq!(table.rows.len(), 5);

    // Given its alias and imported again, the unplaced invoice is made and reconciles.
    let elsewhere = organization(&store, "elsewhere", "Elsewhere Lab").await;
    ledger::add_alias(&store, &ctx, elsewhere, "Someone Else")
        .await
        .unwrap();
    let later = ledger::reconciliation(&store, &ctx).await.unwrap();
    assert!(
        later
            .discrepancies
            .iter()
            .any(|d| d.number == "L-7" && d.finding == Finding::MissingFromBearing)
    );
    let again = import(&store, &file, false).await.unwrap();
    assert_eq!(again.created, ["L-7"]);
    let settled = ledger::reconciliation(&store, &ctx).await.unwrap();
    assert!(settled.discrepancies.iter().all(|d| d.number != "L-7"));
    assert_eq!(settled.discrepancies.len(), 4);
}

async fn aliases_place_the_ledgers_names_and_answer_to_one_organization(db: &TestDb) {
    let store = db.store().await;
    let ctx = finance();
    let atlantis = organization(&store, "atlantis", "Atlantis Research Network").await;
    let harbour = organization(&store, "harbour", "Harbour University").await;
    let added = ledger::add_alias(&store, &ctx, atlantis, "  ARN   Inc ")
        .await
        .unwrap();
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].alias, "ARN Inc");
    // A name answers to one organization: another's alias, another's name, its own name.
    for (org, name, whose) in [
        (harbour, "arn inc", "atlantis"),
        (atlantis, "Harbour University", "harbour"),
        (atlantis, "atlantis", "this organization"),
    ] {
        let refused = ledger::add_alias(&store, &ctx, org, name)
            .await
            .unwrap_err();
        assert!(
            matches!(&refused, AppError::Conflict(m) if m.contains(whose)),
            "{refused}"
        );
    }
    let empty = ledger::add_alias(&store, &ctx, harbour, "   ")
        .await
        .unwrap_err();
    assert!(matches!(empty, AppError::Invalid { .. }), "{empty}");
    assert_eq!(
        ledger::aliases(&store, &ctx, harbour).await.unwrap().len(),
        0
    );
    let placement = ledger::Placement::load(&store).await.unwrap();
    assert_eq!(placement.place("ARN INC"), Some(atlantis));
    assert_eq!(placement.place("harbour  university"), Some(harbour));
    assert_eq!(placement.place("Nobody"), None);
    // Removed, it keeps its row but places nothing, and the name is free again.
    let left = ledger::remove_alias(&store, &ctx, atlantis, "arn inc")
        .await
        .unwrap();
    assert!(left.is_empty());
    let missing = ledger::remove_alias(&store, &ctx, atlantis, "arn inc")
        .await
        .unwrap_err();
    assert!(matches!(missing, AppError::NotFound(_)), "{missing}");
    assert_eq!(
        ledger::Placement::load(&store)
            .await
            .unwrap()
            .place("ARN Inc"),
        None
    );
    ledger::add_alias(&store, &ctx, harbour, "ARN Inc")
        .await
        .unwrap();
    // Both changes are in the organization's history.
    let history = bearing_app::history::of(
        &store,
        &ctx,
        bearing_core::EntityKind::Organization,
        &atlantis.to_string(),
    )
    .await
    .unwrap();
    assert_eq!(history.len(), 3, "created, alias added, alias removed");
}
