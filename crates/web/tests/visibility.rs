//! Who sees what (docs/security.md): each role signs in and walks every page, every API route
//! (as JSON and as CSV), every download (CSV and the XLSX workbook) and every history and audit
//! view, and no response to a role may carry a figure that role may not see. Distinctive
//! amounts are planted (a salary, a contractor's payment, grant codes, the team's cost, the
//! assumptions' fee, cash, a user's email) so that they can be searched for in every answer,
//! and each is shown at least once to the admin, so the search cannot pass by looking for
//! the wrong text.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod support;

use std::collections::BTreeSet;
use std::io::Read;

use axum::Router;
use axum::body::Body;
use axum::http::Method;
use bearing_app::{accounts, people};
use bearing_core::EntityKind;
use bearing_core::access::Role;
use bearing_core::people::{AssignmentFields, Band, PersonFields, PersonKind};
use bearing_store::testing::TestDb;
use bearing_web::{AppState, WebConfig, router, routes};
use support::{Browser, PASSWORD, ctx, send};

bearing_store::on_both_backends!(
    every_role_sees_only_the_figures_it_may,
    cash_is_hidden_from_members_when_the_organisation_says_so,
);

/// What kind of figure a mark is, and so who may see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Owner {
    /// A person's pay, and the team's cost made of it: finance and admin.
    Pay,
    /// The assumptions' values: finance and admin.
    Assumptions,
    /// Cash: everyone when the organisation says so, else finance and admin.
    Cash,
    /// Users' emails and roles, and the scheduled jobs' runs: admin.
    Users,
}

fn may_see(role: Role, owner: Owner, members_see_cash: bool) -> bool {
    use bearing_core::access::Permission;
    let holds = |permission| role.allows(permission);
    match owner {
        Owner::Pay => holds(Permission::ReadPay),
        Owner::Assumptions => holds(Permission::EditAssumptions),
        Owner::Cash => members_see_cash || holds(Permission::ReadCash),
        Owner::Users => holds(Permission::ManageUsers),
    }
}

/// Whether `text` holds `figure` as a whole number or word: not as part of a longer number
/// (so `7,654` does not match inside `17,654.00`, nor `61728` inside `617281`).
fn holds(text: &str, figure: &str) -> bool {
    let digit_like = |c: char| c.is_ascii_digit();
    text.match_indices(figure).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after: Vec<char> = text[at + figure.len()..].chars().take(2).collect();
        let continues = match after.as_slice() {
            [c, ..] if digit_like(*c) => true,
            [',', c] if digit_like(*c) => true,
            _ => false,
        };
        !before.is_some_and(digit_like) && !continues
    })
}

/// The data every walk needs: the demo organisation, a planted role, two planted people and
/// assumptions whose costs come from the team.
struct Planted {
    app: Router,
    marks: Vec<(Owner, String)>,
    ids: Ids,
}

struct Ids {
    person: i64,
    assignment: i64,
    role: i64,
    /// (kind, id) of the newest audit row of each kind, for the history routes.
    history: Vec<(EntityKind, String)>,
}

/// Plants the data; the scorecard's costs are the team's when `costs_from_team`, else a typed
/// $55,555 a month.
async fn plant(db: &TestDb, members_see_cash: bool, costs_from_team: bool) -> Planted {
    let store = db.store().await;
    support::add_users(&store).await;
    // Someone only the admins know of: they never act, so only the users' pages name them.
    accounts::add_user(
        &store,
        &ctx(),
        "ghost.user@example.org",
        None,
        Role::Member,
        PASSWORD,
    )
    .await
    .unwrap();
    let data = bearing_core::demo::generate(bearing_core::demo::DemoSpec {
        seed: 11,
        as_of: bearing_core::parse_date("2026-06-15").unwrap(),
        deals: Some(40),
    });
    bearing_app::demo::load(&store, &ctx(), &data)
        .await
        .unwrap();
    let role = bearing_app::roles::add(&store, &ctx(), "Harbour Engineer", None)
        .await
        .unwrap();
    people::set_generated_bands(
        &store,
        &ctx(),
        &[Band {
            ladder: "Harbour Engineer".into(),
            level: 2,
            step: 3,
            annual_base: 12_345_678,
            effective_from: bearing_core::parse_date("2020-01-01").unwrap(),
            note: None,
        }],
    )
    .await
    .unwrap();
    let person = |name: &str, kind| PersonFields {
        name: name.into(),
        email: None,
        github: None,
        kind,
        renewal: None,
    };
    let pat = people::add_person(&store, &ctx(), person("Pat Planted", PersonKind::Employee))
        .await
        .unwrap();
    let assignment = people::assign(
        &store,
        &ctx(),
        pat.id,
        AssignmentFields {
            role: "Harbour Engineer".into(),
            level: 2,
            step: 3,
            fte: 0.5,
            start: bearing_core::parse_date("2021-01-01").unwrap(),
            end: None,
            monthly_payment: None,
            description: Some("Keeps the harbour hubs running".into()),
            funding: vec![("GRANT-PAT-77".into(), 1.0)],
        },
    )
    .await
    .unwrap();
    let cleo = people::add_person(
        &store,
        &ctx(),
        person("Cleo Planted", PersonKind::Contractor),
    )
    .await
    .unwrap();
    people::assign(
        &store,
        &ctx(),
        cleo.id,
        AssignmentFields {
            role: "Harbour Engineer".into(),
            level: 2,
            step: 3,
            fte: 1.0,
            start: bearing_core::parse_date("2021-01-01").unwrap(),
            end: None,
            monthly_payment: Some(765_432),
            description: None,
            funding: vec![("GRANT-CLEO-88".into(), 1.0)],
        },
    )
    .await
    .unwrap();
    // A scheduled job's run, whose instance only the admins may see.
    bearing_app::jobs::run_in_slot(
        &store,
        &ctx(),
        "usage-pull",
        jiff::Timestamp::UNIX_EPOCH,
        "instance-harbour-31",
        || async { Ok("wrote nothing".to_owned()) },
    )
    .await
    .unwrap();
    let today = jiff::Zoned::now().date();
    let set = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    let assumptions = [
        set("books-closed", "2026-05"),
        set("net-assets", "9876543"),
        set("fsp-fee", "0.1234"),
        set("costs-from", if costs_from_team { "team" } else { "typed" }),
        set("monthly-costs", "55555"),
        set("non-personnel-costs", "1111"),
        set("mc-runs", "200"),
    ];
    let version = bearing_app::assumptions::set(&store, &ctx(), &assumptions, today)
        .await
        .unwrap();
    // The team's cost as the scorecard weighs it: what a hire before and after would reveal.
    let costs = people::effective_costs(
        &store,
        &version.values,
        bearing_core::Month::parse("2026-06").unwrap(),
    )
    .await
    .unwrap()
    .monthly;
    let team = bearing_core::forecast::dollars(costs - 1111.0);
    // The ledger for June, with a salary line, and June closed: the books are pay.
    bearing_app::books::import_actuals(
        &store,
        &ctx(),
        "gl.csv",
        "Date,Net,Account Code,Grants\n2026-06-05,1000.00,4221,\n2026-06-30,8642.13,6000,GRANT-LEDGER-42\n"
            .as_bytes(),
        &bearing_formats::ledger::Columns::default(),
        None,
        false,
    )
    .await
    .unwrap();
    bearing_app::books::map_account(
        &store,
        &ctx(),
        "6000",
        Some("Salaries"),
        bearing_core::actuals::Category::Personnel,
    )
    .await
    .unwrap();
    bearing_app::books::close(
        &store,
        &ctx(),
        bearing_core::Month::parse("2026-06").unwrap(),
        None,
        None,
    )
    .await
    .unwrap();
    // A saved hire, weighed by its band: pay.
    bearing_app::scenarios::add(
        &store,
        &ctx(),
        "Harbour hire",
        None,
        vec![
            bearing_core::scenario::Change::parse(
                "hire role=Harbour Engineer; level=2; step=3; start=2026-09",
            )
            .unwrap(),
        ],
    )
    .await
    .unwrap();
    // An invoice, partly paid: what is billed and collected is cash.
    let billed = store.list_organizations(false).await.unwrap()[0].id;
    let invoice = bearing_app::invoices::add(
        &store,
        &ctx(),
        bearing_app::invoices::NewDraft {
            number: Some("HARBOUR-9".into()),
            organization: billed,
            deal: None,
            kind: bearing_core::invoice::Kind::Service,
            currency: None,
            service_from: None,
            service_to: None,
            billable_on: None,
            terms_days: None,
            external_id: None,
            source: None,
            lines: vec![
                bearing_core::invoice::LineInput::parse("Harbour training; 4321.87").unwrap(),
            ],
        },
    )
    .await
    .unwrap();
    bearing_app::invoices::issue(
        &store,
        &ctx(),
        "HARBOUR-9",
        bearing_core::parse_date("2026-05-01").ok(),
    )
    .await
    .unwrap();
    bearing_app::invoices::pay(
        &store,
        &ctx(),
        "HARBOUR-9",
        bearing_app::invoices::NewPayment {
            on: bearing_core::parse_date("2026-05-20").ok(),
            amount: "1234.56".into(),
            reference: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(invoice.record.total_minor, 432_187);
    // The sponsor's ledger holds an invoice Bearing cannot place: the reconciliation lists
    // its total, which is cash.
    bearing_app::ledger::import(
        &store,
        &ctx(),
        "ledger.csv",
        "InvoiceNumber,Contact,Date,DueDate,Total,AmountPaid,Status\n\
         LEDGER-5,Far Away Trust,2026-05-02,2026-06-01,2468.02,0,AUTHORISED\n"
            .as_bytes(),
        &Default::default(),
        false,
    )
    .await
    .unwrap();
    // A won deal billed on two milestones: what each bills, and when, is cash. The run for
    // June (the walk's month) bills the first; the page's run for this month both.
    let organization = store.list_organizations(false).await.unwrap()[0]
        .fields
        .name
        .clone();
    let mut fields =
        bearing_core::deal::DealFields::new("Harbour retainer", "Membership Sales", "Closed Won");
    fields.organization = Some(organization);
    fields.amount_minor = Some(246_813);
    fields.close_date = bearing_core::parse_date("2026-05-01").ok();
    fields.contract_start = bearing_core::parse_date("2026-05-01").ok();
    fields.contract_end = bearing_core::parse_date("2026-10-31").ok();
    let retainer = bearing_app::deals::create(&store, &ctx(), fields)
        .await
        .unwrap();
    let milestone = |on: &str, amount: &str| bearing_app::billing::MilestoneInput {
        on: bearing_core::parse_date(on).unwrap(),
        amount: amount.to_owned(),
    };
    bearing_app::billing::set(
        &store,
        &ctx(),
        retainer.id,
        bearing_app::billing::ScheduleInput {
            timing: bearing_core::billing::Timing::Advance,
            frequency: bearing_core::billing::Frequency::Custom,
            milestones: vec![
                milestone("2026-06-01", "1357.91"),
                milestone("2026-07-01", "1110.22"),
            ],
        },
    )
    .await
    .unwrap();
    // A cloud bill on one of the clusters, and credits held for a partner: what the cloud
    // costs and what is held for a partner are cash.
    let cluster = store
        .list_units()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.kind() == bearing_store::UnitKind::Cluster)
        .unwrap();
    bearing_app::cloud::map(
        &store,
        &ctx(),
        &bearing_app::cloud::MappingInput {
            kind: "account".into(),
            tag: String::new(),
            value: "ACCT-VIS".into(),
            cluster: cluster.name.clone(),
            hub: None,
            recoverable: true,
        },
    )
    .await
    .unwrap();
    bearing_app::cloud::import(
        &store,
        &ctx(),
        "bill.csv",
        "BillingPeriodStart,BillingAccountId,BilledCost\n2026-05-01,ACCT-VIS,9753.19\n".as_bytes(),
        &Default::default(),
        false,
    )
    .await
    .unwrap();
    bearing_app::cloud::add_credit(
        &store,
        &ctx(),
        store.list_organizations(false).await.unwrap()[0].id,
        bearing_core::Money::from_minor(468_257, bearing_core::Currency::USD),
        bearing_core::parse_date("2026-05-01").unwrap(),
        None,
    )
    .await
    .unwrap();
    let mut marks = vec![
        (Owner::Cash, "9753.19".to_owned()),
        (Owner::Cash, "4682.57".to_owned()),
        (Owner::Cash, "4321.87".to_owned()),
        (Owner::Cash, "1234.56".to_owned()),
        (Owner::Cash, "3087.31".to_owned()),
        (Owner::Cash, "1357.91".to_owned()),
        (Owner::Cash, "1,357.91".to_owned()),
        (Owner::Cash, "1,110.22".to_owned()),
        (Owner::Cash, "2,468.02".to_owned()),
        (Owner::Pay, "Harbour hire".to_owned()),
        (Owner::Pay, "8642.13".to_owned()),
        (Owner::Pay, "8,642".to_owned()),
        (Owner::Pay, "GRANT-LEDGER-42".to_owned()),
        // Pat: half of a $123,456.78 band, $61,728.39 a year, $6,430.04 a month with benefits.
        (Owner::Pay, "61,728".to_owned()),
        (Owner::Pay, "61728.39".to_owned()),
        (Owner::Pay, "6430.04".to_owned()),
        (Owner::Pay, "GRANT-PAT-77".to_owned()),
        // Cleo: $7,654.32 a month (765432 cents).
        (Owner::Pay, "7654.32".to_owned()),
        (Owner::Pay, "765432".to_owned()),
        (Owner::Pay, "GRANT-CLEO-88".to_owned()),
        (Owner::Assumptions, "0.1234".to_owned()),
        (Owner::Assumptions, "9876543".to_owned()),
        (Owner::Users, "ghost.user@example.org".to_owned()),
        (Owner::Users, "instance-harbour-31".to_owned()),
    ];
    if costs_from_team {
        marks.push((Owner::Pay, team.trim_start_matches('$').to_owned()));
    } else {
        marks.push((Owner::Cash, "55,555".to_owned()));
    }
    let mut history = Vec::new();
    for kind in EntityKind::ALL {
        let search = bearing_store::AuditSearch {
            entity: Some(kind),
            ..Default::default()
        };
        let (_, rows) = store.search_audit(&search, 1).await.unwrap();
        if let Some(row) = rows.first() {
            history.push((kind, row.entity_id.clone()));
        }
    }
    let config = WebConfig {
        members_see_cash,
        ..WebConfig::default()
    };
    Planted {
        app: router(AppState::new(store), config),
        marks,
        ids: Ids {
            person: pat.id.get(),
            assignment: assignment.id.get(),
            role: role.id.get(),
            history,
        },
    }
}

/// Every GET the walk makes: each registered GET route with its parameters filled from the
/// planted data, each report and history kind, and the CSV form of every API answer.
fn walk(ids: &Ids) -> Vec<String> {
    let (_, inventory) = routes();
    let mut paths = BTreeSet::new();
    for (method, template, _) in inventory {
        if method != Method::GET
            || ["/static/{file}", "/login", "/setup", "/healthz", "/readyz"]
                .contains(&template.as_str())
        {
            continue;
        }
        let id = if template.starts_with("/people/") || template.starts_with("/api/v1/people/") {
            ids.person.to_string()
        } else if template.starts_with("/assignments/") {
            ids.assignment.to_string()
        } else if template.starts_with("/roles/") || template.starts_with("/api/v1/roles/") {
            ids.role.to_string()
        } else {
            "1".to_owned()
        };
        if template == "/api/v1/history/{kind}/{id}" {
            for (kind, id) in &ids.history {
                paths.insert(format!("/api/v1/history/{kind}/{}", support::encode(id)));
            }
            continue;
        }
        if template == "/api/v1/reports/{name}" {
            for name in bearing_app::reports::NAMES {
                paths.insert(format!("/api/v1/reports/{name}"));
            }
            continue;
        }
        paths.insert(
            template
                .replace("{id}", &id)
                .replace("{month}", "2026-06")
                .replace("{scenario}", "1")
                .replace("{invoice}", "HARBOUR-9")
                .replace("{pipeline}", "Membership%20Sales")
                .replace("{stage}", "Lead"),
        );
    }
    let mut all: Vec<String> = paths.into_iter().collect();
    let api: Vec<String> = all
        .iter()
        .filter(|p| p.starts_with("/api/v1/") && *p != "/api/v1/openapi.json")
        .map(|p| format!("{p}?format=csv"))
        .collect();
    all.extend(api);
    for (kind, _) in &ids.history {
        all.push(format!("/audit?entity={kind}"));
    }
    all.push("/forecast/download?format=xlsx".to_owned());
    for name in bearing_app::reports::NAMES {
        all.push(format!("/forecast/download?format=csv&report={name}"));
    }
    all.push("/team?cost=180000&hours=900&fee=0.15&margin=0".to_owned());
    all
}

/// The text of an answer: the body, or for a workbook the XML of every part of it.
fn readable(reply: &support::Reply) -> String {
    let xlsx = reply
        .content_type
        .as_deref()
        .is_some_and(|t| t.contains("spreadsheetml"));
    if !xlsx {
        return reply.text.clone();
    }
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(reply.bytes.clone())).unwrap();
    let mut text = String::new();
    for i in 0..archive.len() {
        archive
            .by_index(i)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
    }
    text
}

/// Walks every path as each role; returns the marks the admin was shown.
async fn check(planted: &Planted, members_see_cash: bool) -> BTreeSet<String> {
    let paths = walk(&planted.ids);
    assert!(paths.len() > 100, "the walk covers the routes: {paths:?}");
    let mut shown_to_admin = BTreeSet::new();
    for &role in Role::ALL {
        let mut browser = Browser::new(&planted.app);
        browser.sign_in(&format!("{role}@example.org")).await;
        for path in &paths {
            let request = browser
                .request(Method::GET, path)
                .body(Body::empty())
                .unwrap();
            let reply = send(&planted.app, request).await;
            assert!(
                !reply.status.is_server_error(),
                "{role} {path}: {} {}",
                reply.status,
                reply.text
            );
            let text = readable(&reply);
            for (owner, mark) in &planted.marks {
                let seen = holds(&text, mark);
                if seen && role == Role::Admin {
                    shown_to_admin.insert(mark.clone());
                }
                assert!(
                    !seen || may_see(role, *owner, members_see_cash),
                    "{role} sees {owner:?} figure {mark} at {path} ({})",
                    reply.status
                );
            }
        }
    }
    shown_to_admin
}

fn assert_all_shown(planted: &Planted, shown: &BTreeSet<String>) {
    let missing: Vec<&(Owner, String)> = planted
        .marks
        .iter()
        .filter(|(_, mark)| !shown.contains(mark))
        .collect();
    assert!(
        missing.is_empty(),
        "the admin is shown every planted figure somewhere, or the search looks for the wrong text: {missing:?}"
    );
}

async fn every_role_sees_only_the_figures_it_may(db: &TestDb) {
    let planted = plant(db, true, true).await;
    let shown = check(&planted, true).await;
    assert_all_shown(&planted, &shown);
    // Members see the scorecard's cash only when its costs are not the team's: here they are.
    let mut member = Browser::new(&planted.app);
    member.sign_in("member@example.org").await;
    let home = member.get("/").await;
    assert!(
        home.text
            .contains("The health scorecard is not shown to you")
            && home.text.contains("which is made of people"),
        "{}",
        home.text
    );
    let health = member.get("/api/v1/reports/health").await;
    assert_eq!(
        health.status,
        axum::http::StatusCode::FORBIDDEN,
        "{}",
        health.text
    );
}

async fn cash_is_hidden_from_members_when_the_organisation_says_so(db: &TestDb) {
    let planted = plant(db, false, false).await;
    let shown = check(&planted, false).await;
    assert_all_shown(&planted, &shown);
    let mut member = Browser::new(&planted.app);
    member.sign_in("member@example.org").await;
    let home = member.get("/").await;
    assert!(
        home.text.contains("shows cash") && !home.text.contains("against costs of"),
        "{}",
        home.text
    );
    // By default members see the cash of a scorecard whose costs are typed in.
    let open = router(AppState::new(db.store().await), WebConfig::default());
    let mut member = Browser::new(&open);
    member.sign_in("member@example.org").await;
    let home = member.get("/").await;
    assert!(
        home.text.contains("against costs of $")
            && !home
                .text
                .contains("The health scorecard is not shown to you"),
        "{}",
        home.text
    );
}

#[test]
fn a_figure_is_found_only_as_a_whole_number() {
    assert!(holds("pay $7,654 a month", "7,654"));
    assert!(holds("7654.32", "7654.32"));
    assert!(!holds("17,654.00", "7,654"));
    assert!(!holds("7,654,321", "7,654"));
    assert!(holds("\"7654.32\",", "7654.32"));
    assert!(!holds("617281", "61728"));
}
