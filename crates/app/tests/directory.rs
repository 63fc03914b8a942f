//! Contacts, campaigns and the organization and contact imports on both backends.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use bearing_app::{AppError, Context, campaigns, contacts, import};
use bearing_core::contact::{ContactFields, ContactLabel};
use bearing_core::organization::OrganizationName;
use bearing_core::{Actor, Currency, EntityKind, Source};
use bearing_store::CampaignRow;
use bearing_store::testing::TestDb;

bearing_store::on_both_backends!(
    imports_of_organizations_and_contacts_are_idempotent,
    an_unchanged_contact_edit_records_nothing,
    campaigns_are_validated_and_audited,
);

fn ctx() -> Context {
    Context::new(Actor::parse("ada@example.org").unwrap(), Source::Cli)
}

const ORGS: &str = "name,long_name,kind,segment\nbids,Berkeley Institute for Data Science,partner,research\ncal,,community,\n";
const CONTACTS: &str = "name,email,organizations,coverage\nAda,ada@example.org,bids:billing-contact;cal,budget\nGrace,grace@example.org,,\n";

async fn imports_of_organizations_and_contacts_are_idempotent(db: &TestDb) {
    let store = db.store().await;
    let plan = import::import_organizations(&store, &ctx(), "orgs.csv", ORGS.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!(plan.creates.len(), 2);
    let plan = import::import_contacts(&store, &ctx(), "contacts.csv", CONTACTS.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!(plan.creates.len(), 2);
    let audit = store.count_audit().await.unwrap();
    let again = import::import_organizations(&store, &ctx(), "orgs.csv", ORGS.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!(
        (
            again.creates.len(),
            again.updates.len(),
            again.unchanged.len()
        ),
        (0, 0, 2)
    );
    let again = import::import_contacts(&store, &ctx(), "contacts.csv", CONTACTS.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!(
        (
            again.creates.len(),
            again.updates.len(),
            again.unchanged.len()
        ),
        (0, 0, 2)
    );
    assert_eq!(
        store.count_audit().await.unwrap(),
        audit,
        "re-importing changes nothing"
    );
    let bids = OrganizationName::parse("bids").unwrap();
    let people = contacts::list(&store, Some(&bids), false).await.unwrap();
    assert_eq!(people.len(), 1);
    assert_eq!(
        people[0].fields.organizations[0],
        (bids, ContactLabel::BillingContact)
    );
    let log = store
        .list_audit(EntityKind::Contact, &people[0].id.to_string())
        .await
        .unwrap();
    assert_eq!(log[0].source, Source::Import);

    let changed = CONTACTS.replace(
        "Grace,grace@example.org,,",
        "Grace Hopper,grace@example.org,cal:technical-contact,",
    );
    let plan = import::import_contacts(&store, &ctx(), "contacts.csv", changed.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!(plan.updates.len(), 1);
    assert_eq!(plan.updates[0].2, ["name", "organizations"]);
}

async fn an_unchanged_contact_edit_records_nothing(db: &TestDb) {
    let store = db.store().await;
    import::import_organizations(&store, &ctx(), "orgs.csv", ORGS.as_bytes(), false)
        .await
        .unwrap();
    let fields = ContactFields {
        name: "Ada".into(),
        email: Some("ada@example.org".into()),
        github: None,
        strategic: true,
        coverage: vec!["budget".into()],
        notes: None,
        organizations: vec![
            (
                OrganizationName::parse("cal").unwrap(),
                ContactLabel::TechnicalContact,
            ),
            (
                OrganizationName::parse("bids").unwrap(),
                ContactLabel::Other,
            ),
            (
                OrganizationName::parse("bids").unwrap(),
                ContactLabel::BillingContact,
            ),
        ],
    };
    let created = contacts::create(&store, &ctx(), fields.clone())
        .await
        .unwrap();
    contacts::edit(&store, &ctx(), created.id, fields)
        .await
        .unwrap();
    let log = store
        .list_audit(EntityKind::Contact, &created.id.to_string())
        .await
        .unwrap();
    assert_eq!(log.len(), 1, "an edit that changes nothing is not recorded");
    let mut ghost = created.fields.clone();
    ghost.organizations.push((
        OrganizationName::parse("ghost").unwrap(),
        ContactLabel::Other,
    ));
    let err = contacts::edit(&store, &ctx(), created.id, ghost)
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "organization: no organization named ghost");
}

async fn campaigns_are_validated_and_audited(db: &TestDb) {
    let store = db.store().await;
    let row = CampaignRow {
        name: " Spring webinar ".into(),
        channel: Some("webinar".into()),
        start_date: Some(jiff::civil::date(2026, 3, 1)),
        end_date: Some(jiff::civil::date(2026, 3, 31)),
        currency: Currency::USD,
        cost_minor: Some(120_000),
        cost_person_days: Some(4.5),
        notes: None,
    };
    let created = campaigns::create(&store, &ctx(), row.clone())
        .await
        .unwrap();
    assert_eq!(created.row.name, "Spring webinar");
    let dup = campaigns::create(&store, &ctx(), row.clone())
        .await
        .unwrap_err();
    assert!(matches!(dup, AppError::Conflict(_)), "{dup:?}");
    let negative = campaigns::create(
        &store,
        &ctx(),
        CampaignRow {
            name: "x".into(),
            cost_minor: Some(-1),
            ..row.clone()
        },
    )
    .await;
    assert!(matches!(negative, Err(AppError::Invalid { .. })));
    let edited = campaigns::edit(
        &store,
        &ctx(),
        created.id,
        CampaignRow {
            cost_person_days: None,
            ..created.row.clone()
        },
    )
    .await
    .unwrap();
    assert_eq!(edited.row.cost_person_days, None);
    campaigns::set_deleted(&store, &ctx(), created.id, true)
        .await
        .unwrap();
    assert!(store.list_campaigns(false).await.unwrap().is_empty());
    assert_eq!(
        campaigns::find(&store, "spring webinar").await.unwrap().id,
        created.id
    );
    assert_eq!(
        store
            .list_audit(EntityKind::Campaign, &created.id.to_string())
            .await
            .unwrap()
            .len(),
        3
    );
}
