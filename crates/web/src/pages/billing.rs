//! The billing run: what is to be invoiced for a month and is not yet, reviewed and made
//! drafts; and how a won deal is billed, shown and set on its page. Reading them is reading
//! cash; making drafts and setting a schedule needs `manage-invoices`.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use bearing_app::AppError;
use bearing_app::billing::{self, DealBilling, MilestoneInput, ScheduleInput};
use bearing_core::access::Permission::{ManageInvoices, ReadCash};
use bearing_core::billing::{Frequency, Timing};
use bearing_core::{Date, Money, Month};

use super::{
    Cell, HtmlTable, Layout, PathId, Routes, answer, day_or_empty, day_text, error_page, render,
};
use crate::AppState;
use crate::access::Rule::Signed;
use crate::auth::Caller;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/billing", Signed(ReadCash), run_page)
        .post("/billing", Signed(ManageInvoices), confirm)
        .post("/deals/{id}/billing", Signed(ManageInvoices), set_schedule)
}

/// A service period as people read it: "1 Jan 2026 – 31 Mar 2026", or its first day alone.
fn period(from: Option<Date>, to: Option<Date>) -> String {
    match (from, to) {
        (Some(from), Some(to)) => format!("{} – {}", day_text(from), day_text(to)),
        (from, _) => day_or_empty(from),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct RunQuery {
    month: Option<String>,
}

/// A proposed invoice as the page shows it.
struct ProposalRow {
    key: String,
    organization: String,
    organization_href: String,
    deal: Option<(String, String)>,
    kind: String,
    billable: String,
    service: String,
    reason: String,
    /// Each line's description and amount.
    lines: Vec<(String, String)>,
    total: String,
}

#[derive(Template)]
#[template(path = "billing.html")]
struct RunPage {
    layout: Layout,
    errors: Vec<String>,
    may_manage: bool,
    /// `YYYY-MM`, for the month picker.
    month: String,
    month_words: String,
    /// The months before and after: `YYYY-MM` and in words.
    previous: Option<(String, String)>,
    next: Option<(String, String)>,
    usage_included: bool,
    proposals: Vec<ProposalRow>,
    totals: Vec<String>,
    attention: HtmlTable,
}

async fn run_view(
    state: &AppState,
    caller: &Caller,
    month: Month,
    status: StatusCode,
    errors: Vec<String>,
) -> Response {
    let ctx = caller.ctx();
    let run = match billing::run(&state.store, &ctx, month).await {
        Ok(run) => run,
        Err(error) => return error_page(caller, error),
    };
    let mut attention = HtmlTable::new(
        "Won deals the run cannot bill, and what to do",
        &["Deal", "What is missing"],
    );
    attention.rows = run
        .attention
        .iter()
        .map(|a| {
            vec![
                match a.deal_id {
                    Some(id) => Cell::link(a.name.clone(), format!("/deals/{id}")),
                    None => Cell::text(a.name.clone()),
                },
                Cell::text(a.problem.clone()),
            ]
        })
        .collect();
    let money = |minor: i64, currency| Money::from_minor(minor, currency).text();
    let proposals = run
        .proposals
        .iter()
        .map(|p| ProposalRow {
            key: p.key.clone(),
            organization: p.organization_name.clone(),
            organization_href: format!("/organizations/{}", p.organization_id),
            deal: p
                .deal_id
                .zip(p.deal_name.clone())
                .map(|(id, name)| (format!("/deals/{id}"), name)),
            kind: p.kind.to_string(),
            billable: day_text(p.billable_on),
            service: period(p.service_from, p.service_to),
            reason: p.reason.clone(),
            lines: p
                .lines
                .iter()
                .map(|l| (l.description.clone(), money(l.amount_minor, p.currency)))
                .collect(),
            total: money(p.total_minor, p.currency),
        })
        .collect();
    let neighbour = |n: i32| month.plus(n).map(|m| (m.to_string(), m.words()));
    render(
        status,
        &RunPage {
            layout: Layout::new("Billing run", caller, "/billing"),
            errors,
            may_manage: ctx.may(ManageInvoices),
            month: month.to_string(),
            month_words: month.words(),
            previous: neighbour(-1),
            next: neighbour(1),
            usage_included: run.usage_included,
            totals: run.totals().iter().map(Money::text).collect(),
            proposals,
            attention,
        },
    )
}

/// The month a form or query names, or what is wrong with it.
pub(super) fn month_of(text: Option<&str>) -> Result<Month, AppError> {
    let text = text
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| AppError::invalid("month", "is required (YYYY-MM)"))?;
    Month::parse(text).map_err(|e| AppError::invalid("month", e.to_string()))
}

/// The month a run opens on: the one just ended, whose usage is billed now.
fn last_month(today: Date) -> Month {
    let this = Month::of(today);
    this.plus(-1).unwrap_or(this)
}

async fn run_page(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RunQuery>,
) -> Response {
    let today = caller.ctx().today();
    if q.month.as_deref().is_none_or(|m| m.trim().is_empty()) {
        return run_view(
            &state,
            &caller,
            last_month(today),
            StatusCode::OK,
            Vec::new(),
        )
        .await;
    }
    match month_of(q.month.as_deref()) {
        Ok(month) => run_view(&state, &caller, month, StatusCode::OK, Vec::new()).await,
        // A month that cannot be read shows no run to make drafts of.
        Err(error) => error_page(&caller, error),
    }
}

/// Makes drafts of the proposals ticked: the form's `month` and each `key`.
async fn confirm(
    State(state): State<AppState>,
    caller: Caller,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let ctx = caller.ctx();
    let month_text = fields
        .iter()
        .find(|(name, _)| name == "month")
        .map(|(_, v)| v.as_str());
    let keys: Vec<String> = fields
        .iter()
        .filter(|(name, _)| name == "key")
        .map(|(_, v)| v.clone())
        .collect();
    let shown = match month_of(month_text) {
        Ok(month) => month,
        Err(error) => return error_page(&caller, error),
    };
    let made = async {
        let month = shown;
        if keys.is_empty() {
            return Err(AppError::invalid(
                "invoices",
                "none is ticked: tick the invoices to make",
            ));
        }
        let made = billing::confirm(&state.store, &ctx, month, Some(&keys)).await?;
        let notice = format!(
            "{} draft{} made for {}: issue each when it is sent",
            made.len(),
            if made.len() == 1 { "" } else { "s" },
            month.words()
        );
        Ok(super::noticed("/invoices?status=draft", &notice))
    }
    .await;
    answer(&caller, made, "no drafts were made", |status, errors| {
        run_view(&state, &caller, shown, status, errors)
    })
    .await
}

/// How a deal is billed, as its page shows it.
pub(crate) struct ScheduleSection {
    /// "quarterly, in advance", and whether that is the default for its revenue type.
    pub words: String,
    pub own: bool,
    pub instalments: HtmlTable,
    /// Why it has no instalments.
    pub problem: Option<String>,
    /// The form's values: frequency, timing and the milestones, one a line.
    pub frequency: String,
    pub timing: String,
    pub milestones: String,
    pub frequencies: Vec<&'static str>,
}

impl ScheduleSection {
    pub(crate) fn of(billing: &DealBilling) -> ScheduleSection {
        let money = |minor: i64| Money::from_minor(minor, billing.currency).text();
        let mut instalments = HtmlTable::new(
            "Instalments: what the deal bills and when",
            &["Billable", "Service", "Amount"],
        )
        .numeric_columns(&[2]);
        if let Ok(list) = &billing.instalments {
            instalments.rows = list
                .iter()
                .map(|i| {
                    vec![
                        Cell::when(day_text(i.billable_on)),
                        Cell::text(period(i.service_from, i.service_to)),
                        Cell::number(money(i.amount_minor)),
                    ]
                })
                .collect();
        }
        ScheduleSection {
            words: billing.schedule.words(),
            own: billing.own,
            instalments,
            problem: billing.instalments.as_ref().err().cloned(),
            frequency: billing.schedule.frequency.to_string(),
            timing: billing.schedule.timing.to_string(),
            milestones: billing
                .schedule
                .milestones
                .iter()
                .map(|m| {
                    format!(
                        "{}; {}",
                        m.on,
                        Money::from_minor(m.amount_minor, billing.currency).decimal()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            frequencies: Frequency::ALL.iter().map(|f| f.as_str()).collect(),
        }
    }
}

/// A schedule as typed on the deal's page.
#[derive(Debug, Default, Clone, serde::Deserialize)]
struct ScheduleForm {
    frequency: String,
    timing: String,
    #[serde(default)]
    milestones: String,
}

/// The schedule the form describes, or what is wrong with it.
fn read_schedule(form: &ScheduleForm) -> Result<ScheduleInput, AppError> {
    let frequency: Frequency = form
        .frequency
        .parse()
        .map_err(|e: bearing_core::ParseError| AppError::invalid("frequency", e.to_string()))?;
    let timing: Timing = form
        .timing
        .parse()
        .map_err(|e: bearing_core::ParseError| AppError::invalid("timing", e.to_string()))?;
    let milestones = form
        .milestones
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(k, line)| {
            let (on, amount) = line.split_once(';').ok_or_else(|| {
                AppError::invalid(
                    "milestones",
                    format!("line {}: expected YYYY-MM-DD; amount", k + 1),
                )
            })?;
            let on = bearing_core::parse_date(on.trim())
                .map_err(|e| AppError::invalid("milestones", format!("line {}: {e}", k + 1)))?;
            Ok(MilestoneInput {
                on,
                amount: amount.trim().to_owned(),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(ScheduleInput {
        timing,
        frequency,
        milestones,
    })
}

async fn set_schedule(
    State(state): State<AppState>,
    caller: Caller,
    PathId(raw): PathId,
    Form(form): Form<ScheduleForm>,
) -> Response {
    let saved = async {
        let id = super::deals::deal_id(raw)?;
        let input = read_schedule(&form)?;
        billing::set(&state.store, &caller.ctx(), id, input).await?;
        Ok(format!("/deals/{id}?done=billing#billing-h"))
    }
    .await;
    answer(
        &caller,
        saved,
        "the billing schedule was not saved",
        |status, errors| super::deals::deal_page(&state, &caller, raw, status, errors, None),
    )
    .await
}
