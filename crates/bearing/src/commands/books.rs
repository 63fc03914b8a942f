//! `bearing import actuals`, `bearing actuals …` and `bearing close`: the books.

use bearing_app::books;
use bearing_formats::Table;

use crate::cli::{ActualsCommand, ActualsImportArgs};
use crate::config::Config;
use crate::output::outln;

/// `bearing import actuals FILE`.
pub async fn import(config: &Config, args: &ActualsImportArgs) -> anyhow::Result<()> {
    let name = args.file.display().to_string();
    let input = std::io::BufReader::new(
        std::fs::File::open(&args.file).map_err(|e| anyhow::anyhow!("cannot read {name}: {e}"))?,
    );
    let columns = bearing_formats::ledger::Columns::mapped(&args.columns)
        .map_err(|e| super::UsageError(format!("--column: {e}")))?;
    let store = super::open(config).await?;
    let ctx = super::cli_context(config)?;
    let done = books::import_actuals(
        &store,
        &ctx,
        &name,
        input,
        &columns,
        args.month,
        args.dry_run,
    )
    .await;
    store.close().await;
    let done = done?;
    if args.dry_run {
        let mut table = Table::new([
            "month",
            "lines",
            "new",
            "unchanged",
            "removed",
            "revenue",
            "costs",
            "closed",
        ]);
        for m in &done.months {
            let cents =
                |c: i64| bearing_core::Money::from_minor(c, bearing_core::Currency::USD).decimal();
            table.push([
                Some(m.month.to_string()),
                Some(m.lines.to_string()),
                Some(m.write.added.to_string()),
                Some(m.write.kept.to_string()),
                Some(m.write.removed.to_string()),
                Some(cents(m.revenue_minor)),
                Some(cents(m.costs_minor)),
                Some(if m.closed { "yes" } else { "no" }.to_owned()),
            ]);
        }
        super::print_table(&table, args.format)?;
        outln!("{}\n(dry run: nothing was written)", done.summary())?;
    } else {
        outln!("{}", done.summary())?;
    }
    Ok(())
}

/// `bearing actuals …`.
pub async fn run(config: &Config, command: ActualsCommand) -> anyhow::Result<()> {
    let store = super::open(config).await?;
    let ctx = super::cli_context(config)?;
    let result = async {
        match command {
            ActualsCommand::Accounts { format } => {
                let list = books::accounts(&store, &ctx).await?;
                super::print_table(&books::accounts_table(&list), format)
            }
            ActualsCommand::Map {
                code,
                category,
                name,
            } => {
                books::map_account(&store, &ctx, &code, name.as_deref(), category).await?;
                outln!(
                    "account {} is {} ({})",
                    code.trim(),
                    category,
                    category.label()
                )?;
                Ok(())
            }
            ActualsCommand::Checklist { month } => {
                let today = ctx.now().to_zoned(jiff::tz::TimeZone::UTC).date();
                let list = books::checklist(&store, &ctx, month, today).await?;
                outln!("{}", books::checklist_text(&list))?;
                Ok(())
            }
            ActualsCommand::Closes { format } => {
                let closes = books::closes(&store, &ctx).await?;
                super::print_table(&books::closes_table(&closes), format)
            }
        }
    }
    .await;
    store.close().await;
    result
}

/// `bearing close YYYY-MM`.
pub async fn close(
    config: &Config,
    month: bearing_core::Month,
    net_assets: Option<f64>,
    reason: Option<&str>,
) -> anyhow::Result<()> {
    let store = super::open(config).await?;
    let ctx = super::cli_context(config)?;
    let closed = books::close(&store, &ctx, month, net_assets, reason).await;
    store.close().await;
    let closed = closed?;
    outln!(
        "closed {}: net assets {}, revenue {}, costs {}; books closed through {} (assumptions version {}), the forecast made before it frozen",
        closed.month,
        bearing_core::forecast::dollars(closed.net_assets_minor as f64 / 100.0),
        bearing_core::forecast::dollars(closed.revenue_minor as f64 / 100.0),
        bearing_core::forecast::dollars(closed.costs_minor as f64 / 100.0),
        closed.month,
        closed.assumptions_version
    )?;
    Ok(())
}
