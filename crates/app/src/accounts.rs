//! Accounts: users, sign-in, sessions and API tokens.
//!
//! Passwords are hashed with Argon2id. Session and token secrets are 32 random bytes the
//! client holds; the store keeps only their BLAKE2b hash, so a copy of the database cannot
//! be used to sign in. Five failed sign-ins in a row lock an account for fifteen minutes; the
//! refusal does not say whether the email exists.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use bearing_core::access::Role;
use bearing_core::{Action, EntityKind};
use bearing_store::{ApiTokenRecord, Store, UserFields, UserRecord};
use blake2::Digest;

use crate::{AppError, Change, Context, Result, audit};

/// Failed sign-ins in a row before an account is locked.
pub const MAX_FAILED_SIGN_INS: i64 = 5;
/// How long a lock lasts.
pub const LOCKOUT: jiff::SignedDuration = jiff::SignedDuration::from_mins(15);
/// A session ends after this long without a request…
pub const SESSION_IDLE: jiff::SignedDuration = jiff::SignedDuration::from_hours(7 * 24);
/// …and at the latest this long after sign-in.
pub const SESSION_MAX: jiff::SignedDuration = jiff::SignedDuration::from_hours(30 * 24);
/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The prefix of API tokens, so that a leaked one is recognisable (and greppable).
pub const TOKEN_PREFIX: &str = "brg_";

const WRONG_CREDENTIALS: &str = "wrong email or password";

/// A secret handed to the client: a session cookie or an API token.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    fn generate(prefix: &str) -> Result<Self> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| AppError::Internal(format!("no randomness available: {e}")))?;
        Ok(Secret(format!("{prefix}{}", hex(&bytes))))
    }

    pub fn from_client(text: &str) -> Self {
        Secret(text.to_owned())
    }

    /// The value to hand to the client, once.
    pub fn expose(&self) -> &str {
        &self.0
    }

    fn hash(&self) -> String {
        hex(&blake2::Blake2b512::digest(self.0.as_bytes()))
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Generates a random password for demo and setup accounts.
pub fn random_password() -> Result<String> {
    Ok(Secret::generate("")?.0[..20].to_owned())
}

fn normalize_email(email: &str) -> Result<String> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        });
    if valid {
        Ok(email)
    } else {
        Err(AppError::invalid(
            "email",
            format!("{email:?} is not an email address"),
        ))
    }
}

fn check_password(password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::invalid(
            "password",
            format!("must be at least {MIN_PASSWORD_CHARS} characters long"),
        ));
    }
    if password.len() > 1024 {
        return Err(AppError::invalid(
            "password",
            "must be at most 1024 bytes long",
        ));
    }
    Ok(())
}

fn hash_password(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| AppError::Internal(format!("cannot hash the password: {e}")))
}

fn password_matches(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash of a password nobody has, verified when the email is unknown so that the answer
/// takes as long as for a known one.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password that matches nothing").unwrap_or_default())
}

fn change<'a>(
    user: &UserRecord,
    action: Action,
    before: Option<&'a UserRecord>,
    after: Option<&'a UserRecord>,
) -> Change<'a, UserRecord> {
    Change {
        entity: EntityKind::User,
        id: user.id.to_string(),
        action,
        before,
        after,
    }
}

/// Adds a user. The first user of an install is usually an admin added by `bearing user add`
/// or through the setup link.
pub async fn add_user(
    store: &Store,
    ctx: &Context,
    email: &str,
    name: Option<&str>,
    role: Role,
    password: &str,
) -> Result<UserRecord> {
    let email = normalize_email(email)?;
    let name = match name.map(str::trim) {
        Some(name) if !name.is_empty() => name.to_owned(),
        _ => email.split('@').next().unwrap_or(&email).to_owned(),
    };
    if name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "name",
            "must be at most 200 printable characters",
        ));
    }
    check_password(password)?;
    let hash = hash_password(password)?;
    let at = jiff::Timestamp::now();
    let mut tx = store.begin().await?;
    let user = tx
        .insert_user(&UserFields { email, name, role }, &hash, at)
        .await?;
    audit(
        &mut tx,
        ctx,
        at,
        change(&user, Action::Create, None, Some(&user)),
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// Adds the first admin of an empty install; refused once any user exists.
pub async fn add_first_admin(
    store: &Store,
    ctx: &Context,
    email: &str,
    name: Option<&str>,
    password: &str,
) -> Result<UserRecord> {
    if store.count_users().await? > 0 {
        return Err(AppError::Conflict(
            "Bearing already has users: sign in, or ask an admin for an account".into(),
        ));
    }
    add_user(store, ctx, email, name, Role::Admin, password).await
}

/// Changes a user's role or disables them (which ends their sessions); for admins.
pub async fn update_user(
    store: &Store,
    ctx: &Context,
    id: i64,
    role: Role,
    disabled: bool,
) -> Result<UserRecord> {
    let at = jiff::Timestamp::now();
    let mut tx = store.begin().await?;
    let before = tx.get_user(id).await?;
    let disabled_at = match (&before.disabled_at, disabled) {
        (Some(since), true) => Some(since.clone()),
        (None, true) => Some(bearing_store::timestamp_text(at)),
        (_, false) => None,
    };
    if before.role == role && before.disabled_at == disabled_at {
        return Ok(before);
    }
    if before.role == Role::Admin && (role != Role::Admin || disabled) {
        let admins = store
            .list_users()
            .await?
            .into_iter()
            .filter(|u| u.role == Role::Admin && u.disabled_at.is_none() && u.id != id)
            .count();
        if admins == 0 {
            return Err(AppError::Conflict(
                "this is the last admin: make someone else an admin first".into(),
            ));
        }
    }
    let after = tx
        .update_user(id, &before.name, role, disabled_at.as_deref(), at)
        .await?;
    if disabled {
        tx.end_sessions_of(id, at).await?;
    }
    audit(
        &mut tx,
        ctx,
        at,
        change(&after, Action::Update, Some(&before), Some(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A signed-in browser session: the secret for the cookie and whose it is.
#[derive(Debug)]
pub struct SignedIn {
    pub secret: Secret,
    pub user: UserRecord,
}

/// Checks email and password and opens a session.
pub async fn sign_in(store: &Store, email: &str, password: &str) -> Result<SignedIn> {
    let now = jiff::Timestamp::now();
    let user = match normalize_email(email) {
        Ok(email) => store.find_user_by_email(&email).await?,
        Err(_) => None,
    };
    let Some(user) = user.filter(|u| u.disabled_at.is_none()) else {
        let _ = password_matches(password, decoy_hash());
        return Err(AppError::Unauthorized(WRONG_CREDENTIALS.into()));
    };
    if let Some(until) = user
        .locked_until
        .as_deref()
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
    {
        if until > now {
            return Err(AppError::Unauthorized(format!(
                "too many failed sign-ins: try again after {} UTC",
                until.strftime("%H:%M")
            )));
        }
        store.clear_failed_sign_ins(user.id).await?;
    }
    if !password_matches(password, &user.password_hash) {
        let failures = if user.locked_until.is_some() {
            1
        } else {
            user.failed_sign_ins + 1
        };
        let lock =
            (failures >= MAX_FAILED_SIGN_INS).then(|| bearing_store::timestamp_text(now + LOCKOUT));
        store
            .record_failed_sign_in(user.id, lock.as_deref())
            .await?;
        return Err(AppError::Unauthorized(WRONG_CREDENTIALS.into()));
    }
    if user.failed_sign_ins > 0 {
        store.clear_failed_sign_ins(user.id).await?;
    }
    let secret = Secret::generate("")?;
    store
        .insert_session(user.id, &secret.hash(), now, now + SESSION_IDLE)
        .await?;
    Ok(SignedIn { secret, user })
}

/// The user of an open session, moving its expiry (at most once a minute, so that a page
/// with many requests writes once).
pub async fn session_user(store: &Store, secret: &Secret) -> Result<Option<UserRecord>> {
    let now = jiff::Timestamp::now();
    let Some((session, user)) = store.find_session(&secret.hash(), now).await? else {
        return Ok(None);
    };
    let last_seen: jiff::Timestamp = session
        .last_seen_at
        .parse()
        .map_err(|e| AppError::Internal(format!("session {}: {e}", session.id)))?;
    if now.duration_since(last_seen) >= jiff::SignedDuration::from_mins(1) {
        let created: jiff::Timestamp = session
            .created_at
            .parse()
            .map_err(|e| AppError::Internal(format!("session {}: {e}", session.id)))?;
        let expires = (now + SESSION_IDLE).min(created + SESSION_MAX);
        store.touch_session(session.id, now, expires).await?;
    }
    Ok(Some(user))
}

pub async fn sign_out(store: &Store, secret: &Secret) -> Result<()> {
    store
        .end_session(&secret.hash(), jiff::Timestamp::now())
        .await?;
    Ok(())
}

/// Changes one's own password after checking the current one; every session of the user
/// ends, and a new one is opened for the browser that made the change.
pub async fn change_password(
    store: &Store,
    ctx: &Context,
    user: i64,
    current: &str,
    new: &str,
) -> Result<SignedIn> {
    let record = store.get_user(user).await?;
    if !password_matches(current, &record.password_hash) {
        return Err(AppError::invalid(
            "current password",
            "is not your password",
        ));
    }
    check_password(new)?;
    if new == current {
        return Err(AppError::invalid(
            "new password",
            "must differ from the current one",
        ));
    }
    set_password(store, ctx, &record, new).await?;
    sign_in(store, &record.email, new).await
}

/// Sets a user's password (an admin's reset, or `bearing user password`); ends their sessions.
pub async fn reset_password(
    store: &Store,
    ctx: &Context,
    email: &str,
    new: &str,
) -> Result<UserRecord> {
    let email = normalize_email(email)?;
    let record = store
        .find_user_by_email(&email)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no user with email {email}")))?;
    check_password(new)?;
    set_password(store, ctx, &record, new).await?;
    Ok(record)
}

async fn set_password(store: &Store, ctx: &Context, user: &UserRecord, new: &str) -> Result<()> {
    let hash = hash_password(new)?;
    let at = jiff::Timestamp::now();
    let mut tx = store.begin().await?;
    tx.set_password(user.id, &hash, at).await?;
    let after = tx.get_user(user.id).await?;
    // The audit row says that the password changed, never what to.
    audit(
        &mut tx,
        ctx,
        at,
        change(user, Action::Update, Some(user), Some(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A new API token: its secret, shown once, and its record.
#[derive(Debug)]
pub struct NewToken {
    pub secret: Secret,
    pub token: ApiTokenRecord,
}

pub async fn create_token(store: &Store, ctx: &Context, user: i64, name: &str) -> Result<NewToken> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "name",
            "say what the token is for, in at most 100 printable characters",
        ));
    }
    let secret = Secret::generate(TOKEN_PREFIX)?;
    let at = jiff::Timestamp::now();
    let mut tx = store.begin().await?;
    let record = tx.get_user(user).await?;
    let token = tx.insert_api_token(user, name, &secret.hash(), at).await?;
    audit(
        &mut tx,
        ctx,
        at,
        Change {
            entity: EntityKind::User,
            id: record.id.to_string(),
            action: Action::Update,
            before: None,
            after: Some(&serde_json::json!({ "api_token_created": token })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(NewToken { secret, token })
}

pub async fn revoke_token(
    store: &Store,
    ctx: &Context,
    user: i64,
    token: i64,
) -> Result<ApiTokenRecord> {
    let at = jiff::Timestamp::now();
    let mut tx = store.begin().await?;
    let revoked = tx.revoke_api_token(user, token, at).await?;
    audit(
        &mut tx,
        ctx,
        at,
        Change {
            entity: EntityKind::User,
            id: user.to_string(),
            action: Action::Update,
            before: None,
            after: Some(&serde_json::json!({ "api_token_revoked": revoked })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(revoked)
}

/// The user an API token belongs to, if the token is valid.
pub async fn token_user(store: &Store, secret: &Secret) -> Result<Option<UserRecord>> {
    if !secret.expose().starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    Ok(store
        .use_api_token(&secret.hash(), jiff::Timestamp::now())
        .await?
        .map(|(_, user)| user))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_lowercased_and_checked() {
        assert_eq!(
            normalize_email(" Ada@Example.ORG ").ok().as_deref(),
            Some("ada@example.org")
        );
        for bad in [
            "",
            "ada",
            "@example.org",
            "ada@",
            "ada@example",
            "a da@example.org",
            "ada@.org",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn passwords_hash_and_verify() {
        let hash = hash_password("correct horse battery").unwrap_or_default();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(password_matches("correct horse battery", &hash));
        assert!(!password_matches("correct horse batterY", &hash));
        assert!(!password_matches("anything", "not a hash"));
    }

    #[test]
    fn secrets_are_random_and_hashed_not_stored() {
        let a = Secret::generate(TOKEN_PREFIX).unwrap_or_else(|_| Secret::from_client(""));
        let b = Secret::generate(TOKEN_PREFIX).unwrap_or_else(|_| Secret::from_client(""));
        assert_ne!(a, b);
        assert_eq!(a.expose().len(), TOKEN_PREFIX.len() + 64);
        assert_eq!(a.hash().len(), 128);
        assert_ne!(a.hash(), a.expose());
        assert_eq!(format!("{a:?}"), "Secret(…)");
    }
}
