//! `bearing usage pull` and the scheduled pull of `bearing serve` against a real Prometheus:
//! Debian's `prometheus` package, its TSDB filled with four months of history from an
//! OpenMetrics file by `promtool tsdb create-blocks-from openmetrics`, served on a loopback
//! port. Bearing must write exactly the samples that were written into the TSDB.
//!
//! Without `prometheus` and `promtool` the tests say they are skipped, unless
//! `BEARING_PROMETHEUS_TESTS=require`, as in CI, makes their absence a failure.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod support;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bearing_core::Date;
use bearing_store::{DbUrl, OpenMode, Store};
use support::{Running, bearing};

const PROMETHEUS: &str = "/usr/bin/prometheus";
const PROMTOOL: &str = "/usr/bin/promtool";
const DAYS: i64 = 120;
const NAMESPACES: [&str; 3] = ["bids", "cal-icor", "ucmerced"];

fn available() -> bool {
    let present = Path::new(PROMETHEUS).exists() && Path::new(PROMTOOL).exists();
    if !present {
        assert!(
            std::env::var("BEARING_PROMETHEUS_TESTS").as_deref() != Ok("require"),
            "BEARING_PROMETHEUS_TESTS=require but {PROMETHEUS} or {PROMTOOL} is missing (Debian package prometheus)"
        );
        eprintln!("skipped: {PROMETHEUS} and {PROMTOOL} (Debian package prometheus) are needed");
    }
    present
}

fn today() -> Date {
    jiff::Zoned::now().date()
}

fn unix(day: Date) -> i64 {
    (day - jiff::civil::date(1970, 1, 1)).get_days() as i64 * 86_400
}

/// The active users of namespace `n` on day `i`: different for every namespace and day.
fn users(n: usize, i: i64) -> i64 {
    (n as i64 + 1) * 10 + (i * 7 + n as i64 * 3) % 23
}

/// A Prometheus serving `DAYS` days of history, up to yesterday; and the samples it holds
/// at each midnight (UTC), by (namespace, day).
struct Server {
    _process: Running,
    url: String,
    expected: BTreeMap<(String, Date), i64>,
}

fn start_prometheus(dir: &Path) -> Server {
    let first = today() - jiff::Span::new().days(DAYS);
    let mut text = String::from(
        "# HELP jupyterhub_active_users Users active in a recent period\n# TYPE jupyterhub_active_users gauge\n",
    );
    let mut expected = BTreeMap::new();
    for (n, namespace) in NAMESPACES.iter().enumerate() {
        for period in ["30d", "7d"] {
            for i in 0..DAYS {
                let day = first + jiff::Span::new().days(i);
                let value = users(n, i);
                // At midnight the 30-day value Bearing must read; at noon another one that
                // no daily query can see; the 7-day series is filtered out by the query.
                let (midnight, noon) = if period == "30d" {
                    expected.insert(((*namespace).to_owned(), day), value);
                    (value, value + 1_000)
                } else {
                    (value / 2 + 500, value / 2 + 600)
                };
                let t = unix(day);
                writeln!(
                    text,
                    "jupyterhub_active_users{{namespace=\"{namespace}\",period=\"{period}\"}} {midnight} {t}"
                )
                .unwrap();
                writeln!(
                    text,
                    "jupyterhub_active_users{{namespace=\"{namespace}\",period=\"{period}\"}} {noon} {}",
                    t + 43_200
                )
                .unwrap();
            }
        }
    }
    text.push_str("# EOF\n");
    let metrics = dir.join("history.om");
    std::fs::write(&metrics, text).unwrap();
    let tsdb = dir.join("tsdb");
    let created = Command::new(PROMTOOL)
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&metrics)
        .arg(&tsdb)
        .output()
        .unwrap();
    assert!(
        created.status.success(),
        "promtool: {}",
        String::from_utf8_lossy(&created.stderr)
    );
    let config = dir.join("prometheus.yml");
    std::fs::write(&config, "global:\n  scrape_interval: 1h\n").unwrap();
    // A free loopback port: taken, noted and given back.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let process = Running(
        Command::new(PROMETHEUS)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", tsdb.display()))
            .arg("--storage.tsdb.retention.time=100y")
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("prometheus.log")).unwrap())
            .spawn()
            .unwrap(),
    );
    let url = format!("http://127.0.0.1:{port}");
    wait_until(Duration::from_secs(60), || ready(port).then_some(())).unwrap_or_else(|| {
        panic!(
            "Prometheus did not become ready: {}",
            std::fs::read_to_string(dir.join("prometheus.log")).unwrap_or_default()
        )
    });
    Server {
        _process: process,
        url,
        expected,
    }
}

/// Whether `/-/ready` answers 200.
fn ready(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let request = format!("GET /-/ready HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200")
}

fn wait_until<T>(limit: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(value) = probe() {
            return Some(value);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    None
}

/// Every sample in the database at `dir/bearing.db`, by (cluster, day).
fn samples(dir: &Path) -> BTreeMap<(String, Date), i64> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = Store::open(&DbUrl::sqlite(dir.join("bearing.db")), OpenMode::Checked)
            .await
            .unwrap();
        let samples = store.list_samples().await.unwrap();
        store.close().await;
        samples
            .into_iter()
            .map(|s| {
                assert_eq!(s.hub, None);
                ((s.cluster, s.date), s.users)
            })
            .collect()
    })
}

#[test]
fn usage_pull_writes_exactly_the_samples_prometheus_holds_and_is_safe_to_repeat() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = start_prometheus(dir.path());
    let from = today() - jiff::Span::new().days(DAYS);
    let to = today() - jiff::Span::new().days(1);
    let (from, to) = (from.to_string(), to.to_string());
    let args = [
        "usage",
        "pull",
        "--prometheus",
        &server.url,
        "--from",
        &from,
        "--to",
        &to,
    ];
    let dry = bearing(dir.path(), &[&args[..], &["--dry-run"]].concat(), &[]);
    assert_eq!(dry.status, 0, "{}", dry.stderr);
    assert!(
        dry.stdout.contains(&format!("{} new samples", DAYS * 3)),
        "{}",
        dry.stdout
    );
    assert!(samples(dir.path()).is_empty(), "a dry run writes nothing");

    let first = bearing(dir.path(), &args, &[]);
    assert_eq!(first.status, 0, "{}", first.stderr);
    assert!(
        first
            .stdout
            .contains("new clusters: bids, cal-icor, ucmerced"),
        "{}",
        first.stdout
    );
    assert_eq!(samples(dir.path()), server.expected);

    // Again: nothing changes.
    let again = bearing(dir.path(), &args, &[]);
    assert_eq!(again.status, 0, "{}", again.stderr);
    assert!(
        again
            .stdout
            .contains(&format!("0 new samples, 0 changed, {} unchanged", DAYS * 3)),
        "{}",
        again.stdout
    );
    assert_eq!(samples(dir.path()), server.expected);

    // A query Prometheus refuses, and a server that is not there, write nothing and say why.
    let bad = bearing(
        dir.path(),
        &[
            &args[..],
            &["--query", "max by (namespace) (", "--map", "bids=elsewhere"],
        ]
        .concat(),
        &[],
    );
    support::assert_one_line_error(&bad, 1, "HTTP 400: bad_data");
    let gone = bearing(
        dir.path(),
        &[
            "usage",
            "pull",
            "--prometheus",
            "http://127.0.0.1:9",
            "--from",
            &from,
            "--to",
            &to,
        ],
        &[],
    );
    support::assert_one_line_error(&gone, 1, "cannot connect");
    assert_eq!(samples(dir.path()), server.expected);

    // Namespaces as hubs of one cluster, one renamed.
    let hubs_dir = tempfile::tempdir().unwrap();
    let hubs = bearing(
        hubs_dir.path(),
        &[&args[..], &["--cluster", "west", "--map", "bids=bids-prod"]].concat(),
        &[],
    );
    assert_eq!(hubs.status, 0, "{}", hubs.stderr);
    assert!(
        hubs.stdout
            .contains("new hubs: west/bids-prod, west/cal-icor, west/ucmerced"),
        "{}",
        hubs.stdout
    );
}

#[test]
fn serve_pulls_the_configured_sources_on_its_schedule() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = start_prometheus(dir.path());
    std::fs::write(
        dir.path().join("bearing.toml"),
        format!(
            "[[prometheus]]\nurl = \"{}\"\ndays = 10\nevery_hours = 24\n[prometheus.names]\nbids = \"bids-hub\"\n",
            server.url
        ),
    )
    .unwrap();
    let migrate = bearing(dir.path(), &["migrate"], &[]);
    assert_eq!(migrate.status, 0, "{}", migrate.stderr);
    let (_serve, _addr) = support::serve(dir.path(), &["serve", "--addr", "127.0.0.1:0"]);
    // The last ten days, today included: today's midnight has no sample within
    // Prometheus's five-minute look-back, so nine days per namespace.
    let first = today() - jiff::Span::new().days(9);
    let expected: BTreeMap<(String, Date), i64> = server
        .expected
        .iter()
        .filter(|((_, day), _)| *day >= first)
        .map(|((ns, day), users)| {
            let name = if ns == "bids" {
                "bids-hub"
            } else {
                ns.as_str()
            };
            ((name.to_owned(), *day), *users)
        })
        .collect();
    assert_eq!(expected.len(), 27);
    let got = wait_until(Duration::from_secs(60), || {
        let got = samples(dir.path());
        (got.len() >= expected.len()).then_some(got)
    })
    .expect("the scheduled pull wrote nothing within a minute");
    assert_eq!(got, expected);
    let history = bearing(dir.path(), &["history", "cluster", "1"], &[]);
    assert!(
        history.stdout.contains("usage-pull") && history.stdout.contains("job"),
        "{}",
        history.stdout
    );
}
