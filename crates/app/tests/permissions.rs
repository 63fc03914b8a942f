//! Permissions are checked in the services: each service is called as each built-in role and
//! as a custom role that reads and manages grants only, and is refused exactly when the role
//! lacks what the service needs, whichever front door would have called it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use bearing_app::people::RateInput;
use bearing_app::{
    AppError, Context, access, accounts, assumptions, billing, campaigns, contacts, deals, history,
    import, invoices, organizations, people, pipelines, roles, usage,
};
use bearing_core::access::{Permission, Permissions, Role};
use bearing_core::contact::ContactFields;
use bearing_core::deal::DealFields;
use bearing_core::organization::{OrganizationFields, OrganizationKind, OrganizationName};
use bearing_core::people::{PersonFields, PersonKind};
use bearing_core::{Actor, Currency, EntityKind, Month, Source};
use bearing_store::testing::TestDb;
use bearing_store::{AuditSearch, CampaignRow, Store};

bearing_store::on_both_backends!(
    each_service_refuses_exactly_the_roles_without_its_permission,
    a_custom_role_grants_what_it_names_and_nothing_else,
    a_change_recorded_without_the_permission_is_refused_and_rolled_back,
);

fn operator() -> Context {
    Context::new(Actor::parse("operator").unwrap(), Source::Cli)
}

fn as_holder(name: &str, permissions: Permissions) -> Context {
    Context::user(
        Actor::parse(&format!("{name}@example.org")).unwrap(),
        Source::Web,
        bearing_core::UserId::new(1_000).unwrap(),
        permissions,
    )
}

/// Every service a front door calls, by name, with the permissions it needs (all of them).
const SERVICES: &[(&str, &[Permission])] = &[
    ("organizations::create", &[Permission::EditCrm]),
    ("contacts::create", &[Permission::EditCrm]),
    ("campaigns::create", &[Permission::EditCrm]),
    ("deals::create", &[Permission::EditCrm]),
    ("pipelines::add_pipeline", &[Permission::EditCrm]),
    ("import::import_deals", &[Permission::EditCrm]),
    ("usage::import", &[Permission::EditCrm]),
    ("assumptions::set", &[Permission::EditAssumptions]),
    ("assumptions::history", &[Permission::EditAssumptions]),
    ("roles::add", &[Permission::EditPeople]),
    ("people::add_person", &[Permission::EditPeople]),
    ("people::directory", &[Permission::Read]),
    ("people::rate", &[Permission::Read]),
    ("people::team_cost", &[Permission::ReadPay]),
    ("people::assignments_table", &[Permission::ReadPay]),
    (
        "people::balance",
        &[Permission::ReadPay, Permission::ReadCash],
    ),
    ("history::of assignment", &[Permission::ReadPay]),
    ("history::of user", &[Permission::ManageUsers]),
    ("history::of deal", &[Permission::Read]),
    ("history::search", &[Permission::Read]),
    ("accounts::users", &[Permission::ManageUsers]),
    ("jobs::runs", &[Permission::ManageUsers]),
    (
        "books::import_actuals",
        &[Permission::EditAssumptions, Permission::ReadPay],
    ),
    (
        "books::map_account",
        &[Permission::EditAssumptions, Permission::ReadPay],
    ),
    (
        "books::accounts",
        &[Permission::EditAssumptions, Permission::ReadPay],
    ),
    (
        "books::checklist",
        &[Permission::EditAssumptions, Permission::ReadPay],
    ),
    (
        "books::close",
        &[Permission::EditAssumptions, Permission::ReadPay],
    ),
    (
        "books::closes",
        &[Permission::EditAssumptions, Permission::ReadPay],
    ),
    ("history::of actuals", &[Permission::ReadPay]),
    ("history::of close", &[Permission::ReadPay]),
    (
        "scenarios::list",
        &[Permission::EditAssumptions, Permission::ReadPay],
    ),
    (
        "scenarios::add",
        &[Permission::EditAssumptions, Permission::ReadPay],
    ),
    (
        "scenarios::evaluate",
        &[Permission::EditAssumptions, Permission::ReadPay],
    ),
    (
        "scenarios::hire",
        &[Permission::EditAssumptions, Permission::ReadPay],
    ),
    ("history::of scenario", &[Permission::ReadPay]),
    ("invoices::list", &[Permission::ReadCash]),
    ("invoices::get", &[Permission::ReadCash]),
    ("invoices::aging", &[Permission::ReadCash]),
    ("invoices::collections", &[Permission::ReadCash]),
    ("invoices::add", &[Permission::ManageInvoices]),
    ("invoices::issue", &[Permission::ManageInvoices]),
    ("invoices::edit_lines", &[Permission::ManageInvoices]),
    ("invoices::pay", &[Permission::ManageInvoices]),
    ("invoices::void", &[Permission::ManageInvoices]),
    ("history::of invoice", &[Permission::ReadCash]),
    ("billing::of_deal", &[Permission::ReadCash]),
    ("billing::set", &[Permission::ManageInvoices]),
    ("billing::run", &[Permission::ReadCash]),
    ("billing::confirm", &[Permission::ManageInvoices]),
    ("history::of billing-schedule", &[Permission::ReadCash]),
    ("ledger::import", &[Permission::ManageInvoices]),
    ("ledger::reconciliation", &[Permission::ReadCash]),
    ("ledger::aliases", &[Permission::Read]),
    ("ledger::add_alias", &[Permission::EditCrm]),
    ("ledger::remove_alias", &[Permission::EditCrm]),
    ("accounts::add_user", &[Permission::ManageUsers]),
    ("access::list", &[Permission::ManageUsers]),
    ("access::define", &[Permission::ManageUsers]),
];

/// Calls the service `name` as `ctx`; `n` keeps names apart between calls.
async fn call(store: &Store, ctx: &Context, name: &str, n: usize) -> Result<(), AppError> {
    let today = jiff::civil::date(2026, 6, 15);
    match name {
        "organizations::create" => organizations::create(
            store,
            ctx,
            OrganizationFields {
                name: OrganizationName::parse(&format!("org{n}")).unwrap(),
                long_name: None,
                kind: OrganizationKind::Community,
                website: None,
                github_org: None,
                notes: None,
                tags: Vec::new(),
            },
        )
        .await
        .map(drop),
        "contacts::create" => contacts::create(
            store,
            ctx,
            ContactFields {
                name: format!("Contact {n}"),
                email: None,
                github: None,
                strategic: false,
                coverage: Vec::new(),
                notes: None,
                organizations: Vec::new(),
            },
        )
        .await
        .map(drop),
        "campaigns::create" => campaigns::create(
            store,
            ctx,
            CampaignRow {
                name: format!("Campaign {n}"),
                channel: None,
                start_date: None,
                end_date: None,
                currency: Currency::USD,
                cost_minor: None,
                cost_person_days: None,
                notes: None,
            },
        )
        .await
        .map(drop),
        "deals::create" => deals::create(
            store,
            ctx,
            DealFields::new(format!("Deal {n}"), "Membership Sales", "Discovery"),
        )
        .await
        .map(drop),
        "pipelines::add_pipeline" => {
            pipelines::add_pipeline(store, ctx, &format!("Pipeline {n}")).await
        }
        "import::import_deals" => {
            let csv = bearing_formats::crm::EXPORT_COLUMNS.join(",") + "\n";
            import::import_deals(store, ctx, "deals.csv", csv.as_bytes(), true)
                .await
                .map(drop)
        }
        "usage::import" => usage::import(
            store,
            ctx,
            "usage.csv",
            format!("cluster,date,unique_users\nhub{n},2026-06-01,3\n").as_bytes(),
            true,
        )
        .await
        .map(drop),
        "assumptions::set" => {
            assumptions::set(store, ctx, &[("fsp-fee".into(), format!("0.1{n}"))], today)
                .await
                .map(drop)
        }
        "assumptions::history" => assumptions::history(store, ctx).await.map(drop),
        "roles::add" => roles::add(store, ctx, &format!("Role {n}"), None)
            .await
            .map(drop),
        "people::add_person" => people::add_person(
            store,
            ctx,
            PersonFields {
                name: format!("Person {n}"),
                email: None,
                github: None,
                kind: PersonKind::Employee,
                renewal: None,
            },
        )
        .await
        .map(drop),
        "people::directory" => people::directory(store, ctx, today).await.map(drop),
        "people::rate" => {
            let input = RateInput {
                fee: Some(0.15),
                ..RateInput::default()
            };
            people::rate(store, ctx, input, today).await.map(drop)
        }
        "people::team_cost" => people::team_cost(
            store,
            ctx,
            &[Month::of(today)],
            &bearing_core::people::CostRates::default(),
        )
        .await
        .map(drop),
        "people::assignments_table" => people::assignments_table(store, ctx).await.map(drop),
        "people::balance" => {
            let (_, a) = assumptions::current(store, today).await?;
            people::balance(store, ctx, &a, today).await.map(drop)
        }
        "history::of assignment" => history::of(store, ctx, EntityKind::Assignment, "1")
            .await
            .map(drop),
        "history::of user" => history::of(store, ctx, EntityKind::User, "1")
            .await
            .map(drop),
        "history::of deal" => history::of(store, ctx, EntityKind::Deal, "1")
            .await
            .map(drop),
        "history::search" => history::search(store, ctx, AuditSearch::default(), 10)
            .await
            .map(drop),
        "accounts::users" => accounts::users(store, ctx).await.map(drop),
        "jobs::runs" => bearing_app::jobs::runs(store, ctx, Some(10))
            .await
            .map(drop),
        "books::import_actuals" => bearing_app::books::import_actuals(
            store,
            ctx,
            "gl.csv",
            "Date,Net,Account Code\n2026-05-03,10.00,4221\n".as_bytes(),
            &bearing_formats::ledger::Columns::default(),
            None,
            true,
        )
        .await
        .map(drop),
        "books::map_account" => {
            bearing_app::books::map_account(
                store,
                ctx,
                "6000",
                Some("Salaries"),
                bearing_core::actuals::Category::Personnel,
            )
            .await
        }
        "books::accounts" => bearing_app::books::accounts(store, ctx).await.map(drop),
        "books::checklist" => {
            bearing_app::books::checklist(store, ctx, Month::parse("2026-05").unwrap(), today)
                .await
                .map(drop)
        }
        "books::close" => {
            bearing_app::books::close(store, ctx, Month::parse("2026-05").unwrap(), None, None)
                .await
                .map(drop)
        }
        "books::closes" => bearing_app::books::closes(store, ctx).await.map(drop),
        "history::of actuals" => history::of(store, ctx, EntityKind::Actuals, "2026-05")
            .await
            .map(drop),
        "history::of close" => history::of(store, ctx, EntityKind::Close, "2026-05")
            .await
            .map(drop),
        "scenarios::list" => bearing_app::scenarios::list(store, ctx).await.map(drop),
        "scenarios::add" => bearing_app::scenarios::add(
            store,
            ctx,
            &format!("scenario {n}"),
            None,
            vec![bearing_core::scenario::Change::parse("cost monthly=100; from=2026-07").unwrap()],
        )
        .await
        .map(drop),
        "scenarios::evaluate" => bearing_app::scenarios::evaluate(
            store,
            ctx,
            &[bearing_core::scenario::Change::parse("cost monthly=100; from=2026-07").unwrap()],
            today,
        )
        .await
        .map(drop),
        "scenarios::hire" => bearing_app::scenarios::hire(
            store,
            ctx,
            bearing_app::scenarios::HireInput {
                role: "Engineer".into(),
                level: 2,
                step: 1,
                fte: 1.0,
                start: Month::parse("2026-09").unwrap(),
                end: None,
                funding: Vec::new(),
                payment: None,
            },
            today,
        )
        .await
        .map(drop),
        "history::of scenario" => history::of(store, ctx, EntityKind::Scenario, "1")
            .await
            .map(drop),
        "invoices::list" => invoices::list(store, ctx, &Default::default())
            .await
            .map(drop),
        "invoices::get" => {
            let number = draft(store, n).await;
            invoices::get(store, ctx, &number).await.map(drop)
        }
        "invoices::aging" => invoices::aging(store, ctx, today).await.map(drop),
        "invoices::collections" => invoices::collections(store, ctx, today).await.map(drop),
        "invoices::add" => {
            let org = organization(store, &format!("billed{n}")).await;
            invoices::add(store, ctx, new_draft(org, n)).await.map(drop)
        }
        "invoices::edit_lines" => {
            let number = draft(store, n).await;
            let lines = [bearing_core::invoice::LineInput::parse("Training; 120").unwrap()];
            invoices::edit_lines(store, ctx, &number, &lines)
                .await
                .map(drop)
        }
        "invoices::issue" => {
            let number = draft(store, n).await;
            invoices::issue(store, ctx, &number, Some(today))
                .await
                .map(drop)
        }
        "invoices::pay" => {
            let number = draft(store, n).await;
            invoices::issue(store, &operator(), &number, Some(today))
                .await
                .unwrap();
            let payment = invoices::NewPayment {
                on: Some(today),
                amount: "40".into(),
                reference: None,
            };
            invoices::pay(store, ctx, &number, payment).await.map(drop)
        }
        "invoices::void" => {
            let number = draft(store, n).await;
            invoices::void(store, ctx, &number, "billed twice")
                .await
                .map(drop)
        }
        "history::of invoice" => history::of(store, ctx, EntityKind::Invoice, "1")
            .await
            .map(drop),
        "billing::of_deal" => {
            let deal = billed_deal(store, n).await;
            billing::of_deal(store, ctx, deal).await.map(drop)
        }
        "billing::set" => {
            let deal = billed_deal(store, n).await;
            let input = billing::ScheduleInput {
                timing: bearing_core::billing::Timing::Advance,
                frequency: bearing_core::billing::Frequency::Monthly,
                milestones: Vec::new(),
            };
            billing::set(store, ctx, deal, input).await.map(drop)
        }
        "billing::run" => billing::run(store, ctx, bearing_core::Month::of(today))
            .await
            .map(drop),
        "billing::confirm" => billing::confirm(store, ctx, bearing_core::Month::of(today), None)
            .await
            .map(drop),
        "history::of billing-schedule" => history::of(store, ctx, EntityKind::BillingSchedule, "1")
            .await
            .map(drop),
        "ledger::import" => bearing_app::ledger::import(
            store,
            ctx,
            "ledger.csv",
            "InvoiceNumber,Contact,Total,Status\nL-1,Nobody,10.00,DRAFT\n".as_bytes(),
            &Default::default(),
            true,
        )
        .await
        .map(drop),
        "ledger::reconciliation" => bearing_app::ledger::reconciliation(store, ctx)
            .await
            .map(drop),
        "ledger::aliases" => {
            let org = organization(store, &format!("aliased{n}")).await;
            bearing_app::ledger::aliases(store, ctx, org)
                .await
                .map(drop)
        }
        "ledger::add_alias" => {
            let org = organization(store, &format!("aliased{n}")).await;
            bearing_app::ledger::add_alias(store, ctx, org, &format!("Aliased Books {n}"))
                .await
                .map(drop)
        }
        "ledger::remove_alias" => {
            let org = organization(store, &format!("aliased{n}")).await;
            bearing_app::ledger::add_alias(store, &operator(), org, &format!("Aliased Books {n}"))
                .await
                .unwrap();
            bearing_app::ledger::remove_alias(store, ctx, org, &format!("aliased books {n}"))
                .await
                .map(drop)
        }
        "accounts::add_user" => accounts::add_user(
            store,
            ctx,
            &format!("user{n}@example.org"),
            None,
            Role::Member,
            "correct horse battery",
        )
        .await
        .map(drop),
        "access::list" => access::list(store, ctx).await.map(drop),
        "access::define" => access::define(
            store,
            ctx,
            &format!("custom-{n}"),
            None,
            Permissions::of(&[Permission::Read]),
        )
        .await
        .map(drop),
        other => panic!("no service {other}"),
    }
}

async fn organization(store: &Store, name: &str) -> bearing_core::OrganizationId {
    organizations::create(
        store,
        &operator(),
        OrganizationFields {
            name: OrganizationName::parse(name).unwrap(),
            long_name: None,
            kind: OrganizationKind::Community,
            website: None,
            github_org: None,
            notes: None,
            tags: Vec::new(),
        },
    )
    .await
    .unwrap()
    .id
}

fn new_draft(organization: bearing_core::OrganizationId, n: usize) -> invoices::NewDraft {
    invoices::NewDraft {
        number: Some(format!("T-{n}")),
        organization,
        deal: None,
        kind: bearing_core::invoice::Kind::Service,
        currency: None,
        service_from: None,
        service_to: None,
        billable_on: None,
        terms_days: None,
        external_id: None,
        source: None,
        lines: vec![bearing_core::invoice::LineInput::parse("Training; 100").unwrap()],
    }
}

/// A deal made by the operator, for a billing service to act on.
async fn billed_deal(store: &Store, n: usize) -> bearing_core::DealId {
    deals::create(
        store,
        &operator(),
        DealFields::new(format!("Billed {n}"), "Membership Sales", "Discovery"),
    )
    .await
    .unwrap()
    .id
}

/// A draft invoice made by the operator, for a service to act on: its number.
async fn draft(store: &Store, n: usize) -> String {
    let org = organization(store, &format!("billed{n}")).await;
    invoices::add(store, &operator(), new_draft(org, n))
        .await
        .unwrap()
        .record
        .number
}

async fn walk(store: &Store, holders: &[(String, Permissions)]) {
    let mut n = 0;
    for (service, needs) in SERVICES {
        for (holder, permissions) in holders {
            n += 1;
            let ctx = as_holder(holder, *permissions);
            let result = call(store, &ctx, service, n).await;
            let allowed = needs.iter().all(|p| permissions.contains(*p));
            match result {
                Err(AppError::Forbidden(message)) => {
                    assert!(!allowed, "{holder} was refused {service}: {message}");
                    let missing = needs.iter().find(|p| !permissions.contains(**p)).unwrap();
                    assert!(
                        message.contains(missing.as_str()) || message.contains(missing.describe()),
                        "{holder} {service}: {message}"
                    );
                }
                other => assert!(allowed, "{holder} was let through {service}: {other:?}"),
            }
        }
    }
}

async fn each_service_refuses_exactly_the_roles_without_its_permission(db: &TestDb) {
    let store = db.store().await;
    // Something for the readers to read: a deal with its history.
    deals::create(
        &store,
        &operator(),
        DealFields::new("Hub for Atlantis", "Membership Sales", "Discovery"),
    )
    .await
    .unwrap();
    let holders: Vec<(String, Permissions)> = Role::ALL
        .iter()
        .map(|r| (r.to_string(), r.permissions()))
        .collect();
    walk(&store, &holders).await;
}

async fn a_custom_role_grants_what_it_names_and_nothing_else(db: &TestDb) {
    let store = db.store().await;
    let grants = Permissions::of(&[Permission::Read, Permission::ManageGrants]);
    let defined = access::define(
        &store,
        &operator(),
        "Grants Officer",
        Some("Applies for grants"),
        grants,
    )
    .await
    .unwrap();
    assert_eq!(defined.name.as_str(), "grants-officer");
    let officer = accounts::add_user(
        &store,
        &operator(),
        "olu@example.org",
        None,
        defined.name.clone(),
        "correct horse battery",
    )
    .await
    .unwrap();
    // The store grants the user what the role names, read afresh each time.
    assert_eq!(officer.permissions, grants);
    walk(&store, &[("grants-officer".to_owned(), grants)]).await;
    // A built-in role's name is Bearing's, a role needs a permission, and an unknown role
    // cannot be given.
    for (name, permissions) in [
        ("finance", grants),
        ("empty", Permissions::NONE),
        ("Bad/Name", grants),
    ] {
        let refused = access::define(&store, &operator(), name, None, permissions).await;
        assert!(
            matches!(refused, Err(AppError::Invalid { .. })),
            "{name}: {refused:?}"
        );
    }
    let unknown = accounts::update_user(
        &store,
        &operator(),
        officer.id,
        bearing_core::access::RoleName::parse("astronaut").unwrap(),
        false,
    )
    .await
    .unwrap_err();
    assert!(
        unknown.to_string().contains("there is no role astronaut"),
        "{unknown}"
    );
    // Changing the bundle changes what its holders may do, without touching them.
    let wider = grants.with(Permission::EditCrm);
    access::define(&store, &operator(), "grants-officer", None, wider)
        .await
        .unwrap();
    assert_eq!(store.get_user(officer.id).await.unwrap().permissions, wider);
    // A role someone holds is not deleted; once nobody does, it is, and is listed no more.
    let held = access::delete(&store, &operator(), "grants-officer")
        .await
        .unwrap_err();
    assert!(held.to_string().contains("olu@example.org"), "{held}");
    accounts::update_user(&store, &operator(), officer.id, Role::Member, false)
        .await
        .unwrap();
    access::delete(&store, &operator(), "grants-officer")
        .await
        .unwrap();
    let listed = access::list(&store, &operator()).await.unwrap();
    assert_eq!(listed.len(), Role::ALL.len());
    let log = history::of(
        &store,
        &operator(),
        EntityKind::AccessRole,
        &defined.id.to_string(),
    )
    .await
    .unwrap();
    assert_eq!(log.len(), 3, "created, widened, deleted");
}

async fn a_change_recorded_without_the_permission_is_refused_and_rolled_back(db: &TestDb) {
    let store = db.store().await;
    // A member may change their own account (a token for themselves), not another's.
    let member = accounts::add_user(
        &store,
        &operator(),
        "mo@example.org",
        None,
        Role::Member,
        "correct horse battery",
    )
    .await
    .unwrap();
    let other = accounts::add_user(
        &store,
        &operator(),
        "ann@example.org",
        None,
        Role::Member,
        "correct horse battery",
    )
    .await
    .unwrap();
    let ctx = Context::user(
        Actor::parse("mo@example.org").unwrap(),
        Source::Web,
        member.id,
        Role::Member.permissions(),
    );
    accounts::create_token(&store, &ctx, member.id, "laptop", None)
        .await
        .unwrap();
    let refused = accounts::create_token(&store, &ctx, other.id, "sneaky", None)
        .await
        .unwrap_err();
    assert!(matches!(refused, AppError::Forbidden(_)), "{refused:?}");
    assert!(store.list_api_tokens(other.id).await.unwrap().is_empty());
    // The last user who may manage users keeps that: demoting the only admin is refused.
    let admin = accounts::add_user(
        &store,
        &operator(),
        "root@example.org",
        None,
        Role::Admin,
        "correct horse battery",
    )
    .await
    .unwrap();
    let last = accounts::update_user(&store, &operator(), admin.id, Role::Finance, false)
        .await
        .unwrap_err();
    assert!(last.to_string().contains("last admin"), "{last}");
}
