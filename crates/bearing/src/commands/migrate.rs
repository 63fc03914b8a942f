//! `bearing migrate`: bring the schema up to date, or say where it stands.

use bearing_store::{OpenMode, SchemaStatus, Store};

use crate::config::Config;
use crate::output::outln;

pub async fn run(config: &Config, status_only: bool) -> anyhow::Result<()> {
    let store = Store::open(&config.db.value, OpenMode::Unchecked).await?;
    let db = store.url().redacted();
    if status_only {
        let status = store.schema_status().await;
        store.close().await;
        match status? {
            SchemaStatus::Current { version } => {
                outln!("{db}: schema is current (version {version})")?
            }
            SchemaStatus::Outdated {
                applied, pending, ..
            } => outln!(
                "{db}: schema is at version {applied}; {} migration(s) pending: run `bearing migrate`",
                pending.len()
            )?,
            SchemaStatus::Newer { applied, latest } => outln!(
                "{db}: schema is at version {applied}, newer than this Bearing ({latest}): upgrade Bearing"
            )?,
        }
        return Ok(());
    }
    if let SchemaStatus::Newer { .. } = store.schema_status().await? {
        store.close().await;
        anyhow::bail!("{db} was migrated by a newer Bearing: upgrade Bearing instead");
    }
    let applied = store.migrate().await?;
    let version = match store.schema_status().await? {
        SchemaStatus::Current { version } => version,
        other => anyhow::bail!("migration left the schema at {other:?}"),
    };
    store.close().await;
    if applied.is_empty() {
        outln!("{db}: already current (schema version {version})")?;
    } else {
        outln!(
            "{db}: applied {} migration(s); schema version {version}",
            applied.len()
        )?;
    }
    Ok(())
}
