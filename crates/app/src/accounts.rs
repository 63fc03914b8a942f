//! Accounts: users, sign-in, sessions and API tokens.
//!
//! Passwords are hashed with Argon2id, off the async runtime and a few at a time. Session and
//! token secrets are 32 random bytes the client holds; the store keeps only their BLAKE2b
//! hash, so a copy of the database cannot be used to sign in. Five failed sign-ins in a row
//! lock an account for fifteen minutes (counted in one atomic update, so failures sent at once
//! each count); a locked account, an unknown one and a wrong password get the same answer
//! after the same work. One address may fail [`MAX_FAILURES_PER_ADDRESS`] times in
//! [`THROTTLE_WINDOW`] before it is refused without a check, so no client can try thousands of
//! accounts or keep the admin locked out. Sign-ins, failures, lockouts and sign-outs are
//! recorded in the audit log (entity `sign-in`), never with the password.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use bearing_core::access::{Permission, Role, RoleName};
use bearing_core::{Action, DataPart, EntityKind, UserId};
use bearing_store::{ApiTokenRecord, Store, UserFields, UserRecord};
use blake2::Digest;

use crate::{AppError, Change, Context, Result, audit};

/// Failed sign-ins in a row before an account is locked.
pub const MAX_FAILED_SIGN_INS: i64 = 5;
/// How long a lock lasts.
pub const LOCKOUT: jiff::SignedDuration = jiff::SignedDuration::from_mins(15);
/// Failed sign-ins one address may make in [`THROTTLE_WINDOW`] before it is refused.
pub const MAX_FAILURES_PER_ADDRESS: u32 = 20;
/// The window of the per-address throttle.
pub const THROTTLE_WINDOW: jiff::SignedDuration = jiff::SignedDuration::from_mins(15);
/// Addresses the throttle remembers at most; beyond, the oldest windows are forgotten first.
const THROTTLE_ADDRESSES: usize = 100_000;
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

/// Adds a user. The first user of an install is usually an admin added by `bearing user add`
/// or through the setup link.
pub async fn add_user(
    store: &Store,
    ctx: &Context,
    email: &str,
    name: Option<&str>,
    role: impl Into<RoleName>,
    password: &str,
) -> Result<UserRecord> {
    ctx.require(Permission::ManageUsers)?;
    insert_user(store, ctx, email, name, role.into(), password, false).await
}

/// Adds a user; when `first` only to an install without users, checked in the transaction
/// that adds it, so two first admins cannot both be set up.
async fn insert_user(
    store: &Store,
    ctx: &Context,
    email: &str,
    name: Option<&str>,
    role: RoleName,
    password: &str,
    first: bool,
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
    let password = password.to_owned();
    let hash = crate::heavy::hash(move || hash_password(&password)).await??;
    let at = ctx.now();
    let mut tx = store.begin().await?;
    tx.lock(DataPart::Accounts).await?;
    if first && !tx.list_users().await?.is_empty() {
        return Err(AppError::Conflict(
            "Bearing already has users: sign in, or ask an admin for an account".into(),
        ));
    }
    let role = crate::access::existing_role(&mut tx, role).await?;
    let user = tx
        .insert_user(&UserFields { email, name, role }, &hash, at)
        .await?;
    audit(
        &mut tx,
        ctx,
        at,
        Change::created(EntityKind::User, user.id, &user),
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// The user with this email (in any case); an error that names it when there is none.
pub async fn user_by_email(store: &Store, email: &str) -> Result<UserRecord> {
    let email = normalize_email(email)?;
    store
        .find_user_by_email(&email)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no user with email {email}")))
}

/// Every user, enabled ones first, by email; for those who manage users.
pub async fn users(store: &Store, ctx: &Context) -> Result<Vec<UserRecord>> {
    ctx.require(Permission::ManageUsers)?;
    Ok(store.list_users().await?)
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
    insert_user(store, ctx, email, name, Role::Admin.into(), password, true).await
}

/// Changes a user's role or disables them (which ends their sessions); for admins. Refused
/// when it would leave no enabled user who may manage users.
pub async fn update_user(
    store: &Store,
    ctx: &Context,
    id: UserId,
    role: impl Into<RoleName>,
    disabled: bool,
) -> Result<UserRecord> {
    ctx.require(Permission::ManageUsers)?;
    let at = ctx.now();
    let mut tx = store.begin().await?;
    let role = crate::access::existing_role(&mut tx, role.into()).await?;
    let before = tx.get_user(id).await?;
    let disabled_at = match (&before.disabled_at, disabled) {
        (Some(since), true) => Some(*since),
        (None, true) => Some(at),
        (_, false) => None,
    };
    if before.role == role && before.disabled_at == disabled_at {
        return Ok(before);
    }
    let managing = crate::access::managers(&mut tx).await?;
    let after = tx
        .update_user(id, &before.name, &role, disabled_at, at)
        .await?;
    // Checked inside the transaction, after the change and under the accounts' lock taken
    // by `managers`, so two admins demoting each other at once cannot both pass.
    crate::access::check_someone_manages_users(&mut tx, managing).await?;
    if disabled {
        tx.end_sessions_of(id, at).await?;
    }
    audit(
        &mut tx,
        ctx,
        at,
        Change::updated(EntityKind::User, after.id, &before, &after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// How long a browser session lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    /// A session ends after this long without a request…
    pub idle: jiff::SignedDuration,
    /// …and at the latest this long after sign-in.
    pub absolute: jiff::SignedDuration,
}

impl Default for SessionLimits {
    fn default() -> Self {
        SessionLimits {
            idle: jiff::SignedDuration::from_hours(12),
            absolute: jiff::SignedDuration::from_hours(7 * 24),
        }
    }
}

/// What signing in needs beside the store, one per server: how long sessions last, and the
/// failed sign-ins of each client address in the current window.
#[derive(Debug, Default)]
pub struct SignIns {
    pub sessions: SessionLimits,
    /// What time it is for sessions, tokens and the throttle.
    pub clock: crate::Clock,
    failures: std::sync::Mutex<std::collections::HashMap<String, (jiff::Timestamp, u32)>>,
}

/// One try at signing in, and where it came from.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    pub email: &'a str,
    pub password: &'a str,
    /// The client's address as the server sees it (or as a trusted proxy says).
    pub address: &'a str,
}

/// A signed-in browser session: the secret for the cookie and whose it is.
#[derive(Debug)]
pub struct SignedIn {
    pub secret: Secret,
    pub user: UserRecord,
}

impl SignIns {
    pub fn new(sessions: SessionLimits) -> Self {
        SignIns {
            sessions,
            clock: crate::Clock::System,
            failures: std::sync::Mutex::default(),
        }
    }

    /// The same, with time from `clock` (tests move it past an expiry).
    pub fn with_clock(self, clock: crate::Clock) -> Self {
        SignIns { clock, ..self }
    }

    fn failures(
        &self,
    ) -> Result<std::sync::MutexGuard<'_, std::collections::HashMap<String, (jiff::Timestamp, u32)>>>
    {
        self.failures
            .lock()
            .map_err(|_| AppError::Internal("the sign-in throttle's lock is poisoned".into()))
    }

    /// Refuses an address that failed too often in the current window.
    fn check_address(&self, address: &str, now: jiff::Timestamp) -> Result<()> {
        let failures = self.failures()?;
        match failures.get(address) {
            Some((since, count))
                if *count >= MAX_FAILURES_PER_ADDRESS && now < *since + THROTTLE_WINDOW =>
            {
                Err(AppError::TooManyRequests(format!(
                    "too many failed sign-ins from your address: try again after {} UTC",
                    (*since + THROTTLE_WINDOW).strftime("%H:%M")
                )))
            }
            _ => Ok(()),
        }
    }

    fn count_failure(&self, address: &str, now: jiff::Timestamp) -> Result<()> {
        let mut failures = self.failures()?;
        if failures.len() >= THROTTLE_ADDRESSES {
            failures.retain(|_, (since, _)| now < *since + THROTTLE_WINDOW);
        }
        if failures.len() >= THROTTLE_ADDRESSES {
            let oldest = failures
                .iter()
                .min_by_key(|(_, (since, _))| *since)
                .map(|(a, _)| a.clone());
            if let Some(oldest) = oldest {
                failures.remove(&oldest);
            }
        }
        let entry = failures.entry(address.to_owned()).or_insert((now, 0));
        if now >= entry.0 + THROTTLE_WINDOW {
            *entry = (now, 0);
        }
        entry.1 += 1;
        Ok(())
    }

    /// Checks email and password and opens a session. Every refusal but the address
    /// throttle's says the same and costs the same: an unknown email, a disabled or locked
    /// account and a wrong password are not told apart.
    pub async fn sign_in(&self, store: &Store, attempt: Attempt<'_>) -> Result<SignedIn> {
        let now = self.clock.now();
        self.check_address(attempt.address, now)?;
        let user = match normalize_email(attempt.email) {
            Ok(email) => store.find_user_by_email(&email).await?,
            Err(_) => None,
        }
        .filter(|u| u.disabled_at.is_none());
        let hash = user.as_ref().map(|u| u.password_hash.clone());
        let password = attempt.password.to_owned();
        let matches = crate::heavy::hash(move || match &hash {
            Some(hash) => password_matches(&password, hash),
            None => password_matches(&password, decoy_hash()),
        })
        .await?;
        let refused = || Err(AppError::Unauthorized(WRONG_CREDENTIALS.into()));
        let Some(user) = user else {
            self.count_failure(attempt.address, now)?;
            record_event(store, attempt, None, Action::Update, "failed", now).await?;
            return refused();
        };
        let locked = user.locked_until.is_some_and(|until| until > now);
        if locked {
            self.count_failure(attempt.address, now)?;
            record_event(
                store,
                attempt,
                Some(&user),
                Action::Update,
                "refused while locked",
                now,
            )
            .await?;
            return refused();
        }
        if !matches {
            self.count_failure(attempt.address, now)?;
            let (_, lock) = store
                .record_failed_sign_in(user.id, now, MAX_FAILED_SIGN_INS, now + LOCKOUT)
                .await?;
            record_event(store, attempt, Some(&user), Action::Update, "failed", now).await?;
            if lock.is_some() {
                record_event(store, attempt, Some(&user), Action::Update, "locked", now).await?;
            }
            return refused();
        }
        if user.failed_sign_ins > 0 || user.locked_until.is_some() {
            store.clear_failed_sign_ins(user.id).await?;
        }
        let secret = Secret::generate("")?;
        store
            .insert_session(user.id, &secret.hash(), now, now + self.sessions.idle)
            .await?;
        record_event(
            store,
            attempt,
            Some(&user),
            Action::Create,
            "signed in",
            now,
        )
        .await?;
        Ok(SignedIn { secret, user })
    }

    /// The user of an open session, moving its expiry (at most once a minute, so that a page
    /// with many requests writes once): `idle` from now, but never past `absolute` from its
    /// start.
    pub async fn session_user(&self, store: &Store, secret: &Secret) -> Result<Option<UserRecord>> {
        let now = self.clock.now();
        let Some((session, user)) = store.find_session(&secret.hash(), now).await? else {
            return Ok(None);
        };
        let created = session.created_at;
        if now >= created + self.sessions.absolute {
            return Ok(None);
        }
        if now.duration_since(session.last_seen_at) >= jiff::SignedDuration::from_mins(1) {
            let expires = (now + self.sessions.idle).min(created + self.sessions.absolute);
            store.touch_session(session.id, now, expires).await?;
        }
        Ok(Some(user))
    }

    /// The user an API token belongs to, if the token is valid.
    pub async fn token_user(&self, store: &Store, secret: &Secret) -> Result<Option<UserRecord>> {
        if !secret.expose().starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        Ok(store
            .use_api_token(&secret.hash(), self.clock.now())
            .await?
            .map(|(_, user)| user))
    }

    /// Ends a session and records who signed out.
    pub async fn sign_out(&self, store: &Store, secret: &Secret, address: &str) -> Result<()> {
        let now = self.clock.now();
        let user = store.find_session(&secret.hash(), now).await?;
        store.end_session(&secret.hash(), now).await?;
        if let Some((_, user)) = user {
            let attempt = Attempt {
                email: &user.email,
                password: "",
                address,
            };
            record_event(
                store,
                attempt,
                Some(&user),
                Action::Delete,
                "signed out",
                now,
            )
            .await?;
        }
        Ok(())
    }

    /// Changes one's own password after checking the current one; every session of the user
    /// ends (and, unless `keep_tokens`, every API token), and a new session is opened for the
    /// browser that made the change.
    #[allow(clippy::too_many_arguments)]
    pub async fn change_password(
        &self,
        store: &Store,
        ctx: &Context,
        user: UserId,
        current: &str,
        new: &str,
        keep_tokens: bool,
        address: &str,
    ) -> Result<SignedIn> {
        let record = store.get_user(user).await?;
        let hash = record.password_hash.clone();
        let given = current.to_owned();
        if !crate::heavy::hash(move || password_matches(&given, &hash)).await? {
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
        set_password(store, ctx, &record, new, keep_tokens).await?;
        self.sign_in(
            store,
            Attempt {
                email: &record.email,
                password: new,
                address,
            },
        )
        .await
    }
}

/// Records a sign-in event in the audit log: who (when the account is known), from where,
/// and what happened; never the password.
async fn record_event(
    store: &Store,
    attempt: Attempt<'_>,
    user: Option<&UserRecord>,
    action: Action,
    event: &str,
    at: jiff::Timestamp,
) -> Result<()> {
    let actor = user
        .map(|u| u.email.clone())
        .or_else(|| normalize_email(attempt.email).ok())
        .and_then(|e| bearing_core::Actor::parse(&e).ok())
        .unwrap_or_else(|| {
            bearing_core::Actor::parse("anonymous")
                .unwrap_or_else(|_| unreachable!("a valid actor"))
        });
    let ctx = Context::new(actor, bearing_core::Source::Web);
    let after = serde_json::json!({
        "event": event,
        "user": user.map(|u| u.id),
        "address": attempt.address,
    });
    let mut tx = store.begin().await?;
    audit(
        &mut tx,
        &ctx,
        at,
        Change::event(
            EntityKind::SignIn,
            user.map_or_else(|| "-".to_owned(), |u| u.id.to_string()),
            action,
            &after,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a user's password (an admin's reset, or `bearing user password`); ends their sessions
/// and, unless `keep_tokens`, revokes their API tokens.
pub async fn reset_password(
    store: &Store,
    ctx: &Context,
    email: &str,
    new: &str,
    keep_tokens: bool,
) -> Result<UserRecord> {
    ctx.require(Permission::ManageUsers)?;
    let record = user_by_email(store, email).await?;
    check_password(new)?;
    set_password(store, ctx, &record, new, keep_tokens).await?;
    Ok(record)
}

async fn set_password(
    store: &Store,
    ctx: &Context,
    user: &UserRecord,
    new: &str,
    keep_tokens: bool,
) -> Result<()> {
    let new = new.to_owned();
    let hash = crate::heavy::hash(move || hash_password(&new)).await??;
    let at = ctx.now();
    let mut tx = store.begin().await?;
    tx.set_password(user.id, &hash, at).await?;
    if !keep_tokens {
        tx.revoke_api_tokens_of(user.id, at).await?;
    }
    let after = tx.get_user(user.id).await?;
    // The audit row says that the password changed, never what to.
    audit(
        &mut tx,
        ctx,
        at,
        Change::updated(EntityKind::User, user.id, user, &after),
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

/// A new API token for `user`, named for what it is for; with `expires`, it is accepted until
/// the start of that day (UTC), which must lie ahead.
pub async fn create_token(
    store: &Store,
    ctx: &Context,
    user: UserId,
    name: &str,
    expires: Option<bearing_core::Date>,
) -> Result<NewToken> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "name",
            "say what the token is for, in at most 100 printable characters",
        ));
    }
    let at = ctx.now();
    let expires = expires
        .map(|day| {
            day.to_zoned(jiff::tz::TimeZone::UTC)
                .map(|z| z.timestamp())
                .map_err(|e| AppError::invalid("expires", e.to_string()))
        })
        .transpose()?;
    if expires.is_some_and(|e| e <= at) {
        return Err(AppError::invalid(
            "expires",
            "must be a day after today: a token that has expired already is of no use",
        ));
    }
    let secret = Secret::generate(TOKEN_PREFIX)?;
    let mut tx = store.begin().await?;
    let record = tx.get_user(user).await?;
    let token = tx
        .insert_api_token(user, name, &secret.hash(), at, expires)
        .await?;
    audit(
        &mut tx,
        ctx,
        at,
        Change::event(
            EntityKind::User,
            record.id,
            Action::Update,
            &serde_json::json!({ "api_token_created": token }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(NewToken { secret, token })
}

pub async fn revoke_token(
    store: &Store,
    ctx: &Context,
    user: UserId,
    token: i64,
) -> Result<ApiTokenRecord> {
    let at = ctx.now();
    let mut tx = store.begin().await?;
    let revoked = tx.revoke_api_token(user, token, at).await?;
    audit(
        &mut tx,
        ctx,
        at,
        Change::event(
            EntityKind::User,
            user,
            Action::Update,
            &serde_json::json!({ "api_token_revoked": revoked }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(revoked)
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
