//! `bearing assumptions …` and `bearing report NAME`.

use std::io::Write;
use std::path::Path;

use bearing_formats::{Format, Table};

use crate::cli::AssumptionsCommand;
use crate::config::Config;
use crate::output::outln;

fn today() -> bearing_core::Date {
    jiff::Zoned::now().date()
}

pub async fn run(config: &Config, command: AssumptionsCommand) -> anyhow::Result<()> {
    let store = super::open(config).await?;
    let result = async {
        match command {
            AssumptionsCommand::Show => {
                let (version, values) = bearing_app::assumptions::current(&store, today()).await?;
                let mut table = Table::new(["key", "value"]);
                for (key, value) in values.entries() {
                    table.push([Some(key), Some(value)]);
                }
                super::print_table(&table, Format::Table)?;
                if version == 0 {
                    outln!("(defaults: no version set yet)")?;
                } else {
                    outln!("(version {version})")?;
                }
                Ok(())
            }
            AssumptionsCommand::Set { changes, from } => {
                let ctx = super::cli_context(config)?;
                let record = bearing_app::assumptions::set(
                    &store,
                    &ctx,
                    &changes,
                    from.unwrap_or_else(today),
                )
                .await?;
                outln!(
                    "assumptions version {} effective from {}",
                    record.version,
                    record.effective_from
                )?;
                Ok(())
            }
            AssumptionsCommand::History => {
                let mut table = Table::new([
                    "version",
                    "effective_from",
                    "created_at",
                    "actor",
                    "source",
                    "values",
                ]);
                for v in
                    bearing_app::assumptions::history(&store, &super::cli_context(config)?).await?
                {
                    let values: Vec<String> = v
                        .values
                        .entries()
                        .into_iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect();
                    table.push([
                        Some(v.version.to_string()),
                        Some(v.effective_from.to_string()),
                        Some(bearing_store::timestamp_text(v.created_at)),
                        Some(v.actor),
                        Some(v.source.to_string()),
                        Some(values.join(" ")),
                    ]);
                }
                super::print_table(&table, Format::Table)
            }
        }
    }
    .await;
    store.close().await;
    result
}

pub async fn report(
    config: &Config,
    name: &str,
    as_of: Option<bearing_core::Date>,
    format: Format,
    out: Option<&Path>,
) -> anyhow::Result<()> {
    if format == Format::Xlsx {
        let Some(path) = out else {
            return Err(super::UsageError(
                "--format xlsx writes a workbook of every report: give --out FILE.xlsx".into(),
            )
            .into());
        };
        return workbook(config, path).await;
    }
    let store = super::open(config).await?;
    let report = bearing_app::reports::build(&store, name, as_of.unwrap_or_else(today)).await;
    store.close().await;
    let report = report?;
    let mut bytes = Vec::new();
    if format == Format::Json {
        let mut rows = Vec::new();
        report.table.write(Format::Json, &mut rows)?;
        let rows: serde_json::Value = serde_json::from_slice(&rows)?;
        let document = serde_json::json!({
            "report": report.name,
            "assumptions_version": report.assumptions_version,
            "rows": rows,
        });
        serde_json::to_writer_pretty(&mut bytes, &document)?;
        bytes.push(b'\n');
    } else {
        report.table.write(format, &mut bytes)?;
        if format == Format::Table {
            writeln!(
                bytes,
                "({}, assumptions version {})",
                report.name, report.assumptions_version
            )?;
        }
    }
    match out {
        Some(path) => {
            std::fs::write(path, &bytes)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            outln!("wrote {} to {}", report.name, path.display())?;
        }
        None => crate::output::stdout().write_all(&bytes)?,
    }
    Ok(())
}

/// Every report, a sheet each, in one workbook.
async fn workbook(config: &Config, path: &Path) -> anyhow::Result<()> {
    let store = super::open(config).await?;
    let reports =
        bearing_app::reports::build_many(&store, &bearing_app::reports::NAMES, today()).await;
    store.close().await;
    let reports = reports?;
    let sheets: Vec<(&str, &Table)> = reports.iter().map(|r| (r.name, &r.table)).collect();
    let bytes = bearing_formats::xlsx::workbook(&sheets)?;
    std::fs::write(path, bytes)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    let version = reports.first().map_or(0, |r| r.assumptions_version);
    outln!(
        "wrote {} reports to {} (assumptions version {version})",
        reports.len(),
        path.display()
    )?;
    Ok(())
}
