//! `/roles`, `/bands`, `/people` and `/team-cost`. Roles, titles and bands are for every
//! member; a person's step, time, pay and funding only for finance, admin and that person;
//! the team's cost for finance.

use axum::Json;
use axum::extract::{Query, State};
use bearing_app::people;
use bearing_core::Month;
use bearing_core::people::CostRates;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Caller;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(roles))
        .routes(routes!(bands))
        .routes(routes!(list_people))
        .routes(routes!(team_cost))
        .routes(routes!(balance))
        .routes(routes!(rate))
}

/// The balancing rule now: costs ≤ amount sold ≤ delivery capacity.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct BalanceWire {
    pub month: String,
    /// Monthly costs, and where they come from.
    pub costs: String,
    pub costs_note: String,
    /// The month's committed revenue; null before books-closed is set.
    pub amount_sold: Option<String>,
    pub costs_covered: Option<bool>,
    pub hubs_in_service: usize,
    /// Hubs in service by kind of service.
    pub hubs_by_kind: Vec<(String, usize)>,
    pub engineering_fte: f64,
    pub needed_fte: f64,
    /// Hubs engineering can operate at this mix.
    pub capacity_hubs: f64,
    pub deliverable: bool,
}

/// The balancing rule's numbers (finance).
#[utoipa::path(get, path = "/balance", tag = "people", responses((status = 200, body = BalanceWire), (status = 403, body = ErrorBody)))]
async fn balance(State(state): State<AppState>) -> Result<Json<BalanceWire>, ApiError> {
    let today = jiff::Zoned::now().date();
    let (_, assumptions) = bearing_app::assumptions::current(&state.store, today).await?;
    let b = people::balance(&state.store, &assumptions, today).await?;
    Ok(Json(BalanceWire {
        month: b.month.to_string(),
        costs: format!("{:.2}", b.costs),
        costs_note: b.costs_note.clone(),
        amount_sold: b.sold.map(|s| format!("{s:.2}")),
        costs_covered: b.sold.map(|s| b.costs <= s),
        hubs_in_service: b.hubs_in_service,
        hubs_by_kind: b.delivery.hubs.clone(),
        engineering_fte: b.delivery.engineering_fte,
        needed_fte: b.delivery.needed_fte,
        capacity_hubs: b.delivery.capacity,
        deliverable: b.hubs_in_service as f64 <= b.delivery.capacity,
    }))
}

/// The rate calculator's inputs.
#[derive(Debug, Default, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct RateQuery {
    /// Burdened annual cost of an engineer
    cost: f64,
    /// Billable hours a year, e.g. 900
    hours: f64,
    /// The sponsor's fee as a fraction, e.g. 0.15
    fee: f64,
    /// Margin as a fraction, e.g. 0.087
    #[serde(default)]
    margin: f64,
}

/// The blended hourly rate.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct RateWire {
    pub hourly_rate: String,
}

/// The blended hourly rate: burdened cost ÷ billable hours × (1 + FSP fee) × (1 + margin).
#[utoipa::path(get, path = "/rate", tag = "people", params(RateQuery), responses((status = 200, body = RateWire), (status = 422, body = ErrorBody)))]
async fn rate(Query(q): Query<RateQuery>) -> Result<Json<RateWire>, ApiError> {
    let rate = bearing_core::people::checked_hourly_rate(q.cost, q.hours, q.fee, q.margin)
        .map_err(|message| bearing_app::AppError::invalid("rate", message))?;
    Ok(Json(RateWire {
        hourly_rate: format!("{rate:.2}"),
    }))
}

/// A role as its pages describe it (Markdown parts).
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct RoleView {
    pub id: i64,
    pub name: String,
    pub area: Option<String>,
    pub description: String,
    pub key_goal: Option<String>,
    pub responsibilities: Option<String>,
    pub performance_measures: Option<String>,
    pub comparable_titles: Vec<String>,
    pub notes: Vec<String>,
    /// YYYY-MM.
    pub revisit: Option<String>,
}

/// Every role, in page order.
#[utoipa::path(get, path = "/roles", tag = "people", responses((status = 200, body = Vec<RoleView>)))]
async fn roles(State(state): State<AppState>) -> Result<Json<Vec<RoleView>>, ApiError> {
    let store = &state.store;
    let areas: std::collections::HashMap<i64, String> = store
        .list_areas()
        .await
        .map_err(bearing_app::AppError::from)?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let list = store
        .list_roles()
        .await
        .map_err(bearing_app::AppError::from)?;
    Ok(Json(
        list.into_iter()
            .map(|r| RoleView {
                id: r.id,
                area: r.area_id.and_then(|a| areas.get(&a).cloned()),
                name: r.text.name,
                description: r.text.description,
                key_goal: r.text.key_goal,
                responsibilities: r.text.responsibilities,
                performance_measures: r.text.performance_measures,
                comparable_titles: r.text.comparable_titles,
                notes: r.text.notes,
                revisit: r.text.revisit.map(|m| m.to_string()),
            })
            .collect(),
    ))
}

/// A salary band: a ladder's annual base at a level and step, from a day on.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct BandView {
    pub ladder: String,
    pub title: String,
    pub level: u8,
    pub step: u8,
    /// Major units, e.g. "100000.00".
    pub annual_base: String,
    pub effective_from: String,
}

/// Which day's bands.
#[derive(Debug, Default, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct OnQuery {
    /// YYYY-MM-DD (default today)
    on: Option<String>,
}

/// The bands in force on a day (the organisation publishes pay by role).
#[utoipa::path(get, path = "/bands", tag = "people", params(OnQuery), responses((status = 200, body = Vec<BandView>), (status = 422, body = ErrorBody)))]
async fn bands(
    State(state): State<AppState>,
    Query(q): Query<OnQuery>,
) -> Result<Json<Vec<BandView>>, ApiError> {
    let day = match q.on.as_deref() {
        Some(text) => bearing_core::parse_date(text)
            .map_err(|e| bearing_app::AppError::invalid("on", e.to_string()))?,
        None => jiff::Zoned::now().date(),
    };
    let all = state
        .store
        .list_bands()
        .await
        .map_err(bearing_app::AppError::from)?;
    Ok(Json(
        bearing_core::people::bands_on(&all, day)
            .into_iter()
            .map(|b| BandView {
                ladder: b.ladder.clone(),
                title: bearing_core::roles::title(&b.ladder, b.level),
                level: b.level,
                step: b.step,
                annual_base: format!("{:.2}", b.annual_base as f64 / 100.0),
                effective_from: b.effective_from.to_string(),
            })
            .collect(),
    ))
}

/// The pay side of an assignment.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct PayWire {
    pub step: u8,
    pub fte: f64,
    pub annual_base: Option<String>,
    pub annual_pay: Option<String>,
    pub monthly_payment: Option<String>,
    /// Grant code and share.
    pub funding: Vec<(String, f64)>,
}

/// An assignment: its pay only for those who may see it.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct AssignmentWire {
    pub id: i64,
    pub role: String,
    pub title: String,
    pub start: String,
    pub end: Option<String>,
    pub description: Option<String>,
    pub pay: Option<PayWire>,
}

/// A person and their assignments.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct PersonWire {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub github: Option<String>,
    /// employee or contractor
    pub kind: String,
    pub renewal: Option<String>,
    /// Whether `pay` is filled in for the caller.
    pub pay_visible: bool,
    pub assignments: Vec<AssignmentWire>,
}

fn money(minor: Option<i64>) -> Option<String> {
    minor.map(|m| format!("{:.2}", m as f64 / 100.0))
}

/// Everyone, with their assignments; step, time, pay and funding only for finance, admin and
/// the person themselves.
#[utoipa::path(get, path = "/people", tag = "people", responses((status = 200, body = Vec<PersonWire>)))]
async fn list_people(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<PersonWire>>, ApiError> {
    let viewer = crate::pages::people::viewer(&caller);
    let list = people::directory(&state.store, &viewer, jiff::Zoned::now().date()).await?;
    Ok(Json(
        list.into_iter()
            .map(|p| PersonWire {
                id: p.id,
                name: p.name,
                email: p.email,
                github: p.github,
                kind: p.kind.to_string(),
                renewal: p.renewal,
                pay_visible: p.pay_visible,
                assignments: p
                    .assignments
                    .into_iter()
                    .map(|a| AssignmentWire {
                        id: a.id,
                        role: a.role,
                        title: a.title,
                        start: a.start.to_string(),
                        end: a.end.map(|e| e.to_string()),
                        description: a.description,
                        pay: a.pay.map(|pay| PayWire {
                            step: pay.step,
                            fte: pay.fte,
                            annual_base: money(pay.annual_base),
                            annual_pay: money(pay.annual_pay),
                            monthly_payment: money(pay.monthly_payment),
                            funding: pay.funding,
                        }),
                    })
                    .collect(),
            })
            .collect(),
    ))
}

/// One month's cost of a role's share funded by a grant code.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct CostWire {
    pub month: String,
    pub area: Option<String>,
    pub role: String,
    pub grant: String,
    pub cost: String,
}

/// Which months.
#[derive(Debug, Default, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct CostQuery {
    /// YYYY-MM (default: a year before this month)
    from: Option<String>,
    /// 1 to 120 (default 36)
    months: Option<u16>,
}

/// What the team costs each month by area, role and grant code (finance only).
#[utoipa::path(get, path = "/team-cost", tag = "people", params(CostQuery),
    responses((status = 200, body = Vec<CostWire>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn team_cost(
    State(state): State<AppState>,
    Query(q): Query<CostQuery>,
) -> Result<Json<Vec<CostWire>>, ApiError> {
    let first = match q.from.as_deref() {
        Some(text) => {
            Month::parse(text).map_err(|e| bearing_app::AppError::invalid("from", e.to_string()))?
        }
        None => Month::of(jiff::Zoned::now().date())
            .plus(-12)
            .ok_or_else(|| bearing_app::AppError::invalid("from", "no month a year ago"))?,
    };
    let count = q.months.unwrap_or(36);
    if !(1..=120).contains(&count) {
        return Err(bearing_app::AppError::invalid("months", "must be 1 to 120").into());
    }
    let months: Vec<Month> = (0..i32::from(count))
        .filter_map(|i| first.plus(i))
        .collect();
    let lines = people::team_cost(&state.store, &months, &CostRates::default()).await?;
    Ok(Json(
        lines
            .into_iter()
            .map(|l| CostWire {
                month: l.month.to_string(),
                area: l.area,
                role: l.role,
                grant: l.grant,
                cost: format!("{:.2}", l.cost),
            })
            .collect(),
    ))
}
