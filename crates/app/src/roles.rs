//! Roles and areas: reading the organisation's role pages in, and publishing them again.
//!
//! The job-titles page's roles become role records (in page order) and its other sections
//! are kept as the `job-titles` document, in their place among the roles. An area's page
//! updates every area its context lists (name and description) and keeps the page itself on
//! the area it is about. Publishing writes the pages back from the records: the job-titles
//! page with every role, and a page for each area that has one.

use std::collections::HashMap;

use bearing_core::roles::{
    AreaPage, AreaSection, Item, RoleText, Section, TitlesPage, TitlesSection,
};
use bearing_core::{AreaId, DataPart, EntityKind, PersonId, RoleId};
use bearing_formats::Table;
use bearing_formats::myst::{self, Page};
use bearing_store::{AreaRecord, RoleRecord, Store, Tx};

use crate::patch::{self, ClearError, Edit};
use crate::{AppError, Change, ChangeLog, Context, Result};
use bearing_core::access::Permission;

/// The document that keeps the job-titles page's own parts.
pub const TITLES_DOCUMENT: &str = "job-titles";

/// The job-titles page's own parts, and where the roles go among them.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct TitlesDocument {
    title: String,
    preamble: String,
    order: Vec<Placed>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum Placed {
    Role(String),
    Section(Section),
}

/// What an import did, or (dry run) would do.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RolesPlan {
    pub file: String,
    /// The area an area's page is about.
    pub area: Option<String>,
    pub new_roles: Vec<String>,
    pub changed_roles: Vec<String>,
    pub unchanged_roles: usize,
    pub new_areas: Vec<String>,
    pub changed_areas: Vec<String>,
    pub unchanged_areas: usize,
}

impl RolesPlan {
    pub fn summary(&self) -> String {
        let list = |names: &[String]| {
            if names.is_empty() {
                "0".to_owned()
            } else {
                format!("{} ({})", names.len(), names.join(", "))
            }
        };
        format!(
            "{}{}: roles {} new, {} changed, {} unchanged; areas {} new, {} changed, {} unchanged",
            self.file,
            self.area
                .as_ref()
                .map(|a| format!(" (the {a} area's page)"))
                .unwrap_or_default(),
            list(&self.new_roles),
            list(&self.changed_roles),
            self.unchanged_roles,
            list(&self.new_areas),
            list(&self.changed_areas),
            self.unchanged_areas,
        )
    }
}

/// Reads a role page (the job-titles page or an area's page) into the records. `area` names
/// the area an area's page is about when the page does not say.
pub async fn import(
    store: &Store,
    ctx: &Context,
    file: &str,
    text: &str,
    area: Option<&str>,
    dry_run: bool,
) -> Result<RolesPlan> {
    ctx.require(Permission::EditPeople)?;
    let at = ctx.now();
    let mut log = ChangeLog::new(ctx, at);
    let mut tx = store.begin().await?;
    tx.lock(DataPart::People).await?;
    let plan = read_page(&mut tx, &mut log, file, text, area, dry_run).await?;
    if dry_run {
        return Ok(plan);
    }
    log.write(&mut tx).await?;
    tx.commit().await?;
    Ok(plan)
}

/// Reads one role page into the records inside the caller's transaction (which holds the
/// people lock): what [`import`] does, and the demo's pages go through.
pub(crate) async fn read_page(
    tx: &mut bearing_store::Tx,
    log: &mut ChangeLog<'_>,
    file: &str,
    text: &str,
    area: Option<&str>,
    dry_run: bool,
) -> Result<RolesPlan> {
    bearing_core::text::check(text, usize::MAX)
        .map_err(|reason| AppError::invalid(file, reason))?;
    let mut plan = RolesPlan {
        file: file.to_owned(),
        ..RolesPlan::default()
    };
    let at = log.at();
    let roles = tx.list_roles().await?;
    let areas = tx.list_areas().await?;
    match myst::read(text) {
        Page::Titles(page) => {
            if page.roles().next().is_none() {
                return Err(AppError::invalid(
                    "file",
                    format!(
                        "{file}: no role found: a role is a second-level heading (## Role name)"
                    ),
                ));
            }
            let known: HashMap<&str, &RoleRecord> =
                roles.iter().map(|r| (r.text.name.as_str(), r)).collect();
            for (position, role) in page.roles().enumerate() {
                let position = position as i64;
                let before = known.get(role.name.as_str()).copied();
                match before {
                    Some(b) if b.text == *role && b.position == position => {
                        plan.unchanged_roles += 1;
                        continue;
                    }
                    Some(_) => plan.changed_roles.push(role.name.clone()),
                    None => plan.new_roles.push(role.name.clone()),
                }
                if !dry_run {
                    let after = tx
                        .put_role(role, before.and_then(|b| b.area_id), position, at)
                        .await?;
                    log.record(Change::written(EntityKind::Role, after.id, before, &after))?;
                }
            }
            let document = titles_document(&page);
            let value =
                serde_json::to_value(&document).map_err(|e| AppError::Internal(e.to_string()))?;
            let stored = tx.find_document(TITLES_DOCUMENT).await?;
            if !dry_run && stored.as_ref() != Some(&value) {
                tx.put_document(TITLES_DOCUMENT, &value, at).await?;
                log.record(Change::written(
                    EntityKind::Document,
                    TITLES_DOCUMENT,
                    stored.as_ref(),
                    &value,
                ))?;
            }
        }
        Page::Area(page) => {
            let name = area.map(str::to_owned).or_else(|| page.area()).ok_or_else(|| {
                AppError::invalid(
                    "area",
                    format!("{file}: cannot tell which area this page is about: name it (--area NAME)"),
                )
            })?;
            plan.area = Some(name.clone());
            let known: HashMap<&str, &AreaRecord> =
                areas.iter().map(|a| (a.name.as_str(), a)).collect();
            let context: Vec<(String, Option<String>)> = page
                .sections
                .iter()
                .filter_map(|s| match s {
                    AreaSection::Context { areas, .. } => Some(areas),
                    _ => None,
                })
                .flatten()
                .filter_map(|i| Some((i.name.clone()?, Some(i.text.clone()))))
                .collect();
            let mut wanted: Vec<(String, Option<String>, Option<&AreaPage>)> = context
                .into_iter()
                .map(|(n, d)| {
                    let page = (n == name).then_some(&page);
                    (n, d, page)
                })
                .collect();
            if !wanted.iter().any(|(n, _, _)| *n == name) {
                let description = known.get(name.as_str()).and_then(|a| a.description.clone());
                wanted.push((name.clone(), description, Some(&page)));
            }
            let mut page_area_id = known.get(name.as_str()).map(|a| a.id);
            for (position, (area_name, description, area_page)) in wanted.into_iter().enumerate() {
                let position = position as i64;
                let before = known.get(area_name.as_str()).copied();
                let same = before.is_some_and(|b| {
                    b.description == description
                        && b.position == position
                        && area_page.is_none_or(|p| b.page.as_ref() == Some(p))
                });
                match before {
                    Some(_) if same => {
                        plan.unchanged_areas += 1;
                        continue;
                    }
                    Some(_) => plan.changed_areas.push(area_name.clone()),
                    None => plan.new_areas.push(area_name.clone()),
                }
                if !dry_run {
                    let after = tx
                        .put_area(&area_name, description.as_deref(), position, area_page, at)
                        .await?;
                    if area_name == name {
                        page_area_id = Some(after.id);
                    }
                    log.record(Change::written(EntityKind::Area, after.id, before, &after))?;
                }
            }
            // The roles its current-roles table names belong to the area.
            for row in page.current_roles() {
                let Some(before) = roles.iter().find(|r| r.text.name == row.role) else {
                    continue;
                };
                if page_area_id.is_none() || before.area_id == page_area_id {
                    continue;
                }
                plan.changed_roles.push(before.text.name.clone());
                if let (false, Some(area_id)) = (dry_run, page_area_id) {
                    let after = tx
                        .put_role(&before.text, Some(area_id), before.position, at)
                        .await?;
                    log.record(Change::updated(EntityKind::Role, after.id, before, &after))?;
                }
            }
        }
    }
    Ok(plan)
}

fn titles_document(page: &TitlesPage) -> TitlesDocument {
    TitlesDocument {
        title: page.title.clone(),
        preamble: page.preamble.clone(),
        order: page
            .sections
            .iter()
            .map(|s| match s {
                TitlesSection::Role(r) => Placed::Role(r.name.clone()),
                TitlesSection::Page(p) => Placed::Section(p.clone()),
            })
            .collect(),
    }
}

/// Adds a role by name, in an area if given, after the roles there are; its parts are
/// written later (or come with the role pages).
pub async fn add(
    store: &Store,
    ctx: &Context,
    name: &str,
    area: Option<&str>,
) -> Result<RoleRecord> {
    ctx.require(Permission::EditPeople)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::invalid("name", "is required"));
    }
    crate::text::check_text(&serde_json::json!({ "name": name, "area": area }))?;
    let at = ctx.now();
    let mut tx = store.begin().await?;
    tx.lock(DataPart::People).await?;
    let roles = tx.list_roles().await?;
    if roles.iter().any(|r| r.text.name == name) {
        return Err(AppError::Conflict(format!(
            "there is already a role named {name:?}"
        )));
    }
    let area_id = area_id(&mut tx, area).await?;
    let position = roles.iter().map(|r| r.position + 1).max().unwrap_or(0);
    let text = RoleText {
        name: name.to_owned(),
        ..RoleText::default()
    };
    let created = tx.put_role(&text, area_id, position, at).await?;
    crate::audit(
        &mut tx,
        ctx,
        at,
        Change::created(EntityKind::Role, created.id, &created),
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

async fn area_id(tx: &mut Tx, area: Option<&str>) -> Result<Option<AreaId>> {
    let Some(name) = area else { return Ok(None) };
    tx.list_areas()
        .await?
        .into_iter()
        .find(|x| x.name == name)
        .map(|x| Some(x.id))
        .ok_or_else(|| AppError::invalid("area", format!("there is no area {name:?}")))
}

/// What can be changed about a role: all but its name. Sections the role pages have and
/// Bearing does not recognise stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RoleChange {
    pub area: Option<String>,
    /// The bands the role is paid by; `None` or the role's own name: its own.
    pub ladder: Option<String>,
    pub description: String,
    pub notes: Vec<String>,
    pub key_goal: Option<String>,
    pub responsibilities: Option<String>,
    pub performance_measures: Option<String>,
    pub salary_rationale: Option<String>,
    pub comparable_titles: Vec<String>,
}

impl RoleChange {
    /// What is recorded about `role`, as a change that changes nothing.
    pub fn of(role: &RoleRecord, areas: &[AreaRecord]) -> Self {
        let t = &role.text;
        RoleChange {
            area: role
                .area_id
                .and_then(|a| areas.iter().find(|x| x.id == a))
                .map(|a| a.name.clone()),
            ladder: role.ladder.clone(),
            description: t.description.clone(),
            notes: t.notes.clone(),
            key_goal: t.key_goal.clone(),
            responsibilities: t.responsibilities.clone(),
            performance_measures: t.performance_measures.clone(),
            salary_rationale: t.salary_rationale.clone(),
            comparable_titles: t.comparable_titles.clone(),
        }
    }
}

/// Changes a role's area, ladder and parts (the revisit month follows the notes). Moving a
/// role to another ladder is refused while one of its assignments has a level and step that
/// ladder lacks; nothing is written when nothing changes.
pub async fn edit(
    store: &Store,
    ctx: &Context,
    id: RoleId,
    change: RoleChange,
) -> Result<RoleRecord> {
    edit_with(store, ctx, id, |_, _| change).await
}

/// Changes a role's area, ladder or key goal by `patch`, applied to the role as the
/// transaction reads it, the rest as it is; checked as [`edit`] checks.
pub async fn patch(
    store: &Store,
    ctx: &Context,
    id: RoleId,
    patch: RolePatch,
) -> Result<RoleRecord> {
    edit_with(store, ctx, id, |before, areas| {
        patch.apply(RoleChange::of(before, areas))
    })
    .await
}

/// An edit of a role's place: its area, the ladder it is paid by, its key goal.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RolePatch {
    pub area: Edit<String>,
    /// Another role's name for that role's bands; cleared, its own.
    pub ladder: Edit<String>,
    pub key_goal: Edit<String>,
}

impl RolePatch {
    /// Clears a field by the name a user gives it.
    pub fn clear(&mut self, field: &str) -> std::result::Result<(), ClearError> {
        match field {
            "area" => patch::clear(&mut self.area, field),
            "ladder" => patch::clear(&mut self.ladder, field),
            "key-goal" | "key_goal" => patch::clear(&mut self.key_goal, field),
            _ => Err(patch::not_clearable(field, &["area", "ladder", "key-goal"])),
        }
    }

    pub fn apply(self, to: RoleChange) -> RoleChange {
        RoleChange {
            area: self.area.apply(to.area),
            ladder: self.ladder.apply(to.ladder),
            key_goal: self.key_goal.apply(to.key_goal),
            ..to
        }
    }
}

async fn edit_with(
    store: &Store,
    ctx: &Context,
    id: RoleId,
    change: impl FnOnce(&RoleRecord, &[AreaRecord]) -> RoleChange,
) -> Result<RoleRecord> {
    ctx.require(Permission::EditPeople)?;
    let at = ctx.now();
    let mut tx = store.begin().await?;
    let team = crate::people::Team::locked(&mut tx).await?;
    let roles = &team.roles;
    let before = roles
        .iter()
        .find(|r| r.id == id)
        .cloned()
        .ok_or_else(|| AppError::NotFound(format!("no role with id {id}")))?;
    let change = change(&before, &tx.list_areas().await?);
    crate::text::check_text(&change)?;
    let blank = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    // Another role's name stands for the bands that role is paid by; the role's own name, for
    // its own bands.
    let ladder = blank(change.ladder)
        .filter(|l| *l != before.text.name)
        .map(|l| {
            roles
                .iter()
                .find(|r| r.text.name == l)
                .map_or(l.clone(), |r| r.ladder().to_owned())
        })
        .filter(|l| *l != before.text.name);
    let notes: Vec<String> = change
        .notes
        .into_iter()
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .collect();
    let text = RoleText {
        description: change.description.trim().to_owned(),
        revisit: notes
            .iter()
            .find_map(|n| bearing_core::roles::revisit_month(n)),
        notes,
        key_goal: blank(change.key_goal),
        responsibilities: blank(change.responsibilities),
        performance_measures: blank(change.performance_measures),
        salary_rationale: blank(change.salary_rationale),
        comparable_titles: change
            .comparable_titles
            .into_iter()
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect(),
        ..before.text.clone()
    };
    let area_id = area_id(&mut tx, blank(change.area).as_deref()).await?;
    if text == before.text && area_id == before.area_id && ladder == before.ladder {
        return Ok(before);
    }
    let new_ladder = ladder.as_deref().unwrap_or(&before.text.name);
    if new_ladder != before.ladder() {
        let bands = &team.bands;
        let has_bands = bands.iter().any(|b| b.ladder == new_ladder);
        let employees: std::collections::HashSet<PersonId> = team
            .people
            .iter()
            .filter(|p| p.fields.kind == bearing_core::people::PersonKind::Employee)
            .map(|p| p.id)
            .collect();
        for a in team.assignments.iter().filter(|a| a.role_id == id) {
            let problem = if !has_bands && employees.contains(&a.person_id) {
                Some(format!(
                    "the ladder {new_ladder:?} has no bands yet: generate them first"
                ))
            } else {
                bearing_core::people::off_ladder(bands, new_ladder, a.fields.level, a.fields.step)
            };
            if let Some(message) = problem {
                return Err(AppError::invalid(
                    "ladder",
                    format!(
                        "{} holds {} step {} from {}, and {message}",
                        a.person,
                        bearing_core::roles::title(&a.fields.role, a.fields.level),
                        a.fields.step,
                        a.fields.start
                    ),
                ));
            }
        }
    }
    let after = tx
        .update_role(id, &text, area_id, ladder.as_deref(), at)
        .await?;
    crate::audit(
        &mut tx,
        ctx,
        at,
        Change::updated(EntityKind::Role, id, &before, &after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The pages, as (file name, MyST Markdown): `job-titles.md` with every role, and one page
/// for each area that has one, named after the area (`partnerships.md`).
///
/// An area's current-roles table lists the assignments in force on `today` in the area's
/// roles; while there are none, it keeps the rows the page was imported with.
pub async fn publish(store: &Store, today: bearing_core::Date) -> Result<Vec<(String, String)>> {
    let roles = store.list_roles().await?;
    let areas = store.list_areas().await?;
    let document: TitlesDocument = match store.find_document(TITLES_DOCUMENT).await? {
        Some(value) => serde_json::from_value(value)
            .map_err(|e| AppError::Internal(format!("the job-titles document: {e}")))?,
        None => TitlesDocument {
            title: "Job Titles".to_owned(),
            ..TitlesDocument::default()
        },
    };
    let by_name: HashMap<&str, &RoleText> = roles
        .iter()
        .map(|r| (r.text.name.as_str(), &r.text))
        .collect();
    let mut sections = Vec::new();
    let mut placed = std::collections::HashSet::new();
    for entry in &document.order {
        match entry {
            Placed::Role(name) => {
                if let Some(role) = by_name.get(name.as_str()) {
                    placed.insert(name.as_str());
                    sections.push(TitlesSection::Role((*role).clone()));
                }
            }
            Placed::Section(s) => sections.push(TitlesSection::Page(s.clone())),
        }
    }
    for role in &roles {
        if !placed.contains(role.text.name.as_str()) {
            sections.push(TitlesSection::Role(role.text.clone()));
        }
    }
    let mut pages = vec![(
        format!("{TITLES_DOCUMENT}.md"),
        myst::write_titles(&TitlesPage {
            title: document.title,
            preamble: document.preamble,
            sections,
        }),
    )];
    for area in &areas {
        let Some(page) = &area.page else { continue };
        let mut page = page.clone();
        let current = crate::people::current_roles(store, Some(area.id), today).await?;
        // The context lists the areas as they are now.
        for section in &mut page.sections {
            if let AreaSection::CurrentRoles { rows, .. } = section
                && !current.is_empty()
            {
                rows.clone_from(&current);
            }
            if let AreaSection::Context { areas: listed, .. } = section {
                *listed = areas
                    .iter()
                    .map(|a| Item {
                        name: Some(a.name.clone()),
                        text: a.description.clone().unwrap_or_default(),
                    })
                    .collect();
            }
        }
        pages.push((format!("{}.md", slug(&area.name)), myst::write_area(&page)));
    }
    Ok(pages)
}

/// A file name for a name: lower case, words joined by hyphens.
fn slug(name: &str) -> String {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

/// Roles as a table: name, area, key goal, measures, comparable titles, revisit.
pub async fn table(store: &Store) -> Result<Table> {
    let roles = store.list_roles().await?;
    let areas: HashMap<AreaId, String> = store
        .list_areas()
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let mut table = Table::new([
        "name",
        "area",
        "key_goal",
        "performance_measures",
        "comparable_titles",
        "revisit",
        "ladder",
    ]);
    for r in &roles {
        table.push([
            Some(r.text.name.clone()),
            r.area_id.and_then(|a| areas.get(&a).cloned()),
            r.text.key_goal.clone(),
            Some(r.text.measures().join("; ")).filter(|s| !s.is_empty()),
            Some(r.text.comparable_titles.join("; ")).filter(|s| !s.is_empty()),
            r.text.revisit.map(|m| m.to_string()),
            Some(r.ladder().to_owned()),
        ]);
    }
    Ok(table)
}
