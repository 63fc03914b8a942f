//! People: who is on the team, the roles they hold at which level and step, the salary bands,
//! and what the team costs each month by area, role and grant code.
//!
//! Pay is not for everyone's eyes: these services are for callers allowed to see it
//! (finance, admin, the command line's operator); the front doors check who is asking.

use std::collections::{BTreeMap, HashMap};

use bearing_core::people::{
    self, AssignmentFields, Band, BandRules, CostRates, Pay, PersonFields, PersonKind,
};
use bearing_core::{
    Action, AreaId, AssignmentId, DataPart, Date, EntityKind, Month, PersonId, RoleId,
};
use bearing_formats::Table;
use bearing_store::{AssignmentRecord, PersonRecord, RoleRecord, Store, Tx};

use bearing_core::access::Permission;
use bearing_core::assumptions::CostsFrom;

use crate::patch::{self, ClearError, Edit};
use crate::soft_delete::set_deleted_in;
use crate::{AppError, Change, ChangeLog, Context, Result, audit};

fn check(problems: Vec<(&'static str, String)>) -> Result<()> {
    match problems.into_iter().next() {
        Some((field, message)) => Err(AppError::invalid(field, message)),
        None => Ok(()),
    }
}

/// A person by name or email.
pub async fn find_person(store: &Store, who: &str) -> Result<PersonRecord> {
    store
        .list_people()
        .await?
        .into_iter()
        .find(|p| p.fields.name == who || p.fields.email.as_deref() == Some(who))
        .ok_or_else(|| AppError::NotFound(format!("no person named {who:?}")))
}

/// What the checks of a change to the team compare against. A write reads it in its own
/// transaction after taking the people's lock, so two overlapping writes cannot both pass a
/// check only one of them may pass (two people given one name, bands moved from under an
/// assignment while it is made); a preview reads it from the store.
pub(crate) struct Team {
    pub people: Vec<PersonRecord>,
    pub assignments: Vec<AssignmentRecord>,
    pub roles: Vec<RoleRecord>,
    pub bands: Vec<Band>,
}

impl Team {
    pub async fn locked(tx: &mut Tx) -> Result<Self> {
        tx.lock(DataPart::People).await?;
        Ok(Team {
            people: tx.list_people().await?,
            assignments: tx.list_assignments().await?,
            roles: tx.list_roles().await?,
            bands: tx.list_bands().await?,
        })
    }

    async fn read(store: &Store) -> Result<Self> {
        Ok(Team {
            people: store.list_people().await?,
            assignments: store.list_assignments().await?,
            roles: store.list_roles().await?,
            bands: store.list_bands().await?,
        })
    }

    /// A person who is not deleted.
    fn person(&self, id: PersonId) -> Result<&PersonRecord> {
        self.people
            .iter()
            .find(|p| p.id == id)
            .ok_or_else(|| AppError::NotFound(format!("no person with id {id}")))
    }

    /// An assignment that is not deleted, of a person who is not.
    fn assignment(&self, id: AssignmentId) -> Result<&AssignmentRecord> {
        self.assignments
            .iter()
            .find(|a| a.id == id)
            .ok_or_else(|| AppError::NotFound(format!("no assignment with id {id}")))
    }

    /// Refuses a name or email another person (not `except`) already has.
    fn check_unique(&self, fields: &PersonFields, except: Option<PersonId>) -> Result<()> {
        for p in self.people.iter().filter(|p| Some(p.id) != except) {
            if p.fields.name == fields.name {
                return Err(AppError::Conflict(format!(
                    "there is already a person named {:?}",
                    fields.name
                )));
            }
            if let (Some(a), Some(b)) = (&p.fields.email, &fields.email)
                && a.eq_ignore_ascii_case(b)
            {
                return Err(AppError::Conflict(format!(
                    "{} already has the email {b:?}",
                    p.fields.name
                )));
            }
        }
        Ok(())
    }

    /// Refuses a change of kind while one of the person's assignments says otherwise.
    fn check_kind(&self, person: &PersonRecord, kind: PersonKind) -> Result<()> {
        if person.fields.kind == kind {
            return Ok(());
        }
        for a in self.assignments.iter().filter(|a| a.person_id == person.id) {
            if let Some((_, message)) = a.fields.problems(kind).into_iter().next() {
                return Err(AppError::invalid(
                    "kind",
                    format!(
                        "{} cannot become a {}: the assignment as {} from {}: {message}",
                        person.fields.name,
                        kind,
                        bearing_core::roles::title(&a.fields.role, a.fields.level),
                        a.fields.start
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Checks an assignment for a person of `kind`: its own fields, that the role exists,
    /// and that the level and step are on the role's ladder. Returns the role's id.
    fn checked_role(&self, kind: PersonKind, fields: &AssignmentFields) -> Result<RoleId> {
        crate::text::check_text(fields)?;
        check(fields.problems(kind))?;
        let role = self
            .roles
            .iter()
            .find(|r| r.text.name == fields.role)
            .ok_or_else(|| {
                AppError::invalid(
                    "role",
                    format!(
                        "there is no role {:?}: import the role pages or add the role",
                        fields.role
                    ),
                )
            })?;
        if let Some(message) =
            people::off_ladder(&self.bands, role.ladder(), fields.level, fields.step)
        {
            return Err(AppError::invalid("level", message));
        }
        Ok(role.id)
    }

    /// Checks bands before they are set: levels and steps 1–20, pay from 0 to
    /// [`MAX_ANNUAL_BASE`], a ladder that exists (a role's name, a role's ladder, or one with
    /// bands) unless `new_ladder` allows a new one, and every assignment paid by a ladder
    /// that gets bands still on it.
    fn check_bands(&self, bands: &[Band], new_ladder: bool) -> Result<()> {
        if bands.is_empty() {
            return Err(AppError::invalid("bands", "no band to set"));
        }
        let mut ladders: std::collections::HashSet<&str> = self
            .roles
            .iter()
            .flat_map(|r| [r.text.name.as_str(), r.ladder()])
            .collect();
        ladders.extend(self.bands.iter().map(|b| b.ladder.as_str()));
        for b in bands {
            if b.ladder.trim().is_empty() {
                return Err(AppError::invalid("ladder", "is required"));
            }
            if !new_ladder && !ladders.contains(b.ladder.as_str()) {
                return Err(AppError::invalid(
                    "ladder",
                    format!(
                        "{:?} is neither a role nor the ladder of one: name a role, or start a new ladder by generating its bands",
                        b.ladder
                    ),
                ));
            }
            if !(1..=20).contains(&b.level)
                || !(1..=20).contains(&b.step)
                || !(0..=MAX_ANNUAL_BASE).contains(&b.annual_base)
            {
                return Err(AppError::invalid(
                    "band",
                    format!(
                        "{} L{} step {}: levels and steps run 1–20 and pay is from 0 to {} a year",
                        b.ladder,
                        b.level,
                        b.step,
                        bearing_core::Money::from_minor(
                            MAX_ANNUAL_BASE,
                            bearing_core::Currency::USD
                        )
                        .decimal()
                    ),
                ));
            }
        }
        let all: Vec<Band> = self.bands.iter().chain(bands).cloned().collect();
        for a in self
            .assignments
            .iter()
            .filter(|a| bands.iter().any(|b| b.ladder == a.ladder))
        {
            if let Some(message) =
                people::off_ladder(&all, &a.ladder, a.fields.level, a.fields.step)
            {
                return Err(AppError::invalid(
                    "bands",
                    format!(
                        "{} holds {} step {} from {}, and with these bands {message}",
                        a.person,
                        bearing_core::roles::title(&a.fields.role, a.fields.level),
                        a.fields.step,
                        a.fields.start
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// An edit of a person: each field kept or set, and those that may be unknown cleared.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PersonPatch {
    pub name: Option<String>,
    pub kind: Option<PersonKind>,
    pub email: Edit<String>,
    pub github: Edit<String>,
    pub renewal: Edit<String>,
}

impl PersonPatch {
    /// Every field replaced by `fields` (a form, the API's PUT).
    pub fn replace(fields: PersonFields) -> Self {
        PersonPatch {
            name: Some(fields.name),
            kind: Some(fields.kind),
            email: Edit::whole(fields.email),
            github: Edit::whole(fields.github),
            renewal: Edit::whole(fields.renewal),
        }
    }

    /// Clears a field by the name a user gives it.
    pub fn clear(&mut self, field: &str) -> std::result::Result<(), ClearError> {
        match field {
            "email" => patch::clear(&mut self.email, field),
            "github" => patch::clear(&mut self.github, field),
            "renewal" => patch::clear(&mut self.renewal, field),
            other => Err(patch::not_clearable(other, &["email", "github", "renewal"])),
        }
    }

    pub fn apply(self, to: &PersonFields) -> PersonFields {
        PersonFields {
            name: self
                .name
                .map_or_else(|| to.name.clone(), |n| n.trim().to_owned()),
            kind: self.kind.unwrap_or(to.kind),
            email: self.email.apply(to.email.clone()),
            github: self.github.apply(to.github.clone()),
            renewal: self.renewal.apply(to.renewal.clone()),
        }
    }
}

/// An edit of an assignment: each field kept or set, and those that may be unknown cleared.
/// A promotion is a new assignment; this changes the one there is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssignmentPatch {
    pub role: Option<String>,
    pub level: Option<u8>,
    pub step: Option<u8>,
    pub fte: Option<f64>,
    pub start: Option<Date>,
    pub end: Edit<Date>,
    pub monthly_payment: Edit<i64>,
    pub description: Edit<String>,
    /// Grant codes and their shares; `None` keeps the funding there is.
    pub funding: Option<Vec<(String, f64)>>,
}

impl AssignmentPatch {
    /// Every field replaced by `fields` (a form).
    pub fn replace(fields: AssignmentFields) -> Self {
        AssignmentPatch {
            role: Some(fields.role),
            level: Some(fields.level),
            step: Some(fields.step),
            fte: Some(fields.fte),
            start: Some(fields.start),
            end: Edit::whole(fields.end),
            monthly_payment: Edit::whole(fields.monthly_payment),
            description: Edit::whole(fields.description),
            funding: Some(fields.funding),
        }
    }

    /// The fields of a new assignment: the role, level and start are required, the step and
    /// share of full time are 1 unless given, and the rest unknown unless set.
    pub fn into_new(self) -> Result<AssignmentFields> {
        let required = |field: &str| AppError::invalid(field, "is required");
        Ok(AssignmentFields {
            role: self.role.ok_or_else(|| required("role"))?,
            level: self.level.ok_or_else(|| required("level"))?,
            step: self.step.unwrap_or(1),
            fte: self.fte.unwrap_or(1.0),
            start: self.start.ok_or_else(|| required("start"))?,
            end: self.end.apply(None),
            monthly_payment: self.monthly_payment.apply(None),
            description: self.description.apply(None),
            funding: self.funding.unwrap_or_default(),
        })
    }

    /// Clears a field by the name a user gives it.
    pub fn clear(&mut self, field: &str) -> std::result::Result<(), ClearError> {
        match field {
            "end" => patch::clear(&mut self.end, field),
            "monthly-payment" | "monthly_payment" => patch::clear(&mut self.monthly_payment, field),
            "description" => patch::clear(&mut self.description, field),
            other => Err(patch::not_clearable(
                other,
                &["end", "monthly-payment", "description"],
            )),
        }
    }

    pub fn apply(self, to: &AssignmentFields) -> AssignmentFields {
        AssignmentFields {
            role: self.role.unwrap_or_else(|| to.role.clone()),
            level: self.level.unwrap_or(to.level),
            step: self.step.unwrap_or(to.step),
            fte: self.fte.unwrap_or(to.fte),
            start: self.start.unwrap_or(to.start),
            end: self.end.apply(to.end),
            monthly_payment: self.monthly_payment.apply(to.monthly_payment),
            description: self.description.apply(to.description.clone()),
            funding: self.funding.unwrap_or_else(|| to.funding.clone()),
        }
    }
}

/// An assignment that is not deleted, with its pay.
pub async fn find_assignment(
    store: &Store,
    ctx: &Context,
    id: AssignmentId,
) -> Result<AssignmentRecord> {
    ctx.require(Permission::ReadPay)?;
    store
        .list_assignments()
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or_else(|| AppError::NotFound(format!("no assignment with id {id}")))
}

pub async fn add_person(
    store: &Store,
    ctx: &Context,
    fields: PersonFields,
) -> Result<PersonRecord> {
    ctx.require(Permission::EditPeople)?;
    crate::text::check_text(&fields)?;
    check(fields.problems())?;
    let at = ctx.now();
    let mut tx = store.begin().await?;
    Team::locked(&mut tx).await?.check_unique(&fields, None)?;
    let created = tx.insert_person(&fields, at).await?;
    audit(
        &mut tx,
        ctx,
        at,
        Change::created(EntityKind::Person, created.id, &created),
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

/// Changes what is recorded about a person, as the transaction reads them; nothing is written
/// when nothing changes. A person with a contract in force cannot become an employee, nor the
/// reverse, while an assignment's pay says otherwise.
pub async fn edit_person(
    store: &Store,
    ctx: &Context,
    id: PersonId,
    patch: PersonPatch,
) -> Result<PersonRecord> {
    ctx.require(Permission::EditPeople)?;
    let at = ctx.now();
    let mut tx = store.begin().await?;
    let team = Team::locked(&mut tx).await?;
    let before = team.person(id)?.clone();
    let fields = patch.apply(&before.fields);
    crate::text::check_text(&fields)?;
    check(fields.problems())?;
    if before.fields == fields {
        return Ok(before);
    }
    team.check_unique(&fields, Some(id))?;
    team.check_kind(&before, fields.kind)?;
    let after = tx.update_person(id, &fields, at).await?;
    audit(
        &mut tx,
        ctx,
        at,
        Change::updated(EntityKind::Person, id, &before, &after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Gives a person a role from a day: the role must exist, the level and step be on its
/// ladder, the time and funding make sense, and a contractor needs a monthly payment.
pub async fn assign(
    store: &Store,
    ctx: &Context,
    person_id: PersonId,
    fields: AssignmentFields,
) -> Result<AssignmentRecord> {
    ctx.require(Permission::EditPeople)?;
    let at = ctx.now();
    let mut tx = store.begin().await?;
    let team = Team::locked(&mut tx).await?;
    let person = team.person(person_id)?;
    let role = team.checked_role(person.fields.kind, &fields)?;
    let created = tx.insert_assignment(person_id, role, &fields, at).await?;
    audit(
        &mut tx,
        ctx,
        at,
        Change::created(EntityKind::Assignment, created.id, &created),
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

/// Changes an assignment by `patch`, applied to it as the transaction reads it, checked as
/// when it was made (the ladder only when the role, level or step change, so an old
/// assignment can still be ended after its bands moved on); nothing is written when nothing
/// changes.
pub async fn edit_assignment(
    store: &Store,
    ctx: &Context,
    id: AssignmentId,
    patch: AssignmentPatch,
) -> Result<AssignmentRecord> {
    ctx.require(Permission::EditPeople)?;
    ctx.require(Permission::ReadPay)?;
    let at = ctx.now();
    let mut tx = store.begin().await?;
    let team = Team::locked(&mut tx).await?;
    let before = team.assignment(id)?.clone();
    let fields = patch.apply(&before.fields);
    if fields == before.fields {
        return Ok(before);
    }
    let person = team.person(before.person_id)?;
    let same_place = (&fields.role, fields.level, fields.step)
        == (&before.fields.role, before.fields.level, before.fields.step);
    let role = if same_place {
        crate::text::check_text(&fields)?;
        check(fields.problems(person.fields.kind))?;
        before.role_id
    } else {
        team.checked_role(person.fields.kind, &fields)?
    };
    let after = tx.update_assignment(id, role, &fields, at).await?;
    audit(
        &mut tx,
        ctx,
        at,
        Change::updated(EntityKind::Assignment, id, &before, &after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Ends an assignment on `end` (its last day).
pub async fn end_assignment(
    store: &Store,
    ctx: &Context,
    id: AssignmentId,
    end: Date,
) -> Result<AssignmentRecord> {
    ctx.require(Permission::EditPeople)?;
    let patch = AssignmentPatch {
        end: Edit::Set(end),
        ..AssignmentPatch::default()
    };
    edit_assignment(store, ctx, id, patch).await
}

/// Deletes a person entered by mistake: they leave every list and keep their history, and can
/// be restored. Refused while they hold assignments: delete those entered by mistake, and for
/// someone who left, end their assignments instead (their cost stays in the past months).
pub async fn delete_person(store: &Store, ctx: &Context, id: PersonId) -> Result<PersonRecord> {
    ctx.require(Permission::EditPeople)?;
    let mut tx = store.begin().await?;
    let team = Team::locked(&mut tx).await?;
    let held: Vec<String> = team
        .assignments
        .iter()
        .filter(|a| a.person_id == id)
        .map(|a| {
            format!(
                "{} ({})",
                a.id,
                bearing_core::roles::title(&a.fields.role, a.fields.level)
            )
        })
        .collect();
    if !held.is_empty() {
        return Err(AppError::Conflict(format!(
            "person {id} holds assignments {}: delete those entered by mistake; for someone who left, end their assignments instead",
            held.join(", ")
        )));
    }
    let deleted = set_deleted_in::<PersonRecord>(&mut tx, ctx, id, true).await?;
    tx.commit().await?;
    Ok(deleted)
}

/// Restores a deleted person, unless another person has taken their name or email since.
pub async fn restore_person(store: &Store, ctx: &Context, id: PersonId) -> Result<PersonRecord> {
    ctx.require(Permission::EditPeople)?;
    let mut tx = store.begin().await?;
    let team = Team::locked(&mut tx).await?;
    let removed = tx.get_person_including_deleted(id).await?;
    team.check_unique(&removed.fields, Some(id))?;
    let restored = set_deleted_in::<PersonRecord>(&mut tx, ctx, id, false).await?;
    tx.commit().await?;
    Ok(restored)
}

/// Deletes an assignment entered by mistake (one that happened is ended instead): it leaves
/// the costs and lists, keeps its history, and can be restored.
pub async fn delete_assignment(
    store: &Store,
    ctx: &Context,
    id: AssignmentId,
) -> Result<AssignmentRecord> {
    ctx.require(Permission::EditPeople)?;
    crate::soft_delete::set_deleted::<AssignmentRecord>(store, ctx, id, true).await
}

/// Restores a deleted assignment of a person who is not deleted.
pub async fn restore_assignment(
    store: &Store,
    ctx: &Context,
    id: AssignmentId,
) -> Result<AssignmentRecord> {
    ctx.require(Permission::EditPeople)?;
    let mut tx = store.begin().await?;
    let team = Team::locked(&mut tx).await?;
    let removed = tx.get_assignment_including_deleted(id).await?;
    if team.person(removed.person_id).is_err() {
        return Err(AppError::Conflict(format!(
            "assignment {id} is {}'s, who was deleted: restore them first",
            removed.person
        )));
    }
    let restored = set_deleted_in::<AssignmentRecord>(&mut tx, ctx, id, false).await?;
    tx.commit().await?;
    Ok(restored)
}

/// The largest annual base salary a band may hold, in cents: $100 million, far above any
/// salary, and small enough that no sum of a team's pay can overflow.
pub const MAX_ANNUAL_BASE: i64 = 10_000_000_000;

/// Checks bands as [`set_bands`] would, without setting them (a preview).
pub async fn check_bands(store: &Store, bands: &[Band], new_ladder: bool) -> Result<()> {
    Team::read(store).await?.check_bands(bands, new_ladder)
}

/// Sets bands of ladders that exist, all or none, one audit row each.
pub async fn set_bands(store: &Store, ctx: &Context, bands: &[Band]) -> Result<()> {
    ctx.require(Permission::EditPeople)?;
    write_bands(store, ctx, bands, false).await
}

/// Sets a generated table of bands, which may start a new ladder.
pub async fn set_generated_bands(store: &Store, ctx: &Context, bands: &[Band]) -> Result<()> {
    ctx.require(Permission::EditPeople)?;
    write_bands(store, ctx, bands, true).await
}

async fn write_bands(store: &Store, ctx: &Context, bands: &[Band], new_ladder: bool) -> Result<()> {
    let at = ctx.now();
    let mut tx = store.begin().await?;
    Team::locked(&mut tx)
        .await?
        .check_bands(bands, new_ladder)?;
    let mut log = ChangeLog::new(ctx, at);
    for b in bands {
        let id = format!("{}/L{}/S{}/{}", b.ladder, b.level, b.step, b.effective_from);
        log.record(Change::event(EntityKind::Band, id, Action::Update, b))?;
    }
    tx.put_bands(bands, at).await?;
    log.write(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// The bands of a ladder from a benchmark, by the rules of thumb: the benchmark is the median
/// total compensation (base + benefits) of comparable positions, taken as the pay of
/// `reference` (level, step); each level adds about 10% and each step 2%.
#[allow(clippy::too_many_arguments)]
pub fn generated_bands(
    ladder: &str,
    benchmark_total_compensation: f64,
    reference: (u8, u8),
    levels: u8,
    steps: u8,
    from: Date,
    rules: &BandRules,
) -> Result<Vec<Band>> {
    if !(1..=20).contains(&levels) || !(1..=20).contains(&steps) {
        return Err(AppError::invalid("levels", "levels and steps run 1–20"));
    }
    if reference.0 > levels || reference.1 > steps || reference.0 == 0 || reference.1 == 0 {
        return Err(AppError::invalid(
            "reference",
            format!("L{} step {} is not in the table", reference.0, reference.1),
        ));
    }
    if !(benchmark_total_compensation > 0.0 && benchmark_total_compensation.is_finite()) {
        return Err(AppError::invalid("benchmark", "must be a positive amount"));
    }
    let note = format!(
        "from a benchmark of {} total compensation at L{} step {}",
        bearing_core::forecast::dollars(benchmark_total_compensation),
        reference.0,
        reference.1
    );
    Ok(people::generate_bands(
        benchmark_total_compensation,
        reference,
        levels,
        steps,
        rules,
    )
    .into_iter()
    .map(|((level, step), base)| Band {
        ladder: ladder.to_owned(),
        level,
        step,
        annual_base: (base * 100.0).round() as i64,
        effective_from: from,
        note: Some(note.clone()),
    })
    .collect())
}

/// A cost-of-living adjustment: every band in force on `from` grows by `percent` from then.
pub async fn cost_of_living(
    store: &Store,
    ctx: &Context,
    percent: f64,
    from: Date,
) -> Result<Vec<Band>> {
    ctx.require(Permission::EditPeople)?;
    if !(-50.0..=100.0).contains(&percent) {
        return Err(AppError::invalid(
            "percent",
            format!("{percent}% is not an adjustment between -50% and 100%"),
        ));
    }
    let bands = store.list_bands().await?;
    let raised: Vec<Band> = people::bands_on(&bands, from)
        .into_iter()
        .map(|b| Band {
            // Whole dollars; bands already in the table are at most MAX_ANNUAL_BASE, so the
            // raised amount stays far inside i64 and check_bands refuses one raised past it.
            annual_base: (b.annual_base.min(MAX_ANNUAL_BASE) as f64 * (1.0 + percent / 100.0)
                / 100.0)
                .round_ties_even() as i64
                * 100,
            effective_from: from,
            note: Some(format!("cost of living {percent:+}%")),
            ..b.clone()
        })
        .collect();
    if raised.is_empty() {
        return Err(AppError::invalid(
            "bands",
            format!("no band is in force on {from}"),
        ));
    }
    set_bands(store, ctx, &raised).await?;
    Ok(raised)
}

/// Bands in force on `day` as a table.
pub async fn bands_table(store: &Store, day: Date) -> Result<Table> {
    let bands = bands_in_force(store, day).await?;
    let mut table = Table::new([
        "ladder",
        "title",
        "level",
        "step",
        "annual_base",
        "effective_from",
        "note",
    ]);
    for b in &bands {
        table.push([
            Some(b.ladder.clone()),
            Some(bearing_core::roles::title(&b.ladder, b.level)),
            Some(b.level.to_string()),
            Some(b.step.to_string()),
            Some(format!("{:.2}", b.annual_base as f64 / 100.0)),
            Some(b.effective_from.to_string()),
            b.note.clone(),
        ]);
    }
    Ok(table)
}

/// The bands in force on `day`, by ladder, level and step (published to every member).
pub async fn bands_in_force(store: &Store, day: Date) -> Result<Vec<Band>> {
    let bands = store.list_bands().await?;
    Ok(people::bands_on(&bands, day).into_iter().cloned().collect())
}

/// People with what they hold today.
pub async fn people_table(store: &Store, today: Date) -> Result<Table> {
    let people = store.list_people().await?;
    let assignments = store.list_assignments().await?;
    let mut table = Table::new(["name", "email", "github", "kind", "renewal", "current"]);
    for p in &people {
        let current: Vec<String> = assignments
            .iter()
            .filter(|a| {
                a.person_id == p.id
                    && a.fields.start <= today
                    && a.fields.end.is_none_or(|e| e >= today)
            })
            .map(|a| {
                format!(
                    "{} ({} FTE)",
                    bearing_core::roles::title(&a.fields.role, a.fields.level),
                    a.fields.fte
                )
            })
            .collect();
        table.push([
            Some(p.fields.name.clone()),
            p.fields.email.clone(),
            p.fields.github.clone(),
            Some(p.fields.kind.to_string()),
            p.fields.renewal.clone(),
            Some(current.join("; ")).filter(|s| !s.is_empty()),
        ]);
    }
    Ok(table)
}

/// Every assignment, with pay: for those who may see it.
pub async fn assignments_table(store: &Store, ctx: &Context) -> Result<Table> {
    ctx.require(Permission::ReadPay)?;
    let mut table = Table::new([
        "id",
        "person",
        "title",
        "step",
        "fte",
        "start",
        "end",
        "monthly_payment",
        "funding",
        "description",
    ]);
    for a in store.list_assignments().await? {
        let f = &a.fields;
        table.push([
            Some(a.id.to_string()),
            Some(a.person.clone()),
            Some(bearing_core::roles::title(&f.role, f.level)),
            Some(f.step.to_string()),
            Some(f.fte.to_string()),
            Some(f.start.to_string()),
            f.end.map(|d| d.to_string()),
            f.monthly_payment
                .map(|p| format!("{:.2}", p as f64 / 100.0)),
            Some(people::funding_text(&f.funding)),
            f.description.clone(),
        ]);
    }
    Ok(table)
}

/// One month's cost of one assignment's share funded by one grant code.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CostLine {
    pub month: Month,
    pub area: Option<String>,
    pub role: String,
    pub grant: String,
    pub cost: f64,
}

/// The team's cost by area and month: for each area (by name; "(no area)" for roles outside
/// one), the sum of its lines in each of `months`, in that order. Lines of other months are
/// left out.
pub fn cost_by_area(lines: &[CostLine], months: &[Month]) -> Vec<(String, Vec<f64>)> {
    let mut by_area: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for line in lines {
        let Some(i) = months.iter().position(|m| *m == line.month) else {
            continue;
        };
        by_area
            .entry(line.area.clone().unwrap_or_else(|| "(no area)".to_owned()))
            .or_insert_with(|| vec![0.0; months.len()])[i] += line.cost;
    }
    by_area.into_iter().collect()
}

/// What the team costs in each of `months`: each assignment's burdened cost (band salary ×
/// FTE ÷ 12 × (1 + benefits) for employees, payment × (1 + overhead) for contractors, for the
/// part of the month it covers), split by grant code. An employee's salary is the band in
/// force on the first day of the month (or of the assignment, if later); a missing band is
/// an error that names it.
pub async fn team_cost(
    store: &Store,
    ctx: &Context,
    months: &[Month],
    rates: &CostRates,
) -> Result<Vec<CostLine>> {
    ctx.require(Permission::ReadPay)?;
    cost_lines(store, months, rates).await
}

/// What one assignment costs in one month, burdened, with whom and what it is for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AssignmentCost {
    pub person_id: PersonId,
    pub month: Month,
    pub area: Option<String>,
    pub role: String,
    pub funding: Vec<(String, f64)>,
    pub cost: f64,
}

/// What each assignment costs in each of `months` it covers; an employee without a band in
/// force is an error that names the band.
pub(crate) async fn assignment_costs(
    store: &Store,
    months: &[Month],
    rates: &CostRates,
) -> Result<Vec<AssignmentCost>> {
    let assignments = store.list_assignments().await?;
    let bands = store.list_bands().await?;
    let people: HashMap<PersonId, PersonKind> = store
        .list_people()
        .await?
        .into_iter()
        .map(|p| (p.id, p.fields.kind))
        .collect();
    let areas: HashMap<AreaId, String> = store
        .list_areas()
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let role_area: HashMap<RoleId, Option<String>> = store
        .list_roles()
        .await?
        .into_iter()
        .map(|r| (r.id, r.area_id.and_then(|a| areas.get(&a).cloned())))
        .collect();
    let mut out = Vec::new();
    for month in months {
        for a in &assignments {
            let f = &a.fields;
            if f.start > month.last_day() || f.end.is_some_and(|e| e < month.first_day()) {
                continue;
            }
            let pay = match (people.get(&a.person_id), f.monthly_payment) {
                (Some(PersonKind::Contractor), Some(payment)) => Pay::Contractor {
                    monthly: payment as f64 / 100.0,
                },
                _ => {
                    let day = f.start.max(month.first_day());
                    let band = people::band_on(&bands, &a.ladder, f.level, f.step, day).ok_or_else(|| {
                        AppError::invalid(
                            "bands",
                            format!(
                                "{} is paid by the band of {} step {}{}, which has no amount on {day}: set the bands (`bearing band generate` or `bearing band set`)",
                                a.person,
                                bearing_core::roles::title(&f.role, f.level),
                                f.step,
                                if a.ladder == f.role { String::new() } else { format!(" on the ladder {:?}", a.ladder) }
                            ),
                        )
                    })?;
                    Pay::Employee {
                        annual_salary: band.annual_base as f64 / 100.0,
                        fte: f.fte,
                    }
                }
            };
            let cost = people::monthly_cost(
                &people::Assignment {
                    person: a.person.clone(),
                    pay,
                    start: f.start,
                    end: f.end,
                    funding: f.funding.clone(),
                },
                *month,
                rates,
            );
            out.push(AssignmentCost {
                person_id: a.person_id,
                month: *month,
                area: role_area.get(&a.role_id).cloned().flatten(),
                role: f.role.clone(),
                funding: f.funding.clone(),
                cost,
            });
        }
    }
    Ok(out)
}

/// [`team_cost`], for the reports, which say themselves whom they show (`sight`).
async fn cost_lines(store: &Store, months: &[Month], rates: &CostRates) -> Result<Vec<CostLine>> {
    let mut lines: BTreeMap<(Month, Option<String>, String, String), f64> = BTreeMap::new();
    for a in assignment_costs(store, months, rates).await? {
        for (grant, share) in &a.funding {
            *lines
                .entry((a.month, a.area.clone(), a.role.clone(), grant.clone()))
                .or_default() += a.cost * share;
        }
    }
    Ok(lines
        .into_iter()
        .map(|((month, area, role, grant), cost)| CostLine {
            month,
            area,
            role,
            grant,
            cost,
        })
        .collect())
}

/// The team's cost as a table: month, area, role, grant code, cost.
pub fn team_cost_table(lines: &[CostLine]) -> Table {
    let mut table = Table::new(["month", "area", "role", "grant", "cost"]);
    for l in lines {
        table.push([
            Some(l.month.to_string()),
            l.area.clone(),
            Some(l.role.clone()),
            Some(l.grant.clone()),
            Some(format!("{:.2}", l.cost)),
        ]);
    }
    table
}

/// The scorecard's monthly costs, where they came from, and a sentence saying so.
#[derive(Debug, Clone, PartialEq)]
pub struct Costs {
    pub monthly: f64,
    /// The source used: typed, team or actuals (`best` resolved to one of them).
    pub from: CostsFrom,
    pub note: String,
}

impl Costs {
    /// Whether the costs hold what people are paid (the team's cost or the ledger's payroll),
    /// so that what is worked out from them is for those who may see pay.
    pub fn hold_pay(&self) -> bool {
        self.from != CostsFrom::Typed
    }
}

/// The scorecard's monthly costs by the assumption `costs-from`: the typed-in
/// `monthly-costs`; the team's mean monthly cost over the twelve months from `start` plus
/// `non-personnel-costs`; the mean costs of the last three closed months; or the best of these
/// available (the actuals once a month with actuals is closed, else the team's when it costs
/// anything, else the typed).
pub async fn effective_costs(
    store: &Store,
    a: &bearing_core::assumptions::Assumptions,
    start: Month,
) -> Result<Costs> {
    let chosen = a.costs_from();
    let said = |from: CostsFrom, monthly: f64, note: String| {
        let why = match (chosen, from) {
            (CostsFrom::Best, CostsFrom::Actuals) => {
                ": the best costs available, from the closed books"
            }
            (CostsFrom::Best, CostsFrom::Team) => {
                ": the best costs available until a month is closed with its actuals"
            }
            (CostsFrom::Best, _) => {
                ": no month is closed with its actuals and the team costs nothing yet"
            }
            _ => "",
        };
        Costs {
            monthly,
            from,
            note: format!("{note}{why} (assumption costs-from={chosen})."),
        }
    };
    if matches!(chosen, CostsFrom::Actuals | CostsFrom::Best) {
        match crate::books::costs_from_actuals(store).await? {
            Some((monthly, note)) => return Ok(said(CostsFrom::Actuals, monthly, note)),
            None if chosen == CostsFrom::Actuals => {
                return Err(AppError::invalid(
                    "costs-from",
                    "actuals needs a closed month with actuals: import the ledger and close a month, or set costs-from to typed or team",
                ));
            }
            None => {}
        }
    }
    if matches!(chosen, CostsFrom::Team | CostsFrom::Best) {
        let months: Vec<Month> = (0..12).filter_map(|i| start.plus(i)).collect();
        let lines = cost_lines(store, &months, &CostRates::default()).await?;
        let team = lines.iter().map(|l| l.cost).sum::<f64>() / months.len().max(1) as f64;
        if chosen == CostsFrom::Team || team > 0.0 {
            let dollars = bearing_core::forecast::dollars;
            return Ok(said(
                CostsFrom::Team,
                team + a.non_personnel_costs,
                format!(
                    "Costs are the team's, {}/month on average from {} to {} by its assignments and bands, plus {} non-personnel",
                    dollars(team),
                    months.first().map(ToString::to_string).unwrap_or_default(),
                    months.last().map(ToString::to_string).unwrap_or_default(),
                    dollars(a.non_personnel_costs)
                ),
            ));
        }
    }
    Ok(said(
        CostsFrom::Typed,
        a.monthly_costs,
        "Costs are the typed-in monthly-costs".to_owned(),
    ))
}

/// The rate calculator's default burdened annual cost of an engineer.
pub const DEFAULT_COST: f64 = 180_000.0;
/// The default billable hours a year (about 900 of 2,000).
pub const DEFAULT_HOURS: f64 = 900.0;
/// The default margin: none.
pub const DEFAULT_MARGIN: f64 = 0.0;

/// The rate calculator's inputs; each one left out takes its default ([`DEFAULT_COST`],
/// [`DEFAULT_HOURS`], [`DEFAULT_MARGIN`]), and the fee the assumption `fsp-fee` in force, for
/// those who may read the assumptions (others give it).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RateInput {
    pub cost: Option<f64>,
    pub hours: Option<f64>,
    pub fee: Option<f64>,
    pub margin: Option<f64>,
}

/// The blended hourly rate and what it was made of.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Rate {
    pub cost: f64,
    pub hours: f64,
    pub fee: f64,
    pub margin: f64,
    pub hourly_rate: f64,
}

/// The blended hourly rate: burdened cost ÷ billable hours × (1 + FSP fee) × (1 + margin),
/// the same for every front door.
pub async fn rate(store: &Store, ctx: &Context, input: RateInput, today: Date) -> Result<Rate> {
    ctx.require(Permission::Read)?;
    let fee = match input.fee {
        Some(fee) => fee,
        None if ctx.may(Permission::EditAssumptions) => {
            crate::assumptions::current(store, today).await?.1.fsp_fee
        }
        None => {
            return Err(AppError::invalid(
                "fee",
                "give the sponsor's fee as a fraction: the one in the assumptions is for those who may read them",
            ));
        }
    };
    let (cost, hours, margin) = (
        input.cost.unwrap_or(DEFAULT_COST),
        input.hours.unwrap_or(DEFAULT_HOURS),
        input.margin.unwrap_or(DEFAULT_MARGIN),
    );
    let hourly_rate = bearing_core::people::checked_hourly_rate(cost, hours, fee, margin)
        .map_err(|message| AppError::invalid("rate", message))?;
    Ok(Rate {
        cost,
        hours,
        fee,
        margin,
        hourly_rate,
    })
}

/// Whether the actor may see `person`'s pay: with `read-pay` everyone's, else their own.
pub fn may_see_pay_of(ctx: &Context, person: &PersonRecord) -> bool {
    ctx.may(Permission::ReadPay)
        || person
            .fields
            .email
            .as_deref()
            .is_some_and(|email| email.eq_ignore_ascii_case(ctx.actor.as_str()))
}

/// An assignment as a viewer may see it: the title is public (the organisation publishes its
/// roles and who holds them); the step, time, pay and funding only for those who may see pay.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AssignmentView {
    pub id: AssignmentId,
    pub role: String,
    pub title: String,
    pub start: Date,
    pub end: Option<Date>,
    pub description: Option<String>,
    pub pay: Option<PayView>,
}

/// The pay side of an assignment.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PayView {
    pub step: u8,
    pub fte: f64,
    /// Employees: the band's annual base in force today, and that × FTE (minor units).
    pub annual_base: Option<i64>,
    pub annual_pay: Option<i64>,
    /// Contractors: the monthly payment (minor units).
    pub monthly_payment: Option<i64>,
    pub funding: Vec<(String, f64)>,
}

/// A person and their assignments, as a viewer may see them.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PersonView {
    pub id: PersonId,
    pub name: String,
    pub email: Option<String>,
    pub github: Option<String>,
    pub kind: PersonKind,
    pub renewal: Option<String>,
    /// Whether `pay` is filled in for this viewer.
    pub pay_visible: bool,
    pub assignments: Vec<AssignmentView>,
}

/// Everyone, with their assignments, as the actor may see them on `today`.
pub async fn directory(store: &Store, ctx: &Context, today: Date) -> Result<Vec<PersonView>> {
    ctx.require(Permission::Read)?;
    let people = store.list_people().await?;
    let assignments = store.list_assignments().await?;
    let bands = store.list_bands().await?;
    Ok(people
        .into_iter()
        .map(|p| {
            let visible = may_see_pay_of(ctx, &p);
            let mine = assignments
                .iter()
                .filter(|a| a.person_id == p.id)
                .map(|a| {
                    let f = &a.fields;
                    let pay = visible.then(|| {
                        let base = (p.fields.kind == PersonKind::Employee)
                            .then(|| {
                                people::band_on(
                                    &bands,
                                    &a.ladder,
                                    f.level,
                                    f.step,
                                    today.max(f.start),
                                )
                            })
                            .flatten()
                            .map(|b| b.annual_base);
                        PayView {
                            step: f.step,
                            fte: f.fte,
                            annual_base: base,
                            annual_pay: base.map(|b| (b as f64 * f.fte).round() as i64),
                            monthly_payment: f.monthly_payment,
                            funding: f.funding.clone(),
                        }
                    });
                    AssignmentView {
                        id: a.id,
                        role: f.role.clone(),
                        title: bearing_core::roles::title(&f.role, f.level),
                        start: f.start,
                        end: f.end,
                        description: f.description.clone(),
                        pay,
                    }
                })
                .collect();
            PersonView {
                id: p.id,
                name: p.fields.name,
                email: p.fields.email,
                github: p.fields.github,
                kind: p.fields.kind,
                renewal: p.fields.renewal,
                pay_visible: visible,
                assignments: mine,
            }
        })
        .collect())
}

/// The current-roles table of an area (or of everyone): role, person, description, from the
/// assignments in force on `today`.
pub async fn current_roles(
    store: &Store,
    area: Option<AreaId>,
    today: Date,
) -> Result<Vec<bearing_core::roles::CurrentRole>> {
    let roles: HashMap<RoleId, Option<AreaId>> = store
        .list_roles()
        .await?
        .into_iter()
        .map(|r| (r.id, r.area_id))
        .collect();
    Ok(store
        .list_assignments()
        .await?
        .into_iter()
        .filter(|a| a.fields.start <= today && a.fields.end.is_none_or(|e| e >= today))
        .filter(|a| area.is_none() || roles.get(&a.role_id).copied().flatten() == area)
        .map(|a| bearing_core::roles::CurrentRole {
            role: a.fields.role,
            person: a.person,
            description: a.fields.description.unwrap_or_default(),
        })
        .collect())
}

/// The balancing rule now: costs ≤ amount sold, and the hubs in service ≤ what engineering
/// can operate.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BalanceView {
    /// Monthly costs and where they come from.
    pub costs: f64,
    pub costs_note: String,
    /// Committed revenue of the month (`None` before books-closed is set).
    pub sold: Option<f64>,
    pub month: Month,
    pub hubs_in_service: usize,
    pub delivery: people::Delivery,
}

/// The balancing rule's numbers on `today`: the scorecard's monthly costs, the month's
/// committed revenue, and the delivery capacity of the engineering FTE in force (assignments
/// in roles of the area named Engineering) for the hubs in service (hubs, and clusters
/// without hubs, running this month and not excluded from usage; a hub's kind is the first
/// of its community's tags that names a kind of `hubs-per-engineer`).
pub async fn balance(
    store: &Store,
    ctx: &Context,
    a: &bearing_core::assumptions::Assumptions,
    today: Date,
) -> Result<BalanceView> {
    ctx.require(Permission::ReadPay)?;
    ctx.require(Permission::ReadCash)?;
    let month = Month::of(today);
    // The scorecard's costs, from where its forecast starts, so both pages say the same.
    let start = a.books_closed.and_then(|m| m.plus(1)).unwrap_or(month);
    let Costs {
        monthly: costs,
        note: costs_note,
        ..
    } = effective_costs(store, a, start).await?;
    let sold = match a.books_closed {
        Some(_) => {
            let f = crate::forecast::forecast_with(store, a).await?;
            let committed = f.committed_row();
            Some(
                f.months
                    .iter()
                    .position(|m| *m == month)
                    .or(if f.start > month { Some(0) } else { None })
                    .and_then(|i| committed.get(i).copied())
                    .unwrap_or(0.0),
            )
        }
        None => None,
    };
    let areas: HashMap<AreaId, String> = store
        .list_areas()
        .await?
        .into_iter()
        .map(|x| (x.id, x.name))
        .collect();
    let engineering: std::collections::HashSet<RoleId> = store
        .list_roles()
        .await?
        .into_iter()
        .filter(|r| {
            r.area_id
                .and_then(|x| areas.get(&x))
                .is_some_and(|n| n.eq_ignore_ascii_case("engineering"))
        })
        .map(|r| r.id)
        .collect();
    let engineering_fte: f64 = store
        .list_assignments()
        .await?
        .iter()
        .filter(|x| engineering.contains(&x.role_id))
        .filter(|x| x.fields.start <= today && x.fields.end.is_none_or(|e| e >= today))
        .map(|x| x.fields.fte)
        .sum();
    let tags: HashMap<bearing_core::OrganizationId, Vec<String>> = store
        .list_organizations(true)
        .await?
        .into_iter()
        .map(|o| (o.id, o.fields.tags))
        .collect();
    let exclusions = bearing_core::usage::Exclusions {
        substrings: a.usage_exclusions.clone(),
        windows: Vec::new(),
    };
    let units = store.list_units().await?;
    let clusters: HashMap<bearing_core::ClusterId, &bearing_store::UnitRecord> = units
        .iter()
        .filter_map(|u| match u.id {
            bearing_store::UnitId::Cluster(id) => Some((id, u)),
            bearing_store::UnitId::Hub(_) => None,
        })
        .collect();
    let kind_of = |owner: Option<bearing_core::OrganizationId>| -> String {
        owner
            .and_then(|o| tags.get(&o))
            .and_then(|t| {
                t.iter()
                    .map(|x| x.to_lowercase())
                    .find(|x| a.hubs_per_engineer.iter().any(|(k, _)| k == x))
            })
            .unwrap_or_default()
    };
    let mut kinds = Vec::new();
    for u in &units {
        let cluster = match u.cluster_id {
            Some(c) => clusters.get(&c).copied(),
            None => Some(u),
        };
        let Some(cluster) = cluster else { continue };
        let has_hubs = match u.id {
            bearing_store::UnitId::Cluster(id) => units.iter().any(|h| h.cluster_id == Some(id)),
            bearing_store::UnitId::Hub(_) => false,
        };
        let excluded = exclusions.excludes(&bearing_core::usage::Sample {
            cluster: cluster.name.clone(),
            date: today,
            users: 0,
        });
        if has_hubs || excluded || !u.fields.runs_in(month) || !cluster.fields.runs_in(month) {
            continue;
        }
        kinds.push(kind_of(
            u.fields.organization.or(cluster.fields.organization),
        ));
    }
    Ok(BalanceView {
        costs,
        costs_note,
        sold,
        month,
        hubs_in_service: kinds.len(),
        delivery: people::delivery(&kinds, &a.hubs_per_engineer, engineering_fte),
    })
}

/// The balancing rule as a table: measure, value, whether it holds, how.
pub fn balance_table(b: &BalanceView) -> Table {
    let mut table = Table::new(["measure", "value", "holds", "how"]);
    table.push([
        Some("costs".to_owned()),
        Some(format!("{:.2}", b.costs)),
        None,
        Some(b.costs_note.clone()),
    ]);
    table.push([
        Some("amount_sold".to_owned()),
        b.sold.map(|s| format!("{s:.2}")),
        b.sold.map(|s| (b.costs <= s).to_string()),
        Some(format!("committed revenue of {}", b.month)),
    ]);
    table.push([
        Some("delivery_capacity_hubs".to_owned()),
        Some(format!("{:.1}", b.delivery.capacity)),
        Some((b.hubs_in_service as f64 <= b.delivery.capacity).to_string()),
        Some(format!(
            "{} hubs in service need {:.2} engineering FTE; {:.2} FTE in Engineering",
            b.hubs_in_service, b.delivery.needed_fte, b.delivery.engineering_fte
        )),
    ]);
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cost_by_area_sums_each_areas_lines_per_month() {
        let month = |m: &str| Month::parse(m).unwrap_or_else(|_| unreachable!("a valid month"));
        let line = |m: &str, area: Option<&str>, cost: f64| CostLine {
            month: month(m),
            area: area.map(str::to_owned),
            role: "Engineer".into(),
            grant: "CORE".into(),
            cost,
        };
        let lines = [
            line("2026-01", Some("Engineering"), 1_000.0),
            line("2026-01", Some("Engineering"), 250.0),
            line("2026-02", Some("Engineering"), 1_000.0),
            line("2026-02", None, 400.0),
            line("2025-12", Some("Engineering"), 9_999.0),
        ];
        assert_eq!(
            cost_by_area(&lines, &[month("2026-01"), month("2026-02")]),
            [
                ("(no area)".to_owned(), vec![0.0, 400.0]),
                ("Engineering".to_owned(), vec![1_250.0, 1_000.0]),
            ]
        );
    }
}
