//! `/billing`: how won deals are billed and the billing run for a month. Reading them is
//! reading cash; setting a schedule and making the run's drafts needs `manage-invoices`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use bearing_app::AppError;
use bearing_app::billing::{self, DealBilling, MilestoneInput, Run, ScheduleInput};
use bearing_core::{Date, Money, Month};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::invoices::{InvoiceView, LineView};
use crate::auth::Caller;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(run, confirm))
        .routes(routes!(schedule, set_schedule))
}

fn day(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn month(text: &str) -> Result<Month, ApiError> {
    text.parse()
        .map_err(|e: bearing_core::ParseError| AppError::invalid("month", e.to_string()).into())
}

/// An amount in one currency, in its major units.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AmountView {
    pub currency: String,
    pub amount: String,
}

/// An invoice the run would make.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProposalView {
    /// Names it in `only` when making drafts: `deal-ID-BILLABLE` or `usage-ORG-MONTH`.
    pub key: String,
    pub organization_id: i64,
    /// The organization's key.
    pub organization: String,
    /// The organization's name as people read it.
    pub organization_name: String,
    pub deal_id: Option<i64>,
    pub deal_name: Option<String>,
    pub kind: String,
    pub currency: String,
    pub service_from: Option<String>,
    pub service_to: Option<String>,
    pub billable_on: String,
    pub lines: Vec<LineView>,
    pub total: String,
    /// Why it is billed, such as "instalment 2 of 4 (quarterly, in advance)".
    pub reason: String,
}

/// A deal or cluster the run could not bill, and what to do about it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttentionView {
    pub deal_id: Option<i64>,
    pub name: String,
    pub problem: String,
}

/// What is to be invoiced for a month and not yet.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunView {
    /// `YYYY-MM`
    pub month: String,
    /// Whether the month's usage is in it: usage is billed once the month is over.
    pub usage_included: bool,
    pub proposals: Vec<ProposalView>,
    pub attention: Vec<AttentionView>,
    /// What the proposals bill, per currency.
    pub totals: Vec<AmountView>,
}

impl From<Run> for RunView {
    fn from(run: Run) -> Self {
        RunView {
            month: run.month.to_string(),
            usage_included: run.usage_included,
            totals: run
                .totals()
                .iter()
                .map(|m| AmountView {
                    currency: m.currency.to_string(),
                    amount: m.decimal(),
                })
                .collect(),
            proposals: run
                .proposals
                .into_iter()
                .map(|p| ProposalView {
                    organization_id: p.organization_id.get(),
                    deal_id: p.deal_id.map(bearing_core::DealId::get),
                    kind: p.kind.to_string(),
                    currency: p.currency.to_string(),
                    service_from: day(p.service_from),
                    service_to: day(p.service_to),
                    billable_on: p.billable_on.to_string(),
                    lines: p
                        .lines
                        .iter()
                        .map(|l| LineView::of(l, p.currency))
                        .collect(),
                    total: Money::from_minor(p.total_minor, p.currency).decimal(),
                    key: p.key,
                    organization: p.organization,
                    organization_name: p.organization_name,
                    deal_name: p.deal_name,
                    reason: p.reason,
                })
                .collect(),
            attention: run
                .attention
                .into_iter()
                .map(|a| AttentionView {
                    deal_id: a.deal_id.map(bearing_core::DealId::get),
                    name: a.name,
                    problem: a.problem,
                })
                .collect(),
        }
    }
}

/// What a billing run for the month would invoice: each won deal's instalments up to its end
/// not billed yet, and once it is over each cluster's usage fee billed to its owner. Nothing
/// is written.
#[utoipa::path(get, path = "/billing/runs/{month}", security(("token" = ["read-cash"])), tag = "invoices",
    params(("month" = String, Path, description = "`YYYY-MM`")),
    responses((status = 200, body = RunView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn run(
    State(state): State<AppState>,
    caller: Caller,
    Path(text): Path<String>,
) -> Result<Json<RunView>, ApiError> {
    let run = billing::run(&state.store, &caller.ctx(), month(&text)?).await?;
    Ok(Json(run.into()))
}

/// Which of a run's proposals to make drafts.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmInput {
    /// The keys of the proposals to make; all of them when not given. A key no longer
    /// proposed makes nothing: review the run again.
    pub only: Option<Vec<String>>,
}

/// Make drafts of the month's billing run (all its proposals or those named), numbered in
/// order; the invoices made.
#[utoipa::path(post, path = "/billing/runs/{month}", security(("token" = ["manage-invoices"])), tag = "invoices",
    params(("month" = String, Path, description = "`YYYY-MM`")), request_body = ConfirmInput,
    responses((status = 201, body = Vec<InvoiceView>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn confirm(
    State(state): State<AppState>,
    caller: Caller,
    Path(text): Path<String>,
    Json(input): Json<ConfirmInput>,
) -> Result<(StatusCode, Json<Vec<InvoiceView>>), ApiError> {
    let made = billing::confirm(
        &state.store,
        &caller.ctx(),
        month(&text)?,
        input.only.as_deref(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(made.into_iter().map(InvoiceView::from).collect()),
    ))
}

/// A custom schedule's milestone.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneView {
    /// `YYYY-MM-DD`
    pub on: String,
    /// Major units of the deal's currency.
    pub amount: String,
}

/// An instalment of a deal's schedule.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InstalmentView {
    pub billable_on: String,
    pub service_from: Option<String>,
    pub service_to: Option<String>,
    pub amount: String,
}

/// How a deal is billed and the instalments that makes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScheduleView {
    pub deal_id: i64,
    pub currency: String,
    /// advance or arrears
    pub timing: String,
    /// once, yearly, quarterly, monthly or custom
    pub frequency: String,
    pub milestones: Vec<MilestoneView>,
    /// Whether the deal has a schedule of its own rather than the default for its revenue
    /// type.
    pub own: bool,
    /// The schedule as people read it, such as "quarterly, in advance".
    pub words: String,
    pub instalments: Vec<InstalmentView>,
    /// Why it has no instalments, when it has none.
    pub problem: Option<String>,
}

impl From<DealBilling> for ScheduleView {
    fn from(b: DealBilling) -> Self {
        let money = |minor: i64| Money::from_minor(minor, b.currency).decimal();
        let (instalments, problem) = match &b.instalments {
            Ok(list) => (
                list.iter()
                    .map(|i| InstalmentView {
                        billable_on: i.billable_on.to_string(),
                        service_from: day(i.service_from),
                        service_to: day(i.service_to),
                        amount: money(i.amount_minor),
                    })
                    .collect(),
                None,
            ),
            Err(problem) => (Vec::new(), Some(problem.clone())),
        };
        ScheduleView {
            deal_id: b.deal.get(),
            currency: b.currency.to_string(),
            timing: b.schedule.timing.to_string(),
            frequency: b.schedule.frequency.to_string(),
            milestones: b
                .schedule
                .milestones
                .iter()
                .map(|m| MilestoneView {
                    on: m.on.to_string(),
                    amount: money(m.amount_minor),
                })
                .collect(),
            own: b.own,
            words: b.schedule.words(),
            instalments,
            problem,
        }
    }
}

/// A schedule to set.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInputView {
    /// advance or arrears
    pub timing: String,
    /// once, yearly, quarterly, monthly or custom
    pub frequency: String,
    /// A custom schedule's milestones; none for the others.
    #[serde(default)]
    pub milestones: Vec<MilestoneView>,
}

/// How a deal is billed: its own schedule, or the default for its revenue type.
#[utoipa::path(get, path = "/deals/{id}/billing", security(("token" = ["read-cash"])), tag = "invoices",
    params(("id" = i64, Path)),
    responses((status = 200, body = ScheduleView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn schedule(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<i64>,
) -> Result<Json<ScheduleView>, ApiError> {
    let billing = billing::of_deal(&state.store, &caller.ctx(), super::deals::id(raw)?).await?;
    Ok(Json(billing.into()))
}

/// Set how a won deal is billed.
#[utoipa::path(put, path = "/deals/{id}/billing", security(("token" = ["manage-invoices"])), tag = "invoices",
    params(("id" = i64, Path)), request_body = ScheduleInputView,
    responses((status = 200, body = ScheduleView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_schedule(
    State(state): State<AppState>,
    caller: Caller,
    Path(raw): Path<i64>,
    Json(input): Json<ScheduleInputView>,
) -> Result<Json<ScheduleView>, ApiError> {
    let invalid = |field: &'static str| {
        move |e: bearing_core::ParseError| ApiError::from(AppError::invalid(field, e.to_string()))
    };
    let milestones = input
        .milestones
        .iter()
        .enumerate()
        .map(|(k, m)| {
            let on = bearing_core::parse_date(&m.on).map_err(|e| {
                AppError::invalid("milestones", format!("milestone {}: {e}", k + 1))
            })?;
            Ok(MilestoneInput {
                on,
                amount: m.amount.clone(),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let schedule = ScheduleInput {
        timing: input.timing.parse().map_err(invalid("timing"))?,
        frequency: input.frequency.parse().map_err(invalid("frequency"))?,
        milestones,
    };
    let billing = billing::set(
        &state.store,
        &caller.ctx(),
        super::deals::id(raw)?,
        schedule,
    )
    .await?;
    Ok(Json(billing.into()))
}
