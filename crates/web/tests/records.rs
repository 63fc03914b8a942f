//! Records a person can work with in the browser: organizations and contacts created, found,
//! edited, deleted and restored through the pages, named by the names people read.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod support;

use axum::http::StatusCode;
use bearing_core::access::Role;
use bearing_store::testing::TestDb;
use support::{TestApp, row_of};

bearing_store::on_both_backends!(
    a_billing_run_is_reviewed_and_the_ticked_invoices_made_drafts,
    an_organization_and_its_contact_are_created_found_edited_deleted_and_restored,
    an_organizations_page_is_its_account_view,
    an_organizations_revenue_adds_its_contracts_and_usage_each_month,
    members_see_no_forms_and_cannot_post_them,
    one_search_box_finds_every_kind_of_record,
    the_navigation_groups_the_pages,
    a_deal_is_entered_from_lists_with_every_problem_beside_its_field,
    the_board_filters_moves_to_won_or_lost_and_undoes_a_move,
    an_invoice_is_drafted_issued_paid_and_aged_in_the_browser,
);

fn path_of(location: &Option<String>) -> String {
    location
        .clone()
        .expect("a redirect")
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

async fn an_organization_and_its_contact_are_created_found_edited_deleted_and_restored(
    db: &TestDb,
) {
    let app = TestApp::new(db).await;
    let mut partner = app.as_role(Role::Partnerships).await;
    // Every problem of the form at once, and the form as typed.
    let refused = partner
        .post(
            "/organizations",
            &[
                ("name", "two words"),
                ("long_name", "Harbour Data Commons"),
                ("kind", "planet"),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text
    );
    assert!(
        refused.text.contains("key: ") && refused.text.contains("kind: "),
        "{}",
        refused.text
    );
    assert!(
        refused.text.contains("value=\"Harbour Data Commons\""),
        "{}",
        refused.text
    );

    let created = partner
        .post(
            "/organizations",
            &[
                ("name", "harbour-data"),
                ("long_name", "Harbour Data Commons"),
                ("kind", "community"),
                ("tags", "research, ocean"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text);
    let org = path_of(&created.location);
    let page = partner.get(created.location.as_deref().unwrap()).await;
    assert!(
        page.text.contains("<h1>Harbour Data Commons")
            && page.text.contains("The organization was created."),
        "{}",
        page.text
    );

    let contact = partner
        .post(
            "/contacts",
            &[
                ("name", "Ines Marlow"),
                ("email", "ines@harbour.example"),
                ("org_1", "harbour-data"),
                ("label_1", "billing-contact"),
            ],
        )
        .await;
    assert_eq!(contact.status, StatusCode::SEE_OTHER, "{}", contact.text);
    let contact = path_of(&contact.location);
    let shown = partner.get(&contact).await;
    assert!(
        shown
            .text
            .contains(&format!("<a href=\"{org}\">Harbour Data Commons</a>"))
            && shown.text.contains("billing contact"),
        "the contact names and links its organization: {}",
        shown.text
    );

    // Found by search, filters and names; the machine key stays in the address.
    for (path, finds) in [
        ("/organizations?q=harbour", true),
        ("/organizations?q=HARBOUR%20DATA", true),
        ("/organizations?kind=funder", false),
        ("/organizations?tag=ocean", true),
        ("/contacts?q=ines@", true),
        ("/contacts?org=harbour-data&label=billing-contact", true),
        ("/contacts?label=technical-contact", false),
    ] {
        let list = partner.get(path).await;
        assert_eq!(list.status, StatusCode::OK, "{path}");
        let found = list.text.contains(">Harbour Data Commons</a>")
            || list.text.contains(">Ines Marlow</a>");
        assert_eq!(found, finds, "{path}: {}", list.text);
    }
    let account = partner.get(&org).await;
    assert!(
        account.text.contains(">Ines Marlow</a>"),
        "{}",
        account.text
    );

    // Edited, with a no-op edit changing nothing.
    let saved = partner
        .post(
            &org,
            &[
                ("name", "harbour-data"),
                ("long_name", "Harbour Data Commons Trust"),
                ("kind", "partner"),
                ("tags", "research, ocean"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let page = partner.get(&org).await;
    assert!(
        page.text.contains("<h1>Harbour Data Commons Trust")
            && page
                .text
                .contains("long name: Harbour Data Commons → Harbour Data Commons Trust")
            && page.text.contains("kind: community → partner"),
        "{}",
        page.text
    );

    // Deleted: out of the list, still readable, restorable.
    let deleted = partner.post(&format!("{org}/delete"), &[]).await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    let list = partner.get("/organizations").await;
    assert!(
        !list.text.contains("Harbour Data Commons Trust"),
        "{}",
        list.text
    );
    let with_deleted = partner.get("/organizations?deleted=1").await;
    assert!(
        with_deleted
            .text
            .contains("Harbour Data Commons Trust (deleted)"),
        "{}",
        with_deleted.text
    );
    let page = partner.get(&org).await;
    assert!(
        page.text.contains("Restore the organization"),
        "{}",
        page.text
    );
    let restored = partner.post(&format!("{org}/restore"), &[]).await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER);
    let list = partner.get("/organizations").await;
    assert!(
        list.text.contains("Harbour Data Commons Trust"),
        "{}",
        list.text
    );

    let gone = partner.post(&format!("{contact}/delete"), &[]).await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    let contacts = partner.get("/contacts").await;
    assert!(
        !contacts.text.contains(">Ines Marlow</a>"),
        "{}",
        contacts.text
    );
    let back = partner.post(&format!("{contact}/restore"), &[]).await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    assert!(
        partner
            .get("/contacts")
            .await
            .text
            .contains(">Ines Marlow</a>")
    );
}

async fn an_organizations_page_is_its_account_view(db: &TestDb) {
    let app = TestApp::new(db).await.with_demo().await;
    let mut member = app.as_role(Role::Member).await;
    // The demo's deals name organizations by the names people read, linked.
    let deals = member.get("/deals").await;
    let list = member.get("/organizations").await;
    let first = list
        .text
        .split("<td><a href=\"/organizations/")
        .nth(1)
        .expect("an organization");
    let id: String = first.chars().take_while(char::is_ascii_digit).collect();
    let page = member.get(&format!("/organizations/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    for part in [
        "Open deals",
        "Won deals",
        "Lost deals",
        "Contracts of ",
        "Contacts at ",
        "Clusters and hubs of ",
        "Revenue from ",
        "id=\"hist-h\"",
    ] {
        assert!(page.text.contains(part), "{part}: {}", page.text);
    }
    assert!(
        deals.text.contains("<td><a href=\"/organizations/"),
        "the deals table links each organization: {}",
        deals.text
    );
    assert!(
        !deals.text.contains("-collaborative</td>"),
        "{}",
        deals.text
    );
}

async fn members_see_no_forms_and_cannot_post_them(db: &TestDb) {
    let app = TestApp::new(db).await.with_demo().await;
    let mut member = app.as_role(Role::Member).await;
    let list = member.get("/organizations").await;
    assert!(!list.text.contains("Add an organization"), "{}", list.text);
    let page = member.get("/organizations/1").await;
    assert!(
        !page.text.contains("Edit the organization") && !page.text.contains("/delete"),
        "{}",
        page.text
    );
    let refused = member
        .post("/organizations", &[("name", "x"), ("kind", "community")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let refused = member.post("/contacts/1/delete", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

async fn one_search_box_finds_every_kind_of_record(db: &TestDb) {
    let app = TestApp::new(db).await.with_demo().await;
    let mut partner = app.as_role(Role::Partnerships).await;
    let home = partner.get("/").await;
    assert!(
        home.text
            .contains("<form class=\"search\" method=\"get\" action=\"/search\""),
        "every page has the search box"
    );
    partner
        .post(
            "/organizations",
            &[
                ("name", "quillfeather"),
                ("long_name", "Quillfeather Institute"),
                ("kind", "community"),
            ],
        )
        .await;
    partner
        .post(
            "/contacts",
            &[
                ("name", "Odile Brandt"),
                ("email", "odile@quill.example"),
                ("org_1", "quillfeather"),
                ("label_1", "technical-contact"),
            ],
        )
        .await;
    let deal = partner.get("/deals/1").await;
    let deal_name = deal.text[deal.text.find("<h1>").unwrap() + 4..]
        .split('<')
        .next()
        .unwrap()
        .trim()
        .to_owned();
    let cluster = partner.get("/usage/clusters/1").await;
    let cluster_name = cluster.text[cluster.text.find("<h1>").unwrap() + 4..]
        .split('<')
        .next()
        .unwrap()
        .trim()
        .trim_start_matches("Cluster ")
        .to_owned();
    for (q, finds, kind) in [
        (
            "quillfeather inst",
            "Quillfeather Institute",
            "Organizations",
        ),
        ("QUILLFEATHER", "Quillfeather Institute", "Organizations"),
        ("odile@quill", "Odile Brandt", "Contacts"),
        (deal_name.as_str(), deal_name.as_str(), "Deals"),
        ("Imani", "Imani Achterberg", "People"),
        (cluster_name.as_str(), cluster_name.as_str(), "Clusters"),
    ] {
        let page = partner
            .get(&format!("/search?q={}", support::encode(q)))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{q}");
        assert!(
            page.text.contains(&format!(">{kind}</h2>"))
                && page.text.contains(&format!(">{finds}</a>")),
            "{q} finds {finds}: {}",
            page.text
        );
    }
    let none = partner.get("/search?q=zzzz-nothing").await;
    assert!(none.text.contains("Nothing matches"), "{}", none.text);
}

async fn the_navigation_groups_the_pages(db: &TestDb) {
    let app = TestApp::new(db).await;
    let mut admin = app.as_role(Role::Admin).await;
    let page = admin.get("/deals").await;
    for group in ["Pipeline", "Forecast", "Community", "Team", "Admin"] {
        assert!(
            page.text.contains(&format!("<summary>{group}</summary>")),
            "{group}: {}",
            page.text
        );
    }
    assert!(
        page.text
            .contains("<details class=\"menu current\">\n        <summary>Pipeline</summary>"),
        "the current page's group is marked: {}",
        page.text
    );
    let mut member = app.as_role(Role::Member).await;
    let page = member.get("/deals").await;
    assert!(
        !page.text.contains("href=\"/team\"") && !page.text.contains("href=\"/users\""),
        "a member's navigation leaves out the pages they may not open"
    );
}

async fn a_deal_is_entered_from_lists_with_every_problem_beside_its_field(db: &TestDb) {
    let app = TestApp::new(db).await.with_demo().await;
    let mut partner = app.as_role(Role::Partnerships).await;
    partner
        .post(
            "/organizations",
            &[
                ("name", "tidewater"),
                ("long_name", "Tidewater Learning Lab"),
                ("kind", "community"),
            ],
        )
        .await;
    let form = partner.get("/deals/new").await;
    assert!(
        form.text
            .contains("<option value=\"tidewater\">Tidewater Learning Lab</option>")
            && form.text.contains("<option>Imani Achterberg</option>")
            && form.text.contains("<select name=\"renews\""),
        "organization, owner and renewed deal are chosen from lists: {}",
        form.text
    );
    // A deal is renewed once: one a renewal already renews is offered only to that renewal.
    let deals = app.store.list_deals(false).await.unwrap();
    let (renewal, renewed) = deals
        .iter()
        .find_map(|d| Some((d.id, d.row.renews_deal_id?)))
        .expect("the demo renews deals");
    assert!(
        !form.text.contains(&format!("<option value=\"{renewed}\"")),
        "{renewed} is renewed already: {}",
        form.text
    );
    let edit = partner.get(&format!("/deals/{renewal}/edit")).await;
    assert!(
        edit.text
            .contains(&format!("<option value=\"{renewed}\" selected>")),
        "{}",
        edit.text
    );
    // A probability reads back as it was written, without binary noise (0.29 × 100).
    let created = partner
        .post(
            "/deals",
            &[
                ("name", "Tidewater pilot"),
                ("stage", "Discovery"),
                ("probability", "29"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text);
    let at = created.location.unwrap();
    let id = at.trim_start_matches("/deals/").split('?').next().unwrap();
    let edit = partner.get(&format!("/deals/{id}/edit")).await;
    assert!(
        edit.text.contains("name=\"probability\" value=\"29\""),
        "{}",
        edit.text
    );
    let refused = partner
        .post(
            "/deals",
            &[
                ("name", "Tidewater hub"),
                ("organization", "tidewater"),
                ("pipeline", "Membership Sales"),
                ("stage", "Discovery"),
                ("amount", "sixty thousand"),
                ("probability", "lots"),
                ("contract_start", "2027-07-01"),
                ("contract_end", "2027-06-30"),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text
    );
    for id in ["amount-problem", "probability-problem"] {
        assert!(
            refused
                .text
                .contains(&format!("<p class=\"problem\" id=\"{id}\">")),
            "{id}: {}",
            refused.text
        );
    }
    assert!(
        refused.text.contains("There are 2 problems"),
        "the problems of the fields themselves, all at once: {}",
        refused.text
    );
    let refused = partner
        .post(
            "/deals",
            &[
                ("name", "Tidewater hub"),
                ("organization", "tidewater"),
                ("pipeline", "Membership Sales"),
                ("stage", "Discovery"),
                ("amount", "$60,000"),
                ("contract_start", "2027-07-01"),
                ("contract_end", "2027-06-30"),
            ],
        )
        .await;
    assert!(
        refused
            .text
            .contains("<p class=\"problem\" id=\"contract_end-problem\">"),
        "a deal's own rules are shown beside their field too: {}",
        refused.text
    );
    let created = partner
        .post(
            "/deals",
            &[
                ("name", "Tidewater hub"),
                ("organization", "tidewater"),
                ("pipeline", "Membership Sales"),
                ("stage", "Discovery"),
                ("amount", "$60,000"),
                ("owner", "Imani Achterberg"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text);
    let page = partner.get(created.location.as_deref().unwrap()).await;
    assert!(
        page.text.contains("<dd>$60,000</dd>")
            && page.text.contains(">Tidewater Learning Lab</a>")
            && page.text.contains(
                "This deal adds nothing to the forecast until its start, end are filled in"
            ),
        "{}",
        page.text
    );
}

async fn the_board_filters_moves_to_won_or_lost_and_undoes_a_move(db: &TestDb) {
    let app = TestApp::new(db).await;
    let mut partner = app.as_role(Role::Partnerships).await;
    for (name, owner, close) in [
        ("Late one", "Ada", "2020-01-31"),
        ("Far off", "Bea", "2099-01-31"),
    ] {
        let created = partner
            .post(
                "/deals",
                &[
                    ("name", name),
                    ("pipeline", "Membership Sales"),
                    ("stage", "Discovery"),
                    ("amount", "1000"),
                    ("owner", owner),
                    ("close_date", close),
                ],
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text);
    }
    let board = partner.get("/pipeline").await;
    assert!(
        board.text.contains("data-stage=\"Closed Won\"")
            && board.text.contains("data-stage=\"Closed Lost\""),
        "won and lost are columns to drop on: {}",
        board.text
    );
    assert!(
        board.text.contains("<li class=\"overdue\">"),
        "{}",
        board.text
    );
    let ada = partner.get("/pipeline?owner=Ada").await;
    assert!(
        ada.text.contains(">Late one</a>") && !ada.text.contains(">Far off</a>"),
        "{}",
        ada.text
    );
    let late = partner.get("/pipeline?closes=overdue").await;
    assert!(
        late.text.contains(">Late one</a>") && !late.text.contains(">Far off</a>"),
        "{}",
        late.text
    );

    let moved = partner
        .post(
            "/deals/1/move",
            &[
                ("stage", "Closed Lost"),
                ("loss_reason", "timing"),
                ("back", "/pipeline"),
            ],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.text);
    let back = partner.get(moved.location.as_deref().unwrap()).await;
    assert!(
        back.text
            .contains("Moved “Late one” from Discovery to Closed Lost.")
            && back.text.contains(">Undo</button>"),
        "{}",
        back.text
    );
    let undone = partner
        .post(
            "/deals/1/move",
            &[
                ("stage", "Discovery"),
                ("back", "/pipeline"),
                ("close_date", "2020-01-31"),
            ],
        )
        .await;
    assert_eq!(undone.status, StatusCode::SEE_OTHER, "{}", undone.text);
    let deal = partner.get("/deals/1").await;
    assert!(deal.text.contains("<dd>Discovery</dd>"), "{}", deal.text);
}

async fn an_organizations_revenue_adds_its_contracts_and_usage_each_month(db: &TestDb) {
    let app = TestApp::new(db).await;
    let mut partner = app.as_role(Role::Partnerships).await;
    let created = partner
        .post(
            "/organizations",
            &[
                ("name", "pinecrest"),
                ("long_name", "Pinecrest College"),
                ("kind", "community"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text);
    let org = created
        .location
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    // A $24,000 contract over twelve months, the current one the sixth: $2,000 a month.
    let now = bearing_core::Month::of(jiff::Zoned::now().date());
    let month = |n: i32| now.plus(n).unwrap();
    let (start, end) = (month(-5).first_day(), month(6).last_day());
    let won = partner
        .post(
            "/deals",
            &[
                ("name", "Pinecrest hub"),
                ("organization", "pinecrest"),
                ("stage", "Closed Won"),
                ("amount", "24000"),
                ("close_date", &start.to_string()),
                ("contract_start", &start.to_string()),
                ("contract_end", &end.to_string()),
            ],
        )
        .await;
    assert_eq!(won.status, StatusCode::SEE_OTHER, "{}", won.text);
    // Its cluster had 280 active users this month, which the default tiers price at $1,000.
    let samples = format!(
        "cluster,date,unique_users\npinecrest-hub,{},280\n",
        now.first_day()
    );
    bearing_app::usage::import(
        &app.store,
        &support::ctx(),
        "u.csv",
        samples.as_bytes(),
        false,
    )
    .await
    .unwrap();
    let cluster = bearing_app::usage::find_unit(&app.store, "pinecrest-hub")
        .await
        .unwrap();
    let org_id: i64 = org.trim_start_matches("/organizations/").parse().unwrap();
    let fields = bearing_core::usage::UnitFields {
        organization: Some(bearing_core::OrganizationId::new(org_id).unwrap()),
        ..cluster.fields.clone()
    };
    bearing_app::usage::update_unit(&app.store, &support::ctx(), cluster.id, fields)
        .await
        .unwrap();
    let page = partner.get(&org).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let label =
        |m: bearing_core::Month| jiff::fmt::strtime::format("%b %Y", m.first_day()).unwrap();
    let caption = "Revenue from Pinecrest College by month";
    assert_eq!(
        row_of(&page.text, caption, &label(now))[1..],
        ["$2,000", "280", "$1,000", "$3,000"]
    );
    assert_eq!(
        row_of(&page.text, caption, &label(month(-5)))[1..],
        ["$2,000", "0", "$0", "$2,000"]
    );
    assert_eq!(
        row_of(&page.text, caption, &label(month(-6)))[1..],
        ["$0", "0", "$0", "$0"],
        "before the contract"
    );
    assert!(
        page.text
            .contains("$3,000 ($2,000 contracts, $1,000 usage)"),
        "{}",
        page.text
    );
    let chart = &page.text[page
        .text
        .find("Revenue from Pinecrest College each month")
        .unwrap()..];
    assert!(chart.contains(">Usage fees<"), "{chart}");
}

async fn an_invoice_is_drafted_issued_paid_and_aged_in_the_browser(db: &TestDb) {
    let app = TestApp::new(db).await;
    let mut partner = app.as_role(Role::Partnerships).await;
    let created = partner
        .post(
            "/organizations",
            &[("name", "pinecrest"), ("kind", "community")],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text);
    // Partnerships reads the invoices (cash is shown to everyone) but sees no forms.
    let list = partner.get("/invoices").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.text.contains("A new draft"), "{}", list.text);
    let refused = partner
        .post(
            "/invoices",
            &[
                ("organization", "pinecrest"),
                ("kind", "service"),
                ("lines", "Work; 10"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let won = partner
        .post(
            "/deals",
            &[
                ("name", "Pinecrest membership"),
                ("organization", "pinecrest"),
                ("stage", "Closed Won"),
                ("amount", "12501"),
                ("close_date", "2026-01-01"),
                ("contract_start", "2026-01-01"),
                ("contract_end", "2026-12-31"),
            ],
        )
        .await;
    assert_eq!(won.status, StatusCode::SEE_OTHER, "{}", won.text);
    let deal = path_of(&won.location);
    let deal_id = deal.trim_start_matches("/deals/").to_owned();

    let mut finance = app.as_role(Role::Finance).await;
    // A line that cannot be read: the form comes back with the problem and nothing is saved.
    let bad = finance
        .post(
            "/invoices",
            &[
                ("organization", "pinecrest"),
                ("kind", "membership"),
                ("lines", "Membership 2026; 12000\nSetup; 1.2345; 10"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text.contains("line 2"), "{}", bad.text);
    assert!(
        bad.text.contains("Setup; 1.2345; 10"),
        "the form keeps what was typed"
    );
    let drafted = finance
        .post(
            "/invoices",
            &[
                ("organization", "pinecrest"),
                ("kind", "membership"),
                ("lines", "Membership 2026; 12000\nSetup; 2; 250.50"),
                ("terms", "30"),
                ("deal", &deal_id),
            ],
        )
        .await;
    assert_eq!(drafted.status, StatusCode::SEE_OTHER, "{}", drafted.text);
    assert_eq!(path_of(&drafted.location), "/invoices/INV-00001");
    let page = finance.get("/invoices/INV-00001").await;
    assert!(page.text.contains("$12,501.00"), "{}", page.text);
    assert_eq!(
        row_of(&page.text, "Lines", "Setup"),
        ["Setup", "2", "$250.50", "$501.00"]
    );
    // The draft's form holds its lines as typed; lines that cannot be read save nothing.
    assert!(
        page.text
            .contains("Membership 2026; 1; 12000.00\nSetup; 2; 250.50</textarea>"),
        "{}",
        page.text
    );
    let bad = finance
        .post(
            "/invoices/INV-00001/lines",
            &[("lines", "Setup; 1.2345; 10")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    assert!(bad.text.contains("line 1"), "{}", bad.text);
    let saved = finance
        .post(
            "/invoices/INV-00001/lines",
            &[("lines", "Membership and setup 2026; 12501\n\n")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let page = finance.get("/invoices/INV-00001").await;
    assert_eq!(
        row_of(&page.text, "Lines", "Membership and setup 2026"),
        ["Membership and setup 2026", "1", "$12,501.00", "$12,501.00"]
    );
    assert!(!page.text.contains("<td>Setup</td>"), "{}", page.text);
    let issued = finance
        .post("/invoices/INV-00001/issue", &[("on", "2026-01-10")])
        .await;
    assert_eq!(issued.status, StatusCode::SEE_OTHER, "{}", issued.text);
    let page = finance.get("/invoices/INV-00001").await;
    assert!(!page.text.contains("Edit the lines"), "{}", page.text);
    let refused = finance
        .post("/invoices/INV-00001/lines", &[("lines", "Setup; 1")])
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text);
    let over = finance
        .post(
            "/invoices/INV-00001/payments",
            &[("amount", "99,999"), ("on", "2026-04-20")],
        )
        .await;
    assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(over.text.contains("more than the balance"), "{}", over.text);
    let paid = finance
        .post(
            "/invoices/INV-00001/payments",
            &[
                ("amount", "$5,000"),
                ("on", "2026-04-20"),
                ("reference", "wire 7"),
            ],
        )
        .await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER, "{}", paid.text);
    // The redirect's notice shows; the same notice in a link made elsewhere does not.
    let page = finance.get(paid.location.as_deref().unwrap()).await;
    assert!(page.text.contains("Payment recorded"), "{}", page.text);
    let crafted = finance
        .get("/invoices/INV-00001?done=Call+us+at+555-0100&seal=0123456789abcdef0123456789abcdef")
        .await;
    assert!(!crafted.text.contains("555-0100"), "{}", crafted.text);
    let unsealed = finance.get("/invoices?done=Call+us+at+555-0100").await;
    assert!(!unsealed.text.contains("555-0100"), "{}", unsealed.text);
    assert!(page.text.contains("partially-paid"), "{}", page.text);
    assert_eq!(
        row_of(&page.text, "Payments", "20 Apr 2026"),
        ["20 Apr 2026", "$5,000.00", "wire 7"]
    );
    assert!(page.text.contains("issued"), "the history shows the issue");
    // On 31 March the April payment does not count: $12,501 owed, 50 days past due.
    let march = finance.get("/aging?as_of=2026-03-31").await;
    assert_eq!(march.status, StatusCode::OK);
    let cells = row_of(
        &march.text,
        "Outstanding invoices, most overdue first",
        "<a href=\"/invoices/INV-00001\">INV-00001</a>",
    );
    assert_eq!(cells[4..], ["50", "31–60 days", "$12,501.00"]);
    // On 30 June, $7,501 is 141 days past due: on the 60+ list.
    let june = finance.get("/aging?as_of=2026-06-30").await;
    let cells = row_of(
        &june.text,
        "Over 60 days past due: whom to chase",
        "<a href=\"/invoices/INV-00001\">INV-00001</a>",
    );
    assert_eq!(cells[4..], ["141", "Over 90 days", "$7,501.00"]);
    let bad_day = finance.get("/aging?as_of=someday").await;
    assert!(bad_day.text.contains("as of"), "{}", bad_day.text);
    // Voiding one with a payment on it is refused, saying what to do.
    let void = finance
        .post("/invoices/INV-00001/void", &[("reason", "wrong entity")])
        .await;
    assert_eq!(void.status, StatusCode::CONFLICT);
    assert!(
        void.text.contains("record the refund before voiding it"),
        "{}",
        void.text
    );
    // The deal collects what was paid on its invoices, and says so beside the CRM's value.
    let deal_page = finance.get(&deal).await;
    assert!(
        deal_page
            .text
            .contains("$5,000.00 paid on its invoices (nothing typed in the CRM)"),
        "{}",
        deal_page.text
    );
    // The organization's page lists its invoices and what it owes; the dashboard what is owed.
    let org = finance.get(&path_of(&created.location)).await;
    assert!(org.text.contains("Invoices to pinecrest"), "{}", org.text);
    assert!(org.text.contains("$7,501.00"), "{}", org.text);
    let home = finance.get("/").await;
    assert!(home.text.contains("Receivables"), "{}", home.text);
    assert!(home.text.contains("$7,501"), "{}", home.text);
    let missing = finance.get("/invoices/INV-404").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    // The organization's table does not name the organization on every row.
    let table = &org.text[org.text.find("Invoices to pinecrest</caption>").unwrap()..];
    let head = &table[..table.find("</thead>").unwrap()];
    assert!(head.contains(">Deal<"), "{head}");
    assert!(!head.contains(">Organization<"), "{head}");
    // A void's reason links the invoice that replaces it.
    let second = finance
        .post(
            "/invoices",
            &[
                ("organization", "pinecrest"),
                ("kind", "service"),
                ("lines", "Training; 10"),
            ],
        )
        .await;
    let second = path_of(&second.location);
    let voided = finance
        .post(
            &format!("{second}/void"),
            &[("reason", "billed twice; replaced by INV-00001.")],
        )
        .await;
    assert_eq!(voided.status, StatusCode::SEE_OTHER, "{}", voided.text);
    let page = finance.get(&second).await;
    assert!(
        page.text
            .contains("billed twice; replaced by <a href=\"/invoices/INV-00001\">INV-00001</a>."),
        "{}",
        page.text
    );
}

async fn a_billing_run_is_reviewed_and_the_ticked_invoices_made_drafts(db: &TestDb) {
    let app = TestApp::new(db).await;
    let mut partner = app.as_role(Role::Partnerships).await;
    let created = partner
        .post(
            "/organizations",
            &[("name", "pinecrest"), ("kind", "community")],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text);
    let won = partner
        .post(
            "/deals",
            &[
                ("name", "Pinecrest membership"),
                ("organization", "pinecrest"),
                ("stage", "Closed Won"),
                ("amount", "12000"),
                ("close_date", "2026-01-01"),
                ("contract_start", "2026-01-01"),
                ("contract_end", "2026-12-31"),
            ],
        )
        .await;
    assert_eq!(won.status, StatusCode::SEE_OTHER, "{}", won.text);
    let deal = path_of(&won.location);
    let id = deal.trim_start_matches("/deals/").to_owned();
    // Partnerships sees how the deal is billed but may not change it.
    let page = partner.get(&deal).await;
    assert!(
        page.text.contains("Billed once, in advance"),
        "{}",
        page.text
    );
    assert!(
        !page.text.contains("Save how it is billed"),
        "{}",
        page.text
    );
    let refused = partner
        .post(
            &format!("{deal}/billing"),
            &[("frequency", "quarterly"), ("timing", "advance")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let mut finance = app.as_role(Role::Finance).await;
    let bad = finance
        .post(
            &format!("{deal}/billing"),
            &[
                ("frequency", "custom"),
                ("timing", "advance"),
                ("milestones", "2026-03-01 5000"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text
            .contains("the billing schedule was not saved: milestones: line 1"),
        "{}",
        bad.text
    );
    let set = finance
        .post(
            &format!("{deal}/billing"),
            &[("frequency", "quarterly"), ("timing", "advance")],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.text);
    let page = finance.get(&deal).await;
    assert!(
        page.text.contains("Billed quarterly, in advance."),
        "{}",
        page.text
    );
    assert!(
        page.text
            .contains("billing schedule: frequency: quarterly; timing: advance"),
        "the timeline shows the change: {}",
        page.text
    );
    assert_eq!(
        row_of(
            &page.text,
            "Instalments: what the deal bills and when",
            "1 Apr 2026"
        ),
        ["1 Apr 2026", "1 Apr 2026 – 30 Jun 2026", "$3,000.00"]
    );
    // By May two quarters are due; Partnerships reads the run without its checkboxes.
    let run = partner.get("/billing?month=2026-05").await;
    assert_eq!(run.status, StatusCode::OK);
    assert!(run.text.contains("$6,000.00"), "{}", run.text);
    assert!(!run.text.contains("type=\"checkbox\""), "{}", run.text);
    assert!(
        !run.text
            .contains("<form method=\"post\" action=\"/billing\""),
        "{}",
        run.text
    );
    let run = finance.get("/billing?month=2026-05").await;
    let first = format!("deal-{id}-2026-01-01");
    let second = format!("deal-{id}-2026-04-01");
    for key in [&first, &second] {
        assert!(
            run.text.contains(&format!("name=\"key\" value=\"{key}\"")),
            "{}",
            run.text
        );
    }
    let none = finance.post("/billing", &[("month", "2026-05")]).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.text.contains("none is ticked"), "{}", none.text);
    let made = finance
        .post("/billing", &[("month", "2026-05"), ("key", &second)])
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text);
    assert!(
        path_of(&made.location).starts_with("/invoices"),
        "{:?}",
        made.location
    );
    let drafts = finance.get("/invoices?status=draft").await;
    assert_eq!(
        row_of(
            &drafts.text,
            "Invoices, newest first",
            "<a href=\"/invoices/INV-00001\">INV-00001</a>"
        )[7..],
        ["$3,000.00", "$3,000.00"]
    );
    // What is drafted is billed: the run proposes the first quarter alone, and a stale tick
    // makes nothing.
    let run = finance.get("/billing?month=2026-05").await;
    assert!(run.text.contains(&first), "{}", run.text);
    assert!(!run.text.contains(&second), "{}", run.text);
    let stale = finance
        .post("/billing", &[("month", "2026-05"), ("key", &second)])
        .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        stale.text.contains("review the run again"),
        "{}",
        stale.text
    );
    // A month that cannot be read shows no run; a form without one makes nothing.
    let bad_month = finance.get("/billing?month=May").await;
    assert_eq!(bad_month.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_month.text.contains("month: "), "{}", bad_month.text);
    assert!(!bad_month.text.contains("checkbox"), "{}", bad_month.text);
    let no_month = finance.post("/billing", &[("key", &first)]).await;
    assert_eq!(no_month.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_month.text.contains("month: is required"),
        "{}",
        no_month.text
    );
}
