//! Hub usage and usage-based pricing (docs/domain.md, "Usage and pricing"): monthly active users per
//! cluster, the marginal-tier fee, and the usage revenue the forecast expects.

use std::collections::BTreeMap;

use crate::forecast::round;
use crate::{Date, DealId, Month, OrganizationId};

/// A price tier: users up to `up_to` (inclusive, `None` for all the rest) cost `price` each.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Tier {
    pub up_to: Option<u32>,
    pub price: f64,
}

/// The organisation's tiers: the first 10 users $10 each, 11–100 $5, 101–1,000 $2.50,
/// 1,001–10,000 $1.25, above 10,000 free. So 280 users cost $1,000 and a month never costs
/// more than $14,050.
pub const DEFAULT_TIERS: [Tier; 5] = [
    Tier {
        up_to: Some(10),
        price: 10.0,
    },
    Tier {
        up_to: Some(100),
        price: 5.0,
    },
    Tier {
        up_to: Some(1_000),
        price: 2.5,
    },
    Tier {
        up_to: Some(10_000),
        price: 1.25,
    },
    Tier {
        up_to: None,
        price: 0.0,
    },
];

/// The fee for `users` monthly active users under marginal `tiers`; none, zero or a negative
/// count costs nothing.
pub fn fee(users: Option<i64>, tiers: &[Tier]) -> f64 {
    let Some(users) = users.filter(|u| *u > 0) else {
        return 0.0;
    };
    let mut total = 0.0;
    let mut below = 0_i64;
    for tier in tiers {
        let top = tier.up_to.map_or(users, |t| i64::from(t).min(users));
        if top > below {
            total += (top - below) as f64 * tier.price;
            below = top;
        }
        if below >= users {
            break;
        }
    }
    total
}

/// What Bearing records about a cluster or a hub besides its name: who runs it, whether it
/// serves one community alone, who owns it, the deal that pays for it, and when it ran.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UnitFields {
    /// The cloud or hosting provider, e.g. "gcp", "aws", "azure".
    pub provider: Option<String>,
    /// Dedicated to one community (`true`) or shared by several (`false`); unknown if `None`.
    pub dedicated: Option<bool>,
    pub organization: Option<OrganizationId>,
    pub deal: Option<DealId>,
    pub start: Option<Date>,
    pub end: Option<Date>,
}

impl UnitFields {
    /// The problems with these fields, as (field, message); none means they can be saved.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        if let Some(p) = &self.provider
            && p.trim().is_empty()
        {
            problems.push(("provider", "is blank: leave it out instead".to_owned()));
        }
        if let (Some(start), Some(end)) = (self.start, self.end)
            && end < start
        {
            problems.push(("end", format!("{end} is before the start, {start}")));
        }
        problems
    }

    /// Whether the unit runs in `month` (it has started by the month's end and not ended
    /// before its first day); unknown dates do not limit it.
    pub fn runs_in(&self, month: Month) -> bool {
        self.start.is_none_or(|s| Month::of(s) <= month)
            && self.end.is_none_or(|e| Month::of(e) >= month)
    }
}

/// One sample: a cluster's active users (over the last 30 days) on a day.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Sample {
    pub cluster: String,
    pub date: Date,
    pub users: i64,
}

/// Clusters left out of usage: by name substring, or for a window of dates.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Exclusions {
    /// Default "prometheus" and "hhmi".
    pub substrings: Vec<String>,
    /// (cluster substring, from, to): samples of matching clusters in [from, to] are left out.
    pub windows: Vec<(String, Date, Date)>,
}

impl Exclusions {
    pub fn organisation_default() -> Self {
        Exclusions {
            substrings: vec!["prometheus".to_owned(), "hhmi".to_owned()],
            windows: Vec::new(),
        }
    }

    pub fn excludes(&self, sample: &Sample) -> bool {
        let name = sample.cluster.to_lowercase();
        self.substrings
            .iter()
            .any(|s| name.contains(&s.to_lowercase()))
            || self.windows.iter().any(|(s, from, to)| {
                name.contains(&s.to_lowercase()) && *from <= sample.date && sample.date <= *to
            })
    }
}

/// Monthly active users: each cluster's largest sample in each month, exclusions applied.
pub fn monthly_active_users(
    samples: &[Sample],
    exclusions: &Exclusions,
) -> BTreeMap<(String, Month), i64> {
    let mut mau: BTreeMap<(String, Month), i64> = BTreeMap::new();
    for sample in samples.iter().filter(|s| !exclusions.excludes(s)) {
        let entry = mau
            .entry((sample.cluster.clone(), Month::of(sample.date)))
            .or_insert(sample.users);
        *entry = (*entry).max(sample.users);
    }
    mau
}

/// Total usage fees per month.
pub fn monthly_revenue(
    mau: &BTreeMap<(String, Month), i64>,
    tiers: &[Tier],
) -> BTreeMap<Month, f64> {
    let mut totals: BTreeMap<Month, f64> = BTreeMap::new();
    for ((_, month), users) in mau {
        *totals.entry(*month).or_default() += fee(Some(*users), tiers);
    }
    totals
}

/// The organisation's estimate of usage revenue for every month from `start`: the mean of the
/// last twelve monthly totals before it, rounded; 0 without usage data.
pub fn estimated_revenue(totals: &BTreeMap<Month, f64>, start: Month) -> f64 {
    let last: Vec<f64> = totals
        .range(..start)
        .rev()
        .take(12)
        .map(|(_, v)| *v)
        .collect();
    if last.is_empty() {
        0.0
    } else {
        round(last.iter().sum::<f64>() / last.len() as f64)
    }
}

/// Whether a community gets value from its hub now: at least [`VALUE_USERS`] active users in
/// the last two weeks, judged only where the cluster reports daily.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueSignal {
    /// At least five active users on some day of the last two weeks.
    Valued { users: i64 },
    /// Daily data, but fewer than five active users on every day.
    AtRisk { users: i64 },
    /// Too few samples in the last two weeks to say (weekly or no data).
    NoDailyData,
}

/// The users the value signal asks for.
pub const VALUE_USERS: i64 = 5;
/// Days of the last two weeks that must have a sample for the signal to count as daily data.
const DAILY_DAYS: usize = 10;

impl ValueSignal {
    /// From a cluster's daily values (date, users): the 14 days up to `today` are read; with
    /// samples on at least ten of them, the largest decides.
    pub fn of(daily: &[(Date, i64)], today: Date) -> ValueSignal {
        let Ok(first) = today.checked_sub(jiff::Span::new().days(13)) else {
            return ValueSignal::NoDailyData;
        };
        let window: BTreeMap<Date, i64> = daily
            .iter()
            .filter(|(d, _)| first <= *d && *d <= today)
            .copied()
            .collect();
        if window.len() < DAILY_DAYS {
            return ValueSignal::NoDailyData;
        }
        let users = window.values().copied().max().unwrap_or(0);
        if users >= VALUE_USERS {
            ValueSignal::Valued { users }
        } else {
            ValueSignal::AtRisk { users }
        }
    }

    pub fn describe(self) -> String {
        match self {
            ValueSignal::Valued { users } => {
                format!("valued: up to {users} active users in the last two weeks")
            }
            ValueSignal::AtRisk { users } => format!(
                "at risk: at most {users} active users in the last two weeks (fewer than {VALUE_USERS})"
            ),
            ValueSignal::NoDailyData => {
                "unknown: no daily usage data in the last two weeks".to_owned()
            }
        }
    }
}

/// Engagement: the mean MAU of the last three complete months against the twelve before.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct EngagementTrend {
    pub recent: f64,
    pub before: f64,
    /// `recent / before`; above 1.1 is growing, below 0.9 declining.
    pub ratio: f64,
}

impl EngagementTrend {
    /// From a cluster's MAU by month; `current` is the month in progress, left out. Needs at
    /// least one month in each period and some users in the earlier one.
    pub fn of(mau: &BTreeMap<Month, i64>, current: Month) -> Option<EngagementTrend> {
        let mean = |from: i32, to: i32| -> Option<f64> {
            let values: Vec<f64> = (from..=to)
                .filter_map(|back| mau.get(&current.plus(-back)?))
                .map(|v| *v as f64)
                .collect();
            (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
        };
        let recent = mean(1, 3)?;
        let before = mean(4, 15).filter(|b| *b > 0.0)?;
        Some(EngagementTrend {
            recent,
            before,
            ratio: recent / before,
        })
    }

    /// Growing, declining or steady, in a word.
    pub fn word(self) -> &'static str {
        if self.ratio > 1.1 {
            "growing"
        } else if self.ratio < 0.9 {
            "declining"
        } else {
            "steady"
        }
    }

    pub fn describe(self) -> String {
        let word = self.word();
        format!(
            "{word}: {:.0} active users a month in the last three months against {:.0} in the twelve before ({:+.0}%)",
            self.recent,
            self.before,
            (self.ratio - 1.0) * 100.0
        )
    }
}

/// How [`trend_and_season`] forecasts, in words for the pages and the docs.
pub const TREND_AND_SEASON_METHOD: &str = "Each cluster's monthly active users are forecast on their own, then priced and added up. \
With two years of history, a month is the same month a year earlier times the cluster's growth: its last twelve months' users over the twelve before \
(held between half and double, so one odd year cannot run away). With one to two years, a month is the same month a year earlier. \
With less than a year, the last month's users carry on. A cluster with no usage in the last three months, or past its end date, brings nothing.";

/// The growth a year may show at most (and, inverted, at least).
const MAX_YEARLY_GROWTH: f64 = 2.0;

/// One cluster's forecast monthly active users for `months` months from `start`, from its
/// history (months before `start` only are used); see [`TREND_AND_SEASON_METHOD`].
pub fn cluster_forecast(history: &BTreeMap<Month, i64>, start: Month, months: usize) -> Vec<f64> {
    let past: BTreeMap<Month, f64> = history
        .range(..start)
        .map(|(m, users)| (*m, *users as f64))
        .collect();
    let (Some((&first, _)), Some((&last, &last_value))) =
        (past.first_key_value(), past.last_key_value())
    else {
        return vec![0.0; months];
    };
    let quiet = start.plus(-3).is_none_or(|m| last < m);
    if quiet {
        return vec![0.0; months];
    }
    let span = first.until(start);
    let sum = |from: i32, to: i32| -> f64 {
        past.iter()
            .filter(|(m, _)| {
                let back = m.until(start);
                from <= back && back <= to
            })
            .map(|(_, v)| v)
            .sum()
    };
    let growth = if span >= 24 {
        let (recent, before) = (sum(1, 12), sum(13, 24));
        if before > 0.0 {
            (recent / before).clamp(1.0 / MAX_YEARLY_GROWTH, MAX_YEARLY_GROWTH)
        } else {
            1.0
        }
    } else {
        1.0
    };
    let mut forecast: Vec<f64> = Vec::with_capacity(months);
    for h in 0..months {
        let value = if span < 12 {
            last_value
        } else if h >= 12 {
            forecast[h - 12] * growth
        } else {
            // A gap a year ago takes the latest month known before it.
            let year_ago = start.plus(h as i32 - 12);
            let base = year_ago
                .and_then(|m| past.range(..=m).next_back())
                .map_or(last_value, |(_, v)| *v);
            base * growth
        };
        forecast.push(value);
    }
    forecast
}

/// Usage revenue per month for `months` months from `start`, forecast cluster by cluster
/// ([`TREND_AND_SEASON_METHOD`]) and priced with `tiers`; a cluster brings nothing after the
/// month of its end date in `ends`.
pub fn trend_and_season(
    mau: &BTreeMap<(String, Month), i64>,
    ends: &BTreeMap<String, Date>,
    tiers: &[Tier],
    start: Month,
    months: usize,
) -> Vec<f64> {
    let mut by_cluster: BTreeMap<&str, BTreeMap<Month, i64>> = BTreeMap::new();
    for ((cluster, month), users) in mau {
        by_cluster
            .entry(cluster.as_str())
            .or_default()
            .insert(*month, *users);
    }
    let mut totals = vec![0.0; months];
    for (cluster, history) in &by_cluster {
        let end = ends.get(*cluster).map(|d| Month::of(*d));
        for (h, users) in cluster_forecast(history, start, months)
            .into_iter()
            .enumerate()
        {
            let month = start.plus(h as i32);
            if end.is_some_and(|e| month.is_none_or(|m| m > e)) {
                continue;
            }
            totals[h] += fee(Some(users.round() as i64), tiers);
        }
    }
    totals.into_iter().map(round).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_fee_is_marginal_by_tier() {
        let f = |users: Option<i64>| fee(users, &DEFAULT_TIERS);
        let cases = [
            (Some(0), 0.0),
            (Some(10), 100.0),
            (Some(11), 105.0),
            (Some(100), 550.0),
            (Some(101), 552.5),
            (Some(280), 1_000.0),
            (Some(1_000), 2_800.0),
            (Some(10_000), 14_050.0),
            (Some(10_001), 14_050.0),
            (Some(1_000_000), 14_050.0),
            (Some(-5), 0.0),
            (None, 0.0),
        ];
        for (users, expected) in cases {
            assert_eq!(f(users), expected, "{users:?} users");
        }
    }

    fn sample(cluster: &str, day: Date, users: i64) -> Sample {
        Sample {
            cluster: cluster.to_owned(),
            date: day,
            users,
        }
    }

    #[test]
    fn a_month_counts_its_largest_sample_and_exclusions_leave_clusters_out() {
        let samples = vec![
            sample("bids", date(2026, 1, 3), 40),
            sample("bids", date(2026, 1, 20), 55),
            sample("bids", date(2026, 2, 1), 30),
            sample("prometheus-infra", date(2026, 1, 5), 999),
            sample("cal", date(2026, 1, 9), 12),
        ];
        let mut exclusions = Exclusions::organisation_default();
        exclusions
            .windows
            .push(("cal".to_owned(), date(2026, 1, 1), date(2026, 1, 31)));
        let mau = monthly_active_users(&samples, &exclusions);
        let jan = Month::parse("2026-01").unwrap();
        let feb = Month::parse("2026-02").unwrap();
        assert_eq!(mau.get(&("bids".to_owned(), jan)), Some(&55));
        assert_eq!(mau.get(&("bids".to_owned(), feb)), Some(&30));
        assert_eq!(mau.len(), 2, "prometheus and January's cal are left out");
        let revenue = monthly_revenue(&mau, &DEFAULT_TIERS);
        // 55 users: 10 × 10 + 45 × 5 = 325; 30 users: 100 + 100 = 200.
        assert_eq!((revenue[&jan], revenue[&feb]), (325.0, 200.0));
    }

    #[test]
    fn usage_revenue_is_the_mean_of_the_last_twelve_months() {
        let start = Month::parse("2026-03").unwrap();
        let totals: BTreeMap<Month, f64> = (1..=14)
            .map(|i| (start.plus(-i).unwrap(), f64::from(i) * 100.0))
            .collect();
        // The twelve months before March 2026 hold 100 … 1,200: mean 650. Older ones do not count,
        // nor does anything from March on.
        let mut with_future = totals.clone();
        with_future.insert(start, 99_999.0);
        assert_eq!(estimated_revenue(&with_future, start), 650.0);
        assert_eq!(estimated_revenue(&BTreeMap::new(), start), 0.0);
    }

    fn months_from(first: &str, values: &[i64]) -> BTreeMap<Month, i64> {
        let first = Month::parse(first).unwrap();
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (first.plus(i as i32).unwrap(), *v))
            .collect()
    }

    #[test]
    fn two_years_give_last_years_month_times_the_growth() {
        // March 2024 … February 2026: 100 a month and 200 in December, then 110 and 220.
        let year = |base: i64| -> Vec<i64> {
            (0..12)
                .map(|i| if i == 9 { base * 2 } else { base })
                .collect()
        };
        let history = months_from("2024-03", &[year(100), year(110)].concat());
        let start = Month::parse("2026-03").unwrap();
        let f = cluster_forecast(&history, start, 24);
        // Growth: (11 × 110 + 220) / (11 × 100 + 200) = 1,430 / 1,300 = 1.1.
        assert!((f[0] - 121.0).abs() < 1e-9, "{}", f[0]);
        assert!((f[9] - 242.0).abs() < 1e-9, "December: {}", f[9]);
        assert!((f[12] - 133.1).abs() < 1e-9, "the next March: {}", f[12]);
        let totals = trend_and_season(
            &history
                .iter()
                .map(|(m, v)| (("a".to_owned(), *m), *v))
                .collect(),
            &BTreeMap::new(),
            &DEFAULT_TIERS,
            start,
            24,
        );
        // 121 users: 10 × 10 + 90 × 5 + 21 × 2.5 = 602.5, rounded half to even like every
        // forecast figure: 602.
        assert_eq!(totals[0], 602.0);
        // 242 users: 100 + 450 + 142 × 2.5 = 905.
        assert_eq!(totals[9], 905.0);
    }

    #[test]
    fn growth_is_held_between_half_and_double() {
        let history = months_from("2024-01", &[vec![10; 12], vec![100; 12]].concat());
        let f = cluster_forecast(&history, Month::parse("2026-01").unwrap(), 1);
        assert_eq!(f, vec![200.0], "100 × 2, not × 10");
        let history = months_from("2024-01", &[vec![100; 12], vec![10; 12]].concat());
        let f = cluster_forecast(&history, Month::parse("2026-01").unwrap(), 1);
        assert_eq!(f, vec![5.0], "10 × ½");
    }

    #[test]
    fn short_quiet_and_ended_clusters() {
        let start = Month::parse("2026-03").unwrap();
        // Five months: the last carries on.
        let short = months_from("2025-10", &[10, 20, 30, 40, 50]);
        assert_eq!(cluster_forecast(&short, start, 3), vec![50.0; 3]);
        // Fifteen months: last year's month, no growth.
        let year_and_a_bit = months_from("2024-12", &(1..=15).collect::<Vec<i64>>());
        assert_eq!(cluster_forecast(&year_and_a_bit, start, 2), vec![4.0, 5.0]);
        // Nothing in December, January or February: nothing ahead.
        let quiet = months_from("2025-01", &[50; 11]);
        assert_eq!(cluster_forecast(&quiet, start, 2), vec![0.0; 2]);
        // Samples from the start on are not history.
        let mut with_future = short.clone();
        with_future.insert(start, 9_999);
        assert_eq!(cluster_forecast(&with_future, start, 1), vec![50.0]);
        // An end date in April: May brings nothing.
        let mau = short
            .iter()
            .map(|(m, v)| (("b".to_owned(), *m), *v))
            .collect();
        let ends = BTreeMap::from([("b".to_owned(), date(2026, 4, 15))]);
        // 50 users: 100 + 40 × 5 = 300.
        assert_eq!(
            trend_and_season(&mau, &ends, &DEFAULT_TIERS, start, 3),
            vec![300.0, 300.0, 0.0]
        );
    }

    #[test]
    fn the_value_signal_needs_daily_data_and_five_users() {
        let today = date(2026, 3, 15);
        let days = |n: i64, users: i64| -> Vec<(Date, i64)> {
            (0..n)
                .map(|i| (today.checked_sub(jiff::Span::new().days(i)).unwrap(), users))
                .collect()
        };
        assert_eq!(
            ValueSignal::of(&days(14, 5), today),
            ValueSignal::Valued { users: 5 }
        );
        assert_eq!(
            ValueSignal::of(&days(10, 4), today),
            ValueSignal::AtRisk { users: 4 }
        );
        // Nine days, or weekly samples, are not daily data.
        assert_eq!(
            ValueSignal::of(&days(9, 50), today),
            ValueSignal::NoDailyData
        );
        let weekly: Vec<(Date, i64)> = days(14, 50).into_iter().step_by(7).collect();
        assert_eq!(ValueSignal::of(&weekly, today), ValueSignal::NoDailyData);
        // Older samples do not count.
        let mut old = days(10, 1);
        old.push((date(2026, 2, 1), 500));
        assert_eq!(
            ValueSignal::of(&old, today),
            ValueSignal::AtRisk { users: 1 }
        );
    }

    #[test]
    fn engagement_compares_the_last_three_months_with_the_twelve_before() {
        // In progress: March 2026. Last three: December–February at 60, 90, 120 (mean 90);
        // the twelve before: 60 each, except one month at 120 (mean 65).
        let mut mau = months_from(
            "2024-12",
            &[vec![60; 11], vec![120], vec![60, 90, 120]].concat(),
        );
        mau.insert(Month::parse("2026-03").unwrap(), 1);
        mau.insert(Month::parse("2024-11").unwrap(), 9_999);
        let trend = EngagementTrend::of(&mau, Month::parse("2026-03").unwrap()).unwrap();
        assert_eq!((trend.recent, trend.before), (90.0, 65.0));
        assert!(
            trend
                .describe()
                .starts_with("growing: 90 active users a month"),
            "{}",
            trend.describe()
        );
        assert!(trend.describe().ends_with("(+38%)"), "{}", trend.describe());
        let new = months_from("2026-01", &[10, 20]);
        assert_eq!(
            EngagementTrend::of(&new, Month::parse("2026-03").unwrap()),
            None
        );
    }
}
