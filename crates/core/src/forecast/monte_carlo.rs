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

impl Forecast {
    /// The pessimistic and optimistic rows: percentiles over Monte Carlo runs in which every
    /// active deal closes or not, as a whole, with its probability (committed deals always),
    /// and contributes its projection rate to each of its months. A run costs O(deals + months):
    /// a deal adds its rate to a difference array at its first month and takes it away after
    /// its last; one prefix sum gives the run's months.
    pub fn scenarios(&self, mc: &MonteCarlo) -> (Vec<f64>, Vec<f64>) {
        let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
        self.scenarios_on(mc, threads)
    }

    /// [`Forecast::scenarios`] on at most `threads` threads; the result does not depend on it.
    pub fn scenarios_on(&self, mc: &MonteCarlo, threads: usize) -> (Vec<f64>, Vec<f64>) {
        use rand::{RngExt, SeedableRng};

        let n = self.months.len();
        let first = self.start;
        let span = |d: &Derived| -> Option<(usize, usize)> {
            let (s, e) = (Month::of(d.start?), Month::of(d.end?));
            let from = first.until(s).max(0) as usize;
            let to = (first.until(e) + 1).max(0) as usize;
            (from < to.min(n)).then_some((from, to.min(n)))
        };
        let mut base = vec![0.0; n + 1];
        let mut uncertain: Vec<(usize, usize, f64, f64)> = Vec::new();
        for (_, deal, d) in self.active() {
            let Some((from, to)) = span(d) else { continue };
            if d.projection_rate == 0.0 || deal.probability <= 0.0 {
                continue;
            }
            if deal.probability >= 1.0 {
                base[from] += d.projection_rate;
                base[to] -= d.projection_rate;
            } else {
                uncertain.push((from, to, d.projection_rate, deal.probability));
            }
        }
        let runs = mc.runs.max(1) as usize;
        let mut results = vec![0.0; runs * n];
        let chunks: Vec<(usize, &mut [f64])> = results
            .chunks_mut(RUNS_PER_CHUNK * n.max(1))
            .enumerate()
            .collect();
        let draw = |(index, out): (usize, &mut [f64])| {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(mc.seed);
            rng.set_stream(index as u64);
            let mut diff = vec![0.0; n + 1];
            for run in out.chunks_mut(n.max(1)) {
                diff.copy_from_slice(&base);
                for &(from, to, rate, p) in &uncertain {
                    if rng.random::<f64>() < p {
                        diff[from] += rate;
                        diff[to] -= rate;
                    }
                }
                let mut total = 0.0;
                for (value, step) in run.iter_mut().zip(&diff) {
                    total += step;
                    *value = total;
                }
            }
        };
        let threads = threads.min(chunks.len()).max(1);
        if threads == 1 {
            chunks.into_iter().for_each(draw);
        } else {
            let mut lanes: Vec<Vec<(usize, &mut [f64])>> =
                (0..threads).map(|_| Vec::new()).collect();
            for (i, chunk) in chunks.into_iter().enumerate() {
                lanes[i % threads].push(chunk);
            }
            std::thread::scope(|scope| {
                for lane in lanes {
                    scope.spawn(|| lane.into_iter().for_each(draw));
                }
            });
        }
        let mut low = Vec::with_capacity(n);
        let mut high = Vec::with_capacity(n);
        let mut column = vec![0.0; runs];
        for m in 0..n {
            for (r, value) in column.iter_mut().enumerate() {
                *value = results[r * n + m];
            }
            low.push(round(percentile_of(&mut column, mc.low)));
            high.push(round(percentile_of(&mut column, mc.high)));
        }
        (low, high)
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
