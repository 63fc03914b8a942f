//! People, their assignments and the salary bands.

use bearing_core::people::{AssignmentFields, Band, PersonFields, PersonKind};
use bearing_core::{AssignmentId, PersonId, RoleId};

use sqlx::{Any, Executor};

use crate::{Result, Store, StoreError, Tx, timestamp_text};

/// A person as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PersonRecord {
    pub id: PersonId,
    #[serde(flatten)]
    pub fields: PersonFields,
    /// When the person was deleted (entered by mistake); deleted people leave every list.
    #[serde(with = "crate::stored_time::option")]
    pub deleted_at: Option<jiff::Timestamp>,
}

/// An assignment as stored, with its person's and role's names.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AssignmentRecord {
    pub id: AssignmentId,
    pub person_id: PersonId,
    pub person: String,
    pub role_id: RoleId,
    /// The bands the role is paid by (the role's ladder, or its name).
    pub ladder: String,
    #[serde(flatten)]
    pub fields: AssignmentFields,
    /// When the assignment was deleted (entered by mistake).
    #[serde(with = "crate::stored_time::option")]
    pub deleted_at: Option<jiff::Timestamp>,
}

fn corrupt(what: &str, e: &dyn std::fmt::Display) -> StoreError {
    StoreError::Database(format!(
        "unreadable person, assignment or band ({what}): {e}"
    ))
}

type PersonRow = (
    i64,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);

const PERSON_SELECT: &str = "SELECT id, name, email, github, kind, renewal, deleted_at FROM people";

fn person(row: PersonRow) -> Result<PersonRecord> {
    let (id, name, email, github, kind, renewal, deleted_at) = row;
    Ok(PersonRecord {
        id: PersonId::new(id).map_err(|e| corrupt("id", &e))?,
        fields: PersonFields {
            name,
            email,
            github,
            kind: kind
                .parse::<PersonKind>()
                .map_err(|e| corrupt("kind", &e))?,
            renewal,
        },
        deleted_at: crate::stored_timestamp_opt("deleted_at", deleted_at.as_deref())?,
    })
}

/// id, person id and name, role id, name and ladder, level, step, fte, start, end, payment,
/// description, funding, deleted.
type AssignmentRow = (
    i64,
    i64,
    String,
    i64,
    String,
    String,
    i64,
    i64,
    f64,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
    String,
    Option<String>,
);

fn assignment(row: AssignmentRow) -> Result<AssignmentRecord> {
    let (
        id,
        person_id,
        person,
        role_id,
        role,
        ladder,
        level,
        step,
        fte,
        start,
        end,
        payment,
        description,
        funding,
        deleted_at,
    ) = row;
    let date =
        |d: &str, what: &str| bearing_core::parse_stored_date(d).map_err(|e| corrupt(what, &e));
    Ok(AssignmentRecord {
        id: AssignmentId::new(id).map_err(|e| corrupt("id", &e))?,
        person_id: PersonId::new(person_id).map_err(|e| corrupt("person_id", &e))?,
        person,
        role_id: RoleId::new(role_id).map_err(|e| corrupt("role_id", &e))?,
        ladder,
        fields: AssignmentFields {
            role,
            level: u8::try_from(level).map_err(|e| corrupt("level", &e))?,
            step: u8::try_from(step).map_err(|e| corrupt("step", &e))?,
            fte,
            start: date(&start, "start_date")?,
            end: end.as_deref().map(|d| date(d, "end_date")).transpose()?,
            monthly_payment: payment,
            description,
            funding: serde_json::from_str(&funding).map_err(|e| corrupt("funding_json", &e))?,
        },
        deleted_at: crate::stored_timestamp_opt("deleted_at", deleted_at.as_deref())?,
    })
}

const ASSIGNMENT_SELECT: &str =
    "SELECT a.id, a.person_id, p.name, a.role_id, r.name, COALESCE(r.ladder, r.name), a.level, a.step, a.fte,
        a.start_date, a.end_date, a.monthly_payment, a.description, a.funding_json, a.deleted_at
 FROM assignments a JOIN people p ON p.id = a.person_id JOIN roles r ON r.id = a.role_id";

impl Tx {
    pub async fn insert_person(
        &mut self,
        f: &PersonFields,
        at: jiff::Timestamp,
    ) -> Result<PersonRecord> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO people (name, email, github, kind, renewal, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(&f.name)
        .bind(&f.email)
        .bind(&f.github)
        .bind(f.kind.as_str())
        .bind(&f.renewal)
        .bind(timestamp_text(at))
        .fetch_one(&mut *self.inner)
        .await?;
        self.get_person(PersonId::new(id).map_err(|e| corrupt("id", &e))?)
            .await
    }

    pub async fn update_person(
        &mut self,
        id: PersonId,
        f: &PersonFields,
        at: jiff::Timestamp,
    ) -> Result<PersonRecord> {
        sqlx::query(
            "UPDATE people SET name = $1, email = $2, github = $3, kind = $4, renewal = $5, updated_at = $6
             WHERE id = $7 AND deleted_at IS NULL",
        )
        .bind(&f.name)
        .bind(&f.email)
        .bind(&f.github)
        .bind(f.kind.as_str())
        .bind(&f.renewal)
        .bind(timestamp_text(at))
        .bind(id.get())
        .execute(&mut *self.inner)
        .await?;
        self.get_person(id).await
    }

    /// A person who is not deleted.
    pub async fn get_person(&mut self, id: PersonId) -> Result<PersonRecord> {
        let found = self.get_person_including_deleted(id).await?;
        if found.deleted_at.is_some() {
            return Err(StoreError::NotFound {
                kind: "person",
                id: id.to_string(),
            });
        }
        Ok(found)
    }

    /// A person, deleted or not.
    pub async fn get_person_including_deleted(&mut self, id: PersonId) -> Result<PersonRecord> {
        let sql = format!("{PERSON_SELECT} WHERE id = $1");
        let row: Option<PersonRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id.get())
            .fetch_optional(&mut *self.inner)
            .await?;
        person(row.ok_or_else(|| StoreError::NotFound {
            kind: "person",
            id: id.to_string(),
        })?)
    }

    /// Deletes (`deleted`) or restores a person.
    pub async fn set_person_deleted(
        &mut self,
        id: PersonId,
        deleted: Option<jiff::Timestamp>,
        at: jiff::Timestamp,
    ) -> Result<PersonRecord> {
        self.set_deleted_at("people", id.get(), deleted, at).await?;
        self.get_person_including_deleted(id).await
    }

    pub async fn insert_assignment(
        &mut self,
        person_id: PersonId,
        role_id: RoleId,
        f: &AssignmentFields,
        at: jiff::Timestamp,
    ) -> Result<AssignmentRecord> {
        let funding = serde_json::to_string(&f.funding).map_err(|e| corrupt("funding", &e))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO assignments (person_id, role_id, level, step, fte, start_date, end_date, monthly_payment,
                                      description, funding_json, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
        )
        .bind(person_id.get())
        .bind(role_id.get())
        .bind(i64::from(f.level))
        .bind(i64::from(f.step))
        .bind(f.fte)
        .bind(f.start.to_string())
        .bind(f.end.map(|d| d.to_string()))
        .bind(f.monthly_payment)
        .bind(&f.description)
        .bind(funding)
        .bind(timestamp_text(at))
        .fetch_one(&mut *self.inner)
        .await?;
        self.get_assignment(AssignmentId::new(id).map_err(|e| corrupt("id", &e))?)
            .await
    }

    /// Replaces an assignment's role, level, step, time, dates, pay, description and funding.
    pub async fn update_assignment(
        &mut self,
        id: AssignmentId,
        role_id: RoleId,
        f: &AssignmentFields,
        at: jiff::Timestamp,
    ) -> Result<AssignmentRecord> {
        let funding = serde_json::to_string(&f.funding).map_err(|e| corrupt("funding", &e))?;
        sqlx::query(
            "UPDATE assignments SET role_id = $1, level = $2, step = $3, fte = $4, start_date = $5, end_date = $6,
                                    monthly_payment = $7, description = $8, funding_json = $9, updated_at = $10
             WHERE id = $11 AND deleted_at IS NULL",
        )
        .bind(role_id.get())
        .bind(i64::from(f.level))
        .bind(i64::from(f.step))
        .bind(f.fte)
        .bind(f.start.to_string())
        .bind(f.end.map(|d| d.to_string()))
        .bind(f.monthly_payment)
        .bind(&f.description)
        .bind(funding)
        .bind(timestamp_text(at))
        .bind(id.get())
        .execute(&mut *self.inner)
        .await?;
        self.get_assignment(id).await
    }

    /// An assignment that is not deleted.
    pub async fn get_assignment(&mut self, id: AssignmentId) -> Result<AssignmentRecord> {
        let found = self.get_assignment_including_deleted(id).await?;
        if found.deleted_at.is_some() {
            return Err(StoreError::NotFound {
                kind: "assignment",
                id: id.to_string(),
            });
        }
        Ok(found)
    }

    /// An assignment, deleted or not.
    pub async fn get_assignment_including_deleted(
        &mut self,
        id: AssignmentId,
    ) -> Result<AssignmentRecord> {
        let sql = format!("{ASSIGNMENT_SELECT} WHERE a.id = $1");
        let row: Option<AssignmentRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id.get())
            .fetch_optional(&mut *self.inner)
            .await?;
        assignment(row.ok_or_else(|| StoreError::NotFound {
            kind: "assignment",
            id: id.to_string(),
        })?)
    }

    /// Deletes (`deleted`) or restores an assignment.
    pub async fn set_assignment_deleted(
        &mut self,
        id: AssignmentId,
        deleted: Option<jiff::Timestamp>,
        at: jiff::Timestamp,
    ) -> Result<AssignmentRecord> {
        self.set_deleted_at("assignments", id.get(), deleted, at)
            .await?;
        self.get_assignment_including_deleted(id).await
    }

    /// Writes bands; a band already set for its ladder, level, step and day takes the new
    /// amount.
    pub async fn put_bands(&mut self, bands: &[Band], at: jiff::Timestamp) -> Result<()> {
        let at = timestamp_text(at);
        for b in bands {
            sqlx::query(
                "INSERT INTO salary_bands (ladder, level, step, annual_base, effective_from, note, recorded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (ladder, level, step, effective_from)
                 DO UPDATE SET annual_base = excluded.annual_base, note = excluded.note, recorded_at = excluded.recorded_at",
            )
            .bind(&b.ladder)
            .bind(i64::from(b.level))
            .bind(i64::from(b.step))
            .bind(b.annual_base)
            .bind(b.effective_from.to_string())
            .bind(&b.note)
            .bind(&at)
            .execute(&mut *self.inner)
            .await?;
        }
        Ok(())
    }
}

async fn list_people<'e>(executor: impl Executor<'e, Database = Any>) -> Result<Vec<PersonRecord>> {
    let sql = format!("{PERSON_SELECT} WHERE deleted_at IS NULL ORDER BY name");
    let rows: Vec<PersonRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(executor)
        .await?;
    rows.into_iter().map(person).collect()
}

async fn list_assignments<'e>(
    executor: impl Executor<'e, Database = Any>,
) -> Result<Vec<AssignmentRecord>> {
    let sql = format!(
        "{ASSIGNMENT_SELECT} WHERE a.deleted_at IS NULL AND p.deleted_at IS NULL
         ORDER BY p.name, a.start_date, a.id"
    );
    let rows: Vec<AssignmentRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(executor)
        .await?;
    rows.into_iter().map(assignment).collect()
}

async fn list_bands<'e>(executor: impl Executor<'e, Database = Any>) -> Result<Vec<Band>> {
    let rows: Vec<(String, i64, i64, i64, String, Option<String>)> = sqlx::query_as(
        "SELECT ladder, level, step, annual_base, effective_from, note FROM salary_bands
         ORDER BY ladder, level, step, effective_from",
    )
    .fetch_all(executor)
    .await?;
    rows.into_iter()
        .map(|(ladder, level, step, annual_base, from, note)| {
            Ok(Band {
                ladder,
                level: u8::try_from(level).map_err(|e| corrupt("level", &e))?,
                step: u8::try_from(step).map_err(|e| corrupt("step", &e))?,
                annual_base,
                effective_from: bearing_core::parse_stored_date(&from)
                    .map_err(|e| corrupt("effective_from", &e))?,
                note,
            })
        })
        .collect()
}

/// The reads a write checks other rows with, as the writing transaction sees them.
impl Tx {
    /// People by name.
    pub async fn list_people(&mut self) -> Result<Vec<PersonRecord>> {
        list_people(&mut *self.inner).await
    }

    /// Every assignment, by person and start.
    pub async fn list_assignments(&mut self) -> Result<Vec<AssignmentRecord>> {
        list_assignments(&mut *self.inner).await
    }

    /// Every band ever set, by ladder, level, step and day.
    pub async fn list_bands(&mut self) -> Result<Vec<Band>> {
        list_bands(&mut *self.inner).await
    }
}

impl Store {
    /// People by name.
    pub async fn list_people(&self) -> Result<Vec<PersonRecord>> {
        list_people(&self.pool).await
    }

    /// Every assignment, by person and start.
    pub async fn list_assignments(&self) -> Result<Vec<AssignmentRecord>> {
        list_assignments(&self.pool).await
    }

    /// Every band ever set, by ladder, level, step and day.
    pub async fn list_bands(&self) -> Result<Vec<Band>> {
        list_bands(&self.pool).await
    }
}
