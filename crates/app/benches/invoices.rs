//! Receivables in process on SQLite: the aging as of a day, collections by month and the
//! billing run of a month (every won deal's schedule against what its invoices bill), read
//! from the database and worked out, over 50,000 invoices (with their lines and 40,000
//! payments) of a portfolio of 10,000 deals, and the import of the sponsor's invoice export
//! of those invoices. Run with `cargo bench -p bearing-app --bench invoices`; the targets
//! (README, "Performance") are 100 ms, and 2 s for the import.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A benchmark fails loudly by design.

use bearing_app::{Context, demo, invoices};
use bearing_core::demo::{DemoSpec, generate};
use bearing_core::invoice::{Kind, Line, Quantity};
use bearing_core::{Actor, Currency, Source};
use bearing_store::testing::TestDb;
use bearing_store::{NewInvoice, Store};

fn main() {
    divan::main();
}

fn as_of() -> jiff::civil::Date {
    jiff::civil::date(2026, 11, 24)
}

fn ctx() -> Context {
    Context::new(Actor::parse("bench").unwrap(), Source::Cli)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The demo organisation at 10,000 deals, and `count` invoices spread over its won deals and
/// the last three years, four in five of them paid.
async fn receivables(count: usize) -> (TestDb, Store) {
    let db = TestDb::sqlite();
    let store = db.store().await;
    let data = generate(DemoSpec {
        seed: 5,
        as_of: as_of(),
        deals: Some(10_000),
    });
    demo::load(&store, &ctx(), &data).await.unwrap();
    let deals = store.list_deals(false).await.unwrap();
    let billed: Vec<_> = deals
        .iter()
        .filter_map(|d| Some((d.id, d.row.organization_id?)))
        .collect();
    let start = as_of().checked_sub(jiff::Span::new().days(1_095)).unwrap();
    let mut tx = store.begin().await.unwrap();
    let at = jiff::Timestamp::now();
    for n in 0..count {
        let (deal, organization) = billed[n % billed.len()];
        let issued = start
            .checked_add(jiff::Span::new().days((n * 37 % 1_090) as i64))
            .unwrap();
        let amount = 100_000 + (n as i64 * 7_919) % 900_000;
        let invoice = NewInvoice {
            number: format!("B-{n:06}"),
            organization_id: organization,
            deal_id: Some(deal),
            kind: Kind::Membership,
            currency: Currency::USD,
            service_from: Some(issued),
            service_to: None,
            billable_on: Some(issued),
            terms_days: 30,
            external_id: None,
            source: None,
            lines: vec![Line::new("Membership", Quantity::ONE, amount).unwrap()],
        };
        let id = tx.insert_invoice(&invoice, at).await.unwrap();
        let due = issued.checked_add(jiff::Span::new().days(30)).unwrap();
        tx.issue_invoice(id, issued, due, at).await.unwrap();
        if n % 5 != 0 {
            let paid = issued
                .checked_add(jiff::Span::new().days((n % 70) as i64))
                .unwrap()
                .min(as_of());
            tx.insert_payment(id, paid, amount, None, at).await.unwrap();
        }
    }
    tx.commit().await.unwrap();
    (db, store)
}

#[divan::bench(args = [50_000], sample_count = 10, sample_size = 1)]
fn aging(bencher: divan::Bencher, count: usize) {
    let rt = runtime();
    let (_db, store) = rt.block_on(receivables(count));
    bencher.bench_local(|| {
        rt.block_on(invoices::aging(&store, &ctx(), as_of()))
            .unwrap()
    });
}

#[divan::bench(args = [50_000], sample_count = 10, sample_size = 1)]
fn collections_by_month(bencher: divan::Bencher, count: usize) {
    let rt = runtime();
    let (_db, store) = rt.block_on(receivables(count));
    bencher.bench_local(|| {
        rt.block_on(invoices::collections(&store, &ctx(), as_of()))
            .unwrap()
    });
}

#[divan::bench(args = [50_000], sample_count = 10, sample_size = 1)]
fn billing_run(bencher: divan::Bencher, count: usize) {
    let rt = runtime();
    let (_db, store) = rt.block_on(receivables(count));
    let month = bearing_core::Month::of(as_of());
    bencher.bench_local(|| {
        rt.block_on(bearing_app::billing::run(&store, &ctx(), month))
            .unwrap()
    });
}

/// The sponsor's invoice export of every invoice, agreeing with Bearing, twice: the second
/// with another Reference on every row, so importing one after the other rewrites each row.
async fn ledger_files(store: &Store) -> [String; 2] {
    let names: std::collections::HashMap<_, _> = store
        .list_organizations(false)
        .await
        .unwrap()
        .into_iter()
        .map(|o| (o.id, o.fields.name.to_string()))
        .collect();
    let facts = store.list_invoice_facts().await.unwrap();
    ["first", "second"].map(|reference| {
        let mut csv = String::from(
            "InvoiceNumber,Contact,Reference,Date,DueDate,Total,AmountPaid,Status,PaymentDate\n",
        );
        for f in &facts {
            let day = |d: Option<jiff::civil::Date>| d.map(|d| d.to_string()).unwrap_or_default();
            let money = |minor: i64| bearing_core::Money::from_minor(minor, f.currency).decimal();
            let paid = f.facts.paid();
            csv.push_str(&format!(
                "{},{},{reference},{},{},{},{},{},{}\n",
                f.number,
                names[&f.organization_id],
                day(f.facts.issued),
                day(f.facts.due),
                money(f.facts.total_minor),
                money(paid),
                if paid >= f.facts.total_minor {
                    "PAID"
                } else {
                    "AUTHORISED"
                },
                day(f.facts.paid_date()),
            ));
        }
        csv
    })
}

/// An import of the sponsor's 50,000-row invoice export in which every row changed since the
/// last: read, checked, compared with Bearing's invoices and the ledger as last imported, and
/// written (target 2 s).
#[divan::bench(args = [50_000], sample_count = 10, sample_size = 1)]
fn ledger_import(bencher: divan::Bencher, count: usize) {
    let rt = runtime();
    let (_db, store) = rt.block_on(receivables(count));
    let files = rt.block_on(ledger_files(&store));
    let turn = std::cell::Cell::new(0);
    bencher
        .with_inputs(|| {
            turn.set(turn.get() + 1);
            &files[turn.get() % 2]
        })
        .bench_local_values(|file| {
            let done = rt
                .block_on(bearing_app::ledger::import(
                    &store,
                    &ctx(),
                    "ledger.csv",
                    file.as_bytes(),
                    &Default::default(),
                    false,
                ))
                .unwrap();
            assert!(done.created.is_empty() && done.payments.is_empty());
        });
}
