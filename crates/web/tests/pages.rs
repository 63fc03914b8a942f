//! The pages and the access rules, in process: every registered route has a rule and enforces
//! it for each role; the main journeys work through forms.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use bearing_core::access::{Permission, Permissions, Role};
use bearing_store::testing::TestDb;
use bearing_web::access::{Rule, Rules};
use bearing_web::{AppState, WebConfig, router, routes};
use support::{
    Browser, GRANTS_OFFICER, PASSWORD, Reply, app_with_users, ctx, grants_officer, send,
};

bearing_store::on_both_backends!(
    pay_is_seen_only_by_finance_admin_and_the_person,
    roles_and_bands_are_added_generated_raised_and_set_from_the_pages,
    a_role_paid_on_another_ladder_shows_whose_bands_it_shares,
    people_and_assignments_are_added_checked_and_edited_from_the_pages,
    a_person_entered_by_mistake_is_deleted_only_once_unassigned,
    those_below_finance_see_no_forms_on_the_roles_and_people_pages,
    the_usage_pages_show_communities_and_a_cluster_with_its_signals,
    every_route_refuses_anonymous_callers_and_roles_below_its_rule,
    a_deal_is_created_moved_to_won_and_shows_on_the_dashboard_and_forecast,
    a_deal_in_another_currency_shows_its_amount_in_that_currency,
    the_crm_export_imports_through_the_page_after_a_dry_run,
    sign_in_failures_sign_out_and_password_change,
    the_setup_link_creates_the_first_admin_once,
    every_page_renders_for_the_demo,
    the_forecast_says_what_it_needs_before_the_books_are_closed,
    an_admin_defines_gives_and_deletes_a_role_on_the_users_page,
    admins_see_each_scheduled_jobs_runs_on_a_page_and_in_the_api,
    finance_imports_the_ledger_maps_an_account_and_closes_a_month_from_the_pages,
    finance_asks_whether_a_hire_is_affordable_and_saves_it_as_a_scenario,
    finance_imports_the_invoice_ledger_and_reconciles_it_from_the_pages,
    finance_imports_a_cloud_bill_decides_an_overrun_and_sees_what_is_owed,
);

async fn finance_imports_a_cloud_bill_decides_an_overrun_and_sees_what_is_owed(db: &TestDb) {
    let (app, store) = app_with_users(db).await;
    let org = bearing_app::organizations::create(
        &store,
        &ctx(),
        bearing_core::organization::OrganizationFields {
            name: bearing_core::organization::OrganizationName::parse("eastside").unwrap(),
            long_name: Some("Eastside College".into()),
            kind: bearing_core::organization::OrganizationKind::Community,
            website: None,
            github_org: None,
            notes: None,
            tags: Vec::new(),
        },
    )
    .await
    .unwrap();
    let usage = "date,hub,users,cluster\n2026-10-31,east,3,pool\n2026-10-31,west,1,pool\n";
    bearing_app::usage::import(&store, &ctx(), "u.csv", usage.as_bytes(), false)
        .await
        .unwrap();
    for hub in ["pool/east", "pool/west"] {
        let unit = bearing_app::usage::find_unit(&store, hub).await.unwrap();
        let mut fields = unit.fields.clone();
        fields.organization = Some(org.id);
        bearing_app::usage::update_unit(&store, &ctx(), unit.id, fields)
            .await
            .unwrap();
    }
    let mut finance = Browser::new(&app);
    finance.sign_in("finance@example.org").await;
    let empty = finance.get("/cloud-costs").await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.text);
    assert!(
        empty.text.contains("No cloud bill has been imported yet"),
        "{}",
        empty.text
    );
    let mapped = finance
        .post(
            "/cloud-costs/mappings",
            &[
                ("kind", "account"),
                ("value", "A-9"),
                ("cluster", "pool"),
                ("hub", ""),
            ],
        )
        .await;
    assert_eq!(mapped.status, StatusCode::SEE_OTHER, "{}", mapped.text);
    let nowhere = finance
        .post(
            "/cloud-costs/mappings",
            &[
                ("kind", "account"),
                ("value", "A-10"),
                ("cluster", "atlantis"),
            ],
        )
        .await;
    assert_eq!(
        nowhere.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        nowhere.text
    );
    assert!(
        nowhere.text.contains("The mapping was not saved"),
        "{}",
        nowhere.text
    );
    let csv = "BillingPeriodStart,BillingAccountId,BilledCost\n\
               2026-07-01,A-9,10\n2026-08-01,A-9,10\n2026-09-01,A-9,10\n2026-10-01,A-9,40.006\n";
    let dry = upload(&mut finance, &app, "/cloud-costs", &[], "bill.csv", csv).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.text);
    assert!(dry.text.contains("Check of bill.csv"), "{}", dry.text);
    assert!(
        dry.text.contains("would import A-9 2026-10"),
        "{}",
        dry.text
    );
    assert!(store.list_cloud_costs().await.unwrap().is_empty());
    let confirmed = finance
        .post(
            "/cloud-costs",
            &[("file", "bill.csv"), ("content", csv), ("confirm", "yes")],
        )
        .await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.text
    );
    let shown = finance.get(&see_other(&confirmed)).await;
    assert!(
        shown.text.contains("imported A-9 2026-10"),
        "{}",
        shown.text
    );
    // October: $40.01 over its $12.00 threshold by $28.01, to be decided.
    assert_eq!(
        support::row_of(&shown.text, "Billing accounts in Oct 2026", "A-9"),
        [
            "A-9",
            "1",
            "$40.01",
            "$40.01",
            "$12.00",
            "$28.01",
            "to decide"
        ]
    );
    let unreasoned = finance
        .post(
            "/cloud-costs/decisions",
            &[
                ("account", "A-9"),
                ("month", "2026-10"),
                ("decision", "absorb"),
                ("reason", " "),
            ],
        )
        .await;
    assert_eq!(
        unreasoned.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unreasoned.text
    );
    assert!(
        unreasoned.text.contains("The decision was not recorded"),
        "{}",
        unreasoned.text
    );
    let decided = finance
        .post(
            "/cloud-costs/decisions",
            &[
                ("account", "A-9"),
                ("month", "2026-10"),
                ("decision", "discount"),
                ("amount", "8.01"),
                ("reason", "the launch month"),
            ],
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.text);
    let split = finance
        .post(
            "/cloud-costs/splits",
            &[("cluster", "pool"), ("rule", "even")],
        )
        .await;
    assert_eq!(split.status, StatusCode::SEE_OTHER, "{}", split.text);
    let credited = finance
        .post(
            "/cloud-costs/credits",
            &[
                ("organization", &org.id.to_string()),
                ("amount", "64.00"),
                ("on", "2026-10-01"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(credited.status, StatusCode::SEE_OTHER, "{}", credited.text);
    let shown = finance.get("/cloud-costs?month=2026-10").await;
    assert!(
        shown
            .text
            .contains("discount of $8.01: the launch month (finance@example.org"),
        "{}",
        shown.text
    );
    // $32.00 after the discount, evenly on two hubs both Eastside's, the $8.01 discount
    // absorbed, nothing billed.
    let row = support::row_of(
        &shown.text,
        "Communities in Oct 2026",
        &format!(
            "<a href=\"/organizations/{}#cloud-h\">Eastside College</a>",
            org.id
        ),
    );
    assert_eq!(row[1..], ["$32.00", "$8.01", "$0.00", "$32.00"]);
    assert!(
        shown.text.contains("Credits held for partners"),
        "{}",
        shown.text
    );
    // The organization's page shows what it has not paid back.
    let page = finance.get(&format!("/organizations/{}", org.id)).await;
    assert!(
        page.text.contains("Cloud costs not recovered"),
        "{}",
        page.text
    );
    assert!(page.text.contains("id=\"cloud-h\""), "{}", page.text);
    // Partnerships sees it where the organisation shows cash to all, and changes none of it.
    let mut partner = Browser::new(&app);
    partner.sign_in("partnerships@example.org").await;
    let seen = partner.get("/cloud-costs").await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(!seen.text.contains("Record the decision"), "{}", seen.text);
    assert!(!seen.text.contains("Import a bill"), "{}", seen.text);
    let refused = partner
        .post(
            "/cloud-costs/splits",
            &[("cluster", "pool"), ("rule", "usage")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

/// A CSV file posted as the pages' upload forms post it, after the form's other `fields`.
async fn upload(
    browser: &mut Browser,
    app: &axum::Router,
    path: &str,
    fields: &[(&str, &str)],
    name: &str,
    csv: &str,
) -> Reply {
    let boundary = "XBOUNDARYX";
    let mut body = String::new();
    for (field, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    ));
    let request = browser
        .request(Method::POST, path)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body))
        .unwrap();
    browser.remember(send(app, request).await).await
}

async fn finance_imports_the_invoice_ledger_and_reconciles_it_from_the_pages(db: &TestDb) {
    let (app, store) = app_with_users(db).await;
    let org = bearing_app::organizations::create(
        &store,
        &ctx(),
        bearing_core::organization::OrganizationFields {
            name: bearing_core::organization::OrganizationName::parse("pinecrest").unwrap(),
            long_name: Some("Pinecrest Institute".into()),
            kind: bearing_core::organization::OrganizationKind::Community,
            website: None,
            github_org: None,
            notes: None,
            tags: Vec::new(),
        },
    )
    .await
    .unwrap();
    let page = format!("/organizations/{}", org.id);
    // Partnerships records the name the sponsor's books use; the page lists it.
    let mut partner = Browser::new(&app);
    partner.sign_in("partnerships@example.org").await;
    let added = partner
        .post(
            &format!("{page}/aliases"),
            &[("add", "Pinecrest Inst. Trust")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text);
    let shown = partner.get(&format!("{page}?done=aliases")).await;
    assert_eq!(
        added.location.as_deref(),
        Some(format!("{page}?done=aliases#aliases-h").as_str())
    );
    assert!(
        shown.text.contains("<li>Pinecrest Inst. Trust"),
        "{}",
        shown.text
    );
    assert!(
        shown
            .text
            .contains("names in the sponsor&#39;s books were saved")
            || shown
                .text
                .contains("names in the sponsor's books were saved"),
        "{}",
        shown.text
    );
    let taken = partner
        .post(
            &format!("{page}/aliases"),
            &[("add", "pinecrest institute")],
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.text);
    // A crafted notice shows nothing of its own.
    let crafted = partner
        .get(&format!("{page}?done=hacked%20by%20mallory"))
        .await;
    assert!(!crafted.text.contains("mallory"), "{}", crafted.text);

    let mut finance = Browser::new(&app);
    finance.sign_in("finance@example.org").await;
    let empty = finance.get("/reconciliation").await;
    assert!(
        empty.text.contains("No ledger has been imported yet"),
        "{}",
        empty.text
    );
    let csv = "InvoiceNumber,Contact,Date,DueDate,Total,AmountPaid,Status,PaymentDate\n\
               S-1,PINECREST INST. TRUST,2026-10-05,2026-11-04,90.00,90.00,PAID,2026-10-25\n\
               S-2,Far Away Trust,2026-10-06,2026-11-05,50.00,0,AUTHORISED,\n";
    let dry = upload(&mut finance, &app, "/reconciliation", &[], "books.csv", csv).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.text);
    assert!(dry.text.contains("Check of books.csv"), "{}", dry.text);
    assert!(
        dry.text
            .contains("would make 1 invoices Bearing did not have: S-1"),
        "{}",
        dry.text
    );
    assert!(store.list_ledger_invoices().await.unwrap().is_empty());
    let confirmed = finance
        .post(
            "/reconciliation",
            &[("file", "books.csv"), ("content", csv), ("confirm", "yes")],
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.text);
    assert!(
        confirmed
            .text
            .contains("made 1 invoices Bearing did not have: S-1"),
        "{}",
        confirmed.text
    );
    assert_eq!(
        support::row_of(&confirmed.text, "What differs, and what to do", "S-2")[..5],
        [
            "S-2",
            "Far Away Trust",
            "No organization answers to its contact",
            "",
            "issued, $50.00"
        ]
    );
    let paid = finance.get("/invoices/S-1").await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.text);
    // A file with a bad row imports nothing and names it.
    let bad = upload(
        &mut finance,
        &app,
        "/reconciliation",
        &[],
        "bad.csv",
        &csv.replace("50.00,0,AUTHORISED", "fifty,0,AUTHORISED"),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    assert_eq!(
        support::row_of(&bad.text, "Problems by line", "3")[..3],
        ["3", "Total", "fifty"]
    );
    // Partnerships may read nothing of it unless cash is shown to all, and import nothing.
    let refused = upload(&mut partner, &app, "/reconciliation", &[], "books.csv", csv).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
}

async fn finance_asks_whether_a_hire_is_affordable_and_saves_it_as_a_scenario(db: &TestDb) {
    let test = support::TestApp::new(db).await.with_demo().await;
    let (app, store) = (test.app.clone(), test.store.clone());
    let mut member = Browser::new(&app);
    member.sign_in("member@example.org").await;
    for path in ["/hire", "/scenarios"] {
        assert_eq!(
            member.get(path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let mut finance = Browser::new(&app);
    finance.sign_in("finance@example.org").await;
    let page = finance.get("/hire").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(
        page.text.contains("<option>Partnerships Lead</option>"),
        "{}",
        page.text
    );
    let bad = finance
        .post(
            "/hire",
            &[
                ("role", "Partnerships Lead"),
                ("level", "two"),
                ("start", "2027-01"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text
            .contains("level: &#34;two&#34; is not a whole number"),
        "{}",
        bad.text
    );
    let version = store.data_version().await.unwrap();
    let answered = finance
        .post(
            "/hire",
            &[
                ("role", "Partnerships Lead"),
                ("level", "2"),
                ("step", "1"),
                ("fte", "1"),
                ("start", "2027-03"),
            ],
        )
        .await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.text);
    assert!(
        answered
            .text
            .contains("Partnerships Lead L2 step 1 at 1 FTE from Mar 2027 costs $"),
        "{}",
        answered.text
    );
    assert!(
        answered.text.contains("Save as a scenario"),
        "{}",
        answered.text
    );
    assert_eq!(
        store.data_version().await.unwrap(),
        version,
        "asking changes nothing"
    );
    let saved = finance
        .post(
            "/scenarios",
            &[
                ("name", "Partnerships Lead L2 from Mar 2027"),
                ("description", "Can we hire?"),
                (
                    "changes",
                    "hire role=Partnerships Lead; level=2; step=1; fte=1; start=2027-03",
                ),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let to = saved.location.clone().unwrap();
    let scenario = finance.get(&to).await;
    assert_eq!(scenario.status, StatusCode::OK, "{}", scenario.text);
    let row = support::row_of(
        &scenario.text,
        "The scenario beside the baseline",
        "Team cost a month",
    );
    assert_ne!(row[1], row[2], "the hire adds to the team's cost: {row:?}");
    assert!(scenario.text.contains("Runway P50"), "{}", scenario.text);
    let wrong = finance
        .post(
            "/scenarios",
            &[("name", "Wrong"), ("changes", "promote person=Ada")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.text.contains("expected hire, depart"),
        "{}",
        wrong.text
    );
    assert!(
        wrong.text.contains("promote person=Ada"),
        "the lines are kept: {}",
        wrong.text
    );
}

async fn finance_imports_the_ledger_maps_an_account_and_closes_a_month_from_the_pages(db: &TestDb) {
    let (app, store) = app_with_users(db).await;
    for role in [Role::Member, Role::Partnerships] {
        let mut other = Browser::new(&app);
        other.sign_in(&format!("{role}@example.org")).await;
        for path in ["/actuals", "/close"] {
            assert_eq!(
                other.get(path).await.status,
                StatusCode::FORBIDDEN,
                "{role} {path}"
            );
        }
        assert!(!other.get("/").await.text.contains("href=\"/close\""));
    }
    let mut finance = Browser::new(&app);
    finance.sign_in("finance@example.org").await;
    // February 2025, undated: $6,000 of membership fees, $4,500 of salaries on 6000.
    let csv = "Source,Description,Net,Account Code,Grants\nReceivable Invoice,Membership,6000.00,4221,\nPayable Invoice,Salaries,4500.00,6000,GR-3\n";
    let dry = upload(
        &mut finance,
        &app,
        "/actuals",
        &[("month", "2025-02")],
        "february.csv",
        csv,
    )
    .await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.text);
    assert!(dry.text.contains("Dry run of february.csv"), "{}", dry.text);
    assert_eq!(
        support::row_of(&dry.text, "What the import will do, by month", "Feb 2025"),
        ["Feb 2025", "2", "2", "0", "0", "$6,000", "$0"]
    );
    assert!(store.list_actual_lines().await.unwrap().is_empty());
    let confirmed = finance
        .post(
            "/actuals",
            &[
                ("file", "february.csv"),
                ("content", csv),
                ("month", "2025-02"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.text
    );
    let page = finance.get("/actuals").await;
    assert!(
        page.text.contains("Accounts without a category"),
        "{}",
        page.text
    );
    let blocked = finance.get("/close?month=2025-02").await;
    assert!(
        blocked.text.contains("accounts without a category: 6000"),
        "{}",
        blocked.text
    );
    assert!(!blocked.text.contains("Close Feb 2025</button>"));
    let mapped = finance
        .post(
            "/actuals/accounts",
            &[
                ("code", "6000"),
                ("name", "Salaries"),
                ("category", "personnel"),
            ],
        )
        .await;
    assert_eq!(mapped.status, StatusCode::SEE_OTHER, "{}", mapped.text);
    let page = finance.get("/actuals").await;
    assert!(
        !page.text.contains("Accounts without a category"),
        "{}",
        page.text
    );
    assert_eq!(
        support::row_of(&page.text, "Actuals by month, newest first", "Feb 2025")[..4],
        ["Feb 2025", "$6,000", "$4,500", "$1,500"]
    );
    assert!(
        page.text
            .contains("/forecast/download?format=csv&amp;report=actuals")
    );
    let download = finance
        .get("/forecast/download?format=csv&report=actuals")
        .await;
    assert!(
        download
            .text
            .contains("2025-02,cost,personnel,GR-3,4500.00"),
        "{}",
        download.text
    );
    let ready = finance.get("/close?month=2025-02").await;
    assert!(
        ready.text.contains("Close Feb 2025</button>"),
        "{}",
        ready.text
    );
    let bad = finance
        .post("/close", &[("month", "2025-02"), ("net_assets", "lots")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text.contains("net assets"), "{}", bad.text);
    assert!(store.list_closes().await.unwrap().is_empty());
    let closed = finance
        .post("/close", &[("month", "2025-02"), ("net_assets", "$40,000")])
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.text);
    let after = finance.get("/close").await;
    assert_eq!(
        support::row_of(&after.text, "Closes, newest first", "Feb 2025")[..4],
        ["Feb 2025", "$40,000", "$6,000", "$4,500"]
    );
    // The forecast against actuals gains the month: $6,000 actual, nothing forecast.
    let against = support::row_of(
        &after.text,
        "Forecast against actuals: revenue of each closed month beside what the forecasts made before it projected",
        "Feb 2025",
    );
    assert_eq!(against[..3], ["Feb 2025", "$6,000", "$0"]);
    // And the chart beside it: the month's actual against the forecast made before the close.
    assert!(
        after
            .text
            .contains("<title>Actual revenue against the forecast made a month before</title>"),
        "{}",
        after.text
    );
    // The page opens on the next month to close.
    assert!(
        after.text.contains("<h2 id=\"check-h\">Mar 2025</h2>"),
        "{}",
        after.text
    );
    // The dashboard's runway and cost coverage say how far they moved since the close. The
    // best costs available are now the closed books', which hold pay: finance sees the
    // movement, a member who sees cash but not pay does not.
    let home = finance.get("/").await;
    assert!(
        home.text.contains("since the Feb 2025 close")
            && home
                .text
                .contains("the best costs available, from the closed books"),
        "{}",
        home.text
    );
    let mut member = Browser::new(&app);
    member.sign_in("member@example.org").await;
    let home = member.get("/").await;
    assert!(
        !home.text.contains("since the Feb 2025 close") && !home.text.contains("$4,500"),
        "{}",
        home.text
    );
}

async fn admins_see_each_scheduled_jobs_runs_on_a_page_and_in_the_api(db: &TestDb) {
    let (app, store) = app_with_users(db).await;
    let mut admin = Browser::new(&app);
    admin.sign_in("admin@example.org").await;
    let empty = admin.get("/jobs").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(
        empty.text.contains("No scheduled job has run yet"),
        "{}",
        empty.text
    );
    let at = |t: &str| t.parse::<jiff::Timestamp>().unwrap();
    let json = |reply: Reply| serde_json::from_str::<serde_json::Value>(&reply.text).unwrap();
    let ran = |t: &str, ok: bool, detail: &'static str| {
        let store = store.clone();
        let t = t.to_owned();
        async move {
            bearing_app::jobs::run_in_slot(
                &store,
                &ctx().at(at(&t)),
                "usage-pull",
                at(&t),
                "harbour-7:101",
                || async move {
                    if ok {
                        Ok(detail.to_owned())
                    } else {
                        Err(detail.to_owned())
                    }
                },
            )
            .await
            .unwrap()
        }
    };
    ran("2026-11-30T00:00:00Z", true, "wrote 1,204 samples").await;
    ran("2026-12-01T00:00:00Z", false, "Prometheus did not answer").await;
    let page = admin.get("/jobs").await;
    assert_eq!(page.status, StatusCode::OK);
    // The latest run of each job comes first, then every run newest first.
    let latest = support::row_of(&page.text, "Latest run of each job", "usage-pull");
    assert_eq!(
        latest,
        [
            "usage-pull",
            "1 Dec 2026, 00:00",
            "harbour-7:101",
            "<span class=\"status red\">failed</span>",
            "Prometheus did not answer"
        ]
    );
    assert!(page.text.contains("wrote 1,204 samples"), "{}", page.text);
    let api = json(admin.get("/api/v1/jobs/runs?limit=1").await);
    assert_eq!(api["total"], 2);
    assert_eq!(api["items"][0]["outcome"], "failed");
    assert_eq!(api["items"][0]["slot"], "2026-12-01T00:00:00.000000Z");
    let cursor = api["next_cursor"].as_str().unwrap().to_owned();
    let older = json(
        admin
            .get(&format!("/api/v1/jobs/runs?limit=1&cursor={cursor}"))
            .await,
    );
    assert_eq!(older["items"][0]["detail"], "wrote 1,204 samples");
    assert_eq!(older["next_cursor"], serde_json::Value::Null);
    // Only those who manage users see them.
    for role in [Role::Member, Role::Finance] {
        let mut other = Browser::new(&app);
        other.sign_in(&format!("{role}@example.org")).await;
        assert_eq!(other.get("/jobs").await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            other.get("/api/v1/jobs/runs").await.status,
            StatusCode::FORBIDDEN
        );
        let home = other.get("/").await;
        assert!(!home.text.contains("href=\"/jobs\""), "{role}");
    }
    assert!(admin.get("/").await.text.contains("href=\"/jobs\""));
}

async fn an_admin_defines_gives_and_deletes_a_role_on_the_users_page(db: &TestDb) {
    let (app, store) = app_with_users(db).await;
    let mut admin = Browser::new(&app);
    admin.sign_in("admin@example.org").await;
    let page = admin.get("/users").await;
    assert_eq!(page.status, StatusCode::OK);
    for text in ["grants-officer", "community-success", "manage-grants"] {
        assert!(page.text.contains(text), "{text}: {}", page.text);
    }
    let defined = admin
        .post(
            "/users/roles",
            &[
                ("name", "Auditor"),
                ("description", "Reads the books"),
                ("permission", "read"),
                ("permission", "read-cash"),
            ],
        )
        .await;
    assert_eq!(defined.status, StatusCode::SEE_OTHER, "{}", defined.text);
    let found = store
        .find_access_role(&bearing_core::access::RoleName::parse("auditor").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.permissions.to_string(), "read,read-cash");
    // A bad permission changes nothing and says which.
    let refused = admin
        .post("/users/roles", &[("name", "x"), ("permission", "fly")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text.contains("fly"), "{}", refused.text);
    // Given to a user, it decides what they may open.
    let member = store
        .find_user_by_email("member@example.org")
        .await
        .unwrap()
        .unwrap();
    let given = admin
        .post(&format!("/users/{}", member.id), &[("role", "auditor")])
        .await;
    assert_eq!(given.status, StatusCode::SEE_OTHER, "{}", given.text);
    let mut auditor = Browser::new(&app);
    auditor.sign_in("member@example.org").await;
    assert_eq!(auditor.get("/deals").await.status, StatusCode::OK);
    assert_eq!(
        auditor.get("/deals/new").await.status,
        StatusCode::FORBIDDEN
    );
    let held = admin.post("/users/roles/auditor/delete", &[]).await;
    assert_eq!(held.status, StatusCode::UNPROCESSABLE_ENTITY);
    admin
        .post(&format!("/users/{}", member.id), &[("role", "member")])
        .await;
    let deleted = admin.post("/users/roles/auditor/delete", &[]).await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER, "{}", deleted.text);
    assert!(!admin.get("/users").await.text.contains("Reads the books"));
}

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/sample_deals.csv"
);

/// A concrete path for a template: `{id}` becomes 1, other parameters a name.
fn concrete(path: &str) -> String {
    path.replace("{id}", "1")
        .replace("{kind}", "deal")
        .replace("{name}", "projections")
        .replace("{pipeline}", "Membership%20Sales")
        .replace("{stage}", "Lead")
        .replace("{file}", "bearing.css")
        .replace("{invoice}", "INV-00001")
}

async fn every_route_refuses_anonymous_callers_and_roles_below_its_rule(db: &TestDb) {
    let (app, _) = app_with_users(db).await;
    let (_, inventory) = routes();
    // The rules come from where the routes are registered; every operation of the API's
    // document has one (the permission its `token` requirement names), and no route twice.
    let (_, openapi) = bearing_web::api::router();
    let mut operations = 0;
    for (path, item) in &openapi.paths.paths {
        for (method, present) in [
            (Method::GET, item.get.is_some()),
            (Method::POST, item.post.is_some()),
            (Method::PUT, item.put.is_some()),
            (Method::PATCH, item.patch.is_some()),
            (Method::DELETE, item.delete.is_some()),
        ] {
            if present {
                operations += 1;
                assert!(
                    inventory.iter().any(|(m, p, rule)| *m == method
                        && p == path
                        && matches!(rule, Rule::Signed(_))),
                    "{method} {path} has no access rule"
                );
            }
        }
    }
    assert!(operations > 60, "{operations}");
    assert!(Rules::new(&inventory).is_ok());
    // Each built-in role, and a custom role that reads and manages grants only.
    // The app shows cash to everyone signed in (the default), so each holds read-cash too.
    let effective = |granted| bearing_app::sight::effective(granted, true);
    let mut browsers: Vec<(String, Permissions, Browser)> = Vec::new();
    for &role in Role::ALL {
        let mut browser = Browser::new(&app);
        browser.sign_in(&format!("{role}@example.org")).await;
        browsers.push((role.to_string(), effective(role.permissions()), browser));
    }
    let mut officer = Browser::new(&app);
    officer.sign_in("grants-officer@example.org").await;
    browsers.push((
        GRANTS_OFFICER.to_owned(),
        effective(grants_officer()),
        officer,
    ));
    // Signing out ends the session the walk uses, so it goes last.
    let mut walk = inventory.clone();
    walk.sort_by_key(|(_, path, _)| path == "/logout");
    for (method, path, rule) in &walk {
        let Rule::Signed(permission) = *rule else {
            continue;
        };
        let uri = concrete(path);
        // Anonymous: the API answers 401, pages send the visitor to sign in.
        let anonymous = Browser::new(&app);
        let request = anonymous
            .request(method.clone(), &uri)
            .header("sec-fetch-site", "same-origin")
            .body(Body::empty())
            .unwrap();
        let reply = send(&app, request).await;
        if path.starts_with("/api/") {
            assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "anonymous {method} {uri}"
            );
        } else {
            assert_eq!(
                reply.status,
                StatusCode::SEE_OTHER,
                "anonymous {method} {uri}"
            );
            assert!(
                reply.location.unwrap().starts_with("/login"),
                "anonymous {method} {uri}"
            );
        }
        // Each role without the rule's permission is refused; the others get past the guard.
        for (role, granted, browser) in &browsers {
            let request = browser
                .request(method.clone(), &uri)
                .header("sec-fetch-site", "same-origin")
                .body(Body::empty())
                .unwrap();
            let reply = send(&app, request).await;
            if granted.contains(permission) {
                assert!(
                    ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&reply.status),
                    "{role} {method} {uri}: {} {}",
                    reply.status,
                    reply.text
                );
            } else {
                assert_eq!(reply.status, StatusCode::FORBIDDEN, "{role} {method} {uri}");
            }
        }
    }
    // A cross-site form post is refused whoever sends it.
    let (_, _, admin) = browsers
        .iter()
        .find(|(role, _, _)| role == "admin")
        .unwrap();
    let request = admin
        .request(Method::POST, "/deals")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body(Body::from("name=x&stage=Lead"))
        .unwrap();
    assert_eq!(send(&app, request).await.status, StatusCode::FORBIDDEN);
    assert!(Role::Member.allows(Permission::Read));
}

/// Amounts are shown in the deal's own currency, by its minor unit: 1,500,000 cents of euros
/// are 15,000 EUR, not $15,000.
async fn a_deal_in_another_currency_shows_its_amount_in_that_currency(db: &TestDb) {
    let (app, store) = app_with_users(db).await;
    let mut fields =
        bearing_core::deal::DealFields::new("Euro hub", "Membership Sales", "Discovery");
    fields.currency = bearing_core::Currency::parse("EUR").unwrap();
    fields.amount_minor = Some(1_500_000);
    let deal = bearing_app::deals::create(&store, &ctx(), fields)
        .await
        .unwrap();
    let mut browser = Browser::new(&app);
    browser.sign_in("member@example.org").await;
    let shown = browser.get(&format!("/deals/{}", deal.id)).await;
    assert!(shown.text.contains("15,000 EUR"), "{}", shown.text);
    assert!(!shown.text.contains("$15,000"), "{}", shown.text);
    let table = browser.get("/deals").await;
    assert!(
        table.text.contains("<td class=\"num\">15,000 EUR</td>"),
        "{}",
        table.text
    );
    let board = browser.get("/pipeline").await;
    assert!(board.text.contains("15,000 EUR"), "{}", board.text);
}

async fn a_deal_is_created_moved_to_won_and_shows_on_the_dashboard_and_forecast(db: &TestDb) {
    let (app, store) = app_with_users(db).await;
    bearing_app::assumptions::set(
        &store,
        &ctx(),
        &[("books-closed".into(), "2026-06".into())],
        bearing_core::parse_date("2026-01-01").unwrap(),
    )
    .await
    .unwrap();
    let mut browser = Browser::new(&app);
    browser.sign_in("partnerships@example.org").await;
    let before = browser.get("/").await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.text);
    let form = browser.get("/deals/new").await;
    assert!(
        form.text.contains("<label>Name <input name=\"name\""),
        "{}",
        form.text
    );
    // A refused form keeps what was typed and says what is wrong.
    let refused = browser
        .post(
            "/deals",
            &[
                ("name", "Hub for Atlantis"),
                ("stage", "Discovery"),
                ("amount", "lots"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text.contains("amount") && refused.text.contains("Hub for Atlantis"),
        "{}",
        refused.text
    );
    let created = browser
        .post(
            "/deals",
            &[
                ("name", "Hub for Atlantis"),
                ("stage", "Discovery"),
                ("amount", "24000"),
                ("close_date", "2026-08-01"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text);
    let page = created.location.unwrap();
    let id = page
        .trim_start_matches("/deals/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let shown = browser.get(&page).await;
    assert!(
        shown.text.contains("The deal is created") && shown.text.contains("$24,000"),
        "{}",
        shown.text
    );
    assert!(
        shown
            .text
            .contains("<input type=\"date\" name=\"contract_start\">"),
        "the move form asks for what closing needs: {}",
        shown.text
    );
    // Closing needs contract dates: the move is refused with the reason, then done with them.
    let refused = browser
        .post(&format!("/deals/{id}/move"), &[("stage", "Closed Won")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text.contains("contract start"), "{}", refused.text);
    let board = browser.get("/pipeline").await;
    assert!(board.text.contains("Hub for Atlantis"));
    // Dragging a card submits its move form: the script comes with the board for editors.
    assert!(
        board
            .text
            .contains("<script src=\"/static/board.js\" defer></script>")
            && board.text.contains("data-stage=\"Discovery\""),
        "{}",
        board.text
    );
    let script = browser.get("/static/board.js").await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.text.contains("requestSubmit"), "{}", script.text);
    let moved = browser
        .post(
            &format!("/deals/{id}/move"),
            &[
                ("stage", "Closed Won"),
                ("contract_start", "2026-07-01"),
                ("contract_end", "2027-06-30"),
            ],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.text);
    let shown = browser.get(&format!("/deals/{id}")).await;
    assert!(
        shown.text.contains("stage: Discovery → Closed Won"),
        "{}",
        shown.text
    );
    assert!(
        shown.text.contains("Jul 2026") && shown.text.contains("$2,000"),
        "the deal's months: {}",
        shown.text
    );
    let forecast = browser.get("/forecast").await;
    assert_eq!(forecast.status, StatusCode::OK, "{}", forecast.text);
    assert!(
        forecast.text.contains("Hub for Atlantis") && forecast.text.contains("<svg"),
        "{}",
        forecast.text
    );
    let dashboard = browser.get("/").await;
    assert!(dashboard.text.contains("Health scorecard") && dashboard.text.contains("<svg"));
    let csv = browser.get("/deals?format=csv&stage=Closed%20Won").await;
    assert!(csv.text.contains("Hub for Atlantis"), "{}", csv.text);
    let xlsx = browser.get("/forecast/download?format=xlsx").await;
    assert_eq!((xlsx.status, &xlsx.text[..2]), (StatusCode::OK, "PK"));
    let analytics = browser.get("/analytics").await;
    assert!(
        analytics.text.contains("Discovery (1)"),
        "{}",
        analytics.text
    );
    // An edit keeps what the form does not show and records the change.
    let edit = browser.get(&format!("/deals/{id}/edit")).await;
    assert!(edit.text.contains("value=\"24000.00\""), "{}", edit.text);
    let saved = browser
        .post(
            &format!("/deals/{id}"),
            &[
                ("name", "Hub for Atlantis"),
                ("stage", "Closed Won"),
                ("amount", "24000"),
                ("contract_start", "2026-07-01"),
                ("contract_end", "2027-06-30"),
                ("owner", "Ada"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let audit = browser.get("/audit?entity=deal&actor=partnerships").await;
    assert!(audit.text.contains("owner: Ada"), "{}", audit.text);
}

async fn the_crm_export_imports_through_the_page_after_a_dry_run(db: &TestDb) {
    let (app, store) = app_with_users(db).await;
    let mut browser = Browser::new(&app);
    browser.sign_in("partnerships@example.org").await;
    let csv = std::fs::read_to_string(SAMPLE).unwrap();
    let dry = upload(
        &mut browser,
        &app,
        "/imports",
        &[],
        "sample_deals.csv",
        &csv,
    )
    .await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.text);
    assert!(
        dry.text.contains("Dry run of sample_deals.csv") && dry.text.contains("Confirm the import"),
        "{}",
        dry.text
    );
    for column in ["Organization", "Stage", "Amount", "What changes"] {
        assert!(
            dry.text.contains(&format!(">{column}</th>")),
            "{column}: {}",
            dry.text
        );
    }
    assert!(
        dry.text.contains("<td>create</td>") && dry.text.contains("<td class=\"num\">$"),
        "each row's action and amount: {}",
        dry.text
    );
    assert_eq!(
        store.count_deals().await.unwrap(),
        0,
        "a dry run writes nothing"
    );
    let lines = csv.lines().count() - 1;
    let confirmed = browser
        .post(
            "/imports",
            &[
                ("file", "sample_deals.csv"),
                ("content", &csv),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.text
    );
    assert_eq!(store.count_deals().await.unwrap() as usize, lines);
    let done = browser
        .get(confirmed.location.as_deref().expect("back to the imports"))
        .await;
    assert!(
        done.text.contains(&format!(
            "Imported sample_deals.csv: {lines} created, 0 updated, 0 unchanged."
        )),
        "after the import the page says what was done: {}",
        done.text
    );
    let broken = browser
        .post(
            "/imports",
            &[
                ("file", "broken.csv"),
                ("content", "Record ID,Deal Name\n1,\n"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        broken.text.contains("nothing was imported"),
        "{}",
        broken.text
    );
}

async fn sign_in_failures_sign_out_and_password_change(db: &TestDb) {
    let (app, _) = app_with_users(db).await;
    let mut browser = Browser::new(&app);
    let wrong = browser
        .post(
            "/login",
            &[
                ("email", "member@example.org"),
                ("password", "not the password"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.text.contains("wrong email or password"));
    let to_login = browser.get("/deals?stage=Lead").await;
    assert_eq!(
        to_login.location.as_deref(),
        Some("/login?next=/deals%3Fstage%3DLead")
    );
    let signed = browser
        .post(
            "/login",
            &[
                ("email", "member@example.org"),
                ("password", PASSWORD),
                ("next", "/deals?stage=Lead"),
            ],
        )
        .await;
    assert_eq!(signed.location.as_deref(), Some("/deals?stage=Lead"));
    let cookie = signed.cookie.unwrap();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
            && !cookie.contains("Secure"),
        "{cookie}"
    );
    // Members read but may not change deals; the page says why, and their board has no move
    // forms and nothing to drag.
    let board = browser.get("/pipeline").await;
    assert_eq!(board.status, StatusCode::OK);
    assert!(
        !board.text.contains("/move") && !board.text.contains("board.js"),
        "{}",
        board.text
    );
    let refused = browser.get("/deals/new").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.text.contains("edit-crm") && refused.text.contains("partnerships"),
        "{}",
        refused.text
    );
    let changed = browser
        .post(
            "/account/password",
            &[("current", PASSWORD), ("new", "an even longer password")],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.text);
    assert_eq!(
        browser.get("/account").await.status,
        StatusCode::OK,
        "the browser that changed it stays signed in"
    );
    let token = browser.post("/account/tokens", &[("name", "script")]).await;
    assert_eq!(token.status, StatusCode::CREATED);
    assert!(token.text.contains("brg_"));
    let out = browser.post("/logout", &[]).await;
    assert_eq!(out.location.as_deref(), Some("/login"));
    assert_eq!(browser.get("/").await.status, StatusCode::SEE_OTHER);
    // Behind an HTTPS proxy the cookie is Secure.
    let request = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("x-forwarded-proto", "https")
        .body(Body::from(
            "email=admin%40example.org&password=correct+horse+battery",
        ))
        .unwrap();
    assert!(send(&app, request).await.cookie.unwrap().contains("Secure"));
}

async fn the_setup_link_creates_the_first_admin_once(db: &TestDb) {
    let store = db.store().await;
    let app = router(
        AppState::new(store.clone()).with_setup_token("s3cret-token"),
        WebConfig::default(),
    );
    let mut browser = Browser::new(&app);
    assert_eq!(
        browser.get("/setup?token=wrong").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        browser.get("/setup?token=s3cret-token").await.status,
        StatusCode::OK
    );
    let made = browser
        .post(
            "/setup",
            &[
                ("token", "s3cret-token"),
                ("email", "root@example.org"),
                ("name", "Root"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text);
    assert_eq!(browser.get("/users").await.status, StatusCode::OK);
    let again = Browser::new(&app)
        .post(
            "/setup",
            &[
                ("token", "s3cret-token"),
                ("email", "eve@example.org"),
                ("name", ""),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::FORBIDDEN);
    assert_eq!(store.count_users().await.unwrap(), 1);
}

async fn every_page_renders_for_the_demo(db: &TestDb) {
    let (app, store) = app_with_users(db).await;
    let data = bearing_core::demo::generate(bearing_core::demo::DemoSpec {
        seed: 7,
        as_of: bearing_core::parse_date("2026-06-15").unwrap(),
        deals: Some(150),
    });
    bearing_app::demo::load(&store, &ctx(), &data)
        .await
        .unwrap();
    let today = jiff::Zoned::now().date();
    let books = [("books-closed".to_owned(), "2026-05".to_owned())];
    bearing_app::assumptions::set(&store, &ctx(), &books, today)
        .await
        .unwrap();
    let mut browser = Browser::new(&app);
    browser.sign_in("admin@example.org").await;
    bearing_app::deals::create(
        &store,
        &ctx(),
        bearing_core::deal::DealFields::new("No amount yet", "Membership Sales", "Discovery"),
    )
    .await
    .unwrap();
    let board = browser.get("/pipeline").await;
    assert!(
        board.text.contains("<strong>no amount</strong>")
            && !board.text.contains("<strong></strong>")
            && board
                .text
                .contains("needs start, end, amount to count in the forecast"),
        "a card without an amount says so, and what the deal needs to count: {}",
        board.text
    );
    for page in [
        "/",
        "/pipeline",
        "/deals",
        "/deals?sort=-amount&page=2",
        "/deals/1",
        "/deals/1/edit",
        "/organizations",
        "/organizations/1",
        "/contacts",
        "/forecast",
        "/analytics",
        "/usage",
        "/usage/clusters/1",
        "/roles",
        "/people",
        "/team",
        "/assumptions",
        "/imports",
        "/audit",
        "/users",
        "/account",
    ] {
        let reply = browser.get(page).await;
        assert_eq!(reply.status, StatusCode::OK, "{page}: {}", reply.text);
        assert!(
            reply.text.contains("<main id=\"main\">")
                && reply.text.contains("aria-current=\"page\"")
                || page == "/account"
                || page.starts_with("/deals/"),
            "{page}"
        );
    }
    let missing = browser.get("/deals/999999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

async fn the_forecast_says_what_it_needs_before_the_books_are_closed(db: &TestDb) {
    let (app, _) = app_with_users(db).await;
    let mut finance = Browser::new(&app);
    finance.sign_in("finance@example.org").await;
    let page = finance.get("/forecast").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(
        page.text.contains("books-closed is not set yet")
            && page
                .text
                .contains("<a href=\"/assumptions\">Set the assumptions</a>"),
        "{}",
        page.text
    );
    let mut member = Browser::new(&app);
    member.sign_in("member@example.org").await;
    let page = member.get("/forecast").await;
    assert!(
        page.text.contains("Someone with the finance role")
            && !page.text.contains("href=\"/assumptions\""),
        "{}",
        page.text
    );
}

async fn the_usage_pages_show_communities_and_a_cluster_with_its_signals(db: &TestDb) {
    let (app, store) = app_with_users(db).await;
    let mut member = Browser::new(&app);
    member.sign_in("member@example.org").await;
    let empty = member.get("/usage").await;
    assert!(empty.text.contains("No usage yet"), "{}", empty.text);
    // A year and a half of monthly samples, then the last fourteen days daily, on two hubs.
    let today = jiff::Zoned::now().date();
    let mut csv = String::from("date,hub,users,cluster\n");
    for back in 1..=18 {
        let day = today
            .first_of_month()
            .checked_sub(jiff::Span::new().months(back))
            .unwrap();
        csv.push_str(&format!("{day},prod,{},west\n", 20 + back));
    }
    for back in 0..14 {
        let day = today.checked_sub(jiff::Span::new().days(back)).unwrap();
        csv.push_str(&format!("{day},prod,3,west\n{day},staging,4,west\n"));
    }
    bearing_app::usage::import(&store, &ctx(), "u.csv", csv.as_bytes(), false)
        .await
        .unwrap();
    let overview = member.get("/usage").await;
    assert_eq!(overview.status, StatusCode::OK, "{}", overview.text);
    assert!(
        overview.text.contains("Monthly active users per community")
            && overview
                .text
                .contains("<a href=\"/usage/clusters/1\">west</a>")
            && overview.text.contains("(no organization)"),
        "{}",
        overview.text
    );
    let page = member.get("/usage/clusters/1").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    // Daily: 3 + 4 = 7 users on each of the last fourteen days.
    assert!(
        page.text
            .contains("valued: up to 7 active users in the last two weeks"),
        "{}",
        page.text
    );
    // The last three months averaged 22 (21, 22, 23 for months 1–3 back, but the current
    // month is left out), against a higher year before: declining.
    assert!(page.text.contains("declining: "), "{}", page.text);
    assert!(
        !page.text.contains("action=\"/usage/clusters/1\""),
        "members do not edit"
    );
    assert!(page.text.contains("Ahead by trend and season"));

    let mut partner = Browser::new(&app);
    partner.sign_in("partnerships@example.org").await;
    let form = partner.get("/usage/clusters/1").await;
    assert!(
        form.text.contains("action=\"/usage/clusters/1\""),
        "{}",
        form.text
    );
    let bad = partner
        .post(
            "/usage/clusters/1",
            &[
                ("provider", "gcp"),
                ("start", "2026-02-01"),
                ("end", "2026-01-01"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    assert!(
        bad.text
            .contains("The cluster was not changed: end: 2026-01-01 is before the start"),
        "{}",
        bad.text
    );
    assert!(
        bad.text.contains("value=\"gcp\""),
        "what was typed stays: {}",
        bad.text
    );
    assert_eq!(
        bearing_app::usage::find_unit(&store, "west")
            .await
            .unwrap()
            .fields
            .provider,
        None
    );
    let saved = partner
        .post(
            "/usage/clusters/1",
            &[
                ("provider", "gcp"),
                ("dedicated", "shared"),
                ("start", "2025-01-01"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let shown = partner.get("/usage/clusters/1").await;
    assert!(
        shown.text.contains("<dd>gcp</dd>") && shown.text.contains("<dd>shared</dd>"),
        "{}",
        shown.text
    );
    assert!(
        shown.text.contains("provider: gcp"),
        "the history shows the change: {}",
        shown.text
    );
    assert_eq!(
        member.get("/usage/clusters/99").await.status,
        StatusCode::NOT_FOUND
    );
}

async fn pay_is_seen_only_by_finance_admin_and_the_person(db: &TestDb) {
    use bearing_core::people::{AssignmentFields, Band, PersonFields, PersonKind};
    let (app, store) = app_with_users(db).await;
    bearing_app::roles::add(&store, &ctx(), "Engineer", None)
        .await
        .unwrap();
    bearing_app::people::set_bands(
        &store,
        &ctx(),
        &[Band {
            ladder: "Engineer".into(),
            level: 2,
            step: 3,
            annual_base: 10_000_000,
            effective_from: bearing_core::parse_date("2020-01-01").unwrap(),
            note: None,
        }],
    )
    .await
    .unwrap();
    let mut ids = Vec::new();
    for (name, email) in [
        ("Pat Quinn", "pat@example.org"),
        ("Mia Member", "member@example.org"),
    ] {
        let p = bearing_app::people::add_person(
            &store,
            &ctx(),
            PersonFields {
                name: name.into(),
                email: Some(email.into()),
                github: None,
                kind: PersonKind::Employee,
                renewal: None,
            },
        )
        .await
        .unwrap();
        bearing_app::people::assign(
            &store,
            &ctx(),
            p.id,
            AssignmentFields {
                role: "Engineer".into(),
                level: 2,
                step: 3,
                fte: 0.5,
                start: bearing_core::parse_date("2021-01-01").unwrap(),
                end: None,
                monthly_payment: None,
                description: Some("Operates hubs".into()),
                funding: vec![("GRANT-7".into(), 1.0)],
            },
        )
        .await
        .unwrap();
        ids.push(p.id);
    }
    let (pat, mia) = (ids[0], ids[1]);
    // Half of a $100,000 band: $50,000 a year.
    let pay_marks = ["$50,000", "GRANT-7", "Annual pay"];
    for who in ["member", "partnerships"] {
        let mut b = Browser::new(&app);
        b.sign_in(&format!("{who}@example.org")).await;
        let page = b.get(&format!("/people/{pat}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.text.contains("Engineer L2") && page.text.contains("Operates hubs"),
            "titles are public"
        );
        for mark in pay_marks {
            assert!(
                !page.text.contains(mark),
                "{who} sees {mark} of another person"
            );
        }
        for path in ["/people", "/roles"] {
            let list = b.get(path).await;
            assert_eq!(list.status, StatusCode::OK);
            assert!(
                !list.text.contains("$50,000") && !list.text.contains("GRANT-7"),
                "{who} {path}"
            );
        }
        assert_eq!(b.get("/team").await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            b.get("/api/v1/team-cost").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            b.get("/api/v1/history/assignment/1").await.status,
            StatusCode::FORBIDDEN
        );
        let audit = b.get("/audit").await;
        assert!(
            !audit.text.contains("GRANT-7") && !audit.text.contains(">assignment 1<"),
            "{who}: {}",
            audit.text
        );
        assert!(
            audit.text.contains(">person 1<"),
            "other changes stay: {}",
            audit.text
        );
        let api: serde_json::Value =
            serde_json::from_str(&b.get("/api/v1/people").await.text).unwrap();
        let pat_json = api
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "Pat Quinn")
            .unwrap();
        assert_eq!(pat_json["pay_visible"], false);
        assert_eq!(pat_json["assignments"][0]["pay"], serde_json::Value::Null);
        let one: serde_json::Value =
            serde_json::from_str(&b.get(&format!("/api/v1/people/{pat}")).await.text).unwrap();
        assert_eq!(
            one["assignments"][0]["pay"],
            serde_json::Value::Null,
            "{who}: {one}"
        );
        assert_eq!(
            b.get("/assignments/1").await.status,
            StatusCode::FORBIDDEN,
            "{who}: an assignment's page shows its pay"
        );
        assert_eq!(pat_json["assignments"][0]["title"], "Engineer L2");
        assert!(
            !api.to_string().contains("GRANT-7") || who == "member",
            "{who}: {api}"
        );
    }
    // A member sees their own pay, on their page and through the API.
    let mut me = Browser::new(&app);
    me.sign_in("member@example.org").await;
    let own = me.get(&format!("/people/{mia}")).await;
    for mark in pay_marks {
        assert!(
            own.text.contains(mark),
            "own page shows {mark}: {}",
            own.text
        );
    }
    let api: serde_json::Value =
        serde_json::from_str(&me.get("/api/v1/people").await.text).unwrap();
    let mine = api
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Mia Member")
        .unwrap();
    assert_eq!(mine["assignments"][0]["pay"]["annual_pay"], "50000.00");
    // Bands are published: everyone sees them.
    let roles = me.get("/roles").await;
    assert!(
        roles.text.contains("Engineer L2") && roles.text.contains("$100,000"),
        "{}",
        roles.text
    );
    // Finance sees everyone's pay and the team's cost.
    let mut finance = Browser::new(&app);
    finance.sign_in("finance@example.org").await;
    let page = finance.get(&format!("/people/{pat}")).await;
    for mark in pay_marks {
        assert!(page.text.contains(mark), "finance sees {mark}");
    }
    let team = finance
        .get("/team?cost=180000&hours=900&fee=0.15&margin=0")
        .await;
    assert_eq!(team.status, StatusCode::OK, "{}", team.text);
    assert!(
        team.text.contains("The team&#x27;s monthly cost by area")
            || team.text.contains("The team's monthly cost by area")
    );
    // $180,000 ÷ 900 hours × 1.15 = $230 an hour.
    assert!(team.text.contains("$230.00"), "{}", team.text);
    assert!(
        team.text.contains("The team&#39;s monthly cost by area")
            || team.text.contains("The team&#x27;s monthly cost by area")
            || team.text.contains("The team's monthly cost by area"),
        "{}",
        team.text
    );
    assert!(
        team.text.contains("Balancing rule in") && team.text.contains("Delivery capacity (hubs)"),
        "{}",
        team.text
    );
    let bad = finance.get("/team?hours=many").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let cost = finance.get("/api/v1/team-cost?from=2026-01&months=1").await;
    assert_eq!(cost.status, StatusCode::OK, "{}", cost.text);
    // Two half-time engineers on a $100,000 band: 2 × 100,000 × 0.5 ÷ 12 × 1.25 = 10,416.67.
    assert!(cost.text.contains("\"cost\":\"10416.67\""), "{}", cost.text);
    assert_eq!(
        finance.get("/api/v1/history/assignment/1").await.status,
        StatusCode::OK
    );
    let balance = finance.get("/api/v1/balance").await;
    assert_eq!(balance.status, StatusCode::OK, "{}", balance.text);
    assert!(
        balance.text.contains("\"hubs_in_service\":0"),
        "{}",
        balance.text
    );
    let rate = finance
        .get("/api/v1/rate?cost=180000&hours=900&fee=0.15")
        .await;
    assert_eq!(rate.text, "{\"hourly_rate\":\"230.00\"}");
    assert_eq!(
        finance
            .get("/api/v1/rate?cost=1&hours=0&fee=0.1")
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        me.get("/api/v1/balance").await.status,
        StatusCode::FORBIDDEN
    );
}

/// What a page answers to a form that was taken: where it sends the browser.
fn see_other(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text);
    reply.location.clone().unwrap()
}

/// A form refused with `status`, the page saying `says` (as HTML escapes it or not).
fn refused(reply: &Reply, status: StatusCode, says: &str) {
    assert_eq!(reply.status, status, "{}", reply.text);
    assert!(
        reply.text.contains(&says.replace('"', "&quot;"))
            || reply.text.contains(&says.replace('"', "&#34;"))
            || reply.text.contains(says),
        "expected {says:?} in {}",
        reply.text
    );
}

/// Through the pages, as finance: the Engineer role with its bands (125,000 total
/// compensation at L2 step 1, three levels and two steps from 2026-01-01, raised 3% from
/// July 2026) and the Designer role paid on that ladder. Returns the Designer's page.
async fn engineers_and_a_designer_on_their_ladder(b: &mut Browser) -> String {
    see_other(
        &b.post("/roles", &[("name", "Engineer"), ("area", "")])
            .await,
    );
    see_other(
        &b.post(
            "/bands/generate",
            &[
                ("ladder", "Engineer"),
                ("benchmark", "125,000"),
                ("reference_level", "2"),
                ("reference_step", "1"),
                ("levels", "3"),
                ("steps", "2"),
                ("from", "2026-01-01"),
            ],
        )
        .await,
    );
    see_other(
        &b.post("/bands/cola", &[("percent", "3%"), ("from", "2026-07-01")])
            .await,
    );
    let designer = see_other(&b.post("/roles", &[("name", "Designer")]).await);
    see_other(&b.post(&designer, &[("ladder", "Engineer")]).await);
    designer
}

/// An assignment form as Designer L2, half time from March 2026, funded 60/40.
const ASSIGNMENT: [(&str, &str); 9] = [
    ("role", "Designer"),
    ("level", "2"),
    ("step", "1"),
    ("fte", "0.5"),
    ("start", "2026-03-01"),
    ("end", ""),
    ("funding", "G-1=60%, G-2=0.4"),
    ("monthly_payment", ""),
    ("description", "Designs the hubs"),
];

async fn roles_and_bands_are_added_generated_raised_and_set_from_the_pages(db: &TestDb) {
    let (app, _store) = app_with_users(db).await;
    let mut b = Browser::new(&app);
    b.sign_in("finance@example.org").await;
    let engineer = see_other(
        &b.post("/roles", &[("name", "Engineer"), ("area", "")])
            .await,
    );
    assert!(engineer.starts_with("/roles/"), "{engineer}");
    refused(
        &b.post("/roles", &[("name", "Engineer")]).await,
        StatusCode::CONFLICT,
        "The role was not added: there is already a role named",
    );
    // 125,000 total compensation at L2 step 1 is 100,000 base there.
    let generate = [
        ("ladder", "Engineer"),
        ("benchmark", "125,000"),
        ("reference_level", "2"),
        ("reference_step", "1"),
        ("levels", "3"),
        ("steps", "2"),
        ("from", "2026-01-01"),
    ];
    assert_eq!(
        see_other(&b.post("/bands/generate", &generate).await),
        "/roles"
    );
    let mut bad = generate;
    bad[1] = ("benchmark", "lots");
    let page = b.post("/bands/generate", &bad).await;
    refused(
        &page,
        StatusCode::UNPROCESSABLE_ENTITY,
        "The bands were not generated: benchmark:",
    );
    assert!(
        page.text.contains("value=\"lots\""),
        "the form keeps what was typed"
    );
    see_other(
        &b.post("/bands/cola", &[("percent", "3%"), ("from", "2026-07-01")])
            .await,
    );
    refused(
        &b.post("/bands/cola", &[("percent", "300"), ("from", "2026-07-01")])
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "The bands were not adjusted: percent:",
    );
    see_other(
        &b.post(
            "/bands",
            &[
                ("ladder", "Engineer"),
                ("level", "1"),
                ("step", "1"),
                ("annual_base", "90000"),
                ("from", "2099-01-01"),
                ("note", "market"),
            ],
        )
        .await,
    );
    refused(
        &b.post(
            "/bands",
            &[
                ("ladder", "Pilot"),
                ("level", "1"),
                ("step", "1"),
                ("annual_base", "90000"),
            ],
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "The band was not set: ladder: \"Pilot\" is neither a role",
    );
    let roles = b.get("/roles").await;
    assert!(roles.text.contains("$103,000"), "{}", roles.text);
}

async fn a_role_paid_on_another_ladder_shows_whose_bands_it_shares(db: &TestDb) {
    let (app, store) = app_with_users(db).await;
    let mut b = Browser::new(&app);
    b.sign_in("finance@example.org").await;
    let designer = engineers_and_a_designer_on_their_ladder(&mut b).await;
    see_other(
        &b.post(
            &designer,
            &[
                ("ladder", "Engineer"),
                ("key_goal", "Make hubs pleasant."),
                (
                    "notes",
                    "Started as a trial.\r\n---\r\nExperimental; revisit by 2027-03.",
                ),
                ("comparable_titles", "UX Designer\r\nProduct Designer"),
                ("description", "Designs the hubs' pages."),
            ],
        )
        .await,
    );
    let role = b.get(&designer).await;
    for says in [
        "Paid by the ladder",
        "Shares its bands with",
        "2027-03",
        "Product Designer",
        "$103,000",
        "Bands of the ladder, annual base by level and step: Engineer,",
    ] {
        assert!(role.text.contains(says), "{says}: {}", role.text);
    }
    let id: bearing_core::RoleId = designer.trim_start_matches("/roles/").parse().unwrap();
    let stored = store
        .list_roles()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.id == id)
        .unwrap();
    assert_eq!(
        stored.text.notes,
        ["Started as a trial.", "Experimental; revisit by 2027-03."]
    );
    assert_eq!(
        stored.text.comparable_titles,
        ["UX Designer", "Product Designer"]
    );
}

/// Half of 103,000 (the band raised in July), funded 60/40.
async fn people_and_assignments_are_added_checked_and_edited_from_the_pages(db: &TestDb) {
    let (app, store) = app_with_users(db).await;
    let mut b = Browser::new(&app);
    b.sign_in("finance@example.org").await;
    engineers_and_a_designer_on_their_ladder(&mut b).await;
    let person = see_other(
        &b.post(
            "/people",
            &[
                ("name", "Ada"),
                ("kind", "employee"),
                ("email", "ada.l@example.org"),
                ("renewal", "07-01"),
            ],
        )
        .await,
    );
    refused(
        &b.post("/people", &[("name", " "), ("kind", "employee")])
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "The person was not added: name: is required",
    );
    let assign = format!("{person}/assignments");
    let assignment = ASSIGNMENT;
    assert_eq!(see_other(&b.post(&assign, &assignment).await), person);
    let mut off = assignment;
    off[1] = ("level", "9");
    let page = b.post(&assign, &off).await;
    refused(
        &page,
        StatusCode::UNPROCESSABLE_ENTITY,
        "The assignment was not made: level: the ladder \"Engineer\" has no L9",
    );
    assert!(
        page.text.contains("value=\"9\""),
        "the form keeps what was typed"
    );
    off[1] = ("level", "300");
    refused(
        &b.post(&assign, &off).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "The assignment was not made: level: 300 is out of range",
    );
    let mut funding = assignment;
    funding[6] = ("funding", "G-1");
    refused(
        &b.post(&assign, &funding).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "funding: \"G-1\": expected CODE=SHARE",
    );
    let shown = b.get(&person).await;
    // Half of 103,000 (the band raised in July), funded 60/40.
    for says in [
        "Designer L2",
        "$51,500",
        "G-1 60%",
        "G-2 40%",
        "Edit Designer L2",
    ] {
        assert!(shown.text.contains(says), "{says}: {}", shown.text);
    }
    let made = store.list_assignments().await.unwrap().pop().unwrap();
    let edit = format!("/assignments/{}", made.id);
    let page = b.get(&edit).await;
    assert!(
        page.text.contains("value=\"G-1=0.6, G-2=0.4\""),
        "{}",
        page.text
    );
    let mut ended = assignment;
    ended[5] = ("end", "2026-12-31");
    assert_eq!(see_other(&b.post(&edit, &ended).await), person);
    let mut wrong = ended;
    wrong[5] = ("end", "2026-01-31");
    refused(
        &b.post(&edit, &wrong).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "The assignment was not changed: end: 2026-01-31 is before the start",
    );
    let after = store.list_assignments().await.unwrap().pop().unwrap();
    assert_eq!(
        after.fields.end,
        Some(bearing_core::parse_date("2026-12-31").unwrap())
    );
    refused(
        &b.post(&person, &[("name", "Ada Lovelace"), ("kind", "contractor")])
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "cannot become a contractor",
    );
    see_other(
        &b.post(
            &person,
            &[
                ("name", "Ada Lovelace"),
                ("kind", "employee"),
                ("github", "ada"),
            ],
        )
        .await,
    );
    let shown = b.get(&person).await;
    assert!(
        shown.text.contains("<h1>Ada Lovelace</h1>"),
        "{}",
        shown.text
    );
    let history = store
        .list_audit(bearing_core::EntityKind::Assignment, &made.id.to_string())
        .await
        .unwrap();
    assert_eq!(history.len(), 2, "created, then ended");
}

/// Refused while assigned, deleted with the assignment.
async fn a_person_entered_by_mistake_is_deleted_only_once_unassigned(db: &TestDb) {
    let (app, store) = app_with_users(db).await;
    let mut b = Browser::new(&app);
    b.sign_in("finance@example.org").await;
    engineers_and_a_designer_on_their_ladder(&mut b).await;
    let assignment = ASSIGNMENT;
    let typo = see_other(
        &b.post("/people", &[("name", "Typo"), ("kind", "employee")])
            .await,
    );
    assert!(b.get(&typo).await.text.contains("Delete the person"));
    see_other(&b.post(&format!("{typo}/assignments"), &assignment).await);
    let held = b.get(&typo).await;
    assert!(
        !held.text.contains("Delete the person"),
        "not while assigned"
    );
    refused(
        &b.post(&format!("{typo}/delete"), &[]).await,
        StatusCode::CONFLICT,
        "The person was not deleted: ",
    );
    let typo_assignment = store
        .list_assignments()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.person == "Typo")
        .unwrap();
    assert_eq!(
        see_other(
            &b.post(&format!("/assignments/{}/delete", typo_assignment.id), &[])
                .await
        ),
        typo
    );
    assert_eq!(
        see_other(&b.post(&format!("{typo}/delete"), &[]).await),
        "/people"
    );
    assert_eq!(b.get(&typo).await.status, StatusCode::NOT_FOUND);
    assert!(!b.get("/people").await.text.contains("Typo"));
}

async fn those_below_finance_see_no_forms_on_the_roles_and_people_pages(db: &TestDb) {
    let (app, _store) = app_with_users(db).await;
    let mut b = Browser::new(&app);
    b.sign_in("finance@example.org").await;
    let designer = engineers_and_a_designer_on_their_ladder(&mut b).await;
    let person = see_other(
        &b.post("/people", &[("name", "Ada"), ("kind", "employee")])
            .await,
    );
    let mut member = Browser::new(&app);
    member.sign_in("member@example.org").await;
    for path in ["/roles", designer.as_str(), "/people", person.as_str()] {
        let page = member.get(path).await;
        assert!(
            !page.text.contains("method=\"post\" action=\"/roles")
                && !page.text.contains("action=\"/people"),
            "{path}"
        );
    }
}
