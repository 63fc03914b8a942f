//! Contacts: people at organizations, linked with a label (community representative, technical
//! contact, billing contact). Every change writes its audit row.

use bearing_formats::Table;
use std::collections::{BTreeMap, HashMap};

use bearing_core::contact::{ContactFields, parse_email};
use bearing_core::organization::OrganizationName;
use bearing_core::{ContactId, EntityKind, OrganizationId};
use bearing_store::{ContactRecord, ContactRow, PropertyOwner, Store};

use crate::{AppError, Change, Context, Result, audit};
use bearing_core::access::Permission;

/// A contact as the front doors show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Contact {
    pub id: ContactId,
    #[serde(flatten)]
    pub fields: ContactFields,
    pub properties: BTreeMap<String, String>,
    #[serde(with = "bearing_store::stored_time")]
    pub created_at: jiff::Timestamp,
    #[serde(with = "bearing_store::stored_time")]
    pub updated_at: jiff::Timestamp,
    #[serde(with = "bearing_store::stored_time::option")]
    pub deleted_at: Option<jiff::Timestamp>,
}

/// Organization names and ids, both ways.
pub(crate) struct Organizations {
    ids: HashMap<OrganizationName, OrganizationId>,
    names: HashMap<OrganizationId, OrganizationName>,
}

impl Organizations {
    pub(crate) async fn load(store: &Store) -> Result<Self> {
        let list = store.list_organizations(true).await?;
        Ok(Self {
            ids: list.iter().map(|o| (o.fields.name.clone(), o.id)).collect(),
            names: list.into_iter().map(|o| (o.id, o.fields.name)).collect(),
        })
    }

    /// Makes an organization written in a transaction not yet committed known by name.
    pub(crate) fn insert(&mut self, name: OrganizationName, id: OrganizationId) {
        self.ids.insert(name.clone(), id);
        self.names.insert(id, name);
    }

    pub(crate) fn id(&self, name: &OrganizationName) -> Result<OrganizationId> {
        self.ids.get(name).copied().ok_or_else(|| {
            AppError::invalid("organization", format!("no organization named {name}"))
        })
    }
}

pub(crate) fn row(organizations: &Organizations, fields: &ContactFields) -> Result<ContactRow> {
    crate::text::check_text(fields)?;
    if let Some((field, message)) = fields.problems().into_iter().next() {
        return Err(AppError::invalid(field, message));
    }
    let mut links = Vec::new();
    for (name, label) in &fields.organizations {
        let link = (organizations.id(name)?, *label);
        if !links.contains(&link) {
            links.push(link);
        }
    }
    // The order the store reads them back in, so an unchanged contact compares equal.
    links.sort_by(|a, b| (a.0, a.1.as_str()).cmp(&(b.0, b.1.as_str())));
    let clean = |v: &Option<String>| {
        v.as_ref()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    Ok(ContactRow {
        name: fields.name.trim().to_owned(),
        email: fields
            .email
            .as_deref()
            .map(parse_email)
            .transpose()
            .map_err(|e| AppError::invalid("email", e.reason))?,
        github: clean(&fields.github),
        strategic: fields.strategic,
        coverage: fields
            .coverage
            .iter()
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect(),
        notes: clean(&fields.notes),
        organizations: links,
    })
}

fn view(
    organizations: &Organizations,
    record: ContactRecord,
    properties: BTreeMap<String, String>,
) -> Contact {
    let r = record.row;
    Contact {
        id: record.id,
        fields: ContactFields {
            name: r.name,
            email: r.email,
            github: r.github,
            strategic: r.strategic,
            coverage: r.coverage,
            notes: r.notes,
            organizations: r
                .organizations
                .into_iter()
                .filter_map(|(id, label)| organizations.names.get(&id).map(|n| (n.clone(), label)))
                .collect(),
        },
        properties,
        created_at: record.created_at,
        updated_at: record.updated_at,
        deleted_at: record.deleted_at,
    }
}

pub async fn create(store: &Store, ctx: &Context, fields: ContactFields) -> Result<Contact> {
    ctx.require(Permission::EditCrm)?;
    let organizations = Organizations::load(store).await?;
    let row = row(&organizations, &fields)?;
    let at = ctx.now();
    let mut tx = store.begin().await?;
    let created = tx.insert_contact(&row, at).await?;
    audit(
        &mut tx,
        ctx,
        at,
        Change::created(EntityKind::Contact, created.id, &created),
    )
    .await?;
    tx.commit().await?;
    Ok(view(&organizations, created, BTreeMap::new()))
}

pub async fn edit(
    store: &Store,
    ctx: &Context,
    id: ContactId,
    fields: ContactFields,
) -> Result<Contact> {
    ctx.require(Permission::EditCrm)?;
    let organizations = Organizations::load(store).await?;
    let row = row(&organizations, &fields)?;
    let at = ctx.now();
    let mut tx = store.begin().await?;
    let before = tx.get_contact(id).await?;
    if before.deleted_at.is_some() {
        return Err(AppError::Conflict(format!(
            "contact {id} is deleted: restore it before editing"
        )));
    }
    if before.row == row {
        return get(store, id).await;
    }
    let after = tx.update_contact(id, &row, at).await?;
    audit(
        &mut tx,
        ctx,
        at,
        Change::updated(EntityKind::Contact, after.id, &before, &after),
    )
    .await?;
    tx.commit().await?;
    get(store, id).await
}

pub async fn delete(store: &Store, ctx: &Context, id: ContactId) -> Result<Contact> {
    ctx.require(Permission::EditCrm)?;
    set_deleted(store, ctx, id, true).await
}

pub async fn restore(store: &Store, ctx: &Context, id: ContactId) -> Result<Contact> {
    ctx.require(Permission::EditCrm)?;
    set_deleted(store, ctx, id, false).await
}

async fn set_deleted(
    store: &Store,
    ctx: &Context,
    id: ContactId,
    deleted: bool,
) -> Result<Contact> {
    crate::soft_delete::set_deleted::<ContactRecord>(store, ctx, id, deleted).await?;
    get(store, id).await
}

pub async fn get(store: &Store, id: ContactId) -> Result<Contact> {
    let organizations = Organizations::load(store).await?;
    let record = store.get_contact(id).await?;
    let properties = store
        .properties_of(PropertyOwner::Contact, id.get())
        .await?;
    Ok(view(&organizations, record, properties))
}

/// Contacts by name, optionally only those of one organization.
pub async fn list(
    store: &Store,
    organization: Option<&OrganizationName>,
    include_deleted: bool,
) -> Result<Vec<Contact>> {
    let organizations = Organizations::load(store).await?;
    let only = organization
        .map(|name| organizations.id(name))
        .transpose()?;
    let mut properties = store.list_properties(PropertyOwner::Contact).await?;
    Ok(store
        .list_contacts(include_deleted)
        .await?
        .into_iter()
        .filter(|c| only.is_none_or(|org| c.row.organizations.iter().any(|(id, _)| *id == org)))
        .map(|c| {
            let props = properties.remove(&c.id.get()).unwrap_or_default();
            view(&organizations, c, props)
        })
        .collect())
}

/// The columns of every list of these, in every format.
pub fn table(list: &[Contact]) -> Table {
    let mut table = Table::new([
        "id",
        "name",
        "email",
        "github",
        "organizations",
        "strategic",
        "coverage",
        "notes",
        "deleted",
    ]);
    for c in list {
        let f = &c.fields;
        let orgs: Vec<String> = f
            .organizations
            .iter()
            .map(|(o, l)| format!("{o}:{l}"))
            .collect();
        table.push([
            Some(c.id.to_string()),
            Some(f.name.clone()),
            f.email.clone(),
            f.github.clone(),
            Some(orgs.join("; ")),
            Some(f.strategic.to_string()),
            Some(f.coverage.join("; ")),
            f.notes.clone(),
            c.deleted_at.map(bearing_store::timestamp_text),
        ]);
    }
    table
}
