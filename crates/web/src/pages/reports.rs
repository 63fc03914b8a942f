//! The forecast with its charts and downloads, and the pipeline analytics.

use crate::access::Rule::Signed;
use bearing_core::access::Permission::Read;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use bearing_app::{AppError, reports};
use bearing_core::access::Permission;
use bearing_formats::Format;

use super::home::{flags_table, scenarios_chart, today};
use super::{Cell, ChartPair, HtmlTable, Layout, Routes, dollars, error_page, ok};
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
) -> Result<&'a reports::Report, AppError> {
    built
        .iter()
        .find(|r| r.name == name)
        .map(|r| r.as_ref())
        .ok_or_else(|| AppError::Internal(format!("report {name} was not built")))
}

/// A report's monthly series, with their months as labels.
pub(super) fn series_of(report: &reports::Report) -> (Vec<String>, Vec<Series>) {
    lines_of(report, |_| true)
}

/// A report's series that are not totals of others: what a stacked chart stacks.
fn parts_of(report: &reports::Report) -> (Vec<String>, Vec<Series>) {
    lines_of(report, |line| !line.total)
}

fn lines_of(
    report: &reports::Report,
    keep: impl Fn(&bearing_core::forecast::Line) -> bool,
) -> (Vec<String>, Vec<Series>) {
    match &report.rows {
        reports::Rows::Series { months, lines, .. } => (
            months.iter().copied().map(super::month_text).collect(),
            lines
                .iter()
                .filter(|line| keep(line))
                .map(|line| Series::new(line.label.clone(), line.values.clone()))
                .collect(),
        ),
        _ => (Vec::new(), Vec::new()),
    }
}

/// The last closed months' actual revenue the projections carry.
fn actual_rows(report: &reports::Report) -> &[(bearing_core::Month, f64)] {
    match &report.rows {
        reports::Rows::Series { actual, .. } => actual,
        _ => &[],
    }
}

/// `table` (a month a row, a series a column) after rows of the closed months' actual
/// revenue, in the columns of the revenue scenarios.
fn with_actuals(
    mut table: HtmlTable,
    series: &[Series],
    actual: &[(bearing_core::Month, f64)],
) -> HtmlTable {
    let rows: Vec<Vec<Cell>> = actual
        .iter()
        .map(|(month, revenue)| {
            std::iter::once(Cell::when(format!(
                "{} (actual)",
                super::month_text(*month)
            )))
            .chain(series.iter().map(|s| {
                if reports::SCENARIO_ROWS.contains(&s.label.as_str()) {
                    Cell::number(dollars(*revenue))
                } else {
                    Cell::text("")
                }
            }))
            .collect()
        })
        .collect();
    table.rows.splice(0..0, rows);
    table
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
            std::iter::once(Cell::when(m.clone()))
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
    let fiscal_year_start = match bearing_app::assumptions::current(&state.store, today()).await {
        Ok((_, a)) => a.fiscal_year_start,
        Err(error) => return error_page(&caller, error),
    };
    match forecast_page(&caller, &built, fiscal_year_start) {
        Ok(page) => ok(&page),
        Err(error) => error_page(&caller, error),
    }
}

fn forecast_page(
    caller: &Caller,
    built: &[std::sync::Arc<reports::Report>],
    fiscal_year_start: u8,
) -> Result<ForecastPage, AppError> {
    let projections = find(built, "projections")?;
    let (months, scenario_series) = series_of(projections);
    let by_type = find(built, "revenue-by-type")?;
    let (type_months, type_series) = series_of(by_type);
    let (_, type_parts) = parts_of(by_type);
    let (gantt, contributions) = deal_gantt(&find(built, "deal-months")?.rows);
    let pairs = vec![
        ChartPair {
            title: "Projections by scenario".into(),
            svg: scenarios_chart(projections),
            caption: format!("Committed is what the signed deals still bring in each month: what is left to collect, spread over the months that remain. Committed (total contract less gifts) is the whole value of the signed contracts a month, gifts left out, whatever has been collected. Estimated adds the open deals weighted by their probability. The shaded band runs from the pessimistic (P10) to the optimistic (P90) Monte Carlo scenario.{}", if actual_rows(projections).is_empty() { "" } else { " The table's first rows are the last closed months, with the revenue the books recorded." }),
            table: with_actuals(
                transposed("Monthly revenue by scenario", charts::Unit::Dollars, &months, &scenario_series),
                &scenario_series,
                actual_rows(projections),
            ),
        },
        usage_pair(&months, &scenario_series),
        ChartPair {
            title: "Revenue by type".into(),
            svg: charts::stacked_bars(
                "Monthly revenue by type, committed and weighted pipeline",
                "Stacked bars of the revenue of each month, one colour per revenue type, committed and weighted pipeline; the table beside the chart has the numbers and the totals.",
                charts::Unit::Dollars,
                &type_months,
                &type_parts,
            ),
            caption: "Stacked: each bar is the month's committed revenue by type with the pipeline's by type on top, weighted by probability; its height is the TOTAL (committed + pipeline) row of the table.".into(),
            table: transposed("Revenue by type and month", charts::Unit::Dollars, &type_months, &type_series),
        },
        mrr_pair(find(built, "fmrr")?),
        ChartPair {
            title: "Active deals over time".into(),
            svg: gantt,
            caption: format!("The {TOP_DEALS} deals with the most expected future revenue; the downloads have every deal."),
            table: contributions,
        },
    ];
    let flags = flags_table(&find(built, "flags")?.rows, usize::MAX);
    Ok(ForecastPage {
        layout: Layout::new("Forecast", caller, "/forecast"),
        start: months.first().cloned().unwrap_or_default(),
        version: built.first().map_or(0, |r| r.assumptions_version),
        report_names: reports::NAMES.to_vec(),
        pairs,
        tables: period_tables(projections, fiscal_year_start)
            .into_iter()
            .chain([flags])
            .collect(),
    })
}

/// Committed and estimated revenue added up by fiscal quarter and fiscal year. The
/// scenarios' percentiles are left out: a quarter's P10 is not the sum of its months'.
fn period_tables(projections: &reports::Report, fiscal_year_start: u8) -> Vec<HtmlTable> {
    use bearing_core::forecast::{Period, by_period};
    let reports::Rows::Series { months, lines, .. } = &projections.rows else {
        return Vec::new();
    };
    let wanted = ["Committed", "Estimated", "Estimated usage revenue"];
    let series: Vec<Vec<f64>> = wanted
        .iter()
        .map(|label| {
            lines
                .iter()
                .find(|l| l.label == *label)
                .map(|l| l.values.clone())
                .unwrap_or_default()
        })
        .collect();
    let start_month =
        bearing_core::assumptions::readable("fiscal-year-start", &fiscal_year_start.to_string());
    [
        (Period::Quarter, "Fiscal quarter"),
        (Period::Year, "Fiscal year"),
    ]
    .into_iter()
    .map(|(period, name)| {
        let mut table = HtmlTable::new(
            format!(
                "Revenue by {} (the fiscal year starts in {start_month})",
                name.to_lowercase()
            ),
            &[name, "Committed", "Estimated", "Estimated usage revenue"],
        )
        .numeric_columns(&[1, 2, 3]);
        table.rows = by_period(months, &series, period, fiscal_year_start)
            .into_iter()
            .map(|p| {
                let label = if p.partial {
                    format!("{} (part)", p.label)
                } else {
                    p.label
                };
                std::iter::once(Cell::when(label))
                    .chain(p.sums.iter().map(|v| Cell::number(dollars(*v))))
                    .collect()
            })
            .collect();
        table
    })
    .collect()
}

/// Contracted and forecast monthly recurring revenue, with how each is made.
fn mrr_pair(report: &reports::Report) -> ChartPair {
    let reports::Rows::Mrr(m) = &report.rows else {
        return ChartPair {
            title: "Monthly recurring revenue".into(),
            svg: String::new(),
            caption: String::new(),
            table: HtmlTable::new("Monthly recurring revenue", &[]),
        };
    };
    let months: Vec<String> = m.months.iter().copied().map(super::month_text).collect();
    let series = vec![
        Series::new("CMRR", m.cmrr.clone()),
        Series::new("Renewal-prospect MRR", m.renewal_mrr.clone()).dashed(),
        Series::new("New-prospect MRR", m.new_mrr.clone()).dashed(),
        Series::new("FMRR", m.fmrr.clone()),
    ];
    ChartPair {
        title: "Monthly recurring revenue".into(),
        svg: charts::line_chart(
            "Contracted (CMRR) and forecast (FMRR) monthly recurring revenue",
            "CMRR, the open renewals' and new deals' monthly revenue, and FMRR, month by month; the table below the chart has the numbers.",
            charts::Unit::Dollars,
            &months,
            &series,
            None,
        ),
        caption: format!(
            "CMRR spreads each signed contract's whole amount evenly over its term, collected or not; it is not the Committed projection above. FMRR adds the open renewals and new deals, weighted by the assumptions rho and eta. FMRR over the next six months: {}.",
            dollars(m.fmrr6)
        ),
        table: transposed(
            "Monthly recurring revenue by month",
            charts::Unit::Dollars,
            &months,
            &series,
        ),
    }
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
fn deal_gantt(rows: &reports::Rows) -> (String, HtmlTable) {
    let (months, deals) = match rows {
        reports::Rows::Deals { months, deals } => (months.as_slice(), deals.as_slice()),
        _ => (&[][..], &[][..]),
    };
    let months: Vec<String> = months.iter().copied().map(super::month_text).collect();
    let mut largest: Vec<&reports::DealLine> = deals.iter().collect();
    largest.sort_by(|a, b| {
        b.expected_future_revenue
            .total_cmp(&a.expected_future_revenue)
    });
    largest.truncate(TOP_DEALS);
    let spans: Vec<Span> = largest
        .iter()
        .filter_map(|d| {
            let first = d.months.iter().position(|v| *v != 0.0)?;
            let last = d.months.iter().rposition(|v| *v != 0.0)?;
            Some(Span {
                label: d.name.clone(),
                first,
                last,
                committed: d.committed,
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
    html.rows = largest
        .iter()
        .map(|d| {
            vec![
                Cell::text(d.name.clone()),
                Cell::text(d.stage.clone()),
                Cell::number(format!("{:.0}%", d.probability * 100.0)),
                Cell::number(dollars(d.expected_monthly)),
                Cell::number(dollars(d.expected_future_revenue)),
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
    query: AnalyticsQuery,
    owners: Vec<String>,
    campaigns: Vec<String>,
    /// What the filters keep, in words; empty for every deal.
    shown: String,
    /// A filter that could not be read, in words.
    problem: String,
    /// Decided deals and the share won, in words.
    summary: String,
    pairs: Vec<ChartPair>,
}

/// The analytics filters as the form sends them: empty means any.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
struct AnalyticsQuery {
    from: String,
    to: String,
    owner: String,
    campaign: String,
}

impl AnalyticsQuery {
    /// The filter, or what is wrong with a date.
    fn filter(&self) -> Result<bearing_app::analytics::Filter, String> {
        let day = |label: &str, text: &str| -> Result<Option<bearing_core::Date>, String> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            text.parse()
                .map(Some)
                .map_err(|_| format!("{label}: {text:?} is not a date; write it as 2026-11-30"))
        };
        let some = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
        Ok(bearing_app::analytics::Filter {
            from: day("Entered from", &self.from)?,
            to: day("Entered to", &self.to)?,
            owner: some(&self.owner),
            campaign: some(&self.campaign),
        })
    }
}

/// A share as a whole percentage, or a dash when nothing was counted.
fn percent(share: Option<f64>) -> String {
    share.map_or_else(|| "–".to_owned(), |s| format!("{:.0}%", s * 100.0))
}

/// The filter in words: "entered from 1 Jan 2026, owned by Ada, from the campaign Spring".
fn shown(filter: &bearing_app::analytics::Filter) -> String {
    let mut parts = Vec::new();
    match (filter.from, filter.to) {
        (Some(from), Some(to)) => parts.push(format!(
            "deals that entered the pipeline from {} to {}",
            super::day_text(from),
            super::day_text(to)
        )),
        (Some(from), None) => parts.push(format!(
            "deals that entered the pipeline on or after {}",
            super::day_text(from)
        )),
        (None, Some(to)) => parts.push(format!(
            "deals that entered the pipeline on or before {}",
            super::day_text(to)
        )),
        (None, None) => {}
    }
    if let Some(owner) = &filter.owner {
        parts.push(format!("owned by {owner}"));
    }
    if let Some(campaign) = &filter.campaign {
        parts.push(format!("from the campaign {campaign}"));
    }
    parts.join(", ")
}

async fn analytics(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<AnalyticsQuery>,
) -> Response {
    let snapshot = match state.snapshot().await {
        Ok(snapshot) => snapshot,
        Err(error) => return error_page(&caller, error),
    };
    let (history, stages, deals) = match tokio::try_join!(
        snapshot.deal_history(),
        async { Ok(state.store.list_stages().await?) },
        snapshot.deals(),
    ) {
        Ok(found) => found,
        Err(error) => return error_page(&caller, error),
    };
    let (filter, problem) = match query.filter() {
        Ok(filter) => (filter, String::new()),
        Err(problem) => (bearing_app::analytics::Filter::default(), problem),
    };
    let distinct = |field: fn(&bearing_app::deals::Deal) -> Option<&String>| {
        let mut names: Vec<String> = deals.iter().filter_map(field).cloned().collect();
        names.sort_by_key(|n| n.to_lowercase());
        names.dedup();
        names
    };
    let owners = distinct(|d| d.fields.owner.as_ref());
    let campaigns = distinct(|d| d.fields.campaign.as_ref());
    let flow = bearing_app::analytics::stage_flow(&history, &stages, &deals, &filter);
    let summary = match flow.won + flow.lost {
        0 => "No deal among these is won or lost yet.".to_owned(),
        decided => format!(
            "{} of {decided} decided deals won: a win rate of {}.",
            flow.won,
            percent(flow.win_rate())
        ),
    };
    let pairs = vec![conversion_pair(&flow), flow_pair(&flow), time_pair(&flow)];
    ok(&AnalyticsPage {
        layout: Layout::new("Pipeline analytics", &caller, "/analytics"),
        shown: shown(&filter),
        query,
        owners,
        campaigns,
        problem,
        summary,
        pairs,
    })
}

/// Conversion and win rate from each open stage, as bars and a table.
fn conversion_pair(flow: &bearing_core::analytics::StageFlow) -> ChartPair {
    let mut table = HtmlTable::new(
        "Deals that reached each stage, moved on and were won",
        &[
            "Stage",
            "Reached",
            "Moved on",
            "Conversion",
            "Won",
            "Lost",
            "Open",
            "Win rate",
        ],
    )
    .numeric_columns(&[1, 2, 3, 4, 5, 6, 7]);
    table.rows = flow
        .conversion
        .iter()
        .map(|line| {
            vec![
                Cell::text(line.stage.clone()),
                Cell::number(line.reached.to_string()),
                Cell::number(line.moved_on.to_string()),
                Cell::number(percent(line.conversion())),
                Cell::number(line.won.to_string()),
                Cell::number(line.lost.to_string()),
                Cell::number(line.open().to_string()),
                Cell::number(percent(line.win_rate())),
            ]
        })
        .collect();
    let items: Vec<(String, f64, String)> = flow
        .conversion
        .iter()
        .map(|line| {
            (
                line.stage.clone(),
                line.conversion().unwrap_or(0.0) * 100.0,
                format!(
                    "{} ({} of {})",
                    percent(line.conversion()),
                    line.moved_on,
                    line.reached
                ),
            )
        })
        .collect();
    ChartPair {
        title: "Conversion by stage".into(),
        svg: charts::hbars(
            "Share of deals that moved on from each stage",
            "One bar per open stage, as long as the share of the deals that reached it and later reached a stage further along or were won; the table beside it gives the counts and each stage's win rate.",
            "Moved on from the stage, % of the deals that reached it",
            &items,
        ),
        caption: "Moving on means reaching a later stage or being won; skipping a stage counts. The win rate is the share won among the deals that passed through the stage and are decided.".into(),
        table,
    }
}

/// Moves between stages, as a Sankey diagram and a table.
fn flow_pair(flow: &bearing_core::analytics::StageFlow) -> ChartPair {
    let from: Vec<String> = flow
        .stages
        .iter()
        .filter(|n| flow.moves.iter().any(|m| &m.from == *n))
        .cloned()
        .collect();
    let to: Vec<String> = flow
        .stages
        .iter()
        .filter(|n| flow.moves.iter().any(|m| &m.to == *n))
        .cloned()
        .collect();
    let flows: Vec<(usize, usize, u64)> = flow
        .moves
        .iter()
        .filter_map(|m| {
            Some((
                from.iter().position(|x| *x == m.from)?,
                to.iter().position(|x| *x == m.to)?,
                m.deals,
            ))
        })
        .collect();
    let mut table =
        HtmlTable::new("Moves between stages", &["From", "To", "Deals"]).numeric_columns(&[2]);
    table.rows = flow
        .moves
        .iter()
        .map(|m| {
            vec![
                Cell::text(m.from.clone()),
                Cell::text(m.to.clone()),
                Cell::number(m.deals.to_string()),
            ]
        })
        .collect();
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
        table,
    }
}

/// Days in each stage: the open stages as bars, every stage in the table.
fn time_pair(flow: &bearing_core::analytics::StageFlow) -> ChartPair {
    let mut table = HtmlTable::new(
        "Days in each stage",
        &["Stage", "Stays", "Median days", "Mean days"],
    )
    .numeric_columns(&[1, 2, 3]);
    table.rows = flow
        .times
        .iter()
        .map(|t| {
            let stage = if t.closed {
                format!("{} (after closing)", t.stage)
            } else {
                t.stage.clone()
            };
            vec![
                Cell::text(stage),
                Cell::number(t.stays.to_string()),
                Cell::number(format!("{:.0}", t.median_days)),
                Cell::number(format!("{:.0}", t.mean_days)),
            ]
        })
        .collect();
    let items: Vec<(String, f64, String)> = flow
        .times
        .iter()
        .filter(|t| !t.closed)
        .map(|t| {
            (
                t.stage.clone(),
                t.median_days,
                format!("{:.0} days", t.median_days),
            )
        })
        .collect();
    ChartPair {
        title: "Time in stage".into(),
        svg: charts::hbars(
            "Median days in each open stage",
            "One bar per open stage, as long as the median number of days a deal spent there before moving on.",
            "Median days before a deal moved on",
            &items,
        ),
        caption: "Only stays that ended with a move count. Won and lost stages are in the table only: time there is a contract's life or a lost deal's rest, not time spent selling.".into(),
        table,
    }
}
