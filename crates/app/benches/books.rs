//! The books and the scenarios, in process on SQLite: a scenario (a hire, the largest open deal
//! lost, a cost cut) evaluated beside the baseline at 10,000 deals with 10,000 Monte Carlo runs,
//! and the close of a month whose ledger has 5,000 lines (the checklist, the forecast frozen
//! and the new assumptions version). Run with `cargo bench -p bearing-app --bench books`;
//! the targets (README, "Performance") are 200 ms and 1 s.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A benchmark fails loudly by design.

use bearing_app::{Context, books, demo, scenarios};
use bearing_core::demo::{DemoSpec, generate};
use bearing_core::scenario::Change;
use bearing_core::{Actor, Month, Source};
use bearing_store::Store;
use bearing_store::testing::TestDb;

fn main() {
    divan::main();
}

const AS_OF: (i16, i8, i8) = (2026, 11, 24);

fn as_of() -> jiff::civil::Date {
    jiff::civil::date(AS_OF.0, AS_OF.1, AS_OF.2)
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

/// The demo organisation with `deals` deals and `runs` Monte Carlo runs.
async fn organisation(deals: Option<usize>, runs: u32) -> (TestDb, Store) {
    let db = TestDb::sqlite();
    let store = db.store().await;
    let data = generate(DemoSpec {
        seed: 5,
        as_of: as_of(),
        deals,
    });
    demo::load(&store, &ctx(), &data).await.unwrap();
    bearing_app::assumptions::set(
        &store,
        &ctx(),
        &[("mc-runs".to_owned(), runs.to_string())],
        as_of(),
    )
    .await
    .unwrap();
    (db, store)
}

#[divan::bench(args = [10_000], sample_count = 10, sample_size = 1)]
fn scenario_evaluated(bencher: divan::Bencher, deals: usize) {
    let rt = runtime();
    let (_db, store) = rt.block_on(organisation(Some(deals), 10_000));
    let now = Month::of(as_of());
    let largest = rt
        .block_on(bearing_app::deals::list(
            &store,
            &bearing_app::deals::DealFilter::default(),
        ))
        .unwrap()
        .into_iter()
        .filter(|d| d.stage_outcome == bearing_core::pipeline::StageOutcome::Open)
        .max_by_key(|d| d.fields.amount_minor.unwrap_or(0))
        .unwrap();
    let changes = vec![
        Change::Hire {
            role: "Infrastructure Engineer".to_owned(),
            level: 2,
            step: 1,
            fte: 1.0,
            start: now.plus(3).unwrap(),
            end: None,
            funding: Vec::new(),
            payment: None,
        },
        Change::Outcome {
            deal: largest.id.get(),
            won: false,
            start: None,
            end: None,
        },
        Change::Cost {
            monthly: -1_500.0,
            from: now.plus(1).unwrap(),
        },
    ];
    bencher.bench_local(|| {
        rt.block_on(scenarios::evaluate(&store, &ctx(), &changes, as_of()))
            .unwrap()
    });
}

/// A ledger of `lines` lines in `month`: revenue, payroll by grant and running costs, all in
/// mapped accounts.
fn ledger(month: Month, lines: usize) -> String {
    let mut csv = String::from("Date,Source,Description,Net,Account Code,Account Name,Grants\n");
    let day = month.last_day();
    for i in 0..lines {
        let (source, account, name, grant) = match i % 4 {
            0 => ("Receivable Invoice", "4221", "Membership fees", ""),
            1 => ("Receivable Invoice", "4224", "Service fees", ""),
            2 => ("Payroll", "6000", "Salaries and benefits", "GR-7"),
            _ => ("Payable Invoice", "7062", "Cloud costs not recoverable", ""),
        };
        csv.push_str(&format!(
            "{day},{source},Line {i},{}.{:02},{account},{name},{grant}\n",
            100 + i % 900,
            i % 100
        ));
    }
    csv
}

#[divan::bench(args = [5_000], sample_count = 10, sample_size = 1)]
fn month_closed(bencher: divan::Bencher, lines: usize) {
    let rt = runtime();
    let (_db, store) = rt.block_on(organisation(None, 10_000));
    let (_, assumptions) = rt
        .block_on(bearing_app::assumptions::current(&store, as_of()))
        .unwrap();
    let month = assumptions.books_closed.unwrap().plus(1).unwrap();
    let at = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    let finance = ctx().at(at);
    rt.block_on(books::map_account(
        &store,
        &finance,
        "6000",
        Some("Salaries and benefits"),
        bearing_core::actuals::Category::Personnel,
    ))
    .unwrap();
    rt.block_on(books::import_actuals(
        &store,
        &finance,
        "bench-ledger.csv",
        ledger(month, lines).as_bytes(),
        &bearing_formats::ledger::Columns::default(),
        None,
        false,
    ))
    .unwrap();
    // The first close and each close again (with its reason) do the same work.
    bencher.bench_local(|| {
        let closed = rt
            .block_on(books::close(
                &store,
                &finance,
                month,
                Some(250_000.0),
                Some("measured again"),
            ))
            .unwrap();
        assert_eq!(closed.month, month);
    });
}
