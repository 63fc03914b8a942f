//! The organisation's sample export must give exactly the numbers it trusts today
//! (testdata/sample_expected, books closed 2026-02, FSP fee 0.15, net assets 500,000,
//! monthly costs 100,000, no usage data).

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use std::collections::HashMap;

use bearing_app::{Context, forecast, import};
use bearing_core::forecast::{Forecast, HealthAssumptions, health};
use bearing_core::{Actor, Month, Source};
use bearing_store::testing::TestDb;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata");

fn expected(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let path = format!("{DATA}/sample_expected/{name}");
    let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let headers = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (headers, rows)
}

fn number(text: &str) -> f64 {
    text.parse()
        .unwrap_or_else(|_| panic!("not a number: {text:?}"))
}

async fn sample_forecast() -> Forecast {
    let db = TestDb::sqlite();
    let store = db.store().await;
    let ctx = Context::new(Actor::parse("test").unwrap(), Source::Cli);
    let text = std::fs::read_to_string(format!("{DATA}/sample_deals.csv")).unwrap();
    import::import_deals(&store, &ctx, "sample_deals.csv", text.as_bytes(), false)
        .await
        .unwrap();
    forecast::forecast(&store, Month::parse("2026-02").unwrap())
        .await
        .unwrap()
}

fn month_columns(headers: &[String]) -> Vec<String> {
    headers
        .iter()
        .filter(|h| Month::parse(h).is_ok())
        .cloned()
        .collect()
}

#[tokio::test]
async fn the_deterministic_projection_rows_match_the_sample() {
    let f = sample_forecast().await;
    let (headers, rows) = expected("projections_deterministic_rows.csv");
    let months: Vec<String> = f.months.iter().map(ToString::to_string).collect();
    assert_eq!(months, month_columns(&headers));
    let ours: HashMap<&str, Vec<f64>> = HashMap::from([
        ("Committed", f.committed_row()),
        ("Estimated", f.estimated_row()),
        ("Estimated usage revenue", vec![0.0; f.months.len()]),
        (
            "Committed (total contract less gifts)",
            f.full_obligation_row(),
        ),
    ]);
    for row in rows {
        let values: Vec<f64> = row[1..].iter().map(|v| number(v)).collect();
        assert_eq!(ours[row[0].as_str()], values, "{}", row[0]);
    }
    // The sampled rows lie between Committed and the sum of every active deal's rate.
    let (low, high) = f.scenarios(&bearing_core::forecast::MonteCarlo::default());
    let committed = f.committed_row();
    for (i, &m) in f.months.iter().enumerate() {
        let all: f64 = f
            .derived
            .iter()
            .filter(|d| d.category == bearing_core::forecast::Category::Active && d.active_in(m))
            .map(|d| d.projection_rate)
            .sum();
        assert!(
            committed[i] <= low[i] && low[i] <= high[i] && high[i] <= all,
            "{m}: {} {} {} {all}",
            committed[i],
            low[i],
            high[i]
        );
    }
}

fn check_table(table: &bearing_core::forecast::ContributionTable, f: &Forecast, file: &str) {
    let (headers, rows) = expected(file);
    let months: Vec<String> = table.months.iter().map(ToString::to_string).collect();
    assert_eq!(months, month_columns(&headers), "{file}");
    let first_month = headers
        .iter()
        .position(|h| Month::parse(h).is_ok())
        .unwrap();
    let (total, deals) = rows.split_last().unwrap();
    assert_eq!(total[1], "TOTAL");
    assert_eq!(
        table.total,
        total[first_month..]
            .iter()
            .map(|v| number(v))
            .collect::<Vec<_>>(),
        "{file} TOTAL"
    );
    assert_eq!(table.rows.len(), deals.len(), "{file}");
    // Rows may tie on expected_monthly; then their order is free. Ours must still be sorted.
    assert!(
        table
            .rows
            .windows(2)
            .all(|w| w[0].expected_monthly >= w[1].expected_monthly)
    );
    for row in deals {
        let ours = table
            .rows
            .iter()
            .find(|r| f.deals[r.index].id == row[0])
            .unwrap_or_else(|| panic!("{file}: no row {}", row[0]));
        let deal = &f.deals[ours.index];
        assert_eq!(
            (
                deal.name.as_str(),
                deal.revenue_type.as_deref(),
                deal.stage.as_str()
            ),
            (row[1].as_str(), Some(row[2].as_str()), row[3].as_str())
        );
        assert_eq!(
            deal.probability,
            number(&row[4]),
            "{file} {} probability",
            row[0]
        );
        assert_eq!(
            (
                ours.monthly_rate,
                ours.expected_monthly,
                deal.amount.unwrap(),
                ours.expected_future_revenue
            ),
            (
                number(&row[5]),
                number(&row[6]),
                number(&row[7]),
                number(&row[8])
            ),
            "{file} {}",
            row[0]
        );
        assert_eq!(
            ours.months,
            row[first_month..]
                .iter()
                .map(|v| number(v))
                .collect::<Vec<_>>(),
            "{file} {}",
            row[0]
        );
    }
}

#[tokio::test]
async fn deal_contributions_and_commitments_match_the_sample() {
    let f = sample_forecast().await;
    check_table(&f.deal_months(), &f, "deal-months.csv");
    check_table(&f.commitments(), &f, "commitments.csv");
}

#[tokio::test]
async fn revenue_by_type_matches_the_sample() {
    let f = sample_forecast().await;
    let (headers, rows) = expected("revenue-by-type.csv");
    let ours = f.revenue_by_type().lines();
    assert_eq!(month_columns(&headers).len(), 24);
    let labels: Vec<&str> = ours.iter().map(|l| l.label.as_str()).collect();
    let theirs: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(labels, theirs);
    for (line, row) in ours.iter().zip(&rows) {
        assert_eq!(
            line.values,
            row[1..].iter().map(|v| number(v)).collect::<Vec<_>>(),
            "{}",
            row[0]
        );
    }
}

#[tokio::test]
async fn flags_match_the_sample() {
    let f = sample_forecast().await;
    let (_, rows) = expected("flags.csv");
    let ours: Vec<(String, String)> = f
        .flags()
        .into_iter()
        .map(|(i, reasons)| {
            (
                f.deals[i].id.clone(),
                reasons
                    .iter()
                    .map(|r| r.code())
                    .collect::<Vec<_>>()
                    .join(";"),
            )
        })
        .collect();
    let theirs: Vec<(String, String)> = rows.iter().map(|r| (r[0].clone(), r[2].clone())).collect();
    assert_eq!(ours, theirs);
    let (i, _) = f.flags()[0];
    let d = &f.derived[i];
    let row = &rows[0];
    assert_eq!(
        (d.collected, d.full_rate, d.projection_rate),
        (number(&row[5]), number(&row[9]), number(&row[10]))
    );
    assert_eq!(f.deals[i].amount.unwrap() - d.collected, number(&row[6]));
}

#[tokio::test]
async fn the_health_scorecard_matches_the_sample() {
    let f = sample_forecast().await;
    let a = HealthAssumptions {
        net_assets: 500_000.0,
        monthly_costs: 100_000.0,
        fsp_fee: 0.15,
        ..HealthAssumptions::default()
    };
    let ours = health(&f.committed_row(), &f.estimated_row(), &f.months, &a);
    let (_, rows) = expected("health.csv");
    for (indicator, row) in ours.iter().zip(&rows) {
        assert_eq!(
            (
                indicator.metric,
                indicator.value.as_str(),
                indicator.status.as_str()
            ),
            (row[0].as_str(), row[1].as_str(), row[2].as_str())
        );
        assert_eq!(
            indicator.target.as_deref(),
            Some(row[3].as_str()),
            "{}",
            row[0]
        );
    }
}
