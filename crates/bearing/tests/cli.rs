//! The real binary, run as a user would: exit statuses, one-line errors, configuration,
//! backups and the audit log.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use bearing_core::EntityKind;
use bearing_store::testing::TestDb;
use bearing_store::{DbUrl, OpenMode, Store};

mod support;

use support::{Run, assert_one_line_error, bearing};

#[test]
fn help_and_version_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let help = bearing(dir.path(), &["--help"], &[]);
    assert_eq!(help.status, 0);
    for command in [
        "migrate", "serve", "demo", "history", "backup", "restore", "config",
    ] {
        assert!(help.stdout.contains(command), "help lists {command}");
    }
    let version = bearing(dir.path(), &["--version"], &[]);
    assert_eq!(
        (version.status, version.stdout.trim()),
        (0, concat!("bearing ", env!("CARGO_PKG_VERSION")))
    );
    let bare = bearing(dir.path(), &[], &[]);
    assert_eq!(bare.status, 2, "no command is a usage error");
}

#[test]
fn a_command_line_that_cannot_be_understood_is_one_line_and_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 8] = [
        (&["bogus"], "unrecognized subcommand 'bogus'"),
        (
            &["history", "receipt", "1"],
            "expected one of organization, deal",
        ),
        (&["history", "deal"], "required arguments were not provided"),
        (
            &["history", "deal", "1", "--format", "xml"],
            "expected table, csv, json or xlsx",
        ),
        (&["demo", "--deals", "0"], "--deals"),
        (&["demo", "--as-of", "2026-02-30"], "--as-of"),
        (&["serve", "--addr", "localhost"], "--addr"),
        (&["--log-format", "xml", "config"], "--log-format"),
    ];
    for (args, needle) in cases {
        let run = bearing(dir.path(), args, &[]);
        assert_one_line_error(&run, 2, needle);
    }
    assert!(
        !dir.path().join("bearing.db").exists(),
        "nothing was created"
    );
}

#[test]
fn failures_are_one_line_and_status_1() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert_one_line_error(
        &bearing(d, &["history", "deal", "1"], &[]),
        1,
        "no history for deal 1",
    );
    assert_one_line_error(
        &bearing(d, &["restore", "missing.db"], &[]),
        1,
        "no such backup file",
    );
    std::fs::write(d.join("junk.db"), "not a database").unwrap();
    assert_one_line_error(
        &bearing(d, &["--db", "other.db", "restore", "junk.db"], &[]),
        1,
        "not a usable Bearing backup",
    );
    assert_one_line_error(
        &bearing(d, &["--db", "mysql://x/y", "config"], &[]),
        2,
        "unknown scheme",
    );
    assert_one_line_error(
        &bearing(d, &["--db", "junk.db", "migrate"], &[]),
        1,
        "junk.db: error returned from database: (code: 26) file is not a database",
    );
    assert_one_line_error(
        &bearing(d, &["--log", "[", "config"], &[]),
        2,
        "invalid log filter",
    );
}

#[test]
fn migrate_reports_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let status = bearing(dir.path(), &["migrate", "--status"], &[]);
    assert_eq!(status.status, 0);
    assert!(
        status.stdout.contains("pending: run `bearing migrate`"),
        "{}",
        status.stdout
    );
    let first = bearing(dir.path(), &["migrate"], &[]);
    let migrations = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../store/migrations/sqlite"
    ))
    .unwrap()
    .count();
    let applied = format!("applied {migrations} migration(s); schema version {migrations}");
    assert!(first.stdout.contains(&applied), "{}", first.stdout);
    let second = bearing(dir.path(), &["migrate"], &[]);
    assert!(
        second.stdout.contains("already current"),
        "{}",
        second.stdout
    );
}

#[test]
fn configuration_prefers_flags_then_environment_then_file_then_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("bearing.toml"),
        "db = \"postgres://ada:hunter2@db.example.org/bearing\"\naddr = \"127.0.0.1:9000\"\nlog = \"debug\"\n",
    )
    .unwrap();
    let from_file = bearing(d, &["config"], &[]);
    assert_eq!(from_file.status, 0, "{}", from_file.stderr);
    let line = |run: &Run, key: &str| -> String {
        run.stdout
            .lines()
            .find(|l| l.starts_with(&format!("{key} ")))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(line(&from_file, "db").contains("postgres://ada:***@db.example.org/bearing"));
    assert!(line(&from_file, "db").ends_with("file bearing.toml"));
    assert!(
        !from_file.stdout.contains("hunter2"),
        "secrets are redacted"
    );
    assert!(line(&from_file, "addr").contains("127.0.0.1:9000"));
    assert!(line(&from_file, "log_format").ends_with("default"));

    let env = [("BEARING_ADDR", "127.0.0.1:9100"), ("BEARING_DB", "env.db")];
    let from_env = bearing(d, &["config"], &env);
    assert!(
        line(&from_env, "addr").contains("127.0.0.1:9100")
            && line(&from_env, "addr").ends_with("env BEARING_ADDR")
    );
    assert!(line(&from_env, "db").ends_with("env BEARING_DB"));

    let from_flag = bearing(d, &["--db", "flag.db", "config"], &env);
    assert!(
        line(&from_flag, "db").contains("sqlite://flag.db")
            && line(&from_flag, "db").ends_with("flag")
    );

    std::fs::write(
        d.join("typo.toml"),
        "db = \"x.db\"\nadress = \"127.0.0.1:1\"\n",
    )
    .unwrap();
    let typo = bearing(d, &["--config", "typo.toml", "config"], &[]);
    assert_one_line_error(&typo, 2, "typo.toml, line 2: unknown field `adress`");
    let missing = bearing(d, &["--config", "nope.toml", "config"], &[]);
    assert_one_line_error(&missing, 2, "cannot read the configuration file nope.toml");
}

#[test]
fn demo_then_history_shows_who_created_what() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let demo = bearing(d, &["demo", "--seed", "4", "--as-of", "2026-11-24"], &[]);
    assert_eq!(demo.status, 0, "{}", demo.stderr);
    assert!(
        demo.stdout.contains("seed 4, as of 2026-11-24"),
        "{}",
        demo.stdout
    );
    let again = bearing(d, &["demo"], &[]);
    assert_one_line_error(&again, 1, "only fills an empty database");

    let history = bearing(d, &["history", "deal", "1"], &[]);
    assert_eq!(history.status, 0, "{}", history.stderr);
    assert_eq!(
        history.stdout.lines().count(),
        2,
        "a header and the creation: {}",
        history.stdout
    );
    let row = history.stdout.lines().nth(1).unwrap();
    assert!(
        row.contains("test@example.org") && row.contains(" cli ") && row.contains("create"),
        "{row}"
    );

    let json = bearing(d, &["history", "org", "1", "--format", "json"], &[]);
    let records: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(records[0]["action"], "create");
    assert_eq!(records[0]["after"]["id"], 1);
    let csv = bearing(
        d,
        &["history", "organizations", "1", "--format", "csv"],
        &[],
    );
    assert!(
        csv.stdout
            .starts_with("id,at,actor,source,action,changes,before,after\n"),
        "{}",
        csv.stdout
    );
}

#[test]
fn sized_demos_have_exactly_the_deals_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let run = bearing(dir.path(), &["demo", "--deals", "500"], &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains(" 500 deals"), "{}", run.stdout);
}

async fn snapshot(url: &DbUrl) -> (Vec<String>, Vec<String>, Vec<String>) {
    let store = Store::open(url, OpenMode::Checked).await.unwrap();
    let json = |v: &dyn ToJson| v.json();
    let organizations = store
        .list_organizations(true)
        .await
        .unwrap()
        .iter()
        .map(|o| json(o))
        .collect();
    let deals = store
        .list_deals(true)
        .await
        .unwrap()
        .iter()
        .map(|d| json(d))
        .collect();
    let audit = store
        .list_all_audit()
        .await
        .unwrap()
        .iter()
        .map(|a| json(a))
        .collect();
    store.close().await;
    (organizations, deals, audit)
}

trait ToJson {
    fn json(&self) -> String;
}

impl<T: serde::Serialize> ToJson for T {
    fn json(&self) -> String {
        serde_json::to_string(self).unwrap()
    }
}

#[tokio::test]
async fn backup_and_restore_round_trip_every_record_and_audit_row() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert_eq!(bearing(d, &["demo"], &[]).status, 0);
    let backup = bearing(d, &["backup", "copy.db"], &[]);
    assert_eq!(backup.status, 0, "{}", backup.stderr);
    let overwrite = bearing(d, &["backup", "copy.db"], &[]);
    assert_one_line_error(&overwrite, 1, "never overwrites");
    let occupied = bearing(d, &["restore", "copy.db"], &[]);
    assert_one_line_error(&occupied, 1, "already holds data");
    let restore = bearing(d, &["--db", "restored.db", "restore", "copy.db"], &[]);
    assert_eq!(restore.status, 0, "{}", restore.stderr);

    let original = snapshot(&DbUrl::sqlite(d.join("bearing.db"))).await;
    let restored = snapshot(&DbUrl::sqlite(d.join("restored.db"))).await;
    assert!(!original.1.is_empty() && !original.2.is_empty());
    assert_eq!(original, restored);
}

#[tokio::test]
async fn no_command_alters_the_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert_eq!(bearing(d, &["demo"], &[]).status, 0);
    let url = DbUrl::sqlite(d.join("bearing.db"));
    let before = snapshot(&url).await.2;
    let commands: [&[&str]; 7] = [
        &["migrate"],
        &["migrate", "--status"],
        &["history", "deal", "1"],
        &["history", "organization", "1", "--format", "csv"],
        &["backup", "b.db"],
        &["restore", "b.db"],
        &["demo"],
    ];
    for args in commands {
        bearing(d, args, &[]);
    }
    assert_eq!(snapshot(&url).await.2, before);
    let store = Store::open(&url, OpenMode::Checked).await.unwrap();
    assert!(
        !store
            .list_audit(EntityKind::Deal, "1")
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn postgres_needs_migrate_and_has_no_builtin_backup() {
    let Some(db) = TestDb::postgres("cli").await else {
        return;
    };
    let DbUrl::Postgres(url) = &db.url else {
        unreachable!()
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let env = [("BEARING_DB", url.as_str())];
    assert_one_line_error(&bearing(d, &["demo"], &env), 1, "run `bearing migrate`");
    assert_eq!(bearing(d, &["migrate"], &env).status, 0);
    let demo = bearing(d, &["demo"], &env);
    assert_eq!(demo.status, 0, "{}", demo.stderr);
    assert_eq!(bearing(d, &["history", "deal", "1"], &env).status, 0);
    assert_one_line_error(&bearing(d, &["backup", "x.db"], &env), 1, "pg_dump");
    assert_one_line_error(&bearing(d, &["restore", "x.db"], &env), 1, "pg_restore");
}

#[test]
fn user_add_reads_the_password_from_standard_input_and_refuses_a_short_one() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let add = |password: &str| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_bearing"))
            .current_dir(dir.path())
            .args(["user", "add", "Ada@Example.org", "--role", "admin"])
            .env_remove("BEARING_DB")
            .env("BEARING_ACTOR", "test@example.org")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    let short = add("short");
    assert_eq!(short.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 10 characters"));
    let added = add("correct horse battery");
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&added.stdout).trim(),
        "added ada@example.org (ada) as admin"
    );
    let list = support::bearing(dir.path(), &["user", "list"], &[]);
    assert!(
        list.stdout.contains("ada@example.org") && !list.stdout.contains("argon2"),
        "{}",
        list.stdout
    );
}

#[test]
fn custom_roles_are_defined_given_listed_and_deleted_from_the_command_line() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let defined = bearing(
        d,
        &[
            "user",
            "role",
            "Grants Officer",
            "--permissions",
            "read,manage-grants",
            "--description",
            "Applies for grants",
        ],
        &[],
    );
    assert_eq!(defined.status, 0, "{}", defined.stderr);
    assert_eq!(
        defined.stdout,
        "the role grants-officer grants read,manage-grants\n"
    );
    assert_one_line_error(
        &bearing(d, &["user", "role", "x", "--permissions", "read,fly"], &[]),
        1,
        "fly",
    );
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_bearing"))
        .current_dir(d)
        .args(["user", "add", "olu@example.org", "--role", "grants-officer"])
        .env_remove("BEARING_DB")
        .env("BEARING_ACTOR", "test@example.org")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "correct horse battery").unwrap();
    let added = child.wait_with_output().unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let roles = bearing(d, &["user", "roles"], &[]);
    let officer = roles
        .stdout
        .lines()
        .find(|l| l.starts_with("grants-officer"))
        .unwrap_or_default()
        .to_owned();
    assert!(
        officer.contains("read,manage-grants") && officer.contains(" 1 "),
        "{}",
        roles.stdout
    );
    assert!(
        roles.stdout.contains("community-success"),
        "{}",
        roles.stdout
    );
    // Held, it is not deleted; once its holder has another role, it is.
    assert_one_line_error(
        &bearing(d, &["user", "role", "grants-officer", "--delete"], &[]),
        1,
        "olu@example.org still hold",
    );
    let edited = bearing(
        d,
        &["user", "edit", "olu@example.org", "--role", "member"],
        &[],
    );
    assert_eq!(
        edited.stdout, "olu@example.org is member and enabled\n",
        "{}",
        edited.stderr
    );
    let deleted = bearing(d, &["user", "role", "grants-officer", "--delete"], &[]);
    assert_eq!(
        deleted.stdout, "deleted the role grants-officer\n",
        "{}",
        deleted.stderr
    );
}

/// `bearing ARGS | head -1`: the reader takes one line and closes the pipe.
fn first_line_then_close(dir: &std::path::Path, args: &[&str]) -> (String, i32, String) {
    use std::io::{BufRead, BufReader, Read};
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_bearing"));
    for (key, _) in std::env::vars() {
        if key.starts_with("BEARING_") {
            command.env_remove(key);
        }
    }
    let mut child = command
        .current_dir(dir)
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .env("BEARING_ACTOR", "test@example.org")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    // The reader is dropped here: the pipe is closed while the command still writes.
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    (line, status.code().unwrap_or(-1), stderr)
}

#[test]
fn a_reader_that_stops_early_is_not_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Far more than a pipe holds, so the command is still writing when the pipe closes.
    let demo = bearing(d, &["demo", "--deals", "1500"], &[]);
    assert_eq!(demo.status, 0, "{}", demo.stderr);
    let commands: [&[&str]; 4] = [
        &["deal", "list"],
        &["deal", "list", "--format", "csv"],
        &["deal", "list", "--format", "json"],
        &["report", "deal-months"],
    ];
    for args in commands {
        let (line, status, stderr) = first_line_then_close(d, args);
        assert!(!line.is_empty(), "{args:?} printed nothing");
        assert_eq!((status, stderr.as_str()), (0, ""), "{args:?}");
    }
    // A failure is still a failure when standard output is a pipe.
    let (_, status, stderr) = first_line_then_close(d, &["deal", "show", "999999"]);
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("no deal with id 999999"), "{stderr}");
}

const SAMPLE_DEALS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/sample_deals.csv"
);

#[test]
fn deal_commands_take_the_crms_id_as_well_as_bearings() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let import = bearing(d, &["import", "deals", SAMPLE_DEALS], &[]);
    assert_eq!(import.status, 0, "{}", import.stderr);

    let show = bearing(d, &["deal", "show", "crm:86221242056"], &[]);
    assert_eq!(show.status, 0, "{}", show.stderr);
    assert!(
        show.stdout.contains("University of Toronto RFP 2025"),
        "{}",
        show.stdout
    );
    let id = show
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("id "))
        .unwrap()
        .trim()
        .to_owned();
    let by_id = bearing(d, &["deal", "show", &id], &[]);
    assert_eq!(by_id.stdout, show.stdout, "the same deal either way");

    let edit = bearing(
        d,
        &["deal", "edit", "crm:255391436494", "--owner", "Ada"],
        &[],
    );
    assert_eq!(edit.status, 0, "{}", edit.stderr);
    assert!(
        edit.stdout.contains("McGill University 2026"),
        "{}",
        edit.stdout
    );
    let moved = bearing(d, &["deal", "move", "crm:255391436494", "Discovery"], &[]);
    assert_eq!(moved.status, 0, "{}", moved.stderr);
    assert!(
        moved.stdout.ends_with("is now in Discovery\n"),
        "{}",
        moved.stdout
    );
    let history = bearing(d, &["deal", "history", "crm:255391436494"], &[]);
    assert_eq!(history.status, 0, "{}", history.stderr);
    assert!(
        history
            .stdout
            .lines()
            .any(|l| l.contains("Enrichment") && l.contains("Discovery") && l.ends_with(" cli")),
        "{}",
        history.stdout
    );

    assert_one_line_error(
        &bearing(d, &["deal", "show", "crm:1"], &[]),
        1,
        "no deal with CRM id 1",
    );
    assert_one_line_error(&bearing(d, &["deal", "show", "crm:"], &[]), 2, "crm:");
    assert_one_line_error(&bearing(d, &["deal", "show", "abc"], &[]), 2, "crm:ID");
    let help = bearing(d, &["deal", "show", "--help"], &[]);
    assert!(
        help.stdout.contains("Bearing's id") && help.stdout.contains("crm:ID"),
        "{}",
        help.stdout
    );
}

#[test]
fn history_names_the_stages_a_deal_moved_between() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let add = bearing(d, &["deal", "add", "--name", "Stage names"], &[]);
    assert_eq!(
        add.stdout, "added deal 1: Stage names (Enrichment)\n",
        "{}",
        add.stderr
    );
    let moved = bearing(d, &["deal", "move", "1", "Proposal"], &[]);
    assert_eq!(moved.status, 0, "{}", moved.stderr);

    let audit = bearing(d, &["history", "deal", "1"], &[]);
    assert_eq!(audit.status, 0, "{}", audit.stderr);
    let update = audit.stdout.lines().last().unwrap();
    assert!(
        update.contains("update") && update.contains("stage: Enrichment → Proposal"),
        "{}",
        audit.stdout
    );
    assert!(!audit.stdout.contains("stage_id"), "{}", audit.stdout);
    let created = audit.stdout.lines().nth(1).unwrap();
    assert!(created.contains("stage: Enrichment"), "{created}");

    let csv = bearing(d, &["deal", "history", "1", "--format", "csv"], &[]);
    assert_eq!(csv.status, 0, "{}", csv.stderr);
    assert!(
        csv.stdout
            .lines()
            .any(|l| l.starts_with("1,") && l.contains(",stage,Enrichment,Proposal,")),
        "{}",
        csv.stdout
    );
}

#[test]
fn the_scheduled_pulls_runs_are_listed_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(bearing(dir.path(), &["migrate"], &[]).status, 0);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let url = DbUrl::parse(&dir.path().join("bearing.db").to_string_lossy()).unwrap();
        let store = Store::open(&url, OpenMode::Checked).await.unwrap();
        let slot: jiff::Timestamp = "2026-12-01T12:00:00Z".parse().unwrap();
        let done = store
            .claim_job_run(
                "usage pull from https://prometheus.example.org",
                slot,
                "web-1:41",
                slot,
            )
            .await
            .unwrap()
            .unwrap();
        store
            .finish_job_run(
                done,
                true,
                "u: 3 new samples",
                slot + jiff::SignedDuration::from_secs(2),
            )
            .await
            .unwrap();
        let next = slot + jiff::SignedDuration::from_hours(24);
        store
            .claim_job_run(
                "usage pull from https://prometheus.example.org",
                next,
                "web-2:7",
                next,
            )
            .await
            .unwrap();
        store.close().await;
    });
    let run = bearing(dir.path(), &["usage", "runs", "--format", "csv"], &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "job,slot,instance,started,finished,outcome,detail\n\
         usage pull from https://prometheus.example.org,2026-12-02 12:00:00 UTC,web-2:7,2026-12-02 12:00:00 UTC,,unfinished,\n\
         usage pull from https://prometheus.example.org,2026-12-01 12:00:00 UTC,web-1:41,2026-12-01 12:00:00 UTC,2026-12-01 12:00:02 UTC,ok,u: 3 new samples\n"
    );
}
