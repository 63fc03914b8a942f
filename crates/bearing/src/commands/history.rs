//! `bearing history KIND ID`: every recorded change to one record.

use bearing_core::EntityKind;
use bearing_formats::{Format, Table};

use crate::config::Config;
use crate::output::outln;

pub async fn run(
    config: &Config,
    kind: EntityKind,
    id: &str,
    format: Format,
) -> anyhow::Result<()> {
    let store = super::open(config).await?;
    let ctx = super::cli_context(config)?;
    let read = async {
        let records = bearing_app::history::of(&store, &ctx, kind, id).await?;
        let names = bearing_app::history::Names::of(&store, &records).await?;
        Ok::<_, bearing_app::AppError>((records, names))
    }
    .await;
    store.close().await;
    let (records, names) = read?;
    if format == Format::Json {
        outln!("{}", serde_json::to_string_pretty(&records)?)?;
        return Ok(());
    }
    let mut columns = vec!["id", "at", "actor", "source", "action", "changes"];
    if format == Format::Csv {
        columns.extend(["before", "after"]);
    }
    let mut table = Table::new(columns);
    for record in &records {
        let changes: Vec<String> = bearing_app::history::described(record, &names)
            .iter()
            .map(ToString::to_string)
            .collect();
        let json = |v: &Option<serde_json::Value>| v.as_ref().map(serde_json::Value::to_string);
        table.push([
            Some(record.id.to_string()),
            Some(bearing_store::timestamp_text(record.at)),
            Some(record.actor.clone()),
            Some(record.source.to_string()),
            Some(record.action.to_string()),
            Some(changes.join("; ")),
            json(&record.before),
            json(&record.after),
        ]);
    }
    super::print_table(&table, format)
}
