//! The books: the ledger imported as actuals, the account map, the monthly close with its
//! frozen forecast, costs from actuals and the forecast against what happened, worked by hand.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use bearing_app::{AppError, Context, assumptions, books, deals, people};
use bearing_core::actuals::Category;
use bearing_core::assumptions::CostsFrom;
use bearing_core::deal::DealFields;
use bearing_core::{Actor, Month, Source};
use bearing_formats::ledger::Columns;
use bearing_store::Store;
use bearing_store::testing::TestDb;

bearing_store::on_both_backends!(
    a_ledger_is_imported_mapped_and_closed_month_by_month,
    an_import_is_all_or_nothing_and_a_dry_run_writes_nothing,
);

/// Finance at the command line on 15 Nov 2026: September and October have ended.
fn finance() -> Context {
    Context::new(Actor::parse("fin@example.org").unwrap(), Source::Cli)
        .at("2026-11-15T10:00:00Z".parse().unwrap())
}

fn csv(table: &bearing_formats::Table) -> String {
    let mut out = Vec::new();
    table.write(bearing_formats::Format::Csv, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn month(text: &str) -> Month {
    Month::parse(text).unwrap()
}

/// September: $35,000 revenue; $45,500 costs (salaries 40,000, recoverable cloud 2,000, the
/// sponsor's fee 3,500). October: $29,000 revenue (a $1,000 credit note); $45,900 costs
/// (salaries 42,000, absorbed cloud 1,000, fee 2,900).
const LEDGER: &str = "\
Date,Source,Description,Net,Account Code,Account Name,Grants
2026-09-02,Receivable Invoice,Harbour University membership,30000.00,4221,Membership fees,
2026-09-30,Receivable Invoice,Usage fees September,5000.00,4223,Usage fees,
2026-09-30,Payable Invoice,Salaries September,40000.00,6000,Salaries,GR-17
2026-09-30,Payable Invoice,Cloud September,2000.00,7061,Cloud costs recoverable,
2026-09-30,Spend Money,Sponsor fee September,3500.00,6100,Fiscal sponsor fee,
2026-10-02,Receivable Invoice,Harbour University membership,30000.00,4221,Membership fees,
2026-10-09,Receivable Invoice,Harbour University credit note,-1000.00,4221,Membership fees,
2026-10-31,Payable Invoice,Salaries October,42000.00,6000,Salaries,GR-17
2026-10-31,Payable Invoice,Cloud October,1000.00,7062,Cloud costs not recoverable,
2026-10-31,Spend Money,Sponsor fee October,2900.00,6100,Fiscal sponsor fee,
";

async fn import(
    store: &Store,
    file: &str,
    dry_run: bool,
) -> Result<books::ActualsImport, AppError> {
    books::import_actuals(
        store,
        &finance(),
        "gl.csv",
        file.as_bytes(),
        &Columns::default(),
        None,
        dry_run,
    )
    .await
}

async fn a_ledger_is_imported_mapped_and_closed_month_by_month(db: &TestDb) {
    let store = db.store().await;
    let ctx = finance();
    let set = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    assumptions::set(
        &store,
        &ctx,
        &[
            set("books-closed", "2026-08"),
            set("net-assets", "100000"),
            set("monthly-costs", "50000"),
            // Typed until the books can give them, below.
            set("costs-from", "typed"),
            set("mc-runs", "200"),
        ],
        jiff::civil::date(2026, 9, 1),
    )
    .await
    .unwrap();
    // Before a month is closed, and with no team, the best costs available are the typed.
    let (_, typed) = assumptions::current(&store, jiff::civil::date(2026, 9, 1))
        .await
        .unwrap();
    let mut best = typed.clone();
    best.set("costs-from", "best").unwrap();
    let costs = people::effective_costs(&store, &best, month("2026-09"))
        .await
        .unwrap();
    assert_eq!((costs.monthly, costs.from), (50_000.0, CostsFrom::Typed));
    assert!(
        costs.note.ends_with(
            "monthly-costs: no month is closed with its actuals and the team costs nothing yet (assumption costs-from=best)."
        ),
        "{}",
        costs.note
    );
    assert!(!costs.hold_pay());
    // A won membership of $12,000 over a year from September: $1,000 a month committed.
    let mut deal = DealFields::new("Harbour University", "Membership Sales", "Closed Won");
    deal.amount_minor = Some(1_200_000);
    deal.contract_start = Some(jiff::civil::date(2026, 9, 1));
    deal.contract_end = Some(jiff::civil::date(2027, 8, 31));
    deal.close_date = Some(jiff::civil::date(2026, 8, 20));
    deals::create(&store, &ctx, deal).await.unwrap();

    let done = import(&store, LEDGER, false).await.unwrap();
    let months: Vec<(String, usize, i64, i64)> = done
        .months
        .iter()
        .map(|m| {
            (
                m.month.to_string(),
                m.write.added,
                m.revenue_minor,
                m.costs_minor,
            )
        })
        .collect();
    // Salaries and the fee are not mapped yet: counted nowhere, listed.
    assert_eq!(
        months,
        [
            ("2026-09".to_owned(), 5, 3_500_000, 200_000),
            ("2026-10".to_owned(), 5, 2_900_000, 100_000),
        ]
    );
    assert_eq!(
        done.unmapped,
        [
            ("6000".to_owned(), 2, 8_200_000),
            ("6100".to_owned(), 2, 640_000)
        ]
    );
    assert_eq!(done.other_sources, [("Spend Money".to_owned(), 2)]);
    // The same file again changes nothing, not even the data version.
    let version = store.data_version().await.unwrap();
    let again = import(&store, LEDGER, false).await.unwrap();
    assert!(
        again
            .months
            .iter()
            .all(|m| m.write.added == 0 && m.write.removed == 0)
    );
    assert_eq!(store.data_version().await.unwrap(), version);

    // An unmapped account stops the close, and says which.
    let refused = books::close(&store, &ctx, month("2026-09"), None, None).await;
    let Err(AppError::Invalid { message, .. }) = refused else {
        panic!("{refused:?}")
    };
    assert!(message.contains("6000, 6100"), "{message}");
    books::map_account(&store, &ctx, "6000", Some("Salaries"), Category::Personnel)
        .await
        .unwrap();
    books::map_account(&store, &ctx, "6100", None, Category::SponsorFee)
        .await
        .unwrap();
    // Months are closed in order, and only once they have ended.
    for (m, why) in [
        ("2026-10", "close Sep 2026 first"),
        ("2026-11", "has not ended"),
    ] {
        let refused = books::close(&store, &ctx, month(m), None, None).await;
        assert!(
            matches!(&refused, Err(AppError::Invalid { message, .. }) if message.contains(why)),
            "{m}: {refused:?}"
        );
    }

    // September: $100,000 + 35,000 − 45,500 = $89,500.
    let list = books::checklist(
        &store,
        &ctx,
        month("2026-09"),
        jiff::civil::date(2026, 11, 15),
    )
    .await
    .unwrap();
    assert_eq!(list.computed_net_assets_minor, Some(8_950_000));
    assert!(list.blocking.is_empty(), "{:?}", list.blocking);
    let sep = books::close(&store, &ctx, month("2026-09"), None, None)
        .await
        .unwrap();
    assert_eq!(
        (sep.net_assets_minor, sep.revenue_minor, sep.costs_minor),
        (8_950_000, 3_500_000, 4_550_000)
    );
    let (version, now) = assumptions::current(&store, jiff::civil::date(2026, 11, 15))
        .await
        .unwrap();
    assert_eq!(version, sep.assumptions_version);
    assert_eq!(
        (now.books_closed, now.net_assets),
        (Some(month("2026-09")), 89_500.0)
    );
    // The forecast made before the close starts at September, $1,000 committed a month.
    let frozen = books::frozen(&store.list_closes().await.unwrap()).unwrap();
    assert_eq!(frozen[0].start, month("2026-09"));
    assert_eq!(frozen[0].committed[..2], [1_000.0, 1_000.0]);
    assert_eq!(frozen[0].assumptions_version, version - 1);

    // October rolls forward from September: $89,500 + 29,000 − 45,900 = $72,600.
    let oct = books::close(&store, &ctx, month("2026-10"), None, None)
        .await
        .unwrap();
    assert_eq!(oct.net_assets_minor, 7_260_000);
    // Closing it again needs a reason; the typed net assets win.
    let refused = books::close(&store, &ctx, month("2026-10"), Some(70_000.0), None).await;
    assert!(
        matches!(&refused, Err(AppError::Invalid { field, .. }) if field == "reason"),
        "{refused:?}"
    );
    let again = books::close(
        &store,
        &ctx,
        month("2026-10"),
        Some(70_000.0),
        Some("the October payroll accrual was late"),
    )
    .await
    .unwrap();
    assert_eq!(again.net_assets_minor, 7_000_000);
    assert_eq!(
        again.reason.as_deref(),
        Some("the October payroll accrual was late")
    );
    let refused = books::close(&store, &ctx, month("2026-09"), None, Some("again")).await;
    assert!(
        matches!(&refused, Err(AppError::Invalid { message, .. }) if message.contains("only the latest closed month")),
        "{refused:?}"
    );
    assert_eq!(books::closes(&store, &ctx).await.unwrap().len(), 3);

    // costs-from=actuals: running costs without the fee and recoverable cloud costs,
    // September 40,000 and October 43,000: $41,500 a month.
    let version = assumptions::set(
        &store,
        &ctx,
        &[set("costs-from", "actuals")],
        jiff::civil::date(2026, 11, 15),
    )
    .await
    .unwrap();
    let costs = people::effective_costs(&store, &version.values, month("2026-11"))
        .await
        .unwrap();
    assert_eq!(costs.monthly, 41_500.0);
    assert!(costs.note.contains("2026-09 to 2026-10"), "{}", costs.note);
    assert!(
        costs.note.ends_with("(assumption costs-from=actuals)."),
        "{}",
        costs.note
    );
    // The best costs available are the same actuals, and say so.
    let best = assumptions::set(
        &store,
        &ctx,
        &[set("costs-from", "best")],
        jiff::civil::date(2026, 11, 15),
    )
    .await
    .unwrap();
    let costs = people::effective_costs(&store, &best.values, month("2026-11"))
        .await
        .unwrap();
    assert_eq!((costs.monthly, costs.from), (41_500.0, CostsFrom::Actuals));
    assert!(
        costs.note.ends_with(
            "the best costs available, from the closed books (assumption costs-from=best)."
        ),
        "{}",
        costs.note
    );
    assert!(costs.hold_pay());

    // The runway and coverage the latest close froze are for those who see what they are
    // made of: cash, and pay once the costs come from the books.
    let cash_only = bearing_app::sight::Sight {
        cash: true,
        pay: false,
    };
    let closed = books::closed_health(&store, cash_only)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(closed.month, month("2026-10"));
    assert!(closed.runway_months.is_some() && closed.cost_coverage.is_some());
    let no_cash = bearing_app::sight::Sight {
        cash: false,
        pay: true,
    };
    assert_eq!(books::closed_health(&store, no_cash).await.unwrap(), None);
    books::close(
        &store,
        &ctx,
        month("2026-10"),
        Some(70_000.0),
        Some("costs from the books now"),
    )
    .await
    .unwrap();
    assert_eq!(books::closed_health(&store, cash_only).await.unwrap(), None);
    assert!(
        books::closed_health(&store, bearing_app::sight::Sight::ALL)
            .await
            .unwrap()
            .is_some()
    );

    // Against the actuals: September's Estimated ($1,000) one month ahead of $35,000, and
    // October's from both closes' forecasts.
    let (rows, accuracy) = books::forecast_against_actuals(&store).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].actual, 35_000.0);
    assert_eq!(
        rows[1]
            .projected
            .iter()
            .map(|p| p.ahead)
            .collect::<Vec<_>>(),
        [1, 2]
    );
    let (ahead, mape, n) = accuracy.errors[0];
    assert_eq!((ahead, n), (1, 2));
    let expected = (34_000.0 / 35_000.0 + 28_000.0 / 29_000.0) / 2.0;
    assert!((mape.unwrap() - expected).abs() < 1e-12, "{mape:?}");
    // The projections start after the closed months, which they show first as actuals:
    // September's $35,000 and October's $29,000 in each revenue scenario.
    let projections =
        bearing_app::reports::build(&store, "projections", jiff::civil::date(2026, 11, 15))
            .await
            .unwrap();
    assert_eq!(
        projections.table.columns[..4],
        [
            "scenario",
            "2026-09 (actual)",
            "2026-10 (actual)",
            "2026-11"
        ]
    );
    let row = |label: &str| {
        projections
            .table
            .rows
            .iter()
            .find(|r| r[0].as_deref() == Some(label))
            .unwrap()
            .clone()
    };
    for scenario in ["Committed", "Pessimistic", "Estimated", "Optimistic"] {
        assert_eq!(
            row(scenario)[1..3],
            [Some("35000".to_owned()), Some("29000".to_owned())],
            "{scenario}"
        );
    }
    assert_eq!(row("Estimated usage revenue")[1..3], [None, None]);
    assert_eq!(row("Committed")[3].as_deref(), Some("1000"));
    // Reports through the same door as the others.
    let report = bearing_app::reports::build(&store, "actuals", jiff::civil::date(2026, 11, 15))
        .await
        .unwrap();
    let text = csv(&report.table);
    assert!(
        text.contains("2026-09,cost,personnel,GR-17,40000.00"),
        "{text}"
    );
    assert!(
        text.contains("2026-10,revenue,membership,,29000.00"),
        "{text}"
    );
    assert!(report.shows.team_cost, "the ledger's costs are pay");
    let accuracy =
        bearing_app::reports::build(&store, "forecast-accuracy", jiff::civil::date(2026, 11, 15))
            .await
            .unwrap();
    assert!(
        csv(&accuracy.table).contains("2026-09,error of estimated,1,35000,1000,1000,"),
        "{}",
        csv(&accuracy.table)
    );
}

async fn an_import_is_all_or_nothing_and_a_dry_run_writes_nothing(db: &TestDb) {
    let store = db.store().await;
    let version = store.data_version().await.unwrap();
    let bad = "Date,Net,Account Code\n2026-09-01,10.00,4221\n2026-09-02,ten,4221\n";
    let refused = import(&store, bad, false).await;
    let Err(AppError::Import(errors)) = refused else {
        panic!("{refused:?}")
    };
    assert_eq!((errors[0].line, errors[0].column.as_str()), (3, "Net"));
    let planned = import(&store, LEDGER, true).await.unwrap();
    assert_eq!(planned.months.len(), 2);
    assert_eq!(planned.months[0].write.added, 5);
    assert!(store.list_actual_lines().await.unwrap().is_empty());
    assert_eq!(store.data_version().await.unwrap(), version);
    // A corrected month: a line that is gone is kept as deleted and leaves the totals.
    import(&store, LEDGER, false).await.unwrap();
    let corrected: String = LEDGER
        .lines()
        .filter(|l| !l.contains("Usage fees September"))
        .map(|l| format!("{l}\n"))
        .collect();
    let done = import(&store, &corrected, false).await.unwrap();
    assert_eq!(
        (done.months[0].write.removed, done.months[0].revenue_minor),
        (1, 3_000_000)
    );
    let history = bearing_app::history::of(
        &store,
        &finance(),
        bearing_core::EntityKind::Actuals,
        "2026-09",
    )
    .await
    .unwrap();
    assert_eq!(history.len(), 2, "the import and the correction");
}
