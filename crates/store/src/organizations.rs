//! Organizations: rows, reads and writes.

use bearing_core::OrganizationId;
use bearing_core::organization::{OrganizationFields, OrganizationName};
use sqlx::{Any, Executor};

use crate::{Backend, Result, Store, StoreError, Tx, timestamp_text};

/// An organization as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OrganizationRecord {
    pub id: OrganizationId,
    #[serde(flatten)]
    pub fields: OrganizationFields,
    #[serde(with = "crate::stored_time")]
    pub created_at: jiff::Timestamp,
    #[serde(with = "crate::stored_time")]
    pub updated_at: jiff::Timestamp,
    #[serde(with = "crate::stored_time::option")]
    pub deleted_at: Option<jiff::Timestamp>,
}

crate::bulk::columns! {
    /// An organization's columns as stored.
    struct Stored {
        id: i64,
        name: String,
        long_name: Option<String>,
        kind: String,
        website: Option<String>,
        github_org: Option<String>,
        notes: Option<String>,
        tags: Option<String>,
        created_at: String,
        updated_at: String,
        deleted_at: Option<String>,
    }
}

impl Tx {
    pub async fn insert_organization(
        &mut self,
        fields: &OrganizationFields,
        at: jiff::Timestamp,
    ) -> Result<OrganizationRecord> {
        let now = timestamp_text(at);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO organizations (name, long_name, kind, website, github_org, notes, tags, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $8, $7, $7) RETURNING id",
        )
        .bind(fields.name.as_str())
        .bind(fields.long_name.as_deref())
        .bind(fields.kind.as_str())
        .bind(fields.website.as_deref())
        .bind(fields.github_org.as_deref())
        .bind(fields.notes.as_deref())
        .bind(&now)
        .bind(tags_text(&fields.tags))
        .fetch_one(&mut *self.inner)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => {
                StoreError::Conflict(format!("an organization named {} already exists", fields.name))
            }
            other => other,
        })?;
        get(
            &mut *self.inner,
            self.backend,
            OrganizationId::new(id).map_err(|e| StoreError::Database(e.to_string()))?,
        )
        .await
    }

    pub async fn update_organization(
        &mut self,
        id: OrganizationId,
        fields: &OrganizationFields,
        at: jiff::Timestamp,
    ) -> Result<OrganizationRecord> {
        let done = sqlx::query(
            "UPDATE organizations SET name = $1, long_name = $2, kind = $3, website = $4, github_org = $5,
                    notes = $6, updated_at = $7, tags = $9
             WHERE id = $8",
        )
        .bind(fields.name.as_str())
        .bind(fields.long_name.as_deref())
        .bind(fields.kind.as_str())
        .bind(fields.website.as_deref())
        .bind(fields.github_org.as_deref())
        .bind(fields.notes.as_deref())
        .bind(timestamp_text(at))
        .bind(id.get())
        .bind(tags_text(&fields.tags))
        .execute(&mut *self.inner)
        .await?;
        if done.rows_affected() == 0 {
            return Err(not_found(id));
        }
        get(&mut *self.inner, self.backend, id).await
    }

    /// Marks an organization deleted (`Some(at)`) or restores it (`None`).
    pub async fn set_organization_deleted(
        &mut self,
        id: OrganizationId,
        deleted: Option<jiff::Timestamp>,
        at: jiff::Timestamp,
    ) -> Result<OrganizationRecord> {
        if self
            .set_deleted_at("organizations", id.get(), deleted, at)
            .await?
            == 0
        {
            return Err(not_found(id));
        }
        get(&mut *self.inner, self.backend, id).await
    }

    pub async fn get_organization(&mut self, id: OrganizationId) -> Result<OrganizationRecord> {
        get(&mut *self.inner, self.backend, id).await
    }

    pub async fn find_organization_by_name(
        &mut self,
        name: &OrganizationName,
    ) -> Result<Option<OrganizationRecord>> {
        find_by_name(&mut *self.inner, self.backend, name).await
    }
}

impl Store {
    pub async fn get_organization(&self, id: OrganizationId) -> Result<OrganizationRecord> {
        get(&self.pool, self.backend(), id).await
    }

    pub async fn find_organization_by_name(
        &self,
        name: &OrganizationName,
    ) -> Result<Option<OrganizationRecord>> {
        find_by_name(&self.pool, self.backend(), name).await
    }

    /// Organizations by name; deleted ones only when asked for.
    pub async fn list_organizations(
        &self,
        include_deleted: bool,
    ) -> Result<Vec<OrganizationRecord>> {
        let sql = crate::bulk::select::<Stored>(
            self.backend(),
            "FROM organizations WHERE ($1 = 1 OR deleted_at IS NULL)",
            "name",
        );
        let query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(i64::from(include_deleted));
        crate::bulk::fetch::<Stored>("organization", &self.pool, query)
            .await?
            .into_iter()
            .map(record)
            .collect()
    }
}

/// Tags as stored: joined by `;`, or NULL when there are none.
fn tags_text(tags: &[String]) -> Option<String> {
    (!tags.is_empty()).then(|| tags.join(";"))
}

fn not_found(id: OrganizationId) -> StoreError {
    StoreError::NotFound {
        kind: "organization",
        id: id.to_string(),
    }
}

async fn get<'e, E: Executor<'e, Database = Any>>(
    e: E,
    backend: Backend,
    id: OrganizationId,
) -> Result<OrganizationRecord> {
    let sql = crate::bulk::select::<Stored>(backend, "FROM organizations WHERE id = $1", "id");
    let query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(id.get());
    crate::bulk::fetch::<Stored>("organization", e, query)
        .await?
        .pop()
        .map(record)
        .ok_or_else(|| not_found(id))?
}

async fn find_by_name<'e, E: Executor<'e, Database = Any>>(
    e: E,
    backend: Backend,
    name: &OrganizationName,
) -> Result<Option<OrganizationRecord>> {
    let sql = crate::bulk::select::<Stored>(backend, "FROM organizations WHERE name = $1", "id");
    let query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(name.as_str().to_owned());
    crate::bulk::fetch::<Stored>("organization", e, query)
        .await?
        .pop()
        .map(record)
        .transpose()
}

fn record(row: Stored) -> Result<OrganizationRecord> {
    let corrupt = |what: &str, e: &dyn std::fmt::Display| {
        StoreError::Database(format!("unreadable organization row ({what}): {e}"))
    };
    Ok(OrganizationRecord {
        id: OrganizationId::new(row.id).map_err(|e| corrupt("id", &e))?,
        fields: OrganizationFields {
            name: OrganizationName::parse(&row.name).map_err(|e| corrupt("name", &e))?,
            long_name: row.long_name,
            kind: row.kind.parse().map_err(|e| corrupt("kind", &e))?,
            website: row.website,
            github_org: row.github_org,
            notes: row.notes,
            tags: row
                .tags
                .map(|t| {
                    t.split(';')
                        .map(str::to_owned)
                        .filter(|t| !t.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        },
        created_at: crate::stored_timestamp("created_at", &row.created_at)?,
        updated_at: crate::stored_timestamp("updated_at", &row.updated_at)?,
        deleted_at: crate::stored_timestamp_opt("deleted_at", row.deleted_at.as_deref())?,
    })
}
