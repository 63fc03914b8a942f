//! A writer killed in the middle of its work loses nothing it committed and leaves no
//! half-written change. The test runs itself again as the writer, then kills it with SIGKILL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use bearing_app::{Context, demo, organizations};
use bearing_core::demo::DemoSpec;
use bearing_core::organization::{OrganizationFields, OrganizationKind, OrganizationName};
use bearing_core::{Actor, EntityKind, Source};
use bearing_store::testing::TestDb;
use bearing_store::{DbUrl, OpenMode, Store};

const CHILD: &str = "BEARING_TEST_CRASH_CHILD";
const DEMO_DEALS: usize = 20_000;

#[tokio::test]
async fn sqlite_a_killed_writer_loses_no_committed_change() {
    if child().await {
        return;
    }
    let test = "sqlite_a_killed_writer_loses_no_committed_change";
    killed_writer(&TestDb::sqlite(), test).await;
    killed_loader(&TestDb::sqlite(), test).await;
}

#[tokio::test]
async fn postgres_a_killed_writer_loses_no_committed_change() {
    if child().await {
        return;
    }
    let test = "postgres_a_killed_writer_loses_no_committed_change";
    let Some(db) = TestDb::postgres("killed_writer").await else {
        return;
    };
    killed_writer(&db, test).await;
    let Some(db) = TestDb::postgres("killed_loader").await else {
        return;
    };
    killed_loader(&db, test).await;
}

fn ctx() -> Context {
    Context::new(Actor::parse("writer").unwrap(), Source::Job)
}

/// In the child process: write until killed. Returns false in the parent.
async fn child() -> bool {
    let Ok(spec) = std::env::var(CHILD) else {
        return false;
    };
    let (mode, url) = spec.split_once(' ').unwrap();
    let url = if url.starts_with("postgres") {
        DbUrl::parse(url).unwrap()
    } else {
        DbUrl::sqlite(url)
    };
    let store = Store::open(&url, OpenMode::Unchecked).await.unwrap();
    let mut out = std::io::stdout();
    match mode {
        "organizations" => {
            for i in 0.. {
                let fields = OrganizationFields {
                    name: OrganizationName::parse(&format!("org-{i}")).unwrap(),
                    long_name: Some(format!("Organization {i}")),
                    kind: OrganizationKind::Community,
                    website: None,
                    github_org: None,
                    notes: None,
                    tags: Vec::new(),
                };
                let created = organizations::create(&store, &ctx(), fields).await.unwrap();
                // Reported only once committed.
                writeln!(out, "{}", created.id).unwrap();
                out.flush().unwrap();
            }
        }
        "demo" => {
            let data = bearing_core::demo::generate(DemoSpec {
                seed: 3,
                as_of: jiff::civil::date(2026, 11, 24),
                deals: Some(DEMO_DEALS),
            });
            writeln!(out, "loading").unwrap();
            out.flush().unwrap();
            demo::load(&store, &ctx(), &data).await.unwrap();
            writeln!(out, "done").unwrap();
            out.flush().unwrap();
            std::future::pending::<()>().await;
        }
        other => panic!("unknown child mode {other}"),
    }
    true
}

/// The writer process, killed when dropped so that a failing test leaves no process behind.
struct Writer(std::process::Child);

impl Drop for Writer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(test: &str, mode: &str, url: &DbUrl) -> Writer {
    let location = match url {
        DbUrl::Sqlite(path) => path.display().to_string(),
        DbUrl::Postgres(url) => url.clone(),
    };
    Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, format!("{mode} {location}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map(Writer)
        .unwrap()
}

async fn killed_writer(db: &TestDb, test: &str) {
    let store = db.store().await;

    // Many small transactions: kill after 40 reported commits.
    let mut writer = spawn(test, "organizations", &db.url);
    let mut lines = BufReader::new(writer.0.stdout.take().unwrap()).lines();
    let mut reported = Vec::new();
    while reported.len() < 40 {
        let line = lines
            .next()
            .expect("the writer reports its commits")
            .unwrap();
        // The harness may print "test NAME ... " on the same line as the first id.
        if let Ok(id) = line
            .rsplit(' ')
            .next()
            .unwrap_or_default()
            .trim()
            .parse::<i64>()
        {
            reported.push(id);
        }
    }
    drop(writer);

    let organizations = store.list_organizations(true).await.unwrap();
    let present: Vec<i64> = organizations.iter().map(|o| o.id.get()).collect();
    for id in &reported {
        assert!(present.contains(id), "committed organization {id} was lost");
    }
    for organization in &organizations {
        let log = store
            .list_audit(EntityKind::Organization, &organization.id.to_string())
            .await
            .unwrap();
        assert_eq!(
            log.len(),
            1,
            "organization {} has its one audit row",
            organization.id
        );
    }
    assert_eq!(
        store.count_audit().await.unwrap() as usize,
        organizations.len()
    );
    store.check_integrity().await.unwrap();
}

/// One large transaction: killed while it writes, it leaves all or nothing.
async fn killed_loader(db: &TestDb, test: &str) {
    let store = db.store().await;
    let mut loader = spawn(test, "demo", &db.url);
    let mut lines = BufReader::new(loader.0.stdout.take().unwrap()).lines();
    // The test harness prints its own lines first.
    while !lines
        .next()
        .expect("the loader reports its start")
        .unwrap()
        .ends_with("loading")
    {}
    std::thread::sleep(std::time::Duration::from_millis(300));
    drop(loader);
    let deals = store.count_deals().await.unwrap() as usize;
    assert!(
        deals == 0 || deals == DEMO_DEALS,
        "{deals} deals: a half-written demo"
    );
    let audit = store.count_audit().await.unwrap() as usize;
    let organizations = store.list_organizations(true).await.unwrap().len();
    assert_eq!(
        audit,
        deals + organizations,
        "every record has its audit row, and no row is without one"
    );
    store.check_integrity().await.unwrap();
}
