//! The books from the command line: the ledger imported, accounts mapped, months closed and
//! the reports that come of it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod support;

use support::{assert_one_line_error, bearing};

/// January 2025 in another layout: no date column, other column names. $12,000 of
/// membership fees, $9,000 of salaries (account 6000, unmapped at first).
const JANUARY: &str = "\
Code,Memo,Amount,Fund
4221,Membership fees January,12000.00,
6000,Salaries January,9000.00,GR-9
";

#[test]
fn a_month_is_imported_mapped_closed_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("january.csv"), JANUARY).unwrap();
    let mapping = [
        "--column",
        "account=Code",
        "--column",
        "amount=Amount",
        "--column",
        "description=Memo",
        "--column",
        "grant=Fund",
    ];
    let mut args = vec!["import", "actuals", "january.csv", "--month", "2025-01"];
    args.extend(mapping);
    let mut dry = args.clone();
    dry.extend(["--dry-run", "--format", "csv"]);
    let planned = bearing(d, &dry, &[]);
    assert_eq!(planned.status, 0, "{}", planned.stderr);
    assert!(
        planned.stdout.starts_with(
            "month,lines,new,unchanged,removed,revenue,costs,closed\n2025-01,2,2,0,0,12000.00,0.00,no\n"
        ),
        "{}",
        planned.stdout
    );
    assert!(
        planned.stdout.contains("unmapped accounts"),
        "{}",
        planned.stdout
    );
    let done = bearing(d, &args, &[]);
    assert_eq!(done.status, 0, "{}", done.stderr);
    assert!(
        done.stdout
            .contains("imported 2025-01: 2 lines (2 new, 0 unchanged"),
        "{}",
        done.stdout
    );
    // Without --month, an undated file is refused with the line and what to do.
    let mut undated = vec!["import", "actuals", "january.csv"];
    undated.extend(mapping);
    let refused = bearing(d, &undated, &[]);
    assert_eq!(refused.status, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("give the month"),
        "{}",
        refused.stderr
    );

    let accounts = bearing(d, &["actuals", "accounts", "--format", "csv"], &[]);
    assert!(
        accounts
            .stdout
            .lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("6000,,,unmapped,1,9000.00")),
        "the unmapped account comes first: {}",
        accounts.stdout
    );
    let blocked = bearing(d, &["close", "2025-01", "--net-assets", "50000"], &[]);
    assert_one_line_error(&blocked, 1, "accounts without a category: 6000");
    let mapped = bearing(
        d,
        &["actuals", "map", "6000", "personnel", "--name", "Salaries"],
        &[],
    );
    assert_eq!(mapped.status, 0, "{}", mapped.stderr);
    let bad = bearing(d, &["actuals", "map", "6000", "wages"], &[]);
    assert_eq!(bad.status, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("personnel"), "{}", bad.stderr);

    let checklist = bearing(d, &["actuals", "checklist", "2025-01"], &[]);
    assert!(
        checklist.stdout.contains("revenue $12,000, costs $9,000")
            && checklist.stdout.contains("net assets: to be given"),
        "{}",
        checklist.stdout
    );
    // The first close has nothing to roll forward from: the net assets are given.
    let needs = bearing(d, &["close", "2025-01"], &[]);
    assert_one_line_error(&needs, 1, "give the net assets");
    let closed = bearing(d, &["close", "2025-01", "--net-assets", "50000"], &[]);
    assert_eq!(closed.status, 0, "{}", closed.stderr);
    assert!(
        closed.stdout.contains("closed 2025-01: net assets $50,000"),
        "{}",
        closed.stdout
    );
    let shown = bearing(d, &["assumptions", "show"], &[]);
    assert!(
        shown.stdout.contains("books-closed           2025-01"),
        "{}",
        shown.stdout
    );
    let again = bearing(d, &["close", "2025-01"], &[]);
    assert_one_line_error(&again, 1, "say why it is closed again");
    let again = bearing(d, &["close", "2025-01", "--reason", "a late bill"], &[]);
    assert_eq!(again.status, 0, "{}", again.stderr);
    // Closed again from the same opening: $50,000 − 12,000 + 9,000 + 12,000 − 9,000.
    assert!(
        again.stdout.contains("net assets $50,000"),
        "{}",
        again.stdout
    );
    let closes = bearing(d, &["actuals", "closes", "--format", "csv"], &[]);
    assert_eq!(closes.stdout.lines().count(), 3, "{}", closes.stdout);
    assert!(closes.stdout.contains("a late bill"), "{}", closes.stdout);

    let report = bearing(d, &["report", "actuals", "--format", "csv"], &[]);
    assert_eq!(
        report.stdout,
        "month,kind,category,grant_code,amount\n2025-01,cost,personnel,GR-9,9000.00\n2025-01,revenue,membership,,12000.00\n"
    );
    let accuracy = bearing(d, &["report", "forecast-accuracy", "--format", "csv"], &[]);
    assert_eq!(accuracy.status, 0, "{}", accuracy.stderr);
    assert!(
        accuracy
            .stdout
            .contains("2025-01,error of estimated,1,12000,0,0,0,0,-1.0000"),
        "{}",
        accuracy.stdout
    );
    let history = bearing(d, &["history", "close", "2025-01", "--format", "csv"], &[]);
    assert_eq!(history.stdout.lines().count(), 3, "{}", history.stdout);
}

#[test]
fn a_hire_is_asked_about_saved_as_a_scenario_and_weighed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let demo = bearing(d, &["demo", "--as-of", "2026-11-30"], &[]);
    assert_eq!(demo.status, 0, "{}", demo.stderr);
    let asked = bearing(
        d,
        &[
            "hire",
            "--role",
            "Partnerships Lead",
            "--level",
            "2",
            "--start",
            "2027-01",
            "--save",
            "Lead in January",
        ],
        &[],
    );
    assert_eq!(asked.status, 0, "{}", asked.stderr);
    assert!(
        asked
            .stdout
            .contains("Partnerships Lead L2 step 1 at 1 FTE from Jan 2027 costs $")
            && asked.stdout.contains("saved scenario"),
        "{}",
        asked.stdout
    );
    let list = bearing(d, &["scenario", "list", "--format", "csv"], &[]);
    assert!(
        list.stdout.contains(
            "Lead in January,Can we hire?,hire role=Partnerships Lead; level=2; step=1; fte=1; start=2027-01"
        ),
        "{}",
        list.stdout
    );
    let weighed = bearing(
        d,
        &["scenario", "eval", "Lead in January", "--format", "csv"],
        &[],
    );
    assert_eq!(weighed.status, 0, "{}", weighed.stderr);
    let rows: Vec<&str> = weighed.stdout.lines().collect();
    assert_eq!(rows[0], "measure,baseline,scenario,change");
    assert!(
        rows.iter().any(|r| r.starts_with("Runway P50,")),
        "{}",
        weighed.stdout
    );
    let bad = bearing(
        d,
        &[
            "scenario",
            "eval",
            "--change",
            "hire role=Lead; start=2027-01",
        ],
        &[],
    );
    assert_eq!(bad.status, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("level= is missing"), "{}", bad.stderr);
    let unknown = bearing(d, &["scenario", "show", "Nope"], &[]);
    assert_one_line_error(&unknown, 1, "no scenario \"Nope\"");
}
