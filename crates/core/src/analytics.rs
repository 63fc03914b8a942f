//! Pipeline analytics from the deal history: how deals move between stages, and how long
//! they stay in each (docs/domain.md, "Business-development measures").

use std::collections::BTreeMap;

/// A deal entering a stage: which deal, when, in which order of the history, and the stage.
#[derive(Debug, Clone, PartialEq)]
pub struct StageEntry {
    pub deal: i64,
    /// The history's own order, which breaks ties between entries at the same moment.
    pub sequence: i64,
    pub at: jiff::Timestamp,
    pub stage: String,
}

/// How many times deals moved from one stage to another.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StageMove {
    pub from: String,
    pub to: String,
    pub deals: u64,
}

/// The stays in one stage that ended with a move, in days.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StageTime {
    pub stage: String,
    pub stays: usize,
    pub median_days: f64,
    pub mean_days: f64,
}

/// Stage moves, largest first, and the time in each stage, in the pipeline's order.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct StageFlow {
    /// The stages that appear, in `order` (then any the order does not know).
    pub stages: Vec<String>,
    pub moves: Vec<StageMove>,
    pub times: Vec<StageTime>,
}

/// The median of `values` (the mean of the middle two for an even count; 0 for none).
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// Reads consecutive stage entries of each deal: each pair is a move from the first stage to
/// the second, and the time between them a completed stay in the first. A stay that has not
/// ended (the deal's current stage) does not count. `order` is the pipelines' stage order.
pub fn stage_flow(entries: &[StageEntry], order: &[String]) -> StageFlow {
    let mut by_deal: BTreeMap<i64, Vec<&StageEntry>> = BTreeMap::new();
    for entry in entries {
        by_deal.entry(entry.deal).or_default().push(entry);
    }
    let mut moves: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut stays: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for changes in by_deal.values_mut() {
        changes.sort_by(|a, b| a.at.cmp(&b.at).then(a.sequence.cmp(&b.sequence)));
        for pair in changes.windows(2) {
            let (entered, left) = (pair[0], pair[1]);
            *moves
                .entry((entered.stage.clone(), left.stage.clone()))
                .or_default() += 1;
            let days = left.at.duration_since(entered.at).as_secs_f64() / 86_400.0;
            stays.entry(entered.stage.clone()).or_default().push(days);
        }
    }
    let mut stages: Vec<String> = Vec::new();
    for name in order {
        if !stages.contains(name) {
            stages.push(name.clone());
        }
    }
    for (a, b) in moves.keys() {
        for name in [a, b] {
            if !stages.contains(name) {
                stages.push(name.clone());
            }
        }
    }
    stages.retain(|s| moves.keys().any(|(a, b)| a == s || b == s));
    let mut listed: Vec<StageMove> = moves
        .into_iter()
        .map(|((from, to), deals)| StageMove { from, to, deals })
        .collect();
    listed.sort_by_key(|m| std::cmp::Reverse(m.deals));
    let times = stages
        .iter()
        .filter_map(|stage| {
            let days = stays.get(stage)?;
            Some(StageTime {
                stage: stage.clone(),
                stays: days.len(),
                median_days: median(days),
                mean_days: days.iter().sum::<f64>() / days.len() as f64,
            })
        })
        .collect();
    StageFlow {
        stages,
        moves: listed,
        times,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(sequence: i64, deal: i64, stage: &str, day: i8) -> StageEntry {
        StageEntry {
            deal,
            sequence,
            at: jiff::civil::date(2026, 1, day)
                .to_zoned(jiff::tz::TimeZone::UTC)
                .map(|z| z.timestamp())
                .unwrap_or_else(|_| unreachable!("a valid day")),
            stage: stage.into(),
        }
    }

    #[test]
    fn moves_and_stays_come_from_consecutive_stage_entries() {
        // Deal 1: Lead 10 days, Proposal 20 days, then Won (still there). Deal 2: Lead 4 days,
        // then Proposal (still there).
        let entries = vec![
            entry(1, 1, "Lead", 1),
            entry(2, 1, "Proposal", 11),
            entry(3, 1, "Won", 31),
            entry(4, 2, "Lead", 1),
            entry(5, 2, "Proposal", 5),
        ];
        let order: Vec<String> = ["Lead", "Proposal", "Won", "Lost"].map(String::from).into();
        let flow = stage_flow(&entries, &order);
        assert_eq!(flow.stages, ["Lead", "Proposal", "Won"]);
        assert_eq!(
            flow.moves,
            [
                StageMove {
                    from: "Lead".into(),
                    to: "Proposal".into(),
                    deals: 2
                },
                StageMove {
                    from: "Proposal".into(),
                    to: "Won".into(),
                    deals: 1
                },
            ]
        );
        // Lead: stays of 10 and 4 days, median 7, mean 7; Proposal: one stay of 20 days.
        assert_eq!(
            flow.times,
            [
                StageTime {
                    stage: "Lead".into(),
                    stays: 2,
                    median_days: 7.0,
                    mean_days: 7.0
                },
                StageTime {
                    stage: "Proposal".into(),
                    stays: 1,
                    median_days: 20.0,
                    mean_days: 20.0
                },
            ]
        );
    }

    #[test]
    fn entries_at_the_same_moment_keep_the_history_order() {
        let entries = vec![entry(2, 1, "Proposal", 1), entry(1, 1, "Lead", 1)];
        let flow = stage_flow(&entries, &[]);
        assert_eq!(flow.moves[0].from, "Lead");
        assert_eq!(flow.times[0].median_days, 0.0);
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&[]), 0.0);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
    }
}
