//! Pipeline analytics from the deal history: how deals move between stages, how long they
//! stay in each, and how many of those that reach a stage go further and are won
//! (docs/domain.md, "Business-development measures").

use std::collections::{BTreeMap, HashMap};

use crate::pipeline::StageOutcome;

/// A deal entering a stage: which deal, when, in which order of the history, and the stage.
#[derive(Debug, Clone, PartialEq)]
pub struct StageEntry<'a> {
    pub deal: i64,
    /// The history's own order, which breaks ties between entries at the same moment.
    pub sequence: i64,
    pub at: jiff::Timestamp,
    pub stage: &'a str,
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
    /// The stage closes a deal (won or lost): time there is a contract's life or a lost
    /// deal's rest, not time spent selling.
    pub closed: bool,
    pub stays: usize,
    pub median_days: f64,
    pub mean_days: f64,
}

/// Of the deals that reached one open stage, how many went further and how they ended.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StageConversion {
    pub stage: String,
    /// Deals that entered the stage at least once.
    pub reached: u64,
    /// Of those, deals that afterwards entered a stage further along the pipeline or a won
    /// stage (skipping stages counts as moving on; a loss does not).
    pub moved_on: u64,
    /// Of those that reached it, deals whose latest stage is a won stage.
    pub won: u64,
    /// Of those that reached it, deals whose latest stage is a lost stage.
    pub lost: u64,
}

impl StageConversion {
    /// The share of deals that reached the stage and moved on from it.
    pub fn conversion(&self) -> Option<f64> {
        share(self.moved_on, self.reached)
    }

    /// The share won among the decided deals that passed through the stage.
    pub fn win_rate(&self) -> Option<f64> {
        share(self.won, self.won + self.lost)
    }

    /// Deals that reached the stage and are neither won nor lost yet.
    pub fn open(&self) -> u64 {
        self.reached - self.won - self.lost
    }
}

fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Stage moves, largest first, the time in each stage and the conversion from each open
/// stage, in the pipeline's order.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct StageFlow {
    /// The stages that appear, in `order` (then any the order does not know).
    pub stages: Vec<String>,
    pub moves: Vec<StageMove>,
    pub times: Vec<StageTime>,
    /// One line per open stage some deal reached, in the pipeline's order.
    pub conversion: Vec<StageConversion>,
    /// Deals whose latest stage is won, and lost.
    pub won: u64,
    pub lost: u64,
}

impl StageFlow {
    /// The share won among decided deals.
    pub fn win_rate(&self) -> Option<f64> {
        share(self.won, self.won + self.lost)
    }
}

/// A stage in the pipelines' order, and whether it is open or closes a deal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderedStage {
    pub name: String,
    pub outcome: StageOutcome,
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
/// ended (the deal's current stage) does not count. `order` is the pipelines' stages in
/// order; a stage it does not know counts as open and comes after those it knows, in the
/// order the entries first name it. A deal is won or lost by the outcome of its latest stage.
pub fn stage_flow(entries: &[StageEntry<'_>], order: &[OrderedStage]) -> StageFlow {
    // Stages by their place: `order`'s first, then the others as the entries name them.
    let mut names: Vec<&str> = Vec::new();
    let mut outcomes: Vec<StageOutcome> = Vec::new();
    let mut place: HashMap<&str, usize> = HashMap::new();
    for stage in order {
        if !place.contains_key(stage.name.as_str()) {
            place.insert(&stage.name, names.len());
            names.push(&stage.name);
            outcomes.push(stage.outcome);
        }
    }
    // Each deal's entries as (time, history order, stage's place).
    let mut by_deal: BTreeMap<i64, Vec<(jiff::Timestamp, i64, usize)>> = BTreeMap::new();
    for entry in entries {
        let at = match place.get(entry.stage) {
            Some(at) => *at,
            None => {
                place.insert(entry.stage, names.len());
                names.push(entry.stage);
                outcomes.push(StageOutcome::Open);
                names.len() - 1
            }
        };
        by_deal
            .entry(entry.deal)
            .or_default()
            .push((entry.at, entry.sequence, at));
    }
    let n = names.len();
    let mut moves: HashMap<(usize, usize), u64> = HashMap::new();
    let mut stays: Vec<Vec<f64>> = vec![Vec::new(); n];
    let mut reached: Vec<StageConversion> = names
        .iter()
        .map(|name| StageConversion {
            stage: (*name).to_owned(),
            reached: 0,
            moved_on: 0,
            won: 0,
            lost: 0,
        })
        .collect();
    let (mut won, mut lost) = (0, 0);
    let mut seen = vec![false; n];
    for changes in by_deal.values_mut() {
        changes.sort_unstable_by_key(|&(at, sequence, _)| (at, sequence));
        for pair in changes.windows(2) {
            let ((entered, _, from), (left, _, to)) = (pair[0], pair[1]);
            *moves.entry((from, to)).or_default() += 1;
            stays[from].push(left.duration_since(entered).as_secs_f64() / 86_400.0);
        }
        let last = changes.last().map(|&(_, _, stage)| outcomes[stage]);
        let (is_won, is_lost) = (
            last == Some(StageOutcome::Won),
            last == Some(StageOutcome::Lost),
        );
        won += u64::from(is_won);
        lost += u64::from(is_lost);
        seen.fill(false);
        for (i, &(_, _, here)) in changes.iter().enumerate() {
            if std::mem::replace(&mut seen[here], true) || outcomes[here] != StageOutcome::Open {
                continue;
            }
            let moved_on = changes[i + 1..]
                .iter()
                .any(|&(_, _, later)| match outcomes[later] {
                    StageOutcome::Won => true,
                    StageOutcome::Lost => false,
                    StageOutcome::Open => later > here,
                });
            let line = &mut reached[here];
            line.reached += 1;
            line.moved_on += u64::from(moved_on);
            line.won += u64::from(is_won);
            line.lost += u64::from(is_lost);
        }
    }
    let appears: Vec<bool> = (0..n)
        .map(|i| moves.keys().any(|&(a, b)| a == i || b == i))
        .collect();
    let mut listed: Vec<StageMove> = moves
        .into_iter()
        .map(|((from, to), deals)| StageMove {
            from: names[from].to_owned(),
            to: names[to].to_owned(),
            deals,
        })
        .collect();
    listed.sort_by(|a, b| {
        b.deals
            .cmp(&a.deals)
            .then_with(|| a.from.cmp(&b.from))
            .then_with(|| a.to.cmp(&b.to))
    });
    let times = (0..n)
        .filter(|&i| appears[i] && !stays[i].is_empty())
        .map(|i| {
            let days = &stays[i];
            StageTime {
                stage: names[i].to_owned(),
                closed: outcomes[i] != StageOutcome::Open,
                stays: days.len(),
                median_days: median(days),
                mean_days: days.iter().sum::<f64>() / days.len() as f64,
            }
        })
        .collect();
    StageFlow {
        stages: (0..n)
            .filter(|&i| appears[i])
            .map(|i| names[i].to_owned())
            .collect(),
        moves: listed,
        times,
        conversion: reached
            .into_iter()
            .filter(|line| line.reached > 0)
            .collect(),
        won,
        lost,
    }
}

/// A tracked field of a deal as its history recorded it at a moment.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackedEntry<'a> {
    pub deal: i64,
    /// The history's own order, which breaks ties between entries at the same moment.
    pub sequence: i64,
    pub at: jiff::Timestamp,
    /// `stage`, `amount`, `probability` (others are passed over).
    pub field: &'a str,
    /// The value set: a stage's name, an amount in major units (`24000.00`), a share (`0.3`).
    pub value: Option<&'a str>,
}

/// The open pipeline at a moment: deals in an open stage, their amounts, and the amounts
/// weighted by probability.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct PipelineAt {
    pub deals: u64,
    pub amount: f64,
    pub weighted: f64,
}

/// The open pipeline as the deal history says it stood at `at`: each deal whose history began
/// by then, with the stage, amount and own probability last recorded by then. A deal counts
/// when that stage is open (`stages` gives each stage's outcome and default probability; one
/// it does not know counts as open at 0%), weighted by its own probability, else its stage's.
/// An unknown amount counts as zero, as the dashboard counts it today.
pub fn pipeline_at(
    entries: &[TrackedEntry<'_>],
    at: jiff::Timestamp,
    stages: &HashMap<&str, (StageOutcome, f64)>,
) -> PipelineAt {
    #[derive(Default)]
    struct Past<'a> {
        stage: Option<&'a str>,
        amount: Option<f64>,
        probability: Option<f64>,
        /// The (time, order) each field was last set at.
        set: [(Option<jiff::Timestamp>, i64); 3],
    }
    let mut deals: BTreeMap<i64, Past<'_>> = BTreeMap::new();
    for entry in entries.iter().filter(|e| e.at <= at) {
        let slot = match entry.field {
            "stage" => 0,
            "amount" => 1,
            "probability" => 2,
            _ => continue,
        };
        let past = deals.entry(entry.deal).or_default();
        let moment = (Some(entry.at), entry.sequence);
        if moment < past.set[slot] {
            continue;
        }
        past.set[slot] = moment;
        let number = || entry.value.and_then(|v| v.trim().parse::<f64>().ok());
        match slot {
            0 => past.stage = entry.value,
            1 => past.amount = number(),
            _ => past.probability = number(),
        }
    }
    let mut total = PipelineAt::default();
    for past in deals.values() {
        let Some(stage) = past.stage else { continue };
        let (outcome, default) = stages
            .get(stage)
            .copied()
            .unwrap_or((StageOutcome::Open, 0.0));
        if outcome != StageOutcome::Open {
            continue;
        }
        let amount = past.amount.unwrap_or(0.0);
        total.deals += 1;
        total.amount += amount;
        total.weighted += amount * past.probability.unwrap_or(default);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(sequence: i64, deal: i64, stage: &str, day: i8) -> StageEntry<'_> {
        StageEntry {
            deal,
            sequence,
            at: jiff::civil::date(2026, 1, day)
                .to_zoned(jiff::tz::TimeZone::UTC)
                .map(|z| z.timestamp())
                .unwrap_or_else(|_| unreachable!("a valid day")),
            stage,
        }
    }

    /// Lead, Proposal, Won, Lost, in that order.
    fn order() -> Vec<OrderedStage> {
        [
            ("Lead", StageOutcome::Open),
            ("Proposal", StageOutcome::Open),
            ("Won", StageOutcome::Won),
            ("Lost", StageOutcome::Lost),
        ]
        .map(|(name, outcome)| OrderedStage {
            name: name.into(),
            outcome,
        })
        .into()
    }

    fn line(stage: &str, reached: u64, moved_on: u64, won: u64, lost: u64) -> StageConversion {
        StageConversion {
            stage: stage.into(),
            reached,
            moved_on,
            won,
            lost,
        }
    }

    #[test]
    fn conversion_follows_each_deal_from_the_stages_it_reached_to_its_latest_stage() {
        // 1: Lead → Proposal → Won. 2: Lead → Won (skips Proposal). 3: Lead → Lost.
        // 4: Lead → Proposal → Lead (moved back, still open). 5: Proposal → Lost.
        // 6: Lead → Proposal → Won → Lost (reopened and lost: lost by its latest stage).
        let entries = vec![
            entry(1, 1, "Lead", 1),
            entry(2, 1, "Proposal", 2),
            entry(3, 1, "Won", 3),
            entry(4, 2, "Lead", 1),
            entry(5, 2, "Won", 4),
            entry(6, 3, "Lead", 1),
            entry(7, 3, "Lost", 2),
            entry(8, 4, "Lead", 1),
            entry(9, 4, "Proposal", 2),
            entry(10, 4, "Lead", 3),
            entry(11, 5, "Proposal", 1),
            entry(12, 5, "Lost", 9),
            entry(13, 6, "Lead", 1),
            entry(14, 6, "Proposal", 2),
            entry(15, 6, "Won", 3),
            entry(16, 6, "Lost", 4),
        ];
        let flow = stage_flow(&entries, &order());
        // Lead: reached by 1, 2, 3, 4, 6; moved on: 1, 2, 4, 6 (Proposal or Won after it),
        // not 3; won: 1, 2; lost: 3, 6; open: 4.
        // Proposal: reached by 1, 4, 5, 6; moved on: 1, 6 (Won after it); won 1; lost 5, 6.
        assert_eq!(
            flow.conversion,
            [line("Lead", 5, 4, 2, 2), line("Proposal", 4, 2, 1, 2)]
        );
        assert_eq!(flow.conversion[0].conversion(), Some(0.8));
        assert_eq!(flow.conversion[0].win_rate(), Some(0.5));
        assert_eq!(flow.conversion[0].open(), 1);
        assert_eq!(flow.conversion[1].conversion(), Some(0.5));
        assert_eq!(flow.conversion[1].win_rate(), Some(1.0 / 3.0));
        // Deals won: 1, 2; lost: 3, 5, 6.
        assert_eq!((flow.won, flow.lost), (2, 3));
        assert_eq!(flow.win_rate(), Some(0.4));
        // The won stage's stay (deal 6, one day) is marked as after the sale.
        let won = flow.times.iter().find(|t| t.stage == "Won");
        assert_eq!(won.map(|t| (t.closed, t.stays)), Some((true, 1)));
    }

    #[test]
    fn the_pipeline_of_a_past_moment_has_the_stages_amounts_and_probabilities_of_then() {
        let tracked =
            |sequence: i64, deal: i64, day: i8, field: &'static str, value: &'static str| {
                TrackedEntry {
                    deal,
                    sequence,
                    at: entry(sequence, deal, "", day).at,
                    field,
                    value: Some(value),
                }
            };
        // Deal 1: Lead at $10,000 on the 1st, raised to $20,000 on the 10th.
        // Deal 2: Proposal at $8,000 with its own 50% on the 2nd, won on the 5th.
        // Deal 3: Lead at $4,000 on the 12th (after the 6th).
        let entries = vec![
            tracked(1, 1, 1, "stage", "Lead"),
            tracked(2, 1, 1, "amount", "10000.00"),
            tracked(3, 2, 2, "stage", "Proposal"),
            tracked(4, 2, 2, "amount", "8000.00"),
            tracked(5, 2, 2, "probability", "0.5"),
            tracked(6, 2, 5, "stage", "Won"),
            tracked(7, 1, 10, "amount", "20000.00"),
            tracked(8, 3, 12, "stage", "Lead"),
            tracked(9, 3, 12, "amount", "4000.00"),
            tracked(10, 3, 12, "close_date", "2026-03-01"),
        ];
        let stages: HashMap<&str, (StageOutcome, f64)> = [
            ("Lead", (StageOutcome::Open, 0.1)),
            ("Proposal", (StageOutcome::Open, 0.6)),
            ("Won", (StageOutcome::Won, 1.0)),
        ]
        .into();
        let on = |day: i8| entry(0, 0, "", day).at;
        // On the 3rd: deal 1 ($10,000 at Lead's 10%) and deal 2 ($8,000 at its own 50%).
        assert_eq!(
            pipeline_at(&entries, on(3), &stages),
            PipelineAt {
                deals: 2,
                amount: 18_000.0,
                weighted: 1_000.0 + 4_000.0
            }
        );
        // On the 6th deal 2 is won; on the 20th deal 1 is $20,000 and deal 3 has come.
        assert_eq!(
            pipeline_at(&entries, on(6), &stages),
            PipelineAt {
                deals: 1,
                amount: 10_000.0,
                weighted: 1_000.0
            }
        );
        assert_eq!(
            pipeline_at(&entries, on(20), &stages),
            PipelineAt {
                deals: 2,
                amount: 24_000.0,
                weighted: 2_000.0 + 400.0
            }
        );
        assert_eq!(
            pipeline_at(
                &entries,
                on(1) - jiff::SignedDuration::from_secs(1),
                &stages
            ),
            PipelineAt::default()
        );
    }

    #[test]
    fn no_deals_have_no_rates() {
        let flow = stage_flow(&[], &order());
        assert!(flow.conversion.is_empty());
        assert_eq!(flow.win_rate(), None);
        assert_eq!(line("Lead", 0, 0, 0, 0).conversion(), None);
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
        let flow = stage_flow(&entries, &order());
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
                    closed: false,
                    stays: 2,
                    median_days: 7.0,
                    mean_days: 7.0
                },
                StageTime {
                    stage: "Proposal".into(),
                    closed: false,
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
