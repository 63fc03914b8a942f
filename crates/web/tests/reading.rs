//! What the pages say and how people read it: charts that add up, figures in words and
//! money, error pages a person can go back from.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

mod support;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use bearing_core::access::Role;
use bearing_store::testing::TestDb;
use support::{TestApp, row_of};

bearing_store::on_both_backends!(
    the_revenue_by_type_chart_stacks_to_each_months_total,
    the_demos_role_pages_read_like_the_organisations,
    pages_refuse_with_html_pages_and_a_way_back_while_the_api_keeps_json,
    the_scorecard_names_cost_coverage_and_says_which_costs_it_weighs,
    history_and_audit_entries_read_as_people_write_them,
    the_forecast_reads_at_a_glance,
    the_dashboard_opens_with_the_figures_at_a_glance,
    each_assumption_has_a_label_help_and_its_changes_in_words,
    bands_read_as_a_grid_and_former_staff_are_marked,
    usage_lists_the_most_used_first_and_groups_the_rest,
    analytics_counts_conversion_and_wins_for_the_deals_chosen,
    the_pipeline_says_how_it_moved_since_last_month,
);

/// The address of the first link whose text is `text`.
fn link_to(page: &str, text: &str) -> String {
    let end = page
        .find(&format!("\">{text}</a>"))
        .unwrap_or_else(|| panic!("no link {text:?} on the page"));
    let start = page[..end].rfind("href=\"").expect("a link") + 6;
    page[start..end].to_owned()
}

/// The figure after `<h2>…title…</h2>` up to its end.
fn figure_after<'a>(page: &'a str, title: &str) -> &'a str {
    let start = page
        .find(&format!(">{title}</h2>"))
        .unwrap_or_else(|| panic!("no {title:?} on the page"));
    let rest = &page[start..];
    &rest[..rest.find("</svg>").expect("the chart ends")]
}

/// The `data-x` and `data-value` of each bar of a stacked chart.
fn bars(svg: &str) -> Vec<(usize, f64)> {
    svg.split("<rect ")
        .skip(1)
        .filter_map(|rect| {
            let attr = |name: &str| {
                let at = rect.find(&format!("{name}=\""))? + name.len() + 2;
                let end = rect[at..].find('"')? + at;
                Some(rect[at..end].to_owned())
            };
            Some((
                attr("data-x")?.parse().ok()?,
                attr("data-value")?.parse().ok()?,
            ))
        })
        .collect()
}

async fn the_revenue_by_type_chart_stacks_to_each_months_total(db: &TestDb) {
    let app = TestApp::new(db).await.with_demo().await;
    let mut finance = app.as_role(Role::Finance).await;
    let page = finance.get("/forecast").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let bars = bars(figure_after(&page.text, "Revenue by type"));
    assert!(!bars.is_empty(), "the chart has bars");

    let csv = finance
        .get("/forecast/download?format=csv&report=revenue-by-type")
        .await;
    let csv = String::from_utf8(csv.bytes).unwrap();
    let total: Vec<f64> = csv
        .lines()
        .find(|line| line.starts_with("TOTAL (committed + pipeline),"))
        .expect("the table has the total")
        .split(',')
        .skip(1)
        .map(|v| v.parse().unwrap())
        .collect();
    assert_eq!(total.len(), 24);
    for (month, expected) in total.iter().enumerate() {
        let stacked: f64 = bars
            .iter()
            .filter(|(x, _)| *x == month)
            .map(|(_, v)| v)
            .sum();
        assert!(
            (stacked - expected).abs() < 1.0,
            "month {month}: the bar stacks to {stacked}, the month's total is {expected}"
        );
    }
}

async fn the_demos_role_pages_read_like_the_organisations(db: &TestDb) {
    let app = TestApp::new(db).await.with_demo().await;
    let mut member = app.as_role(Role::Member).await;
    let roles = member.get("/roles").await;
    let lead = member.get(&link_to(&roles.text, "Partnerships Lead")).await;
    assert_eq!(lead.status, StatusCode::OK, "{}", lead.text);
    for part in [
        ">Key goal</h2>",
        ">Responsibilities and expectations</h2>",
        ">Performance measures</h2>",
        ">Levels</h2>",
        "<li><strong>Lead the sustainability strategy</strong>.",
        "<li>Days from first contact to signed agreement</li>",
        "<aside class=\"note\"",
    ] {
        assert!(lead.text.contains(part), "{part}: {}", lead.text);
    }
    let parts = &lead.text[..lead.text.find("id=\"hist-h\"").expect("the history")];
    assert!(
        !parts.contains("- **"),
        "Markdown is shown as HTML: {parts}"
    );
}

fn is_html(reply: &support::Reply) -> bool {
    reply
        .content_type
        .as_deref()
        .is_some_and(|t| t.starts_with("text/html"))
}

async fn pages_refuse_with_html_pages_and_a_way_back_while_the_api_keeps_json(db: &TestDb) {
    let app = TestApp::new(db).await;
    let mut member = app.as_role(Role::Member).await;
    for (path, says) in [
        ("/deals/abc", "No such page: /deals/abc."),
        ("/organizations/1x", "No such page: /organizations/1x."),
        ("/no/such/page", "No such page: /no/such/page."),
        ("/deals/999999", "no deal with id 999999"),
    ] {
        let reply = member.get(path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert!(is_html(&reply), "{path}: {:?}", reply.content_type);
        assert!(reply.text.contains(says), "{path}: {}", reply.text);
        assert!(
            reply.text.contains("<nav aria-label=\"Main\">")
                && reply
                    .text
                    .contains("<a href=\"/\">Back to the dashboard</a>"),
            "{path}: the signed-in caller's navigation and a way back: {}",
            reply.text
        );
        assert!(!reply.text.contains("Cannot parse"), "{}", reply.text);
    }
    // A method the page does not have.
    let request = member
        .request(Method::DELETE, "/deals")
        .body(Body::empty())
        .unwrap();
    let reply = support::send(&member.app, request).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        is_html(&reply) && reply.text.contains("That did not work"),
        "{}",
        reply.text
    );
    // Someone not signed in is offered the sign-in page.
    let mut visitor = support::Browser::new(&app.app);
    let reply = visitor.get("/no/such/page").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(
        is_html(&reply) && reply.text.contains("<a href=\"/login\">Sign in</a>"),
        "{}",
        reply.text
    );
    // The API answers in JSON.
    for path in ["/api/v1/nowhere", "/api/v1/deals/abc"] {
        let reply = visitor.get(path).await;
        assert!(
            reply
                .content_type
                .as_deref()
                .is_some_and(|t| t.starts_with("application/json")),
            "{path}: {:?} {}",
            reply.content_type,
            reply.text
        );
    }
}

/// The text of the element with `id`, tags left in.
fn element<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} on the page"));
    let rest = &page[start..];
    &rest[..rest.find("</p>").unwrap_or(rest.len())]
}

async fn the_scorecard_names_cost_coverage_and_says_which_costs_it_weighs(db: &TestDb) {
    let app = TestApp::new(db).await.with_demo().await;
    let mut finance = app.as_role(Role::Finance).await;
    let home = finance.get("/").await;
    assert!(
        home.text.contains("<td>Cost coverage</td>") && !home.text.contains("surplus/deficit</td>"),
        "{}",
        home.text
    );
    let coverage = &home.text[home.text.find("<td>Cost coverage</td>").unwrap()..];
    let value = &coverage[..coverage.find("</td>\n").unwrap_or(200).max(60)];
    assert!(
        value.contains("% (deficit of $") || value.contains("% (surplus of $"),
        "the surplus or deficit in dollars beside the ratio: {value}"
    );
    // The demo's costs are the best available: with no month closed here, the team's.
    let said = "by its assignments and bands, plus $0 non-personnel: the best costs available until a month is closed with its actuals (assumption costs-from=best).";
    let costs = element(&home.text, "costs-used");
    assert!(
        costs.contains("Costs are the team&#39;s, $")
            && costs.contains(said)
            && costs.contains("<a href=\"/team\">"),
        "{costs}"
    );
    let team = finance.get("/team").await;
    assert!(
        team.text
            .contains(&costs[costs.find("Costs are").unwrap()..costs.find(" <a").unwrap()])
            && team.text.contains("<a href=\"/\">The scorecard</a>"),
        "the team page states the same costs in the same words and links back: {}",
        team.text
    );
}

async fn history_and_audit_entries_read_as_people_write_them(db: &TestDb) {
    let app = TestApp::new(db).await.with_demo().await;
    let mut admin = app.as_role(Role::Admin).await;
    let moved = admin
        .post(
            "/deals/1/move",
            &[("stage", "Closed Lost"), ("loss_reason", "budget")],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.text);
    let raw = [
        "stage_id",
        "amount_minor",
        "annual_base",
        "organization_id",
        "0.2999999",
        "0.3000000",
        // Stored JSON: quoted strings and escaped line breaks.
        "&quot;",
        "&#34;",
        "\\n",
    ];
    for (path, says) in [
        ("/audit?entity=deal", "stage: "),
        ("/audit?entity=band", "annual base salary: $"),
        ("/audit?entity=assignment", "FTE: "),
        ("/audit?entity=role", "key goal: "),
        ("/deals/1", "stage: "),
    ] {
        let page = admin.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.text);
        let body = &page.text[page.text.find("<main").unwrap()..];
        assert!(body.contains(says), "{path}: {says}: {body}");
        for bad in raw {
            assert!(!body.contains(bad), "{path} shows {bad:?}: {body}");
        }
        // Moments as "30 Nov 2026, 08:22", never stored text with microseconds.
        assert!(
            !body.contains("Z</") && !body.contains(".000"),
            "{path}: {body}"
        );
    }
    let deal = admin.get("/deals/1").await;
    assert!(deal.text.contains("→ Closed Lost"), "{}", deal.text);
}

/// Whether `text` has a run of at least `n` digits standing alone in an element.
fn bare_number(text: &str, n: usize) -> Option<String> {
    text.split('>').find_map(|piece| {
        let cell = piece.split('<').next()?.trim();
        (cell.len() >= n && cell.bytes().all(|b| b.is_ascii_digit())).then(|| cell.to_owned())
    })
}

async fn the_forecast_reads_at_a_glance(db: &TestDb) {
    let app = TestApp::new(db).await.with_demo().await;
    let mut finance = app.as_role(Role::Finance).await;
    let page = finance.get("/forecast").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let main = &page.text[page.text.find("<main").unwrap()..];
    assert_eq!(
        bare_number(main, 5),
        None,
        "numbers have separators: {main}"
    );
    assert!(
        main.contains(">Jun 2026</td>") && !main.contains(">2026-06</td>"),
        "months read as Jun 2026: {main}"
    );
    assert!(
        main.contains("<td class=\"nowrap\">Jun 2026</td>"),
        "month cells stay on one line"
    );
    assert!(
        main.contains(">Monthly recurring revenue</h2>")
            && main.contains("it is not the Committed projection above")
            && main.contains("Committed (total contract less gifts) is the whole value"),
        "the two committed figures and CMRR are told apart: {main}"
    );
    assert!(
        !main.contains("next_6_months") && !main.contains(">measure<"),
        "{main}"
    );
    // By fiscal quarter and year, the year's start an assumption.
    assert!(
        main.contains("Revenue by fiscal quarter (the fiscal year starts in January)")
            && main.contains(">FY2026 Q2 (part)</td>")
            && main.contains(">FY2026 Q3</td>"),
        "{main}"
    );
    let saved = finance
        .post(
            "/assumptions",
            &[
                ("v.fiscal-year-start", "7"),
                ("effective_from", "2026-06-15"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let page = finance.get("/forecast").await;
    assert!(
        page.text.contains("the fiscal year starts in July")
            && page.text.contains(">FY2026 Q4 (part)</td>")
            && page.text.contains(">FY2027 Q1</td>")
            && page.text.contains(">FY2027</td>"),
        "{}",
        page.text
    );
}

async fn the_dashboard_opens_with_the_figures_at_a_glance(db: &TestDb) {
    let app = TestApp::new(db).await.with_demo().await;
    let mut finance = app.as_role(Role::Finance).await;
    let home = finance.get("/").await;
    let headline = &home.text[home.text.find("class=\"headline\"").expect("a headline")..];
    let headline = &headline[..headline.find("</ul>").unwrap()];
    for label in [
        "MRR (contracted)",
        "ARR",
        "Runway on committed revenue",
        "Cost coverage",
        "Open pipeline, weighted",
    ] {
        assert!(
            headline.contains(&format!("<span class=\"label\">{label}</span>")),
            "{label}: {headline}"
        );
    }
    assert_eq!(
        headline.matches("since last month").count(),
        3,
        "MRR, ARR and the pipeline say how they moved: {headline}"
    );
    assert!(headline.contains("open deals"), "{headline}");
}

async fn the_pipeline_says_how_it_moved_since_last_month(db: &TestDb) {
    // A deal entered today: $10,000 in Discovery (20%) is $2,000 more weighted pipeline than
    // a month ago, when there was none.
    let app = TestApp::new(db).await;
    let mut sales = app.as_role(Role::Partnerships).await;
    let created = sales
        .post(
            "/deals",
            &[
                ("name", "Fresh lead"),
                ("stage", "Discovery"),
                ("amount", "10000"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text);
    let home = sales.get("/").await;
    assert!(
        home.text.contains("1 open deal, +$2,000 since last month"),
        "{}",
        home.text
    );
}

async fn each_assumption_has_a_label_help_and_its_changes_in_words(db: &TestDb) {
    let app = TestApp::new(db).await.with_demo().await;
    let mut finance = app.as_role(Role::Finance).await;
    let saved = finance
        .post(
            "/assumptions",
            &[("v.fsp-fee", "0.12"), ("effective_from", "2026-06-15")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let page = finance.get("/assumptions").await;
    for part in [
        ">Fiscal sponsor&#39;s fee</label>",
        "<td class=\"nowrap\">12%</td>",
        "The share of revenue the fiscal sponsor keeps.",
        "Fiscal sponsor&#39;s fee: 15% → 12%",
    ] {
        assert!(page.text.contains(part), "{part}: {}", page.text);
    }
}

async fn bands_read_as_a_grid_and_former_staff_are_marked(db: &TestDb) {
    let app = TestApp::new(db).await.with_demo().await;
    let mut member = app.as_role(Role::Member).await;
    let roles = member.get("/roles").await;
    assert!(
        roles
            .text
            .contains("Annual base by level and step: Infrastructure Engineer, in force from")
            && roles.text.contains(">Step 4</th>")
            && roles.text.contains("<td>Infrastructure Engineer L3</td>"),
        "{}",
        roles.text
    );
    let people = member.get("/people").await;
    assert!(
        people.text.contains("Oskar Nakamura (former staff, left ")
            && !people.text.contains("Imani Achterberg (former staff"),
        "{}",
        people.text
    );
}

async fn usage_lists_the_most_used_first_and_groups_the_rest(db: &TestDb) {
    let app = TestApp::new(db).await.with_demo().await;
    let mut member = app.as_role(Role::Member).await;
    let page = member.get("/usage?top=3").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let legend = figure_after(&page.text, "Active users per community");
    assert!(legend.contains(">Other ("), "the rest grouped: {legend}");
    // The clusters' table, most active users first, each with its trend.
    let table = &page.text[page.text.find("Clusters: active users and fee").unwrap()..];
    assert!(table.contains(">Trend</th>"), "{table}");
    let users: Vec<i64> = table
        .split("<tr>")
        .skip(2)
        .filter_map(|row| {
            let cells: Vec<&str> = row.split("<td").collect();
            let cell = cells.get(6)?;
            cell[cell.find('>')? + 1..cell.find("</td>")?].parse().ok()
        })
        .collect();
    assert!(users.len() > 3, "{table}");
    assert!(users.windows(2).all(|w| w[0] >= w[1]), "{users:?}");
}

async fn analytics_counts_conversion_and_wins_for_the_deals_chosen(db: &TestDb) {
    let app = TestApp::new(db).await;
    let mut sales = app.as_role(Role::Partnerships).await;
    // A: Outreach → Discovery → Closed Won; B: Outreach → Closed Lost (both Ada's);
    // C: Outreach → Discovery (Grace's, open).
    let mut ids = Vec::new();
    for (name, owner) in [
        ("A", "Ada Lovelace"),
        ("B", "Ada Lovelace"),
        ("C", "Grace Hopper"),
    ] {
        let created = sales
            .post(
                "/deals",
                &[
                    ("name", name),
                    ("stage", "Outreach"),
                    ("owner", owner),
                    ("amount", "12000"),
                    ("close_date", "2026-08-01"),
                ],
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text);
        let at = created.location.unwrap();
        ids.push(
            at.trim_start_matches("/deals/")
                .split('?')
                .next()
                .unwrap()
                .to_owned(),
        );
    }
    let moves: [(usize, &[(&str, &str)]); 4] = [
        (0, &[("stage", "Discovery")]),
        (
            0,
            &[
                ("stage", "Closed Won"),
                ("contract_start", "2026-07-01"),
                ("contract_end", "2027-06-30"),
            ],
        ),
        (1, &[("stage", "Closed Lost"), ("loss_reason", "budget")]),
        (2, &[("stage", "Discovery")]),
    ];
    for (deal, form) in moves {
        let moved = sales
            .post(&format!("/deals/{}/move", ids[deal]), form)
            .await;
        assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.text);
    }
    let caption = "Deals that reached each stage, moved on and were won";
    // Every deal: Outreach reached by 3, moved on 2 (A, C), won 1, lost 1, open 1.
    let all = sales.get("/analytics").await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.text);
    assert_eq!(
        row_of(&all.text, caption, "Outreach"),
        ["Outreach", "3", "2", "67%", "1", "1", "1", "50%"]
    );
    // Discovery reached by A and C; A moved on by winning.
    assert_eq!(
        row_of(&all.text, caption, "Discovery"),
        ["Discovery", "2", "1", "50%", "1", "0", "1", "100%"]
    );
    assert!(
        all.text
            .contains("1 of 2 decided deals won: a win rate of 50%."),
        "{}",
        all.text
    );
    // Ada's deals only: A and B.
    let ada = sales.get("/analytics?owner=Ada+Lovelace").await;
    assert_eq!(
        row_of(&ada.text, caption, "Outreach"),
        ["Outreach", "2", "1", "50%", "1", "1", "0", "50%"]
    );
    assert!(
        ada.text.contains("Showing owned by Ada Lovelace.")
            && ada.text.contains("<option selected>Ada Lovelace</option>"),
        "{}",
        ada.text
    );
    // No deal entered the pipeline before 2000.
    let none = sales.get("/analytics?to=1999-12-31").await;
    assert!(
        none.text
            .contains("No deal among these is won or lost yet."),
        "{}",
        none.text
    );
    assert!(!none.text.contains("<td>Outreach</td>"), "{}", none.text);
    // A date that cannot be read is named, and every deal is shown.
    let wrong = sales.get("/analytics?from=last+spring").await;
    assert_eq!(wrong.status, StatusCode::OK);
    assert!(
        wrong
            .text
            .contains("Entered from: &#34;last spring&#34; is not a date")
            && wrong.text.contains("1 of 2 decided deals won"),
        "{}",
        wrong.text
    );
}
