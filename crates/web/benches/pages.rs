//! Every page, rendered in process for a signed-in admin, on the demo organisation grown to
//! 10,000 deals in SQLite. Run with `cargo bench -p bearing-web --bench pages`; the target is a
//! median under 50 ms per page.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A benchmark fails loudly by design.

use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use bearing_app::{Context, accounts};
use bearing_core::access::Role;
use bearing_core::demo::{DemoSpec, generate};
use bearing_core::{Actor, Source};
use bearing_store::testing::TestDb;
use bearing_web::{AppState, WebConfig, router};
use http_body_util::BodyExt;
use tower::ServiceExt;

const DEALS: usize = 10_000;

/// Every page a signed-in person opens (GET routes with HTML or a download as the answer);
/// `{deal}`, `{org}` and `{contact}` are records of the demo.
const PAGES: &[&str] = &[
    "/",
    "/pipeline",
    "/deals",
    "/deals?stage=Proposal&sort=amount",
    "/deals?format=csv",
    "/deals/new",
    "/deals/{deal}",
    "/deals/{deal}/edit",
    "/organizations",
    "/organizations/{org}",
    "/contacts",
    "/contacts/{contact}",
    "/forecast",
    "/forecast/download?format=csv&report=projections",
    "/forecast/download?format=xlsx",
    "/analytics",
    "/assumptions",
    "/imports",
    "/audit",
    "/audit?entity=deal&actor=demo",
    "/users",
    "/account",
    "/login",
];

struct Site {
    runtime: tokio::runtime::Runtime,
    app: Router,
    cookie: String,
    deal: String,
    org: String,
    contact: String,
    store: bearing_store::Store,
    _db: TestDb,
}

fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let db = TestDb::sqlite();
        let (store, cookie, deal, org, contact) = runtime.block_on(async {
            let store = db.store().await;
            let ctx = Context::new(Actor::parse("demo").unwrap(), Source::Cli);
            let data = generate(DemoSpec {
                seed: 1,
                as_of: jiff::Zoned::now().date(),
                deals: Some(DEALS),
            });
            bearing_app::demo::load(&store, &ctx, &data).await.unwrap();
            let password = "a benchmark password";
            accounts::add_user(
                &store,
                &ctx,
                "admin@example.org",
                None,
                Role::Admin,
                password,
            )
            .await
            .unwrap();
            let attempt = accounts::Attempt {
                email: "admin@example.org",
                password,
                address: "bench",
            };
            let signed = accounts::SignIns::default()
                .sign_in(&store, attempt)
                .await
                .unwrap();
            let deal = store.list_deals(false).await.unwrap()[DEALS / 2].id;
            let org = store.list_organizations(false).await.unwrap()[0].id;
            let contact = store.list_contacts(false).await.unwrap()[0].id;
            (
                store,
                format!("bearing_session={}", signed.secret.expose()),
                deal.to_string(),
                org.to_string(),
                contact.to_string(),
            )
        });
        Site {
            runtime,
            app: router(AppState::new(store.clone()), WebConfig::default()),
            store,
            cookie,
            deal,
            org,
            contact,
            _db: db,
        }
    })
}

fn main() {
    divan::main();
}

impl Site {
    fn path(&self, template: &str) -> String {
        template
            .replace("{deal}", &self.deal)
            .replace("{org}", &self.org)
            .replace("{contact}", &self.contact)
    }

    /// Answers `path` with `app` and checks that it is a page, not an error.
    async fn get(&self, app: &Router, path: &str) -> usize {
        let request = Request::get(path)
            .header(header::HOST, "bearing.test")
            .header(header::COOKIE, &self.cookie)
            .body(Body::empty())
            .unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(
            status,
            StatusCode::OK,
            "{path}: {}",
            String::from_utf8_lossy(&body)
        );
        body.len()
    }
}

/// A page as most requests find it: the data unchanged since an earlier request read them.
#[divan::bench(args = PAGES, sample_count = 15, sample_size = 1)]
fn page(bencher: divan::Bencher, path: &str) {
    let site = site();
    let path = site.path(path);
    // Once before measuring, so that a page that fails stops the benchmark at once.
    site.runtime.block_on(site.get(&site.app, &path));
    bencher.bench(|| site.runtime.block_on(site.get(&site.app, &path)));
}

/// The first request after a change: everything the page shows is read and computed afresh.
#[divan::bench(args = PAGES, sample_count = 5, sample_size = 1)]
fn page_after_a_change(bencher: divan::Bencher, path: &str) {
    let site = site();
    let path = site.path(path);
    bencher
        .with_inputs(|| router(AppState::new(site.store.clone()), WebConfig::default()))
        .bench_refs(|app| site.runtime.block_on(site.get(app, &path)));
}
