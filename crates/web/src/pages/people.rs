//! Roles, bands and people. Roles, titles and the salary bands are for everyone (the
//! organisation publishes pay by role); an individual's step, time, pay and funding only for
//! finance, admin and that person; the team's cost, for finance.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use bearing_app::AppError;
use bearing_app::people::{self, Viewer};
use bearing_core::EntityKind;
use bearing_core::access::Permission;
use bearing_core::people::CostRates;
use bearing_core::{Month, forecast::dollars};

use super::crm::{RecordPage, history_of};
use super::home::today;
use super::reports::transposed;
use super::{Cell, ChartPair, HtmlTable, Layout, Routes, TablePage, error_page, ok};
use crate::AppState;
use crate::auth::Caller;
use crate::charts::{self, Series};

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/roles", role_list)
        .get("/roles/{id}", role)
        .get("/people", person_list)
        .get("/people/{id}", person)
        .get("/team", team)
}

pub(crate) fn viewer(caller: &Caller) -> Viewer {
    Viewer {
        role: caller.role(),
        email: Some(caller.user.email.clone()),
    }
}

fn minor(amount: Option<i64>) -> String {
    amount.map_or_else(String::new, |m| dollars(m as f64 / 100.0))
}

/// The bands table (`people::bands_table`) of the ladders `keep` keeps, with amounts in
/// dollars.
fn bands_html(
    caption: &str,
    table: &bearing_formats::Table,
    keep: impl Fn(&str) -> bool,
) -> HtmlTable {
    let mut html =
        HtmlTable::new(caption, &["Title", "Step", "Annual base", "From"]).numeric_columns(&[1, 2]);
    for row in table
        .rows
        .iter()
        .filter(|r| keep(r[0].as_deref().unwrap_or_default()))
    {
        let cell = |i: usize| row[i].clone().unwrap_or_default();
        html.rows.push(vec![
            Cell::text(cell(1)),
            Cell::number(cell(3)),
            Cell::number(dollars(super::number(&row[4]))),
            Cell::text(cell(5)),
        ]);
    }
    html
}

async fn role_list(State(state): State<AppState>, caller: Caller) -> Response {
    let page = async {
        let list = state.store.list_roles().await?;
        let areas: std::collections::HashMap<i64, String> = state
            .store
            .list_areas()
            .await?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect();
        let mut roles_table = HtmlTable::new("Roles", &["Role", "Area", "Key goal"]);
        for r in &list {
            roles_table.rows.push(vec![
                Cell::link(r.text.name.clone(), format!("/roles/{}", r.id)),
                Cell::text(r.area_id.and_then(|a| areas.get(&a).cloned()).unwrap_or_default()),
                Cell::text(r.text.key_goal.clone().unwrap_or_default()),
            ]);
        }
        let bands = bands_html(
            "Salary bands in force today (annual base)",
            &people::bands_table(&state.store, today()).await?,
            |_| true,
        );
        Ok::<_, AppError>(TablePage {
            layout: Layout::new("Roles and levels", &caller, "/roles"),
            intro: format!(
                "{} roles. A title is the role and its level, e.g. \"{}\"; levels are large jumps in scope, steps small increments within a level.",
                list.len(),
                bearing_core::roles::title(list.first().map_or("Engineer", |r| r.text.name.as_str()), 2)
            ),
            tables: vec![roles_table, bands],
        })
    }
    .await;
    match page {
        Ok(page) => ok(&page),
        Err(error) => error_page(&caller, error),
    }
}

async fn role(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Response {
    let page = async {
        let found = state
            .store
            .list_roles()
            .await?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| AppError::NotFound(format!("no role with id {id}")))?;
        let t = &found.text;
        let area = match found.area_id {
            Some(a) => state
                .store
                .list_areas()
                .await?
                .into_iter()
                .find(|x| x.id == a)
                .map(|x| x.name),
            None => None,
        };
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let mut fields = vec![
            ("Area".to_owned(), area.unwrap_or_default()),
            ("Description".to_owned(), t.description.clone()),
            ("Key goal".to_owned(), text(&t.key_goal)),
            (
                "Responsibilities and expectations".to_owned(),
                text(&t.responsibilities),
            ),
            (
                "Performance measures".to_owned(),
                text(&t.performance_measures),
            ),
            ("Salary rationale".to_owned(), text(&t.salary_rationale)),
            (
                "Comparable titles".to_owned(),
                t.comparable_titles.join(", "),
            ),
        ];
        for note in &t.notes {
            fields.push(("Note".to_owned(), note.clone()));
        }
        if let Some(revisit) = t.revisit {
            fields.push(("Revisit by".to_owned(), revisit.to_string()));
        }
        for extra in &t.extra {
            fields.push((extra.title.clone(), extra.body.clone()));
        }
        let bands = bands_html(
            &format!("Bands of {} in force today (annual base)", t.name),
            &people::bands_table(&state.store, today()).await?,
            |ladder| ladder == t.name,
        );
        let mut holders = HtmlTable::new("Who holds it today", &["Person", "Title", "Description"]);
        for p in people::directory(&state.store, &viewer(&caller), today()).await? {
            for a in p.assignments.iter().filter(|a| {
                a.role == t.name && a.start <= today() && a.end.is_none_or(|e| e >= today())
            }) {
                holders.rows.push(vec![
                    Cell::link(p.name.clone(), format!("/people/{}", p.id)),
                    Cell::text(a.title.clone()),
                    Cell::text(a.description.clone().unwrap_or_default()),
                ]);
            }
        }
        Ok::<_, AppError>(RecordPage {
            layout: Layout::new(t.name.clone(), &caller, "/roles"),
            fields,
            tables: vec![bands, holders],
            history: history_of(&state, EntityKind::Role, &id.to_string()).await?,
        })
    }
    .await;
    match page {
        Ok(page) => ok(&page),
        Err(error) => error_page(&caller, error),
    }
}

async fn person_list(State(state): State<AppState>, caller: Caller) -> Response {
    let page = async {
        let list = people::directory(&state.store, &viewer(&caller), today()).await?;
        let mut table = HtmlTable::new("People", &["Name", "Kind", "Titles today", "Renewal"]);
        for p in &list {
            let titles: Vec<String> = p
                .assignments
                .iter()
                .filter(|a| a.start <= today() && a.end.is_none_or(|e| e >= today()))
                .map(|a| a.title.clone())
                .collect();
            table.rows.push(vec![
                Cell::link(p.name.clone(), format!("/people/{}", p.id)),
                Cell::text(p.kind.to_string()),
                Cell::text(titles.join(", ")),
                Cell::text(p.renewal.clone().unwrap_or_default()),
            ]);
        }
        Ok::<_, AppError>(TablePage {
            layout: Layout::new("People", &caller, "/people"),
            intro: format!(
                "{} people. Pay is shown to finance, admin and each person on their own page.",
                list.len()
            ),
            tables: vec![table],
        })
    }
    .await;
    match page {
        Ok(page) => ok(&page),
        Err(error) => error_page(&caller, error),
    }
}

async fn person(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> Response {
    let page = async {
        let found = people::directory(&state.store, &viewer(&caller), today())
            .await?
            .into_iter()
            .find(|p| p.id == id)
            .ok_or_else(|| AppError::NotFound(format!("no person with id {id}")))?;
        let mut columns = vec!["Title", "From", "To", "Description"];
        if found.pay_visible {
            columns.extend([
                "Step",
                "FTE",
                "Band (annual)",
                "Annual pay",
                "Monthly payment",
                "Funding",
            ]);
        }
        let mut table = HtmlTable::new(format!("Assignments of {}", found.name), &columns);
        if found.pay_visible {
            table = table.numeric_columns(&[4, 5, 6, 7, 8]);
        }
        for a in &found.assignments {
            let mut row = vec![
                Cell::text(a.title.clone()),
                Cell::text(a.start.to_string()),
                Cell::text(a.end.map(|e| e.to_string()).unwrap_or_default()),
                Cell::text(a.description.clone().unwrap_or_default()),
            ];
            if let Some(pay) = &a.pay {
                row.extend([
                    Cell::number(pay.step.to_string()),
                    Cell::number(pay.fte.to_string()),
                    Cell::number(minor(pay.annual_base)),
                    Cell::number(minor(pay.annual_pay)),
                    Cell::number(minor(pay.monthly_payment)),
                    Cell::text(
                        pay.funding
                            .iter()
                            .map(|(c, s)| format!("{c} {}%", (s * 100.0).round()))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                ]);
            }
            table.rows.push(row);
        }
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        Ok::<_, AppError>(RecordPage {
            layout: Layout::new(found.name.clone(), &caller, "/people"),
            fields: vec![
                ("Email".into(), text(&found.email)),
                ("GitHub".into(), text(&found.github)),
                ("Kind".into(), found.kind.to_string()),
                ("Yearly renewal".into(), text(&found.renewal)),
            ],
            tables: vec![table],
            history: history_of(&state, EntityKind::Person, &id.to_string()).await?,
        })
    }
    .await;
    match page {
        Ok(page) => ok(&page),
        Err(error) => error_page(&caller, error),
    }
}

/// The rate calculator's inputs.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(crate) struct RateQuery {
    cost: Option<String>,
    hours: Option<String>,
    fee: Option<String>,
    margin: Option<String>,
}

async fn team(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RateQuery>,
) -> Response {
    let page = async {
        if !caller.role().allows(Permission::Finance) {
            return Err(AppError::Forbidden("the team's cost is for finance".into()));
        }
        let now = Month::of(today());
        let months: Vec<Month> = (-12..12).filter_map(|i| now.plus(i)).collect();
        let lines = people::team_cost(&state.store, &months, &CostRates::default()).await?;
        let labels: Vec<String> = months.iter().map(ToString::to_string).collect();
        let mut by_area: std::collections::BTreeMap<String, Vec<f64>> = std::collections::BTreeMap::new();
        for l in &lines {
            let i = months.iter().position(|m| *m == l.month).unwrap_or(0);
            by_area
                .entry(l.area.clone().unwrap_or_else(|| "(no area)".to_owned()))
                .or_insert_with(|| vec![0.0; months.len()])[i] += l.cost;
        }
        let series: Vec<Series> = by_area.into_iter().map(|(a, v)| Series::new(a, v)).collect();
        let pair = ChartPair {
            title: "What the team costs".into(),
            svg: charts::stacked_bars(
                "The team's monthly cost by area",
                "Stacked bars of each month's cost of the team, burdened, one colour per area, from a year ago to a year ahead; the table beside the chart has the numbers.",
                charts::Unit::Dollars,
                &labels,
                &series,
            ),
            caption: "Employees' band salary × FTE ÷ 12 × 1.25 and contractors' payment × 1.2, for the part of each month their assignments cover.".into(),
            table: transposed("The team's monthly cost by area", charts::Unit::Dollars, &labels, &series),
        };
        let number = |text: &Option<String>, default: f64| -> Result<f64, AppError> {
            match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                None => Ok(default),
                Some(t) => t.replace(',', "").parse::<f64>().map_err(|_| {
                    AppError::invalid("rate calculator", format!("{t:?} is not a number"))
                }),
            }
        };
        let (cost, hours, fee, margin) = (
            number(&q.cost, 180_000.0)?,
            number(&q.hours, 900.0)?,
            number(&q.fee, 0.15)?,
            number(&q.margin, 0.087)?,
        );
        let rate = bearing_core::people::blended_hourly_rate(cost, hours, fee, margin);
        let mut calculator = HtmlTable::new(
            "Blended hourly rate = burdened cost ÷ billable hours × (1 + FSP fee) × (1 + margin)",
            &["Burdened annual cost", "Billable hours", "FSP fee", "Margin", "Hourly rate"],
        )
        .numeric_columns(&[0, 1, 2, 3, 4]);
        calculator.rows.push(vec![
            Cell::number(dollars(cost)),
            Cell::number(format!("{hours:.0}")),
            Cell::number(format!("{:.1}%", fee * 100.0)),
            Cell::number(format!("{:.1}%", margin * 100.0)),
            Cell::number(format!("${rate:.2}")),
        ]);
        let (_, assumptions) = bearing_app::assumptions::current(&state.store, today()).await?;
        let b = people::balance(&state.store, &assumptions, today()).await?;
        let yes_no = |ok: bool| if ok { "yes" } else { "no" };
        let mut rule = HtmlTable::new(
            format!("Balancing rule in {}: costs ≤ amount sold ≤ delivery capacity", b.month),
            &["Measure", "Value", "Holds", "How"],
        );
        rule.rows.push(vec![
            Cell::text("Costs a month"),
            Cell::number(dollars(b.costs)),
            Cell::text(""),
            Cell::text(b.costs_note.clone()),
        ]);
        rule.rows.push(vec![
            Cell::text("Amount sold (committed revenue of the month)"),
            Cell::number(b.sold.map(dollars).unwrap_or_else(|| "unknown".to_owned())),
            Cell::text(b.sold.map_or("unknown", |s| yes_no(b.costs <= s))),
            Cell::text(if b.sold.is_some() {
                "Holds when the month's committed revenue covers the costs."
            } else {
                "Set books-closed in the assumptions to project revenue."
            }),
        ]);
        rule.rows.push(vec![
            Cell::text("Delivery capacity (hubs)"),
            Cell::number(format!("{:.0}", b.delivery.capacity)),
            Cell::text(yes_no(b.hubs_in_service as f64 <= b.delivery.capacity)),
            Cell::text(format!(
                "{} hubs in service ({}) need {:.1} engineering FTE; {:.1} FTE in roles of Engineering operate {:.0} hubs at this mix.",
                b.hubs_in_service,
                b.delivery
                    .hubs
                    .iter()
                    .map(|(k, n)| format!("{n} {k}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                b.delivery.needed_fte,
                b.delivery.engineering_fte,
                b.delivery.capacity
            )),
        ]);
        let intro = if lines.is_empty() {
            "No one is assigned in these months: add people and their assignments (`bearing person add`, `bearing person assign`) and the salary bands (`bearing band generate`).".to_owned()
        } else {
            format!("From {} to {}.", labels.first().cloned().unwrap_or_default(), labels.last().cloned().unwrap_or_default())
        };
        Ok(TeamPage {
            layout: Layout::new("Team cost", &caller, "/team"),
            intro,
            pairs: if lines.is_empty() { Vec::new() } else { vec![pair] },
            calculator,
            rule,
            cost: format!("{cost}"),
            hours: format!("{hours}"),
            fee: format!("{fee}"),
            margin: format!("{margin}"),
        })
    }
    .await;
    match page {
        Ok(page) => ok(&page),
        Err(error) => error_page(&caller, error),
    }
}

#[derive(askama::Template)]
#[template(path = "team.html")]
struct TeamPage {
    layout: Layout,
    intro: String,
    pairs: Vec<ChartPair>,
    calculator: HtmlTable,
    rule: HtmlTable,
    cost: String,
    hours: String,
    fee: String,
    margin: String,
}
