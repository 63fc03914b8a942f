//! Snapshots of the main JSON answers and a rendered page, so that a change to what the API
//! or a page says shows up in review as a diff. Only answers that do not depend on today's
//! date are kept; timestamps are redacted.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod support;

use axum::http::StatusCode;
use bearing_core::access::Role;
use bearing_store::testing::TestDb;
use support::TestApp;

/// The answers as each role sees them: a member sees titles, finance sees pay too.
#[tokio::test]
async fn the_main_answers_match_their_snapshots() {
    let db = TestDb::sqlite();
    let test = TestApp::new(&db).await.with_demo().await;
    let mut member = test.as_role(Role::Member).await;
    let mut finance = test.as_role(Role::Finance).await;
    let json = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap();

    let pipelines = member.get("/api/v1/pipelines").await;
    assert_eq!(pipelines.status, StatusCode::OK);
    insta::assert_json_snapshot!("pipelines", json(&pipelines.text));

    let deal = member.get("/api/v1/deals/1").await;
    assert_eq!(deal.status, StatusCode::OK);
    insta::assert_json_snapshot!("deal", json(&deal.text), {
        ".created_at" => "[timestamp]",
        ".updated_at" => "[timestamp]",
    });

    for (who, browser) in [("member", &mut member), ("finance", &mut finance)] {
        let people = browser.get("/api/v1/people").await;
        assert_eq!(people.status, StatusCode::OK);
        insta::assert_json_snapshot!(format!("people-as-{who}"), json(&people.text));
    }

    let roles = member.get("/api/v1/roles").await;
    insta::assert_json_snapshot!("roles", json(&roles.text));
}

/// The sign-in page as a visitor sees it.
#[tokio::test]
async fn the_sign_in_page_matches_its_snapshot() {
    let db = TestDb::sqlite();
    let test = TestApp::new(&db).await;
    let page = support::Browser::new(&test.app).get("/login").await;
    assert_eq!(page.status, StatusCode::OK);
    insta::assert_snapshot!("login", page.text);
}
