//! `bearing history KIND ID`: every recorded change to one record.

use bearing_core::EntityKind;
use bearing_formats::Format;

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
    super::print_table(
        &bearing_app::history::table(&records, &names, format == Format::Csv),
        format,
    )
}
