//! Billing schedules and what a billing run bills (docs/domain.md, "Invoices, payments and
//! collections"): a won deal's instalments from its schedule, the lines of a cluster's usage
//! fee for a month, and the exact split of an amount by weights that both rely on.

use std::fmt;

use crate::deal::RevenueType;
use crate::invoice::{Kind, Line, Quantity};
use crate::usage::Tier;
use crate::{Date, Money, Month, ParseError};

/// When a period is billed: on its first day, or the day after its last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Timing {
    Advance,
    Arrears,
}

text_enum!(Timing, "billing timing", {
    Advance => "advance",
    Arrears => "arrears",
});

/// How often a contract is billed over its term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Frequency {
    Once,
    Yearly,
    Quarterly,
    Monthly,
    /// Milestones: a day and an amount each.
    Custom,
}

text_enum!(Frequency, "billing frequency", {
    Once => "once",
    Yearly => "yearly",
    Quarterly => "quarterly",
    Monthly => "monthly",
    Custom => "custom",
});

impl Frequency {
    /// The months in one period, for the frequencies that repeat.
    pub fn months(self) -> Option<i64> {
        match self {
            Frequency::Yearly => Some(12),
            Frequency::Quarterly => Some(3),
            Frequency::Monthly => Some(1),
            Frequency::Once | Frequency::Custom => None,
        }
    }
}

/// A custom schedule's instalment: the day it is billable and its amount in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Milestone {
    pub on: Date,
    pub amount_minor: i64,
}

/// The most instalments one schedule makes: monthly for a hundred years.
pub const MAX_INSTALMENTS: usize = 1_200;

/// How a deal is billed. Built by [`Schedule::new`], so a custom schedule has milestones in
/// order of their days and the others have none.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Schedule {
    pub timing: Timing,
    pub frequency: Frequency,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub milestones: Vec<Milestone>,
}

impl Schedule {
    /// A schedule; milestones are taken (and needed) only by a custom one, each billing more
    /// than nothing on a day of its own. They are kept in order of their days.
    pub fn new(
        timing: Timing,
        frequency: Frequency,
        mut milestones: Vec<Milestone>,
    ) -> Result<Schedule, ParseError> {
        let what = "billing schedule";
        match frequency {
            Frequency::Custom if milestones.is_empty() => {
                return Err(ParseError::new(
                    what,
                    frequency.as_str(),
                    "a custom schedule needs at least one milestone (a day and an amount)",
                ));
            }
            Frequency::Custom if timing == Timing::Arrears => {
                return Err(ParseError::new(
                    what,
                    timing.as_str(),
                    "a milestone is billed on its own day: a custom schedule is in advance",
                ));
            }
            Frequency::Custom => {}
            _ if !milestones.is_empty() => {
                return Err(ParseError::new(
                    what,
                    frequency.as_str(),
                    "milestones are for a custom schedule: choose custom, or leave them out",
                ));
            }
            _ => {}
        }
        if milestones.len() > MAX_INSTALMENTS {
            return Err(ParseError::new(
                what,
                &milestones.len().to_string(),
                &format!("at most {MAX_INSTALMENTS} milestones"),
            ));
        }
        milestones.sort_by_key(|m| m.on);
        for pair in milestones.windows(2) {
            if pair[0].on == pair[1].on {
                return Err(ParseError::new(
                    "milestone",
                    &pair[0].on.to_string(),
                    "two milestones on one day: make them one",
                ));
            }
        }
        if let Some(m) = milestones.iter().find(|m| m.amount_minor <= 0) {
            return Err(ParseError::new(
                "milestone",
                &m.on.to_string(),
                "a milestone bills more than nothing",
            ));
        }
        Ok(Schedule {
            timing,
            frequency,
            milestones,
        })
    }

    /// The organisation's practice for a deal without a schedule of its own: a membership is
    /// billed at the start of each contract year, a usage commitment monthly after each month,
    /// anything else once, at the start.
    pub fn default_for(revenue_type: Option<&RevenueType>) -> Schedule {
        let (timing, frequency) = match revenue_type.map(RevenueType::as_str) {
            Some(t) if t.starts_with("membership") => (Timing::Advance, Frequency::Yearly),
            Some("usage") => (Timing::Arrears, Frequency::Monthly),
            _ => (Timing::Advance, Frequency::Once),
        };
        Schedule {
            timing,
            frequency,
            milestones: Vec::new(),
        }
    }

    /// What the invoices of a deal with this schedule bill, by its revenue type: a membership
    /// fee, a grant's tranche, usage, or a service.
    pub fn kind_for(revenue_type: Option<&RevenueType>) -> Kind {
        match revenue_type.map(RevenueType::as_str) {
            Some(t) if t.starts_with("membership") => Kind::Membership,
            Some("grant") => Kind::GrantTranche,
            Some("usage") => Kind::Usage,
            _ => Kind::Service,
        }
    }

    /// The instalments this schedule makes of a contract from `start` to `end` (inclusive)
    /// for `amount`: they add up exactly to the amount. Periods follow each other from
    /// the start, a whole frequency long, the last cut at the end; each bills its share by the
    /// months it covers (a month begun counts whole), the minor units left over going to the
    /// largest shares first. A milestone bills its own amount on its own day, and the
    /// milestones must add up to the contract's amount.
    pub fn instalments(
        &self,
        start: Date,
        end: Option<Date>,
        amount: Money,
    ) -> Result<Vec<Instalment>, String> {
        let amount_minor = amount.minor;
        if amount_minor <= 0 {
            return Err("the deal's amount is nothing: there is nothing to bill".into());
        }
        if let Some(end) = end
            && end < start
        {
            return Err(format!(
                "the contract ends ({end}) before it starts ({start})"
            ));
        }
        if self.frequency == Frequency::Custom {
            let total: i128 = self
                .milestones
                .iter()
                .map(|m| i128::from(m.amount_minor))
                .sum();
            if total != i128::from(amount_minor) {
                let total =
                    Money::from_minor(i64::try_from(total).unwrap_or(i64::MAX), amount.currency);
                return Err(format!(
                    "the milestones add up to {}, the deal's amount is {}: make them agree",
                    total.text(),
                    amount.text()
                ));
            }
            return Ok(self
                .milestones
                .iter()
                .map(|m| Instalment {
                    billable_on: m.on,
                    service_from: None,
                    service_to: None,
                    amount_minor: m.amount_minor,
                })
                .collect());
        }
        let periods = match (self.frequency.months(), end) {
            (None, _) => vec![(start, end, 1)],
            (Some(_), None) => {
                return Err(format!(
                    "billing {} needs the contract's end",
                    self.frequency
                ));
            }
            (Some(months), Some(end)) => periods(start, end, months)?,
        };
        let weights: Vec<i64> = periods.iter().map(|(_, _, w)| *w).collect();
        let amounts = allocate(amount_minor, &weights);
        periods
            .into_iter()
            .zip(amounts)
            .map(|((from, to, _), amount_minor)| {
                let billable_on = match self.timing {
                    Timing::Advance => from,
                    Timing::Arrears => to
                        .ok_or("billing in arrears needs the contract's end")?
                        .tomorrow()
                        .map_err(|e| e.to_string())?,
                };
                Ok(Instalment {
                    billable_on,
                    service_from: Some(from),
                    service_to: to,
                    amount_minor,
                })
            })
            .collect()
    }

    /// The schedule in a few words: "quarterly, in advance", "2 milestones".
    pub fn words(&self) -> String {
        match self.frequency {
            Frequency::Custom => match self.milestones.len() {
                1 => "1 milestone".to_owned(),
                n => format!("{n} milestones"),
            },
            f => format!("{f}, in {}", self.timing),
        }
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.words())
    }
}

/// The periods of a term `months` long each from `start`, the last cut at `end`, each with
/// the months it covers (a month begun counts whole).
fn periods(start: Date, end: Date, months: i64) -> Result<Vec<(Date, Option<Date>, i64)>, String> {
    let after = |k: i64| start.checked_add(jiff::Span::new().months(k)).ok();
    let mut periods = Vec::new();
    let mut k = 0;
    while let Some(from) = after(k).filter(|from| *from <= end) {
        if periods.len() == MAX_INSTALMENTS {
            return Err(format!(
                "the contract would be billed more than {MAX_INSTALMENTS} times"
            ));
        }
        let next = after(k + months).ok_or("the contract runs past the last day Bearing knows")?;
        let to = next.yesterday().map_err(|e| e.to_string())?.min(end);
        // Months begun within the period, a whole one at most `months`.
        let covered = (1..=months)
            .find(|j| after(k + j).is_none_or(|d| d > to))
            .unwrap_or(months);
        periods.push((from, Some(to), covered));
        k += months;
    }
    Ok(periods)
}

/// One invoice a schedule calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Instalment {
    pub billable_on: Date,
    pub service_from: Option<Date>,
    pub service_to: Option<Date>,
    pub amount_minor: i64,
}

/// What of `instalments` (in order) is billable by `through` and not yet billed by
/// `invoiced`, the deal's invoices as (billable day, total). An invoice billable on an
/// instalment's day bills that instalment; what the others bill (and what one bills beyond
/// its instalment) covers the rest in order, so one may be billed in part and the rest of it
/// is due. Each comes with its place among the instalments.
pub fn unbilled(
    instalments: &[Instalment],
    invoiced: &[(Option<Date>, i64)],
    through: Date,
) -> Vec<(usize, Instalment)> {
    let mut matched = vec![0_i128; instalments.len()];
    let mut spare = 0_i128;
    for (on, total) in invoiced {
        match instalments.iter().position(|i| Some(i.billable_on) == *on) {
            Some(k) => matched[k] += i128::from(*total),
            None => spare += i128::from(*total),
        }
    }
    for (k, instalment) in instalments.iter().enumerate() {
        spare += (matched[k] - i128::from(instalment.amount_minor)).max(0);
    }
    let mut due = Vec::new();
    for (k, instalment) in instalments.iter().enumerate() {
        let amount = i128::from(instalment.amount_minor);
        let need = amount - matched[k].clamp(0, amount);
        let take = need.min(spare.max(0));
        spare -= take;
        let left = need - take;
        if instalment.billable_on <= through && left > 0 {
            due.push((
                k,
                Instalment {
                    amount_minor: i64::try_from(left).unwrap_or(instalment.amount_minor),
                    ..*instalment
                },
            ));
        }
    }
    due
}

/// `total` split in proportion to `weights`, adding up exactly to it: each share is rounded
/// down, and the minor units left go one each to the largest shares first (the earlier among
/// equal ones). Weights of nothing get nothing; with no weight at all everything goes to the
/// first.
pub fn allocate(total: i64, weights: &[i64]) -> Vec<i64> {
    let weights: Vec<i128> = weights.iter().map(|w| i128::from((*w).max(0))).collect();
    let sum: i128 = weights.iter().sum();
    if weights.is_empty() {
        return Vec::new();
    }
    if sum == 0 {
        let mut shares = vec![0; weights.len()];
        shares[0] = total;
        return shares;
    }
    let total_wide = i128::from(total);
    // Floor division keeps every share at or below its exact value, also for a negative total.
    let mut shares: Vec<i128> = weights
        .iter()
        .map(|w| (total_wide * w).div_euclid(sum))
        .collect();
    let left = total_wide - shares.iter().sum::<i128>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|a, b| weights[*b].cmp(&weights[*a]).then(a.cmp(b)));
    for i in order.into_iter().take(usize::try_from(left).unwrap_or(0)) {
        shares[i] += 1;
    }
    shares
        .into_iter()
        .map(|s| i64::try_from(s).unwrap_or_default())
        .collect()
}

/// The lines of a cluster's usage fee for `month` with `users` monthly active users: one per
/// tier the users reach, its users × its price, so the lines add up to the usage report's fee
/// (with prices in whole cents). Nothing when no user was active.
pub fn usage_lines(cluster: &str, month: Month, users: i64, tiers: &[Tier]) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut below = 0_i64;
    for tier in tiers {
        if below >= users {
            break;
        }
        let top = tier.up_to.map_or(users, |t| i64::from(t).min(users));
        if top <= below {
            continue;
        }
        let count = top - below;
        let range = if count == 1 {
            format!("user {top}")
        } else {
            format!("users {}–{top}", below + 1)
        };
        let unit_minor = (tier.price * 100.0).round() as i64;
        let line = Quantity::from_thousandths(count.saturating_mul(1_000)).and_then(|q| {
            Line::new(
                &format!("{cluster}, {}: active {range}", month.words()),
                q,
                unit_minor,
            )
            .ok()
        });
        lines.extend(line);
        below = top;
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::{DEFAULT_TIERS, fee};

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, crate::Currency::USD)
    }

    fn schedule(timing: Timing, frequency: Frequency) -> Schedule {
        Schedule::new(timing, frequency, Vec::new()).unwrap()
    }

    fn amounts(i: &[Instalment]) -> Vec<i64> {
        i.iter().map(|i| i.amount_minor).collect()
    }

    #[test]
    fn a_year_billed_quarterly_in_advance_is_four_equal_instalments_at_each_quarters_start() {
        let i = schedule(Timing::Advance, Frequency::Quarterly)
            .instalments(day("2025-01-15"), Some(day("2026-01-14")), usd(1_000_001))
            .unwrap();
        let billable: Vec<String> = i.iter().map(|i| i.billable_on.to_string()).collect();
        assert_eq!(
            billable,
            ["2025-01-15", "2025-04-15", "2025-07-15", "2025-10-15"]
        );
        // $10,000.01: the cent left goes to the first of the equal shares.
        assert_eq!(amounts(&i), [250_001, 250_000, 250_000, 250_000]);
        assert_eq!(i[0].service_to, Some(day("2025-04-14")));
        assert_eq!(i[3].service_to, Some(day("2026-01-14")));
    }

    #[test]
    fn in_arrears_each_period_is_billable_the_day_after_it() {
        let i = schedule(Timing::Arrears, Frequency::Monthly)
            .instalments(day("2025-01-01"), Some(day("2025-03-31")), usd(30_000))
            .unwrap();
        let billable: Vec<String> = i.iter().map(|i| i.billable_on.to_string()).collect();
        assert_eq!(billable, ["2025-02-01", "2025-03-01", "2025-04-01"]);
        assert_eq!(amounts(&i), [10_000, 10_000, 10_000]);
    }

    #[test]
    fn a_short_last_period_bills_by_the_months_it_covers() {
        // 14 months billed yearly: a year, then 1 Jan – 20 Feb, two months begun (February,
        // cut on the 20th, counts whole). $14,000 → $12,000 and $2,000.
        let i = schedule(Timing::Advance, Frequency::Yearly)
            .instalments(day("2025-01-01"), Some(day("2026-02-20")), usd(1_400_000))
            .unwrap();
        assert_eq!(amounts(&i), [1_200_000, 200_000]);
        assert_eq!(i[1].billable_on, day("2026-01-01"));
        assert_eq!(i[1].service_to, Some(day("2026-02-20")));
    }

    #[test]
    fn once_bills_the_whole_amount_at_the_start_or_after_the_end() {
        let advance = schedule(Timing::Advance, Frequency::Once)
            .instalments(day("2025-03-10"), None, usd(5_000))
            .unwrap();
        assert_eq!(advance.len(), 1);
        assert_eq!(advance[0].billable_on, day("2025-03-10"));
        let arrears = schedule(Timing::Arrears, Frequency::Once)
            .instalments(day("2025-03-10"), Some(day("2025-06-30")), usd(5_000))
            .unwrap();
        assert_eq!(arrears[0].billable_on, day("2025-07-01"));
        assert!(
            schedule(Timing::Arrears, Frequency::Once)
                .instalments(day("2025-03-10"), None, usd(5_000))
                .unwrap_err()
                .contains("arrears needs the contract's end")
        );
    }

    #[test]
    fn milestones_bill_their_own_amounts_and_must_add_up_to_the_deal() {
        let s = Schedule::new(
            Timing::Advance,
            Frequency::Custom,
            vec![
                Milestone {
                    on: day("2025-09-01"),
                    amount_minor: 700,
                },
                Milestone {
                    on: day("2025-02-01"),
                    amount_minor: 300,
                },
            ],
        )
        .unwrap();
        assert_eq!(s.milestones[0].on, day("2025-02-01"));
        let i = s.instalments(day("2025-01-01"), None, usd(1_000)).unwrap();
        assert_eq!(amounts(&i), [300, 700]);
        let wrong = s
            .instalments(day("2025-01-01"), None, usd(1_200))
            .unwrap_err();
        assert!(
            wrong.contains("add up to $10.00, the deal's amount is $12.00"),
            "{wrong}"
        );
    }

    #[test]
    fn schedules_that_cannot_be_are_refused() {
        let milestone = Milestone {
            on: day("2025-02-01"),
            amount_minor: 10,
        };
        let arrears = Schedule::new(Timing::Arrears, Frequency::Custom, vec![milestone]);
        assert!(
            arrears
                .unwrap_err()
                .reason
                .contains("a custom schedule is in advance")
        );
        assert!(Schedule::new(Timing::Advance, Frequency::Custom, vec![]).is_err());
        let m = Milestone {
            on: day("2025-01-01"),
            amount_minor: 10,
        };
        assert!(Schedule::new(Timing::Advance, Frequency::Monthly, vec![m]).is_err());
        assert!(Schedule::new(Timing::Advance, Frequency::Custom, vec![m, m]).is_err());
        let nothing = Milestone {
            amount_minor: 0,
            ..m
        };
        assert!(Schedule::new(Timing::Advance, Frequency::Custom, vec![nothing]).is_err());
        let monthly = schedule(Timing::Advance, Frequency::Monthly);
        assert!(
            monthly
                .instalments(day("2025-01-01"), None, usd(10))
                .is_err()
        );
        assert!(
            monthly
                .instalments(day("2025-01-01"), Some(day("2024-01-01")), usd(10))
                .is_err()
        );
        assert!(
            monthly
                .instalments(day("2025-01-01"), Some(day("2025-12-31")), usd(0))
                .is_err()
        );
        assert!(
            monthly
                .instalments(day("1900-01-01"), Some(day("2099-12-31")), usd(10))
                .unwrap_err()
                .contains("more than 1200")
        );
    }

    #[test]
    fn what_is_billed_covers_its_own_instalments_and_then_the_rest_in_order() {
        let i = schedule(Timing::Advance, Frequency::Quarterly)
            .instalments(day("2025-01-01"), Some(day("2025-12-31")), usd(400_000))
            .unwrap();
        let got = |invoiced: &[(Option<Date>, i64)], through: &str| -> Vec<(usize, i64)> {
            unbilled(&i, invoiced, day(through))
                .iter()
                .map(|(k, i)| (*k, i.amount_minor))
                .collect()
        };
        // $1,500 billed outside any instalment's day, through 15 Jul: the rest of the second
        // quarter ($500) and the third ($1,000); the fourth is not billable yet.
        assert_eq!(
            got(&[(None, 150_000)], "2025-07-15"),
            [(1, 50_000), (2, 100_000)]
        );
        // The first and third billed on their days: the second is due, not the third.
        let on_days = [
            (Some(day("2025-01-01")), 100_000),
            (Some(day("2025-07-01")), 100_000),
        ];
        assert_eq!(got(&on_days, "2025-07-15"), [(1, 100_000)]);
        // One invoice on the first day for the whole year bills them all.
        assert!(got(&[(Some(day("2025-01-01")), 400_000)], "2026-06-01").is_empty());
        assert!(got(&[(None, 900_000)], "2026-06-01").is_empty());
        assert!(got(&[], "2024-12-31").is_empty());
        assert_eq!(got(&[(None, -5)], "2025-01-01"), [(0, 100_000)]);
    }

    #[test]
    fn the_default_schedule_follows_the_organisations_practice() {
        let t = |s: &str| RevenueType::parse(s).unwrap();
        assert_eq!(
            Schedule::default_for(Some(&t("membership-premier"))).words(),
            "yearly, in advance"
        );
        assert_eq!(
            Schedule::default_for(Some(&t("usage"))).words(),
            "monthly, in arrears"
        );
        assert_eq!(Schedule::default_for(None).words(), "once, in advance");
    }

    #[test]
    fn allocation_adds_up_exactly_and_gives_the_rest_to_the_largest_shares() {
        // $100.00 by 1:1:1 → 33.34, 33.33, 33.33.
        assert_eq!(allocate(10_000, &[1, 1, 1]), [3_334, 3_333, 3_333]);
        // $10.00 by 10:20:70 (users) → exact.
        assert_eq!(allocate(1_000, &[10, 20, 70]), [100, 200, 700]);
        // $0.05 by 1:2:2 → 1, 2, 2 exactly; $0.04 → 0.8, 1.6, 1.6 → 0, 1, 1 and two left for
        // the largest shares: 0, 2, 2.
        assert_eq!(allocate(5, &[1, 2, 2]), [1, 2, 2]);
        assert_eq!(allocate(4, &[1, 2, 2]), [0, 2, 2]);
        assert_eq!(allocate(7, &[0, 0]), [7, 0]);
        assert_eq!(allocate(-10, &[1, 2]), [-4, -6]);
        assert!(allocate(7, &[]).is_empty());
    }

    #[test]
    fn usage_lines_add_up_to_the_usage_fee() {
        // 280 users: 10 × $10 + 90 × $5 + 180 × $2.50 = $1,000.
        let lines = usage_lines("hub-a", Month::new(2025, 11).unwrap(), 280, &DEFAULT_TIERS);
        let amounts: Vec<i64> = lines.iter().map(|l| l.amount_minor).collect();
        assert_eq!(amounts, [10_000, 45_000, 45_000]);
        assert_eq!(lines[1].description, "hub-a, Nov 2025: active users 11–100");
        assert_eq!(crate::invoice::total(&lines), Some(100_000));
        assert_eq!(fee(Some(280), &DEFAULT_TIERS), 1_000.0);
        assert_eq!(
            usage_lines("hub-a", Month::new(2025, 11).unwrap(), 1, &DEFAULT_TIERS)[0].description,
            "hub-a, Nov 2025: active user 1"
        );
        assert!(usage_lines("hub-a", Month::new(2025, 11).unwrap(), 0, &DEFAULT_TIERS).is_empty());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn allocation_always_adds_up_and_no_share_is_off_by_a_unit_or_more(
                total in -1_000_000_000_i64..1_000_000_000,
                weights in proptest::collection::vec(0_i64..1_000_000, 1..20),
            ) {
                let shares = allocate(total, &weights);
                prop_assert_eq!(shares.iter().sum::<i64>(), total);
                let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
                if sum > 0 {
                    for (share, w) in shares.iter().zip(&weights) {
                        let exact = i128::from(total) * i128::from(*w);
                        let diff = i128::from(*share) * sum - exact;
                        prop_assert!(diff.abs() < sum, "share {} of weight {}", share, w);
                    }
                }
            }

            #[test]
            fn instalments_add_up_to_the_amount_in_order_within_the_term(
                start_days in 0_i64..20_000,
                length in 0_i64..3_000,
                amount in 1_i64..100_000_000,
                frequency in prop_oneof![
                    Just(Frequency::Once), Just(Frequency::Yearly),
                    Just(Frequency::Quarterly), Just(Frequency::Monthly)
                ],
                arrears in any::<bool>(),
            ) {
                let start = day("1990-01-01").checked_add(jiff::Span::new().days(start_days)).unwrap();
                let end = start.checked_add(jiff::Span::new().days(length)).unwrap();
                let timing = if arrears { Timing::Arrears } else { Timing::Advance };
                let i = schedule(timing, frequency).instalments(start, Some(end), usd(amount)).unwrap();
                prop_assert_eq!(i.iter().map(|i| i.amount_minor).sum::<i64>(), amount);
                prop_assert!(i.windows(2).all(|w| w[0].billable_on < w[1].billable_on));
                prop_assert_eq!(i.first().and_then(|i| i.service_from), Some(start));
                prop_assert_eq!(i.last().and_then(|i| i.service_to), Some(end));
                for pair in i.windows(2) {
                    prop_assert_eq!(pair[0].service_to.unwrap().tomorrow().unwrap(), pair[1].service_from.unwrap());
                }
            }
        }
    }
}
