//! `bearing import actuals`, `bearing actuals …` and `bearing close`: the books.

use bearing_app::books;
use bearing_formats::Table;

use crate::cli::{ActualsCommand, ActualsImportArgs, HireArgs, ScenarioCommand};
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
                let today = ctx.today();
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
        bearing_core::Money::from_minor(closed.net_assets_minor, bearing_core::Currency::USD)
            .whole_text(),
        bearing_core::Money::from_minor(closed.revenue_minor, bearing_core::Currency::USD)
            .whole_text(),
        bearing_core::Money::from_minor(closed.costs_minor, bearing_core::Currency::USD)
            .whole_text(),
        closed.month,
        closed.assumptions_version
    )?;
    Ok(())
}

/// `bearing scenario …`.
pub async fn scenario(config: &Config, command: ScenarioCommand) -> anyhow::Result<()> {
    use bearing_app::scenarios;
    let store = super::open(config).await?;
    let ctx = super::cli_context(config)?;
    let result = async {
        match command {
            ScenarioCommand::List { format } => {
                let list = scenarios::list(&store, &ctx).await?;
                super::print_table(&scenarios::table(&list), format)
            }
            ScenarioCommand::Show { scenario } => {
                let s = scenarios::get(&store, &ctx, &scenario).await?;
                outln!("{} (scenario {})", s.name, s.id)?;
                if let Some(d) = &s.description {
                    outln!("{d}")?;
                }
                for change in &s.changes {
                    outln!("  {change}")?;
                }
                Ok(())
            }
            ScenarioCommand::Add {
                name,
                description,
                changes,
            } => {
                let s =
                    scenarios::add(&store, &ctx, &name, description.as_deref(), changes).await?;
                outln!("saved scenario {}: {}", s.id, s.name)?;
                Ok(())
            }
            ScenarioCommand::Eval {
                scenario,
                changes,
                format,
            } => {
                let changes = match (scenario, changes.is_empty()) {
                    (Some(key), true) => scenarios::get(&store, &ctx, &key).await?.changes,
                    (None, false) => changes,
                    _ => {
                        return Err(super::UsageError(
                            "name a saved scenario or give --change lines, not both".into(),
                        )
                        .into());
                    }
                };
                let e = scenarios::evaluate(&store, &ctx, &changes, ctx.today()).await?;
                super::print_table(&scenarios::evaluation_table(&e), format)
            }
            ScenarioCommand::Delete { scenario } => {
                scenarios::delete(&store, &ctx, &scenario).await?;
                outln!("deleted scenario {}", scenario.trim())?;
                Ok(())
            }
        }
    }
    .await;
    store.close().await;
    result
}

/// `bearing hire …`.
pub async fn hire(config: &Config, args: HireArgs) -> anyhow::Result<()> {
    use bearing_app::scenarios;
    let store = super::open(config).await?;
    let ctx = super::cli_context(config)?;
    let input = scenarios::HireInput {
        role: args.role,
        level: args.level,
        step: args.step,
        fte: args.fte,
        start: args.start,
        end: args.end,
        funding: args.funding.unwrap_or_default(),
        payment: args.payment,
    };
    let result = async {
        let answer = scenarios::hire(&store, &ctx, input.clone(), ctx.today()).await?;
        outln!("{}", answer.text())?;
        if let Some(name) = &args.save {
            let s = scenarios::add(
                &store,
                &ctx,
                name,
                Some("Can we hire?"),
                vec![input.change()],
            )
            .await?;
            outln!("saved scenario {}: {}", s.id, s.name)?;
        }
        Ok::<_, anyhow::Error>(())
    }
    .await;
    store.close().await;
    result
}
