//! The command line, the JSON API and the pages are three doors to the same services: for the
//! rate calculator, the team's cost and the stage flow they give the same numbers, on the
//! demo organisation.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod support;

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use bearing_app::{Context, accounts};
use bearing_core::access::Role;
use bearing_core::{Actor, Source};
use bearing_store::{DbUrl, OpenMode, Store};
use http_body_util::BodyExt;
use support::bearing;
use tower::ServiceExt;

/// A signed-in admin's view of the database in `dir`: GET `path`, the body as text.
struct Door {
    app: axum::Router,
    token: String,
}

impl Door {
    async fn open(dir: &std::path::Path) -> Door {
        let store = Store::open(&DbUrl::sqlite(dir.join("bearing.db")), OpenMode::Checked)
            .await
            .unwrap();
        let ctx = Context::new(Actor::parse("operator").unwrap(), Source::Cli);
        let admin = accounts::add_user(
            &store,
            &ctx,
            "admin@example.org",
            None,
            Role::Admin,
            "correct horse battery",
        )
        .await
        .unwrap();
        let token = accounts::create_token(&store, &ctx, admin.id, "doors", None)
            .await
            .unwrap();
        Door {
            app: bearing_web::router(
                bearing_web::AppState::new(store),
                bearing_web::WebConfig::default(),
            ),
            token: token.secret.expose().to_owned(),
        }
    }

    async fn get(&self, path: &str) -> String {
        let request = Request::get(path)
            .header(header::HOST, "bearing.test")
            .header(header::AUTHORIZATION, format!("Bearer {}", self.token))
            .body(Body::empty())
            .unwrap();
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        assert_eq!(status, StatusCode::OK, "{path}: {text}");
        text
    }
}

/// The rows of a CSV text, header first.
fn csv(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

/// `$12,345` as the pages write whole dollars.
fn dollars(x: f64) -> String {
    bearing_core::forecast::dollars(x)
}

#[tokio::test]
async fn the_command_line_the_api_and_the_pages_give_the_same_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let demo = bearing(d, &["demo"], &[]);
    assert_eq!(demo.status, 0, "{}", demo.stderr);
    let door = Door::open(d).await;

    // The rate calculator: $180,000 ÷ 900 hours × 1.15 × 1.087 = $250.01 an hour.
    let cli = bearing(
        d,
        &["person", "rate", "--fee", "0.15", "--margin", "0.087"],
        &[],
    );
    assert!(
        cli.stdout.ends_with("= $250.01 an hour\n"),
        "{}",
        cli.stdout
    );
    let api = door.get("/api/v1/rate?fee=0.15&margin=0.087").await;
    assert_eq!(api, r#"{"hourly_rate":"250.01"}"#);
    let page = door.get("/team?fee=0.15&margin=0.087").await;
    assert!(page.contains("$250.01"), "the team page's rate");

    // The team's cost, a year from the same month: the CLI's and the API's lines agree, and
    // the page's table shows each area's month as their sum.
    let first = bearing_core::Month::of(jiff::Zoned::now().date())
        .plus(-12)
        .unwrap()
        .to_string();
    let cli = bearing(
        d,
        &[
            "person", "cost", "--from", &first, "--months", "24", "--format", "csv",
        ],
        &[],
    );
    assert_eq!(cli.status, 0, "{}", cli.stderr);
    let api: Vec<serde_json::Value> = serde_json::from_str(
        &door
            .get(&format!("/api/v1/team-cost?from={first}&months=24"))
            .await,
    )
    .unwrap();
    let rows = csv(&cli.stdout);
    let column = |name: &str| rows[0].iter().position(|c| c == name).unwrap();
    let (month, area, cost) = (column("month"), column("area"), column("cost"));
    assert_eq!(rows.len() - 1, api.len(), "one line each");
    assert!(api.len() > 12, "the demo team costs something every month");
    let mut by_area: BTreeMap<(String, String), f64> = BTreeMap::new();
    for (row, wire) in rows[1..].iter().zip(&api) {
        assert_eq!(wire["month"].as_str().unwrap(), row[month]);
        assert_eq!(wire["area"].as_str().unwrap_or(""), row[area]);
        assert_eq!(wire["cost"].as_str().unwrap(), row[cost]);
        *by_area
            .entry((row[month].clone(), row[area].clone()))
            .or_default() += row[cost].parse::<f64>().unwrap();
    }
    let page = door.get("/team").await;
    for ((month, area), sum) in &by_area {
        assert!(
            page.contains(&dollars(*sum)),
            "the team page lacks {area} in {month}: {}",
            dollars(*sum)
        );
    }

    // The stage flow: the CLI's report, the API's and the analytics page's tables.
    for name in ["stage-moves", "time-in-stage", "conversion"] {
        let cli = bearing(d, &["report", name, "--format", "csv"], &[]);
        assert_eq!(cli.status, 0, "{}", cli.stderr);
        let api = door
            .get(&format!("/api/v1/reports/{name}?format=csv"))
            .await;
        assert_eq!(cli.stdout, api, "{name}");
        assert!(csv(&cli.stdout).len() > 2, "the demo's deals moved: {name}");
    }
    let times = bearing(d, &["report", "time-in-stage", "--format", "csv"], &[]);
    let page = door.get("/analytics").await;
    for row in &csv(&times.stdout)[1..] {
        let stage = match row[4].as_str() {
            "true" => format!("{} (after closing)", row[0]),
            _ => row[0].clone(),
        };
        let cells = format!(
            "<td>{stage}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
            row[1], row[2], row[3]
        );
        assert!(page.contains(&cells), "the analytics page lacks {cells}");
    }
    // Conversion: the same counts, the rates as whole percentages.
    let conversion = bearing(d, &["report", "conversion", "--format", "csv"], &[]);
    let percent = |rate: &str| match rate.parse::<f64>() {
        Ok(share) => format!("{:.0}%", share * 100.0),
        Err(_) => "–".to_owned(),
    };
    let rows = csv(&conversion.stdout);
    assert!(rows.len() > 3, "{}", conversion.stdout);
    for row in &rows[1..rows.len() - 1] {
        let cells = [
            row[1].clone(),
            row[2].clone(),
            percent(&row[3]),
            row[4].clone(),
            row[5].clone(),
            row[6].clone(),
            percent(&row[7]),
        ]
        .map(|cell| format!("<td class=\"num\">{cell}</td>"))
        .concat();
        let cells = format!("<td>{}</td>{cells}", row[0]);
        assert!(page.contains(&cells), "the analytics page lacks {cells}");
    }
}
