//! `bearing import roles`, `bearing publish roles` and `bearing role list`.

use std::path::Path;

use anyhow::Context as _;
use bearing_app::patch::Edit;

use crate::cli::{PublishCommand, RoleCommand, RolesImportArgs};
use crate::config::Config;
use crate::output::{out, outln};

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
        outln!("{} (dry run: nothing was written)", plan.summary())?;
    } else {
        outln!("{}: imported", plan.summary())?;
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
                    outln!()?;
                }
                outln!("% {name}\n")?;
                out!("{text}")?;
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
        outln!("wrote {}", path.display())?;
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
                    outln!("added role {}: {}", role.id, role.text.name)?;
                    Ok(())
                }
                Err(e) => Err(e.into()),
            }
        }
        RoleCommand::Edit {
            name,
            area,
            ladder,
            key_goal,
            clear,
        } => edit(&store, config, &name, area, ladder, key_goal, &clear).await,
    };
    store.close().await;
    result
}

async fn edit(
    store: &bearing_store::Store,
    config: &Config,
    name: &str,
    area: Option<String>,
    ladder: Option<String>,
    key_goal: Option<String>,
    clear: &[String],
) -> anyhow::Result<()> {
    let roles = store.list_roles().await?;
    let role = roles
        .iter()
        .find(|r| r.text.name == name)
        .ok_or_else(|| super::UsageError(format!("there is no role {name:?}")))?;
    let mut patch = bearing_app::roles::RolePatch {
        area: Edit::given(area),
        ladder: Edit::given(ladder),
        key_goal: Edit::given(key_goal),
    };
    super::clear_flags(clear, |field| patch.clear(field))?;
    let edited =
        bearing_app::roles::patch(store, &super::cli_context(config)?, role.id, patch).await?;
    outln!(
        "role {}: {} (paid by the ladder {})",
        edited.id,
        edited.text.name,
        edited.ladder()
    )?;
    Ok(())
}
