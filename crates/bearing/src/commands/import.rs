//! `bearing import …`: CSV files into Bearing, all or nothing.

use bearing_app::AppError;
use bearing_app::import::{self, Plan, RecordPlan};
use bearing_formats::Table;

use crate::cli::{ImportArgs, ImportCommand};
use crate::config::Config;
use crate::output::outln;

pub async fn run(config: &Config, command: ImportCommand) -> anyhow::Result<()> {
    let args = match &command {
        ImportCommand::Deals(args)
        | ImportCommand::Organizations(args)
        | ImportCommand::Contacts(args)
        | ImportCommand::Usage(args) => args,
        ImportCommand::Roles(args) => return super::roles::import(config, args).await,
        ImportCommand::Actuals(args) => return super::books::import(config, args).await,
        ImportCommand::Ledger(args) => return ledger(config, args).await,
        ImportCommand::CloudCosts(args) => return cloud_costs(config, args).await,
    };
    let ImportArgs {
        file,
        dry_run,
        format,
    } = args;
    let name = file.display().to_string();
    let input = std::io::BufReader::new(
        std::fs::File::open(file).map_err(|e| anyhow::anyhow!("cannot read {name}: {e}"))?,
    );
    let store = super::open(config).await?;
    let ctx = super::cli_context(config)?;
    let result = match &command {
        ImportCommand::Deals(_) => import::import_deals(&store, &ctx, &name, input, *dry_run)
            .await
            .map(|plan| (plan.summary(), deal_plan_table(&plan))),
        ImportCommand::Organizations(_) => {
            import::import_organizations(&store, &ctx, &name, input, *dry_run)
                .await
                .map(|plan| (plan.summary(), record_plan_table(&plan)))
        }
        ImportCommand::Contacts(_) => import::import_contacts(&store, &ctx, &name, input, *dry_run)
            .await
            .map(|plan| (plan.summary(), record_plan_table(&plan))),
        ImportCommand::Usage(_) => bearing_app::usage::import(&store, &ctx, &name, input, *dry_run)
            .await
            .map(|plan| {
                let mut table = Table::new(["new", "name"]);
                for c in &plan.new_clusters {
                    table.push([Some("cluster".to_owned()), Some(c.clone())]);
                }
                for h in &plan.new_hubs {
                    table.push([Some("hub".to_owned()), Some(h.clone())]);
                }
                (plan.summary(), table)
            }),
        ImportCommand::Roles(_)
        | ImportCommand::Actuals(_)
        | ImportCommand::Ledger(_)
        | ImportCommand::CloudCosts(_) => Err(AppError::Internal(
            "role pages, actuals, the invoice ledger and cloud bills are imported above".into(),
        )),
    };
    store.close().await;
    match result {
        Ok((summary, table)) => {
            if *dry_run {
                super::print_table(&table, *format)?;
                outln!("{summary} (dry run: nothing was written)")?;
            } else {
                outln!("{summary}: imported")?;
            }
            Ok(())
        }
        Err(AppError::Import(errors)) if *dry_run => {
            let mut table = Table::new(["line", "column", "value", "problem"]);
            for e in &errors {
                table.push([
                    Some(e.line.to_string()),
                    Some(e.column.clone()),
                    Some(e.value.clone()),
                    Some(e.message.clone()),
                ]);
            }
            // The problems are the answer: a reader that stops early does not make them go away.
            if let Err(error) = super::print_table(&table, *format)
                && !crate::output::closed(&error)
            {
                return Err(error);
            }
            anyhow::bail!(
                "{name}: {} problem(s); nothing would be imported",
                errors.len()
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// Rows of a plan, in file order.
fn plan_rows(mut rows: Vec<(u64, [Option<String>; 5])>) -> Table {
    rows.sort_by_key(|(line, _)| *line);
    let mut table = Table::new(["line", "key", "action", "id", "changes"]);
    for (_, row) in rows {
        table.push(row);
    }
    table
}

fn deal_plan_table(plan: &Plan) -> Table {
    let describe = |u: &import::Update| {
        let mut parts: Vec<String> = u
            .changes
            .iter()
            .map(|c| {
                format!(
                    "{}: {} → {}",
                    c.field,
                    c.old.as_deref().unwrap_or("∅"),
                    c.new.as_deref().unwrap_or("∅")
                )
            })
            .collect();
        parts.extend(u.other_changes.iter().cloned());
        parts.join("; ")
    };
    let mut rows = Vec::new();
    for c in &plan.creates {
        rows.push((
            c.line,
            [
                Some(c.line.to_string()),
                Some(c.crm_id.clone()),
                Some("create".into()),
                None,
                Some(c.fields.name.clone()),
            ],
        ));
    }
    for u in &plan.updates {
        rows.push((
            u.line,
            [
                Some(u.line.to_string()),
                Some(u.crm_id.clone()),
                Some("update".into()),
                Some(u.deal.to_string()),
                Some(describe(u)),
            ],
        ));
    }
    for u in &plan.unchanged {
        rows.push((
            u.line,
            [
                Some(u.line.to_string()),
                Some(u.crm_id.clone()),
                Some("unchanged".into()),
                Some(u.deal.to_string()),
                None,
            ],
        ));
    }
    plan_rows(rows)
}

fn record_plan_table<T>(plan: &RecordPlan<T>) -> Table {
    let mut rows = Vec::new();
    for c in &plan.creates {
        rows.push((
            c.line,
            [
                Some(c.line.to_string()),
                Some(c.key.clone()),
                Some("create".into()),
                None,
                None,
            ],
        ));
    }
    for (row, id, changed) in &plan.updates {
        rows.push((
            row.line,
            [
                Some(row.line.to_string()),
                Some(row.key.clone()),
                Some("update".into()),
                Some(id.to_string()),
                Some(changed.join("; ")),
            ],
        ));
    }
    for (line, key, id) in &plan.unchanged {
        rows.push((
            *line,
            [
                Some(line.to_string()),
                Some(key.clone()),
                Some("unchanged".into()),
                Some(id.to_string()),
                None,
            ],
        ));
    }
    plan_rows(rows)
}

/// `bearing import ledger FILE`.
async fn ledger(config: &Config, args: &crate::cli::LedgerImportArgs) -> anyhow::Result<()> {
    let name = args.file.display().to_string();
    let input = std::io::BufReader::new(
        std::fs::File::open(&args.file).map_err(|e| anyhow::anyhow!("cannot read {name}: {e}"))?,
    );
    let columns = bearing_formats::invoice_ledger::Columns::mapped(&args.columns)
        .map_err(|e| super::UsageError(format!("--column: {e}")))?;
    let store = super::open(config).await?;
    let ctx = super::cli_context(config)?;
    let done =
        bearing_app::ledger::import(&store, &ctx, &name, input, &columns, args.dry_run).await;
    store.close().await;
    let done = done?;
    outln!("{}", done.summary())?;
    if args.dry_run {
        outln!("(dry run: nothing was written)")?;
    } else {
        outln!(
            "`bearing report reconciliation` lists what differs between the ledger and Bearing"
        )?;
    }
    Ok(())
}

async fn cloud_costs(config: &Config, args: &crate::cli::CloudImportArgs) -> anyhow::Result<()> {
    let name = args.file.display().to_string();
    let input = std::io::BufReader::new(
        std::fs::File::open(&args.file).map_err(|e| anyhow::anyhow!("cannot read {name}: {e}"))?,
    );
    let columns = bearing_formats::cloud_costs::Columns::mapped(&args.columns)
        .map_err(|e| super::UsageError(format!("--column: {e}")))?;
    let store = super::open(config).await?;
    let ctx = super::cli_context(config)?;
    let done = bearing_app::cloud::import(&store, &ctx, &name, input, &columns, args.dry_run).await;
    store.close().await;
    let done = done?;
    outln!("{}", done.summary())?;
    if args.dry_run {
        outln!("(dry run: nothing was written)")?;
    } else {
        outln!(
            "`bearing cloud costs` lists the months and their overruns; `bearing report cloud-recovery` what is left to recover"
        )?;
    }
    Ok(())
}
