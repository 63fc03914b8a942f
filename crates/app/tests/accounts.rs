//! Accounts on both backends: users, sign-in and its lockout, sessions and API tokens.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use bearing_app::accounts::{self, MAX_FAILED_SIGN_INS, Secret};
use bearing_app::{AppError, Context, history};
use bearing_core::access::Role;
use bearing_core::{Actor, EntityKind, Source};
use bearing_store::testing::TestDb;

bearing_store::on_both_backends!(
    users_are_added_once_per_email_with_a_valid_password,
    sign_in_opens_a_session_that_sign_out_ends,
    repeated_failures_lock_the_account_without_revealing_it,
    a_password_change_ends_every_other_session,
    api_tokens_are_shown_once_stored_hashed_and_revocable,
    disabling_a_user_ends_their_access_but_not_the_last_admin,
    the_first_admin_can_be_added_only_to_an_empty_install,
);

const PASSWORD: &str = "correct horse battery";

fn ctx() -> Context {
    Context::new(Actor::parse("operator").unwrap(), Source::Cli)
}

async fn users_are_added_once_per_email_with_a_valid_password(db: &TestDb) {
    let store = db.store().await;
    let ada = accounts::add_user(
        &store,
        &ctx(),
        " Ada@Example.org",
        None,
        Role::Finance,
        PASSWORD,
    )
    .await
    .unwrap();
    assert_eq!(
        (ada.email.as_str(), ada.name.as_str(), ada.role),
        ("ada@example.org", "ada", Role::Finance)
    );
    let again = accounts::add_user(
        &store,
        &ctx(),
        "ada@example.org",
        None,
        Role::Member,
        PASSWORD,
    )
    .await;
    assert!(
        matches!(again, Err(AppError::Conflict(ref m)) if m.contains("ada@example.org")),
        "{again:?}"
    );
    let short = accounts::add_user(
        &store,
        &ctx(),
        "bo@example.org",
        None,
        Role::Member,
        "short",
    )
    .await;
    assert!(
        matches!(short, Err(AppError::Invalid { ref field, .. }) if field == "password"),
        "{short:?}"
    );
    let bad = accounts::add_user(&store, &ctx(), "bo", None, Role::Member, PASSWORD).await;
    assert!(
        matches!(bad, Err(AppError::Invalid { ref field, .. }) if field == "email"),
        "{bad:?}"
    );
    assert_eq!(store.count_users().await.unwrap(), 1);
    // The audit row records the user but never the password or its hash.
    let log = history::of(&store, EntityKind::User, &ada.id.to_string())
        .await
        .unwrap();
    assert_eq!(log.len(), 1);
    let after = serde_json::to_string(&log[0].after).unwrap();
    assert!(
        after.contains("ada@example.org") && !after.contains("argon2") && !after.contains(PASSWORD),
        "{after}"
    );
}

async fn sign_in_opens_a_session_that_sign_out_ends(db: &TestDb) {
    let store = db.store().await;
    accounts::add_user(
        &store,
        &ctx(),
        "ada@example.org",
        None,
        Role::Member,
        PASSWORD,
    )
    .await
    .unwrap();
    let signed = accounts::sign_in(&store, "ADA@example.org ", PASSWORD)
        .await
        .unwrap();
    let user = accounts::session_user(&store, &signed.secret)
        .await
        .unwrap();
    assert_eq!(user.map(|u| u.email), Some("ada@example.org".to_owned()));
    assert_eq!(
        accounts::session_user(&store, &Secret::from_client("forged"))
            .await
            .unwrap(),
        None
    );
    accounts::sign_out(&store, &signed.secret).await.unwrap();
    assert_eq!(
        accounts::session_user(&store, &signed.secret)
            .await
            .unwrap(),
        None
    );
}

async fn repeated_failures_lock_the_account_without_revealing_it(db: &TestDb) {
    let store = db.store().await;
    accounts::add_user(
        &store,
        &ctx(),
        "ada@example.org",
        None,
        Role::Member,
        PASSWORD,
    )
    .await
    .unwrap();
    let unknown = accounts::sign_in(&store, "nobody@example.org", PASSWORD)
        .await
        .unwrap_err();
    let wrong = accounts::sign_in(&store, "ada@example.org", "wrong password")
        .await
        .unwrap_err();
    assert_eq!(unknown.to_string(), wrong.to_string());
    assert!(matches!(wrong, AppError::Unauthorized(_)));
    for _ in 1..MAX_FAILED_SIGN_INS {
        let _ = accounts::sign_in(&store, "ada@example.org", "wrong password").await;
    }
    // Locked: even the right password is refused until the lock runs out.
    let locked = accounts::sign_in(&store, "ada@example.org", PASSWORD)
        .await
        .unwrap_err();
    assert!(
        locked.to_string().contains("too many failed sign-ins"),
        "{locked}"
    );
}

async fn a_password_change_ends_every_other_session(db: &TestDb) {
    let store = db.store().await;
    let ada = accounts::add_user(
        &store,
        &ctx(),
        "ada@example.org",
        None,
        Role::Member,
        PASSWORD,
    )
    .await
    .unwrap();
    let laptop = accounts::sign_in(&store, "ada@example.org", PASSWORD)
        .await
        .unwrap();
    let phone = accounts::sign_in(&store, "ada@example.org", PASSWORD)
        .await
        .unwrap();
    let wrong = accounts::change_password(
        &store,
        &ctx(),
        ada.id,
        "not it at all",
        "a new long password",
    )
    .await;
    assert!(matches!(wrong, Err(AppError::Invalid { .. })), "{wrong:?}");
    let renewed =
        accounts::change_password(&store, &ctx(), ada.id, PASSWORD, "a new long password")
            .await
            .unwrap();
    assert_eq!(
        accounts::session_user(&store, &laptop.secret)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        accounts::session_user(&store, &phone.secret).await.unwrap(),
        None
    );
    assert!(
        accounts::session_user(&store, &renewed.secret)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        accounts::sign_in(&store, "ada@example.org", PASSWORD)
            .await
            .is_err()
    );
    assert!(
        accounts::sign_in(&store, "ada@example.org", "a new long password")
            .await
            .is_ok()
    );
}

async fn api_tokens_are_shown_once_stored_hashed_and_revocable(db: &TestDb) {
    let store = db.store().await;
    let ada = accounts::add_user(
        &store,
        &ctx(),
        "ada@example.org",
        None,
        Role::Partnerships,
        PASSWORD,
    )
    .await
    .unwrap();
    let created = accounts::create_token(&store, &ctx(), ada.id, "nightly export")
        .await
        .unwrap();
    assert!(created.secret.expose().starts_with("brg_"));
    let user = accounts::token_user(&store, &created.secret).await.unwrap();
    assert_eq!(user.map(|u| u.role), Some(Role::Partnerships));
    let listed = store.list_api_tokens(ada.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].last_used_at.is_some());
    // The secret itself is nowhere in the database.
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert!(!stored.iter().any(|h| h.contains(created.secret.expose())));
    // A session secret is not a token.
    let signed = accounts::sign_in(&store, "ada@example.org", PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        accounts::token_user(&store, &signed.secret).await.unwrap(),
        None
    );
    accounts::revoke_token(&store, &ctx(), ada.id, created.token.id)
        .await
        .unwrap();
    assert_eq!(
        accounts::token_user(&store, &created.secret).await.unwrap(),
        None
    );
    let missing = accounts::revoke_token(&store, &ctx(), ada.id, 999).await;
    assert!(matches!(missing, Err(AppError::NotFound(_))), "{missing:?}");
}

async fn disabling_a_user_ends_their_access_but_not_the_last_admin(db: &TestDb) {
    let store = db.store().await;
    let root = accounts::add_user(
        &store,
        &ctx(),
        "root@example.org",
        None,
        Role::Admin,
        PASSWORD,
    )
    .await
    .unwrap();
    let bo = accounts::add_user(
        &store,
        &ctx(),
        "bo@example.org",
        None,
        Role::Member,
        PASSWORD,
    )
    .await
    .unwrap();
    let session = accounts::sign_in(&store, "bo@example.org", PASSWORD)
        .await
        .unwrap();
    let token = accounts::create_token(&store, &ctx(), bo.id, "script")
        .await
        .unwrap();
    let disabled = accounts::update_user(&store, &ctx(), bo.id, Role::Member, true)
        .await
        .unwrap();
    assert!(disabled.disabled_at.is_some());
    assert_eq!(
        accounts::session_user(&store, &session.secret)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        accounts::token_user(&store, &token.secret).await.unwrap(),
        None
    );
    assert!(
        accounts::sign_in(&store, "bo@example.org", PASSWORD)
            .await
            .is_err()
    );
    let last = accounts::update_user(&store, &ctx(), root.id, Role::Finance, false).await;
    assert!(
        matches!(last, Err(AppError::Conflict(ref m)) if m.contains("last admin")),
        "{last:?}"
    );
    let enabled = accounts::update_user(&store, &ctx(), bo.id, Role::Admin, false)
        .await
        .unwrap();
    assert_eq!((enabled.role, enabled.disabled_at), (Role::Admin, None));
    accounts::update_user(&store, &ctx(), root.id, Role::Finance, false)
        .await
        .unwrap();
}

async fn the_first_admin_can_be_added_only_to_an_empty_install(db: &TestDb) {
    let store = db.store().await;
    let first =
        accounts::add_first_admin(&store, &ctx(), "root@example.org", Some("Root"), PASSWORD)
            .await
            .unwrap();
    assert_eq!((first.role, first.name.as_str()), (Role::Admin, "Root"));
    let second = accounts::add_first_admin(&store, &ctx(), "eve@example.org", None, PASSWORD).await;
    assert!(matches!(second, Err(AppError::Conflict(_))), "{second:?}");
}
