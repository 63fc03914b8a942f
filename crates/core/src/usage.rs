//! Hub usage and usage-based pricing (DOMAIN.md "Usage and pricing"): monthly active users per
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
}
