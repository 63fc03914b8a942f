//! The JSON API, in process: every route, its OpenAPI document, and the errors.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use bearing_app::{Context, accounts};
use bearing_core::access::Role;
use bearing_core::{Actor, Source};
use bearing_store::testing::TestDb;
use bearing_web::{AppState, WebConfig, router};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

bearing_store::on_both_backends!(
    a_deal_is_created_moved_closed_renewed_deleted_and_restored,
    the_crm_export_imports_through_the_api,
    clusters_and_hubs_are_listed_shown_and_edited,
    roles_are_added_and_edited_through_the_api,
    bands_are_generated_set_and_raised_through_the_api,
    people_and_assignments_are_added_checked_and_replaced_through_the_api,
    a_person_is_deleted_only_without_assignments_and_both_come_back,
    the_team_cost_splits_each_assignment_by_grant,
    lists_come_in_pages_that_follow_their_cursor,
    the_books_are_imported_mapped_and_closed_through_the_api,
    a_won_deal_is_billed_through_the_api,
    the_sponsors_ledger_is_imported_and_reconciled_through_the_api,
    cloud_costs_are_imported_mapped_decided_and_recovered_through_the_api,
);

async fn cloud_costs_are_imported_mapped_decided_and_recovered_through_the_api(db: &TestDb) {
    let app = App::new(db).await;
    let store = db.store().await;
    let ctx = Context::new(Actor::parse("operator").unwrap(), Source::Cli);
    let file = "date,hub,users,cluster\n2026-10-31,east,3,pool\n2026-10-31,west,1,pool\n";
    bearing_app::usage::import(&store, &ctx, "u.csv", file.as_bytes(), false)
        .await
        .unwrap();
    let org = app
        .post("/api/v1/organizations", json!({"name": "eastside"}))
        .await
        .json();
    let clusters = app.get("/api/v1/clusters").await.json();
    for unit in clusters["items"].as_array().unwrap() {
        if unit["kind"] == "hub" {
            let put = app
                .send(
                    Method::PUT,
                    &format!("/api/v1/hubs/{}", unit["id"]),
                    Some(json!({"organization_id": org["id"]})),
                )
                .await;
            assert_eq!(put.status, StatusCode::OK, "{}", put.text);
        }
    }
    let mapped = app
        .post(
            "/api/v1/cloud/mappings",
            json!({"kind": "tag", "tag": "team", "value": "pool", "cluster": "pool", "recoverable": true}),
        )
        .await;
    assert_eq!(mapped.status, StatusCode::CREATED, "{}", mapped.text);
    let id = mapped.json()[0]["id"].as_i64().unwrap();
    assert_eq!(mapped.json()[0]["tag"], "team");
    let twice = app
        .post(
            "/api/v1/cloud/mappings",
            json!({"kind": "tag", "tag": "team", "value": "pool", "cluster": "pool", "recoverable": false}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.text);
    let nowhere = app
        .post(
            "/api/v1/cloud/mappings",
            json!({"kind": "account", "value": "x", "cluster": "atlantis", "recoverable": true}),
        )
        .await;
    assert_eq!(
        nowhere.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        nowhere.text
    );
    // The bill names its columns otherwise: a mapping says which is which.
    let bill = "Start,Account,Cost,Tags\n\
                2026-07-01,A-1,10,\"{\"\"team\"\":\"\"pool\"\"}\"\n\
                2026-08-01,A-1,10,\"{\"\"team\"\":\"\"pool\"\"}\"\n\
                2026-09-01,A-1,10,\"{\"\"team\"\":\"\"pool\"\"}\"\n\
                2026-10-01,A-1,40.006,\"{\"\"team\"\":\"\"pool\"\"}\"\n"
        .to_owned();
    let path = "/api/v1/imports/cloud-costs?period_start_column=Start&account_column=Account&cost_column=Cost&file=bill.csv";
    let planned = app.csv(&format!("{path}&dry_run=true"), bill.clone()).await;
    assert_eq!(planned.status, StatusCode::OK, "{}", planned.text);
    assert_eq!(planned.json()["months"][3]["totals"][0]["amount"], "40.01");
    assert_eq!(app.get("/api/v1/cloud/costs").await.json()["total"], 0);
    let done = app.csv(path, bill.clone()).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    let again = app.csv(path, bill.clone()).await.json();
    assert_eq!(again["months"][3]["kept"], 1, "{again}");
    // October: $40.01 over its $12.00 threshold by $28.01.
    let costs = app.get("/api/v1/cloud/costs").await.json();
    assert_eq!(costs["total"], 4);
    let october = &costs["items"][0];
    assert_eq!(
        (
            &october["month"],
            &october["cost"],
            &october["threshold"],
            &october["over"]
        ),
        (
            &json!("2026-10"),
            &json!("40.01"),
            &json!("12.00"),
            &json!("28.01")
        ),
        "{october}"
    );
    let bad = app
        .post(
            "/api/v1/cloud/decisions",
            json!({"account": "A-1", "month": "2026-10", "decision": "discount", "reason": "launch"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    let decided = app
        .post(
            "/api/v1/cloud/decisions",
            json!({"account": "A-1", "month": "2026-10", "decision": "discount", "amount": "8.01", "reason": "launch"}),
        )
        .await;
    assert_eq!(decided.status, StatusCode::CREATED, "{}", decided.text);
    assert_eq!(decided.json()["discount"], "8.01");
    assert_eq!(decided.json()["decided_by"], "ada@example.org");
    // Evenly, then: $32.00 after the discount, $16.00 a hub, all eastside's.
    let split = app
        .send(
            Method::PUT,
            "/api/v1/cloud/splits/pool",
            Some(json!({"rule": "even"})),
        )
        .await;
    assert_eq!(split.status, StatusCode::OK, "{}", split.text);
    let wrong = app
        .send(
            Method::PUT,
            "/api/v1/cloud/splits/pool",
            Some(json!({"rule": "fixed east=70, west=20"})),
        )
        .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.text
    );
    let report = app.get("/api/v1/reports/cloud-recovery?format=csv").await;
    assert!(
        report
            .text
            .contains("eastside,2026-10,USD,32.00,0.00,32.00,unrecovered"),
        "{}",
        report.text
    );
    let credit = app
        .post(
            "/api/v1/cloud/credits",
            json!({"organization_id": org["id"], "amount": "64.00", "received_on": "2026-10-01"}),
        )
        .await;
    assert_eq!(credit.status, StatusCode::CREATED, "{}", credit.text);
    assert_eq!(
        (
            &credit.json()[0]["balance"],
            &credit.json()[0]["months_left"]
        ),
        (&json!("32.00"), &json!(1.0))
    );
    assert_eq!(app.get("/api/v1/cloud/credits").await.json()["total"], 1);
    let removed = app
        .send(
            Method::DELETE,
            &format!("/api/v1/cloud/mappings/{id}"),
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.text);
    assert_eq!(removed.json(), json!([]));
    let gone = app
        .send(
            Method::DELETE,
            &format!("/api/v1/cloud/mappings/{id}"),
            None,
        )
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND, "{}", gone.text);
}

async fn the_sponsors_ledger_is_imported_and_reconciled_through_the_api(db: &TestDb) {
    let app = App::new(db).await;
    let org = app
        .post(
            "/api/v1/organizations",
            json!({"name": "lakeshore", "long_name": "Lakeshore College"}),
        )
        .await;
    assert_eq!(org.status, StatusCode::CREATED, "{}", org.text);
    let aliases = format!("/api/v1/organizations/{}/aliases", org.json()["id"]);
    let added = app.post(&aliases, json!({"alias": "LC Foundation"})).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    assert_eq!(added.json(), json!([{"alias": "LC Foundation"}]));
    let twice = app.post(&aliases, json!({"alias": "lc  foundation"})).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.text);
    // The books name their columns otherwise: a mapping says which is which.
    let ledger = "Num,Contact,Date,DueDate,Total,AmountPaid,Status,PaymentDate\n\
                  S-1,lc foundation,2026-10-05,2026-11-04,90.00,40.00,AUTHORISED,2026-10-20\n\
                  S-2,Nobody Known,2026-10-06,2026-11-05,50.00,0,AUTHORISED,\n"
        .to_owned();
    let path = "/api/v1/imports/ledger?number_column=Num&file=books.csv";
    let planned = app
        .csv(&format!("{path}&dry_run=true"), ledger.clone())
        .await;
    assert_eq!(planned.status, StatusCode::OK, "{}", planned.text);
    let planned = planned.json();
    assert_eq!(planned["dry_run"], true);
    assert_eq!(planned["created"], json!(["S-1"]));
    assert_eq!(
        planned["payments"],
        json!([{"number": "S-1", "paid_on": "2026-10-20", "amount": "40.00", "currency": "USD"}])
    );
    assert_eq!(
        planned["unplaced"],
        json!([{"number": "S-2", "contact": "Nobody Known"}])
    );
    assert_eq!(
        app.get("/api/v1/invoices").await.json()["total"],
        0,
        "a dry run writes nothing"
    );
    let done = app.csv(path, ledger.clone()).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    let again = app.csv(path, ledger.clone()).await.json();
    assert_eq!((&again["new"], &again["unchanged"]), (&json!(0), &json!(2)));
    let invoice = app.get("/api/v1/invoices/S-1").await.json();
    assert_eq!(
        (&invoice["status"], &invoice["balance"]),
        (&json!("partially-paid"), &json!("50.00")),
        "{invoice}"
    );
    let report = app.get("/api/v1/reports/reconciliation?format=csv").await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.text);
    assert!(
        report
            .text
            .contains("S-2,Nobody Known,unplaced,,\"issued, $50.00\""),
        "{}",
        report.text
    );
    // One bad row imports nothing and is named by line and column.
    let bad = ledger.replace("50.00,0,AUTHORISED,", "50.00,0,SENT,");
    let refused = app.csv(path, bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = refused.json()["errors"].clone();
    assert_eq!(
        (&errors[0]["line"], &errors[0]["column"]),
        (&json!(3), &json!("Status"))
    );
    let removed = app
        .send(Method::DELETE, &format!("{aliases}/LC%20FOUNDATION"), None)
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.text);
    assert_eq!(app.get(&aliases).await.json(), json!([]));
}

async fn the_books_are_imported_mapped_and_closed_through_the_api(db: &TestDb) {
    let app = App::new(db).await;
    // March 2025 without a date column: $8,000 of usage fees, $5,000 of travel (unmapped).
    let ledger = "Acct,Net\n4223,8000.00\n6500,5000.00\n".to_owned();
    let path = "/api/v1/imports/actuals?month=2025-03&account_column=Acct&file=march.csv";
    let planned = app
        .csv(&format!("{path}&dry_run=true"), ledger.clone())
        .await;
    assert_eq!(planned.status, StatusCode::OK, "{}", planned.text);
    let planned = planned.json();
    assert_eq!(planned["dry_run"], true);
    assert_eq!(planned["months"][0]["added"], 2);
    assert_eq!(planned["months"][0]["revenue"], "8000.00");
    assert_eq!(planned["unmapped"][0]["account"], "6500");
    assert_eq!(
        app.get("/api/v1/accounts?format=csv")
            .await
            .text
            .lines()
            .count(),
        7,
        "a dry run writes nothing: the default chart alone"
    );
    let done = app.csv(path, ledger.clone()).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    let bad = app
        .csv("/api/v1/imports/actuals?month=2025-3", ledger.clone())
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(detail(&bad).contains("2025-3"), "{}", bad.text);
    let accounts = app.get("/api/v1/accounts").await.json();
    assert_eq!(accounts["items"][0]["code"], "6500");
    assert_eq!(accounts["items"][0]["origin"], "unmapped");
    let checklist = app.get("/api/v1/closes/2025-03/checklist").await.json();
    assert!(
        checklist["blocking"][0]
            .as_str()
            .unwrap()
            .contains("accounts without a category: 6500"),
        "{checklist}"
    );
    let mapped = app
        .send(
            Method::PUT,
            "/api/v1/accounts/6500",
            Some(json!({"category": "travel", "name": "Travel"})),
        )
        .await;
    assert_eq!(mapped.status, StatusCode::NO_CONTENT, "{}", mapped.text);
    let wrong = app
        .send(
            Method::PUT,
            "/api/v1/accounts/6500",
            Some(json!({"category": "holidays"})),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let closed = app
        .post(
            "/api/v1/closes",
            json!({"month": "2025-03", "net_assets": 20000}),
        )
        .await;
    assert_eq!(closed.status, StatusCode::CREATED, "{}", closed.text);
    assert_eq!(closed.json()["net_assets"], "20000.00");
    assert_eq!(closed.json()["costs"], "5000.00");
    let again = app
        .post("/api/v1/closes", json!({"month": "2025-03"}))
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(detail(&again).contains("say why"), "{}", again.text);
    let closes = app.get("/api/v1/closes").await.json();
    assert_eq!(closes["total"], 1);
    assert_eq!(closes["items"][0]["month"], "2025-03");
    // A hire asked about, saved and weighed.
    let role = app
        .post("/api/v1/roles", json!({"name": "Platform Engineer"}))
        .await;
    assert_eq!(role.status, StatusCode::CREATED, "{}", role.text);
    let bands = app
        .post(
            "/api/v1/bands",
            json!([{"ladder": "Platform Engineer", "level": 2, "step": 1, "annual_base": "96000", "effective_from": "2020-01-01"}]),
        )
        .await;
    assert_eq!(bands.status, StatusCode::OK, "{}", bands.text);
    let asked = app
        .post(
            "/api/v1/hire",
            json!({"role": "Platform Engineer", "level": 2, "start": "2025-04"}),
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.text);
    let asked = asked.json();
    assert_eq!(asked["monthly_cost"], 10_000.0);
    assert_eq!(
        asked["change"],
        "hire role=Platform Engineer; level=2; step=1; fte=1; start=2025-04"
    );
    let saved = app
        .post(
            "/api/v1/scenarios",
            json!({"name": "Engineer in April", "changes": [asked["change"]]}),
        )
        .await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.text);
    let weighed = app
        .get("/api/v1/scenarios/Engineer%20in%20April/evaluation")
        .await;
    assert_eq!(weighed.status, StatusCode::OK, "{}", weighed.text);
    let weighed = weighed.json();
    assert_eq!(weighed["baseline"]["team_cost"], 0.0);
    assert_eq!(weighed["scenario"]["team_cost"], 10_000.0);
    let bad = app
        .post(
            "/api/v1/scenarios/evaluation",
            json!({"changes": ["promote person=Ada"]}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        detail(&bad).contains("expected hire, depart"),
        "{}",
        bad.text
    );
    let report = app.get("/api/v1/reports/actuals?format=csv").await;
    assert!(
        report.text.contains("2025-03,cost,travel,,5000.00"),
        "{}",
        report.text
    );
}

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/sample_deals.csv"
);

struct App(Router, String);

struct Reply {
    status: StatusCode,
    content_type: String,
    text: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }
}

impl App {
    /// The application, and an API token of an admin to call it with.
    async fn new(db: &TestDb) -> App {
        let store = db.store().await;
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
        let token = accounts::create_token(&store, &ctx, admin.id, "tests", None)
            .await
            .unwrap();
        App(
            router(AppState::new(store), WebConfig::default()),
            format!("Bearer {}", token.secret.expose()),
        )
    }

    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", &self.1);
        let body = match body {
            Some(json) => {
                request = request.header("content-type", "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        self.reply(request.body(body).unwrap()).await
    }

    async fn csv(&self, path: &str, text: String) -> Reply {
        let request = Request::post(path)
            .header("authorization", &self.1)
            .header("content-type", "text/csv")
            .body(Body::from(text))
            .unwrap();
        self.reply(request).await
    }

    async fn reply(&self, request: Request<Body>) -> Reply {
        let response = self.0.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            content_type,
            text: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(body)).await
    }
}

fn detail(reply: &Reply) -> String {
    reply.json()["errors"][0]["detail"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn a_deal_is_created_moved_closed_renewed_deleted_and_restored(db: &TestDb) {
    let app = App::new(db).await;
    let org = app
        .post(
            "/api/v1/organizations",
            json!({"name": "lakeshore", "long_name": "Lakeshore University"}),
        )
        .await;
    assert_eq!(org.status, StatusCode::CREATED, "{}", org.text);
    let created = app
        .post(
            "/api/v1/deals",
            json!({"name": "Lakeshore 2026", "organization": "lakeshore", "stage": "Outreach",
                   "revenue_type": "membership-general", "amount": "15000", "target_start": "2026-07-01",
                   "target_end": "2027-06-30"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let deal = created.json();
    assert_eq!(
        (
            deal["stage"].as_str(),
            deal["amount"].as_str(),
            deal["probability"].as_f64()
        ),
        (Some("Outreach"), Some("15000.00"), Some(0.1))
    );
    let id = deal["id"].as_i64().unwrap();

    let refused = app
        .post(
            &format!("/api/v1/deals/{id}/move"),
            json!({"stage": "Closed Won"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        detail(&refused),
        "stage: moving to Closed Won needs an amount, a contract start and a contract end; missing: contract start, contract end"
    );
    let won = app
        .post(&format!("/api/v1/deals/{id}/move"), json!({"stage": "Closed Won", "contract_start": "2026-07-01", "contract_end": "2027-06-30"}))
        .await;
    assert_eq!(won.status, StatusCode::OK, "{}", won.text);
    let renewal = app
        .post(&format!("/api/v1/deals/{id}/renew"), json!({}))
        .await;
    assert_eq!(renewal.status, StatusCode::CREATED, "{}", renewal.text);
    assert_eq!(renewal.json()["name"], "Lakeshore 2027");
    assert_eq!(renewal.json()["renews"], id);

    let mut replacement = app.get(&format!("/api/v1/deals/{id}")).await.json();
    assert_eq!(replacement["organization"], "lakeshore");
    let put = app
        .send(
            Method::PUT,
            &format!("/api/v1/deals/{id}"),
            Some(json!({"name": "Lakeshore 2026-27", "organization": "lakeshore", "stage": "Closed Won", "amount": "16000",
                        "contract_start": "2026-07-01", "contract_end": "2027-06-30", "owner": "Avery Quinn"})),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    replacement = put.json();
    assert_eq!(
        (
            replacement["amount"].as_str(),
            replacement["owner"].as_str()
        ),
        (Some("16000.00"), Some("Avery Quinn"))
    );

    let history = app.get(&format!("/api/v1/deals/{id}/history")).await.json();
    let stages: Vec<(&Value, &Value)> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["field"] == "stage")
        .map(|h| (&h["old"], &h["new"]))
        .collect();
    assert_eq!(stages.len(), 2);
    assert_eq!(history["items"][0]["source"], "api");
    let csv = app
        .get(&format!("/api/v1/deals/{id}/history?format=csv"))
        .await;
    assert!(csv.content_type.starts_with("text/csv"));
    assert!(
        csv.text.starts_with("deal,at,field,old,new,actor,source\n"),
        "{}",
        csv.text
    );
    let period = app
        .get("/api/v1/deal-history?from=2000-01-01&to=2199-12-31")
        .await
        .json();
    assert!(period["total"].as_u64().unwrap() > history["total"].as_u64().unwrap());

    let deleted = app
        .send(Method::DELETE, &format!("/api/v1/deals/{id}"), None)
        .await;
    assert!(deleted.json()["deleted_at"].is_string());
    assert_eq!(app.get("/api/v1/deals").await.json()["total"], 1);
    assert_eq!(
        app.get("/api/v1/deals?include_deleted=true").await.json()["total"],
        2
    );
    let again = app
        .send(Method::DELETE, &format!("/api/v1/deals/{id}"), None)
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(
        app.post(&format!("/api/v1/deals/{id}/restore"), json!({}))
            .await
            .status,
        StatusCode::OK
    );
    let list = app.get("/api/v1/deals?stage=renewal&format=csv").await;
    assert_eq!(list.text.lines().count(), 2, "{}", list.text);
    let audit = app.get(&format!("/api/v1/history/deal/{id}")).await.json();
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "update", "update", "delete", "restore"]);
    // A long history comes in pages, oldest first; the last page has no cursor.
    let first = app
        .get(&format!("/api/v1/history/deal/{id}?limit=3"))
        .await
        .json();
    assert_eq!(first["total"], 5);
    assert_eq!(first["items"].as_array().unwrap().len(), 3);
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let rest = app
        .get(&format!(
            "/api/v1/history/deal/{id}?limit=3&cursor={cursor}"
        ))
        .await
        .json();
    let rest: Vec<&str> = rest["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(rest, ["delete", "restore"]);
    // As CSV: every change, as people read it beside the stored values.
    let csv = app
        .get(&format!("/api/v1/history/deal/{id}?format=csv"))
        .await;
    assert!(
        csv.text
            .starts_with("id,at,actor,source,action,changes,before,after\n"),
        "{}",
        csv.text
    );
    assert_eq!(csv.text.lines().count(), 6, "{}", csv.text);
}

async fn the_crm_export_imports_through_the_api(db: &TestDb) {
    let app = App::new(db).await;
    let sample = std::fs::read_to_string(SAMPLE).unwrap();
    let dry = app
        .csv(
            "/api/v1/imports/deals?dry_run=true&file=sample_deals.csv",
            sample.clone(),
        )
        .await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.text);
    assert_eq!(dry.json()["created"].as_array().unwrap().len(), 8);
    assert_eq!(app.get("/api/v1/deals").await.json()["total"], 0);
    let real = app
        .csv("/api/v1/imports/deals", sample.clone())
        .await
        .json();
    assert_eq!(real["dry_run"], false);
    let again = app
        .csv("/api/v1/imports/deals", sample.clone())
        .await
        .json();
    assert_eq!(
        (
            again["created"].as_array().unwrap().len(),
            again["unchanged"].as_array().unwrap().len()
        ),
        (0, 8)
    );

    let bad = sample
        .replace("45000.0,2025-08-22", "45000.0,2025-13-22")
        .replace("Membership Sales,Enrichment", "Membership Sales,Qualified");
    let refused = app.csv("/api/v1/imports/deals?file=bad.csv", bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = refused.json()["errors"].clone();
    assert_eq!(errors.as_array().unwrap().len(), 2);
    assert_eq!(errors[0]["line"], 5);
    assert_eq!(errors[0]["column"], "closedate");
    assert_eq!(errors[0]["value"], "2025-13-22");
    assert_eq!(errors[1]["column"], "dealstage");
    assert!(
        errors[1]["detail"]
            .as_str()
            .unwrap()
            .starts_with("bad.csv:9: column dealstage = \"Qualified\"")
    );
}

#[tokio::test]
async fn organizations_contacts_campaigns_and_pipelines_have_their_routes() {
    let db = TestDb::sqlite();
    let app = App::new(&db).await;
    let orgs = app
        .csv(
            "/api/v1/imports/organizations",
            "name,kind,segment\nbids,partner,research\n".into(),
        )
        .await;
    assert_eq!(orgs.json()["created"][0]["key"], "bids");
    let put = app
        .send(
            Method::PUT,
            "/api/v1/organizations/1",
            Some(json!({"name": "bids", "kind": "funder", "website": "https://bids.example.org"})),
        )
        .await;
    assert_eq!(put.json()["kind"], "funder");
    assert_eq!(
        app.get("/api/v1/organizations/1").await.json()["website"],
        "https://bids.example.org"
    );
    assert_eq!(
        app.send(Method::DELETE, "/api/v1/organizations/1", None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/v1/organizations").await.json()["items"],
        json!([])
    );
    assert_eq!(
        app.post("/api/v1/organizations/1/restore", json!({}))
            .await
            .status,
        StatusCode::OK
    );
    assert!(
        app.get("/api/v1/organizations?format=csv")
            .await
            .text
            .starts_with("id,name,long_name,kind")
    );

    let contact = app
        .post("/api/v1/contacts", json!({"name": "Amara Okonjo", "email": "amara@bids.example.org", "organizations": [{"organization": "bids", "label": "billing-contact"}]}))
        .await;
    assert_eq!(contact.status, StatusCode::CREATED, "{}", contact.text);
    let imported = app
        .csv(
            "/api/v1/imports/contacts?dry_run=true",
            "name,email\nAmara Okonjo,amara@bids.example.org\nDev Ivers,dev@bids.example.org\n"
                .into(),
        )
        .await;
    assert_eq!(
        (
            imported.json()["unchanged"].as_array().unwrap().len(),
            imported.json()["created"].as_array().unwrap().len()
        ),
        (1, 1)
    );
    let edit = app.send(Method::PUT, "/api/v1/contacts/1", Some(json!({"name": "Amara Okonjo", "email": "amara@bids.example.org", "strategic": true}))).await;
    assert_eq!(
        (
            edit.json()["strategic"].as_bool(),
            edit.json()["organizations"].as_array().map(Vec::len)
        ),
        (Some(true), Some(0))
    );
    assert_eq!(
        app.get("/api/v1/contacts?organization=bids").await.json()["items"],
        json!([])
    );
    assert_eq!(
        app.get("/api/v1/contacts/1").await.json()["email"],
        "amara@bids.example.org"
    );
    assert_eq!(
        app.send(Method::DELETE, "/api/v1/contacts/1", None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.post("/api/v1/contacts/1/restore", json!({}))
            .await
            .status,
        StatusCode::OK
    );
    let bad_email = app
        .post("/api/v1/contacts", json!({"name": "X", "email": "nope"}))
        .await;
    assert_eq!(
        (bad_email.status, detail(&bad_email).as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "email: expected an address such as ada@example.org"
        )
    );

    let campaign = app
        .post(
            "/api/v1/campaigns",
            json!({"name": "Spring webinar", "cost": "1200", "start_date": "2026-03-01"}),
        )
        .await;
    assert_eq!(campaign.status, StatusCode::CREATED, "{}", campaign.text);
    let edited = app
        .send(
            Method::PUT,
            "/api/v1/campaigns/1",
            Some(json!({"name": "Spring webinar", "cost": "1500.50"})),
        )
        .await;
    assert_eq!(edited.json()["cost"], "1500.50");
    assert_eq!(
        app.send(Method::DELETE, "/api/v1/campaigns/1", None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.post("/api/v1/campaigns/1/restore", json!({}))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(app.get("/api/v1/campaigns").await.json()["total"], 1);

    assert_eq!(
        app.post("/api/v1/pipelines", json!({"name": "Grants"}))
            .await
            .status,
        StatusCode::CREATED
    );
    let stage = app
        .post(
            "/api/v1/pipelines/Grants/stages",
            json!({"name": "Awarded", "default_probability": 1.0, "outcome": "won"}),
        )
        .await;
    assert_eq!(stage.status, StatusCode::CREATED, "{}", stage.text);
    let first = app
        .post(
            "/api/v1/pipelines/Grants/stages",
            json!({"name": "Letter of inquiry", "default_probability": 0.1, "position": 1}),
        )
        .await;
    assert_eq!(first.json()["position"], 1);
    let renamed = app
        .send(
            Method::PATCH,
            "/api/v1/pipelines/Grants/stages/Letter%20of%20inquiry",
            Some(json!({"name": "Inquiry", "forecast_category": "pipeline"})),
        )
        .await;
    assert_eq!(renamed.json()["name"], "Inquiry", "{}", renamed.text);
    assert_eq!(
        app.post("/api/v1/pipelines/Grants/stages/Inquiry/retire", json!({}))
            .await
            .json()["retired"],
        true
    );
    assert_eq!(
        app.post("/api/v1/pipelines/Grants/stages/Inquiry/restore", json!({}))
            .await
            .json()["retired"],
        false
    );
    let stages = app.get("/api/v1/pipelines").await.json();
    assert_eq!(stages["items"].as_array().unwrap().len(), 11);
    let history = app.get("/api/v1/history/organization/1").await.json();
    assert_eq!(history["items"].as_array().unwrap().len(), 4);
    assert_eq!(history["total"], 4);
    assert_eq!(history["next_cursor"], serde_json::Value::Null);
    let unknown = app.get("/api/v1/history/invoices-and-more/1").await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn clusters_and_hubs_are_listed_shown_and_edited(db: &TestDb) {
    let app = App::new(db).await;
    let store = db.store().await;
    let ctx = Context::new(Actor::parse("operator").unwrap(), Source::Cli);
    let file = "date,hub,users,cluster\n2026-01-03,prod,40,west\n";
    bearing_app::usage::import(&store, &ctx, "u.csv", file.as_bytes(), false)
        .await
        .unwrap();
    let list = app.get("/api/v1/clusters").await.json();
    let names: Vec<(&str, &str)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["kind"].as_str().unwrap(), u["name"].as_str().unwrap()))
        .collect();
    assert_eq!(names, [("hub", "prod"), ("cluster", "west")]);
    let cluster = list["items"][1]["id"].as_i64().unwrap();
    let hub = list["items"][0]["id"].as_i64().unwrap();
    assert_eq!(list["items"][0]["cluster_id"].as_i64(), Some(cluster));
    let org = app
        .post("/api/v1/organizations", json!({"name": "ucb"}))
        .await
        .json();
    let put = app
        .send(
            Method::PUT,
            &format!("/api/v1/clusters/{cluster}"),
            Some(json!({"provider": "gcp", "dedicated": false, "organization_id": org["id"], "start": "2025-07-01"})),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    let shown = app.get(&format!("/api/v1/clusters/{cluster}")).await.json();
    assert_eq!(
        (
            &shown["provider"],
            &shown["dedicated"],
            &shown["organization_id"],
            &shown["start"],
            &shown["end"]
        ),
        (
            &json!("gcp"),
            &json!(false),
            &org["id"],
            &json!("2025-07-01"),
            &Value::Null
        )
    );
    let bad = app
        .send(
            Method::PUT,
            &format!("/api/v1/hubs/{hub}"),
            Some(json!({"start": "2026-02-01", "end": "2026-01-01"})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        detail(&bad).starts_with("end: 2026-01-01 is before the start"),
        "{}",
        bad.text
    );
    let unknown_field = app
        .send(
            Method::PUT,
            &format!("/api/v1/hubs/{hub}"),
            Some(json!({"name": "renamed"})),
        )
        .await;
    assert_eq!(
        unknown_field.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unknown_field.text
    );
    assert_eq!(
        app.get(&format!("/api/v1/hubs/{hub}")).await.json()["start"],
        Value::Null
    );
    let hub_put = app
        .send(
            Method::PUT,
            &format!("/api/v1/hubs/{hub}"),
            Some(json!({"dedicated": true})),
        )
        .await;
    assert_eq!(hub_put.json()["dedicated"], true);
    assert_eq!(
        app.get("/api/v1/hubs/999").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/api/v1/hubs/{cluster}9")).await.status,
        StatusCode::NOT_FOUND
    );
    let csv = app.get("/api/v1/clusters?format=csv").await;
    assert!(
        csv.text
            .starts_with("id,kind,cluster,name,provider,dedicated,organization"),
        "{}",
        csv.text
    );
    assert!(
        csv.text
            .contains(",cluster,,west,gcp,shared,ucb,,2025-07-01,"),
        "{}",
        csv.text
    );
    let history = app.get(&format!("/api/v1/history/hub/{hub}")).await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.text);
    assert!(history.text.contains("\"api\""), "{}", history.text);
}

#[tokio::test]
async fn reports_and_assumptions_have_their_routes() {
    let db = TestDb::sqlite();
    let app = App::new(&db).await;
    app.csv(
        "/api/v1/imports/deals",
        std::fs::read_to_string(SAMPLE).unwrap(),
    )
    .await;
    let unset = app.get("/api/v1/reports/health").await;
    assert_eq!(unset.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        detail(&unset).starts_with("books-closed: not set"),
        "{}",
        unset.text
    );
    assert_eq!(app.get("/api/v1/assumptions").await.json()["version"], 0);
    let set = app
        .post(
            "/api/v1/assumptions",
            json!({"set": {"books-closed": "2026-02", "fsp-fee": "0.15", "net-assets": "500000", "monthly-costs": "100000"}, "effective_from": "2026-01-01"}),
        )
        .await;
    assert_eq!(set.status, StatusCode::CREATED, "{}", set.text);
    assert_eq!(set.json()["values"]["books-closed"], "2026-02");
    let bad = app
        .post("/api/v1/assumptions", json!({"set": {"fsp-fee": "lots"}}))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get("/api/v1/assumptions/history")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let health = app.get("/api/v1/reports/health").await.json();
    assert_eq!(
        (
            health["report"].as_str(),
            health["assumptions_version"].as_i64()
        ),
        (Some("health"), Some(1))
    );
    assert_eq!(health["rows"][0]["value"], "5 months");
    let csv = app.get("/api/v1/reports/projections?format=csv").await;
    assert!(csv.text.starts_with("scenario,2026-03"), "{}", csv.text);
    let unknown = app.get("/api/v1/reports/nonsense").await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn bad_requests_say_what_is_wrong_in_the_error_shape() {
    let db = TestDb::sqlite();
    let app = App::new(&db).await;
    let cases = [
        (
            json!({"name": "X", "stage": "Outreach", "amount": "1,000"}),
            "amount: invalid amount \"1,000\": expected a number such as 1234.56",
        ),
        (
            json!({"name": "X", "stage": "Outreach", "probability": 3}),
            "probability: invalid probability \"3\": expected a number from 0 to 1",
        ),
        (
            json!({"name": "X", "stage": "Nowhere"}),
            "stage: no stage \"Nowhere\" in Membership Sales; stages: Enrichment, Outreach, Discovery, Renewal, Proposal, Contract Admin, Closed Won, Closed Lost, Closed Won Complete",
        ),
        (
            json!({"name": "X", "stage": "Outreach", "close_date": "2026-02-30"}),
            "close_date: invalid date \"2026-02-30\": no such calendar date (expected YYYY-MM-DD)",
        ),
    ];
    for (body, expected) in cases {
        let reply = app.post("/api/v1/deals", body).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.text
        );
        assert_eq!(detail(&reply), expected);
    }
    let unknown_field = app
        .post(
            "/api/v1/deals",
            json!({"name": "X", "stage": "Outreach", "colour": "red"}),
        )
        .await;
    assert_eq!(unknown_field.status, StatusCode::UNPROCESSABLE_ENTITY);
    let missing = app.get("/api/v1/deals/42").await;
    assert_eq!(
        (missing.status, detail(&missing).as_str()),
        (StatusCode::NOT_FOUND, "no deal with id 42")
    );
    let zero = app.get("/api/v1/deals/0").await;
    assert_eq!(zero.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/api/v1/deals?closes_from=someday").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.get("/api/v1/deals").await.json()["total"],
        0,
        "nothing was written"
    );
}

#[tokio::test]
async fn the_openapi_document_matches_its_snapshot_and_the_router() {
    let db = TestDb::sqlite();
    let app = App::new(&db).await;
    let reply = app.get("/api/v1/openapi.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    let mut document = reply.json();
    assert!(
        document["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        document["openapi"]
    );
    document["info"]["version"] = json!("(version)");
    assert_eq!(document["info"]["title"], "Bearing", "{}", document["info"]);
    assert_eq!(
        document["tags"].as_array().map(Vec::len),
        Some(14),
        "{}",
        document["tags"]
    );
    insta::with_settings!({ sort_maps => true }, {
        insta::assert_json_snapshot!("openapi", document);
    });

    // Every operation the document describes is routed: none falls through to the
    // not-found handler or is refused as a wrong method.
    let paths = document["paths"].as_object().unwrap();
    assert!(paths.len() >= 20, "{} paths", paths.len());
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let concrete = path
                .replace("{id}", "1")
                .replace("{pipeline}", "Membership%20Sales")
                .replace("{stage}", "Outreach")
                .replace("{kind}", "deal")
                .replace("{name}", "health");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = (method != Method::GET).then(|| json!({}));
            let reply = app.send(method.clone(), &concrete, body).await;
            assert_ne!(
                reply.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {concrete}"
            );
            let fell_through =
                reply.status == StatusCode::NOT_FOUND && detail(&reply).starts_with("no such page");
            assert!(
                !fell_through,
                "{method} {concrete} is in the document but not routed"
            );
        }
    }
}

/// Through the API: the Engineer role with bands from a benchmark (125,000 total compensation
/// at L2 step 1, three levels and two steps from 2026-01-01), raised 3% from July 2026, and
/// the Designer role paid on that ladder.
async fn engineers_and_a_designer(app: &App) {
    let created = |reply: &Reply| assert!(reply.status.is_success(), "{}", reply.text);
    created(&app.post("/api/v1/roles", json!({"name": "Engineer"})).await);
    let designer = app.post("/api/v1/roles", json!({"name": "Designer"})).await;
    created(&designer);
    let id = designer.json()["id"].as_i64().unwrap();
    created(
        &app.send(
            Method::PUT,
            &format!("/api/v1/roles/{id}"),
            Some(json!({"ladder": "Engineer"})),
        )
        .await,
    );
    created(
        &app.post(
            "/api/v1/bands/generate",
            json!({"ladder": "Engineer", "benchmark": 125000, "levels": 3, "steps": 2, "from": "2026-01-01"}),
        )
        .await,
    );
    created(
        &app.post(
            "/api/v1/bands/cola",
            json!({"percent": 3, "from": "2026-07-01"}),
        )
        .await,
    );
}

/// Ada, an employee, as Designer L2 half time from March to December 2026, funded 60/40.
/// Returns her id and her assignment's.
async fn ada_as_a_designer(app: &App) -> (i64, i64) {
    let ada = app
        .post(
            "/api/v1/people",
            json!({"name": "Ada", "kind": "employee", "email": "ada.b@example.org"}),
        )
        .await;
    assert_eq!(ada.status, StatusCode::CREATED, "{}", ada.text);
    let ada = ada.json()["id"].as_i64().unwrap();
    let made = app
        .post(
            &format!("/api/v1/people/{ada}/assignments"),
            json!({"role": "Designer", "level": 2, "fte": 0.5, "start": "2026-03-01", "end": "2026-12-31",
                "funding": [{"grant": "G-1", "share": 0.6}, {"grant": "G-2", "share": 0.4}]}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    (ada, made.json()["id"].as_i64().unwrap())
}

async fn roles_are_added_and_edited_through_the_api(db: &TestDb) {
    let app = App::new(db).await;
    let put = |path: String, body: Value| {
        let app = &app;
        async move { app.send(Method::PUT, &path, Some(body)).await }
    };
    let engineer = app.post("/api/v1/roles", json!({"name": "Engineer"})).await;
    assert_eq!(engineer.status, StatusCode::CREATED, "{}", engineer.text);
    let designer = app
        .post("/api/v1/roles", json!({"name": "Designer"}))
        .await
        .json();
    let twice = app.post("/api/v1/roles", json!({"name": "Designer"})).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    let id = designer["id"].as_i64().unwrap();
    let edited = put(
        format!("/api/v1/roles/{id}"),
        json!({"ladder": "Engineer", "key_goal": "Make hubs pleasant.", "notes": ["An experiment; revisit by 2027-03."]}),
    )
    .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text);
    let shown = app.get(&format!("/api/v1/roles/{id}")).await.json();
    assert_eq!(
        (&shown["ladder"], &shown["key_goal"], &shown["revisit"]),
        (
            &json!("Engineer"),
            &json!("Make hubs pleasant."),
            &json!("2027-03")
        )
    );
    let unknown_area = put(format!("/api/v1/roles/{id}"), json!({"area": "Moon"})).await;
    assert_eq!(unknown_area.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(detail(&unknown_area), "area: there is no area \"Moon\"");
}

async fn bands_are_generated_set_and_raised_through_the_api(db: &TestDb) {
    let app = App::new(db).await;
    let engineer = app.post("/api/v1/roles", json!({"name": "Engineer"})).await;
    assert_eq!(engineer.status, StatusCode::CREATED, "{}", engineer.text);
    // 125,000 total compensation at L2 step 1 is 100,000 base there; a dry run writes nothing.
    let generate = json!({"ladder": "Engineer", "benchmark": 125000, "levels": 3, "steps": 2, "from": "2026-01-01", "dry_run": true});
    let planned = app
        .post("/api/v1/bands/generate", generate.clone())
        .await
        .json();
    assert_eq!(planned.as_array().unwrap().len(), 6);
    assert_eq!(
        app.get("/api/v1/bands?on=2026-06-01").await.json(),
        json!([])
    );
    let mut write = generate;
    write["dry_run"] = json!(false);
    app.post("/api/v1/bands/generate", write).await;
    let bands = app.get("/api/v1/bands?on=2026-06-01").await.json();
    assert_eq!(bands[2]["title"], "Engineer L2");
    assert_eq!(bands[2]["annual_base"], "100000.00");
    let stray = app
        .post(
            "/api/v1/bands",
            json!([{"ladder": "Nope", "level": 1, "step": 1, "annual_base": "90000"}]),
        )
        .await;
    assert_eq!(stray.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        detail(&stray).starts_with("ladder: \"Nope\" is neither a role"),
        "{}",
        stray.text
    );
    let bad_amount = app
        .post(
            "/api/v1/bands",
            json!([{"ladder": "Engineer", "level": 1, "step": 1, "annual_base": "lots"}]),
        )
        .await;
    assert_eq!(bad_amount.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        detail(&bad_amount).starts_with("bands[0]: "),
        "{}",
        bad_amount.text
    );
    let set = app
        .post("/api/v1/bands", json!([{"ladder": "Engineer", "level": 1, "step": 1, "annual_base": "91000", "effective_from": "2026-06-01", "note": "market"}]))
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text);
    let raised = app
        .post(
            "/api/v1/bands/cola",
            json!({"percent": 3, "from": "2026-07-01"}),
        )
        .await
        .json();
    assert_eq!(raised.as_array().unwrap().len(), 6);
    assert_eq!(raised[0]["annual_base"], "93730.00", "91,000 × 1.03");
    assert_eq!(raised[2]["annual_base"], "103000.00");
    assert_eq!(raised[2]["note"], "cost of living +3%");
}

async fn people_and_assignments_are_added_checked_and_replaced_through_the_api(db: &TestDb) {
    let app = App::new(db).await;
    let put = |path: String, body: Value| {
        let app = &app;
        async move { app.send(Method::PUT, &path, Some(body)).await }
    };
    engineers_and_a_designer(&app).await;
    let ada = app
        .post(
            "/api/v1/people",
            json!({"name": "Ada", "kind": "employee", "email": "ada.b@example.org"}),
        )
        .await;
    assert_eq!(ada.status, StatusCode::CREATED, "{}", ada.text);
    let ada = ada.json()["id"].as_i64().unwrap();
    let bad_kind = app
        .post("/api/v1/people", json!({"name": "Bo", "kind": "volunteer"}))
        .await;
    assert_eq!(bad_kind.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(detail(&bad_kind).starts_with("kind: "), "{}", bad_kind.text);
    let assignment = json!({"role": "Designer", "level": 2, "fte": 0.5, "start": "2026-03-01",
        "funding": [{"grant": "G-1", "share": 0.6}, {"grant": "G-2", "share": 0.4}]});
    let made = app
        .post(
            &format!("/api/v1/people/{ada}/assignments"),
            assignment.clone(),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let made = made.json();
    assert_eq!(made["title"], "Designer L2");
    // Paid on the engineers' ladder, raised in July: 103,000, half of it.
    assert_eq!(made["pay"]["annual_base"], "103000.00");
    assert_eq!(made["pay"]["annual_pay"], "51500.00");
    let mut off = assignment.clone();
    off["level"] = json!(5);
    let off = app
        .post(&format!("/api/v1/people/{ada}/assignments"), off)
        .await;
    assert_eq!(off.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        detail(&off),
        "level: the ladder \"Engineer\" has no L5: its levels are L1, L2, L3"
    );
    let nobody = app
        .post("/api/v1/people/9999/assignments", assignment.clone())
        .await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
    let mut no_code = assignment.clone();
    no_code["funding"] = json!([{"grant": " ", "share": 1}]);
    let no_code = app
        .post(&format!("/api/v1/people/{ada}/assignments"), no_code)
        .await;
    assert_eq!(detail(&no_code), "funding: a grant code is empty");
    // A replaced assignment keeps its step and time when the body leaves them out.
    let mut ended = assignment;
    ended.as_object_mut().unwrap().remove("fte");
    ended["end"] = json!("2026-12-31");
    let ended = put(format!("/api/v1/assignments/{}", made["id"]), ended).await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.text);
    assert_eq!(ended.json()["end"], "2026-12-31");
    assert_eq!(ended.json()["pay"]["fte"], 0.5);
    let contractor = put(
        format!("/api/v1/people/{ada}"),
        json!({"name": "Ada Lovelace", "kind": "contractor"}),
    )
    .await;
    assert_eq!(contractor.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        detail(&contractor).contains("a contractor needs a monthly payment"),
        "{}",
        contractor.text
    );
    let renamed = put(
        format!("/api/v1/people/{ada}"),
        json!({"name": "Ada Lovelace", "kind": "employee", "github": "ada"}),
    )
    .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);
    let shown = app.get(&format!("/api/v1/people/{ada}")).await.json();
    assert_eq!(
        (&shown["name"], &shown["github"], &shown["email"]),
        (&json!("Ada Lovelace"), &json!("ada"), &Value::Null)
    );
    assert_eq!(
        app.get("/api/v1/people/9999").await.status,
        StatusCode::NOT_FOUND
    );
}

/// Deleting: Ada holds an assignment; a deleted one is gone from her and can come back.
async fn a_person_is_deleted_only_without_assignments_and_both_come_back(db: &TestDb) {
    let app = App::new(db).await;
    engineers_and_a_designer(&app).await;
    let (ada, assignment_id) = ada_as_a_designer(&app).await;
    let held = app
        .send(Method::DELETE, &format!("/api/v1/people/{ada}"), None)
        .await;
    assert_eq!(held.status, StatusCode::CONFLICT, "{}", held.text);
    let gone = app
        .send(
            Method::DELETE,
            &format!("/api/v1/assignments/{assignment_id}"),
            None,
        )
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT, "{}", gone.text);
    assert_eq!(
        app.get(&format!("/api/v1/people/{ada}")).await.json()["assignments"],
        json!([])
    );
    let back = app
        .post(
            &format!("/api/v1/assignments/{assignment_id}/restore"),
            json!({}),
        )
        .await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.text);
    assert_eq!(back.json()["end"], "2026-12-31");
    let typo = app
        .post(
            "/api/v1/people",
            json!({"name": "Typo", "kind": "contractor"}),
        )
        .await
        .json();
    let typo = typo["id"].as_i64().unwrap();
    let deleted = app
        .send(Method::DELETE, &format!("/api/v1/people/{typo}"), None)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&format!("/api/v1/people/{typo}")).await.status,
        StatusCode::NOT_FOUND
    );
    let restored = app
        .post(&format!("/api/v1/people/{typo}/restore"), json!({}))
        .await;
    assert_eq!(restored.json()["name"], "Typo");
}

/// March: 100,000 × 0.5 ÷ 12 × 1.25 = 5,208.33, 60/40 between the grants.
async fn the_team_cost_splits_each_assignment_by_grant(db: &TestDb) {
    let app = App::new(db).await;
    engineers_and_a_designer(&app).await;
    ada_as_a_designer(&app).await;
    let cost = app
        .get("/api/v1/team-cost?from=2026-03&months=1")
        .await
        .json();
    assert_eq!(
        cost,
        json!([
            {"month": "2026-03", "area": null, "role": "Designer", "grant": "G-1", "cost": "3125.00"},
            {"month": "2026-03", "area": null, "role": "Designer", "grant": "G-2", "cost": "2083.33"}
        ])
    );
}

/// Every deal of a page walk, in the order the pages gave them.
async fn walk(app: &App, query: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut path = format!("/api/v1/deals?limit=3{query}");
    loop {
        let page = app.get(&path).await.json();
        assert_eq!(page["total"], 8, "{path}");
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        ids.extend(items.iter().map(|d| d["id"].as_i64().unwrap()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/deals?limit=3{query}&cursor={cursor}"),
            None => return ids,
        }
    }
}

async fn lists_come_in_pages_that_follow_their_cursor(db: &TestDb) {
    let app = App::new(db).await;
    let sample = std::fs::read_to_string(SAMPLE).unwrap();
    app.csv("/api/v1/imports/deals", sample).await;
    // Three pages of at most three, every deal once, in id order.
    let ids = walk(&app, "").await;
    assert_eq!(ids, (1..=8).collect::<Vec<i64>>());
    // Sorted like the deals table: the largest amounts first.
    let by_amount = walk(&app, "&sort=-amount").await;
    let all = app.get("/api/v1/deals?limit=8").await.json();
    let amount_of = |id: i64| -> f64 {
        let deal = all["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .unwrap();
        deal["amount"].as_str().map_or(0.0, |a| a.parse().unwrap())
    };
    let amounts: Vec<f64> = by_amount.iter().map(|id| amount_of(*id)).collect();
    assert!(amounts.windows(2).all(|w| w[0] >= w[1]), "{amounts:?}");
    assert_eq!(by_amount.len(), 8);
    // A deal on the first page is deleted before the second is read: the second starts after
    // the first page's last deal, skipping none and repeating none.
    let first = app.get("/api/v1/deals?limit=3").await.json();
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    assert_eq!(
        app.send(Method::DELETE, "/api/v1/deals/2", None)
            .await
            .status,
        StatusCode::OK
    );
    let second = app
        .get(&format!("/api/v1/deals?limit=3&cursor={cursor}"))
        .await
        .json();
    let ids: Vec<i64> = second["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [4, 5, 6]);
    assert_eq!(second["total"], 7);
    // The default page holds 100; a limit out of bounds, a cursor no page gave and an
    // unknown order are refused, saying which parameter and why.
    assert_eq!(
        app.get("/api/v1/deals").await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        7
    );
    for (query, says) in [
        ("limit=0", "limit: 0 is not between 1 and 1000"),
        ("limit=1001", "limit: 1001 is not between 1 and 1000"),
        (
            "cursor=abc",
            "cursor: \"abc\" is not a cursor this list gave",
        ),
        (
            "sort=size",
            "sort: no order \"size\"; deals sort by name, organization",
        ),
    ] {
        let reply = app.get(&format!("/api/v1/deals?{query}")).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(detail(&reply).contains(says), "{query}: {}", detail(&reply));
    }
    // The CSV form is the whole list, whatever the limit.
    let csv = app.get("/api/v1/deals?format=csv&limit=2").await;
    assert_eq!(csv.text.lines().count(), 1 + 7);
}

async fn a_won_deal_is_billed_through_the_api(db: &TestDb) {
    let app = App::new(db).await;
    let org = app
        .post("/api/v1/organizations", json!({"name": "lakeshore"}))
        .await;
    assert_eq!(org.status, StatusCode::CREATED, "{}", org.text);
    let created = app
        .post(
            "/api/v1/deals",
            json!({"name": "Lakeshore 2026", "organization": "lakeshore", "stage": "Closed Won",
                   "revenue_type": "membership-general", "amount": "12000", "close_date": "2026-01-01",
                   "contract_start": "2026-01-01", "contract_end": "2026-12-31"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.json()["id"].as_i64().unwrap();
    let path = format!("/api/v1/deals/{id}/billing");
    // A membership is billed yearly in advance unless the deal says otherwise.
    let default = app.get(&path).await;
    assert_eq!(default.status, StatusCode::OK, "{}", default.text);
    let default = default.json();
    assert_eq!(
        (&default["frequency"], &default["timing"], &default["own"]),
        (&json!("yearly"), &json!("advance"), &json!(false))
    );
    assert_eq!(
        default["instalments"],
        json!([{"billable_on": "2026-01-01", "service_from": "2026-01-01", "service_to": "2026-12-31", "amount": "12000.00"}])
    );
    let refused = app
        .send(
            Method::PUT,
            &path,
            Some(json!({"timing": "sideways", "frequency": "monthly"})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(detail(&refused).starts_with("timing: "), "{}", refused.text);
    let set = app
        .send(
            Method::PUT,
            &path,
            Some(json!({"timing": "advance", "frequency": "custom", "milestones": [
                {"on": "2026-02-01", "amount": "5000"}, {"on": "2026-06-01", "amount": "7000.00"}]})),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text);
    let set = set.json();
    assert_eq!(set["own"], json!(true));
    assert_eq!(
        set["milestones"],
        json!([{"on": "2026-02-01", "amount": "5000.00"}, {"on": "2026-06-01", "amount": "7000.00"}])
    );
    // By March one milestone is due: the run proposes it and writes nothing.
    let march = app.get("/api/v1/billing/runs/2026-03").await;
    assert_eq!(march.status, StatusCode::OK, "{}", march.text);
    let march = march.json();
    let first = format!("deal-{id}-2026-02-01");
    assert_eq!(march["proposals"].as_array().unwrap().len(), 1, "{march}");
    assert_eq!(march["proposals"][0]["key"], json!(first));
    assert_eq!(march["proposals"][0]["total"], json!("5000.00"));
    assert_eq!(march["proposals"][0]["organization"], json!("lakeshore"));
    assert_eq!(
        march["totals"],
        json!([{"currency": "USD", "amount": "5000.00"}])
    );
    let bad = app.get("/api/v1/billing/runs/2026-13").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    assert!(detail(&bad).starts_with("month: "), "{}", bad.text);
    // By June both are due; the second alone is made a draft.
    let second = format!("deal-{id}-2026-06-01");
    let made = app
        .post("/api/v1/billing/runs/2026-06", json!({"only": [second]}))
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let made = made.json();
    assert_eq!(made.as_array().unwrap().len(), 1, "{made}");
    assert_eq!(
        (
            &made[0]["status"],
            &made[0]["total"],
            &made[0]["billable_on"],
            &made[0]["deal_id"]
        ),
        (
            &json!("draft"),
            &json!("7000.00"),
            &json!("2026-06-01"),
            &json!(id)
        )
    );
    let june = app.get("/api/v1/billing/runs/2026-06").await.json();
    let keys: Vec<&str> = june["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["key"].as_str())
        .collect();
    assert_eq!(keys, [first.as_str()]);
    // Naming none makes none, and says so.
    let none = app
        .post("/api/v1/billing/runs/2026-06", json!({"only": []}))
        .await;
    assert_eq!(
        none.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        none.text
    );
    assert!(
        detail(&none).starts_with("only: names no invoice"),
        "{}",
        none.text
    );
    // A key the run no longer proposes makes nothing.
    let stale = app
        .post("/api/v1/billing/runs/2026-06", json!({"only": [second]}))
        .await;
    assert_eq!(
        stale.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        stale.text
    );
    assert!(
        detail(&stale).contains("review the run again"),
        "{}",
        stale.text
    );
    let drafts = app.get("/api/v1/invoices?status=draft").await.json();
    assert_eq!(drafts["total"], json!(1), "{drafts}");
    // A draft's lines are replaced until it is issued.
    let lines = format!(
        "/api/v1/invoices/{}/lines",
        drafts["items"][0]["number"].as_str().unwrap()
    );
    let edited = app
        .send(
            Method::PUT,
            &lines,
            Some(
                json!({"lines": [{"description": "Milestone", "unit": "5000"},
                                  {"description": "Setup", "quantity": "2", "unit": "250.50"}]}),
            ),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text);
    assert_eq!(edited.json()["total"], json!("5501.00"), "{}", edited.text);
    let bad = app
        .send(Method::PUT, &lines, Some(json!({"lines": []})))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    assert!(detail(&bad).starts_with("lines: "), "{}", bad.text);
    let issued = app
        .post(&lines.replace("/lines", "/issue"), json!({}))
        .await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.text);
    let kept = app
        .send(
            Method::PUT,
            &lines,
            Some(json!({"lines": [{"description": "Milestone", "unit": "1"}]})),
        )
        .await;
    assert_eq!(kept.status, StatusCode::CONFLICT, "{}", kept.text);
}
