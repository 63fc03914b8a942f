//! The forecast with its charts and downloads, and the pipeline analytics.

use crate::access::Rule::Signed;
use bearing_core::access::Permission::Read;
use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use bearing_app::{AppError, reports};
use bearing_core::access::Permission;
use bearing_formats::{Format, Table};

use super::home::{flags_table, scenarios_chart, today};
use super::{Cell, ChartPair, HtmlTable, Layout, Routes, dollars, error_page, number, ok};
use crate::AppState;
use crate::auth::Caller;
use crate::charts::{self, Series, Span};

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/forecast", Signed(Read), forecast)
        .get("/forecast/download", Signed(Read), download)
        .get("/analytics", Signed(Read), analytics)
}

/// Deals drawn in the Gantt chart and listed in the contributions table: the largest by
/// expected future revenue (every deal is in the downloads).
const TOP_DEALS: usize = 40;

#[derive(Template)]
#[template(path = "forecast.html")]
struct ForecastPage {
    layout: Layout,
    start: String,
    version: i64,
    report_names: Vec<&'static str>,
    pairs: Vec<ChartPair>,
    tables: Vec<HtmlTable>,
}

fn find<'a>(
    built: &'a [std::sync::Arc<reports::Report>],
    name: &str,
) -> Result<&'a Table, AppError> {
    built
        .iter()
        .find(|r| r.name == name)
        .map(|r| &r.table)
        .ok_or_else(|| AppError::Internal(format!("report {name} was not built")))
}

/// A table's rows as labelled series of numbers (first column the label).
fn series_of(table: &Table) -> Vec<Series> {
    table
        .rows
        .iter()
        .map(|r| {
            Series::new(
                r.first().cloned().flatten().unwrap_or_default(),
                r.iter().skip(1).map(number).collect(),
            )
        })
        .collect()
}

pub(super) fn transposed(
    caption: &str,
    unit: charts::Unit,
    months: &[String],
    series: &[Series],
) -> HtmlTable {
    let mut columns = vec!["Month"];
    columns.extend(series.iter().map(|s| s.label.as_str()));
    let mut html = HtmlTable::new(caption, &columns);
    html.rows = months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            std::iter::once(Cell::text(m.clone()))
                .chain(
                    series
                        .iter()
                        .map(|s| Cell::number(unit.full(s.values.get(i).copied().unwrap_or(0.0)))),
                )
                .collect()
        })
        .collect();
    let numeric: Vec<usize> = (1..=series.len()).collect();
    html.numeric_columns(&numeric)
}

async fn forecast(State(state): State<AppState>, caller: Caller) -> Response {
    let names = [
        "projections",
        "revenue-by-type",
        "deal-months",
        "flags",
        "fmrr",
    ];
    let sight = caller.sight();
    let built = match async {
        state
            .snapshot()
            .await?
            .reports(&names, today(), sight)
            .await
    }
    .await
    {
        Ok(built) => built,
        Err(AppError::Invalid { field, .. }) if field == "books-closed" => {
            let finance = caller.may(Permission::EditAssumptions);
            let who = if finance {
                "Set it on the assumptions page"
            } else {
                "Someone with the finance role sets it on the assumptions page"
            };
            return super::needs_setup(
                &caller,
                "Forecast",
                format!(
                    "The forecast starts the month after the books closed, and books-closed is not set yet. {who}: it is the last month whose accounting is final (or run `bearing assumptions set books-closed=YYYY-MM`)."
                ),
                finance.then_some(("/assumptions", "Set the assumptions")),
            );
        }
        Err(error) => return error_page(&caller, error),
    };
    match forecast_page(&caller, &built) {
        Ok(page) => ok(&page),
        Err(error) => error_page(&caller, error),
    }
}

fn forecast_page(
    caller: &Caller,
    built: &[std::sync::Arc<reports::Report>],
) -> Result<ForecastPage, AppError> {
    let projections = find(built, "projections")?;
    let months: Vec<String> = projections.columns.iter().skip(1).cloned().collect();
    let scenario_series = series_of(projections);
    let by_type = find(built, "revenue-by-type")?;
    let type_months: Vec<String> = by_type.columns.iter().skip(1).cloned().collect();
    let type_series = series_of(by_type);
    let deal_months = find(built, "deal-months")?;
    let (gantt, contributions) = deal_gantt(deal_months);
    let pairs = vec![
        ChartPair {
            title: "Projections by scenario".into(),
            svg: scenarios_chart(projections),
            caption: "The shaded band runs from the pessimistic (P10) to the optimistic (P90) Monte Carlo scenario.".into(),
            table: transposed("Monthly revenue by scenario", charts::Unit::Dollars, &months, &scenario_series),
        },
        usage_pair(&months, &scenario_series),
        ChartPair {
            title: "Revenue by type".into(),
            svg: charts::stacked_bars(
                "Estimated monthly revenue by revenue type",
                "Stacked bars of the estimated revenue of each month, one colour per revenue type; the table beside the chart has the numbers.",
                charts::Unit::Dollars,
                &type_months,
                &type_series,
            ),
            caption: "Stacked: each bar is the month's estimated revenue.".into(),
            table: transposed("Estimated revenue by type and month", charts::Unit::Dollars, &type_months, &type_series),
        },
        ChartPair {
            title: "Active deals over time".into(),
            svg: gantt,
            caption: format!("The {TOP_DEALS} deals with the most expected future revenue; the downloads have every deal."),
            table: contributions,
        },
    ];
    let fmrr = HtmlTable::from_table(
        "Contracted (CMRR) and forecast (FMRR) monthly recurring revenue",
        find(built, "fmrr")?,
    );
    let flags = flags_table(find(built, "flags")?, usize::MAX);
    Ok(ForecastPage {
        layout: Layout::new("Forecast", caller, "/forecast"),
        start: months.first().cloned().unwrap_or_default(),
        version: built.first().map_or(0, |r| r.assumptions_version),
        report_names: reports::NAMES.to_vec(),
        pairs,
        tables: vec![fmrr, flags],
    })
}

/// Usage revenue ahead, both ways, with how each is computed.
fn usage_pair(months: &[String], scenarios: &[Series]) -> ChartPair {
    let usage: Vec<Series> = scenarios
        .iter()
        .filter(|s| {
            s.label == "Estimated usage revenue" || s.label == reports::TREND_AND_SEASON_ROW
        })
        .cloned()
        .collect();
    ChartPair {
        title: "Usage revenue".into(),
        svg: charts::line_chart(
            "Usage revenue per month, two ways",
            "The mean of the last twelve months' usage fees, flat, beside a forecast that follows each cluster's trend and season; the table beside the chart has the numbers.",
            charts::Unit::Dollars,
            months,
            &usage,
            None,
        ),
        caption: format!(
            "Estimated usage revenue is the mean of the last twelve monthly totals, as the organisation has computed it. Trend and season: {}",
            bearing_core::usage::TREND_AND_SEASON_METHOD
        ),
        table: transposed(
            "Usage revenue by month",
            charts::Unit::Dollars,
            months,
            &usage,
        ),
    }
}

/// The Gantt chart of the largest deals and their contributions table.
fn deal_gantt(table: &Table) -> (String, HtmlTable) {
    const FIRST_MONTH: usize = 9;
    let months: Vec<String> = table.columns.iter().skip(FIRST_MONTH).cloned().collect();
    let mut rows: Vec<&Vec<Option<String>>> = table
        .rows
        .iter()
        .filter(|r| r.get(1).cloned().flatten().as_deref() != Some("TOTAL"))
        .collect();
    rows.sort_by(|a, b| number(&b[8]).total_cmp(&number(&a[8])));
    rows.truncate(TOP_DEALS);
    let spans: Vec<Span> = rows
        .iter()
        .filter_map(|r| {
            let values: Vec<f64> = r.iter().skip(FIRST_MONTH).map(number).collect();
            let first = values.iter().position(|v| *v != 0.0)?;
            let last = values.iter().rposition(|v| *v != 0.0)?;
            Some(Span {
                label: r[1].clone().unwrap_or_default(),
                first,
                last,
                committed: number(&r[4]) >= 1.0,
            })
        })
        .collect();
    let svg = charts::gantt(
        "Active deals by month",
        "One bar per deal from its first to its last month of expected revenue; won deals solid, open deals in the second colour. The table beside the chart lists each deal's expected revenue.",
        &months,
        &spans,
    );
    let mut html = HtmlTable::new(
        "Deal contributions (largest first)",
        &[
            "Deal",
            "Stage",
            "Probability",
            "Expected monthly",
            "Expected future revenue",
        ],
    )
    .numeric_columns(&[2, 3, 4]);
    html.rows = rows
        .iter()
        .map(|r| {
            let cell = |i: usize| r.get(i).cloned().flatten().unwrap_or_default();
            vec![
                Cell::text(cell(1)),
                Cell::text(cell(3)),
                Cell::number(format!("{:.0}%", number(&r[4]) * 100.0)),
                Cell::number(dollars(number(&r[6]))),
                Cell::number(dollars(number(&r[8]))),
            ]
        })
        .collect();
    (svg, html)
}

#[derive(Debug, Default, serde::Deserialize)]
struct DownloadQuery {
    format: Option<String>,
    report: Option<String>,
}

async fn download(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<DownloadQuery>,
) -> Response {
    let result = async {
        match q.format.as_deref() {
            Some("csv") => {
                let name = q.report.as_deref().unwrap_or("projections");
                let built = state
                    .snapshot()
                    .await?
                    .reports(&[name], today(), caller.sight())
                    .await?;
                let report = built
                    .first()
                    .ok_or_else(|| AppError::Internal(format!("report {name} was not built")))?;
                let mut bytes = Vec::new();
                report
                    .table
                    .write(Format::Csv, &mut bytes)
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                Ok((
                    "text/csv; charset=utf-8",
                    format!("attachment; filename=\"{name}.csv\""),
                    bytes,
                ))
            }
            Some("xlsx") | None => {
                let bytes = state
                    .snapshot()
                    .await?
                    .forecast_workbook(today(), caller.sight())
                    .await?
                    .to_vec();
                Ok((
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    "attachment; filename=\"bearing-forecast.xlsx\"".to_owned(),
                    bytes,
                ))
            }
            Some(other) => Err(AppError::invalid(
                "format",
                format!("{other:?} is not a download format: csv or xlsx"),
            )),
        }
    }
    .await;
    match result {
        Ok((content_type, disposition, bytes)) => (
            [
                (header::CONTENT_TYPE, content_type.to_owned()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            bytes,
        )
            .into_response(),
        Err(error) => error_page(&caller, error),
    }
}

#[derive(Template)]
#[template(path = "analytics.html")]
struct AnalyticsPage {
    layout: Layout,
    pairs: Vec<ChartPair>,
}

/// Stage moves and the days spent in each stage, from the deal history.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct StageFlow {
    /// (from, to) → number of moves.
    pub moves: BTreeMap<(String, String), u64>,
    /// Stage → days spent there, one entry per completed stay.
    pub stays: BTreeMap<String, Vec<f64>>,
}

/// Reads the stage changes of the history (in time order per deal).
pub(crate) fn stage_flow(history: &[bearing_store::DealHistoryRecord]) -> StageFlow {
    let mut by_deal: HashMap<bearing_core::DealId, Vec<&bearing_store::DealHistoryRecord>> =
        HashMap::new();
    for h in history.iter().filter(|h| h.field == "stage") {
        by_deal.entry(h.deal_id).or_default().push(h);
    }
    let mut flow = StageFlow::default();
    for changes in by_deal.values_mut() {
        changes.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
        for pair in changes.windows(2) {
            let (entered, left) = (pair[0], pair[1]);
            let (Some(stage), Some(next)) = (&entered.new_value, &left.new_value) else {
                continue;
            };
            *flow.moves.entry((stage.clone(), next.clone())).or_default() += 1;
            if let (Ok(a), Ok(b)) = (
                entered.at.parse::<jiff::Timestamp>(),
                left.at.parse::<jiff::Timestamp>(),
            ) {
                let days = b.duration_since(a).as_secs_f64() / 86_400.0;
                flow.stays.entry(stage.clone()).or_default().push(days);
            }
        }
    }
    flow
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

async fn analytics(State(state): State<AppState>, caller: Caller) -> Response {
    let (history, stages) = match tokio::try_join!(
        async { state.snapshot().await?.deal_history().await },
        async { Ok(state.store.list_stages().await?) }
    ) {
        Ok(found) => found,
        Err(error) => return error_page(&caller, error),
    };
    let mut flow = stage_flow(&history);
    let order: Vec<String> = {
        let mut names: Vec<String> = stages.iter().map(|s| s.name.clone()).collect();
        names.dedup();
        for (a, b) in flow.moves.keys() {
            for n in [a, b] {
                if !names.contains(n) {
                    names.push(n.clone());
                }
            }
        }
        names
    };
    let from: Vec<String> = order
        .iter()
        .filter(|n| flow.moves.keys().any(|(a, _)| a == *n))
        .cloned()
        .collect();
    let to: Vec<String> = order
        .iter()
        .filter(|n| flow.moves.keys().any(|(_, b)| b == *n))
        .cloned()
        .collect();
    let flows: Vec<(usize, usize, u64)> = flow
        .moves
        .iter()
        .filter_map(|((a, b), n)| {
            Some((
                from.iter().position(|x| x == a)?,
                to.iter().position(|x| x == b)?,
                *n,
            ))
        })
        .collect();
    let mut moves_table =
        HtmlTable::new("Moves between stages", &["From", "To", "Deals"]).numeric_columns(&[2]);
    let mut sorted_moves: Vec<_> = flow.moves.iter().collect();
    sorted_moves.sort_by(|a, b| b.1.cmp(a.1));
    moves_table.rows = sorted_moves
        .iter()
        .map(|((a, b), n)| {
            vec![
                Cell::text(a.clone()),
                Cell::text(b.clone()),
                Cell::number(n.to_string()),
            ]
        })
        .collect();
    let mut stay_items = Vec::new();
    let mut stay_table = HtmlTable::new(
        "Days in each stage",
        &["Stage", "Stays", "Median days", "Mean days"],
    )
    .numeric_columns(&[1, 2, 3]);
    for stage in &order {
        if let Some(days) = flow.stays.get_mut(stage) {
            let mean = days.iter().sum::<f64>() / days.len() as f64;
            let med = median(days);
            stay_items.push((stage.clone(), med, format!("{med:.0} days")));
            stay_table.rows.push(vec![
                Cell::text(stage.clone()),
                Cell::number(days.len().to_string()),
                Cell::number(format!("{med:.0}")),
                Cell::number(format!("{mean:.0}")),
            ]);
        }
    }
    let pairs = vec![
        ChartPair {
            title: "Stage-to-stage flow".into(),
            svg: charts::sankey(
                "Deals moving between stages",
                "A Sankey diagram: stages deals left on the left, stages they entered on the right, each band as wide as the number of moves; the table beside it lists every move.",
                &from,
                &to,
                &flows,
            ),
            caption: "Band width is the number of moves.".into(),
            table: moves_table,
        },
        ChartPair {
            title: "Time in stage".into(),
            svg: charts::hbars(
                "Median days in each stage",
                "One bar per stage, as long as the median number of days a deal spent there before moving on.",
                "Median days before a deal moved on",
                &stay_items,
            ),
            caption: "Only stays that ended with a move count.".into(),
            table: stay_table,
        },
    ];
    ok(&AnalyticsPage {
        layout: Layout::new("Pipeline analytics", &caller, "/analytics"),
        pairs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bearing_core::{DealId, Source};
    use bearing_store::DealHistoryRecord;

    fn change(id: i64, deal: i64, new: &str, at: &str) -> DealHistoryRecord {
        DealHistoryRecord {
            id,
            deal_id: DealId::new(deal).unwrap_or_else(|_| unreachable!()),
            field: "stage".into(),
            old_value: None,
            new_value: Some(new.into()),
            at: at.into(),
            actor: "ada".into(),
            source: Source::Web,
        }
    }

    #[test]
    fn moves_and_stays_come_from_consecutive_stage_changes() {
        let history = vec![
            change(1, 1, "Lead", "2026-01-01T00:00:00Z"),
            change(2, 1, "Proposal", "2026-01-11T00:00:00Z"),
            change(3, 1, "Won", "2026-01-31T00:00:00Z"),
            change(4, 2, "Lead", "2026-01-01T00:00:00Z"),
            change(5, 2, "Proposal", "2026-01-05T00:00:00Z"),
        ];
        let flow = stage_flow(&history);
        assert_eq!(
            flow.moves.get(&("Lead".into(), "Proposal".into())),
            Some(&2)
        );
        assert_eq!(flow.moves.get(&("Proposal".into(), "Won".into())), Some(&1));
        let mut lead = flow.stays["Lead"].clone();
        assert_eq!(median(&mut lead), 7.0);
        assert_eq!(flow.stays["Proposal"], vec![20.0]);
    }
}
