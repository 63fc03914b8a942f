//! People and their assignments, and what the team costs. Names and titles are for everyone;
//! an individual's step, time, pay and funding only for finance, admin and that person;
//! changing people and assignments, and the team's cost, for finance.

use crate::access::Rule::Signed;
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use bearing_app::AppError;
use bearing_app::people;
use bearing_core::access::Permission;
use bearing_core::access::Permission::{EditPeople, Read, ReadPay};
use bearing_core::people::{AssignmentFields, CostRates, PersonFields, PersonKind};
use bearing_core::{Currency, EntityKind, Money};
use bearing_core::{Month, forecast::dollars};

use super::crm::{HistoryEntry, history_of};
use super::home::today;
use super::reports::transposed;
use super::{
    Cell, ChartPair, HtmlTable, Layout, PathId, Routes, answer, day, error_page, ok, render,
    typed_number,
};
use crate::AppState;
use crate::auth::Caller;
use crate::charts::{self, Series};
use crate::error::path_id;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/people", Signed(Read), person_list)
        .post("/people", Signed(EditPeople), add_person)
        .get("/people/{id}", Signed(Read), person)
        .post("/people/{id}", Signed(EditPeople), edit_person)
        .post("/people/{id}/assignments", Signed(EditPeople), assign)
        .post("/people/{id}/delete", Signed(EditPeople), delete_person)
        .get("/assignments/{id}", Signed(ReadPay), assignment)
        .post("/assignments/{id}", Signed(EditPeople), edit_assignment)
        .post(
            "/assignments/{id}/delete",
            Signed(EditPeople),
            delete_assignment,
        )
        .get("/team", Signed(ReadPay), team)
}

fn optional(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

/// The person form's fields, as typed.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub(crate) struct PersonForm {
    name: String,
    kind: String,
    email: String,
    github: String,
    renewal: String,
}

impl PersonForm {
    fn of(f: &PersonFields) -> Self {
        let text = |s: &Option<String>| s.clone().unwrap_or_default();
        PersonForm {
            name: f.name.clone(),
            kind: f.kind.to_string(),
            email: text(&f.email),
            github: text(&f.github),
            renewal: text(&f.renewal),
        }
    }

    fn fields(&self) -> Result<PersonFields, AppError> {
        Ok(PersonFields {
            name: self.name.trim().to_owned(),
            kind: self
                .kind
                .parse::<PersonKind>()
                .map_err(|e| AppError::invalid("kind", e.reason))?,
            email: optional(&self.email),
            github: optional(&self.github),
            renewal: optional(&self.renewal),
        })
    }
}

/// The assignment form's fields, as typed.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(default)]
pub(crate) struct AssignmentForm {
    role: String,
    level: String,
    step: String,
    fte: String,
    start: String,
    end: String,
    monthly_payment: String,
    description: String,
    /// `G-1=0.6, G-2=0.4`
    funding: String,
}

impl Default for AssignmentForm {
    fn default() -> Self {
        AssignmentForm {
            role: String::new(),
            level: String::new(),
            step: "1".into(),
            fte: "1".into(),
            start: today().to_string(),
            end: String::new(),
            monthly_payment: String::new(),
            description: String::new(),
            funding: String::new(),
        }
    }
}

impl AssignmentForm {
    fn of(f: &AssignmentFields) -> Self {
        AssignmentForm {
            role: f.role.clone(),
            level: f.level.to_string(),
            step: f.step.to_string(),
            fte: f.fte.to_string(),
            start: f.start.to_string(),
            end: f.end.map(|e| e.to_string()).unwrap_or_default(),
            monthly_payment: f
                .monthly_payment
                .map(|m| Money::from_minor(m, Currency::default()).decimal())
                .unwrap_or_default(),
            description: f.description.clone().unwrap_or_default(),
            funding: bearing_core::people::funding_text(&f.funding),
        }
    }

    fn fields(&self) -> Result<AssignmentFields, AppError> {
        Ok(AssignmentFields {
            role: self.role.trim().to_owned(),
            level: typed_number("level", &self.level)?,
            step: typed_number("step", &self.step)?,
            fte: typed_number("fte", &self.fte)?,
            start: day("start", &self.start)?
                .ok_or_else(|| AppError::invalid("start", "is required"))?,
            end: day("end", &self.end)?,
            monthly_payment: crate::api::types::money(
                "monthly_payment",
                &Some(self.monthly_payment.clone()),
                Currency::default(),
            )?,
            description: optional(&self.description),
            funding: bearing_core::people::parse_funding(&self.funding)
                .map_err(|message| AppError::invalid("funding", message))?,
        })
    }
}

async fn role_names(state: &AppState) -> Result<Vec<String>, AppError> {
    Ok(state
        .store
        .list_roles()
        .await?
        .into_iter()
        .map(|r| r.text.name)
        .collect())
}

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage {
    layout: Layout,
    /// No one yet: the person form adds.
    id: i64,
    intro: String,
    tables: Vec<HtmlTable>,
    errors: Vec<String>,
    can_edit: bool,
    form: PersonForm,
}

async fn person_list(State(state): State<AppState>, caller: Caller) -> Response {
    people_page(&state, &caller, StatusCode::OK, Vec::new(), None).await
}

async fn people_page(
    state: &AppState,
    caller: &Caller,
    status: StatusCode,
    errors: Vec<String>,
    form: Option<PersonForm>,
) -> Response {
    let page = async {
        let list = people::directory(&state.store, &caller.ctx(), today()).await?;
        let mut table = HtmlTable::new("People", &["Name", "Kind", "Titles today", "Renewal"]);
        for p in &list {
            let titles: Vec<String> = p
                .assignments
                .iter()
                .filter(|a| a.start <= today() && a.end.is_none_or(|e| e >= today()))
                .map(|a| a.title.clone())
                .collect();
            // Someone whose assignments have all ended is former staff, said with when.
            let left = p
                .assignments
                .iter()
                .map(|a| a.end)
                .try_fold(None, |latest: Option<bearing_core::Date>, end| {
                    end.filter(|e| *e < today()).map(|e| latest.max(Some(e)))
                })
                .flatten();
            let name = match left {
                Some(day) if titles.is_empty() => {
                    format!("{} (former staff, left {})", p.name, super::day_text(day))
                }
                _ => p.name.clone(),
            };
            table.rows.push(vec![
                Cell::link(name, format!("/people/{}", p.id)),
                Cell::text(p.kind.to_string()),
                Cell::text(titles.join(", ")),
                Cell::text(p.renewal.clone().unwrap_or_default()),
            ]);
        }
        Ok::<_, AppError>(PeoplePage {
            layout: Layout::new("People", caller, "/people"),
            id: 0,
            intro: format!(
                "{} people. Pay is shown to finance, admin and each person on their own page.",
                list.len()
            ),
            tables: vec![table],
            errors,
            can_edit: caller.may(Permission::EditPeople),
            form: form.unwrap_or_else(|| PersonForm {
                kind: "employee".into(),
                renewal: "07-01".into(),
                ..PersonForm::default()
            }),
        })
    }
    .await;
    match page {
        Ok(page) => render(status, &page),
        Err(error) => error_page(caller, error),
    }
}

async fn add_person(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<PersonForm>,
) -> Response {
    let saved = async {
        let created = people::add_person(&state.store, &caller.ctx(), form.fields()?).await?;
        Ok(format!("/people/{}", created.id))
    }
    .await;
    answer(
        &caller,
        saved,
        "The person was not added",
        |status, errors| people_page(&state, &caller, status, errors, Some(form)),
    )
    .await
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    layout: Layout,
    id: i64,
    fields: Vec<(String, String)>,
    tables: Vec<HtmlTable>,
    errors: Vec<String>,
    can_edit: bool,
    form: PersonForm,
    assignment: AssignmentForm,
    assign_action: String,
    /// Finance may delete a person entered by mistake while they hold no assignment.
    can_delete: bool,
    roles: Vec<String>,
    history: Vec<HistoryEntry>,
}

async fn person(State(state): State<AppState>, caller: Caller, PathId(id): PathId) -> Response {
    person_page(
        &state,
        &caller,
        id,
        StatusCode::OK,
        Vec::new(),
        (None, None),
    )
    .await
}

async fn person_page(
    state: &AppState,
    caller: &Caller,
    id: i64,
    status: StatusCode,
    errors: Vec<String>,
    (form, assignment): (Option<PersonForm>, Option<AssignmentForm>),
) -> Response {
    let page = async {
        let found = people::directory(&state.store, &caller.ctx(), today())
            .await?
            .into_iter()
            .find(|p| p.id.get() == id)
            .ok_or_else(|| AppError::NotFound(format!("no person with id {id}")))?;
        let can_edit = caller.may(Permission::EditPeople);
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
        if can_edit {
            columns.push("Change");
        }
        let mut table = HtmlTable::new(format!("Assignments of {}", found.name), &columns);
        if found.pay_visible {
            table = table.numeric_columns(&[4, 5, 6, 7, 8]);
        }
        for a in &found.assignments {
            let mut row = vec![
                Cell::text(a.title.clone()),
                Cell::when(super::day_text(a.start)),
                Cell::when(super::day_or_empty(a.end)),
                Cell::text(a.description.clone().unwrap_or_default()),
            ];
            if let Some(pay) = &a.pay {
                row.extend([
                    Cell::number(pay.step.to_string()),
                    Cell::number(pay.fte.to_string()),
                    Cell::number(super::minor_dollars(pay.annual_base)),
                    Cell::number(super::minor_dollars(pay.annual_pay)),
                    Cell::number(super::minor_dollars(pay.monthly_payment)),
                    Cell::text(
                        pay.funding
                            .iter()
                            .map(|(c, s)| format!("{c} {}%", (s * 100.0).round()))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                ]);
            }
            if can_edit {
                row.push(Cell::link(
                    format!("Edit {}", a.title),
                    format!("/assignments/{}", a.id),
                ));
            }
            table.rows.push(row);
        }
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let fields = PersonFields {
            name: found.name.clone(),
            email: found.email.clone(),
            github: found.github.clone(),
            kind: found.kind,
            renewal: found.renewal.clone(),
        };
        Ok::<_, AppError>(PersonPage {
            layout: Layout::new(found.name.clone(), caller, "/people"),
            id,
            fields: vec![
                ("Email".into(), text(&found.email)),
                ("GitHub".into(), text(&found.github)),
                ("Kind".into(), found.kind.to_string()),
                ("Yearly renewal".into(), text(&found.renewal)),
            ],
            tables: vec![table],
            errors,
            can_edit,
            form: form.unwrap_or_else(|| PersonForm::of(&fields)),
            assignment: assignment.unwrap_or_default(),
            assign_action: format!("/people/{id}/assignments"),
            can_delete: can_edit && found.assignments.is_empty(),
            roles: role_names(state).await?,
            history: history_of(state, &caller.ctx(), EntityKind::Person, &id.to_string()).await?,
        })
    }
    .await;
    match page {
        Ok(page) => render(status, &page),
        Err(error) => error_page(caller, error),
    }
}

async fn edit_person(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    Form(form): Form<PersonForm>,
) -> Response {
    let saved = async {
        let patch = people::PersonPatch::replace(form.fields()?);
        let person = path_id("person", id)?;
        people::edit_person(&state.store, &caller.ctx(), person, patch).await?;
        Ok(format!("/people/{id}"))
    }
    .await;
    answer(
        &caller,
        saved,
        "The person was not changed",
        |status, errors| person_page(&state, &caller, id, status, errors, (Some(form), None)),
    )
    .await
}

async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    Form(form): Form<AssignmentForm>,
) -> Response {
    let saved = async {
        let person = path_id("person", id)?;
        people::assign(&state.store, &caller.ctx(), person, form.fields()?).await?;
        Ok(format!("/people/{id}"))
    }
    .await;
    answer(
        &caller,
        saved,
        "The assignment was not made",
        |status, errors| person_page(&state, &caller, id, status, errors, (None, Some(form))),
    )
    .await
}

#[derive(Template)]
#[template(path = "assignment.html")]
struct AssignmentPage {
    layout: Layout,
    action: String,
    delete_action: String,
    person_id: bearing_core::PersonId,
    person: String,
    errors: Vec<String>,
    form: AssignmentForm,
    roles: Vec<String>,
    history: Vec<HistoryEntry>,
}

async fn assignment(State(state): State<AppState>, caller: Caller, PathId(id): PathId) -> Response {
    assignment_page(&state, &caller, id, StatusCode::OK, Vec::new(), None).await
}

async fn assignment_page(
    state: &AppState,
    caller: &Caller,
    id: i64,
    status: StatusCode,
    errors: Vec<String>,
    form: Option<AssignmentForm>,
) -> Response {
    let page = async {
        let found =
            people::find_assignment(&state.store, &caller.ctx(), path_id("assignment", id)?)
                .await?;
        Ok::<_, AppError>(AssignmentPage {
            layout: Layout::new(
                format!(
                    "{}: {}",
                    found.person,
                    bearing_core::roles::title(&found.fields.role, found.fields.level)
                ),
                caller,
                "/people",
            ),
            action: format!("/assignments/{id}"),
            delete_action: format!("/assignments/{id}/delete"),
            person_id: found.person_id,
            person: found.person.clone(),
            errors,
            form: form.unwrap_or_else(|| AssignmentForm::of(&found.fields)),
            roles: role_names(state).await?,
            history: history_of(
                state,
                &caller.ctx(),
                EntityKind::Assignment,
                &id.to_string(),
            )
            .await?,
        })
    }
    .await;
    match page {
        Ok(page) => render(status, &page),
        Err(error) => error_page(caller, error),
    }
}

async fn edit_assignment(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    Form(form): Form<AssignmentForm>,
) -> Response {
    let saved = async {
        let fields = form.fields()?;
        let patch = people::AssignmentPatch::replace(fields);
        let assignment = path_id("assignment", id)?;
        let edited =
            people::edit_assignment(&state.store, &caller.ctx(), assignment, patch).await?;
        Ok(format!("/people/{}", edited.person_id))
    }
    .await;
    answer(
        &caller,
        saved,
        "The assignment was not changed",
        |status, errors| assignment_page(&state, &caller, id, status, errors, Some(form)),
    )
    .await
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
        if !caller.may(Permission::EditPeople) {
            return Err(AppError::Forbidden("the team's cost is for finance".into()));
        }
        let now = Month::of(today());
        let months: Vec<Month> = (-12..12).filter_map(|i| now.plus(i)).collect();
        let lines = people::team_cost(&state.store, &caller.ctx(), &months, &CostRates::default()).await?;
        let labels: Vec<String> = months.iter().copied().map(super::month_text).collect();
        let series: Vec<Series> = people::cost_by_area(&lines, &months)
            .into_iter()
            .map(|(area, values)| Series::new(area, values))
            .collect();
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
        let number = |text: &Option<String>| -> Result<Option<f64>, AppError> {
            match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                None => Ok(None),
                Some(t) => t.replace(',', "").parse::<f64>().map(Some).map_err(|_| {
                    AppError::invalid("rate calculator", format!("{t:?} is not a number"))
                }),
            }
        };
        let input = people::RateInput {
            cost: number(&q.cost)?,
            hours: number(&q.hours)?,
            fee: number(&q.fee)?,
            margin: number(&q.margin)?,
        };
        let mut calculator = HtmlTable::new(
            "Blended hourly rate = burdened cost ÷ billable hours × (1 + FSP fee) × (1 + margin)",
            &["Burdened annual cost", "Billable hours", "FSP fee", "Margin", "Hourly rate"],
        )
        .numeric_columns(&[0, 1, 2, 3, 4]);
        // Without a fee, the assumptions' is used, for those who may read them; others are
        // asked for one.
        let (cost, hours, fee, margin) = match people::rate(&state.store, &caller.ctx(), input, today()).await {
            Ok(rate) => {
                calculator.rows.push(vec![
                    Cell::number(dollars(rate.cost)),
                    Cell::number(format!("{:.0}", rate.hours)),
                    Cell::number(format!("{:.1}%", rate.fee * 100.0)),
                    Cell::number(format!("{:.1}%", rate.margin * 100.0)),
                    Cell::number(format!("${:.2}", rate.hourly_rate)),
                ]);
                (rate.cost.to_string(), rate.hours.to_string(), rate.fee.to_string(), rate.margin.to_string())
            }
            Err(AppError::Invalid { field, message }) if field == "fee" => {
                calculator.rows.push(vec![Cell::text(message), Cell::text(""), Cell::text(""), Cell::text(""), Cell::text("")]);
                let given = |text: &Option<String>, default: f64| text.clone().unwrap_or_else(|| default.to_string());
                (given(&q.cost, people::DEFAULT_COST), given(&q.hours, people::DEFAULT_HOURS), String::new(), given(&q.margin, people::DEFAULT_MARGIN))
            }
            Err(error) => return Err(error),
        };
        // The balancing rule weighs costs (cash) against revenue: for those who see cash.
        let rule = if caller.may(Permission::ReadCash) {
            let (_, assumptions) = bearing_app::assumptions::current(&state.store, today()).await?;
            Some(balance_table(&people::balance(&state.store, &caller.ctx(), &assumptions, today()).await?))
        } else {
            None
        };
        let intro = if lines.is_empty() {
            "No one is assigned in these months: add people and their assignments (`bearing person add`, `bearing person assign`) and the salary bands (`bearing band generate`).".to_owned()
        } else {
            format!(
                "What the people cost, from {} to {}. The dashboard's scorecard and the forecast weigh the monthly costs stated in the balancing rule below, which may include more than the people.",
                labels.first().cloned().unwrap_or_default(),
                labels.last().cloned().unwrap_or_default()
            )
        };
        Ok(TeamPage {
            layout: Layout::new("Team cost", &caller, "/team"),
            intro,
            pairs: if lines.is_empty() { Vec::new() } else { vec![pair] },
            calculator,
            rule,
            cost,
            hours,
            fee,
            margin,
        })
    }
    .await;
    match page {
        Ok(page) => ok(&page),
        Err(error) => error_page(&caller, error),
    }
}

/// The balancing rule's numbers as the team page shows them.
fn balance_table(b: &people::BalanceView) -> HtmlTable {
    let yes_no = |ok: bool| if ok { "yes" } else { "no" };
    let mut rule = HtmlTable::new(
        format!(
            "Balancing rule in {}: costs ≤ amount sold ≤ delivery capacity",
            b.month
        ),
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
    rule
}

#[derive(askama::Template)]
#[template(path = "team.html")]
struct TeamPage {
    layout: Layout,
    intro: String,
    pairs: Vec<ChartPair>,
    calculator: HtmlTable,
    rule: Option<HtmlTable>,
    cost: String,
    hours: String,
    fee: String,
    margin: String,
}

async fn delete_person(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> Response {
    let saved =
        async { people::delete_person(&state.store, &caller.ctx(), path_id("person", id)?).await }
            .await
            .map(|_| "/people".to_owned());
    answer(
        &caller,
        saved,
        "The person was not deleted",
        |status, errors| person_page(&state, &caller, id, status, errors, (None, None)),
    )
    .await
}

async fn delete_assignment(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> Response {
    let saved = async {
        people::delete_assignment(&state.store, &caller.ctx(), path_id("assignment", id)?).await
    }
    .await
    .map(|gone| format!("/people/{}", gone.person_id));
    answer(
        &caller,
        saved,
        "The assignment was not deleted",
        |status, errors| assignment_page(&state, &caller, id, status, errors, None),
    )
    .await
}
