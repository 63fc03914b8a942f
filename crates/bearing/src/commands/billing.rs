//! `bearing billing …`: billing schedules and the billing run from the command line.

use bearing_app::billing::{self, ScheduleInput};
use bearing_formats::Format;
use bearing_store::Store;

use super::UsageError;
use crate::cli::BillingCommand;
use crate::config::Config;
use crate::output::outln;

pub async fn run(config: &Config, command: BillingCommand) -> anyhow::Result<()> {
    let store = super::open(config).await?;
    let result = dispatch(&store, config, command).await;
    store.close().await;
    result
}

async fn dispatch(store: &Store, config: &Config, command: BillingCommand) -> anyhow::Result<()> {
    let ctx = super::cli_context(config)?;
    match command {
        BillingCommand::Run {
            month,
            confirm: false,
            format,
            ..
        } => {
            let run = billing::run(store, &ctx, month).await?;
            super::print_table(&billing::table(&run), format)?;
            if format != Format::Table {
                return Ok(());
            }
            for a in &run.attention {
                outln!("not billed: {}: {}", a.name, a.problem)?;
            }
            if !run.usage_included {
                outln!("usage of {month} is billed once the month is over")?;
            }
            let totals: Vec<String> = run.totals().iter().map(|m| m.text()).collect();
            outln!(
                "{} invoice(s) to make for {month}{}; nothing was written (--confirm makes them drafts)",
                run.proposals.len(),
                if totals.is_empty() {
                    String::new()
                } else {
                    format!(", {}", totals.join(" + "))
                }
            )?;
            Ok(())
        }
        BillingCommand::Run { month, only, .. } => {
            let only = (!only.is_empty()).then_some(only);
            let made = billing::confirm(store, &ctx, month, only.as_deref()).await?;
            for i in &made {
                outln!(
                    "{}\t{}\t{}",
                    i.record.number,
                    i.organization_name,
                    bearing_core::Money::from_minor(i.record.total_minor, i.record.currency).text()
                )?;
            }
            outln!("{} draft(s) made for {month}", made.len())?;
            Ok(())
        }
        BillingCommand::Schedule {
            deal,
            set,
            arrears,
            milestones,
            format,
        } => {
            let reference = deal
                .parse::<bearing_app::deals::DealRef>()
                .map_err(|e| UsageError(format!("deal: {e}")))?;
            let id = bearing_app::deals::resolve(store, &reference).await?;
            let shown = match set {
                Some(frequency) => {
                    billing::set(
                        store,
                        &ctx,
                        id,
                        ScheduleInput {
                            timing: BillingCommand::timing(arrears),
                            frequency,
                            milestones,
                        },
                    )
                    .await?
                }
                None => billing::of_deal(store, &ctx, id).await?,
            };
            if format == Format::Table {
                outln!(
                    "deal {id}: billed {}{}",
                    shown.schedule,
                    if shown.own {
                        ""
                    } else {
                        " (the default for its revenue type)"
                    }
                )?;
            }
            match &shown.instalments {
                Ok(_) => super::print_table(&billing::instalments_table(&shown), format),
                Err(problem) => {
                    outln!("no instalments: {problem}")?;
                    Ok(())
                }
            }
        }
    }
}
