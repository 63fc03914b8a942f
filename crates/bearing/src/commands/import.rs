//! `bearing import …`: CSV files into Bearing, all or nothing.

use bearing_app::AppError;
use bearing_app::import::{self, Plan};
use bearing_formats::Table;

use crate::cli::ImportCommand;
use crate::config::Config;

pub async fn run(config: &Config, command: ImportCommand) -> anyhow::Result<()> {
    let ImportCommand::Deals {
        file,
        dry_run,
        format,
    } = command;
    let name = file.display().to_string();
    let input =
        std::fs::File::open(&file).map_err(|e| anyhow::anyhow!("cannot read {name}: {e}"))?;
    let store = super::open(config).await?;
    let ctx = super::cli_context(config)?;
    let result =
        import::import_deals(&store, &ctx, &name, std::io::BufReader::new(input), dry_run).await;
    store.close().await;
    match result {
        Ok(plan) => {
            if dry_run {
                super::print_table(&plan_table(&plan), format)?;
                println!("{} (dry run: nothing was written)", plan.summary());
            } else {
                println!("{}: imported", plan.summary());
            }
            Ok(())
        }
        Err(AppError::Import(errors)) if dry_run => {
            let mut table = Table::new(["line", "column", "value", "problem"]);
            for e in &errors {
                table.push([
                    Some(e.line.to_string()),
                    Some(e.column.clone()),
                    Some(e.value.clone()),
                    Some(e.message.clone()),
                ]);
            }
            super::print_table(&table, format)?;
            anyhow::bail!(
                "{name}: {} problem(s); nothing would be imported",
                errors.len()
            )
        }
        Err(e) => Err(e.into()),
    }
}

fn plan_table(plan: &Plan) -> Table {
    let mut table = Table::new(["line", "crm_id", "action", "deal", "name", "changes"]);
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
    let mut rows: Vec<(u64, [Option<String>; 6])> = Vec::new();
    for c in &plan.creates {
        rows.push((
            c.line,
            [
                Some(c.line.to_string()),
                Some(c.crm_id.clone()),
                Some("create".into()),
                None,
                Some(c.fields.name.clone()),
                None,
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
                Some(u.fields.name.clone()),
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
                None,
            ],
        ));
    }
    rows.sort_by_key(|(line, _)| *line);
    for (_, row) in rows {
        table.push(row);
    }
    table
}
