//! "Can we hire?" and the scenarios, for finance: a proposed hire answered against the
//! Monte Carlo runs, and saved sets of changes weighed beside the forecast.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use bearing_app::AppError;
use bearing_app::scenarios::{self, HireInput, HireResult};
use bearing_core::Month;
use bearing_core::access::Permission::EditAssumptions;
use bearing_core::scenario::Change;

use super::{Cell, Done, HtmlTable, Layout, Routes, error_page, field, render, see_other};
use crate::AppState;
use crate::access::Rule::Signed;
use crate::auth::Caller;
use crate::charts::{self, Series};

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/hire", Signed(EditAssumptions), hire_page)
        .post("/hire", Signed(EditAssumptions), ask)
        .get("/scenarios", Signed(EditAssumptions), scenarios_page)
        .post("/scenarios", Signed(EditAssumptions), save)
        .get("/scenarios/{id}", Signed(EditAssumptions), scenario_page)
        .post("/scenarios/{id}/delete", Signed(EditAssumptions), delete)
}

/// The hire form as typed.
#[derive(Debug, Default, Clone, serde::Deserialize)]
struct HireForm {
    role: String,
    level: String,
    step: Option<String>,
    fte: Option<String>,
    start: String,
    end: Option<String>,
    funding: Option<String>,
    payment: Option<String>,
}

/// The answer shown under the form.
struct AnswerView {
    affordable: bool,
    text: String,
    with_hire: String,
    without_hire: String,
    bar: String,
    monthly_cost: String,
    change: String,
    name: String,
}

#[derive(Template)]
#[template(path = "hire.html")]
struct HirePage {
    layout: Layout,
    errors: Vec<String>,
    roles: Vec<String>,
    form: HireForm,
    answer: Option<AnswerView>,
}

async fn hire_view(
    state: &AppState,
    caller: &Caller,
    status: StatusCode,
    errors: Vec<String>,
    form: HireForm,
    answer: Option<AnswerView>,
) -> Response {
    let roles = match state.store.list_roles().await {
        Ok(roles) => roles.into_iter().map(|r| r.text.name).collect(),
        Err(error) => return error_page(caller, error.into()),
    };
    render(
        status,
        &HirePage {
            layout: Layout::new("Can we hire?", caller, "/hire"),
            errors,
            roles,
            form,
            answer,
        },
    )
}

async fn hire_page(State(state): State<AppState>, caller: Caller) -> Response {
    let form = HireForm {
        level: "2".into(),
        step: Some("1".into()),
        fte: Some("1".into()),
        start: Month::of(caller.ctx().today())
            .plus(2)
            .map(|m| m.to_string())
            .unwrap_or_default(),
        ..HireForm::default()
    };
    hire_view(&state, &caller, StatusCode::OK, Vec::new(), form, None).await
}

/// The form's hire, or every problem with it.
fn read_hire(form: &HireForm) -> Result<HireInput, Vec<String>> {
    let mut errors = Vec::new();
    let mut whole = |name: &str, text: &str| match text.trim().parse::<u8>() {
        Ok(n) if (1..=20).contains(&n) => n,
        _ => {
            errors.push(format!(
                "{name}: {:?} is not a whole number from 1 to 20",
                text.trim()
            ));
            1
        }
    };
    let level = whole("level", &form.level);
    let step = whole("step", form.step.as_deref().unwrap_or("1"));
    let fte = match field(&form.fte).map(|f| f.parse::<f64>()) {
        None => 1.0,
        Some(Ok(f)) if f > 0.0 && f <= 1.0 => f,
        Some(_) => {
            errors.push("FTE: a share of full time above 0 and at most 1, e.g. 0.5".into());
            1.0
        }
    };
    let month = |name: &str, text: &str, errors: &mut Vec<String>| match Month::parse(text.trim()) {
        Ok(m) => Some(m),
        Err(e) => {
            errors.push(format!("{name}: {e}"));
            None
        }
    };
    let start = month("start", &form.start, &mut errors);
    let end = field(&form.end).and_then(|e| month("end", &e, &mut errors));
    let funding = match field(&form.funding).map(|f| {
        bearing_core::people::parse_funding(&f)
            .and_then(|list| bearing_core::people::check_funding(&list).map(|()| list))
    }) {
        None => Vec::new(),
        Some(Ok(list)) => list,
        Some(Err(e)) => {
            errors.push(format!("funding: {e}"));
            Vec::new()
        }
    };
    let payment = match field(&form.payment).map(|p| p.replace([',', '$'], "").parse::<f64>()) {
        None => None,
        Some(Ok(p)) if p > 0.0 => Some(p),
        Some(_) => {
            errors.push("contractor's payment: an amount a month above 0, e.g. 8000".into());
            None
        }
    };
    if form.role.trim().is_empty() {
        errors.push("role: choose the role".into());
    }
    match (errors.is_empty(), start) {
        (true, Some(start)) => Ok(HireInput {
            role: form.role.trim().to_owned(),
            level,
            step,
            fte,
            start,
            end,
            funding,
            payment,
        }),
        _ => Err(errors),
    }
}

fn answer_view(result: &HireResult) -> AnswerView {
    let percent = |x: f64| format!("{:.0}%", x * 100.0);
    AnswerView {
        affordable: result.answer.affordable,
        text: result.text(),
        with_hire: percent(result.answer.with_hire),
        without_hire: percent(result.answer.without_hire),
        bar: percent(result.confidence),
        monthly_cost: super::dollars(result.monthly_cost),
        change: result.input.change().to_string(),
        name: format!(
            "{} from {}",
            bearing_core::roles::title(&result.input.role, result.input.level),
            result.input.start.words()
        ),
    }
}

async fn ask(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<HireForm>,
) -> Response {
    let input = match read_hire(&form) {
        Ok(input) => input,
        Err(errors) => {
            return hire_view(
                &state,
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                form,
                None,
            )
            .await;
        }
    };
    match scenarios::hire(&state.store, &caller.ctx(), input, caller.ctx().today()).await {
        Ok(result) => {
            let answer = answer_view(&result);
            hire_view(
                &state,
                &caller,
                StatusCode::OK,
                Vec::new(),
                form,
                Some(answer),
            )
            .await
        }
        Err(AppError::Invalid { field, message }) => {
            hire_view(
                &state,
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                vec![format!("{field}: {message}")],
                form,
                None,
            )
            .await
        }
        Err(error) => error_page(&caller, error),
    }
}

#[derive(Template)]
#[template(path = "scenarios.html")]
struct ScenariosPage {
    layout: Layout,
    errors: Vec<String>,
    table: HtmlTable,
    name: String,
    description: String,
    changes: String,
}

async fn scenarios_view(
    state: &AppState,
    caller: &Caller,
    status: StatusCode,
    errors: Vec<String>,
    form: ScenarioForm,
    notice: Option<String>,
) -> Response {
    let list = match scenarios::list(&state.store, &caller.ctx()).await {
        Ok(list) => list,
        Err(error) => return error_page(caller, error),
    };
    let mut table = HtmlTable::new(
        "Saved scenarios",
        &["Scenario", "What it is for", "Changes"],
    );
    table.rows = list
        .iter()
        .map(|s| {
            let lines: Vec<String> = s.changes.iter().map(ToString::to_string).collect();
            vec![
                Cell::link(s.name.clone(), format!("/scenarios/{}", s.id)),
                Cell::text(s.description.clone().unwrap_or_default()),
                Cell::text(lines.join(" · ")),
            ]
        })
        .collect();
    render(
        status,
        &ScenariosPage {
            layout: Layout::new("Scenarios", caller, "/scenarios").with_notice(notice),
            errors,
            table,
            name: form.name,
            description: form.description.unwrap_or_default(),
            changes: form.changes,
        },
    )
}

async fn scenarios_page(
    State(state): State<AppState>,
    caller: Caller,
    axum::extract::Query(q): axum::extract::Query<Done>,
) -> Response {
    scenarios_view(
        &state,
        &caller,
        StatusCode::OK,
        Vec::new(),
        ScenarioForm::default(),
        q.notice(),
    )
    .await
}

#[derive(Debug, Default, Clone, serde::Deserialize)]
struct ScenarioForm {
    name: String,
    description: Option<String>,
    /// A change a line.
    changes: String,
}

async fn save(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<ScenarioForm>,
) -> Response {
    let mut errors = Vec::new();
    let changes: Vec<Change> = form
        .changes
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .filter_map(|line| match Change::parse(line) {
            Ok(change) => Some(change),
            Err(e) => {
                errors.push(e.to_string());
                None
            }
        })
        .collect();
    if !errors.is_empty() {
        return scenarios_view(
            &state,
            &caller,
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            form,
            None,
        )
        .await;
    }
    match scenarios::add(
        &state.store,
        &caller.ctx(),
        &form.name,
        field(&form.description).as_deref(),
        changes,
    )
    .await
    {
        Ok(saved) => see_other(&format!("/scenarios/{}", saved.id)),
        Err(error @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            scenarios_view(
                &state,
                &caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                vec![error.to_string()],
                form,
                None,
            )
            .await
        }
        Err(error) => error_page(&caller, error),
    }
}

#[derive(Template)]
#[template(path = "scenario.html")]
struct ScenarioPage {
    layout: Layout,
    id: i64,
    description: String,
    changes: Vec<String>,
    problem: Option<String>,
    table: HtmlTable,
    chart: String,
    costs: String,
}

async fn scenario_page(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Response {
    let ctx = caller.ctx();
    let saved = match scenarios::get(&state.store, &ctx, &id).await {
        Ok(saved) => saved,
        Err(error) => return error_page(&caller, error),
    };
    let mut table = HtmlTable::new(
        "The scenario beside the baseline",
        &["Measure", "Baseline", "Scenario", "Change"],
    );
    let (problem, chart, costs) = match scenarios::evaluate(
        &state.store,
        &ctx,
        &saved.changes,
        caller.ctx().today(),
    )
    .await
    {
        Ok(e) => {
            let t = scenarios::evaluation_table(&e);
            table.rows = t
                .rows
                .iter()
                .map(|row| {
                    row.iter()
                        .enumerate()
                        .map(|(i, c)| {
                            let text = c.clone().unwrap_or_default();
                            if i == 0 {
                                Cell::text(text)
                            } else {
                                Cell::number(text)
                            }
                        })
                        .collect()
                })
                .collect();
            let months: Vec<String> = e
                .baseline
                .months
                .iter()
                .take(36)
                .map(|m| super::month_text(*m))
                .collect();
            let take = |v: &[f64]| v.iter().take(months.len()).copied().collect::<Vec<f64>>();
            let chart = charts::line_chart(
                "Estimated revenue and costs, baseline and scenario",
                "Estimated revenue and monthly costs of the baseline and of the scenario over the next three years; the table has the measures.",
                charts::Unit::Dollars,
                &months,
                &[
                    Series::new("Estimated, baseline", take(&e.baseline.estimated)),
                    Series::new("Estimated, scenario", take(&e.scenario.estimated)).dashed(),
                    Series::new("Costs, baseline", take(&e.baseline.costs)),
                    Series::new("Costs, scenario", take(&e.scenario.costs)).dashed(),
                ],
                None,
            );
            (None, chart, e.costs_note)
        }
        Err(error @ AppError::Invalid { .. }) => (
            Some(format!("The scenario cannot be weighed: {error}")),
            String::new(),
            String::new(),
        ),
        Err(error) => return error_page(&caller, error),
    };
    render(
        StatusCode::OK,
        &ScenarioPage {
            layout: Layout::new(saved.name.clone(), &caller, "/scenarios"),
            id: saved.id,
            description: saved.description.clone().unwrap_or_default(),
            changes: saved.changes.iter().map(ToString::to_string).collect(),
            problem,
            table,
            chart,
            costs,
        },
    )
}

async fn delete(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> Response {
    match scenarios::delete(&state.store, &caller.ctx(), &id).await {
        Ok(()) => see_other(&super::noticed(
            "/scenarios",
            "The scenario was deleted; its history stays.",
        )),
        Err(error) => error_page(&caller, error),
    }
}
