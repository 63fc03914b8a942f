//! Pipeline analytics: the stage flow of the deal history (`core::analytics`), for every front
//! door (the analytics page, `bearing report stage-moves|time-in-stage|conversion`, and the
//! reports API).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use bearing_core::Date;
use bearing_core::analytics::{self, OrderedStage, StageEntry, StageFlow, TrackedEntry};
use bearing_core::pipeline::StageOutcome;
use bearing_formats::Table;
use bearing_store::{DealHistoryRecord, StageRecord, Store};

use crate::Result;
use crate::deals::Deal;

/// Which deals the analytics count. Empty counts every deal in the history.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Deals that entered the pipeline (their first stage in the history) on or after this day.
    pub from: Option<Date>,
    /// … and on or before this day.
    pub to: Option<Date>,
    /// Deals with this owner.
    pub owner: Option<String>,
    /// Deals this campaign produced, by name.
    pub campaign: Option<String>,
}

impl Filter {
    /// Whether the filter asks anything of a deal's own fields.
    fn reads_deals(&self) -> bool {
        self.owner.is_some() || self.campaign.is_some()
    }

    /// Whether `deal` has the owner and campaign asked for.
    fn keeps(&self, deal: &Deal) -> bool {
        let is = |wanted: &Option<String>, has: &Option<String>| {
            wanted.is_none() || wanted.as_deref() == has.as_deref()
        };
        is(&self.owner, &deal.fields.owner) && is(&self.campaign, &deal.fields.campaign)
    }
}

/// The stage flow of `history` for the deals `filter` keeps (by owner and campaign among
/// `deals`; a deal that is not there, deleted, is kept only when the filter asks neither),
/// with stages in the pipelines' order.
pub fn stage_flow(
    history: &[DealHistoryRecord],
    stages: &[StageRecord],
    deals: &[Deal],
    filter: &Filter,
) -> StageFlow {
    let mut entries: Vec<StageEntry> = history
        .iter()
        .filter(|h| h.field == "stage")
        .filter_map(|h| {
            Some(StageEntry {
                deal: h.deal_id.get(),
                sequence: h.id,
                at: h.at,
                stage: h.new_value.as_deref()?,
            })
        })
        .collect();
    if filter.reads_deals() {
        let kept: BTreeSet<i64> = deals
            .iter()
            .filter(|d| filter.keeps(d))
            .map(|d| d.id.get())
            .collect();
        entries.retain(|e| kept.contains(&e.deal));
    }
    if filter.from.is_some() || filter.to.is_some() {
        let mut entered: BTreeMap<i64, jiff::Timestamp> = BTreeMap::new();
        for e in &entries {
            entered
                .entry(e.deal)
                .and_modify(|at| *at = (*at).min(e.at))
                .or_insert(e.at);
        }
        let in_period = |at: &jiff::Timestamp| {
            let day = at.to_zoned(jiff::tz::TimeZone::UTC).date();
            filter.from.is_none_or(|from| day >= from) && filter.to.is_none_or(|to| day <= to)
        };
        entries.retain(|e| entered.get(&e.deal).is_some_and(in_period));
    }
    let order: Vec<OrderedStage> = stages
        .iter()
        .map(|s| OrderedStage {
            name: s.name.clone(),
            outcome: s.outcome,
        })
        .collect();
    analytics::stage_flow(&entries, &order)
}

/// How much the weighted open pipeline grew (or, negative, shrank) over the month to `now`:
/// the pipeline the deal history says stood at `now` less the one it says stood a month
/// before, both weighted with the stages' probabilities of today.
pub fn weighted_pipeline_change(
    history: &[DealHistoryRecord],
    stages: &[StageRecord],
    now: jiff::Timestamp,
) -> f64 {
    let entries: Vec<TrackedEntry<'_>> = history
        .iter()
        .map(|h| TrackedEntry {
            deal: h.deal_id.get(),
            sequence: h.id,
            at: h.at,
            field: &h.field,
            value: h.new_value.as_deref(),
        })
        .collect();
    let mut by_name: HashMap<&str, (StageOutcome, f64)> = HashMap::new();
    for stage in stages {
        by_name
            .entry(&stage.name)
            .or_insert((stage.outcome, stage.default_probability));
    }
    let month_ago = now
        .to_zoned(jiff::tz::TimeZone::UTC)
        .checked_sub(jiff::Span::new().months(1))
        .map_or(now, |z| z.timestamp());
    analytics::pipeline_at(&entries, now, &by_name).weighted
        - analytics::pipeline_at(&entries, month_ago, &by_name).weighted
}

/// The stage flow of every deal's history, read from the store.
pub async fn read_stage_flow(store: &Store) -> Result<StageFlow> {
    let (history, stages) =
        tokio::try_join!(crate::deals::history(store, None, None, None), async {
            Ok(store.list_stages().await?)
        },)?;
    Ok(stage_flow(&history, &stages, &[], &Filter::default()))
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

/// The days deals stayed in each stage before moving on, in the pipelines' order; `closed`
/// marks the won and lost stages, where time is no longer time spent selling.
pub fn times_table(flow: &StageFlow) -> Table {
    let mut table = Table::new(["stage", "stays", "median_days", "mean_days", "closed"]);
    for t in &flow.times {
        table.push([
            Some(t.stage.clone()),
            Some(t.stays.to_string()),
            Some(format!("{:.0}", t.median_days)),
            Some(format!("{:.0}", t.mean_days)),
            Some(t.closed.to_string()),
        ]);
    }
    table
}

/// A share as a decimal with four places, or empty when nothing was counted.
fn rate(share: Option<f64>) -> Option<String> {
    share.map(|s| format!("{s:.4}"))
}

/// For each open stage: deals that reached it, moved on, were won, lost or are still open,
/// the conversion (moved on ÷ reached) and the win rate (won ÷ decided); then a line for all
/// decided deals.
pub fn conversion_table(flow: &StageFlow) -> Table {
    let mut table = Table::new([
        "stage",
        "reached",
        "moved_on",
        "conversion",
        "won",
        "lost",
        "open",
        "win_rate",
    ]);
    for line in &flow.conversion {
        table.push([
            Some(line.stage.clone()),
            Some(line.reached.to_string()),
            Some(line.moved_on.to_string()),
            rate(line.conversion()),
            Some(line.won.to_string()),
            Some(line.lost.to_string()),
            Some(line.open().to_string()),
            rate(line.win_rate()),
        ]);
    }
    table.push([
        Some("All decided deals".into()),
        None,
        None,
        None,
        Some(flow.won.to_string()),
        Some(flow.lost.to_string()),
        None,
        rate(flow.win_rate()),
    ]);
    table
}
