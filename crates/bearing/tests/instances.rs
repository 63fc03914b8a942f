//! Two `bearing serve` instances on one PostgreSQL database, as behind a proxy: a change made
//! through one is on the next answer of the other, and a scheduled job runs once per slot.
//! Runs when `BEARING_TEST_POSTGRES` names a server (CI always does, in its run of the tests
//! whose names say `postgres`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use bearing_app::{Context, accounts};
use bearing_core::access::Role;
use bearing_core::{Actor, Source};
use bearing_store::DbUrl;
use bearing_store::testing::TestDb;

/// An HTTP/1.1 request with a bearer token; the status and the body.
fn request(addr: &str, method: &str, path: &str, token: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn postgres_two_instances_share_changes_and_run_a_scheduled_job_once() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(db) = runtime.block_on(TestDb::postgres("two_instances")) else {
        return;
    };
    let DbUrl::Postgres(url) = &db.url else {
        unreachable!("a PostgreSQL test database")
    };
    let store = runtime.block_on(db.store());
    let token = runtime.block_on(async {
        let ctx = Context::new(Actor::parse("operator").unwrap(), Source::Cli);
        let admin = accounts::add_user(
            &store,
            &ctx,
            "ada@example.org",
            None,
            Role::Admin,
            "correct horse battery",
        )
        .await
        .unwrap();
        accounts::create_token(&store, &ctx, admin.id, "tests", None)
            .await
            .unwrap()
            .secret
            .expose()
            .to_owned()
    });
    // A source nothing answers at: each instance's first slot fails, and is recorded.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bearing.toml"),
        "[[prometheus]]\nurl = \"http://127.0.0.1:9\"\nevery_hours = 1\ntimeout = 1\n",
    )
    .unwrap();
    let args = ["serve", "--addr", "127.0.0.1:0", "--db", url.as_str()];
    let (_one, first) = support::serve(dir.path(), &args);
    let (_two, second) = support::serve(dir.path(), &args);

    let (status, body) = request(
        &first,
        "POST",
        "/api/v1/organizations",
        &token,
        r#"{"name": "bids"}"#,
    );
    assert_eq!(status, 201, "{body}");
    let (status, body) = request(&second, "GET", "/api/v1/organizations", &token, "");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"name\":\"bids\""), "{body}");

    // Both instances woke in the same slot; one ran it.
    let deadline = Instant::now() + Duration::from_secs(30);
    let runs = loop {
        let runs = runtime.block_on(store.list_job_runs(10)).unwrap();
        if runs.iter().all(|r| r.finished_at.is_some()) && !runs.is_empty() {
            std::thread::sleep(Duration::from_secs(1));
            break runtime.block_on(store.list_job_runs(10)).unwrap();
        }
        assert!(
            Instant::now() < deadline,
            "no scheduled run finished: {runs:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0].job, "usage pull from http://127.0.0.1:9");
    assert_eq!(runs[0].outcome.as_deref(), Some("failed"));
    runtime.block_on(store.close());
}
