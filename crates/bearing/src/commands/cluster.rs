//! `bearing cluster …`: clusters and hubs from the command line.

use bearing_app::patch::Edit;
use bearing_app::usage;
use bearing_core::organization::OrganizationName;
use bearing_formats::{Format, Table};
use bearing_store::Store;

use super::UsageError;
use crate::cli::ClusterCommand;
use crate::config::Config;
use crate::output::outln;

pub async fn run(config: &Config, command: ClusterCommand) -> anyhow::Result<()> {
    let store = super::open(config).await?;
    let result = dispatch(&store, config, command).await;
    store.close().await;
    result
}

async fn dispatch(store: &Store, config: &Config, command: ClusterCommand) -> anyhow::Result<()> {
    match command {
        ClusterCommand::List { format } => {
            super::print_table(&usage::units_table(store, |_| true).await?, format)
        }
        ClusterCommand::Show { name, format } => {
            let unit = usage::find_unit(store, &name).await?;
            if format == Format::Json {
                outln!("{}", serde_json::to_string_pretty(&unit)?)?;
                return Ok(());
            }
            let table = usage::units_table(store, |u| u.id == unit.id).await?;
            super::print_table(&table, format)?;
            if let bearing_store::UnitId::Cluster(id) = unit.id {
                let (_, assumptions) =
                    bearing_app::assumptions::current(store, jiff::Zoned::now().date()).await?;
                let mut months = Table::new(["month", "mau", "fee"]);
                for (month, mau, fee) in usage::months_of(store, &assumptions, &[id]).await? {
                    months.push([
                        Some(month.to_string()),
                        Some(mau.to_string()),
                        Some(format!("{fee:.2}")),
                    ]);
                }
                if format == Format::Table {
                    outln!()?;
                }
                super::print_table(&months, format)?;
            }
            Ok(())
        }
        ClusterCommand::Edit {
            name,
            provider,
            dedicated,
            shared,
            organization,
            deal,
            start,
            end,
            clear,
        } => {
            let unit = usage::find_unit(store, &name).await?;
            let organization = match organization {
                Some(org) => {
                    let parsed = OrganizationName::parse(&org)
                        .map_err(|e| UsageError(format!("--org: {e}")))?;
                    let record =
                        store
                            .find_organization_by_name(&parsed)
                            .await?
                            .ok_or_else(|| {
                                UsageError(format!("--org: there is no organization {org}"))
                            })?;
                    Some(record.id)
                }
                None => None,
            };
            let mut patch = usage::UnitPatch {
                provider: Edit::given(provider),
                dedicated: Edit::given((dedicated || shared).then_some(dedicated)),
                organization: Edit::given(organization),
                deal: Edit::given(deal),
                start: Edit::given(start),
                end: Edit::given(end),
            };
            super::clear_flags(&clear, |field| patch.clear(field))?;
            let edited =
                usage::patch_unit(store, &super::cli_context(config)?, unit.id, patch).await?;
            outln!(
                "{} {}: {}",
                if edited.cluster_id.is_some() {
                    "hub"
                } else {
                    "cluster"
                },
                name,
                describe(&edited.fields)
            )?;
            Ok(())
        }
    }
}

fn describe(f: &bearing_core::usage::UnitFields) -> String {
    let mut parts = Vec::new();
    if let Some(p) = &f.provider {
        parts.push(format!("provider {p}"));
    }
    if let Some(d) = f.dedicated {
        parts.push(if d { "dedicated" } else { "shared" }.to_owned());
    }
    if let Some(o) = f.organization {
        parts.push(format!("organization {o}"));
    }
    if let Some(d) = f.deal {
        parts.push(format!("deal {d}"));
    }
    if let Some(s) = f.start {
        parts.push(format!("from {s}"));
    }
    if let Some(e) = f.end {
        parts.push(format!("to {e}"));
    }
    if parts.is_empty() {
        "nothing recorded".to_owned()
    } else {
        parts.join(", ")
    }
}
