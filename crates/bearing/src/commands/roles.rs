//! `bearing import roles`, `bearing publish roles` and `bearing role list`.

use std::path::Path;

use anyhow::Context as _;

use crate::cli::{PublishCommand, RoleCommand, RolesImportArgs};
use crate::config::Config;

pub async fn import(config: &Config, args: &RolesImportArgs) -> anyhow::Result<()> {
    let name = args.file.display().to_string();
    let text =
        std::fs::read_to_string(&args.file).with_context(|| format!("cannot read {name}"))?;
    let store = super::open(config).await?;
    let ctx = super::cli_context(config)?;
    let result = bearing_app::roles::import(
        &store,
        &ctx,
        &name,
        &text,
        args.area.as_deref(),
        args.dry_run,
    )
    .await;
    store.close().await;
    let plan = result?;
    if args.dry_run {
        println!("{} (dry run: nothing was written)", plan.summary());
    } else {
        println!("{}: imported", plan.summary());
    }
    Ok(())
}

pub async fn publish(config: &Config, command: PublishCommand) -> anyhow::Result<()> {
    let PublishCommand::Roles { format: _, out } = command;
    let store = super::open(config).await?;
    let pages = bearing_app::roles::publish(&store, jiff::Zoned::now().date()).await;
    store.close().await;
    let pages = pages?;
    match out {
        Some(dir) => write_pages(&dir, &pages),
        None => {
            // MyST comments name each page.
            for (i, (name, text)) in pages.iter().enumerate() {
                if i > 0 {
                    println!();
                }
                println!("% {name}\n");
                print!("{text}");
            }
            Ok(())
        }
    }
}

/// Writes every page into `dir`, each through a temporary file, so a page is whole or absent.
fn write_pages(dir: &Path, pages: &[(String, String)]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, text) in pages {
        let path = dir.join(name);
        let partial = dir.join(format!(".{name}.partial"));
        std::fs::write(&partial, text)
            .with_context(|| format!("cannot write {}", partial.display()))?;
        std::fs::rename(&partial, &path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

pub async fn list(config: &Config, command: RoleCommand) -> anyhow::Result<()> {
    let store = super::open(config).await?;
    let result = match command {
        RoleCommand::List { format } => match bearing_app::roles::table(&store).await {
            Ok(table) => super::print_table(&table, format),
            Err(e) => Err(e.into()),
        },
        RoleCommand::Add { name, area } => {
            match bearing_app::roles::add(
                &store,
                &super::cli_context(config)?,
                &name,
                area.as_deref(),
            )
            .await
            {
                Ok(role) => {
                    println!("added role {}: {}", role.id, role.text.name);
                    Ok(())
                }
                Err(e) => Err(e.into()),
            }
        }
    };
    store.close().await;
    result
}
