//! Areas, roles and the parts of published pages.

use bearing_core::roles::{AreaPage, RoleText};
use bearing_core::{AreaId, RoleId};

use sqlx::{Any, Executor};

use crate::{Result, Store, StoreError, Tx, timestamp_text};

/// An area as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AreaRecord {
    pub id: AreaId,
    pub name: String,
    pub description: Option<String>,
    pub position: i64,
    /// The area's page, once one was imported.
    pub page: Option<AreaPage>,
}

/// A role as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RoleRecord {
    pub id: RoleId,
    pub area_id: Option<AreaId>,
    pub position: i64,
    pub text: RoleText,
    /// The bands the role is paid by, when it shares them with other roles; `None`: its own,
    /// keyed by its name.
    pub ladder: Option<String>,
}

impl RoleRecord {
    /// The name of the bands the role is paid by.
    pub fn ladder(&self) -> &str {
        self.ladder.as_deref().unwrap_or(&self.text.name)
    }
}

fn corrupt(what: &str, e: &dyn std::fmt::Display) -> StoreError {
    StoreError::Database(format!("unreadable role or area ({what}): {e}"))
}

fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Database(e.to_string()))
}

type AreaRow = (i64, String, Option<String>, i64, Option<String>);
type RoleRow = (i64, Option<i64>, i64, String, Option<String>);

const ROLE_SELECT: &str = "SELECT id, area_id, position, text_json, ladder FROM roles";

fn area(row: AreaRow) -> Result<AreaRecord> {
    let (id, name, description, position, page) = row;
    Ok(AreaRecord {
        id: AreaId::new(id).map_err(|e| corrupt("id", &e))?,
        name,
        description,
        position,
        page: page
            .map(|p| serde_json::from_str(&p))
            .transpose()
            .map_err(|e| corrupt("page_json", &e))?,
    })
}

fn role(row: RoleRow) -> Result<RoleRecord> {
    let (id, area_id, position, text, ladder) = row;
    Ok(RoleRecord {
        id: RoleId::new(id).map_err(|e| corrupt("id", &e))?,
        area_id: area_id
            .map(AreaId::new)
            .transpose()
            .map_err(|e| corrupt("area_id", &e))?,
        position,
        text: serde_json::from_str(&text).map_err(|e| corrupt("text_json", &e))?,
        ladder,
    })
}

impl Tx {
    /// Creates the area `name`, or replaces its description, position and (when given) page.
    pub async fn put_area(
        &mut self,
        name: &str,
        description: Option<&str>,
        position: i64,
        page: Option<&AreaPage>,
        at: jiff::Timestamp,
    ) -> Result<AreaRecord> {
        let at = timestamp_text(at);
        let page = page.map(json).transpose()?;
        let existing: Option<i64> =
            sqlx::query_scalar("SELECT id FROM areas WHERE name = $1 AND deleted_at IS NULL")
                .bind(name)
                .fetch_optional(&mut *self.inner)
                .await?;
        let id = match existing {
            Some(id) => {
                sqlx::query(
                    "UPDATE areas SET description = $1, position = $2, page_json = COALESCE($3, page_json), updated_at = $4 WHERE id = $5",
                )
                .bind(description)
                .bind(position)
                .bind(page)
                .bind(at)
                .bind(id)
                .execute(&mut *self.inner)
                .await?;
                id
            }
            None => sqlx::query_scalar(
                "INSERT INTO areas (name, description, position, page_json, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
            )
            .bind(name)
            .bind(description)
            .bind(position)
            .bind(page)
            .bind(at)
            .fetch_one(&mut *self.inner)
            .await?,
        };
        let row: AreaRow = sqlx::query_as(
            "SELECT id, name, description, position, page_json FROM areas WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&mut *self.inner)
        .await?;
        area(row)
    }

    /// Creates the role named in `text`, or replaces its area, position and text.
    pub async fn put_role(
        &mut self,
        text: &RoleText,
        area_id: Option<AreaId>,
        position: i64,
        at: jiff::Timestamp,
    ) -> Result<RoleRecord> {
        let at = timestamp_text(at);
        let body = json(text)?;
        let revisit = text.revisit.map(|m| m.to_string());
        let existing: Option<i64> =
            sqlx::query_scalar("SELECT id FROM roles WHERE name = $1 AND deleted_at IS NULL")
                .bind(&text.name)
                .fetch_optional(&mut *self.inner)
                .await?;
        let id = match existing {
            Some(id) => {
                sqlx::query(
                    "UPDATE roles SET area_id = $1, position = $2, text_json = $3, revisit = $4, updated_at = $5 WHERE id = $6",
                )
                .bind(area_id.map(AreaId::get))
                .bind(position)
                .bind(body)
                .bind(revisit)
                .bind(at)
                .bind(id)
                .execute(&mut *self.inner)
                .await?;
                id
            }
            None => {
                sqlx::query_scalar(
                    "INSERT INTO roles (name, area_id, position, text_json, revisit, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
                )
                .bind(&text.name)
                .bind(area_id.map(AreaId::get))
                .bind(position)
                .bind(body)
                .bind(revisit)
                .bind(at)
                .fetch_one(&mut *self.inner)
                .await?
            }
        };
        self.get_role(RoleId::new(id).map_err(|e| corrupt("id", &e))?)
            .await
    }

    /// Replaces a role's area, text (its name included) and ladder.
    pub async fn update_role(
        &mut self,
        id: RoleId,
        text: &RoleText,
        area_id: Option<AreaId>,
        ladder: Option<&str>,
        at: jiff::Timestamp,
    ) -> Result<RoleRecord> {
        sqlx::query(
            "UPDATE roles SET name = $1, area_id = $2, text_json = $3, revisit = $4, ladder = $5, updated_at = $6
             WHERE id = $7 AND deleted_at IS NULL",
        )
        .bind(&text.name)
        .bind(area_id.map(AreaId::get))
        .bind(json(text)?)
        .bind(text.revisit.map(|m| m.to_string()))
        .bind(ladder)
        .bind(timestamp_text(at))
        .bind(id.get())
        .execute(&mut *self.inner)
        .await?;
        self.get_role(id).await
    }

    pub async fn get_role(&mut self, id: RoleId) -> Result<RoleRecord> {
        let sql = format!("{ROLE_SELECT} WHERE id = $1 AND deleted_at IS NULL");
        let row: Option<RoleRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id.get())
            .fetch_optional(&mut *self.inner)
            .await?;
        role(row.ok_or_else(|| StoreError::NotFound {
            kind: "role",
            id: id.to_string(),
        })?)
    }

    /// Writes a published page's own parts under `name`.
    pub async fn put_document(
        &mut self,
        name: &str,
        content: &serde_json::Value,
        at: jiff::Timestamp,
    ) -> Result<()> {
        let at = timestamp_text(at);
        let content = json(content)?;
        let updated =
            sqlx::query("UPDATE documents SET content_json = $1, updated_at = $2 WHERE name = $3")
                .bind(&content)
                .bind(&at)
                .bind(name)
                .execute(&mut *self.inner)
                .await?
                .rows_affected();
        if updated == 0 {
            sqlx::query(
                "INSERT INTO documents (name, content_json, updated_at) VALUES ($1, $2, $3)",
            )
            .bind(name)
            .bind(content)
            .bind(at)
            .execute(&mut *self.inner)
            .await?;
        }
        Ok(())
    }
}

impl Store {
    /// Areas in their order.
    pub async fn list_areas(&self) -> Result<Vec<AreaRecord>> {
        list_areas(&self.pool).await
    }

    /// Roles in their order.
    pub async fn list_roles(&self) -> Result<Vec<RoleRecord>> {
        list_roles(&self.pool).await
    }

    /// A published page's own parts.
    pub async fn find_document(&self, name: &str) -> Result<Option<serde_json::Value>> {
        find_document(&self.pool, name).await
    }
}

/// The reads a write checks other rows with, as the writing transaction sees them.
impl Tx {
    /// Areas in their order.
    pub async fn list_areas(&mut self) -> Result<Vec<AreaRecord>> {
        list_areas(&mut *self.inner).await
    }

    /// Roles in their order.
    pub async fn list_roles(&mut self) -> Result<Vec<RoleRecord>> {
        list_roles(&mut *self.inner).await
    }

    /// A published page's own parts.
    pub async fn find_document(&mut self, name: &str) -> Result<Option<serde_json::Value>> {
        find_document(&mut *self.inner, name).await
    }
}

async fn list_areas<'e>(executor: impl Executor<'e, Database = Any>) -> Result<Vec<AreaRecord>> {
    let rows: Vec<AreaRow> = sqlx::query_as(
        "SELECT id, name, description, position, page_json FROM areas WHERE deleted_at IS NULL ORDER BY position, id",
    )
    .fetch_all(executor)
    .await?;
    rows.into_iter().map(area).collect()
}

async fn list_roles<'e>(executor: impl Executor<'e, Database = Any>) -> Result<Vec<RoleRecord>> {
    let sql = format!("{ROLE_SELECT} WHERE deleted_at IS NULL ORDER BY position, id");
    let rows: Vec<RoleRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(executor)
        .await?;
    rows.into_iter().map(role).collect()
}

async fn find_document<'e>(
    executor: impl Executor<'e, Database = Any>,
    name: &str,
) -> Result<Option<serde_json::Value>> {
    let text: Option<String> =
        sqlx::query_scalar("SELECT content_json FROM documents WHERE name = $1")
            .bind(name)
            .fetch_optional(executor)
            .await?;
    text.map(|t| serde_json::from_str(&t).map_err(|e| corrupt("content_json", &e)))
        .transpose()
}
