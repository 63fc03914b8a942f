//! `bearing org …`: organizations from the command line.

use bearing_app::deals::{self, DealFilter};
use bearing_app::organizations;
use bearing_core::OrganizationId;
use bearing_core::organization::{OrganizationFields, OrganizationKind, OrganizationName};
use bearing_formats::Format;
use bearing_store::{OrganizationRecord, Store};

use super::UsageError;
use crate::cli::{OrgArgs, OrgCommand};
use crate::config::Config;
use crate::output::outln;

pub async fn run(config: &Config, command: OrgCommand) -> anyhow::Result<()> {
    let store = super::open(config).await?;
    let result = dispatch(&store, config, command).await;
    store.close().await;
    result
}

async fn dispatch(store: &Store, config: &Config, command: OrgCommand) -> anyhow::Result<()> {
    match command {
        OrgCommand::List { deleted, format } => {
            let list = store.list_organizations(deleted).await?;
            super::print_table(&organizations::table(&list), format)
        }
        OrgCommand::Show { org, format } => {
            let record = find(store, &org).await?;
            if format == Format::Json {
                outln!("{}", serde_json::to_string_pretty(&record)?)?;
                return Ok(());
            }
            super::print_table(&organizations::table(std::slice::from_ref(&record)), format)?;
            let filter = DealFilter {
                organization: Some(record.fields.name.to_string()),
                ..DealFilter::default()
            };
            let list = deals::list(store, &filter).await?;
            if !list.is_empty() && format == Format::Table {
                outln!()?;
                super::print_table(&deals::table(&list), format)?;
            }
            Ok(())
        }
        OrgCommand::Add { name, fields } => {
            let mut org = OrganizationFields {
                name: OrganizationName::parse(&name).map_err(|e| UsageError(e.to_string()))?,
                long_name: None,
                kind: OrganizationKind::Community,
                website: None,
                github_org: None,
                notes: None,
                tags: Vec::new(),
            };
            apply(&fields, &mut org)?;
            let created = organizations::create(store, &super::cli_context(config)?, org).await?;
            outln!("added organization {}: {}", created.id, created.fields.name)?;
            Ok(())
        }
        OrgCommand::Edit { org, name, fields } => {
            let record = find(store, &org).await?;
            let mut changed = record.fields.clone();
            if let Some(name) = name {
                changed.name = OrganizationName::parse(&name)
                    .map_err(|e| UsageError(format!("--name: {e}")))?;
            }
            apply(&fields, &mut changed)?;
            let edited =
                organizations::update(store, &super::cli_context(config)?, record.id, changed)
                    .await?;
            outln!("organization {}: {}", edited.id, edited.fields.name)?;
            Ok(())
        }
        OrgCommand::Delete { org } => {
            let record = find(store, &org).await?;
            organizations::delete(store, &super::cli_context(config)?, record.id).await?;
            outln!(
                "deleted organization {} (`bearing org restore {}` brings it back)",
                record.fields.name,
                record.id
            )?;
            Ok(())
        }
        OrgCommand::Restore { org } => {
            let record = find(store, &org).await?;
            organizations::restore(store, &super::cli_context(config)?, record.id).await?;
            outln!("restored organization {}", record.fields.name)?;
            Ok(())
        }
        OrgCommand::Alias { org, add, remove } => {
            let record = find(store, &org).await?;
            let ctx = super::cli_context(config)?;
            let mut aliases = bearing_app::ledger::aliases(store, &ctx, record.id).await?;
            for name in &remove {
                aliases = bearing_app::ledger::remove_alias(store, &ctx, record.id, name).await?;
            }
            for name in &add {
                aliases = bearing_app::ledger::add_alias(store, &ctx, record.id, name).await?;
            }
            if aliases.is_empty() {
                outln!(
                    "{} has no aliases: the ledger places it by its name or long name",
                    record.fields.name
                )?;
            }
            for alias in &aliases {
                outln!("{}", alias.alias)?;
            }
            Ok(())
        }
    }
}

/// An organization by id or by name.
async fn find(store: &Store, key: &str) -> anyhow::Result<OrganizationRecord> {
    if let Ok(id) = key.parse::<OrganizationId>() {
        return Ok(store.get_organization(id).await?);
    }
    let name = OrganizationName::parse(key).map_err(|e| UsageError(e.to_string()))?;
    store
        .find_organization_by_name(&name)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no organization named {name}"))
}

fn apply(args: &OrgArgs, org: &mut OrganizationFields) -> anyhow::Result<()> {
    if let Some(kind) = &args.kind {
        org.kind = kind
            .parse()
            .map_err(|e| UsageError(format!("--kind: {e}")))?;
    }
    let text = |v: &Option<String>| {
        v.as_ref()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    if args.long_name.is_some() {
        org.long_name = text(&args.long_name);
    }
    if args.website.is_some() {
        org.website = text(&args.website);
    }
    if args.github.is_some() {
        org.github_org = text(&args.github);
    }
    if args.notes.is_some() {
        org.notes = text(&args.notes);
    }
    if let Some(tags) = &args.tags {
        org.tags = tags
            .split(';')
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect();
    }
    Ok(())
}
