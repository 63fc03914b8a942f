//! Scenarios and "can we hire?" (docs/domain.md, "Scenarios: can we hire?"): named sets of
//! changes evaluated exactly like the forecast, beside the baseline, without touching a
//! record. A hire costs its band, so scenarios are finance's, like the books.

use bearing_core::forecast::{
    Cash, Forecast, Hire, HireAnswer, Indicator, RunwayDistribution, can_we_hire, health,
};
use bearing_core::people::{CostRates, Pay};
use bearing_core::scenario::Change;
use bearing_core::{Date, EntityKind, Month};
use bearing_formats::Table;
use bearing_store::{ScenarioRecord, Store};

use crate::{AppError, Context, Result, audit};

/// What a forecast with a set of changes comes to.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub months: Vec<Month>,
    pub committed: Vec<f64>,
    pub estimated: Vec<f64>,
    pub low: Vec<f64>,
    pub high: Vec<f64>,
    /// Each month's costs, without the sponsor's fee.
    pub costs: Vec<f64>,
    pub health: Vec<Indicator>,
    /// The team's mean monthly cost over the next twelve months.
    pub team_cost: f64,
    pub runway: RunwayDistribution,
}

/// A scenario beside the baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub baseline: Outcome,
    pub scenario: Outcome,
    /// Where the baseline's costs came from, in words.
    pub costs_note: String,
}

/// What the forecast and the costs are built from, read once.
struct Basis {
    assumptions: bearing_core::assumptions::Assumptions,
    deals: Vec<bearing_core::forecast::ForecastDeal>,
    ids: Vec<i64>,
    start: Month,
    costs: f64,
    costs_note: String,
    /// The team's cost by person and month over the horizon.
    people: Vec<(String, bearing_core::PersonId, Month, f64)>,
    bands: Vec<bearing_core::people::Band>,
    roles: Vec<bearing_store::RoleRecord>,
}

async fn basis(store: &Store, today: Date) -> Result<Basis> {
    let (_, assumptions) = crate::assumptions::current(store, today).await?;
    let books_closed = assumptions.books_closed.ok_or_else(|| {
        AppError::invalid(
            "books-closed",
            "not set: a scenario starts where the forecast does, the month after the books closed",
        )
    })?;
    let start = books_closed.plus(1).ok_or_else(|| {
        AppError::invalid("books-closed", "the month after it is outside the calendar")
    })?;
    let (deals, ids) =
        crate::forecast::snapshot_with_ids(store, &assumptions.stage_probabilities).await?;
    let crate::people::Costs {
        monthly: costs,
        note: costs_note,
        ..
    } = crate::people::effective_costs(store, &assumptions, start).await?;
    let months: Vec<Month> = (0..i32::try_from(assumptions.horizon_years * 12).unwrap_or(120))
        .filter_map(|i| start.plus(i))
        .collect();
    let names: std::collections::HashMap<bearing_core::PersonId, String> = store
        .list_people()
        .await?
        .into_iter()
        .map(|p| (p.id, p.fields.name))
        .collect();
    let people = crate::people::assignment_costs(store, &months, &CostRates::default())
        .await?
        .into_iter()
        .map(|a| {
            (
                names.get(&a.person_id).cloned().unwrap_or_default(),
                a.person_id,
                a.month,
                a.cost,
            )
        })
        .collect();
    Ok(Basis {
        assumptions,
        deals,
        ids,
        start,
        costs,
        costs_note,
        people,
        bands: store.list_bands().await?,
        roles: store.list_roles().await?,
    })
}

/// What a hire costs in `month`: its band (its role's ladder, at its level and step, in
/// force that month) × FTE ÷ 12 × (1 + benefits), or a contractor's payment × (1 + overhead),
/// for the part of the month it covers.
fn hire_cost(basis: &Basis, change: &Change, month: Month) -> Result<f64> {
    let Change::Hire {
        role,
        level,
        step,
        fte,
        start,
        end,
        payment,
        ..
    } = change
    else {
        return Ok(0.0);
    };
    if month < *start || end.is_some_and(|e| month > e) {
        return Ok(0.0);
    }
    let pay = match payment {
        Some(monthly) => Pay::Contractor { monthly: *monthly },
        None => {
            let ladder = basis
                .roles
                .iter()
                .find(|r| r.text.name.eq_ignore_ascii_case(role))
                .map(|r| r.ladder().to_owned())
                .ok_or_else(|| AppError::invalid("role", format!("there is no role {role:?}")))?;
            let band = bearing_core::people::band_on(
                &basis.bands,
                &ladder,
                *level,
                *step,
                month.first_day(),
            )
            .ok_or_else(|| {
                AppError::invalid(
                    "band",
                    format!(
                        "{} step {step} has no salary band in force in {}: set the bands first",
                        bearing_core::roles::title(role, *level),
                        month.words()
                    ),
                )
            })?;
            Pay::Employee {
                annual_salary: band.annual_base as f64 / 100.0,
                fte: *fte,
            }
        }
    };
    Ok(bearing_core::people::monthly_cost(
        &bearing_core::people::Assignment {
            person: "hire".into(),
            pay,
            start: start.first_day(),
            end: end.map(Month::last_day),
            funding: Vec::new(),
        },
        month,
        &CostRates::default(),
    ))
}

/// Each month's change in costs that `changes` make: hires add their cost, departures take
/// the person's cost away after their last day, cost changes add theirs.
fn cost_changes(basis: &Basis, changes: &[Change], months: &[Month]) -> Result<Vec<f64>> {
    let mut delta = vec![0.0; months.len()];
    for change in changes {
        if let Change::Depart { person, .. } = change
            && !basis
                .people
                .iter()
                .any(|(name, ..)| name.eq_ignore_ascii_case(person))
        {
            return Err(AppError::invalid(
                "person",
                format!("{person:?} holds no assignment in the forecast's months"),
            ));
        }
        for (i, month) in months.iter().enumerate() {
            delta[i] += match change {
                Change::Hire { .. } => hire_cost(basis, change, *month)?,
                Change::Depart { person, last_day } => -basis
                    .people
                    .iter()
                    .filter(|(name, _, m, _)| name.eq_ignore_ascii_case(person) && m == month)
                    .map(|(_, _, _, cost)| {
                        // The days after the last day, in the month they leave.
                        let (first, last) = (month.first_day(), month.last_day());
                        if *last_day >= last {
                            0.0
                        } else if *last_day < first {
                            *cost
                        } else {
                            let gone = f64::from(last.day()) - f64::from(last_day.day());
                            cost * gone / f64::from(last.day())
                        }
                    })
                    .sum::<f64>(),
                Change::Cost { monthly, from } if month >= from => *monthly,
                _ => 0.0,
            };
        }
    }
    Ok(delta)
}

/// The forecast of `deals` with monthly `costs`, evaluated like the real one.
fn outcome(
    basis: &Basis,
    forecast: &Forecast,
    runs: &bearing_core::forecast::Runs,
    costs: Vec<f64>,
    team: f64,
) -> Outcome {
    let a = &basis.assumptions;
    let mc = a.monte_carlo();
    let (low, high) = runs.percentiles(mc.low, mc.high);
    let n = forecast.months.len();
    let mut costs = costs;
    let last = costs.last().copied().unwrap_or(basis.costs);
    costs.resize(n.max(costs.len()), last);
    let first: Vec<f64> = costs.iter().take(12).copied().collect();
    let scorecard_costs = first.iter().sum::<f64>() / first.len().max(1) as f64;
    let mut scorecard = a.health();
    scorecard.monthly_costs = scorecard_costs;
    let committed = forecast.committed_row();
    let estimated = forecast.estimated_row();
    let indicators = health(&committed, &estimated, &forecast.months, &scorecard);
    let horizon = (a.horizon_years * 12) as usize;
    let cash = Cash {
        net_assets: a.net_assets,
        costs: costs.clone(),
        fee: a.fsp_fee,
        extra: 0.0,
        extra_from: 0,
        horizon,
    };
    let runway = RunwayDistribution::of(&runs.runways(&cash), horizon as u32);
    Outcome {
        months: forecast.months.clone(),
        committed,
        estimated,
        low,
        high,
        costs,
        health: indicators,
        team_cost: team,
        runway,
    }
}

/// The team's mean monthly cost over the twelve months from the start, with `delta` (the
/// changes' team costs) added.
fn team_cost(basis: &Basis, months: &[Month], delta: &[f64]) -> f64 {
    let first: Vec<Month> = months.iter().take(12).copied().collect();
    let base: f64 = basis
        .people
        .iter()
        .filter(|(_, _, m, _)| first.contains(m))
        .map(|(.., cost)| cost)
        .sum();
    let changes: f64 = delta.iter().take(first.len()).sum();
    (base + changes) / first.len().max(1) as f64
}

/// Evaluates `changes` beside the baseline, as of `today`: for finance.
pub async fn evaluate(
    store: &Store,
    ctx: &Context,
    changes: &[Change],
    today: Date,
) -> Result<Evaluation> {
    crate::books::require(ctx)?;
    let basis = basis(store, today).await?;
    let months: Vec<Month> = (0..i32::try_from(basis.assumptions.horizon_years * 12)
        .unwrap_or(120))
        .filter_map(|i| basis.start.plus(i))
        .collect();
    let mut deals = basis.deals.clone();
    let mut ids = basis.ids.clone();
    bearing_core::scenario::apply_to_deals(&mut deals, &mut ids, changes)
        .map_err(|e| AppError::invalid("deal", e))?;
    let delta = cost_changes(&basis, changes, &months)?;
    // Cost changes that are not people: kept out of the team's cost.
    let people_only: Vec<Change> = changes
        .iter()
        .filter(|c| matches!(c, Change::Hire { .. } | Change::Depart { .. }))
        .cloned()
        .collect();
    let team_delta = cost_changes(&basis, &people_only, &months)?;
    let base_costs = vec![basis.costs; months.len()];
    let scenario_costs: Vec<f64> = base_costs.iter().zip(&delta).map(|(c, d)| c + d).collect();
    let base_team = team_cost(&basis, &months, &vec![0.0; months.len()]);
    let scenario_team = team_cost(&basis, &months, &team_delta);
    let base_deals = basis.deals.clone();
    let basis = std::sync::Arc::new(basis);
    let shared = basis.clone();
    // Both are drawn together: a deal they share closes in the same runs of each, so the
    // difference between them is the changes'.
    let (baseline, scenario) = crate::heavy::forecast(move || {
        let a = &shared.assumptions;
        let base = Forecast::with_horizon(base_deals, shared.start, a.horizon_years);
        let changed = Forecast::with_horizon(deals, shared.start, a.horizon_years);
        let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
        let (base_runs, changed_runs) = base.paired_runs_on(&changed, &a.monte_carlo(), threads);
        (
            outcome(&shared, &base, &base_runs, base_costs, base_team),
            outcome(
                &shared,
                &changed,
                &changed_runs,
                scenario_costs,
                scenario_team,
            ),
        )
    })
    .await?;
    Ok(Evaluation {
        baseline,
        scenario,
        costs_note: basis.costs_note.clone(),
    })
}

/// A proposed hire, as finance enters it.
#[derive(Debug, Clone, PartialEq)]
pub struct HireInput {
    pub role: String,
    pub level: u8,
    pub step: u8,
    pub fte: f64,
    pub start: Month,
    pub end: Option<Month>,
    pub funding: Vec<(String, f64)>,
    pub payment: Option<f64>,
}

impl HireInput {
    /// The hire as a scenario's change.
    pub fn change(&self) -> Change {
        Change::Hire {
            role: self.role.clone(),
            level: self.level,
            step: self.step,
            fte: self.fte,
            start: self.start,
            end: self.end,
            funding: self.funding.clone(),
            payment: self.payment,
        }
    }
}

/// The answer to "can we hire?", in months and dollars.
#[derive(Debug, Clone, PartialEq)]
pub struct HireResult {
    pub input: HireInput,
    /// What the hire costs a month once it has started (its first whole month).
    pub monthly_cost: f64,
    pub confidence: f64,
    pub answer: HireAnswer,
    pub earliest_start: Option<Month>,
}

impl HireResult {
    /// The answer in words.
    pub fn text(&self) -> String {
        let percent = |x: f64| format!("{:.0}%", x * 100.0);
        let title = bearing_core::roles::title(&self.input.role, self.input.level);
        let mut out = format!(
            "{title} step {} at {} FTE from {} costs {}/month. Cash stays at or above zero for the 12 months after the start in {} of the runs with the hire, {} without; the bar is {}.",
            self.input.step,
            self.input.fte,
            self.input.start.words(),
            bearing_core::forecast::dollars(self.monthly_cost),
            percent(self.answer.with_hire),
            percent(self.answer.without_hire),
            percent(self.confidence)
        );
        if self.answer.affordable {
            out.push_str(" Yes: the organisation can afford it.");
        } else {
            out.push_str(" Not yet.");
            match self.earliest_start {
                Some(month) => out.push_str(&format!(
                    " The earliest start that meets the bar is {}.",
                    month.words()
                )),
                None => out.push_str(" No start in the next 24 months meets the bar."),
            }
            match self.answer.revenue_needed {
                Some(x) => out.push_str(&format!(
                    " To start in {}, {}/month more committed revenue would do it.",
                    self.input.start.words(),
                    bearing_core::forecast::dollars(x)
                )),
                None => out.push_str(
                    " No amount of new committed revenue up to $100,000,000 a month would do it.",
                ),
            }
        }
        out
    }
}

/// Can the organisation afford `input`? As of `today`: for finance.
pub async fn hire(
    store: &Store,
    ctx: &Context,
    input: HireInput,
    today: Date,
) -> Result<HireResult> {
    crate::books::require(ctx)?;
    if !(input.fte > 0.0 && input.fte <= 1.0) {
        return Err(AppError::invalid(
            "fte",
            "a share of full time above 0 and at most 1",
        ));
    }
    let basis = basis(store, today).await?;
    let start = usize::try_from(basis.start.until(input.start)).map_err(|_| {
        AppError::invalid(
            "start",
            format!(
                "{} is before the forecast starts ({})",
                input.start.words(),
                basis.start.words()
            ),
        )
    })?;
    let change = input.change();
    let a = &basis.assumptions;
    let forecast = Forecast::with_horizon(basis.deals.clone(), basis.start, a.horizon_years);
    let n = forecast.months.len();
    let end = input
        .end
        .map(|e| usize::try_from(basis.start.until(e) + 1).unwrap_or(0));
    let cost_month = input.start.plus(1).unwrap_or(input.start);
    let monthly_cost = hire_cost(&basis, &change, cost_month)?;
    let cash = Cash {
        net_assets: a.net_assets,
        costs: vec![basis.costs; n],
        fee: a.fsp_fee,
        extra: 0.0,
        extra_from: 0,
        horizon: (a.horizon_years * 12) as usize,
    };
    let confidence = a.hire_confidence;
    let mc = a.monte_carlo();
    let hire = Hire {
        monthly_cost,
        start,
        end,
    };
    let answer = crate::heavy::forecast(move || {
        let runs = forecast.runs(&mc);
        can_we_hire(&runs, &cash, &hire, confidence)
    })
    .await?;
    Ok(HireResult {
        earliest_start: answer
            .earliest_start
            .and_then(|s| basis.start.plus(i32::try_from(s).unwrap_or(i32::MAX))),
        input,
        monthly_cost,
        confidence,
        answer,
    })
}

fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", "a scenario needs a name"));
    }
    bearing_core::text::check(name, bearing_core::text::MAX_NAME)
        .map_err(|e| AppError::invalid("name", e))?;
    Ok(name.to_owned())
}

/// Saves a named set of changes: for finance.
pub async fn add(
    store: &Store,
    ctx: &Context,
    name: &str,
    description: Option<&str>,
    changes: Vec<Change>,
) -> Result<ScenarioRecord> {
    crate::books::require(ctx)?;
    let name = check_name(name)?;
    if changes.is_empty() {
        return Err(AppError::invalid(
            "changes",
            "a scenario needs at least one change",
        ));
    }
    let description = description.map(str::trim).filter(|d| !d.is_empty());
    if let Some(d) = description {
        bearing_core::text::check(d, bearing_core::text::MAX_TEXT)
            .map_err(|e| AppError::invalid("description", e))?;
    }
    if store
        .list_scenarios()
        .await?
        .iter()
        .any(|s| s.name.eq_ignore_ascii_case(&name))
    {
        return Err(AppError::Conflict(format!(
            "a scenario is named {name:?} already"
        )));
    }
    let at = ctx.now();
    let mut tx = store.begin().await?;
    let id = tx.insert_scenario(&name, description, &changes, at).await?;
    let lines: Vec<String> = changes.iter().map(ToString::to_string).collect();
    let after = serde_json::json!({ "name": name, "description": description, "changes": lines });
    audit(
        &mut tx,
        ctx,
        at,
        crate::Change::created(EntityKind::Scenario, id, &after),
    )
    .await?;
    tx.commit().await?;
    get(store, ctx, &id.to_string()).await
}

/// The saved scenarios, by name: for finance.
pub async fn list(store: &Store, ctx: &Context) -> Result<Vec<ScenarioRecord>> {
    crate::books::require(ctx)?;
    Ok(store.list_scenarios().await?)
}

/// One scenario, by id or name: for finance.
pub async fn get(store: &Store, ctx: &Context, key: &str) -> Result<ScenarioRecord> {
    crate::books::require(ctx)?;
    let key = key.trim();
    store
        .list_scenarios()
        .await?
        .into_iter()
        .find(|s| s.id.to_string() == key || s.name.eq_ignore_ascii_case(key))
        .ok_or_else(|| AppError::NotFound(format!("no scenario {key:?}")))
}

/// Deletes a scenario (it keeps its row and its history).
pub async fn delete(store: &Store, ctx: &Context, key: &str) -> Result<()> {
    let scenario = get(store, ctx, key).await?;
    let at = ctx.now();
    let mut tx = store.begin().await?;
    tx.delete_scenario(scenario.id, at).await?;
    let before = serde_json::json!({ "name": scenario.name });
    let after = serde_json::json!({ "name": scenario.name, "deleted": true });
    audit(
        &mut tx,
        ctx,
        at,
        crate::Change::deleted_or_restored(
            EntityKind::Scenario,
            scenario.id,
            true,
            &before,
            &after,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The saved scenarios as a table.
pub fn table(list: &[ScenarioRecord]) -> Table {
    let mut table = Table::new(["id", "name", "description", "changes"]);
    for s in list {
        let lines: Vec<String> = s.changes.iter().map(ToString::to_string).collect();
        table.push([
            Some(s.id.to_string()),
            Some(s.name.clone()),
            s.description.clone(),
            Some(lines.join("\n")),
        ]);
    }
    table
}

/// A scenario beside the baseline, as a table: each measure, baseline, scenario, change.
pub fn evaluation_table(e: &Evaluation) -> Table {
    let mut table = Table::new(["measure", "baseline", "scenario", "change"]);
    let dollars = bearing_core::forecast::dollars;
    let mut row = |measure: &str, base: String, scen: String, change: String| {
        table.push([
            Some(measure.to_owned()),
            Some(base),
            Some(scen),
            Some(change),
        ]);
    };
    let twelve = |v: &[f64]| v.iter().take(12).sum::<f64>();
    for (label, b, s) in [
        (
            "Committed, next 12 months",
            twelve(&e.baseline.committed),
            twelve(&e.scenario.committed),
        ),
        (
            "Estimated, next 12 months",
            twelve(&e.baseline.estimated),
            twelve(&e.scenario.estimated),
        ),
        (
            "Costs, next 12 months",
            twelve(&e.baseline.costs),
            twelve(&e.scenario.costs),
        ),
        (
            "Team cost a month",
            e.baseline.team_cost,
            e.scenario.team_cost,
        ),
    ] {
        row(label, dollars(b), dollars(s), dollars(s - b));
    }
    for (b, s) in e.baseline.health.iter().zip(&e.scenario.health) {
        row(
            b.name,
            format!("{} ({})", b.value, b.status.as_str()),
            format!("{} ({})", s.value, s.status.as_str()),
            String::new(),
        );
    }
    let months = |x: f64| format!("{x:.0} months");
    for (label, b, s) in [
        ("Runway P10", e.baseline.runway.p10, e.scenario.runway.p10),
        ("Runway P50", e.baseline.runway.p50, e.scenario.runway.p50),
        ("Runway P90", e.baseline.runway.p90, e.scenario.runway.p90),
    ] {
        row(label, months(b), months(s), format!("{:+.0}", s - b));
    }
    let percent = |x: f64| format!("{:.0}%", x * 100.0);
    row(
        "Cash ≥ 0 for 12 months",
        percent(e.baseline.runway.solvent_12),
        percent(e.scenario.runway.solvent_12),
        format!(
            "{:+.0} points",
            (e.scenario.runway.solvent_12 - e.baseline.runway.solvent_12) * 100.0
        ),
    );
    table
}
