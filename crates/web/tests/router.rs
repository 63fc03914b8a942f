//! Router tests: every route, in process, on both backends.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use bearing_store::testing::TestDb;
use bearing_store::{OpenMode, Store};
use bearing_web::{AppState, WebConfig, router};
use http_body_util::BodyExt;
use tower::ServiceExt;

bearing_store::on_both_backends!(
    healthz_answers_without_the_database,
    readyz_is_ready_on_a_current_database,
    readyz_is_unavailable_with_an_opaque_body_when_the_schema_is_outdated,
    every_response_carries_a_request_id_and_keeps_the_clients,
    unknown_api_paths_get_the_json_error_shape,
);

async fn get(
    store: Store,
    path: &str,
    request_id: Option<&str>,
) -> (StatusCode, Option<String>, serde_json::Value) {
    let app = router(AppState::new(store), WebConfig::default());
    let mut request = Request::get(path);
    if let Some(id) = request_id {
        request = request.header("x-request-id", id);
    }
    let response = app
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let id = response
        .headers()
        .get("x-request-id")
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    (status, id, json)
}

async fn healthz_answers_without_the_database(db: &TestDb) {
    let store = db.store().await;
    store.close().await;
    let (status, _, body) = get(store, "/healthz", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, serde_json::json!({ "status": "ok" }));
}

async fn readyz_is_ready_on_a_current_database(db: &TestDb) {
    let (status, _, body) = get(db.store().await, "/readyz", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ready");
    assert!(body["schema"].as_i64().unwrap() > 0);
}

async fn readyz_is_unavailable_with_an_opaque_body_when_the_schema_is_outdated(db: &TestDb) {
    let store = Store::open(&db.url, OpenMode::Unchecked).await.unwrap();
    let (status, _, body) = get(store.clone(), "/readyz", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        body,
        serde_json::json!({ "errors": [{ "detail": "service unavailable, see the server log" }] })
    );
    store.close().await;
    let (status, _, _) = get(store, "/readyz", None).await;
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "a closed pool is not ready either"
    );
}

async fn every_response_carries_a_request_id_and_keeps_the_clients(db: &TestDb) {
    let store = db.store().await;
    let (_, generated, _) = get(store.clone(), "/healthz", None).await;
    let generated = generated.expect("a request id");
    assert_eq!(generated.len(), 36, "a UUID: {generated}");
    let (_, kept, _) = get(store.clone(), "/nowhere", Some("abc-123")).await;
    assert_eq!(kept.as_deref(), Some("abc-123"));
}

async fn unknown_api_paths_get_the_json_error_shape(db: &TestDb) {
    let (status, _, body) = get(db.store().await, "/api/v1/no/such/page", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body,
        serde_json::json!({ "errors": [{ "detail": "no such page: /api/v1/no/such/page" }] })
    );
}
