//! `/roles`, `/bands`, `/people`, `/assignments` and `/team-cost`. Roles, titles and bands are
//! for every member; a person's step, time, pay and funding only for finance, admin and that
//! person; the team's cost for finance. Changing roles, bands, people and assignments is
//! finance's (and admin's).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use bearing_app::{AppError, people};
use bearing_core::people::{Band, BandRules, CostRates};
use bearing_core::{AreaId, AssignmentId, Currency, Month, PersonId, RoleId};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::types::people::*;
use crate::auth::Caller;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(roles, add_role))
        .routes(routes!(show_role, edit_role))
        .routes(routes!(bands, set_bands))
        .routes(routes!(generate_bands))
        .routes(routes!(cost_of_living))
        .routes(routes!(list_people, add_person))
        .routes(routes!(show_person, edit_person, delete_person))
        .routes(routes!(restore_person))
        .routes(routes!(assign))
        .routes(routes!(edit_assignment, delete_assignment))
        .routes(routes!(restore_assignment))
        .routes(routes!(team_cost))
        .routes(routes!(balance))
        .routes(routes!(rate))
}

/// The balancing rule's numbers (finance).
#[utoipa::path(get, path = "/balance", security(("token" = ["read-pay"])), tag = "people", responses((status = 200, body = BalanceWire), (status = 403, body = ErrorBody)))]
async fn balance(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<BalanceWire>, ApiError> {
    let today = jiff::Zoned::now().date();
    let (_, assumptions) = bearing_app::assumptions::current(&state.store, today).await?;
    let b = people::balance(&state.store, &caller.ctx(), &assumptions, today).await?;
    Ok(Json(BalanceWire {
        month: b.month.to_string(),
        costs: format!("{:.2}", b.costs),
        costs_note: b.costs_note.clone(),
        amount_sold: b.sold.map(|s| format!("{s:.2}")),
        costs_covered: b.sold.map(|s| b.costs <= s),
        hubs_in_service: b.hubs_in_service,
        hubs_by_kind: b
            .delivery
            .hubs
            .iter()
            .map(|(kind, hubs)| HubsOfKind {
                kind: kind.clone(),
                hubs: *hubs,
            })
            .collect(),
        engineering_fte: b.delivery.engineering_fte,
        needed_fte: b.delivery.needed_fte,
        capacity_hubs: b.delivery.capacity,
        deliverable: b.hubs_in_service as f64 <= b.delivery.capacity,
    }))
}

/// The blended hourly rate: burdened cost ÷ billable hours × (1 + FSP fee) × (1 + margin).
#[utoipa::path(get, path = "/rate", security(("token" = ["read"])), tag = "people", params(RateQuery), responses((status = 200, body = RateWire), (status = 422, body = ErrorBody)))]
async fn rate(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<RateQuery>,
) -> Result<Json<RateWire>, ApiError> {
    let input = people::RateInput {
        cost: q.cost,
        hours: q.hours,
        fee: q.fee,
        margin: q.margin,
    };
    let rate = people::rate(
        &state.store,
        &caller.ctx(),
        input,
        jiff::Zoned::now().date(),
    )
    .await?;
    Ok(Json(RateWire {
        hourly_rate: format!("{:.2}", rate.hourly_rate),
    }))
}

async fn role_views(
    state: &AppState,
    keep: impl Fn(&bearing_store::RoleRecord) -> bool,
) -> Result<Vec<RoleView>, AppError> {
    let areas: std::collections::HashMap<AreaId, String> = state
        .store
        .list_areas()
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    Ok(state
        .store
        .list_roles()
        .await?
        .into_iter()
        .filter(|r| keep(r))
        .map(|r| RoleView {
            id: r.id.get(),
            area: r.area_id.and_then(|a| areas.get(&a).cloned()),
            ladder: r.ladder().to_owned(),
            name: r.text.name,
            description: r.text.description,
            key_goal: r.text.key_goal,
            responsibilities: r.text.responsibilities,
            performance_measures: r.text.performance_measures,
            salary_rationale: r.text.salary_rationale,
            comparable_titles: r.text.comparable_titles,
            notes: r.text.notes,
            revisit: r.text.revisit.map(|m| m.to_string()),
        })
        .collect())
}

async fn role_view(state: &AppState, id: RoleId) -> Result<RoleView, AppError> {
    role_views(state, |r| r.id == id)
        .await?
        .pop()
        .ok_or_else(|| AppError::NotFound(format!("no role with id {id}")))
}

/// Every role, in page order.
#[utoipa::path(get, path = "/roles", security(("token" = ["read"])), tag = "people", responses((status = 200, body = Vec<RoleView>)))]
async fn roles(State(state): State<AppState>) -> Result<Json<Vec<RoleView>>, ApiError> {
    Ok(Json(role_views(&state, |_| true).await?))
}

/// One role.
#[utoipa::path(get, path = "/roles/{id}", security(("token" = ["read"])), tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = RoleView), (status = 404, body = ErrorBody)))]
async fn show_role(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<RoleView>, ApiError> {
    let id: RoleId = crate::error::path_id("role", id)?;
    Ok(Json(role_view(&state, id).await?))
}

/// Add a role, after the roles there are (finance).
#[utoipa::path(post, path = "/roles", security(("token" = ["edit-people"])), tag = "people", request_body = NewRole,
    responses((status = 201, body = RoleView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_role(
    State(state): State<AppState>,
    caller: Caller,
    Json(input): Json<NewRole>,
) -> Result<(StatusCode, Json<RoleView>), ApiError> {
    let created = bearing_app::roles::add(
        &state.store,
        &caller.ctx(),
        &input.name,
        input.area.as_deref(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(role_view(&state, created.id).await?),
    ))
}

/// Replace a role's area, ladder and parts (finance). Moving it to a ladder that lacks a
/// level and step one of its holders has is refused.
#[utoipa::path(put, path = "/roles/{id}", security(("token" = ["edit-people"])), tag = "people", params(("id" = i64, Path)), request_body = RoleInput,
    responses((status = 200, body = RoleView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn edit_role(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(input): Json<RoleInput>,
) -> Result<Json<RoleView>, ApiError> {
    let id: RoleId = crate::error::path_id("role", id)?;
    let change = bearing_app::roles::RoleChange {
        area: input.area,
        ladder: input.ladder,
        description: input.description,
        notes: input.notes,
        key_goal: input.key_goal,
        responsibilities: input.responsibilities,
        performance_measures: input.performance_measures,
        salary_rationale: input.salary_rationale,
        comparable_titles: input.comparable_titles,
    };
    bearing_app::roles::edit(&state.store, &caller.ctx(), id, change).await?;
    Ok(Json(role_view(&state, id).await?))
}

fn day_or_today(field: &str, text: &Option<String>) -> Result<bearing_core::Date, AppError> {
    Ok(super::types::date(field, text)?.unwrap_or_else(|| jiff::Zoned::now().date()))
}

/// The bands in force on a day (the organisation publishes pay by role).
#[utoipa::path(get, path = "/bands", security(("token" = ["read"])), tag = "people", params(OnQuery), responses((status = 200, body = Vec<BandView>), (status = 422, body = ErrorBody)))]
async fn bands(
    State(state): State<AppState>,
    Query(q): Query<OnQuery>,
) -> Result<Json<Vec<BandView>>, ApiError> {
    let day = day_or_today("on", &q.on)?;
    let all = state.store.list_bands().await.map_err(AppError::from)?;
    Ok(Json(
        bearing_core::people::bands_on(&all, day)
            .into_iter()
            .map(BandView::from)
            .collect(),
    ))
}

/// Set bands, all or none (finance): a band already set for its ladder, level, step and day
/// takes the new amount; a later day's band takes over from that day.
#[utoipa::path(post, path = "/bands", security(("token" = ["edit-people"])), tag = "people", request_body = Vec<BandInput>,
    responses((status = 200, body = Vec<BandView>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_bands(
    State(state): State<AppState>,
    caller: Caller,
    Json(input): Json<Vec<BandInput>>,
) -> Result<Json<Vec<BandView>>, ApiError> {
    let mut list = Vec::new();
    for (i, b) in input.into_iter().enumerate() {
        let field = format!("bands[{i}]");
        let annual_base = super::types::money(&field, &Some(b.annual_base), Currency::default())?
            .ok_or_else(|| AppError::invalid(&field, "annual_base is required"))?;
        list.push(Band {
            ladder: b.ladder.trim().to_owned(),
            level: b.level,
            step: b.step,
            annual_base,
            effective_from: day_or_today(&field, &b.effective_from)?,
            note: b.note.filter(|n| !n.trim().is_empty()),
        });
    }
    people::set_bands(&state.store, &caller.ctx(), &list).await?;
    Ok(Json(list.iter().map(BandView::from).collect()))
}

/// Generate a ladder's bands from a benchmark by the rules of thumb (finance): about 10% a
/// level, 2% a step, total compensation = base + 25% benefits.
#[utoipa::path(post, path = "/bands/generate", security(("token" = ["edit-people"])), tag = "people", request_body = GenerateInput,
    responses((status = 200, body = Vec<BandView>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn generate_bands(
    State(state): State<AppState>,
    caller: Caller,
    Json(input): Json<GenerateInput>,
) -> Result<Json<Vec<BandView>>, ApiError> {
    let list = people::generated_bands(
        input.ladder.trim(),
        input.benchmark,
        (input.reference_level, input.reference_step),
        input.levels,
        input.steps,
        day_or_today("from", &input.from)?,
        &BandRules::default(),
    )?;
    if input.dry_run {
        people::check_bands(&state.store, &list, true).await?;
    } else {
        people::set_generated_bands(&state.store, &caller.ctx(), &list).await?;
    }
    Ok(Json(list.iter().map(BandView::from).collect()))
}

/// Raise every band in force by a percentage from a day (finance); earlier bands stay.
#[utoipa::path(post, path = "/bands/cola", security(("token" = ["edit-people"])), tag = "people", request_body = ColaInput,
    responses((status = 200, body = Vec<BandView>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn cost_of_living(
    State(state): State<AppState>,
    caller: Caller,
    Json(input): Json<ColaInput>,
) -> Result<Json<Vec<BandView>>, ApiError> {
    let raised = people::cost_of_living(
        &state.store,
        &caller.ctx(),
        input.percent,
        day_or_today("from", &input.from)?,
    )
    .await?;
    Ok(Json(raised.iter().map(BandView::from).collect()))
}

/// A person as the caller may see them.
async fn person_view(
    state: &AppState,
    caller: &Caller,
    id: PersonId,
) -> Result<PersonWire, AppError> {
    people::directory(&state.store, &caller.ctx(), jiff::Zoned::now().date())
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .map(person_wire)
        .ok_or_else(|| AppError::NotFound(format!("no person with id {id}")))
}

/// Everyone, with their assignments; step, time, pay and funding only for finance, admin and
/// the person themselves.
#[utoipa::path(get, path = "/people", security(("token" = ["read"])), tag = "people", responses((status = 200, body = Vec<PersonWire>)))]
async fn list_people(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<PersonWire>>, ApiError> {
    let list = people::directory(&state.store, &caller.ctx(), jiff::Zoned::now().date()).await?;
    Ok(Json(list.into_iter().map(person_wire).collect()))
}

/// One person; their pay only for finance, admin and themselves.
#[utoipa::path(get, path = "/people/{id}", security(("token" = ["read"])), tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = PersonWire), (status = 404, body = ErrorBody)))]
async fn show_person(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<PersonWire>, ApiError> {
    let id: PersonId = crate::error::path_id("person", id)?;
    Ok(Json(person_view(&state, &caller, id).await?))
}

/// Add a person (finance).
#[utoipa::path(post, path = "/people", security(("token" = ["edit-people"])), tag = "people", request_body = PersonInput,
    responses((status = 201, body = PersonWire), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_person(
    State(state): State<AppState>,
    caller: Caller,
    Json(input): Json<PersonInput>,
) -> Result<(StatusCode, Json<PersonWire>), ApiError> {
    let created = people::add_person(&state.store, &caller.ctx(), input.fields()?).await?;
    Ok((
        StatusCode::CREATED,
        Json(person_view(&state, &caller, created.id).await?),
    ))
}

/// Replace what is recorded about a person (finance).
#[utoipa::path(put, path = "/people/{id}", security(("token" = ["edit-people"])), tag = "people", params(("id" = i64, Path)), request_body = PersonInput,
    responses((status = 200, body = PersonWire), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn edit_person(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(input): Json<PersonInput>,
) -> Result<Json<PersonWire>, ApiError> {
    let id: PersonId = crate::error::path_id("person", id)?;
    let patch = people::PersonPatch::replace(input.fields()?);
    people::edit_person(&state.store, &caller.ctx(), id, patch).await?;
    Ok(Json(person_view(&state, &caller, id).await?))
}

async fn assignment_view(
    state: &AppState,
    caller: &Caller,
    record: &bearing_store::AssignmentRecord,
) -> Result<AssignmentWire, AppError> {
    person_view(state, caller, record.person_id)
        .await?
        .assignments
        .into_iter()
        .find(|a| a.id == record.id.get())
        .ok_or_else(|| AppError::NotFound(format!("no assignment with id {}", record.id)))
}

/// Give a person a role at a level and step from a day (finance): the level and step must be
/// on the role's ladder, the funding shares add to 1, and a contractor has a monthly payment.
#[utoipa::path(post, path = "/people/{id}/assignments", security(("token" = ["edit-people"])), tag = "people", params(("id" = i64, Path)), request_body = AssignmentInput,
    responses((status = 201, body = AssignmentWire), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(input): Json<AssignmentInput>,
) -> Result<(StatusCode, Json<AssignmentWire>), ApiError> {
    let id: PersonId = crate::error::path_id("person", id)?;
    let fields = input.patch()?.into_new()?;
    let created = people::assign(&state.store, &caller.ctx(), id, fields).await?;
    Ok((
        StatusCode::CREATED,
        Json(assignment_view(&state, &caller, &created).await?),
    ))
}

/// Replace an assignment's fields (finance): to end it, set its end; a promotion is a new
/// assignment.
#[utoipa::path(put, path = "/assignments/{id}", security(("token" = ["edit-people"])), tag = "people", params(("id" = i64, Path)), request_body = AssignmentInput,
    responses((status = 200, body = AssignmentWire), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn edit_assignment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Json(input): Json<AssignmentInput>,
) -> Result<Json<AssignmentWire>, ApiError> {
    let id: AssignmentId = crate::error::path_id("assignment", id)?;
    let edited = people::edit_assignment(&state.store, &caller.ctx(), id, input.patch()?).await?;
    Ok(Json(assignment_view(&state, &caller, &edited).await?))
}

/// Delete a person entered by mistake (finance): they leave every list, keep their history and
/// can be restored. Refused (409) while they hold assignments; for someone who left, end their
/// assignments instead.
#[utoipa::path(delete, path = "/people/{id}", security(("token" = ["edit-people"])), tag = "people", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_person(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let id: PersonId = crate::error::path_id("person", id)?;
    people::delete_person(&state.store, &caller.ctx(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Restore a deleted person (finance), unless another person has their name or email now.
#[utoipa::path(post, path = "/people/{id}/restore", security(("token" = ["edit-people"])), tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = PersonWire), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn restore_person(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<PersonWire>, ApiError> {
    let id: PersonId = crate::error::path_id("person", id)?;
    people::restore_person(&state.store, &caller.ctx(), id).await?;
    Ok(Json(person_view(&state, &caller, id).await?))
}

/// Delete an assignment entered by mistake (finance); one that happened is ended instead.
#[utoipa::path(delete, path = "/assignments/{id}", security(("token" = ["edit-people"])), tag = "people", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_assignment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let id: AssignmentId = crate::error::path_id("assignment", id)?;
    people::delete_assignment(&state.store, &caller.ctx(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Restore a deleted assignment (finance) of a person who is not deleted.
#[utoipa::path(post, path = "/assignments/{id}/restore", security(("token" = ["edit-people"])), tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = AssignmentWire), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn restore_assignment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<AssignmentWire>, ApiError> {
    let id: AssignmentId = crate::error::path_id("assignment", id)?;
    let back = people::restore_assignment(&state.store, &caller.ctx(), id).await?;
    Ok(Json(assignment_view(&state, &caller, &back).await?))
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
#[utoipa::path(get, path = "/team-cost", security(("token" = ["read-pay"])), tag = "people", params(CostQuery),
    responses((status = 200, body = Vec<CostWire>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn team_cost(
    State(state): State<AppState>,
    caller: Caller,
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
    let lines =
        people::team_cost(&state.store, &caller.ctx(), &months, &CostRates::default()).await?;
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
