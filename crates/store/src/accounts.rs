//! Accounts: users, their browser sessions and their API tokens.
//!
//! Sessions and tokens are looked up by a hash of the secret the client holds; the secret
//! itself is never stored. Nothing here is deleted: users are disabled, sessions ended,
//! tokens revoked.

use bearing_core::UserId;
use bearing_core::access::{Permissions, RoleName};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

use crate::{Result, Store, StoreError, Tx, timestamp_text};

/// A user as stored. The password hash stays in the store crate's callers that need it
/// ([`Store::find_user_by_email`]) and is never serialized.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct UserRecord {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: RoleName,
    /// What the role grants, as of this read.
    pub permissions: Permissions,
    #[serde(skip)]
    pub password_hash: String,
    #[serde(skip)]
    pub failed_sign_ins: i64,
    #[serde(skip)]
    #[serde(with = "crate::stored_time::option")]
    pub locked_until: Option<jiff::Timestamp>,
    #[serde(with = "crate::stored_time")]
    pub created_at: jiff::Timestamp,
    #[serde(with = "crate::stored_time")]
    pub updated_at: jiff::Timestamp,
    #[serde(with = "crate::stored_time::option")]
    pub disabled_at: Option<jiff::Timestamp>,
}

/// A browser session as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    pub id: i64,
    pub user_id: UserId,
    pub created_at: jiff::Timestamp,
    pub last_seen_at: jiff::Timestamp,
    pub expires_at: jiff::Timestamp,
}

/// An API token as stored (without its secret).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ApiTokenRecord {
    pub id: i64,
    pub user_id: UserId,
    pub name: String,
    #[serde(with = "crate::stored_time")]
    pub created_at: jiff::Timestamp,
    #[serde(with = "crate::stored_time::option")]
    pub last_used_at: Option<jiff::Timestamp>,
    #[serde(with = "crate::stored_time::option")]
    pub revoked_at: Option<jiff::Timestamp>,
    /// After this the token is no longer accepted; `None` lasts until revoked.
    #[serde(with = "crate::stored_time::option")]
    pub expires_at: Option<jiff::Timestamp>,
}

/// The user columns, aliased `u`, with the permissions of a custom role (aliased `r`, joined
/// by [`role_join!`]); a macro so that each query stays a static string.
macro_rules! user_columns {
    () => {
        "u.id, u.email, u.name, u.role, u.password_hash, u.failed_sign_ins, u.locked_until,
         u.created_at, u.updated_at, u.disabled_at, r.permissions AS role_permissions"
    };
}

/// The custom role a user holds, if it is one and it is not deleted.
macro_rules! role_join {
    () => {
        " LEFT JOIN access_roles r ON r.name = u.role AND r.deleted_at IS NULL "
    };
}

macro_rules! select_users {
    ($tail:literal) => {
        concat!(
            "SELECT ",
            user_columns!(),
            " FROM users u",
            role_join!(),
            $tail
        )
    };
}

/// The token columns, aliased `t` and prefixed so they can sit beside the user's.
macro_rules! token_columns {
    () => {
        "t.id AS t_id, t.user_id AS t_user_id, t.name AS t_name, t.created_at AS t_created_at,
         t.last_used_at AS t_last_used_at, t.revoked_at AS t_revoked_at,
         t.expires_at AS t_expires_at"
    };
}

fn user_from_row(row: &AnyRow) -> Result<UserRecord> {
    let bad = |e: bearing_core::ParseError| StoreError::Database(e.to_string());
    let role = RoleName::parse(&row.try_get::<String, _>("role")?).map_err(bad)?;
    // A built-in role's bundle is Bearing's; a custom role's is stored; a role that is
    // neither (deleted since) grants nothing.
    let permissions = match role.built_in() {
        Some(built_in) => built_in.permissions(),
        None => row
            .try_get::<Option<String>, _>("role_permissions")?
            .map(|text| text.parse::<Permissions>())
            .transpose()
            .map_err(bad)?
            .unwrap_or(Permissions::NONE),
    };
    Ok(UserRecord {
        id: UserId::new(row.try_get("id")?).map_err(bad)?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        role,
        permissions,
        password_hash: row.try_get("password_hash")?,
        failed_sign_ins: row.try_get("failed_sign_ins")?,
        locked_until: crate::read_time(row, "locked_until")?,
        created_at: crate::read_time(row, "created_at")?,
        updated_at: crate::read_time(row, "updated_at")?,
        disabled_at: crate::read_time(row, "disabled_at")?,
    })
}

fn token_from_row(row: &AnyRow) -> Result<ApiTokenRecord> {
    Ok(ApiTokenRecord {
        id: row.try_get("t_id")?,
        user_id: UserId::new(row.try_get("t_user_id")?)
            .map_err(|e| StoreError::Database(format!("token's user id: {e}")))?,
        name: row.try_get("t_name")?,
        created_at: crate::read_time(row, "t_created_at")?,
        last_used_at: crate::read_time(row, "t_last_used_at")?,
        revoked_at: crate::read_time(row, "t_revoked_at")?,
        expires_at: crate::read_time(row, "t_expires_at")?,
    })
}

async fn list_users<'e>(executor: impl Executor<'e, Database = Any>) -> Result<Vec<UserRecord>> {
    let rows = sqlx::query(select_users!(
        "ORDER BY CASE WHEN u.disabled_at IS NULL THEN 0 ELSE 1 END, u.email"
    ))
    .fetch_all(executor)
    .await?;
    rows.iter().map(user_from_row).collect()
}

async fn get_user<'e>(
    executor: impl Executor<'e, Database = Any>,
    id: UserId,
) -> Result<UserRecord> {
    let row = sqlx::query(select_users!("WHERE u.id = $1"))
        .bind(id.get())
        .fetch_optional(executor)
        .await?
        .ok_or(StoreError::NotFound {
            kind: "user",
            id: id.to_string(),
        })?;
    user_from_row(&row)
}

/// The changeable fields of a user.
#[derive(Debug, Clone, PartialEq)]
pub struct UserFields {
    pub email: String,
    pub name: String,
    pub role: RoleName,
}

impl Tx {
    pub async fn insert_user(
        &mut self,
        fields: &UserFields,
        password_hash: &str,
        at: jiff::Timestamp,
    ) -> Result<UserRecord> {
        let now = timestamp_text(at);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, name, role, password_hash, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
        )
        .bind(&fields.email)
        .bind(&fields.name)
        .bind(fields.role.as_str())
        .bind(password_hash)
        .bind(&now)
        .fetch_one(&mut *self.inner)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => {
                StoreError::Conflict(format!("a user with email {} already exists", fields.email))
            }
            other => other,
        })?;
        let id = UserId::new(id).map_err(|e| StoreError::Database(format!("user id: {e}")))?;
        get_user(&mut *self.inner, id).await
    }

    pub async fn get_user(&mut self, id: UserId) -> Result<UserRecord> {
        get_user(&mut *self.inner, id).await
    }

    /// Every user, as this transaction sees them.
    pub async fn list_users(&mut self) -> Result<Vec<UserRecord>> {
        list_users(&mut *self.inner).await
    }

    /// Changes name and role, and disables (`Some`) or enables (`None`) the user.
    pub async fn update_user(
        &mut self,
        id: UserId,
        name: &str,
        role: &RoleName,
        disabled: Option<jiff::Timestamp>,
        at: jiff::Timestamp,
    ) -> Result<UserRecord> {
        sqlx::query(
            "UPDATE users SET name = $1, role = $2, disabled_at = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(name)
        .bind(role.as_str())
        .bind(disabled.map(timestamp_text))
        .bind(timestamp_text(at))
        .bind(id.get())
        .execute(&mut *self.inner)
        .await?;
        get_user(&mut *self.inner, id).await
    }

    /// Sets a new password hash, clears failed sign-ins and ends every session of the user.
    pub async fn set_password(
        &mut self,
        id: UserId,
        hash: &str,
        at: jiff::Timestamp,
    ) -> Result<()> {
        let now = timestamp_text(at);
        sqlx::query(
            "UPDATE users SET password_hash = $1, failed_sign_ins = 0, locked_until = NULL, updated_at = $2
             WHERE id = $3",
        )
        .bind(hash)
        .bind(&now)
        .bind(id.get())
        .execute(&mut *self.inner)
        .await?;
        self.end_sessions_of(id, at).await
    }

    /// Ends every open session of a user (after a password change, or when disabled).
    pub async fn end_sessions_of(&mut self, user: UserId, at: jiff::Timestamp) -> Result<()> {
        sqlx::query("UPDATE sessions SET ended_at = $1 WHERE user_id = $2 AND ended_at IS NULL")
            .bind(timestamp_text(at))
            .bind(user.get())
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    pub async fn insert_api_token(
        &mut self,
        user: UserId,
        name: &str,
        token_hash: &str,
        at: jiff::Timestamp,
        expires: Option<jiff::Timestamp>,
    ) -> Result<ApiTokenRecord> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (token_hash, user_id, name, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)
             RETURNING id",
        )
        .bind(token_hash)
        .bind(user.get())
        .bind(name)
        .bind(timestamp_text(at))
        .bind(expires.map(timestamp_text))
        .fetch_one(&mut *self.inner)
        .await?;
        let row = sqlx::query(concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_tokens t WHERE t.id = $1"
        ))
        .bind(id)
        .fetch_one(&mut *self.inner)
        .await?;
        token_from_row(&row)
    }

    /// Revokes every open token of `user` (a password was reset); returns how many.
    pub async fn revoke_api_tokens_of(&mut self, user: UserId, at: jiff::Timestamp) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        )
        .bind(timestamp_text(at))
        .bind(user.get())
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected())
    }

    /// Revokes a token of `user`; a token that is already revoked stays as it was.
    pub async fn revoke_api_token(
        &mut self,
        user: UserId,
        token: i64,
        at: jiff::Timestamp,
    ) -> Result<ApiTokenRecord> {
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 AND user_id = $3",
        )
        .bind(timestamp_text(at))
        .bind(token)
        .bind(user.get())
        .execute(&mut *self.inner)
        .await?;
        let row = sqlx::query(concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_tokens t WHERE t.id = $1 AND t.user_id = $2"
        ))
        .bind(token)
        .bind(user.get())
        .fetch_optional(&mut *self.inner)
        .await?
        .ok_or(StoreError::NotFound {
            kind: "API token",
            id: token.to_string(),
        })?;
        token_from_row(&row)
    }
}

impl Store {
    pub async fn get_user(&self, id: UserId) -> Result<UserRecord> {
        get_user(&self.pool, id).await
    }

    /// The user with this email (compared as stored: callers store emails in lower case).
    pub async fn find_user_by_email(&self, email: &str) -> Result<Option<UserRecord>> {
        let row = sqlx::query(select_users!("WHERE u.email = $1"))
            .bind(email)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// Every user, enabled ones first, by email.
    pub async fn list_users(&self) -> Result<Vec<UserRecord>> {
        list_users(&self.pool).await
    }

    pub async fn count_users(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Counts a failed sign-in and locks the account until `lock` when this failure makes
    /// `max` in a row, in one statement, so that failures sent at once each count. A lock that
    /// has run out starts the count again; a lock in force is left as it is. Returns the count
    /// and the lock after the update.
    pub async fn record_failed_sign_in(
        &self,
        id: UserId,
        now: jiff::Timestamp,
        max: i64,
        lock: jiff::Timestamp,
    ) -> Result<(i64, Option<String>)> {
        let row = sqlx::query(
            "UPDATE users SET
                failed_sign_ins = CASE WHEN locked_until IS NOT NULL AND locked_until <= $1 THEN 1
                                       ELSE failed_sign_ins + 1 END,
                locked_until = CASE
                    WHEN locked_until IS NOT NULL AND locked_until > $1 THEN locked_until
                    WHEN (CASE WHEN locked_until IS NOT NULL AND locked_until <= $1 THEN 1
                               ELSE failed_sign_ins + 1 END) >= $2 THEN $3
                    ELSE NULL END
             WHERE id = $4
             RETURNING failed_sign_ins, locked_until",
        )
        .bind(timestamp_text(now))
        .bind(max)
        .bind(timestamp_text(lock))
        .bind(id.get())
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }

    /// Clears the failed sign-ins after a successful one or when a lock has run out.
    pub async fn clear_failed_sign_ins(&self, id: UserId) -> Result<()> {
        sqlx::query("UPDATE users SET failed_sign_ins = 0, locked_until = NULL WHERE id = $1")
            .bind(id.get())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn insert_session(
        &self,
        user: UserId,
        token_hash: &str,
        at: jiff::Timestamp,
        expires: jiff::Timestamp,
    ) -> Result<()> {
        let now = timestamp_text(at);
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at)
             VALUES ($1, $2, $3, $3, $4)",
        )
        .bind(token_hash)
        .bind(user.get())
        .bind(&now)
        .bind(timestamp_text(expires))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The open, unexpired session with this token hash and its enabled user.
    pub async fn find_session(
        &self,
        token_hash: &str,
        now: jiff::Timestamp,
    ) -> Result<Option<(SessionRecord, UserRecord)>> {
        let row = sqlx::query(concat!(
            "SELECT s.id AS s_id, s.user_id AS s_user_id, s.created_at AS s_created_at,
                    s.last_seen_at AS s_last_seen_at, s.expires_at AS s_expires_at, ",
            user_columns!(),
            " FROM sessions s JOIN users u ON u.id = s.user_id",
            role_join!(),
            "
             WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.expires_at > $2
               AND u.disabled_at IS NULL"
        ))
        .bind(token_hash)
        .bind(timestamp_text(now))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let session = SessionRecord {
            id: row.try_get("s_id")?,
            user_id: UserId::new(row.try_get("s_user_id")?)
                .map_err(|e| StoreError::Database(format!("session's user id: {e}")))?,
            created_at: crate::read_time(&row, "s_created_at")?,
            last_seen_at: crate::read_time(&row, "s_last_seen_at")?,
            expires_at: crate::read_time(&row, "s_expires_at")?,
        };
        Ok(Some((session, user_from_row(&row)?)))
    }

    /// Marks a session as used now and moves its expiry.
    pub async fn touch_session(
        &self,
        id: i64,
        at: jiff::Timestamp,
        expires: jiff::Timestamp,
    ) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id = $3")
            .bind(timestamp_text(at))
            .bind(timestamp_text(expires))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends the session with this token hash, if it is open.
    pub async fn end_session(&self, token_hash: &str, at: jiff::Timestamp) -> Result<()> {
        sqlx::query("UPDATE sessions SET ended_at = $1 WHERE token_hash = $2 AND ended_at IS NULL")
            .bind(timestamp_text(at))
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The unrevoked token with this hash and its enabled user; marks the token used.
    pub async fn use_api_token(
        &self,
        token_hash: &str,
        at: jiff::Timestamp,
    ) -> Result<Option<(ApiTokenRecord, UserRecord)>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            token_columns!(),
            ", ",
            user_columns!(),
            " FROM api_tokens t JOIN users u ON u.id = t.user_id",
            role_join!(),
            "
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled_at IS NULL
               AND (t.expires_at IS NULL OR t.expires_at > $2)"
        ))
        .bind(token_hash)
        .bind(timestamp_text(at))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let token = token_from_row(&row)?;
        let user = user_from_row(&row)?;
        // Last use is kept to the minute, so a script's burst of calls writes once.
        let now = timestamp_text(at);
        if token
            .last_used_at
            .is_none_or(|last| timestamp_text(last).get(..16) != now.get(..16))
        {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(&now)
                .bind(token.id)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some((token, user)))
    }

    /// Every user's tokens, by user, newest first: what admins review.
    pub async fn list_all_api_tokens(&self) -> Result<Vec<ApiTokenRecord>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_tokens t ORDER BY t.user_id, t.id DESC"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(token_from_row).collect()
    }

    /// A user's tokens, newest first.
    pub async fn list_api_tokens(&self, user: UserId) -> Result<Vec<ApiTokenRecord>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_tokens t WHERE t.user_id = $1 ORDER BY t.id DESC"
        ))
        .bind(user.get())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(token_from_row).collect()
    }
}
