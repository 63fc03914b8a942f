//! The release binary timed end to end, process start to exit, on generated data: a portfolio
//! of deals (10,000, and 100,000 unless `BEARING_BENCH_DEALS` names the sizes) with 418,000
//! usage samples (2,000 clusters, 209 days). Run with `cargo bench -p bearing --bench
//! end_to_end`; each figure is the median of `BEARING_BENCH_RUNS` runs (default 5), and the
//! peak memory of a run is measured where GNU time is installed (`/usr/bin/time`).
//!
//! Targets (README, "Performance"): one report under 100 ms and the six the organisation's
//! pipeline makes under 0.5 s together at 10,000 deals, each under 1 s at 100,000; `deal list`
//! as CSV under 50 ms; importing 10,000 deals under 0.5 s and 400,000 usage samples under 2 s;
//! a report at 100,000 deals under 300 MB.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)] // A benchmark fails loudly and prints its figures.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bearing_core::demo::{DemoSpec, generate};

/// The reports the organisation's own pipeline makes, in its order.
const PIPELINE_REPORTS: [&str; 6] = [
    "projections",
    "deal-months",
    "commitments",
    "revenue-by-type",
    "flags",
    "health",
];

const CLUSTERS: usize = 2_000;
const DAYS: i64 = 209;
const AS_OF: &str = "2026-11-30";

fn main() {
    let sizes: Vec<usize> = std::env::var("BEARING_BENCH_DEALS")
        .unwrap_or_else(|_| "10000,100000".into())
        .split(',')
        .map(|s| {
            s.trim()
                .parse()
                .expect("BEARING_BENCH_DEALS: sizes separated by commas")
        })
        .collect();
    let runs: usize = std::env::var("BEARING_BENCH_RUNS")
        .ok()
        .map(|r| r.parse().expect("BEARING_BENCH_RUNS: a number"))
        .unwrap_or(5);
    let dir = tempfile::tempdir().unwrap();
    let usage = dir.path().join("usage.csv");
    std::fs::write(&usage, usage_csv()).unwrap();
    println!("{:<44} {:>10} {:>10}", "command", "median", "peak RSS");
    for deals in sizes {
        println!("-- {deals} deals, {} usage samples", CLUSTERS as i64 * DAYS);
        let db = dir.path().join(format!("bench-{deals}.db"));
        bearing(
            &db,
            &["demo", "--deals", &deals.to_string(), "--as-of", AS_OF],
        );
        let import = time(runs.min(3), || {
            let fresh = dir.path().join("usage-import.db");
            std::fs::copy(&db, &fresh).unwrap();
            let start = Instant::now();
            bearing(&fresh, &["import", "usage", usage.to_str().unwrap()]);
            let took = start.elapsed();
            remove_db(&fresh);
            took
        });
        show("import usage (418,000 samples)", import, None);
        bearing(&db, &["import", "usage", usage.to_str().unwrap()]);

        let crm = dir.path().join(format!("crm-{deals}.csv"));
        std::fs::write(&crm, crm_export(deals)).unwrap();
        let import = time(runs.min(3), || {
            let fresh = dir.path().join("deal-import.db");
            bearing(&fresh, &["migrate"]);
            let start = Instant::now();
            bearing(&fresh, &["import", "deals", crm.to_str().unwrap()]);
            let took = start.elapsed();
            remove_db(&fresh);
            took
        });
        show(&format!("import deals ({deals})"), import, None);

        let mut all = Duration::ZERO;
        for report in PIPELINE_REPORTS {
            let args = ["report", report];
            let median = time(runs, || timed(&db, &args));
            all += median;
            show(&format!("report {report}"), median, peak(&db, &args));
        }
        show("the six reports together", all, None);
        for report in ["usage", "usage-by-organization", "conversion"] {
            let args = ["report", report];
            show(
                &format!("report {report}"),
                time(runs, || timed(&db, &args)),
                peak(&db, &args),
            );
        }
        let args = ["deal", "list", "--format", "csv"];
        show(
            "deal list --format csv",
            time(runs, || timed(&db, &args)),
            peak(&db, &args),
        );
        remove_db(&db);
    }
}

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_bearing"))
}

/// Runs the binary on `db`, its output thrown away; panics when it fails.
fn bearing(db: &Path, args: &[&str]) {
    let status = Command::new(binary())
        .args(args)
        .arg("--db")
        .arg(db)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .status()
        .unwrap();
    assert!(status.success(), "bearing {args:?} failed");
}

/// How long one run of the binary takes, start to exit.
fn timed(db: &Path, args: &[&str]) -> Duration {
    let start = Instant::now();
    bearing(db, args);
    start.elapsed()
}

/// The median of `runs` measurements, after one run to warm the file cache.
fn time(runs: usize, mut measure: impl FnMut() -> Duration) -> Duration {
    measure();
    let mut taken: Vec<Duration> = (0..runs.max(1)).map(|_| measure()).collect();
    taken.sort();
    taken[taken.len() / 2]
}

/// The peak resident memory of one run in MB, when GNU time can tell.
fn peak(db: &Path, args: &[&str]) -> Option<f64> {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        return None;
    }
    let out = Command::new(time)
        .args(["-f", "%M"])
        .arg(binary())
        .args(args)
        .arg("--db")
        .arg(db)
        .stdout(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stderr);
    let kb: f64 = text.lines().last()?.trim().parse().ok()?;
    Some(kb / 1024.0)
}

fn show(what: &str, median: Duration, peak: Option<f64>) {
    let ms = median.as_secs_f64() * 1000.0;
    let peak = peak.map_or_else(String::new, |mb| format!("{mb:.0} MB"));
    println!("{what:<44} {ms:>7.0} ms {peak:>10}");
}

fn remove_db(db: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

/// A CRM export of `deals` generated deals, as the CRM writes it.
fn crm_export(deals: usize) -> Vec<u8> {
    let data = generate(DemoSpec {
        seed: 11,
        as_of: AS_OF.parse().unwrap(),
        deals: Some(deals),
    });
    let rows: Vec<_> = data
        .deals
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            (
                format!("{}", 90_000_000_000_u64 + i as u64),
                d.fields,
                BTreeMap::new(),
            )
        })
        .collect();
    let mut out = Vec::new();
    bearing_formats::crm::write_deals(&mut out, &rows).unwrap();
    out
}

/// Daily samples of `CLUSTERS` clusters over `DAYS` days, in the per-cluster layout.
fn usage_csv() -> String {
    let mut out = String::from("cluster,date,unique_users\n");
    let start = jiff::civil::date(2026, 4, 1);
    for c in 0..CLUSTERS {
        for d in 0..DAYS {
            let day = start.checked_add(jiff::Span::new().days(d)).unwrap();
            out.push_str(&format!(
                "cluster-{c:04},{day},{}\n",
                (c * 7 + d as usize * 3) % 900
            ));
        }
    }
    out
}
