//! Contacts and the organizations they belong to.

use bearing_core::contact::ContactLabel;
use bearing_core::{ContactId, OrganizationId};

use crate::{Result, Store, StoreError, Tx, timestamp_text};

/// The stored fields of a contact, with its organizations by id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ContactRow {
    pub name: String,
    pub email: Option<String>,
    pub github: Option<String>,
    pub strategic: bool,
    pub coverage: Vec<String>,
    pub notes: Option<String>,
    pub organizations: Vec<(OrganizationId, ContactLabel)>,
}

/// A contact as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ContactRecord {
    pub id: ContactId,
    #[serde(flatten)]
    pub row: ContactRow,
    #[serde(with = "crate::stored_time")]
    pub created_at: jiff::Timestamp,
    #[serde(with = "crate::stored_time")]
    pub updated_at: jiff::Timestamp,
    #[serde(with = "crate::stored_time::option")]
    pub deleted_at: Option<jiff::Timestamp>,
}

crate::bulk::columns! {
    /// A contact's columns as stored.
    struct Stored {
        id: i64,
        name: String,
        email: Option<String>,
        github_handle: Option<String>,
        strategic: i64,
        coverage: Option<String>,
        notes: Option<String>,
        created_at: String,
        updated_at: String,
        deleted_at: Option<String>,
    }
}

crate::bulk::columns! {
    /// A contact's link to an organization as stored.
    struct StoredLink {
        contact_id: i64,
        organization_id: i64,
        label: String,
    }
}

fn coverage_text(coverage: &[String]) -> Option<String> {
    (!coverage.is_empty()).then(|| coverage.join(";"))
}

impl Tx {
    pub async fn insert_contact(
        &mut self,
        row: &ContactRow,
        at: jiff::Timestamp,
    ) -> Result<ContactRecord> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO contacts (name, email, github_handle, strategic, coverage, notes, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(&row.name)
        .bind(row.email.as_deref())
        .bind(row.github.as_deref())
        .bind(i64::from(row.strategic))
        .bind(coverage_text(&row.coverage))
        .bind(row.notes.as_deref())
        .bind(timestamp_text(at))
        .fetch_one(&mut *self.inner)
        .await
        .map_err(|e| email_conflict(e, row))?;
        let id = ContactId::new(id).map_err(|e| StoreError::Database(e.to_string()))?;
        self.link_organizations(id, &row.organizations).await?;
        self.get_contact(id).await
    }

    pub async fn update_contact(
        &mut self,
        id: ContactId,
        row: &ContactRow,
        at: jiff::Timestamp,
    ) -> Result<ContactRecord> {
        let done = sqlx::query(
            "UPDATE contacts SET name = $1, email = $2, github_handle = $3, strategic = $4, coverage = $5, notes = $6,
                    updated_at = $7
             WHERE id = $8",
        )
        .bind(&row.name)
        .bind(row.email.as_deref())
        .bind(row.github.as_deref())
        .bind(i64::from(row.strategic))
        .bind(coverage_text(&row.coverage))
        .bind(row.notes.as_deref())
        .bind(timestamp_text(at))
        .bind(id.get())
        .execute(&mut *self.inner)
        .await
        .map_err(|e| email_conflict(e, row))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                kind: "contact",
                id: id.to_string(),
            });
        }
        // The links are the contact's current memberships; their past lives in the audit log.
        sqlx::query("DELETE FROM contact_organizations WHERE contact_id = $1")
            .bind(id.get())
            .execute(&mut *self.inner)
            .await?;
        self.link_organizations(id, &row.organizations).await?;
        self.get_contact(id).await
    }

    async fn link_organizations(
        &mut self,
        id: ContactId,
        links: &[(OrganizationId, ContactLabel)],
    ) -> Result<()> {
        for (organization, label) in links {
            sqlx::query("INSERT INTO contact_organizations (contact_id, organization_id, label) VALUES ($1, $2, $3)")
                .bind(id.get())
                .bind(organization.get())
                .bind(label.as_str())
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(())
    }

    /// Marks a contact deleted (`Some(at)`) or restores it (`None`).
    pub async fn set_contact_deleted(
        &mut self,
        id: ContactId,
        deleted: Option<jiff::Timestamp>,
        at: jiff::Timestamp,
    ) -> Result<ContactRecord> {
        self.set_deleted_at("contacts", id.get(), deleted, at)
            .await?;
        self.get_contact(id).await
    }

    pub async fn get_contact(&mut self, id: ContactId) -> Result<ContactRecord> {
        let backend = self.backend;
        let mut list = read(&mut self.inner, backend, Some(id), true).await?;
        list.pop().ok_or_else(|| StoreError::NotFound {
            kind: "contact",
            id: id.to_string(),
        })
    }
}

impl Store {
    pub async fn get_contact(&self, id: ContactId) -> Result<ContactRecord> {
        let mut list = self.contacts(Some(id), true).await?;
        list.pop().ok_or_else(|| StoreError::NotFound {
            kind: "contact",
            id: id.to_string(),
        })
    }

    /// Contacts by name; deleted ones only when asked for.
    pub async fn list_contacts(&self, include_deleted: bool) -> Result<Vec<ContactRecord>> {
        self.contacts(None, include_deleted).await
    }

    pub async fn find_contact_by_email(&self, email: &str) -> Result<Option<ContactRecord>> {
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM contacts WHERE email = $1")
            .bind(email)
            .fetch_optional(&self.pool)
            .await?;
        match id {
            Some(id) => Ok(Some(
                self.get_contact(
                    ContactId::new(id).map_err(|e| StoreError::Database(e.to_string()))?,
                )
                .await?,
            )),
            None => Ok(None),
        }
    }

    async fn contacts(
        &self,
        only: Option<ContactId>,
        include_deleted: bool,
    ) -> Result<Vec<ContactRecord>> {
        let mut conn = self.pool.acquire().await?;
        read(&mut conn, self.backend(), only, include_deleted).await
    }
}

/// Contacts by name (one, or all), each with its organizations.
async fn read(
    conn: &mut sqlx::AnyConnection,
    backend: crate::Backend,
    only: Option<ContactId>,
    include_deleted: bool,
) -> Result<Vec<ContactRecord>> {
    let sql = crate::bulk::select::<Stored>(
        backend,
        "FROM contacts WHERE ($1 IS NULL OR id = $1) AND ($2 = 1 OR deleted_at IS NULL)",
        "name, id",
    );
    let query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(only.map(ContactId::get))
        .bind(i64::from(include_deleted));
    let rows = crate::bulk::fetch::<Stored>("contact", &mut *conn, query).await?;
    let sql = crate::bulk::select::<StoredLink>(
        backend,
        "FROM contact_organizations WHERE ($1 IS NULL OR contact_id = $1)",
        "contact_id, organization_id, label",
    );
    let query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(only.map(ContactId::get));
    let links = crate::bulk::fetch::<StoredLink>("contact link", &mut *conn, query).await?;
    let mut by_contact: std::collections::HashMap<i64, Vec<(i64, String)>> =
        std::collections::HashMap::new();
    for link in links {
        by_contact
            .entry(link.contact_id)
            .or_default()
            .push((link.organization_id, link.label));
    }
    rows.into_iter()
        .map(|row| {
            let links = by_contact.remove(&row.id).unwrap_or_default();
            record(row, links)
        })
        .collect()
}

fn email_conflict(error: sqlx::Error, row: &ContactRow) -> StoreError {
    match StoreError::from(error) {
        StoreError::Conflict(_) => StoreError::Conflict(format!(
            "another contact already has the email {}",
            row.email.as_deref().unwrap_or_default()
        )),
        other => other,
    }
}

fn record(row: Stored, links: Vec<(i64, String)>) -> Result<ContactRecord> {
    let corrupt = |what: &str, e: &dyn std::fmt::Display| {
        StoreError::Database(format!("unreadable contact row ({what}): {e}"))
    };
    let organizations = links
        .into_iter()
        .map(|(organization, label)| {
            Ok((
                OrganizationId::new(organization).map_err(|e| corrupt("organization_id", &e))?,
                label
                    .parse::<ContactLabel>()
                    .map_err(|e| corrupt("label", &e))?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ContactRecord {
        id: ContactId::new(row.id).map_err(|e| corrupt("id", &e))?,
        row: ContactRow {
            name: row.name,
            email: row.email,
            github: row.github_handle,
            strategic: row.strategic != 0,
            coverage: row
                .coverage
                .map(|c| {
                    c.split(';')
                        .map(str::to_owned)
                        .filter(|c| !c.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            notes: row.notes,
            organizations,
        },
        created_at: crate::stored_timestamp("created_at", &row.created_at)?,
        updated_at: crate::stored_timestamp("updated_at", &row.updated_at)?,
        deleted_at: crate::stored_timestamp_opt("deleted_at", row.deleted_at.as_deref())?,
    })
}
