//! `bearing cloud …`: cloud costs from the command line.

use bearing_app::cloud;
use bearing_core::organization::OrganizationName;
use bearing_core::{Money, OrganizationId};
use bearing_formats::Format;
use bearing_store::Store;

use super::UsageError;
use crate::cli::CloudCommand;
use crate::config::Config;
use crate::output::outln;

pub async fn run(config: &Config, command: CloudCommand) -> anyhow::Result<()> {
    let store = super::open(config).await?;
    let result = dispatch(&store, config, command).await;
    store.close().await;
    result
}

async fn dispatch(store: &Store, config: &Config, command: CloudCommand) -> anyhow::Result<()> {
    let ctx = super::cli_context(config)?;
    match command {
        CloudCommand::Costs { format } => {
            let costs = cloud::view(store, &ctx).await?;
            super::print_table(&cloud::accounts_table(&costs.accounts), format)?;
            if format == Format::Table {
                for problem in &costs.problems {
                    outln!("not allocated: {problem}")?;
                }
                for u in &costs.unmapped {
                    outln!(
                        "on no cluster: {} {}: {} lines, {} (`bearing cloud map` places them)",
                        u.account,
                        u.month,
                        u.lines,
                        Money::from_minor(u.amount_minor, u.currency).text()
                    )?;
                }
            }
            Ok(())
        }
        CloudCommand::Mappings { format } => {
            let list = cloud::mappings(store, &ctx).await?;
            super::print_table(&cloud::mappings_table(&list), format)
        }
        CloudCommand::Map {
            kind,
            value,
            cluster,
            hub,
            absorbed,
        } => {
            let (tag, value) = match kind.trim() {
                "tag" => value
                    .split_once('=')
                    .map(|(t, v)| (t.trim().to_owned(), v.trim().to_owned()))
                    .ok_or_else(|| UsageError("a tag is mapped as NAME=VALUE".into()))?,
                _ => (String::new(), value),
            };
            let list = cloud::map(
                store,
                &ctx,
                &cloud::MappingInput {
                    kind,
                    tag,
                    value,
                    cluster,
                    hub,
                    recoverable: !absorbed,
                },
            )
            .await?;
            super::print_table(&cloud::mappings_table(&list), Format::Table)
        }
        CloudCommand::Unmap { id } => {
            let list = cloud::unmap(store, &ctx, id).await?;
            outln!("removed mapping {id}")?;
            super::print_table(&cloud::mappings_table(&list), Format::Table)
        }
        CloudCommand::Split { cluster, rule } => {
            cloud::set_split(store, &ctx, &cluster, &rule).await?;
            outln!("cluster {cluster} splits its costs by {rule}")?;
            Ok(())
        }
        CloudCommand::Decide {
            account,
            month,
            decision,
            amount,
            reason,
        } => {
            let input = cloud::DecisionInput::new(&decision, amount.as_deref());
            let d = cloud::decide(store, &ctx, &account, month, &input, &reason).await?;
            outln!("{account} {month}: {} ({})", d.decision.as_str(), d.reason)?;
            Ok(())
        }
        CloudCommand::Credits {
            org,
            add,
            on,
            note,
            format,
        } => {
            if let (Some(org), Some(amount)) = (org, add) {
                let id = organization(store, &org).await?;
                let amount = Money::parse(&amount, bearing_core::Currency::USD)
                    .map_err(|e| UsageError(format!("--add: {e}")))?;
                let on = on.unwrap_or_else(|| ctx.today());
                cloud::add_credit(store, &ctx, id, amount, on, note.as_deref()).await?;
                outln!("recorded {} of credits for {org} on {on}", amount.text())?;
            }
            let costs = cloud::view(store, &ctx).await?;
            super::print_table(&cloud::credits_table(&costs.credits), format)
        }
    }
}

async fn organization(store: &Store, key: &str) -> anyhow::Result<OrganizationId> {
    if let Ok(id) = key.parse::<OrganizationId>() {
        return Ok(id);
    }
    let name = OrganizationName::parse(key).map_err(|e| UsageError(e.to_string()))?;
    Ok(store
        .find_organization_by_name(&name)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no organization named {name}"))?
        .id)
}
