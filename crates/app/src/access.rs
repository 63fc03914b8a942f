//! Roles as users hold them: the built-in bundles and the custom roles an admin defines
//! (docs/security.md, "Roles and permissions").

use bearing_core::access::{Permission, Permissions, Role, RoleName};
use bearing_core::{DataPart, EntityKind};
use bearing_store::{AccessRoleRecord, Store, Tx};

use crate::{AppError, Change, Context, Result, audit};

/// A role as the roles page and `bearing user roles` show it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RoleView {
    pub name: RoleName,
    pub built_in: bool,
    pub description: Option<String>,
    pub permissions: Permissions,
    /// Enabled users who hold it.
    pub users: usize,
}

/// Every role: the built-in ones first, then the custom ones by name (deleted ones left out).
pub async fn list(store: &Store, ctx: &Context) -> Result<Vec<RoleView>> {
    ctx.require(Permission::ManageUsers)?;
    let users = store.list_users().await?;
    let holders = |name: &RoleName| {
        users
            .iter()
            .filter(|u| u.disabled_at.is_none() && &u.role == name)
            .count()
    };
    let mut roles: Vec<RoleView> = Role::ALL
        .iter()
        .map(|&role| {
            let name = RoleName::from(role);
            RoleView {
                users: holders(&name),
                name,
                built_in: true,
                description: None,
                permissions: role.permissions(),
            }
        })
        .collect();
    for custom in store.list_access_roles().await? {
        if custom.deleted_at.is_none() {
            roles.push(RoleView {
                users: holders(&custom.name),
                name: custom.name,
                built_in: false,
                description: custom.description,
                permissions: custom.permissions,
            });
        }
    }
    Ok(roles)
}

/// `name` if it is a built-in role or a custom role that is not deleted, read in the
/// writing transaction after the accounts' lock, so the role cannot be deleted meanwhile.
pub(crate) async fn existing_role(tx: &mut Tx, name: RoleName) -> Result<RoleName> {
    if name.built_in().is_some() {
        return Ok(name);
    }
    tx.lock(DataPart::Accounts).await?;
    match tx.find_access_role(&name).await? {
        Some(found) if found.deleted_at.is_none() => Ok(name),
        _ => {
            let mut names: Vec<String> = Role::ALL.iter().map(|r| r.to_string()).collect();
            names.extend(
                tx.list_access_roles()
                    .await?
                    .into_iter()
                    .filter(|r| r.deleted_at.is_none())
                    .map(|r| r.name.to_string()),
            );
            Err(AppError::invalid(
                "role",
                format!(
                    "there is no role {name}: the roles are {}",
                    names.join(", ")
                ),
            ))
        }
    }
}

fn check_description(description: Option<&str>) -> Result<Option<String>> {
    let description = description.map(str::trim).filter(|d| !d.is_empty());
    if let Some(text) = description
        && (text.chars().count() > 300 || text.chars().any(char::is_control))
    {
        return Err(AppError::invalid(
            "description",
            "must be at most 300 printable characters",
        ));
    }
    Ok(description.map(str::to_owned))
}

/// Defines a custom role, or changes what an existing one grants and says (restoring it if
/// it was deleted). A built-in role's name is refused: those bundles are Bearing's.
pub async fn define(
    store: &Store,
    ctx: &Context,
    name: &str,
    description: Option<&str>,
    permissions: Permissions,
) -> Result<AccessRoleRecord> {
    ctx.require(Permission::ManageUsers)?;
    let name = RoleName::parse(name).map_err(|e| AppError::invalid("name", e.to_string()))?;
    if name.built_in().is_some() {
        return Err(AppError::invalid(
            "name",
            format!("{name} is a built-in role, which cannot be changed: choose another name"),
        ));
    }
    if permissions.is_empty() {
        return Err(AppError::invalid(
            "permissions",
            "a role must grant at least one permission",
        ));
    }
    let description = check_description(description)?;
    let at = ctx.now();
    let mut tx = store.begin().await?;
    let managing = managers(&mut tx).await?;
    let existing = tx.find_access_role(&name).await?;
    let (after, before) = match existing {
        None => (
            tx.insert_access_role(&name, description.as_deref(), permissions, at)
                .await?,
            None,
        ),
        Some(before) => {
            if before.permissions == permissions
                && before.description == description
                && before.deleted_at.is_none()
            {
                return Ok(before);
            }
            let after = tx
                .update_access_role(before.id, description.as_deref(), permissions, None, at)
                .await?;
            (after, Some(before))
        }
    };
    let change = match &before {
        Some(before) if before.deleted_at.is_some() => {
            Change::deleted_or_restored(EntityKind::AccessRole, after.id, false, before, &after)
        }
        before => Change::written(EntityKind::AccessRole, after.id, before.as_ref(), &after),
    };
    audit(&mut tx, ctx, at, change).await?;
    check_someone_manages_users(&mut tx, managing).await?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes a custom role, refused while an enabled user holds it.
pub async fn delete(store: &Store, ctx: &Context, name: &str) -> Result<AccessRoleRecord> {
    ctx.require(Permission::ManageUsers)?;
    let name = RoleName::parse(name).map_err(|e| AppError::invalid("name", e.to_string()))?;
    let at = ctx.now();
    let mut tx = store.begin().await?;
    tx.lock(DataPart::Accounts).await?;
    let before = tx
        .find_access_role(&name)
        .await?
        .filter(|r| r.deleted_at.is_none())
        .ok_or_else(|| AppError::NotFound(format!("there is no custom role {name}")))?;
    let holders: Vec<String> = tx
        .list_users()
        .await?
        .into_iter()
        .filter(|u| u.disabled_at.is_none() && u.role == name)
        .map(|u| u.email)
        .collect();
    if !holders.is_empty() {
        return Err(AppError::Conflict(format!(
            "{} still hold the role {name}: give them another role first",
            holders.join(", ")
        )));
    }
    let after = tx
        .update_access_role(
            before.id,
            before.description.as_deref(),
            before.permissions,
            Some(at),
            at,
        )
        .await?;
    audit(
        &mut tx,
        ctx,
        at,
        Change::deleted_or_restored(EntityKind::AccessRole, after.id, true, &before, &after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// How many enabled users may manage users, as the transaction sees them.
/// How many enabled users may manage users, counted after taking the accounts' lock: a
/// change then checked by [`check_someone_manages_users`] in the same transaction cannot
/// overlap another such change.
pub(crate) async fn managers(tx: &mut Tx) -> Result<usize> {
    tx.lock(DataPart::Accounts).await?;
    Ok(tx
        .list_users()
        .await?
        .iter()
        .filter(|u| u.disabled_at.is_none() && u.permissions.contains(Permission::ManageUsers))
        .count())
}

/// Refuses a change, made in `tx` since `before` users could manage users, that leaves none.
pub(crate) async fn check_someone_manages_users(
    tx: &mut bearing_store::Tx,
    before: usize,
) -> Result<()> {
    if before > 0 && managers(tx).await? == 0 {
        return Err(AppError::Conflict(
            "this is the last admin: make someone else an admin first".into(),
        ));
    }
    Ok(())
}
