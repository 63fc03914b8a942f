//! Custom roles: bundles of permissions an admin defined, kept by name. Deleting one is soft;
//! a user who still holds a deleted role is granted nothing by it.

use bearing_core::access::{Permissions, RoleName};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, StoreError, Tx, timestamp_text};

/// A custom role as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AccessRoleRecord {
    pub id: i64,
    pub name: RoleName,
    pub description: Option<String>,
    pub permissions: Permissions,
    #[serde(with = "crate::stored_time")]
    pub created_at: jiff::Timestamp,
    #[serde(with = "crate::stored_time")]
    pub updated_at: jiff::Timestamp,
    #[serde(with = "crate::stored_time::option")]
    pub deleted_at: Option<jiff::Timestamp>,
}

const COLUMNS: &str = "id, name, description, permissions, created_at, updated_at, deleted_at";

fn from_row(row: &AnyRow) -> Result<AccessRoleRecord> {
    let bad = |e: bearing_core::ParseError| StoreError::Database(e.to_string());
    Ok(AccessRoleRecord {
        id: row.try_get("id")?,
        name: RoleName::parse(&row.try_get::<String, _>("name")?).map_err(bad)?,
        description: row.try_get("description")?,
        permissions: row
            .try_get::<String, _>("permissions")?
            .parse()
            .map_err(bad)?,
        created_at: crate::read_time(row, "created_at")?,
        updated_at: crate::read_time(row, "updated_at")?,
        deleted_at: crate::read_time(row, "deleted_at")?,
    })
}

impl Tx {
    pub async fn insert_access_role(
        &mut self,
        name: &RoleName,
        description: Option<&str>,
        permissions: Permissions,
        at: jiff::Timestamp,
    ) -> Result<AccessRoleRecord> {
        let now = timestamp_text(at);
        let sql = format!(
            "INSERT INTO access_roles (name, description, permissions, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $4) RETURNING {COLUMNS}"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(name.as_str())
            .bind(description)
            .bind(permissions.to_string())
            .bind(&now)
            .fetch_one(&mut *self.inner)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Conflict(_) => {
                    StoreError::Conflict(format!("a role named {name} already exists"))
                }
                other => other,
            })?;
        from_row(&row)
    }

    /// Changes what a role grants and says, and deletes (`Some`) or restores (`None`) it.
    pub async fn update_access_role(
        &mut self,
        id: i64,
        description: Option<&str>,
        permissions: Permissions,
        deleted: Option<jiff::Timestamp>,
        at: jiff::Timestamp,
    ) -> Result<AccessRoleRecord> {
        let sql = format!(
            "UPDATE access_roles SET description = $1, permissions = $2, deleted_at = $3,
                    updated_at = $4
             WHERE id = $5 RETURNING {COLUMNS}"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(description)
            .bind(permissions.to_string())
            .bind(deleted.map(timestamp_text))
            .bind(timestamp_text(at))
            .bind(id)
            .fetch_optional(&mut *self.inner)
            .await?
            .ok_or(StoreError::NotFound {
                kind: "role",
                id: id.to_string(),
            })?;
        from_row(&row)
    }
}

impl Store {
    /// Every custom role, deleted ones too, by name.
    pub async fn list_access_roles(&self) -> Result<Vec<AccessRoleRecord>> {
        list_access_roles(&self.pool).await
    }

    /// The custom role of this name, deleted or not.
    pub async fn find_access_role(&self, name: &RoleName) -> Result<Option<AccessRoleRecord>> {
        find_access_role(&self.pool, name).await
    }
}

impl Tx {
    /// Every custom role, deleted ones too, by name, as this transaction sees them.
    pub async fn list_access_roles(&mut self) -> Result<Vec<AccessRoleRecord>> {
        list_access_roles(&mut *self.inner).await
    }

    /// The custom role of this name, deleted or not, as this transaction sees it.
    pub async fn find_access_role(&mut self, name: &RoleName) -> Result<Option<AccessRoleRecord>> {
        find_access_role(&mut *self.inner, name).await
    }
}

async fn list_access_roles<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
) -> Result<Vec<AccessRoleRecord>> {
    let sql = format!("SELECT {COLUMNS} FROM access_roles ORDER BY name");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(executor)
        .await?;
    rows.iter().map(from_row).collect()
}

async fn find_access_role<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    name: &RoleName,
) -> Result<Option<AccessRoleRecord>> {
    let sql = format!("SELECT {COLUMNS} FROM access_roles WHERE name = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(name.as_str())
        .fetch_optional(executor)
        .await?;
    row.as_ref().map(from_row).transpose()
}
