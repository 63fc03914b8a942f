//! `bearing migrate`: bring the schema up to date, or say where it stands.

use bearing_store::{OpenMode, SchemaStatus, Store};

use crate::config::Config;

pub async fn run(config: &Config, status_only: bool) -> anyhow::Result<()> {
    let store = Store::open(&config.db.value, OpenMode::Unchecked).await?;
    let db = store.url().redacted();
    if status_only {
        match store.schema_status().await? {
            SchemaStatus::Current { version } => {
                println!("{db}: schema is current (version {version})")
            }
            SchemaStatus::Outdated {
                applied, pending, ..
            } => println!(
                "{db}: schema is at version {applied}; {} migration(s) pending: run `bearing migrate`",
                pending.len()
            ),
            SchemaStatus::Newer { applied, latest } => println!(
                "{db}: schema is at version {applied}, newer than this Bearing ({latest}): upgrade Bearing"
            ),
        }
        store.close().await;
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
    if applied.is_empty() {
        println!("{db}: already current (schema version {version})");
    } else {
        println!(
            "{db}: applied {} migration(s); schema version {version}",
            applied.len()
        );
    }
    store.close().await;
    Ok(())
}
