//! Deals, organizations, pipelines and the CRM import from the command line.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod support;

use support::{assert_one_line_error, bearing};

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/sample_deals.csv"
);

#[test]
fn importing_the_crm_export_is_planned_applied_and_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let dry = bearing(d, &["import", "deals", SAMPLE, "--dry-run"], &[]);
    assert_eq!(dry.status, 0, "{}", dry.stderr);
    assert!(
        dry.stdout
            .contains("8 to create, 0 to update, 0 unchanged (dry run: nothing was written)"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.contains("202096783060  create"),
        "{}",
        dry.stdout
    );
    let list = bearing(d, &["deal", "list", "--format", "csv"], &[]);
    assert_eq!(list.stdout.lines().count(), 1, "a dry run writes nothing");

    let real = bearing(d, &["import", "deals", SAMPLE], &[]);
    assert!(
        real.stdout
            .contains("8 to create, 0 to update, 0 unchanged: imported"),
        "{}",
        real.stdout
    );
    let again = bearing(d, &["import", "deals", SAMPLE], &[]);
    assert!(
        again
            .stdout
            .contains("0 to create, 0 to update, 8 unchanged"),
        "{}",
        again.stdout
    );

    let csv = bearing(
        d,
        &["deal", "list", "--stage", "proposal", "--format", "csv"],
        &[],
    );
    let rows: Vec<&str> = csv.stdout.lines().collect();
    assert_eq!(rows.len(), 3, "{}", csv.stdout);
    assert!(rows[0].starts_with("id,crm_id,name,organization,stage,probability,amount"));
    assert!(
        rows[1].contains(
            ",202096783060,CAL ICOR 2027-2028,,Proposal,0.2999999999999999,25000.00,,USD,"
        ),
        "{}",
        rows[1]
    );
    let json = bearing(
        d,
        &["deal", "list", "--type", "project", "--format", "json"],
        &[],
    );
    let deals: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(deals.as_array().unwrap().len(), 3);
}

#[test]
fn a_bad_import_names_the_row_and_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = std::fs::read_to_string(SAMPLE).unwrap();
    let bad = text.replace(
        "BIDS 2025,membership-premier,45000.0,2025-08-22",
        "BIDS 2025,membership-premier,45000.0,2025-08-32",
    );
    std::fs::write(
        d.join("bad.csv"),
        bad.replace("Membership Sales,Enrichment", "Membership Sales,Qualified"),
    )
    .unwrap();
    let run = bearing(d, &["import", "deals", "bad.csv"], &[]);
    assert_one_line_error(
        &run,
        1,
        "bad.csv:5: column closedate = \"2025-08-32\": no such calendar date (expected YYYY-MM-DD); and 1 more problem(s), listed by --dry-run; nothing was imported",
    );
    let dry = bearing(d, &["import", "deals", "bad.csv", "--dry-run"], &[]);
    assert_eq!(dry.status, 1);
    assert!(
        dry.stdout.contains("9     dealstage  Qualified"),
        "{}",
        dry.stdout
    );
    assert_eq!(
        bearing(d, &["deal", "list", "--format", "csv"], &[])
            .stdout
            .lines()
            .count(),
        1
    );
    assert_one_line_error(
        &bearing(d, &["import", "deals", "missing.csv"], &[]),
        1,
        "cannot read missing.csv",
    );
}

#[test]
fn a_deal_is_added_moved_closed_renewed_deleted_and_restored() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert_eq!(
        bearing(
            d,
            &[
                "org",
                "add",
                "lakeshore",
                "--long-name",
                "Lakeshore University",
                "--kind",
                "community"
            ],
            &[]
        )
        .status,
        0
    );
    let add = bearing(
        d,
        &[
            "deal",
            "add",
            "--name",
            "Lakeshore 2026",
            "--org",
            "lakeshore",
            "--stage",
            "Outreach",
            "--type",
            "membership-general",
            "--amount",
            "15000",
            "--target-start",
            "2026-07-01",
            "--target-end",
            "2027-06-30",
        ],
        &[],
    );
    assert_eq!(
        add.stdout.trim(),
        "added deal 1: Lakeshore 2026 (Outreach)",
        "{}",
        add.stderr
    );
    assert_one_line_error(
        &bearing(d, &["deal", "move", "1", "Closed Won"], &[]),
        1,
        "missing: contract start, contract end",
    );
    let won = bearing(
        d,
        &[
            "deal",
            "move",
            "1",
            "closed won",
            "--contract-start",
            "2026-07-01",
            "--contract-end",
            "2027-06-30",
        ],
        &[],
    );
    assert_eq!(
        won.stdout.trim(),
        "deal 1 is now in Closed Won",
        "{}",
        won.stderr
    );
    let renew = bearing(d, &["deal", "renew", "1"], &[]);
    assert_eq!(
        renew.stdout.trim(),
        "added deal 2: Lakeshore 2027 in Renewal, renewing deal 1",
        "{}",
        renew.stderr
    );
    let edit = bearing(
        d,
        &[
            "deal",
            "edit",
            "2",
            "--probability",
            "0.85",
            "--owner",
            "Sam Rivera",
        ],
        &[],
    );
    assert_eq!(edit.status, 0, "{}", edit.stderr);
    let show = bearing(d, &["deal", "show", "2", "--format", "json"], &[]);
    let deal: serde_json::Value = serde_json::from_str(&show.stdout).unwrap();
    assert_eq!(
        (
            deal["probability"].as_f64(),
            deal["owner"].as_str(),
            deal["renews"].as_i64()
        ),
        (Some(0.85), Some("Sam Rivera"), Some(1))
    );

    let history = bearing(d, &["deal", "history", "1", "--format", "csv"], &[]);
    assert!(
        history
            .stdout
            .contains(",stage,Outreach,Closed Won,test@example.org,cli"),
        "{}",
        history.stdout
    );
    let all = bearing(
        d,
        &[
            "deal",
            "history",
            "--from",
            "2000-01-01",
            "--to",
            "2199-12-31",
            "--format",
            "csv",
        ],
        &[],
    );
    assert!(
        all.stdout.lines().any(|l| l.starts_with("2,")),
        "{}",
        all.stdout
    );

    assert_eq!(bearing(d, &["deal", "delete", "2"], &[]).status, 0);
    assert_eq!(
        bearing(d, &["deal", "list", "--format", "csv"], &[])
            .stdout
            .lines()
            .count(),
        2
    );
    assert_eq!(
        bearing(d, &["deal", "list", "--deleted", "--format", "csv"], &[])
            .stdout
            .lines()
            .count(),
        3
    );
    assert_one_line_error(
        &bearing(d, &["deal", "delete", "2"], &[]),
        1,
        "deal 2 is already deleted",
    );
    assert_eq!(bearing(d, &["deal", "restore", "2"], &[]).status, 0);
    let org = bearing(d, &["org", "show", "lakeshore"], &[]);
    assert!(
        org.stdout.contains("Lakeshore 2027"),
        "the organization lists its deals: {}",
        org.stdout
    );
}

#[test]
fn bad_deal_input_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert_one_line_error(
        &bearing(d, &["deal", "add", "--stage", "Outreach"], &[]),
        2,
        "deal add needs --name",
    );
    assert_one_line_error(
        &bearing(d, &["deal", "add", "--name", "X", "--amount", "1,000"], &[]),
        2,
        "--amount: invalid amount",
    );
    assert_one_line_error(
        &bearing(
            d,
            &["deal", "add", "--name", "X", "--probability", "2"],
            &[],
        ),
        2,
        "--probability",
    );
    assert_one_line_error(&bearing(d, &["deal", "show", "0"], &[]), 2, "<ID>");
    assert_one_line_error(
        &bearing(
            d,
            &["deal", "add", "--name", "X", "--stage", "Nowhere"],
            &[],
        ),
        1,
        "no stage \"Nowhere\"",
    );
    assert_one_line_error(
        &bearing(d, &["deal", "add", "--name", "X", "--org", "ghost"], &[]),
        1,
        "no organization named ghost",
    );
    assert_one_line_error(
        &bearing(d, &["deal", "show", "7"], &[]),
        1,
        "no deal with id 7",
    );
    assert_one_line_error(
        &bearing(d, &["org", "add", "two words"], &[]),
        2,
        "one word",
    );
}

#[test]
fn organizations_are_listed_edited_deleted_and_restored() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert_eq!(bearing(d, &["org", "add", "bids"], &[]).status, 0);
    assert_one_line_error(
        &bearing(d, &["org", "add", "bids"], &[]),
        1,
        "already exists",
    );
    assert_eq!(
        bearing(
            d,
            &[
                "org",
                "edit",
                "bids",
                "--kind",
                "partner",
                "--website",
                "https://bids.example.org"
            ],
            &[]
        )
        .status,
        0
    );
    let list = bearing(d, &["org", "list", "--format", "csv"], &[]);
    assert!(
        list.stdout
            .contains("1,bids,,partner,https://bids.example.org,,,"),
        "{}",
        list.stdout
    );
    assert_eq!(
        bearing(
            d,
            &["org", "edit", "bids", "--tags", "research; education"],
            &[]
        )
        .status,
        0
    );
    let tagged = bearing(d, &["org", "show", "bids", "--format", "json"], &[]);
    let tagged: serde_json::Value = serde_json::from_str(&tagged.stdout).unwrap();
    assert_eq!(tagged["tags"], serde_json::json!(["research", "education"]));
    assert_eq!(bearing(d, &["org", "delete", "1"], &[]).status, 0);
    assert_eq!(
        bearing(d, &["org", "list", "--format", "csv"], &[])
            .stdout
            .lines()
            .count(),
        1
    );
    assert_eq!(bearing(d, &["org", "restore", "bids"], &[]).status, 0);
    let history = bearing(d, &["history", "org", "1"], &[]);
    assert_eq!(
        history.stdout.lines().count(),
        6,
        "create, two edits, delete, restore: {}",
        history.stdout
    );
    let stages = bearing(d, &["pipeline", "list", "--format", "csv"], &[]);
    assert!(
        stages
            .stdout
            .contains("Membership Sales,4,Renewal,0.8,best-case,open,no"),
        "{}",
        stages.stdout
    );
}

#[test]
fn stages_are_added_renamed_moved_and_retired_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let add = bearing(
        d,
        &[
            "pipeline",
            "stage-add",
            "Membership Sales",
            "Qualified",
            "--probability",
            "0.15",
            "--position",
            "3",
        ],
        &[],
    );
    assert_eq!(
        add.stdout.trim(),
        "added stage Qualified to Membership Sales at position 3",
        "{}",
        add.stderr
    );
    let edit = bearing(
        d,
        &[
            "pipeline",
            "stage-edit",
            "Membership Sales",
            "Qualified",
            "--name",
            "Qualified Lead",
            "--category",
            "best-case",
        ],
        &[],
    );
    assert_eq!(edit.status, 0, "{}", edit.stderr);
    assert_eq!(
        bearing(
            d,
            &[
                "pipeline",
                "stage-move",
                "Membership Sales",
                "Qualified Lead",
                "1"
            ],
            &[]
        )
        .status,
        0
    );
    let retire = bearing(
        d,
        &[
            "pipeline",
            "stage-retire",
            "Membership Sales",
            "Qualified Lead",
        ],
        &[],
    );
    assert_eq!(
        retire.stdout.trim(),
        "retired stage Qualified Lead (0 deal(s) stay in it until moved)"
    );
    let list = bearing(d, &["pipeline", "list", "--format", "csv"], &[]);
    assert!(
        list.stdout
            .contains("Membership Sales,1,Qualified Lead,0.15,best-case,open,yes"),
        "{}",
        list.stdout
    );
    assert!(
        list.stdout.contains("Membership Sales,2,Enrichment,"),
        "{}",
        list.stdout
    );
    assert_eq!(
        bearing(
            d,
            &[
                "pipeline",
                "stage-restore",
                "Membership Sales",
                "Qualified Lead"
            ],
            &[]
        )
        .status,
        0
    );
    assert_one_line_error(
        &bearing(
            d,
            &[
                "pipeline",
                "stage-add",
                "Membership Sales",
                "X",
                "--probability",
                "7",
            ],
            &[],
        ),
        2,
        "--probability",
    );
    assert_one_line_error(
        &bearing(
            d,
            &[
                "pipeline",
                "stage-move",
                "Membership Sales",
                "Qualified Lead",
                "99",
            ],
            &[],
        ),
        1,
        "a position from 1 to 10",
    );
    assert_eq!(bearing(d, &["pipeline", "add", "Grants"], &[]).status, 0);
    assert_one_line_error(
        &bearing(d, &["pipeline", "add", "grants"], &[]),
        1,
        "already exists",
    );
}

#[test]
fn organizations_and_contacts_import_idempotently_and_keep_unknown_columns() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("orgs.csv"),
        "name,long_name,kind,website,segment\nbids,Berkeley Institute for Data Science,partner,https://bids.example.org,research\ncal,CAL Research Network,community,,education\n",
    )
    .unwrap();
    std::fs::write(
        d.join("contacts.csv"),
        "name,email,organizations,strategic,title\nAda Lovelace,ada@example.org,bids:billing-contact;cal:community-representative,yes,Director\nGrace Hopper,grace@example.org,cal:technical-contact,no,Engineer\n",
    )
    .unwrap();
    let orgs = bearing(d, &["import", "organizations", "orgs.csv"], &[]);
    assert_eq!(
        orgs.stdout.trim(),
        "orgs.csv: 2 to create, 0 to update, 0 unchanged: imported",
        "{}",
        orgs.stderr
    );
    let contacts = bearing(d, &["import", "contacts", "contacts.csv"], &[]);
    assert_eq!(
        contacts.stdout.trim(),
        "contacts.csv: 2 to create, 0 to update, 0 unchanged: imported",
        "{}",
        contacts.stderr
    );
    let again = bearing(d, &["import", "contacts", "contacts.csv"], &[]);
    assert!(
        again
            .stdout
            .contains("0 to create, 0 to update, 2 unchanged"),
        "{}",
        again.stdout
    );

    std::fs::write(
        d.join("orgs2.csv"),
        "name,kind,segment\nbids,funder,research\ncal,community,research\n",
    )
    .unwrap();
    let dry = bearing(
        d,
        &["import", "organizations", "orgs2.csv", "--dry-run"],
        &[],
    );
    assert!(
        dry.stdout.contains("2     bids  update  1   kind"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.contains("3     cal   update  2   segment"),
        "{}",
        dry.stdout
    );
    assert_eq!(
        bearing(d, &["import", "organizations", "orgs2.csv"], &[]).status,
        0
    );
    let list = bearing(d, &["org", "list", "--format", "csv"], &[]);
    assert!(
        list.stdout
            .contains("1,bids,Berkeley Institute for Data Science,funder,https://bids.example.org"),
        "columns absent from the file are left alone: {}",
        list.stdout
    );

    let shown = bearing(
        d,
        &["contact", "list", "--org", "cal", "--format", "csv"],
        &[],
    );
    assert_eq!(shown.stdout.lines().count(), 3, "{}", shown.stdout);
    let ada = bearing(d, &["contact", "show", "1", "--format", "json"], &[]);
    let ada: serde_json::Value = serde_json::from_str(&ada.stdout).unwrap();
    assert_eq!(ada["properties"]["title"], "Director");
    assert_eq!(ada["strategic"], true);

    std::fs::write(
        d.join("bad.csv"),
        "name,email,organizations\nX,x@example.org,ghost:other\nY,not-an-email,\n",
    )
    .unwrap();
    let bad = bearing(d, &["import", "contacts", "bad.csv"], &[]);
    assert_one_line_error(
        &bad,
        1,
        "bad.csv:2: column organizations = \"ghost\": no organization named ghost; and 1 more problem(s)",
    );
    assert_eq!(
        bearing(d, &["contact", "list", "--format", "csv"], &[])
            .stdout
            .lines()
            .count(),
        3
    );
}

#[test]
fn contacts_and_campaigns_are_managed_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert_eq!(bearing(d, &["org", "add", "bids"], &[]).status, 0);
    let add = bearing(
        d,
        &[
            "contact",
            "add",
            "Ada Lovelace",
            "--email",
            "Ada@Example.org",
            "--org",
            "bids:billing-contact",
        ],
        &[],
    );
    assert_eq!(
        add.stdout.trim(),
        "added contact 1: Ada Lovelace",
        "{}",
        add.stderr
    );
    assert_one_line_error(
        &bearing(
            d,
            &["contact", "add", "Ada Two", "--email", "ada@example.org"],
            &[],
        ),
        1,
        "already has the email ada@example.org",
    );
    assert_one_line_error(
        &bearing(d, &["contact", "add", "X", "--email", "nope"], &[]),
        1,
        "email: expected an address",
    );
    assert_one_line_error(
        &bearing(d, &["contact", "add", "X", "--org", "bids:cfo"], &[]),
        2,
        "--org",
    );
    assert_eq!(
        bearing(
            d,
            &[
                "contact",
                "edit",
                "1",
                "--org",
                "bids:technical-contact",
                "--strategic",
                "true"
            ],
            &[]
        )
        .status,
        0
    );
    let list = bearing(d, &["contact", "list", "--format", "csv"], &[]);
    assert!(
        list.stdout.contains(
            "1,Ada Lovelace,ada@example.org,,bids:billing-contact; bids:technical-contact,true"
        ),
        "{}",
        list.stdout
    );
    assert_eq!(bearing(d, &["contact", "delete", "1"], &[]).status, 0);
    assert_eq!(bearing(d, &["contact", "restore", "1"], &[]).status, 0);
    assert_eq!(
        bearing(d, &["history", "contact", "1"], &[])
            .stdout
            .lines()
            .count(),
        5
    );

    let campaign = bearing(
        d,
        &[
            "campaign",
            "add",
            "Spring webinar",
            "--channel",
            "webinar",
            "--start",
            "2026-03-01",
            "--end",
            "2026-03-31",
            "--cost",
            "1200",
            "--person-days",
            "4.5",
        ],
        &[],
    );
    assert_eq!(
        campaign.stdout.trim(),
        "added campaign 1: Spring webinar",
        "{}",
        campaign.stderr
    );
    assert_one_line_error(
        &bearing(
            d,
            &[
                "campaign",
                "add",
                "Backwards",
                "--start",
                "2026-03-01",
                "--end",
                "2026-02-01",
            ],
            &[],
        ),
        1,
        "end_date: ends 2026-02-01, before it starts 2026-03-01",
    );
    assert_eq!(
        bearing(
            d,
            &["campaign", "edit", "spring webinar", "--cost", "1500"],
            &[]
        )
        .status,
        0
    );
    let deal = bearing(
        d,
        &[
            "deal",
            "add",
            "--name",
            "Webinar lead",
            "--campaign",
            "Spring webinar",
        ],
        &[],
    );
    assert_eq!(deal.status, 0, "{}", deal.stderr);
    let campaigns = bearing(d, &["campaign", "list", "--format", "csv"], &[]);
    assert!(
        campaigns
            .stdout
            .contains("1,Spring webinar,webinar,2026-03-01,2026-03-31,1500.00,USD,4.5,,"),
        "{}",
        campaigns.stdout
    );
    assert_eq!(
        bearing(
            d,
            &[
                "deal",
                "list",
                "--campaign",
                "spring webinar",
                "--format",
                "csv"
            ],
            &[]
        )
        .stdout
        .lines()
        .count(),
        2
    );
    assert_eq!(bearing(d, &["campaign", "delete", "1"], &[]).status, 0);
    assert_eq!(
        bearing(d, &["campaign", "list", "--format", "csv"], &[])
            .stdout
            .lines()
            .count(),
        1
    );
    assert_eq!(
        bearing(d, &["campaign", "restore", "Spring webinar"], &[]).status,
        0
    );
}

#[test]
fn reports_use_the_assumptions_version_in_force() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert_eq!(bearing(d, &["import", "deals", SAMPLE], &[]).status, 0);
    assert_one_line_error(
        &bearing(d, &["report", "health"], &[]),
        1,
        "books-closed: not set",
    );
    assert_one_line_error(
        &bearing(d, &["report", "nonsense"], &[]),
        1,
        "no report \"nonsense\"; reports: projections, deal-months",
    );
    assert_one_line_error(
        &bearing(d, &["assumptions", "set", "fsp-fee=15%"], &[]),
        1,
        "expected a fraction from 0 to 1",
    );
    assert_one_line_error(
        &bearing(d, &["assumptions", "set", "fsp-fee"], &[]),
        2,
        "expected KEY=VALUE",
    );
    let set = bearing(
        d,
        &[
            "assumptions",
            "set",
            "books-closed=2026-02",
            "fsp-fee=0.15",
            "net-assets=500000",
            "monthly-costs=100000",
            "--from",
            "2026-01-01",
        ],
        &[],
    );
    assert_eq!(
        set.stdout.trim(),
        "assumptions version 1 effective from 2026-01-01",
        "{}",
        set.stderr
    );

    let health = bearing(d, &["report", "health", "--format", "json"], &[]);
    let health: serde_json::Value = serde_json::from_str(&health.stdout).unwrap();
    assert_eq!(health["assumptions_version"], 1);
    assert_eq!(health["rows"][0]["value"], "5 months");
    assert_eq!(health["rows"][1]["value"], "11%");
    assert_eq!(health["rows"][2]["status"], "red");

    let projections = bearing(d, &["report", "projections", "--format", "csv"], &[]);
    let lines: Vec<&str> = projections.stdout.lines().collect();
    assert!(
        lines[0].starts_with("scenario,2026-03,2026-04"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("Committed,16406,16406,16406,16406,0,"),
        "{}",
        lines[1]
    );
    assert!(
        !projections.stdout.contains(",-0"),
        "no negative zeros: {}",
        projections.stdout
    );
    let labels: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "Committed",
            "Pessimistic",
            "Estimated",
            "Optimistic",
            "Estimated usage revenue",
            "Usage revenue (trend and season)",
            "Committed (total contract less gifts)"
        ]
    );

    let out = d.join("deal-months.csv");
    let wrote = bearing(
        d,
        &[
            "report",
            "deal-months",
            "--format",
            "csv",
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(wrote.status, 0, "{}", wrote.stderr);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.lines().last().unwrap().starts_with(",TOTAL,"),
        "{text}"
    );
    for name in ["commitments", "revenue-by-type", "flags", "deals", "fmrr"] {
        let run = bearing(d, &["report", name, "--format", "csv"], &[]);
        assert_eq!(run.status, 0, "{name}: {}", run.stderr);
    }
    assert_one_line_error(
        &bearing(d, &["report", "health", "--format", "xlsx"], &[]),
        2,
        "give --out FILE.xlsx",
    );
    let book = d.join("reports.xlsx");
    let wrote = bearing(
        d,
        &[
            "report",
            "all",
            "--format",
            "xlsx",
            "--out",
            book.to_str().unwrap(),
        ],
        &[],
    );
    // One sheet per report.
    let every = format!("wrote {} reports to", bearing_app::reports::NAMES.len());
    assert!(
        wrote.stdout.starts_with(&every),
        "{}{}",
        wrote.stdout,
        wrote.stderr
    );
    let bytes = std::fs::read(&book).unwrap();
    assert_eq!(&bytes[..2], b"PK");
    assert!(String::from_utf8_lossy(&bytes).contains("xl/worksheets/sheet12.xml"));

    // A stage probability in the assumptions replaces the stage's default for deals without a
    // probability of their own (the CRM's deals all have one, which wins).
    let added = bearing(
        d,
        &[
            "deal",
            "add",
            "--name",
            "Discovery call",
            "--stage",
            "Discovery",
            "--amount",
            "1200",
            "--target-start",
            "2026-04-01",
            "--target-end",
            "2026-04-30",
        ],
        &[],
    );
    assert_eq!(added.status, 0, "{}", added.stderr);
    let staged = bearing(
        d,
        &[
            "assumptions",
            "set",
            "stage.Discovery=0.5",
            "stage.Enrichment=0.9",
            "--from",
            "2026-01-01",
        ],
        &[],
    );
    assert_eq!(staged.status, 0, "{}", staged.stderr);
    let months = bearing(d, &["report", "deal-months", "--format", "json"], &[]);
    let months: serde_json::Value = serde_json::from_str(&months.stdout).unwrap();
    let rows = months["rows"].as_array().unwrap();
    let call = rows.iter().find(|r| r["name"] == "Discovery call").unwrap();
    assert_eq!(
        (
            call["probability"].as_str(),
            call["expected_monthly"].as_str()
        ),
        (Some("0.5"), Some("600"))
    );
    let mcgill = rows.iter().find(|r| r["id"] == "255391436494").unwrap();
    assert_eq!(
        mcgill["probability"].as_str(),
        Some("0.1"),
        "the file's probability wins"
    );
    assert_eq!(months["assumptions_version"], 2);

    let later = bearing(
        d,
        &["assumptions", "set", "fsp-fee=0.2", "--from", "2199-01-01"],
        &[],
    );
    assert_eq!(later.status, 0);
    let show = bearing(d, &["assumptions", "show"], &[]);
    assert!(
        show.stdout
            .lines()
            .any(|l| l.starts_with("fsp-fee ") && l.ends_with(" 0.15"))
            && show.stdout.contains("(version 2)"),
        "a future version is not in force yet: {}",
        show.stdout
    );
    let history = bearing(d, &["assumptions", "history"], &[]);
    assert_eq!(history.stdout.lines().count(), 4, "{}", history.stdout);
    assert_eq!(bearing(d, &["history", "assumptions", "3"], &[]).status, 0);
}

#[test]
fn usage_imports_and_reports_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("usage.csv"),
        "cluster,date,unique_users\nbids,2026-01-03,280\nbids,2026-02-03,11\n",
    )
    .unwrap();
    let dry = bearing(d, &["import", "usage", "usage.csv", "--dry-run"], &[]);
    assert!(dry.stdout.contains("cluster  bids"), "{}", dry.stdout);
    assert!(dry.stdout.contains("usage.csv: 2 new samples, 0 changed, 0 unchanged; new clusters: bids (dry run: nothing was written)"), "{}", dry.stdout);
    let real = bearing(d, &["import", "usage", "usage.csv"], &[]);
    assert_eq!(real.status, 0, "{}", real.stderr);
    let again = bearing(d, &["import", "usage", "usage.csv"], &[]);
    assert!(
        again
            .stdout
            .contains("0 new samples, 0 changed, 2 unchanged"),
        "{}",
        again.stdout
    );
    let report = bearing(d, &["report", "usage", "--format", "csv"], &[]);
    assert_eq!(
        report.stdout,
        "cluster,month,mau,fee\nbids,2026-01,280,1000.00\nbids,2026-02,11,105.00\n"
    );
    let by_org = bearing(
        d,
        &["report", "usage-by-organization", "--format", "csv"],
        &[],
    );
    assert!(
        by_org
            .stdout
            .contains("(no organization),2026-01,280,1000.00"),
        "{}",
        by_org.stdout
    );
    std::fs::write(
        d.join("bad.csv"),
        "cluster,date,unique_users\nbids,2026-13-01,3\n",
    )
    .unwrap();
    assert_one_line_error(
        &bearing(d, &["import", "usage", "bad.csv"], &[]),
        1,
        "bad.csv:2: column date = \"2026-13-01\"",
    );
}

#[test]
fn clusters_are_listed_shown_and_edited_and_a_pull_needs_a_server() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("usage.csv"),
        "date,hub,users,cluster\n2026-01-03,prod,280,west\n",
    )
    .unwrap();
    assert_eq!(bearing(d, &["import", "usage", "usage.csv"], &[]).status, 0);
    assert_eq!(bearing(d, &["org", "add", "ucb"], &[]).status, 0);
    let edit = bearing(
        d,
        &[
            "cluster",
            "edit",
            "west",
            "--provider",
            "gcp",
            "--dedicated",
            "--org",
            "ucb",
            "--start",
            "2025-07-01",
        ],
        &[],
    );
    assert_eq!(edit.status, 0, "{}", edit.stderr);
    assert_eq!(
        edit.stdout,
        "cluster west: provider gcp, dedicated, organization 1, from 2025-07-01\n"
    );
    let list = bearing(d, &["cluster", "list", "--format", "csv"], &[]);
    assert_eq!(
        list.stdout,
        "id,kind,cluster,name,provider,dedicated,organization,deal,start,end\n1,hub,west,prod,,,,,,\n1,cluster,,west,gcp,dedicated,ucb,,2025-07-01,\n"
    );
    let show = bearing(d, &["cluster", "show", "west", "--format", "csv"], &[]);
    assert!(
        show.stdout
            .ends_with("month,mau,fee\n2026-01,280,1000.00\n"),
        "{}",
        show.stdout
    );
    let hub = bearing(
        d,
        &[
            "cluster",
            "edit",
            "west/prod",
            "--shared",
            "--clear",
            "provider",
        ],
        &[],
    );
    assert_eq!(hub.stdout, "hub west/prod: shared\n", "{}", hub.stderr);
    let cleared = bearing(
        d,
        &[
            "cluster", "edit", "west", "--clear", "org", "--clear", "start",
        ],
        &[],
    );
    assert_eq!(
        cleared.stdout, "cluster west: provider gcp, dedicated\n",
        "{}",
        cleared.stderr
    );
    assert_one_line_error(
        &bearing(d, &["cluster", "edit", "west", "--clear", "colour"], &[]),
        2,
        "--clear colour: expected provider, dedicated, org, deal, start or end",
    );
    assert_one_line_error(
        &bearing(d, &["cluster", "edit", "west", "--org", "nobody"], &[]),
        2,
        "--org: there is no organization nobody",
    );
    assert_one_line_error(
        &bearing(
            d,
            &[
                "cluster",
                "edit",
                "west",
                "--start",
                "2026-02-01",
                "--end",
                "2026-01-01",
            ],
            &[],
        ),
        1,
        "end: 2026-01-01 is before the start, 2026-02-01",
    );
    assert_one_line_error(
        &bearing(d, &["cluster", "show", "east"], &[]),
        1,
        "no cluster named \"east\"",
    );
    assert_one_line_error(
        &bearing(d, &["usage", "pull", "--from", "2026-01-01"], &[]),
        2,
        "name a server with --prometheus URL",
    );
    assert_one_line_error(
        &bearing(
            d,
            &[
                "usage",
                "pull",
                "--prometheus",
                "http://127.0.0.1:9",
                "--from",
                "2026-02-01",
                "--to",
                "2026-01-01",
            ],
            &[],
        ),
        2,
        "--to 2026-01-01 is before --from 2026-02-01",
    );
    // A configured source: `bearing config` names it and hides its token.
    std::fs::write(
        d.join("bearing.toml"),
        "[[prometheus]]\nurl = \"https://grafana.example.org/api/datasources/proxy/uid/abc\"\ntoken = \"glsa_secret\"\ncluster = \"west\"\n",
    )
    .unwrap();
    let config = bearing(d, &["config"], &[]);
    assert!(
        config.stdout.contains("prometheus[0]") && config.stdout.contains("https://grafana.example.org/api/datasources/proxy/uid/abc, token (redacted), every 24 h"),
        "{}",
        config.stdout
    );
    assert!(!config.stdout.contains("glsa_secret"));
    std::fs::write(
        d.join("bearing.toml"),
        "[[prometheus]]\nurl = \"http://x\"\nstep = 0\n",
    )
    .unwrap();
    assert_one_line_error(
        &bearing(d, &["config"], &[]),
        2,
        "bearing.toml: [[prometheus]] http://x: step must be at least 1 second",
    );
}

#[test]
fn role_pages_import_and_publish_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pages = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/roles");
    let titles = format!("{pages}/job-titles.md");
    let area = format!("{pages}/partnerships.md");
    let dry = bearing(d, &["import", "roles", &titles, "--dry-run"], &[]);
    assert_eq!(dry.status, 0, "{}", dry.stderr);
    assert!(
        dry.stdout.contains("roles 5 (Executive Director, Infrastructure Engineer, Senior Infrastructure Engineer, Partnerships Lead, Community Success Manager) new")
            && dry.stdout.ends_with("(dry run: nothing was written)\n"),
        "{}",
        dry.stdout
    );
    assert_eq!(bearing(d, &["import", "roles", &titles], &[]).status, 0);
    let imported = bearing(d, &["import", "roles", &area], &[]);
    assert!(
        imported.stdout.contains("(the Partnerships area's page)"),
        "{}",
        imported.stdout
    );
    let list = bearing(d, &["role", "list", "--format", "csv"], &[]);
    assert!(
        list.stdout.lines().nth(4).unwrap().starts_with(
            "Partnerships Lead,Partnerships,Ensure the organisation has the relationships"
        ),
        "{}",
        list.stdout
    );
    let published = bearing(
        d,
        &["publish", "roles", "--format", "myst", "--out", "pages"],
        &[],
    );
    assert_eq!(published.status, 0, "{}", published.stderr);
    assert_eq!(
        published.stdout,
        "wrote pages/job-titles.md\nwrote pages/partnerships.md\n"
    );
    for (page, original) in [("job-titles.md", &titles), ("partnerships.md", &area)] {
        let written = std::fs::read_to_string(d.join("pages").join(page)).unwrap();
        let original = std::fs::read_to_string(original).unwrap();
        assert!(
            bearing_formats::myst::equivalent(&written, &original),
            "{page}:\n{written}"
        );
    }
    let printed = bearing(d, &["publish", "roles"], &[]);
    assert!(
        printed
            .stdout
            .starts_with("% job-titles.md\n\n# Job Titles\n"),
        "{}",
        printed.stdout
    );
    assert_one_line_error(
        &bearing(d, &["publish", "roles", "--format", "html"], &[]),
        2,
        "invalid value 'html'",
    );
    std::fs::write(
        d.join("goals.md"),
        "## Key goals\n\n1. **Reach**: Be known.\n",
    )
    .unwrap();
    assert_one_line_error(
        &bearing(d, &["import", "roles", "goals.md"], &[]),
        1,
        "cannot tell which area this page is about: name it (--area NAME)",
    );
}

/// A team of two on the Engineer ladder (bands generated from a benchmark of 125,000 from
/// 2026-01-01, three levels and two steps): Ada Byron, employee, half time at L2 from March
/// 2026 on two grants (assignment 1), and Cy, contractor, at L1 for March 2026 at 4,000 a
/// month (assignment 2). Returns a runner that expects success.
fn team_of_two(d: &std::path::Path) -> impl Fn(&[&str]) -> String + '_ {
    let ok = move |args: &[&str]| {
        let run = bearing(d, args, &[]);
        assert_eq!(run.status, 0, "{args:?}: {}", run.stderr);
        run.stdout
    };
    ok(&["role", "add", "Engineer"]);
    // 125,000 total compensation at L2 step 1 is 100,000 base there.
    assert_eq!(
        ok(&[
            "band",
            "generate",
            "Engineer",
            "--benchmark",
            "125000",
            "--levels",
            "3",
            "--steps",
            "2",
            "--from",
            "2026-01-01"
        ]),
        "6 bands of Engineer from 2026-01-01\n"
    );
    ok(&[
        "person",
        "add",
        "Ada Byron",
        "--kind",
        "employee",
        "--email",
        "ada@example.org",
        "--renewal",
        "07-01",
    ]);
    ok(&["person", "add", "Cy", "--kind", "contractor"]);
    assert_eq!(
        ok(&[
            "person",
            "assign",
            "ada@example.org",
            "--role",
            "Engineer",
            "--level",
            "2",
            "--fte",
            "0.5",
            "--start",
            "2026-03-01",
            "--funding",
            "G-1=0.6,G-2=0.4"
        ]),
        "assignment 1: Ada Byron as Engineer L2 step 1 from 2026-03-01\n"
    );
    ok(&[
        "person",
        "assign",
        "Cy",
        "--role",
        "Engineer",
        "--level",
        "1",
        "--start",
        "2026-03-01",
        "--end",
        "2026-03-31",
        "--funding",
        "G-2=1",
        "--monthly-payment",
        "4000",
    ]);
    ok
}

#[test]
fn bands_generated_from_a_benchmark_are_listed_by_day_and_raised_by_a_cost_of_living_adjustment() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = team_of_two(d);
    let bands = ok(&["band", "list", "--on", "2026-06-01", "--format", "csv"]);
    assert!(
        bands.contains("Engineer,Engineer L2,2,1,100000.00,2026-01-01,"),
        "{bands}"
    );
    assert!(
        bands.contains("Engineer,Engineer L3,3,2,112200.00,2026-01-01,"),
        "{bands}"
    );
    assert_eq!(
        ok(&["band", "cola", "3", "--from", "2027-01-01"]),
        "6 bands raised by 3% from 2027-01-01\n"
    );
}

/// March: Ada 100,000 × 0.5 ÷ 12 × 1.25 = 5,208.33, 60/40; Cy 4,000 × 1.2 = 4,800.
#[test]
fn the_team_cost_is_each_assignments_pay_with_benefits_split_by_grant() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = team_of_two(d);
    let cost = ok(&[
        "person", "cost", "--from", "2026-03", "--months", "2", "--format", "csv",
    ]);
    assert_eq!(
        cost,
        "month,area,role,grant,cost\n2026-03,,Engineer,G-1,3125.00\n2026-03,,Engineer,G-2,6883.33\n2026-04,,Engineer,G-1,3125.00\n2026-04,,Engineer,G-2,2083.33\n"
    );
    let list = ok(&["person", "list", "--format", "csv"]);
    assert!(
        list.contains("Ada Byron,ada@example.org,,employee,07-01,Engineer L2 (0.5 FTE)"),
        "{list}"
    );
    // Before anyone was assigned, the team cost nothing.
    assert_eq!(
        ok(&[
            "person", "cost", "--from", "2025-01", "--months", "3", "--format", "csv"
        ]),
        "month,area,role,grant,cost\n"
    );
}

#[test]
fn an_assignment_is_refused_without_a_contractors_payment_or_with_a_bad_funding_split() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let _ = team_of_two(d);
    assert_one_line_error(
        &bearing(
            d,
            &[
                "person",
                "assign",
                "Cy",
                "--role",
                "Engineer",
                "--level",
                "1",
                "--start",
                "2026-05-01",
                "--funding",
                "G-2=1",
            ],
            &[],
        ),
        1,
        "monthly_payment: a contractor needs a monthly payment",
    );
    assert_one_line_error(
        &bearing(
            d,
            &[
                "person",
                "assign",
                "Ada Byron",
                "--role",
                "Engineer",
                "--level",
                "2",
                "--start",
                "2026-05-01",
                "--funding",
                "G-1",
            ],
            &[],
        ),
        2,
        "expected CODE=SHARE",
    );
}

#[test]
fn the_rate_calculator_works_the_documented_example_and_the_balancing_rule_says_what_is_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = team_of_two(d);
    // The worked example of docs/domain.md, "People": $180k ÷ 900 hours = $200; × 1.15 = $230; with 8.7% margin ≈ $250.
    assert_eq!(
        ok(&[
            "person", "rate", "--cost", "180000", "--hours", "900", "--fee", "0.15", "--margin",
            "0"
        ]),
        "$180,000 ÷ 900 hours × 1.15 (FSP fee) × 1 (margin) = $230.00 an hour\n"
    );
    assert!(
        ok(&["person", "rate", "--fee", "0.15", "--margin", "0.087"])
            .ends_with("= $250.01 an hour\n")
    );
    assert_one_line_error(
        &bearing(d, &["person", "rate", "--hours", "0"], &[]),
        2,
        "--hours must be above 0",
    );
    let balance = ok(&["person", "balance", "--format", "csv"]);
    assert!(
        balance.starts_with("measure,value,holds,how\ncosts,"),
        "{balance}"
    );
    assert!(
        balance.contains("\namount_sold,,,"),
        "no books closed: unknown: {balance}"
    );
}

#[test]
fn a_role_paid_on_another_ladder_and_corrections_to_people_and_assignments_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = team_of_two(d);
    // A second role paid on the engineers' ladder, a renamed person, a corrected assignment.
    ok(&["role", "add", "Designer"]);
    assert_eq!(
        ok(&[
            "role",
            "edit",
            "Designer",
            "--ladder",
            "Engineer",
            "--key-goal",
            "Make hubs pleasant."
        ]),
        "role 2: Designer (paid by the ladder Engineer)\n"
    );
    assert_one_line_error(
        &bearing(d, &["role", "edit", "Designer", "--clear", "name"], &[]),
        2,
        "--clear name: expected area, ladder or key-goal",
    );
    ok(&[
        "person",
        "assign",
        "Cy",
        "--role",
        "Designer",
        "--level",
        "3",
        "--step",
        "2",
        "--start",
        "2026-04-01",
        "--funding",
        "G-2=1",
        "--monthly-payment",
        "5000",
    ]);
    assert_one_line_error(
        &bearing(d, &["person", "edit-assignment", "3", "--level", "4"], &[]),
        1,
        "level: the ladder \"Engineer\" has no L4: its levels are L1, L2, L3",
    );
    assert_one_line_error(
        &bearing(
            d,
            &[
                "person",
                "edit-assignment",
                "1",
                "--clear",
                "end",
                "--end",
                "2026-12-31",
            ],
            &[],
        ),
        2,
        "--clear end and --end: give one or the other",
    );
    assert_eq!(
        ok(&[
            "person",
            "edit-assignment",
            "1",
            "--fte",
            "1",
            "--end",
            "2026-12-31"
        ]),
        "assignment 1: Ada Byron as Engineer L2 step 1 from 2026-03-01 until 2026-12-31\n"
    );
    assert_eq!(
        ok(&[
            "person",
            "edit",
            "Ada Byron",
            "--name",
            "Ada Lovelace",
            "--github",
            "ada",
            "--clear",
            "renewal"
        ]),
        "employee 1: Ada Lovelace\n"
    );
    let list = ok(&["person", "list", "--format", "csv"]);
    assert!(
        list.contains("Ada Lovelace,ada@example.org,ada,employee,,"),
        "{list}"
    );
    assert_one_line_error(
        &bearing(
            d,
            &["person", "edit", "Cy", "--email", "ADA@example.org"],
            &[],
        ),
        1,
        "Ada Lovelace already has the email",
    );
    let history = ok(&["history", "person", "1"]);
    assert!(history.contains("create"), "{history}");
    assert!(history.contains("update"), "{history}");
}

#[test]
fn a_person_entered_by_mistake_is_deleted_once_unassigned_and_can_be_restored() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = team_of_two(d);
    // Someone entered by mistake: refused while assigned, deleted once the assignment is.
    ok(&["person", "add", "Typo", "--kind", "employee"]);
    ok(&[
        "person",
        "assign",
        "Typo",
        "--role",
        "Engineer",
        "--level",
        "1",
        "--start",
        "2026-05-01",
        "--funding",
        "G-1=1",
    ]);
    assert_one_line_error(
        &bearing(d, &["person", "delete", "Typo"], &[]),
        1,
        "person 3 holds assignments 3 (Engineer L1)",
    );
    assert_eq!(
        ok(&["person", "delete-assignment", "3"]),
        "deleted assignment 3: Typo\n"
    );
    assert_eq!(
        ok(&["person", "delete", "Typo"]),
        "deleted person 3: Typo\n"
    );
    assert!(!ok(&["person", "list"]).contains("Typo"));
    assert_eq!(ok(&["person", "restore", "3"]), "restored person 3: Typo\n");
    assert_eq!(
        ok(&["person", "restore-assignment", "3"]),
        "restored assignment 3: Typo\n"
    );
}

#[test]
fn invoices_are_added_issued_paid_and_aged_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = |args: &[&str]| {
        let run = bearing(d, args, &[]);
        assert_eq!(run.status, 0, "{args:?}: {}", run.stderr);
        run.stdout
    };
    ok(&["org", "add", "atlantis", "--kind", "community"]);
    let added = ok(&[
        "invoice",
        "add",
        "--org",
        "atlantis",
        "--kind",
        "membership",
        "--line",
        "Membership 2026; 12000",
        "--line",
        "Setup; 2; 250.50",
        "--service-from",
        "2026-01-01",
        "--service-to",
        "2026-12-31",
    ]);
    assert!(
        added.contains("added draft invoice INV-00001 (id 1) to atlantis: 12501.00 USD"),
        "{added}"
    );
    // A draft's lines are replaced until it is issued.
    let fewer = ok(&[
        "invoice",
        "edit",
        "INV-00001",
        "--line",
        "Membership 2026; 12000",
    ]);
    assert!(
        fewer.contains("draft invoice INV-00001 now bills 12000.00 USD in 1 line(s)"),
        "{fewer}"
    );
    let edited = ok(&[
        "invoice",
        "edit",
        "INV-00001",
        "--line",
        "Membership 2026; 12000",
        "--line",
        "Setup; 2; 250.50",
    ]);
    assert!(
        edited.contains("draft invoice INV-00001 now bills 12501.00 USD in 2 line(s)"),
        "{edited}"
    );
    let issued = ok(&["invoice", "issue", "INV-00001", "--on", "2026-01-10"]);
    assert!(
        issued.contains("issued invoice INV-00001 on 10 Jan 2026, due 9 Feb 2026"),
        "{issued}"
    );
    let paid = ok(&["invoice", "pay", "INV-00001", "5000", "--on", "2026-04-20"]);
    assert!(
        paid.contains("5000.00 USD paid, 7501.00 USD to pay (partially-paid)"),
        "{paid}"
    );
    // The history names the invoice by its number and shows the payment added, not the list.
    let history = ok(&["history", "invoice", "INV-00001"]);
    assert!(
        history.contains("payments added: id: 1, paid on: 20 Apr 2026, amount: $5,000\n"),
        "{history}"
    );
    let refused = bearing(
        d,
        &["invoice", "edit", "INV-00001", "--line", "Setup; 1"],
        &[],
    );
    assert_one_line_error(&refused, 1, "is issued: its lines stay as they are");
    let refused = bearing(d, &["invoice", "pay", "INV-00001", "99999"], &[]);
    assert_one_line_error(&refused, 1, "is more than the balance of 7501.00 USD");
    let refused = bearing(
        d,
        &[
            "invoice", "add", "--org", "atlantis", "--kind", "gift", "--line", "A; 1",
        ],
        &[],
    );
    assert_one_line_error(&refused, 2, "--kind");
    let shown = ok(&["invoice", "show", "1"]);
    assert!(
        shown.contains("2 × 250.50 USD  501.00 USD  Setup"),
        "{shown}"
    );
    let list = ok(&[
        "invoice",
        "list",
        "--status",
        "partially-paid",
        "--format",
        "csv",
    ]);
    assert_eq!(list.lines().count(), 2, "{list}");
    // On 31 Mar the $5,000 paid in April does not count: $12,501 is 50 days past due.
    let aging = ok(&[
        "report",
        "aging",
        "--as-of",
        "2026-03-31",
        "--format",
        "csv",
    ]);
    assert!(
        aging.contains("INV-00001,atlantis,,USD,2026-01-10,2026-02-09,50,,,12501.00,,,12501.00"),
        "{aging}"
    );
    assert!(
        aging.contains("Total,,,USD,,,,0.00,0.00,12501.00,0.00,0.00,12501.00"),
        "{aging}"
    );
    let invoicing = ok(&[
        "report",
        "invoicing",
        "--as-of",
        "2026-04-30",
        "--format",
        "csv",
    ]);
    assert!(
        invoicing.contains("2026-04,USD,0,0.00,5000.00,,,0,,7501.00,"),
        "{invoicing}"
    );
}

#[test]
fn a_deal_is_billed_on_its_schedule_by_the_billing_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = |args: &[&str]| {
        let run = bearing(d, args, &[]);
        assert_eq!(run.status, 0, "{args:?}: {}", run.stderr);
        run.stdout
    };
    ok(&["org", "add", "lakeshore", "--kind", "community"]);
    ok(&[
        "deal",
        "add",
        "--name",
        "Lakeshore 2026",
        "--org",
        "lakeshore",
        "--stage",
        "Outreach",
        "--type",
        "membership-general",
        "--amount",
        "12000",
    ]);
    ok(&[
        "deal",
        "move",
        "1",
        "closed won",
        "--contract-start",
        "2026-01-01",
        "--contract-end",
        "2026-12-31",
    ]);
    // $12,000 a year billed quarterly in advance: $3,000 on the first day of each quarter.
    let set = ok(&["billing", "schedule", "1", "--set", "quarterly"]);
    assert!(
        set.contains("deal 1: billed quarterly, in advance"),
        "{set}"
    );
    let instalments = ok(&["billing", "schedule", "1", "--format", "csv"]);
    assert_eq!(instalments.lines().count(), 5, "{instalments}");
    assert!(instalments.contains("2026-04-01"), "{instalments}");
    // By May two quarters are due; the preview writes nothing.
    let preview = ok(&["billing", "run", "2026-05"]);
    let rows = ok(&["billing", "run", "2026-05", "--format", "csv"]);
    assert_eq!(rows.lines().count(), 3, "{rows}");
    assert!(preview.contains("deal-1-2026-01-01"), "{preview}");
    assert!(preview.contains("deal-1-2026-04-01"), "{preview}");
    assert!(
        preview.contains("2 invoice(s) to make for 2026-05, $6,000.00; nothing was written"),
        "{preview}"
    );
    assert_eq!(
        ok(&["invoice", "list", "--format", "csv"]).lines().count(),
        1
    );
    let refused = bearing(d, &["billing", "run", "2026-05", "--only", "x"], &[]);
    assert_one_line_error(&refused, 2, "--confirm");
    let made = ok(&[
        "billing",
        "run",
        "2026-05",
        "--confirm",
        "--only",
        "deal-1-2026-01-01",
    ]);
    assert!(made.contains("1 draft(s) made for 2026-05"), "{made}");
    // What is drafted is billed: the second run proposes only the quarter left.
    let again = ok(&["billing", "run", "2026-05"]);
    assert!(!again.contains("deal-1-2026-01-01"), "{again}");
    assert!(
        again.contains("1 invoice(s) to make for 2026-05, $3,000.00"),
        "{again}"
    );
    let refused = bearing(d, &["billing", "schedule", "1", "--set", "weekly"], &[]);
    assert_one_line_error(&refused, 2, "weekly");
}

#[test]
fn the_sponsors_ledger_is_imported_and_reconciled_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = |args: &[&str]| {
        let run = bearing(d, args, &[]);
        assert_eq!(run.status, 0, "{args:?}: {}", run.stderr);
        run.stdout
    };
    ok(&[
        "org",
        "add",
        "lakeshore",
        "--kind",
        "community",
        "--long-name",
        "Lakeshore College",
    ]);
    let aliases = ok(&[
        "org",
        "alias",
        "lakeshore",
        "--add",
        "Lakeshore College Foundation",
    ]);
    assert_eq!(aliases.trim(), "Lakeshore College Foundation");
    ok(&[
        "invoice",
        "add",
        "--org",
        "lakeshore",
        "--kind",
        "service",
        "--line",
        "Training; 400",
    ]);
    ok(&["invoice", "issue", "INV-00001", "--on", "2026-10-01"]);
    std::fs::write(
        d.join("ledger.csv"),
        "InvoiceNumber,Contact,Date,DueDate,Total,AmountPaid,Status\n\
         INV-00001,Lakeshore College,2026-10-01,2026-10-31,440.00,0,AUTHORISED\n\
         S-77,lakeshore college foundation,2026-10-05,2026-11-04,90.00,90.00,PAID\n\
         S-78,Unknown Trust,2026-10-06,2026-11-05,50.00,0,AUTHORISED\n",
    )
    .unwrap();
    let dry = ok(&["import", "ledger", "ledger.csv", "--dry-run"]);
    assert!(
        dry.contains("would make 1 invoices Bearing did not have: S-77"),
        "{dry}"
    );
    assert!(dry.contains("nothing was written"), "{dry}");
    let done = ok(&["import", "ledger", "ledger.csv"]);
    assert!(
        done.contains("made 1 invoices Bearing did not have: S-77"),
        "{done}"
    );
    assert!(done.contains("Unknown Trust"), "{done}");
    let again = ok(&["import", "ledger", "ledger.csv"]);
    assert!(again.contains("0 new, 0 changed, 3 unchanged"), "{again}");
    let report = ok(&["report", "reconciliation", "--format", "csv"]);
    let rows: Vec<&str> = report.lines().collect();
    assert_eq!(
        rows[0], "number,organization,finding,bearing,ledger,action",
        "{report}"
    );
    assert_eq!(rows.len(), 3, "{report}");
    assert!(
        rows[1].starts_with("S-78,Unknown Trust,unplaced"),
        "{report}"
    );
    assert!(
        rows[2].starts_with("INV-00001,Lakeshore College,total,$400.00,$440.00"),
        "{report}"
    );
    // A row that cannot be read imports nothing and names its line and column.
    std::fs::write(
        d.join("bad.csv"),
        "InvoiceNumber,Contact,Date,Total,Status\nS-80,Lakeshore College,2026-10-07,12.00,LOST\n",
    )
    .unwrap();
    let refused = bearing(d, &["import", "ledger", "bad.csv"], &[]);
    assert_eq!(refused.status, 1, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("bad.csv:2: column Status = \"LOST\""),
        "{}",
        refused.stderr
    );
    assert_eq!(ok(&["report", "reconciliation", "--format", "csv"]), report);
    let removed = ok(&[
        "org",
        "alias",
        "lakeshore",
        "--remove",
        "LAKESHORE COLLEGE FOUNDATION",
    ]);
    assert!(removed.contains("has no aliases"), "{removed}");
}

#[test]
fn cloud_bills_are_imported_mapped_decided_and_recovered_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = |args: &[&str]| {
        let run = bearing(d, args, &[]);
        assert_eq!(run.status, 0, "{args:?}: {}", run.stderr);
        run.stdout
    };
    std::fs::write(
        d.join("usage.csv"),
        "date,hub,users,cluster\n2026-10-31,north,30,pool\n2026-10-31,south,10,pool\n",
    )
    .unwrap();
    ok(&["import", "usage", "usage.csv"]);
    ok(&["org", "add", "northfield"]);
    ok(&["org", "add", "southport"]);
    ok(&["cluster", "edit", "pool/north", "--org", "northfield"]);
    ok(&["cluster", "edit", "pool/south", "--org", "southport"]);
    let mapped = ok(&["cloud", "map", "account", "acct-1", "--cluster", "pool"]);
    assert!(mapped.contains("account acct-1"), "{mapped}");
    let refused = bearing(
        d,
        &["cloud", "map", "tag", "team", "--cluster", "pool"],
        &[],
    );
    assert_one_line_error(&refused, 2, "NAME=VALUE");
    std::fs::write(
        d.join("bill.csv"),
        "BillingPeriodStart,BillingAccountId,BilledCost\n\
         2026-07-01,acct-1,100\n2026-08-01,acct-1,100\n2026-09-01,acct-1,100\n\
         2026-10-01,acct-1,200.004\n",
    )
    .unwrap();
    let dry = ok(&["import", "cloud-costs", "bill.csv", "--dry-run"]);
    assert!(
        dry.contains("would import acct-1 2026-10: 1 lines (1 new"),
        "{dry}"
    );
    assert!(dry.contains("nothing was written"), "{dry}");
    ok(&["import", "cloud-costs", "bill.csv"]);
    let again = ok(&["import", "cloud-costs", "bill.csv"]);
    assert!(
        again.contains("imported acct-1 2026-10: 1 lines (0 new, 1 unchanged"),
        "{again}"
    );
    // October is over its $120.00 threshold by $80.00, to be decided.
    let costs = ok(&["cloud", "costs", "--format", "csv"]);
    assert!(
        costs.contains("2026-10,acct-1,USD,1,200.00,200.00,120.00,80.00,to decide,"),
        "{costs}"
    );
    let refused = bearing(
        d,
        &[
            "cloud", "decide", "acct-1", "2026-10", "forgive", "--reason", "x",
        ],
        &[],
    );
    assert_eq!(refused.status, 2, "{}", refused.stderr);
    ok(&[
        "cloud", "decide", "acct-1", "2026-10", "discount", "--amount", "20", "--reason",
        "a launch",
    ]);
    // By usage, 30 : 10: October's $180.00 after the discount is $135.00 and $45.00.
    let report = ok(&["report", "cloud-recovery", "--format", "csv"]);
    assert!(
        report.contains("northfield,2026-10,USD,135.00,0.00,135.00,unrecovered"),
        "{report}"
    );
    assert!(
        report.contains("southport,2026-10,USD,45.00,0.00,45.00,unrecovered"),
        "{report}"
    );
    ok(&["cloud", "split", "pool", "fixed north=50,south=50"]);
    let report = ok(&["report", "cloud-recovery", "--format", "csv"]);
    assert!(report.contains("northfield,2026-10,USD,90.00"), "{report}");
    let refused = bearing(d, &["cloud", "split", "pool", "fixed north=50"], &[]);
    assert_one_line_error(&refused, 2, "50%");
    let credits = ok(&[
        "cloud",
        "credits",
        "--org",
        "southport",
        "--add",
        "300",
        "--on",
        "2026-10-01",
        "--format",
        "csv",
    ]);
    assert!(
        credits.contains("southport,USD,300.00,90.00,210.00,90.00,2.3"),
        "{credits}"
    );
}
