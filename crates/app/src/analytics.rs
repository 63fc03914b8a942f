//! Pipeline analytics: the stage flow of the deal history (`core::analytics`), for every front
//! door (the analytics page, `bearing report stage-moves|time-in-stage`, and the reports API).

use bearing_core::analytics::{self, StageEntry, StageFlow};
use bearing_formats::Table;
use bearing_store::{DealHistoryRecord, StageRecord, Store};

use crate::Result;

/// The stage flow of `history`, with stages in the pipelines' order. A history row whose time
/// cannot be read is left out (the store writes every time it keeps).
pub fn stage_flow(history: &[DealHistoryRecord], stages: &[StageRecord]) -> StageFlow {
    let entries: Vec<StageEntry> = history
        .iter()
        .filter(|h| h.field == "stage")
        .filter_map(|h| {
            Some(StageEntry {
                deal: h.deal_id.get(),
                sequence: h.id,
                at: h.at,
                stage: h.new_value.clone()?,
            })
        })
        .collect();
    let order: Vec<String> = stages.iter().map(|s| s.name.clone()).collect();
    analytics::stage_flow(&entries, &order)
}

/// The stage flow of every deal's history, read from the store.
pub async fn read_stage_flow(store: &Store) -> Result<StageFlow> {
    let (history, stages) =
        tokio::try_join!(crate::deals::history(store, None, None, None), async {
            Ok(store.list_stages().await?)
        },)?;
    Ok(stage_flow(&history, &stages))
}

/// The moves between stages, largest first.
pub fn moves_table(flow: &StageFlow) -> Table {
    let mut table = Table::new(["from", "to", "deals"]);
    for m in &flow.moves {
        table.push([
            Some(m.from.clone()),
            Some(m.to.clone()),
            Some(m.deals.to_string()),
        ]);
    }
    table
}

/// The days deals stayed in each stage before moving on, in the pipelines' order.
pub fn times_table(flow: &StageFlow) -> Table {
    let mut table = Table::new(["stage", "stays", "median_days", "mean_days"]);
    for t in &flow.times {
        table.push([
            Some(t.stage.clone()),
            Some(t.stays.to_string()),
            Some(format!("{:.0}", t.median_days)),
            Some(format!("{:.0}", t.mean_days)),
        ]);
    }
    table
}
