//! The web edge under hostile or careless input (docs/security.md): security headers on every
//! answer, body limits by route, the API's refusals in its one JSON shape, 405 for a method a
//! route lacks, the sign-in throttle and redirects over HTTP, the session cookie's name and
//! flags, and a forecast of a deal that runs to 9999 computed within the horizon while the
//! server keeps answering.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod support;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use bearing_store::testing::TestDb;
use bearing_web::{AppState, CookieSecure, WebConfig, router};
use http_body_util::BodyExt;
use support::{Browser, PASSWORD, app_with_users, ctx};
use tower::ServiceExt;

bearing_store::on_both_backends!(
    every_answer_carries_the_security_headers,
    bodies_over_the_routes_limit_are_refused_unread,
    api_refusals_are_json_and_a_missing_method_is_405,
    one_address_failing_too_often_is_throttled_and_redirects_stay_here,
    the_session_cookie_is_secure_and_host_only_when_configured,
    a_deal_running_to_9999_is_forecast_within_the_horizon_while_the_server_answers,
);

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    text: String,
}

async fn answer(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn header_of<'a>(a: &'a Answer, name: &str) -> &'a str {
    a.headers
        .get(name)
        .map_or("", |v| v.to_str().unwrap_or_default())
}

/// A signed-in admin's request to `path`.
fn signed(browser: &Browser, method: Method, path: &str) -> axum::http::request::Builder {
    browser
        .request(method, path)
        .header("sec-fetch-site", "same-origin")
}

fn assert_json_refusal(a: &Answer, status: StatusCode, what: &str) {
    assert_eq!(a.status, status, "{what}: {}", a.text);
    assert!(
        header_of(a, "content-type").starts_with("application/json"),
        "{what}: {:?}",
        a.headers
    );
    let body: serde_json::Value =
        serde_json::from_str(&a.text).unwrap_or_else(|e| panic!("{what}: {e}: {}", a.text));
    assert!(
        body["errors"][0]["detail"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "{what}: {body}"
    );
}

async fn every_answer_carries_the_security_headers(db: &TestDb) {
    let (app, _) = app_with_users(db).await;
    let mut admin = Browser::new(&app);
    admin.sign_in("admin@example.org").await;
    for path in ["/login", "/", "/api/v1/deals", "/no/such/page"] {
        let a = answer(
            &app,
            signed(&admin, Method::GET, path)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(
            header_of(&a, "content-security-policy"),
            bearing_web::CONTENT_SECURITY_POLICY,
            "{path}"
        );
        assert!(
            bearing_web::CONTENT_SECURITY_POLICY.contains("frame-ancestors 'none'")
                && bearing_web::CONTENT_SECURITY_POLICY.contains("form-action 'self'")
                && bearing_web::CONTENT_SECURITY_POLICY.contains("base-uri 'none'")
        );
        assert_eq!(header_of(&a, "x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header_of(&a, "referrer-policy"), "same-origin", "{path}");
        assert_eq!(header_of(&a, "cache-control"), "no-store", "{path}");
    }
    let css = answer(
        &app,
        Request::get("/static/bearing.css")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(css.status, StatusCode::OK);
    assert_ne!(header_of(&css, "cache-control"), "no-store");
}

async fn bodies_over_the_routes_limit_are_refused_unread(db: &TestDb) {
    let (app, _) = app_with_users(db).await;
    // A 30 MB sign-in body: refused, and nothing of it is echoed back.
    let huge = format!("email={}&password=x", "a".repeat(30 * 1024 * 1024));
    let a = answer(
        &app,
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(huge))
            .unwrap(),
    )
    .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        a.text.len() < 1000 && !a.text.contains("aaaa"),
        "{}",
        a.text.len()
    );
    // With its length declared, a 20 KB sign-in is refused before a byte of it is read.
    let body = format!("email={}&password=x", "a".repeat(20 * 1024));
    let a = answer(
        &app,
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::CONTENT_LENGTH, body.len())
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap(),
    )
    .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.text);
    let mut admin = Browser::new(&app);
    admin.sign_in("admin@example.org").await;
    // An API edit is a few kilobytes: 300 KB is refused in the JSON shape.
    let json = serde_json::json!({ "name": "x".repeat(300 * 1024), "stage": "Lead" }).to_string();
    let a = answer(
        &app,
        signed(&admin, Method::POST, "/api/v1/deals")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json))
            .unwrap(),
    )
    .await;
    assert_json_refusal(&a, StatusCode::PAYLOAD_TOO_LARGE, "a large API body");
    // An import may be large: 1 MB reaches the importer, which reads it and names the problem.
    let mut csv = String::from("id,dealname,dealstage\n");
    while csv.len() < 1024 * 1024 {
        csv.push_str("1,Same id twice,Lead\n");
    }
    let a = answer(
        &app,
        signed(&admin, Method::POST, "/api/v1/imports/deals?dry_run=true")
            .header(header::CONTENT_TYPE, "text/csv")
            .body(Body::from(csv))
            .unwrap(),
    )
    .await;
    assert_eq!(
        a.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        &a.text[..200]
    );
    assert!(a.text.contains("duplicate id"), "{}", &a.text[..200]);
}

async fn api_refusals_are_json_and_a_missing_method_is_405(db: &TestDb) {
    let (app, _) = app_with_users(db).await;
    let mut admin = Browser::new(&app);
    admin.sign_in("admin@example.org").await;
    let post = |path: &str, body: Vec<u8>| {
        signed(&admin, Method::POST, path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap()
    };
    let a = answer(
        &app,
        post("/api/v1/deals", b"{\"name\": \"\xff\xfe\"}".to_vec()),
    )
    .await;
    assert_json_refusal(&a, StatusCode::BAD_REQUEST, "a body that is not UTF-8");
    let a = answer(&app, post("/api/v1/deals", b"{\"name\": ".to_vec())).await;
    assert_json_refusal(&a, StatusCode::BAD_REQUEST, "JSON that does not parse");
    let a = answer(&app, post("/api/v1/deals", b"[1, 2]".to_vec())).await;
    assert_json_refusal(
        &a,
        StatusCode::UNPROCESSABLE_ENTITY,
        "JSON of the wrong shape",
    );
    let a = answer(
        &app,
        signed(&admin, Method::GET, "/api/v1/deals/99999999999999999999999")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_json_refusal(&a, StatusCode::BAD_REQUEST, "an id that does not fit");
    let a = answer(
        &app,
        signed(&admin, Method::PATCH, "/api/v1/deals")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_json_refusal(
        &a,
        StatusCode::METHOD_NOT_ALLOWED,
        "a method the route lacks",
    );
    let a = answer(
        &app,
        signed(&admin, Method::DELETE, "/deals")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        a.status,
        StatusCode::METHOD_NOT_ALLOWED,
        "a page: {}",
        a.text
    );
    // HEAD is answered as GET is.
    let a = answer(
        &app,
        signed(&admin, Method::HEAD, "/api/v1/deals")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
}

async fn one_address_failing_too_often_is_throttled_and_redirects_stay_here(db: &TestDb) {
    let store = db.store().await;
    bearing_app::accounts::add_user(
        &store,
        &ctx(),
        "ada@example.org",
        None,
        bearing_core::access::Role::Member,
        PASSWORD,
    )
    .await
    .unwrap();
    let config = WebConfig {
        trusted_proxy_header: Some(bearing_web::HeaderName::from_static("x-forwarded-for")),
        ..WebConfig::default()
    };
    let app = router(AppState::new(store), config);
    let login = |from: &str, email: &str, password: &str, next: &str| {
        let body = format!(
            "email={}&password={}&next={}",
            support::encode(email),
            support::encode(password),
            support::encode(next)
        );
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .header("x-forwarded-for", format!("10.9.9.9, {from}"))
            .body(Body::from(body))
            .unwrap()
    };
    let a = answer(
        &app,
        login(
            "198.51.100.7",
            "ada@example.org",
            PASSWORD,
            "/\t/evil.example",
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(
        header_of(&a, "location"),
        "/",
        "a tab does not make another host"
    );
    let a = answer(
        &app,
        login(
            "198.51.100.7",
            "ada@example.org",
            PASSWORD,
            "/deals?stage=Lead",
        ),
    )
    .await;
    assert_eq!(header_of(&a, "location"), "/deals?stage=Lead");
    for i in 0..bearing_app::accounts::MAX_FAILURES_PER_ADDRESS {
        // Guessing at many accounts, as a password sprayer would.
        let guess = format!("guess{i}@example.org");
        let a = answer(&app, login("203.0.113.5", &guess, "a wrong password", "/")).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
        assert!(a.text.contains("wrong email or password"));
    }
    let a = answer(&app, login("203.0.113.5", "ada@example.org", PASSWORD, "/")).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{}", a.text);
    assert!(
        a.text
            .contains("too many failed sign-ins from your address")
    );
    // The proxy's own address (the first in the header) is not what counts.
    let a = answer(
        &app,
        login("198.51.100.8", "ada@example.org", PASSWORD, "/"),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text);
}

async fn the_session_cookie_is_secure_and_host_only_when_configured(db: &TestDb) {
    let (_, store) = app_with_users(db).await;
    for (secure, proto, name, flag) in [
        (CookieSecure::Always, None, "__Host-bearing_session=", true),
        (CookieSecure::Auto, None, "bearing_session=", false),
        (
            CookieSecure::Auto,
            Some("https"),
            "__Host-bearing_session=",
            true,
        ),
    ] {
        let config = WebConfig {
            cookie_secure: secure,
            ..WebConfig::default()
        };
        let app = router(AppState::new(store.clone()), config);
        let mut request = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin");
        if let Some(proto) = proto {
            request = request.header("x-forwarded-proto", proto);
        }
        let body = format!(
            "email=member%40example.org&password={}",
            support::encode(PASSWORD)
        );
        let a = answer(&app, request.body(Body::from(body)).unwrap()).await;
        let cookie = header_of(&a, "set-cookie").to_owned();
        assert!(cookie.starts_with(name), "{secure:?} {proto:?}: {cookie}");
        assert_eq!(cookie.contains("; Secure"), flag, "{cookie}");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("Path=/"),
            "{cookie}"
        );
        assert!(
            cookie.contains(&format!("Max-Age={}", 7 * 24 * 3600)),
            "{cookie}"
        );
        // The cookie signs the browser in, by either name.
        let session = cookie.split(';').next().unwrap().to_owned();
        let a = answer(
            &app,
            Request::get("/account")
                .header(header::COOKIE, session)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK);
    }
}

async fn a_deal_running_to_9999_is_forecast_within_the_horizon_while_the_server_answers(
    db: &TestDb,
) {
    let (_, store) = app_with_users(db).await;
    let data = bearing_core::demo::generate(bearing_core::demo::DemoSpec {
        seed: 3,
        as_of: bearing_core::parse_date("2026-06-15").unwrap(),
        deals: Some(300),
    });
    bearing_app::demo::load(&store, &ctx(), &data)
        .await
        .unwrap();
    let today = jiff::Zoned::now().date();
    let values = [
        ("books-closed".to_owned(), "2026-05".to_owned()),
        ("mc-runs".to_owned(), "50000".to_owned()),
    ];
    bearing_app::assumptions::set(&store, &ctx(), &values, today)
        .await
        .unwrap();
    // Entry refuses such a date now; a database written before may still hold one.
    let won: i64 = sqlx::query_scalar(
        "SELECT d.id FROM deals d JOIN stages s ON s.id = d.stage_id
         WHERE s.name = 'Closed Won' AND d.deleted_at IS NULL ORDER BY d.id LIMIT 1",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    sqlx::query("UPDATE deals SET contract_end = '9999-12-31' WHERE id = $1")
        .bind(won)
        .execute(store.pool())
        .await
        .unwrap();
    let app = router(AppState::new(store), WebConfig::default());
    let mut admin = Browser::new(&app);
    admin.sign_in("admin@example.org").await;
    let report = {
        let request = signed(&admin, Method::GET, "/api/v1/reports/projections")
            .body(Body::empty())
            .unwrap();
        let app = app.clone();
        tokio::spawn(async move { answer(&app, request).await })
    };
    // Give the report time to reach its Monte Carlo runs, then ask for something else: on
    // this single-threaded test runtime, an answer while the runs go on means they are not
    // holding the runtime.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let health = answer(&app, Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(health.status, StatusCode::OK);
    if report.is_finished() {
        let done = report.await.unwrap();
        panic!(
            "the forecast took too little time to show anything: {} {}",
            done.status, done.text
        );
    }
    let report = report.await.unwrap();
    assert_eq!(report.status, StatusCode::OK, "{}", report.text);
    let body: serde_json::Value = serde_json::from_str(&report.text).unwrap();
    let months = body["rows"][0].as_object().unwrap().len() - 1;
    assert!(months <= 120, "{months} months: ten years at most");
    let flags = answer(
        &app,
        signed(&admin, Method::GET, "/api/v1/reports/flags?format=csv")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(flags.text.contains("beyond-horizon"), "{}", flags.text);
    assert!(flags.text.contains("runs to 31 Dec 9999"), "{}", flags.text);
}

#[tokio::test]
async fn slow_clients_are_cut_off_and_connections_are_limited() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let db = TestDb::sqlite();
    let app = router(AppState::new(db.store().await), WebConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let limits = bearing_web::ServerLimits {
        max_connections: 2,
        header_read_timeout: std::time::Duration::from_secs(2),
    };
    let server = tokio::spawn(bearing_web::serve(listener, app, limits, async {
        let _ = stopped.await;
    }));
    let wait = |secs| std::time::Duration::from_secs(secs);
    // Half a request, then nothing: the server hangs up instead of waiting for ever.
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(wait(10), slow.read_to_end(&mut rest)).await;
    assert!(
        closed.is_ok(),
        "a client that never finishes its headers is disconnected"
    );
    // Two idle connections take both places; a third is answered once one of them goes.
    let first = tokio::net::TcpStream::connect(addr).await.unwrap();
    let _second = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut third = tokio::net::TcpStream::connect(addr).await.unwrap();
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let early = tokio::time::timeout(
        std::time::Duration::from_millis(500),
        third.read_to_end(&mut answer),
    )
    .await;
    assert!(
        early.is_err(),
        "no place for a third connection while two are open"
    );
    drop(first);
    tokio::time::timeout(wait(10), third.read_to_end(&mut answer))
        .await
        .unwrap()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}
