//! Reports: the forecast's tables, built once here for every front door.

use bearing_core::forecast::{Category, ContributionTable, Forecast, Line, health};
use bearing_core::{Date, Month};
use bearing_formats::Table;
use bearing_store::Store;

use crate::{AppError, Result};

/// The reports, by name.
pub const NAMES: [&str; 19] = [
    "projections",
    "deal-months",
    "commitments",
    "revenue-by-type",
    "flags",
    "deals",
    "health",
    "fmrr",
    "usage",
    "usage-by-organization",
    "stage-moves",
    "time-in-stage",
    "conversion",
    "actuals",
    "forecast-accuracy",
    "aging",
    "invoicing",
    "reconciliation",
    "cloud-recovery",
];

/// A report and the assumptions version that made it.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub name: &'static str,
    pub assumptions_version: i64,
    /// What the text, CSV, JSON and XLSX forms are written from.
    pub table: Table,
    /// The same figures as numbers, for charts and pages, where the report has them: a
    /// page never reads numbers back out of `table`.
    pub rows: Rows,
    /// The owned figures it shows, for [`crate::sight::Sight::check`].
    pub shows: crate::sight::Shows,
}

/// A report's figures as numbers, rounded as its table shows them.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Rows {
    /// Labelled monthly series: the projections' scenarios, revenue by type.
    Series {
        months: Vec<Month>,
        lines: Vec<Line>,
        /// The last closed months' actual revenue, oldest first, shown before the projected
        /// months by the projections (empty elsewhere).
        actual: Vec<(Month, f64)>,
    },
    /// Each deal's expected revenue by month: deal months, commitments.
    Deals {
        months: Vec<Month>,
        deals: Vec<DealLine>,
    },
    /// The financial-health scorecard, a measure a line, and which monthly costs it weighs
    /// (in the words the team page uses too).
    Health {
        indicators: Vec<bearing_core::forecast::Indicator>,
        costs: String,
    },
    /// The deals the forecast flags, and why.
    Flags(Vec<FlagLine>),
    /// Contracted and forecast monthly recurring revenue.
    Mrr(bearing_core::forecast::Fmrr),
    /// The table is all there is.
    #[default]
    Table,
}

/// A deal the forecast flags.
#[derive(Debug, Clone, PartialEq)]
pub struct FlagLine {
    pub id: String,
    pub name: String,
    pub stage: String,
    /// Each reason's code (`missing-amount`…), for filters and scripts.
    pub codes: Vec<&'static str>,
    /// Each reason in words, with the deal's figures.
    pub reasons: Vec<String>,
}

/// One deal's line of a contributions report.
#[derive(Debug, Clone, PartialEq)]
pub struct DealLine {
    pub id: String,
    pub name: String,
    pub revenue_type: Option<String>,
    pub stage: String,
    pub probability: f64,
    /// Certain: won, or as good as (probability 1).
    pub committed: bool,
    pub monthly_rate: f64,
    pub expected_monthly: f64,
    pub amount: Option<f64>,
    pub expected_future_revenue: f64,
    /// One value per month of the report.
    pub months: Vec<f64>,
}

/// Whole units as a table shows them (half to even; never -0).
fn rounded(x: f64) -> f64 {
    x.round_ties_even() + 0.0
}

/// Whole units; an empty sum is -0.0 in IEEE arithmetic and must not print as "-0".
fn whole(x: f64) -> Option<String> {
    Some(format!("{:.0}", x + 0.0))
}

fn money(x: Option<f64>) -> Option<String> {
    x.map(|v| format!("{v:.2}"))
}

/// Builds report `name` with the assumptions in force on `today`.
pub async fn build(store: &Store, name: &str, today: Date) -> Result<Report> {
    let mut reports = build_many(store, &[name], today).await?;
    reports
        .pop()
        .ok_or_else(|| AppError::Internal("no report was built".into()))
}

/// Builds several reports from one snapshot: the assumptions are read, and the forecast and
/// its Monte Carlo runs computed, once for all of them.
pub async fn build_many(store: &Store, names: &[&str], today: Date) -> Result<Vec<Report>> {
    let names = names
        .iter()
        .map(|name| {
            NAMES.iter().copied().find(|n| n == name).ok_or_else(|| {
                AppError::invalid(
                    "report",
                    format!("no report {name:?}; reports: {}", NAMES.join(", ")),
                )
            })
        })
        .collect::<Result<Vec<&'static str>>>()?;
    let (version, assumptions) = crate::assumptions::current(store, today).await?;
    build_with(store, &names, today, version, assumptions).await
}

/// Builds the reports `names` as of `today` with the given assumptions (version `version`).
pub async fn build_with(
    store: &Store,
    names: &[&'static str],
    today: Date,
    version: i64,
    mut assumptions: bearing_core::assumptions::Assumptions,
) -> Result<Vec<Report>> {
    let names = names.to_vec();
    let without_forecast = |name: &str| {
        matches!(
            name,
            "usage"
                | "usage-by-organization"
                | "stage-moves"
                | "time-in-stage"
                | "conversion"
                | "actuals"
                | "forecast-accuracy"
                | "aging"
                | "invoicing"
                | "reconciliation"
                | "cloud-recovery"
        )
    };
    let forecast = if names.iter().all(|n| without_forecast(n)) {
        None
    } else {
        let forecast = crate::forecast::forecast_with(store, &assumptions).await?;
        // A missing band is named to finance on the team page; here the message goes to
        // whoever opened a report, so it says neither who nor which step.
        let costs = crate::people::effective_costs(store, &assumptions, forecast.start)
                .await
                .map_err(|error| match error {
                    AppError::Invalid { .. } => AppError::invalid(
                        "costs",
                        "the team's cost cannot be worked out: an assignment has no salary band in force; finance sees which on the team page",
                    ),
                    other => other,
                })?;
        assumptions.monthly_costs = costs.monthly;
        // Only the projections show the Monte Carlo scenarios; the runs are skipped otherwise.
        let mc = names
            .contains(&"projections")
            .then(|| assumptions.monte_carlo());
        let (forecast, low, high) = crate::heavy::forecast(move || {
            let (low, high) = mc.map_or_else(Default::default, |mc| forecast.scenarios(&mc));
            (forecast, low, high)
        })
        .await?;
        forecast.check(&low, &high).map_err(|problems| {
            AppError::Internal(format!(
                "the forecast failed its consistency checks: {}",
                problems.join("; ")
            ))
        })?;
        Some((forecast, low, high, costs))
    };
    let mut reports = Vec::with_capacity(names.len());
    // Read once for the reports that need it.
    let mut flow = None;
    for name in names {
        let table_only = |table: Table| (table, Rows::Table);
        let (table, rows) = match (name, &forecast) {
            ("usage", _) => table_only(crate::usage::report(store, &assumptions).await?),
            ("usage-by-organization", _) => {
                table_only(crate::usage::report_by_organization(store, &assumptions).await?)
            }
            ("stage-moves", _) => table_only(crate::analytics::moves_table(
                stage_flow(store, &mut flow).await?,
            )),
            ("time-in-stage", _) => table_only(crate::analytics::times_table(
                stage_flow(store, &mut flow).await?,
            )),
            ("conversion", _) => table_only(crate::analytics::conversion_table(
                stage_flow(store, &mut flow).await?,
            )),
            ("actuals", _) => table_only(crate::books::actuals_table(store).await?),
            ("forecast-accuracy", _) => table_only(crate::books::accuracy_table(store).await?),
            ("aging", _) => table_only(crate::invoices::aging_table(
                &crate::invoices::aging_of(store, today).await?,
            )),
            ("invoicing", _) => table_only(crate::invoices::collections_table(
                &crate::invoices::collections_of(store, today).await?,
            )),
            ("reconciliation", _) => table_only(crate::ledger::reconciliation_table(
                &crate::ledger::reconciliation_of(store).await?,
            )),
            ("cloud-recovery", _) => table_only(crate::cloud::recovery_table(
                &crate::cloud::compute(store).await?,
            )),
            (_, None) => return Err(AppError::Internal(format!("no forecast for report {name}"))),
            (_, Some((forecast, low, high, costs))) => match name {
                "projections" => {
                    let usage = crate::usage::forecast_revenue(
                        store,
                        &assumptions,
                        forecast.start,
                        forecast.months.len(),
                    )
                    .await?;
                    let actual = crate::books::closed_revenue(store, forecast.start).await?;
                    projections(forecast, (low.clone(), high.clone()), usage, actual)
                }
                "deal-months" => contributions(forecast, &forecast.deal_months()),
                "commitments" => contributions(forecast, &forecast.commitments()),
                "revenue-by-type" => revenue_by_type(forecast),
                "flags" => flags(forecast),
                "deals" => table_only(deals(forecast)),
                "fmrr" => fmrr(forecast, &assumptions),
                _ => health_table(forecast, &assumptions, &costs.note),
            },
        };
        let shows = crate::sight::Shows {
            // What is invoiced and collected is cash.
            cash: matches!(
                name,
                "health" | "aging" | "invoicing" | "reconciliation" | "cloud-recovery"
            ),
            // The ledger's costs hold what people are paid.
            team_cost: name == "actuals"
                || (name == "health"
                    && forecast
                        .as_ref()
                        .is_some_and(|(.., costs)| costs.hold_pay())),
        };
        reports.push(Report {
            name,
            assumptions_version: version,
            table,
            rows,
            shows,
        });
    }
    Ok(reports)
}

/// The stage flow, read the first time a report asks for it.
async fn stage_flow<'f>(
    store: &Store,
    flow: &'f mut Option<bearing_core::analytics::StageFlow>,
) -> Result<&'f bearing_core::analytics::StageFlow> {
    if flow.is_none() {
        *flow = Some(crate::analytics::read_stage_flow(store).await?);
    }
    flow.as_ref()
        .ok_or_else(|| AppError::Internal("the stage flow was not read".into()))
}

fn month_headers(first: &str, months: &[Month]) -> Vec<String> {
    std::iter::once(first.to_owned())
        .chain(months.iter().map(ToString::to_string))
        .collect()
}

/// The label of the projections row that forecasts usage by each cluster's trend and season.
pub const TREND_AND_SEASON_ROW: &str = "Usage revenue (trend and season)";

/// The projections' rows that are revenue scenarios: in a closed month each is what was earned.
pub const SCENARIO_ROWS: [&str; 4] = ["Committed", "Pessimistic", "Estimated", "Optimistic"];

/// The scenarios month by month, after the last closed months' actual revenue (`actual`):
/// columns `YYYY-MM (actual)` that hold it in each scenario's row.
fn projections(
    f: &Forecast,
    (low, high): (Vec<f64>, Vec<f64>),
    usage: crate::usage::UsageRevenue,
    actual: Vec<(Month, f64)>,
) -> (Table, Rows) {
    let rows = [
        ("Committed", f.committed_row()),
        ("Pessimistic", low),
        ("Estimated", f.estimated_row()),
        ("Optimistic", high),
        ("Estimated usage revenue", vec![usage.mean; f.months.len()]),
        (TREND_AND_SEASON_ROW, usage.trend_and_season),
        (
            "Committed (total contract less gifts)",
            f.full_obligation_row(),
        ),
    ];
    let (table, rows) = series(
        "scenario",
        f.months.clone(),
        rows.into_iter()
            .map(|(label, values)| Line::part(label, values))
            .collect(),
    );
    if actual.is_empty() {
        return (table, rows);
    }
    let Rows::Series { months, lines, .. } = rows else {
        return (table, rows);
    };
    let actual: Vec<(Month, f64)> = actual.into_iter().map(|(m, v)| (m, rounded(v))).collect();
    let mut with_actuals = Table::new(
        std::iter::once("scenario".to_owned())
            .chain(actual.iter().map(|(m, _)| format!("{m} (actual)")))
            .chain(months.iter().map(ToString::to_string)),
    );
    for (line, row) in lines.iter().zip(&table.rows) {
        let earned = SCENARIO_ROWS.contains(&line.label.as_str());
        with_actuals.push(
            row.first().cloned().into_iter().chain(
                actual
                    .iter()
                    .map(|(_, v)| earned.then(|| whole(*v)).flatten())
                    .chain(row.iter().skip(1).cloned()),
            ),
        );
    }
    (
        with_actuals,
        Rows::Series {
            months,
            lines,
            actual,
        },
    )
}

/// Labelled monthly series, rounded, and the table written from them.
fn series(first: &str, months: Vec<Month>, lines: Vec<Line>) -> (Table, Rows) {
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|line| Line {
            values: line.values.into_iter().map(rounded).collect(),
            ..line
        })
        .collect();
    let mut table = Table::new(month_headers(first, &months));
    for line in &lines {
        table.push(
            std::iter::once(Some(line.label.clone())).chain(line.values.iter().map(|v| whole(*v))),
        );
    }
    (
        table,
        Rows::Series {
            months,
            lines,
            actual: Vec::new(),
        },
    )
}

fn contributions(f: &Forecast, t: &ContributionTable) -> (Table, Rows) {
    let deals: Vec<DealLine> = t
        .rows
        .iter()
        .map(|row| {
            let deal = &f.deals[row.index];
            DealLine {
                id: deal.id.clone(),
                name: deal.name.clone(),
                revenue_type: deal.revenue_type.clone(),
                stage: deal.stage.clone(),
                probability: deal.probability,
                committed: deal.probability >= 1.0,
                monthly_rate: rounded(row.monthly_rate),
                expected_monthly: rounded(row.expected_monthly),
                amount: deal.amount,
                expected_future_revenue: rounded(row.expected_future_revenue),
                months: row.months.iter().copied().map(rounded).collect(),
            }
        })
        .collect();
    let mut headers: Vec<String> = [
        "id",
        "name",
        "revenue_type",
        "stage",
        "probability",
        "monthly_rate",
        "expected_monthly",
        "amount",
        "expected_future_revenue",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    headers.extend(t.months.iter().map(ToString::to_string));
    let mut table = Table::new(headers);
    for deal in &deals {
        let mut cells = vec![
            Some(deal.id.clone()),
            Some(deal.name.clone()),
            deal.revenue_type.clone(),
            Some(deal.stage.clone()),
            Some(deal.probability.to_string()),
            whole(deal.monthly_rate),
            whole(deal.expected_monthly),
            money(deal.amount),
            whole(deal.expected_future_revenue),
        ];
        cells.extend(deal.months.iter().map(|v| whole(*v)));
        table.push(cells);
    }
    let mut total = vec![
        None,
        Some("TOTAL".to_owned()),
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ];
    total.extend(t.total.iter().map(|v| whole(*v)));
    table.push(total);
    (
        table,
        Rows::Deals {
            months: t.months.clone(),
            deals,
        },
    )
}

fn revenue_by_type(f: &Forecast) -> (Table, Rows) {
    let months: Vec<Month> = (0..24).filter_map(|i| f.start.plus(i)).collect();
    series("revenue_type", months, f.revenue_by_type().lines())
}

fn flags(f: &Forecast) -> (Table, Rows) {
    let mut table = Table::new([
        "id",
        "name",
        "reasons",
        "detail",
        "stage",
        "amount",
        "collected",
        "remaining",
        "start",
        "end",
        "monthly_rate",
        "projection_rate",
    ]);
    let mut lines = Vec::new();
    for (i, reasons) in f.flags() {
        let (deal, d) = (&f.deals[i], &f.derived[i]);
        let line = FlagLine {
            id: deal.id.clone(),
            name: deal.name.clone(),
            stage: deal.stage.clone(),
            codes: reasons.iter().map(|r| r.code()).collect(),
            reasons: reasons.iter().map(|r| f.flag_detail(i, *r)).collect(),
        };
        table.push([
            Some(line.id.clone()),
            Some(line.name.clone()),
            Some(line.codes.join(";")),
            Some(line.reasons.join("; ")),
            Some(line.stage.clone()),
            money(deal.amount),
            money(Some(d.collected)),
            money(deal.amount.map(|a| a - d.collected)),
            d.start.map(|s| s.to_string()),
            d.end.map(|e| e.to_string()),
            whole(d.full_rate),
            whole(d.projection_rate),
        ]);
        lines.push(line);
    }
    (table, Rows::Flags(lines))
}

fn deals(f: &Forecast) -> Table {
    let mut table = Table::new([
        "id",
        "name",
        "stage",
        "probability",
        "category",
        "missing",
        "start",
        "end",
        "total_months",
        "elapsed",
        "amount",
        "collected",
        "collected_estimated",
        "monthly_rate",
        "projection_rate",
    ]);
    for (deal, d) in f.deals.iter().zip(&f.derived) {
        let category = match d.category {
            Category::Active => "active",
            Category::Removed => "removed",
            Category::Inactive => "inactive",
        };
        table.push([
            Some(deal.id.clone()),
            Some(deal.name.clone()),
            Some(deal.stage.clone()),
            Some(deal.probability.to_string()),
            Some(category.to_owned()),
            Some(d.missing.join(";")),
            d.start.map(|s| s.to_string()),
            d.end.map(|e| e.to_string()),
            Some(d.total_months.to_string()),
            Some(d.elapsed.to_string()),
            money(deal.amount),
            money(Some(d.collected)),
            Some(d.collected_estimated.to_string()),
            whole(d.full_rate),
            whole(d.projection_rate),
        ]);
    }
    table
}

fn fmrr(f: &Forecast, a: &bearing_core::assumptions::Assumptions) -> (Table, Rows) {
    let m = f.fmrr(a.rho, a.eta);
    let mut headers = vec!["measure".to_owned(), "next_6_months".to_owned()];
    headers.extend(m.months.iter().map(ToString::to_string));
    let mut table = Table::new(headers);
    let rows = [
        ("CMRR", &m.cmrr),
        ("Renewal-prospect MRR", &m.renewal_mrr),
        ("New-prospect MRR", &m.new_mrr),
        ("FMRR", &m.fmrr),
    ];
    for (label, values) in rows {
        let six: f64 = values.iter().take(6).sum();
        table.push(
            [Some(label.to_owned()), whole(six)]
                .into_iter()
                .chain(values.iter().map(|v| whole(*v))),
        );
    }
    (table, Rows::Mrr(m))
}

fn health_table(
    f: &Forecast,
    a: &bearing_core::assumptions::Assumptions,
    costs: &str,
) -> (Table, Rows) {
    let mut table = Table::new(["metric", "value", "status", "target", "detail", "question"]);
    let mut lines = health(
        &f.committed_row(),
        &f.estimated_row(),
        &f.months,
        &a.health(),
    );
    for i in &mut lines {
        // The scorecard says where the costs it weighs came from.
        if i.measure == bearing_core::forecast::Measure::CostCoverage {
            i.detail = format!("{} {costs}", i.detail);
        }
        table.push([
            Some(i.metric.to_owned()),
            Some(i.value.clone()),
            Some(i.status.as_str().to_owned()),
            i.target.clone(),
            Some(i.detail.clone()),
            Some(i.question.to_owned()),
        ]);
    }
    (
        table,
        Rows::Health {
            indicators: lines,
            costs: costs.to_owned(),
        },
    )
}
