//! The pessimistic and optimistic scenarios: Monte Carlo runs in which each active deal
//! closes or not, as a whole, with its probability.

use super::*;

/// How the Monte Carlo scenarios are drawn.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MonteCarlo {
    pub runs: u32,
    pub seed: u64,
    /// The pessimistic and optimistic percentiles, e.g. 10 and 90.
    pub low: f64,
    pub high: f64,
}

impl Default for MonteCarlo {
    fn default() -> Self {
        MonteCarlo {
            runs: 10_000,
            seed: 20_260_301,
            low: 10.0,
            high: 90.0,
        }
    }
}

/// Runs drawn with one random stream: the unit of work handed to a thread. Every chunk has its
/// own stream of the seed, so the draws do not depend on how many threads there are.
const RUNS_PER_CHUNK: usize = 250;

/// The `q`th percentile of sorted values, interpolating linearly between order statistics.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let h = (sorted.len() - 1) as f64 * (q / 100.0).clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// [`percentile`] of values in any order, without sorting them: the two order statistics it
/// interpolates between are selected in linear time (the values are reordered).
pub fn percentile_of(values: &mut [f64], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let h = (values.len() - 1) as f64 * (q / 100.0).clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let (_, &mut at_lo, above) = values.select_nth_unstable_by(lo, f64::total_cmp);
    let at_hi = above
        .iter()
        .copied()
        .min_by(f64::total_cmp)
        .unwrap_or(at_lo);
    at_lo + (h - lo as f64) * (at_hi - at_lo)
}

/// The monthly revenue of every Monte Carlo run: `runs × months` values, run by run.
#[derive(Debug, Clone, PartialEq)]
pub struct Runs {
    pub months: usize,
    values: Vec<f64>,
}

impl Runs {
    /// Runs of `months` months each, from their values run by run.
    pub fn of(months: usize, values: Vec<f64>) -> Runs {
        Runs { months, values }
    }

    /// How many runs there are.
    pub fn count(&self) -> usize {
        self.values.len() / self.months.max(1)
    }

    /// Each run's monthly revenue.
    pub fn each(&self) -> impl Iterator<Item = &[f64]> {
        self.values.chunks(self.months.max(1))
    }

    /// The `low` and `high` percentiles of each month over the runs, rounded.
    pub fn percentiles(&self, low: f64, high: f64) -> (Vec<f64>, Vec<f64>) {
        let (n, runs) = (self.months, self.count());
        let mut lows = Vec::with_capacity(n);
        let mut highs = Vec::with_capacity(n);
        let mut column = vec![0.0; runs];
        for m in 0..n {
            for (r, value) in column.iter_mut().enumerate() {
                *value = self.values[r * n + m];
            }
            lows.push(round(percentile_of(&mut column, low)));
            highs.push(round(percentile_of(&mut column, high)));
        }
        (lows, highs)
    }

    /// Each run's runway under `cash`: the months before its balance first falls below zero
    /// (all of them when it never does).
    pub fn runways(&self, cash: &Cash) -> Vec<u32> {
        self.each().map(|run| cash.runway(run)).collect()
    }
}

/// What a run's revenue is weighed against: the cash at the start, each month's costs and
/// the sponsor's fee on revenue, and committed revenue added to every run from a month on.
#[derive(Debug, Clone, PartialEq)]
pub struct Cash {
    pub net_assets: f64,
    /// Costs of each month from the forecast's start; past the end, the last month's.
    pub costs: Vec<f64>,
    pub fee: f64,
    /// Committed revenue added to every month from `extra_from` (a month index) on.
    pub extra: f64,
    pub extra_from: usize,
    /// The months the runway is counted over: past a run's last month no revenue comes in
    /// but the costs go on. (A forecast's months end with its last deal.)
    pub horizon: usize,
}

impl Cash {
    /// The months before the balance first falls below zero with `revenue` month by month:
    /// each month adds R − (C + R × f).
    pub fn runway(&self, revenue: &[f64]) -> u32 {
        let mut balance = self.net_assets;
        let last = self.costs.last().copied().unwrap_or(0.0);
        let months = self.horizon.max(revenue.len());
        for m in 0..months {
            let r = revenue.get(m).copied().unwrap_or(0.0)
                + if m >= self.extra_from {
                    self.extra
                } else {
                    0.0
                };
            let c = self.costs.get(m).copied().unwrap_or(last);
            balance += r - (c + r * self.fee);
            if balance < 0.0 {
                return m as u32;
            }
        }
        months as u32
    }
}

/// The runway over the runs: its P10, P50 and P90 in months, and the probability that cash
/// stays at or above zero for the next twelve months.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct RunwayDistribution {
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
    pub solvent_12: f64,
    /// Months the forecast holds: no runway can be longer.
    pub horizon: u32,
}

impl RunwayDistribution {
    pub fn of(runways: &[u32], horizon: u32) -> Self {
        let mut values: Vec<f64> = runways.iter().map(|r| f64::from(*r)).collect();
        RunwayDistribution {
            p10: percentile_of(&mut values, 10.0),
            p50: percentile_of(&mut values, 50.0),
            p90: percentile_of(&mut values, 90.0),
            solvent_12: solvent_through(runways, 12),
            horizon,
        }
    }
}

/// The share of runs whose cash stays at or above zero for the first `months` months.
pub fn solvent_through(runways: &[u32], months: u32) -> f64 {
    if runways.is_empty() {
        return 0.0;
    }
    runways.iter().filter(|r| **r >= months).count() as f64 / runways.len() as f64
}

impl Forecast {
    /// The pessimistic and optimistic rows: percentiles over Monte Carlo runs in which every
    /// active deal closes or not, as a whole, with its probability (committed deals always),
    /// and contributes its projection rate to each of its months.
    pub fn scenarios(&self, mc: &MonteCarlo) -> (Vec<f64>, Vec<f64>) {
        self.runs(mc).percentiles(mc.low, mc.high)
    }

    /// [`Forecast::scenarios`] on at most `threads` threads; the result does not depend on it.
    pub fn scenarios_on(&self, mc: &MonteCarlo, threads: usize) -> (Vec<f64>, Vec<f64>) {
        self.runs_on(mc, threads).percentiles(mc.low, mc.high)
    }

    /// The Monte Carlo runs on every core.
    pub fn runs(&self, mc: &MonteCarlo) -> Runs {
        let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
        self.runs_on(mc, threads)
    }

    /// The Monte Carlo runs, drawn on at most `threads` threads; the runs do not depend on
    /// it. A run costs O(deals + months): a deal adds its rate to a difference array at its
    /// first month and takes it away after its last; one prefix sum gives the run's months.
    pub fn runs_on(&self, mc: &MonteCarlo, threads: usize) -> Runs {
        let (runs, _) = draw_runs(&self.draws(), None, mc, threads);
        runs
    }

    /// The runs of this forecast and of `other`, a scenario of it, drawn together on at most
    /// `threads` threads (common random numbers): a deal both hold (by id) that closes in a
    /// run of one closes in the same run of the other, so what differs between them is the
    /// changes', not the draws'. This forecast's runs are exactly [`Forecast::runs_on`]'s;
    /// deals only `other` draws (new, or certain here) have streams of their own.
    pub fn paired_runs_on(
        &self,
        other: &Forecast,
        mc: &MonteCarlo,
        threads: usize,
    ) -> (Runs, Runs) {
        let mine = self.draws();
        let theirs = other.draws();
        if mine.months == 0 || theirs.months == 0 {
            return (
                draw_runs(&mine, None, mc, threads).0,
                draw_runs(&theirs, None, mc, threads).0,
            );
        }
        let mut position: std::collections::HashMap<&str, usize> = mine
            .ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        let mut paired: Vec<Option<Uncertain>> = vec![None; mine.uncertain.len()];
        let mut own = Vec::new();
        for (u, id) in theirs.uncertain.iter().zip(&theirs.ids) {
            match position.remove(id.as_str()) {
                Some(i) => paired[i] = Some(*u),
                None => own.push(*u),
            }
        }
        let pair = Pair {
            draws: &theirs,
            paired: &paired,
            own: &own,
        };
        let (runs, other_runs) = draw_runs(&mine, Some(pair), mc, threads);
        let other_runs = other_runs.unwrap_or_else(|| Runs::of(theirs.months, Vec::new()));
        (runs, other_runs)
    }

    /// What the runs start from: the committed deals' difference array, and the deals that
    /// close in a run or not, with their ids.
    fn draws(&self) -> Draws {
        let n = self.months.len();
        let first = self.start;
        let span = |d: &Derived| -> Option<(usize, usize)> {
            let (s, e) = (Month::of(d.start?), Month::of(d.end?));
            let from = first.until(s).max(0) as usize;
            let to = (first.until(e) + 1).max(0) as usize;
            (from < to.min(n)).then_some((from, to.min(n)))
        };
        let mut draws = Draws {
            months: n,
            base: vec![0.0; n + 1],
            uncertain: Vec::new(),
            ids: Vec::new(),
        };
        for (_, deal, d) in self.active() {
            let Some((from, to)) = span(d) else { continue };
            if d.projection_rate == 0.0 || deal.probability <= 0.0 {
                continue;
            }
            if deal.probability >= 1.0 {
                draws.base[from] += d.projection_rate;
                draws.base[to] -= d.projection_rate;
            } else {
                draws.uncertain.push(Uncertain {
                    from,
                    to,
                    rate: d.projection_rate,
                    below: below(deal.probability),
                });
                draws.ids.push(deal.id.clone());
            }
        }
        draws
    }
}

/// A deal that closes in a run or not: its months `from..to` of the forecast, its projection
/// rate, and the draw it closes below.
#[derive(Debug, Clone, Copy)]
struct Uncertain {
    from: usize,
    to: usize,
    rate: f64,
    below: u64,
}

/// What a forecast's runs start from ([`Forecast::draws`]).
struct Draws {
    months: usize,
    base: Vec<f64>,
    uncertain: Vec<Uncertain>,
    ids: Vec<String>,
}

/// A scenario drawn beside a forecast: its own starting point, each of the forecast's
/// uncertain deals as the scenario holds it (none when it does not), and its deals drawn from
/// their own streams.
struct Pair<'a> {
    draws: &'a Draws,
    paired: &'a [Option<Uncertain>],
    own: &'a [Uncertain],
}

/// A draw is the top 53 bits of a 64-bit output: as a fraction of 2⁵³ it is the uniform
/// number in [0, 1) the random-number library makes of it, and it is below `p` exactly when
/// the whole number is below ⌈p × 2⁵³⌉, which spares the conversion in the innermost loop.
fn below(p: f64) -> u64 {
    (p * TWO_53).ceil() as u64
}

const TWO_53: f64 = 9_007_199_254_740_992.0;

/// The stream of a chunk's runs for the deals only a scenario has, apart from the forecast's.
const OWN_STREAMS: u64 = 1 << 63;

/// A chunk of runs: its index (its streams), the forecast's values and the scenario's.
type Chunk<'a> = (usize, &'a mut [f64], Option<&'a mut [f64]>);

fn draw_runs(
    mine: &Draws,
    pair: Option<Pair<'_>>,
    mc: &MonteCarlo,
    threads: usize,
) -> (Runs, Option<Runs>) {
    use rand::{RngExt, SeedableRng};

    fn run_into(out: &mut [f64], diff: &[f64]) {
        let mut total = 0.0;
        for (value, step) in out.iter_mut().zip(diff) {
            total += step;
            *value = total;
        }
    }
    let runs = mc.runs.max(1) as usize;
    let n = mine.months;
    let m = pair.as_ref().map_or(0, |p| p.draws.months);
    let mut results = vec![0.0; runs * n];
    let mut other = vec![0.0; if pair.is_some() { runs * m } else { 0 }];
    let mut theirs = other.chunks_mut(RUNS_PER_CHUNK * m.max(1));
    let chunks: Vec<Chunk<'_>> = results
        .chunks_mut(RUNS_PER_CHUNK * n.max(1))
        .enumerate()
        .map(|(i, out)| (i, out, theirs.next()))
        .collect();
    let draw = |(index, out, their_out): Chunk<'_>| {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(mc.seed);
        rng.set_stream(index as u64);
        let mut diff = vec![0.0; n + 1];
        let count = out.len() / n.max(1);
        match (&pair, their_out) {
            (Some(pair), Some(their_out)) => {
                let mut own_rng = rand_chacha::ChaCha8Rng::seed_from_u64(mc.seed);
                own_rng.set_stream(OWN_STREAMS | index as u64);
                let mut their_diff = vec![0.0; m + 1];
                for run in 0..count {
                    diff.copy_from_slice(&mine.base);
                    their_diff.copy_from_slice(&pair.draws.base);
                    for (u, p) in mine.uncertain.iter().zip(pair.paired) {
                        let x = rng.random::<u64>() >> 11;
                        if x < u.below {
                            diff[u.from] += u.rate;
                            diff[u.to] -= u.rate;
                        }
                        if let Some(p) = p
                            && x < p.below
                        {
                            their_diff[p.from] += p.rate;
                            their_diff[p.to] -= p.rate;
                        }
                    }
                    for u in pair.own {
                        if own_rng.random::<u64>() >> 11 < u.below {
                            their_diff[u.from] += u.rate;
                            their_diff[u.to] -= u.rate;
                        }
                    }
                    run_into(&mut out[run * n..(run + 1) * n], &diff);
                    run_into(&mut their_out[run * m..(run + 1) * m], &their_diff);
                }
            }
            _ => {
                for run in out.chunks_mut(n.max(1)) {
                    diff.copy_from_slice(&mine.base);
                    for u in &mine.uncertain {
                        if rng.random::<u64>() >> 11 < u.below {
                            diff[u.from] += u.rate;
                            diff[u.to] -= u.rate;
                        }
                    }
                    run_into(run, &diff);
                }
            }
        }
    };
    let threads = threads.min(chunks.len()).max(1);
    if threads == 1 {
        chunks.into_iter().for_each(draw);
    } else {
        let mut lanes: Vec<Vec<Chunk<'_>>> = (0..threads).map(|_| Vec::new()).collect();
        for (i, chunk) in chunks.into_iter().enumerate() {
            lanes[i % threads].push(chunk);
        }
        std::thread::scope(|scope| {
            for lane in lanes {
                scope.spawn(|| lane.into_iter().for_each(draw));
            }
        });
    }
    let paired = pair.map(|_| Runs::of(m, other));
    (
        Runs {
            months: n,
            values: results,
        },
        paired,
    )
}

/// "Can we hire?": whether the cash stays at or above zero for the twelve months after a
/// hire's start in at least `confidence` of the runs, with and without the hire, and when it
/// does not, the earliest later start that meets it and the committed revenue that would.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct HireAnswer {
    /// The share of runs whose cash stays ≥ 0 through the twelve months after the start.
    pub with_hire: f64,
    pub without_hire: f64,
    pub affordable: bool,
    /// The earliest start (months from the forecast's start, within the next 24) that meets
    /// the confidence, when the proposed one does not.
    pub earliest_start: Option<usize>,
    /// The smallest additional committed monthly revenue (to the nearest $100 up) that makes
    /// the proposed start meet the confidence, when it does not; none when no amount up to
    /// $100,000,000 a month would.
    pub revenue_needed: Option<f64>,
}

/// A hire: its cost a month, from its start (a month index) to before its end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hire {
    pub monthly_cost: f64,
    pub start: usize,
    pub end: Option<usize>,
}

impl Cash {
    /// These costs with `hire`'s added, over `months` months.
    pub fn with_hire(&self, hire: &Hire, months: usize) -> Cash {
        let last = self.costs.last().copied().unwrap_or(0.0);
        let costs = (0..months.max(self.costs.len()))
            .map(|m| {
                let base = self.costs.get(m).copied().unwrap_or(last);
                let on = m >= hire.start && hire.end.is_none_or(|end| m < end);
                base + if on { hire.monthly_cost } else { 0.0 }
            })
            .collect();
        Cash {
            costs,
            ..self.clone()
        }
    }
}

/// The answer to "can we hire?" on `runs`, with `cash` before the hire.
pub fn can_we_hire(runs: &Runs, cash: &Cash, hire: &Hire, confidence: f64) -> HireAnswer {
    let months = runs.months.max(cash.horizon);
    let solvent = |cash: &Cash, start: usize| {
        solvent_through(
            &runs.runways(cash),
            (start + 12).min(u32::MAX as usize) as u32,
        )
    };
    let with = cash.with_hire(hire, months);
    let with_hire = solvent(&with, hire.start);
    let without_hire = solvent(cash, hire.start);
    let affordable = with_hire >= confidence;
    if affordable {
        return HireAnswer {
            with_hire,
            without_hire,
            affordable,
            earliest_start: None,
            revenue_needed: None,
        };
    }
    let earliest_start = (hire.start + 1..24).find(|&start| {
        let later = Hire {
            start,
            end: hire.end.map(|end| end + (start - hire.start)),
            ..*hire
        };
        solvent(&cash.with_hire(&later, months), start) >= confidence
    });
    // Bisection in hundreds of dollars on the same runs.
    let meets = |hundreds: u64| {
        let extra = Cash {
            extra: hundreds as f64 * 100.0,
            extra_from: 0,
            ..with.clone()
        };
        solvent(&extra, hire.start) >= confidence
    };
    const MOST: u64 = 1_000_000; // $100,000,000 a month
    let revenue_needed = meets(MOST).then(|| {
        let (mut lo, mut hi) = (0_u64, MOST);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if meets(mid) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        hi as f64 * 100.0
    });
    HireAnswer {
        with_hire,
        without_hire,
        affordable,
        earliest_start,
        revenue_needed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Selecting the order statistics gives the percentile of the sorted values exactly.
        #[test]
        fn a_percentile_without_sorting_is_the_sorted_one(
            mut values in proptest::collection::vec(-1e9_f64..1e9, 0..300),
            q in 0.0_f64..=100.0,
        ) {
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            proptest::prop_assert_eq!(
                percentile_of(&mut values, q).to_bits(),
                percentile(&sorted, q).to_bits()
            );
        }
    }

    fn on(y: i16, m: i8, d: i8) -> crate::Date {
        crate::Date::new(y, m, d).unwrap_or(crate::Date::MIN)
    }

    /// A deal of `monthly` dollars a month over the 36 months from March 2026.
    fn deal(id: &str, monthly: f64, probability: f64) -> ForecastDeal {
        let won = probability >= 1.0;
        ForecastDeal {
            active_won: won,
            id: id.into(),
            name: id.into(),
            revenue_type: Some("membership".into()),
            stage: if won { "Closed Won" } else { "Proposal" }.into(),
            outcome: if won {
                crate::pipeline::StageOutcome::Won
            } else {
                crate::pipeline::StageOutcome::Open
            },
            probability,
            amount: Some(monthly * 36.0),
            collected: None,
            typed_collected: None,
            contract_start: Some(on(2026, 3, 1)),
            contract_end: Some(on(2029, 2, 28)),
            target_start: None,
            target_end: None,
            renewal: false,
        }
    }

    #[test]
    fn the_runway_over_the_runs_of_three_deals_is_the_enumerated_one() {
        // $10,000 of cash and $5,000 of costs a month, no fee. Committed $2,000 a month; A
        // ($2,500, p = 0.7) and B ($1,000, p = 0.4) close or not.
        // Neither (0.18): −3,000 a month, below zero in the 4th month: 3 months.
        // B only (0.12): −2,000 a month, below zero in the 6th: 5 months.
        // A only (0.42): −500 a month, below zero in the 21st: 20 months.
        // Both (0.28): +500 a month, never: the whole forecast.
        let start = Month::parse("2026-03").unwrap_or(Month::MIN);
        let f = Forecast::with_horizon(
            vec![
                deal("c", 2_000.0, 1.0),
                deal("a", 2_500.0, 0.7),
                deal("b", 1_000.0, 0.4),
            ],
            start,
            3,
        );
        let horizon = f.months.len() as u32;
        assert_eq!(horizon, 36);
        let mc = MonteCarlo {
            runs: 40_000,
            ..MonteCarlo::default()
        };
        let runs = f.runs(&mc);
        let cash = Cash {
            net_assets: 10_000.0,
            costs: vec![5_000.0],
            fee: 0.0,
            extra: 0.0,
            extra_from: 0,
            horizon: 0,
        };
        let runways = runs.runways(&cash);
        let mut counts = std::collections::BTreeMap::new();
        for r in &runways {
            *counts.entry(*r).or_insert(0_usize) += 1;
        }
        assert_eq!(counts.keys().copied().collect::<Vec<_>>(), [3, 5, 20, 36]);
        let share = |r: u32| counts[&r] as f64 / runways.len() as f64;
        for (r, p) in [(3, 0.18), (5, 0.12), (20, 0.42), (36, 0.28)] {
            assert!(
                (share(r) - p).abs() < 0.01,
                "{r} months: {} ≠ {p}",
                share(r)
            );
        }
        let d = RunwayDistribution::of(&runways, horizon);
        assert_eq!((d.p10, d.p50, d.p90), (3.0, 20.0, 36.0));
        assert!((d.solvent_12 - 0.70).abs() < 0.01, "{}", d.solvent_12);
        // The same seed on any number of threads gives the same runs.
        assert_eq!(f.runs_on(&mc, 1), f.runs_on(&mc, 3));
    }

    #[test]
    fn a_scenario_drawn_beside_its_forecast_shares_the_draws_of_the_deals_both_hold() {
        let start = Month::parse("2026-03").unwrap_or(Month::MIN);
        let deals = vec![
            deal("c", 2_000.0, 1.0),
            deal("a", 2_500.0, 0.7),
            deal("b", 1_000.0, 0.4),
        ];
        let f = Forecast::with_horizon(deals.clone(), start, 3);
        let mc = MonteCarlo {
            runs: 2_000,
            ..MonteCarlo::default()
        };
        // The forecast's own runs are untouched by the pairing, on any number of threads.
        let same = Forecast::with_horizon(deals.clone(), start, 3);
        let (mine, theirs) = f.paired_runs_on(&same, &mc, 3);
        assert_eq!(mine, f.runs_on(&mc, 1));
        assert_eq!(theirs, mine, "an unchanged scenario is the forecast");
        // Without B, each run has B's $1,000 less in the runs where B closed, and the same
        // otherwise; with a new deal D ($500, p = 0.5) drawn apart, D's runs are about half.
        let mut changed: Vec<ForecastDeal> =
            deals.iter().filter(|d| d.id != "b").cloned().collect();
        changed.push(deal("d", 500.0, 0.5));
        let g = Forecast::with_horizon(changed, start, 3);
        let (mine, theirs) = f.paired_runs_on(&g, &mc, 2);
        let mut with_d = 0;
        for (a, b) in mine.each().zip(theirs.each()) {
            let difference = b[0] - a[0];
            assert!(
                [0.0, -1_000.0, 500.0, -500.0].contains(&difference),
                "{difference}"
            );
            with_d += usize::from(difference == 500.0 || difference == -500.0);
        }
        let share = with_d as f64 / mine.count() as f64;
        assert!((share - 0.5).abs() < 0.05, "{share}");
        assert_eq!(f.paired_runs_on(&g, &mc, 1), f.paired_runs_on(&g, &mc, 3));
    }

    #[test]
    fn can_we_hire_answers_with_the_earliest_start_and_the_revenue_needed() {
        // Two runs over 30 months, $40,000 of cash, $10,000 of costs, no fee. Run 1 brings
        // $10,000 a month; run 2 $8,000 for 10 months and $12,000 after. A $3,000 hire from
        // month 2 needs cash ≥ 0 through month 13 in 90% of runs, so in both.
        let run1 = vec![10_000.0; 30];
        let run2: Vec<f64> = (0..30)
            .map(|m| if m < 10 { 8_000.0 } else { 12_000.0 })
            .collect();
        let runs = Runs::of(30, [run1, run2].concat());
        let cash = Cash {
            net_assets: 40_000.0,
            costs: vec![10_000.0],
            fee: 0.0,
            extra: 0.0,
            extra_from: 0,
            horizon: 0,
        };
        let hire = Hire {
            monthly_cost: 3_000.0,
            start: 2,
            end: None,
        };
        let answer = can_we_hire(&runs, &cash, &hire, 0.9);
        // Without the hire both runs stay solvent. With it, run 1 loses 3,000 a month from
        // month 2: 40,000 − 3,000 × 14 < 0 at month 15, solvent through 13: yes. Run 2 loses
        // 2,000 a month for months 0–1, then 5,000 for 2–9: 40,000 − 4,000 − 25,000 = 11,000
        // after month 6, −4,000 at month 9: no.
        assert_eq!(answer.without_hire, 1.0);
        assert_eq!(answer.with_hire, 0.5);
        assert!(!answer.affordable);
        // Starting in month s (≤ 10), run 2 ends month 9 at 40,000 − 2,000 s − 5,000 (10 − s)
        // = 3,000 s − 10,000 and then loses 1,000 a month (12,000 − 13,000), so at month
        // s + 11, its lowest, it holds 2,000 s − 12,000: s ≥ 6. Run 1 keeps 4,000.
        assert_eq!(answer.earliest_start, Some(6));
        // From month 2 with x more a month, run 2 holds 14x − 8,000 at month 13, its lowest
        // while x < 1,000: x ≥ 571.43, $600 to the nearest hundred up.
        assert_eq!(answer.revenue_needed, Some(600.0));
        let affordable = can_we_hire(&runs, &cash, &hire, 0.5);
        assert!(affordable.affordable);
        assert_eq!(
            (affordable.earliest_start, affordable.revenue_needed),
            (None, None)
        );
    }

    #[test]
    fn a_percentile_interpolates_between_order_statistics() {
        // Sorted: 10, 20, 30, 40, 50; the 90th percentile is at 3.6: 40 + 0.6 × 10.
        let mut values = [50.0, 10.0, 40.0, 30.0, 20.0];
        assert!((percentile_of(&mut values, 90.0) - 46.0).abs() < 1e-9);
        assert_eq!(percentile_of(&mut values, 0.0), 10.0);
        assert_eq!(percentile_of(&mut values, 100.0), 50.0);
        assert_eq!(percentile_of(&mut [], 50.0), 0.0);
    }
}
