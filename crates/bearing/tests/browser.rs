//! The main journeys in a real browser: headless Chromium, driven over WebDriver, against
//! `bearing serve` on the demo organisation. Each main page is screenshotted and checked with
//! axe-core; a page with an accessibility violation fails the test.
//!
//! Needs Debian's `chromium` and `chromium-driver` and `npm ci` in `tests/browser` (all
//! installed by `.ci/run`). Without them the test says it is skipped, unless
//! `BEARING_BROWSER_TESTS=require`, as in CI, makes their absence a failure. Screenshots go to
//! `BEARING_ARTIFACTS` (default `target/browser-artifacts`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::Running;
use thirtyfour::components::SelectElement;
use thirtyfour::prelude::*;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const PASSWORD: &str = "a browser test password";

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn axe_script() -> PathBuf {
    manifest_dir().join("tests/browser/node_modules/axe-core/axe.min.js")
}

/// What is missing to run the browser tests, if anything.
fn missing_tools() -> Vec<String> {
    let mut missing = Vec::new();
    for (path, package) in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")] {
        if !Path::new(path).exists() {
            missing.push(format!("{path} (Debian package {package})"));
        }
    }
    if !axe_script().exists() {
        missing.push("axe-core (npm ci in crates/bearing/tests/browser)".to_owned());
    }
    missing
}

/// The month the journey closes: last month, which has ended. The demo is made as of its
/// first day, so its books are closed through the month before.
fn month_to_close() -> jiff::civil::Date {
    let today = jiff::Zoned::now().date();
    today
        .first_of_month()
        .checked_sub(jiff::Span::new().months(1))
        .unwrap()
}

/// The demo organisation with one admin account, served on a free port.
fn serve_demo(dir: &Path) -> (Running, String) {
    let as_of = month_to_close().to_string();
    let demo = support::bearing(dir, &["demo", "--as-of", &as_of], &[]);
    assert_eq!(demo.status, 0, "{}", demo.stderr);
    let mut add = Command::new(env!("CARGO_BIN_EXE_bearing"))
        .current_dir(dir)
        .args(["user", "add", "admin@example.org", "--role", "admin"])
        .env_remove("BEARING_DB")
        .env("BEARING_ACTOR", "test@example.org")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    writeln!(add.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    assert!(add.wait().unwrap().success());
    let (server, addr) = support::serve(dir, &["serve", "--addr", "127.0.0.1:0"]);
    (server, format!("http://{addr}"))
}

/// Headless Chromium through chromedriver, with a fresh profile and no background traffic.
async fn browser(profile: &Path) -> (Running, WebDriver) {
    // The WebDriver client is reqwest, built with rustls but without a crypto provider.
    bearing_formats::prometheus::install_tls();
    // Port 0: the driver takes a free port and says which.
    let mut child = Command::new(CHROMEDRIVER)
        .arg("--port=0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let driver = Running(child);
    let mut line = String::new();
    let port = loop {
        line.clear();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "chromedriver stopped before it listened"
        );
        if let Some(port) = line
            .trim()
            .strip_prefix("ChromeDriver was started successfully on port ")
        {
            break port.trim_end_matches('.').to_owned();
        }
    };
    // Whatever the driver prints later is read, so that it never waits on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let mut caps = DesiredCapabilities::chrome();
    caps.set_binary(CHROMIUM).unwrap();
    for arg in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1800",
        &format!("--user-data-dir={}", profile.display()),
    ] {
        caps.add_arg(arg).unwrap();
    }
    let web = WebDriver::new(format!("http://127.0.0.1:{port}"), caps)
        .await
        .unwrap();
    (driver, web)
}

/// Drives one browser through the pages, collecting screenshots and accessibility findings.
struct Journey {
    web: WebDriver,
    base: String,
    artifacts: PathBuf,
    axe: String,
    findings: Vec<String>,
}

impl Journey {
    async fn open(&self, path: &str) {
        self.web.goto(format!("{}{path}", self.base)).await.unwrap();
        self.wait_until_loaded().await;
    }

    /// Waits until the browser has loaded the current page completely.
    async fn wait_until_loaded(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let state = self
                .web
                .execute("return document.readyState;", Vec::new())
                .await;
            if state.is_ok_and(|s| s.json() == "complete") {
                return;
            }
            assert!(Instant::now() < deadline, "the page did not load");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn path(&self) -> String {
        let url = self.web.current_url().await.unwrap();
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    async fn text_of(&self, by: By) -> String {
        self.web.find(by).await.unwrap().text().await.unwrap()
    }

    async fn heading(&self) -> String {
        self.text_of(By::Tag("h1")).await
    }

    async fn body(&self) -> String {
        self.text_of(By::Tag("main")).await
    }

    /// The first form field called `name` on the page, outside its header.
    async fn field(&self, name: &str) -> WebElement {
        self.field_in("main", name).await
    }

    /// The form field called `name` inside what the CSS selector `scope` finds.
    async fn field_in(&self, scope: &str, name: &str) -> WebElement {
        self.web
            .find(By::Css(format!("{scope} [name='{name}']")))
            .await
            .unwrap_or_else(|_| panic!("no field {name} in {scope}"))
    }

    async fn fill(&self, name: &str, value: &str) {
        self.fill_in("main", name, value).await;
    }

    async fn fill_in(&self, scope: &str, name: &str, value: &str) {
        let field = self.field_in(scope, name).await;
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    /// Types `text` into the search box every page has, and sends it.
    async fn search(&self, text: &str) {
        self.fill_in("header form.search", "q", text).await;
        let page = self.web.find(By::Tag("html")).await.unwrap();
        self.web
            .execute(
                "document.querySelector('header form.search').requestSubmit();",
                Vec::new(),
            )
            .await
            .unwrap();
        self.wait_for_next_page(page).await;
    }

    /// Date fields take their value from the page's script: typing into them depends on the
    /// browser's locale.
    async fn fill_date(&self, name: &str, value: &str) {
        let field = self.field(name).await;
        self.web
            .execute(
                "arguments[0].value = arguments[1];",
                vec![field.to_json().unwrap(), serde_json::json!(value)],
            )
            .await
            .unwrap();
    }

    async fn select(&self, name: &str) -> SelectElement {
        SelectElement::new(&self.field(name).await).await.unwrap()
    }

    async fn choose(&self, name: &str, option: &str) {
        self.choose_in("main", name, option).await;
    }

    async fn choose_in(&self, scope: &str, name: &str, option: &str) {
        SelectElement::new(&self.field_in(scope, name).await)
            .await
            .unwrap()
            .select_by_exact_text(option)
            .await
            .unwrap_or_else(|_| panic!("no option {option:?} in {name}"));
    }

    async fn options(&self, name: &str) -> Vec<String> {
        let mut texts = Vec::new();
        for option in self.select(name).await.options().await.unwrap() {
            texts.push(option.text().await.unwrap());
        }
        texts
    }

    async fn press(&self, label: &str) {
        let button = self
            .web
            .find(By::XPath(format!(
                "//main//button[normalize-space()='{label}']"
            )))
            .await
            .unwrap();
        self.submit_with(button).await;
    }

    /// Clicks a link or what submits a form, and waits until the browser shows the page that answers.
    async fn submit_with(&self, control: WebElement) {
        let page = self.web.find(By::Tag("html")).await.unwrap();
        control.click().await.unwrap();
        self.wait_for_next_page(page).await;
    }

    /// Waits until the browser has replaced `page`, the old document's root, and loaded the next.
    async fn wait_for_next_page(&self, page: WebElement) {
        let deadline = Instant::now() + Duration::from_secs(30);
        // The old document's element goes stale once the new one has replaced it.
        while page.tag_name().await.is_ok() {
            assert!(Instant::now() < deadline, "the form was not answered");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.wait_until_loaded().await;
    }

    /// The cells of the first row whose first cell reads `first`, in the table with `caption`.
    async fn row(&self, caption: &str, first: &str) -> Vec<String> {
        let rows = self
            .web
            .find_all(By::XPath(format!(
                "//table[caption[normalize-space()='{caption}']]/tbody/tr[td[1][normalize-space()='{first}']]/td"
            )))
            .await
            .unwrap();
        let mut cells = Vec::new();
        for cell in rows {
            cells.push(cell.text().await.unwrap());
        }
        assert!(!cells.is_empty(), "no row {first:?} in table {caption:?}");
        cells
    }

    /// The height on screen, in CSS pixels, of the smallest label of the page's charts, if it
    /// has any.
    async fn smallest_chart_label(&self) -> Option<f64> {
        let height = self
            .web
            .execute(
                "const hs = [...document.querySelectorAll('svg.chart text')]
                   .map(t => t.getBoundingClientRect().height).filter(h => h > 0);
                 return hs.length ? Math.min(...hs) : null;",
                Vec::new(),
            )
            .await
            .unwrap();
        height.json().as_f64()
    }

    /// Drags the board's card named `card` onto the column of `stage`, and waits for the page
    /// that answers the move.
    async fn drag(&self, card: &str, stage: &str) {
        let card = self
            .web
            .find(By::XPath(format!("//li[a[normalize-space()='{card}']]")))
            .await
            .unwrap();
        let column = self
            .web
            .find(By::XPath(format!("//section[@data-stage='{stage}']")))
            .await
            .unwrap();
        let page_before = self.web.find(By::Tag("html")).await.unwrap();
        card.js_drag_to(&column).await.unwrap();
        self.wait_for_next_page(page_before).await;
    }

    /// Makes the pages prefer the `light` or `dark` colour scheme, as the system would.
    async fn colour_scheme(&self, scheme: &str) {
        self.web
            .cdp()
            .send_raw(
                "Emulation.setEmulatedMedia",
                serde_json::json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
            )
            .await
            .unwrap();
    }

    /// Saves a screenshot of the page as `NAME.png` and checks it with axe-core.
    async fn check(&mut self, name: &str) {
        // A screenshot can race the browser's own work on a page just loaded; it is tried
        // again before it counts as a failure.
        let file = self.artifacts.join(format!("{name}.png"));
        let mut attempts = 0;
        while let Err(error) = self.web.screenshot(&file).await {
            attempts += 1;
            assert!(attempts < 3, "no screenshot of {name}: {error}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        self.web
            .execute(format!("{};return true;", self.axe), Vec::new())
            .await
            .unwrap();
        let result = self
            .web
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                axe.run(document, { resultTypes: ["violations"] })
                  .then(r => done(r.violations.map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join("; ")}`)))
                  .catch(e => done([`axe failed: ${e}`]));"#,
                Vec::new(),
            )
            .await
            .unwrap();
        let violations: Vec<String> = result.convert().unwrap();
        let path = self.path().await;
        self.findings
            .extend(violations.into_iter().map(|v| format!("{path}: {v}")));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_journeys_work_in_a_real_browser_and_pass_the_accessibility_check() {
    let missing = missing_tools();
    if !missing.is_empty() {
        let message = format!("browser test skipped: missing {}", missing.join(", "));
        assert!(
            std::env::var("BEARING_BROWSER_TESTS").as_deref() != Ok("require"),
            "{message}"
        );
        eprintln!("{message}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_server, base) = serve_demo(dir.path());
    let profile = tempfile::tempdir().unwrap();
    let (_driver, web) = browser(profile.path()).await;
    let artifacts = std::env::var_os("BEARING_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("../../target/browser-artifacts"));
    std::fs::create_dir_all(&artifacts).unwrap();
    let mut j = Journey {
        web,
        base,
        artifacts,
        axe: std::fs::read_to_string(axe_script()).unwrap(),
        findings: Vec::new(),
    };
    journeys(&mut j).await;
    let Journey { web, findings, .. } = j;
    web.quit().await.unwrap();
    assert!(
        findings.is_empty(),
        "accessibility violations:\n{}",
        findings.join("\n")
    );
}

async fn journeys(j: &mut Journey) {
    // Signing in: a page that needs it sends the visitor to sign in, then back.
    j.open("/deals").await;
    assert!(j.path().await.starts_with("/login"), "{}", j.path().await);
    j.check("login").await;
    j.fill("email", "admin@example.org").await;
    j.fill("password", "not the password").await;
    j.press("Sign in").await;
    assert!(
        j.body().await.contains("email or password"),
        "{}",
        j.body().await
    );
    j.fill("password", PASSWORD).await;
    j.press("Sign in").await;
    assert_eq!(j.path().await, "/deals");
    j.check("deals").await;

    j.open("/").await;
    assert_eq!(j.heading().await, "Dashboard");
    j.check("dashboard").await;
    let open_before = j.row("Open deals by stage", "Total").await;
    j.open("/forecast").await;
    let forecast_before = j.body().await;
    assert!(!forecast_before.contains("Browser Test Hub"));

    // An organization, and a contact who speaks for it.
    j.open("/organizations").await;
    let add = "form[action='/organizations'][method='post']";
    j.fill_in(add, "long_name", "Browser Test College").await;
    j.fill_in(add, "name", "browser-test-college").await;
    j.choose_in(add, "kind", "community").await;
    j.press("Add the organization").await;
    let organization = j.path().await;
    assert!(
        organization.starts_with("/organizations/"),
        "{organization}"
    );
    let organization = organization.split('?').next().unwrap().to_owned();
    assert_eq!(j.heading().await, "Browser Test College");
    j.open("/contacts").await;
    let add = "form[action='/contacts'][method='post']";
    j.fill_in(add, "name", "Bea Tester").await;
    j.fill_in(add, "email", "bea@college.example").await;
    j.choose_in(add, "org_1", "Browser Test College").await;
    j.press("Add the contact").await;
    assert!(
        j.path().await.starts_with("/contacts/"),
        "{}",
        j.path().await
    );
    assert!(j.body().await.contains("Browser Test College"));
    j.check("contact-created").await;

    // A new deal for it, chosen from the list of organizations: refused while its amount is
    // not a number, then created.
    j.open("/deals/new").await;
    j.check("deal-new").await;
    j.fill("name", "Browser Test Hub").await;
    j.choose("organization", "Browser Test College").await;
    j.choose("stage", "Discovery").await;
    j.fill("amount", "lots").await;
    j.press("Save").await;
    assert!(j.body().await.contains("amount"), "{}", j.body().await);
    j.fill("amount", "36000").await;
    j.fill_date("close_date", "2026-12-15").await;
    j.fill_date("contract_start", "2027-01-01").await;
    j.fill_date("contract_end", "2027-12-31").await;
    j.press("Save").await;
    let page = j.path().await;
    assert!(page.starts_with("/deals/"), "{page}");
    assert!(j.body().await.contains("The deal is created"));
    let deal = page.split('?').next().unwrap().to_owned();

    // The search box finds the organization, its contact and the deal; the deal opens.
    j.search("Browser Test").await;
    assert!(j.path().await.starts_with("/search?"), "{}", j.path().await);
    let found = j.body().await;
    for name in ["Browser Test College", "Browser Test Hub"] {
        assert!(found.contains(name), "{name}: {found}");
    }
    j.check("search").await;
    let link = j
        .web
        .find(By::XPath(
            "//main//a[normalize-space()='Browser Test Hub']".to_owned(),
        ))
        .await
        .unwrap();
    j.submit_with(link).await;
    assert_eq!(j.path().await, deal);
    assert!(
        j.body().await.contains("Browser Test College"),
        "the deal names its organization"
    );
    j.search("bea@college.example").await;
    assert!(j.body().await.contains("Bea Tester"), "{}", j.body().await);
    j.open("/").await;
    let open_with_deal = j.row("Open deals by stage", "Total").await;
    assert_eq!(
        count(&open_with_deal),
        count(&open_before) + 1,
        "the new deal is in the dashboard's pipeline"
    );

    // Through each open stage after Discovery, then to Closed Won.
    j.open(&deal).await;
    j.check("deal").await;
    let stages = j.options("stage").await;
    let from = stages.iter().position(|s| s == "Discovery").unwrap();
    let won = stages.iter().position(|s| s == "Closed Won").unwrap();
    assert!(from < won, "{stages:?}");
    // On the board, the card is dragged onto the next stage's column.
    let next = &stages[from + 1];
    j.open("/pipeline").await;
    j.drag("Browser Test Hub", next).await;
    assert!(
        j.path().await.starts_with("/pipeline?"),
        "{}",
        j.path().await
    );
    let in_column = |stage: &str| {
        format!("//section[@data-stage='{stage}']//a[normalize-space()='Browser Test Hub']")
    };
    j.web
        .find(By::XPath(in_column(next)))
        .await
        .unwrap_or_else(|_| panic!("the card is in {next} after the drop"));
    assert!(
        j.body().await.contains(&format!(
            "Moved “Browser Test Hub” from Discovery to {next}."
        )),
        "the board says what moved"
    );
    j.check("pipeline-after-drop").await;
    // The move is undone, and made again.
    j.press("Undo").await;
    j.web
        .find(By::XPath(in_column("Discovery")))
        .await
        .unwrap_or_else(|_| panic!("the card is back in Discovery after the undo"));
    j.drag("Browser Test Hub", next).await;
    j.web
        .find(By::XPath(in_column(next)))
        .await
        .unwrap_or_else(|_| panic!("the card is in {next} after the second drop"));
    j.open(&deal).await;
    assert!(
        j.body()
            .await
            .contains(&format!("stage: Discovery → {next}"))
    );
    for stage in &stages[from + 2..won] {
        j.choose("stage", stage).await;
        j.press("Move").await;
        let moved = j.body().await;
        assert!(moved.contains("The deal is moved"), "{stage}: {moved}");
        assert!(moved.contains(&format!("→ {stage}")), "{stage}: {moved}");
    }
    // Won from the board: the card dropped on Closed Won.
    j.open("/pipeline").await;
    j.drag("Browser Test Hub", "Closed Won").await;
    j.web
        .find(By::XPath(in_column("Closed Won")))
        .await
        .unwrap_or_else(|_| panic!("the card is in Closed Won after the drop"));
    j.check("pipeline-won").await;
    j.open(&deal).await;
    let won_page = j.body().await;
    assert!(won_page.contains("→ Closed Won"), "{won_page}");
    assert!(
        won_page.contains("Jan 2027") && won_page.contains("$3,000"),
        "{won_page}"
    );
    j.open(&organization).await;
    assert!(
        j.body().await.contains("Browser Test Hub"),
        "the organization lists its won deal"
    );

    // The dashboard and the forecast see the won deal.
    j.open("/").await;
    let open_after = j.row("Open deals by stage", "Total").await;
    assert_eq!(count(&open_after), count(&open_before), "no longer open");
    j.open("/forecast").await;
    let forecast_after = j.body().await;
    assert!(
        forecast_after.contains("Browser Test Hub"),
        "{forecast_after}"
    );
    assert_ne!(forecast_before, forecast_after);
    j.check("forecast").await;

    // The rest of the main pages.
    for (path, name) in [
        ("/pipeline", "pipeline"),
        ("/analytics", "analytics"),
        ("/organizations", "organizations"),
        ("/contacts", "contacts"),
        ("/assumptions", "assumptions"),
        ("/audit", "audit"),
        ("/users", "users"),
        ("/account", "account"),
        ("/roles", "roles"),
        ("/people", "people"),
        ("/team", "team"),
    ] {
        j.open(path).await;
        assert_eq!(j.path().await, path);
        j.check(name).await;
    }
    j.open("/organizations").await;
    let first = j.web.find(By::Css("main table tbody a")).await.unwrap();
    j.submit_with(first).await;
    j.check("organization").await;

    // Usage: the communities over time, then a cluster, whose provider is changed.
    j.open("/usage").await;
    j.check("usage").await;
    let cluster = j.web.find(By::Css("main table tbody a")).await.unwrap();
    j.submit_with(cluster).await;
    assert!(j.path().await.starts_with("/usage/clusters/"));
    assert!(j.body().await.contains("Value signal"));
    j.fill("provider", "on-premises").await;
    j.press("Save").await;
    assert!(
        j.body().await.contains("provider: "),
        "the history shows the change"
    );
    j.check("cluster").await;

    // A new colleague: added, refused an assignment whose funding does not add up, assigned,
    // and the assignment ended on its own page.
    j.open("/people").await;
    j.fill("name", "Browser Tester").await;
    j.choose("kind", "employee").await;
    j.fill("email", "tester@example.org").await;
    j.press("Add the person").await;
    let person = j.path().await;
    assert!(person.starts_with("/people/"), "{person}");
    j.choose("role", "Infrastructure Engineer").await;
    j.fill("level", "1").await;
    j.fill("fte", "0.5").await;
    j.fill_date("start", "2026-01-01").await;
    j.fill("funding", "CORE-OPS=0.5").await;
    j.press("Add the assignment").await;
    assert!(
        j.body().await.contains("the shares add to 50%, not 100%"),
        "{}",
        j.body().await
    );
    j.check("person-refused").await;
    j.fill("funding", "CORE-OPS=0.5, FDN-OPEN-SCIENCE=50%")
        .await;
    j.press("Add the assignment").await;
    assert_eq!(j.path().await, person);
    let row = j
        .row(
            "Assignments of Browser Tester",
            "Infrastructure Engineer L1",
        )
        .await;
    assert!(
        row.contains(&"CORE-OPS 50%, FDN-OPEN-SCIENCE 50%".to_owned()),
        "{row:?}"
    );
    j.check("person").await;
    let edit = j
        .web
        .find(By::XPath(
            "//a[normalize-space()='Edit Infrastructure Engineer L1']".to_owned(),
        ))
        .await
        .unwrap();
    j.submit_with(edit).await;
    assert!(j.path().await.starts_with("/assignments/"));
    j.check("assignment").await;
    j.fill_date("end", "2026-06-30").await;
    j.press("Save").await;
    assert_eq!(j.path().await, person);
    let row = j
        .row(
            "Assignments of Browser Tester",
            "Infrastructure Engineer L1",
        )
        .await;
    assert_eq!(row[2], "30 Jun 2026", "{row:?}");
    j.open("/roles").await;
    let role = j
        .web
        .find(By::XPath(
            "//main//a[normalize-space()='Infrastructure Engineer']".to_owned(),
        ))
        .await
        .unwrap();
    j.submit_with(role).await;
    j.check("role").await;

    // Every page, on a wide screen and a phone, in light and dark colours: a screenshot of
    // each (the test's artifacts) and the accessibility check.
    for (width, height) in [(1400, 1000), (390, 844)] {
        j.web.set_window_rect(0, 0, width, height).await.unwrap();
        for scheme in ["light", "dark"] {
            j.colour_scheme(scheme).await;
            for path in [
                "/",
                "/pipeline",
                "/deals",
                "/deals/new",
                deal.as_str(),
                "/organizations",
                "/organizations/1",
                "/contacts",
                "/contacts/1",
                "/forecast",
                "/analytics",
                "/usage",
                "/usage/clusters/1",
                "/roles",
                "/roles/1",
                "/people",
                "/people/1",
                "/team",
                "/assumptions",
                "/imports",
                "/audit",
                "/users",
                "/account",
                "/search?q=hub",
            ] {
                j.open(path).await;
                if let Some(height) = j.smallest_chart_label().await {
                    assert!(
                        height >= 9.0,
                        "{path} at {width} px: a chart label is {height:.1} px high"
                    );
                }
                let name = path.trim_start_matches('/').replace(['/', '?', '='], "-");
                let name = if name.is_empty() { "dashboard" } else { &name };
                j.check(&format!("page-{name}-{width}-{scheme}")).await;
            }
        }
    }
    j.colour_scheme("light").await;
    j.web.set_window_rect(0, 0, 1280, 1800).await.unwrap();

    // The CRM export through the import page: a dry run, then the confirmed import.
    j.open("/imports").await;
    j.check("imports").await;
    let sample = manifest_dir().join("../../testdata/sample_deals.csv");
    let sample = sample.canonicalize().unwrap();
    j.web
        .find(By::Css("input[type='file']"))
        .await
        .unwrap()
        .send_keys(sample.display().to_string())
        .await
        .unwrap();
    j.press("Check the file").await;
    let dry = j.body().await;
    assert!(dry.contains("Dry run of sample_deals.csv"), "{dry}");
    // Each line with its deal's name, stage and amount, and what the import does with it.
    let line = j.row("What the import will do, by line", "2").await;
    for cell in ["University of Toronto RFP 2025", "Closed Won", "$17,500"] {
        assert!(line.iter().any(|c| c == cell), "{cell}: {line:?}");
    }
    let creates = dry
        .split(" to create")
        .next()
        .and_then(|head| head.rsplit(['\n', ' ']).next())
        .unwrap()
        .to_owned();
    j.check("import-dry-run").await;
    j.press("Confirm the import").await;
    let done = j.body().await;
    assert!(
        done.contains(&format!("Imported sample_deals.csv: {creates} created")),
        "{creates} to create: {done}"
    );

    // The monthly close: last month's ledger through the actuals page, then the close, which
    // adds the month to the forecast against actuals.
    let month = month_to_close();
    let (key, words) = (
        month.strftime("%Y-%m").to_string(),
        month.strftime("%b %Y").to_string(),
    );
    let against =
        "//table[caption[starts-with(normalize-space(), 'Forecast against actuals')]]/tbody/tr";
    j.open("/close").await;
    let closed_before = j.web.find_all(By::XPath(against)).await.unwrap().len();
    assert!(closed_before > 0, "the demo has closed months");
    let last_day = month.last_of_month();
    let ledger = j.artifacts.join("ledger.csv");
    std::fs::write(
        &ledger,
        format!(
            "Date,Source,Description,Net,Account Code,Account Name,Grants\n\
             {last_day},Receivable Invoice,Browser Test membership,12000.00,4221,Membership fees,\n\
             {last_day},Payroll,Salaries and benefits,90000.00,6000,Salaries and benefits,\n"
        ),
    )
    .unwrap();
    j.open("/actuals").await;
    j.check("actuals").await;
    j.web
        .find(By::Css("input[type='file']"))
        .await
        .unwrap()
        .send_keys(ledger.canonicalize().unwrap().display().to_string())
        .await
        .unwrap();
    j.press("Check the file").await;
    j.check("actuals-dry-run").await;
    j.press("Confirm the import").await;
    assert!(
        j.body()
            .await
            .contains(&format!("imported {key}: 2 lines (2 new")),
        "{}",
        j.body().await
    );
    j.open(&format!("/close?month={key}")).await;
    j.check("close").await;
    j.press(&format!("Close {words}")).await;
    let body = j.body().await;
    assert!(body.contains(&format!("Closed {words}")), "{body}");
    let closed_after = j.web.find_all(By::XPath(against)).await.unwrap().len();
    assert_eq!(closed_after, closed_before + 1, "{body}");
    let newest = j
        .web
        .find(By::XPath(format!("{against}[1]/td[1]")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(newest, words);

    // Can we hire? An engineer at L2 from three months on, saved as a scenario.
    j.open("/hire").await;
    j.check("hire").await;
    j.choose("role", "Infrastructure Engineer").await;
    j.fill("level", "2").await;
    let start = month
        .checked_add(jiff::Span::new().months(4))
        .unwrap()
        .strftime("%Y-%m")
        .to_string();
    j.fill_date("start", &start).await;
    j.press("Ask").await;
    let answer = j.body().await;
    assert!(answer.contains("of the runs with the hire"), "{answer}");
    j.check("hire-answer").await;
    j.fill_in("form[action='/scenarios']", "name", "Browser Test hire")
        .await;
    j.press("Save as a scenario").await;
    assert!(
        j.path().await.starts_with("/scenarios/"),
        "{}",
        j.path().await
    );
    assert_eq!(j.heading().await, "Browser Test hire");
    j.check("scenario").await;
    j.open("/scenarios").await;
    assert!(j.body().await.contains("Browser Test hire"));
    j.check("scenarios").await;

    // Money in: the billing run of the month just ended proposes what to invoice; one is made
    // a draft, issued and partly paid, and the receivables change with it.
    let month = month_to_close().strftime("%Y-%m").to_string();
    j.open(&format!("/billing?month={month}")).await;
    j.check("billing").await;
    let proposed: i64 = j
        .web
        .execute(
            "const boxes = [...document.querySelectorAll(\"input[name='key']\")];
             boxes.forEach((b, i) => { b.checked = i === 0; });
             return boxes.length;",
            Vec::new(),
        )
        .await
        .unwrap()
        .convert()
        .unwrap();
    assert!(proposed > 0, "the run proposes nothing: {}", j.body().await);
    j.press("Make the ticked invoices drafts").await;
    assert!(
        j.body().await.contains("1 draft made for"),
        "{}",
        j.body().await
    );
    let number = j
        .text_of(By::XPath(
            "//table[caption[normalize-space()='Invoices, newest first']]/tbody/tr[1]/td[1]",
        ))
        .await;
    assert!(number.starts_with("INV-"), "{number}");
    // The run proposes it no more.
    j.open(&format!("/billing?month={month}")).await;
    let left: i64 = j
        .web
        .execute(
            "return document.querySelectorAll(\"input[name='key']\").length;",
            Vec::new(),
        )
        .await
        .unwrap()
        .convert()
        .unwrap();
    assert_eq!(left, proposed - 1);
    j.open(&format!("/invoices/{number}")).await;
    assert!(j.heading().await.contains("draft"), "{}", j.heading().await);
    j.check("invoice-draft").await;
    j.press("Issue it").await;
    assert!(j.body().await.contains("Issued, due"), "{}", j.body().await);
    let aged = "Outstanding invoices, most overdue first";
    j.open("/aging").await;
    j.check("aging").await;
    let owed = cents(j.row(aged, &number).await.last().unwrap());
    j.open(&format!("/invoices/{number}")).await;
    j.fill("amount", "1").await;
    j.press("Record the payment").await;
    assert!(
        j.body().await.contains("Payment recorded"),
        "{}",
        j.body().await
    );
    j.check("invoice-paid").await;
    j.open("/aging").await;
    let after = j.row(aged, &number).await;
    assert_eq!(cents(after.last().unwrap()), owed - 100, "{after:?}");
    // A draft typed by hand.
    j.open("/invoices").await;
    j.check("invoices").await;
    let organization = j.options("organization").await[1].clone();
    let draft = "form[action='/invoices'][method='post']";
    j.choose_in(draft, "organization", &organization).await;
    j.choose_in(draft, "kind", "service").await;
    j.fill_in(draft, "lines", "Browser Test training; 2; 500")
        .await;
    j.press("Save the draft").await;
    assert!(j.heading().await.contains("draft"), "{}", j.heading().await);
    assert!(j.body().await.contains("$1,000.00"), "{}", j.body().await);

    // Signing out ends the session.
    let sign_out = j
        .web
        .find(By::XPath("//button[normalize-space()='Sign out']"))
        .await
        .unwrap();
    j.submit_with(sign_out).await;
    assert!(j.path().await.starts_with("/login"), "{}", j.path().await);
    j.open("/").await;
    assert!(j.path().await.starts_with("/login"), "{}", j.path().await);
}

/// An amount as a page shows it, "$1,234.56", in cents.
fn cents(text: &str) -> i64 {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    assert!(text.contains('.'), "{text}");
    digits.parse().unwrap()
}

/// The deal count of a row of the dashboard's pipeline table.
fn count(row: &[String]) -> usize {
    row[1].replace(',', "").parse().unwrap()
}
