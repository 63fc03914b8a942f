//! Roles, their ladders and the salary bands: readable by everyone (the organisation
//! publishes pay by role), changed by finance and admin.

use crate::access::Rule::Signed;
use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::Response;
use bearing_app::roles::RoleChange;
use bearing_app::{AppError, people};
use bearing_core::access::Permission;
use bearing_core::access::Permission::{EditPeople, Read};
use bearing_core::people::{Band, BandRules};
use bearing_core::{Currency, EntityKind};
use bearing_store::RoleRecord;

use super::crm::{HistoryEntry, history_of};
use super::home::today;
use super::{
    Cell, HtmlTable, Layout, PathId, Routes, answer, day, error_page, render, typed_number,
};
use crate::AppState;
use crate::auth::Caller;
use crate::error::path_id;
use crate::markdown::{self, Markup};

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/roles", Signed(Read), role_list)
        .post("/roles", Signed(EditPeople), add_role)
        .get("/roles/{id}", Signed(Read), role)
        .post("/roles/{id}", Signed(EditPeople), edit_role)
        .post("/bands", Signed(EditPeople), set_band)
        .post("/bands/generate", Signed(EditPeople), generate_bands)
        .post("/bands/cola", Signed(EditPeople), cost_of_living)
}

/// The bands in force of the ladders `keep` keeps, with amounts in dollars.
/// The bands in force of each ladder `keep` keeps, as a grid of level by step, each cell the
/// annual base; under it, since when and why (the note of the newest change).
fn bands_html(
    caption: &str,
    bands: &[bearing_core::people::Band],
    keep: impl Fn(&str) -> bool,
) -> Vec<HtmlTable> {
    let mut ladders: Vec<&str> = bands
        .iter()
        .filter(|b| keep(&b.ladder))
        .map(|b| b.ladder.as_str())
        .collect();
    ladders.sort_unstable();
    ladders.dedup();
    ladders
        .into_iter()
        .map(|ladder| {
            let of_ladder: Vec<&bearing_core::people::Band> =
                bands.iter().filter(|b| b.ladder == ladder).collect();
            let mut levels: Vec<u8> = of_ladder.iter().map(|b| b.level).collect();
            levels.sort_unstable();
            levels.dedup();
            let mut steps: Vec<u8> = of_ladder.iter().map(|b| b.step).collect();
            steps.sort_unstable();
            steps.dedup();
            let newest = of_ladder.iter().max_by_key(|b| b.effective_from);
            let mut columns = vec!["Title".to_owned()];
            columns.extend(steps.iter().map(|s| format!("Step {s}")));
            let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
            let mut html = HtmlTable::new(
                format!(
                    "{caption}: {ladder}{}",
                    newest.map_or_else(String::new, |b| format!(
                        ", in force from {}{}",
                        super::day_text(b.effective_from),
                        b.note
                            .as_ref()
                            .map(|n| format!(" ({n})"))
                            .unwrap_or_default()
                    ))
                ),
                &columns,
            )
            .numeric_columns(&(1..=steps.len()).collect::<Vec<_>>());
            html.rows = levels
                .iter()
                .map(|&level| {
                    std::iter::once(Cell::text(bearing_core::roles::title(ladder, level)))
                        .chain(steps.iter().map(|&step| {
                            Cell::number(
                                of_ladder
                                    .iter()
                                    .find(|b| b.level == level && b.step == step)
                                    .map(|b| super::minor_dollars(Some(b.annual_base)))
                                    .unwrap_or_default(),
                            )
                        }))
                        .collect()
                })
                .collect();
            html
        })
        .collect()
}

/// The forms of the roles page, as typed.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub(crate) struct NewRoleForm {
    name: String,
    area: String,
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(default)]
pub(crate) struct GenerateForm {
    ladder: String,
    benchmark: String,
    reference_level: String,
    reference_step: String,
    levels: String,
    steps: String,
    from: String,
}

impl Default for GenerateForm {
    fn default() -> Self {
        GenerateForm {
            ladder: String::new(),
            benchmark: String::new(),
            reference_level: "2".into(),
            reference_step: "1".into(),
            levels: "4".into(),
            steps: "5".into(),
            from: today().to_string(),
        }
    }
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(default)]
pub(crate) struct ColaForm {
    percent: String,
    from: String,
}

impl Default for ColaForm {
    fn default() -> Self {
        ColaForm {
            percent: String::new(),
            from: today().to_string(),
        }
    }
}

#[derive(Debug, Clone, serde::Deserialize)]
#[serde(default)]
pub(crate) struct BandForm {
    ladder: String,
    level: String,
    step: String,
    annual_base: String,
    from: String,
    note: String,
}

impl Default for BandForm {
    fn default() -> Self {
        BandForm {
            ladder: String::new(),
            level: String::new(),
            step: "1".into(),
            annual_base: String::new(),
            from: today().to_string(),
            note: String::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "roles.html")]
struct RolesPage {
    layout: Layout,
    intro: String,
    tables: Vec<HtmlTable>,
    errors: Vec<String>,
    can_edit: bool,
    areas: Vec<String>,
    ladders: Vec<String>,
    new_role: NewRoleForm,
    generate: GenerateForm,
    cola: ColaForm,
    band: BandForm,
}

/// Forms as typed, for the page shown again after one of them was refused.
#[derive(Default)]
struct Typed {
    new_role: Option<NewRoleForm>,
    generate: Option<GenerateForm>,
    cola: Option<ColaForm>,
    band: Option<BandForm>,
}

/// Every ladder: each role's own name and the ladders roles share.
fn ladders(roles: &[RoleRecord]) -> Vec<String> {
    let mut all: Vec<String> = roles
        .iter()
        .flat_map(|r| [r.text.name.clone(), r.ladder().to_owned()])
        .collect();
    all.sort();
    all.dedup();
    all
}

async fn role_list(State(state): State<AppState>, caller: Caller) -> Response {
    roles_page(
        &state,
        &caller,
        StatusCode::OK,
        Vec::new(),
        Typed::default(),
    )
    .await
}

async fn roles_page(
    state: &AppState,
    caller: &Caller,
    status: StatusCode,
    errors: Vec<String>,
    typed: Typed,
) -> Response {
    let page = async {
        let list = state.store.list_roles().await?;
        let areas = state.store.list_areas().await?;
        let area_of = |id: Option<bearing_core::AreaId>| {
            id.and_then(|a| areas.iter().find(|x| x.id == a))
                .map(|a| a.name.clone())
                .unwrap_or_default()
        };
        let mut roles_table =
            HtmlTable::new("Roles", &["Role", "Area", "Paid by the ladder", "Key goal"]);
        for r in &list {
            roles_table.rows.push(vec![
                Cell::link(r.text.name.clone(), format!("/roles/{}", r.id)),
                Cell::text(area_of(r.area_id)),
                Cell::text(r.ladder()),
                Cell::text(r.text.key_goal.clone().unwrap_or_default()),
            ]);
        }
        let bands = bands_html(
            "Annual base by level and step",
            &people::bands_in_force(&state.store, today()).await?,
            |_| true,
        );
        Ok::<_, AppError>(RolesPage {
            layout: Layout::new("Roles and levels", caller, "/roles"),
            intro: format!(
                "{} roles. A title is the role and its level, e.g. \"{}\"; levels are large jumps in scope, steps small increments within a level. Roles that share bands are paid by one ladder.",
                list.len(),
                bearing_core::roles::title(list.first().map_or("Engineer", |r| r.text.name.as_str()), 2)
            ),
            tables: std::iter::once(roles_table).chain(bands).collect(),
            errors,
            can_edit: caller.may(Permission::EditPeople),
            areas: areas.iter().map(|a| a.name.clone()).collect(),
            ladders: ladders(&list),
            new_role: typed.new_role.unwrap_or_default(),
            generate: typed.generate.unwrap_or_default(),
            cola: typed.cola.unwrap_or_default(),
            band: typed.band.unwrap_or_default(),
        })
    }
    .await;
    match page {
        Ok(page) => render(status, &page),
        Err(error) => error_page(caller, error),
    }
}

async fn add_role(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<NewRoleForm>,
) -> Response {
    let area = Some(form.area.trim()).filter(|a| !a.is_empty());
    let saved = bearing_app::roles::add(&state.store, &caller.ctx(), &form.name, area)
        .await
        .map(|r| format!("/roles/{}", r.id));
    answer(
        &caller,
        saved,
        "The role was not added",
        |status, errors| {
            let typed = Typed {
                new_role: Some(form),
                ..Typed::default()
            };
            roles_page(&state, &caller, status, errors, typed)
        },
    )
    .await
}

async fn generate_bands(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<GenerateForm>,
) -> Response {
    let saved = async {
        let bands = people::generated_bands(
            form.ladder.trim(),
            typed_number("benchmark", &form.benchmark.replace(',', ""))?,
            (
                typed_number("reference_level", &form.reference_level)?,
                typed_number("reference_step", &form.reference_step)?,
            ),
            typed_number("levels", &form.levels)?,
            typed_number("steps", &form.steps)?,
            day("from", &form.from)?.unwrap_or_else(today),
            &BandRules::default(),
        )?;
        people::set_generated_bands(&state.store, &caller.ctx(), &bands).await?;
        Ok("/roles".to_owned())
    }
    .await;
    answer(
        &caller,
        saved,
        "The bands were not generated",
        |status, errors| {
            let typed = Typed {
                generate: Some(form),
                ..Typed::default()
            };
            roles_page(&state, &caller, status, errors, typed)
        },
    )
    .await
}

async fn cost_of_living(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<ColaForm>,
) -> Response {
    let saved = async {
        people::cost_of_living(
            &state.store,
            &caller.ctx(),
            typed_number("percent", form.percent.trim().trim_end_matches('%'))?,
            day("from", &form.from)?.unwrap_or_else(today),
        )
        .await?;
        Ok("/roles".to_owned())
    }
    .await;
    answer(
        &caller,
        saved,
        "The bands were not adjusted",
        |status, errors| {
            let typed = Typed {
                cola: Some(form),
                ..Typed::default()
            };
            roles_page(&state, &caller, status, errors, typed)
        },
    )
    .await
}

async fn set_band(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<BandForm>,
) -> Response {
    let saved = async {
        let band = Band {
            ladder: form.ladder.trim().to_owned(),
            level: typed_number("level", &form.level)?,
            step: typed_number("step", &form.step)?,
            annual_base: crate::api::types::money(
                "annual_base",
                &Some(form.annual_base.clone()),
                Currency::default(),
            )?
            .ok_or_else(|| AppError::invalid("annual_base", "is required"))?,
            effective_from: day("from", &form.from)?.unwrap_or_else(today),
            note: Some(form.note.trim().to_owned()).filter(|n| !n.is_empty()),
        };
        people::set_bands(&state.store, &caller.ctx(), &[band]).await?;
        Ok("/roles".to_owned())
    }
    .await;
    answer(&caller, saved, "The band was not set", |status, errors| {
        let typed = Typed {
            band: Some(form),
            ..Typed::default()
        };
        roles_page(&state, &caller, status, errors, typed)
    })
    .await
}

/// The role form's fields, as typed. Notes are separated by a line of `---`; comparable
/// titles are one to a line.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub(crate) struct RoleForm {
    area: String,
    ladder: String,
    description: String,
    notes: String,
    key_goal: String,
    responsibilities: String,
    performance_measures: String,
    salary_rationale: String,
    comparable_titles: String,
}

impl RoleForm {
    fn of(change: RoleChange) -> Self {
        let text = |s: Option<String>| s.unwrap_or_default();
        RoleForm {
            area: text(change.area),
            ladder: text(change.ladder),
            description: change.description,
            notes: change.notes.join("\n---\n"),
            key_goal: text(change.key_goal),
            responsibilities: text(change.responsibilities),
            performance_measures: text(change.performance_measures),
            salary_rationale: text(change.salary_rationale),
            comparable_titles: change.comparable_titles.join("\n"),
        }
    }

    fn change(&self) -> RoleChange {
        let text = |s: &str| Some(s.replace("\r\n", "\n")).filter(|s| !s.trim().is_empty());
        let mut notes = vec![String::new()];
        for line in self.notes.replace("\r\n", "\n").lines() {
            if line.trim() == "---" {
                notes.push(String::new());
            } else if let Some(last) = notes.last_mut() {
                if !last.is_empty() {
                    last.push('\n');
                }
                last.push_str(line);
            }
        }
        RoleChange {
            area: text(&self.area),
            ladder: text(&self.ladder),
            description: self.description.replace("\r\n", "\n"),
            notes,
            key_goal: text(&self.key_goal),
            responsibilities: text(&self.responsibilities),
            performance_measures: text(&self.performance_measures),
            salary_rationale: text(&self.salary_rationale),
            comparable_titles: self.comparable_titles.lines().map(str::to_owned).collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "role.html")]
struct RolePage {
    layout: Layout,
    id: i64,
    fields: Vec<(String, String)>,
    description: Markup,
    notes: Vec<Markup>,
    /// The role's parts as its page has them: heading and text.
    sections: Vec<(String, Markup)>,
    tables: Vec<HtmlTable>,
    errors: Vec<String>,
    can_edit: bool,
    form: RoleForm,
    areas: Vec<String>,
    ladders: Vec<String>,
    history: Vec<HistoryEntry>,
}

async fn role(State(state): State<AppState>, caller: Caller, PathId(id): PathId) -> Response {
    role_page(&state, &caller, id, StatusCode::OK, Vec::new(), None).await
}

async fn edit_role(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    Form(form): Form<RoleForm>,
) -> Response {
    let saved = async {
        let role = path_id("role", id)?;
        bearing_app::roles::edit(&state.store, &caller.ctx(), role, form.change()).await
    }
    .await
    .map(|_| format!("/roles/{id}"));
    answer(
        &caller,
        saved,
        "The role was not changed",
        |status, errors| role_page(&state, &caller, id, status, errors, Some(form)),
    )
    .await
}

async fn role_page(
    state: &AppState,
    caller: &Caller,
    id: i64,
    status: StatusCode,
    errors: Vec<String>,
    form: Option<RoleForm>,
) -> Response {
    let page = async {
        let roles = state.store.list_roles().await?;
        let found = roles
            .iter()
            .find(|r| r.id.get() == id)
            .ok_or_else(|| AppError::NotFound(format!("no role with id {id}")))?;
        let areas = state.store.list_areas().await?;
        let change = RoleChange::of(found, &areas);
        let t = &found.text;
        let mut fields = vec![
            (
                "Area".to_owned(),
                change.area.clone().unwrap_or_else(|| "none".to_owned()),
            ),
            ("Paid by the ladder".to_owned(), found.ladder().to_owned()),
        ];
        if let Some(revisit) = t.revisit {
            fields.push(("Revisit by".to_owned(), revisit.to_string()));
        }
        let sharing: Vec<&str> = roles
            .iter()
            .filter(|r| r.id != found.id && r.ladder() == found.ladder())
            .map(|r| r.text.name.as_str())
            .collect();
        if !sharing.is_empty() {
            fields.push(("Shares its bands with".to_owned(), sharing.join(", ")));
        }
        let sections = role_sections(t);
        let bands = bands_html(
            "Bands of the ladder, annual base by level and step",
            &people::bands_in_force(&state.store, today()).await?,
            |ladder| ladder == found.ladder(),
        );
        let mut holders = HtmlTable::new("Who holds it today", &["Person", "Title", "Description"]);
        for p in people::directory(&state.store, &caller.ctx(), today()).await? {
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
        Ok::<_, AppError>(RolePage {
            layout: Layout::new(t.name.clone(), caller, "/roles"),
            id,
            fields,
            description: markdown::to_html(&t.description),
            notes: t.notes.iter().map(|n| markdown::to_html(n)).collect(),
            sections,
            tables: bands.into_iter().chain([holders]).collect(),
            errors,
            can_edit: caller.may(Permission::EditPeople),
            form: form.unwrap_or_else(|| RoleForm::of(change)),
            areas: areas.iter().map(|a| a.name.clone()).collect(),
            ladders: ladders(&roles),
            history: history_of(state, &caller.ctx(), EntityKind::Role, &id.to_string()).await?,
        })
    }
    .await;
    match page {
        Ok(page) => render(status, &page),
        Err(error) => error_page(caller, error),
    }
}

/// A role's parts in the order of the job-titles page, those with text only.
fn role_sections(t: &bearing_core::roles::RoleText) -> Vec<(String, Markup)> {
    let titles = (!t.comparable_titles.is_empty()).then(|| {
        t.comparable_titles
            .iter()
            .map(|title| format!("- {title}\n"))
            .collect::<String>()
    });
    [
        ("Key goal", &t.key_goal),
        ("Responsibilities and expectations", &t.responsibilities),
        ("Performance measures", &t.performance_measures),
        ("Salary rationale", &t.salary_rationale),
        ("Comparable titles", &titles),
    ]
    .into_iter()
    .filter_map(|(title, body)| Some((title.to_owned(), markdown::to_html(body.as_deref()?))))
    .chain(
        t.extra
            .iter()
            .map(|s| (s.title.clone(), markdown::to_html(&s.body))),
    )
    .filter(|(_, html)| !html.is_empty())
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_form_gives_back_what_it_shows_as_a_browser_sends_it() {
        let change = RoleChange {
            area: Some("Engineering".into()),
            ladder: Some("Engineer".into()),
            description: "Runs hubs.\n\nAnd keeps them running.".into(),
            notes: vec![
                "An experiment.".into(),
                "Two lines,\nrevisit by 2027-03.".into(),
            ],
            key_goal: Some("Reliable hubs.".into()),
            responsibilities: Some("- Operate\n- Automate".into()),
            performance_measures: None,
            salary_rationale: None,
            comparable_titles: vec!["Site Reliability Engineer".into(), "DevOps Engineer".into()],
        };
        let shown = RoleForm::of(change.clone());
        // Browsers send a textarea's lines ended by CR LF.
        let crlf = |s: &str| s.replace('\n', "\r\n");
        let sent = RoleForm {
            description: crlf(&shown.description),
            notes: crlf(&shown.notes),
            responsibilities: crlf(&shown.responsibilities),
            comparable_titles: crlf(&shown.comparable_titles),
            ..shown
        };
        assert_eq!(sent.change(), change);
    }
}
