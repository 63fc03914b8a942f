//! `bearing contact …`: contacts from the command line.

use bearing_app::contacts;
use bearing_core::contact::{ContactFields, ContactLabel};
use bearing_core::organization::OrganizationName;
use bearing_formats::Format;
use bearing_store::Store;

use super::UsageError;
use crate::cli::{ContactArgs, ContactCommand};
use crate::config::Config;
use crate::output::outln;

pub async fn run(config: &Config, command: ContactCommand) -> anyhow::Result<()> {
    let store = super::open(config).await?;
    let result = dispatch(&store, config, command).await;
    store.close().await;
    result
}

async fn dispatch(store: &Store, config: &Config, command: ContactCommand) -> anyhow::Result<()> {
    match command {
        ContactCommand::List {
            org,
            deleted,
            format,
        } => {
            let org = org
                .map(|o| OrganizationName::parse(&o).map_err(|e| UsageError(format!("--org: {e}"))))
                .transpose()?;
            let list = contacts::list(store, org.as_ref(), deleted).await?;
            super::print_table(&contacts::table(&list), format)
        }
        ContactCommand::Show { id, format } => {
            let contact = contacts::get(store, id).await?;
            if format == Format::Json {
                outln!("{}", serde_json::to_string_pretty(&contact)?)?;
                return Ok(());
            }
            super::print_table(&contacts::table(std::slice::from_ref(&contact)), format)
        }
        ContactCommand::Add { name, fields } => {
            let mut contact = ContactFields {
                name,
                email: None,
                github: None,
                strategic: false,
                coverage: Vec::new(),
                notes: None,
                organizations: Vec::new(),
            };
            apply(&fields, &mut contact)?;
            let created = contacts::create(store, &super::cli_context(config)?, contact).await?;
            outln!("added contact {}: {}", created.id, created.fields.name)?;
            Ok(())
        }
        ContactCommand::Edit { id, name, fields } => {
            let mut contact = contacts::get(store, id).await?.fields;
            if let Some(name) = name {
                contact.name = name;
            }
            apply(&fields, &mut contact)?;
            let edited = contacts::edit(store, &super::cli_context(config)?, id, contact).await?;
            outln!("contact {}: {}", edited.id, edited.fields.name)?;
            Ok(())
        }
        ContactCommand::Delete { id } => {
            contacts::delete(store, &super::cli_context(config)?, id).await?;
            outln!("deleted contact {id} (`bearing contact restore {id}` brings it back)")?;
            Ok(())
        }
        ContactCommand::Restore { id } => {
            contacts::restore(store, &super::cli_context(config)?, id).await?;
            outln!("restored contact {id}")?;
            Ok(())
        }
    }
}

/// Reads `ORG:LABEL` (the label defaults to `other`).
pub fn parse_link(text: &str) -> Result<(OrganizationName, ContactLabel), String> {
    let (org, label) = text.split_once(':').unwrap_or((text, "other"));
    let org = OrganizationName::parse(org).map_err(|e| e.to_string())?;
    let label = label.parse::<ContactLabel>().map_err(|e| e.to_string())?;
    Ok((org, label))
}

fn apply(args: &ContactArgs, contact: &mut ContactFields) -> anyhow::Result<()> {
    let text = |v: &Option<String>| {
        v.as_ref()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    if args.email.is_some() {
        contact.email = text(&args.email);
    }
    if args.github.is_some() {
        contact.github = text(&args.github);
    }
    if args.notes.is_some() {
        contact.notes = text(&args.notes);
    }
    if let Some(strategic) = args.strategic {
        contact.strategic = strategic;
    }
    if let Some(coverage) = &args.coverage {
        contact.coverage = coverage
            .split(';')
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect();
    }
    if args.replace_orgs {
        contact.organizations.clear();
    }
    for link in &args.organizations {
        let link = parse_link(link).map_err(|e| UsageError(format!("--org: {e}")))?;
        if !contact.organizations.contains(&link) {
            contact.organizations.push(link);
        }
    }
    Ok(())
}
