//! Every report of the forecast for generated organisations of 10,000 and 100,000 deals,
//! 10,000 Monte Carlo runs included. Run with `cargo bench -p bearing-core --bench forecast`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A benchmark fails loudly by design.

use bearing_core::Month;
use bearing_core::demo::{DemoSpec, generate};
use bearing_core::forecast::{Forecast, ForecastDeal, HealthAssumptions, MonteCarlo, health};
use bearing_core::pipeline::StageOutcome;

fn main() {
    divan::main();
}

/// The generated deals as the forecast sees them, with the default pipeline's probabilities.
fn deals(n: usize) -> Vec<ForecastDeal> {
    let data = generate(DemoSpec {
        seed: 5,
        as_of: jiff::civil::date(2026, 3, 15),
        deals: Some(n),
    });
    data.deals
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let f = d.fields;
            let (outcome, default) = match f.stage.as_str() {
                "Enrichment" => (StageOutcome::Open, 0.05),
                "Outreach" => (StageOutcome::Open, 0.1),
                "Discovery" => (StageOutcome::Open, 0.2),
                "Renewal" => (StageOutcome::Open, 0.8),
                "Proposal" => (StageOutcome::Open, 0.3),
                "Contract Admin" => (StageOutcome::Open, 0.9),
                "Closed Lost" => (StageOutcome::Lost, 0.0),
                _ => (StageOutcome::Won, 1.0),
            };
            let probability = f.probability.map_or(default, |p| p.get());
            ForecastDeal::from_fields(i.to_string(), f, outcome, true, probability)
        })
        .collect()
}

/// Everything `bearing report` can show, computed once.
fn all_reports(deals: Vec<ForecastDeal>) -> usize {
    let f = Forecast::new(deals, Month::parse("2026-03").unwrap());
    let (low, high) = f.scenarios(&MonteCarlo::default());
    f.check(&low, &high).unwrap();
    let committed = f.committed_row();
    let estimated = f.estimated_row();
    let a = HealthAssumptions {
        net_assets: 500_000.0,
        monthly_costs: 100_000.0,
        ..HealthAssumptions::default()
    };
    let h = health(&committed, &estimated, &f.months, &a);
    f.full_obligation_row().len()
        + f.deal_months().rows.len()
        + f.commitments().rows.len()
        + f.revenue_by_type().lines().len()
        + f.flags().len()
        + f.fmrr(0.8, 0.3).fmrr.len()
        + h.len()
        + low.len()
        + high.len()
}

#[divan::bench(args = [10_000, 100_000], sample_count = 10, sample_size = 1)]
fn every_report(bencher: divan::Bencher, n: usize) {
    let snapshot = deals(n);
    bencher
        .with_inputs(|| snapshot.clone())
        .bench_local_values(all_reports);
}
