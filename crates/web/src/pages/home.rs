//! The dashboard: the scorecard, the scenarios, the pipeline by stage, renewals due and the
//! flags that need attention.

use crate::access::Rule::Signed;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use bearing_app::deals::{self, Deal};
use bearing_app::reports::Rows;
use bearing_core::access::Permission::Read;
use bearing_core::forecast::Status;
use bearing_core::pipeline::StageOutcome;

use super::{Cell, HtmlTable, Layout, Routes, dollars, error_page, ok};
use crate::AppState;
use crate::auth::Caller;
use crate::charts::{self, Series};

pub(super) fn routes() -> Routes {
    Routes::new().get("/", Signed(Read), home)
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    /// The figures leadership reads first.
    headline: Vec<Figure>,
    problem: Option<String>,
    /// Why the scorecard is not shown, to a reader who may not see it.
    health_note: Option<String>,
    health: HtmlTable,
    /// Which monthly costs the scorecard weighs, in the team page's words.
    costs: Option<String>,
    /// Whether the caller may open the team's cost.
    team_link: bool,
    scenarios_chart: String,
    pipeline: HtmlTable,
    renewals: HtmlTable,
    flags: HtmlTable,
}

pub(crate) fn today() -> bearing_core::Date {
    jiff::Zoned::now().date()
}

/// One figure of the dashboard's headline: what it is, its value, what to read beside it
/// (its change since last month, or its status) and where its detail is.
pub(crate) struct Figure {
    label: &'static str,
    value: String,
    note: String,
    href: &'static str,
}

/// A change in words: `+$500 since last month`, `no change since last month`.
fn since_last_month(change: f64) -> String {
    if change.abs() < 0.5 {
        "no change since last month".to_owned()
    } else if change > 0.0 {
        format!("+{} since last month", dollars(change))
    } else {
        format!("{} since last month", dollars(change))
    }
}

/// How far a scorecard figure moved since the latest close froze it: `+2 months since the
/// Oct 2026 close`, `−4 points since …`; empty when it was not frozen.
fn since_close(
    measure: bearing_core::forecast::Measure,
    now: Option<f64>,
    closed: Option<&bearing_app::books::ClosedHealth>,
) -> Option<String> {
    use bearing_core::forecast::Measure;
    let closed = closed?;
    let (then, unit, scale) = match measure {
        Measure::Runway => (closed.runway_months?, "month", 1.0),
        Measure::CostCoverage => (closed.cost_coverage?, "point", 100.0),
        Measure::PipelineCoverage => return None,
    };
    let change = ((now? - then) * scale).round() as i64;
    let since = format!("since the {} close", closed.month.words());
    Some(match change {
        0 => format!("no change {since}"),
        n => format!(
            "{}{} {unit}{} {since}",
            if n > 0 { "+" } else { "−" },
            n.abs(),
            if n.abs() == 1 { "" } else { "s" }
        ),
    })
}

/// MRR and ARR with their change since last month, and the scorecard's runway and cost
/// coverage with their status and their change since the latest close.
fn headline(
    mrr: &Rows,
    health: &Rows,
    closed: Option<&bearing_app::books::ClosedHealth>,
) -> Vec<Figure> {
    let mut figures = Vec::new();
    if let Rows::Mrr(m) = mrr {
        figures.push(Figure {
            label: "MRR (contracted)",
            value: dollars(m.mrr()),
            note: since_last_month(m.mrr_change()),
            href: "/forecast",
        });
        figures.push(Figure {
            label: "ARR",
            value: dollars(m.arr()),
            note: since_last_month(m.arr_change()),
            href: "/forecast",
        });
    }
    if let Rows::Health { indicators, .. } = health {
        for i in indicators.iter().filter(|i| {
            matches!(
                i.measure,
                bearing_core::forecast::Measure::Runway
                    | bearing_core::forecast::Measure::CostCoverage
            )
        }) {
            let mut note = match &i.beside {
                Some(beside) => format!("{}: {beside}", i.status.as_str()),
                None => i.status.as_str().to_owned(),
            };
            if let Some(change) = since_close(i.measure, i.number, closed) {
                note = format!("{note}; {change}");
            }
            figures.push(Figure {
                label: i.name,
                value: i.value.clone(),
                note,
                href: "#health-h",
            });
        }
    }
    figures
}

/// The scorecard with traffic lights, and which costs it weighs.
fn health_table(rows: &Rows) -> (HtmlTable, Option<String>) {
    let mut html = HtmlTable::new(
        "Each measure, its status and what the next band takes",
        &["Measure", "Value", "Status", "Next target", "Detail"],
    );
    let Rows::Health {
        indicators: measures,
        costs,
    } = rows
    else {
        return (html, None);
    };
    for m in measures {
        // A traffic light for red, yellow and green; "over" (beyond green) is said in words.
        let light = (m.status != Status::Over).then(|| m.status.as_str());
        let value = match &m.beside {
            Some(beside) => format!("{} ({beside})", m.value),
            None => m.value.clone(),
        };
        html.rows.push(vec![
            Cell::text(m.name),
            Cell::number(value),
            Cell {
                text: m.status.as_str().to_owned(),
                status: light,
                ..Cell::default()
            },
            Cell::text(m.target.clone().unwrap_or_default()),
            Cell::text(m.detail.clone()),
        ]);
    }
    (html.numeric_columns(&[1]), Some(costs.clone()))
}

/// The scenarios line chart from the projections report.
pub(crate) fn scenarios_chart(projections: &bearing_app::reports::Report) -> String {
    let (months, series) = super::reports::series_of(projections);
    let row = |label: &str| -> Vec<f64> {
        series
            .iter()
            .find(|s| s.label == label)
            .map(|s| s.values.clone())
            .unwrap_or_default()
    };
    let (low, high) = (row("Pessimistic"), row("Optimistic"));
    charts::line_chart(
        "Monthly revenue by scenario",
        "Committed and estimated revenue per month, with the Monte Carlo pessimistic (P10) to optimistic (P90) range shaded; the table beside the chart has the numbers.",
        charts::Unit::Dollars,
        &months,
        &[
            Series::new("Committed", row("Committed")),
            Series::new("Estimated", row("Estimated")).dashed(),
        ],
        Some(("Pessimistic (P10) to optimistic (P90)", &low, &high)),
    )
}

/// Count, amount and weighted amount of open deals in each stage, in pipeline order.
fn pipeline_table(list: &[Deal], stages: &[bearing_store::StageRecord]) -> HtmlTable {
    let mut html = HtmlTable::new(
        "Open deals by stage",
        &["Stage", "Deals", "Amount", "Weighted"],
    );
    let open_stages: Vec<&bearing_store::StageRecord> = stages
        .iter()
        .filter(|s| s.outcome == StageOutcome::Open && !s.retired)
        .collect();
    for stage in &open_stages {
        let in_stage = list
            .iter()
            .filter(|d| d.fields.pipeline == stage.pipeline && d.fields.stage == stage.name);
        let (n, a, w) = deals::totals(in_stage);
        html.rows.push(vec![
            Cell::link(
                stage.name.clone(),
                format!("/deals?stage={}", super::encode_query(&stage.name)),
            ),
            Cell::number(n.to_string()),
            Cell::number(dollars(a)),
            Cell::number(dollars(w)),
        ]);
    }
    let (count, amount, weighted) = deals::totals(list.iter().filter(|d| {
        open_stages
            .iter()
            .any(|s| d.fields.pipeline == s.pipeline && d.fields.stage == s.name)
    }));
    html.rows.push(vec![
        Cell::text("Total"),
        Cell::number(count.to_string()),
        Cell::number(dollars(amount)),
        Cell::number(dollars(weighted)),
    ]);
    html.numeric_columns(&[1, 2, 3])
}

/// Won deals whose contract ends within 0–30, 31–90 and 91–180 days and that no deal renews
/// yet.
fn renewals_table(
    list: &[Deal],
    today: bearing_core::Date,
    names: &super::crm::OrgNames,
) -> HtmlTable {
    let renewed: std::collections::HashSet<_> =
        list.iter().filter_map(|d| d.fields.renews).collect();
    let mut html = HtmlTable::new(
        "Won contracts ending soon without a renewal",
        &["Due in", "Deal", "Organization", "Ends", "Amount"],
    );
    for (label, from, to) in [
        ("0–30 days", 0, 30),
        ("31–90 days", 31, 90),
        ("91–180 days", 91, 180),
    ] {
        let mut due: Vec<&Deal> = list
            .iter()
            .filter(|d| d.stage_outcome == StageOutcome::Won && !renewed.contains(&d.id))
            .filter(|d| {
                d.fields.contract_end.is_some_and(|end| {
                    let days = (end - today).get_days();
                    (from..=to).contains(&days)
                })
            })
            .collect();
        due.sort_by_key(|d| d.fields.contract_end);
        if due.is_empty() {
            html.rows.push(vec![
                Cell::text(label),
                Cell::text("none"),
                Cell::default(),
                Cell::default(),
                Cell::default(),
            ]);
        }
        for deal in due {
            html.rows.push(vec![
                Cell::text(label),
                Cell::link(deal.fields.name.clone(), format!("/deals/{}", deal.id)),
                names.cell(deal.fields.organization.as_ref()),
                Cell::when(super::day_or_empty(deal.fields.contract_end)),
                Cell::number(super::money_text(
                    deal.fields.amount_minor,
                    deal.fields.currency,
                )),
            ]);
        }
    }
    html.numeric_columns(&[4])
}

/// The forecast's flags, linked to their deals.
pub(crate) fn flags_table(rows: &Rows, limit: usize) -> HtmlTable {
    let flags = match rows {
        Rows::Flags(flags) => flags.as_slice(),
        _ => &[],
    };
    let mut html = HtmlTable::new(
        format!("Deals the forecast flags ({} in all)", flags.len()),
        &["Deal", "Reasons", "Stage"],
    );
    for flag in flags.iter().take(limit) {
        html.rows.push(vec![
            Cell::link(flag.name.clone(), format!("/deals/{}", flag.id)),
            Cell::text(flag.reasons.join("; ")),
            Cell::text(flag.stage.clone()),
        ]);
    }
    html
}

async fn home(State(state): State<AppState>, caller: Caller) -> Response {
    let today = today();
    let snapshot = match state.snapshot().await {
        Ok(snapshot) => snapshot,
        Err(error) => return error_page(&caller, error),
    };
    let (list, stages, organizations, history) = match tokio::try_join!(
        snapshot.deals(),
        async { Ok(state.store.list_stages().await?) },
        snapshot.organizations(),
        snapshot.deal_history(),
    ) {
        Ok(found) => found,
        Err(error) => return error_page(&caller, error),
    };
    let org_names = super::crm::OrgNames::new(&organizations);
    let sight = caller.sight();
    // The scorecard only for those who may see what it is made of (docs/security.md).
    let (health_note, names): (Option<String>, &[&str]) =
        match snapshot.reports(&["health"], today, sight).await {
            Err(bearing_app::AppError::Forbidden(why)) => (
                Some(format!("The health scorecard is not shown to you: {why}.")),
                &["projections", "flags"],
            ),
            _ => (None, &["health", "projections", "flags", "fmrr"]),
        };
    let closed = match bearing_app::books::closed_health(&state.store, sight).await {
        Ok(closed) => closed,
        Err(error) => return error_page(&caller, error),
    };
    let (problem, (health, costs), scenarios_chart, flags, mut headline) =
        match snapshot.reports(names, today, sight).await {
            Ok(built) => {
                let rows = |name: &str| {
                    built
                        .iter()
                        .find(|r| r.name == name)
                        .map(|r| r.rows.clone())
                        .unwrap_or_default()
                };
                let projections = built.iter().find(|r| r.name == "projections");
                (
                    None,
                    health_table(&rows("health")),
                    projections.map_or_else(String::new, |p| scenarios_chart(p)),
                    flags_table(&rows("flags"), 10),
                    headline(&rows("fmrr"), &rows("health"), closed.as_ref()),
                )
            }
            Err(error @ bearing_app::AppError::Invalid { .. }) => (
                Some(format!("The forecast cannot be made yet: {error}")),
                health_table(&Rows::Table),
                String::new(),
                flags_table(&Rows::Table, 0),
                Vec::new(),
            ),
            Err(error) => return error_page(&caller, error),
        };
    let open_stages: Vec<&bearing_store::StageRecord> = stages
        .iter()
        .filter(|s| s.outcome == StageOutcome::Open)
        .collect();
    let (open, _, weighted) = deals::totals(list.iter().filter(|d| {
        open_stages
            .iter()
            .any(|s| d.fields.pipeline == s.pipeline && d.fields.stage == s.name)
    }));
    let change =
        bearing_app::analytics::weighted_pipeline_change(&history, &stages, jiff::Timestamp::now());
    headline.push(Figure {
        label: "Open pipeline, weighted",
        value: dollars(weighted),
        note: format!(
            "{open} open {}, {}",
            if open == 1 { "deal" } else { "deals" },
            since_last_month(change)
        ),
        href: "/pipeline",
    });
    // What is owed on the invoices, and how much of it is over 60 days past due: cash.
    if caller.may(bearing_core::access::Permission::ReadCash) {
        let agings = match snapshot.aging(&caller.ctx(), today).await {
            Ok(agings) => agings,
            Err(error) => return error_page(&caller, error),
        };
        if let Some(a) = agings.first() {
            let money = |minor| bearing_core::Money::from_minor(minor, a.currency).whole_text();
            headline.push(Figure {
                label: "Receivables",
                value: money(a.aging.total_minor),
                note: format!("{} over 60 days past due", money(a.aging.over_60())),
                href: "/aging",
            });
        }
    }
    ok(&HomePage {
        layout: Layout::new("Dashboard", &caller, "/"),
        headline,
        problem,
        health_note,
        health,
        costs,
        team_link: caller.may_open(&axum::http::Method::GET, "/team"),
        scenarios_chart,
        pipeline: pipeline_table(&list, &stages),
        renewals: renewals_table(&list, today, &org_names),
        flags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bearing_core::forecast::Measure;

    #[test]
    fn the_headline_says_how_far_runway_and_coverage_moved_since_the_latest_close() {
        let closed = bearing_app::books::ClosedHealth {
            month: bearing_core::Month::parse("2026-10").unwrap_or(bearing_core::Month::MIN),
            runway_months: Some(14.0),
            cost_coverage: Some(0.9149),
        };
        let since = |m, now| since_close(m, now, Some(&closed));
        assert_eq!(
            since(Measure::Runway, Some(16.0)).as_deref(),
            Some("+2 months since the Oct 2026 close")
        );
        assert_eq!(
            since(Measure::Runway, Some(13.0)).as_deref(),
            Some("−1 month since the Oct 2026 close")
        );
        // 91.49% then, 87.02% now: 4.47 points down, said as 4.
        assert_eq!(
            since(Measure::CostCoverage, Some(0.8702)).as_deref(),
            Some("−4 points since the Oct 2026 close")
        );
        assert_eq!(
            since(Measure::CostCoverage, Some(0.9151)).as_deref(),
            Some("no change since the Oct 2026 close")
        );
        assert_eq!(since(Measure::PipelineCoverage, Some(1.0)), None);
        assert_eq!(since_close(Measure::Runway, Some(1.0), None), None);
        let unfrozen = bearing_app::books::ClosedHealth {
            runway_months: None,
            ..closed
        };
        assert_eq!(
            since_close(Measure::Runway, Some(1.0), Some(&unfrozen)),
            None
        );
    }
}
