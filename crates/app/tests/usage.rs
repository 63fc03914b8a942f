//! Usage samples, their import and the usage reports, on both backends.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use bearing_app::{AppError, Context, usage};
use bearing_core::assumptions::Assumptions;
use bearing_core::{Actor, EntityKind, Month, Source};
use bearing_store::testing::TestDb;

bearing_store::on_both_backends!(
    usage_imports_once_creates_unknown_clusters_and_counts_changes,
    hub_samples_add_up_to_their_cluster_and_reports_price_them,
    a_bad_usage_file_imports_nothing,
    clusters_and_hubs_are_edited_with_an_audit_row_and_checked_references,
    a_pull_that_fails_in_any_way_writes_nothing,
    a_pull_through_a_grafana_proxy_sends_the_token_and_writes_samples,
    the_kept_months_follow_every_write_of_samples,
    a_scheduled_job_runs_once_per_slot_and_its_runs_are_kept,
);

fn ctx() -> Context {
    Context::new(Actor::parse("ada@example.org").unwrap(), Source::Cli)
}

const SAMPLES: &str = "cluster,date,unique_users\nbids,2026-01-03,40\nbids,2026-01-20,55\nbids,2026-02-01,30\nprometheus-infra,2026-01-05,999\n";

async fn usage_imports_once_creates_unknown_clusters_and_counts_changes(db: &TestDb) {
    let store = db.store().await;
    let plan = usage::import(&store, &ctx(), "u.csv", SAMPLES.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!(plan.new_clusters, ["bids", "prometheus-infra"]);
    assert_eq!(
        (
            plan.new_samples,
            plan.changed_samples,
            plan.unchanged_samples
        ),
        (4, 0, 0)
    );
    let again = usage::import(&store, &ctx(), "u.csv", SAMPLES.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!(
        (
            again.new_samples,
            again.changed_samples,
            again.unchanged_samples
        ),
        (0, 0, 4)
    );
    assert!(again.new_clusters.is_empty());
    let before_correction = store.data_version().await.unwrap();
    let corrected = SAMPLES.replace("bids,2026-02-01,30", "bids,2026-02-01,31");
    let plan = usage::import(&store, &ctx(), "u.csv", corrected.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!(
        (
            plan.new_samples,
            plan.changed_samples,
            plan.unchanged_samples
        ),
        (0, 1, 3)
    );
    assert_eq!(store.list_samples().await.unwrap().len(), 4);
    // Each cluster is created once; each import that writes a cluster's samples records it,
    // so that a correction alone moves the data version.
    let audit = store.list_all_audit().await.unwrap();
    let cluster_rows: Vec<_> = audit
        .iter()
        .filter(|a| a.entity == EntityKind::Cluster)
        .map(|a| (a.action, a.after.clone().unwrap_or_default()))
        .collect();
    assert_eq!(cluster_rows.len(), 5, "{cluster_rows:?}");
    assert_eq!(
        cluster_rows
            .iter()
            .filter(|(action, _)| *action == bearing_core::Action::Create)
            .count(),
        2
    );
    assert_eq!(
        cluster_rows[4].1,
        serde_json::json!({ "usage_samples": 1, "first_day": "2026-02-01", "last_day": "2026-02-01" })
    );
    assert!(store.data_version().await.unwrap() > before_correction);
    let dry = usage::import(
        &store,
        &ctx(),
        "u.csv",
        "cluster,date,unique_users\ncal,2026-01-01,3\n".as_bytes(),
        true,
    )
    .await
    .unwrap();
    assert_eq!((dry.new_clusters.len(), dry.new_samples), (1, 1));
    assert_eq!(
        store.list_samples().await.unwrap().len(),
        4,
        "a dry run writes nothing"
    );
}

async fn hub_samples_add_up_to_their_cluster_and_reports_price_them(db: &TestDb) {
    let store = db.store().await;
    usage::import(&store, &ctx(), "u.csv", SAMPLES.as_bytes(), false)
        .await
        .unwrap();
    let hubs = "date,hub,users,cluster\n2026-01-10,prod,200,cal\n2026-01-10,staging,80,cal\n2026-01-11,prod,150,cal\n";
    let plan = usage::import(&store, &ctx(), "h.csv", hubs.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!(plan.new_hubs, ["cal/prod", "cal/staging"]);
    let a = Assumptions::default();
    let mau = usage::monthly_active_users(&store, &a).await.unwrap();
    let jan = Month::parse("2026-01").unwrap();
    assert_eq!(
        mau[&("cal".to_owned(), jan)],
        280,
        "200 + 80 users on the 10th"
    );
    assert_eq!(mau[&("bids".to_owned(), jan)], 55);
    assert!(
        !mau.keys().any(|(c, _)| c.contains("prometheus")),
        "excluded by default"
    );
    // The database computes what the core's rule says, windows included.
    let mut windowed = Assumptions::default();
    windowed
        .set("usage-exclude-windows", "BIDS:2026-01-15:2026-01-31")
        .unwrap();
    for a in [a.clone(), windowed] {
        let samples = usage::daily(&store.list_samples().await.unwrap());
        let expected = bearing_core::usage::monthly_active_users(&samples, &a.exclusions());
        assert_eq!(
            usage::monthly_active_users(&store, &a).await.unwrap(),
            expected
        );
    }
    // Read for chosen clusters only, each cluster priced on its own users, then added up:
    // January cal 280 users ($1,000) and bids 55 ($325); February bids 30 ($200).
    let units = store.list_units().await.unwrap();
    let id_of = |name: &str| match units.iter().find(|u| u.name == name).map(|u| u.id) {
        Some(bearing_store::UnitId::Cluster(id)) => id,
        other => panic!("{name}: {other:?}"),
    };
    let feb = Month::parse("2026-02").unwrap();
    assert_eq!(
        usage::months_of(&store, &a, &[id_of("cal"), id_of("bids")])
            .await
            .unwrap(),
        [(jan, 335, 1325.0), (feb, 30, 200.0)]
    );
    assert_eq!(
        usage::months_of(&store, &a, &[id_of("cal")]).await.unwrap(),
        [(jan, 280, 1000.0)]
    );
    for none in [vec![], vec![id_of("prometheus-infra")]] {
        assert_eq!(usage::months_of(&store, &a, &none).await.unwrap(), []);
    }
    let table = usage::report(&store, &a).await.unwrap();
    let cal = table
        .rows
        .iter()
        .find(|r| r[0].as_deref() == Some("cal"))
        .unwrap();
    assert_eq!(cal[3].as_deref(), Some("1000.00"), "280 users cost $1,000");
    // January: 325 (bids) + 1,000 (cal); February: 200 (bids). The mean before March is 762.5,
    // rounded half to even: 762.
    let revenue = usage::forecast_revenue(&store, &a, Month::parse("2026-03").unwrap(), 3)
        .await
        .unwrap();
    assert_eq!(revenue.mean, 762.0);
    // Less than a year of history: each cluster's last month carries on, bids at 30 users
    // ($200) and cal at 280 ($1,000).
    assert_eq!(revenue.trend_and_season, vec![1_200.0; 3]);
    let by_org = usage::report_by_organization(&store, &a).await.unwrap();
    assert_eq!(by_org.rows[0][0].as_deref(), Some("(no organization)"));
}

async fn a_bad_usage_file_imports_nothing(db: &TestDb) {
    let store = db.store().await;
    let bad = "cluster,date,unique_users\nbids,2026-01-03,40\nbids,2026-01-04,lots\n";
    let err = usage::import(&store, &ctx(), "bad.csv", bad.as_bytes(), false)
        .await
        .unwrap_err();
    let AppError::Import(errors) = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        errors[0].to_string(),
        "bad.csv:3: column unique_users = \"lots\": expected a whole number of users, 0 or more"
    );
    assert!(store.list_samples().await.unwrap().is_empty());
    assert!(
        store.list_units().await.unwrap().is_empty(),
        "no cluster was created"
    );
}

async fn clusters_and_hubs_are_edited_with_an_audit_row_and_checked_references(db: &TestDb) {
    use bearing_core::usage::UnitFields;
    let store = db.store().await;
    let file = "date,hub,users,cluster\n2026-01-03,staging,4,west\n2026-01-03,prod,40,west\n";
    usage::import(&store, &ctx(), "h.csv", file.as_bytes(), false)
        .await
        .unwrap();
    let org = bearing_app::organizations::create(
        &store,
        &ctx(),
        bearing_core::organization::OrganizationFields {
            name: bearing_core::organization::OrganizationName::parse("ucb").unwrap(),
            long_name: None,
            kind: bearing_core::organization::OrganizationKind::Community,
            website: None,
            github_org: None,
            notes: None,
            tags: Vec::new(),
        },
    )
    .await
    .unwrap();
    let cluster = usage::find_unit(&store, "west").await.unwrap();
    let hub = usage::find_unit(&store, "west/prod").await.unwrap();
    assert_eq!(
        hub.cluster_id.map(bearing_store::UnitId::Cluster),
        Some(cluster.id)
    );
    assert!(matches!(
        usage::find_unit(&store, "west/nowhere").await,
        Err(AppError::NotFound(m)) if m.contains("no hub named \"nowhere\"")
    ));
    let fields = UnitFields {
        provider: Some("gcp".into()),
        dedicated: Some(true),
        organization: Some(org.id),
        deal: None,
        start: Some(jiff::civil::date(2025, 7, 1)),
        end: None,
    };
    let edited = usage::update_unit(&store, &ctx(), cluster.id, fields.clone())
        .await
        .unwrap();
    assert_eq!(edited.fields, fields);
    assert_eq!(
        usage::find_unit(&store, "west").await.unwrap().fields,
        fields
    );
    // The same fields again change nothing and write no audit row.
    let before = store.data_version().await.unwrap();
    usage::update_unit(&store, &ctx(), cluster.id, fields.clone())
        .await
        .unwrap();
    assert_eq!(store.data_version().await.unwrap(), before);
    let history = store
        .list_audit(EntityKind::Cluster, &cluster.id.to_string())
        .await
        .unwrap();
    let last = history.last().unwrap();
    assert_eq!(last.after.as_ref().unwrap()["provider"], "gcp");
    // Bad references and dates are refused and change nothing.
    let refused = [
        (
            UnitFields {
                deal: Some(bearing_core::DealId::new(999).unwrap()),
                ..fields.clone()
            },
            "there is no deal 999",
        ),
        (
            UnitFields {
                end: Some(jiff::civil::date(2025, 6, 30)),
                ..fields.clone()
            },
            "2025-06-30 is before the start",
        ),
        (
            UnitFields {
                provider: Some("  ".into()),
                ..fields.clone()
            },
            "blank",
        ),
    ];
    for (bad, message) in refused {
        let error = usage::update_unit(&store, &ctx(), hub.id, bad)
            .await
            .unwrap_err();
        assert!(error.to_string().contains(message), "{error}");
    }
    assert_eq!(usage::find_unit(&store, "west/prod").await.unwrap(), hub);
    assert_eq!(store.data_version().await.unwrap(), before);
    let table = usage::units_table(&store, |_| true).await.unwrap();
    assert_eq!(table.rows.len(), 3);
    let west = table
        .rows
        .iter()
        .find(|r| r[3].as_deref() == Some("west"))
        .unwrap();
    assert_eq!(
        west[4..7],
        [
            Some("gcp".to_owned()),
            Some("dedicated".to_owned()),
            Some("ucb".to_owned())
        ]
    );
}

/// A one-request-at-a-time HTTP server that answers each request with the next of
/// `answers` (status line and body; `None` never answers) and records what it was sent.
async fn scripted_server(
    answers: Vec<Option<(&'static str, String)>>,
) -> (String, tokio::sync::mpsc::UnboundedReceiver<String>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (sent, received) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        for answer in answers {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = Vec::new();
            let mut buffer = [0_u8; 4096];
            // Headers, then as much body as Content-Length says.
            loop {
                let n = socket.read(&mut buffer).await.unwrap();
                request.extend_from_slice(&buffer[..n]);
                let text = String::from_utf8_lossy(&request).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap())
                        })
                        .unwrap_or(0);
                    if request.len() >= end + 4 + length || n == 0 {
                        break;
                    }
                }
            }
            // The test may not listen.
            let _ = sent.send(String::from_utf8_lossy(&request).to_string());
            match answer {
                Some((status, body)) => {
                    let response = format!(
                        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    socket.write_all(response.as_bytes()).await.unwrap();
                }
                None => {
                    tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                }
            }
        }
    });
    (format!("http://{addr}"), received)
}

fn matrix(namespace: &str, values: &str) -> String {
    format!(
        r#"{{"status":"success","data":{{"resultType":"matrix","result":[{{"metric":{{"namespace":"{namespace}"}},"values":[{values}]}}]}}}}"#
    )
}

async fn a_pull_that_fails_in_any_way_writes_nothing(db: &TestDb) {
    use bearing_formats::prometheus::Pull;
    let store = db.store().await;
    let good = matrix("bids", r#"[1767225600,"41"]"#);
    let cases: Vec<(Option<(&'static str, String)>, &str)> = vec![
        (None, "no answer within 1 s"),
        (
            Some(("503 Service Unavailable", "upstream down".to_owned())),
            "HTTP 503: upstream down",
        ),
        (
            Some((
                "400 Bad Request",
                r#"{"status":"error","errorType":"bad_data","error":"1:5: parse error"}"#
                    .to_owned(),
            )),
            "HTTP 400: bad_data: 1:5: parse error",
        ),
        (
            Some(("200 OK", good[..good.len() - 20].to_owned())),
            "not a Prometheus range-query result",
        ),
        (
            Some((
                "200 OK",
                good.replace(
                    r#""status":"success","#,
                    r#""status":"success","warnings":["a store did not answer"],"#,
                ),
            )),
            "may be partial",
        ),
        (
            Some((
                "200 OK",
                matrix("bids", r#"[1767225600,"41"],[1767312000,"NaN"]"#),
            )),
            "not a count of users",
        ),
    ];
    for (answer, message) in cases {
        let (url, _) = scripted_server(vec![answer]).await;
        let mut pull = Pull::new(
            url,
            jiff::civil::date(2026, 1, 1),
            jiff::civil::date(2026, 1, 2),
        );
        pull.timeout = std::time::Duration::from_secs(1);
        let error = usage::pull(&store, &ctx(), &pull, false).await.unwrap_err();
        assert!(matches!(error, AppError::Unavailable(_)), "{error:?}");
        assert!(error.to_string().contains(message), "{message}: {error}");
        assert!(
            error.to_string().ends_with("nothing was written"),
            "{error}"
        );
        assert!(store.list_samples().await.unwrap().is_empty());
        assert!(store.list_units().await.unwrap().is_empty());
    }
    let backwards = Pull::new(
        "http://127.0.0.1:9",
        jiff::civil::date(2026, 1, 2),
        jiff::civil::date(2026, 1, 1),
    );
    assert!(matches!(
        usage::pull(&store, &ctx(), &backwards, false).await,
        Err(AppError::Invalid { .. })
    ));
}

async fn a_pull_through_a_grafana_proxy_sends_the_token_and_writes_samples(db: &TestDb) {
    use bearing_formats::prometheus::Pull;
    let store = db.store().await;
    let answer = matrix("staging", r#"[1767225600,"4"],[1767312000,"6"]"#);
    let (url, mut requests) = scripted_server(vec![Some(("200 OK", answer))]).await;
    let mut pull = Pull::new(
        format!("{url}/api/datasources/proxy/uid/P1809F7CD0C75ACF3"),
        jiff::civil::date(2026, 1, 1),
        jiff::civil::date(2026, 1, 2),
    );
    pull.token = Some("glsa_secret".into());
    pull.cluster = Some("west".into());
    let ctx = Context::new(Actor::parse("usage-pull").unwrap(), Source::Job);
    let plan = usage::pull(&store, &ctx, &pull, false).await.unwrap();
    assert_eq!(
        (
            plan.new_clusters.clone(),
            plan.new_hubs.clone(),
            plan.new_samples
        ),
        (vec!["west".to_owned()], vec!["west/staging".to_owned()], 2)
    );
    let request = requests.recv().await.unwrap();
    assert!(
        request
            .starts_with("POST /api/datasources/proxy/uid/P1809F7CD0C75ACF3/api/v1/query_range "),
        "{request}"
    );
    assert!(
        request
            .to_ascii_lowercase()
            .contains("authorization: bearer glsa_secret"),
        "{request}"
    );
    for part in [
        "query=max+by+%28namespace%29+%28jupyterhub_active_users%7Bperiod%3D%2230d%22%7D%29",
        "start=1767225600",
        "end=1767312000",
        "step=86400s",
    ] {
        assert!(request.contains(part), "{part} in {request}");
    }
    let samples = store.list_samples().await.unwrap();
    let got: Vec<(Option<&str>, String, i64)> = samples
        .iter()
        .map(|s| (s.hub.as_deref(), s.date.to_string(), s.users))
        .collect();
    assert_eq!(
        got,
        vec![
            (Some("staging"), "2026-01-01".to_owned(), 4),
            (Some("staging"), "2026-01-02".to_owned(), 6)
        ]
    );
    let history = store.list_audit(EntityKind::Cluster, "1").await.unwrap();
    assert!(history.iter().all(|h| h.source == Source::Job));
}

#[test]
fn the_largest_communities_stand_apart_and_the_rest_add_up() {
    let (may, jun) = (
        Month::parse("2026-05").unwrap(),
        Month::parse("2026-06").unwrap(),
    );
    // June ranks them: cedar 300, birch 200, alder 100 and elm 100 (ties by key).
    let by_org: std::collections::BTreeMap<(String, Month), (i64, f64)> = [
        (("alder", may), (90, 50.0)),
        (("alder", jun), (100, 60.0)),
        (("birch", jun), (200, 400.0)),
        (("cedar", may), (250, 500.0)),
        (("cedar", jun), (300, 700.0)),
        (("elm", may), (40, 0.0)),
        (("elm", jun), (100, 60.0)),
    ]
    .into_iter()
    .map(|((org, m), v)| ((org.to_owned(), m), v))
    .collect();
    let two = usage::community_usage(&by_org, &[may, jun], 2);
    assert_eq!(
        two.top,
        [
            ("cedar".to_owned(), vec![250.0, 300.0]),
            ("birch".to_owned(), vec![0.0, 200.0])
        ]
    );
    // alder and elm: 90 + 40 in May, 100 + 100 in June.
    assert_eq!(two.rest, Some((2, vec![130.0, 200.0])));
    // June in all: 700 users, $1,220 in fees.
    assert_eq!((two.last_users, two.last_fees), (700, 1220.0));
    let all = usage::community_usage(&by_org, &[may, jun], 10);
    assert_eq!((all.top.len(), all.rest), (4, None));
}

/// The monthly active users the database keeps as samples are written agree with the core's
/// rule on every sample, after each of many random imports (cluster and hub samples, new and
/// changed, over four months), with and without exclusion windows, for all clusters or one.
async fn the_kept_months_follow_every_write_of_samples(db: &TestDb) {
    let store = db.store().await;
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut random = move |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let clusters = ["alpha", "beta", "gamma-hhmi", "delta"];
    let hubs = ["prod", "staging"];
    let start = jiff::civil::date(2026, 1, 1);
    let mut windowed = Assumptions::default();
    windowed
        .set(
            "usage-exclude-windows",
            "ALP:2026-01-10:2026-02-05,ta:2026-03-01:2026-03-31",
        )
        .unwrap();
    for batch in 0..16 {
        let mut own = std::collections::BTreeMap::new();
        let mut by_hub = std::collections::BTreeMap::new();
        for _ in 0..(5 + random(40)) {
            let cluster = clusters[random(4) as usize];
            let day = start
                .checked_add(jiff::Span::new().days(random(120) as i64))
                .unwrap();
            let users = random(500);
            if random(3) == 0 {
                by_hub.insert((cluster, hubs[random(2) as usize], day), users);
            } else {
                own.insert((cluster, day), users);
            }
        }
        let mut file = String::from("cluster,date,unique_users\n");
        for ((cluster, day), users) in &own {
            file.push_str(&format!("{cluster},{day},{users}\n"));
        }
        let mut hub_file = String::from("date,hub,users,cluster\n");
        for ((cluster, hub, day), users) in &by_hub {
            hub_file.push_str(&format!("{day},{cluster}-{hub},{users},{cluster}\n"));
        }
        for (name, text) in [("own.csv", file), ("hubs.csv", hub_file)] {
            usage::import(&store, &ctx(), name, text.as_bytes(), false)
                .await
                .unwrap();
        }
        let samples = usage::daily(&store.list_samples().await.unwrap());
        for a in [Assumptions::default(), windowed.clone()] {
            let expected = bearing_core::usage::monthly_active_users(&samples, &a.exclusions());
            assert_eq!(
                usage::monthly_active_users(&store, &a).await.unwrap(),
                expected,
                "after import {batch}, windows {:?}",
                a.usage_windows
            );
            let units = store.list_units().await.unwrap();
            for unit in &units {
                let bearing_store::UnitId::Cluster(id) = unit.id else {
                    continue;
                };
                let one = store
                    .monthly_active_users(&a.usage_exclusions, &a.usage_windows, Some(&[id]))
                    .await
                    .unwrap();
                let of_one: Vec<(String, String, i64)> = expected
                    .iter()
                    .filter(|((c, _), _)| *c == unit.name)
                    .map(|((c, m), u)| (c.clone(), m.to_string(), *u))
                    .collect();
                assert_eq!(one, of_one, "after import {batch}, {}", unit.name);
            }
        }
    }
}

async fn a_scheduled_job_runs_once_per_slot_and_its_runs_are_kept(db: &TestDb) {
    use bearing_app::jobs::{SlotRun, run_in_slot, runs, slot_of};
    let store = db.store().await;
    let every = jiff::SignedDuration::from_hours(6);
    let slot = slot_of("2026-12-01T13:45:00Z".parse().unwrap(), every).unwrap();
    let first = run_in_slot(&store, &ctx(), "usage pull", slot, "one:1", || async {
        Ok::<_, String>("3 new samples".to_owned())
    })
    .await
    .unwrap();
    assert_eq!(
        first,
        SlotRun::Ran {
            ok: true,
            detail: "3 new samples".into()
        }
    );
    // The second instance wakes in the same slot: its work is not even started.
    let mut started = false;
    let second = run_in_slot(&store, &ctx(), "usage pull", slot, "two:2", || {
        started = true;
        async { Ok::<_, String>(String::new()) }
    })
    .await
    .unwrap();
    assert_eq!((second, started), (SlotRun::Skipped, false));
    // The next slot runs again; a failure is recorded as one.
    let next = slot_of(slot + every, every).unwrap();
    let failed = run_in_slot(&store, &ctx(), "usage pull", next, "two:2", || async {
        Err::<String, _>("the server did not answer".to_owned())
    })
    .await
    .unwrap();
    assert!(matches!(failed, SlotRun::Ran { ok: false, .. }));
    let admin = Context::new(Actor::parse("admin").unwrap(), Source::Cli);
    let kept = runs(&store, &admin, Some(10)).await.unwrap();
    let summary: Vec<(&str, Option<&str>, String)> = kept
        .iter()
        .map(|r| {
            (
                r.instance.as_str(),
                r.outcome.as_deref(),
                r.slot.to_string(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("two:2", Some("failed"), "2026-12-01T18:00:00Z".to_owned()),
            ("one:1", Some("ok"), "2026-12-01T12:00:00Z".to_owned()),
        ]
    );
    // Who may not manage users does not see them.
    let member = Context::user(
        Actor::parse("member@example.org").unwrap(),
        Source::Web,
        bearing_core::UserId::new(7).unwrap(),
        bearing_core::access::Role::Member.permissions(),
    );
    assert!(matches!(
        runs(&store, &member, Some(10)).await,
        Err(AppError::Forbidden(_))
    ));
}
