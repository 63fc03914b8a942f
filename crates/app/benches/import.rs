//! Importing a CRM export of generated deals into a fresh SQLite database, and importing it
//! again unchanged (the weekly re-import). Run with `cargo bench -p bearing-app --bench import`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A benchmark fails loudly by design.

use std::collections::BTreeMap;

use bearing_app::{Context, import};
use bearing_core::demo::{DemoSpec, generate};
use bearing_core::{Actor, Source};
use bearing_store::testing::TestDb;

fn main() {
    divan::main();
}

/// A CRM export of `deals` generated deals, as the CRM writes it.
fn export(deals: usize) -> String {
    let data = generate(DemoSpec {
        seed: 11,
        as_of: jiff::civil::date(2026, 11, 24),
        deals: Some(deals),
    });
    let rows: Vec<_> = data
        .deals
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            (
                format!("{}", 90_000_000_000_u64 + i as u64),
                d.fields,
                BTreeMap::new(),
            )
        })
        .collect();
    let mut out = Vec::new();
    bearing_formats::crm::write_deals(&mut out, &rows).unwrap();
    String::from_utf8(out).unwrap()
}

fn ctx() -> Context {
    Context::new(Actor::parse("bench").unwrap(), Source::Cli)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[divan::bench(args = [10_000], sample_count = 5, sample_size = 1)]
fn first_import(bencher: divan::Bencher, deals: usize) {
    let csv = export(deals);
    let rt = runtime();
    bencher
        .with_inputs(|| {
            let db = TestDb::sqlite();
            let store = rt.block_on(db.store());
            (db, store)
        })
        .bench_local_values(|(db, store)| {
            let plan = rt
                .block_on(import::import_deals(
                    &store,
                    &ctx(),
                    "bench.csv",
                    csv.as_bytes(),
                    false,
                ))
                .unwrap();
            assert_eq!(plan.creates.len(), deals);
            (db, store)
        });
}

#[divan::bench(args = [10_000], sample_count = 5, sample_size = 1)]
fn unchanged_reimport(bencher: divan::Bencher, deals: usize) {
    let csv = export(deals);
    let rt = runtime();
    let db = TestDb::sqlite();
    let store = rt.block_on(db.store());
    rt.block_on(import::import_deals(
        &store,
        &ctx(),
        "bench.csv",
        csv.as_bytes(),
        false,
    ))
    .unwrap();
    bencher.bench_local(|| {
        let plan = rt
            .block_on(import::import_deals(
                &store,
                &ctx(),
                "bench.csv",
                csv.as_bytes(),
                false,
            ))
            .unwrap();
        assert_eq!(plan.unchanged.len(), deals);
    });
}

/// A year of daily samples for `clusters` clusters, in the per-cluster layout.
fn usage_csv(clusters: usize) -> String {
    let mut out = String::from("cluster,date,unique_users\n");
    let start = jiff::civil::date(2025, 1, 1);
    for c in 0..clusters {
        for d in 0..365_i64 {
            let day = start.checked_add(jiff::Span::new().days(d)).unwrap();
            out.push_str(&format!(
                "cluster-{c:03},{day},{}\n",
                (c * 7 + d as usize * 3) % 900
            ));
        }
    }
    out
}

#[divan::bench(args = [500], sample_count = 5, sample_size = 1)]
fn usage_import(bencher: divan::Bencher, clusters: usize) {
    let csv = usage_csv(clusters);
    let rt = runtime();
    bencher
        .with_inputs(|| {
            let db = TestDb::sqlite();
            let store = rt.block_on(db.store());
            (db, store)
        })
        .bench_local_values(|(db, store)| {
            let plan = rt
                .block_on(bearing_app::usage::import(
                    &store,
                    &ctx(),
                    "usage.csv",
                    csv.as_bytes(),
                    false,
                ))
                .unwrap();
            assert_eq!(plan.new_samples, clusters * 365);
            (db, store)
        });
}

#[divan::bench(args = [500], sample_count = 5, sample_size = 1)]
fn usage_report(bencher: divan::Bencher, clusters: usize) {
    let rt = runtime();
    let db = TestDb::sqlite();
    let store = rt.block_on(db.store());
    rt.block_on(bearing_app::usage::import(
        &store,
        &ctx(),
        "usage.csv",
        usage_csv(clusters).as_bytes(),
        false,
    ))
    .unwrap();
    let a = bearing_core::assumptions::Assumptions::default();
    bencher.bench_local(|| {
        let table = rt.block_on(bearing_app::usage::report(&store, &a)).unwrap();
        assert_eq!(table.rows.len(), clusters * 12);
    });
}
