//! Accounts on both backends: users, sign-in and its lockout, sessions and API tokens.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use bearing_app::accounts::{self, Attempt, MAX_FAILED_SIGN_INS, Secret, SignIns, SignedIn};
use bearing_app::{AppError, Clock, Context, history};
use bearing_core::access::{Role, RoleName};
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
    two_admins_demoting_each_other_at_once_leave_one_admin,
    two_first_admins_at_once_make_one,
    forty_wrong_passwords_at_once_lock_the_account_after_five,
    four_failures_do_not_lock_and_a_success_clears_them,
    one_address_that_fails_too_often_is_throttled,
    sign_ins_failures_lockouts_and_sign_outs_are_audited_without_moving_the_data_version,
    a_new_password_revokes_api_tokens_unless_they_are_kept,
    api_tokens_expire_on_their_day,
    sessions_end_after_their_idle_and_absolute_limits,
);

const PASSWORD: &str = "correct horse battery";
/// A documentation address (RFC 5737), as a client's.
const ADDRESS: &str = "192.0.2.1";

async fn sign_in(
    s: &SignIns,
    store: &bearing_store::Store,
    email: &str,
    password: &str,
) -> Result<SignedIn, AppError> {
    s.sign_in(
        store,
        Attempt {
            email,
            password,
            address: ADDRESS,
        },
    )
    .await
}

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
        ("ada@example.org", "ada", RoleName::from(Role::Finance))
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
    let log = history::of(&store, &ctx(), EntityKind::User, &ada.id.to_string())
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
    let s = SignIns::default();
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
    let signed = sign_in(&s, &store, "ADA@example.org ", PASSWORD)
        .await
        .unwrap();
    let user = s.session_user(&store, &signed.secret).await.unwrap();
    assert_eq!(user.map(|u| u.email), Some("ada@example.org".to_owned()));
    assert_eq!(
        s.session_user(&store, &Secret::from_client("forged"))
            .await
            .unwrap(),
        None
    );
    s.sign_out(&store, &signed.secret, ADDRESS).await.unwrap();
    assert_eq!(s.session_user(&store, &signed.secret).await.unwrap(), None);
}

async fn repeated_failures_lock_the_account_without_revealing_it(db: &TestDb) {
    let store = db.store().await;
    let s = SignIns::default();
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
    let unknown = sign_in(&s, &store, "nobody@example.org", PASSWORD)
        .await
        .unwrap_err();
    let wrong = sign_in(&s, &store, "ada@example.org", "wrong password")
        .await
        .unwrap_err();
    assert_eq!(unknown.to_string(), wrong.to_string());
    assert!(matches!(wrong, AppError::Unauthorized(_)));
    for _ in 1..MAX_FAILED_SIGN_INS {
        let _ = sign_in(&s, &store, "ada@example.org", "wrong password").await;
    }
    // Locked: even the right password is refused until the lock runs out, with the answer
    // an unknown email gets, so the lock does not tell which emails exist.
    let locked = sign_in(&s, &store, "ada@example.org", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(locked.to_string(), unknown.to_string());
    assert!(matches!(locked, AppError::Unauthorized(_)));
}

async fn a_password_change_ends_every_other_session(db: &TestDb) {
    let store = db.store().await;
    let s = SignIns::default();
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
    let laptop = sign_in(&s, &store, "ada@example.org", PASSWORD)
        .await
        .unwrap();
    let phone = sign_in(&s, &store, "ada@example.org", PASSWORD)
        .await
        .unwrap();
    let wrong = s
        .change_password(
            &store,
            &ctx(),
            ada.id,
            "not it at all",
            "a new long password",
            false,
            ADDRESS,
        )
        .await;
    assert!(matches!(wrong, Err(AppError::Invalid { .. })), "{wrong:?}");
    let renewed = s
        .change_password(
            &store,
            &ctx(),
            ada.id,
            PASSWORD,
            "a new long password",
            false,
            ADDRESS,
        )
        .await
        .unwrap();
    assert_eq!(s.session_user(&store, &laptop.secret).await.unwrap(), None);
    assert_eq!(s.session_user(&store, &phone.secret).await.unwrap(), None);
    assert!(
        s.session_user(&store, &renewed.secret)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        sign_in(&s, &store, "ada@example.org", PASSWORD)
            .await
            .is_err()
    );
    assert!(
        sign_in(&s, &store, "ada@example.org", "a new long password")
            .await
            .is_ok()
    );
}

async fn api_tokens_are_shown_once_stored_hashed_and_revocable(db: &TestDb) {
    let store = db.store().await;
    let s = SignIns::default();
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
    let created = accounts::create_token(&store, &ctx(), ada.id, "nightly export", None)
        .await
        .unwrap();
    assert!(created.secret.expose().starts_with("brg_"));
    let user = SignIns::default()
        .token_user(&store, &created.secret)
        .await
        .unwrap();
    assert_eq!(
        user.map(|u| u.role),
        Some(RoleName::from(Role::Partnerships))
    );
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
    let signed = sign_in(&s, &store, "ada@example.org", PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        SignIns::default()
            .token_user(&store, &signed.secret)
            .await
            .unwrap(),
        None
    );
    accounts::revoke_token(&store, &ctx(), ada.id, created.token.id)
        .await
        .unwrap();
    assert_eq!(
        SignIns::default()
            .token_user(&store, &created.secret)
            .await
            .unwrap(),
        None
    );
    let missing = accounts::revoke_token(&store, &ctx(), ada.id, 999).await;
    assert!(matches!(missing, Err(AppError::NotFound(_))), "{missing:?}");
}

async fn disabling_a_user_ends_their_access_but_not_the_last_admin(db: &TestDb) {
    let store = db.store().await;
    let s = SignIns::default();
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
    let session = sign_in(&s, &store, "bo@example.org", PASSWORD)
        .await
        .unwrap();
    let token = accounts::create_token(&store, &ctx(), bo.id, "script", None)
        .await
        .unwrap();
    let disabled = accounts::update_user(&store, &ctx(), bo.id, Role::Member, true)
        .await
        .unwrap();
    assert!(disabled.disabled_at.is_some());
    assert_eq!(s.session_user(&store, &session.secret).await.unwrap(), None);
    assert_eq!(
        SignIns::default()
            .token_user(&store, &token.secret)
            .await
            .unwrap(),
        None
    );
    assert!(
        sign_in(&s, &store, "bo@example.org", PASSWORD)
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
    assert_eq!(
        (enabled.role, enabled.disabled_at),
        (RoleName::from(Role::Admin), None)
    );
    accounts::update_user(&store, &ctx(), root.id, Role::Finance, false)
        .await
        .unwrap();
}

/// The check that someone may still manage users reads inside each change's transaction under
/// the accounts' lock: of two admins demoting each other at once, one wins and one is refused.
async fn two_admins_demoting_each_other_at_once_leave_one_admin(db: &TestDb) {
    let store = db.store().await;
    let add = |email: &'static str| {
        let store = store.clone();
        async move {
            accounts::add_user(&store, &ctx(), email, None, Role::Admin, PASSWORD)
                .await
                .unwrap()
        }
    };
    let (ada, bo) = (add("ada@example.org").await, add("bo@example.org").await);
    let demote = |id: bearing_core::UserId| {
        let store = store.clone();
        tokio::spawn(
            async move { accounts::update_user(&store, &ctx(), id, Role::Member, false).await },
        )
    };
    let (first, second) = (demote(ada.id), demote(bo.id));
    let results = [first.await.unwrap(), second.await.unwrap()];
    let refused: Vec<_> = results.iter().filter(|r| r.is_err()).collect();
    assert_eq!(refused.len(), 1, "{results:?}");
    assert!(
        matches!(refused[0], Err(AppError::Conflict(m)) if m.contains("last admin")),
        "{results:?}"
    );
    let admins = accounts::users(&store, &ctx())
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.role == Role::Admin)
        .count();
    assert_eq!(admins, 1);
}

/// Two setup links used at once: the install gets one first admin.
async fn two_first_admins_at_once_make_one(db: &TestDb) {
    let store = db.store().await;
    let setup = |email: &'static str| {
        let store = store.clone();
        tokio::spawn(async move {
            accounts::add_first_admin(&store, &ctx(), email, None, PASSWORD).await
        })
    };
    let (first, second) = (setup("ada@example.org"), setup("bo@example.org"));
    let results = [first.await.unwrap(), second.await.unwrap()];
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert_eq!(store.count_users().await.unwrap(), 1);
}

async fn the_first_admin_can_be_added_only_to_an_empty_install(db: &TestDb) {
    let store = db.store().await;
    let first =
        accounts::add_first_admin(&store, &ctx(), "root@example.org", Some("Root"), PASSWORD)
            .await
            .unwrap();
    assert_eq!(
        (first.role, first.name.as_str()),
        (RoleName::from(Role::Admin), "Root")
    );
    let second = accounts::add_first_admin(&store, &ctx(), "eve@example.org", None, PASSWORD).await;
    assert!(matches!(second, Err(AppError::Conflict(_))), "{second:?}");
}

async fn ada(store: &bearing_store::Store) -> bearing_store::UserRecord {
    accounts::add_user(
        store,
        &ctx(),
        "ada@example.org",
        None,
        Role::Member,
        PASSWORD,
    )
    .await
    .unwrap()
}

async fn forty_wrong_passwords_at_once_lock_the_account_after_five(db: &TestDb) {
    let store = db.store().await;
    let user = ada(&store).await;
    let s = std::sync::Arc::new(SignIns::default());
    let mut tries = tokio::task::JoinSet::new();
    for i in 0..40 {
        let (s, store) = (s.clone(), store.clone());
        tries.spawn(async move {
            // From forty addresses, so that the per-address throttle does not step in.
            let address = format!("198.51.100.{i}");
            s.sign_in(
                &store,
                Attempt {
                    email: "ada@example.org",
                    password: "wrong password",
                    address: &address,
                },
            )
            .await
            .map(|_| ())
        });
    }
    while let Some(result) = tries.join_next().await {
        assert!(matches!(result.unwrap(), Err(AppError::Unauthorized(_))));
    }
    let record = store.get_user(user.id).await.unwrap();
    assert_eq!(record.failed_sign_ins, 40, "every failure counted");
    assert!(record.locked_until.is_some(), "locked");
    let right = sign_in(&s, &store, "ada@example.org", PASSWORD).await;
    assert!(matches!(right, Err(AppError::Unauthorized(_))), "{right:?}");
}

async fn four_failures_do_not_lock_and_a_success_clears_them(db: &TestDb) {
    let store = db.store().await;
    let s = SignIns::default();
    let user = ada(&store).await;
    for _ in 1..MAX_FAILED_SIGN_INS {
        assert!(
            sign_in(&s, &store, "ada@example.org", "wrong")
                .await
                .is_err()
        );
    }
    assert!(
        sign_in(&s, &store, "ada@example.org", PASSWORD)
            .await
            .is_ok()
    );
    let record = store.get_user(user.id).await.unwrap();
    assert_eq!((record.failed_sign_ins, record.locked_until), (0, None));
    for _ in 0..MAX_FAILED_SIGN_INS {
        assert!(
            sign_in(&s, &store, "ada@example.org", "wrong")
                .await
                .is_err()
        );
    }
    assert!(
        sign_in(&s, &store, "ada@example.org", PASSWORD)
            .await
            .is_err()
    );
}

async fn one_address_that_fails_too_often_is_throttled(db: &TestDb) {
    let store = db.store().await;
    let s = SignIns::default();
    ada(&store).await;
    for i in 0..accounts::MAX_FAILURES_PER_ADDRESS {
        // Many accounts, none of them real: each is a failure of the address.
        let email = format!("guess{i}@example.org");
        let error = sign_in(&s, &store, &email, PASSWORD).await.unwrap_err();
        assert!(matches!(error, AppError::Unauthorized(_)), "{error:?}");
    }
    let throttled = sign_in(&s, &store, "ada@example.org", PASSWORD)
        .await
        .unwrap_err();
    assert!(
        matches!(&throttled, AppError::TooManyRequests(m) if m.contains("from your address")),
        "{throttled:?}"
    );
    // Another address is not held back, and the account itself is not locked.
    let elsewhere = Attempt {
        email: "ada@example.org",
        password: PASSWORD,
        address: "203.0.113.9",
    };
    assert!(s.sign_in(&store, elsewhere).await.is_ok());
}

async fn sign_ins_failures_lockouts_and_sign_outs_are_audited_without_moving_the_data_version(
    db: &TestDb,
) {
    let store = db.store().await;
    let s = SignIns::default();
    let user = ada(&store).await;
    let version = store.data_version().await.unwrap();
    assert!(
        sign_in(&s, &store, "nobody@example.org", PASSWORD)
            .await
            .is_err()
    );
    for _ in 0..MAX_FAILED_SIGN_INS {
        assert!(
            sign_in(&s, &store, "ada@example.org", "wrong guess")
                .await
                .is_err()
        );
    }
    store.clear_failed_sign_ins(user.id).await.unwrap();
    let signed = sign_in(&s, &store, "ada@example.org", PASSWORD)
        .await
        .unwrap();
    s.sign_out(&store, &signed.secret, ADDRESS).await.unwrap();
    assert_eq!(
        store.data_version().await.unwrap(),
        version,
        "sign-in events are not changes to the records"
    );
    let (_, rows) = store
        .search_audit(
            &bearing_store::AuditSearch {
                entity: Some(EntityKind::SignIn),
                ..Default::default()
            },
            100,
        )
        .await
        .unwrap();
    let events: Vec<(String, String)> = rows
        .iter()
        .rev()
        .map(|r| {
            (
                r.actor.clone(),
                r.after.as_ref().unwrap()["event"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    let ada = "ada@example.org".to_owned();
    let mut expected = vec![("nobody@example.org".to_owned(), "failed".to_owned())];
    expected.extend((0..MAX_FAILED_SIGN_INS).map(|_| (ada.clone(), "failed".to_owned())));
    expected.push((ada.clone(), "locked".to_owned()));
    expected.push((ada.clone(), "signed in".to_owned()));
    expected.push((ada.clone(), "signed out".to_owned()));
    assert_eq!(events, expected);
    let all = serde_json::to_string(&rows.iter().map(|r| &r.after).collect::<Vec<_>>()).unwrap();
    assert!(
        !all.contains("wrong guess") && !all.contains(PASSWORD),
        "{all}"
    );
    assert!(all.contains(ADDRESS), "{all}");
}

async fn a_new_password_revokes_api_tokens_unless_they_are_kept(db: &TestDb) {
    let store = db.store().await;
    let user = ada(&store).await;
    let token = accounts::create_token(&store, &ctx(), user.id, "script", None)
        .await
        .unwrap();
    accounts::reset_password(&store, &ctx(), "ada@example.org", "another long one", true)
        .await
        .unwrap();
    assert!(
        SignIns::default()
            .token_user(&store, &token.secret)
            .await
            .unwrap()
            .is_some()
    );
    accounts::reset_password(&store, &ctx(), "ada@example.org", "yet another one", false)
        .await
        .unwrap();
    assert_eq!(
        SignIns::default()
            .token_user(&store, &token.secret)
            .await
            .unwrap(),
        None
    );
}

async fn api_tokens_expire_on_their_day(db: &TestDb) {
    let store = db.store().await;
    let user = ada(&store).await;
    let today = jiff::Zoned::now().date();
    let past = accounts::create_token(&store, &ctx(), user.id, "old", Some(today)).await;
    assert!(
        matches!(&past, Err(AppError::Invalid { field, .. }) if field == "expires"),
        "{past:?}"
    );
    let tomorrow = today.tomorrow().unwrap();
    let token = accounts::create_token(&store, &ctx(), user.id, "short", Some(tomorrow))
        .await
        .unwrap();
    assert_eq!(
        token
            .token
            .expires_at
            .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date()),
        Some(tomorrow)
    );
    assert!(
        SignIns::default()
            .token_user(&store, &token.secret)
            .await
            .unwrap()
            .is_some()
    );
    let day_after = tomorrow
        .tomorrow()
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp();
    assert_eq!(
        SignIns::default()
            .with_clock(Clock::Fixed(day_after))
            .token_user(&store, &token.secret)
            .await
            .unwrap(),
        None
    );
}

async fn sessions_end_after_their_idle_and_absolute_limits(db: &TestDb) {
    let store = db.store().await;
    ada(&store).await;
    let hours = jiff::SignedDuration::from_hours;
    let absolute_over = SignIns::new(accounts::SessionLimits {
        idle: hours(12),
        absolute: jiff::SignedDuration::ZERO,
    });
    let signed = sign_in(&absolute_over, &store, "ada@example.org", PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        absolute_over
            .session_user(&store, &signed.secret)
            .await
            .unwrap(),
        None
    );
    let idle_over = SignIns::new(accounts::SessionLimits {
        idle: jiff::SignedDuration::ZERO,
        absolute: hours(24),
    });
    let signed = sign_in(&idle_over, &store, "ada@example.org", PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        idle_over
            .session_user(&store, &signed.secret)
            .await
            .unwrap(),
        None
    );
    let defaults = accounts::SessionLimits::default();
    assert_eq!(
        (defaults.idle, defaults.absolute),
        (hours(12), hours(7 * 24))
    );
}
