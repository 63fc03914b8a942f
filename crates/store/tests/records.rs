//! The store contract for people, roles, usage, accounts, custom roles, assumptions, campaigns
//! and contacts: each table keeps what is written to it, reads it back the same way on SQLite
//! and PostgreSQL, and deletes softly.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use bearing_core::access::{Permission, Permissions, Role, RoleName};
use bearing_core::assumptions::Assumptions;
use bearing_core::contact::ContactLabel;
use bearing_core::organization::{OrganizationFields, OrganizationKind, OrganizationName};
use bearing_core::people::{AssignmentFields, Band, PersonFields, PersonKind};
use bearing_core::roles::RoleText;
use bearing_core::{Actor, Currency, Source};
use bearing_store::testing::TestDb;
use bearing_store::{
    CampaignRow, ContactRow, Named, NewSample, StoreError, UnitId, UnitKind, UserFields,
};
use jiff::civil::date;

bearing_store::on_both_backends!(
    people_assignments_and_bands_are_kept_and_deleted_softly,
    areas_roles_and_documents_are_kept,
    clusters_hubs_and_samples_are_kept_and_a_sample_is_replaced,
    users_sessions_and_tokens_are_kept_and_ended,
    custom_roles_grant_their_users_what_they_name,
    assumptions_versions_campaigns_and_contacts_are_kept,
    names_are_read_for_the_ids_asked_in_batches,
    invoices_lines_and_payments_are_kept_and_numbers_are_unique,
);

fn at(second: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_second(1_790_000_000 + second).unwrap()
}

async fn people_assignments_and_bands_are_kept_and_deleted_softly(db: &TestDb) {
    let store = db.store().await;
    let mut tx = store.begin().await.unwrap();
    let role = tx
        .put_role(
            &RoleText {
                name: "Harbour Engineer".into(),
                ..RoleText::default()
            },
            None,
            0,
            at(0),
        )
        .await
        .unwrap();
    let fields = PersonFields {
        name: "Pat Quill".into(),
        email: Some("pat@example.org".into()),
        github: Some("patq".into()),
        kind: PersonKind::Contractor,
        renewal: Some("07-01".into()),
    };
    let person = tx.insert_person(&fields, at(1)).await.unwrap();
    assert_eq!(person.fields, fields);
    let assignment_fields = AssignmentFields {
        role: "Harbour Engineer".into(),
        level: 2,
        step: 3,
        fte: 0.5,
        start: date(2026, 1, 1),
        end: Some(date(2026, 12, 31)),
        monthly_payment: Some(612_345),
        description: Some("Runs the hubs".into()),
        funding: vec![("NSF-1".into(), 0.75), ("core".into(), 0.25)],
    };
    let assignment = tx
        .insert_assignment(person.id, role.id, &assignment_fields, at(2))
        .await
        .unwrap();
    assert_eq!(assignment.fields, assignment_fields);
    assert_eq!(
        (assignment.person.as_str(), assignment.ladder.as_str()),
        ("Pat Quill", "Harbour Engineer")
    );
    let band = Band {
        ladder: "Harbour Engineer".into(),
        level: 2,
        step: 3,
        annual_base: 12_345_678,
        effective_from: date(2026, 1, 1),
        note: Some("benchmark".into()),
    };
    let raised = Band {
        annual_base: 12_716_048,
        effective_from: date(2026, 7, 1),
        note: Some("cost of living 3%".into()),
        ..band.clone()
    };
    tx.put_bands(&[band.clone(), raised.clone()], at(3))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        store.list_people().await.unwrap(),
        std::slice::from_ref(&person)
    );
    assert_eq!(
        store.list_assignments().await.unwrap(),
        std::slice::from_ref(&assignment)
    );
    assert_eq!(store.list_bands().await.unwrap(), [band, raised]);

    // Deletes are soft: gone from lists and from `get_*`, kept for `*_including_deleted`.
    let mut tx = store.begin().await.unwrap();
    tx.set_assignment_deleted(assignment.id, Some(at(4)), at(4))
        .await
        .unwrap();
    tx.set_person_deleted(person.id, Some(at(4)), at(4))
        .await
        .unwrap();
    assert!(matches!(
        tx.get_person(person.id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        tx.get_assignment(assignment.id).await,
        Err(StoreError::NotFound { .. })
    ));
    let kept = tx.get_person_including_deleted(person.id).await.unwrap();
    assert!(kept.deleted_at.is_some());
    assert!(
        tx.get_assignment_including_deleted(assignment.id)
            .await
            .unwrap()
            .deleted_at
            .is_some()
    );
    tx.commit().await.unwrap();
    assert!(store.list_people().await.unwrap().is_empty());
    assert!(store.list_assignments().await.unwrap().is_empty());
}

async fn areas_roles_and_documents_are_kept(db: &TestDb) {
    let store = db.store().await;
    let mut tx = store.begin().await.unwrap();
    let area = tx
        .put_area(
            "Partnerships",
            Some("Finding and keeping members"),
            0,
            None,
            at(0),
        )
        .await
        .unwrap();
    let text = RoleText {
        name: "Partnerships Lead".into(),
        description: "Leads *partnerships*.".into(),
        notes: vec!["An experiment".into()],
        revisit: Some(bearing_core::Month::parse("2027-03").unwrap()),
        key_goal: Some("Sustainability".into()),
        comparable_titles: vec!["Head of Partnerships".into()],
        ..RoleText::default()
    };
    let role = tx.put_role(&text, Some(area.id), 0, at(1)).await.unwrap();
    assert_eq!(role.text, text);
    let moved = tx
        .update_role(role.id, &text, None, Some("Shared Ladder"), at(2))
        .await
        .unwrap();
    assert_eq!(
        (moved.area_id, moved.ladder.as_deref()),
        (None, Some("Shared Ladder"))
    );
    let page = serde_json::json!({ "intro": "Our roles", "sections": [1, 2] });
    tx.put_document("job-titles", &page, at(3)).await.unwrap();
    tx.put_document("job-titles", &page, at(4)).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.list_areas().await.unwrap()[0].name, "Partnerships");
    assert_eq!(store.list_roles().await.unwrap(), [moved]);
    assert_eq!(store.find_document("job-titles").await.unwrap(), Some(page));
    assert_eq!(store.find_document("nothing").await.unwrap(), None);
}

async fn clusters_hubs_and_samples_are_kept_and_a_sample_is_replaced(db: &TestDb) {
    let store = db.store().await;
    let mut tx = store.begin().await.unwrap();
    let cluster = tx.insert_cluster("harbour", None, at(0)).await.unwrap();
    let hub = tx.insert_hub(cluster, "prod", at(0)).await.unwrap();
    let day = |d: i8| date(2026, 3, d);
    let samples = [
        NewSample {
            cluster_id: cluster,
            hub_id: None,
            date: day(1),
            users: 12,
        },
        NewSample {
            cluster_id: cluster,
            hub_id: Some(hub),
            date: day(1),
            users: 7,
        },
    ];
    tx.upsert_samples(&samples, Source::Import, at(1))
        .await
        .unwrap();
    // The same day again replaces the count.
    let corrected = [NewSample {
        users: 15,
        ..samples[0].clone()
    }];
    tx.upsert_samples(&corrected, Source::Import, at(2))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let units = store.list_units().await.unwrap();
    assert_eq!(
        units
            .iter()
            .map(|u| (u.kind(), u.name.as_str()))
            .collect::<Vec<_>>(),
        [(UnitKind::Cluster, "harbour"), (UnitKind::Hub, "prod")]
    );
    let read = store.get_unit(UnitId::Hub(hub)).await.unwrap();
    assert_eq!(read.cluster_id, Some(cluster));
    let stored: Vec<(Option<String>, i64)> = store
        .list_samples()
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.hub, s.users))
        .collect();
    assert_eq!(stored, [(None, 15), (Some("prod".into()), 7)]);
    assert_eq!(
        store.cluster_samples(cluster, day(2)).await.unwrap().len(),
        0,
        "nothing from the 2nd on"
    );
    assert!(matches!(
        store
            .get_unit(UnitId::new(UnitKind::Cluster, 999).unwrap())
            .await,
        Err(StoreError::NotFound { .. })
    ));
}

async fn users_sessions_and_tokens_are_kept_and_ended(db: &TestDb) {
    let store = db.store().await;
    let mut tx = store.begin().await.unwrap();
    let fields = UserFields {
        email: "ada@example.org".into(),
        name: "Ada".into(),
        role: Role::Finance.into(),
    };
    let user = tx
        .insert_user(&fields, "$argon2id$hash", at(0))
        .await
        .unwrap();
    assert_eq!(user.permissions, Role::Finance.permissions());
    let token = tx
        .insert_api_token(user.id, "laptop", "token-hash", at(1), Some(at(86_400)))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let again = store
        .begin()
        .await
        .unwrap()
        .insert_user(&fields, "x", at(2))
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");

    // Sessions: found while open and unexpired, never after they end.
    store
        .insert_session(user.id, "session-hash", at(3), at(3_600))
        .await
        .unwrap();
    let (session, found) = store
        .find_session("session-hash", at(4))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (session.user_id, found.email.as_str()),
        (user.id, "ada@example.org")
    );
    assert!(
        store
            .find_session("session-hash", at(3_601))
            .await
            .unwrap()
            .is_none()
    );
    store.end_session("session-hash", at(5)).await.unwrap();
    assert!(
        store
            .find_session("session-hash", at(6))
            .await
            .unwrap()
            .is_none()
    );

    // Tokens: used until they expire or are revoked.
    let (used, owner) = store
        .use_api_token("token-hash", at(7))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((used.id, owner.id), (token.id, user.id));
    assert!(
        store
            .use_api_token("token-hash", at(86_401))
            .await
            .unwrap()
            .is_none()
    );
    let mut tx = store.begin().await.unwrap();
    let revoked = tx.revoke_api_token(user.id, token.id, at(8)).await.unwrap();
    assert!(revoked.revoked_at.is_some());
    tx.commit().await.unwrap();
    assert!(
        store
            .use_api_token("token-hash", at(9))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.list_api_tokens(user.id).await.unwrap().len(), 1);

    // Failed sign-ins count up atomically and lock at the limit.
    let lock = at(900);
    for expected in 1..=2 {
        let (count, locked) = store
            .record_failed_sign_in(user.id, at(10), 2, lock)
            .await
            .unwrap();
        assert_eq!(count, expected);
        assert_eq!(locked.is_some(), expected == 2);
    }
    store.clear_failed_sign_ins(user.id).await.unwrap();
    assert_eq!(store.get_user(user.id).await.unwrap().failed_sign_ins, 0);
}

async fn custom_roles_grant_their_users_what_they_name(db: &TestDb) {
    let store = db.store().await;
    let name = RoleName::parse("grants-officer").unwrap();
    let grants = Permissions::of(&[Permission::Read, Permission::ManageGrants]);
    let mut tx = store.begin().await.unwrap();
    let role = tx
        .insert_access_role(&name, Some("Grants"), grants, at(0))
        .await
        .unwrap();
    let user = tx
        .insert_user(
            &UserFields {
                email: "olu@example.org".into(),
                name: "Olu".into(),
                role: name.clone(),
            },
            "hash",
            at(0),
        )
        .await
        .unwrap();
    assert_eq!(user.permissions, grants);
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let again = tx.insert_access_role(&name, None, grants, at(1)).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    drop(tx);
    // A wider bundle reaches the user; a deleted one grants nothing.
    let wider = grants.with(Permission::EditCrm);
    let mut tx = store.begin().await.unwrap();
    tx.update_access_role(role.id, None, wider, None, at(2))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.get_user(user.id).await.unwrap().permissions, wider);
    let mut tx = store.begin().await.unwrap();
    tx.update_access_role(role.id, None, wider, Some(at(3)), at(3))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        store.get_user(user.id).await.unwrap().permissions,
        Permissions::NONE
    );
    let listed = store.list_access_roles().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].deleted_at.is_some());
    assert_eq!(
        store.find_access_role(&name).await.unwrap().map(|r| r.id),
        Some(role.id)
    );
}

async fn assumptions_versions_campaigns_and_contacts_are_kept(db: &TestDb) {
    let store = db.store().await;
    let actor = Actor::parse("ada@example.org").unwrap();
    let mut values = Assumptions::default();
    values.set("fsp-fee", "0.12").unwrap();
    let mut tx = store.begin().await.unwrap();
    let version = tx
        .insert_assumptions(&values, date(2026, 4, 1), at(0), &actor, Source::Cli)
        .await
        .unwrap();
    let org = tx
        .insert_organization(
            &OrganizationFields {
                name: OrganizationName::parse("harbour").unwrap(),
                long_name: None,
                kind: OrganizationKind::Community,
                website: None,
                github_org: None,
                notes: None,
                tags: Vec::new(),
            },
            at(0),
        )
        .await
        .unwrap();
    let campaign_row = CampaignRow {
        name: "Spring webinar".into(),
        channel: Some("webinar".into()),
        start_date: Some(date(2026, 3, 1)),
        end_date: Some(date(2026, 3, 31)),
        currency: Currency::USD,
        cost_minor: Some(120_000),
        cost_person_days: Some(4.5),
        notes: Some("*notes*".into()),
    };
    let campaign = tx.insert_campaign(&campaign_row, at(1)).await.unwrap();
    let contact_row = ContactRow {
        name: "Sam Reed".into(),
        email: Some("sam@harbour.example".into()),
        github: None,
        strategic: true,
        coverage: vec!["research".into(), "budget".into()],
        notes: None,
        organizations: vec![(org.id, ContactLabel::CommunityRepresentative)],
    };
    let contact = tx.insert_contact(&contact_row, at(2)).await.unwrap();
    tx.set_campaign_deleted(campaign.id, Some(at(3)), at(3))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let versions = store.list_assumptions().await.unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(
        (
            versions[0].version,
            versions[0].values.fsp_fee,
            versions[0].source
        ),
        (version, 0.12, Source::Cli)
    );
    assert!(store.list_campaigns(false).await.unwrap().is_empty());
    let kept = store.list_campaigns(true).await.unwrap();
    assert_eq!(kept[0].row, campaign_row);
    let read = store.get_contact(contact.id).await.unwrap();
    assert_eq!(read, contact);
    assert_eq!(
        store
            .find_contact_by_email("sam@harbour.example")
            .await
            .unwrap()
            .map(|c| c.id),
        Some(contact.id)
    );
}

async fn names_are_read_for_the_ids_asked_in_batches(db: &TestDb) {
    let store = db.store().await;
    let mut tx = store.begin().await.unwrap();
    let mut ids = Vec::new();
    // More than one batch of 500.
    for n in 0..620 {
        let org = tx
            .insert_organization(
                &OrganizationFields {
                    name: OrganizationName::parse(&format!("org-{n}")).unwrap(),
                    long_name: None,
                    kind: OrganizationKind::Community,
                    website: None,
                    github_org: None,
                    notes: None,
                    tags: Vec::new(),
                },
                at(n),
            )
            .await
            .unwrap();
        ids.push(org.id.get());
    }
    tx.commit().await.unwrap();
    // Every other organization, and an id no row has.
    let mut asked: Vec<i64> = ids.iter().copied().step_by(2).collect();
    asked.push(ids[619] + 1_000);
    let mut names = store.names_of(Named::Organizations, &asked).await.unwrap();
    names.sort();
    let expected: Vec<(i64, String)> = ids
        .iter()
        .enumerate()
        .step_by(2)
        .map(|(n, id)| (*id, format!("org-{n}")))
        .collect();
    assert_eq!(names, expected);
    assert!(store.names_of(Named::Deals, &[]).await.unwrap().is_empty());
}

async fn invoices_lines_and_payments_are_kept_and_numbers_are_unique(db: &TestDb) {
    use bearing_core::invoice::{Kind, Line, Quantity, Status};
    let store = db.store().await;
    let mut tx = store.begin().await.unwrap();
    let org = tx
        .insert_organization(
            &OrganizationFields {
                name: OrganizationName::parse("atlantis").unwrap(),
                long_name: None,
                kind: OrganizationKind::Community,
                website: None,
                github_org: None,
                notes: None,
                tags: Vec::new(),
            },
            at(0),
        )
        .await
        .unwrap();
    let new = bearing_store::NewInvoice {
        number: "SP-1001".into(),
        organization_id: org.id,
        deal_id: None,
        kind: Kind::Usage,
        currency: Currency::USD,
        service_from: Some(date(2026, 3, 1)),
        service_to: Some(date(2026, 3, 31)),
        billable_on: Some(date(2026, 4, 1)),
        terms_days: 45,
        external_id: Some("ledger-77".into()),
        source: Some("ledger".into()),
        lines: vec![
            Line::new("Active users, March", Quantity::parse("1.125").unwrap(), 99).unwrap(),
            Line::new("Credit", Quantity::ONE, -10).unwrap(),
        ],
    };
    let id = tx.insert_invoice(&new, at(1)).await.unwrap();
    tx.issue_invoice(id, date(2026, 4, 3), date(2026, 5, 18), at(2))
        .await
        .unwrap();
    tx.insert_payment(id, date(2026, 5, 2), 50, Some("wire 9"), at(3))
        .await
        .unwrap();
    tx.insert_payment(id, date(2026, 4, 20), 51, None, at(4))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let got = store.get_invoice(id).await.unwrap();
    assert_eq!(got.number, "SP-1001");
    assert_eq!(got.terms_days, 45);
    // 1.125 × $0.99 = $1.11375 → $1.11; less $0.10.
    assert_eq!(got.lines[0].amount_minor, 111);
    assert_eq!(got.lines[0].quantity.to_string(), "1.125");
    assert_eq!(got.lines[1].description, "Credit");
    assert_eq!(got.total_minor, 101);
    assert_eq!(got.issued_on, Some(date(2026, 4, 3)));
    // Payments by day.
    let days: Vec<_> = got.payments.iter().map(|p| p.paid_on).collect();
    assert_eq!(days, [date(2026, 4, 20), date(2026, 5, 2)]);
    assert_eq!(got.payments[1].reference.as_deref(), Some("wire 9"));
    assert_eq!(got.status(), Status::Paid);
    assert_eq!(store.list_invoices().await.unwrap(), vec![got.clone()]);
    assert_eq!(
        store.find_invoice_by_number("SP-1001").await.unwrap(),
        Some(got)
    );
    assert_eq!(store.next_invoice_number().await.unwrap(), "INV-00001");
    assert_eq!(store.invoice_currencies().await.unwrap(), [Currency::USD]);
    // The invoices outstanding at the end of a day are those the facts say are: not before
    // its issue, while part of it is unpaid, not once paid in full.
    let outstanding = async |day| {
        let read: Vec<i64> = store
            .list_outstanding_facts(day)
            .await
            .unwrap()
            .iter()
            .map(|f| f.id)
            .collect();
        let kept: Vec<i64> = store
            .list_invoice_facts()
            .await
            .unwrap()
            .iter()
            .filter(|f| f.facts.outstanding_on(day).is_some())
            .map(|f| f.id)
            .collect();
        assert_eq!(read, kept, "{day}");
        read
    };
    assert!(outstanding(date(2026, 4, 2)).await.is_empty());
    assert_eq!(outstanding(date(2026, 4, 3)).await, [id]);
    assert_eq!(outstanding(date(2026, 4, 20)).await, [id]);
    assert!(outstanding(date(2026, 5, 2)).await.is_empty());
    let facts = store
        .list_outstanding_facts(date(2026, 4, 20))
        .await
        .unwrap();
    assert_eq!(facts[0].facts.payments.len(), 2, "with all its payments");
    // A second invoice of the same number is refused, and nothing of it is kept.
    let mut tx = store.begin().await.unwrap();
    let again = tx.insert_invoice(&new, at(5)).await;
    assert!(
        matches!(&again, Err(StoreError::Conflict(m)) if m.contains("SP-1001")),
        "{again:?}"
    );
    tx.rollback().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.void_invoice(id, date(2026, 6, 1), "billed twice", at(6))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let voided = store.get_invoice(id).await.unwrap();
    assert_eq!(voided.void_reason.as_deref(), Some("billed twice"));
    assert_eq!(voided.status(), Status::Void);
    // Voided on 1 June: outstanding before (had it been unpaid), nothing from that day.
    let mut tx = store.begin().await.unwrap();
    let unpaid = tx
        .insert_invoice(
            &bearing_store::NewInvoice {
                number: "SP-1002".into(),
                ..new.clone()
            },
            at(7),
        )
        .await
        .unwrap();
    tx.issue_invoice(unpaid, date(2026, 4, 3), date(2026, 5, 18), at(8))
        .await
        .unwrap();
    tx.void_invoice(unpaid, date(2026, 6, 1), "sent in error", at(9))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(outstanding(date(2026, 5, 31)).await, [unpaid]);
    assert!(outstanding(date(2026, 6, 1)).await.is_empty());
    assert_eq!(store.list_invoices().await.unwrap().len(), 2);
    assert!(store.collected_by_deal(None).await.unwrap().is_empty());
    assert!(matches!(
        store.get_invoice(unpaid + 1).await,
        Err(StoreError::NotFound { .. })
    ));
}
