//! What the page and visibility tests share: a browser that keeps its session cookie and
//! sends same-origin form posts, and an app with one user per role.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use bearing_app::{Context, accounts};
use bearing_core::access::Role;
use bearing_core::{Actor, Source};
use bearing_store::testing::TestDb;
use bearing_web::{AppState, WebConfig, router};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery";

/// A response, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub location: Option<String>,
    pub cookie: Option<String>,
    pub text: String,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

pub async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.unwrap();
    let header_text = |name| {
        response
            .headers()
            .get(name)
            .map(|v: &header::HeaderValue| v.to_str().unwrap().to_owned())
    };
    let (status, location, cookie, content_type) = (
        response.status(),
        header_text(header::LOCATION),
        header_text(header::SET_COOKIE),
        header_text(header::CONTENT_TYPE),
    );
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        location,
        cookie,
        text: String::from_utf8_lossy(&bytes).into_owned(),
        content_type,
        bytes: bytes.to_vec(),
    }
}

/// A browser: keeps the session cookie and sends same-origin form posts.
pub struct Browser {
    pub app: Router,
    pub cookie: Option<String>,
}

impl Browser {
    pub fn new(app: &Router) -> Self {
        Browser {
            app: app.clone(),
            cookie: None,
        }
    }

    pub fn request(&self, method: Method, path: &str) -> axum::http::request::Builder {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "bearing.test");
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, cookie);
        }
        request
    }

    pub async fn remember(&mut self, reply: Reply) -> Reply {
        if let Some(set) = &reply.cookie {
            let pair = set.split(';').next().unwrap().to_owned();
            self.cookie = if pair.ends_with('=') {
                None
            } else {
                Some(pair)
            };
        }
        reply
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        let request = self.request(Method::GET, path).body(Body::empty()).unwrap();
        let reply = send(&self.app, request).await;
        self.remember(reply).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Reply {
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let request = self
            .request(Method::POST, path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        let reply = send(&self.app, request).await;
        self.remember(reply).await
    }

    pub async fn sign_in(&mut self, email: &str) -> Reply {
        let reply = self
            .post(
                "/login",
                &[("email", email), ("password", PASSWORD), ("next", "/")],
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text);
        reply
    }
}

pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What [`GRANTS_OFFICER`] grants.
pub fn grants_officer() -> bearing_core::access::Permissions {
    use bearing_core::access::Permission;
    bearing_core::access::Permissions::of(&[Permission::Read, Permission::ManageGrants])
}

pub fn ctx() -> Context {
    Context::new(Actor::parse("operator").unwrap(), Source::Cli)
}

/// The app with one user per role, `<role>@example.org`.
pub async fn app_with_users(db: &TestDb) -> (Router, bearing_store::Store) {
    let test = TestApp::new(db).await;
    (test.app, test.store)
}

/// An app to test, built in a line: `TestApp::new(db).await.with_demo().await`, then
/// `.as_role(Role::Member).await` for a signed-in browser.
pub struct TestApp {
    pub app: Router,
    pub store: bearing_store::Store,
}

impl TestApp {
    /// A fresh database with one user per built-in role (`<role>@example.org`) and one of the
    /// custom role [`GRANTS_OFFICER`], all with [`PASSWORD`].
    pub async fn new(db: &TestDb) -> TestApp {
        Self::with_config(db, WebConfig::default()).await
    }

    /// [`TestApp::new`] with another configuration of the web edge.
    pub async fn with_config(db: &TestDb, config: WebConfig) -> TestApp {
        let store = db.store().await;
        add_users(&store).await;
        TestApp {
            app: router(AppState::new(store.clone()), config),
            store,
        }
    }

    /// The demo organisation as of 2026-06-15 (150 deals), with the books closed in May.
    pub async fn with_demo(self) -> TestApp {
        let as_of = bearing_core::parse_date("2026-06-15").unwrap();
        let data = bearing_core::demo::generate(bearing_core::demo::DemoSpec {
            seed: 7,
            as_of,
            deals: Some(150),
        });
        bearing_app::demo::load(&self.store, &ctx(), &data)
            .await
            .unwrap();
        bearing_app::assumptions::set(
            &self.store,
            &ctx(),
            &[("books-closed".into(), "2026-05".into())],
            as_of,
        )
        .await
        .unwrap();
        self
    }

    /// A browser signed in as the user of `role`.
    pub async fn as_role(&self, role: Role) -> Browser {
        let mut browser = Browser::new(&self.app);
        browser.sign_in(&format!("{role}@example.org")).await;
        browser
    }
}

/// A custom role an admin might define: grants without pay, cash or the CRM.
pub const GRANTS_OFFICER: &str = "grants-officer";

/// One user per built-in role, `<role>@example.org`, and one of the custom role
/// [`GRANTS_OFFICER`] (`grants-officer@example.org`, reading and managing grants), with
/// [`PASSWORD`].
pub async fn add_users(store: &bearing_store::Store) {
    bearing_app::access::define(
        store,
        &ctx(),
        GRANTS_OFFICER,
        Some("Applies for and reports on grants"),
        grants_officer(),
    )
    .await
    .unwrap();
    accounts::add_user(
        store,
        &ctx(),
        "grants-officer@example.org",
        None,
        bearing_core::access::RoleName::parse(GRANTS_OFFICER).unwrap(),
        PASSWORD,
    )
    .await
    .unwrap();
    for &role in Role::ALL {
        accounts::add_user(
            store,
            &ctx(),
            &format!("{role}@example.org"),
            None,
            role,
            PASSWORD,
        )
        .await
        .unwrap();
    }
}

/// The cells of the row whose first cell is `first` in the table captioned `caption`.
pub fn row_of(page: &str, caption: &str, first: &str) -> Vec<String> {
    let table = &page[page
        .find(&format!("<caption class=\"sr-only\">{caption}</caption>"))
        .unwrap_or_else(|| panic!("no table {caption:?}: {page}"))..];
    let table = &table[..table.find("</table>").unwrap()];
    let cells = |row: &str| -> Vec<String> {
        row.split("<td")
            .skip(1)
            .map(|cell| cell[cell.find('>').unwrap() + 1..cell.find("</td>").unwrap()].to_owned())
            .collect()
    };
    table
        .split("<tr>")
        .map(cells)
        .find(|row| row.first().is_some_and(|cell| cell == first))
        .unwrap_or_else(|| panic!("no row {first:?} in {table}"))
}
