//! The books' pages, for finance: the actuals (the sponsor's ledger imported, month by month,
//! and the account map) and the monthly close (what it needs, the close itself, the closes
//! and the forecast against what happened).

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use bearing_app::{AppError, books};
use bearing_core::Month;
use bearing_core::access::Permission::EditAssumptions;
use bearing_core::actuals::{Category, Projected};

use super::imports::{Upload, read_upload};
use super::{Cell, Done, HtmlTable, Layout, Routes, error_page, field, render, see_other};
use crate::AppState;
use crate::access::Rule::Signed;
use crate::auth::Caller;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/actuals", Signed(EditAssumptions), actuals_page)
        .post("/actuals", Signed(EditAssumptions), import_actuals)
        .post("/actuals/accounts", Signed(EditAssumptions), map_account)
        .get("/close", Signed(EditAssumptions), close_page)
        .post("/close", Signed(EditAssumptions), close_month)
}

fn dollars(minor: i64) -> String {
    super::minor_dollars(Some(minor))
}

/// An import's dry run, shown for confirmation.
struct PlanView {
    file: String,
    content: String,
    month: String,
    summary: Vec<String>,
    table: HtmlTable,
}

#[derive(Template)]
#[template(path = "actuals.html")]
struct ActualsPage {
    layout: Layout,
    errors: Vec<String>,
    plan: Option<PlanView>,
    problems: HtmlTable,
    /// Accounts the ledger uses without a category: (code, name, lines, amount).
    unmapped: Vec<(String, String, usize, String)>,
    categories: Vec<(&'static str, &'static str)>,
    months: HtmlTable,
    grants: HtmlTable,
    accounts: HtmlTable,
}

use super::imports::no_problems;

/// The months' actuals, newest first: revenue, costs and net, and each category.
fn months_table(months: &BTreeMap<Month, bearing_core::actuals::MonthActuals>) -> HtmlTable {
    let used: Vec<Category> = Category::ALL
        .iter()
        .copied()
        .filter(|c| months.values().any(|m| m.by_category.contains_key(c)))
        .collect();
    let mut columns = vec!["Month", "Revenue", "Costs", "Net"];
    columns.extend(used.iter().map(|c| c.label()));
    columns.push("Unmapped");
    let numeric: Vec<usize> = (1..columns.len()).collect();
    let mut table =
        HtmlTable::new("Actuals by month, newest first", &columns).numeric_columns(&numeric);
    for (month, m) in months.iter().rev() {
        let mut row = vec![
            Cell::when(super::month_text(*month)),
            Cell::number(dollars(m.revenue())),
            Cell::number(dollars(m.costs())),
            Cell::number(dollars(m.net())),
        ];
        row.extend(used.iter().map(|c| {
            Cell::number(
                m.by_category
                    .get(c)
                    .map(|v| dollars(*v))
                    .unwrap_or_default(),
            )
        }));
        row.push(Cell::number(
            m.unmapped_total().map(dollars).unwrap_or_default(),
        ));
        table.rows.push(row);
    }
    table
}

async fn actuals(
    state: &AppState,
    caller: &Caller,
    status: StatusCode,
    errors: Vec<String>,
    plan: Option<PlanView>,
    problems: HtmlTable,
    notice: Option<String>,
) -> Response {
    let ctx = caller.ctx();
    let read = async {
        let accounts = books::accounts(&state.store, &ctx).await?;
        let months = books::months(&state.store).await?;
        let lines = state.store.list_actual_lines().await?;
        Ok::<_, AppError>((accounts, months, lines))
    };
    let (accounts, months, lines) = match read.await {
        Ok(read) => read,
        Err(error) => return error_page(caller, error),
    };
    let unmapped = accounts
        .iter()
        .filter(|a| a.category.is_none())
        .map(|a| {
            (
                a.code.clone(),
                a.name.clone().unwrap_or_default(),
                a.lines,
                dollars(a.amount_minor),
            )
        })
        .collect();
    let lines: Vec<bearing_core::actuals::Line> = lines.into_iter().map(|r| r.line).collect();
    let mut grants = HtmlTable::new(
        "Booked to grant codes, by month",
        &["Grant code", "Month", "Amount"],
    )
    .numeric_columns(&[2]);
    grants.rows = bearing_core::actuals::by_grant(&lines)
        .into_iter()
        .rev()
        .map(|((grant, month), amount)| {
            vec![
                Cell::text(grant),
                Cell::when(super::month_text(month)),
                Cell::number(dollars(amount)),
            ]
        })
        .collect();
    let mut account_table = HtmlTable::new(
        "Accounts and their categories",
        &["Code", "Name", "Category", "From", "Lines", "Booked"],
    )
    .numeric_columns(&[4, 5]);
    account_table.rows = accounts
        .iter()
        .filter(|a| a.category.is_some())
        .map(|a| {
            vec![
                Cell::text(a.code.clone()),
                Cell::text(a.name.clone().unwrap_or_default()),
                Cell::text(a.category.map(Category::label).unwrap_or_default()),
                Cell::text(match a.origin {
                    "default" => "the organisation's chart",
                    _ => "mapped by finance",
                }),
                Cell::number(a.lines.to_string()),
                Cell::number(dollars(a.amount_minor)),
            ]
        })
        .collect();
    render(
        status,
        &ActualsPage {
            layout: Layout::new("Actuals", caller, "/actuals").with_notice(notice),
            errors,
            plan,
            problems,
            unmapped,
            categories: Category::ALL
                .iter()
                .map(|c| (c.as_str(), c.label()))
                .collect(),
            months: months_table(&months),
            grants,
            accounts: account_table,
        },
    )
}

async fn actuals_page(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<Done>,
) -> Response {
    actuals(
        &state,
        &caller,
        StatusCode::OK,
        Vec::new(),
        None,
        no_problems(),
        q.notice(),
    )
    .await
}

async fn import_actuals(
    State(state): State<AppState>,
    caller: Caller,
    request: Request,
) -> Response {
    let refuse = |errors: Vec<String>, problems: HtmlTable| {
        let state = state.clone();
        let caller = &caller;
        async move {
            actuals(
                &state,
                caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                None,
                problems,
                None,
            )
            .await
        }
    };
    let Upload {
        file,
        content,
        confirmed,
        fields,
    } = match read_upload(request).await {
        Ok(upload) => upload,
        Err(error) => return refuse(vec![error.to_string()], no_problems()).await,
    };
    let month_text = field(&fields.get("month").cloned()).unwrap_or_default();
    let period = match (!month_text.is_empty()).then(|| Month::parse(&month_text)) {
        Some(Ok(m)) => Some(m),
        Some(Err(e)) => return refuse(vec![format!("month: {e}")], no_problems()).await,
        None => None,
    };
    let done = books::import_actuals(
        &state.store,
        &caller.ctx(),
        &file,
        content.as_bytes(),
        &bearing_formats::ledger::Columns::default(),
        period,
        !confirmed,
    )
    .await;
    match done {
        Ok(done) if confirmed => see_other(&super::noticed(
            "/actuals",
            &done.summary().replace('\n', ". "),
        )),
        Ok(done) => {
            let mut table = HtmlTable::new(
                "What the import will do, by month",
                &[
                    "Month",
                    "Lines",
                    "New",
                    "Unchanged",
                    "No longer in the ledger",
                    "Revenue",
                    "Costs",
                ],
            )
            .numeric_columns(&[1, 2, 3, 4, 5, 6]);
            table.rows = done
                .months
                .iter()
                .map(|m| {
                    vec![
                        Cell::when(super::month_text(m.month)),
                        Cell::number(m.lines.to_string()),
                        Cell::number(m.write.added.to_string()),
                        Cell::number(m.write.kept.to_string()),
                        Cell::number(m.write.removed.to_string()),
                        Cell::number(dollars(m.revenue_minor)),
                        Cell::number(dollars(m.costs_minor)),
                    ]
                })
                .collect();
            let plan = PlanView {
                file,
                content,
                month: month_text,
                summary: done.summary().lines().map(str::to_owned).collect(),
                table,
            };
            actuals(
                &state,
                &caller,
                StatusCode::OK,
                Vec::new(),
                Some(plan),
                no_problems(),
                None,
            )
            .await
        }
        Err(AppError::Import(rows)) => {
            let problems = super::imports::problems(&rows);
            refuse(
                vec![format!(
                    "{file}: {} problem(s); nothing was imported",
                    rows.len()
                )],
                problems,
            )
            .await
        }
        Err(AppError::Forbidden(message)) => super::forbidden(&caller, &message),
        Err(error) => refuse(vec![error.to_string()], no_problems()).await,
    }
}

#[derive(Debug, serde::Deserialize)]
struct AccountForm {
    code: String,
    category: String,
    name: Option<String>,
}

async fn map_account(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<AccountForm>,
) -> Response {
    let category = match form.category.parse::<Category>() {
        Ok(c) => c,
        Err(e) => {
            return actuals(
                &state,
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                vec![format!("category: {e}")],
                None,
                no_problems(),
                None,
            )
            .await;
        }
    };
    let name = field(&form.name);
    match books::map_account(
        &state.store,
        &caller.ctx(),
        &form.code,
        name.as_deref(),
        category,
    )
    .await
    {
        Ok(()) => see_other(&super::noticed(
            "/actuals",
            &format!("Account {} is {}.", form.code.trim(), category.label()),
        )),
        Err(AppError::Invalid { field, message }) => {
            actuals(
                &state,
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                vec![format!("{field}: {message}")],
                None,
                no_problems(),
                None,
            )
            .await
        }
        Err(error) => error_page(&caller, error),
    }
}

#[derive(Template)]
#[template(path = "close.html")]
struct ClosePage {
    layout: Layout,
    errors: Vec<String>,
    month: String,
    month_words: String,
    list: books::Checklist,
    revenue: String,
    costs: String,
    computed: String,
    net_assets: String,
    reason: String,
    closes: HtmlTable,
    against: HtmlTable,
    /// Actual revenue beside the forecast made a month before, with its band; empty until a
    /// closed month has one.
    chart: String,
    accuracy: Vec<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct CloseQuery {
    month: Option<String>,
    done: Option<String>,
    seal: Option<String>,
}

/// The month the close page opens on: the one after the latest close, else after the
/// assumptions' books-closed, else last month.
async fn next_to_close(state: &AppState, today: bearing_core::Date) -> Result<Month, AppError> {
    let closes = state.store.list_closes().await?;
    if let Some(last) = closes.iter().map(|c| c.month).max() {
        return Ok(last.plus(1).unwrap_or(last));
    }
    let (_, assumptions) = bearing_app::assumptions::current(&state.store, today).await?;
    Ok(assumptions
        .books_closed
        .and_then(|b| b.plus(1))
        .or_else(|| Month::of(today).plus(-1))
        .unwrap_or(Month::MIN))
}

/// The closed months a forecast made one month before reaches: their actual revenue, that
/// forecast's Estimated as a dashed line and its P10–P90 as a band.
fn against_chart(rows: &[books::Against]) -> String {
    let one_ahead: Vec<(Month, f64, &Projected)> = rows
        .iter()
        .filter_map(|r| r.ahead(1).map(|p| (r.month, r.actual, p)))
        .collect();
    if one_ahead.is_empty() {
        return String::new();
    }
    let months: Vec<String> = one_ahead
        .iter()
        .map(|(m, ..)| super::month_text(*m))
        .collect();
    let column =
        |f: fn(&(Month, f64, &Projected)) -> f64| -> Vec<f64> { one_ahead.iter().map(f).collect() };
    let (low, high) = (column(|r| r.2.low), column(|r| r.2.high));
    crate::charts::line_chart(
        "Actual revenue against the forecast made a month before",
        "Each closed month's actual revenue, the Estimated revenue the forecast made a month before projected for it (dashed), and that forecast's P10 to P90 band; the table below has the numbers and the forecasts made further ahead.",
        crate::charts::Unit::Dollars,
        &months,
        &[
            crate::charts::Series::new("Actual", column(|r| r.1)),
            crate::charts::Series::new("Estimated a month before", column(|r| r.2.estimated))
                .dashed(),
        ],
        Some(("P10 to P90 a month before", &low, &high)),
    )
}

#[allow(clippy::too_many_arguments)]
async fn close_view(
    state: &AppState,
    caller: &Caller,
    status: StatusCode,
    errors: Vec<String>,
    month: Option<Month>,
    net_assets: Option<String>,
    reason: String,
    notice: Option<String>,
) -> Response {
    let ctx = caller.ctx();
    let today = ctx.today();
    let read = async {
        let month = match month {
            Some(m) => m,
            None => next_to_close(state, today).await?,
        };
        let list = books::checklist(&state.store, &ctx, month, today).await?;
        let closes = books::closes(&state.store, &ctx).await?;
        let against = books::forecast_against_actuals(&state.store).await?;
        Ok::<_, AppError>((month, list, closes, against))
    };
    let (month, list, closes, (rows, accuracy)) = match read.await {
        Ok(read) => read,
        Err(error) => return error_page(caller, error),
    };
    let mut closes_table = HtmlTable::new(
        "Closes, newest first",
        &[
            "Month",
            "Net assets",
            "Revenue",
            "Costs",
            "Closed",
            "By",
            "Why again",
        ],
    )
    .numeric_columns(&[1, 2, 3]);
    closes_table.rows = closes
        .iter()
        .rev()
        .map(|c| {
            vec![
                Cell::when(super::month_text(c.month)),
                Cell::number(dollars(c.net_assets_minor)),
                Cell::number(dollars(c.revenue_minor)),
                Cell::number(dollars(c.costs_minor)),
                Cell::when(super::minute(c.closed_at)),
                Cell::text(c.actor.clone()),
                Cell::text(c.reason.clone().unwrap_or_default()),
            ]
        })
        .collect();
    let mut against = HtmlTable::new(
        "Forecast against actuals: revenue of each closed month beside what the forecasts made before it projected",
        &[
            "Month",
            "Actual",
            "Estimated 1 month ahead",
            "P10–P90 1 month ahead",
            "Off by",
            "Estimated 3 months ahead",
            "Estimated 6 months ahead",
        ],
    )
    .numeric_columns(&[1, 2, 4, 5, 6]);
    let whole = |x: f64| super::dollars(x);
    against.rows = rows
        .iter()
        .rev()
        .map(|row| {
            let one = row.ahead(1);
            let off = one
                .and_then(|p| p.error(row.actual))
                .map(|e| format!("{:+.0}%", e * 100.0));
            let inside = one.map(|p| {
                let mut cell = Cell::text(format!("{} – {}", whole(p.low), whole(p.high)));
                cell.status = Some(if p.holds(row.actual) {
                    "green"
                } else {
                    "yellow"
                });
                cell
            });
            let estimated = |n: i32| row.ahead(n).map(|p| whole(p.estimated));
            vec![
                Cell::when(super::month_text(row.month)),
                Cell::number(whole(row.actual)),
                Cell::number(estimated(1).unwrap_or_default()),
                inside.unwrap_or_default(),
                Cell::number(off.unwrap_or_default()),
                Cell::number(estimated(3).unwrap_or_default()),
                Cell::number(estimated(6).unwrap_or_default()),
            ]
        })
        .collect();
    let chart = against_chart(&rows);
    let mut words = Vec::new();
    for (ahead, mape, n) in &accuracy.errors {
        if let Some(mape) = mape {
            let unit = if *ahead == 1 { "month" } else { "months" };
            words.push(format!(
                "Estimated made {ahead} {unit} ahead was off by {:.0}% on average over the last {n} closed months.",
                mape * 100.0
            ));
        }
    }
    if let (Some(share), n) = accuracy.calibration {
        words.push(format!(
            "Actual revenue fell inside the forecast's P10–P90 band in {:.0}% of {n} closed months; an honest forecast is inside about 80% of the time.",
            share * 100.0
        ));
    }
    let computed = list
        .computed_net_assets_minor
        .map(|n| bearing_core::Money::from_minor(n, bearing_core::Currency::USD).decimal())
        .unwrap_or_default();
    render(
        status,
        &ClosePage {
            layout: Layout::new("Monthly close", caller, "/close").with_notice(notice),
            errors,
            month: month.to_string(),
            month_words: month.words(),
            revenue: dollars(list.revenue_minor),
            costs: dollars(list.costs_minor),
            computed: list
                .computed_net_assets_minor
                .map(dollars)
                .unwrap_or_default(),
            net_assets: net_assets.unwrap_or(computed),
            reason,
            list,
            closes: closes_table,
            against,
            chart,
            accuracy: words,
        },
    )
}

async fn close_page(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<CloseQuery>,
) -> Response {
    let month = match field(&q.month).map(|m| Month::parse(&m)) {
        Some(Ok(m)) => Some(m),
        Some(Err(e)) => {
            return close_view(
                &state,
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                vec![format!("month: {e}")],
                None,
                None,
                String::new(),
                None,
            )
            .await;
        }
        None => None,
    };
    close_view(
        &state,
        &caller,
        StatusCode::OK,
        Vec::new(),
        month,
        None,
        String::new(),
        super::notice_of(q.done.as_deref(), q.seal.as_deref()),
    )
    .await
}

#[derive(Debug, serde::Deserialize)]
struct CloseForm {
    month: String,
    net_assets: Option<String>,
    reason: Option<String>,
}

async fn close_month(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<CloseForm>,
) -> Response {
    let reason = field(&form.reason).unwrap_or_default();
    let typed = field(&form.net_assets);
    let again = |errors: Vec<String>, month: Option<Month>| {
        let (state, caller, typed, reason) =
            (state.clone(), &caller, typed.clone(), reason.clone());
        async move {
            close_view(
                &state,
                caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                month,
                typed,
                reason,
                None,
            )
            .await
        }
    };
    let month = match Month::parse(form.month.trim()) {
        Ok(m) => m,
        Err(e) => return again(vec![format!("month: {e}")], None).await,
    };
    let net_assets = match typed
        .as_deref()
        .map(|t| super::typed_number::<f64>("net assets", &t.replace([',', '$'], "")))
    {
        Some(Ok(n)) => Some(n),
        Some(Err(e)) => return again(vec![e.to_string()], Some(month)).await,
        None => None,
    };
    match books::close(
        &state.store,
        &caller.ctx(),
        month,
        net_assets,
        Some(reason.as_str()),
    )
    .await
    {
        Ok(closed) => see_other(&super::noticed(
            "/close",
            &format!(
                "Closed {}: net assets {}. The books are closed through it and the forecast made before it is kept.",
                closed.month.words(),
                dollars(closed.net_assets_minor)
            ),
        )),
        Err(AppError::Invalid { field, message }) => {
            again(vec![format!("{field}: {message}")], Some(month)).await
        }
        Err(error) => error_page(&caller, error),
    }
}
