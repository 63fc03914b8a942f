//! Contacts and the organizations they belong to.

use bearing_core::contact::ContactLabel;
use bearing_core::{ContactId, OrganizationId};
use sqlx::Row;
use sqlx::any::AnyRow;

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

const SELECT: &str = "SELECT id, name, email, github_handle, strategic, coverage, notes, created_at, updated_at, deleted_at
                      FROM contacts";

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
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1")))
            .bind(id.get())
            .fetch_optional(&mut *self.inner)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                kind: "contact",
                id: id.to_string(),
            })?;
        let links: Vec<(i64, String)> =
            sqlx::query_as("SELECT organization_id, label FROM contact_organizations WHERE contact_id = $1 ORDER BY organization_id, label")
                .bind(id.get())
                .fetch_all(&mut *self.inner)
                .await?;
        record(&row, links)
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
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE ($1 IS NULL OR id = $1) AND ($2 = 1 OR deleted_at IS NULL) ORDER BY name, id"
        )))
        .bind(only.map(ContactId::get))
        .bind(i64::from(include_deleted))
        .fetch_all(&self.pool)
        .await?;
        let links: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT contact_id, organization_id, label FROM contact_organizations
             WHERE ($1 IS NULL OR contact_id = $1) ORDER BY contact_id, organization_id, label",
        )
        .bind(only.map(ContactId::get))
        .fetch_all(&self.pool)
        .await?;
        let mut by_contact: std::collections::HashMap<i64, Vec<(i64, String)>> =
            std::collections::HashMap::new();
        for (contact, organization, label) in links {
            by_contact
                .entry(contact)
                .or_default()
                .push((organization, label));
        }
        rows.iter()
            .map(|row| {
                let id: i64 = row.try_get("id")?;
                record(row, by_contact.remove(&id).unwrap_or_default())
            })
            .collect()
    }
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

fn record(row: &AnyRow, links: Vec<(i64, String)>) -> Result<ContactRecord> {
    let corrupt = |what: &str, e: &dyn std::fmt::Display| {
        StoreError::Database(format!("unreadable contact row ({what}): {e}"))
    };
    let id: i64 = row.try_get("id")?;
    let strategic: i64 = row.try_get("strategic")?;
    let coverage: Option<String> = row.try_get("coverage")?;
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
        id: ContactId::new(id).map_err(|e| corrupt("id", &e))?,
        row: ContactRow {
            name: row.try_get("name")?,
            email: row.try_get("email")?,
            github: row.try_get("github_handle")?,
            strategic: strategic != 0,
            coverage: coverage
                .map(|c| {
                    c.split(';')
                        .map(str::to_owned)
                        .filter(|c| !c.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            notes: row.try_get("notes")?,
            organizations,
        },
        created_at: crate::read_time(row, "created_at")?,
        updated_at: crate::read_time(row, "updated_at")?,
        deleted_at: crate::read_time(row, "deleted_at")?,
    })
}
