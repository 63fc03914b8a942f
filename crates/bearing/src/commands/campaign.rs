//! `bearing campaign …`: campaigns from the command line.

use bearing_app::campaigns;
use bearing_core::{Currency, Money};

use bearing_store::{CampaignRow, Store};

use super::UsageError;
use crate::cli::{CampaignArgs, CampaignCommand};
use crate::config::Config;
use crate::output::outln;

pub async fn run(config: &Config, command: CampaignCommand) -> anyhow::Result<()> {
    let store = super::open(config).await?;
    let result = dispatch(&store, config, command).await;
    store.close().await;
    result
}

async fn dispatch(store: &Store, config: &Config, command: CampaignCommand) -> anyhow::Result<()> {
    match command {
        CampaignCommand::List { deleted, format } => {
            let list = store.list_campaigns(deleted).await?;
            super::print_table(&campaigns::table(&list), format)
        }
        CampaignCommand::Add { name, fields } => {
            let mut row = CampaignRow {
                name,
                channel: None,
                start_date: None,
                end_date: None,
                currency: Currency::USD,
                cost_minor: None,
                cost_person_days: None,
                notes: None,
            };
            apply(&fields, &mut row)?;
            let created = campaigns::create(store, &super::cli_context(config)?, row).await?;
            outln!("added campaign {}: {}", created.id, created.row.name)?;
            Ok(())
        }
        CampaignCommand::Edit {
            campaign,
            name,
            fields,
        } => {
            let current = campaigns::find(store, &campaign).await?;
            let mut row = current.row.clone();
            if let Some(name) = name {
                row.name = name;
            }
            apply(&fields, &mut row)?;
            let edited =
                campaigns::edit(store, &super::cli_context(config)?, current.id, row).await?;
            outln!("campaign {}: {}", edited.id, edited.row.name)?;
            Ok(())
        }
        CampaignCommand::Delete { campaign } => {
            let current = campaigns::find(store, &campaign).await?;
            campaigns::set_deleted(store, &super::cli_context(config)?, current.id, true).await?;
            outln!("deleted campaign {}", current.row.name)?;
            Ok(())
        }
        CampaignCommand::Restore { campaign } => {
            let current = campaigns::find(store, &campaign).await?;
            campaigns::set_deleted(store, &super::cli_context(config)?, current.id, false).await?;
            outln!("restored campaign {}", current.row.name)?;
            Ok(())
        }
    }
}

fn apply(args: &CampaignArgs, row: &mut CampaignRow) -> anyhow::Result<()> {
    if let Some(currency) = &args.currency {
        row.currency =
            Currency::parse(currency).map_err(|e| UsageError(format!("--currency: {e}")))?;
    }
    if let Some(cost) = &args.cost {
        row.cost_minor = Some(
            Money::parse(cost, row.currency)
                .map_err(|e| UsageError(format!("--cost: {e}")))?
                .minor,
        );
    }
    if args.channel.is_some() {
        row.channel.clone_from(&args.channel);
    }
    if args.start.is_some() {
        row.start_date = args.start;
    }
    if args.end.is_some() {
        row.end_date = args.end;
    }
    if args.person_days.is_some() {
        row.cost_person_days = args.person_days;
    }
    if args.notes.is_some() {
        row.notes.clone_from(&args.notes);
    }
    Ok(())
}
