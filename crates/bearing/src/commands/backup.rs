//! `bearing backup FILE` and `bearing restore FILE`.

use std::path::Path;

use crate::config::Config;
use crate::output::outln;

pub async fn backup(config: &Config, file: &Path) -> anyhow::Result<()> {
    let store = super::open(config).await?;
    let result = store.backup_to(file).await;
    store.close().await;
    result?;
    let bytes = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    outln!(
        "backed up {} to {} ({bytes} bytes)",
        config.db.value,
        file.display()
    )?;
    Ok(())
}

pub async fn restore(config: &Config, file: &Path) -> anyhow::Result<()> {
    let store = bearing_store::restore_sqlite(file, &config.db.value).await?;
    store.close().await;
    outln!("restored {} into {}", file.display(), config.db.value)?;
    Ok(())
}
